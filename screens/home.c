/* Home menu of the services (those not built yet say so when chosen), and
 * the offer to resume an unfinished application after log-in. Key
 * personalisations left unfinished (a killed program, a pulled key) are
 * counted on entry and after each service, said on the home screen, and
 * listed under K (screens/personalise.c). */
#include "config.h"
#include "screens/ui.h"
#include "screens/accounts.h"
#include "db/store.h"
#include "flow/issue.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <menu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum home_action {
	HOME_NEW,
	HOME_RENEW,
	HOME_REPLACE,
	HOME_CHANGE,
	HOME_UNLOCK,
	HOME_REPIN,
	HOME_REVOKE,
	HOME_LOOKUP,
	HOME_REPRINT,
	HOME_SETTLE,
	HOME_RESUME,
	HOME_KEYS,
	HOME_LOGOUT,
	HOME_COUNT
};

static const struct {
	const char *key;
	const char *label;
	int available;
} home_items[HOME_COUNT] = {
	[HOME_NEW] = { "1", N_("New issuance"), 1 },
	[HOME_RENEW] = { "2", N_("Renewal"), 0 },
	[HOME_REPLACE] = { "3", N_("Replacement after loss"), 0 },
	[HOME_CHANGE] = { "4", N_("Change of details"), 0 },
	[HOME_UNLOCK] = { "5", N_("Unlock a locked key"), 0 },
	[HOME_REPIN] = { "6", N_("PIN change"), 0 },
	[HOME_REVOKE] = { "7", N_("Revocation"), 0 },
	[HOME_LOOKUP] = { "8", N_("Look up applications"), 1 },
	[HOME_REPRINT] = { "9", N_("Reprint"), 1 },
	[HOME_SETTLE] = { "0", N_("Daily settlement"), 1 },
	[HOME_RESUME] = { "R", N_("Resume an unfinished application"), 1 },
	[HOME_KEYS] = { "K", N_("Unfinished key personalisations"), 1 },
	[HOME_LOGOUT] = { "L", N_("Log out"), 1 },
};

#define HOME_MAX_DRAFTS 50

/* Choose among this terminal's drafts; returns 1 with app_no filled. */
static int home_pick_draft(struct gt_ctx *ctx, int offer_new, char *app_no, size_t size,
			   int *quit)
{
	struct store_app_summary *rows = calloc(HOME_MAX_DRAFTS, sizeof(*rows));
	char (*labels)[300] = calloc(HOME_MAX_DRAFTS + 1, sizeof(*labels));
	const char *names[HOME_MAX_DRAFTS + 1];
	struct gt_err err;
	size_t n = 0, m = 0;
	int chosen, rc = 0;

	*quit = 0;
	if (rows == NULL || labels == NULL)
		goto out;
	if (store_app_list(ctx->store, "draft", ctx->cfg.terminal_id, rows, HOME_MAX_DRAFTS, &n,
			   &err) != 0) {
		ui_alert(ctx, _("Cannot list drafts"), err.msg);
		goto out;
	}
	if (n == 0) {
		if (!offer_new)
			ui_alert(ctx, _("Resume"), _("There is no unfinished application on this terminal."));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int step = rows[i].step >= 0 && rows[i].step < ISSUE_STEPS ? rows[i].step : 0;

		snprintf(labels[m], sizeof(labels[0]), "%s  %s  [%s]", rows[i].app_no,
			 rows[i].org_name[0] ? rows[i].org_name : _("(no name yet)"),
			 _(issue_step(step)->title));
		names[m] = labels[m];
		m++;
	}
	if (offer_new) {
		snprintf(labels[m], sizeof(labels[0]), "%s", _("No, go to the menu"));
		names[m] = labels[m];
		m++;
	}
	chosen = ui_choose(ctx, offer_new ? _("Unfinished applications: resume one?")
					  : _("Resume an unfinished application"), names, m, 0);
	if (chosen >= 0 && (size_t)chosen < n) {
		str_copy(app_no, size, rows[chosen].app_no);
		rc = 1;
	}
out:
	free(rows);
	free(labels);
	return rc;
}

int ui_resume_offer(struct gt_ctx *ctx)
{
	char app_no[APP_NO_MAX];
	int quit;

	if (home_pick_draft(ctx, 1, app_no, sizeof(app_no), &quit) == 1)
		return ui_wizard(ctx, app_no) < 0 ? -1 : 0;
	return quit ? -1 : 0;
}

