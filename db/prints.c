/* The print job table; see prints.h. Prepared statements only. */
#include "config.h"
#include "db/prints.h"
#include "db/store.h"
#include "util/i18n.h"
#include "util/str.h"

#include <sqlite3.h>
#include <string.h>

static int prints_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
			  struct gt_err *err)
{
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, stmt, NULL);

	if (rc != SQLITE_OK)
		return store_error(st, rc, err, _("print jobs"));
	return 0;
}

static int prints_step_done(struct store *st, sqlite3_stmt *stmt, struct gt_err *err)
{
	int rc = sqlite3_step(stmt);

	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_error(st, rc, err, _("print jobs"));
	return 0;
}

int prints_open(struct store *st, struct gt_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(store_db(st),
			      "CREATE TABLE IF NOT EXISTS print_jobs ("
			      " id INTEGER PRIMARY KEY,"
			      " app_no TEXT NOT NULL,"
			      " document TEXT NOT NULL,"
			      " copy INTEGER NOT NULL,"
			      " dest TEXT NOT NULL,"
			      " cups_job INTEGER NOT NULL DEFAULT 0,"
			      " state TEXT NOT NULL,"
			      " message TEXT NOT NULL DEFAULT '',"
			      " operator TEXT NOT NULL DEFAULT '',"
			      " created_at INTEGER NOT NULL,"
			      " updated_at INTEGER NOT NULL);"
			      "CREATE INDEX IF NOT EXISTS print_jobs_app ON print_jobs(app_no, document);",
			      NULL, NULL, &msg);
	sqlite3_stmt *probe = NULL;

	sqlite3_free(msg);
	if (rc != SQLITE_OK)
		return store_error(st, rc, err, _("print jobs"));
	/* A table made before PIN mailers were counted per PIN: the column is
	 * added (its rows are of no personalisation, 0). */
	if (sqlite3_prepare_v2(store_db(st), "SELECT pin_attempt FROM print_jobs LIMIT 0", -1,
			       &probe, NULL) == SQLITE_OK) {
		sqlite3_finalize(probe);
		return 0;
	}
	sqlite3_finalize(probe);
	rc = sqlite3_exec(store_db(st), "ALTER TABLE print_jobs ADD COLUMN pin_attempt INTEGER "
			  "NOT NULL DEFAULT 0", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_error(st, rc, err, _("print jobs"));
	return 0;
}

int prints_add(struct store *st, const struct prints_row *r, long long *id, struct gt_err *err)
{
	sqlite3_stmt *stmt;

	if (prints_prepare(st, "INSERT INTO print_jobs (app_no, document, copy, dest, cups_job, "
			   "state, message, operator, created_at, updated_at, pin_attempt) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)", &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, r->app_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, r->document, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, r->copy);
	sqlite3_bind_text(stmt, 4, r->dest, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 5, r->cups_job);
	sqlite3_bind_text(stmt, 6, r->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, r->message, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, r->operator_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, r->created_at);
	sqlite3_bind_int(stmt, 10, r->pin_attempt);
	if (prints_step_done(st, stmt, err) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db(st));
	return 0;
}

int prints_update(struct store *st, long long id, const char *state, int cups_job,
		  const char *message, long long now, struct gt_err *err)
{
	sqlite3_stmt *stmt;

	if (prints_prepare(st, "UPDATE print_jobs SET state = ?2, cups_job = ?3, message = ?4, "
			   "updated_at = ?5 WHERE id = ?1", &stmt, err) != 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, cups_job);
	sqlite3_bind_text(stmt, 4, message ? message : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, now);
	return prints_step_done(st, stmt, err);
}

int prints_done(struct store *st, const char *app_no, const char *document, int pin_attempt,
		int *n, struct gt_err *err)
{
	sqlite3_stmt *stmt;
	int rc;

	*n = 0;
	if (prints_prepare(st, "SELECT count(*) FROM print_jobs WHERE app_no = ?1 AND "
			   "document = ?2 AND pin_attempt = ?3 AND state = 'completed'", &stmt,
			   err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, app_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, document, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, pin_attempt);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		return store_error(st, rc, err, _("print jobs"));
	return 0;
}

static void prints_row_read(sqlite3_stmt *stmt, struct prints_row *r)
{
	const char *s;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(stmt, 0);
#define TEXT(col, dst) \
	s = (const char *)sqlite3_column_text(stmt, col); \
	str_copy(dst, sizeof(dst), s ? s : "")
	TEXT(1, r->app_no);
	TEXT(2, r->document);
	r->copy = sqlite3_column_int(stmt, 3);
	TEXT(4, r->dest);
	r->cups_job = sqlite3_column_int(stmt, 5);
	TEXT(6, r->state);
	TEXT(7, r->message);
	TEXT(8, r->operator_name);
#undef TEXT
	r->created_at = sqlite3_column_int64(stmt, 9);
	r->updated_at = sqlite3_column_int64(stmt, 10);
}

#define PRINTS_COLUMNS "id, app_no, document, copy, dest, cups_job, state, message, " \
	"operator, created_at, updated_at"

int prints_list(struct store *st, const char *app_no, struct prints_row *out, size_t max,
		size_t *n, struct gt_err *err)
{
	sqlite3_stmt *stmt;
	int rc;

	*n = 0;
	if (prints_prepare(st, "SELECT " PRINTS_COLUMNS " FROM print_jobs WHERE app_no = ?1 "
			   "ORDER BY id DESC LIMIT ?2", &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, app_no, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		prints_row_read(stmt, &out[(*n)++]);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_error(st, rc, err, _("print jobs"));
	return 0;
}

int prints_get(struct store *st, long long id, struct prints_row *out, struct gt_err *err)
{
	sqlite3_stmt *stmt;
	int rc;

	if (prints_prepare(st, "SELECT " PRINTS_COLUMNS " FROM print_jobs WHERE id = ?1", &stmt,
			   err) != 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		prints_row_read(stmt, out);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return store_error(st, rc, err, _("print jobs"));
}
