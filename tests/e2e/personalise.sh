#!/usr/bin/env bash
# End to end (issues 4 and 5): the personalisation screen in Chinese at
# 80x24, right after an application is submitted in the wizard, on a blank
# SoftHSM2 key. The screen says which key it is about to initialise; the
# PIN is typed twice and never shows; a PIN against the key's rules gets
# the rule's message; the steps and the progress bar show, and keep being
# drawn while a slow key generates its key pair (our PKCS#11 wrapper,
# tests/fixtures/p11-fault.c, holds C_GenerateKeyPair for 3 s); the end
# shows subject, serial, validity and the SHA-256 fingerprint — checked
# against the certificate read back from the key. Then the seal sheet,
# receipt and hand-over slip go to the private cupsd's cups-pdf queue and
# are followed until completed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e/tmux.sh"
. "$top_srcdir/tests/e2e/perso-lib.sh"

PIN=Kq7x2mW9
export P11FAULT_MODULE="$SOFTHSM_MODULE" P11FAULT_DELAY_CALL=C_GenerateKeyPair P11FAULT_DELAY_MS=3000
perso_setup "module = $top_builddir/tests/fixtures/p11fault.so"
check "CA ready" test -d "$TEST_TMP/data/ca"

start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
check "home menu" wait_for "$(zh 'New issuance')"
check "no unfinished personalisation is announced" \
	not_on_screen "$(zh 'Unfinished key personalisations')："
check "the application is entered and submitted" enter_application
diag "application $app_no"
keys Enter
check "the application form prints" wait_row "$(zh 'Application form')" "$(zh 'printed')" 30
keys Escape
check "the wizard offers to personalise a key" \
	wait_for "$(zh 'Personalise a blank key for this application now?')"
keys y

# Which key, before anything is done to it.
check "the screen says which key it will initialise" wait_for "SoftHSM v2"
check "  for this application, erasing it" \
	sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t ui | tr -d '\n' | grep -qF '$app_no'"
erased=$(zh "$(printf 'Initialise this key for application %%s?\n\n%%s\n\nEverything on it will be erased.')" | tail -n 1)
check "  and that everything on it is erased" wait_for "$erased"
check "  the key is still blank" sh -c "'$GUITAI' -c '$conf' token list | grep -q blank"
keys y

# The PIN: the rules first, then typed twice without echo.
check "the PIN prompt states the key's rules" wait_for "6 至 16"
check "a PIN is typed (the cursor moves past it)" type_secret "111111"
check "  and does not show" not_on_screen "111111"
keys Enter
check "a PIN of one repeated digit gets the rule's message" \
	wait_for "$(zh 'The PIN must not be one character repeated.')"
keys Enter
check "asked again" wait_for "6 至 16"
type_text "123456"
keys Enter
sequence=$(zh 'The PIN must not be a simple sequence such as 123456.')
check "a simple sequence gets its rule's message" wait_for "${sequence:0:8}"
keys Enter
check "asked again after the second refusal" wait_for "6 至 16"
check "the PIN is typed" type_secret "$PIN"
check "  and does not show" not_on_screen "$PIN"
keys Enter
check "asked a second time" wait_for "$(zh 'Type the same PIN again:')"
check "the PIN is typed again" type_secret "$PIN"
check "  and does not show" not_on_screen "$PIN"
keys Enter

# Mid-run, while the key generates: the steps so far, the bar, the clock.
keygen=$(zh 'Generate the key pair on the key')
check "the running step is marked" wait_for "▶ $keygen" 20
screen > "$TEST_TMP/mid.txt"
sed 's/^/#   /' "$TEST_TMP/mid.txt"
for step in 'Find the blank key' 'Initialise the key' 'Set the PIN'; do
	check "  done before it: $step" grep -qF "✓ $(zh "$step")" "$TEST_TMP/mid.txt"
done
check "  the steps after it are not done" sh -c "! grep -qF '✓ $(zh 'CA issues the certificate')' '$TEST_TMP/mid.txt'"
check "  the bar is part filled" grep -qE '\[#+\.+\]' "$TEST_TMP/mid.txt"
secs() { screen | grep -oE "[0-9]+ $(zh '%ld s' | sed 's/%ld //')" | head -n 1 | grep -oE '^[0-9]+'; }
t0=$(secs)
sleep 1.6
t1=$(secs)
check "  the elapsed time goes on while the key works ($t0 s, then $t1 s)" \
	test -n "$t0" -a -n "$t1" -a "${t1:-0}" -gt "${t0:-0}"
