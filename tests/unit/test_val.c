/* Unit tests for the validators: every vector of FACTS.md sections 1, 2 and
 * 6, plus hostile input (bad UTF-8, control characters, 10 KB strings,
 * tiny buffers). "Today" is fixed so birth-date checks do not age. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "model/val.h"
#include "util/str.h"

#define TODAY 20261121

static char norm[512], msg[512];

#define ARGS norm, sizeof(norm), msg, sizeof(msg)
#define USCC(s) val_uscc((s), ARGS)
#define ORG(s) val_org_code((s), ARGS)
#define CIT(s) val_citizen_id((s), TODAY, ARGS)
#define HMT(s) val_hmt_permit((s), TODAY, ARGS)
#define F17(s) val_foreign_2017((s), ARGS)
#define F23(s) val_foreign_2023((s), TODAY, ARGS)
#define MOB(s) val_mobile((s), ARGS)
#define MAIL(s) val_email((s), ARGS)
#define POST(s) val_postcode((s), ARGS)
#define DATE(s) val_date((s), ARGS)
#define CARD(s) val_bank_account("card", (s), ARGS)
#define ACCT(s) val_bank_account("transfer", (s), ARGS)

/* Poison both buffers so a validator that forgets to write them fails. */
static void reset(void)
{
	memset(norm, '?', sizeof(norm) - 1);
	norm[sizeof(norm) - 1] = '\0';
	memset(msg, '?', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
}

#define OK(call, want) do { \
	reset(); \
	assert_int_equal((call), VAL_OK); \
	assert_string_equal(norm, (want)); \
	assert_string_equal(msg, ""); \
} while (0)

/* The message must exist, name the detail and fit beside a field on an
 * 80-column screen. An error leaves norm empty. */
#define BAD(call, result, needle) do { \
	reset(); \
	assert_int_equal((call), (result)); \
	assert_true(msg[0] != '\0'); \
	if (strstr(msg, (needle)) == NULL) \
		fail_msg("message \"%s\" lacks \"%s\"", msg, (needle)); \
	assert_true(str_width(msg) <= 40); \
	if ((result) == VAL_ERROR) \
		assert_string_equal(norm, ""); \
} while (0)

#define ERR(call, needle) BAD(call, VAL_ERROR, needle)

static void test_check_chars(void **state)
{
	(void)state;
	/* FACTS 1.3/1.4; a full 18-character code works as the body too. */
	assert_int_equal(val_uscc_check_char("91350100M000100Y4"), '3');
	assert_int_equal(val_uscc_check_char("91350100M000100Y43"), '3');
	assert_int_equal(val_uscc_check_char("91440300708461136"), 'T');
	assert_int_equal(val_uscc_check_char("91310115591693856"), 'A');
	assert_int_equal(val_uscc_check_char("91110108551385082"), 'Q');
	assert_int_equal(val_uscc_check_char("91310110666007217"), 'T');
	assert_int_equal(val_uscc_check_char("91350211M0000XUF4"), 'R');
	assert_int_equal(val_uscc_check_char("91350211M00013FA1"), '3');
	assert_int_equal(val_uscc_check_char("00000000000000000"), '0');
	assert_int_equal(val_uscc_check_char("91350100m000100Y4"), 0);
	assert_int_equal(val_uscc_check_char("91350100O000100Y4"), 0);
	assert_int_equal(val_uscc_check_char("9135010"), 0);
	assert_int_equal(val_uscc_check_char(""), 0);
	assert_int_equal(val_uscc_check_char(NULL), 0);

	assert_int_equal(val_gb11643_check_char("11010519491231002"), 'X');
	assert_int_equal(val_gb11643_check_char("44030519900101123"), 'X');
	assert_int_equal(val_gb11643_check_char("44030419850228002"), '3');
	assert_int_equal(val_gb11643_check_char("44030720000229001"), '3');
	assert_int_equal(val_gb11643_check_char("81000019940823002"), '1');
	assert_int_equal(val_gb11643_check_char("83000019920130002"), '2');
	assert_int_equal(val_gb11643_check_char("82000020010315001"), 'X');
	assert_int_equal(val_gb11643_check_char("93268219850101001"), '7');
	assert_int_equal(val_gb11643_check_char("91112419810803002"), '4');
	assert_int_equal(val_gb11643_check_char("4403051990010112"), 0);
	assert_int_equal(val_gb11643_check_char("4403051990010112A"), 0);
	assert_int_equal(val_gb11643_check_char(NULL), 0);

	assert_int_equal(val_gb11714_check_char("M000100Y"), '4');
	assert_int_equal(val_gb11714_check_char("70846113"), '6');
	assert_int_equal(val_gb11714_check_char("59169385"), '6');
	assert_int_equal(val_gb11714_check_char("M0000XUF"), '4');
	assert_int_equal(val_gb11714_check_char("M00013FA"), '1');
	assert_int_equal(val_gb11714_check_char("10000018"), 'X');
	assert_int_equal(val_gb11714_check_char("10000004"), '0');
	assert_int_equal(val_gb11714_check_char("7084611"), 0);
	assert_int_equal(val_gb11714_check_char("7084611a"), 0);
	assert_int_equal(val_gb11714_check_char(NULL), 0);
}

