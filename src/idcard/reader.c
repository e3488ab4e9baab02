/* The GA 467 command layer; see reader.h. One request is in flight at a
 * time: stale input is dropped before each request, and the response is
 * looked for in whatever arrives until its deadline, skipping garbage and
 * damaged frames (frame.c resynchronises on the preamble). */
#include "config.h"
#include "idcard/reader.h"
#include "idcard/serial.h"
#include "util/i18n.h"
#include "util/str.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Room for one maximal frame after garbage that has not been dropped. */
#define IDC_READER_RX (2 * IDC_FRAME_MAX)
/* Silence after a damaged frame that ends the wait for a good one. */
#define IDC_READER_GAP_MS 100

struct idc_reader {
	int fd;
	int cancel_fd;
	int baud;
	int timeout_ms;
	enum idc_reader_fail fail;
	size_t discarded;
	size_t rx_len;
	uint8_t rx[IDC_READER_RX];
	struct idc_response resp; /* scratch: too big for a thread's stack */
};

void idc_record_wipe(struct idc_record *rec)
{
	str_wipe(rec, sizeof(*rec));
}

static const struct {
	uint8_t sw3;
	enum idc_reader_fail fail;
	const char *text;
} idc_reader_sw3[] = {
	{ 0x90, IDC_FAIL_NONE, N_("Success.") },
	{ 0x91, IDC_FAIL_NONE, N_("The card holds nothing for this item.") },
	{ 0x9F, IDC_FAIL_NONE, N_("Card found.") },
	{ 0x10, IDC_FAIL_DAMAGED, N_("The reader received a damaged command (checksum error).") },
	{ 0x11, IDC_FAIL_DAMAGED, N_("The reader received a command of the wrong length.") },
	{ 0x21, IDC_FAIL_DEVICE, N_("The reader does not accept this command.") },
	{ 0x23, IDC_FAIL_DEVICE, N_("The reader refused the operation (not permitted).") },
	{ 0x24, IDC_FAIL_DEVICE, N_("The reader reported an unknown error.") },
	{ 0x31, IDC_FAIL_CARD, N_("The card could not authenticate the reader's security "
				  "module. Place the card on the reader again.") },
	{ 0x32, IDC_FAIL_CARD, N_("The reader could not authenticate the card: it may not be a "
				  "genuine ID card.") },
	{ 0x33, IDC_FAIL_CARD, N_("The card's information failed verification.") },
	{ 0x40, IDC_FAIL_CARD, N_("Unknown card type: this is not a card the reader can read.") },
	{ 0x41, IDC_FAIL_CARD, N_("Reading the card failed: the card was moved or lifted. Place "
				  "it flat on the reader and keep it still.") },
	{ 0x47, IDC_FAIL_CARD, N_("The card did not answer (get-challenge failed). Place it on "
				  "the reader again.") },
	{ 0x60, IDC_FAIL_DEVICE, N_("The reader's security module failed its self-test; the "
				    "reader needs service.") },
	{ 0x66, IDC_FAIL_DEVICE, N_("The reader's security module (SAM) is not authorised and "
				    "cannot be used. Contact the reader's supplier.") },
	{ 0x80, IDC_FAIL_NO_CARD, N_("No card on the reader: place the ID card on the reader.") },
	{ 0x81, IDC_FAIL_CARD, N_("The card could not be selected. Place it on the reader "
				  "again.") },
};

static int idc_reader_sw3_index(uint8_t sw3)
{
	for (size_t i = 0; i < sizeof(idc_reader_sw3) / sizeof(idc_reader_sw3[0]); i++)
		if (idc_reader_sw3[i].sw3 == sw3)
			return (int)i;
	return -1;
}

const char *idc_reader_sw3_text(uint8_t sw3)
{
	int i = idc_reader_sw3_index(sw3);

	return i < 0 ? NULL : _(idc_reader_sw3[i].text);
}

/* Fail with the meaning of a status the caller did not want. */
static int idc_reader_status_fail(struct idc_reader *r, uint8_t sw3, struct gt_err *err)
{
	int i = idc_reader_sw3_index(sw3);

	if (i < 0 || idc_reader_sw3[i].fail == IDC_FAIL_NONE) {
		r->fail = IDC_FAIL_DEVICE;
		return err_set(err, _("The ID-card reader answered with an unexpected status "
				      "(%02X)."), sw3);
	}
	r->fail = idc_reader_sw3[i].fail;
	return err_set(err, "%s", _(idc_reader_sw3[i].text));
}

