/* The audit trail; see audit.h for the row hash, the checkpoint MAC and
 * why an anchor file sits outside the database.
 *
 * Anchor file (text, 0600, replaced by rename):
 *   guitai-audit-head 1 / seq S / hash H / key K / mac M
 *   mac = HMAC-SHA-256(key K, "GTH1" | seq (8) | key id (4) | hash)
 *
 * Bundle (text, one record a line, hex lower-case):
 *   guitai-audit-bundle 1
 *   # comments (source, time of export): not trusted, not checked
 *   checkpoint SEQ AT KEYID HASH MAC        (all of them, oldest first)
 *   anchor SEQ KEYID HASH MAC               (when the database had one)
 *   row CANONICAL HASH                      (every row, oldest first)
 *   end ROWS CHECKPOINTS ANCHORSEQ LASTHASH KEYID MAC
 *   end mac = HMAC(key, "GTE1" | rows (8) | checkpoints (8) | anchor seq (8)
 *                       | key id (4) | last hash)
 * The end line makes a bundle cut short, or with rows taken off its end,
 * fail without the key. */
#include "config.h"
#include "db/audit.h"
#include "db/crypto.h"
#include "db/store.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AUDIT_MAGIC_ROW "GTA1"
#define AUDIT_MAGIC_CHECKPOINT "GTC1"
#define AUDIT_MAGIC_HEAD "GTH1"
#define AUDIT_MAGIC_END "GTE1"
#define AUDIT_BUNDLE_HEADER "guitai-audit-bundle 1"
#define AUDIT_HEAD_HEADER "guitai-audit-head 1"
#define AUDIT_TEXT_FIELDS 5

/* A checkpoint or the anchor as read back. */
struct audit_mark {
	long long seq;
	long long at;
	uint32_t key_id;
	unsigned char hash[AUDIT_HASH_BYTES];
	unsigned char mac[AUDIT_HASH_BYTES];
};

/* ---- canonical bytes ---------------------------------------------------- */

