/*
 * proxy.c - network = HOST, ...: a small HTTP proxy, one per user, that
 * lets a tool reach the hosts its policy names and nothing else.
 *
 * Linux: the tool runs in a network namespace of its own (only `lo`); the
 * shim makes a listening socket on 127.0.0.1 there and hands it, with the
 * host list and the tool's stderr, to the proxy over an abstract Unix
 * socket of the host's namespace (SCM_RIGHTS). macOS: the listening
 * socket is on the host's loopback, the profile allows the tool that port
 * only, and each request must carry the run's secret (proxy.h).
 *
 * The proxy, outside, accepts on it: CONNECT host:port (TLS, passed
 * through, never intercepted) and plain HTTP with an absolute URI, each
 * allowed or refused by host and port. A refusal is a 403 whose body names
 * the host and the setting, and one line on the tool's stderr. One thread
 * per connection, blocking I/O with timeouts: a slow or silent client
 * holds only its own thread.
 */
#include "proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <linux/nsfs.h>
#include <linux/stat.h>
#include <sys/random.h>
#include <sys/syscall.h>

#include "seccomp-mark.h"
#endif
#ifdef __APPLE__
#include <sys/event.h>
#include <sys/random.h>
#include <sys/ucred.h>
/* libsystem_sandbox: is PID sandboxed? (0: no). As Chromium asks it. */
int sandbox_check(pid_t pid, const char *operation, int type, ...);
#endif

#include "pcache.h"
#include "resolve.h"
#include "sha256.h"
#include "trust.h"
#include "util.h"
#ifndef SBX_PROXY_FILE
#include "mountns.h"
#endif

#ifdef __linux__
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#else
/* macOS has no SOCK_CLOEXEC, accept4 or MSG_CMSG_CLOEXEC: sock() and
 * accept_cloexec() set the flag after. */
#define SOCK_CLOEXEC 0
#define MSG_CMSG_CLOEXEC 0
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* SO_NOSIGPIPE is set instead */
#endif

enum {
	HEADER_MAX = 64 * 1024,	 /* a request's header, at most */
	HEADER_SECONDS = 15,	 /* to send it, at most */
	SECRET_SECONDS = 3,	 /* the same before it has proved itself */
	CONNECT_SECONDS = 15,	 /* to reach the host */
	IDLE_SECONDS = 300,	 /* a tunnel with no traffic */
	DAEMON_IDLE_SECONDS = 60, /* the proxy with nothing to serve */
	BLOCKED_LINES = 20,	 /* lines on a tool's stderr, at most */
	MESSAGE_MAX = 32 * 1024, /* a registration */
	TOOL_CONNS = 256,	 /* connections of one tool at once */
	UNPROVEN_CONNS = 64,	 /* of them, not shown the secret yet */
	ALL_CONNS = 4096,	 /* of every tool */
	PENDING_MAX = 64,	 /* requests being sent to the proxy */
	PENDING_SECONDS = 2,	 /* to send one, at most */
};

static int cloexec(int fd)
{
#ifndef __linux__
	if (fd >= 0) {
		int one = 1;

		fcntl(fd, F_SETFD, FD_CLOEXEC);
		setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
	}
#endif
	return fd;
}

static int sock(int domain, int type)
{
	return cloexec(socket(domain, type | SOCK_CLOEXEC, 0));
}

static int accept_cloexec(int fd)
{
#ifdef __linux__
	return accept4(fd, NULL, NULL, SOCK_CLOEXEC);
#else
	return cloexec(accept(fd, NULL, NULL));
#endif
}

/* Sends LEN bytes of DATA with NFDS (1 to 6) descriptors (SCM_RIGHTS). */
static ssize_t send_fds(int sock, const void *data, size_t len,
			const int *fds, int nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(6 * sizeof(int))];
	} u;
	struct iovec iov = { (void *)data, len };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
	CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
	CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
	CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
	memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), fds, (size_t)nfds * sizeof(int));
	return sendmsg(sock, &m, MSG_NOSIGNAL);
}

/* The uid at the other end of a Unix socket, or (uid_t)-1. */
static uid_t peer_uid(int fd)
{
#ifdef __linux__
	struct ucred c;
	socklen_t len = sizeof(c);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) == 0)
		return c.uid;
#else
	uid_t uid;
	gid_t gid;

	if (getpeereid(fd, &uid, &gid) == 0)
		return uid;
#endif
	return (uid_t)-1;
}

/* NAME in sbx's own folder (next to the trust records; made when missing,
 * ours, not a link), or NULL with errno set. */
static char *ctl_file(const char *name)
{
	char *allow = trust_dir(), *dir, *f;
	struct stat st;

	if (!allow) {
		errno = ENOENT; /* no home */
		return NULL;
	}
	dir = path_dirname(allow);
	free(allow);
	/* ours, a folder, not a link (root with another user's HOME, as
	 * sudo keeps it, must not make or use folders there) */
	if (mkdirs(dir, 0700) < 0 || lstat(dir, &st) < 0) {
		free(dir);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		free(dir);
		errno = EPERM;
		return NULL;
	}
	if (st.st_mode & 077)
		chmod(dir, 0700);
	f = path_join(dir, name);
	free(dir);
	return f;
}

#ifdef SBX_PROXY_FILE
/* The control socket: a file in sbx's own folder (sealed against tools:
 * no tool can put a socket of its own there), and the daemon's lock; 4 is
 * the protocol's version, as in Linux's name. */
enum { CTL_TYPE = SOCK_STREAM };

static socklen_t ctl_address(struct sockaddr_un *a)
{
	char *f = ctl_file("proxy-4.sock");
	size_t n = f ? strlen(f) : 0;

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (!f)
		return 0;
	if (n >= sizeof(a->sun_path)) {
		free(f);
		errno = ENAMETOOLONG;
		return 0;
	}
	memcpy(a->sun_path, f, n);
	free(f);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}
#else
enum { CTL_TYPE = SOCK_SEQPACKET };

/* The control socket's abstract name: one proxy per uid, pid namespace (a
 * proxy must see its clients' pids) and user namespace (the namespaces it
 * makes are its user namespace's children, which only a shim of the same
 * one may join: inside a user's sbx session, the session's), version of
 * this protocol (4: requests by kind, a secret) and sbx binary (its device
 * and inode): a daemon of another sbx (an older one, still running through
 * an upgrade; another install or build) never meets this one's shims. */
#define SBX_PIDFD_GET_PID_NAMESPACE _IO(0xFF, 5)
#define SBX_PIDFD_GET_USER_NAMESPACE _IO(0xFF, 9)

/* The inodes of this process's pid and user namespaces (0 when they cannot
 * be looked at): asked of a pidfd of itself (6.11), which is cheaper than
 * /proc/self/ns (each entry there is made anew in a new process). */
static void self_ns(unsigned long ino[2])
{
	static const unsigned long req[2] = { SBX_PIDFD_GET_PID_NAMESPACE,
					      SBX_PIDFD_GET_USER_NAMESPACE };
	static const char *const path[2] = { "/proc/self/ns/pid",
					     "/proc/self/ns/user" };
	int self = (int)syscall(SYS_pidfd_open, getpid(), 0);

	for (int i = 0; i < 2; i++) {
		int fd = self < 0 ? -1 : ioctl(self, req[i], 0);
		struct stat st;
		int r = fd < 0 ? stat(path[i], &st) : fstat(fd, &st);

		if (fd >= 0)
			close(fd);
		ino[i] = r < 0 ? 0 : (unsigned long)st.st_ino;
	}
	if (self >= 0)
		close(self);
}

static socklen_t ctl_address(struct sockaddr_un *a)
{
	unsigned long ns[2];
	dev_t dev;
	ino_t ino;
	int n;

	self_ns(ns);
	self_identity(&dev, &ino); /* (0 and 0 when it cannot) */
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1,
		     "sbx-proxy-4-%u-%lu-%lu-%lu-%lu", (unsigned)getuid(), ns[0],
		     ns[1], (unsigned long)dev, (unsigned long)ino);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   (size_t)n);
}

/*
 * The daemon's second name, "...-look": a socket it listens on and never
 * polls. A shim that only needs the daemon's pidfd (to take a kept
 * confinement's descriptors, proxy_shared) connects there: the connection
 * waits in the backlog, the peer's credentials are the listener's, and the
 * daemon is not woken (woken, it ran on the shim's CPU, ~50 us per exec).
 * The daemon empties the backlog each time round its loop (at least once
 * a second).
 */
static socklen_t look_address(struct sockaddr_un *a)
{
	socklen_t len = ctl_address(a);
	size_t n = len - offsetof(struct sockaddr_un, sun_path);

	if (n + 5 > sizeof(a->sun_path))
		return 0;
	memcpy(a->sun_path + n, "-look", 5);
	return len + 5;
}

/*
 * The daemons' record: a file in sbx's own folder (next to the trust
 * records, ~/.local/share/sbx: a tool can neither write nor make one
 * there), one line per daemon of this user and this sbx binary, each
 * naming its daemon by its pidfd's inode (unique per process, Linux 6.9+)
 * and pid. A shim that runs under another sandbox's no_new_privs and
 * seccomp filter cannot tell a daemon from a tool sbx confined from a plain
 * shell by counting them (trusted_peer_pidfd): it also asks for the
 * record. A line says too how confined its daemon is (no_new_privs and
 * seccomp filters, counted as trusted_peer_pidfd counts), where its slots
 * begin, and its pid and user namespaces, so a shim finds the daemon by
 * the record alone (daemon_by_record), without a connection or a look at
 * /proc. The file is named without the namespaces, which a shim would have
 * to look at first (~13 us): a line of a daemon of another pid namespace (a
 * container that shares the home) names a process that is not there by
 * that pid and inode from here, and is passed over; one of another user
 * namespace only, daemon_by_record tells apart.
 */
enum { RECORDS_MAX = 8 };

static char *record_file(bool make)
{
	char name[128], *allow, *dir, *f;
	dev_t dev;
	ino_t ino;

	if (self_identity(&dev, &ino) < 0)
		return NULL;
	snprintf(name, sizeof(name), "sbx-proxy-4-%u-%lu-%lu.id",
		 (unsigned)getuid(), (unsigned long)dev, (unsigned long)ino);
	if (make)
		return ctl_file(name); /* the folder made, ours */
	allow = trust_dir();
	if (!allow)
		return NULL;
	dir = path_dirname(allow);
	f = path_join(dir, name);
	free(allow);
	free(dir);
	return f;
}

/* PIDFD's inode and pid, as the record says them, then a space. */
static void record_text(int pidfd, pid_t pid, char *text, size_t size)
{
	struct stat st;

	if (fstat(pidfd, &st) < 0)
		st.st_ino = 0;
	snprintf(text, size, "%llu %d ", (unsigned long long)st.st_ino,
		 (int)pid);
}

struct record {
	unsigned long long ino, ns[2], root; /* root: its root's mount (0) */
	long pid, count;
	int base;
};

/* The record's text (made since the machine started) into TEXT (SIZE
 * bytes, ended), or false. */
static bool record_text_read(char *text, size_t size)
{
	char *f = record_file(false);
	struct timespec real, boot;
	struct stat st;
	ssize_t n = -1;
	int fd;

	if (!f)
		return false;
	fd = open_cloexec(f, O_RDONLY | O_NOFOLLOW | O_NOCTTY);
	free(f);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    clock_gettime(CLOCK_REALTIME, &real) == 0 &&
	    clock_gettime(CLOCK_BOOTTIME, &boot) == 0 &&
	    st.st_mtime >= real.tv_sec - boot.tv_sec - 1)
		n = read(fd, text, size - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	return true;
}

/* One line of the record at *AT into R (its namespaces 0 when it names
 * none), *AT moved past it; false for a line that is not one. */
static bool record_line(char **at, struct record *r)
{
	char *line = *at, *end, *nl = strchr(line, '\n');
	long long v[7] = { 0, 0, 0, 0, 0, 0, 0 };
	int i;

	*at = nl ? nl + 1 : line + strlen(line);
	if (nl)
		*nl = '\0';
	for (i = 0; i < 7 && *line; i++) {
		errno = 0;
		v[i] = i == 0 || i >= 4 ? (long long)strtoull(line, &end, 10)
					: strtoll(line, &end, 10);
		if (end == line || errno || (*end != ' ' && *end != '\0'))
			return false;
		line = *end ? end + 1 : end;
	}
	if (i < 4 || v[1] <= 0 || v[1] > INT_MAX || v[3] < -1 || v[3] > INT_MAX)
		return false;
	r->ino = (unsigned long long)v[0];
	r->pid = (long)v[1];
	r->count = (long)v[2];
	r->base = (int)v[3];
	r->ns[0] = (unsigned long long)v[4];
	r->ns[1] = (unsigned long long)v[5];
	r->root = (unsigned long long)v[6];
	return true;
}

/* The record's lines into R (RECORDS_MAX at most): how many. */
static int record_read(struct record r[RECORDS_MAX])
{
	char text[1024], *at = text;
	int n = 0;

	if (!record_text_read(text, sizeof(text)))
		return 0;
	while (*at && n < RECORDS_MAX)
		if (record_line(&at, &r[n]))
			n++;
	return n;
}

/* The record names the process PIDFD (pid PID). */
static bool recorded(int pidfd, pid_t pid)
{
	struct record r[RECORDS_MAX];
	struct stat st;
	int n = record_read(r);

	if (n == 0 || fstat(pidfd, &st) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if ((unsigned long long)st.st_ino == r[i].ino &&
		    r[i].pid == (long)pid)
			return true;
	return false;
}

static long own_confinement(void);
static int slots_at;
#ifndef PIDFS_MAGIC
#define PIDFS_MAGIC 0x50494446
#endif

/* The unique id of the mount of this process's root (Linux 6.8), which
 * names its mount namespace; 0 when unknown. */
static unsigned long long root_mount(void)
{
	struct statx sx;

	if (syscall(SYS_statx, AT_FDCWD, "/", 0, 0x4000U /* MNT_ID_UNIQUE */,
		    &sx) < 0 ||
	    !(sx.stx_mask & 0x4000U))
		return 0;
	return (unsigned long long)sx.stx_mnt_id;
}

/* The process line R names is there (its pid, its pidfd's inode). */
static bool record_alive(const struct record *r)
{
	struct stat st;
	int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)r->pid, 0);
	bool alive = pidfd >= 0 && fstat(pidfd, &st) == 0 &&
		     (unsigned long long)st.st_ino == r->ino;

	if (pidfd >= 0)
		close(pidfd);
	return alive;
}

