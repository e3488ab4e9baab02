/* The field table widget: one row per application field (label, required
 * mark, input, the field's error beside it), built on formw. Text fields
 * are edited in place; choice, catalogue and region fields show their
 * label and open a list (Enter/F4) or step through it (Left/Right), so
 * those values are chosen, never typed. */
#ifndef GUITAI_FIELDFORM_H
#define GUITAI_FIELDFORM_H

#include "screens/ui.h"
#include "model/app.h"
#include <form.h>

#define FF_MAX 16

struct ff_item {
	enum app_field field;
	int row;
	int editable;
	FIELD *f;
	int severity;
	char msg[200];
	int cut;          /* typing or a paste ran into the limit */
};

struct ff_heading {
	int row;
	const char *text;   /* N_() */
};

struct fieldform {
	struct gt_ctx *ctx;
	struct application *app;
	WINDOW *body;
	FORM *form;
	FIELD *fields[FF_MAX + 1];
	struct ff_item items[FF_MAX];
	size_t n;
	struct ff_heading headings[8];
	size_t nheadings;
	int label_x, field_x, last_row;
	int cur;          /* index of the focused item */
	/* The focused field's value when it got focus, and, after a move,
	 * the left field's: "did leaving it change it" must not depend on
	 * when the edit buffer was last stored (a resize stores it). */
	char focus_value[APP_VALUE_MAX];
	char left_value[APP_VALUE_MAX];
};

/* What a key did, for the wizard to act on. */
enum ff_result {
	FF_IGNORED,
	FF_HANDLED,
	FF_LEFT_FIELD,     /* focus moved; `left` says which field was left */
	FF_CHOSEN,         /* a choice field's value changed */
};

void ff_open(struct fieldform *ff, struct gt_ctx *ctx, struct application *app,
	     const enum app_field *fields, size_t n, int focus);
void ff_close(struct fieldform *ff);
/* Draw labels, values and errors into the frame just drawn. */
void ff_draw(struct fieldform *ff);
/* Copy the edit buffers into the application. */
void ff_store(struct fieldform *ff);
/* Reload every input from the application (after derived values change). */
void ff_reload(struct fieldform *ff);
enum ff_result ff_key(struct fieldform *ff, struct ui_key k, enum app_field *left);
enum app_field ff_current(const struct fieldform *ff);
void ff_focus(struct fieldform *ff, enum app_field f);
void ff_set_issue(struct fieldform *ff, enum app_field f, int severity, const char *msg);
void ff_clear_issues(struct fieldform *ff);
/* True when the field's last store had to cut it at its limit. */
int ff_was_cut(const struct fieldform *ff, enum app_field f);
/* Last row used in the body, so a screen can draw below the fields. */
int ff_bottom(const struct fieldform *ff);

#endif
