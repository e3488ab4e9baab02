/* Terminal life cycle and the shared frame of every screen; see ui.h.
 *
 * The terminal is restored on every way out: normal return, SIGTERM/SIGINT/
 * SIGHUP (turned into a UI_KEY_QUIT so the screen saves its draft first),
 * and crashes (SIGSEGV/SIGBUS/SIGFPE/SIGABRT: the saved termios is put back
 * and the alternate screen left before the signal is re-raised). */
#include "config.h"
#include "screens/ui.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <panel.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t ui_quit_signal;
static struct termios ui_saved_termios;
static int ui_have_termios;
static int ui_stderr_saved = -1;
static time_t ui_last_key;
static int ui_idle_minutes;
static int ui_bad_input;

static void ui_on_quit(int sig)
{
	ui_quit_signal = sig;
}

static void ui_on_crash(int sig)
{
	static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";

	if (ui_have_termios)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &ui_saved_termios);
	if (write(STDOUT_FILENO, reset, sizeof(reset) - 1) < 0) {
		/* The terminal is gone; nothing else to do. */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void ui_signals(int kiosk)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ui_on_quit;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A kiosk customer must not get out with Ctrl-C. */
	if (kiosk)
		signal(SIGINT, SIG_IGN);
	else
		sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = ui_on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
}

static int ui_start(struct gt_ctx *ctx)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s", _("guitai: the counter needs a terminal; for scripts use the "
					"sub-commands (guitai --help)\n"));
		return -1;
	}
	if (tcgetattr(STDIN_FILENO, &ui_saved_termios) == 0)
		ui_have_termios = 1;
	ui_signals(ctx->cfg.kiosk);
	ui_stderr_saved = log_capture_stderr();
	if (initscr() == NULL) {
		log_restore_stderr(ui_stderr_saved);
		fprintf(stderr, "%s", _("guitai: cannot initialise the terminal (is TERM set?)\n"));
		return -1;
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(1);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(UI_C_TITLE, COLOR_WHITE, COLOR_BLUE);
		init_pair(UI_C_STATUS, COLOR_BLACK, COLOR_CYAN);
		init_pair(UI_C_ERROR, COLOR_RED, -1);
		init_pair(UI_C_WARN, COLOR_YELLOW, -1);
		init_pair(UI_C_FIELD, -1, -1);
		init_pair(UI_C_FOCUS, COLOR_BLACK, COLOR_WHITE);
		init_pair(UI_C_HINT, COLOR_CYAN, -1);
		init_pair(UI_C_OK, COLOR_GREEN, -1);
	}
	ui_idle_minutes = ctx->cfg.idle_minutes;
	ui_last_key = time(NULL);
	log_msg("ui: started on %dx%d", COLS, LINES);
	return 0;
}

static void ui_stop(void)
{
	ui_reader_stop();
	ui_key_stop();
	if (!isendwin())
		endwin();
	if (ui_have_termios)
		tcsetattr(STDIN_FILENO, TCSANOW, &ui_saved_termios);
	log_restore_stderr(ui_stderr_saved);
	ui_stderr_saved = -1;
}

int ui_run(struct gt_ctx *ctx)
{
	int rc = 0;

	if (ui_start(ctx) != 0)
		return 1;
	for (;;) {
		int home;

		if (!ui_login(ctx))
			break;
		log_msg("ui: %s logged in", ctx->operator_name);
		if (ui_resume_offer(ctx) < 0)
			break;
		home = ui_home(ctx);
		log_msg("ui: %s logged out", ctx->operator_name);
		if (home < 0)
			break;
	}
	if (ui_quit_signal)
		log_msg("ui: leaving on signal %d", (int)ui_quit_signal);
	ui_stop();
	return rc;
}

int ui_key_is_exit(struct ui_key k)
{
	return k.is_key && (k.ch == UI_KEY_QUIT || k.ch == UI_KEY_IDLE);
}

int ui_body_top(void)
{
	return 2;
}

int ui_body_rows(void)
{
	return LINES - 5;
}

void ui_put(WINDOW *w, int y, int x, int cols, const char *s)
{
	size_t n;
	char buf[1024];

	if (cols <= 0)
		return;
	n = str_prefix_for_width(s, cols);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	mvwaddstr(w, y, x, buf);
}

static void ui_fill_line(int y, int attr)
{
	attron(attr);
	mvhline(y, 0, ' ', COLS);
	attroff(attr);
}

void ui_status_bar(struct gt_ctx *ctx)
{
	char left[256], clock[32];
	time_t now = time(NULL);
	struct tm tm;
	int y = LINES - 1, attr = COLOR_PAIR(UI_C_STATUS);

	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%Y-%m-%d %H:%M:%S", &tm);
	/* The key slot is filled by its issue; until a device layer
	 * reports, the slot says so instead of pretending. */
	snprintf(left, sizeof(left), " %s %s │ %s %s │ %s %s │ %s %s │ %s",
		 _("Operator"), ctx->operator_name[0] ? ctx->operator_name : "-",
		 _("Reader"), ui_reader_state_text(), _("Key"), ui_key_state_text(ctx), _("Printer"),
		 ui_printer_state_text(ctx),
		 ctx->cfg.terminal_id);
	ui_fill_line(y, attr);
	attron(attr);
	ui_put(stdscr, y, 0, COLS - (int)strlen(clock) - 2, left);
	mvaddstr(y, COLS - (int)strlen(clock) - 1, clock);
	attroff(attr);
}

