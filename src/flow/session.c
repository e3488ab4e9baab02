/* Operator log-in and creation; see session.h. An unknown name costs the
 * same scrypt work as a wrong password so the two cannot be told apart by
 * timing. */
#include "config.h"
#include "flow/session.h"
#include "db/audit.h"
#include "db/crypto.h"
#include "db/store.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Record a login attempt (and the failure count it changes, when
 * set_failures) in one transaction: the attempt is refused when its row
 * cannot be written. */
static int session_record(struct gt_ctx *ctx, const char *name, int set_failures, int failures,
			  long long until, const char *action, const char *app_no,
			  const char *detail, struct gt_err *err)
{
	if (ctx_begin(ctx, err) != 0)
		return -1;
	if ((set_failures &&
	     store_operator_set_failures(ctx->store, name, failures, until, err) != 0) ||
	    ctx_audit_as(ctx, name, action, app_no, err, "%s", detail) != 0) {
		ctx_rollback(ctx);
		return -1;
	}
	return ctx_commit(ctx, err);
}

/* Who is being checked, and for what: a log-in, or an approval or
 * re-authentication for an action requested by the logged-in operator. */
struct session_check {
	const char *prefix;         /* "login" or "approve" */
	const char *context;        /* "" or "action X; requested by Y; " */
	const char *required_role;  /* NULL: any */
	const char *app_no;         /* the application concerned, or "" */
};

/* Check a name and password, keep the failure count and lock, and write the
 * outcome's audit row. op is filled when the name exists. */
static enum session_result session_check_password(struct gt_ctx *ctx,
						  const struct session_check *sc,
						  const char *name, const char *password,
						  struct store_operator *op,
						  long long *locked_until, struct gt_err *err)
{
	long long now = ctx_now();
	char action[32], detail[320];
	int rc, match;

	*locked_until = 0;
	rc = store_operator_get(ctx->store, name, op, err);
	if (rc < 0)
		return SESSION_ERROR;
	snprintf(action, sizeof(action), "%s.fail", sc->prefix);
	if (rc == 1) {
		/* Same work as a real check. */
		crypto_password_verify(password, "scrypt$16384$8$1$00000000000000000000000000000000$"
				       "0000000000000000000000000000000000000000000000000000000000000000");
		/* Not the name itself: a password typed into the name field
		 * must not end up in the trail. */
		snprintf(detail, sizeof(detail), "%sunknown operator name (%zu characters)",
			 sc->context, str_utf8_chars(name));
		if (session_record(ctx, "", 0, 0, 0, action, sc->app_no, detail, err) != 0)
			return SESSION_ERROR;
		return SESSION_BAD;
	}
	if (op->disabled) {
		snprintf(detail, sizeof(detail), "%soperator disabled", sc->context);
		if (session_record(ctx, name, 0, 0, 0, action, sc->app_no, detail, err) != 0)
			return SESSION_ERROR;
		return SESSION_DISABLED;
	}
	if (op->locked_until > now) {
		snprintf(detail, sizeof(detail), "%slocked for %lld more seconds", sc->context,
			 op->locked_until - now);
		if (session_record(ctx, name, 0, 0, 0, action, sc->app_no, detail, err) != 0)
			return SESSION_ERROR;
		*locked_until = op->locked_until;
		return SESSION_LOCKED;
	}
	match = crypto_password_verify(password, op->pw_hash);
	if (match != 1) {
		int failures = op->failures + 1;
		long long until = 0;

		snprintf(detail, sizeof(detail), "%swrong password (failure %d of %d)", sc->context,
			 failures, SESSION_MAX_FAILURES);
		if (failures >= SESSION_MAX_FAILURES) {
			until = now + SESSION_LOCK_SECONDS;
			failures = 0;
			snprintf(detail, sizeof(detail), "%swrong password %d times: locked for %d "
				 "minutes", sc->context, SESSION_MAX_FAILURES, SESSION_LOCK_SECONDS / 60);
			snprintf(action, sizeof(action), "%s.locked", sc->prefix);
		}
		if (session_record(ctx, name, 1, failures, until, action, sc->app_no, detail, err) != 0)
			return SESSION_ERROR;
		*locked_until = until;
		return until ? SESSION_LOCKED : SESSION_BAD;
	}
	/* The right password: the count starts again either way. */
	if (sc->required_role != NULL && strcmp(op->role, sc->required_role) != 0) {
		snprintf(action, sizeof(action), "%s.refused", sc->prefix);
		snprintf(detail, sizeof(detail), "%srole %s, not %s", sc->context, op->role,
			 sc->required_role);
		if (session_record(ctx, name, op->failures != 0 || op->locked_until != 0, 0, 0,
				   action, sc->app_no, detail, err) != 0)
			return SESSION_ERROR;
		return SESSION_ROLE;
	}
	snprintf(action, sizeof(action), "%s.ok", sc->prefix);
	snprintf(detail, sizeof(detail), "%srole %s", sc->context, op->role);
	if (session_record(ctx, name, op->failures != 0 || op->locked_until != 0, 0, 0, action,
			   sc->app_no, detail, err) != 0)
		return SESSION_ERROR;
	return SESSION_OK;
}

