/* Key personalisation as a journalled, resumable sequence; see
 * personalise.h.
 *
 * Journal steps (token_journal.step) and what "done" carries:
 *   init     token_serial   key initialised, labelled, SO-PIN derived
 *   keygen   key_id         (key_id is chosen and journalled at "begin",
 *                            so a resume looks for exactly that key)
 *   issue    cert_serial    the CA issued (recorded in ca_certs first)
 *   write    cert_serial    certificate and chain on the key
 *   proof    cert_serial    a challenge signed on the key verified
 *   finish                  personalised
 *   rollback                issued certificates revoked, key blanked
 * Only the rows after the last finished rollback count. The user PIN is
 * set again (as the SO) on every run, so a resume needs a PIN but never
 * the old one, and no PIN is ever stored.
 *
 * Each "begin" is durable before its step touches the key or the CA. A
 * "done" row (with its audit row) waits and commits in the same
 * transaction as the next row written — the next step's "begin", a
 * failure, the finish — so one fsync carries both; "issue done" commits
 * with the certificate's own record (ca_request.recorded). Losing a
 * waiting "done" row in a crash is the state a crash just before its
 * own commit would leave, which resume already handles: every step is
 * found done on the key or in the CA register, or done again.
 *
 * Two "begin" rows wait too, because nothing can be left behind before
 * their step's own commit: "issue" with a CA whose certificate exists
 * only once recorded (the built-in CA signs in memory and records in one
 * transaction: ca_atomic_issue), and "proof", which only signs a random
 * challenge on the key and checks it. A crash inside either leaves the
 * state of a crash just before it, and the resume does it again. */
#include "config.h"
#include "flow/personalise.h"
#include "ca/ca.h"
#include "db/crypto.h"
#include "db/store.h"
#include "db/tokdb.h"
#include "flow/issue.h"
#include "model/region.h"
#include "token/catalog.h"
#include "token/p11.h"
#include "token/sopin.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PERSO_KEY_ID_BYTES 16
#define PERSO_JOURNAL_MAX 1024
#define PERSO_PENDING_MAX 4

struct perso {
	struct gt_ctx *ctx;
	const struct perso_opts *o;
	const struct perso_cb *cb;
	struct application *app;
	struct tcat cat;
	const struct tcat_model *model;
	struct tok_lib *lib;
	struct tok_opening *opening;  /* opts->opening until taken */
	int slot;
	struct crypto_keyring master;
	int attempt;
	char token_serial[20];
	unsigned char key_id[PERSO_KEY_ID_BYTES];
	char key_hex[2 * PERSO_KEY_ID_BYTES + 1];
	int have_key_id;
	char cert_serial[80];
	int done_init, done_keygen, done_issue, done_write, done_proof, done_finish;
	int began_issue, any_done;
	X509 *cert, *issuer;
	char pin[72];
	struct perso_result *res;
	/* "done" rows waiting for the next row's transaction. */
	struct tokdb_row pending[PERSO_PENDING_MAX];
	size_t npending;
	const char *backend;        /* the CA's, for "issue done" */
	int recorded;               /* issue done + write begin went with the CA record */
	int write_begun;
	int fresh_scan;             /* slots just listed by tok_lib_open */
	int emptied;                /* this run's C_InitToken left the key empty */
	int began_rollback;         /* a roll-back started and did not finish */
};

static const char *const perso_titles[PERSO_STEPS] = {
	N_("Find the blank key"),
	N_("Initialise the key"),
	N_("Set the PIN"),
	N_("Generate the key pair on the key"),
	N_("Sign the request on the key"),
	N_("CA issues the certificate"),
	N_("Write certificate and chain"),
	N_("Prove the key signs"),
	N_("Done"),
};

const char *perso_step_title(enum perso_step step)
{
	return step < PERSO_STEPS ? _(perso_titles[step]) : "";
}

static void perso_progress(struct perso *p, enum perso_step step, const char *msg)
{
	if (p->cb != NULL && p->cb->progress != NULL)
		p->cb->progress(p->cb->arg, step, msg != NULL ? msg : perso_step_title(step));
}

static int perso_cancelled(struct perso *p)
{
	return p->cb != NULL && p->cb->cancelled != NULL && p->cb->cancelled(p->cb->arg);
}

/* ---- journal ------------------------------------------------------------ */

static void perso_row(struct perso *p, struct tokdb_row *r, const char *step,
		      enum tokdb_phase phase, const char *detail)
{
	memset(r, 0, sizeof(*r));
	str_copy(r->app_no, sizeof(r->app_no), p->o->app_no);
	r->attempt = p->attempt;
	str_copy(r->step, sizeof(r->step), step);
	r->phase = phase;
	r->at = ctx_now();
	str_copy(r->token_serial, sizeof(r->token_serial), p->token_serial);
	str_copy(r->key_id, sizeof(r->key_id), p->have_key_id ? p->key_hex : "");
	str_copy(r->cert_serial, sizeof(r->cert_serial), p->cert_serial);
	str_copy(r->detail, sizeof(r->detail), detail != NULL ? detail : "");
}

/* One row into the journal and, unless it is a "begin", its audit row;
 * inside the caller's transaction. */
static int perso_put(struct perso *p, const struct tokdb_row *r, struct gt_err *err)
{
	char action[40];

	if (tokdb_journal_append(p->ctx->store, r, err) != 0)
		return -1;
	if (r->phase == TOKDB_BEGIN)
		return 0;
	snprintf(action, sizeof(action), "token.%s%s", r->step,
		 r->phase == TOKDB_FAILED ? "_failed" : "");
	return ctx_audit(p->ctx, action, p->o->app_no, err, "attempt %d; key %s%s%s%s%s", r->attempt,
			 r->token_serial[0] ? r->token_serial : "-",
			 r->cert_serial[0] ? "; certificate " : "", r->cert_serial,
			 r->detail[0] ? "; " : "", r->detail);
}

/* The waiting rows, then last (may be NULL), inside the caller's
 * transaction. */
