/* Unit tests for the application checks: required and choice fields, the
 * USCC override, personal IDs by document type, contact fields, region
 * consistency, payment and invoice rules, text hygiene, and the values
 * derived from other fields. Uses the shipped data/catalog.ini and
 * data/regions.tsv (found through $top_srcdir). "Today" is fixed. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/app.h"
#include "model/catalog.h"
#include "model/check.h"
#include "model/region.h"
#include "model/val.h"
#include "util/ini.h"

#define TODAY 20261121

static struct catalog cat;
static struct region_db *regions;
static struct check_ctx cctx;
static struct application app;
static char msg[256];

static char *read_data(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	struct gt_err err;
	char *text;

	snprintf(path, sizeof(path), "%s/data/%s", top && *top ? top : ".", name);
	if (ini_read_file(path, 4 << 20, &text, len, &err) != 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return NULL;
	}
	return text;
}

static int load_data(void **state)
{
	struct gt_err err;
	size_t len;
	char *text;
	int rc;

	(void)state;
	text = read_data("catalog.ini", &len);
	if (text == NULL)
		return -1;
	rc = catalog_parse(text, len, &cat, &err);
	free(text);
	if (rc != 0)
		return -1;
	text = read_data("regions.tsv", &len);
	if (text == NULL)
		return -1;
	rc = region_db_parse(text, len, &regions, &err);
	free(text);
	if (rc != 0)
		return -1;
	cctx.catalog = &cat;
	cctx.regions = regions;
	cctx.today_ymd = TODAY;
	return 0;
}

static int free_data(void **state)
{
	(void)state;
	region_db_free(regions);
	return 0;
}

/* A complete application that passes every check. */
static void fill_valid(struct application *a)
{
	app_init(a);
	app_set(a, AF_PROJECT, "szjsgws");
	app_set(a, AF_ORG_NAME, "深圳市测试科技有限公司");
	app_set(a, AF_ORG_ID_NUMBER, "91440300708461136T");
	app_set(a, AF_ORG_PROVINCE, "440000");
	app_set(a, AF_ORG_CITY, "440300");
	app_set(a, AF_ORG_COUNTY, "440305");
	app_set(a, AF_ORG_ADDRESS, "深圳市南山区科技园科苑路1号");
	app_set(a, AF_ORG_POSTCODE, "518000");
	app_set(a, AF_ORG_PHONE, "0755-12345678");
	app_set(a, AF_REP_NAME, "王五");
	app_set(a, AF_REP_ID_NUMBER, "11010519491231002X");
	app_set(a, AF_HDL_NAME, "李四");
	app_set(a, AF_HDL_ID_NUMBER, "44030519900101123X");
	app_set(a, AF_HDL_MOBILE, "13800138000");
	app_set(a, AF_HDL_EMAIL, "lisi@example.com");
	app_set(a, AF_HDL_POSITION, "行政经理");
	app_set(a, AF_AUTH_FROM, "2026-11-21");
	app_set(a, AF_INV_TITLE, "深圳市测试科技有限公司");
	app_set(a, AF_INV_TAX_NUMBER, "91440300708461136T");
	app_set(a, AF_PAY_METHOD, "wechat");
	app_set(a, AF_PAY_REFERENCE, "4200001234202611210001");
}

static int check(enum app_field f)
{
	return check_field(&cctx, &app, f, msg, sizeof(msg));
}

#define assert_check_ok(f) do { \
	int rc_ = check(f); \
	if (rc_ != VAL_OK) \
		fail_msg("%s: %d \"%s\", wanted OK", #f, rc_, msg); \
} while (0)

#define assert_check(f, want, text) do { \
	int rc_ = check(f); \
	if (rc_ != (want) || strstr(msg, (text)) == NULL) \
		fail_msg("%s: %d \"%s\", wanted %d with \"%s\"", #f, rc_, msg, (want), (text)); \
} while (0)

