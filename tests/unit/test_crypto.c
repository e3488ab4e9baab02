/* Unit tests for secrets at rest: the keyring file (created 0600, refused
 * when others can read it, malformed), AES-GCM sealing (round trip,
 * tampering, wrong row, unknown key) and scrypt password hashes. Each test
 * works in its own temporary directory. */
#include "config.h"
#include "testutil.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "db/crypto.h"

#define KEY1 "1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
#define KEY2 "2:A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF\n"

struct tmp {
	char dir[256];
	char path[512];
};

static int make_tmp(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	if (tu_tmpdir(t->dir, sizeof(t->dir), "crypto") != 0) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/pii.key", t->dir);
	*state = t;
	return 0;
}

static int remove_tmp(void **state)
{
	struct tmp *t = *state;
	int rc = tu_rmtree(t->dir);

	free(t);
	return rc;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_keyring_created(void **state)
{
	struct tmp *t = *state;
	struct crypto_keyring ring, again;
	struct gt_err err;
	struct stat st;

	assert_int_equal(crypto_keyring_load(&ring, t->path, &err), 0);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ring.n, 1);
	assert_int_equal(ring.ids[0], 1);
	/* A second load reads the same key instead of making another. */
	assert_int_equal(crypto_keyring_load(&again, t->path, &err), 0);
	assert_int_equal(again.n, 1);
	assert_memory_equal(again.keys[0], ring.keys[0], CRYPTO_KEY_BYTES);
	crypto_keyring_wipe(&ring);
	crypto_keyring_wipe(&again);
	assert_int_equal(ring.n, 0);
}

static void test_keyring_permissions(void **state)
{
	struct tmp *t = *state;
	struct crypto_keyring ring;
	struct gt_err err;

	write_file(t->path, KEY1, 0644);
	assert_int_equal(crypto_keyring_load(&ring, t->path, &err), -1);
	assert_non_null(strstr(err.msg, t->path));
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_int_equal(ring.n, 0);
	assert_int_equal(chmod(t->path, 0640), 0);
	assert_int_equal(crypto_keyring_load(&ring, t->path, &err), -1);
	assert_int_equal(chmod(t->path, 0600), 0);
	assert_int_equal(crypto_keyring_load(&ring, t->path, &err), 0);
	assert_int_equal(ring.ids[0], 1);
	assert_int_equal(ring.keys[0][31], 0x1f);
	crypto_keyring_wipe(&ring);
}

static void test_keyring_malformed(void **state)
{
	static const char *const bad[] = {
		"1:abcd\n",
		"0:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		"x:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		"1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1eZZ\n",
		"1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
	};
	struct tmp *t = *state;
	struct crypto_keyring ring;
	struct gt_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(t->path, bad[i], 0600);
		assert_int_equal(crypto_keyring_load(&ring, t->path, &err), -1);
		assert_non_null(strstr(err.msg, "malformed"));
	}
	write_file(t->path, "", 0600);
	assert_int_equal(crypto_keyring_load(&ring, t->path, &err), -1);
	assert_non_null(strstr(err.msg, "no key"));
	/* A directory where the file should be is not a key file. */
	assert_int_equal(unlink(t->path), 0);
	assert_int_equal(mkdir(t->path, 0700), 0);
	assert_int_equal(crypto_keyring_load(&ring, t->path, &err), -1);
}

