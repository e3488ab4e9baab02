/* 日结, the daily settlement screen: the report of a day (today first; ←
 * and → move a day), printed through CUPS (the job followed on the clock
 * tick, its states recorded by the print flow) or saved as PDF, exported
 * as CSV into the data directory, a payment of the day voided, and the day
 * closed — the last two with a supervisor's approval typed here. */
#include "config.h"
#include "screens/accounts.h"
#include "screens/ui.h"
#include "flow/payment.h"
#include "flow/print.h"
#include "flow/report.h"
#include "flow/session.h"
#include "model/catalog.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct settle_state {
	struct gt_ctx *ctx;
	int day;
	struct report report;
	int have_report;
	struct ui_lines lines;
	int top;
	char msg[600];
	int msg_color;
	struct print_job *job;       /* the settlement being printed, or NULL */
};

#define SETTLE_TICK_MS 200

static void settle_emit(void *arg, enum report_line_kind kind, const char *line)
{
	struct ui_lines *l = arg;
	int attr = kind == REPORT_TITLE || kind == REPORT_HEADING ? A_BOLD
		   : kind == REPORT_WARN ? (int)(COLOR_PAIR(UI_C_ERROR) | A_BOLD) : 0;

	if (kind == REPORT_HEADING)
		ui_lines_add(l, 0, "%s", "");
	ui_lines_add(l, attr, "%s", line);
}

static void settle_load(struct settle_state *s)
{
	struct gt_err err;

	if (s->have_report)
		report_free(&s->report);
	s->have_report = 0;
	ui_lines_clear(&s->lines);
	s->top = 0;
	if (report_daily(s->ctx, s->day, &s->report, &err) != 0) {
		ui_lines_add(&s->lines, COLOR_PAIR(UI_C_ERROR) | A_BOLD, "%s", err.msg);
		return;
	}
	s->have_report = 1;
	report_format(&s->report, settle_emit, &s->lines);
}

