/* UTF-8 and terminal-width helpers; see str.h. Decoding is done here rather
 * than with mbrtowc so validation does not depend on the process locale. */
#include "config.h"
#include "util/str.h"

#include <ctype.h>
#include <string.h>
#include <wchar.h>

size_t str_utf8_decode(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		c = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		c = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

int str_utf8_valid(const char *s)
{
	uint32_t cp;

	while (*s != '\0') {
		size_t n = str_utf8_decode(s, &cp);

		if (n == 0)
			return 0;
		s += n;
	}
	return 1;
}

size_t str_utf8_chars(const char *s)
{
	uint32_t cp;
	size_t count = 0;

	while (*s != '\0') {
		size_t n = str_utf8_decode(s, &cp);

		s += n ? n : 1;
		count++;
	}
	return count;
}

size_t str_utf8_prefix_chars(const char *s, size_t n)
{
	const char *start = s;
	uint32_t cp;

	while (*s != '\0' && n > 0) {
		size_t len = str_utf8_decode(s, &cp);

		s += len ? len : 1;
		n--;
	}
	return (size_t)(s - start);
}

int str_has_control(const char *s)
{
	uint32_t cp;

	while (*s != '\0') {
		size_t n = str_utf8_decode(s, &cp);

		if (n == 0)
			n = 1;
		else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
			 cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
			 (cp >= 0x2066 && cp <= 0x2069))
			/* Line separators and bidi overrides/isolates would let a
			 * name print reversed on the form or hide text. */
			return 1;
		s += n;
	}
	return 0;
}

/* wcwidth is locale-bound; outside a UTF-8 locale it answers -1 for CJK,
 * so fall back to the East Asian wide ranges that matter to us. */
static int str_cp_width(uint32_t cp)
{
	int w = wcwidth((wchar_t)cp);

	if (w >= 0)
		return w;
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

int str_width(const char *s)
{
	uint32_t cp;
	int width = 0;

	while (*s != '\0') {
		size_t n = str_utf8_decode(s, &cp);

		if (n == 0) {
			n = 1;
			cp = '?';
		}
		width += str_cp_width(cp);
		s += n;
	}
	return width;
}

size_t str_prefix_for_width(const char *s, int cols)
{
	const char *start = s;
	uint32_t cp;
	int width = 0;

	while (*s != '\0') {
		size_t n = str_utf8_decode(s, &cp);
		int w;

		if (n == 0) {
			n = 1;
			cp = '?';
		}
		w = str_cp_width(cp);
		if (width + w > cols)
			break;
		width += w;
		s += n;
	}
	return (size_t)(s - start);
}

int str_copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (n == 0)
		return len > 0;
	if (len < n) {
		memcpy(dst, src, len + 1);
		return 0;
	}
	/* Back up to the start of a character so no sequence is cut. */
	len = n - 1;
	while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
		len--;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 1;
}

void str_trim(char *s)
{
	size_t start = 0, end = strlen(s);

	while (s[start] == ' ' || s[start] == '\t' || s[start] == '\r' || s[start] == '\n')
		start++;
	while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' ||
			       s[end - 1] == '\r' || s[end - 1] == '\n'))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
}

void str_upper_ascii(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

int str_is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

void str_mask(char *dst, size_t n, const char *s, size_t head, size_t tail)
{
	size_t chars = str_utf8_chars(s), i = 0, out = 0;
	uint32_t cp;

	if (n == 0)
		return;
	if (chars <= head + tail) {
		/* Too short to keep both ends: hide it all but the first. */
		head = chars > 1 ? 1 : 0;
		tail = 0;
	}
	while (*s != '\0' && out + 5 < n) {
		size_t len = str_utf8_decode(s, &cp);

		if (len == 0)
			len = 1;
		if (i < head || i >= chars - tail) {
			memcpy(dst + out, s, len);
			out += len;
		} else {
			dst[out++] = '*';
		}
		s += len;
		i++;
	}
	dst[out] = '\0';
}

void str_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}
