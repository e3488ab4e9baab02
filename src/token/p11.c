/* libp11 over one PKCS#11 module; see p11.h.
 *
 * libp11 keeps slot, token, key and certificate lists in caches of its
 * own; after work done beside it (key generation and object removal
 * through the module's function list) tok_rescan() drops and re-reads
 * them, which closes the sessions: callers log in again after it. */
#include "config.h"
#include "token/p11.h"
#include "util/i18n.h"
#include "util/str.h"

#include <dlfcn.h>
#include <libp11.h>
#include <pthread.h>
#include <p11-kit/pkcs11.h>
#include <stdlib.h>
#include <string.h>

struct tok_lib {
	PKCS11_CTX *ctx;
	PKCS11_SLOT *slots;
	unsigned int nslots;
	struct tok_slot_info *info;
	PKCS11_SLOT **map;          /* info[i] -> its libp11 slot */
	size_t ninfo;
	void *dl;
	CK_FUNCTION_LIST_PTR fl;
	unsigned long last_rv;
	char module[4096];
	CK_SESSION_HANDLE sess;      /* our session (tok_session) */
	CK_SLOT_ID sess_slot;
	int have_sess;
	int logged;                  /* -1 no, 0 user, 1 SO */
	/* The pair tok_keygen made in this session and log-in, by its
	 * CKA_ID: the CSR, the proof and the checks after generation use
	 * these handles instead of searching the token again (SoftHSM2
	 * re-reads its object files on every search). */
	unsigned char pair_id[64];
	size_t pair_idlen;           /* 0: none */
	CK_OBJECT_HANDLE pair_pub, pair_priv;
};

static int tok_pair_is(const struct tok_lib *lib, const unsigned char *id, size_t idlen)
{
	return lib->pair_idlen != 0 && lib->pair_idlen == idlen &&
	       memcmp(lib->pair_id, id, idlen) == 0;
}

static void tok_close(struct tok_lib *lib)
{
	if (lib->have_sess)
		lib->fl->C_CloseSession(lib->sess);
	lib->have_sess = 0;
	lib->logged = -1;
	lib->pair_idlen = 0;
}

unsigned long tok_last_rv(const struct tok_lib *lib)
{
	return lib->last_rv;
}

int tok_rv_removed(unsigned long rv)
{
	return rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT ||
	       rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_DEVICE_ERROR ||
	       rv == CKR_SLOT_ID_INVALID || rv == CKR_TOKEN_NOT_RECOGNIZED ||
	       rv == CKR_SESSION_CLOSED;
}

static const char *tok_rv_text(unsigned long rv)
{
	switch (rv) {
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_CLOSED:
		return _("the key was removed");
	case CKR_PIN_INCORRECT:
		return _("wrong PIN");
	case CKR_PIN_LOCKED:
		return _("the PIN is locked");
	case CKR_PIN_LEN_RANGE:
		return _("the PIN length is not accepted by the key");
	case CKR_DEVICE_MEMORY:
		return _("the key is full");
	case CKR_DEVICE_ERROR:
		return _("the key reported a device error");
	default:
		return _("the key refused the operation");
	}
}

/* Take the CK_RV libp11 left in OpenSSL's error queue (or rv when given)
 * and make a sentence of it; *last gets the CK_RV. */
static int tok_fail_rv(unsigned long *last, unsigned long rv, struct gt_err *err, const char *what)
{
	unsigned long e;

	if (rv == 0) {
		while ((e = ERR_get_error()) != 0)
			if (ERR_GET_LIB(e) == ERR_get_CKR_code())
				rv = (unsigned long)ERR_GET_REASON(e);
	}
	ERR_clear_error();
	*last = rv;
	if (rv == 0)
		return err_set(err, _("key: %s failed"), what);
	return err_set(err, _("key: %s failed: %s (CKR 0x%lX)"), what, tok_rv_text(rv), rv);
}

static int tok_fail(struct tok_lib *lib, unsigned long rv, struct gt_err *err, const char *what)
{
	return tok_fail_rv(&lib->last_rv, rv, err, what);
}

