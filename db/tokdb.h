/* The tables of key personalisation (schema 5): the certificates the CA
 * issued (ca_certs: the built-in CA's register, and what an external
 * helper returned), and the personalisation journal (token_journal), one
 * row before and one after each step, append-only, so a crash at any
 * point leaves a trail that says what was done and what was not. Neither
 * table ever holds a PIN, an SO-PIN or a private key. */
#ifndef GUITAI_TOKDB_H
#define GUITAI_TOKDB_H

#include <stddef.h>
#include "util/err.h"
#include "model/app.h"

struct store;

#define TOKDB_DER_MAX 8192

struct tokdb_cert {
	char serial[80];          /* hex, upper case */
	char app_no[APP_NO_MAX];
	char backend[16];         /* builtin | helper */
	char subject[512];        /* one-line RFC 2253 */
	long long not_before, not_after, issued_at, revoked_at;
	int reason;               /* CRL reason code when revoked */
	char status[12];          /* valid | revoked */
	char spki_sha256[65];     /* hex: matches a key on a token to its cert */
	unsigned char der[TOKDB_DER_MAX];
	size_t der_len;
};

int tokdb_cert_insert(struct store *st, const struct tokdb_cert *c, struct gt_err *err);
/* 0 found, 1 none, -1 error. */
int tokdb_cert_get(struct store *st, const char *serial, struct tokdb_cert *c,
		   struct gt_err *err);
/* Certificates of an application, oldest first. */
int tokdb_cert_by_app(struct store *st, const char *app_no, struct tokdb_cert *out,
		      size_t max, size_t *n, struct gt_err *err);
/* All revoked certificates of a backend (for the CRL), oldest first. */
int tokdb_cert_revoked(struct store *st, const char *backend, struct tokdb_cert *out,
		       size_t max, size_t *n, struct gt_err *err);
/* 0 revoked now, 1 no such certificate or already revoked, -1 error. */
int tokdb_cert_revoke(struct store *st, const char *serial, int reason, long long at,
		      struct gt_err *err);

enum tokdb_phase { TOKDB_BEGIN, TOKDB_DONE, TOKDB_FAILED };

struct tokdb_row {
	long long id;
	char app_no[APP_NO_MAX];
	int attempt;
	char step[24];
	enum tokdb_phase phase;
	long long at;
	char token_serial[40];
	char key_id[80];          /* hex CKA_ID */
	char cert_serial[80];
	char detail[256];         /* never a PIN */
};

int tokdb_journal_append(struct store *st, const struct tokdb_row *row, struct gt_err *err);
/* Rows of one application, oldest first (at most max; *n set). */
int tokdb_journal_list(struct store *st, const char *app_no, struct tokdb_row *out,
		       size_t max, size_t *n, struct gt_err *err);
/* The latest personalisation attempt of an application (0: none): every
 * attempt that gets as far sets the key's PIN anew. */
int tokdb_journal_last_attempt(struct store *st, const char *app_no, int *attempt,
			       struct gt_err *err);
/* Applications whose journal does not end in a finished state (step
 * "finish" or "rollback" done): what a resume must look at. */
int tokdb_journal_open_apps(struct store *st, char (*out)[APP_NO_MAX], size_t max, size_t *n,
			    struct gt_err *err);

#endif
