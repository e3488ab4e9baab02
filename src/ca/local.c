/* The built-in CA on OpenSSL; see ca.h. Its key (PEM, 0600) and
 * self-signed certificate sit in [ca] dir; the register of what it issued
 * is the ca_certs table of the counter's database. Profiles per
 * certificate type are a table here: the policy a CA would put in its CPS. */
#include "config.h"
#include "ca/ca.h"
#include "db/crypto.h"
#include "db/tokdb.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct ca_local {
	struct gt_ctx *ctx;
	EVP_PKEY *key;              /* read on first use (ca_local_ready) */
	X509 *cert;
	char key_path[PATH_MAX + 16];
};

struct ca_local_profile {
	const char *cert_type;
	const char *key_usage;
	const char *ext_key_usage;
	int uscc;               /* carry the organisation's USCC */
};

/* Organisation and organisation-person certificates both sign (log-in,
 * e-seal) and decipher (envelopes); both belong to the organisation, so
 * both carry its USCC. */
static const struct ca_local_profile ca_local_profiles[] = {
	{ "org", "critical,digitalSignature,nonRepudiation,keyEncipherment",
	  "clientAuth,emailProtection", 1 },
	{ "person", "critical,digitalSignature,nonRepudiation,keyEncipherment",
	  "clientAuth,emailProtection", 1 },
};

static int ca_local_ssl_err(struct gt_err *err, const char *what)
{
	char detail[256] = "";
	unsigned long e = ERR_get_error();

	if (e != 0)
		ERR_error_string_n(e, detail, sizeof(detail));
	ERR_clear_error();
	return err_set(err, _("CA: %s failed: %s"), what, detail);
}

static int ca_local_paths(const struct gt_ctx *ctx, char *key, char *crt, size_t size)
{
	if (snprintf(key, size, "%s/ca.key", ctx->cfg.ca_dir) >= (int)size ||
	    snprintf(crt, size, "%s/ca.crt", ctx->cfg.ca_dir) >= (int)size)
		return -1;
	return 0;
}

static int ca_local_add_ext(X509 *cert, X509 *issuer, int nid, const char *value,
			    struct gt_err *err)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL || !X509_add_ext(cert, ext, -1)) {
		X509_EXTENSION_free(ext);
		return ca_local_ssl_err(err, "extension");
	}
	X509_EXTENSION_free(ext);
	return 0;
}

/* The USCC as GM/T 0015's OrganizationCode: a PrintableString. */
static int ca_local_add_uscc(X509 *cert, const char *uscc, struct gt_err *err)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(CA_OID_USCC, 1);
	ASN1_PRINTABLESTRING *ps = ASN1_PRINTABLESTRING_new();
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	unsigned char *der = NULL;
	int len, rc = -1;

	if (obj == NULL || ps == NULL || os == NULL ||
	    !ASN1_STRING_set(ps, uscc, (int)strlen(uscc)) ||
	    (len = i2d_ASN1_PRINTABLESTRING(ps, &der)) <= 0 ||
	    !ASN1_OCTET_STRING_set(os, der, len) ||
	    (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) == NULL ||
	    !X509_add_ext(cert, ext, -1)) {
		ca_local_ssl_err(err, "USCC extension");
		goto cleanup;
	}
	rc = 0;
cleanup:
	X509_EXTENSION_free(ext);
	OPENSSL_free(der);
	ASN1_OCTET_STRING_free(os);
	ASN1_PRINTABLESTRING_free(ps);
	ASN1_OBJECT_free(obj);
	return rc;
}

