/* Unit tests: the Seatbelt profile generator, the sandbox-exec argv, the
 * well-formedness check, and golden profiles (make golden refreshes them). */
#include <stdlib.h>
#include <unistd.h>

#include "msgs.h"
#include "seatbelt.h"
#include "tap.h"

static void setup_env(void)
{
	setenv("HOME", "/sbx-golden/home", 1);
	setenv("TMPDIR", "/sbx-golden/tmp", 1);
	setenv("XDG_CONFIG_HOME", "/sbx-golden/home/.config", 1);
	setenv("XDG_DATA_HOME", "/sbx-golden/home/.local/share", 1);
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("SSH_AUTH_SOCK");
	unsetenv("TMUX_TMPDIR");
	for (const char *v = "TMUX\0NVIM\0NVIM_LISTEN_ADDRESS\0VSCODE_IPC_HOOK_CLI\0"
			     "VSCODE_IPC_HOOK\0VSCODE_GIT_IPC_HANDLE\0"
			     "WEZTERM_UNIX_SOCKET\0KITTY_LISTEN_ON\0";
	     *v; v += strlen(v) + 1)
		unsetenv(v);
	unsetenv("SBX_PROFILE");
	unsetenv("SBX_NETWORK");
	unsetenv("SBX_WRITABLE");
}

/* A policy as if the project's trusted .sbxrc said TEXT. */
static void make(struct policy *p, const char *text)
{
	policy_init(p, "python3");
	/* The goldens do not depend on who runs them. */
	free(p->pw_home);
	p->pw_home = NULL;
	msgs_reset();
	policy_apply_text(p, "/sbx-golden/proj/.sbxrc", text, strlen(text));
	p->workspace = xstrdup("/sbx-golden/proj");
	p->workspace_src = (struct source){ "test", 0 };
	policy_finish(p);
	/* Nor on the uid that runs them (/tmp/tmux-UID, /tmp/emacsUID). */
	for (size_t i = 0; i < p->hiddens.n;) {
		const char *h = p->hiddens.v[i].path;

		if (strncmp(h, "/tmp/tmux-", 10) && strncmp(h, "/tmp/emacs", 10)) {
			i++;
			continue;
		}
		free(p->hiddens.v[i].path);
		memmove(&p->hiddens.v[i], &p->hiddens.v[i + 1],
			(p->hiddens.n - i - 1) * sizeof(*p->hiddens.v));
		p->hiddens.n--;
	}
}

static char *render(const struct sb_profile *sp)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	seatbelt_print(f, sp);
	fclose(f);
	return out;
}

static void golden(const char *name, const char *text, int port)
{
	struct policy p;
	struct sb_profile sp;
	char err[256], *got, *want, *file;
	size_t len;

	make(&p, text);
	seatbelt_build(&p, NULL, NULL, port, &sp);
	ok(seatbelt_check(&sp, err, sizeof(err)) == 0, "%s: well-formed", name);
	got = render(&sp);
	file = xasprintf("tests/golden/%s.sbpl", name);
	if (getenv("SBX_UPDATE_GOLDEN")) {
		FILE *f = fopen(file, "w");
		fputs(got, f);
		fclose(f);
	}
	want = read_small_file(file, 1 << 20, 0, &len);
	ok(want && strcmp(got, want) == 0,
	   "%s: matches %s (make golden refreshes it)", name, file);
	free(want);
	free(file);
	free(got);
	seatbelt_free(&sp);
	policy_free(&p);
}

