/* Token catalogue parsing and the PIN rules; see catalog.h. */
#include "config.h"
#include "token/catalog.h"
#include "util/i18n.h"
#include "util/ini.h"
#include "util/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tcat_state {
	struct tcat *cat;
	struct tcat_model *cur;
};

/* Hex bytes with optional ':' or blanks between them. */
static int tcat_parse_hex(const char *s, unsigned char *out, size_t max, size_t *n)
{
	size_t k = 0;

	while (*s != '\0') {
		unsigned v;

		if (*s == ':' || *s == ' ') {
			s++;
			continue;
		}
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) || k >= max)
			return -1;
		v = (unsigned)strtoul((char[]){ s[0], s[1], '\0' }, NULL, 16);
		out[k++] = (unsigned char)v;
		s += 2;
	}
	*n = k;
	return 0;
}

static int tcat_int(const char *v, int min, int max, int *out)
{
	char *end;
	long x = strtol(v, &end, 10);

	if (end == v || *end != '\0' || x < min || x > max)
		return -1;
	*out = (int)x;
	return 0;
}

static int tcat_pair(void *ctx, const char *section, const char *key, const char *value,
		     int line, struct gt_err *err)
{
	struct tcat_state *st = ctx;
	struct tcat_model *m;

	if (strncmp(section, "model.", 6) != 0)
		return err_set(err, _("line %d: unknown section [%s]"), line, section);
	if (st->cur == NULL || strcmp(st->cur->key, section + 6) != 0) {
		if (st->cat->n >= TCAT_MAX_MODELS)
			return err_set(err, _("line %d: too many models"), line);
		st->cur = &st->cat->models[st->cat->n++];
		memset(st->cur, 0, sizeof(*st->cur));
		str_copy(st->cur->key, sizeof(st->cur->key), section + 6);
		st->cur->pin_min = 6;
		st->cur->pin_max = 16;
	}
	m = st->cur;
	if (strcmp(key, "name") == 0) {
		str_copy(m->name, sizeof(m->name), value);
	} else if (strcmp(key, "model") == 0) {
		str_copy(m->model, sizeof(m->model), value);
	} else if (strcmp(key, "atr") == 0) {
		if (tcat_parse_hex(value, m->atr, sizeof(m->atr), &m->atr_len) != 0 || m->atr_len < 2)
			return err_set(err, _("line %d: bad ATR"), line);
		if (m->atr_mask[0] == 0)
			memset(m->atr_mask, 0xFF, sizeof(m->atr_mask));
	} else if (strcmp(key, "atr_mask") == 0) {
		size_t n;

		if (tcat_parse_hex(value, m->atr_mask, sizeof(m->atr_mask), &n) != 0)
			return err_set(err, _("line %d: bad ATR mask"), line);
	} else if (strcmp(key, "module") == 0) {
		if (str_copy(m->module, sizeof(m->module), value))
			return err_set(err, _("line %d: path too long"), line);
	} else if (strcmp(key, "pin_min") == 0) {
		if (tcat_int(value, 4, 64, &m->pin_min) != 0)
			return err_set(err, _("line %d: pin_min takes 4 to 64"), line);
	} else if (strcmp(key, "pin_max") == 0) {
		if (tcat_int(value, 4, 64, &m->pin_max) != 0)
			return err_set(err, _("line %d: pin_max takes 4 to 64"), line);
	} else if (strcmp(key, "pin_digits") == 0) {
		m->pin_digits = strcmp(value, "yes") == 0;
	} else if (strcmp(key, "algorithms") == 0) {
		m->rsa2048 = strstr(value, "rsa2048") != NULL;
	} else {
		return err_set(err, _("line %d: unknown key \"%s\" in [%s]"), line, key, section);
	}
	return 0;
}

int tcat_parse(const char *text, size_t len, struct tcat *out, struct gt_err *err)
{
	struct tcat_state st = { out, NULL };

	memset(out, 0, sizeof(*out));
	if (ini_parse(text, len, tcat_pair, &st, err) != 0)
		return -1;
	for (size_t i = 0; i < out->n; i++) {
		struct tcat_model *m = &out->models[i];

		if (m->module[0] == '\0')
			return err_set(err, _("model %s: no module"), m->key);
		if (m->pin_min > m->pin_max)
			return err_set(err, _("model %s: pin_min is above pin_max"), m->key);
		if (m->name[0] == '\0')
			str_copy(m->name, sizeof(m->name), m->key);
	}
	return 0;
}

int tcat_load(const char *path, struct tcat *out, struct gt_err *err)
{
	struct gt_err perr;
	char *text = NULL;
	size_t len;
	int rc;

	if (ini_read_file(path, 1 << 20, &text, &len, err) != 0)
		return err_prefix(err, _("token catalogue"));
	rc = tcat_parse(text, len, out, &perr);
	free(text);
	if (rc != 0)
		return err_set(err, _("token catalogue %s: %s"), path, perr.msg);
	return 0;
}

const struct tcat_model *tcat_by_atr(const struct tcat *cat, const unsigned char *atr,
				     size_t len)
{
	for (size_t i = 0; i < cat->n; i++) {
		const struct tcat_model *m = &cat->models[i];
		size_t k;

		if (m->atr_len == 0 || m->atr_len != len)
			continue;
		for (k = 0; k < len; k++)
			if ((atr[k] & m->atr_mask[k]) != (m->atr[k] & m->atr_mask[k]))
				break;
		if (k == len)
			return m;
	}
	return NULL;
}

const struct tcat_model *tcat_by_model(const struct tcat *cat, const char *model)
{
	char want[64];

	str_copy(want, sizeof(want), model);
	str_trim(want);
	for (size_t i = 0; i < cat->n; i++)
		if (cat->models[i].model[0] != '\0' && strcmp(cat->models[i].model, want) == 0)
			return &cat->models[i];
	return NULL;
}

void tcat_atr_hex(const unsigned char *atr, size_t len, char *out, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < len && o + 4 <= size; i++)
		o += (size_t)snprintf(out + o, size - o, "%s%02X", i ? ":" : "", atr[i]);
}

int tcat_pin_check(const struct tcat_model *m, const char *pin, struct gt_err *err)
{
	size_t n = strlen(pin);
	int same = 1, up = 1, down = 1;

	if ((int)n < m->pin_min || (int)n > m->pin_max)
		return err_set(err, _("The PIN must have %d to %d characters."), m->pin_min,
			       m->pin_max);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pin[i];

		if (c < 0x21 || c > 0x7E)
			return err_set(err, "%s", _("The PIN takes letters, digits and punctuation "
						    "only."));
		if (m->pin_digits && !isdigit(c))
			return err_set(err, "%s", _("The PIN takes digits only."));
		if (i > 0) {
			unsigned char p = (unsigned char)pin[i - 1];

			same &= c == p;
			up &= c == p + 1;
			down &= c + 1 == p;
		}
	}
	if (same)
		return err_set(err, "%s", _("The PIN must not be one character repeated."));
	if (up || down)
		return err_set(err, "%s", _("The PIN must not be a simple sequence such as "
					    "123456."));
	return 0;
}
