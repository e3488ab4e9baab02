/* Unit tests for GA 467 frames: the ready-made request frames of FACTS.md
 * §3.3 byte for byte, response headers of §3.5, and the scanner on
 * garbage, split input, damaged and decoy frames. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "idcard/frame.h"

static void check_request(uint8_t cmd, uint8_t para, const uint8_t *want, size_t n)
{
	uint8_t out[32];

	assert_int_equal(idc_frame_build(out, sizeof(out), cmd, para, NULL, 0), n);
	assert_memory_equal(out, want, n);
}

static void test_request_frames(void **state)
{
	static const uint8_t reset[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x10, 0xFF, 0xEC };
	static const uint8_t status[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x11, 0xFF, 0xED };
	static const uint8_t samid[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x12, 0xFF, 0xEE };
	static const uint8_t find[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22 };
	static const uint8_t sel[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x02, 0x21 };
	static const uint8_t read[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x01, 0x32 };
	static const uint8_t addr[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x03, 0x30 };
	static const uint8_t fp[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x10, 0x23 };
	static const uint8_t b115[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x60, 0x00, 0x63 };
	static const uint8_t b9600[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x60, 0x04, 0x67 };

	(void)state;
	check_request(0x10, 0xFF, reset, sizeof(reset));
	check_request(0x11, 0xFF, status, sizeof(status));
	check_request(0x12, 0xFF, samid, sizeof(samid));
	check_request(0x20, 0x01, find, sizeof(find));
	check_request(0x20, 0x02, sel, sizeof(sel));
	check_request(0x30, 0x01, read, sizeof(read));
	check_request(0x30, 0x03, addr, sizeof(addr));
	check_request(0x30, 0x10, fp, sizeof(fp));
	check_request(0x60, 0x00, b115, sizeof(b115));
	check_request(0x60, 0x04, b9600, sizeof(b9600));
}

static void test_response_frames(void **state)
{
	static const uint8_t find_ok[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x08, 0x00, 0x00,
					   0x9F, 0x00, 0x00, 0x00, 0x00, 0x97 };
	static const uint8_t read_head[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x05, 0x08, 0x00, 0x00,
					     0x90, 0x01, 0x00, 0x04, 0x00 };
	static uint8_t payload[6 + 256 + 1024 + 1024];
	static uint8_t out[4096];
	const uint8_t zero[4] = { 0 };
	struct idc_frame f;
	size_t used, n;

	(void)state;
	n = idc_frame_build_response(out, sizeof(out), 0, 0, 0x9F, zero, 4);
	assert_int_equal(n, sizeof(find_ok));
	assert_memory_equal(out, find_ok, n);

	payload[0] = 0x01;
	payload[1] = 0x00;
	payload[2] = 0x04;
	payload[3] = 0x00;
	n = idc_frame_build_response(out, sizeof(out), 0, 0, 0x90, payload, 4 + 256 + 1024);
	assert_int_equal(n, 1295);
	assert_memory_equal(out, read_head, sizeof(read_head));
	assert_int_equal(idc_frame_scan(out, n, 3, &f, &used), IDC_FRAME_OK);
	assert_int_equal(used, 1295);
	assert_int_equal(f.body_len, 3 + 4 + 256 + 1024);

	/* 30 10 with 0 / 512 / 1024 bytes of fingerprint: 1297 / 1809 / 2321. */
	assert_int_equal(idc_frame_build_response(out, sizeof(out), 0, 0, 0x90, payload,
						  6 + 256 + 1024), 1297);
	assert_int_equal(idc_frame_build_response(out, sizeof(out), 0, 0, 0x90, payload,
						  6 + 256 + 1024 + 512), 1809);
	assert_int_equal(idc_frame_build_response(out, sizeof(out), 0, 0, 0x90, payload,
						  6 + 256 + 1024 + 1024), 2321);
	assert_int_equal(out[5], 0x09);
	assert_int_equal(out[6], 0x0A);
	/* Too small a buffer is refused, not overrun. */
	assert_int_equal(idc_frame_build_response(out, 100, 0, 0, 0x90, payload, 200), 0);
}

