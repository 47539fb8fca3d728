/* policy-effects.c - where the policy changes the process: mkdir, unsetenv. */
#include "policy.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#include "deps.h" /* last: its recorders stand for the calls */

void policy_create_roots(const struct policy *p)
{
	struct stat st;

	if (p->profile != PROFILE_WORKSPACE_WRITE || !p->home ||
	    stat(p->home, &st) < 0)
		return;
	for (size_t i = 0; i < p->writable.n; i++) {
		const char *root = p->writable.v[i].path;

		if (!path_within(root, p->home) || strcmp(root, p->home) == 0 ||
		    stat(root, &st) == 0)
			continue;
		if (mkdirs(root, 0700) == 0)
			trace("created the writable root %s", root);
	}
}

void policy_scrub_env(const struct policy *p)
{
	extern char **environ;

	if (!p->reveal_ssh_agent)
		xunsetenv("SSH_AUTH_SOCK");
	if (!p->reveal_gpg_agent)
		xunsetenv("GPG_AGENT_INFO");
	for (size_t i = 0; environ[i];) {
		const char *e = environ[i];
		size_t n = strcspn(e, "=");

		if (e[n] == '=' && secret_var(e, n) && !var_revealed(p, e, n)) {
			char *name = xstrndup(e, n);

			trace("%s removed from the environment", name);
			xunsetenv(name); /* moves the later entries down */
			free(name);
			continue;
		}
		i++;
	}
}
