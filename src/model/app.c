/* The application record and its field table; see app.h. The table is the
 * single description of the form: adding a field here makes it known to the
 * batch reader, the draft store, the screens and the review. */
#include "config.h"
#include "model/app.h"
#include "model/val.h"
#include "util/i18n.h"
#include "util/ini.h"
#include "util/str.h"

#include <stdio.h>
#include <string.h>

static const struct app_choice app_services[] = {
	{ "new", N_("New issuance") },
	{ "renew", N_("Renewal") },
	{ "replace", N_("Replacement") },
	{ "change", N_("Change of details") },
	{ "unlock", N_("Unlock") },
	{ "repin", N_("PIN change") },
	{ "revoke", N_("Revocation") },
	{ NULL, NULL },
};

static const struct app_choice app_cert_types[] = {
	{ "org", N_("Organisation certificate") },
	{ "person", N_("Personal certificate") },
	{ NULL, NULL },
};

static const struct app_choice app_terms[] = {
	{ "1", N_("1 year") },
	{ "3", N_("3 years") },
	{ "5", N_("5 years") },
	{ NULL, NULL },
};

static const struct app_choice app_yes_no[] = {
	{ "yes", N_("Yes") },
	{ "no", N_("No") },
	{ NULL, NULL },
};

static const struct app_choice app_org_id_types[] = {
	{ "uscc", N_("Unified social credit code") },
	{ "org_code", N_("Organisation code (old)") },
	{ NULL, NULL },
};

static const struct app_choice app_person_id_types[] = {
	{ "resident", N_("Resident ID card") },
	{ "hmt_permit", N_("HK/Macao/Taiwan residence permit") },
	{ "foreign_2017", N_("Foreign permanent resident ID (2017)") },
	{ "foreign_2023", N_("Foreign permanent resident ID (2023)") },
	{ NULL, NULL },
};

/* GB/T 2261.1 as the chip stores it. */
static const struct app_choice app_genders[] = {
	{ "1", N_("Male") },
	{ "2", N_("Female") },
	{ "0", N_("Unknown") },
	{ "9", N_("Not stated") },
	{ NULL, NULL },
};

static const struct app_choice app_pay_methods[] = {
	{ "cash", N_("Cash") },
	{ "card", N_("Bank card") },
	{ "wechat", N_("WeChat Pay") },
	{ "alipay", N_("Alipay") },
	{ "transfer", N_("Bank transfer") },
	{ NULL, NULL },
};


#define CARD_FIELDS(P, S) \
	[AF_##P##_GENDER] = { S, "gender", N_("Gender"), N_("From the ID card."), \
		AK_CHOICE, 1, AFF_CARD, app_genders }, \
	[AF_##P##_NATION] = { S, "nation", N_("Nation"), N_("From the ID card."), \
		AK_TEXT, 16, AFF_CARD, NULL }, \
	[AF_##P##_BIRTH] = { S, "birth_date", N_("Birth date"), N_("From the ID card."), \
		AK_DATE, 10, AFF_CARD | AFF_PII, NULL }, \
	[AF_##P##_ADDRESS] = { S, "address", N_("Address on the card"), N_("From the ID card."), \
		AK_TEXT, 80, AFF_CARD | AFF_PII, NULL }, \
	[AF_##P##_ISSUER] = { S, "issuer", N_("Issued by"), N_("From the ID card."), \
		AK_TEXT, 40, AFF_CARD, NULL }, \
	[AF_##P##_VALID_FROM] = { S, "id_valid_from", N_("Card valid from"), N_("From the ID card."), \
		AK_DATE, 10, AFF_CARD, NULL }, \
	[AF_##P##_VALID_TO] = { S, "id_valid_to", N_("Card valid to"), \
		N_("From the ID card: a date, or long-term."), AK_TEXT, 10, AFF_CARD, NULL }, \
	[AF_##P##_CARD_READ_AT] = { S, "card_read_at", N_("Card read at"), \
		N_("When the ID card was read at the counter."), AK_TEXT, 19, AFF_CARD, NULL }, \
	[AF_##P##_CARD_FIELDS] = { S, "card_fields", N_("Fields from the card"), \
		N_("Which fields still hold what the card gave."), AK_TEXT, 160, AFF_CARD, NULL },

