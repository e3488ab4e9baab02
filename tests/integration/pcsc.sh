#!/usr/bin/env bash
# Key insertion through pcsc-lite (issue 4): a private pcscd with a vpcd
# reader, our card emulator inserting and removing a key; the ATR is
# matched against the token catalogue; an unknown ATR is an unsupported
# key model shown with its ATR; a key in the reader is personalised
# through the catalogue's module (SoftHSM2 for the virtual key).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/token-lib.sh"
. "$top_srcdir/tests/integration/pcsc-lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE= GUITAI_QUIET=1

start_pcscd
new_softhsm
conf=$(token_config)
OUT="$TEST_TMP/out"
readers() { "$GUITAI" -c "$conf" token readers "$@" > "$OUT" 2>&1; }
# until_empty: vpcd notices a closed connection on its next poll.
until_empty() {
	for _ in $(seq 50); do
		readers
		grep -q "^$READER	empty" "$OUT" && return 0
		sleep 0.1
	done
	return 1
}

readers
check "the reader is listed, empty" grep -q "^$READER	empty" "$OUT"

insert_card
readers --wait 5
check "key inserted: card with its ATR, catalogued model" \
	grep -q "^$READER	card	3B:8A:80:01:47:55:49:54:41:49:2D:4B:45:59:5D	guitai test key (virtual)$" "$OUT"

remove_card
check "key removed: the reader is empty again" until_empty

insert_card 3B:02:14:50
readers --wait 5
check "unknown ATR: unsupported key model, ATR shown" \
	grep -q "^$READER	card	3B:02:14:50	unsupported key model$" "$OUT"
remove_card
until_empty

# --wait: insertion while waiting ends the wait.
( sleep 0.5; "$VICC" --port "$VPCD_PORT" >/dev/null 2>&1 & echo $! > "$TEST_TMP/late.pid" ) &
readers --wait 10
TEST_PIDS+=("$(cat "$TEST_TMP/late.pid" 2>/dev/null)")
check "a key inserted while waiting is seen" grep -q "^$READER	card" "$OUT"

"$GUITAI" -c "$conf" ca init >/dev/null
printf 'Kq7x2mW9\n' > "$TEST_TMP/pin"
write_app "$TEST_TMP/app.ini"
"$GUITAI" -c "$conf" issue --batch "$TEST_TMP/app.ini" --token "$READER" \
	--pin-file "$TEST_TMP/pin" > "$OUT" 2> "$TEST_TMP/err"
check "issue --token READER personalises the key in that reader" \
	eval '[ $? -eq 0 ] && grep -q "^SHA-256: " "$OUT" && clean_stderr "$TEST_TMP/err"'

kill "$PCSCD_PID" 2>/dev/null
wait "$PCSCD_PID" 2>/dev/null
readers
check "pcscd stopped: a clear message, exit 1" grep -q "smart-card service" "$OUT"

done_testing
