# end-to-end tests through tmux (shell, TAP)
E2E_TESTS = tests/e2e/wizard.sh tests/e2e/idcard.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += $(E2E_TESTS) tests/e2e/tmux.sh