static void tok_pad_copy(char *dst, size_t size, const char *src)
{
	str_copy(dst, size, src != NULL ? src : "");
	str_trim(dst);
}

static void tok_release(struct tok_lib *lib)
{
	if (lib->slots != NULL)
		PKCS11_release_all_slots(lib->ctx, lib->slots, lib->nslots);
	lib->slots = NULL;
	lib->nslots = 0;
	free(lib->info);
	free(lib->map);
	lib->info = NULL;
	lib->map = NULL;
	lib->ninfo = 0;
}

int tok_rescan(struct tok_lib *lib, struct gt_err *err)
{
	tok_close(lib);
	tok_release(lib);
	if (PKCS11_enumerate_slots(lib->ctx, &lib->slots, &lib->nslots) < 0)
		return tok_fail(lib, 0, err, _("listing the slots"));
	lib->info = calloc(lib->nslots + 1, sizeof(*lib->info));
	lib->map = calloc(lib->nslots + 1, sizeof(*lib->map));
	if (lib->info == NULL || lib->map == NULL)
		return err_set(err, _("out of memory"));
	for (unsigned i = 0; i < lib->nslots; i++) {
		PKCS11_SLOT *s = &lib->slots[i];
		struct tok_slot_info *in = &lib->info[lib->ninfo];
		PKCS11_TOKEN *t = s->token;

		if (t == NULL)
			continue;
		in->slot_id = PKCS11_get_slotid_from_slot(s);
		tok_pad_copy(in->description, sizeof(in->description), s->description);
		tok_pad_copy(in->manufacturer, sizeof(in->manufacturer), t->manufacturer);
		tok_pad_copy(in->model, sizeof(in->model), t->model);
		tok_pad_copy(in->serial, sizeof(in->serial), t->serialnr);
		tok_pad_copy(in->label, sizeof(in->label), t->label);
		in->initialized = t->initialized;
		in->user_pin_set = t->userPinSet;
		in->user_count_low = t->userPinCountLow;
		in->user_final_try = t->userPinFinalTry;
		in->user_locked = t->userPinLocked;
		in->so_count_low = t->soPinCountLow;
		in->so_final_try = t->soPinFinalTry;
		in->so_locked = t->soPinLocked;
		lib->map[lib->ninfo++] = s;
	}
	return 0;
}

int tok_lib_open(const char *module, struct tok_lib **out, struct gt_err *err)
{
	struct tok_lib *lib = calloc(1, sizeof(*lib));
	CK_C_GetFunctionList getfl;

	if (lib == NULL)
		return err_set(err, _("out of memory"));
	str_copy(lib->module, sizeof(lib->module), module);
	lib->ctx = PKCS11_CTX_new();
	if (lib->ctx == NULL) {
		err_set(err, _("out of memory"));
		goto fail;
	}
	if (PKCS11_CTX_load(lib->ctx, module) != 0) {
		ERR_clear_error();
		err_set(err, _("cannot load the PKCS#11 module %s"), module);
		PKCS11_CTX_free(lib->ctx);
		lib->ctx = NULL;
		goto fail;
	}
	/* The same module libp11 loaded (dlopen gives the same handle), for
	 * the calls libp11 does not make the way we need. */
	lib->dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	getfl = lib->dl != NULL ? (CK_C_GetFunctionList)dlsym(lib->dl, "C_GetFunctionList") : NULL;
	if (getfl == NULL || getfl(&lib->fl) != CKR_OK) {
		err_set(err, _("cannot load the PKCS#11 module %s"), module);
		goto fail;
	}
	if (tok_rescan(lib, err) != 0)
		goto fail;
	*out = lib;
	return 0;
fail:
	tok_lib_free(lib);
	return -1;
}

struct tok_opening {
	pthread_t thread;
	char module[4096];
	struct tok_lib *lib;
	struct gt_err err;
	int rc;
};

