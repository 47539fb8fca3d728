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
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include "util.h"

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

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

static int write_file(const char *path, const char *text)
{
	size_t n = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, text, n);
	close(fd);
	return w == (ssize_t)n ? 0 : -1;
}

static bool have_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[0].effective & (1U << CAP_SYS_ADMIN);
}

/* A mount namespace of our own: root keeps its identity; anyone else gets
 * a user namespace that maps their uid and gid 1:1. */
int mountns_enter(const char **how)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (have_sys_admin()) {
		if (unshare(CLONE_NEWNS) == 0) {
			*how = "mount namespace";
			return 0;
		}
		if (errno != EPERM)
			return -1; /* out of memory...: no second try */
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -1;
	*how = "user and mount namespace";
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		return -2;
	if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return -2;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) < 0)
		return -2;
	return 0;
}

/* Covers every block device node in /dev with /dev/null: root, even with
 * no capability, owns them, and reading a raw disk reads every file on it,
 * the hidden ones included (debugfs -R "cat /root/.ssh/id_ed25519"). */
static int hide_block_devices(const char **bad)
{
	static char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir("/dev");

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_type != DT_BLK && de->d_type != DT_UNKNOWN)
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		if (lstat(path, &st) < 0 || !S_ISBLK(st.st_mode))
			continue;
		*bad = path;
		if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
			closedir(d);
			return -1;
		}
		trace("mount: %s hidden", path);
	}
	closedir(d);
	return 0;
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
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", temps[i],
				 de->d_name);
			if (lstat(path, &st) < 0 || st.st_uid == 0 ||
			    S_ISLNK(st.st_mode))
				continue;
			*bad = path;
			r = cover(path, S_ISDIR(st.st_mode));
			trace("mount: %s hidden (uid %u)", path,
			      (unsigned)st.st_uid);
		}
		if (d)
			closedir(d);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Binds PATH onto itself, so that it can take flags of its own. */
static int bind_self(const char *path)
{
	return mount(path, path, NULL, MS_BIND | MS_REC, NULL);
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

/* Makes DIR read-only and binds each entry in it writable again. */
static int seal_dir(const char *dir, const char **bad)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	*bad = dir;
	if (bind_self(dir) < 0 || mountns_readonly(dir, true, false) < 0)
		return -1;
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		char *e;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		e = path_join(dir, de->d_name);
		if (lstat(e, &st) == 0 && !S_ISLNK(st.st_mode) &&
		    (bind_self(e) < 0 || mountns_readonly(e, false, true) < 0)) {
			*bad = e; /* leaked: we fail */
			closedir(d);
			return -1;
		}
		free(e);
	}
	if (d)
		closedir(d);
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
				*bad = a;
				r = bind_self(a);
				done = xreallocarray(done, n + 1, sizeof(*done));
				done[n++] = xstrdup(a);
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
		r = seal_dir(dirs[i], bad);
	if (r == 0)
		for (size_t i = 0; i < n; i++)
			free(dirs[i]);
	free(dirs);
	return r;
}

int mountns_build(const struct policy *p, bool view_only, char *err,
		  size_t errlen)
{
	const char *how = NULL, *step;
	const char *bad = NULL;
	bool joined = false;
	struct stat st;
	int r;

	if (p->view_root && join_original(p->view_root) == 0) {
		trace("mount: joined the session's original namespace");
		joined = true;
	}
	r = mountns_enter(&how);
	if (r == -1 && mountns_switched_off(errno)) {
		snprintf(err, errlen, "no user namespace (%s)",
			 strerror(errno));
		return 1;
	}
	if (r == -1) {
		/* The quota used up (a daemon holding namespaces), memory,
		 * nesting: a failure, not a kernel without the feature. */
		step = "creating the namespace";
		goto fail;
	}
	if (r < 0) {
		step = "uid/gid map";
		goto fail;
	}
	trace("%s created", how);
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
	step = "making / read-only";
	if (mountns_readonly("/", true, true) < 0)
		goto fail;
	for (size_t i = 0; i < p->roots.n; i++) {
		bad = p->roots.v[i].path;
		if (stat(bad, &st) < 0)
			continue; /* Landlock leaves it out too */
		step = "binding a writable root";
		if (bind_self(bad) < 0)
			goto fail;
		/* A read-only filesystem mounted inside stays read-only. */
		if (mountns_readonly(bad, false, true) < 0 &&
		    mountns_readonly(bad, false, false) < 0) {
			step = "making a root writable";
			goto fail;
		}
		trace("mount: %s writable", bad);
	}
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
				if (bind_self(to) < 0 ||
				    mountns_readonly(to, true, true) < 0)
					goto fail;
				trace("mount: %s read-only", to);
			}
			free(to);
			continue;
		}
		step = "binding a protected path";
		if (bind_self(bad) < 0 || mountns_readonly(bad, true, true) < 0)
			goto fail;
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
	if (geteuid() == 0 && hide_foreign_temp(&bad) < 0)
		goto fail;
	step = "hiding a block device";
	if (hide_block_devices(&bad) < 0)
		goto fail;
	/* The current folder still points into the mounts as they were
	 * before the binds: look it up again, in the new view. */
	bad = p->cwd;
	step = "entering the current folder again";
	if (chdir(p->cwd) < 0)
		goto fail;
	return 0;
fail:
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

		_exit(mountns_enter(&how) == 0 ? 0 : errno ? errno : 255);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return "probe failed";
	if (WEXITSTATUS(status) == 0)
		return NULL;
	snprintf(why, sizeof(why), "no user namespace (%s)",
		 strerror(WEXITSTATUS(status)));
	return why;
}
