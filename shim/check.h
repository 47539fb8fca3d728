/* check.h - sbx check: would the policy allow this, and if not, what would. */
#ifndef SBX_CHECK_H
#define SBX_CHECK_H

#include <stdbool.h>

#include "policy.h"

enum check_action { CHECK_READ, CHECK_WRITE, CHECK_EXEC, CHECK_CONNECT };

/* The answer, in the policy's own terms. Strings are owned by the verdict. */
struct verdict {
	bool allowed;
	const char *layer; /* what decides: "writable root", "protected", ... */
	char *reason;	   /* one sentence */
	char *source;	   /* where the deciding value came from */
	char *allow;	   /* the setting that would allow it, or NULL */
	char *where;	   /* where that setting goes, or NULL */
};

/*
 * Decides ACTION on TARGET (an absolute, normalised path; HOST:PORT for
 * CHECK_CONNECT) from P, after policy_finish. LOOPBACK: the tools get a
 * private loopback with the network off. Pure: reads only P and the file
 * system's symlinks.
 */
void check_decide(const struct policy *p, enum check_action action,
		  const char *target, bool loopback, struct verdict *v);
void verdict_free(struct verdict *v);

/* sbx check [TOOL] --write PATH | --read PATH | --exec PATH |
 * --connect HOST:PORT [--json]: 0 allowed, 1 denied. */
int cmd_check(int argc, char *argv[]);

#endif
