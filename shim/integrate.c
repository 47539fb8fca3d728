/*
 * integrate.c - what puts sbx in front of the tools: the shim links, the
 * shell snippet, an agent's session, and the doctor that says what is wrong.
 */
#include "integrate.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

#include "policy.h"
#include "resolve.h"
#include "sandbox.h"
#include "trust.h"
#include "util.h"

#ifndef SBX_VERSION
#define SBX_VERSION "0.0.0"
#endif

char *shim_dir(void)
{
	const char *env = getenv(ENV_SHIM_DIR);
	char *self, *bin, *prefix, *dir;

	if (env && env[0] == '/') {
		dir = xstrdup(env);
		path_normalize(dir);
		return dir;
	}
	self = self_path();
	if (!self)
		die(1, "cannot find the sbx binary: %s", strerror(errno));
	bin = path_dirname(self);
	prefix = path_dirname(bin);
	dir = xasprintf("%s/lib/sbx/shims", strcmp(prefix, "/") ? prefix : "");
	free(self);
	free(bin);
	free(prefix);
	return dir;
}

/* True when PATH is a shim: a link that reaches this very binary. */
static bool is_our_shim(const char *path, dev_t dev, ino_t ino)
{
	struct stat st, lst;

	return lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) &&
	       stat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

static int list_shims(const char *dir, dev_t dev, ino_t ino)
{
	struct dirent **names;
	int n, shown = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		die(1, "%s: %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);
		struct resolved r;

		if (is_our_shim(path, dev, ino)) {
			if (path_resolve(names[i]->d_name, getenv("PATH"), dev,
					 ino, &r) == 0) {
				printf("%-10s -> %s\n", names[i]->d_name,
				       r.path);
				resolved_free(&r);
			} else {
				printf("%-10s -> not found on PATH (exit "
				       "127)\n",
				       names[i]->d_name);
			}
			shown++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	if (shown == 0)
		printf("no shims in %s\n", dir);
	return 0;
}

int cmd_shims(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "list", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *const *tools;
	char *dir = NULL, *self;
	bool list = false;
	int c, made = 0, kept = 0;
	dev_t dev;
	ino_t ino;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:l", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			free(dir);
			dir = xstrdup(optarg);
			break;
		case 'l':
			list = true;
			break;
		default:
			fprintf(stderr, "usage: sbx shims [--dir DIR] [--list] "
					"[TOOL...]\n");
			return EXIT_SBX_USAGE;
		}
	}
	if (!dir)
		dir = shim_dir();
	self_identity(&dev, &ino);
	if (list) {
		c = list_shims(dir, dev, ino);
		free(dir);
		return c;
	}
	self = self_path();
	if (!self)
		die(1, "cannot find the sbx binary: %s", strerror(errno));
	if (mkdirs(dir, 0755) < 0)
		die(1, "cannot create %s: %s", dir, strerror(errno));
	tools = optind < argc ? (const char *const *)argv + optind
			      : wrapper_tools();
	for (size_t i = 0; tools[i]; i++) {
		char *link = xasprintf("%s/%s", dir, tools[i]);
		char *tmp = xasprintf("%s/.%s.sbx-new", dir, tools[i]);
		struct stat st;

		if (strchr(tools[i], '/') || strcmp(tools[i], "sbx") == 0 ||
		    tools[i][0] == '.' || tools[i][0] == '\0')
			die(EXIT_SBX_USAGE, "\"%s\": not a tool name",
			    tools[i]);
		if (is_our_shim(link, dev, ino)) {
			kept++;
		} else if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
			die(1, "%s exists and is not a link: left as it is",
			    link);
		} else {
			unlink(tmp);
			if (symlink(self, tmp) < 0 || rename(tmp, link) < 0)
				die(1, "cannot create %s: %s", link,
				    strerror(errno));
			made++;
		}
		free(link);
		free(tmp);
	}
	printf("sbx: %d shim%s in %s (%d new, %d already there)\n", made + kept,
	       made + kept == 1 ? "" : "s", dir, made, kept);
	free(self);
	free(dir);
	return 0;
}

