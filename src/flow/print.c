/* Printing an application's documents; see print.h for the two halves of
 * a job. This file decides what goes on paper: the values from the
 * application (personal numbers masked unless a template asks for
 * {key:full}), the quote from the catalogue, the facts of the key when the
 * personalisation knows them (blank otherwise, never made up), who may
 * make a second copy, and the audit row for every state a job goes
 * through. */
#include "config.h"
#include "flow/print.h"
#include "db/prints.h"
#include "db/store.h"
#include "db/tokdb.h"
#include "flow/issue.h"
#include "flow/report.h"
#include "flow/settledoc.h"
#include "model/region.h"
#include "print/render.h"
#include "print/rows.h"
#include "print/tmpl.h"
#include "print/values.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PRINT_POLL_MS 200
#define PRINT_SERVER_RETRIES 5   /* polls that may fail before giving up (~1 s) */
#define PRINT_EVENTS 32

static const struct {
	const char *name;
	const char *title;
} print_docs[PRINT_DOCS] = {
	[PRINT_APP_FORM] = { "application-form", N_("Application form") },
	[PRINT_SEAL_SHEET] = { "seal-sheet", N_("Seal-impression sheet") },
	[PRINT_RECEIPT] = { "receipt", N_("Receipt") },
	[PRINT_HANDOVER] = { "handover", N_("Hand-over slip") },
	[PRINT_PIN_MAILER] = { "pin-mailer", N_("PIN mailer") },
	[PRINT_SETTLEMENT] = { "settlement", N_("Daily settlement") },
};

const char *print_doc_name(enum print_doc d)
{
	return d < PRINT_DOCS ? print_docs[d].name : "?";
}

const char *print_doc_title(enum print_doc d)
{
	return d < PRINT_DOCS ? print_docs[d].title : "?";
}

int print_doc_by_name(const char *name)
{
	for (int i = 0; i < PRINT_DOCS; i++)
		if (strcmp(print_docs[i].name, name) == 0)
			return i;
	return -1;
}

int print_doc_applies(const struct gt_ctx *ctx, const struct application *app, enum print_doc d)
{
	if (d == PRINT_SEAL_SHEET)
		return strcmp(app_get(app, AF_ESEAL), "yes") == 0;
	if (d == PRINT_PIN_MAILER)
		return ctx->cfg.token_random_pin;
	if (d == PRINT_SETTLEMENT)
		return 0;
	return d < PRINT_DOCS;
}

/* ---- values -------------------------------------------------------- */

/* Values the flow supplies beyond the application's own fields. */
static const char *const print_derived_keys[] = {
	"app.no", "app.created", "app.operator", "terminal", "site", "operator",
	"printed_at", "printed_y", "printed_m", "printed_d", "document",
	"organization.region", "auth.from_y", "auth.from_m", "auth.from_d",
	"quote.item1.name", "quote.item1.qty", "quote.item1.unit", "quote.item1.total",
	"quote.item2.name", "quote.item2.qty", "quote.item2.unit", "quote.item2.total",
	"quote.item3.name", "quote.item3.qty", "quote.item3.unit", "quote.item3.total",
	"quote.item4.name", "quote.item4.qty", "quote.item4.unit", "quote.item4.total",
	"quote.total", "quote.total_cn", "invoice.mobile", "invoice.email",
	"key.serial", "cert.serial", "cert.not_before", "cert.not_after", "pin",
	"page", "pages", "copy",
};

static int print_key_ok(const char *key)
{
	const char *dot = strchr(key, '.');

	for (size_t i = 0; i < sizeof(print_derived_keys) / sizeof(print_derived_keys[0]); i++)
		if (strcmp(key, print_derived_keys[i]) == 0)
			return 1;
	if (dot != NULL) {
		char section[32];
		size_t n = (size_t)(dot - key);

		if (n >= sizeof(section))
			return 0;
		memcpy(section, key, n);
		section[n] = '\0';
		return app_field_by_name(section, dot + 1) >= 0;
	}
	return 0;
}

/* A quote line's label (catalog.c's N_() text) as a stable code the
 * templates map to Chinese. */
static const char *print_item_code(const char *label)
{
	if (strcmp(label, "USB key") == 0)
		return "medium";
	if (strncmp(label, "Organisation certificate", 24) == 0)
		return "org";
	if (strncmp(label, "Personal certificate", 20) == 0)
		return "person";
	if (strncmp(label, "Electronic seal", 15) == 0)
		return "eseal";
	return label;
}

/* 450.00 -> 肆佰伍拾元整: the amount in capitals, as receipts in China
 * carry it so that a figure cannot be altered. Amounts below 10^12 yuan. */
