/* Operator log-in screen: name and password (never echoed), with the
 * reason shown when it fails (wrong, locked until when, disabled). The
 * password leaves memory as soon as it has been checked. */
#include "config.h"
#include "screens/ui.h"
#include "flow/session.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <form.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct login_state {
	FIELD *fields[3];
	FORM *form;
	WINDOW *box;
	int cur;
	char message[256];
	int message_color;
};

static void login_build(struct login_state *ls)
{
	int h = 11, w = 56, y = (LINES - h) / 2, x = (COLS - w) / 2;

	ls->box = derwin(stdscr, h, w, y, x);
	ls->fields[0] = new_field(1, 24, 4, 18, 0, 0);
	ls->fields[1] = new_field(1, 24, 6, 18, 0, 0);
	ls->fields[2] = NULL;
	for (int i = 0; i < 2; i++) {
		field_opts_off(ls->fields[i], O_AUTOSKIP | O_STATIC);
		set_max_field(ls->fields[i], 63);
		set_field_back(ls->fields[i], A_UNDERLINE);
	}
	field_opts_off(ls->fields[1], O_PUBLIC);
	ls->form = new_form(ls->fields);
	set_form_win(ls->form, ls->box);
	set_form_sub(ls->form, ls->box);
	set_current_field(ls->form, ls->fields[ls->cur]);
	ui_clear_body();
	post_form(ls->form);
}

static void login_free(struct login_state *ls, int keep_name, char *name, size_t size)
{
	if (keep_name) {
		form_driver_w(ls->form, KEY_CODE_YES, REQ_VALIDATION);
		str_copy(name, size, field_buffer(ls->fields[0], 0));
		str_trim(name);
	}
	set_field_buffer(ls->fields[1], 0, "");
	unpost_form(ls->form);
	free_form(ls->form);
	free_field(ls->fields[0]);
	free_field(ls->fields[1]);
	delwin(ls->box);
}

static void login_render(struct gt_ctx *ctx, struct login_state *ls)
{
	char site[200];

	ui_frame(ctx, _("Operator log-in"), NULL,
		 _("Enter: next/log in   Tab: switch field   F1: help   F12: quit"));
	box(ls->box, 0, 0);
	wattron(ls->box, A_BOLD);
	ui_put(ls->box, 1, 3, 50, _("Digital certificate service counter"));
	wattroff(ls->box, A_BOLD);
	snprintf(site, sizeof(site), "%s  %s %s",
		 ctx->cfg.site_name[0] ? ctx->cfg.site_name : _("(site not configured)"),
		 _("Terminal"), ctx->cfg.terminal_id);
	ui_put(ls->box, 2, 3, 50, site);
	ui_put(ls->box, 4, 3, 14, _("Operator"));
	ui_put(ls->box, 6, 3, 14, _("Password"));
	if (ls->message[0] != '\0')
		ui_message(ls->message, ls->message_color);
	wnoutrefresh(stdscr);
	pos_form_cursor(ls->form);
	wnoutrefresh(ls->box);
	doupdate();
}

static int login_try(struct gt_ctx *ctx, struct login_state *ls)
{
	char name[128], password[128];
	long long until = 0;
	struct gt_err err;
	enum session_result r;

	form_driver_w(ls->form, KEY_CODE_YES, REQ_VALIDATION);
	str_copy(name, sizeof(name), field_buffer(ls->fields[0], 0));
	str_trim(name);
	str_copy(password, sizeof(password), field_buffer(ls->fields[1], 0));
	str_trim(password);
	set_field_buffer(ls->fields[1], 0, "");
	if (name[0] == '\0') {
		str_copy(ls->message, sizeof(ls->message), _("Type the operator name."));
		ls->message_color = UI_C_ERROR;
		ls->cur = 0;
		str_wipe(password, sizeof(password));
		return 0;
	}
	r = session_login(ctx, name, password, &until, &err);
	str_wipe(password, sizeof(password));
	ls->message_color = UI_C_ERROR;
	switch (r) {
	case SESSION_OK:
		return 1;
	case SESSION_BAD:
		/* Not the name: it may be a password typed in the wrong
		 * field. The audit trail has the attempt (flow/session.c). */
		log_msg("login: failed");
		str_copy(ls->message, sizeof(ls->message), _("Wrong operator name or password."));
		break;
	case SESSION_LOCKED: {
		char when[32];
		time_t t = (time_t)until;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%H:%M", &tm);
		log_msg("login: %s locked until %s", name, when);
		snprintf(ls->message, sizeof(ls->message),
			 _("Too many wrong passwords: %s is locked until %s."), name, when);
		break;
	}
	case SESSION_DISABLED:
		snprintf(ls->message, sizeof(ls->message), _("Operator %s is disabled."), name);
		break;
	default:
		str_copy(ls->message, sizeof(ls->message), err.msg);
		break;
	}
	ls->cur = 1;
	return 0;
}

int ui_login(struct gt_ctx *ctx)
{
	struct login_state ls;
	char keep[128] = "";
	int result = -1;

	memset(&ls, 0, sizeof(ls));
	session_logout(ctx);
	login_build(&ls);
	while (result < 0) {
		struct ui_key k;

		set_current_field(ls.form, ls.fields[ls.cur]);
		login_render(ctx, &ls);
		k = ui_getkey(ctx);
		if (ui_key_is_exit(k) && k.ch == UI_KEY_QUIT) {
			result = 0;
		} else if (k.is_key && k.ch == KEY_RESIZE) {
			login_free(&ls, 1, keep, sizeof(keep));
			login_build(&ls);
			set_field_buffer(ls.fields[0], 0, keep);
		} else if (k.is_key && k.ch == KEY_F(12) && !ctx->cfg.kiosk) {
			result = 0;
		} else if (k.is_key && k.ch == KEY_F(1)) {
			ui_help(ctx, _("Help: log-in"),
				_("Log in with your operator name and password. After 5 wrong "
				  "passwords the name is locked for 15 minutes. Ask a supervisor "
				  "if you cannot log in."));
		} else if ((!k.is_key && (k.ch == '\r' || k.ch == '\n')) ||
			   (k.is_key && k.ch == KEY_ENTER)) {
			if (ls.cur == 0) {
				ls.cur = 1;
			} else if (login_try(ctx, &ls)) {
				result = 1;
			}
		} else if ((!k.is_key && k.ch == '\t') ||
			   (k.is_key && (k.ch == KEY_DOWN || k.ch == KEY_UP || k.ch == KEY_BTAB))) {
			form_driver_w(ls.form, KEY_CODE_YES, REQ_VALIDATION);
			ls.cur = 1 - ls.cur;
		} else if ((!k.is_key && (k.ch == 127 || k.ch == 8)) ||
			   (k.is_key && k.ch == KEY_BACKSPACE)) {
			form_driver_w(ls.form, KEY_CODE_YES, REQ_DEL_PREV);
		} else if (k.is_key && k.ch == KEY_LEFT) {
			form_driver_w(ls.form, KEY_CODE_YES, REQ_PREV_CHAR);
		} else if (k.is_key && k.ch == KEY_RIGHT) {
			form_driver_w(ls.form, KEY_CODE_YES, REQ_NEXT_CHAR);
		} else if (!k.is_key && k.ch >= 32 && k.ch != 127) {
			form_driver_w(ls.form, OK, (wchar_t)k.ch);
		}
	}
	login_free(&ls, 0, NULL, 0);
	return result;
}
