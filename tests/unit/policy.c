/* Unit tests: the policy model, its sources and the implicit roots. */
#include <stdlib.h>
#include <unistd.h>

#include "msgs.h"
#include "policy.h"
#include "tap.h"

static int text(struct policy *p, const char *t)
{
	msgs_reset();
	return policy_apply_text(p, "/proj/.sbxrc", t, strlen(t));
}

static int has_root(const struct policy *p, const char *path, const char *src)
{
	for (size_t i = 0; i < p->roots.n; i++)
		if (strcmp(p->roots.v[i].path, path) == 0)
			return strcmp(source_str(&p->roots.v[i].src), src) == 0;
	return 0;
}

int main(void)
{
	struct policy p;

	unsetenv("SBX_PROFILE");
	unsetenv("SBX_NETWORK");
	unsetenv("SBX_WRITABLE");
	unsetenv("SBX_CONFIG");
	setenv("HOME", "/home/u", 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent-sbx-test", 1);
	setenv("TMPDIR", "/var//tmp/", 1);

	policy_init(&p, "npm");
	ok(p.profile == PROFILE_WORKSPACE_WRITE,
	   "default profile workspace-write");
	ok(!p.network, "default network off");
	is_str(source_str(&p.profile_src), "default", "default source");

	ok(text(&p, "profile = read-only\nnetwork = on\nwritable = build\n"
		    "writable = ~/.cache/pip\nwritable = /abs/../x\n") == 0,
	   "config applies");
	ok(p.profile == PROFILE_READ_ONLY, "profile from the file");
	is_str(source_str(&p.profile_src), "/proj/.sbxrc:1",
	       "profile source file:line");
	ok(p.network, "network on");
	is_str(source_str(&p.network_src), "/proj/.sbxrc:2", "network source");
	{
		char both[64];

		snprintf(both, sizeof(both), "%s %s",
			 source_str(&p.profile_src), source_str(&p.network_src));
		is_str(both, "/proj/.sbxrc:1 /proj/.sbxrc:2",
		       "two sources in one message");
	}
	ok(p.writable.n == 3, "three writable roots");
	is_str(p.writable.v[0].path, "/proj/build",
	       "relative to the file's folder");
	is_str(p.writable.v[1].path, "/home/u/.cache/pip", "~ is HOME");
	is_str(p.writable.v[2].path, "/x", "normalised");
	is_str(source_str(&p.writable.v[1].src), "/proj/.sbxrc:4",
	       "writable source");

	ok(text(&p, "[npm]\nnetwork = off\n[pip]\nnetwork = on\n") == 0,
	   "sections");
	ok(!p.network, "the tool's section applies, another's does not");
	is_str(source_str(&p.network_src), "/proj/.sbxrc:2", "section source");

	ok(text(&p, "profile = bogus\nnetwork = maybe\nnetwrok = on\nwritable "
		    "= ~bob/x\n") == 4,
	   "four bad lines, four errors");
	ok(msgs_has("/proj/.sbxrc:1: bad profile \"bogus\""),
	   "bad profile named");
	ok(msgs_has("/proj/.sbxrc:2: bad network \"maybe\" (on, off, or hosts "
		    "such as registry.npmjs.org, *.example.com, "
		    "host.example:8443)"),
	   "bad network named");
	ok(msgs_has("/proj/.sbxrc:3: unknown key \"netwrok\""),
	   "unknown key named");
	ok(msgs_has("/proj/.sbxrc:4: writable \"~bob/x\""), "bad path named");
	ok(p.profile == PROFILE_READ_ONLY, "a bad value changes nothing");

	/* The environment, over the files. */
	setenv("SBX_PROFILE", "full-access", 1);
	setenv("SBX_NETWORK", "on", 1);
	setenv("SBX_WRITABLE", "/w1::rel:~/w2", 1);
	msgs_reset();
	ok(policy_load(&p) == 0, "environment applies");
	ok(p.profile == PROFILE_FULL_ACCESS, "SBX_PROFILE wins");
	is_str(source_str(&p.profile_src), "SBX_PROFILE", "its source");
	ok(p.network, "SBX_NETWORK");
	char *rel = xasprintf("%s/rel", p.cwd);
	int found = 0;
	for (size_t i = 0; i < p.writable.n; i++)
		if (strcmp(p.writable.v[i].path, rel) == 0 &&
		    strcmp(source_str(&p.writable.v[i].src), "SBX_WRITABLE") ==
			    0)
			found = 1;
	ok(found, "SBX_WRITABLE relative entries against the cwd");
	free(rel);

	setenv("SBX_PROFILE", "bogus", 1);
	setenv("SBX_NETWORK", "yes", 1);
	msgs_reset();
	ok(policy_load(&p) == 2, "bad variables are errors");
	ok(msgs_has("SBX_PROFILE: bad profile \"bogus\""), "SBX_PROFILE named");
	ok(msgs_has("SBX_NETWORK: bad network \"yes\""), "SBX_NETWORK named");
	unsetenv("SBX_PROFILE");
	unsetenv("SBX_NETWORK");
	unsetenv("SBX_WRITABLE");

	setenv("SBX_CONFIG", "/nonexistent-sbx-test/conf", 1);
	msgs_reset();
	ok(policy_load(&p) == 1 &&
		   msgs_has("/nonexistent-sbx-test/conf: cannot read"),
	   "a missing SBX_CONFIG is an error");
	unsetenv("SBX_CONFIG");
	policy_free(&p);

	/* The built-in defaults: every line of every tool's section is valid,
	 * and npm's give it its registry and its cache. */
	for (const char *const *t = wrapper_tools(); *t; t++) {
		policy_init(&p, *t);
		msgs_reset();
		ok(policy_load(&p) == 0 && msgs[0] == '\0',
		   "built-in defaults for %s parse", *t);
		if (strcmp(*t, "npm") == 0) {
			ok(!p.network && p.hosts.n == 1 &&
				   strcmp(p.hosts.v[0].path,
					  "registry.npmjs.org") == 0,
			   "npm: the npm registry by default");
			is_str(p.writable.n ? p.writable.v[0].path : NULL,
			       "/home/u/.npm/_cacache", "npm: ~/.npm/_cacache writable");
			ok(strncmp(source_str(&p.network_src),
				   "wrappers/defaults:", 18) == 0,
			   "npm: the source names wrappers/defaults and a "
			   "line");
		}
		policy_free(&p);
	}
	ok(wrapper_tools()[0] != NULL &&
		   strcmp(wrapper_tools()[0], "python3") == 0,
	   "the wrappers list starts with python3");

	/* Implicit roots. */
	policy_free(&p);
	policy_init(&p, NULL);
	text(&p, "writable = /extra\n");
	p.workspace = xstrdup("/ws");
	p.workspace_src = (struct source){ "test", 0 };
	policy_finish(&p);
	ok(has_root(&p, "/ws", "workspace"), "the workspace is writable");
	ok(has_root(&p, "/var/tmp", "temp"), "TMPDIR, normalised");
	ok(has_root(&p, "/tmp", "temp"), "/tmp");
	ok(has_root(&p, "/dev/shm", "temp"), "/dev/shm");
	ok(has_root(&p, "/extra", "/proj/.sbxrc:1"), "configured roots");

	policy_free(&p);
	policy_init(&p, NULL);
	text(&p, "profile = read-only\nwritable = /extra\n");
	policy_finish(&p);
	ok(p.roots.n == 0, "read-only: no writable root at all");
	policy_free(&p);

	return done_testing();
}
