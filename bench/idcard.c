/* Benchmark for the ID-card reader (issue 3), printing figures next to
 * their targets in the same run:
 *
 *   1. decode + validate one read (scan the 1295-byte 30 01 frame, take
 *      the payload apart, decode the text, check the card): median and
 *      p99 over many runs; target <= 1 ms median.
 *   2. reads over the simulator on a pty at 115200 baud, paced like a real
 *      line: the 30 01 command's wall time against the time its 1295
 *      bytes need on the wire (112.4 ms), as a ratio; target <= 1.3x.
 *      The whole card read (status, find, select, read, 30 03) is shown
 *      the same way.
 *
 * Run: make bench-idcard   (or bench/idcard [--idsim PATH] [--card FILE]
 *      [--reads N] from the build tree). Exit 0 when both targets are met. */
#include "config.h"
#include "idcard/frame.h"
#include "idcard/reader.h"
#include "idcard/serial.h"
#include "idcard/text.h"
#include "idcard/verify.h"
#include "util/str.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define BENCH_DECODE_RUNS 20000
#define BENCH_BAUD 115200
#define BENCH_READ_BYTES 1295
#define BENCH_DECODE_TARGET_US 1000.0
#define BENCH_RATIO_TARGET 1.3

static double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double bench_pct(double *v, size_t n, double p)
{
	qsort(v, n, sizeof(v[0]), bench_cmp);
	return v[(size_t)(p * (double)(n - 1))];
}

/* A 30 01 answer for a synthetic resident card, as the reader sends it. */
static size_t bench_frame(uint8_t *out, size_t outsz)
{
	static uint8_t payload[4 + IDC_TEXT_LEN + IDC_PHOTO_LEN];
	struct idc_text t = { 0 };

	t.type = IDC_CARD_RESIDENT;
	str_copy(t.name, sizeof(t.name), "李明");
	str_copy(t.gender, sizeof(t.gender), "1");
	str_copy(t.nation, sizeof(t.nation), "01");
	str_copy(t.birth, sizeof(t.birth), "19900101");
	str_copy(t.address, sizeof(t.address), "广东省深圳市南山区科技园南区高新南七道18号");
	str_copy(t.number, sizeof(t.number), "44030519900101123X");
	str_copy(t.authority, sizeof(t.authority), "深圳市公安局南山分局");
	str_copy(t.valid_from, sizeof(t.valid_from), "20200315");
	str_copy(t.valid_to, sizeof(t.valid_to), "20400315");
	payload[0] = 0x01;
	payload[2] = 0x04;
	idc_text_encode(&t, payload + 4);
	for (size_t i = 0; i < IDC_PHOTO_LEN; i++)
		payload[4 + IDC_TEXT_LEN + i] = (uint8_t)(i * 37 + 11);
	return idc_frame_build_response(out, outsz, 0, 0, 0x90, payload, sizeof(payload));
}

static int bench_decode(double *median_us)
{
	static uint8_t frame[IDC_FRAME_MAX];
	static struct idc_record rec;
	static double us[BENCH_DECODE_RUNS];
	size_t n = bench_frame(frame, sizeof(frame));
	int today = idc_verify_today();

	for (int i = 0; i < BENCH_DECODE_RUNS; i++) {
		struct idc_frame f;
		size_t used;
		double t0 = bench_now_us();

		if (idc_frame_scan(frame, n, 3, &f, &used) != IDC_FRAME_OK ||
		    idc_reader_parse_read(f.body + 3, f.body_len - 3, 0, &rec, NULL) != 0 ||
		    idc_verify(&rec.text, today, rec.number_norm, sizeof(rec.number_norm),
			       NULL) != IDC_VERIFY_OK) {
			fprintf(stderr, "bench: decode failed\n");
			return -1;
		}
		us[i] = bench_now_us() - t0;
	}
	*median_us = bench_pct(us, BENCH_DECODE_RUNS, 0.5);
	printf("decode+validate one read: median %.1f us, p99 %.1f us over %d runs "
	       "(target <= %.0f us median)\n", *median_us, bench_pct(us, BENCH_DECODE_RUNS, 0.99),
	       BENCH_DECODE_RUNS, BENCH_DECODE_TARGET_US);
	return 0;
}

