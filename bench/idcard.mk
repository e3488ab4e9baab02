# ID-card reader benchmark: decode+validate median (target <= 1 ms) and a
# 30 01 read over the simulator at 115200 baud against its wire time
# (target <= 1.3x). Built with the tree, run by hand: make bench-idcard
noinst_PROGRAMS += bench/idcard
bench_idcard_SOURCES = bench/idcard.c
bench_idcard_LDADD = $(GUITAI_LIBS)

.PHONY: bench-idcard
bench-idcard: bench/idcard$(EXEEXT) tests/fixtures/idsim$(EXEEXT)
	bench/idcard$(EXEEXT) --idsim tests/fixtures/idsim$(EXEEXT) \
		--card $(srcdir)/tests/fixtures/cards/resident.ini
