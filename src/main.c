/* guitai entry point: global options, then one sub-command, or the counter
 * UI when none is given. Every TUI action has a sub-command here that does
 * the same through the same flow, without a terminal.
 *
 * Exit status: 0 done, 1 failure, 2 usage error, 3 invalid data. */
#include "config.h"
#include "ca/ca.h"
#include "cmd_audit.h"
#include "cmd_ca.h"
#include "cmd_token.h"
#include "cmd_idcard.h"
#include "cmd_print.h"
#include "cmd_ledger.h"
#include "cmd_operator.h"
#include "cmd_search.h"
#include "db/store.h"
#include "flow/ctx.h"
#include "flow/issue.h"
#include "flow/session.h"
#include "model/region.h"
#include "screens/ui.h"
#include "token/p11.h"
#include "util/i18n.h"
#include "util/ini.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_INVALID 3

static void main_usage(FILE *out)
{
	fprintf(out, "%s", _("Usage: guitai [--config FILE] [COMMAND [ARGS]]\n"
		"\n"
		"Without a command, start the counter (a terminal of 80x24 or larger).\n"
		"\n"
		"Commands:\n"
		"  issue --batch FILE [--operator NAME [--password-file F]] [--by SUPERVISOR]\n"
		"                       check and store one new application from an INI file\n"
		"                       (as that operator, logged in by password; else as the\n"
		"                       system account running the command)\n"
		"  show APPNO [--full]  print an application (personal numbers masked)\n"
		"  list [--status draft|submitted|cancelled] [--limit N]\n"
		"                       list applications of this terminal, newest first\n"
		"  operator add NAME [--role operator|supervisor|auditor] [--password-file FILE]\n"
		"               [--by SUPERVISOR [--by-password-file FILE]]\n"
		"                       add an operator (the first one: a supervisor, no --by)\n"
		"  operator passwd NAME --by WHO | disable NAME --by SUP | enable NAME --by SUP\n"
		"  operator list\n"
		"  report daily [--date YYYY-MM-DD] [--csv FILE] [--pdf FILE]\n"
		"               [--print | --printer NAME]\n"
		"                       the daily settlement: totals by operator, terminal, method;\n"
		"                       as CSV, as PDF, or printed through CUPS\n"
		"  settle close [--date YYYY-MM-DD] --by SUPERVISOR\n"
		"                       close a day: its payments can no longer change\n"
		"  payment list [--date YYYY-MM-DD | --app APPNO]\n"
		"  payment void|refund ID --reason TEXT --by SUPERVISOR\n"
		"  payment take APPNO --method M [--reference R] [--account N]\n"
		"  search QUERY [--kind app|uscc|name|id|mobile|account] [--limit N]\n"
		"                       find applications (personal numbers masked)\n"
		"  issue --batch FILE --token auto|READER [--pin-file F] [--mailer-printer NAME]\n"
		"                       ... and personalise a blank key for it (issue 4)\n"
		"  token list | info [--serial S] | readers | pending\n"
		"  token personalise APPNO [--pin-file F] [--rollback]\n"
		"                       personalise a key, resume, or roll back\n"
		"  ca init | list [APPNO] | revoke SERIAL [--reason N] --by SUPERVISOR\n"
		"        | crl [--out FILE]\n"
		"                       the built-in CA\n"
		"  print APPNO DOCUMENT [--to FILE.pdf | --printer NAME]\n"
		"                       print application-form, seal-sheet, receipt, handover\n"
		"                       or pin-mailer, following the job to its end\n"
		"  print APPNO --jobs | print --resend JOB\n"
		"  catalog              list the applications, terms and prices on offer\n"
		"  region CODE          show the province, city and district of a code\n"
		"  paths                show the configuration file and paths in use\n"
		"  idcard read [--device PATH] [--json] [--full]\n"
		"                       read the ID card on the reader (number masked)\n"
		"  idcard status        check the reader\n"
		"  audit verify [--bundle FILE] [--key-file FILE]\n"
		"                       check the audit trail (or an exported bundle)\n"
		"  audit export FILE    write the audit trail as a bundle that verifies elsewhere\n"
		"  audit list [--limit N]\n"
		"                       print the latest audit rows\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE    use this configuration file\n"
		"  -h, --help           show this help\n"
		"  -V, --version        show the version\n"
		"\n"
		"Exit status: 0 done, 1 failure, 2 usage error, 3 invalid data.\n"
		"See guitai(1) and guitai.conf(5).\n"));
}

