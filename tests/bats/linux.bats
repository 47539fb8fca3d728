#!/usr/bin/env bats
# Linux confinement: network off, IPC, terminals, signals, capabilities.
# Every network test talks only to a server this test starts on 127.0.0.1
# or ::1, and first proves that the same command reaches it from outside.

load test_helper

setup() {
	setup_sealed
	require_landlock
}

@test "reading / works, writing / fails, /dev/null is writable" {
	run -0 python3 -c 'print(len(open("/etc/passwd").read()) > 0)'
	assert_output True
	run python3 -c 'open("/sbx-test-root-file", "w")'
	assert_failure
	assert_file_not_exists /sbx-test-root-file
	run -0 sh -c 'echo x >/dev/null && echo ok'
	assert_output ok
}

@test "no_new_privs is set; a user has no capability, root only a container's safe ones" {
	run -0 python3 -c 'print(open("/proc/self/status").read())'
	assert_line --regexp '^NoNewPrivs:	1$'
	if [ "$(id -u)" = 0 ]; then
		# CHOWN, FOWNER, FSETID: 0x19 (through exec as ambient ones)
		assert_line --regexp '^CapEff:	0+19$'
		assert_line --regexp '^CapPrm:	0+19$'
		assert_line --regexp '^CapInh:	0+19$'
		assert_line --regexp '^CapAmb:	0+19$'
		# no exec gives one back (python3 above was one, as uid 0):
		# securebits NOROOT, NO_SETUID_FIXUP, no ambient raise, locked
		run -0 python3 -c 'import ctypes; print(ctypes.CDLL(None).prctl(27, 0, 0, 0, 0))'
		assert_output 239
		# protect = off: no namespace to hide /run/user, so nothing kept
		SBX_PROTECT=off run -0 python3 -c 'print(open("/proc/self/status").read())'
		assert_line --regexp '^CapEff:	0+$'
		assert_line --regexp '^CapPrm:	0+$'
		SBX_PROTECT=off run -0 python3 -c 'import os; os.execv("/usr/bin/python3", ["python3", "-c", "print(open(\"/proc/self/status\").read())"])'
		assert_line --regexp '^CapPrm:	0+$'
	fi
	assert_line --regexp '^CapEff:	0+$'
	assert_line --regexp '^CapPrm:	0+$'
	assert_line --regexp '^CapInh:	0+$'
	assert_line --regexp '^CapAmb:	0+$'
}

@test "root chowns in the workspace as in a container, never outside; no mknod, no clock" {
	[ "$(id -u)" = 0 ] || skip "root only"
	require_namespace
	touch "$WS/f" "$OUT/g"
	run -0 python3 -c 'import os; os.chown("f", 1, 1); os.chmod("f", 0o755); print(os.stat("f").st_uid)'
	assert_output 1
	run python3 -c 'import os, sys; os.chown(sys.argv[1], 1, 1)' "$OUT/g"
	assert_failure
	assert_output --partial "Read-only file system"
	run -0 stat -c %u "$OUT/g"
	assert_output 0
	run -0 python3 -c 'import os; print(len(os.listdir("/run/user")) if os.path.isdir("/run/user") else 0)'
	assert_output 0
	# another user's private file stays unreadable (no DAC_OVERRIDE), and
	# root cannot become that user (no SETUID)
	mkdir -m 700 "$OUT/priv" && echo secret >"$OUT/priv/f" && chown -R 1:1 "$OUT/priv"
	run python3 -c 'import sys; print(open(sys.argv[1]).read())' "$OUT/priv/f"
	assert_failure
	refute_output --partial secret
	run python3 -c 'import os; os.setuid(1)'
	assert_failure
	run python3 -c 'import os, stat; os.mknod("dev", stat.S_IFCHR | 0o600, os.makedev(1, 3))'
	assert_failure
	assert_file_not_exists "$WS/dev"
	run python3 -c 'import time; time.clock_settime(time.CLOCK_REALTIME, 0)'
	assert_failure
}

