#!/usr/bin/env bats
# The project .sbxrc and its trust model; protected and hidden paths; the
# private read-only view of the filesystem.

load test_helper

setup() {
	setup_sealed
	require_landlock
}

write_rc() {
	printf '%s\n' "$@" >"$WS/.sbxrc"
	chmod 644 "$WS/.sbxrc"
}

@test "an untrusted .sbxrc is ignored with a warning; allowed it works; edited or denied it is ignored again" {
	write_rc "writable = $OUT"
	run --separate-stderr python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/f"
	assert_failure
	assert_equal "${stderr_lines[0]}" "sbx: python3: $WS/.sbxrc is not trusted: ignored; 'sbx allow $WS/.sbxrc' trusts it"
	assert_file_not_exists "$OUT/f"

	run -0 "$SBX" allow
	assert_output "sbx: allowed $WS/.sbxrc"
	run -0 --separate-stderr python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/f"
	assert_equal "$stderr" ""
	assert_file_exists "$OUT/f"

	printf ' ' >>"$WS/.sbxrc" # one byte
	run python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/g"
	assert_failure
	assert_output --partial "is not trusted: ignored"
	assert_file_not_exists "$OUT/g"

	run -0 "$SBX" allow "$WS/.sbxrc"
	run -0 "$SBX" deny
	assert_output "sbx: denied $WS/.sbxrc (2 records removed)"
	run python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/h"
	assert_failure
	assert_file_not_exists "$OUT/h"
}

@test "a trusted .sbxrc is found from a subfolder; its folder is the workspace" {
	rm -rf "$WS/.git"
	mkdir -p "$WS/sub/deeper"
	write_rc "profile = workspace-write" "[python3]" "network = on"
	run -0 "$SBX" allow
	cd "$WS/sub/deeper"
	run -0 "$SBX" explain python3
	assert_line --regexp "^(config:)? +$WS/.sbxrc +\(trusted\)$"
	assert_line --regexp "^workspace: +$WS +\($WS/.sbxrc\)$"
	assert_line --regexp "^network: +on +\($WS/.sbxrc:3\)$"
	run -0 python3 -c 'open("../../top", "w")'
	assert_file_exists "$WS/top"
}

@test "sbx explain shows an untrusted file and that it is ignored" {
	write_rc "network = on"
	run -0 "$SBX" explain
	assert_line --regexp "^(config:)? +$WS/.sbxrc +\(NOT trusted: ignored \(sbx allow\)\)$"
	assert_line --regexp '^network: +off.* \(default\)$'
}

@test "sbx allow refuses a file with errors, a symlink, one writable by others" {
	write_rc "netwrok = on"
	run -1 "$SBX" allow
	assert_output --partial ".sbxrc:1: unknown key \"netwrok\""
	write_rc "network = on"
	chmod 666 "$WS/.sbxrc"
	run -1 "$SBX" allow
	assert_output --partial "is writable by group or others: not allowed"
	run python3 -c 'print("ran")'
	assert_output --partial ".sbxrc is writable by group or others: ignored"
	assert_line ran
	printf 'network = on\n' >"$OUT/real"
	rm "$WS/.sbxrc"
	ln -s "$OUT/real" "$WS/.sbxrc"
	run -1 "$SBX" allow
	assert_output --partial "is a symlink: not allowed"
}

@test "a .sbxrc folder or an unreadable one: a warning, not a crash" {
	mkdir "$WS/.sbxrc"
	run -0 python3 -c 'print("ran")'
	assert_line --partial ".sbxrc is not a regular file: ignored"
	assert_line ran
}

@test "a .sbxrc over 64 KiB stops the tool: 125" {
	head -c 70000 /dev/zero | tr '\0' '#' >"$WS/.sbxrc"
	run -125 python3 -c 'print("ran")'
	assert_output --partial "larger than 64 KiB"
}

@test "a .sbxrc that a sandboxed tool writes is untrusted" {
	run -0 python3 -c 'open(".sbxrc", "w").write("writable = /\n")'
	run python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/f"
	assert_failure
	assert_output --partial "is not trusted"
	assert_file_not_exists "$OUT/f"
}

