# Issue 6's audit-verify throughput (bench/audit.c): `guitai audit verify`
# over a generated trail of 1,000,000 rows, in MB/s beside OpenSSL's bulk
# SHA-256 measured in the same run (target >= 0.5x). Not built by default,
# not part of make check: make bench-audit (BENCH_AUDIT_ARGS, e.g. -n 200000).
EXTRA_PROGRAMS += bench/audit
bench_audit_SOURCES = bench/audit.c
bench_audit_LDADD = $(GUITAI_LIBS)

.PHONY: bench-audit
bench-audit: bench/audit$(EXEEXT) guitai$(EXEEXT)
	bench/audit$(EXEEXT) --guitai guitai$(EXEEXT) --srcdir $(srcdir) $(BENCH_AUDIT_ARGS)
