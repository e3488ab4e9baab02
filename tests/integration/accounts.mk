# Issue 6 end to end without a terminal: operators and approvals, payments,
# the daily settlement and closing, search, personal data at rest, secrets
# in logs, the missing key; included from tests/integration/local.mk.
TESTS += tests/integration/ledger.sh
EXTRA_DIST += tests/integration/ledger.sh
