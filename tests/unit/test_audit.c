/* Unit tests for the audit trail (db/audit.h and the flows that write it):
 * the chain over N rows and its checkpoints; the triggers; tampering done
 * the way an intruder would, with a second SQLite connection that first
 * drops the triggers (modify a field, delete a row, swap two rows, cut the
 * tail with and without the checkpoint beyond it, re-hash a stretch,
 * forge a checkpoint MAC), each found at the right row; audit failing
 * closed (an INSERT trigger that refuses: the save, the login, the new
 * operator and the batch do not happen); the export bundle verified with
 * the key and refused with another; and no password, key or personal
 * number in the rows, the log or the bundle. Each test has its own directory and a
 * context with a checkpoint every 4 rows. */
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

#include "db/audit.h"
#include "db/crypto.h"
#include "db/store.h"
#include "flow/ctx.h"
#include "flow/issue.h"
#include "flow/session.h"
#include "util/log.h"

#define PASSWORD "s3cret-pass"
#define WRONG_PASSWORD "Wr0ng-Secret!"
#define HDL_ID "44030519900101123X"
#define REP_ID "440304198502280023"
#define MOBILE "13800138000"
#define EVERY 4

#define STR_(x) #x
#define STR(x) STR_(x)
/* Checkpoints every EVERY rows, so short trails have several. */
#define AUDIT_CONFIG "[security]\naudit_checkpoint_every = " STR(EVERY) "\n"

static int write_config(const struct tu_ctx *t, const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s%s", AUDIT_CONFIG, extra);
	return tu_write_config(t->conf, t->dir, text);
}

static int make_ctx(void **state)
{
	return tu_ctx_new(state, "audit", AUDIT_CONFIG);
}

static int remove_ctx(void **state)
{
	return tu_ctx_free(state);
}

/* The intruder: a second connection that drops the triggers first. */
static void intrude(struct tu_ctx *t, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, "DROP TRIGGER IF EXISTS audit_no_update;"
			 "DROP TRIGGER IF EXISTS audit_no_delete;"
			 "DROP TRIGGER IF EXISTS audit_in_sequence;"
			 "DROP TRIGGER IF EXISTS audit_checkpoints_no_update;"
			 "DROP TRIGGER IF EXISTS audit_checkpoints_no_delete;", NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("intruder: %s: %s", sql, msg ? msg : "?");
	sqlite3_close(db);
}

static void append(struct tu_ctx *t, int n)
{
	struct audit_ctx ac;
	struct gt_err err;
	char who[80], detail[64];

	ctx_audit_ctx(&t->ctx, "张三", who, sizeof(who), &ac);
	for (int i = 0; i < n; i++) {
		long long have;

		assert_int_equal(audit_count(t->ctx.store, &have, &err), 0);
		snprintf(detail, sizeof(detail), "row %lld; 中文 detail", have + 1);
		if (audit_append(t->ctx.store, &ac, "test.row", "T01-20261121-0001", detail, &err) != 0)
			fail_msg("append: %s", err.msg);
	}
}

/* Verify, and verify again with the rows split in 3 parts checked side by
 * side (the long-trail path): both must find the same first bad row. */
static void verify(struct tu_ctx *t, struct audit_verify_result *res)
{
	struct audit_verify_result split;
	struct gt_err err;

	if (audit_verify(t->ctx.store, &t->ctx.audit_ring, t->ctx.audit_head_path, res, &err) != 0)
		fail_msg("verify: %s", err.msg);
	if (audit_verify_split(t->ctx.store, &t->ctx.audit_ring, t->ctx.audit_head_path, 3, &split,
			       &err) != 0)
		fail_msg("verify in 3: %s", err.msg);
	if (split.problem != res->problem || split.bad_seq != res->bad_seq)
		fail_msg("verify in 3 parts: %d at %lld (%s); in one: %d at %lld (%s)", split.problem,
			 split.bad_seq, split.why, res->problem, res->bad_seq, res->why);
	if (res->problem == AUDIT_INTACT) {
		assert_int_equal(split.rows, res->rows);
		assert_int_equal(split.checkpoints, res->checkpoints);
		assert_int_equal(split.bytes, res->bytes);
		assert_int_equal(split.head.seq, res->head.seq);
		assert_memory_equal(split.head.hash, res->head.hash, AUDIT_HASH_BYTES);
	}
}

static void expect_bad(struct tu_ctx *t, enum audit_problem p, long long seq)
{
	struct audit_verify_result res;

	verify(t, &res);
	if (res.problem != p || res.bad_seq != seq)
		fail_msg("expected problem %d at %lld, got %d at %lld: %s", p, seq, res.problem,
			 res.bad_seq, res.why);
	assert_true(p == AUDIT_INTACT || strlen(res.why) > 0);
}

static long long count_rows(struct tu_ctx *t, const char *table)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	char sql[128];
	long long n;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return n;
}

/* ---- the chain ------------------------------------------------------------ */

static int collect_row(void *arg, const struct audit_row *r)
{
	struct audit_row *rows = arg;
	struct audit_row *o = &rows[r->seq - 1];

	*o = *r;
	o->terminal = strdup(r->terminal);
	o->operator_name = strdup(r->operator_name);
	o->action = strdup(r->action);
	o->app_no = strdup(r->app_no);
	o->detail = strdup(r->detail);
	return 0;
}

static void free_rows(struct audit_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)rows[i].terminal);
		free((char *)rows[i].operator_name);
		free((char *)rows[i].action);
		free((char *)rows[i].app_no);
		free((char *)rows[i].detail);
	}
}

