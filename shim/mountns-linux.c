/*
 * mountns-linux.c - a private, read-only view of the filesystem, for what
 * Landlock cannot express: a read-only carve-out inside a writable root,
 * chmod/chown/utimes/xattrs outside the workspace, and paths that must not
 * even be read. As bubblewrap's --ro-bind / /: the whole tree read-only,
 * each writable root bound writable again, each protected path read-only
 * again, and an empty read-only tmpfs (folders) or /dev/null (files) over
 * each hidden path. Nothing is created in the user's folders.
 */
#include "mountns.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/stat.h>

#include "leftovers.h"
#include "proxy.h"
#include "resolve.h"
#include "sha256.h"
#include "util.h"

#include "deps.h" /* last: its recorders stand for the calls */

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

#ifndef SYS_open_tree
#define SYS_open_tree 428
#define SYS_move_mount 429
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#define SBX_RESOLVE_NO_MAGICLINKS 0x02
#define SBX_RESOLVE_NO_SYMLINKS 0x04

struct sbx_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

struct sbx_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};

int mountns_readonly(const char *path, bool ro, bool recursive)
{
	struct sbx_mount_attr attr;

	memset(&attr, 0, sizeof(attr));
	if (ro)
		attr.attr_set = MOUNT_ATTR_RDONLY;
	else
		attr.attr_clr = MOUNT_ATTR_RDONLY;
	return (int)syscall(SYS_mount_setattr, AT_FDCWD, path,
			    recursive ? AT_RECURSIVE : 0, &attr, sizeof(attr));
}

/* Writes TEXT whole to PATH (short writes go on, EINTR is retried).
 * Returns 0, or -1 with errno set. */
static int write_file(const char *path, const char *text)
{
	size_t n = strlen(text), done = 0;
	int fd = open(path, O_WRONLY | O_CLOEXEC), saved;

	if (fd < 0)
		return -1;
	while (done < n) {
		ssize_t w = write(fd, text + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			saved = w < 0 ? errno : EIO;
			close(fd);
			errno = saved;
			return -1;
		}
		done += (size_t)w;
	}
	return close(fd);
}

int caps_read(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };

	memset(data, 0, 2 * sizeof(*data));
	return (int)syscall(SYS_capget, &hdr, data);
}

static bool have_sys_admin(void)
{
	struct __user_cap_data_struct data[2];

	return caps_read(data) == 0 &&
	       (data[0].effective & (1U << CAP_SYS_ADMIN));
}

/* A mount namespace of our own: root keeps its identity; anyone else gets
 * a user namespace that maps their uid and gid 1:1. */
enum mountns_entered mountns_enter(const char **how, int more)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (have_sys_admin()) {
		if (unshare(CLONE_NEWNS | more) == 0) {
			*how = "mount namespace";
			return MOUNTNS_ENTERED;
		}
		if (errno != EPERM)
			return MOUNTNS_REFUSED; /* out of memory...: no
						 * second try */
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | more) < 0)
		return MOUNTNS_REFUSED;
	*how = "user and mount namespace";
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		return MOUNTNS_NO_MAPS;
	if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return MOUNTNS_NO_MAPS;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) < 0)
		return MOUNTNS_NO_MAPS;
	return MOUNTNS_ENTERED;
}

/*
 * The tool's own /dev, as bubblewrap's --dev: a tmpfs with the few device
 * nodes tools use (bound from the real ones), a new devpts instance (the
 * ptys the tool opens; nobody else's terminal), /dev/shm as it was, and
 * the tool's terminal as /dev/console, so that ttyname() still finds it.
 * Other terminals (/dev/pts/N, tty1, ttyS0, vcs*), raw disks, input
 * devices and the rest of /dev are not there. The sources are opened
 * first: a bind can only come from a mount of this namespace, and the
 * tmpfs hides them.
 */
static const char *const dev_nodes[] = { "null", "zero", "full",
					 "random", "urandom", "tty" };
#define N_DEV_NODES (sizeof(dev_nodes) / sizeof(*dev_nodes))

/* The tool's terminal: the first of fds 0-2 that is one, opened again by
 * its name in this namespace (and checked to be the same device). */
