# Printing tests (issue 5), included from src/print/local.mk: every
# document rendered and read back with pdftotext; template errors; the
# private cupsd with a cups-pdf queue receiving jobs, and its faults; the
# wizard printing the application form in tmux. All TAP.
check_PROGRAMS += tests/fixtures/render_doc
tests_fixtures_render_doc_SOURCES = tests/fixtures/render_doc.c
tests_fixtures_render_doc_LDADD = $(GUITAI_PRINT_LIBS) $(GUITAI_LIBS)

PRINT_TESTS = \
	tests/integration/print-docs.sh \
	tests/integration/print-cups.sh \
	tests/integration/print-token.sh \
	tests/integration/token-mailer.sh \
	tests/integration/settle-print.sh \
	tests/integration/settle-doc.sh
TESTS += $(PRINT_TESTS)
EXTRA_DIST += $(PRINT_TESTS) tests/integration/cups-lib.sh

TESTS += tests/e2e/print.sh
EXTRA_DIST += tests/e2e/print.sh
