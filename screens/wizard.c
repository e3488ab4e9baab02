/* The new-issuance (新办) wizard: one screen per flow step, then the
 * review. Values are stored into the application as each field is left and
 * the draft saved, so nothing typed is lost to a crash; Next checks the
 * whole step and shows each problem beside its field. */
#include "config.h"
#include "screens/fieldform.h"
#include "screens/ui.h"
#include "screens/accounts.h"
#include "flow/session.h"
#include "flow/issue.h"
#include "model/catalog.h"
#include "model/region.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum wizard_move {
	WIZ_NEXT,
	WIZ_BACK,
	WIZ_HOME,
	WIZ_QUIT,
	WIZ_DONE,
};

static const char *wizard_hints(int step)
{
	if (step == ISSUE_PRODUCT)
		return _("F10/PgDn next  Enter/F4 list  ←→ change  F1 help  Esc menu");
	if (step == ISSUE_REVIEW)
		return _("F10 submit  F9 back  ↑↓ PgUp PgDn scroll  F1 help  Esc menu");
	if (step == ISSUE_PEOPLE)
		return _("F2 read ID card  F10/PgDn next  F9/PgUp back  Enter/F4 list  F1 help  Esc menu");
	return _("F10/PgDn next  F9/PgUp back  Enter/F4 list  F1 help  Esc menu");
}

static void wizard_title(int step, char *out, size_t size)
{
	snprintf(out, size, _("New issuance › %d/%d %s"), step + 1, ISSUE_STEPS,
		 _(issue_step(step)->title));
}

/* Save, and say so on the message line when it fails: the values stay in
 * memory and the next save tries again. */
static int wizard_save(struct gt_ctx *ctx, struct application *app, int step, char *msg,
		       size_t size)
{
	struct gt_err err;

	if (issue_save(ctx, app, step, &err) == 0)
		return 0;
	log_msg("wizard: saving %s failed: %s", app->app_no, err.msg);
	snprintf(msg, size, _("Not saved: %s"), err.msg);
	return -1;
}

static void wizard_check_one(struct gt_ctx *ctx, struct fieldform *ff, enum app_field f)
{
	struct check_ctx cc;
	char msg[200];
	int sev;

	ctx_check_ctx(ctx, &cc);
	/* An empty required field is reported at F10, not while the operator
	 * moves through the form. */
	if (app_get(ff->app, f)[0] == '\0') {
		ff_set_issue(ff, f, VAL_OK, "");
		return;
	}
	sev = check_field(&cc, ff->app, f, msg, sizeof(msg));
	if (sev == VAL_OK && ff_was_cut(ff, f))
		return;   /* keep saying it was cut */
	ff_set_issue(ff, f, sev, sev ? msg : "");
}

static void wizard_price(struct gt_ctx *ctx, struct fieldform *ff)
{
	struct catalog_quote q;
	struct gt_err err;
	char line[256], amount[32];
	int row = ff_bottom(ff) + 1;

	for (int y = ff_bottom(ff); y < ui_body_rows(); y++) {
		wmove(ff->body, y, 0);
		wclrtoeol(ff->body);
	}
	if (catalog_quote(&ctx->catalog, ff->app, &q, &err) != 0)
		return;
	wattron(ff->body, A_BOLD);
	ui_put(ff->body, row++, 1, COLS - 2, _("Price"));
	wattroff(ff->body, A_BOLD);
	for (size_t i = 0; i < q.nitems; i++) {
		catalog_format_fen(q.items[i].total_fen, amount, sizeof(amount));
		snprintf(line, sizeof(line), "%-4s%s × %d", "", _(q.items[i].label), q.items[i].quantity);
		ui_put(ff->body, row, 3, COLS - 20, line);
		mvwprintw(ff->body, row++, COLS - 16, "%12s", amount);
	}
	catalog_format_fen(q.total_fen, amount, sizeof(amount));
	wattron(ff->body, A_BOLD);
	ui_put(ff->body, row, 3, 20, _("Total (CNY)"));
	mvwprintw(ff->body, row, COLS - 16, "%12s", amount);
	wattroff(ff->body, A_BOLD);
	pos_form_cursor(ff->form);
}

