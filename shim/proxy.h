/* proxy.h - network = HOST, ...: the tool reaches those hosts only, through
 * a small HTTP proxy that sbx runs. */
#ifndef SBX_PROXY_H
#define SBX_PROXY_H

#include <time.h>

#include "policy.h"

/*
 * One proxy per user, started on demand by the first shim that needs it
 * and gone when idle: `sbx proxy-daemon`.
 *
 * Linux: it listens on an abstract Unix socket of the host's network
 * namespace (confined tools live in network namespaces of their own and
 * cannot reach it; it answers only its uid). A shim with named hosts:
 * proxy_connect() before it makes its network namespace (the control
 * socket stays usable after), proxy_register() in the new namespace: a
 * listening socket on 127.0.0.1 there is handed to the proxy with the host
 * list and the tool's stderr, so no process is added per exec.
 *
 * macOS (SBX_PROXY_FILE): no network namespaces. The control socket is a
 * file in sbx's own folder (~/.local/share/sbx, which no tool may write);
 * the listening socket is on the host's loopback, the tool's profile
 * allows that one port and nothing else, and the proxy serves only
 * requests that carry this run's secret (Proxy-Authorization, from the
 * user:password of the proxy URL in the tool's environment), so other
 * processes on the machine that reach the port gain nothing.
 *
 * The proxy forwards CONNECT (TLS, not intercepted) and plain HTTP to
 * listed hosts on ports 80 and 443 (or the port listed), answers 403
 * naming the host and the setting otherwise, and stops serving that
 * socket when the shim's process (the tool) exits.
 */
enum { PROXY_TOKEN_LEN = 32 };

int proxy_connect(void);
/* Returns the port on 127.0.0.1 the proxy serves for this tool, or -1
 * (errno set), and in TOKEN the secret requests must carry ("" when none
 * is needed: Linux). Closes CTL. */
int proxy_register(int ctl, const struct policy *p,
		   char token[PROXY_TOKEN_LEN + 1]);
/* Linux: what the tools of P's confinement share, kept by the proxy
 * daemon (making them costs more than the rest of the sandbox):
 * descriptors to setns() into, -1 where there is none. */
struct shared_ns {
	int userns;  /* the user namespace the others belong to, when it is
		      * not ours (a user's) */
	int netns;   /* network off: only `lo`, up */
	int mntns;   /* the mount namespace the first tool of MKEY made */
	int ruleset; /* and its Landlock ruleset (never changed after) */
	int copy;    /* a copy of mntns made ahead, with a devpts of its own,
		      * claimed for this tool, or -1 */
};
/* Asks for the network namespace (network off) and, with MKEY (mountns.h
 * mountns_key()), the mount namespace and ruleset of that key when one was
 * given. Returns 0, or -1 (errno set): the tool makes its own. */
int proxy_shared(const struct policy *p, const char *mkey,
		 struct shared_ns *ns);
void proxy_shared_close(struct shared_ns *ns);
/* Linux: the policy cache's (pcache.c). Takes the three descriptors of
 * the cached policy in LKEY's slot (its memfd, watch, mount table), all of
 * one entry: 0, or -1. */
int proxy_pc_take(const char *lkey, int fds[3]);
/* Gives them, starting the daemon when none runs; does not wait. */
int proxy_pc_store(const char *lkey, int memfd, int watch, int mounts);
/* The first tool of a key gives what it made: a control socket opened
 * before it left the host's network namespace, then proxy_donate() (this
 * process's mount and user namespaces, RULESET, and MOUNTS, the original
 * namespace's /proc/self/mounts: a change there ends what was given).
 * Waits for the proxy's answer; closes CTL. Returns 0 or -1. */
int proxy_donate_connect(void);
int proxy_donate(int ctl, const struct policy *p, const char *mkey,
		 int ruleset, int mounts, const struct timespec *scan);
/* (SCAN: when root's tool looked at the temp folders, CLOCK_MONOTONIC) */
/* Sets the proxy variables for the tool: HTTP(S)_PROXY, npm's, node's. */
void proxy_environment(int port, const char *token, const struct policy *p);

/* The daemon: `sbx proxy-daemon`. */
int proxy_daemon(void);

#endif
