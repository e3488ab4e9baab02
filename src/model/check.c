/* Field and cross-field checks of an application; see check.h. The
 * validators in val.c know the standards; this file knows the form: which
 * field uses which validator, what is required when, and how a USCC whose
 * check character fails can still be accepted (with a stored reason). */
#include "config.h"
#include "model/check.h"
#include "model/catalog.h"
#include "model/region.h"
#include "util/i18n.h"
#include "util/str.h"

#include <stdio.h>
#include <string.h>

static int check_choice(enum app_field f, const char *v, char *msg, size_t msgsz)
{
	if (app_choice_label(f, v) != NULL)
		return VAL_OK;
	snprintf(msg, msgsz, _("\"%s\" is not one of the choices"), v);
	return VAL_ERROR;
}

static int check_region(const struct check_ctx *ctx, const struct application *app,
			enum app_field f, const char *v, char *msg, size_t msgsz)
{
	const struct region *r;
	const char *parent = "";

	if (ctx->regions == NULL)
		return VAL_OK;
	r = region_find(ctx->regions, v);
	if (r == NULL) {
		snprintf(msg, msgsz, _("%s is not a division code in the list"), v);
		return VAL_ERROR;
	}
	if (f == AF_ORG_CITY)
		parent = app_get(app, AF_ORG_PROVINCE);
	else if (f == AF_ORG_COUNTY)
		parent = app_get(app, AF_ORG_CITY);
	if (f != AF_ORG_PROVINCE) {
		int found = 0;
		size_t n = region_child_count(ctx->regions, parent);

		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(region_child(ctx->regions, parent, i)->code, v) == 0;
		if (!found) {
			snprintf(msg, msgsz, _("%s %s is not in the chosen %s"), v, r->name,
				 f == AF_ORG_CITY ? _("province") : _("city"));
			return VAL_ERROR;
		}
	} else if (r->level != 1) {
		snprintf(msg, msgsz, _("%s is not a province"), v);
		return VAL_ERROR;
	}
	return VAL_OK;
}

static int check_required(const struct application *app, enum app_field f)
{
	const char *method = app_get(app, AF_PAY_METHOD);
	int invoice = strcmp(app_get(app, AF_INV_ELECTRONIC), "yes") == 0;

	if (app_fields[f].flags & AFF_REQUIRED)
		return 1;
	switch (f) {
	case AF_PAY_REFERENCE:
		return method[0] != '\0' && strcmp(method, "cash") != 0;
	case AF_PAY_ACCOUNT:
		return strcmp(method, "card") == 0 || strcmp(method, "transfer") == 0;
	case AF_INV_TITLE:
	case AF_INV_TAX_NUMBER:
		return invoice;
	default:
		return 0;
	}
}

static int check_text(const char *v, char *msg, size_t msgsz)
{
	if (!str_utf8_valid(v)) {
		snprintf(msg, msgsz, "%s", _("is not valid UTF-8 text"));
		return VAL_ERROR;
	}
	if (str_has_control(v)) {
		snprintf(msg, msgsz, "%s", _("contains control characters"));
		return VAL_ERROR;
	}
	return VAL_OK;
}

/* 长期 (long-term) or a date not before today: an expired card cannot be
 * used to apply. */
static int check_card_valid_to(const struct check_ctx *ctx, const char *v, char *msg,
			       size_t msgsz)
{
	char norm[16];
	int rc, ymd;

	if (strcmp(v, "长期") == 0)
		return VAL_OK;
	rc = val_date(v, norm, sizeof(norm), msg, msgsz);
	if (rc != VAL_OK)
		return rc;
	ymd = (norm[0] - '0') * 10000000 + (norm[1] - '0') * 1000000 + (norm[2] - '0') * 100000 +
	      (norm[3] - '0') * 10000 + (norm[5] - '0') * 1000 + (norm[6] - '0') * 100 +
	      (norm[8] - '0') * 10 + (norm[9] - '0');
	if (ctx->today_ymd > 0 && ymd < ctx->today_ymd) {
		snprintf(msg, msgsz, _("the ID card expired on %s and cannot be used"), norm);
		return VAL_ERROR;
	}
	return VAL_OK;
}

int check_field(const struct check_ctx *ctx, const struct application *app,
		enum app_field f, char *msg, size_t msgsz)
{
	const struct app_field_def *def = &app_fields[f];
	const char *v = app_get(app, f);
	char norm[APP_VALUE_MAX];
	size_t chars;
	int rc;

