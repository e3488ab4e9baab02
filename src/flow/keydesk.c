/* The key screens' questions about personalisation; see keydesk.h.
 *
 * The journal is read the way flow/personalise.c reads it when it
 * resumes: only the rows after the last finished roll-back count, the key
 * is the one "init" recorded (found by its serial, else by the label =
 * application number), and a key initialised for the application but not
 * present must be inserted rather than replaced by a blank one. This file
 * only looks: the run itself decides again, on the key. */
#include "config.h"
#include "flow/keydesk.h"
#include "db/tokdb.h"
#include "flow/issue.h"
#include "token/catalog.h"
#include "token/p11.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

#define KEYDESK_JOURNAL_MAX 1024
#define KEYDESK_CERTS_MAX 64
#define KEYDESK_APPS_MAX 256

/* One application's journal summed up into p; done_init: a key was
 * initialised for it (so a resume needs that key). */
static int keydesk_scan(struct gt_ctx *ctx, const char *app_no, struct keydesk_pending *p,
			int *done_init, struct gt_err *err)
{
	static const struct {
		const char *name;
		enum perso_step step;
	} steps[] = {
		{ "init", PERSO_INIT }, { "keygen", PERSO_KEYGEN }, { "issue", PERSO_ISSUE },
		{ "write", PERSO_WRITE }, { "proof", PERSO_PROOF }, { "finish", PERSO_DONE },
	};
	struct tokdb_row *rows = calloc(KEYDESK_JOURNAL_MAX, sizeof(*rows));
	size_t n = 0, from = 0;

	memset(p, 0, sizeof(*p));
	*done_init = 0;
	str_copy(p->app_no, sizeof(p->app_no), app_no);
	p->step = PERSO_FIND;
	if (rows == NULL)
		return err_set(err, _("out of memory"));
	if (tokdb_journal_list(ctx->store, app_no, rows, KEYDESK_JOURNAL_MAX, &n, err) != 0) {
		free(rows);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].step, "rollback") == 0 && rows[i].phase == TOKDB_DONE)
			from = i + 1;
	for (size_t i = from; i < n; i++) {
		const struct tokdb_row *r = &rows[i];
		int done = r->phase == TOKDB_DONE;

		p->at = r->at;
		if (strcmp(r->step, "step") == 0) {
			/* The run's end: why it stopped. */
			if (r->phase == TOKDB_FAILED)
				str_copy(p->reason, sizeof(p->reason), r->detail);
			continue;
		}
		/* A step begun after a failure: that failure is history. */
		if (r->phase == TOKDB_BEGIN)
			p->reason[0] = '\0';
		if (strcmp(r->step, "rollback") == 0) {
			p->rolling_back = 1;
			continue;
		}
		for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
			if (strcmp(r->step, steps[k].name) == 0) {
				p->step = steps[k].step;
				p->step_done = done;
			}
		if (strcmp(r->step, "init") == 0 && done)
			*done_init = 1;
		if (r->token_serial[0] != '\0' && *done_init)
			str_copy(p->token_serial, sizeof(p->token_serial), r->token_serial);
		if (strcmp(r->step, "keygen") == 0 && !done) {
			/* A new key pair: what was issued before is superseded. */
			p->cert_serial[0] = '\0';
			p->cert_on_key = 0;
		} else if (strcmp(r->step, "issue") == 0 && done) {
			str_copy(p->cert_serial, sizeof(p->cert_serial), r->cert_serial);
			p->cert_on_key = 0;
		} else if (strcmp(r->step, "write") == 0 && done) {
			p->cert_on_key = 1;
		}
	}
	free(rows);
	return 0;
}

int keydesk_target(struct gt_ctx *ctx, const char *app_no, struct keydesk_target *t,
		   struct gt_err *err)
{
	struct keydesk_pending p;
	struct tcat *cat = calloc(1, sizeof(*cat));
	const struct tok_slot_info *s;
	const struct tcat_model *m;
	struct tok_lib *lib = NULL;
	int done_init, slot = -1, rc = -1;

