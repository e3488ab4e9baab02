/* `guitai token ...`: keys without a terminal.
 *
 *   guitai token list
 *   guitai token info [--serial S | --label L] [--module PATH]
 *   guitai token personalise APPNO [--pin-file F] [--reader R]
 *                            [--mailer-printer NAME] [--rollback]
 *   guitai token pending         applications whose personalisation did
 *                                not finish
 *   guitai token readers [--wait SECONDS]   PC/SC readers, cards, ATR model
 *
 * Exit status: 0 done, 1 failure, 2 usage error, 3 invalid (PIN refused
 * by the rules, unsupported key model). */
#ifndef GUITAI_CMD_TOKEN_H
#define GUITAI_CMD_TOKEN_H

#include "flow/ctx.h"

/* argv[0] is "token", argv[1] the verb. */
int cmd_token_main(struct gt_ctx *ctx, int argc, char **argv);

struct tok_opening;

/* The end of `guitai issue --batch FILE --token auto`: personalise the
 * stored application; token is "auto" or a reader name. opening: the
 * module opened ahead while the application was stored (or NULL); taken
 * in every case. */
int cmd_token_issue(struct gt_ctx *ctx, const char *app_no, const char *token,
		    const char *pin_file, const char *mailer, struct tok_opening *opening);

#endif
