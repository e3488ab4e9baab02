/* SQLite store; see store.h. Migrations are a list of SQL scripts indexed by
 * the schema version they produce; opening a database applies the missing
 * ones inside one transaction each. */
#include "config.h"
#include "db/store.h"
#include "db/audit.h"
#include "db/crypto.h"
#include "db/lookup.h"
#include "util/i18n.h"
#include "util/str.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Statements kept prepared for the connection's life (store_stmt). */
#define STORE_STMT_CACHE 24

struct store_cached {
	const char *sql;            /* the caller's literal: its address is the key */
	sqlite3_stmt *stmt;
	int busy;
};

struct store {
	sqlite3 *db;
	char path[4096];
	pthread_mutex_t cache_lock;
	struct store_cached cache[STORE_STMT_CACHE];
};

static const char *const store_migrations[STORE_SCHEMA_VERSION] = {
	/* 1: applications, numbering, operators */
	"CREATE TABLE operators ("
	"  name TEXT PRIMARY KEY,"
	"  role TEXT NOT NULL CHECK (role IN ('operator','supervisor','auditor')),"
	"  pw_hash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  locked_until INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE app_sequence ("
	"  terminal TEXT NOT NULL, day INTEGER NOT NULL, last INTEGER NOT NULL,"
	"  PRIMARY KEY (terminal, day));"
	"CREATE TABLE applications ("
	"  app_no TEXT PRIMARY KEY,"
	"  terminal TEXT NOT NULL,"
	"  service TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('draft','submitted','cancelled')),"
	"  step INTEGER NOT NULL,"
	"  org_name TEXT NOT NULL,"
	"  uscc TEXT NOT NULL,"
	"  operator TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  record BLOB NOT NULL);"
	"CREATE INDEX applications_status ON applications (status, terminal, updated_at);"
	"CREATE INDEX applications_uscc ON applications (uscc);"
	"CREATE INDEX applications_org ON applications (org_name);",
	/* 2: the raw photo of each ID-card read (the WLT cannot be decoded
	 * without the vendor's library, so it is kept as read) */
	"CREATE TABLE card_photos ("
	"  app_no TEXT NOT NULL REFERENCES applications (app_no),"
	"  person TEXT NOT NULL CHECK (person IN ('legal_rep','handler')),"
	"  read_at INTEGER NOT NULL,"
	"  photo BLOB NOT NULL,"
	"  PRIMARY KEY (app_no, person));",
	/* 3: the audit trail (db/audit.h): append-only rows chained by hash,
	 * keyed checkpoints. The triggers stop an ordinary UPDATE or DELETE;
	 * the chain and the MACs catch the rest. Text columns are NOT NULL
	 * ('' for none) so the canonical bytes have one form. */
	"CREATE TABLE audit ("
	"  seq INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  terminal TEXT NOT NULL,"
	"  operator TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  app_no TEXT NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32));"
	"CREATE INDEX audit_config ON audit (seq) WHERE action = 'config.load';"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows cannot be deleted'); END;"
	"CREATE TRIGGER audit_in_sequence BEFORE INSERT ON audit"
	"  WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit)"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are appended in sequence'); END;"
	"CREATE TABLE audit_checkpoints ("
	"  seq INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  key_id INTEGER NOT NULL,"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32),"
	"  mac BLOB NOT NULL CHECK (length(mac) = 32));"
	"CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints"
	"  BEGIN SELECT RAISE(ABORT, 'audit checkpoints cannot be changed'); END;"
	"CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints"
	"  BEGIN SELECT RAISE(ABORT, 'audit checkpoints cannot be deleted'); END;",
	/* 4: the payments ledger, closed days, and the keyed index of personal
	 * numbers (db/ledger.h, db/pii.h). A payment row is never changed: a
	 * void (same day) or refund (any later day) is a row of its own with a
	 * negative amount naming the original, at most one per payment. Once
	 * a day is in settlements no row of that day can be added. */
	"CREATE TABLE payments ("
	"  id INTEGER PRIMARY KEY,"
	"  app_no TEXT NOT NULL REFERENCES applications (app_no),"
	"  kind TEXT NOT NULL CHECK (kind IN ('payment','void','refund')),"
	"  original INTEGER REFERENCES payments (id),"
	"  method TEXT NOT NULL CHECK (method IN ('cash','card','wechat','alipay','transfer')),"
	"  amount_fen INTEGER NOT NULL,"
	"  reference TEXT NOT NULL,"
	"  service TEXT NOT NULL,"
	"  invoice TEXT NOT NULL,"
	"  operator TEXT NOT NULL,"
	"  approved_by TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  terminal TEXT NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  CHECK ((kind = 'payment') = (original IS NULL)),"
	"  CHECK ((kind = 'payment') = (amount_fen > 0)),"
	"  CHECK (kind = 'payment' OR approved_by <> ''));"
	"CREATE INDEX payments_day ON payments (day);"
	"CREATE INDEX payments_app ON payments (app_no);"
	"CREATE UNIQUE INDEX payments_reversed_once ON payments (original)"
	"  WHERE original IS NOT NULL;"
	"CREATE TABLE settlements ("
	"  day INTEGER PRIMARY KEY,"
	"  closed_at INTEGER NOT NULL,"
	"  closed_by TEXT NOT NULL,"
	"  approved_by TEXT NOT NULL,"
	"  terminal TEXT NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  net_fen INTEGER NOT NULL,"
	"  digest BLOB NOT NULL CHECK (length(digest) = 32),"
	"  audit_seq INTEGER NOT NULL,"
	"  audit_head BLOB NOT NULL CHECK (length(audit_head) = 32));"
	"CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments"
	"  BEGIN SELECT RAISE(ABORT, 'payments are never changed; void or refund instead'); END;"
	"CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments"
	"  BEGIN SELECT RAISE(ABORT, 'payments are never deleted; void or refund instead'); END;"
	"CREATE TRIGGER payments_day_open BEFORE INSERT ON payments"
	"  WHEN EXISTS (SELECT 1 FROM settlements WHERE day = NEW.day)"
	"  BEGIN SELECT RAISE(ABORT, 'the day is closed'); END;"
	"CREATE TRIGGER payments_reverses_payment BEFORE INSERT ON payments"
	"  WHEN NEW.original IS NOT NULL AND NOT EXISTS (SELECT 1 FROM payments p"
	"    WHERE p.id = NEW.original AND p.kind = 'payment' AND p.app_no = NEW.app_no"
	"    AND p.method = NEW.method AND p.amount_fen = -NEW.amount_fen)"
	"  BEGIN SELECT RAISE(ABORT, 'a void or refund must mirror its payment'); END;"
	"CREATE TRIGGER payments_void_same_day BEFORE INSERT ON payments"
	"  WHEN NEW.kind = 'void' AND (SELECT day FROM payments WHERE id = NEW.original)"
	"    IS NOT NEW.day"
	"  BEGIN SELECT RAISE(ABORT, 'only a payment of the same day can be voided'); END;"
	"CREATE TRIGGER settlements_no_update BEFORE UPDATE ON settlements"
	"  BEGIN SELECT RAISE(ABORT, 'a closed day cannot be changed'); END;"
	"CREATE TRIGGER settlements_no_delete BEFORE DELETE ON settlements"
	"  BEGIN SELECT RAISE(ABORT, 'a closed day cannot be reopened'); END;"
	"CREATE TABLE pii_index ("
	"  mac BLOB NOT NULL CHECK (length(mac) = 16),"
	"  app_no TEXT NOT NULL REFERENCES applications (app_no),"
	"  field TEXT NOT NULL,"
	"  PRIMARY KEY (mac, app_no, field)) WITHOUT ROWID;"
	"CREATE INDEX pii_index_app ON pii_index (app_no);",
	/* 5: key personalisation (db/tokdb.h): the certificates issued, and
	 * the journal of personalisation steps, append-only like the audit
	 * trail. Neither holds a PIN. */
	"CREATE TABLE ca_certs ("
	"  serial TEXT PRIMARY KEY,"
	"  app_no TEXT NOT NULL,"
	"  backend TEXT NOT NULL CHECK (backend IN ('builtin','helper')),"
	"  subject TEXT NOT NULL,"
	"  not_before INTEGER NOT NULL,"
	"  not_after INTEGER NOT NULL,"
	"  issued_at INTEGER NOT NULL,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0,"
	"  reason INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL CHECK (status IN ('valid','revoked')),"
	"  spki_sha256 TEXT NOT NULL,"
	"  der BLOB NOT NULL);"
	"CREATE INDEX ca_certs_app ON ca_certs (app_no);"
	"CREATE TRIGGER ca_certs_no_delete BEFORE DELETE ON ca_certs"
	"  BEGIN SELECT RAISE(ABORT, 'issued certificates are never deleted'); END;"
	"CREATE TABLE token_journal ("
	"  id INTEGER PRIMARY KEY,"
	"  app_no TEXT NOT NULL,"
	"  attempt INTEGER NOT NULL,"
	"  step TEXT NOT NULL,"
	"  phase TEXT NOT NULL CHECK (phase IN ('begin','done','failed')),"
	"  at INTEGER NOT NULL,"
	"  token_serial TEXT NOT NULL,"
	"  key_id TEXT NOT NULL,"
	"  cert_serial TEXT NOT NULL,"
	"  detail TEXT NOT NULL);"
	"CREATE INDEX token_journal_app ON token_journal (app_no, id);"
	"CREATE TRIGGER token_journal_no_update BEFORE UPDATE ON token_journal"
	"  BEGIN SELECT RAISE(ABORT, 'journal rows cannot be changed'); END;"
	"CREATE TRIGGER token_journal_no_delete BEFORE DELETE ON token_journal"
	"  BEGIN SELECT RAISE(ABORT, 'journal rows cannot be deleted'); END;",
	/* 6: the payer's bank card or account on a payment (card, transfer),
	 * sealed like the records (db/crypto.h: key id in the sealed bytes,
	 * AAD "payment-account:" and the application number); NULL when the
	 * method needs none. A void or refund carries its payment's. */
	"ALTER TABLE payments ADD COLUMN account BLOB;",
	/* 7: each audit row stored as its canonical bytes followed by its hash
	 * (db/audit.h), so verify reads one value a row instead of nine.
	 * The rows are converted as they are, tampered or not
	 * (guitai_audit_rec, db/audit.c): no hash changes, and verify answers
	 * as it did. The partial index finds "config.load" rows by their
	 * bytes; the triggers are those of 3. */
	"CREATE TABLE audit_rec ("
	"  seq INTEGER PRIMARY KEY,"
	"  rec BLOB NOT NULL CHECK (length(rec) >= 104));"
	"INSERT INTO audit_rec (seq, rec)"
	"  SELECT seq, guitai_audit_rec(seq, at, terminal, operator, action, app_no, detail,"
	"                               prev_hash, hash) FROM audit ORDER BY seq;"
	"DROP TABLE audit;"
	"ALTER TABLE audit_rec RENAME TO audit;"
	"CREATE INDEX audit_config ON audit (seq) WHERE instr(rec, " AUDIT_CONFIG_PATTERN ") > 0;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows cannot be deleted'); END;"
	"CREATE TRIGGER audit_in_sequence BEFORE INSERT ON audit"
	"  WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit)"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are appended in sequence'); END;",
};

