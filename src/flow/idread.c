/* ID-card reads into applications; see idread.h. */
#include "config.h"
#include "flow/idread.h"
#include "db/store.h"
#include "idcard/async.h"
#include "idcard/text.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct idread {
	struct idc_job *job;
};

struct idread *idread_start(struct gt_ctx *ctx, int probe_only, struct gt_err *err)
{
	struct idc_job_opts opts;
	struct idread *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		err_set(err, _("out of memory"));
		return NULL;
	}
	memset(&opts, 0, sizeof(opts));
	opts.device = ctx->cfg.idcard_device;
	opts.baud = ctx->cfg.idcard_baud;
	opts.timeout_ms = ctx->cfg.idcard_timeout_ms;
	/* A person at the counter needs time to take the card out. */
	opts.wait_ms = probe_only ? 0 : 30000;
	opts.probe_only = probe_only;
	opts.read_flags = 0;
	opts.today_ymd = ctx_today_ymd();
	r->job = idc_job_new(&opts, err);
	if (r->job == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

enum idread_state idread_poll(struct idread *r, char *msg, size_t msgsz)
{
	switch (idc_job_poll(r->job, msg, msgsz)) {
	case IDC_JOB_DONE:
		return IDREAD_DONE;
	case IDC_JOB_REFUSED:
		return IDREAD_REFUSED;
	case IDC_JOB_FAILED:
		return IDREAD_FAILED;
	case IDC_JOB_CANCELLED:
		return IDREAD_CANCELLED;
	default:
		return IDREAD_BUSY;
	}
}

void idread_cancel(struct idread *r)
{
	idc_job_cancel(r->job);
}

void idread_wait(struct idread *r, int ms)
{
	idc_job_wait(r->job, ms);
}

/* Set a field from the card and list its key among those read. */
static void idread_set(struct application *app, enum app_person who, enum app_person_field pf,
		       const char *value, char *list, size_t listsz)
{
	enum app_field f = app_person_field(who, pf);

	if (value == NULL || value[0] == '\0')
		return;
	app_set(app, f, value);
	if (list[0] != '\0')
		strncat(list, ",", listsz - strlen(list) - 1);
	strncat(list, app_fields[f].key, listsz - strlen(list) - 1);
}

/* The card's number as screens show it: 4403**********123X. */
static void idread_masked(const struct idc_record *rec, char *out, size_t size)
{
	str_mask(out, size, rec->number_norm[0] ? rec->number_norm : rec->text.number, 4, 4);
}

static const char *idread_reason(enum idc_verify_result v)
{
	switch (v) {
	case IDC_VERIFY_BAD_NUMBER:
		return "bad_number";
	case IDC_VERIFY_BAD_DATE:
		return "bad_date";
	case IDC_VERIFY_MISMATCH:
		return "mismatch";
	case IDC_VERIFY_NOT_YET_VALID:
		return "not_yet_valid";
	case IDC_VERIFY_EXPIRED:
		return "expired";
	default:
		return "refused";
	}
}

int idread_apply(struct gt_ctx *ctx, struct idread *r, struct application *app,
		 enum app_person who, struct gt_err *err)
{
	struct idc_record *rec = calloc(1, sizeof(*rec));
	enum idc_verify_result verdict;
	const struct idc_text *t;
	char date[32], list[APP_VALUE_MAX] = "", when[32], masked[64];
	const char *person = who == APP_LEGAL_REP ? "legal_rep" : "handler";
	const char *nation;
	time_t now = time(NULL);
	struct tm tm;
	int rc = -1;

	if (rec == NULL)
		return err_set(err, _("out of memory"));
	if (idc_job_result(r->job, rec, &verdict, err) != 0) {
		/* A refused card is recorded with the reason's code (the
		 * sentence may carry the card's dates) and the masked number. */
		if (verdict != IDC_VERIFY_OK) {
			struct gt_err aerr;

			idread_masked(rec, masked, sizeof(masked));
			if (ctx_audit(ctx, "idcard.refused", app->app_no, &aerr, "%s: %s %s; %s", person,
				      idc_text_type_id(rec->text.type), masked,
				      idread_reason(verdict)) != 0)
				err_set(err, "%s", aerr.msg);
		}
		goto out;
	}
	t = &rec->text;
	/* Nothing is filled unless the read is in the trail first. */
	idread_masked(rec, masked, sizeof(masked));
	if (ctx_audit(ctx, "idcard.read", app->app_no, err, "%s: %s %s", person,
		      idc_text_type_id(t->type), masked) != 0)
		goto out;
	/* Clear what an earlier read may have left for this person, so no
	 * field of another card survives. */
	for (int pf = APF_GENDER; pf < APF_COUNT; pf++)
		app_set(app, app_person_field(who, (enum app_person_field)pf), "");
	idread_set(app, who, APF_NAME, t->name[0] ? t->name : t->name_en, list, sizeof(list));
	idread_set(app, who, APF_ID_TYPE, idc_text_type_id(t->type), list, sizeof(list));
	idread_set(app, who, APF_ID_NUMBER, rec->number_norm[0] ? rec->number_norm : t->number,
		   list, sizeof(list));
	idread_set(app, who, APF_GENDER, t->gender, list, sizeof(list));
	nation = idc_text_nation_name(t->nation);
	idread_set(app, who, APF_NATION, nation ? nation : t->nation, list, sizeof(list));
	idc_verify_date_iso(t->birth, date, sizeof(date));
	idread_set(app, who, APF_BIRTH, date, list, sizeof(list));
	idread_set(app, who, APF_ADDRESS, t->address, list, sizeof(list));
	idread_set(app, who, APF_ISSUER, t->authority, list, sizeof(list));
	idc_verify_date_iso(t->valid_from, date, sizeof(date));
	idread_set(app, who, APF_VALID_FROM, date, list, sizeof(list));
	if (t->long_term)
		str_copy(date, sizeof(date), "长期");
	else
		idc_verify_date_iso(t->valid_to, date, sizeof(date));
	idread_set(app, who, APF_VALID_TO, date, list, sizeof(list));
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	app_set(app, app_person_field(who, APF_CARD_READ_AT), when);
	app_set(app, app_person_field(who, APF_CARD_FIELDS), list);
	if (rec->photo_len > 0 &&
	    store_card_photo_save(ctx->store, &ctx->ring, app->app_no, person,
				  rec->read_at ? rec->read_at : (long long)now, rec->photo,
				  rec->photo_len, err) != 0)
		goto out;
	log_msg("idcard: %s %s read from the card (%s)", app->app_no, person,
		idc_text_type_id(t->type));
	rc = 0;
out:
	idc_record_wipe(rec);
	free(rec);
	str_wipe(list, sizeof(list));
	return rc;
}

void idread_free(struct idread *r)
{
	if (r == NULL)
		return;
	idc_job_free(r->job);
	free(r);
}
