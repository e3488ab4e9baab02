/* tty I/O for the reader; see serial.h. Everything waits in poll() with a
 * deadline: a reader that goes silent, or a pty whose other end vanished,
 * costs at most the timeout and never a hang. */
#include "config.h"
#include "idcard/serial.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const struct {
	int baud;
	speed_t speed;
} idc_serial_speeds[] = {
	{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
	{ 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
};

static int idc_serial_speed(int baud, speed_t *out)
{
	for (size_t i = 0; i < sizeof(idc_serial_speeds) / sizeof(idc_serial_speeds[0]); i++) {
		if (idc_serial_speeds[i].baud == baud) {
			*out = idc_serial_speeds[i].speed;
			return 0;
		}
	}
	return -1;
}

int idc_serial_baud_ok(int baud)
{
	speed_t s;

	return idc_serial_speed(baud, &s) == 0;
}

long long idc_serial_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int idc_serial_open(const char *path, int baud, struct gt_err *err)
{
	struct termios tio;
	speed_t speed;
	int fd;

	if (idc_serial_speed(baud, &speed) != 0) {
		err_set(err, _("Unsupported baud rate %d for the ID-card reader (use 9600, "
			       "19200, 38400, 57600 or 115200)."), baud);
		return -1;
	}
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err_set(err, _("Cannot open the ID-card reader %s: %s"), path, strerror(errno));
		return -1;
	}
	if (!isatty(fd)) {
		err_set(err, _("%s is not a serial device."), path);
		goto fail;
	}
	/* Two programs talking to one reader interleave frames; refuse that. */
	if (ioctl(fd, TIOCEXCL) != 0 && errno != ENOTTY) {
		err_set(err, _("Cannot take the ID-card reader %s: %s"), path, strerror(errno));
		goto fail;
	}
	if (tcgetattr(fd, &tio) != 0) {
		err_set(err, _("Cannot configure the ID-card reader %s: %s"), path,
			strerror(errno));
		goto fail;
	}
	cfmakeraw(&tio);
	tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
	tio.c_cflag |= CS8 | CLOCAL | CREAD;
	tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	/* VMIN 1 makes an empty non-blocking read say EAGAIN; with VMIN 0
	 * it returns 0, which we could not tell from a hang-up. */
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, speed);
	cfsetospeed(&tio, speed);
	if (tcsetattr(fd, TCSANOW, &tio) != 0) {
		err_set(err, _("Cannot configure the ID-card reader %s: %s"), path,
			strerror(errno));
		goto fail;
	}
	tcflush(fd, TCIOFLUSH);
	return fd;
fail:
	close(fd);
	return -1;
}

void idc_serial_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

void idc_serial_flush(int fd)
{
	uint8_t junk[256];

	tcflush(fd, TCIFLUSH);
	/* A pty has no driver queue to flush on some kernels; drain by hand,
	 * but not forever: a device that never stops talking must not hang
	 * us here (the answer's scan skips whatever is left). */
	for (int i = 0; i < 64 && read(fd, junk, sizeof(junk)) > 0; i++)
		;
}

/* Wait until fd is ready for `events` or the deadline passes. Returns 1
 * ready, 0 timeout, -1 error or cancel. */
static int idc_serial_wait(int fd, int cancel_fd, short events, long long deadline,
			   int *cancelled, struct gt_err *err)
{
	for (;;) {
		struct pollfd pfd[2] = { { fd, events, 0 }, { cancel_fd, POLLIN, 0 } };
		long long left = deadline - idc_serial_now_ms();
		int n;

		if (left < 0)
			left = 0;
		n = poll(pfd, cancel_fd >= 0 ? 2 : 1, (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(err, _("Waiting for the ID-card reader failed: %s"),
				       strerror(errno));
		}
		if (n == 0)
			return 0;
		if (cancel_fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (cancelled != NULL)
				*cancelled = 1;
			return err_set(err, "%s", _("Reading the ID card was cancelled."));
		}
		if (pfd[0].revents & events)
			return 1;
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			return err_set(err, "%s", _("The ID-card reader was disconnected."));
	}
}

int idc_serial_write(int fd, int cancel_fd, const uint8_t *p, size_t n, int timeout_ms,
		     int *cancelled, struct gt_err *err)
{
	long long deadline = idc_serial_now_ms() + timeout_ms;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);
		int r;

		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return err_set(err, _("Cannot write to the ID-card reader: %s"),
				       strerror(errno));
		r = idc_serial_wait(fd, cancel_fd, POLLOUT, deadline, cancelled, err);
		if (r < 0)
			return -1;
		if (r == 0)
			return err_set(err, "%s", _("The ID-card reader does not accept data "
						    "(timed out)."));
	}
	return 0;
}

ssize_t idc_serial_read(int fd, int cancel_fd, uint8_t *p, size_t n, int timeout_ms,
			int *cancelled, struct gt_err *err)
{
	long long deadline = idc_serial_now_ms() + timeout_ms;

	for (;;) {
		ssize_t r = read(fd, p, n);
		int w;

		if (r > 0)
			return r;
		if (r == 0 || (r < 0 && errno == EIO))
			return err_set(err, "%s", _("The ID-card reader was disconnected."));
		if (errno != EAGAIN && errno != EINTR)
			return err_set(err, _("Cannot read from the ID-card reader: %s"),
				       strerror(errno));
		w = idc_serial_wait(fd, cancel_fd, POLLIN, deadline, cancelled, err);
		if (w <= 0)
			return w;
	}
}