static void test_seal_open(void **state)
{
	static const char text[] = "[handler]\nname = 李四\nid_number = 44030519900101123X\n";
	struct tmp *t = *state;
	struct crypto_keyring ring;
	struct gt_err err;
	unsigned char a[sizeof(text) + CRYPTO_SEAL_OVERHEAD], b[sizeof(a)];
	char back[sizeof(text)];
	size_t alen, blen, len;

	assert_int_equal(crypto_keyring_load(&ring, t->path, &err), 0);
	assert_int_equal(crypto_seal(&ring, "T01-20261121-0001", text, strlen(text), a, &alen,
				     &err), 0);
	assert_int_equal(alen, strlen(text) + CRYPTO_SEAL_OVERHEAD);
	assert_null(memmem(a, alen, "44030519900101123X", 18));
	assert_null(memmem(a, alen, "李四", strlen("李四")));
	/* A fresh nonce each time: the same text never seals the same. */
	assert_int_equal(crypto_seal(&ring, "T01-20261121-0001", text, strlen(text), b, &blen,
				     &err), 0);
	assert_int_equal(blen, alen);
	assert_memory_not_equal(a, b, alen);

	memset(back, 0, sizeof(back));
	assert_int_equal(crypto_open(&ring, "T01-20261121-0001", a, alen, back, &len, &err), 0);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(back, text, len);
	assert_int_equal(crypto_open(&ring, "T01-20261121-0001", b, blen, back, &len, &err), 0);
	assert_memory_equal(back, text, len);

	/* Empty values seal too. */
	assert_int_equal(crypto_seal(&ring, "", "", 0, a, &alen, &err), 0);
	assert_int_equal(alen, CRYPTO_SEAL_OVERHEAD);
	assert_int_equal(crypto_open(&ring, "", a, alen, back, &len, &err), 0);
	assert_int_equal(len, 0);
	crypto_keyring_wipe(&ring);
}

static void test_open_refuses(void **state)
{
	static const char text[] = "mobile = 13800138000\n";
	struct tmp *t = *state;
	struct crypto_keyring ring, other;
	struct gt_err err;
	unsigned char sealed[sizeof(text) + CRYPTO_SEAL_OVERHEAD], bad[sizeof(sealed)];
	char back[sizeof(text)];
	size_t slen, len;
	const char *aad = "T01-20261121-0002";

	write_file(t->path, KEY1, 0600);
	assert_int_equal(crypto_keyring_load(&ring, t->path, &err), 0);
	assert_int_equal(crypto_seal(&ring, aad, text, strlen(text), sealed, &slen, &err), 0);

	/* Any changed byte after the header: nonce, ciphertext, tag. */
	for (size_t i = 5; i < slen; i++) {
		memcpy(bad, sealed, slen);
		bad[i] ^= 0x01;
		if (crypto_open(&ring, aad, bad, slen, back, &len, &err) != -1)
			fail_msg("byte %zu changed and still opened", i);
		assert_non_null(strstr(err.msg, "does not verify"));
	}
	/* Swapped row. */
	assert_int_equal(crypto_open(&ring, "T01-20261121-0003", sealed, slen, back, &len, &err), -1);
	assert_int_equal(crypto_open(&ring, "", sealed, slen, back, &len, &err), -1);
	/* Cut short, or a version byte this code does not know. */
	assert_int_equal(crypto_open(&ring, aad, sealed, slen - 1, back, &len, &err), -1);
	assert_int_equal(crypto_open(&ring, aad, sealed, CRYPTO_SEAL_OVERHEAD - 1, back, &len, &err), -1);
	assert_non_null(strstr(err.msg, "malformed"));
	memcpy(bad, sealed, slen);
	bad[0] = 2;
	assert_int_equal(crypto_open(&ring, aad, bad, slen, back, &len, &err), -1);
	assert_non_null(strstr(err.msg, "malformed"));
	/* A key id the ring does not hold. */
	memcpy(bad, sealed, slen);
	bad[4] = 7;
	assert_int_equal(crypto_open(&ring, aad, bad, slen, back, &len, &err), -1);
	assert_non_null(strstr(err.msg, "key 7"));
	/* Another key under the same id. */
	write_file(t->path, KEY2, 0600);
	assert_int_equal(crypto_keyring_load(&other, t->path, &err), 0);
	other.ids[0] = 1;
	assert_int_equal(crypto_open(&other, aad, sealed, slen, back, &len, &err), -1);
	crypto_keyring_wipe(&ring);
	crypto_keyring_wipe(&other);
}

