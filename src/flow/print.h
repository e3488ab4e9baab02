/* Printing an application's documents: which documents exist, what values
 * fill them, who may print a second copy, and each job from rendering to
 * its last CUPS state, with every state in the audit trail.
 *
 * Layers: this flow fills the values from the application (model) and
 * hands them to the printing layer (src/print: templates, cairo/pango
 * rendering, libcups spooling). Screens and sub-commands call only this
 * header; it knows no curses, and the printing layer knows no
 * application.
 *
 * A job runs in two halves. print_start() renders the PDF in the caller's
 * thread (milliseconds), records the job and its audit row, and hands the
 * PDF to a worker thread that sends it to CUPS and follows it. The caller
 * then calls print_poll() as often as it likes (the TUI on its clock tick,
 * the sub-command in a loop): each state the worker saw is written to the
 * database and the audit trail there, in the caller's thread, so SQLite is
 * never touched by the worker. */
#ifndef GUITAI_FLOW_PRINT_H
#define GUITAI_FLOW_PRINT_H

#include <stddef.h>
#include "flow/ctx.h"
#include "model/app.h"
#include "print/spool.h"

enum print_doc {
	PRINT_APP_FORM,      /* 机构数字证书申请表 */
	PRINT_SEAL_SHEET,    /* 数字证书印模采集表 (e-seal ordered) */
	PRINT_RECEIPT,       /* 收费凭证 */
	PRINT_HANDOVER,      /* 领取确认单 */
	PRINT_PIN_MAILER,    /* PIN 密码函 (random PINs only) */
	PRINT_SETTLEMENT,    /* 日结单: a day's settlement, no one application's */
	PRINT_DOCS
};

/* "application-form", ... (command line, templates, database). */
const char *print_doc_name(enum print_doc d);
/* N_() English title for screens. */
const char *print_doc_title(enum print_doc d);
/* -1 when unknown. */
int print_doc_by_name(const char *name);
/* Is the document for this application at all? (The seal sheet only
 * with an e-seal; the PIN mailer only with random PINs; the settlement is
 * no application's.) */
int print_doc_applies(const struct gt_ctx *ctx, const struct application *app, enum print_doc d);

/* What the key personalisation knows (issue 4). Any field may be empty:
 * it is then blank on paper, never made up. Callers pass NULL to have
 * them read from what the personalisation recorded (db/tokdb.h). */
struct print_facts {
	char key_serial[64];
	char cert_serial[80];
	char cert_not_before[32];
	char cert_not_after[32];
};

/* Check a template directory: every template parses with the flow's
 * values. For `guitai print --check` and the tests. */
int print_check_templates(struct gt_ctx *ctx, const char *dir, struct gt_err *err);

/* Render a document to a PDF file (`guitai print ... --to FILE`). It
 * counts as a copy: a second one is a reprint (see print_copy). The PIN
 * mailer is refused: its PIN must exist on paper only. approved_by: the
 * supervisor whose approval (session_approve, SESSION_APPROVE_REPRINT) the
 * caller obtained for a reprint, else NULL. */
int print_to_file(struct gt_ctx *ctx, const struct application *app, enum print_doc d,
		  const struct print_facts *facts, const char *path, const char *approved_by,
		  int *copy, struct gt_err *err);

/* The copy number the next print of d would carry (1 + the copies that
 * came out). */
int print_next_copy(struct gt_ctx *ctx, const char *app_no, enum print_doc d, int *copy,
		    struct gt_err *err);
/* The same, and whether this operator may make it without asking: the
 * first copy always; a further one (a reprint) when the operator logged
 * in is a supervisor or [print] allow_reprint = yes. 0 allowed, -1 refused
 * with the reason (then a supervisor's approval allows it). */
int print_copy(struct gt_ctx *ctx, const char *app_no, enum print_doc d, int *copy,
	       struct gt_err *err);

/* Render only, into memory (benchmarks, previews): nothing is recorded
 * and nothing counts as a copy. *pdf is freed with print_pdf_free, which
 * wipes it first. */
int print_render_mem(struct gt_ctx *ctx, const struct application *app, enum print_doc d,
		     const struct print_facts *facts, unsigned char **pdf, size_t *len,
		     struct gt_err *err);
void print_pdf_free(unsigned char *pdf, size_t len);

/* The daily settlement of a report (flow/report.h) as a document: to a
 * PDF file (0600) or to a printer, recorded in print_jobs under the
 * number "SETTLE-YYYYMMDD" and audited like the other documents, each job
 * followed to its end with print_poll. Any copy may be made without
 * approval (the settlement is the counter's own record); copies are
 * counted and each carries its number. */
struct report;
struct print_job;
int print_settlement_to_file(struct gt_ctx *ctx, const struct report *r, const char *path,
			     int *copy, struct gt_err *err);
int print_settlement_start(struct gt_ctx *ctx, const struct report *r, const char *printer,
			   struct print_job **out, struct gt_err *err);

/* What a job looks like now (what screens show). */
struct print_job_info {
	long long row_id;        /* print_jobs id */
	enum print_doc doc;
	int copy;
	char dest[128];
	int cups_job;
	enum spool_state state;
	enum spool_fault fault;
	char msg[400];           /* translated; empty when all is well */
	int done;                /* final: completed, or failed in some way */
};

struct print_job;

/* Render, record and hand to CUPS. printer NULL = [print] printer, else
 * the CUPS default. pin: the PIN mailer's PIN (NULL otherwise); it is
 * wiped from the job's memory once sent. approved_by: as print_to_file. Returns 0 with *out (follow it
 * with print_poll, even when it failed at once: the failure is then its
 * first state), -1 when nothing was started (not allowed, template error,
 * audit trail unwritable) with err. */
int print_start(struct gt_ctx *ctx, const struct application *app, enum print_doc d,
		const struct print_facts *facts, const char *pin, const char *printer,
		const char *approved_by, struct print_job **out, struct gt_err *err);
/* Send a recorded job's document again (same application, document and
 * destination; copy number as print_copy says). */
int print_resend(struct gt_ctx *ctx, long long row_id, const char *approved_by,
		 struct print_job **out, struct gt_err *err);
/* Record what happened since the last call; info says where the job is.
 * Returns 1 once the job is final (all its states recorded), else 0. */
int print_poll(struct gt_ctx *ctx, struct print_job *job, struct print_job_info *info);
/* Wait until final, calling progress (may be NULL) at each new state. */
void print_wait(struct gt_ctx *ctx, struct print_job *job, struct print_job_info *info,
		void (*progress)(void *arg, const struct print_job_info *info), void *arg);
/* Stop following (the worker is told to stop and joined) and free. */
void print_job_free(struct print_job *job);

/* Whether printer (NULL = [print] printer, else the CUPS default) would
 * take a job now: 0 ready, -1 with a sentence for the operator (no print
 * server, no such printer, stopped, not accepting). Asked before making a
 * PIN that only its mailer will carry. */
int print_ready(struct gt_ctx *ctx, const char *printer, struct gt_err *err);

/* The configured printer in a few words for the status bar: its name
 * and "ready", "stopped", "not accepting", or "no print server", "no
 * such printer", "no default printer" (translated). */
void print_printer_status(struct gt_ctx *ctx, char *out, size_t size);

/* The recorded jobs of an application, newest first (db/prints.h rows
 * turned into infos; done set for final states). */
int print_list(struct gt_ctx *ctx, const char *app_no, struct print_job_info *out, size_t max,
	       size_t *n, struct gt_err *err);

#endif
