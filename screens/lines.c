/* Lines of text shown in the body area and scrolled (the settlement and
 * the look-up); see accounts.h. A line longer than the screen is cut at a
 * character, never in the middle of one. */
#include "config.h"
#include "screens/accounts.h"
#include "screens/ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ui_lines_add(struct ui_lines *l, int attr, const char *fmt, ...)
{
	va_list ap;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char (*text)[UI_LINE_MAX] = realloc(l->text, cap * sizeof(*text));
		int *attrs;

		if (text == NULL)
			return;
		l->text = text;
		attrs = realloc(l->attr, cap * sizeof(*attrs));
		if (attrs == NULL)
			return;
		l->attr = attrs;
		l->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(l->text[l->n], UI_LINE_MAX, fmt, ap);
	va_end(ap);
	l->attr[l->n++] = attr;
}

void ui_lines_clear(struct ui_lines *l)
{
	l->n = 0;
}

void ui_lines_free(struct ui_lines *l)
{
	free(l->text);
	free(l->attr);
	memset(l, 0, sizeof(*l));
}

void ui_lines_draw(const struct ui_lines *l, int top)
{
	int rows = ui_body_rows();

	ui_clear_body();
	for (int i = 0; i < rows && (size_t)(top + i) < l->n; i++) {
		attron(l->attr[top + i]);
		ui_put(stdscr, ui_body_top() + i, 1, COLS - 2, l->text[top + i]);
		attroff(l->attr[top + i]);
	}
}

int ui_lines_scroll(const struct ui_lines *l, int *top, int is_key, wint_t ch)
{
	int rows = ui_body_rows(), last = (int)l->n > rows ? (int)l->n - rows : 0;

	if (!is_key)
		return 0;
	if (ch == KEY_DOWN)
		*top = *top < last ? *top + 1 : last;
	else if (ch == KEY_UP)
		*top = *top > 0 ? *top - 1 : 0;
	else if (ch == KEY_NPAGE)
		*top = *top + rows < last ? *top + rows : last;
	else if (ch == KEY_PPAGE)
		*top = *top > rows ? *top - rows : 0;
	else if (ch == KEY_HOME)
		*top = 0;
	else if (ch == KEY_END)
		*top = last;
	else
		return 0;
	return 1;
}