/* Under the people: what each one's ID card said, when it was read. */
static void wizard_card_summary(struct fieldform *ff)
{
	static const enum app_person who[] = { APP_LEGAL_REP, APP_HANDLER };
	int row = ff_bottom(ff) + 1;

	for (int y = ff_bottom(ff); y < ui_body_rows(); y++) {
		wmove(ff->body, y, 0);
		wclrtoeol(ff->body);
	}
	for (size_t i = 0; i < 2; i++) {
		const struct application *app = ff->app;
		const char *read_at = app_get(app, app_person_field(who[i], APF_CARD_READ_AT));
		const char *gender = app_get(app, app_person_field(who[i], APF_GENDER));
		const char *label = app_choice_label(app_person_field(who[i], APF_GENDER), gender);
		char line[600];

		if (read_at[0] == '\0')
			continue;
		/* The issuer goes last: on a narrow screen it is what gets cut. */
		snprintf(line, sizeof(line), _("%s ID card (read %.5s): %s %s, valid to %s, %s"),
			 who[i] == APP_LEGAL_REP ? _("Legal representative") : _("Handler"),
			 strlen(read_at) > 11 ? read_at + 11 : read_at,
			 label ? _(label) : gender,
			 app_get(app, app_person_field(who[i], APF_NATION)),
			 app_get(app, app_person_field(who[i], APF_VALID_TO)),
			 app_get(app, app_person_field(who[i], APF_ISSUER)));
		wattron(ff->body, COLOR_PAIR(UI_C_OK));
		ui_put(ff->body, row++, 3, COLS - 4, line);
		wattroff(ff->body, COLOR_PAIR(UI_C_OK));
	}
	/* The chip's photo is WLT-compressed; only the reader vendor's
	 * licensed library decodes it, so say so rather than draw a fake. */
	if (row > ff_bottom(ff) + 1)
		ui_put(ff->body, row, 3, COLS - 4,
		       _("Photo kept with the application; showing it needs the reader "
			 "vendor's licensed decoder."));
	pos_form_cursor(ff->form);
}

/* The step's problems go beside their fields; returns the worst, after
 * giving the operator the chance to accept a USCC that fails its check. */
static int wizard_check_step(struct gt_ctx *ctx, struct application *app, struct fieldform *ff,
			     int step, char *msg, size_t msgsz)
{
	struct check_list *list = calloc(1, sizeof(*list));
	const char *why = NULL;
	int worst;

	if (list == NULL)
		return 2;
	worst = issue_check_step(ctx, app, step, list);
	for (size_t i = 0; i < list->n && why == NULL; i++)
		if (list->items[i].field == AF_ORG_ID_NUMBER && list->items[i].severity == VAL_WARN)
			why = list->items[i].msg;
	/* Ask even when other fields are wrong too: the reason is about this
	 * code alone, and asking now saves a second round. */
	if (why != NULL) {
		char reason[200], text[512];
		snprintf(text, sizeof(text), _("The unified social credit code fails its check (%s). "
					       "Check it against the business licence. If the code "
					       "on the licence is exactly this, type the reason to "
					       "accept it; it is stored with the application."), why);
		if (ui_prompt(ctx, _("Accept a code that fails its check?"), text, reason,
			      sizeof(reason), 0) == 1 && reason[0] != '\0') {
			char supervisor[64], ask[700];

			/* A supervisor approves at this terminal (issue 6); the
			 * record keeps who did, the trail the approval. */
			snprintf(ask, sizeof(ask), _("Accept the code %s, which fails its check, "
						     "for the reason: %s"),
				 app_get(app, AF_ORG_ID_NUMBER), reason);
			if (ui_approve(ctx, SESSION_APPROVE_USCC, app->app_no, ask, supervisor,
				       sizeof(supervisor)) == 1) {
				app_set(app, AF_ORG_ID_OVERRIDE, reason);
				app_set(app, AF_ORG_ID_OVERRIDE_BY, supervisor);
				log_msg("wizard: %s USCC check overridden, approved by %s", app->app_no,
					supervisor);
				worst = issue_check_step(ctx, app, step, list);
			}
		}
	}
	ff_reload(ff);
	ff_clear_issues(ff);
	for (size_t i = 0; i < list->n; i++)
		ff_set_issue(ff, list->items[i].field, list->items[i].severity, list->items[i].msg);
	if (list->n > 0) {
		snprintf(msg, msgsz, _("%zu field(s) need attention; see the messages beside them."),
			 list->n);
		ff_focus(ff, list->items[0].field);
	}
	free(list);
	return worst;
}

