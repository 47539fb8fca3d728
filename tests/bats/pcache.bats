#!/usr/bin/env bats
# The policy cache (P14): a tool's policy, the real tool found on PATH and
# its confinement's key, worked out once under an inotify watch of every
# path they came from, kept by sbx's daemon and taken by the next exec of
# the same tool from the same place while nothing changed. Each test warms
# the cache (the exec before the change took the kept policy, so the test
# fails if the change goes unseen) and proves the change is seen at once.

load test_helper

setup() {
	setup_sealed
	require_landlock
	require_namespace
}

kept='policy cache: the policy kept for this tool here, unchanged'
stored='policy cache: kept for the next execs of this tool here'

# tool ARGS...: python3 ARGS with the trace, the verdict in $stderr
tool() {
	SBX_DEBUG=1 run --separate-stderr python3 "$@"
}

# warm: the next exec of python3 here takes the kept policy
warm() {
	local i
	for i in 1 2 3; do
		tool -c pass
		[[ "$stderr" == *"$kept"* ]] && return 0
	done
	fail "the policy is not kept: $stderr"
}

@test "the next exec of a tool from the same place takes the kept policy, and is confined the same" {
	tool -c pass
	[[ "$stderr" == *"$stored"* ]] || fail "not kept: $stderr"
	# (the first exec in a new home makes sbx's folders there: seen)
	warm
	# the same argv and exit status
	tool -c 'import sys; print(sys.argv[1:]); sys.exit(7)' a 'b c'
	[ "$status" -eq 7 ]
	[ "$output" = "['a', 'b c']" ]
	[[ "$stderr" == *"$kept"* ]] || fail "not taken: $stderr"
	# the same confinement: nothing written outside, no network
	tool -c "open('$OUT/x', 'w')"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"$kept"* ]] || fail "not taken: $stderr"
	[ ! -e "$OUT/x" ]
	tool -c 'import socket; socket.create_connection(("1.1.1.1", 53), 3)'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"$kept"* ]] || fail "not taken: $stderr"
	tool -c 'import os; print(os.environ.get("SBX_NETWORK_DISABLED"))'
	[ "$output" = 1 ]
	# .git stays read-only
	tool -c "open('$WS/.git/config', 'w')"
	[ "$status" -ne 0 ]
	[ ! -e "$WS/.git/config" ]
	# SBX_CACHE=0: worked out again, and not kept
	SBX_CACHE=0 tool -c pass
	[[ "$stderr" != *"policy cache"* ]] || fail "SBX_CACHE=0: $stderr"
	# another tool name: a policy of its own
	SBX_DEBUG=1 run --separate-stderr sh -c 'true'
	[[ "$stderr" != *"$kept"* ]] || fail "sh took python3's: $stderr"
}

@test "the user's config made, then changed in place: each seen by the next exec" {
	warm
	# the daemon stopped (it drops a policy whose watch saw a change):
	# the shim sees the change by itself, on the watch's queue
	local d
	d=$(sbx_daemon)
	[ -n "$d" ] || fail "no daemon"
	stop_daemon_idle "$d" || fail "the daemon never waits in poll"
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	echo 'profile = read-only' >"$XDG_CONFIG_HOME/sbx/config"
	tool -c "open('$WS/a', 'w')"
	kill -CONT "$d"
	[ "$status" -ne 0 ] || fail "the new config is not used: $stderr"
	[[ "$stderr" == *"policy cache: what it came from changed"* ]] || fail "$stderr"
	warm
	# the same file, written again (the same inode): its content changed
	echo 'profile = workspace-write' >>"$XDG_CONFIG_HOME/sbx/config"
	tool -c "open('$WS/a', 'w')"
	[ "$status" -eq 0 ] || fail "the changed config is not used: $stderr"
	[ -e "$WS/a" ]
}

@test "a credential store that appears is hidden from the next exec" {
	warm
	mkdir "$HOME/.aws"
	echo secret >"$HOME/.aws/credentials"
	tool -c "print(open('$HOME/.aws/credentials').read())"
	[ "$status" -ne 0 ] || fail "read: $output"
	[[ "$output" != *secret* ]]
}

@test "a nested repository made in the workspace is protected from the next exec" {
	mkdir -p "$WS/sub"
	cd "$WS/sub"
	warm
	mkdir -p "$WS/sub/inner/.git/hooks"
	tool -c "open('$WS/sub/inner/.git/hooks/pre-commit', 'w')"
	[ "$status" -ne 0 ] || fail "a hook written: $stderr"
	[ ! -e "$WS/sub/inner/.git/hooks/pre-commit" ]
}

