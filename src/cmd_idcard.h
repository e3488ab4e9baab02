/* `guitai idcard ...`: the ID-card reader without a terminal UI.
 *
 *   guitai idcard read [--device PATH] [--json] [--full] [--wait SECONDS]
 *                      [--timeout MS] [--baud N] [--fingerprint]
 *                      [--photo FILE]
 *   guitai idcard status [--device PATH] [--json]
 *
 * Exit status: 0 a good read (status: reader ready), 1 the reader failed
 * or no card came, 2 usage error, 3 the card was read but may not be used
 * (expired, not yet valid, number or dates wrong). */
#ifndef GUITAI_CMD_IDCARD_H
#define GUITAI_CMD_IDCARD_H

#include "util/config.h"

/* argv[0] is "idcard", argv[1] the verb. */
int cmd_idcard_main(const struct gt_config *cfg, int argc, char **argv);

#endif
