/* The loader of the printing module (module.h): render_pdf and the CUPS
 * half of spool.h, as the rest of guitai calls them, forwarded to
 * guitai-print.so, which is opened on the first call and never closed
 * (its atexit handler and libcups's per-thread state stay valid to the
 * end). Commands and screens that do not print never load it.
 *
 * Where it is looked for, first found wins:
 *   1. $GUITAI_PRINT_MODULE, the file itself (tests; a build tree's
 *      programs outside its top directory); nothing else is then tried;
 *   2. beside the running program (/proc/self/exe), so guitai runs from
 *      its build tree uninstalled; taken when a file is there at all;
 *   3. $(pkglibdir), where make install puts it.
 * When it cannot be loaded, or is from another build, every call fails
 * through its usual error path with one message naming the file and the
 * reason; nothing but printing is affected. Loading happens once per
 * process, under pthread_once: a job's worker thread may be first. */
#include "config.h"
#include "print/module.h"
#include "util/i18n.h"
#include "util/str.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct print_host pmod_host = {
	.err_set = err_set,
	.str_copy = str_copy,
	.str_wipe = str_wipe,
	.prows_get = prows_get,
	.tmpl_expand = tmpl_expand,
	.tmpl_row_find = tmpl_row_find,
	.render_buf_free = render_buf_free,
	.spool_state_final = spool_state_final,
};

static pthread_once_t pmod_once = PTHREAD_ONCE_INIT;
static const struct print_module *pmod;     /* NULL: not loadable, see pmod_error */
static char pmod_error[sizeof(((struct gt_err *)0)->msg)];

/* dlerror() without the file name it usually starts with: the message
 * names the file once. */
static const char *pmod_dlerror(const char *path)
{
	const char *e = dlerror();
	size_t n = strlen(path);

	if (e == NULL)
		return _("the module has no entry table");
	if (strncmp(e, path, n) == 0 && strncmp(e + n, ": ", 2) == 0)
		return e + n + 2;
	return e;
}

static void pmod_open(const char *path)
{
	const struct print_module *m;
	void *h;

	/* RTLD_NOW: a missing library or symbol is found here, not in the
	 * middle of a print. */
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(pmod_error, sizeof(pmod_error), _("printing module %s: %s"), path,
			 pmod_dlerror(path));
		return;
	}
	dlerror();
	m = dlsym(h, PRINT_MODULE_SYMBOL);
	if (m == NULL) {
		snprintf(pmod_error, sizeof(pmod_error), _("printing module %s: %s"), path,
			 pmod_dlerror(path));
		dlclose(h);
		return;
	}
	/* abi, size and version never move (module.h), so they can be read
	 * from a module of any build. */
	if (m->abi != PRINT_MODULE_ABI || m->size < sizeof(*m)) {
		snprintf(pmod_error, sizeof(pmod_error),
			 _("printing module %s is from another build of guitai (%s, this is %s); "
			   "install them together"), path, m->version != NULL ? m->version : "?",
			 PACKAGE_VERSION);
		dlclose(h);
		return;
	}
	m->init(&pmod_host);
	pmod = m;
}

static void pmod_load(void)
{
	const char *env = secure_getenv("GUITAI_PRINT_MODULE");
	char exe[PATH_MAX], path[PATH_MAX + sizeof(PRINT_MODULE_FILE) + 1];
	ssize_t n;

	if (env != NULL && env[0] != '\0') {
		pmod_open(env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/%s", exe, PRINT_MODULE_FILE);
			/* One that is there but does not load is reported, not
			 * passed over for an installed one of another build. */
			if (access(path, F_OK) == 0) {
				pmod_open(path);
				return;
			}
		}
	}
	snprintf(path, sizeof(path), "%s/%s", PKGLIBDIR, PRINT_MODULE_FILE);
	pmod_open(path);
}

static const struct print_module *pmod_get(void)
{
	pthread_once(&pmod_once, pmod_load);
	return pmod;
}

/* A spool call that cannot be made: the fault and the loader's message,
 * the way spool.c reports its own. */
static int pmod_spool_fail(struct spool_status *st)
{
	st->fault = SPOOL_NO_MODULE;
	str_copy(st->msg, sizeof(st->msg), pmod_error);
	return -1;
}

int render_pdf(const struct tmpl *t, tmpl_lookup_fn lookup, void *arg,
	       const struct render_opts *opts, struct render_buf *out, struct gt_err *err)
{
	const struct print_module *m = pmod_get();

	if (m == NULL) {
		memset(out, 0, sizeof(*out));
		return err_set(err, "%s", pmod_error);
	}
	return m->render_pdf(t, lookup, arg, opts, out, err);
}

int spool_check(const char *dest, struct spool_status *st, double *margin_mm)
{
	const struct print_module *m = pmod_get();

	if (m == NULL) {
		memset(st, 0, sizeof(*st));
		*margin_mm = 0;
		if (dest != NULL)
			str_copy(st->dest, sizeof(st->dest), dest);
		return pmod_spool_fail(st);
	}
	return m->spool_check(dest, st, margin_mm);
}

int spool_submit(struct spool_status *st, const char *title, const void *pdf, size_t len)
{
	const struct print_module *m = pmod_get();

	if (m == NULL)
		return pmod_spool_fail(st);
	return m->spool_submit(st, title, pdf, len);
}

int spool_poll(struct spool_status *st)
{
	const struct print_module *m = pmod_get();

	if (m == NULL)
		return pmod_spool_fail(st);
	return m->spool_poll(st);
}

void spool_cancel(struct spool_status *st)
{
	const struct print_module *m = pmod_get();

	/* Without the module nothing was ever sent. */
	if (m != NULL)
		m->spool_cancel(st);
}

int spool_printer(const char *dest, struct spool_status *st, int *stopped, int *rejecting)
{
	const struct print_module *m = pmod_get();

	if (m == NULL) {
		memset(st, 0, sizeof(*st));
		*stopped = *rejecting = 0;
		if (dest != NULL)
			str_copy(st->dest, sizeof(st->dest), dest);
		return pmod_spool_fail(st);
	}
	return m->spool_printer(dest, st, stopped, rejecting);
}
