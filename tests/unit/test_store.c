/* Unit tests for the SQLite store: schema creation and reopening,
 * application numbers, saving and loading applications (sealed: no ID
 * number or mobile in clear in the file), listing, operators, and the
 * messages for a damaged, newer or read-only database. Each test works in
 * its own temporary directory. */
#include "config.h"
#include "testutil.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "db/crypto.h"
#include "db/store.h"
#include "model/app.h"

#define HDL_ID "44030519900101123X"
#define REP_ID "11010519491231002X"
#define MOBILE "13800138000"
#define EMAIL "lisi@example.com"
#define ORG_NAME "深圳市测试科技有限公司"

struct tmp {
	char dir[256];
	char db[512];
	char key[512];
	struct store *st;
	struct crypto_keyring ring;
};

static struct application app, back;

/* A temporary directory with a key file and an open store in it. */
static int make_tmp(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	struct gt_err err;

	if (t == NULL)
		return -1;
	if (tu_tmpdir(t->dir, sizeof(t->dir), "store") != 0) {
		free(t);
		return -1;
	}
	snprintf(t->db, sizeof(t->db), "%s/guitai.db", t->dir);
	snprintf(t->key, sizeof(t->key), "%s/pii.key", t->dir);
	*state = t;
	if (crypto_keyring_load(&t->ring, t->key, &err) != 0 ||
	    store_open(t->db, &t->st, &err) != 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int remove_tmp(void **state)
{
	struct tmp *t = *state;
	int rc;

	store_close(t->st);
	crypto_keyring_wipe(&t->ring);
	chmod(t->db, 0600);
	rc = tu_rmtree(t->dir);
	free(t);
	return rc;
}

static void reopen(struct tmp *t)
{
	struct gt_err err;

	store_close(t->st);
	t->st = NULL;
	if (store_open(t->db, &t->st, &err) != 0)
		fail_msg("reopen: %s", err.msg);
}

static void fill(struct application *a, const char *app_no)
{
	app_init(a);
	memcpy(a->app_no, app_no, strlen(app_no) + 1);
	a->status = APP_DRAFT;
	a->step = 3;
	a->created_at = 1795000000;
	a->updated_at = 1795000100;
	memcpy(a->operator_name, "张三", sizeof("张三"));
	app_set(a, AF_PROJECT, "szjsgws");
	app_set(a, AF_ORG_NAME, ORG_NAME);
	app_set(a, AF_ORG_ID_NUMBER, "91440300708461136T");
	app_set(a, AF_ORG_PROVINCE, "440000");
	app_set(a, AF_ORG_CITY, "440300");
	app_set(a, AF_ORG_ADDRESS, "深圳市南山区科技园科苑路 1 号；B 座=3 楼");
	app_set(a, AF_REP_NAME, "王五");
	app_set(a, AF_REP_ID_NUMBER, REP_ID);
	app_set(a, AF_HDL_NAME, "李四");
	app_set(a, AF_HDL_ID_NUMBER, HDL_ID);
	app_set(a, AF_HDL_MOBILE, MOBILE);
	app_set(a, AF_HDL_EMAIL, EMAIL);
	app_set(a, AF_HDL_POSITION, "行政经理");
	app_set(a, AF_PAY_METHOD, "cash");
}

static void save(struct tmp *t, const struct application *a, const char *terminal)
{
	struct gt_err err;

	if (store_app_save(t->st, &t->ring, a, terminal, &err) != 0)
		fail_msg("save %s: %s", a->app_no, err.msg);
}

/* The bytes of a file, or an empty buffer when there is none. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	*len = 0;
	if (f == NULL)
		return calloc(1, 1);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)size, f);
	fclose(f);
	return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_open_and_reopen(void **state)
{
	struct tmp *t = *state;
	struct store_operator op;
	struct gt_err err;
	struct stat sb;

	assert_true(STORE_SCHEMA_VERSION >= 3);   /* 3 added the audit trail */
	assert_int_equal(store_schema_version(t->st), STORE_SCHEMA_VERSION);
	assert_int_equal(stat(t->db, &sb), 0);
	assert_int_equal(store_operator_add(t->st, "张三", "operator", "scrypt$x", 100, &err), 0);
	reopen(t);
	assert_int_equal(store_schema_version(t->st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_operator_get(t->st, "张三", &op, &err), 0);
	assert_string_equal(op.role, "operator");
	/* A new file takes 16 KiB pages (audit verify reads fewer). */
	{
		sqlite3 *db;
		sqlite3_stmt *stmt;

		assert_int_equal(sqlite3_open_v2(t->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &stmt, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(stmt, 0), 16384);
		sqlite3_finalize(stmt);
		sqlite3_close(db);
	}
}

static void test_app_numbers(void **state)
{
	struct tmp *t = *state;
	struct gt_err err;
	char no[APP_NO_MAX];

	assert_int_equal(store_next_app_no(t->st, "T01", 20261121, no, sizeof(no), &err), 0);
	assert_string_equal(no, "T01-20261121-0001");
	assert_int_equal(store_next_app_no(t->st, "T01", 20261121, no, sizeof(no), &err), 0);
	assert_string_equal(no, "T01-20261121-0002");
	/* Another terminal and another day count on their own. */
	assert_int_equal(store_next_app_no(t->st, "T02", 20261121, no, sizeof(no), &err), 0);
	assert_string_equal(no, "T02-20261121-0001");
	assert_int_equal(store_next_app_no(t->st, "T01", 20261122, no, sizeof(no), &err), 0);
	assert_string_equal(no, "T01-20261122-0001");
	/* The count survives a restart. */
	reopen(t);
	assert_int_equal(store_next_app_no(t->st, "T01", 20261121, no, sizeof(no), &err), 0);
	assert_string_equal(no, "T01-20261121-0003");
	assert_int_equal(store_next_app_no(t->st, "T02", 20261121, no, sizeof(no), &err), 0);
	assert_string_equal(no, "T02-20261121-0002");
}

static void test_save_load(void **state)
{
	struct tmp *t = *state;
	struct crypto_keyring other;
	struct gt_err err;
	char no[APP_NO_MAX], other_key[600];

	assert_int_equal(store_next_app_no(t->st, "T01", 20261121, no, sizeof(no), &err), 0);
	fill(&app, no);
	save(t, &app, "T01");
	memset(&back, 0x55, sizeof(back));
	assert_int_equal(store_app_load(t->st, &t->ring, no, &back, &err), 0);
	assert_string_equal(back.app_no, no);
	assert_int_equal(back.status, APP_DRAFT);
	assert_int_equal(back.step, 3);
	assert_string_equal(back.operator_name, "张三");
	assert_int_equal(back.created_at, 1795000000);
	assert_int_equal(back.updated_at, 1795000100);
	for (int f = 0; f < AF_COUNT; f++)
		assert_string_equal(app_get(&back, (enum app_field)f), app_get(&app, (enum app_field)f));

	/* Saving again updates the same row; a field emptied stays empty
	 * rather than coming back as its default. */
	app.status = APP_SUBMITTED;
	app.step = 6;
	app.updated_at = 1795000200;
	app_set(&app, AF_ESEAL, "");
	app_set(&app, AF_HDL_POSITION, "总经理");
	save(t, &app, "T01");
	assert_int_equal(store_app_load(t->st, &t->ring, no, &back, &err), 0);
	assert_int_equal(back.status, APP_SUBMITTED);
	assert_int_equal(back.step, 6);
	assert_int_equal(back.created_at, 1795000000);
	assert_int_equal(back.updated_at, 1795000200);
	assert_string_equal(app_get(&back, AF_ESEAL), "");
	assert_string_equal(app_get(&back, AF_HDL_POSITION), "总经理");

	/* Another key cannot open it, and says which application. */
	snprintf(other_key, sizeof(other_key), "%s/other.key", t->dir);
	assert_int_equal(crypto_keyring_load(&other, other_key, &err), 0);
	assert_int_equal(store_app_load(t->st, &other, no, &back, &err), -1);
	assert_non_null(strstr(err.msg, no));
	crypto_keyring_wipe(&other);
}

/* Free text holding the INI comment characters after a space: a unit
 * number written "#1203" is common in addresses. */
static void test_save_load_comment_chars(void **state)
{
	struct tmp *t = *state;
	struct gt_err err;

	fill(&app, "T01-20261121-0001");
	app_set(&app, AF_ORG_ADDRESS, "深圳市南山区科苑路 8 号 #1203");
	app_set(&app, AF_HDL_POSITION, "经理 ; 财务");
	save(t, &app, "T01");
	assert_int_equal(store_app_load(t->st, &t->ring, app.app_no, &back, &err), 0);
	assert_string_equal(app_get(&back, AF_ORG_ADDRESS), "深圳市南山区科苑路 8 号 #1203");
	assert_string_equal(app_get(&back, AF_HDL_POSITION), "经理 ; 财务");
}

static void test_no_pii_in_clear(void **state)
{
	static const char *const secrets[] = { HDL_ID, REP_ID, MOBILE, EMAIL, "行政经理" };
	struct tmp *t = *state;
	struct gt_err err;
	char no[APP_NO_MAX], path[600];
	int found_name = 0;

	assert_int_equal(store_next_app_no(t->st, "T01", 20261121, no, sizeof(no), &err), 0);
	fill(&app, no);
	save(t, &app, "T01");
	/* Look at every file SQLite may have written, open and closed. */
	for (int closed = 0; closed < 2; closed++) {
		if (closed) {
			store_close(t->st);
			t->st = NULL;
		}
		for (int i = 0; i < 3; i++) {
			static const char *const suffix[] = { "", "-wal", "-journal" };
			size_t len;
			char *bytes;

			snprintf(path, sizeof(path), "%s%s", t->db, suffix[i]);
			bytes = slurp(path, &len);
			for (size_t s = 0; s < sizeof(secrets) / sizeof(secrets[0]); s++)
				if (memmem(bytes, len, secrets[s], strlen(secrets[s])) != NULL)
					fail_msg("%s holds \"%s\" in clear", path, secrets[s]);
			/* The listed columns are in clear: proof the search
			 * looks at the right bytes. */
			if (memmem(bytes, len, ORG_NAME, strlen(ORG_NAME)) != NULL)
				found_name++;
			free(bytes);
		}
	}
	assert_true(found_name >= 1);
	reopen(t);
}

static void test_load_unknown(void **state)
{
	struct tmp *t = *state;
	struct gt_err err;

	assert_int_equal(store_app_load(t->st, &t->ring, "T01-20261121-9999", &back, &err), 1);
	assert_int_equal(store_app_load(t->st, &t->ring, "", &back, &err), 1);
}

static void test_list(void **state)
{
	struct tmp *t = *state;
	struct store_app_summary out[8];
	struct gt_err err;
	size_t n;

	fill(&app, "T01-20261121-0001");
	app.updated_at = 1000;
	save(t, &app, "T01");
	fill(&app, "T01-20261121-0002");
	app.updated_at = 3000;
	app_set(&app, AF_SERVICE, "renew");
	save(t, &app, "T01");
	fill(&app, "T02-20261121-0001");
	app.updated_at = 2000;
	app.status = APP_SUBMITTED;
	save(t, &app, "T02");
	fill(&app, "T01-20261121-0003");
	app.status = APP_CANCELLED;
	save(t, &app, "T01");

	assert_int_equal(store_app_list(t->st, "draft", NULL, out, 8, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].app_no, "T01-20261121-0002");   /* newest first */
	assert_string_equal(out[0].service, "renew");
	assert_string_equal(out[0].status, "draft");
	assert_string_equal(out[0].org_name, ORG_NAME);
	assert_string_equal(out[0].uscc, "91440300708461136T");
	assert_string_equal(out[0].operator_name, "张三");
	assert_int_equal(out[0].step, 3);
	assert_int_equal(out[0].updated_at, 3000);
	assert_string_equal(out[1].app_no, "T01-20261121-0001");

	assert_int_equal(store_app_list(t->st, "submitted", NULL, out, 8, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].app_no, "T02-20261121-0001");
	assert_int_equal(store_app_list(t->st, "cancelled", NULL, out, 8, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_app_list(t->st, NULL, NULL, out, 8, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(store_app_list(t->st, NULL, "T02", out, 8, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_app_list(t->st, "draft", "T02", out, 8, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_app_list(t->st, NULL, NULL, out, 2, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_app_list(t->st, "nosuch", NULL, out, 8, &n, &err), 0);
	assert_int_equal(n, 0);
}

static void test_operators(void **state)
{
	struct tmp *t = *state;
	struct store_operator op, ops[4];
	struct gt_err err;
	size_t n = 99;

	assert_int_equal(store_operator_count(t->st, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_operator_add(t->st, "zhang", "operator", "scrypt$a", 100, &err), 0);
	assert_int_equal(store_operator_add(t->st, "boss", "supervisor", "scrypt$b", 101, &err), 0);
	assert_int_equal(store_operator_add(t->st, "audit", "auditor", "scrypt$c", 102, &err), 0);
	assert_int_equal(store_operator_add(t->st, "zhang", "operator", "scrypt$d", 103, &err), -1);
	assert_non_null(strstr(err.msg, "zhang already exists"));
	assert_int_equal(store_operator_add(t->st, "root", "root", "scrypt$e", 104, &err), -1);
	assert_non_null(strstr(err.msg, "role must be"));

	assert_int_equal(store_operator_get(t->st, "zhang", &op, &err), 0);
	assert_string_equal(op.name, "zhang");
	assert_string_equal(op.role, "operator");
	assert_string_equal(op.pw_hash, "scrypt$a");
	assert_int_equal(op.disabled, 0);
	assert_int_equal(op.failures, 0);
	assert_int_equal(op.locked_until, 0);
	assert_int_equal(store_operator_get(t->st, "nobody", &op, &err), 1);
	assert_int_equal(store_operator_get(t->st, "root", &op, &err), 1);

	assert_int_equal(store_operator_set_failures(t->st, "zhang", 3, 1795000900, &err), 0);
	assert_int_equal(store_operator_get(t->st, "zhang", &op, &err), 0);
	assert_int_equal(op.failures, 3);
	assert_int_equal(op.locked_until, 1795000900);
	assert_int_equal(store_operator_set_failures(t->st, "zhang", 0, 0, &err), 0);
	assert_int_equal(store_operator_get(t->st, "zhang", &op, &err), 0);
	assert_int_equal(op.failures, 0);

	assert_int_equal(store_operator_count(t->st, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_operator_list(t->st, ops, 4, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ops[0].name, "audit");
	assert_string_equal(ops[1].name, "boss");
	assert_string_equal(ops[1].role, "supervisor");
	assert_string_equal(ops[2].name, "zhang");
	assert_int_equal(store_operator_list(t->st, ops, 1, &n, &err), 0);
	assert_int_equal(n, 1);
}

static void test_not_a_database(void **state)
{
	struct tmp *t = *state;
	struct store *st = NULL;
	struct gt_err err;
	char junk[8192], path[600];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = "guitai.conf is not a database\n"[i % 30];
	snprintf(path, sizeof(path), "%s/junk.db", t->dir);
	write_file(path, junk, sizeof(junk));
	assert_int_equal(store_open(path, &st, &err), -1);
	assert_null(st);
	assert_non_null(strstr(err.msg, "damaged"));
	assert_non_null(strstr(err.msg, path));
}

static void test_newer_schema(void **state)
{
	struct tmp *t = *state;
	struct store *st = NULL;
	struct gt_err err;
	sqlite3 *db;
	char path[600];

	snprintf(path, sizeof(path), "%s/future.db", t->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE x (y); PRAGMA user_version = 99;",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(path, &st, &err), -1);
	assert_non_null(strstr(err.msg, "newer"));
	assert_non_null(strstr(err.msg, path));
	/* The file was left as it was. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	{
		sqlite3_stmt *stmt;

		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(stmt, 0), 99);
		sqlite3_finalize(stmt);
	}
	sqlite3_close(db);
}

static void test_read_only(void **state)
{
	struct tmp *t = *state;
	struct gt_err err;
	char no[APP_NO_MAX];

	/* chmod 0444 does not stop root from writing, so the case cannot be
	 * made as root; main() then names the test a TAP skip (cmocka's own
	 * skip() prints "not ok ... # SKIP", which the TAP driver counts as a
	 * failure). It runs as an ordinary user. */
	if (geteuid() == 0)
		return;
	store_close(t->st);
	t->st = NULL;
	assert_int_equal(chmod(t->db, 0444), 0);
	err.msg[0] = '\0';
	/* Either opening says so, or the first write does; never silence. */
	if (store_open(t->db, &t->st, &err) == 0) {
		assert_int_equal(store_next_app_no(t->st, "T01", 20261121, no, sizeof(no), &err), -1);
	}
	assert_non_null(strstr(err.msg, "cannot be written"));
	assert_non_null(strstr(err.msg, t->db));
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_and_reopen, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_app_numbers, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_save_load, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_save_load_comment_chars, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_no_pii_in_clear, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_load_unknown, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_list, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_operators, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_not_a_database, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_newer_schema, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_read_only, make_tmp, remove_tmp),
	};
	if (geteuid() == 0)
		tests[sizeof(tests) / sizeof(tests[0]) - 1].name =
			"test_read_only # SKIP running as root, where chmod 0444 does not stop writes";
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
