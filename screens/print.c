/* The print screen: the documents of one application, each with its latest
 * job and that job's state, followed live while the operator waits; print
 * a document, send a failed one again. All printing goes through
 * src/flow/print.h; this file only draws and reads keys, and polls the
 * running jobs on the clock tick (the flow writes their states to the
 * database and the audit trail). ui_print_pick chooses the application
 * first (the home menu's Reprint). */
#include "config.h"
#include "screens/ui.h"
#include "screens/accounts.h"
#include "db/store.h"
#include "flow/issue.h"
#include "flow/print.h"
#include "flow/session.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PRINT_SCREEN_TICK_MS 200
#define PRINT_SCREEN_HISTORY 64

struct print_row {
	enum print_doc doc;
	int have;                    /* a job exists (info valid) */
	struct print_job_info info;  /* the latest job of this document */
	struct print_job *job;       /* running now, or NULL */
};

struct print_screen {
	struct gt_ctx *ctx;
	struct application *app;
	struct print_row rows[PRINT_DOCS];
	size_t nrows;
	int cur;
	char msg[600];
	enum ui_color msg_color;
};

/* The latest recorded job of each document (when none is running). */
static void print_screen_load(struct print_screen *ps)
{
	struct print_job_info *jobs = calloc(PRINT_SCREEN_HISTORY, sizeof(*jobs));
	struct gt_err err;
	size_t n = 0;

	if (jobs == NULL)
		return;
	if (print_list(ps->ctx, ps->app->app_no, jobs, PRINT_SCREEN_HISTORY, &n, &err) != 0) {
		snprintf(ps->msg, sizeof(ps->msg), "%s", err.msg);
		ps->msg_color = UI_C_ERROR;
	}
	for (size_t r = 0; r < ps->nrows; r++) {
		if (ps->rows[r].job != NULL)
			continue;
		ps->rows[r].have = 0;
		/* Newest first: the first row of the document is its latest. */
		for (size_t i = 0; i < n; i++)
			if (jobs[i].doc == ps->rows[r].doc) {
				ps->rows[r].info = jobs[i];
				ps->rows[r].have = 1;
				break;
			}
	}
	free(jobs);
}

static void print_screen_state(const struct print_row *row, char *out, size_t size)
{
	const char *dest = row->info.dest[0] ? row->info.dest : _("(default printer)");

	if (!row->have) {
		snprintf(out, size, "%s", _("not printed yet"));
		return;
	}
	if (row->info.cups_job > 0)
		snprintf(out, size, _("copy %d · %s · job %d · %s"), row->info.copy, dest,
			 row->info.cups_job, _(spool_state_label(row->info.state)));
	else
		snprintf(out, size, _("copy %d · %s · %s"), row->info.copy, dest,
			 _(spool_state_label(row->info.state)));
}

