/* The audit trail: the canonical bytes of a row and its hash, the MACs,
 * appending rows and checkpoints, the head anchor file, and reading rows
 * back; see audit.h for the row hash, the checkpoint MAC and why an anchor
 * file sits outside the database. Verification is in audit_verify.c, the
 * export bundle in audit_bundle.c.
 *
 * Anchor file (text, 0600, replaced by rename):
 *   guitai-audit-head 1 / seq S / hash H / key K / mac M
 *   mac = HMAC-SHA-256(key K, "GTH1" | seq (8) | key id (4) | hash) */
#include "config.h"
#include "db/audit.h"
#include "db/audit_int.h"
#include "db/crypto.h"
#include "db/store.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- canonical bytes ---------------------------------------------------- */

size_t audit_encode(const unsigned char *prev_hash, long long seq, long long at,
		    const char *const text[AUDIT_TEXT_FIELDS], const size_t len[AUDIT_TEXT_FIELDS],
		    unsigned char *out)
{
	unsigned char *p = out;

	memcpy(p, prev_hash, AUDIT_HASH_BYTES);
	p += AUDIT_HASH_BYTES;
	memcpy(p, AUDIT_MAGIC_ROW, 4);
	p += 4;
	p = audit_put64(p, (unsigned long long)seq);
	p = audit_put64(p, (unsigned long long)at);
	for (int i = 0; i < AUDIT_TEXT_FIELDS; i++) {
		p = audit_put32(p, (uint32_t)len[i]);
		if (len[i] > 0)
			memcpy(p, text[i], len[i]);
		p += len[i];
	}
	return (size_t)(p - out);
}

static void audit_row_texts(const struct audit_row *r, const char *text[AUDIT_TEXT_FIELDS],
			    size_t len[AUDIT_TEXT_FIELDS])
{
	text[0] = r->terminal ? r->terminal : "";
	text[1] = r->operator_name ? r->operator_name : "";
	text[2] = r->action ? r->action : "";
	text[3] = r->app_no ? r->app_no : "";
	text[4] = r->detail ? r->detail : "";
	for (int i = 0; i < AUDIT_TEXT_FIELDS; i++)
		len[i] = strlen(text[i]);
}

size_t audit_canonical_size(const struct audit_row *r)
{
	const char *text[AUDIT_TEXT_FIELDS];
	size_t len[AUDIT_TEXT_FIELDS], n = AUDIT_CANON_FIXED;

	audit_row_texts(r, text, len);
	for (int i = 0; i < AUDIT_TEXT_FIELDS; i++)
		n += 4 + len[i];
	return n;
}

size_t audit_canonical(const struct audit_row *r, unsigned char *out)
{
	const char *text[AUDIT_TEXT_FIELDS];
	size_t len[AUDIT_TEXT_FIELDS];

	audit_row_texts(r, text, len);
	return audit_encode(r->prev_hash, r->seq, r->at, text, len, out);
}

int audit_canon_parse(const unsigned char *c, size_t n, struct audit_canon *out)
{
	size_t off = AUDIT_CANON_FIXED;

	if (n < AUDIT_CANON_FIXED || memcmp(c + AUDIT_HASH_BYTES, AUDIT_MAGIC_ROW, 4) != 0)
		return -1;
	out->seq = (long long)audit_get64(c + AUDIT_HASH_BYTES + 4);
	out->at = (long long)audit_get64(c + AUDIT_HASH_BYTES + 12);
	for (int i = 0; i < AUDIT_TEXT_FIELDS; i++) {
		uint32_t len;

		if (n - off < 4)
			return -1;
		len = audit_get32(c + off);
		off += 4;
		if (n - off < len)
			return -1;
		out->text[i] = (const char *)c + off;
		out->len[i] = len;
		off += len;
	}
	return off == n ? 0 : -1;
}

static int audit_sha256(const void *data, size_t len, unsigned char out[AUDIT_HASH_BYTES])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 &&
	       n == AUDIT_HASH_BYTES ? 0 : -1;
}