static void test_valid_application(void **state)
{
	struct check_list list;
	static const enum app_field some[] = { AF_ORG_NAME, AF_HDL_MOBILE };

	(void)state;
	fill_valid(&app);
	assert_int_equal(check_fields(&cctx, &app, NULL, 0, &list), VAL_OK);
	for (size_t i = 0; i < list.n; i++)
		print_error("%s.%s: %s\n", app_fields[list.items[i].field].section,
			    app_fields[list.items[i].field].key, list.items[i].msg);
	assert_int_equal(list.n, 0);

	/* A list of fields: only those are checked, the worst is returned. */
	app_set(&app, AF_HDL_MOBILE, "12345");
	app_set(&app, AF_ORG_ID_NUMBER, "914403007084611360");
	assert_int_equal(check_fields(&cctx, &app, some, 2, &list), VAL_ERROR);
	assert_int_equal(list.n, 1);
	assert_int_equal(list.items[0].field, AF_HDL_MOBILE);
	assert_int_equal(list.items[0].severity, VAL_ERROR);
	assert_int_equal(check_fields(&cctx, &app, NULL, 0, &list), VAL_ERROR);
	assert_int_equal(list.n, 2);
	assert_int_equal(list.items[0].field, AF_ORG_ID_NUMBER);
	assert_int_equal(list.items[0].severity, VAL_WARN);
}

static void test_required(void **state)
{
	(void)state;
	fill_valid(&app);
	app_set(&app, AF_ORG_NAME, "");
	assert_check(AF_ORG_NAME, VAL_ERROR, "required");
	app_set(&app, AF_HDL_POSITION, "   ");
	assert_check(AF_HDL_POSITION, VAL_ERROR, "required");
	app_set(&app, AF_PAY_METHOD, "");
	assert_check(AF_PAY_METHOD, VAL_ERROR, "choose one");
	app_set(&app, AF_PROJECT, "");
	assert_check(AF_PROJECT, VAL_ERROR, "choose one");
	app_set(&app, AF_ORG_PROVINCE, "");
	assert_check(AF_ORG_PROVINCE, VAL_ERROR, "choose one");
	/* Optional fields may stay empty. */
	app_set(&app, AF_ORG_COUNTY, "");
	assert_check_ok(AF_ORG_COUNTY);
	app_set(&app, AF_ORG_POSTCODE, "");
	assert_check_ok(AF_ORG_POSTCODE);
	app_set(&app, AF_ORG_ID_OVERRIDE, "");
	assert_check_ok(AF_ORG_ID_OVERRIDE);
	app_set(&app, AF_AUTH_FROM, "");
	assert_check_ok(AF_AUTH_FROM);
}

static void test_choices(void **state)
{
	(void)state;
	fill_valid(&app);
	app_set(&app, AF_SERVICE, "bogus");
	assert_check(AF_SERVICE, VAL_ERROR, "not one of the choices");
	app_set(&app, AF_HDL_ID_TYPE, "passport");
	assert_check(AF_HDL_ID_TYPE, VAL_ERROR, "not one of the choices");
	app_set(&app, AF_PAY_METHOD, "bitcoin");
	assert_check(AF_PAY_METHOD, VAL_ERROR, "not one of the choices");
	app_set(&app, AF_TERM_YEARS, "2");
	assert_check(AF_TERM_YEARS, VAL_ERROR, "not one of the choices");

	/* The catalogue: unknown project; type and e-seal not on offer are
	 * reported on the field that chose them only. */
	fill_valid(&app);
	app_set(&app, AF_PROJECT, "nosuch");
	assert_check(AF_PROJECT, VAL_ERROR, "not an application in the catalogue");
	app_set(&app, AF_PROJECT, "general");
	app_set(&app, AF_CERT_TYPE, "person");
	app_set(&app, AF_ESEAL, "no");
	assert_check(AF_CERT_TYPE, VAL_ERROR, "not offered");
	assert_check_ok(AF_ESEAL);
	assert_check_ok(AF_TERM_YEARS);
	app_set(&app, AF_CERT_TYPE, "org");
	app_set(&app, AF_ESEAL, "yes");
	assert_check(AF_ESEAL, VAL_ERROR, "no electronic seal");
	assert_check_ok(AF_CERT_TYPE);
	app_set(&app, AF_ESEAL, "no");
	assert_check_ok(AF_ESEAL);
}

static void test_uscc_override(void **state)
{
	(void)state;
	fill_valid(&app);
	assert_check_ok(AF_ORG_ID_NUMBER);
	/* Wrong check character: a warning until a reason is given and a
	 * supervisor has approved it. */
	app_set(&app, AF_ORG_ID_NUMBER, "914403007084611360");
	assert_int_equal(check(AF_ORG_ID_NUMBER), VAL_WARN);
	assert_true(msg[0] != '\0');
	app_set(&app, AF_ORG_ID_OVERRIDE, "试点代码，营业执照原件已核对");
	assert_int_equal(check(AF_ORG_ID_NUMBER), VAL_WARN);
	app_set(&app, AF_ORG_ID_OVERRIDE_BY, "boss");
	assert_int_equal(check(AF_ORG_ID_NUMBER), VAL_OK);
	assert_string_equal(msg, "");
	/* A shape error is not overridden by a reason. */
	app_set(&app, AF_ORG_ID_NUMBER, "9144030070846");
	assert_int_equal(check(AF_ORG_ID_NUMBER), VAL_ERROR);
}

