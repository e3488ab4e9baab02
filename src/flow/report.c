/* The daily settlement; see report.h. The database does the summing (a few
 * GROUP BY queries over the day's index); this file arranges the sums per
 * operator, per terminal and for the day, formats them, and closes days. */
#include "config.h"
#include "flow/report.h"
#include "db/audit.h"
#include "db/crypto.h"
#include "flow/payment.h"
#include "model/catalog.h"
#include "util/i18n.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Methods in the order the counter reads them. */
static int report_method_rank(const char *m)
{
	static const char *const order[] = { "cash", "card", "wechat", "alipay", "transfer" };

	for (int i = 0; i < 5; i++)
		if (strcmp(m, order[i]) == 0)
			return i;
	return 5;
}

static int report_cmp_method_rows(const void *a, const void *b)
{
	const struct report_method_row *x = a, *y = b;
	int c = strcmp(x->terminal, y->terminal);

	if (c == 0)
		c = strcmp(x->operator_name, y->operator_name);
	if (c == 0)
		c = report_method_rank(x->method) - report_method_rank(y->method);
	return c;
}

static int report_cmp_service_rows(const void *a, const void *b)
{
	const struct report_service_row *x = a, *y = b;
	int c = strcmp(x->terminal, y->terminal);

	if (c == 0)
		c = strcmp(x->operator_name, y->operator_name);
	if (c == 0)
		c = strcmp(x->service, y->service);
	return c;
}

/* qsort, but an empty day has no array at all (NULL), which qsort must
 * not be given. */
static void report_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* The row for (terminal, operator, method), added when new. */
static struct report_method_row *report_method_slot(struct report_method_row **rows, size_t *n,
						    const char *terminal, const char *op,
						    const char *method)
{
	struct report_method_row *r;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*rows)[i].terminal, terminal) == 0 &&
		    strcmp((*rows)[i].operator_name, op) == 0 && strcmp((*rows)[i].method, method) == 0)
			return &(*rows)[i];
	r = realloc(*rows, (*n + 1) * sizeof(**rows));
	if (r == NULL)
		return NULL;
	*rows = r;
	r = &r[(*n)++];
	memset(r, 0, sizeof(*r));
	str_copy(r->terminal, sizeof(r->terminal), terminal);
	str_copy(r->operator_name, sizeof(r->operator_name), op);
	str_copy(r->method, sizeof(r->method), method);
	return r;
}

static struct report_service_row *report_service_slot(struct report_service_row **rows,
						      size_t *n, const char *terminal,
						      const char *op, const char *service)
{
	struct report_service_row *r;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*rows)[i].terminal, terminal) == 0 &&
		    strcmp((*rows)[i].operator_name, op) == 0 &&
		    strcmp((*rows)[i].service, service) == 0)
			return &(*rows)[i];
	r = realloc(*rows, (*n + 1) * sizeof(**rows));
	if (r == NULL)
		return NULL;
	*rows = r;
	r = &r[(*n)++];
	memset(r, 0, sizeof(*r));
	str_copy(r->terminal, sizeof(r->terminal), terminal);
	str_copy(r->operator_name, sizeof(r->operator_name), op);
	str_copy(r->service, sizeof(r->service), service);
	return r;
}

static void report_money_add(struct report_money *m, const char *kind, long long count,
			     long long fen)
{
	if (strcmp(kind, "payment") == 0) {
		m->payments += count;
		m->payments_fen += fen;
	} else if (strcmp(kind, "void") == 0) {
		m->voids += count;
		m->voids_fen += fen;
	} else {
		m->refunds += count;
		m->refunds_fen += fen;
	}
	m->net_fen += fen;
}

struct report_build {
	struct report *r;
	int oom;
};

static int report_on_method(void *arg, const struct ledger_group *g)
{
	struct report_build *b = arg;
	struct report *r = b->r;
	struct report_method_row *slots[3];

	slots[0] = report_method_slot(&r->by_operator, &r->n_by_operator, g->terminal,
				      g->operator_name, g->key);
	slots[1] = report_method_slot(&r->by_terminal, &r->n_by_terminal, g->terminal, "", g->key);
	slots[2] = report_method_slot(&r->by_method, &r->n_by_method, "", "", g->key);
	for (int i = 0; i < 3; i++) {
		if (slots[i] == NULL) {
			b->oom = 1;
			return 1;
		}
		report_money_add(&slots[i]->m, g->kind, g->count, g->fen);
	}
	report_money_add(&r->total, g->kind, g->count, g->fen);
	return 0;
}