static int perso_put_all(struct perso *p, const struct tokdb_row *last, struct gt_err *err)
{
	for (size_t i = 0; i < p->npending; i++)
		if (perso_put(p, &p->pending[i], err) != 0)
			return -1;
	return last != NULL ? perso_put(p, last, err) : 0;
}

/* The waiting rows and last, committed together. */
static int perso_commit_rows(struct perso *p, const struct tokdb_row *last, struct gt_err *err)
{
	if (p->npending == 0 && last != NULL && last->phase == TOKDB_BEGIN)
		/* A lone "begin": one INSERT is its own transaction. */
		return tokdb_journal_append(p->ctx->store, last, err);
	if (ctx_begin(p->ctx, err) != 0)
		return -1;
	if (perso_put_all(p, last, err) != 0) {
		ctx_rollback(p->ctx);
		return -1;
	}
	if (ctx_commit(p->ctx, err) != 0)
		return -1;
	p->npending = 0;
	return 0;
}

/* Before a step: committed (with the rows waiting) before the step runs,
 * so that a crash inside it leaves "begun, not done" behind. */
static int perso_begin(struct perso *p, const char *step, struct gt_err *err)
{
	struct tokdb_row r;

	perso_row(p, &r, step, TOKDB_BEGIN, "");
	return perso_commit_rows(p, &r, err);
}

/* Before a step that leaves nothing behind until its own commit: the
 * row waits like a "done" row (see the top). */
static int perso_begin_later(struct perso *p, const char *step, struct gt_err *err)
{
	if (p->npending == PERSO_PENDING_MAX && perso_commit_rows(p, NULL, err) != 0)
		return -1;
	perso_row(p, &p->pending[p->npending++], step, TOKDB_BEGIN, "");
	return 0;
}

/* After a step: the row waits for the next one (see the top). */
static int perso_done(struct perso *p, const char *step, const char *detail, struct gt_err *err)
{
	if (p->npending == PERSO_PENDING_MAX && perso_commit_rows(p, NULL, err) != 0)
		return -1;
	perso_row(p, &p->pending[p->npending++], step, TOKDB_DONE, detail);
	return 0;
}

/* A row that ends the run (finish, rollback, failure): committed now,
 * with the rows waiting. */
static int perso_end(struct perso *p, const char *step, enum tokdb_phase phase,
		     const char *detail, struct gt_err *err)
{
	struct tokdb_row r;

	perso_row(p, &r, step, phase, detail);
	return perso_commit_rows(p, &r, err);
}

static int perso_load_journal(struct perso *p, struct gt_err *err)
{
	struct tokdb_row *rows = calloc(PERSO_JOURNAL_MAX, sizeof(*rows));
	size_t n = 0, from = 0;

	if (rows == NULL)
		return err_set(err, _("out of memory"));
	if (tokdb_journal_list(p->ctx->store, p->o->app_no, rows, PERSO_JOURNAL_MAX, &n, err) != 0) {
		free(rows);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (rows[i].attempt >= p->attempt)
			p->attempt = rows[i].attempt + 1;
		if (strcmp(rows[i].step, "rollback") == 0 && rows[i].phase == TOKDB_DONE)
			from = i + 1;
	}
	if (p->attempt == 0)
		p->attempt = 1;
	for (size_t i = from; i < n; i++) {
		const struct tokdb_row *r = &rows[i];
		int done = r->phase == TOKDB_DONE;

		if (strcmp(r->step, "keygen") == 0 && r->key_id[0] != '\0' &&
		    crypto_unhex(r->key_id, p->key_id, sizeof(p->key_id)) == 0) {
			/* Chosen at "begin": a resume looks for that key. */
			str_copy(p->key_hex, sizeof(p->key_hex), r->key_id);
			p->have_key_id = 1;
		}
		if (r->token_serial[0] != '\0' && (p->done_init || (done && strcmp(r->step, "init") == 0)))
			str_copy(p->token_serial, sizeof(p->token_serial), r->token_serial);
		if (strcmp(r->step, "issue") == 0 && r->phase == TOKDB_BEGIN)
			p->began_issue = 1;
		if (strcmp(r->step, "rollback") == 0 && r->phase == TOKDB_BEGIN)
			p->began_rollback = 1;
		if (!done)
			continue;
		p->any_done = 1;
		if (strcmp(r->step, "init") == 0)
			p->done_init = 1;
		else if (strcmp(r->step, "keygen") == 0)
			p->done_keygen = 1;
		else if (strcmp(r->step, "issue") == 0) {
			p->done_issue = 1;
			str_copy(p->cert_serial, sizeof(p->cert_serial), r->cert_serial);
		} else if (strcmp(r->step, "write") == 0)
			p->done_write = 1;
		else if (strcmp(r->step, "proof") == 0)
			p->done_proof = 1;
		else if (strcmp(r->step, "finish") == 0)
			p->done_finish = 1;
	}
	free(rows);
	return 0;
}

/* ---- the key ------------------------------------------------------------ */

/* The module opened ahead, when it was: waited for, and kept when it is
 * the one to use (its error is then the error), else closed. */
static int perso_take_opening(struct perso *p, const char *module, struct gt_err *err)
{
	struct tok_opening *op = p->opening;
	struct tok_lib *lib = NULL;
	int same;

	if (op == NULL)
		return 0;
	p->opening = NULL;
	same = module != NULL && strcmp(tok_opening_module(op), module) == 0;
	if (tok_open_finish(op, &lib, same ? err : NULL) != 0)
		return same ? -1 : 0;
	if (!same || p->lib != NULL) {
		tok_lib_free(lib);
		return 0;
	}
	p->lib = lib;
	p->fresh_scan = 1;
	return 0;
}

static int perso_open_module(struct perso *p, struct gt_err *err)
{
	const char *module = p->o->module;

	if (module == NULL)
		module = p->ctx->cfg.token_module;
	if (perso_take_opening(p, module, err) != 0)
		return -1;
	if (p->lib == NULL) {
		if (tok_lib_open(module, &p->lib, err) != 0)
			return -1;
		p->fresh_scan = 1;
	}
	return 0;
}

/* Which slot: the key this application already labelled (a resume), else
 * a blank one. */
