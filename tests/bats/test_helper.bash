# test_helper.bash - a sealed HOME, PATH and workspace for each test.
#
# SBX: the binary under test (default: build/sbx of this tree).
# Strict by default: a test that needs a kernel feature (Landlock, an ABI,
# the mount namespace) the kernel lacks fails; SBX_TEST_STRICT=0 makes it a
# skip. What the kernel offers is asked of the kernel (kernel.py), never of
# sbx: a bug in sbx's detection must fail, not skip. Skips for other reasons
# (root only, a missing package) stay skips.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

: "${SBX:=$BATS_TEST_DIRNAME/../../build/sbx}"
SBX=$(cd "$(dirname "$SBX")" && pwd)/$(basename "$SBX")
export SBX

# Python from Debian: pyenv's shims live under /root, out of a user's reach.
PY=/usr/bin/python3

setup_sealed() {
	# Not under /tmp: /tmp is writable inside every sandbox, so "outside"
	# must live elsewhere to mean anything.
	ROOT=$(mktemp -d /var/tmp/sbx-bats.XXXXXX)
	export HOME=$ROOT/home
	export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share
	export TMPDIR=$BATS_TEST_TMPDIR
	WS=$ROOT/ws
	OUT=$ROOT/out
	SHIMS=$ROOT/shims
	export ROOT WS OUT SHIMS
	mkdir -p "$HOME" "$WS/.git" "$OUT" "$SHIMS" "$ROOT/bin"
	for t in python3 sh bash true env curl nc kill npm npx node pip pip3 make nosuchtool-sbx; do
		ln -s "$SBX" "$SHIMS/$t"
	done
	export PATH=$SHIMS:/usr/local/bin:/usr/bin:/bin
	unset SBX_SANDBOX SBX_NETWORK_DISABLED SBX_PROFILE SBX_NETWORK \
		SBX_WRITABLE SBX_CONFIG SBX_DEBUG SBX_HOP SBX_ALLOW_UNSANDBOXED \
		SBX_PROTECT SBX_SESSION SBX_INTERCEPT SBX_AGENT SBX_SHIM_DIR \
		SBX_USER_BASH_ENV BASH_ENV PROMPT_COMMAND
	# Sealed from the make that runs the suite: a make inside a test
	# would print "Entering directory" with its MAKEFLAGS.
	unset MAKEFLAGS MAKELEVEL MFLAGS
	cd "$WS" || return 1
}

teardown_sealed() {
	cd / || true
	chmod -R u+rwX "$ROOT" 2>/dev/null || true
	rm -rf "$ROOT"
}

setup() { setup_sealed; }
teardown() {
	stop_servers
	teardown_sealed
}

# The kernel's answers (kernel.py), asked once per bats run: kernel_says ARG.
kernel_says() {
	local f=$BATS_RUN_TMPDIR/kernel.$1
	if [ ! -e "$f" ]; then
		{ "$PY" "$BATS_TEST_DIRNAME/kernel.py" "$1"; echo "rc=$?"; } >"$f.$$" 2>&1
		mv -f "$f.$$" "$f"
	fi
	cat "$f"
}

# Fails in strict mode (the default), else skips: missing_feature WHY.
missing_feature() {
	if [ "${SBX_TEST_STRICT:-1}" != 0 ]; then
		fail "$1 (SBX_TEST_STRICT=0 makes this a skip)"
	fi
	skip "$1"
}

landlock_abi() {
	kernel_says landlock | sed -n '1{/^[0-9][0-9]*$/p}'
}

# Needs Landlock enforced by the running kernel.
require_landlock() {
	[ "$(landlock_abi)" -ge 1 ] 2>/dev/null ||
		missing_feature "Landlock is not available on this kernel"
}

require_abi() {
	require_landlock
	if [ "$(landlock_abi)" -lt "$1" ]; then
		if [ -n "${SBX_TEST_ALLOW_OLD_ABI:-}" ]; then
			skip "needs Landlock ABI $1"
		fi
		missing_feature "Landlock ABI $1 needed, kernel has $(landlock_abi)"
	fi
}

# Starts a server outside any sandbox: start_server KIND NAME. KIND is tcp4,
# tcp6, udp4, http or abstract. Sets PORT (or NAME for abstract) once it listens.
start_server() {
	local kind=$1 ready=$BATS_TEST_TMPDIR/server-$1.port
	rm -f "$ready"
	/usr/bin/env -u SBX_SANDBOX "$PY" "$BATS_TEST_DIRNAME/server.py" "$kind" "$ready" "${2:-}" \
		>/dev/null 2>&1 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	for _ in $(seq 100); do
		[ -s "$ready" ] && break
		sleep 0.05
	done
	PORT=$(cat "$ready")
	[ -n "$PORT" ] || fail "server $kind did not start"
}

stop_servers() {
	for p in ${SERVER_PIDS:-}; do kill "$p" 2>/dev/null || true; done
	SERVER_PIDS=
}

# Needs a private mount namespace, as sbx makes it (some distributions
# restrict user namespaces).
require_namespace() {
	local out
	require_landlock
	out=$(kernel_says namespace)
	[ "$out" = rc=0 ] || missing_feature "no mount namespace here: ${out%rc=*}"
}

# The pid of this user's sbx proxy daemon of the sbx under test (the one of
# this user namespace), or nothing: sbx_daemon.
sbx_daemon() {
	local d self
	self=$(readlink -f "$SBX")
	for d in $(pgrep -u "$(id -u)" -f '^sbx proxy-daemon$'); do
		[ "$(readlink "/proc/$d/exe" 2>/dev/null)" = "$self" ] || continue
		[ "$(stat -L -c %i "/proc/$d/ns/user")" = "$(stat -L -c %i /proc/self/ns/user)" ] || continue
		echo "$d"
		return 0
	done
}

# Stops daemon D (SIGSTOP) while it waits in poll, not in the middle of
# anything (a coverage build's daemon writes its counters under a lock a
# stopped daemon would keep, and every sbx process then waits for it):
# stop_daemon_idle D. Undone with kill -CONT.
stop_daemon_idle() {
	local d=$1 sc
	for _ in $(seq 200); do
		kill -STOP "$d" || return 1
		for _ in $(seq 50); do
			[ "$(awk '{ print $3 }' "/proc/$d/stat")" = T ] && break
			sleep 0.01
		done
		read -r sc _ <"/proc/$d/syscall" || sc=
		# poll (7) or ppoll (271), on x86-64
		[ "$sc" = 7 ] || [ "$sc" = 271 ] && return 0
		kill -CONT "$d"
		sleep 0.01
	done
	return 1
}

# Ends the daemon sbx_daemon names, if any, and waits until it is gone (a
# slow build: ASan), so that the next tool starts one: end_sbx_daemon.
end_sbx_daemon() {
	local d
	d=$(sbx_daemon)
	[ -n "$d" ] || return 0
	kill "$d"
	for _ in $(seq 100); do kill -0 "$d" 2>/dev/null || break; sleep 0.05; done
}
