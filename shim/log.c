/*
 * log.c - sbx log: the denials the kernel reported, each as one line that
 * says what was denied to which tool and which `sbx check` says why.
 *
 * What the kernel reports, and so what this can show (README, "sbx log"):
 * Linux, with audit on, Landlock's denials (sbx asks it to log the tool's
 * with LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON, ABI 7): writes outside the
 * writable roots where no read-only mount stops them first (protect = off,
 * no namespace), TCP where Landlock filters it, a connect to an abstract
 * socket or a signal to a process outside the sandbox. A write that a
 * read-only mount refuses (EROFS) and a hidden path (covered, not denied)
 * leave no record. macOS: the sandbox's violation reports.
 */
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum { DOMAINS = 256, LINES_PER_PID = 20 };

struct log_state {
	FILE *out;
	time_t since;
	/* the event being read: records of one serial number */
	unsigned long serial;
	time_t ts; /* seconds since 1970, as the record says */
	bool access;
	char *blockers, *path, *daddr, *dest, *opid, *ocomm, *domain;
	char *comm, *exe;
	long pid, uid; /* uid: -1 when no record said */
	/* what each Landlock domain's first record said about its process */
	struct {
		char *domain, *comm;
		long pid, uid;
	} doms[DOMAINS];
	size_t ndoms, next_dom;
	/* the line before, to count repeats rather than print them */
	char *last;
	unsigned repeats, printed;
	long last_pid;
	unsigned pid_lines;
};

struct log_state *log_open(FILE *out, time_t since)
{
	struct log_state *st = xcalloc(1, sizeof(*st));

	st->out = out;
	st->since = since;
	st->uid = -1;
	return st;
}

/* S as text that can do nothing to a terminal: every byte outside
 * printable ASCII as \xNN, a backslash as \\ (a tool chooses its name
 * and its paths; UTF-8's C1 controls, bidi overrides and escapes stay
 * inert; a name that is not ASCII reads as its bytes). */
static char *inert(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p >= 0x20 && *p < 0x7f && *p != '\\') ? 1 : 4;
	out = o = xmalloc(n + 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			*o++ = (char)*p;
		else
			o += sprintf(o, "\\x%02x", *p);
	}
	*o = '\0';
	return out;
}

