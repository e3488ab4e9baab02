# Helpers for the ID-card integration tests: start the GA 467 simulator on
# a pty and run `idcard read` against it. Source after tests/lib.sh.

IDSIM="$top_builddir/tests/fixtures/idsim"
CARDS="$top_srcdir/tests/fixtures/cards"

# `guitai idcard` once main.c dispatches it; until then the test-only
# driver, which takes the same command line.
if grep -q cmd_idcard_main "$top_srcdir/src/main.c" 2>/dev/null; then
	IDCARD_CLI="$GUITAI"
else
	IDCARD_CLI="$top_builddir/tests/fixtures/idcard_cli"
fi
IDCARD_CONF=$(write_config "[idcard]
timeout_ms = 1000")
SIM_N=0

# start_sim [idsim options...]: sets SIM_DEV and SIM_PID.
start_sim() {
	SIM_N=$((SIM_N + 1))
	local pathfile="$TEST_TMP/sim$SIM_N.path"
	"$IDSIM" --path-file "$pathfile" --log "$TEST_TMP/sim$SIM_N.log" "$@" \
		>"$TEST_TMP/sim$SIM_N.out" 2>"$TEST_TMP/sim$SIM_N.err" &
	SIM_PID=$!
	TEST_PIDS+=("$SIM_PID")
	SIM_LOG="$TEST_TMP/sim$SIM_N.log"
	for _ in $(seq 100); do
		[ -s "$pathfile" ] && break
		kill -0 "$SIM_PID" 2>/dev/null || break
		sleep 0.05
	done
	SIM_DEV=$(cat "$pathfile" 2>/dev/null)
	[ -n "$SIM_DEV" ] || diag "idsim did not start: $(cat "$TEST_TMP/sim$SIM_N.err")"
}

stop_sim() {
	kill -TERM "$SIM_PID" 2>/dev/null
	wait "$SIM_PID" 2>/dev/null
}

# read_card [idcard read options...]: runs against SIM_DEV; output in OUT,
# errors in ERR, exit status in RC.
read_card() {
	OUT=$("$IDCARD_CLI" --config "$IDCARD_CONF" idcard read --device "$SIM_DEV" "$@" \
		2>"$TEST_TMP/err")
	RC=$?
	ERR=$(cat "$TEST_TMP/err")
}

# has "text": OUT contains the text.
has() {
	case $OUT in *"$1"*) return 0 ;; esac
	diag "missing: $1" "output was:" "$OUT"
	return 1
}

# err_has "text": ERR contains the text.
err_has() {
	case $ERR in *"$1"*) return 0 ;; esac
	diag "missing in stderr: $1" "stderr was:" "$ERR"
	return 1
}
