/* `guitai idcard read|status`: drives the same reading job the wizard's F2
 * uses (idcard/async.h) and prints the result for people or, with --json,
 * for scripts. Personal numbers are masked unless --full is given. */
#include "config.h"
#include "cmd_idcard.h"
#include "idcard/async.h"
#include "util/i18n.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CMD_IDCARD_EXIT_FAIL 1
#define CMD_IDCARD_EXIT_USAGE 2
#define CMD_IDCARD_EXIT_REFUSED 3
#define CMD_IDCARD_LABEL_COLS 18

struct cmd_idcard_opts {
	const char *device;
	const char *photo_path;
	int json;
	int full;
	int baud;
	int timeout_ms;
	int wait_ms;
	int fingerprint;
};

static void cmd_idcard_usage(FILE *out)
{
	fprintf(out, "%s", _("Usage: guitai idcard read [--device PATH] [--json] [--full]\n"
		"                         [--wait SECONDS] [--timeout MS] [--baud N]\n"
		"                         [--fingerprint] [--photo FILE]\n"
		"       guitai idcard status [--device PATH] [--json]\n"
		"\n"
		"read     wait for an ID card on the reader, read and check it\n"
		"status   check that the reader and its security module answer\n"
		"\n"
		"  --device PATH    serial device of the reader ([idcard] device)\n"
		"  --json           print JSON\n"
		"  --full           show personal numbers unmasked\n"
		"  --wait SECONDS   how long to wait for a card (default: [idcard] timeout_ms)\n"
		"  --timeout MS     how long to wait for each answer ([idcard] timeout_ms)\n"
		"  --baud N         line speed ([idcard] baud, 115200)\n"
		"  --fingerprint    also read the fingerprint data (30 10)\n"
		"  --photo FILE     save the raw 1024-byte WLT photo\n"
		"\n"
		"Exit status: 0 read, 1 reader failure or no card, 2 usage error,\n"
		"3 card refused (expired, not yet valid, or its data does not check).\n"));
}

/* A whole positive number within [lo, hi]. */
static int cmd_idcard_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* Options after the verb; 0, or -1 after a usage message. */
static int cmd_idcard_parse(int argc, char **argv, struct cmd_idcard_opts *o)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "full", no_argument, NULL, 'f' },
		{ "wait", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "baud", required_argument, NULL, 'b' },
		{ "fingerprint", no_argument, NULL, 'F' },
		{ "photo", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, secs;

	optind = 0; /* the caller may have run getopt on another vector */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->device = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'f':
			o->full = 1;
			break;
		case 'w':
			if (cmd_idcard_int(optarg, 1, 3600, &secs) != 0)
				goto bad_value;
			o->wait_ms = secs * 1000;
			break;
		case 't':
			if (cmd_idcard_int(optarg, 10, 600000, &o->timeout_ms) != 0)
				goto bad_value;
			break;
		case 'b':
			if (cmd_idcard_int(optarg, 1, 4000000, &o->baud) != 0)
				goto bad_value;
			break;
		case 'F':
			o->fingerprint = 1;
			break;
		case 'p':
			o->photo_path = optarg;
			break;
		case 'h':
			cmd_idcard_usage(stdout);
			return 1;
		default:
			fprintf(stderr, _("guitai: idcard: unknown option %s\n"),
				argv[optind - 1]);
			cmd_idcard_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("guitai: idcard: unexpected argument %s\n"), argv[optind]);
		cmd_idcard_usage(stderr);
		return -1;
	}
	return 0;
bad_value:
	fprintf(stderr, _("guitai: idcard: bad value for %s: %s\n"), argv[optind - 1], optarg);
	return -1;
}

/* One line: label padded to a column in cells (CJK labels are wide). */
static void cmd_idcard_line(const char *label, const char *value)
{
	int pad = CMD_IDCARD_LABEL_COLS - str_width(label) - 1;

	if (value == NULL || value[0] == '\0')
		return;
	printf("%s:%*s%s\n", label, pad > 0 ? pad : 1, "", value);
}

/* "name (code)", or the raw code alone when the name is unknown. */
static void cmd_idcard_coded(char *out, size_t n, const char *name, const char *code)
{
	if (name != NULL)
		snprintf(out, n, "%s (%s)", name, code);
	else
		snprintf(out, n, "%s", code);
}

static void cmd_idcard_number(char *out, size_t n, const char *number, int full)
{
	if (full)
		str_copy(out, n, number);
	else
		str_mask(out, n, number, 4, 4);
}