@test "network off: a host loopback server is out of reach over TCP (the same connect works outside)" {
	require_namespace
	start_server tcp4
	run -0 "$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1]))).recv(9); print("reached")' "$PORT"
	assert_output reached
	# the tool's 127.0.0.1 is its own: nothing listens there
	run python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1]))); print("reached")' "$PORT"
	assert_failure
	assert_output --partial "ConnectionRefusedError"
	# without the namespace (protect = off): no socket at all
	SBX_PROTECT=off run python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$PORT"
	assert_failure
	assert_output --partial "PermissionError: [Errno 1] Operation not permitted"
}

@test "network off: a UDP datagram never reaches a host loopback server (it does from outside)" {
	require_namespace
	start_server udp4
	got=$BATS_TEST_TMPDIR/server-udp4.port.got
	run -0 python3 -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", int(sys.argv[1]))); print("sent")' "$PORT"
	sleep 0.3
	assert_file_not_exists "$got"
	run -0 "$PY" -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", int(sys.argv[1]))); print("sent")' "$PORT"
	for _ in $(seq 40); do [ -e "$got" ] && break; sleep 0.05; done
	assert_file_exists "$got"
}

@test "network off: IPv6 to a host loopback server fails (it works outside)" {
	require_namespace
	if ! "$PY" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
		skip "no IPv6 loopback on this machine"
	fi
	start_server tcp6
	run -0 "$PY" -c 'import socket, sys; socket.create_connection(("::1", int(sys.argv[1]))); print("reached")' "$PORT"
	run python3 -c 'import socket, sys; socket.create_connection(("::1", int(sys.argv[1])))' "$PORT"
	assert_failure
	assert_output --partial ConnectionRefusedError
}

@test "network off: a private loopback: servers and clients on 127.0.0.1 and ::1 inside one tool, and across make" {
	require_namespace
	cat >lo.py <<'PY'
import socket, sys, threading
for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    s = socket.socket(fam); s.bind((addr, 0)); s.listen(1)
    c = socket.create_connection((addr, s.getsockname()[1]))
    a, _ = s.accept(); a.sendall(b"hi"); print(addr, c.recv(2).decode())
PY
	run -0 python3 lo.py
	assert_output $'127.0.0.1 hi\n::1 hi'
	# make starts a server and a client: both in the tool's namespace
	cat >Makefile <<'MK'
all:
	python3 -u -m http.server 0 --bind 127.0.0.1 >srv.log 2>&1 & echo $$! >srv.pid; \
	for i in $$(seq 400); do grep -q "port" srv.log && break; sleep 0.05; done; \
	port=$$(sed -n 's/.*port \([0-9]*\).*/\1/p' srv.log); \
	python3 -c 'import sys, urllib.request; print(urllib.request.urlopen("http://127.0.0.1:" + sys.argv[1] + "/Makefile").status)' $$port || cat srv.log; \
	kill $$(cat srv.pid)
MK
	run -0 make -s
	assert_output 200
	# an outside address: refused at once, never a hang (python's own
	# timeout is 4 s; the outer one only guards a loaded machine)
	run timeout 30 python3 -c '
import socket
try:
    socket.create_connection(("192.0.2.1", 80), timeout=4)
except OSError as e:
    print(type(e).__name__, e.errno)'
	assert_output "OSError 101"
	run -0 "$SBX" explain
	assert_line --regexp '^network: +off: a private loopback .*\(default\)$'
}

@test "network off: tools of one confinement share their loopback (made once, by sbx's proxy daemon); others and the host do not" {
	require_namespace
	# a server in one tool, left running; its port in srv.port
	cat >srv.py <<'PY'
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open("srv.port", "w").write(str(s.getsockname()[1]))
s.settimeout(20)
try:
    while True: s.accept()[0].close()
except OSError:
    pass
PY
	cat >cli.py <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(open(sys.argv[1]).read())), timeout=5); print("reached")
except OSError as e:
    print(type(e).__name__)
