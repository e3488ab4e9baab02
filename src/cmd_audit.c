/* `guitai audit verify|export|list`: checks the trail (or an exported
 * bundle, on a machine without the database), writes bundles for the back
 * office, and prints the latest rows. Exporting is itself audited, before
 * the file is written. */
#include "config.h"
#include "cmd_audit.h"
#include "db/audit.h"
#include "db/crypto.h"
#include "flow/ctx.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CMD_AUDIT_EXIT_FAIL 1
#define CMD_AUDIT_EXIT_USAGE 2
#define CMD_AUDIT_EXIT_TAMPERED 3

static void cmd_audit_usage(FILE *out)
{
	fprintf(out, "%s", _("Usage: guitai audit verify [--key-file FILE] [--stats]\n"
		"       guitai audit verify --bundle FILE [--key-file FILE] [--stats]\n"
		"       guitai audit export FILE\n"
		"       guitai audit list [--limit N]\n"
		"\n"
		"verify   check every row, checkpoint and the head anchor; print the first\n"
		"         bad row, or \"intact: N rows, head H\"\n"
		"export   write a bundle (rows, checkpoints, anchor) that verifies elsewhere\n"
		"list     print the latest rows (default 50)\n"
		"\n"
		"  --bundle FILE    verify an exported bundle; no database is opened\n"
		"  --key-file FILE  the audit key ([security] audit_key_file)\n"
		"  --stats          also print the bytes checked and the time taken\n"
		"\n"
		"Exit status: 0 intact, 1 failure, 2 usage error, 3 tampered.\n"));
}

static double cmd_audit_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_audit_report(const struct audit_verify_result *res, int stats, double seconds)
{
	char head[2 * AUDIT_HASH_BYTES + 1];

	if (stats)
		fprintf(stderr, _("checked %llu bytes in %lld rows in %.3f s: %.1f MB/s\n"),
			res->bytes, res->rows, seconds,
			seconds > 0 ? (double)res->bytes / seconds / 1e6 : 0.0);
	if (res->problem != AUDIT_INTACT) {
		printf(_("tampered: first bad row %lld: %s\n"), res->bad_seq, res->why);
		return CMD_AUDIT_EXIT_TAMPERED;
	}
	audit_hex(res->head.hash, head);
	printf(_("intact: %lld rows, head %s\n"), res->head.seq, head);
	printf(_("checkpoints: %lld verified; head anchor: %s\n"), res->checkpoints,
	       res->anchored ? _("verified") : _("none"));
	return EXIT_SUCCESS;
}

