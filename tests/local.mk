# Tests. Unit tests are cmocka programs (one per model/util/db file they
# test); integration and e2e tests are shell scripts on tests/lib.sh. All of
# them print TAP.
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = tests/unit/libtestutil.a $(GUITAI_LIBS) $(CMOCKA_LIBS)
# The temporary-directory and configuration set-up several tests share.
check_LIBRARIES = tests/unit/libtestutil.a
tests_unit_libtestutil_a_SOURCES = tests/unit/testutil.c tests/unit/testutil.h

EXTRA_DIST += tests/lib.sh tests/fixtures/app-org.ini tests/fixtures/app-min.ini

include tests/unit/local.mk
include tests/integration/local.mk
include tests/e2e/local.mk

# zh_CN messages compiled for the uninstalled binary (GUITAI_LOCALEDIR).
check_DATA = tests/locale/zh_CN/LC_MESSAGES/guitai.mo
tests/locale/zh_CN/LC_MESSAGES/guitai.mo: $(top_srcdir)/po/zh_CN.po
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(MSGFMT) -c -o $@ $(top_srcdir)/po/zh_CN.po
clean-local: clean-test-locale
clean-test-locale:
	rm -rf tests/locale
.PHONY: clean-test-locale
