/* 查询, the look-up screen: the operator types what the customer hands over
 * (application number, USCC, organisation name, ID number or mobile),
 * chooses among the applications found, and sees one with its personal
 * numbers masked and its payments, which can be voided (today) or refunded
 * with a supervisor's approval. The search itself is the flow's and is
 * audited there. */
#include "config.h"
#include "screens/accounts.h"
#include "screens/ui.h"
#include "db/ledger.h"
#include "flow/issue.h"
#include "flow/payment.h"
#include "flow/report.h"
#include "flow/search.h"
#include "model/catalog.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUERY_MAX_PAYMENTS 32

struct query_view {
	struct gt_ctx *ctx;
	struct ui_lines lines;
	long long standing[QUERY_MAX_PAYMENTS];  /* payments not reversed */
	char labels[QUERY_MAX_PAYMENTS][200];
	size_t nstanding;
};

static const char *query_status(const char *s)
{
	if (strcmp(s, "submitted") == 0)
		return _("submitted");
	if (strcmp(s, "cancelled") == 0)
		return _("cancelled");
	return _("draft");
}

static int query_payment_line(void *arg, const struct ledger_payment *p)
{
	struct query_view *v = arg;
	char amount[32], when[32];
	time_t t = (time_t)p->at;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	catalog_format_fen((long)p->amount_fen, amount, sizeof(amount));
	if (strcmp(p->kind, "payment") == 0) {
		char account[48];

		ui_lines_add(&v->lines, 0, _("  #%lld %s %s %s CNY %s, %s%s"), p->id, when,
			     payment_method_label(p->method), amount,
			     p->reference[0] ? p->reference : "", p->operator_name,
			     p->reversed_by ? _(" (reversed)") : "");
		payment_account_shown(v->ctx, p, account, sizeof(account));
		if (account[0] != '\0')
			ui_lines_add(&v->lines, 0, _("      payer's account %s"), account);
		if (p->reversed_by == 0 && v->nstanding < QUERY_MAX_PAYMENTS) {
			snprintf(v->labels[v->nstanding], sizeof(v->labels[0]), "#%lld %s %s %s",
				 p->id, when, payment_method_label(p->method), amount);
			v->standing[v->nstanding++] = p->id;
		}
	} else {
		ui_lines_add(&v->lines, COLOR_PAIR(UI_C_WARN),
			     strcmp(p->kind, "void") == 0
			     ? _("  #%lld %s void of #%lld: %s CNY, %s, approved by %s: %s")
			     : _("  #%lld %s refund of #%lld: %s CNY, %s, approved by %s: %s"),
			     p->id, when, p->original, amount, p->operator_name, p->approved_by,
			     p->reason);
	}
	return 0;
}

static int query_build(struct gt_ctx *ctx, const char *app_no, struct query_view *v,
			struct gt_err *err)
{
	static const enum app_field shown[] = {
		AF_SERVICE, AF_ORG_NAME, AF_ORG_ID_NUMBER, AF_ORG_ID_OVERRIDE_BY, AF_REP_NAME,
		AF_REP_ID_NUMBER, AF_HDL_NAME, AF_HDL_ID_NUMBER, AF_HDL_MOBILE, AF_HDL_EMAIL,
		AF_INV_ELECTRONIC, AF_INV_TITLE, AF_INV_TAX_NUMBER, AF_PAY_METHOD, AF_PAY_ACCOUNT,
	};
	struct application *app = calloc(1, sizeof(*app));
	char value[APP_VALUE_MAX];
	int rc = -1;

	ui_lines_clear(&v->lines);
	v->ctx = ctx;
	v->nstanding = 0;
	if (app == NULL)
		return err_set(err, _("out of memory"));
	if (issue_load(ctx, app_no, app, err) != 0)
		goto out;
	ui_lines_add(&v->lines, A_BOLD, "%s  %s", app->app_no,
		     query_status(app->status == APP_SUBMITTED ? "submitted" :
				   app->status == APP_CANCELLED ? "cancelled" : "draft"));
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		const char *label;

		if (app_get(app, shown[i])[0] == '\0')
			continue;
		label = app_choice_label(shown[i], app_get(app, shown[i]));
		if (label != NULL)
			str_copy(value, sizeof(value), _(label));
		else
			app_display_value(app, shown[i], value, sizeof(value), 0);
		ui_lines_add(&v->lines, 0, "  %s: %s", _(app_fields[shown[i]].label), value);
	}
	ui_lines_add(&v->lines, 0, "%s", "");
	ui_lines_add(&v->lines, A_BOLD, "%s", _("Payments"));
	if (ledger_each(ctx->store, app_no, 0, query_payment_line, v, err) != 0)
		goto out;
	rc = 0;
out:
	str_wipe(value, sizeof(value));
	app_clear(app);
	free(app);
	return rc;
}

