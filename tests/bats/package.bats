#!/usr/bin/env bats
# Releases and packages: one version, make dist's reproducible tarball, the
# Homebrew formula, the AppArmor profile, and the Debian package built from
# a clean clone, installed in this machine's root, used through its shim and
# purged without a trace.

load test_helper

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VERSION=$(sed -n 's/^VERSION = //p' "$TOP/Makefile")

# Skips unless this tree is a git checkout (CI's unprivileged run gets a
# copy of the files only): not a kernel feature, so not even strict fails.
require_checkout() {
	[ "$(git -C "$TOP" rev-parse --show-toplevel 2>/dev/null)" = "$TOP" ] ||
		skip "not a git checkout"
}

# Skips (or, with SBX_TEST_STRICT=1, fails: CI installs them) without each
# command named.
require_commands() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		if [ "${SBX_TEST_STRICT:-0}" = 1 ]; then
			fail "$c is not installed and SBX_TEST_STRICT=1"
		fi
		skip "$c is not installed"
	done
}

setup() {
	setup_sealed
	# apparmor_parser, and what dpkg runs, live in sbin
	export PATH=$PATH:/usr/sbin:/sbin
}

teardown() {
	if [ -e "$BATS_TEST_TMPDIR/installed" ]; then
		PATH=/usr/bin:/bin:/usr/sbin:/sbin dpkg -P sbx >/dev/null 2>&1 || true
	fi
	teardown_sealed
}