static int main_open(struct gt_ctx *ctx, const char *config_path)
{
	struct gt_err err;

	if (ctx_open(ctx, config_path, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return -1;
	}
	if (log_open(ctx->cfg.log_path, &err) != 0)
		fprintf(stderr, "guitai: %s\n", err.msg);
	/* A changed configuration is in the trail from the start; when it
	 * cannot be written now, the first audited action refuses. */
	if (ctx_record_config(ctx, &err) != 0)
		log_msg("audit: configuration change not recorded at start: %s", err.msg);
	return 0;
}

static int cmd_issue(struct gt_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", required_argument, NULL, 'b' },
		{ "operator", required_argument, NULL, 'o' },
		{ "password-file", required_argument, NULL, 'W' },
		{ "by", required_argument, NULL, 'B' },
		{ "by-password-file", required_argument, NULL, 'P' },
		{ "token", required_argument, NULL, 'T' },
		{ "pin-file", required_argument, NULL, 'N' },
		{ "mailer-printer", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct issue_batch_result *res;
	struct tok_opening *opening = NULL;
	const char *batch = NULL, *op = NULL, *pwfile = NULL, *by = NULL, *by_pwfile = NULL;
	const char *token = NULL, *pin_file = NULL, *mailer = NULL;
	struct gt_err err;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:o:", opts, NULL)) != -1) {
		if (c == 'b')
			batch = optarg;
		else if (c == 'o')
			op = optarg;
		else if (c == 'W')
			pwfile = optarg;
		else if (c == 'B')
			by = optarg;
		else if (c == 'P')
			by_pwfile = optarg;
		else if (c == 'T')
			token = optarg;
		else if (c == 'N')
			pin_file = optarg;
		else if (c == 'M')
			mailer = optarg;
		else
			return EXIT_USAGE;
	}
	if (batch == NULL || optind != argc || (pwfile != NULL && op == NULL)) {
		fprintf(stderr, "%s", _("usage: guitai issue --batch FILE [--operator NAME "
					"[--password-file F]] [--by SUPERVISOR [--by-password-file F]]\n"));
		return EXIT_USAGE;
	}
	/* --token without the PIN it needs, or without a CA to issue: said
	 * before anything is stored. */
	if (token != NULL && !ctx->cfg.token_random_pin && pin_file == NULL) {
		fprintf(stderr, "%s", _("guitai: a PIN is needed: --pin-file FILE (\"-\": "
					"standard input)\n"));
		return EXIT_USAGE;
	}
	if (token != NULL && ca_check(ctx, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	/* An operator named is an operator logged in: their password, checked
	 * like a log-in at the counter (lock-out, audit). Without one the
	 * batch is the system account's that runs the command ("@user"), as
	 * every other sub-command without a log-in is. */
	if (op != NULL && cmd_operator_login(ctx, op, pwfile) != 0)
		return EXIT_FAILURE;
	/* A supervisor approves a USCC override in the file (issue 6). */
	if (by != NULL && cmd_approve(ctx, SESSION_APPROVE_USCC, "", by, by_pwfile) != 0) {
		session_logout(ctx);
		return EXIT_FAILURE;
	}
	res = calloc(1, sizeof(*res));
	if (res == NULL) {
		session_logout(ctx);
		return EXIT_FAILURE;
	}
	/* The number, the record and a personalisation are several commits:
	 * the audit head anchor is written once, after the last. */
	ctx_anchor_hold(ctx);
	/* --token auto: the key module loads while the application is
	 * stored (it only lists the slots; no key is touched before the
	 * record and the journal say so). */
	if (token != NULL && strcmp(token, "auto") == 0)
		opening = tok_open_start(ctx->cfg.token_module);
	rc = issue_batch_approved(ctx, batch, NULL, by, res, &err);
	if (rc == 0) {
		printf("%s\n", res->app_no);
		log_msg("batch: stored %s", res->app_no);
		/* --token: personalise a key for it at once (issue 4). */
		if (token != NULL) {
			fflush(stdout);
			rc = cmd_token_issue(ctx, res->app_no, token, pin_file, mailer, opening);
			free(res);
			ctx_anchor_release(ctx);
			session_logout(ctx);
			return rc;
		}
	} else if (rc == 1) {
		for (size_t i = 0; i < res->nerrors; i++)
			printf("%s: %s\n", res->errors[i].where, res->errors[i].msg);
		log_msg("batch: %s refused with %zu problems", batch, res->nerrors);
	} else {
		fprintf(stderr, "guitai: %s\n", err.msg);
	}
	/* Not stored: the module opened ahead is closed unused. */
	tok_open_drop(opening);
	free(res);
	ctx_anchor_release(ctx);
	session_logout(ctx);
	return rc == 0 ? EXIT_SUCCESS : rc == 1 ? EXIT_INVALID : EXIT_FAILURE;
}

static int cmd_show(struct gt_ctx *ctx, int argc, char **argv)
{
	struct application *app;
	int full = 0, rc = EXIT_FAILURE;
	const char *app_no = NULL;
	struct gt_err err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--full") == 0)
			full = 1;
		else if (app_no == NULL && argv[i][0] != '-')
			app_no = argv[i];
		else
			app_no = "";
	}
	if (app_no == NULL || app_no[0] == '\0') {
		fprintf(stderr, "%s", _("usage: guitai show APPNO [--full]\n"));
		return EXIT_USAGE;
	}
	app = calloc(1, sizeof(*app));
	if (app == NULL)
		return EXIT_FAILURE;
	if (issue_load(ctx, app_no, app, &err) != 0 ||
	    /* Unmasked personal numbers are shown only once that is in the
	     * audit trail. */
	    (full && ctx_audit(ctx, "app.show_full", app_no, &err, "printed unmasked") != 0)) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		goto out;
	}
	printf("; %s %s, %s %s\n", _("application"), app->app_no, _("status"),
	       app->status == APP_SUBMITTED ? "submitted" :
	       app->status == APP_CANCELLED ? "cancelled" : "draft");
	{
		const char *section = "";

		for (int f = 0; f < AF_COUNT; f++) {
			char shown[APP_VALUE_MAX], quoted[2 * APP_VALUE_MAX + 3];

			if (app_get(app, (enum app_field)f)[0] == '\0')
				continue;
			if (strcmp(section, app_fields[f].section) != 0) {
				section = app_fields[f].section;
				printf("\n[%s]\n", section);
			}
			app_display_value(app, (enum app_field)f, shown, sizeof(shown), full);
			/* Quoted where needed, so the output reads back as a batch. */
			if (ini_quote(shown, quoted, sizeof(quoted)) != 0)
				str_copy(quoted, sizeof(quoted), shown);
			printf("%s = %s\n", app_fields[f].key, quoted);
		}
	}
	if (full)
		log_msg("show: %s printed unmasked", app_no);
	rc = EXIT_SUCCESS;
out:
	app_clear(app);
	free(app);
	return rc;
}

static const char *main_step_name(int step)
{
	return step >= 0 && step < ISSUE_STEPS ? _(issue_step(step)->title) : "?";
}

static int cmd_list(struct gt_ctx *ctx, int argc, char **argv)
{
	struct store_app_summary *rows;
	const char *status = NULL;
	long limit = 50;
	struct gt_err err;
	size_t n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			status = argv[++i];
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
			limit = strtol(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "%s", _("usage: guitai list [--status S] [--limit N]\n"));
			return EXIT_USAGE;
		}
	}
	if (limit <= 0 || limit > 100000) {
		fprintf(stderr, "%s", _("--limit takes 1 to 100000\n"));
		return EXIT_USAGE;
	}
	rows = calloc((size_t)limit, sizeof(*rows));
	if (rows == NULL)
		return EXIT_FAILURE;
	if (store_app_list(ctx->store, status, ctx->cfg.terminal_id, rows, (size_t)limit, &n,
			   &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		free(rows);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		char when[32];
		time_t t = (time_t)rows[i].updated_at;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", rows[i].app_no, rows[i].status, when,
		       main_step_name(rows[i].step), rows[i].uscc, rows[i].org_name);
	}
	free(rows);
	return EXIT_SUCCESS;
}

