/*
 * integrate.c - what puts sbx in front of the tools: the shim links, the
 * shell snippet, an agent's session, and the doctor that says what is wrong.
 */
#include "integrate.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

#include "policy.h"
#include "resolve.h"
#include "sandbox.h"
#include "session.h"
#include "trust.h"
#include "util.h"


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
	shell = base_name(shell);
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

/* The names the shims in DIR stand for (links that reach this sbx), else
 * the built-in list. A NULL-terminated array of new strings. */
static char **shim_names(const char *dir)
{
	const char *const *builtin = wrapper_tools();
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	dev_t dev;
	ino_t ino;
	DIR *d = opendir(dir);

	self_identity(&dev, &ino);
	while (d && (de = readdir(d))) {
		char *link = path_join(dir, de->d_name);

		if (de->d_name[0] != '.' && is_our_shim(link, dev, ino)) {
			names = xreallocarray(names, n + 2, sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
		free(link);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; n == 0 && builtin[i]; i++) {
		names = xreallocarray(names, i + 2, sizeof(*names));
		names[i] = xstrdup(builtin[i]);
		names[i + 1] = NULL;
	}
	if (names && n > 0)
		names[n] = NULL;
	return names;
}

static void free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/* The file bash reads for "bash -c" and "bash -lc" (BASH_ENV): it puts the
 * shim folder first again after the start-up files moved it. Installed as
 * PREFIX/share/sbx/env.sh (in a checkout, share/sbx/env.sh). */
static char *env_hook(void)
{
	char *self = self_path(), *bin, *prefix, *f;
	struct stat st;

	if (!self)
		return NULL;
	bin = path_dirname(self);
	prefix = path_dirname(bin);
	f = path_join(prefix, "share/sbx/env.sh");
	free(self);
	free(bin);
	free(prefix);
	if (stat(f, &st) == 0 && S_ISREG(st.st_mode))
		return f;
	free(f);
	return NULL;
}

/* Asks SHELL, started with FLAG (-c or -lc) in this environment, where it
 * finds each of NAMES, and prints a line for each that escapes: neither a
 * shim in SHIMS nor a real tool covered in the session's view (T). */
static int check_shell(const char *shell, const char *flag, char **names,
		       const char *shims, const struct targets *t, FILE *out,
		       const char *prefix)
{
	static const char script[] =
		"for t; do printf '%s\\t%s\\n' \"$t\" \"$(command -v -- "
		"\"$t\")\"; done";
	size_t n = 0, len = 0, wlen = 0;
	char **av, *buf = NULL, *what = NULL;
	int fds[2], escapes = 0, status;
	FILE *f, *list;
	pid_t pid;

	while (names[n])
		n++;
	av = xcalloc(n + 5, sizeof(*av));
	av[0] = (char *)shell;
	av[1] = (char *)flag;
	av[2] = (char *)script;
	av[3] = (char *)"sbx-check";
	for (size_t i = 0; i < n; i++)
		av[4 + i] = names[i];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		free(av);
		return 0;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(null, 2);
		execv(shell, av);
		_exit(127);
	}
	close(fds[1]);
	free(av);
	if (pid < 0) {
		close(fds[0]);
		return 0;
	}
	f = fdopen(fds[0], "r");
	list = open_memstream(&what, &wlen);
	while (f && getline(&buf, &len, f) > 0) {
		char *tab = strchr(buf, '\t'), *path, *real;

		if (!tab)
			continue;
		*tab = '\0';
		path = tab + 1;
		path[strcspn(path, "\n")] = '\0';
		if (path[0] != '/')
			continue; /* not found, or a function or alias */
		if (path_within(path, shims))
			continue;
		real = realpath(path, NULL);
		if (!real || !targets_find(t, real)) {
			char *e = escape_ctl(path);

			fprintf(list, "%s %s (%s)", escapes ? "," : "", buf,
				e);
			free(e);
			escapes++;
		}
		free(real);
	}
	fclose(list);
	if (escapes > 0)
		fprintf(out,
			"%s\"%s %s\" would run%s unconfined\n"
			"%s  fix: keep %s first on PATH in the shell's start-up "
			"files (eval \"$(sbx shell-init)\" at their end)\n",
			prefix, shell, flag, what, prefix, shims);
	free(what);
	free(buf);
	if (f)
		fclose(f);
	else
		close(fds[0]);
	waitpid(pid, &status, 0);
	return escapes;
}

/* The matrix of the shells an agent starts: $SHELL -lc and bash -c (and
 * sh -c). Returns the number of escapes printed. */
int session_check(char **names, const char *shims, const struct targets *t,
		  FILE *out, const char *prefix)
{
	const char *shell = getenv("SHELL");
	int escapes = 0;

	if (!shell || shell[0] != '/' || access(shell, X_OK) < 0)
		shell = "/bin/sh";
	escapes += check_shell(shell, "-lc", names, shims, t, out, prefix);
	if (access("/bin/bash", X_OK) == 0)
		escapes += check_shell("/bin/bash", "-c", names, shims, t, out,
				       prefix);
	if (strcmp(shell, "/bin/sh") != 0)
		escapes += check_shell("/bin/sh", "-c", names, shims, t, out,
				       prefix);
	return escapes;
}

/* Names each PATH folder that a tool may write: it could plant a git or a
 * python3 there for the agent (or you) to run later, outside. */
static int writable_path_dirs(const struct policy *p, FILE *out,
			      const char *prefix)
{
	const char *path = getenv("PATH");
	int n = 0;

	for (const char *s = path ? path : "", *e; *s; s = *e ? e + 1 : e) {
		char *dir;

		e = strchr(s, ':');
		if (!e)
			e = s + strlen(s);
		if (*s != '/')
			continue;
		dir = xstrndup(s, (size_t)(e - s));
		path_normalize(dir);
		for (size_t i = 0; i < p->roots.n; i++) {
			if (!path_within(dir, p->roots.v[i].path))
				continue;
			char *d = escape_ctl(dir);

			fprintf(out,
				"%sPATH folder %s is writable by tools (%s): a "
				"tool can put a program there that runs later, "
				"unconfined\n",
				prefix, d, source_str(&p->roots.v[i].src));
			free(d);
			n++;
			break;
		}
		free(dir);
	}
	return n;
}

/* One line: what the tools get here. */
static void session_status(int covered, const char *how)
{
	struct policy p;
	char *ws;

	policy_init(&p, NULL);
	if (policy_load(&p) > 0) {
		policy_free(&p);
		return;
	}
	policy_finish(&p);
	ws = p.workspace ? escape_ctl(p.workspace) : NULL;
	fprintf(stderr,
		"sbx: session: tools run %s, network %s, %s%s; %s"
		"; 'sbx explain TOOL' says more, 'sbx check TOOL --write "
		"PATH' why something is denied\n",
		profile_name(p.profile), p.network ? "on" : "off",
		ws ? "workspace " : "no workspace (the current folder is not "
				    "writable)",
		ws ? ws : "", how);
	(void)covered;
	writable_path_dirs(&p, stderr, "sbx: session: warning: ");
	free(ws);
	policy_free(&p);
}

/* sbx session --log[=FILE]: the denials the kernel records while the agent
 * runs, as sbx log -f prints them, on stderr or appended to FILE, by a
 * child that ends with the agent (Linux: PR_SET_PDEATHSIG). Not the
 * default: a full-screen agent (Codex, Claude Code) would have lines
 * written across its screen. */
static void follow_denials(const char *to)
{
#ifdef __linux__
	pid_t parent = getpid(), pid = fork();

	if (pid != 0)
		return; /* the agent, or no follower (fork failed) */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(0);
	signal(SIGINT, SIG_IGN); /* Ctrl-C is the agent's */
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	if (strcmp(to, "-") != 0) {
		int fd = open(to, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			      0600);

		if (fd < 0) {
			msg("session: --log=%s: %s", to, strerror(errno));
			_exit(1);
		}
		dup2(fd, 1);
		close(fd);
	} else {
		dup2(2, 1);
	}
	{
		char *av[] = { "log", "-f", "--since", "1", NULL };

		_exit(cmd_log(4, av));
	}
#else
	(void)to;
	msg("session: --log: Linux only for now (run sbx log beside it)");
#endif
}

int cmd_session(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "no-intercept", no_argument, NULL, 'I' },
		{ "no-check", no_argument, NULL, 'C' },
		{ "log", optional_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const char *log_to = NULL;
	char *dir = NULL, *path, *real, *hook, *agent, **names;
	char *shell_argv[2] = { NULL, NULL }, **cmd;
	bool intercept = true, check = true;
	struct targets t = { NULL, 0 };
	struct intercept ic;
	char why[512], how[128];
	const char *v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:", opts, NULL)) != -1) {
		if (c == 'd') {
			free(dir);
			dir = xstrdup(optarg);
		} else if (c == 'I') {
			intercept = false;
		} else if (c == 'C') {
			check = false;
		} else if (c == 'L') {
			log_to = optarg ? optarg : "-";
		} else {
			goto usage;
		}
	}
	if (optind < argc) {
		cmd = argv + optind;
	} else {
		v = getenv("SHELL");
		shell_argv[0] = (char *)(v && *v ? v : "/bin/sh");
		cmd = shell_argv;
	}
	if (!dir) {
		dir = shim_dir();
	} else if (dir[0] != '/') {
		char *cwd = getcwd(NULL, 0), *abs;
		const char *bad;

		abs = cwd ? path_absolute(dir, cwd, NULL, &bad) : NULL;
		free(cwd);
		if (!abs)
			die(EXIT_SBX_USAGE, "session: --dir %s: no folder", dir);
		free(dir);
		dir = abs;
	}
	path_normalize(dir);
	path = path_with_first(dir, getenv("PATH"));
	xsetenv("PATH", path);
	xsetenv(ENV_SESSION, "1");
	xsetenv(ENV_SHIM_DIR, dir);
	free(path);
	names = shim_names(dir);

	intercept_find(&ic, "");
	if (ic.root) {
		/* A session inside a session: the view is there already. */
		snprintf(how, sizeof(how), "the outer session's view");
		targets_collect(&t, (const char *const *)names, getenv("PATH"));
	} else if (intercept) {
		char *up = path_dirname(dir);
		int r;

		real = path_join(up, "real");
		free(up);
		targets_collect(&t, (const char *const *)names, getenv("PATH"));
		r = session_intercept(real, &t, why, sizeof(why));
		free(real);
		if (r < 0) {
			msg_subject = "session";
			die(EXIT_SBX_CANNOT_RUN, "cannot build the view: %s",
			    why);
		}
		if (r > 0) {
			fprintf(stderr,
				"sbx: session: no interception here (%s): "
				"only tools found through the shims on PATH "
				"are confined\n",
				why);
			targets_free(&t);
			snprintf(how, sizeof(how), "the PATH layer only");
		} else {
			snprintf(how, sizeof(how),
				 "%zu real tools covered, whatever the PATH",
				 t.n);
		}
	} else {
		snprintf(how, sizeof(how), "the PATH layer only");
	}
	intercept_free(&ic);

	/* bash -c and bash -lc read BASH_ENV after the start-up files;
	 * interactive bash runs PROMPT_COMMAND before each prompt. */
	hook = env_hook();
	if (hook) {
		v = getenv("BASH_ENV");
		if (v && *v && strcmp(v, hook) != 0)
			xsetenv("SBX_USER_BASH_ENV", v);
		xsetenv("BASH_ENV", hook);
		/* sh and bash in POSIX mode read ENV when interactive. */
		if (!getenv("ENV"))
			xsetenv("ENV", hook);
		if (!getenv("PROMPT_COMMAND")) {
			char *pc = xstrcat3(". '", hook, "'");

			if (!strchr(hook, '\''))
				xsetenv("PROMPT_COMMAND", pc);
			free(pc);
		}
		free(hook);
	}
	if (check)
		session_check(names, dir, &t, stderr, "sbx: session: ");
	session_status((int)t.n, how);
	agent = agent_chain(cmd, &t);
	xsetenv(ENV_AGENT, agent);
	free(agent);
	targets_free(&t);
	free_names(names);
	free(dir);
	if (log_to)
		follow_denials(log_to);
	coverage_flush();
	execvp(cmd[0], cmd);
	msg_subject = cmd[0];
	die(errno == ENOENT ? EXIT_SBX_NOT_FOUND : EXIT_SBX_CANNOT_RUN,
	    "cannot run: %s", strerror(errno));
usage:
	free(dir);
	fprintf(stderr, "usage: sbx session [--dir DIR] [--no-intercept] "
			"[--no-check] [--log[=FILE]] [--] [CMD [ARG]...]\n");
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

char *apparmor_profile_name(const char *bindir)
{
	char *name;

	if (strcmp(bindir, "/usr/bin") == 0)
		return xstrdup("sbx");
	name = xasprintf("sbx%s", bindir);
	for (char *c = name; *c; c++)
		if (*c == '/')
			*c = '-';
	return name;
}

bool apparmor_restricts_userns(const char *sysctl)
{
	char c = 0;
	int fd = open(sysctl, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == '1';
}

/* No user namespace for sbx: say so, and how to get one. Ubuntu 23.10 and
 * later take them from unconfined programs through AppArmor: the profile
 * make install (or the package) puts in PREFIX/share/sbx/apparmor gives
 * them back. */
static void doctor_userns(const struct policy *p)
{
	const char *level = p->protect == PROTECT_REQUIRED ? "FAIL" : "warn";
	const char *req = p->protect == PROTECT_REQUIRED
				  ? " (protect = required)"
				  : "";
	char *self = self_path(), *bin, *prefix, *name, *profile;

	if (!self || !apparmor_restricts_userns(APPARMOR_USERNS_SYSCTL)) {
		report(level,
		       "no user namespace: protected and hidden paths are not "
		       "enforced%s\n"
		       "      fix: allow unprivileged user namespaces "
		       "(sysctl kernel.unprivileged_userns_clone=1)",
		       req);
		free(self);
		return;
	}
	bin = path_dirname(self);
	prefix = path_dirname(bin);
	name = apparmor_profile_name(bin);
	profile = xasprintf("%s/share/sbx/apparmor/%s",
			    strcmp(prefix, "/") ? prefix : "", name);
	report(level,
	       "no user namespace: protected and hidden paths are not "
	       "enforced%s\n"
	       "      AppArmor restricts user namespaces "
	       "(kernel.apparmor_restrict_unprivileged_userns=1)\n"
	       "      fix: sudo cp %s /etc/apparmor.d/%s && "
	       "sudo apparmor_parser -r /etc/apparmor.d/%s",
	       req, profile, name, name);
	free(profile);
	free(name);
	free(prefix);
	free(bin);
	free(self);
}

static void doctor_backend(const struct policy *p)
{
	struct sandbox_caps c;
	const char *allow = getenv(ENV_ALLOW_UNSANDBOXED);

	sandbox_caps(p, &c);
	if (!c.available)
		report(allow && strcmp(allow, "1") == 0 ? "warn" : "FAIL",
		       "no sandbox on this machine: tools exit 126\n"
		       "      fix: a kernel with Landlock (lsm=landlock), or "
		       "%s=1 to run tools unconfined",
		       ENV_ALLOW_UNSANDBOXED);
	else
		report("ok", "%s", c.summary);
	if (p->protect == PROTECT_OFF)
		report("warn",
		       "protect = off (%s): protected and hidden paths "
		       "are not enforced",
		       source_str(&p->protect_src));
	else if (c.view == CAPS_VIEW_NONE)
		doctor_userns(p);
	else if (c.view == CAPS_VIEW_PRIVATE)
		report("ok", "protected and hidden paths: private mount "
			     "namespace");
	if (c.seccomp == CAPS_SECCOMP_MISSING)
		report("FAIL", "the kernel has no seccomp: the network cannot "
			       "be turned off");
	else if (c.seccomp == CAPS_SECCOMP_YES)
		report("ok", "seccomp filters (network off, no terminal "
			     "injection)");
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

/* What the shells of an agent's session would run unconfined, through the
 * PATH layer alone (the session's environment, simulated here). */
static void doctor_session(void)
{
	char *dir = shim_dir(), *hook = env_hook(), **names = shim_names(dir);
	char *path = path_with_first(dir, getenv("PATH"));
	struct targets none = { NULL, 0 };
	bool covers = sandbox_can_intercept();
	int n;

	xsetenv("PATH", path);
	xsetenv(ENV_SHIM_DIR, dir);
	if (hook)
		xsetenv("BASH_ENV", hook);
	if (covers)
		report("ok", "sbx session covers the real tools: full paths, "
			     "venvs, shebangs and login shells reach sbx");
	else
		report("warn", "sbx session has the PATH layer only here (no "
			       "mount namespace): a full path runs a tool "
			       "bare");
	n = session_check(names, dir, &none, stdout,
			  covers ? "info  through PATH alone, "
				 : "warn  ");
	if (!covers)
		warnings += n;
	else if (n == 0)
		report("ok", "the shells of a session find every tool through "
			     "the shims too");
	free(path);
	free(hook);
	free(dir);
	free_names(names);
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
	doctor_session();
	warnings += writable_path_dirs(&p, stdout, "warn  ");
	for (size_t i = 0; i < p.configs.n; i++) {
		const struct pathent *e = &p.configs.v[i];
		struct stat st;

		if (strcmp(e->path, builtin_defaults_name) == 0 ||
		    lstat(e->path, &st) < 0)
			continue;
		if (e->kind == ENTRY_CONFIG_UNTRUSTED)
			report("warn",
			       "%s is not trusted: ignored\n      fix: "
			       "read it, then sbx allow %s",
			       e->path, e->path);
		else if (e->kind == ENTRY_CONFIG_TRUSTED ||
			 e->kind == ENTRY_CONFIG_USER ||
			 e->kind == ENTRY_CONFIG_ENV)
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
