#!/usr/bin/env bash
# Documents (issue 5) without a printer: `guitai print APPNO DOC --to FILE`
# for an application stored by `guitai issue --batch`, each PDF read back
# with pdftotext (every field present, Chinese intact, personal numbers
# masked where they must be, unknown facts blank) and pdfinfo (one A4
# page); reprint rules and marking; the PIN mailer never to a file; the
# audit trail; template errors that name the file and line.
. "$top_srcdir/tests/lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE=

for tool in pdftotext pdfinfo; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool not installed (poppler-utils)"
		exit 0
	fi
done

RENDER_DOC="$top_builddir/tests/fixtures/render_doc"
# render_doc is not beside the printing module (make check says where it
# is; this is for running the test by hand).
export GUITAI_PRINT_MODULE="${GUITAI_PRINT_MODULE:-$top_builddir/guitai-print.so}"
TEMPLATES="$top_srcdir/data/templates"
conf=$(write_config "[print]
templates = $TEMPLATES")

# The text of a PDF with all white space removed, so that a phrase the
# layout wrapped or spaced still matches.
pdf_flat() {
	pdftotext -layout "$1" - 2>/dev/null | tr -d ' \n\t\f\r' | sed 's/\xe3\x80\x80//g'
}

# has PDF TEXT...: every TEXT (white space ignored) is in the PDF.
has() {
	local pdf=$1 flat t missing=0
	shift
	flat=$(pdf_flat "$pdf")
	for t in "$@"; do
		t=$(printf '%s' "$t" | tr -d ' \n\t' | sed 's/\xe3\x80\x80//g')
		case "$flat" in
		*"$t"*) ;;
		*) diag "$(basename "$pdf") lacks: $t"; missing=1 ;;
		esac
	done
	return $missing
}

lacks() {
	local pdf=$1 flat t found=0
	shift
	flat=$(pdf_flat "$pdf")
	for t in "$@"; do
		case "$flat" in
		*"$t"*) diag "$(basename "$pdf") must not hold: $t"; found=1 ;;
		esac
	done
	return $found
}

# One A4 portrait page.
a4_one_page() {
	local info
	info=$(pdfinfo "$1" 2>&1)
	grep -qE '^Pages: +1$' <<<"$info" &&
		grep -qE '^Page size: +595\.2[0-9]* x 841\.8[0-9]* pts \(A4\)' <<<"$info" ||
		{ diag "$info"; return 1; }
}

BATCH="$TEST_TMP/app.ini"
write_app "$BATCH" "[authorization]
from = 2026-11-01"
run issue --batch "$BATCH"
check "a submitted application stored by issue --batch" rc_is 0
APP=$(head -n 1 "$OUT")
diag "application $APP"

# --- application form ---------------------------------------------------
AF="$TEST_TMP/application-form.pdf"
run print "$APP" application-form --to "$AF"
check "application form written to a file" rc_is 0
check "application form: one A4 page" a4_one_page "$AF"
check "application form: title and all four sections of the seed's form" \
	has "$AF" 机构数字证书申请表 "Ⅰ. 证书信息" "Ⅱ. 单位基本信息" "Ⅲ. 经办人信息" \
	"Ⅳ. 申请单位法定代表人授权委托及单位声明" 法定代表人信息
check "application form: certificate information" \
	has "$AF" "业务类型新办" "证书类型机构证书" 深圳市建筑工务署政府工程承包商资信管理系统 \
	"证书年限1 年" "证书金额（元）450.00" "电子签章☑ 是　☐ 否"
check "application form: organisation" \
	has "$AF" 深圳市测试科技有限公司 统一社会信用代码 91440300708461136T 广东省深圳市 \
	深圳市南山区科技园科苑路1号 518057 0755-88886666
check "application form: legal representative and handler in full (the signed record)" \
	has "$AF" 张三 居民身份证 440304198502280023 李四 13800138000 44030519900101123X \
	lisi@example.com 经理
check "application form: the declaration of section IV, with names and date" \
	has "$AF" "本人张三系深圳市测试科技有限公司的法定代表人" "现委托本单位员工李四" \
	"以我方名义办理数字证书的有关事宜" "委托期限自2026年11月01日起至委托事项办结为止" \
	"电子认证服务协议"