static void *tok_opening_main(void *arg)
{
	struct tok_opening *op = arg;

	op->rc = tok_lib_open(op->module, &op->lib, &op->err);
	/* OpenSSL's error queue is the thread's: nothing left behind. */
	ERR_clear_error();
	return NULL;
}

struct tok_opening *tok_open_start(const char *module)
{
	struct tok_opening *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return NULL;
	str_copy(op->module, sizeof(op->module), module);
	if (pthread_create(&op->thread, NULL, tok_opening_main, op) != 0) {
		free(op);
		return NULL;
	}
	return op;
}

const char *tok_opening_module(const struct tok_opening *op)
{
	return op->module;
}

int tok_open_finish(struct tok_opening *op, struct tok_lib **out, struct gt_err *err)
{
	int rc;

	*out = NULL;
	pthread_join(op->thread, NULL);
	rc = op->rc;
	if (rc == 0)
		*out = op->lib;
	else if (err != NULL)
		*err = op->err;
	free(op);
	return rc;
}

void tok_open_drop(struct tok_opening *op)
{
	struct tok_lib *lib;

	if (op != NULL && tok_open_finish(op, &lib, NULL) == 0)
		tok_lib_free(lib);
}

void tok_lib_free(struct tok_lib *lib)
{
	if (lib == NULL)
		return;
	if (lib->ctx != NULL) {
		if (lib->fl != NULL)
			tok_close(lib);
		tok_release(lib);
		PKCS11_CTX_unload(lib->ctx);
		PKCS11_CTX_free(lib->ctx);
	}
	if (lib->dl != NULL)
		dlclose(lib->dl);
	free(lib);
}

size_t tok_nslots(const struct tok_lib *lib)
{
	return lib->ninfo;
}

const struct tok_slot_info *tok_slot(const struct tok_lib *lib, size_t i)
{
	return i < lib->ninfo ? &lib->info[i] : NULL;
}

int tok_find_blank(const struct tok_lib *lib, const char *reader)
{
	int named = 0;

	/* A module that drives readers names them in its slots; one without
	 * (SoftHSM2) offers its blank slot whatever the reader. */
	for (size_t i = 0; reader != NULL && i < lib->ninfo; i++)
		named |= strstr(lib->info[i].description, reader) != NULL;
	if (!named)
		reader = NULL;
	for (size_t i = 0; i < lib->ninfo; i++) {
		const struct tok_slot_info *s = &lib->info[i];

		if (reader != NULL && strstr(s->description, reader) == NULL)
			continue;
		if (!s->initialized || (s->label[0] == '\0' && !s->user_pin_set))
			return (int)i;
	}
	return -1;
}

int tok_find_label(const struct tok_lib *lib, const char *label)
{
	for (size_t i = 0; i < lib->ninfo; i++)
		if (lib->info[i].initialized && strcmp(lib->info[i].label, label) == 0)
			return (int)i;
	return -1;
}

int tok_find_serial(const struct tok_lib *lib, const char *serial)
{
	for (size_t i = 0; i < lib->ninfo; i++)
		if (lib->info[i].initialized && strcmp(lib->info[i].serial, serial) == 0)
			return (int)i;
	return -1;
}

static PKCS11_SLOT *tok_pslot(struct tok_lib *lib, size_t i)
{
	return i < lib->ninfo ? lib->map[i] : NULL;
}

int tok_init_token(struct tok_lib *lib, size_t i, const char *so_pin, const char *label,
		   struct gt_err *err)
{
	PKCS11_SLOT *s = tok_pslot(lib, i);
	char padded[33];

	if (s == NULL || s->token == NULL)
		return err_set(err, "%s", _("key: no such slot"));
	/* C_InitToken refuses while a session is open. */
	tok_close(lib);
	/* The label goes to the module as 32 blank-padded bytes, which
	 * libp11 0.4.12 passes through as given: pad it here. */
	memset(padded, ' ', 32);
	memcpy(padded, label, strnlen(label, 32));
	padded[32] = '\0';
	if (PKCS11_init_token(s->token, so_pin, padded) != 0)
		return tok_fail(lib, 0, err, _("initialising the key"));
	return 0;
}

