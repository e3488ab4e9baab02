#!/usr/bin/env bash
# Bad configuration and a bad database: a missing, unreadable or malformed
# guitai.conf, bad values, a data directory that cannot be made; a corrupt,
# newer or read-only database; a key file others can read. Each must give a
# clear message naming what is wrong, exit 1, not crash, and leave the files
# as they were. Then the default paths (XDG) when no --config is given.
. "$top_srcdir/tests/lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE=

conf=$(write_config)
OUT="$TEST_TMP/out"
ERR="$TEST_TMP/err"
RC=0

# run ARGS...: guitai; stdout, stderr and status kept.
run() {
	"$GUITAI" "$@" > "$OUT" 2> "$ERR"
	RC=$?
}

rc_is() {
	[ "$RC" -eq "$1" ] && return 0
	diag "exit status $RC, expected $1" "stdout:" "$(cat "$OUT")" "stderr:" "$(cat "$ERR")"
	return 1
}

err_has() {
	grep -qF -- "$1" "$ERR" && return 0
	diag "stderr lacks: $1" "stderr was:" "$(cat "$ERR")"
	return 1
}

no_crash() {
	[ "$RC" -le 3 ] && ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$ERR"
}

# conf_with NAME TEXT: the test config with TEXT appended, as NAME.
conf_with() {
	local f="$TEST_TMP/$1"
	{ cat "$conf"; printf '%s\n' "$2"; } > "$f"
	echo "$f"
}

# conf_data NAME DIR: the test config with data_dir = DIR, as NAME.
conf_data() {
	local f="$TEST_TMP/$1"
	sed "s#^data_dir = .*#data_dir = $2#" "$conf" > "$f"
	echo "$f"
}

sum() {
	sha256sum < "$1" | cut -d' ' -f1
}

BATCH="$TEST_TMP/app.ini"
write_min_app "$BATCH" "[payment]
method = cash"

# As root, permissions do not stop reading: run those cases as nobody when
# setpriv can, else skip them.
AS_OTHER=()
other_ok=0
if [ "$(id -u)" -ne 0 ]; then
	other_ok=1
elif command -v setpriv >/dev/null 2>&1 &&
     setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null &&
     setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$GUITAI" 2>/dev/null; then
	AS_OTHER=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	other_ok=1
	# nobody must reach the files of the test.
	chmod 0755 "$TEST_TMP"
fi
skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP $*"
}

# --- the configuration file -------------------------------------------------------
run -c "$TEST_TMP/absent.conf" list
check "missing --config file: exit 1" rc_is 1
check "missing --config file: named" err_has "$TEST_TMP/absent.conf"
check "missing --config file: no crash" no_crash

unreadable="$TEST_TMP/unreadable.conf"
cp "$conf" "$unreadable"
chmod 000 "$unreadable"
if [ "$other_ok" -eq 1 ]; then
	"${AS_OTHER[@]}" "$GUITAI" -c "$unreadable" list > "$OUT" 2> "$ERR"
	RC=$?
	check "unreadable config: exit 1" rc_is 1
	check "unreadable config: named" err_has "$unreadable"
	check "unreadable config: says why" err_has "Permission denied"
else
	for what in "exit 1" named "says why"; do
		skip "unreadable config: $what (root reads any file; no setpriv)"
	done
fi

f="$TEST_TMP/malformed.conf"
printf '[terminal]\nid = T01\nthis line has no equals sign\n' > "$f"
run -c "$f" list
check "malformed config: exit 1" rc_is 1
check "malformed config: names the file" err_has "$f"
check "malformed config: names the line" err_has "line 3"
check "malformed config: no crash" no_crash

f="$TEST_TMP/unterminated.conf"
printf '[terminal\nid = T01\n' > "$f"
run -c "$f" list
check "section header without ']': exit 1, line 1" sh -c "[ $RC -eq 1 ] && grep -q 'line 1' '$ERR'"

