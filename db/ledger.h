/* The payments ledger and closed days (schema 4, db/store.c).
 *
 * A payment row is written once and never changed (triggers refuse UPDATE
 * and DELETE). A void (the same day) or a refund (any later day) is a row
 * of its own: kind "void" or "refund", the same method, the negated amount,
 * and `original` naming the payment; at most one per payment. Amounts are
 * integers in fen. `day` is the business day (YYYYMMDD, local time) the row
 * counts in; once a day is in the settlements table no row of that day can
 * be added (trigger), so its totals are final. The settlement row keeps a
 * digest of the day's rows and the audit chain head at closing. */
#ifndef GUITAI_LEDGER_H
#define GUITAI_LEDGER_H

#include <stddef.h>
#include "util/err.h"
#include "model/app.h"

struct store;

#define LEDGER_REF_MAX 64
#define LEDGER_REASON_MAX 256
#define LEDGER_DIGEST_BYTES 32
/* A sealed account: 32 digits at most plus the seal (db/crypto.h). */
#define LEDGER_ACCOUNT_SEALED_MAX 80

struct ledger_payment {
	long long id;
	char app_no[APP_NO_MAX];
	char kind[8];              /* payment | void | refund */
	long long original;        /* the payment a void/refund reverses; 0 for a payment */
	char method[12];           /* cash | card | wechat | alipay | transfer */
	long long amount_fen;      /* > 0 for a payment, < 0 for a void or refund */
	char reference[LEDGER_REF_MAX]; /* POS, transaction or voucher number; "" for cash */
	char service[16];          /* the application's service (new, renew, ...) */
	char invoice[4];           /* yes | no: electronic invoice requested */
	char operator_name[64];
	char approved_by[64];      /* the supervisor of a void or refund; "" for a payment */
	char reason[LEDGER_REASON_MAX];
	char terminal[16];
	int day;                   /* YYYYMMDD */
	long long at;              /* unix seconds */
	/* The payer's card or account, sealed by the flow (AAD
	 * "payment-account:APPNO"); account_len 0 when there is none. */
	unsigned char account[LEDGER_ACCOUNT_SEALED_MAX];
	size_t account_len;
	long long reversed_by;     /* filled on reads: the void/refund naming it, or 0 */
	int original_day;          /* filled on reads of a void/refund: the payment's day */
};

/* A read transaction (BEGIN, deferred) so several reads see one state;
 * end it with store_rollback. */
int ledger_read_begin(struct store *st, struct gt_err *err);

/* Insert; sets p->id. A closed day, a second reversal or one that does not
 * mirror its payment is refused by the database. */
int ledger_insert(struct store *st, struct ledger_payment *p, struct gt_err *err);
/* 0 found, 1 no such row, -1 error. */
int ledger_get(struct store *st, long long id, struct ledger_payment *p, struct gt_err *err);
/* Rows of one application (app_no non-NULL) or one day (day > 0), oldest
 * first; cb returns non-zero to stop. */
int ledger_each(struct store *st, const char *app_no, int day,
		int (*cb)(void *arg, const struct ledger_payment *p), void *arg,
		struct gt_err *err);
/* The net amount paid for an application (payments less voids and
 * refunds), and how many rows it has. */
int ledger_app_net(struct store *st, const char *app_no, long long *net_fen, long long *rows,
		   struct gt_err *err);

/* One group of a day's rows: (terminal, operator, method or service, kind). */
struct ledger_group {
	const char *terminal;
	const char *operator_name;
	const char *key;           /* method, or service for ledger_day_services */
	const char *kind;          /* payment | void | refund ("payment" for services) */
	long long count;
	long long fen;
};

/* The day's rows summed by terminal, operator, method and kind. */
int ledger_day_methods(struct store *st, int day,
		       int (*cb)(void *arg, const struct ledger_group *g), void *arg,
		       struct gt_err *err);
/* The day's payments not voided, counted by terminal, operator and service. */
int ledger_day_services(struct store *st, int day,
			int (*cb)(void *arg, const struct ledger_group *g), void *arg,
			struct gt_err *err);
/* The day's voids and refunds, oldest first (original_day filled). */
int ledger_day_reversals(struct store *st, int day,
			 int (*cb)(void *arg, const struct ledger_payment *p), void *arg,
			 struct gt_err *err);
/* SHA-256 over the day's rows in id order (every column, length-prefixed;
 * the sealed account only when there is one, so days closed before it
 * existed keep their digest), their count and net sum: what a closing
 * seals. */
int ledger_day_digest(struct store *st, int day, unsigned char digest[LEDGER_DIGEST_BYTES],
		      long long *rows, long long *net_fen, struct gt_err *err);

struct ledger_closing {
	int day;
	long long closed_at;
	char closed_by[64];        /* who ran the closing (operator or @account) */
	char approved_by[64];      /* the supervisor */
	char terminal[16];
	long long rows;
	long long net_fen;
	unsigned char digest[LEDGER_DIGEST_BYTES];
	long long audit_seq;       /* the audit chain head at closing */
	unsigned char audit_head[LEDGER_DIGEST_BYTES];
};

/* 0 closed (out filled when non-NULL), 1 open, -1 error. */
int ledger_closing_get(struct store *st, int day, struct ledger_closing *out,
		       struct gt_err *err);
int ledger_closing_insert(struct store *st, const struct ledger_closing *c, struct gt_err *err);

#endif
