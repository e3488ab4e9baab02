/* Reading the ID card into an application: starts the reader job (on its
 * own thread, src/idcard/async.h), reports progress for the screen, and on
 * a good read fills the person's fields, records which came from the card
 * and when, and keeps the raw photo with the application. Screens call
 * this; they never touch the reader. */
#ifndef GUITAI_IDREAD_H
#define GUITAI_IDREAD_H

#include <stddef.h>
#include "flow/ctx.h"
#include "model/app.h"

enum idread_state {
	IDREAD_BUSY,       /* opening, waiting for a card, reading */
	IDREAD_DONE,       /* read and checked */
	IDREAD_REFUSED,    /* read, but the card may not be used (expired...) */
	IDREAD_FAILED,     /* no reader, no card in time, damaged answers */
	IDREAD_CANCELLED,
};

struct idread;

/* probe_only: just check the reader is there (for the status bar). */
struct idread *idread_start(struct gt_ctx *ctx, int probe_only, struct gt_err *err);
/* State and a translated line for the screen ("Place the ID card..."). */
enum idread_state idread_poll(struct idread *r, char *msg, size_t msgsz);
void idread_cancel(struct idread *r);
/* Wait up to ms for the job to end by itself. */
void idread_wait(struct idread *r, int ms);
/* After DONE: fill `who`'s fields in app (name, document type and number,
 * gender, nation, birth date, address, issuer, validity), note the read,
 * and store the photo. After REFUSED: fill nothing, explain why in err.
 * Returns 0 when filled. */
int idread_apply(struct gt_ctx *ctx, struct idread *r, struct application *app,
		 enum app_person who, struct gt_err *err);
void idread_free(struct idread *r);

#endif
