# Core library: util, model, flow (and the areas below it). The TUI and the
# sub-commands link against it; so do the unit tests.
noinst_LIBRARIES += libguitai.a
libguitai_a_SOURCES = \
	src/util/err.c src/util/err.h src/util/i18n.h \
	src/util/ini.c src/util/ini.h \
	src/util/str.c src/util/str.h \
	src/util/config.h \
	src/model/val.h \
	src/model/region.h \
	src/model/app.c src/model/app.h \
	src/model/catalog.c src/model/catalog.h \
	src/model/check.c src/model/check.h \
	src/util/config.c \
	src/util/log.c src/util/log.h \
	src/flow/ctx.c src/flow/ctx.h \
	src/flow/issue.c src/flow/issue.h \
	src/flow/session.c src/flow/session.h \
	src/flow/idread.c src/flow/idread.h

GUITAI_LIBS = libguitai.a $(CURSES_LIBS) $(SQLITE_LIBS) $(OPENSSL_LIBS) $(LIBINTL) $(UTIL_LIBS) $(AX_PTHREAD_LIBS)

bin_PROGRAMS += guitai
guitai_SOURCES = src/main.c src/cmd_audit.c src/cmd_audit.h
guitai_LDADD = $(GUITAI_LIBS)

include src/model/val.mk
include src/model/region.mk
include src/idcard/local.mk
include src/accounts.mk