/* Turn an SQLite failure into a sentence the counter can act on. */
static int store_fail(struct store *st, int rc, struct gt_err *err, const char *what)
{
	const char *path = st ? st->path : "";

	switch (rc & 0xFF) {
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		return err_set(err, _("database %s cannot be written (read-only or no permission); "
				      "nothing was saved"), path);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return err_set(err, _("database %s is damaged or not a guitai database; restore it "
				      "from the backup or move it aside"), path);
	case SQLITE_FULL:
		return err_set(err, _("disk full: database %s cannot grow; nothing was saved"), path);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(err, _("database %s is busy (another guitai is writing); try again"),
			       path);
	case SQLITE_IOERR:
		return err_set(err, _("input/output error on database %s: %s"), path,
			       st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	default:
		return err_set(err, _("database %s: %s failed: %s"), path, what,
			       st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	}
}

static int store_exec(struct store *st, const char *sql, struct gt_err *err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(st, rc, err, "exec");
}

static int store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
			 struct gt_err *err)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(st, rc, err, "prepare");
}

static int store_migrate(struct store *st, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int version, rc;

	if (store_prepare(st, "PRAGMA user_version", &stmt, err) != 0)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return store_fail(st, rc, err, "read schema version");
	}
	version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	if (version > STORE_SCHEMA_VERSION)
		return err_set(err, _("database %s has schema %d, newer than this guitai (%d); "
				      "use a newer guitai"), st->path, version, STORE_SCHEMA_VERSION);
	while (version < STORE_SCHEMA_VERSION) {
		char bump[64];

		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", version + 1);
		if (store_exec(st, "BEGIN IMMEDIATE", err) != 0)
			return -1;
		if (store_exec(st, store_migrations[version], err) != 0 ||
		    store_exec(st, bump, err) != 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if (store_exec(st, "COMMIT", err) != 0)
			return -1;
		version++;
	}
	return 0;
}