@test "a variable the policy reads, changed: the next exec works it out again" {
	mkdir -p "$ROOT/cfg/sbx"
	echo 'profile = read-only' >"$ROOT/cfg/sbx/config"
	warm
	XDG_CONFIG_HOME=$ROOT/cfg tool -c "open('$WS/b', 'w')"
	[ "$status" -ne 0 ] || fail "XDG_CONFIG_HOME not used: $stderr"
	[[ "$stderr" == *'policy cache: $XDG_CONFIG_HOME changed'* ]] || fail "$stderr"
}

@test "a tool put earlier on PATH is the one the next exec runs" {
	mkdir -p "$ROOT/early"
	PATH=$SHIMS:$ROOT/early:/usr/local/bin:/usr/bin:/bin warm
	printf '#!/bin/sh\necho early\n' >"$ROOT/early/python3"
	chmod +x "$ROOT/early/python3"
	PATH=$SHIMS:$ROOT/early:/usr/local/bin:/usr/bin:/bin tool -c pass
	[ "$output" = early ] || fail "the old tool ran: $output $stderr"
}

@test "a name looked at in a folder anyone writes to is looked at again on each exec" {
	# the workspace under a sticky, world-writable folder: its name there
	# is checked rather than watched
	local top=$ROOT/sticky
	mkdir -p "$top" "$top/ws/.git"
	chmod 1777 "$top"
	cd "$top/ws"
	warm
	# a .sbxrc made there (no watch sees it): the next exec looks
	echo 'profile = read-only' >"$top/.sbxrc"
	tool -c pass
	[[ "$stderr" == *"policy cache: $top/.sbxrc changed"* ]] || fail "$stderr"
	[[ "$stderr" == *"$top/.sbxrc"*"not trusted"* ]] || fail "$stderr"
}

@test "a mount in the tool's namespace: every next exec works the policy out again" {
	[ "$(id -u)" = 0 ] || skip "mounting needs root"
	mkdir -p "$ROOT/mnt" "$ROOT/src/.git/hooks" "$WS/sub" "$WS/important" "$XDG_CONFIG_HOME/sbx"
	# the first exec after the mount reads a config that warns, so its
	# policy is not kept: the second must see the mount by itself too
	printf 'readonly = %s/important\nwritable = %s/.git/x\n' "$WS" "$WS" >"$ROOT/mnt/config"
	warm
	# the daemon stopped: it would drop the kept policy when the mount
	# table changes; each shim must see it by itself (listmount)
	local d
	d=$(sbx_daemon)
	[ -n "$d" ] || fail "no daemon"
	stop_daemon_idle "$d" || fail "the daemon never waits in poll"
	mount --bind "$ROOT/mnt" "$XDG_CONFIG_HOME/sbx"
	mount --bind "$ROOT/src" "$WS/sub"
	tool -c "open('$WS/important/w1', 'w')"
	local first=$status err1=$stderr
	tool -c "open('$WS/important/w2', 'w')"
	local second=$status err2=$stderr
	kill -CONT "$d"
	tool -c "open('$WS/sub/.git/hooks/pre-commit', 'w')"
	local third=$status
	umount "$WS/sub"
	umount "$XDG_CONFIG_HOME/sbx"
	[[ "$err1" == *"policy cache: the mount table changed"* ]] || fail "$err1"
	[[ "$err2" == *"policy cache: the mount table changed"* ]] || fail "$err2"
	[ "$first" -ne 0 ] || fail "readonly = not applied: $err1"
	[ "$second" -ne 0 ] || fail "the second exec took the old policy: $err2"
	[ "$third" -ne 0 ] || fail "a hook written into the repository mounted"
	[ ! -e "$WS/important/w2" ]
}

@test "a tool on PATH that is no longer executable is not run from the kept policy" {
	mkdir -p "$ROOT/early"
	printf '#!/bin/sh\necho early\n' >"$ROOT/early/python3"
	chmod +x "$ROOT/early/python3"
	PATH=$SHIMS:$ROOT/early:/usr/local/bin:/usr/bin:/bin warm
	chmod -x "$ROOT/early/python3"
	PATH=$SHIMS:$ROOT/early:/usr/local/bin:/usr/bin:/bin tool -c 'print("real")'
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = real ]
}

@test "a policy whose working out warned is not kept: the warning is said each time" {
	echo 'profile = read-only' >"$WS/.sbxrc"
	tool -c pass
	[[ "$stderr" == *"not trusted"* ]] || fail "no warning: $stderr"
	[[ "$stderr" == *"policy cache: not kept: its working out said something"* ]] || fail "$stderr"
	tool -c pass
	[[ "$stderr" == *"not trusted"* ]] || fail "the warning is lost: $stderr"
}

@test "what no watch follows (/proc, /sys) is not kept" {
	SBX_WRITABLE=/sys/kernel/mm tool -c pass
	[[ "$stderr" == *"policy cache: not kept: a path of /proc or /sys"* ]] || fail "$stderr"
	SBX_WRITABLE=/sys/kernel/mm tool -c pass
	[[ "$stderr" != *"$kept"* ]] || fail "kept: $stderr"
}

