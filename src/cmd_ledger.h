/* Money without a terminal UI: the daily settlement, closing a day, and
 * payments.
 *
 *   guitai report daily [--date YYYY-MM-DD] [--csv FILE]
 *   guitai settle close [--date YYYY-MM-DD] --by SUPERVISOR [--by-password-file F]
 *   guitai payment list [--date YYYY-MM-DD | --app APPNO]
 *   guitai payment void|refund ID --reason TEXT --by SUPERVISOR [--by-password-file F]
 *   guitai payment take APPNO --method M [--reference R]
 *
 * The date defaults to today. Exit status: 0 done, 1 failure or refused,
 * 2 usage error, 3 a closed day whose payments no longer match its closing. */
#ifndef GUITAI_CMD_LEDGER_H
#define GUITAI_CMD_LEDGER_H

#include "flow/ctx.h"

/* argv[0] is "report", "settle" or "payment". */
int cmd_ledger_main(struct gt_ctx *ctx, int argc, char **argv);

#endif
