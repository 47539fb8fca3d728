/*
 * seccomp-gen.c - a build-time tool, never part of sbx: compiles the seccomp
 * filters with libseccomp and prints them as a C header, so that sbx installs
 * a ready BPF program at exec time without loading libseccomp (150-200 us).
 *
 * Usage: seccomp-gen > seccomp-bpf.h
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <seccomp.h>
#include <sys/stat.h>

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

#define DENY SCMP_ACT_ERRNO(EPERM)
#include "seccomp-mark.h"

static void check(int r, const char *what)
{
	if (r < 0) {
		fprintf(stderr, "seccomp-gen: %s: %s\n", what, strerror(-r));
		exit(1);
	}
}

/* A syscall by name, or by the generic number where this libseccomp is
 * older than the kernel (fchmodat2 is 452 on every architecture). */
static int sys(const char *name, int fallback)
{
	int nr = seccomp_syscall_resolve_name(name);

	return nr == __NR_SCMP_ERROR ? fallback : nr;
}

/*
 * No set-user-ID file: root owns what it makes, so a tool running as root
 * could leave a set-uid-root program in /tmp or the workspace for any
 * local user to run later. chmod's family, open's with
 * O_CREAT and mknod are refused a mode with either bit; openat2 (its mode is
 * behind a pointer) answers ENOSYS, and callers fall back to openat.
 */
static void deny_setid_modes(scmp_filter_ctx ctx)
{
	static const struct {
		const char *name;
		int fallback;
		unsigned arg;
	} calls[] = {
		{ "chmod", -1, 1 },   { "fchmod", -1, 1 },  { "fchmodat", -1, 2 },
		{ "fchmodat2", 452, 2 }, { "open", -1, 2 },  { "openat", -1, 3 },
		{ "creat", -1, 1 },   { "mknod", -1, 1 },   { "mknodat", -1, 2 },
	};
	/* Not set-gid: a set-gid folder (group sharing) is ordinary, and
	 * copying one (cp -a, shutil.copytree) sets the bit again. */
	const scmp_datum_t bits[] = { S_ISUID };

	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++) {
		int nr = sys(calls[i].name, calls[i].fallback);

		if (nr < 0)
			continue; /* not on this architecture (open, chmod) */
		for (size_t b = 0; b < sizeof(bits) / sizeof(*bits); b++) {
			struct scmp_arg_cmp cmp = {
				calls[i].arg, SCMP_CMP_MASKED_EQ, bits[b],
				bits[b]
			};

			check(seccomp_rule_add_array(ctx, DENY, nr, 1, &cmp),
			      calls[i].name);
		}
	}
	check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
			       sys("openat2", 437), 0),
	      "openat2");
}

/* NETWORK: 0 off (no socket but AF_UNIX and route netlink), 1 on, 2 a
 * private loopback (a network namespace of the tool's own: AF_INET and
 * AF_INET6 too, which reach only its `lo`). */
