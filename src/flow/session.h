/* Operator sessions: logging in (scrypt-checked password, lock-out after
 * repeated failures) and adding operators. */
#ifndef GUITAI_SESSION_H
#define GUITAI_SESSION_H

#include "flow/ctx.h"

#define SESSION_MAX_FAILURES 5
#define SESSION_LOCK_SECONDS (15 * 60)
#define SESSION_MAX_OPERATORS 1024

enum session_result {
	SESSION_OK,
	SESSION_BAD,        /* unknown name or wrong password: not told apart */
	SESSION_LOCKED,
	SESSION_DISABLED,
	SESSION_ERROR,      /* store error, err set */
	SESSION_ROLE,       /* right password, but the role may not do this */
};

/* On success the context's operator is set. */
enum session_result session_login(struct gt_ctx *ctx, const char *name, const char *password,
				  long long *locked_until, struct gt_err *err);
void session_logout(struct gt_ctx *ctx);
/* The flow primitive: the caller has decided who may add (the first
 * operator of an empty table, or one a supervisor approved). */
int session_add_operator(struct gt_ctx *ctx, const char *name, const char *role,
			 const char *password, struct gt_err *err);

/* What a supervisor's approval is for; the trail names it. */
#define SESSION_APPROVE_USCC "uscc_override"     /* a USCC failing its check */
#define SESSION_APPROVE_VOID "payment_void"      /* voiding a payment */
#define SESSION_APPROVE_REFUND "payment_refund"  /* refunding a payment */
#define SESSION_APPROVE_REPRINT "reprint"        /* printing a form again */
#define SESSION_APPROVE_REVOKE "revoke"          /* revoking a certificate */
#define SESSION_APPROVE_CLOSE "settle_close"     /* closing a day */
#define SESSION_APPROVE_ADMIN "operator_admin"   /* adding, disabling operators */

/* Supervisor approval at the operator's terminal: the supervisor types their
 * own name and password. Checked like a log-in (a wrong password counts
 * towards the supervisor's lock-out; a disabled or locked supervisor cannot
 * approve) but nobody's session changes. SESSION_ROLE when the password is
 * right but the account is not a supervisor. Every outcome is an audit row
 * ("approve.ok", "approve.fail", "approve.locked", "approve.refused") naming
 * the action, the application (app_no may be "") and who asked; when the row
 * cannot be written the result is SESSION_ERROR and nothing is approved.
 * The caller then does the action and names the supervisor in its own row. */
enum session_result session_approve(struct gt_ctx *ctx, const char *action, const char *app_no,
				    const char *supervisor, const char *password,
				    long long *locked_until, struct gt_err *err);
/* The same check for one's own account, any role (changing one's own
 * password). */
enum session_result session_reauth(struct gt_ctx *ctx, const char *action, const char *name,
				   const char *password, long long *locked_until,
				   struct gt_err *err);
/* A sentence for a result that is not SESSION_OK (SESSION_ERROR: err's). */
void session_result_text(enum session_result r, const char *name, long long locked_until,
			 const struct gt_err *err, char *out, size_t size);

/* Set a new password (at least 8 characters; failures and lock cleared). */
int session_set_password(struct gt_ctx *ctx, const char *name, const char *password,
			 const char *authorised_by, struct gt_err *err);
/* Disable (1) or enable (0) an operator. The last active supervisor cannot
 * be disabled: nobody could approve or add operators any more. */
int session_set_disabled(struct gt_ctx *ctx, const char *name, int disabled,
			 const char *authorised_by, struct gt_err *err);
/* Operators in the table (n), and how many active supervisors. */
int session_operator_count(struct gt_ctx *ctx, size_t *n, size_t *supervisors,
			   struct gt_err *err);

#endif