struct idc_reader *idc_reader_new(const char *path, int baud, int timeout_ms,
				  struct gt_err *err)
{
	struct idc_reader *r;

	if (path == NULL || path[0] == '\0') {
		err_set(err, "%s", _("No ID-card reader device is configured."));
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		err_set(err, "%s", _("out of memory"));
		return NULL;
	}
	r->cancel_fd = -1;
	r->baud = baud > 0 ? baud : IDC_DEFAULT_BAUD;
	r->timeout_ms = timeout_ms > 0 ? timeout_ms : IDC_DEFAULT_TIMEOUT_MS;
	r->fd = idc_serial_open(path, r->baud, err);
	if (r->fd < 0) {
		free(r);
		return NULL;
	}
	return r;
}

void idc_reader_free(struct idc_reader *r)
{
	if (r == NULL)
		return;
	idc_serial_close(r->fd);
	/* The buffers held a card's personal data. */
	str_wipe(r, sizeof(*r));
	free(r);
}

void idc_reader_set_cancel_fd(struct idc_reader *r, int fd)
{
	r->cancel_fd = fd;
}

enum idc_reader_fail idc_reader_fail(const struct idc_reader *r)
{
	return r->fail;
}

size_t idc_reader_discarded(const struct idc_reader *r)
{
	return r->discarded;
}

/* Milliseconds n bytes need on the wire at the line's speed (10 bits a
 * byte for 8N1), rounded up. */
static int idc_reader_wire_ms(const struct idc_reader *r, size_t n)
{
	return (int)((n * 10 * 1000 + (size_t)r->baud - 1) / (size_t)r->baud);
}

static void idc_reader_drop(struct idc_reader *r, size_t n)
{
	if (n > r->rx_len)
		n = r->rx_len;
	memmove(r->rx, r->rx + n, r->rx_len - n);
	r->rx_len -= n;
}

/* Look through what has arrived: 1 frame taken into *resp, 0 need more.
 * *damaged records the worst damage skipped on the way. */
static int idc_reader_scan(struct idc_reader *r, struct idc_response *resp, int *damaged)
{
	for (;;) {
		struct idc_frame f;
		size_t consumed = 0;
		enum idc_frame_scan s = idc_frame_scan(r->rx, r->rx_len, 3, &f, &consumed);

		switch (s) {
		case IDC_FRAME_OK:
			resp->sw1 = f.body[0];
			resp->sw2 = f.body[1];
			resp->sw3 = f.body[2];
			resp->len = f.body_len - 3;
			memcpy(resp->data, f.body + 3, resp->len);
			r->discarded += f.offset;
			idc_reader_drop(r, consumed);
			return 1;
		case IDC_FRAME_BAD_CHECKSUM:
		case IDC_FRAME_BAD_LENGTH:
			if (s == IDC_FRAME_BAD_CHECKSUM || *damaged == 0)
				*damaged = s;
			r->discarded += consumed;
			idc_reader_drop(r, consumed);
			continue;
		case IDC_FRAME_NEED_MORE:
			r->discarded += consumed;
			idc_reader_drop(r, consumed);
			/* Only a frame longer than the buffer could fill it. */
			if (r->rx_len == sizeof(r->rx))
				idc_reader_drop(r, 1);
			return 0;
		}
	}
}

static int idc_reader_receive(struct idc_reader *r, size_t expect_max,
			      struct idc_response *resp, struct gt_err *err)
{
	long long deadline = idc_serial_now_ms() + r->timeout_ms +
			     idc_reader_wire_ms(r, expect_max);
	long long last_rx = 0;
	int damaged = 0, cancelled = 0;
	size_t got = 0;

