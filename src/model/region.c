/* GB/T 2260 division table: parses data/regions.tsv (given as text by the
 * caller, no I/O here) into a code-sorted array, and answers the questions
 * the organisation form asks: what is code X called, which divisions can be
 * chosen under Y, and which province / city / county a USCC's positions 3-8
 * point at. Levels come from the code itself (xx0000 province, xxxx00
 * prefecture, else county); the parser insists that every division's parent
 * is in the table, so lists never hold orphans. */
#include "config.h"
#include "model/region.h"
#include "util/i18n.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

struct region_node {
	struct region r;
	/* Children: a range of db->level[r.level] (the next level down). */
	size_t first, count;
	size_t parent;              /* index in db->nodes; levels 2 and 3 */
};

struct region_db {
	struct region_node *nodes;  /* all divisions, sorted by code */
	size_t n;
	/* Per level (0 = provinces), sorted by code. Sorting by code makes the
	 * children of any one parent contiguous, so child lists are ranges. */
	const struct region_node **level[3];
	size_t nlevel[3];
	/* While parsing: the last node read at each level, +1 (0: none). */
	size_t last[3];
};

static int region_code_ok(const char *s)
{
	return s != NULL && strlen(s) == 6 && str_is_digits(s, 6);
}

static int region_level_of(const char *code)
{
	if (strcmp(code + 2, "0000") == 0)
		return 1;
	if (strcmp(code + 4, "00") == 0)
		return 2;
	return 3;
}

/* Binary search over the first n nodes (the parser uses it on the part
 * parsed so far, which is sorted because the file must be). */
