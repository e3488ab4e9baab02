/* The field table widget; see fieldform.h. Layout per row:
 *
 *   * Label..........  [input.....................]  error text
 *
 * The label column is as wide as the widest label of the step; inputs get
 * what is left after keeping room for the error. Widths are counted in
 * terminal cells (CJK = 2), never bytes. */
#include "config.h"
#include "screens/fieldform.h"
#include "model/catalog.h"
#include "model/region.h"
#include "util/i18n.h"
#include "util/str.h"
#include "model/val.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FF_ERR_MIN 24

static const char *ff_section_title(const char *section)
{
	if (strcmp(section, "application") == 0)
		return N_("Certificate");
	if (strcmp(section, "organization") == 0)
		return N_("Organisation");
	if (strcmp(section, "legal_rep") == 0)
		return N_("Legal representative");
	if (strcmp(section, "handler") == 0)
		return N_("Handler");
	if (strcmp(section, "authorization") == 0)
		return N_("Authorisation");
	if (strcmp(section, "invoice") == 0)
		return N_("Invoice");
	return N_("Payment");
}

static int ff_want_width(const struct app_field_def *def)
{
	switch (def->kind) {
	case AK_TEXT:
		return def->max_chars >= 50 ? 44 : def->max_chars >= 30 ? 32 : (int)def->max_chars + 4;
	case AK_DATE:
		return 12;
	default:
		return 36;
	}
}

/* The list a choice field offers: values and the labels shown. */
struct ff_options {
	size_t n;
	char value[64][8];
	char label[64][200];
	const char *names[64];
};

static void ff_options_for(struct fieldform *ff, enum app_field f, struct ff_options *o)
{
	const struct app_field_def *def = &app_fields[f];

	o->n = 0;
	if (def->kind == AK_CHOICE) {
		for (const struct app_choice *c = def->choices; c->value != NULL && o->n < 64; c++) {
			/* Only new issuance exists so far; the others say so in
			 * the home menu rather than here. */
			if (f == AF_SERVICE && strcmp(c->value, "new") != 0)
				continue;
			str_copy(o->value[o->n], sizeof(o->value[0]), c->value);
			str_copy(o->label[o->n], sizeof(o->label[0]), _(c->label));
			o->n++;
		}
	} else if (def->kind == AK_CATALOG) {
		for (size_t i = 0; i < ff->ctx->catalog.nprojects && o->n < 64; i++) {
			str_copy(o->value[o->n], sizeof(o->value[0]), ff->ctx->catalog.projects[i].key);
			str_copy(o->label[o->n], sizeof(o->label[0]), ff->ctx->catalog.projects[i].name);
			o->n++;
		}
	} else if (def->kind == AK_REGION && ff->ctx->regions != NULL) {
		const char *parent = f == AF_ORG_PROVINCE ? "" :
			f == AF_ORG_CITY ? app_get(ff->app, AF_ORG_PROVINCE) : app_get(ff->app, AF_ORG_CITY);
		size_t n = region_child_count(ff->ctx->regions, parent);

		if (f != AF_ORG_PROVINCE && parent[0] == '\0')
			n = 0;
		for (size_t i = 0; i < n && o->n < 64; i++) {
			const struct region *r = region_child(ff->ctx->regions, parent, i);

			str_copy(o->value[o->n], sizeof(o->value[0]), r->code);
			snprintf(o->label[o->n], sizeof(o->label[0]), "%s %s", r->code, r->name);
			o->n++;
		}
	}
	for (size_t i = 0; i < o->n; i++)
		o->names[i] = o->label[i];
}