static void test_chain_intact(void **state)
{
	struct tu_ctx *t = *state;
	struct audit_verify_result res;
	struct audit_row rows[10];
	struct audit_head head;
	struct gt_err err;
	unsigned char zero[AUDIT_HASH_BYTES] = { 0 }, h[AUDIT_HASH_BYTES];

	verify(t, &res);
	assert_int_equal(res.problem, AUDIT_INTACT);
	assert_int_equal(res.rows, 0);
	assert_int_equal(res.head.seq, 0);

	append(t, 10);
	verify(t, &res);
	assert_int_equal(res.problem, AUDIT_INTACT);
	assert_int_equal(res.bad_seq, 0);
	assert_int_equal(res.rows, 10);
	assert_int_equal(res.checkpoints, 10 / EVERY);
	assert_int_equal(res.anchored, 1);
	assert_int_equal(res.head.seq, 10);
	assert_int_equal(audit_head(t->ctx.store, &head, &err), 0);
	assert_memory_equal(head.hash, res.head.hash, AUDIT_HASH_BYTES);
	assert_int_equal(count_rows(t, "audit_checkpoints"), 2);

	/* The chain as documented: row 1 starts from zeros, each row's
	 * hash is SHA-256 of its canonical bytes, each prev_hash the hash
	 * of the row before. */
	memset(rows, 0, sizeof(rows));
	assert_int_equal(audit_list(t->ctx.store, 0, 10, collect_row, rows, &err), 0);
	assert_memory_equal(rows[0].prev_hash, zero, AUDIT_HASH_BYTES);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(rows[i].seq, i + 1);
		assert_string_equal(rows[i].operator_name, "张三");
		assert_string_equal(rows[i].terminal, "T01");
		assert_int_equal(audit_row_hash(&rows[i], h), 0);
		assert_memory_equal(h, rows[i].hash, AUDIT_HASH_BYTES);
		if (i > 0)
			assert_memory_equal(rows[i].prev_hash, rows[i - 1].hash, AUDIT_HASH_BYTES);
	}
	free_rows(rows, 10);
}

/* Moving text from one field to the next changes the hash. */
static void test_canonical_no_collision(void **state)
{
	struct audit_row a, b;
	unsigned char ha[AUDIT_HASH_BYTES], hb[AUDIT_HASH_BYTES];

	(void)state;
	memset(&a, 0, sizeof(a));
	a.seq = 7;
	a.at = 1795000000;
	a.terminal = "T01";
	a.operator_name = "ab";
	a.action = "c.d";
	a.app_no = "";
	a.detail = "x";
	b = a;
	b.operator_name = "a";
	b.action = "bc.d";
	assert_int_equal(audit_row_hash(&a, ha), 0);
	assert_int_equal(audit_row_hash(&b, hb), 0);
	assert_memory_not_equal(ha, hb, AUDIT_HASH_BYTES);
	b = a;
	b.app_no = "x";
	b.detail = "";
	assert_int_equal(audit_row_hash(&b, hb), 0);
	assert_memory_not_equal(ha, hb, AUDIT_HASH_BYTES);
	b = a;
	b.seq = 8;
	assert_int_equal(audit_row_hash(&b, hb), 0);
	assert_memory_not_equal(ha, hb, AUDIT_HASH_BYTES);
	assert_int_equal(audit_canonical_size(&a), 32 + 4 + 8 + 8 + 5 * 4 + 3 + 2 + 3 + 0 + 1);
}

/* The store's own connection cannot change or delete rows, nor append
 * out of sequence. */
static void test_triggers(void **state)
{
	struct tu_ctx *t = *state;
	sqlite3 *db = store_db(t->ctx.store);
	char *msg = NULL;

	append(t, 5);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET rec = zeroblob(104) WHERE seq = 2",
					  NULL, NULL, &msg), SQLITE_OK);
	assert_non_null(strstr(msg, "cannot be changed"));
	sqlite3_free(msg);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit WHERE seq = 5", NULL, NULL, &msg),
			     SQLITE_OK);
	assert_non_null(strstr(msg, "cannot be deleted"));
	sqlite3_free(msg);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE audit_checkpoints SET mac = hash", NULL, NULL,
					  &msg), SQLITE_OK);
	sqlite3_free(msg);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit_checkpoints", NULL, NULL, &msg),
			     SQLITE_OK);
	sqlite3_free(msg);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO audit SELECT seq + 10, rec "
					  "FROM audit WHERE seq = 1", NULL, NULL, &msg), SQLITE_OK);
	assert_non_null(strstr(msg, "in sequence"));
	sqlite3_free(msg);
	assert_int_equal(count_rows(t, "audit"), 5);
	assert_int_equal(count_rows(t, "audit_checkpoints"), 1);
}

/* ---- tampering -------------------------------------------------------------- */

/* The intruder who knows the format: row seq's fields changed by `edit`
 * and written back as well-formed canonical bytes, with the hash that was
 * stored (a new one would be caught by the next row's previous hash; see
 * rehash_from for the intruder who re-hashes everything). */
static void rewrite_row(struct tu_ctx *t, long long seq, void (*edit)(struct audit_row *))
{
	struct audit_row rows[16];
	struct audit_row *r = &rows[seq - 1];
	struct gt_err err;
	unsigned char *rec;
	sqlite3 *db;
	sqlite3_stmt *stmt;
	size_t n;

	memset(rows, 0, sizeof(rows));
	assert_int_equal(audit_list(t->ctx.store, seq - 1, 1, collect_row, rows, &err), 0);
	edit(r);
	n = audit_canonical_size(r);
	rec = malloc(n + AUDIT_HASH_BYTES);
	assert_non_null(rec);
	assert_int_equal(audit_canonical(r, rec), n);
	memcpy(rec + n, r->hash, AUDIT_HASH_BYTES);
	intrude(t, "SELECT 1");
	assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit SET rec = ?2 WHERE seq = ?1", -1,
					    &stmt, NULL), SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, seq);
	sqlite3_bind_blob(stmt, 2, rec, (int)(n + AUDIT_HASH_BYTES), SQLITE_STATIC);
	assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(rec);
	free_rows(r, 1);
}