/* Our one session on the slot in use. libp11 0.4.12 waits forever in its
 * session pool when C_OpenSession fails (a pulled key), so every call
 * that needs a session is made here, on the module's function list, and
 * libp11 keeps to what needs none: loading the module, listing slots and
 * tokens, C_InitToken. */
static int tok_session(struct tok_lib *lib, size_t i, struct gt_err *err)
{
	CK_RV rv;

	if (i >= lib->ninfo)
		return err_set(err, "%s", _("key: no such slot"));
	if (lib->have_sess && lib->sess_slot == lib->info[i].slot_id)
		return 0;
	tok_close(lib);
	rv = lib->fl->C_OpenSession(lib->info[i].slot_id, CKF_SERIAL_SESSION | CKF_RW_SESSION,
				    NULL, NULL, &lib->sess);
	if (rv != CKR_OK)
		return tok_fail(lib, rv, err, _("opening a session"));
	lib->have_sess = 1;
	lib->sess_slot = lib->info[i].slot_id;
	lib->logged = -1;
	return 0;
}

int tok_login(struct tok_lib *lib, size_t i, int so, const char *pin, struct gt_err *err)
{
	CK_RV rv;

	if (tok_session(lib, i, err) != 0)
		return -1;
	if (lib->logged == so)
		return 0;
	if (lib->logged >= 0)
		tok_logout(lib, i);
	rv = lib->fl->C_Login(lib->sess, so ? CKU_SO : CKU_USER, (CK_UTF8CHAR_PTR)pin,
			      (CK_ULONG)strlen(pin));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		return tok_fail(lib, rv, err, so ? _("security officer log-in")
						 : _("log-in with the PIN"));
	lib->logged = so;
	return 0;
}

void tok_logout(struct tok_lib *lib, size_t i)
{
	(void)i;
	if (lib->have_sess && lib->logged >= 0)
		lib->fl->C_Logout(lib->sess);
	lib->logged = -1;
	lib->pair_idlen = 0;
}

int tok_init_pin(struct tok_lib *lib, size_t i, const char *pin, struct gt_err *err)
{
	CK_RV rv;

	if (tok_session(lib, i, err) != 0)
		return -1;
	rv = lib->fl->C_InitPIN(lib->sess, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen(pin));
	return rv == CKR_OK ? 0 : tok_fail(lib, rv, err, _("setting the PIN"));
}

int tok_change_pin(struct tok_lib *lib, size_t i, const char *old_pin, const char *new_pin,
		   struct gt_err *err)
{
	CK_RV rv;

	if (tok_session(lib, i, err) != 0)
		return -1;
	rv = lib->fl->C_SetPIN(lib->sess, (CK_UTF8CHAR_PTR)old_pin, (CK_ULONG)strlen(old_pin),
			       (CK_UTF8CHAR_PTR)new_pin, (CK_ULONG)strlen(new_pin));
	return rv == CKR_OK ? 0 : tok_fail(lib, rv, err, _("changing the PIN"));
}

