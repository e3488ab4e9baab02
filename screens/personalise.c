/* Personalising a key on screen (issue 4): the status bar's key slot (a
 * pcsc-lite monitor thread reports insertion and removal; the slot names
 * the model from the ATR, or says the model is unsupported), and the
 * personalisation screen: which key is about to be initialised (or, for a
 * resume, which key the application is on), the PIN typed twice (never
 * echoed, checked against the key model's rules before anything starts)
 * — or, when [token] pin = random, no PIN at all — then the steps with a
 * progress bar and the elapsed time while the work runs on the
 * personalisation job's thread; Esc cancels (honoured until the CA is
 * asked; after that the few remaining steps finish so no certificate is
 * left off the key). The end shows subject, serial, validity and the
 * SHA-256 fingerprint in the same window.
 *
 * A random PIN lives in this screen's memory only, from the job's result
 * until its PIN mailer (flow/print.h, document pin-mailer) has been
 * printed — a CUPS job followed like the others. If the printer fails, R
 * sends the mailer again; leaving without it is confirmed, audited
 * (flow/keydesk.h) and the key then needs a PIN reset. The PIN is wiped
 * on every way out.
 *
 * Also here: the home menu's list of personalisations left unfinished
 * (a killed process, a pulled key), each resumed on its key or rolled back
 * (certificates revoked, key blanked) on the same progress window. */
#include "config.h"
#include "screens/ui.h"
#include "screens/accounts.h"
#include "flow/issue.h"
#include "flow/keydesk.h"
#include "flow/personalise.h"
#include "flow/print.h"
#include "flow/session.h"
#include "token/catalog.h"
#include "token/pcsc.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <openssl/crypto.h>
#include <panel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct pcsc_mon *perso_mon;
static struct tcat perso_cat;
static int perso_cat_loaded;
static char perso_key_text[128];
static int perso_key_unsupported;      /* perso_key_text names an unknown ATR */

/* A configured module whose keys sit in no reader (SoftHSM2, the embedded
 * default) always has its key present: name it rather than report a
 * missing reader service that this module does not need. */
static int perso_readerless_model(const struct gt_ctx *ctx)
{
	for (size_t i = 0; perso_cat_loaded > 0 && i < perso_cat.n; i++) {
		const struct tcat_model *m = &perso_cat.models[i];

		if (m->atr_len == 0 && strcmp(m->module, ctx->cfg.token_module) == 0) {
			snprintf(perso_key_text, sizeof(perso_key_text), "%s", m->name);
			return 1;
		}
	}
	return 0;
}

/* The key slot of the status bar: started on first use, polled on every
 * redraw (the monitor never blocks the UI). */
const char *ui_key_state_text(struct gt_ctx *ctx)
{
	struct pcsc_reader r[PCSC_MAX_READERS];
	enum pcsc_mon_state st;
	size_t n = 0;

	if (perso_mon == NULL) {
		perso_mon = pcsc_mon_new(NULL);
		if (perso_mon == NULL)
			return _("n/a");
	}
	if (!perso_cat_loaded)
		perso_cat_loaded = tcat_load(ctx->cfg.token_catalog, &perso_cat, NULL) == 0 ? 1 : -1;
	st = pcsc_mon_poll(perso_mon, r, PCSC_MAX_READERS, &n, NULL);
	perso_key_unsupported = 0;
	if (st == PCSC_MON_STARTING)
		return "…";
	if (st == PCSC_MON_NO_SERVICE)
		return perso_readerless_model(ctx) ? perso_key_text : _("no reader service");
	for (size_t i = 0; i < n; i++) {
		const struct tcat_model *m;

		if (!r[i].card)
			continue;
		m = perso_cat_loaded > 0 ? tcat_by_atr(&perso_cat, r[i].atr, r[i].atr_len) : NULL;
		if (m != NULL) {
			snprintf(perso_key_text, sizeof(perso_key_text), "%s", m->name);
		} else {
			char atr[3 * PCSC_ATR_MAX + 1];

			/* The ATR is what the CA's support needs to add the
			 * model to data/tokens.ini. */
			tcat_atr_hex(r[i].atr, r[i].atr_len, atr, sizeof(atr));
			snprintf(perso_key_text, sizeof(perso_key_text), _("unsupported key model (ATR %s)"),
				 atr);
			perso_key_unsupported = 1;
		}
		return perso_key_text;
	}
	if (perso_readerless_model(ctx))
		return perso_key_text;
	return n == 0 ? _("no reader") : _("none");
}