f=$(conf_with unknown-key.conf $'[terminal]\ncolour = red')
run -c "$f" list
check "unknown key: exit 1" rc_is 1
check "unknown key: named" err_has '"colour"'
check "unknown key: section named" err_has '[terminal]'

f=$(conf_with unknown-section.conf $'[printer]\nqueue = counter1')
run -c "$f" list
check "unknown section: exit 1" rc_is 1
check "unknown section: named" err_has '[printer]'

f=$(conf_with bad-baud.conf $'[idcard]\nbaud = 14400')
run -c "$f" list
check "baud 14400: exit 1" rc_is 1
check "baud 14400: lists the rates" err_has "9600, 19200, 38400, 57600 or 115200"
check "baud 14400: names the file" err_has "$f"
f=$(conf_with word-baud.conf $'[idcard]\nbaud = fast')
run -c "$f" list
check "baud fast: exit 1" rc_is 1
check "baud fast: not a number" err_has '"fast"'

f=$(conf_with bad-terminal.conf $'[terminal]\nid = t-01')
run -c "$f" list
check "terminal id with lower case and '-': exit 1" rc_is 1
check "terminal id: says what is allowed" err_has "A-Z and 0-9"

f=$(conf_with empty-path.conf $'[log]\nfile =')
run -c "$f" list
check "empty path: exit 1" rc_is 1
check "empty path: says so" err_has "empty path"

f=$(conf_with bad-utf8.conf "$(printf '[terminal]\nsite = \xff\xfe')")
run -c "$f" list
check "site name in invalid UTF-8: exit 1, no crash" sh -c "[ $RC -eq 1 ] && ! grep -q Sanitizer '$ERR'"

