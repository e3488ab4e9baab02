/* Personalising a key on screen (issue 4): the status bar's key slot (a
 * pcsc-lite monitor thread reports insertion and removal; the slot names
 * the model from the ATR, or says the model is unsupported), and the
 * personalisation screen: which key is about to be initialised, the PIN
 * typed twice (never echoed), then the steps with a progress bar and the
 * elapsed time while the work runs on the personalisation job's thread;
 * Esc cancels (honoured until the CA is asked; after that the few
 * remaining steps finish so no certificate is left off the key). The end
 * shows subject, serial, validity and the SHA-256 fingerprint. */
#include "config.h"
#include "screens/ui.h"
#include "flow/personalise.h"
#include "token/catalog.h"
#include "token/pcsc.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <openssl/crypto.h>
#include <panel.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct pcsc_mon *perso_mon;
static struct tcat perso_cat;
static int perso_cat_loaded;
static char perso_key_text[128];

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
	if (st == PCSC_MON_STARTING)
		return "…";
	if (st == PCSC_MON_NO_SERVICE)
		return perso_readerless_model(ctx) ? perso_key_text : _("no reader service");
	for (size_t i = 0; i < n; i++) {
		const struct tcat_model *m;

		if (!r[i].card)
			continue;
		m = perso_cat_loaded > 0 ? tcat_by_atr(&perso_cat, r[i].atr, r[i].atr_len) : NULL;
		snprintf(perso_key_text, sizeof(perso_key_text), "%s", m ? m->name :
			 _("unsupported key model"));
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

/* Ask for the PIN twice; 1 entered (pin filled), 0 cancelled. */
static int perso_ask_pin(struct gt_ctx *ctx, char *pin, size_t size)
{
	char again[72];
	int rc = 0;

	for (;;) {
		if (!ui_prompt(ctx, _("Customer PIN"), _("The customer types the new PIN "
				"(6 to 16 characters, not 123456 or 888888):"), pin, size, 1))
			break;
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

static void perso_draw(struct gt_ctx *ctx, WINDOW *win, int w, const char *app_no,
		       enum perso_step step, const char *line, time_t start, int ended)
{
	char buf[256];
	int bar = w - 16, filled;

	werase(win);
	box(win, 0, 0);
	wattron(win, A_BOLD);
	snprintf(buf, sizeof(buf), _("Personalise key: %s"), app_no);
	ui_put(win, 0, 2, w - 4, buf);
	wattroff(win, A_BOLD);
	for (int s = 0; s < PERSO_STEPS; s++) {
		const char *mark = s < (int)step || (ended && s == (int)step) ? "✓" :
				   s == (int)step ? "▶" : " ";

		snprintf(buf, sizeof(buf), "%s %s", mark, perso_step_title((enum perso_step)s));
		if (s == (int)step && !ended)
			wattron(win, A_BOLD);
		ui_put(win, 2 + s, 3, w - 6, buf);
		wattroff(win, A_BOLD);
	}
	filled = bar * ((int)step + (ended ? 1 : 0)) / PERSO_STEPS;
	wmove(win, 3 + PERSO_STEPS, 3);
	waddch(win, '[');
	for (int i = 0; i < bar; i++)
		waddch(win, i < filled ? '#' : '.');
	waddch(win, ']');
	snprintf(buf, sizeof(buf), _("%ld s"), (long)(time(NULL) - start));
	ui_put(win, 3 + PERSO_STEPS, bar + 6, 8, buf);
	ui_put(win, 5 + PERSO_STEPS, 3, w - 6, line);
	wattron(win, COLOR_PAIR(UI_C_HINT));
	ui_put(win, 7 + PERSO_STEPS, 3, w - 6, ended ? _("Enter: continue") :
	       _("Esc: cancel (safe until the CA is asked)"));
	wattroff(win, COLOR_PAIR(UI_C_HINT));
	ui_status_bar(ctx);
	update_panels();
	doupdate();
}

int ui_personalise(struct gt_ctx *ctx, const char *app_no)
{
	struct perso_opts o = { 0 };
	struct perso_result res;
	struct perso_job *job;
	struct gt_err err;
	char what[256], pin[72], line[256] = "", text[1200];
	enum perso_step step = PERSO_FIND;
	enum perso_job_state st = PERSO_JOB_RUNNING;
	time_t start;
	WINDOW *win;
	PANEL *panel;
	int h = PERSO_STEPS + 9, w = 70, rc = 0;

	/* Say which key is about to be initialised before touching it. */
	if (perso_preview(ctx, NULL, what, sizeof(what), &err) != 0) {
		ui_alert(ctx, _("Personalise key"), err.msg);
		return 0;
	}
	snprintf(text, sizeof(text), _("Initialise this key for application %s?\n\n%s\n\n"
				       "Everything on it will be erased."), app_no, what);
	if (!ui_confirm(ctx, _("Personalise key"), text))
		return 0;
	if (!perso_ask_pin(ctx, pin, sizeof(pin)))
		return 0;
	o.app_no = app_no;
	o.pin = pin;
	job = perso_job_new(ctx, &o, &err);
	/* The job copied the PIN; ours goes now. */
	OPENSSL_cleanse(pin, sizeof(pin));
	if (job == NULL) {
		ui_alert(ctx, _("Personalise key"), err.msg);
		return 0;
	}
	start = time(NULL);
	win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
	panel = new_panel(win);
	curs_set(0);
	while (st == PERSO_JOB_RUNNING) {
		struct ui_key k;

		st = perso_job_poll(job, &step, line, sizeof(line));
		perso_draw(ctx, win, w, app_no, step, line, start, 0);
		if (st != PERSO_JOB_RUNNING)
			break;
		k = ui_getkey_ms(ctx, 100);
		if (ui_key_is_exit(k) || (!k.is_key && k.ch == 27)) {
			perso_job_cancel(job);
			snprintf(line, sizeof(line), "%s", _("Cancelling…"));
			if (ui_key_is_exit(k))
				rc = -1;
		}
	}
	perso_job_result(job, &res, &err);
	perso_job_free(job);
	if (st == PERSO_JOB_DONE) {
		snprintf(text, sizeof(text), "%s\n%s: %s\n%s: %s\n%s: %s\n%s .. %s\nSHA-256:\n%s",
			 _("The key is personalised and proved."), _("Key"), res.token_serial,
			 _("Subject"), res.subject, _("Serial"), res.serial, res.not_before,
			 res.not_after, res.sha256);
		perso_draw(ctx, win, w, app_no, PERSO_DONE, _("Done"), start, 1);
	} else if (st == PERSO_JOB_CANCELLED) {
		snprintf(text, sizeof(text), "%s", _("Cancelled. The application can be resumed; "
						     "nothing was issued."));
	} else {
		snprintf(text, sizeof(text), _("Stopped: %s\n\nThe steps done are kept: insert the "
					       "key and personalise again to resume."), err.msg);
	}
	OPENSSL_cleanse(&res, sizeof(res));
	del_panel(panel);
	delwin(win);
	touchwin(stdscr);
	if (rc == 0)
		ui_alert(ctx, _("Personalise key"), text);
	curs_set(1);
	return rc == 0 && st == PERSO_JOB_DONE ? 1 : rc;
}