static void edit_detail(struct audit_row *r)
{
	free((char *)r->detail);
	r->detail = strdup("row 6; nothing to see");
}

static void edit_time(struct audit_row *r)
{
	r->at -= 3600;
}

static void test_tamper_modify(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	rewrite_row(t, 6, edit_detail);
	expect_bad(t, AUDIT_MODIFIED, 6);
}

static void test_tamper_modify_time(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	rewrite_row(t, 3, edit_time);
	expect_bad(t, AUDIT_MODIFIED, 3);
}

/* With the sqlite3 shell only: bytes of a detail replaced by as many
 * others, then by fewer (the row is no longer well formed). */
static void test_tamper_modify_bytes(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	intrude(t, "UPDATE audit SET rec = CAST(replace(rec, CAST('row 4;' AS BLOB), "
		"CAST('row 9;' AS BLOB)) AS BLOB) WHERE seq = 4");
	expect_bad(t, AUDIT_MODIFIED, 4);
	intrude(t, "UPDATE audit SET rec = CAST(replace(rec, CAST('中文' AS BLOB), "
		"CAST('x' AS BLOB)) AS BLOB) WHERE seq = 2");
	expect_bad(t, AUDIT_MODIFIED, 2);
}

/* A row moved to another seq: where it was is missing, and where it is
 * does not hold the row of that seq. */
static void test_tamper_renumber(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	intrude(t, "UPDATE audit SET seq = 11 WHERE seq = 10");
	expect_bad(t, AUDIT_DELETED, 10);
	/* Row 7 deleted and row 8 moved into its place to hide the gap. */
	intrude(t, "DELETE FROM audit WHERE seq = 7; UPDATE audit SET seq = 7 WHERE seq = 8");
	expect_bad(t, AUDIT_REORDERED, 7);
}

static void test_tamper_delete(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	intrude(t, "DELETE FROM audit WHERE seq = 5");
	expect_bad(t, AUDIT_DELETED, 5);
}

/* Rows deleted across the seam of the first and second of 3 parts (rows
 * 1-3, 4-6, 7-10). */
static void test_tamper_delete_seam(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	intrude(t, "DELETE FROM audit WHERE seq IN (3, 4)");
	expect_bad(t, AUDIT_DELETED, 3);
}

static void test_tamper_modify_seam(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	intrude(t, "UPDATE audit SET rec = CAST(replace(rec, CAST('detail' AS BLOB), "
		"CAST('DETAIL' AS BLOB)) AS BLOB) WHERE seq IN (6, 7)");
	expect_bad(t, AUDIT_MODIFIED, 6);
}

static void test_tamper_swap(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	intrude(t, "CREATE TEMP TABLE s AS SELECT * FROM audit WHERE seq IN (5, 6);"
		"UPDATE audit SET rec = (SELECT rec FROM s WHERE s.seq = 11 - audit.seq)"
		" WHERE seq IN (5, 6)");
	expect_bad(t, AUDIT_REORDERED, 5);
}

/* Rows after the last checkpoint cut off: only the anchor knows. */
static void test_tamper_truncate_tail(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	intrude(t, "DELETE FROM audit WHERE seq > 8");
	expect_bad(t, AUDIT_TRUNCATED, 9);
}

/* Rows cut off before a checkpoint that stays. */
static void test_tamper_truncate_checkpoint_beyond(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	assert_int_equal(unlink(t->ctx.audit_head_path), 0);
	intrude(t, "DELETE FROM audit WHERE seq > 6");
	expect_bad(t, AUDIT_TRUNCATED, 7);
}

/* Rows and the checkpoint beyond them both removed: the anchor. */
static void test_tamper_truncate_all(void **state)
{
	struct tu_ctx *t = *state;
	struct audit_verify_result res;
	struct gt_err err;

	append(t, 10);
	intrude(t, "DELETE FROM audit WHERE seq > 6; DELETE FROM audit_checkpoints WHERE seq > 6");
	expect_bad(t, AUDIT_TRUNCATED, 7);
	/* Appending again does not cover it up: the anchor stays. (Other
	 * rows than the ones cut: the same rows in the same second would
	 * rebuild the very same chain.) */
	for (int i = 0; i < 6; i++)
		assert_int_equal(ctx_audit(&t->ctx, "test.again", "", &err, "again %d", i), 0);
	expect_bad(t, AUDIT_REWRITTEN, 9);   /* the anchor (10) is past the new checkpoint 8 */
	assert_int_equal(audit_verify(t->ctx.store, &t->ctx.audit_ring, NULL, &res, &err), 0);
	assert_int_equal(res.problem, AUDIT_INTACT);   /* without the anchor it would pass */
}

/* Someone rewrites a row and re-hashes everything after it: the chain
 * holds, the checkpoint (or the anchor, after the last one) does not. */