f="$TEST_TMP/huge.conf"
{ cat "$conf"; head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' ';'; } > "$f"
run -c "$f" list
check "2 MB config: exit 1" rc_is 1
check "2 MB config: too large" err_has "too large"

# --- the data directory -------------------------------------------------------------
: > "$TEST_TMP/plain-file"
f=$(conf_data under-file.conf "$TEST_TMP/plain-file/data")
run -c "$f" list
check "data_dir under a regular file: exit 1" rc_is 1
check "data_dir under a regular file: names it" err_has "$TEST_TMP/plain-file"
check "data_dir under a regular file: cannot create" err_has "cannot create directory"
check "data_dir under a regular file: no crash" no_crash

# --- the database -----------------------------------------------------------------
# A corrupt file: random bytes where the database should be.
mkdir -p "$TEST_TMP/corrupt"
f=$(conf_data corrupt.conf "$TEST_TMP/corrupt")
db="$TEST_TMP/corrupt/guitai.db"
head -c 65536 /dev/urandom > "$db"
before=$(sum "$db")
run -c "$f" list
check "corrupt database: exit 1" rc_is 1
check "corrupt database: says damaged" err_has "damaged"
check "corrupt database: names the file" err_has "$db"
check "corrupt database: no crash" no_crash
run -c "$f" issue --batch "$BATCH"
check "corrupt database: batch refused with exit 1" rc_is 1
check "corrupt database: batch says damaged" err_has "damaged"
check "corrupt database: file unchanged" test "$(sum "$db")" = "$before"
check "corrupt database: no journal left beside it" \
	sh -c "! ls '$TEST_TMP/corrupt' | grep -qE 'guitai\.db-(wal|shm|journal)$'"

# A real database cut short (a disk that filled, a bad copy).
mkdir -p "$TEST_TMP/cut"
f=$(conf_data cut.conf "$TEST_TMP/cut")
for i in 1 2 3; do "$GUITAI" -c "$f" issue --batch "$BATCH" > /dev/null; done
db="$TEST_TMP/cut/guitai.db"
head -c 8192 "$db" > "$db.part" && mv "$db.part" "$db"
before=$(sum "$db")
run -c "$f" list
check "truncated database: exit 1" rc_is 1
check "truncated database: says damaged" err_has "damaged"
check "truncated database: no crash" no_crash
check "truncated database: file unchanged" test "$(sum "$db")" = "$before"

# A database from a newer guitai.
mkdir -p "$TEST_TMP/newer"
f=$(conf_data newer.conf "$TEST_TMP/newer")
"$GUITAI" -c "$f" issue --batch "$BATCH" > /dev/null
db="$TEST_TMP/newer/guitai.db"
sqlite3 "$db" 'PRAGMA user_version = 99'
run -c "$f" list
check "newer schema: exit 1" rc_is 1
check "newer schema: says newer" err_has "newer"
check "newer schema: gives the version" err_has "99"
check "newer schema: no crash" no_crash
run -c "$f" issue --batch "$BATCH"
check "newer schema: batch refused" rc_is 1
check "newer schema: left at 99" test "$(sqlite3 "$db" 'PRAGMA user_version')" = 99
check "newer schema: records kept" test "$(sqlite3 "$db" 'SELECT count(*) FROM applications')" = 1

# A read-only database (and directory).
mkdir -p "$TEST_TMP/ro"
f=$(conf_data ro.conf "$TEST_TMP/ro")
"$GUITAI" -c "$f" issue --batch "$BATCH" > /dev/null
db="$TEST_TMP/ro/guitai.db"
if [ "$other_ok" -eq 1 ]; then
	[ "$(id -u)" -eq 0 ] && chown -R 65534:65534 "$TEST_TMP/ro"
	chmod 0644 "$f" "$BATCH"
	chmod 0444 "$db"
	chmod 0555 "$TEST_TMP/ro"
	before=$(sum "$db")
	"${AS_OTHER[@]}" "$GUITAI" -c "$f" issue --batch "$BATCH" > "$OUT" 2> "$ERR"
	RC=$?
	check "read-only database: batch exit 1" rc_is 1
	check "read-only database: cannot be written" err_has "cannot be written"
	check "read-only database: names the file" err_has "$db"
	check "read-only database: nothing saved, says so" err_has "nothing was saved"
	check "read-only database: no crash" no_crash
	check "read-only database: file unchanged" test "$(sum "$db")" = "$before"
	chmod 0755 "$TEST_TMP/ro"
	chmod 0644 "$db"
	check "read-only database: the earlier record is intact" \
		test "$(sqlite3 "$db" 'SELECT count(*) FROM applications')" = 1
else
	for what in "batch exit 1" "cannot be written" "names the file" "nothing saved" \
		    "no crash" "file unchanged" "earlier record intact"; do
		skip "read-only database: $what (root writes anywhere; no setpriv)"
	done
fi

# The key file must be the owner's alone.
mkdir -p "$TEST_TMP/key"
f=$(conf_data key.conf "$TEST_TMP/key")
"$GUITAI" -c "$f" list > /dev/null
key="$TEST_TMP/key/pii.key"
check "key file created 0600" test "$(stat -c %a "$key")" = 600
chmod 0644 "$key"
run -c "$f" list
check "key file 0644: exit 1" rc_is 1
check "key file 0644: says chmod 600" err_has "chmod 600"
check "key file 0644: names the file" err_has "$key"
run -c "$f" issue --batch "$BATCH"
check "key file 0644: batch refused too" rc_is 1
chmod 0600 "$key"
run -c "$f" list
check "key file back to 0600: works" rc_is 0

# --- default paths (no --config) ------------------------------------------------
H="$TEST_TMP/home"
XC="$TEST_TMP/xdg-config"
XD="$TEST_TMP/xdg-data"
mkdir -p "$H"
# Only when no system-wide configuration would be found first.
system_conf=0
for d in /usr/local/etc /etc; do
	[ -e "$d/guitai/guitai.conf" ] && system_conf=1
done
run_home() {
	env HOME="$H" XDG_CONFIG_HOME="$XC" XDG_DATA_HOME="$XD" "$GUITAI" "$@" > "$OUT" 2> "$ERR"
	RC=$?
}
if [ "$system_conf" -eq 0 ]; then
	# Uninstalled there is no catalogue at the built-in path: the message
	# must say which file is missing.
	run_home paths
	# After `make install` (the demo does it) the built-in path exists and
	# the defaults simply work.
	pkgdata_catalog=$(sed -n 's/^catalog\t//p' "$OUT")
	if [ "$RC" -eq 0 ] && [ -n "$pkgdata_catalog" ] && [ -e "$pkgdata_catalog" ]; then
		ok "no config, uninstalled: exit 1 # SKIP guitai is installed ($pkgdata_catalog)"
		ok "no config, uninstalled: names the catalogue # SKIP installed"
		ok "no config, uninstalled: says catalogue # SKIP installed"
	else
		check "no config, uninstalled: exit 1" rc_is 1
		check "no config, uninstalled: names the catalogue" err_has "catalog.ini"
		check "no config, uninstalled: says catalogue" err_has "catalogue"
	fi
	check "no config: the XDG data directory is made" test -d "$XD/guitai"
	check "no config: the data directory is private" test "$(stat -c %a "$XD/guitai")" = 700

	mkdir -p "$XC/guitai"
	printf '[data]\ncatalog = %s\nregions = %s\n' "$top_srcdir/data/catalog.ini" \
		"$top_srcdir/data/regions.tsv" > "$XC/guitai/guitai.conf"
	run_home paths
	check "XDG config: exit 0" rc_is 0
	check "XDG config: the file is used" grep -qx "config	$XC/guitai/guitai.conf" "$OUT"
	check "XDG data: data_dir" grep -qx "data_dir	$XD/guitai" "$OUT"
	check "XDG data: database" grep -qx "database	$XD/guitai/guitai.db" "$OUT"
	check "XDG data: key file" grep -qx "key_file	$XD/guitai/pii.key" "$OUT"
	check "XDG data: log" grep -qx "log	$XD/guitai/guitai.log" "$OUT"
	check "default terminal id" grep -qx "terminal	T01" "$OUT"
	run_home issue --batch "$BATCH"
	check "XDG config: a batch is stored" rc_is 0
	check "XDG data: the database is there" test -s "$XD/guitai/guitai.db"

	# Without XDG variables: ~/.config and ~/.local/share.
	mkdir -p "$H/.config/guitai"
	cp "$XC/guitai/guitai.conf" "$H/.config/guitai/guitai.conf"
	env -u XDG_CONFIG_HOME -u XDG_DATA_HOME HOME="$H" "$GUITAI" paths > "$OUT" 2> "$ERR"
	RC=$?
	check "HOME defaults: exit 0" rc_is 0
	check "HOME defaults: ~/.config/guitai/guitai.conf" grep -qx "config	$H/.config/guitai/guitai.conf" "$OUT"
	check "HOME defaults: ~/.local/share/guitai" grep -qx "data_dir	$H/.local/share/guitai" "$OUT"
	# A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
	env HOME="$H" XDG_CONFIG_HOME=relative/dir XDG_DATA_HOME=relative/data "$GUITAI" paths > "$OUT" 2> "$ERR"
	RC=$?
	check "relative XDG variables ignored" \
		sh -c "[ $RC -eq 0 ] && grep -qx 'data_dir	$H/.local/share/guitai' '$OUT'"
	# --config wins over the XDG file.
	run_home -c "$conf" paths
	check "--config wins over XDG" grep -qx "config	$conf" "$OUT"
	check "--config: its data_dir" grep -qx "data_dir	$TEST_TMP/data" "$OUT"
else
	skip "default paths: a system-wide guitai.conf is installed on this machine"
fi
done_testing
