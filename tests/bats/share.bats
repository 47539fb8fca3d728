#!/usr/bin/env bats
# Namespaces shared by the tools of one confinement (P14): the first tool
# builds its mount namespace and Landlock ruleset and gives them to sbx's
# proxy daemon; a later tool with an equal key joins them (setns) instead
# of building its own. Each test proves the joined sandbox is the same
# sandbox, and that anything the key stands for, changed, builds anew.

load test_helper

setup() {
	setup_sealed
	require_landlock
	require_namespace
}

made=' created'
joined='joined: the one an earlier tool of this confinement made'

# run_tool NAME: python3 -c 'print(1)' with the trace, the verdict in $stderr
run_tool() {
	SBX_DEBUG=1 run -0 --separate-stderr python3 -c 'print(1)'
}

# slot_holder: python (after `key` is set, and ctypes, os, resource and
# libc) for a process that is not the daemon and holds, at the daemon's
# slot for KEY (base: its RLIMIT_NOFILE less 64 * 32), the key's memfd (the
# key in it), its own network and mount namespaces and a ruleset that lets
# everything be written: what a shim must never take.
slot_holder() {
	cat <<'PY'
lim = 20000
resource.setrlimit(resource.RLIMIT_NOFILE, (lim, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
base = lim - 64 * 32
at = base + int(key[:3], 16) % 64 * 32
mfd = os.memfd_create("sbx-" + key)
os.write(mfd, key.encode())
os.dup2(mfd, at)
os.dup2(os.open("/proc/self/ns/net", os.O_RDONLY), at + 2)
os.dup2(os.open("/proc/self/ns/mnt", os.O_RDONLY), at + 3)
attr = (ctypes.c_uint64 * 1)(1 << 13)  # handles refer only: writes allowed
rs = libc.syscall(444, attr, 8, 0)
assert rs >= 0
os.dup2(rs, at + 4)
PY
}

@test "the second tool of a confinement joins the first one's namespace and ruleset; SBX_SHARE=0 builds its own" {
	run_tool
	[[ "$stderr" == *"$made"* ]] || fail "first: $stderr"
	[[ "$stderr" == *"namespace and ruleset kept by sbx's proxy"* ]] || fail "not given: $stderr"
	run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "second: $stderr"
	[[ "$stderr" == *"landlock: the ruleset of that tool"* ]]
	# taken from the daemon's slot for that key (pidfd_getfd), no request
	[[ "$stderr" == *"the confinement's namespaces taken from sbx's proxy"* ]]
	# another tool name, the same policy: the same confinement
	SBX_DEBUG=1 run -0 --separate-stderr sh -c 'echo 1'
	[[ "$stderr" == *"$joined"* ]] || fail "sh: $stderr"
	SBX_SHARE=0 SBX_DEBUG=1 run -0 --separate-stderr python3 -c 'print(1)'
	[[ "$stderr" == *"$made"* ]] || fail "SBX_SHARE=0: $stderr"
	# asked for (where ptrace is refused, Yama): the same namespace
	SBX_SHARE=ask SBX_DEBUG=1 run -0 --separate-stderr python3 -c 'print(1)'
	[[ "$stderr" == *"$joined"* ]] || fail "SBX_SHARE=ask: $stderr"
	[[ "$stderr" != *"taken from sbx's proxy"* ]] || fail "taken, not asked: $stderr"
	# another confinement (one more writable folder) builds its own
	mkdir -p "$ROOT/extra"
	SBX_WRITABLE=$ROOT/extra SBX_DEBUG=1 run -0 --separate-stderr python3 -c 'print(1)'
	[[ "$stderr" == *"$made"* ]] || fail "another confinement: $stderr"
	# network on: shared too, apart from network off
	SBX_NETWORK=on run_tool
	[[ "$stderr" == *"$made"* ]] || fail "network on, first: $stderr"
	SBX_NETWORK=on run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "network on, second: $stderr"
	SBX_SHARE=ask SBX_NETWORK=on run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "network on, asked: $stderr"
}

@test "a joined sandbox is the same sandbox: writes outside, .git, hidden paths, /dev, the network" {
	mkdir -p "$HOME/.ssh"
	echo key >"$HOME/.ssh/id_ed25519"
	run_tool
	run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	# each of these in a tool that joined
	check() {
		SBX_DEBUG=1 run --separate-stderr python3 -c "$1"
		[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	}
	check 'open("ws-file", "w").write("x"); print("ok")'
	assert_output ok
	check 'open("'"$OUT"'/f", "w")'
	assert_failure
	assert_file_not_exists "$OUT/f"
	check 'open(".git/config", "w")'
	assert_failure
	assert_file_not_exists "$WS/.git/config"
	check 'import os; print(os.listdir("'"$HOME"'/.ssh"))'
	assert_output '[]'
	check 'import os; print(sorted(os.listdir("/dev")))'
	refute_output --partial "'sda'"
	assert_output --partial "'null'"
	check 'import socket; socket.create_connection(("1.1.1.1", 53), timeout=2)'
	assert_failure
	# and the tool's own folder is where the tool was started
	mkdir -p "$WS/sub dir"
	cd "$WS/sub dir"
	check 'import os; print(os.getcwd())'
	assert_output "$WS/sub dir"
}

@test "what the key stands for, changed, builds anew: a new .git, a hidden path made since, a new entry in a sealed folder" {
	rm -rf "$WS/.git"
	run_tool
	run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	# the agent makes .git outside: the next tool may not write it
	git init -q "$WS"
	run_tool
	[[ "$stderr" == *"$made"* ]] || fail "after git init: $stderr"
	run python3 -c 'open(".git/hooks/pre-commit", "w")'
	assert_failure
	assert_file_not_exists "$WS/.git/hooks/pre-commit"
	# .git removed and made again (another inode): protected again
	rm -rf "$WS/.git"
	mkdir -p "$WS/.git/hooks"
	run python3 -c 'open(".git/hooks/pre-commit", "w")'
	assert_failure
	assert_file_not_exists "$WS/.git/hooks/pre-commit"
	# a hidden path made since the namespace was
	run_tool
	mkdir -p "$HOME/.aws"
	echo secret >"$HOME/.aws/credentials"
	run -0 python3 -c 'import os; print(os.listdir("'"$HOME"'/.aws"))'
	assert_output '[]'
	# the same inode linked again under its name (outside): the cover
	# and the read-only bind were on the old name
	echo orig >"$WS/.gitmodules"
	echo s >"$HOME/.netrc"
	run_tool
	run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	ln "$WS/.gitmodules" "$WS/.gm" && rm "$WS/.gitmodules" && mv "$WS/.gm" "$WS/.gitmodules"
	ln "$HOME/.netrc" "$HOME/.n" && rm "$HOME/.netrc" && mv "$HOME/.n" "$HOME/.netrc"
	run python3 -c 'open(".gitmodules", "a").write("x")'
	assert_failure
	run -0 python3 -c 'print(repr(open("'"$HOME"'/.netrc").read()))'
	assert_output "''"
	# renamed away and back (a first tool building meanwhile may have
	# missed it): the next tool builds anew
	run_tool
	mv "$HOME/.aws" "$HOME/.aws.x" && mv "$HOME/.aws.x" "$HOME/.aws"
	run_tool
	[[ "$stderr" == *"$made"* ]] || fail "after a rename away and back: $stderr"
	# a new file in the workspace (sealed folder or not) is writable
	run_tool
	echo x >"$WS/made-outside"
	run -0 python3 -c 'open("made-outside", "a").write("y"); print("ok")'
	assert_output ok
}

@test "a mount made outside since: the namespaces made before it are not handed out again" {
	[ "$(id -u)" = 0 ] || skip "root only: mounting"
	run_tool
	run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	mkdir -p "$OUT/mnt"
	mount -t tmpfs none "$OUT/mnt"
	echo there >"$OUT/mnt/f"
	sleep 0.2
	run_tool
	umount "$OUT/mnt"
	[[ "$stderr" == *"$made"* ]] || fail "after the mount: $stderr"
}

@test "a confined tool cannot give a namespace to sbx's proxy, nor take one" {
	run_tool
	run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	# network on: the host's abstract names are reachable from the
	# tool's network namespace; Landlock's scope and the proxy's look at
	# the peer (no_new_privs, a seccomp filter) each refuse it
	exe=$(stat -L -c %d-%i "$SBX")
	# the daemon of this pid and user namespace
	ino=$(stat -L -c %i /proc/self/ns/pid)-$(stat -L -c %i /proc/self/ns/user)
	SBX_NETWORK=on run -0 python3 -c '
import os, socket, sys
name = "\0sbx-proxy-4-%d-%s-%s" % (os.getuid(), sys.argv[1], sys.argv[2])
for req, fds in ((b"mnt\n" + b"0" * 64 + b"\n", ["/proc/self/ns/mnt", "/proc/self/mounts", "/proc/self/mounts", "/proc/self/ns/user"]),
                 (b"ns\n-\n" + b"0" * 64 + b"\n", [])):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(name)
        socket.send_fds(s, [req], [os.open(f, os.O_RDONLY) for f in fds])
        s.settimeout(3)
        msg, got, _, _ = socket.recv_fds(s, 16, 4)
        print("answer", msg, len(got))
    except OSError as e:
        print("refused", type(e).__name__)' "$ino" "$exe"
	refute_line --partial "answer b'k"
	# nor take the daemon's descriptors (pidfd_getfd: ptrace outside the
	# sandbox, refused by Landlock)
	d=$(sbx_daemon)
	[ -n "${d:-}" ]
	SBX_NETWORK=on run -0 python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = int(sys.argv[1])
try:
    pfd = os.pidfd_open(pid)
except OSError as e:
    print("no pidfd", e.errno); sys.exit()
soft = int([l.split()[3] for l in open("/proc/%d/limits" % pid) if l.startswith("Max open files")][0])
got = 0
for fd in list(range(0, 16)) + list(range(soft - 600, soft)):
    if libc.syscall(438, pfd, fd, 0) >= 0:
        got += 1
print("taken", got)' "$d"
	assert_output --regexp '^(no pidfd|taken 0$)'
}

@test "the proxy keeps only what is what it says: a mount namespace of that user namespace, a Landlock ruleset, a key" {
	# an unconfined process of ours (trusted), giving wrong things; each
	# is answered "e" and kept by nobody. A daemon of this test's own
	# mount namespace (one a root session's tool started has another)
	pkill -u "$(id -u)" -f '^sbx proxy-daemon$' || true
	sleep 0.3
	run_tool
	exe=$(stat -L -c %d-%i "$SBX")
	# the daemon of this pid and user namespace
	ino=$(stat -L -c %i /proc/self/ns/pid)-$(stat -L -c %i /proc/self/ns/user)
	run -0 "$PY" -c '
import os, socket, sys, time
name = "\0sbx-proxy-4-%d-%s-%s" % (os.getuid(), sys.argv[1], sys.argv[2])
key = b"a" * 64
def ask(req, fds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(name)
    socket.send_fds(s, [req], [f if isinstance(f, int) else os.open(f, os.O_RDONLY) for f in fds])
    s.settimeout(5)
    try:
        msg, got, _, _ = socket.recv_fds(s, 16, 4)
    except OSError as e:
        return "closed " + type(e).__name__
    return msg.decode() + str(len(got))
import ctypes
attr = (ctypes.c_uint64 * 1)(1)  # a ruleset that handles execute
rs = ctypes.CDLL(None, use_errno=True).syscall(444, attr, 8, 0)
assert rs >= 0
tmp = [os.open("/tmp", os.O_PATH), os.open("/dev/shm", os.O_PATH)]
mine = ["/proc/self/ns/mnt", rs, "/proc/self/mounts", "/proc/self/ns/user"] + tmp
# the host'"'"'s (the daemon'"'"'s own) mount namespace: a tool that made none
full = lambda k: b"mnt\n" + k + b"\n-\n%.9f\n" % time.monotonic()
print("own", ask(full(key), mine))
# a mounts file where the ruleset goes
print("rules", ask(full(key), ["/proc/self/ns/mnt", "/proc/self/mounts", "/proc/self/mounts", "/proc/self/ns/user"] + tmp))
# a file where the mount namespace goes
print("file", ask(full(key), ["/etc/hostname"] + mine[1:]))
# too few descriptors
print("few", ask(full(key), mine[:2]))
# a bad key
print("key", ask(full(b"xyz"), mine))
print("nskey", ask(b"ns\nxyz\n-\n", []))
print("nsshape", ask(b"ns\n-\n", []))
# and nothing was kept under that key
print("after", ask(b"ns\n-\n" + key + b"\n", []))' "$ino" "$exe"
	assert_line "own e0"
	assert_line "rules e0"
	assert_line "file e0"
	assert_line "few e0"
	assert_line "key e0"
	assert_line "nskey e0"
	assert_line "nsshape e0"
	assert_line "after k0"
}

@test "each joined tool has a devpts of its own: another tool's ptys are not there to read or type into" {
	run_tool
	python3 -c '
import os, select, sys
m, s = os.openpty()
open(sys.argv[1], "w").write(os.ttyname(s))
r, _, _ = select.select([m], [], [], 5)
print(os.read(m, 100) if r else "nothing", file=open(sys.argv[1] + ".got", "w"))' "$WS/pty" 3>&- &
	for _ in $(seq 100); do [ -s "$WS/pty" ] && break; sleep 0.05; done
	[ -s "$WS/pty" ] || fail "no pty"
	SBX_DEBUG=1 run --separate-stderr python3 -c '
import os, sys
print(sorted(os.listdir("/dev/pts")))
try:
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY); os.write(fd, b"injected\n"); print("wrote")
except OSError as e:
    print(type(e).__name__)' "$(cat "$WS/pty")"
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	assert_line "['ptmx']"
	refute_line wrote
	# its own ptys work
	run -0 python3 -c 'import os; m, s = os.openpty(); os.write(s, b"x\n"); print(os.read(m, 10))'
	assert_output --partial "x"
	wait
	run cat "$WS/pty.got"
	refute_output --partial injected
}

ahead='as a copy of its own (a devpts of its own) made ahead'

@test "the daemon makes each joining tool's copy ahead: one copy per tool, and a tool that finds none makes its own" {
	run_tool
	run_tool # a copy taken: the daemon makes all of them (16)
	sleep 2
	local d n=0 ns
	d=$(sbx_daemon)
	[ -n "$d" ] || fail "no daemon"
	# stopped, it makes none: the tools take the ones it made, in turn
	stop_daemon_idle "$d" || fail "the daemon never waits in poll"
	for _ in $(seq 17); do
		SBX_DEBUG=1 run --separate-stderr python3 -c '
import os; print(os.readlink("/proc/self/ns/mnt")); os.open("/dev/pts/ptmx", os.O_RDWR)'
		[ "$status" -eq 0 ] && [[ "$stderr" == *"$joined"* ]] || {
			kill -CONT "$d"
			fail "not joined ($status): $stderr"
		}
		[[ "$stderr" != *"$ahead"* ]] || n=$((n + 1))
		echo "$output" >>"$WS/ns"
	done
	kill -CONT "$d"
	# sixteen made ahead, then one made by the tool itself
	[ "$n" -eq 16 ] || fail "$n made ahead"
	[[ "$stderr" != *"$ahead"* ]] || fail "the last: $stderr"
	ns=$(sort -u "$WS/ns" | wc -l)
	[ "$ns" -eq 17 ] || fail "$ns namespaces for 17 tools: $(sort "$WS/ns" | uniq -c)"
	# and it makes them again
	sleep 1.5
	SBX_DEBUG=1 run -0 --separate-stderr python3 -c pass
	[[ "$stderr" == *"$ahead"* ]] || fail "none made again: $stderr"
}

@test "tools started together never share a copy" {
	run_tool
	run_tool
	sleep 0.5
	for i in $(seq 24); do
		SBX_DEBUG=1 python3 -c '
import os, time; time.sleep(1); print(os.readlink("/proc/self/ns/mnt"))' \
			>"$WS/ns.$i" 2>"$WS/err.$i" &
	done
	wait
	for i in $(seq 24); do
		grep -qF "$joined" "$WS/err.$i" || fail "$i not joined: $(cat "$WS/err.$i")"
	done
	run -0 grep -lF "$ahead" "$WS"/err.*
	[ "${#lines[@]}" -ge 1 ] || fail "none made ahead"
	run -0 sh -c 'cat "$1"/ns.* | sort | uniq -d' sh "$WS"
	[ -z "$output" ] || fail "shared: $output"
	run -0 sh -c 'cat "$1"/ns.* | wc -l' sh "$WS"
	[ "$output" -eq 24 ]
}

@test "root: another user's file made in /tmp after the namespace was kept is covered in the next tool too" {
	[ "$(id -u)" = 0 ] || skip "root only"
	run_tool
	run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	d=$(mktemp -d /tmp/sbx-other.XXXXXX)
	echo secret >"$d/agent"
	chmod 700 "$d" && chmod 600 "$d/agent" && chown -R 1:1 "$d"
	sleep 0.2 # (root's proxy sees it come: inotify)
	SBX_DEBUG=1 run --separate-stderr python3 -c 'import os, sys; os.chmod(sys.argv[1], 0o777); print(open(sys.argv[1] + "/agent").read())' "$d"
	st=$(stat -c %a "$d")
	# built anew: the namespaces kept before it came are not handed out
	[[ "$stderr" == *"$made"* ]] || fail "not built anew: $stderr"
	# root's own files there change nothing
	run_tool
	touch /tmp/sbx-root-own.$$
	sleep 0.2
	run_tool
	rm -f /tmp/sbx-root-own.$$
	[[ "$stderr" == *"$joined"* ]] || fail "root's own file: $stderr"
	run python3 -c 'import os, sys; os.chmod(sys.argv[1], 0o777); print(open(sys.argv[1] + "/agent").read())' "$d"
	rm -rf "$d"
	assert_failure
	refute_output --partial secret
	[ "$st" = 700 ]
}

@test "a kernel without PIDFD_GET_INFO (before 6.13): the pidfd's fdinfo says whose it is" {
	"$PY" -c 'import seccomp' 2>/dev/null || fail "python3-seccomp is needed (apt-get install python3-seccomp)"
	# a daemon of this test's HOME: the shim under fault.py's filter asks
	# for the daemon's record, which is in the HOME the daemon started with
	pkill -u "$(id -u)" -f '^sbx proxy-daemon$' || true
	sleep 0.3
	run_tool
	# _IOWR(0xFF, 11, 64 bytes): refused for the shim and the tool only
	# (musl's ioctl takes an int: the request arrives sign-extended)
	SBX_DEBUG=1 run -0 --separate-stderr "$PY" "$BATS_TEST_DIRNAME/fault.py" \
		'ioctl:a1&0xffffffff==0xc040ff0b=EINVAL' \
		-- python3 -c 'print(1)'
	assert_output 1
	[[ "$stderr" == *"the confinement's namespaces taken from sbx's proxy"* ]] || fail "$stderr"
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
}

@test "root: a daemon started where /dev/shm is another folder keeps no namespace of this one (it could not watch it)" {
	[ "$(id -u)" = 0 ] || skip "root only"
	end_sbx_daemon
	# the daemon starts from a tool whose /dev/shm is a private tmpfs
	# (as /tmp would be; /tmp may hold sbx itself)
	unshare -m --propagation private /bin/sh -c \
		'mount -t tmpfs -o mode=1777 priv /dev/shm && exec "$0" -c true' "$SHIMS/sh"
	run_tool
	[[ "$stderr" == *"namespace not given to sbx's proxy"* ]] || fail "given: $stderr"
	run_tool
	[[ "$stderr" == *"$made"* ]] || fail "joined: $stderr"
	# an unprivileged user's file there is covered for each of them
	d=$(mktemp -d /tmp/sbx-other.XXXXXX)
	echo secret >"$d/agent"
	chmod 700 "$d" && chmod 600 "$d/agent" && chown -R 1:1 "$d"
	run python3 -c 'import os, sys; os.chmod(sys.argv[1], 0o777)' "$d"
	st=$(stat -c %a "$d")
	rm -rf "$d"
	# (that daemon goes: the next tests' tools look for one of these)
	end_sbx_daemon
	assert_failure
	[ "$st" = 700 ]
}

@test "root: the daemon's look socket held by a process that is not ours is passed over, even with a confinement's descriptors at its slot" {
	# A tool with the network on could bind the name first (abstract
	# names have no owner). Were it trusted, a shim would join the host's
	# namespaces it holds, with a ruleset that lets everything be written.
	[ "$(id -u)" = 0 ] || skip "root only: a user's shim cannot join the host's namespaces anyway"
	run_tool
	run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	d=$(sbx_daemon)
	key=$(for f in /proc/"$d"/fd/*; do readlink "$f"; done |
		sed -n 's|^/memfd:sbx-\([0-9a-f]\{64\}\) (deleted)$|\1|p' | head -n 1)
	[ -n "$key" ] || fail "no kept key in the daemon"
	# gone (its record names it no more)
	end_sbx_daemon
	sleep 0.3
	name="sbx-proxy-4-0-$(stat -L -c %i /proc/self/ns/pid)-$(stat -L -c %i /proc/self/ns/user)-$(stat -L -c %d-%i "$SBX")-look"
	"$PY" -c '
import ctypes, os, resource, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
key, name, ready = sys.argv[1:4]
libc.prctl(38, 1, 0, 0, 0)  # no_new_privs: more confined than a shim
'"$(slot_holder)"'
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("\0" + name)
s.listen(128)
open(ready, "w").close()
time.sleep(120)  # never accepts' "$key" "$name" "$OUT/ready" 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	for _ in $(seq 100); do [ -e "$OUT/ready" ] && break; sleep 0.05; done
	SBX_DEBUG=1 run --separate-stderr python3 -c 'open("'"$OUT"'/f", "w"); print("written")'
	refute_output written
	assert_file_not_exists "$OUT/f"
	# the shim did knock there (one connection waits in its backlog)
	[ "$(ss -xl | awk -v n="@$name" '$5 == n { print $3 }')" -ge 1 ] || fail "no knock: $(ss -xl | grep sbx-proxy) $stderr"
	stop_servers
	pkill -u 0 -f '^sbx proxy-daemon$' || true
}

@test "root: a daemon record that names another process is not believed, even with a confinement's descriptors at its slot" {
	# A record outlives its daemon; its pid may be another process's by
	# then. The record names the daemon by its pidfd's inode too (pidfs
	# numbers each process once): a process with that pid but another
	# inode is not the daemon.
	[ "$(id -u)" = 0 ] || skip "root only: a user's shim cannot join the host's namespaces anyway"
	# a daemon of this home (its record is here)
	end_sbx_daemon
	run_tool
	run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	d=$(sbx_daemon)
	key=$(for f in /proc/"$d"/fd/*; do readlink "$f"; done |
		sed -n 's|^/memfd:sbx-\([0-9a-f]\{64\}\) (deleted)$|\1|p' | head -n 1)
	[ -n "$key" ] || fail "no kept key in the daemon"
	record=$(ls "$XDG_DATA_HOME"/sbx/sbx-proxy-4-*.id)
	[ -f "$record" ] || fail "no record"
	"$PY" -c '
import ctypes, os, resource, sys, time
libc = ctypes.CDLL(None, use_errno=True)
key, record = sys.argv[1:3]
'"$(slot_holder)"'
with open(record + ".new", "w") as f:
    f.write("1 %d 0 %d\n" % (os.getpid(), base))  # its pid, not its inode
os.rename(record + ".new", record)
time.sleep(120)' "$key" "$record" 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	for _ in $(seq 100); do grep -q "^1 " "$record" 2>/dev/null && break; sleep 0.05; done
	SBX_DEBUG=1 run --separate-stderr python3 -c 'open("'"$OUT"'/f", "w"); print("written")'
	refute_output written
	assert_file_not_exists "$OUT/f"
	stop_servers
}

@test "the record's lines of daemons of other namespaces are passed over, and kept by the next daemon" {
	# One record per user and sbx binary, a line per daemon: named
	# without the namespaces, it is shared with a container that shares
	# the home. A line naming a process not there (by pid and pidfs
	# inode) from here is passed over; the shim goes on to the next line,
	# never to the daemon's socket.
	command -v strace >/dev/null || missing_feature "no strace"
	# a daemon of this home (its record is here)
	end_sbx_daemon
	run_tool
	for _ in $(seq 100); do
		record=$(ls "$XDG_DATA_HOME"/sbx/sbx-proxy-4-*.id 2>/dev/null) && break
		sleep 0.05
	done
	[ "$(wc -l <"$record")" = 1 ] || fail "$(cat "$record")"
	# a line first of a daemon of other namespaces: pid 1, not its inode
	{ echo "1 1 0 100 1 2"; cat "$record"; } >"$record.new"
	mv "$record.new" "$record"
	SBX_DEBUG=1 run -0 --separate-stderr strace -f -qq -e trace=connect,pidfd_open \
		-o "$BATS_TEST_TMPDIR/st" python3 -c 'print(1)'
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	grep -q "pidfd_open($(sbx_daemon)," "$BATS_TEST_TMPDIR/st" || fail "$(cat "$BATS_TEST_TMPDIR/st")"
	! grep -q "connect(" "$BATS_TEST_TMPDIR/st" || fail "$(cat "$BATS_TEST_TMPDIR/st")"
	# the next daemon writes its line first and keeps the other one
	end_sbx_daemon
	run_tool
	for _ in $(seq 100); do [ "$(wc -l <"$record")" = 2 ] && break; sleep 0.05; done
	run -0 cat "$record"
	assert_line --index 0 --regexp "^[0-9]+ $(sbx_daemon) "
	assert_line --index 1 "1 1 0 100 1 2"
	# its line lost (other daemons' writes), it writes it again (within
	# 10 s), keeping the other namespace's and not a gone process's of
	# its own pid namespace
	pidns=$(stat -L -c %i /proc/self/ns/pid)
	printf '1 1 0 100 1 2\n5 999999 0 100 %s 3\n' "$pidns" >"$record.new"
	mv "$record.new" "$record"
	for _ in $(seq 130); do grep -q "^[0-9]* $(sbx_daemon) " "$record" && break; sleep 0.1; done
	run -0 cat "$record"
	assert_line --index 0 --regexp "^[0-9]+ $(sbx_daemon) "
	assert_line --index 1 "1 1 0 100 1 2"
	refute_line --partial " 999999 "
}

@test "a tool cannot join a namespace (setns) nor use the new mount API, even handed a kept namespace of the user's" {
	# A user's protect = off tool stays in the user's own user namespace,
	# where the kernel's owner rule gives it every capability over the
	# namespaces sbx keeps: handed one by another tool, it could join it
	# and make a read-only bind writable again (mount_setattr).
	run_tool
	run_tool
	[[ "$stderr" == *"$joined"* ]] || fail "not joined: $stderr"
	d=$(sbx_daemon)
	# a kept user namespace (a user's) or mount namespace (root's)
	kept=
	for f in /proc/"$d"/fd/*; do
		case $(readlink "$f") in user:*) kept=$f ;; esac
	done
	[ -n "$kept" ] || for f in /proc/"$d"/fd/*; do
		case $(readlink "$f") in mnt:*) kept=$f ;; esac
	done
	[ -n "$kept" ] || fail "no kept namespace in the daemon"
	SBX_PROTECT=off run -0 python3 -c '
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def call(*a):
    r = libc.syscall(*a)
    return "ok" if r >= 0 else os.strerror(ctypes.get_errno())
print("setns", call(308, 5, 0))
print("open_tree", call(428, -100, b"/", 0))
print("mount_setattr", call(442, -100, b"/", 0, None, 0))
print("fsopen", call(430, b"tmpfs", 0))' 5<"$kept"
	assert_line "setns Operation not permitted"
	assert_line "open_tree Function not implemented"
	assert_line "mount_setattr Function not implemented"
	assert_line "fsopen Function not implemented"
}

@test "a shim under another sandbox's no_new_privs and filter trusts no tool that holds the daemon's name, and its own daemon still serves it" {
	# A tool sbx confined from a plain shell counts as many no_new_privs
	# and seccomp filters as such a shim: the daemon's record decides.
	pkill -u "$(id -u)" -f '^sbx proxy-daemon$' || true
	sleep 0.3
	# the outer sandbox: no_new_privs and a filter that allows everything
	cat >"$OUT/outer.py" <<'PY'
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(38, 1, 0, 0, 0) == 0
buf = ctypes.create_string_buffer(struct.pack("HBBI", 0x06, 0, 0, 0x7fff0000))
class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
assert libc.prctl(22, 2, ctypes.byref(Prog(1, ctypes.addressof(buf))), 0, 0) == 0
os.execvp(sys.argv[1], sys.argv[1:])
PY
	# the attacker: holds the daemon's name, answers with its own
	# namespaces and a ruleset that lets everything be written
	cat >"$OUT/squat.py" <<'PY'
import array, ctypes, os, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
rs = libc.syscall(444, (ctypes.c_uint64 * 1)(1 << 13), 8, 0)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("\0" + sys.argv[1])
s.listen(16)
open(sys.argv[2], "w").close()
s.settimeout(1)
end = time.time() + 30
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    if c.recv(4096).startswith(b"ns\n"):
        fds, what = [os.open("/proc/self/ns/mnt", os.O_RDONLY), rs], b"kml"
        if os.getuid():
            fds, what = [os.open("/proc/self/ns/user", os.O_RDONLY)] + fds, b"kuml"
        else:
            fds, what = [os.open("/proc/self/ns/net", os.O_RDONLY)] + fds, b"knml"
        c.sendmsg([what], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    c.close()
PY
	name="sbx-proxy-4-$(id -u)-$(stat -L -c %i /proc/self/ns/pid)-$(stat -L -c %i /proc/self/ns/user)-$(stat -L -c %d-%i "$SBX")"
	# (SBX_SHARE=0: this tool starts no daemon of its own first)
	SBX_SHARE=0 SBX_NETWORK=on python3 "$OUT/squat.py" "$name" "$WS/ready" 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	for _ in $(seq 100); do [ -e "$WS/ready" ] && break; sleep 0.05; done
	[ -e "$WS/ready" ] || fail "the squatter did not start"
	SBX_DEBUG=1 run --separate-stderr "$PY" "$OUT/outer.py" python3 -c 'open("'"$OUT"'/f", "w"); print("written")'
	refute_output written
	assert_file_not_exists "$OUT/f"
	[[ "$stderr" != *"$joined"* ]] || fail "joined the squatter's: $stderr"
	stop_servers
	sleep 1.2 # (the squatter's socket closes with it)
	# its own daemon (started under that sandbox, recorded) serves it
	SBX_DEBUG=1 run -0 --separate-stderr "$PY" "$OUT/outer.py" python3 -c 'print(1)'
	SBX_DEBUG=1 run -0 --separate-stderr "$PY" "$OUT/outer.py" python3 -c 'print(1)'
	[[ "$stderr" == *"$joined"* ]] || fail "not joined under the outer sandbox: $stderr"
	pkill -u "$(id -u)" -f '^sbx proxy-daemon$' || true
}