static int perso_find(struct perso *p, struct gt_err *err)
{
	const struct tok_slot_info *s;

	/* tok_lib_open has just listed the slots. */
	if (!p->fresh_scan && tok_rescan(p->lib, err) != 0)
		return -1;
	p->fresh_scan = 0;
	p->slot = -1;
	if (p->token_serial[0] != '\0')
		p->slot = tok_find_serial(p->lib, p->token_serial);
	if (p->slot < 0)
		p->slot = tok_find_label(p->lib, p->o->app_no);
	if (p->slot < 0 && p->done_init)
		return err_set(err, _("The key %s of application %s is not present: insert it "
				      "and resume."), p->token_serial, p->o->app_no);
	if (p->slot < 0)
		p->slot = tok_find_blank(p->lib, p->o->reader);
	if (p->slot < 0)
		return err_set(err, "%s", _("No blank key found: insert a new key."));
	s = tok_slot(p->lib, (size_t)p->slot);
	p->model = tcat_by_model(&p->cat, s->model);
	if (p->model == NULL) {
		err_set(err, _("Unsupported key model \"%s\"."), s->model);
		return PERSO_INVALID;
	}
	if (!p->model->rsa2048) {
		err_set(err, _("The key model %s cannot generate RSA-2048 keys."), p->model->name);
		return PERSO_INVALID;
	}
	return 0;
}

/* Log in as the SO: under the serial's SO-PIN, or — for a key first
 * initialised under the application's PIN — move it to the serial's.
 * by_app: the key was initialised under the application's SO-PIN just
 * now, so the serial's cannot be right: no failed log-in on the key. */
static int perso_so_login(struct perso *p, int by_app, struct gt_err *err)
{
	char so[SOPIN_CHARS + 1], pre[SOPIN_CHARS + 1];
	const struct tok_slot_info *s = tok_slot(p->lib, (size_t)p->slot);
	int rc = -1;

	if (sopin_for_serial(&p->master, s->serial, so) != 0 ||
	    sopin_for_app(&p->master, p->o->app_no, pre) != 0) {
		err_set(err, "%s", _("cannot derive the SO-PIN"));
		goto cleanup;
	}
	if (!by_app) {
		if (tok_login(p->lib, (size_t)p->slot, 1, so, err) == 0) {
			rc = 0;
			goto cleanup;
		}
		if (tok_last_rv(p->lib) != 0xA0 /* CKR_PIN_INCORRECT */)
			goto cleanup;
	}
	if (tok_login(p->lib, (size_t)p->slot, 1, pre, err) != 0 ||
	    tok_change_pin(p->lib, (size_t)p->slot, pre, so, err) != 0)
		goto cleanup;
	rc = 0;
cleanup:
	OPENSSL_cleanse(so, sizeof(so));
	OPENSSL_cleanse(pre, sizeof(pre));
	return rc;
}

static int perso_init(struct perso *p, struct gt_err *err)
{
	const struct tok_slot_info *s = tok_slot(p->lib, (size_t)p->slot);
	char so[SOPIN_CHARS + 1];
	int rc, by_app = 0;

	if (!s->initialized || strcmp(s->label, p->o->app_no) != 0) {
		/* A blank key: its serial's SO-PIN when it has a serial (and
		 * for a key we blanked before, which knows it), else the
		 * application's, moved to the serial's below. */
		by_app = !s->initialized && s->serial[0] == '\0';
		if (by_app)
			rc = sopin_for_app(&p->master, p->o->app_no, so);
		else
			rc = sopin_for_serial(&p->master, s->serial, so);
		if (rc != 0)
			return err_set(err, "%s", _("cannot derive the SO-PIN"));
		rc = tok_init_token(p->lib, (size_t)p->slot, so, p->o->app_no, err);
		OPENSSL_cleanse(so, sizeof(so));
		if (rc != 0)
			return -1;
		p->emptied = 1;
		/* The module may renumber its slots after C_InitToken. */
		if (tok_rescan(p->lib, err) != 0)
			return -1;
		p->slot = tok_find_label(p->lib, p->o->app_no);
		if (p->slot < 0)
			return err_set(err, "%s", _("key: the initialised key is gone"));
		s = tok_slot(p->lib, (size_t)p->slot);
	}
	str_copy(p->token_serial, sizeof(p->token_serial), s->serial);
	return perso_so_login(p, by_app, err);
}

static int perso_user_pin(struct perso *p, struct gt_err *err)
{
	int rc;

	/* As the SO, whatever the PIN was: a resume needs only a new one. */
	if (perso_so_login(p, 0, err) != 0)
		return -1;
	rc = tok_init_pin(p->lib, (size_t)p->slot, p->pin, err);
	tok_logout(p->lib, (size_t)p->slot);
	if (rc != 0)
		return -1;
	return tok_login(p->lib, (size_t)p->slot, 0, p->pin, err);
}

/* The id a CA certificate is written under: its subject key identifier
 * (how other tools find an issuer among a key's certificates), else
 * "CA". */
static size_t perso_chain_id(X509 *issuer, unsigned char cid[20])
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(issuer);

	if (ski != NULL && ASN1_STRING_length(ski) <= 20) {
		memcpy(cid, ASN1_STRING_get0_data(ski), (size_t)ASN1_STRING_length(ski));
		return (size_t)ASN1_STRING_length(ski);
	}
	memcpy(cid, "CA", 2);
	return 2;
}

/* While the key generates its pair — the prime search keeps one CPU busy
 * for 50 to 500 ms on SoftHSM2 — a second thread does what does not need
 * the pair: reads the CA's key (ca_prepare) and, on a key this run
 * initialised, writes the CA certificate through a session of its own.
 * Nothing depends on it: what it did not do, the step that needs it
 * (issue, write) does and reports as before, so its errors only go to
 * the log; and its certificate is not journalled, because writing the
 * chain again is what a resume does anyway. */
struct perso_side {
	pthread_t thread;
	int started;
	struct ca *ca;
	struct tok_side *tok;       /* NULL: no certificate to write */
	X509 *chain;                /* borrowed from ca */
	const char *app_no;
};

