/*
 * seatbelt.c - the Seatbelt (SBPL) profile for a policy: policies/base.sbpl,
 * generated write rules, policies/network.sbpl when the network is on, then
 * the hidden paths. Paths enter only as -DNAME=value parameters, so a folder
 * named `x")(allow default)(` cannot change the profile's text.
 */
#include "seatbelt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies.h"
#include "util.h"

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

/* Appends the formatted text whole, however long: a profile generator must
 * never cut a rule short. Dies on a format error (a bug). */
static void __attribute__((format(printf, 2, 3)))
putf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_SBX_FAILED, "seatbelt profile: bad format");
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static const char *param(struct sb_profile *sp, char *name, const char *path)
{
	sp->params = xreallocarray(sp->params, sp->n + 1, sizeof(*sp->params));
	sp->params[sp->n].name = name;
	sp->params[sp->n].value = path_canonical(path);
	return sp->params[sp->n++].name;
}

/* The regex of the spellings of NAME (".git") that differ from it only in
 * case (".Git", ".GIT"...): one letter at least in upper case. A
 * case-insensitive volume (the default on macOS) takes them for NAME. Built
 * from the built-in protected names, never from a path. */
static void put_case_variants(struct buf *b, const char *name)
{
	bool first = true;

	put(b, "\n  (regex #\"/");
	if (*name == '.') {
		put(b, "\\.");
		name++;
	}
	put(b, "(");
	for (size_t up = 0; name[up]; up++) {
		if (!isalpha((unsigned char)name[up]))
			continue;
		if (!first)
			put(b, "|");
		first = false;
		for (size_t i = 0; name[i]; i++) {
			unsigned char c = (unsigned char)name[i];

			if (i == up)
				putf(b, "%c", toupper(c));
			else if (isalpha(c))
				putf(b, "[%c%c]", toupper(c), tolower(c));
			else if (c == '.')
				put(b, "\\.");
			else
				putf(b, "%c", c);
		}
	}
	put(b, ")(/|$)\")");
}

/* "(KIND (subpath (param \"ROOT\"))" less each protected path within it, as
 * a require-all for a rule on files (KIND NULL) or on Unix sockets (KIND
 * "local unix-socket", "remote unix-socket"). */
static void put_roots(struct buf *b, const struct sb_profile *sp,
		      const char *kind)
{
	for (size_t i = 0; i < sp->n; i++) {
		const char *name = sp->params[i].name;
		size_t len = strlen(name);

		if (strncmp(name, "WRITABLE_ROOT_", 14) != 0 ||
		    strstr(name, "_RO_"))
			continue;
		if (kind)
			putf(b, "\n  (require-all (%s (subpath (param \"%s\")))",
			     kind, name);
		else
			putf(b, "\n  (require-all (subpath (param \"%s\"))",
			     name);
		for (size_t j = i + 1; j < sp->n; j++) {
			const char *ro = sp->params[j].name;

			if (strncmp(ro, name, len) != 0 ||
			    strncmp(ro + len, "_RO_", 4) != 0)
				continue;
			if (kind)
				putf(b,
				     "\n    (require-not (%s (subpath (param "
				     "\"%s\"))))",
				     kind, ro);
			else
				putf(b,
				     "\n    (require-not (literal (param "
				     "\"%s\")))"
				     "\n    (require-not (subpath (param "
				     "\"%s\")))",
				     ro, ro);
		}
		put(b, ")");
	}
}

static bool has_value(const struct sb_profile *sp, const char *prefix,
		      const char *value)
{
	for (size_t i = 0; i < sp->n; i++)
		if (strncmp(sp->params[i].name, prefix, strlen(prefix)) == 0 &&
		    strcmp(sp->params[i].value, value) == 0)
			return true;
	return false;
}

/* KEEP_n: a folder that must not be renamed or deleted: A, canonical, if
 * it lies in a writable root (elsewhere nothing can rename it anyway). */
static void keep(struct sb_profile *sp, const struct pathlist *roots,
		 const char *a, size_t *k)
{
	for (size_t i = 0; i < roots->n; i++) {
		if (!path_within(a, roots->v[i].path) ||
		    has_value(sp, "KEEP_", a))
			continue;
		param(sp, xasprintf("KEEP_%zu", (*k)++), a);
		return;
	}
}

/* Each ancestor of PATH (canonical) that lies in a writable root. */
static void keep_ancestors(struct sb_profile *sp, const struct pathlist *roots,
			   const char *path, size_t *k)
{
	char *a = path_dirname(path);

	while (strcmp(a, "/") != 0) {
		keep(sp, roots, a, k);
		if (!path_up(&a))
			break;
	}
	free(a);
}

void seatbelt_build(const struct policy *p, const struct pathlist *extra,
		    const struct pathlist *ttys, int proxy_port,
		    struct sb_profile *out)
{
	struct pathlist roots = { NULL, 0 };
	struct buf b = { NULL, 0, 0 };
	size_t k = 0, hidden = 0;

