/* resolve.c - finding the real tool on PATH, past the shim folders. */
#include "resolve.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/auxv.h>
#endif

#include "util.h"

#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#include "deps.h" /* last: its recorders stand for the calls */

/* Appends the entry [S, S+N) to the colon-separated list in OUT. */
static void append_entry(char *out, size_t *olen, int *count, const char *s,
			 size_t n)
{
	if ((*count)++ > 0)
		out[(*olen)++] = ':';
	memcpy(out + *olen, s, n);
	*olen += n;
	out[*olen] = '\0';
}

int path_resolve(const char *name, const char *pathenv, dev_t self_dev,
		 ino_t self_ino, struct resolved *out)
{
	size_t namelen = strlen(name), olen = 0;
	int count = 0;
	const char *p = pathenv, *end = NULL;
	char cand[PATH_MAX];

	memset(out, 0, sizeof(*out));
	if (!pathenv)
		p = pathenv = DEFAULT_PATH;
	end = p;
	out->tool_env = xmalloc(strlen(pathenv) + 1);
	out->tool_env[0] = '\0';
	for (; !out->path; p = end + 1) {
		struct stat st;
		size_t n;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == 0 || p[0] != '/') {
			/* "" or relative: the current folder; never searched */
			trace("PATH entry \"%.*s\" skipped: not absolute",
			      (int)n, p);
		} else if (n + 1 + namelen >= sizeof(cand)) {
			trace("PATH entry skipped: too long");
		} else {
			memcpy(cand, p, n);
			cand[n] = '/';
			memcpy(cand + n + 1, name, namelen + 1);
			int r = stat(cand, &st);

			if (r == 0 && st.st_dev == self_dev &&
			    st.st_ino == self_ino) {
				trace("%s is sbx itself: shim folder %.*s "
				      "skipped",
				      cand, (int)n, p);
				out->shim_dirs++;
				if (*end == '\0')
					break;
				continue; /* left out of the tool's PATH */
			}
			if (r == 0 && S_ISREG(st.st_mode) &&
			    access(cand, X_OK) == 0)
				out->path = xstrdup(cand);
		}
		append_entry(out->tool_env, &olen, &count, p, n);
		if (*end == '\0')
			break;
	}
	if (!out->path) {
		resolved_free(out);
		errno = ENOENT;
		return -1;
	}
	/* The entries after the one that matched pass through unchanged. */
	if (*end != '\0') {
		out->tool_env[olen++] = ':';
		strcpy(out->tool_env + olen, end + 1);
	}
	return 0;
}

void resolved_free(struct resolved *r)
{
	free(r->path);
	free(r->tool_env);
	memset(r, 0, sizeof(*r));
}

static const char *exec_name; /* self_exec_note: the file, by its name */

void self_exec_note(char *const argv[])
{
#ifdef __linux__
	const char *fn = (const char *)getauxval(AT_EXECFN);

	if (!fn || !*fn || !argv[0] || getauxval(AT_EXECFD) != 0 ||
	    strncmp(fn, "/proc/", 6) == 0 || strncmp(fn, "/dev/", 5) == 0 ||
	    strcmp(base_name(fn), base_name(argv[0])) != 0)
		return;
	/* an interpreter's (binfmt_script, binfmt_misc): the kernel passes
	 * the name on as an argument (the first or second; further on where
	 * an interpreter ran another): any argument equal to it, and the
	 * kernel's name is taken instead */
	for (int i = 1; argv[i]; i++)
		if (strcmp(argv[i], fn) == 0)
			return;
	exec_name = fn;
#else
	(void)argv;
#endif
}

const char *self_exec_name(void)
{
	return exec_name;
}

bool self_identity_confirmed(void)
{
#ifdef __linux__
	struct stat st;
	dev_t dev;
	ino_t ino;

	/* the name may lead elsewhere since the exec (sbx upgraded, a
	 * symlink switched): the kernel's file, before giving the daemon
	 * anything under this identity */
	if (!exec_name)
		return true;
	return self_identity(&dev, &ino) == 0 &&
	       stat("/proc/self/exe", &st) == 0 && st.st_dev == dev &&
	       st.st_ino == ino;
#else
	return true;
#endif
}

int self_identity(dev_t *dev, ino_t *ino)
{
	/* looked at once: a process's binary changes only with an exec */
	static struct stat st;
	static int known; /* 1: st is it; -1: it cannot be looked at */

	if (known) {
		*dev = known > 0 ? st.st_dev : 0;
		*ino = known > 0 ? st.st_ino : 0;
		return known > 0 ? 0 : -1;
	}
#ifdef __APPLE__
	char self[PATH_MAX];
	uint32_t size = sizeof(self);

	if (_NSGetExecutablePath(self, &size) != 0 || stat(self, &st) < 0) {
#else
	const char *self = "/proc/self/exe";

	/* by the name it was run by, when that names this binary: a stat of
	 * a path, where /proc/self/exe is a look at procfs for a process it
	 * has not seen yet (~30 us) */
	if (exec_name && stat(exec_name, &st) == 0 && S_ISREG(st.st_mode)) {
		known = 1;
		*dev = st.st_dev;
		*ino = st.st_ino;
		return 0;
	}
	if (stat(self, &st) < 0) {
#endif
		trace("cannot stat %s: %s", self, strerror(errno));
		known = -1;
		*dev = 0;
		*ino = 0;
		return -1;
	}
	known = 1;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

char *self_path(void)
{
#ifdef __APPLE__
	char buf[PATH_MAX];
	uint32_t size = sizeof(buf);

	if (_NSGetExecutablePath(buf, &size) != 0)
		return NULL;
	return realpath(buf, NULL);
#else
	/* The kernel's link is the canonical path already: one readlink, not
	 * realpath's one per component (~15 us per exec). A binary deleted
	 * since it started (" (deleted)") is not there: NULL. */
	char buf[PATH_MAX];
	struct stat st;
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0 || (size_t)n >= sizeof(buf) - 1 || buf[0] != '/')
		return NULL;
	buf[n] = '\0';
	if (stat(buf, &st) < 0)
		return NULL;
	return xstrdup(buf);
#endif
}
