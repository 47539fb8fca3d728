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

/* Prints, for sbx explain, what the backend gives on this machine. */
void sandbox_explain(FILE *out, const struct policy *p);

#endif
