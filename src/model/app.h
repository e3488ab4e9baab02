/* The application record: every field of the SZCA organisation-certificate
 * application form (Ⅰ 证书信息, Ⅱ 单位基本信息, Ⅲ 经办人信息, Ⅳ 授权委托),
 * plus the legal representative, e-seal choice, invoice and payment.
 *
 * Values are kept as normalised UTF-8 strings in fixed buffers so a record
 * can be copied, compared and serialised without allocation. A table
 * (app_fields) describes each field once — its batch name (section.key),
 * label, kind, limits and flags — and the batch reader, the draft store, the
 * wizard screens and the review all work from that table. */
#ifndef GUITAI_APP_H
#define GUITAI_APP_H

#include <stddef.h>
#include "util/err.h"

#define APP_NO_MAX 32
#define APP_VALUE_MAX 512 /* bytes; the longest field is 120 characters */

enum app_field {
	/* Ⅰ 证书信息 */
	AF_SERVICE,
	AF_PROJECT,
	AF_CERT_TYPE,
	AF_TERM_YEARS,
	AF_ESEAL,
	/* Ⅱ 单位基本信息 */
	AF_ORG_NAME,
	AF_ORG_ID_TYPE,
	AF_ORG_ID_NUMBER,
	AF_ORG_ID_OVERRIDE,
	AF_ORG_ID_OVERRIDE_BY,  /* the supervisor who approved the override */
	AF_ORG_PROVINCE,
	AF_ORG_CITY,
	AF_ORG_COUNTY,
	AF_ORG_ADDRESS,
	AF_ORG_POSTCODE,
	AF_ORG_PHONE,
	/* legal representative */
	AF_REP_NAME,
	AF_REP_ID_TYPE,
	AF_REP_ID_NUMBER,
	AF_REP_GENDER,          /* from here to CARD_FIELDS: what the ID */
	AF_REP_NATION,          /* card's chip holds, filled by a read  */
	AF_REP_BIRTH,
	AF_REP_ADDRESS,
	AF_REP_ISSUER,
	AF_REP_VALID_FROM,
	AF_REP_VALID_TO,
	AF_REP_CARD_READ_AT,    /* when the card was read ("" = typed) */
	AF_REP_CARD_FIELDS,     /* keys still as read from the card */
	/* Ⅲ 经办人信息 */
	AF_HDL_NAME,
	AF_HDL_ID_TYPE,
	AF_HDL_ID_NUMBER,
	AF_HDL_MOBILE,
	AF_HDL_EMAIL,
	AF_HDL_POSITION,
	AF_HDL_GENDER,
	AF_HDL_NATION,
	AF_HDL_BIRTH,
	AF_HDL_ADDRESS,
	AF_HDL_ISSUER,
	AF_HDL_VALID_FROM,
	AF_HDL_VALID_TO,
	AF_HDL_CARD_READ_AT,
	AF_HDL_CARD_FIELDS,
	/* Ⅳ 授权委托: the authorisation runs from this date until the matter
	 * is concluded (the form's wording). */
	AF_AUTH_FROM,
	/* invoice */
	AF_INV_ELECTRONIC,
	AF_INV_TITLE,
	AF_INV_TAX_NUMBER,
	/* payment */
	AF_PAY_METHOD,
	AF_PAY_REFERENCE,
	AF_PAY_ACCOUNT,         /* the payer's card or bank account (card, transfer) */
	AF_COUNT
};

enum app_kind {
	AK_TEXT,
	AK_CHOICE,   /* one of a fixed list (app_choices) */
	AK_CATALOG,  /* one of the catalogue's projects */
	AK_REGION,   /* a GB/T 2260 code chosen from a list */
	AK_DATE,
};

enum {
	AFF_REQUIRED = 1 << 0, /* always required */
	AFF_PII = 1 << 1,      /* personal data: masked on screen and paper */
	AFF_UPPER = 1 << 2,    /* ASCII letters upper-cased */
	AFF_NOSPACE = 1 << 3,  /* white space removed (numbers) */
	AFF_CARD = 1 << 4,     /* read from an ID card; not on the entry screens */
};

/* The two people whose ID card can be read. */
enum app_person {
	APP_LEGAL_REP,
	APP_HANDLER,
};

/* A person's fields, in the order of AF_REP_* (same for AF_HDL_*). */
enum app_person_field {
	APF_NAME,
	APF_ID_TYPE,
	APF_ID_NUMBER,
	APF_GENDER,
	APF_NATION,
	APF_BIRTH,
	APF_ADDRESS,
	APF_ISSUER,
	APF_VALID_FROM,
	APF_VALID_TO,
	APF_CARD_READ_AT,
	APF_CARD_FIELDS,
	APF_COUNT
};

struct app_choice {
	const char *value;  /* batch / stored value */
	const char *label;  /* N_() English label */
};

struct app_field_def {
	const char *section;
	const char *key;
	const char *label;     /* N_() English label */
	const char *help;      /* N_() one line shown in F1 help */
	enum app_kind kind;
	unsigned max_chars;
	unsigned flags;
	const struct app_choice *choices; /* AK_CHOICE: NULL-terminated */
};

extern const struct app_field_def app_fields[AF_COUNT];

enum app_status {
	APP_DRAFT,       /* being entered */
	APP_SUBMITTED,   /* reviewed and accepted; ready for the next steps */
	APP_CANCELLED,
};

struct application {
	char app_no[APP_NO_MAX];
	enum app_status status;
	int step;               /* wizard step reached (flow's numbering) */
	long long created_at;   /* unix seconds */
	long long updated_at;
	char operator_name[64];
	char values[AF_COUNT][APP_VALUE_MAX];
};

/* Empty record with the defaults the seed names: service new, e-seal yes,
 * organisation id type USCC, ID type resident, electronic invoice yes. */
void app_init(struct application *app);

const char *app_get(const struct application *app, enum app_field f);
/* Store `value` normalised for the field (trim, upper-case, spaces out).
 * Returns 1 when it is longer than the field allows (kept as far as the
 * buffer holds, so check_field reports it), else 0. */
int app_set(struct application *app, enum app_field f, const char *value);

/* Field by batch name; -1 when unknown. */
int app_field_by_name(const char *section, const char *key);
/* True when the section is one of the record's sections. */
int app_section_known(const char *section);

/* Label of a choice value ("wechat" -> "WeChat Pay"), NULL when unknown. */
const char *app_choice_label(enum app_field f, const char *value);

/* Serialise to / from the batch INI format (every non-empty field). The
 * text form is also how drafts are stored (encrypted) in the database. */
int app_to_ini(const struct application *app, char *buf, size_t size);
/* Unknown sections and keys are errors naming the line. */
int app_from_ini(struct application *app, const char *text, size_t len, struct gt_err *err);

/* Masked copy of a value for screens and receipts when the field is PII. */
void app_display_value(const struct application *app, enum app_field f, char *out,
		       size_t size, int reveal);

/* The field of a person, e.g. (APP_HANDLER, APF_ID_NUMBER). */
enum app_field app_person_field(enum app_person who, enum app_person_field pf);
/* Which person a field belongs to; -1 for neither. */
int app_field_person(enum app_field f);
/* The operator changed field f after a card read: it no longer counts as
 * read from the card (card_fields loses its key). */
void app_card_field_edited(struct application *app, enum app_field f);

/* Wipe the record's memory (it holds personal data). */
void app_clear(struct application *app);

#endif
