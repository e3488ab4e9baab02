/* A GA 467 SAM ID-card reader on a serial line: one request, one response,
 * each checked for length and XOR, with a deadline. On top of that the
 * commands of FACTS.md §3.3 (reset, SAM status, SAM id, find, select, read
 * text+photo, the fingerprint variant and the appended address) and the
 * whole card read. Synchronous and single-threaded; async.h runs it off
 * the UI thread.
 *
 * Every failure sets a translated message and a class (idc_reader_fail)
 * that says whether trying again can help: a damaged frame or a card that
 * moved, yes; a SAM that is not authorised, no. */
#ifndef GUITAI_IDCARD_READER_H
#define GUITAI_IDCARD_READER_H

#include <stddef.h>
#include <stdint.h>
#include "idcard/frame.h"
#include "idcard/text.h"
#include "util/err.h"

#define IDC_DEFAULT_BAUD 115200
#define IDC_DEFAULT_TIMEOUT_MS 3000

/* SW3 codes (FACTS.md §3.4). */
enum {
	IDC_SW3_OK = 0x90,
	IDC_SW3_EMPTY = 0x91,
	IDC_SW3_FOUND = 0x9F,
	IDC_SW3_NO_CARD = 0x80,
	IDC_SW3_READ_FAILED = 0x41,
	IDC_SW3_BAD_COMMAND = 0x21,
	IDC_SW3_SAM_UNAUTHORISED = 0x66,
};

enum idc_reader_fail {
	IDC_FAIL_NONE = 0,
	IDC_FAIL_IO,        /* cannot open / write / device gone: not retried */
	IDC_FAIL_TIMEOUT,   /* no (complete) response in time */
	IDC_FAIL_DAMAGED,   /* checksum, length or payload inconsistent */
	IDC_FAIL_NO_CARD,   /* SW3 80 */
	IDC_FAIL_CARD,      /* the card moved or did not answer (31 32 33 40 41 47 81) */
	IDC_FAIL_DEVICE,    /* the reader or SAM refuses (21 23 24 60 66, unknown) */
	IDC_FAIL_CANCELLED, /* the cancel descriptor fired */
};

/* What one read of a card gives. Holds personal data: wipe it when done
 * (idc_record_wipe). */
struct idc_record {
	struct idc_text text;
	uint8_t text_raw[IDC_TEXT_LEN];
	/* Raw WLT photo as the chip holds it. It cannot be decoded without
	 * the reader vendor's licensed library: keep it, never fake it. */
	uint8_t photo[IDC_PHOTO_LEN];
	size_t photo_len;
	uint8_t fingerprint[IDC_FP_MAX]; /* feature data, 0/512/1024 bytes */
	size_t fp_len;
	int fp_read;                     /* 30 10 was answered */
	char appended_address[512];      /* 30 03, "" when none */
	char card_serial[24];            /* select's 8 bytes, hex */
	char sam_id[64];
	long long read_at;               /* unix seconds */
	char number_norm[32];            /* the number as the validator normalised it */
};

void idc_record_wipe(struct idc_record *rec);

struct idc_response {
	uint8_t sw1, sw2, sw3;
	size_t len;
	uint8_t data[IDC_FRAME_BODY_MAX];
};

struct idc_reader;

/* Open the device (raw 8N1 at baud). timeout_ms bounds the wait for each
 * response beyond the time its bytes need on the wire. */
struct idc_reader *idc_reader_new(const char *path, int baud, int timeout_ms,
				  struct gt_err *err);
void idc_reader_free(struct idc_reader *r);

/* A descriptor that, once readable, makes every wait fail with
 * IDC_FAIL_CANCELLED. -1 for none. */
void idc_reader_set_cancel_fd(struct idc_reader *r, int fd);

/* Class of the last failure. */
enum idc_reader_fail idc_reader_fail(const struct idc_reader *r);
/* Bytes thrown away while resynchronising (garbage, damaged frames). */
size_t idc_reader_discarded(const struct idc_reader *r);

/* Translated meaning of an SW3 code; NULL for a code not in the table. */
const char *idc_reader_sw3_text(uint8_t sw3);

/* Send CMD Para (no data) and take the response. 0 with *resp filled
 * whatever its SW3; -1 when no good frame came back. */
int idc_reader_command(struct idc_reader *r, uint8_t cmd, uint8_t para,
		       struct idc_response *resp, struct gt_err *err);

int idc_reader_reset(struct idc_reader *r, struct gt_err *err);
int idc_reader_sam_status(struct idc_reader *r, struct gt_err *err);
/* SAM id as AA.BB-CCCCCCCC-DDDDDDDDDD-EEEEEEEEEE. */
int idc_reader_sam_id(struct idc_reader *r, char *out, size_t outsz, struct gt_err *err);
/* 1 a card is there, 0 none (SW3 80), -1 error. */
int idc_reader_find(struct idc_reader *r, struct gt_err *err);
int idc_reader_select(struct idc_reader *r, char *serial_hex, size_t hexsz,
		      struct gt_err *err);

enum {
	IDC_READ_FINGERPRINT = 1 << 0, /* 30 10 (falls back to 30 01 when refused) */
	IDC_READ_NO_APPENDED = 1 << 1, /* skip 30 03 */
};

/* Read text + photo (30 01 or 30 10) after a successful select, decode the
 * text and, unless told not to, the appended address. */
int idc_reader_read(struct idc_reader *r, unsigned flags, struct idc_record *rec,
		    struct gt_err *err);

/* find -> select -> read. rec->read_at is set; no checks on the content
 * (see verify.h). */
int idc_reader_read_card(struct idc_reader *r, unsigned flags, struct idc_record *rec,
			 struct gt_err *err);

/* Take a response frame body apart (used by the reader and the fuzz
 * target): 0 and *rec filled, or -1 (damaged). fingerprint: the body is a
 * 30 10 answer. */
int idc_reader_parse_read(const uint8_t *data, size_t len, int fingerprint,
			  struct idc_record *rec, struct gt_err *err);

#endif
