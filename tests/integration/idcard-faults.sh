#!/bin/bash
# `idcard read` against a faulty reader: no card, the card lifted mid-read
# (for good, and put back), a bad checksum (every time, and once), a cut-off
# frame (every time, and once), garbage before every answer, slow answers
# (within and beyond the timeout), an unauthorised SAM, expired cards; and
# the simulator stopping cleanly on SIGTERM. A failure must exit non-zero
# with the reader's message, quickly, never hang.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integration/idcard-lib.sh"
diag "idcard command: $IDCARD_CLI"
R="$CARDS/resident.ini"

# elapsed_ms CMD...: runs read_card with the arguments, sets MS.
timed_read() {
	local t0 t1
	t0=$(date +%s%N)
	read_card "$@"
	t1=$(date +%s%N)
	MS=$(( (t1 - t0) / 1000000 ))
}

start_sim --card "$R" --fault no-card
timed_read --wait 1
check "no card: exit 1" test "$RC" -eq 1
check "no card: says to place the card" err_has "No card on the reader"
check "no card: gives up after --wait (${MS} ms)" test "$MS" -lt 3000
stop_sim

start_sim --no-pace
read_card --wait 1
check "no card file at all: exit 1" test "$RC" -eq 1
stop_sim

start_sim --card "$R" --fault lifted
timed_read --wait 1 --timeout 500
check "lifted for good: exit 1" test "$RC" -eq 1
check "lifted for good: says the card moved" err_has "moved or lifted"
check "lifted for good: no further read once gone" test "$(grep -c '^30 01$' "$SIM_LOG")" -eq 1
stop_sim

start_sim --card "$R" --fault lifted --fault-count 1 --lift-ms 400
read_card --wait 1
check "lifted and put back: read" test "$RC" -eq 0
check "lifted and put back: name" has "李明"
check "lifted and put back: read twice" test "$(grep -c '^30 01$' "$SIM_LOG")" -eq 2
stop_sim

start_sim --card "$R" --fault checksum
timed_read --timeout 2000
check "bad checksum: exit 1" test "$RC" -eq 1
check "bad checksum: says so" err_has "checksum"
check "bad checksum: retried" test "$(grep -c '^30 01$' "$SIM_LOG")" -eq 3
check "bad checksum: fails at once, not at the deadline (${MS} ms)" test "$MS" -lt 2500
stop_sim

start_sim --card "$R" --fault checksum --fault-count 1
read_card
check "one bad checksum: retried and read" test "$RC" -eq 0
stop_sim

start_sim --card "$R" --fault truncated
timed_read --timeout 300
check "truncated: exit 1" test "$RC" -eq 1
check "truncated: says the answer was cut off" err_has "cut off"
check "truncated: bounded by the timeouts (${MS} ms)" test "$MS" -lt 4000
stop_sim

start_sim --card "$R" --fault truncated --fault-count 1
read_card --timeout 300
check "one truncated frame: retried and read" test "$RC" -eq 0
stop_sim

start_sim --card "$R" --fault garbage
read_card --json
check "garbage before every answer: resynchronised" test "$RC" -eq 0
check "garbage: data intact" has '"name": "李明"'
stop_sim

start_sim --card "$R" --fault slow --delay 150
read_card --timeout 1000
check "slow within the timeout: read" test "$RC" -eq 0
stop_sim

start_sim --card "$R" --fault slow --delay 1500
timed_read --timeout 300
check "slow beyond the timeout: exit 1" test "$RC" -eq 1
check "slow beyond the timeout: reader does not answer" err_has "does not answer"
check "slow beyond the timeout: bounded (${MS} ms)" test "$MS" -lt 2000
stop_sim

start_sim --card "$R" --fault sam-unauth
read_card
check "SAM not authorised (66): exit 1" test "$RC" -eq 1
check "SAM not authorised (66): says so" err_has "not authorised"
OUT=$("$IDCARD_CLI" --config "$IDCARD_CONF" idcard status --device "$SIM_DEV" 2>&1)
check "SAM not authorised: status fails too" test $? -eq 1
stop_sim

start_sim --card "$R" --fault expired
read_card
check "expired (fault): exit 3" test "$RC" -eq 3
check "expired (fault): refused with the date" err_has "expired on 2020-01-01"
check "expired (fault): nothing printed as read" test -z "$OUT"
stop_sim

start_sim --card "$CARDS/expired.ini"
read_card --json
check "expired card file: exit 3" test "$RC" -eq 3
check "expired card file: cannot be used to apply" err_has "cannot be used to apply"
stop_sim

start_sim --card "$R" --fault garbage --fault checksum --fault-count 1 --fault slow --delay 50
read_card
check "several faults at once, each once: read" test "$RC" -eq 0
stop_sim

start_sim --card "$R"
kill -TERM "$SIM_PID"
wait "$SIM_PID"
check "simulator exits 0 on SIGTERM" test $? -eq 0

done_testing
