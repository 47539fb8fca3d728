/*
 * sandbox-linux.c - the Linux backend: the private mount namespace, one
 * Landlock ruleset (filesystem, TCP and scoping together), no_new_privs,
 * capabilities dropped, the ruleset applied, then a seccomp filter compiled
 * at build time; tool.c then sets the tool's environment and execs.
 * Modelled on the kernel's samples/landlock/sandboxer.c.
 */
#include "sandbox.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>

#include "landlock.h"
#include "proxy.h"
#include "mountns.h"
#include "seccomp-bpf.h"
#include "seccomp-mark.h"
#include "util.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#ifndef LL_RESTRICT_SELF_LOG_NEW_EXEC_ON
#define LL_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1) /* ABI 7 */
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

const char sandbox_backend[] = "landlock";

/* Devices a tool may write (and, on ABI >= 5, ioctl): the terminal among them. */
static const char *const devices[] = {
	"/dev/null", "/dev/zero", "/dev/full",
	"/dev/tty",  "/dev/ptmx", "/dev/pts",
};

void ll_masks_for(int abi, bool network_off, struct ll_masks *m)
{
	memset(m, 0, sizeof(*m));
	m->handled_fs = (LL_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0-12 */
	/* Fall through: each ABI has the rights of the ones before it. */
	switch (abi > LL_ABI_KNOWN ? LL_ABI_KNOWN : abi) {
	case 7: /* ABI 7 adds audit logging flags, no new right */
		FALLTHROUGH;
	case 6:
		m->scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
		FALLTHROUGH;
	case 5:
		m->handled_fs |= LL_FS_IOCTL_DEV;
		FALLTHROUGH;
	case 4:
		if (network_off)
			m->handled_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		FALLTHROUGH;
	case 3:
		m->handled_fs |= LL_FS_TRUNCATE;
		FALLTHROUGH;
	case 2:
		m->handled_fs |= LL_FS_REFER;
		break;
	default:
		break;
	}
	m->read = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;
	/* No device nodes in a writable root: one would be a door to the disk. */
	m->write_root = m->handled_fs & ~(LL_FS_MAKE_CHAR | LL_FS_MAKE_BLOCK);
	m->device = m->handled_fs & (LL_FS_READ_FILE | LL_FS_WRITE_FILE |
				     LL_FS_TRUNCATE | LL_FS_IOCTL_DEV);
}

static int ll_abi(void)
{
	long r = syscall(SYS_landlock_create_ruleset, NULL, 0,
			 LL_CREATE_RULESET_VERSION);

	return r < 0 ? -1 : (int)r;
}

/* Grants ACCESS beneath PATH. A path that cannot be opened is left out:
 * a missing root only takes access away. Returns -1 with errno set when
 * the kernel refuses the rule (a grant that did not happen must not be
 * traced as one: the caller refuses the tool). The descriptor is
 * close-on-exec and left open: execve closes it for free. */
static int allow_path(int ruleset, const char *path, uint64_t access)
{
	struct ll_path_beneath_attr pb;
	int fd, r;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		trace("%s left out: %s", path, strerror(errno));
		return 0;
	}
	pb.allowed_access = access;
	pb.parent_fd = fd;
	r = (int)syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH,
			 &pb, 0);
	if (r < 0 && errno == EINVAL) {
		/* Not a folder: only the rights that apply to a file. */
		pb.allowed_access = access & LL_FS_FILE_RIGHTS;
		r = (int)syscall(SYS_landlock_add_rule, ruleset,
				 LL_RULE_PATH_BENEATH, &pb, 0);
	}
	if (r < 0)
		return -1;
	trace("landlock: %s: access 0x%llx", path,
	      (unsigned long long)pb.allowed_access);
	return 0;
}

/* Empties every capability set but KEEP, and makes sure no exec gives one
 * back. With CAP_SETPCAP, one locked securebits call does that (root's
 * exec grants nothing: NOROOT; no uid change moves a set: NO_SETUID_FIXUP;
 * no ambient raise), where emptying the bounding set took ~40 prctl calls
 * (50 us per exec, measured); a kernel that refuses it gets those calls.
 * What root keeps goes through exec as ambient capabilities (NOROOT would
 * drop it). Without CAP_SETPCAP nothing can be gained at exec anyway:
 * no_new_privs keeps file capabilities and set-uid from adding any. */
#define SBX_SECUREBITS                                                   \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |  \
	 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |         \
	 SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

static int set_caps(uint32_t eff, uint32_t inh)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = eff;
	data[0].inheritable = inh;
	return (int)syscall(SYS_capset, &hdr, data);
}

