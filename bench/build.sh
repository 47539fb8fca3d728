#!/usr/bin/env bash
# bench/build.sh - what sbx costs a real build, side by side in one run:
# sbx's own tree built with `make -j2` bare and through the make shim, five
# runs each; then a Python workload that starts many short python3
# processes, bare and through the shim. Goal for the build: within 2%.
#
#   bench/build.sh [SBX]      (default: build/sbx; needs hyperfine)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
sbx=$(realpath "${1:-$top/build/sbx}")
runs=${RUNS:-5}
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/sbx-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/shims" "$work/src/.git"
(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$work/src")
for t in make python3; do ln -s "$sbx" "$work/shims/$t"; done
cd "$work/src"
export PATH=/usr/local/bin:/usr/bin:/bin
unset SBX_SANDBOX SBX_DEBUG

hyperfine --runs "$runs" --warmup 1 --prepare 'rm -rf build' \
	--export-json "$work/build.json" \
	-n 'make -j2 bare' 'make -j2 build/sbx' \
	-n 'make -j2 shim' "$work/shims/make -j2 build/sbx" >/dev/null

# 200 short interpreters, as a test runner or a build script starts them
# shellcheck disable=SC2016 # expanded by the inner bash
loop='for i in $(seq 200); do python3 -c pass; done'
hyperfine --runs "$runs" --warmup 1 --export-json "$work/py.json" \
	-n 'python3 x200 bare' "bash -c 'PATH=/usr/bin:/bin; $loop'" \
	-n 'python3 x200 shim' "bash -c 'PATH=$work/shims:/usr/bin:/bin; $loop'" >/dev/null

python3 - "$work/build.json" "$work/py.json" <<'PY'
import json, sys
rows = {}
for f in sys.argv[1:]:
    for r in json.load(open(f))["results"]:
        rows[r["command"]] = (r["mean"], r["stddev"] or 0.0)
for name, (mean, sd) in rows.items():
    print(f"{name:20s} {mean:8.3f} s  +- {sd:.3f}")
b, s = rows["make -j2 bare"][0], rows["make -j2 shim"][0]
print(f"build overhead       {100 * (s - b) / b:+7.1f} %  (goal: within 2%)")
b, s = rows["python3 x200 bare"][0], rows["python3 x200 shim"][0]
print(f"python3 overhead     {100 * (s - b) / b:+7.1f} %  ({1000 * (s - b) / 200:.2f} ms a process)")
PY