void ui_key_stop(void)
{
	pcsc_mon_free(perso_mon);
	perso_mon = NULL;
}

/* ---- which key, and the PIN -------------------------------------------- */

/* Find the key to work on, letting the operator insert it and look
 * again. 1 found, 0 back. */
static int perso_find_key(struct gt_ctx *ctx, const char *app_no, struct keydesk_target *t)
{
	for (;;) {
		struct gt_err err;
		char text[900];

		const char *slot;

		if (keydesk_target(ctx, app_no, t, &err) == KEYDESK_TARGET_FOUND)
			return 1;
		/* A key the catalogue does not know is named with its ATR,
		 * not just reported missing. */
		slot = ui_key_state_text(ctx);
		snprintf(text, sizeof(text), "%s%s%s\n\n%s", err.msg,
			 perso_key_unsupported ? "\n" : "", perso_key_unsupported ? slot : "",
			 _("Insert the key, then answer Y to look again."));
		if (!ui_confirm(ctx, _("Personalise key"), text))
			return 0;
	}
}

static void perso_key_line(const struct keydesk_target *t, char *out, size_t size)
{
	snprintf(out, size, _("%s, serial %s, in %s"), t->model,
		 t->serial[0] ? t->serial : _("(assigned at initialisation)"), t->description);
}

/* Ask for the PIN twice, each checked against the key's rules; 1 entered
 * (pin filled), 0 cancelled (pin wiped). */
static int perso_ask_pin(struct gt_ctx *ctx, const struct keydesk_target *t, char *pin,
			 size_t size)
{
	char again[72], ask[400];
	int rc = 0;

	snprintf(ask, sizeof(ask), t->pin_digits ?
		 _("The customer types the new PIN: %d to %d digits, not one digit repeated, "
		   "not a simple sequence such as 123456.") :
		 _("The customer types the new PIN: %d to %d characters, not one character "
		   "repeated, not a simple sequence such as 123456."), t->pin_min, t->pin_max);
	for (;;) {
		struct gt_err err;

		if (!ui_prompt(ctx, _("Customer PIN"), ask, pin, size, 1))
			break;
		if (keydesk_pin_check(t, pin, &err) != 0) {
			/* The rule's message, never the PIN. */
			ui_alert(ctx, _("Customer PIN"), err.msg);
			continue;
		}
		if (!ui_prompt(ctx, _("Customer PIN"), _("Type the same PIN again:"), again,
			       sizeof(again), 1))
			break;
		if (strcmp(pin, again) == 0) {
			rc = 1;
			break;
		}
		ui_alert(ctx, _("Customer PIN"), _("The two PINs differ. Type them again."));
	}
	OPENSSL_cleanse(again, sizeof(again));
	if (!rc)
		OPENSSL_cleanse(pin, size);
	return rc;
}

/* ---- the progress window ----------------------------------------------- */

enum perso_mailer {
	PERSO_MAILER_NONE,      /* no random PIN */
	PERSO_MAILER_PRINTING,
	PERSO_MAILER_PRINTED,
	PERSO_MAILER_FAILED,    /* R sends it again while the PIN is here */
	PERSO_MAILER_LOST,      /* left without it (audited) */
};

struct perso_screen {
	struct gt_ctx *ctx;
	const char *app_no;
	int rollback;
	char key_line[256];
	WINDOW *win;
	PANEL *panel;
	int h, w;
	enum perso_step step;
	enum perso_job_state st;
	char line[512];
	time_t start, end;
	struct perso_result res;          /* random_pin: until the mailer is out */
	enum perso_mailer mailer;
	struct print_job *pjob;
	struct print_job_info pinfo;
	char mailer_msg[512];
};

/* Draw s from (y, x), wrapped over at most `rows` rows of `cols`. */
static int perso_wrap(WINDOW *win, int y, int x, int cols, int rows, const char *s)
{
	int used = 0;

	while (*s != '\0' && used < rows) {
		size_t n = str_prefix_for_width(s, cols);
		char buf[600];

		if (n == 0)
			break;
		snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
		ui_put(win, y + used, x, cols, buf);
		s += n;
		used++;
	}
	return used;
}