static int drop_capabilities(uint32_t keep)
{
	struct __user_cap_data_struct data[2];
	const uint32_t setpcap = 1U << CAP_SETPCAP;

	if (caps_read(data) < 0)
		return -1;
	keep &= data[0].permitted;
	if (data[0].effective & setpcap) {
		bool bits = set_caps(keep | setpcap, keep) == 0;

		for (int cap = 0; bits && cap < 32; cap++)
			if ((keep & (1U << cap)) &&
			    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0,
				  0) < 0)
				bits = false;
		if (!bits ||
		    prctl(PR_SET_SECUREBITS, SBX_SECUREBITS, 0, 0, 0) < 0) {
			trace("securebits: %s: emptying the bounding set "
			      "instead",
			      strerror(errno));
			if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0,
				  0, 0) < 0 &&
			    errno != EINVAL)
				return -1;
			for (int cap = 0; cap < 64; cap++) {
				if (cap < 32 && (keep & (1U << cap)))
					continue;
				if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
					if (errno == EINVAL)
						break; /* past the last one */
					return -1;
				}
			}
			return set_caps(keep, 0);
		}
		return set_caps(keep, keep);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return -1;
	if (data[0].effective == keep && data[0].permitted == keep &&
	    (data[0].inheritable | data[1].effective | data[1].permitted |
	     data[1].inheritable) == 0)
		return 0;
	return set_caps(keep, 0);
}

/* What root keeps, of what a default Docker container has, that cannot
 * reach past the sandbox: owner, mode and set-id bits of the files it may
 * write (tar -x, cp -a, install -o, chown in test suites); outside the
 * writable roots the mounts are read-only. Not DAC_OVERRIDE, SETUID or
 * SETGID: reads are not confined, and with either root reads every user's
 * private files and reaches their sockets (a review showed it). Never
 * SYS_ADMIN, DAC_READ_SEARCH, SYS_PTRACE, NET_*, MKNOD, SYS_RAWIO, KILL,
 * SETFCAP, SETPCAP... Only with the mount namespace. */
static const uint32_t root_keeps =
	(1U << CAP_CHOWN) | (1U << CAP_FOWNER) | (1U << CAP_FSETID);

