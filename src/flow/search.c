/* Look-up of applications; see search.h. A query of unknown kind is tried
 * as everything its shape allows (an 18-character code can be a USCC or
 * an ID number), so the operator types what the customer hands over. */
#include "config.h"
#include "flow/search.h"
#include "db/ledger.h"
#include "db/lookup.h"
#include "flow/payment.h"
#include "model/val.h"
#include "util/i18n.h"
#include "util/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const search_kind_names[] = {
	[SEARCH_AUTO] = "auto", [SEARCH_APP_NO] = "app", [SEARCH_USCC] = "uscc",
	[SEARCH_NAME] = "name", [SEARCH_ID] = "id", [SEARCH_MOBILE] = "mobile",
	[SEARCH_ACCOUNT] = "account",
};

int search_kind_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(search_kind_names) / sizeof(search_kind_names[0]); i++)
		if (strcmp(s, search_kind_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *search_kind_label(enum search_kind k)
{
	switch (k) {
	case SEARCH_APP_NO:
		return _("application number");
	case SEARCH_USCC:
		return _("USCC");
	case SEARCH_NAME:
		return _("organisation name");
	case SEARCH_ID:
		return _("ID number");
	case SEARCH_MOBILE:
		return _("mobile");
	case SEARCH_ACCOUNT:
		return _("payer's account");
	default:
		return _("any");
	}
}

/* Upper-case, without spaces (and dashes unless keep_dash): how codes and
 * numbers are stored. */
static void search_squeeze(const char *in, char *out, size_t size, int keep_dash)
{
	size_t n = 0;

	for (const char *p = in; *p != '\0' && n + 1 < size; p++) {
		if (*p == ' ' || *p == '\t' || (*p == '-' && !keep_dash))
			continue;
		out[n++] = (char)toupper((unsigned char)*p);
	}
	out[n] = '\0';
}

static void search_compact(const char *in, char *out, size_t size)
{
	search_squeeze(in, out, size, 0);
}

static int search_looks_app_no(const char *q)
{
	const char *d1 = strchr(q, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;

	return d1 != NULL && d2 != NULL && d1 > q && d2 - d1 == 9 && strlen(d2 + 1) == 4 &&
	       str_is_digits(d1 + 1, 8) && str_is_digits(d2 + 1, 4);
}

static int search_alnum(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s))
			return 0;
	return 1;
}

/* The personal ID number as stored: normalised by the validator of the
 * first document type it passes, else compacted. */
static void search_norm_id(const char *q, int today, char *out, size_t size)
{
	static const char *const types[] = { "resident", "hmt_permit", "foreign_2023",
					     "foreign_2017" };
	char msg[200];

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (val_person_id(types[i], q, today, out, size, msg, sizeof(msg)) == VAL_OK)
			return;
	search_compact(q, out, size);
}

struct search_plan {
	int kinds[4];
	char values[4][APP_VALUE_MAX];
	size_t n;
	int personal;  /* a personal number is among the tried kinds */
};

static void search_plan_add(struct search_plan *p, enum search_kind k, const char *v)
{
	if (p->n == 4 || v[0] == '\0')
		return;
	p->kinds[p->n] = (int)k;
	str_copy(p->values[p->n], sizeof(p->values[0]), v);
	p->n++;
	if (k == SEARCH_ID || k == SEARCH_MOBILE || k == SEARCH_ACCOUNT)
		p->personal = 1;
}

static void search_make_plan(const char *query, enum search_kind kind,
			     struct search_plan *p)
{
	char compact[APP_VALUE_MAX], dashed[APP_VALUE_MAX], norm[APP_VALUE_MAX], msg[200];
	size_t len;

	memset(p, 0, sizeof(*p));
	search_compact(query, compact, sizeof(compact));
	search_squeeze(query, dashed, sizeof(dashed), 1);
	len = strlen(compact);
	switch (kind) {
	case SEARCH_APP_NO:
		search_plan_add(p, kind, dashed);
		return;
	case SEARCH_USCC:
		search_plan_add(p, kind, compact);
		return;
	case SEARCH_NAME:
		search_plan_add(p, kind, query);
		return;
	case SEARCH_ID:
		search_norm_id(query, ctx_today_ymd(), norm, sizeof(norm));
		search_plan_add(p, kind, norm);
		return;
	case SEARCH_MOBILE:
		if (val_mobile(query, norm, sizeof(norm), msg, sizeof(msg)) != VAL_OK)
			search_compact(query, norm, sizeof(norm));
		search_plan_add(p, kind, norm);
		return;
	case SEARCH_ACCOUNT:
		/* Stored as digits only: spaces and dashes typed go. */
		search_plan_add(p, kind, compact);
		return;
	case SEARCH_AUTO:
		break;
	}
	if (search_looks_app_no(dashed)) {
		search_plan_add(p, SEARCH_APP_NO, dashed);
		return;
	}
	if (val_mobile(query, norm, sizeof(norm), msg, sizeof(msg)) == VAL_OK) {
		search_plan_add(p, SEARCH_MOBILE, norm);
		return;
	}
	if (len >= 15 && len <= 18 && search_alnum(compact)) {
		if (len == 18)
			search_plan_add(p, SEARCH_USCC, compact);
		search_norm_id(query, ctx_today_ymd(), norm, sizeof(norm));
		search_plan_add(p, SEARCH_ID, norm);
		/* 15 to 18 digits may as well be a card or account number. */
		if (str_is_digits(compact, len))
			search_plan_add(p, SEARCH_ACCOUNT, compact);
		return;
	}
	if (len >= VAL_ACCOUNT_MIN && len <= VAL_ACCOUNT_MAX && str_is_digits(compact, len)) {
		search_plan_add(p, SEARCH_ACCOUNT, compact);
		return;
	}
	search_plan_add(p, SEARCH_NAME, query);
}

static enum lookup_kind search_lookup_kind(int k)
{
	switch (k) {
	case SEARCH_APP_NO:
		return LOOKUP_APP_NO;
	case SEARCH_USCC:
		return LOOKUP_USCC;
	case SEARCH_ID:
		return LOOKUP_ID;
	case SEARCH_MOBILE:
		return LOOKUP_MOBILE;
	case SEARCH_ACCOUNT:
		return LOOKUP_ACCOUNT;
	default:
		return LOOKUP_NAME;
	}
}

/* Open the record, fill the masked numbers, and confirm a keyed match
 * (a truncated MAC could collide). 1 keep, 0 drop, -1 error. */
static int search_fill(struct gt_ctx *ctx, struct search_hit *h, int kind, const char *value,
		       struct application *app, struct gt_err *err)
{
	int got = store_app_load(ctx->store, &ctx->ring, h->app.app_no, app, err);

	if (got != 0)
		return got == 1 ? 0 : -1;
	if (kind == SEARCH_ID && strcmp(app_get(app, AF_REP_ID_NUMBER), value) != 0 &&
	    strcmp(app_get(app, AF_HDL_ID_NUMBER), value) != 0)
		return 0;
	if (kind == SEARCH_MOBILE && strcmp(app_get(app, AF_HDL_MOBILE), value) != 0)
		return 0;
	if (kind == SEARCH_ACCOUNT && strcmp(app_get(app, AF_PAY_ACCOUNT), value) != 0) {
		/* Not the record's: one of its later payments', or a
		 * collision of truncated MACs. */
		int found;

		if (payment_account_matches(ctx, h->app.app_no, value, &found, err) != 0)
			return -1;
		if (!found)
			return 0;
	}
	h->matched = (enum search_kind)kind;
	str_copy(h->handler_name, sizeof(h->handler_name), app_get(app, AF_HDL_NAME));
	app_display_value(app, AF_REP_ID_NUMBER, h->rep_id, sizeof(h->rep_id), 0);
	app_display_value(app, AF_HDL_ID_NUMBER, h->handler_id, sizeof(h->handler_id), 0);
	app_display_value(app, AF_HDL_MOBILE, h->mobile, sizeof(h->mobile), 0);
	app_display_value(app, AF_PAY_ACCOUNT, h->account, sizeof(h->account), 0);
	if (ledger_app_net(ctx->store, h->app.app_no, &h->paid_fen, &h->payment_rows, err) != 0)
		return -1;
	return 1;
}

int search_run(struct gt_ctx *ctx, const char *query, enum search_kind kind,
	       struct search_hit *out, size_t max, size_t *n, struct gt_err *err)
{
	struct store_app_summary *found = calloc(SEARCH_MAX_HITS, sizeof(*found));
	struct application *app = calloc(1, sizeof(*app));
	struct search_plan plan;
	char shown[APP_VALUE_MAX], kinds[80] = "";
	int rc = -1;

	*n = 0;
	if (max > SEARCH_MAX_HITS)
		max = SEARCH_MAX_HITS;
	if (found == NULL || app == NULL) {
		err_set(err, _("out of memory"));
		goto out;
	}
	if (!str_utf8_valid(query) || str_has_control(query) || str_utf8_chars(query) > 100) {
		err_set(err, _("a search is 1 to 100 characters of plain text"));
		goto out;
	}
	search_make_plan(query, kind, &plan);
	if (plan.n == 0) {
		err_set(err, _("a search is 1 to 100 characters of plain text"));
		goto out;
	}
	for (size_t i = 0; i < plan.n; i++) {
		size_t got = 0;

		if (lookup_find(ctx->store, &ctx->ring, search_lookup_kind(plan.kinds[i]),
				plan.values[i], found, max, &got, err) != 0)
			goto out;
		for (size_t j = 0; j < got && *n < max; j++) {
			int dup = 0, keep;

			for (size_t k = 0; k < *n && !dup; k++)
				dup = strcmp(out[k].app.app_no, found[j].app_no) == 0;
			if (dup)
				continue;
			memset(&out[*n], 0, sizeof(out[*n]));
			out[*n].app = found[j];
			keep = search_fill(ctx, &out[*n], plan.kinds[i], plan.values[i], app, err);
			if (keep < 0)
				goto out;
			*n += (size_t)keep;
		}
		snprintf(kinds + strlen(kinds), sizeof(kinds) - strlen(kinds), "%s%s",
			 i ? "," : "", search_kind_names[plan.kinds[i]]);
	}
	/* The trail shows what was looked for, never a personal number. */
	if (plan.personal && plan.kinds[plan.n - 1] == SEARCH_ACCOUNT)
		val_account_mask(plan.values[plan.n - 1], shown, sizeof(shown));
	else if (plan.personal)
		str_mask(shown, sizeof(shown), plan.values[plan.n - 1],
			 plan.kinds[plan.n - 1] == SEARCH_MOBILE ? 3 : 4, 4);
	else
		str_copy(shown, sizeof(shown), query);
	if (ctx_audit(ctx, "search", "", err, "by %s; query %s; %zu found", kinds, shown, *n) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		/* Nothing is shown when the search could not be recorded. */
		str_wipe(out, max * sizeof(*out));
		*n = 0;
	}
	str_wipe(shown, sizeof(shown));
	free(found);
	if (app != NULL)
		app_clear(app);
	free(app);
	return rc;
}
