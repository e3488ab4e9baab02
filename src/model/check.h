/* Checking an application: each field through its validator, the rules
 * that tie fields together (reference needed unless cash, invoice title
 * when an invoice is wanted, the region chosen from the list), and the
 * values derived from others (province/city/county from the USCC, tax
 * number from the USCC). Pure: the caller passes the catalogue, the
 * division table and today's date. */
#ifndef GUITAI_CHECK_H
#define GUITAI_CHECK_H

#include <stddef.h>
#include "model/app.h"
#include "model/val.h"

struct catalog;
struct region_db;

struct check_ctx {
	const struct catalog *catalog;
	const struct region_db *regions;
	int today_ymd;   /* YYYYMMDD */
};

struct check_issue {
	enum app_field field;
	int severity;    /* VAL_WARN blocks until an override reason is given */
	char msg[200];   /* translated */
};

struct check_list {
	struct check_issue items[AF_COUNT];
	size_t n;
};

/* Severity for one field (VAL_OK, VAL_WARN or VAL_ERROR), message in msg. */
int check_field(const struct check_ctx *ctx, const struct application *app,
		enum app_field f, char *msg, size_t msgsz);
/* Check the listed fields (all when fields is NULL); returns the worst. */
int check_fields(const struct check_ctx *ctx, const struct application *app,
		 const enum app_field *fields, size_t n, struct check_list *out);

/* Normalise the identity numbers in place (x -> X, +86 dropped) so what is
 * stored is what was checked. */
void check_normalise(const struct check_ctx *ctx, struct application *app);
/* Fill province/city/county from USCC positions 3-8 (when `force` or empty). */
void check_derive_region(const struct check_ctx *ctx, struct application *app, int force);
/* Defaults that follow from other fields: invoice title = organisation name,
 * tax number = USCC, authorisation from = today. Only empty fields change. */
void check_derive_defaults(const struct check_ctx *ctx, struct application *app);

#endif
