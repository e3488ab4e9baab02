/* The external CA helper with certmonger's submit-helper contract; see
 * ca.h and PRACTICE.md. The helper is run with execve (argv split at
 * blanks from [ca] helper, never a shell); the request goes in through
 * the environment, the answer comes back as the exit status and stdout. */
#include "config.h"
#include "ca/ca.h"
#include "util/i18n.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CA_HELPER_ARGS 16
#define CA_HELPER_OUT (64 * 1024)
#define CA_HELPER_TIMEOUT_MS 60000

extern char **environ;

/* Split the command line at blanks into argv (pointers into buf). */
static int ca_helper_argv(const char *cmdline, char *buf, size_t size, char **argv)
{
	int n = 0;

	if (str_copy(buf, size, cmdline))
		return -1;
	for (char *tok = strtok(buf, " \t"); tok != NULL && n < CA_HELPER_ARGS - 1;
	     tok = strtok(NULL, " \t"))
		argv[n++] = tok;
	argv[n] = NULL;
	return n > 0 ? 0 : -1;
}

/* The environment of the helper: ours minus any CERTMONGER_ variables,
 * plus the request's. Strings in extra are borrowed. */
static char **ca_helper_env(char *const *extra, size_t nextra)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + nextra + 1, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CERTMONGER_", 11) != 0)
			env[k++] = environ[i];
	for (size_t i = 0; i < nextra; i++)
		if (extra[i] != NULL)
			env[k++] = extra[i];
	env[k] = NULL;
	return env;
}

/* Run argv with env; collect stdout into out (NUL-terminated). Returns the
 * exit status, or -1 (err set) when it could not run or was killed. */
static int ca_helper_exec(char **argv, char **env, char *out, size_t size, struct gt_err *err)
{
	int pipefd[2], status = 0;
	size_t len = 0;
	long long waited = 0;
	pid_t pid;

	if (pipe(pipefd) != 0)
		return err_set(err, _("CA helper: %s"), strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return err_set(err, _("CA helper: %s"), strerror(errno));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		struct pollfd p = { pipefd[0], POLLIN, 0 };
		ssize_t r;
		int pr = poll(&p, 1, 200);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			waited += 200;
			if (waited >= CA_HELPER_TIMEOUT_MS) {
				kill(pid, SIGKILL);
				break;
			}
			continue;
		}
		r = read(pipefd[0], out + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len >= size - 1)
			break;
	}
	out[len] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status))
		return err_set(err, _("CA helper %s did not finish"), argv[0]);
	if (WEXITSTATUS(status) == 127)
		return err_set(err, _("CA helper %s could not be run"), argv[0]);
	return WEXITSTATUS(status);
}

int ca_helper_run(const char *cmdline, const char *op, const struct ca_request *req,
		  const char *cookie, struct ca_answer *ans, struct gt_err *err)
{
	char argbuf[PATH_MAX + 256], *argv[CA_HELPER_ARGS], *extra[4] = { NULL };
	char **env = NULL, *out = NULL, *pem = NULL;
	BIO *mem = NULL;
	long pemlen;
	int code, rc = -1;

	memset(ans, 0, sizeof(*ans));
	if (ca_helper_argv(cmdline, argbuf, sizeof(argbuf), argv) != 0)
		return err_set(err, _("bad [ca] helper: %s"), cmdline);
	mem = BIO_new(BIO_s_mem());
	out = malloc(CA_HELPER_OUT);
	if (mem == NULL || out == NULL || !PEM_write_bio_X509_REQ(mem, req->csr)) {
		err_set(err, _("out of memory"));
		goto cleanup;
	}
	pemlen = BIO_get_mem_data(mem, &pem);
	if (asprintf(&extra[0], "CERTMONGER_OPERATION=%s", op) < 0 ||
	    asprintf(&extra[1], "CERTMONGER_CSR=%.*s", (int)pemlen, pem) < 0 ||
	    asprintf(&extra[2], "CERTMONGER_CA_NICKNAME=guitai") < 0 ||
	    (cookie != NULL && asprintf(&extra[3], "CERTMONGER_CA_COOKIE=%s", cookie) < 0)) {
		err_set(err, _("out of memory"));
		goto cleanup;
	}
	env = ca_helper_env(extra, 4);
	if (env == NULL) {
		err_set(err, _("out of memory"));
		goto cleanup;
	}
	code = ca_helper_exec(argv, env, out, CA_HELPER_OUT, err);
	if (code < 0)
		goto cleanup;
	switch (code) {
	case 0: {
		BIO *in = BIO_new_mem_buf(out, -1);

		ans->cert = in != NULL ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
		BIO_free(in);
		if (ans->cert == NULL) {
			err_set(err, "%s", _("CA helper said issued but gave no certificate"));
			goto cleanup;
		}
		ans->status = CA_ISSUED;
		break;
	}
	case 1:
	case 5: {
		char *cook = out;

		ans->status = CA_WAIT;
		if (code == 5) {
			ans->delay = atoi(out);
			cook = strchr(out, '\n');
			cook = cook != NULL ? cook + 1 : out + strlen(out);
		}
		cook[strcspn(cook, "\r\n")] = '\0';
		str_copy(ans->cookie, sizeof(ans->cookie), cook);
		break;
	}
	case 2:
		ans->status = CA_REJECTED;
		break;
	case 3:
		ans->status = CA_UNREACHABLE;
		break;
	case 4:
		ans->status = CA_UNCONFIGURED;
		break;
	default:
		err_set(err, _("CA helper answered %d, which the contract does not know"), code);
		goto cleanup;
	}
	if (ans->status != CA_ISSUED && ans->status != CA_WAIT) {
		str_copy(ans->msg, sizeof(ans->msg), out);
		str_trim(ans->msg);
		for (char *p = ans->msg; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
	}
	rc = 0;
cleanup:
	free(env);
	for (int i = 0; i < 4; i++)
		free(extra[i]);
	free(out);
	BIO_free(mem);
	return rc;
}

X509 *ca_helper_roots(const char *cmdline)
{
	char argbuf[PATH_MAX + 256], *argv[CA_HELPER_ARGS], *extra[1];
	char **env, *out = malloc(CA_HELPER_OUT);
	X509 *root = NULL;
	BIO *in;

	if (out == NULL || ca_helper_argv(cmdline, argbuf, sizeof(argbuf), argv) != 0) {
		free(out);
		return NULL;
	}
	extra[0] = (char *)"CERTMONGER_OPERATION=FETCH-ROOTS";
	env = ca_helper_env(extra, 1);
	if (env != NULL && ca_helper_exec(argv, env, out, CA_HELPER_OUT, NULL) == 0) {
		/* "nickname\nPEM..." — the PEM reader skips the name line. */
		in = BIO_new_mem_buf(out, -1);
		root = in != NULL ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
		BIO_free(in);
	}
	free(env);
	free(out);
	return root;
}