int store_open(const char *path, struct store **out, struct gt_err *err)
{
	struct store *st = calloc(1, sizeof(*st));
	int rc;

	if (st == NULL)
		return err_set(err, _("out of memory"));
	pthread_mutex_init(&st->cache_lock, NULL);
	str_copy(st->path, sizeof(st->path), path);
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_fail(st, rc, err, "open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	if (audit_sql_functions(st->db) != 0) {
		store_fail(st, SQLITE_ERROR, err, "register functions");
		goto fail;
	}
	/* WAL keeps readers going while the wizard saves; FULL sync so a
	 * saved screen survives a power cut, as the counter promises.
	 * 16 KiB pages (taken only by a new, empty file): audit verify reads
	 * the whole trail a page at a time, and four times fewer reads made
	 * it about a fifth faster (bench/audit), for about 0.5 ms more per
	 * batch commit (bench/batch). An existing file keeps its page size.
	 * Temporary tables and statement journals in memory: they are small
	 * here, and a file for them was opened, written and unlinked in
	 * /var/tmp by every saving transaction (~0.4 ms a batch). */
	if (store_exec(st, "PRAGMA page_size = 16384", err) != 0 ||
	    store_exec(st, "PRAGMA journal_mode = WAL", err) != 0 ||
	    store_exec(st, "PRAGMA synchronous = FULL", err) != 0 ||
	    store_exec(st, "PRAGMA foreign_keys = ON", err) != 0 ||
	    store_exec(st, "PRAGMA temp_store = MEMORY", err) != 0 ||
	    store_migrate(st, err) != 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < STORE_STMT_CACHE; i++)
		sqlite3_finalize(st->cache[i].stmt);
	sqlite3_close_v2(st->db);
	pthread_mutex_destroy(&st->cache_lock);
	free(st);
}

