/*
 * check.c - sbx check: answers "may TOOL write/read/exec PATH, connect to
 * HOST:PORT, here?" from the policy that TOOL would get, without running
 * anything: allowed or denied, which layer decides, where the deciding
 * value came from, and the one line that would allow it (or why nothing
 * should). The same answers on every platform: they come from the policy,
 * not from a profile's text or a kernel's log.
 */
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sandbox.h"
#include "util.h"

static const char *const action_names[] = { "read", "write", "exec",
					    "connect" };

void verdict_free(struct verdict *v)
{
	free(v->reason);
	free(v->source);
	free(v->allow);
	free(v->where);
	memset(v, 0, sizeof(*v));
}

/* The entry of L that PATH lies in (the longest), or NULL. */
static const struct pathent *covering(const struct pathlist *l,
				      const char *path)
{
	const struct pathent *best = NULL;

	for (size_t i = 0; i < l->n; i++)
		if (path_within(path, l->v[i].path) &&
		    (!best || strlen(l->v[i].path) > strlen(best->path)))
			best = &l->v[i];
	return best;
}

/* Where a setting for P's tool goes: the user's config, in its section. */
static char *config_place(const struct policy *p)
{
	char *cfg = policy_user_config(p), *r;

	if (!cfg)
		return NULL;
	if (p->tool)
		r = xasprintf("%s, in its [%s] section", cfg, p->tool);
	else
		r = xstrdup(cfg);
	free(cfg);
	return r;
}

static void set(struct verdict *v, bool allowed, const char *layer,
		char *reason, const char *source)
{
	v->allowed = allowed;
	v->layer = layer;
	v->reason = reason;
	v->source = source ? xstrdup(source) : NULL;
}

/* Protected paths sbx keeps read-only whatever the config says: code that
 * would run later, outside. */
static void protected_verdict(const struct pathent *e, const char *path,
			      struct verdict *v)
{
	bool from_config = e->src.line > 0;
	const char *git = strstr(e->path, "/.git");

	set(v, false, "protected",
	    xasprintf("%s is protected (%s): read-only inside the writable "
		      "roots, so a tool cannot plant something that runs "
		      "later outside",
		      e->path,
		      from_config				  ? "readonly ="
		      : e->kind == ENTRY_BUILTIN ? "built-in"
						 : e->src.origin),
	    source_str(&e->src));
	if (from_config) {
		v->allow = xasprintf("remove the line readonly = %s",
				     e->path);
		v->where = xstrdup(source_str(&e->src));
	} else if (git && strcmp(git, "/.git") == 0 &&
		   e->kind == ENTRY_BUILTIN) {
		char *hooks = path_join(e->path, "hooks");
		char *cfg = path_join(e->path, "config");

		if (!path_within(path, hooks) && !path_within(path, cfg)) {
			v->allow = xstrdup("writable = .git");
			v->where = xasprintf(
				"a trusted .sbxrc at the repository's top "
				"(objects, refs and the index become "
				"writable; hooks and config never)");
		}
		free(hooks);
		free(cfg);
	}
}

static void decide_path(const struct policy *p, enum check_action action,
			const char *path, struct verdict *v)
{
	const struct pathent *e = covering(&p->hiddens, path);

	if (p->profile == PROFILE_FULL_ACCESS) {
		set(v, true, "profile",
		    xstrdup("profile full-access: no sandbox"),
		    source_str(&p->profile_src));
		return;
	}
	if (e) {
		set(v, false, "hidden",
		    xasprintf("%s is hidden: tools cannot even read it",
			      e->path),
		    source_str(&e->src));
		v->allow = xasprintf("reveal = %s", e->path);
		v->where = config_place(p);
		return;
	}
	if (action != CHECK_WRITE) {
		set(v, true, "read everywhere",
		    xasprintf("tools may %s any path that is not hidden",
			      action_names[action]),
		    "built-in");
		return;
	}
	if (p->profile == PROFILE_READ_ONLY) {
		set(v, false, "profile",
		    xstrdup("profile read-only: tools write nothing"),
		    source_str(&p->profile_src));
		v->allow = xstrdup("profile = workspace-write");
		v->where = config_place(p);
		return;
	}
	e = covering(&p->protected, path);
	if (e) {
		protected_verdict(e, path, v);
		return;
	}
	/* (the sealed paths, never made by a tool, are protected too) */
	e = covering(&p->roots, path);
	if (e) {
		set(v, true, "writable root",
		    xasprintf("%s lies in the writable root %s", path,
			      e->path),
		    source_str(&e->src));
		return;
	}
	set(v, false, "outside",
	    xasprintf("%s lies outside every writable root%s", path,
		      p->workspace ? "" : " (and there is no workspace here)"),
	    NULL);
	{
		char *dir = path_dirname(path);

		v->allow = xasprintf("writable = %s", dir);
		free(dir);
	}
	v->where = config_place(p);
}

static bool is_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 ||
	       strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
	       strcmp(host, "[::1]") == 0;
}

