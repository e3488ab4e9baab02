#!/usr/bin/env bash
# End to end (issue 4): personalisations left unfinished, finished from the
# home menu. The key module is our fault-injecting PKCS#11 wrapper around
# SoftHSM2 (tests/fixtures/p11-fault.c): its second C_CreateObject — writing
# the certificate, after the CA issued it (the first wrote the CA certificate
# while the key generated its pair) — answers CKR_DEVICE_REMOVED as
# if the key were pulled there.
#   1. Headless, application B stops that way (guitai token personalise).
#   2. In tmux at 80x24, in Chinese: the home screen says one personalisation
#      is unfinished; application A is entered in the wizard and its key
#      stops the same way on screen; guitai is then killed (SIGKILL).
#   3. Started again (the key "back"): the home screen says two are
#      unfinished; K lists them with the step each reached and the
#      certificate issued but not on the key; A is resumed on its key with
#      a new PIN — the certificate issued before the kill is the one written
#      (no second one), and its papers print; B is rolled back — its
#      certificate revoked, its key blank again — on the same progress window.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e/tmux.sh"
. "$top_srcdir/tests/e2e/perso-lib.sh"

FAULT="$top_builddir/tests/fixtures/p11fault.so"
export P11FAULT_MODULE="$SOFTHSM_MODULE"
PIN=Kq7x2mW9
PIN2=Zr5v8pQ3
printf '%s\n' "$PIN" > "$TEST_TMP/pin"
perso_setup "module = $FAULT"
pending=$(zh 'Unfinished key personalisations')

# 1. B, headless: the key pulled while the certificate is written.
write_app "$TEST_TMP/app.ini"
app_b=$("$GUITAI" -c "$conf" issue --batch "$TEST_TMP/app.ini" 2> "$TEST_TMP/batch.err")
check "application B submitted headless" test -n "$app_b"
P11FAULT_FAIL_CALL=C_CreateObject#2 GUITAI_QUIET=1 "$GUITAI" -c "$conf" token personalise "$app_b" \
	--pin-file "$TEST_TMP/pin" > /dev/null 2> "$TEST_TMP/b.err"
check "B stops when the key is pulled at the write (exit 1)" test $? -eq 1
serial_b=$("$GUITAI" -c "$conf" ca list "$app_b" | awk -F'\t' '$2 == "valid" { print $1 }')
check "  after the CA issued its certificate" test -n "$serial_b"
check "  and it is pending" sh -c "'$GUITAI' -c '$conf' token pending | grep -qx '$app_b'"

# 2. A, on screen, with the same fault; then the program is killed.
export P11FAULT_FAIL_CALL=C_CreateObject#2
start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
check "home menu" wait_for "$(zh 'New issuance')"
notice1=$(printf "$(zh '! %d key personalisation(s) unfinished: K resumes or rolls them back.')" 1)
check "the home screen says one personalisation is unfinished" wait_for "$notice1"
check "application A entered and submitted" enter_application
app_a=$app_no
diag "A $app_a, B $app_b"
keys Enter
check "A's form prints" wait_row "$(zh 'Application form')" "$(zh 'printed')" 30
keys Escape
wait_for "$(zh 'Personalise a blank key for this application now?')" > /dev/null
keys y
check "A: the blank key is shown" wait_for "SoftHSM v2"
keys y
wait_for "6 至 16" > /dev/null
type_text "$PIN"
keys Enter
wait_for "$(zh 'Type the same PIN again:')" > /dev/null
type_text "$PIN"
keys Enter
stopped=$(zh 'Stopped: %s The steps done are kept: K on the home menu resumes or rolls back.')
check "A stops on screen when the key is pulled" wait_for "${stopped:0:3}" 60
check "  marking the step it stopped at" wait_for "✗ $(zh 'Write certificate and chain')"
tail=$(echo "${stopped#*%s}" | tr -d ' ')
check "  and says where to resume it" \
	sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t ui | sed 's/│//g' | tr -d ' \n' | grep -qF '$tail'"
serial_a=$("$GUITAI" -c "$conf" ca list "$app_a" | awk -F'\t' '$2 == "valid" { print $1 }')
check "A's certificate was issued before the stop" test -n "$serial_a"
pid=$(ui_pid)
check "guitai is killed (SIGKILL)" kill -KILL "$pid"
check "  and gone" sh -c "for i in \$(seq 50); do kill -0 $pid 2>/dev/null || exit 0; sleep 0.1; done; exit 1"
check "both are pending" test "$("$GUITAI" -c "$conf" token pending | sort | tr '\n' ' ')" = \
	"$(printf '%s\n' "$app_a" "$app_b" | sort | tr '\n' ' ')"
"$GUITAI" -c "$conf" token pending --details > "$TEST_TMP/details.txt"
check "headless, the same list: A stopped at the write, its certificate not on the key" \
	grep -qE "^$app_a	write	begun	[0-9a-f]+	$serial_a	not-on-key	1	" "$TEST_TMP/details.txt"

