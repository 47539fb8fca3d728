/* libFuzzer harness: arbitrary paths and config values through the policy
 * merge and the Seatbelt generator. The profile always passes the
 * well-formedness check, and no input byte reaches its text: past the
 * embedded templates, every string in it is a parameter's name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policies.h"
#include "policy.h"
#include "seatbelt.h"
#include "util.h"

static void quiet(const char *line)
{
	(void)line;
}

/* The regex literals (#"...") of a profile made from no input at all:
 * they come from sbx's own names (.git in every case spelling), never
 * from a path, so every profile has only these. */
static char *known_regex;

static void learn_regex(const char *s)
{
	size_t len = 0;

	while ((s = strstr(s, "#\""))) {
		size_t n = strcspn(s + 2, "\"") + 3;

		known_regex = xreallocarray(known_regex, len + n + 2, 1);
		memcpy(known_regex + len, s, n);
		len += n;
		known_regex[len++] = '\n';
		known_regex[len] = '\0';
		s += n;
	}
}

/* Every "..." in S is a parameter name: [A-Z0-9_]+; every #"..." one of
 * the known regexes. */
static void only_names(const char *s)
{
	for (; *s; s++) {
		if (*s == ';') { /* a comment of ours */
			while (*s && *s != '\n')
				s++;
			if (!*s)
				return;
		} else if (*s == '#' && s[1] == '"') {
			size_t n = strcspn(s + 2, "\"") + 3;
			char *lit = xasprintf("%.*s\n", (int)n, s);

			if (!known_regex || !strstr(known_regex, lit))
				abort();
			free(lit);
			s += n - 1;
		} else if (*s == '"') {
			for (s++; *s != '"'; s++)
				if (!((*s >= 'A' && *s <= 'Z') ||
				      (*s >= '0' && *s <= '9') || *s == '_'))
					abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_profile sp;
	struct policy p;
	char err[256], *copy, *line, *next, *text;
	size_t base = strlen(sbpl_base);

	if (size < 1)
		return 0;
	setenv("HOME", "/fuzz/home", 1);
	unsetenv("TMPDIR");
	msg_hook = quiet;
	if (!known_regex) {
		policy_init(&p, "npm");
		p.workspace = xstrdup("/fuzz/ws");
		p.workspace_src = (struct source){ "fuzz", 0 };
		text = xstrdup("writable = /fuzz/w\nreadonly = /fuzz/ws/r\n"
			       "hidden = /fuzz/ws/h\n");
		policy_apply_text(&p, "/fuzz/.sbxrc", text, strlen(text));
		free(text);
		policy_finish(&p);
		seatbelt_build(&p, NULL, NULL, 0, &sp);
		learn_regex(sp.text);
		seatbelt_free(&sp);
		policy_free(&p);
	}
	policy_init(&p, "npm");
	p.profile = data[0] & 1 ? PROFILE_READ_ONLY : PROFILE_WORKSPACE_WRITE;
	p.network = data[0] & 2;
	copy = xmalloc(size);
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	/* One value a line: the workspace, then writable, readonly, hidden,
	 * reveal in turn; each as a config would give it. */
	line = copy;
	next = strchr(line, '\n');
	if (next)
		*next++ = '\0';
	p.workspace = xasprintf("/%s", line);
	path_normalize(p.workspace);
	p.workspace_src = (struct source){ "fuzz", 0 };
	for (int k = 0; next; k++) {
		static const char *const keys[] = { "writable", "readonly",
						    "hidden", "reveal" };
		line = next;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		text = xasprintf("%s = \"%s\"\n", keys[k % 4], line);
		policy_apply_text(&p, "/fuzz/.sbxrc", text, strlen(text));
		free(text);
	}
	free(copy);
	policy_finish(&p);
	if (p.profile != PROFILE_FULL_ACCESS) {
		seatbelt_build(&p, NULL, NULL, 0, &sp);
		if (seatbelt_check(&sp, err, sizeof(err)) < 0)
			abort();
		if (strncmp(sp.text, sbpl_base, base) != 0)
			abort();
		text = sp.text + base;
		{
			/* the network's template, on or off (loopback) */
			const char *tpl = p.network ? sbpl_network
						    : sbpl_loopback;
			char *n = strstr(text, tpl);

			if (!n)
				abort();
			*n = '\0';
			only_names(text);
			only_names(n + strlen(tpl));
		}
		seatbelt_free(&sp);
	}
	policy_free(&p);
	return 0;
}
