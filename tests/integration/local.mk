# integration tests (shell, TAP)
include tests/integration/idcard.mk