static enum wizard_move wizard_step(struct gt_ctx *ctx, struct application *app, int step)
{
	const struct issue_step_def *def = issue_step(step);
	struct fieldform ff;
	char title[200], msg[600] = "";
	enum wizard_move move = WIZ_QUIT;
	int done = 0, msg_color = UI_C_ERROR;

	ff_open(&ff, ctx, app, def->fields, def->nfields, 0);
	while (!done) {
		enum app_field left;
		enum ff_result r;
		struct ui_key k;
		const char *field_msg;

		wizard_title(step, title, sizeof(title));
		ui_frame(ctx, title, app->app_no, wizard_hints(step));
		ff_draw(&ff);
		if (step == ISSUE_PRODUCT)
			wizard_price(ctx, &ff);
		else if (step == ISSUE_PEOPLE)
			wizard_card_summary(&ff);
		field_msg = ff.items[ff.cur].msg;
		if (msg[0] != '\0')
			ui_message(msg, msg_color);
		else if (field_msg[0] != '\0')
			ui_message(field_msg, ff.items[ff.cur].severity >= 2 ? UI_C_ERROR : UI_C_WARN);
		else
			ui_message(_(app_fields[ff_current(&ff)].help), UI_C_HINT);
		wnoutrefresh(stdscr);
		pos_form_cursor(ff.form);
		wnoutrefresh(ff.body);
		doupdate();

		k = ui_getkey(ctx);
		if (k.is_key && k.ch == UI_KEY_TICK)
			continue;
		msg[0] = '\0';
		if (ui_key_is_exit(k)) {
			ff_store(&ff);
			wizard_save(ctx, app, step, msg, sizeof(msg));
			move = k.ch == UI_KEY_IDLE ? WIZ_HOME : WIZ_QUIT;
			done = 1;
		} else if (k.is_key && k.ch == KEY_RESIZE) {
			char entry[APP_VALUE_MAX];
			int cur = ff.cur;

			/* Rebuilt for the new size, the focused field must still
			 * compare against its value from before the edit. */
			str_copy(entry, sizeof(entry), ff.focus_value);
			ff_store(&ff);
			ff_close(&ff);
			ff_open(&ff, ctx, app, def->fields, def->nfields, cur);
			str_copy(ff.focus_value, sizeof(ff.focus_value), entry);
			str_wipe(entry, sizeof(entry));
		} else if (k.is_key && k.ch == KEY_F(1)) {
			ui_help(ctx, _(def->title), _(def->help));
		} else if (k.is_key && (k.ch == KEY_F(10) || k.ch == KEY_NPAGE)) {
			ff_store(&ff);
			if (wizard_check_step(ctx, app, &ff, step, msg, sizeof(msg)) == VAL_OK) {
				if (wizard_save(ctx, app, step + 1, msg, sizeof(msg)) == 0) {
					move = WIZ_NEXT;
					done = 1;
				}
			} else {
				/* Keep the corrected values even though the step is
				 * not done; the check's message matters more here. */
				char unsaved[600];

				if (wizard_save(ctx, app, step, unsaved, sizeof(unsaved)) != 0)
					str_copy(msg, sizeof(msg), unsaved);
				msg_color = UI_C_ERROR;
			}
		} else if (k.is_key && (k.ch == KEY_F(9) || k.ch == KEY_PPAGE)) {
			ff_store(&ff);
			if (step > 0 && wizard_save(ctx, app, step - 1, msg, sizeof(msg)) == 0) {
				move = WIZ_BACK;
				done = 1;
			}
		} else if (!k.is_key && k.ch == 27) {
			ff_store(&ff);
			if (wizard_save(ctx, app, step, msg, sizeof(msg)) == 0) {
				move = WIZ_HOME;
				done = 1;
			}
		} else if (k.is_key && k.ch == KEY_F(2) && step == ISSUE_PEOPLE) {
			int who = app_field_person(ff_current(&ff));

			ff_store(&ff);
			if (who < 0)
				who = APP_HANDLER;
			msg_color = ui_read_card(ctx, app, (enum app_person)who, msg, sizeof(msg)) == 0
				    ? UI_C_OK : UI_C_ERROR;
			ff_reload(&ff);
			for (size_t i = 0; i < ff.n; i++)
				if (app_field_person(ff.items[i].field) == who)
					wizard_check_one(ctx, &ff, ff.items[i].field);
			if (msg_color == UI_C_OK) {
				char unsaved[600];

				if (wizard_save(ctx, app, step, unsaved, sizeof(unsaved)) != 0) {
					str_copy(msg, sizeof(msg), unsaved);
					msg_color = UI_C_ERROR;
				}
			}
		} else {
			char before[APP_VALUE_MAX];

			str_copy(before, sizeof(before), app_get(app, ff_current(&ff)));
			r = ff_key(&ff, k, &left);
			if (r == FF_LEFT_FIELD || r == FF_CHOSEN) {
				enum app_field f = r == FF_LEFT_FIELD ? left : ff_current(&ff);

				if (r == FF_LEFT_FIELD)
					str_copy(before, sizeof(before), ff.left_value);

				if (strcmp(before, app_get(app, f)) != 0)
					app_card_field_edited(app, f);
				if (f == AF_ORG_ID_NUMBER && strcmp(before, app_get(app, f)) != 0) {
					struct check_ctx cc;

					/* A reason given for one code does not carry over
					 * to another; the region follows the new code. */
					app_set(app, AF_ORG_ID_OVERRIDE, "");
					app_set(app, AF_ORG_ID_OVERRIDE_BY, "");
					ctx_check_ctx(ctx, &cc);
					check_derive_region(&cc, app, 1);
					ff_reload(&ff);
					/* An error shown for an empty province or city
					 * is stale once the code filled them in. */
					for (size_t i = 0; i < ff.n; i++)
						if (app_fields[ff.items[i].field].kind == AK_REGION &&
						    ff.items[i].msg[0] != '\0')
							wizard_check_one(ctx, &ff, ff.items[i].field);
				}
				wizard_check_one(ctx, &ff, f);
				if (f == AF_PROJECT || f == AF_CERT_TYPE)
					for (size_t i = 0; i < ff.n; i++)
						wizard_check_one(ctx, &ff, ff.items[i].field);
				wizard_save(ctx, app, step, msg, sizeof(msg));
				msg_color = UI_C_ERROR;
			}
			str_wipe(before, sizeof(before));
		}
	}
	ff_close(&ff);
	return move;
}