static int cmd_catalog(struct gt_ctx *ctx)
{
	char unit[32];

	for (size_t i = 0; i < ctx->catalog.nprojects; i++) {
		const struct catalog_project *p = &ctx->catalog.projects[i];

		printf("%s\t%s\t", p->key, p->name);
		printf("%s%s%s\t", p->cert_org ? "org" : "", p->cert_org && p->cert_person ? "," : "",
		       p->cert_person ? "person" : "");
		for (size_t t = 0; t < p->nterms; t++)
			printf("%s%d", t ? "," : "", p->terms[t]);
		printf("\teseal=%s\n", p->eseal ? "yes" : "no");
	}
	catalog_format_fen(ctx->catalog.medium_fen, unit, sizeof(unit));
	printf("medium\t%s\n", unit);
	catalog_format_fen(ctx->catalog.org_per_year_fen, unit, sizeof(unit));
	printf("org_per_year\t%s\n", unit);
	catalog_format_fen(ctx->catalog.person_per_year_fen, unit, sizeof(unit));
	printf("person_per_year\t%s\n", unit);
	catalog_format_fen(ctx->catalog.eseal_per_year_fen, unit, sizeof(unit));
	printf("eseal_per_year\t%s\n", unit);
	return EXIT_SUCCESS;
}

