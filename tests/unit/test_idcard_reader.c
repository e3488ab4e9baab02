/* Unit tests for the reader's command layer and the reading job, against a
 * scripted device on a pseudo-terminal in the same process: resync after
 * noise, a damaged answer failing at once (not at the deadline), silence
 * and cut-off answers timing out, SW3 codes mapped to failure classes, and
 * a job that can be cancelled while it waits for a card. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "idcard/async.h"
#include "idcard/reader.h"
#include "idcard/serial.h"
#include "util/str.h"

/* How the fake device answers one request: write whatever bytes it likes
 * to fd. n counts the requests seen so far. */
typedef void (*fake_fn)(int fd, uint8_t cmd, uint8_t para, int n);

struct fake {
	int master, slave;
	char path[256];
	fake_fn answer;
	pthread_t thread;
	int stop_pipe[2];
	int requests;
};

static void fake_write(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pfd = { fd, POLLOUT, 0 };

			poll(&pfd, 1, 100);
			continue;
		}
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void fake_reply(int fd, uint8_t sw3, const uint8_t *data, size_t len)
{
	uint8_t frame[IDC_FRAME_MAX];
	size_t n = idc_frame_build_response(frame, sizeof(frame), 0, 0, sw3, data, len);

	fake_write(fd, frame, n);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	uint8_t rx[1024];
	size_t n = 0;

	for (;;) {
		struct pollfd pfd[2] = { { f->master, POLLIN, 0 }, { f->stop_pipe[0], POLLIN, 0 } };
		ssize_t r;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		r = read(f->master, rx + n, sizeof(rx) - n);
		if (r <= 0)
			continue;
		n += (size_t)r;
		for (;;) {
			struct idc_frame fr;
			size_t used = 0;
			enum idc_frame_scan s = idc_frame_scan(rx, n, 2, &fr, &used);

			if (s == IDC_FRAME_OK)
				f->answer(f->master, fr.body[0], fr.body[1], f->requests++);
			memmove(rx, rx + used, n - used);
			n -= used;
			if (s == IDC_FRAME_NEED_MORE)
				break;
		}
	}
	return NULL;
}