static void set(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* The value of KEY= in the fields at S: "quoted", a bare word, or a bare
 * word of hex digits (audit's way with names that have odd bytes: HEX
 * says to decode it). NULL when absent. */
static char *field(const char *s, const char *key, bool hex)
{
	size_t k = strlen(key);

	for (const char *p = s; (p = strstr(p, key)); p += k) {
		const char *v = p + k;
		size_t n;
		char *r;

		if ((p != s && p[-1] != ' ') || *v != '=')
			continue;
		v++;
		if (*v == '"') {
			n = strcspn(v + 1, "\"");
			return xasprintf("%.*s", (int)n, v + 1);
		}
		n = strcspn(v, " ");
		r = xasprintf("%.*s", (int)n, v);
		if (hex && n > 0 && n % 2 == 0 &&
		    strspn(r, "0123456789ABCDEFabcdef") == n) {
			for (size_t i = 0; i < n / 2; i++) {
				char b[3] = { r[2 * i], r[2 * i + 1], 0 };

				r[i] = (char)strtol(b, NULL, 16);
				if (r[i] == '\0')
					r[i] = '@'; /* an abstract name */
			}
			r[n / 2] = '\0';
		}
		return r;
	}
	return NULL;
}

/* What one print says; the repeats of it are counted. */
static void emit(struct log_state *st, long pid, const char *text)
{
	if (st->last && strcmp(st->last, text) == 0) {
		st->repeats++;
		return;
	}
	if (st->last && st->repeats)
		fprintf(st->out, "  (and %u more times)\n", st->repeats);
	set(&st->last, xstrdup(text));
	st->repeats = 0;
	if (pid != st->last_pid) {
		st->last_pid = pid;
		st->pid_lines = 0;
	}
	if (++st->pid_lines > LINES_PER_PID) {
		if (st->pid_lines == LINES_PER_PID + 1)
			fprintf(st->out, "  (more denials of pid %ld not shown)\n",
				pid);
		return;
	}
	fputs(text, st->out);
	st->printed++;
}

static const char *kind(const char *blockers, const char **check)
{
	static const struct {
		const char *prefix, *what, *check;
	} kinds[] = {
		{ "fs.write_file", "write", "--write" },
		{ "fs.truncate", "truncate", "--write" },
		{ "fs.make_", "create in", "--write" },
		{ "fs.remove_", "remove in", "--write" },
		{ "fs.refer", "move or link into", "--write" },
		{ "fs.read_", "read", "--read" },
		{ "fs.execute", "execute", "--exec" },
		{ "fs.ioctl_dev", "ioctl on", NULL },
		{ "net.bind_tcp", "bind TCP port", NULL },
		{ "net.connect_tcp", "connect to", "--connect" },
		{ "scope.abstract_unix_socket",
		  "connect to an abstract socket outside the sandbox:", NULL },
		{ "scope.signal", "signal a process outside the sandbox:",
		  NULL },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (strncmp(blockers, kinds[i].prefix,
			    strlen(kinds[i].prefix)) == 0) {
			*check = kinds[i].check;
			return kinds[i].what;
		}
	*check = NULL;
	return "do";
}

static void flush(struct log_state *st)
{
	const char *check, *what;
	char when[16], *comm, *target, *line;
	time_t t = st->ts;
	struct tm tm;

	if (st->access && st->blockers && st->ts >= st->since) {
		for (size_t i = 0;
		     (!st->comm || st->uid < 0) && st->domain && i < st->ndoms;
		     i++)
			if (strcmp(st->doms[i].domain, st->domain) == 0) {
				if (!st->comm && st->doms[i].comm) {
					st->comm = xstrdup(st->doms[i].comm);
					st->pid = st->doms[i].pid;
				}
				if (st->uid < 0)
					st->uid = st->doms[i].uid;
			}
	}
	/* another user's tools (root reads everyone's records): not ours to
	 * show, and a name of their choosing would reach our terminal */
	if (st->uid >= 0 && st->uid != (long)getuid())
		st->access = false;
	if (st->access && st->blockers && st->ts >= st->since) {
		what = kind(st->blockers, &check);
		if (st->daddr && st->dest)
			target = xasprintf("%s:%s", st->daddr, st->dest);
		else if (st->opid)
			target = xasprintf("pid %s%s%s%s", st->opid,
					   st->ocomm ? " (" : "",
					   st->ocomm ? st->ocomm : "",
					   st->ocomm ? ")" : "");
		else if (st->dest)
			target = xstrdup(st->dest);
		else
			target = xstrdup(st->path ? st->path : "?");
		comm = inert(st->comm ? st->comm : "?");
		set(&st->blockers, inert(st->blockers));
		{
			char *e = inert(target);

			free(target);
			target = e;
		}
		if (!localtime_r(&t, &tm) ||
		    !strftime(when, sizeof(when), "%H:%M:%S", &tm))
			snprintf(when, sizeof(when), "?");
		if (check)
			line = xasprintf("%s %s (pid %ld): denied: %s %s "
					 "[landlock: %s]; why, and how to "
					 "allow it: sbx check %s %s %s\n",
					 when, comm, st->pid, what, target,
					 st->blockers, comm, check, target);
		else
			line = xasprintf("%s %s (pid %ld): denied: %s %s "
					 "[landlock: %s]\n",
					 when, comm, st->pid, what, target,
					 st->blockers);
		emit(st, st->pid, line);
		free(line);
		free(comm);
		free(target);
	}
	st->access = false;
	st->pid = 0;
	st->uid = -1;
	set(&st->blockers, NULL);
	set(&st->path, NULL);
	set(&st->daddr, NULL);
	set(&st->dest, NULL);
	set(&st->opid, NULL);
	set(&st->ocomm, NULL);
	set(&st->domain, NULL);
	set(&st->comm, NULL);
	set(&st->exe, NULL);
}

/* macOS: "... Sandbox: python3(1234) deny(1) file-write-create /x/y" */
static void feed_darwin(struct log_state *st, const char *s)
{
	const char *open = strchr(s, '('), *deny = strstr(s, ") deny(");
	char *comm, *op, *target, *line;
	long pid;

	if (!open || !deny || open > deny)
		return;
	pid = strtol(open + 1, NULL, 10);
	deny = strchr(deny + 7, ')');
	if (!deny || deny[1] != ' ')
		return;
	deny += 2;
	comm = xasprintf("%.*s", (int)(open - s), s);
	{
		char *o = xasprintf("%.*s", (int)strcspn(deny, " "), deny);

		op = inert(o);
		free(o);
	}
	deny += strcspn(deny, " ");
	target = inert(*deny ? deny + 1 : "");
	{
		char *c = inert(comm);

		free(comm);
		comm = c;
	}
	line = xasprintf("%s (pid %ld): denied: %s %s [seatbelt]\n", comm, pid,
			 op, target);
	emit(st, pid, line);
	free(line);
	free(comm);
	free(op);
	free(target);
}

void log_feed(struct log_state *st, const char *line)
{
	const char *a = strstr(line, "audit("), *t, *rest;
	unsigned long serial;
	time_t ts;
	int type = 0;

	t = strstr(line, "Sandbox: ");
	if (t && strstr(t, ") deny(")) {
		feed_darwin(st, t + 9);
		return;
	}
	t = strstr(line, "type=");
	if (!a || !t)
		return;
	t += 5;
	if (isdigit((unsigned char)*t))
		type = (int)strtol(t, NULL, 10);
	else if (strncmp(t, "UNKNOWN[", 8) == 0)
		type = (int)strtol(t + 8, NULL, 10);
	else if (strncmp(t, "LANDLOCK_ACCESS", 15) == 0)
		type = 1423;
	else if (strncmp(t, "LANDLOCK_DOMAIN", 15) == 0)
		type = 1424;
	else if (strncmp(t, "SYSCALL", 7) == 0)
		type = 1300;
	if (type != 1423 && type != 1424 && type != 1300)
		return;
	ts = (time_t)strtoll(a + 6, NULL, 10);
	a = strchr(a, ':');
	if (!a)
		return;
	serial = strtoul(a + 1, NULL, 10);
	rest = strstr(a, "): ");
	if (!rest)
		return;
	rest += 3;
	if (serial != st->serial) {
		flush(st);
		st->serial = serial;
	}
	st->ts = ts;
	if (type == 1423) {
		st->access = true;
		set(&st->domain, field(rest, "domain", false));
		set(&st->blockers, field(rest, "blockers", false));
		set(&st->path, field(rest, "path", true));
		set(&st->daddr, field(rest, "daddr", false));
		set(&st->dest, field(rest, "dest", false));
		set(&st->opid, field(rest, "opid", false));
		set(&st->ocomm, field(rest, "ocomm", true));
	} else if (type == 1424) {
		char *dom = field(rest, "domain", false);
		char *status = field(rest, "status", false);

		if (dom && status && strcmp(status, "allocated") == 0) {
			size_t i;
			char *pid = field(rest, "pid", false);

			if (st->ndoms < DOMAINS) {
				i = st->ndoms++;
			} else {
				i = st->next_dom++ % DOMAINS;
				free(st->doms[i].domain);
				free(st->doms[i].comm);
			}
			st->doms[i].domain = dom;
			st->doms[i].comm = field(rest, "comm", true);
			st->doms[i].pid = pid ? strtol(pid, NULL, 10) : 0;
			free(pid);
			pid = field(rest, "uid", false);
			st->doms[i].uid = pid ? strtol(pid, NULL, 10) : -1;
			free(pid);
			dom = NULL;
		}
		free(dom);
		free(status);
	} else {
		char *pid = field(rest, "pid", false);
		char *uid = field(rest, "uid", false);

		set(&st->comm, field(rest, "comm", true));
		set(&st->exe, field(rest, "exe", true));
		st->pid = pid ? strtol(pid, NULL, 10) : st->pid;
		st->uid = uid ? strtol(uid, NULL, 10) : st->uid;
		free(pid);
		free(uid);
	}
}

unsigned log_close(struct log_state *st)
{
	unsigned n;

	flush(st);
	if (st->last && st->repeats)
		fprintf(st->out, "  (and %u more times)\n", st->repeats);
	n = st->printed;
	for (size_t i = 0; i < st->ndoms; i++) {
		free(st->doms[i].domain);
		free(st->doms[i].comm);
	}
	free(st->last);
	free(st);
	return n;
}

/* "90", "90s", "15m", "2h", "1d": seconds; -1 when not one. */
static long duration(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (end == s || n < 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		n *= 60;
		break;
	case 'h':
		n *= 3600;
		break;
	case 'd':
		n *= 86400;
		break;
	default:
		return -1;
	}
	return end[0] && end[1] ? -1 : n;
}

/* Feeds ST the lines of FD until its end (or, FOLLOW, forever). KMSG: one
 * record a read, "PRI,SEQ,USEC,FLAGS;MESSAGE\n" and dictionary lines. */
static void feed_fd(struct log_state *st, int fd, bool kmsg, bool follow)
{
	char buf[8192], *line = NULL;
	size_t have = 0;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && kmsg && errno == EPIPE)
			continue; /* records overwritten meanwhile */
		if (n <= 0) {
			if (!follow || (n < 0 && errno != EAGAIN))
				break;
			/* all there is, for now: out with the event read
			 * last (its records come together), then wait */
			flush(st);
			fflush(st->out);
			if (!kmsg) {
				sleep(1);
				continue;
			}
			struct pollfd p = { fd, POLLIN, 0 };

			poll(&p, 1, -1);
			continue;
		}
		buf[n] = '\0';
		if (kmsg) {
			char *m = strchr(buf, ';');

			if (m) {
				m[1 + strcspn(m + 1, "\n")] = '\0';
				log_feed(st, m + 1);
			}
			continue;
		}
		line = xreallocarray(line, have + (size_t)n + 1, 1);
		memcpy(line + have, buf, (size_t)n + 1);
		have += (size_t)n;
		for (char *nl; (nl = memchr(line, '\n', have));) {
			*nl = '\0';
			log_feed(st, line);
			have -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, have + 1);
		}
	}
	if (have) {
		line[have] = '\0';
		log_feed(st, line);
	}
	free(line);
}

