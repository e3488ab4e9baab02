/* Finding applications: by the columns kept in clear (application number,
 * USCC, organisation name) and by personal numbers through a keyed index.
 *
 * Personal numbers (ID numbers of the legal representative and the
 * handler, the handler's mobile) exist only inside the sealed record. For
 * exact-match search each is also indexed as
 *
 *   mac = first 16 bytes of HMAC-SHA-256(index key, kind ":" value)
 *   index key = HMAC-SHA-256(PII key, "guitai/pii-index/v1")
 *
 * with kind "id" for both people's ID numbers, "mobile" for the mobile and
 * "account" for the payer's bank card or account number (the record's, and
 * any a later payment of the application was taken with).
 * The index key is derived from each key of the PII key file: a record is
 * indexed under the newest key, and a search tries every key, so the index
 * keeps working across key rotation. Without the key file the index says
 * nothing about the numbers. */
#ifndef GUITAI_LOOKUP_H
#define GUITAI_LOOKUP_H

#include <stddef.h>
#include "util/err.h"
#include "model/app.h"
#include "db/store.h"

struct crypto_keyring;

#define LOOKUP_MAC_BYTES 16

enum lookup_kind {
	LOOKUP_APP_NO,
	LOOKUP_USCC,
	LOOKUP_NAME,     /* organisation name: exact, or names starting with it */
	LOOKUP_ID,       /* a person's ID number (keyed index) */
	LOOKUP_MOBILE,   /* the handler's mobile (keyed index) */
	LOOKUP_ACCOUNT,  /* the payer's card or bank account (keyed index) */
};

/* Replace the index rows of an application with its current values. Called
 * by store_app_save inside its savepoint. */
int lookup_index_app(struct store *st, const struct crypto_keyring *ring,
		     const struct application *app, struct gt_err *err);

/* Index one more value for an application under the newest key (a card
 * or account a later payment was taken with): `field` names the row's
 * origin ("payment:ID"); rows with such names survive lookup_index_app. */
int lookup_index_value(struct store *st, const struct crypto_keyring *ring, const char *app_no,
		       const char *field, const char *kind, const char *value, struct gt_err *err);

/* The mac of a value under the ring's key number `which` (0 = oldest). */
int lookup_mac(const struct crypto_keyring *ring, size_t which, const char *kind,
	       const char *value, unsigned char mac[LOOKUP_MAC_BYTES]);

/* Applications matching `value` (normalised by the caller: see
 * search_normalise in flow/search.h), newest first, at most max. */
int lookup_find(struct store *st, const struct crypto_keyring *ring, enum lookup_kind kind,
		const char *value, struct store_app_summary *out, size_t max, size_t *n,
		struct gt_err *err);

#endif
