/* The serial line to an ID-card reader: a tty opened raw 8N1 at a chosen
 * speed, and reads and writes that never wait longer than they are told.
 * Every wait also watches an optional cancel descriptor, so a UI can stop a
 * read in progress by making that descriptor readable. */
#ifndef GUITAI_IDCARD_SERIAL_H
#define GUITAI_IDCARD_SERIAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "util/err.h"

/* True when baud is one the protocol knows (9600 ... 115200) or 230400. */
int idc_serial_baud_ok(int baud);

/* Open path (O_NOCTTY, non-blocking, close-on-exec), take it exclusively,
 * set raw 8N1 without flow control at baud and drop stale input. Returns
 * the descriptor, or -1 with err set. */
int idc_serial_open(const char *path, int baud, struct gt_err *err);
void idc_serial_close(int fd);

/* Write all n bytes within timeout_ms. 0, or -1 with err set; *cancelled
 * (when non-NULL) says the cancel descriptor ended the wait. */
int idc_serial_write(int fd, int cancel_fd, const uint8_t *p, size_t n, int timeout_ms,
		     int *cancelled, struct gt_err *err);

/* Wait up to timeout_ms for input and read what is there (at most n).
 * Returns the byte count, 0 on timeout, -1 on error or cancel. */
ssize_t idc_serial_read(int fd, int cancel_fd, uint8_t *p, size_t n, int timeout_ms,
			int *cancelled, struct gt_err *err);

/* Throw away input the device sent before our request. */
void idc_serial_flush(int fd);

/* Monotonic milliseconds, for deadlines. */
long long idc_serial_now_ms(void);

#endif