static void home_render(struct gt_ctx *ctx, int cur, const char *msg, int keys_pending)
{
	char line[200];

	ui_frame(ctx, _("Services"), ctx->operator_name,
		 _("↑↓ choose  Enter open  1-9/0/R/K/L shortcut  F1 help  F12 quit"));
	ui_clear_body();
	for (int i = 0; i < HOME_COUNT; i++) {
		int y = ui_body_top() + 1 + i + (i >= HOME_RESUME ? 1 : 0);

		snprintf(line, sizeof(line), " %s  %s%s", home_items[i].key, _(home_items[i].label),
			 home_items[i].available ? "" : _("  (not available yet)"));
		if (i == cur)
			attron(A_REVERSE);
		else if (!home_items[i].available)
			attron(A_DIM);
		ui_put(stdscr, y, 4, COLS - 8, line);
		attroff(A_REVERSE | A_DIM);
	}
	if (keys_pending > 0) {
		/* Until dealt with: a certificate may be issued and on no key. */
		snprintf(line, sizeof(line), _("! %d key personalisation(s) unfinished: K resumes or "
					       "rolls them back."), keys_pending);
		attron(COLOR_PAIR(UI_C_WARN) | A_BOLD);
		ui_put(stdscr, ui_body_top() + 2 + HOME_COUNT + 1, 4, COLS - 8, line);
		attroff(COLOR_PAIR(UI_C_WARN) | A_BOLD);
	}
	ui_message(msg, UI_C_WARN);
	move(ui_body_top() + 1 + cur + (cur >= HOME_RESUME ? 1 : 0), 4);
	refresh();
}

int ui_home(struct gt_ctx *ctx)
{
	char msg[300] = "";
	int cur = 0, keys_pending = ui_keys_pending_count(ctx);

	curs_set(0);
	for (;;) {
		struct ui_key k;
		int act = -1;

		home_render(ctx, cur, msg, keys_pending);
		k = ui_getkey(ctx);
		if (k.is_key && k.ch == UI_KEY_TICK)
			continue;
		msg[0] = '\0';
		if (ui_key_is_exit(k)) {
			curs_set(1);
			return k.ch == UI_KEY_IDLE ? 0 : -1;
		}
		if (k.is_key && k.ch == KEY_DOWN)
			cur = (cur + 1) % HOME_COUNT;
		else if (k.is_key && k.ch == KEY_UP)
			cur = (cur + HOME_COUNT - 1) % HOME_COUNT;
		else if (k.is_key && k.ch == KEY_F(1))
			ui_help(ctx, _("Help: services"),
				_("Choose the service the customer asks for. New issuance takes the "
				  "organisation's and handler's data, then review. An application "
				  "left unfinished is kept as a draft and offered again after log-in."));
		else if (k.is_key && k.ch == KEY_F(12) && !ctx->cfg.kiosk) {
			curs_set(1);
			return -1;
		} else if ((!k.is_key && (k.ch == '\r' || k.ch == '\n')) ||
			 (k.is_key && k.ch == KEY_ENTER))
			act = cur;
		else if (!k.is_key)
			for (int i = 0; i < HOME_COUNT; i++)
				if ((wint_t)home_items[i].key[0] == k.ch ||
				    (wint_t)(home_items[i].key[0] | 0x20) == k.ch)
					act = cur = i;
		if (act < 0)
			continue;
		if (!home_items[act].available) {
			snprintf(msg, sizeof(msg), _("%s is not available in this version yet."),
				 _(home_items[act].label));
			continue;
		}
		curs_set(1);
		if (act == HOME_LOGOUT)
			return 0;
		if (act == HOME_NEW) {
			if (ui_wizard(ctx, NULL) < 0)
				return -1;
		} else if (act == HOME_LOOKUP) {
			if (ui_lookup(ctx) < 0)
				return -1;
		} else if (act == HOME_SETTLE) {
			if (ui_settle(ctx) < 0)
				return -1;
		} else if (act == HOME_REPRINT) {
			if (ui_print_pick(ctx) < 0)
				return -1;
		} else if (act == HOME_RESUME) {
			char app_no[APP_NO_MAX];
			int quit;

			if (home_pick_draft(ctx, 0, app_no, sizeof(app_no), &quit) == 1 &&
			    ui_wizard(ctx, app_no) < 0)
				return -1;
		} else if (act == HOME_KEYS) {
			if (ui_keys_pending(ctx) < 0)
				return -1;
		}
		keys_pending = ui_keys_pending_count(ctx);
		curs_set(0);
	}
}
