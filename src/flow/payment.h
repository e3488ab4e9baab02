/* Payments as the counter takes them (db/ledger.h holds the rows): the
 * payment recorded when an application is submitted, at the catalogue's
 * price; a payment taken again after a void; and voids (same day) and
 * refunds (later), each a new row approved by a supervisor
 * (session_approve) and never an edit. Every change writes its audit row
 * in the same transaction: when the row cannot be written, nothing
 * happens. Auditors cannot handle money. */
#ifndef GUITAI_PAYMENT_H
#define GUITAI_PAYMENT_H

#include "flow/ctx.h"
#include "db/ledger.h"
#include "model/app.h"

/* Record the payment of a submitted application at its catalogue price,
 * with the method, reference and invoice choice in the record. Joins the
 * caller's transaction (issue_submit, issue_batch); *id gets the row (0
 * when the price is 0: nothing to pay). Refused when today is closed. */
int payment_take(struct gt_ctx *ctx, const struct application *app, const char *operator_name,
		 long long *id, struct gt_err *err);

/* Take the payment again for a submitted application whose payment was
 * voided or refunded (nothing paid now), by another method if need be. */
int payment_take_again(struct gt_ctx *ctx, const char *app_no, const char *method,
		       const char *reference, const char *account, long long *id,
		       struct gt_err *err);

/* The payer's card or bank account (method card or transfer: required
 * and checked, val_bank_account; other methods: none) is sealed into the
 * payment row with the PII key; a void or refund carries its payment's.
 * Shown only masked: "6222 **** **** 1234", "" when the row has none,
 * "(sealed)" when this counter lacks the key that sealed it. */
void payment_account_shown(struct gt_ctx *ctx, const struct ledger_payment *p, char *out,
			   size_t size);
/* Whether a payment of app_no was made from this account (digits as
 * val_bank_account normalises them): for search to confirm a keyed
 * match. */
int payment_account_matches(struct gt_ctx *ctx, const char *app_no, const char *digits,
			    int *found, struct gt_err *err);

enum payment_reversal {
	PAYMENT_VOID,     /* the same day, the day still open */
	PAYMENT_REFUND,   /* any day; counts in today's settlement */
};

/* Void or refund payment `id`, for `reason` (1 to 100 characters), approved
 * by `approved_by` (a supervisor whose session_approve for
 * SESSION_APPROVE_VOID or _REFUND succeeded). *new_id gets the new row. */
int payment_reverse(struct gt_ctx *ctx, long long id, enum payment_reversal how,
		    const char *reason, const char *approved_by, long long *new_id,
		    struct gt_err *err);

/* Why payment `id` cannot be voided (how = PAYMENT_VOID) or refunded now:
 * 0 it can, 1 it cannot (err says why), -1 error. */
int payment_can_reverse(struct gt_ctx *ctx, long long id, enum payment_reversal how,
			struct gt_err *err);

/* The translated label of a method ("cash" -> "Cash"). */
const char *payment_method_label(const char *method);
/* The business day of a moment: YYYYMMDD in local time. */
int payment_day_of(long long at);

#endif