static void perso_mailer_text(const struct perso_screen *ps, char *out, size_t size)
{
	const struct print_job_info *i = &ps->pinfo;
	const char *dest = i->dest[0] ? i->dest : _("(default printer)");
	char state[300];

	if (i->cups_job > 0)
		snprintf(state, sizeof(state), _("copy %d · %s · job %d · %s"), i->copy, dest,
			 i->cups_job, _(spool_state_label(i->state)));
	else if (i->copy > 0)
		snprintf(state, sizeof(state), _("copy %d · %s · %s"), i->copy, dest,
			 _(spool_state_label(i->state)));
	else
		snprintf(state, sizeof(state), "%s", _("not printed yet"));
	snprintf(out, size, "%s: %s", _(print_doc_title(PRINT_PIN_MAILER)), state);
}

static void perso_draw(struct perso_screen *ps, const char *hint)
{
	WINDOW *win = ps->win;
	int w = ps->w, inner = w - 6, col = inner / 2, y, bar, filled, rows, gap;
	int ended = ps->st != PERSO_JOB_RUNNING, ok = ps->st == PERSO_JOB_DONE ||
		    ps->st == PERSO_JOB_ROLLED_BACK;
	char buf[700];

	werase(win);
	box(win, 0, 0);
	wattron(win, A_BOLD);
	snprintf(buf, sizeof(buf), ps->rollback ? _("Roll back: %s") : _("Personalise key: %s"),
		 ps->app_no);
	ui_put(win, 0, 2, w - 4, buf);
	wattroff(win, A_BOLD);
	snprintf(buf, sizeof(buf), "%s: %s", _("Key"), ps->key_line);
	ui_put(win, 1, 3, inner, buf);
	/* The steps, in two columns so the end fits on 24 lines. */
	if (ps->rollback) {
		snprintf(buf, sizeof(buf), "%s %s", ok ? "✓" : ended ? "✗" : "▶",
			 _("Revoke the certificates issued and blank the key"));
		ui_put(win, 2, 3, inner, buf);
		rows = 1;
	} else {
		rows = (PERSO_STEPS + 1) / 2;
		for (int s = 0; s < PERSO_STEPS; s++) {
			const char *mark = ok || s < (int)ps->step ? "✓" :
					   s == (int)ps->step ? (ended ? "✗" : "▶") : " ";

			snprintf(buf, sizeof(buf), "%s %s", mark, perso_step_title((enum perso_step)s));
			if (s == (int)ps->step && !ended)
				wattron(win, A_BOLD);
			ui_put(win, 2 + s % rows, 3 + (s / rows) * (col + 1), col, buf);
			wattroff(win, A_BOLD);
		}
	}
	y = 2 + rows;
	bar = inner - 10;
	filled = ok ? bar : ps->rollback ? 0 : bar * (int)ps->step / PERSO_STEPS;
	wmove(win, y, 3);
	waddch(win, '[');
	for (int i = 0; i < bar; i++)
		waddch(win, i < filled ? '#' : '.');
	waddch(win, ']');
	snprintf(buf, sizeof(buf), _("%ld s"), (long)((ended ? ps->end : time(NULL)) - ps->start));
	ui_put(win, y, bar + 6, 8, buf);
	y += 1;
	if (ended && !ok)
		wattron(win, COLOR_PAIR(UI_C_ERROR));
	/* A stop's reason and what to do next get the room of the result. */
	y += perso_wrap(win, y, 3, inner, ended && !ok ? 4 : 2, ps->line);
	wattroff(win, COLOR_PAIR(UI_C_ERROR));
	/* Blank lines between the blocks only when the mailer's does not
	 * need the room (80x24 is the smallest screen). */
	gap = ps->mailer == PERSO_MAILER_NONE || ps->h >= 26 ? 1 : 0;
	if (ps->st == PERSO_JOB_DONE && !ps->rollback) {
		const struct perso_result *r = &ps->res;

		y += gap;
		snprintf(buf, sizeof(buf), "%s: %s", _("Subject"), r->subject);
		y += perso_wrap(win, y, 3, inner, 2, buf);
		snprintf(buf, sizeof(buf), "%s: %s", _("Serial"), r->serial);
		ui_put(win, y++, 3, inner, buf);
		snprintf(buf, sizeof(buf), "%s: %s .. %s", _("Validity"), r->not_before, r->not_after);
		ui_put(win, y++, 3, inner, buf);
		/* 32 bytes as AB:CD:..: 16 on each line. */
		snprintf(buf, sizeof(buf), "SHA-256: %.47s", r->sha256);
		ui_put(win, y++, 3, inner, buf);
		if (strlen(r->sha256) > 48) {
			snprintf(buf, sizeof(buf), "         %s", r->sha256 + 48);
			ui_put(win, y++, 3, inner, buf);
		}
	}
	if (ps->mailer != PERSO_MAILER_NONE) {
		int attr = ps->mailer == PERSO_MAILER_PRINTED ? COLOR_PAIR(UI_C_OK) :
			   ps->mailer == PERSO_MAILER_PRINTING ? COLOR_PAIR(UI_C_WARN) :
			   COLOR_PAIR(UI_C_ERROR);

		y += gap;
		perso_mailer_text(ps, buf, sizeof(buf));
		wattron(win, attr | A_BOLD);
		ui_put(win, y++, 3, inner, buf);
		wattroff(win, A_BOLD);
		y += perso_wrap(win, y, 3, inner, ps->h - 2 - y, ps->mailer_msg);
		wattroff(win, attr);
	}
	wattron(win, COLOR_PAIR(UI_C_HINT));
	ui_put(win, ps->h - 2, 3, inner, hint);
	wattroff(win, COLOR_PAIR(UI_C_HINT));
	ui_status_bar(ps->ctx);
	update_panels();
	doupdate();
}