/* One application: -1 quit requested, else 0. */
static int query_show(struct gt_ctx *ctx, const char *app_no)
{
	struct query_view *v = calloc(1, sizeof(*v));
	struct gt_err err;
	char msg[600] = "";
	int top = 0, color = UI_C_OK, rc = 0;

	if (v == NULL)
		return 0;
	if (query_build(ctx, app_no, v, &err) != 0) {
		ui_alert(ctx, _("Look up applications"), err.msg);
		goto out;
	}
	for (;;) {
		struct ui_key k;

		ui_frame(ctx, _("Look up applications"), app_no,
			 _("↑↓ scroll  F7 void  F8 refund  F1 help  Esc back"));
		ui_lines_draw(&v->lines, top);
		ui_message(msg, color);
		refresh();
		k = ui_getkey(ctx);
		if (k.is_key && k.ch == UI_KEY_TICK)
			continue;
		msg[0] = '\0';
		if (ui_key_is_exit(k)) {
			rc = k.ch == UI_KEY_IDLE ? 0 : -1;
			break;
		}
		if (!k.is_key && k.ch == 27)
			break;
		if (ui_lines_scroll(&v->lines, &top, k.is_key, k.ch))
			continue;
		if (k.is_key && k.ch == KEY_F(1)) {
			ui_help(ctx, _("Help: look-up"),
				_("The application with its personal numbers masked, and its "
				  "payments. F7 voids a payment of today, F8 refunds one of any "
				  "day; a supervisor approves either at this terminal."));
		} else if (k.is_key && (k.ch == KEY_F(7) || k.ch == KEY_F(8))) {
			int refund = k.ch == KEY_F(8), chosen = 0, done;
			const char *names[QUERY_MAX_PAYMENTS];

			if (v->nstanding == 0) {
				str_copy(msg, sizeof(msg), _("No payment of this application can be "
							     "voided or refunded."));
				color = UI_C_WARN;
				continue;
			}
			for (size_t i = 0; i < v->nstanding; i++)
				names[i] = v->labels[i];
			if (v->nstanding > 1)
				chosen = ui_choose(ctx, refund ? _("Refund a payment") : _("Void a payment"),
						   names, v->nstanding, 0);
			if (chosen < 0)
				continue;
			done = ui_reverse_payment(ctx, v->standing[chosen], refund, msg, sizeof(msg));
			if (done < 0) {
				rc = -1;
				break;
			}
			color = done == 1 ? UI_C_OK : UI_C_ERROR;
			if (done == 1 && query_build(ctx, app_no, v, &err) != 0)
				str_copy(msg, sizeof(msg), err.msg);
		}
	}
out:
	ui_lines_free(&v->lines);
	free(v);
	return rc;
}

int ui_lookup(struct gt_ctx *ctx)
{
	struct search_hit *hits = calloc(SEARCH_MAX_HITS, sizeof(*hits));
	char (*labels)[300] = calloc(SEARCH_MAX_HITS, sizeof(*labels));
	const char *names[SEARCH_MAX_HITS];
	char query[200];
	struct gt_err err;
	int rc = 0;

	if (hits == NULL || labels == NULL)
		goto out;
	for (;;) {
		size_t n = 0;
		int chosen;

		ui_frame(ctx, _("Look up applications"), NULL, _("Enter search  Esc menu"));
		ui_clear_body();
		refresh();
		if (ui_prompt(ctx, _("Look up applications"),
			      _("Application number, USCC, organisation name (or its start), ID "
				"number or mobile:"), query, sizeof(query), 0) != 1 ||
		    query[0] == '\0')
			break;
		if (search_run(ctx, query, SEARCH_AUTO, hits, SEARCH_MAX_HITS, &n, &err) != 0) {
			ui_alert(ctx, _("Look up applications"), err.msg);
			continue;
		}
		if (n == 0) {
			ui_alert(ctx, _("Look up applications"), _("No application found."));
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			snprintf(labels[i], sizeof(labels[0]), "%s  %s  %s %s  %s",
				 hits[i].app.app_no,
				 hits[i].app.org_name[0] ? hits[i].app.org_name : "-",
				 hits[i].handler_name[0] ? hits[i].handler_name : "-",
				 hits[i].handler_id[0] ? hits[i].handler_id : "",
				 hits[i].mobile);
			names[i] = labels[i];
		}
		chosen = n == 1 ? 0 : ui_choose(ctx, _("Applications found"), names, n, 0);
		if (chosen < 0)
			continue;
		if (query_show(ctx, hits[chosen].app.app_no) < 0) {
			rc = -1;
			break;
		}
	}
out:
	if (hits != NULL)
		str_wipe(hits, SEARCH_MAX_HITS * sizeof(*hits));
	free(hits);
	free(labels);
	return rc;
}
