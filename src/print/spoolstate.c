/* The job states of spool.h: names for the database and the audit trail,
 * labels for screens. In the core, not in guitai-print.so: listing jobs
 * and showing their states must not load libcups. */
#include "config.h"
#include "print/spool.h"
#include "util/i18n.h"

#include <string.h>

static const struct {
	const char *name;
	const char *label;
} spool_states[SPOOL_STATES] = {
	[SPOOL_NEW] = { "new", N_("preparing") },
	[SPOOL_PENDING] = { "pending", N_("waiting in the queue") },
	[SPOOL_HELD] = { "held", N_("held") },
	[SPOOL_PROCESSING] = { "processing", N_("printing") },
	[SPOOL_STOPPED] = { "stopped", N_("stopped") },
	[SPOOL_COMPLETED] = { "completed", N_("printed") },
	[SPOOL_CANCELLED] = { "cancelled", N_("cancelled") },
	[SPOOL_ABORTED] = { "aborted", N_("aborted by the printer") },
	[SPOOL_FAILED] = { "failed", N_("failed") },
};

int spool_state_final(enum spool_state s)
{
	return s == SPOOL_COMPLETED || s == SPOOL_CANCELLED || s == SPOOL_ABORTED ||
	       s == SPOOL_FAILED;
}

const char *spool_state_name(enum spool_state s)
{
	return s < SPOOL_STATES ? spool_states[s].name : "failed";
}

enum spool_state spool_state_from_name(const char *name)
{
	for (int i = 0; i < SPOOL_STATES; i++)
		if (strcmp(spool_states[i].name, name) == 0)
			return (enum spool_state)i;
	return SPOOL_FAILED;
}

const char *spool_state_label(enum spool_state s)
{
	return s < SPOOL_STATES ? spool_states[s].label : spool_states[SPOOL_FAILED].label;
}
