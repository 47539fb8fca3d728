/*
 * session.c - the tools an agent's session covers, and what a shim learns
 * from the session's view (the platform part is session_intercept, in
 * session-linux.c; macOS has the PATH layer only).
 */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolve.h"
#include "util.h"

void targets_free(struct targets *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].tools);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

const struct target *targets_find(const struct targets *t, const char *path)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].path, path) == 0)
			return &t->v[i];
	return NULL;
}

/* True when NAME is one of the space-separated words of LIST. */
static bool word_in(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; *s;) {
		size_t w = strcspn(s, " ");

		if (w == n && strncmp(s, name, n) == 0)
			return true;
		s += w;
		s += strspn(s, " ");
	}
	return false;
}

/* Adds CAND (a path to an executable named NAME) to T by its real path. */
static void add_candidate(struct targets *t, const char *cand,
			  const char *name, dev_t self_dev, ino_t self_ino)
{
	struct stat st;
	char *real;
	const char *base;
	struct target *e;

	if (stat(cand, &st) < 0 || !S_ISREG(st.st_mode) ||
	    access(cand, X_OK) < 0)
		return;
	if (st.st_dev == self_dev && st.st_ino == self_ino)
		return; /* a shim */
	real = realpath(cand, NULL);
	/* Tabs and newlines cannot be written in the session's map. */
	if (!real || real[strcspn(real, "\t\n")] != '\0') {
		free(real);
		return;
	}
	/* A link to a file of another name is either the same tool with a
	 * version (python3 -> python3.11, npm -> npm-cli.js, gmake -> make)
	 * or a multi-call binary (rustup's cargo proxy, busybox): covering
	 * that would confine every name it answers to as this one. */
	base = base_name(real);
	if (!strstr(base, name) && !strstr(name, base)) {
		trace("session: %s is %s: a multi-call binary, not covered",
		      cand, real);
		free(real);
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		e = &t->v[i];
		if (strcmp(e->path, real) == 0) {
			if (!word_in(e->tools, name)) {
				char *w = xstrcat3(e->tools, " ", name);

				free(e->tools);
				e->tools = w;
			}
			free(real);
			return;
		}
	}
	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	t->v[t->n].path = real;
	t->v[t->n].tools = xstrdup(name);
	t->n++;
}

/* The version folders of the usual version managers, as glob patterns,
 * each with the variable that moves it and its default under $HOME. */
static const struct {
	const char *var, *home_default, *pattern;
} managers[] = {
	{ "PYENV_ROOT", ".pyenv", "/versions/*/bin/" },
	{ "ASDF_DATA_DIR", ".asdf", "/installs/*/*/bin/" },
	{ "MISE_DATA_DIR", ".local/share/mise", "/installs/*/*/bin/" },
	{ "NVM_DIR", ".nvm", "/versions/node/*/bin/" },
	{ "RUSTUP_HOME", ".rustup", "/toolchains/*/bin/" },
	{ "UV_PYTHON_INSTALL_DIR", ".local/share/uv/python", "/*/bin/" },
	{ "FNM_DIR", ".local/share/fnm", "/node-versions/*/installation/bin/" },
	{ "VOLTA_HOME", ".volta", "/tools/image/node/*/bin/" },
	{ "CONDA_ROOT", "miniconda3", "/bin/" },
	{ "CONDA_ENVS_DIR", "miniconda3/envs", "/*/bin/" },
	{ "MAMBA_ROOT_PREFIX", "anaconda3", "/bin/" },
};

