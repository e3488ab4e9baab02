/* SO-PINs derived from the site master key: SO-PIN = HMAC-SHA-256(master
 * key, "guitai-so|" serial), 16 hex characters, so any key this site
 * initialised can be unlocked later without a per-key secret stored
 * anywhere. A key whose serial is only known after C_InitToken (SoftHSM2)
 * is first initialised under a PIN derived from the application number
 * ("guitai-so-pre|" app_no), then moved to its serial's SO-PIN: a crash in
 * between is recoverable because both PINs can be derived again. */
#ifndef GUITAI_TOKEN_SOPIN_H
#define GUITAI_TOKEN_SOPIN_H

#include "db/crypto.h"
#include "util/err.h"

#define SOPIN_CHARS 16

/* The master key file (created 0600 with one fresh key when missing). */
int sopin_load(struct crypto_keyring *ring, const char *path, struct gt_err *err);
/* out holds SOPIN_CHARS + 1; wipe it after use. */
int sopin_for_serial(const struct crypto_keyring *ring, const char *serial, char *out);
int sopin_for_app(const struct crypto_keyring *ring, const char *app_no, char *out);

#endif
