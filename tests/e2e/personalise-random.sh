#!/usr/bin/env bash
# End to end (issues 4 and 5): random PINs ([token] pin = random). In tmux
# at 80x24, in Chinese, an application is submitted and its key
# personalised without anyone typing a PIN; the PIN mailer goes to the
# private cupsd's cups-pdf queue right after. The queue is stopped at
# first: the mailer's job fails, the screen says the PIN is only in
# memory and what leaving would mean, and R sends it again once the queue
# runs. The PIN read back from the printed mailer opens the key, and it is
# in no file of the test (the database, its WAL, the log, CUPS's spool and
# logs, SoftHSM's files) except the cups-pdf output, which is the mailer.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e/tmux.sh"
. "$top_srcdir/tests/e2e/perso-lib.sh"

perso_setup "pin = random"
start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
check "home menu" wait_for "$(zh 'New issuance')"
check "the application is entered and submitted" enter_application
diag "application $app_no"
keys Enter
check "the application form prints" wait_row "$(zh 'Application form')" "$(zh 'printed')" 30
check "cups-pdf received the form" cups_wait_outputs 1

# The printer stops before the key is done.
cupsdisable counter
keys Escape
check "the wizard offers to personalise a key" \
	wait_for "$(zh 'Personalise a blank key for this application now?')"
keys y
random_msg=$(zh 'The PIN is random: nobody types it, and only the PIN mailer, printed as soon as the key is done, shows it.')
check "the confirmation says the PIN is random" wait_for "${random_msg:0:8}"
keys y
# No PIN is asked: the key is done with nothing typed.
check "personalised without a PIN typed" wait_for "$(zh 'The key is personalised and proved.')" 60
check "no PIN prompt was shown" not_on_screen "$(zh 'Customer PIN')"
mailer=$(zh 'PIN mailer')
check "the mailer's job fails on the stopped queue" wait_row "$mailer" "$(zh 'failed')" 30
only=$(zh "The PIN is only in this terminal's memory: R sends the mailer again once the printer is fixed. Leaving loses the PIN; the key then needs a PIN reset (unlock).")
check "the screen says the PIN is only in memory" wait_for "${only:0:12}"
check "  and that the key would need a PIN reset" \
	sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t ui | sed 's/│//g' | tr -d ' \n' | grep -qF '$(echo "${only: -14}" | tr -d ' ')'"
screen | sed 's/^/#   /'
check "the hint offers R to send it again" wait_for "$(zh 'R: send the PIN mailer again   Enter: leave without it')"
keys Enter
check "leaving asks first" wait_for "$(zh 'PIN mailer not printed')"
leave=$(zh 'The PIN mailer has not been printed. Leaving now wipes the PIN: nobody will know it, and the key needs a PIN reset (unlock) before the customer can use it. Leave anyway?')
check "  and says the key would need a PIN reset" wait_for "${leave:0:10}"
keys n
check "staying keeps the screen" wait_for "$(zh 'R: send the PIN mailer again   Enter: leave without it')"

cupsenable counter
keys r
check "R sends the mailer again: printed" wait_row "$mailer" "$(zh 'printed')" 40
check "cups-pdf received the mailer" cups_wait_outputs 2
check "the hint lets the operator go on" wait_for "$(zh 'Enter: continue')"
screen > "$TEST_TMP/end.txt"

# The PIN from the paper: the one line of the page that is only digits
# (cups-pdf keeps digits as text; the Chinese around them is lost).
out=$(cups_last_output)
PIN=$(pdftotext -layout "$out" - | grep -E '^ *[0-9]{6,16} *$' | tr -d ' ' | head -n 1)
diag "a PIN of ${#PIN} digits read from the mailer"
check "the mailer carries a PIN" test -n "$PIN"
check "the mailer carries the application number" \
	sh -c "pdftotext '$out' - | grep -qF '$app_no'"
opens_key() {
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$app_no" --login --pin "$1" \
		--list-objects --type privkey 2>&1 | grep -q 'never extractable'
}
check "the PIN on the mailer opens the key" opens_key "$PIN"
check "the PIN never showed on the screen" sh -c "! grep -qF '$PIN' '$TEST_TMP/end.txt'"
check "  nor shows now" not_on_screen "$PIN"

