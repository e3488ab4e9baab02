/* The daily settlement's values and rows; see settledoc.h. The rows carry
 * raw codes (cash, void, new) that the template maps to its wording, and
 * amounts already formatted in yuan; the template decides the layout. */
#include "config.h"
#include "flow/settledoc.h"
#include "db/audit.h"
#include "db/crypto.h"
#include "model/catalog.h"
#include "util/i18n.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SETTLEDOC_PREFIX "SETTLE-"

void settledoc_subject(int day, char *out, size_t size)
{
	snprintf(out, size, SETTLEDOC_PREFIX "%08d", day);
}

int settledoc_subject_day(const char *subject)
{
	size_t n = strlen(SETTLEDOC_PREFIX);

	if (strncmp(subject, SETTLEDOC_PREFIX, n) != 0 || strlen(subject) != n + 8 ||
	    !str_is_digits(subject + n, 8))
		return 0;
	return atoi(subject + n);
}

static const char *const settledoc_keys[] = {
	"report.no", "report.day", "report.state", "report.closed_at", "report.closed_by",
	"report.approved_by", "report.closing_terminal", "report.audit_seq", "report.audit_head",
	"report.digest", "report.check", "report.rows", "report.payments", "report.paid",
	"report.voids", "report.voided", "report.refunds", "report.refunded", "report.net",
	"terminal", "site", "operator", "printed_at", "document", "page", "pages", "copy",
	/* row values */
	"row.terminal", "row.operator", "row.method", "row.paid_n", "row.paid", "row.void_n",
	"row.void", "row.refund_n", "row.refund", "row.net", "row.service", "row.count",
	"row.amount", "row.id", "row.time", "row.kind", "row.original", "row.original_day",
	"row.app_no", "row.approver", "row.reason", "row.account",
};

int settledoc_key_ok(const char *key)
{
	for (size_t i = 0; i < sizeof(settledoc_keys) / sizeof(settledoc_keys[0]); i++)
		if (strcmp(key, settledoc_keys[i]) == 0)
			return 1;
	return 0;
}

static void settledoc_time(long long at, const char *fmt, char *out, size_t size)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, size, fmt, &tm);
}

static int settledoc_set_fen(struct print_values *pv, const char *key, long long fen)
{
	char amount[32];

	catalog_format_fen((long)fen, amount, sizeof(amount));
	return pv_set(pv, key, amount);
}

static int settledoc_set_count(struct print_values *pv, const char *key, long long n)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", n);
	return pv_set(pv, key, s);
}

/* Row values: each set failing means out of memory. */
struct settledoc_out {
	struct print_rows *rows;
	int oom;
};

static void settledoc_row(struct settledoc_out *o, const char *style)
{
	if (prows_add(o->rows, style) != 0)
		o->oom = 1;
}

static void settledoc_put(struct settledoc_out *o, const char *key, const char *value)
{
	if (!o->oom && prows_set(o->rows, key, value) != 0)
		o->oom = 1;
}

static void settledoc_put_fen(struct settledoc_out *o, const char *key, long long fen)
{
	char amount[32];

	catalog_format_fen((long)fen, amount, sizeof(amount));
	settledoc_put(o, key, amount);
}

static void settledoc_put_n(struct settledoc_out *o, const char *key, long long n)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", n);
	settledoc_put(o, key, s);
}

static void settledoc_money(struct settledoc_out *o, const char *style, const char *method,
			    const struct report_money *m)
{
	settledoc_row(o, style);
	settledoc_put(o, "method", method);
	settledoc_put_n(o, "paid_n", m->payments);
	settledoc_put_fen(o, "paid", m->payments_fen);
	settledoc_put_n(o, "void_n", m->voids);
	settledoc_put_fen(o, "void", m->voids_fen);
	settledoc_put_n(o, "refund_n", m->refunds);
	settledoc_put_fen(o, "refund", m->refunds_fen);
	settledoc_put_fen(o, "net", m->net_fen);
}