void targets_collect(struct targets *t, const char *const *names,
		     const char *pathenv)
{
	const char *home = getenv("HOME");
	dev_t dev;
	ino_t ino;

	memset(t, 0, sizeof(*t));
	self_identity(&dev, &ino);
	if (!pathenv)
		pathenv = DEFAULT_PATH;
	for (size_t i = 0; names[i]; i++) {
		for (const char *s = pathenv, *e; *s; s = *e ? e + 1 : e) {
			char *dir, *cand;

			e = strchr(s, ':');
			if (!e)
				e = s + strlen(s);
			if (*s != '/')
				continue; /* "" and relative: never searched */
			dir = xstrndup(s, (size_t)(e - s));
			cand = path_join(dir, names[i]);
			add_candidate(t, cand, names[i], dev, ino);
			free(cand);
			free(dir);
		}
	}
	for (size_t m = 0; m < sizeof(managers) / sizeof(*managers); m++) {
		const char *v = getenv(managers[m].var);
		char *base;

		if (v && v[0] == '/')
			base = xstrdup(v);
		else if (home && home[0] == '/')
			base = path_join(home, managers[m].home_default);
		else
			continue;
		for (size_t i = 0; names[i]; i++) {
			char *pat = xasprintf("%s%s%s", base,
					      managers[m].pattern, names[i]);
			glob_t g;

			if (glob(pat, GLOB_NOSORT, NULL, &g) == 0)
				for (size_t k = 0; k < g.gl_pathc; k++)
					add_candidate(t, g.gl_pathv[k],
						      names[i], dev, ino);
			globfree(&g);
			free(pat);
		}
		free(base);
	}
}

void intercept_free(struct intercept *ic)
{
	free(ic->root);
	free(ic->path);
	free(ic->tool);
	memset(ic, 0, sizeof(*ic));
}

/* Picks, among the space-separated NAMES, the one ARGV0 was called by,
 * else the first: "python" for .venv/bin/python, "python3" for
 * /usr/bin/python3.11. */
static char *pick_tool(const char *names, const char *argv0)
{
	const char *base = base_name(argv0);

	if (*base && word_in(names, base))
		return xstrdup(base);
	return xstrndup(names, strcspn(names, " "));
}

void intercept_find(struct intercept *ic, const char *argv0)
{
	const char *dir = getenv(ENV_INTERCEPT);
	char exe[PATH_MAX], *map, *file, *line, *next;
	size_t len;
	ssize_t n;

	memset(ic, 0, sizeof(*ic));
	if (!dir || dir[0] != '/')
		return;
	/* The map exists only in the session's view: elsewhere (inside a
	 * tool's own view, or outside) the variable means nothing. */
	file = path_join(dir, "map");
	map = read_small_file(file, (size_t)1 << 20, 0, &len);
	free(file);
	if (!map) {
		trace("%s=%s: no session view here", ENV_INTERCEPT, dir);
		return;
	}
	ic->root = path_join(dir, "root");
	ic->agent = getenv(ENV_AGENT);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	for (line = map; line && *line; line = next) {
		char *tab;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		if (strcmp(line, "sbx") == 0) {
			char *end;

			ic->sbx_dev = strtoull(tab + 1, &end, 10);
			ic->sbx_ino = strtoull(end, NULL, 10);
		} else if (!ic->hit && n > 0 && strcmp(line, exe) == 0) {
			ic->hit = true;
			ic->path = xstrdup(exe);
			ic->tool = pick_tool(tab + 1, argv0);
		}
	}
	free(map);
	if (ic->hit)
		trace("reached through the session's cover of %s (%s)",
		      ic->path, ic->tool);
}

/* The interpreter a script at PATH names on its "#!" line, resolved as the
 * kernel and env(1) would (env's program on PATH, past the shims). A new
 * string, or NULL when PATH is no script. */
static char *interpreter_of(const char *path, dev_t dev, ino_t ino)
{
	char buf[256], *s, *word, *r = NULL;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	s = buf + 2;
	s += strspn(s, " \t");
	word = s;
	s += strcspn(s, " \t");
	if (*s)
		*s++ = '\0';
	if (strcmp(word, "/usr/bin/env") == 0 || strcmp(word, "/bin/env") == 0) {
		struct resolved rv;

		/* env [-S] [-options] PROGRAM */
		for (;;) {
			s += strspn(s, " \t");
			word = s;
			s += strcspn(s, " \t");
			if (*s)
				*s++ = '\0';
			if (word[0] != '-')
				break;
		}
		if (*word && !strchr(word, '=') &&
		    path_resolve(word, getenv("PATH"), dev, ino, &rv) == 0) {
			r = realpath(rv.path, NULL);
			resolved_free(&rv);
		}
		return r;
	}
	return *word == '/' ? realpath(word, NULL) : NULL;
}

/* The words of ARGV that a wrapper (env, nice, nohup, stdbuf, ionice) runs
 * as its command, in the same pid; NULL for another program or a wrapper
 * with no command. (timeout forks: what it runs is not the agent's pid.) */
