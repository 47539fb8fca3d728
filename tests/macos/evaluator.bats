#!/usr/bin/env bats
# The evaluator (tests/sbpl/sbpl.py) against the real /usr/bin/sandbox-exec:
# each probe runs for real under the profile `sbx policy python3` prints,
# and its outcome must be the evaluator's answer. The first run on a Mac
# (the macos job of .github/workflows/ci.yml) checks the evaluator itself.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ "$(uname -s)" = Darwin ] || skip "macOS only"
	: "${SBX:=$BATS_TEST_DIRNAME/../../build/sbx}"
	EVAL=$BATS_TEST_DIRNAME/../sbpl/sbpl.py
	ROOT=$(cd "$(mktemp -d "$HOME/sbx-eval.XXXXXX")" && pwd -P)
	WS=$ROOT/ws OUT=$ROOT/out
	mkdir -p "$WS/.git/hooks" "$WS/sub" "$OUT"
	export TMPDIR=$(cd "${TMPDIR:-/tmp}" && pwd -P)
	unset SBX_SANDBOX SBX_PROFILE SBX_NETWORK SBX_WRITABLE SBX_CONFIG
	cd "$WS"
	"$SBX" policy python3 >"$ROOT/policy"
	PY=/usr/bin/python3
}

teardown() {
	cd /
	[ -n "${ROOT:-}" ] && rm -rf "$ROOT"
}

# probe OP ARG PYTHON: runs PYTHON under the profile (exit 0: allowed) and
# compares with the evaluator's answer for OP ARG.
probe() {
	local want got
	want=$("$PY" "$EVAL" "$ROOT/policy" -q "$1" "$2")
	# the -D parameters, as sbx would pass them
	local -a defs=()
	while IFS= read -r d; do defs+=("$d"); done < <(sed -n 's/^;; \(-D.*\)$/\1/p' "$ROOT/policy")
	if /usr/bin/sandbox-exec -p "$(sed '/^;; parameters$/,$d' "$ROOT/policy")" "${defs[@]}" \
		-- "$PY" -c "$3" "$2" >/dev/null 2>&1; then
		got=allow
	else
		got=deny
	fi
	[ "$got" = "$want" ] || fail "$1 $2: sandbox-exec says $got, sbpl.py says $want"
}

@test "files: writes, renames of a root, protected names in any case" {
	probe file-write-create "$WS/out.o" 'import sys; open(sys.argv[1], "w")'
	probe file-write-create "$OUT/x" 'import sys; open(sys.argv[1], "w")'
	probe file-write-create "$WS/.git/hooks/pre-commit" 'import sys; open(sys.argv[1], "w")'
	probe file-write-create "$WS/.Git" 'import os, sys; os.mkdir(sys.argv[1])'
	probe file-write-unlink "$WS" 'import os, sys; os.rename(sys.argv[1], sys.argv[1] + ".moved")'
	probe file-write-unlink "$WS/sub" 'import os, sys; os.rename(sys.argv[1], sys.argv[1] + "2")'
	probe file-write-data /dev/stderr 'import sys; open(sys.argv[1], "w").write("")'
}

@test "Unix sockets: in the workspace and TMPDIR, not elsewhere" {
	probe network-bind "unix:$TMPDIR/sbx-eval-$$.sock" '
import os, socket, sys
p = sys.argv[1][5:]
s = socket.socket(socket.AF_UNIX); s.bind(p); os.unlink(p)'
	probe network-bind "unix:$OUT/s.sock" '
import socket, sys
socket.socket(socket.AF_UNIX).bind(sys.argv[1][5:])'
}

@test "sysctls and services real tools ask for" {
	for name in hw.ncpu hw.cacheconfig kern.hostname net.routetable.0; do
		probe sysctl-read "$name" '
import ctypes, sys
libc = ctypes.CDLL(None); size = ctypes.c_size_t(0)
sys.exit(0 if libc.sysctlbyname(sys.argv[1].encode(), None, ctypes.byref(size), None, 0) == 0 else 1)'
	done
	probe ipc-posix-shm-write-create /psm_sbxeval 'from multiprocessing import shared_memory as s; m = s.SharedMemory(create=True, size=16); m.close(); m.unlink()'
}