int store_stmt(struct store *st, const char *sql, sqlite3_stmt **out, struct gt_err *err)
{
	struct store_cached *slot = NULL;
	int rc;

	*out = NULL;
	pthread_mutex_lock(&st->cache_lock);
	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		struct store_cached *c = &st->cache[i];

		if (c->sql == sql && !c->busy) {
			c->busy = 1;
			*out = c->stmt;
			break;
		}
		if (c->sql == NULL && slot == NULL)
			slot = c;
	}
	if (*out == NULL && slot != NULL)
		slot->busy = 1;          /* reserved while it is prepared */
	pthread_mutex_unlock(&st->cache_lock);
	if (*out != NULL)
		return 0;
	/* Not kept yet (or in use further up the stack, or the cache is
	 * full): prepare it; a statement that found no slot is finalized by
	 * store_stmt_done. */
	rc = sqlite3_prepare_v3(st->db, sql, -1, slot != NULL ? SQLITE_PREPARE_PERSISTENT : 0, out,
				NULL);
	pthread_mutex_lock(&st->cache_lock);
	if (slot != NULL) {
		if (rc == SQLITE_OK) {
			slot->sql = sql;
			slot->stmt = *out;
		} else {
			slot->busy = 0;
		}
	}
	pthread_mutex_unlock(&st->cache_lock);
	return rc == SQLITE_OK ? 0 : store_fail(st, rc, err, "prepare");
}

