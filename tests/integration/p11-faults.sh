#!/usr/bin/env bash
# Crash safety of personalisation (issue 4): the whole personalisation
# runs once for every N with the Nth PKCS#11 call failing with
# CKR_DEVICE_REMOVED (tests/fixtures/p11-fault.c wrapping SoftHSM2: the key
# pulled at that call), then is resumed with the key back. Each time the
# resume must finish (its last step proves the key signs what the
# certificate verifies), with exactly one valid certificate for the
# application, that certificate on the key, and the audit trail intact. A second pass makes the Nth
# call happen and then reports the failure (the answer lost on the way).
# Two more kill the process at the Nth call (SIGKILL, before the call and
# after it ran): a crash, after which nothing more is journalled.
# P11FAULT_STRIDE=k runs every kth N only (for quick local runs).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/token-lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE= GUITAI_QUIET=1

FAULT="$top_builddir/tests/fixtures/p11fault.so"
export P11FAULT_MODULE="$SOFTHSM_MODULE"
PIN=Kq7x2mW9
printf '%s\n' "$PIN" > "$TEST_TMP/pin"
write_app "$TEST_TMP/app.ini"

# The template: a CA, a submitted application, a blank key.
TPL="$TEST_TMP/tpl"
mkdir -p "$TPL"
new_softhsm
mv "$TEST_TMP/softhsm" "$TPL/hsm"
conf_for() {   # conf_for DIR: a config whose data and key live in DIR
	cat > "$1/guitai.conf" <<CONF
[terminal]
id = T01
[paths]
data_dir = $1/data
[data]
catalog = $top_srcdir/data/catalog.ini
regions = $top_srcdir/data/regions.tsv
[log]
file = $1/guitai.log
[token]
catalog = $top_srcdir/data/tokens.ini
module = $FAULT
CONF
	printf 'directories.tokendir = %s/hsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$1" \
		> "$1/hsm/softhsm2.conf"
}
conf_for "$TPL"
export SOFTHSM2_CONF="$TPL/hsm/softhsm2.conf"
"$GUITAI" -c "$TPL/guitai.conf" ca init >/dev/null 2>&1
APPNO=$("$GUITAI" -c "$TPL/guitai.conf" issue --batch "$TEST_TMP/app.ini" 2>/dev/null)
check "template: CA and a submitted application" test -n "$APPNO"

# How many PKCS#11 calls one clean personalisation makes.
RUN="$TEST_TMP/count"
cp -a "$TPL" "$RUN" && conf_for "$RUN"
SOFTHSM2_CONF="$RUN/hsm/softhsm2.conf" P11FAULT_COUNT="$TEST_TMP/calls" \
	"$GUITAI" -c "$RUN/guitai.conf" token personalise "$APPNO" --pin-file "$TEST_TMP/pin" \
	>"$TEST_TMP/count.out" 2>&1
CALLS=$(cat "$TEST_TMP/calls" 2>/dev/null || echo 0)
check "a clean run through the fault module personalises ($CALLS PKCS#11 calls)" \
	eval '[ "$CALLS" -gt 20 ] && grep -q "^serial: " "$TEST_TMP/count.out"'
STRIDE=${P11FAULT_STRIDE:-1}

# one_case N AFTER [KILL]: fail call N (or die there), resume, check.
# Prints why when not ok.
one_case() {
	local n=$1 after=$2 kill=${3:-0} dir="$TEST_TMP/run" rc serial valid
	rm -rf "$dir"
	cp -a "$TPL" "$dir" && conf_for "$dir"
	export SOFTHSM2_CONF="$dir/hsm/softhsm2.conf"
	P11FAULT_FAIL_AT=$n P11FAULT_AFTER=$after P11FAULT_KILL=$kill "$GUITAI" -c "$dir/guitai.conf" \
		token personalise "$APPNO" --pin-file "$TEST_TMP/pin" >"$dir/fault.out" 2>"$dir/fault.err"
	rc=$?
	if [ "$kill" = 1 ]; then
		if [ "$rc" -ne 137 ]; then
			echo "killed run: exit $rc, not killed: $(tail -3 "$dir/fault.err")"; return 1
		fi
	elif [ "$rc" -gt 1 ] || ! clean_stderr "$dir/fault.err"; then
		echo "faulted run: exit $rc: $(tail -3 "$dir/fault.err")"; return 1
	fi
	"$GUITAI" -c "$dir/guitai.conf" token personalise "$APPNO" --pin-file "$TEST_TMP/pin" \
		>"$dir/resume.out" 2>"$dir/resume.err"
	rc=$?
	if [ "$rc" -ne 0 ] || ! clean_stderr "$dir/resume.err"; then
		echo "resume: exit $rc: $(tail -3 "$dir/resume.err")"; return 1
	fi
	serial=$(sed -n 's/^serial: //p' "$dir/resume.out")
	valid=$("$GUITAI" -c "$dir/guitai.conf" ca list "$APPNO" | awk -F'\t' '$2 == "valid"' )
	if [ "$(printf '%s\n' "$valid" | grep -c .)" -ne 1 ] || ! printf '%s' "$valid" | grep -q "^$serial	"; then
		echo "valid certificates: $(printf '%s' "$valid" | cut -f1 | tr '\n' ' ') (resumed with $serial)"; return 1
	fi
	if ! "$GUITAI" -c "$dir/guitai.conf" token info --label "$APPNO" 2>/dev/null |
	     grep -q "^certificate: 深圳市测试科技有限公司"; then
		echo "certificate not on the key"; return 1
	fi
	if ! "$GUITAI" -c "$dir/guitai.conf" audit verify >/dev/null 2>&1; then
		echo "audit trail broken"; return 1
	fi
	return 0
}

