/* Unit tests for the GB/T 2260 table: the shipped data/regions.tsv (found
 * through $top_srcdir, which make check sets) and small inline tables for
 * the parser's errors. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/region.h"

static struct region_db *db;  /* the shipped table, loaded once */
static size_t data_lines;     /* its non-comment, non-blank lines */

static int load_data(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	struct gt_err err;
	char *text;
	long size;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/data/regions.tsv", top && *top ? top : ".");
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	text[size] = '\0';
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		data_lines += line[0] != '#';
	/* strtok cut the text up: read the file again for the parser. */
	f = fopen(path, "rb");
	if (f == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
		if (f)
			fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	if (region_db_parse(text, (size_t)size, &db, &err) != 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

static int free_data(void **state)
{
	(void)state;
	region_db_free(db);
	return 0;
}

static void test_shenzhen(void **state)
{
	static const char *const want[] = { "440303", "440304", "440305", "440306", "440307",
					    "440308", "440309", "440310", "440311" };
	const struct region *r;

	(void)state;
	assert_int_equal(region_child_count(db, "440300"), 9);
	for (size_t i = 0; i < 9; i++) {
		r = region_child(db, "440300", i);
		assert_non_null(r);
		assert_string_equal(r->code, want[i]);
		assert_int_equal(r->level, 3);
	}
	assert_null(region_child(db, "440300", 9));
	r = region_find(db, "440305");
	assert_non_null(r);
	assert_string_equal(r->name, "南山区");
	assert_string_equal(region_find(db, "440300")->name, "深圳市");
	assert_int_equal(region_find(db, "440000")->level, 1);
	assert_int_equal(region_find(db, "440300")->level, 2);
}

static void test_split(void **state)
{
	char p[7], c[7], k[7];

	(void)state;
	assert_int_equal(region_split(db, "440305", p, c, k), 3);
	assert_string_equal(p, "440000");
	assert_string_equal(c, "440300");
	assert_string_equal(k, "440305");

	/* Dongguan has no counties: the city is the last level. */
	assert_int_equal(region_split(db, "441900", p, c, k), 2);
	assert_string_equal(p, "440000");
	assert_string_equal(c, "441900");
	assert_string_equal(k, "");
	assert_int_equal(region_child_count(db, "441900"), 0);
	assert_int_equal(region_split(db, "442000", p, c, k), 2);
	assert_int_equal(region_split(db, "460400", p, c, k), 2);

	/* 崇文区 110103 was merged away in 2010 but is on old USCCs. */
	assert_null(region_find(db, "110103"));
	assert_int_equal(region_split(db, "110103", p, c, k), 2);
	assert_string_equal(p, "110000");
	assert_string_equal(c, "110100");
	assert_string_equal(k, "");

	/* Counties directly under a province, via the 90 group. */
	assert_int_equal(region_split(db, "429004", p, c, k), 3);
	assert_string_equal(c, "429000");
	assert_string_equal(region_find(db, "429004")->name, "仙桃市");

	assert_int_equal(region_split(db, "440000", p, c, k), 1);
	assert_string_equal(p, "440000");
	assert_string_equal(c, "");
	assert_int_equal(region_split(db, "449900", p, c, k), 1);
	assert_string_equal(c, "");
	assert_int_equal(region_split(db, "990101", p, c, k), 0);
	assert_string_equal(p, "");
	assert_int_equal(region_split(db, "44030", p, c, k), 0);
	assert_int_equal(region_split(db, "4403051", p, c, k), 0);
	assert_int_equal(region_split(db, "44030x", p, c, k), 0);
	assert_int_equal(region_split(db, NULL, p, c, k), 0);
	assert_int_equal(region_split(NULL, "440305", p, c, k), 0);
}

/* Municipalities: 北京市 -> 北京市 -> 朝阳区, and Chongqing's counties. */
static void test_municipality(void **state)
{
	char p[7], c[7], k[7];

	(void)state;
	assert_int_equal(region_split(db, "110105", p, c, k), 3);
	assert_string_equal(p, "110000");
	assert_string_equal(c, "110100");
	assert_string_equal(k, "110105");
	assert_string_equal(region_find(db, "110105")->name, "朝阳区");
	assert_int_equal(region_child_count(db, "110000"), 1);
	assert_string_equal(region_child(db, "110000", 0)->name, "北京市");
	assert_int_equal(region_child_count(db, "110100"), 16);
	assert_int_equal(region_child_count(db, "310000"), 1);
	assert_int_equal(region_child_count(db, "120000"), 1);

	assert_int_equal(region_child_count(db, "500000"), 2);
	assert_int_equal(region_split(db, "500229", p, c, k), 3);
	assert_string_equal(c, "500200");
	assert_string_equal(region_find(db, "500229")->name, "城口县");
}

static void test_provinces(void **state)
{
	size_t n = region_child_count(db, NULL);

	(void)state;
	/* 31 on the mainland, plus 台湾省 71, 香港 81 and 澳门 82. */
	assert_int_equal(n, 34);
	assert_int_equal(region_child_count(db, ""), n);
	assert_string_equal(region_child(db, NULL, 0)->name, "北京市");
	assert_string_equal(region_child(db, "", n - 1)->code, "820000");
	for (size_t i = 0; i < n; i++)
		assert_int_equal(region_child(db, NULL, i)->level, 1);
	assert_int_equal(region_child_count(db, "810000"), 0);
}

/* Every child sits under its code prefix, one level down, in code order,
 * and the walk from the provinces reaches every line of the file. */
static void test_tree(void **state)
{
	size_t seen = 0;

	(void)state;
	for (size_t i = 0; i < region_child_count(db, NULL); i++) {
		const struct region *prov = region_child(db, NULL, i);

		seen++;
		for (size_t j = 0; j < region_child_count(db, prov->code); j++) {
			const struct region *city = region_child(db, prov->code, j);

			seen++;
			assert_int_equal(city->level, 2);
			assert_memory_equal(city->code, prov->code, 2);
			assert_ptr_equal(region_find(db, city->code), city);
			if (j > 0)
				assert_true(strcmp(region_child(db, prov->code, j - 1)->code,
						   city->code) < 0);
			for (size_t k = 0; k < region_child_count(db, city->code); k++) {
				const struct region *county = region_child(db, city->code, k);

				seen++;
				assert_int_equal(county->level, 3);
				assert_memory_equal(county->code, city->code, 4);
				assert_int_equal(region_child_count(db, county->code), 0);
				/* NBS-only development-zone codes are not GB/T 2260. */
				assert_int_not_equal(county->code[4], '7');
				assert_string_not_equal(county->name, "市辖区");
			}
		}
	}
	assert_int_equal(seen, data_lines);
	assert_true(seen > 3000);
}

static void expect_error_len(const char *text, size_t len, const char *msg)
{
	struct region_db *bad = (struct region_db *)&bad;
	struct gt_err err;

	assert_int_equal(region_db_parse(text, len, &bad, &err), -1);
	assert_null(bad);
	assert_string_equal(err.msg, msg);
}

static void expect_error(const char *text, const char *msg)
{
	expect_error_len(text, strlen(text), msg);
}

#define HEAD "# test\n110000\t北京市\n110100\t北京市\n"

static void test_malformed(void **state)
{
	const char with_nul[] = HEAD "110101\t东\0城区\n";
	char long_name[80];
	struct region_db *ok;

	(void)state;
	expect_error(HEAD "\n11010\t东城区\n", "line 5: code must be six digits");
	expect_error(HEAD "1101011\t东城区\n", "line 4: code must be six digits");
	expect_error("11010a\tx\n", "line 1: code must be six digits");
	expect_error(HEAD "110101 东城区\n", "line 4: expected a tab and a name after the code");
	expect_error(HEAD "110101", "line 4: expected a tab and a name after the code");
	expect_error(HEAD "110101\t \r\n", "line 4: name is empty");
	expect_error(HEAD "110101\ta\tb\n", "line 4: name is not clean UTF-8 text");
	expect_error(HEAD "110101\t\xff\n", "line 4: name is not clean UTF-8 text");
	expect_error_len(with_nul, sizeof(with_nul) - 1, "line 4: contains a NUL byte");
	expect_error(HEAD "110100\t北京市\n", "line 4: code 110100 is duplicated or out of order");
	expect_error(HEAD "100000\tx\n", "line 4: code 100000 is duplicated or out of order");
	expect_error("110000\t北京市\n110101\t东城区\n",
		     "line 2: 110101 has no parent division 110100");
	expect_error("110000\t北京市\n110001\tx\n", "line 2: 110001 has no parent division 110000");
	expect_error("120100\tx\n", "line 1: 120100 has no parent division 120000");
	/* A parent is the last division read at its level: a county after
	 * another city of its province, or under a province of its own that
	 * came later, has none. */
	expect_error("440000\t广东省\n440100\t广州市\n440305\t南山区\n",
		     "line 3: 440305 has no parent division 440300");
	expect_error("440000\t广东省\n440300\t深圳市\n450000\t广西\n450101\tx\n",
		     "line 4: 450101 has no parent division 450100");
	expect_error("000000\tx\n", "line 1: 000000 is not a division code");

	/* name[64]: 63 bytes fit, 64 do not. */
	memcpy(long_name, "110000\t", 7);
	memset(long_name + 7, 'x', 64);
	expect_error_len(long_name, 71, "line 1: name is longer than 63 bytes");
	assert_int_equal(region_db_parse(long_name, 70, &ok, NULL), 0);
	assert_int_equal(strlen(region_find(ok, "110000")->name), 63);
	region_db_free(ok);
}

static void test_empty(void **state)
{
	(void)state;
	expect_error("", "no divisions in the data");
	expect_error_len(NULL, 0, "no divisions in the data");
	expect_error("# only a comment\n\n  \r\n", "no divisions in the data");
}

/* A small table with a byte-order mark, CRLF, comments and blank lines. */
static void test_small_table(void **state)
{
	const char text[] = "\xEF\xBB\xBF# small\r\n110000\t北京市\r\n\r\n  # indented comment\n"
			    "110100\t 北京市 \n110105\t朝阳区\n440000\t广东省\n441900\t东莞市";
	struct region_db *small;
	struct gt_err err;
	char p[7], c[7], k[7];

	(void)state;
	assert_int_equal(region_db_parse(text, sizeof(text) - 1, &small, &err), 0);
	assert_int_equal(region_child_count(small, NULL), 2);
	assert_string_equal(region_find(small, "110100")->name, "北京市");
	assert_string_equal(region_find(small, "441900")->name, "东莞市");
	assert_int_equal(region_child_count(small, "440000"), 1);
	assert_int_equal(region_child_count(small, "110105"), 0);
	assert_int_equal(region_child_count(small, "999999"), 0);
	assert_int_equal(region_child_count(small, "1101"), 0);
	assert_null(region_child(small, "110105", 0));
	assert_null(region_find(small, "1101050"));
	assert_null(region_find(small, NULL));
	assert_int_equal(region_split(small, "110105", p, c, k), 3);
	assert_int_equal(region_split(small, "441900", p, c, k), 2);
	region_db_free(small);
	region_db_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shenzhen),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_municipality),
		cmocka_unit_test(test_provinces),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_small_table),
	};
	return cmocka_run_group_tests_name("region", tests, load_data, free_data);
}
