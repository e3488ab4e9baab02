#!/usr/bin/env bash
# The printing module (src/print/module.c): guitai is not linked with
# cairo, pango or libcups, and opens guitai-print.so only when it renders
# or spools. A module that is missing or cannot be loaded makes printing
# fail with one message naming the file and the reason, through the usual
# error paths (a PDF to a file, a job to CUPS, the printer check), while
# every other command works. Also where the module is looked for:
# $GUITAI_PRINT_MODULE, beside the program, then pkglibdir.
. "$top_srcdir/tests/lib.sh"
export LC_ALL=C.UTF-8 LANGUAGE=

for tool in ldd nm pdftotext; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done

MODULE="$top_builddir/guitai-print.so"
conf=$(write_config "[print]
templates = $top_srcdir/data/templates
allow_reprint = yes
follow_seconds = 5")
# run [VAR=VALUE...] -- ARGS: guitai with the environment given (the
# module variable unset unless named), output kept.
run() {
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env -u GUITAI_PRINT_MODULE "${envs[@]}" "$GUITAI" -c "$conf" "$@" > "$OUT" 2> "$ERR"
	RC=$?
}
# A module that cannot be used is the system failing, not the request:
# `guitai print` exits 1 for it (3 is for a request refused).
fails() {
	[ "$RC" -eq 1 ] && return 0
	diag "exit status $RC, expected 1 (a failure)" "stdout:" "$(cat "$OUT")" "stderr:" "$(cat "$ERR")"
	return 1
}

# --- linking --------------------------------------------------------------
LDD=$(ldd "$GUITAI" 2>&1)
diag "guitai needs $(wc -l <<<"$LDD") objects, guitai-print.so $(ldd "$MODULE" | wc -l)"
not_linked() {
	if grep -E 'lib(cairo|pango|pangocairo|cups|qrencode|fontconfig)' <<<"$LDD"; then
		return 1
	fi
	return 0
}
check "guitai is linked with none of cairo, pango, fontconfig, qrencode, libcups" not_linked
module_linked() {
	local l
	l=$(ldd "$MODULE")
	grep -q libcairo <<<"$l" && grep -q libcups <<<"$l" && grep -q libpangocairo <<<"$l" ||
		{ diag "$l"; return 1; }
}
check "guitai-print.so is (cairo, pango and libcups are there)" module_linked
# Defined dynamic symbols, less the linker's own and AddressSanitizer's
# marker of a global in an instrumented build.
exports_one() {
	local syms
	syms=$(nm -D --defined-only "$MODULE" | awk '{ print $3 }' |
		grep -vE '^(_init|_fini|_edata|_end|__bss_start|__odr_asan\..*)$')
	[ "$syms" = guitai_print_module ] || { diag "exported: $syms"; return 1; }
}
check "the module exports its table and nothing else" exports_one

# --- an application to print ------------------------------------------------
write_app "$TEST_TMP/app.ini" "[authorization]
from = 2026-11-01"
run -- issue --batch "$TEST_TMP/app.ini"
check "an application stored" rc_is 0
APP=$(head -n 1 "$OUT")
diag "application $APP"

# opens WANT ARGS: the command succeeds and opened the module (WANT 1)
# or not (0), by the dynamic loader's own log; SQLite in that log shows
# that it was written at all.
opens() {
	local want=$1 log
	shift
	LD_DEBUG=files LD_DEBUG_OUTPUT="$TEST_TMP/ld" run GUITAI_PRINT_MODULE="$MODULE" -- "$@"
	log=$(cat "$TEST_TMP"/ld.* 2>/dev/null)
	rm -f "$TEST_TMP"/ld.*
	rc_is 0 || return 1
	grep -q libsqlite3 <<<"$log" || { diag "no loader log"; return 1; }
	if grep -q 'guitai-print\.so' <<<"$log"; then
		[ "$want" = 1 ] || { diag "the module was opened"; return 1; }
	else
		[ "$want" = 0 ] || { diag "the module was not opened"; return 1; }
	fi
}
check "listing applications does not open the module" opens 0 list
check "showing one does not" opens 0 show "$APP"
check "listing print jobs does not" opens 0 print "$APP" --jobs
check "a PDF to a file does" opens 1 print "$APP" receipt --to "$TEST_TMP/r.pdf"

# --- found beside the program (the build tree) -------------------------------
PDF="$TEST_TMP/form.pdf"
run -- print "$APP" application-form --to "$PDF"
check "uninstalled guitai finds the module beside it and writes the form" rc_is 0
form_ok() { pdftotext "$PDF" - 2>/dev/null | grep -q 深圳市测试科技有限公司 || { diag "no name in the PDF"; return 1; }; }
check "the form holds the organisation" form_ok

# --- missing and unloadable ----------------------------------------------------
NONE="$TEST_TMP/nowhere/guitai-print.so"
PDF2="$TEST_TMP/form2.pdf"
run -- print "$APP" --jobs
JOBS=$(wc -l < "$OUT")
run GUITAI_PRINT_MODULE="$NONE" -- print "$APP" application-form --to "$PDF2"
check "a missing module: printing to a file fails" fails
check "the message names the module and the reason" \
	err_has "guitai: printing module $NONE: cannot open shared object file: No such file or directory"
check "no file written" test ! -e "$PDF2"
run GUITAI_PRINT_MODULE="$NONE" -- print "$APP" --jobs
check "listing jobs works without it, and the attempt left none (rendering comes first)" \
	eval '[ "$RC" -eq 0 ] && [ "$(wc -l < "$OUT")" -eq "$JOBS" ]'

run GUITAI_PRINT_MODULE="$NONE" -- list
check "other commands work without it: list" rc_is 0
check "  and list shows the application" out_has "$APP"
run GUITAI_PRINT_MODULE="$NONE" -- show "$APP"
check "  show" rc_is 0
run GUITAI_PRINT_MODULE="$NONE" -- issue --batch "$TEST_TMP/app.ini"
check "  issue --batch" rc_is 0
run GUITAI_PRINT_MODULE="$NONE" -- audit verify
check "  audit verify" rc_is 0

# To CUPS: refused before any scheduler is asked; the job is recorded as
# failed with the reason, and audited with its fault.
run GUITAI_PRINT_MODULE="$NONE" -- print "$APP" receipt
check "a missing module: printing through CUPS fails" fails
check "  with the same message" err_has "printing module $NONE: cannot open shared object file"
run -- print "$APP" --jobs
check "  the job is recorded as failed, with the reason" \
	eval 'grep -qE "	receipt	[0-9]+	.*	failed	printing module " "$OUT" || { diag "$(cat "$OUT")"; false; }'
run -- audit list --limit 20
check "  and audited as fault=no-module" out_has "fault=no-module"

printf 'not a shared object\n' > "$TEST_TMP/junk.so"
run GUITAI_PRINT_MODULE="$TEST_TMP/junk.so" -- print "$APP" application-form --to "$PDF2"
check "a file that is not a shared object: fails" fails
check "  naming it" err_has "guitai: printing module $TEST_TMP/junk.so: "

# A shared object that is not the printing module: the PKCS#11 fault
# module of the token tests.
OTHER="$top_builddir/tests/fixtures/p11fault.so"
run GUITAI_PRINT_MODULE="$OTHER" -- print "$APP" application-form --to "$PDF2"
check "another shared object: fails" fails
check "  saying the table is missing" err_has "printing module $OTHER: undefined symbol: guitai_print_module"

# A printing module of another build: refused by name, never called.
OLD="$top_builddir/tests/fixtures/print-oldabi.so"
run GUITAI_PRINT_MODULE="$OLD" -- print "$APP" application-form --to "$PDF2"
check "a module of another build: fails" fails
check "  saying so" err_has "guitai: printing module $OLD is from another build of guitai (0.0.0-old, this is"
check "  and nothing of it ran (its init aborts)" eval '[ "$RC" -lt 128 ]'

# --- beside the program, then pkglibdir --------------------------------------
BIN="$TEST_TMP/bin"
mkdir -p "$BIN"
cp "$GUITAI" "$BIN/guitai"
: > "$BIN/guitai-print.so"
env -u GUITAI_PRINT_MODULE "$BIN/guitai" -c "$conf" print "$APP" application-form --to "$PDF2" \
	> "$OUT" 2> "$ERR"
RC=$?
check "a broken module beside the program is reported, not passed over" fails
check "  naming it" err_has "printing module $BIN/guitai-print.so: "
rm -f "$BIN/guitai-print.so"
env -u GUITAI_PRINT_MODULE "$BIN/guitai" -c "$conf" print "$APP" application-form --to "$PDF2" \
	> "$OUT" 2> "$ERR"
RC=$?
# What is installed there (if anything, and from which build) is this
# machine's business: it either prints or is the one named.
PKGMOD="${guitai_pkglibdir:-?}/guitai-print.so"
pkglib_last() {
	if [ "$RC" -eq 0 ]; then
		[ -e "$PKGMOD" ] || { diag "printed, but there is no $PKGMOD"; return 1; }
	else
		err_has "printing module $PKGMOD: "
	fi
}
check "none beside the program: pkglibdir is tried last ($PKGMOD)" pkglib_last

done_testing
