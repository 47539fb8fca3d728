/*
 * deps.c - the recorders of deps.h.
 *
 * While recording, each path is walked from / before the shim looks at it,
 * and each folder on the way is watched (inotify: names made, removed,
 * moved in or out) before the next name in it is looked at; a file whose
 * content is read is watched for its content and attributes too. A change
 * made after that is queued on the watch by the very system call that
 * makes it: whoever reads the queue empty afterwards knows that nothing
 * the policy was worked out from has changed. The mount table is watched
 * by a mountinfo descriptor opened first (poll says POLLPRI once it
 * changed). A folder anyone may write to (sticky and world-writable: /tmp)
 * changes all the time: it is not watched, and the names looked at in it
 * become checks, looked at again on each use instead. Anything else (a
 * path of /proc or /sys, a relative one, a network or FUSE file system, a
 * watch the kernel refuses) spoils the recording: that policy is not kept.
 */
#define SBX_DEPS_IMPL
#include "deps.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"
#include "util.h"

#ifdef SBX_DEPS
#include <sys/inotify.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/stat.h>

/* a folder: its names (not IN_ATTRIB, or any event a child has: adding
 * such a watch makes the kernel mark every child dentry it holds, a
 * million negative ones in /var/tmp, milliseconds); a file read: its
 * content and attributes; either going away itself */
#define W_ENTRIES                                                        \
	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |           \
	 IN_DELETE_SELF | IN_MOVE_SELF)
/* a name looked up: its mode and owner (a tool found on PATH must still
 * be executable), through any of its links */
#define W_ATTRIB (IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
#define W_CONTENT                                                        \
	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF |       \
	 IN_MOVE_SELF)
#define MAX_LINKS 40

static bool on;
static int wfd = -1, mfd = -1;
static const char *spoiled;
static struct dep_env *envs;
static size_t n_envs;
static struct dep_check *checks;
static size_t n_checks;
/* walked already, as "KIND path" */
static char **seen;
static size_t n_seen;
static dev_t *devs; /* file systems looked at (statfs) */
static size_t n_devs;

/* Folders met on a walk already (no symlink in their path): a later walk
 * through one needs no look (its folder is watched, or it is checked). */
#define KNOWN_SLOTS 1024
static struct known {
	char *path;
	bool shared; /* anyone writes to it: not watched */
	bool entries; /* its names watched */
	int wd;	      /* its watch (entries) */
} known[KNOWN_SLOTS];

/*
 * Which events of a watch matter, for the daemon that reads them (a watch
 * of a folder hears of every name made in it; most are not the policy's
 * business: pyenv's lock files in its shims folder, a build's objects
 * next to a folder searched for .git). A name the walk looked up in the
 * folder, or any name when the folder was listed or the watch is a file's
 * (ALL). What the daemon does with them: proxy.c pc_events().
 */
static struct dep_name *names;
static size_t n_names;

static void note_name(int wd, const char *name, size_t len)
{
	for (size_t i = 0; i < n_names; i++)
		if (names[i].wd == wd &&
		    (names[i].all || (names[i].name &&
				      strlen(names[i].name) == len &&
				      memcmp(names[i].name, name, len) == 0)))
			return;
	names = xreallocarray(names, n_names + 1, sizeof(*names));
	names[n_names].wd = wd;
	names[n_names].all = false;
	names[n_names++].name = xstrndup(name, len);
}

static void note_all(int wd)
{
	if (wd < 0)
		return;
	names = xreallocarray(names, n_names + 1, sizeof(*names));
	names[n_names].wd = wd;
	names[n_names].all = true;
	names[n_names++].name = NULL;
}

const struct dep_name *deps_names(size_t *n)
{
	*n = n_names;
	return names;
}
static size_t n_known;

static size_t known_hash(const char *s)
{
	size_t h = 1469598103934665603ULL & SIZE_MAX;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (1099511628211ULL & SIZE_MAX);
	return h % KNOWN_SLOTS;
}

