# Helpers for the key personalisation tests (issue 4): a private SoftHSM2
# token directory (SOFTHSM2_CONF in TEST_TMP: its one uninitialised slot
# is the blank key), a config pointing at it and the built-in CA. Source
# after tests/lib.sh.

SOFTHSM_MODULE=/usr/lib/softhsm/libsofthsm2.so
if [ ! -e "$SOFTHSM_MODULE" ]; then
	echo "1..0 # SKIP softhsm2 is not installed"
	exit 77
fi

# A fresh token directory: every call gives one new blank key.
new_softhsm() {
	local dir="$TEST_TMP/softhsm${1:-}"
	rm -rf "$dir"
	mkdir -p "$dir/tokens"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
		"$dir" > "$dir/softhsm2.conf"
	export SOFTHSM2_CONF="$dir/softhsm2.conf"
}

# token_config [extra INI]: the test config plus [token] and [ca].
token_config() {
	write_config "[token]
catalog = $top_srcdir/data/tokens.ini
${1:-}"
}

# No sanitizer report in a file.
clean_stderr() {
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$1"
}
