/* Unit tests for the application record: defaults, the field table,
 * app_set normalisation, the INI round trip and its errors, and the masking
 * of personal data on screens and paper. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "model/app.h"

static struct application app;

/* Every field with a value of its kind, Chinese where the form is Chinese. */
static void fill_all(struct application *a)
{
	app_init(a);
	app_set(a, AF_SERVICE, "new");
	app_set(a, AF_PROJECT, "szjsgws");
	app_set(a, AF_CERT_TYPE, "org");
	app_set(a, AF_TERM_YEARS, "3");
	app_set(a, AF_ESEAL, "yes");
	app_set(a, AF_ORG_NAME, "深圳市测试科技有限公司");
	app_set(a, AF_ORG_ID_TYPE, "uscc");
	app_set(a, AF_ORG_ID_NUMBER, "91440300708461136T");
	app_set(a, AF_ORG_ID_OVERRIDE, "营业执照原件核对无误");
	app_set(a, AF_ORG_PROVINCE, "440000");
	app_set(a, AF_ORG_CITY, "440300");
	app_set(a, AF_ORG_COUNTY, "440305");
	app_set(a, AF_ORG_ADDRESS, "深圳市南山区科技园科苑路 1 号");
	app_set(a, AF_ORG_POSTCODE, "518000");
	app_set(a, AF_ORG_PHONE, "0755-12345678");
	app_set(a, AF_REP_NAME, "王五");
	app_set(a, AF_REP_ID_TYPE, "resident");
	app_set(a, AF_REP_ID_NUMBER, "11010519491231002X");
	app_set(a, AF_HDL_NAME, "李四");
	app_set(a, AF_HDL_ID_TYPE, "resident");
	app_set(a, AF_HDL_ID_NUMBER, "44030519900101123X");
	app_set(a, AF_HDL_MOBILE, "13800138000");
	app_set(a, AF_HDL_EMAIL, "lisi@example.com");
	app_set(a, AF_HDL_POSITION, "行政经理");
	app_set(a, AF_AUTH_FROM, "2026-11-21");
	app_set(a, AF_INV_ELECTRONIC, "yes");
	app_set(a, AF_INV_TITLE, "深圳市测试科技有限公司");
	app_set(a, AF_INV_TAX_NUMBER, "91440300708461136T");
	app_set(a, AF_PAY_METHOD, "wechat");
	app_set(a, AF_PAY_REFERENCE, "4200001234202611210001");
}

static void test_init_defaults(void **state)
{
	(void)state;
	app_init(&app);
	assert_int_equal(app.status, APP_DRAFT);
	assert_string_equal(app.app_no, "");
	assert_string_equal(app_get(&app, AF_SERVICE), "new");
	assert_string_equal(app_get(&app, AF_CERT_TYPE), "org");
	assert_string_equal(app_get(&app, AF_TERM_YEARS), "1");
	assert_string_equal(app_get(&app, AF_ESEAL), "yes");
	assert_string_equal(app_get(&app, AF_ORG_ID_TYPE), "uscc");
	assert_string_equal(app_get(&app, AF_REP_ID_TYPE), "resident");
	assert_string_equal(app_get(&app, AF_HDL_ID_TYPE), "resident");
	assert_string_equal(app_get(&app, AF_INV_ELECTRONIC), "yes");
	assert_string_equal(app_get(&app, AF_PROJECT), "");
	assert_string_equal(app_get(&app, AF_ORG_NAME), "");
	assert_string_equal(app_get(&app, AF_PAY_METHOD), "");
}

