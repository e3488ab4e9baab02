/* GA 467 SAM frames: building requests (and, for the simulator, responses)
 * and finding well-formed frames in a stream of bytes that may hold garbage,
 * partial frames or damaged ones. Pure: no I/O, no allocation.
 *
 *   AA AA AA 96 69 | Len1 Len2 | body (CMD Para Data / SW1 SW2 SW3 Data) | CHK
 *
 * Len (big-endian) counts body + CHK; CHK is the XOR of the length bytes and
 * the body. See FACTS.md §3.2. */
#ifndef GUITAI_IDCARD_FRAME_H
#define GUITAI_IDCARD_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define IDC_FRAME_PREAMBLE_LEN 5
/* Preamble + length + CHK: a frame is body length + 8 bytes. */
#define IDC_FRAME_OVERHEAD 8
/* The largest response of the protocol is 30 10 with 1024 bytes of
 * fingerprint (2321 bytes); anything claiming more than this is noise. */
#define IDC_FRAME_MAX 4096
#define IDC_FRAME_BODY_MAX (IDC_FRAME_MAX - IDC_FRAME_OVERHEAD)

extern const uint8_t idc_frame_preamble[IDC_FRAME_PREAMBLE_LEN];

/* A frame found in a buffer; body points into that buffer. */
struct idc_frame {
	const uint8_t *body;
	size_t body_len;
	size_t offset; /* where the preamble starts */
	size_t total;  /* bytes from preamble to CHK inclusive */
};

enum idc_frame_scan {
	IDC_FRAME_NEED_MORE = 0, /* no complete frame yet */
	IDC_FRAME_OK,            /* *f is a frame with a good length and CHK */
	IDC_FRAME_BAD_CHECKSUM,  /* a complete frame whose CHK does not match */
	IDC_FRAME_BAD_LENGTH,    /* a preamble followed by an impossible length */
};

/* XOR of n bytes. */
uint8_t idc_frame_xor(const uint8_t *p, size_t n);

/* Build a request (CMD Para + data) or a response (SW1 SW2 SW3 + data).
 * Returns the frame length, or 0 when out is too small or the body too
 * long. */
size_t idc_frame_build(uint8_t *out, size_t outsz, uint8_t cmd, uint8_t para,
		       const uint8_t *data, size_t len);
size_t idc_frame_build_response(uint8_t *out, size_t outsz, uint8_t sw1, uint8_t sw2,
				uint8_t sw3, const uint8_t *data, size_t len);

/* Look for the first frame in buf[0..n). *consumed is how many leading
 * bytes the caller may drop afterwards:
 *   NEED_MORE     the garbage before a possible (partial) preamble;
 *   OK            everything up to the end of the frame (when the first
 *                 candidate is incomplete but a complete well-formed frame
 *                 follows it, that frame is taken);
 *   BAD_CHECKSUM, BAD_LENGTH
 *                 up to just past the offending preamble, so that a real
 *                 frame hidden in a damaged or truncated one is still found.
 * f is filled for OK and BAD_CHECKSUM. min_body is the smallest body that
 * makes sense (2 for requests, 3 for responses). */
enum idc_frame_scan idc_frame_scan(const uint8_t *buf, size_t n, size_t min_body,
				   struct idc_frame *f, size_t *consumed);

#endif
