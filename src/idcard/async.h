/* Reading an ID card without blocking the UI: a job runs the reader on its
 * own thread and publishes a state the UI polls (or waits for on a
 * descriptor). The UI never touches the reader; the job never touches
 * curses.
 *
 *   struct idc_job *job = idc_job_new(&opts, &err);   // starts at once
 *   loop: idc_job_poll(job, msg, sizeof msg)          // state + status line
 *         (wait on idc_job_fd(job) with the keyboard, or just poll)
 *         Esc -> idc_job_cancel(job)
 *   DONE / REFUSED -> idc_job_result(job, &rec, &err)
 *   idc_job_free(job)                                  // cancels and joins
 *
 * The job waits for a card ("place the card on the reader"), reads it,
 * and when the card is lifted or the answer is damaged in the middle,
 * asks for the card again (up to max_attempts). The record it returns is
 * checked (verify.h): an expired card ends in REFUSED, not DONE. */
#ifndef GUITAI_IDCARD_ASYNC_H
#define GUITAI_IDCARD_ASYNC_H

#include <stddef.h>
#include "idcard/reader.h"
#include "idcard/verify.h"
#include "util/err.h"

enum idc_job_state {
	IDC_JOB_OPENING,   /* opening the device, checking the SAM */
	IDC_JOB_WAITING,   /* no card yet: "place the ID card on the reader" */
	IDC_JOB_READING,   /* card found, reading */
	IDC_JOB_DONE,      /* read and checked: the record is ready */
	IDC_JOB_REFUSED,   /* read, but the card may not be used (expired, bad number) */
	IDC_JOB_FAILED,    /* no card in time, reader error, damaged answers */
	IDC_JOB_CANCELLED,
};

/* True for the states the job ends in. */
int idc_job_finished(enum idc_job_state st);

struct idc_job_opts {
	const char *device;  /* tty path */
	int baud;            /* 0: 115200 */
	int timeout_ms;      /* per answer beyond its wire time; 0: 3000 */
	int wait_ms;         /* how long to wait for a card; 0: timeout_ms */
	int poll_ms;         /* interval between "find card" commands; 0: 250 */
	int max_attempts;    /* reads tried when the card moves; 0: 3 */
	unsigned read_flags; /* IDC_READ_* */
	int probe_only;      /* open + SAM status + SAM id, then DONE: for the
			      * status bar's present/absent/error */
	int today_ymd;       /* for the validity check; 0: today */
};

struct idc_job;

/* Start a job; the options are copied. NULL with err set when the thread
 * cannot start (device errors come later, as FAILED). */
struct idc_job *idc_job_new(const struct idc_job_opts *opts, struct gt_err *err);

/* Current state and the status line that goes with it (translated), e.g.
 * "Place the ID card on the reader" or the reader's error. msg may be
 * NULL. Cheap; call it every UI tick. */
enum idc_job_state idc_job_poll(struct idc_job *job, char *msg, size_t msgsz);

/* A descriptor that becomes readable when the state changes (drained by
 * idc_job_poll), for a poll()-based UI loop. */
int idc_job_fd(const struct idc_job *job);

/* Wait up to timeout_ms (-1 forever) for the job to finish; returns its
 * state then. For headless callers. */
enum idc_job_state idc_job_wait(struct idc_job *job, int timeout_ms);

/* Ask the job to stop; it ends in CANCELLED soon after (the reader's waits
 * watch for it). Safe to call at any time, more than once. */
void idc_job_cancel(struct idc_job *job);

/* In DONE or REFUSED: copy the record (REFUSED too, so the UI can show
 * what it refused). Returns 0 for DONE; -1 with the reason otherwise.
 * *verdict (may be NULL) gets the check result. */
int idc_job_result(struct idc_job *job, struct idc_record *out,
		   enum idc_verify_result *verdict, struct gt_err *err);

/* Cancel, join, wipe the record. NULL is fine. */
void idc_job_free(struct idc_job *job);

#endif
