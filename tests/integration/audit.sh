#!/bin/bash
# `guitai audit` end to end: batch issues (each with its payment row), an operator and an unmasked
# print written to the trail; `audit verify` says intact (exit 0); the sqlite3 shell, after
# dropping the triggers, changes a detail and verify names the row (exit
# 3); an export bundle verifies with the key file alone, fails with another
# key and when a row is cut; `audit list`; no ID number, mobile or
# password in the rows or the log; and a lost audit key is refused, not made
# again.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
	ok "# SKIP no sqlite3 shell"
	done_testing
	exit 0
fi

CONF=$(write_config "[security]
audit_checkpoint_every = 3")
DB="$TEST_TMP/data/guitai.db"
HANDLER_ID=44030519900101123X
MOBILE=13800138000
PASSWORD=pw-for-audit-test

# The handler's ID number and mobile above are the example's.
write_app "$TEST_TMP/app.ini"
printf '[application]\nservice = new\n' > "$TEST_TMP/bad.ini"

# run ARGS...: guitai with the test's config; OUT, ERR and RC kept.
run() {
	OUT=$("$GUITAI" -c "$CONF" "$@" 2>"$TEST_TMP/err")
	RC=$?
	ERR=$(cat "$TEST_TMP/err")
}
has() { case "$OUT" in *"$1"*) return 0 ;; *) return 1 ;; esac; }

n_ok=0
first=
for i in 1 2 3 4 5; do
	run issue --batch "$TEST_TMP/app.ini" && n_ok=$((n_ok + 1))
	[ -n "$first" ] || first=$OUT
done
check "five batch applications stored" test "$n_ok" -eq 5
run issue --batch "$TEST_TMP/bad.ini"
check "a bad batch is refused (exit 3)" test "$RC" -eq 3
printf '%s\n' "$PASSWORD" | "$GUITAI" -c "$CONF" operator add boss --role supervisor \
	--password-file - >/dev/null 2>&1
check "operator added" test $? -eq 0
run show "$first" --full
check "show --full prints the whole number" has "$HANDLER_ID"

run audit verify
check "verify: exit 0" test "$RC" -eq 0
check "verify: intact, 14 rows" has "intact: 14 rows, head "
check "verify: checkpoints and the anchor checked" has "checkpoints: 4 verified; head anchor: verified"
head_hash=$(sed -n 's/^intact: [0-9]* rows, head \([0-9a-f]*\)$/\1/p' <<<"$OUT")
check "verify: head is a SHA-256" test "${#head_hash}" -eq 64

run audit list --limit 3
check "list: exit 0" test "$RC" -eq 0
check "list: three rows" test "$(wc -l <<<"$OUT")" -eq 3
check "list: newest is the unmasked print" has "app.show_full"
run audit list
check "list: config, five stored and paid, one refused, one operator, one unmasked print" \
	test "$(cut -f5 <<<"$OUT" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')" = \
	"app.show_full=1 batch.refused=1 batch.stored=5 config.load=1 operator.add=1 payment.take=5 "
# No --operator: the system account that ran the command is accountable.
check "list: batch rows name the system account" \
	test "$(grep -c $'\t@'"$(id -un)"$'\tbatch.stored\t' <<<"$OUT")" -eq 5

# Nothing secret in the rows (the raw bytes of the table, not our printing
# of it) or the log; the system account that ran the batches is found the same way.
in_rows() { sqlite3 "$DB" "SELECT count(*) FROM audit WHERE instr(rec, CAST('$1' AS BLOB))"; }
check "the raw rows are searched (the system account is found)" test "$(in_rows "@$(id -un)")" -ge 5
secret_found=
for s in "$HANDLER_ID" "$MOBILE" "$PASSWORD"; do
	[ "$(in_rows "$s")" -eq 0 ] || secret_found="$secret_found $s"
	case "$(cat "$TEST_TMP/guitai.log")" in *"$s"*) secret_found="$secret_found $s" ;; esac
done
check "no ID number, mobile or password in the rows or the log" test -z "$secret_found"

# The triggers refuse an ordinary change.
sqlite3 "$DB" "UPDATE audit SET rec = zeroblob(104) WHERE seq = 4" 2>/dev/null
check "UPDATE refused by the trigger" test $? -ne 0
sqlite3 "$DB" "DELETE FROM audit WHERE seq = 4" 2>/dev/null
check "DELETE refused by the trigger" test $? -ne 0

# Export before tampering; the bundle verifies with the key file alone.
run audit export "$TEST_TMP/bundle.txt"
check "export: exit 0" test "$RC" -eq 0
check "export: bundle 0600" test "$(stat -c %a "$TEST_TMP/bundle.txt")" = 600
run audit export "$TEST_TMP/bundle.txt"
check "export: an existing file is not overwritten" test "$RC" -eq 1
mkdir "$TEST_TMP/elsewhere"
cp "$TEST_TMP/bundle.txt" "$TEST_TMP/data/audit.key" "$TEST_TMP/elsewhere/"
OUT=$(cd "$TEST_TMP/elsewhere" && HOME="$TEST_TMP/elsewhere" "$GUITAI" audit verify \
	--bundle bundle.txt --key-file audit.key 2>&1)