static int report_on_service(void *arg, const struct ledger_group *g)
{
	struct report_build *b = arg;
	struct report *r = b->r;
	struct report_service_row *s, *t;

	s = report_service_slot(&r->services, &r->n_services, g->terminal, g->operator_name, g->key);
	t = report_service_slot(&r->service_totals, &r->n_service_totals, "", "", g->key);
	if (s == NULL || t == NULL) {
		b->oom = 1;
		return 1;
	}
	s->count += g->count;
	s->fen += g->fen;
	t->count += g->count;
	t->fen += g->fen;
	return 0;
}

static int report_on_reversal(void *arg, const struct ledger_payment *p)
{
	struct report_build *b = arg;
	struct report *r = b->r;
	struct ledger_payment *v = realloc(r->reversals, (r->n_reversals + 1) * sizeof(*v));

	if (v == NULL) {
		b->oom = 1;
		return 1;
	}
	r->reversals = v;
	v[r->n_reversals++] = *p;
	return 0;
}

int report_daily(struct gt_ctx *ctx, int day, struct report *out, struct gt_err *err)
{
	struct report_build b = { out, 0 };
	long long net;
	int got;

	memset(out, 0, sizeof(*out));
	out->day = day;
	/* One read transaction: the parts of the report agree with each
	 * other even while another counter is taking payments. */
	if (ledger_read_begin(ctx->store, err) != 0)
		return -1;
	if (ledger_day_methods(ctx->store, day, report_on_method, &b, err) != 0 ||
	    ledger_day_services(ctx->store, day, report_on_service, &b, err) != 0 ||
	    ledger_day_reversals(ctx->store, day, report_on_reversal, &b, err) != 0 ||
	    ledger_day_digest(ctx->store, day, out->digest, &out->rows, &net, err) != 0 ||
	    (got = ledger_closing_get(ctx->store, day, &out->closing, err)) < 0)
		goto fail;
	if (b.oom) {
		err_set(err, _("out of memory"));
		goto fail;
	}
	ctx_rollback(ctx);
	/* Whose account a refund goes back to, masked: opened here, once,
	 * so no caller handles the sealed bytes. */
	if (out->n_reversals > 0) {
		out->reversal_accounts = calloc(out->n_reversals, sizeof(*out->reversal_accounts));
		if (out->reversal_accounts == NULL) {
			err_set(err, _("out of memory"));
			report_free(out);
			return -1;
		}
		for (size_t i = 0; i < out->n_reversals; i++)
			payment_account_shown(ctx, &out->reversals[i], out->reversal_accounts[i],
					      sizeof(out->reversal_accounts[i]));
	}
	out->closed = got == 0;
	out->digest_matches = out->closed &&
			      memcmp(out->digest, out->closing.digest, LEDGER_DIGEST_BYTES) == 0 &&
			      out->rows == out->closing.rows && net == out->closing.net_fen;
	report_sort(out->by_operator, out->n_by_operator, sizeof(*out->by_operator),
		    report_cmp_method_rows);
	report_sort(out->by_terminal, out->n_by_terminal, sizeof(*out->by_terminal),
		    report_cmp_method_rows);
	report_sort(out->by_method, out->n_by_method, sizeof(*out->by_method),
		    report_cmp_method_rows);
	report_sort(out->services, out->n_services, sizeof(*out->services),
		    report_cmp_service_rows);
	report_sort(out->service_totals, out->n_service_totals, sizeof(*out->service_totals),
		    report_cmp_service_rows);
	return 0;
fail:
	ctx_rollback(ctx);
	report_free(out);
	return -1;
}

void report_free(struct report *r)
{
	free(r->by_operator);
	free(r->by_terminal);
	free(r->by_method);
	free(r->services);
	free(r->service_totals);
	if (r->reversals != NULL)
		str_wipe(r->reversals, r->n_reversals * sizeof(*r->reversals));
	free(r->reversals);
	free(r->reversal_accounts);
	memset(r, 0, sizeof(*r));
}

int report_parse_day(const char *s)
{
	int y, m, d, n = 0;
	struct tm tm = { 0 };

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	/* Reject 2026-02-30: mktime would roll it over to March. */
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	if (mktime(&tm) == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != m - 1)
		return 0;
	return y * 10000 + m * 100 + d;
}

