/* CUPS spooling with libcups; see spool.h. Every request goes through
 * CUPS_HTTP_DEFAULT, which libcups keeps per thread, so a worker thread
 * following a job has a connection of its own.
 *
 * Part of guitai-print.so (module.h), with render.c: the core reaches
 * these through module.c. The state names stay in the core
 * (spoolstate.c), so that listing jobs never loads libcups. */
#include "config.h"
#include "print/spool.h"
#include "util/i18n.h"
#include "util/str.h"

#include <cups/cups.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Is the last libcups error one of "the scheduler is not there"? */
static int spool_server_gone(void)
{
	ipp_status_t e = cupsLastError();

	return e == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || e == IPP_STATUS_ERROR_INTERNAL ||
	       e == IPP_STATUS_ERROR_CUPS_AUTHENTICATION_CANCELED;
}

static int spool_fail(struct spool_status *st, enum spool_fault fault, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int spool_fail(struct spool_status *st, enum spool_fault fault, const char *fmt, ...)
{
	va_list ap;

	st->fault = fault;
	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int spool_no_server(struct spool_status *st)
{
	return spool_fail(st, SPOOL_NO_SERVER,
			  _("The print server (cupsd) cannot be reached: %s. Start it, then send again."),
			  cupsLastErrorString());
}

/* libcups answers "no such printer" when it could not reach the scheduler
 * at all, so reach it first: the operator must be told which it is. */
static int spool_reachable(struct spool_status *st)
{
	http_t *h = httpConnect2(cupsServer(), ippPort(), NULL, AF_UNSPEC, cupsEncryption(), 1,
				 2000, NULL);

	if (h == NULL)
		return spool_fail(st, SPOOL_NO_SERVER,
				  _("The print server (cupsd at %s) cannot be reached: %s. Start it, "
				    "then send again."), cupsServer(), strerror(errno));
	httpClose(h);
	return 0;
}

int spool_check(const char *dest, struct spool_status *st, double *margin_mm)
{
	const char *name = dest != NULL && dest[0] != '\0' ? dest : NULL;
	const char *state, *accepting, *reasons, *message;
	cups_dinfo_t *info;
	cups_size_t size;
	cups_dest_t *d;

	memset(st, 0, sizeof(*st));
	*margin_mm = 0;
	if (name != NULL)
		str_copy(st->dest, sizeof(st->dest), name);
	if (spool_reachable(st) != 0)
		return -1;
	d = cupsGetNamedDest(CUPS_HTTP_DEFAULT, name, NULL);
	if (d == NULL) {
		if (spool_server_gone())
			return spool_no_server(st);
		if (name == NULL)
			return spool_fail(st, SPOOL_NO_DEFAULT,
					  _("No printer is named in the configuration and CUPS has "
					    "no default printer. Set [print] printer in guitai.conf "
					    "or a CUPS default (lpadmin -d)."));
		return spool_fail(st, SPOOL_NO_PRINTER,
				  _("Printer \"%s\" does not exist on the print server (deleted or "
				    "misspelt). Check [print] printer in guitai.conf, then send again."),
				  name);
	}
	str_copy(st->dest, sizeof(st->dest), d->name);
	state = cupsGetOption("printer-state", d->num_options, d->options);
	accepting = cupsGetOption("printer-is-accepting-jobs", d->num_options, d->options);
	reasons = cupsGetOption("printer-state-reasons", d->num_options, d->options);
	message = cupsGetOption("printer-state-message", d->num_options, d->options);
	str_copy(st->reasons, sizeof(st->reasons), reasons ? reasons : "");
	if (state != NULL && atoi(state) == IPP_PSTATE_STOPPED) {
		spool_fail(st, SPOOL_PRINTER_STOPPED,
			   _("Printer \"%s\" is stopped%s%s. Start it (cupsenable %s), then send again."),
			   d->name, message && *message ? ": " : "", message ? message : "", d->name);
		cupsFreeDests(1, d);
		return -1;
	}
	if (accepting != NULL && strcmp(accepting, "false") == 0) {
		spool_fail(st, SPOOL_REJECTING,
			   _("Printer \"%s\" is not accepting jobs. Let it accept (cupsaccept %s), "
			     "then send again."), d->name, d->name);
		cupsFreeDests(1, d);
		return -1;
	}
	/* The printer's unprintable edge, so the renderer keeps the form
	 * inside it. Hundredths of millimetres. */
	info = cupsCopyDestInfo(CUPS_HTTP_DEFAULT, d);
	if (info != NULL && cupsGetDestMediaDefault(CUPS_HTTP_DEFAULT, d, info, 0, &size)) {
		int m = size.left;

		if (size.right > m)
			m = size.right;
		if (size.top > m)
			m = size.top;
		if (size.bottom > m)
			m = size.bottom;
		*margin_mm = m / 100.0;
	}
	cupsFreeDestInfo(info);
	cupsFreeDests(1, d);
	return 0;
}

int spool_printer(const char *dest, struct spool_status *st, int *stopped, int *rejecting)
{
	const char *name = dest != NULL && dest[0] != '\0' ? dest : NULL;
	const char *state, *accepting;
	cups_dest_t *d;

	memset(st, 0, sizeof(*st));
	*stopped = *rejecting = 0;
	if (name != NULL)
		str_copy(st->dest, sizeof(st->dest), name);
	if (spool_reachable(st) != 0)
		return -1;
	d = cupsGetNamedDest(CUPS_HTTP_DEFAULT, name, NULL);
	if (d == NULL) {
		st->fault = name == NULL ? SPOOL_NO_DEFAULT : SPOOL_NO_PRINTER;
		return -1;
	}
	str_copy(st->dest, sizeof(st->dest), d->name);
	state = cupsGetOption("printer-state", d->num_options, d->options);
	accepting = cupsGetOption("printer-is-accepting-jobs", d->num_options, d->options);
	*stopped = state != NULL && atoi(state) == IPP_PSTATE_STOPPED;
	*rejecting = accepting != NULL && strcmp(accepting, "false") == 0;
	cupsFreeDests(1, d);
	return 0;
}

int spool_submit(struct spool_status *st, const char *title, const void *pdf, size_t len)
{
	cups_dest_t *d = cupsGetNamedDest(CUPS_HTTP_DEFAULT, st->dest, NULL);
	cups_dinfo_t *info = NULL;
	int job_id = 0, rc = -1;
	const char *p = pdf;
	size_t off = 0;

	if (d == NULL) {
		if (spool_reachable(st) != 0)
			return -1;
		return spool_fail(st, SPOOL_NO_PRINTER, _("Printer \"%s\" does not exist any more."),
				  st->dest);
	}
	info = cupsCopyDestInfo(CUPS_HTTP_DEFAULT, d);
	if (info == NULL) {
		spool_server_gone() ? spool_no_server(st)
				    : spool_fail(st, SPOOL_SEND_FAILED, _("Printer \"%s\" cannot be asked: %s"),
						 st->dest, cupsLastErrorString());
		goto cleanup;
	}
	if (cupsCreateDestJob(CUPS_HTTP_DEFAULT, d, info, &job_id, title, 0, NULL) != IPP_STATUS_OK) {
		spool_server_gone() ? spool_no_server(st)
				    : spool_fail(st, SPOOL_SEND_FAILED, _("Printer \"%s\" refused the job: %s"),
						 st->dest, cupsLastErrorString());
		goto cleanup;
	}
	st->job_id = job_id;
	if (cupsStartDestDocument(CUPS_HTTP_DEFAULT, d, info, job_id, title, CUPS_FORMAT_PDF, 0,
				  NULL, 1) != HTTP_STATUS_CONTINUE)
		goto send_failed;
	while (off < len) {
		size_t n = len - off > 65536 ? 65536 : len - off;

		if (cupsWriteRequestData(CUPS_HTTP_DEFAULT, p + off, n) != HTTP_STATUS_CONTINUE)
			goto send_failed;
		off += n;
	}
	if (cupsFinishDestDocument(CUPS_HTTP_DEFAULT, d, info) != IPP_STATUS_OK)
		goto send_failed;
	st->state = SPOOL_PENDING;
	st->fault = SPOOL_OK;
	st->msg[0] = '\0';
	rc = 0;
	goto cleanup;
send_failed:
	if (spool_server_gone())
		spool_no_server(st);
	else
		spool_fail(st, SPOOL_SEND_FAILED, _("Sending job %d to \"%s\" failed: %s"), job_id,
			   st->dest, cupsLastErrorString());
	/* A half-sent job must not print later by itself. */
	cupsCancelDestJob(CUPS_HTTP_DEFAULT, d, job_id);
cleanup:
	cupsFreeDestInfo(info);
	cupsFreeDests(1, d);
	return rc;
}

static void spool_reasons(ipp_t *resp, const char *attr, char *out, size_t size)
{
	ipp_attribute_t *a = ippFindAttribute(resp, attr, IPP_TAG_KEYWORD);
	size_t at = 0;

	out[0] = '\0';
	for (int i = 0; a != NULL && i < ippGetCount(a); i++) {
		const char *s = ippGetString(a, i, NULL);
		int n = snprintf(out + at, size - at, "%s%s", at ? "," : "", s ? s : "");

		if (n < 0 || (size_t)n >= size - at)
			break;
		at += (size_t)n;
	}
}

/* Is the job's printer stopped? -1 when it cannot be asked. */
static int spool_printer_stopped(struct spool_status *st, char *message, size_t size)
{
	static const char *const want[] = { "printer-state", "printer-state-message" };
	char uri[HTTP_MAX_URI];
	ipp_attribute_t *a;
	ipp_t *req, *resp;
	int stopped;

	message[0] = '\0';
	httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof(uri), "ipp", NULL, "localhost", 0,
			 "/printers/%s", st->dest);
	req = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 2, NULL, want);
	resp = cupsDoRequest(CUPS_HTTP_DEFAULT, req, "/");
	if (resp == NULL || cupsLastError() > IPP_STATUS_OK_CONFLICTING) {
		ippDelete(resp);
		return -1;
	}
	a = ippFindAttribute(resp, "printer-state", IPP_TAG_ENUM);
	stopped = a != NULL && ippGetInteger(a, 0) == IPP_PSTATE_STOPPED;
	a = ippFindAttribute(resp, "printer-state-message", IPP_TAG_TEXT);
	if (a != NULL && ippGetString(a, 0, NULL) != NULL)
		str_copy(message, size, ippGetString(a, 0, NULL));
	ippDelete(resp);
	return stopped;
}