#define REQ AFF_REQUIRED
const struct app_field_def app_fields[AF_COUNT] = {
	[AF_SERVICE] = { "application", "service", N_("Service"),
		N_("The service for this application."), AK_CHOICE, 16, REQ, app_services },
	[AF_PROJECT] = { "application", "project", N_("Application"),
		N_("The system the certificate is used with."), AK_CATALOG, 32, REQ, NULL },
	[AF_CERT_TYPE] = { "application", "cert_type", N_("Certificate type"),
		N_("Organisation or personal certificate."), AK_CHOICE, 16, REQ, app_cert_types },
	[AF_TERM_YEARS] = { "application", "term_years", N_("Term"),
		N_("How many years the certificate is valid."), AK_CHOICE, 2, REQ, app_terms },
	[AF_ESEAL] = { "application", "eseal", N_("Electronic seal"),
		N_("Whether an electronic seal is made with the certificate."), AK_CHOICE, 3, REQ, app_yes_no },

	[AF_ORG_NAME] = { "organization", "name", N_("Organisation name"),
		N_("Full registered name, as on the business licence."), AK_TEXT, 100, REQ, NULL },
	[AF_ORG_ID_TYPE] = { "organization", "id_type", N_("Document type"),
		N_("The organisation's identity document."), AK_CHOICE, 16, REQ, app_org_id_types },
	[AF_ORG_ID_NUMBER] = { "organization", "id_number", N_("Document number"),
		N_("18-character unified social credit code."), AK_TEXT, 18,
		REQ | AFF_UPPER | AFF_NOSPACE, NULL },
	[AF_ORG_ID_OVERRIDE] = { "organization", "id_override_reason", N_("Override reason"),
		N_("Why a code whose check character fails is accepted."), AK_TEXT, 100, 0, NULL },
	[AF_ORG_ID_OVERRIDE_BY] = { "organization", "id_override_approved_by",
		N_("Override approved by"),
		N_("The supervisor who approved accepting the code; set by the approval."),
		AK_TEXT, 63, 0, NULL },
	[AF_ORG_PROVINCE] = { "organization", "province", N_("Province"),
		N_("Filled from the USCC; choose from the list."), AK_REGION, 6, REQ, NULL },
	[AF_ORG_CITY] = { "organization", "city", N_("City"),
		N_("Filled from the USCC; choose from the list."), AK_REGION, 6, REQ, NULL },
	[AF_ORG_COUNTY] = { "organization", "county", N_("District/county"),
		N_("Filled from the USCC; choose from the list."), AK_REGION, 6, 0, NULL },
	[AF_ORG_ADDRESS] = { "organization", "address", N_("Address"),
		N_("Street address of the organisation."), AK_TEXT, 120, REQ, NULL },
	[AF_ORG_POSTCODE] = { "organization", "postcode", N_("Postcode"),
		N_("Six digits."), AK_TEXT, 6, AFF_NOSPACE, NULL },
	[AF_ORG_PHONE] = { "organization", "phone", N_("Telephone"),
		N_("Organisation telephone, with area code."), AK_TEXT, 20, AFF_NOSPACE, NULL },

	[AF_REP_NAME] = { "legal_rep", "name", N_("Legal rep. name"),
		N_("Legal representative, as on the business licence."), AK_TEXT, 50, REQ, NULL },
	[AF_REP_ID_TYPE] = { "legal_rep", "id_type", N_("Legal rep. ID type"),
		N_("The legal representative's identity document."), AK_CHOICE, 16, REQ, app_person_id_types },
	[AF_REP_ID_NUMBER] = { "legal_rep", "id_number", N_("Legal rep. ID no."),
		N_("Number of that document."), AK_TEXT, 18,
		REQ | AFF_PII | AFF_UPPER | AFF_NOSPACE, NULL },
	CARD_FIELDS(REP, "legal_rep")

	[AF_HDL_NAME] = { "handler", "name", N_("Handler name"),
		N_("The person at the counter, acting for the organisation."), AK_TEXT, 50, REQ, NULL },
	[AF_HDL_ID_TYPE] = { "handler", "id_type", N_("Handler ID type"),
		N_("The handler's identity document."), AK_CHOICE, 16, REQ, app_person_id_types },
	[AF_HDL_ID_NUMBER] = { "handler", "id_number", N_("Handler ID no."),
		N_("Number of that document."), AK_TEXT, 18,
		REQ | AFF_PII | AFF_UPPER | AFF_NOSPACE, NULL },
	[AF_HDL_MOBILE] = { "handler", "mobile", N_("Mobile"),
		N_("Real-name mobile number; PIN and invoice go there."), AK_TEXT, 16,
		REQ | AFF_PII | AFF_NOSPACE, NULL },
	[AF_HDL_EMAIL] = { "handler", "email", N_("E-mail"),
		N_("Contact e-mail address."), AK_TEXT, 100, REQ | AFF_PII | AFF_NOSPACE, NULL },
	[AF_HDL_POSITION] = { "handler", "position", N_("Position"),
		N_("The handler's position in the organisation."), AK_TEXT, 30, REQ, NULL },
	CARD_FIELDS(HDL, "handler")

	[AF_AUTH_FROM] = { "authorization", "from", N_("Authorised from"),
		N_("Start of the authorisation (YYYY-MM-DD); it runs until the matter is concluded."),
		AK_DATE, 10, 0, NULL },

	[AF_INV_ELECTRONIC] = { "invoice", "electronic", N_("Electronic invoice"),
		N_("Whether an electronic invoice is issued."), AK_CHOICE, 3, REQ, app_yes_no },
	[AF_INV_TITLE] = { "invoice", "title", N_("Invoice title"),
		N_("Full name to put on the invoice."), AK_TEXT, 100, 0, NULL },
	[AF_INV_TAX_NUMBER] = { "invoice", "tax_number", N_("Tax number"),
		N_("Taxpayer number; the USCC by default."), AK_TEXT, 20, AFF_UPPER | AFF_NOSPACE, NULL },

	[AF_PAY_METHOD] = { "payment", "method", N_("Payment method"),
		N_("How the customer pays."), AK_CHOICE, 10, REQ, app_pay_methods },
	[AF_PAY_REFERENCE] = { "payment", "reference", N_("Payment reference"),
		N_("Transaction number, POS reference or voucher number."), AK_TEXT, 40, AFF_NOSPACE, NULL },
	/* Personal: kept only inside the sealed record and the sealed payment
	 * row, found through the keyed index, shown as 6222 **** **** 1234.
	 * Up to 32 digits; the limit leaves room for the spaces typed between
	 * groups, which are dropped. */
	[AF_PAY_ACCOUNT] = { "payment", "account", N_("Payer's account"),
		N_("The payer's bank card number (card) or bank account number (transfer); "
		   "spaces allowed."), AK_TEXT, 40, AFF_PII | AFF_NOSPACE, NULL },
};
#undef REQ
#undef CARD_FIELDS

