# Issue 6 at scale (bench/scale.c): 1,000,000 applications and 20,000,000
# audit rows generated in-process, then look-ups by application number,
# USCC, ID number and mobile (p99 <= 2 ms), the settlement of a busy day
# (<= 100 ms) and bytes per application. Not built by default, not part of
# make check: make bench-scale (BENCH_SCALE_ARGS, e.g. -a 100000 -r 2000000).
EXTRA_PROGRAMS += bench/scale
bench_scale_SOURCES = bench/scale.c
bench_scale_LDADD = $(GUITAI_LIBS)

.PHONY: bench-scale
bench-scale: bench/scale$(EXEEXT)
	bench/scale$(EXEEXT) --srcdir $(srcdir) $(BENCH_SCALE_ARGS)
