#!/usr/bin/env bash
# Random PINs without a terminal (issues 4 and 5): with [token] pin =
# random, `issue --batch --token auto` and `token personalise` print the
# PIN mailer on the printer and follow its job; the PIN goes to no file.
# A printer that cannot print stops the run before any key is touched; a
# mailer lost after the key was made is audited and names the key, which
# then needs a PIN reset. Private SoftHSM2 and cupsd with a cups-pdf queue.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/token-lib.sh"
. "$top_srcdir/tests/integration/cups-lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE= GUITAI_QUIET=1

cups_start
cups_add_queue counter
cups_add_queue slow SLOW
new_softhsm
conf=$(token_config "pin = random
[print]
printer = counter
templates = $top_srcdir/data/templates")
add_demo_operator "$conf" > /dev/null
OUT="$TEST_TMP/out"
ERR="$TEST_TMP/err"
write_app "$TEST_TMP/app.ini"
"$GUITAI" -c "$conf" ca init > /dev/null 2>&1

blank_keys() { "$GUITAI" -c "$conf" token list | grep -c '	blank	'; }

# The queue is stopped: nothing is done to the key.
cupsdisable counter
"$GUITAI" -c "$conf" issue --batch "$TEST_TMP/app.ini" --token auto > "$OUT" 2> "$ERR"
rc=$?
check "stopped printer: the run stops, exit 1" test "$rc" -eq 1
check "  and says the PIN mailer could not print" grep -q 'pin = random prints a PIN mailer, and printer counter is stopped' "$ERR"
APP1=$(head -n 1 "$OUT")
check "  the application is stored" test -n "$APP1"
check "  the key is still blank" test "$(blank_keys)" -eq 1
check "  nothing is pending" test -z "$("$GUITAI" -c "$conf" token pending)"

# Printer back: the same application is personalised; the mailer prints.
cupsenable counter
"$GUITAI" -c "$conf" token personalise "$APP1" > "$OUT" 2> "$ERR"
rc=$?
check "printer ready: personalised, exit 0" test "$rc" -eq 0
check "  the mailer's job was followed to completed" grep -q 'PIN mailer: job [0-9]* on counter: completed' "$ERR"
check "  cups-pdf received the mailer" cups_wait_outputs 1
out=$(cups_last_output)
PIN=$(pdftotext -layout "$out" - | grep -E '^ *[0-9]{6,16} *$' | tr -d ' ' | head -n 1)
diag "a PIN of ${#PIN} digits read from the mailer"
check "  the mailer carries a PIN" test -n "$PIN"
check "  and the application number" sh -c "pdftotext '$out' - | grep -qF '$APP1'"
check "  the PIN on the mailer opens the key" sh -c \
	"pkcs11-tool --module '$SOFTHSM_MODULE' --token-label '$APP1' --login --pin '$PIN' --list-objects --type privkey 2>&1 | grep -q 'never extractable'"
check "  the PIN is not in the command's output" sh -c "! grep -qF '$PIN' '$OUT' '$ERR'"
check "  nor in the database, log or key files" sh -c "! grep -rlaF '$PIN' '$TEST_TMP/data' '$TEST_TMP/softhsm' '$TEST_TMP/guitai.log'"
check "  nor in CUPS's spool, state or logs" sh -c "! grep -rlaF '$PIN' '$CUPS_DIR/spool' '$CUPS_DIR/state' '$CUPS_DIR/log' '$CUPS_DIR/pdfspool'"

# Rolled back and personalised again: the key has a new PIN, so its
# mailer is a first copy — no supervisor asked, no reprint in the trail.
"$GUITAI" -c "$conf" token personalise "$APP1" --rollback > "$OUT" 2> "$ERR"
check "rolled back" test $? -eq 0
"$GUITAI" -c "$conf" token personalise "$APP1" > "$OUT" 2> "$ERR"
rc=$?
check "personalised again: exit 0, no supervisor asked for its mailer" test "$rc" -eq 0
check "  the new mailer came out" cups_wait_outputs 2
out=$(cups_last_output)
PIN2=$(pdftotext -layout "$out" - | grep -E '^ *[0-9]{6,16} *$' | tr -d ' ' | head -n 1)
check "  its PIN opens the key" sh -c \
	"pkcs11-tool --module '$SOFTHSM_MODULE' --token-label '$APP1' --login --pin '$PIN2' --list-objects --type privkey 2>&1 | grep -q 'never extractable'"
check "  it is not marked as a reprint" sh -c "! pdftotext '$out' - | grep -q '第2次打印'"
check "  nor audited as one" sh -c "! '$GUITAI' -c '$conf' audit list --limit 80 | grep 'print.reprint' | grep -q 'pin-mailer'"

# The mailer's job dies with cupsd after the key was made: the loss is
# audited and the key named.
printf '3\n' > "$CUPS_DIR/slow-seconds"
"$GUITAI" -c "$conf" issue --batch "$TEST_TMP/app.ini" --token auto --mailer-printer slow > "$OUT" 2> "$ERR" &
run=$!
for _ in $(seq 1 300); do
	grep -q 'PIN mailer: job' "$ERR" 2>/dev/null && break
	sleep 0.1
done
cups_kill
wait "$run"
rc=$?
APP2=$(head -n 1 "$OUT")
check "mailer lost with cupsd: exit 1" test "$rc" -eq 1
check "  says the key needs a PIN reset" grep -q 'nobody knows its PIN: it needs a PIN reset' "$ERR"
check "  the loss is in the audit trail" sh -c "'$GUITAI' -c '$conf' audit list --limit 50 | grep 'token.pin_mailer_lost' | grep -qF '$APP2'"
check "  the audit trail verifies" sh -c "'$GUITAI' -c '$conf' audit verify | grep -q '^intact'"
done_testing
