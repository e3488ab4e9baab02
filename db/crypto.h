/* Secrets at rest: the PII keyring (AES-256-GCM sealing of records that hold
 * personal data, with a key id stored beside each value so keys can rotate),
 * and operator password hashing (scrypt through OpenSSL's EVP_KDF). */
#ifndef GUITAI_CRYPTO_H
#define GUITAI_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

#define CRYPTO_KEY_BYTES 32
#define CRYPTO_MAX_KEYS 16
#define CRYPTO_SEAL_OVERHEAD (1 + 4 + 12 + 16)

struct crypto_keyring {
	uint32_t ids[CRYPTO_MAX_KEYS];
	unsigned char keys[CRYPTO_MAX_KEYS][CRYPTO_KEY_BYTES];
	size_t n;   /* the last key seals; all keys open */
};

/* Load the key file; create it (0600, one fresh key) when missing. A file
 * readable by group or others is refused: it guards every ID number. */
int crypto_keyring_load(struct crypto_keyring *ring, const char *path, struct gt_err *err);
void crypto_keyring_wipe(struct crypto_keyring *ring);
/* The same, but a missing file is an error rather than a new key: for a
 * key named on the command line, where a fresh key would verify nothing. */
int crypto_keyring_load_existing(struct crypto_keyring *ring, const char *path,
				 struct gt_err *err);
/* The key with this id, or NULL. */
const unsigned char *crypto_keyring_find(const struct crypto_keyring *ring, uint32_t id);

/* SHA-256 of data into out (32 bytes). */
/* len bytes from the kernel's generator (getrandom(2)): keys, nonces,
 * salts, ids. Not OpenSSL's DRBG, whose set-up on first use cost ~0.8 ms
 * of every process that stores an application. 0 or -1. */
int crypto_random(void *buf, size_t len);

int crypto_sha256(const void *data, size_t len, unsigned char out[32]);
/* HMAC-SHA-256 of data under key into out (32 bytes). */
int crypto_hmac_sha256(const unsigned char *key, size_t keylen, const void *data, size_t len,
		       unsigned char out[32]);
/* Lower-case hex of n bytes into out (2n+1 bytes); and back (0, or -1 on a
 * character that is not hex). */
void crypto_hex(const unsigned char *in, size_t n, char *out);
int crypto_unhex(const char *hex, unsigned char *out, size_t n);

/* out must hold len + CRYPTO_SEAL_OVERHEAD bytes. `aad` binds the sealed
 * bytes to their row (e.g. the application number) so rows cannot be
 * swapped unnoticed. */
int crypto_seal(const struct crypto_keyring *ring, const char *aad, const void *in,
		size_t len, unsigned char *out, size_t *out_len, struct gt_err *err);
/* out must hold len bytes; fails on a wrong key, tampering or swapped row. */
int crypto_open(const struct crypto_keyring *ring, const char *aad, const unsigned char *in,
		size_t len, void *out, size_t *out_len, struct gt_err *err);

/* "scrypt$N$r$p$salt$hash" (hex). */
int crypto_password_hash(const char *password, char *out, size_t size, struct gt_err *err);
/* 1 match, 0 mismatch, -1 error (malformed stored hash). Constant time. */
int crypto_password_verify(const char *password, const char *stored);

#endif