void app_init(struct application *app)
{
	memset(app, 0, sizeof(*app));
	app->status = APP_DRAFT;
	app_set(app, AF_SERVICE, "new");
	app_set(app, AF_CERT_TYPE, "org");
	app_set(app, AF_TERM_YEARS, "1");
	app_set(app, AF_ESEAL, "yes");
	app_set(app, AF_ORG_ID_TYPE, "uscc");
	app_set(app, AF_REP_ID_TYPE, "resident");
	app_set(app, AF_HDL_ID_TYPE, "resident");
	app_set(app, AF_INV_ELECTRONIC, "yes");
}

const char *app_get(const struct application *app, enum app_field f)
{
	return app->values[f];
}

int app_set(struct application *app, enum app_field f, const char *value)
{
	const struct app_field_def *def = &app_fields[f];
	char *dst = app->values[f];
	int cut;

	cut = str_copy(dst, APP_VALUE_MAX, value);
	str_trim(dst);
	if (def->flags & AFF_NOSPACE) {
		char *w = dst;

		for (const char *r = dst; *r != '\0'; r++)
			if (*r != ' ' && *r != '\t')
				*w++ = *r;
		*w = '\0';
	}
	if (def->flags & AFF_UPPER)
		str_upper_ascii(dst);
	if (str_utf8_chars(dst) > def->max_chars)
		cut = 1;
	return cut;
}

int app_field_by_name(const char *section, const char *key)
{
	for (int f = 0; f < AF_COUNT; f++)
		if (strcmp(app_fields[f].section, section) == 0 &&
		    strcmp(app_fields[f].key, key) == 0)
			return f;
	return -1;
}

int app_section_known(const char *section)
{
	for (int f = 0; f < AF_COUNT; f++)
		if (strcmp(app_fields[f].section, section) == 0)
			return 1;
	return 0;
}

const char *app_choice_label(enum app_field f, const char *value)
{
	const struct app_choice *c = app_fields[f].choices;

	for (; c != NULL && c->value != NULL; c++)
		if (strcmp(c->value, value) == 0)
			return c->label;
	return NULL;
}