PY
	python3 srv.py 3>&- &
	srv=$!
	for _ in $(seq 100); do [ -s srv.port ] && break; sleep 0.05; done
	[ -s srv.port ] || fail "no server"
	# the same tool again, and another tool with the same confinement
	run -0 python3 cli.py srv.port
	assert_output reached
	SBX_DEBUG=1 run -0 --separate-stderr python3 cli.py srv.port
	assert_output reached
	# (and, the tool being the second of this confinement, its mount
	# namespace too: tests/bats/share.bats)
	[[ "$stderr" == *"joined: the one an earlier tool of this confinement made"* ]]
	SBX_SHARE=0 SBX_DEBUG=1 run -0 --separate-stderr python3 cli.py srv.port
	assert_output reached
	[[ "$stderr" == *"in the network namespace shared by this confinement"* ]]
	# another confinement (one more writable folder): a loopback of its own
	mkdir -p "$ROOT/extra"
	SBX_WRITABLE=$ROOT/extra run -0 python3 cli.py srv.port
	assert_output ConnectionRefusedError
	# one that keeps a secret variable the server's tool does not have
	printf 'reveal = GITHUB_TOKEN\n' >"$ROOT/keeps"
	SBX_CONFIG=$ROOT/keeps GITHUB_TOKEN=x run -0 python3 cli.py srv.port
	assert_output ConnectionRefusedError
	# the host: its own loopback, as before
	run -0 "$PY" cli.py srv.port
	assert_output ConnectionRefusedError
	kill "$srv" 2>/dev/null || true
}

@test "network off: a shared namespace with its loopback down (a daemon of ours gone wrong) is left for one of the tool's own" {
	require_namespace
	[ "$(id -u)" = 0 ] || skip "root only: a daemon in root's name"
	pkill -u 0 -f '^sbx proxy-daemon$' || true
	sleep 0.3
	unshare -n sleep 60 3>&- &
	holder=$!
	SERVER_PIDS="${SERVER_PIDS:-} $holder"
	sleep 0.2
	# the daemon of this pid and user namespace
	ino=$(stat -L -c %i /proc/self/ns/pid)-$(stat -L -c %i /proc/self/ns/user)
	# a daemon of ours, trusted, that answers every "ns" with a namespace
	# whose lo is down
	"$PY" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("\0sbx-proxy-4-0-%s-%s" % (sys.argv[1], sys.argv[4])); s.listen(8)
open(sys.argv[3], "w").close()
ns = os.open("/proc/%s/ns/net" % sys.argv[2], os.O_RDONLY)
while True:
    c = s.accept()[0]
    if c.recv(200).startswith(b"ns\n"):
        socket.send_fds(c, [b"kn"], [ns])
        open(sys.argv[3] + ".asked", "w").close()
    c.close()' "$ino" "$holder" "$WS/fake" "$(stat -L -c %d-%i "$SBX")" 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	for _ in $(seq 100); do [ -e "$WS/fake" ] && break; sleep 0.05; done
	SBX_DEBUG=1 run -0 --separate-stderr python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
socket.create_connection(s.getsockname()); print("own loopback")'
	assert_output "own loopback"
	[ -e "$WS/fake.asked" ] || fail "the fake daemon was not asked"
	[[ "$stderr" == *"has its lo down: left"* ]]
	stop_servers
}

@test "network off: bash /dev/tcp, curl and nc -z fail (each works outside)" {
	start_server http
	run -0 /bin/bash -c "echo x >/dev/tcp/127.0.0.1/$PORT && echo reached"
	run bash -c "echo x >/dev/tcp/127.0.0.1/$PORT && echo reached"
	assert_failure
	refute_output --partial reached
	run -0 /usr/bin/curl -s -o /dev/null "http://127.0.0.1:$PORT/"
	run curl -s -o /dev/null "http://127.0.0.1:$PORT/"
	assert_failure
	run -0 /usr/bin/nc -z 127.0.0.1 "$PORT"
	run nc -z 127.0.0.1 "$PORT"
	assert_failure
}

