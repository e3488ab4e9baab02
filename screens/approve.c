/* Supervisor approval at the operator's terminal: a dialog with the
 * supervisor's name and password (never echoed, wiped after the check).
 * The check and its audit row are the flow's (session_approve); this
 * screen only collects, shows the outcome and lets a mistyped password be
 * tried again. */
#include "config.h"
#include "screens/accounts.h"
#include "screens/ui.h"
#include "flow/payment.h"
#include "flow/session.h"
#include "model/catalog.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <form.h>
#include <panel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APPROVE_W 64
#define APPROVE_TEXT_LINES 5

struct approve_dialog {
	WINDOW *win;
	PANEL *panel;
	FIELD *fields[3];
	FORM *form;
	int cur;
	int h, w;
	int top;             /* the row the text ends on */
	const char *why;
	char message[300];
};

/* Up to APPROVE_TEXT_LINES lines of `text` wrapped at `cols` columns. */
static int approve_wrap(WINDOW *w, int top, int cols, const char *text)
{
	int row = 0;

	while (*text != '\0' && row < APPROVE_TEXT_LINES) {
		size_t len = str_prefix_for_width(text, cols), cut = len;
		const char *nl = memchr(text, '\n', len);
		char line[512];

		if (nl != NULL) {
			cut = (size_t)(nl - text);
			len = cut + 1;
		} else if (text[len] != '\0') {
			for (size_t i = len; i > len / 2; i--)
				if (text[i] == ' ') {
					cut = i;
					len = i + 1;
					break;
				}
		}
		if (len == 0)
			break;
		if (cut >= sizeof(line))
			cut = sizeof(line) - 1;
		memcpy(line, text, cut);
		line[cut] = '\0';
		ui_put(w, top + row++, 2, cols, line);
		text += len;
	}
	return row;
}

/* What posting the form erases: frame, title, the text, labels, hints. */
static void approve_draw(struct approve_dialog *d)
{
	box(d->win, 0, 0);
	wattron(d->win, A_BOLD);
	ui_put(d->win, 0, 2, d->w - 4, _("Supervisor approval"));
	wattroff(d->win, A_BOLD);
	approve_wrap(d->win, 2, d->w - 4, d->why);
	ui_put(d->win, d->top + 1, 2, 14, _("Supervisor"));
	ui_put(d->win, d->top + 3, 2, 14, _("Password"));
	wattron(d->win, COLOR_PAIR(UI_C_HINT));
	ui_put(d->win, d->h - 2, 2, d->w - 4, _("Enter: next/approve  Tab: switch  Esc: cancel"));
	wattroff(d->win, COLOR_PAIR(UI_C_HINT));
}

static void approve_open(struct approve_dialog *d, const char *why)
{
	int top;

	d->why = why;
	d->w = APPROVE_W < COLS - 2 ? APPROVE_W : COLS - 2;
	d->h = APPROVE_TEXT_LINES + 10;
	if (d->h > LINES - 2)
		d->h = LINES - 2;
	d->win = newwin(d->h, d->w, (LINES - d->h) / 2, (COLS - d->w) / 2);
	keypad(d->win, TRUE);
	d->panel = new_panel(d->win);
	wbkgd(d->win, COLOR_PAIR(UI_C_FIELD));
	top = 2 + approve_wrap(d->win, 2, d->w - 4, why);
	d->top = top;
	d->fields[0] = new_field(1, d->w - 20, top + 1, 16, 0, 0);
	d->fields[1] = new_field(1, d->w - 20, top + 3, 16, 0, 0);
	d->fields[2] = NULL;
	for (int i = 0; i < 2; i++) {
		field_opts_off(d->fields[i], O_AUTOSKIP | O_STATIC);
		set_max_field(d->fields[i], 63);
		set_field_back(d->fields[i], A_UNDERLINE);
	}
	field_opts_off(d->fields[1], O_PUBLIC);
	d->form = new_form(d->fields);
	set_form_win(d->form, d->win);
	set_form_sub(d->form, d->win);
	post_form(d->form);
	approve_draw(d);
}

static void approve_close(struct approve_dialog *d)
{
	/* The fields held a password: clear them before they are freed. */
	set_field_buffer(d->fields[1], 0, "");
	unpost_form(d->form);
	free_form(d->form);
	free_field(d->fields[0]);
	free_field(d->fields[1]);
	del_panel(d->panel);
	delwin(d->win);
	touchwin(stdscr);
	update_panels();
	doupdate();
}

static void approve_show(struct gt_ctx *ctx, struct approve_dialog *d)
{
	wmove(d->win, d->h - 3, 1);
	wclrtoeol(d->win);
	approve_draw(d);
	if (d->message[0] != '\0') {
		wattron(d->win, COLOR_PAIR(UI_C_ERROR) | A_BOLD);
		ui_put(d->win, d->h - 3, 2, d->w - 4, d->message);
		wattroff(d->win, COLOR_PAIR(UI_C_ERROR) | A_BOLD);
	}
	set_current_field(d->form, d->fields[d->cur]);
	pos_form_cursor(d->form);
	ui_status_bar(ctx);
	update_panels();
	doupdate();
}

