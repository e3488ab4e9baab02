/* The CA interface: picks the backend from [ca] backend and keeps what
 * both share — recording an issued certificate with its audit row, and
 * revocation. See ca.h. */
#include "config.h"
#include "ca/ca.h"
#include "db/tokdb.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ca {
	struct gt_ctx *ctx;
	int helper;
	struct ca_local *loc;
	X509 *helper_root;
};

int ca_check(struct gt_ctx *ctx, struct gt_err *err)
{
	if (strcmp(ctx->cfg.ca_backend, "helper") != 0)
		return ca_local_present(ctx, err);
	if (ctx->cfg.ca_helper[0] == '\0')
		return err_set(err, "%s", _("[ca] backend = helper, but no [ca] helper is set"));
	return 0;
}

struct ca *ca_new(struct gt_ctx *ctx, struct gt_err *err)
{
	struct ca *ca = calloc(1, sizeof(*ca));

	if (ca == NULL) {
		err_set(err, _("out of memory"));
		return NULL;
	}
	ca->ctx = ctx;
	ca->helper = strcmp(ctx->cfg.ca_backend, "helper") == 0;
	if (ca->helper) {
		if (ca_check(ctx, err) != 0) {
			free(ca);
			return NULL;
		}
		/* Best effort: a helper that cannot give its roots still
		 * issues; the chain is then the certificate alone. */
		ca->helper_root = ca_helper_roots(ctx->cfg.ca_helper);
	} else if (ca_local_open(ctx, &ca->loc, err) != 0) {
		free(ca);
		return NULL;
	}
	return ca;
}

void ca_free(struct ca *ca)
{
	if (ca == NULL)
		return;
	ca_local_free(ca->loc);
	X509_free(ca->helper_root);
	free(ca);
}

const char *ca_backend_name(const struct ca *ca)
{
	return ca->helper ? "helper" : "builtin";
}

int ca_prepare(struct ca *ca, struct gt_err *err)
{
	return ca->helper ? 0 : ca_local_ready(ca->loc, err);
}

int ca_atomic_issue(const struct ca *ca)
{
	return !ca->helper;
}

X509 *ca_chain_cert(const struct ca *ca)
{
	return ca->helper ? ca->helper_root : ca_local_cert(ca->loc);
}

void ca_answer_clear(struct ca_answer *ans)
{
	X509_free(ans->cert);
	X509_free(ans->issuer);
	memset(ans, 0, sizeof(*ans));
}

void ca_serial_hex(const X509 *cert, char *out, size_t size)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	str_copy(out, size, hex != NULL ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
}

void ca_name_utf8(const X509_NAME *name, char *out, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL;
	long len;

	str_copy(out, size, "");
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		len = BIO_get_mem_data(b, &data);
		if (len > 0 && (size_t)len < size) {
			memcpy(out, data, (size_t)len);
			out[len] = '\0';
		}
	}
	BIO_free(b);
}

int ca_spki_sha256(X509_PUBKEY *pub, char out[65])
{
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	int len = i2d_X509_PUBKEY(pub, &der);
	int ok = len > 0 && EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1;

	OPENSSL_free(der);
	if (!ok)
		return -1;
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int ca_record(struct gt_ctx *ctx, const char *backend, const struct ca_request *req, X509 *cert,
	      struct gt_err *err)
{
	const char *app_no = req->app_no;
	struct tokdb_cert *c = calloc(1, sizeof(*c));
	unsigned char *p;
	int len, rc = -1;

	if (c == NULL)
		return err_set(err, _("out of memory"));
	len = i2d_X509(cert, NULL);
	if (len <= 0 || (size_t)len > sizeof(c->der)) {
		err_set(err, "%s", _("CA: the certificate is too large to record"));
		goto cleanup;
	}
	p = c->der;
	i2d_X509(cert, &p);
	c->der_len = (size_t)len;
	ca_serial_hex(cert, c->serial, sizeof(c->serial));
	str_copy(c->app_no, sizeof(c->app_no), app_no);
	str_copy(c->backend, sizeof(c->backend), backend);
	ca_name_utf8(X509_get_subject_name(cert), c->subject, sizeof(c->subject));
	{
		time_t t;
		struct tm tm;

		memset(&tm, 0, sizeof(tm));
		c->not_before = ASN1_TIME_to_tm(X509_get0_notBefore(cert), &tm) ? (long long)timegm(&tm) : 0;
		c->not_after = ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) ? (long long)timegm(&tm) : 0;
		t = time(NULL);
		c->issued_at = (long long)t;
	}
	str_copy(c->status, sizeof(c->status), "valid");
	if (ca_spki_sha256(X509_get_X509_PUBKEY(cert), c->spki_sha256) != 0) {
		err_set(err, "%s", _("CA: cannot hash the certificate's key"));
		goto cleanup;
	}
	/* The register row and its audit row commit together: a certificate
	 * the CA issued is never unknown to the counter. */
	if (ctx_begin(ctx, err) != 0)
		goto cleanup;
	if (tokdb_cert_insert(ctx->store, c, err) != 0 ||
	    ctx_audit(ctx, "ca.issue", app_no, err, "%s certificate %s for %s", backend,
		      c->serial, c->subject) != 0 ||
	    (req->recorded != NULL && req->recorded(req->recorded_arg, c->serial, err) != 0)) {
		ctx_rollback(ctx);
		goto cleanup;
	}
	if (ctx_commit(ctx, err) != 0)
		goto cleanup;
	log_msg("ca: issued %s for %s", c->serial, app_no);
	rc = 0;
cleanup:
	free(c);
	return rc;
}