static void rehash_from(struct tu_ctx *t, long long from, long long to)
{
	struct audit_row rows[16];
	struct gt_err err;
	sqlite3 *db;
	sqlite3_stmt *stmt;

	memset(rows, 0, sizeof(rows));
	assert_int_equal(audit_list(t->ctx.store, 0, to, collect_row, rows, &err), 0);
	free((char *)rows[from - 1].detail);
	rows[from - 1].detail = strdup("rewritten");
	for (long long s = from; s <= to; s++) {
		struct audit_row *r = &rows[s - 1];

		if (s > from)
			memcpy(r->prev_hash, rows[s - 2].hash, AUDIT_HASH_BYTES);
		assert_int_equal(audit_row_hash(r, r->hash), 0);
	}
	intrude(t, "SELECT 1");
	assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit SET rec = ?2 WHERE seq = ?1", -1,
					    &stmt, NULL), SQLITE_OK);
	for (long long s = from; s <= to; s++) {
		unsigned char rec[512];
		size_t n;

		assert_true(audit_canonical_size(&rows[s - 1]) + AUDIT_HASH_BYTES <= sizeof(rec));
		assert_int_equal(audit_record(&rows[s - 1], rec, &n), 0);
		sqlite3_bind_int64(stmt, 1, s);
		sqlite3_bind_blob(stmt, 2, rec, (int)n, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free_rows(rows, (size_t)to);
}

static void test_tamper_rehash(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	rehash_from(t, 6, 10);
	expect_bad(t, AUDIT_REWRITTEN, 5);    /* rows 5..8 vouched for by checkpoint 8 */
}

static void test_tamper_rehash_tail(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	rehash_from(t, 9, 10);
	expect_bad(t, AUDIT_REWRITTEN, 9);    /* after checkpoint 8: the anchor */
}

static void test_forged_checkpoint(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 10);
	intrude(t, "UPDATE audit_checkpoints SET mac = randomblob(32) WHERE seq = 8");
	expect_bad(t, AUDIT_BAD_CHECKPOINT, 8);
}

/* A checkpoint removed from the middle breaks the MAC chain after it. */
static void test_deleted_checkpoint(void **state)
{
	struct tu_ctx *t = *state;

	append(t, 13);
	intrude(t, "DELETE FROM audit_checkpoints WHERE seq = 4");
	expect_bad(t, AUDIT_BAD_CHECKPOINT, 8);
}

static void test_wrong_key(void **state)
{
	struct tu_ctx *t = *state;
	struct audit_verify_result res;
	struct crypto_keyring other;
	struct gt_err err;
	char path[600];

	append(t, 10);
	snprintf(path, sizeof(path), "%s/other.key", t->dir);
	assert_int_equal(crypto_keyring_load(&other, path, &err), 0);
	assert_int_equal(audit_verify(t->ctx.store, &other, NULL, &res, &err), 0);
	assert_int_equal(res.problem, AUDIT_BAD_CHECKPOINT);
	assert_int_equal(res.bad_seq, 4);
	/* The anchor's MAC is checked with the key too. */
	assert_int_equal(audit_verify(t->ctx.store, &other, t->ctx.audit_head_path, &res, &err), 0);
	assert_int_not_equal(res.problem, AUDIT_INTACT);
	crypto_keyring_wipe(&other);
}

static void test_checkpoint_on_demand(void **state)
{
	struct tu_ctx *t = *state;
	struct audit_verify_result res;
	struct audit_head h;
	struct audit_ctx ac;
	struct gt_err err;
	char who[80];

	ctx_audit_ctx(&t->ctx, NULL, who, sizeof(who), &ac);
	assert_int_equal(audit_checkpoint(t->ctx.store, &ac, &h, &err), 0);
	assert_int_equal(h.seq, 0);          /* nothing to vouch for yet */
	append(t, 5);
	assert_int_equal(audit_checkpoint(t->ctx.store, &ac, &h, &err), 0);
	assert_int_equal(h.seq, 5);
	assert_int_equal(audit_checkpoint(t->ctx.store, &ac, &h, &err), 0);
	assert_int_equal(count_rows(t, "audit_checkpoints"), 2);   /* 4 and 5 */
	verify(t, &res);
	assert_int_equal(res.problem, AUDIT_INTACT);
	assert_int_equal(res.checkpoints, 2);
	assert_memory_equal(res.head.hash, h.hash, AUDIT_HASH_BYTES);
	/* Without the anchor, the on-demand checkpoint alone still catches
	 * the last row going. */
	assert_int_equal(unlink(t->ctx.audit_head_path), 0);
	intrude(t, "DELETE FROM audit WHERE seq = 5");
	expect_bad(t, AUDIT_TRUNCATED, 5);
}

/* ---- failing closed --------------------------------------------------------- */

static void write_batch(const char *path)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("[application]\nservice = new\nproject = szjsgws\ncert_type = org\nterm_years = 1\n"
	      "eseal = yes\n"
	      "[organization]\nname = 深圳市测试科技有限公司\nid_type = uscc\n"
	      "id_number = 91440300708461136T\naddress = 深圳市南山区科技园科苑路1号\n"
	      "[legal_rep]\nname = 张三\nid_type = resident\nid_number = " REP_ID "\n"
	      "[handler]\nname = 李四\nid_type = resident\nid_number = " HDL_ID "\n"
	      "mobile = " MOBILE "\nemail = lisi@example.com\nposition = 经理\n"
	      "[invoice]\nelectronic = yes\ntitle = 深圳市测试科技有限公司\n"
	      "tax_number = 91440300708461136T\n"
	      "[payment]\nmethod = wechat\nreference = 4200001234202611210000\n", f);
	assert_int_equal(fclose(f), 0);
}

