/* Unit tests for issue 6's flows: supervisor approval (right, wrong role,
 * wrong password, lock-out through approvals, disabled, unknown action),
 * password change and disabling (the last supervisor stays), payments
 * taken with a batch application, voids and refunds (same day only for a
 * void, once per payment, approver required, auditors refused, nothing
 * happens when the audit row cannot be written), the settlement's totals
 * on known ledger rows, closing a day (frozen, digest, audit head), the
 * keyed search index (ID number, mobile, across a key rotation), and the
 * refusal to start when the PII key file is missing beside sealed records.
 * Each test has its own directory and context. */
#include "config.h"
#include "testutil.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "db/audit.h"
#include "db/ledger.h"
#include "db/lookup.h"
#include "db/store.h"
#include "flow/ctx.h"
#include "flow/issue.h"
#include "flow/payment.h"
#include "flow/report.h"
#include "flow/search.h"
#include "flow/session.h"

#define PASSWORD "s3cret-pass"
#define WRONG "not-the-pass"
#define HDL_ID "44030519900101123X"
#define REP_ID "440304198502280023"
#define MOBILE "13800138000"
#define CARD "6222021234567894"          /* Luhn-valid */
#define CARD_SPACED "6222 0212 3456 7894"
#define CARD_SHOWN "6222 **** **** 7894"
#define ACCOUNT "44050110062300001234"

static int make_ctx(void **state)
{
	return tu_ctx_new(state, "accounts", "");
}

static int remove_ctx(void **state)
{
	return tu_ctx_free(state);
}

static void add(struct tu_ctx *t, const char *name, const char *role)
{
	struct gt_err err;

	if (session_add_operator(&t->ctx, name, role, PASSWORD, &err) != 0)
		fail_msg("add %s: %s", name, err.msg);
}

/* A second connection, as an intruder or an admin tool. */
static void sql(struct tu_ctx *t, const char *stmt)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(t->ctx.cfg.db_path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, stmt, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", stmt, msg);
	sqlite3_close(db);
}