	for (;;) {
		long long now, left;
		ssize_t n;

		if (idc_reader_scan(r, resp, &damaged) > 0)
			return 0;
		now = idc_serial_now_ms();
		left = deadline - now;
		/* A reader sends its answer in one go: once a damaged frame
		 * is followed by a pause, nothing good is coming, and the
		 * operator should hear so now rather than at the deadline. */
		if (damaged == IDC_FRAME_BAD_CHECKSUM &&
		    last_rx + IDC_READER_GAP_MS + idc_reader_wire_ms(r, 32) - now < left)
			left = last_rx + IDC_READER_GAP_MS + idc_reader_wire_ms(r, 32) - now;
		if (left <= 0)
			break;
		n = idc_serial_read(r->fd, r->cancel_fd, r->rx + r->rx_len,
				    sizeof(r->rx) - r->rx_len, (int)left, &cancelled, err);
		if (n < 0) {
			r->fail = cancelled ? IDC_FAIL_CANCELLED : IDC_FAIL_IO;
			return -1;
		}
		if (n > 0)
			last_rx = idc_serial_now_ms();
		r->rx_len += (size_t)n;
		got += (size_t)n;
	}
	if (damaged == IDC_FRAME_BAD_CHECKSUM) {
		r->fail = IDC_FAIL_DAMAGED;
		return err_set(err, "%s", _("The reader's answer was damaged (checksum "
					    "error). Try again."));
	}
	r->fail = IDC_FAIL_TIMEOUT;
	if (r->rx_len >= IDC_FRAME_PREAMBLE_LEN)
		return err_set(err, "%s", _("The reader's answer was cut off (incomplete "
					    "frame). Try again."));
	if (damaged == IDC_FRAME_BAD_LENGTH || got > 0) {
		r->fail = IDC_FAIL_DAMAGED;
		return err_set(err, "%s", _("The reader sent data that could not be understood. "
					    "Check the baud rate and try again."));
	}
	return err_set(err, "%s", _("The ID-card reader does not answer. Check that it is "
				    "connected and switched on."));
}

/* Largest response each command can bring, for its deadline. */
static size_t idc_reader_expect(uint8_t cmd, uint8_t para)
{
	if (cmd == 0x30 && para == 0x10)
		return 2321;
	if (cmd == 0x30)
		return 1295;
	return 64;
}

int idc_reader_command(struct idc_reader *r, uint8_t cmd, uint8_t para,
		       struct idc_response *resp, struct gt_err *err)
{
	uint8_t req[IDC_FRAME_OVERHEAD + 2];
	size_t n = idc_frame_build(req, sizeof(req), cmd, para, NULL, 0);
	int cancelled = 0;

	r->fail = IDC_FAIL_NONE;
	idc_serial_flush(r->fd);
	r->rx_len = 0;
	if (idc_serial_write(r->fd, r->cancel_fd, req, n, r->timeout_ms, &cancelled, err) != 0) {
		r->fail = cancelled ? IDC_FAIL_CANCELLED : IDC_FAIL_IO;
		return -1;
	}
	return idc_reader_receive(r, idc_reader_expect(cmd, para), resp, err);
}

/* A command whose only good answer is `want`. */
static int idc_reader_expect_sw3(struct idc_reader *r, uint8_t cmd, uint8_t para,
				 uint8_t want, struct gt_err *err)
{
	if (idc_reader_command(r, cmd, para, &r->resp, err) != 0)
		return -1;
	if (r->resp.sw3 != want)
		return idc_reader_status_fail(r, r->resp.sw3, err);
	return 0;
}

int idc_reader_reset(struct idc_reader *r, struct gt_err *err)
{
	return idc_reader_expect_sw3(r, 0x10, 0xFF, IDC_SW3_OK, err);
}

int idc_reader_sam_status(struct idc_reader *r, struct gt_err *err)
{
	return idc_reader_expect_sw3(r, 0x11, 0xFF, IDC_SW3_OK, err);
}

static uint32_t idc_reader_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

int idc_reader_sam_id(struct idc_reader *r, char *out, size_t outsz, struct gt_err *err)
{
	const uint8_t *d = r->resp.data;

	if (idc_reader_expect_sw3(r, 0x12, 0xFF, IDC_SW3_OK, err) != 0)
		return -1;
	if (r->resp.len < 16) {
		r->fail = IDC_FAIL_DAMAGED;
		return err_set(err, "%s", _("The reader's security module id is too short."));
	}
	snprintf(out, outsz, "%02u.%02u-%08" PRIu32 "-%010" PRIu32 "-%010" PRIu32,
		 (unsigned)d[0], (unsigned)d[2], idc_reader_le32(d + 4),
		 idc_reader_le32(d + 8), idc_reader_le32(d + 12));
	return 0;
}

int idc_reader_find(struct idc_reader *r, struct gt_err *err)
{
	if (idc_reader_command(r, 0x20, 0x01, &r->resp, err) != 0)
		return -1;
	if (r->resp.sw3 == IDC_SW3_FOUND)
		return 1;
	if (r->resp.sw3 == IDC_SW3_NO_CARD) {
		r->fail = IDC_FAIL_NO_CARD;
		err_set(err, "%s", _(idc_reader_sw3[idc_reader_sw3_index(0x80)].text));
		return 0;
	}
	return idc_reader_status_fail(r, r->resp.sw3, err);
}

