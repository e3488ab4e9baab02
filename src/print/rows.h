/* The rows of a document's flow (see tmpl.h): the daily settlement has as
 * many lines as the day had operators, methods and voids, so its values
 * come as rows, each a template row style and a few key -> value pairs
 * that the style's {row.KEY} placeholders show. Values are wiped when the
 * rows are freed: a row may name a masked account or a reason typed at the
 * counter. */
#ifndef GUITAI_PRINT_ROWS_H
#define GUITAI_PRINT_ROWS_H

#include <stddef.h>

struct print_row {
	char style[32];
	char *kv;               /* "key\0value\0key\0value\0..." */
	size_t len, cap;
};

struct print_rows {
	struct print_row *items;
	size_t n, cap;
};

void prows_init(struct print_rows *r);
/* A new row of this style (a template row name); -1 out of memory. */
int prows_add(struct print_rows *r, const char *style);
/* Set key on the last row (value NULL = ""); -1 out of memory or no row. */
int prows_set(struct print_rows *r, const char *key, const char *value);
/* Row i's value of key (without "row."), NULL when not set. */
const char *prows_get(const struct print_rows *r, size_t i, const char *key);
void prows_free(struct print_rows *r);

#endif