	msg[0] = '\0';
	if (v[0] == '\0') {
		if (!check_required(app, f))
			return VAL_OK;
		snprintf(msg, msgsz, "%s", def->kind == AK_TEXT || def->kind == AK_DATE
			 ? _("required") : _("choose one"));
		return VAL_ERROR;
	}
	rc = check_text(v, msg, msgsz);
	if (rc != VAL_OK)
		return rc;
	chars = str_utf8_chars(v);
	if (chars > def->max_chars) {
		snprintf(msg, msgsz, _("too long: %zu characters, at most %u"), chars, def->max_chars);
		return VAL_ERROR;
	}

	switch (f) {
	case AF_PROJECT:
		if (ctx->catalog != NULL && catalog_project(ctx->catalog, v) == NULL) {
			snprintf(msg, msgsz, _("\"%s\" is not an application in the catalogue"), v);
			return VAL_ERROR;
		}
		return VAL_OK;
	case AF_CERT_TYPE:
	case AF_TERM_YEARS:
	case AF_ESEAL: {
		enum catalog_offer offer;

		rc = check_choice(f, v, msg, msgsz);
		if (rc != VAL_OK || ctx->catalog == NULL)
			return rc;
		/* Say what is not on offer on the field that chose it only. */
		offer = catalog_offers(ctx->catalog, app);
		if (f == AF_CERT_TYPE && offer == CATALOG_NO_TYPE)
			snprintf(msg, msgsz, "%s", _("not offered for this application"));
		else if (f == AF_TERM_YEARS && offer == CATALOG_NO_TERM)
			snprintf(msg, msgsz, "%s", _("this term is not offered for this application"));
		else if (f == AF_ESEAL && offer == CATALOG_NO_ESEAL)
			snprintf(msg, msgsz, "%s", _("no electronic seal for this application"));
		else
			return VAL_OK;
		return VAL_ERROR;
	}
	case AF_ORG_ID_NUMBER:
		if (strcmp(app_get(app, AF_ORG_ID_TYPE), "org_code") == 0)
			return val_org_code(v, norm, sizeof(norm), msg, msgsz);
		rc = val_uscc(v, norm, sizeof(norm), msg, msgsz);
		/* Accepted only with a reason and a supervisor's approval. */
		if (rc == VAL_WARN && app_get(app, AF_ORG_ID_OVERRIDE)[0] != '\0' &&
		    app_get(app, AF_ORG_ID_OVERRIDE_BY)[0] != '\0') {
			msg[0] = '\0';
			return VAL_OK;
		}
		return rc;
	case AF_REP_ID_NUMBER:
		return val_person_id(app_get(app, AF_REP_ID_TYPE), v, ctx->today_ymd, norm,
				     sizeof(norm), msg, msgsz);
	case AF_HDL_ID_NUMBER:
		return val_person_id(app_get(app, AF_HDL_ID_TYPE), v, ctx->today_ymd, norm,
				     sizeof(norm), msg, msgsz);
	case AF_HDL_MOBILE:
		return val_mobile(v, norm, sizeof(norm), msg, msgsz);
	case AF_HDL_EMAIL:
		return val_email(v, norm, sizeof(norm), msg, msgsz);
	case AF_ORG_POSTCODE:
		return val_postcode(v, norm, sizeof(norm), msg, msgsz);
	case AF_PAY_ACCOUNT:
		/* Kept only when the method needs it: a personal number with
		 * no use is not stored. */
		if (!check_required(app, f)) {
			snprintf(msg, msgsz, "%s", _("only for card or transfer; leave empty"));
			return VAL_ERROR;
		}
		rc = val_bank_account(app_get(app, AF_PAY_METHOD), v, norm, sizeof(norm), msg,
				      msgsz);
		str_wipe(norm, sizeof(norm));
		return rc;
	case AF_AUTH_FROM:
		return val_date(v, norm, sizeof(norm), msg, msgsz);
	case AF_REP_BIRTH:
	case AF_HDL_BIRTH:
	case AF_REP_VALID_FROM:
	case AF_HDL_VALID_FROM:
		return val_date(v, norm, sizeof(norm), msg, msgsz);
	case AF_REP_VALID_TO:
	case AF_HDL_VALID_TO:
		return check_card_valid_to(ctx, v, msg, msgsz);
	case AF_ORG_PROVINCE:
	case AF_ORG_CITY:
	case AF_ORG_COUNTY:
		return check_region(ctx, app, f, v, msg, msgsz);
	case AF_INV_TAX_NUMBER:
		if (chars != 15 && chars != 18 && chars != 20) {
			snprintf(msg, msgsz, _("tax number has 15, 18 or 20 characters (has %zu)"), chars);
			return VAL_ERROR;
		}
		return VAL_OK;
	case AF_ORG_PHONE:
		for (const char *p = v; *p != '\0'; p++)
			if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == '+')) {
				snprintf(msg, msgsz, "%s", _("only digits and '-' in a telephone number"));
				return VAL_ERROR;
			}
		return VAL_OK;
	default:
		if (def->kind == AK_CHOICE)
			return check_choice(f, v, msg, msgsz);
		return VAL_OK;
	}
}

