#!/usr/bin/env bash
# End to end: F2 on the people step reads the ID card from the GA 467
# simulator and fills the person's fields; an expired card is refused and
# fills nothing; edits after a read are noted; the status bar shows the
# reader; the photo is kept with the application.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e/tmux.sh"
. "$top_srcdir/tests/integration/idcard-lib.sh"

start_sim --card "$CARDS/resident.ini"
conf=$(write_config "[idcard]
device = $SIM_DEV
timeout_ms = 1000")
add_demo_operator "$conf"

start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
wait_for "$(zh 'New issuance')" >/dev/null
check "status bar: reader ready" wait_for "$(zh 'Reader') $(zh 'ready')" 40
keys 1
wait_for "1/5" >/dev/null
keys F10
wait_for "2/5" >/dev/null
type_text "深圳市测试科技有限公司"
keys Tab Tab
type_text "91440300708461136T"
keys Tab Tab Tab Tab
type_text "深圳市南山区科技园科苑路1号"
keys F10
check "people step" wait_for "3/5"
check "F2 is offered on the people step" wait_for "F2"
# To the handler's block: legal rep has name, type, number.
keys Down Down Down
keys F2
check "handler filled from the card: name" wait_for "李明"
check "handler filled from the card: number" wait_for "44030519900101123X"
check "card summary shows the issuer" wait_for "深圳市公安局南山分局"
check "message says the read worked" wait_for "$(printf "$(zh 'Read from the ID card: %s. Check the fields; they can still be edited.')" 李明 | cut -c1-12)"

# The legal representative's card is expired: refused, nothing filled.
stop_sim
start_sim --card "$CARDS/expired.ini"
sed -i "s|^device = .*|device = $SIM_DEV|" "$conf"
keys Escape
wait_for "$(zh 'New issuance')" >/dev/null
tm kill-session -t ui
start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
check "resume offered" wait_for "$(zh 'Unfinished applications: resume one?')"
keys Enter
check "resumed at the people step with the card data" wait_for "李明"
keys F2
check "expired card refused" wait_for "$(zh 'Card refused, nothing filled: %s' | sed 's/%s.*//')"
check "legal representative not filled" sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep -q '$(sed -n 's/^name = //p' "$CARDS/expired.ini")'"

# Editing the handler's name after the read: it no longer counts as read.
keys Down Down Down C-u
type_text "李明明"
keys Tab
sleep 0.5
keys Escape
wait_for "$(zh 'New issuance')" >/dev/null
app_no=$("$GUITAI" -c "$conf" list --status draft | cut -f1 | head -n 1)
"$GUITAI" -c "$conf" show "$app_no" --full > "$TEST_TMP/show.txt"
check "stored: when the card was read" grep -q "^card_read_at = 20" "$TEST_TMP/show.txt"
check "stored: number from the card" grep -q "^id_number = 44030519900101123X" "$TEST_TMP/show.txt"
check "stored: issuer from the card" grep -q "^issuer = 深圳市公安局南山分局" "$TEST_TMP/show.txt"
check "stored: validity from the card" grep -q "^id_valid_to = 2040-03-15" "$TEST_TMP/show.txt"
check "stored: edited name no longer listed as from the card" \
	sh -c "grep '^card_fields = ' '$TEST_TMP/show.txt' | grep -v -q '\\bname\\b' && grep -q '^card_fields = id_type,id_number' '$TEST_TMP/show.txt'"
check "photo kept with the application (sealed)" \
	test "$(sqlite3 "$TEST_TMP/data/guitai.db" "SELECT count(*) FROM card_photos WHERE app_no = '$app_no'")" = 1
stop_sim
done_testing