@test "protected paths: .sbxrc, .git/config, hooks, a gitdir target, .codex stay read-only" {
	require_namespace
	write_rc "profile = workspace-write"
	run -0 "$SBX" allow
	mkdir -p "$WS/.git/hooks" "$WS/.codex" "$WS/src"
	echo '[core]' >"$WS/.git/config"
	echo 'exit 0' >"$WS/.git/hooks/pre-commit"
	echo 'x = 1' >"$WS/.codex/config.toml"
	run -0 python3 - <<'PY'
import os
def denied(what, f):
    try:
        f()
    except OSError as e:
        print("denied", what, e.errno)
        return
    print("ALLOWED", what)
for p in [".sbxrc", ".git/config", ".git/hooks/pre-commit", ".codex/config.toml"]:
    denied("write " + p, lambda: open(p, "a").write("evil"))
    denied("delete " + p, lambda: os.unlink(p))
    denied("rename " + p, lambda: os.rename(p, "moved"))
denied("new hook", lambda: open(".git/hooks/post-checkout", "w"))
denied("replace .git by a symlink", lambda: (os.rename(".git", "g2"), os.symlink("/tmp", ".git")))
denied("replace .sbxrc by a symlink", lambda: os.replace("evil-link", ".sbxrc") if os.symlink("/etc/passwd", "evil-link") is None else None)
denied("rmdir .codex", lambda: os.rmdir(".codex"))
open("sibling", "w").write("ok"); os.makedirs("src", exist_ok=True); open("src/x", "w").write("ok")
print("siblings written")
PY
	refute_output --partial ALLOWED
	assert_line "siblings written"
	run -0 cat "$WS/.git/config" "$WS/.git/hooks/pre-commit" "$WS/.codex/config.toml"
	assert_output $'[core]\nexit 0\nx = 1'
	assert_file_not_exists "$WS/.git/hooks/post-checkout"
}

@test "a gitdir: pointer file protects the git folder it names" {
	require_namespace
	# the workspace is a worktree whose git folder lies inside a writable root
	rm -rf "$WS/.git"
	mkdir -p "$WS/store/wt/hooks"
	echo "gitdir: store/wt" >"$WS/.git"
	echo ref >"$WS/store/wt/HEAD"
	run -0 "$SBX" explain
	assert_line --regexp "^ +$WS/store/wt +\(gitdir of \.git\)$"
	run python3 -c 'open("store/wt/HEAD", "a").write("x")'
	assert_failure
	run python3 -c 'open("store/wt/hooks/pre-commit", "w")'
	assert_failure
	run python3 -c 'open(".git", "w")'
	assert_failure
	run -0 cat "$WS/store/wt/HEAD"
	assert_output ref
	assert_file_not_exists "$WS/store/wt/hooks/pre-commit"
}

@test "readonly = keeps a folder of the workspace read-only" {
	require_namespace
	mkdir -p "$XDG_CONFIG_HOME/sbx" "$WS/secrets"
	printf 'readonly = %s\n' "$WS/secrets" >"$XDG_CONFIG_HOME/sbx/config"
	run python3 -c 'open("secrets/x", "w")'
	assert_failure
	assert_output --partial "Read-only file system"
	run -0 python3 -c 'open("other", "w")'
}

@test "hidden paths: ~/.ssh is not readable; reveal = gives it back; hidden = adds one" {
	require_namespace
	mkdir -p "$HOME/.ssh" "$WS/private"
	echo KEY >"$HOME/.ssh/id_ed25519"
	echo secret >"$HOME/.netrc"
	echo data >"$WS/private/f"
	run python3 -c 'import os; print(os.listdir(os.path.expanduser("~/.ssh"))); print(repr(open(os.path.expanduser("~/.netrc")).read())); open(os.path.expanduser("~/.ssh/id_ed25519"))'
	assert_failure
	assert_line "[]"
	assert_line "''"
	assert_output --partial "FileNotFoundError"
	refute_output --partial KEY
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	printf 'reveal = ~/.ssh\nhidden = %s/private\n' "$WS" >"$XDG_CONFIG_HOME/sbx/config"
	run -0 python3 -c 'import os; print(open(os.path.expanduser("~/.ssh/id_ed25519")).read().strip()); print(os.listdir("private"))'
	assert_output $'KEY\n[]'
}

@test "the ssh and gpg agents are out of reach unless revealed" {
	require_namespace
	mkdir -p "$ROOT/agent"
	"$PY" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$ROOT/agent/ssh.sock"
	export SSH_AUTH_SOCK=$ROOT/agent/ssh.sock GPG_AGENT_INFO=/x:1:1
	run -0 python3 -c 'import os; print(os.environ.get("SSH_AUTH_SOCK"), os.environ.get("GPG_AGENT_INFO"), os.stat(os.path.join(os.path.dirname(__import__("sys").argv[1]), "ssh.sock")).st_mode & 0o170000 == 0o140000)' "$SSH_AUTH_SOCK"
	assert_output "None None False"
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	printf 'reveal = ssh-agent\n' >"$XDG_CONFIG_HOME/sbx/config"
	run -0 python3 -c 'import os; print(os.environ.get("SSH_AUTH_SOCK") is not None)'
	assert_output True
}

