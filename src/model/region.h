/* GB/T 2260 administrative divisions (province / prefecture / county),
 * shipped as a data file and parsed here from memory (the caller reads the
 * file). Used to pre-fill the organisation's province, city and county from
 * positions 3-8 of its USCC, and to offer the lists they are chosen from. */
#ifndef GUITAI_REGION_H
#define GUITAI_REGION_H

#include <stddef.h>
#include "util/err.h"

struct region {
	char code[7];   /* six digits */
	char name[64];  /* UTF-8, e.g. 南山区 */
	int level;      /* 1 province, 2 prefecture, 3 county */
};

struct region_db;

int region_db_parse(const char *text, size_t len, struct region_db **out,
		    struct gt_err *err);
void region_db_free(struct region_db *db);

/* NULL when the code is not in the table. */
const struct region *region_find(const struct region_db *db, const char *code);
/* Children of a division, in code order; parent NULL or "" = provinces. */
size_t region_child_count(const struct region_db *db, const char *parent);
const struct region *region_child(const struct region_db *db, const char *parent, size_t i);
/* The division a six-digit code (e.g. USCC positions 3-8) falls in, split
 * into its three levels. Each out buffer gets a code or "" when that level
 * is unknown; returns the deepest level found (0 when none). */
int region_split(const struct region_db *db, const char *code6, char province[7],
		 char city[7], char county[7]);

#endif