static long long count(struct tu_ctx *t, const char *query)
{
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(t->ctx.store), query, -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Audit rows are stored as their canonical bytes (db/audit.h): counted
 * through audit_list. NULL matches anything; detail_has is a substring. */
struct audit_match {
	const char *action, *operator_name, *app_no, *detail_has;
	long long n;
};

static int audit_match_row(void *arg, const struct audit_row *r)
{
	struct audit_match *m = arg;

	m->n += (m->action == NULL || strcmp(r->action, m->action) == 0) &&
		(m->operator_name == NULL || strcmp(r->operator_name, m->operator_name) == 0) &&
		(m->app_no == NULL || strcmp(r->app_no, m->app_no) == 0) &&
		(m->detail_has == NULL || strstr(r->detail, m->detail_has) != NULL);
	return 0;
}

static long long count_audit(struct tu_ctx *t, const char *action, const char *operator_name,
			     const char *app_no, const char *detail_has)
{
	struct audit_match m = { action, operator_name, app_no, detail_has, 0 };
	struct gt_err err;

	assert_int_equal(audit_list(t->ctx.store, 0, 1000000, audit_match_row, &m, &err), 0);
	return m.n;
}

static void write_batch(const struct tu_ctx *t, const char *path, const char *method,
			const char *reference, const char *mobile)
{
	FILE *f = fopen(path, "w");

	(void)t;
	assert_non_null(f);
	fprintf(f, "[application]\nservice = new\nproject = szjsgws\ncert_type = org\nterm_years = 1\n"
		"eseal = yes\n[organization]\nname = 深圳市测试科技有限公司\nid_type = uscc\n"
		"id_number = 91440300708461136T\naddress = 深圳市南山区科技园科苑路1号\n"
		"[legal_rep]\nname = 张三\nid_type = resident\nid_number = " REP_ID "\n"
		"[handler]\nname = 李四\nid_type = resident\nid_number = " HDL_ID "\n"
		"mobile = %s\nemail = lisi@example.com\nposition = 经理\n"
		"[payment]\nmethod = %s\nreference = %s\n", mobile, method, reference);
	/* A card or transfer needs the payer's account (spaces as typed). */
	if (strcmp(method, "card") == 0)
		fprintf(f, "account = " CARD_SPACED "\n");
	else if (strcmp(method, "transfer") == 0)
		fprintf(f, "account = " ACCOUNT "\n");
	assert_int_equal(fclose(f), 0);
}

/* A stored application with its payment; returns the payment's id. */
static long long stored_app(struct tu_ctx *t, const char *operator_name, const char *method,
			    const char *reference, char *app_no)
{
	struct issue_batch_result *res = calloc(1, sizeof(*res));
	struct gt_err err;
	char path[600];
	long long id;
	char q[200];

	assert_non_null(res);
	snprintf(path, sizeof(path), "%s/app.ini", t->dir);
	write_batch(t, path, method, reference, MOBILE);
	if (issue_batch(&t->ctx, path, operator_name, res, &err) != 0)
		fail_msg("batch: %s (%zu problems: %s %s)", err.msg, res->nerrors,
			 res->nerrors ? res->errors[0].where : "", res->nerrors ? res->errors[0].msg : "");
	strcpy(app_no, res->app_no);
	free(res);
	snprintf(q, sizeof(q), "SELECT id FROM payments WHERE app_no = '%s' AND kind = 'payment'",
		 app_no);
	id = count(t, q);
	assert_true(id > 0);
	return id;
}

static void test_approve(void **state)
{
	struct tu_ctx *t = *state;
	struct store_operator op;
	struct gt_err err;
	long long until;

	add(t, "boss", "supervisor");
	add(t, "wang", "operator");
	add(t, "gone", "supervisor");
	assert_int_equal(session_login(&t->ctx, "wang", PASSWORD, &until, &err), SESSION_OK);
	assert_int_equal(session_approve(&t->ctx, SESSION_APPROVE_VOID, "T01-X", "boss", PASSWORD,
					 &until, &err), SESSION_OK);
	/* The operator is still the one logged in. */
	assert_string_equal(t->ctx.operator_name, "wang");
	assert_int_equal(session_approve(&t->ctx, SESSION_APPROVE_VOID, "", "wang", PASSWORD,
					 &until, &err), SESSION_ROLE);
	assert_int_equal(session_approve(&t->ctx, SESSION_APPROVE_VOID, "", "boss", WRONG, &until,
					 &err), SESSION_BAD);
	assert_int_equal(session_approve(&t->ctx, SESSION_APPROVE_VOID, "", "nobody", PASSWORD,
					 &until, &err), SESSION_BAD);
	assert_int_equal(session_approve(&t->ctx, "launch_rockets", "", "boss", PASSWORD, &until,
					 &err), SESSION_ERROR);
	/* The approval row names the action, the application and who asked. */
	assert_int_equal(count_audit(t, "approve.ok", "boss", "T01-X",
				     "action payment_void; requested by wang;"), 1);
	assert_int_equal(count_audit(t, "approve.refused", NULL, NULL, NULL), 1);

	/* Wrong approvals lock the supervisor like wrong log-ins. */
	for (int i = 1; i < SESSION_MAX_FAILURES; i++)
		assert_int_equal(session_approve(&t->ctx, SESSION_APPROVE_VOID, "", "gone", WRONG,
						 &until, &err), SESSION_BAD);
	assert_int_equal(session_approve(&t->ctx, SESSION_APPROVE_VOID, "", "gone", WRONG, &until,
					 &err), SESSION_LOCKED);
	assert_true(until > ctx_now());
	assert_int_equal(session_approve(&t->ctx, SESSION_APPROVE_VOID, "", "gone", PASSWORD,
					 &until, &err), SESSION_LOCKED);
	assert_int_equal(session_login(&t->ctx, "gone", PASSWORD, &until, &err), SESSION_LOCKED);
	/* A new password set by another supervisor lifts the lock. */
	assert_int_equal(session_set_password(&t->ctx, "gone", "another-pass", "boss", &err), 0);
	assert_int_equal(store_operator_get(t->ctx.store, "gone", &op, &err), 0);
	assert_int_equal(op.locked_until, 0);
	assert_int_equal(session_approve(&t->ctx, SESSION_APPROVE_VOID, "", "gone", "another-pass",
					 &until, &err), SESSION_OK);
	assert_int_equal(session_set_password(&t->ctx, "gone", "short", "boss", &err), -1);

	/* Disabled: cannot approve; the last supervisor cannot be disabled. */
	assert_int_equal(session_set_disabled(&t->ctx, "gone", 1, "boss", &err), 0);
	assert_int_equal(session_approve(&t->ctx, SESSION_APPROVE_VOID, "", "gone", "another-pass",
					 &until, &err), SESSION_DISABLED);
	assert_int_equal(session_set_disabled(&t->ctx, "boss", 1, "boss", &err), -1);
	assert_non_null(strstr(err.msg, "last active supervisor"));
	assert_int_equal(session_set_disabled(&t->ctx, "nobody", 1, "boss", &err), -1);
	assert_int_equal(session_set_disabled(&t->ctx, "gone", 0, "boss", &err), 0);
	assert_int_equal(session_set_disabled(&t->ctx, "boss", 1, "gone", &err), 0);
	/* Nothing secret in the trail. */
	/* (In any field: the bytes of the whole row, where names are found.) */
	assert_true(count(t, "SELECT count(*) FROM audit WHERE instr(rec, CAST('boss' AS BLOB))") > 0);
	assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE instr(rec, CAST('" PASSWORD
			       "' AS BLOB)) OR instr(rec, CAST('" WRONG "' AS BLOB)) OR "
			       "instr(rec, CAST('another-pass' AS BLOB))"), 0);
	session_logout(&t->ctx);
}

static void test_payments(void **state)
{
	struct tu_ctx *t = *state;
	struct ledger_payment p;
	struct gt_err err;
	char a1[APP_NO_MAX], a2[APP_NO_MAX];
	long long p1, p2, v, r, again, until;

	add(t, "boss", "supervisor");
	add(t, "audi", "auditor");
	p1 = stored_app(t, "wang", "card", "POS-1", a1);
	p2 = stored_app(t, "li", "cash", "", a2);
	assert_int_equal(ledger_get(t->ctx.store, p1, &p, &err), 0);
	assert_string_equal(p.kind, "payment");
	assert_int_equal(p.amount_fen, 45000);
	assert_string_equal(p.method, "card");
	assert_string_equal(p.reference, "POS-1");
	assert_string_equal(p.operator_name, "wang");
	assert_string_equal(p.invoice, "yes");
	assert_int_equal(p.day, ctx_today_ymd());
	/* The payer's card: sealed in the row (never the digits), shown
	 * masked, found by the keyed index. */
	{
		char shown[48];
		struct search_hit hits[4];
		size_t n;

		assert_true(p.account_len > strlen(CARD));
		assert_null(memmem(p.account, p.account_len, CARD, strlen(CARD)));
		payment_account_shown(&t->ctx, &p, shown, sizeof(shown));
		assert_string_equal(shown, CARD_SHOWN);
		assert_int_equal(search_run(&t->ctx, CARD_SPACED, SEARCH_AUTO, hits, 4, &n, &err), 0);
		assert_int_equal(n, 1);
		assert_string_equal(hits[0].app.app_no, a1);
		assert_string_equal(hits[0].account, CARD_SHOWN);
		assert_int_equal(search_run(&t->ctx, "6222021234567895", SEARCH_ACCOUNT, hits, 4, &n,
					    &err), 0);
		assert_int_equal(n, 0);
		/* A row moved to another application does not open. */
		strcpy(p.app_no, "T01-20200101-0001");
		payment_account_shown(&t->ctx, &p, shown, sizeof(shown));
		assert_string_equal(shown, "(sealed)");
	}

	/* No approver, no reason: refused. */
	assert_int_equal(payment_reverse(&t->ctx, p1, PAYMENT_VOID, "reason", "", &v, &err), -1);
	assert_int_equal(payment_reverse(&t->ctx, p1, PAYMENT_VOID, "", "boss", &v, &err), -1);
	assert_int_equal(payment_reverse(&t->ctx, 999, PAYMENT_VOID, "x", "boss", &v, &err), -1);
	assert_int_equal(payment_reverse(&t->ctx, p1, PAYMENT_VOID, "顾客改付现金", "boss", &v, &err), 0);
	assert_int_equal(ledger_get(t->ctx.store, v, &p, &err), 0);
	assert_string_equal(p.kind, "void");
	assert_int_equal(p.amount_fen, -45000);
	assert_int_equal(p.original, p1);
	assert_string_equal(p.approved_by, "boss");
	/* The void carries the card it goes back to; the day's report shows it masked. */
	{
		char shown[48];
		struct report rep;

		payment_account_shown(&t->ctx, &p, shown, sizeof(shown));
		assert_string_equal(shown, CARD_SHOWN);
		assert_int_equal(report_daily(&t->ctx, ctx_today_ymd(), &rep, &err), 0);
		assert_int_equal(rep.n_reversals, 1);
		assert_string_equal(rep.reversal_accounts[0], CARD_SHOWN);
		report_free(&rep);
	}
	/* The payment itself is unchanged and now reversed. */
	assert_int_equal(ledger_get(t->ctx.store, p1, &p, &err), 0);
	assert_int_equal(p.amount_fen, 45000);
	assert_int_equal(p.reversed_by, v);
	assert_int_equal(payment_reverse(&t->ctx, p1, PAYMENT_REFUND, "again", "boss", &r, &err), -1);
	assert_non_null(strstr(err.msg, "voided already"));
	assert_int_equal(payment_reverse(&t->ctx, v, PAYMENT_VOID, "x", "boss", &r, &err), -1);

	/* Paid again by another method once nothing stands. */
	assert_int_equal(payment_take_again(&t->ctx, a2, "cash", "", NULL, &again, &err), -1);
	assert_int_equal(payment_take_again(&t->ctx, a1, "wechat", "", NULL, &again, &err), -1);
	/* A card needs its number, a cash payment none; a bad card number
	 * is refused before anything is written. */
	assert_int_equal(payment_take_again(&t->ctx, a1, "card", "POS-2", NULL, &again, &err), -1);
	assert_int_equal(payment_take_again(&t->ctx, a1, "cash", "", CARD, &again, &err), -1);
	assert_int_equal(payment_take_again(&t->ctx, a1, "card", "POS-2", "6222021234567895", &again,
					    &err), -1);
	assert_non_null(strstr(err.msg, "check digit is wrong"));
	/* Taken again from a bank account: that account is found too. */
	assert_int_equal(payment_take_again(&t->ctx, a1, "transfer", "V-9", ACCOUNT, &again, &err),
			 0);
	assert_true(again > v);
	{
		struct search_hit hits[4];
		size_t n;

		assert_int_equal(search_run(&t->ctx, ACCOUNT, SEARCH_ACCOUNT, hits, 4, &n, &err), 0);
		assert_int_equal(n, 1);
		assert_string_equal(hits[0].app.app_no, a1);
	}

	/* A payment of an earlier day is refunded, not voided. */
	sql(t, "INSERT INTO payments (app_no, kind, method, amount_fen, reference, service, "
	       "invoice, operator, approved_by, reason, terminal, day, at) SELECT app_no, 'payment', "
	       "'cash', 100, '', 'new', 'no', 'old', '', '', 'T01', 20200101, 1577836800 FROM "
	       "payments LIMIT 1");
	{
		long long old = count(t, "SELECT id FROM payments WHERE day = 20200101");

		assert_int_equal(payment_reverse(&t->ctx, old, PAYMENT_VOID, "x", "boss", &r, &err), -1);
		assert_non_null(strstr(err.msg, "refund it instead"));
		assert_int_equal(payment_reverse(&t->ctx, old, PAYMENT_REFUND, "客户退货", "boss", &r,
						 &err), 0);
		assert_int_equal(ledger_get(t->ctx.store, r, &p, &err), 0);
		assert_int_equal(p.day, ctx_today_ymd());
		assert_int_equal(p.original_day, 20200101);
	}

	/* An auditor handles no money. */
	assert_int_equal(session_login(&t->ctx, "audi", PASSWORD, &until, &err), SESSION_OK);
	assert_int_equal(payment_reverse(&t->ctx, p2, PAYMENT_REFUND, "x", "boss", &r, &err), -1);
	assert_non_null(strstr(err.msg, "auditor"));
	session_logout(&t->ctx);

	/* Fail closed: when the audit row cannot be written, no void. */
	sql(t, "CREATE TRIGGER test_refuse BEFORE INSERT ON audit "
	       "BEGIN SELECT RAISE(ABORT, 'audit disk refuses'); END");
	{
		long long rows = count(t, "SELECT count(*) FROM payments");

		assert_int_equal(payment_reverse(&t->ctx, p2, PAYMENT_VOID, "x", "boss", &r, &err), -1);
		assert_int_equal(count(t, "SELECT count(*) FROM payments"), rows);
		assert_int_equal(report_close(&t->ctx, ctx_today_ymd(), "boss", NULL, &err), -1);
		assert_int_equal(count(t, "SELECT count(*) FROM settlements"), 0);
	}
	sql(t, "DROP TRIGGER test_refuse");
	assert_int_equal(payment_reverse(&t->ctx, p2, PAYMENT_VOID, "x", "boss", &r, &err), 0);
}

/* Known rows: the report's every total. */
static void put(struct tu_ctx *t, const char *app_no, const char *kind, long long original,
		const char *method, long long fen, const char *op, const char *terminal, int day)
{
	struct ledger_payment p;
	struct gt_err err;

	memset(&p, 0, sizeof(p));
	strcpy(p.app_no, app_no);
	strcpy(p.kind, kind);
	p.original = original;
	strcpy(p.method, method);
	p.amount_fen = fen;
	strcpy(p.service, "new");
	strcpy(p.invoice, "yes");
	strcpy(p.operator_name, op);
	strcpy(p.approved_by, original ? "boss" : "");
	strcpy(p.reason, original ? "r" : "");
	strcpy(p.terminal, terminal);
	p.day = day;
	p.at = ctx_now();
	if (ledger_insert(t->ctx.store, &p, &err) != 0)
		fail_msg("insert: %s", err.msg);
}

static const struct report_method_row *find_row(const struct report_method_row *rows, size_t n,
						 const char *terminal, const char *op,
						 const char *method)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].terminal, terminal) == 0 &&
		    strcmp(rows[i].operator_name, op) == 0 && strcmp(rows[i].method, method) == 0)
			return &rows[i];
	fail_msg("no row %s/%s/%s", terminal, op, method);
	return NULL;
}

