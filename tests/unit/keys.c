/* Unit tests: the keyword table of the config format (policy_keys): every
 * key is accepted, in a file, with a platform prefix and in another tool's
 * section; an unknown key is a "file:line:" error; and a variable's error
 * is the file's, word for word (one text for both). */
#include <stdlib.h>
#include <unistd.h>

#include "msgs.h"
#include "policy.h"
#include "tap.h"

#define FILE_NAME "/proj/.sbxrc"
/* How a message about line 2 begins. */
#define AT_LINE_2 "sbx: " FILE_NAME ":2: "

/* A good and a bad value for each key, and what the good one sets. */
static const struct sample {
	const char *key, *good, *bad;
} samples[] = {
	{ "profile", "read-only", "bogus" },
	{ "network", "on", "maybe" },
	{ "writable", "build", "~bob/x" },
	{ "protect", "off", "sometimes" },
	{ "leftovers", "end", "later" },
	{ "readonly", "secrets", "~bob/x" },
	{ "hidden", "~/.secret", "~bob/x" },
	{ "reveal", "~/.ssh/known_hosts", "~bob/x" },
};
#define NSAMPLES (sizeof(samples) / sizeof(*samples))

static int text(struct policy *p, const char *t)
{
	msgs_reset();
	return policy_apply_text(p, FILE_NAME, t, strlen(t));
}

static const struct sample *sample_for(const char *key)
{
	for (size_t i = 0; i < NSAMPLES; i++)
		if (strcmp(samples[i].key, key) == 0)
			return &samples[i];
	return NULL;
}

static const char *last_path(const struct pathlist *l)
{
	return l->n ? l->v[l->n - 1].path : "";
}

/* True when the good value of KEY is what P now holds. */
static bool applied(const struct policy *p, const char *key)
{
	if (strcmp(key, "profile") == 0)
		return p->profile == PROFILE_READ_ONLY;
	if (strcmp(key, "network") == 0)
		return p->network;
	if (strcmp(key, "writable") == 0)
		return strcmp(last_path(&p->writable), "/proj/build") == 0;
	if (strcmp(key, "protect") == 0)
		return p->protect == PROTECT_OFF;
	if (strcmp(key, "leftovers") == 0)
		return p->end_leftovers;
	if (strcmp(key, "readonly") == 0)
		return strcmp(last_path(&p->readonly), "/proj/secrets") == 0;
	if (strcmp(key, "hidden") == 0)
		return strcmp(last_path(&p->hidden), "/home/u/.secret") == 0;
	if (strcmp(key, "reveal") == 0)
		return strcmp(last_path(&p->reveal),
			      "/home/u/.ssh/known_hosts") == 0;
	return false;
}

int main(void)
{
	const struct policy_key *k;
	struct policy p;
	size_t nkeys = 0;
	char *t;

	for (k = policy_keys; k->name; k++)
		unsetenv(k->env ? k->env : "SBX_NONE");
	unsetenv("SBX_CONFIG");
	setenv("HOME", "/home/u", 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent-sbx-test", 1);

	for (k = policy_keys; k->name; k++) {
		const struct sample *s = sample_for(k->name);

		nkeys++;
		ok(s != NULL, "%s: the test has values for it", k->name);
		if (!s)
			continue;
		ok(policy_key_find(k->name) == k, "%s: found", k->name);
		ok(k->set != NULL, "%s: has a setter", k->name);

		policy_init(&p, "npm");
		t = xasprintf("%s = %s\n", k->name, s->good);
		ok(text(&p, t) == 0 && nmsgs == 0, "%s = %s: accepted", k->name,
		   s->good);
		ok(applied(&p, k->name), "%s = %s: applied", k->name, s->good);
		free(t);
		policy_free(&p);

		policy_init(&p, "npm");
		t = xasprintf("linux-%s = %s\n", k->name, s->good);
		ok(text(&p, t) == 0, "linux-%s: accepted", k->name);
		ok(applied(&p, k->name), "linux-%s: applied here", k->name);
		free(t);
		t = xasprintf("macos-%s = %s\n", k->name, s->good);
		ok(text(&p, t) == 0, "macos-%s: accepted", k->name);
		free(t);
		policy_free(&p);

		policy_init(&p, "npm");
		t = xasprintf("[pip]\n%s = %s\n", k->name, s->good);
		ok(text(&p, t) == 0 && !applied(&p, k->name),
		   "%s in another tool's section: accepted, not applied",
		   k->name);
		free(t);
		t = xasprintf("[pip]\n%s = %s\n", k->name, s->bad);
		ok(text(&p, t) == 1,
		   "%s = %s in another tool's section: "
		   "still an error",
		   k->name, s->bad);
		free(t);
		policy_free(&p);

		/* A bad value: "file:line: message"; through the variable,
		 * "VARIABLE: " and the same message. */
		policy_init(&p, "npm");
		t = xasprintf("# a comment\n%s = %s\n", k->name, s->bad);
		ok(text(&p, t) == 1, "%s = %s: one error", k->name, s->bad);
		free(t);
		ok(strncmp(msgs, AT_LINE_2, strlen(AT_LINE_2)) == 0,
		   "%s = %s: named by file and line", k->name, s->bad);
		if (k->env) {
			char *want = xasprintf("sbx: %s: %s", k->env,
					       msgs + strlen(AT_LINE_2));

			setenv(k->env, s->bad, 1);
			msgs_reset();
			ok(policy_load(&p) == 1 && nmsgs == 1,
			   "%s=%s: one error", k->env, s->bad);
			is_str(msgs, want, "%s: the same message", k->env);
			unsetenv(k->env);
			free(want);
		}
		policy_free(&p);
	}
	ok(nkeys == NSAMPLES, "every key the test knows is in the table");

	/* Unknown keys: the file and the line, and reading goes on. */
	policy_init(&p, "npm");
	ok(text(&p, "network = on\nnetwrok = off\nprofile = read-only\n") == 1,
	   "an unknown key: one error");
	is_str(msgs, AT_LINE_2 "unknown key \"netwrok\"\n",
	       "an unknown key: file:line");
	ok(p.network && p.profile == PROFILE_READ_ONLY,
	   "the other lines still apply");
	ok(text(&p, "[pip]\nnetwrok = off\n") == 1 &&
		   msgs_has(FILE_NAME ":2: unknown key \"netwrok\""),
	   "an unknown key in another tool's section");
	ok(text(&p, "linux-netwrok = off\n") == 1 &&
		   msgs_has(FILE_NAME ":1: unknown key \"netwrok\""),
	   "an unknown key after a platform prefix");
	ok(text(&p, "Profile = read-only\n") == 1 &&
		   msgs_has(FILE_NAME ":1: unknown key \"Profile\""),
	   "keys are case-sensitive");
	ok(policy_key_find("netwrok") == NULL, "not in the table");
	msgs_reset();
	ok(policy_set(&p, "netwrok", "off",
		      (struct source){ "command line", 0 }) == 1 &&
		   msgs_has("command line: unknown key \"netwrok\""),
	   "policy_set: an unknown key is an error");
	msgs_reset();
	ok(policy_set(&p, "writable", "/a::/b:~bob/x",
		      (struct source){ "command line", 0 }) == 1 &&
		   strcmp(p.writable.v[p.writable.n - 1].path, "/b") == 0,
	   "policy_set: a list, colon-separated, each entry checked");
	policy_free(&p);
	return done_testing();
}
