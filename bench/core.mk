# Issue 2's performance targets (bench/README.md): start-up to the login
# screen on a pty (bench/startup, median <= 50 ms, against dialog and a
# printf floor) and `guitai issue --batch` (bench/batch, median <= 20 ms,
# against the sqlite3 shell doing one durable commit). Not built by
# default, not part of make check; run by hand: make bench-core (or make
# bench for every benchmark).
# Nothing else declares EXTRA_PROGRAMS yet; a fragment that needs it too
# appends with +=, and the = stays here.
EXTRA_PROGRAMS = bench/startup bench/batch
bench_startup_SOURCES = bench/startup.c
bench_startup_LDADD = $(UTIL_LIBS)
bench_batch_SOURCES = bench/batch.c
bench_batch_LDADD = $(SQLITE_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += bench/run bench/README.md

.PHONY: bench-core bench-core-programs bench
bench-core-programs: bench/startup$(EXEEXT) bench/batch$(EXEEXT) guitai$(EXEEXT) \
		tests/locale/zh_CN/LC_MESSAGES/guitai.mo
bench-core: bench-core-programs
	BENCH_BUILT=1 top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
		$(srcdir)/bench/run

# Every benchmark, one after the other (never in parallel: they would time
# each other). A new benchmark adds its target here.
bench:
	@s=0; \
	$(MAKE) $(AM_MAKEFLAGS) bench-idcard || s=1; \
	$(MAKE) $(AM_MAKEFLAGS) bench-core || s=1; \
	$(MAKE) $(AM_MAKEFLAGS) bench-audit || s=1; \
	$(MAKE) $(AM_MAKEFLAGS) bench-render || s=1; \
	$(MAKE) $(AM_MAKEFLAGS) bench-scale || s=1; \
	exit $$s