static void print_amount_cn(long fen, char *out, size_t size)
{
	static const char *const digit[] = { "零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖" };
	static const char *const unit[] = { "", "拾", "佰", "仟" };
	static const char *const group[] = { "", "万", "亿" };
	long long yuan = fen / 100;
	int jiao = (int)(fen / 10 % 10), f = (int)(fen % 10);
	char digits[24];
	size_t at = 0;
	int zero = 0, group_nonzero = 0, nd;

#define PUT(s) do { int w_ = snprintf(out + at, size - at, "%s", (s)); \
		if (w_ > 0 && (size_t)w_ < size - at) at += (size_t)w_; } while (0)
	out[0] = '\0';
	if (fen < 0 || yuan >= 1000000000000LL)
		return;
	nd = snprintf(digits, sizeof(digits), "%lld", yuan);
	if (yuan > 0) {
		for (int i = 0; i < nd; i++) {
			int d = digits[i] - '0', p = nd - 1 - i;

			if (p % 4 == 3 || i == 0)
				group_nonzero = 0;
			if (d == 0) {
				zero = 1;
			} else {
				if (zero && at > 0)
					PUT("零");
				zero = 0;
				group_nonzero = 1;
				PUT(digit[d]);
				PUT(unit[p % 4]);
			}
			if (p % 4 == 0 && p > 0 && group_nonzero)
				PUT(group[p / 4]);
		}
		PUT("元");
	}
	if (jiao == 0 && f == 0) {
		PUT(yuan > 0 ? "整" : "零元整");
		return;
	}
	if (jiao > 0) {
		PUT(digit[jiao]);
		PUT("角");
	} else if (yuan > 0) {
		PUT("零");
	}
	if (f > 0) {
		PUT(digit[f]);
		PUT("分");
	} else {
		PUT("整");
	}
#undef PUT
}

static void print_time_parts(long long t, char *when, size_t size, char *y, char *m, char *d)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(when, size, "%Y-%m-%d %H:%M", &tm);
	snprintf(y, 16, "%04d", tm.tm_year + 1900);
	snprintf(m, 16, "%02d", tm.tm_mon + 1);
	snprintf(d, 16, "%02d", tm.tm_mday);
}

static void print_fill(struct gt_ctx *ctx, const struct application *app, enum print_doc d,
		       const struct print_facts *facts, const char *pin, struct print_values *pv)
{
	char key[PV_KEY_MAX], shown[APP_VALUE_MAX], when[32], y[16], m[16], dd[16];
	struct catalog_quote q;
	struct gt_err err;

	pv_init(pv);
	for (int f = 0; f < AF_COUNT; f++) {
		const struct app_field_def *def = &app_fields[f];
		const char *v = app_get(app, (enum app_field)f);

		snprintf(key, sizeof(key), "%s.%s", def->section, def->key);
		if (def->kind == AK_CATALOG && catalog_project(&ctx->catalog, v) != NULL)
			pv_set(pv, key, catalog_project(&ctx->catalog, v)->name);
		else if (def->kind == AK_REGION && v[0] != '\0' && region_find(ctx->regions, v) != NULL)
			pv_set(pv, key, region_find(ctx->regions, v)->name);
		else {
			app_display_value(app, (enum app_field)f, shown, sizeof(shown), 0);
			pv_set(pv, key, shown);
		}
		if (def->flags & AFF_PII) {
			snprintf(key, sizeof(key), "%s.%s:full", def->section, def->key);
			pv_set(pv, key, v);
		}
	}
	/* 广东省深圳市南山区, skipping a level that repeats its parent's name
	 * (municipalities). */
	{
		char region[3 * 64 + 1] = "", last[64] = "";
		const enum app_field lv[] = { AF_ORG_PROVINCE, AF_ORG_CITY, AF_ORG_COUNTY };

		for (size_t i = 0; i < 3; i++) {
			const struct region *r = region_find(ctx->regions, app_get(app, lv[i]));

			if (r == NULL || strcmp(r->name, last) == 0 || strcmp(r->name, "市辖区") == 0)
				continue;
			str_copy(last, sizeof(last), r->name);
			snprintf(region + strlen(region), sizeof(region) - strlen(region), "%s", r->name);
		}
		pv_set(pv, "organization.region", region);
	}
	pv_set(pv, "app.no", app->app_no);
	print_time_parts(app->created_at, when, sizeof(when), y, m, dd);
	pv_set(pv, "app.created", app->created_at > 0 ? when : "");
	pv_set(pv, "app.operator", app->operator_name);
	pv_set(pv, "terminal", ctx->cfg.terminal_id);
	pv_set(pv, "site", ctx->cfg.site_name);
	pv_set(pv, "operator", ctx->operator_name[0] ? ctx->operator_name : app->operator_name);
	pv_set(pv, "document", print_doc_name(d));
	print_time_parts(ctx_now(), when, sizeof(when), y, m, dd);
	pv_set(pv, "printed_at", when);
	pv_set(pv, "printed_y", y);
	pv_set(pv, "printed_m", m);
	pv_set(pv, "printed_d", dd);
	{
		const char *from = app_get(app, AF_AUTH_FROM);

		if (strlen(from) == 10) {
			char part[8];

			snprintf(part, sizeof(part), "%.4s", from);
			pv_set(pv, "auth.from_y", part);
			snprintf(part, sizeof(part), "%.2s", from + 5);
			pv_set(pv, "auth.from_m", part);
			snprintf(part, sizeof(part), "%.2s", from + 8);
			pv_set(pv, "auth.from_d", part);
		}
	}
	if (catalog_quote(&ctx->catalog, app, &q, &err) == 0) {
		char amount[32], cn[160];

		for (size_t i = 0; i < q.nitems && i < 4; i++) {
			char qty[16];

			snprintf(key, sizeof(key), "quote.item%zu.name", i + 1);
			pv_set(pv, key, print_item_code(q.items[i].label));
			snprintf(key, sizeof(key), "quote.item%zu.qty", i + 1);
			snprintf(qty, sizeof(qty), "%d", q.items[i].quantity);
			pv_set(pv, key, qty);
			snprintf(key, sizeof(key), "quote.item%zu.unit", i + 1);
			catalog_format_fen(q.items[i].unit_fen, amount, sizeof(amount));
			pv_set(pv, key, amount);
			snprintf(key, sizeof(key), "quote.item%zu.total", i + 1);
			catalog_format_fen(q.items[i].total_fen, amount, sizeof(amount));
			pv_set(pv, key, amount);
		}
		catalog_format_fen(q.total_fen, amount, sizeof(amount));
		pv_set(pv, "quote.total", amount);
		print_amount_cn(q.total_fen, cn, sizeof(cn));
		pv_set(pv, "quote.total_cn", cn);
	}
	/* Where the e-invoice goes: the handler's mobile (SMS) and e-mail,
	 * masked like every personal number on a receipt. */
	if (strcmp(app_get(app, AF_INV_ELECTRONIC), "yes") == 0) {
		app_display_value(app, AF_HDL_MOBILE, shown, sizeof(shown), 0);
		pv_set(pv, "invoice.mobile", shown);
		app_display_value(app, AF_HDL_EMAIL, shown, sizeof(shown), 0);
		pv_set(pv, "invoice.email", shown);
	}
	if (facts != NULL) {
		pv_set(pv, "key.serial", facts->key_serial);
		pv_set(pv, "cert.serial", facts->cert_serial);
		pv_set(pv, "cert.not_before", facts->cert_not_before);
		pv_set(pv, "cert.not_after", facts->cert_not_after);
	}
	if (pin != NULL && d == PRINT_PIN_MAILER)
		pv_set(pv, "pin", pin);
}

