/* SO-PIN derivation; see sopin.h. The first key of the ring derives (not
 * the newest, as sealing uses): adding a key must not change the SO-PIN of
 * keys already issued. */
#include "config.h"
#include "token/sopin.h"
#include "util/str.h"

#include <stdio.h>
#include <string.h>

int sopin_load(struct crypto_keyring *ring, const char *path, struct gt_err *err)
{
	return crypto_keyring_load(ring, path, err);
}

static int sopin_derive(const struct crypto_keyring *ring, const char *tag, const char *what,
			char *out)
{
	unsigned char mac[32];
	char msg[128], hex[65];
	int n;

	if (ring->n == 0)
		return -1;
	n = snprintf(msg, sizeof(msg), "%s|%s", tag, what);
	if (n < 0 || (size_t)n >= sizeof(msg) ||
	    crypto_hmac_sha256(ring->keys[0], CRYPTO_KEY_BYTES, msg, (size_t)n, mac) != 0)
		return -1;
	crypto_hex(mac, SOPIN_CHARS / 2, hex);
	memcpy(out, hex, SOPIN_CHARS);
	out[SOPIN_CHARS] = '\0';
	str_wipe(mac, sizeof(mac));
	str_wipe(hex, sizeof(hex));
	return 0;
}

int sopin_for_serial(const struct crypto_keyring *ring, const char *serial, char *out)
{
	return sopin_derive(ring, "guitai-so", serial, out);
}

int sopin_for_app(const struct crypto_keyring *ring, const char *app_no, char *out)
{
	return sopin_derive(ring, "guitai-so-pre", app_no, out);
}