int check_fields(const struct check_ctx *ctx, const struct application *app,
		 const enum app_field *fields, size_t n, struct check_list *out)
{
	int worst = VAL_OK;

	out->n = 0;
	if (fields == NULL)
		n = AF_COUNT;
	for (size_t i = 0; i < n; i++) {
		enum app_field f = fields ? fields[i] : (enum app_field)i;
		struct check_issue *it = &out->items[out->n];
		int rc = check_field(ctx, app, f, it->msg, sizeof(it->msg));

		if (rc == VAL_OK)
			continue;
		it->field = f;
		it->severity = rc;
		out->n++;
		if (rc > worst)
			worst = rc;
	}
	return worst;
}

void check_normalise(const struct check_ctx *ctx, struct application *app)
{
	static const enum app_field person_ids[][2] = {
		{ AF_REP_ID_TYPE, AF_REP_ID_NUMBER },
		{ AF_HDL_ID_TYPE, AF_HDL_ID_NUMBER },
	};
	char norm[APP_VALUE_MAX], msg[200];

	for (size_t i = 0; i < 2; i++) {
		if (val_person_id(app_get(app, person_ids[i][0]), app_get(app, person_ids[i][1]),
				  ctx->today_ymd, norm, sizeof(norm), msg, sizeof(msg)) == VAL_OK)
			app_set(app, person_ids[i][1], norm);
	}
	if (val_mobile(app_get(app, AF_HDL_MOBILE), norm, sizeof(norm), msg, sizeof(msg)) == VAL_OK)
		app_set(app, AF_HDL_MOBILE, norm);
	if (val_email(app_get(app, AF_HDL_EMAIL), norm, sizeof(norm), msg, sizeof(msg)) == VAL_OK)
		app_set(app, AF_HDL_EMAIL, norm);
	if (val_date(app_get(app, AF_AUTH_FROM), norm, sizeof(norm), msg, sizeof(msg)) == VAL_OK)
		app_set(app, AF_AUTH_FROM, norm);
	if (val_bank_account(app_get(app, AF_PAY_METHOD), app_get(app, AF_PAY_ACCOUNT), norm,
			     sizeof(norm), msg, sizeof(msg)) == VAL_OK)
		app_set(app, AF_PAY_ACCOUNT, norm);
	str_wipe(norm, sizeof(norm));
}

void check_derive_region(const struct check_ctx *ctx, struct application *app, int force)
{
	const char *id = app_get(app, AF_ORG_ID_NUMBER);
	char code[7], prov[7], city[7], county[7];

	if (ctx->regions == NULL || strcmp(app_get(app, AF_ORG_ID_TYPE), "uscc") != 0 ||
	    strlen(id) != 18 || !str_is_digits(id + 2, 6))
		return;
	if (!force && app_get(app, AF_ORG_PROVINCE)[0] != '\0')
		return;
	memcpy(code, id + 2, 6);
	code[6] = '\0';
	if (region_split(ctx->regions, code, prov, city, county) == 0)
		return;
	app_set(app, AF_ORG_PROVINCE, prov);
	app_set(app, AF_ORG_CITY, city);
	app_set(app, AF_ORG_COUNTY, county);
}

void check_derive_defaults(const struct check_ctx *ctx, struct application *app)
{
	char today[16];

	if (app_get(app, AF_INV_TITLE)[0] == '\0')
		app_set(app, AF_INV_TITLE, app_get(app, AF_ORG_NAME));
	if (app_get(app, AF_INV_TAX_NUMBER)[0] == '\0' &&
	    strcmp(app_get(app, AF_ORG_ID_TYPE), "uscc") == 0)
		app_set(app, AF_INV_TAX_NUMBER, app_get(app, AF_ORG_ID_NUMBER));
	if (app_get(app, AF_AUTH_FROM)[0] == '\0' && ctx->today_ymd > 0) {
		snprintf(today, sizeof(today), "%04d-%02d-%02d", ctx->today_ymd / 10000,
			 ctx->today_ymd / 100 % 100, ctx->today_ymd % 100);
		app_set(app, AF_AUTH_FROM, today);
	}
}