static struct known *known_find(const char *path, bool add)
{
	size_t h = known_hash(path);

	for (size_t i = 0; i < KNOWN_SLOTS; i++, h = (h + 1) % KNOWN_SLOTS) {
		if (!known[h].path) {
			if (!add || n_known >= KNOWN_SLOTS / 2)
				return NULL;
			known[h].path = xstrdup(path);
			known[h].wd = -1;
			n_known++;
			return &known[h];
		}
		if (strcmp(known[h].path, path) == 0)
			return &known[h];
	}
	return NULL;
}

bool deps_recording(void)
{
	return on;
}

void deps_spoil(const char *why)
{
	if (on && !spoiled) {
		spoiled = why;
		trace("policy cache: not kept: %s", why);
	}
}

/* The unique ids of this namespace's mounts (listmount: Linux 6.8), as a
 * SHA-256 into FP: any mount made or ended changes it. -1 without. */
int deps_mounts(char fp[65])
{
	struct {
		uint32_t size, spare;
		uint64_t mnt_id, param;
	} req = { 24, 0, ~(uint64_t)0 /* LSMT_ROOT */, 0 };
	uint64_t ids[1024];
	struct sha256 c;
	long n;

	n = syscall(458 /* listmount */, &req, ids, 1024, 0);
	if (n < 0 || n >= 1024)
		return -1;
	sha256_init(&c);
	sha256_update(&c, ids, (size_t)n * sizeof(*ids));
	sha256_hex(&c, fp);
	return 0;
}

static char mounts_then[65];

const char *deps_mount_print(void)
{
	return mounts_then;
}

int deps_begin(void)
{
	/* the mount table first: a mount from now on is seen */
	if (deps_mounts(mounts_then) < 0)
		return -1;
	mfd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	wfd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (mfd < 0 || wfd < 0) {
		if (mfd >= 0)
			close(mfd);
		if (wfd >= 0)
			close(wfd);
		mfd = wfd = -1;
		return -1;
	}
	on = true;
	spoiled = NULL;
	return 0;
}

int deps_end(int *watch, int *mounts, const char **why)
{
	char now[65];

	if (deps_mounts(now) < 0 || strcmp(now, mounts_then) != 0)
		deps_spoil("a mount made or ended meanwhile");
	on = false;
	for (size_t i = 0; i < n_seen; i++)
		free(seen[i]);
	free(seen);
	seen = NULL;
	n_seen = 0;
	free(devs);
	devs = NULL;
	n_devs = 0;
	for (size_t i = 0; i < KNOWN_SLOTS; i++) {
		free(known[i].path);
		known[i].path = NULL;
	}
	n_known = 0;
	if (spoiled) {
		*why = spoiled;
		close(wfd);
		close(mfd);
		wfd = mfd = -1;
		return -1;
	}
	*watch = wfd;
	*mounts = mfd;
	wfd = mfd = -1;
	return 0;
}

const struct dep_env *deps_envs(size_t *n)
{
	*n = n_envs;
	return envs;
}

const struct dep_check *deps_checks(size_t *n)
{
	*n = n_checks;
	return checks;
}

void deps_id(const char *path, struct dep_id *id)
{
	struct statx st;

	memset(id, 0, sizeof(*id));
	if (syscall(SYS_statx, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW,
		    STATX_BASIC_STATS | STATX_BTIME, &st) < 0) {
		id->err = errno;
		return;
	}
	id->dev = (uint64_t)st.stx_dev_major << 32 | st.stx_dev_minor;
	id->ino = st.stx_ino;
	id->mode = st.stx_mode;
	if (st.stx_mask & STATX_BTIME) {
		id->bsec = st.stx_btime.tv_sec;
		id->bnsec = st.stx_btime.tv_nsec;
	}
	/* not a folder's: its names change it (the ino and birth tell a
	 * folder made again) */
	if (!S_ISDIR(st.stx_mode)) {
		id->csec = st.stx_ctime.tv_sec;
		id->cnsec = st.stx_ctime.tv_nsec;
	}
}

