/* What the unit tests that touch files share: a private temporary
 * directory with HOME pointed at it (so no test reads or writes the
 * user's own configuration or data), its removal, and the configuration
 * the tests run with (the catalogue and divisions of the source tree, a
 * data directory and log inside the temporary directory). */
#ifndef GUITAI_TESTS_TESTUTIL_H
#define GUITAI_TESTS_TESTUTIL_H

#include <stddef.h>

/* mkdtemp of $TMPDIR/guitai-NAME.XXXXXX into dir; HOME set to it and the
 * XDG directories unset. 0 made, -1 not. */
int tu_tmpdir(char *dir, size_t size, const char *name);
/* Remove dir and everything below it. 0 done. */
int tu_rmtree(const char *dir);
/* Write the test configuration for a temporary directory to conf, with
 * extra INI text appended ("" for none). 0 written. */
int tu_write_config(const char *conf, const char *dir, const char *extra);

#endif
