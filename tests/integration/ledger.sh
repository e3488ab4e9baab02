#!/usr/bin/env bash
# Issue 6 without a terminal: operators (first supervisor, approvals by
# --by, passwd, disable, lock-out through approvals), payments recorded
# with each application, voids and refunds approved by a supervisor, the
# daily settlement's totals on known data (screen and CSV), closing a day
# (payments frozen by triggers, the audit head kept), `guitai search` with
# masked output, no ID number, mobile or e-mail in the raw database, WAL or
# log (nor the payer's card number), no password or key in the log or
# trail, and the refusal to start
# when the PII key file is missing beside sealed records.
. "$top_srcdir/tests/lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE=

conf=$(write_config "[print]
templates = $top_srcdir/data/templates")
DB="$TEST_TMP/data/guitai.db"
LOG="$TEST_TMP/guitai.log"
BOSS_PW='Boss-pass-7788'
ALICE_PW='alice-pw-5566'
TODAY=$(date +%F)

# run, rc_is, out_has, err_has: tests/lib.sh.
# run_in INPUT ARGS...: the same with INPUT (printf format) on stdin.
run_in() {
	local input=$1
	shift
	printf "$input" | "$GUITAI" -c "$conf" "$@" > "$OUT" 2> "$ERR"
	RC=$?
}
sql() { sqlite3 -batch "$DB" "$@"; }
audit_has() { "$GUITAI" -c "$conf" audit list --limit 1000 | grep -qF -- "$1"; }

# --- operators ------------------------------------------------------------------
run
check "no operator: the counter does not start" rc_is 1
check "no operator: says the command to run" err_has "operator add NAME --role supervisor"
run_in 'x1234567\n' operator add alice
check "first operator must be a supervisor" rc_is 1
check "first operator: says so" err_has "supervisor"
run_in "$BOSS_PW\n" operator add boss --role supervisor
check "first supervisor added without approval" rc_is 0
run_in "$ALICE_PW\n" operator add alice
check "second operator needs a supervisor" rc_is 1
check "second operator: says --by" err_has "--by"
run_in "$ALICE_PW\nwrong-password\n" operator add alice --by boss
check "wrong supervisor password: refused" rc_is 1
run_in "$ALICE_PW\n$BOSS_PW\n" operator add alice --by boss
check "operator added with approval" rc_is 0
run_in "bob-pw-1122\n$ALICE_PW\n" operator add bob --by alice
check "an operator cannot approve" rc_is 1
check "an operator cannot approve: says not a supervisor" err_has "not a supervisor"
run_in "bob-pw-1122\n$BOSS_PW\n" operator add bob --by boss
run_in "audit-pw-3344\n$BOSS_PW\n" operator add carol --role auditor --by boss
check "auditor added" rc_is 0
run operator list
check "list: four operators" test "$(wc -l < "$OUT")" -eq 4
check "list: roles" sh -c "grep -q '^carol	auditor	active$' '$OUT' && grep -q '^boss	supervisor' '$OUT'"
run_in "new-alice-pw1\n$ALICE_PW\n" operator passwd alice --by alice
check "passwd with one's own password" rc_is 0
ALICE_PW='new-alice-pw1'
run_in "x-bob-pw-999\n$ALICE_PW\n" operator passwd bob --by alice
check "passwd of another by an operator: refused" rc_is 1
run_in "$BOSS_PW\n" operator disable boss --by boss
check "the last supervisor cannot be disabled" rc_is 1
check "last supervisor: says why" err_has "last active supervisor"
run_in "$BOSS_PW\n" operator disable bob --by boss
check "disable by a supervisor" rc_is 0
run operator list
check "bob shown disabled" grep -q '^bob	operator	disabled$' "$OUT"
run_in "$BOSS_PW\n" operator enable bob --by boss
check "enable by a supervisor" rc_is 0
check "operator changes audited" sh -c "'$GUITAI' -c '$conf' audit list --limit 200 | grep -q 'operator.disable' && '$GUITAI' -c '$conf' audit list --limit 200 | grep -q 'operator.passwd'"

# Five wrong approvals lock the supervisor like five wrong log-ins.
for i in 1 2 3 4 5; do
	run_in "x12345678\nnot-the-password\n" operator add tmp$i --by boss
done
run_in "x12345678\n$BOSS_PW\n" operator add tmp9 --by boss
check "five wrong approvals lock the supervisor" rc_is 1
check "locked: says until when" err_has "locked until"
check "lock-out through approvals audited" audit_has "approve.locked"
sql "UPDATE operators SET locked_until = 0 WHERE name = 'boss'"

# --- payments with the applications -------------------------------------------------
EXAMPLE="$TEST_TMP/example.ini"
write_app "$EXAMPLE"
# variant NAME SED: a changed copy of the example.
variant() {
	sed -e "$2" "$EXAMPLE" > "$TEST_TMP/$1.ini"
	echo "$TEST_TMP/$1.ini"
}
# batch FILE OPERATOR: issued as OPERATOR, logged in with their password.
printf '%s\n' "$ALICE_PW" > "$TEST_TMP/alice.pw"
printf 'bob-pw-1122\n' > "$TEST_TMP/bob.pw"
printf 'not-bobs-password\n' > "$TEST_TMP/wrong.pw"
batch() {
	"$GUITAI" -c "$conf" issue --batch "$1" --operator "$2" --password-file "$TEST_TMP/$2.pw" 2> "$ERR"
}

# --- a batch names its operator only with their password ------------------------------
apps_before=$(sql 'SELECT count(*) FROM applications')
"$GUITAI" -c "$conf" issue --batch "$EXAMPLE" --operator bob --password-file "$TEST_TMP/wrong.pw" > "$OUT" 2> "$ERR"
RC=$?
check "batch as bob with a wrong password: exit 1" rc_is 1
check "batch with a wrong password: says not logged in" err_has "not logged in"
check "batch with a wrong password: nothing stored" \
	test "$(sql 'SELECT count(*) FROM applications')" -eq "$apps_before"
check "batch with a wrong password: the failed log-in audited" audit_has "login.fail"
run_in "" issue --batch "$EXAMPLE" --operator bob
check "batch --operator without a password: exit 1" rc_is 1
run issue --batch "$EXAMPLE" --password-file "$TEST_TMP/bob.pw"
check "--password-file without --operator: usage error" rc_is 2
for i in 1 2 3 4; do
	"$GUITAI" -c "$conf" issue --batch "$EXAMPLE" --operator bob --password-file "$TEST_TMP/wrong.pw" > /dev/null 2>&1
done
run issue --batch "$EXAMPLE" --operator bob --password-file "$TEST_TMP/bob.pw"
check "five wrong batch passwords lock the operator as at log-in" rc_is 1
check "batch lock-out: says until when" err_has "locked until"
check "batch lock-out: audited" audit_has "login.locked"
check "batch lock-out: nothing stored" test "$(sql 'SELECT count(*) FROM applications')" -eq "$apps_before"
sql "UPDATE operators SET locked_until = 0 WHERE name = 'bob'"
# A reader holds the database open while the applications are written, so
# the write-ahead log keeps what they wrote (it is searched below).
(printf 'BEGIN;\nSELECT count(*) FROM operators;\n'; sleep 6) | sqlite3 "$DB" > /dev/null &
HOLD=$!
TEST_PIDS+=("$HOLD")
sleep 0.3
A1=$(batch "$EXAMPLE" alice)
A2=$(batch "$(variant cash 's/^method = wechat/method = cash/; s/^reference = .*//; s/^eseal = yes/eseal = no/')" alice)
A3=$(batch "$(variant card 's/^method = wechat/method = card/; s/^reference = .*/reference = POS778899\naccount = 6222 0212 3456 7894/')" bob)
A4=$(batch "$(variant cash2 's/^method = wechat/method = cash/; s/^reference = .*//')" bob)
A5=$(batch "$(variant ali 's/^method = wechat/method = alipay/; s/^reference = .*/reference = 2026112122001/')" bob)
check "five applications stored" test -n "$A1" -a -n "$A2" -a -n "$A3" -a -n "$A4" -a -n "$A5"
check "one payment row each" test "$(sql 'SELECT count(*) FROM payments')" -eq 5
check "amount from the catalogue (450.00 in fen)" \
	test "$(sql "SELECT amount_fen FROM payments WHERE app_no = '$A1'")" -eq 45000
check "without e-seal: 250.00" test "$(sql "SELECT amount_fen FROM payments WHERE app_no = '$A2'")" -eq 25000
check "method, reference, operator and invoice kept" \
	test "$(sql "SELECT method || '|' || reference || '|' || operator || '|' || invoice FROM payments WHERE app_no = '$A3'")" = "card|POS778899|bob|yes"
check "payment audited with the application" audit_has "payment.take"
check "card payment: the payer's card sealed in its row" \
	test "$(sql "SELECT typeof(account) || length(account) FROM payments WHERE app_no = '$A3'")" = blob49
check "cash payment: no account" \
	test "$(sql "SELECT typeof(account) FROM payments WHERE app_no = '$A2'")" = null
check "card payment audited with the card masked" audit_has "account 6222 **** **** 7894"
run show "$A3"
check "show: the payer's card masked" out_has "account = 6222 **** **** 7894"
run payment list --app "$A3"
check "payment list: the card masked" sh -c "grep -qF '6222 **** **** 7894' '$OUT' && ! grep -qF 6222021234567894 '$OUT'"

# --- personal data at rest: not in the database file, its WAL or the log --------------
check "WAL file present while the database is open" test -s "$DB-wal"
for f in "$DB" "$DB-wal" "$LOG"; do
	[ -e "$f" ] || continue
	name=$(basename "$f")
	check "raw $name: no handler ID number" sh -c "! grep -qaF 44030519900101123X '$f'"
	check "raw $name: no legal rep ID number" sh -c "! grep -qaF 440304198502280023 '$f'"
	check "raw $name: no mobile" sh -c "! grep -qaF 13800138000 '$f'"
	check "raw $name: no e-mail" sh -c "! grep -qaF lisi@example.com '$f'"
	check "raw $name: no card number" sh -c "! grep -qaF 6222021234567894 '$f'"
	check "raw $name: no card number as typed" sh -c "! grep -qaF '6222 0212 3456 7894' '$f'"
done
# The test's own tools can find them: the checks above would see them.
check "the raw check would see a clear value" grep -qaF 91440300708461136T "$DB-wal"
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null

P4=$(sql "SELECT id FROM payments WHERE app_no = '$A4'")
P3=$(sql "SELECT id FROM payments WHERE app_no = '$A3'")
run payment void "$P4" --reason "顾客改刷卡"
check "void without a supervisor: refused" rc_is 1
run_in "wrong-one\n" payment void "$P4" --reason "顾客改刷卡" --by boss
check "void with a wrong password: refused" rc_is 1
run_in "$ALICE_PW\n" payment void "$P4" --reason "顾客改刷卡" --by alice
check "void approved by an operator: refused" rc_is 1
check "nothing voided yet" test "$(sql 'SELECT count(*) FROM payments')" -eq 5
run_in "$BOSS_PW\n" payment void "$P4" --reason "顾客改刷卡" --by boss
check "void approved by the supervisor" rc_is 0
V4=$(cat "$OUT")
check "void is a new row, the payment unchanged" \
	test "$(sql "SELECT amount_fen || '|' || kind FROM payments WHERE id = $P4")|$(sql "SELECT amount_fen || '|' || kind || '|' || original || '|' || approved_by FROM payments WHERE id = $V4")" = "45000|payment|-45000|void|$P4|boss"
run_in "$BOSS_PW\n" payment void "$P4" --reason "again" --by boss
check "a payment is voided once" rc_is 1
check "voided once: says so" err_has "voided already"
run_in "$BOSS_PW\n" payment refund "$P3" --reason "客户取消" --by boss
check "refund approved by the supervisor" rc_is 0
check "void and refund audited with their approvals" \
	sh -c "'$GUITAI' -c '$conf' audit list --limit 500 | grep -q 'payment.void' && '$GUITAI' -c '$conf' audit list --limit 500 | grep -q 'approve.ok.*payment_refund'"
run payment take "$A1" --method cash
check "payment taken again only when nothing is paid" rc_is 1

# --- the settlement on known data ----------------------------------------------------
run report daily --date 2020-01-01
check "a day without payments: exit 0" rc_is 0
check "a day without payments: says so" out_has "No payments on this day."
run report daily --date 2020-02-30
check "not a date: usage error" rc_is 2
run report daily
check "report: exit 0" rc_is 0
check "report: day and open" sh -c "grep -qF 'Daily settlement $TODAY' '$OUT' && grep -qF 'Open: not closed yet.' '$OUT'"
check "report: totals" out_has "5 payments, 1 voids, 1 refunds; net 1150.00 CNY"
check "report: cash by method" grep -qE '^  Cash +2 +700.00 +1 +-450.00 +0 +0.00 +250.00$' "$OUT"
check "report: card refunded to 0" grep -qE '^  Bank card +1 +450.00 +0 +0.00 +1 +-450.00 +0.00$' "$OUT"
check "report: per operator" sh -c "grep -qF '  Operator alice' '$OUT' && grep -qF '  Operator bob' '$OUT'"
check "report: counts by service (voided one not counted)" out_has "New issuance: 4 (1600.00 CNY)"
check "report: the void listed" grep -qE "void of #$P4 .*$A4 Cash -450.00" "$OUT"
check "report: with approver and reason" grep -qF "approved by boss: 顾客改刷卡" "$OUT"
check "report: the refund goes back to the card, masked" \
	sh -c "grep -qE 'refund of #$P3 .*$A3 Bank card -450.00' '$OUT' && grep -qF \"payer's account 6222 **** **** 7894\" '$OUT' && ! grep -qF 6222021234567894 '$OUT'"
CSV="$TEST_TMP/day.csv"
run report daily --csv "$CSV"
check "csv: written" test -s "$CSV"
check "csv: header" sh -c "head -n 1 '$CSV' | grep -q '^record,day,terminal,operator,item,payments,payments_fen'"
check "csv: cash of the day in fen" grep -q "^day_method,$TODAY,,,cash,2,70000,700.00,1,-45000,-450.00,0,0,0.00,25000,250.00,$" "$CSV"
check "csv: bob's card" grep -q "^operator_method,$TODAY,T01,bob,card,1,45000,450.00," "$CSV"
check "csv: day total" grep -q "^day_total,$TODAY,,,,5,205000,,1,-45000,,1,-45000,,115000,1150.00,open; digest " "$CSV"
check "csv: export audited" audit_has "report.export"
check "csv: the refund's card masked" sh -c "grep -qF 'account 6222 **** **** 7894; reason: 客户取消' '$CSV' && ! grep -qF 6222021234567894 '$CSV'"

# --- the settlement printed as PDF: the same totals, read back ----------------------
# pdf_flat PDF: pdftotext's text in layout order (a table row stays one
# line), without white space (ideographic spaces too).
pdf_flat() { pdftotext -layout "$1" - 2>/dev/null | sed 's/　//g' | tr -d ' \n\t\f'; }
# pdf_has PDF TEXT...: the flattened text holds each TEXT.
pdf_has() {
	local flat pdf=$1
	flat=$(pdf_flat "$pdf")
	shift
	for t in "$@"; do
		case "$flat" in
		*"$t"*) ;;
		*) diag "$(basename "$pdf") lacks $t"; return 1 ;;
		esac
	done
}
pdf_lacks() { ! pdf_flat "$1" | grep -qF -- "$2"; }
if command -v pdftotext > /dev/null; then
	PDF="$TEST_TMP/day.pdf"
	run report daily --pdf "$PDF"
	check "pdf: exit 0" rc_is 0
	check "pdf: written 0600" test "$(stat -c %a "$PDF")" = 600
	check "pdf: says which copy" err_has "settlement copy 1 written to $PDF"
	check "pdf: the day, open" pdf_has "$PDF" "日结单" "营业日$TODAY" "未结账"
	check "pdf: the day's totals" pdf_has "$PDF" \
		"收款5笔2050.00元；作废1笔-450.00元；退款1笔-450.00元；净额1150.00元"
	# 现金: 2 paid 700.00, 1 voided -450.00, 0 refunded, net 250.00.
	check "pdf: cash by method" pdf_has "$PDF" "现金2700.001-450.0000.00250.00"
	check "pdf: the card refunded to 0" pdf_has "$PDF" "银行卡1450.0000.001-450.000.00"
	check "pdf: per terminal and per operator" pdf_has "$PDF" "终端T01" "终端T01操作员alice" \
		"终端T01操作员bob"
	check "pdf: counts by service (the voided one not counted)" pdf_has "$PDF" "新办41600.00"
	# A void's row: number, time, kind, original, its day, application,
	# method, amount, who, approver; the reason and account below it.
	check "pdf: the void with approver and reason" pdf_has "$PDF" \
		"作废#$P4${TODAY}${A4}现金-450.00@$(id -un)boss原因：顾客改刷卡付款账号：—"
	check "pdf: the refund, its card masked" pdf_has "$PDF" \
		"退款#$P3${TODAY}${A3}银行卡-450.00@$(id -un)boss原因：客户取消付款账号：6222********7894"
	check "pdf: no card number in clear" pdf_lacks "$PDF" 6222021234567894
	check "pdf: the digest of the day's rows" pdf_has "$PDF" \
		"SHA-256$(sed -n 's/.*open; digest \([0-9a-f]*\)$/\1/p' "$CSV")（7条）"
	check "pdf: the footer names the document" pdf_has "$PDF" "日结单SETTLE-${TODAY//-/}"
	check "pdf: recorded as a print job" \
		test "$(sql "SELECT document || '|' || copy || '|' || state FROM print_jobs WHERE app_no = 'SETTLE-${TODAY//-/}'")" = "settlement|1|completed"
	run print "$A3" receipt --to "$TEST_TMP/receipt.pdf"
	check "receipt: the payer's card masked" pdf_has "$TEST_TMP/receipt.pdf" "付款账号6222********7894"
	check "receipt: no card number in clear" pdf_lacks "$TEST_TMP/receipt.pdf" 6222021234567894
	check "pdf: audited" audit_has "print.file	SETTLE-${TODAY//-/}	document=settlement copy=1 file=$PDF"
