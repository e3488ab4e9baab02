/* `guitai print ...`: an application's documents without a terminal UI.
 *
 *   guitai print APPNO DOCUMENT [--to FILE.pdf | --printer NAME] [--pin-file FILE]
 *                [--by SUPERVISOR [--by-password-file FILE]]
 *   guitai print APPNO --jobs
 *   guitai print --resend JOB [--by SUPERVISOR [--by-password-file FILE]]
 *   guitai print --check-templates [DIR]
 *
 * A second copy of a document (a reprint) needs a supervisor: --by names
 * one, whose password is read from --by-password-file or standard input
 * (session_approve, audited), unless [print] allow_reprint = yes.
 *
 * DOCUMENT is application-form, seal-sheet, receipt, handover or
 * pin-mailer. A job sent to a printer is followed until it is completed,
 * aborted or cancelled, each state on standard output.
 *
 * Exit status: 0 printed (or written), 1 failure (the message says what to
 * do), 2 usage error, 3 not allowed or invalid (a reprint without the
 * right, a draft, a document that does not apply, a bad template). */
#ifndef GUITAI_CMD_PRINT_H
#define GUITAI_CMD_PRINT_H

struct gt_ctx;

/* argv[0] is "print". */
int cmd_print_main(struct gt_ctx *ctx, int argc, char **argv);

#endif
