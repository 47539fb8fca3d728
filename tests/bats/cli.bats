#!/usr/bin/env bats
# The sbx command line.

load test_helper

@test "sbx --help and --version exit 0" {
	run -0 "$SBX" --help
	assert_line --partial "usage: sbx run"
	run -0 "$SBX" --version
	assert_line --index 0 --regexp '^sbx [0-9]+\.[0-9]+\.[0-9]+ \(landlock backend, (musl|glibc)\)$'
	# and what it finds here: the Landlock ABI and the user namespaces
	assert_line --index 1 --regexp '^landlock (ABI [0-9]+, seccomp, capabilities dropped; user namespaces: (yes|no \(.+\))|: NOT AVAILABLE .*)$'
	assert_equal "${#lines[@]}" 2
}

@test "usage errors exit 2" {
	run -2 "$SBX"
	run -2 "$SBX" bogus
	assert_output --partial 'unknown command "bogus"'
	run -2 "$SBX" run
	run -2 "$SBX" run --bogus true
	run -2 "$SBX" explain a b
}

@test "sbx run confines any command, with -w and -p" {
	require_landlock
	run "$SBX" run sh -c "echo x > '$OUT/f'"
	assert_failure
	assert_file_not_exists "$OUT/f"
	run -0 "$SBX" run -w "$OUT" sh -c "echo x > '$OUT/f'"
	assert_file_exists "$OUT/f"
	run "$SBX" run -p read-only -- sh -c 'echo x > ws-file'
	assert_failure
	assert_file_not_exists "$WS/ws-file"
	run -125 "$SBX" run -p bogus true
	run -127 "$SBX" run no-such-command-sbx
	run -127 "$SBX" run ./no-such-file
	run -7 "$SBX" run sh -c 'exit 7'
}

@test "sbx run takes a path as it is" {
	printf '#!/bin/sh\necho "$0 $*"\n' >"$WS/tool.sh"
	chmod +x "$WS/tool.sh"
	run -0 "$SBX" run ./tool.sh a 'b c'
	assert_output "./tool.sh a b c"
}

@test "sbx explain shows the tool, backend, profile and each root with its source" {
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	printf '# c\nwritable = %s\n' "$OUT" >"$XDG_CONFIG_HOME/sbx/config"
	SBX_WRITABLE=$ROOT/envw run -0 "$SBX" explain python3
	assert_line "tool:       python3 -> /usr/bin/python3"
	assert_line --regexp '^backend: +landlock'
	assert_line --regexp '^profile: +workspace-write +\(default\)$'
	assert_line --regexp "^workspace: +$WS +\(git root\)$"
	assert_line --regexp "^writable: +$WS +\(workspace\)$"
	assert_line --regexp "^ +$OUT +\($XDG_CONFIG_HOME/sbx/config:2\)$"
	assert_line --regexp "^ +$ROOT/envw +\(SBX_WRITABLE\) +\[missing: left out\]$"
	assert_line --regexp '^network: +off.* \(default\)$'
}

@test "sbx explain with a bad config exits 125 and names the line" {
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	printf 'network = sometimes\n' >"$XDG_CONFIG_HOME/sbx/config"
	run -125 "$SBX" explain
	assert_output --partial "config:1: bad network \"sometimes\""
}

@test "the GitHub workflow is valid YAML with a linux, a dist and a macos job (the formula step)" {
	run -0 "$PY" -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
print(sorted(d["jobs"]))
steps = [str(s) for s in d["jobs"]["macos"]["steps"]]
print(any("sandbox-exec" in s or "tests/macos" in s for s in steps))
print(any("brew install --build-from-source" in s for s in steps))' \
		"$BATS_TEST_DIRNAME/../../.github/workflows/ci.yml"
	assert_output $'[\'dist\', \'linux\', \'macos\']\nTrue\nTrue'
}

@test "the man pages render without warnings" {
	for page in sbx.1 sbxrc.5; do
		run -0 --separate-stderr env LC_ALL=C.UTF-8 groff -ww -man -Tutf8 -z "$BATS_TEST_DIRNAME/../../share/man/$page"
		assert_equal "$stderr" ""
	done
	run -0 env LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$BATS_TEST_DIRNAME/../../share/man/sbx.1"
	assert_output --partial "sandbox shims for the build tools"
}

@test "the bash completion loads and completes commands" {
	run -0 bash -c 'source "$1"; COMP_WORDS=(sbx ex); COMP_CWORD=1; _sbx; echo "${COMPREPLY[@]}"' _ \
		"$BATS_TEST_DIRNAME/../../share/completions/sbx.bash"
	assert_output explain
}