/* ---- the PIN mailer ---------------------------------------------------- */

static void perso_mailer_says(struct perso_screen *ps)
{
	if (ps->mailer == PERSO_MAILER_PRINTED)
		snprintf(ps->mailer_msg, sizeof(ps->mailer_msg), "%s",
			 _("The PIN is on the mailer only; hand it to the customer sealed."));
	else if (ps->mailer == PERSO_MAILER_FAILED)
		/* What it means first; CUPS's reason after, as room allows
		 * (the print screen's job list has it in full too). */
		snprintf(ps->mailer_msg, sizeof(ps->mailer_msg), "%s%s%s",
			 _("The PIN is only in this terminal's memory: R sends the mailer again "
			   "once the printer is fixed. Leaving loses the PIN; the key then needs a "
			   "PIN reset (unlock)."), ps->pinfo.msg[0] ? " " : "", ps->pinfo.msg);
	else
		ps->mailer_msg[0] = '\0';
}

/* Send the mailer with the PIN still in memory: a first copy, or a new
 * one after a failure (a copy that came out before needs a supervisor,
 * as any second copy does). */
static void perso_mailer_send(struct perso_screen *ps)
{
	struct application *app = calloc(1, sizeof(*app));
	char supervisor[64] = "";
	struct gt_err err;
	int copy;

	memset(&ps->pinfo, 0, sizeof(ps->pinfo));
	ps->mailer = PERSO_MAILER_FAILED;
	if (app == NULL) {
		str_copy(ps->pinfo.msg, sizeof(ps->pinfo.msg), _("out of memory"));
		goto out;
	}
	if (issue_load(ps->ctx, ps->app_no, app, &err) != 0) {
		str_copy(ps->pinfo.msg, sizeof(ps->pinfo.msg), err.msg);
		goto out;
	}
	if (print_next_copy(ps->ctx, ps->app_no, PRINT_PIN_MAILER, &copy, &err) != 0) {
		str_copy(ps->pinfo.msg, sizeof(ps->pinfo.msg), err.msg);
		goto out;
	}
	if (copy > 1 && print_copy(ps->ctx, ps->app_no, PRINT_PIN_MAILER, &copy, &err) != 0 &&
	    ui_approve(ps->ctx, SESSION_APPROVE_REPRINT, ps->app_no, err.msg, supervisor,
		       sizeof(supervisor)) != 1) {
		str_copy(ps->pinfo.msg, sizeof(ps->pinfo.msg), err.msg);
		goto out;
	}
	if (print_start(ps->ctx, app, PRINT_PIN_MAILER, NULL, ps->res.random_pin, NULL, supervisor,
			&ps->pjob, &err) != 0) {
		str_copy(ps->pinfo.msg, sizeof(ps->pinfo.msg), err.msg);
		goto out;
	}
	ps->mailer = PERSO_MAILER_PRINTING;
	print_poll(ps->ctx, ps->pjob, &ps->pinfo);
out:
	if (app != NULL) {
		app_clear(app);
		free(app);
	}
	perso_mailer_says(ps);
}

/* Follow the mailer's job; once it ends the job is let go. */
static void perso_mailer_poll(struct perso_screen *ps)
{
	if (ps->pjob == NULL)
		return;
	if (!print_poll(ps->ctx, ps->pjob, &ps->pinfo))
		return;
	print_job_free(ps->pjob);
	ps->pjob = NULL;
	ps->mailer = ps->pinfo.state == SPOOL_COMPLETED ? PERSO_MAILER_PRINTED : PERSO_MAILER_FAILED;
	if (ps->mailer == PERSO_MAILER_PRINTED)
		/* On paper now: the PIN leaves memory at once. */
		OPENSSL_cleanse(ps->res.random_pin, sizeof(ps->res.random_pin));
	perso_mailer_says(ps);
}

