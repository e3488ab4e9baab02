/* Unit tests for the card text block (all four layouts, byte offsets from
 * FACTS.md §3.6), UCS-2 decoding safety, nation and gender names, and the
 * card checks (number, birth date, gender, validity). */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "idcard/reader.h"
#include "idcard/text.h"
#include "idcard/verify.h"
#include "util/str.h"

#define SET(field, value) str_copy((field), sizeof(field), (value))

#define TODAY 20261121

/* Put an ASCII string as UCS-2LE at a byte offset. */
static void put_ascii(uint8_t *b, size_t off, const char *s)
{
	for (; *s != '\0'; s++, off += 2) {
		b[off] = (uint8_t)*s;
		b[off + 1] = 0;
	}
}

static void blank(uint8_t *b)
{
	for (size_t i = 0; i < IDC_TEXT_LEN; i += 2) {
		b[i] = ' ';
		b[i + 1] = 0;
	}
}

static void resident(struct idc_text *t)
{
	memset(t, 0, sizeof(*t));
	t->type = IDC_CARD_RESIDENT;
	SET(t->name, "王小明");
	SET(t->gender, "1");
	SET(t->nation, "01");
	SET(t->birth, "19900101");
	SET(t->address, "广东省深圳市南山区科技园");
	SET(t->number, "44030519900101123X");
	SET(t->authority, "深圳市公安局南山分局");
	SET(t->valid_from, "20200315");
	SET(t->valid_to, "20400315");
}

static void test_resident_layout_bytes(void **state)
{
	uint8_t b[IDC_TEXT_LEN];
	struct idc_text t, d;

	(void)state;
	resident(&t);
	idc_text_encode(&t, b);
	/* 王 = 8B 73, little-endian, at offset 0; gender at 30; number at 122. */
	assert_int_equal(b[0], 0x8B);
	assert_int_equal(b[1], 0x73);
	assert_int_equal(b[6], ' ');
	assert_int_equal(b[30], '1');
	assert_int_equal(b[32], '0');
	assert_int_equal(b[34], '1');
	assert_int_equal(b[36], '1');
	assert_int_equal(b[122], '4');
	assert_int_equal(b[122 + 17 * 2], 'X');
	assert_int_equal(b[188], '2');
	assert_int_equal(b[204], '2');
	assert_int_equal(b[248], ' ');
	assert_int_equal(b[249], 0);

	assert_int_equal(idc_text_decode(b, sizeof(b), &d, NULL), 0);
	assert_int_equal(d.type, IDC_CARD_RESIDENT);
	assert_string_equal(d.name, "王小明");
	assert_string_equal(d.gender, "1");
	assert_string_equal(d.nation, "01");
	assert_string_equal(d.birth, "19900101");
	assert_string_equal(d.address, "广东省深圳市南山区科技园");
	assert_string_equal(d.number, "44030519900101123X");
	assert_string_equal(d.authority, "深圳市公安局南山分局");
	assert_string_equal(d.valid_from, "20200315");
	assert_string_equal(d.valid_to, "20400315");
	assert_false(d.long_term);
	assert_string_equal(d.name_en, "");
	assert_string_equal(d.pass_number, "");
}

static void test_long_term(void **state)
{
	uint8_t b[IDC_TEXT_LEN];
	struct idc_text t, d;

	(void)state;
	resident(&t);
	t.long_term = 1;
	idc_text_encode(&t, b);
	/* 长期 = 7F 95 1F 67, then space padding. */
	assert_int_equal(b[204], 0x7F);
	assert_int_equal(b[205], 0x95);
	assert_int_equal(b[206], 0x1F);
	assert_int_equal(b[207], 0x67);
	assert_int_equal(b[208], ' ');
	assert_int_equal(idc_text_decode(b, sizeof(b), &d, NULL), 0);
	assert_true(d.long_term);
	assert_string_equal(d.valid_to, "长期");
}