@test "every command is in the usage text" {
	run -0 "$SBX" --help
	for c in run explain policy shims shell-init session doctor allow deny; do
		assert_output --partial "sbx $c"
	done
}

@test "sbx explain: the home folder, / and its ancestors are no workspace" {
	for d in "$HOME" / "$(dirname "$HOME")"; do
		cd "$d"
		run -0 "$SBX" explain
		assert_line --regexp '^workspace: +\(none\) +\(none: the current folder (is the home folder|is /|holds the home folder)\)$'
		assert_line --regexp "^note: +no workspace here, so the current folder is not writable; choose one with 'sbx run -w DIR', a trusted .sbxrc, or 'git init'$"
		refute_line --regexp '^writable: +/ '
	done
	cd "$WS"
	run -0 "$SBX" explain
	refute_line --partial 'no workspace here'
	assert_line --regexp "^workspace: +$WS +\(git root\)$"
}

@test "make install honours PREFIX and DESTDIR; make uninstall removes it all" {
	top=$BATS_TEST_DIRNAME/../..
	run -0 /usr/bin/make -s -C "$top" -o "$SBX" install BUILD="$(dirname "$SBX")" DESTDIR="$ROOT/dest" PREFIX=/opt/sbx
	assert_file_executable "$ROOT/dest/opt/sbx/bin/sbx"
	[ "$(readlink "$ROOT/dest/opt/sbx/lib/sbx/shims/npm")" = /opt/sbx/bin/sbx ]
	[ "$(readlink "$ROOT/dest/opt/sbx/lib/sbx/shims/python3")" = /opt/sbx/bin/sbx ]
	assert_file_exists "$ROOT/dest/opt/sbx/share/man/man1/sbx.1"
	assert_file_exists "$ROOT/dest/opt/sbx/share/man/man5/sbxrc.5"
	assert_file_exists "$ROOT/dest/opt/sbx/share/bash-completion/completions/sbx"
	assert_file_exists "$ROOT/dest/opt/sbx/share/zsh/site-functions/_sbx"
	assert_file_exists "$ROOT/dest/opt/sbx/share/fish/vendor_completions.d/sbx.fish"
	run -0 /usr/bin/make -s -C "$top" uninstall DESTDIR="$ROOT/dest" PREFIX=/opt/sbx
	run -0 find "$ROOT/dest" -type f -o -type l
	assert_output ""
}

@test "install.sh: --help, and a bad option is a usage error" {
	run -0 "$BATS_TEST_DIRNAME/../../install.sh" --help
	assert_output --partial "--uninstall"
	run -2 "$BATS_TEST_DIRNAME/../../install.sh" --bogus
	run -2 "$BATS_TEST_DIRNAME/../../install.sh" --prefix
}

@test "sbx doctor names an untrusted or unsafe project config" {
	"$SBX" shims --dir "$ROOT/s" >/dev/null
	printf 'network = on\n' >"$WS/.sbxrc"
	chmod 644 "$WS/.sbxrc"
	SBX_SHIM_DIR=$ROOT/s run "$SBX" doctor
	assert_line --regexp "^warn +$WS/.sbxrc is not trusted: ignored$"
	assert_line --regexp "fix: read it, then sbx allow $WS/.sbxrc$"
	chmod 666 "$WS/.sbxrc"
	SBX_SHIM_DIR=$ROOT/s run "$SBX" doctor
	assert_line --regexp "^warn +$WS/.sbxrc .*: ignored$"
	assert_line --regexp '^(ok|warn) +sbx session '
}