void report_day_text(int day, char *out, size_t size)
{
	snprintf(out, size, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
}

static const char *report_service_label(const char *service)
{
	const char *label = app_choice_label(AF_SERVICE, service);

	return label != NULL ? _(label) : service;
}

static void report_time_text(long long at, const char *fmt, char *out, size_t size)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, size, fmt, &tm);
}

/* Right-align s in `cols` terminal columns (CJK counts two). */
static void report_pad_right(char *out, size_t size, const char *s, int cols)
{
	int pad = cols - str_width(s);

	snprintf(out, size, "%*s%s", pad > 0 ? pad : 0, "", s);
}

/* The column titles over report_money_line's figures. */
static void report_money_header(char *out, size_t size)
{
	char c[4][64];

	report_pad_right(c[0], sizeof(c[0]), _("Paid"), 15);
	report_pad_right(c[1], sizeof(c[1]), _("Voided"), 15);
	report_pad_right(c[2], sizeof(c[2]), _("Refunded"), 15);
	report_pad_right(c[3], sizeof(c[3]), _("Net"), 11);
	snprintf(out, size, "%16s%s%s%s%s", "", c[0], c[1], c[2], c[3]);
}

/* "  Cash             2     700.00   1    -450.00   0       0.00     250.00":
 * count and amount paid, voided, refunded, and the net; fits 80 columns. */
static void report_money_line(const char *indent, const char *label, const struct report_money *m,
			      char *out, size_t size)
{
	char pay[32], vo[32], re[32], net[32];
	/* Indent and label share 16 columns, so every block lines up. */
	int pad = 16 - (int)strlen(indent) - str_width(label);

	catalog_format_fen((long)m->payments_fen, pay, sizeof(pay));
	catalog_format_fen((long)m->voids_fen, vo, sizeof(vo));
	catalog_format_fen((long)m->refunds_fen, re, sizeof(re));
	catalog_format_fen((long)m->net_fen, net, sizeof(net));
	snprintf(out, size, "%s%s%*s%4lld %10s%4lld %10s%4lld %10s%11s", indent, label,
		 pad > 0 ? pad : 0, "", m->payments, pay, m->voids, vo, m->refunds, re, net);
}

