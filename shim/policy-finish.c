/* policy-finish.c - what policy_finish adds: workspace, roots, protected, hidden. */
#include "policy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy-internal.h"
#include "rcfile.h"
#include "resolve.h"
#include "trust.h"
#include "util.h"

#include "deps.h" /* last: its recorders stand for the calls */

const char *const protected_names[] = {
	".sbxrc", ".git", ".gitmodules", ".codex", ".claude", ".agents", NULL,
};

const char *const startup_files[] = {
	".bashrc",	 ".bash_profile", ".bash_login", ".bash_logout",
	".bash_aliases", ".profile",	  ".zshrc",	 ".zshenv",
	".zprofile",	 ".zlogin",	  ".zlogout",	 ".config/fish",
	NULL,
};

/* zsh's files where $ZDOTDIR moves them. */
static const char *const zdot_files[] = {
	".zshrc", ".zshenv", ".zprofile", ".zlogin", ".zlogout", NULL,
};

const char *const hidden_home[] = {
	".ssh",
	".aws",
	".gnupg",
	".config/gcloud",
	".azure",
	".kube",
	".docker/config.json",
	".netrc",
	".git-credentials",
	".pypirc",
	/* the agents' own credentials and the tokens a tool could send */
	".codex/auth.json",
	".claude/.credentials.json",
	".gemini/oauth_creds.json",
	".config/gh/hosts.yml",
	".config/github-copilot",
	".npmrc",
	".yarnrc.yml",
	".cargo/credentials.toml",
	".cargo/credentials",
	".config/hub",
	".cache/huggingface/token",
	NULL,
};

#ifdef SBX_OS_DARWIN
/* macOS only, under $HOME: the container engines' sockets (Docker
 * Desktop's, Colima's and Lima's, OrbStack's, Rancher Desktop's, Podman
 * machine's): a door out of any sandbox, with the network on or off. */
static const char *const hidden_engines_macos[] = {
	".docker/run",
	".colima",
	".lima",
	".orbstack/run",
	".rd",
	".local/share/containers/podman/machine",
	"Library/Containers/com.docker.docker/Data",
	NULL,
};
/* ... and the browsers' profiles: cookies, saved logins, session tokens. */
static const char *const hidden_browsers_macos[] = {
	"Library/Cookies",
	"Library/Containers/com.apple.Safari/Data/Library/Cookies",
	"Library/Safari",
	"Library/Application Support/Google/Chrome",
	"Library/Application Support/Chromium",
	"Library/Application Support/BraveSoftware",
	"Library/Application Support/Microsoft Edge",
	"Library/Application Support/Arc",
	"Library/Application Support/Firefox/Profiles",
	NULL,
};
#endif

/* Sockets of programs that run what they are asked to, outside any
 * sandbox: terminal multiplexers, editors' servers, terminals' remote
 * control. Named by variables, or where those programs put them. */
static const char *const command_socket_vars[] = {
	"TMUX",		   "NVIM",		  "NVIM_LISTEN_ADDRESS",
	"VSCODE_IPC_HOOK_CLI", "VSCODE_IPC_HOOK", "VSCODE_GIT_IPC_HANDLE",
	"WEZTERM_UNIX_SOCKET", "KITTY_LISTEN_ON", NULL,
};
static const char *const runtime_command_prefixes[] = {
	"nvim.", "vscode-", "emacs", "tmux-", "kitty", "wezterm", NULL,
};

const char *const engine_sockets[] = {
	"/var/run/docker.sock",		"/run/docker.sock",
	"/run/podman/podman.sock",	"/run/containerd/containerd.sock",
	"/run/buildkit/buildkitd.sock", NULL,
};

/* Doors to a process outside the sandbox that runs what it is asked to:
 * systemd-run over D-Bus or systemd's private socket starts a command
 * outside (as root, for root), X11 types into any window, a keyring daemon
 * hands out secrets. Pathname sockets are out of Landlock's reach. */
