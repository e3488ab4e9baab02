/* Document templates: the wording and positions of each printed document,
 * read from a text file per document (data/templates/NAME.tmpl) so a CA
 * changes its paper without recompiling. This module only parses and
 * checks; it knows no cairo (render.c draws) and no application (the flow
 * supplies the values behind the {placeholders}).
 *
 * One command per line, '#' starts a comment, lengths in millimetres from
 * the top-left corner of the printable area (the page less its margin):
 *
 *   page    size=A4 margin=15 font="DejaVu Sans, WenQuanYi Micro Hei" fontsize=10
 *   include "common.inc"                 (same syntax; errors name that file)
 *   map     KEY VALUE "text"             (how a raw value of {KEY} is shown;
 *                                         VALUE - is what shows when empty)
 *   text    x= y= [w=] [h=] [size=] [bold] [align=left|center|right] "text"
 *   cell    x= y= w= h= [lw=] [size=] "label" "value"
 *   box     x= y= w= h= [size=] [dash] ["caption"]
 *   line    x= y= x2= y2= [width=]
 *   fill    x= y= w= h= [gray=]
 *   qr      x= y= size= "content"        (every page)
 *   reprint x= y= [size=] "text"         (every page, only on a reprint)
 *   footer  y= [size=] "text"            (every page; must hold {app.no})
 *   marks   [size=]                      (registration marks at the corners)
 *   newpage
 *
 * Text holds {key} placeholders ({key:full} for a personal number shown in
 * full); {{ and }} are literal braces. Every key is checked against the
 * flow's list when the template is read, so a misspelt key is an error
 * naming its line, not a blank on paper. */
#ifndef GUITAI_PRINT_TMPL_H
#define GUITAI_PRINT_TMPL_H

#include <stddef.h>
#include "util/err.h"

enum tmpl_kind {
	TK_TEXT,
	TK_CELL,
	TK_BOX,
	TK_LINE,
	TK_FILL,
	TK_QR,
	TK_REPRINT,
	TK_FOOTER,
	TK_MARKS,
	TK_NEWPAGE,
};

enum tmpl_align {
	TA_LEFT,
	TA_CENTER,
	TA_RIGHT,
};

struct tmpl_elem {
	enum tmpl_kind kind;
	int line;               /* where it was read, for render errors */
	double x, y, w, h;      /* mm; w/h 0 = not given */
	double x2, y2;          /* line end */
	double size;            /* points; 0 = the page's fontsize */
	double lw;              /* cell: label width (mm) */
	double width;           /* line width (points) */
	double gray;            /* fill: 0 black .. 1 white */
	int bold;
	int dash;
	enum tmpl_align align;
	char *label;            /* cell label, box caption */
	char *text;             /* text, cell value, qr content, footer */
};

struct tmpl_map {
	char *key;
	char *value;
	char *text;
};

struct tmpl {
	char name[64];          /* document name (file name less .tmpl) */
	double page_w, page_h;  /* mm */
	double margin;          /* mm */
	char font[160];
	double font_size;       /* points */
	struct tmpl_elem *elems;
	size_t nelems, elems_cap;
	struct tmpl_map *maps;
	size_t nmaps, maps_cap;
	int pages;              /* newpage count + 1 */
};

/* Is `key` a value the flow can supply? (Called for every placeholder.) */
typedef int (*tmpl_key_fn)(const char *key);

/* Read dir/NAME.tmpl (and its includes from dir). Errors say
 * "FILE:LINE: what is wrong". */
int tmpl_load(const char *dir, const char *name, tmpl_key_fn key_ok, struct tmpl **out,
	      struct gt_err *err);
/* The same from text in memory; `file` names it in errors, includes are
 * read from dir (NULL: includes refused). */
int tmpl_parse(const char *text, size_t len, const char *file, const char *dir,
	       tmpl_key_fn key_ok, struct tmpl **out, struct gt_err *err);
void tmpl_free(struct tmpl *t);

/* Look a value up; NULL when the flow has none (shown blank). */
typedef const char *(*tmpl_lookup_fn)(void *arg, const char *key);

/* Expand the placeholders of `text` into out, applying the template's
 * maps. Returns 1 when out was too small (cut on a character), else 0. */
int tmpl_expand(const struct tmpl *t, const char *text, tmpl_lookup_fn lookup, void *arg,
		char *out, size_t size);

#endif