void report_format(const struct report *r,
		   void (*emit)(void *arg, enum report_line_kind kind, const char *line),
		   void *arg)
{
	char line[600], day[16], amount[32], when[32], hex[2 * LEDGER_DIGEST_BYTES + 1];
	const char *terminal = NULL, *op = NULL;

	report_day_text(r->day, day, sizeof(day));
	snprintf(line, sizeof(line), _("Daily settlement %s"), day);
	emit(arg, REPORT_TITLE, line);
	if (r->closed) {
		report_time_text(r->closing.closed_at, "%Y-%m-%d %H:%M", when, sizeof(when));
		snprintf(line, sizeof(line), _("Closed at %s by %s, approved by %s (terminal %s)."),
			 when, r->closing.closed_by, r->closing.approved_by, r->closing.terminal);
		emit(arg, REPORT_TEXT, line);
		crypto_hex(r->closing.audit_head, LEDGER_DIGEST_BYTES, hex);
		snprintf(line, sizeof(line), _("Audit chain head at closing: row %lld, %s"),
			 r->closing.audit_seq, hex);
		emit(arg, REPORT_TEXT, line);
		emit(arg, r->digest_matches ? REPORT_TEXT : REPORT_WARN,
		     r->digest_matches ? _("The day's payments are as they were at closing.")
				       : _("WARNING: the day's payments differ from what was closed."));
	} else {
		emit(arg, REPORT_TEXT, _("Open: not closed yet."));
	}
	catalog_format_fen((long)r->total.net_fen, amount, sizeof(amount));
	snprintf(line, sizeof(line), _("%lld payments, %lld voids, %lld refunds; net %s CNY"),
		 r->total.payments, r->total.voids, r->total.refunds, amount);
	emit(arg, REPORT_HEADING, line);
	if (r->rows == 0) {
		emit(arg, REPORT_TEXT, _("No payments on this day."));
		return;
	}
	emit(arg, REPORT_HEADING, _("By method"));
	report_money_header(line, sizeof(line));
	emit(arg, REPORT_TEXT, line);
	for (size_t i = 0; i < r->n_by_method; i++) {
		report_money_line("  ", payment_method_label(r->by_method[i].method),
				  &r->by_method[i].m, line, sizeof(line));
		emit(arg, REPORT_TEXT, line);
	}
	if (r->n_service_totals > 0)
		emit(arg, REPORT_HEADING, _("By service"));
	for (size_t i = 0; i < r->n_service_totals; i++) {
		catalog_format_fen((long)r->service_totals[i].fen, amount, sizeof(amount));
		snprintf(line, sizeof(line), _("  %s: %lld (%s CNY)"),
			 report_service_label(r->service_totals[i].service),
			 r->service_totals[i].count, amount);
		emit(arg, REPORT_TEXT, line);
	}
	for (size_t i = 0; i < r->n_by_operator; i++) {
		const struct report_method_row *row = &r->by_operator[i];

		if (terminal == NULL || strcmp(terminal, row->terminal) != 0) {
			terminal = row->terminal;
			op = NULL;
			snprintf(line, sizeof(line), _("Terminal %s"), terminal);
			emit(arg, REPORT_HEADING, line);
			report_money_header(line, sizeof(line));
			emit(arg, REPORT_TEXT, line);
			for (size_t j = 0; j < r->n_by_terminal; j++) {
				if (strcmp(r->by_terminal[j].terminal, terminal) != 0)
					continue;
				report_money_line("  ", payment_method_label(r->by_terminal[j].method),
						  &r->by_terminal[j].m, line, sizeof(line));
				emit(arg, REPORT_TEXT, line);
			}
		}
		if (op == NULL || strcmp(op, row->operator_name) != 0) {
			op = row->operator_name;
			snprintf(line, sizeof(line), _("  Operator %s"), op);
			emit(arg, REPORT_HEADING, line);
			for (size_t j = 0; j < r->n_services; j++) {
				const struct report_service_row *s = &r->services[j];

				if (strcmp(s->terminal, terminal) != 0 || strcmp(s->operator_name, op) != 0)
					continue;
				snprintf(line, sizeof(line), _("    %s: %lld"),
					 report_service_label(s->service), s->count);
				emit(arg, REPORT_TEXT, line);
			}
		}
		report_money_line("    ", payment_method_label(row->method), &row->m, line,
				  sizeof(line));
		emit(arg, REPORT_TEXT, line);
	}
	if (r->n_reversals > 0)
		emit(arg, REPORT_HEADING, _("Voids and refunds"));
	for (size_t i = 0; i < r->n_reversals; i++) {
		const struct ledger_payment *v = &r->reversals[i];
		char odate[16];

		catalog_format_fen((long)v->amount_fen, amount, sizeof(amount));
		report_time_text(v->at, "%H:%M", when, sizeof(when));
		report_day_text(v->original_day, odate, sizeof(odate));
		/* Two lines, so each fits 80 columns. */
		snprintf(line, sizeof(line),
			 strcmp(v->kind, "void") == 0 ? _("  #%lld %s void of #%lld (%s) %s %s %s")
						      : _("  #%lld %s refund of #%lld (%s) %s %s %s"),
			 v->id, when, v->original, odate, v->app_no, payment_method_label(v->method),
			 amount);
		emit(arg, REPORT_TEXT, line);
		snprintf(line, sizeof(line), _("      by %s, approved by %s: %s"), v->operator_name,
			 v->approved_by, v->reason);
		emit(arg, REPORT_TEXT, line);
		if (r->reversal_accounts != NULL && r->reversal_accounts[i][0] != '\0') {
			snprintf(line, sizeof(line), _("      payer's account %s"),
				 r->reversal_accounts[i]);
			emit(arg, REPORT_TEXT, line);
		}
	}
}

/* A CSV field: quoted when it holds a comma, quote or line break; a leading
 * =, +, - or @ gets a quote mark so a spreadsheet does not run it. */
static void report_csv_field(FILE *f, const char *s, int last)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		fputc('"', f);
	if (s[0] == '=' || s[0] == '+' || s[0] == '@' || (s[0] == '-' && !(s[1] >= '0' && s[1] <= '9')))
		fputc('\'', f);
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	if (quote)
		fputc('"', f);
	fputc(last ? '\n' : ',', f);
}