const char *const service_sockets[] = {
	"/run/dbus", "/var/run/dbus", "/run/systemd/private", "/tmp/.X11-unix",
	NULL,
};
const char *const runtime_sockets[] = {
	"bus", "systemd", "keyring", "docker.sock", "podman", NULL,
};

/* The nearest ancestor of the current folder holding .git, else the cwd. */
static void find_workspace(struct policy *p)
{
	char *dir = xstrdup(p->cwd);

	for (;;) {
		struct stat st;
		char *git = path_join(dir, ".git");
		int found = lstat(git, &st) == 0;

		free(git);
		if (found) {
			p->workspace = dir;
			p->workspace_src = (struct source){ "git root", 0 };
			return;
		}
		if (!path_up(&dir))
			break;
	}
	free(dir);
	/* A folder with no project in it: writing all of it would put the
	 * whole home (or everything) at a tool's mercy. */
	if (strcmp(p->cwd, "/") == 0 ||
	    (p->home && path_within(p->home, p->cwd))) {
		p->workspace = NULL;
		p->workspace_src = (struct source){
			strcmp(p->cwd, "/") == 0 ? "none: the current folder is /"
			: strcmp(p->cwd, p->home) == 0
				? "none: the current folder is the home folder"
				: "none: the current folder holds the home folder",
			0
		};
		return;
	}
	p->workspace = xstrdup(p->cwd);
	p->workspace_src = (struct source){ "current folder", 0 };
}

/* The source of the implicit temp roots ($TMPDIR, /tmp, /dev/shm). */
static const struct source implicit_temp = { "temp", 0 };

/* Adds PATH to L unless it is there already (the first source wins).
 * Returns the new entry, or NULL when it was there. */
static struct pathent *add_unique(struct pathlist *l, char *path,
				  struct source src)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].path, path) == 0) {
			free(path);
			return NULL;
		}
	}
	pathlist_add(l, path, src);
	return &l->v[l->n - 1];
}

/* Adds PATH (allocated) to P's roots as an implicit temp root. */
static void add_temp_root(struct policy *p, char *path)
{
	struct pathent *e = add_unique(&p->roots, path, implicit_temp);

	if (e)
		e->kind = ENTRY_TEMP;
}

/* A ".git" file ("gitdir: PATH", as worktrees and submodules have) names
 * the real git folder; it is protected as .git itself is. */
static char *gitdir_target(const char *gitfile)
{
	char *text, *p, *end, *dir, *abs;
	const char *why;
	size_t len;

	text = read_small_file(gitfile, 4096, O_NOFOLLOW, &len);
	if (!text)
		return NULL;
	if (strncmp(text, "gitdir:", 7) != 0) {
		free(text);
		return NULL;
	}
	for (p = text + 7; *p == ' ' || *p == '\t'; p++)
		;
	end = p + strcspn(p, "\r\n");
	*end = '\0';
	dir = path_dirname(gitfile);
	abs = *p ? path_absolute(p, dir, NULL, &why) : NULL;
	free(dir);
	free(text);
	return abs;
}

/* Drops from L what lies in none of ROOTS. */
static void keep_within(struct pathlist *l, const struct pathlist *roots)
{
	for (size_t i = 0; i < l->n;) {
		if (pathlist_covers(roots, l->v[i].path)) {
			i++;
			continue;
		}
		free(l->v[i].path);
		l->v[i] = l->v[--l->n];
	}
}

/* PATH (taken) is protected, and must not be created either. */
static void add_sealed(struct policy *p, char *path, const char *origin)
{
	add_unique(&p->sealed, xstrdup(path), (struct source){ origin, 0 });
	add_unique(&p->protected, path, (struct source){ origin, 0 });
}

static const struct pathent *find_entry(const struct pathlist *l,
					const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].path, path) == 0)
			return &l->v[i];
	return NULL;
}

/* Config keys whose value is a command git runs (a textconv driver, a
 * filter, a credential helper, an alias with !...): when the program is
 * named by a path (./tools/conv.sh, not a bare name found on PATH), that
 * file is code git runs. *VAL becomes the program's path. */
