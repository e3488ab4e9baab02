# cmocka unit tests: each file adds itself here in the same four lines.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_ini
TESTS += tests/unit/test_ini
tests_unit_test_ini_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ini_LDADD = $(UNIT_LDADD)

include tests/unit/val.mk
include tests/unit/region.mk
include tests/unit/idcard.mk
include tests/unit/core.mk
include tests/unit/audit.mk
include tests/unit/accounts.mk
endif
