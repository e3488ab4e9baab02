# Shared helpers for guitai's shell tests: TAP output, a private temporary
# directory per test, and a config that points every path into it.
# Source it, call the checks, and end with `done_testing`.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
GUITAI="$top_builddir/guitai"
TAP_N=0
TAP_FAILED=0

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/guitai-test.XXXXXX")
# Processes a test starts are listed here and stopped by PID on exit.
TEST_PIDS=()
cleanup_test() {
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

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
