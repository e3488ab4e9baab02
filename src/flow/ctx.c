/* Opening and closing the running context; see ctx.h. The order matters:
 * configuration first (it says where everything is), then the read-only
 * data files, then the secrets and the database. */
#include "config.h"
#include "flow/ctx.h"
#include "db/audit.h"
#include "db/store.h"
#include "model/region.h"
#include "util/i18n.h"
#include "util/ini.h"
#include "util/log.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int ctx_load_data(struct gt_ctx *ctx, struct gt_err *err)
{
	struct gt_err perr;
	char *text = NULL;
	size_t len;

	if (ini_read_file(ctx->cfg.catalog_path, 1 << 20, &text, &len, err) != 0)
		return err_prefix(err, _("catalogue"));
	if (catalog_parse(text, len, &ctx->catalog, &perr) != 0) {
		free(text);
		return err_set(err, _("catalogue %s: %s"), ctx->cfg.catalog_path, perr.msg);
	}
	free(text);
	if (ini_read_file(ctx->cfg.regions_path, 4 << 20, &text, &len, err) != 0)
		return err_prefix(err, _("division table"));
	if (region_db_parse(text, len, &ctx->regions, &perr) != 0) {
		free(text);
		return err_set(err, _("division table %s: %s"), ctx->cfg.regions_path, perr.msg);
	}
	free(text);
	return 0;
}

/* One part of the configuration into its SHA-256: a label, then length-
 * prefixed pieces, so moving bytes between pieces changes the digest. */
static int ctx_digest_put(EVP_MD_CTX *md, const void *data, size_t len)
{
	unsigned char n[8];

	for (int i = 0; i < 8; i++)
		n[i] = (unsigned char)((unsigned long long)len >> (56 - 8 * i));
	return EVP_DigestUpdate(md, n, sizeof(n)) == 1 && EVP_DigestUpdate(md, data, len) == 1
	       ? 0 : -1;
}

/* The bytes of a file into md ("absent" when it cannot be read: a missing
 * optional file is a configuration too). */
static int ctx_digest_file(EVP_MD_CTX *md, const char *path)
{
	struct gt_err ignored;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (ini_read_file(path, 4 << 20, &text, &len, &ignored) != 0)
		return ctx_digest_put(md, "absent", 6);
	rc = ctx_digest_put(md, text, len);
	free(text);
	return rc;
}

static int ctx_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every template of the directory, by name order: the wording and layout
 * of what is printed is configuration the CA changes without a rebuild. */
static int ctx_digest_templates(EVP_MD_CTX *md, const char *dir)
{
	char *names[256], path[PATH_MAX];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL)
		return ctx_digest_put(md, "absent", 6);
	while ((de = readdir(d)) != NULL && n < sizeof(names) / sizeof(names[0])) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 5 || (strcmp(de->d_name + len - 5, ".tmpl") != 0 &&
							 strcmp(de->d_name + len - 4, ".inc") != 0))
			continue;
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(names[0]), ctx_name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && snprintf(path, sizeof(path), "%s/%s", dir, names[i]) < (int)sizeof(path))
			rc = ctx_digest_put(md, names[i], strlen(names[i])) != 0 ||
			     ctx_digest_file(md, path) != 0 ? -1 : 0;
		free(names[i]);
	}
	return rc;
}

/* What identifies the configuration in use, in parts: the file's bytes and
 * the settings it resolved to (defaults included); the catalogue (prices);
 * the key catalogue (PIN rules); the document templates. Each part's
 * SHA-256 names it in config.load rows (so a row says which part
 * changed); the digest of the parts identifies the whole. */
