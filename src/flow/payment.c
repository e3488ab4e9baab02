/* Payments; see payment.h. The checks here give the counter a sentence it
 * can act on ("the day is closed", "already voided"); the schema's
 * triggers enforce the same rules underneath, so a mistake here fails
 * instead of corrupting the ledger. */
#include "config.h"
#include "flow/payment.h"
#include "db/audit.h"
#include "db/crypto.h"
#include "db/lookup.h"
#include "db/store.h"
#include "model/catalog.h"
#include "model/val.h"
#include "util/i18n.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAYMENT_REASON_CHARS 100

int payment_day_of(long long at)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

const char *payment_method_label(const char *method)
{
	const char *label = app_choice_label(AF_PAY_METHOD, method);

	return label != NULL ? _(label) : method;
}

/* Who is handling the money: the logged-in operator, or the system
 * account of a command (as the audit trail names it). */
static void payment_who(struct gt_ctx *ctx, const char *operator_name, char *out, size_t size)
{
	struct audit_ctx ac;
	char who[80];

	ctx_audit_ctx(ctx, operator_name, who, sizeof(who), &ac);
	str_copy(out, size, who);
}

static int payment_role_ok(struct gt_ctx *ctx, struct gt_err *err)
{
	if (strcmp(ctx->operator_role, "auditor") == 0)
		return err_set(err, _("an auditor cannot take, void or refund payments"));
	return 0;
}

static int payment_day_open(struct gt_ctx *ctx, int day, struct gt_err *err)
{
	struct ledger_closing c;
	int rc = ledger_closing_get(ctx->store, day, &c, err);
	char when[32];
	time_t t;
	struct tm tm;

	if (rc < 0)
		return -1;
	if (rc == 1)
		return 0;
	t = (time_t)c.closed_at;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	return err_set(err, _("the day %04d-%02d-%02d was closed (settled) at %s by %s; no "
			      "payment can be recorded in it"), day / 10000, day / 100 % 100,
		       day % 100, when, c.approved_by);
}

/* The AAD of a payment's sealed account: it binds the value to its
 * application, so it cannot be moved to another's row unnoticed. */
static void payment_account_aad(const char *app_no, char *out, size_t size)
{
	snprintf(out, size, "payment-account:%s", app_no);
}

/* The payer's account for a method: required (and checked) for a card or
 * a transfer, refused for the others; *digits gets the normalised number
 * or "". */
static int payment_account_ok(const char *method, const char *account, char *digits,
			      size_t size, struct gt_err *err)
{
	int needed = strcmp(method, "card") == 0 || strcmp(method, "transfer") == 0;
	char msg[200];

	digits[0] = '\0';
	if (!needed) {
		if (account[0] != '\0')
			return err_set(err, _("a payer's account is taken for a card or bank transfer "
					      "payment only"));
		return 0;
	}
	if (account[0] == '\0')
		return err_set(err, _("%s needs the payer's card or account number"),
			       payment_method_label(method));
	if (val_bank_account(method, account, digits, size, msg, sizeof(msg)) != VAL_OK)
		return err_set(err, _("payer's account: %s"), msg);
	return 0;
}

static int payment_seal_account(struct gt_ctx *ctx, const char *digits, struct ledger_payment *p,
				struct gt_err *err)
{
	char aad[APP_NO_MAX + 32];

	p->account_len = 0;
	if (digits[0] == '\0')
		return 0;
	if (strlen(digits) + CRYPTO_SEAL_OVERHEAD > sizeof(p->account))
		return err_set(err, _("the payer's account is too long"));
	payment_account_aad(p->app_no, aad, sizeof(aad));
	return crypto_seal(&ctx->ring, aad, digits, strlen(digits), p->account, &p->account_len,
			   err);
}

/* The sealed account opened into digits (size: the sealed length and a
 * NUL, VAL_ACCOUNT_MAX + 1 + CRYPTO_SEAL_OVERHEAD for any of ours); 1 when
 * the row has none. */