else
	ok "# SKIP pdftotext not installed (poppler-utils)"
fi

# --- closing the day -------------------------------------------------------------------
run settle close
check "close without a supervisor: refused" rc_is 1
run_in "$ALICE_PW\n" settle close --by alice
check "close approved by an operator: refused" rc_is 1
run_in "$BOSS_PW\n" settle close --by boss
check "close: exit 0" rc_is 0
check "close: prints the audit head" grep -qE "^closed $TODAY: 7 payment rows; audit head [0-9]+ [0-9a-f]{64}$" "$OUT"
HEADSEQ=$(awk '{print $(NF-1)}' "$OUT")
check "closing row and checkpoint in the trail" \
	test "$(sql "SELECT count(*) FROM audit_checkpoints WHERE seq = $HEADSEQ")" -eq 1
check "the head kept is the settle.close row" \
	test "$("$GUITAI" -c "$conf" audit list --limit 1000 | awk -F '\t' -v s="$HEADSEQ" \
		'$1 == s { print $5 }')" = settle.close
run_in "$BOSS_PW\n" settle close --by boss
check "a day closes once" rc_is 1
run report daily
check "closed report: closed by and head" sh -c "grep -qF 'approved by boss' '$OUT' && grep -qF 'Audit chain head at closing: row $HEADSEQ' '$OUT'"
check "closed report: unchanged" out_has "The day's payments are as they were at closing."
if command -v pdftotext > /dev/null; then
	HEADHEX=$(sql "SELECT lower(hex(hash)) FROM audit WHERE seq = $HEADSEQ")
	run report daily --pdf "$PDF"
	check "closed pdf: second copy" err_has "settlement copy 2 written"
	check "closed pdf: closed, by whom, unchanged" pdf_has "$PDF" "已结账" "批准主管boss" \
		"与结账时一致" "第2份"
	check "closed pdf: the audit chain head at closing" pdf_has "$PDF" "第${HEADSEQ}行$HEADHEX"