/* File systems whose every change goes through this kernel, so inotify
 * hears of it: local ones. Network file systems, FUSE, a virtual machine's
 * shared folders change from elsewhere without a word. */
static bool watchable_fs(const char *path, dev_t dev)
{
	static const unsigned long local[] = {
		0xef53,	    /* ext2, ext3, ext4 */
		0x58465342, /* XFS */
		0x9123683e, /* Btrfs */
		0x01021994, /* tmpfs */
		0x858458f6, /* ramfs */
		0x794c7630, /* overlayfs */
		0xf2f52010, /* F2FS */
		0x2fc12fc1, /* ZFS */
		0xca451a4e, /* bcachefs */
		0x73717368, /* SquashFS */
		0xe0f5e1e2, /* EROFS */
		0x28cd3d45, /* cramfs */
		0x9660,	    /* ISO 9660 */
		0x15013346, /* UDF */
		0x4d44,	    /* FAT */
		0x2011bab0, /* exFAT */
		0x5346544e, /* NTFS */
		0x7366746e, /* NTFS3 */
		0x3153464a, /* JFS */
		0x52654973, /* ReiserFS */
		0x3434,	    /* NILFS */
		0x4244,	    /* HFS */
		0x482b,	    /* HFS+ */
	};
	struct statfs sf;

	for (size_t i = 0; i < n_devs; i++)
		if (devs[i] == dev)
			return true;
	if (statfs(path, &sf) < 0)
		return false;
	for (size_t i = 0; i < sizeof(local) / sizeof(*local); i++) {
		if ((unsigned long)sf.f_type == local[i]) {
			devs = xreallocarray(devs, n_devs + 1, sizeof(*devs));
			devs[n_devs++] = dev;
			return true;
		}
	}
	return false;
}

/* Watches PATH (on device DEV) for MASK: its watch descriptor, or -1:
 * spoiled, or (errno EACCES) not readable here, which the walk looks at
 * again on each use instead (as a folder anyone writes to). */
static int watch(const char *path, dev_t dev, uint32_t mask)
{
	static char why[160];
	int wd;

	if (!watchable_fs(path, dev)) {
		deps_spoil("a file system other than a local one (network, FUSE)");
		return -1;
	}
	wd = inotify_add_watch(wfd, path, mask | IN_MASK_ADD | IN_DONT_FOLLOW);
	if (wd < 0 && errno != EACCES) {
		snprintf(why, sizeof(why), "no watch on %.100s: %s", path,
			 strerror(errno));
		deps_spoil(why);
	}
	if (wd < 0)
		trace("policy cache: %s not readable: checked on each use",
		      path);
	return wd;
}

static bool open_to_all(mode_t mode)
{
	return S_ISDIR(mode) && (mode & S_ISVTX) && (mode & S_IWOTH);
}

static void add_check(const char *path)
{
	for (size_t i = 0; i < n_checks; i++)
		if (strcmp(checks[i].path, path) == 0)
			return;
	checks = xreallocarray(checks, n_checks + 1, sizeof(*checks));
	checks[n_checks].path = xstrdup(path);
	deps_id(path, &checks[n_checks].id);
	n_checks++;
}

/* What the last walk found at its end, for the recorder that asked: the
 * same lookup need not be made twice (the watch covers the time between). */
static struct {
	bool have;
	int err;
	struct statx stx;
} fin;

static dev_t stx_dev(const struct statx *x)
{
	return makedev(x->stx_dev_major, x->stx_dev_minor);
}

/* Walks PATH from /, as the kernel will, watching each folder before the
 * name in it is looked at (and what KIND asks of the last one). */