#define PRINT_FACTS_CERTS 8
#define PRINT_FACTS_ROWS 256

static void print_date(long long t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(out, size, "%Y-%m-%d", &tm);
}

/* What the key personalisation recorded (db/tokdb.h): the application's
 * valid certificate (the last one issued) and the serial of the key it
 * was written to. Anything not found stays empty: blank on paper. */
static void print_facts_lookup(struct gt_ctx *ctx, const char *app_no, struct print_facts *f)
{
	struct tokdb_cert *certs = calloc(PRINT_FACTS_CERTS, sizeof(*certs));
	struct tokdb_row *rows = calloc(PRINT_FACTS_ROWS, sizeof(*rows));
	struct gt_err err;
	size_t n;

	memset(f, 0, sizeof(*f));
	if (certs != NULL && tokdb_cert_by_app(ctx->store, app_no, certs, PRINT_FACTS_CERTS, &n,
					       &err) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(certs[i].status, "valid") != 0)
				continue;
			str_copy(f->cert_serial, sizeof(f->cert_serial), certs[i].serial);
			print_date(certs[i].not_before, f->cert_not_before, sizeof(f->cert_not_before));
			print_date(certs[i].not_after, f->cert_not_after, sizeof(f->cert_not_after));
		}
	}
	if (f->cert_serial[0] != '\0' && rows != NULL &&
	    tokdb_journal_list(ctx->store, app_no, rows, PRINT_FACTS_ROWS, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			if (rows[i].token_serial[0] != '\0')
				str_copy(f->key_serial, sizeof(f->key_serial), rows[i].token_serial);
	}
	free(certs);
	free(rows);
}

int print_check_templates(struct gt_ctx *ctx, const char *dir, struct gt_err *err)
{
	(void)ctx;
	for (int d = 0; d < PRINT_DOCS; d++) {
		struct tmpl *t;

		if (tmpl_load(dir, print_docs[d].name,
			      d == PRINT_SETTLEMENT ? settledoc_key_ok : print_key_ok, &t, err) != 0)
			return -1;
		tmpl_free(t);
	}
	return 0;
}

/* What one job prints: an application's document, or a day's settlement. */
struct print_source {
	enum print_doc d;
	char subject[APP_NO_MAX];            /* application number, or SETTLE-YYYYMMDD */
	const struct application *app;
	const struct print_facts *facts;
	const char *pin;
	const struct report *report;
};

static void print_source_app(struct print_source *src, const struct application *app,
			     enum print_doc d, const struct print_facts *facts, const char *pin)
{
	memset(src, 0, sizeof(*src));
	src->d = d;
	str_copy(src->subject, sizeof(src->subject), app->app_no);
	src->app = app;
	src->facts = facts;
	src->pin = pin;
}

static void print_source_report(struct print_source *src, const struct report *r)
{
	memset(src, 0, sizeof(*src));
	src->d = PRINT_SETTLEMENT;
	settledoc_subject(r->day, src->subject, sizeof(src->subject));
	src->report = r;
}

/* The settlement: its values, its rows, its template. */
static int print_render_report(struct gt_ctx *ctx, const struct report *r, int copy,
			       double margin, struct render_buf *buf, struct gt_err *err)
{
	struct print_values *pv = calloc(1, sizeof(*pv));
	struct render_opts opts = { .copy = copy, .printer_margin_mm = margin };
	struct print_rows rows;
	struct tmpl *t = NULL;
	char title[96], subject[32];
	int rc = -1;

	prows_init(&rows);
	if (pv == NULL)
		return err_set(err, _("out of memory"));
	if (tmpl_load(ctx->cfg.print_templates, print_docs[PRINT_SETTLEMENT].name,
		      settledoc_key_ok, &t, err) != 0 ||
	    settledoc_fill(ctx, r, pv, &rows, err) != 0)
		goto cleanup;
	settledoc_subject(r->day, subject, sizeof(subject));
	snprintf(title, sizeof(title), "%s %s", subject, print_docs[PRINT_SETTLEMENT].name);
	opts.title = title;
	opts.rows = &rows;
	rc = render_pdf(t, pv_lookup, pv, &opts, buf, err);
cleanup:
	tmpl_free(t);
	prows_free(&rows);
	pv_wipe(pv);
	free(pv);
	return rc;
}

