/* The counter's terminal UI (ncursesw + formw/menuw/panelw). ui_run is the
 * only entry from main; the rest of this header is shared by the screen
 * files: terminal setup, the frame every screen draws in (title, message
 * line, key hints, status bar), key reading with the clock and signals, and
 * the small dialogs. Only the thread that called ui_run touches curses. */
#ifndef GUITAI_UI_H
#define GUITAI_UI_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <wchar.h>
#include "flow/ctx.h"
#include "model/app.h"
#include "flow/print.h"

int ui_run(struct gt_ctx *ctx);

/* Keys beyond curses' own: quit requested by a signal, idle timeout. */
enum {
	UI_KEY_QUIT = 0x110000 + 1, /* a signal asked us to leave */
	UI_KEY_IDLE,                /* idle timeout */
	UI_KEY_TICK,                /* a second passed: redraw the clock */
};

#define UI_MIN_COLS 80
#define UI_MIN_LINES 24

enum ui_color {
	UI_C_TITLE = 1,
	UI_C_STATUS,
	UI_C_ERROR,
	UI_C_WARN,
	UI_C_FIELD,
	UI_C_FOCUS,
	UI_C_HINT,
	UI_C_OK,
};

struct ui_key {
	wint_t ch;   /* the character or KEY_* code */
	int is_key;  /* 1 for KEY_* codes (and UI_KEY_*), 0 for characters */
};

/* The frame around every screen. */
void ui_frame(struct gt_ctx *ctx, const char *title, const char *right, const char *hints);
void ui_clear_body(void);
void ui_message(const char *msg, enum ui_color color);
void ui_status_bar(struct gt_ctx *ctx);
/* Rows and first row of the area between title and message line. */
int ui_body_top(void);
int ui_body_rows(void);

/* Wait for a key, refreshing the clock each second; handles terminal size
 * (too small: a notice until it grows). */
struct ui_key ui_getkey(struct gt_ctx *ctx);
/* The same, waiting at most ms for a key (UI_KEY_TICK when none came). */
struct ui_key ui_getkey_ms(struct gt_ctx *ctx, int ms);
/* True when the key means "leave now" (signal or idle). */
int ui_key_is_exit(struct ui_key k);

/* Draw s at (y, x) in at most `cols` columns, cutting at a character. */
void ui_put(WINDOW *w, int y, int x, int cols, const char *s);

/* Dialogs (panels over the current screen). */
void ui_alert(struct gt_ctx *ctx, const char *title, const char *text);
int ui_confirm(struct gt_ctx *ctx, const char *title, const char *text);
/* A one-line text prompt; 1 entered (out filled), 0 cancelled. secret hides it. */
int ui_prompt(struct gt_ctx *ctx, const char *title, const char *text, char *out,
	      size_t size, int secret);
/* Choose from a list; returns the index or -1 when cancelled. */
int ui_choose(struct gt_ctx *ctx, const char *title, const char *const *items, size_t n,
	      int current);
void ui_help(struct gt_ctx *ctx, const char *title, const char *text);

/* The ID-card reader (reader.c): status-bar state, probed on clock ticks,
 * and the F2 read into one person of an application (0 filled; msg says
 * what happened either way). */
void ui_reader_tick(struct gt_ctx *ctx);
void ui_reader_stop(void);
const char *ui_reader_state_text(void);
int ui_read_card(struct gt_ctx *ctx, struct application *app, enum app_person who,
		 char *msg, size_t msgsz);

/* Keys (personalise.c, issue 4): the status bar's key slot from the
 * pcsc-lite monitor, and the personalisation screen for a submitted
 * application (1 personalised, 0 back without, -1 quit requested). */
const char *ui_key_state_text(struct gt_ctx *ctx);
void ui_key_stop(void);
int ui_personalise(struct gt_ctx *ctx, const char *app_no);
/* After a key is personalised: the print screen with the seal sheet (when
 * an e-seal was ordered), receipt and hand-over slip not printed yet. 0
 * back, -1 quit requested. */
int ui_print_after_key(struct gt_ctx *ctx, const char *app_no);
/* The home menu's unfinished personalisations: list, resume on the key or
 * roll back (0 back, -1 quit requested); and how many there are. */
int ui_keys_pending(struct gt_ctx *ctx);
int ui_keys_pending_count(struct gt_ctx *ctx);

/* Screens. */
int ui_login(struct gt_ctx *ctx);          /* 1 logged in, 0 quit */
int ui_home(struct gt_ctx *ctx);           /* 0 logout, -1 quit */
/* The new-issuance wizard; app_no NULL starts a new application.
 * Returns 0 back to home, -1 quit requested. */
int ui_wizard(struct gt_ctx *ctx, const char *app_no);
int ui_resume_offer(struct gt_ctx *ctx);   /* -1 quit, else 0 */
/* The print screen (print.c): an application's documents and their jobs,
 * followed live; the documents in `start` are printed on entry. Returns 0
 * back, -1 quit requested. */
int ui_print(struct gt_ctx *ctx, const char *app_no, const enum print_doc *start, size_t nstart);
/* Choose a submitted application of this terminal, then ui_print. */
int ui_print_pick(struct gt_ctx *ctx);
/* The printer slot of the status bar (print.c), refreshed every few seconds. */
const char *ui_printer_state_text(struct gt_ctx *ctx);

#endif
