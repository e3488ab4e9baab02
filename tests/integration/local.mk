# integration tests (shell, TAP)
include tests/integration/idcard.mk
include tests/integration/audit.mk
include tests/integration/core.mk
include tests/integration/accounts.mk