enum session_result session_login(struct gt_ctx *ctx, const char *name, const char *password,
				  long long *locked_until, struct gt_err *err)
{
	static const struct session_check sc = { "login", "", NULL, "" };
	struct store_operator op;
	enum session_result r;

	r = session_check_password(ctx, &sc, name, password, &op, locked_until, err);
	str_wipe(op.pw_hash, sizeof(op.pw_hash));
	if (r != SESSION_OK)
		return r;
	/* The operator is logged in only once the row is committed. */
	str_copy(ctx->operator_name, sizeof(ctx->operator_name), op.name);
	str_copy(ctx->operator_role, sizeof(ctx->operator_role), op.role);
	return SESSION_OK;
}

static int session_action_known(const char *action)
{
	static const char *const known[] = {
		SESSION_APPROVE_USCC, SESSION_APPROVE_VOID, SESSION_APPROVE_REFUND,
		SESSION_APPROVE_REPRINT, SESSION_APPROVE_REVOKE, SESSION_APPROVE_CLOSE,
		SESSION_APPROVE_ADMIN, "operator_passwd",
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(action, known[i]) == 0)
			return 1;
	return 0;
}

static enum session_result session_authorise(struct gt_ctx *ctx, const char *action,
					     const char *app_no, const char *name,
					     const char *password, const char *required_role,
					     long long *locked_until, struct gt_err *err)
{
	struct session_check sc = { "approve", NULL, required_role, app_no ? app_no : "" };
	struct store_operator op;
	enum session_result r;
	char context[160], asker[80];

	*locked_until = 0;
	if (!session_action_known(action)) {
		err_set(err, _("unknown action to approve: %s"), action);
		return SESSION_ERROR;
	}
	{
		struct audit_ctx ac;

		/* The logged-in operator, or the system account of a command. */
		ctx_audit_ctx(ctx, NULL, asker, sizeof(asker), &ac);
	}
	snprintf(context, sizeof(context), "action %s; requested by %s; ", action, asker);
	sc.context = context;
	r = session_check_password(ctx, &sc, name, password, &op, locked_until, err);
	str_wipe(op.pw_hash, sizeof(op.pw_hash));
	return r;
}

enum session_result session_approve(struct gt_ctx *ctx, const char *action, const char *app_no,
				    const char *supervisor, const char *password,
				    long long *locked_until, struct gt_err *err)
{
	return session_authorise(ctx, action, app_no, supervisor, password, "supervisor",
				 locked_until, err);
}

enum session_result session_reauth(struct gt_ctx *ctx, const char *action, const char *name,
				   const char *password, long long *locked_until,
				   struct gt_err *err)
{
	return session_authorise(ctx, action, "", name, password, NULL, locked_until, err);
}