static void *perso_side_main(void *arg)
{
	struct perso_side *s = arg;
	unsigned char cid[20];
	struct gt_err err;

	if (s->tok != NULL) {
		size_t cidlen = perso_chain_id(s->chain, cid);

		if (tok_side_store_cert(s->tok, s->chain, "CA", cid, cidlen, &err) != 0)
			log_msg("token: %s: CA certificate not written ahead: %s", s->app_no,
				err.msg);
	}
	if (ca_prepare(s->ca, &err) != 0)
		log_msg("token: %s: CA not ready ahead: %s", s->app_no, err.msg);
	ERR_clear_error();
	return NULL;
}

static void perso_side_start(struct perso *p, struct ca *ca, struct perso_side *s)
{
	memset(s, 0, sizeof(*s));
	s->ca = ca;
	s->app_no = p->o->app_no;
	s->chain = ca_chain_cert(ca);
	if (p->emptied && s->chain != NULL && tok_side_open(p->lib, (size_t)p->slot, &s->tok, NULL) != 0)
		s->tok = NULL;
	s->started = pthread_create(&s->thread, NULL, perso_side_main, s) == 0;
	if (!s->started) {
		tok_side_free(s->tok);
		s->tok = NULL;
	}
}

static void perso_side_join(struct perso_side *s)
{
	if (s->started)
		pthread_join(s->thread, NULL);
	tok_side_free(s->tok);
	s->tok = NULL;
	s->started = 0;
}

static int perso_keygen(struct perso *p, struct ca *ca, struct gt_err *err)
{
	struct perso_side side;
	int found, rc;

	if (!p->have_key_id) {
		if (crypto_random(p->key_id, sizeof(p->key_id)) != 0)
			return err_set(err, "%s", _("no random bytes"));
		crypto_hex(p->key_id, sizeof(p->key_id), p->key_hex);
		p->have_key_id = 1;
	}
	/* A key this run initialised holds nothing yet: no need to look. */
	found = p->emptied ? 1 : tok_key(p->lib, (size_t)p->slot, p->key_id, sizeof(p->key_id),
					 NULL, err);
	if (found < 0)
		return -1;
	if (found == 1) {
		/* The id is in the journal before the key exists. */
		if (perso_begin(p, "keygen", err) != 0)
			return -1;
		if (p->done_keygen) {
			/* The key was emptied since: what was issued for the
			 * old pair is superseded, issue again. */
			p->done_keygen = p->done_issue = p->began_issue = p->done_write = 0;
			p->cert_serial[0] = '\0';
		}
		/* Half a pair from a generation cut short would confuse
		 * every later lookup: clear the id first. */
		if (!p->emptied &&
		    tok_remove_id(p->lib, (size_t)p->slot, p->key_id, sizeof(p->key_id), err) != 0)
			return -1;
		perso_side_start(p, ca, &side);
		rc = tok_keygen(p->lib, (size_t)p->slot, 2048, p->key_id, sizeof(p->key_id),
				p->o->app_no, err);
		perso_side_join(&side);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* ---- the request and the CA -------------------------------------------- */

static const char *perso_region_name(struct perso *p, enum app_field f)
{
	const struct region *r = region_find(p->ctx->regions, app_get(p->app, f));

	return r != NULL ? r->name : "";
}

static int perso_name_add(X509_NAME *n, const char *field, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return 1;
	return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, (const unsigned char *)value,
					  -1, -1, 0);
}

/* Sign the request's to-be-signed bytes on the key (sha256WithRSA). */
static int perso_csr_sign(struct perso *p, X509_REQ *req, struct gt_err *err)
{
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_BIT_STRING *bits = NULL;
	unsigned char *tbs = NULL, sig[512];
	size_t siglen = sizeof(sig);
	int tlen, rc = -1;

	if (alg == NULL ||
	    !X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL, NULL) ||
	    !X509_REQ_set1_signature_algo(req, alg) ||
	    (tlen = i2d_re_X509_REQ_tbs(req, &tbs)) <= 0) {
		err_set(err, _("out of memory"));
		goto cleanup;
	}
	if (tok_sign(p->lib, (size_t)p->slot, p->key_id, sizeof(p->key_id), tbs, (size_t)tlen,
		     sig, &siglen, err) != 0)
		goto cleanup;
	bits = ASN1_BIT_STRING_new();
	if (bits == NULL || !ASN1_BIT_STRING_set(bits, sig, (int)siglen)) {
		err_set(err, _("out of memory"));
		goto cleanup;
	}
	/* No unused bits in a signature, whatever its last byte. */
	bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
	bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	X509_REQ_set0_signature(req, bits);
	bits = NULL;
	rc = 0;
cleanup:
	ASN1_BIT_STRING_free(bits);
	OPENSSL_free(tbs);
	X509_ALGOR_free(alg);
	return rc;
}