check "  the PIN is not on the screen" not_on_screen "$PIN"

# The steps, the progress and the end in one window.
check "the key is personalised" wait_for "$(zh 'The key is personalised and proved.')" 60
screen > "$TEST_TMP/end.txt"
sed 's/^/#   /' "$TEST_TMP/end.txt"
for step in 'Find the blank key' 'Initialise the key' 'Set the PIN' \
	'Generate the key pair on the key' 'Sign the request on the key' \
	'CA issues the certificate' 'Write certificate and chain' 'Prove the key signs'; do
	check "step shown done: $step" grep -qF "✓ $(zh "$step")" "$TEST_TMP/end.txt"
done
check "the progress bar is full" grep -qE '\[#{20,}\]' "$TEST_TMP/end.txt"
check "the elapsed time shows" grep -qE "[0-9]+ $(zh '%ld s' | sed 's/%ld //')" "$TEST_TMP/end.txt"
check "the PIN is not on the screen" not_on_screen "$PIN"
check "subject with the organisation" \
	grep -qE "$(zh 'Subject')：.*深圳市测试科技有限公司|$(zh 'Subject'): .*深圳市测试科技有限公司" "$TEST_TMP/end.txt"

ca_serial=$("$GUITAI" -c "$conf" ca list "$app_no" | awk -F'\t' '$2 == "valid" { print $1 }')
check "the serial shown is the certificate's" grep -qF "$ca_serial" "$TEST_TMP/end.txt"
check "the validity shows both dates" \
	grep -qE "$(zh 'Validity').*20[0-9]{2}-[0-9]{2}-[0-9]{2} .*\.\. 20[0-9]{2}-[0-9]{2}-[0-9]{2}" "$TEST_TMP/end.txt"
shown=$(grep -A1 'SHA-256' "$TEST_TMP/end.txt" | sed 's/.*SHA-256://' |
	grep -oE '([0-9A-F]{2}:)+[0-9A-F]{2}' | tr -d ':\n')
check "the certificate is on the key" key_cert "$app_no" "$TEST_TMP/cert.der"
real=$(openssl x509 -inform DER -in "$TEST_TMP/cert.der" -noout -fingerprint -sha256 2>/dev/null |
	sed 's/.*=//' | tr -d ':')
check "the SHA-256 fingerprint shown is the key's certificate's ($real)" \
	test -n "$real" -a "$shown" = "$real"

# Then the papers of a finished key.
keys Enter
check "the print screen follows" wait_for "$(zh 'Seal-impression sheet')"
for doc in 'Seal-impression sheet' 'Receipt' 'Hand-over slip'; do
	check "$doc printed" wait_row "$(zh "$doc")" "$(zh 'printed')" 40
done
check "cups-pdf wrote the form, seal sheet, receipt and hand-over slip" cups_wait_outputs 4
"$GUITAI" -c "$conf" print "$app_no" --jobs > "$TEST_TMP/jobs.txt"
for doc in application-form seal-sheet receipt handover; do
	check "job of $doc completed" grep -qE "^[0-9]+	$doc	1	.*completed" "$TEST_TMP/jobs.txt"
done
found=
for f in "$CUPS_DIR"/out/*.pdf; do
	pdftotext "$f" - 2>/dev/null | tr -d ' \n' | grep -qF "$ca_serial" && found=$f
done
check "the hand-over slip from the queue carries the certificate serial" test -n "$found"
check "no document file is left in the spool" \
	sh -c "! ls '$CUPS_DIR'/spool/d* > /dev/null 2>&1"
check "the PIN is in no file under the test" no_file_holds "$PIN" "$TEST_TMP"

keys Escape
check "back at the menu" wait_for "$(zh 'New issuance')"
check "nothing unfinished" sh -c "[ -z \"\$('$GUITAI' -c '$conf' token pending)\" ]"
"$GUITAI" -c "$conf" audit verify > /dev/null 2>&1
check "audit trail intact" test $? -eq 0
keys F12
check "F12 leaves" wait_exit
check "exit status 0" grep -qx 0 "$TEST_TMP/ui.exit"
check "no sanitizer report on the terminal" sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t ui -S -200 | grep -qE 'Sanitizer|runtime error'"
cups_stop
done_testing
