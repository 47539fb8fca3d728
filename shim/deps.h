/*
 * deps.h - what a tool's policy was worked out from, watched, for the
 * policy cache (pcache.h): every path the shim looked at on the way (found,
 * missing, read, listed) and every variable it read.
 *
 * The files that work the policy out include this header last: on Linux
 * their path lookups and getenv() go through the recorders below, which
 * pass straight on unless a recording is under way (deps_begin).
 */
#ifndef SBX_DEPS_H
#define SBX_DEPS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#if defined(__linux__) && !defined(SBX_OS_DARWIN)
#define SBX_DEPS 1
#endif

enum dep_kind {
	DEP_NAME,    /* what the name leads to (found or not, what type) */
	DEP_NOFOLLOW, /* what the name is itself (a last symlink not followed) */
	DEP_CONTENT, /* and the file's content and attributes */
	DEP_ENTRIES, /* and the folder's names */
};

/* What a name in a folder anyone may write to (/tmp) led to, looked at
 * again on each use of a cached policy. */
struct dep_id {
	uint64_t dev, ino;
	int64_t bsec, csec;
	uint32_t bnsec, cnsec, mode;
	int32_t err;
};
struct dep_check {
	char *path;
	struct dep_id id;
};
/* Which events of watch WD matter: those about NAME in it, or any (ALL). */
struct dep_name {
	int wd;
	bool all;
	char *name;
};
/* A variable read, and its value then (NULL: not set). */
struct dep_env {
	char *name, *value;
};

/* Starts recording: from now on each path is watched before it is looked
 * at. -1 when nothing can be watched (no inotify: the limit of instances). */
int deps_begin(void);
/* Ends the recording. 0 with the watch (inotify) and the mount table's
 * descriptor (poll: POLLPRI once it changed) when everything looked at is
 * watched or in the checks; -1 (both closed) with WHY set when not. */
int deps_end(int *watch, int *mounts, const char **why);
bool deps_recording(void);
/* The mount table's print: a SHA-256 of its mounts' unique ids into FP
 * (hex; listmount, Linux 6.8); -1 where the kernel has none. The one
 * taken when the recording began: deps_mount_print(). */
int deps_mounts(char fp[65]);
const char *deps_mount_print(void);
/* PATH (absolute) is about to be looked at as KIND. */
void deps_note(const char *path, enum dep_kind kind);
/* Something the cache cannot watch was met: this policy is not kept. */
void deps_spoil(const char *why);
const struct dep_env *deps_envs(size_t *n);
const struct dep_check *deps_checks(size_t *n);
const struct dep_name *deps_names(size_t *n);
/* Looks at PATH as a check does (not following a last symlink). */
void deps_id(const char *path, struct dep_id *id);

char *deps_getenv(const char *name);
int deps_stat(const char *path, struct stat *st);
int deps_lstat(const char *path, struct stat *st);
int deps_access(const char *path, int mode);
ssize_t deps_readlink(const char *path, char *buf, size_t size);
char *deps_realpath(const char *path, char *resolved);
DIR *deps_opendir(const char *path);
int deps_open(const char *path, int flags, ...);
int deps_openat(int dirfd, const char *path, int flags, ...);
int deps_mkdir(const char *path, mode_t mode);
#ifdef SBX_DEPS
struct statx;
/* statx(AT_FDCWD, PATH, FLAGS, MASK, STX), recorded */
int deps_statx(const char *path, int flags, unsigned mask, struct statx *stx);
#endif

#if defined(SBX_DEPS) && !defined(SBX_DEPS_IMPL)
#define getenv(n) deps_getenv(n)
#define stat(p, b) deps_stat(p, b)
#define lstat(p, b) deps_lstat(p, b)
#define access(p, m) deps_access(p, m)
#define readlink(p, b, n) deps_readlink(p, b, n)
#define realpath(p, r) deps_realpath(p, r)
#define opendir(p) deps_opendir(p)
#define open(...) deps_open(__VA_ARGS__)
#define openat(...) deps_openat(__VA_ARGS__)
#define mkdir(p, m) deps_mkdir(p, m)
#endif

#endif
