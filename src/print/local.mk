# Printing (issue 5): document templates (tmpl.c), cairo + pango rendering
# to PDF (render.c), libcups spooling (spool.c), the print flow and its job
# table, the `guitai print` command and the print screen. Kept in a library
# of its own so that only these objects are compiled with the cairo, pango
# and cups flags; included last from Makefile.am (it appends to guitai's
# sources and to EXTRA_PROGRAMS, which bench/core.mk sets).
noinst_LIBRARIES += libguitai_print.a
libguitai_print_a_SOURCES = \
	src/print/tmpl.c src/print/tmpl.h \
	src/print/values.c src/print/values.h \
	src/print/rows.c src/print/rows.h \
	src/print/render.c src/print/render.h \
	src/print/spool.c src/print/spool.h \
	src/flow/print.c src/flow/print.h \
	src/flow/settledoc.c src/flow/settledoc.h \
	db/prints.c db/prints.h
libguitai_print_a_CFLAGS = $(AM_CFLAGS) $(PRINT_CFLAGS) $(CUPS_CFLAGS)

# libguitai.a again after the print library: it uses the core.
GUITAI_PRINT_LIBS = libguitai_print.a libguitai.a $(PRINT_LIBS) $(CUPS_LIBS)
guitai_SOURCES += src/cmd_print.c src/cmd_print.h screens/print.c
guitai_LDADD += $(GUITAI_PRINT_LIBS)

include data/templates/local.mk
include tests/print.mk
include bench/render.mk