int tok_keygen(struct tok_lib *lib, size_t i, int bits, const unsigned char *id, size_t idlen,
	       const char *label, struct gt_err *err)
{
	CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY;
	CK_KEY_TYPE type = CKK_RSA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG modbits = (CK_ULONG)bits;
	CK_BYTE exponent[] = { 0x01, 0x00, 0x01 };
	CK_MECHANISM mech = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE pub[] = {
		{ CKA_CLASS, &pub_class, sizeof(pub_class) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_ENCRYPT, &yes, sizeof(yes) },
		{ CKA_MODULUS_BITS, &modbits, sizeof(modbits) },
		{ CKA_PUBLIC_EXPONENT, exponent, sizeof(exponent) },
		{ CKA_ID, (void *)id, idlen },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	/* Sensitive and never extractable: the key cannot leave the token,
	 * which is the point of issuing on a key. */
	CK_ATTRIBUTE priv[] = {
		{ CKA_CLASS, &priv_class, sizeof(priv_class) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_DECRYPT, &yes, sizeof(yes) },
		{ CKA_ID, (void *)id, idlen },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_OBJECT_HANDLE hpub, hpriv;
	CK_RV rv;

	if (tok_session(lib, i, err) != 0)
		return -1;
	rv = lib->fl->C_GenerateKeyPair(lib->sess, &mech, pub, sizeof(pub) / sizeof(pub[0]), priv,
					sizeof(priv) / sizeof(priv[0]), &hpub, &hpriv);
	if (rv != CKR_OK)
		return tok_fail(lib, rv, err, _("generating the key pair"));
	if (idlen <= sizeof(lib->pair_id)) {
		memcpy(lib->pair_id, id, idlen);
		lib->pair_idlen = idlen;
		lib->pair_pub = hpub;
		lib->pair_priv = hpriv;
	}
	return 0;
}

/* Objects of a class with this CKA_ID (id NULL: any id). */
static int tok_find(struct tok_lib *lib, CK_OBJECT_CLASS cls, const unsigned char *id,
		    size_t idlen, CK_OBJECT_HANDLE *objs, CK_ULONG max, CK_ULONG *n,
		    struct gt_err *err)
{
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, (void *)id, idlen } };
	CK_RV rv;

	*n = 0;
	rv = lib->fl->C_FindObjectsInit(lib->sess, tmpl, id != NULL ? 2 : 1);
	if (rv == CKR_OK) {
		rv = lib->fl->C_FindObjects(lib->sess, objs, max, n);
		lib->fl->C_FindObjectsFinal(lib->sess);
	}
	return rv == CKR_OK ? 0 : tok_fail(lib, rv, err, _("looking for objects"));
}

int tok_remove_id(struct tok_lib *lib, size_t i, const unsigned char *id, size_t idlen,
		  struct gt_err *err)
{
	static const CK_OBJECT_CLASS classes[] = { CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE };
	CK_OBJECT_HANDLE objs[16];
	CK_ULONG n;

	if (tok_session(lib, i, err) != 0)
		return -1;
	if (tok_pair_is(lib, id, idlen))
		lib->pair_idlen = 0;
	for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		if (tok_find(lib, classes[c], id, idlen, objs, 16, &n, err) != 0)
			return -1;
		for (CK_ULONG k = 0; k < n; k++) {
			CK_RV rv = lib->fl->C_DestroyObject(lib->sess, objs[k]);

			if (rv != CKR_OK)
				return tok_fail(lib, rv, err, _("removing objects"));
		}
	}
	return 0;
}

/* One attribute into a buffer of its own (free it). */
static unsigned char *tok_attr(struct tok_lib *lib, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
			       CK_ULONG *len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	unsigned char *buf;

	if (lib->fl->C_GetAttributeValue(lib->sess, obj, &a, 1) != CKR_OK ||
	    a.ulValueLen == (CK_ULONG)-1)
		return NULL;
	buf = malloc(a.ulValueLen + 1);
	if (buf == NULL)
		return NULL;
	a.pValue = buf;
	if (lib->fl->C_GetAttributeValue(lib->sess, obj, &a, 1) != CKR_OK) {
		free(buf);
		return NULL;
	}
	*len = a.ulValueLen;
	return buf;
}

/* DER of an ASN.1 length at out (when not NULL); its size. */
static size_t tok_der_len(size_t len, unsigned char *out)
{
	size_t n = 0;

	if (len < 0x80) {
		if (out != NULL)
			out[0] = (unsigned char)len;
		return 1;
	}
	for (size_t l = len; l > 0; l >>= 8)
		n++;
	if (out != NULL) {
		out[0] = (unsigned char)(0x80 | n);
		for (size_t k = 0; k < n; k++)
			out[1 + k] = (unsigned char)(len >> (8 * (n - 1 - k)));
	}
	return 1 + n;
}

/* An unsigned big-endian number as a DER INTEGER at out (when not NULL);
 * its size. */