int spool_poll(struct spool_status *st)
{
	static const char *const want[] = { "job-state", "job-state-reasons" };
	char uri[HTTP_MAX_URI], message[200];
	ipp_attribute_t *a;
	ipp_t *req, *resp;
	int stopped;

	httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof(uri), "ipp", NULL, "localhost", 0,
			 "/jobs/%d", st->job_id);
	req = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", NULL, uri);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 2, NULL, want);
	resp = cupsDoRequest(CUPS_HTTP_DEFAULT, req, "/");
	if (resp == NULL || cupsLastError() > IPP_STATUS_OK_CONFLICTING) {
		int gone = resp == NULL || spool_server_gone();

		ippDelete(resp);
		if (gone)
			return spool_fail(st, SPOOL_NO_SERVER,
					  _("The print server stopped answering (%s) while following "
					    "job %d; it may not have printed. Check the printer, then "
					    "send again."), cupsLastErrorString(), st->job_id);
		return spool_fail(st, SPOOL_JOB_LOST,
				  _("The print server no longer knows job %d (%s); it may not "
				    "have printed. Check the printer, then send again."),
				  st->job_id, cupsLastErrorString());
	}
	a = ippFindAttribute(resp, "job-state", IPP_TAG_ENUM);
	switch (a != NULL ? ippGetInteger(a, 0) : 0) {
	case IPP_JSTATE_PENDING:
		st->state = SPOOL_PENDING;
		break;
	case IPP_JSTATE_HELD:
		st->state = SPOOL_HELD;
		break;
	case IPP_JSTATE_PROCESSING:
		st->state = SPOOL_PROCESSING;
		break;
	case IPP_JSTATE_STOPPED:
		st->state = SPOOL_STOPPED;
		break;
	case IPP_JSTATE_CANCELED:
		st->state = SPOOL_CANCELLED;
		break;
	case IPP_JSTATE_ABORTED:
		st->state = SPOOL_ABORTED;
		break;
	case IPP_JSTATE_COMPLETED:
		st->state = SPOOL_COMPLETED;
		break;
	default:
		ippDelete(resp);
		return spool_fail(st, SPOOL_JOB_LOST, _("Job %d has no state on the print server."),
				  st->job_id);
	}
	spool_reasons(resp, "job-state-reasons", st->reasons, sizeof(st->reasons));
	ippDelete(resp);
	st->fault = SPOOL_OK;
	st->msg[0] = '\0';
	if (spool_state_final(st->state))
		return 0;
	/* A job waits forever on a stopped queue: say so instead of
	 * "waiting". */
	stopped = spool_printer_stopped(st, message, sizeof(message));
	if (stopped < 0)
		return spool_no_server(st);
	if (stopped)
		spool_fail(st, SPOOL_PRINTER_STOPPED,
			   _("Printer \"%s\" is stopped%s%s; job %d is waiting. Start it (cupsenable %s), "
			     "or send again once it runs."), st->dest, message[0] ? ": " : "", message,
			   st->job_id, st->dest);
	return 0;
}

void spool_cancel(struct spool_status *st)
{
	if (st->job_id > 0)
		cupsCancelJob2(CUPS_HTTP_DEFAULT, st->dest, st->job_id, 0);
}
