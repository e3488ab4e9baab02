/* A small INI reader shared by the configuration, the catalogue, the batch
 * format and the draft serialisation. It parses text already in memory (so
 * the model can use it without doing I/O) and reports every pair through a
 * callback with its line number, so each user can name the line it rejects. */
#ifndef GUITAI_INI_H
#define GUITAI_INI_H

#include <stddef.h>
#include "util/err.h"

/* Return 0 to go on, -1 (with err set) to stop the parse. */
typedef int (*ini_pair_fn)(void *ctx, const char *section, const char *key,
			   const char *value, int line, struct gt_err *err);

/* Parse `len` bytes. Lines are `[section]`, `key = value`, blank, or a
 * comment starting with ';' or '#'. A ';' or '#' preceded by white space
 * ends the value, unless the value is in double quotes (see ini_quote). Errors name the line: "line 7: expected key = value". */
int ini_parse(const char *text, size_t len, ini_pair_fn fn, void *ctx,
	      struct gt_err *err);

/* Write value so that ini_parse gives it back unchanged: as it is when
 * safe, else in double quotes with \" \\ \n \t escapes. */
int ini_quote(const char *value, char *out, size_t size);

/* Read a whole file into a NUL-terminated heap buffer (at most max_bytes).
 * The caller frees *out. */
int ini_read_file(const char *path, size_t max_bytes, char **out, size_t *out_len,
		  struct gt_err *err);

#endif