/* Review lines: one per field, personal numbers masked. */
static size_t wizard_review_lines(struct gt_ctx *ctx, struct application *app,
				  char (*lines)[300], int *attrs, size_t max)
{
	struct catalog_quote q;
	struct check_list *list = calloc(1, sizeof(*list));
	struct gt_err err;
	const char *section = "";
	char shown[APP_VALUE_MAX], amount[32];
	size_t n = 0;

	for (int f = 0; f < AF_COUNT && n + 2 < max; f++) {
		const struct app_field_def *def = &app_fields[f];
		const char *v = app_get(app, (enum app_field)f);

		if (strcmp(section, def->section) != 0) {
			section = def->section;
			if (strcmp(section, "application") == 0)
				snprintf(lines[n], 300, "%s", _("I. Certificate"));
			else if (strcmp(section, "organization") == 0)
				snprintf(lines[n], 300, "%s", _("II. Organisation"));
			else if (strcmp(section, "legal_rep") == 0)
				snprintf(lines[n], 300, "%s", _("Legal representative"));
			else if (strcmp(section, "handler") == 0)
				snprintf(lines[n], 300, "%s", _("III. Handler"));
			else if (strcmp(section, "authorization") == 0)
				snprintf(lines[n], 300, "%s", _("IV. Authorisation"));
			else if (strcmp(section, "invoice") == 0)
				snprintf(lines[n], 300, "%s", _("Invoice"));
			else
				snprintf(lines[n], 300, "%s", _("Payment"));
			attrs[n++] = A_BOLD;
		}
		if (v[0] == '\0')
			continue;
		if (def->kind == AK_CHOICE && app_choice_label((enum app_field)f, v))
			str_copy(shown, sizeof(shown), _(app_choice_label((enum app_field)f, v)));
		else if (def->kind == AK_CATALOG && catalog_project(&ctx->catalog, v))
			str_copy(shown, sizeof(shown), catalog_project(&ctx->catalog, v)->name);
		else if (def->kind == AK_REGION && region_find(ctx->regions, v))
			snprintf(shown, sizeof(shown), "%s %s", v, region_find(ctx->regions, v)->name);
		else
			app_display_value(app, (enum app_field)f, shown, sizeof(shown), 0);
		{
			char line[APP_VALUE_MAX + 200];

			snprintf(line, sizeof(line), "  %s: %s", _(def->label), shown);
			str_copy(lines[n], 300, line);
		}
		attrs[n++] = 0;
	}
	if (catalog_quote(&ctx->catalog, app, &q, &err) == 0 && n + 1 < max) {
		catalog_format_fen(q.total_fen, amount, sizeof(amount));
		snprintf(lines[n], 300, "%s: %s", _("Total (CNY)"), amount);
		attrs[n++] = A_BOLD;
	}
	if (list != NULL && issue_check_step(ctx, app, ISSUE_REVIEW, list) != VAL_OK) {
		for (size_t i = 0; i < list->n && n < max; i++) {
			snprintf(lines[n], 300, "! %s: %s", _(app_fields[list->items[i].field].label),
				 list->items[i].msg);
			attrs[n++] = COLOR_PAIR(UI_C_ERROR) | A_BOLD;
		}
	}
	free(list);
	return n;
}

