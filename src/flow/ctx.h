/* The running context every flow works in: configuration, the open store,
 * the PII keyring, the catalogue, the division table and who is logged in.
 * Screens and sub-commands open one context and pass it down. */
#ifndef GUITAI_CTX_H
#define GUITAI_CTX_H

#include "util/config.h"
#include "util/err.h"
#include "model/catalog.h"
#include "model/check.h"
#include "db/crypto.h"

struct store;
struct region_db;

struct gt_ctx {
	struct gt_config cfg;
	struct store *store;
	struct crypto_keyring ring;
	struct catalog catalog;
	struct region_db *regions;
	char operator_name[64];
	char operator_role[16];
};

/* Load config (config_path may be NULL), data files, keyring and store. */
int ctx_open(struct gt_ctx *ctx, const char *config_path, struct gt_err *err);
void ctx_close(struct gt_ctx *ctx);

/* Today as YYYYMMDD in local time (Beijing time at the counter). */
int ctx_today_ymd(void);
long long ctx_now(void);
void ctx_check_ctx(const struct gt_ctx *ctx, struct check_ctx *out);

#endif
