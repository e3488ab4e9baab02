/* The running context every flow works in: configuration, the open store,
 * the PII keyring, the catalogue, the division table and who is logged in.
 * Screens and sub-commands open one context and pass it down. */
#ifndef GUITAI_CTX_H
#define GUITAI_CTX_H

#include <limits.h>
#include <stddef.h>
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
	struct crypto_keyring audit_ring;       /* the audit key: checkpoints, anchor */
	char audit_head_path[PATH_MAX + 16];    /* <database>.audit-head */
	char config_digest[65];                 /* SHA-256 of the configuration in use */
	char config_parts[128];                 /* "config H, catalogue H, tokens H, templates H" */
	int anchor_hold;                        /* ctx_anchor_hold depth (atomic) */
	int anchor_pending;                     /* rows committed past the anchor (atomic) */
};

/* Load config (config_path may be NULL), data files, keyring and store. */
int ctx_open(struct gt_ctx *ctx, const char *config_path, struct gt_err *err);
/* The same with the audit key read from audit_key_file (which must exist)
 * instead of the configured one: `audit verify --key-file`. A configured
 * audit key file that is missing while the trail exists is refused by
 * ctx_open (it is never made again over existing rows). */
int ctx_open_audit_key(struct gt_ctx *ctx, const char *config_path, const char *audit_key_file,
		       struct gt_err *err);
void ctx_close(struct gt_ctx *ctx);

/* Hold the audit head anchor back over a run of commits that belong
 * together (one personalisation makes six): while held, commits and
 * audit rows skip the anchor's fsync'd rewrite, and the release (or
 * ctx_close) writes it once for all. The anchor may then lag the rows —
 * a crash in between leaves it behind, which verify accepts — but never
 * names a row that is not there. Holds nest. */
void ctx_anchor_hold(struct gt_ctx *ctx);
void ctx_anchor_release(struct gt_ctx *ctx);

/* Today as YYYYMMDD in local time (Beijing time at the counter). */
int ctx_today_ymd(void);
long long ctx_now(void);
void ctx_check_ctx(const struct gt_ctx *ctx, struct check_ctx *out);

/* The audit trail as the flows write it (db/audit.h). ctx_audit appends a
 * row as the logged-in operator, or "@user" (the system account) when
 * nobody is logged in, as in sub-commands; ctx_audit_as names the operator
 * (the batch's --operator). The first row written after the configuration
 * changed is preceded by a "config.load" row. The detail is a printf
 * format; it must never carry a PIN, password or unmasked personal number.
 * Fails closed: when this returns -1 the action must not happen.
 *
 * Inside a store_begin() transaction the rows join it; after the commit
 * call ctx_audit_anchor(). */
int ctx_audit(struct gt_ctx *ctx, const char *action, const char *app_no, struct gt_err *err,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int ctx_audit_as(struct gt_ctx *ctx, const char *operator_name, const char *action,
		 const char *app_no, struct gt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void ctx_audit_anchor(struct gt_ctx *ctx);
/* At start-up: when the configuration in use (the file and the settings it
 * resolves to, the catalogue, the key catalogue, the document templates)
 * differs from the last one the trail recorded, append its config.load row
 * now, naming the parts that changed, rather than with the first action. 0
 * recorded or unchanged; -1 not written (e.g. a read-only database; the
 * first audited action then tries again, and fails closed). */
int ctx_record_config(struct gt_ctx *ctx, struct gt_err *err);
/* A change and its audit rows in one transaction: begin, write, audit,
 * then commit (which rolls back on failure and moves the anchor on
 * success), or roll back. */
int ctx_begin(struct gt_ctx *ctx, struct gt_err *err);
int ctx_commit(struct gt_ctx *ctx, struct gt_err *err);
void ctx_rollback(struct gt_ctx *ctx);
struct audit_ctx;
void ctx_audit_ctx(struct gt_ctx *ctx, const char *operator_name, char *who, size_t whosz,
		   struct audit_ctx *out);

#endif
