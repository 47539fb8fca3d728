#!/usr/bin/env bats
# Agent sessions: in `sbx session`, every way an agent starts a tool reaches
# sbx (the real tools are covered in the session's mount namespace), while
# the agent's own process runs unconfined.

load test_helper

setup() {
	setup_sealed
	require_namespace
	FIX=$BATS_TEST_DIRNAME/../fixtures
	# The default tools only: a session covers what its shims stand for.
	STOOLS=$ROOT/lib/sbx/shims
	mkdir -p "$STOOLS"
	"$SBX" shims --dir "$STOOLS" >/dev/null
	export PATH=/usr/local/bin:/usr/bin:/bin
	export CANARY=$OUT/canary SHELL=/bin/bash
	cp "$FIX/probe.py" "$FIX/probe.js" "$FIX/agent.py" "$WS/"
	printf '#!/usr/bin/python3\nexec(open("probe.py").read())\n' >"$WS/full.py"
	printf '#!/usr/bin/env python3\nexec(open("probe.py").read())\n' >"$WS/env.py"
	printf '#!/usr/bin/env node\nrequire("./probe.js")\n' >"$WS/env.js"
	chmod +x "$WS/full.py" "$WS/env.py" "$WS/env.js"
	printf 'X := $(shell python3 probe.py make-shell)\n$(info $(X))\nprobe:\n\tpython3 probe.py make\n' >"$WS/Makefile"
	"$PY" -m venv --without-pip "$WS/.venv"
}

# session [ARGS...]: runs sbx session with the default shims.
session() {
	local rc=0
	"$SBX" session --dir "$STOOLS" --no-check "$@" 2>"$BATS_TEST_TMPDIR/session.err" || rc=$?
	cat "$BATS_TEST_TMPDIR/session.err" >&2
	# sbx's own failures (125-127) are shown in the output too
	[ "$rc" -lt 125 ] || [ "$rc" -gt 127 ] || cat "$BATS_TEST_TMPDIR/session.err"
	return "$rc"
}

