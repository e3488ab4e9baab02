/* `guitai ca init|list|revoke|crl`; see cmd_ca.h. */
#include "config.h"
#include "cmd_ca.h"
#include "cmd_operator.h"
#include "flow/session.h"
#include "ca/ca.h"
#include "db/tokdb.h"
#include "util/i18n.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD_CA_USAGE 2
#define CMD_CA_INVALID 3

static void cmd_ca_usage(void)
{
	fprintf(stderr, "%s", _("usage: guitai ca init [--name NAME] [--years N]\n"
				"       guitai ca list [APPNO]\n"
				"       guitai ca revoke SERIAL [--reason N] [--why TEXT] --by SUPERVISOR "
				"[--by-password-file F]\n"
				"       guitai ca crl [--out FILE] [--days N]\n"));
}

static void cmd_ca_date(long long t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, size, "%Y-%m-%d", &tm);
}

static int cmd_ca_list(struct gt_ctx *ctx, const char *app_no)
{
	struct tokdb_cert *rows = calloc(256, sizeof(*rows));
	struct gt_err err;
	size_t n = 0;

	if (rows == NULL)
		return EXIT_FAILURE;
	if (tokdb_cert_by_app(ctx->store, app_no, rows, 256, &n, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		free(rows);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		char from[16], to[16];

		cmd_ca_date(rows[i].not_before, from, sizeof(from));
		cmd_ca_date(rows[i].not_after, to, sizeof(to));
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", rows[i].serial, rows[i].status, from, to,
		       rows[i].backend, rows[i].subject);
	}
	free(rows);
	return EXIT_SUCCESS;
}

int cmd_ca_main(struct gt_ctx *ctx, int argc, char **argv)
{
	struct gt_err err;
	struct ca *ca;
	int rc;

	if (argc < 2) {
		cmd_ca_usage();
		return CMD_CA_USAGE;
	}
	if (strcmp(argv[1], "init") == 0) {
		const char *name = "guitai Counter CA";
		int years = 20;

		for (int i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
				name = argv[++i];
			} else if (strcmp(argv[i], "--years") == 0 && i + 1 < argc) {
				years = atoi(argv[++i]);
			} else {
				cmd_ca_usage();
				return CMD_CA_USAGE;
			}
		}
		if (years < 1 || years > 30 || !str_utf8_valid(name) || name[0] == '\0') {
			cmd_ca_usage();
			return CMD_CA_USAGE;
		}
		if (ca_local_init(ctx, name, years, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return EXIT_FAILURE;
		}
		printf(_("CA created in %s\n"), ctx->cfg.ca_dir);
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[1], "list") == 0) {
		if (argc != 3) {
			cmd_ca_usage();
			return CMD_CA_USAGE;
		}
		return cmd_ca_list(ctx, argv[2]);
	}
	if (strcmp(argv[1], "revoke") == 0) {
		const char *serial = NULL, *why = "", *by = NULL, *by_pwfile = NULL;
		char why_by[600];
		int reason = 0;

		for (int i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
				reason = atoi(argv[++i]);
			else if (strcmp(argv[i], "--why") == 0 && i + 1 < argc)
				why = argv[++i];
			else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
				by = argv[++i];
			else if (strcmp(argv[i], "--by-password-file") == 0 && i + 1 < argc)
				by_pwfile = argv[++i];
			else if (serial == NULL && argv[i][0] != '-')
				serial = argv[i];
			else
				serial = "";
		}
		/* RFC 5280 reason codes 0-10, 7 unused. */
		if (serial == NULL || serial[0] == '\0' || reason < 0 || reason > 10 || reason == 7) {
			cmd_ca_usage();
			return CMD_CA_USAGE;
		}
		/* Revoking ends a customer's certificate: a supervisor approves
		 * it, and the audit row names them. */
		if (cmd_approve(ctx, SESSION_APPROVE_REVOKE, "", by, by_pwfile) != 0)
			return CMD_CA_INVALID;
		if (!str_utf8_valid(why) || strlen(why) > 400) {
			cmd_ca_usage();
			return CMD_CA_USAGE;
		}
		snprintf(why_by, sizeof(why_by), _("%s (approved by %s)"), why[0] ? why : "-", by);
		ca = ca_new(ctx, &err);
		if (ca == NULL) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return EXIT_FAILURE;
		}
		rc = ca_revoke(ca, serial, reason, why_by, &err);
		ca_free(ca);
		if (rc < 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return EXIT_FAILURE;
		}
		if (rc == 1) {
			fprintf(stderr, _("guitai: no valid certificate %s\n"), serial);
			return CMD_CA_INVALID;
		}
		printf(_("revoked %s\n"), serial);
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[1], "crl") == 0) {
		const char *out = "-";
		int days = 7;
		struct ca_local *loc;

		for (int i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
				out = argv[++i];
			} else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
				days = atoi(argv[++i]);
			} else {
				cmd_ca_usage();
				return CMD_CA_USAGE;
			}
		}
		if (days < 1 || days > 366) {
			cmd_ca_usage();
			return CMD_CA_USAGE;
		}
		if (ca_local_open(ctx, &loc, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return EXIT_FAILURE;
		}
		rc = ca_local_crl(loc, out, days, &err);
		ca_local_free(loc);
		if (rc != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return EXIT_FAILURE;
		}
		return EXIT_SUCCESS;
	}
	cmd_ca_usage();
	return CMD_CA_USAGE;
}