/* Start idsim, paced at 115200, and read its pty path from its stdout. */
static pid_t bench_start_sim(const char *idsim, const char *card, char *path, size_t pathsz)
{
	char *argv[] = { (char *)idsim, (char *)"--card", (char *)card, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int pfd[2];
	size_t n = 0;

	if (pipe(pfd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	if (posix_spawn(&pid, idsim, &fa, NULL, argv, environ) != 0) {
		fprintf(stderr, "bench: cannot start %s\n", idsim);
		posix_spawn_file_actions_destroy(&fa);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	while (n + 1 < pathsz) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 5000) <= 0)
			break;
		r = read(pfd[0], path + n, 1);
		if (r <= 0 || path[n] == '\n')
			break;
		n++;
	}
	path[n] = '\0';
	close(pfd[0]);
	if (n == 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static int bench_wire(const char *idsim, const char *card, int reads, double *ratio_out)
{
	double wire_ms = BENCH_READ_BYTES * 10.0 * 1000.0 / BENCH_BAUD;
	/* Answers of one card read: status 10, find 15, select 19, 30 01 1295,
	 * 30 03 "none" 10 bytes. */
	double card_wire_ms = (10 + 15 + 19 + BENCH_READ_BYTES + 10) * 10.0 * 1000.0 / BENCH_BAUD;
	double *cmd = calloc((size_t)reads, sizeof(double));
	double *all = calloc((size_t)reads, sizeof(double));
	struct idc_record *rec = calloc(1, sizeof(*rec));
	struct idc_reader *r = NULL;
	struct gt_err err = { "", 0 };
	char path[256];
	pid_t pid = -1;
	int rc = -1;

	if (cmd == NULL || all == NULL || rec == NULL)
		goto out;
	pid = bench_start_sim(idsim, card, path, sizeof(path));
	if (pid < 0)
		goto out;
	r = idc_reader_new(path, BENCH_BAUD, 3000, &err);
	if (r == NULL) {
		fprintf(stderr, "bench: %s\n", err.msg);
		goto out;
	}
	for (int i = 0; i < reads; i++) {
		double t0 = bench_now_us(), t1, t2, t3;

		if (idc_reader_sam_status(r, &err) != 0 || idc_reader_find(r, &err) != 1 ||
		    idc_reader_select(r, NULL, 0, &err) != 0) {
			fprintf(stderr, "bench: %s\n", err.msg);
			goto out;
		}
		t1 = bench_now_us();
		if (idc_reader_read(r, IDC_READ_NO_APPENDED, rec, &err) != 0) {
			fprintf(stderr, "bench: %s\n", err.msg);
			goto out;
		}
		t2 = bench_now_us();
		if (idc_reader_read(r, 0, rec, &err) != 0) /* again, with 30 03 */
			goto out;
		t3 = bench_now_us();
		cmd[i] = (t2 - t1) / 1000.0;
		/* One card read = status + find + select + (read with 30 03). */
		all[i] = ((t1 - t0) + (t3 - t2)) / 1000.0;
	}
	*ratio_out = bench_pct(cmd, (size_t)reads, 0.5) / wire_ms;
	printf("30 01 over the simulator at %d baud: median %.1f ms, wire %.1f ms for %d bytes: "
	       "ratio %.3fx (target <= %.1fx; worst %.1f ms)\n", BENCH_BAUD,
	       bench_pct(cmd, (size_t)reads, 0.5), wire_ms, BENCH_READ_BYTES, *ratio_out,
	       BENCH_RATIO_TARGET, bench_pct(cmd, (size_t)reads, 1.0));
	printf("whole card read (11 FF, 20 01, 20 02, 30 01, 30 03): median %.1f ms, wire "
	       "%.1f ms: ratio %.3fx\n", bench_pct(all, (size_t)reads, 0.5), card_wire_ms,
	       bench_pct(all, (size_t)reads, 0.5) / card_wire_ms);
	rc = 0;
out:
	idc_reader_free(r);
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	if (rec != NULL) {
		idc_record_wipe(rec);
		free(rec);
	}
	free(cmd);
	free(all);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "idsim", required_argument, NULL, 's' },
		{ "card", required_argument, NULL, 'c' },
		{ "reads", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *idsim = "tests/fixtures/idsim";
	const char *card = "tests/fixtures/cards/resident.ini";
	double median_us = 0, ratio = 0;
	int c, reads = 20;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 's')
			idsim = optarg;
		else if (c == 'c')
			card = optarg;
		else if (c == 'n' && atoi(optarg) > 0)
			reads = atoi(optarg);
		else {
			fputs("usage: bench/idcard [--idsim PATH] [--card FILE] [--reads N]\n", stderr);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (bench_decode(&median_us) != 0 || bench_wire(idsim, card, reads, &ratio) != 0)
		return 1;
	printf("targets: decode %s, wire ratio %s\n",
	       median_us <= BENCH_DECODE_TARGET_US ? "met" : "MISSED",
	       ratio <= BENCH_RATIO_TARGET ? "met" : "MISSED");
	return median_us <= BENCH_DECODE_TARGET_US && ratio <= BENCH_RATIO_TARGET ? 0 : 1;
}