/* The daemon writes its line in the record (rename: never half there). */
static void write_record(void)
{
	char *f = record_file(true), *tmp, *lock, text[1024], old[1024],
	     *at = old;
	unsigned long ns[2];
	unsigned long long root;
	struct statfs fs;
	struct record r;
	size_t len;
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0), fd, kept = 0,
	    lockfd;

	if (!f || pidfd < 0) {
		free(f);
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	/* (only where pidfds have inodes of their own: pidfs, 6.9) */
	if (fstatfs(pidfd, &fs) < 0 || fs.f_type != PIDFS_MAGIC) {
		free(f);
		close(pidfd);
		return;
	}
	self_ns(ns);
	root = root_mount();
	record_text(pidfd, getpid(), text, sizeof(text));
	len = strlen(text);
	snprintf(text + len, sizeof(text) - len, "%ld %d %lu %lu %llu\n",
		 own_confinement(), slots_at, ns[0], ns[1], root);
	close(pidfd);
	/* one daemon at a time rewrites it (read, then renamed over) */
	lock = xasprintf("%s.lock", f);
	lockfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(lock);
	if (lockfd >= 0)
		flock(lockfd, LOCK_EX);
	/* first; then the lines of daemons of other namespaces, as they were
	 * (a line of this one's namespaces is of a daemon before it), but
	 * for those of this pid namespace whose process is gone */
	if (!record_text_read(old, sizeof(old)))
		old[0] = '\0';
	while (*at && kept < RECORDS_MAX - 1) {
		char *line = at;

		if (!record_line(&at, &r) ||
		    (r.ns[0] == ns[0] && r.ns[1] == ns[1] && r.root == root) ||
		    (r.ns[0] == ns[0] && !record_alive(&r)))
			continue;
		len = strlen(text);
		if (len + strlen(line) + 2 > sizeof(text))
			break;
		snprintf(text + len, sizeof(text) - len, "%s\n", line);
		kept++;
	}
	tmp = xasprintf("%s.%d", f, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) &&
	    close(fd) == 0)
		rename(tmp, f);
	else if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	free(f);
	if (lockfd >= 0)
		close(lockfd);
}

/* The daemon's line is in the record (another daemon's write may have
 * lost it: eight of other namespaces since, two at once), else written
 * again. A shim under another sandbox trusts only a daemon named there. */
static void record_keep(void)
{
	struct record r[RECORDS_MAX];
	struct stat st;
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0), n = record_read(r);
	bool there = false;

	if (pidfd < 0)
		return;
	for (int i = 0; i < n && !there && fstat(pidfd, &st) == 0; i++)
		there = r[i].ino == (unsigned long long)st.st_ino &&
			r[i].pid == (long)getpid();
	close(pidfd);
	if (!there)
		write_record();
}
#endif

/* ---- the shim's side ---- */

static void start_daemon(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return;
	if (pid == 0) {
		int null;
#ifdef __linux__
		const char *self = "/proc/self/exe";
#else
		char *self = self_path();
#endif

		setsid();
		if (fork() != 0)
			_exit(0);
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
#ifdef __linux__
		if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
#endif
			for (int fd = 3; fd < 1024; fd++)
				close(fd);
		if (!self || chdir("/") < 0)
			_exit(127);
		execl(self, "sbx", "proxy-daemon", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* This process is confined (then a proxy it started would be too, and no
 * outside shim would trust it). */
static bool confined_self(void)
{
#ifdef __APPLE__
	return sandbox_check(getpid(), NULL, 0) != 0;
#else
	return prctl(SBX_PRCTL_MARK, 0, 0, 0, 0) < 0 &&
	       errno == ENOTRECOVERABLE;
#endif
}

#ifdef __linux__
/* Reads the start of a /proc file (one read: what is looked for comes
 * early) into BUF, a string. Returns 0, or -1 when it cannot. */
static int read_proc(const char *path, char *buf, size_t size)
{
	int fd = open_cloexec(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* How confined process PID is: no_new_privs plus the number of seccomp
 * filters on it (sbx adds one to every tool), or -1 when unreadable. One
 * read into a buffer of the stack: both lines come early in the file. */
static long confinement(pid_t pid)
{
	char path[64], text[4096], *v, *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_proc(path, text, sizeof(text)) < 0)
		return -1;
	v = strstr(text, "\nNoNewPrivs:");
	f = strstr(text, "\nSeccomp_filters:");
	if (!v || !f)
		return -1;
	return (strtol(v + 12, NULL, 10) != 0) + strtol(f + 18, NULL, 10);
}

/* This process's: 0 without asking /proc when it has neither. */
static long own_confinement(void)
{
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0 &&
	    prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0)
		return 0;
	return confinement(getpid());
}

struct sbx_pidfd_info {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid,
		fsgid;
	int32_t exit_code;
};
#define SBX_PIDFD_GET_INFO _IOWR(0xFF, 11, struct sbx_pidfd_info)

/* The pid a pidfd stands for, or -1 when it has exited: the kernel's
 * PIDFD_GET_INFO (6.13), else the pidfd's fdinfo and a signal 0. */
static pid_t pidfd_pid(int pidfd)
{
	struct sbx_pidfd_info info;
	char path[64], text[512], *v;
	pid_t pid = -1;

	memset(&info, 0, sizeof(info));
	if (ioctl(pidfd, SBX_PIDFD_GET_INFO, &info) == 0)
		return info.pid > 0 ? (pid_t)info.pid : -1;
	if (errno == ESRCH)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	if (read_proc(path, text, sizeof(text)) < 0)
		return -1;
	v = strstr(text, "\nPid:");
	if (v)
		pid = (pid_t)strtol(v + 5, NULL, 10);
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return -1;
	return pid;
}
#endif

/* The process at the other end of FD is a proxy of ours: our uid, and no
 * more confined than this shim (a tool with the network on could take the
 * name first, and every tool sbx confines has no_new_privs and one seccomp
 * filter more than the shim that started it; the proxy, started by a shim
 * before it confines anything, has what the shim has). The peer is held by
 * a pidfd while it is looked at, so a pid reused meanwhile is no answer.
 * DAEMON (a shim looking at the daemon, not the daemon at a client): where
 * the shim has no_new_privs or a filter of its own (another sandbox's),
 * also the process the daemon's record names (record_file()).
 * macOS: our uid and not sandboxed (the socket's folder is sealed too). */
static bool trusted_peer_pidfd(int fd, int *keep, bool daemon)
{
#ifdef __linux__
	socklen_t len;
	int pidfd = -1;
	long theirs, ours;
	pid_t pid;
	bool ok;

	if (peer_uid(fd) != getuid())
		return false;
	ours = own_confinement();
	len = sizeof(pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0)
		return false; /* a kernel before 6.5: no proof, no trust */
	pid = pidfd_pid(pidfd);
	theirs = pid > 0 ? confinement(pid) : -1;
	/* still the same process after the look (not exited, pid reused) */
	ok = theirs >= 0 && ours >= 0 && theirs <= ours &&
	     pidfd_pid(pidfd) == pid;
#ifndef SBX_PROXY_FILE
	/* a shim under another sandbox: counts prove nothing (a tool sbx
	 * confined from a plain shell counts as many); the record does */
	if (ok && daemon && ours > 0 && !recorded(pidfd, pid))
		ok = false;
#else
	(void)daemon; /* (the socket's folder is sealed) */
#endif
	if (ok && keep)
		*keep = pidfd;
	else
		close(pidfd);
	return ok;
#else
	(void)keep;
	(void)daemon;
	pid_t pid = 0;
	socklen_t len = sizeof(pid);

	return peer_uid(fd) == getuid() &&
	       getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &pid, &len) == 0 &&
	       pid > 0 && sandbox_check(pid, NULL, 0) == 0;
#endif
}

static bool trusted_peer(int fd)
{
	return trusted_peer_pidfd(fd, NULL, false);
}

/* The control socket, connected to a proxy of ours (started when none
 * runs), or -1 (errno set). QUIET: no line when a process that is not ours
 * holds the name (the shared network namespace falls back quietly; named
 * hosts fail, and say why). PIDFD: when not NULL, set to a pidfd of the
 * proxy, as it was looked at. */
static int connect_ctl(bool quiet, int *pidfd)
{
	struct sockaddr_un a;
	socklen_t len = ctl_address(&a);
	int fd = -1;

	if (len == 0)
		return -1; /* no home, not ours, a path too long: errno */
	for (int i = 0; i < 400; i++) {
		fd = sock(AF_UNIX, CTL_TYPE);
		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&a, len) == 0) {
			if (trusted_peer_pidfd(fd, pidfd, true))
				return fd;
			close(fd);
			if (!quiet)
				msg("the proxy's socket is held by a process "
				    "that is not a proxy of yours (another "
				    "user's, or a confined tool's): refused");
			errno = EPERM;
			return -1;
		}
		close(fd);
		if (errno != ECONNREFUSED && errno != ENOENT)
			return -1;
		/* never from inside a sandbox: that proxy would be
		 * confined, and no outside shim would trust it (nor wait
		 * for one that will not come) */
		if (i == 0 && confined_self())
			return -1;
		if (i == 0)
			start_daemon();
		usleep(5000);
	}
	errno = ETIMEDOUT;
	return -1;
}

int proxy_connect(void)
{
	return connect_ctl(false, NULL);
}

#ifndef SBX_PROXY_FILE
/* A connection to the daemon's look socket (look_address), its peer a
 * proxy of ours, whose pidfd is set in PIDFD; or -1: no daemon, its
 * backlog full (a non-blocking connect), or not ours. Never starts one. */
static int connect_look(int *pidfd)
{
	struct sockaddr_un a;
	socklen_t len = look_address(&a);
	int fd;

	if (len == 0)
		return -1;
	fd = sock(AF_UNIX, CTL_TYPE | SOCK_NONBLOCK);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, len) == 0 &&
	    trusted_peer_pidfd(fd, pidfd, true))
		return fd;
	close(fd);
	return -1;
}
#endif

#ifdef SBX_PROXY_FILE
/* TOKEN: PROXY_TOKEN_LEN hex digits from the kernel's random source. */
static int make_token(char token[PROXY_TOKEN_LEN + 1])
{
	unsigned char r[PROXY_TOKEN_LEN / 2];

	if (getentropy(r, sizeof(r)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(token + 2 * i, 3, "%02x", r[i]);
	return 0;
}
#endif

int proxy_register(int ctl, const struct policy *p,
		   char token[PROXY_TOKEN_LEN + 1])
{
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	char *text = NULL, *name, ack = 0;
	size_t n = 0, cap = MESSAGE_MAX;
	int s, fds[3], nfds = 0, port = -1, saved;
	struct timeval tv = { 5, 0 };

	token[0] = '\0';
	s = sock(AF_INET, SOCK_STREAM);
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&in, sizeof(in)) < 0 ||
	    listen(s, 128) < 0 ||
	    getsockname(s, (struct sockaddr *)&in, &len) < 0)
		goto out;
#ifdef SBX_PROXY_FILE
	/* on the host's loopback: requests must prove they are the tool's */
	if (make_token(token) < 0)
		goto out;
#endif
	text = xmalloc(cap);
	/* one field a line: a tool's name or a config's path with a newline
	 * in it must not add a line (a host, an empty secret) */
	name = escape_ctl(p->tool ? p->tool : "sbx");
	n = (size_t)snprintf(text, cap, "reg\n%s\n%d\n%s\n", name,
			     debug_on ? 1 : 0, token);
	free(name);
	for (size_t i = 0; i < p->hosts.n && n < cap; i++) {
		char *h = escape_ctl(p->hosts.v[i].path);
		char *src = escape_ctl(source_str(&p->hosts.v[i].src));

		n += (size_t)snprintf(text + n, cap - n, "%s\t%s\n", h, src);
		free(h);
		free(src);
	}
	if (n >= cap) {
		errno = E2BIG;
		goto out;
	}
	fds[nfds++] = s;
	fds[nfds++] = 2;
#ifdef __linux__
	/* the tool's process, for the proxy to know when it is gone (macOS:
	 * the proxy watches the pid of this socket's peer) */
	fds[nfds] = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fds[nfds++] < 0)
		goto out;
#endif
	setsockopt(ctl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	errno = 0;
	if (send_fds(ctl, text, n, fds, nfds) == (ssize_t)n &&
#ifdef SBX_PROXY_FILE
	    shutdown(ctl, SHUT_WR) == 0 && /* a stream: the message's end */
#endif
	    recv(ctl, &ack, 1, 0) == 1 && ack == 'k')
		port = ntohs(in.sin_port);
	else if (errno == 0 || ack)
		errno = ECONNREFUSED; /* the proxy refused or went away */
out:
	saved = errno;
	free(text);
	if (nfds > 2 && fds[2] >= 0)
		close(fds[2]);
	if (s >= 0)
		close(s);
	close(ctl);
	errno = saved;
	return port;
}

#ifndef SBX_PROXY_FILE
/* The confinement P gives, as a key: tools whose keys are equal may share
 * a loopback (none gains by reaching another's servers: they may do the
 * same things). */
static void net_key(const struct policy *p, char hex[65])
{
	/* everything the tool's sandbox depends on, secrets it keeps too (a
	 * server of a tool that keeps GITHUB_TOKEN must not answer one that
	 * does not) */
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, "net\n", 4);
	policy_hash(p, &c);
	sha256_hex(&c, hex);
}

/* Takes the descriptors of message M (SCM_RIGHTS), at most MAX of them
 * into FDS, closing the rest; returns how many. */
static int take_fds(struct msghdr *m, int *fds, int max)
{
	struct cmsghdr *h;
	int n = 0;

	for (h = CMSG_FIRSTHDR(m); h; h = CMSG_NXTHDR(m, h)) {
		size_t k;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (n < max)
				fds[n++] = cloexec(fd);
			else
				close(fd);
		}
	}
	return n;
}

/*
 * The daemon keeps what each confinement was given at fixed descriptor
 * numbers (slot_base() of its RLIMIT_NOFILE + slot * SLOT_STRIDE + SL_*;
 * the slot from the key),
 * with a memfd named after the key first, so a shim that trusts the daemon
 * takes them (pidfd_getfd) without a request: no wait for the daemon to be
 * scheduled, the dearest part of a request on a virtual machine. The
 * daemon empties a slot's key first and fills it last, so the key read
 * again after the rest, the same memfd, proves the rest is that key's.
 */
