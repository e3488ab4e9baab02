/* The daily settlement (日结) as a printed document: the values and flow
 * rows that data/templates/settlement.tmpl draws from a report
 * (flow/report.h) — per operator and per terminal the totals by method
 * (paid, voided, refunded, net), the counts by service, every void and
 * refund with approver, reason and the payer's account masked, whether
 * the day is closed, and the audit chain head and digest at closing.
 * flow/print.c renders, spools, follows and audits it like the other
 * documents; this file only says what goes on the paper. */
#ifndef GUITAI_SETTLEDOC_H
#define GUITAI_SETTLEDOC_H

#include <stddef.h>
#include "flow/ctx.h"
#include "flow/report.h"
#include "print/rows.h"
#include "print/values.h"

/* The document's number, in print_jobs and the audit trail where an
 * application document has its application number: "SETTLE-20261121". */
void settledoc_subject(int day, char *out, size_t size);
/* The day of such a number; 0 when it is not one. */
int settledoc_subject_day(const char *subject);

/* Is key a value the settlement template may use? (tmpl_key_fn) */
int settledoc_key_ok(const char *key);

/* Fill the values and rows of r (printed by the logged-in operator, or
 * the system account of a command). 0, or -1 out of memory. */
int settledoc_fill(struct gt_ctx *ctx, const struct report *r, struct print_values *pv,
		   struct print_rows *rows, struct gt_err *err);

#endif