static void decide_connect(const struct policy *p, const char *target,
			   bool loopback, struct verdict *v)
{
	char *host = xstrdup(target), *colon = strrchr(host, ':');

	if (colon && colon != host)
		*colon = '\0';
	if (!p->network && p->hosts.n > 0 && p->profile != PROFILE_FULL_ACCESS) {
		char *port = colon ? colon + 1 : NULL, list[2048] = "";
		int n = port ? (int)strtol(port, NULL, 10) : 443;
		const struct pathent *hit = NULL;
		size_t len = 0;

		for (size_t i = 0; i < p->hosts.n; i++) {
			if (!hit && policy_host_matches(p->hosts.v[i].path, host,
						       n))
				hit = &p->hosts.v[i];
			len += (size_t)snprintf(list + len,
						len < sizeof(list)
							? sizeof(list) - len
							: 0,
						"%s%s", i ? ", " : "",
						p->hosts.v[i].path);
			if (len >= sizeof(list))
				len = sizeof(list) - 1;
		}
		if (hit) {
			set(v, true, "network",
			    xasprintf("%s is in network = %s (through sbx's "
				      "proxy: HTTP and HTTPS, ports 80 and 443 "
				      "unless listed)",
				      host, list),
			    source_str(&hit->src));
		} else {
			set(v, false, "network",
			    xasprintf("%s:%d is not in network = %s", host, n,
				      list),
			    source_str(&p->network_src));
			v->allow = xasprintf("network = %s, %s%s%s", list, host,
					     n == 443 || n == 80 ? "" : ":",
					     n == 443 || n == 80 ? "" : port);
			v->where = config_place(p);
		}
	} else if (p->profile == PROFILE_FULL_ACCESS || p->network) {
		set(v, true, "network",
		    xstrdup(p->network ? "network on" : "profile full-access"),
		    source_str(p->network ? &p->network_src
					  : &p->profile_src));
	} else {
		set(v, false, "network",
		    loopback && is_loopback(host)
			    ? xasprintf("network off: %s is the tool's own "
					"loopback (a server the tool starts "
					"answers there; the host's do not)",
					host)
			    : xstrdup("network off"),
		    source_str(&p->network_src));
		v->allow = xstrdup("network = on");
		v->where = config_place(p);
	}
	free(host);
}

/* PATH with the symlinks of its existing part resolved: the kernel
 * decides on the object, not on the name. */
static char *resolve(const char *path)
{
	char *r = realpath(path, NULL), *dir, *rdir;

	if (r)
		return r;
	dir = path_dirname(path);
	rdir = realpath(dir, NULL);
	if (rdir) {
		r = path_join(rdir, base_name(path));
		free(rdir);
	}
	free(dir);
	return r ? r : xstrdup(path);
}

void check_decide(const struct policy *p, enum check_action action,
		  const char *target, bool loopback, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (action == CHECK_CONNECT) {
		decide_connect(p, target, loopback, v);
		return;
	}
	decide_path(p, action, target, v);
}

static void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void print_verdict(enum check_action action, const char *target,
			  const struct verdict *v, bool json)
{
	if (json) {
		printf("{\"action\": \"%s\", \"target\": ", action_names[action]);
		json_str(stdout, target);
		printf(", \"allowed\": %s, \"layer\": ",
		       v->allowed ? "true" : "false");
		json_str(stdout, v->layer);
		fputs(", \"reason\": ", stdout);
		json_str(stdout, v->reason);
		fputs(", \"source\": ", stdout);
		json_str(stdout, v->source);
		fputs(", \"allow\": ", stdout);
		json_str(stdout, v->allow);
		fputs(", \"where\": ", stdout);
		json_str(stdout, v->where);
		fputs("}\n", stdout);
		return;
	}
	{
		char *t = escape_ctl(target), *r = escape_ctl(v->reason);

		printf("%s %s: %s\n", action_names[action], t,
		       v->allowed ? "allowed" : "DENIED");
		printf("  why:      %s\n", r);
		free(t);
		free(r);
	}
	if (v->source)
		printf("  source:   %s\n", v->source);
	if (!v->allowed && v->allow) {
		char *a = escape_ctl(v->allow);

		printf("  to allow: %s\n", a);
		free(a);
		if (v->where) {
			char *w = escape_ctl(v->where);

			printf("  in:       %s\n", w);
			free(w);
		}
	} else if (!v->allowed) {
		printf("  to allow: nothing: sbx keeps it so on purpose\n");
	}
}

static int check_usage(void)
{
	fprintf(stderr, "usage: sbx check [TOOL] --write PATH | --read PATH | "
			"--exec PATH | --connect HOST:PORT [--json]\n");
	return EXIT_SBX_USAGE;
}

int cmd_check(int argc, char *argv[])
{
	static const char *const opts[] = { "--read", "--write", "--exec",
					    "--connect" };
	const char *tool = NULL, *what = NULL, *why;
	enum check_action action = CHECK_READ;
	bool json = false, have = false;
	struct verdict v;
	struct policy p;
	char *target;
	int errors;

	for (int i = 1; i < argc; i++) {
		bool opt = false;

		for (size_t k = 0; k < sizeof(opts) / sizeof(*opts); k++) {
			if (strcmp(argv[i], opts[k]) != 0)
				continue;
			if (have || i + 1 >= argc)
				return check_usage();
			action = (enum check_action)k;
			what = argv[++i];
			have = opt = true;
		}
		if (opt)
			continue;
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (argv[i][0] != '-' && !tool && !have)
			tool = argv[i];
		else
			return check_usage();
	}
	if (!have || !*what)
		return check_usage();
	if (tool) {
		tool = base_name(tool);
		msg_subject = tool;
	}
	policy_init(&p, tool);
	errors = policy_load(&p);
	if (errors > 0) {
		policy_free(&p);
		return EXIT_SBX_FAILED;
	}
	policy_finish(&p);
	if (action == CHECK_CONNECT) {
		target = xstrdup(what);
	} else {
		char *abs = path_absolute(what, p.cwd, p.home, &why);

		if (!abs) {
			msg("check: %s: %s", what, why);
			policy_free(&p);
			return EXIT_SBX_USAGE;
		}
		target = resolve(abs);
		free(abs);
	}
	check_decide(&p, action, target,
		     action == CHECK_CONNECT && sandbox_private_loopback(&p),
		     &v);
	print_verdict(action, target, &v, json);
	errors = v.allowed ? 0 : 1;
	verdict_free(&v);
	free(target);
	policy_free(&p);
	return errors;
}
