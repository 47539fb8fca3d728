/* sandbox.h - the only platform interface: one backend per OS, chosen by the Makefile. */
#ifndef SBX_SANDBOX_H
#define SBX_SANDBOX_H

#include <stdbool.h>
#include <stdio.h>

#include "policy.h"

/* "landlock" or "seatbelt". */
extern const char sandbox_backend[];

/*
 * What a backend confines by: built once, by tool.c, from the finished
 * policy (after policy_finish). The backend decides on the fields here; it
 * reaches into POLICY only to hand it on (mountns_build and mountns_key,
 * the proxy's proxy_register and proxy_environment, seatbelt_build) and
 * for the source of a setting in a message. Those modules take the policy
 * itself because sbx explain, policy and check call them too: copying its
 * lists (the roots and their kind, protected, hidden, sealed, the hosts)
 * into this struct would give them a second form of the same data to keep
 * in step, so this holds a const pointer instead.
 */
struct confinement {
	const struct policy *policy; /* finished, not to be changed */
	const char *tool;	     /* the real tool, by the path found */
	char *const *argv;	     /* its argv: argv[0] as the user typed it */
	bool full_access;	     /* no confinement at all (tool.c) */
	bool network;		     /* on: all of it */
	bool named_hosts;	     /* off but for policy->hosts (sbx's proxy) */
	enum protect protect;	     /* best-effort, required, off */
	bool end_leftovers;	     /* leftovers = end */
	/* In an agent's intercepting session: the original tree (session.h);
	 * NULL otherwise. */
	const char *view_root;
	const struct pathlist *roots; /* the writable roots, implicit first */
};

/* How the backend confined the process: what the one caller (tool.c) then
 * tells the tool in SBX_SANDBOX and SBX_NETWORK_DISABLED, and what it
 * execs. */
struct exec_plan {
	enum sandbox_applied {
		/* this backend's sandbox: SBX_SANDBOX=sandbox_backend, and
		 * SBX_NETWORK_DISABLED=1 with the network off */
		SANDBOX_APPLIED,
		/* already in a sandbox that is not sbx's (macOS): the tool
		 * runs in that one, SBX_SANDBOX=sandbox_backend */
		SANDBOX_OUTER,
		/* none to be had, and SBX_ALLOW_UNSANDBOXED=1: SBX_SANDBOX=none */
		SANDBOX_NONE,
	} applied;
	const char *path;  /* what to execve: the tool, or the launcher */
	char *const *argv; /* its argv */
	/* PATH is the backend's launcher (/usr/bin/sandbox-exec), not the
	 * tool: failing to exec it is failing to sandbox. */
	bool launcher;
};

/* Why the backend could not confine: one line for the user, without the
 * "sbx: TOOL: " that msg() puts before it, and maybe a hint after it. */
struct sandbox_error {
	char why[1024];
	const char *hint; /* a second line ("boot with Landlock..."), or NULL */
};

/*
 * Confines this process as C says (not full-access), and fills X with what
 * to exec. Does not touch SBX_SANDBOX or SBX_NETWORK_DISABLED, and does not
 * exec: tool.c does both. Warnings are printed on the way. Returns 0, or -1
 * with E filled (the tool is then refused: 126).
 */
int sandbox_confine(const struct confinement *c, struct exec_plan *x,
		    struct sandbox_error *e);

/* For a full-access tool in an agent's session (C->view_root set): takes
 * the process out of the session's view, to where the real tool is.
 * Returns 0, or -1 with E filled. */
int sandbox_leave_view(const struct confinement *c, struct sandbox_error *e);

/* True when SBX_SANDBOX=VALUE, found in the environment, is believable:
 * the kernel says the process really is in this backend's sandbox (a
 * variable copied into an unconfined environment, or "none", must not
 * switch sbx off). */
bool sandbox_inherited(const char *value);

/* True when an agent's session can cover the real tools here (Linux, with
 * a mount namespace to be had). */
bool sandbox_can_intercept(void);

/* True when, with the network off, P's tools get a private loopback (a
 * network namespace of their own: Linux, the namespace to be had). */
bool sandbox_private_loopback(const struct policy *p);

/* True when network = HOST, ... reaches those hosts here, through sbx's
 * proxy (Linux: in that private loopback; macOS: always). */
bool sandbox_proxy(const struct policy *p);

/* What the backend gives on this machine, for P: each verdict a field, so
 * that sbx explain's wording decides nothing (doctor and sbx --version read
 * these, never explain's text). */
struct sandbox_caps {
	/* The backend confines here (Landlock in the kernel, sandbox-exec
	 * found); when not, tools exit 126 (SBX_ALLOW_UNSANDBOXED=1 aside). */
	bool available;
	/* The backend and what it uses, or why it is not available: the line
	 * sbx explain prints after "backend:", for people only. */
	char summary[256];
	/* The running kernel's Landlock ABI; 0 without Landlock, or on macOS. */
	int landlock_abi;
	/* Seccomp filters (Linux: network off, no terminal injection). */
	enum caps_seccomp {
		CAPS_SECCOMP_UNUSED,  /* not part of this backend (macOS) */
		CAPS_SECCOMP_YES,     /* the kernel has them */
		CAPS_SECCOMP_MISSING, /* it has none: no network switch */
	} seccomp;
	/* The private read-only mount namespace (Linux), the one layer that
	 * enforces protected and hidden paths and chmod outside the roots. */
	enum caps_view {
		CAPS_VIEW_UNASKED, /* not probed: no backend, full-access, macOS */
		CAPS_VIEW_PRIVATE, /* each tool gets one: all enforced */
		CAPS_VIEW_OFF,	   /* protect = off: not enforced, by choice */
		CAPS_VIEW_NONE,	   /* none to be had: VIEW_WHY says why */
	} view;
	char view_why[128];
};

/* Fills C: probes the kernel (and, for the mount namespace, forks). */
void sandbox_caps(const struct policy *p, struct sandbox_caps *c);

/* Prints, for sbx explain, what the backend gives on this machine (from
 * sandbox_caps, in full). */
void sandbox_explain(FILE *out, const struct policy *p);

#endif
