/* The reading job; see async.h. One worker thread per job owns the reader;
 * the shared part (state, message, record) sits behind a mutex. Two pipes:
 * cancel (UI -> worker, watched by every wait in serial.c) and notify
 * (worker -> UI, one byte per state change). */
#include "config.h"
#include "idcard/async.h"
#include "idcard/serial.h"
#include "util/i18n.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct idc_job {
	struct idc_job_opts opts;
	char device[4096];
	pthread_t thread;
	int started;
	int cancel_pipe[2];
	int notify_pipe[2];

	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum idc_job_state state;
	char msg[sizeof(((struct gt_err *)0)->msg)];
	enum idc_verify_result verdict;
	struct idc_record rec;
};

int idc_job_finished(enum idc_job_state st)
{
	return st == IDC_JOB_DONE || st == IDC_JOB_REFUSED || st == IDC_JOB_FAILED ||
	       st == IDC_JOB_CANCELLED;
}

static void idc_job_set(struct idc_job *job, enum idc_job_state st, const char *msg)
{
	char one = 1;

	pthread_mutex_lock(&job->lock);
	job->state = st;
	str_copy(job->msg, sizeof(job->msg), msg != NULL ? msg : "");
	pthread_cond_broadcast(&job->cond);
	pthread_mutex_unlock(&job->lock);
	/* Non-blocking: a full pipe already says "changed". */
	if (write(job->notify_pipe[1], &one, 1) < 0 && errno != EAGAIN)
		return;
}

static int idc_job_cancelled(const struct idc_job *job)
{
	struct pollfd p = { job->cancel_pipe[0], POLLIN, 0 };

	return poll(&p, 1, 0) > 0;
}

/* Sleep ms unless cancelled; returns 1 when cancelled. */
static int idc_job_nap(const struct idc_job *job, int ms)
{
	struct pollfd p = { job->cancel_pipe[0], POLLIN, 0 };

	return poll(&p, 1, ms) > 0;
}

/* End as FAILED or CANCELLED depending on why the reader stopped. */
static void idc_job_fail(struct idc_job *job, struct idc_reader *r, const struct gt_err *err)
{
	if ((r != NULL && idc_reader_fail(r) == IDC_FAIL_CANCELLED) || idc_job_cancelled(job))
		idc_job_set(job, IDC_JOB_CANCELLED, _("Reading the ID card was cancelled."));
	else
		idc_job_set(job, IDC_JOB_FAILED, err->msg);
}

/* Wait for a card: 1 found, 0 none before the deadline, -1 error. `hint`
 * is the status line to show meanwhile. */
static int idc_job_wait_card(struct idc_job *job, struct idc_reader *r, long long deadline,
			     const char *hint, struct gt_err *err)
{
	int transient = 0;

	idc_job_set(job, IDC_JOB_WAITING, hint);
	for (;;) {
		int f = idc_reader_find(r, err);

		if (f > 0)
			return 1;
		if (f < 0) {
			enum idc_reader_fail why = idc_reader_fail(r);

			/* One garbled answer to a poll is not worth failing
			 * the whole wait; a few in a row are. */
			if ((why != IDC_FAIL_DAMAGED && why != IDC_FAIL_TIMEOUT) || ++transient > 2)
				return -1;
		} else {
			transient = 0;
		}
		if (idc_serial_now_ms() >= deadline) {
			if (f == 0)
				err_set(err, "%s", _("No card on the reader: place the ID card on "
						     "the reader and try again."));
			return 0;
		}
		if (idc_job_nap(job, job->opts.poll_ms)) {
			err_set(err, "%s", _("Reading the ID card was cancelled."));
			return -1;
		}
	}
}