static int payment_open_account(struct gt_ctx *ctx, const struct ledger_payment *p, char *digits,
				size_t size, struct gt_err *err)
{
	char aad[APP_NO_MAX + 32];
	size_t n = 0;

	digits[0] = '\0';
	if (p->account_len == 0)
		return 1;
	/* crypto_open writes up to account_len bytes; one more for the NUL. */
	if (p->account_len + 1 > size)
		return err_set(err, _("payment #%lld: the payer's account cannot be read"), p->id);
	payment_account_aad(p->app_no, aad, sizeof(aad));
	if (crypto_open(&ctx->ring, aad, p->account, p->account_len, digits, &n, err) != 0)
		return err_prefix(err, _("payment #%lld"), p->id);
	digits[n] = '\0';
	return 0;
}

void payment_account_shown(struct gt_ctx *ctx, const struct ledger_payment *p, char *out,
			   size_t size)
{
	char digits[VAL_ACCOUNT_MAX + 1 + CRYPTO_SEAL_OVERHEAD];
	struct gt_err err;
	int rc = payment_open_account(ctx, p, digits, sizeof(digits), &err);

	if (rc == 0)
		val_account_mask(digits, out, size);
	else
		/* Sealed under a key this counter lacks: say so, show nothing. */
		snprintf(out, size, "%s", rc == 1 ? "" : _("(sealed)"));
	str_wipe(digits, sizeof(digits));
}

struct payment_match {
	struct gt_ctx *ctx;
	const char *digits;
	int found;
};

static int payment_match_row(void *arg, const struct ledger_payment *p)
{
	struct payment_match *m = arg;
	char digits[VAL_ACCOUNT_MAX + 1 + CRYPTO_SEAL_OVERHEAD];
	struct gt_err err;

	if (payment_open_account(m->ctx, p, digits, sizeof(digits), &err) == 0 &&
	    strcmp(digits, m->digits) == 0)
		m->found = 1;
	str_wipe(digits, sizeof(digits));
	return m->found;
}

int payment_account_matches(struct gt_ctx *ctx, const char *app_no, const char *digits,
			    int *found, struct gt_err *err)
{
	struct payment_match m = { ctx, digits, 0 };

	*found = 0;
	if (ledger_each(ctx->store, app_no, 0, payment_match_row, &m, err) != 0)
		return -1;
	*found = m.found;
	return 0;
}

static int payment_reference_ok(const char *method, const char *reference, struct gt_err *err)
{
	if (app_choice_label(AF_PAY_METHOD, method) == NULL)
		return err_set(err, _("payment method must be cash, card, wechat, alipay or transfer"));
	if (strcmp(method, "cash") != 0 && reference[0] == '\0')
		return err_set(err, _("%s needs its transaction, POS or voucher number"),
			       payment_method_label(method));
	if (strlen(reference) >= LEDGER_REF_MAX || !str_utf8_valid(reference) ||
	    str_has_control(reference))
		return err_set(err, _("the payment reference must be at most %d characters of "
				      "plain text"), LEDGER_REF_MAX - 1);
	return 0;
}

/* Fill a payment row for app at its catalogue price; 1 when it costs nothing. */
static int payment_fill(struct gt_ctx *ctx, const struct application *app, const char *who,
			const char *method, const char *reference, const char *account,
			struct ledger_payment *p, struct gt_err *err)
{
	char digits[VAL_ACCOUNT_MAX + 1];
	struct catalog_quote q;
	int rc;

	if (catalog_quote(&ctx->catalog, app, &q, err) != 0)
		return err_prefix(err, _("no price for %s"), app->app_no);
	if (q.total_fen <= 0)
		return 1;
	if (payment_reference_ok(method, reference, err) != 0 ||
	    payment_account_ok(method, account, digits, sizeof(digits), err) != 0)
		return -1;
	memset(p, 0, sizeof(*p));
	str_copy(p->app_no, sizeof(p->app_no), app->app_no);
	str_copy(p->kind, sizeof(p->kind), "payment");
	str_copy(p->method, sizeof(p->method), method);
	p->amount_fen = q.total_fen;
	str_copy(p->reference, sizeof(p->reference), strcmp(method, "cash") == 0 ? "" : reference);
	str_copy(p->service, sizeof(p->service), app_get(app, AF_SERVICE));
	str_copy(p->invoice, sizeof(p->invoice),
		 strcmp(app_get(app, AF_INV_ELECTRONIC), "yes") == 0 ? "yes" : "no");
	str_copy(p->operator_name, sizeof(p->operator_name), who);
	str_copy(p->terminal, sizeof(p->terminal), ctx->cfg.terminal_id);
	p->at = ctx_now();
	p->day = payment_day_of(p->at);
	rc = payment_seal_account(ctx, digits, p, err);
	str_wipe(digits, sizeof(digits));
	return rc;
}