int cmd_log(int argc, char *argv[])
{
	const char *from = NULL;
	long since = 3600;
	bool follow = false;
	struct log_state *st;
	unsigned n;
	int fd = -1;
	bool kmsg = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 ||
		    strcmp(argv[i], "--follow") == 0) {
			follow = true;
		} else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			since = duration(argv[++i]);
			if (since < 0) {
				msg("log: bad --since \"%s\" (90s, 15m, 2h, "
				    "1d)",
				    argv[i]);
				return EXIT_SBX_USAGE;
			}
		} else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
			from = argv[++i];
		} else {
			msg("log: usage: sbx log [--since DURATION] [-f] "
			    "[--from FILE]");
			return EXIT_SBX_USAGE;
		}
	}
	st = log_open(stdout, since ? time(NULL) - since : 0);
#ifdef __APPLE__
	if (!from) {
		char cmd[256];
		FILE *p;
		char *line = NULL;
		size_t cap = 0;

		if (follow)
			snprintf(cmd, sizeof(cmd),
				 "/usr/bin/log stream --style syslog "
				 "--predicate 'sender == \"Sandbox\"'");
		else
			snprintf(cmd, sizeof(cmd),
				 "/usr/bin/log show --style syslog --last %lds "
				 "--predicate 'sender == \"Sandbox\"'",
				 since ? since : 86400L * 365);
		p = popen(cmd, "r");
		if (!p) {
			msg("log: cannot run /usr/bin/log: %s",
			    strerror(errno));
			log_close(st);
			return EXIT_SBX_FAILED;
		}
		while (getline(&line, &cap, p) > 0) {
			line[strcspn(line, "\n")] = '\0';
			log_feed(st, line);
			if (follow)
				fflush(stdout);
		}
		free(line);
		pclose(p);
		log_close(st);
		return 0;
	}
