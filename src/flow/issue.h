/* New issuance (新办) as a resumable sequence of steps over an application:
 * product → organisation → people → invoice & payment → review. Each step
 * names its fields; leaving a step checks them and saves the draft, so a
 * crash at any screen loses nothing that was entered. The batch path runs
 * the same checks over a whole application read from an INI file. */
#ifndef GUITAI_ISSUE_H
#define GUITAI_ISSUE_H

#include <stddef.h>
#include "flow/ctx.h"
#include "model/app.h"
#include "model/check.h"

enum issue_step {
	ISSUE_PRODUCT,
	ISSUE_ORG,
	ISSUE_PEOPLE,
	ISSUE_PAYMENT,
	ISSUE_REVIEW,
	ISSUE_STEPS
};

struct issue_step_def {
	const char *title;   /* N_() */
	const char *help;    /* N_() paragraph for F1 */
	const enum app_field *fields;
	size_t nfields;
};

const struct issue_step_def *issue_step(enum issue_step step);

/* A fresh draft with its application number, saved at once. */
int issue_begin(struct gt_ctx *ctx, struct application *app, struct gt_err *err);
/* Save the draft as it is, at `step` (values that fail checks are kept). */
int issue_save(struct gt_ctx *ctx, struct application *app, int step, struct gt_err *err);
/* Derive what follows from the step's values, then check them. Returns the
 * worst severity; the issues list says which field and why. */
int issue_check_step(struct gt_ctx *ctx, struct application *app, enum issue_step step,
		     struct check_list *out);
/* Check everything; when clean, mark submitted and save. Returns 0 when
 * submitted, 1 when the list holds problems, -1 on a store error. */
int issue_submit(struct gt_ctx *ctx, struct application *app, struct check_list *out,
		 struct gt_err *err);
int issue_cancel(struct gt_ctx *ctx, struct application *app, struct gt_err *err);
int issue_load(struct gt_ctx *ctx, const char *app_no, struct application *app,
	       struct gt_err *err);

/* One problem in a batch file, printed as "section.key: message". */
struct issue_batch_error {
	char where[64];
	char msg[200];
};

struct issue_batch_result {
	char app_no[APP_NO_MAX];
	struct issue_batch_error errors[AF_COUNT + 16];
	size_t nerrors;
};

/* 0 stored (app_no set), 1 invalid data (errors listed), -1 other failure
 * (unreadable file, store error) with err set. operator_name NULL: the
 * operator logged in (`issue --batch --operator` logs in with a password
 * first), else the system account that runs the command ("@user"). */
int issue_batch(struct gt_ctx *ctx, const char *path, const char *operator_name,
		struct issue_batch_result *res, struct gt_err *err);
/* The same with a supervisor's approval (session_approve for
 * SESSION_APPROVE_USCC succeeded for approved_by): a USCC failing its check
 * is accepted when the file gives organization.id_override_reason. The
 * stored payment row is taken as in issue_submit. */
int issue_batch_approved(struct gt_ctx *ctx, const char *path, const char *operator_name,
			 const char *approved_by, struct issue_batch_result *res,
			 struct gt_err *err);

#endif
