/* guitai.conf: one INI file that says where everything is. Every setting has
 * a default that works out of the box; see guitai.conf(5).
 *
 * Which file: --config FILE; else $XDG_CONFIG_HOME/guitai/guitai.conf (or
 * ~/.config/...) when it exists; else SYSCONFDIR/guitai/guitai.conf when it
 * exists (a system install, data under LOCALSTATEDIR/lib/guitai); else no
 * file and the per-user defaults ($XDG_DATA_HOME/guitai/). */
#ifndef GUITAI_CONFIG_H
#define GUITAI_CONFIG_H

#include <limits.h>
#include "util/err.h"

struct gt_config {
	char path[PATH_MAX];          /* the file read, "" when none */
	char terminal_id[16];         /* [terminal] id: goes into application numbers */
	char site_name[128];          /* [terminal] site: 受理点 */
	char data_dir[PATH_MAX];      /* [paths] data_dir */
	char db_path[PATH_MAX];       /* [database] path */
	char key_file[PATH_MAX];      /* [security] key_file: PII encryption key */
	char audit_key_file[PATH_MAX]; /* [security] audit_key_file: audit checkpoint key */
	int audit_checkpoint_every;   /* [security] audit_checkpoint_every: rows per checkpoint */
	char catalog_path[PATH_MAX];  /* [data] catalog */
	char regions_path[PATH_MAX];  /* [data] regions */
	char log_path[PATH_MAX];      /* [log] file */
	int idle_minutes;             /* [ui] idle_minutes: 0 = never */
	int kiosk;                    /* [ui] mode = counter | kiosk */
	char idcard_device[PATH_MAX]; /* [idcard] device */
	int idcard_baud;              /* [idcard] baud */
	int idcard_timeout_ms;        /* [idcard] timeout_ms */
	/* key personalisation (issue 4) */
	char token_module[PATH_MAX];  /* [token] module: PKCS#11 module for keys without a
				       * catalogued reader (SoftHSM2 by default) */
	char token_catalog[PATH_MAX]; /* [token] catalog: tokens.ini */
	char master_key_file[PATH_MAX]; /* [token] master_key_file: SO-PIN derivation key */
	int token_random_pin;         /* [token] pin = customer | random (PIN mailer) */
	char ca_backend[16];          /* [ca] backend = builtin | helper */
	char ca_dir[PATH_MAX];        /* [ca] dir: the built-in CA's key and certificate */
	char ca_helper[PATH_MAX];     /* [ca] helper: certmonger-contract submit helper */
	int ca_poll_seconds;          /* [ca] poll_seconds: wait between POLLs (cap) */
	int ca_wait_seconds;          /* [ca] wait_seconds: give up waiting after this */
	/* printing (issue 5) */
	char print_printer[128];      /* [print] printer: CUPS destination, "" = the default */
	char print_templates[PATH_MAX]; /* [print] templates: directory of document templates */
	int print_allow_reprint;      /* [print] allow_reprint: reprints without a supervisor */
	int print_follow_seconds;     /* [print] follow_seconds: give up following a job */
};

/* explicit_path may be NULL. Fills every field, reading the file when there
 * is one; errors name the file and line. */
int config_load(struct gt_config *cfg, const char *explicit_path, struct gt_err *err);

/* Create data_dir (0700) when missing. */
int config_ensure_dirs(const struct gt_config *cfg, struct gt_err *err);

#endif
