/* `guitai report daily`, `guitai settle close`, `guitai payment ...`; see
 * cmd_ledger.h. The flow does the work and writes the audit rows; this
 * file parses, asks for the supervisor's approval and prints. */
#include "config.h"
#include "cmd_ledger.h"
#include "cmd_operator.h"
#include "db/crypto.h"
#include "flow/payment.h"
#include "flow/print.h"
#include "flow/report.h"
#include "flow/session.h"
#include "model/catalog.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD_LEDGER_EXIT_FAIL 1
#define CMD_LEDGER_EXIT_USAGE 2
#define CMD_LEDGER_EXIT_INVALID 3

struct cmd_ledger_args {
	int day;
	const char *csv;
	const char *pdf;
	const char *printer;
	int print;
	const char *by;
	const char *by_pwfile;
	const char *reason;
	const char *app_no;
	const char *method;
	const char *reference;
	const char *account;
	const char *word;      /* the one positional argument, if any */
};

static void cmd_ledger_usage(void)
{
	fprintf(stderr, "%s", _("usage: guitai report daily [--date YYYY-MM-DD] [--csv FILE] "
				"[--pdf FILE] [--print | --printer NAME]\n"
				"       guitai settle close [--date YYYY-MM-DD] --by SUPERVISOR "
				"[--by-password-file F]\n"
				"       guitai payment list [--date YYYY-MM-DD | --app APPNO]\n"
				"       guitai payment void|refund ID --reason TEXT --by SUPERVISOR "
				"[--by-password-file F]\n"
				"       guitai payment take APPNO --method M [--reference R] "
				"[--account N]\n"));
}

