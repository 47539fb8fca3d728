/* policy.c - the policy model and the merge of its sources. */
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

#include "rcfile.h"
#include "resolve.h"
#include "trust.h"
#include "util.h"
#include "wrappers.h"

/* The name built-in defaults are reported under. */
const char builtin_defaults_name[] = "wrappers/defaults";

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

/* The platform whose defaults apply: a `macos-KEY = ...` or
 * `linux-KEY = ...` line applies on that platform only (and is checked on
 * both). The seatbelt test build is macOS's. */
#ifdef SBX_OS_DARWIN
static const char platform_prefix[] = "macos-";
#else
static const char platform_prefix[] = "linux-";
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

static const char *const profile_names[] = {
	[PROFILE_READ_ONLY] = "read-only",
	[PROFILE_WORKSPACE_WRITE] = "workspace-write",
	[PROFILE_FULL_ACCESS] = "full-access",
};

const char *profile_name(enum profile p)
{
	return profile_names[p];
}

/* The index of S among the N NAMES, or -1. */
static int name_index(const char *const names[], size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int profile_parse(const char *s, enum profile *out)
{
	int i = name_index(profile_names,
			   sizeof(profile_names) / sizeof(*profile_names), s);

	if (i < 0)
		return -1;
	*out = (enum profile)i;
	return 0;
}

int onoff_parse(const char *s, bool *out)
{
	if (strcmp(s, "on") == 0)
		*out = true;
	else if (strcmp(s, "off") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

const char *source_str(const struct source *s)
{
	/* a few, in turn: one message may name several sources */
	static char bufs[SOURCE_STR_KEPT][4096 + 16];
	static unsigned next;
	char *buf;

	if (s->line <= 0)
		return s->origin;
	buf = bufs[next++ % SOURCE_STR_KEPT];
	snprintf(buf, sizeof(bufs[0]), "%s:%d", s->origin, s->line);
	return buf;
}

void pathlist_add(struct pathlist *l, char *path, struct source src)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].path, path) == 0) {
			/* the later source wins, as for scalars */
			free(l->v[i].path);
			l->v[i].path = path;
			l->v[i].src = src;
			l->v[i].kind = ENTRY_SET;
			return;
		}
	}
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n].path = path;
	l->v[l->n].src = src;
	l->v[l->n].kind = ENTRY_SET;
	l->n++;
}