/* S in single quotes for a POSIX shell or fish. */
static void print_quoted(const char *s, bool fish)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs(fish ? "\\'" : "'\\''", stdout);
		else if (fish && *s == '\\')
			fputs("\\\\", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

int cmd_shell_init(int argc, char *argv[])
{
	const char *shell = argc > 1 ? argv[1] : getenv("SHELL");
	char *dir;

	if (argc > 2)
		goto usage;
	if (!shell || !*shell)
		shell = "bash";
	if (strrchr(shell, '/'))
		shell = strrchr(shell, '/') + 1;
	dir = shim_dir();
	if (strcmp(shell, "bash") == 0 || strcmp(shell, "zsh") == 0 ||
	    strcmp(shell, "sh") == 0) {
		printf("# sbx: this shell's build tools run sandboxed.\n"
		       "# Add to the shell's rc file: eval \"$(sbx shell-init "
		       "%s)\"\n",
		       shell);
		printf("export PATH=");
		print_quoted(dir, false);
		printf("\"${PATH:+:$PATH}\"\nexport %s=1\n", ENV_SESSION);
	} else if (strcmp(shell, "fish") == 0) {
		printf("# sbx: this shell's build tools run sandboxed.\n"
		       "# Add to config.fish: sbx shell-init fish | source\n");
		printf("set -gx PATH ");
		print_quoted(dir, true);
		printf(" $PATH\nset -gx %s 1\n", ENV_SESSION);
	} else {
		free(dir);
		goto usage;
	}
	free(dir);
	return 0;
usage:
	fprintf(stderr, "usage: sbx shell-init [bash|zsh|fish]\n");
	return EXIT_SBX_USAGE;
}

/* PATH with DIR first and nowhere else. A new string. */
static char *path_with_first(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	char *out = xmalloc(n + 1 + (path ? strlen(path) : 0) + 1), *o;

	strcpy(out, dir);
	o = out + n;
	for (const char *s = path, *e; s; s = *e ? e + 1 : NULL) {
		e = strchr(s, ':');
		if (!e)
			e = s + strlen(s);
		if ((size_t)(e - s) == n && strncmp(s, dir, n) == 0)
			continue;
		*o++ = ':';
		memcpy(o, s, (size_t)(e - s));
		o += e - s;
	}
	*o = '\0';
	return out;
}

int cmd_session(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	char *dir = NULL, *path;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:", opts, NULL)) != -1) {
		if (c != 'd')
			goto usage;
		free(dir);
		dir = xstrdup(optarg);
	}
	if (optind >= argc)
		goto usage;
	if (!dir)
		dir = shim_dir();
	path = path_with_first(dir, getenv("PATH"));
	setenv("PATH", path, 1);
	setenv(ENV_SESSION, "1", 1);
	free(path);
	free(dir);
	coverage_flush();
	execvp(argv[optind], argv + optind);
	msg_subject = argv[optind];
	die(errno == ENOENT ? EXIT_SBX_NOT_FOUND : EXIT_SBX_CANNOT_RUN,
	    "cannot run: %s", strerror(errno));
usage:
	free(dir);
	fprintf(stderr, "usage: sbx session [--dir DIR] [--] CMD [ARG]...\n");
	return EXIT_SBX_USAGE;
}

static int failures, warnings;

static void __attribute__((format(printf, 2, 3)))
report(const char *level, const char *fmt, ...)
{
	va_list ap;

	if (strcmp(level, "FAIL") == 0)
		failures++;
	else if (strcmp(level, "warn") == 0)
		warnings++;
	printf("%-5s ", level);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void doctor_backend(const struct policy *p)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *allow = getenv(ENV_ALLOW_UNSANDBOXED);

	sandbox_explain(f, p);
	fclose(f);
	if (strstr(out, "NOT AVAILABLE") || strstr(out, "NOT FOUND"))
		report(allow && strcmp(allow, "1") == 0 ? "warn" : "FAIL",
		       "no sandbox on this machine: tools exit 126\n"
		       "      fix: a kernel with Landlock (lsm=landlock), or "
		       "%s=1 to run tools unconfined",
		       ENV_ALLOW_UNSANDBOXED);
	else if (strncmp(out, "backend:", 8) == 0)
		report("ok", "%.*s",
		       (int)strcspn(out + 8, "\n") - (int)strspn(out + 8, " "),
		       out + 8 + strspn(out + 8, " "));
	if (p->protect == PROTECT_OFF)
		report("warn",
		       "protect = off (%s): protected and hidden paths "
		       "are not enforced",
		       source_str(&p->protect_src));
	else if (strstr(out, "protected, hidden paths, chmod: NOT enforced"))
		report(p->protect == PROTECT_REQUIRED ? "FAIL" : "warn",
		       "no user namespace: protected and hidden paths are not "
		       "enforced%s\n"
		       "      fix: allow unprivileged user namespaces "
		       "(sysctl kernel.unprivileged_userns_clone=1, or the "
		       "AppArmor userns rule)",
		       p->protect == PROTECT_REQUIRED ? " (protect = required)"
						      : "");
	else if (strstr(out, "mount namespace"))
		report("ok", "protected and hidden paths: private mount "
			     "namespace");
#ifdef PR_GET_SECCOMP
	if (strcmp(sandbox_backend, "landlock") == 0) {
		if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
			report("FAIL", "the kernel has no seccomp: the "
				       "network cannot be turned off");
		else
			report("ok", "seccomp filters (network off, no "
				     "terminal injection)");
	}
#endif
	free(out);
}

