/* Unit tests for the catalogue: the shipped data/catalog.ini (found through
 * $top_srcdir, which make check sets), quotes in fen, the refusals of what
 * is not on offer, errors in malformed catalogue text, and amount format. */
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
#include "util/ini.h"

static struct catalog cat;   /* the shipped catalogue, loaded once */
static struct application app;

static int load_data(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	struct gt_err err;
	char *text;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/data/catalog.ini", top && *top ? top : ".");
	if (ini_read_file(path, 1 << 20, &text, &len, &err) != 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return -1;
	}
	if (catalog_parse(text, len, &cat, &err) != 0) {
		fprintf(stderr, "# %s: %s\n", path, err.msg);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

static int parse(const char *text, struct catalog *c, struct gt_err *err)
{
	return catalog_parse(text, strlen(text), c, err);
}

static void choose(const char *project, const char *type, const char *years, const char *eseal)
{
	app_init(&app);
	app_set(&app, AF_PROJECT, project);
	app_set(&app, AF_CERT_TYPE, type);
	app_set(&app, AF_TERM_YEARS, years);
	app_set(&app, AF_ESEAL, eseal);
}

static void test_shipped(void **state)
{
	const struct catalog_project *p;

	(void)state;
	assert_int_equal(cat.medium_fen, 5000);
	assert_int_equal(cat.org_per_year_fen, 20000);
	assert_int_equal(cat.person_per_year_fen, 15000);
	assert_int_equal(cat.eseal_per_year_fen, 20000);
	assert_int_equal(cat.nprojects, 3);

	p = catalog_project(&cat, "szjsgws");
	assert_non_null(p);
	assert_string_equal(p->name, "深圳市建筑工务署政府工程承包商资信管理系统");
	assert_true(p->cert_org);
	assert_true(p->cert_person);
	assert_int_equal(p->nterms, 3);
	assert_int_equal(p->terms[0], 1);
	assert_int_equal(p->terms[1], 3);
	assert_int_equal(p->terms[2], 5);
	assert_true(p->eseal);

	p = catalog_project(&cat, "general");
	assert_non_null(p);
	assert_true(p->cert_org);
	assert_false(p->cert_person);
	assert_false(p->eseal);

	assert_null(catalog_project(&cat, "nosuch"));
	assert_null(catalog_project(&cat, ""));
}

static void test_quote_org_eseal(void **state)
{
	struct catalog_quote q;
	struct gt_err err;
	char amount[32];

	(void)state;
	/* SZCA's published example: first year, organisation + e-seal. */
	choose("szjsgws", "org", "1", "yes");
	assert_int_equal(catalog_offers(&cat, &app), CATALOG_OFFERED);
	assert_int_equal(catalog_quote(&cat, &app, &q, &err), 0);
	assert_int_equal(q.nitems, 3);
	assert_string_equal(q.items[0].label, "USB key");
	assert_int_equal(q.items[0].quantity, 1);
	assert_int_equal(q.items[0].total_fen, 5000);
	assert_int_equal(q.items[1].quantity, 1);
	assert_int_equal(q.items[1].unit_fen, 20000);
	assert_int_equal(q.items[2].unit_fen, 20000);
	assert_int_equal(q.total_fen, 45000);
	catalog_format_fen(q.total_fen, amount, sizeof(amount));
	assert_string_equal(amount, "450.00");
}

static void test_quote_person_three_years(void **state)
{
	struct catalog_quote q;
	struct gt_err err;
	char amount[32];

	(void)state;
	choose("szggzy", "person", "3", "no");
	assert_int_equal(catalog_quote(&cat, &app, &q, &err), 0);
	assert_int_equal(q.nitems, 2);
	assert_int_equal(q.items[0].total_fen, 5000);
	assert_string_equal(q.items[1].label, "Personal certificate (per year)");
	assert_int_equal(q.items[1].quantity, 3);
	assert_int_equal(q.items[1].unit_fen, 15000);
	assert_int_equal(q.items[1].total_fen, 45000);
	assert_int_equal(q.total_fen, 50000);
	catalog_format_fen(q.total_fen, amount, sizeof(amount));
	assert_string_equal(amount, "500.00");

	/* A renewal needs no new USB key: 3 x (200 + 200). */
	choose("szjsgws", "org", "3", "yes");
	app_set(&app, AF_SERVICE, "renew");
	assert_int_equal(catalog_quote(&cat, &app, &q, &err), 0);
	assert_int_equal(q.nitems, 2);
	assert_int_equal(q.total_fen, 120000);
}

static void test_refusals(void **state)
{
	const char *one_year = "[prices]\nmedium = 50\norg_per_year = 200\n"
			       "[project.short]\nname = 短期\ncert_types = org\nterms = 1\neseal = yes\n";
	struct catalog small;
	struct catalog_quote q;
	struct gt_err err;

	(void)state;
	choose("nosuch", "org", "1", "yes");
	assert_int_equal(catalog_offers(&cat, &app), CATALOG_NO_PROJECT);
	assert_int_equal(catalog_quote(&cat, &app, &q, &err), -1);
	assert_non_null(strstr(err.msg, "not an application in the catalogue"));
	assert_int_equal(q.nitems, 0);
	assert_int_equal(q.total_fen, 0);

	choose("general", "person", "1", "no");
	assert_int_equal(catalog_offers(&cat, &app), CATALOG_NO_TYPE);
	assert_int_equal(catalog_quote(&cat, &app, &q, &err), -1);
	assert_non_null(strstr(err.msg, "certificate type is not offered"));

	choose("general", "org", "1", "yes");
	assert_int_equal(catalog_offers(&cat, &app), CATALOG_NO_ESEAL);
	assert_int_equal(catalog_quote(&cat, &app, &q, &err), -1);
	assert_non_null(strstr(err.msg, "no electronic seal"));
	choose("general", "org", "1", "no");
	assert_int_equal(catalog_quote(&cat, &app, &q, &err), 0);
	assert_int_equal(q.total_fen, 25000);

	choose("szjsgws", "org", "2", "yes");
	assert_int_equal(catalog_offers(&cat, &app), CATALOG_NO_TERM);

	assert_int_equal(parse(one_year, &small, &err), 0);
	choose("short", "org", "3", "yes");
	assert_int_equal(catalog_offers(&small, &app), CATALOG_NO_TERM);
	assert_int_equal(catalog_quote(&small, &app, &q, &err), -1);
	assert_non_null(strstr(err.msg, "term is not offered"));
	choose("short", "org", "1", "yes");
	assert_int_equal(catalog_offers(&small, &app), CATALOG_OFFERED);
}

static void test_amounts(void **state)
{
	struct catalog c;
	struct gt_err err;
	const char *project = "[project.p]\nname = P\ncert_types = org\nterms = 1\n";
	char text[512];

	(void)state;
	snprintf(text, sizeof(text), "[prices]\nmedium = 50.5\norg_per_year = 0.05\n"
		 "person_per_year = 1234.56\neseal_per_year = 0\n%s", project);
	assert_int_equal(parse(text, &c, &err), 0);
	assert_int_equal(c.medium_fen, 5050);
	assert_int_equal(c.org_per_year_fen, 5);
	assert_int_equal(c.person_per_year_fen, 123456);
	assert_int_equal(c.eseal_per_year_fen, 0);
	assert_int_equal(c.projects[0].nterms, 1);
	assert_false(c.projects[0].eseal);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "[prices]\nmedium = abc\n", "line 2" },
		{ "[prices]\nmedium = 50\norg_per_year = -200\n", "line 3" },
		{ "[prices]\nmedium = 1.234\n", "line 2" },
		{ "[prices]\nmedium = 1e3\n", "line 2" },
		{ "[prices]\nmedium =\n", "line 2" },
		{ "[prices]\n\nvat = 6\n", "line 3" },
		{ "; c\n[shop]\nkey = v\n", "line 3" },
		{ "[project.p]\nname = P\ncert_types = company\n", "line 3" },
		{ "[project.p]\nname = P\ncert_types = org\nterms = 2\n", "line 4" },
		{ "[project.p]\nname = P\nterms = 1, 3, 5, 1, 3, 5\n", "line 3" },
		{ "[project.p]\nname = P\neseal = maybe\n", "line 3" },
		{ "[project.p]\nname = P\ncolour = red\n", "line 3" },
		{ "[project.]\nname = P\n", "line 2" },
		{ "[project.p]\nname = \xff\xfe\n", "line 2" },
		{ "[project.p\nname = P\n", "line 1" },
		{ "[prices]\nmedium 50\n", "line 2" },
		{ "[prices]\nmedium = 50\n", "no [project.*] section" },
		{ "[project.p]\nname = P\ncert_types = org\n", "project p needs" },
		{ "[project.p]\ncert_types = org\nterms = 1\n", "project p needs" },
	};
	struct catalog c;
	struct gt_err err;
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		err.msg[0] = '\0';
		rc = parse(cases[i].text, &c, &err);
		if (rc != -1 || strstr(err.msg, cases[i].want) == NULL) {
			print_error("case %zu: rc %d, \"%s\", wanted an error with \"%s\"\n", i,
				    rc, err.msg, cases[i].want);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* A term is 1, 3 or 5: "3x" is a typo to report, not a 3. */
static void test_terms_strict(void **state)
{
	static const char *const bad[] = { "1, 3x", "5years", "1,3,5.5", "+3" };
	struct catalog c;
	struct gt_err err;
	char text[256];
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		snprintf(text, sizeof(text), "[project.p]\nname = P\ncert_types = org\n"
			 "terms = %s\n", bad[i]);
		err.msg[0] = '\0';
		rc = parse(text, &c, &err);
		if (rc != -1 || strstr(err.msg, "line 4") == NULL) {
			print_error("terms = %s: rc %d, \"%s\", wanted an error naming line 4\n",
				    bad[i], rc, rc ? err.msg : "");
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void test_format_fen(void **state)
{
	char out[32], tiny[4];

	(void)state;
	catalog_format_fen(45000, out, sizeof(out));
	assert_string_equal(out, "450.00");
	catalog_format_fen(0, out, sizeof(out));
	assert_string_equal(out, "0.00");
	catalog_format_fen(5, out, sizeof(out));
	assert_string_equal(out, "0.05");
	catalog_format_fen(123456, out, sizeof(out));
	assert_string_equal(out, "1234.56");
	catalog_format_fen(45000, tiny, sizeof(tiny));
	assert_string_equal(tiny, "450");
}

/* Negative amounts (refunds, corrections in the day's settlement). */
static void test_format_fen_negative(void **state)
{
	char out[32];

	(void)state;
	catalog_format_fen(-150, out, sizeof(out));
	assert_string_equal(out, "-1.50");
	/* Under one yuan the sign must not be lost with the yuan part. */
	catalog_format_fen(-50, out, sizeof(out));
	assert_string_equal(out, "-0.50");
	catalog_format_fen(-5, out, sizeof(out));
	assert_string_equal(out, "-0.05");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_quote_org_eseal),
		cmocka_unit_test(test_quote_person_three_years),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_terms_strict),
		cmocka_unit_test(test_format_fen),
		cmocka_unit_test(test_format_fen_negative),
	};
	return cmocka_run_group_tests_name("catalog", tests, load_data, NULL);
}
