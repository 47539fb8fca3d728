/* cli.c - the sbx command line: run, explain, and the rest. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integrate.h"
#include "policy.h"
#include "resolve.h"
#include "sandbox.h"
#include "seatbelt.h"
#include "check.h"
#include "log.h"
#include "proxy.h"
#include "session.h"
#include "tool.h"
#include "trust.h"
#include "util.h"

#ifndef SBX_LIBC
#define SBX_LIBC "libc"
#endif

static const char usage_text[] =
	"usage: sbx run [-p PROFILE] [-w DIR]... [-n on|off] [--] CMD "
	"[ARG]...\n"
	"       sbx explain [TOOL]\n"
	"       sbx check [TOOL] --write PATH | --read PATH | --exec PATH |\n"
	"                 --connect HOST:PORT [--json]\n"
	"       sbx policy [TOOL]\n"
	"       sbx shims [--dir DIR] [--list] [TOOL...]\n"
	"       sbx shell-init [bash|zsh|fish]\n"
	"       sbx session [--dir DIR] [--no-intercept] [--no-check] "
	"[--log[=FILE]]\n"
	"                   [--] [CMD [ARG]...]\n"
	"       sbx doctor\n"
	"       sbx log [--since DURATION] [-f] [--from FILE]\n"
	"       sbx allow [FILE] | sbx deny [FILE]\n"
	"       sbx --help | --version\n"
	"\n"
	"Installed as a symlink named after a tool (python3, npm, make...),\n"
	"sbx finds the real tool further down PATH and runs it confined.\n"
	"\n"
	"commands:\n"
	"  run      run CMD under the policy a shim would give it\n"
	"  explain  show the policy for TOOL here, and where each value came "
	"from\n"
	"  check    would TOOL be allowed this here? which setting decides, "
	"and\n"
	"           the line that would allow it (exit 0 allowed, 1 denied)\n"
	"  policy   print the Seatbelt (macOS) profile and its -D parameters\n"
	"  allow    trust a project's .sbxrc (the nearest one, or FILE)\n"
	"  deny     take that trust back\n"
	"  shims    create or refresh the shim links (--list: where each "
	"leads)\n"
	"  shell-init  print what to eval to put the shims first on PATH\n"
	"  session  run CMD (an agent; default $SHELL): the tools it starts run "
	"sandboxed\n"
	"  doctor   check this machine and setup; a fix for each problem\n"
	"\n"
	"run options:\n"
	"  -p, --profile PROFILE  read-only, workspace-write or full-access\n"
	"  -w, --writable DIR     add a writable root (repeatable)\n"
	"  -n, --network on|off   allow or deny the network\n"
	"\n"
	"environment:\n"
	"  " ENV_PROFILE ", " ENV_NETWORK ", " ENV_WRITABLE
	" (colon-separated),\n"
	"  " ENV_CONFIG " (a config file instead of .sbxrc), " ENV_PROTECT
	"=required,\n"
	"  " ENV_DEBUG "=1 (trace decisions), " ENV_SHIM_DIR
	" (the shim folder),\n"
	"  " ENV_ALLOW_UNSANDBOXED
	"=1 (run unconfined where no sandbox exists)\n"
	"\n"
	"exit status: the tool's own; 125 sbx failed (bad config or "
	"variable);\n"
	"126 the tool could not be run confined; 127 the tool was not found.\n";

const char no_workspace_hint[] =
	"no workspace here, so the current folder is not writable; choose "
	"one with 'sbx run -w DIR', a trusted .sbxrc, or 'git init'";

static int usage(int code)
{
	fputs(usage_text, code == 0 ? stdout : stderr);
	return code;
}

static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sbx: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sbx --help'.\n");
	return EXIT_SBX_USAGE;
}

/* Finds CMD as tool mode would: a path is taken as it is, a name on PATH. */
static int find_command(const char *cmd, struct resolved *r)
{
	dev_t dev;
	ino_t ino;

	if (strchr(cmd, '/')) {
		struct stat st;

		memset(r, 0, sizeof(*r));
		if (stat(cmd, &st) < 0)
			return -1;
		r->path = xstrdup(cmd);
		return 0;
	}
	self_identity(&dev, &ino);
	return path_resolve(cmd, getenv("PATH"), dev, ino, r);
}

