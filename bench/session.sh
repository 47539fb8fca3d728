#!/usr/bin/env bash
# bench/session.sh - what a tool costs per exec inside an intercepting agent
# session, beside the plain shim outside one, interleaved round by round
# (bench/rounds.c). As root: the outside commands run in the original mount
# namespace (setns) from the same rounds.
#
#   outside: bare /usr/bin/true; true through a PATH shim
#   inside:  bare true (the original tree); /usr/bin/true, which the session
#            covers; true through a PATH shim in the session
#
#   bench/session.sh [SBX]      (default: build/sbx; RUNS=2000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sbx=$(realpath "${1:-$here/../build/sbx}")
runs=${RUNS:-2000}
[ "$(id -u)" = 0 ] || { echo "bench: run as root (setns to the outside)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/sbx-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lib/sbx/shims" "$work/ws/.git"
cc -O2 -o "$work/rounds" "$here/rounds.c"
ln -s "$sbx" "$work/lib/sbx/shims/true"
cd "$work/ws"
export PATH=/usr/bin:/bin
unset SBX_SANDBOX SBX_DEBUG
shim=$work/lib/sbx/shims/true
real=$work/lib/sbx/real/root

# fd 9: the mount namespace outside the session, for the '@' commands.
exec 9</proc/self/ns/mnt
"$sbx" session --dir "$work/lib/sbx/shims" --no-check -- "$work/rounds" "$runs" -m 9 \
	@/usr/bin/true -- "@$shim" -- \
	"$real/usr/bin/true" -- /usr/bin/true -- "$shim" 2>/dev/null >"$work/out"
exec 9<&-

python3 - "$work/out" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
t = [float(r[1]) for r in rows]
bare_out, shim_out, bare_in, cover_in, shim_in = t
plain = shim_out - bare_out
print(f"outside: bare true            {bare_out:7.0f} us")
print(f"outside: through the shim     {shim_out:7.0f} us  (+{plain:.0f})")
print(f"session: bare true            {bare_in:7.0f} us")
print(f"session: /usr/bin/true cover  {cover_in:7.0f} us  (+{cover_in - bare_in:.0f})")
print(f"session: through the shim     {shim_in:7.0f} us  (+{shim_in - bare_in:.0f})")
print(f"interception adds {100 * ((cover_in - bare_in) / plain - 1):+.1f} % (cover) "
      f"and {100 * ((shim_in - bare_in) / plain - 1):+.1f} % (PATH shim) "
      "to the plain shim's cost (goal <= +10 %)")
PY
