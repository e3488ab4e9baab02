/* err_set/err_prefix: the formatting half of the error convention in err.h. */
#include "config.h"
#include "util/err.h"
#include "util/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int err_vset(struct gt_err *err, int invalid, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static int err_vset(struct gt_err *err, int invalid, const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	err->invalid = invalid;
	return -1;
}

int err_set(struct gt_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int err_invalid(struct gt_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, 1, fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(struct gt_err *err, const char *fmt, ...)
{
	char prefix[256], old[sizeof(err->msg)];
	size_t plen;
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	plen = strlen(prefix);
	if (plen > sizeof(err->msg) - 3)
		plen = sizeof(err->msg) - 3;
	memcpy(err->msg, prefix, plen);
	memcpy(err->msg + plen, ": ", 2);
	str_copy(err->msg + plen + 2, sizeof(err->msg) - plen - 2, old);
	return -1;
}
