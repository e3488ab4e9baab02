# db/: SQLite store, PII sealing and password hashing.
libguitai_a_SOURCES += db/store.c db/store.h db/crypto.c db/crypto.h
