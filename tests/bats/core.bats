#!/usr/bin/env bats
# The core: shims find the real tool, pass argv, status and signals through,
# and run it under Landlock.

load test_helper

@test "python3 through the shim is the real python3, confined" {
	require_landlock
	run -0 python3 -c 'import os, sys; print(sys.executable); print(os.environ["SBX_SANDBOX"])'
	assert_line --index 0 /usr/bin/python3
	assert_line --index 1 landlock
}

@test "argv passes through unchanged: spaces, quotes, empty, leading dash" {
	run -0 python3 -c 'import sys; print(repr(sys.argv[1:]))' \
		'a b' '"q"' "it's" '' '-x' '--' '$(nope)' 'tab	x'
	assert_output "['a b', '\"q\"', \"it's\", '', '-x', '--', '\$(nope)', 'tab\\tx']"
}

@test "argv[0] is kept as typed and the tool is exec'd by its PATH path" {
	run -0 python3 -c 'print(open("/proc/self/cmdline").read().split("\0")[0])'
	assert_output python3
}

@test "a very long argument passes through" {
	long=$(head -c 100000 /dev/zero | tr '\0' x)
	run -0 python3 -c 'import sys; print(len(sys.argv[1]))' "$long"
	assert_output 100000
}

@test "the exit status passes through" {
	run -7 python3 -c 'raise SystemExit(7)'
	run -0 env true
}

@test "a tool killed by SIGKILL is seen as killed (137)" {
	run -137 bash -c 'python3 -c "import os; os.kill(os.getpid(), 9)"'
}

@test "the shim execs: the tool keeps the shim's pid" {
	run -0 bash -c 'echo $$; exec python3 -c "import os; print(os.getpid())"'
	[ "${lines[0]}" = "${lines[1]}" ]
}

@test "a write inside the workspace works" {
	require_landlock
	run -0 python3 -c 'open("inside.txt", "w").write("hi"); import os; os.makedirs("a/b")'
	assert_file_exists "$WS/inside.txt"
	assert_dir_exists "$WS/a/b"
}

@test "writes outside the workspace fail and create nothing" {
	require_landlock
	run -0 python3 - "$OUT" "$HOME" <<'PY'
import os, sys
out, home = sys.argv[1], sys.argv[2]
def denied(what, f):
    try:
        f()
    except OSError as e:
        # EACCES from Landlock; EROFS, EXDEV from the read-only mount view
        print("denied", what) if e.errno in (1, 13, 18, 30) else print("OTHER", what, e)
        return
    print("ALLOWED", what)
denied("file", lambda: open(out + "/f", "w"))
denied("folder", lambda: os.mkdir(out + "/d"))
denied("home file", lambda: open(home + "/.bashrc", "a"))
open("moved", "w").write("x")
denied("rename out", lambda: os.rename("moved", out + "/moved"))
os.symlink(out + "/via-link", "link")
denied("write through a symlink", lambda: open("link", "w"))
denied("symlink outside", lambda: os.symlink("/etc/passwd", out + "/l"))
denied("hard link outside", lambda: os.link("moved", out + "/hard"))
PY
	refute_output --partial ALLOWED
	refute_output --partial OTHER
	assert_line "denied file"
	assert_line "denied hard link outside"
	run -0 ls -A "$OUT"
	assert_output ""
	assert_file_not_exists "$HOME/.bashrc"
}

@test "truncating a file outside fails" {
	require_abi 3
	echo data >"$OUT/keep"
	run python3 -c 'import os, sys; os.truncate(sys.argv[1], 0)' "$OUT/keep"
	assert_failure
	assert_output --regexp "(PermissionError|Read-only file system)"
	run -0 cat "$OUT/keep"
	assert_output data
}

@test "rename between two folders of the workspace works (refer)" {
	require_abi 2
	mkdir -p d1 d2
	echo x >d1/f
	run -0 python3 -c 'import os; os.rename("d1/f", "d2/f")'
	assert_file_exists "$WS/d2/f"
}

@test "temp folders, /dev/shm and /dev/null are writable" {
	require_landlock
	run -0 python3 -c '
import os, tempfile
with tempfile.NamedTemporaryFile(dir=os.environ["TMPDIR"]) as f: f.write(b"x")
open("/tmp/sbx-bats-'$$'", "w").close(); os.unlink("/tmp/sbx-bats-'$$'")
open("/dev/null", "w").write("x")
import multiprocessing.shared_memory as s; m = s.SharedMemory(create=True, size=10); m.close(); m.unlink()
print("ok")'
	assert_output ok
}

@test "paths with spaces, quotes, parentheses and newlines work as the workspace" {
	require_landlock
	odd="$ROOT/a b \"q\" (p) 'x'
nl"
	mkdir -p "$odd/.git"
	cd "$odd"
	run -0 python3 -c 'open("f", "w").write("x"); print("ok")'
	assert_file_exists "$odd/f"
	run python3 -c 'open("../escaped", "w")'
	assert_failure
	assert_file_not_exists "$ROOT/escaped"
}

