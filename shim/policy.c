/* policy.c - the policy model and the merge of its sources. */
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rcfile.h"
#include "util.h"

static const char *const profile_names[] = {
	[PROFILE_READ_ONLY] = "read-only",
	[PROFILE_WORKSPACE_WRITE] = "workspace-write",
	[PROFILE_FULL_ACCESS] = "full-access",
};

const char *profile_name(enum profile p)
{
	return profile_names[p];
}

int profile_parse(const char *s, enum profile *out)
{
	for (size_t i = 0; i < sizeof(profile_names) / sizeof(*profile_names);
	     i++) {
		if (strcmp(s, profile_names[i]) == 0) {
			*out = (enum profile)i;
			return 0;
		}
	}
	return -1;
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
	static char buf[4096 + 16];

	if (s->line > 0) {
		snprintf(buf, sizeof(buf), "%s:%d", s->origin, s->line);
		return buf;
	}
	return s->origin;
}

void pathlist_add(struct pathlist *l, char *path, struct source src)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].path, path) == 0) {
			/* the later source wins, as for scalars */
			free(l->v[i].path);
			l->v[i].path = path;
			l->v[i].src = src;
			return;
		}
	}
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n].path = path;
	l->v[l->n].src = src;
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
	pathlist_free(&p->roots);
	pathlist_free(&p->configs);
	free(p->cwd);
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

	if (strcmp(key, "profile") == 0) {
		enum profile pr;

		if (profile_parse(value, &pr) < 0) {
			snprintf(err, errlen,
				 "bad profile \"%s\" (read-only, "
				 "workspace-write or full-access)",
				 value);
			return -1;
		}
		if (apply) {
			c->p->profile = pr;
			c->p->profile_src = src;
		}
	} else if (strcmp(key, "network") == 0) {
		bool on;

		if (onoff_parse(value, &on) < 0) {
			snprintf(err, errlen, "bad network \"%s\" (on or off)",
				 value);
			return -1;
		}
		if (apply) {
			c->p->network = on;
			c->p->network_src = src;
		}
	} else if (strcmp(key, "writable") == 0) {
		const char *why;
		char *abs = path_absolute(value, c->dir, c->p->home, &why);

		if (!abs) {
			snprintf(err, errlen, "writable \"%s\": %s", value, why);
			return -1;
		}
		if (apply)
			pathlist_add(&c->p->writable, abs, src);
		else
			free(abs);
	} else {
		snprintf(err, errlen, "unknown key \"%s\"", key);
		return -1;
	}
	return 0;
}

int policy_apply_text(struct policy *p, const char *file, const char *text,
		      size_t len)
{
	struct rc_ctx c;
	int errors;

	c.p = p;
	c.file = NULL; /* sources point at the name in p->configs */
	for (size_t i = 0; i < p->configs.n && !c.file; i++)
		if (strcmp(p->configs.v[i].path, file) == 0)
			c.file = p->configs.v[i].path;
	if (!c.file) {
		char *copy = xstrdup(file);

		pathlist_add(&p->configs, copy, (struct source){ "read", 0 });
		c.file = copy;
	}
	c.dir = path_dirname(c.file);
	errors = rc_parse(c.file, text, len, p->tool, rc_line, &c);
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
			msg("%s: larger than %d KiB", file, RC_MAX_SIZE / 1024);
		else
			msg("%s: cannot read: %s", file, strerror(errno));
		return 1;
	}
	trace("reading %s", file);
	errors = policy_apply_text(p, file, text, len);
	free(text);
	return errors;
}

int policy_set_profile(struct policy *p, const char *v, struct source src)
{
	if (profile_parse(v, &p->profile) < 0) {
		msg("%s: bad profile \"%s\" (read-only, workspace-write or "
		    "full-access)",
		    src.origin, v);
		return -1;
	}
	p->profile_src = src;
	return 0;
}