static void test_person_ids(void **state)
{
	(void)state;
	fill_valid(&app);
	assert_check_ok(AF_HDL_ID_NUMBER);
	assert_check_ok(AF_REP_ID_NUMBER);
	/* Wrong check character. */
	app_set(&app, AF_REP_ID_NUMBER, "110105194912310021");
	assert_int_equal(check(AF_REP_ID_NUMBER), VAL_ERROR);
	/* The number is checked against the chosen document type. */
	app_set(&app, AF_HDL_ID_NUMBER, "911124198108030024");
	assert_int_equal(check(AF_HDL_ID_NUMBER), VAL_ERROR);
	app_set(&app, AF_HDL_ID_TYPE, "foreign_2023");
	assert_check_ok(AF_HDL_ID_NUMBER);
	app_set(&app, AF_HDL_ID_TYPE, "foreign_2017");
	assert_int_equal(check(AF_HDL_ID_NUMBER), VAL_ERROR);
	app_set(&app, AF_HDL_ID_NUMBER, "USA123456789012");
	assert_check_ok(AF_HDL_ID_NUMBER);
	app_set(&app, AF_HDL_ID_TYPE, "hmt_permit");
	app_set(&app, AF_HDL_ID_NUMBER, "830000199201300022");
	assert_check_ok(AF_HDL_ID_NUMBER);
	app_set(&app, AF_HDL_ID_TYPE, "resident");
	app_set(&app, AF_HDL_ID_NUMBER, "44030519900101123X");
	assert_check_ok(AF_HDL_ID_NUMBER);
	/* The legal representative's type is his own, not the handler's. */
	app_set(&app, AF_REP_ID_TYPE, "foreign_2023");
	app_set(&app, AF_REP_ID_NUMBER, "911124198108030024");
	assert_check_ok(AF_REP_ID_NUMBER);
	app_set(&app, AF_HDL_ID_NUMBER, "911124198108030024");
	assert_int_equal(check(AF_HDL_ID_NUMBER), VAL_ERROR);
	/* Born after "today". */
	app_set(&app, AF_HDL_ID_TYPE, "resident");
	{
		char id[19] = "44030520270101123";

		id[17] = val_gb11643_check_char(id);
		id[18] = '\0';
		app_set(&app, AF_HDL_ID_NUMBER, id);
		assert_int_equal(check(AF_HDL_ID_NUMBER), VAL_ERROR);
	}
}

static void test_contact_fields(void **state)
{
	(void)state;
	fill_valid(&app);
	app_set(&app, AF_HDL_MOBILE, "+86 138 0013 8000");
	assert_check_ok(AF_HDL_MOBILE);
	app_set(&app, AF_HDL_MOBILE, "12345");
	assert_int_equal(check(AF_HDL_MOBILE), VAL_ERROR);
	app_set(&app, AF_HDL_MOBILE, "12800138000");
	assert_int_equal(check(AF_HDL_MOBILE), VAL_ERROR);
	app_set(&app, AF_HDL_EMAIL, "lisi@");
	assert_int_equal(check(AF_HDL_EMAIL), VAL_ERROR);
	app_set(&app, AF_HDL_EMAIL, "lisi.example.com");
	assert_int_equal(check(AF_HDL_EMAIL), VAL_ERROR);
	app_set(&app, AF_ORG_POSTCODE, "51800");
	assert_int_equal(check(AF_ORG_POSTCODE), VAL_ERROR);
	app_set(&app, AF_ORG_POSTCODE, "51800A");
	assert_int_equal(check(AF_ORG_POSTCODE), VAL_ERROR);
	app_set(&app, AF_ORG_POSTCODE, "010000");
	assert_check_ok(AF_ORG_POSTCODE);
	app_set(&app, AF_ORG_PHONE, "0755-1234abcd");
	assert_check(AF_ORG_PHONE, VAL_ERROR, "telephone");
	app_set(&app, AF_AUTH_FROM, "2026-02-30");
	assert_int_equal(check(AF_AUTH_FROM), VAL_ERROR);
	app_set(&app, AF_AUTH_FROM, "20261121");
	assert_check_ok(AF_AUTH_FROM);
}

