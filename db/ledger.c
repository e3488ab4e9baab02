/* The payments ledger and closed days; see ledger.h. Only prepared
 * statements; the rules that must hold even against a buggy caller (never
 * edited, one reversal, mirrored amounts, closed days) are triggers and
 * checks in the schema, so this file only reads and appends. */
#include "config.h"
#include "db/ledger.h"
#include "db/store.h"
#include "util/i18n.h"
#include "util/str.h"

#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define LEDGER_COLUMNS "p.id, p.app_no, p.kind, coalesce(p.original, 0), p.method, " \
	"p.amount_fen, p.reference, p.service, p.invoice, p.operator, p.approved_by, p.reason, " \
	"p.terminal, p.day, p.at, p.account"
/* The column after LEDGER_COLUMNS: what a query adds. */
#define LEDGER_NCOLS 16

static int ledger_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
			  struct gt_err *err)
{
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, stmt, NULL);

	return rc == SQLITE_OK ? 0 : store_error(st, rc, err, "prepare");
}

static void ledger_text(sqlite3_stmt *stmt, int col, char *out, size_t size)
{
	const unsigned char *v = sqlite3_column_text(stmt, col);

	str_copy(out, size, v ? (const char *)v : "");
}

static void ledger_row(sqlite3_stmt *stmt, struct ledger_payment *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(stmt, 0);
	ledger_text(stmt, 1, p->app_no, sizeof(p->app_no));
	ledger_text(stmt, 2, p->kind, sizeof(p->kind));
	p->original = sqlite3_column_int64(stmt, 3);
	ledger_text(stmt, 4, p->method, sizeof(p->method));
	p->amount_fen = sqlite3_column_int64(stmt, 5);
	ledger_text(stmt, 6, p->reference, sizeof(p->reference));
	ledger_text(stmt, 7, p->service, sizeof(p->service));
	ledger_text(stmt, 8, p->invoice, sizeof(p->invoice));
	ledger_text(stmt, 9, p->operator_name, sizeof(p->operator_name));
	ledger_text(stmt, 10, p->approved_by, sizeof(p->approved_by));
	ledger_text(stmt, 11, p->reason, sizeof(p->reason));
	ledger_text(stmt, 12, p->terminal, sizeof(p->terminal));
	p->day = sqlite3_column_int(stmt, 13);
	p->at = sqlite3_column_int64(stmt, 14);
	if (sqlite3_column_type(stmt, 15) == SQLITE_BLOB) {
		int n = sqlite3_column_bytes(stmt, 15);

		/* A sealed value longer than the buffer cannot be one of ours:
		 * left out, it shows as none rather than cut. */
		if (n > 0 && (size_t)n <= sizeof(p->account)) {
			memcpy(p->account, sqlite3_column_blob(stmt, 15), (size_t)n);
			p->account_len = (size_t)n;
		}
	}
}

int ledger_read_begin(struct store *st, struct gt_err *err)
{
	int rc = sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_error(st, rc, err, "begin");
}

