/* PKCS#11 keys: libp11 loads the module, lists slots and tokens and
 * initialises tokens; everything that needs a session (log-in, PINs, key
 * generation, signing, certificates) goes to the same loaded module's
 * function list directly, because libp11 0.4.12 cannot ask for
 * CKA_EXTRACTABLE = false and waits forever in its session pool when a
 * pulled key makes C_OpenSession fail. PINs are borrowed for the call. */
#ifndef GUITAI_TOKEN_P11_H
#define GUITAI_TOKEN_P11_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "util/err.h"

struct tok_lib;

struct tok_slot_info {
	unsigned long slot_id;
	char description[68];      /* the reader's name for PC/SC tokens */
	char manufacturer[36];
	char model[20];
	char serial[20];
	char label[36];
	int initialized;
	int user_pin_set;
	int user_count_low, user_final_try, user_locked;
	int so_count_low, so_final_try, so_locked;
};

/* CK_RV of the last failure (0 when it was not a PKCS#11 error). */
unsigned long tok_last_rv(const struct tok_lib *lib);
/* True when rv says the key went away (removed, pulled, gone). */
int tok_rv_removed(unsigned long rv);

int tok_lib_open(const char *module, struct tok_lib **out, struct gt_err *err);
void tok_lib_free(struct tok_lib *lib);
/* tok_lib_open on a thread of its own, for a caller with other work to do
 * meanwhile (loading SoftHSM2 and listing its slots takes ~1.5 ms, which
 * a batch spends storing the application). NULL when no thread could be
 * started: open it the usual way. tok_open_finish waits for it and frees
 * it: 0 with *out, -1 with err. */
struct tok_opening;
struct tok_opening *tok_open_start(const char *module);
int tok_open_finish(struct tok_opening *op, struct tok_lib **out, struct gt_err *err);
const char *tok_opening_module(const struct tok_opening *op);
/* Not needed after all: wait for it and close what it opened. NULL is fine. */
void tok_open_drop(struct tok_opening *op);
/* Read the slots again (after C_InitToken a module may renumber them). */
int tok_rescan(struct tok_lib *lib, struct gt_err *err);
size_t tok_nslots(const struct tok_lib *lib);
const struct tok_slot_info *tok_slot(const struct tok_lib *lib, size_t i);
/* A blank key: not initialised, or initialised by us and emptied (no
 * label, no user PIN). reader: when not NULL, the slot description must
 * name it. -1 when none. */
int tok_find_blank(const struct tok_lib *lib, const char *reader);
int tok_find_label(const struct tok_lib *lib, const char *label);
int tok_find_serial(const struct tok_lib *lib, const char *serial);

int tok_init_token(struct tok_lib *lib, size_t i, const char *so_pin, const char *label,
		   struct gt_err *err);
/* Opens a read-write session first. so: 1 security officer, 0 user. */
int tok_login(struct tok_lib *lib, size_t i, int so, const char *pin, struct gt_err *err);
void tok_logout(struct tok_lib *lib, size_t i);
/* As the SO: set the user PIN. */
int tok_init_pin(struct tok_lib *lib, size_t i, const char *pin, struct gt_err *err);
/* Change the PIN of who is logged in. */
int tok_change_pin(struct tok_lib *lib, size_t i, const char *old_pin, const char *new_pin,
		   struct gt_err *err);

/* RSA key pair on the token (user logged in): private key sensitive,
 * never extractable, signing and decryption; both halves with CKA_ID id. */
int tok_keygen(struct tok_lib *lib, size_t i, int bits, const unsigned char *id, size_t idlen,
	       const char *label, struct gt_err *err);
/* The key pair with this CKA_ID: 0 both halves there (*pub, when not
 * NULL, gets the public key; EVP_PKEY_free it), 1 not there, -1 error. */
int tok_key(struct tok_lib *lib, size_t i, const unsigned char *id, size_t idlen,
	    EVP_PKEY **pub, struct gt_err *err);
/* Sign data with the private key of this CKA_ID on the token
 * (CKM_SHA256_RSA_PKCS; the user logged in). *siglen: in size, out used. */
int tok_sign(struct tok_lib *lib, size_t i, const unsigned char *id, size_t idlen,
	     const unsigned char *data, size_t len, unsigned char *sig, size_t *siglen,
	     struct gt_err *err);
/* Remove the objects (keys and certificates) with this CKA_ID. */
int tok_remove_id(struct tok_lib *lib, size_t i, const unsigned char *id, size_t idlen,
		  struct gt_err *err);

int tok_store_cert(struct tok_lib *lib, size_t i, X509 *cert, const char *label,
		   const unsigned char *id, size_t idlen, struct gt_err *err);

/* A second session on slot i, for another thread while the first works
 * (the CA certificate written while the key generates its pair): PKCS#11
 * modules loaded by libp11 are told they may be called from several
 * threads (CKF_OS_LOCKING_OK). No log-in of its own: the application's
 * log-in covers all its sessions. Close it before tok_rescan or
 * C_InitToken; the slot's key must stay the same meanwhile. */
struct tok_side;
int tok_side_open(struct tok_lib *lib, size_t i, struct tok_side **out, struct gt_err *err);
int tok_side_store_cert(struct tok_side *side, X509 *cert, const char *label,
			const unsigned char *id, size_t idlen, struct gt_err *err);
void tok_side_free(struct tok_side *side);

struct tok_cert {
	X509 *x509;                /* owned */
	unsigned char id[64];
	size_t idlen;
	char label[64];
};
/* Certificates on the token; free with tok_certs_free. */
int tok_certs(struct tok_lib *lib, size_t i, struct tok_cert **out, size_t *n,
	      struct gt_err *err);
void tok_certs_free(struct tok_cert *certs, size_t n);
/* Which of want[0..n) are on the token (have[k] 1 or 0), by their DER
 * bytes: one search, nothing decoded. */
int tok_have_certs(struct tok_lib *lib, size_t i, X509 *const *want, size_t n, int *have,
		   struct gt_err *err);

/* Random bytes from the token's generator. */
int tok_random(struct tok_lib *lib, size_t i, unsigned char *buf, size_t len,
	       struct gt_err *err);

#endif
