/* Validators for what an operator types at the counter (see val.h). The
 * rules come from shared/domain/FACTS.md sections 1, 2 and 6; the messages
 * name the exact fault so the operator can fix the field without a manual.
 *
 * Every input first goes through val_prep(), which decides once what raw
 * text is acceptable:
 *  - invalid UTF-8, control characters (C0, DEL, C1) and bidi/line-separator
 *    code points are refused: they cannot be seen on screen, so an operator
 *    could never check what was stored;
 *  - full-width ASCII (U+FF01..U+FF5E, what a Chinese IME in full-width mode
 *    types: "４４０３", "＠") is folded to ASCII, the ideographic full stop
 *    to '.', Unicode dashes to '-', and U+3000 / U+00A0 to a space; this is
 *    normalisation, not an error, because the digits are unambiguous;
 *  - zero-width spaces and BOMs (pasted from web pages) are dropped;
 *  - surrounding white space is dropped.
 * Anything else non-ASCII survives and is then refused by position by the
 * validator ("position 3 must be a digit").
 *
 * Output: on VAL_OK and VAL_WARN `norm` holds the canonical form; on
 * VAL_ERROR it is set to "" so a careless caller cannot store bad data.
 * `msg` is "" on VAL_OK. Both are always NUL-terminated when their size is
 * not 0; a translated message cut short by a small buffer is cut at a
 * character boundary. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/val.h"
#include "util/i18n.h"
#include "util/str.h"

/* Longest input we look at, in code points: an e-mail address is at most
 * 254 characters, everything else here is far shorter. */
#define VAL_MAX 256

struct val_text {
	uint32_t cp[VAL_MAX];
	size_t n;
};

static const char val_uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/* 3^(i-1) mod 31, i = 1..17 (GB 32100). */
static const int val_uscc_weight[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29,
					 25, 13, 8, 24, 10, 30, 28 };
/* 2^(n-1) mod 11 counted from the check position (GB 11643, MOD 11-2). */
static const int val_gb11643_weight[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3,
					    7, 9, 10, 5, 8, 4, 2 };
static const char val_gb11643_table[] = "10X98765432";
static const int val_gb11714_weight[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };

/* Province-level codes that appear on mainland resident ID numbers. */
static const int val_province[] = { 11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33,
				    34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50,
				    51, 52, 53, 54, 61, 62, 63, 64, 65 };

__attribute__((format(printf, 3, 4)))
static void val_msg(char *msg, size_t msgsz, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (msg == NULL || msgsz == 0)
		return;
	va_start(ap, fmt);
	len = vsnprintf(msg, msgsz, fmt, ap);
	va_end(ap);
	if (len < 0) {
		msg[0] = '\0';
		return;
	}
	if ((size_t)len >= msgsz) {
		/* A translation cut mid-character would show as garbage. */
		size_t end = msgsz - 1;

		while (end > 0 && ((unsigned char)msg[end] & 0xC0) == 0x80)
			end--;
		msg[end] = '\0';
	}
}

static void val_clear(char *buf, size_t sz)
{
	if (buf != NULL && sz > 0)
		buf[0] = '\0';
}

/* The caller has already written msg; this only empties norm. */
static int val_error(char *norm, size_t normsz)
{
	val_clear(norm, normsz);
	return VAL_ERROR;
}

/* Store the canonical form. result is VAL_OK or VAL_WARN (msg already set
 * for a warning). A buffer too small for the whole value is a programming
 * error; truncating an ID number silently would be worse than failing. */
static int val_finish(int result, const char *canon, char *norm, size_t normsz,
		      char *msg, size_t msgsz)
{
	if (norm == NULL || strlen(canon) >= normsz) {
		val_clear(norm, normsz);
		val_msg(msg, msgsz, "%s", _("internal error: result buffer too small"));
		return VAL_ERROR;
	}
	memcpy(norm, canon, strlen(canon) + 1);
	if (result == VAL_OK)
		val_clear(msg, msgsz);
	return result;
}

static int val_is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xA0 || c == 0x3000;
}

static int val_is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static int val_is_invisible(uint32_t c)
{
	return c == 0xFEFF || (c >= 0x200B && c <= 0x200D) || c == 0x2060;
}