@test "every path the policy is worked out from is watched before it is looked at, or checked" {
	# the class: a lookup the recorders (shim/deps.h) do not see would let
	# a kept policy outlive a change. strace shows each lookup of a
	# policy's working out (from the mount table's descriptor to the memfd
	# kept) after a watch on the folder it is in, unless that folder is
	# anyone's (checked on each use).
	command -v strace >/dev/null || missing_feature "no strace"
	mkdir -p "$XDG_CONFIG_HOME/sbx" "$WS/sub/inner/.git" "$HOME/.aws" "$HOME/.cache/x"
	echo 'writable = ~/.cache/x' >"$XDG_CONFIG_HOME/sbx/config"
	ln -s "$WS" "$ROOT/link"
	cd "$ROOT/link/sub"
	SBX_DEBUG=1 run strace -f -qq -s 4096 -o "$BATS_TEST_TMPDIR/st" python3 -c pass
	[[ "$output" == *"$stored"* ]] || fail "not kept: $output"
	run "$PY" - "$BATS_TEST_TMPDIR/st" <<'PY'
import os, re, stat, sys
calls = re.compile(r'^\d+ +(stat|lstat|newfstatat|statx|openat|open|access|faccessat|faccessat2|readlink|readlinkat|inotify_add_watch)\((.*)')
watched, started, bad, seen = set(), False, [], 0
for line in open(sys.argv[1]):
    if 'open("/proc/self/mountinfo"' in line or 'openat(AT_FDCWD, "/proc/self/mountinfo"' in line:
        started = True
        continue
    if 'memfd_create("sbx-pc"' in line:
        break
    m = calls.match(line)
    if not started or not m:
        continue
    name, args = m.groups()
    if name == 'inotify_add_watch':
        watched.add(re.match(r'\d+, "(.*?)"', args).group(1))
        continue
    if 'AT_EMPTY_PATH' in args:
        continue  # fstat of a descriptor (glibc's)
    p = re.match(r'(?:AT_FDCWD, |-100, )?"(.*?)"', args)
    if not p:
        bad.append("not a path: " + line)
        continue
    path = p.group(1)
    if not path.startswith('/'):
        bad.append("relative: " + line)
        continue
    if path.startswith('/proc/self/'):
        continue
    seen += 1
    parent = os.path.dirname(os.path.normpath(path)) or '/'
    real = os.path.realpath(parent)
    try:
        st = os.stat(real)
        anyones = st.st_mode & stat.S_ISVTX and st.st_mode & stat.S_IWOTH
    except OSError:
        anyones = False
    # the folder it is in, watched (or anyone's), and every folder on the
    # way: a missing folder's nearest one is watched
    d = real
    while not os.path.isdir(d):
        d = os.path.dirname(d)
    if not (anyones or d in watched or path == '/'):
        bad.append(line.strip())
print(seen, "lookups")
for b in bad:
    print("UNWATCHED", b)
sys.exit(1 if bad or seen < 30 else 0)
PY
	[ "$status" -eq 0 ] || fail "$output"
}