static int cmd_region(struct gt_ctx *ctx, int argc, char **argv)
{
	char prov[7], city[7], county[7];
	const char *codes[3] = { prov, city, county };
	int level;

	if (argc != 2 || strlen(argv[1]) != 6 || !str_is_digits(argv[1], 6)) {
		fprintf(stderr, "%s", _("usage: guitai region CODE (six digits)\n"));
		return EXIT_USAGE;
	}
	level = region_split(ctx->regions, argv[1], prov, city, county);
	if (level == 0) {
		fprintf(stderr, _("guitai: %s is not in the division table\n"), argv[1]);
		return EXIT_INVALID;
	}
	for (int i = 0; i < 3; i++) {
		const struct region *r = codes[i][0] ? region_find(ctx->regions, codes[i]) : NULL;

		if (r != NULL)
			printf("%s\t%s\n", r->code, r->name);
	}
	return EXIT_SUCCESS;
}

static int cmd_paths(struct gt_ctx *ctx)
{
	printf("config\t%s\n", ctx->cfg.path[0] ? ctx->cfg.path : _("(none; built-in defaults)"));
	printf("data_dir\t%s\n", ctx->cfg.data_dir);
	printf("database\t%s\n", ctx->cfg.db_path);
	printf("key_file\t%s\n", ctx->cfg.key_file);
	printf("catalog\t%s\n", ctx->cfg.catalog_path);
	printf("regions\t%s\n", ctx->cfg.regions_path);
	printf("log\t%s\n", ctx->cfg.log_path);
	printf("terminal\t%s\n", ctx->cfg.terminal_id);
	printf("schema\t%d\n", store_schema_version(ctx->store));
	return EXIT_SUCCESS;
}

/* The counter cannot be used by nobody: with no operator yet, say how the
 * first supervisor is made (a command, so the password is never typed in
 * front of a customer on a half-set-up counter). */
