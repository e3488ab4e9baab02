/* Loading guitai.conf; see config.h for how the file is found and
 * guitai.conf(5) for every key. Unknown sections and keys are errors, so a
 * typo in a path is reported instead of silently falling back. */
#include "config.h"
#include "util/config.h"
#include "util/i18n.h"
#include "util/ini.h"
#include "util/str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/guitai"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR "/usr/local/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/usr/local/var"
#endif

struct config_load_state {
	struct gt_config *cfg;
	int data_dir_set, db_set, key_set, log_set, audit_key_set;
	int master_key_set, ca_dir_set;
};

static int config_path_value(char *dst, size_t size, const char *value, int line,
			     struct gt_err *err)
{
	if (*value == '\0')
		return err_set(err, _("line %d: empty path"), line);
	if (str_copy(dst, size, value))
		return err_set(err, _("line %d: path too long"), line);
	return 0;
}

static int config_int_value(int *dst, const char *value, int min, int max, int line,
			    struct gt_err *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < min || v > max)
		return err_set(err, _("line %d: \"%s\" is not a number from %d to %d"), line,
			       value, min, max);
	*dst = (int)v;
	return 0;
}

static int config_pair(void *ctx, const char *section, const char *key, const char *value,
		       int line, struct gt_err *err)
{
	struct config_load_state *st = ctx;
	struct gt_config *cfg = st->cfg;

	if (strcmp(section, "terminal") == 0) {
		if (strcmp(key, "id") == 0) {
			size_t n = strlen(value);

			if (n == 0 || n >= sizeof(cfg->terminal_id))
				return err_set(err, _("line %d: terminal id must be 1 to 15 characters"), line);
			for (const char *p = value; *p; p++)
				if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
					return err_set(err, _("line %d: terminal id takes A-Z and 0-9 only"), line);
			str_copy(cfg->terminal_id, sizeof(cfg->terminal_id), value);
			return 0;
		}
		if (strcmp(key, "site") == 0) {
			if (!str_utf8_valid(value) || str_copy(cfg->site_name, sizeof(cfg->site_name), value))
				return err_set(err, _("line %d: bad site name"), line);
			return 0;
		}
	} else if (strcmp(section, "paths") == 0) {
		if (strcmp(key, "data_dir") == 0) {
			st->data_dir_set = 1;
			return config_path_value(cfg->data_dir, sizeof(cfg->data_dir), value, line, err);
		}
	} else if (strcmp(section, "database") == 0) {
		if (strcmp(key, "path") == 0) {
			st->db_set = 1;
			return config_path_value(cfg->db_path, sizeof(cfg->db_path), value, line, err);
		}
	} else if (strcmp(section, "security") == 0) {
		if (strcmp(key, "key_file") == 0) {
			st->key_set = 1;
			return config_path_value(cfg->key_file, sizeof(cfg->key_file), value, line, err);
		}
		if (strcmp(key, "audit_key_file") == 0) {
			st->audit_key_set = 1;
			return config_path_value(cfg->audit_key_file, sizeof(cfg->audit_key_file),
						 value, line, err);
		}
		if (strcmp(key, "audit_checkpoint_every") == 0)
			return config_int_value(&cfg->audit_checkpoint_every, value, 1, 1000000, line,
						err);
	} else if (strcmp(section, "data") == 0) {
		if (strcmp(key, "catalog") == 0)
			return config_path_value(cfg->catalog_path, sizeof(cfg->catalog_path),
						 value, line, err);
		if (strcmp(key, "regions") == 0)
			return config_path_value(cfg->regions_path, sizeof(cfg->regions_path),
						 value, line, err);
	} else if (strcmp(section, "log") == 0) {
		if (strcmp(key, "file") == 0) {
			st->log_set = 1;
			return config_path_value(cfg->log_path, sizeof(cfg->log_path), value, line, err);
		}
	} else if (strcmp(section, "ui") == 0) {
		if (strcmp(key, "idle_minutes") == 0)
			return config_int_value(&cfg->idle_minutes, value, 0, 1440, line, err);
		if (strcmp(key, "mode") == 0) {
			if (strcmp(value, "counter") != 0 && strcmp(value, "kiosk") != 0)
				return err_set(err, _("line %d: mode is counter or kiosk"), line);
			cfg->kiosk = strcmp(value, "kiosk") == 0;
			return 0;
		}
	} else if (strcmp(section, "idcard") == 0) {
		if (strcmp(key, "device") == 0)
			return config_path_value(cfg->idcard_device, sizeof(cfg->idcard_device),
						 value, line, err);
		if (strcmp(key, "baud") == 0) {
			if (config_int_value(&cfg->idcard_baud, value, 9600, 115200, line, err) != 0)
				return -1;
			if (cfg->idcard_baud != 9600 && cfg->idcard_baud != 19200 &&
			    cfg->idcard_baud != 38400 && cfg->idcard_baud != 57600 &&
			    cfg->idcard_baud != 115200)
				return err_set(err, _("line %d: baud is 9600, 19200, 38400, 57600 or 115200"), line);
			return 0;
		}
		if (strcmp(key, "timeout_ms") == 0)
			return config_int_value(&cfg->idcard_timeout_ms, value, 100, 60000, line, err);
	} else if (strcmp(section, "token") == 0) {
		if (strcmp(key, "module") == 0)
			return config_path_value(cfg->token_module, sizeof(cfg->token_module),
						 value, line, err);
		if (strcmp(key, "catalog") == 0)
			return config_path_value(cfg->token_catalog, sizeof(cfg->token_catalog),
						 value, line, err);
		if (strcmp(key, "master_key_file") == 0) {
			st->master_key_set = 1;
			return config_path_value(cfg->master_key_file, sizeof(cfg->master_key_file),
						 value, line, err);
		}
		if (strcmp(key, "pin") == 0) {
			if (strcmp(value, "customer") != 0 && strcmp(value, "random") != 0)
				return err_set(err, _("line %d: pin is customer or random"), line);
			cfg->token_random_pin = strcmp(value, "random") == 0;
			return 0;
		}
	} else if (strcmp(section, "ca") == 0) {
		if (strcmp(key, "backend") == 0) {
			if (strcmp(value, "builtin") != 0 && strcmp(value, "helper") != 0)
				return err_set(err, _("line %d: backend is builtin or helper"), line);
			str_copy(cfg->ca_backend, sizeof(cfg->ca_backend), value);
			return 0;
		}
		if (strcmp(key, "dir") == 0) {
			st->ca_dir_set = 1;
			return config_path_value(cfg->ca_dir, sizeof(cfg->ca_dir), value, line, err);
		}
		if (strcmp(key, "helper") == 0)
			return config_path_value(cfg->ca_helper, sizeof(cfg->ca_helper), value, line,
						 err);
		if (strcmp(key, "poll_seconds") == 0)
			return config_int_value(&cfg->ca_poll_seconds, value, 0, 3600, line, err);
		if (strcmp(key, "wait_seconds") == 0)
			return config_int_value(&cfg->ca_wait_seconds, value, 0, 86400, line, err);
	} else if (strcmp(section, "print") == 0) {
		if (strcmp(key, "printer") == 0) {
			if (*value == '\0' || str_copy(cfg->print_printer, sizeof(cfg->print_printer), value))
				return err_set(err, _("line %d: bad printer name"), line);
			return 0;
		}
		if (strcmp(key, "templates") == 0)
			return config_path_value(cfg->print_templates, sizeof(cfg->print_templates),
						 value, line, err);
		if (strcmp(key, "allow_reprint") == 0) {
			if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
				return err_set(err, _("line %d: allow_reprint is yes or no"), line);
			cfg->print_allow_reprint = strcmp(value, "yes") == 0;
			return 0;
		}
		if (strcmp(key, "follow_seconds") == 0)
			return config_int_value(&cfg->print_follow_seconds, value, 1, 3600, line, err);
	} else {
		return err_set(err, _("line %d: unknown section [%s]"), line, section);
	}
	return err_set(err, _("line %d: unknown key \"%s\" in [%s]"), line, key, section);
}

