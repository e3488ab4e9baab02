/* The audit trail's export bundle: written from the database, verified
 * without it (on the back office's machine, with the audit key alone).
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
#include "db/audit_int.h"
#include "db/crypto.h"
#include "db/store.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define AUDIT_BUNDLE_HEADER "guitai-audit-bundle 1"
#define AUDIT_MAGIC_END "GTE1"

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
	unsigned char last[AUDIT_HASH_BYTES], mac[AUDIT_HASH_BYTES];
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
	if (audit_prepare(st, "SELECT rec FROM audit ORDER BY seq", &stmt, err) != 0)
		goto out;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *rec = sqlite3_column_blob(stmt, 0);
		size_t n = (size_t)sqlite3_column_bytes(stmt, 0);

		/* Exported as stored, right or wrong: the bundle is evidence
		 * and its verification says what the database's would. */
		if (rec != NULL && n >= AUDIT_HASH_BYTES) {
			n -= AUDIT_HASH_BYTES;
			memcpy(last, rec + n, AUDIT_HASH_BYTES);
		} else {
			memset(last, 0, AUDIT_HASH_BYTES);
		}
		fputs("row ", f);
		audit_write_hex(f, rec, rec ? n : 0);
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
	return rc;
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
			unsigned char hash[AUDIT_HASH_BYTES];
			struct audit_canon c;

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
			    audit_hex32(w[2], hash) != 0) {
				audit_bad(&v, AUDIT_BAD_BUNDLE, v.expected,
					  _("line %lld: malformed row"), lineno);
				break;
			}
			/* The row names its seq; bytes that are not a row are
			 * taken where the next row should be, and reported as
			 * the database's verify would report them. */
			audit_verifier_row(&v, audit_canon_parse(canon, n, &c) == 0 ? c.seq : v.expected,
					   canon, n, hash);
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

