/* Batch benchmark: wall time of `guitai issue --batch FILE` for one valid
 * application, against the floor of the same work done by stock tools.
 *
 *   bench/batch --guitai PATH --srcdir DIR [-n RUNS] [-t TARGET_MS]
 *               [-d PARENT] [--sqlite3 PATH] [-k]
 *
 * A private directory (under PARENT, default $TMPDIR or /tmp) gets a
 * configuration that points every path into it (the format of
 * tests/lib.sh write_config; catalogue and divisions from DIR/data), an
 * empty data directory, and the batch example of issue 2 (a valid
 * application). One untimed warm-up run creates the database; then RUNS
 * runs of guitai and of the baseline are interleaved, each timed with
 * CLOCK_MONOTONIC from just before fork to waitpid.
 *
 * Baseline: the sqlite3 shell started on a database of its own with the
 * same durability settings as guitai's store (journal_mode=WAL,
 * synchronous=FULL), storing one application row (number, name, USCC,
 * time and a random blob as large as guitai's stored record) and bumping a
 * sequence row in one transaction: process start + one durable commit, the
 * least any tool can do for "store one application".
 *
 * Afterwards: the database bytes per application, both overall and as the
 * growth per application over the timed runs. -k keeps the directory.
 * Exit status: 0 target met, 1 missed, 2 usage error or a failed run. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 100000

static const char batch_example[] =
	"[application]\n"
	"service = new              ; new (later: renew replace change unlock repin revoke)\n"
	"project = szjsgws          ; key of the relying application in the catalogue\n"
	"cert_type = org            ; org | person\n"
	"term_years = 1             ; 1 | 3 | 5\n"
	"eseal = yes                ; yes | no\n"
	"\n"
	"[organization]\n"
	"name = 深圳市测试科技有限公司\n"
	"id_type = uscc\n"
	"id_number = 91440300708461136T\n"
	"address = 深圳市南山区科技园科苑路1号\n"
	"; province / city / county = GB/T 2260 codes; derived from the USCC when absent\n"
	"; id_override_reason = text — accepts a USCC whose check character fails (stored)\n"
	"\n"
	"[legal_rep]\n"
	"name = 张三\n"
	"id_type = resident         ; resident | hmt_permit | foreign_2017 | foreign_2023\n"
	"id_number = 440304198502280023\n"
	"\n"
	"[handler]\n"
	"name = 李四\n"
	"id_type = resident\n"
	"id_number = 44030519900101123X\n"
	"mobile = 13800138000\n"
	"email = lisi@example.com\n"
	"position = 经理\n"
	"\n"
	"[invoice]\n"
	"electronic = yes\n"
	"title = 深圳市测试科技有限公司\n"
	"tax_number = 91440300708461136T\n"
	"\n"
	"[payment]\n"
	"method = wechat            ; cash | card | wechat | alipay | transfer\n"
	"reference = 4200001234202611210000\n";

static const char baseline_schema[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE seq (terminal TEXT NOT NULL, day INTEGER NOT NULL, last INTEGER NOT NULL,"
	" PRIMARY KEY (terminal, day));"
	"CREATE TABLE apps (app_no TEXT PRIMARY KEY, org_name TEXT NOT NULL, uscc TEXT NOT NULL,"
	" created_at INTEGER NOT NULL, record BLOB NOT NULL);"
	"CREATE INDEX apps_uscc ON apps (uscc);"
	"CREATE INDEX apps_org ON apps (org_name);";

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Run argv with stdin and stdout on /dev/null (stdout to out_path when
 * given) and return its wall time in ms, or -1 when it did not exit 0. */
static double run_timed(char *const argv[], const char *out_path)
{
	double t0 = now_ms(), t;
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)
				   : open("/dev/null", O_WRONLY);

		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0)
			_exit(126);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	t = now_ms() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "batch: %s exited with status %d\n", argv[0],
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -1;
	}
	return t;
}