@test "read-only profile: nothing is writable, not even the workspace" {
	require_landlock
	SBX_PROFILE=read-only run python3 -c 'open("f", "w")'
	assert_failure
	assert_output --regexp "(PermissionError|Read-only file system)"
	assert_file_not_exists "$WS/f"
	SBX_PROFILE=read-only run -0 --separate-stderr python3 -c 'open("/dev/null", "w").write("x"); print(open("/etc/hostname").read() != "")'
	assert_output True
}

@test "full-access profile: no confinement, SBX_SANDBOX=none" {
	SBX_PROFILE=full-access run -0 python3 -c '
import os, sys
open(sys.argv[1] + "/f", "w").write("x"); print(os.environ["SBX_SANDBOX"])' "$OUT"
	assert_output none
	assert_file_exists "$OUT/f"
}

@test "SBX_WRITABLE and a config's writable = add roots" {
	require_landlock
	mkdir -p "$OUT/a" "$OUT/b"
	SBX_WRITABLE="$OUT/a" run -0 python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/a/f"
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	printf 'writable = %s\n' "$OUT/b" >"$XDG_CONFIG_HOME/sbx/config"
	run -0 python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/b/f"
	run python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/a/g"
	assert_failure
}

@test "a [tool] section applies to that tool only" {
	require_landlock
	mkdir -p "$XDG_CONFIG_HOME/sbx" "$OUT/p"
	printf '[python3]\nwritable = %s\n[make]\nprofile = read-only\n' "$OUT/p" >"$XDG_CONFIG_HOME/sbx/config"
	run -0 python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/p/f"
	run -0 "$SBX" explain make
	assert_line --regexp '^profile: +read-only +\(.*config:4\)$'
}

@test "not on PATH after the shim folder: 127 and one clear line" {
	run -127 --separate-stderr nosuchtool-sbx --flag
	assert_equal "$stderr" "sbx: nosuchtool-sbx: not found on PATH (after the shim folder)"
}

@test "a bad config: 125 and every error with file and line" {
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	printf 'profile = workspace-write\nnetwrok = on\n[]\nprofile = bogus\n' >"$XDG_CONFIG_HOME/sbx/config"
	run -125 --separate-stderr python3 -c 'print("ran")'
	refute_output ran
	cfg=$XDG_CONFIG_HOME/sbx/config
	assert_equal "${stderr_lines[0]}" "sbx: python3: $cfg:2: unknown key \"netwrok\""
	assert_equal "${stderr_lines[1]}" "sbx: python3: $cfg:3: section header with no name"
	assert_equal "${stderr_lines[2]}" "sbx: python3: $cfg:4: bad profile \"bogus\" (read-only, workspace-write or full-access)"
}

@test "an unreadable or folder-typed config: 125, not a crash" {
	mkdir -p "$XDG_CONFIG_HOME/sbx/config"
	run -125 python3 -c 'print("ran")'
	assert_output --partial "config: cannot read: Is a directory"
	SBX_CONFIG=$ROOT/missing run -125 env true
	assert_output --partial "missing: cannot read: No such file"
	head -c 70000 /dev/zero | tr '\0' '#' >"$ROOT/big"
	SBX_CONFIG=$ROOT/big run -125 env true
	assert_output --partial "larger than 64 KiB"
}

@test "bad variables: 125" {
	SBX_PROFILE=bogus run -125 --separate-stderr env true
	assert_equal "$stderr" "sbx: env: SBX_PROFILE: bad profile \"bogus\" (read-only, workspace-write or full-access)"
	SBX_NETWORK=maybe run -125 env true
	SBX_WRITABLE='~nobody/x' run -125 env true
}

@test "shim folder prepended, appended, repeated, through a symlink" {
	ln -s "$SHIMS" "$ROOT/shimlink"
	PATH=/usr/bin:/bin:$SHIMS run -0 python3 -c 'import os; print(os.environ.get("SBX_SANDBOX", "bare"))'
	assert_output bare
	PATH=$SHIMS:$SHIMS:$ROOT/shimlink:/usr/bin:/bin run -0 python3 -c 'import os; print(os.environ["SBX_SANDBOX"], os.environ["PATH"])'
	assert_output "landlock /usr/bin:/bin"
	PATH=$ROOT/shimlink:/usr/bin:/bin run -0 python3 -c 'import os; print(os.environ["SBX_SANDBOX"])'
	assert_output landlock
}