static void walk(const char *path, enum dep_kind kind)
{
	char cur[PATH_MAX], todo[PATH_MAX], next[PATH_MAX], link[PATH_MAX];
	struct stat st;
	struct statx stx;
	struct known *k;
	bool shared, slash;
	int links = 0, cur_wd; /* CUR's watch, -1: none */
	size_t plen = strlen(path);

	/* a trailing slash asks for a folder: looked at again by the call */
	slash = plen > 1 && path[plen - 1] == '/';
	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
		return deps_spoil("a path too long");
	strcpy(cur, "/");
	k = known_find("/", false);
	if (k) {
		shared = k->shared;
		cur_wd = k->wd;
	} else {
		if (lstat("/", &st) < 0)
			return deps_spoil("/ cannot be looked at");
		shared = open_to_all(st.st_mode);
		cur_wd = shared ? -1 : watch("/", st.st_dev, W_ENTRIES);
		if (cur_wd < 0)
			shared = true;
		k = known_find("/", true);
		if (k) {
			k->shared = shared;
			k->entries = !shared;
			k->wd = cur_wd;
		}
	}
	for (char *p = todo; !spoiled;) {
		char *name, *end;
		size_t len;
		bool last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		name = p;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		p = end ? end : p + len;
		while (*p == '/')
			p++;
		last = !*p;
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			/* CUR has no symlink in it: its parent is textual */
			char *sl = strrchr(cur, '/');

			if (sl == cur)
				cur[1] = '\0';
			else if (sl)
				*sl = '\0';
			if (lstat(cur, &st) < 0)
				return;
			shared = open_to_all(st.st_mode);
			k = known_find(cur, false);
			cur_wd = k && k->entries ? k->wd : -1;
			if (!shared && cur_wd < 0)
				return deps_spoil("a folder walked back to, not watched");
			continue;
		}
		if (snprintf(next, sizeof(next), "%s%s%.*s",
			     strcmp(cur, "/") == 0 ? "" : cur, "/", (int)len,
			     name) >= (int)sizeof(next))
			return deps_spoil("a path too long");
		/* a folder walked before, its names watched (when the
		 * last one of a lookup of its names, or a step on the way) */
		if (cur_wd >= 0)
			note_name(cur_wd, name, len);
		k = known_find(next, false);
		if (k && !last && (k->shared || k->entries)) {
			strcpy(cur, next);
			shared = k->shared;
			cur_wd = k->entries ? k->wd : -1;
			continue;
		}
		if (shared)
			add_check(next);
		if (syscall(SYS_statx, AT_FDCWD, next, AT_SYMLINK_NOFOLLOW,
			    STATX_BASIC_STATS | STATX_BTIME, &stx) < 0) {
			/* missing: its folder's watch sees it made */
			if (errno == ENOENT && !slash) {
				fin.have = true;
				fin.err = ENOENT;
			}
			return;
		}
		if (S_ISLNK(stx.stx_mode) && !(last && kind == DEP_NOFOLLOW)) {
			ssize_t n = readlink(next, link, sizeof(link) - 1);
			char rest[PATH_MAX];

			if (n <= 0 || ++links > MAX_LINKS)
				return; /* the lookup fails the same way */
			link[n] = '\0';
			if (snprintf(rest, sizeof(rest), "%s%s%s", link,
				     *p ? "/" : "", p) >= (int)sizeof(rest))
				return deps_spoil("a path too long");
			strcpy(todo, rest);
			p = todo;
			if (link[0] == '/') {
				strcpy(cur, "/");
				k = known_find("/", false);
				if (!k)
					return deps_spoil("/ not watched");
				shared = k->shared;
				cur_wd = k->wd;
			}
			continue;
		}
		if (S_ISDIR(stx.stx_mode)) {
			strcpy(cur, next);
			shared = open_to_all(stx.stx_mode);
			k = known_find(cur, true);
			/* (a folder's own names matter when it is a step on
			 * the way, or listed) */
			if (!shared && (!last || kind == DEP_ENTRIES) &&
			    !(k && k->entries)) {
				cur_wd = watch(cur, stx_dev(&stx), W_ENTRIES);
				if (cur_wd < 0) /* unreadable: checks */
					shared = true;
				if (shared && last && kind == DEP_ENTRIES)
					deps_spoil("a folder not watched, listed");
				if (k && !shared) {
					k->entries = true;
					k->wd = cur_wd;
				}
			} else if (shared && last && kind == DEP_ENTRIES) {
				deps_spoil("a folder anyone writes to, listed");
			} else {
				cur_wd = k && k->entries ? k->wd : -1;
			}
			if (k)
				k->shared = shared;
			/* listed: every name in it matters */
			if (last && kind == DEP_ENTRIES)
				note_all(cur_wd);
			if (last && !slash) {
				fin.have = true;
				fin.err = 0;
				fin.stx = stx;
			}
			continue;
		}
		if (!last)
			return; /* a file on the way: the lookup fails */
		{
			int wd = watch(next, stx_dev(&stx),
				       kind == DEP_CONTENT ? W_CONTENT
							   : W_ATTRIB);

			if (wd >= 0)
				note_all(wd);
			else
				add_check(next); /* unreadable: a check */
		}
		if (!slash) {
			fin.have = true;
			fin.err = 0;
			fin.stx = stx;
		}
		return;
	}
}

