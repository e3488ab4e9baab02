# db/: SQLite store, PII sealing and password hashing, the audit trail.
libguitai_a_SOURCES += db/store.c db/store.h db/crypto.c db/crypto.h db/audit.c db/audit.h \
	db/audit_int.h db/audit_verify.c db/audit_bundle.c
