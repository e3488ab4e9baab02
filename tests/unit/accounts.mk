# cmocka unit tests of issue 6's flows (approvals, payments, settlement,
# search index, missing key); included from tests/unit/local.mk.
check_PROGRAMS += tests/unit/test_accounts
TESTS += tests/unit/test_accounts
tests_unit_test_accounts_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_accounts_LDADD = $(UNIT_LDADD)
