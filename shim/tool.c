/*
 * tool.c - tool mode, the shim's whole life in one file: find the real tool
 * further down PATH (resolve.c), work out its policy (policy.c), confine
 * (the platform backend, sandbox.h) and exec. `sbx run` (cli.c) joins at
 * tool_confine_and_exec.
 */
#include "tool.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "leftovers.h"
#include "mountns.h"
#include "pcache.h"
#include "policy.h"
#include "resolve.h"
#include "sandbox.h"
#include "session.h"
#include "util.h"

#include "deps.h" /* last: its recorders stand for the calls */

static int confine_finished(struct policy *p, const struct resolved *r,
			    char *argv[], bool cached);
static char key_part[65];

/* Past this many execs of sbx in one pid, two wrappers run each other. */
#define MAX_HOPS 8

/* Counts execs of sbx within one pid (execve keeps the pid). */
static void hop_guard(void)
{
	const char *v = getenv(ENV_HOP);
	long pid = (long)getpid(), hops = 1;
	char buf[64];

	if (v) {
		char *end;
		long vpid = strtol(v, &end, 10);

		if (*end == ':' && vpid == pid) {
			long before = strtol(end + 1, &end, 10);

			/* LONG_MAX (a huge number) is past the limit too */
			if (*end == '\0' && before > 0)
				hops = before >= MAX_HOPS ? MAX_HOPS + 1
							  : before + 1;
		}
	}
	if (hops > MAX_HOPS)
		die(EXIT_SBX_CANNOT_RUN,
		    "exec loop: sbx ran %d times in one process; another "
		    "wrapper on PATH (a second sbx, ccache...) runs the shim "
		    "again",
		    MAX_HOPS);
	snprintf(buf, sizeof(buf), "%ld:%ld", pid, hops);
	xsetenv(ENV_HOP, buf);
}

/* The one execve of tool mode: PATH with ARGV, in the environment set up
 * so far. With leftovers = end, pid 1 of the tool's pid namespace forks the
 * tool here (leftovers.h). LAUNCHER: PATH is the backend's launcher
 * (sandbox-exec), whose failure is the sandbox's. Returns only on failure,
 * with the exit code. */
static int exec_tool(const char *path, char *const argv[], bool launcher)
{
	extern char **environ;

	if (leftovers_active() && leftovers_fork_tool() < 0) {
		msg("cannot sandbox: fork: %s", strerror(errno));
		return EXIT_SBX_CANNOT_RUN;
	}
	coverage_flush();
	execve(path, argv, environ);
	msg("%scannot execute %s: %s", launcher ? "cannot sandbox: " : "",
	    path, strerror(errno));
	return EXIT_SBX_CANNOT_RUN;
}

/* In the session's view, the real tool at PATH is ROOT/PATH. */
static int exec_in_original(const char *root, const char *path,
			    char *const argv[])
{
	char *full = xstrcat3(root, "", path);
	int rc = exec_tool(full, argv, false);

	free(full);
	return rc;
}

/* The backend could not confine: its line (and hint), and 126. */
static int refused(const struct sandbox_error *e)
{
	msg("%s", e->why);
	if (e->hint)
		msg("%s", e->hint);
	return EXIT_SBX_CANNOT_RUN;
}

/* The hand-off to the backend: what it confines by, from the finished P. */
static void confinement_make(struct confinement *c, const struct policy *p,
			     const char *tool, char *const argv[])
{
	memset(c, 0, sizeof(*c));
	c->policy = p;
	c->tool = tool;
	c->argv = argv;
	c->full_access = p->profile == PROFILE_FULL_ACCESS;
	c->network = p->network;
	c->named_hosts = !p->network && p->hosts.n > 0;
	c->protect = p->protect;
	c->end_leftovers = p->end_leftovers;
	c->view_root = p->view_root;
	c->roots = &p->roots;
}

/*
 * Confines as C says and execs. The environment contract is kept here, for
 * every backend: SBX_SANDBOX says which sandbox the tool is in ("none" when
 * none), so that nested shims pass through (once the kernel confirms it,
 * sandbox_inherited); SBX_NETWORK_DISABLED=1 when the network is off. It is
 * set once the backend has confined (after the ruleset and its donation on
 * Linux) and before the exec.
 */
static int confine_and_exec(const struct confinement *c)
{
	struct sandbox_error e;
	struct exec_plan x;

	memset(&e, 0, sizeof(e));
	if (c->full_access) {
		trace("full-access: no confinement");
		if (c->view_root && sandbox_leave_view(c, &e) < 0)
			return refused(&e);
		xsetenv(ENV_SANDBOX, "none");
		xunsetenv(ENV_NETWORK_DISABLED);
		return exec_tool(c->tool, c->argv, false);
	}
	if (sandbox_confine(c, &x, &e) < 0)
		return refused(&e);
	switch (x.applied) {
	case SANDBOX_APPLIED:
		xsetenv(ENV_SANDBOX, sandbox_backend);
		if (c->network)
			xunsetenv(ENV_NETWORK_DISABLED);
		else
			xsetenv(ENV_NETWORK_DISABLED, "1");
		break;
	case SANDBOX_OUTER:
		xsetenv(ENV_SANDBOX, sandbox_backend);
		break;
	case SANDBOX_NONE:
		xsetenv(ENV_SANDBOX, "none");
		break;
	}
	return exec_tool(x.path, x.argv, x.launcher);
}