static void test_ymd(void **state)
{
	(void)state;
	assert_true(val_ymd_valid(2000, 2, 29));
	assert_true(val_ymd_valid(2024, 2, 29));
	assert_false(val_ymd_valid(1900, 2, 29));
	assert_false(val_ymd_valid(2100, 2, 29));
	assert_false(val_ymd_valid(2023, 2, 29));
	assert_true(val_ymd_valid(2023, 12, 31));
	assert_false(val_ymd_valid(2023, 4, 31));
	assert_false(val_ymd_valid(2023, 0, 1));
	assert_false(val_ymd_valid(2023, 13, 1));
	assert_false(val_ymd_valid(2023, 1, 0));
	assert_false(val_ymd_valid(2023, 1, 32));
	assert_false(val_ymd_valid(0, 1, 1));
	assert_false(val_ymd_valid(10000, 1, 1));
	assert_false(val_ymd_valid(-2000, 2, 29));
}

static void test_uscc_valid(void **state)
{
	(void)state;
	OK(USCC("91350100M000100Y43"), "91350100M000100Y43");
	OK(USCC("91440300708461136T"), "91440300708461136T");
	OK(USCC("91310115591693856A"), "91310115591693856A");
	OK(USCC("91110108551385082Q"), "91110108551385082Q");
	OK(USCC("91310110666007217T"), "91310110666007217T");
	OK(USCC("  91440300708461136t\t\r\n"), "91440300708461136T");
	/* Full-width (IME) digits and letters, ideographic space, BOM. */
	OK(USCC("\xE3\x80\x80\xEF\xBC\x99\xEF\xBC\x91" "440300708461136\xEF\xBC\xB4"),
	   "91440300708461136T");
	OK(USCC("\xEF\xBB\xBF" "91440300708461136T"), "91440300708461136T");
}