static int payment_insert_audited(struct gt_ctx *ctx, struct ledger_payment *p,
				  const char *operator_name, struct gt_err *err)
{
	char amount[32], shown[64];

	if (payment_day_open(ctx, p->day, err) != 0 || ledger_insert(ctx->store, p, err) != 0)
		return -1;
	catalog_format_fen((long)p->amount_fen, amount, sizeof(amount));
	/* The account masked, as everywhere it is shown. */
	payment_account_shown(ctx, p, shown, sizeof(shown));
	return ctx_audit_as(ctx, operator_name, "payment.take", p->app_no, err,
			    "payment #%lld; %s %s; reference %s; %s%s%sservice %s; e-invoice %s",
			    p->id, p->method, amount, p->reference[0] ? p->reference : "-",
			    shown[0] ? "account " : "", shown, shown[0] ? "; " : "", p->service,
			    p->invoice);
}

int payment_take(struct gt_ctx *ctx, const struct application *app, const char *operator_name,
		 long long *id, struct gt_err *err)
{
	struct ledger_payment p;
	char who[64];
	int rc;

	*id = 0;
	if (payment_role_ok(ctx, err) != 0)
		return -1;
	payment_who(ctx, operator_name, who, sizeof(who));
	rc = payment_fill(ctx, app, who, app_get(app, AF_PAY_METHOD),
			  app_get(app, AF_PAY_REFERENCE), app_get(app, AF_PAY_ACCOUNT), &p, err);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	if (payment_insert_audited(ctx, &p, operator_name, err) != 0)
		return -1;
	*id = p.id;
	return 0;
}

/* A later payment's account is found by `guitai search` as well. */
static int payment_index_account(struct gt_ctx *ctx, const struct ledger_payment *p,
				 struct gt_err *err)
{
	char digits[VAL_ACCOUNT_MAX + 1 + CRYPTO_SEAL_OVERHEAD], field[32];
	int rc = payment_open_account(ctx, p, digits, sizeof(digits), err);

	if (rc == 1)
		return 0;
	snprintf(field, sizeof(field), "payment:%lld", p->id);
	if (rc == 0)
		rc = lookup_index_value(ctx->store, &ctx->ring, p->app_no, field, "account", digits,
					err);
	str_wipe(digits, sizeof(digits));
	return rc;
}

int payment_take_again(struct gt_ctx *ctx, const char *app_no, const char *method,
		       const char *reference, const char *account, long long *id,
		       struct gt_err *err)
{
	struct application *app = calloc(1, sizeof(*app));
	struct ledger_payment p;
	long long net, rows;
	char who[64];
	int rc = -1, got;

	*id = 0;
	if (app == NULL)
		return err_set(err, _("out of memory"));
	if (payment_role_ok(ctx, err) != 0)
		goto out;
	got = store_app_load(ctx->store, &ctx->ring, app_no, app, err);
	if (got != 0) {
		if (got == 1)
			err_set(err, _("no application %s"), app_no);
		goto out;
	}
	if (app->status != APP_SUBMITTED) {
		err_set(err, _("application %s is not submitted; its payment is taken on submission"),
			app_no);
		goto out;
	}
	payment_who(ctx, NULL, who, sizeof(who));
	got = payment_fill(ctx, app, who, method, reference, account ? account : "", &p, err);
	if (got == 1) {
		err_set(err, _("application %s costs nothing"), app_no);
		goto out;
	}
	if (got != 0 || ctx_begin(ctx, err) != 0)
		goto out;
	/* Checked inside the transaction, so two counters cannot both take it. */
	if (ledger_app_net(ctx->store, app_no, &net, &rows, err) != 0 ||
	    (net != 0 && err_set(err, _("application %s is paid already; void or refund that "
					"payment first"), app_no)) ||
	    payment_insert_audited(ctx, &p, NULL, err) != 0 ||
	    payment_index_account(ctx, &p, err) != 0) {
		ctx_rollback(ctx);
		goto out;
	}
	if (ctx_commit(ctx, err) != 0)
		goto out;
	*id = p.id;
	rc = 0;
out:
	app_clear(app);
	free(app);
	return rc;
}

