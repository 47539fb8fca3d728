#!/usr/bin/env bash
# bench/exec.sh - what the shim costs per exec, beside bubblewrap, in one
# run: every command once per round, in a new order each round, round after
# round (bench/rounds.c;
# this VM's speed swings by 2x between sequential runs), medians.
#
#   bare /usr/bin/true; the floors, a static program that only execs it,
#   built with musl and with glibc (glibc's start-up CPU detection is the
#   difference); the kernel's part of sbx's confinement alone, a static
#   program that drops capabilities, applies a Landlock ruleset and sbx's
#   seccomp filter and execs (floor-confined.c: no lookup, no namespace;
#   compare with protect = off; as root also joining a network and a mount
#   namespace made ahead, as a kept confinement's tool does: compare with
#   the default); /usr/bin/true through the sbx shim: the
#   default (workspace-write, network off: user/mount/network namespaces, Landlock,
#   seccomp; joined, as every tool of a confinement but the first), the same
#   built for each exec (SBX_SHARE=0), read-only, protect = off (Landlock
#   alone), full-access; the same default inside an agent's session (sbx
#   session, whose agent is a `rounds --serve` answering from inside: a
#   user cannot leave a session's view for the outside rows), against a bare
#   true there; and
#   bubblewrap with a comparable sandbox (--ro-bind / / --dev /dev --proc
#   /proc --bind WS WS --unshare-net --unshare-pid). Then python3 -c pass,
#   bare, through the shim and through the confined floors. Each row: the
#   median, what it adds to bare, and that as a share of what bubblewrap
#   adds.
#
#   bench/exec.sh [SBX]      (default: build/sbx; ROUNDS=2000)
#
# Run it as root and as a user (e.g. runuser -u sbx-ci -- bench/exec.sh
# /path/to/sbx): a user's sbx also makes a user namespace. The session's
# interception itself (its covers): bench/session.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sbx=$(realpath "${1:-$here/../build/sbx}")
rounds=${ROUNDS:-2000}