static void test_uscc_invalid(void **state)
{
	(void)state;
	/* Wrong check character: a warning naming the right one. */
	BAD(USCC("91350100M000100Y44"), VAL_WARN, "should be 3, not 4");
	assert_string_equal(norm, "91350100M000100Y44");
	BAD(USCC("91350211M0000XUF46"), VAL_WARN, "should be R");
	assert_string_equal(norm, "91350211M0000XUF46");
	BAD(USCC("91350211M00013FA1N"), VAL_WARN, "should be 3");
	BAD(USCC("91440300708461136A"), VAL_WARN, "should be T, not A");

	ERR(USCC("91440300708461136"), "must be 18 characters (has 17)");
	ERR(USCC("91440300708461136TT"), "must be 18 characters (has 19)");
	ERR(USCC("708461136"), "(has 9)");
	ERR(USCC("9144A300708461136T"), "position 5 must be a digit");
	ERR(USCC("91X40300708461136T"), "position 3 must be a digit");
	ERR(USCC("91440300O08461136T"), "position 9: I, O, S, V, Z");
	ERR(USCC("I1440300708461136T"), "position 1: I, O, S, V, Z");
	/* The standard's invalid example: Z cannot be a check character. */
	ERR(USCC("91350100M000100Y4Z"), "check character should be 3, not Z");
	ERR(USCC("91440300708461136s"), "should be T, not S");
	ERR(USCC("91440300708461136*"), "should be T, not *");
	ERR(USCC("91440300708461136\xE6\xB7\xB1"), "position 18 must be a digit or letter");
	ERR(USCC("91440300 708461136T"), "spaces");
	ERR(USCC("9144\xE6\xB7\xB1" "300708461136T"), "position 5 must be a digit");
	ERR(USCC("9\xE6\xB7\xB1" "440300708461136T"), "position 2 must be a digit or letter");
	ERR(USCC(""), "is empty");
	ERR(USCC("   "), "is empty");
	ERR(USCC(NULL), "is empty");
}

static void test_org_code(void **state)
{
	(void)state;
	OK(ORG("70846113-6"), "70846113-6");
	OK(ORG("708461136"), "70846113-6");
	OK(ORG(" m000100y4 "), "M000100Y-4");
	OK(ORG("M0000XUF-4"), "M0000XUF-4");
	OK(ORG("10000018-x"), "10000018-X");
	OK(ORG("10000004-0"), "10000004-0");
	OK(ORG("70846113\xE2\x80\x94" "6"), "70846113-6"); /* em dash */
	OK(ORG("\xEF\xBC\x97" "0846113\xEF\xBC\x8D" "6"), "70846113-6"); /* full width */

	ERR(ORG("70846113-5"), "should be 6, not 5");
	ERR(ORG("10000018-0"), "should be X, not 0");
	ERR(ORG("7084611-36"), "must be 9 characters (has 10)");
	ERR(ORG("7084611"), "(has 7)");
	ERR(ORG("7084*113-6"), "position 5 must be a digit or letter");
	ERR(ORG("70846113-A"), "position 9 must be a digit or X");
	ERR(ORG("70846113 6"), "spaces");
	ERR(ORG(""), "is empty");
}

static void test_citizen_valid(void **state)
{
	(void)state;
	OK(CIT("11010519491231002X"), "11010519491231002X");
	OK(CIT("11010519491231002x"), "11010519491231002X");
	OK(CIT("44030519900101123X"), "44030519900101123X");
	OK(CIT("440304198502280023"), "440304198502280023");
	OK(CIT("440307200002290013"), "440307200002290013");
	OK(CIT("440305199001011248"), "440305199001011248");
	OK(CIT("\t440305199001011248 \xC2\xA0"), "440305199001011248");
	OK(CIT("\xEF\xBC\x94\xEF\xBC\x94" "0305199001011248"), "440305199001011248");
	/* Born today is not the future. */
	OK(CIT("440305202611210011"), "440305202611210011");

	assert_int_equal(val_id_birth_ymd("11010519491231002X"), 19491231);
	assert_int_equal(val_id_gender("11010519491231002X"), 2);
	assert_int_equal(val_id_birth_ymd("44030519900101123X"), 19900101);
	assert_int_equal(val_id_gender("44030519900101123X"), 1);
	assert_int_equal(val_id_birth_ymd("440304198502280023"), 19850228);
	assert_int_equal(val_id_gender("440304198502280023"), 2);
	assert_int_equal(val_id_birth_ymd("440307200002290013"), 20000229);
	assert_int_equal(val_id_gender("440307200002290013"), 1);
}

