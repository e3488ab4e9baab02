# Printing (issue 5): document templates (tmpl.c), cairo + pango rendering
# to PDF (render.c), libcups spooling (spool.c), the print flow and its job
# table, the `guitai print` command and the print screen. Included last
# from Makefile.am (it appends to guitai's sources and to EXTRA_PROGRAMS,
# which bench/core.mk sets).
#
# The printing stack (cairo, pango, fontconfig, qrencode, libcups and,
# through them, glib, gnutls, krb5, X11 ...: some 70 shared objects) is not
# linked into guitai: loading it cost every command and the TUI ~9 ms at
# start-up, though most never print (bench/README.md, issue 4). render.c
# and spool.c, the only code that calls those libraries, are built into
# guitai-print.so, installed in $(pkglibdir); the core keeps render.h and
# spool.h as its API through module.c, which dlopens the module on the
# first render or spool and fails with a message naming it when it cannot
# (module.h has the contract, plugin.c the module's side). The module
# exports one table and nothing else (-fvisibility=hidden), gets the few
# core functions it needs from a table handed to it (so it is linked with
# -z defs and guitai exports nothing), and is never closed.
# An automake program rather than a libtool library: one .so, no .la, no
# versioning wanted, only ever dlopened. (Automake refuses programs in
# pkglibdir by that name, hence printmoddir.)
noinst_LIBRARIES += libguitai_print.a
libguitai_print_a_SOURCES = \
	src/print/tmpl.c src/print/tmpl.h \
	src/print/values.c src/print/values.h \
	src/print/rows.c src/print/rows.h \
	src/print/renderbuf.c src/print/render.h \
	src/print/spoolstate.c src/print/spool.h \
	src/print/module.c src/print/module.h \
	src/flow/print.c src/flow/print.h \
	src/flow/settledoc.c src/flow/settledoc.h \
	db/prints.c db/prints.h
libguitai_print_a_CPPFLAGS = $(AM_CPPFLAGS) -DPKGLIBDIR=\"$(pkglibdir)\"

printmoddir = $(pkglibdir)
printmod_PROGRAMS = guitai-print.so
guitai_print_so_SOURCES = \
	src/print/render.c src/print/spool.c \
	src/print/plugin.c src/print/module.h
guitai_print_so_CFLAGS = $(AM_CFLAGS) $(PRINT_CFLAGS) $(CUPS_CFLAGS) -fPIC -fvisibility=hidden
guitai_print_so_LDFLAGS = $(AM_LDFLAGS) -shared -Wl,-z,defs
guitai_print_so_LDADD = $(PRINT_LIBS) $(CUPS_LIBS)

# libguitai.a again after the print library: it uses the core. Programs
# linking these find the module as guitai does; those outside the top
# build directory are pointed at it with GUITAI_PRINT_MODULE (the test
# environment in tests/print.mk, bench/render.sh).
GUITAI_PRINT_LIBS = libguitai_print.a libguitai.a
guitai_SOURCES += src/cmd_print.c src/cmd_print.h screens/print.c
guitai_LDADD += $(GUITAI_PRINT_LIBS)

include data/templates/local.mk
include tests/print.mk
include bench/render.mk
