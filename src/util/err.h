/* The one error convention of guitai: a function that can fail returns 0 on
 * success and -1 on failure, and writes a human-readable (already translated)
 * reason into the caller's struct gt_err. Callers that do not care pass NULL. */
#ifndef GUITAI_ERR_H
#define GUITAI_ERR_H

#include <stddef.h>

struct gt_err {
	char msg[512];
	/* The request itself was refused (a rule, the data given), not the
	 * system failing: sub-commands exit 3 for it instead of 1. */
	int invalid;
};

/* Format the reason into err (when non-NULL); always returns -1 so that a
 * failing path can say `return err_set(err, ...)`. */
int err_set(struct gt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for a refusal: err->invalid is set. */
int err_invalid(struct gt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Put a prefix (e.g. a file name) in front of an existing reason. */
int err_prefix(struct gt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
