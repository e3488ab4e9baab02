/* The values a document is filled with: a small dictionary of key → text
 * that the flow builds from an application and the renderer reads through
 * tmpl_lookup_fn. Fixed capacity and no allocation per entry, so a render
 * costs nothing to set up; values are wiped when dropped because some of
 * them (ID numbers, a PIN on a mailer) are personal or secret. */
#ifndef GUITAI_PRINT_VALUES_H
#define GUITAI_PRINT_VALUES_H

#include <stddef.h>

#define PV_MAX 192
#define PV_KEY_MAX 48
#define PV_VALUE_MAX 512

struct print_values {
	size_t n;
	struct {
		char key[PV_KEY_MAX];
		char value[PV_VALUE_MAX];
	} items[PV_MAX];
};

void pv_init(struct print_values *pv);
/* Set (or replace) key; values longer than PV_VALUE_MAX are cut on a
 * character. Returns -1 when the dictionary is full. */
int pv_set(struct print_values *pv, const char *key, const char *value);
/* NULL when not set. */
const char *pv_get(const struct print_values *pv, const char *key);
/* tmpl_lookup_fn over a struct print_values. */
const char *pv_lookup(void *arg, const char *key);
void pv_wipe(struct print_values *pv);

#endif
