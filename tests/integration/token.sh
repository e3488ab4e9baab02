#!/usr/bin/env bash
# Key personalisation end to end on a private SoftHSM2 (issue 4): the
# built-in CA (init, list, revoke, CRL), `issue --batch --token auto`,
# what lands on the key (USCC extension, key never extractable, chain with
# the key's CKA_ID), `token list|info`, PIN rules, resume after finish,
# roll back, SO-PIN derivation, the audit trail, and that neither the PIN
# nor the SO-PIN is written anywhere.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/token-lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE= GUITAI_QUIET=1

new_softhsm
conf=$(token_config)
add_demo_operator "$conf" >/dev/null
OUT="$TEST_TMP/out"
ERR="$TEST_TMP/err"
RC=0
run() { "$GUITAI" -c "$conf" "$@" > "$OUT" 2> "$ERR"; RC=$?; }
rc_is() {
	[ "$RC" -eq "$1" ] && clean_stderr "$ERR" && return 0
	diag "exit status $RC, expected $1" "stdout:" "$(cat "$OUT")" "stderr:" "$(cat "$ERR")"
	return 1
}
out_has() { grep -qE -- "$1" "$OUT"; }

PIN=Kq7x2mW9
printf '%s\n' "$PIN" > "$TEST_TMP/pin"
APP="$TEST_TMP/app.ini"
write_app "$APP"
P11=$(command -v pkcs11-tool || true)

run token list
check "token list: one blank key before anything" eval 'rc_is 0 && [ "$(grep -c blank "$OUT")" -eq 1 ]'

"$GUITAI" -c "$conf" list > "$TEST_TMP/before" 2>/dev/null
run issue --batch "$APP" --token auto --pin-file "$TEST_TMP/pin"
check "issue before ca init: refused (exit 1)" rc_is 1
check "... naming ca init" grep -q "ca init" "$ERR"
"$GUITAI" -c "$conf" list > "$TEST_TMP/after" 2>/dev/null
check "... before anything is stored" cmp -s "$TEST_TMP/before" "$TEST_TMP/after"
run issue --batch "$APP" --token auto
check "--token without --pin-file: usage error (exit 2) naming --pin-file" \
	eval '[ "$RC" -eq 2 ] && grep -q -- "--pin-file" "$ERR"'
"$GUITAI" -c "$conf" list > "$TEST_TMP/after" 2>/dev/null
check "... before anything is stored" cmp -s "$TEST_TMP/before" "$TEST_TMP/after"

run ca init
check "ca init" rc_is 0
check "ca key file is 0600" test "$(stat -c %a "$TEST_TMP/data/ca/ca.key")" = 600
run ca init
check "a second ca init is refused" rc_is 1

run issue --batch "$APP" --token auto --pin-file "$TEST_TMP/pin"
check "issue --batch --token auto: exit 0" rc_is 0
APPNO=$(head -n 1 "$OUT")
check "... prints the application number first" eval '[[ "$APPNO" =~ ^T01-[0-9]{8}-[0-9]{4}$ ]]'
check "... subject with C, ST, L, O, CN in UTF-8" \
	out_has "^subject: CN=深圳市测试科技有限公司,O=深圳市测试科技有限公司,L=深圳市,ST=广东省,C=CN$"
check "... serial, validity, SHA-256 fingerprint" \
	eval 'out_has "^serial: [0-9A-F]{20,}$" && out_has "^valid: 20" && out_has "^SHA-256: ([0-9A-F]{2}:){31}[0-9A-F]{2}$"'
SERIAL=$(sed -n 's/^serial: //p' "$OUT")
KEYSERIAL=$(sed -n 's/^key: \([0-9a-f]*\) .*/\1/p' "$OUT")
# The anchor is written once for the whole run (ctx_anchor_hold), and it
# must still name the last row when the command ends.
check "... the audit head anchor names the last row" \
	test "$(sed -n 's/^seq //p' "$TEST_TMP/data/guitai.db.audit-head")" = \
	     "$(sqlite3 "$TEST_TMP/data/guitai.db" 'SELECT max(seq) FROM audit')"
check "master key file created 0600" test "$(stat -c %a "$TEST_TMP/data/master.key")" = 600

run token list
check "token list: the key personalised, labelled with the application, a new blank slot" \
	eval 'rc_is 0 && grep -q "personalised	$APPNO" "$OUT" && grep -q blank "$OUT"'
run token info --label "$APPNO"
check "token info: model, serial, label" \
	eval 'rc_is 0 && out_has "^model: SoftHSM v2$" && out_has "^serial: $KEYSERIAL$" && out_has "^label: $APPNO$"'
check "token info: PIN flags as PKCS#11 gives them" \
	eval 'out_has "^user PIN: set$" && out_has "^SO PIN: ok$"'
check "token info: the certificate with its owner and validity, and the CA" \
	eval 'out_has "^certificate: 深圳市测试科技有限公司	valid 20[0-9-]+ \.\. 20" && out_has "^certificate: guitai Counter CA"'