@test "network off: raw, packet, and other netlink sockets fail; io_uring is off" {
	run -0 python3 - <<'PY'
import ctypes, errno, socket
def refused(what, f):
    try:
        f()
    except PermissionError:
        print("refused", what)
        return
    except OSError as e:
        print("OTHER", what, e)
        return
    print("ALLOWED", what)
refused("raw", lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, 1))
refused("packet", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW))
refused("netlink audit", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9))
refused("unspec", lambda: socket.socket(0, socket.SOCK_STREAM))
refused("vsock", lambda: socket.socket(40, socket.SOCK_STREAM))
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)
r = libc.syscall(425, 8, params)  # io_uring_setup
print("io_uring", r, errno.errorcode.get(ctypes.get_errno()))
PY
	refute_output --partial ALLOWED
	refute_output --partial OTHER
	assert_line "io_uring -1 EPERM"
}

@test "network off: interface queries (netlink route) still answer" {
	run -0 python3 -c 'import socket; print(len(socket.if_nameindex()) > 0)'
	assert_output True
}

@test "network off: AF_UNIX socketpair, server and client work" {
	run -0 python3 - <<'PY'
import os, socket
a, b = socket.socketpair()
a.sendall(b"pair"); print(b.recv(4).decode())
srv = socket.socket(socket.AF_UNIX); srv.bind("sock"); srv.listen(1)
cli = socket.socket(socket.AF_UNIX); cli.connect("sock")
conn, _ = srv.accept(); cli.sendall(b"unix"); print(conn.recv(4).decode())
PY
	assert_line pair
	assert_line unix
}

@test "abstract unix sockets: outside ones are out of reach, the sandbox's own work" {
	require_abi 6
	name=sbx-test-$$-$RANDOM
	start_server abstract "$name"
	run -0 "$PY" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect("\0" + sys.argv[1]); print("reached")' "$name"
	# network off: the tool's network namespace has abstract names of its own
	run python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect("\0" + sys.argv[1])' "$name"
	assert_failure
	assert_output --partial ConnectionRefusedError
	# network on (the host's namespace): Landlock's scope refuses it
	SBX_NETWORK=on run python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect("\0" + sys.argv[1])' "$name"
	assert_failure
	assert_output --partial PermissionError
	run -0 python3 -c '
import os, socket
srv = socket.socket(socket.AF_UNIX); srv.bind("\0inner-'$name'"); srv.listen(1)
if os.fork() == 0:
    c = socket.socket(socket.AF_UNIX); c.connect("\0inner-'$name'"); c.sendall(b"ok"); os._exit(0)
conn, _ = srv.accept(); print(conn.recv(2).decode())'
	assert_output ok
}

@test "network on: the TCP connect succeeds" {
	start_server tcp4
	SBX_NETWORK=on run -0 python3 -c 'import os, socket, sys; print(socket.create_connection(("127.0.0.1", int(sys.argv[1]))).recv(9).decode().strip(), os.environ.get("SBX_NETWORK_DISABLED"))' "$PORT"
	assert_output "hello None"
}

@test "network off: SBX_NETWORK_DISABLED=1 for the tool" {
	run -0 python3 -c 'import os; print(os.environ.get("SBX_NETWORK_DISABLED"))'
	assert_output 1
}

@test "the seed bug: multiprocessing Lock and Process" {
	cp "$BATS_TEST_DIRNAME/../fixtures/seed.py" .
	run -0 python3 seed.py
	assert_output "Lock acquired in child process"
}

@test "multiprocessing: Pool, ProcessPoolExecutor, forkserver and spawn" {
	cat >mp.py <<'PY'
import concurrent.futures, multiprocessing as mp

def sq(x):
    return x * x

if __name__ == "__main__":
    with mp.Pool(2) as p:
        print("pool", sum(p.map(sq, range(10))))
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        print("executor", sum(ex.map(sq, range(10))))
    for method in ("forkserver", "spawn"):
        ctx = mp.get_context(method)
        with ctx.Pool(2) as p:
            print(method, sum(p.map(sq, range(10))))
        q = ctx.Queue(); l = ctx.Lock()
        pr = ctx.Process(target=q.put, args=(method,)); pr.start(); pr.join()
        print(q.get(), "queue")
PY
	run -0 python3 mp.py
	assert_line "pool 285"
	assert_line "executor 285"
	assert_line "forkserver 285"
	assert_line "spawn 285"
	assert_line "forkserver queue"
	assert_line "spawn queue"
}

