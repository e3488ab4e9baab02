/* The audit trail: an append-only, hash-chained table of everything done at
 * the counter, with keyed checkpoints, an anchor file outside the database,
 * verification that names the first bad row, and an export bundle that
 * verifies on another machine without the database.
 *
 * Row hash: hash = SHA-256(canonical bytes), and the canonical bytes start
 * with the previous row's hash, so hash = SHA-256(prev_hash || row):
 *
 *   prev_hash (32) | "GTA1" | seq (8, BE) | at (8, BE, two's complement) |
 *   terminal | operator | action | app_no | detail
 *
 * each text as a 4-byte big-endian length followed by its UTF-8 bytes, so
 * no two rows can collide by moving text from one field to the next. The
 * first row's prev_hash is 32 zero bytes.
 *
 * Stored (schema 7 on): audit (seq INTEGER PRIMARY KEY, rec BLOB), rec
 * being the canonical bytes followed by the row's hash, so a row is
 * exactly what was hashed and verify reads one value per row. The seq
 * inside rec must be the row's seq.
 *
 * Checkpoints (every N rows, and on demand at settlement) are chained MACs
 * under the audit key (a key file of its own, db/crypto.h format):
 *
 *   mac = HMAC-SHA-256(key, "GTC1" | seq (8) | at (8) | key id (4) | hash |
 *                            previous checkpoint's mac (32; zeros first))
 *
 * Inside the database anything can be rewritten by someone who drops the
 * triggers; what they cannot do without the key is make a new MAC. So a
 * rewrite of rows up to a checkpoint is caught by the checkpoint, and the
 * head anchor file (the latest seq and hash, MACed, written after each
 * commit outside the database) catches rows cut off the end or rewritten
 * after the last checkpoint. */
#ifndef GUITAI_AUDIT_H
#define GUITAI_AUDIT_H

#include <stddef.h>
#include "util/err.h"

struct store;
struct crypto_keyring;

#define AUDIT_HASH_BYTES 32
#define AUDIT_CHECKPOINT_EVERY 1000
#define AUDIT_DETAIL_MAX 1024
#define AUDIT_ACTION_MAX 32

/* Who is writing and with what key; built by the flow for each append. */
struct audit_ctx {
	const char *terminal;
	const char *operator_name;
	const struct crypto_keyring *ring;  /* the audit key: the last key MACs */
	unsigned checkpoint_every;          /* 0 = AUDIT_CHECKPOINT_EVERY */
	const char *head_path;              /* anchor file; NULL = none */
};

/* One row as stored. */
struct audit_row {
	long long seq;
	long long at;
	const char *terminal;
	const char *operator_name;
	const char *action;
	const char *app_no;
	const char *detail;
	unsigned char prev_hash[AUDIT_HASH_BYTES];
	unsigned char hash[AUDIT_HASH_BYTES];
};

/* Append one row (and a checkpoint when seq is a multiple of N). action is
 * a short code ("login.ok", "app.step"); app_no and detail may be NULL or
 * "". detail must be UTF-8 without control characters and must never hold
 * a PIN, password or unmasked personal number: callers mask them.
 *
 * Outside a transaction the append commits on its own and then updates the
 * head anchor. Inside one (store_begin) it joins it, so the audited change
 * and its row commit together or not at all; the caller then calls
 * audit_anchor() after its commit. Either way: when this fails, the action
 * must not happen. */
int audit_append(struct store *st, const struct audit_ctx *ac, const char *action,
		 const char *app_no, const char *detail, struct gt_err *err);

/* After a commit that held appends: move the head anchor forward. The
 * anchor never moves back and is never overwritten when the row it names
 * is no longer in the table as it was (that is evidence). */
int audit_anchor(struct store *st, const struct audit_ctx *ac, struct gt_err *err);

struct audit_head {
	long long seq;   /* 0 when the trail is empty */
	unsigned char hash[AUDIT_HASH_BYTES];
};

/* The last row's seq and hash (for reports: the settlement prints it). */
int audit_head(struct store *st, struct audit_head *out, struct gt_err *err);
/* A keyed checkpoint at the current head, now (settlement). When the head
 * already has one, nothing is added. out may be NULL. */
int audit_checkpoint(struct store *st, const struct audit_ctx *ac, struct audit_head *out,
		     struct gt_err *err);

/* The detail of the most recent row with action "config.load" (""
 * when none), so a configuration is recorded when it changes. */