# Every call for the pulled key; every third for the lost answer (the
# extra pass, to keep the suite's time in bounds).
for after in 0 1; do
	fails=0
	step=$STRIDE
	[ "$after" = 1 ] && step=$((STRIDE * 3))
	for n in $(seq 1 "$step" "$CALLS"); do
		why=$(one_case "$n" "$after")
		if [ $? -eq 0 ]; then
			ok "call $n of $CALLS fails$([ "$after" = 1 ] && echo ' after it ran'): resumed to one valid certificate on the key"
		else
			not_ok "call $n of $CALLS fails$([ "$after" = 1 ] && echo ' after it ran'): $why"
			fails=$((fails + 1))
		fi
	done
	diag "pass after=$after: $fails failures"
done

# The crash: killed at every call (every third once it ran).
for after in 0 1; do
	fails=0
	step=$STRIDE
	[ "$after" = 1 ] && step=$((STRIDE * 3))
	for n in $(seq 1 "$step" "$CALLS"); do
		why=$(one_case "$n" "$after" 1)
		if [ $? -eq 0 ]; then
			ok "killed at call $n of $CALLS$([ "$after" = 1 ] && echo ' after it ran'): resumed to one valid certificate on the key"
		else
			not_ok "killed at call $n of $CALLS$([ "$after" = 1 ] && echo ' after it ran'): $why"
			fails=$((fails + 1))
		fi
	done
	diag "kill pass after=$after: $fails failures"
done

# A roll-back cut short (the key pulled while it is blanked, after the
# certificate was revoked): personalising again must not write the
# revoked certificate back; the roll-back is finished first.
RB="$TEST_TMP/rollback"
cp -a "$TPL" "$RB" && conf_for "$RB"
export SOFTHSM2_CONF="$RB/hsm/softhsm2.conf"
g() { "$GUITAI" -c "$RB/guitai.conf" "$@"; }
g token personalise "$APPNO" --pin-file "$TEST_TMP/pin" > "$TEST_TMP/rb.out" 2>&1
check "roll-back case: personalised first" grep -q '^serial: ' "$TEST_TMP/rb.out"
RBSERIAL=$(sed -n 's/^serial: //p' "$TEST_TMP/rb.out")
P11FAULT_FAIL_CALL=C_InitToken g token personalise "$APPNO" --rollback > "$TEST_TMP/rb.out" 2>&1
check "the roll-back stops when the key is pulled while blanked" test $? -ne 0
check "  its certificate is revoked already" sh -c "'$GUITAI' -c '$RB/guitai.conf' ca list '$APPNO' | grep -q '^$RBSERIAL	revoked'"
g token personalise "$APPNO" --pin-file "$TEST_TMP/pin" > "$TEST_TMP/rb.out" 2>&1
rc=$?
check "personalising again is refused (exit 3) until the roll-back is finished" test "$rc" -eq 3
check "  and says so" grep -q 'roll-back of .* was started and did not finish' "$TEST_TMP/rb.out"
g token personalise "$APPNO" --rollback > "$TEST_TMP/rb.out" 2>&1
check "the roll-back run again finishes" grep -q 'rolled back' "$TEST_TMP/rb.out"
g token personalise "$APPNO" --pin-file "$TEST_TMP/pin" > "$TEST_TMP/rb.out" 2>&1
check "then a new personalisation issues a new certificate" \
	sh -c "grep -q '^serial: ' '$TEST_TMP/rb.out' && ! grep -q '^serial: $RBSERIAL' '$TEST_TMP/rb.out'"
check "  and the audit trail is intact" sh -c "'$GUITAI' -c '$RB/guitai.conf' audit verify | grep -q '^intact'"

done_testing