void deps_note(const char *path, enum dep_kind kind)
{
	char *key;

	fin.have = false;
	if (!on || spoiled)
		return;
	if (!path || path[0] != '/')
		return deps_spoil("a relative path");
	/* per process, and in the cache's lookup key (pcache.c: or the
	 * name sbx was run by, whose way begin() watches) */
	if (strcmp(path, "/proc/self/exe") == 0 ||
	    strcmp(path, "/proc/self/ns/mnt") == 0)
		return;
	if (strncmp(path, "/proc/", 6) == 0 || strcmp(path, "/proc") == 0 ||
	    strncmp(path, "/sys/", 5) == 0)
		return deps_spoil("a path of /proc or /sys");
	key = xasprintf("%d %s", (int)kind, path);
	for (size_t i = 0; i < n_seen; i++) {
		if (strcmp(seen[i], key) == 0) {
			free(key);
			return;
		}
	}
	seen = xreallocarray(seen, n_seen + 1, sizeof(*seen));
	seen[n_seen++] = key;
	walk(path, kind);
}

char *deps_getenv(const char *name)
{
	char *v = getenv(name);

	if (!on)
		return v;
	for (size_t i = 0; i < n_envs; i++)
		if (strcmp(envs[i].name, name) == 0)
			return v;
	envs = xreallocarray(envs, n_envs + 1, sizeof(*envs));
	envs[n_envs].name = xstrdup(name);
	envs[n_envs].value = v ? xstrdup(v) : NULL;
	n_envs++;
	return v;
}

#else /* no cache: the calls themselves */

int deps_mounts(char fp[65])
{
	fp[0] = '\0';
	return -1;
}

const char *deps_mount_print(void)
{
	return "";
}

int deps_begin(void)
{
	return -1;
}

int deps_end(int *watch, int *mounts, const char **why)
{
	*watch = *mounts = -1;
	*why = "no policy cache on this system";
	return -1;
}

bool deps_recording(void)
{
	return false;
}

void deps_note(const char *path, enum dep_kind kind)
{
	(void)path;
	(void)kind;
}

void deps_spoil(const char *why)
{
	(void)why;
}

const struct dep_env *deps_envs(size_t *n)
{
	*n = 0;
	return NULL;
}

const struct dep_check *deps_checks(size_t *n)
{
	*n = 0;
	return NULL;
}

const struct dep_name *deps_names(size_t *n)
{
	*n = 0;
	return NULL;
}