static void test_set_normalises(void **state)
{
	char big[APP_VALUE_MAX];

	(void)state;
	app_init(&app);
	/* Numbers: trimmed, inner spaces and tabs out, letters upper-cased. */
	assert_int_equal(app_set(&app, AF_HDL_ID_NUMBER, "  4403 0519900101\t123x  "), 0);
	assert_string_equal(app_get(&app, AF_HDL_ID_NUMBER), "44030519900101123X");
	assert_int_equal(app_set(&app, AF_ORG_ID_NUMBER, "9144 0300 7084 6113 6t"), 0);
	assert_string_equal(app_get(&app, AF_ORG_ID_NUMBER), "91440300708461136T");
	assert_int_equal(app_set(&app, AF_HDL_MOBILE, "138 0013 8000"), 0);
	assert_string_equal(app_get(&app, AF_HDL_MOBILE), "13800138000");
	app_set(&app, AF_INV_TAX_NUMBER, "91440300708461136t");
	assert_string_equal(app_get(&app, AF_INV_TAX_NUMBER), "91440300708461136T");
	/* Text: trimmed only; inner spaces and case stay. */
	assert_int_equal(app_set(&app, AF_ORG_NAME, "  Acme 深圳 Ltd \t"), 0);
	assert_string_equal(app_get(&app, AF_ORG_NAME), "Acme 深圳 Ltd");
	/* Mobile is not upper-cased, e-mail keeps its case too. */
	app_set(&app, AF_HDL_EMAIL, " Li.Si@Example.com ");
	assert_string_equal(app_get(&app, AF_HDL_EMAIL), "Li.Si@Example.com");
	/* Setting again replaces, empty clears. */
	app_set(&app, AF_ORG_NAME, "");
	assert_string_equal(app_get(&app, AF_ORG_NAME), "");

	/* Length is counted in characters: 100 CJK characters fit the name,
	 * 101 do not. */
	big[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(big, "字");
	assert_int_equal(app_set(&app, AF_ORG_NAME, big), 0);
	strcat(big, "字");
	assert_int_equal(app_set(&app, AF_ORG_NAME, big), 1);
	/* More bytes than the buffer holds: cut, never past a character. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(app_set(&app, AF_ORG_ADDRESS, big), 1);
	assert_true(strlen(app_get(&app, AF_ORG_ADDRESS)) < APP_VALUE_MAX);
}

static void test_field_table(void **state)
{
	(void)state;
	assert_int_equal(app_field_by_name("handler", "mobile"), AF_HDL_MOBILE);
	assert_int_equal(app_field_by_name("authorization", "from"), AF_AUTH_FROM);
	assert_int_equal(app_field_by_name("organization", "id_override_reason"),
			 AF_ORG_ID_OVERRIDE);
	assert_int_equal(app_field_by_name("payment", "reference"), AF_PAY_REFERENCE);
	assert_int_equal(app_field_by_name("handler", "shoe_size"), -1);
	assert_int_equal(app_field_by_name("nosuch", "name"), -1);
	assert_int_equal(app_field_by_name("", ""), -1);
	assert_true(app_section_known("invoice"));
	assert_true(app_section_known("legal_rep"));
	assert_false(app_section_known("prices"));
	assert_false(app_section_known(""));

	/* Every field is found under its own name, choice fields have
	 * choices and others none, and the personal numbers are PII. */
	for (int f = 0; f < AF_COUNT; f++) {
		const struct app_field_def *d = &app_fields[f];

		assert_non_null(d->section);
		assert_non_null(d->key);
		assert_int_equal(app_field_by_name(d->section, d->key), f);
		assert_true(d->max_chars > 0);
		if (d->kind == AK_CHOICE)
			assert_non_null(d->choices);
		else
			assert_null(d->choices);
	}
	assert_true(app_fields[AF_HDL_ID_NUMBER].flags & AFF_PII);
	assert_true(app_fields[AF_REP_ID_NUMBER].flags & AFF_PII);
	assert_true(app_fields[AF_HDL_MOBILE].flags & AFF_PII);
	assert_true(app_fields[AF_HDL_EMAIL].flags & AFF_PII);
	assert_false(app_fields[AF_ORG_NAME].flags & AFF_PII);

	assert_string_equal(app_choice_label(AF_PAY_METHOD, "wechat"), "WeChat Pay");
	assert_string_equal(app_choice_label(AF_CERT_TYPE, "person"), "Personal certificate");
	assert_null(app_choice_label(AF_PAY_METHOD, "bitcoin"));
	assert_null(app_choice_label(AF_ORG_NAME, "anything"));
}

static void test_ini_round_trip(void **state)
{
	static struct application back;
	static char text[AF_COUNT * (APP_VALUE_MAX + 64)];
	struct gt_err err;

	(void)state;
	fill_all(&app);
	assert_int_equal(app_to_ini(&app, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "[application]\nservice = new\n"));
	assert_non_null(strstr(text, "\n[organization]\nname = 深圳市测试科技有限公司\n"));
	assert_non_null(strstr(text, "\n[handler]\nname = 李四\n"));
	assert_non_null(strstr(text, "address = 深圳市南山区科技园科苑路 1 号\n"));
	assert_non_null(strstr(text, "\n[payment]\nmethod = wechat\nreference = 4200001234202611210001\n"));

	memset(&back, 0xAA, sizeof(back));
	app_init(&back);
	assert_int_equal(app_from_ini(&back, text, strlen(text), &err), 0);
	for (int f = 0; f < AF_COUNT; f++)
		assert_string_equal(app_get(&back, (enum app_field)f), app_get(&app, (enum app_field)f));

	/* Empty fields are left out, and so are sections with none. */
	app_init(&app);
	assert_int_equal(app_to_ini(&app, text, sizeof(text)), 0);
	assert_null(strstr(text, "project"));
	assert_null(strstr(text, "[authorization]"));
	assert_null(strstr(text, "name ="));
	assert_null(strstr(text, "[payment]"));
	assert_non_null(strstr(text, "[legal_rep]\nid_type = resident\n"));

	/* A buffer too small is an error, not a cut record. */
	fill_all(&app);
	assert_int_equal(app_to_ini(&app, text, 100), -1);
	assert_true(strlen(text) < 100);
}

/* Values holding the INI comment characters after white space ("8 号
 * #1203", "经理 ; 财务") must come back whole: drafts are stored this way. */
static void test_ini_round_trip_comment_chars(void **state)
{
	static struct application back;
	static char text[AF_COUNT * (APP_VALUE_MAX + 64)];
	struct gt_err err;

	(void)state;
	fill_all(&app);
	app_set(&app, AF_ORG_ADDRESS, "深圳市南山区科苑路 8 号 #1203");
	app_set(&app, AF_HDL_POSITION, "经理 ; 财务");
	assert_int_equal(app_to_ini(&app, text, sizeof(text)), 0);
	app_init(&back);
	assert_int_equal(app_from_ini(&back, text, strlen(text), &err), 0);
	assert_string_equal(app_get(&back, AF_ORG_ADDRESS), "深圳市南山区科苑路 8 号 #1203");
	assert_string_equal(app_get(&back, AF_HDL_POSITION), "经理 ; 财务");
}

static void test_from_ini_errors(void **state)
{
	const char *bad_section = "[application]\nservice = new\n\n[bogus]\nx = 1\n";
	const char *bad_key = "[handler]\nname = 张三\nshoe_size = 42\n";
	const char *syntax = "[handler\nname = 张三\n";
	const char *no_eq = "[handler]\nname 张三\n";
	const char *normalised = "[handler]\nid_number =  4403 0519900101123x \n";
	struct gt_err err;

	(void)state;
	app_init(&app);
	assert_int_equal(app_from_ini(&app, bad_section, strlen(bad_section), &err), -1);
	/* The pair is what is reported, so the line is that of its first key. */
	assert_non_null(strstr(err.msg, "line 5"));
	assert_non_null(strstr(err.msg, "[bogus]"));
	assert_int_equal(app_from_ini(&app, bad_key, strlen(bad_key), &err), -1);
	assert_non_null(strstr(err.msg, "line 3"));
	assert_non_null(strstr(err.msg, "handler.shoe_size"));
	assert_int_equal(app_from_ini(&app, syntax, strlen(syntax), &err), -1);
	assert_non_null(strstr(err.msg, "line 1"));
	assert_int_equal(app_from_ini(&app, no_eq, strlen(no_eq), &err), -1);
	assert_non_null(strstr(err.msg, "line 2"));

	/* Values read go through app_set's normalisation. */
	app_init(&app);
	assert_int_equal(app_from_ini(&app, normalised, strlen(normalised), &err), 0);
	assert_string_equal(app_get(&app, AF_HDL_ID_NUMBER), "44030519900101123X");
}

static void test_display_masking(void **state)
{
	char out[APP_VALUE_MAX], small[8];

	(void)state;
	fill_all(&app);
	app_display_value(&app, AF_HDL_ID_NUMBER, out, sizeof(out), 0);
	assert_string_equal(out, "4403**********123X");
	app_display_value(&app, AF_REP_ID_NUMBER, out, sizeof(out), 0);
	assert_string_equal(out, "1101**********002X");
	app_display_value(&app, AF_HDL_MOBILE, out, sizeof(out), 0);
	assert_string_equal(out, "138****8000");
	app_display_value(&app, AF_HDL_EMAIL, out, sizeof(out), 0);
	assert_string_equal(out, "l***@example.com");
	/* reveal shows the value; fields that are not PII are never masked. */
	app_display_value(&app, AF_HDL_ID_NUMBER, out, sizeof(out), 1);
	assert_string_equal(out, "44030519900101123X");
	app_display_value(&app, AF_HDL_MOBILE, out, sizeof(out), 1);
	assert_string_equal(out, "13800138000");
	app_display_value(&app, AF_ORG_ID_NUMBER, out, sizeof(out), 0);
	assert_string_equal(out, "91440300708461136T");
	app_display_value(&app, AF_HDL_NAME, out, sizeof(out), 0);
	assert_string_equal(out, "李四");
	/* An e-mail without '@' is masked as a whole; empty stays empty. */
	app_set(&app, AF_HDL_EMAIL, "lisi");
	app_display_value(&app, AF_HDL_EMAIL, out, sizeof(out), 0);
	assert_string_equal(out, "l***");
	app_set(&app, AF_HDL_MOBILE, "");
	app_display_value(&app, AF_HDL_MOBILE, out, sizeof(out), 0);
	assert_string_equal(out, "");
	/* A small buffer is never overrun and never shows the hidden part. */
	memset(small, 'Z', sizeof(small));
	app_display_value(&app, AF_HDL_ID_NUMBER, small, sizeof(small), 0);
	assert_true(memchr(small, '\0', sizeof(small)) != NULL);
	assert_null(strstr(small, "0519"));
}

static void test_clear(void **state)
{
	static const struct application zero;

	(void)state;
	fill_all(&app);
	app.step = 4;
	app_clear(&app);
	assert_memory_equal(&app, &zero, sizeof(app));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_set_normalises),
		cmocka_unit_test(test_field_table),
		cmocka_unit_test(test_ini_round_trip),
		cmocka_unit_test(test_ini_round_trip_comment_chars),
		cmocka_unit_test(test_from_ini_errors),
		cmocka_unit_test(test_display_masking),
		cmocka_unit_test(test_clear),
	};
	return cmocka_run_group_tests_name("app", tests, NULL, NULL);
}