/* Leaving with the mailer not printed: the PIN goes, and the record says
 * the key needs a PIN reset. */
static void perso_mailer_lose(struct perso_screen *ps)
{
	struct gt_err err;

	OPENSSL_cleanse(ps->res.random_pin, sizeof(ps->res.random_pin));
	ps->mailer = PERSO_MAILER_LOST;
	if (keydesk_mailer_lost(ps->ctx, ps->app_no, ps->res.token_serial, &err) != 0)
		log_msg("token: %s: PIN mailer loss not recorded: %s", ps->app_no, err.msg);
}

static const char *perso_end_hint(const struct perso_screen *ps)
{
	if (ps->mailer == PERSO_MAILER_PRINTING)
		return _("The PIN mailer is printing; wait for it.");
	if (ps->mailer == PERSO_MAILER_FAILED)
		return _("R: send the PIN mailer again   Enter: leave without it");
	return _("Enter: continue");
}

/* ---- one run ----------------------------------------------------------- */

/* The window's size for the terminal now (80x24 at least), centred. */
static void perso_fit(struct perso_screen *ps)
{
	ps->w = COLS - 4 < 92 ? COLS - 4 : 92;
	ps->h = LINES - 2 < 26 ? LINES - 2 : 26;
	if (ps->win == NULL) {
		ps->win = newwin(ps->h, ps->w, (LINES - ps->h) / 2, (COLS - ps->w) / 2);
		ps->panel = new_panel(ps->win);
		return;
	}
	wresize(ps->win, ps->h, ps->w);
	move_panel(ps->panel, (LINES - ps->h) / 2, (COLS - ps->w) / 2);
	touchwin(stdscr);
}

/* Run a personalisation (pin NULL: random) or a roll-back on the window.
 * 1 personalised / rolled back, 0 not, -1 quit requested. */
