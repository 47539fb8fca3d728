#!/usr/bin/env bash
# bench/network.sh - what the network modes cost per exec, interleaved round
# by round (bench/rounds.c): true through the shim with the network off (a
# private loopback: a network namespace per tool), with it on (no network
# namespace), off without any namespace (protect = off: seccomp alone), and
# with named hosts (the namespace, and a socket handed to sbx's proxy).
# Each command goes through /usr/bin/env to set its variable, so each pays
# the same extra exec; compare the differences.
#
#   bench/network.sh [SBX]   (default: build/sbx; ROUNDS=1000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sbx=$(realpath "${1:-$here/../build/sbx}")
rounds=${ROUNDS:-1000}

work=$(mktemp -d /var/tmp/sbx-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/shims" "$work/ws/.git"
cc -O2 -o "$work/rounds" "$here/rounds.c"
ln -s "$sbx" "$work/shims/true"
cd "$work/ws"
export PATH=$work/shims:/usr/bin:/bin
unset SBX_SANDBOX SBX_DEBUG SBX_NETWORK SBX_PROTECT

"$work/rounds" "$rounds" \
	/usr/bin/env X=1 /usr/bin/true -- \
	/usr/bin/env SBX_NETWORK=on "$work/shims/true" -- \
	/usr/bin/env SBX_NETWORK=off "$work/shims/true" -- \
	/usr/bin/env SBX_NETWORK=off SBX_PROTECT=off "$work/shims/true" -- \
	/usr/bin/env SBX_NETWORK=registry.npmjs.org "$work/shims/true" |
	awk -F'\t' '
		{ t[NR] = $2 }
		END {
			printf "bare true (through env)          %6d us\n", t[1]
			printf "shim, network on                 %6d us  (+%d)\n", t[2], t[2] - t[1]
			printf "shim, network off (loopback ns)  %6d us  (+%d; the namespace: %+d)\n", t[3], t[3] - t[1], t[3] - t[2]
			printf "shim, network off, protect = off %6d us  (+%d)\n", t[4], t[4] - t[1]
			printf "shim, named hosts (the proxy)    %6d us  (+%d; over off: %+d)\n", t[5], t[5] - t[1], t[5] - t[3]
		}'
