/* The printing module's interface: what guitai-print.so (render.c,
 * spool.c and plugin.c, linked with cairo, pango, fontconfig, qrencode and
 * libcups) and the loader in the core (module.c) agree on.
 *
 * The printing stack is some 70 shared objects; linked into guitai, every
 * command and the TUI paid for loading them at start-up (≈ 9 ms of an
 * issuance, bench/README.md) though most never print. So the core keeps
 * render.h and spool.h as its API and opens the module on first use.
 *
 * The module exports one symbol, PRINT_MODULE_SYMBOL, a struct
 * print_module; everything else in it is hidden. It takes the few core
 * functions it calls from a struct print_host handed to init(), so it has
 * no undefined symbols of the core (it is linked with -z defs) and the
 * executable exports nothing. Both structs only grow at the end; abi
 * changes when a member changes meaning, so a module left installed by
 * another build is refused with a clear error instead of being called. */
#ifndef GUITAI_PRINT_MODULE_H
#define GUITAI_PRINT_MODULE_H

#include <stddef.h>
#include "print/render.h"
#include "print/rows.h"
#include "print/spool.h"
#include "print/tmpl.h"
#include "util/err.h"

#define PRINT_MODULE_ABI 1
#define PRINT_MODULE_SYMBOL "guitai_print_module"
#define PRINT_MODULE_FILE "guitai-print.so"

/* The core functions the module calls (see the forwarders in plugin.c). */
struct print_host {
	int (*err_set)(struct gt_err *err, const char *fmt, ...);
	int (*str_copy)(char *dst, size_t n, const char *src);
	void (*str_wipe)(void *p, size_t n);
	const char *(*prows_get)(const struct print_rows *r, size_t i, const char *key);
	int (*tmpl_expand)(const struct tmpl *t, const char *text, tmpl_lookup_fn lookup,
			   void *arg, char *out, size_t size);
	const struct tmpl_row *(*tmpl_row_find)(const struct tmpl *t, const char *name);
	void (*render_buf_free)(struct render_buf *b);
	int (*spool_state_final)(enum spool_state s);
};

/* What the module offers: render.h's and spool.h's functions that need
 * cairo, pango or libcups, with the same meaning. */
struct print_module {
	unsigned abi;           /* PRINT_MODULE_ABI */
	size_t size;            /* sizeof(struct print_module) */
	const char *version;    /* PACKAGE_VERSION, for the error on a mismatch */
	/* Called once, before anything else. */
	void (*init)(const struct print_host *host);
	int (*render_pdf)(const struct tmpl *t, tmpl_lookup_fn lookup, void *arg,
			  const struct render_opts *opts, struct render_buf *out,
			  struct gt_err *err);
	int (*spool_check)(const char *dest, struct spool_status *st, double *margin_mm);
	int (*spool_submit)(struct spool_status *st, const char *title, const void *pdf,
			    size_t len);
	int (*spool_poll)(struct spool_status *st);
	void (*spool_cancel)(struct spool_status *st);
	int (*spool_printer)(const char *dest, struct spool_status *st, int *stopped,
			     int *rejecting);
};

#endif