int audit_row_hash(const struct audit_row *r, unsigned char hash[AUDIT_HASH_BYTES])
{
	size_t n = audit_canonical_size(r);
	unsigned char *buf = malloc(n);
	int rc;

	if (buf == NULL)
		return -1;
	rc = audit_sha256(buf, audit_canonical(r, buf), hash);
	free(buf);
	return rc;
}

int audit_record(struct audit_row *r, unsigned char *out, size_t *len)
{
	size_t n = audit_canonical(r, out);

	if (audit_sha256(out, n, r->hash) != 0)
		return -1;
	memcpy(out + n, r->hash, AUDIT_HASH_BYTES);
	*len = n + AUDIT_HASH_BYTES;
	return 0;
}

void audit_hex(const unsigned char hash[AUDIT_HASH_BYTES], char out[2 * AUDIT_HASH_BYTES + 1])
{
	crypto_hex(hash, AUDIT_HASH_BYTES, out);
}

/* ---- MACs ---------------------------------------------------------------- */

int audit_checkpoint_mac(const unsigned char *key, long long seq, long long at, uint32_t key_id,
			 const unsigned char *hash, const unsigned char *prev_mac,
			 unsigned char out[AUDIT_HASH_BYTES])
{
	unsigned char msg[4 + 8 + 8 + 4 + 2 * AUDIT_HASH_BYTES], *p = msg;

	memcpy(p, AUDIT_MAGIC_CHECKPOINT, 4);
	p = audit_put64(p + 4, (unsigned long long)seq);
	p = audit_put64(p, (unsigned long long)at);
	p = audit_put32(p, key_id);
	memcpy(p, hash, AUDIT_HASH_BYTES);
	memcpy(p + AUDIT_HASH_BYTES, prev_mac, AUDIT_HASH_BYTES);
	return crypto_hmac_sha256(key, CRYPTO_KEY_BYTES, msg, sizeof(msg), out);
}

static int audit_head_mac(const unsigned char *key, long long seq, uint32_t key_id,
			  const unsigned char *hash, unsigned char out[AUDIT_HASH_BYTES])
{
	unsigned char msg[4 + 8 + 4 + AUDIT_HASH_BYTES], *p = msg;

	memcpy(p, AUDIT_MAGIC_HEAD, 4);
	p = audit_put64(p + 4, (unsigned long long)seq);
	p = audit_put32(p, key_id);
	memcpy(p, hash, AUDIT_HASH_BYTES);
	return crypto_hmac_sha256(key, CRYPTO_KEY_BYTES, msg, sizeof(msg), out);
}

/* A MAC check in constant time; an unknown key id fails like a bad MAC. */
int audit_mac_equal(const unsigned char *a, const unsigned char *b)
{
	unsigned char d = 0;

	for (size_t i = 0; i < AUDIT_HASH_BYTES; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* ---- reading the table ------------------------------------------------- */

int audit_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
		  struct gt_err *err)
{
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, stmt, NULL);

	return rc == SQLITE_OK ? 0 : store_error(st, rc, err, "prepare audit");
}

void audit_blob32(sqlite3_stmt *stmt, int col, unsigned char out[AUDIT_HASH_BYTES])
{
	const void *b = sqlite3_column_blob(stmt, col);

	if (b != NULL && sqlite3_column_bytes(stmt, col) == AUDIT_HASH_BYTES)
		memcpy(out, b, AUDIT_HASH_BYTES);
	else
		memset(out, 0, AUDIT_HASH_BYTES);
}

/* The hash stored at the end of a row; zeros when the row is too short
 * to hold one (then it fails verification, as it should). */
void audit_rec_hash(sqlite3_stmt *stmt, int col, unsigned char out[AUDIT_HASH_BYTES])
{
	const unsigned char *b = sqlite3_column_blob(stmt, col);
	int n = sqlite3_column_bytes(stmt, col);

	if (b != NULL && n >= AUDIT_HASH_BYTES)
		memcpy(out, b + n - AUDIT_HASH_BYTES, AUDIT_HASH_BYTES);
	else
		memset(out, 0, AUDIT_HASH_BYTES);
}

