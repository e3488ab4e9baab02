#!/usr/bin/env bash
# The daily settlement through CUPS (issue 6, item 3): a private cupsd with
# a cups-pdf queue (tests/integration/cups-lib.sh) receives `guitai report
# daily --printer`, the job is followed to "completed" with its states in
# print_jobs and the audit trail under SETTLE-YYYYMMDD, and cups-pdf's
# output carries the day's figures (as numbers: Chinese does not survive
# cups-pdf's PostScript round trip, see cups-lib.sh). A stopped queue
# fails with the way out, and `guitai print --resend` sends the settlement
# again. A settlement longer than a page prints every page.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/cups-lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE=

cups_start

conf=$(write_config "[print]
templates = $top_srcdir/data/templates
follow_seconds = 60")
DB="$TEST_TMP/data/guitai.db"
TODAY=$(date +%F)
SUBJECT="SETTLE-${TODAY//-/}"

err_has() { grep -qE -- "$1" "$ERR" || { diag "stderr lacks: $1" "$(cat "$ERR")"; return 1; }; }
resend_id() { grep -oE 'print --resend [0-9]+' "$ERR" | grep -oE '[0-9]+$' | tail -n 1; }
flat() { pdftotext -layout "$1" - 2>/dev/null | tr -d ' \n\t\f'; }
pdf_has() {
	local f
	f=$(flat "$1")
	shift
	for t in "$@"; do
		case "$f" in *"$t"*) ;; *) diag "$(basename "$1") lacks $t"; return 1 ;; esac
	done
}

printf 'boss-pw-1234\n' > "$TEST_TMP/boss.pw"
"$GUITAI" -c "$conf" operator add boss --role supervisor --password-file "$TEST_TMP/boss.pw" > /dev/null 2>&1
write_min_app "$TEST_TMP/app.ini" "[payment]
method = card
reference = POS778899
account = 6222 0212 3456 7894"
for i in 1 2 3; do
	"$GUITAI" -c "$conf" issue --batch "$TEST_TMP/app.ini" --operator boss \
		--password-file "$TEST_TMP/boss.pw" > /dev/null 2>&1
done
check "three card payments of 450.00" test "$(sqlite3 "$DB" 'SELECT count(*) || sum(amount_fen) FROM payments')" = 3135000
P1=$(sqlite3 "$DB" 'SELECT min(id) FROM payments')
"$GUITAI" -c "$conf" payment void "$P1" --reason "重复刷卡" --by boss --by-password-file "$TEST_TMP/boss.pw" > /dev/null 2>&1
check "one voided" test "$(sqlite3 "$DB" "SELECT count(*) FROM payments WHERE kind = 'void'")" -eq 1

cups_add_queue counter
run report daily --printer counter
check "settlement printed on counter: exit 0" rc_is 0
check "  followed to completed" err_has 'settlement copy 1 on counter: CUPS job [0-9]+ completed'
check "  the report itself on stdout" grep -qF "3 payments, 1 voids, 0 refunds; net 900.00 CNY" "$OUT"
check "cups-pdf wrote it" cups_wait_outputs 1
S_OUT=$(cups_last_output)
check "  A4, with the document's number, the day's totals and the void" \
	pdf_has "$S_OUT" "$SUBJECT" 1350.00 -450.00 900.00 "#$P1"
check "  the card masked, never in clear" \
	bash -c "pdftotext '$S_OUT' - | tr -d ' ' | grep -qF '6222********7894' && ! pdftotext '$S_OUT' - | grep -qF 6222021234567894"
check "recorded in print_jobs as completed" \
	test "$(sqlite3 "$DB" "SELECT document || '|' || state FROM print_jobs WHERE app_no = '$SUBJECT'")" = "settlement|completed"
run audit list --limit 200
check "audit: the job submitted under the settlement's number" \
	grep -qE $'print\\.submit\t'"$SUBJECT"$'\tdocument=settlement copy=1 dest=counter' "$OUT"
check "audit: its completed state" grep -qE $'print\\.state\t'"$SUBJECT"$'\t.*state=completed' "$OUT"

# --- a stopped queue: the way out, and the same document sent again -------------
cupsdisable counter
n=$(cups_outputs)
run report daily --printer counter
check "queue stopped: failure (exit 1)" rc_is 1
check "  says it is stopped and how to start it" err_has "cupsenable counter"
ID=$(resend_id)
check "  names the job to send again" test -n "$ID"
cupsenable counter
run print --resend "$ID"
check "print --resend of the settlement: completed" rc_is 0
check "  and it comes out" cups_wait_outputs "$((n + 1))"
check "  as copy 2 (every copy counted)" pdf_has "$(cups_last_output)" "$SUBJECT" 1350.00

# --- a settlement of several pages -----------------------------------------------
for i in $(seq 1 40); do
	"$GUITAI" -c "$conf" issue --batch "$TEST_TMP/app.ini" --operator boss \
		--password-file "$TEST_TMP/boss.pw" > /dev/null 2>&1
done
for id in $(sqlite3 "$DB" "SELECT id FROM payments WHERE kind = 'payment' AND id > $P1 + 3 LIMIT 30"); do
	"$GUITAI" -c "$conf" payment void "$id" --reason "测试分页" --by boss --by-password-file "$TEST_TMP/boss.pw" > /dev/null 2>&1
done
n=$(cups_outputs)
run report daily --pdf "$TEST_TMP/long.pdf" --printer counter
check "a long settlement: written and printed" rc_is 0
PAGES=$(pdfinfo "$TEST_TMP/long.pdf" | sed -n 's/^Pages: *//p')
check "  more than one page" test "${PAGES:-0}" -gt 1
check "  every page with its footer" \
	test "$(pdftotext "$TEST_TMP/long.pdf" - | grep -c "第 [0-9]*/$PAGES 页")" -eq "$PAGES"
check "  the last void on the last page" \
	bash -c "pdftotext -f $PAGES -l $PAGES '$TEST_TMP/long.pdf' - | grep -q '测试分页'"
check "  cups-pdf printed every page" \
	bash -c "cups_wait() { for i in \$(seq 200); do [ \$(find '$CUPS_DIR/out' -name '*.pdf' | wc -l) -ge $((n + 1)) ] && return 0; sleep 0.1; done; return 1; }; cups_wait && [ \"\$(pdfinfo \"\$(ls -t '$CUPS_DIR'/out/*.pdf | head -n 1)\" | sed -n 's/^Pages: *//p')\" = '$PAGES' ]"

run audit verify
check "audit trail intact" rc_is 0
cups_stop
done_testing