static X509_REQ *perso_csr(struct perso *p, EVP_PKEY *pub, struct gt_err *err)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *n = X509_NAME_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	const char *cn = strcmp(app_get(p->app, AF_CERT_TYPE), "person") == 0 ?
			 app_get(p->app, AF_HDL_NAME) : app_get(p->app, AF_ORG_NAME);
	const char *uscc = app_get(p->app, AF_ORG_ID_NUMBER);
	const char *city = perso_region_name(p, AF_ORG_CITY);

	if (city[0] == '\0')
		city = perso_region_name(p, AF_ORG_COUNTY);
	if (req == NULL || n == NULL || exts == NULL ||
	    !perso_name_add(n, "C", "CN") ||
	    !perso_name_add(n, "ST", perso_region_name(p, AF_ORG_PROVINCE)) ||
	    !perso_name_add(n, "L", city) ||
	    !perso_name_add(n, "O", app_get(p->app, AF_ORG_NAME)) ||
	    !perso_name_add(n, "CN", cn) ||
	    !X509_REQ_set_version(req, 0) || !X509_REQ_set_subject_name(req, n) ||
	    !X509_REQ_set_pubkey(req, pub))
		goto fail;
	if (strcmp(app_get(p->app, AF_ORG_ID_TYPE), "uscc") == 0 && uscc[0] != '\0') {
		ASN1_OBJECT *obj = OBJ_txt2obj(CA_OID_USCC, 1);
		ASN1_PRINTABLESTRING *ps = ASN1_PRINTABLESTRING_new();
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		X509_EXTENSION *ext = NULL;
		unsigned char *der = NULL;
		int len = -1;

		if (obj && ps && os && ASN1_STRING_set(ps, uscc, (int)strlen(uscc)) &&
		    (len = i2d_ASN1_PRINTABLESTRING(ps, &der)) > 0 &&
		    ASN1_OCTET_STRING_set(os, der, len))
			ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
		if (ext != NULL && !sk_X509_EXTENSION_push(exts, ext)) {
			X509_EXTENSION_free(ext);
			ext = NULL;
		}
		OPENSSL_free(der);
		ASN1_OCTET_STRING_free(os);
		ASN1_PRINTABLESTRING_free(ps);
		ASN1_OBJECT_free(obj);
		if (ext == NULL || !X509_REQ_add_extensions(req, exts))
			goto fail;
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	exts = NULL;
	/* Signed on the key: the private key never leaves it. */
	if (perso_csr_sign(p, req, err) != 0)
		goto failed;
	X509_NAME_free(n);
	return req;
fail:
	err_set(err, "%s", _("cannot build the certificate request"));
failed:
	ERR_clear_error();
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(n);
	X509_REQ_free(req);
	return NULL;
}

static int perso_sleep(struct perso *p, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		if (perso_cancelled(p))
			return 1;
		poll(NULL, 0, 100);
	}
	return 0;
}

/* Load a recorded certificate. */
static X509 *perso_load_cert(struct perso *p, const char *serial, struct gt_err *err)
{
	struct tokdb_cert *c = calloc(1, sizeof(*c));
	const unsigned char *q;
	X509 *x = NULL;
	int rc;

	if (c == NULL) {
		err_set(err, _("out of memory"));
		return NULL;
	}
	rc = tokdb_cert_get(p->ctx->store, serial, c, err);
	if (rc == 0) {
		q = c->der;
		x = d2i_X509(NULL, &q, (long)c->der_len);
	}
	if (rc == 1)
		err_set(err, _("certificate %s is not recorded"), serial);
	else if (rc == 0 && x == NULL)
		err_set(err, _("certificate %s is damaged"), serial);
	free(c);
	return x;
}

/* A valid certificate of this application for the key on the token that
 * the journal does not know yet: the CA issued, then the run ended before
 * "issue done". Adopt it. */
static int perso_find_issued(struct perso *p, EVP_PKEY *pub, struct gt_err *err)
{
	struct tokdb_cert *rows = calloc(64, sizeof(*rows));
	X509_PUBKEY *xpk = NULL;
	char spki[65];
	size_t n = 0;
	int rc = -1;

	if (rows == NULL)
		return err_set(err, _("out of memory"));
	if (!X509_PUBKEY_set(&xpk, pub) || ca_spki_sha256(xpk, spki) != 0) {
		err_set(err, "%s", _("cannot hash the key"));
		goto cleanup;
	}
	if (tokdb_cert_by_app(p->ctx->store, p->o->app_no, rows, 64, &n, err) != 0)
		goto cleanup;
	rc = 0;
	for (size_t i = n; i-- > 0;) {
		if (strcmp(rows[i].status, "valid") != 0 || strcmp(rows[i].spki_sha256, spki) != 0)
			continue;
		str_copy(p->cert_serial, sizeof(p->cert_serial), rows[i].serial);
		rc = 1;
		break;
	}
cleanup:
	X509_PUBKEY_free(xpk);
	free(rows);
	return rc;
}

/* ca_request.recorded: inside the transaction that records the new
 * certificate, the rows waiting, "issue done" and "write begin" — a
 * certificate on record is never without its journal row. */
static int perso_recorded(void *arg, const char *serial, struct gt_err *err)
{
	struct perso *p = arg;
	struct tokdb_row done, next;
	char keep[sizeof(p->cert_serial)];

	str_copy(keep, sizeof(keep), p->cert_serial);
	str_copy(p->cert_serial, sizeof(p->cert_serial), serial);
	perso_row(p, &done, "issue", TOKDB_DONE, p->backend);
	perso_row(p, &next, "write", TOKDB_BEGIN, "");
	str_copy(p->cert_serial, sizeof(p->cert_serial), keep);
	if (perso_put_all(p, &done, err) != 0 || perso_put(p, &next, err) != 0)
		return -1;
	/* Trusted only once the record commits (ca_submit returns 0). */
	p->recorded = 1;
	return 0;
}