@test "a fake agent's commands reach sbx in every way an agent starts a tool" {
	have_node=1
	command -v node >/dev/null || have_node=0
	cmds=(
		'python3 probe.py name'
		'/usr/bin/python3 probe.py full-path'
		'.venv/bin/python probe.py venv'
		'. .venv/bin/activate && python probe.py activate'
		'./full.py shebang-full'
		'./env.py shebang-env'
		'env python3 probe.py env'
		'make -s probe'
		'bash -c "python3 probe.py bash-c"'
		'sh -c "python3 probe.py sh-c"'
		'env -u BASH_ENV bash -lc "python3 probe.py login-no-hook"'
		'PATH=/usr/bin:/bin; python3 probe.py path-reset'
		'nohup python3 probe.py nohup 2>/dev/null'
		'echo xargs | xargs python3 probe.py'
		'/usr/bin/python3 -c "import subprocess; subprocess.run([\"bash\", \"-lc\", \"python3 probe.py subprocess\"])"'
	)
	[ "$have_node" = 1 ] && cmds+=('node probe.js node' './env.js shebang-node' \
		'npx --yes -c "python3 probe.py npx"')
	run -0 --separate-stderr session /usr/bin/python3 agent.py "${cmds[@]}"
	assert_line --index 0 "agent bare"
	for label in name full-path venv activate shebang-full shebang-env env \
		make make-shell bash-c sh-c login-no-hook path-reset nohup xargs \
		subprocess; do
		assert_line "$label landlock denied"
	done
	if [ "$have_node" = 1 ]; then
		assert_line "node landlock denied"
		assert_line "shebang-node landlock denied"
		assert_line "npx landlock denied"
	fi
	refute_output --partial WROTE
	n=$(grep -c ' landlock denied$' <<<"$output")
	[ "$n" = $((${#lines[@]} - 1)) ] || fail "$output"$'\n'"stderr: $stderr"
	run -0 ls -A "$OUT"
	assert_output ""
}

@test "the agent's own process runs unconfined, however it is started" {
	run -0 --separate-stderr session python3 probe.py by-name
	assert_output "by-name bare WROTE"
	run -0 --separate-stderr session /usr/bin/python3 probe.py by-path
	assert_output "by-path bare WROTE"
	run -0 --separate-stderr session ./env.py by-shebang
	assert_output "by-shebang bare WROTE"
	if command -v node >/dev/null; then
		run -0 --separate-stderr session ./env.js by-node
		assert_output "by-node bare WROTE"
	fi
	# through the wrappers that exec in place
	run -0 --separate-stderr session env FOO=1 python3 probe.py by-env
	assert_output "by-env bare WROTE"
	run -0 --separate-stderr session nice -n 1 nohup python3 probe.py by-nice
	assert_output "by-nice bare WROTE"
	# ...but what bash -c execs in its own pid is a tool, not the agent.
	run -0 --separate-stderr session bash -c 'true; python3 probe.py exec'
	assert_output "exec landlock denied"
}

@test "the tool runs by its own path, with argv and the venv unchanged" {
	run -0 --separate-stderr session /usr/bin/python3 agent.py \
		'.venv/bin/python -c "import sys, os; print(sys.prefix == os.path.realpath(\".venv\"), sys.argv[0:1], open(\"/proc/self/cmdline\").read().split(chr(0))[0])"' \
		'python3 -c "import sys; print(sys.executable)"' \
		'python3 -c "import os; print(os.readlink(\"/proc/self/exe\"))"'
	assert_line --index 1 "True ['-c'] .venv/bin/python"
	assert_line --index 2 /usr/bin/python3
	assert_line --index 3 "$(readlink -f /usr/bin/python3)"
}

@test "exit status and signals pass through a covered tool" {
	run -7 --separate-stderr session bash -c 'true; /usr/bin/python3 -c "raise SystemExit(7)"'
	run -0 --separate-stderr session /usr/bin/python3 -c '
import subprocess
r = subprocess.run(["/usr/bin/python3", "-c", "import os; os.kill(os.getpid(), 9)"])
print(r.returncode)'
	assert_output -- -9
}

@test "a venv made inside the session works outside it" {
	run -0 --separate-stderr session /usr/bin/python3 agent.py \
		'python3 -m venv --without-pip inner && inner/bin/python -c "print(42)"'
	assert_output --partial 42
	run -0 "$WS/inner/bin/python" -c 'import sys; print(sys.prefix)'
	assert_output "$WS/inner"
	run -0 cat "$WS/inner/pyvenv.cfg"
	refute_output --partial "/real/"
}

@test "the session says what the tools get, and what would escape" {
	run -0 --separate-stderr "$SBX" session --dir "$STOOLS" -- true
	[[ "$stderr" =~ "sbx: session: tools run workspace-write, network off, workspace $WS; "[0-9]+" real tools covered" ]]
	[[ "$stderr" != *unconfined* ]]
	# Without interception, a login shell that puts a folder of its own
	# first (dash reads no BASH_ENV) is named, with the fix.
	mkdir -p "$ROOT/bin2"
	ln -s /usr/bin/python3 "$ROOT/bin2/python3"
	printf 'PATH=%s:$PATH\n' "$ROOT/bin2" >"$HOME/.profile"
	SHELL=/bin/sh run -0 --separate-stderr "$SBX" session --dir "$STOOLS" --no-intercept -- true
	[[ "$stderr" == *"the PATH layer only"* ]]
	[[ "$stderr" == *"\"/bin/sh -lc\" would run "*"python3 ($ROOT/bin2/python3)"*" unconfined"* ]]
	[[ "$stderr" == *"fix: keep $STOOLS first on PATH"* ]]
}

@test "in a session (a user's too) the tools of a confinement share its namespaces, and the joined one is the same sandbox" {
	# a user's session is a user namespace of its own: sbx's proxy is
	# one per user namespace, so that the namespaces it keeps are ones
	# the session's tools may join
	mkdir -p "$HOME/.ssh"
	echo key >"$HOME/.ssh/id_ed25519"
	# a tool outside first: the proxy of this user namespace is started
	# (a user's session must not be handed that one's namespaces)
	run -0 python3 -c 'print(1)'
	run -0 --separate-stderr session bash -c '
		SBX_DEBUG=1 python3 -c "print(1)" 2>"$OUT/first.err"
		SBX_DEBUG=1 python3 -c "
import os
print(os.listdir(os.path.expanduser(\"~/.ssh\")))
for f in (\".git/config\", os.environ[\"OUT\"] + \"/f\"):
    try:
        open(f, \"w\"); print(\"written\", f)
    except OSError as e:
        print(\"refused\")
" 2>"$OUT/second.err"'
	assert_output $'1\n[]\nrefused\nrefused'
	run cat "$OUT/second.err"
	assert_output --partial "joined: the one an earlier tool of this confinement made"
	assert_file_not_exists "$OUT/f"
}

@test "protect = off and full-access tools leave the session's view too" {
	run --separate-stderr session /usr/bin/python3 agent.py \
		"SBX_PROTECT=off python3 probe.py protect-off" \
		"SBX_PROFILE=full-access python3 probe.py full-access"
	assert_line "protect-off landlock denied"
	assert_line "full-access none WROTE"
}

@test "a #!/usr/bin/env python3 or node agent keeps its network; its tools do not get it" {
	start_server tcp4
	cat >"$WS/net.py" <<'PY'
#!/usr/bin/env python3
import socket, subprocess, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("agent network ok")
r = subprocess.run(["python3", "-c", "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])))", sys.argv[1]], stderr=subprocess.DEVNULL)
print("tool network", "off" if r.returncode else "ON")
PY
	chmod +x "$WS/net.py"
	run -0 --separate-stderr session ./net.py "$PORT"
	assert_output $'agent network ok\ntool network off'
	command -v node >/dev/null || return 0
	cat >"$WS/net.js" <<'JS'
#!/usr/bin/env node
const net = require("net"), cp = require("child_process");
const port = +process.argv[2];
const s = net.connect(port, "127.0.0.1", () => {
  console.log("agent network ok");
  s.destroy();
  const code = 'require("net").connect(+process.argv[1], "127.0.0.1", () => process.exit(0)).on("error", () => process.exit(3))';
  const r = cp.spawnSync("node", ["-e", code, String(port)], { timeout: 10000 });
  console.log("tool network", r.status === 0 ? "ON" : "off");
});
JS
	chmod +x "$WS/net.js"
	run -0 --separate-stderr session ./net.js "$PORT"
	assert_output $'agent network ok\ntool network off'
}

@test "the agent's other programs work as without sbx: git, ssh-keygen, and its own network" {
	command -v git >/dev/null || skip "git is not installed"
	start_server tcp4
	run -0 --separate-stderr session /usr/bin/python3 agent.py \
		'git init -q repo && git -C repo -c user.email=a@b -c user.name=a commit -q --allow-empty -m m && git -C repo log --format=%s' \
		'command -v ssh-keygen >/dev/null && ssh-keygen -q -t ed25519 -N "" -f key && test -s key.pub && echo keygen ok' \
		"bash -c 'exec 3<>/dev/tcp/127.0.0.1/$PORT && echo agent network ok'" \
		"python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $PORT))' 2>/dev/null || echo tool network off"
	assert_line m
	command -v ssh-keygen >/dev/null && assert_line "keygen ok"
	assert_line "agent network ok"
	assert_line "tool network off"
}

@test "no view where none can be made: one line, and the PATH layer still confines" {
	# the session folder cannot be made (its parent is a file)
	touch "$ROOT/file"
	"$SBX" shims --dir "$ROOT/file-shims" >/dev/null
	run -0 --separate-stderr "$SBX" session --dir "$ROOT/file/shims" --no-check -- /usr/bin/true
	[[ "$stderr" == *"sbx: session: no interception here (cannot create $ROOT/file/real: Not a directory): only tools found through the shims on PATH are confined"* ]]
	# the kernel refuses a namespace
	"$PY" -c 'import seccomp' 2>/dev/null || skip "python3-seccomp is needed"
	run -0 --separate-stderr "$PY" "$BATS_TEST_DIRNAME/fault.py" unshare=EPERM -- \
		"$SBX" session --dir "$STOOLS" --no-check -- /usr/bin/python3 agent.py 'python3 probe.py path-layer'
	[[ "$stderr" == *"no interception here (no user namespace (Operation not permitted))"* ]]
	assert_line "path-layer landlock denied"
	# the proxy a tool started there runs under that filter: no outside
	# shim trusts it, and it holds this user namespace's name for a minute
	pkill -u "$(id -u)" -f '^sbx proxy-daemon$' || true
}

@test "sbx run, a nested session and sbx doctor inside a session" {
	run -0 --separate-stderr session /usr/bin/python3 agent.py \
		"$SBX run -n off -- python3 probe.py run" \
		"$SBX session --dir $STOOLS --no-check -- bash -c 'true; python3 probe.py nested'" \
		"$SBX doctor | grep -E '^(ok|warn|FAIL)' | head -3"
	assert_line "run landlock denied"
	assert_line "nested landlock denied"
	assert_line --regexp '^ok +sbx '
}

@test "a PATH folder a tool may write is named at the session's start and by doctor" {
	# defends: an activated .venv/bin on PATH: a tool plants a `git` there
	# that the agent runs next, unconfined
	mkdir -p "$WS/.venv/bin"
	PATH=$WS/.venv/bin:$PATH run -0 --separate-stderr session -- true
	[[ "$stderr" == *"sbx: session: warning: PATH folder $WS/.venv/bin is writable by tools (workspace): a tool can put a program there that runs later, unconfined"* ]]
	SBX_SHIM_DIR=$STOOLS PATH=$WS/.venv/bin:$PATH run "$SBX" doctor
	assert_line --regexp "^warn +PATH folder $WS/.venv/bin is writable by tools \(workspace\)"
}

@test "outside a session its tools keep to their own daemon, though the session's is in the record too" {
	# A session has a daemon of its own (its view's mount namespace; a
	# user's, its user namespace too), with a line in the same record;
	# both are there by their pids from either side. A shim outside that took the session's would find none of its
	# kept policies (its keys are the session's): it must tell them apart.
	# (a daemon of this home: its record is here)
	end_sbx_daemon
	PATH=$SHIMS:$PATH run -0 python3 -c 'print(1)'
	run -0 --separate-stderr session bash -c 'python3 -c "print(1)"; python3 -c "print(2)"'
	assert_output $'1\n2'
	# (a user's: root's session may start one in its view, or not)
	if [ "$(id -u)" != 0 ]; then
		for _ in $(seq 100); do
			[ "$(cat "$XDG_DATA_HOME"/sbx/sbx-proxy-4-*.id 2>/dev/null | wc -l)" -ge 2 ] && break
			sleep 0.05
		done
		[ "$(cat "$XDG_DATA_HOME"/sbx/sbx-proxy-4-*.id | wc -l)" -ge 2 ] ||
			fail "one line: $(cat "$XDG_DATA_HOME"/sbx/sbx-proxy-4-*.id)"
	fi
	for i in 1 2; do
		PATH=$SHIMS:$PATH SBX_DEBUG=1 run -0 --separate-stderr python3 -c 'print(1)'
	done
	[[ "$stderr" == *"policy cache: the policy kept for this tool here, unchanged"* ]] ||
		fail "not kept: $stderr"
}