#endif
	if (from) {
		fd = open(from, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			msg("log: %s: %s", from, strerror(errno));
			log_close(st);
			return EXIT_SBX_FAILED;
		}
	} else {
		/* auditd's log, where it runs; else the kernel's */
		fd = open("/var/log/audit/audit.log", O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;

			fd = open("/dev/kmsg",
				  O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			kmsg = fd >= 0;
			if (fd < 0) {
				msg("log: cannot read the kernel's records of "
				    "denials (/dev/kmsg: %s; "
				    "/var/log/audit/audit.log: %s): run it as "
				    "root, or let users read the kernel log "
				    "(sysctl kernel.dmesg_restrict=0)",
				    strerror(errno), strerror(e));
				log_close(st);
				return EXIT_SBX_FAILED;
			}
		}
	}
	feed_fd(st, fd, kmsg, follow && !from);
	close(fd);
	n = log_close(st);
	if (n == 0 && !from)
		msg("log: no denial recorded%s. The kernel records Landlock's "
		    "only with audit on (auditctl -e 1, or audit=1 at boot); a "
		    "write that a read-only mount refuses (\"Read-only file "
		    "system\") and a hidden path leave no record: sbx check "
		    "TOOL --write PATH says why",
		    since ? " in that time" : "");
	return 0;
}