/* Options after the verb; at most one positional word. */
static int cmd_ledger_parse(int argc, char **argv, struct cmd_ledger_args *a)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "csv", required_argument, NULL, 'c' },
		{ "pdf", required_argument, NULL, 'f' },
		{ "printer", required_argument, NULL, 'p' },
		{ "print", no_argument, NULL, 'P' },
		{ "by", required_argument, NULL, 'b' },
		{ "by-password-file", required_argument, NULL, 'B' },
		{ "reason", required_argument, NULL, 'r' },
		{ "app", required_argument, NULL, 'a' },
		{ "method", required_argument, NULL, 'm' },
		{ "reference", required_argument, NULL, 'R' },
		{ "account", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->day = ctx_today_ymd();
	/* 0: a fresh scan, so options may come before or after the word. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "d:c:f:p:Pb:B:r:a:m:R:A:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->day = report_parse_day(optarg);
			if (a->day == 0) {
				fprintf(stderr, _("guitai: not a date (YYYY-MM-DD): %s\n"), optarg);
				return -1;
			}
			break;
		case 'c':
			a->csv = optarg;
			break;
		case 'f':
			a->pdf = optarg;
			break;
		case 'p':
			a->printer = optarg;
			a->print = 1;
			break;
		case 'P':
			a->print = 1;
			break;
		case 'b':
			a->by = optarg;
			break;
		case 'B':
			a->by_pwfile = optarg;
			break;
		case 'r':
			a->reason = optarg;
			break;
		case 'a':
			a->app_no = optarg;
			break;
		case 'm':
			a->method = optarg;
			break;
		case 'R':
			a->reference = optarg;
			break;
		case 'A':
			a->account = optarg;
			break;
		default:
			return -1;
		}
	}
	if (argc - optind > 1)
		return -1;
	if (optind < argc)
		a->word = argv[optind];
	return 0;
}

static void cmd_ledger_print(void *arg, enum report_line_kind kind, const char *line)
{
	(void)arg;
	if (kind == REPORT_HEADING)
		putchar('\n');
	puts(line);
}

static void cmd_ledger_progress(void *arg, const struct print_job_info *info)
{
	(void)arg;
	fprintf(stderr, _("job %lld: %s copy %d on %s: CUPS job %d %s\n"), info->row_id,
		print_doc_name(info->doc), info->copy,
		info->dest[0] ? info->dest : _("(default printer)"), info->cups_job,
		spool_state_name(info->state));
}

/* As cmd_print_follow, with the progress on stderr. */
static int cmd_ledger_follow(struct gt_ctx *ctx, struct print_job *job)
{
	struct print_job_info info;

	print_wait(ctx, job, &info, cmd_ledger_progress, NULL);
	print_job_free(job);
	if (info.state == SPOOL_COMPLETED) {
		log_msg("report: settlement printed, job %lld", info.row_id);
		return EXIT_SUCCESS;
	}
	fprintf(stderr, "guitai: %s\n", info.msg[0] ? info.msg : _(spool_state_label(info.state)));
	fprintf(stderr, _("guitai: send it again with: guitai print --resend %lld\n"), info.row_id);
	return CMD_LEDGER_EXIT_FAIL;
}

static int cmd_ledger_report(struct gt_ctx *ctx, const struct cmd_ledger_args *a)
{
	struct report r;
	struct gt_err err;
	int rc = EXIT_SUCCESS;

	if (report_daily(ctx, a->day, &r, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return CMD_LEDGER_EXIT_FAIL;
	}
	report_format(&r, cmd_ledger_print, NULL);
	if (a->csv != NULL) {
		if (report_csv(ctx, &r, a->csv, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			rc = CMD_LEDGER_EXIT_FAIL;
		} else {
			log_msg("report: daily %d exported to %s", a->day, a->csv);
		}
	}
	/* The printed settlement: a PDF file and/or a job followed to its end
	 * (each recorded in print_jobs and the audit trail). */
	if (rc == EXIT_SUCCESS && a->pdf != NULL) {
		int copy;

		if (print_settlement_to_file(ctx, &r, a->pdf, &copy, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			rc = CMD_LEDGER_EXIT_FAIL;
		} else {
			fprintf(stderr, _("settlement copy %d written to %s\n"), copy, a->pdf);
			log_msg("report: daily %d as PDF to %s", a->day, a->pdf);
		}
	}
	if (rc == EXIT_SUCCESS && a->print) {
		struct print_job *job;

		fflush(stdout);
		if (print_settlement_start(ctx, &r, a->printer, &job, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			rc = CMD_LEDGER_EXIT_FAIL;
		} else {
			/* The job's states go to stderr: stdout is the report. */
			rc = cmd_ledger_follow(ctx, job);
		}
	}
	if (rc == EXIT_SUCCESS && r.closed && !r.digest_matches)
		rc = CMD_LEDGER_EXIT_INVALID;
	report_free(&r);
	return rc;
}

static int cmd_ledger_close(struct gt_ctx *ctx, const struct cmd_ledger_args *a)
{
	struct ledger_closing c;
	struct gt_err err;
	char head[2 * LEDGER_DIGEST_BYTES + 1], day[16];

	if (a->word != NULL) {
		cmd_ledger_usage();
		return CMD_LEDGER_EXIT_USAGE;
	}
	/* Say it is closed before the supervisor types a password for nothing. */
	report_day_text(a->day, day, sizeof(day));
	if (ledger_closing_get(ctx->store, a->day, NULL, &err) == 0) {
		fprintf(stderr, _("guitai: %s is closed already\n"), day);
		return CMD_LEDGER_EXIT_FAIL;
	}
	if (cmd_approve(ctx, SESSION_APPROVE_CLOSE, "", a->by, a->by_pwfile) != 0)
		return CMD_LEDGER_EXIT_FAIL;
	if (report_close(ctx, a->day, a->by, &c, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return CMD_LEDGER_EXIT_FAIL;
	}
	report_day_text(c.day, day, sizeof(day));
	crypto_hex(c.audit_head, LEDGER_DIGEST_BYTES, head);
	printf(_("closed %s: %lld payment rows; audit head %lld %s\n"), day, c.rows, c.audit_seq,
	       head);
	log_msg("settle: %s closed, approved by %s", day, a->by);
	return EXIT_SUCCESS;
}

static int cmd_ledger_list_row(void *arg, const struct ledger_payment *p)
{
	char amount[32], when[32], day[16], account[48];
	time_t t = (time_t)p->at;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	catalog_format_fen((long)p->amount_fen, amount, sizeof(amount));
	report_day_text(p->day, day, sizeof(day));
	payment_account_shown(arg, p, account, sizeof(account));
	printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", p->id, p->kind, p->app_no,
	       p->method, amount, p->reference[0] ? p->reference : "-",
	       account[0] ? account : "-", p->operator_name, p->terminal, when, day);
	if (p->original != 0)
		printf("\t%s #%lld; %s %s", _("of"), p->original, _("approved by"), p->approved_by);
	else if (p->reversed_by != 0)
		printf("\t%s #%lld", _("reversed by"), p->reversed_by);
	putchar('\n');
	return 0;
}

static int cmd_ledger_payment(struct gt_ctx *ctx, const char *verb,
			      const struct cmd_ledger_args *a)
{
	struct gt_err err;
	long long id = 0, new_id;
	char *end = NULL;

	if (strcmp(verb, "list") == 0) {
		if (a->word != NULL) {
			cmd_ledger_usage();
			return CMD_LEDGER_EXIT_USAGE;
		}
		if (ledger_each(ctx->store, a->app_no, a->app_no ? 0 : a->day, cmd_ledger_list_row,
				ctx, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return CMD_LEDGER_EXIT_FAIL;
		}
		return EXIT_SUCCESS;
	}
	if (strcmp(verb, "take") == 0) {
		if (a->word == NULL || a->method == NULL) {
			cmd_ledger_usage();
			return CMD_LEDGER_EXIT_USAGE;
		}
		if (payment_take_again(ctx, a->word, a->method, a->reference ? a->reference : "",
				       a->account, &new_id, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return CMD_LEDGER_EXIT_FAIL;
		}
		printf("%lld\n", new_id);
		log_msg("payment: #%lld taken for %s", new_id, a->word);
		return EXIT_SUCCESS;
	}
	if (a->word != NULL)
		id = strtoll(a->word, &end, 10);
	if (a->word == NULL || end == NULL || *end != '\0' || id <= 0 || a->reason == NULL) {
		cmd_ledger_usage();
		return CMD_LEDGER_EXIT_USAGE;
	}
	{
		enum payment_reversal how = strcmp(verb, "void") == 0 ? PAYMENT_VOID : PAYMENT_REFUND;
		struct ledger_payment p;
		int got;

		/* Say what is wrong before the supervisor types a password. */
		if (payment_can_reverse(ctx, id, how, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return CMD_LEDGER_EXIT_FAIL;
		}
		got = ledger_get(ctx->store, id, &p, &err);
		if (got != 0 ||
		    cmd_approve(ctx, how == PAYMENT_VOID ? SESSION_APPROVE_VOID : SESSION_APPROVE_REFUND,
				p.app_no, a->by, a->by_pwfile) != 0) {
			if (got < 0)
				fprintf(stderr, "guitai: %s\n", err.msg);
			return CMD_LEDGER_EXIT_FAIL;
		}
		if (payment_reverse(ctx, id, how, a->reason, a->by, &new_id, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return CMD_LEDGER_EXIT_FAIL;
		}
		printf("%lld\n", new_id);
		log_msg("payment: #%lld %s of #%lld, approved by %s", new_id, verb, id, a->by);
	}
	return EXIT_SUCCESS;
}

int cmd_ledger_main(struct gt_ctx *ctx, int argc, char **argv)
{
	const char *what = argv[0], *verb = argc >= 2 ? argv[1] : "";
	struct cmd_ledger_args a;

	if (cmd_ledger_parse(argc - 1, argv + 1, &a) != 0)
		goto usage;
	if (strcmp(what, "report") == 0 && strcmp(verb, "daily") == 0 && a.word == NULL)
		return cmd_ledger_report(ctx, &a);
	if (strcmp(what, "settle") == 0 && strcmp(verb, "close") == 0)
		return cmd_ledger_close(ctx, &a);
	if (strcmp(what, "payment") == 0 &&
	    (strcmp(verb, "list") == 0 || strcmp(verb, "take") == 0 || strcmp(verb, "void") == 0 ||
	     strcmp(verb, "refund") == 0))
		return cmd_ledger_payment(ctx, verb, &a);
usage:
	cmd_ledger_usage();
	return CMD_LEDGER_EXIT_USAGE;
}