static int perso_screen_run(struct gt_ctx *ctx, const char *app_no, const char *key_line,
			    const char *pin, int rollback)
{
	struct perso_screen ps;
	struct perso_opts o = { 0 };
	struct perso_job *job;
	struct gt_err err;
	int rc = 0;

	memset(&ps, 0, sizeof(ps));
	ps.ctx = ctx;
	ps.app_no = app_no;
	ps.rollback = rollback;
	str_copy(ps.key_line, sizeof(ps.key_line), key_line);
	o.app_no = app_no;
	o.pin = pin;
	o.rollback = rollback;
	job = perso_job_new(ctx, &o, &err);
	if (job == NULL) {
		ui_alert(ctx, _("Personalise key"), err.msg);
		return 0;
	}
	ps.start = time(NULL);
	perso_fit(&ps);
	ps.st = PERSO_JOB_RUNNING;
	curs_set(0);
	for (;;) {
		struct ui_key k;

		ps.st = perso_job_poll(job, &ps.step, ps.line, sizeof(ps.line));
		if (ps.st != PERSO_JOB_RUNNING)
			break;
		perso_draw(&ps, rollback ? _("Rolling back; this cannot be cancelled.") :
			   _("Esc: cancel (safe until the CA is asked)"));
		k = ui_getkey_ms(ctx, 100);
		if (k.is_key && k.ch == KEY_RESIZE)
			perso_fit(&ps);
		if (!rollback && (ui_key_is_exit(k) || (!k.is_key && k.ch == 27))) {
			perso_job_cancel(job);
			snprintf(ps.line, sizeof(ps.line), "%s", _("Cancelling…"));
			if (ui_key_is_exit(k))
				rc = -1;
		} else if (rollback && ui_key_is_exit(k)) {
			rc = -1;
		}
	}
	ps.end = time(NULL);
	perso_job_result(job, &ps.res, &err);
	perso_job_free(job);
	if (ps.st == PERSO_JOB_DONE) {
		snprintf(ps.line, sizeof(ps.line), "%s", _("The key is personalised and proved."));
		if (ps.res.random_pin[0] != '\0') {
			if (rc == 0)
				perso_mailer_send(&ps);
			else
				perso_mailer_lose(&ps);
		}
	} else if (ps.st == PERSO_JOB_ROLLED_BACK) {
		snprintf(ps.line, sizeof(ps.line), _("Rolled back: %d certificate(s) revoked. The key, "
						     "if it was inserted, is blank again."),
			 ps.res.revoked);
	} else if (ps.st == PERSO_JOB_CANCELLED) {
		snprintf(ps.line, sizeof(ps.line), "%s", _("Cancelled. The application can be resumed; "
							   "nothing was issued."));
	} else {
		snprintf(ps.line, sizeof(ps.line), _("Stopped: %s The steps done are kept: K on the "
						     "home menu resumes or rolls back."), err.msg);
	}
	/* The end, in the same window, until the operator has read it (and
	 * the mailer, when there is one, is out). */
	while (rc == 0) {
		struct ui_key k;

		perso_mailer_poll(&ps);
		perso_draw(&ps, perso_end_hint(&ps));
		k = ui_getkey_ms(ctx, 200);
		if (k.is_key && k.ch == UI_KEY_TICK)
			continue;
		if (k.is_key && k.ch == KEY_RESIZE) {
			perso_fit(&ps);
			continue;
		}
		if (ui_key_is_exit(k)) {
			rc = k.ch == UI_KEY_IDLE ? 0 : -1;
			break;
		}
		if (!k.is_key && (k.ch == 'r' || k.ch == 'R') && ps.mailer == PERSO_MAILER_FAILED) {
			perso_mailer_send(&ps);
			continue;
		}
		if (!((!k.is_key && (k.ch == '\r' || k.ch == '\n' || k.ch == 27)) ||
		      (k.is_key && k.ch == KEY_ENTER)))
			continue;
		if (ps.mailer == PERSO_MAILER_PRINTING)
			continue;
		if (ps.mailer == PERSO_MAILER_FAILED &&
		    !ui_confirm(ctx, _("PIN mailer not printed"),
				_("The PIN mailer has not been printed. Leaving now wipes the PIN: "
				  "nobody will know it, and the key needs a PIN reset (unlock) "
				  "before the customer can use it. Leave anyway?")))
			continue;
		break;
	}
	if (ps.mailer == PERSO_MAILER_PRINTING || ps.mailer == PERSO_MAILER_FAILED)
		perso_mailer_lose(&ps);
	print_job_free(ps.pjob);
	OPENSSL_cleanse(&ps.res, sizeof(ps.res));
	del_panel(ps.panel);
	delwin(ps.win);
	touchwin(stdscr);
	curs_set(1);
	if (rc < 0)
		return -1;
	return ps.st == PERSO_JOB_DONE || ps.st == PERSO_JOB_ROLLED_BACK ? 1 : 0;
}

int ui_personalise(struct gt_ctx *ctx, const char *app_no)
{
	struct keydesk_target t;
	char key_line[256], pin[72], text[1600];
	int random = ctx->cfg.token_random_pin, rc;

	/* Say which key is about to be initialised before touching it. */
	if (!perso_find_key(ctx, app_no, &t))
		return 0;
	perso_key_line(&t, key_line, sizeof(key_line));
	if (t.resume)
		snprintf(text, sizeof(text), _("Resume the personalisation of application %s on this "
					       "key?\n\n%s\n\nThe steps already done are kept; the "
					       "PIN is set anew."), app_no, key_line);
	else
		snprintf(text, sizeof(text), _("Initialise this key for application %s?\n\n%s\n\n"
					       "Everything on it will be erased."), app_no, key_line);
	if (random) {
		size_t len = strlen(text);

		snprintf(text + len, sizeof(text) - len, "\n\n%s",
			 _("The PIN is random: nobody types it, and only the PIN mailer, printed "
			   "as soon as the key is done, shows it."));
	}
	if (!ui_confirm(ctx, _("Personalise key"), text))
		return 0;
	if (!random && !perso_ask_pin(ctx, &t, pin, sizeof(pin)))
		return 0;
	rc = perso_screen_run(ctx, app_no, key_line, random ? NULL : pin, 0);
	/* The job copied the PIN; ours goes now. */
	OPENSSL_cleanse(pin, sizeof(pin));
	return rc;
}

