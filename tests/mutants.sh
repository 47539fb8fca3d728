#!/bin/bash
# tests/mutants.sh - security-relevant mutations of sbx, one at a time: each
# must make at least one test fail ("caught"); a mutant the tests do not
# notice "LIVED", and the script exits 1. Not part of make check (a few
# minutes): run it as root (some mutants are caught only by root's tests)
# with `make mutants`, or tests/mutants.sh [NAME-REGEX] for some of them.
#
# The tree (tracked and new files, as they are in the work tree) is copied
# to a temporary folder and built once; each mutant is a perl substitution
# on one file of a copy of that, rebuilt (make rebuilds only what changed),
# then checked by the tests named for it (a bats file and a --filter, or a
# unit test), which must pass on the unmutated build first.
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
only=${1:-}
# Not under /tmp: /tmp is writable inside every sandbox.
work=$(mktemp -d /var/tmp/sbx-mutants.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
log=$work/log

# NAME FILE PERL-EXPRESSION TEST [BATS-FILTER]
# TEST is a bats file under tests/bats/ (with the filter) or unit:NAME.
# shellcheck disable=SC2016 # perl's $1, not the shell's
MUTANTS=(
	'copy-claimed-twice' shim/proxy.c
	's/(?=if \(write\(m->cq, &c, sizeof\(c\)\))/if (write(m->cq, &c, sizeof(c)) < 0) return;\n\t/'
	share.bats 'one copy per tool'

	'script-name-taken-for-sbx' shim/resolve.c
	's/if \(strcmp\(argv\[i\], fn\) == 0\)/if (0)/'
	core.bats 'interpreter'

	'exec-name-way-unwatched' shim/pcache.c
	's/deps_note\(abs, DEP_NAME\);/(void)abs;/'
	pcache.bats 'hard link'

	'copy-without-devpts' shim/proxy.c
	's/ \|\| mountns_own_devpts\(\) < 0\)/)/'
	share.bats 'devpts of its own'

	'tiocsti-network-on' shim/seccomp-gen.c
	's/(?=check\(seccomp_rule_add\(ctx, DENY, SCMP_SYS\(ioctl\)[^;]*TIOCSTI\)\))/if (network != 1) /'
	linux.bats 'refused with the network on too'

	'tioclinux-network-on' shim/seccomp-gen.c
	's/(?=check\(seccomp_rule_add\(ctx, DENY, SCMP_SYS\(ioctl\)[^;]*TIOCLINUX\)\))/if (network != 1) /'
	linux.bats 'refused with the network on too'

	'keyctl-network-on' shim/seccomp-gen.c
	's/(?=check\(seccomp_rule_add\(ctx, DENY, SCMP_SYS\(keyctl\))/if (network != 1) /'
	linux.bats 'refused with the network on too'

	'foreign-arch-allowed' shim/seccomp-gen.c
	's/SCMP_ACT_KILL_PROCESS/SCMP_ACT_ALLOW/'
	linux.bats 'foreign architecture'

	'other-netlink-allowed' shim/seccomp-gen.c
	's/SCMP_A2\(SCMP_CMP_NE, NETLINK_ROUTE\)/SCMP_A2(SCMP_CMP_EQ, 99)/'
	linux.bats 'other netlink sockets fail'

	'io-uring-allowed' shim/seccomp-gen.c
	's/(?=check\(seccomp_rule_add\(ctx, DENY, SCMP_SYS\(io_uring_setup\))/if (0) /'
	linux.bats 'io_uring is off'

	'setuid-modes-allowed' shim/seccomp-gen.c
	's/\tdeny_setid_modes\(ctx\);/\t(void)deny_setid_modes;/'
	escape.bats 'no set-uid file can be made'

	'trust-hash-ignores-path' shim/trust.c
	's/(static void digest\([^)]*\)\n\{\n)/$1\tpath = "";\n/'
	trust.bats 'byte-identical'

	'untrusted-rc-used' shim/trust.c
	's/rec && access\(rec, F_OK\) == 0 \?/rec ?/'
	trust.bats 'untrusted .sbxrc is ignored'

	'rc-walk-owner-stop' shim/trust.c
	's/if \(st\.st_uid != uid\)/if (st.st_uid != uid \&\& 0)/'
	trust.bats 'walk stops at a folder owned'

	'rc-walk-filesystem-stop' shim/trust.c
	's/if \(st\.st_dev != dev\)/if (st.st_dev != dev \&\& 0)/'
	trust.bats 'walk stops at a filesystem boundary'

	'aws-not-hidden' shim/policy-finish.c
	's/\t"\.aws",\n//'
	trust.bats 'aws'

	'git-not-protected' shim/policy-finish.c
	's/"\.sbxrc", "\.git", /".sbxrc", /'
	trust.bats 'protected paths:'

	'secret-vars-passed' shim/policy.c
	's/"_API_KEY", "_TOKEN", /"_TOKEN", /'
	escape.bats 'secret variables are not passed'

	'hidden-not-covered' shim/mountns-linux.c
	's/if \(cover\(bad, S_ISDIR\(st\.st_mode\)\) < 0\)/if (0)/'
	trust.bats 'hidden paths: ~/.ssh'

	'device-nodes-in-roots' shim/sandbox-linux.c
	's/m->handled_fs & ~\(LL_FS_MAKE_CHAR \| LL_FS_MAKE_BLOCK\)/m->handled_fs/'
	unit:landlock ''

	'no-new-privs-skipped' shim/sandbox-linux.c
	's/prctl\(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0\) < 0/0/'
	linux.bats 'no_new_privs is set'

	'root-keeps-all-caps' shim/sandbox-linux.c
	's/\(1U << CAP_CHOWN\) \| \(1U << CAP_FOWNER\) \| \(1U << CAP_FSETID\)/~0U/'
	linux.bats 'no_new_privs is set'

	'sbx-sandbox-believed' shim/sandbox-linux.c
	's/prctl\(SBX_PRCTL_MARK, 0, 0, 0, 0\) < 0 \&\&\s*errno == ENOTRECOVERABLE/1/'
	escape.bats 'inherited SBX_SANDBOX switches nothing off'

	'no-landlock-runs-bare' shim/sandbox-linux.c
	's/if \(v \&\& strcmp\(v, "1"\) == 0\)/if (v || 1)/'
	fault.bats 'no Landlock: 126'

	'add-rule-error-ignored' shim/sandbox-linux.c
	's/\tif \(r < 0\)\n\t\treturn -1;\n\ttrace\("landlock: /\ttrace("landlock: /'
	fault.bats 'each step of the sandbox failing'

	'landlock-abi-misread' shim/sandbox-linux.c
	's/return r < 0 \? -1 : \(int\)r;/return r < 0 ? -1 : 0;/'
	linux.bats 'reading / works'

	'relative-path-searched' shim/resolve.c
	's/n == 0 \|\| p\[0\] != '"'"'\/'"'"'/n == 0/'
	unit:resolve ''

	'relative-path-searched-bats' shim/resolve.c
	's/n == 0 \|\| p\[0\] != '"'"'\/'"'"'/n == 0/'
	core.bats 'relative PATH entries are never searched'

	'new-mount-api-allowed' shim/seccomp-gen.c
	's/SCMP_ACT_ERRNO\(ENOSYS\),(\s*)sys\(api/SCMP_ACT_ERRNO(0),$1sys(api/'
	share.bats 'nor use the new mount API'

	'record-not-asked' shim/proxy.c
	's/ok && daemon && ours > 0 && !recorded/ok \&\& daemon \&\& ours > 99 \&\& !recorded/'
	share.bats 'under another sandbox'

	'pcache-queue-ignored' shim/pcache.c
	's/queued == 0 &&/(queued = 0) == 0 \&\&/'
	pcache.bats 'config made'

	'pcache-mounts-ignored' shim/pcache.c
	's/strcmp\(s, print\) != 0/0/'
	pcache.bats 'a mount in'

	'pcache-variables-unchecked' shim/pcache.c
	's/if \(\(now == NULL\) != \(was == NULL\) \|\|/if (0 \&\& /'
	pcache.bats 'a variable the policy reads'

	'pcache-checks-unchecked' shim/pcache.c
	's/if \(memcmp\(&was, &now, sizeof\(now\)\) != 0\)/if (0)/'
	pcache.bats 'anyone writes to'

	'pcache-folders-unwatched' shim/deps.c
	's/cur_wd = watch\(cur, stx_dev\(&stx\), W_ENTRIES\);/cur_wd = 0;/'
	pcache.bats 'credential store that appears'

	'pcache-events-never-matter' shim/proxy.c
	's/matters = matters \|\| pc_matters\(i, e\);/matters = matters \&\& pc_matters(i, e);/'
	pcache.bats 'never looked up'

	'pcache-token-unchecked' shim/proxy.c
	's/same_secret\(tok, pc_token\)/(same_secret(tok, pc_token) || 1)/'
	pcache.bats 'secret'

	'record-inode-unchecked' shim/proxy.c
	's/\(unsigned long long\)st.st_ino != r.ino/0/'
	share.bats 'record that names another process'

	'look-peer-trusted' shim/proxy.c
	's/(len\) == 0 &&\n\s*)trusted_peer_pidfd\(fd, pidfd, true\)/$1getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, pidfd, \&(socklen_t){ sizeof(int) }) == 0/'
	share.bats 'look socket held by a process that is not ours'
)

[ "$(id -u)" = 0 ] || echo "mutants: not root: the root-only tests skip, some mutants will live" >&2

echo "mutants: building the unmutated tree in $work/base"
mkdir -p "$work/base"
(cd "$here" && git ls-files -z --cached --others --exclude-standard |
	tar --null -T - --ignore-failed-read -cf -) | tar -C "$work/base" -xf - || exit 1
rm -rf "$work/base/build"
make -C "$work/base" -s -j2 build/sbx unit >"$log" 2>&1 || {
	cat "$log"
	echo "mutants: the unmutated tree does not build" >&2
	exit 1
}

# run_test TREE TEST FILTER: 0 when the tests pass.
run_test() {
	local tree=$1 test=$2 filter=$3
	case $test in
	unit:*)
		"$tree/build/tests/${test#unit:}.t" >"$log" 2>&1
		;;
	*)
		SBX="$tree/build/sbx" bats --filter "$filter" \
			"$work/base/tests/bats/$test" >"$log" 2>&1 || return 1
		# a filter that matches nothing proves nothing
		! grep -q '^1\.\.0$' "$log"
		;;
	esac
}