static void test_fail_closed(void **state)
{
	struct tu_ctx *t = *state;
	struct application *app = calloc(1, sizeof(*app)), *back = calloc(1, sizeof(*back));
	struct issue_batch_result *res = calloc(1, sizeof(*res));
	struct store_operator op;
	struct audit_ctx ac;
	struct gt_err err;
	long long until, rows;
	char who[80], batch[600];
	struct store_app_summary list[4];
	size_t n;

	assert_non_null(app);
	assert_non_null(back);
	assert_non_null(res);
	if (session_add_operator(&t->ctx, "wang", "operator", PASSWORD, &err) != 0)
		fail_msg("add: %s", err.msg);
	assert_int_equal(session_login(&t->ctx, "wang", PASSWORD, &until, &err), SESSION_OK);
	if (issue_begin(&t->ctx, app, &err) != 0)
		fail_msg("begin: %s", err.msg);
	session_logout(&t->ctx);
	assert_int_equal(audit_count(t->ctx.store, &rows, &err), 0);

	/* From now on no audit row can be written. */
	intrude(t, "CREATE TRIGGER test_refuse BEFORE INSERT ON audit "
		"BEGIN SELECT RAISE(ABORT, 'audit disk refuses'); END");

	ctx_audit_ctx(&t->ctx, NULL, who, sizeof(who), &ac);
	assert_int_equal(audit_append(t->ctx.store, &ac, "test.row", "", "x", &err), -1);
	assert_non_null(strstr(err.msg, "audit"));

	/* A wizard step is not saved. */
	app_set(app, AF_ORG_NAME, "深圳市改过的名字有限公司");
	assert_int_equal(issue_save(&t->ctx, app, ISSUE_ORG, &err), -1);
	assert_int_equal(store_app_load(t->ctx.store, &t->ctx.ring, app->app_no, back, &err), 0);
	assert_int_equal(back->step, ISSUE_PRODUCT);
	assert_string_equal(app_get(back, AF_ORG_NAME), "");
	assert_int_equal(app->step, ISSUE_PRODUCT);

	/* Nobody logs in, and the failure count does not move either. */
	assert_int_equal(session_login(&t->ctx, "wang", PASSWORD, &until, &err), SESSION_ERROR);
	assert_string_equal(t->ctx.operator_name, "");
	assert_int_equal(session_login(&t->ctx, "wang", WRONG_PASSWORD, &until, &err), SESSION_ERROR);
	assert_int_equal(store_operator_get(t->ctx.store, "wang", &op, &err), 0);
	assert_int_equal(op.failures, 0);

	/* No new operator. */
	assert_int_equal(session_add_operator(&t->ctx, "li", "operator", PASSWORD, &err), -1);
	assert_int_equal(store_operator_get(t->ctx.store, "li", &op, &err), 1);

	/* No batch application stored. */
	snprintf(batch, sizeof(batch), "%s/app.ini", t->dir);
	write_batch(batch);
	assert_int_equal(issue_batch(&t->ctx, batch, "batch", res, &err), -1);
	assert_int_equal(store_app_list(t->ctx.store, "submitted", NULL, list, 4, &n, &err), 0);
	assert_int_equal(n, 0);

	/* Nothing reached the trail, and what is there still verifies. */
	assert_int_equal(count_rows(t, "audit"), rows);
	intrude(t, "DROP TRIGGER test_refuse");
	expect_bad(t, AUDIT_INTACT, 0);

	/* With the trail writable again, the same save goes through. */
	assert_int_equal(issue_save(&t->ctx, app, ISSUE_ORG, &err), 0);
	assert_int_equal(store_app_load(t->ctx.store, &t->ctx.ring, app->app_no, back, &err), 0);
	assert_int_equal(back->step, ISSUE_ORG);
	app_clear(app);
	app_clear(back);
	free(app);
	free(back);
	free(res);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
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
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* ---- the bundle -------------------------------------------------------------- */

static void replace_line(const char *path, const char *prefix, int which, const char *with)
{
	char tmp[700], line[8192];
	FILE *in = fopen(path, "r"), *out;
	int seen = 0;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	out = fopen(tmp, "w");
	assert_non_null(in);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, prefix, strlen(prefix)) == 0 && seen++ == which) {
			if (with != NULL)
				fputs(with, out);
			continue;
		}
		fputs(line, out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(rename(tmp, path), 0);
}

/* Change the last hex digit of the canonical bytes of the which-th row
 * line (0-based): the last byte of its detail. */
static void flip_row(const char *path, int which)
{
	size_t len;
	char *text = slurp(path, &len), *p = text;
	FILE *f;

	for (int seen = -1; seen < which; seen++) {
		p = strstr(p + 1, "\nrow ");
		assert_non_null(p);
	}
	p = strchr(p + 5, ' ');
	assert_non_null(p);
	p[-1] = p[-1] == '0' ? '1' : '0';
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(text);
}

static void bundle_verify(const char *path, const struct crypto_keyring *ring,
			  enum audit_problem p, long long seq)
{
	struct audit_verify_result res;
	struct gt_err err;

	if (audit_verify_bundle(path, ring, &res, &err) != 0)
		fail_msg("bundle: %s", err.msg);
	if (res.problem != p || (seq >= 0 && res.bad_seq != seq))
		fail_msg("bundle: expected %d at %lld, got %d at %lld: %s", p, seq, res.problem,
			 res.bad_seq, res.why);
}