static void idc_job_read(struct idc_job *job, struct idc_reader *r)
{
	struct idc_record *rec = calloc(1, sizeof(*rec));
	struct gt_err err = { "", 0 };
	char why[sizeof(err.msg)] = "";
	long long deadline = idc_serial_now_ms() + job->opts.wait_ms;
	const char *hint = _("Place the ID card on the reader.");
	enum idc_verify_result verdict;
	int attempt, today;

	if (rec == NULL) {
		idc_job_set(job, IDC_JOB_FAILED, _("out of memory"));
		return;
	}
	for (attempt = 1;; attempt++) {
		int w = idc_job_wait_card(job, r, deadline, hint, &err);
		enum idc_reader_fail fail;

		if (w <= 0) {
			/* After a failed read, say what went wrong then. */
			if (w == 0 && why[0] != '\0')
				str_copy(err.msg, sizeof(err.msg), why);
			idc_job_fail(job, r, &err);
			goto out;
		}
		idc_job_set(job, IDC_JOB_READING, _("Reading the ID card; keep it still..."));
		if (idc_reader_select(r, rec->card_serial, sizeof(rec->card_serial), &err) == 0 &&
		    idc_reader_read(r, job->opts.read_flags, rec, &err) == 0)
			break;
		fail = idc_reader_fail(r);
		if ((fail != IDC_FAIL_CARD && fail != IDC_FAIL_DAMAGED && fail != IDC_FAIL_TIMEOUT &&
		     fail != IDC_FAIL_NO_CARD) || attempt >= job->opts.max_attempts) {
			idc_job_fail(job, r, &err);
			goto out;
		}
		/* The card moved or the answer was garbled: ask again, and
		 * give the operator the time a new placement needs. */
		str_copy(why, sizeof(why), err.msg);
		hint = _("The card was moved or the answer was damaged: place the ID card on "
			 "the reader again.");
		if (deadline < idc_serial_now_ms() + job->opts.timeout_ms)
			deadline = idc_serial_now_ms() + job->opts.timeout_ms;
	}
	rec->read_at = (long long)time(NULL);
	today = job->opts.today_ymd > 0 ? job->opts.today_ymd : idc_verify_today();
	verdict = idc_verify(&rec->text, today, rec->number_norm, sizeof(rec->number_norm),
			     &err);
	pthread_mutex_lock(&job->lock);
	job->rec = *rec;
	job->verdict = verdict;
	pthread_mutex_unlock(&job->lock);
	if (verdict == IDC_VERIFY_OK)
		idc_job_set(job, IDC_JOB_DONE, _("The ID card was read."));
	else
		idc_job_set(job, IDC_JOB_REFUSED, err.msg);
out:
	idc_record_wipe(rec);
	free(rec);
}

static void *idc_job_main(void *arg)
{
	struct idc_job *job = arg;
	struct gt_err err = { "", 0 };
	struct idc_reader *r;

	idc_job_set(job, IDC_JOB_OPENING, _("Connecting to the ID-card reader..."));
	r = idc_reader_new(job->device, job->opts.baud, job->opts.timeout_ms, &err);
	if (r == NULL) {
		idc_job_set(job, IDC_JOB_FAILED, err.msg);
		return NULL;
	}
	idc_reader_set_cancel_fd(r, job->cancel_pipe[0]);
	if (idc_reader_sam_status(r, &err) != 0) {
		idc_job_fail(job, r, &err);
		goto out;
	}
	if (job->opts.probe_only) {
		char sam[sizeof(job->rec.sam_id)] = "";

		if (idc_reader_sam_id(r, sam, sizeof(sam), &err) != 0) {
			idc_job_fail(job, r, &err);
			goto out;
		}
		pthread_mutex_lock(&job->lock);
		str_copy(job->rec.sam_id, sizeof(job->rec.sam_id), sam);
		pthread_mutex_unlock(&job->lock);
		idc_job_set(job, IDC_JOB_DONE, _("ID-card reader ready."));
		goto out;
	}
	idc_job_read(job, r);
out:
	idc_reader_free(r);
	return NULL;
}

static void idc_job_close_pipes(struct idc_job *job)
{
	for (int i = 0; i < 2; i++) {
		if (job->cancel_pipe[i] >= 0)
			close(job->cancel_pipe[i]);
		if (job->notify_pipe[i] >= 0)
			close(job->notify_pipe[i]);
	}
}

struct idc_job *idc_job_new(const struct idc_job_opts *opts, struct gt_err *err)
{
	struct idc_job *job = calloc(1, sizeof(*job));
	int rc;

