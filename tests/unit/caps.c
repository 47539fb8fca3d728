/* Unit tests: what the backend finds here, as fields (struct sandbox_caps),
 * against what the kernel answers when asked directly, and explain's lines
 * printed from those fields. */
#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "msgs.h"
#include "mountns.h"
#include "policy.h"
#include "sandbox.h"
#include "tap.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif

/* explain's output for P, as a new string. */
static char *explained(const struct policy *p)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		abort();
	sandbox_explain(f, p);
	fclose(f);
	return out;
}

int main(void)
{
	struct sandbox_caps c;
	struct policy p;
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U);
	bool ns;
	char *out, *line;

	unsetenv("SBX_PROFILE");
	unsetenv("SBX_PROTECT");
	msgs_reset();
	policy_init(&p, NULL);
	policy_finish(&p);
	sandbox_caps(&p, &c);
	ok(c.available == (abi > 0), "available: as the kernel's Landlock");
	ok(c.landlock_abi == (abi > 0 ? (int)abi : 0),
	   "the ABI: the kernel's (%ld)", abi);
	ok(c.seccomp ==
		   (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL
			    ? CAPS_SECCOMP_MISSING
			    : CAPS_SECCOMP_YES),
	   "seccomp: as the kernel says");
	ns = mountns_probe() == NULL;
	if (c.available) {
		ok(c.view == (ns ? CAPS_VIEW_PRIVATE : CAPS_VIEW_NONE),
		   "the mount namespace: %s", ns ? "private" : "none");
		ok(ns == (c.view_why[0] == '\0'), "a reason only without one");
	} else {
		ok(c.view == CAPS_VIEW_UNASKED,
		   "no backend: no namespace asked");
		ok(c.view_why[0] == '\0', "no reason either");
	}

	/* explain prints the fields: its backend line is the summary, and
	 * the namespace's line follows the verdict. */
	out = explained(&p);
	line = xasprintf("backend:    %s\n", c.summary);
	ok(strncmp(out, line, strlen(line)) == 0, "explain's first line");
	free(line);
	if (c.view == CAPS_VIEW_PRIVATE)
		ok(strstr(out, "chmod: private read-only mount namespace\n") !=
			   NULL,
		   "explain: the namespace");
	else if (c.view == CAPS_VIEW_NONE)
		ok(strstr(out, c.view_why) != NULL, "explain: why not");
	else
		ok(strstr(out, "chmod:") == NULL, "explain: no namespace line");
	free(out);

	/* protect = off: not enforced, by choice, and nothing probed. */
	p.protect = PROTECT_OFF;
	sandbox_caps(&p, &c);
	ok(c.view == (c.available ? CAPS_VIEW_OFF : CAPS_VIEW_UNASKED),
	   "protect = off: no namespace, by choice");
	out = explained(&p);
	ok(!c.available ||
		   strstr(out, "chmod: NOT enforced: protect = off\n") != NULL,
	   "explain says protect = off");
	free(out);

	/* full-access: there is nothing to enforce. */
	p.protect = PROTECT_BEST_EFFORT;
	p.profile = PROFILE_FULL_ACCESS;
	sandbox_caps(&p, &c);
	ok(c.view == CAPS_VIEW_UNASKED, "full-access: no namespace asked");
	ok(c.available || strstr(c.summary, "exit 126") == NULL,
	   "full-access: no exit 126 promised");
	policy_free(&p);
	return done_testing();
}
