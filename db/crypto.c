/* Keyring, AES-256-GCM sealing and scrypt password hashing; see crypto.h.
 *
 * Key file format: one key per line, "ID:HEX64". The last line is the key
 * new values are sealed with; older lines stay so old values still open
 * after a rotation. Sealed layout: version(1) | key id(4, BE) | nonce(12) |
 * ciphertext | tag(16). */
#include "config.h"
#include "db/crypto.h"
#include "util/i18n.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define CRYPTO_SEAL_VERSION 1
#define CRYPTO_SCRYPT_N 16384
#define CRYPTO_SCRYPT_R 8
#define CRYPTO_SCRYPT_P 1

static int crypto_hex_decode(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + j];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v |= (unsigned)(c - 'A' + 10);
			else
				return -1;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

static void crypto_hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int crypto_random(void *buf, size_t len)
{
	unsigned char *at = buf;

	while (len > 0) {
		ssize_t n = getrandom(at, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		at += n;
		len -= (size_t)n;
	}
	return 0;
}

static int crypto_keyring_create(const char *path, struct gt_err *err)
{
	unsigned char key[CRYPTO_KEY_BYTES];
	char line[16 + 2 * CRYPTO_KEY_BYTES];
	int fd, rc = -1;
	ssize_t len;

	if (crypto_random(key, sizeof(key)) != 0)
		return err_set(err, _("cannot get random bytes for a new key"));
	memcpy(line, "1:", 2);
	crypto_hex_encode(key, sizeof(key), line + 2);
	len = (ssize_t)strlen(line);
	line[len++] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(err, _("%s: cannot create key file: %s"), path, strerror(errno));
		goto out;
	}
	if (write(fd, line, (size_t)len) != len || fsync(fd) != 0) {
		err_set(err, _("%s: cannot write key file: %s"), path, strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	str_wipe(key, sizeof(key));
	str_wipe(line, sizeof(line));
	return rc;
}

static int crypto_keyring_read(struct crypto_keyring *ring, const char *path, int create,
			       struct gt_err *err)
{
	char buf[CRYPTO_MAX_KEYS * 80 + 1];
	struct stat st;
	ssize_t got;
	int fd, rc = -1;
	char *line, *save = NULL;

	memset(ring, 0, sizeof(*ring));
	if (stat(path, &st) != 0) {
		if (errno != ENOENT || !create)
			return err_set(err, _("%s: %s"), path, strerror(errno));
		if (crypto_keyring_create(path, err) != 0)
			return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, _("%s: cannot open key file: %s"), path, strerror(errno));
	if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
		err_set(err, _("%s: key file must be readable by its owner only (chmod 600)"), path);
		goto out;
	}
	got = read(fd, buf, sizeof(buf) - 1);
	if (got < 0) {
		err_set(err, _("%s: cannot read key file: %s"), path, strerror(errno));
		goto out;
	}
	buf[got] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		unsigned long id;

		if (colon == NULL || strlen(colon + 1) != 2 * CRYPTO_KEY_BYTES ||
		    ring->n == CRYPTO_MAX_KEYS) {
			err_set(err, _("%s: malformed key file"), path);
			goto out;
		}
		id = strtoul(line, NULL, 10);
		if (id == 0 || id > UINT32_MAX ||
		    crypto_hex_decode(colon + 1, ring->keys[ring->n], CRYPTO_KEY_BYTES) != 0) {
			err_set(err, _("%s: malformed key file"), path);
			goto out;
		}
		ring->ids[ring->n++] = (uint32_t)id;
	}
	if (ring->n == 0) {
		err_set(err, _("%s: key file holds no key"), path);
		goto out;
	}
	rc = 0;
out:
	str_wipe(buf, sizeof(buf));
	close(fd);
	if (rc != 0)
		crypto_keyring_wipe(ring);
	return rc;
}

int crypto_keyring_load(struct crypto_keyring *ring, const char *path, struct gt_err *err)
{
	return crypto_keyring_read(ring, path, 1, err);
}

int crypto_keyring_load_existing(struct crypto_keyring *ring, const char *path,
				 struct gt_err *err)
{
	return crypto_keyring_read(ring, path, 0, err);
}

const unsigned char *crypto_keyring_find(const struct crypto_keyring *ring, uint32_t id)
{
	for (size_t i = 0; i < ring->n; i++)
		if (ring->ids[i] == id)
			return ring->keys[i];
	return NULL;
}

void crypto_keyring_wipe(struct crypto_keyring *ring)
{
	str_wipe(ring, sizeof(*ring));
}

int crypto_sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32 ? 0 : -1;
}

int crypto_hmac_sha256(const unsigned char *key, size_t keylen, const void *data, size_t len,
		       unsigned char out[32])
{
	unsigned int outlen = 32;

	return HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &outlen) != NULL &&
	       outlen == 32 ? 0 : -1;
}

void crypto_hex(const unsigned char *in, size_t n, char *out)
{
	crypto_hex_encode(in, n, out);
}

int crypto_unhex(const char *hex, unsigned char *out, size_t n)
{
	return crypto_hex_decode(hex, out, n);
}