static void test_rotation(void **state)
{
	static const char text[] = "email = lisi@example.com\n";
	struct tmp *t = *state;
	struct crypto_keyring old, both;
	struct gt_err err;
	unsigned char s1[sizeof(text) + CRYPTO_SEAL_OVERHEAD], s2[sizeof(s1)];
	char back[sizeof(text)];
	size_t l1, l2, len;

	write_file(t->path, KEY1, 0600);
	assert_int_equal(crypto_keyring_load(&old, t->path, &err), 0);
	assert_int_equal(crypto_seal(&old, "A", text, strlen(text), s1, &l1, &err), 0);
	write_file(t->path, KEY1 KEY2, 0600);
	assert_int_equal(crypto_keyring_load(&both, t->path, &err), 0);
	assert_int_equal(both.n, 2);
	/* The last key seals; the old one still opens. */
	assert_int_equal(crypto_seal(&both, "A", text, strlen(text), s2, &l2, &err), 0);
	assert_int_equal(s2[4], 2);
	assert_int_equal(crypto_open(&both, "A", s1, l1, back, &len, &err), 0);
	assert_memory_equal(back, text, len);
	assert_int_equal(crypto_open(&both, "A", s2, l2, back, &len, &err), 0);
	assert_int_equal(crypto_open(&old, "A", s2, l2, back, &len, &err), -1);
	assert_non_null(strstr(err.msg, "key 2"));
	crypto_keyring_wipe(&old);
	crypto_keyring_wipe(&both);
}

static void test_password(void **state)
{
	char h1[160], h2[160], bad[200];
	struct gt_err err;

	(void)state;
	assert_int_equal(crypto_password_hash("correct horse 柜台", h1, sizeof(h1), &err), 0);
	assert_int_equal(strncmp(h1, "scrypt$16384$8$1$", 17), 0);
	assert_int_equal(strlen(h1), 17 + 32 + 1 + 64);
	assert_null(strstr(h1, "correct"));
	assert_int_equal(crypto_password_verify("correct horse 柜台", h1), 1);
	assert_int_equal(crypto_password_verify("correct horse 柜", h1), 0);
	assert_int_equal(crypto_password_verify("", h1), 0);
	/* Salted: the same password hashes differently. */
	assert_int_equal(crypto_password_hash("correct horse 柜台", h2, sizeof(h2), &err), 0);
	assert_string_not_equal(h1, h2);
	assert_int_equal(crypto_password_verify("correct horse 柜台", h2), 1);

	/* Malformed stored hashes are errors, not mismatches. */
	assert_int_equal(crypto_password_verify("x", ""), -1);
	assert_int_equal(crypto_password_verify("x", "md5$abc"), -1);
	assert_int_equal(crypto_password_verify("x", "scrypt$16384$8$1$0011$0011"), -1);
	memcpy(bad, h1, strlen(h1) + 1);
	bad[strlen(bad) - 1] = '\0';
	assert_int_equal(crypto_password_verify("correct horse 柜台", bad), -1);
	snprintf(bad, sizeof(bad), "scrypt$1$8$1$%s", h1 + 17);
	assert_int_equal(crypto_password_verify("correct horse 柜台", bad), -1);
	snprintf(bad, sizeof(bad), "scrypt$16384$0$1$%s", h1 + 17);
	assert_int_equal(crypto_password_verify("correct horse 柜台", bad), -1);
	snprintf(bad, sizeof(bad), "scrypt$16384$8$99$%s", h1 + 17);
	assert_int_equal(crypto_password_verify("correct horse 柜台", bad), -1);
	snprintf(bad, sizeof(bad), "scrypt$4194304$8$1$%s", h1 + 17);
	assert_int_equal(crypto_password_verify("correct horse 柜台", bad), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keyring_created, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_keyring_permissions, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_keyring_malformed, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_seal_open, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_open_refuses, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_rotation, make_tmp, remove_tmp),
		cmocka_unit_test(test_password),
	};
	return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