int ui_print_after_key(struct gt_ctx *ctx, const char *app_no)
{
	struct application *app = calloc(1, sizeof(*app));
	enum print_doc after[3], want[3];
	size_t n = 0, nwant = 0;
	struct gt_err err;
	int rc = 0;

	if (app == NULL)
		return 0;
	if (issue_load(ctx, app_no, app, &err) != 0) {
		ui_alert(ctx, _("Cannot open the application"), err.msg);
		free(app);
		return 0;
	}
	/* With the key done: the seal sheet (when an e-seal was ordered),
	 * receipt and hand-over slip — those not printed yet (a resume may
	 * follow a run whose papers came out). */
	if (strcmp(app_get(app, AF_ESEAL), "yes") == 0)
		want[nwant++] = PRINT_SEAL_SHEET;
	want[nwant++] = PRINT_RECEIPT;
	want[nwant++] = PRINT_HANDOVER;
	for (size_t i = 0; i < nwant; i++) {
		int copy;

		if (print_next_copy(ctx, app_no, want[i], &copy, &err) != 0 || copy == 1)
			after[n++] = want[i];
	}
	app_clear(app);
	free(app);
	rc = ui_print(ctx, app_no, after, n);
	return rc < 0 ? -1 : 0;
}

/* ---- the unfinished ones (home menu K) --------------------------------- */

#define PERSO_PENDING_MAX 50

