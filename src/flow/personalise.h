/* Personalising a blank key for a submitted application (new issuance,
 * step 7 of DESIGN.md): find the blank key, initialise it (label = the
 * application number, SO-PIN derived from the site master key), set the
 * customer's PIN, generate an RSA-2048 key pair on the key, have the key
 * sign a request, have the CA issue, write the certificate and chain with
 * the key's CKA_ID, and prove the key signs what the certificate verifies.
 *
 * Every step is journalled (db/tokdb.h) before it runs and after it is
 * done, and each finished step writes an audit row (failing closed). Run
 * again on the same application, it resumes: steps already done are
 * checked on the key and skipped, a certificate the CA issued but that
 * never reached the key is found and written (or, rolling back, revoked).
 * perso_run is synchronous; perso_job runs it off the UI thread with a
 * pollable state, like the ID-card reader's job (idcard/async.h). */
#ifndef GUITAI_PERSONALISE_H
#define GUITAI_PERSONALISE_H

#include <stddef.h>
#include "flow/ctx.h"
#include "model/app.h"

enum perso_step {
	PERSO_FIND,
	PERSO_INIT,
	PERSO_PIN,
	PERSO_KEYGEN,
	PERSO_CSR,
	PERSO_ISSUE,
	PERSO_WRITE,
	PERSO_PROOF,
	PERSO_DONE,
	PERSO_STEPS
};

/* Translated title of a step ("Generate the key pair on the key"). */
const char *perso_step_title(enum perso_step step);

struct tok_opening;

struct perso_opts {
	const char *app_no;
	const char *pin;       /* borrowed, copied; NULL when [token] pin = random */
	const char *reader;    /* the key must sit in this reader (NULL: any) */
	const char *module;    /* PKCS#11 module; NULL: the catalogue's / config's */
	int rollback;          /* revoke what was issued and blank the key */
	/* The module being opened ahead (tok_open_start), or NULL. perso_run
	 * takes it whatever happens: used when it is the module to use,
	 * else closed. */
	struct tok_opening *opening;
};

struct perso_cb {
	void (*progress)(void *arg, enum perso_step step, const char *msg);
	int (*cancelled)(void *arg);
	void *arg;
};

struct perso_result {
	char subject[512];
	char serial[80];
	char not_before[32], not_after[32];   /* "YYYY-MM-DD HH:MM:SS UTC" */
	char sha256[100];                     /* AB:CD:... */
	char token_serial[20];
	char token_label[36];
	char model[96];
	int resumed;           /* steps were found done by an earlier run */
	int revoked;           /* certificates revoked as superseded or rolled back */
	char random_pin[20];   /* [token] pin = random: for the PIN mailer only */
};

enum {
	PERSO_OK = 0,
	PERSO_CANCELLED = 1,
	PERSO_ROLLED_BACK = 2,
	PERSO_INVALID = 3,     /* PIN against the rules, unsupported key model */
};

/* 0 personalised, 1 cancelled (resumable), 2 rolled back, 3 invalid
 * (nothing done), -1 failed (err says why; resumable). res may be NULL. */
int perso_run(struct gt_ctx *ctx, const struct perso_opts *opts, const struct perso_cb *cb,
	      struct perso_result *res, struct gt_err *err);

/* Which key would be initialised, without touching it: the model, serial
 * (or "new" for a blank key without one) and slot description. 0 found,
 * -1 none (err says why). */
int perso_preview(struct gt_ctx *ctx, const char *reader, char *what, size_t size,
		  struct gt_err *err);

/* Applications whose personalisation did not finish. */
int perso_open(struct gt_ctx *ctx, char (*out)[APP_NO_MAX], size_t max, size_t *n,
	       struct gt_err *err);

/* The job. */
enum perso_job_state { PERSO_JOB_RUNNING, PERSO_JOB_DONE, PERSO_JOB_FAILED,
		       PERSO_JOB_CANCELLED, PERSO_JOB_ROLLED_BACK };
struct perso_job;
/* Starts at once; opts (and the PIN) are copied. */
struct perso_job *perso_job_new(struct gt_ctx *ctx, const struct perso_opts *opts,
				struct gt_err *err);
/* State, current step and its status line. Cheap: every UI tick. */
enum perso_job_state perso_job_poll(struct perso_job *job, enum perso_step *step, char *msg,
				    size_t msgsz);
void perso_job_cancel(struct perso_job *job);
/* After it ended: the result (DONE) or the reason. */
int perso_job_result(struct perso_job *job, struct perso_result *res, struct gt_err *err);
/* Cancel, join, wipe. NULL is fine. */
void perso_job_free(struct perso_job *job);

#endif
