/*
 * session.h - the intercepting view of an agent's session (Linux): every real
 * tool a shim stands for is covered by sbx with a bind mount, so that a full
 * path, a venv's symlink, a shebang or a login shell's PATH all reach sbx.
 * The originals stay reachable under the session's folder, as a second view
 * of the whole tree taken before the covers were put on.
 */
#ifndef SBX_SESSION_H
#define SBX_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#define ENV_INTERCEPT "SBX_INTERCEPT"
#define ENV_AGENT "SBX_AGENT"

/* One real tool covered by sbx in the session. */
struct target {
	char *path;  /* its canonical path: where sbx is bound */
	char *tools; /* the shim names that reach it, space-separated */
};

struct targets {
	struct target *v;
	size_t n;
};

/* The real tools that the shim NAMES stand for: each one found on PATH (the
 * shim folders skipped), its symlink target, and the same names in the
 * version folders of pyenv, asdf, mise, nvm and rustup. */
void targets_collect(struct targets *t, const char *const *names,
		     const char *pathenv);
void targets_free(struct targets *t);
/* The target whose canonical path is that of PATH, or NULL. */
const struct target *targets_find(const struct targets *t, const char *path);

/*
 * Moves this process into the session's view: a mount namespace (inside a
 * user namespace when not root) where each of T's paths is covered by sbx.
 * DIR is the session folder (made if missing). Sets SBX_INTERCEPT. Returns 0; 1 when no view can be made here
 * (WHY says why: the PATH layer alone then); -1 when it failed half-way.
 */
int session_intercept(const char *dir, const struct targets *t, char *why,
		      size_t whylen);

/* The agent that sbx session is about to exec as ARGV: "PID<TAB>PATH..."
 * with the real paths of ARGV[0], of the command the wrappers in front run
 * (env, nice, nohup, stdbuf, ionice) and of the interpreters the
 * "#!" lines lead to (a #!/usr/bin/env node script: the script and node);
 * for a covered one in T (pyenv's python3 shim), its tool names too, as
 * ":NAME": what it execs by that name is the agent's. A new string. */
char *agent_chain(char *const *argv, const struct targets *t);
/* True when this process is the agent's own (its pid, and PATH, or TOOL
 * as ":TOOL", one of its exec chain): it runs unconfined. Anything else
 * the agent execs in its pid (bash -c's last command) is a tool. */
bool agent_is(const char *chain, const char *path, const char *tool);

/* What a shim learns from the session's view. */
struct intercept {
	char *root;  /* the original tree (DIR/root), or NULL: not in a view */
	bool hit;    /* this exec reached sbx through a cover */
	char *path;  /* hit: the real tool's path (the cover's mount point) */
	char *tool;  /* hit: the shim name it stands for */
	const char *agent; /* root: SBX_AGENT, as set by sbx session */
	unsigned long long sbx_dev, sbx_ino; /* the installed sbx */
};

/* Fills IC for this process; ARGV0 picks among a target's names. */
void intercept_find(struct intercept *ic, const char *argv0);
void intercept_free(struct intercept *ic);

#endif