int main(void)
{
	struct policy p;
	struct sb_profile sp;
	char err[256];

	setup_env();
	golden("workspace-write-network-off",
	       "readonly = secrets\nhidden = ~/.config/hub\n", 0);
	golden("workspace-write-network-on",
	       "network = on\nwritable = ~/.npm\n", 0);
	golden("read-only-network-off", "profile = read-only\n", 0);
	golden("read-only-network-on", "profile = read-only\nnetwork = on\n", 0);
	golden("workspace-write-network-hosts",
	       "network = registry.npmjs.org, *.pythonhosted.org\n", 49152);

	/* The profile: rules, carve-outs and parameters. */
	make(&p, "network = off\n");
	seatbelt_build(&p, NULL, NULL, 0, &sp);
	ok(strstr(sp.text, "(deny default)") != NULL, "deny by default");
	ok(strstr(sp.text, "(allow ipc-posix-sem)") != NULL,
	   "posix semaphores (multiprocessing)");
	ok(strstr(sp.text, "(allow network-outbound)") == NULL,
	   "network off: no network rule");
	ok(strstr(sp.text,
		  "(require-not (literal (param \"WRITABLE_ROOT_0_RO_0\")))") &&
		   strstr(sp.text, "(require-not (subpath (param "
				   "\"WRITABLE_ROOT_0_RO_0\")))"),
	   "carve-outs as literal and subpath");
	int found_git = 0, found_root = 0;
	for (size_t i = 0; i < sp.n; i++) {
		if (strcmp(sp.params[i].value, "/sbx-golden/proj/.git") == 0 &&
		    strncmp(sp.params[i].name, "WRITABLE_ROOT_0_RO_", 19) == 0)
			found_git = 1;
		if (strcmp(sp.params[i].name, "WRITABLE_ROOT_0") == 0 &&
		    strcmp(sp.params[i].value, "/sbx-golden/proj") == 0)
			found_root = 1;
	}
	ok(found_root, "the workspace is WRITABLE_ROOT_0");
	ok(found_git, ".git is a carve-out of it, even before it exists");
	ok(strstr(sp.text, "/sbx-golden") == NULL,
	   "no path in the profile text");

	/* The argv builder. */
	char *args[] = { "python3", "-c", "print(1)", "", "a b", NULL };
	char **av = seatbelt_argv(&sp, "/usr/bin/python3", args);
	size_t k = 0;
	is_str(av[k++], "/usr/bin/sandbox-exec",
	       "argv[0] is the absolute sandbox-exec");
	is_str(av[k++], "-p", "then -p");
	ok(av[k++] == sp.text, "then the profile");
	for (size_t i = 0; i < sp.n; i++, k++) {
		char *want = xasprintf("-D%s=%s", sp.params[i].name,
				       sp.params[i].value);
		if (strcmp(av[k], want) != 0)
			ok(0, "parameter %zu: %s", i, av[k]);
		free(want);
	}
	is_str(av[k++], "--", "then --");
	is_str(av[k++], "/usr/bin/python3", "then the real tool by its path");
	is_str(av[k++], "-c", "then the arguments");
	is_str(av[k++], "print(1)", "argument 2");
	is_str(av[k++], "", "an empty argument");
	is_str(av[k++], "a b", "an argument with a space");
	ok(av[k] == NULL, "NULL-terminated");
	for (size_t i = 0; i < sp.n; i++)
		free(av[3 + i]);
	free(av);
	seatbelt_free(&sp);
	policy_free(&p);

	/* Folders that must not be renamed: each root, each folder on the way
	 * to a protected path inside one; the tool's own terminal; the
	 * keychain only with reveal = keychain. */
	make(&p, "readonly = sub/dir/secret\nnetwork = on\n");
	{
		struct pathlist ttys = { NULL, 0 };
		const char *want[] = { "/sbx-golden/proj", "/sbx-golden/tmp",
				       "/sbx-golden/proj/sub/dir",
				       "/sbx-golden/proj/sub" };
		int keeps = 0, tty = 0;

		pathlist_add(&ttys, xstrdup("/dev/ttys003"),
			     (struct source){ "test", 0 });
		seatbelt_build(&p, NULL, &ttys, 0, &sp);
		for (size_t w = 0; w < sizeof(want) / sizeof(*want); w++)
			for (size_t i = 0; i < sp.n; i++)
				if (strncmp(sp.params[i].name, "KEEP_", 5) == 0 &&
				    strcmp(sp.params[i].value, want[w]) == 0)
					keeps++;
		ok(keeps == 4, "KEEP_n: the roots and the folders on the way "
			       "to a protected path (%d of 4)", keeps);
		for (size_t i = 0; i < sp.n; i++)
			if (strcmp(sp.params[i].name, "TTY_0") == 0 &&
			    strcmp(sp.params[i].value, "/dev/ttys003") == 0)
				tty = 1;
		ok(tty && strstr(sp.text, "(literal (param \"TTY_0\"))"),
		   "the tool's terminal is TTY_0, allowed by name");
		ok(strstr(sp.text, "(deny file-write-unlink") != NULL,
		   "unlink and rename denied on them");
		ok(strstr(sp.text, "com.apple.SecurityServer\")") == NULL,
		   "network on: no keychain by default");
		ok(strstr(sp.text, "(local unix-socket") == NULL,
		   "network on: no extra Unix-socket rules");
		seatbelt_free(&sp);
		pathlist_free(&ttys);
	}
	policy_free(&p);
	make(&p, "reveal = keychain\nnetwork = on\n");
	seatbelt_build(&p, NULL, NULL, 0, &sp);
	ok(strstr(sp.text, "(global-name \"com.apple.SecurityServer\")") !=
		   NULL,
	   "reveal = keychain: SecurityServer with the network on");
	seatbelt_free(&sp);
	policy_free(&p);
	make(&p, "reveal = keychain\n");
	seatbelt_build(&p, NULL, NULL, 0, &sp);
	ok(strstr(sp.text, "com.apple.SecurityServer\")") == NULL,
	   "reveal = keychain: not with the network off");
	ok(strstr(sp.text, "(allow network-bind network-inbound\n  "
			   "(require-all (local unix-socket (subpath (param "
			   "\"WRITABLE_ROOT_0\")))") != NULL,
	   "network off: Unix sockets in the writable roots");
	seatbelt_free(&sp);
	policy_free(&p);

	/* Injection: a folder named like SBPL changes only a parameter. */
	policy_init(&p, NULL);
	p.workspace = xstrdup("/sbx-golden/INJECT\")(allow default)(\n\"y");
	p.workspace_src = (struct source){ "test", 0 };
	const char *t = "hidden = \"/sbx-golden/h\\\")(allow file-write*)\"\n";
	ok(policy_apply_text(&p, "/sbx-golden/.sbxrc", t, strlen(t)) == 0,
	   "an odd hidden path parses");
	policy_finish(&p);
	seatbelt_build(&p, NULL, NULL, 0, &sp);
	ok(strstr(sp.text, "(allow default)") == NULL &&
		   strstr(sp.text, "INJECT") == NULL,
	   "the profile text holds no byte of the path");
	ok(strstr(sp.text, "(allow file-write*)") == NULL,
	   "nor of the hidden path");
	ok(seatbelt_check(&sp, err, sizeof(err)) == 0, "still well-formed: %s",
	   err);
	int carried = 0;
	for (size_t i = 0; i < sp.n; i++)
		if (strcmp(sp.params[i].value,
			   "/sbx-golden/INJECT\")(allow default)(\n\"y") == 0)
			carried = 1;
	ok(carried, "the path is carried whole by its parameter");
	char *shown = render(&sp);
	ok(strstr(shown, ";; -DWRITABLE_ROOT_0=/sbx-golden/INJECT\")(allow "
			 "default)(\\n\"y\n") != NULL,
	   "sbx policy escapes the newline in a parameter");
	free(shown);
	seatbelt_free(&sp);
	policy_free(&p);

	/* The well-formedness check catches what it should. */
	struct sb_profile bad = { 0 };
	bad.text = "(allow (foo)";
	ok(seatbelt_check(&bad, err, sizeof(err)) < 0 &&
		   strstr(err, "unclosed"),
	   "unclosed form: %s", err);
	bad.text = "(a))";
	ok(seatbelt_check(&bad, err, sizeof(err)) < 0 &&
		   strstr(err, "unbalanced"),
	   "extra ): %s", err);
	bad.text = "(allow file-write* (subpath (param \"NOPE\")))";
	ok(seatbelt_check(&bad, err, sizeof(err)) < 0 && strstr(err, "NOPE"),
	   "undefined parameter: %s", err);
	bad.text = "; (((\n(a \")(\" #\"^(x\")";
	ok(seatbelt_check(&bad, err, sizeof(err)) == 0,
	   "parens in comments, strings and regexes do not count");
	bad.text = "(a \"open";
	ok(seatbelt_check(&bad, err, sizeof(err)) < 0, "unterminated string");
	return done_testing();
}