static void test_citizen_invalid(void **state)
{
	(void)state;
	ERR(CIT("110105194912310021"), "check character should be X, not 1");
	ERR(CIT("44030519900101123 "), "(has 17)");
	ERR(CIT("440305199001011230"), "should be X");
	ERR(CIT("440304198502280024"), "should be 3, not 4");
	ERR(CIT("110105190002290017"), "birth date 19000229 is not a real date");
	ERR(CIT("440305199013450011"), "birth date 19901345 is not a real date");
	ERR(CIT("440305189912310012"), "birth year 1899 is before 1900");
	ERR(CIT("440305203012310015"), "birth date is in the future");
	ERR(CIT("440305202611220017"), "birth date is in the future");
	ERR(CIT("810000199408230021"), "HK/Macao/Taiwan permit");
	ERR(CIT("830000199201300022"), "HK/Macao/Taiwan permit");
	ERR(CIT("82000020010315001X"), "HK/Macao/Taiwan permit");
	ERR(CIT("932682198501010017"), "foreigner's ID (2023)");
	ERR(CIT("911124198108030024"), "foreigner's ID (2023)");
	ERR(CIT("USA123456789012"), "foreigner's ID (2017)");
	ERR(CIT("710000199001010015"), "region code 71");
	ERR(CIT("010000198001010015"), "region code 01");
	ERR(CIT("440305900101123"), "15-digit numbers must be converted");
	ERR(CIT("4403051990010112"), "must be 18 characters (has 16)");
	ERR(CIT("4403051990010112300"), "must be 18 characters (has 19)");
	ERR(CIT("4403A5199001011230"), "position 5 must be a digit");
	ERR(CIT("440305199X01011230"), "position 10 must be a digit");
	ERR(CIT("44030519900101123Y"), "position 18 must be a digit or X");
	ERR(CIT("440305 19900101123X"), "spaces");
	ERR(CIT("44030519\xE4\xB8\x80" "00101123X"), "position 9 must be a digit");
	ERR(CIT(""), "is empty");
}

/* Input that must never crash or be read past its end. */
static void test_hostile_input(void **state)
{
	static char big[10 * 1024 + 1];
	static char spaces[10 * 1024 + 1];

	(void)state;
	ERR(CIT("\xFF" "40305199001011248"), "invalid characters");
	ERR(CIT("44030519900101124\xC0\xAF"), "invalid characters"); /* overlong '/' */
	ERR(CIT("44030519900101124\xE4\xB8"), "invalid characters");  /* truncated */
	ERR(CIT("44030519900101124\xED\xA0\x80"), "invalid characters"); /* surrogate */
	ERR(CIT("4403051990\x01" "01011248"), "control character");
	ERR(CIT("4403051990\n01011248"), "control character");
	ERR(CIT("4403051990\t01011248"), "control character");
	ERR(CIT("4403051990\x7F" "01011248"), "control character");
	ERR(CIT("4403051990\xC2\x85" "01011248"), "control character"); /* C1 NEL */
	ERR(CIT("\xE2\x80\xAE" "440305199001011248"), "control character"); /* RLO */
	ERR(MAIL("a\x1B[2J@b.com"), "control character");

	memset(big, '4', sizeof(big) - 1);
	ERR(CIT(big), "is too long (10240 characters)");
	ERR(USCC(big), "is too long");
	ERR(MAIL(big), "is too long");
	ERR(MOB(big), "is too long");
	ERR(DATE(big), "is too long");
	memset(spaces, ' ', sizeof(spaces) - 1);
	ERR(CIT(spaces), "is empty");
	/* 256 characters after trimming is the most looked at: still parsed. */
	memset(spaces + 100, '1', 256);
	ERR(POST(spaces), "must be 6 digits (has 256)");
	spaces[99] = '1';
	ERR(POST(spaces), "is too long (257 characters)");
}