int audit_head(struct store *st, struct audit_head *out, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	memset(out, 0, sizeof(*out));
	if (store_stmt(st, "SELECT seq, rec FROM audit ORDER BY seq DESC LIMIT 1", &stmt,
		       err) != 0)
		return -1;
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		out->seq = sqlite3_column_int64(stmt, 0);
		audit_rec_hash(stmt, 1, out->hash);
	}
	store_stmt_done(st, stmt);
	return src == SQLITE_ROW || src == SQLITE_DONE ? 0 : store_error(st, src, err, "audit head");
}

int audit_count(struct store *st, long long *n, struct gt_err *err)
{
	struct audit_head h;

	if (audit_head(st, &h, err) != 0)
		return -1;
	*n = h.seq;
	return 0;
}

int audit_checkpoint_count(struct store *st, long long *n, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	*n = 0;
	if (audit_prepare(st, "SELECT count(*) FROM audit_checkpoints", &stmt, err) != 0)
		return -1;
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW)
		*n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return src == SQLITE_ROW ? 0 : store_error(st, src, err, "audit checkpoints");
}

/* 0 with the row's hash, 1 when there is no such row. */
static int audit_hash_at(struct store *st, long long seq, unsigned char out[AUDIT_HASH_BYTES],
			 struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src, rc;

	if (audit_prepare(st, "SELECT rec FROM audit WHERE seq = ?1", &stmt, err) != 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, seq);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		audit_rec_hash(stmt, 0, out);
		rc = 0;
	} else {
		rc = src == SQLITE_DONE ? 1 : store_error(st, src, err, "audit row");
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* A text of a decoded row into a NUL-terminated buffer of `size`. */
static void audit_text_copy(char *out, size_t size, const char *text, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(out, text, len);
	out[len] = '\0';
}

int audit_last_config(struct store *st, char *detail, size_t size, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	detail[0] = '\0';
	/* The rows whose bytes hold the action field "config.load" (its
	 * length, then the text), newest first: the literal is the partial
	 * index audit_config's, so SQLite uses it. The same bytes elsewhere
	 * in a row (an operator so named) are told apart when decoded. */
	if (store_stmt(st, "SELECT rec FROM audit WHERE instr(rec, " AUDIT_CONFIG_PATTERN ") > 0 "
		       "ORDER BY seq DESC", &stmt, err) != 0)
		return -1;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *rec = sqlite3_column_blob(stmt, 0);
		int n = sqlite3_column_bytes(stmt, 0);
		struct audit_canon c;

		if (rec != NULL && n >= AUDIT_REC_MIN &&
		    audit_canon_parse(rec, (size_t)n - AUDIT_HASH_BYTES, &c) == 0 &&
		    c.len[2] == strlen("config.load") && memcmp(c.text[2], "config.load", c.len[2]) == 0) {
			audit_text_copy(detail, size, c.text[4], c.len[4]);
			src = SQLITE_DONE;
			break;
		}
	}
	store_stmt_done(st, stmt);
	return src == SQLITE_DONE ? 0 : store_error(st, src, err, "audit config");
}

/* ---- appending ----------------------------------------------------------- */

static int audit_text_ok(const char *s, size_t max)
{
	return s == NULL || (strlen(s) <= max && str_utf8_valid(s) && !str_has_control(s));
}

static int audit_action_ok(const char *a)
{
	size_t n = strlen(a);

	if (n == 0 || n > AUDIT_ACTION_MAX)
		return 0;
	for (; *a; a++)
		if (!((*a >= 'a' && *a <= 'z') || (*a >= '0' && *a <= '9') || *a == '.' || *a == '_'))
			return 0;
	return 1;
}