work=$(mktemp -d /var/tmp/sbx-bench.XXXXXX)
# A copy of sbx: a binary of its own has a daemon of its own, started here
# with this HOME (a daemon that a test suite started with another HOME
# would serve these shims the longer way: its record is in that HOME),
# and ended with the bench.
cp "$sbx" "$work/sbx-bin"
sbx=$work/sbx-bin
end_daemon() {
	local p
	for p in $(pgrep -u "$(id -u)" -f '^sbx proxy-daemon$'); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$sbx" ] && kill "$p"
	done
	if [ -n "${floor_ns:-}" ]; then
		umount "$work/ns/net" "$work/ns/mnt" 2>/dev/null || true
		umount -l "$work/ns" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap end_daemon EXIT
mkdir -p "$work/shims" "$work/ws/.git"
cc -O2 -o "$work/rounds" "$here/rounds.c"
cc -O2 -static -o "$work/floor-glibc" "$here/floor.c"
if command -v musl-gcc >/dev/null; then
	musl-gcc -O2 -static -o "$work/floor-musl" "$here/floor.c"
fi
# the kernel's part of the confinement alone (against the build's filter)
gen=$here/../build/gen
if [ -r "$gen/seccomp-bpf.h" ]; then
	if command -v musl-gcc >/dev/null && [ -d "$here/../build/musl-include" ]; then
		musl-gcc -O2 -static -I"$gen" -I"$here/../build/musl-include" \
			-o "$work/floor-confined" "$here/floor-confined.c"
	else
		cc -O2 -static -I"$gen" -o "$work/floor-confined" "$here/floor-confined.c"
	fi
fi
ln -s "$sbx" "$work/shims/true"
ln -s "$sbx" "$work/shims/python3"
ln -s "$sbx" "$work/sbx" # (sbx by name: a copy may be called otherwise)
mkdir -p "$work/lib/sbx/shims"
ln -s "$sbx" "$work/lib/sbx/shims/true"
cp /usr/bin/true "$work/true-copy" # not a tool the session covers
cd "$work/ws"
export PATH=$work/shims:/usr/bin:/bin
unset SBX_SANDBOX SBX_DEBUG SBX_PROFILE SBX_NETWORK SBX_PROTECT SBX_WRITABLE

cmds=(:bare /usr/bin/true --)
[ -x "$work/floor-musl" ] && cmds+=(":floor (musl)" "$work/floor-musl" --)
cmds+=(":floor (glibc)" "$work/floor-glibc" --)
[ -x "$work/floor-confined" ] &&
	cmds+=(":floor, confined" "$work/floor-confined" /usr/bin/true --)
# root: the same, joining a network and a mount namespace made ahead
floor_ns=
if [ -x "$work/floor-confined" ] && [ "$(id -u)" = 0 ] &&
	mkdir "$work/ns" && mount --bind "$work/ns" "$work/ns" &&
	mount --make-private "$work/ns" && touch "$work/ns/net" "$work/ns/mnt" &&
	unshare --net="$work/ns/net" --mount="$work/ns/mnt" true; then
	floor_ns=$work/ns
	cmds+=(":floor, confined, joined" SBX_FLOOR_NS="$floor_ns"
		"$work/floor-confined" /usr/bin/true --)
fi
cmds+=(
	":sbx" "$work/shims/true" --
	":sbx, building (SBX_SHARE=0)" SBX_SHARE=0 "$work/shims/true" --
	":sbx read-only" SBX_PROFILE=read-only "$work/shims/true" --
	":sbx protect = off" SBX_PROTECT=off "$work/shims/true" --
	":sbx full-access" SBX_PROFILE=full-access "$work/shims/true" --)
bwrap=$(command -v bwrap || true)
if [ -n "$bwrap" ]; then
	cmds+=(":bubblewrap" "$bwrap" --ro-bind / / --dev /dev --proc /proc
		--bind "$work/ws" "$work/ws" --unshare-net --unshare-pid /usr/bin/true --)
else
	echo "bench: no bwrap (apt-get install bubblewrap): no ratio" >&2
fi
cmds+=(":python3 bare" /usr/bin/python3 -c pass --
	":python3 through sbx" "$work/shims/python3" -c pass)
[ -x "$work/floor-confined" ] &&
	cmds+=(-- ":python3 through the confined floor" "$work/floor-confined" \
		/usr/bin/python3 -c pass)
[ -n "$floor_ns" ] &&
	cmds+=(-- ":python3 through the joined floor" SBX_FLOOR_NS="$floor_ns" \
		"$work/floor-confined" /usr/bin/python3 -c pass)

# The session's rows: its agent runs them when asked (fd 3 in, 4 out).
session=()
if "$work/sbx" session --dir "$work/lib/sbx/shims" --no-check -- /usr/bin/true \
	2>/dev/null; then
	mkfifo "$work/ask" "$work/answer"
	"$work/sbx" session --dir "$work/lib/sbx/shims" --no-check -- \
		"$work/rounds" --serve 3,4 "$work/true-copy" -- \
		"$work/lib/sbx/shims/true" 3<"$work/ask" 4>"$work/answer" \
		2>"$work/session.err" &
	exec 3>"$work/ask" 4<"$work/answer"
	session=(-r "3,4")
	cmds+=(-- ":session: bare" %0 -- ":sbx inside a session" %1)
else
	echo "bench: sbx session does not start here: no session row" >&2
fi

"$work/rounds" "$rounds" "${session[@]}" "${cmds[@]}" >"$work/out"
if [ ${#session[@]} -gt 0 ]; then
	exec 3>&- 4<&-
	wait
fi

echo "$(id -un), $(nproc) cores, $(uname -r), $rounds rounds, sbx: $("$work/sbx" --version | head -n 1)"
awk -F '\t' '
	{ name[NR] = $1; t[$1] = $2 }
	END {
		bare = t["bare"]; bw = ("bubblewrap" in t) ? t["bubblewrap"] - bare : 0
		printf "%-30s %8s %10s %12s\n", "", "median", "adds", "of bwrap'"'"'s"
		for (i = 1; i <= NR; i++) {
			n = name[i]
			if (n ~ /^python3/ || n == "session: bare") continue
			add = t[n] - (n ~ /session/ ? t["session: bare"] : bare)
			if (n == "bare")
				printf "%-30s %6d us\n", n, t[n]
			else if (bw > 0)
				printf "%-30s %6d us %+7d us %11.2f\n", n, t[n], add, add / bw
			else
				printf "%-30s %6d us %+7d us\n", n, t[n], add
		}
		py = t["python3 bare"]; pys = t["python3 through sbx"]
		printf "%-30s %6d us\n", "python3 -c pass", py
		printf "%-30s %6d us %+7d us %+10.1f %%\n", "  through sbx", pys,
			pys - py, 100 * (pys - py) / py
		split("confined joined", fl, " ")
		for (k = 1; k <= 2; k++) {
			n = "python3 through the " fl[k] " floor"
			if (!(n in t))
				continue
			printf "%-30s %6d us %+7d us %+10.1f %%\n",
				"  through the " fl[k] " floor", t[n], t[n] - py,
				100 * (t[n] - py) / py
		}
	}' "$work/out"