static int open_own_tty(void)
{
	char link[32], name[PATH_MAX];
	struct stat a, b;
	ssize_t n;
	int fd;

	for (int i = 0; i < 3; i++) {
		if (!isatty(i) || fstat(i, &a) < 0)
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", i);
		n = readlink(link, name, sizeof(name) - 1);
		if (n <= 0)
			continue;
		name[n] = '\0';
		if (strncmp(name, "/dev/", 5) != 0)
			continue;
		fd = open(name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		/* the same file, not the same numbers: pty numbers repeat
		 * from one devpts instance to the next */
		if (fd >= 0 && fstat(fd, &b) == 0 && S_ISCHR(b.st_mode) &&
		    b.st_rdev == a.st_rdev && b.st_dev == a.st_dev &&
		    b.st_ino == a.st_ino)
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

/* Binds what FD names onto PATH, made first as an empty file (or folder). */
static int bind_fd(int fd, const char *path, bool dir)
{
	char src[32];
	int f;

	if (dir) {
		if (mkdir(path, 0755) < 0)
			return -1;
	} else {
		f = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (f < 0)
			return -1;
		close(f);
	}
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	return mount(src, path, NULL, MS_BIND | MS_REC, NULL);
}

static int private_dev(const char **bad)
{
	static const char *const links[][2] = {
		{ "pts/ptmx", "/dev/ptmx" },	   { "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" }, { "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};
	static char path[32];
	int fds[N_DEV_NODES], shm, tty, r = -1;
	mode_t mask = 0;

	for (size_t i = 0; i < N_DEV_NODES; i++) {
		snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
		fds[i] = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	shm = open("/dev/shm", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	tty = open_own_tty();
	*bad = "/dev";
	if (mount("sbx-dev", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
		  "mode=0755,size=64k") < 0)
		goto out;
	mask = umask(0); /* the nodes keep their modes (0666) */
	for (size_t i = 0; i < N_DEV_NODES; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
		*bad = path;
		if (fds[i] < 0)
			continue;
		/* Root (not in a user namespace) makes the node: a fraction
		 * of a bind mount's cost, and no mount to tear down. */
		if (fstat(fds[i], &st) == 0 && S_ISCHR(st.st_mode) &&
		    mknod(path, S_IFCHR | (st.st_mode & 0777), st.st_rdev) == 0)
			continue;
		if (bind_fd(fds[i], path, false) < 0)
			goto out;
	}
	umask(mask);
	*bad = "/dev/shm";
	if (shm >= 0 && bind_fd(shm, "/dev/shm", true) < 0)
		goto out;
	*bad = "/dev/console";
	if (tty >= 0 && bind_fd(tty, "/dev/console", false) < 0)
		goto out;
	*bad = "/dev/pts";
	if (mkdir("/dev/pts", 0755) < 0 ||
	    mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=620") < 0)
		goto out;
	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++) {
		*bad = links[i][1];
		if (symlink(links[i][0], links[i][1]) < 0)
			goto out;
	}
	*bad = "/dev";
	if (mountns_readonly("/dev", true, false) < 0)
		goto out;
	trace("mount: a private /dev%s", tty >= 0 ? ", the terminal as "
						    "/dev/console" : "");
	r = 0;
out:
	if (r < 0 && mask)
		umask(mask);
	for (size_t i = 0; i < N_DEV_NODES; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (shm >= 0)
		close(shm);
	if (tty >= 0)
		close(tty);
	return r;
}

/* Makes ROOT (the session's copy of the original tree) the root of this
 * mount namespace, as bubblewrap enters its new root: bound onto itself
 * first (a user namespace cannot pivot into a locked mount), then
 * pivot_root(".", ".") and the old root detached from above. */
static int enter_original(const char *root)
{
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    chdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -1;
	return 0;
}

bool mountns_switched_off(int err)
{
	char buf[32];
	size_t len;
	char *v;
	bool zero;

	if (err == EPERM || err == EINVAL || err == ENOSYS)
		return true;
	if (err != ENOSPC)
		return false;
	/* ENOSPC is also what user.max_user_namespaces = 0 answers. */
	v = read_small_file("/proc/sys/user/max_user_namespaces", sizeof(buf),
			    0, &len);
	zero = v && strtol(v, NULL, 10) == 0;
	free(v);
	return zero;
}

/* Root's cheap way out of the session's view: the namespace of the
 * original tree that the session pinned next to ROOT (DIR/clean). */
static int join_original(const char *root)
{
	char *dir, *clean;
	int fd, r;

	if (!have_sys_admin())
		return -1;
	dir = path_dirname(root);
	clean = path_join(dir, "clean");
	fd = open(clean, O_RDONLY | O_CLOEXEC);
	r = fd < 0 ? -1 : setns(fd, CLONE_NEWNS);
	if (fd >= 0)
		close(fd);
	free(clean);
	free(dir);
	return r;
}

/* Hides PATH: an empty read-only tmpfs over a folder, /dev/null over
 * anything else (a file, a socket). */
static int cover(const char *path, bool dir)
{
	if (dir)
		return mount("sbx-hidden", path, "tmpfs",
			     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			     "size=0,mode=0755");
	return mount("/dev/null", path, NULL, MS_BIND, NULL);
}

/* Root keeps CAP_CHOWN and CAP_FOWNER (sandbox-linux.c): in the shared
 * temp folders they would open another user's files and sockets (an
 * ssh-agent's /tmp/ssh-*, a tmux server's). What another uid owns there is
 * covered, as hidden paths are. */
static int hide_foreign_temp(const char **bad)
{
	static const char *const temps[] = { "/tmp", "/dev/shm", NULL };
	static char path[PATH_MAX];
	struct dirent *de;
	struct stat st;

	for (size_t i = 0; temps[i]; i++) {
		DIR *d = opendir(temps[i]);
		int r = 0;

		while (d && r == 0 && (de = readdir(d))) {
			char self[32];
			int fd;

			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			/* root's own entries, most of them: one look */
			if (fstatat(dirfd(d), de->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) == 0 &&
			    (st.st_uid == 0 || S_ISLNK(st.st_mode)))
				continue;
			/* Another user can swap the entry (a folder, a file,
			 * a link) at will: what is covered is the object
			 * opened and looked at, never a name looked up again. */
			fd = openat(dirfd(d), de->d_name,
				    O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				continue; /* gone */
			snprintf(path, sizeof(path), "%s/%s", temps[i],
				 de->d_name);
			snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
			if (fstat(fd, &st) == 0 && st.st_uid != 0 &&
			    !S_ISLNK(st.st_mode)) {
				*bad = path;
				r = cover(self, S_ISDIR(st.st_mode));
				trace("mount: %s hidden (uid %u)", path,
				      (unsigned)st.st_uid);
			}
			close(fd);
		}
		if (d)
			closedir(d);
		if (r < 0)
			return -1;
	}
	return 0;
}


/*
 * Paths that move under us. A tool's leftover process (in a namespace of
 * its own, where the workspace is writable) can swap a folder for a
 * symlink between the moment sbx looks at a path and the moment it binds
 * it: `ln -s ~ build` just in time would make the home writable. So what
 * is bound is opened first, one component at a time, and the mount is made
 * from and onto that very object (open_tree, move_mount): whatever the
 * path leads to afterwards, the mount stays where sbx looked.
 */
static char planted[PATH_MAX];

/* A symlink at AT (a path) that lies inside a writable root other than
 * SELF: a tool could have made it. */
static bool in_other_root(const struct policy *p, const char *at,
			  const char *self)
{
	for (size_t i = 0; i < p->roots.n; i++) {
		const char *other = p->roots.v[i].path;

		if (strcmp(other, at) != 0 && strcmp(other, self) != 0 &&
		    path_within(at, other))
			return true;
	}
	return false;
}

/* Opens PATH (absolute) as an O_PATH descriptor, following only the
 * symlinks that lie outside every writable root (the user's own: a
 * /home that leads to /data/home); one inside a writable root fails with
 * ELOOP and its path in `planted`. */
static int open_unplanted(const struct policy *p, const char *path)
{
	struct sbx_open_how how = { O_PATH | O_CLOEXEC, 0,
				    SBX_RESOLVE_NO_SYMLINKS |
					    SBX_RESOLVE_NO_MAGICLINKS };
	char todo[PATH_MAX], at[PATH_MAX], target[PATH_MAX], name[NAME_MAX + 1];
	const char *c = todo;
	int fd, cur, next = -1, links = 0;

	/* the common case, in one call: no symlink on the way */
	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd >= 0 || (errno != ELOOP && errno != ENOSYS && errno != EPERM))
		return fd;
	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
		return errno = ENAMETOOLONG, -1;
	at[0] = '\0';
	cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	while (cur >= 0) {
		struct stat st;
		size_t n;
		ssize_t len;

		c += strspn(c, "/");
		if (!*c)
			return cur;
		n = strcspn(c, "/");
		if (n > NAME_MAX || strlen(at) + n + 2 > sizeof(at)) {
			errno = ENAMETOOLONG;
			break;
		}
		memcpy(name, c, n);
		name[n] = '\0';
		c += n; /* "/the rest" or "" */
		if (strcmp(name, ".") == 0)
			continue;
		next = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 || fstat(next, &st) < 0)
			break;
		if (strcmp(name, "..") == 0) {
			char *slash = strrchr(at, '/');

			if (slash)
				*slash = '\0';
		} else {
			strcat(at, "/");
			strcat(at, name);
		}
		if (!S_ISLNK(st.st_mode)) {
			close(cur);
			cur = next;
			next = -1;
			continue;
		}
		if (in_other_root(p, at, path)) {
			snprintf(planted, sizeof(planted), "%s", at);
			errno = ELOOP;
			break;
		}
		len = readlinkat(next, "", target, sizeof(target) - 1);
		if (len <= 0 || ++links > 40) {
			errno = len <= 0 ? errno : ELOOP;
			break;
		}
		target[len] = '\0';
		close(next);
		next = -1;
		*strrchr(at, '/') = '\0'; /* back to the link's folder */
		if (strlen(target) + strlen(c) + 1 > sizeof(todo)) {
			errno = ENAMETOOLONG;
			break;
		}
		memmove(todo + len, c, strlen(c) + 1);
		memcpy(todo, target, (size_t)len);
		c = todo;
		if (target[0] == '/') {
			close(cur);
			at[0] = '\0';
			cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		}
	}
	if (next >= 0)
		close(next);
	if (cur >= 0)
		close(cur);
	return -1;
}

/* How rebind leaves the copy: as it was, read-only (the whole tree, or
 * its top mount only), or its top mount writable (what is mounted inside
 * keeps its own flags: a read-only volume stays read-only). */
enum rebind_mode { RB_KEEP, RB_RO_ALL, RB_RO_TOP, RB_RW_TOP };

static int set_rdonly(int tree, enum rebind_mode mode)
{
	struct sbx_mount_attr attr;

	if (mode == RB_KEEP)
		return 0;
	memset(&attr, 0, sizeof(attr));
	if (mode == RB_RW_TOP)
		attr.attr_clr = MOUNT_ATTR_RDONLY;
	else
		attr.attr_set = MOUNT_ATTR_RDONLY;
	return (int)syscall(SYS_mount_setattr, tree, "",
			    AT_EMPTY_PATH |
				    (mode == RB_RO_ALL ? AT_RECURSIVE : 0),
			    &attr, sizeof(attr));
}

/* A detached copy of the mount tree at what FD is. */
static int clone_tree(int fd)
{
	return (int)syscall(SYS_open_tree, fd, "",
			    OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE |
				    AT_EMPTY_PATH);
}

static int attach_tree(int tree, int fd)
{
	return (int)syscall(SYS_move_mount, tree, "", fd, "",
			    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* Binds what FD is onto itself, as MODE says. */
static int rebind(int fd, enum rebind_mode mode)
{
	int tree = clone_tree(fd), r;

	if (tree < 0)
		return -1;
	r = set_rdonly(tree, mode);
	if (r == 0)
		r = attach_tree(tree, fd);
	close(tree);
	return r;
}

/* Opens PATH as open_unplanted does and binds it onto itself (MODE as
 * rebind). 1 when it does not exist. */
static int rebind_path(const struct policy *p, const char *path,
		       enum rebind_mode mode)
{
	int fd = open_unplanted(p, path), r;

	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	r = rebind(fd, mode);
	close(fd);
	return r;
}

/* A protected path, read-only: its folder opened as open_unplanted does,
 * the path itself never followed (a link there is handled by the caller). */
static int rebind_protected(const struct policy *p, const char *path)
{
	char *dir = path_dirname(path);
	const char *base = strrchr(path, '/') + 1;
	int dfd = open_unplanted(p, dir), fd = -1, r = -1;
	struct stat st;

	free(dir);
	if (dfd >= 0)
		fd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			errno = ELOOP; /* it became one since we looked */
		else
			r = rebind(fd, RB_RO_ALL);
	}
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return r;
}

/* A sealed path that does not exist yet (~/.bashrc, sbx's config) must not
 * be created, and no mount can cover a name that is not there: the nearest
 * folder that exists is made read-only, and each entry in it writable
 * again. New names directly in that folder cannot be made; everything else
 * is as it was. The cost is paid only where a writable root holds one. */
static int by_length(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);

	return (x > y) - (x < y);
}

/* Makes DIR read-only and binds each entry in it writable again. Each is
 * opened without following a link and bound through its descriptor: an
 * entry swapped for a symlink meanwhile is left as it is, never followed. */
static int seal_dir(const struct policy *p, const char *dir, const char **bad)
{
	struct dirent *de;
	struct stat st;
	int dfd, r;
	DIR *d;

	*bad = dir;
	dfd = open_unplanted(p, dir);
	if (dfd < 0)
		return -1;
	r = rebind(dfd, RB_RO_TOP);
	close(dfd);
	/* the folder again: now the read-only copy on top */
	dfd = r < 0 ? -1 : open_unplanted(p, dir);
	if (dfd < 0)
		return -1;
	d = fdopendir(openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	while (d && (de = readdir(d))) {
		int efd;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		efd = openat(dfd, de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (efd < 0)
			continue; /* gone */
		r = fstat(efd, &st) == 0 && !S_ISLNK(st.st_mode)
			    ? rebind(efd, RB_RW_TOP)
			    : 0;
		close(efd);
		/* gone meanwhile (another user's entry in /tmp): no name to
		 * keep writable */
		if (r < 0 && errno != ENOENT) {
			closedir(d);
			close(dfd);
			return -1;
		}
	}
	if (d)
		closedir(d);
	close(dfd);
	trace("mount: %s sealed: no new names in it", dir);
	return 0;
}

/* Every folder between a writable root and a protected path in it becomes
 * a mount point (bound onto itself, writable as it was): a mount point
 * cannot be renamed or removed, so `mv secrets s2; mkdir secrets` cannot
 * put a new, unprotected path where the protected one was. */
static int pin_ancestors(const struct policy *p, const char **bad)
{
	char **done = NULL;
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < p->protected.n && r == 0; i++) {
		const char *path = p->protected.v[i].path;
		const char *root = NULL;
		struct stat st;
		char *a;

		if (lstat(path, &st) < 0)
			continue;
		for (size_t j = 0; j < p->roots.n; j++)
			if (path_within(path, p->roots.v[j].path) &&
			    (!root || strlen(p->roots.v[j].path) > strlen(root)))
				root = p->roots.v[j].path;
		if (!root)
			continue;
		a = path_dirname(path);
		while (r == 0 && strlen(a) > strlen(root) &&
		       path_within(a, root)) {
			bool seen = false;

			for (size_t k = 0; k < n; k++)
				seen |= strcmp(done[k], a) == 0;
			if (!seen) {
				static char failed[PATH_MAX];

				r = rebind_path(p, a, RB_KEEP) == 0 ? 0 : -1;
				if (r < 0 && errno == ELOOP && planted[0]) {
					/* not where git looks: the real
					 * folder is found by its own path */
					trace("mount: %s leads through %s, a "
					      "symlink in a writable root: "
					      "not pinned",
					      a, planted);
					planted[0] = '\0';
					break;
				}
				snprintf(failed, sizeof(failed), "%s", a);
				*bad = failed;
				done = xreallocarray(done, n + 1, sizeof(*done));
				done[n++] = xstrdup(a);
				if (r == 0)
					trace("mount: %s pinned", a);
			}
			path_up(&a);
		}
		if (r == 0)
			free(a);
	}
	for (size_t k = 0; k < n; k++)
		free(done[k]);
	free(done);
	return r;
}

static int seal_missing(const struct policy *p, const char **bad)
{
	char **dirs = xcalloc(p->sealed.n + 1, sizeof(*dirs));
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < p->sealed.n; i++) {
		char *dir = xstrdup(p->sealed.v[i].path);
		struct stat st;
		bool dup = false;

		if (lstat(dir, &st) == 0 || errno != ENOENT) {
			free(dir);
			continue;
		}
		while (path_up(&dir) && lstat(dir, &st) < 0)
			;
		for (size_t j = 0; j < n; j++)
			dup |= strcmp(dirs[j], dir) == 0;
		/* outside every root, nothing can be made there */
		if (dup || !S_ISDIR(st.st_mode) ||
		    !pathlist_covers(&p->roots, dir)) {
			free(dir);
			continue;
		}
		dirs[n++] = dir;
	}
	/* A folder before the folders in it: sealing ~ rebinds ~/.local
	 * writable, so ~/.local is sealed after it, never before. */
	qsort(dirs, n, sizeof(*dirs), by_length);
	for (size_t i = 0; i < n && r == 0; i++)
		r = seal_dir(p, dirs[i], bad);
	if (r == 0)
		for (size_t i = 0; i < n; i++)
			free(dirs[i]);
	free(dirs);
	return r;
}

bool mountns_loopback;
int mountns_proxy_port = -1;

int mountns_own_devpts(void)
{
	return mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=620");
}

/* In a new network namespace: `lo` up (127.0.0.1 and ::1), nothing else. */
int mountns_loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	r = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return r;
}

/* The shared network namespace's `lo` is up. (The daemon made the
 * namespace with `lo` alone. A tool cannot change it with its own
 * capabilities, but a protect = off tool of a user, handed a socket of
 * that namespace by another tool, has the owner's capabilities over it
 * (the kernel's owner rule): it could add an address or an interface
 * there, which reaches nothing outside (the namespace has no way out),
 * or take `lo` down, which this check sees. Reading /proc/self/net/dev for
 * other interfaces cost ~30 us per exec.) */
static bool loopback_is_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	bool up;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	up = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 &&
	     (ifr.ifr_flags & IFF_UP);
	if (s >= 0)
		close(s);
	return up;
}

/*
 * Network off, or named hosts: joins the network namespace that the tools
 * of this confinement share (made and kept by sbx's proxy daemon; making
 * one is the dearest step of the sandbox); with NS->mntns, the mount
 * namespace an earlier tool of the confinement made, else a new one. A
 * user joins the user namespace they belong to first (the same 1:1 map of
 * uid and gid). Returns 2 (in the shared mount namespace), 1 (in a new
 * one), or -1 when the tool is to make its own (nothing is lost:
 * mountns_enter then makes new namespaces from wherever this got).
 */
static int join_shared(struct shared_ns *ns, const char **how)
{
	if (ns->userns >= 0 && setns(ns->userns, CLONE_NEWUSER) < 0) {
		trace("cannot join the shared user namespace: %s",
		      strerror(errno));
		return -1;
	}
	*how = ns->userns >= 0 ? "mount namespace (in the shared user namespace)"
			       : "mount namespace";
	if (ns->netns >= 0 && setns(ns->netns, CLONE_NEWNET) < 0) {
		trace("cannot join the shared network namespace: %s",
		      strerror(errno));
		return -1;
	}
	if (ns->netns >= 0 && !loopback_is_up()) {
		trace("the shared network namespace has its lo down: left");
		return -1;
	}
	/* a copy made ahead (proxy.c claim()): already the tool's own */
	if (ns->copy >= 0 && setns(ns->copy, CLONE_NEWNS) == 0)
		return 3;
	if (ns->copy >= 0)
		trace("cannot join the copy made ahead: %s", strerror(errno));
	if (ns->mntns >= 0 && setns(ns->mntns, CLONE_NEWNS) == 0)
		return 2;
	if (ns->mntns >= 0)
		trace("cannot join the shared mount namespace: %s",
		      strerror(errno));
	if (ns->netns < 0)
		return -1; /* mountns_enter: a mount namespace from here */
	if (unshare(CLONE_NEWNS) < 0) {
		trace("no mount namespace: %s", strerror(errno));
		return -1;
	}
	return 1;
}

int mountns_ruleset = -1;
static int donate_ctl = -1, donate_mounts = -1;
static char donate_key[65];
static const struct policy *donate_policy;
static struct timespec donate_scan;
static bool donate_ready;

/* In the namespace just built: each hidden path and protected path that
 * is there is the root of a mount (its cover, its read-only bind). A path
 * that changed while the namespace was built may have been left out; this
 * tool runs as a fresh build would, but its namespace is not kept for the
 * others. */
static bool all_mounted(const struct policy *p)
{
	const struct pathlist *lists[] = { &p->hiddens, &p->protected };

	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; i < lists[l]->n; i++) {
			const char *path = lists[l]->v[i].path;
			struct statx st;

			if (syscall(SYS_statx, AT_FDCWD, path,
				    l == 0 ? 0 : AT_SYMLINK_NOFOLLOW,
				    STATX_TYPE, &st) < 0)
				continue; /* not there: nothing to cover */
			if (l == 1 && S_ISLNK(st.stx_mode))
				continue; /* kept by its folder's pins */
			if (!(st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
			    !(st.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
				trace("mount: %s is not covered: this namespace "
				      "is not kept for other tools",
				      path);
				return false;
			}
		}
	}
	return true;
}

void mountns_donate(int ruleset)
{
	if (donate_ctl < 0)
		return;
	if (donate_ready && !all_mounted(donate_policy))
		donate_ready = false;
	if (!donate_ready) {
		/* no namespace was made (Landlock alone): nothing to give */
		close(donate_ctl);
		close(donate_mounts);
		donate_ctl = donate_mounts = -1;
		return;
	}
	if (proxy_donate(donate_ctl, donate_policy, donate_key, ruleset,
			 donate_mounts, &donate_scan) == 0)
		trace("mount: namespace and ruleset kept by sbx's proxy for the "
		      "next tools of this confinement");
	else
		trace("mount: namespace not given to sbx's proxy: %s",
		      strerror(errno));
	close(donate_mounts);
	donate_ctl = donate_mounts = -1;
}

/* How key_path looks at a path. */
enum key_look {
	KEY_ID,	  /* device and inode: a root (made again, it is only less
		   * writable in a namespace kept from before) */
	KEY_BIRTH, /* and when it was made and last changed (birth and
		    * change time): a protected or hidden path removed and
		    * made again may get the same inode number, one linked
		    * again under its name is the same inode, and a path
		    * renamed away and back while the first tool built its
		    * namespace may have been left uncovered: each time the
		    * mount over the old name is gone, and each changes the
		    * change time */
	KEY_ENTRIES, /* and its name, and when its entries last changed: a
		      * sealed folder */
};

/* What key_path hashes of a path. */
struct key_rec {
	uint64_t dev, ino;
	int64_t sec, nsec, csec, cnsec;
	uint32_t mode;
	int32_t err;
};

/* Looks at PATH now (or why nothing is there) into R. */
static void key_look(const char *path, bool follow, enum key_look look,
		     struct key_rec *r)
{
	struct statx st;

	memset(r, 0, sizeof(*r));
	if (deps_statx(path, follow ? 0 : AT_SYMLINK_NOFOLLOW,
		       STATX_BASIC_STATS | STATX_BTIME, &st) < 0) {
		r->err = errno;
		return;
	}
	r->dev = (uint64_t)st.stx_dev_major << 32 | st.stx_dev_minor;
	r->ino = st.stx_ino;
	r->mode = st.stx_mode;
	if (look == KEY_ENTRIES) {
		r->sec = st.stx_mtime.tv_sec;
		r->nsec = st.stx_mtime.tv_nsec;
	} else if (look == KEY_BIRTH) {
		if (st.stx_mask & STATX_BTIME) {
			r->sec = st.stx_btime.tv_sec;
			r->nsec = st.stx_btime.tv_nsec;
		}
		r->csec = st.stx_ctime.tv_sec;
		r->cnsec = st.stx_ctime.tv_nsec;
	}
}

/* Hashes what is at PATH now, or why nothing is (the policy's paths are
 * hashed by name before: their order is the lists'). */
static void key_path(struct sha256 *c, const char *path, bool follow,
		     enum key_look look)
{
	struct key_rec rec;

	key_look(path, follow, look, &rec);
	if (look == KEY_ENTRIES)
		sha256_update(c, path, strlen(path) + 1);
	sha256_update(c, &rec, sizeof(rec));
}

void mountns_key_part(const struct policy *p, char hex[65])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, "mnt\n", 4);
	policy_hash(p, &c);
	/* the namespace this one is made from (a session's view, or not),
	 * and the root in it (a chroot) */
	key_path(&c, "/proc/self/ns/mnt", true, KEY_ID);
	key_path(&c, "/", true, KEY_ID);
	for (size_t i = 0; i < p->roots.n; i++)
		key_path(&c, p->roots.v[i].path, true, KEY_ID);
	/* a protected path as itself and as what it leads to (the same
	 * look, unless it is a symlink) */
	for (size_t i = 0; i < p->protected.n; i++) {
		struct key_rec rec;

		key_look(p->protected.v[i].path, false, KEY_BIRTH, &rec);
		sha256_update(&c, &rec, sizeof(rec));
		if (!rec.err && S_ISLNK(rec.mode))
			key_look(p->protected.v[i].path, true, KEY_BIRTH, &rec);
		sha256_update(&c, &rec, sizeof(rec));
	}
	for (size_t i = 0; i < p->hiddens.n; i++)
		key_path(&c, p->hiddens.v[i].path, true, KEY_BIRTH);
	/* a sealed path that is missing: its nearest folder is sealed with
	 * the entries it has now; one more, and the key changes */
	for (size_t i = 0; i < p->sealed.n; i++) {
		char *dir = xstrdup(p->sealed.v[i].path);
		struct stat st;

		if (lstat(dir, &st) < 0)
			while (path_up(&dir) && lstat(dir, &st) < 0)
				;
		key_path(&c, dir, false, KEY_ENTRIES);
		free(dir);
	}
	/* /dev/shm is bound */
	key_path(&c, "/dev/shm", false, KEY_ID);
	/* root covers every user's runtime folder (other users' files in
	 * the temp folders come and go: root's proxy watches them, and ends
	 * the namespaces made before one came, proxy.c temp_events) */
	if (geteuid() == 0) {
		key_path(&c, "/run/user", true, KEY_ID);
		key_path(&c, "/tmp", false, KEY_ID);
	}
	sha256_hex(&c, hex);
}

void mountns_key_of(const char part[65], char hex[65])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, part, 64);
	/* /dev/console is the tool's terminal */
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;

		if (isatty(fd) && fstat(fd, &st) == 0) {
			uint64_t t[3] = { (uint64_t)fd, (uint64_t)st.st_rdev,
					  (uint64_t)st.st_ino };

			sha256_update(&c, t, sizeof(t));
		}
	}
	sha256_hex(&c, hex);
}

