/* Look-up of applications (查询): by application number, USCC, organisation
 * name (exact or leading part), a person's ID number, the handler's mobile
 * or the payer's bank card or account number (exact, through the keyed
 * index of db/lookup.h). Results carry the
 * personal numbers masked only. Each search is an audit row (what kind,
 * the query masked when personal, how many found) written before any
 * result is returned: when it cannot be written, nothing is shown. */
#ifndef GUITAI_SEARCH_H
#define GUITAI_SEARCH_H

#include <stddef.h>
#include "flow/ctx.h"
#include "db/store.h"

enum search_kind {
	SEARCH_AUTO,     /* from the query's shape */
	SEARCH_APP_NO,
	SEARCH_USCC,
	SEARCH_NAME,
	SEARCH_ID,
	SEARCH_MOBILE,
	SEARCH_ACCOUNT,  /* the payer's bank card or account number */
};

#define SEARCH_MAX_HITS 50

struct search_hit {
	struct store_app_summary app;
	enum search_kind matched;
	char handler_name[64];
	char rep_id[32];          /* masked: 4403**********123X */
	char handler_id[32];      /* masked */
	char mobile[24];          /* masked: 138****8000 */
	char account[48];         /* masked: 6222 **** **** 1234 (the record's) */
	long long paid_fen;       /* net of payments, voids and refunds */
	long long payment_rows;
};

/* "app", "uscc", "name", "id", "mobile", "account" (and "auto"); -1 when
 * unknown. */
int search_kind_parse(const char *s);
const char *search_kind_label(enum search_kind k);

/* Find applications; at most max (<= SEARCH_MAX_HITS) hits, newest first.
 * 0 done (n may be 0), -1 error (err set). */
int search_run(struct gt_ctx *ctx, const char *query, enum search_kind kind,
	       struct search_hit *out, size_t max, size_t *n, struct gt_err *err);

#endif
