# Issue 6 through tmux: supervisor approval at the operator's terminal,
# the settlement screen (void, close), the look-up, the USCC override;
# included from tests/e2e/local.mk.
TESTS += tests/e2e/accounts.sh
EXTRA_DIST += tests/e2e/accounts.sh