static enum wizard_move wizard_review(struct gt_ctx *ctx, struct application *app)
{
	enum { MAXL = 80 };
	char (*lines)[300] = calloc(MAXL, sizeof(*lines));
	int attrs[MAXL], top = 0;
	char title[200], msg[600] = "";
	enum wizard_move move = WIZ_QUIT;
	size_t n;

	if (lines == NULL)
		return WIZ_HOME;
	curs_set(0);
	n = wizard_review_lines(ctx, app, lines, attrs, MAXL);
	for (;;) {
		struct ui_key k;
		int rows = ui_body_rows();

		wizard_title(ISSUE_REVIEW, title, sizeof(title));
		ui_frame(ctx, title, app->app_no, wizard_hints(ISSUE_REVIEW));
		ui_clear_body();
		for (int i = 0; i < rows && (size_t)(top + i) < n; i++) {
			attron(attrs[top + i]);
			ui_put(stdscr, ui_body_top() + i, 1, COLS - 2, lines[top + i]);
			attroff(attrs[top + i]);
		}
		ui_message(msg[0] ? msg : _("Check every line with the customer, then press F10."),
			   msg[0] ? UI_C_ERROR : UI_C_HINT);
		refresh();
		k = ui_getkey(ctx);
		if (k.is_key && k.ch == UI_KEY_TICK)
			continue;
		msg[0] = '\0';
		if (ui_key_is_exit(k)) {
			move = k.ch == UI_KEY_IDLE ? WIZ_HOME : WIZ_QUIT;
			break;
		} else if (k.is_key && k.ch == KEY_DOWN && (size_t)(top + rows) < n) {
			top++;
		} else if (k.is_key && k.ch == KEY_UP && top > 0) {
			top--;
		} else if (k.is_key && k.ch == KEY_NPAGE) {
			top = (size_t)(top + 2 * rows) <= n ? top + rows : (n > (size_t)rows ? (int)n - rows : 0);
		} else if (k.is_key && k.ch == KEY_PPAGE) {
			top = top > rows ? top - rows : 0;
		} else if (k.is_key && k.ch == KEY_F(1)) {
			ui_help(ctx, _(issue_step(ISSUE_REVIEW)->title), _(issue_step(ISSUE_REVIEW)->help));
		} else if (k.is_key && k.ch == KEY_F(9)) {
			if (wizard_save(ctx, app, ISSUE_PAYMENT, msg, sizeof(msg)) == 0) {
				move = WIZ_BACK;
				break;
			}
		} else if (!k.is_key && k.ch == 27) {
			move = WIZ_HOME;
			break;
		} else if (k.is_key && k.ch == KEY_F(10)) {
			struct check_list *list = calloc(1, sizeof(*list));
			struct gt_err err;
			int rc = list ? issue_submit(ctx, app, list, &err) : -1;

			if (rc == 0) {
				char text[400];

				log_msg("wizard: %s submitted", app->app_no);
				snprintf(text, sizeof(text),
					 _("Application %s is accepted. Next: print the application "
					   "form for the customer to sign and seal."), app->app_no);
				ui_alert(ctx, _("Application accepted"), text);
				/* The application form prints at once, for signature and
				 * seal (issue 5); the print screen follows the job. */
				{
					static const enum print_doc form[] = { PRINT_APP_FORM };

					move = ui_print(ctx, app->app_no, form, 1) < 0 ? WIZ_QUIT : WIZ_DONE;
				}
				/* Then the key (issue 4), when a blank one is at hand. */
				if (move == WIZ_DONE &&
				    ui_confirm(ctx, _("Personalise key"),
					       _("Personalise a blank key for this application now?"))) {
					int p = ui_personalise(ctx, app->app_no);

					if (p < 0) {
						move = WIZ_QUIT;
					} else if (p == 1) {
						/* With the key done: the seal sheet (when an
						 * e-seal was ordered), receipt and hand-over slip. */
						if (ui_print_after_key(ctx, app->app_no) < 0)
							move = WIZ_QUIT;
					}
				}
				free(list);
				break;
			}
			if (rc == 1)
				snprintf(msg, sizeof(msg), _("%zu problem(s) left; go back (F9) and correct "
							     "them."), list->n);
			else
				snprintf(msg, sizeof(msg), _("Not submitted: %s"), list ? err.msg : "");
			free(list);
			n = wizard_review_lines(ctx, app, lines, attrs, MAXL);
		}
	}
	curs_set(1);
	free(lines);
	return move;
}

int ui_wizard(struct gt_ctx *ctx, const char *app_no)
{
	struct application *app = calloc(1, sizeof(*app));
	struct gt_err err;
	int step, rc = 0;

	if (app == NULL)
		return 0;
	if ((app_no ? issue_load(ctx, app_no, app, &err) : issue_begin(ctx, app, &err)) != 0) {
		ui_alert(ctx, _("Cannot open the application"), err.msg);
		free(app);
		return 0;
	}
	log_msg("wizard: %s %s at step %d", app_no ? "resumed" : "started", app->app_no, app->step);
	step = app->step >= 0 && app->step < ISSUE_STEPS ? app->step : 0;
	for (;;) {
		enum wizard_move m = step == ISSUE_REVIEW ? wizard_review(ctx, app)
							  : wizard_step(ctx, app, step);

		if (m == WIZ_NEXT)
			step++;
		else if (m == WIZ_BACK)
			step--;
		else {
			rc = m == WIZ_QUIT ? -1 : 0;
			break;
		}
	}
	app_clear(app);
	free(app);
	return rc;
}
