/* The ID-card reader as the screens see it: the status-bar slot (a probe
 * every 30 seconds while idle: ready / not connected / error) and the F2
 * read, a modal panel that keeps drawing while the read runs on the reader
 * job's thread, and that Esc cancels. */
#include "config.h"
#include "screens/ui.h"
#include "flow/idread.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <panel.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define READER_PROBE_SECONDS 30

static struct idread *reader_probe;
static time_t reader_probe_at;
static enum { READER_UNKNOWN, READER_READY, READER_ABSENT, READER_ERROR } reader_state;

static void reader_set_from(struct gt_ctx *ctx, enum idread_state st)
{
	struct stat sb;

	if (st == IDREAD_DONE || st == IDREAD_REFUSED)
		reader_state = READER_READY;
	else if (stat(ctx->cfg.idcard_device, &sb) != 0)
		reader_state = READER_ABSENT;
	else if (st == IDREAD_FAILED)
		reader_state = READER_ERROR;
}

static void reader_probe_stop(void)
{
	idread_free(reader_probe);
	reader_probe = NULL;
}

void ui_reader_tick(struct gt_ctx *ctx)
{
	time_t now = time(NULL);

	if (reader_probe != NULL) {
		enum idread_state st = idread_poll(reader_probe, NULL, 0);

		if (st != IDREAD_BUSY) {
			reader_set_from(ctx, st);
			reader_probe_stop();
		}
		return;
	}
	if (now - reader_probe_at >= READER_PROBE_SECONDS || reader_state == READER_UNKNOWN) {
		struct stat sb;

		reader_probe_at = now;
		if (stat(ctx->cfg.idcard_device, &sb) != 0) {
			reader_state = READER_ABSENT;
			return;
		}
		reader_probe = idread_start(ctx, 1, NULL);
	}
}

void ui_reader_stop(void)
{
	reader_probe_stop();
}

const char *ui_reader_state_text(void)
{
	switch (reader_state) {
	case READER_READY:
		return _("ready");
	case READER_ABSENT:
		return _("not connected");
	case READER_ERROR:
		return _("error");
	default:
		return "…";
	}
}

int ui_read_card(struct gt_ctx *ctx, struct application *app, enum app_person who,
		 char *msg, size_t msgsz)
{
	struct idread *r;
	struct gt_err err;
	WINDOW *win;
	PANEL *panel;
	time_t start = time(NULL);
	enum idread_state st = IDREAD_BUSY;
	char line[256] = "";
	int h = 8, w = 60, rc = -1;

	/* The probe holds the device open while it runs, and cutting it off
	 * mid-answer would leave half a frame on the line: let it finish (it
	 * takes milliseconds). */
	if (reader_probe != NULL)
		idread_wait(reader_probe, 1000);
	reader_probe_stop();
	r = idread_start(ctx, 0, &err);
	if (r == NULL) {
		snprintf(msg, msgsz, "%s", err.msg);
		return -1;
	}
	win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
	panel = new_panel(win);
	curs_set(0);
	while (st == IDREAD_BUSY) {
		struct ui_key k;
		char elapsed[64];

		st = idread_poll(r, line, sizeof(line));
		werase(win);
		box(win, 0, 0);
		wattron(win, A_BOLD);
		ui_put(win, 0, 2, w - 4, who == APP_LEGAL_REP ? _("Read ID card: legal representative")
							      : _("Read ID card: handler"));
		wattroff(win, A_BOLD);
		ui_put(win, 2, 2, w - 4, line);
		snprintf(elapsed, sizeof(elapsed), _("%ld s"), (long)(time(NULL) - start));
		ui_put(win, 4, 2, w - 4, elapsed);
		wattron(win, COLOR_PAIR(UI_C_HINT));
		ui_put(win, h - 2, 2, w - 4, _("Esc: cancel and type by hand"));
		wattroff(win, COLOR_PAIR(UI_C_HINT));
		ui_status_bar(ctx);
		update_panels();
		doupdate();
		if (st != IDREAD_BUSY)
			break;
		k = ui_getkey_ms(ctx, 100);
		if (ui_key_is_exit(k) || (!k.is_key && k.ch == 27)) {
			idread_cancel(r);
			/* The job stops within milliseconds; wait for it so the
			 * device is free for the next read. */
			while ((st = idread_poll(r, line, sizeof(line))) == IDREAD_BUSY)
				napms(10);
		}
	}
	reader_set_from(ctx, st);
	if (st == IDREAD_DONE) {
		if (idread_apply(ctx, r, app, who, &err) == 0) {
			snprintf(msg, msgsz, _("Read from the ID card: %s. Check the fields; they can "
					       "still be edited."), app_get(app, app_person_field(who, APF_NAME)));
			rc = 0;
		} else {
			snprintf(msg, msgsz, "%s", err.msg);
		}
	} else if (st == IDREAD_REFUSED) {
		idread_apply(ctx, r, app, who, &err);
		snprintf(msg, msgsz, _("Card refused, nothing filled: %s"), err.msg);
	} else if (st == IDREAD_CANCELLED) {
		snprintf(msg, msgsz, "%s", _("Reading cancelled; type the data by hand or press F2 again."));
	} else {
		snprintf(msg, msgsz, _("%s Press F2 to try again, or type by hand."), line);
	}
	idread_free(r);
	del_panel(panel);
	delwin(win);
	touchwin(stdscr);
	curs_set(1);
	return rc;
}