# 3. Started again with the key back.
unset P11FAULT_FAIL_CALL
tm set-environment -g -u P11FAULT_FAIL_CALL
start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
notice2=$(printf "$(zh '! %d key personalisation(s) unfinished: K resumes or rolls them back.')" 2)
check "after log-in the home screen says two are unfinished" wait_for "$notice2"
check "the menu has the entry" wait_for "K  $pending"
keys k
check "K lists the unfinished ones" wait_for "$(zh 'Resume finishes on the key (insert it); roll back revokes what was issued.')"
screen > "$TEST_TMP/list.txt"
sed 's/^/#   /' "$TEST_TMP/list.txt"
check "  A is listed" grep -qF "$app_a" "$TEST_TMP/list.txt"
check "  B is listed" grep -qF "$app_b" "$TEST_TMP/list.txt"
issued_not=$(printf "$(zh 'certificate %s issued, not on the key yet')" "$serial_a")
check "  A: its certificate issued, not on the key yet" grep -qF "$issued_not" "$TEST_TMP/list.txt"
check "  A: stopped at the write" grep -qF "$(zh 'Write certificate and chain')" "$TEST_TMP/list.txt"

# Resume A (listed second: oldest first).
keys 2
keys Enter
resume=$(zh "$(printf 'Resume the personalisation of application %%s on this key?\n\n%%s\n\nThe steps already done are kept; the PIN is set anew.')")
check "A: resuming on the key it was initialised on" wait_for "$(echo "$resume" | tail -n 1)"
check "  the key named is A's" sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t ui | sed 's/│//g' | tr -d ' \n' | grep -qF '$app_a'"
keys y
check "  a new PIN is asked" wait_for "6 至 16"
type_text "$PIN2"
keys Enter
wait_for "$(zh 'Type the same PIN again:')" > /dev/null
type_text "$PIN2"
keys Enter
check "A is personalised on resume" wait_for "$(zh 'The key is personalised and proved.')" 60
check "  with the certificate issued before the kill" wait_for "$serial_a"
check "  the only valid one of A" \
	test "$("$GUITAI" -c "$conf" ca list "$app_a" | awk -F'\t' '$2 == "valid"' | wc -l)" -eq 1
check "  on the key" key_cert "$app_a" "$TEST_TMP/a.der"
check "  the new PIN opens the key" sh -c "pkcs11-tool --module '$SOFTHSM_MODULE' --token-label '$app_a' \
	--login --pin '$PIN2' --list-objects --type privkey 2>&1 | grep -q 'never extractable'"
keys Enter
check "A's papers print after the resume" wait_row "$(zh 'Hand-over slip')" "$(zh 'printed')" 40
wait_row "$(zh 'Receipt')" "$(zh 'printed')" 20 > /dev/null
wait_row "$(zh 'Seal-impression sheet')" "$(zh 'printed')" 20 > /dev/null
keys Escape
check "back on the list, A is gone" wait_for "$(printf "$(zh '%s is personalised.')" "$app_a")"
check "  B stays" wait_for "$app_b"

# Roll back B.
keys x
rollback=$(zh "$(printf 'Roll back the personalisation of %%s?\n\n%%d certificate(s) issued for it will be revoked. The key, if it is inserted, is blanked. The application stays submitted and can be personalised again on a new key.')")
rb_line=$(printf "$(echo "$rollback" | sed -n 3p)" 1)
check "B: the roll-back says it revokes one certificate" wait_for "${rb_line:0:10}"
keys y
rolled=$(zh 'Rolled back: %d certificate(s) revoked. The key, if it was inserted, is blank again.')
check "B is rolled back on the progress window" wait_for "$(printf "${rolled%%。*}" 1)" 60
check "  which shows its one step done" wait_for "✓ $(zh 'Revoke the certificates issued and blank the key')"
keys Enter
check "the list is empty" wait_for "$(zh 'No key personalisation is unfinished.')"
keys Escape
check "home again" wait_for "$(zh 'New issuance')"
check "  without the notice" not_on_screen "$notice1"

check "B's certificate is revoked" \
	sh -c "'$GUITAI' -c '$conf' ca list '$app_b' | grep -q '^$serial_b	revoked'"
check "B's key is blank again" sh -c "! '$GUITAI' -c '$conf' token list | grep -qF '$app_b'"
check "nothing pending" test -z "$("$GUITAI" -c "$conf" token pending)"
"$GUITAI" -c "$conf" audit list --limit 2000 > "$TEST_TMP/audit.txt"
check "audit: A's certificate found and written on resume" grep -qE "token\.write.*$app_a" "$TEST_TMP/audit.txt"
check "audit: B rolled back" grep -qE "token\.rollback.*$app_b" "$TEST_TMP/audit.txt"
"$GUITAI" -c "$conf" audit verify > /dev/null 2>&1
check "audit trail intact" test $? -eq 0
check "neither PIN is in any file but the test's PIN file" \
	sh -c "! grep -rlaF -e '$PIN' -e '$PIN2' '$TEST_TMP' --exclude-dir=out --exclude=pin"
keys F12
check "F12 leaves" wait_exit
check "exit status 0" grep -qx 0 "$TEST_TMP/ui.exit"
check "no sanitizer report on the terminal" sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t ui -S -200 | grep -qE 'Sanitizer|runtime error'"
cups_stop
done_testing
