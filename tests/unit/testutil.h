/* What the unit tests that touch files share: a private temporary
 * directory with HOME pointed at it (so no test reads or writes the
 * user's own configuration or data), its removal, and the configuration
 * the tests run with (the catalogue and divisions of the source tree, a
 * data directory and log inside the temporary directory). */
#ifndef GUITAI_TESTS_TESTUTIL_H
#define GUITAI_TESTS_TESTUTIL_H

#include <stddef.h>
#include "flow/ctx.h"

/* mkdtemp of $TMPDIR/guitai-NAME.XXXXXX into dir; HOME set to it and the
 * XDG directories unset. 0 made, -1 not. */
int tu_tmpdir(char *dir, size_t size, const char *name);
/* Remove dir and everything below it. 0 done. */
int tu_rmtree(const char *dir);
/* Write the test configuration for a temporary directory to conf, with
 * extra INI text appended ("" for none). 0 written. */
int tu_write_config(const char *conf, const char *dir, const char *extra);

/* A temporary directory, its configuration and a context opened on it:
 * what the flow-level tests (sessions, accounts, audit) start from. */
struct tu_ctx {
	char dir[256];
	char conf[512];
	char db[600];            /* the store's file, for a second connection */
	struct gt_ctx ctx;
	int open;
};

/* cmocka set-up: a tu_ctx in *state, its directory named after name, its
 * configuration with extra appended. 0 opened. */
int tu_ctx_new(void **state, const char *name, const char *extra);
/* cmocka tear-down: close, remove, free. */
int tu_ctx_free(void **state);

#endif
