/* What the counter's key screens ask of key personalisation besides
 * running it (flow/personalise.h runs it): which key a personalisation of
 * an application would use — a resume needs the key the application
 * already initialised, a first run a blank one — and that key's PIN rules,
 * so the screen can refuse a bad PIN before anything starts; the
 * personalisations left unfinished (a killed process, a pulled key), with
 * where each stopped, for the home menu; and the record that a random
 * PIN's mailer never came out of the printer, so the key needs a PIN
 * reset. Reads the journal (db/tokdb.h) and the key (token/p11.h); knows
 * no curses. Nothing here sees or keeps a PIN except keydesk_pin_check's
 * borrowed argument. */
#ifndef GUITAI_FLOW_KEYDESK_H
#define GUITAI_FLOW_KEYDESK_H

#include <stddef.h>
#include "flow/ctx.h"
#include "flow/personalise.h"
#include "model/app.h"

/* The key a personalisation of an application would work on. */
struct keydesk_target {
	int resume;               /* the key already carries this application */
	char model[96];           /* the catalogue's name for it */
	char serial[20];          /* "" for a blank key that gets one at init */
	char description[68];     /* slot description (the reader's name) */
	int pin_min, pin_max;     /* the model's PIN rules (token catalogue) */
	int pin_digits;
	char want_serial[40];     /* KEYDESK_TARGET_MISSING: the key to insert */
};

enum {
	KEYDESK_TARGET_FOUND = 0,
	KEYDESK_TARGET_MISSING = 1,   /* the application's key is not inserted */
};

/* 0 found (t filled), 1 the key this application was initialised on is
 * not present (t->want_serial names it; err says so), -1 no usable key
 * or an error (err says why). Opens the configured PKCS#11 module; makes
 * no change to any key. */
int keydesk_target(struct gt_ctx *ctx, const char *app_no, struct keydesk_target *t,
		   struct gt_err *err);

/* The target's PIN rules applied to pin (borrowed, not kept): 0
 * acceptable, -1 with the rule's message (never the PIN). */
int keydesk_pin_check(const struct keydesk_target *t, const char *pin, struct gt_err *err);

/* A personalisation left unfinished. */
struct keydesk_pending {
	char app_no[APP_NO_MAX];
	char org_name[APP_VALUE_MAX];
	enum perso_step step;     /* the last step begun or done */
	int step_done;            /* 1 when that step finished */
	int rolling_back;         /* a roll-back was begun and did not end */
	char reason[256];         /* why the last run stopped ("" unknown: killed) */
	long long at;             /* time of the last journal row */
	char token_serial[40];    /* the key initialised for it ("" none yet) */
	char cert_serial[80];     /* the certificate issued ("" none) */
	int cert_on_key;          /* that certificate was written to the key */
	int valid_certs;          /* certificates a roll-back would revoke */
};

/* Oldest first; at most max (n set). */
int keydesk_pending(struct gt_ctx *ctx, struct keydesk_pending *out, size_t max, size_t *n,
		    struct gt_err *err);
/* Only how many (for the home screen's notice). */
int keydesk_pending_count(struct gt_ctx *ctx, size_t *n, struct gt_err *err);

/* The PIN mailer of a random PIN was not seen printed (failed, or still
 * printing when the operator had to leave) and the PIN is wiped with the
 * screen: audited and logged, naming the key that then needs a PIN reset.
 * -1 when the audit row could not be written (the PIN is gone either
 * way; the caller logs it). */
int keydesk_mailer_lost(struct gt_ctx *ctx, const char *app_no, const char *token_serial,
			struct gt_err *err);

#endif
