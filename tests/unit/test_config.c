/* Unit tests for guitai.conf: the defaults with no file (HOME and the XDG
 * variables pointed at a temporary directory), an explicit file with every
 * key, errors naming the file and line, a missing explicit file, and the
 * per-user file under $XDG_CONFIG_HOME. Each test has its own directory. */
#include "config.h"
#include "testutil.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/config.h"

struct tmp {
	char dir[256];
	char conf[512];
};

static struct gt_config cfg;

static int make_tmp(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	char path[600];

	if (t == NULL)
		return -1;
	if (tu_tmpdir(t->dir, sizeof(t->dir), "config") != 0) {
		free(t);
		return -1;
	}
	snprintf(t->conf, sizeof(t->conf), "%s/guitai.conf", t->dir);
	snprintf(path, sizeof(path), "%s/xdg-config", t->dir);
	setenv("XDG_CONFIG_HOME", path, 1);
	snprintf(path, sizeof(path), "%s/xdg-data", t->dir);
	setenv("XDG_DATA_HOME", path, 1);
	*state = t;
	return 0;
}

static int remove_tmp(void **state)
{
	struct tmp *t = *state;
	int rc = tu_rmtree(t->dir);

	free(t);
	return rc;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* A system-wide file would be read before the defaults. */
static int system_file_present(void)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/guitai/guitai.conf", SYSCONFDIR);
	return stat(path, &st) == 0;
}

