# cmocka unit tests for the audit trail (db/audit.c and the flows that
# write it); included from tests/unit/local.mk.
check_PROGRAMS += tests/unit/test_audit
TESTS += tests/unit/test_audit
tests_unit_test_audit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_audit_LDADD = $(UNIT_LDADD)