/* dir/name into buf; -1 when it does not fit. */
static int path_in(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* The database as it would be copied: main file plus any WAL left over. */
static long long db_bytes(const char *db)
{
	char wal[PATH_MAX];

	snprintf(wal, sizeof(wal), "%s-wal", db);
	return file_size(db) + file_size(wal);
}

/* One integer from a query on db (read-only), or -1. */
static long long db_query(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p)
{
	int k = (int)(p / 100.0 * n + 0.999999) - 1;

	return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

static double median(const double *v, int n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void print_row(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	printf("  %-10s %8.2f %8.2f %8.2f %8.2f ms\n", name, v[0], median(v, n), pct(v, n, 90),
	       v[n - 1]);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: batch --guitai PATH --srcdir DIR [-n RUNS] [-t TARGET_MS] [-d PARENT] "
		   "[--sqlite3 PATH] [-k]\n");
}

static int remove_tree(const char *dir)
{
	char *argv[] = { "/bin/rm", "-rf", (char *)dir, NULL };

	return run_timed(argv, NULL) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guitai", required_argument, NULL, 'g' },
		{ "srcdir", required_argument, NULL, 's' },
		{ "sqlite3", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *guitai = NULL, *srcdir = NULL, *sqlite_cli = "/usr/bin/sqlite3";
	const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[PATH_MAX], conf[PATH_MAX], app[PATH_MAX], db[PATH_MAX], bdb[PATH_MAX];
	char out[PATH_MAX], sql[1024], text[4 * PATH_MAX], absg[PATH_MAX], abss[PATH_MAX];
	double target = 20.0, *tg, *tb;
	int runs = 50, keep = 0, have_baseline, opt, failed = 0, ng = 0, nb = 0, rc;
	long long rows0, rows1, bytes0, bytes1, blob;

	while ((opt = getopt_long(argc, argv, "n:t:d:kh", opts, NULL)) != -1) {
		switch (opt) {
		case 'g': guitai = optarg; break;
		case 's': srcdir = optarg; break;
		case 'q': sqlite_cli = optarg; break;
		case 'n': runs = atoi(optarg); break;
		case 't': target = atof(optarg); break;
		case 'd': parent = optarg; break;
		case 'k': keep = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (guitai == NULL || srcdir == NULL || optind != argc || runs < 1 || runs > MAX_RUNS ||
	    target <= 0 || realpath(guitai, absg) == NULL || realpath(srcdir, abss) == NULL) {
		usage(stderr);
		return 2;
	}
	have_baseline = access(sqlite_cli, X_OK) == 0;

	snprintf(dir, sizeof(dir), "%s/guitai-bench.XXXXXX", parent);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 2;
	}
	if (path_in(conf, sizeof(conf), dir, "guitai.conf") != 0 ||
	    path_in(app, sizeof(app), dir, "application.ini") != 0 ||
	    path_in(db, sizeof(db), dir, "data/guitai.db") != 0 ||
	    path_in(bdb, sizeof(bdb), dir, "baseline.db") != 0 ||
	    path_in(out, sizeof(out), dir, "out.txt") != 0) {
		fprintf(stderr, "batch: %s: path too long\n", dir);
		goto fail;
	}
	rc = snprintf(text, sizeof(text),
		      "[terminal]\nid = T01\nsite = 测试受理点\n"
		      "[paths]\ndata_dir = %s/data\n"
		      "[data]\ncatalog = %s/data/catalog.ini\nregions = %s/data/regions.tsv\n"
		      "[log]\nfile = %s/guitai.log\n",
		      dir, abss, abss, dir);
	if (rc < 0 || (size_t)rc >= sizeof(text))
		goto fail;
	if (write_file(conf, text) != 0 || write_file(app, batch_example) != 0)
		goto fail;

	{
		char *gargv[] = { absg, "-c", conf, "issue", "--batch", app, NULL };
		char *bargv[] = { (char *)sqlite_cli, bdb, sql, NULL };
		char *sargv[] = { (char *)sqlite_cli, bdb, (char *)baseline_schema, NULL };

		/* Warm-up: creates guitai's database and proves the example is
		 * accepted (exit 0, an application number printed). */
		if (run_timed(gargv, out) < 0) {
			fprintf(stderr, "batch: the warm-up run failed; see %s/guitai.log\n", dir);
			keep = 1;
			goto fail;
		}
		rows0 = db_query(db, "SELECT count(*) FROM applications");
		bytes0 = db_bytes(db);
		blob = db_query(db, "SELECT max(length(record)) FROM applications");
		if (blob <= 0)
			blob = 1024; /* schema changed: a plausible record size */
		if (have_baseline && run_timed(sargv, NULL) < 0) {
			fprintf(stderr, "batch: cannot create the baseline database; no baseline\n");
			have_baseline = 0;
		}
		tg = calloc((size_t)runs, sizeof(double));
		tb = calloc((size_t)runs, sizeof(double));
		if (tg == NULL || tb == NULL)
			goto fail;
		for (int r = 0; r < runs; r++) {
			double t = run_timed(gargv, NULL);

			if (t < 0)
				failed = 1;
			else
				tg[ng++] = t;
			if (!have_baseline)
				continue;
			snprintf(sql, sizeof(sql),
				 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; BEGIN;"
				 "INSERT INTO seq VALUES ('T01', 20260101, 1)"
				 " ON CONFLICT (terminal, day) DO UPDATE SET last = last + 1;"
				 "INSERT INTO apps VALUES ('T01-20260101-%04d', '深圳市测试科技有限公司',"
				 " '91440300708461136T', CAST(strftime('%%s','now') AS INTEGER), randomblob(%lld));"
				 "COMMIT;",
				 r + 1, blob);
			t = run_timed(bargv, NULL);
			if (t < 0)
				failed = 1;
			else
				tb[nb++] = t;
		}
	}
	rows1 = db_query(db, "SELECT count(*) FROM applications");
	bytes1 = db_bytes(db);

	printf("batch: `guitai issue --batch` of one valid application (issue 2 example), "
	       "%d runs (interleaved with the baseline, after 1 warm-up)\n", runs);
	printf("  private directory %s (%s)\n", dir, keep ? "kept" : "removed afterwards");
	printf("  %-10s %8s %8s %8s %8s\n", "case", "min", "median", "p90", "max");
	if (ng == 0) {
		fprintf(stderr, "batch: no successful guitai run\n");
		goto fail;
	}
	print_row("guitai", tg, ng);
	if (nb > 0) {
		print_row("sqlite3", tb, nb);
		printf("  baseline: sqlite3 shell, WAL + synchronous=FULL, one transaction "
		       "(sequence bump + one %lld-byte row)\n", blob);
		printf("  ratio guitai/sqlite3 (median): %.2f\n", median(tg, ng) / median(tb, nb));
	} else {
		printf("  baseline: skipped (no %s; install the sqlite3 package)\n", sqlite_cli);
	}
	if (rows1 > 0) {
		printf("  database: %lld bytes for %lld applications = %lld bytes/application; ",
		       bytes1, rows1, bytes1 / rows1);
		if (rows1 > rows0)
			printf("growth over the timed runs %.0f bytes/application "
			       "(stored record %lld bytes)\n",
			       (double)(bytes1 - bytes0) / (double)(rows1 - rows0), blob);
		else
			printf("no growth measured\n");
	}
	if (rows1 - rows0 != ng) {
		fprintf(stderr, "batch: %d successful runs but %lld new rows\n", ng, rows1 - rows0);
		failed = 1;
	}
	rc = median(tg, ng) <= target;
	printf("  target: guitai median <= %.0f ms: %.2f ms, %s\n", target, median(tg, ng),
	       rc ? "MET" : "MISSED");
	free(tg);
	free(tb);
	if (!keep)
		remove_tree(dir);
	return failed ? 2 : rc ? 0 : 1;
fail:
	if (!keep)
		remove_tree(dir);
	else
		fprintf(stderr, "batch: kept %s\n", dir);
	return 2;
}