void store_stmt_done(struct store *st, sqlite3_stmt *stmt)
{
	if (stmt == NULL)
		return;
	/* Reset at once: a statement left stepping holds its read
	 * transaction open (no checkpoint, a stale snapshot). */
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	pthread_mutex_lock(&st->cache_lock);
	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		if (st->cache[i].stmt == stmt) {
			st->cache[i].busy = 0;
			pthread_mutex_unlock(&st->cache_lock);
			return;
		}
	}
	pthread_mutex_unlock(&st->cache_lock);
	sqlite3_finalize(stmt);
}

/* A statement without rows (BEGIN, COMMIT), kept prepared. */
static int store_run(struct store *st, const char *sql, struct gt_err *err)
{
	sqlite3_stmt *stmt;
	int rc;

	if (store_stmt(st, sql, &stmt, err) != 0)
		return -1;
	rc = sqlite3_step(stmt);
	store_stmt_done(st, stmt);
	return rc == SQLITE_DONE ? 0 : store_fail(st, rc, err, "exec");
}

struct sqlite3 *store_db(struct store *st)
{
	return st->db;
}

const char *store_path(struct store *st)
{
	return st->path;
}

int store_error(struct store *st, int rc, struct gt_err *err, const char *what)
{
	return store_fail(st, rc, err, what);
}

int store_begin(struct store *st, struct gt_err *err)
{
	/* IMMEDIATE: take the write lock now, so a reader that later writes
	 * never dead-locks against another writer half-way through. */
	return store_run(st, "BEGIN IMMEDIATE", err);
}

