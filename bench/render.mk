# Issue 5's render and print benchmark (bench/render.c driven by
# bench/render.sh; figures in bench/README.md): one document rendered
# warm (median <= 20 ms) and all documents of an issuance handed to CUPS
# (<= 150 ms), beside LibreOffice headless filling the same form. Not
# built by default, not part of make check: make bench-render (root: it
# starts a private cupsd).
EXTRA_PROGRAMS += bench/render
bench_render_SOURCES = bench/render.c
bench_render_LDADD = $(GUITAI_PRINT_LIBS) $(GUITAI_LIBS)
EXTRA_DIST += bench/render.sh bench/render-form.fodt

.PHONY: bench-render
bench-render: bench/render$(EXEEXT) guitai$(EXEEXT) guitai-print.so$(EXEEXT)
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' $(srcdir)/bench/render.sh