/* Fill and render one document into buf. */
static int print_render(struct gt_ctx *ctx, const struct application *app, enum print_doc d,
			const struct print_facts *facts, const char *pin, int copy, double margin,
			struct render_buf *buf, struct gt_err *err)
{
	struct print_values *pv = calloc(1, sizeof(*pv));
	struct render_opts opts = { .copy = copy, .printer_margin_mm = margin };
	struct print_facts found;
	struct tmpl *t = NULL;
	char title[96];
	int rc = -1;

	if (pv == NULL)
		return err_set(err, _("out of memory"));
	if (tmpl_load(ctx->cfg.print_templates, print_docs[d].name, print_key_ok, &t, err) != 0)
		goto cleanup;
	if (facts == NULL) {
		print_facts_lookup(ctx, app->app_no, &found);
		facts = &found;
	}
	print_fill(ctx, app, d, facts, pin, pv);
	snprintf(title, sizeof(title), "%s %s", app->app_no, print_docs[d].name);
	opts.title = title;
	rc = render_pdf(t, pv_lookup, pv, &opts, buf, err);
cleanup:
	tmpl_free(t);
	pv_wipe(pv);
	free(pv);
	return rc;
}

static int print_render_source(struct gt_ctx *ctx, const struct print_source *src, int copy,
			       double margin, struct render_buf *buf, struct gt_err *err)
{
	if (src->report != NULL)
		return print_render_report(ctx, src->report, copy, margin, buf, err);
	return print_render(ctx, src->app, src->d, src->facts, src->pin, copy, margin, buf, err);
}

int print_render_mem(struct gt_ctx *ctx, const struct application *app, enum print_doc d,
		     const struct print_facts *facts, unsigned char **pdf, size_t *len,
		     struct gt_err *err)
{
	struct render_buf buf = { 0 };

	*pdf = NULL;
	*len = 0;
	if (d >= PRINT_DOCS || d == PRINT_PIN_MAILER || d == PRINT_SETTLEMENT)
		return err_invalid(err, _("unknown document"));
	if (print_render(ctx, app, d, facts, NULL, 1, 0, &buf, err) != 0)
		return -1;
	*pdf = buf.data;
	*len = buf.len;
	return 0;
}

void print_pdf_free(unsigned char *pdf, size_t len)
{
	if (pdf != NULL) {
		str_wipe(pdf, len);
		free(pdf);
	}
}

/* ---- copies and permission ----------------------------------------- */

/* The job table exists from the first use on; the store it was made in
 * is remembered so later calls skip the CREATE. */
static int print_open(struct gt_ctx *ctx, struct gt_err *err)
{
	static const struct store *opened;

	if (opened == ctx->store)
		return 0;
	if (prints_open(ctx->store, err) != 0)
		return -1;
	opened = ctx->store;
	return 0;
}

/* Whose PIN a PIN mailer carries: every personalisation attempt sets the
 * key's PIN anew, so a mailer after a roll-back and a new personalisation
 * is a first copy, not a reprint; a second one for the same attempt is. */
static int print_pin_attempt(struct gt_ctx *ctx, const char *app_no, enum print_doc d,
			     int *attempt, struct gt_err *err)
{
	*attempt = 0;
	return d == PRINT_PIN_MAILER ? tokdb_journal_last_attempt(ctx->store, app_no, attempt, err)
				     : 0;
}

int print_next_copy(struct gt_ctx *ctx, const char *app_no, enum print_doc d, int *copy,
		    struct gt_err *err)
{
	int done, attempt;

	if (print_open(ctx, err) != 0 || print_pin_attempt(ctx, app_no, d, &attempt, err) != 0 ||
	    prints_done(ctx->store, app_no, print_docs[d].name, attempt, &done, err) != 0)
		return -1;
	*copy = done + 1;
	return 0;
}

int print_copy(struct gt_ctx *ctx, const char *app_no, enum print_doc d, int *copy,
	       struct gt_err *err)
{
	if (print_next_copy(ctx, app_no, d, copy, err) != 0)
		return -1;
	/* The settlement is the counter's own record, printed as often as
	 * the day is checked; each copy is counted and numbered. */
	if (*copy == 1 || d == PRINT_SETTLEMENT || strcmp(ctx->operator_role, "supervisor") == 0 ||
	    ctx->cfg.print_allow_reprint)
		return 0;
	return err_invalid(err, _("The %s of %s was already printed; a reprint needs a supervisor's "
			      "approval (guitai print ... --by SUPERVISOR, or [print] "
			      "allow_reprint = yes)."), _(print_docs[d].title), app_no);
}

/* The copy to make and, for a reprint, on whose authority; the authority
 * is audited before the copy is made. */