static void test_hmt_layout(void **state)
{
	uint8_t b[IDC_TEXT_LEN];
	struct idc_text d;

	(void)state;
	blank(b);
	put_ascii(b, 30, "1");
	put_ascii(b, 36, "20010315");
	put_ascii(b, 122, "82000020010315001X");
	put_ascii(b, 188, "20240110");
	put_ascii(b, 204, "20290110");
	put_ascii(b, 220, "M12345678");
	put_ascii(b, 238, "01");
	put_ascii(b, 248, "J");
	b[0] = 0x55; /* 何 = U+4F55 */
	b[1] = 0x4F;
	assert_int_equal(idc_text_decode(b, sizeof(b), &d, NULL), 0);
	assert_int_equal(d.type, IDC_CARD_HMT);
	assert_string_equal(d.name, "何");
	assert_string_equal(d.number, "82000020010315001X");
	assert_string_equal(d.pass_number, "M12345678");
	assert_string_equal(d.issue_count, "01");
	assert_string_equal(d.nation, ""); /* no nation on a J card */
	assert_string_equal(idc_text_type_id(d.type), "hmt_permit");
}

static void test_foreign_2017_layout(void **state)
{
	uint8_t b[IDC_TEXT_LEN];
	struct idc_text d;
	char norm[32];

	(void)state;
	blank(b);
	put_ascii(b, 0, "SMITH JOHN ROBERT");
	put_ascii(b, 120, "1");
	put_ascii(b, 122, "USA440087010112");
	put_ascii(b, 152, "USA");
	put_ascii(b, 188, "20170801");
	put_ascii(b, 204, "20370801");
	put_ascii(b, 220, "19870101");
	put_ascii(b, 236, "10");
	put_ascii(b, 240, "4403");
	put_ascii(b, 248, "I");
	assert_int_equal(idc_text_decode(b, sizeof(b), &d, NULL), 0);
	assert_int_equal(d.type, IDC_CARD_FOREIGN_2017);
	assert_string_equal(d.name_en, "SMITH JOHN ROBERT");
	assert_string_equal(d.gender, "1");
	assert_string_equal(d.number, "USA440087010112");
	assert_string_equal(d.nationality, "USA");
	assert_string_equal(d.birth, "19870101");
	assert_string_equal(d.card_version, "10");
	assert_string_equal(d.agency_code, "4403");
	assert_string_equal(d.name, "");
	assert_int_equal(idc_verify(&d, TODAY, norm, sizeof(norm), NULL), IDC_VERIFY_OK);
	assert_string_equal(norm, "USA440087010112");
}

static void test_foreign_2023_seam(void **state)
{
	/* 35 characters ending in a space, then the rest in the second field:
	 * the space at the seam must survive. */
	const char *en = "ABDULLAH BIN FAHAD MOHAMMED ALSAUD ALQAHTANI";
	uint8_t b[IDC_TEXT_LEN];
	struct idc_text t, d;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.type = IDC_CARD_FOREIGN_2023;
	SET(t.name, "阿卜杜拉");
	SET(t.gender, "1");
	SET(t.issue_count, "00");
	SET(t.birth, "19850101");
	SET(t.name_en, en);
	SET(t.number, "932682198501010017");
	SET(t.valid_from, "20240105");
	SET(t.valid_to, "20340105");
	SET(t.nationality, "SAU");
	idc_text_encode(&t, b);
	assert_int_equal(b[248], 'Y');
	assert_int_equal(b[52], 'A');
	assert_int_equal(b[220], 'A'); /* character 36 starts the second part */
	assert_int_equal(b[242], 'S');
	assert_int_equal(idc_text_decode(b, sizeof(b), &d, NULL), 0);
	assert_int_equal(d.type, IDC_CARD_FOREIGN_2023);
	assert_string_equal(d.name_en, en);
	assert_string_equal(d.name, "阿卜杜拉");
	assert_string_equal(d.issue_count, "00");
	assert_string_equal(d.nationality, "SAU");
	assert_string_equal(d.number, "932682198501010017");
}

