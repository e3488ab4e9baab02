/* The new-issuance flow; see issue.h. Screens and the batch command both
 * come through here so a rule checked in one is checked in the other. */
#include "config.h"
#include "flow/issue.h"
#include "db/audit.h"
#include "db/store.h"
#include "flow/payment.h"
#include "model/val.h"
#include "util/i18n.h"
#include "util/ini.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const enum app_field issue_product_fields[] = {
	AF_SERVICE, AF_PROJECT, AF_CERT_TYPE, AF_TERM_YEARS, AF_ESEAL,
};
static const enum app_field issue_org_fields[] = {
	AF_ORG_NAME, AF_ORG_ID_TYPE, AF_ORG_ID_NUMBER, AF_ORG_PROVINCE, AF_ORG_CITY,
	AF_ORG_COUNTY, AF_ORG_ADDRESS, AF_ORG_POSTCODE, AF_ORG_PHONE,
};
static const enum app_field issue_people_fields[] = {
	AF_REP_NAME, AF_REP_ID_TYPE, AF_REP_ID_NUMBER,
	AF_HDL_NAME, AF_HDL_ID_TYPE, AF_HDL_ID_NUMBER, AF_HDL_MOBILE, AF_HDL_EMAIL,
	AF_HDL_POSITION, AF_AUTH_FROM,
};
static const enum app_field issue_payment_fields[] = {
	AF_INV_ELECTRONIC, AF_INV_TITLE, AF_INV_TAX_NUMBER, AF_PAY_METHOD, AF_PAY_REFERENCE,
	AF_PAY_ACCOUNT,
};

#define ISSUE_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct issue_step_def issue_steps[ISSUE_STEPS] = {
	[ISSUE_PRODUCT] = { N_("Service and product"),
		N_("Choose the application the certificate is for, the certificate type, "
		   "the term and whether an electronic seal is made. The price follows "
		   "from the catalogue."),
		issue_product_fields, ISSUE_N(issue_product_fields) },
	[ISSUE_ORG] = { N_("Organisation"),
		N_("Type the organisation's name and unified social credit code exactly as on "
		   "the business licence. Province, city and district are filled from the "
		   "code; change them from the lists with Enter. A code whose check "
		   "character fails can be accepted only with a reason."),
		issue_org_fields, ISSUE_N(issue_org_fields) },
	[ISSUE_PEOPLE] = { N_("Legal representative and handler"),
		N_("The legal representative as on the business licence, and the handler "
		   "who is at the counter with the original ID card. The handler's mobile "
		   "must be a real-name number: the PIN and the invoice are sent there."),
		issue_people_fields, ISSUE_N(issue_people_fields) },
	[ISSUE_PAYMENT] = { N_("Invoice and payment"),
		N_("Electronic invoice details (title and tax number default to the "
		   "organisation's) and how the customer pays. Every method but cash needs "
		   "the transaction, POS or voucher number; a bank card or a bank transfer "
		   "also the payer's card or account number (stored encrypted, shown "
		   "masked)."),
		issue_payment_fields, ISSUE_N(issue_payment_fields) },
	[ISSUE_REVIEW] = { N_("Review"),
		N_("Check everything with the customer. Personal numbers are shown masked. "
		   "Go back to correct a step; submit when all is right."),
		NULL, 0 },
};

const struct issue_step_def *issue_step(enum issue_step step)
{
	return &issue_steps[step];
}

/* True when the organisation's code fails its check character and is
 * accepted on the operator's reason (the override the trail must show). */
static int issue_uscc_overridden(const struct application *app)
{
	char norm[32], msg[200];

	if (app_get(app, AF_ORG_ID_OVERRIDE)[0] == '\0' ||
	    strcmp(app_get(app, AF_ORG_ID_TYPE), "org_code") == 0)
		return 0;
	return val_uscc(app_get(app, AF_ORG_ID_NUMBER), norm, sizeof(norm), msg,
			sizeof(msg)) == VAL_WARN;
}

/* What issue_store does besides saving. */
enum {
	ISSUE_STORE_PAYMENT = 1,   /* record the payment with the submission */
	ISSUE_STORE_NUMBER = 2,    /* a new application: take its number first */
};

/* Save the application at `step` and write its audit row in the same
 * transaction: the save happens with its row or not at all. Moving past
 * the organisation step with an overridden code adds the override's row
 * (the reason's length, not its text). A new application's number is
 * taken in that transaction too: one commit instead of two, and a save
 * that fails leaves no number used up. */
