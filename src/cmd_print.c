/* `guitai print`: see cmd_print.h. The same flow as the print screen
 * (src/flow/print.h), followed in a loop instead of on the clock tick. */
#include "config.h"
#include "cmd_print.h"
#include "cmd_operator.h"
#include "flow/issue.h"
#include "flow/print.h"
#include "flow/session.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2
#define EXIT_INVALID 3

static void cmd_print_usage(void)
{
	fprintf(stderr, "%s", _("usage: guitai print APPNO DOCUMENT [--to FILE.pdf | --printer NAME] [--pin-file FILE]\n"
				"                    [--by SUPERVISOR [--by-password-file FILE]]\n"
				"       guitai print APPNO --jobs\n"
				"       guitai print --resend JOB [--by SUPERVISOR [--by-password-file FILE]]\n"
				"       guitai print --check-templates [DIR]\n"
				"DOCUMENT: application-form, seal-sheet, receipt, handover, pin-mailer\n"));
}

static void cmd_print_progress(void *arg, const struct print_job_info *info)
{
	(void)arg;
	printf(_("job %lld: %s copy %d on %s: CUPS job %d %s\n"), info->row_id,
	       print_doc_name(info->doc), info->copy, info->dest[0] ? info->dest : _("(default printer)"),
	       info->cups_job,
	       spool_state_name(info->state));
	fflush(stdout);
}

/* Follow a started job to its end; the exit status says how it ended. */
static int cmd_print_follow(struct gt_ctx *ctx, struct print_job *job)
{
	struct print_job_info info;

	print_wait(ctx, job, &info, cmd_print_progress, NULL);
	print_job_free(job);
	if (info.state == SPOOL_COMPLETED)
		return EXIT_SUCCESS;
	fprintf(stderr, "guitai: %s\n", info.msg[0] ? info.msg : _(spool_state_label(info.state)));
	fprintf(stderr, _("guitai: send it again with: guitai print --resend %lld\n"), info.row_id);
	return EXIT_FAILURE;
}