fi
A6=$(batch "$EXAMPLE" alice)
check "after closing: no application with a payment" test -z "$A6"
check "after closing: says the day is closed" err_has "closed (settled)"
run_in "$BOSS_PW\n" payment refund "$(sql "SELECT id FROM payments WHERE app_no = '$A5'")" --reason x --by boss
check "after closing: refund refused today" rc_is 1
check "triggers: a payment cannot be changed" \
	sh -c "! sqlite3 '$DB' 'UPDATE payments SET amount_fen = 1 WHERE id = $P4' 2>/dev/null"
check "triggers: a payment cannot be deleted" \
	sh -c "! sqlite3 '$DB' 'DELETE FROM payments WHERE id = $P4' 2>/dev/null"
check "triggers: nothing added to a closed day" \
	sh -c "! sqlite3 '$DB' \"INSERT INTO payments (app_no, kind, method, amount_fen, reference, service, invoice, operator, approved_by, reason, terminal, day, at) SELECT app_no, 'payment', 'cash', 100, '', 'new', 'no', 'x', '', '', 'T01', day, at FROM payments WHERE id = $P4\" 2>/dev/null"
check "triggers: a closing cannot be removed" \
	sh -c "! sqlite3 '$DB' 'DELETE FROM settlements' 2>/dev/null"