static int cmd_audit_verify(const char *config_path, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "stats", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = NULL, *key_file = NULL;
	struct audit_verify_result res;
	struct crypto_keyring ring;
	struct gt_ctx ctx;
	struct gt_err err;
	double t0;
	int c, stats = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:k:s", opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'k')
			key_file = optarg;
		else if (c == 's')
			stats = 1;
		else
			return CMD_AUDIT_EXIT_USAGE;
	}
	if (optind != argc) {
		cmd_audit_usage(stderr);
		return CMD_AUDIT_EXIT_USAGE;
	}
	if (bundle != NULL) {
		/* Another machine: the configuration only says where the key
		 * is, and only when --key-file does not. */
		if (key_file == NULL) {
			if (config_load(&ctx.cfg, config_path, &err) != 0) {
				fprintf(stderr, "guitai: %s\n", err.msg);
				return CMD_AUDIT_EXIT_FAIL;
			}
			key_file = ctx.cfg.audit_key_file;
		}
		if (crypto_keyring_load_existing(&ring, key_file, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return CMD_AUDIT_EXIT_FAIL;
		}
		t0 = cmd_audit_now();
		rc = audit_verify_bundle(bundle, &ring, &res, &err);
		crypto_keyring_wipe(&ring);
		if (rc != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return CMD_AUDIT_EXIT_FAIL;
		}
		return cmd_audit_report(&res, stats, cmd_audit_now() - t0);
	}
	/* With --key-file the configured audit key is not needed (nor made):
	 * a restored copy can check the trail where the key file went
	 * missing. Without it, a missing key over an existing trail is
	 * refused by ctx_open and said so, never made again. */
	if (ctx_open_audit_key(&ctx, config_path, key_file, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return CMD_AUDIT_EXIT_FAIL;
	}
	if (log_open(ctx.cfg.log_path, &err) != 0)
		fprintf(stderr, "guitai: %s\n", err.msg);
	t0 = cmd_audit_now();
	rc = audit_verify(ctx.store, &ctx.audit_ring, ctx.audit_head_path, &res, &err);
	if (rc != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		rc = CMD_AUDIT_EXIT_FAIL;
	} else {
		rc = cmd_audit_report(&res, stats, cmd_audit_now() - t0);
		if (res.problem != AUDIT_INTACT)
			log_msg("audit: verify found row %lld bad: %s", res.bad_seq, res.why);
	}
	ctx_close(&ctx);
	log_close();
	return rc;
}

static int cmd_audit_export(struct gt_ctx *ctx, int argc, char **argv)
{
	struct gt_err err;

	if (argc != 2) {
		cmd_audit_usage(stderr);
		return CMD_AUDIT_EXIT_USAGE;
	}
	/* Refused before it is recorded, so the trail holds no export that
	 * could not even start. */
	if (access(argv[1], F_OK) == 0) {
		fprintf(stderr, _("guitai: %s exists; give a new file name\n"), argv[1]);
		return CMD_AUDIT_EXIT_FAIL;
	}
	/* The export is in the trail before the file exists, and so in the
	 * bundle itself. */
	if (ctx_audit(ctx, "audit.export", "", &err, "file %.900s", argv[1]) != 0 ||
	    audit_export(ctx->store, &ctx->audit_ring, ctx->audit_head_path, argv[1], &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return CMD_AUDIT_EXIT_FAIL;
	}
	log_msg("audit: exported to %s", argv[1]);
	return EXIT_SUCCESS;
}

static int cmd_audit_print(void *arg, const struct audit_row *r)
{
	char when[32], hash[2 * AUDIT_HASH_BYTES + 1];
	time_t t = (time_t)r->at;
	struct tm tm;

	(void)arg;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	audit_hex(r->hash, hash);
	/* A short hash prefix ties a printed line to the verified chain. */
	printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%.12s\n", r->seq, when, r->terminal ? r->terminal : "",
	       r->operator_name ? r->operator_name : "", r->action ? r->action : "",
	       r->app_no ? r->app_no : "", r->detail ? r->detail : "", hash);
	return 0;
}

static int cmd_audit_list(struct gt_ctx *ctx, int argc, char **argv)
{
	long long limit = 50, n;
	struct gt_err err;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			errno = 0;
			limit = strtoll(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || limit <= 0 || limit > 100000) {
				fprintf(stderr, "%s", _("--limit takes 1 to 100000\n"));
				return CMD_AUDIT_EXIT_USAGE;
			}
		} else {
			cmd_audit_usage(stderr);
			return CMD_AUDIT_EXIT_USAGE;
		}
	}
	if (audit_count(ctx->store, &n, &err) != 0 ||
	    audit_list(ctx->store, n > limit ? n - limit : 0, limit, cmd_audit_print, NULL, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return CMD_AUDIT_EXIT_FAIL;
	}
	return EXIT_SUCCESS;
}

int cmd_audit_main(const char *config_path, int argc, char **argv)
{
	struct gt_ctx ctx;
	struct gt_err err;
	int rc;

	if (argc < 2) {
		cmd_audit_usage(stderr);
		return CMD_AUDIT_EXIT_USAGE;
	}
	if (strcmp(argv[1], "verify") == 0)
		return cmd_audit_verify(config_path, argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		cmd_audit_usage(stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[1], "export") != 0 && strcmp(argv[1], "list") != 0) {
		cmd_audit_usage(stderr);
		return CMD_AUDIT_EXIT_USAGE;
	}
	if (ctx_open(&ctx, config_path, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return CMD_AUDIT_EXIT_FAIL;
	}
	if (log_open(ctx.cfg.log_path, &err) != 0)
		fprintf(stderr, "guitai: %s\n", err.msg);
	if (strcmp(argv[1], "export") == 0)
		rc = cmd_audit_export(&ctx, argc - 1, argv + 1);
	else
		rc = cmd_audit_list(&ctx, argc - 1, argv + 1);
	ctx_close(&ctx);
	log_close();
	return rc;
}
