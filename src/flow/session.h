/* Operator sessions: logging in (scrypt-checked password, lock-out after
 * repeated failures) and adding operators. */
#ifndef GUITAI_SESSION_H
#define GUITAI_SESSION_H

#include "flow/ctx.h"

#define SESSION_MAX_FAILURES 5
#define SESSION_LOCK_SECONDS (15 * 60)

enum session_result {
	SESSION_OK,
	SESSION_BAD,        /* unknown name or wrong password: not told apart */
	SESSION_LOCKED,
	SESSION_DISABLED,
	SESSION_ERROR,      /* store error, err set */
};

/* On success the context's operator is set. */
enum session_result session_login(struct gt_ctx *ctx, const char *name, const char *password,
				  long long *locked_until, struct gt_err *err);
void session_logout(struct gt_ctx *ctx);
int session_add_operator(struct gt_ctx *ctx, const char *name, const char *role,
			 const char *password, struct gt_err *err);

#endif