static int print_permit(struct gt_ctx *ctx, const char *app_no, enum print_doc d,
			const char *approved_by, int *copy, struct gt_err *err)
{
	if (approved_by != NULL && approved_by[0] != '\0') {
		if (print_next_copy(ctx, app_no, d, copy, err) != 0)
			return -1;
	} else if (print_copy(ctx, app_no, d, copy, err) != 0) {
		return -1;
	}
	if (*copy <= 1 || d == PRINT_SETTLEMENT)
		return 0;
	if (approved_by != NULL && approved_by[0] != '\0')
		return ctx_audit(ctx, "print.reprint", app_no, err,
				 "document=%s copy=%d by=approved:%s", print_docs[d].name, *copy,
				 approved_by);
	return ctx_audit(ctx, "print.reprint", app_no, err, "document=%s copy=%d by=%s",
			 print_docs[d].name, *copy,
			 strcmp(ctx->operator_role, "supervisor") == 0 ? "supervisor" : "config");
}

static int print_to_file_source(struct gt_ctx *ctx, const struct print_source *src,
				const char *path, const char *approved_by, int *copy,
				struct gt_err *err)
{
	const char *subject = src->subject;
	enum print_doc d = src->d;
	struct render_buf buf = { 0 };
	struct prints_row row;
	long long id;
	int rc = -1;

	if (d == PRINT_PIN_MAILER)
		return err_invalid(err, _("The PIN mailer goes to a printer only: its PIN must not be "
				      "kept in a file."));
	/* Refused before anything is rendered; audited below, with the copy. */
	if ((approved_by == NULL || approved_by[0] == '\0') &&
	    print_copy(ctx, subject, d, copy, err) != 0)
		return -1;
	if (print_next_copy(ctx, subject, d, copy, err) != 0)
		return -1;
	if (print_render_source(ctx, src, *copy, 0, &buf, err) != 0)
		return -1;
	memset(&row, 0, sizeof(row));
	str_copy(row.app_no, sizeof(row.app_no), subject);
	str_copy(row.document, sizeof(row.document), print_docs[d].name);
	row.copy = *copy;
	snprintf(row.dest, sizeof(row.dest), "file:%s", path);
	str_copy(row.state, sizeof(row.state), spool_state_name(SPOOL_COMPLETED));
	str_copy(row.operator_name, sizeof(row.operator_name), ctx->operator_name);
	row.created_at = ctx_now();
	/* The row, its audit and the file together: when the file cannot be
	 * written, neither the copy nor its audit row remain. */
	if (ctx_begin(ctx, err) != 0)
		goto cleanup;
	if (print_permit(ctx, subject, d, approved_by, &row.copy, err) != 0 ||
	    (row.copy != *copy &&
	     err_set(err, _("Another copy was printed meanwhile; print again.")) != 0) ||
	    prints_add(ctx->store, &row, &id, err) != 0 ||
	    ctx_audit(ctx, "print.file", subject, err, "document=%s copy=%d file=%s bytes=%zu",
		      print_docs[d].name, *copy, path, buf.len) != 0 ||
	    render_buf_write(&buf, path, err) != 0) {
		ctx_rollback(ctx);
		goto cleanup;
	}
	if (ctx_commit(ctx, err) != 0) {
		unlink(path);
		goto cleanup;
	}
	rc = 0;
cleanup:
	render_buf_free(&buf);
	return rc;
}

int print_to_file(struct gt_ctx *ctx, const struct application *app, enum print_doc d,
		  const struct print_facts *facts, const char *path, const char *approved_by,
		  int *copy, struct gt_err *err)
{
	struct print_source src;

	if (d >= PRINT_DOCS || d == PRINT_SETTLEMENT)
		return err_invalid(err, _("unknown document"));
	print_source_app(&src, app, d, facts, NULL);
	return print_to_file_source(ctx, &src, path, approved_by, copy, err);
}

int print_settlement_to_file(struct gt_ctx *ctx, const struct report *r, const char *path,
			     int *copy, struct gt_err *err)
{
	struct print_source src;

	print_source_report(&src, r);
	return print_to_file_source(ctx, &src, path, NULL, copy, err);
}

/* ---- jobs ----------------------------------------------------------- */

struct print_event {
	enum spool_state state;
	enum spool_fault fault;
	int cups_job;
	char msg[400];
};

struct print_job {
	pthread_t thread;
	int thread_started;
	pthread_mutex_t mu;
	int stop;                          /* under mu: the owner wants out */
	struct print_event events[PRINT_EVENTS];
	size_t nevents;                    /* under mu */
	/* the worker's own */
	struct spool_status st;
	struct render_buf pdf;
	char title[96];
	int follow_seconds;
	/* the caller's own */
	char app_no[APP_NO_MAX];
	struct print_job_info info;
};

/* Worker: queue an event; when the queue is full, the newest replaces the
 * last so the final state is never lost. */
static void print_push(struct print_job *job, enum spool_state state, enum spool_fault fault,
		       const char *msg)
{
	struct print_event *ev;

	pthread_mutex_lock(&job->mu);
	ev = &job->events[job->nevents < PRINT_EVENTS ? job->nevents++ : PRINT_EVENTS - 1];
	ev->state = state;
	ev->fault = fault;
	ev->cups_job = job->st.job_id;
	str_copy(ev->msg, sizeof(ev->msg), msg ? msg : "");
	pthread_mutex_unlock(&job->mu);
}

static int print_stopping(struct print_job *job)
{
	int stop;

	pthread_mutex_lock(&job->mu);
	stop = job->stop;
	pthread_mutex_unlock(&job->mu);
	return stop;
}

/* Give up on a job: cancel it at CUPS so it cannot print later by itself
 * (after the operator has sent it again), and say why. */