int idc_reader_select(struct idc_reader *r, char *serial_hex, size_t hexsz,
		      struct gt_err *err)
{
	if (idc_reader_expect_sw3(r, 0x20, 0x02, IDC_SW3_OK, err) != 0)
		return -1;
	if (serial_hex != NULL && hexsz > 0) {
		size_t pos = 0;

		serial_hex[0] = '\0';
		for (size_t i = 0; i < r->resp.len && i < 8 && pos + 3 <= hexsz; i++)
			pos += (size_t)snprintf(serial_hex + pos, hexsz - pos, "%02X",
						r->resp.data[i]);
	}
	return 0;
}

static uint16_t idc_reader_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

int idc_reader_parse_read(const uint8_t *data, size_t len, int fingerprint,
			  struct idc_record *rec, struct gt_err *err)
{
	size_t head = fingerprint ? 6 : 4, text_len, photo_len, fp_len = 0;

	if (len < head)
		return err_set(err, "%s", _("The card data from the reader is too short."));
	text_len = idc_reader_be16(data);
	photo_len = idc_reader_be16(data + 2);
	if (fingerprint)
		fp_len = idc_reader_be16(data + 4);
	if (text_len != IDC_TEXT_LEN || photo_len > IDC_PHOTO_LEN || fp_len > IDC_FP_MAX ||
	    head + text_len + photo_len + fp_len != len)
		return err_set(err, _("The card data from the reader has inconsistent lengths "
				      "(text %zu, photo %zu, fingerprint %zu, total %zu)."),
			       text_len, photo_len, fp_len, len);
	if (idc_text_decode(data + head, text_len, &rec->text, err) != 0)
		return -1;
	memcpy(rec->text_raw, data + head, IDC_TEXT_LEN);
	memcpy(rec->photo, data + head + text_len, photo_len);
	rec->photo_len = photo_len;
	if (fp_len > 0)
		memcpy(rec->fingerprint, data + head + text_len + photo_len, fp_len);
	rec->fp_len = fp_len;
	rec->fp_read = fingerprint;
	return 0;
}

int idc_reader_read(struct idc_reader *r, unsigned flags, struct idc_record *rec,
		    struct gt_err *err)
{
	int fp = (flags & IDC_READ_FINGERPRINT) != 0;

	if (idc_reader_command(r, 0x30, fp ? 0x10 : 0x01, &r->resp, err) != 0)
		return -1;
	/* Readers without a fingerprint module refuse 30 10; the card's
	 * text and photo are still wanted. */
	if (fp && r->resp.sw3 == IDC_SW3_BAD_COMMAND) {
		fp = 0;
		if (idc_reader_command(r, 0x30, 0x01, &r->resp, err) != 0)
			return -1;
	}
	if (r->resp.sw3 != IDC_SW3_OK)
		return idc_reader_status_fail(r, r->resp.sw3, err);
	if (idc_reader_parse_read(r->resp.data, r->resp.len, fp, rec, err) != 0) {
		r->fail = IDC_FAIL_DAMAGED;
		return -1;
	}
	rec->appended_address[0] = '\0';
	if (flags & IDC_READ_NO_APPENDED)
		return 0;
	if (idc_reader_command(r, 0x30, 0x03, &r->resp, err) != 0)
		return -1;
	/* 91 = no appended address; older readers refuse the command. */
	if (r->resp.sw3 == IDC_SW3_OK)
		idc_text_ucs2_to_utf8(r->resp.data, r->resp.len, rec->appended_address,
				      sizeof(rec->appended_address));
	else if (r->resp.sw3 != IDC_SW3_EMPTY && r->resp.sw3 != IDC_SW3_BAD_COMMAND)
		return idc_reader_status_fail(r, r->resp.sw3, err);
	return 0;
}

int idc_reader_read_card(struct idc_reader *r, unsigned flags, struct idc_record *rec,
			 struct gt_err *err)
{
	int found = idc_reader_find(r, err);

	if (found <= 0)
		return -1;
	if (idc_reader_select(r, rec->card_serial, sizeof(rec->card_serial), err) != 0)
		return -1;
	if (idc_reader_read(r, flags, rec, err) != 0)
		return -1;
	rec->read_at = (long long)time(NULL);
	return 0;
}
