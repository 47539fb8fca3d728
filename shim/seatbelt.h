/* seatbelt.h - the macOS profile and sandbox-exec argv, as pure functions
 * (built and unit-tested on every platform; `sbx policy` prints them). */
#ifndef SBX_SEATBELT_H
#define SBX_SEATBELT_H

#include <stddef.h>
#include <stdio.h>

#include "policy.h"

#ifndef SBX_SANDBOX_EXEC
#define SBX_SANDBOX_EXEC "/usr/bin/sandbox-exec"
#endif

struct sb_param {
	char *name;
	char *value;
};

struct sb_profile {
	char *text; /* SBPL; no path ever appears in it */
	struct sb_param *params;
	size_t n;
};

/*
 * Builds the profile for P (not full-access). Every path is canonicalised
 * (/tmp is /private/tmp on macOS) and reaches the profile only as a
 * parameter. EXTRA, when not NULL, adds writable roots (macOS's per-user
 * temp and cache folders). TTYS, when not NULL, names the terminals the
 * tool was started on (the only ones it may open; NULL: a comment says
 * where they go). With network = HOST, ..., PROXY_PORT is the port
 * of sbx's proxy on localhost for this run, the one place the tool may
 * connect to (0: not known yet, for `sbx policy`: a comment says so).
 */
void seatbelt_build(const struct policy *p, const struct pathlist *extra,
		    const struct pathlist *ttys, int proxy_port,
		    struct sb_profile *out);
void seatbelt_free(struct sb_profile *sp);

/* SBX_SANDBOX_EXEC -p TEXT -DNAME=value... -- TOOL ARGV[1]...: a new
 * NULL-terminated array whose strings belong to SP, TOOL and ARGV. */
char **seatbelt_argv(const struct sb_profile *sp, const char *tool,
		     char *const argv[]);

/* Prints the profile, then ";; parameters" and one ";; -DNAME=value" line
 * per parameter (control characters escaped): what `sbx policy` shows. */
void seatbelt_print(FILE *out, const struct sb_profile *sp);

/* Well-formedness: forms balanced outside strings and comments, and every
 * (param "X") given by a -DX=. Returns 0, or -1 with a reason in ERR. */
int seatbelt_check(const struct sb_profile *sp, char *err, size_t errlen);

#endif