static int main_ui(struct gt_ctx *ctx)
{
	size_t n, supervisors;
	struct gt_err err;

	if (session_operator_count(ctx, &n, &supervisors, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	if (n == 0) {
		fprintf(stderr, _("guitai: there is no operator yet. Create the first supervisor "
				  "with:\n  guitai%s%s operator add NAME --role supervisor\n(the "
				  "password is read from standard input), then start guitai again.\n"),
			ctx->cfg.path[0] ? " --config " : "", ctx->cfg.path);
		return EXIT_FAILURE;
	}
	return ui_run(ctx);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *cmd;
	struct gt_ctx ctx;
	int c, rc;

	/* The process ends with exit(): the system takes back OpenSSL's
	 * memory, and its clean-up at exit only spent ~0.5 ms of every
	 * sub-command freeing it (bench/issuance). */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, getenv("GUITAI_LOCALEDIR") ? getenv("GUITAI_LOCALEDIR") : LOCALEDIR);
	textdomain(PACKAGE);

	/* '+': stop at the sub-command so its own options reach it. */
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'h':
			main_usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("%s\n", PACKAGE_STRING);
			return EXIT_SUCCESS;
		default:
			main_usage(stderr);
			return EXIT_USAGE;
		}
	}
	cmd = optind < argc ? argv[optind] : NULL;
	if (cmd != NULL && strcmp(cmd, "help") == 0) {
		main_usage(stdout);
		return EXIT_SUCCESS;
	}
	if (cmd != NULL && strcmp(cmd, "issue") != 0 && strcmp(cmd, "show") != 0 &&
	    strcmp(cmd, "list") != 0 && strcmp(cmd, "operator") != 0 &&
	    strcmp(cmd, "catalog") != 0 && strcmp(cmd, "region") != 0 &&
	    strcmp(cmd, "paths") != 0 && strcmp(cmd, "idcard") != 0 &&
	    strcmp(cmd, "audit") != 0 && strcmp(cmd, "report") != 0 &&
	    strcmp(cmd, "settle") != 0 && strcmp(cmd, "payment") != 0 &&
	    strcmp(cmd, "search") != 0 && strcmp(cmd, "token") != 0 &&
	    strcmp(cmd, "ca") != 0 && strcmp(cmd, "print") != 0) {
		fprintf(stderr, _("guitai: unknown command \"%s\"\n"), cmd);
		main_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(cmd ? cmd : "", "idcard") == 0) {
		/* The reader needs the configuration only, not the database:
		 * it must work on a counter whose database is being repaired. */
		struct gt_err err;

		if (config_load(&ctx.cfg, config_path, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return EXIT_FAILURE;
		}
		return cmd_idcard_main(&ctx.cfg, argc - optind, argv + optind);
	}
	if (strcmp(cmd ? cmd : "", "audit") == 0)
		/* A bundle verifies without a database: audit opens what it needs. */
		return cmd_audit_main(config_path, argc - optind, argv + optind);
	if (main_open(&ctx, config_path) != 0)
		return EXIT_FAILURE;
	argc -= optind;
	argv += optind;
	if (cmd == NULL)
		rc = main_ui(&ctx);
	else if (strcmp(cmd, "issue") == 0)
		rc = cmd_issue(&ctx, argc, argv);
	else if (strcmp(cmd, "show") == 0)
		rc = cmd_show(&ctx, argc, argv);
	else if (strcmp(cmd, "list") == 0)
		rc = cmd_list(&ctx, argc, argv);
	else if (strcmp(cmd, "operator") == 0)
		rc = cmd_operator_main(&ctx, argc, argv);
	else if (strcmp(cmd, "report") == 0 || strcmp(cmd, "settle") == 0 ||
		 strcmp(cmd, "payment") == 0)
		rc = cmd_ledger_main(&ctx, argc, argv);
	else if (strcmp(cmd, "search") == 0)
		rc = cmd_search_main(&ctx, argc, argv);
	else if (strcmp(cmd, "token") == 0)
		rc = cmd_token_main(&ctx, argc, argv);
	else if (strcmp(cmd, "ca") == 0)
		rc = cmd_ca_main(&ctx, argc, argv);
	else if (strcmp(cmd, "print") == 0)
		rc = cmd_print_main(&ctx, argc, argv);
	else if (strcmp(cmd, "catalog") == 0)
		rc = cmd_catalog(&ctx);
	else if (strcmp(cmd, "region") == 0)
		rc = cmd_region(&ctx, argc, argv);
	else
		rc = cmd_paths(&ctx);
	ctx_close(&ctx);
	log_close();
	return rc;
}
