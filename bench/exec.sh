#!/usr/bin/env bash
# bench/exec.sh - what the shim costs per exec, side by side in one run:
# bare /usr/bin/true, a static program that only execs it (the floor any
# exec shim pays), and true through the sbx shim; then python3 -c pass bare
# and through the shim. Prints the medians and the ratio
# (shim - bare) / (floor - bare); the goal is at most 1.2.
#
#   bench/exec.sh [SBX]      (default: build/sbx; needs hyperfine)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sbx=$(realpath "${1:-$here/../build/sbx}")
runs=${RUNS:-300}
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/sbx-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/shims" "$work/ws/.git"
cc -O2 -static -o "$work/floor" "$here/floor.c"
ln -s "$sbx" "$work/shims/true"
ln -s "$sbx" "$work/shims/python3"
cd "$work/ws"
export PATH=$work/shims:/usr/bin:/bin
unset SBX_SANDBOX SBX_DEBUG

hyperfine -N --warmup 30 --runs "$runs" --export-json "$work/exec.json" \
	-n bare /usr/bin/true -n floor "$work/floor" -n shim "$work/shims/true" >/dev/null
# the same without the mount namespace step (protect = off: Landlock alone)
SBX_PROTECT=off hyperfine -N --warmup 30 --runs "$runs" --export-json "$work/nons.json" \
	-n 'shim, no namespace' "$work/shims/true" >/dev/null
hyperfine -N --warmup 5 --runs "$((runs / 6 + 10))" --export-json "$work/py.json" \
	-n 'python3 bare' '/usr/bin/python3 -c pass' \
	-n 'python3 shim' "$work/shims/python3 -c pass" >/dev/null

python3 - "$work/exec.json" "$work/nons.json" "$work/py.json" <<'PY'
import json, sys
rows = {}
for f in sys.argv[1:]:
    for r in json.load(open(f))["results"]:
        rows[r["command"]] = r["median"] * 1e6
for name, us in rows.items():
    print(f"{name:18s} {us:8.0f} us (median)")
bare, floor, shim = rows["bare"], rows["floor"], rows["shim"]
print(f"floor - bare   {floor - bare:8.0f} us")
print(f"shim - bare    {shim - bare:8.0f} us")
print(f"ratio          {(shim - bare) / (floor - bare):8.2f}  (goal <= 1.2)")
nons = rows["shim, no namespace"]
print(f"namespace step {shim - nons:8.0f} us")
print(f"ratio without  {(nons - bare) / (floor - bare):8.2f}  (protect = off)")
print(f"python3 added  {rows['python3 shim'] - rows['python3 bare']:8.0f} us")
PY