void ui_frame(struct gt_ctx *ctx, const char *title, const char *right, const char *hints)
{
	int attr = COLOR_PAIR(UI_C_TITLE) | A_BOLD;
	char left[256];
	int rw = right ? str_width(right) : 0;

	/* The body is left alone: forms keep what is being typed in their
	 * windows there, and clearing it would lose the edit in progress.
	 * Screens without a form clear it with ui_clear_body. */
	move(1, 0);
	clrtoeol();
	move(LINES - 3, 0);
	clrtoeol();
	snprintf(left, sizeof(left), " %s │ %s", _("guitai counter"), title);
	ui_fill_line(0, attr);
	attron(attr);
	ui_put(stdscr, 0, 0, COLS - rw - 2, left);
	if (right != NULL)
		ui_put(stdscr, 0, COLS - rw - 1, rw, right);
	attroff(attr);
	ui_fill_line(LINES - 2, COLOR_PAIR(UI_C_HINT));
	attron(COLOR_PAIR(UI_C_HINT));
	ui_put(stdscr, LINES - 2, 1, COLS - 2, hints ? hints : "");
	attroff(COLOR_PAIR(UI_C_HINT));
	ui_status_bar(ctx);
}

void ui_message(const char *msg, enum ui_color color)
{
	int y = LINES - 3;

	move(y, 0);
	clrtoeol();
	if (msg == NULL || *msg == '\0')
		return;
	attron(COLOR_PAIR(color) | A_BOLD);
	ui_put(stdscr, y, 1, COLS - 2, msg);
	attroff(COLOR_PAIR(color) | A_BOLD);
}

void ui_clear_body(void)
{
	for (int y = ui_body_top(); y < ui_body_top() + ui_body_rows(); y++) {
		move(y, 0);
		clrtoeol();
	}
}

static void ui_too_small(void)
{
	char msg[160];

	erase();
	snprintf(msg, sizeof(msg), _("The terminal is too small: %dx%d. guitai needs at least "
				     "%dx%d. Enlarge the window."), COLS, LINES, UI_MIN_COLS,
		 UI_MIN_LINES);
	mvaddstr(0, 0, msg);
	refresh();
}

/* Read one key or character. ncurses' get_wch, given a byte that is not
 * UTF-8, keeps waiting for a character it can never complete and drops
 * what is typed meanwhile; so bytes are read one at a time and decoded
 * here, and a broken sequence is thrown away alone. Returns OK,
 * KEY_CODE_YES or ERR (nothing within the timeout). */
static int ui_read_wch(wint_t *out)
{
	char seq[5];
	uint32_t cp;
	int c = getch(), need, i;

	if (c == ERR)
		return ERR;
	if (c >= KEY_MIN) {
		*out = (wint_t)c;
		return KEY_CODE_YES;
	}
	if (c < 0x80) {
		*out = (wint_t)c;
		return OK;
	}
	need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
	if (need == 0) {
		ui_bad_input = 1;
		return ERR;
	}
	seq[0] = (char)c;
	timeout(50);
	for (i = 1; i < need; i++) {
		c = getch();
		if (c == ERR || c >= KEY_MIN || (c & 0xC0) != 0x80) {
			/* Not a continuation: it starts the next key. */
			if (c != ERR)
				ungetch(c);
			ui_bad_input = 1;
			return ERR;
		}
		seq[i] = (char)c;
	}
	seq[need] = '\0';
	if (str_utf8_decode(seq, &cp) != (size_t)need) {
		ui_bad_input = 1;
		return ERR;
	}
	*out = (wint_t)cp;
	return OK;
}

struct ui_key ui_getkey(struct gt_ctx *ctx)
{
	return ui_getkey_ms(ctx, 1000);
}

struct ui_key ui_getkey_ms(struct gt_ctx *ctx, int ms)
{
	struct ui_key k = { 0, 0 };

	for (;;) {
		wint_t ch;
		int rc;

		if (ui_quit_signal) {
			k.ch = UI_KEY_QUIT;
			k.is_key = 1;
			return k;
		}
		if (ui_idle_minutes > 0 && ctx->operator_name[0] &&
		    time(NULL) - ui_last_key >= ui_idle_minutes * 60) {
			ui_last_key = time(NULL);
			k.ch = UI_KEY_IDLE;
			k.is_key = 1;
			return k;
		}
		if (COLS < UI_MIN_COLS || LINES < UI_MIN_LINES)
			ui_too_small();
		timeout(ms);
		rc = ui_read_wch(&ch);
		if (rc == ERR && ui_bad_input) {
			/* Say it once where the operator looks; nothing was typed. */
			ui_bad_input = 0;
			ui_message(_("Input that is not valid text was ignored."), UI_C_WARN);
			refresh();
			continue;
		}
		if (rc == ERR) {
			ui_reader_tick(ctx);
			if (COLS >= UI_MIN_COLS && LINES >= UI_MIN_LINES) {
				k.ch = UI_KEY_TICK;
				k.is_key = 1;
				return k;
			}
			continue;
		}
		ui_last_key = time(NULL);
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE && (COLS < UI_MIN_COLS || LINES < UI_MIN_LINES))
			continue;
		if (COLS < UI_MIN_COLS || LINES < UI_MIN_LINES)
			continue;
		k.ch = ch;
		k.is_key = rc == KEY_CODE_YES;
		/* Ctrl-C in raw mode arrives as a character: treat it like
		 * SIGINT at the counter, ignore it at a kiosk. */
		if (!k.is_key && ch == 3) {
			if (ctx->cfg.kiosk)
				continue;
			k.ch = UI_KEY_QUIT;
			k.is_key = 1;
		}
		return k;
	}
}
