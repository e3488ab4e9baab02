#!/usr/bin/env bash
# End to end (issue 4): the status bar's key slot follows a private pcscd
# live, in Chinese — a key with an ATR the token catalogue does not know
# is "unsupported key model" with its ATR; pulled, the slot says so; a
# catalogued key then shows its model's name. The card is our emulator on
# vsmartcard-vpcd (tests/integration/pcsc-lib.sh).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/pcsc-lib.sh"
start_pcscd
# Before the first tmux call: the tmux server passes it on to guitai.
export PCSCLITE_CSOCK_NAME
. "$top_srcdir/tests/e2e/tmux.sh"

conf=$(write_config "[token]
catalog = $top_srcdir/data/tokens.ini")
add_demo_operator "$conf"

insert_card 3B021450
start_ui zh_CN.UTF-8 140 30 -c "$conf"
unsupported=$(printf "$(zh 'unsupported key model (ATR %s)')" 3B:02:14:50)
check "an unknown ATR: unsupported key model, with the ATR" wait_for "$unsupported" 15
kill "$CARD_PID" 2>/dev/null
wait "$CARD_PID" 2>/dev/null
check "the key pulled: the slot no longer names it" \
	sh -c "for i in \$(seq 1 100); do tmux -S '$TMUX_SOCK' capture-pane -p -t ui | tail -n 1 | grep -qF '$unsupported' || exit 0; sleep 0.1; done; exit 1"
insert_card
check "a catalogued key: its model's name, live" wait_for "guitai test key (virtual)" 15
login_demo "$(zh 'Operator log-in')"
check "still shown after log-in" wait_for "guitai test key (virtual)"
keys F12
check "F12 leaves" wait_exit
done_testing
