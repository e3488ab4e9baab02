/* The rows of a document's flow; see rows.h. Each row keeps its pairs in
 * one growing buffer, so a settlement of a few hundred rows costs a few
 * hundred small allocations, and a look-up is a walk over a handful of
 * pairs. */
#include "config.h"
#include "print/rows.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

void prows_init(struct print_rows *r)
{
	memset(r, 0, sizeof(*r));
}

int prows_add(struct print_rows *r, const char *style)
{
	struct print_row *row;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct print_row *grown = realloc(r->items, cap * sizeof(*grown));

		if (grown == NULL)
			return -1;
		r->items = grown;
		r->cap = cap;
	}
	row = &r->items[r->n++];
	memset(row, 0, sizeof(*row));
	str_copy(row->style, sizeof(row->style), style);
	return 0;
}

int prows_set(struct print_rows *r, const char *key, const char *value)
{
	struct print_row *row;
	size_t kl = strlen(key), vl;

	if (r->n == 0)
		return -1;
	row = &r->items[r->n - 1];
	if (value == NULL)
		value = "";
	vl = strlen(value);
	if (row->len + kl + vl + 2 > row->cap) {
		size_t cap = row->cap ? 2 * row->cap : 256;
		char *grown;

		while (cap < row->len + kl + vl + 2)
			cap *= 2;
		/* Copy and wipe rather than realloc: the old block may hold
		 * what the counter typed. */
		grown = malloc(cap);
		if (grown == NULL)
			return -1;
		if (row->kv != NULL) {
			memcpy(grown, row->kv, row->len);
			str_wipe(row->kv, row->cap);
			free(row->kv);
		}
		row->kv = grown;
		row->cap = cap;
	}
	memcpy(row->kv + row->len, key, kl + 1);
	row->len += kl + 1;
	memcpy(row->kv + row->len, value, vl + 1);
	row->len += vl + 1;
	return 0;
}

const char *prows_get(const struct print_rows *r, size_t i, const char *key)
{
	const struct print_row *row;
	const char *found = NULL;

	if (i >= r->n)
		return NULL;
	row = &r->items[i];
	/* The last value set for a key wins. */
	for (size_t at = 0; at < row->len;) {
		const char *k = row->kv + at, *v = k + strlen(k) + 1;

		if (strcmp(k, key) == 0)
			found = v;
		at = (size_t)(v - row->kv) + strlen(v) + 1;
	}
	return found;
}

void prows_free(struct print_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->items[i].kv != NULL)
			str_wipe(r->items[i].kv, r->items[i].cap);
		free(r->items[i].kv);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}
