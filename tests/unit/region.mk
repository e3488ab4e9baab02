# unit tests for region
check_PROGRAMS += tests/unit/test_region
TESTS += tests/unit/test_region
tests_unit_test_region_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_region_LDADD = $(UNIT_LDADD)
