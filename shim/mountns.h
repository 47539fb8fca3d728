/* mountns.h - the private read-only view of the filesystem (Linux). */
#ifndef SBX_MOUNTNS_H
#define SBX_MOUNTNS_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/*
 * Moves the process into a mount namespace of its own (and a user namespace
 * when not root) where everything is read-only but P's writable roots, the
 * protected paths are read-only again and the hidden paths are covered.
 * Returns 0; 1 when the kernel refuses a namespace (ERR says why: Landlock
 * alone then); -1 when building it failed half-way (fatal; ERR says why).
 */
int mountns_build(const struct policy *p, bool view_only, char *err,
		  size_t errlen);
/* With P->view_root set (a tool started in an agent's intercepting session)
 * the namespace first leaves the session's view for the original tree;
 * VIEW_ONLY stops there (full-access, protect = off). */

/* Enters a mount namespace of our own: root keeps its identity, anyone else
 * gets a user namespace mapping their uid and gid 1:1. HOW says which. */
enum mountns_entered {
	MOUNTNS_ENTERED, /* in it */
	MOUNTNS_REFUSED, /* no namespace: the kernel refused, errno says why */
	MOUNTNS_NO_MAPS, /* in a user namespace whose id maps failed (errno) */
};
enum mountns_entered mountns_enter(const char **how, int more);
/* MORE: further namespaces to make with it (CLONE_NEWNET). */

/* Set by mountns_build when the tool got a network namespace of its own
 * (network off): only a loopback, up. */
extern bool mountns_loopback;
/* With named hosts: the port on 127.0.0.1 where sbx's proxy serves the
 * tool (proxy.h); -1 otherwise. */
extern int mountns_proxy_port;
/* Set by mountns_build when it joined the mount namespace that an earlier
 * tool of the same confinement made (proxy.h proxy_shared): that tool's
 * Landlock ruleset, to restrict this one with (-1 otherwise). */
extern int mountns_ruleset;
/* When this tool was the first of its confinement: gives its mount
 * namespace and RULESET (made with the same policy, in it) to sbx's proxy
 * daemon for the next ones. Call before no_new_privs (the daemon takes
 * only what an unconfined process gives). Nothing when there is nothing to
 * give; a failure only means the next tool makes its own. */
void mountns_donate(int ruleset);
/* SBX_SHARE=0: every tool makes its own namespaces (for comparison);
 * SBX_SHARE=ask: a tool asks the daemon for them rather than take them
 * from its slot (what happens where ptrace is refused). */
#define ENV_SHARE "SBX_SHARE"
/* The confinement's key: P's policy and what each of its paths is now
 * (device, inode, type; a sealed path's folder's mtime), the namespace it
 * is built from, the terminal; equal keys build equal namespaces. */
void mountns_key(const struct policy *p, char hex[65]);
/* The key in two steps: what P and the paths it names give (the policy
 * cache keeps it, pcache.c), then the tool's terminal, looked at per exec.
 * mountns_key() takes the first from MOUNTNS_KEY_GIVEN when it is set. */
void mountns_key_part(const struct policy *p, char hex[65]);
void mountns_key_of(const char part[65], char hex[65]);
extern const char *mountns_key_given;

/* True when ERR, from creating a namespace, means the kernel has none to
 * give (switched off, not built, refused by policy): Landlock alone then.
 * Any other error (the quota used up, no memory) is a failure. */
bool mountns_switched_off(int err);
/* Sets or clears MOUNT_ATTR_RDONLY on the mount at PATH (and beneath it). */
int mountns_readonly(const char *path, bool ro, bool recursive);

/* In a new network namespace: `lo` up (127.0.0.1 and ::1). */
int mountns_loopback_up(void);
/* In a copy of a confinement's mount namespace: a devpts instance of its
 * own on /dev/pts (the ptys other tools opened are not there). Only
 * system calls: the daemon's children use it. */
int mountns_own_devpts(void);

/* capget(2) of this process, both words (DATA[0] and DATA[1]): 0, or -1
 * with errno set. */
struct __user_cap_data_struct;
int caps_read(struct __user_cap_data_struct *data);

/* NULL when a namespace can be made here, else why not (for explain). */
const char *mountns_probe(void);

#endif