static char *const *wrapped(const char *path, char *const *argv)
{
	const char *base = base_name(path);
	/* options whose value is the next word */
	static const char *const env_v[] = { "-u", "-C", "--unset", "--chdir",
					      NULL };
	static const char *const nice_v[] = { "-n", "--adjustment", NULL };
	static const char *const ionice_v[] = { "-c", "-n", "--class",
						 "--classdata", NULL };
	static const char *const stdbuf_v[] = { "-i", "-o", "-e", NULL };
	static const char *const none[] = { NULL };
	const char *const *takes;
	bool is_env = strcmp(base, "env") == 0;

	if (is_env)
		takes = env_v;
	else if (strcmp(base, "nice") == 0)
		takes = nice_v;
	else if (strcmp(base, "ionice") == 0)
		takes = ionice_v;
	else if (strcmp(base, "stdbuf") == 0)
		takes = stdbuf_v;
	else if (strcmp(base, "nohup") == 0)
		takes = none;
	else
		return NULL;
	for (argv++; *argv; argv++) {
		bool value = false;

		if (strcmp(*argv, "--") == 0) {
			argv++;
			break;
		}
		if (is_env && (*argv)[0] != '-' && strchr(*argv, '='))
			continue; /* NAME=VALUE */
		if ((*argv)[0] != '-')
			break;
		for (size_t i = 0; takes[i]; i++)
			value |= strcmp(*argv, takes[i]) == 0;
		if (value && argv[1])
			argv++;
	}
	return *argv ? argv : NULL;
}

/* The real path of CMD, found as execvp would (past the shims). */
static char *find_real(const char *cmd, dev_t dev, ino_t ino)
{
	struct resolved rv;
	char *r = NULL;

	if (strchr(cmd, '/'))
		return realpath(cmd, NULL);
	if (path_resolve(cmd, getenv("PATH"), dev, ino, &rv) == 0) {
		r = realpath(rv.path, NULL);
		resolved_free(&rv);
	}
	return r;
}

char *agent_chain(char *const *argv, const struct targets *t)
{
	char *chain, *cur, pid[32];
	dev_t dev;
	ino_t ino;

	self_identity(&dev, &ino);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	chain = xstrdup(pid);
	cur = find_real(argv[0], dev, ino);
	/* The program, what the wrappers in front of it run, and the
	 * interpreters the "#!" lines lead to. */
	for (int depth = 0; cur && depth < 8; depth++) {
		char *next = xstrcat3(chain, "\t", cur), *following;
		char *const *inner = argv ? wrapped(cur, argv) : NULL;
		const struct target *tg = targets_find(t, cur);

		free(chain);
		chain = next;
		/* A covered launcher (pyenv's python3 shim) execs a real tool
		 * of the same name in the same pid: that one is the agent's
		 * too, by name (":python3"). */
		for (const char *w = tg ? tg->tools : ""; *w;) {
			size_t n = strcspn(w, " ");
			char *name = xstrndup(w, n);

			next = xasprintf("%s\t:%s", chain, name);
			free(name);
			free(chain);
			chain = next;
			w += n;
			w += strspn(w, " ");
		}
		if (inner) {
			following = find_real(inner[0], dev, ino);
			argv = inner;
		} else {
			following = interpreter_of(cur, dev, ino);
			argv = NULL; /* an interpreter runs no wrapped command */
		}
		free(cur);
		cur = following;
	}
	free(cur);
	return chain;
}

bool agent_is(const char *chain, const char *path, const char *tool)
{
	char pid[32], *real;
	size_t n;
	bool found = false;

	if (!chain)
		return false;
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	n = strlen(pid);
	if (strncmp(chain, pid, n) != 0 || chain[n] != '\t')
		return false;
	real = realpath(path, NULL);
	if (!real)
		return false;
	for (const char *s = chain + n + 1; *s && !found;) {
		size_t w = strcspn(s, "\t");

		found = (strlen(real) == w && strncmp(s, real, w) == 0) ||
			(s[0] == ':' && strlen(tool) == w - 1 &&
			 strncmp(s + 1, tool, w - 1) == 0);
		s += w;
		s += *s == '\t';
	}
	free(real);
	return found;
}