static void cmd_idcard_time(char *out, size_t n, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL || strftime(out, n, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
		str_copy(out, n, "");
}

static void cmd_idcard_print_text(const struct idc_record *rec, int full)
{
	const struct idc_text *t = &rec->text;
	char buf[512], a[64], b[64];

	cmd_idcard_line(_("Card type"), idc_text_type_label(t->type));
	cmd_idcard_line(_("Name"), t->name);
	cmd_idcard_line(_("English name"), t->name_en);
	if (t->gender[0] != '\0') {
		cmd_idcard_coded(buf, sizeof(buf), idc_text_gender_name(t->gender), t->gender);
		cmd_idcard_line(_("Gender"), buf);
	}
	if (t->nation[0] != '\0') {
		cmd_idcard_coded(buf, sizeof(buf), idc_text_nation_name(t->nation), t->nation);
		cmd_idcard_line(_("Nation"), buf);
	}
	idc_verify_date_iso(t->birth, a, sizeof(a));
	cmd_idcard_line(_("Birth date"), a);
	cmd_idcard_line(_("Address"), t->address);
	cmd_idcard_line(_("Appended address"), rec->appended_address);
	cmd_idcard_number(buf, sizeof(buf), rec->number_norm[0] ? rec->number_norm : t->number,
			  full);
	cmd_idcard_line(_("ID number"), buf);
	cmd_idcard_line(_("Nationality"), t->nationality);
	cmd_idcard_line(_("Issued by"), t->authority);
	idc_verify_date_iso(t->valid_from, a, sizeof(a));
	if (t->long_term)
		str_copy(b, sizeof(b), _("long-term"));
	else
		idc_verify_date_iso(t->valid_to, b, sizeof(b));
	snprintf(buf, sizeof(buf), "%s - %s", a, b);
	cmd_idcard_line(_("Valid"), buf);
	if (t->pass_number[0] != '\0') {
		cmd_idcard_number(buf, sizeof(buf), t->pass_number, full);
		cmd_idcard_line(_("Travel permit no."), buf);
	}
	cmd_idcard_line(t->type == IDC_CARD_FOREIGN_2023 ? _("Renewals") : _("Issue count"),
			t->issue_count);
	cmd_idcard_line(_("Card version"), t->card_version);
	cmd_idcard_line(_("Agency code"), t->agency_code);
	cmd_idcard_line(_("Previous number link"), t->previous_link);
	snprintf(buf, sizeof(buf), _("%zu bytes, WLT format: it cannot be shown without the "
				     "reader vendor's licensed decoder"), rec->photo_len);
	cmd_idcard_line(_("Photo"), buf);
	if (rec->fp_read) {
		snprintf(buf, sizeof(buf), _("%zu bytes of feature data"), rec->fp_len);
		cmd_idcard_line(_("Fingerprint"), buf);
	}
	cmd_idcard_time(buf, sizeof(buf), rec->read_at);
	cmd_idcard_line(_("Read at"), buf);
}

/* A JSON string; the decoder already removed control characters, but the
 * escaping does not rely on that. */
static void cmd_idcard_json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7F)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void cmd_idcard_json_field(const char *key, const char *value, int *first)
{
	printf("%s\n  ", *first ? "{" : ",");
	*first = 0;
	cmd_idcard_json_str(key);
	fputs(": ", stdout);
	if (value == NULL)
		fputs("null", stdout);
	else
		cmd_idcard_json_str(value);
}

static void cmd_idcard_json_int(const char *key, long long v, int *first)
{
	printf("%s\n  ", *first ? "{" : ",");
	*first = 0;
	cmd_idcard_json_str(key);
	printf(": %lld", v);
}

static void cmd_idcard_print_json(const struct idc_record *rec, int full)
{
	const struct idc_text *t = &rec->text;
	char buf[512];
	int first = 1;

	cmd_idcard_json_field("type", idc_text_type_id(t->type), &first);
	cmd_idcard_json_field("name", t->name, &first);
	cmd_idcard_json_field("name_en", t->name_en, &first);
	cmd_idcard_json_field("gender", t->gender, &first);
	cmd_idcard_json_field("gender_name", idc_text_gender_name(t->gender), &first);
	cmd_idcard_json_field("nation", t->nation, &first);
	cmd_idcard_json_field("nation_name", idc_text_nation_name(t->nation), &first);
	cmd_idcard_json_field("birth", t->birth, &first);
	cmd_idcard_json_field("address", t->address, &first);
	cmd_idcard_json_field("appended_address", rec->appended_address, &first);
	cmd_idcard_number(buf, sizeof(buf), rec->number_norm[0] ? rec->number_norm : t->number,
			  full);
	cmd_idcard_json_field("id_number", buf, &first);
	cmd_idcard_json_int("id_number_masked", !full, &first);
	cmd_idcard_json_field("authority", t->authority, &first);
	cmd_idcard_json_field("valid_from", t->valid_from, &first);
	cmd_idcard_json_field("valid_to", t->long_term ? "long_term" : t->valid_to, &first);
	cmd_idcard_number(buf, sizeof(buf), t->pass_number, full);
	cmd_idcard_json_field("pass_number", buf, &first);
	cmd_idcard_json_field("issue_count", t->issue_count, &first);
	cmd_idcard_json_field("nationality", t->nationality, &first);
	cmd_idcard_json_field("card_version", t->card_version, &first);
	cmd_idcard_json_field("agency_code", t->agency_code, &first);
	cmd_idcard_json_field("previous_link", t->previous_link, &first);
	cmd_idcard_json_field("photo_format", "wlt", &first);
	cmd_idcard_json_int("photo_bytes", (long long)rec->photo_len, &first);
	cmd_idcard_json_int("fingerprint_bytes", (long long)rec->fp_len, &first);
	cmd_idcard_json_field("card_serial", rec->card_serial, &first);
	cmd_idcard_time(buf, sizeof(buf), rec->read_at);
	cmd_idcard_json_field("read_at", buf, &first);
	fputs("\n}\n", stdout);
}

