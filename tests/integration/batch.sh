#!/usr/bin/env bash
# Headless new issuance: `guitai issue --batch FILE` with the example of the
# batch format (issue 2), then every kind of bad input it must refuse with
# exit 3 and one `section.key: message` line per problem; usage errors
# (exit 2); and the read-only sub-commands show, list, catalog, region, paths.
. "$top_srcdir/tests/lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE=

conf=$(write_config)
# run, rc_is: tests/lib.sh. out_has and err_has here take regular
# expressions.

# run_bare ARGS...: guitai without the test config.
run_bare() {
	"$GUITAI" "$@" > "$OUT" 2> "$ERR"
	RC=$?
}

# No sanitizer report, no crash: the status is one of ours.
no_crash() {
	[ "$RC" -le 3 ] && ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$ERR"
}

out_has() { grep -qE -- "$1" "$OUT"; }
err_has() { grep -qE -- "$1" "$ERR"; }
out_lines() { wc -l < "$OUT"; }

# Every output line is `section.key: message`.
all_lines_shaped() {
	[ -s "$OUT" ] && ! grep -qvE '^[a-z_]+\.[a-z_]+: .+$' "$OUT"
}

stored_count() {
	"$GUITAI" -c "$conf" list --limit 1000 | wc -l
}

# The example of the batch format, exactly as issue 2 gives it.
EXAMPLE="$TEST_TMP/example.ini"
cat > "$EXAMPLE" <<'INI'
[application]
service = new              ; new (later: renew replace change unlock repin revoke)
project = szjsgws          ; key of the relying application in the catalogue
cert_type = org            ; org | person
term_years = 1             ; 1 | 3 | 5
eseal = yes                ; yes | no

[organization]
name = 深圳市测试科技有限公司
id_type = uscc
id_number = 91440300708461136T
address = 深圳市南山区科技园科苑路1号
; province / city / county = GB/T 2260 codes; derived from the USCC when absent
; id_override_reason = text — accepts a USCC whose check character fails (stored)

[legal_rep]
name = 张三
id_type = resident         ; resident | hmt_permit | foreign_2017 | foreign_2023
id_number = 440304198502280023

[handler]
name = 李四
id_type = resident
id_number = 44030519900101123X
mobile = 13800138000
email = lisi@example.com
position = 经理

[invoice]
electronic = yes
title = 深圳市测试科技有限公司
tax_number = 91440300708461136T

[payment]
method = wechat            ; cash | card | wechat | alipay | transfer
reference = 4200001234202611210000
; account = the payer's card (card) or bank account (transfer) number
INI

# variant NAME SED-SCRIPT: a copy of the example changed by sed; prints its path.
variant() {
	local f="$TEST_TMP/$1.ini"
	sed -e "$2" "$EXAMPLE" > "$f"
	echo "$f"
}

# --- the example is stored ------------------------------------------------------
run issue --batch "$EXAMPLE"
check "example: exit 0" rc_is 0
check "example: one line, an application number" \
	sh -c "[ \$(wc -l < '$OUT') -eq 1 ] && grep -qE '^T01-[0-9]{8}-[0-9]{4}\$' '$OUT'"
check "example: nothing on stderr" test ! -s "$ERR"
app1=$(head -n 1 "$OUT")
check "the number carries today's date" test "${app1:4:8}" = "$(date +%Y%m%d)"
check "no --operator: stored as the system account that ran it" \
	sh -c "'$GUITAI' -c '$conf' audit list --limit 10 | grep -q \"	@$(id -un)	batch.stored	$app1\""

run show "$app1"
check "show: exit 0" rc_is 0
check "show: status submitted" out_has "^; .*$app1.*submitted"
check "show: organisation name" out_has '^name = 深圳市测试科技有限公司$'
check "show: USCC" out_has '^id_number = 91440300708461136T$'
check "show: region derived from the USCC" out_has '^city = 440300$'
check "show: legal rep. ID masked" out_has '^id_number = 4403\*+0023$'
check "show: handler ID masked" out_has '^id_number = 4403\*+123X$'
check "show: mobile masked" out_has '^mobile = 138\*+8000$'
check "show: no full ID number" sh -c "! grep -qE '440304198502280023|44030519900101123X|13800138000' '$OUT'"
check "show: payment reference" out_has '^reference = 4200001234202611210000$'
run show "$app1" --full
check "show --full: exit 0" rc_is 0
check "show --full: legal rep. ID" out_has '^id_number = 440304198502280023$'
check "show --full: handler ID" out_has '^id_number = 44030519900101123X$'
check "show --full: mobile" out_has '^mobile = 13800138000$'
check "show --full: e-mail" out_has '^email = lisi@example.com$'
check "show --full: no override reason" sh -c "! grep -q id_override_reason '$OUT'"
check "database holds no ID number in clear" \
	sh -c "! grep -qa 44030519900101123X '$TEST_TMP/data/guitai.db'"