static int ctx_config_digest(struct gt_ctx *ctx, struct gt_err *err)
{
	static const char *const labels[] = { "config", "catalogue", "tokens", "templates" };
	const struct gt_config *c = &ctx->cfg;
	unsigned char part[4][32], whole[32];
	char settings[8 * PATH_MAX + 512], hex[65];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int dlen;
	size_t at = 0;
	int n, rc = -1;

	if (md == NULL)
		return err_set(err, _("out of memory"));
	n = snprintf(settings, sizeof(settings), "data_dir=%s\ndb=%s\nkey=%s\naudit_key=%s\n"
		     "catalog=%s\nregions=%s\nterminal=%s\nsite=%s\ntemplates=%s\nprinter=%s\n"
		     "reprint=%d\nrandom_pin=%d\nca=%s\n", c->data_dir, c->db_path, c->key_file,
		     c->audit_key_file, c->catalog_path, c->regions_path, c->terminal_id,
		     c->site_name, c->print_templates, c->print_printer, c->print_allow_reprint,
		     c->token_random_pin, c->ca_backend);
	if (n < 0 || (size_t)n >= sizeof(settings)) {
		err_set(err, _("configuration too large"));
		goto out;
	}
	for (int i = 0; i < 4; i++) {
		int bad = EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
			  ctx_digest_put(md, labels[i], strlen(labels[i])) != 0;

		if (!bad && i == 0)
			bad = ctx_digest_put(md, c->path, strlen(c->path)) != 0 ||
			      ctx_digest_put(md, settings, (size_t)n) != 0 ||
			      (c->path[0] != '\0' ? ctx_digest_file(md, c->path)
						   : ctx_digest_put(md, "", 0)) != 0;
		else if (!bad && i == 1)
			bad = ctx_digest_file(md, c->catalog_path) != 0;
		else if (!bad && i == 2)
			bad = ctx_digest_file(md, c->token_catalog) != 0;
		else if (!bad)
			bad = ctx_digest_templates(md, c->print_templates) != 0;
		if (bad || EVP_DigestFinal_ex(md, part[i], &dlen) != 1 || dlen != 32) {
			err_set(err, _("cannot hash the configuration"));
			goto out;
		}
		crypto_hex(part[i], 8, hex);
		n = snprintf(ctx->config_parts + at, sizeof(ctx->config_parts) - at, "%s%s %s",
			     i ? ", " : "", labels[i], hex);
		at += n > 0 ? (size_t)n : 0;
	}
	if (crypto_sha256(part, sizeof(part), whole) != 0) {
		err_set(err, _("cannot hash the configuration"));
		goto out;
	}
	crypto_hex(whole, sizeof(whole), ctx->config_digest);
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

/* The PII key is made on first run only. A missing key file beside a
 * database that already holds sealed records means the key was lost or not
 * restored with the database: a new key would open none of them, and every
 * later record would be sealed under a key the old backups lack. So refuse,
 * and say what to do. */
static int ctx_load_pii_key(struct gt_ctx *ctx, struct gt_err *err)
{
	struct stat st;
	long long sealed = 0;

	if (stat(ctx->cfg.key_file, &st) != 0 && errno == ENOENT) {
		if (store_sealed_count(ctx->store, &sealed, err) != 0)
			return -1;
		if (sealed > 0)
			return err_set(err, _("the personal-data key file %s is missing, but the "
					      "database %s holds %lld sealed records that only that "
					      "key opens. Restore the key file from its backup (or "
					      "set [security] key_file to where it is); guitai will "
					      "not make a new key over existing data."),
				       ctx->cfg.key_file, ctx->cfg.db_path, sealed);
	}
	return crypto_keyring_load(&ctx->ring, ctx->cfg.key_file, err);
}

/* The audit key likewise: made on first run only. Without it no checkpoint
 * or anchor of the existing trail can be checked, and a new key would
 * checkpoint new rows under a key that vouches for nothing before them. So
 * when the trail has rows, checkpoints or a head anchor, a missing key
 * file is refused with what to do. key_file given (audit verify
 * --key-file): that file is read, never made. */
static int ctx_load_audit_key(struct gt_ctx *ctx, const char *key_file, struct gt_err *err)
{
	struct stat st;
	long long rows = 0, cps = 0;

	if (key_file != NULL)
		return crypto_keyring_load_existing(&ctx->audit_ring, key_file, err);
	if (stat(ctx->cfg.audit_key_file, &st) != 0 && errno == ENOENT) {
		if (audit_count(ctx->store, &rows, err) != 0 ||
		    audit_checkpoint_count(ctx->store, &cps, err) != 0)
			return -1;
		if (rows > 0 || cps > 0)
			return err_set(err, _("the audit key file %s is missing, but the database %s "
					      "holds an audit trail of %lld rows and %lld keyed "
					      "checkpoints that only that key verifies. Restore the "
					      "key file from its backup (or set [security] "
					      "audit_key_file to where it is); guitai will not make a "
					      "new audit key over an existing trail."),
				       ctx->cfg.audit_key_file, ctx->cfg.db_path, rows, cps);
		if (stat(ctx->audit_head_path, &st) == 0)
			return err_set(err, _("the audit key file %s is missing, but the head anchor "
					      "%s made with it is there: the trail it vouched for is "
					      "gone or elsewhere. Restore the key file and the "
					      "database from their backup; guitai will not make a new "
					      "audit key over an existing trail."),
				       ctx->cfg.audit_key_file, ctx->audit_head_path);
	}
	return crypto_keyring_load(&ctx->audit_ring, ctx->cfg.audit_key_file, err);
}

int ctx_open(struct gt_ctx *ctx, const char *config_path, struct gt_err *err)
{
	return ctx_open_audit_key(ctx, config_path, NULL, err);
}

/* ctx_load_data on a thread of its own (see ctx_open_audit_key). */
struct ctx_loader {
	struct gt_ctx *ctx;
	struct gt_err err;
	int rc;
};

static void *ctx_loader_main(void *arg)
{
	struct ctx_loader *l = arg;

	l->rc = ctx_load_data(l->ctx, &l->err);
	return NULL;
}

int ctx_open_audit_key(struct gt_ctx *ctx, const char *config_path, const char *audit_key_file,
		       struct gt_err *err)
{
	struct ctx_loader loader = { ctx, { "", 0 }, 0 };
	struct gt_err oerr = { "", 0 };
	pthread_t thread;
	int started, rc;

	memset(ctx, 0, sizeof(*ctx));
	if (config_load(&ctx->cfg, config_path, err) != 0)
		return -1;
	if (snprintf(ctx->audit_head_path, sizeof(ctx->audit_head_path), "%s.audit-head",
		     ctx->cfg.db_path) >= (int)sizeof(ctx->audit_head_path))
		return err_set(err, _("path too long: %s"), ctx->cfg.db_path);
	if (config_ensure_dirs(&ctx->cfg, err) != 0) {
		ctx_close(ctx);
		return -1;
	}
	/* The catalogue and the division table (3,000 lines checked) are
	 * parsed on a second thread while the configuration is hashed —
	 * OpenSSL's first use — and the database opened: ~0.5 ms off every
	 * start. They touch other fields of ctx than those two. */
	started = pthread_create(&thread, NULL, ctx_loader_main, &loader) == 0;
	if (!started)
		loader.rc = ctx_load_data(ctx, &loader.err);
	rc = ctx_config_digest(ctx, &oerr) != 0 || store_open(ctx->cfg.db_path, &ctx->store, &oerr) != 0;
	if (started)
		pthread_join(thread, NULL);
	/* The data's error first, as when they were read in turn. */
	if (loader.rc != 0 || rc != 0) {
		if (err != NULL)
			*err = loader.rc != 0 ? loader.err : oerr;
		ctx_close(ctx);
		return -1;
	}
	if (ctx_load_audit_key(ctx, audit_key_file, err) != 0 || ctx_load_pii_key(ctx, err) != 0) {
		ctx_close(ctx);
		return -1;
	}
	return 0;
}

void ctx_close(struct gt_ctx *ctx)
{
	/* A hold left open (an early return) still gets its anchor. */
	if (ctx->store != NULL && __atomic_load_n(&ctx->anchor_pending, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&ctx->anchor_hold, 1, __ATOMIC_RELEASE);
		ctx_anchor_release(ctx);
	}
	store_close(ctx->store);
	ctx->store = NULL;
	region_db_free(ctx->regions);
	ctx->regions = NULL;
	crypto_keyring_wipe(&ctx->ring);
	crypto_keyring_wipe(&ctx->audit_ring);
}

void ctx_audit_ctx(struct gt_ctx *ctx, const char *operator_name, char *who, size_t whosz,
		   struct audit_ctx *out)
{
	if (operator_name == NULL || operator_name[0] == '\0')
		operator_name = ctx->operator_name;
	if (operator_name[0] != '\0') {
		str_copy(who, whosz, operator_name);
	} else {
		/* No one logged in (a sub-command): the system account that
		 * ran it is who is accountable. Looked up once: getpwuid
		 * reads the NSS files on every call, and a personalisation
		 * writes a dozen rows. */
		static char system_who[64];

		if (system_who[0] == '\0') {
			struct passwd *pw = getpwuid(geteuid());

			if (pw != NULL && str_utf8_valid(pw->pw_name) &&
			    !str_has_control(pw->pw_name))
				snprintf(system_who, sizeof(system_who), "@%s", pw->pw_name);
			else
				snprintf(system_who, sizeof(system_who), "@%ld", (long)geteuid());
		}
		str_copy(who, whosz, system_who);
	}
	memset(out, 0, sizeof(*out));
	out->terminal = ctx->cfg.terminal_id;
	out->operator_name = who;
	out->ring = &ctx->audit_ring;
	out->checkpoint_every = (unsigned)ctx->cfg.audit_checkpoint_every;
	out->head_path = ctx->audit_head_path;
	if (__atomic_load_n(&ctx->anchor_hold, __ATOMIC_ACQUIRE) > 0) {
		out->head_path = NULL;
		__atomic_store_n(&ctx->anchor_pending, 1, __ATOMIC_RELEASE);
	}
}

/* A file name or a value from outside may hold bytes that are not UTF-8
 * or control characters; the row takes '?' for them rather than failing
 * the action over how a name is spelt. */
static void ctx_audit_clean(char *s)
{
	while (*s != '\0') {
		uint32_t cp;
		size_t n = str_utf8_decode(s, &cp);

		if (n == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
			*s++ = '?';
			/* Replace the whole bad sequence byte by byte. */
			for (size_t i = 1; i < n; i++)
				*s++ = '?';
			continue;
		}
		s += n;
	}
}

/* A config.load row when the configuration in use is not the one the
 * trail last recorded: its digest, its file, the digest of each part, and
 * which parts differ from the last row's. */
static int ctx_audit_config_row(struct gt_ctx *ctx, struct audit_ctx *ac, struct gt_err *err)
{
	char last[AUDIT_DETAIL_MAX + 1], conf[AUDIT_DETAIL_MAX + 1], changed[128] = "";
	const char *p = ctx->config_parts;

	if (audit_last_config(ctx->store, last, sizeof(last), err) != 0)
		return -1;
	if (strstr(last, ctx->config_digest) != NULL)
		return 0;
	/* The parts are "label hex, label hex": each one not found in the
	 * last row is a part that changed. */
	while (last[0] != '\0' && *p != '\0') {
		size_t n = strcspn(p, ",");
		char one[64];

		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (strstr(last, one) == NULL)
			snprintf(changed + strlen(changed), sizeof(changed) - strlen(changed), "%s%.*s",
				 changed[0] ? " " : "", (int)strcspn(one, " "), one);
		p += n;
		p += strspn(p, ", ");
	}
	if (last[0] != '\0' && strstr(last, "; parts ") == NULL)
		str_copy(changed, sizeof(changed), "all (the last record has no parts)");
	snprintf(conf, sizeof(conf), "sha256 %s; parts %s; %s%s; file %.600s", ctx->config_digest,
		 ctx->config_parts, last[0] == '\0' ? "first record" : "changed: ",
		 last[0] == '\0' ? "" : changed[0] ? changed : "settings",
		 ctx->cfg.path[0] ? ctx->cfg.path : "(built-in defaults)");
	ctx_audit_clean(conf);
	return audit_append(ctx->store, ac, "config.load", "", conf, err);
}

static int ctx_vaudit(struct gt_ctx *ctx, const char *operator_name, const char *action,
		      const char *app_no, struct gt_err *err, const char *fmt, va_list ap)
{
	char who[80], wide[2 * AUDIT_DETAIL_MAX];
	char detail[AUDIT_DETAIL_MAX + 1];
	struct audit_ctx ac;

	ctx_audit_ctx(ctx, operator_name, who, sizeof(who), &ac);
	vsnprintf(wide, sizeof(wide), fmt, ap);
	ctx_audit_clean(wide);
	/* Cut on a character boundary: the row must stay valid UTF-8. */
	str_copy(detail, sizeof(detail), wide);
	if (ctx_audit_config_row(ctx, &ac, err) != 0)
		return -1;
	return audit_append(ctx->store, &ac, action, app_no, detail, err);
}

int ctx_record_config(struct gt_ctx *ctx, struct gt_err *err)
{
	char last[AUDIT_DETAIL_MAX + 1], who[80];
	struct audit_ctx ac;

	/* A read first: no write lock at every start when nothing changed. */
	if (audit_last_config(ctx->store, last, sizeof(last), err) != 0)
		return -1;
	if (strstr(last, ctx->config_digest) != NULL)
		return 0;
	ctx_audit_ctx(ctx, NULL, who, sizeof(who), &ac);
	if (ctx_begin(ctx, err) != 0)
		return -1;
	if (ctx_audit_config_row(ctx, &ac, err) != 0) {
		ctx_rollback(ctx);
		return -1;
	}
	return ctx_commit(ctx, err);
}

int ctx_audit(struct gt_ctx *ctx, const char *action, const char *app_no, struct gt_err *err,
	      const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ctx_vaudit(ctx, NULL, action, app_no, err, fmt, ap);
	va_end(ap);
	return rc;
}

int ctx_audit_as(struct gt_ctx *ctx, const char *operator_name, const char *action,
		 const char *app_no, struct gt_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ctx_vaudit(ctx, operator_name, action, app_no, err, fmt, ap);
	va_end(ap);
	return rc;
}

void ctx_audit_anchor(struct gt_ctx *ctx)
{
	struct audit_ctx ac;
	struct gt_err err;
	char who[80];

	ctx_audit_ctx(ctx, NULL, who, sizeof(who), &ac);
	if (ac.head_path == NULL)
		return;         /* held: ctx_anchor_release writes it */
	if (audit_anchor(ctx->store, &ac, &err) != 0)
		log_msg("audit: %s", err.msg);
}

void ctx_anchor_hold(struct gt_ctx *ctx)
{
	__atomic_add_fetch(&ctx->anchor_hold, 1, __ATOMIC_ACQ_REL);
}

void ctx_anchor_release(struct gt_ctx *ctx)
{
	if (__atomic_sub_fetch(&ctx->anchor_hold, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (__atomic_exchange_n(&ctx->anchor_pending, 0, __ATOMIC_ACQ_REL))
		ctx_audit_anchor(ctx);
}

int ctx_today_ymd(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

long long ctx_now(void)
{
	return (long long)time(NULL);
}

void ctx_check_ctx(const struct gt_ctx *ctx, struct check_ctx *out)
{
	out->catalog = &ctx->catalog;
	out->regions = ctx->regions;
	out->today_ymd = ctx_today_ymd();
}

int ctx_begin(struct gt_ctx *ctx, struct gt_err *err)
{
	return store_begin(ctx->store, err);
}

int ctx_commit(struct gt_ctx *ctx, struct gt_err *err)
{
	if (store_commit(ctx->store, err) != 0) {
		store_rollback(ctx->store);
		return -1;
	}
	ctx_audit_anchor(ctx);
	return 0;
}

void ctx_rollback(struct gt_ctx *ctx)
{
	store_rollback(ctx->store);
}
