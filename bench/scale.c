/* Issue 6 at scale: a database of 1,000,000 applications (sealed records,
 * the keyed index of ID numbers and mobiles, one payment each) and
 * 20,000,000 audit rows, then the look-ups and the settlement of a busy
 * day timed against their targets, with the floor SQLite itself sets.
 *
 *   bench/scale --srcdir DIR [-a APPS] [-r AUDIT_ROWS] [-n QUERIES]
 *               [-b BUDGET_S] [-d PARENT] [-k]
 *
 * Generation, in-process through the store (so every application is
 * sealed and indexed exactly as the counter does it): applications in
 * transactions of 10,000 via store_app_save, with distinct organisations
 * (two applications each), USCCs and ID numbers with valid check
 * characters, unique mobiles; payments via ledger_insert, 4,000 a day over
 * ten terminals and thirty operators, 2 % voided and 1 % refunded; audit
 * rows chained with audit_record and inserted in transactions of 100,000
 * with a keyed checkpoint every 1,000 rows (audit_checkpoint) and the head
 * anchor at the end. When the audit rows would not fit the time budget
 * (-b, default 300 s for the audit part), generation stops at the last
 * whole transaction within it and the figure says how many were made.
 *
 * Timed (CLOCK_MONOTONIC, QUERIES random existing values per kind):
 *  - look-up: lookup_find plus opening the hit (AES-GCM) and masking, as
 *    `guitai search` does before it prints — by application number, USCC,
 *    ID number, mobile. Target p99 <= 2 ms.
 *  - floor: the same row fetched by primary key without decrypting.
 *  - search_run, the whole flow with its audit row (one durable commit).
 *  - settlement: report_daily of the busiest day. Target <= 100 ms; floor:
 *    one SUM over the day's index.
 *  - bytes per application, from SQLite's dbstat: applications, search
 *    index, payments and their indexes, apart from the audit trail.
 * Exit 0 targets met, 1 missed, 2 could not run. */
#include "config.h"
#include "db/audit.h"
#include "db/crypto.h"
#include "db/ledger.h"
#include "db/lookup.h"
#include "db/store.h"
#include "flow/ctx.h"
#include "flow/report.h"
#include "flow/search.h"
#include "model/val.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SCALE_PER_DAY 4000
#define SCALE_TERMINALS 10
#define SCALE_OPS_PER_TERMINAL 3
#define SCALE_FIRST_DAY_T 1735704000LL   /* 2025-01-01 12:00 +08:00 */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *sorted, int n, double p)
{
	int i = (int)(p * (n - 1) + 0.5);

	return sorted[i < n ? i : n - 1];
}

/* A deterministic generator (xorshift), so runs are comparable. */
static unsigned long long scale_rng = 88172645463325252ULL;

static unsigned long long rnd(void)
{
	scale_rng ^= scale_rng << 13;
	scale_rng ^= scale_rng >> 7;
	scale_rng ^= scale_rng << 17;
	return scale_rng;
}

static void uscc_of(long long org, char out[19])
{
	char body[40], code8[24];

	/* Eight digits: org stays below 90,000,000. */
	snprintf(code8, sizeof(code8), "%08lld", (10000000 + org) % 100000000);
	snprintf(body, sizeof(body), "91440300%s%c", code8, val_gb11714_check_char(code8));
	/* The body is 17 characters by construction. */
	memcpy(out, body, 17);
	out[17] = val_uscc_check_char(body);
	out[18] = '\0';
}

/* A resident ID number: born 1960-01-01 plus n % 15000 days. */
static void id_of(long long n, char out[19])
{
	struct tm tm = { 0 };
	char body[48];
	time_t t;

	tm.tm_year = 60;
	tm.tm_mday = 1 + (int)(n % 15000);
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	snprintf(body, sizeof(body), "440304%04d%02d%02d%03lld", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, (n / 15000) % 1000);
	memcpy(out, body, 17);
	out[17] = val_gb11643_check_char(body);
	out[18] = '\0';
}

static void mobile_of(long long i, char out[12])
{
	char buf[32];

	snprintf(buf, sizeof(buf), "13%09lld", i % 1000000000);
	memcpy(out, buf, 12);
	out[11] = '\0';
}