/* What an input shows for the field's stored value. */
static void ff_shown(struct fieldform *ff, enum app_field f, char *out, size_t size)
{
	const struct app_field_def *def = &app_fields[f];
	const char *v = app_get(ff->app, f);

	out[0] = '\0';
	if (def->kind == AK_TEXT || def->kind == AK_DATE) {
		str_copy(out, size, v);
	} else if (v[0] == '\0') {
		str_copy(out, size, _("(choose with Enter)"));
	} else if (def->kind == AK_CHOICE) {
		const char *label = app_choice_label(f, v);

		str_copy(out, size, label ? _(label) : v);
	} else if (def->kind == AK_CATALOG) {
		const struct catalog_project *p = catalog_project(&ff->ctx->catalog, v);

		str_copy(out, size, p ? p->name : v);
	} else {
		const struct region *r = ff->ctx->regions ? region_find(ff->ctx->regions, v) : NULL;

		if (r != NULL)
			snprintf(out, size, "%s %s", r->code, r->name);
		else
			str_copy(out, size, v);
	}
}

/* A field got focus: remember its value, put the cursor after the text so
 * typing adds to it rather than overwriting it. */
static void ff_entered(struct fieldform *ff)
{
	str_copy(ff->focus_value, sizeof(ff->focus_value), app_get(ff->app, ff->items[ff->cur].field));
	if (ff->items[ff->cur].editable)
		form_driver_w(ff->form, KEY_CODE_YES, REQ_END_FIELD);
}

void ff_open(struct fieldform *ff, struct gt_ctx *ctx, struct application *app,
	     const enum app_field *fields, size_t n, int focus)
{
	const char *section = "";
	int label_w = 0, row = 0, sections = 0;

	memset(ff, 0, sizeof(*ff));
	ff->ctx = ctx;
	ff->app = app;
	ff->body = derwin(stdscr, ui_body_rows(), COLS, ui_body_top(), 0);
	if (n > FF_MAX)
		n = FF_MAX;
	for (size_t i = 0; i < n; i++) {
		int w = str_width(_(app_fields[fields[i]].label));

		if (w > label_w)
			label_w = w;
		if (strcmp(section, app_fields[fields[i]].section) != 0) {
			sections++;
			section = app_fields[fields[i]].section;
		}
	}
	ff->label_x = 3;
	ff->field_x = ff->label_x + label_w + 2;
	section = "";
	for (size_t i = 0; i < n; i++) {
		const struct app_field_def *def = &app_fields[fields[i]];
		struct ff_item *it = &ff->items[i];
		int width = ff_want_width(def), room = COLS - ff->field_x - FF_ERR_MIN - 2;
		char shown[APP_VALUE_MAX];

		if (sections > 1 && strcmp(section, def->section) != 0 && ff->nheadings < 8) {
			ff->headings[ff->nheadings].row = row++;
			ff->headings[ff->nheadings++].text = ff_section_title(def->section);
		}
		section = def->section;
		if (width > room)
			width = room;
		it->field = fields[i];
		it->row = row++;
		it->editable = def->kind == AK_TEXT || def->kind == AK_DATE;
		it->f = new_field(1, width, it->row, ff->field_x, 0, 0);
		field_opts_off(it->f, O_AUTOSKIP);
		if (it->editable) {
			field_opts_off(it->f, O_STATIC);
			set_max_field(it->f, (int)def->max_chars * 2);
		} else {
			field_opts_off(it->f, O_EDIT);
		}
		set_field_back(it->f, A_UNDERLINE);
		ff_shown(ff, it->field, shown, sizeof(shown));
		set_field_buffer(it->f, 0, shown);
		ff->fields[i] = it->f;
	}
	ff->n = n;
	ff->last_row = row;
	ff->fields[n] = NULL;
	ff->form = new_form(ff->fields);
	set_form_win(ff->form, ff->body);
	set_form_sub(ff->form, ff->body);
	ff->cur = focus >= 0 && (size_t)focus < n ? focus : 0;
	set_current_field(ff->form, ff->items[ff->cur].f);
	werase(ff->body);
	post_form(ff->form);
	form_driver_w(ff->form, KEY_CODE_YES, REQ_INS_MODE);
	ff_entered(ff);
}

