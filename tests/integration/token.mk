# Key personalisation integration tests (issue 4).
TESTS += tests/integration/token.sh tests/integration/p11-faults.sh \
	tests/integration/ca-helper.sh tests/integration/pcsc.sh
EXTRA_DIST += tests/integration/token.sh tests/integration/p11-faults.sh \
	tests/integration/ca-helper.sh tests/integration/pcsc.sh \
	tests/integration/token-lib.sh tests/integration/pcsc-lib.sh

# The status bar's key slot following a private pcscd, in tmux.
TESTS += tests/e2e/keyslot.sh
EXTRA_DIST += tests/e2e/keyslot.sh
