/* Unit tests: PATH resolution past the shim folders. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolve.h"
#include "tap.h"
#include "util.h"

static char root[] = "/tmp/sbx-resolve-XXXXXX";

static void mkfile(const char *rel, int mode)
{
	char *p = xasprintf("%s/%s", root, rel);
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, mode);

	close(fd);
	chmod(p, (mode_t)mode);
	free(p);
}

static void mkd(const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);

	mkdir(p, 0755);
	free(p);
}

static void lnk(const char *target, const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);
	char *t = xasprintf("%s/%s", root, target);

	symlink(t, p);
	free(p);
	free(t);
}

/* PATH from a template where '@' stands for the root. */
static char *P(const char *tmpl)
{
	char *out = xmalloc(4096), *o = out;

	for (; *tmpl; tmpl++) {
		if (*tmpl == '@') {
			strcpy(o, root);
			o += strlen(root);
		} else {
			*o++ = *tmpl;
		}
	}
	*o = '\0';
	return out;
}

static void expect(const char *path_tmpl, const char *want_tmpl,
		   const char *env_tmpl, int dirs, const char *what)
{
	struct stat st;
	struct resolved r;
	char *path = P(path_tmpl), *want = want_tmpl ? P(want_tmpl) : NULL;
	char *env = env_tmpl ? P(env_tmpl) : NULL;
	char *self = xasprintf("%s/sbx", root);

	stat(self, &st);
	if (path_resolve("tool", path, st.st_dev, st.st_ino, &r) < 0) {
		ok(want == NULL && errno == ENOENT, "%s: not found", what);
	} else {
		is_str(r.path, want, "%s: path", what);
		if (env)
			is_str(r.tool_env, env, "%s: tool PATH", what);
		ok(r.shim_dirs == dirs, "%s: %d shim folder(s) (got %d)", what,
		   dirs, r.shim_dirs);
		resolved_free(&r);
	}
	free(path);
	free(want);
	free(env);
	free(self);
}

int main(void)
{
	if (!mkdtemp(root))
		return 1;
	mkfile("sbx", 0755);
	mkd("shims");
	lnk("sbx", "shims/tool");
	mkd("shims2");
	lnk("shims/tool", "shims2/tool");
	mkd("bin");
	mkfile("bin/tool", 0755);
	mkd("bin2");
	mkfile("bin2/tool", 0755);
	mkd("noexec");
	mkfile("noexec/tool", 0644);
	mkd("dirtool");
	mkd("dirtool/tool");
	mkd("empty");
	lnk("shims", "shimlink");

	expect("@/shims:@/bin", "@/bin/tool", "@/bin", 1, "shim first");
	expect("@/bin:@/shims", "@/bin/tool", "@/bin:@/shims", 0, "shim last");
	expect("@/shims:@/shims:@/bin:@/bin2", "@/bin/tool", "@/bin:@/bin2", 2,
	       "shim folder repeated");
	expect("@/shimlink:@/shims2:@/bin", "@/bin/tool", "@/bin", 2,
	       "shim folder through symlinks");
	/* from the tree's own folder, "bin" and "bin2" hold a tool */
	if (chdir(root) < 0)
		return 1;
	expect(":@/shims::.:bin:@/bin2", "@/bin2/tool", "::.:bin:@/bin2", 1,
	       "empty and relative entries skipped, kept in PATH");
	expect("@/noexec:@/dirtool:@/empty:@/bin2", "@/bin2/tool", NULL, 0,
	       "not executable, a folder, absent: skipped");
	expect("@/shims:@/noexec", NULL, NULL, 0, "only the shim: not found");
	expect("", NULL, NULL, 0, "empty PATH: not found");
	expect("@/bin2/:@/bin", "@/bin2//tool", NULL, 0,
	       "the path is kept as found on PATH");
	{
		struct resolved r;
		char *longp = xmalloc(10000);
		memset(longp, 'a', 9999);
		longp[0] = '/';
		longp[9999] = '\0';
		ok(path_resolve("tool", longp, 0, 0, &r) < 0,
		   "an over-long entry is skipped");
		free(longp);
	}
	char *cmd = xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 1;
	free(cmd);
	return done_testing();
}