	if (job == NULL) {
		err_set(err, "%s", _("out of memory"));
		return NULL;
	}
	job->opts = *opts;
	job->cancel_pipe[0] = job->cancel_pipe[1] = -1;
	job->notify_pipe[0] = job->notify_pipe[1] = -1;
	str_copy(job->device, sizeof(job->device), opts->device != NULL ? opts->device : "");
	job->opts.device = job->device;
	if (job->opts.timeout_ms <= 0)
		job->opts.timeout_ms = IDC_DEFAULT_TIMEOUT_MS;
	if (job->opts.wait_ms <= 0)
		job->opts.wait_ms = job->opts.timeout_ms;
	if (job->opts.poll_ms <= 0)
		job->opts.poll_ms = 250;
	if (job->opts.max_attempts <= 0)
		job->opts.max_attempts = 3;
	job->state = IDC_JOB_OPENING;
	if (pipe2(job->cancel_pipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    pipe2(job->notify_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		err_set(err, _("Cannot start reading the ID card: %s"), strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&job->lock, NULL);
	pthread_cond_init(&job->cond, NULL);
	rc = pthread_create(&job->thread, NULL, idc_job_main, job);
	if (rc != 0) {
		err_set(err, _("Cannot start reading the ID card: %s"), strerror(rc));
		pthread_cond_destroy(&job->cond);
		pthread_mutex_destroy(&job->lock);
		goto fail;
	}
	job->started = 1;
	return job;
fail:
	idc_job_close_pipes(job);
	free(job);
	return NULL;
}

enum idc_job_state idc_job_poll(struct idc_job *job, char *msg, size_t msgsz)
{
	enum idc_job_state st;
	char junk[64];

	while (read(job->notify_pipe[0], junk, sizeof(junk)) > 0)
		;
	pthread_mutex_lock(&job->lock);
	st = job->state;
	if (msg != NULL && msgsz > 0)
		str_copy(msg, msgsz, job->msg);
	pthread_mutex_unlock(&job->lock);
	return st;
}

int idc_job_fd(const struct idc_job *job)
{
	return job->notify_pipe[0];
}

enum idc_job_state idc_job_wait(struct idc_job *job, int timeout_ms)
{
	struct timespec until;
	enum idc_job_state st;

	clock_gettime(CLOCK_REALTIME, &until);
	if (timeout_ms >= 0) {
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&job->lock);
	while (!idc_job_finished(job->state)) {
		if (timeout_ms < 0)
			pthread_cond_wait(&job->cond, &job->lock);
		else if (pthread_cond_timedwait(&job->cond, &job->lock, &until) == ETIMEDOUT)
			break;
	}
	st = job->state;
	pthread_mutex_unlock(&job->lock);
	return st;
}

void idc_job_cancel(struct idc_job *job)
{
	char one = 1;

	if (job == NULL)
		return;
	/* Level-triggered: the byte stays in the pipe, so every later wait
	 * sees it too. */
	if (write(job->cancel_pipe[1], &one, 1) < 0 && errno != EAGAIN)
		return;
}

int idc_job_result(struct idc_job *job, struct idc_record *out,
		   enum idc_verify_result *verdict, struct gt_err *err)
{
	int rc = -1;

	pthread_mutex_lock(&job->lock);
	if (job->state == IDC_JOB_DONE || job->state == IDC_JOB_REFUSED) {
		if (out != NULL)
			*out = job->rec;
		if (verdict != NULL)
			*verdict = job->verdict;
		rc = job->state == IDC_JOB_DONE ? 0 : -1;
	} else if (verdict != NULL) {
		*verdict = IDC_VERIFY_OK;
	}
	if (rc != 0) {
		if (idc_job_finished(job->state))
			err_set(err, "%s", job->msg);
		else
			err_set(err, "%s", _("The ID card has not been read yet."));
	}
	pthread_mutex_unlock(&job->lock);
	return rc;
}

void idc_job_free(struct idc_job *job)
{
	if (job == NULL)
		return;
	if (job->started) {
		idc_job_cancel(job);
		pthread_join(job->thread, NULL);
		pthread_cond_destroy(&job->cond);
		pthread_mutex_destroy(&job->lock);
	}
	idc_job_close_pipes(job);
	str_wipe(job, sizeof(*job));
	free(job);
}