static unsigned char *audit_put64(unsigned char *p, unsigned long long v)
{
	for (int i = 7; i >= 0; i--)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static unsigned char *audit_put32(unsigned char *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static unsigned long long audit_get64(const unsigned char *p)
{
	unsigned long long v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint32_t audit_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The fixed part: prev_hash, magic, seq, at. */
#define AUDIT_CANON_FIXED (AUDIT_HASH_BYTES + 4 + 8 + 8)

/* Canonical bytes from texts with explicit lengths (the verifier takes
 * them straight from SQLite, NULs and all). out must hold
 * AUDIT_CANON_FIXED + sum(4 + len). */
static size_t audit_encode(const unsigned char *prev_hash, long long seq, long long at,
			   const char *const text[AUDIT_TEXT_FIELDS],
			   const size_t len[AUDIT_TEXT_FIELDS], unsigned char *out)
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

void audit_hex(const unsigned char hash[AUDIT_HASH_BYTES], char out[2 * AUDIT_HASH_BYTES + 1])
{
	crypto_hex(hash, AUDIT_HASH_BYTES, out);
}

/* ---- MACs ---------------------------------------------------------------- */

static int audit_checkpoint_mac(const unsigned char *key, long long seq, long long at,
				uint32_t key_id, const unsigned char *hash,
				const unsigned char *prev_mac, unsigned char out[AUDIT_HASH_BYTES])
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

static int audit_end_mac(const unsigned char *key, long long rows, long long checkpoints,
			 long long anchor_seq, uint32_t key_id, const unsigned char *last,
			 unsigned char out[AUDIT_HASH_BYTES])
{
	unsigned char msg[4 + 8 + 8 + 8 + 4 + AUDIT_HASH_BYTES], *p = msg;

	memcpy(p, AUDIT_MAGIC_END, 4);
	p = audit_put64(p + 4, (unsigned long long)rows);
	p = audit_put64(p, (unsigned long long)checkpoints);
	p = audit_put64(p, (unsigned long long)anchor_seq);
	p = audit_put32(p, key_id);
	memcpy(p, last, AUDIT_HASH_BYTES);
	return crypto_hmac_sha256(key, CRYPTO_KEY_BYTES, msg, sizeof(msg), out);
}

/* A MAC check in constant time; an unknown key id fails like a bad MAC. */
static int audit_mac_equal(const unsigned char *a, const unsigned char *b)
{
	unsigned char d = 0;

	for (size_t i = 0; i < AUDIT_HASH_BYTES; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* ---- reading the table ------------------------------------------------- */

static int audit_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
			 struct gt_err *err)
{
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, stmt, NULL);

	return rc == SQLITE_OK ? 0 : store_error(st, rc, err, "prepare audit");
}

static void audit_blob32(sqlite3_stmt *stmt, int col, unsigned char out[AUDIT_HASH_BYTES])
{
	const void *b = sqlite3_column_blob(stmt, col);

	if (b != NULL && sqlite3_column_bytes(stmt, col) == AUDIT_HASH_BYTES)
		memcpy(out, b, AUDIT_HASH_BYTES);
	else
		memset(out, 0, AUDIT_HASH_BYTES);
}

int audit_head(struct store *st, struct audit_head *out, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	memset(out, 0, sizeof(*out));
	if (audit_prepare(st, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &stmt,
			  err) != 0)
		return -1;
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		out->seq = sqlite3_column_int64(stmt, 0);
		audit_blob32(stmt, 1, out->hash);
	}
	sqlite3_finalize(stmt);
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

/* 0 with the row's hash, 1 when there is no such row. */
static int audit_hash_at(struct store *st, long long seq, unsigned char out[AUDIT_HASH_BYTES],
			 struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src, rc;

	if (audit_prepare(st, "SELECT hash FROM audit WHERE seq = ?1", &stmt, err) != 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, seq);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		audit_blob32(stmt, 0, out);
		rc = 0;
	} else {
		rc = src == SQLITE_DONE ? 1 : store_error(st, src, err, "audit row");
	}
	sqlite3_finalize(stmt);
	return rc;
}

int audit_last_config(struct store *st, char *detail, size_t size, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	detail[0] = '\0';
	/* The literal lets SQLite use the partial index audit_config. */
	if (audit_prepare(st, "SELECT detail FROM audit WHERE action = 'config.load' "
			  "ORDER BY seq DESC LIMIT 1", &stmt, err) != 0)
		return -1;
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(stmt, 0);

		str_copy(detail, size, v ? (const char *)v : "");
	}
	sqlite3_finalize(stmt);
	return src == SQLITE_ROW || src == SQLITE_DONE ? 0 : store_error(st, src, err, "audit config");
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
	n = audit_canonical_size(&r);
	canon = malloc(n);
	if (canon == NULL) {
		err_set(err, _("out of memory"));
		goto fail;
	}
	if (audit_sha256(canon, audit_canonical(&r, canon), r.hash) != 0) {
		err_set(err, _("cannot compute the audit hash"));
		goto fail;
	}
	if (audit_prepare(st, "INSERT INTO audit (seq, at, terminal, operator, action, app_no, "
			  "detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			  &stmt, err) != 0)
		goto fail;
	sqlite3_bind_int64(stmt, 1, r.seq);
	sqlite3_bind_int64(stmt, 2, r.at);
	sqlite3_bind_text(stmt, 3, r.terminal ? r.terminal : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, r.operator_name ? r.operator_name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, r.action, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, r.app_no ? r.app_no : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, r.detail ? r.detail : "", -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 8, r.prev_hash, AUDIT_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 9, r.hash, AUDIT_HASH_BYTES, SQLITE_STATIC);
	src = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
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
static int audit_anchor_read(const char *path, struct audit_mark *m, struct gt_err *err)
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

static int audit_anchor_mac_ok(const struct crypto_keyring *ring, const struct audit_mark *m)
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

/* ---- verification ------------------------------------------------------- */

struct audit_verifier {
	const struct crypto_keyring *ring;
	struct audit_verify_result *res;
	struct audit_mark *cps;
	size_t ncps, cap, next_cp, bad_cp;
	struct audit_mark anchor;
	int anchor_state;             /* 0 none, 1 good, -1 MAC bad */
	long long expected;
	long long last_cp_seq;
	unsigned char prev_hash[AUDIT_HASH_BYTES];
	EVP_MD_CTX *md;
	EVP_MD *sha256;
	int done;
};

static void audit_bad(struct audit_verifier *v, enum audit_problem p, long long seq,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void audit_bad(struct audit_verifier *v, enum audit_problem p, long long seq,
		      const char *fmt, ...)
{
	va_list ap;

	if (v->done)
		return;
	v->done = 1;
	v->res->problem = p;
	v->res->bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(v->res->why, sizeof(v->res->why), fmt, ap);
	va_end(ap);
}

static int audit_verifier_init(struct audit_verifier *v, const struct crypto_keyring *ring,
			       struct audit_verify_result *res, struct gt_err *err)
{
	memset(v, 0, sizeof(*v));
	memset(res, 0, sizeof(*res));
	v->ring = ring;
	v->res = res;
	v->expected = 1;
	v->md = EVP_MD_CTX_new();
	/* Fetched once: EVP_sha256() would be looked up again, under a lock,
	 * in every digest; verify makes one per row. */
	v->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (v->md == NULL || v->sha256 == NULL)
		return err_set(err, _("out of memory"));
	return 0;
}

static void audit_verifier_free(struct audit_verifier *v)
{
	EVP_MD_CTX_free(v->md);
	EVP_MD_free(v->sha256);
	free(v->cps);
}

static int audit_verifier_add_cp(struct audit_verifier *v, const struct audit_mark *m,
				 struct gt_err *err)
{
	if (v->ncps == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 256;
		struct audit_mark *p = realloc(v->cps, cap * sizeof(*p));

		if (p == NULL)
			return err_set(err, _("out of memory"));
		v->cps = p;
		v->cap = cap;
	}
	v->cps[v->ncps++] = *m;
	return 0;
}

/* Once every checkpoint is known: check their MAC chain. The first that
 * fails is reported when the rows reach it, so a bad row before it still
 * comes first. */
static void audit_verifier_ready(struct audit_verifier *v)
{
	unsigned char prev[AUDIT_HASH_BYTES], want[AUDIT_HASH_BYTES];

	memset(prev, 0, sizeof(prev));
	v->bad_cp = v->ncps;
	for (size_t i = 0; i < v->ncps; i++) {
		const struct audit_mark *m = &v->cps[i];
		const unsigned char *key = v->ring ? crypto_keyring_find(v->ring, m->key_id) : NULL;

		if (key == NULL || (i > 0 && m->seq <= v->cps[i - 1].seq) ||
		    audit_checkpoint_mac(key, m->seq, m->at, m->key_id, m->hash, prev, want) != 0 ||
		    !audit_mac_equal(want, m->mac)) {
			v->bad_cp = i;
			break;
		}
		memcpy(prev, m->mac, AUDIT_HASH_BYTES);
	}
	if (v->anchor_state != 0)
		v->anchor_state = audit_anchor_mac_ok(v->ring, &v->anchor) ? 1 : -1;
}

/* The first row of the stretch a checkpoint or the anchor vouches for. */
static long long audit_stretch_start(const struct audit_verifier *v)
{
	return v->last_cp_seq + 1;
}

/* Check one row given the hash of its canonical bytes (computed, or -1 in
 * hashed when hashing failed). */
static void audit_verifier_check(struct audit_verifier *v, long long seq, size_t len,
				 const unsigned char *prev_hash, const unsigned char *hash,
				 const unsigned char *h, int hashed)
{
	if (v->done)
		return;
	if (seq != v->expected) {
		if (seq == v->expected + 1)
			audit_bad(v, AUDIT_DELETED, v->expected, _("row %lld is missing (deleted)"),
				  v->expected);
		else if (seq > v->expected)
			audit_bad(v, AUDIT_DELETED, v->expected,
				  _("rows %lld to %lld are missing (deleted)"), v->expected, seq - 1);
		else
			audit_bad(v, AUDIT_REORDERED, seq, _("row %lld comes after row %lld "
							     "(rows reordered)"), seq, v->expected - 1);
		return;
	}
	if (memcmp(prev_hash, v->prev_hash, AUDIT_HASH_BYTES) != 0) {
		if (seq == 1)
			audit_bad(v, AUDIT_REORDERED, seq, _("row 1 does not start the chain "
							     "(rows reordered, swapped or replaced)"));
		else
			audit_bad(v, AUDIT_REORDERED, seq,
				  _("row %lld does not follow row %lld: its previous hash differs "
				    "(rows reordered, swapped or replaced)"), seq, seq - 1);
		return;
	}
	if (hashed != 0 || memcmp(h, hash, AUDIT_HASH_BYTES) != 0) {
		audit_bad(v, AUDIT_MODIFIED, seq, _("row %lld was modified: its content does not "
						    "match its hash"), seq);
		return;
	}
	memcpy(v->prev_hash, hash, AUDIT_HASH_BYTES);
	v->expected = seq + 1;
	v->res->rows++;
	v->res->bytes += len;
	while (v->next_cp < v->ncps && v->cps[v->next_cp].seq <= seq) {
		const struct audit_mark *m = &v->cps[v->next_cp];

		if (v->next_cp == v->bad_cp) {
			audit_bad(v, AUDIT_BAD_CHECKPOINT, m->seq,
				  _("the checkpoint at row %lld does not verify with the audit key "
				    "(forged, a checkpoint before it removed, or the wrong key)"),
				  m->seq);
			return;
		}
		if (m->seq != seq || memcmp(m->hash, hash, AUDIT_HASH_BYTES) != 0) {
			audit_bad(v, AUDIT_REWRITTEN, audit_stretch_start(v),
				  _("rows %lld to %lld were rewritten: the checkpoint at row %lld "
				    "does not match them"), audit_stretch_start(v), m->seq, m->seq);
			return;
		}
		v->last_cp_seq = seq;
		v->res->checkpoints++;
		v->next_cp++;
	}
	if (v->anchor_state == 1 && v->anchor.seq == seq &&
	    memcmp(v->anchor.hash, hash, AUDIT_HASH_BYTES) != 0)
		audit_bad(v, AUDIT_REWRITTEN, audit_stretch_start(v),
			  _("rows %lld to %lld were rewritten: the head anchor does not match "
			    "them"), audit_stretch_start(v), seq);
}

static int audit_digest(EVP_MD_CTX *c, const EVP_MD *md, const unsigned char *p, size_t len,
			unsigned char out[AUDIT_HASH_BYTES])
{
	unsigned int hl = 0;

	/* _ex rather than _ex2: no parameters to apply, and a fifth less
	 * time per row. */
	return EVP_DigestInit_ex(c, md, NULL) == 1 && EVP_DigestUpdate(c, p, len) == 1 &&
	       EVP_DigestFinal_ex(c, out, &hl) == 1 && hl == AUDIT_HASH_BYTES ? 0 : -1;
}

static void audit_verifier_row(struct audit_verifier *v, long long seq, const unsigned char *canon,
			       size_t len, const unsigned char *prev_hash, const unsigned char *hash)
{
	unsigned char h[AUDIT_HASH_BYTES];
	int hashed = v->done ? 0 : audit_digest(v->md, v->sha256, canon, len, h);

	audit_verifier_check(v, seq, len, prev_hash, hash, h, hashed);
}

static void audit_verifier_finish(struct audit_verifier *v)
{
	struct audit_verify_result *res = v->res;

	if (v->next_cp < v->ncps) {
		const struct audit_mark *m = &v->cps[v->ncps - 1];

		if (v->next_cp == v->bad_cp)
			audit_bad(v, AUDIT_BAD_CHECKPOINT, v->cps[v->next_cp].seq,
				  _("the checkpoint at row %lld does not verify with the audit key "
				    "(forged, a checkpoint before it removed, or the wrong key)"),
				  v->cps[v->next_cp].seq);
		else
			audit_bad(v, AUDIT_TRUNCATED, v->expected,
				  _("rows %lld to %lld are missing at the end (truncated): a "
				    "checkpoint names row %lld"), v->expected, m->seq, m->seq);
	}
	if (v->anchor_state == 1 && v->anchor.seq >= v->expected)
		audit_bad(v, AUDIT_TRUNCATED, v->expected,
			  _("rows %lld to %lld are missing at the end (truncated): the head "
			    "anchor names row %lld"), v->expected, v->anchor.seq, v->anchor.seq);
	if (v->anchor_state == -1)
		audit_bad(v, AUDIT_BAD_ANCHOR, v->anchor.seq,
			  _("the head anchor (row %lld) does not verify with the audit key "
			    "(forged or the wrong key)"), v->anchor.seq);
	res->anchored = v->anchor_state == 1;
	res->head.seq = v->expected - 1;
	memcpy(res->head.hash, v->prev_hash, AUDIT_HASH_BYTES);
	if (!v->done) {
		res->problem = AUDIT_INTACT;
		res->bad_seq = 0;
	}
}

/* Verifying a database is split into ranges of rows, one thread and one
 * SQLite connection each (as many as there are processors, for trails of
 * more than AUDIT_RANGE_MIN rows a range). Reading a row out of SQLite
 * costs more than hashing it, so one thread could not keep up with the
 * hash alone. Each range starts from the stored hash of the row before it
 * and the checkpoints that fall in it; the first bad row of the first range
 * that has one is the answer, as a single pass would have found it. */
#define AUDIT_RANGE_MIN 50000
#define AUDIT_RANGE_MAX 8

struct audit_range {
	struct audit_verifier v;
	struct audit_verify_result res;
	const char *path;
	long long lo, hi;
	int last;
	int rc;
	struct gt_err err;
};

static int audit_vdb_fail(sqlite3 *db, const char *path, struct gt_err *err)
{
	return err_set(err, _("database %s: %s failed: %s"), path, "audit verify",
		       sqlite3_errmsg(db));
}

/* A connection of its own: its own read snapshot, without the store's
 * per-call mutex (a third of the time of a pass), pages mapped rather
 * than copied, and nothing it could write. */
static int audit_vdb_open(const char *path, sqlite3 **db, struct gt_err *err)
{
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return audit_vdb_fail(*db, path, err);
	sqlite3_busy_timeout(*db, 5000);
	if (sqlite3_exec(*db, "PRAGMA query_only = 1; PRAGMA mmap_size = 1073741824; BEGIN", NULL,
			 NULL, NULL) != SQLITE_OK)
		return audit_vdb_fail(*db, path, err);
	return 0;
}

static void *audit_range_run(void *arg)
{
	struct audit_range *r = arg;
	struct audit_verifier *v = &r->v;
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	unsigned char *buf = NULL;
	size_t cap = 0;
	int src = SQLITE_DONE;

	r->rc = -1;
	if (audit_vdb_open(r->path, &db, &r->err) != 0)
		goto out;
	if (r->lo > 1) {
		/* Where the range picks up the chain. A row missing here is
		 * reported by the range before. */
		if (sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE seq = ?1", -1, &stmt,
				       NULL) != SQLITE_OK) {
			audit_vdb_fail(db, r->path, &r->err);
			goto out;
		}
		sqlite3_bind_int64(stmt, 1, r->lo - 1);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			audit_blob32(stmt, 0, v->prev_hash);
		sqlite3_finalize(stmt);
		stmt = NULL;
	}
	if (sqlite3_prepare_v2(db, "SELECT seq, at, terminal, operator, action, app_no, detail, "
			       "prev_hash, hash FROM audit WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
			       -1, &stmt, NULL) != SQLITE_OK) {
		audit_vdb_fail(db, r->path, &r->err);
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, r->lo);
	sqlite3_bind_int64(stmt, 2, r->hi);
	while (!v->done && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *text[AUDIT_TEXT_FIELDS];
		size_t len[AUDIT_TEXT_FIELDS], need = AUDIT_CANON_FIXED, n;
		unsigned char prev[AUDIT_HASH_BYTES], hash[AUDIT_HASH_BYTES];
		long long seq = sqlite3_column_int64(stmt, 0);

		/* As blobs: the bytes straight from the page, where a text
		 * would first be copied to add its terminating NUL. */
		for (int k = 0; k < AUDIT_TEXT_FIELDS; k++) {
			text[k] = (const char *)sqlite3_column_blob(stmt, 2 + k);
			len[k] = (size_t)sqlite3_column_bytes(stmt, 2 + k);
			need += 4 + len[k];
		}
		if (need > cap) {
			unsigned char *p = realloc(buf, need);

			if (p == NULL) {
				err_set(&r->err, _("out of memory"));
				goto out;
			}
			buf = p;
			cap = need;
		}
		/* A hash column of the wrong size reads as zeros: the row
		 * then fails its check, as it should. */
		audit_blob32(stmt, 7, prev);
		audit_blob32(stmt, 8, hash);
		n = audit_encode(prev, seq, sqlite3_column_int64(stmt, 1), text, len, buf);
		audit_verifier_row(v, seq, buf, n, prev, hash);
	}
	if (!v->done && src != SQLITE_DONE) {
		audit_vdb_fail(db, r->path, &r->err);
		goto out;
	}
	if (r->last) {
		audit_verifier_finish(v);
	} else if (!v->done && v->expected <= r->hi) {
		if (v->expected == r->hi)
			audit_bad(v, AUDIT_DELETED, v->expected, _("row %lld is missing (deleted)"),
				  v->expected);
		else
			audit_bad(v, AUDIT_DELETED, v->expected,
				  _("rows %lld to %lld are missing (deleted)"), v->expected, r->hi);
	}
	r->rc = 0;
out:
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(buf);
	return NULL;
}

int audit_verify(struct store *st, const struct crypto_keyring *ring, const char *head_path,
		 struct audit_verify_result *res, struct gt_err *err)
{
	return audit_verify_split(st, ring, head_path, 0, res, err);
}

int audit_verify_split(struct store *st, const struct crypto_keyring *ring, const char *head_path,
		       int split, struct audit_verify_result *res, struct gt_err *err)
{
	struct audit_verifier v;
	struct audit_range *ranges = NULL;
	pthread_t threads[AUDIT_RANGE_MAX];
	int started[AUDIT_RANGE_MAX] = { 0 };
	const char *path = store_path(st);
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	long long max_seq = 0;
	long cpus;
	int src, rc = -1, n = 1;

	if (audit_verifier_init(&v, ring, res, err) != 0)
		goto out;
	/* The anchor first: it is written after each commit, so it never
	 * names a row the snapshots read next do not hold. */
	if (head_path != NULL && head_path[0] != '\0') {
		int ar = audit_anchor_read(head_path, &v.anchor, err);

		if (ar < 0)
			goto out;
		v.anchor_state = ar == 0 ? 1 : 0;
	}
	if (audit_vdb_open(path, &db, err) != 0)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT seq, at, key_id, hash, mac FROM audit_checkpoints "
			       "ORDER BY seq", -1, &stmt, NULL) != SQLITE_OK) {
		audit_vdb_fail(db, path, err);
		goto out;
	}
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct audit_mark m;

		m.seq = sqlite3_column_int64(stmt, 0);
		m.at = sqlite3_column_int64(stmt, 1);
		m.key_id = (uint32_t)sqlite3_column_int64(stmt, 2);
		audit_blob32(stmt, 3, m.hash);
		audit_blob32(stmt, 4, m.mac);
		if (audit_verifier_add_cp(&v, &m, err) != 0)
			goto out;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (src != SQLITE_DONE ||
	    sqlite3_prepare_v2(db, "SELECT coalesce(max(seq), 0) FROM audit", -1, &stmt,
			       NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW) {
		audit_vdb_fail(db, path, err);
		goto out;
	}
	max_seq = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	stmt = NULL;
	audit_verifier_ready(&v);

	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (split > 0)
		n = split < AUDIT_RANGE_MAX ? split : AUDIT_RANGE_MAX;
	else
		while (n < cpus && n < AUDIT_RANGE_MAX && max_seq / (n + 1) >= AUDIT_RANGE_MIN)
			n++;
	if (n > max_seq)
		n = max_seq > 0 ? (int)max_seq : 1;
	ranges = calloc((size_t)n, sizeof(*ranges));
	if (ranges == NULL) {
		err_set(err, _("out of memory"));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct audit_range *r = &ranges[i];

		r->path = path;
		r->lo = i == 0 ? 1 : ranges[i - 1].hi + 1;
		r->hi = i == n - 1 ? max_seq : max_seq * (i + 1) / n;
		r->last = i == n - 1;
		r->v = v;
		r->v.res = &r->res;
		r->v.expected = r->lo;
		r->v.md = EVP_MD_CTX_new();
		r->v.sha256 = NULL;
		if (r->v.md == NULL) {
			err_set(err, _("out of memory"));
			goto out;
		}
		/* Each thread its own digest context; the fetched method is
		 * shared (read only). */
		r->v.sha256 = v.sha256;
		while (r->v.next_cp < r->v.ncps && r->v.cps[r->v.next_cp].seq < r->lo) {
			r->v.last_cp_seq = r->v.cps[r->v.next_cp].seq;
			r->v.next_cp++;
		}
	}
	for (int i = 1; i < n; i++)
		started[i] = pthread_create(&threads[i], NULL, audit_range_run, &ranges[i]) == 0;
	audit_range_run(&ranges[0]);
	for (int i = 1; i < n; i++) {
		if (started[i])
			pthread_join(threads[i], NULL);
		else
			audit_range_run(&ranges[i]);
	}
	for (int i = 0; i < n; i++) {
		if (ranges[i].rc != 0) {
			*err = ranges[i].err;
			goto out;
		}
	}
	/* Merge: the first range with a problem has the first bad row. */
	for (int i = 0; i < n; i++) {
		const struct audit_verify_result *r = &ranges[i].res;

		res->rows += r->rows;
		res->bytes += r->bytes;
		res->checkpoints += r->checkpoints;
		if (ranges[i].v.done) {
			res->problem = r->problem;
			res->bad_seq = r->bad_seq;
			memcpy(res->why, r->why, sizeof(res->why));
			break;
		}
	}
	res->anchored = ranges[n - 1].res.anchored;
	res->head = ranges[n - 1].res.head;
	if (res->problem != AUDIT_INTACT)
		res->anchored = v.anchor_state == 1;
	rc = 0;
out:
	if (ranges != NULL)
		for (int i = 0; i < n; i++)
			EVP_MD_CTX_free(ranges[i].v.md);
	free(ranges);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	audit_verifier_free(&v);
	return rc;
}

/* ---- export and the bundle ---------------------------------------------- */

static int audit_write_hex(FILE *f, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++)
		if (putc(digits[b[i] >> 4], f) == EOF || putc(digits[b[i] & 15], f) == EOF)
			return -1;
	return 0;
}

int audit_export(struct store *st, const struct crypto_keyring *ring, const char *head_path,
		 const char *path, struct gt_err *err)
{
	struct audit_mark anchor;
	sqlite3_stmt *stmt = NULL;
	unsigned char *buf = NULL, last[AUDIT_HASH_BYTES], mac[AUDIT_HASH_BYTES];
	size_t cap = 0;
	long long rows = 0, ncps = 0;
	char hex[2 * AUDIT_HASH_BYTES + 1], hex2[2 * AUDIT_HASH_BYTES + 1];
	FILE *f = NULL;
	int fd, src, rc = -1, in_tx = 0, have_anchor = 0;

	if (ring == NULL || ring->n == 0)
		return err_set(err, _("no audit key: the bundle cannot be sealed"));
	if (head_path != NULL && head_path[0] != '\0') {
		int ar = audit_anchor_read(head_path, &anchor, err);

		if (ar < 0)
			return -1;
		have_anchor = ar == 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, _("%s: cannot create the bundle: %s"), path, strerror(errno));
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		err_set(err, _("%s: %s"), path, strerror(errno));
		goto out;
	}
	memset(last, 0, sizeof(last));
	src = sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		store_error(st, src, err, "audit export");
		goto out;
	}
	in_tx = 1;
	fprintf(f, AUDIT_BUNDLE_HEADER "\n# %s %s\n# source %s\n# exported %lld\n", PACKAGE_NAME,
		PACKAGE_VERSION, store_path(st), (long long)time(NULL));
	if (audit_prepare(st, "SELECT seq, at, key_id, hash, mac FROM audit_checkpoints "
			  "ORDER BY seq", &stmt, err) != 0)
		goto out;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		unsigned char h[AUDIT_HASH_BYTES], m[AUDIT_HASH_BYTES];

		audit_blob32(stmt, 3, h);
		audit_blob32(stmt, 4, m);
		audit_hex(h, hex);
		audit_hex(m, hex2);
		fprintf(f, "checkpoint %lld %lld %lld %s %s\n", (long long)sqlite3_column_int64(stmt, 0),
			(long long)sqlite3_column_int64(stmt, 1), (long long)sqlite3_column_int64(stmt, 2),
			hex, hex2);
		ncps++;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (src != SQLITE_DONE) {
		store_error(st, src, err, "audit export");
		goto out;
	}
	if (have_anchor) {
		audit_hex(anchor.hash, hex);
		audit_hex(anchor.mac, hex2);
		fprintf(f, "anchor %lld %" PRIu32 " %s %s\n", anchor.seq, anchor.key_id, hex, hex2);
	}
	if (audit_prepare(st, "SELECT seq, at, terminal, operator, action, app_no, detail, "
			  "prev_hash, hash FROM audit ORDER BY seq", &stmt, err) != 0)
		goto out;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *text[AUDIT_TEXT_FIELDS];
		size_t len[AUDIT_TEXT_FIELDS], need = AUDIT_CANON_FIXED, n;
		unsigned char prev[AUDIT_HASH_BYTES];

		for (int i = 0; i < AUDIT_TEXT_FIELDS; i++) {
			text[i] = (const char *)sqlite3_column_blob(stmt, 2 + i);
			len[i] = (size_t)sqlite3_column_bytes(stmt, 2 + i);
			need += 4 + len[i];
		}
		if (need > cap) {
			unsigned char *p = realloc(buf, need);

			if (p == NULL) {
				err_set(err, _("out of memory"));
				goto out;
			}
			buf = p;
			cap = need;
		}
		/* Exported as stored, right or wrong: the bundle is evidence
		 * and its verification says what the database's would. */
		audit_blob32(stmt, 7, prev);
		audit_blob32(stmt, 8, last);
		n = audit_encode(prev, sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1),
				 text, len, buf);
		fputs("row ", f);
		audit_write_hex(f, buf, n);
		putc(' ', f);
		audit_write_hex(f, last, AUDIT_HASH_BYTES);
		putc('\n', f);
		rows++;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (src != SQLITE_DONE) {
		store_error(st, src, err, "audit export");
		goto out;
	}
	if (audit_end_mac(ring->keys[ring->n - 1], rows, ncps, have_anchor ? anchor.seq : 0,
			  ring->ids[ring->n - 1], last, mac) != 0) {
		err_set(err, _("cannot compute the bundle MAC"));
		goto out;
	}
	audit_hex(last, hex);
	audit_hex(mac, hex2);
	fprintf(f, "end %lld %lld %lld %s %" PRIu32 " %s\n", rows, ncps,
		have_anchor ? anchor.seq : 0, hex, ring->ids[ring->n - 1], hex2);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		err_set(err, _("%s: cannot write the bundle: %s"), path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (in_tx)
		sqlite3_exec(store_db(st), "COMMIT", NULL, NULL, NULL);
	if (f != NULL && fclose(f) != 0 && rc == 0)
		rc = err_set(err, _("%s: cannot write the bundle: %s"), path, strerror(errno));
	if (rc != 0)
		unlink(path);
	free(buf);
	return rc;
}

