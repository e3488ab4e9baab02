/* Unit tests for the INI reader: syntax, comments, line numbers in errors. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "util/ini.h"

struct seen {
	char text[1024];
	int pairs;
};

static int collect(void *ctx, const char *section, const char *key, const char *value,
		   int line, struct gt_err *err)
{
	struct seen *s = ctx;
	size_t used = strlen(s->text);

	(void)err;
	snprintf(s->text + used, sizeof(s->text) - used, "%d:%s.%s=%s|", line, section, key, value);
	s->pairs++;
	return 0;
}

static int refuse_key(void *ctx, const char *section, const char *key, const char *value,
		      int line, struct gt_err *err)
{
	(void)ctx; (void)section; (void)value;
	if (strcmp(key, "bad") == 0)
		return err_set(err, "line %d: unknown key %s", line, key);
	return 0;
}

static void test_pairs_and_comments(void **state)
{
	const char *text = "\xEF\xBB\xBF; header\n[application]\nservice = new   ; comment\n"
			   "# another\n\n[organization]\nname = 深圳市测试科技有限公司\r\n"
			   "address=A#1 ; tail\nempty =\n";
	struct seen s = { "", 0 };
	struct gt_err err;

	(void)state;
	assert_int_equal(ini_parse(text, strlen(text), collect, &s, &err), 0);
	assert_int_equal(s.pairs, 4);
	assert_string_equal(s.text, "3:application.service=new|"
			    "7:organization.name=深圳市测试科技有限公司|"
			    "8:organization.address=A#1|9:organization.empty=|");
}

static void test_errors_name_line(void **state)
{
	struct seen s = { "", 0 };
	struct gt_err err;
	const char *no_eq = "[a]\nkey value\n";
	const char *no_close = "[a\n";
	const char *bad = "[a]\nok = 1\nbad = 2\n";

	(void)state;
	assert_int_equal(ini_parse(no_eq, strlen(no_eq), collect, &s, &err), -1);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_int_equal(ini_parse(no_close, strlen(no_close), collect, &s, &err), -1);
	assert_non_null(strstr(err.msg, "line 1"));
	assert_int_equal(ini_parse(bad, strlen(bad), refuse_key, NULL, &err), -1);
	assert_string_equal(err.msg, "line 3: unknown key bad");
}

static void test_nul_and_long_line(void **state)
{
	char big[5000];
	struct gt_err err;
	const char with_nul[] = "[a]\nk = v\0x\n";

	(void)state;
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(ini_parse(big, sizeof(big), collect, &(struct seen){ "", 0 }, &err), -1);
	assert_non_null(strstr(err.msg, "too long"));
	assert_int_equal(ini_parse(with_nul, sizeof(with_nul) - 1, collect,
				   &(struct seen){ "", 0 }, &err), -1);
	assert_non_null(strstr(err.msg, "NUL"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs_and_comments),
		cmocka_unit_test(test_errors_name_line),
		cmocka_unit_test(test_nul_and_long_line),
	};
	return cmocka_run_group_tests_name("ini", tests, NULL, NULL);
}
