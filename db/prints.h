/* The print jobs of the counter: one row per document sent (or written to
 * a file), with its copy number, destination, CUPS job id and last known
 * state. It is what the print screen lists, what a resend starts from, and
 * how a reprint is recognised (a completed copy already exists). The table
 * is created on first use beside the store's own tables; it holds no
 * personal data (the application number, document name and printer only).
 * Every change of state is also in the audit trail; this table is the
 * quick index, the trail is the record. */
#ifndef GUITAI_PRINTS_H
#define GUITAI_PRINTS_H

#include <stddef.h>
#include "util/err.h"

struct store;

struct prints_row {
	long long id;
	char app_no[32];
	char document[32];
	int copy;
	char dest[160];         /* printer name, or "file:PATH" */
	int cups_job;
	char state[16];         /* spool_state_name() */
	char message[400];
	char operator_name[64];
	long long created_at;
	long long updated_at;
	/* A PIN mailer's: the personalisation attempt that set the PIN it
	 * carries, so that copies are counted per PIN (0 for the others). */
	int pin_attempt;
};

int prints_open(struct store *st, struct gt_err *err);
/* Insert r (id ignored); *id set. */
int prints_add(struct store *st, const struct prints_row *r, long long *id, struct gt_err *err);
int prints_update(struct store *st, long long id, const char *state, int cups_job,
		  const char *message, long long now, struct gt_err *err);
/* Copies of a document that came out (state completed), of rows with
 * this pin_attempt. */
int prints_done(struct store *st, const char *app_no, const char *document, int pin_attempt,
		int *n, struct gt_err *err);
/* Rows of an application, newest first. */
int prints_list(struct store *st, const char *app_no, struct prints_row *out, size_t max,
		size_t *n, struct gt_err *err);
/* 0 found, 1 none, -1 error. */
int prints_get(struct store *st, long long id, struct prints_row *out, struct gt_err *err);

#endif