static int cmd_run(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "writable", required_argument, NULL, 'w' },
		{ "network", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct source cl = { "command line", 0 };
	const char *profile = NULL, *network = NULL;
	char **writable = xcalloc((size_t)argc, sizeof(char *));
	size_t nw = 0;
	struct intercept ic;
	struct resolved r;
	struct policy p;
	int c, errors, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:w:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile = optarg;
			break;
		case 'w':
			writable[nw++] = optarg;
			break;
		case 'n':
			network = optarg;
			break;
		case 'h':
			free(writable);
			return usage(0);
		default:
			free(writable);
			return usage_error("run: bad option");
		}
	}
	if (optind >= argc) {
		free(writable);
		return usage_error("run: no command given");
	}
	argv += optind;
	msg_subject = base_name(argv[0]);
	if (find_command(argv[0], &r) < 0)
		die(EXIT_SBX_NOT_FOUND, "not found%s",
		    strchr(argv[0], '/') ? "" : " on PATH");

	policy_init(&p, msg_subject);
	intercept_find(&ic, argv[0]);
	p.view_root = ic.root;
	errors = policy_load(&p);
	if (profile)
		errors += policy_set(&p, "profile", profile, cl);
	if (network)
		errors += policy_set(&p, "network", network, cl);
	for (size_t i = 0; i < nw; i++)
		errors += policy_set(&p, "writable", writable[i], cl);
	free(writable);
	rc = errors > 0 ? EXIT_SBX_FAILED : tool_confine_and_exec(&p, &r, argv);
	policy_free(&p);
	intercept_free(&ic);
	resolved_free(&r);
	return rc;
}

static void print_row(const char *label, const char *value,
		      const struct source *src, const char *note)
{
	char *v = escape_ctl(value);

	printf("%-11s %-40s (%s)%s\n", label, v, source_str(src), note);
	free(v);
}

static void print_path_row(const char *label, const struct pathent *e,
			   const char *absent)
{
	struct stat st;

	print_row(label, e->path, &e->src,
		  lstat(e->path, &st) < 0 ? absent : "");
}

/* The secret variables here: removed from the tool's environment, or
 * kept by a reveal line. */
static void print_secrets(const struct policy *p)
{
	extern char **environ;
	int n = 0;

	for (size_t i = 0; environ[i]; i++) {
		const char *e = environ[i];
		size_t len = strcspn(e, "=");

		if (e[len] != '=' || !secret_var(e, len))
			continue;
		printf("%-11s %.*s %s\n", n++ == 0 ? "secrets:" : "",
		       (int)len, e,
		       var_revealed(p, e, len) ? "kept (reveal)" : "removed");
	}
	if (n == 0)
		printf("%-11s none here (*_API_KEY, *_TOKEN, *_SECRET... are "
		       "removed; reveal = NAME keeps one)\n",
		       "secrets:");
}

