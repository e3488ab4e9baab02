/* `guitai audit ...`: the audit trail without a terminal UI.
 *
 *   guitai audit verify [--key-file FILE] [--stats]
 *   guitai audit verify --bundle FILE [--key-file FILE] [--stats]
 *   guitai audit export FILE
 *   guitai audit list [--limit N]
 *
 * Exit status: 0 intact (or done), 1 failure (database, key file), 2
 * usage error, 3 the trail or bundle has been tampered with. */
#ifndef GUITAI_CMD_AUDIT_H
#define GUITAI_CMD_AUDIT_H

/* argv[0] is "audit", argv[1] the verb. A bundle is verified without
 * opening the database; everything else opens the context. */
int cmd_audit_main(const char *config_path, int argc, char **argv);

#endif