static size_t tok_der_uint(const unsigned char *v, size_t len, unsigned char *out)
{
	size_t pad, body, at;

	while (len > 1 && v[0] == 0) {
		v++;
		len--;
	}
	pad = len > 0 && (v[0] & 0x80) ? 1 : 0;
	body = pad + (len > 0 ? len : 1);
	if (out == NULL)
		return 1 + tok_der_len(body, NULL) + body;
	out[0] = 0x02;
	at = 1 + tok_der_len(body, out + 1);
	if (pad || len == 0)
		out[at++] = 0;
	memcpy(out + at, v, len);
	return at + len;
}

/* The public key from the token's modulus and exponent. As an RSAPublicKey
 * read with d2i_PublicKey: the key it makes writes itself into a request
 * or certificate directly, where one built with EVP_PKEY_fromdata goes
 * through OpenSSL 3's encoder framework (~1 ms for the first, every
 * process). */
static EVP_PKEY *tok_rsa_public(const unsigned char *mod, size_t mlen, const unsigned char *exp,
				size_t elen)
{
	size_t in = tok_der_uint(mod, mlen, NULL) + tok_der_uint(exp, elen, NULL);
	size_t total = 1 + tok_der_len(in, NULL) + in, at;
	unsigned char *der = malloc(total);
	const unsigned char *q = der;
	EVP_PKEY *pk = NULL;

	if (der == NULL)
		return NULL;
	der[0] = 0x30;
	at = 1 + tok_der_len(in, der + 1);
	at += tok_der_uint(mod, mlen, der + at);
	at += tok_der_uint(exp, elen, der + at);
	pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)at);
	free(der);
	return pk;
}

int tok_key(struct tok_lib *lib, size_t i, const unsigned char *id, size_t idlen,
	    EVP_PKEY **pub, struct gt_err *err)
{
	CK_OBJECT_HANDLE priv[2], pubh[2];
	CK_ULONG np = 0, nq = 0, mlen = 0, elen = 0;
	unsigned char *mod = NULL, *exp = NULL;
	int rc = -1;

	if (pub != NULL)
		*pub = NULL;
	if (tok_session(lib, i, err) != 0)
		return -1;
	if (tok_pair_is(lib, id, idlen)) {
		priv[0] = lib->pair_priv;
		pubh[0] = lib->pair_pub;
		np = nq = 1;
	} else if (tok_find(lib, CKO_PRIVATE_KEY, id, idlen, priv, 2, &np, err) != 0 ||
		   tok_find(lib, CKO_PUBLIC_KEY, id, idlen, pubh, 2, &nq, err) != 0) {
		return -1;
	}
	if (np != 1 || nq != 1)
		return 1;
	if (pub == NULL)
		return 0;
	mod = tok_attr(lib, pubh[0], CKA_MODULUS, &mlen);
	exp = tok_attr(lib, pubh[0], CKA_PUBLIC_EXPONENT, &elen);
	if (mod == NULL || exp == NULL) {
		tok_fail(lib, CKR_DEVICE_ERROR, err, _("reading the public key"));
		goto cleanup;
	}
	*pub = tok_rsa_public(mod, mlen, exp, elen);
	if (*pub == NULL) {
		ERR_clear_error();
		tok_fail(lib, CKR_DEVICE_ERROR, err, _("reading the public key"));
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(mod);
	free(exp);
	return rc;
}

int tok_sign(struct tok_lib *lib, size_t i, const unsigned char *id, size_t idlen,
	     const unsigned char *data, size_t len, unsigned char *sig, size_t *siglen,
	     struct gt_err *err)
{
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key;
	CK_ULONG n = 0, slen = (CK_ULONG)*siglen;
	CK_RV rv;

	if (tok_session(lib, i, err) != 0)
		return -1;
	if (tok_pair_is(lib, id, idlen)) {
		key = lib->pair_priv;
		n = 1;
	} else if (tok_find(lib, CKO_PRIVATE_KEY, id, idlen, &key, 1, &n, err) != 0) {
		return -1;
	}
	if (n != 1)
		return err_set(err, "%s", _("key: the key pair is missing from the key"));
	rv = lib->fl->C_SignInit(lib->sess, &mech, key);
	if (rv == CKR_OK)
		rv = lib->fl->C_Sign(lib->sess, (CK_BYTE_PTR)data, (CK_ULONG)len, sig, &slen);
	if (rv != CKR_OK)
		return tok_fail(lib, rv, err, _("signing on the key"));
	*siglen = slen;
	return 0;
}

/* A certificate object through session sess; *rv the module's answer
 * (CKR_HOST_MEMORY when it was not asked). */
static int tok_create_cert(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE sess, X509 *cert,
			   const char *label, const unsigned char *id, size_t idlen, CK_RV *rvp)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ctype = CKC_X_509;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	unsigned char *der = NULL, *subj = NULL, *iss = NULL, *ser = NULL;
	int dlen = i2d_X509(cert, &der);
	int slen = i2d_X509_NAME(X509_get_subject_name(cert), &subj);
	int ilen = i2d_X509_NAME(X509_get_issuer_name(cert), &iss);
	int nlen = i2d_ASN1_INTEGER(X509_get_serialNumber(cert), &ser);
	CK_OBJECT_HANDLE h;

	*rvp = CKR_HOST_MEMORY;
	if (dlen > 0 && slen > 0 && ilen > 0 && nlen > 0) {
		CK_ATTRIBUTE tmpl[] = {
			{ CKA_CLASS, &cls, sizeof(cls) },
			{ CKA_CERTIFICATE_TYPE, &ctype, sizeof(ctype) },
			{ CKA_TOKEN, &yes, sizeof(yes) },
			{ CKA_PRIVATE, &no, sizeof(no) },
			{ CKA_VALUE, der, (CK_ULONG)dlen },
			{ CKA_SUBJECT, subj, (CK_ULONG)slen },
			{ CKA_ISSUER, iss, (CK_ULONG)ilen },
			{ CKA_SERIAL_NUMBER, ser, (CK_ULONG)nlen },
			{ CKA_ID, (void *)id, idlen },
			{ CKA_LABEL, (void *)label, strlen(label) },
		};

		*rvp = fl->C_CreateObject(sess, tmpl, sizeof(tmpl) / sizeof(tmpl[0]), &h);
	}
	OPENSSL_free(der);
	OPENSSL_free(subj);
	OPENSSL_free(iss);
	OPENSSL_free(ser);
	return *rvp == CKR_OK ? 0 : -1;
}