static int install_seccomp(bool network_off)
{
	struct sock_fprog prog;

	if (network_off && mountns_loopback) {
		prog.len = sizeof(sbx_bpf_loopback) / sizeof(*sbx_bpf_loopback);
		prog.filter = (struct sock_filter *)sbx_bpf_loopback;
	} else if (network_off) {
		prog.len = sizeof(sbx_bpf_network_off) /
			   sizeof(*sbx_bpf_network_off);
		prog.filter = (struct sock_filter *)sbx_bpf_network_off;
	} else {
		prog.len = sizeof(sbx_bpf_network_on) /
			   sizeof(*sbx_bpf_network_on);
		prog.filter = (struct sock_filter *)sbx_bpf_network_on;
	}
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

/* In an agent's session, the tool's own path leads back to sbx: a mount
 * namespace that has left the session's view is the way to the real tool,
 * even for a tool that gets no other confinement. */
int sandbox_leave_view(const struct confinement *c, struct sandbox_error *e)
{
	char why[512];
	int r = mountns_build(c->policy, true, why, sizeof(why));

	if (r != 0)
		snprintf(e->why, sizeof(e->why),
			 "cannot run: %s: the real tool is reachable only "
			 "from a namespace of its own in this session",
			 why);
	return r == 0 ? 0 : -1;
}

/* E's line, "cannot sandbox: WHAT: strerror(errno)"; returns -1. */
static int refuse(struct sandbox_error *e, const char *what)
{
	snprintf(e->why, sizeof(e->why), "cannot sandbox: %s: %s", what,
		 strerror(errno));
	return -1;
}

int sandbox_confine(const struct confinement *c, struct exec_plan *x,
		    struct sandbox_error *e)
{
	const struct policy *p = c->policy;
	struct ll_ruleset_attr attr;
	struct ll_masks m;
	char why[512];
	const char *v, *bad;
	int abi, ruleset, r, fail;

	memset(x, 0, sizeof(*x));
	x->path = c->tool;
	x->argv = c->argv;
	abi = ll_abi();
	if (abi < 1) {
		v = getenv(ENV_ALLOW_UNSANDBOXED);
		if (v && strcmp(v, "1") == 0) {
			msg("warning: Landlock is not available; running "
			    "UNSANDBOXED because %s=1",
			    ENV_ALLOW_UNSANDBOXED);
			if (c->view_root && sandbox_leave_view(c, e) < 0)
				return -1;
			x->applied = SANDBOX_NONE;
			return 0;
		}
		snprintf(e->why, sizeof(e->why),
			 "cannot sandbox: Landlock is not supported by the "
			 "running kernel (%s)",
			 strerror(errno));
		e->hint = "hint: boot with Landlock enabled (lsm=landlock,...), "
			  "or set " ENV_ALLOW_UNSANDBOXED
			  "=1 to run tools unconfined";
		return -1;
	}
	trace("landlock ABI %d", abi);

	if (c->protect == PROTECT_OFF) {
		trace("protect = off: no mount namespace, Landlock alone");
		r = c->view_root ? sandbox_leave_view(c, e) : 0;
		if (r < 0)
			return -1;
	} else {
		r = mountns_build(p, false, why, sizeof(why));
	}
	if (r > 0 && c->view_root) {
		snprintf(e->why, sizeof(e->why),
			 "cannot sandbox: %s: the real tool is reachable only "
			 "from a namespace of its own in this session",
			 why);
		return -1;
	}
	if (r < 0) {
		snprintf(e->why, sizeof(e->why),
			 "cannot sandbox: mount namespace: %s", why);
		return -1;
	}
	if (r > 0 && c->protect == PROTECT_REQUIRED) {
		snprintf(e->why, sizeof(e->why),
			 "cannot sandbox: %s, and protect = required (%s)", why,
			 source_str(&p->protect_src));
		return -1;
	}
	if (r > 0)
		msg("warning: %s: protected and hidden paths are not "
		    "enforced, only Landlock",
		    why);
	if (mountns_proxy_port > 0)
		proxy_environment(mountns_proxy_port, "", p);
	else if (c->named_hosts)
		msg("warning: network = %s... (%s) needs the namespace: "
		    "network off",
		    p->hosts.v[0].path, source_str(&p->network_src));
	if (c->end_leftovers && (r > 0 || c->protect == PROTECT_OFF))
		msg("warning: leftovers = end (%s) needs the namespace: what "
		    "the tool leaves behind runs on",
		    source_str(&p->leftovers_src));

	/* In a private network namespace TCP reaches only its loopback. */
	ll_masks_for(abi, !c->network && !mountns_loopback, &m);
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = m.handled_fs;
	attr.handled_access_net = m.handled_net;
	attr.scoped = m.scoped;
	/* the ruleset of the earlier tool whose mount namespace this one
	 * joined: made from the same policy, in the same namespace */
	if (mountns_ruleset >= 0) {
		ruleset = mountns_ruleset;
		trace("landlock: the ruleset of that tool");
		goto rules_done;
	}
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr),
			       0);
	if (ruleset < 0)
		return refuse(e, "landlock_create_ruleset");
	bad = "/";
	fail = allow_path(ruleset, bad, m.read);
	for (size_t i = 0; !fail && i < c->roots->n; i++)
		fail = allow_path(ruleset, bad = c->roots->v[i].path,
				  m.write_root);
	/* The private /dev (mountns-linux.c) holds only the few nodes a
	 * tool may use, /dev/console being the tool's own terminal: all of
	 * it, and so the devpts instance each tool that joins a shared
	 * namespace mounts on /dev/pts (a rule covers what is mounted beneath
	 * it). Elsewhere, /dev is the system's: these nodes only. */
	if (!fail && r == 0 && c->protect != PROTECT_OFF)
		fail = allow_path(ruleset, bad = "/dev", m.device);
	else
		for (size_t i = 0;
		     !fail && i < sizeof(devices) / sizeof(*devices); i++)
			fail = allow_path(ruleset, bad = devices[i], m.device);
	if (fail) {
		snprintf(e->why, sizeof(e->why),
			 "cannot sandbox: landlock_add_rule %s: %s", bad,
			 strerror(errno));
		return -1;
	}
	if (r == 0)
		mountns_donate(ruleset);
rules_done:

	/* (SBX_SANDBOX and SBX_NETWORK_DISABLED: tool.c, once this returns) */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return refuse(e, "PR_SET_NO_NEW_PRIVS");
	if (drop_capabilities(r == 0 && c->protect != PROTECT_OFF &&
					      geteuid() == 0
				      ? root_keeps
				      : 0) < 0)
		return refuse(e, "dropping capabilities");
	/* ABI 7: the kernel logs the tool's denials too (it logs only those
	 * of the program that asked by default, which is sbx, then gone);
	 * they reach the audit log where audit is on: sbx log reads them */
	if (syscall(SYS_landlock_restrict_self, ruleset,
		    abi >= 7 ? LL_RESTRICT_SELF_LOG_NEW_EXEC_ON : 0) < 0) {
		if (errno == E2BIG)
			e->hint = "hint: too many nested Landlock layers (16 "
				  "at most)";
		return refuse(e, "landlock_restrict_self");
	}
	close(ruleset);
	if (install_seccomp(!c->network) < 0)
		return refuse(e, "seccomp filter");
	x->applied = SANDBOX_APPLIED;
	return 0;
}

