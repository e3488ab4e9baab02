/* Finding applications; see lookup.h. The keyed index holds truncated MACs
 * only: a collision of 16-byte MACs would at worst list a wrong candidate,
 * which the flow rules out by opening the record and comparing. */
#include "config.h"
#include "db/lookup.h"
#include "db/crypto.h"
#include "util/i18n.h"
#include "util/str.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define LOOKUP_LABEL "guitai/pii-index/v1"
#define LOOKUP_SUMMARY "a.app_no, a.status, a.service, a.step, a.org_name, a.uscc, " \
	"a.operator, a.updated_at"

static int lookup_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
			  struct gt_err *err)
{
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, stmt, NULL);

	return rc == SQLITE_OK ? 0 : store_error(st, rc, err, "prepare");
}

int lookup_mac(const struct crypto_keyring *ring, size_t which, const char *kind,
	       const char *value, unsigned char mac[LOOKUP_MAC_BYTES])
{
	unsigned char key[32], full[32];
	char text[APP_VALUE_MAX + 16];
	int n, rc = -1;

	if (which >= ring->n)
		return -1;
	n = snprintf(text, sizeof(text), "%s:%s", kind, value);
	if (n < 0 || (size_t)n >= sizeof(text))
		goto out;
	if (crypto_hmac_sha256(ring->keys[which], CRYPTO_KEY_BYTES, LOOKUP_LABEL,
			       strlen(LOOKUP_LABEL), key) != 0 ||
	    crypto_hmac_sha256(key, sizeof(key), text, (size_t)n, full) != 0)
		goto out;
	memcpy(mac, full, LOOKUP_MAC_BYTES);
	rc = 0;
out:
	str_wipe(key, sizeof(key));
	str_wipe(full, sizeof(full));
	str_wipe(text, sizeof(text));
	return rc;
}

