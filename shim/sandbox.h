/* sandbox.h - the only platform interface: one backend per OS, chosen by the Makefile. */
#ifndef SBX_SANDBOX_H
#define SBX_SANDBOX_H

#include <stdbool.h>
#include <stdio.h>

#include "policy.h"

/* "landlock" or "seatbelt". */
extern const char sandbox_backend[];

/*
 * Confines the process as P says and execs PATH with ARGV (argv[0] as the
 * user typed it). Sets SBX_SANDBOX and SBX_NETWORK_DISABLED for the tool.
 * Returns only on failure, after printing why, with the exit code to use.
 */
int sandbox_exec(const struct policy *p, const char *path, char *const argv[]);

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