static int cmd_print_jobs(struct gt_ctx *ctx, const char *app_no)
{
	struct print_job_info jobs[200];
	struct gt_err err;
	size_t n;

	if (print_list(ctx, app_no, jobs, 200, &n, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++)
		printf("%lld\t%s\t%d\t%s\t%d\t%s\t%s\n", jobs[i].row_id, print_doc_name(jobs[i].doc),
		       jobs[i].copy, jobs[i].dest[0] ? jobs[i].dest : "-", jobs[i].cups_job,
		       spool_state_name(jobs[i].state),
		       jobs[i].msg);
	return EXIT_SUCCESS;
}

int cmd_print_main(struct gt_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "printer", required_argument, NULL, 'p' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "jobs", no_argument, NULL, 'j' },
		{ "resend", required_argument, NULL, 'r' },
		{ "check-templates", no_argument, NULL, 'c' },
		{ "by", required_argument, NULL, 'B' },
		{ "by-password-file", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL, *printer = NULL, *pin_file = NULL, *resend = NULL;
	const char *by = NULL, *by_pwfile = NULL;
	int c, jobs = 0, check = 0, rc = EXIT_FAILURE, doc;
	struct application *app = NULL;
	struct print_job *job;
	char pin[64] = "";
	struct gt_err err;

	/* 0, not 1: a full restart, so options may follow the operands. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "t:p:P:jr:cB:W:", opts, NULL)) != -1) {
		if (c == 't')
			to = optarg;
		else if (c == 'p')
			printer = optarg;
		else if (c == 'P')
			pin_file = optarg;
		else if (c == 'j')
			jobs = 1;
		else if (c == 'r')
			resend = optarg;
		else if (c == 'c')
			check = 1;
		else if (c == 'B')
			by = optarg;
		else if (c == 'W')
			by_pwfile = optarg;
		else {
			cmd_print_usage();
			return EXIT_USAGE;
		}
	}
	if (check) {
		const char *dir = optind < argc ? argv[optind] : ctx->cfg.print_templates;

		if (optind + 1 < argc) {
			cmd_print_usage();
			return EXIT_USAGE;
		}
		if (print_check_templates(ctx, dir, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return EXIT_INVALID;
		}
		printf(_("templates in %s: all %d read without error\n"), dir, PRINT_DOCS);
		return EXIT_SUCCESS;
	}
	if (resend != NULL) {
		char *end;
		long long id = strtoll(resend, &end, 10);

		if (*end != '\0' || id <= 0 || optind != argc) {
			cmd_print_usage();
			return EXIT_USAGE;
		}
		/* The approval names no application here: the job row does. */
		if (by != NULL && cmd_approve(ctx, SESSION_APPROVE_REPRINT, "", by, by_pwfile) != 0)
			return EXIT_INVALID;
		if (print_resend(ctx, id, by, &job, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return err.invalid ? EXIT_INVALID : EXIT_FAILURE;
		}
		return cmd_print_follow(ctx, job);
	}
	if (jobs) {
		if (optind + 1 != argc) {
			cmd_print_usage();
			return EXIT_USAGE;
		}
		return cmd_print_jobs(ctx, argv[optind]);
	}
	if (optind + 2 != argc || (to != NULL && printer != NULL)) {
		cmd_print_usage();
		return EXIT_USAGE;
	}
	doc = print_doc_by_name(argv[optind + 1]);
	if (doc < 0) {
		fprintf(stderr, _("guitai: unknown document \"%s\"\n"), argv[optind + 1]);
		cmd_print_usage();
		return EXIT_USAGE;
	}
	app = calloc(1, sizeof(*app));
	if (app == NULL)
		return EXIT_FAILURE;
	if (issue_load(ctx, argv[optind], app, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		goto cleanup;
	}
	rc = EXIT_INVALID;
	if (app->status != APP_SUBMITTED) {
		fprintf(stderr, _("guitai: application %s is not submitted; its documents print "
				  "after review\n"), app->app_no);
		goto cleanup;
	}
	if (!print_doc_applies(ctx, app, (enum print_doc)doc)) {
		fprintf(stderr, _("guitai: the %s does not apply to %s\n"),
			_(print_doc_title((enum print_doc)doc)), app->app_no);
		goto cleanup;
	}
	/* A supervisor's approval, asked only when it is a reprint. */
	if (by != NULL) {
		int copy;

		if (print_next_copy(ctx, app->app_no, (enum print_doc)doc, &copy, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			rc = EXIT_FAILURE;
			goto cleanup;
		}
		if (copy > 1 && cmd_approve(ctx, SESSION_APPROVE_REPRINT, app->app_no, by, by_pwfile) != 0)
			goto cleanup;
		if (copy == 1)
			by = NULL;
	}
	/* From here a failure is the system's (exit 1) unless the flow says
	 * the request was refused (exit 3). */
	rc = EXIT_FAILURE;
	if (pin_file != NULL && cmd_read_secret(pin_file, pin, sizeof(pin), _("PIN")) != 0)
		goto cleanup;
	if (to != NULL) {
		int copy;

		if (print_to_file(ctx, app, (enum print_doc)doc, NULL, to, by, &copy, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			rc = err.invalid ? EXIT_INVALID : EXIT_FAILURE;
			goto cleanup;
		}
		printf(_("%s copy %d written to %s\n"), print_doc_name((enum print_doc)doc), copy, to);
		rc = EXIT_SUCCESS;
		goto cleanup;
	}
	if (print_start(ctx, app, (enum print_doc)doc, NULL, pin[0] ? pin : NULL, printer, by, &job,
			&err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		rc = err.invalid ? EXIT_INVALID : EXIT_FAILURE;
		goto cleanup;
	}
	str_wipe(pin, sizeof(pin));
	rc = cmd_print_follow(ctx, job);
cleanup:
	str_wipe(pin, sizeof(pin));
	if (app != NULL) {
		app_clear(app);
		free(app);
	}
	return rc;
}