check "application form: signature, seal and date boxes" \
	has "$AF" 法定代表人签字 经办人签字 单位公章 "日期："
check "application form: counter-use block (site, operator, time)" \
	has "$AF" 以下由受理点填写 受理点测试受理点 受理人@$(id -un) 受理时间
check "application form: application number and footer with terminal and time" \
	has "$AF" "申请编号：$APP" "申请编号$APP" "终端T01" 打印时间 "第1/1页" "第1份"
check "application form: first copy carries no reprint mark" lacks "$AF" 次打印
check "application form: Chinese from a TrueType CJK font, digits from DejaVu" \
	bash -c "pdffonts '$AF' | grep -q WenQuanYi && pdffonts '$AF' | grep -q DejaVu"

# --- seal sheet -----------------------------------------------------------
SS="$TEST_TMP/seal-sheet.pdf"
run print "$APP" seal-sheet --to "$SS"
check "seal sheet written" rc_is 0
check "seal sheet: one A4 page" a4_one_page "$SS"
check "seal sheet: organisation, USCC, application number, seal boxes, declaration" \
	has "$SS" 数字证书印模采集表 深圳市测试科技有限公司 91440300708461136T "$APP" \
	单位公章 合同专用章 财务专用章 法定代表人名章 "声明：本单位确认以上印模为本单位真实、有效的印章"

# --- receipt --------------------------------------------------------------
RC_PDF="$TEST_TMP/receipt.pdf"
run print "$APP" receipt --to "$RC_PDF"
check "receipt written" rc_is 0
check "receipt: one A4 page" a4_one_page "$RC_PDF"
check "receipt: items with prices and the total in figures and capitals" \
	has "$RC_PDF" 收费凭证 "USB Key 介质" 机构证书服务费 电子签章服务费 50.00 200.00 \
	"¥ 450.00" 肆佰伍拾元整
check "receipt: payment method and reference, operator, time" \
	has "$RC_PDF" 微信支付 4200001234202611210000 收款人@$(id -un) 收款时间
check "receipt: the e-invoice goes to the masked mobile and e-mail" \
	has "$RC_PDF" "138****8000" "l***@example.com" 开具电子发票
check "receipt: no personal number in full" lacks "$RC_PDF" 13800138000 lisi@example.com \
	44030519900101123X 440304198502280023

# --- hand-over slip -------------------------------------------------------
HO="$TEST_TMP/handover.pdf"
run print "$APP" handover --to "$HO"
check "hand-over slip written" rc_is 0
check "hand-over slip: one A4 page" a4_one_page "$HO"
check "hand-over slip: key serial, certificate serial and validity lines, signature" \
	has "$HO" 数字证书领取确认单 "介质（USB Key）序列号" 证书序列号 证书有效期起 证书有效期止 \
	经办人签字 李四 "4403**********123X"
# Before the key is issued these facts are unknown: the label is followed
# directly by the next label, nothing made up in between.
check "hand-over slip: unknown key and certificate facts left blank" \
	bash -c "pdftotext -layout '$HO' - | grep -E '证书序列号' | grep -qvE '[0-9A-F]{6}'"

