/* Verifying the audit trail: the checks every row goes through (shared
 * with the bundle's verification), and the database's rows split into
 * chunks that one thread per processor takes in turn, each thread on a
 * SQLite connection of its own.
 *
 * The per-row digest uses SHA256_Init/Update/Final, deprecated since
 * OpenSSL 3.0 (see audit_digest); every other digest and MAC goes through
 * EVP. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "config.h"
#include "db/audit.h"
#include "db/audit_int.h"
#include "db/crypto.h"
#include "db/store.h"
#include "util/i18n.h"

#include <openssl/evp.h>
#include <openssl/opensslconf.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The SHA-256 of each row. OpenSSL 3.0's EVP_DigestInit_ex frees and
 * allocates its provider context on every call and looks for an engine:
 * 35 of the 235 ns a row costs on one core (perf, 1,000,000 rows of 118
 * bytes). SHA256_Init/Update/Final run the same assembly (SHA-NI where the
 * processor has it) without that. They are deprecated since 3.0 but built
 * by default; where OpenSSL is built without them, or with
 * -DAUDIT_DIGEST_EVP, EVP is used (the MD fetched once per verify). */
#if defined(OPENSSL_NO_DEPRECATED_3_0) && !defined(AUDIT_DIGEST_EVP)
#define AUDIT_DIGEST_EVP 1
#endif
#ifndef AUDIT_DIGEST_EVP
#include <openssl/sha.h>
#endif

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
#ifdef AUDIT_DIGEST_EVP
	v->md = EVP_MD_CTX_new();
	/* Fetched once: EVP_sha256() would be looked up again, under a lock,
	 * in every digest; verify makes one per row. */
	v->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (v->md == NULL || v->sha256 == NULL)
		return err_set(err, _("out of memory"));
#else
	(void)err;
#endif
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

static int audit_digest(struct audit_verifier *v, const unsigned char *p, size_t len,
			unsigned char out[AUDIT_HASH_BYTES])
{
#ifdef AUDIT_DIGEST_EVP
	unsigned int hl = 0;

	return EVP_DigestInit_ex(v->md, v->sha256, NULL) == 1 &&
	       EVP_DigestUpdate(v->md, p, len) == 1 && EVP_DigestFinal_ex(v->md, out, &hl) == 1 &&
	       hl == AUDIT_HASH_BYTES ? 0 : -1;
#else
	SHA256_CTX c;

	(void)v;
	return SHA256_Init(&c) == 1 && SHA256_Update(&c, p, len) == 1 &&
	       SHA256_Final(out, &c) == 1 ? 0 : -1;
#endif
}