static void print_screen_draw(struct print_screen *ps)
{
	int top = ui_body_top() + 1;
	char line[600], state[300];

	ui_frame(ps->ctx, _("Print documents"), ps->app->app_no,
		 _("↑↓ choose  Enter print  A all not printed  R send again  Esc back  F1 help"));
	ui_clear_body();
	snprintf(line, sizeof(line), "%s  %s", ps->app->app_no, app_get(ps->app, AF_ORG_NAME));
	attron(A_BOLD);
	ui_put(stdscr, top, 2, COLS - 4, line);
	attroff(A_BOLD);
	for (size_t r = 0; r < ps->nrows; r++) {
		const struct print_row *row = &ps->rows[r];
		const char *title = _(print_doc_title(row->doc));
		int pad = 24 - str_width(title), attr = 0;

		print_screen_state(row, state, sizeof(state));
		snprintf(line, sizeof(line), " %zu  %s%*s %s", r + 1, title, pad > 0 ? pad : 1, "", state);
		if (row->have && row->info.state == SPOOL_COMPLETED)
			attr = COLOR_PAIR(UI_C_OK);
		else if (row->have && row->info.done)
			attr = COLOR_PAIR(UI_C_ERROR);
		if ((int)r == ps->cur)
			attr |= A_REVERSE;
		attron(attr);
		ui_put(stdscr, top + 2 + (int)r, 2, COLS - 4, line);
		attroff(attr);
	}
	/* The selected job's reason, when it has one, in full. */
	{
		const struct print_row *row = &ps->rows[ps->cur];

		if (ps->msg[0] == '\0' && row->have && row->info.msg[0] != '\0') {
			attron(COLOR_PAIR(row->info.done ? UI_C_ERROR : UI_C_WARN));
			for (int y = 0, off = 0; y < 4 && row->info.msg[off] != '\0'; y++) {
				size_t n = str_prefix_for_width(row->info.msg + off, COLS - 6);

				snprintf(line, sizeof(line), "%.*s", (int)n, row->info.msg + off);
				ui_put(stdscr, top + 3 + (int)ps->nrows + y, 3, COLS - 6, line);
				if (n == 0)
					break;
				off += (int)n;
			}
			attroff(COLOR_PAIR(row->info.done ? UI_C_ERROR : UI_C_WARN));
		}
	}
	ui_message(ps->msg[0] ? ps->msg : _("Enter prints the chosen document; its state follows live."),
		   ps->msg[0] ? ps->msg_color : UI_C_HINT);
	refresh();
}

static void print_screen_started(struct print_screen *ps, struct print_row *row,
				 struct print_job *job)
{
	row->job = job;
	row->have = 1;
	memset(&row->info, 0, sizeof(row->info));
	print_poll(ps->ctx, job, &row->info);
}

/* May a copy of doc be made now? A reprint is confirmed, or when this
 * operator is not a supervisor, approved by one at this terminal. 1 go
 * (supervisor filled when approved), 0 not, -1 quit requested. */
static int print_screen_allow(struct print_screen *ps, enum print_doc doc, char *supervisor,
			      size_t size)
{
	struct gt_err err;
	char text[400];
	int copy;

	supervisor[0] = '\0';
	if (print_next_copy(ps->ctx, ps->app->app_no, doc, &copy, &err) != 0) {
		snprintf(ps->msg, sizeof(ps->msg), "%s", err.msg);
		ps->msg_color = UI_C_ERROR;
		return 0;
	}
	if (copy == 1)
		return 1;
	snprintf(text, sizeof(text), _("The %s was printed already. Print copy %d? It is "
				       "marked as a reprint and recorded."),
		 _(print_doc_title(doc)), copy);
	if (print_copy(ps->ctx, ps->app->app_no, doc, &copy, &err) == 0)
		return ui_confirm(ps->ctx, _("Reprint"), text);
	return ui_approve(ps->ctx, SESSION_APPROVE_REPRINT, ps->app->app_no, text, supervisor, size);
}

static void print_screen_print(struct print_screen *ps, struct print_row *row)
{
	char supervisor[64];
	struct print_job *job;
	struct gt_err err;

	if (row->job != NULL) {
		snprintf(ps->msg, sizeof(ps->msg), "%s", _("That document is being printed now."));
		ps->msg_color = UI_C_WARN;
		return;
	}
	if (print_screen_allow(ps, row->doc, supervisor, sizeof(supervisor)) <= 0)
		return;
	if (print_start(ps->ctx, ps->app, row->doc, NULL, NULL, NULL, supervisor, &job, &err) != 0) {
		snprintf(ps->msg, sizeof(ps->msg), "%s", err.msg);
		ps->msg_color = UI_C_ERROR;
		return;
	}
	print_screen_started(ps, row, job);
}