static void test_defaults(void **state)
{
	struct tmp *t = *state;
	struct gt_err err;
	char want[1024];

	/* main() names the test a TAP skip in that case. */
	if (system_file_present())
		return;
	assert_int_equal(config_load(&cfg, NULL, &err), 0);
	assert_string_equal(cfg.path, "");
	assert_string_equal(cfg.terminal_id, "T01");
	assert_string_equal(cfg.site_name, "");
	snprintf(want, sizeof(want), "%s/xdg-data/guitai", t->dir);
	assert_string_equal(cfg.data_dir, want);
	snprintf(want, sizeof(want), "%s/xdg-data/guitai/guitai.db", t->dir);
	assert_string_equal(cfg.db_path, want);
	snprintf(want, sizeof(want), "%s/xdg-data/guitai/pii.key", t->dir);
	assert_string_equal(cfg.key_file, want);
	snprintf(want, sizeof(want), "%s/xdg-data/guitai/guitai.log", t->dir);
	assert_string_equal(cfg.log_path, want);
	assert_true(ends_with(cfg.catalog_path, "/catalog.ini"));
	assert_true(ends_with(cfg.regions_path, "/regions.tsv"));
	assert_int_equal(cfg.idle_minutes, 0);
	assert_int_equal(cfg.kiosk, 0);
	assert_string_equal(cfg.idcard_device, "/dev/ttyUSB0");
	assert_int_equal(cfg.idcard_baud, 115200);
	assert_int_equal(cfg.idcard_timeout_ms, 3000);

	/* Without XDG_DATA_HOME (or with a relative one): under HOME. */
	unsetenv("XDG_DATA_HOME");
	assert_int_equal(config_load(&cfg, NULL, &err), 0);
	snprintf(want, sizeof(want), "%s/.local/share/guitai", t->dir);
	assert_string_equal(cfg.data_dir, want);
	setenv("XDG_DATA_HOME", "relative/data", 1);
	assert_int_equal(config_load(&cfg, NULL, &err), 0);
	assert_string_equal(cfg.data_dir, want);

	/* The data directory is made on demand, 0700, with its parents. */
	assert_int_equal(config_ensure_dirs(&cfg, &err), 0);
	{
		struct stat st;

		assert_int_equal(stat(cfg.data_dir, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0700);
	}
	assert_int_equal(config_ensure_dirs(&cfg, &err), 0);
}

static void test_every_key(void **state)
{
	struct tmp *t = *state;
	struct gt_err err;
	char text[2048];

	snprintf(text, sizeof(text),
		 "; counter 3\n"
		 "[terminal]\nid = T03\nsite = 南山受理点\n"
		 "[paths]\ndata_dir = %s/data\n"
		 "[database]\npath = %s/db/counter.db\n"
		 "[security]\nkey_file = %s/keys/pii.key\n"
		 "[data]\ncatalog = %s/catalog.ini\nregions = %s/regions.tsv\n"
		 "[log]\nfile = %s/log/guitai.log\n"
		 "[ui]\nidle_minutes = 15\nmode = kiosk\n"
		 "[idcard]\ndevice = /dev/ttyS1\nbaud = 9600\ntimeout_ms = 1500\n",
		 t->dir, t->dir, t->dir, t->dir, t->dir, t->dir);
	write_file(t->conf, text);
	assert_int_equal(config_load(&cfg, t->conf, &err), 0);
	assert_string_equal(cfg.path, t->conf);
	assert_string_equal(cfg.terminal_id, "T03");
	assert_string_equal(cfg.site_name, "南山受理点");
	assert_true(ends_with(cfg.data_dir, "/data"));
	assert_true(ends_with(cfg.db_path, "/db/counter.db"));
	assert_true(ends_with(cfg.key_file, "/keys/pii.key"));
	assert_true(ends_with(cfg.catalog_path, "/catalog.ini"));
	assert_int_equal(strncmp(cfg.catalog_path, t->dir, strlen(t->dir)), 0);
	assert_true(ends_with(cfg.regions_path, "/regions.tsv"));
	assert_true(ends_with(cfg.log_path, "/log/guitai.log"));
	assert_int_equal(cfg.idle_minutes, 15);
	assert_int_equal(cfg.kiosk, 1);
	assert_string_equal(cfg.idcard_device, "/dev/ttyS1");
	assert_int_equal(cfg.idcard_baud, 9600);
	assert_int_equal(cfg.idcard_timeout_ms, 1500);

	/* Only data_dir given: the database, key and log follow it. */
	snprintf(text, sizeof(text), "[paths]\ndata_dir = %s/only\n[ui]\nmode = counter\n", t->dir);
	write_file(t->conf, text);
	assert_int_equal(config_load(&cfg, t->conf, &err), 0);
	assert_true(ends_with(cfg.db_path, "/only/guitai.db"));
	assert_true(ends_with(cfg.key_file, "/only/pii.key"));
	assert_true(ends_with(cfg.log_path, "/only/guitai.log"));
	assert_int_equal(cfg.kiosk, 0);
}

static void expect_error(struct tmp *t, const char *text, const char *line, const char *what)
{
	struct gt_err err;

	write_file(t->conf, text);
	err.msg[0] = '\0';
	if (config_load(&cfg, t->conf, &err) != -1 || strstr(err.msg, t->conf) == NULL ||
	    strstr(err.msg, line) == NULL || strstr(err.msg, what) == NULL)
		fail_msg("\"%s\": got \"%s\", wanted the file, \"%s\" and \"%s\"", text, err.msg,
			 line, what);
}

static void test_unknown_section_key(void **state)
{
	struct tmp *t = *state;

	expect_error(t, "[terminal]\nid = T01\n\n[printer]\nname = hp\n", "line 5", "[printer]");
	expect_error(t, "[ui]\nidle_minutes = 5\ncolour = red\n", "line 3", "colour");
	expect_error(t, "[terminal]\nname = T01\n", "line 2", "unknown key");
	expect_error(t, "[idcard]\nport = /dev/ttyS0\n", "line 2", "unknown key");
	expect_error(t, "[terminal\n", "line 1", "");
	expect_error(t, "[ui]\nmode\n", "line 2", "");
}

/* A typo in a key of [paths], [database], [security] or [log] is an unknown
 * key of a known section, and should be reported as such. */
static void test_unknown_key_in_path_sections(void **state)
{
	struct tmp *t = *state;

	expect_error(t, "[paths]\ndata_dri = /tmp/x\n", "line 2", "unknown key");
	expect_error(t, "[database]\nfile = /tmp/x.db\n", "line 2", "unknown key");
	expect_error(t, "[security]\nkeyfile = /tmp/k\n", "line 2", "unknown key");
	expect_error(t, "[log]\npath = /tmp/l\n", "line 2", "unknown key");
}

static void test_bad_values(void **state)
{
	struct tmp *t = *state;

	expect_error(t, "[idcard]\nbaud = 12345\n", "line 2", "baud");
	expect_error(t, "[idcard]\nbaud = fast\n", "line 2", "fast");
	expect_error(t, "[idcard]\n\nbaud = 230400\n", "line 3", "230400");
	expect_error(t, "[idcard]\ntimeout_ms = 10\n", "line 2", "10");
	expect_error(t, "[ui]\nidle_minutes = 5m\n", "line 2", "5m");
	expect_error(t, "[ui]\nidle_minutes = -1\n", "line 2", "-1");
	expect_error(t, "[ui]\nmode = shop\n", "line 2", "counter or kiosk");
	expect_error(t, "[terminal]\nid = t-1\n", "line 2", "A-Z");
	expect_error(t, "[terminal]\nid = T0123456789ABCDEF\n", "line 2", "15");
	expect_error(t, "[terminal]\nid =\n", "line 2", "terminal id");
	expect_error(t, "[paths]\ndata_dir =\n", "line 2", "empty path");
	expect_error(t, "[terminal]\nsite = \xff\xfe\n", "line 2", "site");
}

static void test_missing_explicit_file(void **state)
{
	struct tmp *t = *state;
	struct gt_err err;
	char path[600];

	snprintf(path, sizeof(path), "%s/no-such.conf", t->dir);
	assert_int_equal(config_load(&cfg, path, &err), -1);
	assert_non_null(strstr(err.msg, path));
	/* A directory is not a configuration file either. */
	assert_int_equal(config_load(&cfg, t->dir, &err), -1);
	assert_non_null(strstr(err.msg, t->dir));
}

static void test_user_file(void **state)
{
	struct tmp *t = *state;
	struct gt_err err;
	char dir[600], path[700];

	snprintf(dir, sizeof(dir), "%s/xdg-config/guitai", t->dir);
	assert_int_equal(mkdir(getenv("XDG_CONFIG_HOME"), 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/guitai.conf", dir);
	write_file(path, "[terminal]\nid = T07\n");
	assert_int_equal(config_load(&cfg, NULL, &err), 0);
	assert_string_equal(cfg.path, path);
	assert_string_equal(cfg.terminal_id, "T07");
	/* Its errors name it too. */
	write_file(path, "[terminal]\nid = T07\nid2 = T08\n");
	assert_int_equal(config_load(&cfg, NULL, &err), -1);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "line 3"));
	/* An explicit file wins over it. */
	write_file(t->conf, "[terminal]\nid = T09\n");
	assert_int_equal(config_load(&cfg, t->conf, &err), 0);
	assert_string_equal(cfg.terminal_id, "T09");

	/* Without XDG_CONFIG_HOME: ~/.config/guitai/guitai.conf. */
	unsetenv("XDG_CONFIG_HOME");
	snprintf(dir, sizeof(dir), "%s/.config", t->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/.config/guitai", t->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/guitai.conf", dir);
	write_file(path, "[terminal]\nid = T08\n");
	assert_int_equal(config_load(&cfg, NULL, &err), 0);
	assert_string_equal(cfg.path, path);
	assert_string_equal(cfg.terminal_id, "T08");
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_every_key, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_unknown_section_key, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_unknown_key_in_path_sections, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_bad_values, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_missing_explicit_file, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_user_file, make_tmp, remove_tmp),
	};
	if (system_file_present())
		tests[0].name = "test_defaults # SKIP " SYSCONFDIR "/guitai/guitai.conf exists here";
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