int audit_last_config(struct store *st, char *detail, size_t size, struct gt_err *err);

enum audit_problem {
	AUDIT_INTACT,
	AUDIT_MODIFIED,        /* a row's content does not match its hash */
	AUDIT_DELETED,         /* a gap in seq */
	AUDIT_REORDERED,       /* a row's prev_hash is not the previous row's hash */
	AUDIT_TRUNCATED,       /* rows missing at the end (checkpoint or anchor beyond) */
	AUDIT_REWRITTEN,       /* rows re-hashed: a checkpoint or the anchor disagrees */
	AUDIT_BAD_CHECKPOINT,  /* a checkpoint's MAC does not verify */
	AUDIT_BAD_ANCHOR,      /* the anchor file's MAC does not verify */
	AUDIT_BAD_BUNDLE,      /* a bundle line is malformed, or its end is missing/forged */
};

struct audit_verify_result {
	enum audit_problem problem;
	long long bad_seq;          /* first bad row; 0 when intact */
	char why[400];              /* translated sentence */
	long long rows;             /* rows read */
	long long checkpoints;      /* checkpoints verified */
	int anchored;               /* 1 when a head anchor was checked */
	struct audit_head head;
	unsigned long long bytes;   /* canonical bytes hashed */
};

/* Check the whole trail: rows, checkpoints (with `ring`, the audit key),
 * and the anchor file at head_path when it exists (NULL: none). Returns 0
 * when the check ran (res says intact or what is wrong), -1 when it could
 * not (database error) with err set. */
int audit_verify(struct store *st, const struct crypto_keyring *ring, const char *head_path,
		 struct audit_verify_result *res, struct gt_err *err);

/* The same, with the rows split into `ranges` parts checked side by side
 * (0: one per processor when the trail is long enough); for tests of the
 * seams between parts. */
int audit_verify_split(struct store *st, const struct crypto_keyring *ring, const char *head_path,
		       int ranges, struct audit_verify_result *res, struct gt_err *err);

/* Write a bundle: a text file with the checkpoints, the anchor, every row
 * as canonical bytes in hex with its hash, and an end line MACed under the
 * audit key. Created 0600 (it holds the trail); an existing file is
 * refused. */
int audit_export(struct store *st, const struct crypto_keyring *ring, const char *head_path,
		 const char *path, struct gt_err *err);
/* Verify a bundle with the audit key, without any database. */
int audit_verify_bundle(const char *path, const struct crypto_keyring *ring,
			struct audit_verify_result *res, struct gt_err *err);

/* The rows with seq > after, oldest first, at most max; cb returns non-zero
 * to stop. For `guitai audit list`. */
int audit_list(struct store *st, long long after, long long max,
	       int (*cb)(void *arg, const struct audit_row *row), void *arg, struct gt_err *err);
/* The number of rows (the head seq). */
int audit_count(struct store *st, long long *n, struct gt_err *err);
/* The number of keyed checkpoints. */
int audit_checkpoint_count(struct store *st, long long *n, struct gt_err *err);

/* The canonical bytes of a row into out (which must hold audit_canonical_size
 * bytes) and its hash; for generators and tests. */
size_t audit_canonical_size(const struct audit_row *r);
size_t audit_canonical(const struct audit_row *r, unsigned char *out);
int audit_row_hash(const struct audit_row *r, unsigned char hash[AUDIT_HASH_BYTES]);
/* The row as stored (rec): out must hold audit_canonical_size +
 * AUDIT_HASH_BYTES bytes; sets r->hash and *len. */
int audit_record(struct audit_row *r, unsigned char *out, size_t *len);

/* The bytes that mark a "config.load" row inside rec (the action's length,
 * then the text), as an SQL literal: the partial index audit_config
 * (db/store.c) and audit_last_config must use the very same expression. */
#define AUDIT_CONFIG_PATTERN "X'0000000B636F6E6669672E6C6F6164'"

struct sqlite3;
/* SQL functions the store's migrations use (guitai_audit_rec, which turns
 * the columns of schema 5 into rec); registered on each store connection. */
int audit_sql_functions(struct sqlite3 *db);

/* Hex of a hash (65 bytes with the NUL). */
void audit_hex(const unsigned char hash[AUDIT_HASH_BYTES], char out[2 * AUDIT_HASH_BYTES + 1]);

#endif
