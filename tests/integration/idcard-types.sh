#!/bin/bash
# `idcard read` over the GA 467 simulator for every card type: resident
# (dated, long-term, raw nation code, fingerprint, appended address), J
# HK/Macao/Taiwan permit, I 2017 and Y 2023 foreigner cards; masking,
# --full, --json, --photo, the command sequence on the wire, pacing at
# 115200 baud, a card placed late, `idcard status`, and usage errors.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integration/idcard-lib.sh"
diag "idcard command: $IDCARD_CLI"

# --- resident card, timed at 115200 baud --------------------------------
start_sim --card "$CARDS/resident.ini"
check "simulator prints its pty" test -c "$SIM_DEV"
t0=$(date +%s%N)
read_card
t1=$(date +%s%N)
check "resident: exit 0" test "$RC" -eq 0
check "resident: name" has "李明"
check "resident: card type" has "Resident ID card"
check "resident: number masked" has "4403**********123X"
check "resident: full number not shown" test "${OUT#*44030519900101123X}" = "$OUT"
check "resident: gender named" has "男 (1)"
check "resident: nation named" has "汉 (01)"
check "resident: birth date" has "1990-01-01"
check "resident: address" has "广东省深圳市南山区科技园南区高新南七道18号"
check "resident: authority" has "深圳市公安局南山分局"
check "resident: validity" has "2020-03-15 - 2040-03-15"
check "resident: photo kept raw, not drawn" has "1024 bytes, WLT format"
ms=$(( (t1 - t0) / 1000000 ))
diag "read took $ms ms (the 30 01 answer alone needs 113 ms on the wire)"
check "resident: paced to the baud rate (>= 112 ms)" test "$ms" -ge 112
check "wire: status, find, select, read, appended address" \
	test "$(tr '\n' ' ' < "$SIM_LOG")" = "11 FF 20 01 20 02 30 01 30 03 "

read_card --full --photo "$TEST_TMP/photo.wlt"
check "--full shows the whole number" has "44030519900101123X"
check "--photo saves 1024 raw bytes" test "$(stat -c %s "$TEST_TMP/photo.wlt")" -eq 1024

read_card --json
check "--json: exit 0" test "$RC" -eq 0
check "--json: type" has '"type": "resident"'
check "--json: masked number" has '"id_number": "4403**********123X"'
check "--json: nation" has '"nation_name": "汉"'
check "--json: photo bytes" has '"photo_bytes": 1024'
if command -v python3 >/dev/null 2>&1; then
	check "--json: parses as JSON" python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$OUT"
else
	ok "# SKIP --json parses (no python3)"
fi

OUT=$("$IDCARD_CLI" --config "$IDCARD_CONF" idcard status --device "$SIM_DEV" 2>&1)
RC=$?
check "status: exit 0" test "$RC" -eq 0
check "status: SAM id" has "05.01-00012345-"
stop_sim

# --- long-term card with appended address and fingerprint ---------------
start_sim --card "$CARDS/resident-longterm.ini"
read_card --fingerprint
check "long-term: exit 0" test "$RC" -eq 0
check "long-term: validity 长期" has "2012-06-01 - long-term"
check "long-term: nation 回" has "回 (03)"
check "long-term: appended address (30 03)" has "广东省深圳市福田区福华三路88号"
check "long-term: fingerprint variant (30 10)" has "1024 bytes of feature data"
check "wire: fingerprint read used 30 10" grep -q "^30 10$" "$SIM_LOG"
read_card --json
check "long-term: --json valid_to" has '"valid_to": "long_term"'
stop_sim

# --- female, Zhuang, 512 bytes of fingerprint ---------------------------
start_sim --card "$CARDS/resident-female.ini"
read_card --fingerprint
check "female: exit 0" test "$RC" -eq 0
check "female: gender" has "女 (2)"
check "female: nation 壮" has "壮 (08)"
check "female: 512 bytes of fingerprint" has "512 bytes of feature data"
stop_sim

# --- nation code not in GB 3304: shown raw, not refused -----------------
start_sim --card "$CARDS/resident-raw-nation.ini"
read_card --json
check "raw nation: exit 0" test "$RC" -eq 0
check "raw nation: code kept" has '"nation": "59"'
check "raw nation: no name invented" has '"nation_name": null'
check "raw nation: leap-day birth" has '"birth": "20000229"'
stop_sim

# --- J: HK/Macao/Taiwan residence permit --------------------------------
start_sim --card "$CARDS/hmt.ini"
read_card
check "J card: exit 0" test "$RC" -eq 0
check "J card: type" has "HK/Macao/Taiwan residence permit"
check "J card: name" has "何家豪"
check "J card: number masked" has "8200**********001X"
check "J card: travel permit number masked" has "M123*5678"
check "J card: issue count" has "01"
read_card --json --full
check "J card: --json type" has '"type": "hmt_permit"'
check "J card: --full number" has '"id_number": "82000020010315001X"'
check "J card: --full permit" has '"pass_number": "M12345678"'
stop_sim

# --- I: 2017 foreign permanent resident card ----------------------------
start_sim --card "$CARDS/foreign2017.ini"
read_card
check "I card: exit 0" test "$RC" -eq 0
check "I card: type" has "Foreign permanent resident ID card (2017)"
check "I card: English name" has "SMITH JOHN ROBERT"
check "I card: Chinese name" has "史密斯"
check "I card: number masked" has "USA4*******0112"
check "I card: nationality" has "USA"
check "I card: birth" has "1987-01-01"
stop_sim

# --- Y: 2023 foreign permanent resident card ----------------------------
start_sim --card "$CARDS/foreign2023.ini"
read_card --json
check "Y card: exit 0" test "$RC" -eq 0
check "Y card: type" has '"type": "foreign_2023"'
check "Y card: English name across both fields" \
	has '"name_en": "ABDULLAH BIN FAHAD MOHAMMED ALSAUD ALQAHTANI"'
check "Y card: number masked" has '"id_number": "9326**********0017"'
check "Y card: nationality" has '"nationality": "SAU"'
check "Y card: renewals" has '"issue_count": "00"'
stop_sim

# --- a card placed after the command started: polled until it comes -----
start_sim --card "$CARDS/resident.ini" --card-after 700
read_card --wait 5
check "late card: read once placed" test "$RC" -eq 0
check "late card: several finds before it" test "$(grep -c '^20 01$' "$SIM_LOG")" -ge 2
stop_sim

# --- at 9600 baud --------------------------------------------------------
start_sim --card "$CARDS/resident.ini" --baud 9600
read_card --baud 9600
check "9600 baud: exit 0" test "$RC" -eq 0
stop_sim

# --- usage and device errors ----------------------------------------------
"$IDCARD_CLI" --config "$IDCARD_CONF" idcard read --bogus >/dev/null 2>&1
check "unknown option: exit 2" test $? -eq 2
"$IDCARD_CLI" --config "$IDCARD_CONF" idcard frobnicate >/dev/null 2>&1
check "unknown verb: exit 2" test $? -eq 2
"$IDCARD_CLI" --config "$IDCARD_CONF" idcard read --wait 0 >/dev/null 2>&1
check "bad --wait: exit 2" test $? -eq 2
SIM_DEV="$TEST_TMP/no-such-tty"
read_card
check "missing device: exit 1" test "$RC" -eq 1
check "missing device: named" err_has "no-such-tty"
SIM_DEV=/dev/null
read_card
check "not a tty: exit 1" test "$RC" -eq 1
check "not a tty: said" err_has "not a serial device"

done_testing