enum {
	SLOT_MIN_LIMIT = 10000, /* a daemon allowed fewer descriptors: no
				 * slots (connections would reach them) */
	SLOTS = 64,
	/* copies of a slot's mount namespace, each with a devpts of its
	 * own, made ahead (pool_fill) for the tools that join it */
	POOL = 16,
	SLOT_STRIDE = 32,
	SL_KEY = 0,
	SL_USER,
	SL_NET,
	SL_MNT,
	SL_RULES,
	/* a cached policy (pcache.c), in the slot of its lookup key: its
	 * memfd (filled last), watch, and a pipe holding one byte while it
	 * is alive (pc_events) */
	SL_PC,
	SL_PCW,
	SL_PCA,
	/* the copies: a pipe of claims (struct claim), read by whoever
	 * takes one, and the copies (SL_CP + place); see claim() */
	SL_CQ,
	SL_CP,
};
/* One claim in the pipe: the place of a copy and the copy's mount
 * namespace id (NS_GET_MNTNS_ID: never given twice). */
struct claim {
	uint32_t place, pad;
	uint64_t id;
};
#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID _IOR(0xb7, 0x5, uint64_t)
#endif
/* The daemon's secret (a memfd) just below the slots: only a process
 * allowed to take descriptors from the daemon reads it, so a message that
 * holds it comes from no tool (Landlock refuses them that). */
#define TOKEN_AT(base) ((base) - 1)
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int key_slot(const char *mkey)
{
	return (int)(strtoul((char[]){ mkey[0], mkey[1], mkey[2], 0 }, NULL,
			     16) %
		     SLOTS);
}

/* The slots are the daemon's highest descriptor numbers, below its
 * RLIMIT_NOFILE (another process of ours may read it: prlimit); -1 when
 * it keeps none. A limit changed by someone else only makes the key's
 * name miss. */
static int slot_base(rlim_t limit)
{
	if (limit < SLOT_MIN_LIMIT + SLOTS * SLOT_STRIDE || limit > INT_MAX)
		return -1;
	return (int)limit - SLOTS * SLOT_STRIDE;
}

static int getfd(int pidfd, int base, int slot, int what)
{
	return (int)syscall(SYS_pidfd_getfd, pidfd,
			    base + slot * SLOT_STRIDE + what, 0);
}

/* The key memfd FD holds KEY (and is named "sbx-KEY"): read, not its
 * name looked up in /proc (~5 us more in a new process). */
static bool key_is(int fd, const char *mkey)
{
	char text[65];

	return pread(fd, text, sizeof(text), 0) == 64 &&
	       memcmp(text, mkey, 64) == 0;
}

/* The slot base of the daemon PIDFD stands for, or -1. */
static int daemon_base(int pidfd)
{
	pid_t pid = pidfd_pid(pidfd);
	struct rlimit lim;

	if (pid <= 0 || prlimit(pid, RLIMIT_NOFILE, NULL, &lim) < 0)
		return -1;
	return slot_base(lim.rlim_cur);
}

/* The daemon as the look socket shows it, looked at once per process: a
 * pidfd of it (BASE set) or -1. */
static int look_pidfd = -2, look_base = -1;

/* The daemon its record names, when it runs and is no more confined than
 * this process: a pidfd of it (its inode the record's: pidfs numbers each
 * process once) and its slot base in BASE; or -1. */
static int daemon_by_record(int *base)
{
	struct record r[RECORDS_MAX];
	struct stat st;
	long ours = -2;
	unsigned long ns[2] = { 0, 0 };
	unsigned long long root = pcache_root_mount();
	int n = record_read(r), m = 0;

	/* A daemon of another mount namespace (an agent's session's view:
	 * its daemon was started there) keeps other keys: passed over by its
	 * root's mount, which the lookup key took. Two left or more: a daemon
	 * of an agent's session of a user (a user namespace of its own) is
	 * there by its pid from outside too, and the other way round: the
	 * namespaces tell them apart (looked at only then, ~13 us). */
	for (int i = 0; i < n; i++) {
		if (root && r[i].root && r[i].root != root)
			r[i].pid = 0;
		else
			m++;
	}
	if (m > 1)
		self_ns(ns);
	for (int i = 0; i < n; i++) {
		int pidfd;

		if (r[i].pid == 0 ||
		    (m > 1 && (r[i].ns[0] != ns[0] || r[i].ns[1] != ns[1])))
			continue;
		if (r[i].count < 0 ||
		    (ours == -2 && (ours = own_confinement()) < 0) ||
		    r[i].count > ours)
			continue;
		pidfd = (int)syscall(SYS_pidfd_open, (pid_t)r[i].pid, 0);
		if (pidfd < 0)
			continue;
		if (fstat(pidfd, &st) < 0 ||
		    (unsigned long long)st.st_ino != r[i].ino) {
			close(pidfd);
			continue;
		}
		*base = r[i].base >= 0 && r[i].base < INT_MAX ? r[i].base : -1;
		return pidfd;
	}
	return -1;
}

static int daemon_look(int *base)
{
	if (look_pidfd == -2) {
		int pidfd = -1, ctl;

		look_pidfd = daemon_by_record(&look_base);
		if (look_pidfd >= 0 && look_base >= 0) {
			*base = look_base;
			return look_pidfd;
		}
		if (look_pidfd >= 0)
			close(look_pidfd);
		ctl = connect_look(&pidfd);
		look_pidfd = -1;
		if (ctl >= 0) {
			close(ctl);
			look_base = daemon_base(pidfd);
			if (look_base >= 0)
				look_pidfd = pidfd;
			else
				close(pidfd);
		}
	}
	*base = look_base;
	return look_pidfd;
}

/*
 * A copy of the slot's mount namespace that the daemon made ahead, claimed
 * for this tool alone: a claim read from the slot's pipe (each is read
 * once) names the place of a copy and the copy's id, and the copy there
 * has that id (ids are never given again). A place emptied or filled anew
 * since has another copy, or none: refused, the tool makes its own, as
 * when a burst of tools used them all up. -1 then. (Only the daemon writes
 * claims: a process that could write one twice could take the daemon's
 * descriptors, the confinement's namespace itself among them, so it is
 * trusted as the daemon is; no confined tool can.)
 */
static int claim(int pidfd, int base, int slot)
{
	int q = getfd(pidfd, base, slot, SL_CQ), copy;
	struct claim c;
	uint64_t id;
	ssize_t n;

	if (q < 0)
		return -1;
	n = read(q, &c, sizeof(c)); /* (non-blocking: the daemon made it so) */
	close(q);
	if (n != (ssize_t)sizeof(c) || c.place >= POOL)
		return -1;
	copy = getfd(pidfd, base, slot, SL_CP + (int)c.place);
	if (copy >= 0 &&
	    (ioctl(copy, NS_GET_MNTNS_ID, &id) < 0 || id != c.id)) {
		close(copy);
		copy = -1;
	}
	return copy;
}

static int taken(int pidfd, int base, const char *mkey, bool net,
		 struct shared_ns *ns)
{
	int slot = key_slot(mkey), k1 = -1, k2 = -1;
	struct stat a, b;
	bool ok;

	if (base < 0)
		return -1;
	k1 = getfd(pidfd, base, slot, SL_KEY);
	if (k1 < 0 || !key_is(k1, mkey)) {
		if (k1 >= 0)
			close(k1);
		return -1;
	}
	ns->userns = getfd(pidfd, base, slot, SL_USER);
	ns->netns = net ? getfd(pidfd, base, slot, SL_NET) : -1;
	ns->mntns = getfd(pidfd, base, slot, SL_MNT);
	ns->ruleset = getfd(pidfd, base, slot, SL_RULES);
	if (ns->mntns >= 0)
		ns->copy = claim(pidfd, base, slot);
	k2 = getfd(pidfd, base, slot, SL_KEY);
	ok = k2 >= 0 && fstat(k1, &a) == 0 && fstat(k2, &b) == 0 &&
	     a.st_ino == b.st_ino && a.st_dev == b.st_dev && ns->mntns >= 0 &&
	     ns->ruleset >= 0 && (!net || ns->netns >= 0);
	close(k1);
	if (k2 >= 0)
		close(k2);
	if (!ok)
		proxy_shared_close(ns);
	return ok ? 0 : -1;
}

int proxy_shared(const struct policy *p, const char *mkey,
		 struct shared_ns *ns)
{
	char text[160], hex[65], ans[8];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct iovec iov = { ans, sizeof(ans) - 1 };
	struct msghdr m;
	struct timeval tv = { 5, 0 };
	int fds[4], nfds, ctl, saved, pidfd = -1, base;
	const char *v;
	bool ask;
	ssize_t n;