static void test_buffers(void **state)
{
	char small[19], tiny[8], one[1];

	(void)state;
	/* Exactly big enough. */
	assert_int_equal(val_citizen_id("11010519491231002x", TODAY, small, sizeof(small),
					msg, sizeof(msg)), VAL_OK);
	assert_string_equal(small, "11010519491231002X");
	/* One short: refused, never truncated. */
	assert_int_equal(val_citizen_id("11010519491231002X", TODAY, small, 18, msg,
					sizeof(msg)), VAL_ERROR);
	assert_string_equal(small, "");
	assert_non_null(strstr(msg, "buffer too small"));
	assert_int_equal(val_postcode("518000", norm, 0, msg, sizeof(msg)), VAL_ERROR);
	/* A long message into a small buffer stays terminated. */
	assert_int_equal(val_citizen_id("810000199408230021", TODAY, norm, sizeof(norm),
					tiny, sizeof(tiny)), VAL_ERROR);
	assert_string_equal(tiny, "HK/Maca");
	one[0] = 'z';
	assert_int_equal(val_uscc("bad", norm, sizeof(norm), one, sizeof(one)), VAL_ERROR);
	assert_int_equal(one[0], '\0');
	assert_int_equal(val_uscc("bad", norm, sizeof(norm), NULL, 0), VAL_ERROR);
}

static void test_hmt_permit(void **state)
{
	(void)state;
	OK(HMT("810000199408230021"), "810000199408230021");
	OK(HMT("830000199201300022"), "830000199201300022");
	OK(HMT("82000020010315001x"), "82000020010315001X");
	assert_int_equal(val_id_gender("810000199408230021"), 2);
	assert_int_equal(val_id_gender("830000199201300022"), 2);
	assert_int_equal(val_id_gender("82000020010315001X"), 1);
	assert_int_equal(val_id_birth_ymd("810000199408230021"), 19940823);
	assert_int_equal(val_id_birth_ymd("82000020010315001X"), 20010315);

	ERR(HMT("810000199408230022"), "should be 1, not 2");
	ERR(HMT("810000203001010018"), "in the future");
	ERR(HMT("44030519900101123X"), "resident ID number: choose that type");
	ERR(HMT("932682198501010017"), "foreigner's ID (2023)");
	ERR(HMT("840000199001010014"), "must start 810000, 820000 or 830000");
	ERR(HMT("81000019940823002"), "(has 17)");
	ERR(HMT("8100001994082300A1"), "position 17 must be a digit");
	ERR(HMT("USA123456789012"), "foreigner's ID (2017)");
}

static void test_foreign(void **state)
{
	(void)state;
	OK(F17("USA123456789012"), "USA123456789012");
	OK(F17(" can123456789012 "), "CAN123456789012");
	ERR(F17("US1123456789012"), "position 3 must be a letter");
	ERR(F17("USA12345678901A"), "position 15 must be a digit");
	ERR(F17("USA12345678901"), "must be 15 characters (has 14)");
	ERR(F17("932682198501010017"), "foreigner's ID (2023)");
	ERR(F17("USA 123456789012"), "spaces");
	assert_int_equal(val_id_gender("USA123456789012"), 0);
	assert_int_equal(val_id_birth_ymd("USA123456789012"), 0);

	OK(F23("932682198501010017"), "932682198501010017");
	OK(F23("911124198108030024"), "911124198108030024");
	assert_int_equal(val_id_birth_ymd("932682198501010017"), 19850101);
	assert_int_equal(val_id_gender("932682198501010017"), 1);
	assert_int_equal(val_id_birth_ymd("911124198108030024"), 19810803);
	assert_int_equal(val_id_gender("911124198108030024"), 2);
	ERR(F23("932682198501010018"), "should be 7, not 8");
	ERR(F23("932682198502300017"), "birth date 19850230 is not a real date");
	ERR(F23("44030519900101123X"), "resident ID number: choose that type");
	ERR(F23("810000199408230021"), "HK/Macao/Taiwan permit");
	ERR(F23("010000198001010015"), "must start with 9");
	ERR(F23("USA123456789012"), "foreigner's ID (2017)");
	ERR(F23("9326821985010100"), "(has 16)");
}

