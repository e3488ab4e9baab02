# cmocka unit tests for the record, catalogue, checks, crypto, store,
# configuration and sessions; included from tests/unit/local.mk.
check_PROGRAMS += tests/unit/test_app
TESTS += tests/unit/test_app
tests_unit_test_app_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_app_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_catalog
TESTS += tests/unit/test_catalog
tests_unit_test_catalog_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_catalog_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_check
TESTS += tests/unit/test_check
tests_unit_test_check_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_check_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_crypto
TESTS += tests/unit/test_crypto
tests_unit_test_crypto_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_crypto_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_store
TESTS += tests/unit/test_store
tests_unit_test_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_config_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_session
TESTS += tests/unit/test_session
tests_unit_test_session_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_session_LDADD = $(UNIT_LDADD)