int store_commit(struct store *st, struct gt_err *err)
{
	return store_run(st, "COMMIT", err);
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_schema_version(struct store *st)
{
	sqlite3_stmt *stmt = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

int store_next_app_no(struct store *st, const char *terminal, int ymd, char *out,
		      size_t size, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc, seq, own = sqlite3_get_autocommit(st->db);

	if (own && store_exec(st, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	if (store_prepare(st, "INSERT INTO app_sequence (terminal, day, last) VALUES (?1, ?2, 1) "
			  "ON CONFLICT (terminal, day) DO UPDATE SET last = last + 1 "
			  "RETURNING last", &stmt, err) != 0)
		goto fail;
	sqlite3_bind_text(stmt, 1, terminal, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, ymd);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		store_fail(st, rc, err, "number");
		goto fail;
	}
	seq = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (own && store_exec(st, "COMMIT", err) != 0)
		goto fail;
	snprintf(out, size, "%s-%08d-%04d", terminal, ymd, seq);
	return 0;
fail:
	sqlite3_finalize(stmt);
	if (own)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static const char *store_status_name(enum app_status s)
{
	switch (s) {
	case APP_SUBMITTED:
		return "submitted";
	case APP_CANCELLED:
		return "cancelled";
	default:
		return "draft";
	}
}

static enum app_status store_status_parse(const char *s)
{
	if (strcmp(s, "submitted") == 0)
		return APP_SUBMITTED;
	if (strcmp(s, "cancelled") == 0)
		return APP_CANCELLED;
	return APP_DRAFT;
}

int store_app_save(struct store *st, const struct crypto_keyring *ring,
		   const struct application *app, const char *terminal, struct gt_err *err)
{
	size_t cap = AF_COUNT * (APP_VALUE_MAX + 64), sealed_len = 0;
	char *text = malloc(cap);
	unsigned char *sealed = malloc(cap + CRYPTO_SEAL_OVERHEAD);
	sqlite3_stmt *stmt = NULL;
	int rc = -1, src;

	if (text == NULL || sealed == NULL) {
		err_set(err, _("out of memory"));
		goto out;
	}
	if (app_to_ini(app, text, cap) != 0) {
		err_set(err, _("application record too large"));
		goto out;
	}
	if (crypto_seal(ring, app->app_no, text, strlen(text), sealed, &sealed_len, err) != 0)
		goto out;
	if (store_prepare(st,
			  "INSERT INTO applications (app_no, terminal, service, status, step, "
			  "org_name, uscc, operator, created_at, updated_at, record) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
			  "ON CONFLICT (app_no) DO UPDATE SET service = ?3, status = ?4, step = ?5, "
			  "org_name = ?6, uscc = ?7, operator = ?8, updated_at = ?10, record = ?11",
			  &stmt, err) != 0)
		goto out;
	sqlite3_bind_text(stmt, 1, app->app_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, terminal, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, app_get(app, AF_SERVICE), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, store_status_name(app->status), -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 5, app->step);
	sqlite3_bind_text(stmt, 6, app_get(app, AF_ORG_NAME), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, app_get(app, AF_ORG_ID_NUMBER), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, app->operator_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, app->created_at);
	sqlite3_bind_int64(stmt, 10, app->updated_at);
	sqlite3_bind_blob(stmt, 11, sealed, (int)sealed_len, SQLITE_STATIC);
	/* The record and its keyed search index change together (a savepoint
	 * works inside the caller's transaction and without one). */
	if (store_exec(st, "SAVEPOINT app_save", err) != 0)
		goto out;
	src = sqlite3_step(stmt);
	if (src != SQLITE_DONE) {
		store_fail(st, src, err, "save application");
		sqlite3_exec(st->db, "ROLLBACK TO app_save; RELEASE app_save", NULL, NULL, NULL);
		goto out;
	}
	if (lookup_index_app(st, ring, app, err) != 0) {
		sqlite3_exec(st->db, "ROLLBACK TO app_save; RELEASE app_save", NULL, NULL, NULL);
		goto out;
	}
	if (store_exec(st, "RELEASE app_save", err) != 0) {
		sqlite3_exec(st->db, "ROLLBACK TO app_save; RELEASE app_save", NULL, NULL, NULL);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (text != NULL)
		str_wipe(text, cap);
	free(text);
	free(sealed);
	return rc;
}

int store_app_load(struct store *st, const struct crypto_keyring *ring, const char *app_no,
		   struct application *app, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	char *text = NULL;
	size_t len = 0, blob_len;
	const void *blob;
	int rc = -1, src;

	if (store_prepare(st, "SELECT status, step, operator, created_at, updated_at, record "
			  "FROM applications WHERE app_no = ?1", &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, app_no, -1, SQLITE_STATIC);
	src = sqlite3_step(stmt);
	if (src == SQLITE_DONE) {
		rc = 1;
		goto out;
	}
	if (src != SQLITE_ROW) {
		store_fail(st, src, err, "load application");
		goto out;
	}
	blob = sqlite3_column_blob(stmt, 5);
	blob_len = (size_t)sqlite3_column_bytes(stmt, 5);
	text = malloc(blob_len + 1);
	if (text == NULL) {
		err_set(err, _("out of memory"));
		goto out;
	}
	if (crypto_open(ring, app_no, blob, blob_len, text, &len, err) != 0) {
		err_prefix(err, _("application %s"), app_no);
		goto out;
	}
	text[len] = '\0';
	app_init(app);
	/* Defaults must not survive where the stored record left a field
	 * empty, so start from an empty record. */
	memset(app->values, 0, sizeof(app->values));
	if (app_from_ini(app, text, len, err) != 0) {
		err_prefix(err, _("application %s"), app_no);
		goto out;
	}
	str_copy(app->app_no, sizeof(app->app_no), app_no);
	app->status = store_status_parse((const char *)sqlite3_column_text(stmt, 0));
	app->step = sqlite3_column_int(stmt, 1);
	str_copy(app->operator_name, sizeof(app->operator_name),
		 (const char *)sqlite3_column_text(stmt, 2));
	app->created_at = sqlite3_column_int64(stmt, 3);
	app->updated_at = sqlite3_column_int64(stmt, 4);
	rc = 0;
out:
	if (text != NULL)
		str_wipe(text, len);
	free(text);
	sqlite3_finalize(stmt);
	return rc;
}

static void store_col(sqlite3_stmt *stmt, int col, char *out, size_t size)
{
	const unsigned char *v = sqlite3_column_text(stmt, col);

	str_copy(out, size, v ? (const char *)v : "");
}

int store_app_list(struct store *st, const char *status, const char *terminal,
		   struct store_app_summary *out, size_t max, size_t *n, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	*n = 0;
	if (store_prepare(st, "SELECT app_no, status, service, step, org_name, uscc, operator, "
			  "updated_at FROM applications "
			  "WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR terminal = ?2) "
			  "ORDER BY updated_at DESC, app_no DESC LIMIT ?3", &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, terminal, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)max);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_app_summary *s = &out[(*n)++];

		store_col(stmt, 0, s->app_no, sizeof(s->app_no));
		store_col(stmt, 1, s->status, sizeof(s->status));
		store_col(stmt, 2, s->service, sizeof(s->service));
		s->step = sqlite3_column_int(stmt, 3);
		store_col(stmt, 4, s->org_name, sizeof(s->org_name));
		store_col(stmt, 5, s->uscc, sizeof(s->uscc));
		store_col(stmt, 6, s->operator_name, sizeof(s->operator_name));
		s->updated_at = sqlite3_column_int64(stmt, 7);
	}
	sqlite3_finalize(stmt);
	return src == SQLITE_DONE ? 0 : store_fail(st, src, err, "list applications");
}

int store_operator_add(struct store *st, const char *name, const char *role,
		       const char *pw_hash, long long now, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	if (store_prepare(st, "INSERT INTO operators (name, role, pw_hash, created_at) "
			  "VALUES (?1, ?2, ?3, ?4)", &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, pw_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	src = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (src == SQLITE_CONSTRAINT_PRIMARYKEY)
		return err_set(err, _("operator %s already exists"), name);
	if (src == SQLITE_CONSTRAINT_CHECK)
		return err_set(err, _("role must be operator, supervisor or auditor"));
	return src == SQLITE_DONE ? 0 : store_fail(st, src, err, "add operator");
}

static void store_operator_row(sqlite3_stmt *stmt, struct store_operator *op)
{
	store_col(stmt, 0, op->name, sizeof(op->name));
	store_col(stmt, 1, op->role, sizeof(op->role));
	store_col(stmt, 2, op->pw_hash, sizeof(op->pw_hash));
	op->disabled = sqlite3_column_int(stmt, 3);
	op->failures = sqlite3_column_int(stmt, 4);
	op->locked_until = sqlite3_column_int64(stmt, 5);
}

int store_operator_get(struct store *st, const char *name, struct store_operator *op,
		       struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src, rc;

	if (store_prepare(st, "SELECT name, role, pw_hash, disabled, failures, locked_until "
			  "FROM operators WHERE name = ?1", &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		store_operator_row(stmt, op);
		rc = 0;
	} else if (src == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = store_fail(st, src, err, "read operator");
	}
	sqlite3_finalize(stmt);
	return rc;
}

int store_operator_set_failures(struct store *st, const char *name, int failures,
				long long locked_until, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	if (store_prepare(st, "UPDATE operators SET failures = ?2, locked_until = ?3 "
			  "WHERE name = ?1", &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, failures);
	sqlite3_bind_int64(stmt, 3, locked_until);
	src = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return src == SQLITE_DONE ? 0 : store_fail(st, src, err, "update operator");
}

int store_operator_count(struct store *st, size_t *n, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	if (store_prepare(st, "SELECT count(*) FROM operators", &stmt, err) != 0)
		return -1;
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return src == SQLITE_ROW ? 0 : store_fail(st, src, err, "count operators");
}

int store_operator_list(struct store *st, struct store_operator *out, size_t max, size_t *n,
			struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	*n = 0;
	if (store_prepare(st, "SELECT name, role, pw_hash, disabled, failures, locked_until "
			  "FROM operators ORDER BY name LIMIT ?1", &stmt, err) != 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)max);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
		store_operator_row(stmt, &out[(*n)++]);
	sqlite3_finalize(stmt);
	return src == SQLITE_DONE ? 0 : store_fail(st, src, err, "list operators");
}

int store_operator_set_password(struct store *st, const char *name, const char *pw_hash,
				struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	/* A new password also lifts a lock: a supervisor setting it has seen
	 * the person. */
	if (store_prepare(st, "UPDATE operators SET pw_hash = ?2, failures = 0, locked_until = 0 "
			  "WHERE name = ?1", &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, pw_hash, -1, SQLITE_STATIC);
	src = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (src != SQLITE_DONE)
		return store_fail(st, src, err, "update operator");
	return sqlite3_changes(st->db) == 1 ? 0 : err_set(err, _("no operator %s"), name);
}

int store_operator_set_disabled(struct store *st, const char *name, int disabled,
				struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	if (store_prepare(st, "UPDATE operators SET disabled = ?2 WHERE name = ?1", &stmt,
			  err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, disabled ? 1 : 0);
	src = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (src != SQLITE_DONE)
		return store_fail(st, src, err, "update operator");
	return sqlite3_changes(st->db) == 1 ? 0 : err_set(err, _("no operator %s"), name);
}

int store_sealed_count(struct store *st, long long *n, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	if (store_prepare(st, "SELECT (SELECT count(*) FROM applications) + "
			  "(SELECT count(*) FROM card_photos)", &stmt, err) != 0)
		return -1;
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW)
		*n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return src == SQLITE_ROW ? 0 : store_fail(st, src, err, "count records");
}

static void store_photo_aad(char *out, size_t size, const char *app_no, const char *person)
{
	snprintf(out, size, "%s/%s/photo", app_no, person);
}

int store_card_photo_save(struct store *st, const struct crypto_keyring *ring,
			  const char *app_no, const char *person, long long read_at,
			  const unsigned char *photo, size_t len, struct gt_err *err)
{
	unsigned char *sealed = malloc(len + CRYPTO_SEAL_OVERHEAD);
	sqlite3_stmt *stmt = NULL;
	size_t sealed_len;
	char aad[96];
	int rc = -1, src;

	if (sealed == NULL)
		return err_set(err, _("out of memory"));
	store_photo_aad(aad, sizeof(aad), app_no, person);
	if (crypto_seal(ring, aad, photo, len, sealed, &sealed_len, err) != 0)
		goto out;
	if (store_prepare(st, "INSERT INTO card_photos (app_no, person, read_at, photo) "
			  "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (app_no, person) "
			  "DO UPDATE SET read_at = ?3, photo = ?4", &stmt, err) != 0)
		goto out;
	sqlite3_bind_text(stmt, 1, app_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, person, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, read_at);
	sqlite3_bind_blob(stmt, 4, sealed, (int)sealed_len, SQLITE_STATIC);
	src = sqlite3_step(stmt);
	if (src != SQLITE_DONE) {
		store_fail(st, src, err, "save card photo");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	free(sealed);
	return rc;
}

int store_card_photo_load(struct store *st, const struct crypto_keyring *ring,
			  const char *app_no, const char *person, unsigned char *buf,
			  size_t size, size_t *len, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	const void *blob;
	size_t blob_len;
	char aad[96];
	int rc = -1, src;

	if (store_prepare(st, "SELECT photo FROM card_photos WHERE app_no = ?1 AND person = ?2",
			  &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, app_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, person, -1, SQLITE_STATIC);
	src = sqlite3_step(stmt);
	if (src == SQLITE_DONE) {
		rc = 1;
		goto out;
	}
	if (src != SQLITE_ROW) {
		store_fail(st, src, err, "load card photo");
		goto out;
	}
	blob = sqlite3_column_blob(stmt, 0);
	blob_len = (size_t)sqlite3_column_bytes(stmt, 0);
	if (blob_len < CRYPTO_SEAL_OVERHEAD || blob_len - CRYPTO_SEAL_OVERHEAD > size) {
		err_set(err, _("stored photo is malformed"));
		goto out;
	}
	store_photo_aad(aad, sizeof(aad), app_no, person);
	if (crypto_open(ring, aad, blob, blob_len, buf, len, err) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}