check "payments unchanged" test "$(sql 'SELECT count(*) || sum(amount_fen) FROM payments')" = "7115000"
# With the triggers dropped, a change shows in the report.
sql "DROP TRIGGER payments_no_update; UPDATE payments SET amount_fen = 40000 WHERE id = $P4;"
run report daily
check "tampered closed day: exit 3" rc_is 3
check "tampered closed day: warning" out_has "WARNING: the day's payments differ from what was closed."
if command -v pdftotext > /dev/null; then
	run report daily --pdf "$PDF"
	check "tampered closed day: the PDF says so too" pdf_has "$PDF" "与结账时不一致"
fi
check "audit trail still verifies" sh -c "'$GUITAI' -c '$conf' audit verify > /dev/null"

# --- search ----------------------------------------------------------------------------
run search "$A3"
check "search by application number" sh -c "[ \$(wc -l < '$OUT') -eq 1 ] && grep -q '^$A3	' '$OUT'"
run search 91440300708461136T
check "search by USCC" test "$(wc -l < "$OUT")" -eq 5
run search 深圳市测试
check "search by the start of the name" test "$(wc -l < "$OUT")" -eq 5
run search 44030519900101123x
check "search by handler's ID number" test "$(wc -l < "$OUT")" -eq 5
run search 440304198502280023 --kind id
check "search by legal representative's ID number" test "$(wc -l < "$OUT")" -eq 5
run search '138 0013 8000'
check "search by mobile" test "$(wc -l < "$OUT")" -eq 5
check "search output masked" sh -c "grep -qF '4403**********123X' '$OUT' && grep -qF '138****8000' '$OUT' && ! grep -qE '13800138000|44030519900101123X' '$OUT'"
run search '6222 0212 3456 7894'
check "search by the payer's card" sh -c "[ \$(wc -l < '$OUT') -eq 1 ] && grep -q '^$A3	' '$OUT'"
check "search by card: shown masked" sh -c "grep -qF '6222 **** **** 7894' '$OUT' && ! grep -qF 6222021234567894 '$OUT'"
run search 6222021234567894 --kind account
check "search --kind account" sh -c "[ \$(wc -l < '$OUT') -eq 1 ] && grep -q '^$A3	' '$OUT'"
run search 6222021234567895 --kind account
check "search: another card finds nothing" test ! -s "$OUT"
check "account searches audited masked" sh -c "'$GUITAI' -c '$conf' audit list --limit 1000 | grep -q 'search.*6222 \*\*\*\* \*\*\*\* 7894' && ! '$GUITAI' -c '$conf' audit list --limit 1000 | grep -q 6222021234567894"
run search 13900000000
check "unknown mobile: nothing" test ! -s "$OUT"
run search 13800138000 --kind bogus
check "search: bad kind is a usage error" rc_is 2
check "searches audited, query masked" sh -c "'$GUITAI' -c '$conf' audit list --limit 1000 | grep -q 'search.*138\*\*\*\*8000' && ! '$GUITAI' -c '$conf' audit list --limit 1000 | grep -q '13800138000'"