static int day_of_index(long long d)
{
	time_t t = (time_t)(SCALE_FIRST_DAY_T + d * 86400);
	struct tm tm;

	localtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static void app_no_of(long long i, char out[APP_NO_MAX])
{
	long long d = i / SCALE_PER_DAY, k = i % SCALE_PER_DAY;

	snprintf(out, APP_NO_MAX, "T%02lld-%08d-%04lld", k % SCALE_TERMINALS + 1,
		 day_of_index(d), k / SCALE_TERMINALS + 1);
}

static void op_of(long long i, char *out, size_t size)
{
	long long k = i % SCALE_PER_DAY, term = k % SCALE_TERMINALS;

	snprintf(out, size, "op%02lld", term * SCALE_OPS_PER_TERMINAL +
		 (k / SCALE_TERMINALS) % SCALE_OPS_PER_TERMINAL + 1);
}

static void fill_app(struct application *app, long long i)
{
	static const char *const methods[] = { "cash", "card", "wechat", "alipay", "transfer" };
	char v[64], uscc[19], id[19];
	long long org = i / 2;
	const char *m = methods[i % 5];

	app_init(app);
	app_no_of(i, app->app_no);
	app->status = APP_SUBMITTED;
	app->step = 4;
	op_of(i, app->operator_name, sizeof(app->operator_name));
	app->created_at = app->updated_at = SCALE_FIRST_DAY_T + (i / SCALE_PER_DAY) * 86400 +
					    (i % SCALE_PER_DAY) * 8;
	app_set(app, AF_PROJECT, "szjsgws");
	snprintf(v, sizeof(v), "深圳市测试%07lld科技有限公司", org);
	app_set(app, AF_ORG_NAME, v);
	uscc_of(org, uscc);
	app_set(app, AF_ORG_ID_NUMBER, uscc);
	app_set(app, AF_ORG_PROVINCE, "440000");
	app_set(app, AF_ORG_CITY, "440300");
	app_set(app, AF_ORG_COUNTY, "440305");
	app_set(app, AF_ORG_ADDRESS, "深圳市南山区科技园科苑路1号");
	app_set(app, AF_REP_NAME, "张三");
	id_of(org * 7 + 3, id);
	app_set(app, AF_REP_ID_NUMBER, id);
	app_set(app, AF_HDL_NAME, "李四");
	id_of(i * 7 + 5000000, id);
	app_set(app, AF_HDL_ID_NUMBER, id);
	mobile_of(i, v);
	app_set(app, AF_HDL_MOBILE, v);
	snprintf(v, sizeof(v), "h%lld@example.com", i);
	app_set(app, AF_HDL_EMAIL, v);
	app_set(app, AF_HDL_POSITION, "经理");
	app_set(app, AF_AUTH_FROM, "2025-01-01");
	app_set(app, AF_INV_TITLE, app_get(app, AF_ORG_NAME));
	app_set(app, AF_INV_TAX_NUMBER, uscc);
	app_set(app, AF_PAY_METHOD, m);
	snprintf(v, sizeof(v), "%s", strcmp(m, "cash") == 0 ? "" : "4200001234202611210000");
	app_set(app, AF_PAY_REFERENCE, v);
}

static int gen_apps(struct gt_ctx *ctx, long long apps, struct gt_err *err)
{
	struct application *app = calloc(1, sizeof(*app));
	double t0 = now_s();
	int rc = -1;

	if (app == NULL)
		return err_set(err, "out of memory");
	for (long long i = 0; i < apps; i++) {
		struct ledger_payment p;
		long long pay_id;
		char term[8];

		if (i % 10000 == 0 && store_begin(ctx->store, err) != 0)
			goto out;
		fill_app(app, i);
		snprintf(term, sizeof(term), "%.3s", app->app_no);
		if (store_app_save(ctx->store, &ctx->ring, app, term, err) != 0)
			goto fail;
		memset(&p, 0, sizeof(p));
		snprintf(p.app_no, sizeof(p.app_no), "%s", app->app_no);
		snprintf(p.kind, sizeof(p.kind), "payment");
		snprintf(p.method, sizeof(p.method), "%s", app_get(app, AF_PAY_METHOD));
		p.amount_fen = 45000;
		snprintf(p.reference, sizeof(p.reference), "%s", app_get(app, AF_PAY_REFERENCE));
		snprintf(p.service, sizeof(p.service), "new");
		snprintf(p.invoice, sizeof(p.invoice), "yes");
		snprintf(p.operator_name, sizeof(p.operator_name), "%s", app->operator_name);
		snprintf(p.terminal, sizeof(p.terminal), "%.3s", app->app_no);
		p.day = day_of_index(i / SCALE_PER_DAY);
		p.at = app->created_at;
		if (ledger_insert(ctx->store, &p, err) != 0)
			goto fail;
		pay_id = p.id;
		/* 2 % voided the same day, 1 % refunded. */
		if (i % 50 == 7 || i % 100 == 31) {
			snprintf(p.kind, sizeof(p.kind), "%s", i % 50 == 7 ? "void" : "refund");
			p.original = pay_id;
			p.amount_fen = -45000;
			snprintf(p.approved_by, sizeof(p.approved_by), "sup%02lld",
				 (i % SCALE_PER_DAY) % SCALE_TERMINALS + 1);
			snprintf(p.reason, sizeof(p.reason), "顾客要求");
			p.at += 60;
			if (ledger_insert(ctx->store, &p, err) != 0)
				goto fail;
		}
		if ((i + 1) % 10000 == 0 || i + 1 == apps) {
			if (store_commit(ctx->store, err) != 0)
				goto fail;
			fprintf(stderr, "\r# applications: %lld (%.0f/s)   ", i + 1,
				(double)(i + 1) / (now_s() - t0));
		}
	}
	fprintf(stderr, "\n");
	rc = 0;
	goto out;
fail:
	store_rollback(ctx->store);
out:
	app_clear(app);
	free(app);
	return rc;
}

/* Rows of the mix a counter writes; returns how many were made within
 * the budget. */
static long long gen_audit(struct gt_ctx *ctx, long long rows, double budget,
			   struct gt_err *err)
{
	static const char *const ops[] = { "op01", "op02", "op03", "op04", "op05", "op06" };
	unsigned char prev[AUDIT_HASH_BYTES];
	sqlite3 *db = store_db(ctx->store);
	sqlite3_stmt *ins = NULL;
	struct audit_head head;
	struct audit_ctx ac;
	char who[80];
	double t0 = now_s();
	long long seq, made = 0;

	ctx_audit_ctx(ctx, "op01", who, sizeof(who), &ac);
	if (audit_head(ctx->store, &head, err) != 0)
		return -1;
	memcpy(prev, head.hash, sizeof(prev));
	seq = head.seq;
	if (sqlite3_prepare_v2(db, "INSERT INTO audit (seq, rec) VALUES (?1, ?2)", -1, &ins,
			       NULL) != SQLITE_OK)
		return store_error(ctx->store, SQLITE_ERROR, err, "prepare");
	for (long long i = 0; i < rows; i++) {
		struct audit_row r;
		char action[32], app_no[APP_NO_MAX], detail[96], term[8];
		unsigned char rec[512];
		size_t reclen;

		if (i % 100000 == 0) {
			if (i > 0 && now_s() - t0 > budget)
				break;
			if (store_begin(ctx->store, err) != 0)
				goto fail;
		}
		app_no_of(i / 12, app_no);
		snprintf(term, sizeof(term), "%.3s", app_no);
		switch (i % 12) {
		case 0:
			snprintf(action, sizeof(action), "app.begin");
			snprintf(detail, sizeof(detail), "service new");
			break;
		case 5:
			snprintf(action, sizeof(action), "idcard.read");
			snprintf(detail, sizeof(detail), "handler: resident 4403**********%03lldX",
				 i % 1000);
			break;
		case 9:
			snprintf(action, sizeof(action), "app.submit");
			snprintf(detail, sizeof(detail), "submitted");
			break;
		case 10:
			snprintf(action, sizeof(action), "payment.take");
			snprintf(detail, sizeof(detail), "payment #%lld; cash 450.00; reference -",
				 i / 12 + 1);
			break;
		case 11:
			snprintf(action, sizeof(action), "login.ok");
			snprintf(detail, sizeof(detail), "role operator");
			app_no[0] = '\0';
			break;
		default:
			snprintf(action, sizeof(action), "app.step");
			snprintf(detail, sizeof(detail), "step %lld", i % 12 % 5 + 1);
			break;
		}
		memset(&r, 0, sizeof(r));
		r.seq = ++seq;
		r.at = SCALE_FIRST_DAY_T + i / 50;
		r.terminal = term;
		r.operator_name = ops[(i / 500) % 6];
		r.action = action;
		r.app_no = app_no;
		r.detail = detail;
		memcpy(r.prev_hash, prev, sizeof(prev));
		if (audit_canonical_size(&r) + AUDIT_HASH_BYTES > sizeof(rec) ||
		    audit_record(&r, rec, &reclen) != 0) {
			err_set(err, "hash");
			goto fail;
		}
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, r.seq);
		sqlite3_bind_blob(ins, 2, rec, (int)reclen, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			store_error(ctx->store, sqlite3_errcode(db), err, "insert audit row");
			goto fail;
		}
		memcpy(prev, r.hash, sizeof(prev));
		/* The keyed checkpoint the store makes every 1,000 rows. */
		if (r.seq % AUDIT_CHECKPOINT_EVERY == 0 && audit_checkpoint(ctx->store, &ac, NULL, err) != 0)
			goto fail;
		made++;
		if ((i + 1) % 100000 == 0 || i + 1 == rows) {
			if (store_commit(ctx->store, err) != 0)
				goto fail;
			fprintf(stderr, "\r# audit rows: %lld (%.0f/s)   ", made,
				(double)made / (now_s() - t0));
		}
	}
	sqlite3_finalize(ins);
	fprintf(stderr, "\n");
	if (audit_anchor(ctx->store, &ac, err) != 0)
		return -1;
	return made;
fail:
	sqlite3_finalize(ins);
	store_rollback(ctx->store);
	return -1;
}