static bool git_command_key(const char *section, const char *key, char **val)
{
	static const char *const keys[][2] = {
		{ "core", "fsmonitor" },      { "core", "sshCommand" },
		{ "core", "editor" },	      { "core", "pager" },
		{ "core", "askPass" },	      { "diff", "textconv" },
		{ "diff", "command" },	      { "filter", "clean" },
		{ "filter", "smudge" },	      { "filter", "process" },
		{ "credential", "helper" },   { "gpg", "program" },
		{ "merge", "driver" },	      { "sequence", "editor" },
		{ "uploadpack", "packObjectsHook" },
	};
	char *v = *val;
	bool found = strcasecmp(section, "alias") == 0 && *v == '!';

	for (size_t i = 0; !found && i < sizeof(keys) / sizeof(*keys); i++)
		found = strcasecmp(section, keys[i][0]) == 0 &&
			strcasecmp(key, keys[i][1]) == 0;
	if (!found)
		return false;
	if (*v == '!')
		v++;
	v += strspn(v, " \t");
	v[strcspn(v, " \t")] = '\0'; /* the program, not its arguments */
	*val = v;
	return v[0] == '~' || strchr(v, '/') != NULL;
}

/* Git runs code from paths its config names: hooks (core.hooksPath:
 * husky's .husky), core.fsmonitor, and what include.path pulls in. Those
 * that GITDIR/config names are protected as .git is. */