static struct region_node *region_search(struct region_node *nodes, size_t n,
					 const char *code)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(nodes[mid].r.code, code);

		if (c == 0)
			return &nodes[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void region_parent_code(const char *code, int level, char out[7])
{
	memcpy(out, code, 6);
	out[6] = '\0';
	if (level == 2)
		memcpy(out + 2, "0000", 4);
	else
		memcpy(out + 4, "00", 2);
}

static int region_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One data line (no newline, may hold NUL bytes, not terminated) into the
 * next node. */
static int region_parse_line(struct region_db *db, const char *s, size_t n, int lineno,
			     struct gt_err *err)
{
	struct region_node *node = &db->nodes[db->n];
	const char *name;
	size_t name_len;

	if (memchr(s, '\0', n) != NULL)
		return err_set(err, _("line %d: contains a NUL byte"), lineno);
	if (n < 6 || !str_is_digits(s, 6) || (n > 6 && s[6] >= '0' && s[6] <= '9'))
		return err_set(err, _("line %d: code must be six digits"), lineno);
	if (n == 6 || s[6] != '\t')
		return err_set(err, _("line %d: expected a tab and a name after the code"), lineno);
	name = s + 7;
	name_len = n - 7;
	while (name_len > 0 && region_is_blank(name[name_len - 1]))
		name_len--;
	while (name_len > 0 && region_is_blank(*name)) {
		name++;
		name_len--;
	}
	if (name_len == 0)
		return err_set(err, _("line %d: name is empty"), lineno);
	if (name_len >= sizeof(node->r.name))
		return err_set(err, _("line %d: name is longer than %zu bytes"), lineno,
			       sizeof(node->r.name) - 1);
	memset(node, 0, sizeof(*node));
	memcpy(node->r.code, s, 6);
	memcpy(node->r.name, name, name_len);
	if (!str_utf8_valid(node->r.name) || str_has_control(node->r.name))
		return err_set(err, _("line %d: name is not clean UTF-8 text"), lineno);
	if (memcmp(node->r.code, "00", 2) == 0)
		return err_set(err, _("line %d: %s is not a division code"), lineno, node->r.code);
	node->r.level = region_level_of(node->r.code);

	/* Sorted input lets the parent check (and the later child ranges) work
	 * on what has been read so far, and catches duplicates for free: a
	 * parent sorts before its children and after every division of its
	 * level with a smaller code, so it can only be the last one read at
	 * its level (no search for each of the ~3,000 lines of every start). */
	if (db->n > 0 && strcmp(db->nodes[db->n - 1].r.code, node->r.code) >= 0)
		return err_set(err, _("line %d: code %s is duplicated or out of order"),
			       lineno, node->r.code);
	if (node->r.level > 1) {
		char up[7];
		size_t last = db->last[node->r.level - 2];

		region_parent_code(node->r.code, node->r.level, up);
		if (last == 0 || memcmp(db->nodes[last - 1].r.code, up, 6) != 0)
			return err_set(err, _("line %d: %s has no parent division %s"), lineno,
				       node->r.code, up);
		node->parent = last - 1;
	}
	db->last[node->r.level - 1] = ++db->n;
	return 0;
}

/* Level arrays and the child range of each node, once all lines are in. */
static int region_index(struct region_db *db, struct gt_err *err)
{
	size_t fill[3] = { 0, 0, 0 };

	for (size_t i = 0; i < db->n; i++)
		db->nlevel[db->nodes[i].r.level - 1]++;
	for (int l = 0; l < 3; l++) {
		db->level[l] = calloc(db->nlevel[l] ? db->nlevel[l] : 1, sizeof(*db->level[l]));
		if (db->level[l] == NULL)
			return err_set(err, _("out of memory"));
	}
	for (size_t i = 0; i < db->n; i++) {
		struct region_node *node = &db->nodes[i];
		int l = node->r.level - 1;

		if (l > 0) {
			struct region_node *p = &db->nodes[node->parent];

			if (p->count++ == 0)
				p->first = fill[l];
		}
		db->level[l][fill[l]++] = node;
	}
	return 0;
}

int region_db_parse(const char *text, size_t len, struct region_db **out,
		    struct gt_err *err)
{
	struct region_db *db;
	size_t pos = 0, lines = 1;
	int lineno = 0;

	*out = NULL;
	if (text == NULL)
		len = 0;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	db = calloc(1, sizeof(*db));
	if (db == NULL || (db->nodes = calloc(lines, sizeof(*db->nodes))) == NULL) {
		free(db);
		return err_set(err, _("out of memory"));
	}
	/* A byte-order mark from a Windows editor is not data. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		size_t skip = 0;

		lineno++;
		pos += n + (nl != NULL);
		while (skip < n && region_is_blank(line[skip]))
			skip++;
		if (skip == n || line[skip] == '#')
			continue;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (region_parse_line(db, line, n, lineno, err) != 0) {
			region_db_free(db);
			return -1;
		}
	}
	/* An empty table would leave every list blank without saying why. */
	if (db->n == 0) {
		region_db_free(db);
		return err_set(err, _("no divisions in the data"));
	}
	if (region_index(db, err) != 0) {
		region_db_free(db);
		return -1;
	}
	*out = db;
	return 0;
}

void region_db_free(struct region_db *db)
{
	if (db == NULL)
		return;
	for (int l = 0; l < 3; l++)
		free(db->level[l]);
	free(db->nodes);
	free(db);
}

const struct region *region_find(const struct region_db *db, const char *code)
{
	const struct region_node *node;

	if (db == NULL || !region_code_ok(code))
		return NULL;
	node = region_search(db->nodes, db->n, code);
	return node ? &node->r : NULL;
}

/* The range of db->level[] holding parent's children; false when the parent
 * is unknown or is a county. */
static int region_range(const struct region_db *db, const char *parent,
			const struct region_node ***list, size_t *count)
{
	const struct region_node *p;

	if (db == NULL)
		return 0;
	if (parent == NULL || parent[0] == '\0') {
		*list = db->level[0];
		*count = db->nlevel[0];
		return 1;
	}
	if (!region_code_ok(parent))
		return 0;
	p = region_search(db->nodes, db->n, parent);
	if (p == NULL || p->r.level >= 3)
		return 0;
	*list = db->level[p->r.level] + p->first;
	*count = p->count;
	return 1;
}

size_t region_child_count(const struct region_db *db, const char *parent)
{
	const struct region_node **list;
	size_t count;

	return region_range(db, parent, &list, &count) ? count : 0;
}

const struct region *region_child(const struct region_db *db, const char *parent, size_t i)
{
	const struct region_node **list;
	size_t count;

	if (!region_range(db, parent, &list, &count) || i >= count)
		return NULL;
	return &list[i]->r;
}

/* Walks down from the province: a code the table lacks (a county abolished
 * or renumbered since the USCC was issued) still yields what lies above it,
 * so the operator only has to pick the missing level. */
int region_split(const struct region_db *db, const char *code6, char province[7],
		 char city[7], char county[7])
{
	char code[7];

	province[0] = city[0] = county[0] = '\0';
	if (db == NULL || !region_code_ok(code6))
		return 0;
	memcpy(code, code6, 7);

	memcpy(province, code, 2);
	memcpy(province + 2, "0000", 5);
	if (region_find(db, province) == NULL) {
		province[0] = '\0';
		return 0;
	}
	if (region_level_of(code) == 1)
		return 1;

	memcpy(city, code, 4);
	memcpy(city + 4, "00", 3);
	if (region_find(db, city) == NULL) {
		city[0] = '\0';
		return 1;
	}
	if (region_level_of(code) == 2)
		return 2;

	if (region_find(db, code) == NULL)
		return 2;
	memcpy(county, code, 7);
	return 3;
}