static void test_region_consistency(void **state)
{
	(void)state;
	fill_valid(&app);
	assert_check_ok(AF_ORG_PROVINCE);
	assert_check_ok(AF_ORG_CITY);
	assert_check_ok(AF_ORG_COUNTY);
	/* Beijing's city under Guangdong. */
	app_set(&app, AF_ORG_CITY, "110100");
	assert_check(AF_ORG_CITY, VAL_ERROR, "110100");
	assert_check(AF_ORG_CITY, VAL_ERROR, "province");
	/* Nanshan is then not in the chosen city either. */
	assert_check(AF_ORG_COUNTY, VAL_ERROR, "440305");
	app_set(&app, AF_ORG_CITY, "440300");
	app_set(&app, AF_ORG_COUNTY, "110101");
	assert_check(AF_ORG_COUNTY, VAL_ERROR, "city");
	/* A city as the province, and codes not in the table. */
	app_set(&app, AF_ORG_PROVINCE, "440300");
	assert_check(AF_ORG_PROVINCE, VAL_ERROR, "not a province");
	app_set(&app, AF_ORG_PROVINCE, "990000");
	assert_check(AF_ORG_PROVINCE, VAL_ERROR, "not a division code");
	app_set(&app, AF_ORG_PROVINCE, "110000");
	app_set(&app, AF_ORG_CITY, "110100");
	app_set(&app, AF_ORG_COUNTY, "110101");
	assert_check_ok(AF_ORG_PROVINCE);
	assert_check_ok(AF_ORG_CITY);
	assert_check_ok(AF_ORG_COUNTY);
}

/* The payer's account: required for a card or a transfer (card numbers
 * Luhn-checked), refused with the other methods; stored as digits. */
static void test_payment_account(void **state)
{
	(void)state;
	fill_valid(&app);
	app_set(&app, AF_PAY_METHOD, "card");
	app_set(&app, AF_PAY_REFERENCE, "POS778899");
	assert_check(AF_PAY_ACCOUNT, VAL_ERROR, "required");
	app_set(&app, AF_PAY_ACCOUNT, "6222 0212 3456 7894");
	assert_string_equal(app_get(&app, AF_PAY_ACCOUNT), "6222021234567894");
	assert_check_ok(AF_PAY_ACCOUNT);
	app_set(&app, AF_PAY_ACCOUNT, "6222021234567895");
	assert_check(AF_PAY_ACCOUNT, VAL_ERROR, "check digit");
	app_set(&app, AF_PAY_METHOD, "transfer");
	assert_check_ok(AF_PAY_ACCOUNT);
	app_set(&app, AF_PAY_METHOD, "wechat");
	assert_check(AF_PAY_ACCOUNT, VAL_ERROR, "only for card or transfer");
	app_set(&app, AF_PAY_ACCOUNT, "");
	assert_check_ok(AF_PAY_ACCOUNT);
	app_set(&app, AF_PAY_METHOD, "transfer");
	assert_check(AF_PAY_ACCOUNT, VAL_ERROR, "required");
	/* Masked wherever it is shown. */
	{
		char shown[64];

		app_set(&app, AF_PAY_ACCOUNT, "6222021234567894");
		app_display_value(&app, AF_PAY_ACCOUNT, shown, sizeof(shown), 0);
		assert_string_equal(shown, "6222 **** **** 7894");
		app_display_value(&app, AF_PAY_ACCOUNT, shown, sizeof(shown), 1);
		assert_string_equal(shown, "6222021234567894");
	}
}

static void test_payment_reference(void **state)
{
	(void)state;
	fill_valid(&app);
	app_set(&app, AF_PAY_REFERENCE, "");
	assert_check(AF_PAY_REFERENCE, VAL_ERROR, "required");
	app_set(&app, AF_PAY_METHOD, "card");
	assert_check(AF_PAY_REFERENCE, VAL_ERROR, "required");
	app_set(&app, AF_PAY_METHOD, "transfer");
	assert_check(AF_PAY_REFERENCE, VAL_ERROR, "required");
	app_set(&app, AF_PAY_METHOD, "cash");
	assert_check_ok(AF_PAY_REFERENCE);
	/* No method chosen yet: the method is what is reported. */
	app_set(&app, AF_PAY_METHOD, "");
	assert_check_ok(AF_PAY_REFERENCE);
	app_set(&app, AF_PAY_METHOD, "alipay");
	app_set(&app, AF_PAY_REFERENCE, "2026112122001");
	assert_check_ok(AF_PAY_REFERENCE);
}