static void print_give_up(struct print_job *job, enum spool_fault fault, const char *why)
{
	char msg[400];

	spool_cancel(&job->st);
	snprintf(msg, sizeof(msg), "%s %s", why, _("The job was cancelled so that it cannot print twice."));
	print_push(job, SPOOL_FAILED, fault, msg);
}

static void *print_worker(void *arg)
{
	struct print_job *job = arg;
	enum spool_state last = SPOOL_NEW;
	enum spool_fault last_fault = SPOOL_OK;
	int failures = 0;
	struct timespec start, now;

	if (spool_submit(&job->st, job->title, job->pdf.data, job->pdf.len) != 0) {
		render_buf_free(&job->pdf);
		print_push(job, SPOOL_FAILED, job->st.fault, job->st.msg);
		return NULL;
	}
	/* Sent: the scheduler has its copy; ours (it may hold a PIN) goes. */
	render_buf_free(&job->pdf);
	print_push(job, SPOOL_PENDING, SPOOL_OK, "");
	last = SPOOL_PENDING;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct timespec ts = { 0, PRINT_POLL_MS * 1000000L };

		nanosleep(&ts, NULL);
		if (print_stopping(job))
			return NULL;
		if (spool_poll(&job->st) != 0) {
			/* A scheduler restarting or busy for a moment is not yet
			 * a failure; several misses in a row are. */
			if (job->st.fault == SPOOL_NO_SERVER && ++failures < PRINT_SERVER_RETRIES)
				continue;
			print_push(job, SPOOL_FAILED, job->st.fault, job->st.msg);
			return NULL;
		}
		failures = 0;
		if (job->st.fault == SPOOL_PRINTER_STOPPED) {
			print_give_up(job, SPOOL_PRINTER_STOPPED, job->st.msg);
			return NULL;
		}
		if (job->st.state != last || job->st.fault != last_fault) {
			last = job->st.state;
			last_fault = job->st.fault;
			print_push(job, job->st.state, job->st.fault,
				   job->st.state == SPOOL_ABORTED || job->st.state == SPOOL_CANCELLED
				   ? job->st.reasons : "");
		}
		if (spool_state_final(job->st.state))
			return NULL;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= job->follow_seconds) {
			char why[200];

			snprintf(why, sizeof(why), _("Job %d did not finish within %d seconds."),
				 job->st.job_id, job->follow_seconds);
			print_give_up(job, SPOOL_TIMEOUT, why);
			return NULL;
		}
	}
}

static const char *print_fault_name(enum spool_fault f)
{
	static const char *const names[] = {
		"", "no-server", "no-printer", "no-default", "printer-stopped", "rejecting",
		"send-failed", "job-lost", "timeout", "no-module",
	};

	return f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}

/* A destination found ready a moment ago is taken as ready: the
 * documents of an issuance go out back to back, and each look costs
 * several requests to a scheduler that is busy starting the previous job.
 * Only a good answer is kept, and briefly; if the printer stopped in
 * between, following the job finds out. */
#define PRINT_CHECK_TTL_MS 3000

static struct {
	char asked[128];
	struct spool_status st;
	double margin;
	struct timespec at;
	int valid;
} print_check_cache;

static int print_check(const char *printer, struct spool_status *st, double *margin)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (print_check_cache.valid && strcmp(print_check_cache.asked, printer) == 0 &&
	    (now.tv_sec - print_check_cache.at.tv_sec) * 1000 +
	    (now.tv_nsec - print_check_cache.at.tv_nsec) / 1000000 < PRINT_CHECK_TTL_MS) {
		*st = print_check_cache.st;
		*margin = print_check_cache.margin;
		return 0;
	}
	print_check_cache.valid = 0;
	if (spool_check(printer, st, margin) != 0)
		return -1;
	str_copy(print_check_cache.asked, sizeof(print_check_cache.asked), printer);
	print_check_cache.st = *st;
	print_check_cache.margin = *margin;
	print_check_cache.at = now;
	print_check_cache.valid = 1;
	return 0;
}

static int print_start_source(struct gt_ctx *ctx, const struct print_source *src,
			      const char *printer, const char *approved_by, struct print_job **out,
			      struct gt_err *err)
{
	const char *subject = src->subject;
	enum print_doc d = src->d;
	struct print_job *job;
	struct prints_row row;
	double margin = 0;
	int copy, checked;

