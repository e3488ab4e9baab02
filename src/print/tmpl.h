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
 * A document whose length depends on its data (the daily settlement) has a
 * flow: rows the flow supplies, each drawn in a row style of the template,
 * one after another, on as many pages as they take:
 *
 *   columns NAME "X1-X2[l|c|r] ..."      (cells of a row style, mm; l default)
 *   row     NAME [cols=COLUMNS] [size=] [h=] [gap=] [fill=GRAY] [bold]
 *           [rule] [keep] [title] [repeat] "cell" ...
 *                                        (without cols: one cell, full width;
 *                                         keep: stays with the next row;
 *                                         title: a heading, kept with the next
 *                                         row, ending the table above it;
 *                                         repeat: a table header, drawn again
 *                                         at the top of a page until the next
 *                                         title)
 *   flow    y= bottom= [top=] [rowh=]    (rows from y on the first page, from
 *                                         top on later ones, never below
 *                                         bottom; rowh the default height)
 *
 * A template with a flow has no newpage: what comes before the flow line is
 * drawn on the first page, what comes after it (the tail: signatures) once
 * below the last row, its y counted from there; the furniture (qr, footer,
 * reprint, marks) on every page. Row cells take {row.KEY} placeholders, the
 * values of each row. The footer carries the document's number: {app.no},
 * or {report.no} for a document about no one application.
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
	TK_FLOW,
};

#define TMPL_MAX_CELLS 12

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
	double top, bottom;     /* flow: start on later pages, lowest row end (mm) */
	double rowh;            /* flow: a row's height unless its style says (mm) */
};

/* The cells of a row style: each from x1 to x2 (mm), aligned in it. */
struct tmpl_columns {
	char name[32];
	size_t n;
	double x1[TMPL_MAX_CELLS], x2[TMPL_MAX_CELLS];
	enum tmpl_align align[TMPL_MAX_CELLS];
};

/* How the flow draws one kind of row. */
struct tmpl_row {
	char name[32];
	int line;
	int cols;               /* index into columns; -1: one cell, the full width */
	size_t ncells;
	char *cells[TMPL_MAX_CELLS];
	double size;            /* points; 0 = the page's fontsize */
	double h;               /* mm; 0 = the flow's rowh */
	double gap;             /* mm of space above (not at the top of a page) */
	double gray;            /* fill's gray */
	int fill, bold, rule, keep, title, repeat;
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
	int pages;              /* newpage count + 1 (with a flow: as the rows need) */
	struct tmpl_columns *columns;
	size_t ncolumns;
	struct tmpl_row *rows;
	size_t nrows;
	long flow;              /* index of the flow element, -1 none */
};

/* The row style called name, or NULL. */
const struct tmpl_row *tmpl_row_find(const struct tmpl *t, const char *name);

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