lived=0 broken=0 caught=0
for ((i = 0; i < ${#MUTANTS[@]}; i += 5)); do
	name=${MUTANTS[i]} file=${MUTANTS[i + 1]} expr=${MUTANTS[i + 2]}
	test=${MUTANTS[i + 3]} filter=${MUTANTS[i + 4]}
	[ -z "$only" ] || [[ $name =~ $only ]] || continue
	if ! run_test "$work/base" "$test" "$filter"; then
		cat "$log"
		printf '%-28s BROKEN: %s fails (or matches nothing) unmutated\n' "$name" "$test" >&2
		broken=$((broken + 1))
		continue
	fi
	rm -rf "$work/m"
	cp -a "$work/base" "$work/m"
	perl -0pi -e "$expr" "$work/m/$file"
	if cmp -s "$work/base/$file" "$work/m/$file"; then
		printf '%-28s BROKEN: the substitution matched nothing in %s\n' "$name" "$file" >&2
		broken=$((broken + 1))
		continue
	fi
	if ! make -C "$work/m" -s -j2 build/sbx unit >"$log" 2>&1; then
		cat "$log"
		printf '%-28s BROKEN: does not build\n' "$name" >&2
		broken=$((broken + 1))
		continue
	fi
	if run_test "$work/m" "$test" "$filter"; then
		printf '%-28s LIVED (%s %s)\n' "$name" "$test" "$filter"
		lived=$((lived + 1))
	else
		printf '%-28s caught\n' "$name"
		caught=$((caught + 1))
	fi
done
echo "mutants: $caught caught, $lived lived, $broken broken"
[ "$lived" = 0 ] && [ "$broken" = 0 ]