	ns->userns = ns->netns = ns->mntns = ns->ruleset = ns->copy = -1;
	/* SBX_SHARE=ask: by request only, as where ptrace is refused */
	v = getenv(ENV_SHARE);
	ask = v && strcmp(v, "ask") == 0;
	/* kept already: taken without waking the daemon */
	if (mkey && !ask && (pidfd = daemon_look(&base)) >= 0 &&
	    taken(pidfd, base, mkey, !p->network, ns) == 0) {
		trace("the confinement's namespaces taken from sbx's proxy");
		return 0;
	}
	ctl = connect_ctl(true, &pidfd);
	if (ctl < 0)
		return -1;
	if (mkey && !ask &&
	    taken(pidfd, daemon_base(pidfd), mkey, !p->network, ns) == 0) {
		/* (the daemon just started: kept by another name) */
		trace("the confinement's namespaces taken from sbx's proxy");
		close(pidfd);
		close(ctl);
		return 0;
	}
	close(pidfd);
	if (!p->network)
		net_key(p, hex);
	snprintf(text, sizeof(text), "ns\n%s\n%s\n", p->network ? "-" : hex,
		 mkey ? mkey : "-");
	if (send(ctl, text, strlen(text), MSG_NOSIGNAL) < 0) {
		close(ctl);
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	setsockopt(ctl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recvmsg(ctl, &m, MSG_CMSG_CLOEXEC);
	saved = errno;
	close(ctl);
	nfds = n > 0 ? take_fds(&m, fds, 4) : 0;
	if (n > 0)
		ans[n] = '\0';
	/* "k" and a letter per descriptor, in order: u(ser), n(et),
	 * m(ount), l(andlock ruleset) */
	if (n < 1 || ans[0] != 'k' || (size_t)nfds != strlen(ans + 1) ||
	    (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		errno = n < 0 ? saved : ECONNREFUSED;
		return -1;
	}
	for (int i = 0; i < nfds; i++) {
		int *slot = ans[1 + i] == 'u'	? &ns->userns
			    : ans[1 + i] == 'n' ? &ns->netns
			    : ans[1 + i] == 'm' ? &ns->mntns
			    : ans[1 + i] == 'l' ? &ns->ruleset
						: NULL;

		if (slot && *slot < 0)
			*slot = fds[i];
		else
			close(fds[i]);
	}
	if ((!p->network && ns->netns < 0) || (ns->mntns < 0) != (ns->ruleset < 0)) {
		proxy_shared_close(ns);
		errno = ECONNREFUSED;
		return -1;
	}
	return 0;
}

void proxy_shared_close(struct shared_ns *ns)
{
	int *all[] = { &ns->userns, &ns->netns, &ns->mntns, &ns->ruleset,
		       &ns->copy };

	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
		if (*all[i] >= 0)
			close(*all[i]);
		*all[i] = -1;
	}
}

int proxy_pc_take(const char *lkey, int fds[3])
{
	int base, pidfd = daemon_look(&base), slot = key_slot(lkey), again;
	struct stat a, b;
	bool ok;

	fds[0] = fds[1] = fds[2] = -1;
	if (pidfd < 0)
		return -1;
	fds[0] = getfd(pidfd, base, slot, SL_PC);
	if (fds[0] < 0)
		return -1;
	fds[1] = getfd(pidfd, base, slot, SL_PCW);
	fds[2] = getfd(pidfd, base, slot, SL_PCA);
	/* the memfd again, the same: the other two are its (the daemon
	 * empties the slot's memfd first and fills it last) */
	again = getfd(pidfd, base, slot, SL_PC);
	ok = fds[1] >= 0 && fds[2] >= 0 && again >= 0 &&
	     fstat(fds[0], &a) == 0 && fstat(again, &b) == 0 &&
	     a.st_ino == b.st_ino && a.st_dev == b.st_dev;
	if (again >= 0)
		close(again);
	if (!ok) {
		for (int i = 0; i < 3; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		fds[0] = fds[1] = fds[2] = -1;
		return -1;
	}
	return 0;
}

int proxy_pc_store(const char *lkey, int memfd, int watch, int mounts)
{
	char text[160], token[65];
	int pidfd = -1, ctl, tok, base, fds[3] = { memfd, watch, mounts };
	ssize_t n;

	ctl = connect_ctl(true, &pidfd);
	if (ctl < 0)
		return -1;
	base = daemon_base(pidfd);
	tok = base < 0 ? -1
		       : (int)syscall(SYS_pidfd_getfd, pidfd, TOKEN_AT(base), 0);
	close(pidfd);
	n = tok < 0 ? -1 : pread(tok, token, 64, 0);
	if (tok >= 0)
		close(tok);
	if (n != 64) {
		close(ctl);
		return -1;
	}
	token[64] = '\0';
	/* no answer waited for: the token, not a look at this process
	 * (soon confined), says who sends it */
	snprintf(text, sizeof(text), "pc\n%s\n%s\n", lkey, token);
	n = send_fds(ctl, text, strlen(text), fds, 3);
	explicit_bzero(token, sizeof(token));
	explicit_bzero(text, sizeof(text));
	close(ctl);
	return n > 0 ? 0 : -1;
}

int proxy_donate_connect(void)
{
	return connect_ctl(true, NULL);
}

int proxy_donate(int ctl, const struct policy *p, const char *mkey,
		 int ruleset, int mounts, const struct timespec *scan)
{
	char text[160], hex[65], ack = 0;
	int fds[6], r = -1;

	fds[0] = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	fds[1] = ruleset;
	fds[2] = mounts;
	fds[3] = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	/* the temp folders root's tool looked at (the daemon watches its
	 * own: root's namespace is kept only when they are the same) */
	fds[4] = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
	fds[5] = open("/dev/shm", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!p->network)
		net_key(p, hex);
	snprintf(text, sizeof(text), "mnt\n%s\n%s\n%lld.%09ld\n", mkey,
		 p->network ? "-" : hex, (long long)scan->tv_sec,
		 (long)scan->tv_nsec);
	if (fds[0] >= 0 && fds[3] >= 0 && fds[4] >= 0 && fds[5] >= 0 &&
	    send_fds(ctl, text, strlen(text), fds, 6) > 0) {
		struct timeval tv = { 2, 0 };

		/* until the proxy has looked at this process: a look after
		 * no_new_privs would refuse it */
		setsockopt(ctl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (recv(ctl, &ack, 1, 0) == 1 && ack == 'k')
			r = 0;
	}
	for (int i = 0; i < 6; i++)
		if (i != 1 && i != 2 && fds[i] >= 0)
			close(fds[i]);
	close(ctl);
	return r;
}
#endif

void proxy_environment(int port, const char *token, const struct policy *p)
{
	bool lo4 = false;
	static const char *const names[] = {
		"HTTP_PROXY",	   "HTTPS_PROXY",	      "http_proxy",
		"https_proxy",	   "npm_config_proxy",	      "npm_config_https_proxy",
		"YARN_HTTP_PROXY", "YARN_HTTPS_PROXY",
	};
	char url[128];

	if (token[0])
		snprintf(url, sizeof(url), "http://sbx:%s@127.0.0.1:%d", token,
			 port);
	else
		snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		xsetenv(names[i], url);
	/* the tool's own loopback stays direct, unless the list names an
	 * address there by number: the host's, reached through the proxy */
	for (size_t i = 0; i < p->hosts.n; i++)
		lo4 |= strncmp(p->hosts.v[i].path, "127.", 4) == 0;
	xsetenv("NO_PROXY", lo4 ? "localhost,::1" : "localhost,127.0.0.1,::1");
	xsetenv("no_proxy", lo4 ? "localhost,::1" : "localhost,127.0.0.1,::1");
	/* node's own fetch and http honour the variables with this (22+) */
	xsetenv("NODE_USE_ENV_PROXY", "1");
	xunsetenv("ALL_PROXY");
	xunsetenv("all_proxy");
}

/* ---- the proxy ---- */

struct host {
	char *pattern; /* name, *.domain; with :port or not */
	char *source;
};

struct reg {
	atomic_int refs;
	int listener, err, pidfd;
	atomic_bool gone; /* the tool has exited */
	char *tool;
	char *auth; /* "Basic ..." requests must carry, or NULL */
	bool debug;
	struct host *hosts;
	size_t n;
	atomic_int blocked; /* lines printed */
	atomic_int conns;   /* being served */
	/* connections yet to show the secret (macOS): the oldest makes way
	 * for a new one, so that nobody can hold the port against the tool */
	pthread_mutex_t mu;
	int unproven[UNPROVEN_CONNS]; /* their descriptors, or -1 */
	time_t since[UNPROVEN_CONNS];
};

static atomic_int active; /* connections being served */

static void reg_unref(struct reg *r)
{
	if (atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	if (r->err >= 0)
		close(r->err);
	for (size_t i = 0; i < r->n; i++) {
		free(r->hosts[i].pattern);
		free(r->hosts[i].source);
	}
	free(r->hosts);
	free(r->tool);
	free(r->auth);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

static bool allowed(const struct reg *r, const char *host, int port)
{
	for (size_t i = 0; i < r->n; i++)
		if (policy_host_matches(r->hosts[i].pattern, host, port))
			return true;
	return false;
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* One line on the tool's stderr, if it takes it now: a terminal stopped
 * or a pipe nobody reads costs a line, never a thread. */
static void say(struct reg *r, const char *line)
{
	struct pollfd p = { r->err, POLLOUT, 0 };

	if (!atomic_load(&r->gone) && poll(&p, 1, 200) == 1 &&
	    (p.revents & POLLOUT))
		write_all(r->err, line, strlen(line));
}

/* The tool has exited: every thread of it ends within a second or so (and
 * the last one lets its stderr go). Never blocks: the main loop calls it. */
static void reg_gone(struct reg *r)
{
	atomic_store(&r->gone, true);
}

/* Appends to BUF (of CAP bytes, *N used) what fits, always terminated. */
static void append(char *buf, size_t cap, size_t *n, const char *s)
{
	size_t k = strlen(s);

	if (*n + 1 >= cap)
		return;
	if (k > cap - 1 - *n)
		k = cap - 1 - *n;
	memcpy(buf + *n, s, k);
	*n += k;
	buf[*n] = '\0';
}

static void refuse(int fd, struct reg *r, const char *host, int port)
{
	char body[1024], head[256], line[1200], num[16];
	size_t n = 0;
	char *h = escape_ctl(host);

	snprintf(num, sizeof(num), ":%d", port);
	append(body, sizeof(body) - 1, &n, "sbx: ");
	append(body, sizeof(body) - 1, &n, r->tool);
	append(body, sizeof(body) - 1, &n, ": blocked ");
	append(body, sizeof(body) - 1, &n, h);
	append(body, sizeof(body) - 1, &n, num);
	append(body, sizeof(body) - 1, &n, " (not in network = ");
	for (size_t i = 0; i < r->n; i++) {
		if (i)
			append(body, sizeof(body) - 1, &n, ", ");
		append(body, sizeof(body) - 1, &n, r->hosts[i].pattern);
	}
	if (r->n) {
		append(body, sizeof(body) - 1, &n, ", ");
		append(body, sizeof(body) - 1, &n, r->hosts[0].source);
	}
	append(body, sizeof(body) - 1, &n, ")");
	free(h);
	/* the line first: the tool learns of the refusal after it */
	if (atomic_fetch_add(&r->blocked, 1) < BLOCKED_LINES) {
		snprintf(line, sizeof(line), "%s\n", body);
		say(r, line);
	} else if (atomic_load(&r->blocked) == BLOCKED_LINES + 1) {
		snprintf(line, sizeof(line),
			 "sbx: %s: more connections blocked (not shown)\n",
			 r->tool);
		say(r, line);
	}
	body[n++] = '\n'; /* room was kept for it */
	body[n] = '\0';
	snprintf(head, sizeof(head),
		 "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		 n);
	write_all(fd, head, strlen(head));
	write_all(fd, body, n);
}

/* Ends a connection whose client may still be sending (a header too big):
 * what it sent is read and dropped for a while, so that the answer is not
 * lost to a reset. */
static void drain(int fd)
{
	char buf[16384];
	time_t end = time(NULL) + 2;

	shutdown(fd, SHUT_WR);
	while (time(NULL) < end) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 500) <= 0 || recv(fd, buf, sizeof(buf), 0) <= 0)
			break;
	}
}

static void reply(int fd, const char *status)
{
	char buf[256];

	snprintf(buf, sizeof(buf),
		 "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		 status);
	write_all(fd, buf, strlen(buf));
}

/* An address a name must not lead to unless it was asked for by number:
 * this machine (its loopback, "any", the addresses of its own interfaces:
 * databases, Docker's API), link-local and the clouds' metadata services
 * (169.254.169.254, fd00:ec2::254, 100.100.100.200). A name in the list
 * whose DNS answers one of these (rebinding) is refused. */
static bool inward4(uint32_t a)
{
	return (a >> 24) == 127 || (a >> 24) == 0 || (a >> 16) == 0xa9fe ||
	       a == 0x646464c8; /* 100.100.100.200 */
}

static bool own_address(const struct sockaddr *sa)
{
	struct ifaddrs *ifs, *i;
	bool own = false;

	if (getifaddrs(&ifs) < 0)
		return true; /* cannot tell: refuse */
	for (i = ifs; i && !own; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET)
			own = ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
			      ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
		else
			own = memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
				     &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
				     16) == 0;
	}
	freeifaddrs(ifs);
	return own;
}

static bool inward(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return inward4(ntohl(((const struct sockaddr_in *)sa)
					     ->sin_addr.s_addr)) ||
		       own_address(sa);
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)sa)->sin6_addr;
		static const unsigned char ec2[16] = { 0xfd, 0, 0, 0xec, 2, 0,
						       0, 0, 0, 0, 0, 0, 0, 0,
						       0, 0x54 };

		if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a)) {
			struct sockaddr_in v4;

			memset(&v4, 0, sizeof(v4));
			v4.sin_family = AF_INET;
			memcpy(&v4.sin_addr, &a->s6_addr[12], 4);
			return inward((struct sockaddr *)&v4);
		}
		return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
		       IN6_IS_ADDR_UNSPECIFIED(a) ||
		       memcmp(a, ec2, 16) == 0 || own_address(sa);
	}
	return true;
}

static int dial(const char *host, int port)
{
	struct addrinfo hints, *res, *ai;
	struct timeval tv = { CONNECT_SECONDS, 0 };
	char ports[8];
	int fd = -1;
	bool numeric;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ports, sizeof(ports), "%d", port);
	/* a number is taken as it is: the list named it */
	numeric = strspn(host, "0123456789.") == strlen(host);
	if (getaddrinfo(host, ports, &hints, &res) != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		if (!numeric && inward(ai->ai_addr))
			continue;
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Copies both ways until both sides are done, nothing moves for
 * IDLE_SECONDS, or the tool is gone. */
/* An answer's head as the client gets it (HEAD, N bytes, ending with the
 * empty line): with Connection: close in place of what it said about the
 * connection, so that the client sends no second request on it (that one
 * would go to this host, unchecked, with the proxy's headers). */
static void send_head(int fd, char *head, size_t n)
{
	char *line = strstr(head, "\r\n") + 2, *end = head + n - 2;

	write_all(fd, head, (size_t)(line - head));
	while (line < end) {
		char *next = strstr(line, "\r\n") + 2;

		if (strncasecmp(line, "Connection:", 11) != 0 &&
		    strncasecmp(line, "Keep-Alive:", 11) != 0 &&
		    strncasecmp(line, "Proxy-Connection:", 17) != 0)
			write_all(fd, line, (size_t)(next - line));
		line = next;
	}
	write_all(fd, "Connection: close\r\n\r\n", 21);
}

/* Copies both ways until both sides are done, nothing moves for
 * IDLE_SECONDS, or the tool is gone. With HEAD (plain HTTP), the answer's
 * head from B is held until complete and sent through send_head(). */
static void relay_http(struct reg *reg, int a, int b, char *head)
{
	struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
	char buf[16384];
	bool open_[2] = { true, true };
	size_t hn = 0;
	int idle = 0;

	while ((open_[0] || open_[1]) && !atomic_load(&reg->gone)) {
		int r = poll(p, 2, 1000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (r == 0 && ++idle >= IDLE_SECONDS))
			return;
		if (r == 0)
			continue;
		idle = 0;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = recv(p[i].fd, buf, sizeof(buf), 0);
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				if (i == 1 && head && hn > 0)
					write_all(a, head, hn); /* no head */
				head = i == 1 ? NULL : head;
				shutdown(p[1 - i].fd, SHUT_WR);
				open_[i] = false;
				p[i].fd = -1;
				continue;
			}
			if (i == 1 && head) {
				size_t k = (size_t)n < HEADER_MAX - 1 - hn
						   ? (size_t)n
						   : HEADER_MAX - 1 - hn;
				char *e;

				memcpy(head + hn, buf, k);
				hn += k;
				head[hn] = '\0';
				e = strstr(head, "\r\n\r\n");
				if (e && strstr(head, "\r\n") < e + 2) {
					size_t hl = (size_t)(e + 4 - head);

					send_head(a, head, hl);
					write_all(a, head + hl, hn - hl);
				} else if (hn < HEADER_MAX - 1) {
					continue; /* more of the head */
				} else {
					write_all(a, head, hn); /* too long */
				}
				write_all(a, buf + k, (size_t)n - k);
				head = NULL;
				continue;
			}
			write_all(p[1 - i].fd, buf, (size_t)n);
		}
	}
}

static void relay(struct reg *reg, int a, int b)
{
	relay_http(reg, a, b, NULL);
}

/* Reads a request header into BUF (NUL-terminated); its length, or -1. */
static ssize_t read_header(struct reg *reg, int fd, char *buf, size_t cap,
			   size_t *got, int seconds)
{
	time_t end = time(NULL) + seconds;
	size_t n = 0;

	while (n < cap - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		int left = (int)(end - time(NULL)), ready;
		ssize_t r;
		char *e;

		if (left <= 0 || atomic_load(&reg->gone))
			return -1;
		ready = poll(&p, 1, 1000); /* a second at a time: gone? */
		if (ready < 0)
			return -1;
		if (ready == 0)
			continue;
		r = recv(fd, buf + n, cap - 1 - n, 0);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
		e = strstr(buf, "\r\n\r\n");
		if (e) {
			*got = n;
			return e + 4 - buf;
		}
	}
	*got = n;
	return -2; /* too long */
}

/* host[:port] at S (its end at END), into HOST (lowercase, no trailing
 * dot) and *PORT (DEF when none). */
static bool split_host(const char *s, size_t len, char *host, size_t cap,
		       int *port, int def)
{
	const char *colon = memchr(s, ':', len);
	size_t n = colon ? (size_t)(colon - s) : len;

	if (s[0] == '[' || n == 0 || n >= cap)
		return false; /* IPv6 literals: never listed by name */
	for (size_t i = 0; i < n; i++)
		host[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	host[n] = '\0';
	if (n > 1 && host[n - 1] == '.')
		host[n - 1] = '\0';
	*port = def;
	if (colon) {
		char digits[8];
		size_t d = len - n - 1;

		if (d == 0 || d >= sizeof(digits))
			return false;
		memcpy(digits, colon + 1, d);
		digits[d] = '\0';
		*port = (int)strtol(digits, NULL, 10);
		if (*port < 1 || *port > 65535 ||
		    strspn(digits, "0123456789") != d)
			return false;
	}
	return true;
}

struct conn {
	int fd;
	struct reg *reg;
};

#ifdef SBX_PROXY_FILE
/* FD (a connection of R) is no longer waiting to show the secret. */
static void proven(struct reg *r, int fd)
{
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < UNPROVEN_CONNS; i++)
		if (r->unproven[i] == fd)
			r->unproven[i] = -1;
	pthread_mutex_unlock(&r->mu);
}

/* FD waits to show the secret: in a free place, or in the oldest one's,
 * whose connection is ended (its thread closes it). */
static void unproven(struct reg *r, int fd)
{
	size_t k = 0;

	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < UNPROVEN_CONNS; i++) {
		if (r->unproven[i] < 0) {
			k = i;
			break;
		}
		if (r->since[i] < r->since[k])
			k = i;
	}
	if (r->unproven[k] >= 0)
		shutdown(r->unproven[k], SHUT_RDWR);
	r->unproven[k] = fd;
	r->since[k] = time(NULL);
	pthread_mutex_unlock(&r->mu);
}

