/* The value dictionary of a document; see values.h. A linear search is
 * enough: a document has about a hundred values and a hundred
 * placeholders, ten thousand short compares per page. */
#include "config.h"
#include "print/values.h"
#include "util/str.h"

#include <string.h>

void pv_init(struct print_values *pv)
{
	pv->n = 0;
}

int pv_set(struct print_values *pv, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < pv->n; i++)
		if (strcmp(pv->items[i].key, key) == 0)
			break;
	if (i == pv->n) {
		if (pv->n == PV_MAX)
			return -1;
		pv->n++;
		str_copy(pv->items[i].key, PV_KEY_MAX, key);
	}
	str_copy(pv->items[i].value, PV_VALUE_MAX, value ? value : "");
	return 0;
}

const char *pv_get(const struct print_values *pv, const char *key)
{
	for (size_t i = 0; i < pv->n; i++)
		if (strcmp(pv->items[i].key, key) == 0)
			return pv->items[i].value;
	return NULL;
}

const char *pv_lookup(void *arg, const char *key)
{
	return pv_get(arg, key);
}

void pv_wipe(struct print_values *pv)
{
	str_wipe(pv->items, pv->n * sizeof(pv->items[0]));
	pv->n = 0;
}
