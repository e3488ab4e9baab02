/* pcsc-lite snapshot and monitor; see pcsc.h. The monitor's thread owns
 * its SCARDCONTEXT; the shared part is the snapshot behind a mutex. */
#include "config.h"
#include "token/pcsc.h"
#include "util/i18n.h"
#include "util/str.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <winscard.h>

#ifndef SCARD_E_NO_READERS_AVAILABLE
#define SCARD_E_NO_READERS_AVAILABLE ((LONG)0x8010002E)
#endif

/* One pass over the readers: names from SCardListReaders, then their
 * state; with timeout_ms > 0 also wait for a change. */
static LONG pcsc_read(SCARDCONTEXT sc, DWORD timeout_ms, struct pcsc_reader *out, size_t max,
		      size_t *n)
{
	SCARD_READERSTATE st[PCSC_MAX_READERS + 1];
	char *names = NULL;
	DWORD len = SCARD_AUTOALLOCATE;
	size_t k = 0;
	LONG rv;

	*n = 0;
	memset(st, 0, sizeof(st));
	rv = SCardListReaders(sc, NULL, (LPSTR)&names, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		rv = SCARD_S_SUCCESS;
	} else if (rv != SCARD_S_SUCCESS) {
		return rv;
	} else {
		for (char *p = names; *p != '\0' && k < PCSC_MAX_READERS && k < max; p += strlen(p) + 1) {
			str_copy(out[k].name, sizeof(out[k].name), p);
			k++;
		}
	}
	for (size_t i = 0; i < k; i++) {
		st[i].szReader = out[i].name;
		st[i].dwCurrentState = SCARD_STATE_UNAWARE;
	}
	/* The PnP pseudo-reader: a reader arriving ends the wait too. */
	st[k].szReader = "\\\\?PnP?\\Notification";
	st[k].dwCurrentState = (DWORD)k << 16;
	rv = SCardGetStatusChange(sc, 0, st, (DWORD)k);
	if (rv == SCARD_S_SUCCESS && timeout_ms > 0) {
		for (size_t i = 0; i < k; i++)
			st[i].dwCurrentState = st[i].dwEventState & ~SCARD_STATE_CHANGED;
		rv = SCardGetStatusChange(sc, timeout_ms, st, (DWORD)k + 1);
		if (rv == SCARD_E_TIMEOUT)
			rv = SCARD_S_SUCCESS;
	}
	for (size_t i = 0; i < k; i++) {
		out[i].card = (st[i].dwEventState & SCARD_STATE_PRESENT) != 0;
		out[i].atr_len = out[i].card && st[i].cbAtr <= PCSC_ATR_MAX ? st[i].cbAtr : 0;
		memcpy(out[i].atr, st[i].rgbAtr, out[i].atr_len);
	}
	*n = k;
	if (names != NULL)
		SCardFreeMemory(sc, names);
	return rv;
}

int pcsc_snapshot(int wait_ms, struct pcsc_reader *out, size_t max, size_t *n,
		  struct gt_err *err)
{
	SCARDCONTEXT sc;
	struct timespec t0, t1;
	LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &sc);

	if (rv != SCARD_S_SUCCESS)
		return err_set(err, _("smart-card service (pcscd) not available: %s"),
			       pcsc_stringify_error(rv));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int any = 0;
		long left;

		rv = pcsc_read(sc, 0, out, max, n);
		if (rv != SCARD_S_SUCCESS)
			break;
		for (size_t i = 0; i < *n; i++)
			any |= out[i].card;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = wait_ms - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (any || left <= 0)
			break;
		rv = pcsc_read(sc, (DWORD)(left < 250 ? left : 250), out, max, n);
		if (rv != SCARD_S_SUCCESS)
			break;
	}
	SCardReleaseContext(sc);
	if (rv != SCARD_S_SUCCESS)
		return err_set(err, _("smart-card service: %s"), pcsc_stringify_error(rv));
	return 0;
}

struct pcsc_mon {
	pthread_t thread;
	pthread_mutex_t lock;
	SCARDCONTEXT sc;
	int have_sc;
	int stop;
	enum pcsc_mon_state state;
	struct pcsc_reader readers[PCSC_MAX_READERS];
	size_t n;
	unsigned generation;
};

