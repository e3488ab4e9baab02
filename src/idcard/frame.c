/* GA 467 frame building and scanning; see frame.h. The scanner is what the
 * reader runs on every byte a device sends, and what the fuzz target hits
 * hardest: every index is checked against n before it is read. */
#include "config.h"
#include "idcard/frame.h"

#include <string.h>

const uint8_t idc_frame_preamble[IDC_FRAME_PREAMBLE_LEN] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69 };

uint8_t idc_frame_xor(const uint8_t *p, size_t n)
{
	uint8_t x = 0;

	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	return x;
}

/* Header bytes hdr[0..hlen) then data; the body is hlen + len bytes. */
static size_t idc_frame_put(uint8_t *out, size_t outsz, const uint8_t *hdr, size_t hlen,
			    const uint8_t *data, size_t len)
{
	size_t body = hlen + len, total = body + IDC_FRAME_OVERHEAD;
	size_t wire_len = body + 1;

	if (len > IDC_FRAME_BODY_MAX || body > IDC_FRAME_BODY_MAX || total > outsz)
		return 0;
	memcpy(out, idc_frame_preamble, IDC_FRAME_PREAMBLE_LEN);
	out[5] = (uint8_t)(wire_len >> 8);
	out[6] = (uint8_t)(wire_len & 0xFF);
	memcpy(out + 7, hdr, hlen);
	if (len > 0)
		memcpy(out + 7 + hlen, data, len);
	out[total - 1] = idc_frame_xor(out + 5, total - 6);
	return total;
}

size_t idc_frame_build(uint8_t *out, size_t outsz, uint8_t cmd, uint8_t para,
		       const uint8_t *data, size_t len)
{
	const uint8_t hdr[2] = { cmd, para };

	return idc_frame_put(out, outsz, hdr, sizeof(hdr), data, len);
}

size_t idc_frame_build_response(uint8_t *out, size_t outsz, uint8_t sw1, uint8_t sw2,
				uint8_t sw3, const uint8_t *data, size_t len)
{
	const uint8_t hdr[3] = { sw1, sw2, sw3 };

	return idc_frame_put(out, outsz, hdr, sizeof(hdr), data, len);
}

/* Offset of the first full preamble at or after `from`, or n when there is
 * none; *partial then says how many trailing bytes could still begin one. */
static size_t idc_frame_find_preamble(const uint8_t *buf, size_t n, size_t from,
				      size_t *partial)
{
	*partial = 0;
	for (size_t i = from; i < n; i++) {
		size_t k = 0;

		while (k < IDC_FRAME_PREAMBLE_LEN && i + k < n && buf[i + k] == idc_frame_preamble[k])
			k++;
		if (k == IDC_FRAME_PREAMBLE_LEN)
			return i;
		if (i + k == n && k > 0) {
			/* The buffer ends inside what may be a preamble. */
			*partial = k;
			return n;
		}
	}
	return n;
}

/* A preamble in noise can claim a length that swallows the real frame
 * behind it, which would then wait for bytes that never come. So while the
 * first candidate is incomplete, a complete, well-formed frame further on
 * wins. Bounded: a buffer full of preambles costs a few passes, not n. */
#define IDC_FRAME_LOOK_AHEAD 16

static enum idc_frame_scan idc_frame_look_ahead(const uint8_t *buf, size_t n, size_t p,
						size_t min_body, struct idc_frame *f,
						size_t *consumed)
{
	size_t q = p, partial;

	for (int tries = 0; tries < IDC_FRAME_LOOK_AHEAD; tries++) {
		size_t wire_len, total;

		q = idc_frame_find_preamble(buf, n, q + 1, &partial);
		if (q == n || n - q < IDC_FRAME_PREAMBLE_LEN + 2)
			break;
		wire_len = ((size_t)buf[q + 5] << 8) | buf[q + 6];
		if (wire_len < min_body + 1 || wire_len > IDC_FRAME_BODY_MAX + 1)
			continue;
		total = wire_len + IDC_FRAME_PREAMBLE_LEN + 2;
		if (n - q < total ||
		    idc_frame_xor(buf + q + 5, total - 6) != buf[q + total - 1])
			continue;
		f->offset = q;
		f->total = total;
		f->body = buf + q + 7;
		f->body_len = wire_len - 1;
		*consumed = q + total;
		return IDC_FRAME_OK;
	}
	return IDC_FRAME_NEED_MORE;
}

enum idc_frame_scan idc_frame_scan(const uint8_t *buf, size_t n, size_t min_body,
				   struct idc_frame *f, size_t *consumed)
{
	size_t partial, p, wire_len, total;

	p = idc_frame_find_preamble(buf, n, 0, &partial);
	if (p == n) {
		*consumed = n - partial;
		return IDC_FRAME_NEED_MORE;
	}
	if (n - p < IDC_FRAME_PREAMBLE_LEN + 2) {
		*consumed = p;
		return IDC_FRAME_NEED_MORE;
	}
	wire_len = ((size_t)buf[p + 5] << 8) | buf[p + 6];
	if (wire_len < min_body + 1 || wire_len > IDC_FRAME_BODY_MAX + 1) {
		*consumed = p + IDC_FRAME_PREAMBLE_LEN;
		return IDC_FRAME_BAD_LENGTH;
	}
	total = wire_len + IDC_FRAME_PREAMBLE_LEN + 2;
	if (n - p < total) {
		*consumed = p;
		return idc_frame_look_ahead(buf, n, p, min_body, f, consumed);
	}
	f->offset = p;
	f->total = total;
	f->body = buf + p + 7;
	f->body_len = wire_len - 1;
	if (idc_frame_xor(buf + p + 5, total - 6) != buf[p + total - 1]) {
		*consumed = p + IDC_FRAME_PREAMBLE_LEN;
		return IDC_FRAME_BAD_CHECKSUM;
	}
	*consumed = p + total;
	return IDC_FRAME_OK;
}