static int config_join(char *dst, size_t size, const char *dir, const char *name)
{
	int n = snprintf(dst, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int config_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int config_load(struct gt_config *cfg, const char *explicit_path, struct gt_err *err)
{
	struct config_load_state st = { .cfg = cfg };
	char user_conf[PATH_MAX] = "", system_conf[PATH_MAX];
	const char *home = getenv("HOME"), *xdg;
	int system_install = 0;
	char *text = NULL;
	size_t len;

	memset(cfg, 0, sizeof(*cfg));
	str_copy(cfg->terminal_id, sizeof(cfg->terminal_id), "T01");
	cfg->idcard_baud = 115200;
	cfg->idcard_timeout_ms = 3000;
	cfg->idle_minutes = 0;
	cfg->audit_checkpoint_every = 1000;
	cfg->print_follow_seconds = 120;
	str_copy(cfg->idcard_device, sizeof(cfg->idcard_device), "/dev/ttyUSB0");
	str_copy(cfg->token_module, sizeof(cfg->token_module), "/usr/lib/softhsm/libsofthsm2.so");
	str_copy(cfg->ca_backend, sizeof(cfg->ca_backend), "builtin");
	cfg->ca_poll_seconds = 5;
	cfg->ca_wait_seconds = 300;
	if (home == NULL || *home == '\0')
		home = "/";

	xdg = getenv("XDG_CONFIG_HOME");
	if (xdg != NULL && *xdg == '/')
		snprintf(user_conf, sizeof(user_conf), "%s/guitai/guitai.conf", xdg);
	else
		snprintf(user_conf, sizeof(user_conf), "%s/.config/guitai/guitai.conf", home);
	snprintf(system_conf, sizeof(system_conf), "%s/guitai/guitai.conf", SYSCONFDIR);

	if (explicit_path != NULL) {
		str_copy(cfg->path, sizeof(cfg->path), explicit_path);
	} else if (config_file_exists(user_conf)) {
		str_copy(cfg->path, sizeof(cfg->path), user_conf);
	} else if (config_file_exists(system_conf)) {
		str_copy(cfg->path, sizeof(cfg->path), system_conf);
		system_install = 1;
	}

	if (cfg->path[0] != '\0') {
		struct gt_err perr;

		if (ini_read_file(cfg->path, 1 << 20, &text, &len, err) != 0)
			return -1;
		if (ini_parse(text, len, config_pair, &st, &perr) != 0) {
			free(text);
			return err_set(err, _("configuration %s: %s"), cfg->path, perr.msg);
		}
		free(text);
	}

	if (!st.data_dir_set) {
		xdg = getenv("XDG_DATA_HOME");
		if (system_install)
			snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s/lib/guitai", LOCALSTATEDIR);
		else if (xdg != NULL && *xdg == '/')
			snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s/guitai", xdg);
		else
			snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s/.local/share/guitai", home);
	}
	if ((!st.db_set && config_join(cfg->db_path, sizeof(cfg->db_path), cfg->data_dir, "guitai.db")) ||
	    (!st.key_set && config_join(cfg->key_file, sizeof(cfg->key_file), cfg->data_dir, "pii.key")) ||
	    (!st.audit_key_set && config_join(cfg->audit_key_file, sizeof(cfg->audit_key_file),
					      cfg->data_dir, "audit.key")) ||
	    (!st.log_set && config_join(cfg->log_path, sizeof(cfg->log_path), cfg->data_dir, "guitai.log")))
		return err_set(err, _("data directory path too long"));
	if ((!st.master_key_set && config_join(cfg->master_key_file, sizeof(cfg->master_key_file),
					       cfg->data_dir, "master.key")) ||
	    (!st.ca_dir_set && config_join(cfg->ca_dir, sizeof(cfg->ca_dir), cfg->data_dir, "ca")))
		return err_set(err, _("data directory path too long"));
	if (cfg->token_catalog[0] == '\0')
		config_join(cfg->token_catalog, sizeof(cfg->token_catalog), PKGDATADIR, "tokens.ini");
	if (cfg->print_templates[0] == '\0')
		config_join(cfg->print_templates, sizeof(cfg->print_templates), PKGDATADIR, "templates");
	if (cfg->catalog_path[0] == '\0')
		config_join(cfg->catalog_path, sizeof(cfg->catalog_path), PKGDATADIR, "catalog.ini");
	if (cfg->regions_path[0] == '\0')
		config_join(cfg->regions_path, sizeof(cfg->regions_path), PKGDATADIR, "regions.tsv");
	return 0;
}

static int config_mkdir_p(const char *path, struct gt_err *err)
{
	char buf[PATH_MAX];

	if (str_copy(buf, sizeof(buf), path))
		return err_set(err, _("path too long: %s"), path);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0700) != 0 && errno != EEXIST)
				return err_set(err, _("cannot create directory %s: %s"), buf, strerror(errno));
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

int config_ensure_dirs(const struct gt_config *cfg, struct gt_err *err)
{
	return config_mkdir_p(cfg->data_dir, err);
}