static int cmd_explain(int argc, char *argv[])
{
	const char *tool = argc > 1 ? argv[1] : NULL;
	const char *outer = getenv(ENV_SANDBOX);
	struct resolved r;
	struct policy p;
	int errors;

	if (argc > 2)
		return usage_error("explain: too many arguments");
	if (tool) {
		msg_subject = tool;
		if (find_command(tool, &r) == 0) {
			printf("tool:       %s -> %s\n", tool, r.path);
			resolved_free(&r);
		} else {
			printf("tool:       %s -> NOT FOUND on PATH (exit "
			       "127)\n",
			       tool);
		}
	}
	policy_init(&p, tool ? base_name(tool) : NULL);
	errors = policy_load(&p);
	if (errors > 0) {
		printf("config:     %d error%s (tools exit 125)\n", errors,
		       errors == 1 ? "" : "s");
		policy_free(&p);
		return EXIT_SBX_FAILED;
	}
	policy_finish(&p);
	if (outer && *outer)
		printf("nested:     %s=%s: tools run directly inside the "
		       "outer sandbox\n",
		       ENV_SANDBOX, outer);
	sandbox_explain(stdout, &p);
	for (size_t i = 0; i < p.configs.n; i++) {
		const struct pathent *e = &p.configs.v[i];

		if (strcmp(e->path, builtin_defaults_name) == 0)
			print_row(i == 0 ? "config:" : "", e->path, &e->src,
				  "");
		else
			print_path_row(i == 0 ? "config:" : "", e,
				       "  [absent]");
	}
	print_row("profile:", profile_name(p.profile), &p.profile_src, "");
	if (!p.workspace) {
		print_row("workspace:", "(none)", &p.workspace_src, "");
		if (p.profile == PROFILE_WORKSPACE_WRITE)
			printf("%-11s %s\n", "note:", no_workspace_hint);
	} else {
		print_row("workspace:", p.workspace, &p.workspace_src, "");
	}
	for (size_t i = 0; i < p.roots.n; i++)
		print_path_row(i == 0 ? "writable:" : "", &p.roots.v[i],
			       "  [missing: left out]");
	if (p.profile == PROFILE_READ_ONLY)
		printf("%-11s %s\n",
		       "writable:", "nothing but /dev/null and the terminal");
	if (p.profile != PROFILE_WORKSPACE_WRITE)
		for (size_t i = 0; i < p.writable.n; i++)
			print_path_row("ignored:", &p.writable.v[i], "");
	if (p.profile == PROFILE_WORKSPACE_WRITE) {
		printf("%-11s", "protected:");
		for (size_t i = 0; protected_names[i]; i++)
			printf(" %s", protected_names[i]);
		printf(" (in each writable root)\n");
	}
	for (size_t i = 0, n = 0; i < p.protected.n; i++) {
		const struct pathent *e = &p.protected.v[i];
		bool sealed = false;
		struct stat st;

		for (size_t j = 0; j < p.sealed.n; j++)
			sealed |= strcmp(p.sealed.v[j].path, e->path) == 0;
		if (lstat(e->path, &st) == 0)
			print_path_row(n++ == 0 ? "read-only:" : "", e, "");
		else if (sealed)
			print_row(n++ == 0 ? "read-only:" : "", e->path,
				  &e->src, "  [absent: cannot be made]");
	}
	for (size_t i = 0, n = 0; i < p.hiddens.n; i++) {
		struct stat st;

		if (lstat(p.hiddens.v[i].path, &st) == 0)
			print_path_row(n++ == 0 ? "hidden:" : "",
				       &p.hiddens.v[i], "");
	}
	if (p.profile != PROFILE_FULL_ACCESS) {
		printf("%-11s %-40s (%s)\n",
		       "protect:", protect_name(p.protect),
		       p.protect_src.origin ? source_str(&p.protect_src)
					    : "default");
		printf("%-11s %-40s (%s)\n", "leftovers:",
		       p.end_leftovers ? "end (when the tool exits)"
				       : "keep (what the tool leaves runs on)",
		       p.leftovers_src.origin ? source_str(&p.leftovers_src)
					      : "default");
		printf("%-11s SSH_AUTH_SOCK %s, GPG_AGENT_INFO %s\n",
		       "agents:", p.reveal_ssh_agent ? "kept" : "removed",
		       p.reveal_gpg_agent ? "kept" : "removed");
		print_secrets(&p);
	}
	if (p.profile == PROFILE_FULL_ACCESS)
		print_row("network:", "on (full-access)", &p.profile_src, "");
	else if (p.hosts.n > 0 && !p.network) {
		size_t len = 64;
		char *list;

		for (size_t i = 0; i < p.hosts.n; i++)
			len += strlen(p.hosts.v[i].path) + 2;
		list = xmalloc(len);
		strcpy(list, "only ");
		for (size_t i = 0; i < p.hosts.n; i++) {
			if (i)
				strcat(list, ", ");
			strcat(list, p.hosts.v[i].path);
		}
		strcat(list, sandbox_proxy(&p)
				     ? " (through sbx's proxy)"
				     : " (NOT reachable here: off)");
		print_row("network:", list, &p.network_src, "");
		free(list);
	} else
		print_row("network:",
			  p.network			   ? "on"
			  : sandbox_private_loopback(&p) ? "off: a private loopback "
							 "(127.0.0.1, ::1)"
							 : "off",
			  &p.network_src, "");
	if (p.profile != PROFILE_FULL_ACCESS)
		printf("%-11s 'sbx check %s%s--write PATH' (or --read, --exec, "
		       "--connect HOST:PORT)\n"
		       "%-11s names the deciding setting; in short: writable = "
		       "DIR, reveal = PATH,\n"
		       "%-11s network = on, profile = workspace-write; built-in "
		       "protected paths stay\n",
		       "denied?", tool ? base_name(tool) : "", tool ? " " : "",
		       "", "");
	policy_free(&p);
	return 0;
}

/* The .sbxrc that FILE names, or the one found from the current folder. */
static int pick_rc(int argc, char *argv[], struct project_rc *rc)
{
	char *cwd, *abs;
	const char *why;

	memset(rc, 0, sizeof(*rc));
	if (argc > 2)
		return usage_error("%s: too many arguments", argv[0]);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		die(1, "cannot get the current folder: %s", strerror(errno));
	if (argc == 2) {
		abs = path_absolute(argv[1], cwd, getenv("HOME"), &why);
		if (!abs)
			die(1, "%s: %s", argv[1], why);
		project_rc_open(abs, rc);
		free(abs);
	} else if (project_rc_find(cwd, false, rc) < 0 || rc->state == RC_NONE) {
		die(1, "no %s in %s or above", RC_NAME, cwd);
	}
	free(cwd);
	return 0;
}

