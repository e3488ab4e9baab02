#!/usr/bin/env bash
# End to end: the screens themselves. English locale; log-in errors and the
# lock after 5 wrong passwords; F1 help on every screen; the home menu's
# services that are not built yet; resize (larger, too small, back); the
# choice list with typed codes; and odd input in a text field (control
# characters, an over-long paste, invalid UTF-8).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e/tmux.sh"

conf=$(write_config)
add_demo_operator "$conf"
# A second operator is approved by the supervisor (stdin: clerk's, then demo's).
printf 'clerk123\ndemo1234\n' | "$GUITAI" -c "$conf" operator add clerk --password-file - --by demo
LOG="$TEST_TMP/guitai.log"

# wait_gone TEXT: until the screen no longer shows TEXT (bounded).
wait_gone() {
	local i=0
	while screen | grep -qF -- "$1"; do
		if [ "$i" -ge 100 ]; then
			diag "still on screen: $1"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# log_count TEXT N: until the log has N lines containing TEXT (bounded).
log_count() {
	local i=0
	while [ "$(grep -cF -- "$1" "$LOG" 2>/dev/null)" -lt "$2" ]; do
		[ "$i" -lt 100 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# help_box TITLE [OK]: F1 opens a dialog titled TITLE, with the OK hint
# (zh by default); Enter closes it.
help_box() {
	keys F1
	wait_for "┌─$1" || return 1
	wait_for "${2:-$(zh 'Enter: OK')}" || return 1
	keys Enter
	wait_gone "┌─$1"
}

alive() {
	[ -n "$(ui_pid)" ]
}

# The application number in the title bar.
screen_app_no() {
	screen | grep -o 'T01-[0-9]\{8\}-[0-9]\{4\}' | head -n 1
}

# The stored value of a field of application $APP, unmasked.
draft_value() {
	"$GUITAI" -c "$conf" show "$APP" --full | awk -v s="[$1]" -v k="$2 = " '
		/^\[/ { in_s = ($0 == s); next }
		in_s && index($0, k) == 1 { print substr($0, length(k) + 1); exit }'
}

# must DESC CMD...: like check, but stop the whole test when it fails (the
# screens after it would only time out one by one).
must() {
	check "$@" && return 0
	echo "Bail out! $1"
	exit 1
}

# wait_value SECTION KEY TEST: until the stored value passes TEST (a shell
# test on "$v", e.g. '[ "$v" = ABCD ]'), at most 5 s; leaves it in $v.
wait_value() {
	local i=0
	while :; do
		v=$(draft_value "$1" "$2")
		eval "$3" && return 0
		[ "$i" -lt 50 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

chars() {
	printf '%s' "$1" | LC_ALL=C.UTF-8 wc -m
}

# --- English -------------------------------------------------------------------
start_ui en_US.UTF-8 80 24 -c "$conf"
check "English: log-in title" wait_for "Operator log-in"
check "English: password label" wait_for "Password"
check "English: keys line" wait_for "Tab: switch field"
check "English: no Chinese title" sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep -qF '$(zh 'Operator log-in')'"
check "English: F1 help on the log-in screen" help_box "Help: log-in" "Enter: OK"
login_demo "Operator log-in"
must "English: menu" wait_for "New issuance"
check "English: services not built say so" wait_for "(not available yet)"
keys 1
must "English: step 1 title" wait_for "Service and product"
keys F10
must "English: organisation step labels" wait_for "Organisation name"
check "English: document number label" wait_for "Document number"
check "English: hints line" wait_for "F9/PgUp back"
keys Escape
check "English: Esc back to the menu" wait_for "Log out"
keys F12
check "English: F12 quits" wait_exit

# --- log-in errors and the lock -----------------------------------------------
start_ui zh_CN.UTF-8 80 24 -c "$conf"
check "log-in screen" wait_for "$(zh 'Operator log-in')"
check "F1 help on the log-in screen" help_box "$(zh 'Help: log-in')"
type_text clerk
keys Enter
type_text wrong1
keys Enter
check "wrong password: message in Chinese" wait_for "$(zh 'Wrong operator name or password.')"
check "wrong password logged" log_count "login: failed" 1
for n in 2 3 4; do
	type_text "wrong$n"
	keys Enter
	log_count "login: failed" "$n" || break
done
check "four wrong passwords: still only wrong" log_count "login: failed" 4
locked=$(zh 'Too many wrong passwords: %s is locked until %s.')
locked=${locked/\%s/clerk}
locked=${locked%%\%s*}
check "four wrong passwords: not locked yet" \
	sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep -qF '$locked'"
type_text wrong5
keys Enter
check "fifth wrong password locks the operator" wait_for "$locked"
type_text clerk123
keys Enter
check "locked: the right password is refused too" log_count "locked until" 2
check "locked: still on the log-in screen" sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t ui | grep -qF '$(zh 'New issuance')'"
keys F12
check "F12 quits from the log-in screen" wait_exit
# The lock is per operator: another one still logs in.
start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
# The English run left a draft: the resume list comes first. Decline it.
must "another operator logs in (resume list)" wait_for "$(zh 'Unfinished applications: resume one?')"
keys Down
check "the list offers the menu instead" wait_for "> $(zh 'No, go to the menu')"
keys Enter
must "declined: the menu" wait_for "$(zh 'New issuance')"

# --- home menu ----------------------------------------------------------------
check "F1 help on the menu" help_box "$(zh 'Help: services')"
keys 2
check "renewal: not available yet" \
	wait_for "$(printf "$(zh '%s is not available in this version yet.')" "$(zh 'Renewal')")"

# --- wizard: help, odd input, resize, lists ----------------------------------
keys 1
must "step 1" wait_for "1/5"
check "F1 help on step 1" help_box "$(zh 'Service and product')"
keys F10
must "step 2" wait_for "2/5"
APP=$(screen_app_no)
check "F1 help on step 2" help_box "$(zh 'Organisation')"

# Control characters never enter a field.
type_text AB
keys C-a C-b
type_text CD
keys C-e C-g Tab
check "control characters are not taken" wait_value organization name '[ "$v" = ABCD ]'

# An over-long paste is cut at the field's limit (100 characters).
keys Up C-u
type_text "$(printf 'x%.0s' $(seq 300))"
keys Tab
check "over-long paste: told where the limit is" wait_for "$(printf "$(zh 'At most %u characters in this field.')" 100)"
check "over-long paste: still running" alive
wait_value organization name '[ "${v#x}" != "$v" ]'
diag "kept $(chars "$v") of 300 ASCII characters"
check "over-long ASCII paste cut at 100 characters" test "$(chars "$v")" -le 100
keys Up C-u
type_text "$(printf '深%.0s' $(seq 300))"
keys Tab
wait_value organization name '[ "${v#深}" != "$v" ]'
check "over-long Chinese paste: still running" alive
diag "kept $(chars "$v") of 300 Chinese characters"
check "over-long Chinese paste cut at 100 characters" test "$(chars "$v")" -le 100

# Resize with typed values, the USCC still being typed.
keys Up C-u
type_text "深圳市测试科技有限公司"
keys Tab Tab
type_text "91440300708461136T"
sleep 0.2
tm resize-window -t ui -x 120 -y 40
check "larger: name still there" wait_for "深圳市测试科技有限公司"
check "larger: USCC being typed still there" wait_for "91440300708461136T"
# The name and USCC were on screen before the resize too: wait for the
# redraw at the new size itself.
title_wider_than() {
	local i
	for i in $(seq 1 50); do
		[ "$(screen | head -n 1 | LC_ALL=C.UTF-8 wc -L)" -gt "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
check "larger: title bar drawn across 120 columns" title_wider_than 100
tm resize-window -t ui -x 80 -y 24
check "back to 80x24: name still there" wait_for "深圳市测试科技有限公司"
check "back to 80x24: USCC still there" wait_for "91440300708461136T"
tm resize-window -t ui -x 60 -y 20
check "60x20: the too-small notice" \
	wait_for "$(printf "$(zh 'The terminal is too small: %dx%d. guitai needs at least %dx%d. Enlarge the window.')" 60 20 80 24)"
tm resize-window -t ui -x 80 -y 24
must "grown back: the step again" wait_for "2/5"
check "grown back: name" wait_for "深圳市测试科技有限公司"
check "grown back: USCC" wait_for "91440300708461136T"
check "grown back: notice gone" wait_gone "$(zh 'The terminal is too small: %dx%d. guitai needs at least %dx%d. Enlarge the window.' | sed 's/%.*//')"
check "still running after the resizes" alive
keys Tab
check "after the resizes, leaving the USCC fills the province" wait_for "440000" 3

# The province list: Enter opens it, typed digits move to a code.
keys Enter
check "Enter on the province opens the list" wait_for "┌─$(zh 'Province')"
type_text 31
check "typing 31 moves to 310000" wait_for "> 310000"
keys Enter
check "310000 chosen" wait_for "310000"
keys Enter
check "the list again" wait_for "┌─$(zh 'Province')"
type_text 44
check "typing 44 moves to 440000" wait_for "> 440000"
keys Enter
check "list closed" wait_gone "┌─$(zh 'Province')"
check "440000 chosen" wait_for "440000"
keys Down Enter
check "city list" wait_for "┌─$(zh 'City')"
type_text 4403
check "typing 4403 moves to 440300" wait_for "> 440300"
keys Enter
check "city chosen" wait_for "440300"
check "stored province" test "$(draft_value organization province)" = 440000
check "stored city" test "$(draft_value organization city)" = 440300

keys Down Down
type_text "深圳市南山区科苑路1号"
keys F10
must "step 3" wait_for "3/5"
check "F1 help on step 3" help_box "$(zh 'Legal representative and handler')"
type_text "张三"
keys Tab Tab
type_text "440304198502280023"
keys Tab
type_text "李四"
keys Tab Tab
type_text "44030519900101123X"
keys Tab
type_text "13800138000"
keys Tab
type_text "lisi@example.com"
keys Tab
type_text "经理"
keys F10
must "step 4" wait_for "4/5"
check "F1 help on step 4" help_box "$(zh 'Invoice and payment')"
keys Tab Tab Tab Right
check "cash chosen" wait_for "$(zh 'Cash')"
keys F10
must "step 5" wait_for "5/5"
check "F1 help on the review" help_box "$(zh 'Review')"
check "review still shown after help" wait_for "5/5"
keys Escape
must "Esc from the review: menu" wait_for "$(zh 'Log out')"

# Invalid UTF-8 from the terminal, in a new application: the bad byte is
# dropped, not what follows it.
keys 1
must "another application" wait_for "1/5"
keys F10
must "its organisation step" wait_for "2/5"
APP=$(screen_app_no)
tm send-keys -t ui -H 41 ff 42 43 44
# A pause longer than guitai's 1 s key timeout, so that whatever happened
# to the bytes above, the Tab is read as a Tab.
sleep 1.5
keys Tab
wait_value organization name '[ -n "$v" ]'
check "invalid UTF-8 input: still running" alive
check "invalid UTF-8 input: stored value is valid UTF-8" \
	sh -c "printf '%s' '$v' | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1"
diag "stored after typing A<ff>BCD: '$v'"
check "invalid UTF-8 input: the valid text after it is kept" test "$v" = ABCD
# Input may be out of step now: leave by signal, which saves the draft.
kill -TERM "$(ui_pid)"
check "SIGTERM quits" wait_exit
check "exit status 0" grep -qx 0 "$TEST_TMP/ui.exit"
check "terminal restored" \
	sh -c "grep -q ' icanon' '$TEST_TMP/stty.after' && grep -q ' echo ' '$TEST_TMP/stty.after'"
done_testing
