/* Fuzz target for everything a reader's bytes reach before a person sees
 * them: the frame scanner (as a stream, with resync), the 30 01 / 30 10
 * payload parser, the 256-byte text decoder for all four layouts, the
 * UCS-2 converter and the card checks. Decoded text must come out as valid
 * UTF-8 without control characters; anything else aborts.
 *
 * Built two ways:
 *   - with libFuzzer (clang -fsanitize=fuzzer -DGUITAI_LIBFUZZER), as
 *     tests/fuzz/fuzz-idcard.sh does when clang is installed;
 *   - as a plain program (gcc, `make check`) that replays files and
 *     directories given on the command line, e.g. the seed corpus
 *     tests/fuzz/corpus/idcard/.
 *
 * Longer runs on demand, from the build tree:
 *   FUZZ_RUNS=0 FUZZ_SECONDS=600 tests/fuzz/fuzz-idcard.sh
 * or by hand after one run of the script has built it:
 *   $TMP/fuzz_idcard -max_total_time=3600 -max_len=4096 CORPUS_DIR SEEDS */
#include "config.h"
#include "idcard/frame.h"
#include "idcard/reader.h"
#include "idcard/text.h"
#include "idcard/verify.h"
#include "util/str.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_text(const char *s)
{
	if (!str_utf8_valid(s) || str_has_control(s))
		abort();
}

static void fuzz_check_record(const struct idc_text *t)
{
	fuzz_check_text(t->name);
	fuzz_check_text(t->name_en);
	fuzz_check_text(t->gender);
	fuzz_check_text(t->nation);
	fuzz_check_text(t->birth);
	fuzz_check_text(t->address);
	fuzz_check_text(t->number);
	fuzz_check_text(t->authority);
	fuzz_check_text(t->valid_from);
	fuzz_check_text(t->valid_to);
	fuzz_check_text(t->pass_number);
	fuzz_check_text(t->issue_count);
	fuzz_check_text(t->nationality);
	fuzz_check_text(t->card_version);
	fuzz_check_text(t->agency_code);
	fuzz_check_text(t->previous_link);
}

static void fuzz_text(const uint8_t *p, size_t n)
{
	struct idc_text t;
	char norm[32];

	if (idc_text_decode(p, n, &t, NULL) != 0)
		return;
	fuzz_check_record(&t);
	(void)idc_text_nation_name(t.nation);
	(void)idc_text_gender_name(t.gender);
	(void)idc_verify(&t, 20261121, norm, sizeof(norm), NULL);
}

/* Feed the bytes as a stream in uneven pieces, the way a serial line
 * delivers them, and take every frame apart. */
static void fuzz_stream(const uint8_t *data, size_t size, size_t min_body)
{
	static uint8_t buf[2 * IDC_FRAME_MAX];
	static struct idc_record rec;
	size_t n = 0, pos = 0, step = 1;

	while (pos < size || n > 0) {
		struct idc_frame f;
		size_t used = 0, take = size - pos;
		enum idc_frame_scan s;

		if (take > step)
			take = step;
		if (take > sizeof(buf) - n)
			take = sizeof(buf) - n;
		memcpy(buf + n, data + pos, take);
		n += take;
		pos += take;
		step = (step * 3 + 1) % 97 + 1;
		s = idc_frame_scan(buf, n, min_body, &f, &used);
		if (used > n || (s == IDC_FRAME_OK && f.offset + f.total > n))
			abort();
		if (s == IDC_FRAME_OK && f.body_len > 3) {
			if (idc_reader_parse_read(f.body + 3, f.body_len - 3, f.body[1] & 1, &rec,
						  NULL) == 0)
				fuzz_check_record(&rec.text);
		}
		if (s != IDC_FRAME_NEED_MORE && used == 0)
			abort(); /* no progress: would loop forever */
		memmove(buf, buf + used, n - used);
		n -= used;
		if (s == IDC_FRAME_NEED_MORE && pos >= size)
			break;
		if (n == sizeof(buf))
			n = 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[600];

	fuzz_stream(data, size, 3);
	fuzz_stream(data, size, 2);
	fuzz_text(data, size);
	if (size > 8)
		fuzz_text(data + 8, size - 8);
	idc_text_ucs2_to_utf8(data, size < 400 ? size : 400, out, sizeof(out));
	fuzz_check_text(out);
	return 0;
}

#ifndef GUITAI_LIBFUZZER
static int fuzz_replay_file(const char *path)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

static int fuzz_replay(const char *path, int *count)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return fuzz_replay_file(path);
	}
	d = opendir(path);
	if (d == NULL) {
		perror(path);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char sub[4096];

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= (int)sizeof(sub))
			continue;
		if (fuzz_replay(sub, count) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	int count = 0, rc = 0;

	for (int i = 1; i < argc; i++)
		if (fuzz_replay(argv[i], &count) != 0)
			rc = 1;
	printf("fuzz_idcard: replayed %d inputs\n", count);
	return rc;
}
#endif
