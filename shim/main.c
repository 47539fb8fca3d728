/*
 * main.c - one binary, two faces: named "sbx" it is the command line; under
 * any other name ("python3") it is that tool's shim: find the real tool
 * further down PATH, work out the policy, confine, exec.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "policy.h"
#include "resolve.h"
#include "sandbox.h"
#include "session.h"
#include "util.h"

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

static int exec_plain(const char *path, char *const argv[])
{
	coverage_flush();
	execv(path, argv);
	msg("cannot execute %s: %s", path, strerror(errno));
	return EXIT_SBX_CANNOT_RUN;
}

/* In the session's view, the real tool at PATH is ROOT/PATH. */
static int exec_in_original(const char *root, const char *path,
			    char *const argv[])
{
	char *full = xstrcat3(root, "", path);
	int rc = exec_plain(full, argv);

	free(full);
	return rc;
}

static int tool_main(const char *name, char *argv[])
{
	struct intercept ic;
	struct resolved r;
	struct policy p;
	const char *outer;
	dev_t dev;
	ino_t ino;
	int rc;

	msg_subject = name;
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
	outer = getenv(ENV_SANDBOX);
	if (outer && *outer && !sandbox_inherited(outer)) {
		trace("%s=%s, but this process is not confined: ignored",
		      ENV_SANDBOX, outer);
		outer = NULL;
	}
	if (outer && *outer) {
		/* Nested: the outer sandbox already confines us and our children. */
		trace("already inside a sandbox (%s=%s): exec directly",
		      ENV_SANDBOX, outer);
		rc = ic.hit ? exec_in_original(ic.root, r.path, argv)
			    : exec_plain(r.path, argv);
		goto out;
	}

	policy_init(&p, name);
	p.view_root = ic.root;
	if (policy_load(&p) > 0) {
		rc = EXIT_SBX_FAILED;
	} else {
		rc = confine_and_exec(&p, &r, argv);
	}
	policy_free(&p);
out:
	resolved_free(&r);
	intercept_free(&ic);
	return rc;
}

int main(int argc, char *argv[])
{
	const char *name, *d;

	d = getenv(ENV_DEBUG);
	debug_on = d && strcmp(d, "1") == 0;
	if (argc < 1 || !argv[0])
		die(EXIT_SBX_FAILED, "started with no argv[0]");
	name = base_name(argv[0]);
	if (strcmp(name, "sbx") == 0 || *name == '\0')
		return cli_main(argc, argv);
	return tool_main(name, argv);
}