/* Parse canonical bytes back into seq and prev_hash (the texts are only
 * hashed). 0 when well formed. */
static int audit_parse_canonical(const unsigned char *c, size_t n, long long *seq,
				 unsigned char prev[AUDIT_HASH_BYTES])
{
	size_t off = AUDIT_CANON_FIXED;

	if (n < AUDIT_CANON_FIXED || memcmp(c + AUDIT_HASH_BYTES, AUDIT_MAGIC_ROW, 4) != 0)
		return -1;
	memcpy(prev, c, AUDIT_HASH_BYTES);
	*seq = (long long)audit_get64(c + AUDIT_HASH_BYTES + 4);
	for (int i = 0; i < AUDIT_TEXT_FIELDS; i++) {
		uint32_t len;

		if (n - off < 4)
			return -1;
		len = audit_get32(c + off);
		off += 4;
		if (n - off < len)
			return -1;
		off += len;
	}
	return off == n ? 0 : -1;
}

/* Split a line into at most max space-separated words in place. */
static size_t audit_words(char *line, char **w, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \n", &save); t != NULL && n < max;
	     t = strtok_r(NULL, " \n", &save))
		w[n++] = t;
	return n;
}

static int audit_hex32(const char *s, unsigned char out[AUDIT_HASH_BYTES])
{
	return strlen(s) == 2 * AUDIT_HASH_BYTES && crypto_unhex(s, out, AUDIT_HASH_BYTES) == 0 ? 0 : -1;
}

