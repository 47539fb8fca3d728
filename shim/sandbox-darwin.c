/*
 * sandbox-darwin.c - the macOS backend: the policy becomes a Seatbelt profile
 * and the tool is re-executed under /usr/bin/sandbox-exec (that absolute
 * path only, never one found on PATH): this plans that exec, tool.c does it.
 * No fork: sandbox-exec applies the profile to itself and execs the tool, so
 * the pid, status and signals stay the tool's.
 */
#include "sandbox.h"

#include "proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leftovers.h"
#include "seatbelt.h"
#include "session.h"
#include "util.h"

#ifdef __APPLE__
int sandbox_check(pid_t pid, const char *operation, int type, ...);
#endif

const char sandbox_backend[] = "seatbelt";

bool sandbox_private_loopback(const struct policy *p)
{
	(void)p;
	return false;
}

bool sandbox_proxy(const struct policy *p)
{
	(void)p;
	return true;
}

bool sandbox_can_intercept(void)
{
	return false;
}

/* No bind mounts on macOS: sessions have the PATH layer only. */
int session_intercept(const char *dir, const struct targets *t, char *why,
		      size_t whylen)
{
	(void)dir;
	(void)t;
	snprintf(why, whylen, "macOS has no mount namespaces");
	return 1;
}

/* macOS's per-user temp and cache folders (/var/folders/.../T and C):
 * where TMPDIR points, and where compilers and Xcode tools cache. */
static void user_dirs(struct pathlist *extra)
{
#if defined(__APPLE__) && defined(_CS_DARWIN_USER_TEMP_DIR)
	static const int names[] = { _CS_DARWIN_USER_TEMP_DIR,
				     _CS_DARWIN_USER_CACHE_DIR };
	char buf[1024];

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		size_t n = confstr(names[i], buf, sizeof(buf));

		if (n > 0 && n <= sizeof(buf) && buf[0] == '/') {
			char *d = xstrdup(buf);

			path_normalize(d);
			pathlist_add(extra, d, (struct source){ "temp", 0 });
		}
	}
#else
	(void)extra;
#endif
}

/* True when the kernel says this process is already in a Seatbelt sandbox
 * (the agent's own, Claude Code's or Codex's, or ours with SBX_SANDBOX
 * lost on the way: env -i, tox). A second sandbox_apply there fails with
 * EPERM, so the tool runs inside the one it is in. */
static bool kernel_sandboxed(void)
{
#ifdef __APPLE__
	return sandbox_check(getpid(), NULL, 0) != 0;
#elif defined(SBX_FAKE_SANDBOX_CHECK)
	/* The seatbelt test build on Linux: tests/fake-sandbox-exec marks
	 * the environment it runs the tool in, as the kernel would mark the
	 * process; never compiled into a real build. */
	const char *v = getenv("SBX_FAKE_SANDBOXED");

	return v && strcmp(v, "1") == 0;
#else
	return true; /* nothing to ask: believe SBX_SANDBOX, as before */
#endif
}

/* The terminals the tool was started on: its standard descriptors' and
 * its controlling terminal, the only ones its profile lets it open. */
static void tool_ttys(struct pathlist *ttys)
{
	int tty = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);

	for (int fd = 0; fd <= 3; fd++) {
		const char *t = fd < 3 ? ttyname(fd) : tty >= 0 ? ttyname(tty) : NULL;
		bool seen = false;

		if (!t || strncmp(t, "/dev/", 5) != 0 ||
		    strcmp(t, "/dev/tty") == 0)
			continue;
		for (size_t i = 0; i < ttys->n && !seen; i++)
			seen = strcmp(ttys->v[i].path, t) == 0;
		if (!seen)
			pathlist_add(ttys, xstrdup(t),
				     (struct source){ "terminal", 0 });
	}
	if (tty >= 0)
		close(tty);
}

/* No mount namespaces, so no session's view to leave (sessions on macOS
 * have the PATH layer only: view_root is never set). */
