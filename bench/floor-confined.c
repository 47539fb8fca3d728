/* floor-confined.c - the least a shim that confines as sbx does can cost:
 * the kernel's part of it alone. No policy is looked for, no namespace is
 * joined: capabilities dropped (securebits locked, an empty set), no new
 * privileges, a Landlock ruleset as sbx's on this kernel (read everywhere,
 * write beneath the current folder, /dev's nodes, TCP and the scopes), sbx's
 * own seccomp filter (network off), then the exec of argv[1...]. Compare with
 * "sbx protect = off" (Landlock and seccomp, no mount namespace). With
 * SBX_FLOOR_NS=DIR, it first joins the network and mount namespaces bound
 * at DIR/net and DIR/mnt (made ahead by bench/exec.sh, as root), as a tool
 * of a kept confinement joins its own: compare with the default. Built
 * static by bench/exec.sh, against the build's generated filter.
 *
 *   [SBX_FLOOR_NS=DIR] floor-confined TOOL [ARG...]
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>

#include "seccomp-bpf.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

struct ruleset_attr {
	uint64_t fs, net, scoped;
};
struct path_beneath {
	uint64_t allowed;
	int32_t parent_fd;
} __attribute__((packed));

struct cap_header {
	uint32_t version;
	int pid;
};
struct cap_data {
	uint32_t effective, permitted, inheritable;
};

static void rule(int ruleset, const char *path, uint64_t allowed)
{
	struct path_beneath pb = { allowed, open(path, O_PATH | O_CLOEXEC) };

	if (pb.parent_fd >= 0)
		syscall(SYS_landlock_add_rule, ruleset, 1, &pb, 0);
}

int main(int argc, char *argv[])
{
	/* ABI 7's rights, as sbx handles them (ll_masks_for) */
	const uint64_t fs = (1ULL << 16) - 1, read = 1 | 4 | 8;
	struct ruleset_attr attr = { fs, 3, 3 };
	struct cap_header h = { 0x20080522, 0 };
	struct cap_data d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	struct sock_fprog prog = {
		sizeof(sbx_bpf_network_off) / sizeof(*sbx_bpf_network_off),
		(struct sock_filter *)sbx_bpf_network_off,
	};
	const char *ns = getenv("SBX_FLOOR_NS");
	char cwd[PATH_MAX], path[PATH_MAX];
	int ruleset;

	if (argc < 2)
		return 2;
	if (ns) {
		int net, mnt;

		snprintf(path, sizeof(path), "%s/net", ns);
		net = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof(path), "%s/mnt", ns);
		mnt = open(path, O_RDONLY | O_CLOEXEC);
		if (!getcwd(cwd, sizeof(cwd)) || net < 0 || mnt < 0 ||
		    setns(net, CLONE_NEWNET) < 0 || setns(mnt, CLONE_NEWNS) < 0 ||
		    chdir(cwd) < 0)
			return 5;
		close(net);
		close(mnt);
	}
	if (prctl(PR_SET_SECUREBITS, 0x2f, 0, 0, 0) < 0 && getuid() == 0)
		return 3;
	if (syscall(SYS_capset, &h, d) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return 3;
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr),
			       0);
	if (ruleset < 0)
		return 4;
	rule(ruleset, "/", read);
	rule(ruleset, ".", fs & ~((1ULL << 6) | (1ULL << 11)));
	rule(ruleset, "/dev", (1ULL << 1) | 4 | (1ULL << 14) | (1ULL << 15));
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return 4;
	close(ruleset);
	execv(argv[1], argv + 1);
	perror("floor-confined: exec");
	return 127;
}
