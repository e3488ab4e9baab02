/* `guitai operator add|passwd|disable|enable|list`: who may make each
 * change is decided here (see cmd_operator.h); the change itself and its
 * audit row are the flow's (flow/session.c). Passwords are wiped as soon as
 * they have been used and never printed or logged. */
#include "config.h"
#include "cmd_operator.h"
#include "db/store.h"
#include "flow/session.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD_OPERATOR_EXIT_FAIL 1
#define CMD_OPERATOR_EXIT_USAGE 2

struct cmd_operator_args {
	const char *name;
	const char *role;
	const char *pwfile;
	const char *by;
	const char *by_pwfile;
};

static void cmd_operator_usage(void)
{
	fprintf(stderr, "%s", _("usage: guitai operator add NAME [--role operator|supervisor|auditor] "
				"[--password-file F] [--by SUPERVISOR [--by-password-file F]]\n"
				"       guitai operator passwd NAME [--password-file F] --by WHO "
				"[--by-password-file F]\n"
				"       guitai operator disable|enable NAME --by SUPERVISOR "
				"[--by-password-file F]\n"
				"       guitai operator list\n"
				"Passwords are read from the file's first line; \"-\" (default) is "
				"standard input,\nthe new password first, then the --by password.\n"));
}

int cmd_read_secret(const char *path, char *out, size_t size, const char *what)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc = -1;

	if (f == NULL) {
		fprintf(stderr, "guitai: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fgets(out, (int)size, f) != NULL) {
		out[strcspn(out, "\r\n")] = '\0';
		rc = out[0] != '\0' ? 0 : -1;
	}
	if (f != stdin)
		fclose(f);
	if (rc != 0)
		/* TRANSLATORS: "no password in standard input" */
		fprintf(stderr, _("guitai: no %s in %s\n"), what,
			strcmp(path, "-") == 0 ? _("standard input") : path);
	return rc;
}