/* "Basic " and S in base64 (RFC 4648). */
static char *basic(const char *s)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/=";
	size_t n = strlen(s), k = 6;
	char *out = xmalloc(6 + (n + 2) / 3 * 4 + 1);

	memcpy(out, "Basic ", 6);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		out[k++] = b64[v >> 18 & 63];
		out[k++] = b64[v >> 12 & 63];
		out[k++] = b64[i + 1 < n ? v >> 6 & 63 : 64];
		out[k++] = b64[i + 2 < n ? v & 63 : 64];
	}
	out[k] = '\0';
	return out;
}

/* The request (its header lines from after the request line at EOL to
 * END) carries the run's secret: Proxy-Authorization: Basic sbx:TOKEN.
 * Compared in constant time. */
static bool authorized(const struct reg *r, const char *eol, const char *end)
{
	size_t want = strlen(r->auth);

	for (const char *line = eol + 2; line < end - 2;) {
		const char *next = strstr(line, "\r\n");
		const char *v = line + 20;

		if (!next)
			break;
		if ((size_t)(next - line) > 20 &&
		    strncasecmp(line, "Proxy-Authorization:", 20) == 0) {
			unsigned diff = 0;

			while (*v == ' ' || *v == '\t')
				v++;
			if ((size_t)(next - v) != want)
				return false;
			for (size_t i = 0; i < want; i++)
				diff |= (unsigned char)(v[i] ^ r->auth[i]);
			return diff == 0;
		}
		line = next + 2;
	}
	return false;
}
#else
/* Linux: the tool's port is in its own network namespace, and no request
 * carries a secret (r->auth is NULL: receive() takes none). */
#define proven(r, fd) ((void)(r), (void)(fd))
#define unproven(r, fd) ((void)(r), (void)(fd))
#define authorized(r, eol, end) ((void)(r), (void)(eol), (void)(end), true)
#endif

static void *serve(void *arg)
{
	struct conn *c = arg;
	struct reg *r = c->reg;
	char *buf = xmalloc(HEADER_MAX), host[256];
	size_t got = 0;
	struct timeval tv = { 10, 0 };
	ssize_t hlen;

	/* a client that does not read blocks a send 10 s at most */
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* On the host's loopback (macOS) anyone may connect: a connection
	 * counts as the tool's only once it has shown the secret, and has
	 * a few seconds to, so that nobody can hold the tool's share. */
	hlen = read_header(r, c->fd, buf, HEADER_MAX, &got,
			   r->auth ? SECRET_SECONDS : HEADER_SECONDS);
	int port = 0, up = -1;
	char *sp1, *sp2, *eol;
	bool tunnel, counted = !r->auth;

	if (hlen == -2) {
		reply(c->fd, "431 Request Header Fields Too Large");
		drain(c->fd);
	}
	if (hlen < 0)
		goto done;
	eol = strstr(buf, "\r\n");
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	if (!sp2) {
		reply(c->fd, "400 Bad Request");
		goto done;
	}
	if (r->auth && !authorized(r, eol, buf + hlen)) {
		static const char ask[] =
			"HTTP/1.1 407 Proxy Authentication Required\r\n"
			"Proxy-Authenticate: Basic realm=\"sbx\"\r\n"
			"Content-Length: 0\r\nConnection: close\r\n\r\n";

		write_all(c->fd, ask, sizeof(ask) - 1);
		goto done;
	}
	if (r->auth) {
		proven(r, c->fd);
		if (atomic_fetch_add(&r->conns, 1) >= TOOL_CONNS) {
			atomic_fetch_sub(&r->conns, 1);
			reply(c->fd, "503 Service Unavailable");
			goto done;
		}
		counted = true;
	}
	tunnel = (size_t)(sp1 - buf) == 7 && strncmp(buf, "CONNECT", 7) == 0;
	if (tunnel) {
		if (!split_host(sp1 + 1, (size_t)(sp2 - sp1 - 1), host,
				sizeof(host), &port, 443)) {
			reply(c->fd, "400 Bad Request");
			goto done;
		}
	} else {
		const char *u = sp1 + 1, *path;

		if ((size_t)(sp2 - u) < 8 || strncasecmp(u, "http://", 7) != 0) {
			reply(c->fd, "400 Bad Request");
			goto done;
		}
		u += 7;
		path = memchr(u, '/', (size_t)(sp2 - u));
		if (!split_host(u, (size_t)((path ? path : sp2) - u), host,
				sizeof(host), &port, 80)) {
			reply(c->fd, "400 Bad Request");
			goto done;
		}
	}
	if (!allowed(r, host, port)) {
		refuse(c->fd, r, host, port);
		goto done;
	}
	up = dial(host, port);
	if (r->debug) {
		char line[512];

		char *h = escape_ctl(host);

		snprintf(line, sizeof(line), "sbx: %s: proxy: %s %s:%d%s\n",
			 r->tool, tunnel ? "CONNECT" : "HTTP", h, port,
			 up < 0 ? ": cannot reach it" : "");
		free(h);
		say(r, line);
	}
	if (up < 0) {
		reply(c->fd, "502 Bad Gateway");
		goto done;
	}
	if (tunnel) {
		static const char ok[] =
			"HTTP/1.1 200 Connection established\r\n\r\n";

		write_all(c->fd, ok, sizeof(ok) - 1);
		write_all(up, buf + hlen, got - (size_t)hlen);
	} else {
		/* the request in origin form, one request per connection */
		const char *path = memchr(sp1 + 8, '/', (size_t)(sp2 - sp1 - 8));
		char *line = eol + 2;

		write_all(up, buf, (size_t)(sp1 - buf + 1));
		if (path)
			write_all(up, path, (size_t)(sp2 - path));
		else
			write_all(up, "/", 1);
		write_all(up, sp2, (size_t)(line - sp2));
		while (line < buf + hlen - 2) {
			char *next = strstr(line, "\r\n") + 2;

			if (strncasecmp(line, "Proxy-", 6) != 0 &&
			    strncasecmp(line, "Connection:", 11) != 0)
				write_all(up, line, (size_t)(next - line));
			line = next;
		}
		write_all(up, "Connection: close\r\n\r\n", 21);
		write_all(up, buf + hlen, got - (size_t)hlen);
		relay_http(r, c->fd, up, buf); /* buf: the answer's head */
		goto done;
	}
	relay(r, c->fd, up);
done:
	if (up >= 0)
		close(up);
	close(c->fd);
	free(buf);
	if (counted)
		atomic_fetch_sub(&r->conns, 1);
	else if (r->auth)
		proven(r, c->fd); /* or not: no longer waited for */
	reg_unref(r);
	free(c);
	atomic_fetch_sub(&active, 1);
	return NULL;
}

#ifndef SBX_PROXY_FILE
/* The network namespaces shared by the tools of one confinement (by key):
 * made on demand, each by a child that makes it, brings `lo` up and waits
 * until the daemon holds it; kept while the daemon runs. */
enum { NETS_MAX = 64 };

static struct net {
	char key[65];
	int userns, netns; /* userns: -1 when it is the daemon's own */
	time_t used;
} nets[NETS_MAX];
static size_t n_nets;

/* (only in make_net's child, which cannot write coverage data: excluded
 * from the count) GCOVR_EXCL_START */
static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return w == (ssize_t)strlen(text) ? 0 : -1;
}
/* GCOVR_EXCL_STOP */

static bool same_ns(int fd, const char *own)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(own, &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int make_net(struct net *e)
{
	char umap[32], gmap[32], path[64], c = 'e';
	int sp[2];
	pid_t pid;

	snprintf(umap, sizeof(umap), "%u %u 1\n", (unsigned)getuid(),
		 (unsigned)getuid());
	snprintf(gmap, sizeof(gmap), "%u %u 1\n", (unsigned)getgid(),
		 (unsigned)getgid());
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return -1;
	pid = fork();
	if (pid == 0) { /* GCOVR_EXCL_START: no coverage data from here */
		/* only system calls here: the daemon has threads */
		close(sp[0]);
		if (unshare(CLONE_NEWNET) < 0 &&
		    (errno != EPERM ||
		     unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0 ||
		     write_text("/proc/self/uid_map", umap) < 0 ||
		     (write_text("/proc/self/setgroups", "deny") < 0 &&
		      errno != ENOENT) ||
		     write_text("/proc/self/gid_map", gmap) < 0))
			_exit(1);
		if (mountns_loopback_up() == 0)
			c = 'r';
		if (write(sp[1], &c, 1) == 1)
			while (read(sp[1], &c, 1) < 0 && errno == EINTR)
				; /* until the daemon holds the namespaces */
		_exit(0); /* (no coverage_flush: a fork of a threaded
			   * daemon holds counters caught mid-update) */
	} /* GCOVR_EXCL_STOP */
	close(sp[1]);
	e->userns = e->netns = -1;
	if (pid > 0 && read(sp[0], &c, 1) == 1 && c == 'r') {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		e->netns = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		e->userns = open(path, O_RDONLY | O_CLOEXEC);
		if (e->userns >= 0 && same_ns(e->userns, "/proc/self/ns/user")) {
			close(e->userns);
			e->userns = -1;
		}
	}
	close(sp[0]); /* the child ends */
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return e->netns >= 0 ? 0 : -1;
}

/* The mount namespaces (and Landlock rulesets) that the first tool of a
 * confinement made and gave (proxy_donate), by key (mountns_key(): the
 * policy and what each of its paths is now). Kept until the mounts of the
 * namespace they were made from change, or the least recently used goes. */
static struct mnt {
	time_t used;
	time_t claimed_at; /* when a tool last took a copy (pool_look) */
	size_t queued;
	int mntns, ruleset, mounts;
	int userns; /* -1: the daemon's own */
	int slot;   /* its descriptors' slot (proxy_shared), or -1 */
	/* its copies made ahead (pool_fill): the write end of the pipe of
	 * claims, the places claimable in its order (QUEUED of them), the
	 * child making more (FILLER, its socket; MADE, how many it sent) */
	int cq, filler, made;
	pid_t filler_pid;
	unsigned char queue[POOL];
	bool pool_failed;
	char key[65];
} mnts[NETS_MAX];
static size_t n_mnts;
static int slots_at = -1; /* slot_base() of this daemon's limit */

/* Empties SLOT, its key first. */
static void slot_clear(int slot)
{
	for (int k = SL_KEY; k <= SL_RULES; k++)
		close(slots_at + slot * SLOT_STRIDE + k);
}

static void pool_clear(struct mnt *m);
static void pool_start(struct mnt *m);

static void slot_put(int fd, int at)
{
	if (fd >= 0)
		dup3(fd, at, O_CLOEXEC);
	else
		close(at);
}

/* Fills the slot of entry M (network namespace NET, or none), its key
 * last; the entry there before loses it (it is still served on request). */
static void slot_fill(struct mnt *m, const struct net *net)
{
	int slot = key_slot(m->key), base = slots_at + slot * SLOT_STRIDE;
	char name[80];
	int key;

	if (slots_at < 0)
		return;
	close(base + SL_KEY);
	for (size_t i = 0; i < n_mnts; i++) {
		if (mnts[i].slot == slot) {
			pool_clear(&mnts[i]);
			mnts[i].slot = -1;
		}
	}
	slot_put(net ? net->userns : m->userns, base + SL_USER);
	slot_put(net ? net->netns : -1, base + SL_NET);
	slot_put(m->mntns, base + SL_MNT);
	slot_put(m->ruleset, base + SL_RULES);
	snprintf(name, sizeof(name), "sbx-%s", m->key);
	key = sealed_memfd(name, m->key, 64);
	if (key >= 0) {
		slot_put(key, base + SL_KEY);
		close(key);
		m->slot = slot;
		pool_start(m);
	}
}

static void mnt_drop(size_t i)
{
	if (mnts[i].slot >= 0)
		close(slots_at + mnts[i].slot * SLOT_STRIDE + SL_KEY);
	pool_clear(&mnts[i]);
	if (mnts[i].slot >= 0)
		slot_clear(mnts[i].slot);
	close(mnts[i].mntns);
	close(mnts[i].ruleset);
	close(mnts[i].mounts);
	if (mnts[i].userns >= 0)
		close(mnts[i].userns);
	mnts[i] = mnts[--n_mnts];
}

/*
 * Root's tools have other users' entries in /tmp and /dev/shm covered
 * (mountns-linux.c hide_foreign_temp), as they were when the namespace was
 * made. Root's daemon watches both folders (inotify): an entry of another
 * uid made, moved in or given away there ends every namespace kept so
 * far, and one made before it is not kept. The next tool builds and covers
 * it. (A tool started a moment before it came has it uncovered as well.)
 */
static int temp_watch = -1, temp_dirs[2] = { -1, -1 }, temp_wds[2];
static double foreign_at; /* CLOCK_MONOTONIC, when one was last seen */

static double mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void temp_watch_start(void)
{
	static const char *const dirs[] = { "/tmp", "/dev/shm" };
	int fd;

	if (geteuid() != 0)
		return;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	for (int i = 0; fd >= 0 && i < 2; i++) {
		temp_dirs[i] = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		temp_wds[i] = inotify_add_watch(fd, dirs[i],
						IN_CREATE | IN_MOVED_TO |
							IN_ATTRIB | IN_ONLYDIR);
		if (temp_dirs[i] < 0 || temp_wds[i] < 0) {
			close(fd);
			fd = -1;
		}
	}
	temp_watch = fd;
}

static void temp_events(void)
{
	union {
		struct inotify_event e;
		char buf[4096];
	} u;
	bool foreign = false, dead = false;
	ssize_t n;

	while (temp_watch >= 0 &&
	       (n = read(temp_watch, u.buf, sizeof(u.buf))) > 0) {
		for (char *at = u.buf; at < u.buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)at;
			struct stat st;
			int dir = ev->wd == temp_wds[0] ? temp_dirs[0]
				  : ev->wd == temp_wds[1] ? temp_dirs[1]
							  : -1;

			if (ev->mask & IN_IGNORED)
				dead = true; /* the folder is gone */
			/* lost count, gone, or another uid's entry */
			foreign |= (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED)) ||
				   (ev->len > 0 && dir >= 0 &&
				    fstatat(dir, ev->name, &st,
					    AT_SYMLINK_NOFOLLOW) == 0 &&
				    st.st_uid != 0 && !S_ISLNK(st.st_mode));
			at += sizeof(*ev) + ev->len;
		}
	}
	if (dead) {
		/* no more watching: root's namespaces are no longer kept */
		close(temp_watch);
		temp_watch = -1;
	}
	if (!foreign)
		return;
	foreign_at = mono_now();
	for (size_t i = n_mnts; i-- > 0;)
		mnt_drop(i);
}

