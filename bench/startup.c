/* Start-up benchmark: process start to a full-screen program's first screen,
 * in a pseudo-terminal.
 *
 *   bench/startup [-n RUNS] [-t TARGET_MS] [-w TIMEOUT_S] [-q QUIET_MS] [-o DUMP] \
 *       NAME MARKER CMD [ARG...] [-- NAME MARKER CMD [ARG...]]...
 *
 * Each case is forked on a new pty (forkpty, 80x24, TERM=xterm-256color,
 * LANG=zh_CN.UTF-8, no LC_ALL / LC_* / LANGUAGE / LINES / COLUMNS) and timed
 * from just before the fork to the moment MARKER (raw bytes) has been read
 * from the master side; the child then gets SIGTERM and is reaped (SIGKILL
 * after a grace period). The cases are interleaved run by run so that a
 * disturbance on the machine hits them all alike, after one untimed warm-up
 * run each (the first run of a program pays for a cold page cache and, for
 * guitai, for creating its database).
 *
 * The first case is the subject: it is compared with TARGET_MS and every
 * other case is a baseline measured in the same run; the ratio of the
 * subject's median to each baseline's median is printed.
 *
 * A second time per run, "complete", runs to the last byte read before
 * QUIET_MS (-q, default 25; 0 turns it off) of silence after the marker:
 * the rest of the first screen, which curses writes in several write()
 * calls. The target must hold for both medians.
 *
 * -o DUMP writes the raw bytes of the subject's warm-up run up to that
 * last byte, to check what the marker matched and what was drawn.
 *
 * Exit status: 0 when every run of every case saw its marker and the
 * subject met the target, 1 when the target was missed, 2 on a usage error
 * or a run that failed. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CASES 8
#define MAX_RUNS 10000

struct bench_case {
	const char *name;
	const char *marker;
	char **argv;
	double *ms;   /* fork to marker */
	double *done; /* fork to the first screen complete */
	int nok;
};

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The child's environment: the caller's, less anything that would pick
 * another locale or window size than the one under test. */
static void child_env(void)
{
	static const char *drop[] = { "LC_ALL", "LANGUAGE", "LINES", "COLUMNS", NULL };
	int again = 1;

	for (int i = 0; drop[i] != NULL; i++)
		unsetenv(drop[i]);
	while (again) {
		again = 0;
		for (char **e = environ; *e != NULL; e++) {
			if (strncmp(*e, "LC_", 3) == 0) {
				char name[64];
				size_t n = strcspn(*e, "=");

				if (n >= sizeof(name))
					continue;
				memcpy(name, *e, n);
				name[n] = '\0';
				unsetenv(name);
				again = 1;
				break;
			}
		}
	}
	setenv("TERM", "xterm-256color", 1);
	setenv("LANG", "zh_CN.UTF-8", 1);
}

/* Drain the master until EOF/EIO or until the child has been reaped; kill
 * it hard if SIGTERM was not enough. Returns 0 once reaped. */
static int stop_child(pid_t pid, int fd)
{
	double deadline = now_ms() + 2000.0, killed_at = 0;
	char buf[4096];
	int status;

	kill(pid, SIGTERM);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (killed_at == 0 && now_ms() > deadline) {
			kill(pid, SIGKILL);
			killed_at = now_ms();
		}
		if (poll(&p, 1, 10) > 0) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n <= 0) {
				/* Slave closed: the child is exiting. */
				if (waitpid(pid, &status, 0) == pid)
					break;
				return -1;
			}
		}
	}
	return 0;
}

/* One timed run. *marker_ms: fork to the marker; *done_ms: fork to the last
 * byte read before the output has been quiet for quiet_ms after the marker
 * (the rest of the first screen: curses writes a screen in several write()
 * calls and the pty hands them over as they come). Both negative when the
 * marker never came (child exited or timeout). The dump gets every byte
 * read up to done_ms. */
static void run_once(const struct bench_case *c, double timeout_ms, double quiet_ms, FILE *dump,
		     double *marker_ms, double *done_ms)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	size_t mlen = strlen(c->marker);
	char *win;
	size_t have = 0;
	double t0, found = -1, last = -1;
	int fd;
	pid_t pid;

	*marker_ms = *done_ms = -1;
	win = malloc(mlen + 4096);
	if (win == NULL)
		return;
	t0 = now_ms();
	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		free(win);
		return;
	}
	if (pid == 0) {
		child_env();
		execvp(c->argv[0], c->argv);
		fprintf(stderr, "exec %s: %s\n", c->argv[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double now = now_ms(), left;
		ssize_t n;

		if (found < 0)
			left = t0 + timeout_ms - now;
		else if (last + quiet_ms > t0 + timeout_ms)
			left = t0 + timeout_ms - now; /* never quiet: stop at the timeout */
		else
			left = t0 + last + quiet_ms - now;
		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left + 1) <= 0)
			continue;
		n = read(fd, win + have, 4096);
		if (n <= 0)
			break;
		last = now_ms() - t0;
		if (dump != NULL)
			fwrite(win + have, 1, (size_t)n, dump);
		if (found >= 0)
			continue;
		have += (size_t)n;
		if (memmem(win, have, c->marker, mlen) != NULL) {
			found = last;
			if (quiet_ms <= 0)
				break;
		} else if (have >= mlen) {
			/* Keep the last mlen-1 bytes so a marker split between
			 * two reads is still found. */
			memmove(win, win + have - (mlen - 1), mlen - 1);
			have = mlen - 1;
		}
	}
	free(win);
	if (stop_child(pid, fd) != 0)
		fprintf(stderr, "startup: %s: could not reap child %ld\n", c->name, (long)pid);
	close(fd);
	if (found >= 0) {
		*marker_ms = found;
		*done_ms = last;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, int n, double p)
{
	int k = (int)(p / 100.0 * n + 0.999999) - 1;

	if (k < 0)
		k = 0;
	if (k >= n)
		k = n - 1;
	return v[k];
}