bool sandbox_private_loopback(const struct policy *p)
{
	return !p->network && p->protect != PROTECT_OFF &&
	       mountns_probe() == NULL;
}

bool sandbox_proxy(const struct policy *p)
{
	return sandbox_private_loopback(p);
}

bool sandbox_can_intercept(void)
{
	return mountns_probe() == NULL;
}

bool sandbox_inherited(const char *value)
{
	/* Only the kernel is believed: every sandbox of ours ends with the
	 * seccomp filter that answers the mark. Any other value (none, a
	 * full-access tool's) confines again. */
	return strcmp(value, sandbox_backend) == 0 &&
	       prctl(SBX_PRCTL_MARK, 0, 0, 0, 0) < 0 &&
	       errno == ENOTRECOVERABLE;
}

void sandbox_caps(const struct policy *p, struct sandbox_caps *c)
{
	const char *v;
	int abi = ll_abi(), err = errno;

	memset(c, 0, sizeof(*c));
	c->seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL
			     ? CAPS_SECCOMP_MISSING
			     : CAPS_SECCOMP_YES;
	if (abi < 1) {
		snprintf(c->summary, sizeof(c->summary),
			 "landlock: NOT AVAILABLE (%s)%s", strerror(err),
			 p->profile == PROFILE_FULL_ACCESS
				 ? ""
				 : "; tools exit 126 unless "
				   "SBX_ALLOW_UNSANDBOXED=1");
		return;
	}
	c->available = true;
	c->landlock_abi = abi;
	snprintf(c->summary, sizeof(c->summary),
		 "landlock ABI %d%s, seccomp, capabilities dropped", abi,
		 abi > LL_ABI_KNOWN ? " (sbx uses the rights of ABI 7)" : "");
	if (p->profile == PROFILE_FULL_ACCESS)
		return;
	if (p->protect == PROTECT_OFF) {
		c->view = CAPS_VIEW_OFF;
	} else if ((v = mountns_probe())) {
		c->view = CAPS_VIEW_NONE;
		snprintf(c->view_why, sizeof(c->view_why), "%s", v);
	} else {
		c->view = CAPS_VIEW_PRIVATE;
	}
}

void sandbox_explain(FILE *out, const struct policy *p)
{
	struct sandbox_caps c;
	struct ll_masks m;

	sandbox_caps(p, &c);
	fprintf(out, "backend:    %s\n", c.summary);
	if (!c.available)
		return;
	ll_masks_for(c.landlock_abi, !p->network, &m);
	fprintf(out, "  rename across folders (refer):  %s\n",
		m.handled_fs & LL_FS_REFER ? "handled"
					   : "not available (ABI < 2)");
	fprintf(out, "  truncate outside:               %s\n",
		m.handled_fs & LL_FS_TRUNCATE ? "denied"
					      : "NOT denied (needs ABI 3)");
	fprintf(out, "  terminal ioctl rights:          %s\n",
		m.handled_fs & LL_FS_IOCTL_DEV ? "handled (ttys allowed)"
					       : "not handled (needs ABI 5)");
	if (p->network)
		fprintf(out, "  TCP bind/connect:               allowed "
			     "(network on)\n");
	else
		fprintf(out, "  TCP bind/connect:               %s\n",
			m.handled_net ? "denied by Landlock and seccomp"
				      : "denied by seccomp (Landlock TCP needs "
					"ABI 4)");
	fprintf(out, "  signals, abstract sockets:      %s\n",
		m.scoped ? "scoped to the sandbox"
			 : "NOT scoped (needs ABI 6)");
	if (c.view == CAPS_VIEW_OFF || c.view == CAPS_VIEW_NONE)
		fprintf(out,
			"  protected, hidden paths, chmod: NOT enforced: "
			"%s%s\n",
			c.view == CAPS_VIEW_OFF ? "protect = off" : c.view_why,
			p->protect == PROTECT_REQUIRED
				? " (protect = required: tools exit 126)"
				: "");
	else if (c.view == CAPS_VIEW_PRIVATE)
		fprintf(out, "  protected, hidden paths, chmod: private "
			     "read-only mount namespace\n"
			     "  devices:                        a private /dev "
			     "(null, zero, full, random, urandom, tty, shm, "
			     "new ptys, the tool's terminal)\n");
}