int lookup_index_app(struct store *st, const struct crypto_keyring *ring,
		     const struct application *app, struct gt_err *err)
{
	static const struct {
		enum app_field field;
		const char *name;
		const char *kind;
	} indexed[] = {
		{ AF_REP_ID_NUMBER, "rep_id", "id" },
		{ AF_HDL_ID_NUMBER, "hdl_id", "id" },
		{ AF_HDL_MOBILE, "hdl_mobile", "mobile" },
		{ AF_PAY_ACCOUNT, "pay_account", "account" },
	};
	sqlite3_stmt *del = NULL, *ins = NULL;
	unsigned char mac[LOOKUP_MAC_BYTES];
	int src, rc = -1;

	/* The record's own fields only: values of later payments stay. */
	if (lookup_prepare(st, "DELETE FROM pii_index WHERE app_no = ?1 AND field IN "
			   "('rep_id', 'hdl_id', 'hdl_mobile', 'pay_account')", &del, err) != 0 ||
	    lookup_prepare(st, "INSERT OR IGNORE INTO pii_index (mac, app_no, field) "
			   "VALUES (?1, ?2, ?3)", &ins, err) != 0)
		goto out;
	sqlite3_bind_text(del, 1, app->app_no, -1, SQLITE_STATIC);
	src = sqlite3_step(del);
	if (src != SQLITE_DONE) {
		store_error(st, src, err, "update search index");
		goto out;
	}
	for (size_t i = 0; i < sizeof(indexed) / sizeof(indexed[0]); i++) {
		const char *v = app_get(app, indexed[i].field);

		if (v[0] == '\0')
			continue;
		/* Indexed under the key new records are sealed with. */
		if (lookup_mac(ring, ring->n - 1, indexed[i].kind, v, mac) != 0) {
			err_set(err, _("cannot compute the search index"));
			goto out;
		}
		sqlite3_reset(ins);
		sqlite3_bind_blob(ins, 1, mac, sizeof(mac), SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, app->app_no, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, indexed[i].name, -1, SQLITE_STATIC);
		src = sqlite3_step(ins);
		if (src != SQLITE_DONE) {
			store_error(st, src, err, "update search index");
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return rc;
}

int lookup_index_value(struct store *st, const struct crypto_keyring *ring, const char *app_no,
		       const char *field, const char *kind, const char *value, struct gt_err *err)
{
	sqlite3_stmt *ins = NULL;
	unsigned char mac[LOOKUP_MAC_BYTES];
	int src;

	if (lookup_mac(ring, ring->n - 1, kind, value, mac) != 0)
		return err_set(err, _("cannot compute the search index"));
	if (lookup_prepare(st, "INSERT OR IGNORE INTO pii_index (mac, app_no, field) "
			   "VALUES (?1, ?2, ?3)", &ins, err) != 0)
		return -1;
	sqlite3_bind_blob(ins, 1, mac, sizeof(mac), SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, app_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, field, -1, SQLITE_STATIC);
	src = sqlite3_step(ins);
	sqlite3_finalize(ins);
	str_wipe(mac, sizeof(mac));
	return src == SQLITE_DONE ? 0 : store_error(st, src, err, "update search index");
}

static void lookup_col(sqlite3_stmt *stmt, int col, char *out, size_t size)
{
	const unsigned char *v = sqlite3_column_text(stmt, col);

	str_copy(out, size, v ? (const char *)v : "");
}

/* Append the statement's rows to out, skipping application numbers already
 * there (one person may be both legal representative and handler). */
static int lookup_collect(struct store *st, sqlite3_stmt *stmt, struct store_app_summary *out,
			  size_t max, size_t *n, struct gt_err *err)
{
	int src = SQLITE_DONE;

	while (*n < max && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_app_summary *s = &out[*n];
		int dup = 0;

		lookup_col(stmt, 0, s->app_no, sizeof(s->app_no));
		for (size_t i = 0; i < *n && !dup; i++)
			dup = strcmp(out[i].app_no, s->app_no) == 0;
		if (dup)
			continue;
		lookup_col(stmt, 1, s->status, sizeof(s->status));
		lookup_col(stmt, 2, s->service, sizeof(s->service));
		s->step = sqlite3_column_int(stmt, 3);
		lookup_col(stmt, 4, s->org_name, sizeof(s->org_name));
		lookup_col(stmt, 5, s->uscc, sizeof(s->uscc));
		lookup_col(stmt, 6, s->operator_name, sizeof(s->operator_name));
		s->updated_at = sqlite3_column_int64(stmt, 7);
		(*n)++;
	}
	if (*n >= max)
		return 0;
	return src == SQLITE_DONE ? 0 : store_error(st, src, err, "search");
}

int lookup_find(struct store *st, const struct crypto_keyring *ring, enum lookup_kind kind,
		const char *value, struct store_app_summary *out, size_t max, size_t *n,
		struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	unsigned char mac[LOOKUP_MAC_BYTES];
	char upper[APP_VALUE_MAX + 8];
	int rc = -1;

	*n = 0;
	switch (kind) {
	case LOOKUP_APP_NO:
	case LOOKUP_USCC:
		if (lookup_prepare(st, kind == LOOKUP_APP_NO
				   ? "SELECT " LOOKUP_SUMMARY " FROM applications a WHERE a.app_no = ?1"
				   : "SELECT " LOOKUP_SUMMARY " FROM applications a WHERE a.uscc = ?1 "
				     "ORDER BY a.updated_at DESC LIMIT ?2", &stmt, err) != 0)
			return -1;
		sqlite3_bind_text(stmt, 1, value, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)max);
		rc = lookup_collect(st, stmt, out, max, n, err);
		break;
	case LOOKUP_NAME:
		/* A range on the name index: every name that starts with the
		 * query sorts between it and it followed by U+10FFFF. */
		snprintf(upper, sizeof(upper), "%s\xF4\x8F\xBF\xBF", value);
		if (lookup_prepare(st, "SELECT " LOOKUP_SUMMARY " FROM applications a "
				   "WHERE a.org_name >= ?1 AND a.org_name < ?2 "
				   "ORDER BY a.org_name = ?1 DESC, a.updated_at DESC LIMIT ?3",
				   &stmt, err) != 0)
			return -1;
		sqlite3_bind_text(stmt, 1, value, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, upper, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, (sqlite3_int64)max);
		rc = lookup_collect(st, stmt, out, max, n, err);
		break;
	case LOOKUP_ID:
	case LOOKUP_MOBILE:
	case LOOKUP_ACCOUNT:
		if (lookup_prepare(st, "SELECT " LOOKUP_SUMMARY " FROM pii_index i "
				   "JOIN applications a ON a.app_no = i.app_no WHERE i.mac = ?1 "
				   "ORDER BY a.updated_at DESC", &stmt, err) != 0)
			return -1;
		rc = 0;
		/* Newest key first: most records are indexed under it. */
		for (size_t k = ring->n; k-- > 0 && rc == 0 && *n < max;) {
			if (lookup_mac(ring, k, kind == LOOKUP_ID ? "id" : kind == LOOKUP_MOBILE
				       ? "mobile" : "account", value, mac) != 0) {
				rc = err_set(err, _("cannot compute the search index"));
				break;
			}
			sqlite3_reset(stmt);
			sqlite3_bind_blob(stmt, 1, mac, sizeof(mac), SQLITE_STATIC);
			rc = lookup_collect(st, stmt, out, max, n, err);
		}
		break;
	}
	sqlite3_finalize(stmt);
	return rc;
}