void ff_close(struct fieldform *ff)
{
	if (ff->form != NULL) {
		unpost_form(ff->form);
		free_form(ff->form);
	}
	for (size_t i = 0; i < ff->n; i++) {
		/* Buffers may hold personal data typed at the counter. */
		set_field_buffer(ff->items[i].f, 0, "");
		free_field(ff->items[i].f);
	}
	if (ff->body != NULL)
		delwin(ff->body);
	memset(ff, 0, sizeof(*ff));
}

void ff_draw(struct fieldform *ff)
{
	int err_x;

	for (size_t i = 0; i < ff->n; i++)
		set_field_back(ff->items[i].f, (int)i == ff->cur ? (A_REVERSE | A_UNDERLINE)
								: A_UNDERLINE);
	for (size_t h = 0; h < ff->nheadings; h++) {
		wattron(ff->body, A_BOLD);
		ui_put(ff->body, ff->headings[h].row, 1, COLS - 2, _(ff->headings[h].text));
		wattroff(ff->body, A_BOLD);
	}
	for (size_t i = 0; i < ff->n; i++) {
		const struct ff_item *it = &ff->items[i];
		const struct app_field_def *def = &app_fields[it->field];
		int required = def->flags & AFF_REQUIRED;
		if (required) {
			wattron(ff->body, COLOR_PAIR(UI_C_ERROR) | A_BOLD);
			mvwaddstr(ff->body, it->row, ff->label_x - 2, "*");
			wattroff(ff->body, COLOR_PAIR(UI_C_ERROR) | A_BOLD);
		}
		ui_put(ff->body, it->row, ff->label_x, ff->field_x - ff->label_x - 1, _(def->label));
		{
			int rows, cols;

			field_info(it->f, &rows, &cols, NULL, NULL, NULL, NULL);
			err_x = ff->field_x + cols + 2;
			wmove(ff->body, it->row, err_x - 1);
			wclrtoeol(ff->body);
		}
		if (it->msg[0] != '\0') {
			enum ui_color c = it->severity >= 2 ? UI_C_ERROR : UI_C_WARN;

			wattron(ff->body, COLOR_PAIR(c) | A_BOLD);
			ui_put(ff->body, it->row, err_x, COLS - err_x - 1, it->msg);
			wattroff(ff->body, COLOR_PAIR(c) | A_BOLD);
		}
	}
	pos_form_cursor(ff->form);
}

static void ff_validate(struct fieldform *ff)
{
	form_driver_w(ff->form, KEY_CODE_YES, REQ_VALIDATION);
}

/* Say beside the field that it is full. */
static void ff_over_limit(struct fieldform *ff, struct ff_item *it)
{
	char msg[160];

	snprintf(msg, sizeof(msg), _("At most %u characters in this field."),
		 app_fields[it->field].max_chars);
	ff_set_issue(ff, it->field, VAL_WARN, msg);
}

static void ff_store_item(struct fieldform *ff, struct ff_item *it)
{
	char buf[APP_VALUE_MAX * 2];
	unsigned max = app_fields[it->field].max_chars;

	if (!it->editable)
		return;
	str_copy(buf, sizeof(buf), field_buffer(it->f, 0));
	str_trim(buf);
	/* Typing stops at the limit, but formw may take a fast paste ahead
	 * of that check: what is stored is cut at the limit, visibly. */
	if (str_utf8_chars(buf) > max) {
		it->cut = 1;
		buf[str_utf8_prefix_chars(buf, max)] = '\0';
		set_field_buffer(it->f, 0, buf);
		ff_over_limit(ff, it);
	}
	app_set(ff->app, it->field, buf);
	str_wipe(buf, sizeof(buf));
}

void ff_store(struct fieldform *ff)
{
	ff_validate(ff);
	for (size_t i = 0; i < ff->n; i++)
		ff_store_item(ff, &ff->items[i]);
}

