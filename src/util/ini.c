/* INI parsing for configuration, catalogue, batch files and drafts; see ini.h
 * for the accepted syntax. Parsing works on a copy of one line at a time so
 * the input buffer is never modified. */
#include "config.h"
#include "util/ini.h"
#include "util/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INI_LINE_MAX 4096
#define INI_SECTION_MAX 128

static int ini_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static char *ini_trim(char *s)
{
	char *end;

	while (ini_is_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && ini_is_space(end[-1]))
		*--end = '\0';
	return s;
}

/* Cut an inline comment: ';' or '#' at the start or after white space. */
static void ini_cut_comment(char *s)
{
	for (char *p = s; *p != '\0'; p++) {
		if ((*p == ';' || *p == '#') && (p == s || ini_is_space(p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

/* A value in double quotes is taken as written: ';' and '#' inside are
 * data, and \" \\ \n \t are escapes. Decodes in place; what follows the
 * closing quote may only be a comment. */
static int ini_unquote(char *s)
{
	char *r = s + 1, *w = s;

	for (; *r != '\0' && *r != '"'; r++) {
		if (*r == '\\') {
			r++;
			if (*r == 'n')
				*w++ = '\n';
			else if (*r == 't')
				*w++ = '\t';
			else if (*r == '"' || *r == '\\')
				*w++ = *r;
			else
				return -1;
		} else {
			*w++ = *r;
		}
	}
	if (*r != '"')
		return -1;
	r++;
	while (ini_is_space(*r))
		r++;
	if (*r != '\0' && *r != ';' && *r != '#')
		return -1;
	*w = '\0';
	return 0;
}

int ini_quote(const char *value, char *out, size_t size)
{
	size_t w = 0;
	int needs = value[0] == '"' || value[0] == ' ' || value[0] == '\t';

	for (const char *p = value; *p != '\0' && !needs; p++)
		needs = *p == ';' || *p == '#' || *p == '\n' || *p == '\t' || *p == '\r' ||
			(p[1] == '\0' && (*p == ' '));
	if (!needs) {
		size_t n = strlen(value);

		if (n >= size)
			return -1;
		memcpy(out, value, n + 1);
		return 0;
	}
	if (size < 3)
		return -1;
	out[w++] = '"';
	for (const char *p = value; *p != '\0'; p++) {
		const char *esc = *p == '"' ? "\\\"" : *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" :
				  *p == '\t' ? "\\t" : NULL;
		size_t n = esc ? 2 : 1;

		if (w + n + 2 > size)
			return -1;
		if (esc != NULL)
			memcpy(out + w, esc, 2);
		else
			out[w] = *p;
		w += n;
	}
	out[w++] = '"';
	out[w] = '\0';
	return 0;
}

int ini_parse(const char *text, size_t len, ini_pair_fn fn, void *ctx,
	      struct gt_err *err)
{
	char section[INI_SECTION_MAX] = "";
	char line[INI_LINE_MAX];
	size_t pos = 0;
	int lineno = 0;

	/* A UTF-8 byte-order mark, as Windows editors write it, is not data. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *s, *eq, *key, *value;

		lineno++;
		if (n >= sizeof(line))
			return err_set(err, _("line %d: line is too long (over %d bytes)"),
				       lineno, INI_LINE_MAX - 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n) != NULL)
			return err_set(err, _("line %d: contains a NUL byte"), lineno);

		s = ini_trim(line);
		if (*s == '\0' || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			char *name;

			if (close == NULL)
				return err_set(err, _("line %d: section header without ']'"), lineno);
			*close = '\0';
			ini_cut_comment(close + 1);
			if (*ini_trim(close + 1) != '\0')
				return err_set(err, _("line %d: text after section header"), lineno);
			name = ini_trim(s + 1);
			if (*name == '\0' || strlen(name) >= sizeof(section))
				return err_set(err, _("line %d: bad section name"), lineno);
			snprintf(section, sizeof(section), "%s", name);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL)
			return err_set(err, _("line %d: expected \"key = value\""), lineno);
		*eq = '\0';
		key = ini_trim(s);
		value = ini_trim(eq + 1);
		if (*value == '"') {
			if (ini_unquote(value) != 0)
				return err_set(err, _("line %d: unterminated or bad quoted value"), lineno);
		} else {
			ini_cut_comment(value);
			value = ini_trim(value);
		}
		if (*key == '\0')
			return err_set(err, _("line %d: empty key"), lineno);
		if (fn(ctx, section, key, value, lineno, err) != 0)
			return -1;
	}
	return 0;
}

int ini_read_file(const char *path, size_t max_bytes, char **out, size_t *out_len,
		  struct gt_err *err)
{
	FILE *f = NULL;
	char *buf = NULL;
	struct stat st;
	size_t got;
	int rc = -1;

	f = fopen(path, "rb");
	if (f == NULL) {
		err_set(err, _("%s: cannot open: %s"), path, strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		err_set(err, _("%s: not a regular file"), path);
		goto out;
	}
	if ((size_t)st.st_size > max_bytes) {
		err_set(err, _("%s: file is too large (%lld bytes, at most %zu)"),
			path, (long long)st.st_size, max_bytes);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		err_set(err, _("out of memory"));
		goto out;
	}
	got = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		err_set(err, _("%s: cannot read: %s"), path, strerror(errno));
		goto out;
	}
	buf[got] = '\0';
	*out = buf;
	*out_len = got;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}
