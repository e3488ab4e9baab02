/* `guitai token list|info|personalise|pending|readers`; see cmd_token.h. */
#include "config.h"
#include "cmd_token.h"
#include "cmd_operator.h"
#include "flow/issue.h"
#include "flow/keydesk.h"
#include "flow/print.h"
#include "flow/personalise.h"
#include "token/catalog.h"
#include "token/p11.h"
#include "token/pcsc.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CMD_TOKEN_USAGE 2
#define CMD_TOKEN_INVALID 3

static void cmd_token_usage(void)
{
	fprintf(stderr, "%s", _("usage: guitai token list\n"
				"       guitai token info [--serial S | --label L]\n"
				"       guitai token personalise APPNO [--pin-file F] [--reader R] "
				"[--mailer-printer NAME] [--rollback]\n"
				"       guitai token pending [--details]\n"
				"       guitai token readers [--wait SECONDS]\n"));
}

static const char *cmd_token_module(struct gt_ctx *ctx, int argc, char **argv)
{
	for (int i = 2; i + 1 < argc; i++)
		if (strcmp(argv[i], "--module") == 0)
			return argv[i + 1];
	return ctx->cfg.token_module;
}

static int cmd_token_list(struct gt_ctx *ctx, int argc, char **argv)
{
	struct tok_lib *lib;
	struct gt_err err;
	struct tcat cat;

	if (tcat_load(ctx->cfg.token_catalog, &cat, &err) != 0 ||
	    tok_lib_open(cmd_token_module(ctx, argc, argv), &lib, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < tok_nslots(lib); i++) {
		const struct tok_slot_info *s = tok_slot(lib, i);
		const struct tcat_model *m = tcat_by_model(&cat, s->model);

		printf("%lu\t%s\t%s\t%s\t%s\t%s\n", s->slot_id, m ? m->name : s->model,
		       s->serial[0] ? s->serial : "-",
		       !s->initialized ? "blank" : s->label[0] == '\0' && !s->user_pin_set ?
		       "blank" : "personalised", s->label[0] ? s->label : "-", s->description);
	}
	tok_lib_free(lib);
	return EXIT_SUCCESS;
}

static void cmd_token_time(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(t, &tm))
		strftime(out, size, "%Y-%m-%d", &tm);
	else
		str_copy(out, size, "?");
}

static void cmd_token_cn(X509 *x, char *out, size_t size)
{
	X509_NAME *n = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	unsigned char *utf8 = NULL;

	str_copy(out, size, "");
	if (i >= 0 && ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i))) >= 0)
		str_copy(out, size, (const char *)utf8);
	OPENSSL_free(utf8);
}