	memset(out, 0, sizeof(*out));
	put(&b, sbpl_base);
	if (ttys) {
		if (ttys->n > 0)
			put(&b, "\n; The terminal the tool was started on.\n"
				"(allow file-read* file-write* file-ioctl");
		for (size_t i = 0; i < ttys->n; i++)
			putf(&b, "\n  (literal (param \"%s\"))",
			     param(out, xasprintf("TTY_%zu", i),
				   ttys->v[i].path));
		if (ttys->n > 0)
			put(&b, ")\n");
	} else {
		put(&b, "\n; at each run, the terminal the tool was started on "
			"(ttyname of 0, 1, 2, /dev/tty):\n"
			"; (allow file-read* file-write* file-ioctl (literal "
			"(param \"TTY_0\")))\n");
	}
	for (size_t i = 0; p->profile == PROFILE_WORKSPACE_WRITE &&
			   i < p->roots.n;
	     i++)
		pathlist_add(&roots, path_canonical(p->roots.v[i].path),
			     p->roots.v[i].src);
	for (size_t i = 0; p->profile == PROFILE_WORKSPACE_WRITE && extra &&
			   i < extra->n;
	     i++)
		pathlist_add(&roots, path_canonical(extra->v[i].path),
			     extra->v[i].src);
	for (size_t i = 0; i < roots.n; i++) {
		const char *root = roots.v[i].path;
		char *name = xasprintf("WRITABLE_ROOT_%zu", i);
		size_t ro = 0;

		param(out, name, root);
		for (size_t j = 0; j < p->protected.n; j++) {
			char *c = path_canonical(p->protected.v[j].path);

			if (path_within(c, root) && strcmp(c, root) != 0)
				param(out, xasprintf("%s_RO_%zu", name, ro++),
				      c);
			free(c);
		}
	}
	if (roots.n > 0) {
		put(&b, "\n; Writable roots, each less its protected paths.\n"
			"(allow file-write*");
		put_roots(&b, out, NULL);
		put(&b, ")\n");
		put(&b, "\n; A protected name spelled in another case is the "
			"same file on a\n; case-insensitive volume: never "
			"written.\n(deny file-write*");
		for (size_t i = 0; protected_names[i]; i++)
			put_case_variants(&b, protected_names[i]);
		put(&b, ")\n");
	}
	put(&b, "\n");
	if (p->network) {
		put(&b, sbpl_network);
	} else if (p->hosts.n > 0) {
		/* the loopback as with the network off (a test suite's own
		 * servers: npm test runs with npm's hosts), and the proxy */
		put(&b, sbpl_loopback);
		put(&b, sbpl_proxy);
		if (proxy_port > 0)
			putf(&b,
			     "(allow network-outbound (remote ip "
			     "\"localhost:%d\"))\n",
			     proxy_port);
		else
			put(&b, "; at each run, with the port of sbx's proxy:\n"
				"; (allow network-outbound (remote ip "
				"\"localhost:PORT\"))\n");
	} else {
		put(&b, sbpl_loopback);
	}
	if (!p->network && roots.n > 0) {
		/* With the network on, every socket is reachable already. */
		put(&b, "\n; Unix sockets in the writable roots (Seatbelt counts "
			"them as network):\n; multiprocessing's Manager and "
			"forkserver, Gradle and Nx daemons, test\n; servers. "
			"Not in a protected path; hidden ones are denied "
			"below.\n(allow network-bind network-inbound");
		put_roots(&b, out, "local unix-socket");
		put(&b, ")\n(allow network-outbound");
		put_roots(&b, out, "remote unix-socket");
		put(&b, ")\n");
	}
	if (p->reveal_keychain && (p->network || p->hosts.n > 0))
		put(&b, "\n; reveal = keychain: the keychain, for a tool that "
			"sends what it reads\n; only where you mean it to "
			"(git's osxkeychain credential helper).\n"
			"(allow mach-lookup (global-name "
			"\"com.apple.SecurityServer\"))\n");
	if (p->hiddens.n > 0)
		put(&b,
		    "\n; Hidden: not readable, not writable, no connect to a "
		    "socket there.\n");
	for (size_t i = 0; i < p->hiddens.n; i++) {
		char *c = path_canonical(p->hiddens.v[i].path), *name;
		bool dup = has_value(out, "HIDDEN_", c);

		/* /var/run/docker.sock and /run/docker.sock may be one file */
		free(c);
		if (dup)
			continue;
		name = xasprintf("HIDDEN_%zu", hidden++);
		param(out, name, p->hiddens.v[i].path);
		putf(&b,
		     "(deny file-read* file-write* (subpath (param \"%s\")))\n",
		     name);
		putf(&b,
		     "(deny network-outbound (literal (param \"%s\"))\n"
		     "  (remote unix-socket (subpath (param \"%s\"))))\n",
		     name, name);
	}
	/* Renaming a folder moves what is in it out of the rules that name
	 * its path: `mv $WS /tmp/x`, edit /tmp/x/.git/hooks, `mv /tmp/x $WS`.
	 * So no writable root, and no folder on the way to a protected or
	 * hidden path, can be renamed or deleted. */
	for (size_t i = 0; i < roots.n; i++)
		keep(out, &roots, roots.v[i].path, &k);
	for (size_t i = 0; i < p->protected.n; i++) {
		char *c = path_canonical(p->protected.v[i].path);

		keep_ancestors(out, &roots, c, &k);
		free(c);
	}
	for (size_t i = 0; i < out->n; i++) {
		if (strncmp(out->params[i].name, "HIDDEN_", 7) == 0) {
			char *c = xstrdup(out->params[i].value);

			keep_ancestors(out, &roots, c, &k);
			free(c);
		}
	}
	if (k > 0) {
		put(&b, "\n; Never renamed or deleted: the writable roots, and "
			"the folders on the\n; way to a protected or hidden "
			"path.\n(deny file-write-unlink");
		for (size_t i = 0; i < out->n; i++)
			if (strncmp(out->params[i].name, "KEEP_", 5) == 0)
				putf(&b, "\n  (literal (param \"%s\"))",
				     out->params[i].name);
		put(&b, ")\n");
	}
	pathlist_free(&roots);
	out->text = b.s;
}