void ff_reload(struct fieldform *ff)
{
	char shown[APP_VALUE_MAX];

	for (size_t i = 0; i < ff->n; i++) {
		ff_shown(ff, ff->items[i].field, shown, sizeof(shown));
		set_field_buffer(ff->items[i].f, 0, shown);
	}
}

enum app_field ff_current(const struct fieldform *ff)
{
	return ff->items[ff->cur].field;
}

void ff_focus(struct fieldform *ff, enum app_field f)
{
	for (size_t i = 0; i < ff->n; i++)
		if (ff->items[i].field == f) {
			ff->cur = (int)i;
			set_current_field(ff->form, ff->items[i].f);
			ff_entered(ff);
		}
}

void ff_set_issue(struct fieldform *ff, enum app_field f, int severity, const char *msg)
{
	for (size_t i = 0; i < ff->n; i++)
		if (ff->items[i].field == f) {
			ff->items[i].severity = severity;
			str_copy(ff->items[i].msg, sizeof(ff->items[i].msg), msg ? msg : "");
		}
}

void ff_clear_issues(struct fieldform *ff)
{
	for (size_t i = 0; i < ff->n; i++) {
		ff->items[i].severity = 0;
		ff->items[i].msg[0] = '\0';
	}
}

int ff_was_cut(const struct fieldform *ff, enum app_field f)
{
	for (size_t i = 0; i < ff->n; i++)
		if (ff->items[i].field == f)
			return ff->items[i].cut;
	return 0;
}

int ff_bottom(const struct fieldform *ff)
{
	return ff->last_row;
}

/* Characters in the field being edited (formw's own limit counts cells,
 * which would let 200 ASCII characters into a 100-character field). */
static size_t ff_chars(struct fieldform *ff, const struct ff_item *it)
{
	char buf[APP_VALUE_MAX * 2];
	size_t n;

	ff_validate(ff);
	str_copy(buf, sizeof(buf), field_buffer(it->f, 0));
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	n = str_utf8_chars(buf);
	str_wipe(buf, sizeof(buf));
	return n;
}

static enum ff_result ff_move(struct fieldform *ff, int delta, enum app_field *left)
{
	struct ff_item *from = &ff->items[ff->cur];

	ff_validate(ff);
	ff_store_item(ff, from);
	*left = from->field;
	str_copy(ff->left_value, sizeof(ff->left_value), ff->focus_value);
	ff->cur = (ff->cur + delta + (int)ff->n) % (int)ff->n;
	set_current_field(ff->form, ff->items[ff->cur].f);
	ff_entered(ff);
	return FF_LEFT_FIELD;
}

/* Set a choice field and clear what depended on it (a new province
 * empties city and district). */
static void ff_choose_value(struct fieldform *ff, enum app_field f, const char *value)
{
	if (strcmp(app_get(ff->app, f), value) == 0)
		return;
	app_set(ff->app, f, value);
	if (f == AF_ORG_PROVINCE) {
		app_set(ff->app, AF_ORG_CITY, "");
		app_set(ff->app, AF_ORG_COUNTY, "");
	} else if (f == AF_ORG_CITY) {
		app_set(ff->app, AF_ORG_COUNTY, "");
	}
	ff_reload(ff);
}

static enum ff_result ff_choice_key(struct fieldform *ff, struct ui_key k)
{
	struct ff_item *it = &ff->items[ff->cur];
	struct ff_options *o = calloc(1, sizeof(*o));
	const char *v = app_get(ff->app, it->field);
	enum ff_result res = FF_IGNORED;
	int cur = -1;