void session_result_text(enum session_result r, const char *name, long long locked_until,
			 const struct gt_err *err, char *out, size_t size)
{
	char when[32] = "";

	if (locked_until > 0) {
		time_t t = (time_t)locked_until;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%H:%M", &tm);
	}
	switch (r) {
	case SESSION_OK:
		out[0] = '\0';
		break;
	case SESSION_BAD:
		snprintf(out, size, "%s", _("Wrong operator name or password."));
		break;
	case SESSION_LOCKED:
		snprintf(out, size, _("Too many wrong passwords: %s is locked until %s."), name, when);
		break;
	case SESSION_DISABLED:
		snprintf(out, size, _("Operator %s is disabled."), name);
		break;
	case SESSION_ROLE:
		snprintf(out, size, _("%s is not a supervisor and cannot approve this."), name);
		break;
	default:
		snprintf(out, size, "%s", err != NULL ? err->msg : "");
		break;
	}
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

int session_set_password(struct gt_ctx *ctx, const char *name, const char *password,
			 const char *authorised_by, struct gt_err *err)
{
	char hash[160];
	int rc;

	if (strlen(password) < 8)
		return err_set(err, _("password must have at least 8 characters"));
	if (crypto_password_hash(password, hash, sizeof(hash), err) != 0)
		return -1;
	rc = ctx_begin(ctx, err);
	if (rc == 0 && (store_operator_set_password(ctx->store, name, hash, err) != 0 ||
			ctx_audit(ctx, "operator.passwd", "", err, "operator %s; authorised by %s",
				  name, authorised_by) != 0)) {
		ctx_rollback(ctx);
		rc = -1;
	}
	if (rc == 0)
		rc = ctx_commit(ctx, err);
	str_wipe(hash, sizeof(hash));
	return rc;
}

int session_operator_count(struct gt_ctx *ctx, size_t *n, size_t *supervisors,
			   struct gt_err *err)
{
	struct store_operator *ops = calloc(SESSION_MAX_OPERATORS, sizeof(*ops));
	size_t got = 0;
	int rc = -1;

	if (ops == NULL)
		return err_set(err, _("out of memory"));
	if (store_operator_list(ctx->store, ops, SESSION_MAX_OPERATORS, &got, err) != 0)
		goto out;
	*n = got;
	*supervisors = 0;
	for (size_t i = 0; i < got; i++)
		if (!ops[i].disabled && strcmp(ops[i].role, "supervisor") == 0)
			(*supervisors)++;
	rc = 0;
out:
	str_wipe(ops, SESSION_MAX_OPERATORS * sizeof(*ops));
	free(ops);
	return rc;
}

int session_set_disabled(struct gt_ctx *ctx, const char *name, int disabled,
			 const char *authorised_by, struct gt_err *err)
{
	struct store_operator op;
	size_t n, supervisors;
	int rc;

	rc = store_operator_get(ctx->store, name, &op, err);
	str_wipe(op.pw_hash, sizeof(op.pw_hash));
	if (rc < 0)
		return -1;
	if (rc == 1)
		return err_set(err, _("no operator %s"), name);
	if (disabled && !op.disabled && strcmp(op.role, "supervisor") == 0) {
		if (session_operator_count(ctx, &n, &supervisors, err) != 0)
			return -1;
		if (supervisors <= 1)
			return err_set(err, _("%s is the last active supervisor; add another "
					      "supervisor first"), name);
	}
	rc = ctx_begin(ctx, err);
	if (rc == 0 && (store_operator_set_disabled(ctx->store, name, disabled, err) != 0 ||
			ctx_audit(ctx, disabled ? "operator.disable" : "operator.enable", "", err,
				  "operator %s; authorised by %s", name, authorised_by) != 0)) {
		ctx_rollback(ctx);
		rc = -1;
	}
	if (rc == 0)
		rc = ctx_commit(ctx, err);
	return rc;
}
