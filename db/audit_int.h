/* What the audit trail's files (audit.c, audit_verify.c, audit_bundle.c)
 * share and nothing else uses: the magic strings, the canonical encoding,
 * the MACs, the anchor file, and the verifier that checks rows read from
 * the database or from a bundle. The formats are described in audit.h and
 * at the top of each file. */
#ifndef GUITAI_AUDIT_INT_H
#define GUITAI_AUDIT_INT_H

#include <openssl/evp.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include "db/audit.h"

#define AUDIT_MAGIC_ROW "GTA1"
#define AUDIT_MAGIC_CHECKPOINT "GTC1"
#define AUDIT_MAGIC_HEAD "GTH1"
#define AUDIT_HEAD_HEADER "guitai-audit-head 1"
#define AUDIT_TEXT_FIELDS 5

/* The fixed part of the canonical bytes: prev_hash, magic, seq, at. */
#define AUDIT_CANON_FIXED (AUDIT_HASH_BYTES + 4 + 8 + 8)

/* A row as stored in audit.rec: its canonical bytes, then its hash. The
 * shortest: the fixed part, five empty texts, the hash. */
#define AUDIT_REC_MIN (AUDIT_CANON_FIXED + 4 * AUDIT_TEXT_FIELDS + AUDIT_HASH_BYTES)

/* Canonical bytes taken apart; the texts point into them (not NUL
 * terminated) and prev_hash is their first AUDIT_HASH_BYTES. */
struct audit_canon {
	long long seq;
	long long at;
	const char *text[AUDIT_TEXT_FIELDS];
	size_t len[AUDIT_TEXT_FIELDS];
};

/* A checkpoint or the anchor as read back. */
struct audit_mark {
	long long seq;
	long long at;
	uint32_t key_id;
	unsigned char hash[AUDIT_HASH_BYTES];
	unsigned char mac[AUDIT_HASH_BYTES];
};

/* Big-endian integers in the canonical bytes and the MAC inputs. */
static inline unsigned char *audit_put64(unsigned char *p, unsigned long long v)
{
	for (int i = 7; i >= 0; i--)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static inline unsigned char *audit_put32(unsigned char *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static inline unsigned long long audit_get64(const unsigned char *p)
{
	unsigned long long v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline uint32_t audit_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Canonical bytes from texts with explicit lengths (the verifier takes
 * them straight from SQLite, NULs and all). out must hold
 * AUDIT_CANON_FIXED + sum(4 + len). */
size_t audit_encode(const unsigned char *prev_hash, long long seq, long long at,
		    const char *const text[AUDIT_TEXT_FIELDS], const size_t len[AUDIT_TEXT_FIELDS],
		    unsigned char *out);

/* 0 when c is well formed: the magic, then five lengths whose texts end
 * exactly at n. */
int audit_canon_parse(const unsigned char *c, size_t n, struct audit_canon *out);

int audit_checkpoint_mac(const unsigned char *key, long long seq, long long at, uint32_t key_id,
			 const unsigned char *hash, const unsigned char *prev_mac,
			 unsigned char out[AUDIT_HASH_BYTES]);
/* A MAC check in constant time. */
int audit_mac_equal(const unsigned char *a, const unsigned char *b);

/* On the store's connection. */
int audit_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt, struct gt_err *err);
/* A 32-byte column; zeros when it is not 32 bytes. */
void audit_blob32(sqlite3_stmt *stmt, int col, unsigned char out[AUDIT_HASH_BYTES]);
/* The hash at the end of a rec column; zeros when it is too short. */
void audit_rec_hash(sqlite3_stmt *stmt, int col, unsigned char out[AUDIT_HASH_BYTES]);

/* The anchor file: 0 read, 1 no file, -1 unreadable or malformed. */
int audit_anchor_read(const char *path, struct audit_mark *m, struct gt_err *err);
/* 1 when its MAC verifies with a key of the ring (an unknown key id fails). */
int audit_anchor_mac_ok(const struct crypto_keyring *ring, const struct audit_mark *m);

/* The checks every row goes through, in order; audit_verify_split runs one
 * per range of rows, audit_verify_bundle one over the whole file. */
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
	EVP_MD_CTX *md;               /* with AUDIT_DIGEST_EVP only (audit_verify.c) */
	EVP_MD *sha256;
	int done;
};

int audit_verifier_init(struct audit_verifier *v, const struct crypto_keyring *ring,
			struct audit_verify_result *res, struct gt_err *err);
void audit_verifier_free(struct audit_verifier *v);
int audit_verifier_add_cp(struct audit_verifier *v, const struct audit_mark *m, struct gt_err *err);
/* Once every checkpoint (and the anchor) is in: check their MACs. */
void audit_verifier_ready(struct audit_verifier *v);
/* One row: seq is where it was found (the table's seq; the bundle's
 * rows carry none, so the seq inside them), canon its canonical bytes as
 * stored (they must say the same seq), hash the hash stored with them. */
void audit_verifier_row(struct audit_verifier *v, long long seq, const unsigned char *canon,
			size_t len, const unsigned char *hash);
/* After the last row: what the checkpoints and the anchor say of the end. */
void audit_verifier_finish(struct audit_verifier *v);
/* Record the first problem (later ones are ignored). */
void audit_bad(struct audit_verifier *v, enum audit_problem p, long long seq, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
