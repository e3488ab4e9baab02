/* Verifying the audit trail: the checks every row goes through (shared
 * with the bundle's verification), and the database's rows split into
 * ranges checked side by side, one thread and one SQLite connection each. */
#include "config.h"
#include "db/audit.h"
#include "db/audit_int.h"
#include "db/crypto.h"
#include "db/store.h"
#include "util/i18n.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void audit_bad(struct audit_verifier *v, enum audit_problem p, long long seq,
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

int audit_verifier_init(struct audit_verifier *v, const struct crypto_keyring *ring,
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

void audit_verifier_free(struct audit_verifier *v)
{
	EVP_MD_CTX_free(v->md);
	EVP_MD_free(v->sha256);
	free(v->cps);
}

int audit_verifier_add_cp(struct audit_verifier *v, const struct audit_mark *m,
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
void audit_verifier_ready(struct audit_verifier *v)
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

void audit_verifier_row(struct audit_verifier *v, long long seq, const unsigned char *canon,
			size_t len, const unsigned char *prev_hash, const unsigned char *hash)
{
	unsigned char h[AUDIT_HASH_BYTES];
	int hashed = v->done ? 0 : audit_digest(v->md, v->sha256, canon, len, h);

	audit_verifier_check(v, seq, len, prev_hash, hash, h, hashed);
}

void audit_verifier_finish(struct audit_verifier *v)
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

