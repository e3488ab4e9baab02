/* The token catalogue (data/tokens.ini): which USB key models the counter
 * personalises, how each is recognised (ATR in a PC/SC reader, or the model
 * string its PKCS#11 module reports), which module drives it, its PIN rules
 * and the key algorithms it generates. Parsing is pure: the caller reads
 * the file. The PIN check lives here too, since the rules are the model's. */
#ifndef GUITAI_TOKEN_CATALOG_H
#define GUITAI_TOKEN_CATALOG_H

#include <limits.h>
#include <stddef.h>
#include "util/err.h"

#define TCAT_MAX_MODELS 32
#define TCAT_ATR_MAX 33

struct tcat_model {
	char key[32];
	char name[96];
	char model[40];                  /* C_GetTokenInfo model; "" = any */
	unsigned char atr[TCAT_ATR_MAX];
	unsigned char atr_mask[TCAT_ATR_MAX];
	size_t atr_len;                  /* 0: not recognised by ATR */
	char module[PATH_MAX];
	int pin_min, pin_max;
	int pin_digits;                  /* digits only */
	int rsa2048;
};

struct tcat {
	struct tcat_model models[TCAT_MAX_MODELS];
	size_t n;
};

int tcat_parse(const char *text, size_t len, struct tcat *out, struct gt_err *err);
/* Read and parse the file. */
int tcat_load(const char *path, struct tcat *out, struct gt_err *err);

/* The model whose ATR matches (NULL: unsupported key model). */
const struct tcat_model *tcat_by_atr(const struct tcat *cat, const unsigned char *atr,
				     size_t len);
/* The model whose module reports this token model (blank-trimmed). */
const struct tcat_model *tcat_by_model(const struct tcat *cat, const char *model);

/* "3B:8A:80:..." into out (3 * len bytes). */
void tcat_atr_hex(const unsigned char *atr, size_t len, char *out, size_t size);

/* Check a PIN against the model's rules: length, digits-only when asked,
 * not one repeated character, not an ascending or descending run
 * (123456, 654321, abcdef). 0 acceptable; -1 with the reason. The PIN is
 * never part of the reason. */
int tcat_pin_check(const struct tcat_model *m, const char *pin, struct gt_err *err);

#endif