static void report_csv_money(FILE *f, const char *record, const char *day,
			     const struct report_method_row *row)
{
	char a[5][32];

	catalog_format_fen((long)row->m.payments_fen, a[0], sizeof(a[0]));
	catalog_format_fen((long)row->m.voids_fen, a[1], sizeof(a[1]));
	catalog_format_fen((long)row->m.refunds_fen, a[2], sizeof(a[2]));
	catalog_format_fen((long)row->m.net_fen, a[3], sizeof(a[3]));
	report_csv_field(f, record, 0);
	report_csv_field(f, day, 0);
	report_csv_field(f, row->terminal, 0);
	report_csv_field(f, row->operator_name, 0);
	report_csv_field(f, row->method, 0);
	fprintf(f, "%lld,%lld,%s,%lld,%lld,%s,%lld,%lld,%s,%lld,%s,", row->m.payments,
		row->m.payments_fen, a[0], row->m.voids, row->m.voids_fen, a[1], row->m.refunds,
		row->m.refunds_fen, a[2], row->m.net_fen, a[3]);
	report_csv_field(f, "", 1);
}

static int report_csv_write(const struct report *r, FILE *f)
{
	char day[16], amount[32], detail[1024], hex[2 * LEDGER_DIGEST_BYTES + 1];

	report_day_text(r->day, day, sizeof(day));
	fputs("record,day,terminal,operator,item,payments,payments_fen,payments_cny,voids,"
	      "voids_fen,voids_cny,refunds,refunds_fen,refunds_cny,net_fen,net_cny,detail\n", f);
	for (size_t i = 0; i < r->n_by_method; i++)
		report_csv_money(f, "day_method", day, &r->by_method[i]);
	for (size_t i = 0; i < r->n_by_terminal; i++)
		report_csv_money(f, "terminal_method", day, &r->by_terminal[i]);
	for (size_t i = 0; i < r->n_by_operator; i++)
		report_csv_money(f, "operator_method", day, &r->by_operator[i]);
	for (size_t i = 0; i < r->n_services; i++) {
		const struct report_service_row *s = &r->services[i];

		catalog_format_fen((long)s->fen, amount, sizeof(amount));
		report_csv_field(f, "operator_service", 0);
		report_csv_field(f, day, 0);
		report_csv_field(f, s->terminal, 0);
		report_csv_field(f, s->operator_name, 0);
		report_csv_field(f, s->service, 0);
		fprintf(f, "%lld,%lld,%s,,,,,,,%lld,%s,", s->count, s->fen, amount, s->fen, amount);
		report_csv_field(f, "", 1);
	}
	for (size_t i = 0; i < r->n_reversals; i++) {
		const struct ledger_payment *v = &r->reversals[i];
		int is_void = strcmp(v->kind, "void") == 0;
		char odate[16];

		catalog_format_fen((long)v->amount_fen, amount, sizeof(amount));
		report_day_text(v->original_day, odate, sizeof(odate));
		report_csv_field(f, v->kind, 0);
		report_csv_field(f, day, 0);
		report_csv_field(f, v->terminal, 0);
		report_csv_field(f, v->operator_name, 0);
		report_csv_field(f, v->method, 0);
		/* payments empty; then the void or the refund columns; net. */
		if (is_void)
			fprintf(f, ",,,1,%lld,%s,,,,%lld,%s,", v->amount_fen, amount, v->amount_fen,
				amount);
		else
			fprintf(f, ",,,,,,1,%lld,%s,%lld,%s,", v->amount_fen, amount, v->amount_fen,
				amount);
		snprintf(detail, sizeof(detail), "#%lld of payment #%lld of %s; %s; approved by %s; "
			 "%s%s%sreason: %s", v->id, v->original, odate, v->app_no, v->approved_by,
			 r->reversal_accounts && r->reversal_accounts[i][0] ? "account " : "",
			 r->reversal_accounts ? r->reversal_accounts[i] : "",
			 r->reversal_accounts && r->reversal_accounts[i][0] ? "; " : "", v->reason);
		report_csv_field(f, detail, 1);
	}
	catalog_format_fen((long)r->total.net_fen, amount, sizeof(amount));
	crypto_hex(r->digest, LEDGER_DIGEST_BYTES, hex);
	if (r->closed) {
		char head[2 * LEDGER_DIGEST_BYTES + 1], when[32];

		crypto_hex(r->closing.audit_head, LEDGER_DIGEST_BYTES, head);
		report_time_text(r->closing.closed_at, "%Y-%m-%d %H:%M:%S", when, sizeof(when));
		snprintf(detail, sizeof(detail), "closed %s by %s approved by %s; audit head %lld %s; "
			 "digest %s %s", when, r->closing.closed_by, r->closing.approved_by,
			 r->closing.audit_seq, head, hex,
			 r->digest_matches ? "matches closing" : "DIFFERS FROM CLOSING");
	} else {
		snprintf(detail, sizeof(detail), "open; digest %s", hex);
	}
	report_csv_field(f, "day_total", 0);
	report_csv_field(f, day, 0);
	fprintf(f, ",,,%lld,%lld,,%lld,%lld,,%lld,%lld,,%lld,%s,", r->total.payments,
		r->total.payments_fen, r->total.voids, r->total.voids_fen, r->total.refunds,
		r->total.refunds_fen, r->total.net_fen, amount);
	report_csv_field(f, detail, 1);
	return ferror(f) ? -1 : 0;
}