/* 0 it can; 1 it cannot (err says why); -1 error. orig is filled. */
static int payment_check_reversal(struct gt_ctx *ctx, long long id, enum payment_reversal how,
				  struct ledger_payment *orig, struct gt_err *err)
{
	int got = ledger_get(ctx->store, id, orig, err), today = payment_day_of(ctx_now());

	if (got < 0)
		return -1;
	if (got == 1) {
		err_set(err, _("no payment #%lld"), id);
		return 1;
	}
	if (strcmp(orig->kind, "payment") != 0) {
		err_set(err, _("#%lld is a %s, not a payment"), id, orig->kind);
		return 1;
	}
	if (orig->reversed_by != 0) {
		struct ledger_payment r;

		if (ledger_get(ctx->store, orig->reversed_by, &r, err) < 0)
			return -1;
		err_set(err, strcmp(r.kind, "void") == 0 ? _("payment #%lld was voided already (#%lld)")
							 : _("payment #%lld was refunded already (#%lld)"),
			id, orig->reversed_by);
		return 1;
	}
	if (how == PAYMENT_VOID && orig->day != today) {
		err_set(err, _("payment #%lld is from %04d-%02d-%02d: only a payment of today can be "
			       "voided; refund it instead"), id, orig->day / 10000,
			orig->day / 100 % 100, orig->day % 100);
		return 1;
	}
	got = payment_day_open(ctx, today, err);
	return got == 0 ? 0 : 1;
}

int payment_can_reverse(struct gt_ctx *ctx, long long id, enum payment_reversal how,
			struct gt_err *err)
{
	struct ledger_payment orig;

	return payment_check_reversal(ctx, id, how, &orig, err);
}

int payment_reverse(struct gt_ctx *ctx, long long id, enum payment_reversal how,
		    const char *reason, const char *approved_by, long long *new_id,
		    struct gt_err *err)
{
	struct ledger_payment orig, p;
	size_t chars = str_utf8_chars(reason);
	char amount[32], who[64];
	int got;

	*new_id = 0;
	if (payment_role_ok(ctx, err) != 0)
		return -1;
	if (approved_by == NULL || approved_by[0] == '\0')
		return err_set(err, _("a void or refund needs a supervisor's approval"));
	if (chars == 0 || chars > PAYMENT_REASON_CHARS || !str_utf8_valid(reason) ||
	    str_has_control(reason))
		return err_set(err, _("give the reason in 1 to %d characters of plain text"),
			       PAYMENT_REASON_CHARS);
	if (ctx_begin(ctx, err) != 0)
		return -1;
	got = payment_check_reversal(ctx, id, how, &orig, err);
	if (got != 0)
		goto fail;
	payment_who(ctx, NULL, who, sizeof(who));
	p = orig;
	p.id = 0;
	str_copy(p.kind, sizeof(p.kind), how == PAYMENT_VOID ? "void" : "refund");
	p.original = orig.id;
	p.amount_fen = -orig.amount_fen;
	str_copy(p.operator_name, sizeof(p.operator_name), who);
	str_copy(p.approved_by, sizeof(p.approved_by), approved_by);
	str_copy(p.reason, sizeof(p.reason), reason);
	str_copy(p.terminal, sizeof(p.terminal), ctx->cfg.terminal_id);
	p.at = ctx_now();
	p.day = payment_day_of(p.at);
	catalog_format_fen((long)orig.amount_fen, amount, sizeof(amount));
	/* The reason's length, not its text: free text typed at the counter
	 * may name people. The ledger keeps the text. */
	if (ledger_insert(ctx->store, &p, err) != 0 ||
	    ctx_audit(ctx, how == PAYMENT_VOID ? "payment.void" : "payment.refund", p.app_no, err,
		      "#%lld of payment #%lld; %s -%s; approved by %s; reason of %zu characters",
		      p.id, orig.id, p.method, amount, approved_by, chars) != 0)
		goto fail;
	if (ctx_commit(ctx, err) != 0)
		return -1;
	*new_id = p.id;
	return 0;
fail:
	ctx_rollback(ctx);
	return -1;
}