	*out = NULL;
	/* Refused before anything is rendered; audited below, with the job. */
	if ((approved_by == NULL || approved_by[0] == '\0') &&
	    print_copy(ctx, subject, d, &copy, err) != 0)
		return -1;
	if (print_next_copy(ctx, subject, d, &copy, err) != 0)
		return -1;
	job = calloc(1, sizeof(*job));
	if (job == NULL)
		return err_set(err, _("out of memory"));
	pthread_mutex_init(&job->mu, NULL);
	str_copy(job->app_no, sizeof(job->app_no), subject);
	job->follow_seconds = ctx->cfg.print_follow_seconds;
	snprintf(job->title, sizeof(job->title), "%s %s", subject, print_docs[d].name);
	if (printer == NULL || printer[0] == '\0')
		printer = ctx->cfg.print_printer;
	checked = print_check(printer, &job->st, &margin);
	if (checked == 0 && print_render_source(ctx, src, copy, margin, &job->pdf, err) != 0) {
		print_job_free(job);
		return -1;
	}
	memset(&row, 0, sizeof(row));
	str_copy(row.app_no, sizeof(row.app_no), subject);
	str_copy(row.document, sizeof(row.document), print_docs[d].name);
	row.copy = copy;
	/* "" = the CUPS default, so a resend asks for the default again. */
	str_copy(row.dest, sizeof(row.dest), job->st.dest[0] ? job->st.dest : printer);
	str_copy(row.state, sizeof(row.state), spool_state_name(SPOOL_NEW));
	str_copy(row.operator_name, sizeof(row.operator_name), ctx->operator_name);
	row.created_at = ctx_now();
	if (print_pin_attempt(ctx, subject, d, &row.pin_attempt, err) != 0)
		goto fail;
	/* Fail closed: no row in the audit trail, no print. */
	if (ctx_begin(ctx, err) != 0)
		goto fail;
	if (print_permit(ctx, subject, d, approved_by, &row.copy, err) != 0 ||
	    (row.copy != copy &&
	     err_set(err, _("Another copy was printed meanwhile; print again.")) != 0) ||
	    prints_add(ctx->store, &row, &job->info.row_id, err) != 0 ||
	    ctx_audit(ctx, "print.submit", subject, err, "document=%s copy=%d dest=%s bytes=%zu",
		      print_docs[d].name, copy, row.dest, job->pdf.len) != 0) {
		ctx_rollback(ctx);
		goto fail;
	}
	if (ctx_commit(ctx, err) != 0)
		goto fail;
	job->info.doc = d;
	job->info.copy = copy;
	job->info.state = SPOOL_NEW;
	str_copy(job->info.dest, sizeof(job->info.dest), row.dest);
	if (checked != 0) {
		/* Not sent at all: the reason is the job's one and final state,
		 * and the screen offers to send it again. */
		print_push(job, SPOOL_FAILED, job->st.fault, job->st.msg);
	} else if (pthread_create(&job->thread, NULL, print_worker, job) != 0) {
		print_push(job, SPOOL_FAILED, SPOOL_SEND_FAILED, strerror(errno));
	} else {
		job->thread_started = 1;
	}
	*out = job;
	return 0;
fail:
	print_job_free(job);
	return -1;
}

int print_start(struct gt_ctx *ctx, const struct application *app, enum print_doc d,
		const struct print_facts *facts, const char *pin, const char *printer,
		const char *approved_by, struct print_job **out, struct gt_err *err)
{
	struct print_source src;

	*out = NULL;
	if (d >= PRINT_DOCS || d == PRINT_SETTLEMENT)
		return err_invalid(err, _("unknown document"));
	if (d == PRINT_PIN_MAILER && !ctx->cfg.token_random_pin)
		return err_invalid(err, _("PIN mailers are printed only when random PINs are "
				      "configured ([token] pin = random)."));
	if (d == PRINT_PIN_MAILER && (pin == NULL || pin[0] == '\0'))
		return err_invalid(err, _("The PIN mailer needs the PIN; it is not kept anywhere, so "
				      "it can be printed only while the key is being issued."));
	print_source_app(&src, app, d, facts, pin);
	return print_start_source(ctx, &src, printer, approved_by, out, err);
}

int print_settlement_start(struct gt_ctx *ctx, const struct report *r, const char *printer,
			   struct print_job **out, struct gt_err *err)
{
	struct print_source src;

	print_source_report(&src, r);
	return print_start_source(ctx, &src, printer, NULL, out, err);
}

int print_poll(struct gt_ctx *ctx, struct print_job *job, struct print_job_info *info)
{
	struct print_event ev[PRINT_EVENTS];
	struct gt_err berr;
	int began = 0;
	size_t n;

	pthread_mutex_lock(&job->mu);
	n = job->nevents;
	memcpy(ev, job->events, n * sizeof(ev[0]));
	job->nevents = 0;
	pthread_mutex_unlock(&job->mu);
	/* All the states seen since the last call in one transaction: one
	 * durable commit instead of two per state. */
	if (n > 0 && ctx_begin(ctx, &berr) != 0)
		log_msg("print: %s", berr.msg);
	else
		began = n > 0;
	for (size_t i = 0; i < n && !job->info.done; i++) {
		struct gt_err err;

		job->info.state = ev[i].state;
		job->info.fault = ev[i].fault;
		job->info.cups_job = ev[i].cups_job;
		str_copy(job->info.msg, sizeof(job->info.msg), ev[i].msg);
		job->info.done = spool_state_final(ev[i].state);
		if (prints_update(ctx->store, job->info.row_id, spool_state_name(ev[i].state),
				  ev[i].cups_job, ev[i].msg, ctx_now(), &err) != 0 ||
		    ctx_audit(ctx, "print.state", job->app_no, &err,
			      "document=%s copy=%d dest=%s job=%d state=%s%s%s",
			      print_docs[job->info.doc].name, job->info.copy, job->info.dest,
			      ev[i].cups_job, spool_state_name(ev[i].state),
			      ev[i].fault != SPOOL_OK ? " fault=" : "", print_fault_name(ev[i].fault)) != 0) {
			/* The paper is out of our hands already; say that the
			 * record of it could not be written. */
			log_msg("print: cannot record job state: %s", err.msg);
			snprintf(job->info.msg, sizeof(job->info.msg), _("Cannot record the job's state: %s"),
				 err.msg);
		}
		log_msg("print: %s %s copy %d job %d %s", job->app_no, print_docs[job->info.doc].name,
			job->info.copy, ev[i].cups_job, spool_state_name(ev[i].state));
	}
	if (began && ctx_commit(ctx, &berr) != 0) {
		log_msg("print: cannot record job state: %s", berr.msg);
		snprintf(job->info.msg, sizeof(job->info.msg), _("Cannot record the job's state: %s"),
			 berr.msg);
	}
	*info = job->info;
	return job->info.done;
}