void mountns_key(const struct policy *p, char hex[65])
{
	char part[65];

	if (mountns_key_given) {
		mountns_key_of(mountns_key_given, hex);
		return;
	}
	mountns_key_part(p, part);
	mountns_key_of(part, hex);
}

int mountns_build(const struct policy *p, bool view_only, char *err,
		  size_t errlen)
{
	struct {
		int tree;
		struct stat st;
	} *trees = NULL;
	bool net, share, shared = false, joined_mnt = false, copied = false;
	struct shared_ns ns = { -1, -1, -1, -1, -1 };
	char key[65];
	const char *v;
	int ctl = -1;
	const char *how = NULL, *step;
	const char *bad = NULL;
	bool joined = false, defer;
	struct stat st;
	enum mountns_entered entered;
	int r;

	/* In a session, the original namespace is for building: a tool that
	 * joins its confinement's namespace (or a copy of it) goes from the
	 * session's view straight there, once its key was given (kept with
	 * the policy: no path is looked at for it) */
	defer = p->view_root && mountns_key_given && !view_only;
	if (p->view_root && !defer && join_original(p->view_root) == 0) {
		trace("mount: joined the session's original namespace");
		joined = true;
	}
	net = !p->network && !view_only;
	/* named hosts: the proxy's control socket, from the host's network
	 * namespace (it stays usable from the new one) */
	if (net && p->hosts.n > 0) {
		step = "reaching sbx's proxy (network = hosts)";
		ctl = proxy_connect();
		if (ctl < 0)
			goto fail;
	}
	/* The mount namespace of the first tool of this confinement, when
	 * an equal one was made (not a pid namespace's: that is the tool's
	 * own), else this one is made and given for the next ones. */
	v = getenv(ENV_SHARE);
	share = !view_only && !p->end_leftovers && !(v && strcmp(v, "0") == 0);
	if (share)
		mountns_key(p, key);
	if ((net || share) && proxy_shared(p, share ? key : NULL, &ns) < 0) {
		trace("no shared namespaces: %s", strerror(errno));
		share = false;
	}
	if (defer && ns.mntns < 0 && join_original(p->view_root) == 0) {
		trace("mount: joined the session's original namespace");
		joined = true;
	}
	if (share && ns.mntns < 0) {
		/* the proxy is reached from the host's network namespace */
		donate_ctl = self_identity_confirmed() ? proxy_donate_connect()
						       : -1;
		donate_mounts = donate_ctl < 0 ? -1
				: open("/proc/self/mounts",
				       O_RDONLY | O_CLOEXEC);
		if (donate_mounts < 0 && donate_ctl >= 0) {
			close(donate_ctl);
			donate_ctl = -1;
		}
		memcpy(donate_key, key, sizeof(key));
		donate_policy = p;
	}
	if (ns.userns >= 0 || ns.netns >= 0 || ns.mntns >= 0) {
		r = join_shared(&ns, &how);
		shared = r > 0;
		joined_mnt = r >= 2;
		copied = r == 3;
	}
	if (joined_mnt) {
		mountns_ruleset = ns.ruleset;
		ns.ruleset = -1;
	}
	proxy_shared_close(&ns);
	entered = shared ? MOUNTNS_ENTERED
		   : mountns_enter(&how, net ? CLONE_NEWNET : 0);
	if (entered == MOUNTNS_REFUSED && net && errno == EINVAL) {
		/* a kernel without network namespaces: the filter alone */
		net = false;
		entered = mountns_enter(&how, 0);
	}
	if (entered == MOUNTNS_REFUSED && mountns_switched_off(errno)) {
		snprintf(err, errlen, "no user namespace (%s)",
			 strerror(errno));
		return 1;
	}
	if (entered == MOUNTNS_REFUSED) {
		/* The quota used up (a daemon holding namespaces), memory,
		 * nesting: a failure, not a kernel without the feature. */
		step = "creating the namespace";
		goto fail;
	}
	if (entered == MOUNTNS_NO_MAPS) {
		step = "uid/gid map";
		goto fail;
	}
	if (copied)
		trace("%s joined: the one an earlier tool of this confinement "
		      "made, as a copy of its own (a devpts of its own) made "
		      "ahead by sbx's proxy",
		      how);
	else if (joined_mnt)
		trace("%s joined: the one an earlier tool of this confinement "
		      "made",
		      how);
	else
		trace("%s created%s", how,
		      shared && net ? ", in the network namespace shared by "
				      "this confinement"
		      : net	    ? ", with a network namespace"
				    : "");
	step = "bringing the loopback up";
	if (net && !shared && mountns_loopback_up() < 0)
		goto fail;
	mountns_loopback = net;
	if (net && ctl >= 0) {
		char token[PROXY_TOKEN_LEN + 1];

		step = "handing a socket to sbx's proxy";
		mountns_proxy_port = proxy_register(ctl, p, token); /* closes ctl */
		if (mountns_proxy_port < 0)
			goto fail;
		trace("proxy: 127.0.0.1:%d for %zu host(s)", mountns_proxy_port,
		      p->hosts.n);
	}
	if (joined_mnt) {
		/* A copy of its own, with a devpts instance of its own: the
		 * ptys another tool of the confinement opened are not this
		 * one's to read or type into. */
		step = "a mount namespace of its own in the shared one";
		if (!copied && unshare(CLONE_NEWNS) < 0)
			goto fail;
		bad = "/dev/pts";
		step = "mounting its own /dev/pts";
		if (!copied && mountns_own_devpts() < 0)
			goto fail;
		bad = p->cwd;
		step = "entering the current folder again";
		if (chdir(p->cwd) < 0)
			goto fail;
		return 0;
	}
	step = "making a pid namespace (leftovers = end)";
	if (p->end_leftovers && !view_only && leftovers_split() < 0)
		goto fail;
	step = "making mounts private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		goto fail;
	if (p->view_root && !joined) {
		bad = p->view_root;
		step = "leaving the session's view";
		if (enter_original(p->view_root) < 0)
			goto fail;
		trace("mount: the session's original tree is /");
		bad = NULL;
	}
	if (view_only) {
		bad = p->cwd;
		step = "entering the current folder again";
		if (chdir(p->cwd) < 0)
			goto fail;
		return 0;
	}
	/* Each writable root is copied before / is made read-only, so that
	 * it keeps the flags it had: a read-only volume mounted inside it
	 * (docker -v ...:ro) stays read-only, even for root. */
	trees = xcalloc(p->roots.n + 1, sizeof(*trees));
	for (size_t i = 0; i < p->roots.n; i++) {
		int fd;

		bad = p->roots.v[i].path;
		step = "opening a writable root";
		trees[i].tree = -1;
		fd = open_unplanted(p, bad);
		if (fd < 0 && errno == ENOENT)
			continue; /* missing: Landlock leaves it out too */
		if (fd < 0 || fstat(fd, &trees[i].st) < 0)
			goto fail;
		step = "copying a writable root";
		trees[i].tree = clone_tree(fd);
		close(fd);
		if (trees[i].tree < 0)
			goto fail;
	}
	bad = NULL;
	step = "making / read-only";
	if (mountns_readonly("/", true, true) < 0)
		goto fail;
	step = "making a private /dev";
	if (private_dev(&bad) < 0)
		goto fail;
	/* The pid namespace's own /proc (a pid in /proc/PID is one the tool
	 * sees), read-only as the rest: root writes /proc/sys by its uid. */
	step = "mounting /proc for the pid namespace";
	bad = NULL;
	if (leftovers_active() &&
	    mount("proc", "/proc", "proc",
		  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		goto fail;
	for (size_t i = 0; i < p->roots.n; i++) {
		struct stat now;
		int fd;

		bad = p->roots.v[i].path;
		if (trees[i].tree < 0) {
			trace("mount: %s missing", bad);
			continue;
		}
		/* Put back where it was copied from: the same object, found
		 * again in the read-only tree (the private /dev included). */
		step = "binding a writable root";
		fd = open_unplanted(p, bad);
		if (fd < 0 || fstat(fd, &now) < 0)
			goto fail;
		if (now.st_dev != trees[i].st.st_dev ||
		    now.st_ino != trees[i].st.st_ino) {
			close(fd);
			errno = ESTALE; /* moved while sbx looked */
			goto fail;
		}
		r = attach_tree(trees[i].tree, fd);
		close(fd);
		if (r < 0)
			goto fail;
		close(trees[i].tree);
		trees[i].tree = -1;
		trace("mount: %s writable (as it was)", bad);
	}
	free(trees);
	trees = NULL;
	step = "sealing a folder";
	if (seal_missing(p, &bad) < 0)
		goto fail;
	step = "pinning the folders above a protected path";
	if (pin_ancestors(p, &bad) < 0)
		goto fail;
	for (size_t i = 0; i < p->protected.n; i++) {
		bad = p->protected.v[i].path;
		if (lstat(bad, &st) < 0)
			continue; /* only what exists is mounted over */
		if (S_ISLNK(st.st_mode)) {
			/* The link itself is kept by its folder's pins; what it
			 * leads to (~/.bashrc -> ~/dotfiles/bashrc) is the file
			 * to keep read-only, where a writable root holds it. */
			char *to = realpath(bad, NULL);

			trace("mount: %s is a symlink to %s", bad,
			      to ? to : "nothing");
			if (to && pathlist_covers(&p->roots, to)) {
				bad = to; /* leaked when we fail */
				if (rebind_path(p, to, RB_RO_ALL) < 0)
					goto fail;
				trace("mount: %s read-only", to);
			}
			free(to);
			continue;
		}
		step = "binding a protected path";
		if (rebind_protected(p, bad) < 0) {
			if (errno != ELOOP || !planted[0])
				goto fail;
			/* behind a symlink a tool could have made: not a
			 * path git or a shell reads as this one */
			trace("mount: %s leads through %s: left as it is", bad,
			      planted);
			planted[0] = '\0';
			continue;
		}
		trace("mount: %s read-only", bad);
	}
	for (size_t i = 0; i < p->hiddens.n; i++) {
		bad = p->hiddens.v[i].path;
		if (stat(bad, &st) < 0)
			continue;
		step = "hiding a path";
		if (cover(bad, S_ISDIR(st.st_mode)) < 0)
			goto fail;
		trace("mount: %s hidden", bad);
	}
	/* Root's tools: every user's runtime folder, with their session bus
	 * and agents, is hidden (belt and braces: root keeps no capability
	 * that would open them, sandbox-linux.c). */
	bad = "/run/user";
	step = "hiding the users' runtime folders";
	if (geteuid() == 0 && stat(bad, &st) == 0 && S_ISDIR(st.st_mode) &&
	    cover(bad, true) < 0)
		goto fail;
	step = "hiding other users' files in the temp folders";
	/* (the proxy keeps this namespace only if no other user's file
	 * came into them since: proxy.c temp_events) */
	clock_gettime(CLOCK_MONOTONIC, &donate_scan);
	if (geteuid() == 0 && hide_foreign_temp(&bad) < 0)
		goto fail;
	/* The current folder still points into the mounts as they were
	 * before the binds: look it up again, in the new view. */
	bad = p->cwd;
	step = "entering the current folder again";
	if (chdir(p->cwd) < 0)
		goto fail;
	donate_ready = true; /* built whole: worth giving */
	return 0;
fail:
	{
		int e = errno;

		free(trees); /* the descriptors go with the process */
		errno = e;
	}
	if (errno == ELOOP && planted[0]) {
		snprintf(err, errlen,
			 "%s %s: it leads through the symlink %s, inside a "
			 "writable root (a tool could have made it)",
			 step, bad ? bad : "", planted);
		return -1;
	}
	snprintf(err, errlen, "%s%s%s: %s", step, bad ? " " : "",
		 bad ? bad : "", strerror(errno));
	return -1;
}

const char *mountns_probe(void)
{
	static char why[128];
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return "cannot fork to probe";
	if (pid == 0) {
		const char *how;

		_exit(mountns_enter(&how, 0) == MOUNTNS_ENTERED ? 0
		      : errno					 ? errno
								 : 255);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return "probe failed";
	if (WEXITSTATUS(status) == 0)
		return NULL;
	snprintf(why, sizeof(why), "no user namespace (%s)",
		 strerror(WEXITSTATUS(status)));
	return why;
}