@test "sbx check: a write outside, a protected path, a hidden path, the network; each names the setting and its source" {
	mkdir -p "$XDG_CONFIG_HOME/sbx" "$HOME/.ssh"
	printf '[python3]\nreadonly = %s/secrets\n' "$WS" >"$XDG_CONFIG_HOME/sbx/config"
	# outside every writable root: the line that would allow it, and where
	run -1 "$SBX" check python3 --write "$OUT/report.txt"
	assert_line "write $OUT/report.txt: DENIED"
	assert_line "  why:      $OUT/report.txt lies outside every writable root"
	assert_line "  to allow: writable = $OUT"
	assert_line "  in:       $XDG_CONFIG_HOME/sbx/config, in its [python3] section"
	# inside the workspace: allowed, by the workspace
	run -0 "$SBX" check python3 --write build/x.o
	assert_line "write $WS/build/x.o: allowed"
	assert_line "  source:   workspace"
	# protected: by a config line (remove it), by sbx (.git: writable = .git)
	run -1 "$SBX" check python3 --write "$WS/secrets/key"
	assert_line "  source:   $XDG_CONFIG_HOME/sbx/config:2"
	assert_line "  to allow: remove the line readonly = $WS/secrets"
	run -1 "$SBX" check python3 --write .git/HEAD
	assert_line --regexp '^  why: +.*/\.git is protected \(built-in\): '
	assert_line "  to allow: writable = .git"
	run -1 "$SBX" check python3 --write .git/hooks/pre-commit
	assert_line "  to allow: nothing: sbx keeps it so on purpose"
	# hidden: not even a read; reveal = takes it back
	run -1 "$SBX" check --read "$HOME/.ssh/id_ed25519"
	assert_line "  why:      $HOME/.ssh is hidden: tools cannot even read it"
	assert_line "  to allow: reveal = $HOME/.ssh"
	run -0 "$SBX" check --read /etc/hostname
	run -0 "$SBX" check --exec /usr/bin/env
	# the network: off by default, on for npm by its built-in defaults
	run -1 "$SBX" check python3 --connect pypi.org:443
	assert_line "  to allow: network = on"
	assert_line "  source:   default"
	SBX_NETWORK=on run -0 "$SBX" check python3 --connect pypi.org:443
	assert_line "  source:   SBX_NETWORK"
	run -0 "$SBX" check npm --connect registry.npmjs.org:443
	assert_line --regexp '^  source:   wrappers/defaults:[0-9]+$'
	# --json, for agents: one object, control characters escaped
	run -1 "$SBX" check python3 --json --write "$OUT/a"$'\n'"b"
	assert_output --partial '"allowed": false, "layer": "outside"'
	assert_output --partial '"target": "'"$OUT"'/a\u000ab"'
	"$PY" -c 'import json, sys; json.loads(sys.argv[1])' "$output"
	# the profile decides first: read-only writes nothing, full-access all
	SBX_PROFILE=read-only run -1 "$SBX" check --write x
	assert_line "  to allow: profile = workspace-write"
	SBX_PROFILE=full-access run -0 "$SBX" check --write /etc/x
	assert_line "  why:      profile full-access: no sandbox"
	SBX_PROFILE=full-access run -0 "$SBX" check --connect example.com:443
	# a shell start-up file is never made by a tool, even in a writable root
	SBX_WRITABLE=$HOME run -1 "$SBX" check --write "$HOME/.bashrc"
	assert_line --partial "is protected (shell start-up file)"
	assert_line "  to allow: nothing: sbx keeps it so on purpose"
	# usage errors
	run -2 "$SBX" check python3
	run -2 "$SBX" check --write a --read b
	run -2 "$SBX" check --write ""
}

@test "sbx check answers the same from the Seatbelt build (the same policy)" {
	[ -n "${SBX_SEATBELT:-}" ] || skip "no seatbelt test build"
	run -1 "$SBX_SEATBELT" check python3 --write "$OUT/x"
	assert_line "  to allow: writable = $OUT"
	run -1 "$SBX_SEATBELT" check --read "$HOME/.aws/credentials"
	assert_line "  to allow: reveal = $HOME/.aws"
	# no private loopback on macOS: network off is off
	run -1 "$SBX_SEATBELT" check python3 --connect 127.0.0.1:8000
	assert_line "  why:      network off"
}

@test "sbx explain: a tool not on PATH, full-access's network, the writable paths a profile ignores" {
	run -0 "$SBX" explain no-such-tool-sbx
	assert_line "tool:       no-such-tool-sbx -> NOT FOUND on PATH (exit 127)"
	SBX_PROFILE=full-access run -0 "$SBX" explain
	assert_line --regexp '^network: +on \(full-access\) +\(SBX_PROFILE\)$'
	SBX_PROFILE=read-only SBX_WRITABLE=$OUT run -0 "$SBX" explain
	assert_line --regexp '^writable: +nothing but /dev/null and the terminal$'
	assert_line --regexp "^ignored: +$OUT +\(SBX_WRITABLE\)$"
}

@test "sbx allow, deny and policy: too many arguments, no .sbxrc, a path that is none" {
	run -2 "$SBX" allow a b
	assert_output --partial "allow: too many arguments"
	run -2 "$SBX" deny a b
	assert_output --partial "deny: too many arguments"
	run -2 "$SBX" policy a b
	assert_output --partial "policy: too many arguments"
	mkdir "$WS/plain"
	cd "$WS/plain"
	run -1 "$SBX" allow
	assert_output --partial "no .sbxrc in $WS/plain or above"
	run -1 "$SBX" allow '~nosuchuser/.sbxrc'
	assert_output --partial "~nosuchuser/.sbxrc: ~user is not supported"
	run -0 "$SBX" run -h
	assert_output --partial "usage: sbx run"
}