void print_wait(struct gt_ctx *ctx, struct print_job *job, struct print_job_info *info,
		void (*progress)(void *arg, const struct print_job_info *info), void *arg)
{
	enum spool_state last = SPOOL_STATES;

	for (;;) {
		int done = print_poll(ctx, job, info);
		struct timespec ts = { 0, 50 * 1000000L };

		if (info->state != last && progress != NULL)
			progress(arg, info);
		last = info->state;
		if (done)
			return;
		nanosleep(&ts, NULL);
	}
}

void print_job_free(struct print_job *job)
{
	if (job == NULL)
		return;
	if (job->thread_started) {
		pthread_mutex_lock(&job->mu);
		job->stop = 1;
		pthread_mutex_unlock(&job->mu);
		pthread_join(job->thread, NULL);
	}
	render_buf_free(&job->pdf);
	pthread_mutex_destroy(&job->mu);
	str_wipe(job, sizeof(*job));
	free(job);
}

int print_resend(struct gt_ctx *ctx, long long row_id, const char *approved_by,
		 struct print_job **out, struct gt_err *err)
{
	struct application *app;
	struct prints_row row;
	int d, rc = -1;

	*out = NULL;
	if (print_open(ctx, err) != 0)
		return -1;
	rc = prints_get(ctx->store, row_id, &row, err);
	if (rc != 0)
		return rc < 0 ? -1 : err_invalid(err, _("no print job %lld"), row_id);
	d = print_doc_by_name(row.document);
	if (d < 0)
		return err_invalid(err, _("unknown document \"%s\""), row.document);
	if (strncmp(row.dest, "file:", 5) == 0)
		return err_invalid(err, _("That copy went to a file; print the document again instead."));
	if (d == PRINT_SETTLEMENT) {
		/* The day's report as it stands now: what the paper must say. */
		struct report r;
		int day = settledoc_subject_day(row.app_no);

		(void)approved_by;
		if (day == 0)
			return err_invalid(err, _("print job %lld names no day"), row_id);
		if (report_daily(ctx, day, &r, err) != 0)
			return -1;
		rc = print_settlement_start(ctx, &r, row.dest, out, err);
		report_free(&r);
		return rc;
	}
	app = calloc(1, sizeof(*app));
	if (app == NULL)
		return err_set(err, _("out of memory"));
	rc = -1;
	if (issue_load(ctx, row.app_no, app, err) == 0)
		rc = print_start(ctx, app, (enum print_doc)d, NULL, NULL, row.dest, approved_by, out,
				 err);
	app_clear(app);
	free(app);
	return rc;
}

int print_list(struct gt_ctx *ctx, const char *app_no, struct print_job_info *out, size_t max,
	       size_t *n, struct gt_err *err)
{
	struct prints_row *rows = calloc(max ? max : 1, sizeof(*rows));

	*n = 0;
	if (rows == NULL)
		return err_set(err, _("out of memory"));
	if (print_open(ctx, err) != 0 || prints_list(ctx->store, app_no, rows, max, n, err) != 0) {
		free(rows);
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		struct print_job_info *info = &out[i];
		int d = print_doc_by_name(rows[i].document);

		memset(info, 0, sizeof(*info));
		info->row_id = rows[i].id;
		info->doc = d < 0 ? PRINT_APP_FORM : (enum print_doc)d;
		info->copy = rows[i].copy;
		str_copy(info->dest, sizeof(info->dest), rows[i].dest);
		info->cups_job = rows[i].cups_job;
		info->state = spool_state_from_name(rows[i].state);
		str_copy(info->msg, sizeof(info->msg), rows[i].message);
		info->done = spool_state_final(info->state);
	}
	free(rows);
	return 0;
}

int print_ready(struct gt_ctx *ctx, const char *printer, struct gt_err *err)
{
	struct spool_status st;
	int stopped, rejecting;

	if (printer == NULL)
		printer = ctx->cfg.print_printer;
	if (spool_printer(printer, &st, &stopped, &rejecting) != 0)
		return err_set(err, "%s", st.fault == SPOOL_NO_MODULE ? st.msg
				   : st.fault == SPOOL_NO_SERVER ? _("no print server")
				   : st.fault == SPOOL_NO_DEFAULT ? _("no default printer")
				   : _("no such printer"));
	if (stopped)
		return err_set(err, _("printer %s is stopped"), st.dest);
	if (rejecting)
		return err_set(err, _("printer %s is not accepting jobs"), st.dest);
	return 0;
}

void print_printer_status(struct gt_ctx *ctx, char *out, size_t size)
{
	struct spool_status st;
	int stopped, rejecting;

	if (spool_printer(ctx->cfg.print_printer, &st, &stopped, &rejecting) != 0) {
		snprintf(out, size, "%s", st.fault == SPOOL_NO_MODULE ? _("printing unavailable")
				   : st.fault == SPOOL_NO_SERVER ? _("no print server")
				   : st.fault == SPOOL_NO_DEFAULT ? _("no default printer")
				   : _("no such printer"));
		return;
	}
	snprintf(out, size, "%s %s", st.dest, stopped ? _("stopped") : rejecting ? _("not accepting")
								    : _("ready"));
}
