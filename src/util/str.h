/* String helpers that know UTF-8: validation, character counts, display
 * widths (CJK characters take two cells), bounded copies that never split a
 * character, and masking of personal numbers for screens and paper. */
#ifndef GUITAI_STR_H
#define GUITAI_STR_H

#include <stddef.h>
#include <stdint.h>

/* Decode one code point from s; returns bytes used (1..4) or 0 when the
 * sequence is not valid UTF-8 (overlong, surrogate, truncated, > U+10FFFF). */
size_t str_utf8_decode(const char *s, uint32_t *cp);

int str_utf8_valid(const char *s);
size_t str_utf8_chars(const char *s);
/* True when s holds a C0/C1 control character, DEL, a line or paragraph
 * separator, or a bidi override/isolate. */
int str_has_control(const char *s);
/* Byte length of the first n characters of s. */
size_t str_utf8_prefix_chars(const char *s, size_t n);
/* Columns s needs on a terminal (wcwidth of each character; 2 for CJK). */
int str_width(const char *s);
/* Byte length of the longest prefix of s that fits in `cols` columns. */
size_t str_prefix_for_width(const char *s, int cols);

/* Copy at most n-1 bytes without cutting a UTF-8 sequence; returns 1 when
 * src had to be truncated. */
int str_copy(char *dst, size_t n, const char *src);
void str_trim(char *s);
void str_upper_ascii(char *s);
int str_is_digits(const char *s, size_t n);

/* Mask the middle of s: keep `head` and `tail` characters, '*' between. */
void str_mask(char *dst, size_t n, const char *s, size_t head, size_t tail);

/* Overwrite memory holding a secret so the compiler cannot drop it. */
void str_wipe(void *p, size_t n);

#endif
