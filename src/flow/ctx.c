/* Opening and closing the running context; see ctx.h. The order matters:
 * configuration first (it says where everything is), then the read-only
 * data files, then the secrets and the database. */
#include "config.h"
#include "flow/ctx.h"
#include "db/store.h"
#include "model/region.h"
#include "util/i18n.h"
#include "util/ini.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int ctx_open(struct gt_ctx *ctx, const char *config_path, struct gt_err *err)
{
	memset(ctx, 0, sizeof(*ctx));
	if (config_load(&ctx->cfg, config_path, err) != 0)
		return -1;
	if (config_ensure_dirs(&ctx->cfg, err) != 0 ||
	    ctx_load_data(ctx, err) != 0 ||
	    crypto_keyring_load(&ctx->ring, ctx->cfg.key_file, err) != 0 ||
	    store_open(ctx->cfg.db_path, &ctx->store, err) != 0) {
		ctx_close(ctx);
		return -1;
	}
	return 0;
}

void ctx_close(struct gt_ctx *ctx)
{
	store_close(ctx->store);
	ctx->store = NULL;
	region_db_free(ctx->regions);
	ctx->regions = NULL;
	crypto_keyring_wipe(&ctx->ring);
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
