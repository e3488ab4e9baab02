/* The personalisation tables; see tokdb.h. Every statement is prepared
 * with bound parameters, like the rest of db/. */
#include "config.h"
#include "db/tokdb.h"
#include "db/store.h"
#include "util/i18n.h"
#include "util/str.h"

#include <sqlite3.h>
#include <string.h>

static int tokdb_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
			 struct gt_err *err)
{
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, stmt, NULL);

	return rc == SQLITE_OK ? 0 : store_error(st, rc, err, "prepare");
}

static void tokdb_text(sqlite3_stmt *s, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	str_copy(out, size, t != NULL ? (const char *)t : "");
}

#define TOKDB_CERT_COLS "serial, app_no, backend, subject, not_before, not_after, issued_at, " \
	"revoked_at, reason, status, spki_sha256, der"

static void tokdb_cert_row(sqlite3_stmt *s, struct tokdb_cert *c)
{
	const void *der = sqlite3_column_blob(s, 11);
	int len = sqlite3_column_bytes(s, 11);

	memset(c, 0, sizeof(*c));
	tokdb_text(s, 0, c->serial, sizeof(c->serial));
	tokdb_text(s, 1, c->app_no, sizeof(c->app_no));
	tokdb_text(s, 2, c->backend, sizeof(c->backend));
	tokdb_text(s, 3, c->subject, sizeof(c->subject));
	c->not_before = sqlite3_column_int64(s, 4);
	c->not_after = sqlite3_column_int64(s, 5);
	c->issued_at = sqlite3_column_int64(s, 6);
	c->revoked_at = sqlite3_column_int64(s, 7);
	c->reason = sqlite3_column_int(s, 8);
	tokdb_text(s, 9, c->status, sizeof(c->status));
	tokdb_text(s, 10, c->spki_sha256, sizeof(c->spki_sha256));
	if (der != NULL && len > 0 && (size_t)len <= sizeof(c->der)) {
		memcpy(c->der, der, (size_t)len);
		c->der_len = (size_t)len;
	}
}

