/* The entry of guitai-print.so (see module.h): the one exported table, and
 * the core functions render.c and spool.c call, forwarded to the host's.
 * The forwarders carry the core's names so that render.c and spool.c are
 * the same code whether linked in or not; like everything in the module
 * but the table, they are hidden (-fvisibility=hidden), so they never
 * stand in for the executable's. */
#include "config.h"
#include "print/module.h"
#include "util/str.h"

#include <stdarg.h>
#include <stdio.h>

static const struct print_host *plugin_host;

static void plugin_init(const struct print_host *host)
{
	plugin_host = host;
}

/* The core's err_set takes no va_list: format here, hand over the text. */
int err_set(struct gt_err *err, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return plugin_host->err_set(err, "%s", msg);
}

int str_copy(char *dst, size_t n, const char *src)
{
	return plugin_host->str_copy(dst, n, src);
}

void str_wipe(void *p, size_t n)
{
	plugin_host->str_wipe(p, n);
}

const char *prows_get(const struct print_rows *r, size_t i, const char *key)
{
	return plugin_host->prows_get(r, i, key);
}

int tmpl_expand(const struct tmpl *t, const char *text, tmpl_lookup_fn lookup, void *arg,
		char *out, size_t size)
{
	return plugin_host->tmpl_expand(t, text, lookup, arg, out, size);
}

const struct tmpl_row *tmpl_row_find(const struct tmpl *t, const char *name)
{
	return plugin_host->tmpl_row_find(t, name);
}

void render_buf_free(struct render_buf *b)
{
	plugin_host->render_buf_free(b);
}

int spool_state_final(enum spool_state s)
{
	return plugin_host->spool_state_final(s);
}

/* The only symbol the loader looks for. */
extern const struct print_module guitai_print_module __attribute__((visibility("default")));
const struct print_module guitai_print_module = {
	.abi = PRINT_MODULE_ABI,
	.size = sizeof(struct print_module),
	.version = PACKAGE_VERSION,
	.init = plugin_init,
	.render_pdf = render_pdf,
	.spool_check = spool_check,
	.spool_submit = spool_submit,
	.spool_poll = spool_poll,
	.spool_cancel = spool_cancel,
	.spool_printer = spool_printer,
};
