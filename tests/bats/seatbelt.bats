#!/usr/bin/env bats
# The macOS backend, run on Linux by a test build (make seatbelt-test) whose
# sandbox-exec is tests/fake-sandbox-exec: it records the exact argv and
# environment the real /usr/bin/sandbox-exec would get, then runs the tool.

load test_helper

setup() {
	setup_sealed
	[ -n "${SBX_SEATBELT:-}" ] && [ -x "$SBX_SEATBELT" ] ||
		fail "SBX_SEATBELT must name the seatbelt test build (make seatbelt-test)"
	rm -f "$SHIMS/python3"
	ln -s "$SBX_SEATBELT" "$SHIMS/python3"
	export SBX_FAKE_RECORD=$ROOT/fake
}

# The recorded argv, one argument a line (NUL-separated on disk).
recorded_argv() {
	tr '\0' '\n' <"$SBX_FAKE_RECORD.argv"
}

@test "the tool runs under sandbox-exec -p PROFILE -D... -- TOOL ARGS" {
	run -0 python3 -c 'import sys; print(sys.argv[1:])' 'a b' ''
	assert_output "['a b', '']"
	"$SBX_SEATBELT" policy python3 >"$ROOT/policy"
	# argv: -p, the profile, each -D, --, the tool by its PATH path, its args
	"$PY" - "$SBX_FAKE_RECORD.argv" "$ROOT/policy" <<'PY'
import re, sys
argv = open(sys.argv[1], "rb").read().split(b"\0")[:-1]
policy = open(sys.argv[2], "rb").read()
profile, params = policy.split(b";; parameters\n")
# sbx policy names where the terminal's rule goes; this run had none
profile = re.sub(rb"\n; at each run, the terminal[^\n]*\n;[^\n]*\n", b"", profile)
argv = [a for a in argv if not a.startswith(b"-DTTY_")]
argv[1] = re.sub(rb"\n; The terminal the tool was started on\.\n\(allow[^\n]*(\n  \(literal[^\n]*)+\n", b"", argv[1])
defs = [l[3:] for l in params.splitlines()]
assert argv[0] == b"-p", argv[0]
assert argv[1] == profile, "profile differs from sbx policy"
assert argv[2:2 + len(defs)] == defs, (argv[2:2 + len(defs)], defs)
rest = argv[2 + len(defs):]
assert rest == [b"--", b"/usr/bin/python3", b"-c", b"import sys; print(sys.argv[1:])", b"a b", b""], rest
PY
	run -0 grep -c '^-DWRITABLE_ROOT_0=' <(recorded_argv)
	run -0 grep -x -- "-DWRITABLE_ROOT_0=$WS" <(recorded_argv)
	run -0 grep -x -- "-DWRITABLE_ROOT_0_RO_1=$WS/.git" <(recorded_argv)
	run -0 grep -x -- "-DHIDDEN_0=$HOME/.ssh" <(recorded_argv)
}

@test "the tool's environment: SBX_SANDBOX=seatbelt, network disabled, no agent" {
	SSH_AUTH_SOCK=/x/agent run -0 python3 -c 'pass'
	run -0 tr '\0' '\n' <"$SBX_FAKE_RECORD.env"
	assert_line SBX_SANDBOX=seatbelt
	assert_line SBX_NETWORK_DISABLED=1
	refute_line --partial SSH_AUTH_SOCK=
	assert_line --regexp "^PATH=/usr/local/bin:/usr/bin:/bin$"
}

@test "network on: the network rules are in, SBX_NETWORK_DISABLED is not" {
	SBX_NETWORK=on run -0 python3 -c 'pass'
	run -0 recorded_argv
	assert_output --partial "(allow network-outbound)"
	run -0 tr '\0' '\n' <"$SBX_FAKE_RECORD.env"
	refute_line SBX_NETWORK_DISABLED=1
	SBX_NETWORK=off run -0 python3 -c 'pass'
	run -0 recorded_argv
	refute_output --partial "(allow network-outbound)"
	# off: this machine's loopback only (a test suite's own server)
	assert_output --partial '(allow network-outbound (remote ip "localhost:*"))'
	assert_output --partial '(allow network-bind (local ip "localhost:*"))'
	# named hosts: sbx's proxy, at this run's port only
	SBX_NETWORK=registry.npmjs.org run -0 python3 -c 'pass'
	run -0 tr '\0' '\n' <"$SBX_FAKE_RECORD.env"
	assert_line --regexp '^HTTPS_PROXY=http://sbx:[0-9a-f]{32}@127\.0\.0\.1:[0-9]+$'
	port=$(sed -n 's/^HTTPS_PROXY=.*:\([0-9]*\)$/\1/p' <<<"$output")
	run -0 recorded_argv
	refute_output --partial "(allow network-outbound)"
	# the loopback as with the network off (a test suite's own servers)
	assert_output --partial '(allow network-outbound (remote ip "localhost:*"))'
	assert_output --partial "(allow network-outbound (remote ip \"localhost:$port\"))"
	refute_output --partial "com.apple.dnssd.service"
	assert_output --partial '(global-name "com.apple.trustd")'
	SBX_NETWORK=registry.npmjs.org run -0 "$SBX_SEATBELT" explain python3
	assert_line --regexp "^network: +only registry.npmjs.org \(through sbx's proxy\) +\(SBX_NETWORK\)$"
}

