#!/usr/bin/env bash
# The CA behind certmonger's submit-helper contract (issue 4): Debian
# certmonger's real /usr/lib/certmonger/local-submit issues; helpers of ours
# answer "wait, poll later" (exit 1 and exit 5 with a delay) and then
# issue, or reject (exit 2). The personalisation follows each answer.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/token-lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE= GUITAI_QUIET=1

LOCAL_SUBMIT=/usr/lib/certmonger/local-submit
if [ ! -x "$LOCAL_SUBMIT" ]; then
	echo "1..0 # SKIP certmonger is not installed"
	exit 77
fi
mkdir -p "$TEST_TMP/lsca"
printf 'Kq7x2mW9\n' > "$TEST_TMP/pin"
write_app "$TEST_TMP/app.ini"
OUT="$TEST_TMP/out"
ERR="$TEST_TMP/err"

# A helper that asks to wait (exit $1, cookie) on SUBMIT, then issues
# through local-submit when polled with its cookie.
waiter() {
	cat > "$TEST_TMP/wait$1.sh" <<SH
#!/bin/sh
case "\$CERTMONGER_OPERATION" in
SUBMIT)
	echo submit >> "$TEST_TMP/wait$1.calls"
	[ "$1" = 5 ] && echo 1
	echo "cookie-$1"; exit $1 ;;
POLL)
	echo "poll \$CERTMONGER_CA_COOKIE" >> "$TEST_TMP/wait$1.calls"
	[ "\$CERTMONGER_CA_COOKIE" = "cookie-$1" ] || { echo "bad cookie"; exit 2; }
	CERTMONGER_OPERATION=SUBMIT exec $LOCAL_SUBMIT -d $TEST_TMP/lsca ;;
*)
	exec $LOCAL_SUBMIT -d $TEST_TMP/lsca ;;
esac
SH
	chmod +x "$TEST_TMP/wait$1.sh"
}
cat > "$TEST_TMP/reject.sh" <<'SH'
#!/bin/sh
[ "$CERTMONGER_OPERATION" = SUBMIT ] || exit 6
echo "policy: this organisation is not enrolled"
exit 2
SH
chmod +x "$TEST_TMP/reject.sh"

# personalise HELPER: a fresh key and a fresh config using that helper.
personalise() {
	new_softhsm "$2"
	conf=$(token_config "[ca]
backend = helper
helper = $1
poll_seconds = 1
wait_seconds = 30")
	"$GUITAI" -c "$conf" issue --batch "$TEST_TMP/app.ini" --token auto \
		--pin-file "$TEST_TMP/pin" > "$OUT" 2> "$ERR"
	RC=$?
	APPNO=$(head -1 "$OUT")
}

personalise "$LOCAL_SUBMIT -d $TEST_TMP/lsca" 1
check "certmonger local-submit issues: exit 0" eval '[ "$RC" -eq 0 ] && clean_stderr "$ERR" || { cat "$ERR"; false; }'
"$GUITAI" -c "$conf" token info --label "$APPNO" > "$TEST_TMP/info"
check "... the certificate on the key, with local-submit's CA as chain" \
	eval 'grep -q "^certificate: 深圳市测试科技有限公司" "$TEST_TMP/info" && grep -q "^certificate: Local Signing Authority" "$TEST_TMP/info"'
"$GUITAI" -c "$conf" ca list "$APPNO" > "$TEST_TMP/list"
check "... recorded as issued by the helper backend" grep -q "	valid	.*	helper	" "$TEST_TMP/list"

for code in 1 5; do
	waiter "$code"
	personalise "$TEST_TMP/wait$code.sh" "w$code"
	check "helper answers wait (exit $code): polled with its cookie, then issued" \
		eval '[ "$RC" -eq 0 ] && grep -q "^submit$" "$TEST_TMP/wait$code.calls" &&
		      grep -q "^poll cookie-$code$" "$TEST_TMP/wait$code.calls" || { cat "$ERR"; false; }'
done
"$GUITAI" -c "$conf" audit list --limit 100 > "$TEST_TMP/audit"
check "the wait answer is in the audit trail" grep -q "ca.answer.*helper: wait" "$TEST_TMP/audit"

personalise "$TEST_TMP/reject.sh" r
check "helper rejects (exit 2): personalisation stops with the CA's words" \
	eval '[ "$RC" -eq 1 ] && grep -q "this organisation is not enrolled" "$ERR"'
check "... nothing issued" eval '[ -z "$("$GUITAI" -c "$conf" ca list "$APPNO")" ]'
check "... the application waits in token pending" eval '"$GUITAI" -c "$conf" token pending | grep -qx "$APPNO"'
"$GUITAI" -c "$conf" token personalise "$APPNO" --rollback > "$OUT" 2> "$ERR"
check "... and rolls back cleanly" eval '[ $? -eq 0 ] && [ -z "$("$GUITAI" -c "$conf" token pending)" ]'
"$GUITAI" -c "$conf" audit list --limit 200 > "$TEST_TMP/audit"
check "the rejection is in the audit trail" grep -q "ca.answer.*rejected: policy" "$TEST_TMP/audit"

done_testing