/* 16 random bytes, positive and never zero (RFC 5280 4.1.2.2). */
static int ca_local_serial(X509 *cert)
{
	unsigned char b[16];
	BIGNUM *bn;
	int ok;

	if (crypto_random(b, sizeof(b)) != 0)
		return -1;
	b[0] = (unsigned char)((b[0] & 0x7F) | 0x40);
	bn = BN_bin2bn(b, sizeof(b), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

static int ca_local_write_file(const char *path, int mode, int (*write)(FILE *, void *),
			       void *obj, struct gt_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	FILE *f;
	int ok;

	if (fd < 0)
		return err_set(err, _("cannot create %s: %s"), path, strerror(errno));
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return err_set(err, _("cannot create %s: %s"), path, strerror(errno));
	}
	ok = write(f, obj);
	ok = fflush(f) == 0 && fsync(fd) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	return ok ? 0 : err_set(err, _("cannot write %s"), path);
}

static int ca_local_write_key(FILE *f, void *key)
{
	return PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
}

static int ca_local_write_cert(FILE *f, void *cert)
{
	return PEM_write_X509(f, cert);
}

int ca_local_init(struct gt_ctx *ctx, const char *name, int years, struct gt_err *err)
{
	char keyp[PATH_MAX + 16], crtp[PATH_MAX + 16];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	X509_NAME *dn;
	struct stat sb;
	int rc = -1;

	if (ca_local_paths(ctx, keyp, crtp, sizeof(keyp)) != 0)
		return err_set(err, _("path too long: %s"), ctx->cfg.ca_dir);
	if (stat(keyp, &sb) == 0 || stat(crtp, &sb) == 0)
		return err_set(err, _("a CA already exists in %s; it is never overwritten"),
			       ctx->cfg.ca_dir);
	if (mkdir(ctx->cfg.ca_dir, 0700) != 0 && errno != EEXIST)
		return err_set(err, _("cannot create directory %s: %s"), ctx->cfg.ca_dir,
			       strerror(errno));
	key = EVP_RSA_gen(3072);
	cert = X509_new();
	if (key == NULL || cert == NULL) {
		ca_local_ssl_err(err, "key generation");
		goto cleanup;
	}
	dn = X509_get_subject_name(cert);
	if (!X509_set_version(cert, 2) || ca_local_serial(cert) != 0 ||
	    !X509_NAME_add_entry_by_txt(dn, "C", MBSTRING_UTF8, (const unsigned char *)"CN", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(dn, "O", MBSTRING_UTF8,
					(const unsigned char *)(ctx->cfg.site_name[0] ?
					ctx->cfg.site_name : "guitai"), -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(dn, "CN", MBSTRING_UTF8, (const unsigned char *)name,
					-1, -1, 0) ||
	    !X509_set_issuer_name(cert, dn) ||
	    !X509_gmtime_adj(X509_getm_notBefore(cert), -300) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert), (long)years * 366 * 86400) ||
	    !X509_set_pubkey(cert, key)) {
		ca_local_ssl_err(err, "CA certificate");
		goto cleanup;
	}
	if (ca_local_add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0", err) ||
	    ca_local_add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign", err) ||
	    ca_local_add_ext(cert, cert, NID_subject_key_identifier, "hash", err))
		goto cleanup;
	if (X509_sign(cert, key, EVP_sha256()) <= 0) {
		ca_local_ssl_err(err, "sign CA certificate");
		goto cleanup;
	}
	if (ctx_audit(ctx, "ca.init", "", err, "built-in CA \"%s\" created in %s", name,
		      ctx->cfg.ca_dir) != 0)
		goto cleanup;
	if (ca_local_write_file(keyp, 0600, ca_local_write_key, key, err) != 0 ||
	    ca_local_write_file(crtp, 0644, ca_local_write_cert, cert, err) != 0) {
		unlink(keyp);
		goto cleanup;
	}
	log_msg("ca: built-in CA created in %s", ctx->cfg.ca_dir);
	rc = 0;
cleanup:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int ca_local_present(const struct gt_ctx *ctx, struct gt_err *err)
{
	char keyp[PATH_MAX + 16], crtp[PATH_MAX + 16];

	if (ca_local_paths(ctx, keyp, crtp, sizeof(keyp)) != 0)
		return err_set(err, _("path too long: %s"), ctx->cfg.ca_dir);
	if (access(crtp, R_OK) != 0)
		return err_set(err, _("no built-in CA in %s: run \"guitai ca init\" first"),
			       ctx->cfg.ca_dir);
	if (access(keyp, R_OK) != 0)
		return err_set(err, _("cannot read %s: %s"), keyp, strerror(errno));
	return 0;
}

/* The certificate now; the key only when something signs (decoding an
 * RSA-3072 PEM key is ~1 ms, and a personalisation reads it while the
 * key generates its pair). That the key file can be read is checked
 * here, so a missing key stops the work before a key is touched. */
int ca_local_open(struct gt_ctx *ctx, struct ca_local **out, struct gt_err *err)
{
	char crtp[PATH_MAX + 16];
	struct ca_local *loc = calloc(1, sizeof(*loc));
	FILE *f = NULL;

	if (loc == NULL)
		return err_set(err, _("out of memory"));
	loc->ctx = ctx;
	if (ca_local_present(ctx, err) != 0)
		goto fail;
	ca_local_paths(ctx, loc->key_path, crtp, sizeof(crtp));
	f = fopen(crtp, "r");
	if (f == NULL) {
		err_set(err, _("no built-in CA in %s: run \"guitai ca init\" first"), ctx->cfg.ca_dir);
		goto fail;
	}
	loc->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (loc->cert == NULL) {
		ca_local_ssl_err(err, "load CA certificate");
		goto fail;
	}
	*out = loc;
	return 0;
fail:
	ca_local_free(loc);
	return -1;
}

/* The key signs, and what it signs verifies with the certificate's key:
 * a key file that decodes but is damaged, or belongs to another
 * certificate, is found before anything is issued with it (a comparison
 * of the public halves, X509_check_private_key, proves neither). It
 * also sets up the key's Montgomery tables, shared by later signatures:
 * the first certificate signed is ~0.8 ms quicker when this ran ahead. */
static int ca_local_key_signs(EVP_PKEY *key, X509 *cert)
{
	static const unsigned char probe[] = "guitai CA key self-test";
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	ok = md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestSign(md, sig, &siglen, probe, sizeof(probe)) == 1;
	EVP_MD_CTX_free(md);
	md = ok ? EVP_MD_CTX_new() : NULL;
	ok = md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
						X509_get0_pubkey(cert)) == 1 &&
	     EVP_DigestVerify(md, sig, siglen, probe, sizeof(probe)) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

int ca_local_ready(struct ca_local *loc, struct gt_err *err)
{
	FILE *f;

	if (loc->key != NULL)
		return 0;
	f = fopen(loc->key_path, "r");
	if (f == NULL)
		return err_set(err, _("cannot read %s: %s"), loc->key_path, strerror(errno));
	loc->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (loc->key == NULL || !ca_local_key_signs(loc->key, loc->cert)) {
		EVP_PKEY_free(loc->key);
		loc->key = NULL;
		return ca_local_ssl_err(err, "load CA key and certificate");
	}
	return 0;
}

void ca_local_free(struct ca_local *loc)
{
	if (loc == NULL)
		return;
	EVP_PKEY_free(loc->key);
	X509_free(loc->cert);
	free(loc);
}

X509 *ca_local_cert(struct ca_local *loc)
{
	return loc->cert;
}

static const struct ca_local_profile *ca_local_profile(const char *cert_type)
{
	for (size_t i = 0; i < sizeof(ca_local_profiles) / sizeof(ca_local_profiles[0]); i++)
		if (strcmp(ca_local_profiles[i].cert_type, cert_type) == 0)
			return &ca_local_profiles[i];
	return NULL;
}

int ca_local_issue(struct ca_local *loc, const struct ca_request *req, X509 **out,
		   struct gt_err *err)
{
	const struct ca_local_profile *prof = ca_local_profile(req->cert_type);
	EVP_PKEY *pub = X509_REQ_get0_pubkey(req->csr);
	X509 *cert = NULL;
	int rc = -1;

	*out = NULL;
	if (prof == NULL)
		return err_set(err, _("CA: no profile for certificate type \"%s\""), req->cert_type);
	if (ca_local_ready(loc, err) != 0)
		return -1;
	if (req->term_years < 1 || req->term_years > 10)
		return err_set(err, _("CA: term of %d years is outside the profile"), req->term_years);
	/* The request must be signed by the key it names: proof that the
	 * key on the token made it. */
	if (pub == NULL || X509_REQ_verify(req->csr, pub) != 1) {
		ERR_clear_error();
		return err_set(err, "%s", _("CA: the request's signature does not verify"));
	}
	if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA || EVP_PKEY_get_bits(pub) < 2048)
		return err_set(err, "%s", _("CA: the profile takes RSA keys of 2048 bits or more"));
	cert = X509_new();
	if (cert == NULL || !X509_set_version(cert, 2) || ca_local_serial(cert) != 0 ||
	    !X509_set_subject_name(cert, X509_REQ_get_subject_name(req->csr)) ||
	    !X509_set_issuer_name(cert, X509_get_subject_name(loc->cert)) ||
	    !X509_gmtime_adj(X509_getm_notBefore(cert), -300) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert),
			     (long)req->term_years * 365 * 86400 + 86400L * (req->term_years / 4)) ||
	    !X509_set_pubkey(cert, pub)) {
		ca_local_ssl_err(err, "build certificate");
		goto cleanup;
	}
	if (ca_local_add_ext(cert, loc->cert, NID_basic_constraints, "critical,CA:FALSE", err) ||
	    ca_local_add_ext(cert, loc->cert, NID_key_usage, prof->key_usage, err) ||
	    ca_local_add_ext(cert, loc->cert, NID_ext_key_usage, prof->ext_key_usage, err) ||
	    ca_local_add_ext(cert, loc->cert, NID_subject_key_identifier, "hash", err) ||
	    ca_local_add_ext(cert, loc->cert, NID_authority_key_identifier, "keyid:always", err) ||
	    (prof->uscc && req->uscc != NULL && req->uscc[0] != '\0' &&
	     ca_local_add_uscc(cert, req->uscc, err)))
		goto cleanup;
	if (X509_sign(cert, loc->key, EVP_sha256()) <= 0) {
		ca_local_ssl_err(err, "sign certificate");
		goto cleanup;
	}
	if (ca_record(loc->ctx, "builtin", req, cert, err) != 0)
		goto cleanup;
	*out = cert;
	cert = NULL;
	rc = 0;