void audit_verifier_row(struct audit_verifier *v, long long seq, const unsigned char *canon,
			size_t len, const unsigned char *hash)
{
	unsigned char h[AUDIT_HASH_BYTES];
	struct audit_canon c;

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
	/* The seq inside the bytes at its fixed place; whether the rest is
	 * well formed matters only when the hash does not match (bytes that
	 * hash to what the chain expects are the bytes that were written). */
	if (len < AUDIT_REC_MIN - AUDIT_HASH_BYTES) {
		audit_bad(v, AUDIT_MODIFIED, seq, _("row %lld was modified: its stored bytes are not "
						    "a well-formed row"), seq);
		return;
	}
	c.seq = (long long)audit_get64(canon + AUDIT_HASH_BYTES + 4);
	if (c.seq != seq) {
		audit_bad(v, AUDIT_REORDERED, seq, _("row %lld holds the content of row %lld (rows "
						     "reordered or renumbered)"), seq, c.seq);
		return;
	}
	/* The canonical bytes start with the previous row's hash. */
	if (memcmp(canon, v->prev_hash, AUDIT_HASH_BYTES) != 0) {
		if (seq == 1)
			audit_bad(v, AUDIT_REORDERED, seq, _("row 1 does not start the chain "
							     "(rows reordered, swapped or replaced)"));
		else
			audit_bad(v, AUDIT_REORDERED, seq,
				  _("row %lld does not follow row %lld: its previous hash differs "
				    "(rows reordered, swapped or replaced)"), seq, seq - 1);
		return;
	}
	if (audit_digest(v, canon, len, h) != 0 ||
	    memcmp(h, hash, AUDIT_HASH_BYTES) != 0) {
		if (audit_canon_parse(canon, len, &c) != 0)
			audit_bad(v, AUDIT_MODIFIED, seq, _("row %lld was modified: its stored bytes "
							    "are not a well-formed row"), seq);
		else
			audit_bad(v, AUDIT_MODIFIED, seq, _("row %lld was modified: its content does "
							    "not match its hash"), seq);
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

/* Verifying a database is split into ranges of rows ("chunks", of
 * AUDIT_CHUNK_ROWS or so) taken in turn by one thread per processor, each
 * thread on its own SQLite connection. Reading a row out of SQLite costs
 * about as much as hashing it; each thread does both. Small chunks handed
 * out in turn keep every thread busy to the end when the processors are
 * shared with other work (fixed halves would leave one waiting for the
 * other). Each chunk
 * starts from the stored hash of the row before it and the checkpoints
 * that fall in it; the first bad row of the first chunk that has one is
 * the answer, as a single pass would have found it. */
#define AUDIT_CHUNK_ROWS 50000
#define AUDIT_THREADS_MAX 8

struct audit_range {
	struct audit_verifier v;
	struct audit_verify_result res;
	long long lo, hi;
	int last;
};

/* What the threads share: the chunks, the next one to take, the first
 * that found a problem (chunks after it need not run), under a lock. */
struct audit_work {
	pthread_mutex_t lock;
	struct audit_range *ranges;
	int n;
	int next;
	int first_bad;
	const char *path;
};

/* The next chunk to check, or -1 when there is none left worth checking. */
static int audit_work_take(struct audit_work *work)
{
	int i;

	pthread_mutex_lock(&work->lock);
	i = work->next < work->n && work->next < work->first_bad ? work->next++ : -1;
	pthread_mutex_unlock(&work->lock);
	return i;
}

static void audit_work_bad(struct audit_work *work, int i)
{
	pthread_mutex_lock(&work->lock);
	if (i < work->first_bad)
		work->first_bad = i;
	pthread_mutex_unlock(&work->lock);
}

struct audit_worker {
	struct audit_work *work;
	int rc;
	struct gt_err err;
};

static int audit_vdb_fail(sqlite3 *db, const char *path, struct gt_err *err)
{
	return err_set(err, _("database %s: %s failed: %s"), path, "audit verify",
		       sqlite3_errmsg(db));
}

/* A connection of its own: its own read snapshot, without the store's
 * per-call mutex (a third of the time of a pass), and nothing it could
 * write. Pages are read, not mapped: on a trail in the page cache, read()
 * costs less per row (about 8 ns of 230) than faulting the mapping in and
 * tearing it down, and each page is read once, by one range. */
static int audit_vdb_open(const char *path, sqlite3 **db, struct gt_err *err)
{
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return audit_vdb_fail(*db, path, err);
	sqlite3_busy_timeout(*db, 5000);
	if (sqlite3_exec(*db, "PRAGMA query_only = 1; PRAGMA mmap_size = 0; BEGIN", NULL, NULL,
			 NULL) != SQLITE_OK)
		return audit_vdb_fail(*db, path, err);
	return 0;
}

/* One chunk, on the thread's connection and statements. */
static int audit_range_run(struct audit_range *r, sqlite3 *db, sqlite3_stmt *at,
			   sqlite3_stmt *rows, const char *path, struct gt_err *err)
{
	static const unsigned char none[AUDIT_HASH_BYTES];
	struct audit_verifier *v = &r->v;
	int src = SQLITE_DONE;

	if (r->lo > 1) {
		/* Where the chunk picks up the chain. A row missing here is
		 * reported by the chunk before. */
		sqlite3_reset(at);
		sqlite3_bind_int64(at, 1, r->lo - 1);
		if (sqlite3_step(at) == SQLITE_ROW)
			audit_rec_hash(at, 0, v->prev_hash);
	}
	sqlite3_reset(rows);
	sqlite3_bind_int64(rows, 1, r->lo);
	sqlite3_bind_int64(rows, 2, r->hi);
	/* One value a row, hashed where SQLite hands it over: nothing is
	 * copied or allocated here per row. */
	while (!v->done && (src = sqlite3_step(rows)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(rows, 0);
		const unsigned char *rec = sqlite3_column_blob(rows, 1);
		size_t n = (size_t)sqlite3_column_bytes(rows, 1);

		/* Too short to hold a hash: checked against none, and the
		 * bytes then fail as not well formed. */
		if (rec == NULL || n < AUDIT_HASH_BYTES)
			audit_verifier_row(v, seq, rec ? rec : none, rec ? n : 0, none);
		else
			audit_verifier_row(v, seq, rec, n - AUDIT_HASH_BYTES,
					   rec + n - AUDIT_HASH_BYTES);
	}
	if (!v->done && src != SQLITE_DONE)
		return audit_vdb_fail(db, path, err);
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
	return 0;
}

static void *audit_worker_run(void *arg)
{
	struct audit_worker *w = arg;
	struct audit_work *work = w->work;
	sqlite3 *db = NULL;
	sqlite3_stmt *at = NULL, *rows = NULL;

	w->rc = -1;
	if (audit_vdb_open(work->path, &db, &w->err) != 0)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT rec FROM audit WHERE seq = ?1", -1, &at,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT seq, rec FROM audit WHERE seq BETWEEN ?1 AND ?2 "
			       "ORDER BY seq", -1, &rows, NULL) != SQLITE_OK) {
		audit_vdb_fail(db, work->path, &w->err);
		goto out;
	}
	for (int i; (i = audit_work_take(work)) >= 0;) {
		if (audit_range_run(&work->ranges[i], db, at, rows, work->path, &w->err) != 0)
			goto out;
		if (work->ranges[i].v.done)
			audit_work_bad(work, i);
	}
	w->rc = 0;
out:
	sqlite3_finalize(at);
	sqlite3_finalize(rows);
	sqlite3_close(db);
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
	struct audit_work work;
	struct audit_worker workers[AUDIT_THREADS_MAX];
	pthread_t threads[AUDIT_THREADS_MAX];
	int started[AUDIT_THREADS_MAX] = { 0 };
	const char *path = store_path(st);
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	long long max_seq = 0;
	long cpus;
	int src, rc = -1, n = 1, nthreads = 1;

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

	/* Chunks: `split` of them when asked (the tests of the seams), else
	 * of about AUDIT_CHUNK_ROWS rows. Threads: one per processor, no more
	 * than there are chunks. */
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (split > 0)
		n = split;
	else
		n = (int)((max_seq + AUDIT_CHUNK_ROWS - 1) / AUDIT_CHUNK_ROWS);
	if (n > max_seq)
		n = (int)max_seq;
	if (n < 1)
		n = 1;
	nthreads = cpus < 1 ? 1 : cpus > AUDIT_THREADS_MAX ? AUDIT_THREADS_MAX : (int)cpus;
	if (nthreads > n)
		nthreads = n;
	ranges = calloc((size_t)n, sizeof(*ranges));
	if (ranges == NULL) {
		err_set(err, _("out of memory"));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct audit_range *r = &ranges[i];

		r->lo = i == 0 ? 1 : ranges[i - 1].hi + 1;
		r->hi = i == n - 1 ? max_seq : max_seq * (i + 1) / n;
		r->last = i == n - 1;
		r->v = v;
		r->v.res = &r->res;
		r->v.expected = r->lo;
#ifdef AUDIT_DIGEST_EVP
		/* Each chunk its own digest context; the fetched method is
		 * shared (read only). */
		r->v.md = EVP_MD_CTX_new();
		if (r->v.md == NULL) {
			err_set(err, _("out of memory"));
			goto out;
		}
#endif
		while (r->v.next_cp < r->v.ncps && r->v.cps[r->v.next_cp].seq < r->lo) {
			r->v.last_cp_seq = r->v.cps[r->v.next_cp].seq;
			r->v.next_cp++;
		}
	}
	if (pthread_mutex_init(&work.lock, NULL) != 0) {
		err_set(err, _("out of memory"));
		goto out;
	}
	work.ranges = ranges;
	work.n = n;
	work.next = 0;
	work.first_bad = n;
	work.path = path;
	for (int i = 0; i < nthreads; i++)
		workers[i].work = &work;
	for (int i = 1; i < nthreads; i++)
		started[i] = pthread_create(&threads[i], NULL, audit_worker_run, &workers[i]) == 0;
	/* This thread works too; a thread that could not start leaves its
	 * share to the others. */
	audit_worker_run(&workers[0]);
	for (int i = 1; i < nthreads; i++) {
		if (started[i])
			pthread_join(threads[i], NULL);
		else
			workers[i].rc = 0;
	}
	pthread_mutex_destroy(&work.lock);
	for (int i = 0; i < nthreads; i++) {
		if (workers[i].rc != 0) {
			*err = workers[i].err;
			goto out;
		}
	}
	/* Merge: the first chunk with a problem has the first bad row. */
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

