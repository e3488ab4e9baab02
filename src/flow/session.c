/* Operator log-in and creation; see session.h. An unknown name costs the
 * same scrypt work as a wrong password so the two cannot be told apart by
 * timing. */
#include "config.h"
#include "flow/session.h"
#include "db/crypto.h"
#include "db/store.h"
#include "util/i18n.h"
#include "util/str.h"

#include <string.h>

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
		/* Same work as a real check. */
		crypto_password_verify(password, "scrypt$16384$8$1$00000000000000000000000000000000$"
				       "0000000000000000000000000000000000000000000000000000000000000000");
		return SESSION_BAD;
	}
	if (op.disabled)
		return SESSION_DISABLED;
	if (op.locked_until > now) {
		*locked_until = op.locked_until;
		return SESSION_LOCKED;
	}
	match = crypto_password_verify(password, op.pw_hash);
	if (match != 1) {
		int failures = op.failures + 1;
		long long until = 0;

		if (failures >= SESSION_MAX_FAILURES) {
			until = now + SESSION_LOCK_SECONDS;
			failures = 0;
		}
		if (store_operator_set_failures(ctx->store, name, failures, until, err) != 0)
			return SESSION_ERROR;
		*locked_until = until;
		return until ? SESSION_LOCKED : SESSION_BAD;
	}
	if ((op.failures != 0 || op.locked_until != 0) &&
	    store_operator_set_failures(ctx->store, name, 0, 0, err) != 0)
		return SESSION_ERROR;
	str_copy(ctx->operator_name, sizeof(ctx->operator_name), op.name);
	str_copy(ctx->operator_role, sizeof(ctx->operator_role), op.role);
	return SESSION_OK;
}

void session_logout(struct gt_ctx *ctx)
{
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
	rc = store_operator_add(ctx->store, name, role, hash, ctx_now(), err);
	str_wipe(hash, sizeof(hash));
	return rc;
}
