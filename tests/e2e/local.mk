# end-to-end tests through tmux (shell, TAP)
E2E_TESTS = tests/e2e/wizard.sh tests/e2e/idcard.sh tests/e2e/resume.sh tests/e2e/screens.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += $(E2E_TESTS) tests/e2e/tmux.sh
include tests/e2e/accounts.mk
include tests/e2e/personalise.mk