static void test_unknown_marker_and_short(void **state)
{
	uint8_t b[IDC_TEXT_LEN];
	struct idc_text d;
	struct gt_err err;

	(void)state;
	blank(b);
	put_ascii(b, 248, "Q");
	assert_int_equal(idc_text_decode(b, sizeof(b), &d, &err), -1);
	assert_non_null(strstr(err.msg, "U+0051"));
	assert_int_equal(idc_text_decode(b, 100, &d, &err), -1);
	/* A NUL marker (zero padding) is a resident card. */
	b[248] = 0;
	assert_int_equal(idc_text_decode(b, sizeof(b), &d, NULL), 0);
	assert_int_equal(d.type, IDC_CARD_RESIDENT);
}

static void test_ucs2_safety(void **state)
{
	/* ESC [ 2 J, a BEL, a lone surrogate, U+202E, a valid pair (U+1F600),
	 * then NUL padding. */
	const uint8_t in[] = { 0x1B, 0, '[', 0, '2', 0, 'J', 0, 0x07, 0, 0x00, 0xD8, 'a', 0,
			       0x2E, 0x20, 0x3D, 0xD8, 0x00, 0xDE, 0, 0, ' ', 0, 0, 0 };
	char out[64], tiny[4];

	(void)state;
	idc_text_ucs2_to_utf8(in, sizeof(in), out, sizeof(out));
	assert_string_equal(out, "\xEF\xBF\xBD[2J\xEF\xBF\xBD\xEF\xBF\xBD" "a"
				 "\xEF\xBF\xBD\xF0\x9F\x98\x80");
	/* Never cut a character, always terminated. */
	idc_text_ucs2_to_utf8((const uint8_t *)"\x8B\x73\x8B\x73", 4, tiny, sizeof(tiny));
	assert_string_equal(tiny, "王");
	/* Odd byte counts ignore the last byte. */
	idc_text_ucs2_to_utf8((const uint8_t *)"A\0B", 3, out, sizeof(out));
	assert_string_equal(out, "A");
	/* Leading spaces are content; trailing ones padding. */
	idc_text_ucs2_to_utf8((const uint8_t *)" \0A\0 \0B\0 \0 \0", 12, out, sizeof(out));
	assert_string_equal(out, " A B");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(idc_text_nation_name("01"), "汉");
	assert_string_equal(idc_text_nation_name("08"), "壮");
	assert_string_equal(idc_text_nation_name("36"), "毛南");
	assert_string_equal(idc_text_nation_name("56"), "基诺");
	assert_string_equal(idc_text_nation_name("97"), "其他");
	assert_string_equal(idc_text_nation_name("98"), "外国血统中国籍人士");
	assert_null(idc_text_nation_name("59"));
	assert_null(idc_text_nation_name("00"));
	assert_null(idc_text_nation_name("1"));
	assert_null(idc_text_nation_name(""));
	assert_null(idc_text_nation_name("0a"));
	assert_string_equal(idc_text_gender_name("1"), "男");
	assert_string_equal(idc_text_gender_name("2"), "女");
	assert_string_equal(idc_text_gender_name("9"), "未说明的性别");
	assert_null(idc_text_gender_name("3"));
	assert_string_equal(idc_text_type_id(IDC_CARD_FOREIGN_2023), "foreign_2023");
}

