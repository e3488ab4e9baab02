/* Card checks; see verify.h. The number goes through the same validator the
 * manual entry uses (model/val.h), so a number typed and a number read are
 * held to one rule. */
#include "config.h"
#include "idcard/verify.h"
#include "model/val.h"
#include "util/i18n.h"
#include "util/str.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* YYYYMMDD that is a real date, or 0. */
static int idc_verify_ymd(const char *s)
{
	int y, m, d;

	if (strlen(s) != 8 || !str_is_digits(s, 8))
		return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[4] - '0') * 10 + (s[5] - '0');
	d = (s[6] - '0') * 10 + (s[7] - '0');
	return val_ymd_valid(y, m, d) ? y * 10000 + m * 100 + d : 0;
}

void idc_verify_date_iso(const char *ymd, char *out, size_t outsz)
{
	if (idc_verify_ymd(ymd) != 0)
		snprintf(out, outsz, "%.4s-%.2s-%.2s", ymd, ymd + 4, ymd + 6);
	else
		str_copy(out, outsz, ymd);
}

int idc_verify_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL)
		return 0;
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

enum idc_verify_result idc_verify(const struct idc_text *t, int today_ymd, char *norm,
				  size_t normsz, struct gt_err *err)
{
	char msg[256] = "", iso[32];
	int birth, from, to = 0;

	if (normsz > 0)
		norm[0] = '\0';
	if (val_person_id(idc_text_type_id(t->type), t->number, today_ymd, norm, normsz,
			  msg, sizeof(msg)) != VAL_OK) {
		if (normsz > 0)
			norm[0] = '\0';
		err_set(err, _("The number on the card is not valid (%s): the card cannot be "
			       "used; enter the details by hand and check the document."), msg);
		return IDC_VERIFY_BAD_NUMBER;
	}

	birth = idc_verify_ymd(t->birth);
	if (birth == 0 || birth > today_ymd) {
		err_set(err, _("The birth date on the card (%s) is not a real date."), t->birth);
		return IDC_VERIFY_BAD_DATE;
	}
	/* The 2017 foreigner number's inner layout is unconfirmed (FACTS 2.4),
	 * so only the 18-digit numbers are compared with the card. */
	if (t->type != IDC_CARD_FOREIGN_2017) {
		if (val_id_birth_ymd(norm) != birth) {
			idc_verify_date_iso(t->birth, iso, sizeof(iso));
			err_set(err, _("The birth date on the card (%s) does not agree with the "
				       "number on it."), iso);
			return IDC_VERIFY_MISMATCH;
		}
		if ((strcmp(t->gender, "1") == 0 || strcmp(t->gender, "2") == 0) &&
		    val_id_gender(norm) != t->gender[0] - '0') {
			err_set(err, "%s", _("The gender on the card does not agree with the "
					     "number on it."));
			return IDC_VERIFY_MISMATCH;
		}
	}

	from = idc_verify_ymd(t->valid_from);
	if (!t->long_term)
		to = idc_verify_ymd(t->valid_to);
	if (from == 0 || (!t->long_term && (to == 0 || to < from))) {
		err_set(err, _("The validity period on the card (%s to %s) is not readable."),
			t->valid_from, t->valid_to);
		return IDC_VERIFY_BAD_DATE;
	}
	if (from > today_ymd) {
		idc_verify_date_iso(t->valid_from, iso, sizeof(iso));
		err_set(err, _("This card is valid only from %s: it cannot be used yet."), iso);
		return IDC_VERIFY_NOT_YET_VALID;
	}
	/* The last day printed is still a valid day. */
	if (!t->long_term && to < today_ymd) {
		idc_verify_date_iso(t->valid_to, iso, sizeof(iso));
		err_set(err, _("This card expired on %s: an expired card cannot be used to "
			       "apply. Ask for a valid ID document."), iso);
		return IDC_VERIFY_EXPIRED;
	}
	return IDC_VERIFY_OK;
}
