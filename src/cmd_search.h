/* `guitai search QUERY [--kind app|uscc|name|id|mobile] [--limit N]`: find
 * applications by number, USCC, organisation name (or its leading part),
 * a person's ID number or the handler's mobile (exact). One line per
 * application, tab-separated: number, status, last change, USCC, name,
 * handler, handler's ID number and mobile (masked), net paid. The search
 * is audited (the query masked when personal).
 *
 * Exit status: 0 done (no line when nothing matched), 1 failure, 2 usage. */
#ifndef GUITAI_CMD_SEARCH_H
#define GUITAI_CMD_SEARCH_H

#include "flow/ctx.h"

/* argv[0] is "search". */
int cmd_search_main(struct gt_ctx *ctx, int argc, char **argv);

#endif
