/*
 * pcache.c - the policy cache.
 *
 * Working a tool's policy out looks at some hundred paths and variables:
 * the PATH walk, the configs and .sbxrc files up to /, git's files, the
 * credential stores that may be hidden, and the confinement's key, each a
 * system call of a few microseconds in a fresh process. For the next exec
 * of the same tool from the same place, nothing has to be looked at again
 * unless one of those changed, and the kernel can say so:
 *
 * - Recording (a miss): from the start, every path the shim looks at is
 *   watched before it is looked at (deps.c) and every variable read is
 *   noted. At the end the policy, the tool found, the key's first step,
 *   the variables with their values and the checks (names in folders
 *   anyone writes to) go into a sealed memfd that the daemon keeps with the
 *   watch (inotify) and the mount table's descriptor, in a slot of its
 *   descriptor table named by the lookup key (proxy.c).
 * - Using (a hit): the lookup key (this tool's name, sbx's binary, the
 *   ids, the folder, the mount namespace), the three descriptors taken from
 *   the daemon's slot (pidfd_getfd, the daemon is not woken), and kept only
 *   if the watch's queue is empty (FIONREAD: a change is queued there by
 *   the very system call that makes it, before it returns), the mount
 *   table is unchanged (POLLPRI), every variable read has the same value
 *   and every check looks the same.
 *
 * So a cached policy is what working it out now would give. What the
 * kernel cannot watch (a network file system, /proc) is not cached. A
 * policy whose working out printed anything is not cached either: a hit
 * is silent, and a warning must not be lost.
 */
#include "pcache.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "deps.h"
#include "mountns.h"
#include "policy.h"
#include "proxy.h"
#include "resolve.h"
#include "session.h"
#include "sha256.h"
#include "util.h"

const char *mountns_key_given;

#ifdef SBX_DEPS
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/stat.h>

#define SBX_STATX_MNT_ID_UNIQUE 0x00004000U /* linux/stat.h, 6.8 */

/* A cached policy is read in one pread: larger ones are not kept. */
#define PC_SIZE_MAX 65536

extern char **environ;

static char lkey[65]; /* this exec's lookup key ("": none) */
static uint64_t root_mount; /* the root's mount's unique id (0: unknown) */
static bool recording;
static unsigned msgs_before;
/* a hit's text: the sources' origins point into it */
static char text[PC_SIZE_MAX];

void pcache_head(const char *key, char out[PCACHE_HEAD_LEN + 1])
{
	snprintf(out, PCACHE_HEAD_LEN + 1, "sbx-pc-1\n%.64s\n", key);
}

uint64_t pcache_root_mount(void)
{
	return root_mount;
}

