# The core commands without a terminal: the batch format and the other
# sub-commands, and bad configuration and databases; included from
# tests/integration/local.mk.
TESTS += \
	tests/integration/batch.sh \
	tests/integration/config.sh
EXTRA_DIST += \
	tests/integration/batch.sh \
	tests/integration/config.sh