static void test_person_id(void **state)
{
	(void)state;
	OK(val_person_id("resident", "11010519491231002x", TODAY, ARGS), "11010519491231002X");
	OK(val_person_id("hmt_permit", "830000199201300022", TODAY, ARGS), "830000199201300022");
	OK(val_person_id("foreign_2017", "usa123456789012", TODAY, ARGS), "USA123456789012");
	OK(val_person_id("foreign_2023", "911124198108030024", TODAY, ARGS), "911124198108030024");
	ERR(val_person_id("resident", "911124198108030024", TODAY, ARGS), "foreigner's ID");
	ERR(val_person_id("passport", "E12345678", TODAY, ARGS), "unknown document type");
	ERR(val_person_id("", "11010519491231002X", TODAY, ARGS), "unknown document type");
	ERR(val_person_id(NULL, "11010519491231002X", TODAY, ARGS), "unknown document type");
}

static void test_birth_gender_reject(void **state)
{
	(void)state;
	assert_int_equal(val_id_birth_ymd(NULL), 0);
	assert_int_equal(val_id_gender(NULL), 0);
	assert_int_equal(val_id_birth_ymd(""), 0);
	assert_int_equal(val_id_gender(""), 0);
	assert_int_equal(val_id_birth_ymd("11010519491231002"), 0);
	assert_int_equal(val_id_gender("11010519491231002x"), 0);
	assert_int_equal(val_id_birth_ymd("11010519491231002X0"), 0);
	assert_int_equal(val_id_birth_ymd("110105190002290017"), 0);
	assert_int_equal(val_id_gender("440305900101123"), 0);
}

static void test_mobile(void **state)
{
	char in[16], want[16];

	(void)state;
	for (int p = 130; p <= 199; p++) {
		snprintf(in, sizeof(in), "%d00138000", p);
		snprintf(want, sizeof(want), "%d00138000", p);
		OK(MOB(in), want);
	}
	OK(MOB("+86 138 0013 8000"), "13800138000");
	OK(MOB("+8613800138000"), "13800138000");
	OK(MOB("86-138-0013-8000"), "13800138000");
	OK(MOB("8613800138000"), "13800138000");
	OK(MOB("0086 13800138000"), "13800138000");
	OK(MOB("138\xE2\x80\x93" "0013\xE2\x80\x93" "8000"), "13800138000"); /* en dash */
	OK(MOB("\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x98" "00138000"), "13800138000");

	ERR(MOB("12000138000"), "must start with 13-19, not 12");
	ERR(MOB("10000138000"), "not 10");
	ERR(MOB("11000138000"), "not 11");
	ERR(MOB("23800138000"), "not 23");
	ERR(MOB("1380013800"), "must be 11 digits (has 10)");
	ERR(MOB("138001380001"), "must be 11 digits (has 12)");
	ERR(MOB("1440012345678"), "(has 13)"); /* IoT numbers are 13 digits */
	ERR(MOB("+1 415 555 0100"), "only mainland (+86)");
	ERR(MOB("+"), "only mainland (+86)");
	ERR(MOB("138-0013-800O"), "only digits, spaces and dashes");
	ERR(MOB("138+00138000"), "only digits, spaces and dashes");
	ERR(MOB("(0755) 8888 8888"), "only digits, spaces and dashes");
	ERR(MOB(" - - "), "(has 0)");
	ERR(MOB(""), "is empty");
}

static void test_email(void **state)
{
	(void)state;
	OK(MAIL("Zhang.San@Example.COM"), "Zhang.San@example.com");
	OK(MAIL(" a+b_c@mail.szca.com.cn "), "a+b_c@mail.szca.com.cn");
	OK(MAIL("x@a-b.cn"), "x@a-b.cn");
	OK(MAIL("x@163.com"), "x@163.com");
	OK(MAIL("x@example.xn--fiqs8s"), "x@example.xn--fiqs8s");
	/* A full-width @ or ideographic full stop typed by an IME is folded. */
	OK(MAIL("a\xEF\xBC\xA0" "b.cn"), "a@b.cn");
	OK(MAIL("a@b\xE3\x80\x82" "cn"), "a@b.cn");
}