@test "a pty: termios, raw mode and a new pty work inside" {
	run -0 script -qec "python3 -c '
import os, pty, sys, termios, tty
fd = sys.stdin.fileno()
old = termios.tcgetattr(fd)
tty.setraw(fd)
termios.tcsetattr(fd, termios.TCSADRAIN, old)
print(\"inherited tty ok\", os.ttyname(fd))
m, s = pty.openpty()
a = termios.tcgetattr(s); tty.setraw(s); termios.tcsetattr(s, termios.TCSANOW, a)
os.write(m, b\"x\\n\"); print(\"new pty ok\", os.read(s, 2))
t = os.open(\"/dev/tty\", os.O_RDWR); a = termios.tcgetattr(t); termios.tcsetattr(t, termios.TCSANOW, a)
n = os.open(os.ttyname(s), os.O_RDWR); termios.tcgetattr(n); print(\"reopened ok\")
'" /dev/null
	# the private /dev shows the tool's terminal as /dev/console (bubblewrap's way)
	assert_line --partial "inherited tty ok /dev/console"
	assert_line --partial "new pty ok b'x\\n'"
	assert_line --partial "reopened ok"
}

@test "leftovers = end: Ctrl-C at the terminal reaches the tool once, and the caller sees SIGINT" {
	require_namespace
	cat >ctrlc.py <<'PY'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.environ["SBX_LEFTOVERS"] = "end"
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while b"ready" not in out:
    out += os.read(fd, 1024)
os.write(fd, b"\x03")
try:
    while True:
        d = os.read(fd, 1024)
        if not d:
            break
        out += d
except OSError:
    pass
_, st = os.waitpid(pid, 0)
print(out.count(b"interrupted"), "status", os.waitstatus_to_exitcode(st))
PY
	run -0 "$PY" ctrlc.py python3 -c '
import signal, sys, time
def stop(*a):
    print("interrupted", flush=True); time.sleep(0.3); sys.exit(5)
signal.signal(signal.SIGINT, stop)
print("ready", flush=True); time.sleep(20)'
	assert_output "1 status 5"
	run -0 "$PY" ctrlc.py bash -c 'echo ready; sleep 20'
	assert_output "0 status -2"
}

@test "terminal injection: TIOCSTI is refused inside (it works outside)" {
	cat >sti.py <<'PY'
import fcntl, os, pty, termios
pid, fd = pty.fork()
if pid == 0:
    try:
        fcntl.ioctl(0, termios.TIOCSTI, b"x")
        os._exit(0)
    except PermissionError:
        os._exit(3)
    except OSError:
        os._exit(4)
_, status = os.waitpid(pid, 0)
print("status", os.waitstatus_to_exitcode(status))
PY
	run -0 "$PY" sti.py
	assert_output "status 0"
	run -0 python3 sti.py
	assert_output "status 3"
}

@test "terminal injection and the keyrings: refused with the network on too (npm, cargo)" {
	# defends: the filter for network-on tools (npm, npx, cargo by default)
	# losing the rules that every filter shares
	cat >inject.py <<'PY'
import ctypes, fcntl, os, pty, sys
def child(call):
    pid, fd = pty.fork()
    if pid == 0:
        try:
            call()
            os._exit(0)
        except PermissionError:
            os._exit(3)
        except OSError:
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(250, 0, -3, 1)  # keyctl(KEYCTL_GET_KEYRING_ID, session, create)
print("TIOCSTI", child(lambda: fcntl.ioctl(0, 0x5412, b"x")),
      "TIOCLINUX", child(lambda: fcntl.ioctl(0, 0x541C, b"\x06\x00")),
      "keyctl", r > 0 or ctypes.get_errno())
PY
	run -0 "$PY" inject.py
	assert_output "TIOCSTI 0 TIOCLINUX 4 keyctl True"
	run -0 python3 inject.py
	assert_output "TIOCSTI 3 TIOCLINUX 3 keyctl 1"
	SBX_NETWORK=on run -0 python3 inject.py
	assert_output "TIOCSTI 3 TIOCLINUX 3 keyctl 1"
}

@test "a system call of a foreign architecture (i386 int 0x80) kills the tool" {
	# defends: a 32-bit system call, which the filter's rules (written for
	# the native numbers) do not check, let through
	[ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
	cat >i386.py <<'PY'
import ctypes, mmap, os
# mov eax, 20 (getpid on i386); int 0x80; ret
code = bytes([0xb8, 0x14, 0, 0, 0, 0xcd, 0x80, 0xc3])
m = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
m.write(code)
f = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))
print("i386 getpid", f() == os.getpid())
PY
	run "$PY" i386.py
	[ "$status" = 0 ] || skip "no 32-bit system calls on this kernel"
	assert_output "i386 getpid True"
	run -159 python3 i386.py
	refute_output --partial "getpid"
	SBX_NETWORK=on run -159 python3 i386.py
	refute_output --partial "getpid"
}

@test "signals: a sandboxed tool cannot kill a process outside, can kill its own child" {
	require_abi 6
	sleep 60 3>&- &
	outside=$!
	run python3 -c 'import os, sys; os.kill(int(sys.argv[1]), 15)' "$outside"
	assert_failure
	assert_output --partial PermissionError
	kill -0 "$outside"
	kill "$outside"
	run -0 python3 -c '
import os, signal, subprocess
p = subprocess.Popen(["sleep", "60"]); p.send_signal(signal.SIGTERM); print(p.wait())'
	assert_output -- -15
}

@test "resource limits: a tool sets its own, never another process's (RLIMIT_CPU would kill it past the signal scoping)" {
	sleep 60 3>&- &
	outside=$!
	for net in off on; do
		SBX_NETWORK=$net run -0 python3 -c '
import os, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256)); print("own", resource.getrlimit(resource.RLIMIT_NOFILE)[0])
print("read", resource.prlimit(int(sys.argv[1]), resource.RLIMIT_CPU)[0] is not None)
try:
    resource.prlimit(int(sys.argv[1]), resource.RLIMIT_CPU, (1, 1)); print("set another")
except PermissionError:
    print("refused")' "$outside"
		assert_output $'own 256\nread True\nrefused'
	done
	sleep 1.5
	kill -0 "$outside"
	kill "$outside"
}

@test "sbx explain states the network and the Landlock features" {
	run -0 "$SBX" explain
	assert_line --regexp '^backend: +landlock ABI [0-9]+'
	assert_line --regexp '^  TCP bind/connect: +denied'
	assert_line --regexp '^network: +off.* \(default\)$'
	SBX_NETWORK=on run -0 "$SBX" explain
	assert_line --regexp '^network: +on +\(SBX_NETWORK\)$'
}

@test "root's tools cannot open another user's files in the shared temp folders" {
	[ "$(id -u)" = 0 ] || skip "root only"
	require_namespace
	# defends: with CAP_FOWNER, root chmod-ed another user's /tmp/ssh-*
	# folder and reached the agent socket in it
	d=$(mktemp -d /tmp/sbx-other.XXXXXX)
	echo secret >"$d/agent"
	chmod 700 "$d" && chmod 600 "$d/agent" && chown -R 1:1 "$d"
	run python3 -c 'import os, sys; os.chmod(sys.argv[1], 0o777); print(open(sys.argv[1] + "/agent").read())' "$d"
	st=$(stat -c %a "$d")
	rm -rf "$d"
	assert_failure
	refute_output --partial secret
	[ "$st" = 700 ]
}
