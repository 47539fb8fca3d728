/* util.c - messages, allocation and path helpers. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include "deps.h" /* last: its recorders stand for the calls */

const char *msg_subject;
bool debug_on;
unsigned msg_count;
void (*msg_hook)(const char *line);

/* One line, one write(2): lines from parallel tools do not interleave. */
static void emit(const char *fmt, va_list ap)
{
	char buf[4096], line[4096 + 16];
	size_t n;
	int r;

	if (msg_subject)
		r = snprintf(buf, sizeof(buf), "sbx: %s: ", msg_subject);
	else
		r = snprintf(buf, sizeof(buf), "sbx: ");
	n = r < 0 ? 0 : (size_t)r;
	if (n < sizeof(buf)) {
		r = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
		if (r > 0)
			n += (size_t)r;
	}
	if (n >= sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n] = '\0';
	/* A folder name may hold terminal escape sequences: every control
	 * character is shown, never sent to the terminal. */
	n = 0;
	for (const char *s = buf; *s && n < sizeof(line) - 6; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      "\\x%02x", c);
		else
			line[n++] = (char)c;
	}
	line[n] = '\0';
	if (msg_hook) {
		msg_hook(line);
		return;
	}
	line[n++] = '\n';
	for (size_t off = 0; off < n;) {
		ssize_t w = write(STDERR_FILENO, line + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

void vmsg(const char *fmt, va_list ap)
{
	int saved = errno;

	emit(fmt, ap);
	errno = saved;
}

void msg(const char *fmt, ...)
{
	va_list ap;

	msg_count++;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

void trace_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

static void oom(void)
{
	die(EXIT_SBX_FAILED, "out of memory");
}

const char *base_name(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash ? slash + 1 : s;
}

void xsetenv(const char *name, const char *value)
{
	if (setenv(name, value, 1) < 0)
		die(EXIT_SBX_CANNOT_RUN, "cannot set %s: %s", name,
		    strerror(errno));
}

void xunsetenv(const char *name)
{
	if (unsetenv(name) < 0)
		die(EXIT_SBX_CANNOT_RUN, "cannot unset %s: %s", name,
		    strerror(errno));
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;
	void *q;

	if (__builtin_mul_overflow(n ? n : 1, size ? size : 1, &bytes))
		oom();
	q = realloc(p, bytes);
	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return s;
}

char *xstrcat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = xmalloc(la + lb + lc + 1);

	stpcpy(stpcpy(stpcpy(s, a), b), c);
	return s;
}

char *path_join(const char *dir, const char *name)
{
	return xstrcat3(strcmp(dir, "/") ? dir : "", "/", name);
}

void path_normalize(char *p)
{
	/* Work on components: keep a stack of component starts in the output. */
	char *out = p, *in = p;
	size_t len = 0;

	if (*in != '/')
		return;
	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		char *end = strchr(in, '/');
		size_t clen = end ? (size_t)(end - in) : strlen(in);

		if (clen == 1 && in[0] == '.') {
			/* nothing */
		} else if (clen == 2 && in[0] == '.' && in[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* drop the slash too */
		} else {
			out[len++] = '/';
			memmove(out + len, in, clen);
			len += clen;
		}
		in += clen;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
}

char *path_absolute(const char *p, const char *base, const char *home,
		    const char **why)
{
	char *r;

	if (!p || !*p) {
		*why = "empty path";
		return NULL;
	}
	if (p[0] == '~') {
		if (p[1] != '\0' && p[1] != '/') {
			*why = "~user is not supported; use an absolute path";
			return NULL;
		}
		if (!home || home[0] != '/') {
			*why = "~ needs HOME to be set to an absolute path";
			return NULL;
		}
		r = xstrcat3(home, "/", p + 1);
	} else if (p[0] == '/') {
		r = xstrdup(p);
	} else {
		if (!base || base[0] != '/') {
			*why = "relative path with no folder to resolve it "
			       "against";
			return NULL;
		}
		r = xstrcat3(base, "/", p);
	}
	path_normalize(r);
	return r;
}

bool path_within(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return path[0] == '/';
	return strncmp(path, root, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

char *path_canonical(const char *p)
{
	char *r = realpath(p, NULL), *dir, *cdir;

	if (r)
		return r;
	if (p[0] != '/' || strcmp(p, "/") == 0)
		return xstrdup(p);
	dir = path_dirname(p);
	cdir = path_canonical(dir);
	r = xasprintf("%s%s%s", cdir, strcmp(cdir, "/") ? "/" : "",
		      base_name(p));
	free(dir);
	free(cdir);
	return r;
}

char *path_dirname(const char *p)
{
	const char *slash = strrchr(p, '/');

	if (!slash || slash == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(slash - p));
}

int mkdirs(const char *dir, mode_t mode)
{
	char *d = xstrdup(dir);
	int r;

	for (char *s = d + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(d, mode) < 0 && errno != EEXIST) {
			free(d);
			return -1;
		}
		*s = '/';
	}
	r = mkdir(d, mode) < 0 && errno != EEXIST ? -1 : 0;
	free(d);
	return r;
}

bool path_up(char **dir)
{
	char *up;

	if (strcmp(*dir, "/") == 0)
		return false;
	up = path_dirname(*dir);
	free(*dir);
	*dir = up;
	return true;
}

/* Reads FD to its end into a buffer of GUESS bytes first, grown as needed
 * up to MAX (one more, to see a file that grew past it). */
static char *read_fd(int fd, size_t max, size_t guess, size_t *len)
{
	size_t limit = max + 1, cap = guess < limit ? guess : limit, n = 0;
	char *buf = xmalloc(cap + 1);

	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap == limit)
				break;
			cap = cap < limit / 2 ? cap * 2 : limit;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			free(buf);
			errno = saved;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) { /* grew while we read it */
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

char *read_small_fd(int fd, size_t max, size_t *len)
{
	return read_fd(fd, max, 4096, len);
}

int open_cloexec(const char *path, int flags)
{
	return openat(AT_FDCWD, path, flags | O_CLOEXEC);
}

char *read_small_file(const char *path, size_t max, int flags, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	int fd, saved;

	fd = open_cloexec(path, O_RDONLY | O_NOCTTY | flags);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		buf = NULL; /* errno says why */
	else if (S_ISDIR(st.st_mode))
		errno = EISDIR;
	else if (!S_ISREG(st.st_mode))
		errno = EINVAL;
	else if ((size_t)st.st_size > max)
		errno = EFBIG;
	else /* its size, and one byte to see the end at once (/proc
	      * files say 0) */
		buf = read_fd(fd, max,
			      st.st_size > 0 ? (size_t)st.st_size + 1 : 4096,
			      len);
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

char *escape_ctl(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n * 4 + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (c == '\t') {
			*o++ = '\\';
			*o++ = 't';
		} else if (c == '\\') {
			*o++ = '\\';
			*o++ = '\\';
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(o, 5, "\\x%02x", c);
			o += 4;
		} else {
			*o++ = (char)c;
		}
	}
	*o = '\0';
	return out;
}

char *passwd_home(uid_t uid)
{
	size_t len;
	char *text = read_small_file("/etc/passwd", (size_t)4 << 20, 0, &len);
	char *home = NULL;

	for (char *line = text, *next; line && *line && !home; line = next) {
		char *f[7] = { NULL };
		int n = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (char *s = line; n < 7; n++) {
			f[n] = s;
			s = strchr(s, ':');
			if (!s)
				break;
			*s++ = '\0';
		}
		if (n >= 6 && f[5][0] == '/' && strtoul(f[2], NULL, 10) == uid &&
		    f[2][0] >= '0' && f[2][0] <= '9')
			home = xstrdup(f[5]);
	}
	free(text);
	if (home)
		path_normalize(home);
	return home;
}

#ifdef __linux__
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif

int sealed_memfd(const char *name, const void *data, size_t len)
{
	int fd = (int)syscall(SYS_memfd_create, name,
			      MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len ||
	    fcntl(fd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}
#endif
