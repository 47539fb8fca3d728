/* resolve.h - finding the real tool on PATH, past the shim folders. */
#ifndef SBX_RESOLVE_H
#define SBX_RESOLVE_H

#include <stdbool.h>
#include <sys/types.h>

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

struct resolved {
	char *path;	/* the tool as found on PATH (not its realpath) */
	char *tool_env; /* PATH for the tool: the shim folders taken out */
	int shim_dirs;	/* how many PATH entries held sbx itself */
};

/*
 * Walks PATHENV left to right for NAME: empty and relative entries are
 * skipped, and so is every candidate with the device and inode of sbx
 * itself (SELF_DEV, SELF_INO). The first executable regular file wins.
 * Returns 0, or -1 with errno ENOENT when there is none.
 */
int path_resolve(const char *name, const char *pathenv, dev_t self_dev,
		 ino_t self_ino, struct resolved *out);
void resolved_free(struct resolved *r);
/* The running binary's canonical path: a new string, or NULL. */
char *self_path(void);
/* The device and inode of the running binary (0 when unknown). */
int self_identity(dev_t *dev, ino_t *ino);
/* Notes the name the kernel ran this process by (AT_EXECFN) when it names
 * the running binary, as it does unless an interpreter's arguments or
 * AT_EXECFD say it names a script or a file handed over; self_identity
 * then looks at that file rather than at /proc/self/exe. ARGV: main's. */
void self_exec_note(char *const argv[]);
/* That name, or NULL. */
const char *self_exec_name(void);
/* The identity self_identity gave is the running binary's (looked at
 * through /proc when it came from that name): before anything is given to
 * the daemon under it. */
bool self_identity_confirmed(void);

#endif