void pathlist_free(struct pathlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void policy_free(struct policy *p)
{
	pathlist_free(&p->writable);
	pathlist_free(&p->readonly);
	pathlist_free(&p->hidden);
	pathlist_free(&p->reveal);
	pathlist_free(&p->reveal_vars);
	pathlist_free(&p->roots);
	pathlist_free(&p->protected);
	pathlist_free(&p->hosts);
	pathlist_free(&p->hiddens);
	pathlist_free(&p->sealed);
	pathlist_free(&p->configs);
	free(p->cwd);
	free(p->pw_home);
	free(p->workspace);
	memset(p, 0, sizeof(*p));
}

void policy_init(struct policy *p, const char *tool)
{
	char *cwd;

	memset(p, 0, sizeof(*p));
	p->tool = tool;
	p->home = getenv("HOME");
	if (p->home && p->home[0] != '/')
		p->home = NULL;
	p->pw_home = passwd_home(getuid());
	cwd = getcwd(NULL, 0);
	if (!cwd)
		die(EXIT_SBX_FAILED, "cannot get the current folder: %s",
		    strerror(errno));
	p->cwd = cwd;
	p->profile = PROFILE_WORKSPACE_WRITE;
	p->profile_src = (struct source){ "default", 0 };
	p->network = false;
	p->network_src = (struct source){ "default", 0 };
}

static const char *const protect_names[] = {
	[PROTECT_BEST_EFFORT] = "best-effort",
	[PROTECT_REQUIRED] = "required",
	[PROTECT_OFF] = "off",
};

const char *protect_name(enum protect pr)
{
	return protect_names[pr];
}

static int protect_parse(const char *s, enum protect *out)
{
	int i = name_index(protect_names,
			   sizeof(protect_names) / sizeof(*protect_names), s);

	if (i < 0)
		return -1;
	*out = (enum protect)i;
	return 0;
}

static int leftovers_parse(const char *s, bool *end)
{
	if (strcmp(s, "keep") != 0 && strcmp(s, "end") != 0)
		return -1;
	*end = s[0] == 'e';
	return 0;
}

/* An environment variable's name, as reveal takes it: NPM_TOKEN. */
static bool is_var_name(const char *s)
{
	if (*s < 'A' || *s > 'Z')
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

/* The suffixes of the variables that hold secrets a tool could send
 * away: OPENAI_API_KEY, GITHUB_TOKEN, NPM_TOKEN, AWS_SECRET_ACCESS_KEY. */
static const char *const secret_suffixes[] = {
	"_API_KEY", "_TOKEN", "_SECRET", "_SECRET_KEY", "_ACCESS_KEY",
	"_PASSWORD", NULL,
};

bool secret_var(const char *name, size_t n)
{
	for (size_t i = 0; secret_suffixes[i]; i++) {
		size_t k = strlen(secret_suffixes[i]);

		if (n > k && memcmp(name + n - k, secret_suffixes[i], k) == 0)
			return true;
	}
	return false;
}

bool var_revealed(const struct policy *p, const char *name, size_t n)
{
	for (size_t i = 0; i < p->reveal_vars.n; i++)
		if (strlen(p->reveal_vars.v[i].path) == n &&
		    memcmp(p->reveal_vars.v[i].path, name, n) == 0)
			return true;
	return false;
}

/* The setters of the keyword table: each checks VALUE and applies it to
 * P, or writes why not into ERR, without the place (the caller puts
 * "file:line" or the variable before it). DIR is the folder a relative path
 * is taken against. */

static int set_profile(struct policy *p, const char *value, struct source src,
		       const char *dir, char *err, size_t errlen)
{
	(void)dir;
	if (profile_parse(value, &p->profile) < 0) {
		snprintf(err, errlen,
			 "bad profile \"%s\" (read-only, workspace-write or "
			 "full-access)",
			 value);
		return -1;
	}
	p->profile_src = src;
	return 0;
}

static int set_network(struct policy *p, const char *value, struct source src,
		       const char *dir, char *err, size_t errlen)
{
	(void)dir;
	return policy_network_parse(p, value, src, err, errlen);
}

static int set_protect(struct policy *p, const char *value, struct source src,
		       const char *dir, char *err, size_t errlen)
{
	(void)dir;
	if (protect_parse(value, &p->protect) < 0) {
		snprintf(err, errlen,
			 "bad protect \"%s\" (best-effort, required or off)",
			 value);
		return -1;
	}
	p->protect_src = src;
	return 0;
}

static int set_leftovers(struct policy *p, const char *value,
			 struct source src, const char *dir, char *err,
			 size_t errlen)
{
	(void)dir;
	if (leftovers_parse(value, &p->end_leftovers) < 0) {
		snprintf(err, errlen, "bad leftovers \"%s\" (keep or end)",
			 value);
		return -1;
	}
	p->leftovers_src = src;
	return 0;
}

/* VALUE, a path, made absolute against DIR (~ is HOME) onto L. */
static int add_path(struct policy *p, struct pathlist *l, const char *key,
		    const char *value, struct source src, const char *dir,
		    char *err, size_t errlen)
{
	const char *why;
	char *abs = path_absolute(value, dir, p->home, &why);

	if (!abs) {
		snprintf(err, errlen, "%s \"%s\": %s", key, value, why);
		return -1;
	}
	pathlist_add(l, abs, src);
	return 0;
}

static int set_writable(struct policy *p, const char *value,
			struct source src, const char *dir, char *err,
			size_t errlen)
{
	return add_path(p, &p->writable, "writable", value, src, dir, err,
			errlen);
}

static int set_readonly(struct policy *p, const char *value,
			struct source src, const char *dir, char *err,
			size_t errlen)
{
	return add_path(p, &p->readonly, "readonly", value, src, dir, err,
			errlen);
}

static int set_hidden(struct policy *p, const char *value, struct source src,
		      const char *dir, char *err, size_t errlen)
{
	return add_path(p, &p->hidden, "hidden", value, src, dir, err, errlen);
}

/* reveal = keychain, ssh-agent, gpg-agent, a variable's NAME, or a path. */
static int set_reveal(struct policy *p, const char *value, struct source src,
		      const char *dir, char *err, size_t errlen)
{
	if (strcmp(value, "keychain") == 0) {
		p->reveal_keychain = true;
		p->keychain_src = src;
	} else if (strcmp(value, "ssh-agent") == 0) {
		p->reveal_ssh_agent = true;
	} else if (strcmp(value, "gpg-agent") == 0) {
		p->reveal_gpg_agent = true;
	} else if (is_var_name(value)) {
		pathlist_add(&p->reveal_vars, xstrdup(value), src);
	} else {
		return add_path(p, &p->reveal, "reveal", value, src, dir, err,
				errlen);
	}
	return 0;
}

/* The environment's variables apply in this order (after the files). */
const struct policy_key policy_keys[] = {
	{ "profile", KEY_SCALAR, set_profile, ENV_PROFILE },
	{ "network", KEY_SCALAR, set_network, ENV_NETWORK },
	{ "writable", KEY_LIST, set_writable, ENV_WRITABLE },
	{ "protect", KEY_SCALAR, set_protect, ENV_PROTECT },
	{ "leftovers", KEY_SCALAR, set_leftovers, ENV_LEFTOVERS },
	{ "readonly", KEY_LIST, set_readonly, NULL },
	{ "hidden", KEY_LIST, set_hidden, NULL },
	{ "reveal", KEY_LIST, set_reveal, NULL },
	{ NULL, KEY_SCALAR, NULL, NULL },
};

const struct policy_key *policy_key_find(const char *key)
{
	for (const struct policy_key *k = policy_keys; k->name; k++)
		if (strcmp(k->name, key) == 0)
			return k;
	return NULL;
}

int policy_set(struct policy *p, const char *key, const char *value,
	       struct source src)
{
	const struct policy_key *k = policy_key_find(key);
	char *copy, *s, *e;
	char err[512];
	int errors = 0;

	if (!k) {
		msg("%s: unknown key \"%s\"", src.origin, key);
		return 1;
	}
	if (k->kind == KEY_SCALAR) {
		if (k->set(p, value, src, p->cwd, err, sizeof(err)) < 0) {
			msg("%s: %s", src.origin, err);
			return 1;
		}
		return 0;
	}
	/* A list outside a file: colon-separated, empty entries skipped. */
	copy = xstrdup(value);
	for (s = copy; s; s = e) {
		e = strchr(s, ':');
		if (e)
			*e++ = '\0';
		if (*s == '\0')
			continue;
		if (k->set(p, s, src, p->cwd, err, sizeof(err)) < 0) {
			msg("%s: %s", src.origin, err);
			errors++;
		}
	}
	free(copy);
	return errors;
}

struct rc_ctx {
	struct policy *p;
	const char *file;
	char *dir;
};

static int rc_line(void *vctx, const char *key, const char *value, int line,
		   bool apply, char *err, size_t errlen)
{
	struct rc_ctx *c = vctx;
	struct source src = { c->file, line };
	const struct policy_key *k;
	struct policy scratch;
	int r;

	if (strncmp(key, "macos-", 6) == 0 || strncmp(key, "linux-", 6) == 0) {
		if (strncmp(key, platform_prefix, 6) != 0)
			apply = false;
		key += 6;
	}
	k = policy_key_find(key);
	if (!k) {
		snprintf(err, errlen, "unknown key \"%s\"", key);
		return -1;
	}
	if (apply)
		return k->set(c->p, value, src, c->dir, err, errlen);
	/* Another tool's line, or another platform's: checked all the same,
	 * on a policy thrown away. */
	memset(&scratch, 0, sizeof(scratch));
	scratch.home = c->p->home;
	r = k->set(&scratch, value, src, c->dir, err, errlen);
	policy_free(&scratch);
	return r;
}

/* Records that FILE was met, as KIND, with STATE (for people) when it is
 * new or when STATE is given; returns the stored name, which sources
 * point at. */
static const char *config_note(struct policy *p, const char *file,
			       const char *state, enum entry_kind kind)
{
	char *copy;

	for (size_t i = 0; i < p->configs.n; i++) {
		if (strcmp(p->configs.v[i].path, file) == 0) {
			if (state) {
				p->configs.v[i].src.origin = state;
				p->configs.v[i].kind = kind;
			}
			return p->configs.v[i].path;
		}
	}
	copy = xstrdup(file);
	pathlist_add(&p->configs, copy,
		     (struct source){ state ? state : "read", 0 });
	p->configs.v[p->configs.n - 1].kind = kind;
	return copy;
}

const char *const *wrapper_tools(void)
{
	static char **tools;

	/* wrappers/defaults is checked whole by the unit tests: no errors */
	if (!tools)
		rc_sections(builtin_defaults_name, wrappers_defaults,
			    sizeof(wrappers_defaults) - 1, &tools);
	return (const char *const *)tools;
}

int policy_apply_text(struct policy *p, const char *file, const char *text,
		      size_t len)
{
	struct rc_ctx c;
	int errors;

	c.p = p;
	c.file = config_note(p, file, NULL, ENTRY_CONFIG_READ);
	c.dir = path_dirname(c.file);
	errors = rc_parse(c.file, text, len, p->tool,
			  strcmp(c.file, builtin_defaults_name) == 0
				  ? RC_ONLY_APPLYING
				  : 0,
			  rc_line, &c);
	free(c.dir);
	return errors;
}

int policy_apply_file(struct policy *p, const char *file, bool optional)
{
	size_t len;
	char *text;
	int errors;

	text = read_small_file(file, RC_MAX_SIZE, 0, &len);
	if (!text) {
		if (errno == ENOENT && optional) {
			trace("no config at %s", file);
			return 0;
		}
		if (errno == EFBIG)
			msg("%s: larger than %zu KiB", file,
			    RC_MAX_SIZE / 1024);
		else
			msg("%s: cannot read: %s", file, strerror(errno));
		return 1;
	}
	trace("reading %s", file);
	errors = policy_apply_text(p, file, text, len);
	free(text);
	return errors;
}

/* One host pattern: [*.]name[:port], name of letters, digits, - and . */
static bool host_ok(const char *h)
{
	const char *colon = strchr(h, ':');
	size_t n = colon ? (size_t)(colon - h) : strlen(h);

	if (strncmp(h, "*.", 2) == 0) {
		h += 2, n -= 2;
		/* "*." is for names: *.0.2.2 would match addresses */
		if (strspn(h, "0123456789.") >= n)
			return false;
	}
	/* a dot in the name: a typo of "off" is not a host */
	if (n == 0 || n > 253 || h[0] == '.' || h[0] == '-' ||
	    !memchr(h, '.', n) || h[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-.", h[i]))
			return false;
	if (colon) {
		char *end;
		long port = strtol(colon + 1, &end, 10);

		if (*end || port < 1 || port > 65535 || colon[1] == '+')
			return false;
	}
	return true;
}

bool policy_host_matches(const char *pattern, const char *host, int port)
{
	const char *colon = strchr(pattern, ':');
	size_t n = colon ? (size_t)(colon - pattern) : strlen(pattern);
	size_t h = strlen(host);

	if (colon ? strtol(colon + 1, NULL, 10) != port
		  : port != 443 && port != 80)
		return false;
	/* a subdomain: ".domain" ends the host, after a label */
	if (strncmp(pattern, "*.", 2) == 0)
		return h > n - 1 &&
		       strncmp(host + h - (n - 1), pattern + 1, n - 1) == 0;
	return h == n && strncmp(host, pattern, n) == 0;
}

int policy_network_parse(struct policy *p, const char *v, struct source src,
			 char *err, size_t errlen)
{
	struct pathlist hosts = { NULL, 0 };
	char *copy, *tok, *save = NULL;
	bool on;

	if (onoff_parse(v, &on) == 0) {
		p->network = on;
		p->network_src = src;
		pathlist_free(&p->hosts);
		return 0;
	}
	copy = xstrdup(v);
	for (char *c = copy; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	for (tok = strtok_r(copy, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (!host_ok(tok)) {
			pathlist_free(&hosts);
			break;
		}
		pathlist_add(&hosts, xstrdup(tok), src);
	}
	free(copy);
	if (hosts.n == 0) {
		snprintf(err, errlen,
			 "bad network \"%s\" (on, off, or hosts such as "
			 "registry.npmjs.org, *.example.com, host.example:8443)",
			 v);
		return -1;
	}
	pathlist_free(&p->hosts);
	p->hosts = hosts;
	p->network = false;
	p->network_src = src;
	return 0;
}

static char *user_config_dir(const struct policy *p)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");

	if (xdg && xdg[0] == '/')
		return path_join(xdg, "sbx");
	if (p->home)
		return path_join(p->home, ".config/sbx");
	return NULL;
}

char *policy_user_config(const struct policy *p)
{
	char *dir = user_config_dir(p), *file;

	if (!dir)
		return NULL;
	file = path_join(dir, "config");
	free(dir);
	return file;
}

/* The project's .sbxrc: used only when trusted. */
static int load_project_rc(struct policy *p)
{
	struct project_rc rc;
	const char *name;
	int errors = 0;

	if (project_rc_find(p->cwd, true, &rc) < 0)
		errors++;
	switch (rc.state) {
	case RC_NONE:
		trace("no %s from %s up", RC_NAME, p->cwd);
		break;
	case RC_TRUSTED:
		if (rc.shadowed) {
			config_note(p, rc.shadowed,
				    "NOT trusted: passed over for the trusted "
				    "one above (sbx allow)",
				    ENTRY_CONFIG_UNTRUSTED);
			msg("%s %s: ignored, %s is used", rc.shadowed,
			    rc.shadowed_why, rc.path);
		}
		name = config_note(p, rc.path, "trusted", ENTRY_CONFIG_TRUSTED);
		trace("reading %s (trusted)", name);
		errors += policy_apply_text(p, name, rc.text, rc.len);
		free(p->workspace);
		p->workspace = path_dirname(name);
		p->workspace_src = (struct source){ name, 0 };
		break;
	case RC_UNTRUSTED:
		config_note(p, rc.path, "NOT trusted: ignored (sbx allow)",
			    ENTRY_CONFIG_UNTRUSTED);
		msg("%s is not trusted: ignored; 'sbx allow %s' trusts it",
		    rc.path, rc.path);
		break;
	case RC_UNSAFE:
		config_note(p, rc.path, rc.why, ENTRY_CONFIG_UNSAFE);
		msg("%s %s: ignored", rc.path, rc.why);
		break;
	}
	project_rc_free(&rc);
	return errors;
}

int policy_load(struct policy *p)
{
	const char *v;
	char *file;
	int errors = 0;

	if (p->tool) {
		config_note(p, builtin_defaults_name, "built in",
			    ENTRY_CONFIG_BUILTIN);
		errors += policy_apply_text(p, builtin_defaults_name,
					    wrappers_defaults,
					    sizeof(wrappers_defaults) - 1);
	}
	file = policy_user_config(p);
	if (file) {
		config_note(p, file, "user config", ENTRY_CONFIG_USER);
		errors += policy_apply_file(p, file, true);
		free(file);
	}
	v = getenv(ENV_CONFIG);
	if (v && *v) {
		const char *why;
		char *abs = path_absolute(v, p->cwd, p->home, &why);

		if (!abs) {
			msg("%s: \"%s\": %s", ENV_CONFIG, v, why);
			errors++;
		} else {
			config_note(p, abs, ENV_CONFIG, ENTRY_CONFIG_ENV);
			errors += policy_apply_file(p, abs, false);
			free(abs);
		}
	} else {
		errors += load_project_rc(p);
	}
	for (const struct policy_key *k = policy_keys; k->name; k++) {
		if (!k->env)
			continue;
		v = getenv(k->env);
		if (v && *v)
			errors += policy_set(p, k->name, v,
					     (struct source){ k->env, 0 });
	}
	return errors;
}

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

bool pathlist_covers(const struct pathlist *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (path_within(path, l->v[i].path))
			return true;
	return false;
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
		if (lstat(git, &st) < 0) {
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
			add_unique(&p->protected,
				   path_join(root, protected_names[j]),
				   (struct source){ origin, 0 });
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

void policy_create_roots(const struct policy *p)
{
	struct stat st;

	if (p->profile != PROFILE_WORKSPACE_WRITE || !p->home ||
	    stat(p->home, &st) < 0)
		return;
	for (size_t i = 0; i < p->writable.n; i++) {
		const char *root = p->writable.v[i].path;

		if (!path_within(root, p->home) || strcmp(root, p->home) == 0 ||
		    stat(root, &st) == 0)
			continue;
		if (mkdirs(root, 0700) == 0)
			trace("created the writable root %s", root);
	}
}

void policy_scrub_env(const struct policy *p)
{
	extern char **environ;

	if (!p->reveal_ssh_agent)
		xunsetenv("SSH_AUTH_SOCK");
	if (!p->reveal_gpg_agent)
		xunsetenv("GPG_AGENT_INFO");
	for (size_t i = 0; environ[i];) {
		const char *e = environ[i];
		size_t n = strcspn(e, "=");

		if (e[n] == '=' && secret_var(e, n) && !var_revealed(p, e, n)) {
			char *name = xstrndup(e, n);

			trace("%s removed from the environment", name);
			xunsetenv(name); /* moves the later entries down */
			free(name);
			continue;
		}
		i++;
	}
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