void seatbelt_free(struct sb_profile *sp)
{
	for (size_t i = 0; i < sp->n; i++) {
		free(sp->params[i].name);
		free(sp->params[i].value);
	}
	free(sp->params);
	free(sp->text);
	memset(sp, 0, sizeof(*sp));
}

char **seatbelt_argv(const struct sb_profile *sp, const char *tool,
		     char *const argv[])
{
	size_t argc = 0, k = 0;
	char **v;

	while (argv[argc])
		argc++;
	v = xcalloc(3 + sp->n + 2 + argc + 1, sizeof(*v));
	v[k++] = (char *)SBX_SANDBOX_EXEC;
	v[k++] = (char *)"-p";
	v[k++] = sp->text;
	for (size_t i = 0; i < sp->n; i++)
		v[k++] = xasprintf("-D%s=%s", sp->params[i].name,
				   sp->params[i].value);
	v[k++] = (char *)"--";
	v[k++] = (char *)tool;
	for (size_t i = 1; i < argc; i++)
		v[k++] = argv[i];
	v[k] = NULL;
	return v;
}

void seatbelt_print(FILE *out, const struct sb_profile *sp)
{
	fputs(sp->text, out);
	fputs(";; parameters\n", out);
	for (size_t i = 0; i < sp->n; i++) {
		char *v = escape_ctl(sp->params[i].value);

		fprintf(out, ";; -D%s=%s\n", sp->params[i].name, v);
		free(v);
	}
}

static bool defined(const struct sb_profile *sp, const char *name, size_t n)
{
	for (size_t i = 0; i < sp->n; i++)
		if (strlen(sp->params[i].name) == n &&
		    strncmp(sp->params[i].name, name, n) == 0)
			return true;
	return false;
}

int seatbelt_check(const struct sb_profile *sp, char *err, size_t errlen)
{
	const char *s = sp->text;
	long depth = 0;
	int line = 1;

	for (; *s; s++) {
		if (*s == '\n') {
			line++;
		} else if (*s == ';') {
			while (s[1] && s[1] != '\n')
				s++;
		} else if (*s == '"') {
			for (s++; *s && *s != '"'; s++)
				if (*s == '\\' && s[1])
					s++;
				else if (*s == '\n')
					line++;
			if (!*s) {
				snprintf(err, errlen,
					 "line %d: unterminated string", line);
				return -1;
			}
		} else if (*s == '#' && s[1] == '"') {
			/* a regex literal: #"..." */
			for (s += 2; *s && *s != '"'; s++)
				if (*s == '\\' && s[1])
					s++;
			if (!*s) {
				snprintf(err, errlen,
					 "line %d: unterminated regex", line);
				return -1;
			}
		} else if (*s == '(') {
			if (strncmp(s, "(param \"", 8) == 0) {
				const char *name = s + 8;
				size_t n = strcspn(name, "\"");

				if (!defined(sp, name, n)) {
					snprintf(err, errlen,
						 "line %d: parameter \"%.*s\" "
						 "has "
						 "no -D",
						 line, (int)n, name);
					return -1;
				}
			}
			depth++;
		} else if (*s == ')') {
			if (--depth < 0) {
				snprintf(err, errlen,
					 "line %d: unbalanced \")\"", line);
				return -1;
			}
		}
	}
	if (depth != 0) {
		snprintf(err, errlen, "%ld unclosed \"(\"", depth);
		return -1;
	}
	return 0;
}