static uint32_t val_fold(uint32_t c)
{
	if (c >= 0xFF01 && c <= 0xFF5E)
		return c - 0xFEE0;
	if (c == 0x3000 || c == 0xA0)
		return ' ';
	if (c == 0x3002)
		return '.';
	if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212)
		return '-';
	return c;
}

/* Decode, fold and trim `in` into t. Returns 0, or -1 with msg written. */
static int val_prep(const char *in, struct val_text *t, char *msg, size_t msgsz)
{
	size_t total = 0, trailing = 0;

	t->n = 0;
	if (in == NULL)
		in = "";
	while (*in != '\0') {
		uint32_t c;
		size_t used = str_utf8_decode(in, &c);

		if (used == 0) {
			/* TRANSLATORS: validator messages are shown beside the
			 * field's label, which is their subject; keep them
			 * within 40 columns. */
			val_msg(msg, msgsz, "%s", _("contains invalid characters; retype it"));
			return -1;
		}
		in += used;
		if (val_is_invisible(c))
			continue;
		if (val_is_space(c)) {
			/* Leading white space is dropped at once; trailing white
			 * space is only known at the end, so count the run. */
			if (total == 0)
				continue;
			trailing++;
		} else {
			if (val_is_control(c)) {
				val_msg(msg, msgsz, "%s", _("contains a control character"));
				return -1;
			}
			trailing = 0;
		}
		if (total < VAL_MAX)
			t->cp[total] = val_fold(c);
		total++;
	}
	total -= trailing;
	if (total > VAL_MAX) {
		val_msg(msg, msgsz, _("is too long (%d characters)"), (int)total);
		return -1;
	}
	t->n = total;
	for (size_t i = 0; i < t->n; i++) {
		/* Tabs and line breaks inside a value are not separators. */
		if (t->cp[i] != ' ' && val_is_space(t->cp[i])) {
			val_msg(msg, msgsz, "%s", _("contains a control character"));
			return -1;
		}
	}
	if (t->n == 0) {
		val_msg(msg, msgsz, "%s", _("is empty"));
		return -1;
	}
	return 0;
}

static void val_upper(struct val_text *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->cp[i] >= 'a' && t->cp[i] <= 'z')
			t->cp[i] -= 'a' - 'A';
}

static int val_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

static int val_letter(uint32_t c)
{
	return c >= 'A' && c <= 'Z';
}

/* Only called once every code point is known to be ASCII. */
static void val_ascii(const struct val_text *t, char *out)
{
	for (size_t i = 0; i < t->n; i++)
		out[i] = (char)t->cp[i];
	out[t->n] = '\0';
}

static int val_no_spaces(const struct val_text *t, char *msg, size_t msgsz)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->cp[i] == ' ') {
			val_msg(msg, msgsz, "%s", _("must not contain spaces"));
			return -1;
		}
	}
	return 0;
}

static int val_length(const struct val_text *t, size_t want, char *msg, size_t msgsz)
{
	if (t->n == want)
		return 0;
	/* TRANSLATORS: required length, then the length typed. */
	val_msg(msg, msgsz, _("must be %d characters (has %d)"), (int)want, (int)t->n);
	return -1;
}

int val_ymd_valid(int y, int m, int d)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap, max;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	max = days[m - 1] + (m == 2 && leap);
	return d <= max;
}

static int val_uscc_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(val_uscc_alphabet, c);
	return p == NULL ? -1 : (int)(p - val_uscc_alphabet);
}

char val_uscc_check_char(const char *body17)
{
	int sum = 0;

	if (body17 == NULL)
		return 0;
	/* Stops at a NUL before 17, so a short string is never overrun; a
	 * longer one (a whole 18-character code) uses its first 17. */
	for (int i = 0; i < 17; i++) {
		int v = val_uscc_value(body17[i]);

		if (v < 0)
			return 0;
		sum += v * val_uscc_weight[i];
	}
	return val_uscc_alphabet[(31 - sum % 31) % 31];
}

char val_gb11643_check_char(const char *body17)
{
	int sum = 0;

	if (body17 == NULL)
		return 0;
	for (int i = 0; i < 17; i++) {
		if (body17[i] < '0' || body17[i] > '9')
			return 0;
		sum += (body17[i] - '0') * val_gb11643_weight[i];
	}
	return val_gb11643_table[sum % 11];
}

