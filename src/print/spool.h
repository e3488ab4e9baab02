/* Sending a PDF to CUPS and following the job (libcups). Each call is one
 * short exchange with the scheduler, so the caller decides how often to
 * look and when to give up; every failure is sorted into a fault that the
 * counter can explain in one sentence (server down, no such printer, no
 * default, printer stopped, not accepting, send failed, job lost).
 *
 * The server is whatever libcups is told: CUPS_SERVER, ~/.cups/client.conf,
 * /etc/cups/client.conf, else the local scheduler. The PDF is streamed from
 * memory; nothing is written to a local file.
 *
 * The functions that talk to CUPS live in guitai-print.so and are reached
 * through module.c; when the module cannot be loaded they fail with
 * SPOOL_NO_MODULE and a message naming it. */
#ifndef GUITAI_PRINT_SPOOL_H
#define GUITAI_PRINT_SPOOL_H

#include <stddef.h>

enum spool_state {
	SPOOL_NEW,          /* not sent yet */
	SPOOL_PENDING,
	SPOOL_HELD,
	SPOOL_PROCESSING,
	SPOOL_STOPPED,      /* the job is stopped (its printer was) */
	SPOOL_COMPLETED,
	SPOOL_CANCELLED,
	SPOOL_ABORTED,
	SPOOL_FAILED,       /* ours: not sent, or lost; see the fault */
	SPOOL_STATES
};

enum spool_fault {
	SPOOL_OK,
	SPOOL_NO_SERVER,        /* cupsd cannot be reached */
	SPOOL_NO_PRINTER,       /* the named destination does not exist */
	SPOOL_NO_DEFAULT,       /* no printer named and no default destination */
	SPOOL_PRINTER_STOPPED,  /* the queue is stopped (paused) */
	SPOOL_REJECTING,        /* the queue does not accept jobs */
	SPOOL_SEND_FAILED,      /* the scheduler refused the job or the data */
	SPOOL_JOB_LOST,         /* the scheduler no longer knows the job */
	SPOOL_TIMEOUT,          /* not finished in the time allowed */
	SPOOL_NO_MODULE,        /* the printing module cannot be loaded (module.c) */
};

struct spool_status {
	enum spool_state state;
	enum spool_fault fault;
	int job_id;
	char dest[128];         /* the destination actually used */
	char reasons[256];      /* job or printer state reasons, as CUPS says them */
	char msg[400];          /* translated sentence for the operator */
};

/* Resolve the destination (NULL or "" = the CUPS default) and look at it:
 * 0 ready (st->dest set, margin_mm the widest unprintable edge of its
 * default media, 0 when unknown), -1 with st->fault and st->msg. */
int spool_check(const char *dest, struct spool_status *st, double *margin_mm);
/* Create a job on st->dest (spool_check first) and send the PDF as its
 * only document. 0 sent (st->job_id, state PENDING), -1 fault. */
int spool_submit(struct spool_status *st, const char *title, const void *pdf, size_t len);
/* Ask the scheduler for the job's state (and, while it waits, whether its
 * printer is stopped). 0 asked (state updated; fault PRINTER_STOPPED may
 * be set while the job waits), -1 the scheduler could not be asked or no
 * longer knows the job (fault set). */
int spool_poll(struct spool_status *st);
/* Cancel the job (best effort: when giving up, so a late print cannot
 * surprise anyone after a resend). */
void spool_cancel(struct spool_status *st);

/* The destination's own state, for a status line: 0 with its name and
 * whether it is stopped or rejecting jobs, -1 with st->fault (no server,
 * no printer, no default). One short request. */
int spool_printer(const char *dest, struct spool_status *st, int *stopped, int *rejecting);

int spool_state_final(enum spool_state s);
/* Stable names for the database and the audit trail ("completed"). */
const char *spool_state_name(enum spool_state s);
enum spool_state spool_state_from_name(const char *name);
/* N_() labels for screens. */
const char *spool_state_label(enum spool_state s);

#endif