static void settledoc_money_add(struct report_money *sum, const struct report_money *m)
{
	sum->payments += m->payments;
	sum->payments_fen += m->payments_fen;
	sum->voids += m->voids;
	sum->voids_fen += m->voids_fen;
	sum->refunds += m->refunds;
	sum->refunds_fen += m->refunds_fen;
	sum->net_fen += m->net_fen;
}

/* A table of methods: the rows of rs whose terminal and operator match
 * (NULL: any), then their total. */
static void settledoc_money_table(struct settledoc_out *o, const struct report_method_row *rs,
				  size_t n, const char *terminal, const char *op)
{
	struct report_money sum;

	memset(&sum, 0, sizeof(sum));
	settledoc_row(o, "money-head");
	for (size_t i = 0; i < n; i++) {
		if ((terminal != NULL && strcmp(rs[i].terminal, terminal) != 0) ||
		    (op != NULL && strcmp(rs[i].operator_name, op) != 0))
			continue;
		settledoc_money(o, "money", rs[i].method, &rs[i].m);
		settledoc_money_add(&sum, &rs[i].m);
	}
	settledoc_money(o, "money-total", "", &sum);
}

static void settledoc_service_table(struct settledoc_out *o, const struct report_service_row *ss,
				    size_t n, const char *terminal, const char *op)
{
	long long count = 0, fen = 0;
	int any = 0;

	for (size_t i = 0; i < n; i++) {
		if ((terminal != NULL && strcmp(ss[i].terminal, terminal) != 0) ||
		    (op != NULL && strcmp(ss[i].operator_name, op) != 0))
			continue;
		if (!any)
			settledoc_row(o, "service-head");
		any = 1;
		settledoc_row(o, "service");
		settledoc_put(o, "service", ss[i].service);
		settledoc_put_n(o, "count", ss[i].count);
		settledoc_put_fen(o, "amount", ss[i].fen);
		count += ss[i].count;
		fen += ss[i].fen;
	}
	if (any) {
		settledoc_row(o, "service-total");
		settledoc_put_n(o, "count", count);
		settledoc_put_fen(o, "amount", fen);
	}
}

static void settledoc_reversals(struct settledoc_out *o, const struct report *r)
{
	settledoc_row(o, "reversals-title");
	if (r->n_reversals == 0) {
		settledoc_row(o, "reversals-none");
		return;
	}
	settledoc_row(o, "reversal-head");
	for (size_t i = 0; i < r->n_reversals; i++) {
		const struct ledger_payment *v = &r->reversals[i];
		char s[64];

		settledoc_row(o, "reversal");
		settledoc_put_n(o, "id", v->id);
		settledoc_time(v->at, "%H:%M", s, sizeof(s));
		settledoc_put(o, "time", s);
		settledoc_put(o, "kind", v->kind);
		settledoc_put_n(o, "original", v->original);
		report_day_text(v->original_day, s, sizeof(s));
		settledoc_put(o, "original_day", s);
		settledoc_put(o, "app_no", v->app_no);
		settledoc_put(o, "method", v->method);
		settledoc_put_fen(o, "amount", v->amount_fen);
		settledoc_put(o, "operator", v->operator_name);
		settledoc_put(o, "approver", v->approved_by);
		/* The reason on a line of its own, with the account the
		 * money goes back to (masked). */
		settledoc_row(o, "reversal-detail");
		settledoc_put(o, "reason", v->reason);
		settledoc_put(o, "account", r->reversal_accounts != NULL ? r->reversal_accounts[i] : "");
	}
}

