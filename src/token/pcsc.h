/* Readers and key insertion through pcsc-lite: a one-shot snapshot for
 * sub-commands, and a monitor thread for the UI that follows reader and
 * card arrivals and removals with SCardGetStatusChange (the PnP
 * notification pseudo-reader catches readers plugged in later) and
 * publishes a snapshot the UI polls; the UI never blocks on pcscd. */
#ifndef GUITAI_TOKEN_PCSC_H
#define GUITAI_TOKEN_PCSC_H

#include <stddef.h>
#include "util/err.h"

#define PCSC_MAX_READERS 8
#define PCSC_ATR_MAX 33

struct pcsc_reader {
	char name[128];
	int card;                        /* a card is present */
	unsigned char atr[PCSC_ATR_MAX];
	size_t atr_len;
};

/* The readers now; with wait_ms > 0, wait that long for a card to be
 * present in one of them. */
int pcsc_snapshot(int wait_ms, struct pcsc_reader *out, size_t max, size_t *n,
		  struct gt_err *err);

enum pcsc_mon_state { PCSC_MON_STARTING, PCSC_MON_OK, PCSC_MON_NO_SERVICE };

struct pcsc_mon;
struct pcsc_mon *pcsc_mon_new(struct gt_err *err);
/* Copy the latest snapshot; *generation changes whenever it did. */
enum pcsc_mon_state pcsc_mon_poll(struct pcsc_mon *mon, struct pcsc_reader *out, size_t max,
				  size_t *n, unsigned *generation);
/* Stop (SCardCancel wakes the wait), join, free. NULL is fine. */
void pcsc_mon_free(struct pcsc_mon *mon);

#endif