static int cmd_operator_parse(int argc, char **argv, struct cmd_operator_args *a)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "by", required_argument, NULL, 'b' },
		{ "by-password-file", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->pwfile = "-";
	a->by_pwfile = "-";
	/* 0, not 1: glibc then forgets main's "+" (stop at the first word), so
	 * NAME may come before or after the options. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "r:p:b:B:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			a->role = optarg;
			break;
		case 'p':
			a->pwfile = optarg;
			break;
		case 'b':
			a->by = optarg;
			break;
		case 'B':
			a->by_pwfile = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind + 1 != argc)
		return -1;
	a->name = argv[optind];
	return 0;
}

int cmd_approve(struct gt_ctx *ctx, const char *action, const char *app_no, const char *by,
		const char *pwfile)
{
	char password[256], msg[600];
	enum session_result r;
	long long until;
	struct gt_err err;

	if (by == NULL) {
		fprintf(stderr, "%s", _("guitai: a supervisor must approve this: --by SUPERVISOR "
					"(their password from --by-password-file or standard input)\n"));
		return -1;
	}
	if (cmd_read_secret(pwfile ? pwfile : "-", password, sizeof(password), _("password")) != 0)
		return -1;
	r = session_approve(ctx, action, app_no, by, password, &until, &err);
	str_wipe(password, sizeof(password));
	if (r == SESSION_OK)
		return 0;
	session_result_text(r, by, until, &err, msg, sizeof(msg));
	fprintf(stderr, _("guitai: not approved: %s\n"), msg);
	return -1;
}

int cmd_operator_login(struct gt_ctx *ctx, const char *name, const char *pwfile)
{
	char password[256], msg[600];
	enum session_result r;
	long long until;
	struct gt_err err;

	if (cmd_read_secret(pwfile ? pwfile : "-", password, sizeof(password), _("password")) != 0)
		return -1;
	r = session_login(ctx, name, password, &until, &err);
	str_wipe(password, sizeof(password));
	if (r == SESSION_OK)
		return 0;
	session_result_text(r, name, until, &err, msg, sizeof(msg));
	fprintf(stderr, _("guitai: not logged in: %s\n"), msg);
	log_msg("operator: log-in of %s for a command refused", name);
	return -1;
}

/* The --by account authenticates: a supervisor, or (self_ok) the operator
 * named by the command. 0 authorised. */
static int cmd_operator_authorise(struct gt_ctx *ctx, const struct cmd_operator_args *a,
				  const char *action, int self_ok)
{
	char password[256], msg[600];
	enum session_result r;
	long long until;
	struct gt_err err;

	if (a->by == NULL) {
		fprintf(stderr, "%s", self_ok
			? _("guitai: name who authorises this with --by: the operator themselves "
			    "(current password) or a supervisor\n")
			: _("guitai: a supervisor must authorise this: --by SUPERVISOR (their "
			    "password from --by-password-file or standard input)\n"));
		return -1;
	}
	if (cmd_read_secret(a->by_pwfile, password, sizeof(password), _("password")) != 0)
		return -1;
	if (self_ok && strcmp(a->by, a->name) == 0)
		r = session_reauth(ctx, action, a->by, password, &until, &err);
	else
		r = session_approve(ctx, action, "", a->by, password, &until, &err);
	str_wipe(password, sizeof(password));
	if (r == SESSION_OK)
		return 0;
	session_result_text(r, a->by, until, &err, msg, sizeof(msg));
	fprintf(stderr, _("guitai: not authorised: %s\n"), msg);
	log_msg("operator: change of %s refused: authorisation by %s failed", a->name, a->by);
	return -1;
}

static int cmd_operator_add(struct gt_ctx *ctx, const struct cmd_operator_args *a)
{
	const char *role = a->role ? a->role : "operator";
	char password[256];
	size_t n, supervisors;
	struct gt_err err;
	int rc;

	if (session_operator_count(ctx, &n, &supervisors, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return CMD_OPERATOR_EXIT_FAIL;
	}
	/* The first account is made without anyone's approval (there is
	 * nobody to approve), so it must be one that can approve the rest. */
	if (n == 0 && strcmp(role, "supervisor") != 0) {
		fprintf(stderr, "%s", _("guitai: the first operator must be a supervisor "
					"(--role supervisor)\n"));
		return CMD_OPERATOR_EXIT_FAIL;
	}
	if (cmd_read_secret(a->pwfile, password, sizeof(password), _("password")) != 0)
		return CMD_OPERATOR_EXIT_FAIL;
	if (n > 0 && cmd_operator_authorise(ctx, a, SESSION_APPROVE_ADMIN, 0) != 0) {
		str_wipe(password, sizeof(password));
		return CMD_OPERATOR_EXIT_FAIL;
	}
	rc = session_add_operator(ctx, a->name, role, password, &err);
	str_wipe(password, sizeof(password));
	if (rc != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return CMD_OPERATOR_EXIT_FAIL;
	}
	log_msg("operator: added %s (%s)%s%s", a->name, role, n > 0 ? " approved by " : "",
		n > 0 ? a->by : "");
	return EXIT_SUCCESS;
}

static int cmd_operator_passwd(struct gt_ctx *ctx, const struct cmd_operator_args *a)
{
	char password[256];
	struct gt_err err;
	int rc;

	if (cmd_read_secret(a->pwfile, password, sizeof(password), _("password")) != 0)
		return CMD_OPERATOR_EXIT_FAIL;
	if (strlen(password) < 8) {
		str_wipe(password, sizeof(password));
		fprintf(stderr, "%s", _("guitai: password must have at least 8 characters\n"));
		return CMD_OPERATOR_EXIT_FAIL;
	}
	if (cmd_operator_authorise(ctx, a, "operator_passwd", 1) != 0) {
		str_wipe(password, sizeof(password));
		return CMD_OPERATOR_EXIT_FAIL;
	}
	rc = session_set_password(ctx, a->name, password, a->by, &err);
	str_wipe(password, sizeof(password));
	if (rc != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return CMD_OPERATOR_EXIT_FAIL;
	}
	log_msg("operator: password of %s changed, authorised by %s", a->name, a->by);
	return EXIT_SUCCESS;
}

static int cmd_operator_disable(struct gt_ctx *ctx, const struct cmd_operator_args *a,
				int disabled)
{
	struct gt_err err;

	if (cmd_operator_authorise(ctx, a, SESSION_APPROVE_ADMIN, 0) != 0)
		return CMD_OPERATOR_EXIT_FAIL;
	if (session_set_disabled(ctx, a->name, disabled, a->by, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return CMD_OPERATOR_EXIT_FAIL;
	}
	log_msg("operator: %s %s by %s", a->name, disabled ? "disabled" : "enabled", a->by);
	return EXIT_SUCCESS;
}

static int cmd_operator_list(struct gt_ctx *ctx)
{
	struct store_operator *ops = calloc(SESSION_MAX_OPERATORS, sizeof(*ops));
	long long now = ctx_now();
	struct gt_err err;
	size_t n;

	if (ops == NULL)
		return CMD_OPERATOR_EXIT_FAIL;
	if (store_operator_list(ctx->store, ops, SESSION_MAX_OPERATORS, &n, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		free(ops);
		return CMD_OPERATOR_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		char state[64];

		if (ops[i].disabled) {
			snprintf(state, sizeof(state), "%s", _("disabled"));
		} else if (ops[i].locked_until > now) {
			time_t t = (time_t)ops[i].locked_until;
			struct tm tm;
			char when[16];

			localtime_r(&t, &tm);
			strftime(when, sizeof(when), "%H:%M", &tm);
			snprintf(state, sizeof(state), _("locked until %s"), when);
		} else {
			snprintf(state, sizeof(state), "%s", _("active"));
		}
		printf("%s\t%s\t%s\n", ops[i].name, ops[i].role, state);
	}
	str_wipe(ops, SESSION_MAX_OPERATORS * sizeof(*ops));
	free(ops);
	return EXIT_SUCCESS;
}

int cmd_operator_main(struct gt_ctx *ctx, int argc, char **argv)
{
	struct cmd_operator_args a;
	const char *verb = argc >= 2 ? argv[1] : "";

	if (strcmp(verb, "list") == 0 && argc == 2)
		return cmd_operator_list(ctx);
	if ((strcmp(verb, "add") != 0 && strcmp(verb, "passwd") != 0 &&
	     strcmp(verb, "disable") != 0 && strcmp(verb, "enable") != 0) ||
	    cmd_operator_parse(argc - 1, argv + 1, &a) != 0 ||
	    (a.role != NULL && strcmp(verb, "add") != 0)) {
		cmd_operator_usage();
		return CMD_OPERATOR_EXIT_USAGE;
	}
	if (strcmp(verb, "add") == 0)
		return cmd_operator_add(ctx, &a);
	if (strcmp(verb, "passwd") == 0)
		return cmd_operator_passwd(ctx, &a);
	return cmd_operator_disable(ctx, &a, strcmp(verb, "disable") == 0);
}
