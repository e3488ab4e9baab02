# Printing tests (issue 5), included from src/print/local.mk: every
# document rendered and read back with pdftotext; template errors; the
# private cupsd with a cups-pdf queue receiving jobs, and its faults; the
# wizard printing the application form in tmux. All TAP.
check_PROGRAMS += tests/fixtures/render_doc
tests_fixtures_render_doc_SOURCES = tests/fixtures/render_doc.c
tests_fixtures_render_doc_LDADD = $(GUITAI_PRINT_LIBS) $(GUITAI_LIBS)
# A printing module of another build (its table's abi differs).
check_PROGRAMS += tests/fixtures/print-oldabi.so
tests_fixtures_print_oldabi_so_SOURCES = tests/fixtures/print_oldabi.c
tests_fixtures_print_oldabi_so_CFLAGS = $(AM_CFLAGS) -fPIC
tests_fixtures_print_oldabi_so_LDFLAGS = $(AM_LDFLAGS) -shared

# The printing module of this build for every test program (render_doc is
# not beside it); tests/integration/print-module.sh unsets it to check
# guitai's own look-up. pkglibdir: where that look-up ends.
AM_TESTS_ENVIRONMENT += \
	GUITAI_PRINT_MODULE='$(abs_top_builddir)/guitai-print.so'; \
	guitai_pkglibdir='$(pkglibdir)'; \
	export GUITAI_PRINT_MODULE guitai_pkglibdir;

PRINT_TESTS = \
	tests/integration/print-docs.sh \
	tests/integration/print-cups.sh \
	tests/integration/print-token.sh \
	tests/integration/token-mailer.sh \
	tests/integration/settle-print.sh \
	tests/integration/settle-doc.sh \
	tests/integration/print-module.sh
TESTS += $(PRINT_TESTS)
EXTRA_DIST += $(PRINT_TESTS) tests/integration/cups-lib.sh

TESTS += tests/e2e/print.sh
EXTRA_DIST += tests/e2e/print.sh
