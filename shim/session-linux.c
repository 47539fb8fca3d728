/*
 * session-linux.c - the session's view: in a mount namespace of its own
 * (inside a user namespace when not root), the whole tree is bound once more
 * under DIR/root, as it is, before sbx covers each real tool with a bind
 * mount. A shim that runs a tool leaves the view the way bubblewrap enters
 * its root (pivot_root into DIR/root), so the tool runs by its own path and
 * sees no cover; the agent's own exec chain runs from DIR/root directly.
 *
 * DIR (PREFIX/lib/sbx/real next to the shims) holds, in a private tmpfs:
 *   sbx   a copy of this binary, the file bound over each tool: a different
 *         inode from the installed sbx, so that PATH shims take a covered
 *         tool for the real one and not for another shim;
 *   map   one line per cover, "PATH<TAB>NAMES", and "sbx<TAB>DEV INO";
 *   root  the original tree;
 *   clean a mount namespace of the original tree, for root's tools.
 */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mountns.h"
#include "resolve.h"
#include "util.h"

/* Copies the running binary to DST, executable. */
static int copy_self(const char *dst)
{
	struct stat st;
	off_t off = 0;
	int in, out, r = -1;

	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out >= 0 && fstat(in, &st) == 0) {
		while (off < st.st_size)
			if (sendfile(out, in, &off, (size_t)(st.st_size - off)) <=
			    0)
				break;
		r = off == st.st_size ? 0 : -1;
	}
	if (out >= 0 && close(out) < 0)
		r = -1;
	close(in);
	return r;
}

static int write_map(const char *file, const struct targets *t)
{
	FILE *f = fopen(file, "we");
	dev_t dev;
	ino_t ino;

	if (!f)
		return -1;
	self_identity(&dev, &ino);
	fprintf(f, "sbx\t%llu %llu\n", (unsigned long long)dev,
		(unsigned long long)ino);
	for (size_t i = 0; i < t->n; i++)
		fprintf(f, "%s\t%s\n", t->v[i].path, t->v[i].tools);
	return fclose(f);
}

/*
 * The tools' way out, for a process that may enter it (root): a mount
 * namespace of the original tree, made now (a copy of this one before any
 * cover, without the session folder) and pinned on DIR/clean, so that a
 * shim joins it with one setns() instead of copying the session's view and
 * pivoting. The kernel lets a namespace hold only a newer one's file: this
 * one is made first, then we come back to bind it here.
 */
static int pin_original(const char *dir, const char *clean)
{
	char *cwd = getcwd(NULL, 0), self[64];
	int here, orig = -1, fd, r = -1;

	here = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (here < 0 || !cwd)
		goto out;
	fd = open(clean, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
	if (fd < 0)
		goto out;
	close(fd);
	if (unshare(CLONE_NEWNS) < 0)
		goto out;
	if (umount2(dir, MNT_DETACH) < 0 ||
	    (orig = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC)) < 0) {
		setns(here, CLONE_NEWNS);
		goto out;
	}
	if (setns(here, CLONE_NEWNS) < 0)
		goto out;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", orig);
	r = mount(self, clean, NULL, MS_BIND, NULL);
out:
	/* setns() moved us to the namespace's root folder. */
	if (cwd && chdir(cwd) < 0)
		r = -1;
	if (orig >= 0)
		close(orig);
	if (here >= 0)
		close(here);
	free(cwd);
	return r;
}

int session_intercept(const char *dir, const struct targets *t, char *why,
		      size_t whylen)
{
	char *sbx = path_join(dir, "sbx"), *map = path_join(dir, "map");
	char *clean = path_join(dir, "clean");
	char *root = path_join(dir, "root"), *inner = NULL;
	const char *how, *step, *bad = dir;
	enum mountns_entered e;
	int r, covered = 0;

	if (mkdirs(dir, 0755) < 0) {
		snprintf(why, whylen, "cannot create %s: %s", dir,
			 strerror(errno));
		r = 1;
		goto out;
	}
	e = mountns_enter(&how, 0);
	if (e == MOUNTNS_REFUSED) {
		snprintf(why, whylen, "no user namespace (%s)",
			 strerror(errno));
		r = 1;
		goto out;
	}
	step = "uid/gid map";
	if (e == MOUNTNS_NO_MAPS)
		goto fail;
	trace("session: %s created", how);
	step = "making mounts private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		goto fail;
	step = "mounting a tmpfs";
	if (mount("sbx-session", dir, "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=0755") < 0)
		goto fail;
	step = "copying sbx";
	bad = sbx;
	if (copy_self(sbx) < 0)
		goto fail;
	step = "writing the map";
	bad = map;
	if (write_map(map, t) < 0)
		goto fail;
	/* Only a fast path: where the kernel refuses the bind now and then
	 * (EINVAL, seen under load), tools leave the view by pivot_root, as
	 * a user's do. */
	r = -1;
	for (int tries = 0; tries < 2 && r != 0; tries++)
		r = pin_original(dir, clean);
	if (r != 0)
		trace("session: the original namespace is not pinned (%s): "
		      "tools pivot into %s",
		      strerror(errno), root);
	step = "binding the original tree";
	bad = root;
	if (mkdir(root, 0755) < 0 ||
	    mount("/", root, NULL, MS_BIND | MS_REC, NULL) < 0)
		goto fail;
	/* The copy of the tree holds this tmpfs too: take it out, so that a
	 * tool's view (the original tree) has only the empty folder. */
	inner = xstrcat3(root, "", dir);
	if (umount2(inner, MNT_DETACH) < 0)
		trace("session: %s: %s", inner, strerror(errno));
	for (size_t i = 0; i < t->n; i++) {
		/* Read-only too: the agent's other tools run unconfined, and
		 * none of them may change what every cover runs. */
		if (mount(sbx, t->v[i].path, NULL, MS_BIND, NULL) < 0 ||
		    mountns_readonly(t->v[i].path, true, false) < 0) {
			msg("warning: cannot cover %s: %s", t->v[i].path,
			    strerror(errno));
			continue;
		}
		covered++;
		trace("session: %s covered (%s)", t->v[i].path,
		      t->v[i].tools);
	}
	step = "making the session folder read-only";
	bad = dir;
	if (mountns_readonly(dir, true, false) < 0)
		goto fail;
	xsetenv(ENV_INTERCEPT, dir);
	trace("session: %d real tools covered", covered);
	r = 0;
	goto out;
fail:
	snprintf(why, whylen, "%s %s: %s", step, bad, strerror(errno));
	r = -1;
out:
	free(inner);
	free(clean);
	free(sbx);
	free(map);
	free(root);
	return r;
}