static void test_bundle(void **state)
{
	struct tu_ctx *t = *state;
	struct audit_verify_result res;
	struct crypto_keyring key, other;
	struct gt_err err;
	char path[600], copy[700], cmd[2000], keypath[600];

	append(t, 10);
	snprintf(path, sizeof(path), "%s/bundle.txt", t->dir);
	assert_int_equal(audit_export(t->ctx.store, &t->ctx.audit_ring, t->ctx.audit_head_path,
				      path, &err), 0);
	/* An existing file is not overwritten. */
	assert_int_equal(audit_export(t->ctx.store, &t->ctx.audit_ring, t->ctx.audit_head_path,
				      path, &err), -1);

	/* On "another machine": the key file alone, nothing created. */
	assert_int_equal(crypto_keyring_load_existing(&key, t->ctx.cfg.audit_key_file, &err), 0);
	assert_int_equal(audit_verify_bundle(path, &key, &res, &err), 0);
	assert_int_equal(res.problem, AUDIT_INTACT);
	assert_int_equal(res.rows, 10);
	assert_int_equal(res.checkpoints, 2);
	assert_int_equal(res.anchored, 1);
	{
		struct audit_verify_result dbres;

		verify(t, &dbres);
		assert_memory_equal(dbres.head.hash, res.head.hash, AUDIT_HASH_BYTES);
	}
	snprintf(keypath, sizeof(keypath), "%s/nokey", t->dir);
	assert_int_equal(crypto_keyring_load_existing(&other, keypath, &err), -1);
	assert_int_equal(access(keypath, F_OK), -1);

	/* Another key: refused. */
	assert_int_equal(crypto_keyring_load(&other, keypath, &err), 0);
	bundle_verify(path, &other, AUDIT_BAD_CHECKPOINT, 4);
	crypto_keyring_wipe(&other);

	/* A row edited in the bundle: the last byte of the 7th row's
	 * detail changed, so its canonical bytes no longer match its hash. */
	snprintf(copy, sizeof(copy), "%s/edited.txt", t->dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", path, copy);
	assert_int_equal(system(cmd), 0);
	flip_row(copy, 6);
	bundle_verify(copy, &key, AUDIT_MODIFIED, 7);

	/* Rows taken off the end with the end line. */
	snprintf(cmd, sizeof(cmd), "head -n -3 '%s' > '%s'", path, copy);
	unlink(copy);
	assert_int_equal(system(cmd), 0);
	bundle_verify(copy, &key, AUDIT_TRUNCATED, 9);

	/* The end line removed only. */
	snprintf(cmd, sizeof(cmd), "head -n -1 '%s' > '%s'", path, copy);
	unlink(copy);
	assert_int_equal(system(cmd), 0);
	bundle_verify(copy, &key, AUDIT_BAD_BUNDLE, -1);

	/* The anchor line removed, rows after the last checkpoint cut and
	 * the end line kept: the end line's counts disagree. */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", path, copy);
	assert_int_equal(system(cmd), 0);
	replace_line(copy, "anchor ", 0, NULL);
	replace_line(copy, "row ", 9, NULL);
	bundle_verify(copy, &key, AUDIT_TRUNCATED, -1);

	/* A row deleted from the middle. */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", path, copy);
	assert_int_equal(system(cmd), 0);
	replace_line(copy, "row ", 2, NULL);
	bundle_verify(copy, &key, AUDIT_DELETED, 3);

	/* Not a bundle at all. */
	assert_int_equal(audit_verify_bundle(t->conf, &key, &res, &err), -1);
	crypto_keyring_wipe(&key);
}

/* ---- what the rows must never hold ----------------------------------------- */

struct scan {
	char *text;
	size_t len, cap;
	int logins_ok, logins_failed, logouts, batches;
};

static int scan_row(void *arg, const struct audit_row *r)
{
	struct scan *s = arg;
	const char *f[] = { r->terminal, r->operator_name, r->action, r->app_no, r->detail };

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		size_t n = strlen(f[i]);

		if (s->len + n + 2 > s->cap) {
			s->cap = 2 * (s->len + n + 2);
			s->text = realloc(s->text, s->cap);
			assert_non_null(s->text);
		}
		memcpy(s->text + s->len, f[i], n);
		s->len += n;
		s->text[s->len++] = '\n';
		s->text[s->len] = '\0';
	}
	s->logins_ok += strcmp(r->action, "login.ok") == 0;
	s->logins_failed += strcmp(r->action, "login.fail") == 0;
	s->logouts += strcmp(r->action, "logout") == 0;
	s->batches += strcmp(r->action, "batch.stored") == 0;
	return 0;
}

static void test_no_secrets(void **state)
{
	static const char *const secrets[] = {
		PASSWORD, WRONG_PASSWORD, "typed-into-name-field", HDL_ID, REP_ID, MOBILE,
	};
	struct tu_ctx *t = *state;
	struct issue_batch_result *res = calloc(1, sizeof(*res));
	struct scan s = { 0 };
	struct gt_err err;
	long long until;
	char logpath[600], batch[600], bundle[600];
	char *logtext, *btext;
	size_t loglen, blen;

	assert_non_null(res);
	snprintf(logpath, sizeof(logpath), "%s/guitai.log", t->dir);
	assert_int_equal(log_open(logpath, &err), 0);
	if (session_add_operator(&t->ctx, "wang", "supervisor", PASSWORD, &err) != 0)
		fail_msg("add: %s", err.msg);
	assert_int_equal(session_login(&t->ctx, "wang", PASSWORD, &until, &err), SESSION_OK);
	session_logout(&t->ctx);
	assert_int_equal(session_login(&t->ctx, "wang", WRONG_PASSWORD, &until, &err), SESSION_BAD);
	/* A password typed into the name field. */
	assert_int_equal(session_login(&t->ctx, "typed-into-name-field", PASSWORD, &until, &err),
			 SESSION_BAD);
	snprintf(batch, sizeof(batch), "%s/app.ini", t->dir);
	write_batch(batch);
	if (issue_batch(&t->ctx, batch, "batch", res, &err) != 0)
		fail_msg("batch: %s", err.msg);
	log_close();

	assert_int_equal(audit_list(t->ctx.store, 0, 1000, scan_row, &s, &err), 0);
	assert_int_equal(s.logins_ok, 1);
	assert_int_equal(s.logins_failed, 2);
	assert_int_equal(s.logouts, 1);
	assert_int_equal(s.batches, 1);
	/* Proof the scan sees the rows: the operator's name is there. */
	assert_non_null(strstr(s.text, "wang"));

	snprintf(bundle, sizeof(bundle), "%s/bundle.txt", t->dir);
	assert_int_equal(audit_export(t->ctx.store, &t->ctx.audit_ring, t->ctx.audit_head_path,
				      bundle, &err), 0);
	logtext = slurp(logpath, &loglen);
	btext = slurp(bundle, &blen);
	/* Nor either key, in hex as the key files hold them. */
	for (int k = 0; k < 2; k++) {
		char keyhex[2 * CRYPTO_KEY_BYTES + 1];

		crypto_hex(k ? t->ctx.audit_ring.keys[0] : t->ctx.ring.keys[0], CRYPTO_KEY_BYTES,
			   keyhex);
		if (strstr(s.text, keyhex) != NULL ||
		    memmem(logtext, loglen, keyhex, strlen(keyhex)) != NULL ||
		    memmem(btext, blen, keyhex, strlen(keyhex)) != NULL)
			fail_msg("key %d found in the rows, the log or the bundle", k);
	}
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		char hex[200];

		if (strstr(s.text, secrets[i]) != NULL)
			fail_msg("an audit row holds \"%s\"", secrets[i]);
		if (memmem(logtext, loglen, secrets[i], strlen(secrets[i])) != NULL)
			fail_msg("the log holds \"%s\"", secrets[i]);
		/* The bundle carries the rows in hex. */
		for (size_t j = 0; secrets[i][j] != '\0'; j++)
			snprintf(hex + 2 * j, 3, "%02x", (unsigned char)secrets[i][j]);
		if (memmem(btext, blen, hex, strlen(hex)) != NULL)
			fail_msg("the bundle holds \"%s\"", secrets[i]);
	}
	free(logtext);
	free(btext);
	free(s.text);
	free(res);
}

