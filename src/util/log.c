/* Operational log; see log.h. Lines are written with one write() so lines
 * from a crashing process are never interleaved halfway. */
#include "config.h"
#include "util/log.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;

int log_open(const char *path, struct gt_err *err)
{
	log_close();
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log_fd < 0)
		return err_set(err, _("log %s: %s"), path, strerror(errno));
	return 0;
}

void log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

void log_msg(const char *fmt, ...)
{
	char line[1024];
	struct tm tm;
	time_t now = time(NULL);
	size_t n;
	va_list ap;

	if (log_fd < 0)
		return;
	localtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S ", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "[%ld] ", (long)getpid());
	va_start(ap, fmt);
	if (n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (n == sizeof(line) - 1)
		n--;
	line[n++] = '\n';
	if (write(log_fd, line, n) < 0) {
		/* Nowhere left to report it. */
	}
}

int log_capture_stderr(void)
{
	int saved;

	if (log_fd < 0)
		return -1;
	fflush(stderr);
	saved = dup(2);
	if (saved >= 0)
		dup2(log_fd, 2);
	return saved;
}

void log_restore_stderr(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}