@test "the shim as a script's interpreter, by a relative path, through exec -a" {
	require_landlock
	# a script named as the tool: the kernel runs the shim with the
	# script's name (AT_EXECFN); taken for sbx's own, the shim folder
	# would not be seen as one: the shim would run itself as the tool
	mkdir -p "$ROOT/scripts"
	printf '#!%s/python3\nimport os\nprint("script", os.environ["SBX_SANDBOX"])\n' \
		"$SHIMS" >"$ROOT/scripts/python3"
	chmod +x "$ROOT/scripts/python3"
	for i in 1 2; do # (the second: a policy kept)
		SBX_DEBUG=1 run -0 --separate-stderr "$ROOT/scripts/python3"
		assert_output "script landlock"
		[[ "$stderr" == *"real tool: /usr/bin/python3"* ]]
		[[ "$stderr" != *"real tool: $SHIMS"* ]]
	done
	# an interpreter that is a script itself, with an argument: the
	# kernel passes the first script's name on further along
	printf '#!%s/python3 -E\nimport os\nprint("chain", os.environ["SBX_SANDBOX"])\n' \
		"$SHIMS" >"$ROOT/scripts/inner"
	printf '#!%s/scripts/inner\n' "$ROOT" >"$ROOT/scripts/python3"
	chmod +x "$ROOT/scripts/inner"
	SBX_DEBUG=1 run -0 --separate-stderr "$ROOT/scripts/python3"
	assert_output "chain landlock"
	[[ "$stderr" != *"real tool: $SHIMS"* ]] || fail "$stderr"
	(cd "$ROOT" && exec shims/python3 -c 'import os; print(os.environ["SBX_SANDBOX"])') >"$ROOT/rel"
	assert_equal "$(cat "$ROOT/rel")" landlock
	# argv[0] not the name it was run by (exec -a): the kernel's name
	run -0 bash -c 'exec -a python3 "$SHIMS/python3" -c "import os; print(os.environ[\"SBX_SANDBOX\"])"'
	assert_output landlock
}

@test "empty and relative PATH entries are never searched" {
	cp /bin/true "$WS/python3"
	printf '#!/bin/sh\necho planted\n' >"$WS/python3"
	chmod +x "$WS/python3"
	PATH=$SHIMS::.:/usr/bin run -0 python3 -c 'print("real")'
	assert_output real
}

@test "a venv's python3 through the shim keeps its venv" {
	require_landlock
	run -0 python3 -m venv --without-pip .venv
	PATH=$SHIMS:$WS/.venv/bin:/usr/bin:/bin run -0 python3 -c 'import sys; print(sys.prefix)'
	assert_output "$WS/.venv"
}

@test "python3 running python3 through the shim again works (one layer)" {
	require_landlock
	run -0 python3 -c '
import os, subprocess
env = dict(os.environ, PATH=os.environ["SHIMS"] + ":" + os.environ["PATH"])
print(subprocess.run(["python3", "-c", "import os; print(os.environ[\"SBX_SANDBOX\"])"], env=env, capture_output=True, text=True).stdout.strip())
print(subprocess.run(["python3", "-c", "print(2)"], capture_output=True, text=True).stdout.strip())
open("nested-ok", "w")'
	assert_line --index 0 landlock
	assert_line --index 1 2
	assert_file_exists "$WS/nested-ok"
} 

@test "SBX_SANDBOX=landlock copied into an unconfined environment does not switch sbx off" {
	require_landlock
	SBX_SANDBOX=landlock run python3 -c 'import sys; open(sys.argv[1] + "/f", "w")' "$OUT"
	assert_failure
	assert_file_not_exists "$OUT/f"
}

@test "a wrapper that runs the shim again is stopped: 126, no endless loop" {
	printf '#!/bin/sh\nPATH=%s:$PATH exec python3 "$@"\n' "$SHIMS" >"$ROOT/bin/python3"
	chmod +x "$ROOT/bin/python3"
	PATH=$SHIMS:$ROOT/bin:/usr/bin:/bin run -126 timeout 10 python3 -c pass
	assert_output --partial "exec loop"
}

@test "SBX_HOP with a huge count is past the limit (no overflow), garbage counts as none" {
	# the pid must be the shim's own: /bin/sh exec's it in place
	run -126 /bin/sh -c 'SBX_HOP=$$:9223372036854775807 exec python3 -c pass'
	assert_output --partial "exec loop"
	run -126 /bin/sh -c 'SBX_HOP=$$:8 exec python3 -c pass'
	run -0 /bin/sh -c 'SBX_HOP=$$:7 exec python3 -c "print(1)"'
	run -0 /bin/sh -c 'SBX_HOP=$$:x exec python3 -c "print(1)"'
	run -0 /bin/sh -c 'SBX_HOP=$$:-5 exec python3 -c "print(1)"'
	run -0 /bin/sh -c 'SBX_HOP=1:99 exec python3 -c "print(1)"'
}

@test "SBX_DEBUG=1 traces each decision on stderr" {
	SBX_DEBUG=1 run -0 --separate-stderr python3 -c 'print("x")'
	assert_output x
	[[ "$stderr" == *"sbx: python3: real tool: /usr/bin/python3"* ]]
	[[ "$stderr" == *"shim folder $SHIMS skipped"* ]]
}

@test "a pyenv shim (a bash script) behind the sbx shim works" {
	# pyenv's shims are the case the seed's ~/.pyenv root was for: running
	# the interpreter writes nothing there, so it needs no writable root
	pyenv_shim=${PYENV_ROOT:-/root/.pyenv}/shims/python3
	[ -r "$pyenv_shim" ] || skip "no pyenv on this machine"
	require_landlock
	PATH=$SHIMS:$(dirname "$pyenv_shim"):/usr/bin:/bin run -0 python3 -c 'import os, sys; print(os.environ["SBX_SANDBOX"], "pyenv" in sys.prefix); open("ok", "w")'
	assert_output "landlock True"
	assert_file_exists "$WS/ok"
}
