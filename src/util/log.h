/* The operational log: one line per event with a timestamp, appended to the
 * configured file. Never given PINs, passwords or unmasked personal
 * numbers. While curses owns the terminal, stderr is sent here too. */
#ifndef GUITAI_LOG_H
#define GUITAI_LOG_H

#include "util/err.h"

int log_open(const char *path, struct gt_err *err);
void log_close(void);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Point fd 2 at the log (returns a saved copy of the old stderr, or -1),
 * and back again. */
int log_capture_stderr(void);
void log_restore_stderr(int saved);

#endif