	if (o == NULL)
		return FF_IGNORED;
	ff_options_for(ff, it->field, o);
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->value[i], v) == 0)
			cur = (int)i;
	if ((k.is_key && (k.ch == KEY_F(4) || k.ch == KEY_ENTER)) ||
	    (!k.is_key && (k.ch == '\r' || k.ch == '\n' || k.ch == ' '))) {
		int chosen;

		if (o->n == 0) {
			ui_message(it->field == AF_ORG_COUNTY || it->field == AF_ORG_CITY
				   ? _("Nothing to choose: choose the level above first, or this "
				       "city has no districts.")
				   : _("Nothing to choose."), UI_C_WARN);
			res = FF_HANDLED;
			goto out;
		}
		chosen = ui_choose(ff->ctx, _(app_fields[it->field].label), o->names, o->n, cur);
		if (chosen >= 0) {
			ff_choose_value(ff, it->field, o->value[chosen]);
			res = FF_CHOSEN;
		} else {
			res = FF_HANDLED;
		}
	} else if (k.is_key && (k.ch == KEY_LEFT || k.ch == KEY_RIGHT) && o->n > 0) {
		int next = cur < 0 ? 0 : (cur + (k.ch == KEY_RIGHT ? 1 : (int)o->n - 1)) % (int)o->n;

		ff_choose_value(ff, it->field, o->value[next]);
		res = FF_CHOSEN;
	}
out:
	free(o);
	return res;
}

enum ff_result ff_key(struct fieldform *ff, struct ui_key k, enum app_field *left)
{
	struct ff_item *it = &ff->items[ff->cur];

	if (ff->n == 0)
		return FF_IGNORED;
	if (k.is_key) {
		switch (k.ch) {
		case KEY_DOWN:
			return ff_move(ff, 1, left);
		case KEY_UP:
		case KEY_BTAB:
			return ff_move(ff, -1, left);
		default:
			break;
		}
	} else if (k.ch == '\t') {
		return ff_move(ff, 1, left);
	}
	if (!it->editable) {
		enum ff_result r = ff_choice_key(ff, k);

		if (r != FF_IGNORED)
			return r;
		if (!k.is_key && (k.ch == '\r' || k.ch == '\n'))
			return ff_move(ff, 1, left);
		return FF_IGNORED;
	}
	if (k.is_key) {
		switch (k.ch) {
		case KEY_ENTER:
			return ff_move(ff, 1, left);
		case KEY_LEFT:
			form_driver_w(ff->form, KEY_CODE_YES, REQ_PREV_CHAR);
			return FF_HANDLED;
		case KEY_RIGHT:
			form_driver_w(ff->form, KEY_CODE_YES, REQ_NEXT_CHAR);
			return FF_HANDLED;
		case KEY_HOME:
			form_driver_w(ff->form, KEY_CODE_YES, REQ_BEG_FIELD);
			return FF_HANDLED;
		case KEY_END:
			form_driver_w(ff->form, KEY_CODE_YES, REQ_END_FIELD);
			return FF_HANDLED;
		case KEY_BACKSPACE:
			form_driver_w(ff->form, KEY_CODE_YES, REQ_DEL_PREV);
			return FF_HANDLED;
		case KEY_DC:
			form_driver_w(ff->form, KEY_CODE_YES, REQ_DEL_CHAR);
			return FF_HANDLED;
		default:
			return FF_IGNORED;
		}
	}
	if (k.ch == '\r' || k.ch == '\n')
		return ff_move(ff, 1, left);
	if (k.ch == 127 || k.ch == 8) {
		form_driver_w(ff->form, KEY_CODE_YES, REQ_DEL_PREV);
		return FF_HANDLED;
	}
	if (k.ch == 21) { /* Ctrl-U: clear the field, as in a shell */
		form_driver_w(ff->form, KEY_CODE_YES, REQ_CLR_FIELD);
		return FF_HANDLED;
	}
	/* Control characters never enter a field. */
	if (k.ch < 32 || (k.ch >= 0x7F && k.ch < 0xA0))
		return FF_IGNORED;
	if (ff_chars(ff, it) >= app_fields[it->field].max_chars) {
		it->cut = 1;
		ff_over_limit(ff, it);
		beep();
		return FF_HANDLED;
	}
	it->cut = 0;
	form_driver_w(ff->form, OK, (wchar_t)k.ch);
	return FF_HANDLED;
}