keys Enter
check "the print screen follows" wait_for "$(zh 'Seal-impression sheet')"
check "the PIN mailer is not offered for printing again" not_on_screen "$mailer"
check "seal sheet, receipt and hand-over slip printed" cups_wait_outputs 5 40
check "  and followed to the end" wait_row "$(zh 'Hand-over slip')" "$(zh 'printed')" 40
keys Escape
check "back at the menu" wait_for "$(zh 'New issuance')"

"$GUITAI" -c "$conf" print "$app_no" --jobs > "$TEST_TMP/jobs.txt"
check "the mailer's first job failed on the stopped printer" \
	grep -qE "	pin-mailer	1	counter	.*	failed	" "$TEST_TMP/jobs.txt"
check "  and the second completed" grep -qE "	pin-mailer	1	counter	.*	completed	" "$TEST_TMP/jobs.txt"
"$GUITAI" -c "$conf" audit list --limit 1000 > "$TEST_TMP/audit.txt"
check "audit: the mailer's states" grep -qE "print\.state.*$app_no.*pin-mailer.*state=completed" "$TEST_TMP/audit.txt"
check "audit: no mailer recorded as lost" sh -c "! grep -q pin_mailer_lost '$TEST_TMP/audit.txt'"
"$GUITAI" -c "$conf" audit verify > /dev/null 2>&1
check "audit trail intact" test $? -eq 0

# A second application whose mailer never prints: the operator leaves
# anyway; the PIN is gone and the audit trail says the key needs a reset.
cupsdisable counter
app_first=$app_no
check "a second application is entered and submitted" enter_application
app2=$app_no
keys Enter
check "  its form fails on the stopped queue" wait_row "$(zh 'Application form')" "$(zh 'failed')" 30
keys Escape
wait_for "$(zh 'Personalise a blank key for this application now?')" > /dev/null
keys y
wait_for "${random_msg:0:8}" > /dev/null
keys y
check "  its key is personalised" wait_for "$(zh 'The key is personalised and proved.')" 60
check "  its mailer fails" wait_row "$mailer" "$(zh 'failed')" 30
keys Enter
wait_for "$(zh 'PIN mailer not printed')" > /dev/null
keys y
check "  leaving is allowed once confirmed" wait_for "$(zh 'Seal-impression sheet')"
keys Escape
wait_for "$(zh 'Jobs still printing')" 3 > /dev/null && keys y
check "  back at the menu" wait_for "$(zh 'New issuance')"
"$GUITAI" -c "$conf" audit list --limit 1000 > "$TEST_TMP/audit2.txt"
check "audit: the lost mailer is recorded for the second key only" \
	sh -c "grep -E 'token\.pin_mailer_lost' '$TEST_TMP/audit2.txt' | grep -qF '$app2' &&
	       ! grep -E 'token\.pin_mailer_lost' '$TEST_TMP/audit2.txt' | grep -qF '$app_first'"
check "  naming the PIN reset" sh -c "grep -F '$app2' '$TEST_TMP/audit2.txt' | grep -q 'PIN reset'"
cupsenable counter

keys F12
check "F12 leaves" wait_exit
check "exit status 0" grep -qx 0 "$TEST_TMP/ui.exit"
check "no sanitizer report on the terminal" sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t ui -S -200 | grep -qE 'Sanitizer|runtime error'"
cups_stop
# Everything the test made, but the cups-pdf output (the mailer itself).
check "the PIN is in no database, WAL, log or key file" no_file_holds "$PIN" "$TEST_TMP/data" \
	"$TEST_TMP/softhsm"
check "  nor in CUPS's spool, cache, state or logs" no_file_holds "$PIN" "$CUPS_DIR/spool" \
	"$CUPS_DIR/cache" "$CUPS_DIR/state" "$CUPS_DIR/log" "$CUPS_DIR/pdfspool"
check "  nor anywhere else under the test's directory" \
	sh -c "! grep -rlaF '$PIN' '$TEST_TMP' --exclude-dir=out"
check "no document file is left in the spool" sh -c "! ls '$CUPS_DIR'/spool/d* > /dev/null 2>&1"
done_testing