int ca_submit(struct ca *ca, const struct ca_request *req, struct ca_answer *ans,
	      struct gt_err *err)
{
	memset(ans, 0, sizeof(*ans));
	if (!ca->helper) {
		if (ca_local_issue(ca->loc, req, &ans->cert, err) != 0)
			return -1;
		ans->status = CA_ISSUED;
		/* Shared, not copied: a copy decodes the key again (~0.3 ms). */
		if (X509_up_ref(ca_local_cert(ca->loc)))
			ans->issuer = ca_local_cert(ca->loc);
		return 0;
	}
	return ca_poll(ca, req, NULL, ans, err);
}

int ca_poll(struct ca *ca, const struct ca_request *req, const char *cookie,
	    struct ca_answer *ans, struct gt_err *err)
{
	memset(ans, 0, sizeof(*ans));
	if (!ca->helper)
		return ca_submit(ca, req, ans, err);
	if (ca_helper_run(ca->ctx->cfg.ca_helper, cookie ? "POLL" : "SUBMIT", req, cookie, ans,
			  err) != 0)
		return -1;
	if (ans->status == CA_ISSUED) {
		if (ca->helper_root != NULL && X509_up_ref(ca->helper_root))
			ans->issuer = ca->helper_root;
		if (ca_record(ca->ctx, "helper", req, ans->cert, err) != 0) {
			ca_answer_clear(ans);
			return -1;
		}
	} else if (ctx_audit(ca->ctx, "ca.answer", req->app_no, err, "helper: %s%s%s",
			     ans->status == CA_WAIT ? "wait" : ans->status == CA_REJECTED ?
			     "rejected" : ans->status == CA_UNREACHABLE ? "unreachable" :
			     "under-configured", ans->msg[0] ? ": " : "", ans->msg) != 0) {
		return -1;
	}
	return 0;
}

int ca_revoke(struct ca *ca, const char *serial_hex, int reason, const char *why,
	      struct gt_err *err)
{
	struct gt_ctx *ctx = ca->ctx;
	struct tokdb_cert *c = calloc(1, sizeof(*c));
	int rc = -1, found;

	if (c == NULL)
		return err_set(err, _("out of memory"));
	found = tokdb_cert_get(ctx->store, serial_hex, c, err);
	if (found != 0) {
		rc = found;
		goto cleanup;
	}
	if (ctx_begin(ctx, err) != 0)
		goto cleanup;
	rc = tokdb_cert_revoke(ctx->store, serial_hex, reason, (long long)time(NULL), err);
	if (rc == 0 && ctx_audit(ctx, "ca.revoke", c->app_no, err, "%s certificate %s, reason %d%s%s",
				 c->backend, serial_hex, reason, why && *why ? ": " : "",
				 why ? why : "") != 0)
		rc = -1;
	if (rc != 0) {
		ctx_rollback(ctx);
		goto cleanup;
	}
	if (ctx_commit(ctx, err) != 0) {
		rc = -1;
		goto cleanup;
	}
	/* The contract has no REVOKE: the helper's CA operator must act on
	 * the audit row and the log line. */
	if (strcmp(c->backend, "helper") == 0)
		log_msg("ca: %s revoked here; revoke it at the external CA too", serial_hex);
	log_msg("ca: revoked %s (reason %d)", serial_hex, reason);
cleanup:
	free(c);
	return rc;
}