struct scale_times {
	double *t;
	int n;
};

static void report_times(const char *what, double *t, int n, double *floor_t, int nf,
			 double target_ms)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("  %-20s %8.3f %8.3f %8.3f", what, pct(t, n, 0.5) * 1e3, pct(t, n, 0.99) * 1e3,
	       t[n - 1] * 1e3);
	if (floor_t != NULL) {
		qsort(floor_t, (size_t)nf, sizeof(*floor_t), cmp_double);
		printf("   %8.3f %8.3f", pct(floor_t, nf, 0.5) * 1e3, pct(floor_t, nf, 0.99) * 1e3);
	} else {
		printf("   %8s %8s", "-", "-");
	}
	if (target_ms > 0)
		printf("   %s (p99 <= %.0f ms)\n", pct(t, n, 0.99) * 1e3 <= target_ms ? "met" : "MISSED",
		       target_ms);
	else
		printf("\n");
}

/* One look-up as `guitai search` makes it before printing: find, open
 * each hit's sealed record, mask. Returns hits. */
static size_t lookup_once(struct gt_ctx *ctx, enum lookup_kind kind, const char *value,
			  struct application *app, struct gt_err *err)
{
	struct store_app_summary found[8];
	size_t n = 0;
	char masked[64];

	if (lookup_find(ctx->store, &ctx->ring, kind, value, found, 8, &n, err) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (store_app_load(ctx->store, &ctx->ring, found[i].app_no, app, err) != 0)
			return 0;
		app_display_value(app, AF_HDL_ID_NUMBER, masked, sizeof(masked), 0);
		app_display_value(app, AF_HDL_MOBILE, masked, sizeof(masked), 0);
	}
	return n;
}

