/* Dialogs drawn on panels over the current screen: alert, confirm, a
 * one-line prompt (formw, so Chinese input works), a list chooser (menuw)
 * and the F1 help. Each returns after one answer; the screen underneath
 * redraws itself on its next loop turn. */
#include "config.h"
#include "screens/ui.h"
#include "util/i18n.h"
#include "util/str.h"

#include <form.h>
#include <menu.h>
#include <panel.h>
#include <stdlib.h>
#include <string.h>

#define DIALOG_MAX_LINES 64

/* Split text into lines of at most `cols` columns (CJK-aware, breaking at
 * spaces when possible, anywhere between CJK characters). */
static size_t dialog_wrap(const char *text, int cols, char lines[][256], size_t max)
{
	size_t n = 0;

	while (*text != '\0' && n < max) {
		size_t len = str_prefix_for_width(text, cols), cut = len;
		const char *nl = memchr(text, '\n', len);

		if (nl != NULL) {
			cut = (size_t)(nl - text);
			len = cut + 1;
		} else if (text[len] != '\0') {
			/* Prefer a break at the last space for English text. */
			for (size_t i = len; i > len / 2; i--)
				if (text[i] == ' ') {
					cut = i;
					len = i + 1;
					break;
				}
		}
		if (len == 0)
			len = cut = 1;
		if (cut >= sizeof(lines[0]))
			cut = sizeof(lines[0]) - 1;
		memcpy(lines[n], text, cut);
		lines[n][cut] = '\0';
		n++;
		text += len;
	}
	return n;
}

struct dialog {
	WINDOW *win;
	PANEL *panel;
	int h, w;
};

static void dialog_open(struct dialog *d, int h, int w, const char *title)
{
	if (w > COLS - 2)
		w = COLS - 2;
	if (h > LINES - 2)
		h = LINES - 2;
	d->h = h;
	d->w = w;
	d->win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
	keypad(d->win, TRUE);
	d->panel = new_panel(d->win);
	wbkgd(d->win, COLOR_PAIR(UI_C_FIELD));
	box(d->win, 0, 0);
	if (title != NULL) {
		wattron(d->win, A_BOLD);
		ui_put(d->win, 0, 2, w - 4, title);
		wattroff(d->win, A_BOLD);
	}
}

static void dialog_close(struct dialog *d)
{
	del_panel(d->panel);
	delwin(d->win);
	touchwin(stdscr);
	update_panels();
	doupdate();
}

static void dialog_show(struct gt_ctx *ctx)
{
	ui_status_bar(ctx);
	update_panels();
	doupdate();
}

static int dialog_text(struct dialog *d, const char *text, int top)
{
	char (*lines)[256] = calloc(DIALOG_MAX_LINES, sizeof(*lines));
	size_t n;

	if (lines == NULL)
		return top;
	n = dialog_wrap(text, d->w - 4, lines, DIALOG_MAX_LINES);
	for (size_t i = 0; i < n && top + (int)i < d->h - 2; i++)
		ui_put(d->win, top + (int)i, 2, d->w - 4, lines[i]);
	free(lines);
	return top + (int)n;
}

static int dialog_height_for(const char *text, int w, int extra)
{
	char (*lines)[256] = calloc(DIALOG_MAX_LINES, sizeof(*lines));
	int n = 1;

	if (lines != NULL) {
		n = (int)dialog_wrap(text, w - 4, lines, DIALOG_MAX_LINES);
		free(lines);
	}
	return n + extra;
}

void ui_alert(struct gt_ctx *ctx, const char *title, const char *text)
{
	struct dialog d;
	int w = 60;

	dialog_open(&d, dialog_height_for(text, w, 5), w, title);
	dialog_text(&d, text, 2);
	wattron(d.win, COLOR_PAIR(UI_C_HINT));
	ui_put(d.win, d.h - 2, 2, d.w - 4, _("Enter: OK"));
	wattroff(d.win, COLOR_PAIR(UI_C_HINT));
	curs_set(0);
	for (;;) {
		struct ui_key k;

		dialog_show(ctx);
		k = ui_getkey(ctx);
		if (ui_key_is_exit(k) || (!k.is_key && (k.ch == '\r' || k.ch == '\n' || k.ch == 27 ||
							 k.ch == ' ')) ||
		    (k.is_key && k.ch == KEY_ENTER))
			break;
	}
	curs_set(1);
	dialog_close(&d);
}

