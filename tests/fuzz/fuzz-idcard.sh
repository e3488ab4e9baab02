#!/bin/bash
# Fuzz smoke test for the ID-card frame parser and text decoder (TAP).
# 1. Replays the seed corpus through the plain (gcc) build of fuzz_idcard.
# 2. When clang with libFuzzer is installed, builds the same target with
#    -fsanitize=fuzzer,address,undefined and runs FUZZ_RUNS iterations
#    (default 20000) from the seeds; otherwise the check is skipped.
# Longer on demand: FUZZ_RUNS=0 FUZZ_SECONDS=600 tests/fuzz/fuzz-idcard.sh
# (0 runs = unlimited, bounded by FUZZ_SECONDS); KEEP_TEST_TMP=1 keeps the
# binary and the grown corpus in the printed temporary directory.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

SEEDS="$top_srcdir/tests/fuzz/corpus/idcard"
RUNS=${FUZZ_RUNS:-20000}
SECONDS_MAX=${FUZZ_SECONDS:-120}

out=$("$top_builddir/tests/fuzz/fuzz_idcard" "$SEEDS" 2>&1)
rc=$?
diag "$out"
check "seed corpus replays cleanly" test "$rc" -eq 0
case $out in
*"replayed 0 inputs"*) not_ok "seed corpus is not empty" ;;
*) ok "seed corpus is not empty" ;;
esac

CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1 ||
   ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){(void)d;(void)n;return 0;}' |
	"$CLANG" -x c -fsanitize=fuzzer -o "$TEST_TMP/probe" - >/dev/null 2>&1; then
	ok "# SKIP libFuzzer build (no clang with -fsanitize=fuzzer)"
	ok "# SKIP libFuzzer run"
	done_testing
	exit
fi

src=$top_srcdir
bin="$TEST_TMP/fuzz_idcard"
if "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-DGUITAI_LIBFUZZER -I"$top_builddir" -I"$src" -I"$src/src" \
	"$src/tests/fuzz/fuzz_idcard.c" \
	"$src/src/idcard/frame.c" "$src/src/idcard/text.c" "$src/src/idcard/verify.c" \
	"$src/src/idcard/reader.c" "$src/src/idcard/serial.c" \
	"$src/src/model/val.c" "$src/src/util/str.c" "$src/src/util/err.c" \
	-o "$bin" 2>"$TEST_TMP/build.log"; then
	ok "libFuzzer build with clang"
else
	diag "$(cat "$TEST_TMP/build.log")"
	not_ok "libFuzzer build with clang"
	done_testing
	exit
fi

mkdir -p "$TEST_TMP/corpus"
diag "fuzzing: runs=$RUNS max_total_time=$SECONDS_MAX in $TEST_TMP"
if "$bin" -runs="$RUNS" -max_total_time="$SECONDS_MAX" -max_len=4096 -seed=1 \
	"$TEST_TMP/corpus" "$SEEDS" >"$TEST_TMP/fuzz.log" 2>&1; then
	diag "$(tail -n 3 "$TEST_TMP/fuzz.log")"
	ok "libFuzzer: $RUNS runs without a crash, leak or hang"
else
	diag "$(tail -n 40 "$TEST_TMP/fuzz.log")"
	not_ok "libFuzzer: $RUNS runs without a crash, leak or hang"
fi
done_testing
