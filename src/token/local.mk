# Key personalisation (issue 4): src/token (PKCS#11 through libp11,
# pcsc-lite, token catalogue, SO-PIN), src/ca (built-in CA, certmonger
# helper), the flow, the sub-commands, the screen, and their tests and
# benchmark. One include line in Makefile.am brings all of it in.
AM_CFLAGS += $(P11_CFLAGS) $(PCSC_CFLAGS) $(P11KIT_CFLAGS)
GUITAI_LIBS += $(P11_LIBS) $(PCSC_LIBS) -ldl

libguitai_a_SOURCES += \
	src/token/catalog.c src/token/catalog.h \
	src/token/p11.c src/token/p11.h \
	src/token/pcsc.c src/token/pcsc.h \
	src/token/sopin.c src/token/sopin.h \
	src/ca/ca.c src/ca/ca.h \
	src/ca/local.c \
	src/ca/helper.c \
	db/tokdb.c db/tokdb.h \
	src/flow/personalise.c src/flow/personalise.h \
	src/flow/persojob.c \
	src/flow/keydesk.c src/flow/keydesk.h

guitai_SOURCES += src/cmd_token.c src/cmd_token.h src/cmd_ca.c src/cmd_ca.h \
	screens/personalise.c


dist_pkgdata_DATA += data/tokens.ini

include tests/fixtures/token.mk
include tests/integration/token.mk
include bench/issuance.mk