	memset(t, 0, sizeof(*t));
	if (cat == NULL)
		return err_set(err, _("out of memory"));
	if (keydesk_scan(ctx, app_no, &p, &done_init, err) != 0 ||
	    tcat_load(ctx->cfg.token_catalog, cat, err) != 0 ||
	    tok_lib_open(ctx->cfg.token_module, &lib, err) != 0)
		goto cleanup;
	if (p.token_serial[0] != '\0')
		slot = tok_find_serial(lib, p.token_serial);
	if (slot < 0)
		slot = tok_find_label(lib, app_no);
	if (slot >= 0) {
		t->resume = 1;
	} else if (done_init) {
		str_copy(t->want_serial, sizeof(t->want_serial), p.token_serial);
		err_set(err, _("The key %s of application %s is not present: insert it and resume."),
			p.token_serial, app_no);
		rc = KEYDESK_TARGET_MISSING;
		goto cleanup;
	} else {
		slot = tok_find_blank(lib, NULL);
	}
	if (slot < 0) {
		err_set(err, "%s", _("No blank key found: insert a new key."));
		goto cleanup;
	}
	s = tok_slot(lib, (size_t)slot);
	m = tcat_by_model(cat, s->model);
	if (m == NULL) {
		err_set(err, _("Unsupported key model \"%s\"."), s->model);
		goto cleanup;
	}
	str_copy(t->model, sizeof(t->model), m->name);
	str_copy(t->serial, sizeof(t->serial), s->serial);
	str_copy(t->description, sizeof(t->description), s->description);
	t->pin_min = m->pin_min;
	t->pin_max = m->pin_max;
	t->pin_digits = m->pin_digits;
	rc = KEYDESK_TARGET_FOUND;
cleanup:
	tok_lib_free(lib);
	free(cat);
	return rc;
}

int keydesk_pin_check(const struct keydesk_target *t, const char *pin, struct gt_err *err)
{
	struct tcat_model m;

	memset(&m, 0, sizeof(m));
	m.pin_min = t->pin_min;
	m.pin_max = t->pin_max;
	m.pin_digits = t->pin_digits;
	return tcat_pin_check(&m, pin, err);
}

int keydesk_pending_count(struct gt_ctx *ctx, size_t *n, struct gt_err *err)
{
	char (*apps)[APP_NO_MAX] = calloc(KEYDESK_APPS_MAX, sizeof(*apps));
	int rc;

	*n = 0;
	if (apps == NULL)
		return err_set(err, _("out of memory"));
	rc = perso_open(ctx, apps, KEYDESK_APPS_MAX, n, err);
	free(apps);
	return rc;
}

int keydesk_pending(struct gt_ctx *ctx, struct keydesk_pending *out, size_t max, size_t *n,
		    struct gt_err *err)
{
	char (*apps)[APP_NO_MAX] = calloc(max ? max : 1, sizeof(*apps));
	struct tokdb_cert *certs = calloc(KEYDESK_CERTS_MAX, sizeof(*certs));
	struct application *app = calloc(1, sizeof(*app));
	size_t napps = 0;
	int rc = -1;

	*n = 0;
	if (apps == NULL || certs == NULL || app == NULL) {
		err_set(err, _("out of memory"));
		goto cleanup;
	}
	if (perso_open(ctx, apps, max, &napps, err) != 0)
		goto cleanup;
	for (size_t i = 0; i < napps; i++) {
		struct keydesk_pending *p = &out[*n];
		size_t nc = 0;
		int done_init;

		if (keydesk_scan(ctx, apps[i], p, &done_init, err) != 0 ||
		    tokdb_cert_by_app(ctx->store, apps[i], certs, KEYDESK_CERTS_MAX, &nc, err) != 0)
			goto cleanup;
		for (size_t k = 0; k < nc; k++)
			if (strcmp(certs[k].status, "valid") == 0)
				p->valid_certs++;
		/* The name only helps the operator recognise it: a record
		 * that cannot be opened still lists by its number. */
		if (issue_load(ctx, apps[i], app, NULL) == 0)
			str_copy(p->org_name, sizeof(p->org_name), app_get(app, AF_ORG_NAME));
		app_clear(app);
		(*n)++;
	}
	rc = 0;
cleanup:
	if (app != NULL) {
		app_clear(app);
		free(app);
	}
	free(certs);
	free(apps);
	return rc;
}

int keydesk_mailer_lost(struct gt_ctx *ctx, const char *app_no, const char *token_serial,
			struct gt_err *err)
{
	const char *key = token_serial != NULL && token_serial[0] != '\0' ? token_serial : "-";

	log_msg("token: %s: PIN mailer not seen printed; the PIN is wiped; key %s needs a PIN "
		"reset unless the mailer comes out", app_no, key);
	if (ctx_begin(ctx, err) != 0)
		return -1;
	if (ctx_audit(ctx, "token.pin_mailer_lost", app_no, err,
		      "key %s; PIN mailer not seen printed, PIN wiped; the key needs a PIN reset "
		      "unless the mailer comes out", key) != 0) {
		ctx_rollback(ctx);
		return -1;
	}
	return ctx_commit(ctx, err);
}
