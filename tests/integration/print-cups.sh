#!/usr/bin/env bash
# Printing through CUPS (issue 5): a private cupsd with cups-pdf queues
# (tests/integration/cups-lib.sh) receives every document of an issuance,
# each job followed to "completed" and its states in the audit trail; the
# output PDFs are read back. Faults: no default printer, queue stopped
# before and during a job, queue deleted, cupsd down, cupsd killed
# mid-job; each gives a clear message and the same job can be sent again
# without re-entering anything. The PIN mailer's PIN ends on paper only.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/cups-lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE=

cups_start

TEMPLATES="$top_srcdir/data/templates"
conf=$(write_config "[print]
templates = $TEMPLATES
allow_reprint = yes
follow_seconds = 60
[token]
pin = random")
out_has() { grep -qE -- "$1" "$OUT" || { diag "stdout lacks: $1" "$(cat "$OUT")"; return 1; }; }

# The print_jobs id of the last job a failed run told us to resend.
resend_id() {
	grep -oE 'print --resend [0-9]+' "$ERR" | grep -oE '[0-9]+$' | tail -n 1
}

pdf_has() {
	local flat pdf=$1
	flat=$(pdftotext "$pdf" - 2>/dev/null | tr -d ' \n\t\f')
	shift
	for t in "$@"; do
		case "$flat" in
		*"$t"*) ;;
		*) diag "$(basename "$pdf") lacks $t"; return 1 ;;
		esac
	done
}

a4_one_page() {
	local info
	info=$(pdfinfo "$1" 2>&1)
	grep -qE '^Pages: +1$' <<<"$info" && grep -qE '^Page size: +595(\.[0-9]+)? x 842' <<<"$info" ||
		{ diag "$info"; return 1; }
}

write_app "$TEST_TMP/app.ini"
run issue --batch "$TEST_TMP/app.ini"
APP=$(head -n 1 "$OUT")
check "application stored" rc_is 0

# --- no printer named and no CUPS default --------------------------------
cups_add_queue counter
run print "$APP" application-form
check "no default printer: failure (exit 1)" rc_is 1
check "  the message says to name a printer or set a default" err_has "no default printer"
check "  and how to send it again" err_has "print --resend"
ID=$(resend_id)
lpadmin -d counter
run print --resend "$ID"
check "after lpadmin -d, the same job is sent again and completes" rc_is 0
check "  followed through its states to completed" out_has 'CUPS job [0-9]+ completed'
check "cups-pdf wrote the application form" cups_wait_outputs 1
AF_OUT=$(cups_last_output)
check "  one A4 page" a4_one_page "$AF_OUT"
check "  with the application number, USCC and amount as text" \
	pdf_has "$AF_OUT" "$APP" 91440300708461136T 450.00

# --- every document of the issuance, named printer --------------------------
n=$(cups_outputs)
for doc in seal-sheet receipt handover; do
	run print "$APP" "$doc" --printer counter
	check "$doc printed on counter" rc_is 0
	n=$((n + 1))
	check "  cups-pdf received it" cups_wait_outputs "$n"
	check "  one A4 page with the application number" \
		bash -c "f=\$(ls -t '$CUPS_DIR'/out/*.pdf | head -n 1); pdfinfo \"\$f\" | grep -q '^Pages: *1$' && pdftotext \"\$f\" - | grep -q '$APP'"
done
check "receipt output: the total and payment reference" \
	bash -c "pdftotext \"\$(ls -t '$CUPS_DIR'/out/*.pdf | sed -n 2p)\" - | tr -d ' \n' | grep -q '450.00' && pdftotext \"\$(ls -t '$CUPS_DIR'/out/*.pdf | sed -n 2p)\" - | grep -q 4200001234202611210000"
run print "$APP" application-form --printer counter
check "a reprint (allowed by configuration) prints" rc_is 0
n=$((n + 1))
check "  and comes out" cups_wait_outputs "$n"

run audit list --limit 500
check "audit: a print.submit row per job" test "$(grep -c 'print\.submit' "$OUT")" -ge 6
check "audit: each job's completed state" test "$(grep -cE 'print\.state.*state=completed' "$OUT")" -ge 5
check "audit: intermediate states too (pending)" grep -qE 'print\.state.*state=pending' "$OUT"
check "audit: the first failure with its fault" grep -qE 'print\.state.*state=failed fault=no-default' "$OUT"
check "audit: the reprint" grep -qE 'print\.reprint.*application-form copy=2' "$OUT"
run audit verify
check "audit trail intact" rc_is 0
run print "$APP" --jobs
check "jobs list: completed jobs with their CUPS job ids" \
	bash -c "[ \$(grep -cE $'\t[1-9][0-9]*\tcompleted' '$OUT') -ge 5 ]"
check "no job document left in the spool after printing (PreserveJobFiles No)" \
	bash -c "! ls '$CUPS_DIR'/spool/d* >/dev/null 2>&1"

# --- queue stopped before the job ---------------------------------------------
cupsdisable counter
n=$(cups_outputs)
run print "$APP" receipt --printer counter
check "queue stopped: failure (exit 1)" rc_is 1
check "  the message says it is stopped and how to start it" err_has "cupsenable counter"
ID=$(resend_id)
run print "$APP" --jobs
check "  the job is recorded as failed" grep -qE "^$ID"$'\t'"receipt.*failed.*stopped" "$OUT"
cupsenable counter
run print --resend "$ID"
check "after cupsenable, send again: completed" rc_is 0
n=$((n + 1))
check "  and the receipt comes out" cups_wait_outputs "$n"