int tok_store_cert(struct tok_lib *lib, size_t i, X509 *cert, const char *label,
		   const unsigned char *id, size_t idlen, struct gt_err *err)
{
	CK_RV rv;

	if (tok_session(lib, i, err) != 0)
		return -1;
	if (tok_create_cert(lib->fl, lib->sess, cert, label, id, idlen, &rv) == 0)
		return 0;
	return rv == CKR_HOST_MEMORY ? err_set(err, _("out of memory"))
				     : tok_fail(lib, rv, err, _("writing the certificate"));
}

struct tok_side {
	CK_FUNCTION_LIST_PTR fl;
	CK_SESSION_HANDLE sess;
	unsigned long last_rv;
};

int tok_side_open(struct tok_lib *lib, size_t i, struct tok_side **out, struct gt_err *err)
{
	struct tok_side *side;
	CK_RV rv;

	*out = NULL;
	if (i >= lib->ninfo)
		return err_set(err, "%s", _("key: no such slot"));
	side = calloc(1, sizeof(*side));
	if (side == NULL)
		return err_set(err, _("out of memory"));
	side->fl = lib->fl;
	rv = lib->fl->C_OpenSession(lib->info[i].slot_id, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
				    NULL, &side->sess);
	if (rv != CKR_OK) {
		free(side);
		return tok_fail(lib, rv, err, _("opening a session"));
	}
	*out = side;
	return 0;
}

