/* Unit tests for the running context and operator sessions: ctx_open with
 * a configuration pointing at the source tree's data files and a temporary
 * data directory, adding operators, logging in, the lock after five wrong
 * passwords, and disabled operators. Each test has its own directory. */
#include "config.h"
#include "testutil.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "db/store.h"
#include "flow/ctx.h"
#include "flow/session.h"

#define PASSWORD "s3cret-pass"

static int write_config(const struct tu_ctx *t, const char *extra)
{
	return tu_write_config(t->conf, t->dir, extra);
}

/* A temporary directory, a configuration for it, and an open context. */
static int make_ctx(void **state)
{
	return tu_ctx_new(state, "session", "");
}

static int remove_ctx(void **state)
{
	return tu_ctx_free(state);
}

static void add(struct tu_ctx *t, const char *name, const char *role)
{
	struct gt_err err;

	if (session_add_operator(&t->ctx, name, role, PASSWORD, &err) != 0)
		fail_msg("add %s: %s", name, err.msg);
}

static enum session_result login(struct tu_ctx *t, const char *name, const char *password,
				 long long *until)
{
	struct gt_err err;

	return session_login(&t->ctx, name, password, until, &err);
}

static void test_ctx_open(void **state)
{
	struct tu_ctx *t = *state;
	struct check_ctx cc;
	struct stat st;
	char path[600];

	assert_string_equal(t->ctx.cfg.path, t->conf);
	assert_string_equal(t->ctx.cfg.terminal_id, "T01");
	assert_string_equal(t->ctx.cfg.site_name, "测试受理点");
	assert_int_equal(t->ctx.catalog.nprojects, 3);
	assert_non_null(t->ctx.regions);
	assert_non_null(t->ctx.store);
	assert_int_equal(store_schema_version(t->ctx.store), STORE_SCHEMA_VERSION);
	assert_int_equal(t->ctx.ring.n, 1);
	assert_string_equal(t->ctx.operator_name, "");
	/* Everything it made is in the data directory. */
	snprintf(path, sizeof(path), "%s/data", t->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/data/pii.key", t->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/data/guitai.db", t->dir);
	assert_int_equal(stat(path, &st), 0);

	ctx_check_ctx(&t->ctx, &cc);
	assert_ptr_equal(cc.catalog, &t->ctx.catalog);
	assert_ptr_equal(cc.regions, t->ctx.regions);
	assert_true(cc.today_ymd > 20250101 && cc.today_ymd < 21000101);
	assert_true(ctx_now() > 1700000000);
}