static void pcsc_mon_publish(struct pcsc_mon *mon, enum pcsc_mon_state st,
			     const struct pcsc_reader *r, size_t n)
{
	pthread_mutex_lock(&mon->lock);
	if (st != mon->state || n != mon->n || memcmp(r, mon->readers, n * sizeof(*r)) != 0) {
		mon->state = st;
		memcpy(mon->readers, r, n * sizeof(*r));
		mon->n = n;
		mon->generation++;
	}
	pthread_mutex_unlock(&mon->lock);
}

static int pcsc_mon_stopping(struct pcsc_mon *mon)
{
	int s;

	pthread_mutex_lock(&mon->lock);
	s = mon->stop;
	pthread_mutex_unlock(&mon->lock);
	return s;
}

static void *pcsc_mon_main(void *arg)
{
	struct pcsc_mon *mon = arg;
	struct pcsc_reader r[PCSC_MAX_READERS];

	while (!pcsc_mon_stopping(mon)) {
		size_t n = 0;
		LONG rv;

		if (!mon->have_sc) {
			rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &mon->sc);
			if (rv != SCARD_S_SUCCESS) {
				pcsc_mon_publish(mon, PCSC_MON_NO_SERVICE, r, 0);
				/* pcscd may start later: look again soon. */
				for (int i = 0; i < 10 && !pcsc_mon_stopping(mon); i++)
					nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
				continue;
			}
			pthread_mutex_lock(&mon->lock);
			mon->have_sc = 1;
			pthread_mutex_unlock(&mon->lock);
		}
		memset(r, 0, sizeof(r));
		rv = pcsc_read(mon->sc, 0, r, PCSC_MAX_READERS, &n);
		if (rv == SCARD_S_SUCCESS) {
			pcsc_mon_publish(mon, PCSC_MON_OK, r, n);
			/* Block until something changes (or a second passes,
			 * or pcsc_mon_free cancels the wait). */
			rv = pcsc_read(mon->sc, 1000, r, PCSC_MAX_READERS, &n);
		}
		if (rv == SCARD_S_SUCCESS || rv == SCARD_E_CANCELLED)
			continue;
		pthread_mutex_lock(&mon->lock);
		mon->have_sc = 0;
		pthread_mutex_unlock(&mon->lock);
		SCardReleaseContext(mon->sc);
		pcsc_mon_publish(mon, PCSC_MON_NO_SERVICE, r, 0);
		nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
	}
	if (mon->have_sc)
		SCardReleaseContext(mon->sc);
	return NULL;
}

struct pcsc_mon *pcsc_mon_new(struct gt_err *err)
{
	struct pcsc_mon *mon = calloc(1, sizeof(*mon));

	if (mon == NULL) {
		err_set(err, _("out of memory"));
		return NULL;
	}
	pthread_mutex_init(&mon->lock, NULL);
	if (pthread_create(&mon->thread, NULL, pcsc_mon_main, mon) != 0) {
		pthread_mutex_destroy(&mon->lock);
		free(mon);
		err_set(err, "%s", _("cannot start the reader monitor"));
		return NULL;
	}
	return mon;
}

enum pcsc_mon_state pcsc_mon_poll(struct pcsc_mon *mon, struct pcsc_reader *out, size_t max,
				  size_t *n, unsigned *generation)
{
	enum pcsc_mon_state st;

	pthread_mutex_lock(&mon->lock);
	st = mon->state;
	*n = mon->n < max ? mon->n : max;
	memcpy(out, mon->readers, *n * sizeof(*out));
	if (generation != NULL)
		*generation = mon->generation;
	pthread_mutex_unlock(&mon->lock);
	return st;
}

void pcsc_mon_free(struct pcsc_mon *mon)
{
	if (mon == NULL)
		return;
	pthread_mutex_lock(&mon->lock);
	mon->stop = 1;
	if (mon->have_sc)
		SCardCancel(mon->sc);
	pthread_mutex_unlock(&mon->lock);
	pthread_join(mon->thread, NULL);
	pthread_mutex_destroy(&mon->lock);
	free(mon);
}
