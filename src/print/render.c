/* Drawing templates into PDF with cairo + pango; see render.h.
 *
 * Coordinates: templates speak millimetres from the top-left corner of the
 * printable area; cairo's PDF surface speaks points. One transform maps
 * the first onto the second, and when the printer's unprintable edge is
 * wider than the template's margin the whole page is scaled down about its
 * centre, so nothing the customer must sign falls off the paper.
 *
 * Part of guitai-print.so (module.h), with spool.c: the core reaches
 * render_pdf through module.c; render_buf_write and render_buf_free are
 * the core's (renderbuf.c). */
#include "config.h"
#include "print/render.h"
#include "util/i18n.h"
#include "util/str.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RENDER_PT_PER_MM (72.0 / 25.4)
#define RENDER_TEXT_MAX 8192
#define RENDER_MIN_FONT 5.0

/* Where the flow puts a row: its page and top (mm, printable area). */
struct render_place {
	size_t row;
	const struct tmpl_row *style;
	int page;
	double y, h;
};

struct render_state {
	const struct tmpl *t;
	cairo_t *cr;
	PangoContext *pctx;
	tmpl_lookup_fn lookup;
	void *arg;
	const struct render_opts *opts;
	int page, pages;
	char page_s[16], pages_s[16], copy_s[16];
	long row;                    /* the flow row being drawn, -1 none */
	struct render_place *places; /* the flow's layout */
	size_t nplaces;
	int tail_page;               /* the tail's page and top */
	double tail_y;
	char buf[RENDER_TEXT_MAX];
};

/* The renderer's own values first ({page}, {pages}, {copy}), then the
 * row's ({row.KEY}, while a flow row is drawn), then the caller's. */
static const char *render_lookup(void *arg, const char *key)
{
	struct render_state *rs = arg;

	if (rs->row >= 0 && strncmp(key, "row.", 4) == 0 && rs->opts->rows != NULL)
		return prows_get(rs->opts->rows, (size_t)rs->row, key + 4);
	if (strcmp(key, "page") == 0)
		return rs->page_s;
	if (strcmp(key, "pages") == 0)
		return rs->pages_s;
	if (strcmp(key, "copy") == 0)
		return rs->copy_s;
	return rs->lookup(rs->arg, key);
}

static const char *render_expand(struct render_state *rs, const char *text)
{
	tmpl_expand(rs->t, text, render_lookup, rs, rs->buf, sizeof(rs->buf));
	return rs->buf;
}