/* 1 approved, 0 not (message set). */
static int approve_try(struct gt_ctx *ctx, struct approve_dialog *d, const char *action,
		       const char *app_no, char *supervisor, size_t size)
{
	char name[128], password[128];
	enum session_result r;
	long long until = 0;
	struct gt_err err;

	form_driver_w(d->form, KEY_CODE_YES, REQ_VALIDATION);
	str_copy(name, sizeof(name), field_buffer(d->fields[0], 0));
	str_trim(name);
	str_copy(password, sizeof(password), field_buffer(d->fields[1], 0));
	str_trim(password);
	set_field_buffer(d->fields[1], 0, "");
	if (name[0] == '\0') {
		str_wipe(password, sizeof(password));
		str_copy(d->message, sizeof(d->message), _("Type the supervisor's name."));
		d->cur = 0;
		return 0;
	}
	r = session_approve(ctx, action, app_no, name, password, &until, &err);
	str_wipe(password, sizeof(password));
	if (r == SESSION_OK) {
		str_copy(supervisor, size, name);
		log_msg("approve: %s approved by %s", action, name);
		return 1;
	}
	log_msg("approve: %s not approved", action);
	session_result_text(r, name, until, &err, d->message, sizeof(d->message));
	d->cur = 1;
	return 0;
}

int ui_approve(struct gt_ctx *ctx, const char *action, const char *app_no, const char *why,
	       char *supervisor, size_t size)
{
	struct approve_dialog d;
	int result = -2;

	memset(&d, 0, sizeof(d));
	supervisor[0] = '\0';
	approve_open(&d, why);
	curs_set(1);
	while (result == -2) {
		struct ui_key k;

		approve_show(ctx, &d);
		k = ui_getkey(ctx);
		if (k.is_key && k.ch == UI_KEY_TICK)
			continue;
		if (ui_key_is_exit(k)) {
			result = k.ch == UI_KEY_QUIT ? -1 : 0;
		} else if (!k.is_key && k.ch == 27) {
			result = 0;
		} else if ((!k.is_key && (k.ch == '\r' || k.ch == '\n')) ||
			   (k.is_key && k.ch == KEY_ENTER)) {
			if (d.cur == 0) {
				form_driver_w(d.form, KEY_CODE_YES, REQ_VALIDATION);
				d.cur = 1;
			} else if (approve_try(ctx, &d, action, app_no, supervisor, size)) {
				result = 1;
			}
		} else if ((!k.is_key && k.ch == '\t') ||
			   (k.is_key && (k.ch == KEY_DOWN || k.ch == KEY_UP || k.ch == KEY_BTAB))) {
			form_driver_w(d.form, KEY_CODE_YES, REQ_VALIDATION);
			d.cur = 1 - d.cur;
		} else if ((!k.is_key && (k.ch == 127 || k.ch == 8)) ||
			   (k.is_key && k.ch == KEY_BACKSPACE)) {
			form_driver_w(d.form, KEY_CODE_YES, REQ_DEL_PREV);
		} else if (k.is_key && k.ch == KEY_LEFT) {
			form_driver_w(d.form, KEY_CODE_YES, REQ_PREV_CHAR);
		} else if (k.is_key && k.ch == KEY_RIGHT) {
			form_driver_w(d.form, KEY_CODE_YES, REQ_NEXT_CHAR);
		} else if (!k.is_key && k.ch >= 32 && k.ch != 127) {
			form_driver_w(d.form, OK, (wchar_t)k.ch);
		}
	}
	approve_close(&d);
	return result;
}

int ui_reverse_payment(struct gt_ctx *ctx, long long id, int refund, char *msg, size_t msgsz)
{
	enum payment_reversal how = refund ? PAYMENT_REFUND : PAYMENT_VOID;
	struct ledger_payment p;
	struct gt_err err;
	char reason[200], ask[700], supervisor[64], amount[32];
	long long new_id;
	int got;

	msg[0] = '\0';
	/* Say what is wrong before anyone types a reason or a password. */
	if (payment_can_reverse(ctx, id, how, &err) != 0 ||
	    (got = ledger_get(ctx->store, id, &p, &err)) != 0) {
		str_copy(msg, msgsz, err.msg);
		return 0;
	}
	catalog_format_fen((long)p.amount_fen, amount, sizeof(amount));
	snprintf(ask, sizeof(ask), refund ? _("Refund payment #%lld: %s %s CNY of %s. Reason:")
					  : _("Void payment #%lld: %s %s CNY of %s. Reason:"),
		 id, payment_method_label(p.method), amount, p.app_no);
	if (ui_prompt(ctx, refund ? _("Refund a payment") : _("Void a payment"), ask, reason,
		      sizeof(reason), 0) != 1 || reason[0] == '\0')
		return 0;
	snprintf(ask, sizeof(ask), refund ? _("Refund payment #%lld (%s %s CNY, %s): %s")
					  : _("Void payment #%lld (%s %s CNY, %s): %s"),
		 id, payment_method_label(p.method), amount, p.app_no, reason);
	got = ui_approve(ctx, refund ? SESSION_APPROVE_REFUND : SESSION_APPROVE_VOID, p.app_no, ask,
			 supervisor, sizeof(supervisor));
	if (got != 1)
		return got;
	if (payment_reverse(ctx, id, how, reason, supervisor, &new_id, &err) != 0) {
		str_copy(msg, msgsz, err.msg);
		log_msg("payment: %s of #%lld failed: %s", refund ? "refund" : "void", id, err.msg);
		return 0;
	}
	snprintf(msg, msgsz, refund ? _("Payment #%lld refunded (#%lld), approved by %s.")
				    : _("Payment #%lld voided (#%lld), approved by %s."),
		 id, new_id, supervisor);
	log_msg("payment: #%lld %s of #%lld, approved by %s", new_id, refund ? "refund" : "void", id,
		supervisor);
	return 1;
}