static int perso_issue(struct perso *p, struct ca *ca, struct gt_err *err)
{
	EVP_PKEY *pub = NULL;
	X509_REQ *req = NULL;
	struct ca_answer ans;
	struct ca_request creq;
	long long deadline;
	int rc = -1, found;

	memset(&ans, 0, sizeof(ans));
	found = tok_key(p->lib, (size_t)p->slot, p->key_id, sizeof(p->key_id), &pub, err);
	if (found != 0) {
		if (found == 1)
			err_set(err, "%s", _("key: the key pair is missing from the key"));
		goto cleanup;
	}
	if (p->done_issue) {
		p->cert = perso_load_cert(p, p->cert_serial, err);
		rc = p->cert != NULL ? 0 : -1;
		goto cleanup;
	}
	if (p->began_issue) {
		found = perso_find_issued(p, pub, err);
		if (found < 0)
			goto cleanup;
		if (found == 1) {
			p->cert = perso_load_cert(p, p->cert_serial, err);
			if (p->cert == NULL)
				goto cleanup;
			log_msg("token: %s: found certificate %s issued before the interruption",
				p->o->app_no, p->cert_serial);
			rc = perso_done(p, "issue", "found on resume", err);
			goto cleanup;
		}
	}
	perso_progress(p, PERSO_CSR, NULL);
	req = perso_csr(p, pub, err);
	if (req == NULL)
		goto cleanup;
	perso_progress(p, PERSO_ISSUE, NULL);
	if ((ca_atomic_issue(ca) ? perso_begin_later(p, "issue", err)
				 : perso_begin(p, "issue", err)) != 0)
		goto cleanup;
	memset(&creq, 0, sizeof(creq));
	p->backend = ca_backend_name(ca);
	p->recorded = 0;
	creq.recorded = perso_recorded;
	creq.recorded_arg = p;
	creq.app_no = p->o->app_no;
	creq.cert_type = app_get(p->app, AF_CERT_TYPE);
	creq.term_years = atoi(app_get(p->app, AF_TERM_YEARS));
	creq.uscc = strcmp(app_get(p->app, AF_ORG_ID_TYPE), "uscc") == 0 ?
		    app_get(p->app, AF_ORG_ID_NUMBER) : "";
	creq.csr = req;
	if (ca_submit(ca, &creq, &ans, err) != 0)
		goto cleanup;
	deadline = ctx_now() + p->ctx->cfg.ca_wait_seconds;
	while (ans.status == CA_WAIT) {
		char cookie[sizeof(ans.cookie)], msg[160];
		int delay = ans.delay > 0 ? ans.delay : p->ctx->cfg.ca_poll_seconds;

		if (delay > p->ctx->cfg.ca_poll_seconds)
			delay = p->ctx->cfg.ca_poll_seconds;
		snprintf(msg, sizeof(msg), _("The CA asked to wait; asking again in %d s"), delay);
		perso_progress(p, PERSO_ISSUE, msg);
		if (ctx_now() + delay > deadline) {
			err_set(err, "%s", _("The CA did not answer in time; resume later."));
			goto cleanup;
		}
		if (perso_sleep(p, delay)) {
			err_set(err, "%s", _("Cancelled while waiting for the CA."));
			goto cleanup;
		}
		str_copy(cookie, sizeof(cookie), ans.cookie);
		ca_answer_clear(&ans);
		if (ca_poll(ca, &creq, cookie, &ans, err) != 0)
			goto cleanup;
	}
	if (ans.status != CA_ISSUED) {
		err_set(err, _("The CA refused: %s"), ans.msg[0] ? ans.msg :
			ans.status == CA_REJECTED ? _("rejected") : ans.status == CA_UNREACHABLE ?
			_("unreachable") : _("not configured"));
		goto cleanup;
	}
	ca_serial_hex(ans.cert, p->cert_serial, sizeof(p->cert_serial));
	p->cert = ans.cert;
	p->issuer = ans.issuer;
	ans.cert = NULL;
	ans.issuer = NULL;
	if (p->recorded) {
		/* "issue done" and "write begin" committed with the record. */
		p->npending = 0;
		p->write_begun = 1;
		rc = 0;
	} else {
		rc = perso_done(p, "issue", p->backend, err);
	}
cleanup:
	ca_answer_clear(&ans);
	X509_REQ_free(req);
	EVP_PKEY_free(pub);
	return rc;
}

/* ---- writing and proving ------------------------------------------------ */

static int perso_write(struct perso *p, struct ca *ca, struct gt_err *err)
{
	X509 *want[2];
	int have[2] = { 0, 0 };

	if (p->issuer == NULL) {
		/* The chain of a certificate found on resume: the CA's
		 * certificate when it is the one that issued it. */
		X509 *chain = ca_chain_cert(ca);

		if (chain != NULL && X509_check_issued(chain, p->cert) == X509_V_OK &&
		    X509_up_ref(chain))
			p->issuer = chain;
		ERR_clear_error();
	}
	want[0] = p->cert;
	want[1] = p->issuer;
	if ((!p->write_begun && perso_begin(p, "write", err) != 0) ||
	    tok_have_certs(p->lib, (size_t)p->slot, want, p->issuer != NULL ? 2 : 1, have,
			   err) != 0)
		return -1;
	if (!have[0] && tok_store_cert(p->lib, (size_t)p->slot, p->cert, p->o->app_no, p->key_id,
				       sizeof(p->key_id), err) != 0)
		return -1;
	if (p->issuer != NULL && !have[1]) {
		unsigned char cid[20];
		size_t cidlen = perso_chain_id(p->issuer, cid);

		if (tok_store_cert(p->lib, (size_t)p->slot, p->issuer, "CA", cid, cidlen, err) != 0)
			return -1;
	}
	p->done_write = 1;
	return perso_done(p, "write", "", err);
}

static int perso_proof(struct perso *p, struct gt_err *err)
{
	unsigned char challenge[32], sig[512];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = -1;

	if (md == NULL)
		return err_set(err, _("out of memory"));
	if (perso_begin_later(p, "proof", err) != 0 ||
	    tok_random(p->lib, (size_t)p->slot, challenge, sizeof(challenge), err) != 0 ||
	    tok_sign(p->lib, (size_t)p->slot, p->key_id, sizeof(p->key_id), challenge,
		     sizeof(challenge), sig, &siglen, err) != 0)
		goto cleanup;
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(p->cert)) != 1 ||
	    EVP_DigestVerify(md, sig, siglen, challenge, sizeof(challenge)) != 1) {
		ERR_clear_error();
		err_set(err, "%s", _("The signature made on the key does not verify with the "
				     "certificate."));
		goto cleanup;
	}
	rc = perso_done(p, "proof", "sha256WithRSAEncryption verified", err);
cleanup:
	EVP_MD_CTX_free(md);
	return rc;
}

/* Every other valid certificate of this application: bound to a key that
 * is gone (a key re-initialised on resume). Revoke as superseded. */
static int perso_revoke_others(struct perso *p, struct ca *ca, const char *keep, int reason,
			       struct gt_err *err)
{
	struct tokdb_cert *rows = calloc(64, sizeof(*rows));
	size_t n = 0;
	int rc = 0;

	if (rows == NULL)
		return err_set(err, _("out of memory"));
	if (tokdb_cert_by_app(p->ctx->store, p->o->app_no, rows, 64, &n, err) != 0) {
		free(rows);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (strcmp(rows[i].status, "valid") != 0 ||
		    (keep != NULL && strcmp(rows[i].serial, keep) == 0))
			continue;
		if (ca_revoke(ca, rows[i].serial, reason, keep != NULL ?
			      "superseded on resume" : "personalisation rolled back", err) < 0)
			rc = -1;
		else if (p->res != NULL)
			p->res->revoked++;
	}
	free(rows);
	return rc;
}

