# The audit trail end to end: guitai audit verify/export/list against
# tampering with the sqlite3 shell; included from tests/integration/local.mk.
TESTS += tests/integration/audit.sh
EXTRA_DIST += tests/integration/audit.sh

# Configuration changes recorded at start-up (issue 6, item 5).
TESTS += tests/integration/config-audit.sh
EXTRA_DIST += tests/integration/config-audit.sh