/* Insert a checkpoint for (seq, hash), chained to the one before. */
static int audit_checkpoint_insert(struct store *st, const struct crypto_keyring *ring,
				   long long seq, const unsigned char *hash, struct gt_err *err)
{
	unsigned char prev_mac[AUDIT_HASH_BYTES], mac[AUDIT_HASH_BYTES];
	sqlite3_stmt *stmt = NULL;
	uint32_t key_id;
	long long at = (long long)time(NULL);
	int src;

	if (ring == NULL || ring->n == 0)
		return err_set(err, _("no audit key: the audit trail cannot be checkpointed"));
	key_id = ring->ids[ring->n - 1];
	if (audit_prepare(st, "SELECT mac FROM audit_checkpoints ORDER BY seq DESC LIMIT 1", &stmt,
			  err) != 0)
		return -1;
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW)
		audit_blob32(stmt, 0, prev_mac);
	else
		memset(prev_mac, 0, sizeof(prev_mac));
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return store_error(st, src, err, "audit checkpoint");
	if (audit_checkpoint_mac(ring->keys[ring->n - 1], seq, at, key_id, hash, prev_mac, mac) != 0)
		return err_set(err, _("cannot compute the audit checkpoint MAC"));
	if (audit_prepare(st, "INSERT INTO audit_checkpoints (seq, at, key_id, hash, mac) "
			  "VALUES (?1, ?2, ?3, ?4, ?5)", &stmt, err) != 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, seq);
	sqlite3_bind_int64(stmt, 2, at);
	sqlite3_bind_int64(stmt, 3, key_id);
	sqlite3_bind_blob(stmt, 4, hash, AUDIT_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 5, mac, AUDIT_HASH_BYTES, SQLITE_STATIC);
	src = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return src == SQLITE_DONE ? 0 : store_error(st, src, err, "audit checkpoint");
}

int audit_append(struct store *st, const struct audit_ctx *ac, const char *action,
		 const char *app_no, const char *detail, struct gt_err *err)
{
	int own = sqlite3_get_autocommit(store_db(st));
	unsigned every = ac->checkpoint_every ? ac->checkpoint_every : AUDIT_CHECKPOINT_EVERY;
	struct audit_row r;
	struct audit_head last;
	sqlite3_stmt *stmt = NULL;
	unsigned char *canon = NULL;
	size_t n;
	int src;

	if (action == NULL || !audit_action_ok(action) || !audit_text_ok(detail, AUDIT_DETAIL_MAX) ||
	    !audit_text_ok(app_no, 64) || !audit_text_ok(ac->terminal, 64) ||
	    !audit_text_ok(ac->operator_name, 128))
		return err_set(err, _("audit record \"%s\" is malformed; nothing was done"),
			       action ? action : "");
	/* Rows that no key could checkpoint would be rows nobody can vouch
	 * for: fail closed. */
	if (ac->ring == NULL || ac->ring->n == 0)
		return err_set(err, _("no audit key: the audit trail cannot be written, so nothing "
				      "was done"));
	memset(&r, 0, sizeof(r));
	r.terminal = ac->terminal;
	r.operator_name = ac->operator_name;
	r.action = action;
	r.app_no = app_no;
	r.detail = detail;
	if (own && store_begin(st, err) != 0)
		goto fail;
	if (audit_head(st, &last, err) != 0)
		goto fail;
	r.seq = last.seq + 1;
	r.at = (long long)time(NULL);
	memcpy(r.prev_hash, last.hash, AUDIT_HASH_BYTES);
	canon = malloc(audit_canonical_size(&r) + AUDIT_HASH_BYTES);
	if (canon == NULL) {
		err_set(err, _("out of memory"));
		goto fail;
	}
	if (audit_record(&r, canon, &n) != 0) {
		err_set(err, _("cannot compute the audit hash"));
		goto fail;
	}
	if (store_stmt(st, "INSERT INTO audit (seq, rec) VALUES (?1, ?2)", &stmt, err) != 0)
		goto fail;
	sqlite3_bind_int64(stmt, 1, r.seq);
	sqlite3_bind_blob(stmt, 2, canon, (int)n, SQLITE_STATIC);
	src = sqlite3_step(stmt);
	store_stmt_done(st, stmt);
	stmt = NULL;
	if (src != SQLITE_DONE) {
		store_error(st, src, err, "audit");
		err_prefix(err, _("audit trail not written, so nothing was done"));
		goto fail;
	}
	if (r.seq % every == 0 && audit_checkpoint_insert(st, ac->ring, r.seq, r.hash, err) != 0)
		goto fail;
	if (own) {
		struct gt_err aerr;

		if (store_commit(st, err) != 0)
			goto fail;
		/* The row is in: a failing anchor weakens only the check for
		 * a cut-off tail, and the next append tries again. */
		if (audit_anchor(st, ac, &aerr) != 0)
			log_msg("audit: %s", aerr.msg);
	}
	free(canon);
	return 0;
fail:
	sqlite3_finalize(stmt);
	free(canon);
	if (own)
		store_rollback(st);
	return -1;
}

