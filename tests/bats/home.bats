#!/usr/bin/env bats
# No accidental workspace: the home folder, / and their ancestors are no
# workspace, and the shell start-up files and sbx's own folders can never be
# made or changed by a tool, even inside a writable root.

load test_helper

@test "cwd = HOME: ~/.bashrc, a new ~/file and sbx's config are refused, with one line" {
	require_landlock
	echo '# rc' >"$HOME/.bashrc"
	cd "$HOME"
	run --separate-stderr python3 -c '
import os
for f in (".bashrc", "newfile", ".config/sbx/config"):
    try:
        os.makedirs(os.path.dirname(f) or ".", exist_ok=True)
        open(f, "a").write("x")
        print("WROTE", f)
    except OSError as e:
        print("denied", f)'
	assert_success
	assert_output $'denied .bashrc\ndenied newfile\ndenied .config/sbx/config'
	assert_equal "$stderr" "sbx: python3: the current folder is the home folder: no workspace here, so the current folder is not writable; choose one with 'sbx run -w DIR', a trusted .sbxrc, or 'git init'"
	run -0 cat "$HOME/.bashrc"
	assert_output '# rc'
	assert_file_not_exists "$HOME/newfile"
	# temp folders stay writable
	run -0 python3 -c 'import tempfile; tempfile.NamedTemporaryFile(dir="/tmp")'
}

@test "a dotfiles repository at HOME: start-up files stay read-only, even those not made yet" {
	require_namespace
	mkdir -p "$HOME/.git" "$HOME/proj"
	echo '# rc' >"$HOME/.bashrc"
	cd "$HOME"
	run -0 python3 -c '
import os
for f in (".bashrc", ".zshrc", ".profile", ".config/fish/config.fish", ".config/sbx/config", "proj/ok"):
    try:
        os.makedirs(os.path.dirname(f) or ".", exist_ok=True)
        open(f, "a").write("x")
        print("WROTE", f)
    except OSError:
        print("denied", f)'
	assert_output $'denied .bashrc\ndenied .zshrc\ndenied .profile\ndenied .config/fish/config.fish\ndenied .config/sbx/config\nWROTE proj/ok'
	assert_file_not_exists "$HOME/.zshrc"
	assert_file_not_exists "$HOME/.profile"
	assert_dir_not_exists "$HOME/.config"
}

@test "/ and the folders above HOME are no workspace either" {
	require_landlock
	cd /
	run python3 -c 'open("/sbx-test-root-file", "w")'
	assert_failure
	assert_file_not_exists /sbx-test-root-file
	cd "$(dirname "$HOME")"
	run python3 -c 'open("home/sbx-new", "w")'
	assert_failure
	assert_file_not_exists "$HOME/sbx-new"
	# a project folder with no .git still is one
	mkdir -p "$HOME/p"
	cd "$HOME/p"
	run -0 python3 -c 'open("made", "w")'
	assert_file_exists "$HOME/p/made"
}

@test "a home-folder workspace: a user install of sbx and its trust records stay out of reach" {
	require_namespace
	# defends: with ~ writable, a tool replaced ~/.local/bin/sbx and forged a
	# trust record in ~/.local/share/sbx/allow (sealing ~ undid ~/.local's seal)
	mkdir -p "$HOME/.git" "$HOME/.local/bin" "$HOME/.local/lib/sbx/shims" "$HOME/proj"
	cp "$SBX" "$HOME/.local/bin/sbx"
	ln -s "$HOME/.local/bin/sbx" "$HOME/.local/lib/sbx/shims/python3"
	cd "$HOME"
	PATH=$HOME/.local/lib/sbx/shims:/usr/bin:/bin run -0 python3 - <<'PY'
import os
for f in (".local/bin/sbx", ".local/lib/sbx/shims/make", ".local/share/sbx/allow/x", ".bashrc", "proj/ok"):
    try:
        os.makedirs(os.path.dirname(f), exist_ok=True)
        open(f, "a").write("x")
        print("WROTE", f)
    except OSError:
        print("denied", f)
try:
    os.rename(".local/bin/sbx", ".local/bin/sbx.old")
    print("RENAMED")
except OSError:
    print("rename denied")
PY
	assert_output $'denied .local/bin/sbx\ndenied .local/lib/sbx/shims/make\ndenied .local/share/sbx/allow/x\ndenied .bashrc\nWROTE proj/ok\nrename denied'
	# (sbx's proxy daemon, not the tool, may make the folder for its record)
	assert_file_not_exists "$HOME/.local/share/sbx/allow/x"
}