static scmp_filter_ctx make_filter(int network)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (!ctx) {
		fprintf(stderr, "seccomp-gen: seccomp_init failed\n");
		exit(1);
	}
	/* A foreign architecture's syscalls are not what these rules check. */
	check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			       SCMP_ACT_KILL_PROCESS),
	      "badarch");
	check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0), "nnp");
	/*
	 * A binary tree of syscall numbers, not a list: installing a filter,
	 * the kernel runs it for every syscall number to find those it always
	 * allows (its cache, under the signal lock), and a list makes that
	 * walk every rule for each number. Measured here: the prctl 57 ->
	 * 43 us, an exec 10 us less.
	 */
	check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), "optimize");

	/*
	 * Terminal injection: TIOCSTI pushes bytes into the terminal's input
	 * queue (the user's shell runs them after the tool exits); TIOCLINUX
	 * can do the same on a virtual console. The kernel reads cmd as an
	 * unsigned int, so only the low 32 bits are compared.
	 */
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(ioctl), 1,
			       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL,
				       (scmp_datum_t)TIOCSTI)),
	      "ioctl TIOCSTI");
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(ioctl), 1,
			       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL,
				       (scmp_datum_t)TIOCLINUX)),
	      "ioctl TIOCLINUX");
	/* The kernel keyrings hold the user's secrets (Kerberos tickets,
	 * ecryptfs keys) and outlive the tool: no build needs them. */
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(keyctl), 0), "keyctl");
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(add_key), 0), "add_key");
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(request_key), 0),
	      "request_key");
	/* io_uring opens files (and sockets) without the system calls the
	 * rules below check: refused with the network on too. */
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(io_uring_setup), 0),
	      "io_uring_setup");
	deny_setid_modes(ctx);
	/* Another process's resource limits, set: same-uid processes outside
	 * the sandbox (the agent's shell, sbx's proxy) could be killed with
	 * RLIMIT_CPU or made to fail, past Landlock's signal scoping. Its own
	 * (pid 0, what setrlimit passes) and reading any are left. */
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(prlimit64), 2,
			       SCMP_A0(SCMP_CMP_NE, 0), SCMP_A2(SCMP_CMP_NE, 0)),
	      "prlimit64 of another process");
	/*
	 * Joining a namespace, and the new mount API. A tool that stays in
	 * the user's own user namespace (protect = off) has, by the kernel's
	 * owner rule, every capability in the user namespaces sbx keeps for
	 * that user's confinements: handed one of their descriptors by
	 * another tool (over a Unix socket), it could join them (setns) and
	 * make a read-only bind writable again (mount_setattr) or another
	 * mount (open_tree, move_mount, fspick...). No build joins a
	 * namespace; the new mount API answers ENOSYS, so that libmount
	 * falls back to mount(2), which acts only in the caller's own mount
	 * namespace and stays allowed (a tool may sandbox its children).
	 */
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(setns), 0), "setns");
	{
		static const struct {
			const char *name;
			int nr; /* the generic number, for an older libseccomp */
		} api[] = {
			{ "open_tree", 428 }, { "move_mount", 429 },
			{ "fsopen", 430 },    { "fsconfig", 431 },
			{ "fsmount", 432 },   { "fspick", 433 },
			{ "mount_setattr", 442 },
		};

		for (size_t i = 0; i < sizeof(api) / sizeof(*api); i++)
			check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
					       sys(api[i].name, api[i].nr), 0),
			      api[i].name);
	}
	/*
	 * The mark of sbx's sandbox, for a nested shim to ask the kernel
	 * instead of believing SBX_SANDBOX: an unknown prctl option answers
	 * EINVAL, and ENOTRECOVERABLE only under this filter. A process can
	 * fake it only by filtering itself, and that one is outside already.
	 */
	check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTRECOVERABLE),
			       SCMP_SYS(prctl), 1,
			       SCMP_A0(SCMP_CMP_EQ, SBX_PRCTL_MARK)),
	      "prctl mark");
	if (network == 1)
		return ctx;

	/*
	 * socket(): only AF_UNIX, and AF_NETLINK with NETLINK_ROUTE (so that
	 * getifaddrs() and node's os.networkInterfaces() answer instead of
	 * failing; with every capability dropped a route socket can read, not
	 * change); in a private network namespace AF_INET and AF_INET6 too.
	 * Anything else, including values with high bits set, fails with
	 * EPERM: families a network namespace does not isolate (AF_VSOCK
	 * reaches the hypervisor, AF_BLUETOOTH...) among them.
	 */
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
			       SCMP_A0(SCMP_CMP_LT, AF_UNIX)),
	      "socket <");
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
			       SCMP_A0(SCMP_CMP_GT, AF_NETLINK)),
	      "socket >");
	for (int af = AF_UNIX + 1; af < AF_NETLINK; af++)
		if (network != 2 || (af != AF_INET && af != AF_INET6))
			check(seccomp_rule_add(
				      ctx, DENY, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)af)),
			      "socket ==");
	check(seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 2,
			       SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
			       SCMP_A2(SCMP_CMP_NE, NETLINK_ROUTE)),
	      "socket netlink");
	return ctx;
}

static void emit(const char *name, int network)
{
	scmp_filter_ctx ctx = make_filter(network);
	FILE *tmp = tmpfile();
	unsigned char buf[65536];
	size_t n;

	if (!tmp) {
		perror("seccomp-gen: tmpfile");
		exit(1);
	}
	check(seccomp_export_bpf(ctx, fileno(tmp)), "export");
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf), tmp);
	if (n == 0 || n % 8 != 0 || n == sizeof(buf)) {
		fprintf(stderr, "seccomp-gen: odd BPF size %zu\n", n);
		exit(1);
	}
	printf("static const struct sock_filter %s[] = {\n", name);
	for (size_t i = 0; i < n; i += 8) {
		unsigned short code;
		unsigned int k;

		memcpy(&code, buf + i, 2);
		memcpy(&k, buf + i + 4, 4);
		printf("\t{ 0x%04x, %u, %u, 0x%08x },\n", code, buf[i + 2],
		       buf[i + 3], k);
	}
	printf("};\n\n");
	fclose(tmp);
	seccomp_release(ctx);
}

int main(void)
{
	printf("/* Generated by seccomp-gen at build time: do not edit. */\n");
	printf("#include <linux/filter.h>\n\n");
	emit("sbx_bpf_network_off", 0);
	emit("sbx_bpf_network_on", 1);
	emit("sbx_bpf_loopback", 2);
	return 0;
}