int audit_checkpoint(struct store *st, const struct audit_ctx *ac, struct audit_head *out,
		     struct gt_err *err)
{
	int own = sqlite3_get_autocommit(store_db(st));
	struct audit_head h;
	unsigned char have[AUDIT_HASH_BYTES];
	sqlite3_stmt *stmt = NULL;
	int src;

	if (own && store_begin(st, err) != 0)
		return -1;
	if (audit_head(st, &h, err) != 0)
		goto fail;
	if (h.seq > 0) {
		if (audit_prepare(st, "SELECT hash FROM audit_checkpoints WHERE seq = ?1", &stmt,
				  err) != 0)
			goto fail;
		sqlite3_bind_int64(stmt, 1, h.seq);
		src = sqlite3_step(stmt);
		if (src == SQLITE_ROW)
			audit_blob32(stmt, 0, have);
		sqlite3_finalize(stmt);
		if (src != SQLITE_ROW && src != SQLITE_DONE) {
			store_error(st, src, err, "audit checkpoint");
			goto fail;
		}
		if (src == SQLITE_DONE &&
		    audit_checkpoint_insert(st, ac->ring, h.seq, h.hash, err) != 0)
			goto fail;
	}
	if (own && store_commit(st, err) != 0)
		goto fail;
	if (out != NULL)
		*out = h;
	return 0;
fail:
	if (own)
		store_rollback(st);
	return -1;
}

/* ---- the anchor file ---------------------------------------------------- */

/* 0 read, 1 no file, -1 unreadable or malformed. */
int audit_anchor_read(const char *path, struct audit_mark *m, struct gt_err *err)
{
	char line[200], hash[80], mac[80];
	FILE *f;
	int got = 0;
	unsigned long key_id = 0;

	memset(m, 0, sizeof(*m));
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 1;
		return err_set(err, _("audit anchor %s: %s"), path, strerror(errno));
	}
	hash[0] = mac[0] = '\0';
	if (fgets(line, sizeof(line), f) != NULL &&
	    strncmp(line, AUDIT_HEAD_HEADER "\n", sizeof(AUDIT_HEAD_HEADER)) == 0) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (sscanf(line, "seq %lld", &m->seq) == 1 ||
			    sscanf(line, "hash %79s", hash) == 1 ||
			    sscanf(line, "key %lu", &key_id) == 1 ||
			    sscanf(line, "mac %79s", mac) == 1)
				got++;
		}
	}
	fclose(f);
	if (got != 4 || m->seq <= 0 || key_id == 0 || key_id > UINT32_MAX ||
	    strlen(hash) != 2 * AUDIT_HASH_BYTES || strlen(mac) != 2 * AUDIT_HASH_BYTES ||
	    crypto_unhex(hash, m->hash, AUDIT_HASH_BYTES) != 0 ||
	    crypto_unhex(mac, m->mac, AUDIT_HASH_BYTES) != 0)
		return err_set(err, _("audit anchor %s is malformed"), path);
	m->key_id = (uint32_t)key_id;
	return 0;
}

