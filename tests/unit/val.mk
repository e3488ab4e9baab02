# unit tests for val
check_PROGRAMS += tests/unit/test_val
TESTS += tests/unit/test_val
tests_unit_test_val_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_val_LDADD = $(UNIT_LDADD)