cleanup:
	X509_free(cert);
	return rc;
}

int ca_local_crl(struct ca_local *loc, const char *path, int days, struct gt_err *err)
{
	struct tokdb_cert *rows = calloc(4096, sizeof(*rows));
	X509_CRL *crl = X509_CRL_new();
	size_t n = 0;
	FILE *f = NULL;
	int rc = -1;

	if (rows == NULL || crl == NULL) {
		err_set(err, _("out of memory"));
		goto cleanup;
	}
	if (ca_local_ready(loc, err) != 0)
		goto cleanup;
	if (tokdb_cert_revoked(loc->ctx->store, "builtin", rows, 4096, &n, err) != 0)
		goto cleanup;
	if (!X509_CRL_set_version(crl, 1) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(loc->cert))) {
		ca_local_ssl_err(err, "CRL");
		goto cleanup;
	}
	{
		ASN1_TIME *now = ASN1_TIME_set(NULL, time(NULL));
		ASN1_TIME *next = ASN1_TIME_adj(NULL, time(NULL), days, 0);
		int ok = now && next && X509_CRL_set1_lastUpdate(crl, now) &&
			 X509_CRL_set1_nextUpdate(crl, next);

		ASN1_TIME_free(now);
		ASN1_TIME_free(next);
		if (!ok) {
			ca_local_ssl_err(err, "CRL");
			goto cleanup;
		}
	}
	for (size_t i = 0; i < n; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		BIGNUM *bn = NULL;
		ASN1_INTEGER *serial = NULL;
		ASN1_TIME *when = ASN1_TIME_set(NULL, (time_t)rows[i].revoked_at);
		ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();
		int ok = r && when && reason && BN_hex2bn(&bn, rows[i].serial) &&
			 (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
			 X509_REVOKED_set_serialNumber(r, serial) &&
			 X509_REVOKED_set_revocationDate(r, when) &&
			 ASN1_ENUMERATED_set(reason, rows[i].reason) &&
			 X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, reason, 0, 0) &&
			 X509_CRL_add0_revoked(crl, r);

		ASN1_ENUMERATED_free(reason);
		ASN1_TIME_free(when);
		ASN1_INTEGER_free(serial);
		BN_free(bn);
		if (!ok) {
			X509_REVOKED_free(r);
			ca_local_ssl_err(err, "CRL entry");
			goto cleanup;
		}
	}
	X509_CRL_sort(crl);
	if (X509_CRL_sign(crl, loc->key, EVP_sha256()) <= 0) {
		ca_local_ssl_err(err, "sign CRL");
		goto cleanup;
	}
	if (ctx_audit(loc->ctx, "ca.crl", "", err, "CRL with %zu entries, valid %d days", n,
		      days) != 0)
		goto cleanup;
	f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (f == NULL) {
		err_set(err, _("cannot create %s: %s"), path, strerror(errno));
		goto cleanup;
	}
	if (!PEM_write_X509_CRL(f, crl) || (f != stdout && fclose(f) != 0)) {
		f = NULL;
		err_set(err, _("cannot write %s"), path);
		goto cleanup;
	}
	f = NULL;
	rc = 0;
cleanup:
	if (f != NULL && f != stdout)
		fclose(f);
	X509_CRL_free(crl);
	free(rows);
	return rc;
}