@test "named hosts: the proxy serves this run's port, only with this run's secret, and closes it when the tool exits" {
	start_server http
	# a socket file left by a proxy that died: the next one takes its place
	mkdir -p "$HOME/.local/share/sbx"
	"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
		"$HOME/.local/share/sbx/proxy-4.sock"
	SBX_NETWORK="127.0.0.1:$PORT" run -0 --separate-stderr python3 - "$PORT" <<'PY'
import os, socket, subprocess, sys, urllib.parse, urllib.request
u = urllib.parse.urlsplit(os.environ["https_proxy"])
proxy = (u.hostname, u.port)
print("user", u.username, len(u.password))
def ask(data):
    s = socket.create_connection(proxy, timeout=20)
    s.sendall(data)
    return s.recv(4096).split(b"\r\n")[0].decode()
url = "http://127.0.0.1:%s/" % sys.argv[1]
# clients take the secret from the proxy URL: urllib, curl
print("urllib", urllib.request.urlopen(url, timeout=20).status)
print("curl", subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", url],
                             capture_output=True, text=True).stdout)
get = ("GET %s HTTP/1.1\r\nHost: x\r\n" % url).encode()
print("no secret", ask(get + b"\r\n"))
print("wrong secret", ask(get + b"Proxy-Authorization: Basic c2J4OjAwMDA=\r\n\r\n"))
auth = urllib.request.base64.b64encode(("sbx:" + u.password).encode())
print("secret", ask(get + b"Proxy-Authorization: Basic " + auth + b"\r\n\r\n"))
print("unlisted", ask(b"CONNECT example.org:443 HTTP/1.1\r\nProxy-Authorization: Basic " + auth + b"\r\n\r\n"))
open(os.environ["SBX_FAKE_RECORD"] + ".port", "w").write(str(u.port))
PY
	assert_output $'user sbx 32\nurllib 200\ncurl 200\nno secret HTTP/1.1 407 Proxy Authentication Required\nwrong secret HTTP/1.1 407 Proxy Authentication Required\nsecret HTTP/1.0 200 OK\nunlisted HTTP/1.1 403 Forbidden'
	assert_equal "$stderr" "sbx: python3: blocked example.org:443 (not in network = 127.0.0.1:$PORT, SBX_NETWORK)"
	# the tool is gone: so is its port (the proxy watches its process)
	proxy_port=$(cat "$SBX_FAKE_RECORD.port")
	run -0 "$PY" - "$proxy_port" <<'PY'
import socket, sys, time
for _ in range(50):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2).close()
        time.sleep(0.1)
    except ConnectionRefusedError:
        print("closed"); break
else:
    print("STILL OPEN")
PY
	assert_output closed
	# the control socket is in sbx's own folder, which tools may not write
	[ -S "$HOME/.local/share/sbx/proxy-4.sock" ]
	run -1 "$SBX_SEATBELT" check python3 --write "$HOME/.local/share/sbx/proxy-4.sock"
	SBX_WRITABLE=$HOME run -1 "$SBX_SEATBELT" check python3 --write "$HOME/.local/share/sbx/proxy-4.sock"
	assert_output --partial "sbx trust records"
	SBX_WRITABLE=$HOME run -0 "$SBX_SEATBELT" policy python3
	run -0 grep -E "^;; -DWRITABLE_ROOT_[0-9]+_RO_[0-9]+=$HOME/.local/share/sbx\$" <<<"$output"

}

@test "exit status passes through sandbox-exec" {
	run -3 python3 -c 'raise SystemExit(3)'
}

@test "nested python3 through the shim: one sandbox-exec, not two" {
	run -0 python3 -c '
import os, subprocess
env = dict(os.environ, PATH=os.environ["SHIMS"] + ":" + os.environ["PATH"])
print(subprocess.run(["python3", "-c", "print(42)"], env=env, capture_output=True, text=True).stdout.strip())'
	assert_output 42
	run -0 wc -l <"$SBX_FAKE_RECORD.calls"
	assert_output 1
}

