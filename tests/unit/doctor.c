/* Unit tests: what sbx doctor says about AppArmor's user namespace
 * restriction (Ubuntu 23.10 and later), with the sysctl faked by a file. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "integrate.h"
#include "tap.h"
#include "util.h"

static void restricts(const char *content, bool want)
{
	char path[] = "/tmp/sbx-doctor-t.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, content, strlen(content)) < 0)
		abort();
	close(fd);
	ok(apparmor_restricts_userns(path) == want, "sysctl \"%.*s\": %s",
	   (int)strcspn(content, "\n"), content,
	   want ? "restricted" : "not restricted");
	unlink(path);
}

static void name_is(const char *bindir, const char *want)
{
	char *name = apparmor_profile_name(bindir);

	is_str(name, want, "profile name for %s", bindir);
	free(name);
}

int main(void)
{
	restricts("1\n", true);
	restricts("0\n", false);
	restricts("", false);
	restricts("\n", false);
	restricts("2\n", false);
	ok(!apparmor_restricts_userns("/nonexistent/sbx-sysctl"),
	   "no sysctl (not Ubuntu's kernel): not restricted");
	name_is("/usr/bin", "sbx");
	name_is("/usr/local/bin", "sbx-usr-local-bin");
	name_is("/home/me/.local/bin", "sbx-home-me-.local-bin");
	return done_testing();
}
