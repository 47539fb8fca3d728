/* util.h - messages, allocation and path helpers shared by every module. */
#ifndef SBX_UTIL_H
#define SBX_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Exit codes of tool mode, as env(1): see DESIGN.md. */
#define EXIT_SBX_FAILED 125	/* sbx itself failed: bad config or variable */
#define EXIT_SBX_CANNOT_RUN 126 /* found, but could not be run confined */
#define EXIT_SBX_NOT_FOUND 127	/* not on PATH after the shim folder */
#define EXIT_SBX_USAGE 2	/* usage error of the sbx command */

/* The Makefile defines it; a build without it still says something. */
#ifndef SBX_VERSION
#define SBX_VERSION "0.0.0"
#endif

/* A case that goes on into the next: checked by gcc and clang alike
 * (-Wimplicit-fallthrough), where a comment satisfies gcc only. */
#define FALLTHROUGH __attribute__((fallthrough))

/* Environment variables, named once so help and code agree. */
#define ENV_SANDBOX "SBX_SANDBOX"
#define ENV_NETWORK_DISABLED "SBX_NETWORK_DISABLED"
#define ENV_PROFILE "SBX_PROFILE"
#define ENV_NETWORK "SBX_NETWORK"
#define ENV_WRITABLE "SBX_WRITABLE"
#define ENV_CONFIG "SBX_CONFIG"
#define ENV_DEBUG "SBX_DEBUG"
#define ENV_HOP "SBX_HOP"
#define ENV_ALLOW_UNSANDBOXED "SBX_ALLOW_UNSANDBOXED"
#define ENV_PROTECT "SBX_PROTECT"
#define ENV_LEFTOVERS "SBX_LEFTOVERS"

/* The name every message is about ("python3" in tool mode), or NULL. */
extern const char *msg_subject;
/* Set when SBX_DEBUG=1: trace() prints, otherwise it costs one branch. */
extern bool debug_on;
/* How many lines msg() has printed (trace's not counted). */
extern unsigned msg_count;
/* Tests only: when set, receives each message line instead of stderr. */
extern void (*msg_hook)(const char *line);

void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vmsg(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* msg() then exit(code). */
void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void trace_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define trace(...)                                                             \
	do {                                                                   \
		if (debug_on)                                                  \
			trace_(__VA_ARGS__);                                   \
	} while (0)

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A + B + C in a new string: the exec path's cheap printf("%s%s%s"). */
char *xstrcat3(const char *a, const char *b, const char *c);
/* The part of S after its last '/' (S itself when there is none). */
const char *base_name(const char *s);
/* setenv(NAME, VALUE, 1) and unsetenv(NAME), or die (126): the tool's
 * environment is part of its confinement (SBX_SANDBOX, the agents'
 * sockets, the secrets), and a half-made one must not run. */
void xsetenv(const char *name, const char *value);
void xunsetenv(const char *name);
/* DIR/NAME in a new string, with no "//" when DIR is "/". */
char *path_join(const char *dir, const char *name);

/* Lexically normalised absolute form of P: collapses "//", "." and "..".
 * A relative P is taken against BASE; "~" and "~/..." against HOME.
 * Returns a new string, or NULL with *why set to a static reason. */
char *path_absolute(const char *p, const char *base, const char *home,
		    const char **why);
/* In-place lexical normalisation of an absolute path. */
void path_normalize(char *p);
/* True when PATH is ROOT or lies beneath it (both normalised). */
bool path_within(const char *path, const char *root);
/* P with every symlink resolved (/tmp is /private/tmp on macOS); a part
 * that does not exist yet is kept as it is. A new string. */
char *path_canonical(const char *p);
/* The folder part of a normalised absolute path, as a new string. */
char *path_dirname(const char *p);
/* Replaces *DIR (normalised, absolute, allocated) by its parent folder;
 * false, and nothing changed, when it is "/" already. For walks upward. */
bool path_up(char **dir);

/* mkdir -p: creates DIR and the folders above it that are missing, with
 * MODE. Returns 0 (also when it exists), or -1 with errno set. */
int mkdirs(const char *dir, mode_t mode);

/* Reads a whole file of at most MAX bytes into a NUL-terminated buffer.
 * flags are added to open(2). Returns NULL with errno set (EFBIG: too big). */
char *read_small_file(const char *path, size_t max, int flags, size_t *len);
/* Linux: a memfd named NAME holding the LEN bytes of DATA, sealed (no
 * write, no size change, no new seal), close-on-exec; -1 with errno set. */
int sealed_memfd(const char *name, const void *data, size_t len);
/* open(PATH, FLAGS | O_CLOEXEC), as openat: musl's open() follows each
 * O_CLOEXEC open with an fcntl(F_SETFD) for kernels before 2.6.23, a
 * system call per file on the exec path. */
int open_cloexec(const char *path, int flags);
/* The same from FD, open already, to its end (left open). */
char *read_small_fd(int fd, size_t max, size_t *len);

/* UID's home folder in /etc/passwd (a new string), or NULL. */
char *passwd_home(uid_t uid);

/* Writes S with control characters escaped (\n, \t, \xNN) into a new string. */
char *escape_ctl(const char *s);

/* Coverage builds only: write the counters before exec replaces us. */
#ifdef SBX_COVERAGE
void __gcov_dump(void);
void __gcov_reset(void);
#define coverage_flush()                                                       \
	do {                                                                   \
		__gcov_dump();                                                 \
		__gcov_reset();                                                \
	} while (0)
#else
#define coverage_flush()                                                       \
	do {                                                                   \
	} while (0)
#endif

#endif