static void test_settlement(void **state)
{
	struct tu_ctx *t = *state;
	const struct report_method_row *row;
	struct ledger_closing c;
	struct audit_head head;
	struct report r;
	struct gt_err err;
	char a[APP_NO_MAX];
	int day = ctx_today_ymd();
	long long base;

	add(t, "boss", "supervisor");
	/* One real application so the rows have an application to name. */
	stored_app(t, "wang", "cash", "", a);
	base = count(t, "SELECT max(id) FROM payments");
	/* wang@T01: cash 450, card 450 (voided); li@T02: wechat 250, alipay
	 * 1250 refunded; and one row of another day that must not count. */
	put(t, a, "payment", 0, "card", 45000, "wang", "T01", day);
	put(t, a, "void", base + 1, "card", -45000, "wang", "T01", day);
	put(t, a, "payment", 0, "wechat", 25000, "li", "T02", day);
	put(t, a, "payment", 0, "alipay", 125000, "li", "T02", day);
	put(t, a, "refund", base + 4, "alipay", -125000, "li", "T02", day);
	put(t, a, "payment", 0, "cash", 99900, "li", "T02", 20200101);

	assert_int_equal(report_daily(&t->ctx, day, &r, &err), 0);
	assert_int_equal(r.rows, 6);
	assert_int_equal(r.total.payments, 4);
	assert_int_equal(r.total.payments_fen, 45000 + 45000 + 25000 + 125000);
	assert_int_equal(r.total.voids, 1);
	assert_int_equal(r.total.voids_fen, -45000);
	assert_int_equal(r.total.refunds, 1);
	assert_int_equal(r.total.refunds_fen, -125000);
	assert_int_equal(r.total.net_fen, 45000 + 25000);
	assert_int_equal(r.n_by_method, 4);
	/* Sorted cash, card, wechat, alipay. */
	assert_string_equal(r.by_method[0].method, "cash");
	assert_string_equal(r.by_method[3].method, "alipay");
	row = find_row(r.by_method, r.n_by_method, "", "", "card");
	assert_int_equal(row->m.net_fen, 0);
	assert_int_equal(row->m.voids, 1);
	row = find_row(r.by_terminal, r.n_by_terminal, "T02", "", "alipay");
	assert_int_equal(row->m.payments_fen, 125000);
	assert_int_equal(row->m.refunds_fen, -125000);
	row = find_row(r.by_operator, r.n_by_operator, "T01", "wang", "cash");
	assert_int_equal(row->m.net_fen, 45000);
	row = find_row(r.by_operator, r.n_by_operator, "T02", "li", "wechat");
	assert_int_equal(row->m.payments, 1);
	/* Services: the voided card payment does not count, the refunded one does. */
	assert_int_equal(r.n_service_totals, 1);
	assert_int_equal(r.service_totals[0].count, 3);
	assert_int_equal(r.n_reversals, 2);
	assert_string_equal(r.reversals[0].kind, "void");
	assert_int_equal(r.reversals[1].original_day, day);
	assert_int_equal(r.closed, 0);
	report_free(&r);

	/* Closing: refused without approver or for a future day; once only. */
	assert_int_equal(report_close(&t->ctx, day, "", &c, &err), -1);
	assert_int_equal(report_close(&t->ctx, 29991231, "boss", &c, &err), -1);
	assert_int_equal(report_close(&t->ctx, day, "boss", &c, &err), 0);
	assert_int_equal(audit_head(t->ctx.store, &head, &err), 0);
	assert_int_equal(c.audit_seq, head.seq);
	assert_memory_equal(c.audit_head, head.hash, 32);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_checkpoints WHERE seq = "
			       "(SELECT max(seq) FROM audit)"), 1);
	assert_int_equal(count_audit(t, "settle.close", NULL, NULL, NULL), 1);
	assert_int_equal(report_close(&t->ctx, day, "boss", &c, &err), -1);
	assert_int_equal(report_daily(&t->ctx, day, &r, &err), 0);
	assert_int_equal(r.closed, 1);
	assert_int_equal(r.digest_matches, 1);
	assert_string_equal(r.closing.approved_by, "boss");
	report_free(&r);

	/* Frozen: nothing added to the day, nothing changed. */
	{
		struct ledger_payment p;
		long long id;

		memset(&p, 0, sizeof(p));
		assert_int_equal(payment_take_again(&t->ctx, a, "cash", "", NULL, &id, &err), -1);
		assert_int_equal(payment_reverse(&t->ctx, base + 3, PAYMENT_VOID, "x", "boss", &id,
						 &err), -1);
		assert_non_null(strstr(err.msg, "closed"));
		strcpy(p.app_no, a);
		strcpy(p.kind, "payment");
		strcpy(p.method, "cash");
		p.amount_fen = 1;
		p.day = day;
		assert_int_equal(ledger_insert(t->ctx.store, &p, &err), -1);
		assert_non_null(strstr(err.msg, "the day is closed"));
	}
	/* The intruder drops the trigger and edits a row: the report says so. */
	sql(t, "DROP TRIGGER payments_no_update; UPDATE payments SET amount_fen = 1 WHERE kind = "
	       "'payment' AND method = 'wechat'");
	assert_int_equal(report_daily(&t->ctx, day, &r, &err), 0);
	assert_int_equal(r.digest_matches, 0);
	report_free(&r);
	/* Another day is untouched and still open. */
	assert_int_equal(report_daily(&t->ctx, 20200101, &r, &err), 0);
	assert_int_equal(r.closed, 0);
	assert_int_equal(r.total.net_fen, 99900);
	report_free(&r);
}