static void test_verify(void **state)
{
	struct idc_text t;
	struct gt_err err;
	char norm[32];

	(void)state;
	resident(&t);
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_OK);
	assert_string_equal(norm, "44030519900101123X");

	/* Lower-case x is normalised, as typed numbers are. */
	t.number[17] = 'x';
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_OK);
	assert_string_equal(norm, "44030519900101123X");

	t.number[17] = '1';
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_BAD_NUMBER);
	assert_string_equal(norm, "");
	assert_non_null(strstr(err.msg, "check character"));

	resident(&t);
	SET(t.birth, "19900102");
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_MISMATCH);
	assert_non_null(strstr(err.msg, "1990-01-02"));

	resident(&t);
	SET(t.gender, "2");
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_MISMATCH);

	resident(&t);
	SET(t.birth, "19900231");
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_BAD_DATE);

	/* Expired: the last day printed is still valid, the next is not. */
	resident(&t);
	SET(t.valid_from, "20100101");
	SET(t.valid_to, "20261121");
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_OK);
	SET(t.valid_to, "20261120");
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_EXPIRED);
	assert_non_null(strstr(err.msg, "expired on 2026-11-20"));

	resident(&t);
	SET(t.valid_from, "20261122");
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err),
			 IDC_VERIFY_NOT_YET_VALID);

	resident(&t);
	SET(t.valid_to, "garbage");
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_BAD_DATE);
	t.long_term = 1;
	SET(t.valid_to, "长期");
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_OK);

	/* A resident card carrying an HMT number is refused. */
	resident(&t);
	SET(t.number, "82000020010315001X");
	SET(t.birth, "20010315");
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_BAD_NUMBER);
	t.type = IDC_CARD_HMT;
	assert_int_equal(idc_verify(&t, TODAY, norm, sizeof(norm), &err), IDC_VERIFY_OK);
}

static void test_parse_read(void **state)
{
	static uint8_t data[6 + IDC_TEXT_LEN + IDC_PHOTO_LEN + 512];
	struct idc_record rec;
	struct idc_text t;
	struct gt_err err;

	(void)state;
	resident(&t);
	data[0] = 0x01;
	data[1] = 0x00;
	data[2] = 0x04;
	data[3] = 0x00;
	idc_text_encode(&t, data + 4);
	memset(data + 4 + IDC_TEXT_LEN, 0xA5, IDC_PHOTO_LEN);
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(idc_reader_parse_read(data, 4 + IDC_TEXT_LEN + IDC_PHOTO_LEN, 0, &rec,
					       &err), 0);
	assert_string_equal(rec.text.name, "王小明");
	assert_int_equal(rec.photo_len, IDC_PHOTO_LEN);
	assert_int_equal(rec.photo[1023], 0xA5);
	assert_int_equal(rec.fp_len, 0);
	/* One byte more or less than the lengths say: damaged. */
	assert_int_equal(idc_reader_parse_read(data, 4 + IDC_TEXT_LEN + IDC_PHOTO_LEN + 1, 0,
					       &rec, &err), -1);
	assert_int_equal(idc_reader_parse_read(data, 3, 0, &rec, &err), -1);
	data[0] = 0x00; /* text length 0 */
	assert_int_equal(idc_reader_parse_read(data, 4 + IDC_TEXT_LEN + IDC_PHOTO_LEN, 0, &rec,
					       &err), -1);

	/* 30 10 with 512 bytes of fingerprint. */
	data[0] = 0x01;
	data[1] = 0x00;
	data[2] = 0x04;
	data[3] = 0x00;
	data[4] = 0x02;
	data[5] = 0x00;
	idc_text_encode(&t, data + 6);
	assert_int_equal(idc_reader_parse_read(data, sizeof(data), 1, &rec, &err), 0);
	assert_int_equal(rec.fp_len, 512);
	assert_true(rec.fp_read);
}

static void test_sw3_texts(void **state)
{
	static const uint8_t codes[] = { 0x90, 0x91, 0x9F, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31,
					 0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81 };

	(void)state;
	for (size_t i = 0; i < sizeof(codes); i++)
		assert_non_null(idc_reader_sw3_text(codes[i]));
	assert_null(idc_reader_sw3_text(0x55));
	assert_non_null(strstr(idc_reader_sw3_text(0x66), "not authorised"));
	assert_non_null(strstr(idc_reader_sw3_text(0x80), "place the ID card"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resident_layout_bytes),
		cmocka_unit_test(test_long_term),
		cmocka_unit_test(test_hmt_layout),
		cmocka_unit_test(test_foreign_2017_layout),
		cmocka_unit_test(test_foreign_2023_seam),
		cmocka_unit_test(test_unknown_marker_and_short),
		cmocka_unit_test(test_ucs2_safety),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_parse_read),
		cmocka_unit_test(test_sw3_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
