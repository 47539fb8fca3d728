#!/usr/bin/env bats
# Fail closed: with a kernel feature missing, or one step of the sandbox
# failing half-way (system calls made to fail by tests/bats/fault.py, a
# seccomp filter), the tool is refused with one clear line, never run bare.

load test_helper

setup() {
	setup_sealed
	require_landlock
	"$PY" -c 'import seccomp' 2>/dev/null || fail "python3-seccomp is needed (apt-get install python3-seccomp)"
}

fault() {
	"$PY" "$BATS_TEST_DIRNAME/fault.py" "$@"
}

@test "no Landlock: 126 and a hint; SBX_ALLOW_UNSANDBOXED=1 runs it with a warning" {
	run -126 --separate-stderr fault landlock_create_ruleset=EOPNOTSUPP -- python3 -c 'print("ran")'
	assert_output ""
	# strerror's words are the C library's (glibc, musl)
	assert_regex "${stderr_lines[0]}" '^sbx: python3: cannot sandbox: Landlock is not supported by the running kernel \((Operation not supported|Not supported)\)$'
	assert_equal "${stderr_lines[1]}" "sbx: python3: hint: boot with Landlock enabled (lsm=landlock,...), or set SBX_ALLOW_UNSANDBOXED=1 to run tools unconfined"
	SBX_ALLOW_UNSANDBOXED=yes run -126 fault landlock_create_ruleset=ENOSYS -- python3 -c 'print("ran")'
	refute_line ran
	SBX_ALLOW_UNSANDBOXED=1 run -0 --separate-stderr fault landlock_create_ruleset=ENOSYS -- python3 -c 'import os; print(os.environ["SBX_SANDBOX"])'
	assert_output none
	assert_equal "$stderr" "sbx: python3: warning: Landlock is not available; running UNSANDBOXED because SBX_ALLOW_UNSANDBOXED=1"
	SBX_PROFILE=full-access run -0 fault landlock_create_ruleset=ENOSYS -- python3 -c 'print("ran")'
	assert_output ran
}

@test "no Landlock: explain and doctor say so" {
	run -0 fault landlock_create_ruleset=ENOSYS -- "$SBX" explain
	assert_line --regexp '^backend: +landlock: NOT AVAILABLE'
	"$SBX" shims --dir "$ROOT/s" >/dev/null
	SBX_SHIM_DIR=$ROOT/s run -1 fault landlock_create_ruleset=ENOSYS -- "$SBX" doctor
	assert_line --regexp '^FAIL +no sandbox on this machine: tools exit 126$'
}

@test "no user namespace: sbx --version and doctor say so, and doctor how to get one" {
	run -0 fault unshare=EPERM -- "$SBX" --version
	assert_line --index 1 --regexp '; user namespaces: no \(.+\)$'
	"$SBX" shims --dir "$ROOT/s" >/dev/null
	SBX_SHIM_DIR=$ROOT/s run fault unshare=EPERM -- "$SBX" doctor
	assert_line --regexp '^warn +no user namespace: protected and hidden paths are not enforced$'
	if [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null)" = 1 ]; then
		assert_line --regexp '^ +AppArmor restricts user namespaces \(kernel.apparmor_restrict_unprivileged_userns=1\)$'
		assert_line --regexp '^ +fix: sudo cp .*/share/sbx/apparmor/sbx[^ ]* /etc/apparmor.d/'
	else
		assert_line --regexp '^ +fix: allow unprivileged user namespaces '
	fi
}

@test "each step of the sandbox failing stops the tool with 126" {
	check() {
		local want=$1
		shift
		run -126 --separate-stderr fault "$@" -- python3 -c 'print("ran")'
		assert_output ""
		[[ "$stderr" == *"$want"* ]] || fail "stderr: $stderr (wanted: $want)"
	}
	check "cannot sandbox: landlock_create_ruleset: Invalid argument" \
		'landlock_create_ruleset:a0!=0=EINVAL'
	check "cannot sandbox: landlock_restrict_self: Argument list too long" \
		landlock_restrict_self=E2BIG
	check "hint: too many nested Landlock layers (16 at most)" \
		landlock_restrict_self=E2BIG
	check "cannot sandbox: PR_SET_NO_NEW_PRIVS: Operation not permitted" \
		'prctl:a0==38=EPERM'
	check "cannot sandbox: seccomp filter: Invalid argument" \
		'prctl:a0==22=EINVAL'
	check "cannot sandbox: dropping capabilities: Operation not permitted" \
		capset=EPERM
	check "cannot sandbox: mount namespace: making / read-only: Operation not permitted" \
		mount_setattr=EPERM
	check "cannot sandbox: mount namespace: making mounts private: Operation not permitted" \
		mount=EPERM
	# a rule the kernel refuses is not a grant to trace and go on with
	check "cannot sandbox: landlock_add_rule /: Operation not permitted" \
		landlock_add_rule=EPERM
}

@test "securebits refused: the bounding set is emptied instead, and nothing is gained at exec" {
	# PR_SET_SECUREBITS is 28
	run -0 fault 'prctl:a0==28=EPERM' -- python3 -c 'print(open("/proc/self/status").read())'
	assert_line --regexp '^CapAmb:	0+$'
	if [ "$(id -u)" = 0 ]; then
		assert_line --regexp '^CapBnd:	0+19$'
		assert_line --regexp '^CapEff:	0+19$'
	else
		assert_line --regexp '^CapEff:	0+$'
	fi
}

@test "a tool that cannot be exec'd: 126 and the reason" {
	printf '#!/nonexistent/interpreter\n' >"$ROOT/bin/badtool"
	chmod +x "$ROOT/bin/badtool"
	ln -s "$SBX" "$SHIMS/badtool"
	PATH=$SHIMS:$ROOT/bin:/usr/bin:/bin run -126 --separate-stderr badtool
	assert_equal "$stderr" "sbx: badtool: cannot execute $ROOT/bin/badtool: No such file or directory"
	SBX_SANDBOX=outer PATH=$SHIMS:$ROOT/bin:/usr/bin:/bin run -126 badtool
}

@test "a namespace that fails for want of quota or memory refuses the tool; switched off, Landlock alone" {
	# defends: a confined daemon holding the user-namespace quota must not
	# turn later tools into Landlock-only ones (reading ~/.ssh, writing .git)
	for e in ENOSPC ENOMEM EUSERS; do
		run -126 --separate-stderr fault "unshare=$e" -- python3 -c 'print("ran")'
		assert_output ""
		[[ "$stderr" == *"cannot sandbox: mount namespace: creating the namespace"* ]] || fail "$e: $stderr"
	done
	run -0 --separate-stderr fault unshare=EPERM -- python3 -c 'print("ran")'
	assert_output ran
	[[ "$stderr" == *"no user namespace (Operation not permitted)"* ]]
}