/* The floor: the record's row by primary key, no decryption. */
static void floor_once(sqlite3_stmt *st, const char *app_no)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, app_no, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		(void)sqlite3_column_blob(st, 0);
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static int write_conf(const char *path, const char *dir, const char *srcdir)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "[terminal]\nid = T01\n[paths]\ndata_dir = %s/data\n[data]\n"
		"catalog = %s/data/catalog.ini\nregions = %s/data/regions.tsv\n"
		"[log]\nfile = %s/guitai.log\n", dir, srcdir, srcdir, dir);
	return fclose(f);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: scale --srcdir DIR [-a APPS] [-r AUDIT_ROWS] [-n QUERIES] "
		   "[-b AUDIT_BUDGET_S] [-d PARENT] [-k]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "srcdir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *srcdir = NULL, *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	long long apps = 1000000, audit_rows = 20000000, made = 0;
	int queries = 2000, keep = 0, opt, rc = 2, met = 1;
	double budget = 300, t_apps, t_audit, t0;
	char dir[PATH_MAX], conf[PATH_MAX + 32], abss[PATH_MAX];
	struct application *app = NULL;
	struct gt_ctx ctx;
	struct gt_err err;
	int opened = 0;

	while ((opt = getopt_long(argc, argv, "s:a:r:n:b:d:kh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			srcdir = optarg;
			break;
		case 'a':
			apps = atoll(optarg);
			break;
		case 'r':
			audit_rows = atoll(optarg);
			break;
		case 'n':
			queries = atoi(optarg);
			break;
		case 'b':
			budget = atof(optarg);
			break;
		case 'd':
			parent = optarg;
			break;
		case 'k':
			keep = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (srcdir == NULL || realpath(srcdir, abss) == NULL || apps < SCALE_PER_DAY ||
	    queries < 10 || audit_rows < 0) {
		usage(stderr);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/guitai-scale.XXXXXX", parent);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(conf, sizeof(conf), "%s/guitai.conf", dir);
	setenv("LC_ALL", "C.UTF-8", 1);
	if (write_conf(conf, dir, abss) != 0 || ctx_open(&ctx, conf, &err) != 0) {
		fprintf(stderr, "scale: %s\n", err.msg);
		goto out;
	}
	opened = 1;
	app = calloc(1, sizeof(*app));
	if (app == NULL)
		goto out;

	printf("# bench/scale: %lld applications, %lld audit rows requested; %d queries per kind\n",
	       apps, audit_rows, queries);
	t0 = now_s();
	if (gen_apps(&ctx, apps, &err) != 0) {
		fprintf(stderr, "scale: %s\n", err.msg);
		goto out;
	}
	t_apps = now_s() - t0;
	t0 = now_s();
	made = gen_audit(&ctx, audit_rows, budget, &err);
	if (made < 0) {
		fprintf(stderr, "scale: %s\n", err.msg);
		goto out;
	}
	t_audit = now_s() - t0;
	printf("# generated %lld applications (with payments) in %.0f s (%.0f/s); %lld audit rows "
	       "in %.0f s (%.0f/s)%s\n", apps, t_apps, (double)apps / t_apps, made, t_audit,
	       (double)made / (t_audit > 0 ? t_audit : 1),
	       made < audit_rows ? " — stopped at the time budget" : "");
	/* Settle the WAL into the file so the sizes are the database's. */
	sqlite3_exec(store_db(ctx.store), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);

	{
		sqlite3_stmt *st = NULL;
		long long total = file_size(ctx.cfg.db_path), audit_b = 0, app_b = 0;

		if (sqlite3_prepare_v2(store_db(ctx.store),
				       "SELECT name, sum(pgsize) FROM dbstat GROUP BY name", -1, &st,
				       NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *name = (const char *)sqlite3_column_text(st, 0);
				long long b = sqlite3_column_int64(st, 1);

				if (strncmp(name, "audit", 5) == 0)
					audit_b += b;
				else
					app_b += b;
				printf("#   %-28s %12lld bytes\n", name, b);
			}
			sqlite3_finalize(st);
		}
		printf("database: %lld bytes (%.2f GB); per application %.0f bytes (applications, "
		       "search index, payments, their indexes); per audit row %.0f bytes\n", total,
		       (double)total / 1e9, (double)app_b / (double)apps,
		       made > 0 ? (double)audit_b / (double)made : 0.0);
	}

	/* Look-ups: random existing values of each kind. */
	{
		static const char *const names[] = { "application number", "USCC", "ID number",
						      "mobile" };
		static const enum lookup_kind kinds[] = { LOOKUP_APP_NO, LOOKUP_USCC, LOOKUP_ID,
							  LOOKUP_MOBILE };
		double *t = calloc((size_t)queries, sizeof(*t));
		double *f = calloc((size_t)queries, sizeof(*f));
		sqlite3_stmt *st = NULL;

		if (t == NULL || f == NULL ||
		    sqlite3_prepare_v2(store_db(ctx.store), "SELECT record FROM applications "
				       "WHERE app_no = ?1", -1, &st, NULL) != SQLITE_OK)
			goto out;
		printf("\nlook-up, ms (n=%d each)  p50      p99      max   | floor p50  p99   | target\n",
		       queries);
		for (int k = 0; k < 4; k++) {
			long long misses = 0;

			for (int q = 0; q < queries; q++) {
				long long i = (long long)(rnd() % (unsigned long long)apps);
				char value[64], no[APP_NO_MAX];
				double a;

				app_no_of(i, no);
				if (kinds[k] == LOOKUP_APP_NO)
					snprintf(value, sizeof(value), "%s", no);
				else if (kinds[k] == LOOKUP_USCC)
					uscc_of(i / 2, value);
				else if (kinds[k] == LOOKUP_ID)
					id_of(i * 7 + 5000000, value);
				else
					mobile_of(i, value);
				a = now_s();
				if (lookup_once(&ctx, kinds[k], value, app, &err) == 0)
					misses++;
				t[q] = now_s() - a;
				a = now_s();
				floor_once(st, no);
				f[q] = now_s() - a;
			}
			report_times(names[k], t, queries, f, queries, 2.0);
			met &= pct(t, queries, 0.99) * 1e3 <= 2.0 && misses == 0;
			if (misses > 0)
				printf("  (%lld look-ups found nothing: generator and index disagree)\n",
				       misses);
		}
		sqlite3_finalize(st);
		/* The whole flow, with its audit row (a durable commit). */
		{
			int nq = queries < 200 ? queries : 200;
			struct search_hit hits[4];
			size_t n;

			for (int q = 0; q < nq; q++) {
				char value[16];
				double a;

				mobile_of((long long)(rnd() % (unsigned long long)apps), value);
				a = now_s();
				search_run(&ctx, value, SEARCH_MOBILE, hits, 4, &n, &err);
				t[q] = now_s() - a;
			}
			report_times("search_run (audited)", t, nq, NULL, 0, 0);
		}
		free(t);
		free(f);
	}

	/* The settlement of the busiest day (the last full one). */
	{
		int day = day_of_index(apps / SCALE_PER_DAY - 1), runs = 30;
		double t[30], f[30];
		sqlite3_stmt *st = NULL;
		struct report r;
		long long rows = 0;

		if (sqlite3_prepare_v2(store_db(ctx.store), "SELECT count(*), sum(amount_fen) FROM "
				       "payments WHERE day = ?1", -1, &st, NULL) != SQLITE_OK)
			goto out;
		for (int q = 0; q < runs; q++) {
			double a = now_s();

			if (report_daily(&ctx, day, &r, &err) != 0) {
				fprintf(stderr, "scale: %s\n", err.msg);
				goto out;
			}
			t[q] = now_s() - a;
			rows = r.rows;
			report_free(&r);
			a = now_s();
			sqlite3_reset(st);
			sqlite3_bind_int(st, 1, day);
			sqlite3_step(st);
			f[q] = now_s() - a;
		}
		sqlite3_finalize(st);
		printf("\nsettlement of %d: %lld ledger rows, %d terminals, %d operators (n=%d)\n",
		       day, rows, SCALE_TERMINALS, SCALE_TERMINALS * SCALE_OPS_PER_TERMINAL, runs);
		printf("  %-20s %8s %8s %8s   %8s %8s\n", "", "p50", "p99", "max", "floor", "");
		report_times("report_daily", t, runs, f, runs, 100.0);
		met &= pct(t, runs, 0.99) * 1e3 <= 100.0;
	}
	rc = met ? 0 : 1;
	printf("\nresult: %s\n", met ? "targets met" : "a target was MISSED");
out:
	if (app != NULL)
		app_clear(app);
	free(app);
	if (opened)
		ctx_close(&ctx);
	if (keep) {
		printf("# kept %s\n", dir);
	} else {
		char path[PATH_MAX + 64];
		const char *files[] = { "data/guitai.db", "data/guitai.db-wal", "data/guitai.db-shm",
					"data/guitai.db.audit-head", "data/pii.key", "data/audit.key",
					"guitai.log", "guitai.conf" };

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			unlink(path);
		}
		snprintf(path, sizeof(path), "%s/data", dir);
		rmdir(path);
		rmdir(dir);
	}
	return rc;
}