static int cmd_idcard_save_photo(const char *path, const struct idc_record *rec)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t done = 0;

	if (fd < 0)
		goto fail;
	while (done < rec->photo_len) {
		ssize_t w = write(fd, rec->photo + done, rec->photo_len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			goto fail;
		}
		done += (size_t)w;
	}
	if (close(fd) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, _("guitai: idcard: cannot write %s: %s\n"), path, strerror(errno));
	return -1;
}

static int cmd_idcard_run(const struct gt_config *cfg, const struct cmd_idcard_opts *o,
			  int probe)
{
	struct idc_job_opts jo = { 0 };
	struct idc_record *rec = NULL;
	struct idc_job *job;
	struct gt_err err = { "", 0 };
	enum idc_job_state st;
	int rc = CMD_IDCARD_EXIT_FAIL;

	jo.device = o->device != NULL ? o->device : cfg->idcard_device;
	jo.baud = o->baud > 0 ? o->baud : cfg->idcard_baud;
	jo.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : cfg->idcard_timeout_ms;
	jo.wait_ms = o->wait_ms;
	jo.probe_only = probe;
	jo.read_flags = o->fingerprint ? IDC_READ_FINGERPRINT : 0;
	job = idc_job_new(&jo, &err);
	if (job == NULL) {
		fprintf(stderr, "guitai: idcard: %s\n", err.msg);
		return CMD_IDCARD_EXIT_FAIL;
	}
	st = idc_job_wait(job, -1);
	rec = calloc(1, sizeof(*rec));
	if (rec == NULL) {
		fprintf(stderr, "guitai: idcard: %s\n", _("out of memory"));
		goto out;
	}
	if (idc_job_result(job, rec, NULL, &err) != 0) {
		fprintf(stderr, "guitai: idcard: %s\n", err.msg);
		rc = st == IDC_JOB_REFUSED ? CMD_IDCARD_EXIT_REFUSED : CMD_IDCARD_EXIT_FAIL;
		goto out;
	}
	if (probe) {
		if (o->json) {
			int first = 1;

			cmd_idcard_json_field("status", "ready", &first);
			cmd_idcard_json_field("device", jo.device, &first);
			cmd_idcard_json_field("sam_id", rec->sam_id, &first);
			fputs("\n}\n", stdout);
		} else {
			cmd_idcard_line(_("Reader"), _("ready"));
			cmd_idcard_line(_("Device"), jo.device);
			cmd_idcard_line(_("SAM id"), rec->sam_id);
		}
		rc = 0;
		goto out;
	}
	if (o->photo_path != NULL && cmd_idcard_save_photo(o->photo_path, rec) != 0)
		goto out;
	if (o->json)
		cmd_idcard_print_json(rec, o->full);
	else
		cmd_idcard_print_text(rec, o->full);
	rc = fflush(stdout) == 0 ? 0 : CMD_IDCARD_EXIT_FAIL;
out:
	if (rec != NULL) {
		idc_record_wipe(rec);
		free(rec);
	}
	idc_job_free(job);
	return rc;
}

int cmd_idcard_main(const struct gt_config *cfg, int argc, char **argv)
{
	struct cmd_idcard_opts o = { 0 };
	int probe, p;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_idcard_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CMD_IDCARD_EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "read") == 0) {
		probe = 0;
	} else if (strcmp(argv[1], "status") == 0) {
		probe = 1;
	} else {
		fprintf(stderr, _("guitai: idcard: unknown command %s\n"), argv[1]);
		cmd_idcard_usage(stderr);
		return CMD_IDCARD_EXIT_USAGE;
	}
	p = cmd_idcard_parse(argc - 1, argv + 1, &o);
	if (p != 0)
		return p > 0 ? 0 : CMD_IDCARD_EXIT_USAGE;
	return cmd_idcard_run(cfg, &o, probe);
}