static void test_email_invalid(void **state)
{
	char buf[300];

	(void)state;
	ERR(MAIL("zhangsan.example.com"), "must contain @");
	ERR(MAIL("a@b@c.com"), "only one @");
	ERR(MAIL("@example.com"), "nothing before @");
	ERR(MAIL("a@"), "nothing after @");
	ERR(MAIL("a@example"), "domain must contain a dot");
	ERR(MAIL("a@-example.com"), "starts or ends with -");
	ERR(MAIL("a@example-.com"), "starts or ends with -");
	ERR(MAIL("a@example..com"), "empty part");
	ERR(MAIL("a@.example.com"), "empty part");
	ERR(MAIL("a@example.com."), "empty part");
	ERR(MAIL("a@exa_mple.com"), "domain: _ is not allowed");
	ERR(MAIL("a@1.2.3.4"), "must end in a name");
	ERR(MAIL(".a@example.com"), "misplaced dot");
	ERR(MAIL("a.@example.com"), "misplaced dot");
	ERR(MAIL("a..b@example.com"), "misplaced dot");
	ERR(MAIL("a,b@example.com"), ", is not allowed before @");
	ERR(MAIL("zhang san@example.com"), "spaces");
	ERR(MAIL("\xE5\xBC\xA0@example.com"), "only ASCII");
	memset(buf, 'a', 65);
	strcpy(buf + 65, "@example.com");
	ERR(MAIL(buf), "over 64 characters");
	memset(buf, 'a', 64);
	strcpy(buf + 64, "@example.com");
	OK(MAIL(buf), buf);
	strcpy(buf, "a@");
	memset(buf + 2, 'b', 64);
	strcpy(buf + 66, ".com");
	ERR(MAIL(buf), "part over 63 characters");
	/* 254 characters in all is the limit: "a@" + 3 x (63 + dot) + tail. */
	memset(buf, 'b', 254);
	buf[0] = 'a';
	buf[1] = '@';
	buf[65] = buf[129] = buf[193] = '.';
	memset(buf + 194, 'c', 60);
	buf[254] = '\0';
	assert_int_equal(strlen(buf), 254);
	OK(MAIL(buf), buf);
	strcat(buf, "c");
	ERR(MAIL(buf), "is too long (255 characters)");
}

static void test_postcode(void **state)
{
	(void)state;
	OK(POST("010000"), "010000");
	OK(POST("030000"), "030000");
	OK(POST("518000"), "518000");
	OK(POST(" 010050 "), "010050");
	OK(POST("\xEF\xBC\x95\xEF\xBC\x91\xEF\xBC\x98" "000"), "518000");
	ERR(POST("51800"), "must be 6 digits (has 5)");
	ERR(POST("5180001"), "must be 6 digits (has 7)");
	ERR(POST("51800O"), "position 6 must be a digit");
	ERR(POST("518 000"), "spaces");
	ERR(POST("-18000"), "position 1 must be a digit");
	ERR(POST(""), "is empty");
}