static int issue_store(struct gt_ctx *ctx, struct application *app, int step,
		       const char *operator_name, const char *action, const char *detail,
		       unsigned flags, struct gt_err *err)
{
	int prev_step = app->step;
	long long payment_id;

	app->step = step;
	app->updated_at = ctx_now();
	if (app->created_at == 0)
		app->created_at = app->updated_at;
	if (ctx_begin(ctx, err) != 0)
		goto fail;
	if (((flags & ISSUE_STORE_NUMBER) &&
	     store_next_app_no(ctx->store, ctx->cfg.terminal_id, ctx_today_ymd(), app->app_no,
			       sizeof(app->app_no), err) != 0) ||
	    store_app_save(ctx->store, &ctx->ring, app, ctx->cfg.terminal_id, err) != 0 ||
	    ctx_audit_as(ctx, operator_name, action, app->app_no, err, "%s", detail) != 0 ||
	    (prev_step <= ISSUE_ORG && step > ISSUE_ORG && issue_uscc_overridden(app) &&
	     ctx_audit_as(ctx, operator_name, "app.override_uscc", app->app_no, err,
			  "uscc %s; reason of %zu characters; approved by %s",
			  app_get(app, AF_ORG_ID_NUMBER),
			  str_utf8_chars(app_get(app, AF_ORG_ID_OVERRIDE)),
			  app_get(app, AF_ORG_ID_OVERRIDE_BY)) != 0) ||
	    /* The payment is recorded with the submission, in its transaction:
	     * an application is never submitted without its payment row. */
	    ((flags & ISSUE_STORE_PAYMENT) &&
	     payment_take(ctx, app, operator_name, &payment_id, err) != 0)) {
		ctx_rollback(ctx);
		goto fail;
	}
	if (ctx_commit(ctx, err) != 0)
		goto fail;
	return 0;
fail:
	/* Not saved: the step stays what the store holds, so the override
	 * is still seen as new on the next try. */
	app->step = prev_step;
	if (flags & ISSUE_STORE_NUMBER)
		app->app_no[0] = '\0';
	return -1;
}

int issue_begin(struct gt_ctx *ctx, struct application *app, struct gt_err *err)
{
	char detail[160];

	app_init(app);
	/* Auditors read the counter's records; they do not take applications. */
	if (strcmp(ctx->operator_role, "auditor") == 0)
		return err_set(err, _("an auditor cannot take applications"));
	if (ctx->catalog.nprojects > 0)
		app_set(app, AF_PROJECT, ctx->catalog.projects[0].key);
	str_copy(app->operator_name, sizeof(app->operator_name), ctx->operator_name);
	app->created_at = ctx_now();
	snprintf(detail, sizeof(detail), "service %s", app_get(app, AF_SERVICE));
	return issue_store(ctx, app, ISSUE_PRODUCT, NULL, "app.begin", detail, ISSUE_STORE_NUMBER,
			   err);
}

int issue_save(struct gt_ctx *ctx, struct application *app, int step, struct gt_err *err)
{
	char detail[32];

	snprintf(detail, sizeof(detail), "step %d", step + 1);
	return issue_store(ctx, app, step, NULL, "app.step", detail, 0, err);
}

int issue_check_step(struct gt_ctx *ctx, struct application *app, enum issue_step step,
		     struct check_list *out)
{
	const struct issue_step_def *def = &issue_steps[step];
	struct check_ctx cc;

	ctx_check_ctx(ctx, &cc);
	check_normalise(&cc, app);
	if (step == ISSUE_ORG)
		check_derive_region(&cc, app, 0);
	if (step >= ISSUE_PEOPLE)
		check_derive_defaults(&cc, app);
	if (step == ISSUE_REVIEW)
		return check_fields(&cc, app, NULL, 0, out);
	return check_fields(&cc, app, def->fields, def->nfields, out);
}

int issue_submit(struct gt_ctx *ctx, struct application *app, struct check_list *out,
		 struct gt_err *err)
{
	if (issue_check_step(ctx, app, ISSUE_REVIEW, out) != VAL_OK)
		return 1;
	app->status = APP_SUBMITTED;
	if (issue_store(ctx, app, ISSUE_REVIEW, NULL, "app.submit", "submitted",
			ISSUE_STORE_PAYMENT, err) != 0) {
		app->status = APP_DRAFT;
		return -1;
	}
	return 0;
}

int issue_cancel(struct gt_ctx *ctx, struct application *app, struct gt_err *err)
{
	enum app_status before = app->status;
	char detail[32];

	snprintf(detail, sizeof(detail), "at step %d", app->step + 1);
	app->status = APP_CANCELLED;
	if (issue_store(ctx, app, app->step, NULL, "app.cancel", detail, 0, err) != 0) {
		app->status = before;
		return -1;
	}
	return 0;
}

int issue_load(struct gt_ctx *ctx, const char *app_no, struct application *app,
	       struct gt_err *err)
{
	int rc = store_app_load(ctx->store, &ctx->ring, app_no, app, err);

	if (rc == 1)
		return err_set(err, _("no application %s"), app_no);
	return rc;
}

struct issue_batch_state {
	struct application *app;
	struct issue_batch_result *res;
	unsigned char seen[AF_COUNT];
};

static void issue_batch_add(struct issue_batch_result *res, const char *section,
			    const char *key, const char *msg)
{
	struct issue_batch_error *e;

	if (res->nerrors == ISSUE_N(res->errors))
		return;
	e = &res->errors[res->nerrors++];
	snprintf(e->where, sizeof(e->where), "%.30s.%.30s", section, key);
	str_copy(e->msg, sizeof(e->msg), msg);
}

