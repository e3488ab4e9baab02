#!/usr/bin/env bash
# End to end (issue 5): in tmux, in Chinese, an application is entered and
# submitted in the wizard; the application form prints at once on the
# private cupsd's cups-pdf queue and the print screen shows the job's state
# live. Then, on the same screen: a stopped queue's failure and its
# resend, and a supervisor's reprint marked as such.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e/tmux.sh"
. "$top_srcdir/tests/integration/cups-lib.sh"

cups_start
cups_add_queue counter
lpadmin -d counter

conf=$(write_config "[print]
templates = $top_srcdir/data/templates")
add_demo_operator "$conf"

start_ui zh_CN.UTF-8 100 32 -c "$conf"
login_demo "$(zh 'Operator log-in')"
check "home menu" wait_for "$(zh 'New issuance')"
check "an application typed through the wizard's five steps and submitted" enter_application
keys Enter
check "the print screen opens" wait_for "$(zh 'Print documents')"
check "it lists the application form" wait_for "$(zh 'Application form')"
check "the application form's job is followed to printed" wait_for "$(zh 'printed')" 30
check "  on the counter queue, with its CUPS job number" \
	sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep '$(zh 'Application form')' | grep -q 'counter'"
check "cups-pdf received the application form" cups_wait_outputs 1
check "  with the application number on it" \
	sh -c "pdftotext \"\$(ls -t '$CUPS_DIR'/out/*.pdf | head -n 1)\" - | grep -q '$app_no'"
check "the seal sheet, receipt and hand-over slip are offered too" \
	sh -c "s=\$(tmux -S '$TMUX_SOCK' capture-pane -p -t ui); echo \"\$s\" | grep -q '$(zh 'Seal-impression sheet')' && echo \"\$s\" | grep -q '$(zh 'Receipt')' && echo \"\$s\" | grep -q '$(zh 'Hand-over slip')'"

# A stopped queue: the receipt fails with the reason; R sends it again.
cupsdisable counter
keys 3
keys Enter
check "stopped queue: the receipt's job fails" wait_for "$(zh 'failed')" 15
check "  and the reason names the stopped printer" wait_for "cupsenable counter"
cupsenable counter
keys r
check "R sends it again: printed" \
	sh -c "for i in \$(seq 150); do tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep '$(zh 'Receipt')' | grep -q '$(zh 'printed')' && exit 0; sleep 0.1; done; exit 1"
check "cups-pdf received the receipt" cups_wait_outputs 2

# A: every document not printed yet (the seal sheet and hand-over slip).
keys a
check "A prints the documents not printed yet" cups_wait_outputs 4
check "  the hand-over slip shows printed" \
	sh -c "for i in \$(seq 150); do tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep '$(zh 'Hand-over slip')' | grep -q '$(zh 'printed')' && exit 0; sleep 0.1; done; exit 1"

# A reprint by the supervisor: asked, then marked.
keys 1
keys Enter
check "a second copy asks first" wait_for "$(zh 'Reprint')"
keys y
check "the reprint is printed (two completed copies recorded)" \
	bash -c "for i in \$(seq 150); do [ \$('$GUITAI' -c '$conf' print '$app_no' --jobs | grep -c \$'application-form\t[12]\t.*completed') -eq 2 ] && exit 0; sleep 0.1; done; exit 1"
check "cups-pdf received the reprint" cups_wait_outputs 5
keys Escape
# Then the wizard offers to personalise a key (issue 4): not here.
wait_for "$(zh 'Personalise a blank key for this application now?')" 5 > /dev/null && keys n
check "back at the menu" wait_for "$(zh 'New issuance')"

"$GUITAI" -c "$conf" audit list --limit 500 > "$TEST_TMP/audit.txt"
check "audit: the application form's job completed" \
	grep -qE "print\.state.*$app_no.*application-form copy=1.*state=completed" "$TEST_TMP/audit.txt"
check "audit: the reprint by the supervisor" \
	grep -qE "print\.reprint.*$app_no.*copy=2 by=supervisor" "$TEST_TMP/audit.txt"
check "audit: the receipt's failure and its resend" \
	sh -c "grep -qE 'print\.state.*receipt.*state=failed fault=printer-stopped' '$TEST_TMP/audit.txt' && grep -qE 'print\.state.*receipt.*state=completed' '$TEST_TMP/audit.txt'"
"$GUITAI" -c "$conf" audit verify > /dev/null 2>&1
check "audit trail intact" test $? -eq 0

keys F12
check "F12 leaves" wait_exit
check "exit status 0" grep -qx 0 "$TEST_TMP/ui.exit"
cups_stop
done_testing