/* A namespace FD of TYPE (CLONE_NEW*). */
static bool ns_type(int fd, int type)
{
	return ioctl(fd, NS_GET_NSTYPE) == type;
}

/* Both descriptors name the same object (-1: the daemon's own user
 * namespace). */
static bool same_file(int a, int b)
{
	struct stat x, y;
	bool ok;

	if (b < 0) {
		int own = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);

		ok = own >= 0 && same_file(a, own);
		if (own >= 0)
			close(own);
		return ok;
	}
	return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

/* FD is this daemon's own namespace at OWN (a tool that made none must
 * not hand over the host's). */
static bool own_ns(int fd, const char *own)
{
	int o = open(own, O_RDONLY | O_CLOEXEC);
	bool same = o >= 0 && same_file(fd, o);

	if (o >= 0)
		close(o);
	return same || o < 0;
}

/* The process at the other end of FD reads the same CLOCK_MONOTONIC as
 * this daemon (its time namespace), so its scan time compares. */
static bool same_clock(int fd)
{
	struct ucred c;
	socklen_t len = sizeof(c);
	char path[64];
	struct stat a, b;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/ns/time", (int)c.pid);
	if (stat("/proc/self/ns/time", &b) < 0)
		return errno == ENOENT; /* no time namespaces here */
	return stat(path, &a) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static bool valid_key(const char *k)
{
	return strlen(k) == 64 && strspn(k, "0123456789abcdef") == 64;
}

/*
 * Copies claimed (claim()) are kept a second: a tool's copy ends when its
 * last holder lets go, and the unmounting and RCU wait of that (~90 us
 * here) are then the daemon's, off the tool's exit (a tool still running
 * then ends its own).
 */
enum { GRAVES_MAX = 1024, GRAVE_SECONDS = 1 };
static struct grave {
	int fd;
	time_t at;
} graves[GRAVES_MAX];
static size_t n_graves;

static void graves_close(time_t now)
{
	size_t k = 0;

	for (size_t i = 0; i < n_graves; i++) {
		if (now - graves[i].at > GRAVE_SECONDS)
			close(graves[i].fd);
		else
			graves[k++] = graves[i];
	}
	n_graves = k;
}

static void grave_add(int fd)
{
	if (fd < 0)
		return;
	if (n_graves == GRAVES_MAX) {
		close(graves[0].fd);
		memmove(graves, graves + 1, --n_graves * sizeof(*graves));
	}
	graves[n_graves++] = (struct grave){ fd, time(NULL) };
}

/* Ends M's child making copies, if any. */
static void filler_end(struct mnt *m)
{
	if (m->filler < 0)
		return;
	close(m->filler);
	m->filler = -1;
	kill(m->filler_pid, SIGKILL);
	while (waitpid(m->filler_pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* M loses its pool (its slot lost or it ends): claims first. */
static void pool_clear(struct mnt *m)
{
	if (m->slot >= 0) {
		int base = slots_at + m->slot * SLOT_STRIDE;

		close(base + SL_CQ);
		for (int j = 0; j < POOL; j++)
			close(base + SL_CP + j);
	}
	if (m->cq >= 0)
		close(m->cq);
	m->cq = -1;
	m->queued = 0;
	filler_end(m);
}

/* How many copies M's pool is to hold: a few, all once tools take them. */
static int pool_target(const struct mnt *m)
{
	return time(NULL) - m->claimed_at <= 10 ? POOL : POOL / 4;
}

/*
 * Starts a child that makes copies of M's mount namespace for its empty
 * places, each with a devpts of its own, as a joining shim would make its
 * own (mountns-linux.c), and sends them; pool_put() puts each in a place.
 */
static void pool_fill(struct mnt *m)
{
	int sp[2], want = pool_target(m) - (int)m->queued;
	pid_t pid;

	if (m->slot < 0 || m->cq < 0 || m->filler >= 0 || want <= 0 ||
	    m->pool_failed ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return;
	pid = fork();
	if (pid == 0) { /* GCOVR_EXCL_START: no coverage data from here */
		/* only system calls here: the daemon has threads. None of
		 * the daemon's descriptors but these three: its sockets,
		 * slots and secret stay outside the confinement's user
		 * namespace */
		int keep[3] = { sp[1], m->userns, m->mntns }, from = 3;

		for (int a = 0; a < 3; a++)
			for (int b = a + 1; b < 3; b++)
				if (keep[b] < keep[a]) {
					int t = keep[a];

					keep[a] = keep[b];
					keep[b] = t;
				}
		for (int a = 0; a < 3; a++) {
			if (keep[a] < from)
				continue; /* -1, or one below 3 */
			if (keep[a] > from)
				syscall(SYS_close_range, from, keep[a] - 1, 0);
			from = keep[a] + 1;
		}
		syscall(SYS_close_range, from, ~0U, 0);
		if (m->userns >= 0 && setns(m->userns, CLONE_NEWUSER) < 0)
			_exit(1);
		for (int k = 0; k < want; k++) {
			int fd;

			if (setns(m->mntns, CLONE_NEWNS) < 0 ||
			    unshare(CLONE_NEWNS) < 0 || mountns_own_devpts() < 0)
				_exit(1);
			fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
			if (fd < 0 || send_fds(sp[1], "c", 1, &fd, 1) != 1)
				_exit(1);
			close(fd);
		}
		_exit(0);
	} /* GCOVR_EXCL_STOP */
	close(sp[1]);
	if (pid < 0) {
		close(sp[0]);
		return;
	}
	m->filler = sp[0];
	m->filler_pid = pid;
	m->made = 0;
}

/* Puts COPY in an empty place of M's slot, then its claim in the pipe. */
static void pool_put(struct mnt *m, int copy)
{
	bool used[POOL] = { false };
	struct claim c;
	int j = 0, base;

	for (size_t i = 0; i < m->queued; i++)
		used[m->queue[i]] = true;
	while (j < POOL && used[j])
		j++;
	memset(&c, 0, sizeof(c));
	c.place = (uint32_t)j;
	if (j == POOL || m->slot < 0 || m->cq < 0 ||
	    !ns_type(copy, CLONE_NEWNS)) {
		close(copy);
		return;
	}
	if (ioctl(copy, NS_GET_MNTNS_ID, &c.id) < 0) {
		m->pool_failed = true; /* a kernel before 6.8: no ids */
		close(copy);
		return;
	}
	base = slots_at + m->slot * SLOT_STRIDE;
	slot_put(copy, base + SL_CP + j);
	close(copy);
	if (write(m->cq, &c, sizeof(c)) != (ssize_t)sizeof(c)) {
		close(base + SL_CP + j);
		return;
	}
	m->queue[m->queued++] = (unsigned char)j;
	m->made++;
}

/* The claims read since M's last look: their places emptied, the copies
 * kept a while; then made again. */
static void pool_look(struct mnt *m)
{
	int left = 0, base;
	size_t taken;

	if (m->slot < 0 || m->cq < 0 || ioctl(m->cq, FIONREAD, &left) < 0)
		return;
	taken = m->queued - (size_t)left / sizeof(struct claim);
	if (taken > 0 && taken <= m->queued) {
		base = slots_at + m->slot * SLOT_STRIDE;
		for (size_t i = 0; i < taken; i++) {
			int at = base + SL_CP + m->queue[i];

			grave_add(fcntl(at, F_DUPFD_CLOEXEC, 3));
			close(at);
		}
		m->queued -= taken;
		memmove(m->queue, m->queue + taken, m->queued);
		m->claimed_at = time(NULL);
	}
	pool_fill(m);
}

/* The child of pool_fill() sent a copy, or ended. */
static void filler_events(struct mnt *m)
{
	char c;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { &c, 1 };
	struct msghdr msg;
	ssize_t n;
	int fd;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	n = recvmsg(m->filler, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n > 0 && take_fds(&msg, &fd, 1) == 1) {
		pool_put(m, fd);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* it ended: none made is a namespace it cannot copy (not again) */
	filler_end(m);
	if (m->made == 0)
		m->pool_failed = true;
}

/* The pool of M's slot begins: its pipe of claims. */
static void pool_start(struct mnt *m)
{
	int pfd[2];

	m->cq = -1;
	m->queued = 0;
	m->filler = -1;
	m->pool_failed = false;
	m->claimed_at = 0;
	if (m->slot < 0 || pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0)
		return;
	slot_put(pfd[0], slots_at + m->slot * SLOT_STRIDE + SL_CQ);
	close(pfd[0]);
	m->cq = pfd[1];
	pool_fill(m);
}

/* "mnt\nKEY\n" with the donor's mount namespace, ruleset, mounts file
 * and user namespace: kept when each is what it says (the mount namespace
 * belongs to that user namespace, the ruleset is Landlock's). */
static void serve_mnt(int fd, char *key, const char *netkey, double scan,
		      int *fds, int nfds)
{
	struct net *e = NULL;
	char link[64], what[64];
	ssize_t n;
	int owner = -1;
	bool ok;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", nfds == 6 ? fds[1] : -1);
	n = readlink(link, what, sizeof(what) - 1);
	if (n > 0)
		what[n] = '\0';
	ok = nfds == 6 && valid_key(key) && n > 0 &&
	     strcmp(what, "anon_inode:[landlock-ruleset]") == 0 &&
	     ns_type(fds[0], CLONE_NEWNS) && ns_type(fds[3], CLONE_NEWUSER) &&
	     (owner = ioctl(fds[0], NS_GET_USERNS)) >= 0 &&
	     same_file(owner, fds[3]) && !own_ns(fds[0], "/proc/self/ns/mnt");
	if (owner >= 0)
		close(owner);
	for (size_t i = 0; ok && i < n_mnts; i++)
		ok = strcmp(mnts[i].key, key) != 0; /* given first by another */
	/* root's: no other user's file came into the temp folders since the
	 * giver looked (nor can the daemon tell) */
	temp_events();
	if (ok && geteuid() == 0 &&
	    (temp_watch < 0 || foreign_at >= scan ||
	     !same_file(fds[4], temp_dirs[0]) ||
	     !same_file(fds[5], temp_dirs[1]) || !same_clock(fd)))
		ok = false; /* not the folders watched, or one came since */
	/* network off: the namespace it was made in, shared by the key */
	for (size_t i = 0; ok && netkey && i < n_nets && !e; i++)
		if (strcmp(nets[i].key, netkey) == 0)
			e = &nets[i];
	if (ok && netkey && (!e || !(e->userns < 0 ? same_file(fds[3], -1)
						  : same_file(fds[3], e->userns))))
		ok = false;
	if (!ok) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		write_all(fd, "e", 1);
		return;
	}
	close(fds[4]);
	close(fds[5]);
	if (n_mnts == NETS_MAX) {
		size_t old = 0;

		for (size_t i = 1; i < n_mnts; i++)
			if (mnts[i].used < mnts[old].used)
				old = i;
		mnt_drop(old);
	}
	memcpy(mnts[n_mnts].key, key, 65);
	mnts[n_mnts].mntns = fds[0];
	mnts[n_mnts].ruleset = fds[1];
	mnts[n_mnts].mounts = fds[2];
	if (same_file(fds[3], -1)) {
		close(fds[3]);
		fds[3] = -1;
	}
	mnts[n_mnts].userns = fds[3];
	mnts[n_mnts].slot = -1;
	mnts[n_mnts].used = time(NULL);
	mnts[n_mnts].cq = -1;
	mnts[n_mnts].queued = 0;
	mnts[n_mnts].filler = -1;
	slot_fill(&mnts[n_mnts++], e);
	write_all(fd, "k", 1);
}

/*
 * Cached policies (pcache.c): at most PC_MAX at a time (each holds an
 * inotify instance, of which a user has 128 by default), the oldest
 * given up first, and any whose watch or mount table says it changed.
 */
#define PC_MAX 16
#define PC_TEXT_MAX 65536
static struct pc {
	int slot;
	time_t at;
	int mounts;  /* its mount table (POLLPRI: a mount moved, changed) */
	int alive_w; /* its pipe's write end (the read end is in the slot) */
	struct pc_name {
		int wd;
		bool all;
		char *name;
	} *names;    /* the events of its watch that matter */
	size_t n_names;
} pcs[PC_MAX];
static size_t n_pcs;
static char pc_token[65];

/* The secret of pc messages, at TOKEN_AT() of the slots. */
static void pc_token_make(void)
{
	unsigned char r[32];
	int fd;

	if (slots_at < 0 || getentropy(r, sizeof(r)) < 0)
		return;
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(pc_token + 2 * i, 3, "%02x", r[i]);
	fd = (int)syscall(SYS_memfd_create, "sbx-token", MFD_CLOEXEC);
	if (fd < 0 || write(fd, pc_token, 64) != 64) {
		pc_token[0] = '\0';
	} else {
		dup3(fd, TOKEN_AT(slots_at), O_CLOEXEC);
	}
	if (fd >= 0)
		close(fd);
	explicit_bzero(r, sizeof(r));
}

/* Entry I's life taken (a shim that took it sees it dead); 1 when it had
 * it. */
static int pc_kill(size_t i)
{
	char b;

	return read(slots_at + pcs[i].slot * SLOT_STRIDE + SL_PCA, &b, 1) == 1;
}

static void pc_drop(size_t i)
{
	int base = slots_at + pcs[i].slot * SLOT_STRIDE;

	pc_kill(i);
	close(base + SL_PC);
	close(base + SL_PCW);
	close(base + SL_PCA);
	close(pcs[i].mounts);
	close(pcs[i].alive_w);
	for (size_t k = 0; k < pcs[i].n_names; k++)
		free(pcs[i].names[k].name);
	free(pcs[i].names);
	pcs[i] = pcs[--n_pcs];
}

/* Event E of entry I's watch matters to its policy. */
static bool pc_matters(size_t i, const struct inotify_event *e)
{
	if (e->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_UNMOUNT |
		       IN_DELETE_SELF | IN_MOVE_SELF) ||
	    e->len == 0)
		return true;
	for (size_t k = 0; k < pcs[i].n_names; k++) {
		const struct pc_name *n = &pcs[i].names[k];

		if (n->wd == e->wd &&
		    (n->all || strncmp(n->name, e->name, e->len) == 0))
			return true;
	}
	return false;
}

/* Entry I's watch has events: its life is taken first (a shim that finds
 * the queue emptied then finds it dead), the events read, and it is given
 * back when none matters (a name made that the policy never looked up);
 * else the entry goes. */
static void pc_events(size_t i)
{
	int wfd = slots_at + pcs[i].slot * SLOT_STRIDE + SL_PCW;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool matters = false;
	ssize_t n;

	pc_kill(i);
	while ((n = read(wfd, buf, sizeof(buf))) > 0) {
		for (ssize_t at = 0; at + (ssize_t)sizeof(struct inotify_event) <= n;) {
			const struct inotify_event *e =
				(const struct inotify_event *)(buf + at);

			matters = matters || pc_matters(i, e);
			at += (ssize_t)sizeof(*e) + e->len;
		}
	}
	if (n < 0 && errno != EAGAIN)
		matters = true;
	if (matters || write(pcs[i].alive_w, "1", 1) != 1)
		pc_drop(i);
}

/* The events section of a cached policy's TEXT (N bytes; pcache.h) into
 * entry E. */
static bool pc_names(struct pc *e, const char *text, size_t n)
{
	size_t at = PCACHE_HEAD_LEN;
	uint32_t count, v[3];

	if (n < at + 4)
		return false;
	memcpy(&count, text + at, 4);
	at += 4;
	if (count > 100000)
		return false;
	e->names = xcalloc(count ? count : 1, sizeof(*e->names));
	e->n_names = 0;
	for (uint32_t k = 0; k < count; k++) {
		if (n - at < 12)
			return false;
		memcpy(v, text + at, 12);
		at += 12;
		if (v[2] > n - at || (v[2] && text[at + v[2] - 1] != '\0'))
			return false;
		e->names[k].wd = (int)v[0];
		e->names[k].all = v[1] != 0;
		e->names[k].name = v[2] ? xstrdup(text + at) : NULL;
		if (!e->names[k].all && !e->names[k].name)
			e->names[k].all = true;
		e->n_names++;
		at += v[2];
	}
	return true;
}

/* FD's kind as /proc/self/fd says, into WHAT. */
static bool fd_is(int fd, const char *prefix, const char *suffix)
{
	char link[64], what[128];
	ssize_t n;
	size_t lp = strlen(prefix), ls = strlen(suffix);

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, what, sizeof(what) - 1);
	if (n <= 0)
		return false;
	what[n] = '\0';
	return (size_t)n >= lp + ls && strncmp(what, prefix, lp) == 0 &&
	       strcmp(what + n - ls, suffix) == 0;
}

/* The 64 characters at A and B are equal, compared in a time that does
 * not say where they differ. */
static bool same_secret(const char *a, const char *b)
{
	unsigned char d = 0;

	for (size_t i = 0; i < 64; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* "pc\nLKEY\nTOKEN\n" with a cached policy's memfd (its content names
 * LKEY), watch and mount table: put in LKEY's slot. Never answered. */
static void serve_pc(char *text, int *fds, int nfds)
{
	char *nl = strchr(text, '\n'), *tok = nl ? nl + 1 : NULL;
	char want[PCACHE_HEAD_LEN + 1], *body = xmalloc(PC_TEXT_MAX);
	struct pc e;
	int slot, base, alive[2];
	ssize_t n;
	bool ok;

	memset(&e, 0, sizeof(e));

	if (nl)
		*nl = '\0';
	ok = nfds == 3 && pc_token[0] && tok && strlen(tok) == 65 &&
	     tok[64] == '\n' && same_secret(tok, pc_token) &&
	     valid_key(text) && fd_is(fds[0], "/memfd:sbx-pc", "(deleted)") &&
	     fd_is(fds[1], "anon_inode:inotify", "") &&
	     fd_is(fds[2], "/proc/", "/mountinfo");
	if (ok) {
		pcache_head(text, want);
		n = pread(fds[0], body, PC_TEXT_MAX, 0);
		ok = n >= PCACHE_HEAD_LEN &&
		     memcmp(body, want, PCACHE_HEAD_LEN) == 0 &&
		     pc_names(&e, body, (size_t)n) &&
		     pipe2(alive, O_CLOEXEC | O_NONBLOCK) == 0;
		if (ok && write(alive[1], "1", 1) != 1) {
			close(alive[0]);
			close(alive[1]);
			ok = false;
		}
	}
	free(body);
	if (!ok || slots_at < 0) {
		for (size_t k = 0; k < e.n_names; k++)
			free(e.names[k].name);
		free(e.names);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		return;
	}
	slot = key_slot(text);
	base = slots_at + slot * SLOT_STRIDE;
	for (size_t i = 0; i < n_pcs;) {
		if (pcs[i].slot == slot)
			pc_drop(i);
		else
			i++;
	}
	if (n_pcs == PC_MAX) {
		size_t old = 0;

		for (size_t i = 1; i < n_pcs; i++)
			if (pcs[i].at < pcs[old].at)
				old = i;
		pc_drop(old);
	}
	/* (emptied above: the memfd goes in last) */
	slot_put(fds[1], base + SL_PCW);
	slot_put(alive[0], base + SL_PCA);
	slot_put(fds[0], base + SL_PC);
	close(fds[0]);
	close(fds[1]);
	close(alive[0]);
	e.slot = slot;
	e.at = time(NULL);
	e.mounts = fds[2];
	e.alive_w = alive[1];
	pcs[n_pcs++] = e;
}

/* Answers "ns\nNETKEY\nMNTKEY\n" (either "-"): 'k', a letter per
 * descriptor (u, n, m, l: proxy_shared()) and the descriptors, or 'e'. */
static void serve_ns(int fd, char *text)
{
	char *netkey = text, *mkey = strchr(text, '\n'), *end;
	struct net *e = NULL, fresh;
	struct mnt *mt = NULL;
	char ans[8] = "k";
	int fds[4], nfds = 0;

	end = mkey ? strchr(mkey + 1, '\n') : NULL;
	if (!end || end[1]) {
		write_all(fd, "e", 1);
		return;
	}
	*mkey++ = '\0';
	*end = '\0';
	if ((strcmp(netkey, "-") != 0 && !valid_key(netkey)) ||
	    (strcmp(mkey, "-") != 0 && !valid_key(mkey))) {
		write_all(fd, "e", 1);
		return;
	}
	for (size_t i = 0; i < n_mnts && !mt; i++)
		if (strcmp(mnts[i].key, mkey) == 0)
			mt = &mnts[i];
	if (strcmp(netkey, "-") != 0) {
		for (size_t i = 0; i < n_nets && !e; i++)
			if (strcmp(nets[i].key, netkey) == 0)
				e = &nets[i];
		if (!e) {
			if (make_net(&fresh) < 0) {
				write_all(fd, "e", 1);
				return;
			}
			memcpy(fresh.key, netkey, 65);
			if (n_nets == NETS_MAX) {
				/* the least recently used goes; its tools
				 * keep it */
				size_t old = 0;

				for (size_t i = 1; i < n_nets; i++)
					if (nets[i].used < nets[old].used)
						old = i;
				if (nets[old].userns >= 0)
					close(nets[old].userns);
				close(nets[old].netns);
				nets[old] = nets[--n_nets];
			}
			nets[n_nets] = fresh;
			e = &nets[n_nets++];
		}
		e->used = time(NULL);
		/* a mount namespace of another user namespace than this
		 * network namespace's (made again since) cannot be joined */
		if (mt && !(mt->userns < 0 ? e->userns < 0
					    : e->userns >= 0 &&
						      same_file(mt->userns,
								e->userns))) {
			mnt_drop((size_t)(mt - mnts));
			mt = NULL;
		}
		if (e->userns >= 0) {
			fds[nfds++] = e->userns;
			strcat(ans, "u");
		}
		fds[nfds++] = e->netns;
		strcat(ans, "n");
	}
	if (mt) {
		mt->used = time(NULL);
		if (mt->userns >= 0 && !e) {
			fds[nfds++] = mt->userns;
			strcat(ans, "u");
		}
		fds[nfds++] = mt->mntns;
		fds[nfds++] = mt->ruleset;
		strcat(ans, "ml");
	}
	if (nfds == 0)
		write_all(fd, ans, 1);
	else
		send_fds(fd, ans, strlen(ans), fds, nfds);
}
#endif

#ifdef __APPLE__
/* A kqueue that turns readable when the process at the other end of FD
 * (the shim, which becomes the tool: same pid) exits. It is alive now: it
 * waits for our answer. */
static int watch_exit(int fd)
{
	pid_t pid = 0;
	socklen_t len = sizeof(pid);
	struct kevent ev;
	int kq;

	if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &pid, &len) < 0 ||
	    pid <= 0)
		return -1;
	kq = kqueue();
	if (kq < 0)
		return -1;
	fcntl(kq, F_SETFD, FD_CLOEXEC);
	EV_SET(&ev, (uintptr_t)pid, EVFILT_PROC, EV_ADD | EV_ONESHOT, NOTE_EXIT,
	       0, NULL);
	if (kevent(kq, &ev, 1, NULL, 0, NULL) < 0) {
		close(kq);
		return -1;
	}
	return kq;
}
#define REG_FDS 2
#else
#define REG_FDS 3 /* and a pidfd of the tool */
#endif

/* FD is a socket that listens (not a pipe that is always readable). */
static bool listening(int fd)
{
	int on = 0;
	socklen_t len = sizeof(on);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

/* The process at the other end of FD is sandboxed (macOS: a tool with the
 * network on reaches the control socket; it has nothing to register). On
 * Linux a confined tool cannot reach the host's abstract name at all. */
static bool confined_peer(int fd)
{
#ifdef __APPLE__
	pid_t pid = 0;
	socklen_t len = sizeof(pid);

	return getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &pid, &len) < 0 ||
	       pid <= 0 || sandbox_check(pid, NULL, 0) != 0;
#else
	(void)fd;
	return false;
#endif
}

/* A request, only from our uid: "net\nKEY\n" (Linux; answered here, then
 * *NET is set) or "reg\n" and a registration: the listening socket,
 * stderr and (Linux) a pidfd of the tool's process, the tool's name, the
 * run's secret and hosts. Whatever else comes (other descriptors, a silent
 * client) is closed, never kept. */
static struct reg *receive(int fd, bool *net)
{
	char *text = xmalloc(MESSAGE_MAX + 1), *line, *next;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(16 * sizeof(int))];
	} u;
	struct iovec iov = { text, MESSAGE_MAX };
	struct pollfd pf = { fd, POLLIN, 0 };
	struct msghdr m;
	struct cmsghdr *h;
	struct reg *r;
	int fds[16], nfds = 0;
	ssize_t n = -1;
	bool pc = false;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	/* Linux: and no more confined than this daemon (a shim asks before
	 * it confines itself; a tool that reached the name, where Landlock
	 * cannot scope abstract sockets, gets nothing: no namespace of another
	 * confinement, no registration) */
	if (peer_uid(fd) == getuid() && poll(&pf, 1, 1000) == 1) {
#ifndef SBX_PROXY_FILE
		char head[3];

		/* a cached policy given: its token says who gives it (the
		 * giver may be confined by now: it does not wait) */
		pc = recv(fd, head, 3, MSG_PEEK | MSG_DONTWAIT) == 3 &&
		     memcmp(head, "pc\n", 3) == 0;
#endif
#ifdef __linux__
		if (pc || trusted_peer(fd))
#endif
			n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	}
	for (h = n >= 0 ? CMSG_FIRSTHDR(&m) : NULL; h; h = CMSG_NXTHDR(&m, h)) {
		size_t k;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && nfds < 16; i++) {
			memcpy(&fds[nfds], CMSG_DATA(h) + i * sizeof(int),
			       sizeof(int));
			cloexec(fds[nfds++]);
		}
	}