run show T01-19990101-9999
check "show of an unknown number: exit 1" rc_is 1
check "show of an unknown number: says so" err_has 'T01-19990101-9999'

run issue --batch "$EXAMPLE"
app2=$(head -n 1 "$OUT")
check "second batch: exit 0" rc_is 0
check "second batch: next number" \
	test "${app2%-*}" = "${app1%-*}" -a "$((10#${app2##*-}))" -eq "$((10#${app1##*-} + 1))"
printf 'clerk-pw-1234\n' > "$TEST_TMP/clerk.pw"
"$GUITAI" -c "$conf" operator add clerk --role supervisor --password-file "$TEST_TMP/clerk.pw" \
	> /dev/null 2>&1
run issue --batch "$EXAMPLE" --operator clerk --password-file "$TEST_TMP/clerk.pw"
app3=$(head -n 1 "$OUT")
check "third batch (--operator): next number again" \
	test "$((10#${app3##*-}))" -eq "$((10#${app2##*-} + 1))"
check "third batch: stored as the operator who logged in" \
	sh -c "'$GUITAI' -c '$conf' audit list --limit 10 | grep -q \"	clerk	batch.stored	$app3\""

# Windows line ends and a byte-order mark are read as well.
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$EXAMPLE"; } > "$TEST_TMP/crlf.ini"
run issue --batch "$TEST_TMP/crlf.ini"
check "CRLF and BOM: exit 0" rc_is 0
check "CRLF and BOM: a number" out_has '^T01-[0-9]{8}-[0-9]{4}$'
app_crlf=$(head -n 1 "$OUT")
run show "$app_crlf" --full
check "CRLF: no CR stored" sh -c "! grep -q \$'\\r' '$OUT'"