@test "already in a sandbox that is not sbx's: the tool runs in it, one line says so" {
	# the test build asks SBX_FAKE_SANDBOXED where a Mac asks sandbox_check()
	SBX_FAKE_SANDBOXED=1 run --separate-stderr -0 python3 -c 'print(42)'
	assert_output 42
	[[ $stderr == *"sbx: python3: already inside a sandbox (not sbx's: the agent's own?): running /usr/bin/python3 directly"* ]] ||
		fail "no line: $stderr"
	[ "$(grep -c . <<<"$stderr")" -eq 1 ] || fail "more than one line: $stderr"
	assert_file_not_exists "$SBX_FAKE_RECORD.calls"
}

@test "SBX_SANDBOX=seatbelt in an unconfined process is not believed" {
	SBX_SANDBOX=seatbelt run -0 python3 -c 'print(42)'
	assert_output 42
	run -0 wc -l <"$SBX_FAKE_RECORD.calls"
	assert_output 1
}

@test "full-access: no sandbox-exec at all" {
	SBX_PROFILE=full-access run -0 python3 -c 'import os; print(os.environ["SBX_SANDBOX"])'
	assert_output none
	assert_file_not_exists "$SBX_FAKE_RECORD.calls"
}

@test "a folder named like SBPL reaches sandbox-exec only as a parameter" {
	odd="$ROOT/x\")(allow default)(\""
	mkdir -p "$odd/.git"
	cd "$odd"
	run -0 python3 -c 'pass'
	run -0 recorded_argv
	assert_line -- "-DWRITABLE_ROOT_0=$odd"
	"$PY" -c '
import sys
argv = open(sys.argv[1], "rb").read().split(b"\0")
assert b"(allow default)" not in argv[1], "path in the profile text"' "$SBX_FAKE_RECORD.argv"
}

@test "sbx policy prints a well-formed profile for each profile" {
	for prof in read-only workspace-write; do
		SBX_PROFILE=$prof run -0 "$SBX" policy python3
		assert_line ';; parameters'
		assert_line --index 0 --partial '; base.sbpl'
	done
	SBX_PROFILE=full-access run -0 "$SBX" policy
	assert_output --partial "no sandbox, no profile"
}

@test "named hosts: a newline in the tool's name adds no host and no empty secret; unproven connections cannot crowd the tool out; a kept-alive answer says Connection: close" {
	start_server http
	listed=$PORT
	start_server http11
	other=$PORT
	# the name of the tool is one field of the proxy's registration
	name=$'t\n0\n\n127.0.0.1:'"$other"$'\tinjected'
	printf '#!/bin/sh\nexec curl -sS -o /dev/null -w "%%{http_code}" "$@"\n' >"$name"
	chmod +x "$name"
	SBX_NETWORK="127.0.0.1:$listed" run "$SBX_SEATBELT" run "./$name" "http://127.0.0.1:$other/"
	assert_output --partial 403
	SBX_NETWORK="127.0.0.1:$listed, 127.0.0.1:$other" run -0 --separate-stderr python3 - "$listed" "$other" <<'PY'
import os, socket, sys, time, urllib.parse, urllib.request
u = urllib.parse.urlsplit(os.environ["http_proxy"])
proxy = (u.hostname, u.port)
# 100 connections that never show the secret (anyone on the machine)
idle = [socket.create_connection(proxy) for _ in range(100)]
print("tool", urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=20).status)
# a server that keeps connections open: the client is told to close
auth = urllib.request.base64.b64encode(("sbx:" + u.password).encode())
s = socket.create_connection(proxy, timeout=20)
s.sendall(b"GET http://127.0.0.1:%s/ HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic %s\r\n\r\n" % (sys.argv[2].encode(), auth))
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(4096)
lines = head.split(b"\r\n\r\n")[0].lower().split(b"\r\n")
print(lines[0].decode(), [l.decode() for l in lines if l.startswith(b"connection") or l.startswith(b"keep-alive")])
PY
	assert_output $'tool 200\nhttp/1.1 200 ok [\'connection: close\']'
}

@test "named hosts: the proxy's socket file removed by hand comes back; the next tool is served" {
	start_server http
	SBX_NETWORK="127.0.0.1:$PORT" run -0 python3 -c 'pass'
	sock=$HOME/.local/share/sbx/proxy-4.sock
	[ -S "$sock" ]
	rm -f "$sock"
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || fail "the daemon did not make its socket again"
	SBX_NETWORK="127.0.0.1:$PORT" run -0 python3 -c '
import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=20).status)' "$PORT"
	assert_output 200
	# its folder is the user's own and no one else's
	run -0 stat -c %a "$HOME/.local/share/sbx"
	assert_output 700
}