RC=$?
check "bundle: verifies elsewhere (exit 0)" test "$RC" -eq 0
check "bundle: intact, 15 rows (the export is in it)" has "intact: 15 rows"
check "bundle: nothing created elsewhere" test "$(ls "$TEST_TMP/elsewhere" | wc -l)" -eq 2

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/1:/' > "$TEST_TMP/other.key"
echo >> "$TEST_TMP/other.key"
chmod 600 "$TEST_TMP/other.key"
run audit verify --bundle "$TEST_TMP/bundle.txt" --key-file "$TEST_TMP/other.key"
check "bundle: another key, exit 3" test "$RC" -eq 3
check "bundle: another key, the checkpoint named" has "checkpoint at row 3"
run audit verify --bundle "$TEST_TMP/bundle.txt" --key-file "$TEST_TMP/missing.key"
check "bundle: a missing key file is an error (exit 1)" test "$RC" -eq 1
check "bundle: no key file made" test ! -e "$TEST_TMP/missing.key"

# Keep the order: header, checkpoints, anchor, rows, end.
{ grep -v -e '^row ' -e '^end ' "$TEST_TMP/bundle.txt"
  grep '^row ' "$TEST_TMP/bundle.txt" | sed '6d'
  grep '^end ' "$TEST_TMP/bundle.txt"; } > "$TEST_TMP/cut.txt"
run audit verify --bundle "$TEST_TMP/cut.txt" --key-file "$TEST_TMP/data/audit.key"
check "bundle: a row cut out, exit 3" test "$RC" -eq 3
check "bundle: the cut row named" has "first bad row 6: row 6 is missing"

# The intruder: sqlite3, triggers dropped, a file name in one detail
# changed (rows are stored as their canonical bytes: db/audit.h). (The
# trail as it was is kept aside for the cut below.)
cp "$DB" "$TEST_TMP/pristine.db"
cp "$DB.audit-head" "$TEST_TMP/pristine.head"
sqlite3 "$DB" "DROP TRIGGER audit_no_update; UPDATE audit SET rec = CAST(replace(rec,
	CAST('app.ini' AS BLOB), CAST('xyz.ini' AS BLOB)) AS BLOB) WHERE seq = 4"
check "tampered with sqlite3" test $? -eq 0
run audit verify
check "verify after tampering: exit 3" test "$RC" -eq 3
check "verify names row 4" has "tampered: first bad row 4: row 4 was modified"
check "the finding is logged" grep -q "audit: verify found row 4 bad" "$TEST_TMP/guitai.log"

# ... and a bundle taken from it carries the same finding.
run audit export "$TEST_TMP/bundle2.txt"
run audit verify --bundle "$TEST_TMP/bundle2.txt" --key-file "$TEST_TMP/data/audit.key"
check "bundle of the tampered trail: exit 3" test "$RC" -eq 3
check "bundle of the tampered trail: row 4" has "first bad row 4: row 4 was modified"

# Rows cut off the end together with the checkpoint beyond them: the head
# anchor, outside the database, says so.
cp "$TEST_TMP/pristine.db" "$DB"
cp "$TEST_TMP/pristine.head" "$DB.audit-head"
rm -f "$DB-wal" "$DB-shm"
run audit verify
check "the kept trail verifies" test "$RC" -eq 0
sqlite3 "$DB" "DROP TRIGGER audit_no_delete; DROP TRIGGER audit_checkpoints_no_delete;
	DELETE FROM audit WHERE seq >= 7; DELETE FROM audit_checkpoints WHERE seq >= 7"
run audit verify
check "truncated: exit 3" test "$RC" -eq 3
check "truncated: the first missing row named" \
	has "first bad row 7: rows 7 to 15 are missing at the end (truncated)"
# Appending after the cut does not hide it.
run issue --batch "$TEST_TMP/app.ini"
run audit verify
check "still truncated after a new row" test "$RC" -eq 3

# The audit key lost: nothing starts, verify says which file to restore and
# makes no new key; the restored copy given to verify checks the trail.
KEY="$TEST_TMP/data/audit.key"
mv "$KEY" "$TEST_TMP/audit.key.backup"
run audit verify
check "key missing: verify fails (exit 1)" test "$RC" -eq 1
check "key missing: verify names the file and says to restore it" \
	grep -q "audit key file $KEY is missing.*Restore the key file from its backup" <<<"$ERR"
check "key missing: no new key made" test ! -e "$KEY"
apps_before=$(sqlite3 "$DB" "SELECT count(*) FROM applications")
rows_before=$(sqlite3 "$DB" "SELECT count(*) FROM audit")
run issue --batch "$TEST_TMP/app.ini"
check "key missing: a batch is refused (exit 1)" test "$RC" -eq 1
check "key missing: nothing stored, nothing appended" \
	test "$(sqlite3 "$DB" "SELECT count(*) FROM applications")/$(sqlite3 "$DB" \
		"SELECT count(*) FROM audit")" = "$apps_before/$rows_before"
check "key missing: still no new key" test ! -e "$KEY"
run audit verify --key-file "$TEST_TMP/audit.key.backup"
check "key missing: verify with the restored copy runs (the cut is still found)" \
	test "$RC" -eq 3
mv "$TEST_TMP/audit.key.backup" "$KEY"

run audit frobnicate
check "usage error: exit 2" test "$RC" -eq 2

done_testing