@test "one version: the Makefile's, debian/changelog's, the man pages', CHANGELOG.md's and sbx --version's" {
	[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	run -0 sed -n '1s/^sbx (\([^)]*\)) .*/\1/p' "$TOP/debian/changelog"
	assert_output "$VERSION"
	run -0 grep -c "\"sbx $VERSION\"" "$TOP/share/man/sbx.1" "$TOP/share/man/sbxrc.5"
	assert_output "$TOP/share/man/sbx.1:1
$TOP/share/man/sbxrc.5:1"
	run -0 grep -c "^## $VERSION " "$TOP/CHANGELOG.md"
	run -0 "$SBX" --version
	assert_line --index 0 --partial "sbx $VERSION "
}

@test "make dist twice gives the same bytes: the files git tracks under sbx-VERSION/, with their SHA-256 and formula" {
	require_checkout
	local a=$BATS_TEST_TMPDIR/a b=$BATS_TEST_TMPDIR/b t=sbx-$VERSION.tar.gz
	run -0 make -s -C "$TOP" dist DISTDIR="$a"
	# later, with another umask: nothing of this machine gets in
	run -0 bash -c "umask 077 && make -s -C '$TOP' dist DISTDIR='$b'"
	cmp "$a/$t" "$b/$t"
	(cd "$a" && sha256sum -c --quiet "$t.sha256")
	git -C "$TOP" ls-files | sed "s,^,sbx-$VERSION/," | LC_ALL=C sort >"$BATS_TEST_TMPDIR/want"
	tar -tzf "$a/$t" >"$BATS_TEST_TMPDIR/got"
	run -0 diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# one owner, one time, no write bit for group or others
	run -0 bash -c "tar -tvzf '$a/$t' | awk '{ print \$2, \$4, \$5 }' | sort -u"
	assert_output --regexp '^0/0 [0-9-]+ [0-9:]+$'
	run -0 bash -c "tar -tvzf '$a/$t' | cut -c6,9 | sort -u"
	assert_equal "$output" "--"
	# the formula for this tarball
	run -0 grep -c -e "url \"file://$a/$t\"" -e "sha256 \"$(cut -d' ' -f1 "$a/$t.sha256")\"" \
		"$a/sbx-$VERSION.rb"
	assert_output 2
	if command -v ruby >/dev/null 2>&1; then
		run -0 ruby -c "$a/sbx-$VERSION.rb"
	fi
}

@test "the Homebrew formula is valid Ruby (ruby -c)" {
	command -v ruby >/dev/null 2>&1 || skip "ruby is not installed"
	run -0 ruby -c "$TOP/packaging/homebrew/sbx.rb"
	assert_output "Syntax OK"
	run -0 grep -E 'system "make", "install", "PREFIX=#\{prefix\}"' "$TOP/packaging/homebrew/sbx.rb"
	run -0 grep -F 'shell_output("#{bin}/sbx --version")' "$TOP/packaging/homebrew/sbx.rb"
}

# Parses the AppArmor profile $1 without loading it. AppArmor 3 (Debian 12)
# knows neither ABI 4 nor the userns rule: there, the rest of the profile,
# as ABI 3.
parse_profile() {
	if [ -e /etc/apparmor.d/abi/4.0 ]; then
		apparmor_parser -Q -K -q "$1"
	else
		sed -e 's|<abi/4.0>|<abi/3.0>|' -e '/^[[:space:]]*userns,$/d' "$1" \
			>"$BATS_TEST_TMPDIR/profile"
		apparmor_parser -Q -K -q "$BATS_TEST_TMPDIR/profile"
	fi
}

@test "the AppArmor profile parses (apparmor_parser -Q), gives sbx userns, and make install names it after the folder" {
	require_commands apparmor_parser
	local p=$TOP/packaging/apparmor/sbx b=$BATS_TEST_TMPDIR/b f
	run -0 grep -E '^profile sbx /usr/bin/sbx flags=\(unconfined\) \{$' "$p"
	run -0 grep -E '^[[:space:]]+userns,$' "$p"
	run -0 grep -E '^abi <abi/4\.0>,$' "$p"
	run -0 parse_profile "$p"
	# a source install's profile: its own name and path (make install
	# with the binary under test, never rebuilt: -o)
	mkdir "$b"
	cp "$SBX" "$b/sbx"
	run -0 make -s -C "$TOP" -o "$b/sbx" install BUILD="$b" PREFIX=/opt/sbx \
		DESTDIR="$BATS_TEST_TMPDIR/d"
	f=$BATS_TEST_TMPDIR/d/opt/sbx/share/sbx/apparmor/sbx-opt-sbx-bin
	run -0 grep -E '^profile sbx-opt-sbx-bin /opt/sbx/bin/sbx flags=\(unconfined\) \{$' "$f"
	run -0 grep -F 'include if exists <local/sbx-opt-sbx-bin>' "$f"
	run -0 parse_profile "$f"
}

@test "the Debian package: built from a clean clone, lintian-clean, a tool confined through its shim, purged without a trace" {
	[ "$(id -u)" = 0 ] || skip "root only: dpkg -i into this machine's root"
	require_checkout
	require_commands dpkg-buildpackage dh lintian
	require_landlock
	# one package test at a time on a machine (two checkouts' suites)
	exec 9>/var/lock/sbx-package-test.lock
	flock 9
	if dpkg-query -W -f='${Status}' sbx 2>/dev/null | grep -q 'ok installed'; then
		[ "${SBX_TEST_STRICT:-0}" != 1 ] || fail "the sbx package is installed already"
		skip "the sbx package is installed here: the test would purge it"
	fi
	local pkg=$BATS_TEST_TMPDIR/pkg arch deb local_before=
	arch=$(dpkg --print-architecture)
	deb=$pkg/sbx_${VERSION}_$arch.deb
	[ ! -e /usr/local/bin/sbx ] || local_before=$(sha256sum </usr/local/bin/sbx)

	# The packaging runs outside any sandbox: not through the test's shims.
	export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
	# dpkg-buildpackage writes into the parent folder: pkg/, ours.
	mkdir "$pkg"
	git clone -q "$TOP" "$pkg/sbx"
	# nor with the suite's own make variables: make check-asan's BUILD,
	# CFLAGS and STATIC are in the environment and MAKEFLAGS of all below
	(cd "$pkg/sbx" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS \
		-u CPPFLAGS -u LDFLAGS -u BUILD -u STATIC -u LIBC -u CC -u OS \
		-u WERROR -u SBX_TEST_CFLAGS -u GCOV_PREFIX -u GCOV_ERROR_FILE \
		dpkg-buildpackage -us -uc -b) >"$pkg/build.log" 2>&1 ||
		fail "dpkg-buildpackage failed: $(tail -n 30 "$pkg/build.log")"
	run -0 lintian --allow-root --fail-on error "$pkg/sbx_${VERSION}_$arch.changes"
	refute_output --regexp '^E: '
	run -0 dpkg-deb -f "$deb" Version
	assert_output "$VERSION"

	touch "$BATS_TEST_TMPDIR/installed"
	run -0 dpkg -i "$deb"
	dpkg -L sbx >"$BATS_TEST_TMPDIR/files"
	run -0 /usr/bin/sbx --version
	assert_line --index 0 --partial "sbx $VERSION "
	[ "$(readlink -f /usr/lib/sbx/shims/python3)" = /usr/bin/sbx ]
	# the installed sbx finds its shims and its files under /usr
	run /usr/bin/sbx doctor
	assert_line --regexp '^ok +shim folder /usr/lib/sbx/shims \([0-9]+ shims\)$'
	run -0 /usr/bin/sbx shell-init bash
	assert_output --partial "/usr/lib/sbx/shims"
	run -0 --separate-stderr /usr/bin/env PATH=/usr/lib/sbx/shims:/usr/bin:/bin \
		/usr/bin/sbx session --no-check -- \
		sh -c 'echo "$PATH"; echo "$BASH_ENV"'
	assert_line --index 0 --partial /usr/lib/sbx/shims
	assert_line --index 1 /usr/share/sbx/env.sh
	# the AppArmor profile in /etc only where the kernel restricts user
	# namespaces through AppArmor (Ubuntu's, with AppArmor 4)
	if [ ! -e /proc/sys/kernel/apparmor_restrict_unprivileged_userns ]; then
		assert_file_not_exists /etc/apparmor.d/sbx
	elif [ -e /etc/apparmor.d/abi/4.0 ]; then
		assert_file_exists /etc/apparmor.d/sbx
	fi

	# python3 through the installed shim, on PATH and by its path: confined
	local on_path=(/usr/bin/env PATH=/usr/lib/sbx/shims:/usr/bin:/bin)
	run -0 "${on_path[@]}" python3 -c 'import os; print(os.environ.get("SBX_SANDBOX"))'
	assert_output landlock
	run -0 "${on_path[@]}" python3 -c 'open("inside", "w").write("x")'
	assert_file_exists "$WS/inside"
	run /usr/lib/sbx/shims/python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/f"
	assert_failure
	assert_output --regexp "PermissionError|Read-only file system"
	assert_file_not_exists "$OUT/f"

	run -0 dpkg -P sbx
	rm -f "$BATS_TEST_TMPDIR/installed"
	run dpkg-query -W -f='${Status}' sbx
	refute_output --partial installed
	while read -r f; do
		[ -d "$f" ] && [ ! -L "$f" ] && continue
		[ ! -e "$f" ] && [ ! -L "$f" ] || fail "left behind: $f"
	done <"$BATS_TEST_TMPDIR/files"
	assert_file_not_exists /usr/bin/sbx
	assert_file_not_exists /usr/lib/sbx
	assert_file_not_exists /usr/share/sbx
	assert_file_not_exists /usr/share/doc/sbx
	assert_file_not_exists /etc/apparmor.d/sbx
	run -0 bash -c 'ls /var/cache/apparmor/*/sbx 2>/dev/null | wc -l'
	assert_output 0
	# a source install in /usr/local is not the package's business
	if [ -n "$local_before" ]; then
		[ "$(sha256sum </usr/local/bin/sbx)" = "$local_before" ]
	fi
}
