/* bench/render (issue 5): the time to render documents and hand them to
 * CUPS, through the same flow as the counter (src/flow/print.h).
 *
 *   render -c CONF --app APPNO render [--runs N]
 *       one document (the application form) rendered in memory, warm:
 *       one untimed render first, then N timed; prints one line per run
 *       (milliseconds).
 *   render -c CONF --app APPNO issuance [--runs N]
 *       all documents of one issuance (application form, seal sheet,
 *       receipt, hand-over slip) rendered, recorded and handed to CUPS,
 *       timed from the first start to the last job accepted by the
 *       scheduler; each run then waits (untimed) for the jobs to finish.
 *       Needs [print] allow_reprint = yes (every run after the first is a
 *       reprint) and a print server (bench/render.sh starts a private one).
 *
 * BENCH_PHASES=1 also prints, per issuance run, the time to start the four
 * jobs and the wait until CUPS had accepted them (standard error).
 *
 * bench/render.sh runs both, the LibreOffice baseline, and prints the
 * figures side by side. */
#include "config.h"
#include "flow/ctx.h"
#include "flow/issue.h"
#include "flow/print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double bench_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static int bench_render(struct gt_ctx *ctx, const struct application *app, int runs)
{
	for (int r = -1; r < runs; r++) {
		struct timespec a, b;
		unsigned char *pdf;
		struct gt_err err;
		size_t len;

		clock_gettime(CLOCK_MONOTONIC, &a);
		if (print_render_mem(ctx, app, PRINT_APP_FORM, NULL, &pdf, &len, &err) != 0) {
			fprintf(stderr, "render: %s\n", err.msg);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		print_pdf_free(pdf, len);
		if (r >= 0)
			printf("%.3f\n", bench_ms(&a, &b));
	}
	return 0;
}

static int bench_issuance(struct gt_ctx *ctx, const struct application *app, int runs)
{
	static const enum print_doc docs[] = { PRINT_APP_FORM, PRINT_SEAL_SHEET, PRINT_RECEIPT,
					       PRINT_HANDOVER };
	enum { NDOCS = sizeof(docs) / sizeof(docs[0]) };

	for (int r = -1; r < runs; r++) {
		struct print_job *jobs[NDOCS] = { NULL };
		struct print_job_info info[NDOCS];
		int handed[NDOCS] = { 0 }, left = NDOCS, rc = 0;
		struct timespec a, s, b;
		struct gt_err err;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (size_t i = 0; i < NDOCS; i++)
			if (print_start(ctx, app, docs[i], NULL, NULL, NULL, NULL, &jobs[i], &err) != 0) {
				fprintf(stderr, "render: %s\n", err.msg);
				rc = 1;
				goto done;
			}
		clock_gettime(CLOCK_MONOTONIC, &s);
		/* Accepted by the scheduler = the job left "new". */
		while (left > 0) {
			struct timespec ts = { 0, 200000 };

			for (size_t i = 0; i < NDOCS; i++) {
				if (handed[i])
					continue;
				print_poll(ctx, jobs[i], &info[i]);
				if (info[i].state != SPOOL_NEW) {
					if (info[i].state == SPOOL_FAILED) {
						fprintf(stderr, "render: %s\n", info[i].msg);
						rc = 1;
						goto done;
					}
					handed[i] = 1;
					left--;
				}
			}
			nanosleep(&ts, NULL);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (r >= 0) {
			if (getenv("BENCH_PHASES") != NULL)
				fprintf(stderr, "started %.1f ms, then accepted %.1f ms later\n",
					bench_ms(&a, &s), bench_ms(&s, &b));
			printf("%.3f\n", bench_ms(&a, &b));
			fflush(stdout);
		}
done:
		/* Untimed: let every job finish so the next run starts clean. */
		for (size_t i = 0; i < NDOCS; i++)
			if (jobs[i] != NULL) {
				print_wait(ctx, jobs[i], &info[i], NULL, NULL);
				print_job_free(jobs[i]);
			}
		if (rc != 0)
			return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *conf = NULL, *app_no = NULL, *mode = NULL;
	struct application *app = calloc(1, sizeof(*app));
	struct gt_ctx ctx;
	struct gt_err err;
	int runs = 30, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf = argv[++i];
		else if (strcmp(argv[i], "--app") == 0 && i + 1 < argc)
			app_no = argv[++i];
		else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (mode == NULL && argv[i][0] != '-')
			mode = argv[i];
		else
			mode = "";
	}
	if (app == NULL || app_no == NULL || mode == NULL || runs < 1 ||
	    (strcmp(mode, "render") != 0 && strcmp(mode, "issuance") != 0)) {
		fprintf(stderr, "usage: render -c CONF --app APPNO render|issuance [--runs N]\n");
		free(app);
		return 2;
	}
	if (ctx_open(&ctx, conf, &err) != 0) {
		fprintf(stderr, "render: %s\n", err.msg);
		free(app);
		return 1;
	}
	if (issue_load(&ctx, app_no, app, &err) != 0) {
		fprintf(stderr, "render: %s\n", err.msg);
		ctx_close(&ctx);
		free(app);
		return 1;
	}
	rc = strcmp(mode, "render") == 0 ? bench_render(&ctx, app, runs)
					  : bench_issuance(&ctx, app, runs);
	app_clear(app);
	free(app);
	ctx_close(&ctx);
	return rc;
}