static void test_invoice(void **state)
{
	(void)state;
	fill_valid(&app);
	app_set(&app, AF_INV_TITLE, "");
	assert_check(AF_INV_TITLE, VAL_ERROR, "required");
	app_set(&app, AF_INV_TAX_NUMBER, "");
	assert_check(AF_INV_TAX_NUMBER, VAL_ERROR, "required");
	app_set(&app, AF_INV_TAX_NUMBER, "9144030070846113");
	assert_check(AF_INV_TAX_NUMBER, VAL_ERROR, "15, 18 or 20");
	app_set(&app, AF_INV_TAX_NUMBER, "440300708461136");
	assert_check_ok(AF_INV_TAX_NUMBER);
	app_set(&app, AF_INV_ELECTRONIC, "no");
	app_set(&app, AF_INV_TITLE, "");
	app_set(&app, AF_INV_TAX_NUMBER, "");
	assert_check_ok(AF_INV_TITLE);
	assert_check_ok(AF_INV_TAX_NUMBER);
	app_set(&app, AF_INV_ELECTRONIC, "ja");
	assert_check(AF_INV_ELECTRONIC, VAL_ERROR, "not one of the choices");
}

static void test_text_hygiene(void **state)
{
	char big[APP_VALUE_MAX];

	(void)state;
	fill_valid(&app);
	big[0] = '\0';
	for (int i = 0; i < 101; i++)
		strcat(big, "字");
	app_set(&app, AF_ORG_NAME, big);
	assert_check(AF_ORG_NAME, VAL_ERROR, "too long");
	assert_check(AF_ORG_NAME, VAL_ERROR, "101");
	app_set(&app, AF_HDL_NAME, "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJX");
	assert_check(AF_HDL_NAME, VAL_ERROR, "at most 50");
	app_set(&app, AF_ORG_ADDRESS, "深圳\xff\xfe南山");
	assert_check(AF_ORG_ADDRESS, VAL_ERROR, "UTF-8");
	app_set(&app, AF_ORG_ADDRESS, "\xe6\xb7");   /* a cut character */
	assert_check(AF_ORG_ADDRESS, VAL_ERROR, "UTF-8");
	app_set(&app, AF_ORG_ADDRESS, "南山\x1b[31m区");
	assert_check(AF_ORG_ADDRESS, VAL_ERROR, "control");
	app_set(&app, AF_HDL_POSITION, "经理\x7f");
	assert_check(AF_HDL_POSITION, VAL_ERROR, "control");
	app_set(&app, AF_HDL_POSITION, "经\xc2\x85理");   /* U+0085, C1 */
	assert_check(AF_HDL_POSITION, VAL_ERROR, "control");
	app_set(&app, AF_ORG_ID_OVERRIDE, "原因\r\n第二行");
	assert_check(AF_ORG_ID_OVERRIDE, VAL_ERROR, "control");
}

static void test_derive_region(void **state)
{
	char id[19] = "91440305MA5D12345";

	(void)state;
	app_init(&app);
	app_set(&app, AF_ORG_ID_NUMBER, "91440300708461136T");
	check_derive_region(&cctx, &app, 0);
	assert_string_equal(app_get(&app, AF_ORG_PROVINCE), "440000");
	assert_string_equal(app_get(&app, AF_ORG_CITY), "440300");
	assert_string_equal(app_get(&app, AF_ORG_COUNTY), "");

	/* A district code fills the county; without force a chosen
	 * province stays. */
	id[17] = val_uscc_check_char(id);
	id[18] = '\0';
	app_set(&app, AF_ORG_ID_NUMBER, id);
	check_derive_region(&cctx, &app, 0);
	assert_string_equal(app_get(&app, AF_ORG_CITY), "440300");
	assert_string_equal(app_get(&app, AF_ORG_COUNTY), "");
	check_derive_region(&cctx, &app, 1);
	assert_string_equal(app_get(&app, AF_ORG_PROVINCE), "440000");
	assert_string_equal(app_get(&app, AF_ORG_CITY), "440300");
	assert_string_equal(app_get(&app, AF_ORG_COUNTY), "440305");

	/* Nothing from an old organisation code, a short number or an
	 * unknown division. */
	app_init(&app);
	app_set(&app, AF_ORG_ID_TYPE, "org_code");
	app_set(&app, AF_ORG_ID_NUMBER, "91440300708461136T");
	check_derive_region(&cctx, &app, 1);
	assert_string_equal(app_get(&app, AF_ORG_PROVINCE), "");
	app_init(&app);
	app_set(&app, AF_ORG_ID_NUMBER, "9144030070846");
	check_derive_region(&cctx, &app, 1);
	assert_string_equal(app_get(&app, AF_ORG_PROVINCE), "");
	app_set(&app, AF_ORG_ID_NUMBER, "91990000708461136T");
	check_derive_region(&cctx, &app, 1);
	assert_string_equal(app_get(&app, AF_ORG_PROVINCE), "");
}

