#!/usr/bin/env bats
# The macOS profile, judged without a Mac by tests/sbpl/sbpl.py, a Seatbelt
# evaluator (its limits are written in it): what real tools need is
# allowed, each escape of issue P10 is denied. The profile is the one the
# seatbelt test build hands its sandbox-exec (tests/fake-sandbox-exec
# records the argv), for python3 in a sealed workspace.

load test_helper

EVAL=$BATS_TEST_DIRNAME/../sbpl/sbpl.py

setup() {
	setup_sealed
	[ -x "${SBX_SEATBELT:-}" ] || fail "SBX_SEATBELT must name the seatbelt test build"
	rm -f "$SHIMS/python3"
	ln -s "$SBX_SEATBELT" "$SHIMS/python3"
	export SBX_FAKE_RECORD=$ROOT/fake
	mkdir -p "$WS/sub/.git" "$WS/build"
}

# The table on stdin against the profile python3 gets with env "$@".
table() {
	/usr/bin/env "$@" python3 -c pass || fail "python3 did not run"
	"$PY" "$EVAL" --argv "$SBX_FAKE_RECORD.argv" -
}

@test "sbpl.py: last match wins, require-*, param, subpath; and it can say no" {
	cat >"$ROOT/p" <<'EOF'
(version 1)
(deny default)
(allow file-write* (require-all (subpath (param "R")) (require-not (literal (param "R")))))
(deny file-write-data (regex #"\.lock$"))
(allow network-outbound (remote ip "localhost:*"))
(allow sysctl-read (sysctl-name-prefix "hw."))
;; -DR=/ws
EOF
	run -0 "$PY" "$EVAL" "$ROOT/p" - <<'EOF'
allow file-write-data /ws/a
deny  file-write-data /ws          # require-not
deny  file-write-data /wsx/a       # subpath is per component
deny  file-write-data /ws/a.lock   # the later deny wins
allow file-write-create /ws/a.lock
allow network-outbound tcp:127.0.0.1:80
deny  network-outbound tcp:10.0.0.1:80
deny  network-outbound unix:/ws/s
allow sysctl-read hw.ncpu
deny  sysctl-read kern.hostname
deny  mach-lookup com.apple.x      # (deny default)
EOF
	assert_output "11 of 11 answers as the table says"
	run -1 "$PY" "$EVAL" "$ROOT/p" - <<<"allow file-write-data /ws"
	assert_output --partial "WRONG table line 1"
	# a name sandbox-exec does not know fails the whole profile
	for bad in '(allow file-wirte* (subpath "/"))' '(allow file-write* (subpth "/"))' \
		'(allow file-write* (subpath (param "NOPE")))' '(allow network-bind (local unix "/x"))'; do
		printf '(version 1)\n(deny default)\n%s\n' "$bad" >"$ROOT/bad"
		run -2 "$PY" "$EVAL" "$ROOT/bad" -q sysctl-read hw.ncpu
	done
}

@test "every profile sbx makes uses only known SBPL names" {
	for env in SBX_PROFILE=read-only SBX_NETWORK=on SBX_NETWORK=registry.npmjs.org SBX_NETWORK=off; do
		run -0 /usr/bin/env "$env" "$SBX_SEATBELT" policy python3
		printf '%s\n' "$output" >"$ROOT/policy"
		run -0 "$PY" "$EVAL" "$ROOT/policy" -q sysctl-read hw.ncpu
		assert_output allow
	done
	for g in "$BATS_TEST_DIRNAME"/../golden/*.sbpl; do
		run -0 "$PY" "$EVAL" "$g" -q sysctl-read hw.ncpu
	done
}

@test "what real tools need is allowed (network off)" {
	run -0 table <<EOF
# Python multiprocessing: Lock, Manager, forkserver, shared_memory
allow ipc-posix-sem -
allow sysctl-read kern.posix.sem.max
allow network-bind unix:$TMPDIR/pymp-x1/listener-1
allow network-outbound unix:$TMPDIR/pymp-x1/listener-1
allow network-bind unix:$WS/build/daemon.sock           # Gradle/Nx daemons
allow ipc-posix-shm-write-create /psm_1a2b3c
allow ipc-posix-shm-write-data /psm_1a2b3c
allow ipc-posix-shm-read-data /psm_1a2b3c
allow ipc-posix-shm-write-unlink /psm_1a2b3c
allow ipc-posix-shm-write-create /__KMP_REGISTERED_LIB_4242 # libomp
# node: os.cpus(), os.networkInterfaces(), preferences
allow mach-host*  -
allow sysctl-read hw.ncpu
allow sysctl-read hw.cacheconfig
allow sysctl-read hw.optional.arm.FEAT_AES
allow sysctl-read hw.perflevel0.physicalcpu
allow sysctl-read machdep.cpu.brand_string
allow sysctl-read net.routetable.0
allow sysctl-write kern.grade_cputype                    # Java
allow mach-lookup com.apple.cfprefsd.agent
allow mach-lookup com.apple.cfprefsd.agent local=1
allow mach-lookup com.apple.system.opendirectoryd.libinfo
# a test suite's server and client on the loopback
allow network-bind tcp:localhost:8000
allow network-outbound tcp:127.0.0.1:8000
# make -j, clang, a shell script
allow process-fork -
allow process-exec /usr/bin/clang
allow signal - target=same-sandbox
allow file-read-data /usr/include/stdio.h
allow file-write-create $WS/build/main.o
allow file-write-data $WS/build/main.o
allow file-write-unlink $WS/build/main.o
allow file-write-create $TMPDIR/cc-1.s
allow file-write-data /dev/null
allow file-write-data /dev/stdout
allow file-write-data /dev/fd/1
allow file-write-data /dev/stderr
# git reads the repository
allow file-read-data $WS/.git/HEAD
# a pty of its own (python's pty, expect)
allow pseudo-tty -
allow file-write-data /dev/ptmx
allow file-write-data /dev/ttys007 ext=com.apple.sandbox.pty
allow file-ioctl /dev/ttys007 ext=com.apple.sandbox.pty
EOF
	assert_output --regexp '^([0-9]+) of \1 answers'
}

@test "a REPL's terminal: its own, no other" {
	# python3 started on a pseudo-terminal: the profile names it (TTY_0)
	"$PY" -c 'import pty, sys; pty.spawn(sys.argv[1:])' python3 -c pass >/dev/null
	tty=$(tr '\0' '\n' <"$SBX_FAKE_RECORD.argv" | sed -n 's/^-DTTY_0=//p')
	[ -n "$tty" ] || fail "no TTY_0 parameter"
	run -0 "$PY" "$EVAL" --argv "$SBX_FAKE_RECORD.argv" - <<EOF
allow file-write-data $tty
allow file-ioctl $tty
allow file-read-data $tty
allow file-write-data /dev/tty
deny  file-read-data /dev/ttys042      # another window
deny  file-write-data /dev/ttys042
deny  file-ioctl /dev/ttys042
EOF
	assert_output "7 of 7 answers as the table says"
}

@test "what gets through today is denied (network off)" {
	sock=$TMPDIR/launchd.Xq/Listeners
	mkdir -p "${sock%/*}"
	run -0 table SSH_AUTH_SOCK="$sock" <<EOF
# renaming an ancestor: mv \$WS /tmp/x, edit .git/hooks, mv back
deny file-write-unlink $WS
deny file-write-unlink $TMPDIR
deny file-write-unlink $WS/sub                          # holds a repository
deny file-write-unlink ${sock%/*}                        # holds the agent's socket
allow file-write-unlink $WS/build                       # an ordinary folder
# protected, in any case
deny file-write-data $WS/.git/hooks/pre-commit
deny file-write-create $WS/.git
deny file-write-create $WS/.Git
deny file-write-create $WS/.GIT/hooks/pre-commit
deny file-write-create $WS/.CODEX
deny file-write-create $WS/sub/.Git/config
deny file-write-create $WS/.SbxRC
allow file-write-create $WS/.github/workflows/ci.yml
allow file-write-create $WS/.gitignore
# Unix sockets outside the writable roots, in a protected path, hidden
deny network-bind unix:$OUT/s.sock
deny network-outbound unix:$OUT/s.sock
deny network-bind unix:$WS/.git/s.sock
deny network-outbound unix:$sock
deny network-outbound unix:/run/docker.sock
# credentials
deny file-read-data $HOME/.ssh/id_ed25519
deny file-read-data $HOME/.npmrc
deny file-read-data $HOME/.config/gh/hosts.yml
deny file-read-data $HOME/.cargo/credentials.toml
deny file-read-data $HOME/Library/Cookies/Cookies.binarycookies
deny file-read-data "$HOME/Library/Application Support/Google/Chrome/Default/Cookies"
deny file-read-data "$HOME/Library/Application Support/Firefox/Profiles/x.default/cookies.sqlite"
# the network, the keychain, preferences, other shared memory
deny network-outbound tcp:93.184.216.34:443
deny mach-lookup com.apple.SecurityServer
deny mach-lookup com.apple.dnssd.service
deny user-preference-write -
deny ipc-posix-shm-write-create /some_other_segment
deny signal - target=others
deny file-write-data $HOME/.bashrc
deny file-write-create $OUT/x
EOF
	assert_output --regexp '^([0-9]+) of \1 answers'
}

@test "network on: npm over TLS works; container engines and the keychain do not" {
	mkdir -p "$HOME/.docker/run" "$HOME/.colima/default" "$HOME/.orbstack/run" "$HOME/.rd"
	run -0 table SBX_NETWORK=on <<EOF
allow network-outbound tcp:104.16.0.35:443              # registry.npmjs.org
allow network-outbound unix:/private/var/run/mDNSResponder
allow mach-lookup com.apple.trustd.agent
allow mach-lookup com.apple.dnssd.service
allow system-socket -
allow network-bind tcp:localhost:3000
deny mach-lookup com.apple.SecurityServer                 # the keychain
deny network-outbound unix:$HOME/.docker/run/docker.sock
deny network-outbound unix:$HOME/.colima/default/docker.sock
deny network-outbound unix:$HOME/.orbstack/run/docker.sock
deny network-outbound unix:$HOME/.rd/docker.sock
deny network-outbound unix:$HOME/.lima/default/sock/x.sock
deny network-outbound unix:$(realpath -m /var/run/docker.sock)
deny file-read-data $HOME/.docker/run/docker.sock
EOF
	assert_output --regexp '^([0-9]+) of \1 answers'
	printf 'reveal = keychain\n' >"$ROOT/kc"
	run -0 table SBX_NETWORK=on SBX_CONFIG="$ROOT/kc" <<<"allow mach-lookup com.apple.SecurityServer"
}

@test "named hosts: the proxy's port and the loopback (a test suite's own servers), nothing outside, no DNS" {
	run -0 table SBX_NETWORK=registry.npmjs.org <<EOF
deny network-outbound tcp:104.16.0.35:443
deny mach-lookup com.apple.dnssd.service
allow mach-lookup com.apple.trustd.agent
EOF
	port=$(tr '\0' '\n' <"$SBX_FAKE_RECORD.argv" | sed -n 's/.*(remote ip "localhost:\([0-9]*\)").*/\1/p')
	[ -n "$port" ] || fail "no proxy port in the profile"
	run -0 "$PY" "$EVAL" --argv "$SBX_FAKE_RECORD.argv" -q network-outbound "tcp:localhost:$port"
	assert_output allow
	# the loopback as with the network off: the tool's own servers
	run -0 "$PY" "$EVAL" --argv "$SBX_FAKE_RECORD.argv" -q network-outbound "tcp:localhost:$((port + 1))"
	assert_output allow
	run -0 "$PY" "$EVAL" --argv "$SBX_FAKE_RECORD.argv" -q network-bind "tcp:localhost:8000"
	assert_output allow
	run -0 "$PY" "$EVAL" --argv "$SBX_FAKE_RECORD.argv" -q network-outbound "tcp:192.0.2.1:$port"
	assert_output deny
}
