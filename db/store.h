/* The local SQLite store: schema and migrations (PRAGMA user_version),
 * application numbers, applications (drafts and submitted), operators.
 * Every statement is prepared with bound parameters. Records holding
 * personal data are stored sealed (db/crypto.h); the columns kept in clear
 * are the ones searched and listed: number, status, organisation, USCC. */
#ifndef GUITAI_STORE_H
#define GUITAI_STORE_H

#include <stddef.h>
#include "util/err.h"
#include "model/app.h"

struct store;
struct crypto_keyring;

#define STORE_SCHEMA_VERSION 7

/* Open (creating and migrating as needed). A damaged file, a file that is
 * not a database or one from a newer guitai gives a clear message naming
 * the file; a read-only file opens, and the first save says it cannot be
 * written (so what is on screen can still be looked at). */
int store_open(const char *path, struct store **out, struct gt_err *err);
void store_close(struct store *st);
int store_schema_version(struct store *st);

/* One transaction around several writes (BEGIN IMMEDIATE ... COMMIT), so
 * that e.g. a saved step and its audit row commit together or not at all.
 * Rolling back outside a transaction does nothing. */
struct sqlite3_stmt;
/* A statement kept prepared for the connection's life: the audit row,
 * the journal row, BEGIN and COMMIT are otherwise parsed again at every
 * use (~40,000 instructions each, a dozen times an issuance). sql must
 * be a string literal: its address is the key. Give it back with
 * store_stmt_done (reset, bindings cleared), never sqlite3_finalize. */
int store_stmt(struct store *st, const char *sql, struct sqlite3_stmt **out,
	       struct gt_err *err);
void store_stmt_done(struct store *st, struct sqlite3_stmt *stmt);

int store_begin(struct store *st, struct gt_err *err);
int store_commit(struct store *st, struct gt_err *err);
void store_rollback(struct store *st);

/* For the db/ modules that keep tables of their own (db/audit.c): the
 * SQLite handle, the file name, and the store's sentence for a failure. */
struct sqlite3;
struct sqlite3 *store_db(struct store *st);
const char *store_path(struct store *st);
int store_error(struct store *st, int rc, struct gt_err *err, const char *what);

/* "T01-20261121-0001": unique per terminal and day, allocated in one
 * transaction so two processes never share a number: the caller's when
 * one is open (the number is then taken only if it commits), else its
 * own. */
int store_next_app_no(struct store *st, const char *terminal, int ymd, char *out,
		      size_t size, struct gt_err *err);

int store_app_save(struct store *st, const struct crypto_keyring *ring,
		   const struct application *app, const char *terminal, struct gt_err *err);
/* 0 loaded, 1 no such application, -1 error. */
int store_app_load(struct store *st, const struct crypto_keyring *ring, const char *app_no,
		   struct application *app, struct gt_err *err);

struct store_app_summary {
	char app_no[APP_NO_MAX];
	char status[16];
	char service[16];
	int step;
	char org_name[APP_VALUE_MAX];
	char uscc[24];
	char operator_name[64];
	long long updated_at;
};

/* Newest first. status and terminal may be NULL (any). */
int store_app_list(struct store *st, const char *status, const char *terminal,
		   struct store_app_summary *out, size_t max, size_t *n, struct gt_err *err);

/* The raw photo an ID-card read gave for a person of an application
 * (sealed like the record; person is "legal_rep" or "handler"). Saving
 * again replaces it. */
int store_card_photo_save(struct store *st, const struct crypto_keyring *ring,
			  const char *app_no, const char *person, long long read_at,
			  const unsigned char *photo, size_t len, struct gt_err *err);
/* 0 loaded (*len set), 1 none, -1 error. buf must hold `size` bytes. */
int store_card_photo_load(struct store *st, const struct crypto_keyring *ring,
			  const char *app_no, const char *person, unsigned char *buf,
			  size_t size, size_t *len, struct gt_err *err);

struct store_operator {
	char name[64];
	char role[16];
	char pw_hash[160];
	int disabled;
	int failures;
	long long locked_until;
};

int store_operator_add(struct store *st, const char *name, const char *role,
		       const char *pw_hash, long long now, struct gt_err *err);
/* 0 found, 1 no such operator, -1 error. */
int store_operator_get(struct store *st, const char *name, struct store_operator *op,
		       struct gt_err *err);
int store_operator_set_failures(struct store *st, const char *name, int failures,
				long long locked_until, struct gt_err *err);
int store_operator_count(struct store *st, size_t *n, struct gt_err *err);
int store_operator_list(struct store *st, struct store_operator *out, size_t max, size_t *n,
			struct gt_err *err);
/* A new password hash (failures and lock cleared); enable or disable. Both
 * fail naming the operator when there is none. */
int store_operator_set_password(struct store *st, const char *name, const char *pw_hash,
				struct gt_err *err);
int store_operator_set_disabled(struct store *st, const char *name, int disabled,
				struct gt_err *err);

/* How many sealed values (application records, card photos) the database
 * holds: with any, a missing key file must not be replaced by a new key. */
int store_sealed_count(struct store *st, long long *n, struct gt_err *err);

#endif