/* Shown to staff and customer in the counter's own time zone, named, so
 * "valid until" is not off by eight hours in Shenzhen. */
static void perso_time(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm, local;
	time_t when;

	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(t, &tm) && (when = timegm(&tm)) != (time_t)-1 &&
	    localtime_r(&when, &local) != NULL)
		strftime(out, size, "%Y-%m-%d %H:%M:%S %Z", &local);
	else
		str_copy(out, size, "?");
}

static void perso_fill_result(struct perso *p)
{
	struct perso_result *r = p->res;
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (r == NULL || p->cert == NULL)
		return;
	ca_name_utf8(X509_get_subject_name(p->cert), r->subject, sizeof(r->subject));
	ca_serial_hex(p->cert, r->serial, sizeof(r->serial));
	perso_time(X509_get0_notBefore(p->cert), r->not_before, sizeof(r->not_before));
	perso_time(X509_get0_notAfter(p->cert), r->not_after, sizeof(r->not_after));
	if (X509_digest(p->cert, EVP_sha256(), md, &mdlen) == 1)
		for (unsigned i = 0; i < mdlen && 3 * i + 3 <= sizeof(r->sha256); i++)
			snprintf(r->sha256 + 3 * i, 4, i + 1 < mdlen ? "%02X:" : "%02X", md[i]);
	str_copy(r->token_serial, sizeof(r->token_serial), p->token_serial);
	str_copy(r->token_label, sizeof(r->token_label), p->o->app_no);
	if (p->model != NULL)
		str_copy(r->model, sizeof(r->model), p->model->name);
}

/* Roll back: revoke every certificate of the application, blank the key
 * when it is here (initialise it again under its serial's SO-PIN, empty
 * label: tok_find_blank takes it as new). */
static int perso_rollback(struct perso *p, struct ca *ca, struct gt_err *err)
{
	if (perso_begin(p, "rollback", err) != 0 ||
	    perso_revoke_others(p, ca, NULL, 5 /* cessationOfOperation */, err) != 0)
		return -1;
	if (perso_open_module(p, NULL) == 0 && tok_rescan(p->lib, NULL) == 0) {
		int slot = p->token_serial[0] ? tok_find_serial(p->lib, p->token_serial) : -1;

		if (slot < 0)
			slot = tok_find_label(p->lib, p->o->app_no);
		if (slot >= 0) {
			const struct tok_slot_info *s = tok_slot(p->lib, (size_t)slot);
			char so[SOPIN_CHARS + 1];

			str_copy(p->token_serial, sizeof(p->token_serial), s->serial);
			p->slot = slot;
			if (perso_so_login(p, 0, NULL) == 0) {
				/* C_InitToken wants no session open: drop them. */
				tok_logout(p->lib, (size_t)slot);
				if (tok_rescan(p->lib, err) != 0 ||
				    (slot = tok_find_serial(p->lib, p->token_serial)) < 0)
					return -1;
				if (sopin_for_serial(&p->master, p->token_serial, so) == 0 &&
				    tok_init_token(p->lib, (size_t)slot, so, "", err) != 0) {
					OPENSSL_cleanse(so, sizeof(so));
					return -1;
				}
				OPENSSL_cleanse(so, sizeof(so));
			}
		}
	}
	return perso_end(p, "rollback", TOKDB_DONE, "", err);
}

/* A random PIN for the mailer: digits, checked against the rules. */
static int perso_random_pin(struct perso *p, struct gt_err *err)
{
	const struct tcat_model *m = p->model;
	int len = m->pin_min < 8 ? (m->pin_max >= 8 ? 8 : m->pin_max) : m->pin_min;

	for (int tries = 0; tries < 32; tries++) {
		unsigned char b[64];

		if (crypto_random(b, (size_t)len) != 0)
			return err_set(err, "%s", _("no random bytes"));
		for (int i = 0; i < len; i++)
			p->pin[i] = (char)('0' + b[i] % 10);
		p->pin[len] = '\0';
		OPENSSL_cleanse(b, sizeof(b));
		if (tcat_pin_check(m, p->pin, NULL) == 0)
			return 0;
	}
	return err_set(err, "%s", _("no random bytes"));
}

static int perso_steps(struct perso *p, struct ca *ca, struct gt_err *err)
{
	int rc;

	if (p->o->rollback)
		return perso_rollback(p, ca, err);
	/* Its certificates may be revoked already: resuming would write a
	 * revoked certificate to the key. The roll-back is finished first. */
	if (p->began_rollback) {
		err_set(err, _("A roll-back of %s was started and did not finish: finish it "
			       "(roll back again) before personalising a key for it."), p->o->app_no);
		return PERSO_INVALID;
	}
	if (p->done_finish) {
		/* Finished before: report what is on record. */
		p->cert = perso_load_cert(p, p->cert_serial, err);
		return p->cert != NULL ? 0 : -1;
	}
	perso_progress(p, PERSO_FIND, NULL);
	if (perso_open_module(p, err) != 0)
		return -1;
	rc = perso_find(p, err);
	if (rc != 0)
		return rc;
	if (p->o->pin == NULL && perso_random_pin(p, err) != 0)
		return -1;
	if (tcat_pin_check(p->model, p->pin, err) != 0)
		return PERSO_INVALID;
	if (perso_cancelled(p))
		return 1;
	perso_progress(p, PERSO_INIT, NULL);
	if ((!p->done_init && perso_begin(p, "init", err) != 0) || perso_init(p, err) != 0)
		return -1;
	perso_progress(p, PERSO_PIN, NULL);
	if (perso_user_pin(p, err) != 0)
		return -1;
	if (!p->done_init) {
		if (perso_done(p, "init", p->model->name, err) != 0)
			return -1;
		p->done_init = 1;
	}
	if (perso_cancelled(p))
		return 1;
	perso_progress(p, PERSO_KEYGEN, NULL);
	if (perso_keygen(p, ca, err) != 0)
		return -1;
	if (!p->done_keygen) {
		if (perso_done(p, "keygen", "RSA-2048", err) != 0)
			return -1;
		p->done_keygen = 1;
	}
	if (perso_cancelled(p))
		return 1;
	if (perso_issue(p, ca, err) != 0)
		return -1;
	/* From here a certificate exists: a cancel would leave it unwritten,
	 * so the remaining steps run to the end (they take milliseconds). */
	perso_progress(p, PERSO_WRITE, NULL);
	if (perso_write(p, ca, err) != 0)
		return -1;
	perso_progress(p, PERSO_PROOF, NULL);
	if (perso_proof(p, err) != 0)
		return -1;
	if (perso_revoke_others(p, ca, p->cert_serial, 4 /* superseded */, err) != 0)
		return -1;
	tok_logout(p->lib, (size_t)p->slot);
	if (perso_end(p, "finish", TOKDB_DONE, "", err) != 0)
		return -1;
	perso_progress(p, PERSO_DONE, NULL);
	return 0;
}