@test "a container engine's socket is hidden: no connect" {
	require_namespace
	export XDG_RUNTIME_DIR=$ROOT/run
	mkdir -p "$XDG_RUNTIME_DIR"
	start_server_unix() {
		/usr/bin/env -u SBX_SANDBOX "$PY" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
open(sys.argv[1] + ".ready", "w").close()
while True:
    c, _ = s.accept(); c.close()' "$1" >/dev/null 2>&1 3>&- &
		SERVER_PIDS="${SERVER_PIDS:-} $!"
		for _ in $(seq 100); do [ -e "$1.ready" ] && break; sleep 0.05; done
	}
	start_server_unix "$XDG_RUNTIME_DIR/docker.sock"
	run -0 "$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1]); print("reached")' "$XDG_RUNTIME_DIR/docker.sock"
	run python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$XDG_RUNTIME_DIR/docker.sock"
	assert_failure
	assert_output --partial "ConnectionRefusedError"
}

@test "chmod, chown and touch of a file outside the workspace fail" {
	require_namespace
	echo data >"$OUT/file"
	chmod 644 "$OUT/file"
	run -0 python3 - "$OUT/file" <<'PY'
import os, sys
f = sys.argv[1]
for what, op in [("chmod", lambda: os.chmod(f, 0o777)), ("chown", lambda: os.chown(f, os.getuid(), os.getgid())),
                 ("touch", lambda: os.utime(f, (0, 0))), ("xattr", lambda: os.setxattr(f, "user.x", b"1"))]:
    try:
        op(); print("ALLOWED", what)
    except OSError as e:
        print("denied", what, e.errno)
PY
	refute_output --partial ALLOWED
	run -0 stat -c '%a %Y' "$OUT/file"
	refute_output --regexp '^777 '
	refute_output --regexp ' 0$'
}

@test "sbx's own config and trust records are read-only even inside the workspace" {
	require_namespace
	cd "$HOME"
	mkdir -p "$HOME/.git" "$XDG_CONFIG_HOME/sbx" "$XDG_DATA_HOME/sbx/allow"
	run python3 -c 'import os; open(os.environ["XDG_CONFIG_HOME"] + "/sbx/config", "w")'
	assert_failure
	run python3 -c 'import os; open(os.environ["XDG_DATA_HOME"] + "/sbx/allow/x", "w")'
	assert_failure
	mkdir -p "$HOME/sub"
	run -0 python3 -c 'open("sub/ok", "w")'
	assert_file_exists "$HOME/sub/ok"
}

@test "protect = off: Landlock alone, by choice, without a warning" {
	mkdir -p "$WS/.git"
	echo '[core]' >"$WS/.git/config"
	SBX_PROTECT=off run -0 --separate-stderr python3 -c '
import sys
open(".git/config", "a").write("x")
try:
    open(sys.argv[1], "w"); print("ALLOWED outside")
except PermissionError:
    print("outside denied by Landlock")' "$OUT/x"
	assert_equal "$stderr" ""
	assert_output "outside denied by Landlock"
	SBX_PROTECT=off run -0 "$SBX" explain
	assert_line --partial "protected, hidden paths, chmod: NOT enforced: protect = off"
	assert_line --regexp '^protect: +off +\(SBX_PROTECT\)$'
	SBX_PROTECT=sometimes run -125 python3 -c pass
	assert_output --partial 'SBX_PROTECT: bad protect "sometimes" (best-effort, required or off)'
}

@test "no user namespace: Landlock alone, one warning; protect = required refuses" {
	command -v "$PY" >/dev/null && "$PY" -c 'import seccomp' 2>/dev/null || {
		[ "${SBX_TEST_STRICT:-0}" = 1 ] && fail "python3-seccomp is needed"
		skip "python3-seccomp is not installed"
	}
	mkdir -p "$WS/.git"
	echo '[core]' >"$WS/.git/config"
	run -0 --separate-stderr "$PY" "$BATS_TEST_DIRNAME/fault.py" unshare=EPERM -- python3 -c '
import sys
open("f", "w")
try:
    open(sys.argv[1], "w"); print("ALLOWED outside")
except PermissionError:
    print("outside denied by Landlock")
open(".git/config", "a").write("x"); print("git config written")' "$OUT/x"
	assert_equal "$stderr" "sbx: python3: warning: no user namespace (Operation not permitted): protected and hidden paths are not enforced, only Landlock"
	assert_line "outside denied by Landlock"
	assert_line "git config written"
	SBX_PROTECT=required run -126 --separate-stderr "$PY" "$BATS_TEST_DIRNAME/fault.py" unshare=EPERM -- python3 -c 'print("ran")'
	assert_equal "$stderr" "sbx: python3: cannot sandbox: no user namespace (Operation not permitted), and protect = required (SBX_PROTECT)"
	run -0 "$PY" "$BATS_TEST_DIRNAME/fault.py" unshare=EPERM -- "$SBX" explain
	assert_line --partial "protected, hidden paths, chmod: NOT enforced: no user namespace"
}

