# ID-card reader: integration tests through the simulator on a pty, the
# fuzz smoke run, and the fixtures they need.
include tests/fixtures/idcard.mk
include tests/fuzz/idcard.mk

TESTS += \
	tests/integration/idcard-types.sh \
	tests/integration/idcard-faults.sh
EXTRA_DIST += \
	tests/integration/idcard-types.sh \
	tests/integration/idcard-faults.sh \
	tests/integration/idcard-lib.sh