#ifdef SBX_PROXY_FILE
	/* a stream: the rest of the message, up to the shim's end of it */
	for (time_t end = time(NULL) + 2;
	     n > 0 && n < MESSAGE_MAX && time(NULL) < end;) {
		ssize_t more;

		if (poll(&pf, 1, 1000) != 1)
			continue;
		more = recv(fd, text + n, (size_t)(MESSAGE_MAX - n),
			    MSG_DONTWAIT);
		if (more == 0)
			break;
		if (more < 0) {
			n = -1;
			break;
		}
		n += more;
	}
#endif
	if (n > 0)
		text[n] = '\0';
#ifndef SBX_PROXY_FILE
	if (pc && n > 3 && strncmp(text, "pc\n", 3) == 0 &&
	    !(m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		serve_pc(text + 3, fds, nfds);
		free(text);
		return NULL;
	}
	if (pc) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		free(text);
		return NULL;
	}
	if (n > 3 && nfds == 0 && strncmp(text, "ns\n", 3) == 0 &&
	    !(m.msg_flags & MSG_TRUNC)) {
		serve_ns(fd, text + 3);
		*net = true;
		free(text);
		return NULL;
	}
	if (n > 4 && strncmp(text, "mnt\n", 4) == 0 &&
	    !(m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		/* "mnt\nKEY\nNETKEY\nSCAN\n" (NETKEY "-": the network is
		 * on; SCAN: when the giver looked at the temp folders) */
		char *nl = strchr(text + 4, '\n'), *nl2 = NULL, *end = NULL;
		double scan = 0;

		if (nl)
			nl2 = strchr(nl + 1, '\n');
		if (nl2)
			end = strchr(nl2 + 1, '\n');
		if (end && !end[1]) {
			*nl = *nl2 = *end = '\0';
			scan = strtod(nl2 + 1, NULL);
		} else {
			text[4] = '\0'; /* no key: refused */
			nl = NULL;
		}
		serve_mnt(fd, text + 4,
			  nl && strcmp(nl + 1, "-") != 0 ? nl + 1 : NULL, scan,
			  fds, nfds);
		*net = true;
		free(text);
		return NULL;
	}
#else
	(void)net;
#endif
	if (n <= 4 || nfds != REG_FDS || strncmp(text, "reg\n", 4) != 0 ||
	    (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !listening(fds[0]) ||
	    confined_peer(fd)) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		free(text);
		return NULL;
	}
#ifdef __APPLE__
	fds[nfds++] = watch_exit(fd);
	if (fds[2] < 0) {
		close(fds[0]);
		close(fds[1]);
		free(text);
		return NULL;
	}
#endif
	r = xcalloc(1, sizeof(*r));
	atomic_init(&r->refs, 1);
	pthread_mutex_init(&r->mu, NULL);
	for (size_t i = 0; i < UNPROVEN_CONNS; i++)
		r->unproven[i] = -1;
	r->listener = fds[0];
	r->err = fds[1];
	r->pidfd = fds[2];
	line = text + 4;
	next = strchr(line, '\n');
	if (next)
		*next++ = '\0';
	r->tool = escape_ctl(line);
	line = next;
	if (line) {
		r->debug = line[0] == '1';
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	/* the secret: PROXY_TOKEN_LEN hex digits on the host's loopback
	 * (macOS), none in a network namespace of the tool's own (Linux) */
	if (line) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
#ifdef SBX_PROXY_FILE
		if (strlen(line) != PROXY_TOKEN_LEN ||
		    strspn(line, "0123456789abcdef") != PROXY_TOKEN_LEN)
			line = NULL;
#else
		if (*line)
			line = NULL;
#endif
		if (!line) {
			free(text);
			close(r->listener);
			close(r->pidfd);
			reg_unref(r);
			return NULL;
		}
#ifdef SBX_PROXY_FILE
		{
			char *user = xasprintf("sbx:%s", line);

			r->auth = basic(user);
			free(user);
		}
#endif
		line = next;
	}
	while (line && *line) {
		char *tab;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		tab = strchr(line, '\t');
		if (tab) {
			*tab = '\0';
			r->hosts = xreallocarray(r->hosts, r->n + 1,
						 sizeof(*r->hosts));
			r->hosts[r->n].pattern = escape_ctl(line);
			r->hosts[r->n].source = escape_ctl(tab + 1);
			r->n++;
		}
		line = next;
	}
	free(text);
	return r;
}

