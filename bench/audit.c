/* Issue 6's audit-verify throughput: `guitai audit verify` over a generated
 * trail, in MB/s of canonical row bytes, beside OpenSSL's SHA-256 speed
 * measured in the same run (target: verify >= 0.5 x SHA-256).
 *
 *   bench/audit --guitai PATH --srcdir DIR [-n ROWS] [-r RUNS] [-d PARENT]
 *               [-t RATIO] [-k]
 *
 * A private directory gets a configuration in the format of tests/lib.sh;
 * `guitai paths` creates the database and keys; then ROWS rows (default
 * 1,000,000) are appended in-process through audit_append (the real chain,
 * checkpoints every 1000 rows and the head anchor), in transactions of
 * 100,000, from a mix of the rows a counter writes. Each timed run is
 * `guitai audit verify --stats` in a child process: the figure is bytes
 * hashed / the time verify reports (the check itself), and the process's
 * wall time is printed too (start-up, opening, reading included).
 *
 * The bytes counted are the canonical bytes verify hashed (it reads each
 * row's 32-byte stored hash besides, not counted).
 *
 * SHA-256 baselines, same process, same library, one thread, measured for
 * half a second right after each verify run: EVP digests of 8 KiB messages
 * (the bulk figure `openssl speed sha256` quotes; the target is judged
 * against it: the median of the runs' ratios), and of messages of the
 * trail's mean row size (the work verify cannot avoid: one digest per
 * row). verify runs one thread per processor; the line says how many.
 * Also the floor of reading the rows: one thread scanning the same column
 * out of SQLite, no hashing. Exit 0 target met, 1 missed, 2 could not run. */
#include "config.h"
#include "db/audit.h"
#include "db/crypto.h"
#include "db/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAX_RUNS 50

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of the last child run() reaped. */
static double run_cpu;

/* Run argv (stdout to out_path, stderr to err_path) in the C locale;
 * return wall seconds and the exit status in *status, or -1. */