static void test_ctx_open_errors(void **state)
{
	struct tu_ctx *t = *state;
	struct gt_ctx other;
	struct gt_err err;

	assert_int_equal(write_config(t, "[data]\ncatalog = /nonexistent/catalog.ini\n"), 0);
	assert_int_equal(ctx_open(&other, t->conf, &err), -1);
	assert_non_null(strstr(err.msg, "catalogue"));
	assert_non_null(strstr(err.msg, "/nonexistent/catalog.ini"));
	assert_null(other.store);

	assert_int_equal(write_config(t, "[data]\nregions = /nonexistent/regions.tsv\n"), 0);
	assert_int_equal(ctx_open(&other, t->conf, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/regions.tsv"));

	assert_int_equal(write_config(t, "[bogus]\nx = 1\n"), 0);
	assert_int_equal(ctx_open(&other, t->conf, &err), -1);
	assert_non_null(strstr(err.msg, t->conf));
}

static void test_add_operator(void **state)
{
	struct tu_ctx *t = *state;
	struct store_operator op;
	struct gt_err err;
	size_t n;

	add(t, "张三", "operator");
	add(t, "boss", "supervisor");
	assert_int_equal(store_operator_count(t->ctx.store, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_operator_get(t->ctx.store, "张三", &op, &err), 0);
	assert_int_equal(strncmp(op.pw_hash, "scrypt$", 7), 0);
	assert_null(strstr(op.pw_hash, PASSWORD));

	assert_int_equal(session_add_operator(&t->ctx, "张三", "operator", PASSWORD, &err), -1);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_int_equal(session_add_operator(&t->ctx, "li", "admin", PASSWORD, &err), -1);
	assert_non_null(strstr(err.msg, "role"));
	assert_int_equal(session_add_operator(&t->ctx, "li", "operator", "short", &err), -1);
	assert_non_null(strstr(err.msg, "at least 8"));
	assert_int_equal(session_add_operator(&t->ctx, "", "operator", PASSWORD, &err), -1);
	assert_int_equal(session_add_operator(&t->ctx, "li\tsi", "operator", PASSWORD, &err), -1);
	assert_int_equal(session_add_operator(&t->ctx, "li\xff", "operator", PASSWORD, &err), -1);
	assert_int_equal(store_operator_count(t->ctx.store, &n, &err), 0);
	assert_int_equal(n, 2);
}

static void test_login(void **state)
{
	struct tu_ctx *t = *state;
	long long until = -1;

	add(t, "张三", "operator");
	add(t, "boss", "supervisor");
	assert_int_equal(login(t, "张三", PASSWORD, &until), SESSION_OK);
	assert_int_equal(until, 0);
	assert_string_equal(t->ctx.operator_name, "张三");
	assert_string_equal(t->ctx.operator_role, "operator");
	session_logout(&t->ctx);
	assert_string_equal(t->ctx.operator_name, "");
	assert_string_equal(t->ctx.operator_role, "");
	assert_int_equal(login(t, "boss", PASSWORD, &until), SESSION_OK);
	assert_string_equal(t->ctx.operator_role, "supervisor");
	session_logout(&t->ctx);

	/* Unknown name and wrong password look the same; neither logs in. */
	assert_int_equal(login(t, "nobody", PASSWORD, &until), SESSION_BAD);
	assert_int_equal(login(t, "张三", "wrong-password", &until), SESSION_BAD);
	assert_int_equal(login(t, "张三", "", &until), SESSION_BAD);
	assert_string_equal(t->ctx.operator_name, "");
}

static void test_lock_after_five(void **state)
{
	struct tu_ctx *t = *state;
	struct store_operator op;
	struct gt_err err;
	long long until = -1, before = ctx_now();

	add(t, "张三", "operator");
	add(t, "李四", "operator");
	/* Two failures, then the right password clears the count. */
	assert_int_equal(login(t, "张三", "wrong-1", &until), SESSION_BAD);
	assert_int_equal(login(t, "张三", "wrong-2", &until), SESSION_BAD);
	assert_int_equal(store_operator_get(t->ctx.store, "张三", &op, &err), 0);
	assert_int_equal(op.failures, 2);
	assert_int_equal(login(t, "张三", PASSWORD, &until), SESSION_OK);
	assert_int_equal(store_operator_get(t->ctx.store, "张三", &op, &err), 0);
	assert_int_equal(op.failures, 0);
	session_logout(&t->ctx);

	for (int i = 1; i < SESSION_MAX_FAILURES; i++) {
		assert_int_equal(login(t, "张三", "wrong", &until), SESSION_BAD);
		assert_int_equal(until, 0);
	}
	assert_int_equal(login(t, "张三", "wrong", &until), SESSION_LOCKED);
	assert_true(until >= before + SESSION_LOCK_SECONDS);
	assert_true(until <= ctx_now() + SESSION_LOCK_SECONDS);
	/* Locked: even the right password is refused, and says until when. */
	until = 0;
	assert_int_equal(login(t, "张三", PASSWORD, &until), SESSION_LOCKED);
	assert_true(until >= before + SESSION_LOCK_SECONDS);
	assert_string_equal(t->ctx.operator_name, "");
	/* Another operator is not affected. */
	assert_int_equal(login(t, "李四", PASSWORD, &until), SESSION_OK);
	session_logout(&t->ctx);

	/* When the lock has run out the right password works again. */
	assert_int_equal(store_operator_set_failures(t->ctx.store, "张三", 0, ctx_now() - 1, &err), 0);
	assert_int_equal(login(t, "张三", PASSWORD, &until), SESSION_OK);
	assert_int_equal(store_operator_get(t->ctx.store, "张三", &op, &err), 0);
	assert_int_equal(op.locked_until, 0);
}

static void test_disabled(void **state)
{
	struct tu_ctx *t = *state;
	sqlite3 *db;
	long long until;

	add(t, "张三", "operator");
	/* No call disables an operator yet; do it the way an admin tool would. */
	assert_int_equal(sqlite3_open(t->ctx.cfg.db_path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, "UPDATE operators SET disabled = 1 WHERE name = '张三'",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(login(t, "张三", PASSWORD, &until), SESSION_DISABLED);
	assert_string_equal(t->ctx.operator_name, "");
	assert_int_equal(login(t, "张三", "wrong", &until), SESSION_DISABLED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctx_open, make_ctx, remove_ctx),
		cmocka_unit_test_setup_teardown(test_ctx_open_errors, make_ctx, remove_ctx),
		cmocka_unit_test_setup_teardown(test_add_operator, make_ctx, remove_ctx),
		cmocka_unit_test_setup_teardown(test_login, make_ctx, remove_ctx),
		cmocka_unit_test_setup_teardown(test_lock_after_five, make_ctx, remove_ctx),
		cmocka_unit_test_setup_teardown(test_disabled, make_ctx, remove_ctx),
	};
	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