int audit_anchor_mac_ok(const struct crypto_keyring *ring, const struct audit_mark *m)
{
	const unsigned char *key = ring ? crypto_keyring_find(ring, m->key_id) : NULL;
	unsigned char want[AUDIT_HASH_BYTES];

	return key != NULL && audit_head_mac(key, m->seq, m->key_id, m->hash, want) == 0 &&
	       audit_mac_equal(want, m->mac);
}

static int audit_anchor_write(const char *path, const struct crypto_keyring *ring,
			      const struct audit_head *h, struct gt_err *err)
{
	char tmp[4200], text[400], hash[2 * AUDIT_HASH_BYTES + 1], mac[2 * AUDIT_HASH_BYTES + 1];
	unsigned char m[AUDIT_HASH_BYTES];
	uint32_t key_id = ring->ids[ring->n - 1];
	int fd, n;

	if (audit_head_mac(ring->keys[ring->n - 1], h->seq, key_id, h->hash, m) != 0)
		return err_set(err, _("cannot compute the audit anchor MAC"));
	audit_hex(h->hash, hash);
	audit_hex(m, mac);
	n = snprintf(text, sizeof(text), AUDIT_HEAD_HEADER "\nseq %lld\nhash %s\nkey %" PRIu32
		     "\nmac %s\n", h->seq, hash, key_id, mac);
	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp))
		return err_set(err, _("path too long: %s"), path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, _("audit anchor %s: %s"), tmp, strerror(errno));
	/* fsync before the rename: after a power cut the anchor is the old
	 * one or the new one, never an empty file that looks like tampering. */
	if (write(fd, text, (size_t)n) != n || fsync(fd) != 0) {
		err_set(err, _("audit anchor %s: %s"), tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		err_set(err, _("audit anchor %s: %s"), path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int audit_anchor(struct store *st, const struct audit_ctx *ac, struct gt_err *err)
{
	struct audit_mark old;
	struct audit_head h;
	unsigned char at_old[AUDIT_HASH_BYTES];
	int rc;

	if (ac->head_path == NULL || ac->head_path[0] == '\0')
		return 0;
	if (ac->ring == NULL || ac->ring->n == 0)
		return err_set(err, _("no audit key: the audit anchor cannot be written"));
	if (audit_head(st, &h, err) != 0)
		return -1;
	if (h.seq == 0)
		return 0;
	rc = audit_anchor_read(ac->head_path, &old, err);
	if (rc < 0)
		return err_prefix(err, _("left as it is"));
	if (rc == 0) {
		/* Never backwards, and never over evidence: an anchor whose
		 * MAC fails, or whose row is gone or changed, stays for
		 * `audit verify` to report. */
		if (!audit_anchor_mac_ok(ac->ring, &old))
			return err_set(err, _("audit anchor %s does not verify; left as it is"),
				       ac->head_path);
		if (old.seq >= h.seq)
			return 0;
		rc = audit_hash_at(st, old.seq, at_old, err);
		if (rc < 0)
			return -1;
		if (rc == 1 || memcmp(at_old, old.hash, AUDIT_HASH_BYTES) != 0)
			return err_set(err, _("audit anchor %s names row %lld, which the trail no "
					      "longer holds as it was; left as it is"),
				       ac->head_path, old.seq);
	}
	return audit_anchor_write(ac->head_path, ac->ring, &h, err);
}


/* ---- listing -------------------------------------------------------------- */

int audit_list(struct store *st, long long after, long long max,
	       int (*cb)(void *arg, const struct audit_row *row), void *arg, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	char *text = NULL;
	size_t cap = 0;

	if (audit_prepare(st, "SELECT seq, rec FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
			  &stmt, err) != 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int64(stmt, 2, max);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *rec = sqlite3_column_blob(stmt, 1);
		size_t n = (size_t)sqlite3_column_bytes(stmt, 1);
		const char *field[AUDIT_TEXT_FIELDS];
		struct audit_canon c;
		struct audit_row r;
		char *p;

		memset(&r, 0, sizeof(r));
		r.seq = sqlite3_column_int64(stmt, 0);
		if (n + AUDIT_TEXT_FIELDS > cap) {
			char *q = realloc(text, n + AUDIT_TEXT_FIELDS);

			if (q == NULL) {
				sqlite3_finalize(stmt);
				free(text);
				return err_set(err, _("out of memory"));
			}
			text = q;
			cap = n + AUDIT_TEXT_FIELDS;
		}
		/* Listed as stored, right or wrong; a row that is not even
		 * well formed says so (audit verify says more). */
		if (rec == NULL || n < AUDIT_REC_MIN ||
		    audit_canon_parse(rec, n - AUDIT_HASH_BYTES, &c) != 0) {
			for (int i = 0; i < AUDIT_TEXT_FIELDS; i++)
				field[i] = "";
			field[4] = _("(this row is malformed)");
		} else {
			r.at = c.at;
			memcpy(r.prev_hash, rec, AUDIT_HASH_BYTES);
			memcpy(r.hash, rec + n - AUDIT_HASH_BYTES, AUDIT_HASH_BYTES);
			p = text;
			for (int i = 0; i < AUDIT_TEXT_FIELDS; i++) {
				field[i] = p;
				memcpy(p, c.text[i], c.len[i]);
				p += c.len[i];
				*p++ = '\0';
			}
		}
		r.terminal = field[0];
		r.operator_name = field[1];
		r.action = field[2];
		r.app_no = field[3];
		r.detail = field[4];
		if (cb(arg, &r) != 0) {
			src = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(stmt);
	free(text);
	return src == SQLITE_DONE ? 0 : store_error(st, src, err, "audit list");
}

/* ---- the stored form, for the migration to it ------------------------------- */

/* guitai_audit_rec(seq, at, terminal, operator, action, app_no, detail,
 * prev_hash, hash): a row of the columns of schema 5 as stored since schema
 * 6. The values are taken as the verifier of schema 5 read them (texts as
 * their bytes, a hash of the wrong size as zeros), so a row converted
 * verifies, or fails, exactly as it did before. */
static void audit_sql_rec(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text[AUDIT_TEXT_FIELDS];
	size_t len[AUDIT_TEXT_FIELDS], need = AUDIT_CANON_FIXED + AUDIT_HASH_BYTES, n;
	unsigned char prev[AUDIT_HASH_BYTES], *out;

	(void)argc;
	for (int i = 0; i < AUDIT_TEXT_FIELDS; i++) {
		text[i] = sqlite3_value_blob(argv[2 + i]);
		len[i] = (size_t)sqlite3_value_bytes(argv[2 + i]);
		need += 4 + len[i];
	}
	out = sqlite3_malloc64(need);
	if (out == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (int k = 0; k < 2; k++) {
		const void *b = sqlite3_value_blob(argv[7 + k]);
		unsigned char *dst = k == 0 ? prev : out + need - AUDIT_HASH_BYTES;

		if (b != NULL && sqlite3_value_bytes(argv[7 + k]) == AUDIT_HASH_BYTES)
			memcpy(dst, b, AUDIT_HASH_BYTES);
		else
			memset(dst, 0, AUDIT_HASH_BYTES);
	}
	n = audit_encode(prev, sqlite3_value_int64(argv[0]), sqlite3_value_int64(argv[1]), text, len,
			 out);
	if (n + AUDIT_HASH_BYTES != need) {
		sqlite3_free(out);
		sqlite3_result_error(ctx, "audit row size", -1);
		return;
	}
	sqlite3_result_blob64(ctx, out, need, sqlite3_free);
}

int audit_sql_functions(struct sqlite3 *db)
{
	return sqlite3_create_function(db, "guitai_audit_rec", 9,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
				       audit_sql_rec, NULL, NULL) == SQLITE_OK ? 0 : -1;
}