static double run(char *const argv[], const char *out_path, const char *err_path, int *status)
{
	struct rusage ru;
	double t0 = now_s();
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(126);
		/* English figures to parse, whatever the caller's locale. */
		setenv("LC_ALL", "C.UTF-8", 1);
		setenv("LANGUAGE", "", 1);
		execv(argv[0], argv);
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	run_cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		  (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return now_s() - t0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A counter's day, roughly: wizard steps dominate, with log-ins, card
 * reads, batches and submissions between them. */
static void bench_row(long long i, char *action, size_t asz, char *app_no, size_t nsz,
		      char *detail, size_t dsz, const char **op)
{
	static const char *const ops[] = { "张三", "李四", "王五", "zhao.liu" };
	long long app = i / 12 + 1;

	*op = ops[(i / 500) % 4];
	snprintf(app_no, nsz, "T01-2026%04lld-%04lld", 101 + (app / 9999) % 1130, app % 9999 + 1);
	switch (i % 12) {
	case 0:
		snprintf(action, asz, "app.begin");
		snprintf(detail, dsz, "service new");
		break;
	case 5:
		snprintf(action, asz, "idcard.read");
		snprintf(detail, dsz, "handler: resident 4403**********%03lldX", i % 1000);
		break;
	case 9:
		snprintf(action, asz, "app.submit");
		snprintf(detail, dsz, "submitted");
		break;
	case 10:
		snprintf(action, asz, "batch.stored");
		snprintf(detail, dsz, "file /var/spool/guitai/in/%08lld.ini", i);
		break;
	case 11:
		snprintf(action, asz, "login.ok");
		snprintf(detail, dsz, "role operator");
		app_no[0] = '\0';
		break;
	default:
		snprintf(action, asz, "app.step");
		snprintf(detail, dsz, "step %lld", i % 12 % 5 + 1);
		break;
	}
}

static int generate(const char *db, const char *key_file, const char *head, long long rows)
{
	struct crypto_keyring ring;
	struct store *st = NULL;
	struct audit_ctx ac;
	struct gt_err err;
	double t0 = now_s();
	int rc = -1;

	if (crypto_keyring_load_existing(&ring, key_file, &err) != 0 ||
	    store_open(db, &st, &err) != 0) {
		fprintf(stderr, "audit: %s\n", err.msg);
		goto out;
	}
	memset(&ac, 0, sizeof(ac));
	ac.terminal = "T01";
	ac.ring = &ring;
	ac.checkpoint_every = AUDIT_CHECKPOINT_EVERY;
	ac.head_path = head;
	for (long long i = 0; i < rows; i++) {
		char action[32], app_no[32], detail[96];

		if (i % 100000 == 0 && store_begin(st, &err) != 0)
			goto fail;
		bench_row(i, action, sizeof(action), app_no, sizeof(app_no), detail, sizeof(detail),
			  &ac.operator_name);
		if (audit_append(st, &ac, action, app_no, detail, &err) != 0)
			goto fail;
		if ((i + 1) % 100000 == 0 || i + 1 == rows) {
			if (store_commit(st, &err) != 0)
				goto fail;
			fprintf(stderr, "\r# generated %lld rows", i + 1);
		}
	}
	if (audit_anchor(st, &ac, &err) != 0)
		goto fail;
	fprintf(stderr, "\n");
	printf("# generated %lld rows in %.1f s (%.0f rows/s appended, 100,000 per transaction)\n",
	       rows, now_s() - t0, (double)rows / (now_s() - t0));
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "\naudit: %s\n", err.msg);
	store_rollback(st);
out:
	store_close(st);
	crypto_keyring_wipe(&ring);
	return rc;
}

/* MB/s of one-shot SHA-256 over messages of `size` bytes for ~seconds. */
static double sha256_speed(size_t size, double seconds)
{
	unsigned char *buf = malloc(size), out[32];
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned long long n = 0;
	double t0, t;
	unsigned int len;

	if (buf == NULL || c == NULL)
		return 0;
	memset(buf, 0x5a, size);
	t0 = now_s();
	do {
		/* The same calls verify makes per row. */
		for (int k = 0; k < 1000; k++) {
			EVP_DigestInit_ex(c, md, NULL);
			EVP_DigestUpdate(c, buf, size);
			EVP_DigestFinal_ex(c, out, &len);
			buf[0] ^= out[0];
		}
		n += 1000;
		t = now_s() - t0;
	} while (t < seconds);
	EVP_MD_CTX_free(c);
	EVP_MD_free(md);
	free(buf);
	return (double)n * (double)size / t / 1e6;
}

/* The floor under any verify that reads the trail from SQLite: one pass
 * over the same columns with the same settings, touching every row's
 * bytes (first and last), no hashing. MB/s of canonical bytes, one
 * thread. */
static double scan_speed(const char *db, unsigned long long bytes)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	unsigned long long sum = 0;
	double t0, t = 0;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK &&
	    sqlite3_exec(h, "PRAGMA mmap_size = 0", NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "SELECT seq, rec FROM audit ORDER BY seq", -1, &st,
			       NULL) == SQLITE_OK) {
		t0 = now_s();
		while (sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *b = sqlite3_column_blob(st, 1);
			int n = sqlite3_column_bytes(st, 1);

			sum += (unsigned long long)sqlite3_column_int64(st, 0) + (unsigned long long)n;
			if (b != NULL && n > 0)
				sum += b[0] + b[n - 1];
		}
		t = now_s() - t0;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return t > 0 && sum > 0 ? (double)bytes / t / 1e6 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: audit --guitai PATH --srcdir DIR [-n ROWS] [-r RUNS] [-d PARENT] "
		   "[-t RATIO] [-k]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guitai", required_argument, NULL, 'g' },
		{ "srcdir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *guitai = NULL, *srcdir = NULL;
	const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[PATH_MAX], conf[PATH_MAX + 32], db[PATH_MAX + 32], key[PATH_MAX + 32];
	char head[PATH_MAX + 64], out[PATH_MAX + 32], errf[PATH_MAX + 32];
	char absg[PATH_MAX], abss[PATH_MAX];
	double target = 0.5, inner[BENCH_MAX_RUNS], wall[BENCH_MAX_RUNS], sha_row[BENCH_MAX_RUNS];
	double sha_bulk[BENCH_MAX_RUNS], ratio[BENCH_MAX_RUNS], ratio_wall[BENCH_MAX_RUNS], scan;
	double percpu[BENCH_MAX_RUNS];
	long nthreads;
	unsigned long long bytes = 0;
	long long rows = 1000000, checked = 0;
	int runs = 3, keep = 0, opt, status, met, rc = 2;
	FILE *f;

	while ((opt = getopt_long(argc, argv, "n:r:d:t:kh", opts, NULL)) != -1) {
		switch (opt) {
		case 'g': guitai = optarg; break;
		case 's': srcdir = optarg; break;
		case 'n': rows = atoll(optarg); break;
		case 'r': runs = atoi(optarg); break;
		case 'd': parent = optarg; break;
		case 't': target = atof(optarg); break;
		case 'k': keep = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (guitai == NULL || srcdir == NULL || optind != argc || rows < 1 || runs < 1 ||
	    runs > BENCH_MAX_RUNS || target <= 0 || realpath(guitai, absg) == NULL ||
	    realpath(srcdir, abss) == NULL) {
		usage(stderr);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/guitai-bench-audit.XXXXXX", parent);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 2;
	}
	snprintf(conf, sizeof(conf), "%s/guitai.conf", dir);
	snprintf(db, sizeof(db), "%s/data/guitai.db", dir);
	snprintf(key, sizeof(key), "%s/data/audit.key", dir);
	snprintf(head, sizeof(head), "%s.audit-head", db);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(errf, sizeof(errf), "%s/err.txt", dir);
	f = fopen(conf, "w");
	if (f == NULL)
		goto done;
	fprintf(f, "[terminal]\nid = T01\nsite = 测试受理点\n[paths]\ndata_dir = %s/data\n"
		"[data]\ncatalog = %s/data/catalog.ini\nregions = %s/data/regions.tsv\n"
		"[log]\nfile = %s/guitai.log\n", dir, abss, abss, dir);
	if (fclose(f) != 0)
		goto done;
	{
		char *pargv[] = { absg, "-c", conf, "paths", NULL };

		if (run(pargv, out, errf, &status) < 0 || status != 0) {
			fprintf(stderr, "audit: guitai paths failed: %s\n", slurp(errf));
			goto done;
		}
	}
	if (generate(db, key, head, rows) != 0)
		goto done;
	printf("# database %lld bytes (%.0f bytes per audit row, indexes and applications "
	       "table included)\n", file_size(db), (double)file_size(db) / (double)rows);

	for (int r = 0; r < runs; r++) {
		char *vargv[] = { absg, "-c", conf, "audit", "verify", "--stats", NULL };
		char *text;
		double secs, mbs;

		wall[r] = run(vargv, out, errf, &status);
		text = slurp(out);
		if (wall[r] < 0 || status != 0 || text == NULL || strncmp(text, "intact: ", 8) != 0) {
			fprintf(stderr, "audit: verify run %d: status %d: %s%s\n", r + 1, status,
				text ? text : "", slurp(errf));
			goto done;
		}
		text = slurp(errf);
		if (text == NULL || sscanf(text, "checked %llu bytes in %lld rows in %lf s: %lf MB/s",
					   &bytes, &checked, &secs, &mbs) != 4 || checked < rows) {
			/* More is fine: guitai's own start-up rows (config.load)
			 * come before the generated ones. */
			fprintf(stderr, "audit: cannot read the --stats line: %s\n", text ? text : "");
			goto done;
		}
		inner[r] = mbs;
		wall[r] = (double)bytes / wall[r] / 1e6;
		percpu[r] = (double)bytes / run_cpu / 1e6;
		/* The baselines right after each run, so a machine busy with
		 * other work weighs on both sides of the ratio alike. */
		sha_bulk[r] = sha256_speed(8192, 0.5);
		sha_row[r] = sha256_speed((size_t)(bytes / (unsigned long long)rows), 0.5);
		ratio[r] = inner[r] / sha_bulk[r];
		ratio_wall[r] = wall[r] / sha_bulk[r];
	}
	/* As verify picks them: one per processor (at most 8), no more than
	 * there are chunks of 50,000 rows. */
	nthreads = sysconf(_SC_NPROCESSORS_ONLN);
	if (nthreads > 8)
		nthreads = 8;
	if (nthreads > (rows + 49999) / 50000)
		nthreads = (long)((rows + 49999) / 50000);
	if (nthreads < 1)
		nthreads = 1;
	qsort(inner, (size_t)runs, sizeof(double), cmp_double);
	qsort(wall, (size_t)runs, sizeof(double), cmp_double);
	qsort(sha_bulk, (size_t)runs, sizeof(double), cmp_double);
	qsort(sha_row, (size_t)runs, sizeof(double), cmp_double);
	qsort(ratio, (size_t)runs, sizeof(double), cmp_double);
	qsort(ratio_wall, (size_t)runs, sizeof(double), cmp_double);
	qsort(percpu, (size_t)runs, sizeof(double), cmp_double);
	scan = scan_speed(db, bytes);

	printf("# %lld rows, %llu canonical bytes hashed (%.1f bytes per row); %d verify runs, "
	       "each followed by the SHA-256 baselines; medians\n", rows, bytes,
	       (double)bytes / (double)rows, runs);
	printf("  verify (check only)      %8.1f MB/s  (%.2f M rows/s; %ld threads taking chunks "
	       "of rows in turn)\n", inner[runs / 2],
	       inner[runs / 2] * 1e6 / ((double)bytes / (double)rows) / 1e6, nthreads);
	printf("  verify (whole process)   %8.1f MB/s\n", wall[runs / 2]);
	printf("  verify per CPU-second    %8.1f MB/s  (whole process, all threads: what one core "
	       "does)\n", percpu[runs / 2]);
	printf("  OpenSSL SHA-256, 8 KiB   %8.1f MB/s  (bulk, one thread)\n", sha_bulk[runs / 2]);
	printf("  OpenSSL SHA-256, %3llu B   %8.1f MB/s  (EVP, one digest per message; one "
	       "thread)\n", bytes / (unsigned long long)rows, sha_row[runs / 2]);
	printf("  SQLite scan, no hashing  %8.1f MB/s  (one thread; the floor under reading "
	       "the rows)\n", scan);
	printf("  ratio to SHA-256 bulk, run by run: median %.2f (%.2f to %.2f), target >= %.2f; "
	       "whole process %.2f\n", ratio[runs / 2], ratio[0], ratio[runs - 1], target,
	       ratio_wall[runs / 2]);
	printf("  (medians: %.2f x bulk, %.2f x SHA-256 at the row size)\n",
	       inner[runs / 2] / sha_bulk[runs / 2], inner[runs / 2] / sha_row[runs / 2]);
	met = ratio[runs / 2] >= target;
	printf("  target %s\n", met ? "met" : "MISSED");
	rc = met ? 0 : 1;
done:
	if (keep || rc == 2) {
		fprintf(stderr, "# kept %s\n", dir);
	} else {
		char *rargv[] = { "/bin/rm", "-rf", dir, NULL };

		run(rargv, "/dev/null", "/dev/null", &status);
	}
	return rc;
}