int ledger_insert(struct store *st, struct ledger_payment *p, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	if (ledger_prepare(st, "INSERT INTO payments (app_no, kind, original, method, amount_fen, "
			   "reference, service, invoice, operator, approved_by, reason, terminal, "
			   "day, at, account) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
			   "?12, ?13, ?14, ?15)", &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, p->app_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, p->kind, -1, SQLITE_STATIC);
	if (p->original > 0)
		sqlite3_bind_int64(stmt, 3, p->original);
	else
		sqlite3_bind_null(stmt, 3);
	sqlite3_bind_text(stmt, 4, p->method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, p->amount_fen);
	sqlite3_bind_text(stmt, 6, p->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, p->service, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, p->invoice, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 9, p->operator_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 10, p->approved_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 11, p->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 12, p->terminal, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 13, p->day);
	sqlite3_bind_int64(stmt, 14, p->at);
	if (p->account_len > 0)
		sqlite3_bind_blob(stmt, 15, p->account, (int)p->account_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 15);
	src = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (src != SQLITE_DONE)
		return store_error(st, src, err, "record payment");
	p->id = sqlite3_last_insert_rowid(store_db(st));
	return 0;
}

int ledger_get(struct store *st, long long id, struct ledger_payment *p, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src, rc;

	if (ledger_prepare(st, "SELECT " LEDGER_COLUMNS ", coalesce((SELECT r.id FROM payments r "
			   "WHERE r.original = p.id), 0), coalesce((SELECT o.day FROM payments o "
			   "WHERE o.id = p.original), 0) FROM payments p WHERE p.id = ?1",
			   &stmt, err) != 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		ledger_row(stmt, p);
		p->reversed_by = sqlite3_column_int64(stmt, LEDGER_NCOLS);
		p->original_day = sqlite3_column_int(stmt, LEDGER_NCOLS + 1);
		rc = 0;
	} else if (src == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = store_error(st, src, err, "read payment");
	}
	sqlite3_finalize(stmt);
	return rc;
}

int ledger_each(struct store *st, const char *app_no, int day,
		int (*cb)(void *arg, const struct ledger_payment *p), void *arg,
		struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct ledger_payment p;
	int src;

	/* Two statements rather than one with OR, so each uses its index. */
	if (ledger_prepare(st, app_no != NULL
			   ? "SELECT " LEDGER_COLUMNS ", coalesce((SELECT r.id FROM payments r "
			     "WHERE r.original = p.id), 0) FROM payments p WHERE p.app_no = ?1 "
			     "ORDER BY p.id"
			   : "SELECT " LEDGER_COLUMNS ", coalesce((SELECT r.id FROM payments r "
			     "WHERE r.original = p.id), 0) FROM payments p WHERE p.day = ?2 "
			     "ORDER BY p.id", &stmt, err) != 0)
		return -1;
	if (app_no != NULL)
		sqlite3_bind_text(stmt, 1, app_no, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int(stmt, 2, day);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		ledger_row(stmt, &p);
		p.reversed_by = sqlite3_column_int64(stmt, LEDGER_NCOLS);
		if (cb(arg, &p) != 0) {
			src = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(stmt);
	return src == SQLITE_DONE ? 0 : store_error(st, src, err, "list payments");
}

int ledger_app_net(struct store *st, const char *app_no, long long *net_fen, long long *rows,
		   struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	if (ledger_prepare(st, "SELECT coalesce(sum(amount_fen), 0), count(*) FROM payments "
			   "WHERE app_no = ?1", &stmt, err) != 0)
		return -1;
	sqlite3_bind_text(stmt, 1, app_no, -1, SQLITE_STATIC);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		*net_fen = sqlite3_column_int64(stmt, 0);
		*rows = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	return src == SQLITE_ROW ? 0 : store_error(st, src, err, "sum payments");
}

static int ledger_groups(struct store *st, const char *sql, int day,
			 int (*cb)(void *arg, const struct ledger_group *g), void *arg,
			 struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct ledger_group g;
	int src;

	if (ledger_prepare(st, sql, &stmt, err) != 0)
		return -1;
	sqlite3_bind_int(stmt, 1, day);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		g.terminal = (const char *)sqlite3_column_text(stmt, 0);
		g.operator_name = (const char *)sqlite3_column_text(stmt, 1);
		g.key = (const char *)sqlite3_column_text(stmt, 2);
		g.kind = (const char *)sqlite3_column_text(stmt, 3);
		g.count = sqlite3_column_int64(stmt, 4);
		g.fen = sqlite3_column_int64(stmt, 5);
		if (cb(arg, &g) != 0) {
			src = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(stmt);
	return src == SQLITE_DONE ? 0 : store_error(st, src, err, "settlement");
}

int ledger_day_methods(struct store *st, int day,
		       int (*cb)(void *arg, const struct ledger_group *g), void *arg,
		       struct gt_err *err)
{
	return ledger_groups(st, "SELECT terminal, operator, method, kind, count(*), "
			     "sum(amount_fen) FROM payments WHERE day = ?1 "
			     "GROUP BY terminal, operator, method, kind "
			     "ORDER BY terminal, operator, method, kind", day, cb, arg, err);
}

int ledger_day_services(struct store *st, int day,
			int (*cb)(void *arg, const struct ledger_group *g), void *arg,
			struct gt_err *err)
{
	/* A payment voided the same day did not happen; a refund later does
	 * not undo the service that was done. */
	return ledger_groups(st, "SELECT p.terminal, p.operator, p.service, 'payment', count(*), "
			     "sum(p.amount_fen) FROM payments p WHERE p.day = ?1 "
			     "AND p.kind = 'payment' AND NOT EXISTS (SELECT 1 FROM payments v "
			     "WHERE v.original = p.id AND v.kind = 'void') "
			     "GROUP BY p.terminal, p.operator, p.service "
			     "ORDER BY p.terminal, p.operator, p.service", day, cb, arg, err);
}

int ledger_day_reversals(struct store *st, int day,
			 int (*cb)(void *arg, const struct ledger_payment *p), void *arg,
			 struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct ledger_payment p;
	int src;

	if (ledger_prepare(st, "SELECT " LEDGER_COLUMNS ", o.day FROM payments p "
			   "JOIN payments o ON o.id = p.original "
			   "WHERE p.day = ?1 AND p.kind <> 'payment' ORDER BY p.id", &stmt, err) != 0)
		return -1;
	sqlite3_bind_int(stmt, 1, day);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		ledger_row(stmt, &p);
		p.original_day = sqlite3_column_int(stmt, LEDGER_NCOLS);
		if (cb(arg, &p) != 0) {
			src = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(stmt);
	return src == SQLITE_DONE ? 0 : store_error(st, src, err, "list voids and refunds");
}

/* One value into the digest: 8-byte big-endian length, then the bytes, so
 * no two rows can collide by moving text between columns. */
static int ledger_digest_put(EVP_MD_CTX *md, const void *data, size_t len)
{
	unsigned char n[8];

	for (int i = 0; i < 8; i++)
		n[i] = (unsigned char)((unsigned long long)len >> (56 - 8 * i));
	return EVP_DigestUpdate(md, n, sizeof(n)) == 1 && EVP_DigestUpdate(md, data, len) == 1
	       ? 0 : -1;
}

static int ledger_digest_int(EVP_MD_CTX *md, long long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld", v);

	return ledger_digest_put(md, buf, (size_t)n);
}

int ledger_day_digest(struct store *st, int day, unsigned char digest[LEDGER_DIGEST_BYTES],
		      long long *rows, long long *net_fen, struct gt_err *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	sqlite3_stmt *stmt = NULL;
	unsigned int dlen = 0;
	int src = SQLITE_ERROR, rc = -1;

	*rows = 0;
	*net_fen = 0;
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    ledger_digest_put(md, "GTL1", 4) != 0 || ledger_digest_int(md, day) != 0) {
		err_set(err, _("cannot hash the day's payments"));
		goto out;
	}
	if (ledger_prepare(st, "SELECT " LEDGER_COLUMNS " FROM payments p WHERE p.day = ?1 "
			   "ORDER BY p.id", &stmt, err) != 0)
		goto out;
	sqlite3_bind_int(stmt, 1, day);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		int bad = 0;

		for (int c = 0; c < LEDGER_NCOLS - 1 && !bad; c++) {
			if (sqlite3_column_type(stmt, c) == SQLITE_INTEGER)
				bad = ledger_digest_int(md, sqlite3_column_int64(stmt, c));
			else
				bad = ledger_digest_put(md, sqlite3_column_text(stmt, c),
							(size_t)sqlite3_column_bytes(stmt, c));
		}
		/* The account (sealed bytes) only when there is one: a day
		 * closed before the column existed keeps its digest. */
		if (!bad && sqlite3_column_type(stmt, LEDGER_NCOLS - 1) == SQLITE_BLOB)
			bad = ledger_digest_put(md, "account", 7) != 0 ||
			      ledger_digest_put(md, sqlite3_column_blob(stmt, LEDGER_NCOLS - 1),
						(size_t)sqlite3_column_bytes(stmt, LEDGER_NCOLS - 1)) != 0;
		if (bad) {
			err_set(err, _("cannot hash the day's payments"));
			goto out;
		}
		(*rows)++;
		*net_fen += sqlite3_column_int64(stmt, 5);
	}
	if (src != SQLITE_DONE) {
		store_error(st, src, err, "read payments");
		goto out;
	}
	if (ledger_digest_int(md, *rows) != 0 || ledger_digest_int(md, *net_fen) != 0 ||
	    EVP_DigestFinal_ex(md, digest, &dlen) != 1 || dlen != LEDGER_DIGEST_BYTES) {
		err_set(err, _("cannot hash the day's payments"));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	EVP_MD_CTX_free(md);
	return rc;
}

static void ledger_blob32(sqlite3_stmt *stmt, int col, unsigned char out[LEDGER_DIGEST_BYTES])
{
	const void *b = sqlite3_column_blob(stmt, col);

	memset(out, 0, LEDGER_DIGEST_BYTES);
	if (b != NULL && sqlite3_column_bytes(stmt, col) == LEDGER_DIGEST_BYTES)
		memcpy(out, b, LEDGER_DIGEST_BYTES);
}

int ledger_closing_get(struct store *st, int day, struct ledger_closing *out,
		       struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src, rc;

	if (ledger_prepare(st, "SELECT day, closed_at, closed_by, approved_by, terminal, rows, "
			   "net_fen, digest, audit_seq, audit_head FROM settlements WHERE day = ?1",
			   &stmt, err) != 0)
		return -1;
	sqlite3_bind_int(stmt, 1, day);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		if (out != NULL) {
			memset(out, 0, sizeof(*out));
			out->day = sqlite3_column_int(stmt, 0);
			out->closed_at = sqlite3_column_int64(stmt, 1);
			ledger_text(stmt, 2, out->closed_by, sizeof(out->closed_by));
			ledger_text(stmt, 3, out->approved_by, sizeof(out->approved_by));
			ledger_text(stmt, 4, out->terminal, sizeof(out->terminal));
			out->rows = sqlite3_column_int64(stmt, 5);
			out->net_fen = sqlite3_column_int64(stmt, 6);
			ledger_blob32(stmt, 7, out->digest);
			out->audit_seq = sqlite3_column_int64(stmt, 8);
			ledger_blob32(stmt, 9, out->audit_head);
		}
		rc = 0;
	} else if (src == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = store_error(st, src, err, "read settlement");
	}
	sqlite3_finalize(stmt);
	return rc;
}

int ledger_closing_insert(struct store *st, const struct ledger_closing *c, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	if (ledger_prepare(st, "INSERT INTO settlements (day, closed_at, closed_by, approved_by, "
			   "terminal, rows, net_fen, digest, audit_seq, audit_head) VALUES (?1, ?2, "
			   "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &stmt, err) != 0)
		return -1;
	sqlite3_bind_int(stmt, 1, c->day);
	sqlite3_bind_int64(stmt, 2, c->closed_at);
	sqlite3_bind_text(stmt, 3, c->closed_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, c->approved_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, c->terminal, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, c->rows);
	sqlite3_bind_int64(stmt, 7, c->net_fen);
	sqlite3_bind_blob(stmt, 8, c->digest, LEDGER_DIGEST_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, c->audit_seq);
	sqlite3_bind_blob(stmt, 10, c->audit_head, LEDGER_DIGEST_BYTES, SQLITE_STATIC);
	src = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return src == SQLITE_DONE ? 0 : store_error(st, src, err, "close the day");
}