static void test_derive_defaults(void **state)
{
	(void)state;
	app_init(&app);
	app_set(&app, AF_ORG_NAME, "深圳市测试科技有限公司");
	app_set(&app, AF_ORG_ID_NUMBER, "91440300708461136T");
	check_derive_defaults(&cctx, &app);
	assert_string_equal(app_get(&app, AF_INV_TITLE), "深圳市测试科技有限公司");
	assert_string_equal(app_get(&app, AF_INV_TAX_NUMBER), "91440300708461136T");
	assert_string_equal(app_get(&app, AF_AUTH_FROM), "2026-11-21");

	/* Only empty fields change. */
	app_set(&app, AF_INV_TITLE, "深圳市测试科技有限公司工会");
	app_set(&app, AF_INV_TAX_NUMBER, "440300708461136");
	app_set(&app, AF_AUTH_FROM, "2026-11-01");
	app_set(&app, AF_ORG_NAME, "别的公司");
	check_derive_defaults(&cctx, &app);
	assert_string_equal(app_get(&app, AF_INV_TITLE), "深圳市测试科技有限公司工会");
	assert_string_equal(app_get(&app, AF_INV_TAX_NUMBER), "440300708461136");
	assert_string_equal(app_get(&app, AF_AUTH_FROM), "2026-11-01");

	/* An old organisation code is not a tax number. */
	app_init(&app);
	app_set(&app, AF_ORG_ID_TYPE, "org_code");
	app_set(&app, AF_ORG_ID_NUMBER, "70846113-6");
	check_derive_defaults(&cctx, &app);
	assert_string_equal(app_get(&app, AF_INV_TAX_NUMBER), "");
}

static void test_normalise(void **state)
{
	(void)state;
	fill_valid(&app);
	/* Straight into the record, as a screen editing in place might. */
	strcpy(app.values[AF_HDL_ID_NUMBER], "44030519900101123x");
	strcpy(app.values[AF_REP_ID_NUMBER], "11010519491231002x");
	app_set(&app, AF_HDL_MOBILE, "+86 138-0013-8000");
	app_set(&app, AF_AUTH_FROM, "20261121");
	check_normalise(&cctx, &app);
	assert_string_equal(app_get(&app, AF_HDL_ID_NUMBER), "44030519900101123X");
	assert_string_equal(app_get(&app, AF_REP_ID_NUMBER), "11010519491231002X");
	assert_string_equal(app_get(&app, AF_HDL_MOBILE), "13800138000");
	assert_string_equal(app_get(&app, AF_AUTH_FROM), "2026-11-21");
	/* Values that do not pass are left as typed, for the operator. */
	app_set(&app, AF_HDL_MOBILE, "+1 555 0100");
	check_normalise(&cctx, &app);
	assert_string_equal(app_get(&app, AF_HDL_MOBILE), "+15550100");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_application),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_choices),
		cmocka_unit_test(test_uscc_override),
		cmocka_unit_test(test_person_ids),
		cmocka_unit_test(test_contact_fields),
		cmocka_unit_test(test_region_consistency),
		cmocka_unit_test(test_payment_reference),
		cmocka_unit_test(test_payment_account),
		cmocka_unit_test(test_invoice),
		cmocka_unit_test(test_text_hygiene),
		cmocka_unit_test(test_derive_region),
		cmocka_unit_test(test_derive_defaults),
		cmocka_unit_test(test_normalise),
	};
	return cmocka_run_group_tests_name("check", tests, load_data, free_data);
}
