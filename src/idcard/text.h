/* The 256-byte machine-readable text of a second-generation card (GA 490):
 * UCS-2 little-endian fields, space padded, in one of four layouts told
 * apart by the marker character at byte 248 — resident ID card, J (HK /
 * Macao / Taiwan residence permit), I (2017 foreign permanent resident card)
 * and Y (2023 foreign permanent resident card). See FACTS.md §3.6.
 *
 * Decoding turns each field into trimmed UTF-8 with no control characters
 * (whatever the chip holds, the result is safe to put on a screen), and
 * names the gender and nation codes; a code we do not know is kept raw.
 * Encoding is the reverse and exists for the simulator and the tests. */
#ifndef GUITAI_IDCARD_TEXT_H
#define GUITAI_IDCARD_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

#define IDC_TEXT_LEN 256
#define IDC_PHOTO_LEN 1024
#define IDC_FP_MAX 1024

enum idc_card_type {
	IDC_CARD_RESIDENT = 0, /* 居民身份证 */
	IDC_CARD_HMT,          /* J: 港澳台居民居住证 */
	IDC_CARD_FOREIGN_2017, /* I: 外国人永久居留身份证 (2017) */
	IDC_CARD_FOREIGN_2023, /* Y: 外国人永久居留身份证 (2023) */
};

/* Every field UTF-8 and NUL-terminated; "" when the layout lacks it. Sizes
 * allow three UTF-8 bytes per UCS-2 character of the widest field. */
struct idc_text {
	enum idc_card_type type;
	char name[64];          /* Chinese name (all four layouts) */
	char name_en[200];      /* I, Y: English name (Y's two parts joined) */
	char gender[4];         /* code: 1 male, 2 female (0, 9 possible) */
	char nation[8];         /* resident: GB 3304 code, e.g. "01" */
	char birth[32];         /* YYYYMMDD as stored */
	char address[128];      /* resident, J */
	char number[64];        /* ID / permit / residence card number */
	char authority[64];     /* 签发机关 (resident, J) */
	char valid_from[32];    /* YYYYMMDD */
	char valid_to[32];      /* YYYYMMDD, or 长期 (see long_term) */
	int long_term;          /* valid_to is 长期 */
	char pass_number[32];   /* J: 通行证号码 */
	char issue_count[16];   /* J: 签发次数; Y: 换证次数 */
	char nationality[16];   /* I, Y: GB/T 2659 code as stored */
	char card_version[16];  /* I: 证件版本号 */
	char agency_code[16];   /* I: 受理机关代码 */
	char previous_link[16]; /* Y: link to the previous 15-character number */
};

/* Decode the 256-byte block. Fails only when the block is short or its type
 * marker is none of the four (the message names the marker). */
int idc_text_decode(const uint8_t *block, size_t len, struct idc_text *t,
		    struct gt_err *err);

/* Encode t into a 256-byte block (fields cut to their width, padded with
 * spaces, marker set from t->type; long_term writes 长期). For the
 * simulator and tests. */
void idc_text_encode(const struct idc_text *t, uint8_t block[IDC_TEXT_LEN]);

/* Decode n bytes of UCS-2LE (e.g. the appended address of 30 03) into
 * trimmed, control-free UTF-8. */
void idc_text_ucs2_to_utf8(const uint8_t *p, size_t n, char *out, size_t outsz);

/* Names as printed on cards (data, not UI text): "汉", "男". NULL when the
 * code is not in the table: show the raw code then. */
const char *idc_text_nation_name(const char *code);
const char *idc_text_gender_name(const char *code);

/* Stable identifiers for JSON and the application record:
 * "resident", "hmt_permit", "foreign_2017", "foreign_2023" (the id_type
 * names of val_person_id). */
const char *idc_text_type_id(enum idc_card_type type);
/* Translated document name for screens: "Resident ID card", ... */
const char *idc_text_type_label(enum idc_card_type type);

#endif
