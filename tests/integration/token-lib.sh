# Helpers for the key personalisation tests (issue 4): a private SoftHSM2
# token directory (SOFTHSM2_CONF in TEST_TMP: its one uninitialised slot
# is the blank key), a config pointing at it, the built-in CA, and the
# batch example. Source after tests/lib.sh.

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

# The batch example of issue 2 (an organisation certificate, one year).
write_app() {
	cat > "$1" <<'INI'
[application]
service = new
project = szjsgws
cert_type = org
term_years = 1
eseal = yes
[organization]
name = 深圳市测试科技有限公司
id_type = uscc
id_number = 91440300708461136T
address = 深圳市南山区科技园科苑路1号
[legal_rep]
name = 张三
id_type = resident
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
method = wechat
reference = 4200001234202611210000
INI
}

# No sanitizer report in a file.
clean_stderr() {
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$1"
}