int crypto_seal(const struct crypto_keyring *ring, const char *aad, const void *in,
		size_t len, unsigned char *out, size_t *out_len, struct gt_err *err)
{
	EVP_CIPHER_CTX *c = NULL;
	uint32_t id = ring->ids[ring->n - 1];
	unsigned char *nonce = out + 5, *ct = out + 17;
	int n, rc = -1;

	out[0] = CRYPTO_SEAL_VERSION;
	out[1] = (unsigned char)(id >> 24);
	out[2] = (unsigned char)(id >> 16);
	out[3] = (unsigned char)(id >> 8);
	out[4] = (unsigned char)id;
	if (crypto_random(nonce, 12) != 0)
		return err_set(err, _("cannot get random bytes"));
	c = EVP_CIPHER_CTX_new();
	if (c == NULL ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, ring->keys[ring->n - 1], nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) != 1 ||
	    EVP_EncryptUpdate(c, ct, &n, in, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, ct + len) != 1) {
		err_set(err, _("encryption failed"));
		goto out;
	}
	*out_len = len + CRYPTO_SEAL_OVERHEAD;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int crypto_open(const struct crypto_keyring *ring, const char *aad, const unsigned char *in,
		size_t len, void *out, size_t *out_len, struct gt_err *err)
{
	EVP_CIPHER_CTX *c = NULL;
	const unsigned char *key = NULL;
	size_t ctlen;
	uint32_t id;
	int n, rc = -1;

	if (len < CRYPTO_SEAL_OVERHEAD || in[0] != CRYPTO_SEAL_VERSION)
		return err_set(err, _("sealed value is malformed"));
	id = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];
	for (size_t i = 0; i < ring->n; i++)
		if (ring->ids[i] == id)
			key = ring->keys[i];
	if (key == NULL)
		return err_set(err, _("sealed with key %u, which is not in the key file"), id);
	ctlen = len - CRYPTO_SEAL_OVERHEAD;
	c = EVP_CIPHER_CTX_new();
	if (c == NULL ||
	    EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, in + 5) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) != 1 ||
	    EVP_DecryptUpdate(c, out, &n, in + 17, (int)ctlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)(in + 17 + ctlen)) != 1 ||
	    EVP_DecryptFinal_ex(c, (unsigned char *)out + n, &n) != 1) {
		str_wipe(out, ctlen);
		err_set(err, _("sealed value does not verify (wrong key or altered data)"));
		goto out;
	}
	*out_len = ctlen;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

static int crypto_scrypt(const char *password, const unsigned char *salt, size_t saltlen,
			 uint64_t N, uint32_t r, uint32_t p, unsigned char *out, size_t outlen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[6], *q = params;
	int rc = -1;

	if (kdf == NULL)
		return -1;
	kctx = EVP_KDF_CTX_new(kdf);
	if (kctx == NULL)
		goto out;
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)password,
						 strlen(password));
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &N);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	*q = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, outlen, params) == 1)
		rc = 0;
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return rc;
}

int crypto_password_hash(const char *password, char *out, size_t size, struct gt_err *err)
{
	unsigned char salt[16], hash[32];
	char salthex[33], hashhex[65];
	int rc = -1;

	if (crypto_random(salt, sizeof(salt)) != 0)
		return err_set(err, _("cannot get random bytes"));
	if (crypto_scrypt(password, salt, sizeof(salt), CRYPTO_SCRYPT_N, CRYPTO_SCRYPT_R,
			  CRYPTO_SCRYPT_P, hash, sizeof(hash)) != 0) {
		err_set(err, _("scrypt is not available in this OpenSSL"));
		goto out;
	}
	crypto_hex_encode(salt, sizeof(salt), salthex);
	crypto_hex_encode(hash, sizeof(hash), hashhex);
	snprintf(out, size, "scrypt$%d$%d$%d$%s$%s", CRYPTO_SCRYPT_N, CRYPTO_SCRYPT_R,
		 CRYPTO_SCRYPT_P, salthex, hashhex);
	rc = 0;
out:
	str_wipe(hash, sizeof(hash));
	return rc;
}

int crypto_password_verify(const char *password, const char *stored)
{
	unsigned char salt[16], want[32], got[32];
	unsigned long N, r, p;
	char salthex[33], hashhex[65];
	int rc;

	if (sscanf(stored, "scrypt$%lu$%lu$%lu$%32[0-9a-f]$%64[0-9a-f]", &N, &r, &p, salthex,
		   hashhex) != 5 || strlen(salthex) != 32 || strlen(hashhex) != 64 ||
	    N < 2 || N > (1UL << 20) || r == 0 || r > 32 || p == 0 || p > 16)
		return -1;
	crypto_hex_decode(salthex, salt, sizeof(salt));
	crypto_hex_decode(hashhex, want, sizeof(want));
	if (crypto_scrypt(password, salt, sizeof(salt), N, (uint32_t)r, (uint32_t)p, got,
			  sizeof(got)) != 0)
		return -1;
	rc = CRYPTO_memcmp(got, want, sizeof(got)) == 0;
	str_wipe(got, sizeof(got));
	return rc;
}