static void add_git_code_paths(struct policy *p, const char *top,
			       const char *file)
{
	char *gitdir = path_dirname(file), *text, *line, *next;
	char section[64] = "";
	size_t len;

	text = read_small_file(file, RC_MAX_SIZE, O_NOFOLLOW, &len);
	for (line = text; line && *line; line = next) {
		char *key, *val, *eq, *end;
		const char *why, *base;
		char *abs;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (*line == '[') {
			size_t n = strcspn(line + 1, " \t]\"");
			char *close = strchr(line, ']');

			snprintf(section, sizeof(section), "%.*s", (int)n,
				 line + 1);
			if (!close)
				continue;
			line = close + 1; /* [include] path = x */
			line += strspn(line, " \t");
		}
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		key = line;
		for (end = eq; end > key && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		val = eq + 1;
		val += strspn(val, " \t");
		if (*val == '"') {
			val++;
			val[strcspn(val, "\"\r")] = '\0';
		} else {
			val[strcspn(val, "#;\r")] = '\0'; /* a comment */
		}
		for (end = val + strlen(val);
		     end > val && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		/* hooks, and programs run in the worktree: relative to it */
		if ((strcasecmp(section, "core") == 0 &&
		     strcasecmp(key, "hooksPath") == 0 && *val) ||
		    git_command_key(section, key, &val))
			base = top;
		else if ((strcasecmp(section, "include") == 0 ||
			  strcasecmp(section, "includeIf") == 0) &&
			 strcasecmp(key, "path") == 0 && *val)
			base = gitdir; /* relative to the config file */
		else
			continue;
		abs = path_absolute(val, base, p->home, &why);
		/* husky 9: hooksPath = .husky/_, whose scripts run the
		 * hooks in .husky itself: the folder above is code too */
		if (abs && strcmp(base_name(abs), "_") == 0 &&
		    strcasecmp(key, "hooksPath") == 0)
			add_unique(&p->protected, path_dirname(abs),
				   (struct source){ "git runs code from it", 0 });
		if (abs)
			add_unique(&p->protected, abs,
				   (struct source){ "git runs code from it", 0 });
	}
	free(text);
	free(gitdir);
}

/* The repository at TOP: its .git (a folder, or a gitdir: file and the
 * folder it names), the code paths its config names, and its submodules'
 * (.gitmodules), as they are when the tool starts. */
static void add_repo(struct policy *p, const char *top, int depth,
		     int *count)
{
	char *git = path_join(top, ".git"), *target = gitdir_target(git);
	char *modules, *text, *line, *next;
	size_t len;

	if (target)
		add_unique(&p->protected, xstrdup(target),
			   (struct source){ "gitdir of .git", 0 });
	{
		char *cfg = path_join(target ? target : git, "config");

		add_git_code_paths(p, top, cfg);
		free(cfg);
	}
	/* the user's global config: a relative hooksPath there applies in
	 * every repository */
	for (int g = 0; g < 2 && p->home; g++) {
		char *cfg = path_join(p->home, g == 0 ? ".gitconfig"
						      : ".config/git/config");

		add_git_code_paths(p, top, cfg);
		free(cfg);
	}
	free(target);
	free(git);
	if (depth >= 2)
		return;
	modules = path_join(top, ".gitmodules");
	/* a nested repository's list of submodules (the root's is one of
	 * protected_names): rewritten, it would drop their protection */
	if (depth > 0)
		add_unique(&p->protected, xstrdup(modules),
			   (struct source){ "a nested repository's .gitmodules",
					    0 });
	text = read_small_file(modules, RC_MAX_SIZE, O_NOFOLLOW, &len);
	for (line = text; line && *line; line = next) {
		char *val;
		const char *why;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (strncasecmp(line, "path", 4) != 0)
			continue;
		if (++(*count) > 64)
			break; /* a file written to make every tool slow */
		val = line + 4 + strspn(line + 4, " \t");
		if (*val != '=')
			continue;
		val += 1 + strspn(val + 1, " \t\"");
		val[strcspn(val, "\"\r")] = '\0';
		char *sub = *val ? path_absolute(val, top, NULL, &why) : NULL;

		if (sub && path_within(sub, top) && strcmp(sub, top) != 0) {
			char *g = path_join(sub, ".git");
			bool seen = find_entry(&p->protected, g) != NULL;

			if (!seen)
				add_unique(&p->protected, g,
					   (struct source){ "submodule's .git",
							    0 });
			else
				free(g);
			if (!seen)
				add_repo(p, sub, depth + 1, count);
		}
		free(sub);
	}
	free(text);
	free(modules);
}

/* Repositories nested in a root that are not its submodules (a folder of
 * clones as the workspace, a vendored checkout): each .git found one or two
 * levels down is protected as the root's own, with its code paths. Every
 * folder directly in the root is looked at (a tool cannot crowd one out);
 * two levels down, at most NESTED_DIRS folders are read, so a tree of
 * thousands costs no more than a small one. Dot folders and node_modules
 * are not searched. */
enum { NESTED_DIRS = 32 };

static void add_nested(struct policy *p, const char *dir, int depth,
		       int *budget, int *count)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((depth > 1 && --(*budget) < 0) || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		char *sub, *git;
		bool found;

		if (de->d_name[0] == '.' ||
		    strcmp(de->d_name, "node_modules") == 0 ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		sub = path_join(dir, de->d_name);
		if (lstat(sub, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(sub);
			continue;
		}
		git = path_join(sub, ".git");
		found = lstat(git, &st) == 0;
		if (!found && errno != ENOENT && errno != ENOTDIR) {
			/* a folder sbx cannot look into here (made
			 * unsearchable by a tool, which can make it
			 * searchable again): its .git, if it has one, is
			 * kept read-only (the namespace is built where the
			 * user's own folders can be looked into) */
			if (!find_entry(&p->protected, git))
				add_unique(&p->protected, git,
					   (struct source){
						   "nested repository's .git "
						   "(in a folder sbx cannot "
						   "look into)",
						   0 });
			else
				free(git);
		} else if (!found) {
			if (depth < 2 && *budget > 0)
				add_nested(p, sub, depth + 1, budget, count);
			/* with the budget spent, the rest of this level is
			 * still looked at, one lstat each */
			free(git);
		} else if (!find_entry(&p->protected, git)) {
			add_unique(&p->protected, git,
				   (struct source){ "nested repository's .git",
						    0 });
			add_repo(p, sub, 1, count);
		} else {
			free(git); /* a submodule's, already there */
		}
		free(sub);
	}
	closedir(d);
}

/* A writable root inside a protected path stays read-only: say so, never
 * ignore a setting without a word. */
static void say_overridden(const struct policy *p)
{
	for (size_t i = 0; i < p->writable.n; i++) {
		const struct pathent *w = &p->writable.v[i];

		for (size_t j = 0; j < p->protected.n; j++) {
			const struct pathent *pr = &p->protected.v[j];

			if (!path_within(w->path, pr->path))
				continue;
			msg("%s: writable %s lies in %s (%s): it stays read-only",
			    source_str(&w->src), w->path, pr->path,
			    pr->src.origin);
			break;
		}
	}
}

/* The sbx binary that owns the shims: in a session the running binary may
 * be the copy bound over a tool (/proc/self/exe is then that tool's path),
 * so the shim folder the session named (PREFIX/lib/sbx/shims) says where
 * PREFIX is. A new string, or NULL. */
static char *installed_sbx(void)
{
	const char *shims = getenv("SBX_SHIM_DIR");

	if (shims && shims[0] == '/') {
		char *d = xstrdup(shims), *r;

		path_normalize(d);
		for (int i = 0; i < 3; i++)
			path_up(&d); /* shims, sbx, lib */
		r = path_join(d, "bin/sbx");
		free(d);
		return r;
	}
	return self_path();
}

static void add_protected(struct policy *p)
{
	const char *origin = "protected";
	struct pathent *e;
	int count = 0;
	char *s;

	for (size_t i = 0; i < p->roots.n; i++) {
		const char *root = p->roots.v[i].path;

		/* Temp folders hold no project of the user's. */
		if (p->roots.v[i].kind == ENTRY_TEMP)
			continue;
		char *git = path_join(root, ".git");
		const struct pathent *w = find_entry(&p->writable, git);

		for (size_t j = 0; protected_names[j]; j++) {
			if (w && strcmp(protected_names[j], ".git") == 0) {
				/* writable = .git: the repository (objects,
				 * refs, index) for tools, never the code git
				 * runs: hooks, config, submodules', and
				 * where a linked worktree's config and
				 * common folder are named */
				static const char *const code[] = {
					"hooks",	   "config",
					"modules",	   "worktrees",
					"commondir",	   "config.worktree",
					NULL,
				};

				for (size_t k = 0; code[k]; k++)
					add_unique(&p->protected,
						   path_join(git, code[k]),
						   (struct source){
							   "git runs code from it",
							   0 });
				continue;
			}
			e = add_unique(&p->protected,
				       path_join(root, protected_names[j]),
				       (struct source){ origin, 0 });
			if (e)
				e->kind = ENTRY_BUILTIN;
		}
		free(git);
		add_repo(p, root, 0, &count);
		{
			int budget = NESTED_DIRS;

			add_nested(p, root, 1, &budget, &count);
		}
	}
	/* sbx's own config and trust records (a tool must not allow itself)
	 * and the shell start-up files (they run later, outside): protected
	 * even before they exist. */
	s = user_config_dir(p);
	if (s)
		add_sealed(p, s, "sbx config");
	s = trust_dir();
	if (s) {
		add_sealed(p, path_dirname(s), "sbx trust records");
		free(s);
	}
	/* sbx itself, its shims and hooks: a user install lives under ~/.local,
	 * inside a writable root when the home is the workspace. */
	s = installed_sbx();
	if (s) {
		char *bin = path_dirname(s), *prefix = path_dirname(bin);
		char *lib = path_join(prefix, "lib/sbx");
		struct stat st;

		/* installed (PREFIX/bin/sbx and PREFIX/lib/sbx), not a build
		 * tree being rebuilt */
		if (stat(lib, &st) == 0 && strcmp(base_name(bin), "bin") == 0) {
			add_unique(&p->protected, xstrdup(s),
				   (struct source){ "sbx", 0 });
			add_unique(&p->protected, xstrdup(lib),
				   (struct source){ "sbx", 0 });
			add_unique(&p->protected, path_join(prefix, "share/sbx"),
				   (struct source){ "sbx", 0 });
		}
		free(lib);
		free(s);
		free(bin);
		free(prefix);
	}
	for (size_t i = 0; p->home && startup_files[i]; i++)
		add_sealed(p, path_join(p->home, startup_files[i]),
			   "shell start-up file");
	s = getenv("ZDOTDIR");
	for (size_t i = 0; s && s[0] == '/' && zdot_files[i]; i++)
		add_sealed(p, path_join(s, zdot_files[i]),
			   "shell start-up file");
	for (size_t i = 0; i < p->readonly.n; i++)
		add_unique(&p->protected, xstrdup(p->readonly.v[i].path),
			   p->readonly.v[i].src);
	/* Only what lies inside a writable root needs taking back. */
	keep_within(&p->protected, &p->roots);
	keep_within(&p->sealed, &p->roots);
	say_overridden(p);
}

static bool revealed(const struct policy *p, const char *path)
{
	for (size_t i = 0; i < p->reveal.n; i++)
		if (path_within(path, p->reveal.v[i].path))
			return true;
	return false;
}

static void add_hidden(struct policy *p, char *path, struct source src)
{
	path_normalize(path);
	if (revealed(p, path))
		free(path);
	else
		add_unique(&p->hiddens, path, src);
}

static void add_command_sockets(struct policy *p, const char *run)
{
	const struct source src = { "runs commands on request", 0 };
	const char *tmpdirs[] = { "/tmp", getenv("TMUX_TMPDIR"), NULL };
	unsigned uid = (unsigned)getuid();
	struct dirent *de;
	DIR *d;

	for (size_t i = 0; command_socket_vars[i]; i++) {
		const char *v = getenv(command_socket_vars[i]);

		if (v && strncmp(v, "unix:", 5) == 0)
			v += 5; /* kitty */
		if (v && v[0] == '/')
			/* TMUX is "socket,pid,session" */
			add_hidden(p, xstrndup(v, strcspn(v, ",")), src);
	}
	for (size_t i = 0; tmpdirs[i]; i++) {
		if (tmpdirs[i][0] != '/')
			continue;
		add_hidden(p, xasprintf("%s/tmux-%u", tmpdirs[i], uid), src);
		add_hidden(p, xasprintf("%s/emacs%u", tmpdirs[i], uid), src);
	}
	add_hidden(p, xstrdup("/run/screen"), src);
	add_hidden(p, xstrdup("/var/run/screen"), src);
	d = run && run[0] == '/' ? opendir(run) : NULL;
	while (d && (de = readdir(d))) {
		for (size_t i = 0; runtime_command_prefixes[i]; i++) {
			const char *pre = runtime_command_prefixes[i];

			if (strncmp(de->d_name, pre, strlen(pre)) == 0) {
				add_hidden(p, path_join(run, de->d_name), src);
				break;
			}
		}
	}
	if (d)
		closedir(d);
}

static void add_hiddens(struct policy *p)
{
	const char *run = getenv("XDG_RUNTIME_DIR"), *v;

	/* $HOME is only a variable: the home the password database names
	 * holds the same credentials, whatever HOME says. */
	for (int h = 0; h < 2; h++) {
		const char *home = h == 0 ? p->home : p->pw_home;

		if (!home || (h == 1 && p->home && strcmp(home, p->home) == 0))
			continue;
		for (size_t i = 0; hidden_home[i]; i++)
			add_hidden(p, path_join(home, hidden_home[i]),
				   (struct source){ "credentials", 0 });
#ifdef SBX_OS_DARWIN
		for (size_t i = 0; hidden_engines_macos[i]; i++)
			add_hidden(p, path_join(home, hidden_engines_macos[i]),
				   (struct source){ "container engine", 0 });
		for (size_t i = 0; hidden_browsers_macos[i]; i++)
			add_hidden(p, path_join(home, hidden_browsers_macos[i]),
				   (struct source){ "browser profile", 0 });
#endif
	}
#ifdef SBX_OS_DARWIN
	/* Podman machine's API socket lives in the per-user temp folder. */
	v = getenv("TMPDIR");
	if (v && v[0] == '/')
		add_hidden(p, path_join(v, "podman"),
			   (struct source){ "container engine", 0 });
#endif
	for (size_t i = 0; i < p->hidden.n; i++)
		add_hidden(p, xstrdup(p->hidden.v[i].path), p->hidden.v[i].src);
	for (size_t i = 0; engine_sockets[i]; i++)
		add_hidden(p, xstrdup(engine_sockets[i]),
			   (struct source){ "container engine", 0 });
	for (size_t i = 0; service_sockets[i]; i++)
		add_hidden(p, xstrdup(service_sockets[i]),
			   (struct source){ "session services", 0 });
	if (run && run[0] == '/') {
		for (size_t i = 0; runtime_sockets[i]; i++)
			add_hidden(p, path_join(run, runtime_sockets[i]),
				   (struct source){ "session services", 0 });
		if (!p->reveal_gpg_agent)
			add_hidden(p, path_join(run, "gnupg"),
				   (struct source){ "gpg-agent", 0 });
	}
	v = getenv("SSH_AUTH_SOCK");
	if (v && v[0] == '/' && !p->reveal_ssh_agent)
		add_hidden(p, xstrdup(v), (struct source){ "ssh-agent", 0 });
	add_command_sockets(p, run);
}

/* The symlink on the way to ROOT that lies inside another writable root
 * (a tool could have made it: `ln -s ~ build` before `writable = build`
 * exists, or a renamed ancestor of $TMPDIR), as a new string, or NULL. */
static char *planted_link(const struct policy *p, const char *root)
{
	char *part = xstrdup(root);

	for (char *s = part + 1;; s++) {
		char c = *s;
		struct stat st;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (lstat(part, &st) == 0 && S_ISLNK(st.st_mode)) {
			for (size_t i = 0; i < p->roots.n; i++) {
				const char *other = p->roots.v[i].path;

				if (strcmp(other, part) != 0 &&
				    path_within(part, other))
					return part;
			}
		}
		if (c == '\0')
			break;
		*s = c;
	}
	free(part);
	return NULL;
}

static void drop_planted_links(struct policy *p)
{
	for (size_t i = 0; i < p->roots.n;) {
		char *link = planted_link(p, p->roots.v[i].path);

		if (!link) {
			i++;
			continue;
		}
		msg("writable root %s leads through the symlink %s, inside "
		    "a writable root: left out (a tool could have made it)",
		    p->roots.v[i].path, link);
		free(link);
		free(p->roots.v[i].path);
		memmove(&p->roots.v[i], &p->roots.v[i + 1],
			(p->roots.n - i - 1) * sizeof(*p->roots.v));
		p->roots.n--;
	}
}

void policy_finish(struct policy *p)
{
	const char *tmpdir;

	if (!p->workspace && !p->workspace_src.origin)
		find_workspace(p);
	if (p->profile == PROFILE_FULL_ACCESS)
		return;
	add_hiddens(p);
	if (p->profile != PROFILE_WORKSPACE_WRITE)
		return;
	if (p->workspace)
		add_unique(&p->roots, xstrdup(p->workspace),
			   (struct source){ "workspace", 0 });
	tmpdir = getenv("TMPDIR");
	if (tmpdir && tmpdir[0] == '/') {
		char *t = xstrdup(tmpdir);

		path_normalize(t);
		add_temp_root(p, t);
	}
	add_temp_root(p, xstrdup("/tmp"));
	add_temp_root(p, xstrdup("/dev/shm"));
	for (size_t i = 0; i < p->writable.n; i++)
		add_unique(&p->roots, xstrdup(p->writable.v[i].path),
			   p->writable.v[i].src);
	drop_planted_links(p);
	add_protected(p);
}