@test "the daemon keeps a policy only from who holds its secret, which no tool can read" {
	warm
	local d name
	d=$(sbx_daemon)
	[ -n "$d" ] || fail "no daemon"
	name="sbx-proxy-4-$(id -u)-$(stat -L -c %i /proc/self/ns/pid)-$(stat -L -c %i /proc/self/ns/user)-$(stat -L -c %d-%i "$SBX")"
	# poison.py PID NAME TOKEN: the kept policy of python3 here, its profile
	# made full-access, given to the daemon with TOKEN (right: the daemon's
	# own secret, read as its owner may; else a wrong one)
	cat >"$BATS_TEST_TMPDIR/poison.py" <<'PY'
import ctypes, os, resource, socket, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def getfd(pidfd, fd):
    r = libc.syscall(438, pidfd, fd, 0)
    return r if r >= 0 else None
pid, name, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
pidfd = libc.syscall(434, pid, 0)
base = resource.prlimit(pid, resource.RLIMIT_NOFILE)[0] - 64 * 32
entry = None
for slot in range(64):
    fd = getfd(pidfd, base + slot * 32 + 5)
    if fd is not None:
        data = os.pread(fd, 65536, 0)
        if data.startswith(b"sbx-pc-1\n") and b"/python3\0" in data:
            entry = data
if not entry:
    sys.exit("no kept policy")
at = 74
def u32():
    global at
    at += 4
    return struct.unpack_from("I", entry, at - 4)[0]
def skip():
    global at
    n = u32()
    at += n
for _ in range(u32()):  # the events that matter (the daemon's)
    u32(); u32(); skip()
skip()  # the mount table's print
for _ in range(u32()):
    skip(); skip()
for _ in range(u32()):
    skip(); at += 48
skip(); skip(); u32(); skip(); skip(); skip()
poisoned = entry[:at] + struct.pack("I", 2) + entry[at + 4:]
token = os.pread(getfd(pidfd, base - 1), 64, 0) if mode == "right" else b"f" * 64
m = os.memfd_create("sbx-pc", os.MFD_CLOEXEC)
os.write(m, poisoned)
w = libc.inotify_init1(0)
mi = os.open("/proc/self/mountinfo", os.O_RDONLY)
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
c.connect("\0" + name)
socket.send_fds(c, [b"pc\n" + entry[9:73] + b"\n" + token + b"\n"], [m, w, mi])
c.close()
time.sleep(0.5)
print("sent")
PY
	run "$PY" "$BATS_TEST_TMPDIR/poison.py" "$d" "$name" wrong
	[ "$status" -eq 0 ] || fail "$output"
	tool -c "open('$OUT/x', 'w')"
	[ "$status" -ne 0 ] || fail "a policy without the secret was used"
	[[ "$stderr" == *"$kept"* ]] || fail "not the kept one: $stderr"
	[ ! -e "$OUT/x" ]
	# with it (the owner's own processes can read it): taken; the test can
	# see a poisoned policy
	run "$PY" "$BATS_TEST_TMPDIR/poison.py" "$d" "$name" right
	[ "$status" -eq 0 ] || fail "$output"
	tool -c "open('$OUT/x', 'w')"
	[ "$status" -eq 0 ] || fail "the test cannot tell: $stderr"
	[ -e "$OUT/x" ]
	# a tool cannot read it: Landlock keeps it from the daemon's descriptors
	SBX_CACHE=0 run python3 "$BATS_TEST_TMPDIR/poison.py" "$d" "$name" right
	[ "$status" -ne 0 ] || fail "a tool read the secret: $output"
}

@test "names made that the policy never looked up do not end the kept policy" {
	# pyenv's lock files in its shims folder on PATH, a build's objects in
	# the workspace: the daemon reads the watch's events, and a name no
	# lookup asked for gives the policy back its life
	mkdir -p "$WS/src"
	warm
	touch "$WS/made-at-the-top" "$WS/src/made-in-src"
	rm "$WS/made-at-the-top"
	mkdir "$WS/src/objects"
	local i
	for i in $(seq 20); do
		tool -c pass
		[[ "$stderr" == *"$kept"* ]] && break
		sleep 0.05
	done
	[[ "$stderr" == *"$kept"* ]] || fail "a name nothing looked up ended it: $stderr"
	# one that was looked up ends it (the daemon given time to read it)
	mkdir -p "$WS/src/.git"
	sleep 0.5
	tool -c "open('$WS/src/.git/x', 'w')"
	[ "$status" -ne 0 ] || fail "the new repository is not protected"
}

@test "a folder sbx cannot read is looked at on each use, and the policy is still kept" {
	[ "$(id -u)" != 0 ] || skip "root reads every folder"
	mkdir -p "$WS/locked"
	chmod 0 "$WS/locked"
	warm
	chmod 755 "$WS/locked"
}

@test "a folder made unsearchable can still be cleaned up by a tool" {
	mkdir -p "$WS/out/locked"
	chmod 0 "$WS/out/locked"
	SBX_DEBUG=1 run --separate-stderr sh -c 'chmod -R u+rwX out && rm -rf out'
	[ "$status" -eq 0 ] || fail "$output $stderr"
	[ ! -e "$WS/out" ]
}

@test "sbx's name led to the same binary elsewhere (a hard link): the next exec works the policy out again" {
	# The key has the name sbx ran by and its inode, not the path the
	# name leads to, from which the folders sbx protects as its own are
	# worked out: the way there is watched.
	mkdir -p "$ROOT/a/bin" "$ROOT/b/bin" "$ROOT/alias"
	ln "$SBX" "$ROOT/a/bin/sbx" 2>/dev/null || skip "no hard link to sbx from here"
	ln "$SBX" "$ROOT/b/bin/sbx"
	ln -s "$ROOT/a/bin/sbx" "$ROOT/alias/python3"
	for _ in 1 2 3; do
		SBX_DEBUG=1 run -0 --separate-stderr "$ROOT/alias/python3" -c pass
		[[ "$stderr" == *"$kept"* ]] && break
	done
	[[ "$stderr" == *"$kept"* ]] || fail "not kept: $stderr"
	ln -sfn "$ROOT/b/bin/sbx" "$ROOT/alias/python3"
	SBX_DEBUG=1 run -0 --separate-stderr "$ROOT/alias/python3" -c pass
	[[ "$stderr" != *"$kept"* ]] || fail "kept: $stderr"
}