static void test_search_index(void **state)
{
	struct tu_ctx *t = *state;
	struct search_hit hits[8];
	struct store_app_summary found[8];
	struct gt_err err;
	char a1[APP_NO_MAX], a2[APP_NO_MAX], path[600];
	size_t n;
	FILE *f;

	stored_app(t, "wang", "cash", "", a1);
	assert_int_equal(count(t, "SELECT count(*) FROM pii_index"), 3);
	assert_int_equal(lookup_find(t->ctx.store, &t->ctx.ring, LOOKUP_ID, HDL_ID, found, 8, &n,
				     &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(found[0].app_no, a1);
	assert_int_equal(lookup_find(t->ctx.store, &t->ctx.ring, LOOKUP_ID, REP_ID, found, 8, &n,
				     &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lookup_find(t->ctx.store, &t->ctx.ring, LOOKUP_MOBILE, "13900000000",
				     found, 8, &n, &err), 0);
	assert_int_equal(n, 0);
	/* A mobile is not an ID number: the kind is part of the MAC. */
	assert_int_equal(lookup_find(t->ctx.store, &t->ctx.ring, LOOKUP_ID, MOBILE, found, 8, &n,
				     &err), 0);
	assert_int_equal(n, 0);

	/* Rotate the key: a second key seals and indexes new records; the
	 * old record is still found. */
	ctx_close(&t->ctx);
	t->open = 0;
	snprintf(path, sizeof(path), "%s/data/pii.key", t->dir);
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("2:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", f);
	fclose(f);
	assert_int_equal(ctx_open(&t->ctx, t->conf, &err), 0);
	t->open = 1;
	assert_int_equal(t->ctx.ring.n, 2);
	stored_app(t, "wang", "cash", "", a2);
	assert_int_equal(search_run(&t->ctx, "138-0013-8000", SEARCH_AUTO, hits, 8, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(hits[0].mobile, "138****8000");
	assert_string_equal(hits[0].handler_id, "4403**********123X");
	assert_int_equal(hits[0].paid_fen, 45000);
	assert_int_equal(search_run(&t->ctx, "44030519900101123x", SEARCH_ID, hits, 8, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(search_run(&t->ctx, a1, SEARCH_AUTO, hits, 8, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(search_run(&t->ctx, "深圳市测试", SEARCH_AUTO, hits, 8, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(search_run(&t->ctx, "深圳市测", SEARCH_USCC, hits, 8, &n, &err), 0);
	assert_int_equal(n, 0);
	/* Each search is in the trail, the personal query masked. */
	assert_int_equal(count_audit(t, "search", NULL, NULL, "138****8000"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE instr(rec, CAST('" MOBILE
			       "' AS BLOB)) OR instr(rec, CAST('" HDL_ID "' AS BLOB))"), 0);
	/* Fail closed: no row, no result. */
	sql(t, "CREATE TRIGGER test_refuse BEFORE INSERT ON audit "
	       "BEGIN SELECT RAISE(ABORT, 'audit disk refuses'); END");
	assert_int_equal(search_run(&t->ctx, MOBILE, SEARCH_AUTO, hits, 8, &n, &err), -1);
	assert_int_equal(n, 0);
	sql(t, "DROP TRIGGER test_refuse");
}

static void test_missing_key(void **state)
{
	struct tu_ctx *t = *state;
	struct gt_ctx other;
	struct gt_err err;
	char a[APP_NO_MAX], key[600], saved[600];

	snprintf(key, sizeof(key), "%s/data/pii.key", t->dir);
	snprintf(saved, sizeof(saved), "%s/pii.key.saved", t->dir);
	/* No sealed record yet: a lost key is simply made again. */
	assert_int_equal(unlink(key), 0);
	assert_int_equal(ctx_open(&other, t->conf, &err), 0);
	ctx_close(&other);
	assert_int_equal(access(key, F_OK), 0);
	ctx_close(&t->ctx);
	assert_int_equal(ctx_open(&t->ctx, t->conf, &err), 0);
	stored_app(t, "wang", "cash", "", a);
	ctx_close(&t->ctx);
	t->open = 0;
	assert_int_equal(rename(key, saved), 0);
	assert_int_equal(ctx_open(&other, t->conf, &err), -1);
	assert_non_null(strstr(err.msg, "missing"));
	assert_non_null(strstr(err.msg, key));
	assert_int_equal(access(key, F_OK), -1);
	assert_int_equal(rename(saved, key), 0);
	assert_int_equal(ctx_open(&t->ctx, t->conf, &err), 0);
	t->open = 1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_approve, make_ctx, remove_ctx),
		cmocka_unit_test_setup_teardown(test_payments, make_ctx, remove_ctx),
		cmocka_unit_test_setup_teardown(test_settlement, make_ctx, remove_ctx),
		cmocka_unit_test_setup_teardown(test_search_index, make_ctx, remove_ctx),
		cmocka_unit_test_setup_teardown(test_missing_key, make_ctx, remove_ctx),
	};
	return cmocka_run_group_tests_name("accounts", tests, NULL, NULL);
}
