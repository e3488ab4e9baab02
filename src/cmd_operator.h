/* `guitai operator ...`: operator accounts without a terminal UI.
 *
 *   guitai operator add NAME [--role R] [--password-file F] [--by SUP [--by-password-file F]]
 *   guitai operator passwd NAME [--password-file F] --by WHO [--by-password-file F]
 *   guitai operator disable|enable NAME --by SUP [--by-password-file F]
 *   guitai operator list
 *
 * Only the first operator of an empty table is added without anyone's
 * approval, and it must be a supervisor. Every other change names, with
 * --by, a supervisor who types their password (or, for passwd, the
 * operator themselves with their current password). Passwords are read from
 * a file's first line; "-" (the default) is standard input, where the new
 * password comes first and the --by password on the next line.
 *
 * Exit status: 0 done, 1 failure or refused, 2 usage error. */
#ifndef GUITAI_CMD_OPERATOR_H
#define GUITAI_CMD_OPERATOR_H

#include "flow/ctx.h"

/* A supervisor's approval on the command line (session_approve): `by` and
 * the first line of pwfile ("-" or NULL: the next line of standard input).
 * Prints why not on stderr; 0 approved. */
/* A password or PIN from the first line of a file ("-": the next line of
 * standard input), never from the command line where ps would show it.
 * what names it in the message when it is missing ("password", "PIN",
 * translated). 0 read; the caller wipes out. */
int cmd_read_secret(const char *path, char *out, size_t size, const char *what);

int cmd_approve(struct gt_ctx *ctx, const char *action, const char *app_no, const char *by,
		const char *pwfile);

/* Log an operator in for one command (`issue --batch --operator NAME`):
 * the password is the first line of pwfile ("-" or NULL: the next line of
 * standard input), checked like a log-in at the counter (session_login:
 * the same lock-out after repeated failures, every attempt audited). On
 * success the context's operator is set; session_logout when done. Prints
 * why not on stderr; 0 logged in. */
int cmd_operator_login(struct gt_ctx *ctx, const char *name, const char *pwfile);

/* argv[0] is "operator", argv[1] the verb. */
int cmd_operator_main(struct gt_ctx *ctx, int argc, char **argv);

#endif