static void print_screen_resend(struct print_screen *ps, struct print_row *row)
{
	char supervisor[64] = "";
	struct print_job *job;
	struct gt_err err;
	int copy;

	if (row->job != NULL || !row->have || !row->info.done || row->info.state == SPOOL_COMPLETED) {
		snprintf(ps->msg, sizeof(ps->msg), "%s",
			 _("Only a job that failed can be sent again; Enter prints a new copy."));
		ps->msg_color = UI_C_WARN;
		return;
	}
	/* Sending a failed reprint again still needs the right to reprint. */
	if (print_copy(ps->ctx, ps->app->app_no, row->doc, &copy, &err) != 0 &&
	    print_screen_allow(ps, row->doc, supervisor, sizeof(supervisor)) <= 0)
		return;
	if (print_resend(ps->ctx, row->info.row_id, supervisor, &job, &err) != 0) {
		snprintf(ps->msg, sizeof(ps->msg), "%s", err.msg);
		ps->msg_color = UI_C_ERROR;
		return;
	}
	print_screen_started(ps, row, job);
}

/* Poll the running jobs; a finished one is let go (its state stays). */
static void print_screen_poll(struct print_screen *ps)
{
	for (size_t r = 0; r < ps->nrows; r++) {
		struct print_row *row = &ps->rows[r];

		if (row->job == NULL)
			continue;
		if (print_poll(ps->ctx, row->job, &row->info)) {
			print_job_free(row->job);
			row->job = NULL;
		}
	}
}

static int print_screen_running(const struct print_screen *ps)
{
	for (size_t r = 0; r < ps->nrows; r++)
		if (ps->rows[r].job != NULL)
			return 1;
	return 0;
}

int ui_print(struct gt_ctx *ctx, const char *app_no, const enum print_doc *start, size_t nstart)
{
	struct print_screen ps;
	struct gt_err err;
	int rc = 0;

	memset(&ps, 0, sizeof(ps));
	ps.ctx = ctx;
	ps.app = calloc(1, sizeof(*ps.app));
	if (ps.app == NULL)
		return 0;
	if (issue_load(ctx, app_no, ps.app, &err) != 0) {
		ui_alert(ctx, _("Cannot open the application"), err.msg);
		free(ps.app);
		return 0;
	}
	/* The PIN mailer is printed by the key issuance itself (the PIN is
	 * never kept), so it is not offered here. */
	for (int d = 0; d < PRINT_DOCS; d++)
		if (d != PRINT_PIN_MAILER && print_doc_applies(ctx, ps.app, (enum print_doc)d))
			ps.rows[ps.nrows++].doc = (enum print_doc)d;
	print_screen_load(&ps);
	for (size_t i = 0; i < nstart; i++)
		for (size_t r = 0; r < ps.nrows; r++)
			if (ps.rows[r].doc == start[i])
				print_screen_print(&ps, &ps.rows[r]);
	curs_set(0);
	for (;;) {
		struct ui_key k;

		print_screen_poll(&ps);
		print_screen_draw(&ps);
		k = ui_getkey_ms(ctx, PRINT_SCREEN_TICK_MS);
		if (k.is_key && k.ch == UI_KEY_TICK)
			continue;
		ps.msg[0] = '\0';
		if (ui_key_is_exit(k)) {
			rc = k.ch == UI_KEY_IDLE ? 0 : -1;
			break;
		}
		if (k.is_key && k.ch == KEY_DOWN)
			ps.cur = (ps.cur + 1) % (int)ps.nrows;
		else if (k.is_key && k.ch == KEY_UP)
			ps.cur = (ps.cur + (int)ps.nrows - 1) % (int)ps.nrows;
		else if (!k.is_key && k.ch >= '1' && k.ch < '1' + (wint_t)ps.nrows)
			ps.cur = (int)(k.ch - '1');
		else if ((!k.is_key && (k.ch == '\r' || k.ch == '\n')) || (k.is_key && k.ch == KEY_ENTER) ||
			 (!k.is_key && (k.ch == 'p' || k.ch == 'P')))
			print_screen_print(&ps, &ps.rows[ps.cur]);
		else if (!k.is_key && (k.ch == 'r' || k.ch == 'R'))
			print_screen_resend(&ps, &ps.rows[ps.cur]);
		else if (!k.is_key && (k.ch == 'a' || k.ch == 'A')) {
			/* Every document with no copy out yet: after the key is
			 * issued, the seal sheet, receipt and hand-over slip. */
			for (size_t r = 0; r < ps.nrows; r++) {
				const struct print_row *row = &ps.rows[r];

				if (row->job == NULL && !(row->have && (row->info.state == SPOOL_COMPLETED ||
									row->info.copy > 1)))
					print_screen_print(&ps, &ps.rows[r]);
			}
		}
		else if (k.is_key && k.ch == KEY_F(1))
			ui_help(ctx, _("Help: printing"),
				_("Each document of the application is listed with its latest print "
				  "job. Enter prints the chosen one, A every one not printed yet; a "
				  "second copy needs a supervisor and is marked as a reprint. A job is followed until the printer has "
				  "finished it; when the printer is stopped, missing or the print "
				  "server is down, the reason is shown and R sends the same document "
				  "again once it is fixed."));
		else if ((!k.is_key && k.ch == 27) || (k.is_key && k.ch == KEY_F(10))) {
			if (print_screen_running(&ps) &&
			    !ui_confirm(ctx, _("Jobs still printing"),
					_("Some documents are still printing. Leave without following "
					  "them to the end? Their last known state stays recorded.")))
				continue;
			break;
		}
	}
	for (size_t r = 0; r < ps.nrows; r++)
		print_job_free(ps.rows[r].job);
	curs_set(1);
	app_clear(ps.app);
	free(ps.app);
	return rc;
}

