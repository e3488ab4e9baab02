#!/usr/bin/env bash
# End to end (issue 6): the counter refuses to start without an operator;
# an operator voids a payment from the daily settlement with a supervisor's
# approval typed at the same terminal (an operator cannot approve, a wrong
# password is refused and counted); the supervisor closes the day; the
# look-up finds the application by mobile with the numbers masked; and a
# USCC failing its check is accepted in the wizard only once a supervisor
# approved, the record naming who. English at 80x24, then the menu in
# Chinese.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e/tmux.sh"

conf=$(write_config "[print]
templates = $top_srcdir/data/templates")
# No print server at all: printing the settlement must say so, not hang.
export CUPS_SERVER="$TEST_TMP/no-cupsd.sock"
start_ui en_US.UTF-8 80 24 -c "$conf"
check "no operator: the counter does not start" wait_exit
check "no operator: exit status 1" grep -qx 1 "$TEST_TMP/ui.exit"
check "no operator: says the command" sh -c "'$GUITAI' -c '$conf' 2>&1 | grep -qF 'operator add NAME --role supervisor'"

add_demo_operator "$conf"
printf 'clerk123\ndemo1234\n' | "$GUITAI" -c "$conf" operator add clerk --password-file - --by demo
write_min_app "$TEST_TMP/app.ini" "[payment]
method = cash"
app=$(echo clerk123 | "$GUITAI" -c "$conf" issue --batch "$TEST_TMP/app.ini" --operator clerk)
check "an application with its payment" test -n "$app"

# approve_as NAME PASSWORD: type into the approval dialog.
approve_as() {
	wait_for "Supervisor approval" || return 1
	type_text "$1"
	keys Enter
	type_text "$2"
	keys Enter
}

start_ui en_US.UTF-8 80 24 -c "$conf"
wait_for "Operator log-in"
type_text clerk
keys Enter
type_text clerk123
keys Enter
check "settlement is on the menu" wait_for "0  Daily settlement"
check "look-up is on the menu" sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep '8  Look up applications' | grep -vq 'not available'"
keys 0
check "settlement of today" wait_for "1 payments, 0 voids, 0 refunds; net 450.00 CNY"
check "settlement per operator" wait_for "Operator clerk"
keys F7
check "void: the day's payments to choose from" wait_for "$app Cash 450.00 clerk"
keys Enter
check "void: asks the reason" wait_for "Void payment #1: Cash 450.00 CNY of $app."
type_text "顾客要求取消"
keys Enter
approve_as clerk clerk123
check "an operator cannot approve" wait_for "clerk is not a supervisor and cannot approve this."
keys Escape
check "not voided after a refusal" wait_for "1 payments, 0 voids"
keys F7
wait_for "$app Cash 450.00 clerk"
keys Enter
wait_for "Reason:"
type_text "顾客要求取消"
keys Enter
approve_as demo wrong-password
check "a wrong supervisor password is refused" wait_for "Wrong operator name or password."
type_text demo1234
keys Enter
check "voided with the approval" wait_for "Payment #1 voided (#2), approved by demo."
check "the void in the settlement" wait_for "1 payments, 1 voids, 0 refunds; net 0.00 CNY"
keys End
check "the void listed with its approver" wait_for "approved by demo: 顾客要求取消"
keys Home
keys F8
check "close: confirm first" wait_for "Close the day"
keys y
approve_as demo demo1234
check "day closed" wait_for "closed, approved by demo; audit head at row"
check "closed report carries the audit head" wait_for "Audit chain head at closing: row"
keys F4
check "save as PDF: asks where" wait_for "File to write"
keys Enter
check "saved as PDF" wait_for "Settlement (copy 1) saved to"
SETTLE_PDF="$TEST_TMP/data/settlement-$(date +%F).pdf"
check "the PDF: the day closed, the void and who approved it" \
	sh -c "pdftotext -layout '$SETTLE_PDF' - | tr -d ' ' | grep -q 已结账 && pdftotext -layout '$SETTLE_PDF' - | grep -q 顾客要求取消 && pdftotext -layout '$SETTLE_PDF' - | grep -q 'demo'"
keys F5
check "print without a print server: says why" wait_for "Not printed:"
check "the failed job is recorded" \
	sh -c "sqlite3 '$TEST_TMP/data/guitai.db' \"SELECT state FROM print_jobs WHERE document = 'settlement' ORDER BY id DESC LIMIT 1\" | grep -qx failed"
keys Escape

keys 8
check "look-up asks what to find" wait_for "ID number or mobile:"
type_text "138 0013 8000"
keys Enter
check "look-up by mobile finds the application" wait_for "$app  submitted"
check "look-up masks the mobile" wait_for "Mobile: 138****8000"
check "look-up masks the ID number" wait_for "Handler ID no.: 4403**********123X"
check "look-up shows the void" wait_for "void of #1: -450.00 CNY, clerk, approved by demo"
check "no full number on screen" sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep -qE '13800138000|44030519900101123X'"
keys Escape
wait_for "ID number or mobile:"
keys Escape

keys 1
wait_for "1/5"
keys F10
wait_for "2/5"
type_text "深圳市测试科技有限公司"
keys Tab Tab
type_text "91440300708461136A"
keys Tab
keys F10
check "a failing USCC asks for a reason" wait_for "Accept a code that fails its check?"
type_text "营业执照上即为此代码"
keys Enter
check "then a supervisor's approval" wait_for "Accept the code 91440300708461136A, which fails its check"
keys Escape
check "without approval the code is still refused" wait_for "need attention"
new_app=$(screen | grep -o 'T01-[0-9]\{8\}-[0-9]\{4\}' | head -n 1)
keys F10
wait_for "Accept a code that fails its check?"
type_text "营业执照上即为此代码"
keys Enter
approve_as demo demo1234
# The check left the cursor on the first field in trouble: the address.
check "approved: only the address is missing" wait_for "1 field(s) need attention"
type_text "深圳市南山区科技园科苑路1号"
keys F10
check "approved: on to the people" wait_for "3/5"
keys Escape
wait_for "New issuance"
"$GUITAI" -c "$conf" show "$new_app" > "$TEST_TMP/show.txt"
check "the record names the approving supervisor" grep -qx "id_override_approved_by = demo" "$TEST_TMP/show.txt"
check "the approval is in the trail with the application" \
	sh -c "'$GUITAI' -c '$conf' audit list --limit 500 | grep 'approve.ok' | grep '$new_app' | grep -q 'uscc_override'"
check "the override row names the supervisor" \
	sh -c "'$GUITAI' -c '$conf' audit list --limit 500 | grep 'app.override_uscc' | grep -q 'approved by demo'"
check "refusals are in the trail" \
	sh -c "'$GUITAI' -c '$conf' audit list --limit 500 | grep -q 'approve.refused' && '$GUITAI' -c '$conf' audit list --limit 500 | grep -q 'approve.fail'"
check "no password in the log" sh -c "! grep -qE 'demo1234|clerk123|wrong-password' '$TEST_TMP/guitai.log'"
keys F12
wait_exit

# The menu in Chinese: the two services are there, translated.
start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
# The draft left above is offered first.
wait_for "$(zh 'Unfinished applications: resume one?')"
keys Escape
check "zh: settlement on the menu" wait_for "$(zh 'Daily settlement')"
keys 0
check "zh: settlement screen title" wait_for "$(printf "$(zh 'Daily settlement %s')" "$(date +%F)")"
check "zh: closed day says so" wait_for "$(zh "The day's payments are as they were at closing.")"
keys Escape F12
wait_exit

done_testing
