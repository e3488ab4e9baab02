#!/usr/bin/env bash
# End to end: the real guitai in tmux at 80x24, in Chinese, from log-in
# through every step of new issuance to the review and submission, with a
# wrong USCC on the way; then the stored record is read back.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e/tmux.sh"

conf=$(write_config)
add_demo_operator "$conf"
# No print server: the machine's cupsd, if any, must not get a test page.
export CUPS_SERVER="$TEST_TMP/no-cupsd.sock"

check "zh_CN catalogue is built and Chinese" \
	test "$(zh 'Operator log-in')" != "Operator log-in"

start_ui zh_CN.UTF-8 80 24 -c "$conf"
check "login screen in Chinese" wait_for "$(zh 'Operator log-in')"
check "status bar shows reader slot" wait_for "$(zh 'Reader')"
login_demo "$(zh 'Operator log-in')"
check "home menu lists new issuance" wait_for "$(zh 'New issuance')"
keys 1
check "step 1 shows the price" wait_for "450.00"
check "step 1 title" wait_for "1/5"
keys F1
check "F1 help on step 1" wait_for "$(zh 'Enter: OK')"
keys Enter
keys F10
check "step 2 organisation" wait_for "2/5"
check "required fields are marked" sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep -q '^ \* '"
type_text "深圳市测试科技有限公司"
keys Tab Tab
type_text "91440300708461136A"
keys Tab
uscc_err=$(printf "$(zh 'check character should be %c, not %c')" T A)
check "wrong USCC: error beside the field, in Chinese" wait_for "$uscc_err"
check "error on the USCC row" sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep '91440300708461136A' | grep -qF '$uscc_err'"
check "province pre-filled from the USCC" wait_for "440000"
check "city pre-filled from the USCC" wait_for "440300"
keys F10
check "Next with a failing USCC asks for an override reason" \
	wait_for "$(zh 'Accept a code that fails its check?')"
keys Escape
# The check put the cursor on the first field in trouble: the USCC.
keys C-u
type_text "91440300708461136T"
keys Tab
sleep 0.3
check "corrected USCC clears the error" sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep -qF '$uscc_err'"
keys Tab Tab Tab
type_text "深圳市南山区科技园科苑路1号"
keys Tab
type_text "518057"
keys F10
check "step 3 people" wait_for "3/5"
type_text "张三"
keys Tab Tab
type_text "440304198502280023"
keys Tab
type_text "李四"
keys Tab Tab
type_text "44030519900101123x"
keys Tab
type_text "1380013800"
keys Tab
check "short mobile: error shown" wait_for "$(printf "$(zh 'must be 11 digits (has %d)')" 10)"
keys Up C-u
type_text "13800138000"
keys Tab
type_text "lisi@example.com"
keys Tab
type_text "经理"
keys F10
check "step 4 payment" wait_for "4/5"
check "invoice title defaults to the organisation" wait_for "深圳市测试科技有限公司"
keys Tab Tab Tab
keys Right Right
check "payment method chosen from the list" wait_for "$(zh 'Bank card')"
keys F10
check "reference required for a card" wait_for "$(zh 'required')"
# The check put the cursor on the reference.
type_text "4200001234202611210000"
keys F10
check "the payer's card required for a card payment" wait_for "$(zh 'required')"
# Then on the account: typed with spaces, one digit wrong.
type_text "6222 0212 3456 7895"
keys F10
check "a card number failing its check digit is refused" \
	wait_for "$(zh 'card number check digit is wrong')"
keys C-u
type_text "6222 0212 3456 7894"
keys F10
check "step 5 review" wait_for "5/5"
check "review names the region" wait_for "440300 深圳市"
keys NPage
check "review masks the ID number" wait_for "4403**********123X"
check "review masks the mobile" wait_for "138****8000"
check "review masks the payer's card" wait_for "6222 **** **** 7894"
check "review shows the total" wait_for "450.00"
keys F10
check "submitted" wait_for "$(zh 'Application accepted')"
app_no=$(screen | grep -o 'T01-[0-9]\{8\}-[0-9]\{4\}' | head -n 1)
keys Enter
# The application form prints next (issue 5); with no print server here
# the print screen says so, and Esc leaves it (tests/e2e/print.sh prints).
check "the print screen opens after submission" wait_for "$(zh 'Print documents')"
keys Escape
# Then the offer to personalise a key (issue 4): not in this test.
wait_for "$(zh 'Personalise a blank key for this application now?')" 5 > /dev/null && keys n
check "back at the menu" wait_for "$(zh 'New issuance')"

"$GUITAI" -c "$conf" show "$app_no" --full > "$TEST_TMP/show.txt"
check "stored: status submitted" grep -q "status submitted" "$TEST_TMP/show.txt"
check "stored: organisation in Chinese" grep -q "^name = 深圳市测试科技有限公司" "$TEST_TMP/show.txt"
check "stored: handler ID normalised (x -> X)" grep -q "^id_number = 44030519900101123X" "$TEST_TMP/show.txt"
check "stored: mobile" grep -q "^mobile = 13800138000" "$TEST_TMP/show.txt"
check "stored: payment reference" grep -q "^reference = 4200001234202611210000" "$TEST_TMP/show.txt"
check "stored: the payer's card, digits only" grep -q "^account = 6222021234567894$" "$TEST_TMP/show.txt"
check "database file holds no card number in clear" \
	sh -c "! grep -qa 6222021234567894 '$TEST_TMP/data/guitai.db'"
check "stored: region from the USCC" grep -q "^city = 440300" "$TEST_TMP/show.txt"
check "stored: postcode" grep -q "^postcode = 518057" "$TEST_TMP/show.txt"
check "database file holds no ID number in clear" \
	sh -c "! grep -qa 44030519900101123X '$TEST_TMP/data/guitai.db'"

keys F12
check "F12 leaves the program" wait_exit
check "exit status 0" grep -qx 0 "$TEST_TMP/ui.exit"
check "terminal restored (echo, icanon)" \
	sh -c "grep -q ' icanon' '$TEST_TMP/stty.after' && grep -q ' echo ' '$TEST_TMP/stty.after'"
done_testing