int report_csv(struct gt_ctx *ctx, const struct report *r, const char *path, struct gt_err *err)
{
	char day[16];
	FILE *f;
	int fd;

	report_day_text(r->day, day, sizeof(day));
	if (ctx_audit(ctx, "report.export", "", err, "daily settlement %s; %lld rows; file %.900s",
		      day, r->rows, path) != 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return err_set(err, _("%s: cannot write: %s"), path, strerror(errno));
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return err_set(err, _("%s: cannot write: %s"), path, strerror(errno));
	}
	if (report_csv_write(r, f) != 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		return err_set(err, _("%s: cannot write: %s"), path, strerror(errno));
	}
	if (fclose(f) != 0)
		return err_set(err, _("%s: cannot write: %s"), path, strerror(errno));
	return 0;
}

int report_close(struct gt_ctx *ctx, int day, const char *approved_by,
		 struct ledger_closing *out, struct gt_err *err)
{
	struct ledger_closing c;
	struct audit_head head;
	struct audit_ctx ac;
	char who[80], dtext[16], amount[32], hex[2 * LEDGER_DIGEST_BYTES + 1];
	int got;

	if (approved_by == NULL || approved_by[0] == '\0')
		return err_set(err, _("closing a day needs a supervisor's approval"));
	if (day <= 0 || day > ctx_today_ymd())
		return err_set(err, _("a day can be closed only once it has begun"));
	report_day_text(day, dtext, sizeof(dtext));
	memset(&c, 0, sizeof(c));
	if (ctx_begin(ctx, err) != 0)
		return -1;
	got = ledger_closing_get(ctx->store, day, NULL, err);
	if (got < 0)
		goto fail;
	if (got == 0) {
		err_set(err, _("%s is closed already"), dtext);
		goto fail;
	}
	if (ledger_day_digest(ctx->store, day, c.digest, &c.rows, &c.net_fen, err) != 0)
		goto fail;
	catalog_format_fen((long)c.net_fen, amount, sizeof(amount));
	crypto_hex(c.digest, LEDGER_DIGEST_BYTES, hex);
	/* The closing's own row first, then a keyed checkpoint at it: the
	 * head kept with the closing covers the closing itself. */
	ctx_audit_ctx(ctx, NULL, who, sizeof(who), &ac);
	if (ctx_audit(ctx, "settle.close", "", err, "day %s; %lld rows; net %s; digest %s; "
		      "approved by %s", dtext, c.rows, amount, hex, approved_by) != 0 ||
	    audit_checkpoint(ctx->store, &ac, &head, err) != 0)
		goto fail;
	c.day = day;
	c.closed_at = ctx_now();
	str_copy(c.closed_by, sizeof(c.closed_by), who);
	str_copy(c.approved_by, sizeof(c.approved_by), approved_by);
	str_copy(c.terminal, sizeof(c.terminal), ctx->cfg.terminal_id);
	c.audit_seq = head.seq;
	memcpy(c.audit_head, head.hash, LEDGER_DIGEST_BYTES);
	if (ledger_closing_insert(ctx->store, &c, err) != 0)
		goto fail;
	if (ctx_commit(ctx, err) != 0)
		return -1;
	if (out != NULL)
		*out = c;
	return 0;
fail:
	ctx_rollback(ctx);
	return -1;
}
