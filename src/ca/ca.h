/* The CA behind one interface, two backends:
 *
 *   builtin  an OpenSSL CA whose key and certificate live in [ca] dir
 *            (`guitai ca init` creates them); every certificate it issues
 *            is recorded in ca_certs, revocation and CRL are local.
 *   helper   an external program speaking certmonger's submit-helper
 *            contract (CERTMONGER_OPERATION, CERTMONGER_CSR; exit 0 issued,
 *            1 wait + cookie, 2 rejected, 3 unreachable, 4 under-configured,
 *            5 wait N seconds + cookie), e.g. /usr/lib/certmonger/local-submit.
 *
 * A profile per certificate type fixes validity (the ordered term), key
 * usage, extended key usage and the USCC extension 1.2.156.10260.4.1.4
 * (FACTS.md 4.2). Every issuance and revocation writes an audit row and
 * fails closed. */
#ifndef GUITAI_CA_H
#define GUITAI_CA_H

#include <openssl/x509.h>
#include "flow/ctx.h"

#define CA_OID_USCC "1.2.156.10260.4.1.4"

enum ca_status {
	CA_ISSUED = 0,
	CA_WAIT = 1,          /* poll later with the cookie */
	CA_REJECTED = 2,
	CA_UNREACHABLE = 3,
	CA_UNCONFIGURED = 4,
};

struct ca_request {
	const char *app_no;
	const char *cert_type;   /* "org" | "person" */
	int term_years;
	const char *uscc;        /* may be "" */
	X509_REQ *csr;           /* borrowed */
	/* Optional: called inside the transaction that records an issued
	 * certificate (ca_certs row and its audit row), so that what the
	 * caller writes about it (its journal) commits with it or not at
	 * all. Nonzero rolls the record back and fails the request. */
	int (*recorded)(void *arg, const char *serial, struct gt_err *err);
	void *recorded_arg;
};

struct ca_answer {
	enum ca_status status;
	X509 *cert;              /* ISSUED: owned; free with ca_answer_clear */
	X509 *issuer;            /* the CA certificate (chain), when known */
	char cookie[512];        /* WAIT */
	int delay;               /* WAIT: seconds the CA asked for (0: ours) */
	char msg[512];           /* REJECTED and the others: the CA's words */
};

struct ca;

/* The backend the configuration names. The built-in CA must exist. */
struct ca *ca_new(struct gt_ctx *ctx, struct gt_err *err);
/* What ca_new would refuse, without reading anything: the built-in CA's
 * files are there, or a helper is named. For a caller that must not
 * start what needs the CA otherwise. */
int ca_check(struct gt_ctx *ctx, struct gt_err *err);
void ca_free(struct ca *ca);
const char *ca_backend_name(const struct ca *ca);

/* Make the CA ready to sign (the built-in CA reads its key), so that
 * this can be done ahead, on another thread while nothing else uses
 * this ca. ca_submit does it when it was not done; an error here is
 * the one ca_submit would give. */
int ca_prepare(struct ca *ca, struct gt_err *err);
/* True when a certificate of this CA exists only once ca_submit has
 * recorded it (the built-in CA signs in memory and records in the same
 * transaction): a crash before that leaves nothing issued. False for the
 * helper, whose CA may have issued before guitai hears of it. */
int ca_atomic_issue(const struct ca *ca);
/* The CA certificate an issued certificate's chain carries, when known
 * before issuing (borrowed); NULL when not. */
X509 *ca_chain_cert(const struct ca *ca);

/* Submit / poll: 0 with an answer (its status says which), -1 when the
 * request could not even be made (err set). An ISSUED answer is recorded
 * (ca_certs) and audited before this returns. */
int ca_submit(struct ca *ca, const struct ca_request *req, struct ca_answer *ans,
	      struct gt_err *err);
int ca_poll(struct ca *ca, const struct ca_request *req, const char *cookie,
	    struct ca_answer *ans, struct gt_err *err);
/* Revoke a recorded certificate (RFC 5280 reason code). 0 revoked, 1 not
 * found or already revoked, -1 error. The helper backend cannot revoke
 * through the contract: it records the revocation for the CA's operator
 * and says so. */
int ca_revoke(struct ca *ca, const char *serial_hex, int reason, const char *why,
	      struct gt_err *err);
void ca_answer_clear(struct ca_answer *ans);

/* Helpers shared by the backends and the flow. */
void ca_serial_hex(const X509 *cert, char *out, size_t size);
/* The name as RFC 2253 text in UTF-8 (Chinese kept, not escaped). */
void ca_name_utf8(const X509_NAME *name, char *out, size_t size);
int ca_spki_sha256(X509_PUBKEY *pub, char out[65]);
/* Record an issued certificate and its audit row in one transaction,
 * with what req->recorded adds. */
int ca_record(struct gt_ctx *ctx, const char *backend, const struct ca_request *req, X509 *cert,
	      struct gt_err *err);

/* The built-in CA (local.c). */
int ca_local_init(struct gt_ctx *ctx, const char *name, int years, struct gt_err *err);
struct ca_local;
/* The built-in CA's files are there and readable (nothing decoded). */
int ca_local_present(const struct gt_ctx *ctx, struct gt_err *err);
/* Reads the certificate; the key is read by ca_local_ready, which
 * issuing and the CRL call first. */
int ca_local_open(struct gt_ctx *ctx, struct ca_local **out, struct gt_err *err);
int ca_local_ready(struct ca_local *loc, struct gt_err *err);
void ca_local_free(struct ca_local *loc);
X509 *ca_local_cert(struct ca_local *loc);
int ca_local_issue(struct ca_local *loc, const struct ca_request *req, X509 **out,
		   struct gt_err *err);
/* Write a CRL (PEM) of every revoked certificate, valid `days`. */
int ca_local_crl(struct ca_local *loc, const char *path, int days, struct gt_err *err);

/* The certmonger-contract helper (helper.c): run it once. op is "SUBMIT"
 * or "POLL"; cookie for POLL. */
int ca_helper_run(const char *cmdline, const char *op, const struct ca_request *req,
		  const char *cookie, struct ca_answer *ans, struct gt_err *err);
/* FETCH-ROOTS: the helper's CA certificate, or NULL. */
X509 *ca_helper_roots(const char *cmdline);

#endif