void deps_id(const char *path, struct dep_id *id)
{
	(void)path;
	memset(id, 0, sizeof(*id));
}

char *deps_getenv(const char *name)
{
	return getenv(name);
}
#endif

/* The recorders: each path noted, then looked at. */

#ifdef SBX_DEPS
static void to_stat(const struct statx *x, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(x->stx_dev_major, x->stx_dev_minor);
	st->st_ino = x->stx_ino;
	st->st_mode = x->stx_mode;
	st->st_nlink = x->stx_nlink;
	st->st_uid = x->stx_uid;
	st->st_gid = x->stx_gid;
	st->st_rdev = makedev(x->stx_rdev_major, x->stx_rdev_minor);
	st->st_size = (off_t)x->stx_size;
	st->st_blksize = (blksize_t)x->stx_blksize;
	st->st_blocks = (blkcnt_t)x->stx_blocks;
	st->st_atim.tv_sec = x->stx_atime.tv_sec;
	st->st_atim.tv_nsec = x->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = x->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = x->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = x->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = x->stx_ctime.tv_nsec;
}

/* The walk's answer for this lookup, when it has one: 1 (ST set), -1
 * (errno set), 0 (none: make the call). */
static int walked(struct stat *st)
{
	if (!fin.have)
		return 0;
	fin.have = false;
	if (fin.err) {
		errno = fin.err;
		return -1;
	}
	to_stat(&fin.stx, st);
	return 1;
}

int deps_statx(const char *path, int flags, unsigned mask, struct statx *stx)
{
	deps_note(path, flags & AT_SYMLINK_NOFOLLOW ? DEP_NOFOLLOW : DEP_NAME);
	if (fin.have && !(mask & ~(unsigned)(STATX_BASIC_STATS | STATX_BTIME))) {
		fin.have = false;
		if (fin.err) {
			errno = fin.err;
			return -1;
		}
		*stx = fin.stx;
		return 0;
	}
	return (int)syscall(SYS_statx, AT_FDCWD, path, flags, mask, stx);
}
#else
static int walked(struct stat *st)
{
	(void)st;
	return 0;
}
#endif

int deps_stat(const char *path, struct stat *st)
{
	int r;

	deps_note(path, DEP_NAME);
	r = walked(st);
	return r ? (r > 0 ? 0 : -1) : stat(path, st);
}

int deps_lstat(const char *path, struct stat *st)
{
	int r;

	deps_note(path, DEP_NOFOLLOW);
	r = walked(st);
	return r ? (r > 0 ? 0 : -1) : lstat(path, st);
}

int deps_access(const char *path, int mode)
{
	deps_note(path, DEP_NAME);
	return access(path, mode);
}

ssize_t deps_readlink(const char *path, char *buf, size_t size)
{
	deps_note(path, DEP_NOFOLLOW);
	return readlink(path, buf, size);
}

char *deps_realpath(const char *path, char *resolved)
{
	deps_note(path, DEP_NAME);
	return realpath(path, resolved);
}

DIR *deps_opendir(const char *path)
{
	deps_note(path, DEP_ENTRIES);
	return opendir(path);
}

int deps_mkdir(const char *path, mode_t mode)
{
	deps_note(path, DEP_NAME);
	return mkdir(path, mode);
}

static mode_t open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
		       ? (mode_t)va_arg(ap, unsigned)
		       : 0;
}

int deps_open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	deps_note(path, (flags & O_DIRECTORY) ? DEP_ENTRIES : DEP_CONTENT);
	return open(path, flags, mode);
}

int deps_openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	if (dirfd != AT_FDCWD && path[0] != '/')
		deps_spoil("a path relative to a folder's descriptor");
	else
		deps_note(path, (flags & O_DIRECTORY) ? DEP_ENTRIES
						      : DEP_CONTENT);
	return openat(dirfd, path, flags, mode);
}
