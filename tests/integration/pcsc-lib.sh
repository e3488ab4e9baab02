# A private pcscd with a vsmartcard-vpcd reader for the tests (issue 4).
# pcscd 1.9.9 always listens on /run/pcscd/pcscd.comm, so it runs in a
# mount namespace of its own where the test's directory is bound over
# /run/pcscd; the client library finds it through PCSCLITE_CSOCK_NAME.
# Source after tests/lib.sh. Sets VPCD_PORT, READER.

VICC="$top_builddir/tests/fixtures/vicc-emulator"
VPCD_DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
if ! command -v pcscd >/dev/null || [ ! -e "$VPCD_DRIVER" ] || ! command -v unshare >/dev/null; then
	echo "1..0 # SKIP pcscd or vsmartcard-vpcd is not installed"
	exit 77
fi

start_pcscd() {
	mkdir -p "$TEST_TMP/pcsc/conf.d" "$TEST_TMP/pcsc/run"
	VPCD_PORT=$((20000 + RANDOM % 20000))
	printf 'FRIENDLYNAME "guitai test reader"\nDEVICENAME /dev/null:%d\nLIBPATH %s\nCHANNELID %d\n' \
		"$VPCD_PORT" "$VPCD_DRIVER" "$VPCD_PORT" > "$TEST_TMP/pcsc/conf.d/vpcd"
	unshare -m sh -c 'mount --bind "$1" /run/pcscd && exec pcscd -f -c "$2"' sh \
		"$TEST_TMP/pcsc/run" "$TEST_TMP/pcsc/conf.d" > "$TEST_TMP/pcsc/pcscd.log" 2>&1 &
	PCSCD_PID=$!
	TEST_PIDS+=("$PCSCD_PID")
	export PCSCLITE_CSOCK_NAME="$TEST_TMP/pcsc/run/pcscd.comm"
	READER="guitai test reader 00 00"
	for _ in $(seq 100); do
		[ -S "$PCSCLITE_CSOCK_NAME" ] && return 0
		kill -0 "$PCSCD_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "1..0 # SKIP cannot start a private pcscd (mount namespace refused?)"
	exit 77
}

# insert_card [ATR]: the emulator connects as the card; CARD_PID.
insert_card() {
	"$VICC" --port "$VPCD_PORT" ${1:+--atr "$1"} >"$TEST_TMP/vicc.log" 2>&1 &
	CARD_PID=$!
	TEST_PIDS+=("$CARD_PID")
}

remove_card() {
	kill "$CARD_PID" 2>/dev/null
	wait "$CARD_PID" 2>/dev/null
}