static void test_scan_split_and_garbage(void **state)
{
	uint8_t buf[256], frame[32];
	size_t fl = idc_frame_build_response(frame, sizeof(frame), 0, 0, 0x90, NULL, 0);
	struct idc_frame f;
	size_t used;

	(void)state;
	/* Byte by byte: need more until the last one. */
	for (size_t i = 0; i < fl; i++)
		assert_int_equal(idc_frame_scan(frame, i, 3, &f, &used), IDC_FRAME_NEED_MORE);
	assert_int_equal(idc_frame_scan(frame, fl, 3, &f, &used), IDC_FRAME_OK);
	assert_int_equal(f.body[2], 0x90);

	/* Noise, then "AA AA AA AA 96 69": the sync is found one byte in. */
	memset(buf, 0x55, 10);
	buf[10] = 0xAA;
	memcpy(buf + 11, frame, fl);
	assert_int_equal(idc_frame_scan(buf, 11 + fl, 3, &f, &used), IDC_FRAME_OK);
	assert_int_equal(f.offset, 11);
	assert_int_equal(used, 11 + fl);

	/* Noise with a partial preamble at the end: keep the partial part. */
	memset(buf, 0x13, 8);
	buf[8] = 0xAA;
	buf[9] = 0xAA;
	buf[10] = 0xAA;
	buf[11] = 0x96;
	assert_int_equal(idc_frame_scan(buf, 12, 3, &f, &used), IDC_FRAME_NEED_MORE);
	assert_int_equal(used, 8);
	/* Pure noise: all of it can go. */
	assert_int_equal(idc_frame_scan(buf, 8, 3, &f, &used), IDC_FRAME_NEED_MORE);
	assert_int_equal(used, 8);
	assert_int_equal(idc_frame_scan(buf, 0, 3, &f, &used), IDC_FRAME_NEED_MORE);
	assert_int_equal(used, 0);
}

static void test_scan_damaged(void **state)
{
	static const uint8_t bad_len[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF };
	static const uint8_t short_len[] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x02 };
	uint8_t buf[256], frame[32];
	size_t fl = idc_frame_build_response(frame, sizeof(frame), 0, 0, 0x9F, NULL, 0);
	struct idc_frame f;
	size_t used, n;

	(void)state;
	frame[fl - 1] ^= 1;
	assert_int_equal(idc_frame_scan(frame, fl, 3, &f, &used), IDC_FRAME_BAD_CHECKSUM);
	assert_int_equal(used, IDC_FRAME_PREAMBLE_LEN);
	frame[fl - 1] ^= 1;

	assert_int_equal(idc_frame_scan(bad_len, sizeof(bad_len), 3, &f, &used),
			 IDC_FRAME_BAD_LENGTH);
	assert_int_equal(used, IDC_FRAME_PREAMBLE_LEN);
	/* Length 2 is a request's minimum, not a response's. */
	assert_int_equal(idc_frame_scan(short_len, sizeof(short_len), 3, &f, &used),
			 IDC_FRAME_BAD_LENGTH);

	/* A decoy preamble claiming 64 bytes swallows the real answer; the
	 * real one is still taken because it is complete and checks. */
	memcpy(buf, (const uint8_t[]){ 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x40 }, 7);
	memcpy(buf + 7, frame, fl);
	n = 7 + fl;
	assert_int_equal(idc_frame_scan(buf, n, 3, &f, &used), IDC_FRAME_OK);
	assert_int_equal(f.offset, 7);
	assert_int_equal(used, n);
	assert_int_equal(f.body[2], 0x9F);
}

static void test_scan_request_min_body(void **state)
{
	uint8_t frame[16];
	size_t fl = idc_frame_build(frame, sizeof(frame), 0x20, 0x01, NULL, 0);
	struct idc_frame f;
	size_t used;

	(void)state;
	assert_int_equal(idc_frame_scan(frame, fl, 2, &f, &used), IDC_FRAME_OK);
	assert_int_equal(f.body_len, 2);
	assert_int_equal(f.body[0], 0x20);
	assert_int_equal(f.body[1], 0x01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_frames),
		cmocka_unit_test(test_response_frames),
		cmocka_unit_test(test_scan_split_and_garbage),
		cmocka_unit_test(test_scan_damaged),
		cmocka_unit_test(test_scan_request_min_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
