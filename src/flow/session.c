/* Operator log-in and creation; see session.h. An unknown name costs the
 * same scrypt work as a wrong password so the two cannot be told apart by
 * timing. */
#include "config.h"
#include "flow/session.h"
#include "db/crypto.h"
#include "db/store.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <string.h>

/* Record a login attempt (and the failure count it changes, when
 * set_failures) in one transaction: the attempt is refused when its row
 * cannot be written. */
static int session_record(struct gt_ctx *ctx, const char *name, int set_failures, int failures,
			  long long until, const char *action, const char *detail,
			  struct gt_err *err)
{
	if (ctx_begin(ctx, err) != 0)
		return -1;
	if ((set_failures &&
	     store_operator_set_failures(ctx->store, name, failures, until, err) != 0) ||
	    ctx_audit_as(ctx, name, action, "", err, "%s", detail) != 0) {
		ctx_rollback(ctx);
		return -1;
	}
	return ctx_commit(ctx, err);
}

enum session_result session_login(struct gt_ctx *ctx, const char *name, const char *password,
				  long long *locked_until, struct gt_err *err)
{
	struct store_operator op;
	long long now = ctx_now();
	int rc, match;

	*locked_until = 0;
	rc = store_operator_get(ctx->store, name, &op, err);
	if (rc < 0)
		return SESSION_ERROR;
	if (rc == 1) {
		char detail[96];

		/* Same work as a real check. */
		crypto_password_verify(password, "scrypt$16384$8$1$00000000000000000000000000000000$"
				       "0000000000000000000000000000000000000000000000000000000000000000");
		/* Not the name itself: a password typed into the name field
		 * must not end up in the trail. */
		snprintf(detail, sizeof(detail), "unknown operator name (%zu characters)",
			 str_utf8_chars(name));
		if (session_record(ctx, "", 0, 0, 0, "login.fail", detail, err) != 0)
			return SESSION_ERROR;
		return SESSION_BAD;
	}
	if (op.disabled) {
		if (session_record(ctx, name, 0, 0, 0, "login.fail", "operator disabled", err) != 0)
			return SESSION_ERROR;
		return SESSION_DISABLED;
	}
	if (op.locked_until > now) {
		char detail[96];

		snprintf(detail, sizeof(detail), "locked for %lld more seconds",
			 op.locked_until - now);
		if (session_record(ctx, name, 0, 0, 0, "login.fail", detail, err) != 0)
			return SESSION_ERROR;
		*locked_until = op.locked_until;
		return SESSION_LOCKED;
	}
	match = crypto_password_verify(password, op.pw_hash);
	if (match != 1) {
		int failures = op.failures + 1;
		long long until = 0;
		char detail[96];

		snprintf(detail, sizeof(detail), "wrong password (failure %d of %d)", failures,
			 SESSION_MAX_FAILURES);
		if (failures >= SESSION_MAX_FAILURES) {
			until = now + SESSION_LOCK_SECONDS;
			failures = 0;
			snprintf(detail, sizeof(detail), "wrong password %d times: locked for %d minutes",
				 SESSION_MAX_FAILURES, SESSION_LOCK_SECONDS / 60);
		}
		if (session_record(ctx, name, 1, failures, until, until ? "login.locked" : "login.fail",
				   detail, err) != 0)
			return SESSION_ERROR;
		*locked_until = until;
		return until ? SESSION_LOCKED : SESSION_BAD;
	}
	/* The operator is logged in only once the row is committed. */
	{
		char detail[64];

		snprintf(detail, sizeof(detail), "role %s", op.role);
		if (session_record(ctx, name, op.failures != 0 || op.locked_until != 0, 0, 0,
				   "login.ok", detail, err) != 0)
			return SESSION_ERROR;
	}
	str_copy(ctx->operator_name, sizeof(ctx->operator_name), op.name);
	str_copy(ctx->operator_role, sizeof(ctx->operator_role), op.role);
	return SESSION_OK;
}

void session_logout(struct gt_ctx *ctx)
{
	struct gt_err err;

	/* Leaving is never refused (an idle counter must lock even with a
	 * broken database); a row that cannot be written goes to the log. */
	if (ctx->operator_name[0] != '\0' &&
	    ctx_audit(ctx, "logout", "", &err, "role %s", ctx->operator_role) != 0)
		log_msg("audit: logout of %s not recorded: %s", ctx->operator_name, err.msg);
	ctx->operator_name[0] = '\0';
	ctx->operator_role[0] = '\0';
}

int session_add_operator(struct gt_ctx *ctx, const char *name, const char *role,
			 const char *password, struct gt_err *err)
{
	char hash[160];
	size_t n = strlen(name);
	int rc;

	if (n == 0 || n >= 64 || !str_utf8_valid(name) || str_has_control(name))
		return err_set(err, _("operator name must be 1 to 63 printable characters"));
	if (strlen(password) < 8)
		return err_set(err, _("password must have at least 8 characters"));
	if (crypto_password_hash(password, hash, sizeof(hash), err) != 0)
		return -1;
	rc = ctx_begin(ctx, err);
	if (rc == 0 && (store_operator_add(ctx->store, name, role, hash, ctx_now(), err) != 0 ||
			ctx_audit(ctx, "operator.add", "", err, "operator %s; role %s", name, role) != 0)) {
		ctx_rollback(ctx);
		rc = -1;
	}
	if (rc == 0)
		rc = ctx_commit(ctx, err);
	str_wipe(hash, sizeof(hash));
	return rc;
}
