/*
 * seatbelt.c - the Seatbelt (SBPL) profile for a policy: policies/base.sbpl,
 * generated write rules, policies/network.sbpl when the network is on, then
 * the hidden paths. Paths enter only as -DNAME=value parameters, so a folder
 * named `x")(allow default)(` cannot change the profile's text.
 */
#include "seatbelt.h"

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

static void __attribute__((format(printf, 2, 3)))
putf(struct buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(b, tmp);
}

static const char *param(struct sb_profile *sp, char *name, const char *path)
{
	sp->params = xreallocarray(sp->params, sp->n + 1, sizeof(*sp->params));
	sp->params[sp->n].name = name;
	sp->params[sp->n].value = path_canonical(path);
	return sp->params[sp->n++].name;
}

void seatbelt_build(const struct policy *p, const struct pathlist *extra,
		    int proxy_port, struct sb_profile *out)
{
	struct pathlist roots = { NULL, 0 };
	struct buf b = { NULL, 0, 0 };

	memset(out, 0, sizeof(*out));
	put(&b, sbpl_base);
	for (size_t i = 0; i < p->roots.n; i++)
		pathlist_add(&roots, path_canonical(p->roots.v[i].path),
			     p->roots.v[i].src);
	for (size_t i = 0; extra && i < extra->n; i++)
		pathlist_add(&roots, path_canonical(extra->v[i].path),
			     extra->v[i].src);
	if (p->profile == PROFILE_WORKSPACE_WRITE && roots.n > 0) {
		put(&b, "\n; Writable roots, each less its protected paths.\n"
			"(allow file-write*");
		for (size_t i = 0; i < roots.n; i++) {
			const char *root = roots.v[i].path;
			char *name = xasprintf("WRITABLE_ROOT_%zu", i);
			size_t ro = 0;

			param(out, name, root);
			putf(&b, "\n  (require-all (subpath (param \"%s\"))",
			     name);
			for (size_t j = 0; j < p->protected.n; j++) {
				char *c =
					path_canonical(p->protected.v[j].path);

				if (path_within(c, root) &&
				    strcmp(c, root) != 0) {
					char *n = xasprintf("%s_RO_%zu", name,
							    ro++);

					param(out, n, c);
					putf(&b,
					     "\n    (require-not (literal "
					     "(param \"%s\")))"
					     "\n    (require-not (subpath "
					     "(param \"%s\")))",
					     n, n);
				}
				free(c);
			}
			put(&b, ")");
		}
		put(&b, ")\n");
	}
	put(&b, "\n");
	if (p->network) {
		put(&b, sbpl_network);
	} else if (p->hosts.n > 0) {
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
	if (p->hiddens.n > 0)
		put(&b,
		    "\n; Hidden: not readable, not writable, no connect to a "
		    "socket there.\n");
	for (size_t i = 0, k = 0; i < p->hiddens.n; i++) {
		char *c = path_canonical(p->hiddens.v[i].path), *name;
		bool dup = false;

		/* /var/run/docker.sock and /run/docker.sock may be one file */
		for (size_t j = 0; j < out->n && !dup; j++)
			dup = strncmp(out->params[j].name, "HIDDEN_", 7) == 0 &&
			      strcmp(out->params[j].value, c) == 0;
		free(c);
		if (dup)
			continue;
		name = xasprintf("HIDDEN_%zu", k++);
		param(out, name, p->hiddens.v[i].path);
		putf(&b,
		     "(deny file-read* file-write* (subpath (param \"%s\")))\n",
		     name);
		putf(&b, "(deny network-outbound (literal (param \"%s\")))\n",
		     name);
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
