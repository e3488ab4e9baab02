#!/usr/bin/env bash
# The hand-over slip after key personalisation (issues 4 and 5): the key
# serial, certificate serial and validity the personalisation recorded
# are printed; before it they are blank (tests/integration/print-docs.sh).
# Runs on a private SoftHSM2 like tests/integration/token.sh.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/token-lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE= GUITAI_QUIET=1

command -v pdftotext >/dev/null || { echo "1..0 # SKIP pdftotext not installed"; exit 0; }
new_softhsm
conf=$(token_config "[print]
templates = $top_srcdir/data/templates")
OUT="$TEST_TMP/out"
ERR="$TEST_TMP/err"
printf 'Kq7x2mW9\n' > "$TEST_TMP/pin"
write_app "$TEST_TMP/app.ini"

"$GUITAI" -c "$conf" ca init > "$OUT" 2> "$ERR"
check "ca init" test $? -eq 0
"$GUITAI" -c "$conf" issue --batch "$TEST_TMP/app.ini" --token auto --pin-file "$TEST_TMP/pin" > "$OUT" 2> "$ERR"
check "application issued on a key" test $? -eq 0
APPNO=$(head -n 1 "$OUT")
SERIAL=$(sed -n 's/^serial: //p' "$OUT")
KEYSERIAL=$(sed -n 's/^key: \([0-9a-f]*\) .*/\1/p' "$OUT")
diag "application $APPNO, certificate $SERIAL, key $KEYSERIAL"

HO="$TEST_TMP/handover.pdf"
"$GUITAI" -c "$conf" print "$APPNO" handover --to "$HO" > "$OUT" 2> "$ERR"
check "hand-over slip written" test $? -eq 0
text=$(pdftotext -layout "$HO" - | tr -d ' \n')
check "the certificate serial is on the slip" grep -qF "证书序列号$SERIAL" <<<"$text"
check "the key serial is on the slip" grep -qF "$KEYSERIAL" <<<"$text"
check "the validity dates are on the slip" \
	bash -c "grep -qE '证书有效期起20[0-9]{2}-[0-9]{2}-[0-9]{2}证书有效期止20[0-9]{2}-[0-9]{2}-[0-9]{2}' <<<'$text'"
done_testing