# --- secrets never in the log or the trail ---------------------------------------------
"$GUITAI" -c "$conf" audit list --limit 100000 > "$TEST_TMP/trail.txt"
PII_KEY=$(cut -d: -f2 "$TEST_TMP/data/pii.key")
AUDIT_KEY=$(cut -d: -f2 "$TEST_TMP/data/audit.key")
for secret in "$BOSS_PW" "$ALICE_PW" alice-pw-5566 bob-pw-1122 audit-pw-3344 not-the-password "$PII_KEY" "$AUDIT_KEY" 6222021234567894; do
	check "no secret ${secret:0:6}… in the log" sh -c "! grep -qaF -- '$secret' '$LOG'"
	check "no secret ${secret:0:6}… in the trail" sh -c "! grep -qaF -- '$secret' '$TEST_TMP/trail.txt'"
done

# --- a missing PII key is not replaced over sealed records -----------------------------
mv "$TEST_TMP/data/pii.key" "$TEST_TMP/pii.key.saved"
run list
check "missing key with sealed records: exit 1" rc_is 1
check "missing key: says it is missing and names it" \
	sh -c "grep -qF 'missing' '$ERR' && grep -qF '$TEST_TMP/data/pii.key' '$ERR'"
check "missing key: no new key made" test ! -e "$TEST_TMP/data/pii.key"
mv "$TEST_TMP/pii.key.saved" "$TEST_TMP/data/pii.key"
run show "$A1"
check "key restored: records open again" rc_is 0
sed "s|^data_dir = .*|data_dir = $TEST_TMP/fresh|" "$conf" > "$TEST_TMP/fresh.conf"
"$GUITAI" -c "$TEST_TMP/fresh.conf" list > /dev/null 2>&1
check "empty database: key made on first run" test -s "$TEST_TMP/fresh/pii.key"

done_testing