static void perso_pending_step(const struct keydesk_pending *p, char *out, size_t size)
{
	char when[32] = "";
	time_t at = (time_t)p->at;
	struct tm tm;

	if (p->at > 0 && localtime_r(&at, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	if (p->rolling_back)
		snprintf(out, size, _("roll-back begun, not finished · %s"), when);
	else if (p->step == PERSO_FIND)
		snprintf(out, size, _("nothing done on a key yet · %s"), when);
	else
		snprintf(out, size, _("last step: %s (%s) · %s"), perso_step_title(p->step),
			 p->step_done ? _("done") : _("not finished"), when);
}

static void perso_pending_cert(const struct keydesk_pending *p, char *out, size_t size)
{
	if (p->cert_serial[0] == '\0')
		snprintf(out, size, "%s", _("no certificate issued"));
	else if (p->cert_on_key)
		snprintf(out, size, _("certificate %s issued and on the key"), p->cert_serial);
	else
		snprintf(out, size, _("certificate %s issued, not on the key yet"), p->cert_serial);
}

static void perso_pending_draw(struct gt_ctx *ctx, const struct keydesk_pending *list, size_t n,
			       int cur, const char *msg, enum ui_color color)
{
	int top = ui_body_top() + 1, bottom = ui_body_top() + ui_body_rows() - 1, y = top, first = 0;
	char line[700];

	ui_frame(ctx, _("Unfinished key personalisations"), ctx->operator_name,
		 _("↑↓ choose  Enter resume  X roll back  Esc back  F1 help"));
	ui_clear_body();
	if (n == 0)
		ui_put(stdscr, top, 4, COLS - 8, _("No key personalisation is unfinished."));
	/* Five rows an entry; scroll so the chosen one shows. */
	if (cur >= (bottom - top) / 5)
		first = cur - (bottom - top) / 5 + 1;
	for (size_t i = (size_t)first; i < n && y + 4 <= bottom; i++) {
		const struct keydesk_pending *p = &list[i];
		int attr = (int)i == cur ? A_REVERSE : A_BOLD;

		snprintf(line, sizeof(line), " %zu  %s  %s", i + 1, p->app_no,
			 p->org_name[0] ? p->org_name : _("(no name yet)"));
		attron(attr);
		ui_put(stdscr, y++, 2, COLS - 4, line);
		attroff(attr);
		perso_pending_step(p, line, sizeof(line));
		ui_put(stdscr, y++, 6, COLS - 8, line);
		snprintf(line, sizeof(line), "%s: %s", _("Key"),
			 p->token_serial[0] ? p->token_serial : _("none yet"));
		ui_put(stdscr, y++, 6, COLS - 8, line);
		perso_pending_cert(p, line, sizeof(line));
		ui_put(stdscr, y++, 6, COLS - 8, line);
		if (p->reason[0] != '\0') {
			snprintf(line, sizeof(line), "%s: %s", _("stopped"), p->reason);
			attron(COLOR_PAIR(UI_C_WARN));
			ui_put(stdscr, y, 6, COLS - 8, line);
			attroff(COLOR_PAIR(UI_C_WARN));
		}
		y++;
	}
	ui_message(msg[0] ? msg : _("Resume finishes on the key (insert it); roll back revokes what "
				    "was issued."), msg[0] ? color : UI_C_HINT);
	refresh();
}

static int perso_rollback(struct gt_ctx *ctx, const struct keydesk_pending *p, char *msg,
			  size_t size)
{
	char text[1200];
	int rc;

	snprintf(text, sizeof(text), _("Roll back the personalisation of %s?\n\n%d certificate(s) "
				       "issued for it will be revoked. The key, if it is "
				       "inserted, is blanked. The application stays submitted and "
				       "can be personalised again on a new key."),
		 p->app_no, p->valid_certs);
	if (!ui_confirm(ctx, _("Roll back"), text))
		return 0;
	rc = perso_screen_run(ctx, p->app_no, p->token_serial[0] ? p->token_serial : "-", NULL, 1);
	if (rc == 1)
		snprintf(msg, size, _("%s rolled back."), p->app_no);
	return rc;
}

int ui_keys_pending(struct gt_ctx *ctx)
{
	struct keydesk_pending *list = calloc(PERSO_PENDING_MAX, sizeof(*list));
	enum ui_color color = UI_C_WARN;
	char msg[600] = "";
	struct gt_err err;
	size_t n = 0;
	int cur = 0, rc = 0, reload = 1;

	if (list == NULL)
		return 0;
	curs_set(0);
	for (;;) {
		struct ui_key k;
		int act = 0;

		if (reload) {
			if (keydesk_pending(ctx, list, PERSO_PENDING_MAX, &n, &err) != 0) {
				snprintf(msg, sizeof(msg), "%s", err.msg);
				color = UI_C_ERROR;
			}
			if (cur >= (int)n)
				cur = n > 0 ? (int)n - 1 : 0;
			reload = 0;
		}
		perso_pending_draw(ctx, list, n, cur, msg, color);
		k = ui_getkey(ctx);
		if (k.is_key && k.ch == UI_KEY_TICK)
			continue;
		msg[0] = '\0';
		color = UI_C_WARN;
		if (ui_key_is_exit(k)) {
			rc = k.ch == UI_KEY_IDLE ? 0 : -1;
			break;
		}
		if (!k.is_key && k.ch == 27)
			break;
		if (k.is_key && k.ch == KEY_F(1)) {
			ui_help(ctx, _("Help: unfinished key personalisations"),
				_("A personalisation stopped by a pulled key, a killed program or a "
				  "CA failure is listed here with the last step it reached. Enter "
				  "resumes it: insert the key it was on (or a blank one if it never "
				  "got that far), the customer sets the PIN again, the steps already "
				  "done are skipped and a certificate issued but not written is "
				  "written. X rolls it back: every certificate issued for it is "
				  "revoked and the key, if inserted, is blanked."));
			continue;
		}
		if (n == 0)
			continue;
		if (k.is_key && k.ch == KEY_DOWN)
			cur = (cur + 1) % (int)n;
		else if (k.is_key && k.ch == KEY_UP)
			cur = (cur + (int)n - 1) % (int)n;
		else if (!k.is_key && k.ch >= '1' && k.ch <= '9' && k.ch - '1' < (wint_t)n)
			cur = (int)(k.ch - '1');
		else if ((!k.is_key && (k.ch == '\r' || k.ch == '\n')) ||
			 (k.is_key && k.ch == KEY_ENTER))
			act = 1;
		else if (!k.is_key && (k.ch == 'x' || k.ch == 'X'))
			act = 2;
		if (act == 1 && list[cur].rolling_back) {
			/* Half revoked: resuming could write a revoked
			 * certificate to the key. */
			snprintf(msg, sizeof(msg), "%s", _("A roll-back of it was begun: X finishes it."));
		} else if (act == 1) {
			char app_no[APP_NO_MAX];
			int p;

			str_copy(app_no, sizeof(app_no), list[cur].app_no);
			p = ui_personalise(ctx, app_no);
			if (p > 0) {
				snprintf(msg, sizeof(msg), _("%s is personalised."), app_no);
				color = UI_C_OK;
				p = ui_print_after_key(ctx, app_no);
			}
			reload = 1;
			if (p < 0) {
				rc = -1;
				break;
			}
		} else if (act == 2) {
			int p = perso_rollback(ctx, &list[cur], msg, sizeof(msg));

			if (p > 0)
				color = UI_C_OK;
			reload = 1;
			if (p < 0) {
				rc = -1;
				break;
			}
		}
		curs_set(0);
	}
	curs_set(1);
	free(list);
	return rc;
}

int ui_keys_pending_count(struct gt_ctx *ctx)
{
	struct gt_err err;
	size_t n = 0;

	if (keydesk_pending_count(ctx, &n, &err) != 0) {
		log_msg("token: cannot list unfinished personalisations: %s", err.msg);
		return 0;
	}
	return (int)n;
}