static int issue_batch_pair(void *vctx, const char *section, const char *key,
			    const char *value, int line, struct gt_err *err)
{
	struct issue_batch_state *st = vctx;
	char msg[200];
	int f;

	(void)err;
	if (!app_section_known(section)) {
		snprintf(msg, sizeof(msg), _("line %d: unknown section [%s]"), line, section);
		issue_batch_add(st->res, section, key, msg);
		return 0;
	}
	f = app_field_by_name(section, key);
	if (f == AF_ORG_ID_OVERRIDE_BY) {
		/* An approval is a supervisor's password, not a line of text. */
		snprintf(msg, sizeof(msg), _("line %d: set by a supervisor's approval (--by), not "
					     "by the file"), line);
		issue_batch_add(st->res, section, key, msg);
		return 0;
	}
	if (f < 0) {
		snprintf(msg, sizeof(msg), _("line %d: unknown key"), line);
		issue_batch_add(st->res, section, key, msg);
		return 0;
	}
	if (st->seen[f]) {
		snprintf(msg, sizeof(msg), _("line %d: given twice"), line);
		issue_batch_add(st->res, section, key, msg);
		return 0;
	}
	st->seen[f] = 1;
	app_set(st->app, (enum app_field)f, value);
	return 0;
}

int issue_batch(struct gt_ctx *ctx, const char *path, const char *operator_name,
		struct issue_batch_result *res, struct gt_err *err)
{
	return issue_batch_approved(ctx, path, operator_name, NULL, res, err);
}

int issue_batch_approved(struct gt_ctx *ctx, const char *path, const char *operator_name,
			 const char *approved_by, struct issue_batch_result *res,
			 struct gt_err *err)
{
	struct issue_batch_state st = { 0 };
	struct application *app = calloc(1, sizeof(*app));
	struct check_list *issues = calloc(1, sizeof(*issues));
	struct check_ctx cc;
	struct gt_err perr;
	char *text = NULL;
	size_t len;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (app == NULL || issues == NULL) {
		err_set(err, _("out of memory"));
		goto out;
	}
	if (ini_read_file(path, 1 << 20, &text, &len, err) != 0)
		goto out;
	app_init(app);
	st.app = app;
	st.res = res;
	if (ini_parse(text, len, issue_batch_pair, &st, &perr) != 0) {
		/* A syntax error stops the parse: report it as the one problem. */
		issue_batch_add(res, "file", "syntax", perr.msg);
		rc = 1;
		goto out;
	}
	if (strcmp(app_get(app, AF_SERVICE), "new") != 0 &&
	    app_choice_label(AF_SERVICE, app_get(app, AF_SERVICE)) != NULL) {
		char msg[200];

		snprintf(msg, sizeof(msg), _("service \"%s\" is not available yet; only new"),
			 app_get(app, AF_SERVICE));
		issue_batch_add(res, "application", "service", msg);
	}
	if (approved_by != NULL && approved_by[0] != '\0' &&
	    app_get(app, AF_ORG_ID_OVERRIDE)[0] != '\0')
		app_set(app, AF_ORG_ID_OVERRIDE_BY, approved_by);
	ctx_check_ctx(ctx, &cc);
	check_normalise(&cc, app);
	check_derive_region(&cc, app, 0);
	check_derive_defaults(&cc, app);
	check_fields(&cc, app, NULL, 0, issues);
	for (size_t i = 0; i < issues->n; i++) {
		const struct check_issue *it = &issues->items[i];
		char msg[400];

		if (it->field == AF_ORG_ID_NUMBER && it->severity == VAL_WARN)
			snprintf(msg, sizeof(msg), _("%s (to accept it, give "
						     "organization.id_override_reason and a "
						     "supervisor's approval: --by SUPERVISOR)"),
				 it->msg);
		else
			str_copy(msg, sizeof(msg), it->msg);
		issue_batch_add(res, app_fields[it->field].section, app_fields[it->field].key, msg);
	}
	if (res->nerrors > 0) {
		rc = 1;
		goto out;
	}
	{
		/* Who the record names: the operator given, the one logged in,
		 * else the system account that runs the command. */
		struct audit_ctx ac;
		char who[80];

		ctx_audit_ctx(ctx, operator_name, who, sizeof(who), &ac);
		str_copy(app->operator_name, sizeof(app->operator_name), who);
	}
	app->status = APP_SUBMITTED;
	{
		char detail[1024];

		snprintf(detail, sizeof(detail), "file %.900s", path);
		if (issue_store(ctx, app, ISSUE_REVIEW, operator_name, "batch.stored", detail,
				ISSUE_STORE_NUMBER | ISSUE_STORE_PAYMENT, err) != 0)
			goto out;
	}
	str_copy(res->app_no, sizeof(res->app_no), app->app_no);
	rc = 0;
out:
	/* A refused file is recorded too; when even that cannot be written
	 * the refusal becomes a failure, so nobody takes it as recorded. */
	if (rc == 1 && ctx_audit_as(ctx, operator_name, "batch.refused", "", err,
				    "%zu problems; file %.900s", res->nerrors, path) != 0)
		rc = -1;
	if (text != NULL)
		str_wipe(text, len);
	free(text);
	if (app != NULL)
		app_clear(app);
	free(app);
	free(issues);
	return rc;
}
