/* The daily settlement (日结): per operator and per terminal, the totals by
 * payment method (payments, voids, refunds, net), the counts by service,
 * and the list of voids and refunds; shown on screen, printed by
 * `guitai report daily`, exported as CSV. Closing a day (a supervisor's
 * approval) freezes its payments (db/ledger.h), takes a keyed audit
 * checkpoint and keeps the audit chain head with the closing, which every
 * later report of that day shows, with whether the day's rows still match
 * the digest taken at closing. */
#ifndef GUITAI_REPORT_H
#define GUITAI_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include "flow/ctx.h"
#include "db/ledger.h"

struct report_money {
	long long payments, payments_fen;
	long long voids, voids_fen;       /* fen negative */
	long long refunds, refunds_fen;   /* fen negative */
	long long net_fen;
};

/* One line of totals: an operator at a terminal, a terminal (operator ""),
 * or the whole day (both ""), for one method. */
struct report_method_row {
	char terminal[16];
	char operator_name[64];
	char method[12];
	struct report_money m;
};

struct report_service_row {
	char terminal[16];
	char operator_name[64];
	char service[16];
	long long count;
	long long fen;
};

struct report {
	int day;                               /* YYYYMMDD */
	struct report_method_row *by_operator; /* terminal + operator + method */
	size_t n_by_operator;
	struct report_method_row *by_terminal; /* terminal + method */
	size_t n_by_terminal;
	struct report_method_row *by_method;   /* the day, per method */
	size_t n_by_method;
	struct report_service_row *services;   /* terminal + operator + service */
	size_t n_services;
	struct report_service_row *service_totals; /* the day, per service */
	size_t n_service_totals;
	struct ledger_payment *reversals;      /* the day's voids and refunds */
	char (*reversal_accounts)[48];         /* each one's payer's account, masked ("" none) */
	size_t n_reversals;
	struct report_money total;
	long long rows;                        /* ledger rows of the day */
	unsigned char digest[LEDGER_DIGEST_BYTES];
	int closed;                            /* 1: closing is filled */
	struct ledger_closing closing;
	int digest_matches;                    /* closed: rows unchanged since */
};

/* Build the report of a day (YYYYMMDD). report_free after. */
int report_daily(struct gt_ctx *ctx, int day, struct report *out, struct gt_err *err);
void report_free(struct report *r);

enum report_line_kind {
	REPORT_TITLE,
	REPORT_HEADING,
	REPORT_TEXT,
	REPORT_WARN,
};

/* The report as translated text lines (for the screen and the command). */
void report_format(const struct report *r,
		   void (*emit)(void *arg, enum report_line_kind kind, const char *line),
		   void *arg);

/* Write the report as CSV (UTF-8, one header line; amounts in fen and in
 * yuan). The export is audited first; the file is created 0640, an
 * existing file replaced. */
int report_csv(struct gt_ctx *ctx, const struct report *r, const char *path, struct gt_err *err);

/* Close a day: approved_by is the supervisor whose session_approve for
 * SESSION_APPROVE_CLOSE succeeded. Refused for a future day or one closed
 * already. *out gets the closing (audit head included). */
int report_close(struct gt_ctx *ctx, int day, const char *approved_by,
		 struct ledger_closing *out, struct gt_err *err);

/* "2026-11-21" into YYYYMMDD (0 on a bad date); and back. */
int report_parse_day(const char *s);
void report_day_text(int day, char *out, size_t size);

#endif
