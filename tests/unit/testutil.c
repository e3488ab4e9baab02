/* Shared set-up of the unit tests that touch files; see testutil.h. */
#include "config.h"
#include "testutil.h"
#include "util/log.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static int tu_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(path);
}

int tu_tmpdir(char *dir, size_t size, const char *name)
{
	const char *base = getenv("TMPDIR");

	if (snprintf(dir, size, "%s/guitai-%s.XXXXXX", base && *base ? base : "/tmp", name) >=
	    (int)size || mkdtemp(dir) == NULL)
		return -1;
	setenv("HOME", dir, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_DATA_HOME");
	return 0;
}

int tu_rmtree(const char *dir)
{
	return nftw(dir, tu_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int tu_write_config(const char *conf, const char *dir, const char *extra)
{
	const char *top = getenv("top_srcdir");
	FILE *f = fopen(conf, "w");

	if (top == NULL || *top == '\0')
		top = ".";
	if (f == NULL)
		return -1;
	fprintf(f, "[terminal]\nid = T01\nsite = 测试受理点\n"
		"[paths]\ndata_dir = %s/data\n"
		"[data]\ncatalog = %s/data/catalog.ini\nregions = %s/data/regions.tsv\n"
		"[log]\nfile = %s/guitai.log\n%s",
		dir, top, top, dir, extra);
	return fclose(f);
}

int tu_ctx_new(void **state, const char *name, const char *extra)
{
	struct tu_ctx *t = calloc(1, sizeof(*t));
	struct gt_err err;

	if (t == NULL)
		return -1;
	if (tu_tmpdir(t->dir, sizeof(t->dir), name) != 0) {
		free(t);
		return -1;
	}
	*state = t;
	snprintf(t->conf, sizeof(t->conf), "%s/guitai.conf", t->dir);
	snprintf(t->db, sizeof(t->db), "%s/data/guitai.db", t->dir);
	if (tu_write_config(t->conf, t->dir, extra) != 0)
		return -1;
	if (ctx_open(&t->ctx, t->conf, &err) != 0) {
		fprintf(stderr, "# ctx_open: %s\n", err.msg);
		return -1;
	}
	t->open = 1;
	return 0;
}

int tu_ctx_free(void **state)
{
	struct tu_ctx *t = *state;
	int rc;

	log_close();
	if (t->open)
		ctx_close(&t->ctx);
	rc = tu_rmtree(t->dir);
	free(t);
	return rc;
}