/* ---- configuration ---------------------------------------------------------- */

static int count_action(void *arg, const struct audit_row *r)
{
	int *n = arg;

	*n += strcmp(r->action, "config.load") == 0;
	return 0;
}

static void test_config_load(void **state)
{
	struct tu_ctx *t = *state;
	struct gt_err err;
	int n = 0;

	assert_int_equal(ctx_audit(&t->ctx, "test.row", "", &err, "one"), 0);
	assert_int_equal(ctx_audit(&t->ctx, "test.row", "", &err, "two"), 0);
	assert_int_equal(audit_list(t->ctx.store, 0, 100, count_action, &n, &err), 0);
	assert_int_equal(n, 1);
	/* A reopened counter with the same configuration: no new row. */
	ctx_close(&t->ctx);
	t->open = 0;
	assert_int_equal(ctx_open(&t->ctx, t->conf, &err), 0);
	t->open = 1;
	assert_int_equal(ctx_audit(&t->ctx, "test.row", "", &err, "three"), 0);
	n = 0;
	assert_int_equal(audit_list(t->ctx.store, 0, 100, count_action, &n, &err), 0);
	assert_int_equal(n, 1);
	/* A changed one: recorded before the next action. */
	ctx_close(&t->ctx);
	t->open = 0;
	assert_int_equal(write_config(t, "[ui]\nidle_minutes = 5\n"), 0);
	assert_int_equal(ctx_open(&t->ctx, t->conf, &err), 0);
	t->open = 1;
	assert_int_equal(ctx_audit(&t->ctx, "test.row", "", &err, "four"), 0);
	n = 0;
	assert_int_equal(audit_list(t->ctx.store, 0, 100, count_action, &n, &err), 0);
	assert_int_equal(n, 2);
	/* Details with bytes that are not UTF-8 are kept, cleaned. */
	assert_int_equal(ctx_audit(&t->ctx, "test.row", "", &err, "file %s", "a\xff\n.ini"), 0);
	expect_bad(t, AUDIT_INTACT, 0);
	/* A malformed action is refused. */
	assert_int_equal(ctx_audit(&t->ctx, "Bad Action", "", &err, "x"), -1);
}

