# Fuzzing the ID-card frame parser and text decoder. The plain build
# replays the seed corpus under `make check` (with whatever sanitizers the
# tree is configured with); fuzz-idcard.sh also builds a libFuzzer binary
# with clang when it is installed and runs a bounded number of iterations.
check_PROGRAMS += tests/fuzz/fuzz_idcard
tests_fuzz_fuzz_idcard_SOURCES = tests/fuzz/fuzz_idcard.c
tests_fuzz_fuzz_idcard_LDADD = $(GUITAI_LIBS)

TESTS += tests/fuzz/fuzz-idcard.sh
EXTRA_DIST += tests/fuzz/fuzz-idcard.sh tests/fuzz/corpus/idcard