int ui_confirm(struct gt_ctx *ctx, const char *title, const char *text)
{
	struct dialog d;
	int w = 60, answer = -1;

	dialog_open(&d, dialog_height_for(text, w, 5), w, title);
	dialog_text(&d, text, 2);
	wattron(d.win, COLOR_PAIR(UI_C_HINT));
	ui_put(d.win, d.h - 2, 2, d.w - 4, _("Y: yes   N/Esc: no"));
	wattroff(d.win, COLOR_PAIR(UI_C_HINT));
	curs_set(0);
	while (answer < 0) {
		struct ui_key k;

		dialog_show(ctx);
		k = ui_getkey(ctx);
		if (ui_key_is_exit(k))
			answer = 0;
		else if (!k.is_key && (k.ch == 'y' || k.ch == 'Y' || k.ch == L'是'))
			answer = 1;
		else if (!k.is_key && (k.ch == 'n' || k.ch == 'N' || k.ch == 27 || k.ch == L'否'))
			answer = 0;
	}
	curs_set(1);
	dialog_close(&d);
	return answer;
}

int ui_prompt(struct gt_ctx *ctx, const char *title, const char *text, char *out,
	      size_t size, int secret)
{
	struct dialog d;
	FIELD *fields[2] = { NULL, NULL };
	FORM *form = NULL;
	WINDOW *sub;
	int w = 64, top, result = -1;

	dialog_open(&d, dialog_height_for(text, w, 7), w, title);
	top = dialog_text(&d, text, 2);
	fields[0] = new_field(1, d.w - 6, 0, 0, 0, 0);
	field_opts_off(fields[0], O_AUTOSKIP | O_STATIC);
	set_max_field(fields[0], 200);
	set_field_back(fields[0], A_UNDERLINE);
	if (secret)
		field_opts_off(fields[0], O_PUBLIC);
	form = new_form(fields);
	sub = derwin(d.win, 1, d.w - 6, top + 1, 3);
	set_form_win(form, d.win);
	set_form_sub(form, sub);
	post_form(form);
	wattron(d.win, COLOR_PAIR(UI_C_HINT));
	ui_put(d.win, d.h - 2, 2, d.w - 4, _("Enter: OK   Esc: cancel"));
	wattroff(d.win, COLOR_PAIR(UI_C_HINT));
	while (result < 0) {
		struct ui_key k;

		pos_form_cursor(form);
		dialog_show(ctx);
		k = ui_getkey(ctx);
		if (ui_key_is_exit(k) || (!k.is_key && k.ch == 27)) {
			result = 0;
		} else if ((!k.is_key && (k.ch == '\r' || k.ch == '\n')) ||
			   (k.is_key && k.ch == KEY_ENTER)) {
			form_driver_w(form, KEY_CODE_YES, REQ_VALIDATION);
			str_copy(out, size, field_buffer(fields[0], 0));
			str_trim(out);
			result = 1;
		} else if (k.is_key) {
			if (k.ch == KEY_BACKSPACE)
				form_driver_w(form, KEY_CODE_YES, REQ_DEL_PREV);
			else if (k.ch == KEY_DC)
				form_driver_w(form, KEY_CODE_YES, REQ_DEL_CHAR);
			else if (k.ch == KEY_LEFT)
				form_driver_w(form, KEY_CODE_YES, REQ_PREV_CHAR);
			else if (k.ch == KEY_RIGHT)
				form_driver_w(form, KEY_CODE_YES, REQ_NEXT_CHAR);
			else if (k.ch == KEY_HOME)
				form_driver_w(form, KEY_CODE_YES, REQ_BEG_LINE);
			else if (k.ch == KEY_END)
				form_driver_w(form, KEY_CODE_YES, REQ_END_LINE);
		} else if (k.ch == 127 || k.ch == 8) {
			form_driver_w(form, KEY_CODE_YES, REQ_DEL_PREV);
		} else if (k.ch >= 32) {
			form_driver_w(form, OK, (wchar_t)k.ch);
		}
	}
	/* The field held what was typed, maybe a secret: clear it. */
	set_field_buffer(fields[0], 0, "");
	unpost_form(form);
	free_form(form);
	free_field(fields[0]);
	delwin(sub);
	dialog_close(&d);
	return result;
}