char val_gb11714_check_char(const char *body8)
{
	int sum = 0, c;

	if (body8 == NULL)
		return 0;
	for (int i = 0; i < 8; i++) {
		int v;

		if (body8[i] >= '0' && body8[i] <= '9')
			v = body8[i] - '0';
		else if (body8[i] >= 'A' && body8[i] <= 'Z')
			v = body8[i] - 'A' + 10;
		else
			return 0;
		sum += v * val_gb11714_weight[i];
	}
	c = 11 - sum % 11;
	return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

int val_uscc(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz)
{
	struct val_text t;
	char code[19], want;

	if (val_prep(in, &t, msg, msgsz) < 0 || val_no_spaces(&t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	val_upper(&t);
	if (val_length(&t, 18, msg, msgsz) < 0)
		return val_error(norm, normsz);
	for (size_t i = 0; i < 18; i++) {
		uint32_t c = t.cp[i];
		int pos = (int)i + 1;

		/* Positions 3-8 are the GB/T 2260 division code. */
		if (pos >= 3 && pos <= 8) {
			if (!val_digit(c)) {
				val_msg(msg, msgsz, _("position %d must be a digit"), pos);
				return val_error(norm, normsz);
			}
		} else if (pos == 18 && c > ' ' && c < 0x7F && val_uscc_value((char)c) < 0) {
			/* Not a possible check character, so not a mere warning;
			 * the body is sound, so name the character it should be. */
			val_ascii(&t, code);
			val_msg(msg, msgsz, _("check character should be %c, not %c"),
				val_uscc_check_char(code), code[17]);
			return val_error(norm, normsz);
		} else if (c == 'I' || c == 'O' || c == 'S' || c == 'V' || c == 'Z') {
			val_msg(msg, msgsz, _("position %d: I, O, S, V, Z are not used"), pos);
			return val_error(norm, normsz);
		} else if (!val_digit(c) && !val_letter(c)) {
			val_msg(msg, msgsz, _("position %d must be a digit or letter"), pos);
			return val_error(norm, normsz);
		}
	}
	val_ascii(&t, code);
	want = val_uscc_check_char(code);
	if (want != code[17]) {
		/* Early pilot codes really issued fail this; the operator
		 * compares with the licence and confirms. */
		/* TRANSLATORS: the computed check character, then the typed one. */
		val_msg(msg, msgsz, _("check character should be %c, not %c"), want, code[17]);
		return val_finish(VAL_WARN, code, norm, normsz, msg, msgsz);
	}
	return val_finish(VAL_OK, code, norm, normsz, msg, msgsz);
}

/* Normalised to the GB 11714 printed form "XXXXXXXX-X"; the form without
 * the dash (as inside a USCC) is accepted too. */
int val_org_code(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz)
{
	struct val_text t;
	char code[11], want;

	if (val_prep(in, &t, msg, msgsz) < 0 || val_no_spaces(&t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	val_upper(&t);
	if (t.n == 10 && t.cp[8] == '-') {
		t.cp[8] = t.cp[9];
		t.n = 9;
	}
	if (val_length(&t, 9, msg, msgsz) < 0)
		return val_error(norm, normsz);
	for (size_t i = 0; i < 8; i++) {
		if (!val_digit(t.cp[i]) && !val_letter(t.cp[i])) {
			val_msg(msg, msgsz, _("position %d must be a digit or letter"), (int)i + 1);
			return val_error(norm, normsz);
		}
	}
	if (!val_digit(t.cp[8]) && t.cp[8] != 'X') {
		val_msg(msg, msgsz, _("position %d must be a digit or X"), 9);
		return val_error(norm, normsz);
	}
	val_ascii(&t, code);
	want = val_gb11714_check_char(code);
	if (want != code[8]) {
		val_msg(msg, msgsz, _("check character should be %c, not %c"), want, code[8]);
		return val_error(norm, normsz);
	}
	code[10] = '\0';
	code[9] = code[8];
	code[8] = '-';
	return val_finish(VAL_OK, code, norm, normsz, msg, msgsz);
}

static int val_is_province(uint32_t a, uint32_t b)
{
	int code = (int)(a - '0') * 10 + (int)(b - '0');

	for (size_t i = 0; i < sizeof(val_province) / sizeof(val_province[0]); i++)
		if (val_province[i] == code)
			return 1;
	return 0;
}

static int val_is_hmt_prefix(const struct val_text *t)
{
	return t->cp[0] == '8' && t->cp[1] >= '1' && t->cp[1] <= '3' && t->cp[2] == '0' &&
	       t->cp[3] == '0' && t->cp[4] == '0' && t->cp[5] == '0';
}

/* Three letters and twelve digits: the shape of a 2017 foreigner's card. */
static int val_looks_foreign_2017(const struct val_text *t)
{
	if (t->n != 15)
		return 0;
	for (size_t i = 0; i < 15; i++)
		if (i < 3 ? !val_letter(t->cp[i]) : !val_digit(t->cp[i]))
			return 0;
	return 1;
}

/* Shared by the three 18-character GB 11643-style numbers: length and
 * character classes. A 2017 foreigner's number is recognised here so the
 * operator is told to switch type instead of "must be 18 characters". */
static int val_id18_shape(const struct val_text *t, char *msg, size_t msgsz)
{
	if (val_looks_foreign_2017(t)) {
		val_msg(msg, msgsz, "%s", _("foreigner's ID (2017): choose that type"));
		return -1;
	}
	if (val_no_spaces(t, msg, msgsz) < 0 || val_length(t, 18, msg, msgsz) < 0)
		return -1;
	for (size_t i = 0; i < 17; i++) {
		if (!val_digit(t->cp[i])) {
			val_msg(msg, msgsz, _("position %d must be a digit"), (int)i + 1);
			return -1;
		}
	}
	if (!val_digit(t->cp[17]) && t->cp[17] != 'X') {
		val_msg(msg, msgsz, _("position %d must be a digit or X"), 18);
		return -1;
	}
	return 0;
}

/* Birth date (positions 7-14) and check character. The date comes first:
 * a mistyped digit there is reported where it is, not as a bad check. */
static int val_id18_rest(const char *id, int today_ymd, char *msg, size_t msgsz)
{
	char date[9], want;
	int y = 0, m, d, ymd;

	memcpy(date, id + 6, 8);
	date[8] = '\0';
	for (int i = 0; i < 4; i++)
		y = y * 10 + (date[i] - '0');
	m = (date[4] - '0') * 10 + (date[5] - '0');
	d = (date[6] - '0') * 10 + (date[7] - '0');
	if (!val_ymd_valid(y, m, d)) {
		val_msg(msg, msgsz, _("birth date %s is not a real date"), date);
		return -1;
	}
	if (y < 1900) {
		val_msg(msg, msgsz, _("birth year %d is before 1900"), y);
		return -1;
	}
	ymd = y * 10000 + m * 100 + d;
	if (ymd > today_ymd) {
		val_msg(msg, msgsz, "%s", _("birth date is in the future"));
		return -1;
	}
	want = val_gb11643_check_char(id);
	if (want != id[17]) {
		val_msg(msg, msgsz, _("check character should be %c, not %c"), want, id[17]);
		return -1;
	}
	return 0;
}

/* Old 15-digit numbers are refused, not converted: first-generation cards
 * expired in 2013, and a number converted behind the operator's back
 * would not match the card in front of them. */
int val_citizen_id(const char *in, int today_ymd, char *norm, size_t normsz,
		   char *msg, size_t msgsz)
{
	struct val_text t;
	char id[19];

	if (val_prep(in, &t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	val_upper(&t);
	if (t.n == 15) {
		int digits = 1;

		for (size_t i = 0; i < 15; i++)
			digits &= val_digit(t.cp[i]);
		if (digits) {
			val_msg(msg, msgsz, "%s", _("15-digit numbers must be converted to 18"));
			return val_error(norm, normsz);
		}
	}
	if (val_id18_shape(&t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	if (t.cp[0] == '9') {
		val_msg(msg, msgsz, "%s", _("foreigner's ID (2023): choose that type"));
		return val_error(norm, normsz);
	}
	if (t.cp[0] == '8' && t.cp[1] >= '1' && t.cp[1] <= '3') {
		val_msg(msg, msgsz, "%s", _("HK/Macao/Taiwan permit: choose that type"));
		return val_error(norm, normsz);
	}
	if (!val_is_province(t.cp[0], t.cp[1])) {
		/* TRANSLATORS: %c%c are the first two digits of the ID number. */
		val_msg(msg, msgsz, _("region code %c%c is not a province"), (char)t.cp[0],
			(char)t.cp[1]);
		return val_error(norm, normsz);
	}
	val_ascii(&t, id);
	if (val_id18_rest(id, today_ymd, msg, msgsz) < 0)
		return val_error(norm, normsz);
	return val_finish(VAL_OK, id, norm, normsz, msg, msgsz);
}

int val_hmt_permit(const char *in, int today_ymd, char *norm, size_t normsz,
		   char *msg, size_t msgsz)
{
	struct val_text t;
	char id[19];

	if (val_prep(in, &t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	val_upper(&t);
	if (val_id18_shape(&t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	if (!val_is_hmt_prefix(&t)) {
		if (t.cp[0] == '9')
			val_msg(msg, msgsz, "%s", _("foreigner's ID (2023): choose that type"));
		else if (val_is_province(t.cp[0], t.cp[1]))
			val_msg(msg, msgsz, "%s", _("resident ID number: choose that type"));
		else
			val_msg(msg, msgsz, "%s", _("must start 810000, 820000 or 830000"));
		return val_error(norm, normsz);
	}
	val_ascii(&t, id);
	if (val_id18_rest(id, today_ymd, msg, msgsz) < 0)
		return val_error(norm, normsz);
	return val_finish(VAL_OK, id, norm, normsz, msg, msgsz);
}

/* Only the shape is checked: the finer layout (region, birth date, ICAO
 * check digit) is not confirmed by an official text (FACTS 2.4). */
int val_foreign_2017(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz)
{
	struct val_text t;
	char id[16];

	if (val_prep(in, &t, msg, msgsz) < 0 || val_no_spaces(&t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	val_upper(&t);
	if (t.n == 18 && t.cp[0] == '9' && val_digit(t.cp[1])) {
		val_msg(msg, msgsz, "%s", _("foreigner's ID (2023): choose that type"));
		return val_error(norm, normsz);
	}
	if (val_length(&t, 15, msg, msgsz) < 0)
		return val_error(norm, normsz);
	for (size_t i = 0; i < 15; i++) {
		if (i < 3 && !val_letter(t.cp[i])) {
			val_msg(msg, msgsz, _("position %d must be a letter"), (int)i + 1);
			return val_error(norm, normsz);
		}
		if (i >= 3 && !val_digit(t.cp[i])) {
			val_msg(msg, msgsz, _("position %d must be a digit"), (int)i + 1);
			return val_error(norm, normsz);
		}
	}
	val_ascii(&t, id);
	return val_finish(VAL_OK, id, norm, normsz, msg, msgsz);
}

/* Positions 2-3 (accepting province) are not checked against the list:
 * the layout is known only from quoted examples (FACTS 2.4). */
int val_foreign_2023(const char *in, int today_ymd, char *norm, size_t normsz,
		     char *msg, size_t msgsz)
{
	struct val_text t;
	char id[19];

	if (val_prep(in, &t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	val_upper(&t);
	if (val_id18_shape(&t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	if (t.cp[0] != '9') {
		if (val_is_hmt_prefix(&t))
			val_msg(msg, msgsz, "%s", _("HK/Macao/Taiwan permit: choose that type"));
		else if (val_is_province(t.cp[0], t.cp[1]))
			val_msg(msg, msgsz, "%s", _("resident ID number: choose that type"));
		else
			val_msg(msg, msgsz, "%s", _("must start with 9"));
		return val_error(norm, normsz);
	}
	val_ascii(&t, id);
	if (val_id18_rest(id, today_ymd, msg, msgsz) < 0)
		return val_error(norm, normsz);
	return val_finish(VAL_OK, id, norm, normsz, msg, msgsz);
}

int val_person_id(const char *id_type, const char *in, int today_ymd, char *norm,
		  size_t normsz, char *msg, size_t msgsz)
{
	if (id_type != NULL) {
		if (strcmp(id_type, "resident") == 0)
			return val_citizen_id(in, today_ymd, norm, normsz, msg, msgsz);
		if (strcmp(id_type, "hmt_permit") == 0)
			return val_hmt_permit(in, today_ymd, norm, normsz, msg, msgsz);
		if (strcmp(id_type, "foreign_2017") == 0)
			return val_foreign_2017(in, norm, normsz, msg, msgsz);
		if (strcmp(id_type, "foreign_2023") == 0)
			return val_foreign_2023(in, today_ymd, norm, normsz, msg, msgsz);
	}
	val_msg(msg, msgsz, "%s", _("unknown document type"));
	return val_error(norm, normsz);
}

/* True for a normalised 18-character GB 11643-style number. The check
 * character is not recomputed: these are for numbers that passed. */
static int val_is_norm18(const char *s)
{
	if (s == NULL || strlen(s) != 18 || !str_is_digits(s, 17))
		return 0;
	return (s[17] >= '0' && s[17] <= '9') || s[17] == 'X';
}

int val_id_birth_ymd(const char *norm)
{
	int y = 0, m, d;

	if (!val_is_norm18(norm))
		return 0;
	for (int i = 6; i < 10; i++)
		y = y * 10 + (norm[i] - '0');
	m = (norm[10] - '0') * 10 + (norm[11] - '0');
	d = (norm[12] - '0') * 10 + (norm[13] - '0');
	return val_ymd_valid(y, m, d) ? y * 10000 + m * 100 + d : 0;
}

int val_id_gender(const char *norm)
{
	if (!val_is_norm18(norm))
		return 0;
	return (norm[16] - '0') % 2 == 1 ? 1 : 2;
}

int val_mobile(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz)
{
	struct val_text t;
	char digits[VAL_MAX + 1];
	size_t nd = 0, start = 0;
	int plus = 0;

	if (val_prep(in, &t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	if (t.cp[0] == '+') {
		plus = 1;
		start = 1;
	}
	for (size_t i = start; i < t.n; i++) {
		if (val_digit(t.cp[i]))
			digits[nd++] = (char)t.cp[i];
		else if (t.cp[i] != ' ' && t.cp[i] != '-') {
			val_msg(msg, msgsz, "%s", _("only digits, spaces and dashes allowed"));
			return val_error(norm, normsz);
		}
	}
	digits[nd] = '\0';
	if (plus) {
		if (strncmp(digits, "86", 2) != 0) {
			val_msg(msg, msgsz, "%s", _("only mainland (+86) numbers accepted"));
			return val_error(norm, normsz);
		}
		memmove(digits, digits + 2, nd - 1);
		nd -= 2;
	} else if (nd == 15 && strncmp(digits, "0086", 4) == 0) {
		memmove(digits, digits + 4, nd - 3);
		nd -= 4;
	} else if (nd == 13 && strncmp(digits, "86", 2) == 0) {
		memmove(digits, digits + 2, nd - 1);
		nd -= 2;
	}
	if (nd != 11) {
		val_msg(msg, msgsz, _("must be 11 digits (has %d)"), (int)nd);
		return val_error(norm, normsz);
	}
	if (digits[0] != '1' || digits[1] < '3') {
		val_msg(msg, msgsz, _("must start with 13-19, not %c%c"), digits[0], digits[1]);
		return val_error(norm, normsz);
	}
	return val_finish(VAL_OK, digits, norm, normsz, msg, msgsz);
}

static int val_atext(uint32_t c)
{
	return val_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != 0 && c < 0x80 && strchr("!#$%&'*+/=?^_`{|}~-", (int)c) != NULL);
}

/* Pragmatic, not RFC 5321: no quoted local parts, no address literals, no
 * internationalised addresses. The local part is kept as typed (it may be
 * case-sensitive); the domain is lower-cased. */
int val_email(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz)
{
	struct val_text t;
	char addr[VAL_MAX + 1];
	size_t at = 0, ats = 0, label = 0, last_dot = 0, dots = 0;
	int tld_letter = 0;

	if (val_prep(in, &t, msg, msgsz) < 0 || val_no_spaces(&t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	for (size_t i = 0; i < t.n; i++) {
		if (t.cp[i] >= 0x80) {
			val_msg(msg, msgsz, "%s", _("only ASCII characters are allowed"));
			return val_error(norm, normsz);
		}
		if (t.cp[i] == '@') {
			at = i;
			ats++;
		}
	}
	if (ats == 0) {
		val_msg(msg, msgsz, "%s", _("must contain @"));
		return val_error(norm, normsz);
	}
	if (ats > 1) {
		val_msg(msg, msgsz, "%s", _("must contain only one @"));
		return val_error(norm, normsz);
	}
	if (t.n > 254) {
		val_msg(msg, msgsz, _("is too long (%d characters)"), (int)t.n);
		return val_error(norm, normsz);
	}
	if (at == 0) {
		val_msg(msg, msgsz, "%s", _("nothing before @"));
		return val_error(norm, normsz);
	}
	if (at > 64) {
		val_msg(msg, msgsz, "%s", _("part before @ is over 64 characters"));
		return val_error(norm, normsz);
	}
	for (size_t i = 0; i < at; i++) {
		uint32_t c = t.cp[i];

		if (c == '.') {
			if (i == 0 || i + 1 == at || t.cp[i + 1] == '.') {
				val_msg(msg, msgsz, "%s", _("part before @ has a misplaced dot"));
				return val_error(norm, normsz);
			}
		} else if (!val_atext(c)) {
			val_msg(msg, msgsz, _("%c is not allowed before @"), (char)c);
			return val_error(norm, normsz);
		}
	}
	if (at + 1 == t.n) {
		val_msg(msg, msgsz, "%s", _("nothing after @"));
		return val_error(norm, normsz);
	}
	for (size_t i = at + 1; i <= t.n; i++) {
		uint32_t c = i < t.n ? t.cp[i] : '.';

		if (c == '.') {
			if (label == 0) {
				val_msg(msg, msgsz, "%s", _("domain: empty part between dots"));
				return val_error(norm, normsz);
			}
			if (label > 63) {
				val_msg(msg, msgsz, "%s", _("domain: part over 63 characters"));
				return val_error(norm, normsz);
			}
			if (t.cp[i - 1] == '-' || t.cp[i - label] == '-') {
				val_msg(msg, msgsz, "%s", _("domain: part starts or ends with -"));
				return val_error(norm, normsz);
			}
			if (i < t.n) {
				dots++;
				last_dot = i;
			}
			label = 0;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			t.cp[i] = c = c - 'A' + 'a';
		if (!val_digit(c) && !(c >= 'a' && c <= 'z') && c != '-') {
			val_msg(msg, msgsz, _("domain: %c is not allowed"), (char)c);
			return val_error(norm, normsz);
		}
		label++;
	}
	if (dots == 0) {
		val_msg(msg, msgsz, "%s", _("domain must contain a dot"));
		return val_error(norm, normsz);
	}
	for (size_t i = last_dot + 1; i < t.n; i++)
		tld_letter |= t.cp[i] >= 'a' && t.cp[i] <= 'z';
	if (!tld_letter) {
		val_msg(msg, msgsz, "%s", _("domain must end in a name like .com"));
		return val_error(norm, normsz);
	}
	val_ascii(&t, addr);
	return val_finish(VAL_OK, addr, norm, normsz, msg, msgsz);
}

int val_postcode(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz)
{
	struct val_text t;
	char code[7];

	if (val_prep(in, &t, msg, msgsz) < 0 || val_no_spaces(&t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	if (t.n != 6) {
		val_msg(msg, msgsz, _("must be 6 digits (has %d)"), (int)t.n);
		return val_error(norm, normsz);
	}
	for (size_t i = 0; i < 6; i++) {
		if (!val_digit(t.cp[i])) {
			val_msg(msg, msgsz, _("position %d must be a digit"), (int)i + 1);
			return val_error(norm, normsz);
		}
	}
	val_ascii(&t, code);
	return val_finish(VAL_OK, code, norm, normsz, msg, msgsz);
}

int val_date(const char *in, char *norm, size_t normsz, char *msg, size_t msgsz)
{
	struct val_text t;
	char date[11];
	int y, m, d, dashed;

	if (val_prep(in, &t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	dashed = t.n == 10 && t.cp[4] == '-' && t.cp[7] == '-';
	if (t.n != 8 && !dashed)
		goto shape;
	for (size_t i = 0; i < t.n; i++)
		if (!(dashed && (i == 4 || i == 7)) && !val_digit(t.cp[i]))
			goto shape;
	val_ascii(&t, date);
	if (!dashed) {
		/* YYYYMMDD -> YYYY-MM-DD in place (the buffer holds 11). */
		memmove(date + 8, date + 6, 3);
		memmove(date + 5, date + 4, 2);
		date[4] = date[7] = '-';
	}
	y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 +
	    (date[3] - '0');
	m = (date[5] - '0') * 10 + (date[6] - '0');
	d = (date[8] - '0') * 10 + (date[9] - '0');
	if (!val_ymd_valid(y, m, d)) {
		val_msg(msg, msgsz, _("%s is not a real date"), date);
		return val_error(norm, normsz);
	}
	return val_finish(VAL_OK, date, norm, normsz, msg, msgsz);
shape:
	val_msg(msg, msgsz, "%s", _("use YYYY-MM-DD, e.g. 2024-01-31"));
	return val_error(norm, normsz);
}

int val_luhn_ok(const char *digits)
{
	size_t n = strlen(digits);
	int sum = 0;

	if (n < 2)
		return 0;
	/* From the right: every second digit doubled, 10-18 less 9. */
	for (size_t i = 0; i < n; i++) {
		int d = digits[n - 1 - i] - '0';

		if (d < 0 || d > 9)
			return 0;
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

int val_bank_account(const char *method, const char *in, char *norm, size_t normsz, char *msg,
		     size_t msgsz)
{
	int card = method != NULL && strcmp(method, "card") == 0;
	int min = card ? VAL_CARD_MIN : VAL_ACCOUNT_MIN, max = card ? VAL_CARD_MAX : VAL_ACCOUNT_MAX;
	char digits[VAL_MAX + 1];
	struct val_text t;
	size_t nd = 0;

	if (val_prep(in, &t, msg, msgsz) < 0)
		return val_error(norm, normsz);
	/* Spaces come from how the number is printed on a card or voucher
	 * (6222 0212 3456 7890); they are not part of it. */
	for (size_t i = 0; i < t.n; i++) {
		if (val_digit(t.cp[i]))
			digits[nd++] = (char)t.cp[i];
		else if (t.cp[i] != ' ') {
			val_msg(msg, msgsz, "%s", _("only digits and spaces allowed"));
			return val_error(norm, normsz);
		}
	}
	digits[nd] = '\0';
	if ((int)nd < min || (int)nd > max) {
		val_msg(msg, msgsz, card ? _("card number: %d to %d digits (has %d)")
					 : _("account number: %d to %d digits (has %d)"),
			min, max, (int)nd);
		return val_error(norm, normsz);
	}
	if (card && !val_luhn_ok(digits)) {
		val_msg(msg, msgsz, "%s", _("card number check digit is wrong"));
		str_wipe(digits, sizeof(digits));
		return val_error(norm, normsz);
	}
	{
		int rc = val_finish(VAL_OK, digits, norm, normsz, msg, msgsz);

		str_wipe(digits, sizeof(digits));
		return rc;
	}
}

void val_account_mask(const char *digits, char *out, size_t size)
{
	size_t n = strlen(digits), at = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	if (n <= 8) {
		/* Too short to show both ends: the last four only. */
		for (size_t i = 0; i < n && at + 1 < size; i++)
			out[at++] = i + 4 < n ? '*' : digits[i];
		out[at] = '\0';
		return;
	}
	/* 6222 **** **** 1234: the first and last four, the rest hidden in
	 * groups of four (the groups tell the length, as on a card). */
	for (size_t i = 0; i < n && at + 2 < size; i++) {
		if (i > 0 && ((i % 4 == 0 && i < n - 4) || i == n - 4) && out[at - 1] != ' ')
			out[at++] = ' ';
		out[at++] = i < 4 || i >= n - 4 ? digits[i] : '*';
	}
	out[at] = '\0';
}