static int cmd_allow(int argc, char *argv[])
{
	struct project_rc rc;
	struct policy p;
	char *rec, *dir;
	int fd, errors;

	if (pick_rc(argc, argv, &rc) != 0)
		return EXIT_SBX_USAGE;
	if (rc.state == RC_UNSAFE)
		die(1, "%s %s: not allowed", rc.path, rc.why);
	/* A file with errors would stop every tool: say so now. */
	policy_init(&p, NULL);
	errors = policy_apply_text(&p, rc.path, rc.text, rc.len);
	policy_free(&p);
	if (errors > 0)
		die(1, "%s: %d error%s: not allowed", rc.path, errors,
		    errors == 1 ? "" : "s");
	rec = trust_record(rc.path, rc.text, rc.len);
	dir = trust_dir();
	if (!rec || !dir)
		die(1, "no HOME or XDG_DATA_HOME to keep the record in");
	if (mkdirs(dir, 0700) < 0)
		die(1, "cannot create %s: %s", dir, strerror(errno));
	fd = open(rec, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0 || dprintf(fd, "%s\n", rc.path) < 0 || close(fd) < 0)
		die(1, "cannot write %s: %s", rec, strerror(errno));
	printf("sbx: allowed %s\n", rc.path);
	free(rec);
	free(dir);
	project_rc_free(&rc);
	return 0;
}

static int cmd_deny(int argc, char *argv[])
{
	struct project_rc rc;
	struct dirent *de;
	char *dir, *want;
	int removed = 0;
	DIR *d;

	if (pick_rc(argc, argv, &rc) != 0)
		return EXIT_SBX_USAGE;
	dir = trust_dir();
	want = xasprintf("%s\n", rc.path);
	d = dir ? opendir(dir) : NULL;
	while (d && (de = readdir(d))) {
		char *f, *text;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		f = xasprintf("%s/%s", dir, de->d_name);
		text = read_small_file(f, 8192, O_NOFOLLOW, &len);
		if (text && strcmp(text, want) == 0 && unlink(f) == 0)
			removed++;
		free(text);
		free(f);
	}
	if (d)
		closedir(d);
	printf("sbx: denied %s (%d record%s removed)\n", rc.path, removed,
	       removed == 1 ? "" : "s");
	free(want);
	free(dir);
	project_rc_free(&rc);
	return 0;
}

static int cmd_policy(int argc, char *argv[])
{
	const char *tool = argc > 1 ? argv[1] : NULL;
	struct sb_profile sp;
	struct policy p;
	char err[256];
	int rc = 0;

	if (argc > 2)
		return usage_error("policy: too many arguments");
	if (tool)
		msg_subject = tool;
	policy_init(&p, tool ? base_name(tool) : NULL);
	if (policy_load(&p) > 0) {
		policy_free(&p);
		return EXIT_SBX_FAILED;
	}
	policy_finish(&p);
	if (p.profile == PROFILE_FULL_ACCESS) {
		printf(";; full-access (%s): no sandbox, no profile\n",
		       source_str(&p.profile_src));
		policy_free(&p);
		return 0;
	}
	seatbelt_build(&p, NULL, NULL, 0, &sp);
	seatbelt_print(stdout, &sp);
	if (seatbelt_check(&sp, err, sizeof(err)) < 0) {
		msg("the generated profile is malformed: %s", err);
		rc = EXIT_SBX_FAILED;
	}
	seatbelt_free(&sp);
	policy_free(&p);
	return rc;
}

/* Not for people: the proxy of network = hosts, started on demand. */
static int cmd_proxy_daemon(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	return proxy_daemon();
}

/* The version, and what the backend finds on this machine: its summary
 * (the Landlock ABI) and whether a user namespace, for the private mount
 * namespace, can be made. No config is read. */
static int cmd_version(void)
{
	struct sandbox_caps c;
	struct policy p;

	printf("sbx %s (%s backend, %s)\n", SBX_VERSION, sandbox_backend,
	       SBX_LIBC);
	policy_init(&p, NULL);
	policy_finish(&p);
	sandbox_caps(&p, &c);
	printf("%s", c.summary);
	if (c.view == CAPS_VIEW_PRIVATE)
		printf("; user namespaces: yes");
	else if (c.view == CAPS_VIEW_NONE)
		printf("; user namespaces: no (%s)", c.view_why);
	putchar('\n');
	policy_free(&p);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
} commands[] = {
	{ "run", cmd_run },
	{ "explain", cmd_explain },
	{ "check", cmd_check },
	{ "policy", cmd_policy },
	{ "allow", cmd_allow },
	{ "deny", cmd_deny },
	{ "shims", cmd_shims },
	{ "shell-init", cmd_shell_init },
	{ "session", cmd_session },
	{ "doctor", cmd_doctor },
	{ "proxy-daemon", cmd_proxy_daemon },
	{ "log", cmd_log },
};

int cli_main(int argc, char *argv[])
{
	const char *cmd;

	if (argc < 2)
		return usage(EXIT_SBX_USAGE);
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0)
		return usage(0);
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 ||
	    strcmp(cmd, "version") == 0)
		return cmd_version();
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	return usage_error("unknown command \"%s\"", cmd);
}
