# Tests. Unit tests are cmocka programs (one per model/util/db file they
# test); integration and e2e tests are shell scripts on tests/lib.sh. All of
# them print TAP.
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = $(GUITAI_LIBS) $(CMOCKA_LIBS)

EXTRA_DIST += tests/lib.sh

include tests/unit/local.mk
include tests/integration/local.mk
include tests/e2e/local.mk