static int audit_number(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' ? 0 : -1;
}

int audit_verify_bundle(const char *path, const struct crypto_keyring *ring,
			struct audit_verify_result *res, struct gt_err *err)
{
	struct audit_verifier v;
	FILE *f = NULL;
	char *line = NULL, *w[8];
	size_t linecap = 0, nw;
	unsigned char *canon = NULL;
	size_t canoncap = 0;
	long long lineno = 0, ncps = 0;
	int rc = -1, rows_started = 0, ended = 0;
	ssize_t got;

	if (audit_verifier_init(&v, ring, res, err) != 0)
		goto out;
	f = fopen(path, "r");
	if (f == NULL) {
		err_set(err, _("%s: %s"), path, strerror(errno));
		goto out;
	}
	while (!v.done && (got = getline(&line, &linecap, f)) >= 0) {
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, AUDIT_BUNDLE_HEADER "\n") != 0) {
				err_set(err, _("%s is not a guitai audit bundle"), path);
				goto out;
			}
			continue;
		}
		if (line[0] == '#')
			continue;
		if (ended) {
			audit_bad(&v, AUDIT_BAD_BUNDLE, v.expected,
				  _("line %lld: text after the end line"), lineno);
			break;
		}
		nw = audit_words(line, w, 8);
		if (nw == 6 && strcmp(w[0], "checkpoint") == 0 && !rows_started) {
			struct audit_mark m;
			long long key_id;

			if (audit_number(w[1], &m.seq) != 0 || audit_number(w[2], &m.at) != 0 ||
			    audit_number(w[3], &key_id) != 0 || key_id <= 0 || key_id > UINT32_MAX ||
			    audit_hex32(w[4], m.hash) != 0 || audit_hex32(w[5], m.mac) != 0) {
				audit_bad(&v, AUDIT_BAD_BUNDLE, 0, _("line %lld: malformed checkpoint"),
					  lineno);
				break;
			}
			m.key_id = (uint32_t)key_id;
			if (audit_verifier_add_cp(&v, &m, err) != 0)
				goto out;
			ncps++;
		} else if (nw == 5 && strcmp(w[0], "anchor") == 0 && !rows_started &&
			   v.anchor_state == 0) {
			long long key_id;

			if (audit_number(w[1], &v.anchor.seq) != 0 || audit_number(w[2], &key_id) != 0 ||
			    key_id <= 0 || key_id > UINT32_MAX || audit_hex32(w[3], v.anchor.hash) != 0 ||
			    audit_hex32(w[4], v.anchor.mac) != 0) {
				audit_bad(&v, AUDIT_BAD_BUNDLE, 0, _("line %lld: malformed anchor"), lineno);
				break;
			}
			v.anchor.key_id = (uint32_t)key_id;
			v.anchor_state = 1;
		} else if (nw == 3 && strcmp(w[0], "row") == 0) {
			size_t hexlen = strlen(w[1]), n = hexlen / 2;
			unsigned char prev[AUDIT_HASH_BYTES], hash[AUDIT_HASH_BYTES];
			long long seq;

			if (!rows_started) {
				audit_verifier_ready(&v);
				rows_started = 1;
			}
			if (n > canoncap) {
				unsigned char *p = realloc(canon, n);

				if (p == NULL) {
					err_set(err, _("out of memory"));
					goto out;
				}
				canon = p;
				canoncap = n;
			}
			if (hexlen % 2 != 0 || crypto_unhex(w[1], canon, n) != 0 ||
			    audit_parse_canonical(canon, n, &seq, prev) != 0 ||
			    audit_hex32(w[2], hash) != 0) {
				audit_bad(&v, AUDIT_BAD_BUNDLE, v.expected,
					  _("line %lld: malformed row"), lineno);
				break;
			}
			audit_verifier_row(&v, seq, canon, n, prev, hash);
		} else if (nw == 7 && strcmp(w[0], "end") == 0) {
			long long rows, cps, aseq, key_id;
			unsigned char last[AUDIT_HASH_BYTES], mac[AUDIT_HASH_BYTES], want[AUDIT_HASH_BYTES];
			const unsigned char *key;

			if (!rows_started) {
				audit_verifier_ready(&v);
				rows_started = 1;
			}
			ended = 1;
			if (audit_number(w[1], &rows) != 0 || audit_number(w[2], &cps) != 0 ||
			    audit_number(w[3], &aseq) != 0 || audit_hex32(w[4], last) != 0 ||
			    audit_number(w[5], &key_id) != 0 || key_id <= 0 || key_id > UINT32_MAX ||
			    audit_hex32(w[6], mac) != 0) {
				audit_bad(&v, AUDIT_BAD_BUNDLE, v.expected,
					  _("line %lld: malformed end line"), lineno);
				break;
			}
			key = ring ? crypto_keyring_find(ring, (uint32_t)key_id) : NULL;
			if (key == NULL ||
			    audit_end_mac(key, rows, cps, aseq, (uint32_t)key_id, last, want) != 0 ||
			    !audit_mac_equal(want, mac)) {
				audit_bad(&v, AUDIT_BAD_BUNDLE, v.expected,
					  _("the bundle's end line does not verify with the audit key "
					    "(forged, or the wrong key)"));
				break;
			}
			if (rows != v.expected - 1 || cps != ncps ||
			    aseq != (v.anchor_state ? v.anchor.seq : 0) ||
			    memcmp(last, v.prev_hash, AUDIT_HASH_BYTES) != 0) {
				audit_bad(&v, AUDIT_TRUNCATED, v.expected,
					  _("the bundle was cut or altered: its end line counts %lld rows "
					    "and %lld checkpoints"), rows, cps);
				break;
			}
		} else {
			audit_bad(&v, AUDIT_BAD_BUNDLE, v.expected,
				  _("line %lld: not a bundle line (or out of place)"), lineno);
			break;
		}
	}
	if (ferror(f)) {
		err_set(err, _("%s: %s"), path, strerror(errno));
		goto out;
	}
	if (lineno == 0) {
		err_set(err, _("%s is not a guitai audit bundle"), path);
		goto out;
	}
	if (!rows_started)
		audit_verifier_ready(&v);
	audit_verifier_finish(&v);
	if (!v.done && !ended)
		audit_bad(&v, AUDIT_BAD_BUNDLE, v.expected,
			  _("the bundle has no end line (cut short)"));
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	free(line);
	free(canon);
	audit_verifier_free(&v);
	return rc;
}

/* ---- listing -------------------------------------------------------------- */

int audit_list(struct store *st, long long after, long long max,
	       int (*cb)(void *arg, const struct audit_row *row), void *arg, struct gt_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int src;

	if (audit_prepare(st, "SELECT seq, at, terminal, operator, action, app_no, detail, "
			  "prev_hash, hash FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
			  &stmt, err) != 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int64(stmt, 2, max);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct audit_row r;

		r.seq = sqlite3_column_int64(stmt, 0);
		r.at = sqlite3_column_int64(stmt, 1);
		r.terminal = (const char *)sqlite3_column_text(stmt, 2);
		r.operator_name = (const char *)sqlite3_column_text(stmt, 3);
		r.action = (const char *)sqlite3_column_text(stmt, 4);
		r.app_no = (const char *)sqlite3_column_text(stmt, 5);
		r.detail = (const char *)sqlite3_column_text(stmt, 6);
		audit_blob32(stmt, 7, r.prev_hash);
		audit_blob32(stmt, 8, r.hash);
		if (cb(arg, &r) != 0) {
			src = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(stmt);
	return src == SQLITE_DONE ? 0 : store_error(st, src, err, "audit list");
}