/* The audit key is made on first run, 0600, next to the PII key. */
static void test_key_file(void **state)
{
	struct tu_ctx *t = *state;
	struct stat st;
	char path[600];

	snprintf(path, sizeof(path), "%s/data/audit.key", t->dir);
	assert_string_equal(t->ctx.cfg.audit_key_file, path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(t->ctx.audit_ring.n, 1);
	assert_memory_not_equal(t->ctx.audit_ring.keys[0], t->ctx.ring.keys[0], CRYPTO_KEY_BYTES);
	append(t, 1);
	assert_int_equal(stat(t->ctx.audit_head_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* A trail of schema 5 (one column a field) is turned back out of this one,
 * and opening migrates it again: every row keeps its hash, the checkpoints
 * and the anchor still match, and a row tampered with in the old columns
 * is still found after the migration. */
static void make_schema5(struct tu_ctx *t, long long tamper_seq)
{
	struct audit_row rows[16];
	struct gt_err err;
	sqlite3 *db;
	sqlite3_stmt *stmt;
	char *msg = NULL;

	memset(rows, 0, sizeof(rows));
	assert_int_equal(audit_list(t->ctx.store, 0, 10, collect_row, rows, &err), 0);
	ctx_close(&t->ctx);
	t->open = 0;
	assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
	/* Schema 5 had no payer account either (migration 6 adds it). */
	if (sqlite3_exec(db, "BEGIN; ALTER TABLE payments DROP COLUMN account; DROP TABLE audit;"
			 "CREATE TABLE audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
			 " terminal TEXT NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL,"
			 " app_no TEXT NOT NULL, detail TEXT NOT NULL,"
			 " prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),"
			 " hash BLOB NOT NULL CHECK (length(hash) = 32));"
			 "CREATE INDEX audit_config ON audit (seq) WHERE action = 'config.load';"
			 "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
			 " BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed'); END;",
			 NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("schema 5: %s", msg);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO audit VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
					    "?7, ?8, ?9)", -1, &stmt, NULL), SQLITE_OK);
	for (int i = 0; i < 10; i++) {
		const struct audit_row *r = &rows[i];

		sqlite3_bind_int64(stmt, 1, r->seq);
		sqlite3_bind_int64(stmt, 2, r->at);
		sqlite3_bind_text(stmt, 3, r->terminal, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, r->operator_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 5, r->action, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 6, r->app_no, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 7, r->seq == tamper_seq ? "tampered" : r->detail, -1,
				  SQLITE_STATIC);
		sqlite3_bind_blob(stmt, 8, r->prev_hash, AUDIT_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(stmt, 9, r->hash, AUDIT_HASH_BYTES, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 5; COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	free_rows(rows, 10);
}

static void test_migrate_schema5(void **state)
{
	struct tu_ctx *t = *state;
	struct audit_verify_result before, res;
	struct gt_err err;
	char last[AUDIT_DETAIL_MAX + 1];

	assert_int_equal(ctx_audit(&t->ctx, "test.row", "", &err, "first"), 0);   /* config.load */
	append(t, 8);
	verify(t, &before);
	assert_int_equal(before.problem, AUDIT_INTACT);
	assert_int_equal(before.rows, 10);
	make_schema5(t, 0);
	assert_int_equal(ctx_open(&t->ctx, t->conf, &err), 0);
	t->open = 1;
	assert_int_equal(count_rows(t, "audit"), 10);
	verify(t, &res);
	assert_int_equal(res.problem, AUDIT_INTACT);
	assert_int_equal(res.rows, 10);
	assert_int_equal(res.checkpoints, 2);
	assert_int_equal(res.anchored, 1);
	assert_int_equal(res.bytes, before.bytes);
	assert_memory_equal(res.head.hash, before.head.hash, AUDIT_HASH_BYTES);
	/* The config row is found by its bytes: no second one. */
	assert_int_equal(audit_last_config(t->ctx.store, last, sizeof(last), &err), 0);
	assert_non_null(strstr(last, t->ctx.config_digest));
	assert_int_equal(ctx_audit(&t->ctx, "test.row", "", &err, "after"), 0);
	assert_int_equal(count_rows(t, "audit"), 11);
	expect_bad(t, AUDIT_INTACT, 0);

	/* Tampered before the migration: still found after it. */
	make_schema5(t, 7);
	assert_int_equal(ctx_open(&t->ctx, t->conf, &err), 0);
	t->open = 1;
	expect_bad(t, AUDIT_MODIFIED, 7);
}

/* A lost audit key is never made again over an existing trail: opening
 * refuses and says which file to restore, nothing is appended, and a
 * restored copy given to verify checks the trail. */
static void test_key_missing(void **state)
{
	struct tu_ctx *t = *state;
	struct audit_verify_result res;
	struct crypto_keyring empty;
	struct audit_ctx ac;
	struct gt_err err;
	char key[600], backup[600], cmd[1400], who[80];
	long long rows;

	append(t, 6);
	snprintf(key, sizeof(key), "%s/data/audit.key", t->dir);
	snprintf(backup, sizeof(backup), "%s/audit.key.backup", t->dir);
	snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", key, backup);
	assert_int_equal(system(cmd), 0);

	/* The library alone refuses to write a row without a key. */
	memset(&empty, 0, sizeof(empty));
	ctx_audit_ctx(&t->ctx, NULL, who, sizeof(who), &ac);
	ac.ring = &empty;
	assert_int_equal(audit_append(t->ctx.store, &ac, "test.row", "", "no key", &err), -1);
	assert_non_null(strstr(err.msg, "no audit key"));

	ctx_close(&t->ctx);
	t->open = 0;
	assert_int_equal(unlink(key), 0);
	assert_int_equal(ctx_open(&t->ctx, t->conf, &err), -1);
	assert_non_null(strstr(err.msg, key));
	assert_non_null(strstr(err.msg, "missing"));
	assert_non_null(strstr(err.msg, "Restore the key file from its backup"));
	assert_non_null(strstr(err.msg, "of 6 rows and 1 keyed"));
	assert_int_equal(access(key, F_OK), -1);         /* not made again */

	/* verify --key-file with the restored copy: intact, nothing made. */
	assert_int_equal(ctx_open_audit_key(&t->ctx, t->conf, backup, &err), 0);
	t->open = 1;
	verify(t, &res);
	assert_int_equal(res.problem, AUDIT_INTACT);
	assert_int_equal(res.rows, 6);
	assert_int_equal(res.anchored, 1);
	assert_int_equal(access(key, F_OK), -1);
	ctx_close(&t->ctx);
	t->open = 0;
	/* A key file given that does not exist is not made either. */
	assert_int_equal(ctx_open_audit_key(&t->ctx, t->conf, key, &err), -1);
	assert_int_equal(access(key, F_OK), -1);

	/* Rows and checkpoints gone too, only the anchor left: still refused. */
	intrude(t, "DELETE FROM audit; DELETE FROM audit_checkpoints");
	assert_int_equal(ctx_open(&t->ctx, t->conf, &err), -1);
	assert_non_null(strstr(err.msg, "head anchor"));
	assert_int_equal(access(key, F_OK), -1);

	/* Restored: everything as before. */
	snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", backup, key);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ctx_open(&t->ctx, t->conf, &err), 0);
	t->open = 1;
	assert_int_equal(audit_count(t->ctx.store, &rows, &err), 0);
	assert_int_equal(rows, 0);
	expect_bad(t, AUDIT_TRUNCATED, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, make_ctx, remove_ctx)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_chain_intact),
		T(test_canonical_no_collision),
		T(test_triggers),
		T(test_tamper_modify),
		T(test_tamper_modify_time),
		T(test_tamper_modify_bytes),
		T(test_tamper_renumber),
		T(test_tamper_delete),
		T(test_tamper_delete_seam),
		T(test_tamper_modify_seam),
		T(test_tamper_swap),
		T(test_tamper_truncate_tail),
		T(test_tamper_truncate_checkpoint_beyond),
		T(test_tamper_truncate_all),
		T(test_tamper_rehash),
		T(test_tamper_rehash_tail),
		T(test_forged_checkpoint),
		T(test_deleted_checkpoint),
		T(test_wrong_key),
		T(test_checkpoint_on_demand),
		T(test_fail_closed),
		T(test_bundle),
		T(test_no_secrets),
		T(test_config_load),
		T(test_key_file),
		T(test_key_missing),
		T(test_migrate_schema5),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
