#!/bin/sh
# install.sh - build and install sbx and its shims.
#
#   ./install.sh [--prefix DIR] [--dev] [--uninstall]
#
# PREFIX (from the environment or --prefix) defaults to /usr/local for root
# and ~/.local for a user. As root, missing Debian build packages are
# installed with apt-get; otherwise the script says what to install.
# --dev also installs what the test suite needs (bats, clang, ...; debhelper,
# lintian, apparmor and ruby for the package tests).
#
# Ubuntu 23.10 and later take user namespaces from unconfined programs
# (kernel.apparmor_restrict_unprivileged_userns=1), and sbx then confines
# with Landlock alone (sbx doctor says so). make install writes an AppArmor
# profile that gives them back to PREFIX/bin/sbx, in
# PREFIX/share/sbx/apparmor/; where the kernel has the restriction this
# script prints the two commands (as root) that load it.
set -eu

cd "$(dirname "$0")"

BUILD_DEPS="gcc make pkg-config libmd-dev libseccomp-dev musl-tools"
DEV_DEPS="bats bats-support bats-assert bats-file clang libclang-rt-14-dev \
	clang-tidy cppcheck gcovr python3 python3-venv python3-seccomp python3-yaml \
	netcat-openbsd curl util-linux procps groff man-db shellcheck hyperfine git \
	libpython3.11-testsuite debhelper lintian apparmor ruby strace"

prefix=${PREFIX:-}
dev=0
uninstall=0
while [ $# -gt 0 ]; do
	case $1 in
	--prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }
		prefix=$2; shift ;;
	--prefix=*) prefix=${1#--prefix=} ;;
	--dev) dev=1 ;;
	--uninstall) uninstall=1 ;;
	-h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "install.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "$prefix" ]; then
	if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix=$HOME/.local; fi
fi

if [ "$uninstall" = 1 ]; then
	make uninstall PREFIX="$prefix"
	echo "sbx: removed from $prefix"
	exit 0
fi

missing_packages() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || printf '%s ' "$p"
	done
}

if [ "$(uname -s)" = Linux ] && command -v dpkg-query >/dev/null 2>&1; then
	want=$BUILD_DEPS
	[ "$dev" = 1 ] && want="$want $DEV_DEPS"
	# shellcheck disable=SC2086 # word splitting is wanted here
	missing=$(missing_packages $want)
	# Node.js and npm for the real-tool tests: from Debian, unless a node
	# with its npm is there already (NodeSource's nodejs conflicts with npm).
	if [ "$dev" = 1 ] && ! command -v npm >/dev/null 2>&1; then
		missing="$missing$(missing_packages nodejs npm)"
	fi
	if [ -n "$missing" ]; then
		if [ "$(id -u)" -eq 0 ]; then
			echo "sbx: installing $missing"
			export DEBIAN_FRONTEND=noninteractive
			apt-get update -qq
			# shellcheck disable=SC2086
			apt-get install -y -qq --no-install-recommends $missing >/dev/null
		else
			echo "sbx: missing packages; run: sudo apt-get install $missing" >&2
			exit 1
		fi
	fi
fi

make -j"$(nproc 2>/dev/null || echo 2)"
make install PREFIX="$prefix"

echo "sbx: installed $prefix/bin/sbx and the shims in $prefix/lib/sbx/shims"
echo "sbx: run an agent with its build tools sandboxed:  sbx session -- codex"
echo "sbx: or sandbox the tools of every shell:  eval \"\$(sbx shell-init bash)\""
echo "sbx: check the setup:  sbx doctor"
if [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null)" = 1 ]; then
	# named as make install names it: sbx for /usr/bin, else after the folder
	if [ "$prefix" = /usr ]; then name=sbx; else name=sbx$(printf %s "$prefix/bin" | tr / -); fi
	echo "sbx: AppArmor restricts user namespaces here: without them no protected or hidden paths"
	echo "sbx: allow them for sbx, as root:"
	echo "  cp $prefix/share/sbx/apparmor/$name /etc/apparmor.d/ && apparmor_parser -r /etc/apparmor.d/$name"
fi
case ":$PATH:" in
*":$prefix/bin:"*) ;;
*) echo "sbx: note: $prefix/bin is not on PATH" ;;
esac