int tool_main(const char *name, char *argv[])
{
	struct intercept ic;
	struct resolved r;
	struct policy p;
	const char *outer;
	bool cached;
	dev_t dev;
	ino_t ino;
	int rc;

	msg_subject = name;
	self_exec_note(argv);
	hop_guard();
	intercept_find(&ic, argv[0]);
	self_identity(&dev, &ino);
	if (ic.hit) {
		/* Reached through a cover: the tool is the covered file, and
		 * its name the shim's that stands for it. The PATH walk only
		 * takes the shim folders out of the tool's PATH. */
		name = msg_subject = ic.tool;
		if (ic.sbx_ino) {
			dev = (dev_t)ic.sbx_dev;
			ino = (ino_t)ic.sbx_ino;
		}
	}
	outer = getenv(ENV_SANDBOX);
	if (outer && *outer && !sandbox_inherited(outer)) {
		trace("%s=%s, but this process is not confined: ignored",
		      ENV_SANDBOX, outer);
		outer = NULL;
	}
	memset(&p, 0, sizeof(p));
	/* the tool and its policy as the last exec of it here worked them
	 * out, when nothing they came from changed since (pcache.h); else
	 * worked out under the watch that keeps them for the next */
	cached = !(outer && *outer) &&
		 pcache_lookup(name, &ic, dev, ino, &r, &p, key_part) == 0;
	if (cached) {
		;
	} else if (ic.hit) {
		if (path_resolve(name, getenv("PATH"), dev, ino, &r) < 0)
			memset(&r, 0, sizeof(r));
		free(r.path);
		r.path = xstrdup(ic.path);
	} else if (path_resolve(name, getenv("PATH"), dev, ino, &r) < 0) {
		die(EXIT_SBX_NOT_FOUND,
		    "not found on PATH (after the shim folder)");
	}
	trace("real tool: %s", r.path);

	if (ic.root && agent_is(ic.agent, r.path, name)) {
		/* The process sbx session started, at a step of the agent's
		 * own exec chain (session.c, agent_chain): unconfined. */
		trace("the agent's own process: unconfined, from %s", ic.root);
		rc = exec_in_original(ic.root, r.path, argv);
		goto out;
	}
	if (outer && *outer) {
		/* Nested: the outer sandbox already confines us and our children. */
		trace("already inside a sandbox (%s=%s): exec directly",
		      ENV_SANDBOX, outer);
		rc = ic.hit ? exec_in_original(ic.root, r.path, argv)
			    : exec_tool(r.path, argv, false);
		goto out;
	}

	if (cached) {
		rc = confine_finished(&p, &r, argv, true);
	} else {
		policy_init(&p, name);
		p.view_root = ic.root;
		if (policy_load(&p) > 0) {
			rc = EXIT_SBX_FAILED;
		} else {
			policy_finish(&p);
			rc = confine_finished(&p, &r, argv, false);
		}
	}
out:
	policy_free(&p);
	resolved_free(&r);
	intercept_free(&ic);
	return rc;
}

/* After policy_finish (or from the cache: CACHED), to the exec. A policy
 * worked out here is given to the cache (when its recording began). */
static int confine_finished(struct policy *p, const struct resolved *r,
			    char *argv[], bool cached)
{
	struct confinement c;

	trace("profile %s (%s), network %s (%s)", profile_name(p->profile),
	      source_str(&p->profile_src),
	      p->network	 ? "on"
	      : p->hosts.n > 0 ? "named hosts"
			       : "off",
	      source_str(&p->network_src));
	if (r->tool_env && r->shim_dirs > 0) {
		trace("PATH for the tool: %s", r->tool_env);
		xsetenv("PATH", r->tool_env);
	}
	if (p->profile == PROFILE_WORKSPACE_WRITE && !p->workspace)
		msg("%s: %s", p->workspace_src.origin + 6, no_workspace_hint);
	if (!cached) {
		/* (made once: the cache's watch sees one go) */
		policy_create_roots(p);
		pcache_store(r, p, key_part);
	}
	if (key_part[0])
		mountns_key_given = key_part;
	if (p->profile != PROFILE_FULL_ACCESS)
		policy_scrub_env(p);
	confinement_make(&c, p, r->path, argv);
	return confine_and_exec(&c);
}

int tool_confine_and_exec(struct policy *p, const struct resolved *r,
			  char *argv[])
{
	policy_finish(p);
	return confine_finished(p, r, argv, false);
}
