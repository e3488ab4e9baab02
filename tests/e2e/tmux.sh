# Driving the real guitai inside a private tmux server: start it at a given
# size and locale, type, and read the screen. Source after tests/lib.sh.

TMUX_SOCK="$TEST_TMP/tmux.sock"
TEST_CLEANUP+=("tmux -S '$TMUX_SOCK' kill-server")

tm() {
	tmux -S "$TMUX_SOCK" "$@"
}

# start_ui LANG COLS ROWS ARGS...: run guitai in a new session "ui". The
# pane runs a shell so that, after guitai exits, `stty -a` shows what state
# the terminal was left in (written to $TEST_TMP/stty.after).
start_ui() {
	local lang=$1 cols=$2 rows=$3
	shift 3
	local try
	tm kill-session -t ui 2>/dev/null
	rm -f "$TEST_TMP/stty.after" "$TEST_TMP/ui.exit"
	# Killing the last session ends the server; on a loaded machine a
	# new session can reach that server while it is going and vanish
	# with it. Then start it again (bounded).
	for try in 1 2 3 4 5; do
		tm new-session -d -s ui -x "$cols" -y "$rows" \
			"env LANG=$lang LC_ALL=$lang LANGUAGE= GUITAI_LOCALEDIR='$GUITAI_LOCALEDIR' \
			 ASAN_OPTIONS='${ASAN_OPTIONS:-}' LSAN_OPTIONS='${LSAN_OPTIONS:-}' \
			 '$GUITAI' $*; echo \$? > '$TEST_TMP/ui.exit'; \
			 stty -a > '$TEST_TMP/stty.after' 2>&1; sleep 600" 2>/dev/null
		sleep 0.2
		tm has-session -t ui 2>/dev/null && return 0
		diag "tmux session did not start (try $try); starting it again"
		sleep 0.3
	done
	return 1
}

screen() {
	tm capture-pane -p -t ui
}

keys() {
	tm send-keys -t ui "$@"
}

# Type literal text (Chinese included) without tmux interpreting key names.
type_text() {
	tm send-keys -t ui -l "$1"
}

# wait_for TEXT [SECONDS]: until the screen shows TEXT.
wait_for() {
	local text=$1 limit=${2:-10} i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		if screen | grep -qF -- "$text"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	diag "timed out waiting for: $text" "screen was:"
	screen | sed 's/^/#   /'
	return 1
}

# The PID of guitai itself (the pane's shell's child).
ui_pid() {
	local shell_pid
	shell_pid=$(tm display-message -p -t ui '#{pane_pid}')
	pgrep -P "$shell_pid" -x guitai | head -n 1
}

wait_exit() {
	local i=0
	while [ ! -f "$TEST_TMP/stty.after" ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -f "$TEST_TMP/stty.after" ]
}

login_demo() {
	wait_for "$1" || return 1
	type_text demo
	keys Enter
	type_text demo1234
	keys Enter
}

# enter_application: from the home menu through the wizard's five steps
# to the submission; sets app_no and leaves the "accepted" alert open.
enter_application() {
	keys 1
	wait_for "1/5" || return 1
	keys F10
	wait_for "2/5" || return 1
	type_text "深圳市测试科技有限公司"
	keys Tab Tab
	type_text "91440300708461136T"
	keys Tab
	wait_for "440300" || return 1
	keys Tab Tab Tab
	type_text "深圳市南山区科技园科苑路1号"
	keys F10
	wait_for "3/5" || return 1
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
	wait_for "4/5" || return 1
	keys Tab Tab Tab
	keys Right Right Right
	wait_for "$(zh 'WeChat Pay')" || return 1
	keys Tab
	type_text "4200001234202611210000"
	keys F10
	wait_for "5/5" || return 1
	keys F10
	wait_for "$(zh 'Application accepted')" || return 1
	app_no=$(screen | grep -o 'T01-[0-9]\{8\}-[0-9]\{4\}' | head -n 1)
	[ -n "$app_no" ]
}