/* The day before or after `day`. */
static int settle_shift(int day, int by)
{
	struct tm tm = { 0 };
	time_t t;

	tm.tm_year = day / 10000 - 1900;
	tm.tm_mon = day / 100 % 100 - 1;
	tm.tm_mday = day % 100 + by;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	localtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static void settle_export(struct settle_state *s)
{
	char path[PATH_MAX + 64], day[16], suggested[PATH_MAX + 64];
	struct gt_err err;

	if (!s->have_report)
		return;
	report_day_text(s->day, day, sizeof(day));
	snprintf(suggested, sizeof(suggested), "%s/settlement-%s.csv", s->ctx->cfg.data_dir, day);
	if (ui_prompt(s->ctx, _("Export as CSV"), _("File to write (Enter: the data directory's):"),
		      path, sizeof(path), 0) != 1)
		return;
	if (path[0] == '\0')
		str_copy(path, sizeof(path), suggested);
	if (report_csv(s->ctx, &s->report, path, &err) != 0) {
		snprintf(s->msg, sizeof(s->msg), _("Not exported: %s"), err.msg);
		s->msg_color = UI_C_ERROR;
		return;
	}
	log_msg("settle: %s exported", day);
	snprintf(s->msg, sizeof(s->msg), _("Exported to %s"), path);
	s->msg_color = UI_C_OK;
}

static void settle_pdf(struct settle_state *s)
{
	char path[PATH_MAX + 64], day[16], suggested[PATH_MAX + 64];
	struct gt_err err;
	int copy;

	if (!s->have_report)
		return;
	report_day_text(s->day, day, sizeof(day));
	snprintf(suggested, sizeof(suggested), "%s/settlement-%s.pdf", s->ctx->cfg.data_dir, day);
	if (ui_prompt(s->ctx, _("Save as PDF"), _("File to write (Enter: the data directory's):"),
		      path, sizeof(path), 0) != 1)
		return;
	if (path[0] == '\0')
		str_copy(path, sizeof(path), suggested);
	if (print_settlement_to_file(s->ctx, &s->report, path, &copy, &err) != 0) {
		snprintf(s->msg, sizeof(s->msg), _("Not saved: %s"), err.msg);
		s->msg_color = UI_C_ERROR;
		return;
	}
	log_msg("settle: %s saved as PDF", day);
	snprintf(s->msg, sizeof(s->msg), _("Settlement (copy %d) saved to %s"), copy, path);
	s->msg_color = UI_C_OK;
}

/* The job's state in the message line; when it ends, how. */
static void settle_job_state(struct settle_state *s, const struct print_job_info *info)
{
	const char *dest = info->dest[0] ? info->dest : _("(default printer)");

	if (!info->done) {
		snprintf(s->msg, sizeof(s->msg), _("Printing the settlement (copy %d) on %s: %s"),
			 info->copy, dest, _(spool_state_label(info->state)));
		s->msg_color = UI_C_HINT;
	} else if (info->state == SPOOL_COMPLETED) {
		snprintf(s->msg, sizeof(s->msg), _("Settlement printed (copy %d) on %s."), info->copy,
			 dest);
		s->msg_color = UI_C_OK;
	} else {
		snprintf(s->msg, sizeof(s->msg), _("Not printed: %s F5 sends it again."),
			 info->msg[0] ? info->msg : _(spool_state_label(info->state)));
		s->msg_color = UI_C_ERROR;
	}
}

static void settle_print(struct settle_state *s)
{
	struct print_job_info info;
	struct gt_err err;

	if (!s->have_report)
		return;
	if (s->job != NULL) {
		snprintf(s->msg, sizeof(s->msg), "%s", _("The settlement is being printed now."));
		s->msg_color = UI_C_WARN;
		return;
	}
	if (print_settlement_start(s->ctx, &s->report, NULL, &s->job, &err) != 0) {
		snprintf(s->msg, sizeof(s->msg), _("Not printed: %s"), err.msg);
		s->msg_color = UI_C_ERROR;
		return;
	}
	if (print_poll(s->ctx, s->job, &info)) {
		print_job_free(s->job);
		s->job = NULL;
	}
	settle_job_state(s, &info);
}

/* On each tick while a job runs: record its states, show the last. */
static void settle_poll(struct settle_state *s)
{
	struct print_job_info info;
	int done;

	if (s->job == NULL)
		return;
	done = print_poll(s->ctx, s->job, &info);
	settle_job_state(s, &info);
	if (done) {
		print_job_free(s->job);
		s->job = NULL;
	}
}

struct settle_pick {
	char (*labels)[200];
	long long *ids;
	size_t n, cap;
};

static int settle_pick_row(void *arg, const struct ledger_payment *p)
{
	struct settle_pick *pk = arg;
	char amount[32], when[16];
	time_t t = (time_t)p->at;
	struct tm tm;

	if (strcmp(p->kind, "payment") != 0 || p->reversed_by != 0 || pk->n == pk->cap)
		return 0;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M", &tm);
	catalog_format_fen((long)p->amount_fen, amount, sizeof(amount));
	snprintf(pk->labels[pk->n], sizeof(pk->labels[0]), "#%lld %s %s %s %s %s", p->id, when,
		 p->app_no, payment_method_label(p->method), amount, p->operator_name);
	pk->ids[pk->n++] = p->id;
	return 0;
}

/* Choose one of the day's payments that still stands; -1 none chosen. */
static long long settle_choose_payment(struct gt_ctx *ctx, int day, const char *title)
{
	struct settle_pick pk = { 0 };
	const char **names = NULL;
	struct gt_err err;
	long long id = -1;
	int chosen;

	pk.cap = 500;
	pk.labels = calloc(pk.cap, sizeof(*pk.labels));
	pk.ids = calloc(pk.cap, sizeof(*pk.ids));
	names = calloc(pk.cap, sizeof(*names));
	if (pk.labels == NULL || pk.ids == NULL || names == NULL)
		goto out;
	if (ledger_each(ctx->store, NULL, day, settle_pick_row, &pk, &err) != 0) {
		ui_alert(ctx, title, err.msg);
		goto out;
	}
	if (pk.n == 0) {
		ui_alert(ctx, title, _("No payment of this day can be voided."));
		goto out;
	}
	for (size_t i = 0; i < pk.n; i++)
		names[i] = pk.labels[i];
	chosen = ui_choose(ctx, title, names, pk.n, (int)pk.n - 1);
	if (chosen >= 0)
		id = pk.ids[chosen];
out:
	free(pk.labels);
	free(pk.ids);
	free(names);
	return id;
}

/* -1 quit requested, else 0. */
static int settle_void(struct settle_state *s)
{
	long long id = settle_choose_payment(s->ctx, s->day, _("Void a payment"));
	int rc;

	if (id < 0)
		return 0;
	rc = ui_reverse_payment(s->ctx, id, 0, s->msg, sizeof(s->msg));
	s->msg_color = rc == 1 ? UI_C_OK : UI_C_ERROR;
	if (rc == 1)
		settle_load(s);
	return rc < 0 ? -1 : 0;
}

static int settle_close(struct settle_state *s)
{
	struct ledger_closing c;
	struct gt_err err;
	char day[16], text[600], supervisor[64], amount[32];
	int rc;

	if (!s->have_report)
		return 0;
	report_day_text(s->day, day, sizeof(day));
	if (s->report.closed) {
		snprintf(s->msg, sizeof(s->msg), _("%s is closed already"), day);
		s->msg_color = UI_C_WARN;
		return 0;
	}
	catalog_format_fen((long)s->report.total.net_fen, amount, sizeof(amount));
	snprintf(text, sizeof(text), _("Close %s? Its %lld payment rows (net %s CNY) can then no "
				       "longer change, and no payment can be taken for that day. "
				       "A supervisor approves."), day, s->report.rows, amount);
	if (!ui_confirm(s->ctx, _("Close the day"), text))
		return 0;
	snprintf(text, sizeof(text), _("Close the day %s: net %s CNY."), day, amount);
	rc = ui_approve(s->ctx, SESSION_APPROVE_CLOSE, "", text, supervisor, sizeof(supervisor));
	if (rc != 1)
		return rc < 0 ? -1 : 0;
	if (report_close(s->ctx, s->day, supervisor, &c, &err) != 0) {
		snprintf(s->msg, sizeof(s->msg), _("Not closed: %s"), err.msg);
		s->msg_color = UI_C_ERROR;
		return 0;
	}
	log_msg("settle: %s closed, approved by %s", day, supervisor);
	snprintf(s->msg, sizeof(s->msg), _("%s closed, approved by %s; audit head at row %lld."),
		 day, supervisor, c.audit_seq);
	s->msg_color = UI_C_OK;
	settle_load(s);
	return 0;
}

int ui_settle(struct gt_ctx *ctx)
{
	struct settle_state s;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.day = ctx_today_ymd();
	settle_load(&s);
	curs_set(0);
	for (;;) {
		struct ui_key k;
		char right[32];

		settle_poll(&s);
		report_day_text(s.day, right, sizeof(right));
		ui_frame(ctx, _("Daily settlement"), right,
			 _("←→ day ↑↓ scroll F4 PDF F5 print F6 CSV F7 void F8 close F1 help Esc menu"));
		ui_lines_draw(&s.lines, s.top);
		ui_message(s.msg, s.msg_color);
		refresh();
		/* A job being followed is polled five times a second. */
		k = s.job != NULL ? ui_getkey_ms(ctx, SETTLE_TICK_MS) : ui_getkey(ctx);
		if (k.is_key && k.ch == UI_KEY_TICK)
			continue;
		if (s.job == NULL)
			s.msg[0] = '\0';
		if (ui_key_is_exit(k)) {
			rc = k.ch == UI_KEY_IDLE ? 0 : -1;
			break;
		}
		if (!k.is_key && k.ch == 27) {
			if (s.job != NULL &&
			    !ui_confirm(ctx, _("Jobs still printing"),
					_("The settlement is still printing. Leave without following "
					  "it to the end? Its last known state stays recorded.")))
				continue;
			break;
		}
		if (ui_lines_scroll(&s.lines, &s.top, k.is_key, k.ch))
			continue;
		if (k.is_key && k.ch == KEY_LEFT) {
			s.day = settle_shift(s.day, -1);
			settle_load(&s);
		} else if (k.is_key && k.ch == KEY_RIGHT) {
			if (s.day < ctx_today_ymd()) {
				s.day = settle_shift(s.day, 1);
				settle_load(&s);
			}
		} else if (k.is_key && k.ch == KEY_F(1)) {
			ui_help(ctx, _("Help: daily settlement"),
				_("The day's payments per method, per terminal and per operator, the "
				  "services counted, and every void and refund with who approved it. "
				  "F5 prints it on the counter's printer and follows the job; F4 saves "
				  "it as PDF; F6 writes it as CSV. F7 voids a payment of the day (a "
				  "supervisor approves; refunds of earlier days are in the look-up). "
				  "F8 closes the day: its payments are then final and the report "
				  "keeps the audit trail's head at closing."));
		} else if (k.is_key && k.ch == KEY_F(4)) {
			settle_pdf(&s);
		} else if (k.is_key && k.ch == KEY_F(5)) {
			settle_print(&s);
		} else if (k.is_key && k.ch == KEY_F(6)) {
			settle_export(&s);
		} else if (k.is_key && k.ch == KEY_F(7)) {
			if (settle_void(&s) < 0) {
				rc = -1;
				break;
			}
		} else if (k.is_key && k.ch == KEY_F(8)) {
			if (settle_close(&s) < 0) {
				rc = -1;
				break;
			}
		}
	}
	print_job_free(s.job);
	if (s.have_report)
		report_free(&s.report);
	ui_lines_free(&s.lines);
	curs_set(1);
	return rc;
}