static void put_str(struct sha256 *c, const char *s)
{
	sha256_update(c, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* The lookup key: what the policy is worked out from that no watch
 * covers, looked at on every exec. -1 when this process has no folder. */
static int lookup_key(const char *name, const struct intercept *ic,
		      dev_t dev, ino_t ino, char hex[65])
{
	char buf[PATH_MAX];
	struct sha256 c;
	struct statx sx;
	struct stat st;
	gid_t groups[256];
	int ng = getgroups(256, groups);
	ssize_t n;
	uint64_t ids[14] = {
		(uint64_t)dev,	       (uint64_t)ino,
		(uint64_t)getuid(),    (uint64_t)geteuid(),
		(uint64_t)getgid(),    (uint64_t)getegid(),
		(uint64_t)ic->hit,     (uint64_t)ic->sbx_dev,
		(uint64_t)ic->sbx_ino, (uint64_t)(ng < 0 ? 0 : ng),
	};

	sha256_init(&c);
	sha256_update(&c, "pc1\n", 4);
	/* The root (a chroot), and the mount it is on: paths mean what
	 * they mean from there. Its unique id (6.8) is no other mount's,
	 * ever, and no two mount namespaces share a mount (a copy has
	 * mounts of its own): it stands for the namespace without a look
	 * at /proc (~11 us in a new process). Before 6.8, the namespace. */
	if (ng < 0 || syscall(SYS_statx, AT_FDCWD, "/", 0,
			      STATX_INO | SBX_STATX_MNT_ID_UNIQUE, &sx) < 0)
		return -1;
	ids[12] = ((uint64_t)sx.stx_dev_major << 32) | sx.stx_dev_minor;
	ids[13] = (uint64_t)sx.stx_ino;
	if (sx.stx_mask & SBX_STATX_MNT_ID_UNIQUE) {
		ids[10] = sx.stx_mnt_id;
		ids[11] = 1;
		root_mount = sx.stx_mnt_id;
	} else if (stat("/proc/self/ns/mnt", &st) == 0) {
		ids[10] = (uint64_t)st.st_dev;
		ids[11] = (uint64_t)st.st_ino;
	} else {
		return -1;
	}
	sha256_update(&c, ids, sizeof(ids));
	sha256_update(&c, groups, (size_t)ng * sizeof(*groups));
	put_str(&c, name);
	put_str(&c, ic->path);
	put_str(&c, ic->tool);
	put_str(&c, ic->root);
	put_str(&c, ic->agent);
	/* sbx's own folders are worked out from its name: the name it was
	 * run by when that names it (with its inode above, which a change of
	 * where the name leads changes), else the kernel's */
	if (self_exec_name()) {
		put_str(&c, "exec:");
		put_str(&c, self_exec_name());
	} else {
		n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
		if (n <= 0)
			return -1;
		buf[n] = '\0';
		put_str(&c, buf);
	}
	if (!getcwd(buf, sizeof(buf)))
		return -1;
	put_str(&c, buf);
	/* sbx's own variables and PATH: execs that differ by them (a
	 * profile set for one command) get entries of their own rather
	 * than take each other's place (each is checked on use anyway) */
	for (char **e = environ; *e; e++)
		if ((strncmp(*e, "SBX_", 4) == 0 &&
		     strncmp(*e, ENV_HOP "=", sizeof(ENV_HOP)) != 0) ||
		    strncmp(*e, "PATH=", 5) == 0)
			put_str(&c, *e);
	sha256_hex(&c, hex);
	return 0;
}

/* The text of a cached policy, written and read in the same order. */
struct out {
	char *b;
	size_t n, cap;
};

static void put(struct out *o, const void *d, size_t n)
{
	if (o->n + n > o->cap) {
		o->cap = (o->n + n) * 2;
		o->b = xreallocarray(o->b, o->cap, 1);
	}
	memcpy(o->b + o->n, d, n);
	o->n += n;
}

static void put_u32(struct out *o, uint32_t v)
{
	put(o, &v, sizeof(v));
}

/* A string with its NUL (length 0: NULL). */
static void put_s(struct out *o, const char *s)
{
	put_u32(o, s ? (uint32_t)strlen(s) + 1 : 0);
	if (s)
		put(o, s, strlen(s) + 1);
}

static void put_src(struct out *o, const struct source *s)
{
	put_s(o, s->origin);
	put_u32(o, (uint32_t)s->line);
}

static void put_list(struct out *o, const struct pathlist *l)
{
	put_u32(o, (uint32_t)l->n);
	for (size_t i = 0; i < l->n; i++) {
		put_s(o, l->v[i].path);
		put_src(o, &l->v[i].src);
		put_u32(o, (uint32_t)l->v[i].kind);
	}
}

struct in {
	char *b;
	size_t n, at;
	bool bad;
};

static void get(struct in *i, void *d, size_t n)
{
	if (i->bad || n > i->n - i->at) {
		i->bad = true;
		memset(d, 0, n);
		return;
	}
	memcpy(d, i->b + i->at, n);
	i->at += n;
}

static uint32_t get_u32(struct in *i)
{
	uint32_t v;

	get(i, &v, sizeof(v));
	return v;
}

/* A string of the text (kept), or NULL. */
static char *get_s(struct in *i)
{
	uint32_t len = get_u32(i);
	char *s;

	if (i->bad || len == 0)
		return NULL;
	if (len > i->n - i->at || i->b[i->at + len - 1] != '\0' ||
	    memchr(i->b + i->at, '\0', len) != i->b + i->at + len - 1) {
		i->bad = true;
		return NULL;
	}
	s = i->b + i->at;
	i->at += len;
	return s;
}

static char *get_dup(struct in *i)
{
	char *s = get_s(i);

	return s ? xstrdup(s) : NULL;
}

static void get_src(struct in *i, struct source *s)
{
	s->origin = get_s(i);
	s->line = (int)get_u32(i);
}

static void get_list(struct in *i, struct pathlist *l)
{
	uint32_t n = get_u32(i);

	memset(l, 0, sizeof(*l));
	/* (each entry takes 16 bytes at least: sized once, not grown) */
	if (i->bad)
		return;
	if (n > (i->n - i->at) / 16) {
		i->bad = true;
		return;
	}
	if (n > 0)
		l->v = xreallocarray(NULL, n, sizeof(*l->v));
	for (uint32_t k = 0; k < n && !i->bad; k++) {
		char *path = get_s(i);
		struct source src;
		uint32_t kind;

		get_src(i, &src);
		kind = get_u32(i);
		if (!path || i->bad) {
			i->bad = true;
			break;
		}
		/* as it was, duplicates and all */
		l->v[l->n].path = xstrdup(path);
		l->v[l->n].src = src;
		l->v[l->n++].kind = (enum entry_kind)kind;
	}
}

/* The policy's lists, in one order for both ways. */
#define POLICY_LISTS(p)                                                  \
	{ &(p)->writable, &(p)->readonly, &(p)->hidden, &(p)->reveal,    \
	  &(p)->reveal_vars, &(p)->roots, &(p)->protected, &(p)->hiddens, \
	  &(p)->sealed, &(p)->configs, NULL }

static void put_policy(struct out *o, const struct resolved *r,
		       const struct policy *p, const char *part)
{
	const struct pathlist *lists[] = POLICY_LISTS(p);
	const struct dep_env *envs;
	const struct dep_check *checks;
	const struct dep_name *dn;
	size_t ne, nc, nn;
	char head[PCACHE_HEAD_LEN + 1];

	pcache_head(lkey, head);
	put(o, head, PCACHE_HEAD_LEN);
	/* for the daemon: which events of the watch matter (pcache.h) */
	dn = deps_names(&nn);
	put_u32(o, (uint32_t)nn);
	for (size_t i = 0; i < nn; i++) {
		put_u32(o, (uint32_t)dn[i].wd);
		put_u32(o, dn[i].all);
		put_s(o, dn[i].name);
	}
	put_s(o, deps_mount_print());
	envs = deps_envs(&ne);
	put_u32(o, (uint32_t)ne);
	for (size_t i = 0; i < ne; i++) {
		put_s(o, envs[i].name);
		put_s(o, envs[i].value);
	}
	checks = deps_checks(&nc);
	put_u32(o, (uint32_t)nc);
	for (size_t i = 0; i < nc; i++) {
		put_s(o, checks[i].path);
		put(o, &checks[i].id, sizeof(checks[i].id));
	}
	put_s(o, r->path);
	put_s(o, r->tool_env);
	put_u32(o, (uint32_t)r->shim_dirs);
	put_s(o, p->home);
	put_s(o, p->pw_home);
	put_s(o, p->cwd);
	put_u32(o, (uint32_t)p->profile);
	put_src(o, &p->profile_src);
	put_u32(o, p->network);
	put_src(o, &p->network_src);
	put_list(o, &p->hosts);
	put_s(o, p->workspace);
	put_src(o, &p->workspace_src);
	put_u32(o, (uint32_t)p->reveal_ssh_agent |
			   (uint32_t)p->reveal_gpg_agent << 1 |
			   (uint32_t)p->reveal_keychain << 2);
	put_src(o, &p->keychain_src);
	put_u32(o, (uint32_t)p->protect);
	put_src(o, &p->protect_src);
	put_u32(o, p->end_leftovers);
	put_src(o, &p->leftovers_src);
	for (size_t l = 0; lists[l]; l++)
		put_list(o, lists[l]);
	put_s(o, part);
}

/* Reads what put_policy wrote, checking the variables and the checks on
 * the way; false (and what was made freed) when anything differs. */
static bool get_policy(struct in *i, const char *name,
		       const struct intercept *ic, struct resolved *r,
		       struct policy *p, char part[65])
{
	struct pathlist *lists[] = POLICY_LISTS(p);
	uint32_t n, flags;
	const char *s;
	char head[PCACHE_HEAD_LEN + 1], print[65];

	pcache_head(lkey, head);
	if (i->n < PCACHE_HEAD_LEN || memcmp(i->b, head, PCACHE_HEAD_LEN) != 0)
		return false;
	i->at = PCACHE_HEAD_LEN;
	/* (the events that matter: the daemon's) */
	n = get_u32(i);
	for (uint32_t k = 0; k < n && !i->bad; k++) {
		get_u32(i);
		get_u32(i);
		get_s(i);
	}
	/* the mount table: no mount made or ended since (a mount moved,
	 * or made read-only, the daemon sees by the mount table's
	 * descriptor, and drops the entry) */
	s = get_s(i);
	if (!s || deps_mounts(print) < 0 || strcmp(s, print) != 0) {
		trace("policy cache: the mount table changed");
		return false;
	}
	n = get_u32(i);
	for (uint32_t k = 0; k < n && !i->bad; k++) {
		const char *var = get_s(i), *was = get_s(i), *now;

		if (!var || i->bad)
			return false;
		now = getenv(var);
		if ((now == NULL) != (was == NULL) ||
		    (now && strcmp(now, was) != 0)) {
			trace("policy cache: $%s changed", var);
			return false;
		}
	}
	n = get_u32(i);
	for (uint32_t k = 0; k < n && !i->bad; k++) {
		const char *path = get_s(i);
		struct dep_id was, now;

		get(i, &was, sizeof(was));
		if (!path || i->bad)
			return false;
		deps_id(path, &now);
		if (memcmp(&was, &now, sizeof(now)) != 0) {
			trace("policy cache: %s changed", path);
			return false;
		}
	}
	memset(r, 0, sizeof(*r));
	memset(p, 0, sizeof(*p));
	r->path = get_dup(i);
	r->tool_env = get_dup(i);
	r->shim_dirs = (int)get_u32(i);
	p->tool = name;
	p->view_root = ic->root;
	p->home = get_s(i);
	p->pw_home = get_dup(i);
	p->cwd = get_dup(i);
	p->profile = (enum profile)get_u32(i);
	get_src(i, &p->profile_src);
	p->network = get_u32(i) != 0;
	get_src(i, &p->network_src);
	get_list(i, &p->hosts);
	p->workspace = get_dup(i);
	get_src(i, &p->workspace_src);
	flags = get_u32(i);
	p->reveal_ssh_agent = flags & 1;
	p->reveal_gpg_agent = flags & 2;
	p->reveal_keychain = flags & 4;
	get_src(i, &p->keychain_src);
	p->protect = (enum protect)get_u32(i);
	get_src(i, &p->protect_src);
	p->end_leftovers = get_u32(i) != 0;
	get_src(i, &p->leftovers_src);
	for (size_t l = 0; lists[l]; l++)
		get_list(i, lists[l]);
	s = get_s(i);
	if (i->bad || !r->path || !p->cwd || i->at != i->n ||
	    (s && *s && strlen(s) != 64)) {
		resolved_free(r);
		policy_free(p);
		return false;
	}
	snprintf(part, 65, "%s", s ? s : "");
	return true;
}

static bool off(void)
{
	const char *v = getenv(ENV_CACHE), *share = getenv(ENV_SHARE);

	return (v && strcmp(v, "0") == 0) || (share && strcmp(share, "0") == 0);
}

static void begin(void)
{
	msgs_before = msg_count;
	recording = deps_begin() == 0;
	if (!recording) {
		trace("policy cache: nothing can be watched (inotify)");
		return;
	}
	/* the key has sbx's name, not the path it leads to, from which
	 * sbx's own folders are worked out: the way there is watched */
	if (self_exec_name()) {
		char cwd[PATH_MAX], *abs;

		if (self_exec_name()[0] == '/')
			abs = xstrdup(self_exec_name());
		else if (getcwd(cwd, sizeof(cwd)))
			abs = path_join(cwd, self_exec_name());
		else
			abs = NULL;
		if (abs)
			deps_note(abs, DEP_NAME);
		else
			deps_spoil("no folder");
		free(abs);
	}
}

int pcache_lookup(const char *name, const struct intercept *ic, dev_t dev,
		  ino_t ino, struct resolved *r, struct policy *p,
		  char part[65])
{
	struct in in;
	int fds[3], queued = -1, alive = 0;
	ssize_t n;
	bool ok;

	lkey[0] = '\0';
	if (off() || lookup_key(name, ic, dev, ino, lkey) < 0) {
		lkey[0] = '\0';
		return -1;
	}
	if (proxy_pc_take(lkey, fds) < 0) {
		trace("policy cache: none kept for this tool here");
		begin();
		return -1;
	}
	/* the watch's queue empty (a change is queued there by the call
	 * that makes it), then the entry alive: the daemon, which reads the
	 * queue, first takes the entry's life (its pipe's byte) and gives it
	 * back only when what it read did not matter (proxy.c pc_events) */
	n = pread(fds[0], text, sizeof(text), 0);
	ok = n > 0 && (size_t)n < sizeof(text);
	/* events the daemon has not read yet (most are of names no lookup
	 * asked for: it gives the life back): a moment for it, on the other
	 * CPU, before this exec works the policy out again */
	for (int tries = 0; ok && tries < 4; tries++) {
		queued = -1;
		alive = 0;
		if (ioctl(fds[1], FIONREAD, &queued) == 0 && queued == 0 &&
		    ioctl(fds[2], FIONREAD, &alive) == 0 && alive == 1)
			break;
		if (tries == 3)
			ok = false;
		else
			nanosleep(&(struct timespec){ 0, 100000 }, NULL);
	}
	if (!ok)
		trace("policy cache: what it came from changed");
	for (int k = 0; k < 3; k++)
		close(fds[k]);
	if (ok) {
		in = (struct in){ text, (size_t)n, 0, false };
		ok = get_policy(&in, name, ic, r, p, part);
	}
	if (!ok) {
		begin();
		return -1;
	}
	trace("policy cache: the policy kept for this tool here, unchanged");
	return 0;
}

void pcache_store(const struct resolved *r, const struct policy *p,
		  char part[65])
{
	struct out o = { NULL, 0, 0 };
	const char *why;
	int watch, mounts, fd;

	part[0] = '\0';
	if (!recording)
		return;
	/* the key's first step is looked at under the watch too */
	if (p->profile != PROFILE_FULL_ACCESS && p->protect != PROTECT_OFF)
		mountns_key_part(p, part);
	recording = false;
	if (deps_end(&watch, &mounts, &why) < 0)
		return;
	if (msg_count != msgs_before) {
		trace("policy cache: not kept: its working out said something");
		close(watch);
		close(mounts);
		return;
	}
	if (!self_identity_confirmed()) {
		trace("policy cache: not kept: sbx's name leads to another "
		      "file since it ran");
		close(watch);
		close(mounts);
		return;
	}
	put_policy(&o, r, p, part);
	fd = o.n < PC_SIZE_MAX ? sealed_memfd("sbx-pc", o.b, o.n) : -1;
	if (fd >= 0 && proxy_pc_store(lkey, fd, watch, mounts) == 0)
		trace("policy cache: kept for the next execs of this tool here");
	else
		trace("policy cache: not kept: %s",
		      fd < 0 ? "too large, or no memfd" : strerror(errno));
	if (fd >= 0)
		close(fd);
	close(watch);
	close(mounts);
	free(o.b);
}

#else /* no policy cache */

void pcache_head(const char *key, char out[PCACHE_HEAD_LEN + 1])
{
	snprintf(out, PCACHE_HEAD_LEN + 1, "sbx-pc-1\n%.64s\n", key);
}

uint64_t pcache_root_mount(void)
{
	return 0;
}

int pcache_lookup(const char *name, const struct intercept *ic, dev_t dev,
		  ino_t ino, struct resolved *r, struct policy *p,
		  char part[65])
{
	(void)name;
	(void)ic;
	(void)dev;
	(void)ino;
	(void)r;
	(void)p;
	part[0] = '\0';
	return -1;
}

void pcache_store(const struct resolved *r, const struct policy *p,
		  char part[65])
{
	(void)r;
	(void)p;
	part[0] = '\0';
}
#endif
