/* leftovers.h - ending what a tool leaves running when it exits (Linux). */
#ifndef SBX_LEFTOVERS_H
#define SBX_LEFTOVERS_H

/*
 * leftovers = end: the tool runs in a pid namespace of its own, so that
 * when it exits the kernel ends every process it left behind (a daemon
 * that would otherwise read credentials made later, or relay a later
 * tool's traffic). It costs two processes: sbx stays as the process the
 * caller started (same pid, signals forwarded, the tool's exit status or
 * signal passed back), and pid 1 of the namespace waits for the tool.
 */

/* Called with the namespaces made (CAP_SYS_ADMIN in this user namespace):
 * makes the pid namespace and forks. Returns 0 in the child (pid 1 there),
 * which goes on confining; the parent never returns. -1 on failure. */
int leftovers_split(void);
/* True in pid 1 of such a namespace (after leftovers_split). */
int leftovers_active(void);
/* In pid 1, just before exec: forks the tool. Returns 0 in the tool's
 * process; pid 1 waits for it, passes its status back and exits, which
 * ends the rest. -1 on failure. */
int leftovers_fork_tool(void);

#endif
