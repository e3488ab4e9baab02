/* Checks on what a card says before it may fill an application: the
 * number's check character (through the model's validators), the birth
 * date and gender agreeing with the number, and the card being within its
 * validity on the given day. A card that fails is refused with a message
 * the operator can act on; an expired card cannot be used to apply. Pure:
 * the caller passes today's date. */
#ifndef GUITAI_IDCARD_VERIFY_H
#define GUITAI_IDCARD_VERIFY_H

#include <stddef.h>
#include "idcard/text.h"
#include "util/err.h"

enum idc_verify_result {
	IDC_VERIFY_OK = 0,
	IDC_VERIFY_BAD_NUMBER,    /* shape or check character wrong */
	IDC_VERIFY_BAD_DATE,      /* a date on the card is not a real date */
	IDC_VERIFY_MISMATCH,      /* birth date or gender disagree with the number */
	IDC_VERIFY_NOT_YET_VALID, /* valid-from is after today */
	IDC_VERIFY_EXPIRED,       /* valid-to is before today */
};

/* Check t on today_ymd (YYYYMMDD). The normalised number goes to norm (""
 * when the number is refused). Returns IDC_VERIFY_OK, or the first problem
 * with a translated message in err. */
enum idc_verify_result idc_verify(const struct idc_text *t, int today_ymd, char *norm,
				  size_t normsz, struct gt_err *err);

/* YYYYMMDD as YYYY-MM-DD for people; anything else (长期, junk) is copied. */
void idc_verify_date_iso(const char *ymd, char *out, size_t outsz);

/* Today's date in local time as YYYYMMDD. */
int idc_verify_today(void);

#endif