# --- copies and reprints ----------------------------------------------------
run print "$APP" application-form --to "$TEST_TMP/again.pdf"
check "a second copy without a supervisor is refused (exit 3)" rc_is 3
check "  and the message says a supervisor is needed" err_has "supervisor"
check "  and no file is written" test ! -e "$TEST_TMP/again.pdf"
conf_reprint=$(write_config "[print]
templates = $TEMPLATES
allow_reprint = yes")
RP="$TEST_TMP/reprint.pdf"
"$GUITAI" -c "$conf_reprint" print "$APP" application-form --to "$RP" > "$OUT" 2> "$ERR"
RC=$?
check "with [print] allow_reprint = yes the reprint is made" rc_is 0
check "  marked 第2次打印 and copy 2 in the footer" has "$RP" 第2次打印 第2份
# A file that cannot be written is the system failing, not the request:
# exit 1, and no copy is counted for it.
"$GUITAI" -c "$conf_reprint" print "$APP" application-form --to "$TEST_TMP/no/such/dir/f.pdf" \
	> "$OUT" 2> "$ERR"
RC=$?
check "a file that cannot be written: exit 1, not 3" rc_is 1
check "  the message names the file" err_has "$TEST_TMP/no/such/dir/f.pdf"
"$GUITAI" -c "$conf_reprint" audit list --limit 200 > "$OUT" 2>&1
check "reprint recorded in the audit trail" grep -qE 'print\.reprint.*document=application-form copy=2' "$OUT"
check "each file copy recorded in the audit trail (none for the file not written)" \
	test "$(grep -cE 'print\.file' "$OUT")" -eq 5
# A supervisor approves the third copy from the command line.
add_demo_operator "$conf" > /dev/null 2>&1
printf 'wrong-password\n' | "$GUITAI" -c "$conf" print "$APP" application-form \
	--to "$TEST_TMP/third.pdf" --by demo > "$OUT" 2> "$ERR"
RC=$?
check "a reprint with a wrong supervisor password is refused (exit 3)" rc_is 3
check "  and nothing is written" test ! -e "$TEST_TMP/third.pdf"
printf 'demo1234\n' | "$GUITAI" -c "$conf" print "$APP" application-form \
	--to "$TEST_TMP/third.pdf" --by demo > "$OUT" 2> "$ERR"
RC=$?
check "a reprint approved by a supervisor (--by) is made" rc_is 0
check "  marked 第3次打印" has "$TEST_TMP/third.pdf" 第3次打印 第3份
"$GUITAI" -c "$conf" audit list --limit 200 > "$OUT" 2>&1
check "  the approval and the reprint are in the audit trail" \
	bash -c "grep -qE 'approve\.ok.*reprint' '$OUT' && grep -qE 'print\.reprint.*copy=3 by=approved:demo' '$OUT'"
run audit verify
check "audit trail intact after printing" rc_is 0
run print "$APP" --jobs
check "print --jobs lists the copies" \
	bash -c "[ \$(grep -c completed '$OUT') -eq 6 ] && grep -q \$'application-form\t3\tfile:' '$OUT'"

# --- documents that do not apply, and bad requests -------------------------
run print "$APP" pin-mailer --to "$TEST_TMP/pin.pdf"
check "PIN mailer without random PINs: does not apply (exit 3)" rc_is 3
conf_pin=$(write_config "[print]
templates = $TEMPLATES
[token]
pin = random")
"$GUITAI" -c "$conf_pin" print "$APP" pin-mailer --to "$TEST_TMP/pin.pdf" > "$OUT" 2> "$ERR"
RC=$?
check "PIN mailer never to a file, even with random PINs" rc_is 3
check "  the message says why" err_has "PIN"
check "  and no file exists" test ! -e "$TEST_TMP/pin.pdf"
sed -e 's/^eseal = yes/eseal = no/' -e 's/^id_number = 91440300708461136T/id_number = 91440300708461136T/' \
	"$BATCH" > "$TEST_TMP/noseal.ini"
run issue --batch "$TEST_TMP/noseal.ini"
APP2=$(head -n 1 "$OUT")
run print "$APP2" seal-sheet --to "$TEST_TMP/ss2.pdf"
check "seal sheet without an e-seal: does not apply (exit 3)" rc_is 3
run print "$APP2" application-form --to "$TEST_TMP/af2.pdf"
check "application form of an application without e-seal shows 否 ticked" has "$TEST_TMP/af2.pdf" "电子签章☐ 是　☑ 否"
run print "$APP" nonsense --to "$TEST_TMP/x.pdf"
check "unknown document: usage error (exit 2)" rc_is 2
run print T01-19990101-0001 receipt --to "$TEST_TMP/x.pdf"
check "unknown application: failure (exit 1) naming it" bash -c "[ $RC -eq 1 ] && grep -q T01-19990101-0001 '$ERR'"

# --- a long organisation name is printed whole ------------------------------
LONG="深圳市超长名称测试集团股份有限公司南山区科技园分公司第一事业部华南大区综合业务管理与数字化转型创新研究中心（有限合伙）"
sed -e "s/^name = 深圳市测试科技有限公司/name = $LONG/" "$BATCH" > "$TEST_TMP/long.ini"
run issue --batch "$TEST_TMP/long.ini"
APP3=$(head -n 1 "$OUT")
run print "$APP3" application-form --to "$TEST_TMP/long.pdf"
check "a long organisation name is printed whole (the cell shrinks its font)" has "$TEST_TMP/long.pdf" "$LONG"

# --- the PIN mailer's page (rendered by the fixture: the flow never writes it to a file)
PM="$TEST_TMP/pin-mailer.pdf"
check "PIN mailer renders" "$RENDER_DOC" "$TEMPLATES" pin-mailer "$PM" app.no=T01-20261121-0009 \
	organization.name=深圳市测试科技有限公司 key.serial=SN0123456789 handler.name=李四 pin=73914628
check "PIN mailer: the PIN, the key serial and the warnings in Chinese" \
	has "$PM" "数字证书 PIN 码密码函" 73914628 SN0123456789 "连续输错 PIN 码 10 次" T01-20261121-0009
check "PIN mailer: one A4 page" a4_one_page "$PM"
check "a printer's wider edge scales the page down (still one A4 page, same text)" \
	"$RENDER_DOC" "$TEMPLATES" receipt "$TEST_TMP/scaled.pdf" --margin 25 app.no=T01-X
check "  scaled receipt keeps its text" has "$TEST_TMP/scaled.pdf" 收费凭证 T01-X

# --- templates -------------------------------------------------------------
run print --check-templates
check "the shipped templates read without error" rc_is 0
BAD="$TEST_TMP/tmpl"
# bad_template LINE-SED EXPECTED-MESSAGE DESCRIPTION
bad_template() {
	rm -rf "$BAD"
	cp -r "$TEMPLATES" "$BAD"
	sed -i "$1" "$BAD/application-form.tmpl"
	"$GUITAI" -c "$conf" print --check-templates "$BAD" > "$OUT" 2> "$ERR"
	RC=$?
	check "bad template: $3 (exit 3)" rc_is 3
	check "  error names the file and line: $2" err_has "$2"
}
bad_template '12s/.*/txet x=0 y=0 "typo"/' 'application-form.tmpl:12: unknown command "txet"' "unknown command"
bad_template '28s/{organization.name}/{organization.nmae}/' 'application-form.tmpl:28: unknown value {organization.nmae}' "misspelt placeholder"
bad_template '12s/.*/text x=0 y=0 "unterminated/' 'application-form.tmpl:12: unterminated string' "unterminated string"
bad_template '12s/.*/text x=170 y=0 w=20 "too wide"/' 'application-form.tmpl:12: outside the printable area' "element off the page"
bad_template '12s/.*/text x=abc y=0 "x"/' 'application-form.tmpl:12: x=abc: expected a number' "not a number"
bad_template '12s/.*/text x=0 y=0 colour=red "x"/' 'application-form.tmpl:12: text has no attribute "colour"' "unknown attribute"
bad_template '/^footer/d' 'no footer line' "no footer"
bad_template '/^qr/d' 'no qr line' "no QR code"
bad_template '12s/.*/include "missing.inc"/' 'application-form.tmpl:12' "missing include"
# A broken template stops printing with the same message.
rm -rf "$BAD"; cp -r "$TEMPLATES" "$BAD"
sed -i '13s/{organization.name}/{organization.nmae}/' "$BAD/receipt.tmpl"
conf_bad=$(write_config "[print]
templates = $BAD")
"$GUITAI" -c "$conf_bad" print "$APP2" receipt --to "$TEST_TMP/bad.pdf" > "$OUT" 2> "$ERR"
RC=$?
check "printing with a bad template fails with the line" \
	bash -c "[ $RC -ne 0 ] && grep -qF 'receipt.tmpl:13: unknown value {organization.nmae}' '$ERR'"
check "  and writes nothing" test ! -e "$TEST_TMP/bad.pdf"
check "no sanitizer report in any run" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$ERR'"

done_testing