int tok_side_store_cert(struct tok_side *side, X509 *cert, const char *label,
			const unsigned char *id, size_t idlen, struct gt_err *err)
{
	CK_RV rv;

	if (tok_create_cert(side->fl, side->sess, cert, label, id, idlen, &rv) == 0)
		return 0;
	return rv == CKR_HOST_MEMORY ? err_set(err, _("out of memory"))
				     : tok_fail_rv(&side->last_rv, rv, err, _("writing the certificate"));
}

void tok_side_free(struct tok_side *side)
{
	if (side == NULL)
		return;
	side->fl->C_CloseSession(side->sess);
	free(side);
}

int tok_certs(struct tok_lib *lib, size_t i, struct tok_cert **out, size_t *n,
	      struct gt_err *err)
{
	CK_OBJECT_HANDLE objs[32];
	CK_ULONG count = 0;
	struct tok_cert *list;

	*out = NULL;
	*n = 0;
	if (tok_session(lib, i, err) != 0 ||
	    tok_find(lib, CKO_CERTIFICATE, NULL, 0, objs, 32, &count, err) != 0)
		return -1;
	list = calloc(count + 1, sizeof(*list));
	if (list == NULL)
		return err_set(err, _("out of memory"));
	for (CK_ULONG k = 0; k < count; k++) {
		struct tok_cert *c = &list[*n];
		CK_ULONG vlen = 0, ilen = 0, llen = 0;
		unsigned char *val = tok_attr(lib, objs[k], CKA_VALUE, &vlen);
		unsigned char *idv = tok_attr(lib, objs[k], CKA_ID, &ilen);
		unsigned char *lab = tok_attr(lib, objs[k], CKA_LABEL, &llen);
		const unsigned char *q = val;

		if (val != NULL && (c->x509 = d2i_X509(NULL, &q, (long)vlen)) != NULL) {
			c->idlen = idv != NULL && ilen < sizeof(c->id) ? ilen : 0;
			if (c->idlen)
				memcpy(c->id, idv, c->idlen);
			if (lab != NULL) {
				lab[llen] = '\0';
				str_copy(c->label, sizeof(c->label), (char *)lab);
			}
			(*n)++;
		}
		free(val);
		free(idv);
		free(lab);
	}
	*out = list;
	return 0;
}

int tok_have_certs(struct tok_lib *lib, size_t i, X509 *const *want, size_t n, int *have,
		   struct gt_err *err)
{
	CK_OBJECT_HANDLE objs[32];
	CK_ULONG count = 0;
	unsigned char *der[8] = { NULL };
	int len[8] = { 0 }, rc = -1;

	if (n > 8)
		return err_set(err, "%s", _("out of memory"));
	for (size_t k = 0; k < n; k++) {
		have[k] = 0;
		if ((len[k] = i2d_X509(want[k], &der[k])) <= 0) {
			err_set(err, _("out of memory"));
			goto cleanup;
		}
	}
	if (tok_session(lib, i, err) != 0 ||
	    tok_find(lib, CKO_CERTIFICATE, NULL, 0, objs, 32, &count, err) != 0)
		goto cleanup;
	for (CK_ULONG o = 0; o < count; o++) {
		CK_ULONG vlen = 0;
		unsigned char *val = tok_attr(lib, objs[o], CKA_VALUE, &vlen);

		for (size_t k = 0; val != NULL && k < n; k++)
			if (vlen == (CK_ULONG)len[k] && memcmp(val, der[k], vlen) == 0)
				have[k] = 1;
		free(val);
	}
	rc = 0;
cleanup:
	for (size_t k = 0; k < n; k++)
		OPENSSL_free(der[k]);
	return rc;
}

void tok_certs_free(struct tok_cert *certs, size_t n)
{
	if (certs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		X509_free(certs[i].x509);
	free(certs);
}

int tok_random(struct tok_lib *lib, size_t i, unsigned char *buf, size_t len,
	       struct gt_err *err)
{
	CK_RV rv;

	if (tok_session(lib, i, err) != 0)
		return -1;
	rv = lib->fl->C_GenerateRandom(lib->sess, buf, (CK_ULONG)len);
	return rv == CKR_OK ? 0 : tok_fail(lib, rv, err, _("reading random bytes"));
}
