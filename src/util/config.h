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
};

/* explicit_path may be NULL. Fills every field, reading the file when there
 * is one; errors name the file and line. */
int config_load(struct gt_config *cfg, const char *explicit_path, struct gt_err *err);

/* Create data_dir (0700) when missing. */
int config_ensure_dirs(const struct gt_config *cfg, struct gt_err *err);

#endif