# --- one bad field: one line -------------------------------------------------------
stored=$(stored_count)
f=$(variant one-bad 's/^id_number = 91440300708461136T$/id_number = 9144030070846113/
s/^id_type = uscc$/id_type = uscc\nprovince = 440000\ncity = 440300\ncounty = 440305/')
run issue --batch "$f"
check "one bad field: exit 3" rc_is 3
check "one bad field: exactly one line" test "$(out_lines)" -eq 1
check "one bad field: organization.id_number: message" out_has '^organization\.id_number: .+'
check "one bad field: nothing stored" test "$(stored_count)" -eq "$stored"

# --- several bad fields: one line each ---------------------------------------------
f=$(variant many-bad 's/^term_years = 1 /term_years = 2 /
s/^id_number = 440304198502280023$/id_number = 440304198502280024/
s/^mobile = .*/mobile = 12345/
s/^email = .*/email = lisi.example.com/
s/^method = wechat /method = cheque /')
run issue --batch "$f"
check "several bad fields: exit 3" rc_is 3
check "several bad fields: every line is section.key: message" all_lines_shaped
check "several bad fields: application.term_years" out_has '^application\.term_years: '
check "several bad fields: legal_rep.id_number" out_has '^legal_rep\.id_number: '
check "several bad fields: handler.mobile" out_has '^handler\.mobile: '
check "several bad fields: handler.email" out_has '^handler\.email: '
check "several bad fields: payment.method" out_has '^payment\.method: '
check "several bad fields: one line per field" \
	test "$(cut -d: -f1 "$OUT" | sort | uniq -d | wc -l)" -eq 0
check "several bad fields: nothing stored" test "$(stored_count)" -eq "$stored"

# --- the payer's account: for a card or a transfer, checked, masked --------------
stored=$(stored_count)
f=$(variant card-no-account 's/^method = wechat /method = card /')
run issue --batch "$f"
check "card without the payer's card number: exit 3" rc_is 3
check "card without its number: payment.account required" out_has '^payment\.account: required$'
f=$(variant card-bad 's/^method = wechat /method = card /
s/^reference = .*/reference = POS778899\naccount = 6222 0212 3456 7895/')
run issue --batch "$f"
check "card number failing its check digit: exit 3" rc_is 3
check "card number failing its check digit: says so" out_has '^payment\.account: .*check digit'
check "card number failing its check digit: not echoed" sh -c "! grep -qF 7895 '$OUT'"
f=$(variant cash-account 's/^method = wechat /method = cash /
s/^reference = .*/account = 6222021234567894/')
run issue --batch "$f"
check "an account with a cash payment: refused" out_has '^payment\.account: only for card or transfer'
check "refused accounts: nothing stored" test "$(stored_count)" -eq "$stored"
f=$(variant transfer 's/^method = wechat /method = transfer /
s/^reference = .*/reference = HD20261121001\naccount = 4405 0110 0623 0000 1234/')
run issue --batch "$f"
check "transfer with the payer's account: exit 0" rc_is 0
app_tr=$(head -n 1 "$OUT")
run show "$app_tr"
check "transfer: account shown masked" out_has '^account = 4405 \*\*\*\* \*\*\*\* \*\*\*\* 1234$'
run show "$app_tr" --full
check "transfer: account kept as digits, spaces dropped" out_has '^account = 44050110062300001234$'
check "database holds no account number in clear" \
	sh -c "! grep -qa 44050110062300001234 '$TEST_TMP/data/guitai.db'"

# --- USCC whose check character fails: refused unless a reason is given ------------
f=$(variant uscc-check 's/^id_number = 91440300708461136T$/id_number = 91440300708461136A/
s/^tax_number = .*/tax_number = 91440300708461136A/')
run issue --batch "$f"
check "USCC check fails: exit 3" rc_is 3
check "USCC check fails: one line" test "$(out_lines)" -eq 1
check "USCC check fails: names the field" out_has '^organization\.id_number: '
check "USCC check fails: says how to accept it" out_has 'id_override_reason'
f=$(variant uscc-override 's/^id_number = 91440300708461136T$/id_number = 91440300708461136A\nid_override_reason = 营业执照上即为此代码，已核对原件/
s/^tax_number = .*/tax_number = 91440300708461136A/')
run issue --batch "$f"
check "USCC with a reason but no supervisor: exit 3" rc_is 3
check "USCC with a reason but no supervisor: says --by" out_has '--by SUPERVISOR'
# A supervisor approves the override (issue 6).
printf 'boss-pass-1234\n' > "$TEST_TMP/boss.pw"
printf 'boss-pass-1234\n' | "$GUITAI" -c "$conf" operator add boss --role supervisor \
	--password-file - --by clerk --by-password-file "$TEST_TMP/clerk.pw" > /dev/null 2>&1
run issue --batch "$f" --by boss --by-password-file "$TEST_TMP/boss.pw"
check "USCC with a reason: exit 0" rc_is 0
app_ovr=$(head -n 1 "$OUT")
run show "$app_ovr" --full
stored=$(stored_count)
check "USCC with a reason: code stored as given" out_has '^id_number = 91440300708461136A$'
check "USCC with a reason: reason stored" out_has '^id_override_reason = 营业执照上即为此代码，已核对原件$'
check "USCC with a reason: approving supervisor stored" out_has '^id_override_approved_by = boss$'
f=$(variant approved-in-file 's/^id_number = 91440300708461136T$/id_number = 91440300708461136A\nid_override_reason = x\nid_override_approved_by = boss/
s/^tax_number = .*/tax_number = 91440300708461136A/')
run issue --batch "$f"
check "approval written in the file: refused" rc_is 3
check "approval written in the file: says how" out_has '^organization\.id_override_approved_by: '

# --- structure: unknown section and key, duplicate, missing ---------------------
f="$TEST_TMP/unknown-section.ini"
{ cat "$EXAMPLE"; printf '\n[shipping]\ncourier = SF\n'; } > "$f"
run issue --batch "$f"
check "unknown section: exit 3" rc_is 3
check "unknown section: named" out_has '^shipping\.courier: .*shipping'
f=$(variant unknown-key 's/^position = 经理$/position = 经理\ncolour = red/')
run issue --batch "$f"
check "unknown key: exit 3" rc_is 3
check "unknown key: named" out_has '^handler\.colour: '
check "unknown key: one line" test "$(out_lines)" -eq 1
f=$(variant duplicate 's/^mobile = 13800138000$/mobile = 13800138000\nmobile = 13900139000/')
run issue --batch "$f"
check "duplicate key: exit 3" rc_is 3
check "duplicate key: named" out_has '^handler\.mobile: .*twice'
f=$(variant missing '/^mobile = /d')
run issue --batch "$f"
check "missing required field: exit 3" rc_is 3
check "missing required field: handler.mobile: required" out_has '^handler\.mobile: required'
check "missing required field: one line" test "$(out_lines)" -eq 1
f=$(variant syntax 's/^position = 经理$/position 经理/')
run issue --batch "$f"
check "line without '=': exit 3" rc_is 3
check "line without '=': line number given" out_has "line $(grep -n '^position' "$EXAMPLE" | cut -d: -f1):"


# --- bad bytes and sizes ----------------------------------------------------------
f=$(variant bad-utf8 "s/^position = 经理\$/position = 经$(printf '\xff')理/")
run issue --batch "$f"
check "invalid UTF-8: exit 3" rc_is 3
check "invalid UTF-8: handler.position named" out_has '^handler\.position: .*UTF-8'
check "invalid UTF-8: the output itself is valid UTF-8" \
	sh -c "iconv -f UTF-8 -t UTF-8 '$OUT' >/dev/null 2>&1"
check "invalid UTF-8: no crash" no_crash
f=$(variant control "s/^name = 李四\$/name = 李$(printf '\x01')四/")
run issue --batch "$f"
check "control character: exit 3" rc_is 3
check "control character: handler.name named" out_has '^handler\.name: .*control'
long=$(printf '深%.0s' $(seq 150))
f=$(variant long-name "s/^name = 深圳市测试科技有限公司\$/name = $long/")
run issue --batch "$f"
check "150-character name: exit 3" rc_is 3
check "150-character name: too long" out_has '^organization\.name: .*too long'
check "150-character name: no crash" no_crash
f=$(variant long-line "s/^position = 经理\$/position = $(printf 'x%.0s' $(seq 5000))/")
run issue --batch "$f"
check "5000-byte line: refused with exit 3" rc_is 3
check "5000-byte line: says the line is too long" out_has "line $(grep -n '^position' "$EXAMPLE" | cut -d: -f1):.*too long"
f="$TEST_TMP/big.ini"
head -c $((2 * 1024 * 1024)) /dev/urandom > "$f"
run issue --batch "$f"
check "2 MB file: exit non-zero" test "$RC" -ne 0
check "2 MB file: no crash" no_crash
check "2 MB file: clear message" err_has 'too large'
f="$TEST_TMP/big-text.ini"
{ cat "$EXAMPLE"; for i in $(seq 40000); do echo "; padding comment line $i of a big file"; done; } > "$f"
run issue --batch "$f"
check "2 MB of text: exit non-zero, no crash" sh -c "[ $RC -ne 0 ] && [ $RC -le 3 ]"
check "2 MB of text: names the file" err_has "big-text.ini"
run issue --batch "$TEST_TMP/no-such-file.ini"
check "missing file: exit 1" rc_is 1
check "missing file: path in the message" err_has "$TEST_TMP/no-such-file.ini"
run issue --batch "$TEST_TMP"
check "a directory: exit 1" rc_is 1
check "nothing stored by any refused batch" test "$(stored_count)" -eq "$stored"
# A bidi override (U+202E) is invisible and reorders what the screen shows:
# refused like a control character (the rule of model/val.c).
f=$(variant bidi "s/^name = 李四\$/name = 李$(printf '\xe2\x80\xae')四/")
run issue --batch "$f"
check "bidi override character: refused" rc_is 3

# --- quoting --------------------------------------------------------------------------
f=$(variant quoted 's/^address = .*/address = "科苑路 8 号 #1203"   ; the room is part of the address/
s/^position = 经理$/position = "经理 ; 财务"/
s/^title = .*/title = 深圳市测试科技有限公司 # an inline comment/')
run issue --batch "$f"
check "quoted values: exit 0" rc_is 0
app_q=$(head -n 1 "$OUT")
run show "$app_q" --full
cp "$OUT" "$TEST_TMP/show-q.ini"
# show quotes such values so that its output reads back as a batch file.
check "quoted ' #' kept" out_has '^address = "科苑路 8 号 #1203"$'
check "quoted ' ; ' kept" out_has '^position = "经理 ; 财务"$'
check "unquoted ' #' starts a comment" out_has '^title = 深圳市测试科技有限公司$'
# show prints the batch format (guitai(1)): reading it back gives the same values.
run issue --batch "$TEST_TMP/show-q.ini"
check "show --full output is accepted by issue --batch" rc_is 0
app_rt=$(head -n 1 "$OUT")
run show "$app_rt" --full
same_after_header() {
	diff <(tail -n +2 "$1") <(tail -n +2 "$2") | sed 's/^/# /'
	[ "${PIPESTATUS[0]}" -eq 0 ]
}
check "round trip through show keeps ' #' and ' ; '" same_after_header "$TEST_TMP/show-q.ini" "$OUT"

# --- services not built -----------------------------------------------------------
f=$(variant renew 's/^service = new /service = renew /')
run issue --batch "$f"
check "service renew: exit 3" rc_is 3
check "service renew: not available yet" out_has '^application\.service: .*not available yet'
f=$(variant bogus-service 's/^service = new /service = teleport /')
run issue --batch "$f"
check "unknown service: exit 3" rc_is 3
check "unknown service: application.service" out_has '^application\.service: '

# --- usage errors, help, version -------------------------------------------------------
run issue
check "issue without --batch: exit 2" rc_is 2
check "issue without --batch: usage on stderr" err_has 'usage: guitai issue'
run issue --batch "$EXAMPLE" extra
check "issue with an extra argument: exit 2" rc_is 2
run issue --batch
check "--batch without a file: exit 2" rc_is 2
run issue --frobnicate
check "issue with an unknown option: exit 2" rc_is 2
run frobnicate
check "unknown command: exit 2" rc_is 2
check "unknown command: named" err_has 'frobnicate'
run_bare --frobnicate list
check "unknown global option: exit 2" rc_is 2
run_bare -c
check "--config without a file: exit 2" rc_is 2
run show
check "show without a number: exit 2" rc_is 2
run list --status
check "list --status without a value: exit 2" rc_is 2
run list --limit 0
check "list --limit 0: exit 2" rc_is 2
run region 44030
check "region with five digits: exit 2" rc_is 2
run_bare --help
check "--help: exit 0" rc_is 0
check "--help: usage on stdout" out_has '^Usage: guitai'
check "--help: lists issue --batch" out_has 'issue --batch FILE'
check "--help: exit statuses" out_has 'Exit status'
run_bare -h
check "-h: exit 0" rc_is 0
run_bare help
check "help command: exit 0" rc_is 0
run_bare --version
check "--version: exit 0" rc_is 0
check "--version: name and version" out_has '^guitai [0-9]+\.[0-9]+'
run_bare -V
check "-V: exit 0" rc_is 0

# --- list, catalog, region, paths ------------------------------------------------------
run list
check "list: exit 0" rc_is 0
check "list: the first application" out_has "^$app1	submitted	"
check "list: newest first" test "$(head -n 1 "$OUT" | cut -f1)" = "$app_rt"
check "list: organisation shown" out_has '深圳市测试科技有限公司$'
check "list: no personal numbers" sh -c "! grep -qE '440304198502280023|13800138000' '$OUT'"
run list --status draft
check "list --status draft: none" sh -c "[ $RC -eq 0 ] && [ ! -s '$OUT' ]"
run list --limit 2
check "list --limit 2: two lines" test "$(out_lines)" -eq 2
run catalog
check "catalog: exit 0" rc_is 0
check "catalog: szjsgws with terms" out_has '^szjsgws	.*	1,3,5	'
check "catalog: prices" out_has '^org_per_year	[0-9]+\.[0-9]{2}$'
run region 440305
check "region 440305: exit 0" rc_is 0
check "region 440305: three levels" test "$(out_lines)" -eq 3
check "region 440305: province" out_has '^440000	广东省$'
check "region 440305: city" out_has '^440300	深圳市$'
check "region 440305: district" out_has '^440305	南山区$'
run region 999999
check "region 999999: exit 3" rc_is 3
run paths
check "paths: exit 0" rc_is 0
check "paths: the configuration" out_has "^config	$conf\$"
check "paths: the database" out_has "^database	$TEST_TMP/data/guitai.db\$"
check "paths: the catalogue" out_has "^catalog	$top_srcdir/data/catalog.ini\$"
check "paths: the schema version" out_has '^schema	[1-9][0-9]*$'
done_testing
