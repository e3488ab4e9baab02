/* Catalogue parsing and pricing; see catalog.h for the model and
 * data/catalog.ini for the format. Prices are read as decimal yuan
 * ("200" or "200.50") and kept in fen. */
#include "config.h"
#include "model/catalog.h"
#include "model/app.h"
#include "util/i18n.h"
#include "util/ini.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int catalog_parse_fen(const char *s, long *out)
{
	long yuan = 0, fen = 0;
	int digits = 0, frac = 0;

	if (*s == '\0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (yuan > 10000000)
			return -1;
		yuan = yuan * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9' && frac < 2; s++, frac++)
			fen = fen * 10 + (*s - '0');
		if (frac == 1)
			fen *= 10;
	}
	if (*s != '\0' || digits == 0)
		return -1;
	*out = yuan * 100 + fen;
	return 0;
}

static int catalog_parse_terms(struct catalog_project *p, const char *value)
{
	char buf[128];
	char *tok, *save = NULL;

	str_copy(buf, sizeof(buf), value);
	p->nterms = 0;
	for (tok = strtok_r(buf, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		/* Exactly "1", "3" or "5": "3x" or "+3" is a typo, not a term. */
		if (strlen(tok) != 1 || (tok[0] != '1' && tok[0] != '3' && tok[0] != '5') ||
		    p->nterms == CATALOG_MAX_TERMS)
			return -1;
		p->terms[p->nterms++] = tok[0] - '0';
	}
	return p->nterms > 0 ? 0 : -1;
}

static int catalog_parse_types(struct catalog_project *p, const char *value)
{
	char buf[128];
	char *tok, *save = NULL;

	str_copy(buf, sizeof(buf), value);
	p->cert_org = p->cert_person = 0;
	for (tok = strtok_r(buf, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		if (strcmp(tok, "org") == 0)
			p->cert_org = 1;
		else if (strcmp(tok, "person") == 0)
			p->cert_person = 1;
		else
			return -1;
	}
	return p->cert_org || p->cert_person ? 0 : -1;
}

static int catalog_pair(void *ctx, const char *section, const char *key, const char *value,
			int line, struct gt_err *err)
{
	struct catalog *cat = ctx;
	long *price = NULL;

	if (strcmp(section, "prices") == 0) {
		if (strcmp(key, "medium") == 0)
			price = &cat->medium_fen;
		else if (strcmp(key, "org_per_year") == 0)
			price = &cat->org_per_year_fen;
		else if (strcmp(key, "person_per_year") == 0)
			price = &cat->person_per_year_fen;
		else if (strcmp(key, "eseal_per_year") == 0)
			price = &cat->eseal_per_year_fen;
		else
			return err_set(err, _("line %d: unknown price %s"), line, key);
		if (catalog_parse_fen(value, price) != 0)
			return err_set(err, _("line %d: %s is not an amount in yuan"), line, value);
		return 0;
	}
	if (strncmp(section, "project.", 8) == 0) {
		const char *pkey = section + 8;
		struct catalog_project *p = NULL;

		for (size_t i = 0; i < cat->nprojects; i++)
			if (strcmp(cat->projects[i].key, pkey) == 0)
				p = &cat->projects[i];
		if (p == NULL) {
			if (cat->nprojects == CATALOG_MAX_PROJECTS)
				return err_set(err, _("line %d: too many projects"), line);
			if (*pkey == '\0' || strlen(pkey) >= sizeof(p->key))
				return err_set(err, _("line %d: bad project key"), line);
			p = &cat->projects[cat->nprojects++];
			memset(p, 0, sizeof(*p));
			str_copy(p->key, sizeof(p->key), pkey);
		}
		if (strcmp(key, "name") == 0) {
			if (str_copy(p->name, sizeof(p->name), value) || !str_utf8_valid(value))
				return err_set(err, _("line %d: bad project name"), line);
		} else if (strcmp(key, "cert_types") == 0) {
			if (catalog_parse_types(p, value) != 0)
				return err_set(err, _("line %d: cert_types takes org and/or person"), line);
		} else if (strcmp(key, "terms") == 0) {
			if (catalog_parse_terms(p, value) != 0)
				return err_set(err, _("line %d: terms takes 1, 3 and/or 5"), line);
		} else if (strcmp(key, "eseal") == 0) {
			if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
				return err_set(err, _("line %d: eseal takes yes or no"), line);
			p->eseal = strcmp(value, "yes") == 0;
		} else {
			return err_set(err, _("line %d: unknown key %s"), line, key);
		}
		return 0;
	}
	return err_set(err, _("line %d: unknown section [%s]"), line, section);
}

int catalog_parse(const char *text, size_t len, struct catalog *cat, struct gt_err *err)
{
	memset(cat, 0, sizeof(*cat));
	if (ini_parse(text, len, catalog_pair, cat, err) != 0)
		return -1;
	if (cat->nprojects == 0)
		return err_set(err, _("no [project.*] section"));
	for (size_t i = 0; i < cat->nprojects; i++) {
		const struct catalog_project *p = &cat->projects[i];

		if (p->name[0] == '\0' || p->nterms == 0 || !(p->cert_org || p->cert_person))
			return err_set(err, _("project %s needs name, cert_types and terms"), p->key);
	}
	return 0;
}

const struct catalog_project *catalog_project(const struct catalog *cat, const char *key)
{
	for (size_t i = 0; i < cat->nprojects; i++)
		if (strcmp(cat->projects[i].key, key) == 0)
			return &cat->projects[i];
	return NULL;
}

static void catalog_add(struct catalog_quote *q, const char *label, int quantity, long unit)
{
	struct catalog_quote_item *it = &q->items[q->nitems++];

	it->label = label;
	it->quantity = quantity;
	it->unit_fen = unit;
	it->total_fen = unit * quantity;
	q->total_fen += it->total_fen;
}

enum catalog_offer catalog_offers(const struct catalog *cat, const struct application *app)
{
	const struct catalog_project *p = catalog_project(cat, app_get(app, AF_PROJECT));
	const char *type = app_get(app, AF_CERT_TYPE);
	int years = atoi(app_get(app, AF_TERM_YEARS)), term_ok = 0;

	if (p == NULL)
		return CATALOG_NO_PROJECT;
	if (!((strcmp(type, "org") == 0 && p->cert_org) ||
	      (strcmp(type, "person") == 0 && p->cert_person)))
		return CATALOG_NO_TYPE;
	for (size_t i = 0; i < p->nterms; i++)
		term_ok |= p->terms[i] == years;
	if (!term_ok)
		return CATALOG_NO_TERM;
	if (strcmp(app_get(app, AF_ESEAL), "yes") == 0 && !p->eseal)
		return CATALOG_NO_ESEAL;
	return CATALOG_OFFERED;
}

int catalog_quote(const struct catalog *cat, const struct application *app,
		  struct catalog_quote *quote, struct gt_err *err)
{
	const char *type = app_get(app, AF_CERT_TYPE);
	int years = atoi(app_get(app, AF_TERM_YEARS));
	int eseal = strcmp(app_get(app, AF_ESEAL), "yes") == 0;

	memset(quote, 0, sizeof(*quote));
	switch (catalog_offers(cat, app)) {
	case CATALOG_NO_PROJECT:
		return err_set(err, _("not an application in the catalogue"));
	case CATALOG_NO_TYPE:
		return err_set(err, _("this certificate type is not offered for this application"));
	case CATALOG_NO_TERM:
		return err_set(err, _("this term is not offered for this application"));
	case CATALOG_NO_ESEAL:
		return err_set(err, _("no electronic seal is offered for this application"));
	case CATALOG_OFFERED:
		break;
	}
	if (strcmp(app_get(app, AF_SERVICE), "new") == 0)
		catalog_add(quote, N_("USB key"), 1, cat->medium_fen);
	if (strcmp(type, "org") == 0)
		catalog_add(quote, N_("Organisation certificate (per year)"), years, cat->org_per_year_fen);
	else
		catalog_add(quote, N_("Personal certificate (per year)"), years, cat->person_per_year_fen);
	if (eseal)
		catalog_add(quote, N_("Electronic seal (per year)"), years, cat->eseal_per_year_fen);
	return 0;
}

void catalog_format_fen(long fen, char *out, size_t size)
{
	snprintf(out, size, "%s%ld.%02ld", fen < 0 ? "-" : "", labs(fen / 100), labs(fen % 100));
}