/* Serves the request on FD (a registration joins REGS), then closes FD. */
static void handle(int fd, struct reg ***regs, size_t *n)
{
	bool net = false;
	struct reg *r = receive(fd, &net);

	if (r) {
		*regs = xreallocarray(*regs, *n + 1, sizeof(struct reg *));
		(*regs)[(*n)++] = r;
		write_all(fd, "k", 1);
	}
	close(fd);
}

#ifndef SBX_PROXY_FILE
/* The mounts files of the namespaces given, watched for a change; each
 * cached policy's watch (something it came from changed) and mount table
 * (a mount moved or changed: the shims see mounts made or ended
 * themselves, pcache.c), so that a dead one is dropped at once. */
static int pc_polled[PC_MAX];
static size_t n_pc_polled, n_mnt_polled;

static size_t n_watched(void)
{
	return n_mnts * 2 + 2 * n_pcs + 1;
}

/* Tools took copies in the last seconds: the daemon looks at the claims
 * 40 times a second, to make the next ones before they are wanted. */
static bool pools_busy(void)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < n_mnts; i++)
		if (now - mnts[i].claimed_at <= 10)
			return true;
	return false;
}

static void watch(struct pollfd *p, size_t nm)
{
	size_t k = 0;

	for (size_t i = 0; i < n_mnts; i++)
		p[k++] = (struct pollfd){ mnts[i].mounts, POLLPRI, 0 };
	n_mnt_polled = n_mnts;
	for (size_t i = 0; i < n_pcs; i++) {
		int base = slots_at + pcs[i].slot * SLOT_STRIDE;

		pc_polled[i] = pcs[i].slot;
		p[k++] = (struct pollfd){ base + SL_PCW, POLLIN, 0 };
		p[k++] = (struct pollfd){ pcs[i].mounts, POLLPRI, 0 };
	}
	n_pc_polled = n_pcs;
	/* the children making copies (claims are looked at each round) */
	for (size_t i = 0; i < n_mnts; i++)
		p[k++] = (struct pollfd){ mnts[i].filler, POLLIN, 0 };
	p[nm - 1] = (struct pollfd){ temp_watch, POLLIN, 0 };
}

static void watched(const struct pollfd *p, size_t nm)
{
	/* the cached policies first, by slot (a request served since the
	 * poll may have changed the list) */
	for (size_t i = 0; i < n_pc_polled; i++) {
		const struct pollfd *q = p + n_mnt_polled + 2 * i;

		if (!q[0].revents && !q[1].revents)
			continue;
		for (size_t j = 0; j < n_pcs; j++) {
			if (pcs[j].slot != pc_polled[i])
				continue;
			if (q[1].revents || (q[0].revents & ~POLLIN))
				pc_drop(j);
			else
				pc_events(j);
			break;
		}
	}
	/* the pools (the list of namespaces is as it was polled) */
	for (size_t i = 0; i < n_mnt_polled; i++) {
		const struct pollfd *q = p + n_mnt_polled + 2 * n_pc_polled + i;

		if (q->revents && mnts[i].filler >= 0)
			filler_events(&mnts[i]);
		pool_look(&mnts[i]);
	}
	graves_close(time(NULL));
	/* from the end: mnt_drop() moves the last one into the gap */
	for (size_t i = n_mnt_polled; i-- > 0;)
		if (p[i].revents)
			mnt_drop(i);
	if (p[nm - 1].revents)
		temp_events();
}
#else
static size_t n_watched(void)
{
	return 0;
}

static bool pools_busy(void)
{
	return false;
}

static void watch(struct pollfd *p, size_t nm)
{
	(void)p;
	(void)nm;
}

static void watched(const struct pollfd *p, size_t nm)
{
	(void)p;
	(void)nm;
}
#endif

static volatile sig_atomic_t ending;

static void on_term(int sig)
{
	(void)sig;
	ending = 1;
}

/* Empties the look socket LOOK's backlog (look_address); how many shims
 * had come by (-1: none there). */
static int emptied(int look)
{
	int n = 0, fd;

	if (look < 0)
		return -1;
	while ((fd = accept_cloexec(look)) >= 0) {
		close(fd);
		n++;
	}
	return n;
}

int proxy_daemon(void)
{
	struct sockaddr_un a;
	socklen_t len = ctl_address(&a);
	struct reg **regs = NULL;
	struct pollfd *p = NULL;
	size_t n = 0, np = 0;
	/* control connections accepted, their request not read yet: served
	 * as they come, never waited for (a shim may ask twice at once) */
	struct {
		int fd;
		time_t since;
	} pend[PENDING_MAX];
	time_t idle_since = time(NULL), flushed = 0;
#ifndef SBX_PROXY_FILE
	time_t recorded_at = time(NULL);
#endif
	pthread_attr_t attr;
	int ctl, look = -1;
	bool looked = false;
#ifdef SBX_PROXY_FILE
	char *lock;
	int lockfd;
	struct stat bound, now_st;
#endif
	struct rlimit nofile;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term); /* poll wakes with EINTR: end cleanly */
	/* Its pid and user namespaces held open, for the shims that name
	 * them (self_ns): a namespace nothing holds loses the kernel's
	 * dentry for it with its last descriptor, and each shim made it
	 * anew (~10 us in a new process). */
	(void)open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	(void)open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
#ifndef SBX_PROXY_FILE
		/* far above what connections take (ALL_CONNS) */
		slots_at = slot_base(nofile.rlim_cur);
		pc_token_make();
		temp_watch_start();
#endif
	}
	if (len == 0)
		return 1;
#ifdef SBX_PROXY_FILE
	/* one daemon at a time holds the lock; it removes what a daemon
	 * before it left, and its own socket when it ends */
	lock = ctl_file("proxy-4.lock");
	lockfd = lock ? open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			     0600)
		      : -1;
	free(lock);
	if (lockfd < 0)
		return 1;
	if (flock(lockfd, LOCK_EX | LOCK_NB) < 0)
		return 0; /* one runs already */
	unlink(a.sun_path);
#endif
	ctl = sock(AF_UNIX, CTL_TYPE);
	if (ctl < 0 || bind(ctl, (struct sockaddr *)&a, len) < 0)
		return errno == EADDRINUSE ? 0 : 1; /* one runs already */
#ifndef SBX_PROXY_FILE
	/* the look socket (look_address): never polled, emptied each round;
	 * without it (its name taken) shims only come the longer way */
	{
		struct sockaddr_un la;
		socklen_t llen = look_address(&la);

		look = sock(AF_UNIX, CTL_TYPE | SOCK_NONBLOCK);
		if (look >= 0 &&
		    (llen == 0 || bind(look, (struct sockaddr *)&la, llen) < 0)) {
			close(look);
			look = -1;
		}
	}
	/* named (bound) and recorded before anyone can connect (listen):
	 * a shim that asks for the record finds it */
	write_record();
	if (look >= 0 && listen(look, SOMAXCONN) < 0) {
		close(look);
		look = -1;
	}
#endif
	if (listen(ctl, 64) < 0)
		return 1;
#ifdef SBX_PROXY_FILE
	if (lstat(a.sun_path, &bound) < 0)
		return 1;
#endif
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, (size_t)256 * 1024);
	for (;;) {
		size_t np0 = np, n0 = n, k;
		time_t now;

		size_t nm = n_watched();

		p = xreallocarray(p, 1 + np + 2 * n + nm, sizeof(*p));
		p[0] = (struct pollfd){ ctl, POLLIN, 0 };
		for (size_t i = 0; i < np; i++)
			p[1 + i] = (struct pollfd){ pend[i].fd, POLLIN, 0 };
		for (size_t i = 0; i < n; i++) {
			p[1 + np + 2 * i] = (struct pollfd){ regs[i]->listener,
							     POLLIN, 0 };
			p[2 + np + 2 * i] = (struct pollfd){ regs[i]->pidfd,
							     POLLIN, 0 };
		}
		watch(p + 1 + np + 2 * n, nm);
		/* while shims come by the look socket, its backlog (128
		 * connections where net.core.somaxconn is) is emptied ten
		 * times a second */
		int ready = poll(p, 1 + np + 2 * n + nm,
				 pools_busy() ? 25 : looked ? 100 : 1000);

		if (ending) {
			coverage_flush();
			free(p);
			free(regs);
			goto end;
		}
		if (ready < 0 && errno != EINTR)
			return 1;
		now = time(NULL);
		/* a daemon is ended, not exited: at most once a second (the
		 * pools' looks wake it 40 times) */
		if (ready == 0 && now != flushed) {
			coverage_flush();
			flushed = now;
		}
#ifndef SBX_PROXY_FILE
		if (ready == 0 && now - recorded_at >= 10) {
			record_keep();
			recorded_at = now;
		}
#endif
#ifdef SBX_PROXY_FILE
		/* the socket's file removed or replaced (by hand, a cleaner of
		 * old files): this daemon holds the lock, so no other can
		 * start; it makes the file again */
		if (lstat(a.sun_path, &now_st) < 0 ||
		    now_st.st_ino != bound.st_ino ||
		    now_st.st_dev != bound.st_dev) {
			int fresh = sock(AF_UNIX, CTL_TYPE);

			unlink(a.sun_path);
			if (fresh >= 0 &&
			    bind(fresh, (struct sockaddr *)&a, len) == 0 &&
			    listen(fresh, 64) == 0 &&
			    lstat(a.sun_path, &bound) == 0) {
				close(ctl);
				ctl = fresh;
				p[0].revents = 0; /* that was the old one */
			} else if (fresh >= 0) {
				close(fresh);
			}
		}
#endif
		/* first: a namespace whose mounts changed is not handed
		 * out again (not even to a request of this round) */
		watched(p + 1 + np + 2 * n, nm);
		looked = emptied(look) > 0;
		if (n > 0 || np > 0 || atomic_load(&active) > 0 || looked)
			idle_since = now;
		else if (ready == 0 && now - idle_since >= DAEMON_IDLE_SECONDS) {
			coverage_flush();
			free(p);
			free(regs); /* empty: nothing registered */
			goto end;
		}
		for (size_t i = 0; i < np0; i++) {
			int fd = pend[i].fd;

			if (!p[1 + i].revents) {
				if (now - pend[i].since < PENDING_SECONDS)
					continue;
				close(fd); /* a silent client */
				pend[i].fd = -1;
				continue;
			}
			handle(fd, &regs, &n);
			pend[i].fd = -1;
		}
		for (size_t i = 0; i < n0; i++) {
			struct reg *r = regs[i];

			if (p[2 + np0 + 2 * i].revents) {
				/* the tool is gone: so is its socket */
				reg_gone(r);
				close(r->listener);
				close(r->pidfd);
				reg_unref(r);
				regs[i] = NULL;
				continue;
			}
			if (p[1 + np0 + 2 * i].revents & POLLIN) {
				struct conn *c = xmalloc(sizeof(*c));
				pthread_t t;

				c->fd = accept_cloexec(r->listener);
				c->reg = r;
				if (c->fd < 0) {
					free(c);
					continue;
				}
				/* one tool cannot take every descriptor and
				 * thread from the others (with a secret: it
				 * counts once shown, serve()) */
				if ((!r->auth &&
				     atomic_load(&r->conns) >= TOOL_CONNS) ||
				    atomic_load(&active) >= ALL_CONNS) {
					reply(c->fd, "503 Service Unavailable");
					close(c->fd);
					free(c);
					continue;
				}
				if (r->auth)
					unproven(r, c->fd);
				else
					atomic_fetch_add(&r->conns, 1);
				atomic_fetch_add(&r->refs, 1);
				atomic_fetch_add(&active, 1);
				if (pthread_create(&t, &attr, serve, c) != 0) {
					if (r->auth)
						proven(r, c->fd);
					else
						atomic_fetch_sub(&r->conns, 1);
					close(c->fd);
					atomic_fetch_sub(&r->refs, 1);
					atomic_fetch_sub(&active, 1);
					free(c);
				}
			}
		}
		k = 0;
		for (size_t i = 0; i < n; i++)
			if (regs[i])
				regs[k++] = regs[i];
		n = k;
		k = 0;
		for (size_t i = 0; i < np; i++)
			if (pend[i].fd >= 0)
				pend[k++] = pend[i];
		np = k;
		if (p[0].revents & POLLIN) {
			int fd = accept_cloexec(ctl);

			/* anyone may connect to an abstract name: only our
			 * uid's requests wait for their turn */
			if (fd >= 0 && (np == PENDING_MAX ||
					peer_uid(fd) != getuid())) {
				close(fd);
			} else if (fd >= 0 &&
				   poll(&(struct pollfd){ fd, POLLIN, 0 }, 1,
					0) == 1) {
				/* the request came with the connection (a
				 * shim sends it first): served now, not a
				 * round later */
				handle(fd, &regs, &n);
			} else if (fd >= 0) {
				pend[np].fd = fd;
				pend[np++].since = now;
			}
		}
	}
end:
#ifdef SBX_PROXY_FILE
	unlink(a.sun_path); /* the lock is still held */
#endif
	return 0;
}
