/* The personalisation as a job on a thread of its own, for the screen:
 * it keeps drawing (and can ask to cancel) while perso_run works; see
 * personalise.h. */
#include "config.h"
#include "flow/personalise.h"
#include "util/i18n.h"
#include "util/str.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct perso_job {
	struct gt_ctx *ctx;
	struct perso_opts opts;
	char app_no[APP_NO_MAX];
	char reader[128];
	char pin[72];
	int has_pin;
	pthread_t thread;
	pthread_mutex_t lock;
	enum perso_job_state state;
	enum perso_step step;
	char msg[256];
	int cancel;
	struct perso_result res;
	struct gt_err err;
};

static void perso_job_progress(void *arg, enum perso_step step, const char *msg)
{
	struct perso_job *job = arg;

	pthread_mutex_lock(&job->lock);
	job->step = step;
	str_copy(job->msg, sizeof(job->msg), msg);
	pthread_mutex_unlock(&job->lock);
}

static int perso_job_cancelled(void *arg)
{
	struct perso_job *job = arg;
	int c;

	pthread_mutex_lock(&job->lock);
	c = job->cancel;
	pthread_mutex_unlock(&job->lock);
	return c;
}

static void *perso_job_main(void *arg)
{
	struct perso_job *job = arg;
	struct perso_cb cb = { perso_job_progress, perso_job_cancelled, job };
	struct perso_result res;
	struct gt_err err = { "", 0 };
	int rc = perso_run(job->ctx, &job->opts, &cb, &res, &err);

	pthread_mutex_lock(&job->lock);
	job->res = res;
	job->err = err;
	job->state = rc == 0 ? PERSO_JOB_DONE : rc == PERSO_CANCELLED ? PERSO_JOB_CANCELLED :
		     rc == PERSO_ROLLED_BACK ? PERSO_JOB_ROLLED_BACK : PERSO_JOB_FAILED;
	if (rc < 0)
		str_copy(job->msg, sizeof(job->msg), err.msg);
	pthread_mutex_unlock(&job->lock);
	OPENSSL_cleanse(&res, sizeof(res));
	OPENSSL_cleanse(job->pin, sizeof(job->pin));
	return NULL;
}

struct perso_job *perso_job_new(struct gt_ctx *ctx, const struct perso_opts *opts,
				struct gt_err *err)
{
	struct perso_job *job = calloc(1, sizeof(*job));

	if (job == NULL) {
		err_set(err, _("out of memory"));
		return NULL;
	}
	job->ctx = ctx;
	job->opts = *opts;
	str_copy(job->app_no, sizeof(job->app_no), opts->app_no);
	job->opts.app_no = job->app_no;
	if (opts->reader != NULL) {
		str_copy(job->reader, sizeof(job->reader), opts->reader);
		job->opts.reader = job->reader;
	}
	if (opts->pin != NULL) {
		str_copy(job->pin, sizeof(job->pin), opts->pin);
		job->opts.pin = job->pin;
	}
	job->state = PERSO_JOB_RUNNING;
	str_copy(job->msg, sizeof(job->msg), perso_step_title(PERSO_FIND));
	pthread_mutex_init(&job->lock, NULL);
	if (pthread_create(&job->thread, NULL, perso_job_main, job) != 0) {
		pthread_mutex_destroy(&job->lock);
		OPENSSL_cleanse(job->pin, sizeof(job->pin));
		free(job);
		err_set(err, "%s", _("cannot start the personalisation"));
		return NULL;
	}
	return job;
}

enum perso_job_state perso_job_poll(struct perso_job *job, enum perso_step *step, char *msg,
				    size_t msgsz)
{
	enum perso_job_state st;

	pthread_mutex_lock(&job->lock);
	st = job->state;
	if (step != NULL)
		*step = job->step;
	if (msg != NULL)
		str_copy(msg, msgsz, job->msg);
	pthread_mutex_unlock(&job->lock);
	return st;
}

void perso_job_cancel(struct perso_job *job)
{
	pthread_mutex_lock(&job->lock);
	job->cancel = 1;
	pthread_mutex_unlock(&job->lock);
}

int perso_job_result(struct perso_job *job, struct perso_result *res, struct gt_err *err)
{
	int rc;

	pthread_mutex_lock(&job->lock);
	rc = job->state == PERSO_JOB_DONE ? 0 : -1;
	if (res != NULL)
		*res = job->res;
	if (err != NULL)
		*err = job->err;
	pthread_mutex_unlock(&job->lock);
	return rc;
}

void perso_job_free(struct perso_job *job)
{
	if (job == NULL)
		return;
	perso_job_cancel(job);
	pthread_join(job->thread, NULL);
	pthread_mutex_destroy(&job->lock);
	OPENSSL_cleanse(job, sizeof(*job));
	free(job);
}
