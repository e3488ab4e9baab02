#!/usr/bin/env bash
# Configuration changes in the audit trail (issue 6, item 5): guitai's
# configuration is files (guitai.conf, the catalogue of prices, the key
# catalogue, the document templates), so every start compares their digest
# with the last one the trail recorded and, when it differs, writes a
# config.load row at once, naming the parts that changed, even for a
# command that does nothing else (`guitai paths`). An unchanged start
# writes nothing; the trail stays intact.
. "$top_srcdir/tests/lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE=

CAT="$TEST_TMP/catalog.ini"
TPL="$TEST_TMP/templates"
cp "$top_srcdir/data/catalog.ini" "$CAT"
mkdir -p "$TPL"
cp "$top_srcdir"/data/templates/*.tmpl "$top_srcdir"/data/templates/*.inc "$TPL/"
conf=$(write_config "[print]
templates = $TPL")
sed -i "s|^catalog = .*|catalog = $CAT|" "$conf"

# config_rows: the config.load rows of the trail (audit list: oldest first).
config_rows() {
	"$GUITAI" -c "$conf" audit list --limit 1000 | grep -F $'\tconfig.load\t'
}
last_config() { config_rows | tail -n 1; }
n_config() { config_rows | wc -l; }
has_last() {
	last_config | grep -qF -- "$1" || { diag "last config.load lacks: $1" "$(last_config)"; return 1; }
}

"$GUITAI" -c "$conf" paths > /dev/null
check "first start: the configuration recorded" test "$(n_config)" -eq 1
check "first start: says so, with the file and every part" \
	sh -c "'$GUITAI' -c '$conf' audit list | grep -F 'config.load' | grep -F 'first record' | grep -F '$conf' | grep -qE 'parts config [0-9a-f]{16}, catalogue [0-9a-f]{16}, tokens [0-9a-f]{16}, templates [0-9a-f]{16}'"
check "first start: by the system account that ran it" \
	grep -qF $'\t@'"$(id -un)"$'\tconfig.load\t' <<<"$(last_config)"
"$GUITAI" -c "$conf" paths > /dev/null
"$GUITAI" -c "$conf" catalog > /dev/null
check "unchanged: no new row" test "$(n_config)" -eq 1

printf '[ui]\nidle_minutes = 7\n' >> "$conf"
"$GUITAI" -c "$conf" paths > /dev/null
check "guitai.conf changed: recorded at the next start" test "$(n_config)" -eq 2
check "guitai.conf changed: names the part" has_last "changed: config;"

sed -i 's/^medium = 50$/medium = 60/' "$CAT"
"$GUITAI" -c "$conf" paths > /dev/null
check "a price changed: recorded" test "$(n_config)" -eq 3
check "a price changed: names the catalogue only" has_last "changed: catalogue;"

sed -i 's/收费凭证/收费收据/' "$TPL/receipt.tmpl"
"$GUITAI" -c "$conf" catalog > /dev/null
check "a template changed: recorded" test "$(n_config)" -eq 4
check "a template changed: names the templates only" has_last "changed: templates;"

touch "$TPL/receipt.tmpl"
"$GUITAI" -c "$conf" paths > /dev/null
check "same bytes, newer file time: nothing recorded" test "$(n_config)" -eq 4

sed -i 's/^medium = 60$/medium = 50/' "$CAT"
sed -i 's/收费收据/收费凭证/' "$TPL/receipt.tmpl"
"$GUITAI" -c "$conf" paths > /dev/null
check "two parts back as before: one row naming both" \
	sh -c "[ \$('$GUITAI' -c '$conf' audit list --limit 1000 | grep -cF 'config.load') -eq 5 ] && '$GUITAI' -c '$conf' audit list --limit 1 | grep -qF 'changed: catalogue templates;'"

"$GUITAI" -c "$conf" audit verify > "$TEST_TMP/verify" 2>&1
check "the trail verifies" grep -q '^intact: 5 rows' "$TEST_TMP/verify"

done_testing