static void doctor_shims(void)
{
	char *dir = shim_dir();
	const char *const *tools = wrapper_tools();
	const char *path = getenv("PATH");
	size_t n = strlen(dir);
	struct stat st;
	dev_t dev;
	ino_t ino;
	int count = 0, stale = 0;

	self_identity(&dev, &ino);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		report("FAIL", "no shim folder at %s\n      fix: sbx shims",
		       dir);
		free(dir);
		return;
	}
	for (size_t i = 0; tools[i]; i++) {
		char *link = xasprintf("%s/%s", dir, tools[i]);
		struct resolved r;

		if (is_our_shim(link, dev, ino)) {
			count++;
			if (path_resolve(tools[i], path, dev, ino, &r) == 0) {
				report("ok", "%-8s -> %s", tools[i], r.path);
				resolved_free(&r);
			} else {
				report("info", "%-8s -> not installed",
				       tools[i]);
			}
		} else if (lstat(link, &st) == 0) {
			stale++;
			report("FAIL",
			       "%s is not a link to this sbx\n      fix: "
			       "sbx shims",
			       link);
		} else {
			report("warn", "no shim for %s\n      fix: sbx shims",
			       tools[i]);
		}
		free(link);
	}
	if (stale == 0)
		report("ok", "shim folder %s (%d shims)", dir, count);
	if (path && strncmp(path, dir, n) == 0 &&
	    (path[n] == ':' || path[n] == '\0'))
		report("ok", "the shim folder is first on PATH: tools run "
			     "sandboxed here");
	else
		report("warn",
		       "the shim folder is not first on PATH: tools run bare "
		       "here\n      fix: sbx session -- CMD (an agent's "
		       "session), or eval \"$(sbx shell-init)\"");
	free(dir);
}

int cmd_doctor(int argc, char *argv[])
{
	struct policy p;
	char *self = self_path();
	int errors;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: sbx doctor\n");
		return EXIT_SBX_USAGE;
	}
	report("ok", "sbx %s at %s", SBX_VERSION, self ? self : "?");
	free(self);
	policy_init(&p, NULL);
	errors = policy_load(&p);
	policy_finish(&p);
	doctor_backend(&p);
	doctor_shims();
	for (size_t i = 0; i < p.configs.n; i++) {
		const struct pathent *e = &p.configs.v[i];
		struct stat st;

		if (strcmp(e->path, builtin_defaults_name) == 0 ||
		    lstat(e->path, &st) < 0)
			continue;
		if (strncmp(e->src.origin, "NOT trusted", 11) == 0)
			report("warn",
			       "%s is not trusted: ignored\n      fix: "
			       "read it, then sbx allow %s",
			       e->path, e->path);
		else if (strcmp(e->src.origin, "trusted") == 0 ||
			 strcmp(e->src.origin, "user config") == 0 ||
			 strcmp(e->src.origin, ENV_CONFIG) == 0)
			report("ok", "config %s (%s)", e->path, e->src.origin);
		else
			report("warn", "%s %s: ignored", e->path,
			       e->src.origin);
	}
	if (errors > 0)
		report("FAIL",
		       "%d config error%s (above): tools exit 125\n"
		       "      fix: correct the lines named",
		       errors, errors == 1 ? "" : "s");
	policy_free(&p);
	printf("%d problem%s, %d warning%s\n", failures,
	       failures == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
	return failures > 0 ? 1 : 0;
}
