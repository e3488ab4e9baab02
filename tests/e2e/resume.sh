#!/usr/bin/env bash
# End to end: crash and resume. The real guitai in tmux at 80x24, in
# Chinese, is killed with SIGKILL at the organisation step and again at the
# people step; started again, it offers the draft after log-in and resumes it
# with every typed value in place. SIGTERM saves what is being typed and
# restores the terminal; Esc leaves the application a draft.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e/tmux.sh"

conf=$(write_config)
add_demo_operator "$conf"

ORG_NAME="深圳市恢复测试科技有限公司"
USCC="91440300708461136T"
HANDLER="王小明"
POSITION="财务总监"
resume_title=$(zh 'Unfinished applications: resume one?')

# kill_ui SIGNAL: send it to guitai itself (not the pane's shell).
kill_ui() {
	local pid
	pid=$(ui_pid)
	if [ -z "$pid" ]; then
		diag "no guitai process to signal"
		return 1
	fi
	kill "-$1" "$pid"
}

# gone: guitai is no longer running in the pane (bounded wait).
gone() {
	local i=0
	while [ -n "$(ui_pid)" ] && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -z "$(ui_pid)" ]
}

# wait_gone TEXT: until the screen no longer shows TEXT (bounded).
wait_gone() {
	local i=0
	while screen | grep -qF -- "$1"; do
		[ "$i" -lt 100 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

drafts() {
	"$GUITAI" -c "$conf" list --status draft
}

# --- 1. kill -9 at the organisation step -----------------------------------
start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
check "home menu after log-in (no drafts yet)" wait_for "$(zh 'New issuance')"
keys 1
check "step 1 of new issuance" wait_for "1/5"
keys F10
check "organisation step" wait_for "2/5"
type_text "$ORG_NAME"
keys Tab Tab
type_text "$USCC"
keys Tab
# Leaving the USCC fills the region: by then the draft has been saved.
check "region filled from the USCC" wait_for "440300"
check "kill -9 at the organisation step" kill_ui KILL
check "guitai is gone" gone

app_no=$(drafts | head -n 1 | cut -f1)
check "the killed application is a draft" test -n "$app_no"
diag "draft: $app_no"
check "the draft holds the organisation name" sh -c "'$GUITAI' -c '$conf' list --status draft | grep -qF '$ORG_NAME'"

start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
check "after log-in the resume list appears" wait_for "$resume_title"
check "the list names the draft" wait_for "$app_no"
check "the list says where it stopped" wait_for "[$(zh 'Organisation')]"
check "the list offers to go to the menu instead" wait_for "$(zh 'No, go to the menu')"
keys Enter
check "resumed at the organisation step" wait_for "2/5"
check "resumed: organisation name intact" wait_for "$ORG_NAME"
check "resumed: USCC intact" wait_for "$USCC"
check "resumed: same application number" wait_for "$app_no"
check "resumed: city still derived" wait_for "440300"

# --- 2. kill -9 at the people step -----------------------------------------
# The cursor is on the first field; go down to the address.
keys Down Down Down Down Down Down
type_text "深圳市南山区科苑路8号"
keys F10
check "people step" wait_for "3/5"
keys Tab Tab Tab
type_text "$HANDLER"
keys Tab
# The hint line follows the cursor once the name is stored and saved.
check "on to the handler's ID type" wait_for "$(zh "The handler's identity document.")"
check "kill -9 at the people step" kill_ui KILL
check "guitai is gone again" gone

start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
check "resume list again" wait_for "$resume_title"
check "the list says it stopped at the people step" \
	wait_for "[$(zh 'Legal representative and handler')]"
keys Enter
check "resumed at the people step" wait_for "3/5"
check "resumed: handler name intact" wait_for "$HANDLER"
check "only one draft (resuming did not copy it)" test "$(drafts | wc -l)" -eq 1

# --- 3. SIGTERM: what is being typed is saved, the terminal restored ---------
# Resumed on the first field (legal rep. name); the position is the ninth.
keys Down Down Down Down Down Down Down Down
type_text "$POSITION"
sleep 0.3
check "SIGTERM at the people step" kill_ui TERM
check "guitai leaves on SIGTERM" wait_exit
check "exit status 0 after SIGTERM" grep -qx 0 "$TEST_TMP/ui.exit"
check "terminal restored after SIGTERM (icanon)" grep -q ' icanon' "$TEST_TMP/stty.after"
check "terminal restored after SIGTERM (echo)" grep -q ' echo ' "$TEST_TMP/stty.after"
"$GUITAI" -c "$conf" show "$app_no" --full > "$TEST_TMP/show.txt" 2>&1
check "field being typed at SIGTERM was saved" grep -qx "position = $POSITION" "$TEST_TMP/show.txt"
check "handler name still saved" grep -qx "name = $HANDLER" "$TEST_TMP/show.txt"
check "organisation name still saved" grep -qx "name = $ORG_NAME" "$TEST_TMP/show.txt"
check "still a draft" grep -q "status draft" "$TEST_TMP/show.txt"

# --- 4. Esc goes to the menu and keeps the draft -------------------------------
start_ui zh_CN.UTF-8 80 24 -c "$conf"
login_demo "$(zh 'Operator log-in')"
check "resume list once more" wait_for "$resume_title"
keys Enter
check "resumed at the people step once more" wait_for "3/5"
check "position typed before SIGTERM is shown" wait_for "$POSITION"
keys Escape
check "Esc goes back to the menu" wait_for "$(zh 'Resume an unfinished application')"
check "the application stays a draft after Esc" sh -c "'$GUITAI' -c '$conf' list --status draft | grep -q '^$app_no	'"
check "nothing submitted" test -z "$("$GUITAI" -c "$conf" list --status submitted)"
# R in the menu offers the draft again.
keys r
check "menu R lists the draft" wait_for "$app_no"
keys Escape
check "Esc leaves the list" wait_gone "$app_no"
keys F12
check "F12 leaves the program" wait_exit
check "terminal restored after F12" \
	sh -c "grep -q ' icanon' '$TEST_TMP/stty.after' && grep -q ' echo ' '$TEST_TMP/stty.after'"
done_testing
