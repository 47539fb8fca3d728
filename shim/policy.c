/* policy.c - the policy model and the merge of its sources. */
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy-internal.h"
#include "rcfile.h"
#include "sha256.h"
#include "trust.h"
#include "util.h"
#include "wrappers.h"

#include "deps.h" /* last: its recorders stand for the calls */

/* The name built-in defaults are reported under. */
const char builtin_defaults_name[] = "wrappers/defaults";

/* The platform whose defaults apply: a `macos-KEY = ...` or
 * `linux-KEY = ...` line applies on that platform only (and is checked on
 * both). The seatbelt test build is macOS's. */
#ifdef SBX_OS_DARWIN
static const char platform_prefix[] = "macos-";
#else
static const char platform_prefix[] = "linux-";
#endif

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

bool pathlist_covers(const struct pathlist *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (path_within(path, l->v[i].path))
			return true;
	return false;
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

char *user_config_dir(const struct policy *p)
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

void policy_hash(const struct policy *p, struct sha256 *c)
{
	const struct pathlist *lists[] = { &p->roots,  &p->protected,
					   &p->hiddens, &p->sealed,
					   &p->hosts,  &p->reveal_vars, NULL };
	char head[128];

	snprintf(head, sizeof(head), "%d %d %d %d %d %d %d %u %u %u\n",
		 (int)p->profile, (int)p->network, (int)p->protect,
		 (int)p->end_leftovers, (int)p->reveal_ssh_agent,
		 (int)p->reveal_gpg_agent, (int)p->reveal_keychain,
		 (unsigned)getuid(), (unsigned)geteuid(), (unsigned)getegid());
	sha256_update(c, head, strlen(head));
	for (size_t l = 0; lists[l]; l++) {
		for (size_t i = 0; i < lists[l]->n; i++)
			sha256_update(c, lists[l]->v[i].path,
				      strlen(lists[l]->v[i].path) + 1);
		sha256_update(c, "\n", 1);
	}
	if (p->workspace)
		sha256_update(c, p->workspace, strlen(p->workspace) + 1);
	sha256_update(c, "\n", 1);
	if (p->view_root)
		sha256_update(c, p->view_root, strlen(p->view_root) + 1);
}