int app_to_ini(const struct application *app, char *buf, size_t size)
{
	const char *section = "";
	char quoted[APP_VALUE_MAX * 2 + 3];
	size_t used = 0;

	buf[0] = '\0';
	for (int f = 0; f < AF_COUNT; f++) {
		const struct app_field_def *def = &app_fields[f];
		int n;

		if (app->values[f][0] == '\0')
			continue;
		if (strcmp(section, def->section) != 0) {
			n = snprintf(buf + used, size - used, "%s[%s]\n", used ? "\n" : "",
				     def->section);
			if (n < 0 || (size_t)n >= size - used)
				return -1;
			used += (size_t)n;
			section = def->section;
		}
		if (ini_quote(app->values[f], quoted, sizeof(quoted)) != 0)
			return -1;
		n = snprintf(buf + used, size - used, "%s = %s\n", def->key, quoted);
		if (n < 0 || (size_t)n >= size - used)
			return -1;
		used += (size_t)n;
	}
	str_wipe(quoted, sizeof(quoted));
	return 0;
}

static int app_ini_pair(void *ctx, const char *section, const char *key, const char *value,
			int line, struct gt_err *err)
{
	struct application *app = ctx;
	int f;

	if (!app_section_known(section))
		return err_set(err, _("line %d: unknown section [%s]"), line, section);
	f = app_field_by_name(section, key);
	if (f < 0)
		return err_set(err, _("line %d: unknown key %s.%s"), line, section, key);
	app_set(app, (enum app_field)f, value);
	return 0;
}

int app_from_ini(struct application *app, const char *text, size_t len, struct gt_err *err)
{
	return ini_parse(text, len, app_ini_pair, app, err);
}

void app_display_value(const struct application *app, enum app_field f, char *out,
		       size_t size, int reveal)
{
	const char *v = app->values[f];

	if (!(app_fields[f].flags & AFF_PII) || reveal || v[0] == '\0') {
		str_copy(out, size, v);
		return;
	}
	if (f == AF_HDL_MOBILE)
		str_mask(out, size, v, 3, 4);        /* 138****8000 */
	else if (f == AF_PAY_ACCOUNT)
		val_account_mask(v, out, size);      /* 6222 **** **** 1234 */
	else if (f == AF_HDL_EMAIL) {
		const char *at = strchr(v, '@');
		char local[APP_VALUE_MAX];
		size_t n = at ? (size_t)(at - v) : strlen(v);

		memcpy(local, v, n);
		local[n] = '\0';
		str_mask(out, size, local, 1, 0);
		if (at != NULL && strlen(out) + strlen(at) < size)
			memcpy(out + strlen(out), at, strlen(at) + 1);
	} else {
		str_mask(out, size, v, 4, 4);        /* 4403**********123X */
	}
}

enum app_field app_person_field(enum app_person who, enum app_person_field pf)
{
	static const enum app_field first[] = { AF_REP_NAME, AF_HDL_NAME };
	/* Name, type and number, then the card block that follows them in
	 * the enum (for the handler: after mobile, e-mail and position). */
	if (pf <= APF_ID_NUMBER)
		return (enum app_field)(first[who] + pf);
	return (enum app_field)((who == APP_LEGAL_REP ? AF_REP_GENDER : AF_HDL_GENDER) +
				(pf - APF_GENDER));
}

int app_field_person(enum app_field f)
{
	if (strcmp(app_fields[f].section, "legal_rep") == 0)
		return APP_LEGAL_REP;
	if (strcmp(app_fields[f].section, "handler") == 0)
		return APP_HANDLER;
	return -1;
}

void app_card_field_edited(struct application *app, enum app_field f)
{
	int who = app_field_person(f);
	char list[APP_VALUE_MAX], out[APP_VALUE_MAX] = "";
	char *tok, *save = NULL;
	enum app_field lf;

	if (who < 0)
		return;
	lf = app_person_field((enum app_person)who, APF_CARD_FIELDS);
	str_copy(list, sizeof(list), app->values[lf]);
	for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, app_fields[f].key) == 0)
			continue;
		if (out[0] != '\0')
			strncat(out, ",", sizeof(out) - strlen(out) - 1);
		strncat(out, tok, sizeof(out) - strlen(out) - 1);
	}
	app_set(app, lf, out);
}

void app_clear(struct application *app)
{
	str_wipe(app, sizeof(*app));
}