int sandbox_leave_view(const struct confinement *c, struct sandbox_error *e)
{
	(void)c;
	(void)e;
	return 0;
}

/* No pid namespaces: leftovers = end is Linux's (leftovers.h). */
int leftovers_active(void)
{
	return 0;
}

int leftovers_fork_tool(void)
{
	errno = ENOSYS;
	return -1;
}

/* The confinement is sandbox-exec's to apply: this builds the profile and
 * plans the exec of SBX_SANDBOX_EXEC with it. */
int sandbox_confine(const struct confinement *c, struct exec_plan *x,
		    struct sandbox_error *e)
{
	const struct policy *p = c->policy;
	struct pathlist extra = { NULL, 0 }, ttys = { NULL, 0 };
	struct sb_profile sp;
	char err[256], token[PROXY_TOKEN_LEN + 1];
	int port = 0;

	memset(x, 0, sizeof(*x));
	x->path = c->tool;
	x->argv = c->argv;
#if defined(__APPLE__) || defined(SBX_FAKE_SANDBOX_CHECK)
	if (kernel_sandboxed()) {
		msg("already inside a sandbox (not sbx's: the agent's own?): "
		    "running %s directly, confined by that sandbox only",
		    c->tool);
		x->applied = SANDBOX_OUTER;
		return 0;
	}
#endif
	if (c->named_hosts) {
		/* named hosts: a port of sbx's proxy on localhost, the only
		 * place the profile lets the tool connect to */
		int ctl = proxy_connect();

		port = ctl < 0 ? -1 : proxy_register(ctl, p, token);
		if (port < 0) {
			snprintf(e->why, sizeof(e->why),
				 "cannot sandbox: network = %s... (%s): cannot "
				 "reach sbx's proxy: %s",
				 p->hosts.v[0].path,
				 source_str(&p->network_src), strerror(errno));
			return -1;
		}
		trace("proxy: 127.0.0.1:%d for %zu host(s)", port, p->hosts.n);
		proxy_environment(port, token, p);
	}
	if (p->profile == PROFILE_WORKSPACE_WRITE)
		user_dirs(&extra);
	tool_ttys(&ttys);
	seatbelt_build(p, &extra, &ttys, port, &sp);
	pathlist_free(&extra);
	pathlist_free(&ttys);
	if (seatbelt_check(&sp, err, sizeof(err)) < 0) {
		snprintf(e->why, sizeof(e->why),
			 "cannot sandbox: the generated profile is malformed: "
			 "%s",
			 err);
		return -1;
	}
	/* the profile's strings stay: the argv points into them */
	x->argv = seatbelt_argv(&sp, c->tool, c->argv);
	x->path = SBX_SANDBOX_EXEC;
	x->launcher = true;
	x->applied = SANDBOX_APPLIED;
	trace("exec %s with %zu parameters", SBX_SANDBOX_EXEC, sp.n);
	return 0;
}

bool sandbox_inherited(const char *value)
{
	/* The kernel is asked, not the variable: SBX_SANDBOX copied into an
	 * unconfined process switches nothing off. */
	return strcmp(value, sandbox_backend) == 0 && kernel_sandboxed();
}

void sandbox_caps(const struct policy *p, struct sandbox_caps *c)
{
	memset(c, 0, sizeof(*c));
	if (access(SBX_SANDBOX_EXEC, X_OK) < 0) {
		snprintf(c->summary, sizeof(c->summary),
			 "seatbelt: %s NOT FOUND (%s)%s", SBX_SANDBOX_EXEC,
			 strerror(errno),
			 p->profile == PROFILE_FULL_ACCESS ? ""
							   : "; tools exit 126");
		return;
	}
	c->available = true;
	snprintf(c->summary, sizeof(c->summary),
		 "seatbelt, %s (sbx policy prints the profile)",
		 SBX_SANDBOX_EXEC);
}

void sandbox_explain(FILE *out, const struct policy *p)
{
	struct sandbox_caps c;

	sandbox_caps(p, &c);
	fprintf(out, "backend:    %s\n", c.summary);
}
