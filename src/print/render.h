/* Drawing a document: a template (tmpl.h) filled with values, laid out with
 * pango, drawn with cairo into a PDF held in memory (a PDF is what CUPS
 * takes best, and a buffer means no temporary file ever holds a customer's
 * data or a PIN). QR codes come from libqrencode.
 *
 * Fonts: the template names a family list; the default "DejaVu Sans,
 * WenQuanYi Micro Hei, Noto Sans CJK SC" draws Latin letters and digits
 * from DejaVu (so numbers stay text even through a PostScript printer
 * path) and Chinese from WenQuanYi Micro Hei, a TrueType font. Noto CJK
 * comes last, for what the others lack: cairo 1.16 (Debian 12) subsets its
 * CFF outlines wrongly now and then and a glyph goes missing from the PDF
 * (seen: 如 on the application form), which TrueType subsetting does not
 * do. */
#ifndef GUITAI_PRINT_RENDER_H
#define GUITAI_PRINT_RENDER_H

#include <stddef.h>
#include "print/rows.h"
#include "print/tmpl.h"
#include "util/err.h"

struct render_buf {
	unsigned char *data;
	size_t len, cap;
};

struct render_opts {
	int copy;                  /* 1 first print; 2.. a reprint (draws `reprint`) */
	double printer_margin_mm;  /* the printer's unprintable edge; 0 unknown */
	const char *title;         /* PDF metadata title (no personal data) */
	const struct print_rows *rows; /* a template with a flow: its rows ({row.KEY}) */
};

/* Render into out (which the caller frees with render_buf_free). The
 * renderer supplies {page} and {pages} itself. With a flow, the rows are
 * laid out first (row heights are fixed, so that is arithmetic), then the
 * pages drawn, so {pages} is known on the first page; a row whose style
 * the template lacks is an error naming it. Errors name the template's
 * line when an element cannot be drawn. Render from one thread (the
 * process's main one): the font caches are released at exit. The first
 * call loads guitai-print.so (module.c); when it cannot be loaded, the
 * error names the module and why. */
int render_pdf(const struct tmpl *t, tmpl_lookup_fn lookup, void *arg,
	       const struct render_opts *opts, struct render_buf *out, struct gt_err *err);

/* Write the PDF to path (created 0600, replaced when it exists). */
int render_buf_write(const struct render_buf *b, const char *path, struct gt_err *err);
/* Wipe and free. */
void render_buf_free(struct render_buf *b);

#endif