@test "a nearer untrusted .sbxrc never displaces the trusted one above it" {
	require_namespace
	# defends: a repository's sub/.sbxrc (untrusted) dropped the trusted
	# file's hidden, readonly and protect = required
	mkdir -p "$WS/secrets" "$WS/sub"
	printf 'readonly = secrets\nprotect = required\n' >"$WS/.sbxrc"
	chmod 644 "$WS/.sbxrc"
	run -0 "$SBX" allow "$WS/.sbxrc"
	printf 'profile = full-access\n' >"$WS/sub/.sbxrc"
	chmod 644 "$WS/sub/.sbxrc"
	cd "$WS/sub"
	run --separate-stderr python3 -c 'open("../secrets/x", "w")'
	assert_failure
	assert_equal "${stderr_lines[0]}" "sbx: python3: $WS/sub/.sbxrc is not trusted: ignored, $WS/.sbxrc is used"
	assert_file_not_exists "$WS/secrets/x"
	run -0 "$SBX" explain
	assert_line --regexp "^protect: +required +\($WS/.sbxrc:2\)$"
	# sbx allow with no file still means the nearest one
	run -0 "$SBX" allow
	assert_output "sbx: allowed $WS/sub/.sbxrc"
}

@test "a byte-identical .sbxrc in another repository is not trusted" {
	# defends: a trust record that ignores the path: a repository copying
	# a file you allowed elsewhere would be trusted with it
	write_rc "writable = $OUT"
	run -0 "$SBX" allow
	mkdir -p "$ROOT/other/.git"
	cp -p "$WS/.sbxrc" "$ROOT/other/.sbxrc"
	cd "$ROOT/other"
	run --separate-stderr python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/f"
	assert_failure
	assert_equal "${stderr_lines[0]}" "sbx: python3: $ROOT/other/.sbxrc is not trusted: ignored; 'sbx allow $ROOT/other/.sbxrc' trusts it"
	assert_file_not_exists "$OUT/f"
}

@test "the .sbxrc walk stops at a folder owned by another user" {
	[ "$(id -u)" = 0 ] || skip "root only: a folder owned by another user"
	# defends: a trusted file above a folder someone else controls (git's
	# safe.directory lesson) applying below it
	rm -rf "$WS/.git"
	write_rc "network = on"
	run -0 "$SBX" allow
	mkdir -p "$WS/theirs/mine"
	chown nobody "$WS/theirs"
	cd "$WS/theirs/mine"
	run -0 "$SBX" explain python3
	assert_line --regexp "^network: +off"
	refute_output --partial "$WS/.sbxrc"
	cd "$WS"
	run -0 "$SBX" explain python3
	assert_line --regexp "^network: +on +\($WS/.sbxrc:1\)$"
}

@test "the .sbxrc walk stops at a filesystem boundary" {
	[ "$(id -u)" = 0 ] || skip "root only: mounts a tmpfs"
	# defends: a trusted file on the filesystem above a mount (a removable
	# disk, a network share) applying to what is mounted below it
	rm -rf "$WS/.git"
	write_rc "network = on"
	run -0 "$SBX" allow
	mkdir -p "$WS/mnt"
	run -0 unshare -m /bin/sh -c 'mount -t tmpfs none "$1" && mkdir "$1/sub" && cd "$1/sub" && "$2" explain python3' sh "$WS/mnt" "$SBX"
	assert_line --regexp "^network: +off"
	refute_output --partial "$WS/.sbxrc"
	run -0 unshare -m /bin/sh -c 'mkdir "$1/sub" && cd "$1/sub" && "$2" explain python3' sh "$WS/mnt" "$SBX"
	assert_line --regexp "^network: +on +\($WS/.sbxrc:1\)$"
}

@test "~/.aws, ~/.gnupg and ~/.config/gcloud are not readable" {
	require_namespace
	# defends: the cloud credentials beside ~/.ssh (checked elsewhere only
	# in the golden Seatbelt profiles)
	mkdir -p "$HOME/.aws" "$HOME/.gnupg" "$HOME/.config/gcloud"
	echo AKIA-SECRET >"$HOME/.aws/credentials"
	echo GPG-SECRET >"$HOME/.gnupg/secring"
	echo GCLOUD-SECRET >"$HOME/.config/gcloud/credentials.db"
	run -0 "$PY" -c 'import os; print(os.listdir(os.path.expanduser("~/.aws")))'
	assert_output "['credentials']"
	run python3 -c '
import os
for d in ("~/.aws", "~/.gnupg", "~/.config/gcloud"):
    print(d, os.listdir(os.path.expanduser(d)))
print(open(os.path.expanduser("~/.aws/credentials")).read())'
	assert_failure
	assert_line "~/.aws []"
	assert_line "~/.gnupg []"
	assert_line "~/.config/gcloud []"
	assert_output --partial FileNotFoundError
	refute_output --partial SECRET
}