static PangoLayout *render_layout(struct render_state *rs, const char *text, double size,
				  int bold, double width_mm, enum tmpl_align align)
{
	PangoLayout *l = pango_layout_new(rs->pctx);
	PangoFontDescription *fd = pango_font_description_from_string(rs->t->font);

	pango_font_description_set_size(fd, (gint)(size * PANGO_SCALE));
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (width_mm > 0) {
		pango_layout_set_width(l, (int)(width_mm * RENDER_PT_PER_MM * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
		pango_layout_set_alignment(l, align == TA_CENTER ? PANGO_ALIGN_CENTER :
					      align == TA_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	}
	pango_layout_set_text(l, text, -1);
	return l;
}

/* Draw text at (x, y) mm. With a width it wraps; with a height as well it
 * shrinks until it fits, because a long organisation name or address must
 * be printed whole, never cut. Without a width, align is about x. */
static void render_text(struct render_state *rs, double x, double y, double w, double h,
			double size, int bold, enum tmpl_align align, const char *text,
			int vcenter)
{
	PangoLayout *l;
	int pw, ph;

	if (text[0] == '\0')
		return;
	for (;;) {
		l = render_layout(rs, text, size, bold, w, align);
		pango_layout_get_size(l, &pw, &ph);
		if (h <= 0 || (double)ph / PANGO_SCALE <= h * RENDER_PT_PER_MM ||
		    size <= RENDER_MIN_FONT)
			break;
		g_object_unref(l);
		size -= 0.5;
	}
	{
		double tx = x * RENDER_PT_PER_MM, ty = y * RENDER_PT_PER_MM;
		double tw = (double)pw / PANGO_SCALE, th = (double)ph / PANGO_SCALE;

		if (w <= 0 && align == TA_CENTER)
			tx -= tw / 2;
		else if (w <= 0 && align == TA_RIGHT)
			tx -= tw;
		if (vcenter && h > 0 && th < h * RENDER_PT_PER_MM)
			ty += (h * RENDER_PT_PER_MM - th) / 2;
		cairo_move_to(rs->cr, tx, ty);
		pango_cairo_show_layout(rs->cr, l);
	}
	g_object_unref(l);
}

static void render_rect(struct render_state *rs, double x, double y, double w, double h,
			double width, int dash)
{
	static const double dashes[] = { 3.0, 2.0 };

	cairo_save(rs->cr);
	cairo_set_line_width(rs->cr, width);
	if (dash)
		cairo_set_dash(rs->cr, dashes, 2, 0);
	cairo_rectangle(rs->cr, x * RENDER_PT_PER_MM, y * RENDER_PT_PER_MM, w * RENDER_PT_PER_MM,
			h * RENDER_PT_PER_MM);
	cairo_stroke(rs->cr);
	cairo_restore(rs->cr);
}

static int render_qr(struct render_state *rs, const struct tmpl_elem *e, struct gt_err *err)
{
	const char *content = render_expand(rs, e->text);
	QRcode *qr;
	double m;

	if (content[0] == '\0')
		return err_set(err, _("template %s line %d: the QR code has nothing to encode"),
			       rs->t->name, e->line);
	qr = QRcode_encodeString(content, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL)
		return err_set(err, _("template %s line %d: cannot make a QR code: %s"), rs->t->name,
			       e->line, strerror(errno));
	/* A quiet zone of two modules inside the square keeps scanners happy
	 * even when the template puts a line right beside it. */
	m = e->size * RENDER_PT_PER_MM / (qr->width + 4);
	cairo_save(rs->cr);
	cairo_translate(rs->cr, e->x * RENDER_PT_PER_MM + 2 * m, e->y * RENDER_PT_PER_MM + 2 * m);
	for (int r = 0; r < qr->width; r++)
		for (int c = 0; c < qr->width; c++)
			if (qr->data[r * qr->width + c] & 1)
				cairo_rectangle(rs->cr, c * m, r * m, m, m);
	cairo_fill(rs->cr);
	cairo_restore(rs->cr);
	QRcode_free(qr);
	return 0;
}

/* Registration marks: a circle and cross in each corner of the printable
 * area, so a scan of the stamped sheet can be aligned and scaled. */
static void render_marks(struct render_state *rs, const struct tmpl_elem *e)
{
	double s = (e->size > 0 ? e->size : 8) * RENDER_PT_PER_MM;
	double aw = (rs->t->page_w - 2 * rs->t->margin) * RENDER_PT_PER_MM;
	double ah = (rs->t->page_h - 2 * rs->t->margin) * RENDER_PT_PER_MM;
	double cx[4] = { s / 2, aw - s / 2, s / 2, aw - s / 2 };
	double cy[4] = { s / 2, s / 2, ah - s / 2, ah - s / 2 };

	cairo_save(rs->cr);
	cairo_set_line_width(rs->cr, 0.5);
	for (int i = 0; i < 4; i++) {
		cairo_new_sub_path(rs->cr);
		cairo_arc(rs->cr, cx[i], cy[i], s / 4, 0, 2 * G_PI);
		cairo_move_to(rs->cr, cx[i] - s / 2, cy[i]);
		cairo_line_to(rs->cr, cx[i] + s / 2, cy[i]);
		cairo_move_to(rs->cr, cx[i], cy[i] - s / 2);
		cairo_line_to(rs->cr, cx[i], cy[i] + s / 2);
	}
	cairo_stroke(rs->cr);
	cairo_restore(rs->cr);
}

static int render_elem(struct render_state *rs, const struct tmpl_elem *e, struct gt_err *err)
{
	double size = e->size > 0 ? e->size : rs->t->font_size;
	double aw = rs->t->page_w - 2 * rs->t->margin;

	switch (e->kind) {
	case TK_TEXT:
		render_text(rs, e->x, e->y, e->w, e->h, size, e->bold, e->align,
			    render_expand(rs, e->text), 0);
		break;
	case TK_CELL: {
		const double pad = 1.2;

		render_rect(rs, e->x, e->y, e->w, e->h, 0.6, 0);
		cairo_move_to(rs->cr, (e->x + e->lw) * RENDER_PT_PER_MM, e->y * RENDER_PT_PER_MM);
		cairo_line_to(rs->cr, (e->x + e->lw) * RENDER_PT_PER_MM, (e->y + e->h) * RENDER_PT_PER_MM);
		cairo_set_line_width(rs->cr, 0.4);
		cairo_stroke(rs->cr);
		render_text(rs, e->x + pad, e->y + 0.3, e->lw - 2 * pad, e->h - 0.6, size, 0, TA_LEFT,
			    render_expand(rs, e->label), 1);
		render_text(rs, e->x + e->lw + pad, e->y + 0.3, e->w - e->lw - 2 * pad, e->h - 0.6,
			    size, 0, TA_LEFT, render_expand(rs, e->text), 1);
		break;
	}
	case TK_BOX:
		render_rect(rs, e->x, e->y, e->w, e->h, e->dash ? 0.5 : 0.6, e->dash);
		if (e->label != NULL)
			render_text(rs, e->x + 1.5, e->y + 1.2, e->w - 3, 0, e->size > 0 ? e->size : 8,
				    0, TA_LEFT, render_expand(rs, e->label), 0);
		break;
	case TK_LINE:
		cairo_save(rs->cr);
		cairo_set_line_width(rs->cr, e->width);
		cairo_move_to(rs->cr, e->x * RENDER_PT_PER_MM, e->y * RENDER_PT_PER_MM);
		cairo_line_to(rs->cr, e->x2 * RENDER_PT_PER_MM, e->y2 * RENDER_PT_PER_MM);
		cairo_stroke(rs->cr);
		cairo_restore(rs->cr);
		break;
	case TK_FILL:
		cairo_save(rs->cr);
		cairo_set_source_rgb(rs->cr, e->gray, e->gray, e->gray);
		cairo_rectangle(rs->cr, e->x * RENDER_PT_PER_MM, e->y * RENDER_PT_PER_MM,
				e->w * RENDER_PT_PER_MM, e->h * RENDER_PT_PER_MM);
		cairo_fill(rs->cr);
		cairo_restore(rs->cr);
		break;
	case TK_QR:
		return render_qr(rs, e, err);
	case TK_REPRINT: {
		const char *s = render_expand(rs, e->text);
		PangoLayout *l = render_layout(rs, s, e->size > 0 ? e->size : 14, 1, 0, TA_LEFT);
		int pw, ph;

		/* Boxed, so a reprint is told from the first copy at a glance. */
		pango_layout_get_size(l, &pw, &ph);
		cairo_move_to(rs->cr, e->x * RENDER_PT_PER_MM + 3, e->y * RENDER_PT_PER_MM + 2);
		pango_cairo_show_layout(rs->cr, l);
		cairo_set_line_width(rs->cr, 1.2);
		cairo_rectangle(rs->cr, e->x * RENDER_PT_PER_MM, e->y * RENDER_PT_PER_MM,
				(double)pw / PANGO_SCALE + 6, (double)ph / PANGO_SCALE + 4);
		cairo_stroke(rs->cr);
		g_object_unref(l);
		break;
	}
	case TK_FOOTER:
		render_text(rs, 0, e->y, aw, 0, e->size > 0 ? e->size : 7.5, 0, TA_CENTER,
			    render_expand(rs, e->text), 0);
		break;
	case TK_MARKS:
		render_marks(rs, e);
		break;
	case TK_NEWPAGE:
	case TK_FLOW:
		break;
	}
	return 0;
}

/* Elements drawn on every page: QR, footer, reprint mark, registration
 * marks. */
static int render_furniture(const struct tmpl_elem *e)
{
	return e->kind == TK_QR || e->kind == TK_FOOTER || e->kind == TK_REPRINT ||
	       e->kind == TK_MARKS;
}

/* ---- the flow ------------------------------------------------------- */

static double render_row_h(const struct tmpl_elem *flow, const struct tmpl_row *st)
{
	return st->h > 0 ? st->h : flow->rowh;
}

/* How far below its origin the tail reaches (mm): its lowest element. A
 * text without a height is counted a line and a half of its size. */
static double render_tail_h(const struct tmpl *t)
{
	double low = 0;

	for (size_t i = (size_t)t->flow + 1; i < t->nelems; i++) {
		const struct tmpl_elem *e = &t->elems[i];
		double b = e->y + e->h;

		if (e->kind == TK_QR || e->kind == TK_FOOTER || e->kind == TK_REPRINT ||
		    e->kind == TK_MARKS)
			continue;
		if (e->kind == TK_LINE)
			b = e->y2 > e->y ? e->y2 : e->y;
		else if (e->kind == TK_TEXT && e->h <= 0)
			b = e->y + 1.5 * (e->size > 0 ? e->size : t->font_size) / RENDER_PT_PER_MM;
		if (b > low)
			low = b;
	}
	return low;
}

static int render_add_place(struct render_state *rs, size_t row, const struct tmpl_row *st,
			    int page, double y, double h)
{
	struct render_place *p = realloc(rs->places, (rs->nplaces + 1) * sizeof(*p));

	if (p == NULL)
		return -1;
	rs->places = p;
	p[rs->nplaces++] = (struct render_place){ row, st, page, y, h };
	return 0;
}

/* Lay the rows out: each below the last, a new page when the next one
 * (with the row it must stay with) does not fit above bottom=; a table's
 * header row again at the top of the new page. Sets rs->pages. */
static int render_flow_layout(struct render_state *rs, struct gt_err *err)
{
	const struct tmpl *t = rs->t;
	const struct tmpl_elem *f = &t->elems[t->flow];
	const struct print_rows *rows = rs->opts->rows;
	size_t n = rows != NULL ? rows->n : 0;
	double y = f->y, tail_h;
	long header = -1;
	int page = 0, at_top = 1;

	for (size_t i = 0; i < n; i++) {
		const struct tmpl_row *st = tmpl_row_find(t, rows->items[i].style), *next = NULL;
		double h, gap, need;

		if (st == NULL)
			return err_set(err, _("template %s: no row style \"%s\" for the flow"), t->name,
				       rows->items[i].style);
		h = render_row_h(f, st);
		gap = at_top ? 0 : st->gap;
		need = gap + h;
		if ((st->keep || st->title) && i + 1 < n) {
			next = tmpl_row_find(t, rows->items[i + 1].style);
			if (next != NULL)
				need += next->gap + render_row_h(f, next);
		}
		if (!at_top && y + need > f->bottom + 0.01) {
			page++;
			y = f->top;
			gap = 0;
			at_top = 1;
			/* A table going on: its header again, unless this row
			 * starts something new. */
			if (header >= 0 && !st->title && !st->repeat) {
				const struct tmpl_row *hs = tmpl_row_find(t, rows->items[header].style);

				if (render_add_place(rs, (size_t)header, hs, page, y, render_row_h(f, hs)) != 0)
					return err_set(err, _("out of memory"));
				y += render_row_h(f, hs);
				at_top = 0;
			}
		}
		y += gap;
		if (render_add_place(rs, i, st, page, y, h) != 0)
			return err_set(err, _("out of memory"));
		y += h;
		at_top = 0;
		if (st->repeat)
			header = (long)i;
		else if (st->title)
			header = -1;
	}
	/* The tail (signatures) below the last row, or on a page of its own. */
	tail_h = render_tail_h(t);
	if (tail_h > 0 && y + tail_h > f->bottom + 0.01 && !at_top) {
		page++;
		y = f->top;
	}
	rs->tail_page = page;
	rs->tail_y = y;
	rs->pages = page + 1;
	return 0;
}

static void render_row(struct render_state *rs, const struct render_place *pl)
{
	const struct tmpl_row *st = pl->style;
	const struct tmpl_columns *c = st->cols >= 0 ? &rs->t->columns[st->cols] : NULL;
	double aw = rs->t->page_w - 2 * rs->t->margin, pad = 1.0;
	double size = st->size > 0 ? st->size : rs->t->font_size;
	double left = c != NULL ? c->x1[0] : 0, right = c != NULL ? c->x2[c->n - 1] : aw;

	rs->row = (long)pl->row;
	if (st->fill) {
		cairo_save(rs->cr);
		cairo_set_source_rgb(rs->cr, st->gray, st->gray, st->gray);
		cairo_rectangle(rs->cr, left * RENDER_PT_PER_MM, pl->y * RENDER_PT_PER_MM,
				(right - left) * RENDER_PT_PER_MM, pl->h * RENDER_PT_PER_MM);
		cairo_fill(rs->cr);
		cairo_restore(rs->cr);
	}
	for (size_t j = 0; j < st->ncells; j++) {
		double x1 = c != NULL ? c->x1[j] : 0, x2 = c != NULL ? c->x2[j] : aw;

		render_text(rs, x1 + pad, pl->y, x2 - x1 - 2 * pad, pl->h, size, st->bold,
			    c != NULL ? c->align[j] : TA_LEFT, render_expand(rs, st->cells[j]), 1);
	}
	if (st->rule) {
		cairo_save(rs->cr);
		cairo_set_line_width(rs->cr, 0.5);
		cairo_move_to(rs->cr, left * RENDER_PT_PER_MM, (pl->y + pl->h) * RENDER_PT_PER_MM);
		cairo_line_to(rs->cr, right * RENDER_PT_PER_MM, (pl->y + pl->h) * RENDER_PT_PER_MM);
		cairo_stroke(rs->cr);
		cairo_restore(rs->cr);
	}
	rs->row = -1;
}

/* One page of a template with a flow: the head on the first, the rows
 * laid out on this one, the tail where it fell. */
static int render_flow_page(struct render_state *rs, struct gt_err *err)
{
	const struct tmpl *t = rs->t;

	if (rs->page == 0)
		for (size_t i = 0; i < (size_t)t->flow; i++)
			if (!render_furniture(&t->elems[i]) && render_elem(rs, &t->elems[i], err) != 0)
				return -1;
	for (size_t i = 0; i < rs->nplaces; i++)
		if (rs->places[i].page == rs->page)
			render_row(rs, &rs->places[i]);
	if (rs->page == rs->tail_page) {
		cairo_save(rs->cr);
		cairo_translate(rs->cr, 0, rs->tail_y * RENDER_PT_PER_MM);
		for (size_t i = (size_t)t->flow + 1; i < t->nelems; i++)
			if (!render_furniture(&t->elems[i]) && render_elem(rs, &t->elems[i], err) != 0) {
				cairo_restore(rs->cr);
				return -1;
			}
		cairo_restore(rs->cr);
	}
	return 0;
}


static cairo_status_t render_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct render_buf *b = closure;

	if (b->len + length > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		unsigned char *nd;

		while (cap < b->len + length)
			cap *= 2;
		nd = malloc(cap);
		if (nd == NULL)
			return CAIRO_STATUS_NO_MEMORY;
		/* Grow by copy and wipe, not realloc: the old block held
		 * the customer's data too. */
		if (b->data != NULL) {
			memcpy(nd, b->data, b->len);
			str_wipe(b->data, b->cap);
			free(b->data);
		}
		b->data = nd;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, length);
	b->len += length;
	return CAIRO_STATUS_SUCCESS;
}

/* At exit: give back the font caches that pango (its default font map is
 * kept per thread until the thread ends), cairo and fontconfig hold for
 * the life of the process, so that a leak checker sees a clean exit
 * instead of thousands of "leaks" that are really caches. Runs in the
 * thread that called exit(), which is the one that renders. */
static void render_cleanup(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}

int render_pdf(const struct tmpl *t, tmpl_lookup_fn lookup, void *arg,
	       const struct render_opts *opts, struct render_buf *out, struct gt_err *err)
{
	static int cleanup_registered;
	struct render_state *rs = calloc(1, sizeof(*rs));
	double wpt = t->page_w * RENDER_PT_PER_MM, hpt = t->page_h * RENDER_PT_PER_MM;
	double margin = t->margin, scale = 1;
	cairo_surface_t *surf = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (rs == NULL)
		return err_set(err, _("out of memory"));
	if (!cleanup_registered) {
		atexit(render_cleanup);
		cleanup_registered = 1;
	}
	rs->t = t;
	rs->lookup = lookup;
	rs->arg = arg;
	rs->opts = opts;
	rs->pages = t->pages;
	rs->row = -1;
	if (t->flow >= 0 && render_flow_layout(rs, err) != 0)
		goto cleanup;
	snprintf(rs->pages_s, sizeof(rs->pages_s), "%d", rs->pages);
	snprintf(rs->copy_s, sizeof(rs->copy_s), "%d", opts->copy > 0 ? opts->copy : 1);
	surf = cairo_pdf_surface_create_for_stream(render_write, out, wpt, hpt);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		err_set(err, _("cannot start a PDF: %s"), cairo_status_to_string(cairo_surface_status(surf)));
		goto cleanup;
	}
	if (opts->title != NULL)
		cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, opts->title);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, PACKAGE_STRING);
	rs->cr = cairo_create(surf);
	rs->pctx = pango_cairo_create_context(rs->cr);
	/* Font sizes are in points on a 72-unit-per-inch PDF page. */
	pango_cairo_context_set_resolution(rs->pctx, 72);
	if (opts->printer_margin_mm > margin) {
		scale = (t->page_w - 2 * opts->printer_margin_mm) / (t->page_w - 2 * margin);
		margin = opts->printer_margin_mm;
	}
	for (size_t first = 0; rs->page < rs->pages; rs->page++) {
		size_t i;

		snprintf(rs->page_s, sizeof(rs->page_s), "%d", rs->page + 1);
		cairo_save(rs->cr);
		cairo_translate(rs->cr, margin * RENDER_PT_PER_MM,
				(t->page_h - (t->page_h - 2 * t->margin) * scale) / 2 * RENDER_PT_PER_MM);
		cairo_scale(rs->cr, scale, scale);
		cairo_set_source_rgb(rs->cr, 0, 0, 0);
		pango_cairo_update_context(rs->cr, rs->pctx);
		for (i = 0; i < t->nelems; i++) {
			const struct tmpl_elem *e = &t->elems[i];

			if (!render_furniture(e) || (e->kind == TK_REPRINT && opts->copy <= 1))
				continue;
			if (render_elem(rs, e, err) != 0)
				goto cleanup;
		}
		if (t->flow >= 0) {
			if (render_flow_page(rs, err) != 0)
				goto cleanup;
		} else {
			for (i = first; i < t->nelems && t->elems[i].kind != TK_NEWPAGE; i++) {
				if (render_furniture(&t->elems[i]))
					continue;
				if (render_elem(rs, &t->elems[i], err) != 0)
					goto cleanup;
			}
			first = i + 1;
		}
		cairo_restore(rs->cr);
		cairo_show_page(rs->cr);
	}
	g_object_unref(rs->pctx);
	rs->pctx = NULL;
	cairo_destroy(rs->cr);
	rs->cr = NULL;
	cairo_surface_finish(surf);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		err_set(err, _("cannot write the PDF: %s"), cairo_status_to_string(cairo_surface_status(surf)));
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (rs->pctx != NULL)
		g_object_unref(rs->pctx);
	if (rs->cr != NULL)
		cairo_destroy(rs->cr);
	if (surf != NULL)
		cairo_surface_destroy(surf);
	str_wipe(rs->buf, sizeof(rs->buf));
	free(rs->places);
	free(rs);
	if (rc != 0)
		render_buf_free(out);
	return rc;
}