static void fake_start(struct fake *f, fake_fn answer)
{
	struct termios tio;

	memset(f, 0, sizeof(*f));
	f->answer = answer;
	assert_int_equal(openpty(&f->master, &f->slave, f->path, NULL, NULL), 0);
	assert_int_equal(tcgetattr(f->slave, &tio), 0);
	cfmakeraw(&tio);
	assert_int_equal(tcsetattr(f->slave, TCSANOW, &tio), 0);
	fcntl(f->master, F_SETFL, fcntl(f->master, F_GETFL) | O_NONBLOCK);
	assert_int_equal(pipe(f->stop_pipe), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
	assert_int_equal(write(f->stop_pipe[1], "x", 1), 1);
	pthread_join(f->thread, NULL);
	close(f->stop_pipe[0]);
	close(f->stop_pipe[1]);
	close(f->master);
	close(f->slave);
}

/* --- answers --------------------------------------------------------- */

static void ans_sam(int fd, uint8_t cmd, uint8_t para, int n)
{
	static const uint8_t id[16] = { 5, 0, 1, 0, 0x39, 0x30, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0 };

	(void)para;
	(void)n;
	if (cmd == 0x12)
		fake_reply(fd, 0x90, id, sizeof(id));
	else
		fake_reply(fd, 0x90, NULL, 0);
}

static void ans_noise_then_ok(int fd, uint8_t cmd, uint8_t para, int n)
{
	static const uint8_t noise[] = {
		0x00, 0xFF, 0xAA, 0x96, 0x69, 0xAA, 0xAA,          /* near misses */
		0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF,          /* impossible length */
		0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x90, 0x00, /* bad CHK */
		0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x40,          /* swallows the answer */
	};
	static const uint8_t iin[4] = { 0 };

	(void)cmd;
	(void)para;
	(void)n;
	fake_write(fd, noise, sizeof(noise));
	fake_reply(fd, 0x9F, iin, sizeof(iin));
}

static void ans_bad_checksum(int fd, uint8_t cmd, uint8_t para, int n)
{
	uint8_t frame[64];
	size_t len = idc_frame_build_response(frame, sizeof(frame), 0, 0, 0x90, NULL, 0);

	(void)cmd;
	(void)para;
	(void)n;
	frame[len - 1] ^= 0xFF;
	fake_write(fd, frame, len);
}

static void ans_silence(int fd, uint8_t cmd, uint8_t para, int n)
{
	(void)fd;
	(void)cmd;
	(void)para;
	(void)n;
}

static void ans_truncated(int fd, uint8_t cmd, uint8_t para, int n)
{
	static const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t frame[64];
	size_t len = idc_frame_build_response(frame, sizeof(frame), 0, 0, 0x90, data, 8);

	(void)cmd;
	(void)para;
	(void)n;
	fake_write(fd, frame, len - 4);
}

static void ans_status(int fd, uint8_t cmd, uint8_t para, int n)
{
	static const uint8_t codes[] = { 0x80, 0x41, 0x66, 0x21, 0x55 };

	(void)cmd;
	(void)para;
	fake_reply(fd, codes[n % sizeof(codes)], NULL, 0);
}

static void ans_card(int fd, uint8_t cmd, uint8_t para, int n)
{
	static uint8_t payload[4 + IDC_TEXT_LEN + IDC_PHOTO_LEN];
	static const uint8_t serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct idc_text t;

	(void)n;
	if (cmd == 0x20 && para == 0x01) {
		fake_reply(fd, 0x9F, serial, 4);
	} else if (cmd == 0x20 && para == 0x02) {
		fake_reply(fd, 0x90, serial, sizeof(serial));
	} else if (cmd == 0x30 && para == 0x01) {
		memset(&t, 0, sizeof(t));
		str_copy(t.name, sizeof(t.name), "王小明");
		str_copy(t.gender, sizeof(t.gender), "2");
		str_copy(t.nation, sizeof(t.nation), "01");
		str_copy(t.birth, sizeof(t.birth), "19850228");
		str_copy(t.number, sizeof(t.number), "440304198502280023");
		str_copy(t.valid_from, sizeof(t.valid_from), "20110228");
		str_copy(t.valid_to, sizeof(t.valid_to), "20310228");
		payload[0] = 0x01;
		payload[2] = 0x04;
		idc_text_encode(&t, payload + 4);
		fake_reply(fd, 0x90, payload, sizeof(payload));
	} else if (cmd == 0x30 && para == 0x10) {
		fake_reply(fd, 0x21, NULL, 0); /* no fingerprint module */
	} else if (cmd == 0x30 && para == 0x03) {
		fake_reply(fd, 0x91, NULL, 0);
	} else {
		fake_reply(fd, 0x90, NULL, 0);
	}
}

static void ans_no_card(int fd, uint8_t cmd, uint8_t para, int n)
{
	(void)para;
	(void)n;
	fake_reply(fd, cmd == 0x20 ? 0x80 : 0x90, NULL, 0);
}

/* --- tests ----------------------------------------------------------- */

static void test_sam(void **state)
{
	struct fake f;
	struct gt_err err;
	struct idc_reader *r;
	char id[64];

	(void)state;
	fake_start(&f, ans_sam);
	r = idc_reader_new(f.path, 115200, 500, &err);
	assert_non_null(r);
	assert_int_equal(idc_reader_reset(r, &err), 0);
	assert_int_equal(idc_reader_sam_status(r, &err), 0);
	assert_int_equal(idc_reader_sam_id(r, id, sizeof(id), &err), 0);
	assert_string_equal(id, "05.01-00012345-0000000001-0000000002");
	idc_reader_free(r);
	fake_stop(&f);
}

static void test_resync(void **state)
{
	struct fake f;
	struct gt_err err;
	struct idc_reader *r;

	(void)state;
	fake_start(&f, ans_noise_then_ok);
	r = idc_reader_new(f.path, 115200, 500, &err);
	assert_non_null(r);
	assert_int_equal(idc_reader_find(r, &err), 1);
	assert_true(idc_reader_discarded(r) > 20);
	idc_reader_free(r);
	fake_stop(&f);
}

static void test_damaged_fails_fast(void **state)
{
	struct fake f;
	struct gt_err err;
	struct idc_reader *r;
	long long t0;

	(void)state;
	fake_start(&f, ans_bad_checksum);
	r = idc_reader_new(f.path, 115200, 2000, &err);
	assert_non_null(r);
	t0 = idc_serial_now_ms();
	assert_int_equal(idc_reader_sam_status(r, &err), -1);
	assert_true(idc_serial_now_ms() - t0 < 1000);
	assert_int_equal(idc_reader_fail(r), IDC_FAIL_DAMAGED);
	assert_non_null(strstr(err.msg, "checksum"));
	idc_reader_free(r);
	fake_stop(&f);
}

static void test_timeouts(void **state)
{
	struct fake f;
	struct gt_err err;
	struct idc_reader *r;
	long long t0, dt;

	(void)state;
	fake_start(&f, ans_silence);
	r = idc_reader_new(f.path, 115200, 300, &err);
	assert_non_null(r);
	t0 = idc_serial_now_ms();
	assert_int_equal(idc_reader_sam_status(r, &err), -1);
	dt = idc_serial_now_ms() - t0;
	assert_true(dt >= 300 && dt < 1500);
	assert_int_equal(idc_reader_fail(r), IDC_FAIL_TIMEOUT);
	assert_non_null(strstr(err.msg, "does not answer"));
	idc_reader_free(r);
	fake_stop(&f);

	fake_start(&f, ans_truncated);
	r = idc_reader_new(f.path, 115200, 300, &err);
	assert_non_null(r);
	assert_int_equal(idc_reader_sam_status(r, &err), -1);
	assert_int_equal(idc_reader_fail(r), IDC_FAIL_TIMEOUT);
	assert_non_null(strstr(err.msg, "cut off"));
	idc_reader_free(r);
	fake_stop(&f);
}

static void test_status_classes(void **state)
{
	struct fake f;
	struct gt_err err;
	struct idc_reader *r;

	(void)state;
	fake_start(&f, ans_status);
	r = idc_reader_new(f.path, 115200, 500, &err);
	assert_non_null(r);
	assert_int_equal(idc_reader_find(r, &err), 0); /* 80 */
	assert_int_equal(idc_reader_fail(r), IDC_FAIL_NO_CARD);
	assert_int_equal(idc_reader_select(r, NULL, 0, &err), -1); /* 41 */
	assert_int_equal(idc_reader_fail(r), IDC_FAIL_CARD);
	assert_int_equal(idc_reader_sam_status(r, &err), -1); /* 66 */
	assert_int_equal(idc_reader_fail(r), IDC_FAIL_DEVICE);
	assert_non_null(strstr(err.msg, "not authorised"));
	assert_int_equal(idc_reader_reset(r, &err), -1); /* 21 */
	assert_int_equal(idc_reader_fail(r), IDC_FAIL_DEVICE);
	assert_int_equal(idc_reader_reset(r, &err), -1); /* 55: not in the table */
	assert_non_null(strstr(err.msg, "(55)"));
	idc_reader_free(r);
	fake_stop(&f);
}

static void test_read_card(void **state)
{
	struct fake f;
	struct gt_err err;
	struct idc_reader *r;
	static struct idc_record rec;

	(void)state;
	fake_start(&f, ans_card);
	r = idc_reader_new(f.path, 115200, 500, &err);
	assert_non_null(r);
	assert_int_equal(idc_reader_read_card(r, IDC_READ_FINGERPRINT, &rec, &err), 0);
	assert_string_equal(rec.text.name, "王小明");
	assert_string_equal(rec.card_serial, "0102030405060708");
	assert_int_equal(rec.photo_len, IDC_PHOTO_LEN);
	assert_false(rec.fp_read); /* 30 10 refused: fell back to 30 01 */
	assert_string_equal(rec.appended_address, "");
	assert_true(rec.read_at > 0);
	idc_reader_free(r);
	fake_stop(&f);
}

static void test_job(void **state)
{
	struct idc_job_opts o = { 0 };
	static struct idc_record rec;
	enum idc_verify_result v;
	struct fake f;
	struct gt_err err;
	struct idc_job *job;
	char msg[256];

	(void)state;
	fake_start(&f, ans_card);
	o.device = f.path;
	o.timeout_ms = 500;
	o.today_ymd = 20261121;
	job = idc_job_new(&o, &err);
	assert_non_null(job);
	assert_int_equal(idc_job_wait(job, 5000), IDC_JOB_DONE);
	assert_int_equal(idc_job_poll(job, msg, sizeof(msg)), IDC_JOB_DONE);
	assert_int_equal(idc_job_result(job, &rec, &v, &err), 0);
	assert_int_equal(v, IDC_VERIFY_OK);
	assert_string_equal(rec.number_norm, "440304198502280023");
	idc_job_free(job);

	/* The same card on a day after its validity: refused, but readable. */
	o.today_ymd = 20310301;
	job = idc_job_new(&o, &err);
	assert_non_null(job);
	assert_int_equal(idc_job_wait(job, 5000), IDC_JOB_REFUSED);
	assert_int_equal(idc_job_result(job, &rec, &v, &err), -1);
	assert_int_equal(v, IDC_VERIFY_EXPIRED);
	assert_non_null(strstr(err.msg, "expired on 2031-02-28"));
	assert_string_equal(rec.text.name, "王小明");
	idc_job_free(job);
	fake_stop(&f);
}

static void test_job_cancel(void **state)
{
	struct idc_job_opts o = { 0 };
	struct fake f;
	struct gt_err err;
	struct idc_job *job;
	struct pollfd pfd;
	char msg[256];
	long long t0;

	(void)state;
	fake_start(&f, ans_no_card);
	o.device = f.path;
	o.timeout_ms = 500;
	o.wait_ms = 60000;
	job = idc_job_new(&o, &err);
	assert_non_null(job);
	/* The notify descriptor wakes a poll() loop on each change. */
	pfd.fd = idc_job_fd(job);
	pfd.events = POLLIN;
	while (idc_job_poll(job, msg, sizeof(msg)) != IDC_JOB_WAITING)
		assert_true(poll(&pfd, 1, 2000) > 0);
	assert_non_null(strstr(msg, "Place the ID card"));
	t0 = idc_serial_now_ms();
	idc_job_cancel(job);
	assert_int_equal(idc_job_wait(job, 2000), IDC_JOB_CANCELLED);
	assert_true(idc_serial_now_ms() - t0 < 1000);
	idc_job_free(job);

	/* No card at all within wait_ms: FAILED with the placing hint. */
	o.wait_ms = 400;
	job = idc_job_new(&o, &err);
	assert_non_null(job);
	assert_int_equal(idc_job_wait(job, 5000), IDC_JOB_FAILED);
	idc_job_poll(job, msg, sizeof(msg));
	assert_non_null(strstr(msg, "No card"));
	idc_job_free(job);
	fake_stop(&f);

	/* A device that is not there. */
	o.device = "/nonexistent/ttyUSB9";
	job = idc_job_new(&o, &err);
	assert_non_null(job);
	assert_int_equal(idc_job_wait(job, 5000), IDC_JOB_FAILED);
	idc_job_poll(job, msg, sizeof(msg));
	assert_non_null(strstr(msg, "/nonexistent/ttyUSB9"));
	idc_job_free(job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sam),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_damaged_fails_fast),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_status_classes),
		cmocka_unit_test(test_read_card),
		cmocka_unit_test(test_job),
		cmocka_unit_test(test_job_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