int tokdb_cert_insert(struct store *st, const struct tokdb_cert *c, struct gt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (tokdb_prepare(st, "INSERT INTO ca_certs (" TOKDB_CERT_COLS ") "
			  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", &s, err) != 0)
		return -1;
	sqlite3_bind_text(s, 1, c->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->app_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->backend, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, c->subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, c->not_before);
	sqlite3_bind_int64(s, 6, c->not_after);
	sqlite3_bind_int64(s, 7, c->issued_at);
	sqlite3_bind_int64(s, 8, c->revoked_at);
	sqlite3_bind_int(s, 9, c->reason);
	sqlite3_bind_text(s, 10, c->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, c->spki_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 12, c->der, (int)c->der_len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_error(st, rc, err, "record certificate");
}

int tokdb_cert_get(struct store *st, const char *serial, struct tokdb_cert *c,
		   struct gt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (tokdb_prepare(st, "SELECT " TOKDB_CERT_COLS " FROM ca_certs WHERE serial = ?", &s,
			  err) != 0)
		return -1;
	sqlite3_bind_text(s, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		tokdb_cert_row(s, c);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : store_error(st, rc, err, "read certificate");
}

static int tokdb_cert_query(struct store *st, const char *sql, const char *arg,
			    struct tokdb_cert *out, size_t max, size_t *n, struct gt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	if (tokdb_prepare(st, sql, &s, err) != 0)
		return -1;
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
		tokdb_cert_row(s, &out[(*n)++]);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(st, rc, err, "list certificates");
}

int tokdb_cert_by_app(struct store *st, const char *app_no, struct tokdb_cert *out,
		      size_t max, size_t *n, struct gt_err *err)
{
	return tokdb_cert_query(st, "SELECT " TOKDB_CERT_COLS " FROM ca_certs WHERE app_no = ? "
				"ORDER BY issued_at, rowid", app_no, out, max, n, err);
}

int tokdb_cert_revoked(struct store *st, const char *backend, struct tokdb_cert *out,
		       size_t max, size_t *n, struct gt_err *err)
{
	return tokdb_cert_query(st, "SELECT " TOKDB_CERT_COLS " FROM ca_certs WHERE backend = ? "
				"AND status = 'revoked' ORDER BY revoked_at, rowid", backend, out,
				max, n, err);
}

int tokdb_cert_revoke(struct store *st, const char *serial, int reason, long long at,
		      struct gt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (tokdb_prepare(st, "UPDATE ca_certs SET status = 'revoked', revoked_at = ?, reason = ? "
			  "WHERE serial = ? AND status = 'valid'", &s, err) != 0)
		return -1;
	sqlite3_bind_int64(s, 1, at);
	sqlite3_bind_int(s, 2, reason);
	sqlite3_bind_text(s, 3, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_error(st, rc, err, "revoke certificate");
	return sqlite3_changes(store_db(st)) == 1 ? 0 : 1;
}

static const char *const tokdb_phases[] = { "begin", "done", "failed" };

int tokdb_journal_append(struct store *st, const struct tokdb_row *row, struct gt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_stmt(st, "INSERT INTO token_journal (app_no, attempt, step, phase, at, "
		       "token_serial, key_id, cert_serial, detail) VALUES (?,?,?,?,?,?,?,?,?)",
		       &s, err) != 0)
		return -1;
	sqlite3_bind_text(s, 1, row->app_no, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, row->attempt);
	sqlite3_bind_text(s, 3, row->step, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, tokdb_phases[row->phase], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, row->at);
	sqlite3_bind_text(s, 6, row->token_serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, row->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, row->cert_serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, row->detail, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	store_stmt_done(st, s);
	return rc == SQLITE_DONE ? 0 : store_error(st, rc, err, "write journal");
}

int tokdb_journal_last_attempt(struct store *st, const char *app_no, int *attempt,
			       struct gt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*attempt = 0;
	if (tokdb_prepare(st, "SELECT coalesce(max(attempt), 0) FROM token_journal WHERE app_no = ?",
			  &s, err) != 0)
		return -1;
	sqlite3_bind_text(s, 1, app_no, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*attempt = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_error(st, rc, err, "read journal");
}

int tokdb_journal_list(struct store *st, const char *app_no, struct tokdb_row *out,
		       size_t max, size_t *n, struct gt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	if (tokdb_prepare(st, "SELECT id, app_no, attempt, step, phase, at, token_serial, key_id, "
			  "cert_serial, detail FROM token_journal WHERE app_no = ? ORDER BY id",
			  &s, err) != 0)
		return -1;
	sqlite3_bind_text(s, 1, app_no, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		struct tokdb_row *r = &out[(*n)++];
		char phase[12];

		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(s, 0);
		tokdb_text(s, 1, r->app_no, sizeof(r->app_no));
		r->attempt = sqlite3_column_int(s, 2);
		tokdb_text(s, 3, r->step, sizeof(r->step));
		tokdb_text(s, 4, phase, sizeof(phase));
		r->phase = strcmp(phase, "done") == 0 ? TOKDB_DONE :
			   strcmp(phase, "failed") == 0 ? TOKDB_FAILED : TOKDB_BEGIN;
		r->at = sqlite3_column_int64(s, 5);
		tokdb_text(s, 6, r->token_serial, sizeof(r->token_serial));
		tokdb_text(s, 7, r->key_id, sizeof(r->key_id));
		tokdb_text(s, 8, r->cert_serial, sizeof(r->cert_serial));
		tokdb_text(s, 9, r->detail, sizeof(r->detail));
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(st, rc, err, "read journal");
}

int tokdb_journal_open_apps(struct store *st, char (*out)[APP_NO_MAX], size_t max, size_t *n,
			    struct gt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	/* The last row of each application decides. */
	if (tokdb_prepare(st, "SELECT j.app_no FROM token_journal j WHERE j.id = (SELECT max(id) "
			  "FROM token_journal k WHERE k.app_no = j.app_no) AND NOT (j.phase = 'done' "
			  "AND j.step IN ('finish', 'rollback')) ORDER BY j.id", &s, err) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
		tokdb_text(s, 0, out[(*n)++], APP_NO_MAX);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(st, rc, err, "read journal");
}