static int cmd_token_info(struct gt_ctx *ctx, int argc, char **argv)
{
	const char *serial = NULL, *label = NULL;
	struct tok_lib *lib;
	struct gt_err err;
	struct tcat cat;
	int shown = 0;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--serial") == 0 && i + 1 < argc)
			serial = argv[++i];
		else if (strcmp(argv[i], "--label") == 0 && i + 1 < argc)
			label = argv[++i];
		else if (strcmp(argv[i], "--module") == 0 && i + 1 < argc)
			i++;
		else {
			cmd_token_usage();
			return CMD_TOKEN_USAGE;
		}
	}
	if (tcat_load(ctx->cfg.token_catalog, &cat, &err) != 0 ||
	    tok_lib_open(cmd_token_module(ctx, argc, argv), &lib, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < tok_nslots(lib); i++) {
		const struct tok_slot_info *s = tok_slot(lib, i);
		const struct tcat_model *m = tcat_by_model(&cat, s->model);
		struct tok_cert *certs = NULL;
		size_t n = 0;

		if (!s->initialized || (serial && strcmp(serial, s->serial) != 0) ||
		    (label && strcmp(label, s->label) != 0))
			continue;
		if (shown++)
			printf("\n");
		printf("%s: %s\n", _("model"), m ? m->name : s->model);
		printf("%s: %s\n", _("serial"), s->serial);
		printf("%s: %s\n", _("label"), s->label);
		printf("%s: %s\n", _("slot"), s->description);
		/* Only the flags PKCS#11 gives: never a count of tries. */
		printf("%s: %s%s%s%s\n", _("user PIN"), !s->user_pin_set ? _("not set") : _("set"),
		       s->user_count_low ? _(", count low") : "",
		       s->user_final_try ? _(", final try") : "",
		       s->user_locked ? _(", locked") : "");
		printf("%s: %s%s%s\n", _("SO PIN"), s->so_count_low ? _("count low") : _("ok"),
		       s->so_final_try ? _(", final try") : "", s->so_locked ? _(", locked") : "");
		if (tok_certs(lib, i, &certs, &n, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			char cn[256], from[16], to[16], id[130];

			cmd_token_cn(certs[k].x509, cn, sizeof(cn));
			cmd_token_time(X509_get0_notBefore(certs[k].x509), from, sizeof(from));
			cmd_token_time(X509_get0_notAfter(certs[k].x509), to, sizeof(to));
			for (size_t b = 0; b < certs[k].idlen && 2 * b + 2 < sizeof(id); b++)
				snprintf(id + 2 * b, 3, "%02x", certs[k].id[b]);
			id[2 * (certs[k].idlen < 64 ? certs[k].idlen : 64)] = '\0';
			printf("%s: %s\t%s %s .. %s\t%s %s\n", _("certificate"), cn, _("valid"), from,
			       to, _("id"), id);
		}
		tok_certs_free(certs, n);
	}
	tok_lib_free(lib);
	if (shown == 0) {
		fprintf(stderr, "%s", _("guitai: no personalised key found\n"));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static void cmd_token_mailer_progress(void *arg, const struct print_job_info *info)
{
	(void)arg;
	fprintf(stderr, _("PIN mailer: job %lld on %s: %s\n"), info->row_id,
		info->dest[0] ? info->dest : _("(default printer)"), spool_state_name(info->state));
}

/* The PIN mailer of [token] pin = random, printed and followed to its end:
 * the page is the only place the PIN goes (no file, no database, no log).
 * 0 printed; -1 not printed — the loss is audited and the key named, as
 * it needs a PIN reset. */
static int cmd_token_mailer(struct gt_ctx *ctx, const char *app_no, const char *printer,
			    const char *pin, const char *token_serial)
{
	struct application *app = calloc(1, sizeof(*app));
	struct print_job *job = NULL;
	struct print_job_info info;
	struct gt_err err;
	int rc = -1;

	memset(&info, 0, sizeof(info));
	if (app == NULL) {
		err_set(&err, "%s", _("out of memory"));
		goto report;
	}
	if (issue_load(ctx, app_no, app, &err) != 0 ||
	    print_start(ctx, app, PRINT_PIN_MAILER, NULL, pin, printer, NULL, &job, &err) != 0)
		goto report;
	print_wait(ctx, job, &info, cmd_token_mailer_progress, NULL);
	print_job_free(job);
	if (info.state == SPOOL_COMPLETED) {
		rc = 0;
		goto cleanup;
	}
	err_set(&err, "%s", info.msg[0] ? info.msg : _(spool_state_label(info.state)));
report:
	fprintf(stderr, _("guitai: the PIN mailer was not printed: %s\n"), err.msg);
	fprintf(stderr, _("guitai: key %s is personalised but nobody knows its PIN: "
			  "it needs a PIN reset\n"), token_serial);
	if (keydesk_mailer_lost(ctx, app_no, token_serial, &err) != 0)
		log_msg("token: mailer loss of %s not audited: %s", app_no, err.msg);
cleanup:
	if (app != NULL) {
		app_clear(app);
		free(app);
	}
	return rc;
}

static void cmd_token_progress(void *arg, enum perso_step step, const char *msg)
{
	(void)arg;
	fprintf(stderr, "[%d/%d] %s\n", (int)step + 1, (int)PERSO_STEPS, msg);
}

/* What a personalisation needs before it starts: the PIN read, the
 * printer for a random PIN's mailer ready, and for a reader the module
 * its key's ATR names (into module). 0, or the exit status. */
static int cmd_token_prepare(struct gt_ctx *ctx, const char *reader, const char *pin_file,
			     const char *mailer, int rollback, char *pin, size_t pinsz,
			     char *module, size_t modsz, struct perso_opts *o)
{
	struct gt_err err;

	if (!rollback && !ctx->cfg.token_random_pin) {
		if (pin_file == NULL) {
			fprintf(stderr, "%s", _("guitai: a PIN is needed: --pin-file FILE (\"-\": "
						"standard input)\n"));
			return CMD_TOKEN_USAGE;
		}
		if (cmd_read_secret(pin_file, pin, pinsz, _("PIN")) != 0)
			return EXIT_FAILURE;
		o->pin = pin;
	}
	/* A random PIN lives only on its mailer: no key is touched while the
	 * printer could not print it. */
	if (!rollback && ctx->cfg.token_random_pin && print_ready(ctx, mailer, &err) != 0) {
		fprintf(stderr, _("guitai: [token] pin = random prints a PIN mailer, and %s\n"),
			err.msg);
		return EXIT_FAILURE;
	}
	if (reader != NULL && !rollback) {
		/* The key in that reader: its ATR says which model, and the
		 * model which PKCS#11 module drives it. */
		struct pcsc_reader readers[PCSC_MAX_READERS];
		const struct tcat_model *m = NULL;
		struct tcat cat;
		size_t n = 0, k;

		if (tcat_load(ctx->cfg.token_catalog, &cat, &err) != 0 ||
		    pcsc_snapshot(0, readers, PCSC_MAX_READERS, &n, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return EXIT_FAILURE;
		}
		for (k = 0; k < n && strstr(readers[k].name, reader) == NULL; k++)
			;
		if (k == n || !readers[k].card) {
			fprintf(stderr, _("guitai: no key in reader \"%s\"\n"), reader);
			return EXIT_FAILURE;
		}
		m = tcat_by_atr(&cat, readers[k].atr, readers[k].atr_len);
		if (m == NULL) {
			char atr[3 * PCSC_ATR_MAX + 1];

			tcat_atr_hex(readers[k].atr, readers[k].atr_len, atr, sizeof(atr));
			fprintf(stderr, _("guitai: unsupported key model (ATR %s)\n"), atr);
			return CMD_TOKEN_INVALID;
		}
		str_copy(module, modsz, m->module);
		o->module = module;
	}
	return 0;
}

static int cmd_token_personalise(struct gt_ctx *ctx, const char *app_no, const char *reader,
				 const char *pin_file, const char *mailer, int rollback,
				 struct tok_opening *opening)
{
	struct perso_cb cb = { NULL, NULL, NULL };
	struct perso_opts o = { 0 };
	struct perso_result res;
	struct gt_err err;
	char pin[72] = "", module[PATH_MAX];
	int rc;

	rc = cmd_token_prepare(ctx, reader, pin_file, mailer, rollback, pin, sizeof(pin), module,
			       sizeof(module), &o);
	if (rc != 0) {
		OPENSSL_cleanse(pin, sizeof(pin));
		tok_open_drop(opening);
		return rc;
	}
	o.app_no = app_no;
	o.reader = reader;
	o.rollback = rollback;
	o.opening = opening;
	if (!getenv("GUITAI_QUIET"))
		cb.progress = cmd_token_progress;
	rc = perso_run(ctx, &o, &cb, &res, &err);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (rc == PERSO_ROLLED_BACK) {
		printf(_("%s rolled back; %d certificates revoked\n"), app_no, res.revoked);
		return EXIT_SUCCESS;
	}
	if (rc != 0) {
		fprintf(stderr, "guitai: %s: %s\n", app_no,
			rc == PERSO_CANCELLED ? _("cancelled") : err.msg);
		OPENSSL_cleanse(&res, sizeof(res));
		return rc == PERSO_INVALID ? CMD_TOKEN_INVALID : EXIT_FAILURE;
	}
	if (res.random_pin[0] != '\0' &&
	    cmd_token_mailer(ctx, app_no, mailer, res.random_pin, res.token_serial) != 0) {
		OPENSSL_cleanse(&res, sizeof(res));
		return EXIT_FAILURE;
	}
	printf("%s: %s\n", _("application"), app_no);
	printf("%s: %s (%s)\n", _("key"), res.token_serial, res.model);
	printf("%s: %s\n", _("subject"), res.subject);
	printf("%s: %s\n", _("serial"), res.serial);
	printf("%s: %s .. %s\n", _("valid"), res.not_before, res.not_after);
	printf("SHA-256: %s\n", res.sha256);
	if (res.revoked > 0)
		printf(_("superseded certificates revoked: %d\n"), res.revoked);
	OPENSSL_cleanse(&res, sizeof(res));
	return EXIT_SUCCESS;
}

int cmd_token_issue(struct gt_ctx *ctx, const char *app_no, const char *token,
		    const char *pin_file, const char *mailer, struct tok_opening *opening)
{
	return cmd_token_personalise(ctx, app_no, strcmp(token, "auto") == 0 ? NULL : token,
				     pin_file, mailer, 0, opening);
}

/* `token pending --details`: what the home menu's K shows, one line an
 * application: number, last step and whether it finished, the key, the
 * certificate and whether it is on the key, how many valid certificates a
 * roll-back would revoke, why the last run stopped. */
static int cmd_token_pending_details(struct gt_ctx *ctx)
{
	static const char *const steps[PERSO_STEPS] = {
		[PERSO_FIND] = "none", [PERSO_INIT] = "init", [PERSO_PIN] = "init",
		[PERSO_KEYGEN] = "keygen", [PERSO_CSR] = "issue", [PERSO_ISSUE] = "issue",
		[PERSO_WRITE] = "write", [PERSO_PROOF] = "proof", [PERSO_DONE] = "finish",
	};
	struct keydesk_pending *list = calloc(256, sizeof(*list));
	struct gt_err err;
	size_t n = 0;

	if (list == NULL)
		return EXIT_FAILURE;
	if (keydesk_pending(ctx, list, 256, &n, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		free(list);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		const struct keydesk_pending *p = &list[i];

		printf("%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", p->app_no,
		       p->rolling_back ? "rollback" : steps[p->step],
		       p->rolling_back || !p->step_done ? "begun" : "done",
		       p->token_serial[0] ? p->token_serial : "-",
		       p->cert_serial[0] ? p->cert_serial : "-",
		       !p->cert_serial[0] ? "-" : p->cert_on_key ? "on-key" : "not-on-key",
		       p->valid_certs, p->reason[0] ? p->reason : "-");
	}
	free(list);
	return EXIT_SUCCESS;
}

static int cmd_token_readers(struct gt_ctx *ctx, int argc, char **argv)
{
	struct pcsc_reader readers[PCSC_MAX_READERS];
	struct gt_err err;
	struct tcat cat;
	int wait = 0;
	size_t n = 0;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) {
			wait = atoi(argv[++i]);
		} else {
			cmd_token_usage();
			return CMD_TOKEN_USAGE;
		}
	}
	if (tcat_load(ctx->cfg.token_catalog, &cat, &err) != 0 ||
	    pcsc_snapshot(wait * 1000, readers, PCSC_MAX_READERS, &n, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		char atr[3 * PCSC_ATR_MAX + 1];
		const struct tcat_model *m = NULL;

		tcat_atr_hex(readers[i].atr, readers[i].atr_len, atr, sizeof(atr));
		if (readers[i].card)
			m = tcat_by_atr(&cat, readers[i].atr, readers[i].atr_len);
		printf("%s\t%s\t%s\t%s\n", readers[i].name, readers[i].card ? _("card") : _("empty"),
		       readers[i].card ? atr : "-",
		       !readers[i].card ? "-" : m ? m->name : _("unsupported key model"));
	}
	return EXIT_SUCCESS;
}

int cmd_token_main(struct gt_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return cmd_token_list(ctx, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "info") == 0)
		return cmd_token_info(ctx, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "readers") == 0)
		return cmd_token_readers(ctx, argc, argv);
	if (argc == 2 && strcmp(argv[1], "pending") == 0) {
		char apps[256][APP_NO_MAX];
		struct gt_err err;
		size_t n;

		if (perso_open(ctx, apps, 256, &n, &err) != 0) {
			fprintf(stderr, "guitai: %s\n", err.msg);
			return EXIT_FAILURE;
		}
		for (size_t i = 0; i < n; i++)
			printf("%s\n", apps[i]);
		return EXIT_SUCCESS;
	}
	if (argc == 3 && strcmp(argv[1], "pending") == 0 && strcmp(argv[2], "--details") == 0)
		return cmd_token_pending_details(ctx);
	if (argc >= 3 && strcmp(argv[1], "personalise") == 0) {
		const char *pin_file = NULL, *reader = NULL, *mailer = NULL;
		int rollback = 0;

		for (int i = 3; i < argc; i++) {
			if (strcmp(argv[i], "--pin-file") == 0 && i + 1 < argc)
				pin_file = argv[++i];
			else if (strcmp(argv[i], "--reader") == 0 && i + 1 < argc)
				reader = argv[++i];
			else if (strcmp(argv[i], "--mailer-printer") == 0 && i + 1 < argc)
				mailer = argv[++i];
			else if (strcmp(argv[i], "--rollback") == 0)
				rollback = 1;
			else {
				cmd_token_usage();
				return CMD_TOKEN_USAGE;
			}
		}
		return cmd_token_personalise(ctx, argv[2], reader, pin_file, mailer, rollback, NULL);
	}
	cmd_token_usage();
	return CMD_TOKEN_USAGE;
}