static void test_date(void **state)
{
	(void)state;
	OK(DATE("2024-01-31"), "2024-01-31");
	OK(DATE("20240131"), "2024-01-31");
	OK(DATE("20000229"), "2000-02-29");
	OK(DATE(" 2000-02-29 "), "2000-02-29");
	OK(DATE("\xEF\xBC\x92" "0240131"), "2024-01-31");
	ERR(DATE("19000229"), "1900-02-29 is not a real date");
	ERR(DATE("2023-02-29"), "2023-02-29 is not a real date");
	ERR(DATE("2024-13-01"), "not a real date");
	ERR(DATE("2024-00-10"), "not a real date");
	ERR(DATE("0000-01-01"), "not a real date");
	ERR(DATE("2024/01/31"), "use YYYY-MM-DD");
	ERR(DATE("2024-1-5"), "use YYYY-MM-DD");
	ERR(DATE("24-01-31"), "use YYYY-MM-DD");
	ERR(DATE("2024013"), "use YYYY-MM-DD");
	ERR(DATE("2024-01-3a"), "use YYYY-MM-DD");
	ERR(DATE("2024-0131-"), "use YYYY-MM-DD");
	ERR(DATE("abcdefgh"), "use YYYY-MM-DD");
	ERR(DATE(""), "is empty");
}

/* The payer's card (12-19 digits, Luhn) or bank account (8-32 digits). */
static void test_bank_account(void **state)
{
	char out[64];

	(void)state;
	OK(CARD("6222021234567894"), "6222021234567894");
	OK(CARD("6222 0212 3456 7894"), "6222021234567894");
	OK(CARD("  6222 0212 3456 7894 "), "6222021234567894");
	/* Full-width digits from an IME are digits. */
	OK(CARD("\xEF\xBC\x96" "222021234567894"), "6222021234567894");
	OK(CARD("6217000000123456786"), "6217000000123456786");   /* 19 digits */
	OK(CARD("4111111111111111"), "4111111111111111");
	ERR(CARD("6222021234567895"), "check digit is wrong");
	ERR(CARD("62220212345"), "12 to 19 digits (has 11)");
	ERR(CARD("62170000001234567860"), "(has 20)");
	ERR(CARD("6222-0212-3456-7894"), "only digits and spaces");
	ERR(CARD("6222O21234567894"), "only digits");
	ERR(CARD(""), "");
	OK(ACCT("44050110062300001234"), "44050110062300001234");
	OK(ACCT("4405 0110 0623 0000 1234"), "44050110062300001234");
	OK(ACCT("12345678"), "12345678");
	/* No check digit for an account: a transfer takes what the voucher says. */
	OK(ACCT("6222021234567895"), "6222021234567895");
	ERR(ACCT("1234567"), "8 to 32 digits (has 7)");
	ERR(ACCT("123456789012345678901234567890123"), "(has 33)");
	assert_true(val_luhn_ok("79927398713"));
	assert_false(val_luhn_ok("79927398710"));
	assert_false(val_luhn_ok("7"));
	val_account_mask("6222021234567894", out, sizeof(out));
	assert_string_equal(out, "6222 **** **** 7894");
	val_account_mask("6217000000123456786", out, sizeof(out));
	assert_string_equal(out, "6217 **** **** *** 6786");
	val_account_mask("44050110062300001234", out, sizeof(out));
	assert_string_equal(out, "4405 **** **** **** 1234");
	val_account_mask("12345678", out, sizeof(out));
	assert_string_equal(out, "****5678");
	val_account_mask("123456789", out, sizeof(out));
	assert_string_equal(out, "1234 * 6789");
	/* A small buffer cuts, never overflows. */
	val_account_mask("6222021234567894", out, 8);
	assert_true(strlen(out) <= 7 && strncmp(out, "6222", 4) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_chars),
		cmocka_unit_test(test_ymd),
		cmocka_unit_test(test_uscc_valid),
		cmocka_unit_test(test_uscc_invalid),
		cmocka_unit_test(test_org_code),
		cmocka_unit_test(test_citizen_valid),
		cmocka_unit_test(test_citizen_invalid),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_buffers),
		cmocka_unit_test(test_hmt_permit),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_person_id),
		cmocka_unit_test(test_birth_gender_reject),
		cmocka_unit_test(test_mobile),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_email_invalid),
		cmocka_unit_test(test_postcode),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_bank_account),
	};
	return cmocka_run_group_tests_name("val", tests, NULL, NULL);
}
