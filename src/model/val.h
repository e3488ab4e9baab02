/* Validators for the identity data a counter takes: USCC (GB 32100),
 * organisation code (GB 11714), citizen ID (GB 11643), HK/Macao/Taiwan
 * residence permit, foreign permanent resident ID (2017 and 2023), mobile,
 * e-mail, postcode and dates. Pure functions: no I/O, no clock (the caller
 * passes today's date), no allocation.
 *
 * Every validator takes the raw input, writes its normalised form into
 * `norm` (trimmed; upper-case where the standard says so, e.g. x -> X) and,
 * when the result is not VAL_OK, a translated message for the operator into
 * `msg` — specific enough to fix the field ("check character should be T"). */
#ifndef GUITAI_VAL_H
#define GUITAI_VAL_H

#include <stddef.h>

enum val_result {
	VAL_OK = 0,
	VAL_WARN = 1,  /* acceptable after the operator confirms (USCC check) */
	VAL_ERROR = 2,
};

/* Check characters; 0 when the 17-character body is not well formed. */
char val_uscc_check_char(const char *body17);
char val_gb11643_check_char(const char *body17);
char val_gb11714_check_char(const char *body8);

/* Calendar check; also used for dates from ID cards. */
int val_ymd_valid(int y, int m, int d);

/* USCC: shape errors are VAL_ERROR; a wrong check character is VAL_WARN
 * (real pilot codes fail it). */
int val_uscc(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz);
int val_org_code(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz);

/* Personal document numbers. today_ymd is YYYYMMDD (birth dates after it
 * are refused). */
int val_citizen_id(const char *in, int today_ymd, char *norm, size_t normsz,
		   char *msg, size_t msgsz);
int val_hmt_permit(const char *in, int today_ymd, char *norm, size_t normsz,
		   char *msg, size_t msgsz);
int val_foreign_2017(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz);
int val_foreign_2023(const char *in, int today_ymd, char *norm, size_t normsz,
		     char *msg, size_t msgsz);
/* Dispatch on the batch id_type: resident | hmt_permit | foreign_2017 |
 * foreign_2023. An unknown type is VAL_ERROR. */
int val_person_id(const char *id_type, const char *in, int today_ymd, char *norm,
		  size_t normsz, char *msg, size_t msgsz);

/* For numbers that passed: YYYYMMDD and 1 male / 2 female (0 unknown). */
int val_id_birth_ymd(const char *norm);
int val_id_gender(const char *norm);

/* Mainland mobile: 11 digits 1[3-9]...; a +86/86 prefix, spaces and dashes
 * are accepted and dropped. */
int val_mobile(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz);
int val_email(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz);
/* Six digits; a leading 0 is valid (010000 Hohhot). */
int val_postcode(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz);
/* YYYY-MM-DD or YYYYMMDD, a real date; normalised to YYYY-MM-DD. */
int val_date(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz);

/* The payer's bank card (method "card": 12 to 19 digits and the Luhn
 * check digit of ISO/IEC 7812) or bank account (a transfer: 8 to 32
 * digits). Spaces between digits are accepted and dropped; the norm is
 * the digits alone. */
#define VAL_CARD_MIN 12
#define VAL_CARD_MAX 19
#define VAL_ACCOUNT_MIN 8
#define VAL_ACCOUNT_MAX 32
int val_bank_account(const char *method, const char *in, char *norm, size_t normsz, char *msg,
		     size_t msgsz);
/* 1 when the last digit is the Luhn check digit of the others. */
int val_luhn_ok(const char *digits);
/* "6222021234567890" -> "6222 **** **** 7890" (the first and last four;
 * the hidden digits in groups of four); 8 digits or fewer: the last four
 * only. */
void val_account_mask(const char *digits, char *out, size_t size);

#endif
