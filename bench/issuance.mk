# Issue 4's benchmark (bench/issuance): one full batch issuance on SoftHSM2
# against the stock-tool pipeline, medians and ratio. Run by hand:
# make bench-issuance. Needs the fault module (a pass-through here) that
# times C_GenerateKeyPair.
EXTRA_DIST += bench/issuance
.PHONY: bench-issuance
bench-issuance: guitai$(EXEEXT) tests/fixtures/p11fault.so$(EXEEXT)
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' $(srcdir)/bench/issuance