#define PRINT_PICK_MAX 50

int ui_print_pick(struct gt_ctx *ctx)
{
	struct store_app_summary *rows = calloc(PRINT_PICK_MAX, sizeof(*rows));
	char (*labels)[300] = calloc(PRINT_PICK_MAX, sizeof(*labels));
	const char *names[PRINT_PICK_MAX];
	struct gt_err err;
	int chosen, rc = 0;
	size_t n = 0;

	if (rows == NULL || labels == NULL)
		goto out;
	if (store_app_list(ctx->store, "submitted", ctx->cfg.terminal_id, rows, PRINT_PICK_MAX, &n,
			   &err) != 0) {
		ui_alert(ctx, _("Print documents"), err.msg);
		goto out;
	}
	if (n == 0) {
		ui_alert(ctx, _("Print documents"),
			 _("There is no submitted application on this terminal."));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(labels[i], sizeof(labels[0]), "%s  %s", rows[i].app_no, rows[i].org_name);
		names[i] = labels[i];
	}
	chosen = ui_choose(ctx, _("Print the documents of which application?"), names, n, 0);
	if (chosen >= 0)
		rc = ui_print(ctx, rows[chosen].app_no, NULL, 0);
out:
	free(rows);
	free(labels);
	return rc;
}

#define PRINT_STATUS_EVERY 10 /* seconds between looks at the printer */

const char *ui_printer_state_text(struct gt_ctx *ctx)
{
	static char text[160];
	static time_t last;
	time_t now = time(NULL);

	/* The first look is put off to the next second: it loads the
	 * printing module (src/print/module.c) and asks the scheduler, which
	 * would hold the first screen back by some 12 ms. Until then "…", as
	 * the reader and key slots say before their first look. */
	if (last == 0)
		last = now - PRINT_STATUS_EVERY + 1;
	/* One short request to the local scheduler every few seconds; the
	 * status bar is redrawn every second. */
	if (now - last >= PRINT_STATUS_EVERY) {
		print_printer_status(ctx, text, sizeof(text));
		last = now;
	}
	return text[0] != '\0' ? text : "…";
}