static int settledoc_rows(const struct report *r, struct print_rows *rows)
{
	struct settledoc_out o = { rows, 0 };

	if (r->rows == 0) {
		settledoc_row(&o, "empty");
		return o.oom ? -1 : 0;
	}
	settledoc_row(&o, "methods-title");
	settledoc_money_table(&o, r->by_method, r->n_by_method, NULL, NULL);
	settledoc_row(&o, "services-title");
	settledoc_service_table(&o, r->service_totals, r->n_service_totals, NULL, NULL);
	for (size_t i = 0; i < r->n_by_terminal; i++) {
		const char *terminal = r->by_terminal[i].terminal;

		/* by_terminal is sorted by terminal: one block per terminal. */
		if (i > 0 && strcmp(r->by_terminal[i - 1].terminal, terminal) == 0)
			continue;
		settledoc_row(&o, "terminal-title");
		settledoc_put(&o, "terminal", terminal);
		settledoc_money_table(&o, r->by_terminal, r->n_by_terminal, terminal, NULL);
		for (size_t j = 0; j < r->n_by_operator; j++) {
			const struct report_method_row *row = &r->by_operator[j];

			if (strcmp(row->terminal, terminal) != 0 ||
			    (j > 0 && strcmp(r->by_operator[j - 1].terminal, terminal) == 0 &&
			     strcmp(r->by_operator[j - 1].operator_name, row->operator_name) == 0))
				continue;
			settledoc_row(&o, "operator-title");
			settledoc_put(&o, "terminal", terminal);
			settledoc_put(&o, "operator", row->operator_name);
			settledoc_money_table(&o, r->by_operator, r->n_by_operator, terminal,
					      row->operator_name);
			settledoc_service_table(&o, r->services, r->n_services, terminal,
						row->operator_name);
		}
	}
	settledoc_reversals(&o, r);
	return o.oom ? -1 : 0;
}

int settledoc_fill(struct gt_ctx *ctx, const struct report *r, struct print_values *pv,
		   struct print_rows *rows, struct gt_err *err)
{
	char s[160], hex[2 * LEDGER_DIGEST_BYTES + 1], who[80];
	struct audit_ctx ac;
	int bad = 0;

	pv_init(pv);
	settledoc_subject(r->day, s, sizeof(s));
	bad |= pv_set(pv, "report.no", s);
	report_day_text(r->day, s, sizeof(s));
	bad |= pv_set(pv, "report.day", s);
	bad |= pv_set(pv, "report.state", r->closed ? "closed" : "open");
	crypto_hex(r->digest, LEDGER_DIGEST_BYTES, hex);
	bad |= pv_set(pv, "report.digest", hex);
	bad |= pv_set(pv, "report.check", !r->closed ? "" : r->digest_matches ? "matches" : "differs");
	if (r->closed) {
		settledoc_time(r->closing.closed_at, "%Y-%m-%d %H:%M:%S", s, sizeof(s));
		bad |= pv_set(pv, "report.closed_at", s);
		bad |= pv_set(pv, "report.closed_by", r->closing.closed_by);
		bad |= pv_set(pv, "report.approved_by", r->closing.approved_by);
		bad |= pv_set(pv, "report.closing_terminal", r->closing.terminal);
		bad |= settledoc_set_count(pv, "report.audit_seq", r->closing.audit_seq);
		crypto_hex(r->closing.audit_head, LEDGER_DIGEST_BYTES, hex);
		bad |= pv_set(pv, "report.audit_head", hex);
	}
	bad |= settledoc_set_count(pv, "report.rows", r->rows);
	bad |= settledoc_set_count(pv, "report.payments", r->total.payments);
	bad |= settledoc_set_fen(pv, "report.paid", r->total.payments_fen);
	bad |= settledoc_set_count(pv, "report.voids", r->total.voids);
	bad |= settledoc_set_fen(pv, "report.voided", r->total.voids_fen);
	bad |= settledoc_set_count(pv, "report.refunds", r->total.refunds);
	bad |= settledoc_set_fen(pv, "report.refunded", r->total.refunds_fen);
	bad |= settledoc_set_fen(pv, "report.net", r->total.net_fen);
	bad |= pv_set(pv, "terminal", ctx->cfg.terminal_id);
	bad |= pv_set(pv, "site", ctx->cfg.site_name);
	/* Who prints it: the operator logged in, else the system account. */
	ctx_audit_ctx(ctx, NULL, who, sizeof(who), &ac);
	bad |= pv_set(pv, "operator", who);
	bad |= pv_set(pv, "document", "settlement");
	settledoc_time(ctx_now(), "%Y-%m-%d %H:%M", s, sizeof(s));
	bad |= pv_set(pv, "printed_at", s);
	if (bad || settledoc_rows(r, rows) != 0)
		return err_set(err, _("out of memory"));
	return 0;
}