run ca list "$APPNO"
check "ca list: one valid certificate recorded" \
	eval 'rc_is 0 && [ "$(wc -l < "$OUT")" -eq 1 ] && out_has "^$SERIAL	valid	"'

if [ -n "$P11" ]; then
	"$P11" --module "$SOFTHSM_MODULE" --token-label "$APPNO" --login --pin "$PIN" -O > "$TEST_TMP/objs" 2>&1
	check "private key on the key: sensitive, never extractable, local" \
		grep -q "Access: *sensitive, always sensitive, never extractable, local" "$TEST_TMP/objs"
	KEYID=$(sed -n '/Private Key Object/,/ID:/s/^ *ID: *//p' "$TEST_TMP/objs" | head -1)
	check "certificate written with the key's CKA_ID" \
		eval '[ -n "$KEYID" ] && [ "$(grep -c "ID: *$KEYID" "$TEST_TMP/objs")" -ge 3 ]'
	"$P11" --module "$SOFTHSM_MODULE" --token-label "$APPNO" -r --type cert --id "$KEYID" \
		-o "$TEST_TMP/cert.der" >/dev/null 2>&1
	openssl x509 -inform DER -in "$TEST_TMP/cert.der" -noout -text > "$TEST_TMP/cert.txt" 2>&1
	check "certificate: USCC in 1.2.156.10260.4.1.4 as a PrintableString" \
		eval 'grep -A1 "1.2.156.10260.4.1.4" "$TEST_TMP/cert.txt" | grep -q 91440300708461136T &&
		      openssl asn1parse -inform DER -in "$TEST_TMP/cert.der" | grep -A1 "1.2.156.10260.4.1.4" |
		      grep -q "HEX DUMP\]:1312393134"'
	check "certificate: key usage, EKU, CA:FALSE, RSA 2048" \
		eval 'grep -q "Digital Signature, Non Repudiation, Key Encipherment" "$TEST_TMP/cert.txt" &&
		      grep -q "TLS Web Client Authentication, E-mail Protection" "$TEST_TMP/cert.txt" &&
		      grep -q "CA:FALSE" "$TEST_TMP/cert.txt" && grep -q "(2048 bit)" "$TEST_TMP/cert.txt"'
	openssl x509 -in "$TEST_TMP/data/ca/ca.crt" -out "$TEST_TMP/ca.pem" 2>/dev/null
	check "certificate verifies against the CA" \
		eval 'openssl verify -CAfile "$TEST_TMP/ca.pem" <(openssl x509 -inform DER -in "$TEST_TMP/cert.der") >/dev/null 2>&1'
	# SO-PIN = HMAC-SHA-256(master key, "guitai-so|" serial), 16 hex.
	MK=$(head -1 "$TEST_TMP/data/master.key" | sed 's/^[^:]*://')
	SOPIN=$(printf 'guitai-so|%s' "$KEYSERIAL" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$MK" | sed 's/.*= //' | cut -c1-16)
	check "SO-PIN derived from the master key and the key serial logs in" \
		eval '"$P11" --module "$SOFTHSM_MODULE" --token-label "$APPNO" --login --login-type so --so-pin "$SOPIN" --init-pin --new-pin Other123x >/dev/null 2>&1'
else
	SOPIN=
	for i in 1 2 3 4 5 6; do ok "# SKIP pkcs11-tool (opensc) not installed"; done
fi

run token personalise "$APPNO" --pin-file "$TEST_TMP/pin"
check "personalise again after finishing: same certificate, nothing new" \
	eval 'rc_is 0 && out_has "^serial: $SERIAL$"'
run ca list "$APPNO"
check "... still one certificate" eval '[ "$(wc -l < "$OUT")" -eq 1 ]'

for bad in 123456 654321 888888 abc12 abcdef; do
	printf '%s\n' "$bad" > "$TEST_TMP/bad"
	run issue --batch "$APP" --token auto --pin-file "$TEST_TMP/bad"
	check "PIN $bad refused by the catalogue's rules (exit 3)" rc_is 3
done
check "refused PINs touched no key" eval '[ "$("$GUITAI" -c "$conf" token list | grep -c blank)" -eq 1 ]'

# Roll back a second issuance: its certificate revoked, the key blank again.
new_softhsm 2
run issue --batch "$APP" --token auto --pin-file "$TEST_TMP/pin"
check "second issuance on a new key" rc_is 0
APP2=$(head -n 1 "$OUT")
SERIAL2=$(sed -n 's/^serial: //p' "$OUT")
run token personalise "$APP2" --rollback
check "roll back: exit 0, one certificate revoked" eval 'rc_is 0 && out_has "1 certificates revoked"'
run ca list "$APP2"
check "... recorded as revoked" out_has "^$SERIAL2	revoked	"
run token list
check "... the key is blank again" eval '! grep -q "$APP2" "$OUT" && [ "$(grep -c blank "$OUT")" -ge 1 ]'
run token pending
check "nothing left pending" eval 'rc_is 0 && [ ! -s "$OUT" ]'

run ca revoke "$SERIAL" --reason 1 --why "key lost"
check "ca revoke without a supervisor: refused, exit 3" eval 'rc_is 3 && grep -q -- "--by SUPERVISOR" "$ERR"'
printf 'wrong-password\n' > "$TEST_TMP/bad.pw"
run ca revoke "$SERIAL" --reason 1 --why "key lost" --by demo --by-password-file "$TEST_TMP/bad.pw"
check "ca revoke with a wrong supervisor password: refused" eval 'rc_is 3 && grep -q "not approved" "$ERR"'
run ca list "$APPNO"
check "... the certificate is still valid" out_has "^$SERIAL	valid	"
printf 'demo1234\n' > "$TEST_TMP/sup.pw"
run ca revoke "$SERIAL" --reason 1 --why "key lost" --by demo --by-password-file "$TEST_TMP/sup.pw"
check "ca revoke approved by a supervisor" rc_is 0
check "... the audit row names the approver" \
	sh -c "'$GUITAI' -c '$conf' audit list --limit 20 | grep 'ca.revoke' | grep -q 'approved by demo'"
run ca revoke "$SERIAL" --by demo --by-password-file "$TEST_TMP/sup.pw"
check "ca revoke twice: exit 3" rc_is 3
run ca crl --out "$TEST_TMP/crl.pem" --days 7
check "ca crl" rc_is 0
openssl crl -in "$TEST_TMP/crl.pem" -noout -text > "$TEST_TMP/crl.txt" 2>&1
check "CRL lists both revoked serials with reasons, signed by the CA" \
	eval 'grep -q "$SERIAL" "$TEST_TMP/crl.txt" && grep -q "$SERIAL2" "$TEST_TMP/crl.txt" &&
	      grep -q "Key Compromise" "$TEST_TMP/crl.txt" &&
	      openssl crl -in "$TEST_TMP/crl.pem" -CAfile "$TEST_TMP/data/ca/ca.crt" -noout 2>&1 | grep -q "verify OK"'

# The CA key file replaced by another key: it is read when something
# signs, and must sign for the CA certificate's key.
cp "$TEST_TMP/data/ca/ca.key" "$TEST_TMP/ca.key.good"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TEST_TMP/data/ca/ca.key" 2>/dev/null
run ca crl --out "$TEST_TMP/crl2.pem"
check "a CA key that is not the certificate's: ca crl refuses (exit 1)" \
	eval '[ "$RC" -eq 1 ] && grep -q "load CA key" "$ERR"'
run issue --batch "$APP"
APP3=$(head -n 1 "$OUT")
run token personalise "$APP3" --pin-file "$TEST_TMP/pin"
check "... a personalisation stops at the CA (exit 1)" eval '[ "$RC" -eq 1 ] && grep -q "load CA key" "$ERR"'
run ca list "$APP3"
check "... nothing issued" eval '[ ! -s "$OUT" ]'
check "... and it is pending" sh -c "'$GUITAI' -c '$conf' token pending | grep -qx '$APP3'"
cp "$TEST_TMP/ca.key.good" "$TEST_TMP/data/ca/ca.key"
run token personalise "$APP3" --pin-file "$TEST_TMP/pin"
check "with the key restored the personalisation resumes and finishes" rc_is 0

run audit verify
check "audit trail intact" rc_is 0
run audit list --limit 200
check "audit: every key step and CA result" \
	eval 'for a in ca.init ca.issue token.init token.keygen token.issue token.write token.proof token.finish ca.revoke token.rollback ca.crl; do grep -q "$a" "$OUT" || { diag "missing $a"; exit 1; }; done'
run audit list --limit 500
check "the journal is append-only" \
	eval '! sqlite3 "$TEST_TMP/data/guitai.db" "DELETE FROM token_journal" 2>/dev/null'

# Secrets: neither PIN nor SO-PIN in the database, logs or any file but
# the PIN file of the test itself.
sqlite3 "$TEST_TMP/data/guitai.db" .dump > "$TEST_TMP/dump.sql"
leaks=$(grep -rlaF -e "$PIN" "$TEST_TMP" --exclude=pin --exclude=out --exclude=err 2>/dev/null || true)
check "the PIN is in no file (database, WAL, log, key files)" eval '[ -z "$leaks" ] || { diag "$leaks"; false; }'
if [ -n "$SOPIN" ]; then
	leaks=$(grep -rlaF -e "$SOPIN" "$TEST_TMP" --exclude=out --exclude=err 2>/dev/null || true)
	check "the SO-PIN is in no file" eval '[ -z "$leaks" ] || { diag "$leaks"; false; }'
else
	ok "# SKIP SO-PIN unknown without pkcs11-tool"
fi

done_testing
