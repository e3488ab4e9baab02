# Shared helpers for guitai's shell tests: TAP output, a private temporary
# directory per test, and a config that points every path into it.
# Source it, call the checks, and end with `done_testing`.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
GUITAI="$top_builddir/guitai"
# The messages the tests built from po/, so zh_CN works uninstalled.
export GUITAI_LOCALEDIR="$top_builddir/tests/locale"
TAP_N=0
TAP_FAILED=0

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/guitai-test.XXXXXX")
# Processes a test starts are listed here and stopped by PID on exit.
TEST_PIDS=()
# Commands to run at exit (e.g. stopping a private tmux server).
TEST_CLEANUP=()
cleanup_test() {
	for c in "${TEST_CLEANUP[@]:-}"; do
		[ -n "$c" ] && eval "$c" >/dev/null 2>&1
	done
	for pid in "${TEST_PIDS[@]:-}"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	[ -n "${KEEP_TEST_TMP:-}" ] || rm -rf "$TEST_TMP"
}
trap cleanup_test EXIT

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

# check "description" command args...: passes when the command exits 0.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# diag: a comment line for the log only.
diag() {
	printf '# %s\n' "$@"
}

# A config file with every path inside TEST_TMP; an argument, when given, is
# appended as extra INI text.
write_config() {
	local conf="$TEST_TMP/guitai.conf"
	cat > "$conf" <<CONF
[terminal]
id = T01
site = 测试受理点
[paths]
data_dir = $TEST_TMP/data
[data]
catalog = $top_srcdir/data/catalog.ini
regions = $top_srcdir/data/regions.tsv
[log]
file = $TEST_TMP/guitai.log
CONF
	if [ $# -gt 0 ]; then printf '%s\n' "$1" >> "$conf"; fi
	echo "$conf"
}

# An operator for the UI tests: demo / demo1234.
add_demo_operator() {
	printf 'demo1234\n' | "$GUITAI" -c "$1" operator add demo --role supervisor --password-file -
}

# run ARGS: guitai with the test's $conf; its output in $OUT and $ERR, its
# exit status in $RC. rc_is N, err_has TEXT, out_has TEXT check them and
# say what was there when they fail. Tests that need other forms (a
# regular expression, a clean-stderr check) define their own after
# sourcing this file.
OUT="$TEST_TMP/out"
ERR="$TEST_TMP/err"
RC=0
run() {
	"$GUITAI" -c "$conf" "$@" > "$OUT" 2> "$ERR"
	RC=$?
}
rc_is() {
	[ "$RC" -eq "$1" ] && return 0
	diag "exit status $RC, expected $1" "stdout:" "$(cat "$OUT")" "stderr:" "$(cat "$ERR")"
	return 1
}
err_has() { grep -qF -- "$1" "$ERR" || { diag "stderr lacks: $1" "$(cat "$ERR")"; return 1; }; }
out_has() { grep -qF -- "$1" "$OUT" || { diag "stdout lacks: $1" "$(cat "$OUT")"; return 1; }; }

# write_app FILE [EXTRA]: the batch example the tests share
# (tests/fixtures/app-org.ini), then EXTRA (INI text: sections it lacks).
write_app() {
	cat "$top_srcdir/tests/fixtures/app-org.ini" > "$1" &&
		if [ -n "${2:-}" ]; then printf '%s\n' "$2" >> "$1"; fi
}

# write_min_app FILE [EXTRA]: the shortest valid application
# (tests/fixtures/app-min.ini, no payment), then EXTRA.
write_min_app() {
	cat "$top_srcdir/tests/fixtures/app-min.ini" > "$1" &&
		if [ -n "${2:-}" ]; then printf '%s\n' "$2" >> "$1"; fi
}

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# zh MSGID: the zh_CN translation of a message, from the catalogue the
# tests built, so tests follow wording changes in the .po file.
zh() {
	LC_ALL=zh_CN.UTF-8 LANGUAGE=zh_CN TEXTDOMAINDIR="$GUITAI_LOCALEDIR" gettext -d guitai -- "$1"
}
