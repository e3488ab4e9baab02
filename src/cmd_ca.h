/* `guitai ca ...`: the built-in CA without a terminal.
 *
 *   guitai ca init [--name NAME] [--years N]
 *   guitai ca list [APPNO]
 *   guitai ca revoke SERIAL [--reason N] [--why TEXT]
 *   guitai ca crl [--out FILE] [--days N]
 *
 * Exit status: 0 done, 1 failure, 2 usage error, 3 no such certificate. */
#ifndef GUITAI_CMD_CA_H
#define GUITAI_CMD_CA_H

#include "flow/ctx.h"

/* argv[0] is "ca", argv[1] the verb. */
int cmd_ca_main(struct gt_ctx *ctx, int argc, char **argv);

#endif