int ui_choose(struct gt_ctx *ctx, const char *title, const char *const *names, size_t n,
	      int current)
{
	struct dialog d;
	ITEM **items = calloc(n + 1, sizeof(*items));
	MENU *menu = NULL;
	WINDOW *sub = NULL;
	int rows, w = 8, result = -2;

	if (items == NULL || n == 0) {
		free(items);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int iw = str_width(names[i]);

		items[i] = new_item(names[i], "");
		if (iw + 6 > w)
			w = iw + 6;
	}
	if (str_width(title) + 6 > w)
		w = str_width(title) + 6;
	rows = (int)n < LINES - 8 ? (int)n : LINES - 8;
	dialog_open(&d, rows + 4, w, title);
	menu = new_menu(items);
	set_menu_win(menu, d.win);
	sub = derwin(d.win, rows, d.w - 4, 2, 2);
	set_menu_sub(menu, sub);
	set_menu_format(menu, rows, 1);
	set_menu_mark(menu, "> ");
	post_menu(menu);
	if (current >= 0 && (size_t)current < n)
		set_current_item(menu, items[current]);
	wattron(d.win, COLOR_PAIR(UI_C_HINT));
	ui_put(d.win, d.h - 1, 2, d.w - 4, _("Enter: choose  Esc: cancel"));
	wattroff(d.win, COLOR_PAIR(UI_C_HINT));
	curs_set(0);
	while (result == -2) {
		struct ui_key k;

		dialog_show(ctx);
		k = ui_getkey(ctx);
		if (ui_key_is_exit(k) || (!k.is_key && k.ch == 27))
			result = -1;
		else if ((!k.is_key && (k.ch == '\r' || k.ch == '\n')) ||
			 (k.is_key && k.ch == KEY_ENTER))
			result = item_index(current_item(menu));
		else if (k.is_key && k.ch == KEY_DOWN)
			menu_driver(menu, REQ_DOWN_ITEM);
		else if (k.is_key && k.ch == KEY_UP)
			menu_driver(menu, REQ_UP_ITEM);
		else if (k.is_key && k.ch == KEY_NPAGE)
			menu_driver(menu, REQ_SCR_DPAGE);
		else if (k.is_key && k.ch == KEY_PPAGE)
			menu_driver(menu, REQ_SCR_UPAGE);
		else if (k.is_key && k.ch == KEY_HOME)
			menu_driver(menu, REQ_FIRST_ITEM);
		else if (k.is_key && k.ch == KEY_END)
			menu_driver(menu, REQ_LAST_ITEM);
		else if (!k.is_key && k.ch < 128 && k.ch > 32)
			/* Typing a code's digits jumps to it (pattern match). */
			menu_driver(menu, (int)k.ch);
		else if (!k.is_key && (k.ch == 127 || k.ch == 8))
			menu_driver(menu, REQ_BACK_PATTERN);
	}
	curs_set(1);
	unpost_menu(menu);
	free_menu(menu);
	for (size_t i = 0; i < n; i++)
		free_item(items[i]);
	free(items);
	delwin(sub);
	dialog_close(&d);
	return result;
}

void ui_help(struct gt_ctx *ctx, const char *title, const char *text)
{
	char full[4096];

	snprintf(full, sizeof(full), "%s\n\n%s", text,
		 _("Keys: Tab/Enter/Down next field, Shift-Tab/Up previous field, "
		   "Enter or F4 opens a list, Left/Right change a choice, "
		   "F10/PgDn next step, F9/PgUp previous step, Esc back to the menu "
		   "(the draft is kept), F1 this help."));
	ui_alert(ctx, title, full);
}