int policy_set_network(struct policy *p, const char *v, struct source src)
{
	if (onoff_parse(v, &p->network) < 0) {
		msg("%s: bad network \"%s\" (on or off)", src.origin, v);
		return -1;
	}
	p->network_src = src;
	return 0;
}

int policy_add_writable_list(struct policy *p, const char *list,
			     struct source src)
{
	char *copy = xstrdup(list), *s = copy, *e;
	int errors = 0;

	for (; s; s = e) {
		const char *why;
		char *abs;

		e = strchr(s, ':');
		if (e)
			*e++ = '\0';
		if (*s == '\0')
			continue;
		abs = path_absolute(s, p->cwd, p->home, &why);
		if (!abs) {
			msg("%s: \"%s\": %s", src.origin, s, why);
			errors++;
			continue;
		}
		pathlist_add(&p->writable, abs, src);
	}
	free(copy);
	return errors;
}

static char *user_config_path(const struct policy *p)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");

	if (xdg && xdg[0] == '/')
		return xasprintf("%s/sbx/config", xdg);
	if (p->home)
		return xasprintf("%s/.config/sbx/config", p->home);
	return NULL;
}

int policy_load(struct policy *p)
{
	const char *v;
	char *file;
	int errors = 0;

	file = user_config_path(p);
	if (file) {
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
			errors += policy_apply_file(p, abs, false);
			free(abs);
		}
	}
	v = getenv(ENV_PROFILE);
	if (v && *v &&
	    policy_set_profile(p, v, (struct source){ ENV_PROFILE, 0 }) < 0)
		errors++;
	v = getenv(ENV_NETWORK);
	if (v && *v &&
	    policy_set_network(p, v, (struct source){ ENV_NETWORK, 0 }) < 0)
		errors++;
	v = getenv(ENV_WRITABLE);
	if (v && *v)
		errors += policy_add_writable_list(
			p, v, (struct source){ ENV_WRITABLE, 0 });
	return errors;
}

/* The nearest ancestor of the current folder holding .git, else the cwd. */
static void find_workspace(struct policy *p)
{
	char *dir = xstrdup(p->cwd);

	for (;;) {
		struct stat st;
		char *git = xasprintf("%s/.git", strcmp(dir, "/") ? dir : "");
		int found = lstat(git, &st) == 0;

		free(git);
		if (found) {
			p->workspace = dir;
			p->workspace_src = (struct source){ "git root", 0 };
			return;
		}
		if (strcmp(dir, "/") == 0)
			break;
		char *up = path_dirname(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	p->workspace = xstrdup(p->cwd);
	p->workspace_src = (struct source){ "current folder", 0 };
}

/* Adds PATH to the granted roots unless it is there already (first source wins). */
static void add_root(struct policy *p, char *path, struct source src)
{
	for (size_t i = 0; i < p->roots.n; i++) {
		if (strcmp(p->roots.v[i].path, path) == 0) {
			free(path);
			return;
		}
	}
	pathlist_add(&p->roots, path, src);
}

void policy_finish(struct policy *p)
{
	const char *tmpdir;

	if (!p->workspace)
		find_workspace(p);
	if (p->profile != PROFILE_WORKSPACE_WRITE)
		return;
	add_root(p, xstrdup(p->workspace),
		     (struct source){ "workspace", 0 });
	tmpdir = getenv("TMPDIR");
	if (tmpdir && tmpdir[0] == '/') {
		char *t = xstrdup(tmpdir);

		path_normalize(t);
		add_root(p, t, (struct source){ "TMPDIR", 0 });
	}
	add_root(p, xstrdup("/tmp"), (struct source){ "temp", 0 });
	add_root(p, xstrdup("/dev/shm"),
		     (struct source){ "shared memory", 0 });
	for (size_t i = 0; i < p->writable.n; i++)
		add_root(p, xstrdup(p->writable.v[i].path),
			     p->writable.v[i].src);
}
