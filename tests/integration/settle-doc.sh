#!/usr/bin/env bash
# The settlement document's template (data/templates/settlement.tmpl) and
# the template language's flow (src/print/tmpl.h: columns, row, flow):
# every mistake in them names the file and line; a row style the flow
# needs but the template lacks stops the document with its name and writes
# nothing; a settlement longer than a page repeats a table's header at the
# top of the next page and keeps a heading with its first row.
. "$top_srcdir/tests/lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE=

command -v pdftotext > /dev/null || { echo "1..0 # SKIP pdftotext not installed"; exit 0; }

TEMPLATES="$top_srcdir/data/templates"
conf=$(write_config "[print]
templates = $TEMPLATES")
# --- mistakes in the flow's commands --------------------------------------------------
BAD="$TEST_TMP/tmpl"
# bad_settlement SED EXPECTED DESCRIPTION
bad_settlement() {
	rm -rf "$BAD"
	cp -r "$TEMPLATES" "$BAD"
	sed -i "$1" "$BAD/settlement.tmpl"
	run print --check-templates "$BAD"
	check "bad settlement template: $3 (exit 3)" rc_is 3
	check "  the error names file and line: $2" err_has "$2"
}
line_of() { grep -n "$1" "$TEMPLATES/settlement.tmpl" | head -n 1 | cut -d: -f1; }
L=$(line_of '^row money cols=money')
bad_settlement "${L}s/cols=money/cols=mony/" "settlement.tmpl:$L: no columns mony" "a row naming unknown columns"
bad_settlement "${L}s/\"{row.net}\"/\"{row.net}\" \"extra\"/" "settlement.tmpl:$L: more cells than its columns have" "more cells than columns"
bad_settlement "${L}s/{row.paid}/{row.payed}/" "settlement.tmpl:$L: unknown value {row.payed}" "a misspelt row value"
bad_settlement "${L}s/ cols=money/ cols=money wobble/" "settlement.tmpl:$L: row has no flag \"wobble\"" "an unknown flag"
C=$(line_of '^columns money')
bad_settlement "${C}s/0-34l/34-0l/" "settlement.tmpl:$C: columns: a cell runs from X1 to a larger X2" "a cell running backwards"
bad_settlement "${C}s/136-180r/136-190r/" "settlement.tmpl:$C: columns: a cell runs" "a cell off the page"
F=$(line_of '^flow ')
bad_settlement "${F}s/bottom=250/bottom=60/" "settlement.tmpl:$F: the flow's bottom=" "a flow ending above its start"
bad_settlement "${F}s/\$/\nflow y=90 bottom=200/" "settlement.tmpl:$((F + 1)): a template has one flow" "two flows"
bad_settlement "${F}s/\$/\nnewpage/" "settlement.tmpl:$((F + 1)): a template with a flow has no newpage" "newpage with a flow"
bad_settlement '/^flow /d' "row styles but no flow line" "rows without a flow"
bad_settlement 's/{report.no}　终端/终端/' "the footer must carry the document's number" "a footer without the number"

# --- a row style missing: the document is refused, nothing written ------------------
printf 'boss-pw-1234\n' > "$TEST_TMP/boss.pw"
"$GUITAI" -c "$conf" operator add boss --role supervisor --password-file "$TEST_TMP/boss.pw" > /dev/null 2>&1
write_min_app "$TEST_TMP/app.ini" "[payment]
method = cash"
for i in $(seq 1 45); do
	"$GUITAI" -c "$conf" issue --batch "$TEST_TMP/app.ini" --operator boss \
		--password-file "$TEST_TMP/boss.pw" > /dev/null 2>&1
done
for id in $(sqlite3 "$TEST_TMP/data/guitai.db" "SELECT id FROM payments WHERE kind = 'payment' AND id % 2 = 0"); do
	"$GUITAI" -c "$conf" payment void "$id" --reason "第 $id 号测试作废" --by boss \
		--by-password-file "$TEST_TMP/boss.pw" > /dev/null 2>&1
done
check "45 payments, some voided" \
	test "$(sqlite3 "$TEST_TMP/data/guitai.db" "SELECT count(*) FROM payments WHERE kind = 'void'")" -ge 20

rm -rf "$BAD"; cp -r "$TEMPLATES" "$BAD"
sed -i '/^row reversal-detail /d' "$BAD/settlement.tmpl"
conf_bad="$TEST_TMP/bad.conf"
sed "s|^templates = .*|templates = $BAD|" "$conf" > "$conf_bad"
"$GUITAI" -c "$conf_bad" report daily --pdf "$TEST_TMP/bad.pdf" > "$OUT" 2> "$ERR"
RC=$?
check "a row style the flow needs is missing: failure" rc_is 1
check "  says which" err_has 'no row style "reversal-detail"'
check "  writes nothing" test ! -e "$TEST_TMP/bad.pdf"

# --- several pages ---------------------------------------------------------------------
PDF="$TEST_TMP/long.pdf"
run report daily --pdf "$PDF"
check "a long settlement: exit 0" rc_is 0
PAGES=$(pdfinfo "$PDF" | sed -n 's/^Pages: *//p')
check "  on more than one page" test "${PAGES:-0}" -gt 1
page_text() { pdftotext -layout -f "$1" -l "$1" "$PDF" - | sed 's/　//g' | tr -d ' '; }
check "  every page: the footer, page N of $PAGES" \
	bash -c "for p in \$(seq 1 $PAGES); do pdftotext -layout -f \$p -l \$p '$PDF' - | tr -d ' ' | grep -q \"第\$p/${PAGES}页\" || exit 1; done"
check "  every page: the document's number in the footer" \
	test "$(pdftotext "$PDF" - | grep -c '日结单 SETTLE-')" -eq "$PAGES"
# The voids' table goes on: its header again at the top of the last page.
check "  the voids' table header repeated on the last page" \
	bash -c "page_text() { pdftotext -layout -f \$1 -l \$1 '$PDF' - | sed 's/　//g' | tr -d ' '; }; page_text $PAGES | grep -v '^\$' | head -n 1 | grep -q '^编号时间类型原收款'"
check "  a heading never ends a page" \
	bash -c "for p in \$(seq 1 $((PAGES - 1))); do last=\$(pdftotext -layout -f \$p -l \$p '$PDF' - | tr -d ' ' | grep -v '^\$' | grep -v '日结单SETTLE' | tail -n 1); case \"\$last\" in 作废与退款|终端*|业务笔数*|当日合计（*) exit 1;; esac; done"
check "  a void's row and its reason stay on one page" \
	bash -c "for p in \$(seq 1 $((PAGES - 1))); do last=\$(pdftotext -layout -f \$p -l \$p '$PDF' - | tr -d ' ' | grep -v '^\$' | grep -v '日结单SETTLE' | tail -n 1); case \"\$last\" in '#'*作废*) exit 1;; esac; done"
check "  the last void and the signatures at the end" \
	bash -c "page_text() { pdftotext -layout -f \$1 -l \$1 '$PDF' - | sed 's/　//g' | tr -d ' '; }; page_text $PAGES | grep -q '第44号测试作废' && page_text $PAGES | grep -q '主管签字'"

done_testing