int perso_run(struct gt_ctx *ctx, const struct perso_opts *opts, const struct perso_cb *cb,
	      struct perso_result *res, struct gt_err *err)
{
	struct perso *p = calloc(1, sizeof(*p));
	struct ca *ca = NULL;
	int rc = -1, loaded;

	if (p == NULL) {
		tok_open_drop(opts->opening);
		return err_set(err, _("out of memory"));
	}
	p->ctx = ctx;
	p->o = opts;
	p->opening = opts->opening;
	p->cb = cb;
	p->res = res;
	p->slot = -1;
	/* One anchor for the whole run instead of one fsync per step. */
	ctx_anchor_hold(ctx);
	if (res != NULL)
		memset(res, 0, sizeof(*res));
	if (opts->pin != NULL && str_copy(p->pin, sizeof(p->pin), opts->pin)) {
		err_set(err, "%s", _("The PIN is too long."));
		goto cleanup;
	}
	p->app = calloc(1, sizeof(*p->app));
	if (p->app == NULL) {
		err_set(err, _("out of memory"));
		goto cleanup;
	}
	loaded = issue_load(ctx, opts->app_no, p->app, err);
	if (loaded != 0)
		goto cleanup;
	if (p->app->status != APP_SUBMITTED) {
		err_set(err, _("Application %s is not submitted: review it first."), opts->app_no);
		goto cleanup;
	}
	if (tcat_load(ctx->cfg.token_catalog, &p->cat, err) != 0 ||
	    sopin_load(&p->master, ctx->cfg.master_key_file, err) != 0 ||
	    perso_load_journal(p, err) != 0)
		goto cleanup;
	if (res != NULL)
		res->resumed = p->any_done;
	ca = ca_new(ctx, err);
	if (ca == NULL)
		goto cleanup;
	rc = perso_steps(p, ca, err);
	if (rc < 0 && !p->o->rollback) {
		struct gt_err jerr;
		char why[200];

		/* What failed goes in the journal and the trail; when even
		 * that cannot be written the log says so. */
		str_copy(why, sizeof(why), err != NULL ? err->msg : "");
		if (perso_end(p, "step", TOKDB_FAILED, why, &jerr) != 0)
			log_msg("token: %s: journal: %s", opts->app_no, jerr.msg);
		log_msg("token: %s: personalisation stopped: %s", opts->app_no, why);
	} else if (rc == PERSO_CANCELLED) {
		struct gt_err jerr;

		if (perso_end(p, "step", TOKDB_FAILED, "cancelled", &jerr) != 0)
			log_msg("token: %s: journal: %s", opts->app_no, jerr.msg);
	} else if (rc == 0) {
		if (opts->rollback) {
			rc = PERSO_ROLLED_BACK;
			log_msg("token: %s: rolled back", opts->app_no);
		} else {
			perso_fill_result(p);
			if (res != NULL && opts->pin == NULL)
				str_copy(res->random_pin, sizeof(res->random_pin), p->pin);
			log_msg("token: %s: personalised key %s, certificate %s", opts->app_no,
				p->token_serial, p->cert_serial);
		}
	}
	if (p->npending > 0) {
		struct gt_err jerr;

		/* Every path above ends with a row that takes the waiting
		 * ones; should one not, they are still written. */
		if (perso_commit_rows(p, NULL, &jerr) != 0)
			log_msg("token: %s: journal: %s", opts->app_no, jerr.msg);
	}
cleanup:
	perso_take_opening(p, NULL, NULL);
	ca_free(ca);
	if (p->lib != NULL && p->slot >= 0)
		tok_logout(p->lib, (size_t)p->slot);
	tok_lib_free(p->lib);
	X509_free(p->cert);
	X509_free(p->issuer);
	crypto_keyring_wipe(&p->master);
	if (p->app != NULL) {
		app_clear(p->app);
		free(p->app);
	}
	OPENSSL_cleanse(p->pin, sizeof(p->pin));
	free(p);
	ctx_anchor_release(ctx);
	return rc;
}

int perso_preview(struct gt_ctx *ctx, const char *reader, char *what, size_t size,
		  struct gt_err *err)
{
	struct tok_lib *lib = NULL;
	int slot;

	if (tok_lib_open(ctx->cfg.token_module, &lib, err) != 0)
		return -1;
	slot = tok_find_blank(lib, reader);
	if (slot < 0) {
		tok_lib_free(lib);
		return err_set(err, "%s", _("No blank key found: insert a new key."));
	}
	{
		const struct tok_slot_info *s = tok_slot(lib, (size_t)slot);

		snprintf(what, size, _("%s, serial %s, in %s"), s->model,
			 s->serial[0] ? s->serial : _("(assigned at initialisation)"), s->description);
	}
	tok_lib_free(lib);
	return 0;
}

int perso_open(struct gt_ctx *ctx, char (*out)[APP_NO_MAX], size_t max, size_t *n,
	       struct gt_err *err)
{
	return tokdb_journal_open_apps(ctx->store, out, max, n, err);
}