static double median(const double *v, int n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: startup [-n RUNS] [-t TARGET_MS] [-w TIMEOUT_S] [-q QUIET_MS] [-o DUMP] "
		   "NAME MARKER CMD [ARG...] [-- NAME MARKER CMD [ARG...]]...\n");
}

static void print_row(const char *name, const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	printf("  %-8s %-9s %8.2f %8.2f %8.2f %8.2f ms\n", name, what, v[0], median(v, n),
	       pct(v, n, 90), v[n - 1]);
}

int main(int argc, char **argv)
{
	struct bench_case cases[MAX_CASES];
	int ncases = 0, runs = 30, failed = 0, opt, met;
	double target = 50.0, timeout_ms = 10000.0, quiet_ms = 25.0, m0, d0;
	const char *dump_path = NULL;

	while ((opt = getopt(argc, argv, "+n:t:w:q:o:h")) != -1) {
		switch (opt) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 't':
			target = atof(optarg);
			break;
		case 'w':
			timeout_ms = atof(optarg) * 1000.0;
			break;
		case 'q':
			quiet_ms = atof(optarg);
			break;
		case 'o':
			dump_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS || target <= 0 || timeout_ms <= 0 || quiet_ms < 0) {
		usage(stderr);
		return 2;
	}
	/* Split the rest into cases at each "--". */
	for (int i = optind; i < argc;) {
		int j = i;

		while (j < argc && strcmp(argv[j], "--") != 0)
			j++;
		if (j - i < 3 || ncases == MAX_CASES || argv[i + 1][0] == '\0') {
			usage(stderr);
			return 2;
		}
		cases[ncases].name = argv[i];
		cases[ncases].marker = argv[i + 1];
		cases[ncases].argv = argv + i + 2;
		cases[ncases].ms = calloc((size_t)runs, sizeof(double));
		cases[ncases].done = calloc((size_t)runs, sizeof(double));
		cases[ncases].nok = 0;
		if (cases[ncases].ms == NULL || cases[ncases].done == NULL)
			return 2;
		ncases++;
		if (j < argc)
			argv[j] = NULL; /* ends this case's argv */
		i = j + 1;
	}
	if (ncases == 0) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	/* Warm-up, untimed; the subject's bytes go to the dump. */
	for (int c = 0; c < ncases; c++) {
		FILE *dump = NULL;
		double ms, done;

		if (c == 0 && dump_path != NULL && (dump = fopen(dump_path, "wb")) == NULL) {
			perror(dump_path);
			return 2;
		}
		run_once(&cases[c], timeout_ms, quiet_ms, dump, &ms, &done);
		if (ms < 0) {
			fprintf(stderr, "startup: %s: marker \"%s\" not seen (warm-up: the "
					"program ended or %.0f ms passed); command: %s\n",
				cases[c].name, cases[c].marker, timeout_ms, cases[c].argv[0]);
			failed = 1;
		}
		if (dump != NULL)
			fclose(dump);
	}
	if (failed)
		return 2;

	for (int r = 0; r < runs; r++) {
		for (int c = 0; c < ncases; c++) {
			struct bench_case *k = &cases[c];
			double ms, done;

			run_once(k, timeout_ms, quiet_ms, NULL, &ms, &done);
			if (ms < 0) {
				fprintf(stderr, "startup: %s: run %d: marker not seen\n", k->name,
					r + 1);
				failed = 1;
				continue;
			}
			k->ms[k->nok] = ms;
			k->done[k->nok++] = done;
		}
	}

	printf("startup: fork to the first screen on an 80x24 pty, TERM=xterm-256color, "
	       "LANG=zh_CN.UTF-8, %d runs each (interleaved, after 1 warm-up)\n", runs);
	printf("  marker = the title seen; complete = last byte before %.0f ms of quiet\n",
	       quiet_ms);
	printf("  %-8s %-9s %8s %8s %8s %8s\n", "case", "until", "min", "median", "p90", "max");
	for (int c = 0; c < ncases; c++) {
		struct bench_case *k = &cases[c];

		if (k->nok == 0) {
			printf("  %-8s (no successful run)\n", k->name);
			continue;
		}
		print_row(k->name, "marker", k->ms, k->nok);
		if (quiet_ms > 0)
			print_row(k->name, "complete", k->done, k->nok);
	}
	if (cases[0].nok == 0)
		return 2;
	m0 = median(cases[0].ms, cases[0].nok);
	d0 = quiet_ms > 0 ? median(cases[0].done, cases[0].nok) : m0;
	for (int c = 1; c < ncases; c++) {
		struct bench_case *k = &cases[c];

		if (k->nok == 0)
			continue;
		printf("  ratio %s/%s (median): marker %.2f", cases[0].name, k->name,
		       m0 / median(k->ms, k->nok));
		if (quiet_ms > 0)
			printf(", complete %.2f", d0 / median(k->done, k->nok));
		printf("\n");
	}
	met = m0 <= target && d0 <= target;
	printf("  target: %s median <= %.0f ms: marker %.2f ms, complete %.2f ms: %s\n",
	       cases[0].name, target, m0, d0, met ? "MET" : "MISSED");
	for (int c = 0; c < ncases; c++) {
		free(cases[c].ms);
		free(cases[c].done);
	}
	return failed ? 2 : met ? 0 : 1;
}
