/* Shared set-up of the unit tests that touch files; see testutil.h. */
#include "testutil.h"

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
