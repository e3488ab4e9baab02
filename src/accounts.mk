# Operators and approvals, payments and the daily settlement, personal-data
# search (issue 6): flow and db files into the core library, sub-commands
# and screens into guitai. Included from src/local.mk.
libguitai_a_SOURCES += \
	db/ledger.c db/ledger.h \
	db/lookup.c db/lookup.h \
	src/flow/payment.c src/flow/payment.h \
	src/flow/report.c src/flow/report.h \
	src/flow/search.c src/flow/search.h
guitai_SOURCES += \
	src/cmd_operator.c src/cmd_operator.h \
	src/cmd_ledger.c src/cmd_ledger.h \
	src/cmd_search.c src/cmd_search.h
guitai_SOURCES += \
	screens/accounts.h \
	screens/approve.c \
	screens/lines.c \
	screens/query.c \
	screens/settle.c
