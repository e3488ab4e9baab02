/* The catalogue: relying applications (projects) the CA issues for, the
 * certificate types and terms each offers, whether an e-seal can be added,
 * and the prices. Loaded from data/catalog.ini (the caller reads the file;
 * parsing is pure) so a CA changes prices without recompiling. Amounts are
 * integers in fen (0.01 CNY): money is never a float. */
#ifndef GUITAI_CATALOG_H
#define GUITAI_CATALOG_H

#include <stddef.h>
#include "util/err.h"

struct application;

#define CATALOG_MAX_PROJECTS 32
#define CATALOG_MAX_TERMS 5

struct catalog_project {
	char key[32];
	char name[160];
	int cert_org;           /* offers organisation certificates */
	int cert_person;        /* offers personal certificates */
	int terms[CATALOG_MAX_TERMS];
	size_t nterms;
	int eseal;              /* an e-seal can be ordered */
};

struct catalog {
	long medium_fen;              /* one USB key */
	long org_per_year_fen;
	long person_per_year_fen;
	long eseal_per_year_fen;
	struct catalog_project projects[CATALOG_MAX_PROJECTS];
	size_t nprojects;
};

struct catalog_quote_item {
	const char *label;      /* N_() English label */
	int quantity;
	long unit_fen;
	long total_fen;
};

struct catalog_quote {
	struct catalog_quote_item items[4];
	size_t nitems;
	long total_fen;
};

/* What of the application's product choice is not on offer, if anything. */
enum catalog_offer {
	CATALOG_OFFERED,
	CATALOG_NO_PROJECT,
	CATALOG_NO_TYPE,
	CATALOG_NO_TERM,
	CATALOG_NO_ESEAL,
};

int catalog_parse(const char *text, size_t len, struct catalog *cat, struct gt_err *err);
const struct catalog_project *catalog_project(const struct catalog *cat, const char *key);
enum catalog_offer catalog_offers(const struct catalog *cat, const struct application *app);
/* Price of the application's product choice; -1 with err when the project,
 * type, term or e-seal choice is not on offer. */
int catalog_quote(const struct catalog *cat, const struct application *app,
		  struct catalog_quote *quote, struct gt_err *err);
/* "450.00" */
void catalog_format_fen(long fen, char *out, size_t size);

#endif