# --- queue not accepting jobs ---------------------------------------------------
cupsreject counter
n=$(cups_outputs)
run print "$APP" receipt --printer counter
check "queue rejecting jobs: failure (exit 1)" rc_is 1
check "  the message says so and how to let it accept" err_has "cupsaccept counter"
ID=$(resend_id)
cupsaccept counter
run print --resend "$ID"
check "after cupsaccept, send again: completed" rc_is 0
check "  and it comes out" cups_wait_outputs "$((n + 1))"

# --- queue stopped while the job waits ------------------------------------------
cups_add_queue slowq SLOW
echo 30 > "$CUPS_DIR/slow-seconds"
n=$(cups_outputs)
"$GUITAI" -c "$conf" print "$APP" handover --printer slowq > "$OUT" 2> "$ERR" &
gpid=$!
TEST_PIDS+=("$gpid")
check "slow job is being processed" \
	bash -c "for i in \$(seq 100); do grep -q processing '$OUT' && exit 0; sleep 0.1; done; exit 1"
cupsdisable slowq
wait "$gpid"
RC=$?
check "queue paused mid-job: failure (exit 1)" rc_is 1
check "  the message says stopped, and that the job was cancelled (no double print later)" \
	bash -c "grep -q 'cupsenable slowq' '$ERR' && grep -q 'cannot print twice' '$ERR'"
ID=$(resend_id)
echo 0 > "$CUPS_DIR/slow-seconds"
cupsenable slowq
sleep 1
check "  the cancelled job did not print" test "$(cups_outputs)" -eq "$n"
run print --resend "$ID"
check "  send again once running: completed" rc_is 0

# --- queue deleted ----------------------------------------------------------------
lpadmin -x counter
run print "$APP" receipt --printer counter
check "queue deleted: failure (exit 1)" rc_is 1
check "  the message names the missing printer" err_has 'Printer "counter" does not exist'
ID=$(resend_id)
cups_add_queue counter
n=$(cups_outputs)
run print --resend "$ID"
check "queue added again: the same job completes" rc_is 0
check "  and comes out" cups_wait_outputs "$((n + 1))"

# --- the PIN mailer: the PIN on paper only -----------------------------------------
n=$(cups_outputs)
printf '73914628\n' | "$GUITAI" -c "$conf" print "$APP" pin-mailer --printer counter --pin-file - > "$OUT" 2> "$ERR"
RC=$?
check "PIN mailer printed" rc_is 0
check "  it comes out with the PIN on it" cups_wait_outputs "$((n + 1))"
check "  the page holds the PIN" bash -c "pdftotext \"\$(ls -t '$CUPS_DIR'/out/*.pdf | head -n 1)\" - | grep -q 73914628"
check "  the PIN is in no file of guitai (database, log, audit)" \
	bash -c "! grep -rqa 73914628 '$TEST_TMP/data' '$TEST_TMP/guitai.log'"
check "  and no job file holds it in the spool" bash -c "! grep -rqa 73914628 '$CUPS_DIR/spool'"
ID=$(grep -oE '^job [0-9]+' "$OUT" | grep -oE '[0-9]+' | head -n 1)
run print --resend "$ID"
check "  a PIN mailer cannot be sent again (the PIN is gone)" rc_is 3

# --- cupsd down ---------------------------------------------------------------------
cups_stop
run print "$APP" receipt --printer counter
check "cupsd down: failure (exit 1)" rc_is 1
check "  the message says the print server cannot be reached" err_has "cannot be reached"
ID=$(resend_id)
cups_launch
n=$(cups_outputs)
run print --resend "$ID"
check "cupsd back: the same job completes" rc_is 0
check "  and comes out" cups_wait_outputs "$((n + 1))"

# --- cupsd killed mid-job -------------------------------------------------------------
echo 30 > "$CUPS_DIR/slow-seconds"
"$GUITAI" -c "$conf" print "$APP" seal-sheet --printer slowq > "$OUT" 2> "$ERR" &
gpid=$!
TEST_PIDS+=("$gpid")
check "slow job processing before the kill" \
	bash -c "for i in \$(seq 100); do grep -q processing '$OUT' && exit 0; sleep 0.1; done; exit 1"
cups_kill
start=$(date +%s)
wait "$gpid"
RC=$?
check "cupsd killed mid-job: guitai gives up (exit 1) within seconds" \
	bash -c "[ $RC -eq 1 ] && [ \$(( \$(date +%s) - $start )) -le 15 ]"
check "  the message says the server stopped answering and may not have printed" \
	err_has "stopped answering"
ID=$(resend_id)
run print "$APP" --jobs
check "  the job is recorded as failed (no-server)" grep -qE "^$ID"$'\t'"seal-sheet.*failed" "$OUT"
echo 0 > "$CUPS_DIR/slow-seconds"
cups_launch
run print --resend "$ID"
check "cupsd restarted: the same job completes" rc_is 0
run audit verify
check "audit trail intact after all faults" rc_is 0
run audit list --limit 500
check "audit: the no-server fault recorded" grep -qE 'print\.state.*seal-sheet.*state=failed fault=no-server' "$OUT"
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$ERR'"

cups_stop
done_testing
