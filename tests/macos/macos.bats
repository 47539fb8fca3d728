#!/usr/bin/env bats
# The macOS backend with the real /usr/bin/sandbox-exec (the macos job of
# .github/workflows/ci.yml runs this; Linux cannot).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ "$(uname -s)" = Darwin ] || skip "macOS only"
	: "${SBX:=$BATS_TEST_DIRNAME/../../build/sbx}"
	ROOT=$(mktemp -d "$HOME/sbx-bats.XXXXXX")
	WS=$ROOT/ws OUT=$ROOT/out SHIMS=$ROOT/shims
	mkdir -p "$WS/.git/hooks" "$OUT" "$SHIMS"
	for t in python3 sh; do ln -s "$SBX" "$SHIMS/$t"; done
	export SHIMS PATH=$SHIMS:/usr/local/bin:/opt/homebrew/bin:/usr/bin:/bin
	unset SBX_SANDBOX SBX_PROFILE SBX_NETWORK SBX_WRITABLE SBX_CONFIG
	cd "$WS"
}

teardown() {
	cd /
	[ -n "${ROOT:-}" ] && rm -rf "$ROOT"
}

@test "a write outside the workspace is denied, inside it works" {
	run -0 python3 -c 'open("inside", "w").write("x")'
	run python3 -c 'import sys; open(sys.argv[1], "w")' "$OUT/f"
	assert_failure
	assert_output --partial "Operation not permitted"
	[ ! -e "$OUT/f" ]
}

@test ".git/hooks/pre-commit and .sbxrc are not writable, a sibling is" {
	run python3 -c 'open(".git/hooks/pre-commit", "w")'
	assert_failure
	run python3 -c 'open(".sbxrc", "w")'
	assert_failure
	run -0 python3 -c 'open("sibling", "w")'
}

@test "TMPDIR and /tmp are writable" {
	run -0 python3 -c '
import os, tempfile
tempfile.NamedTemporaryFile(dir=os.environ.get("TMPDIR", "/tmp")).write(b"x")
p = "/tmp/sbx-macos-%d" % os.getpid(); open(p, "w").close(); os.unlink(p); print("ok")'
	assert_output ok
}

@test "the seed script: multiprocessing Lock and Process" {
	cp "$BATS_TEST_DIRNAME/../fixtures/seed.py" .
	run -0 python3 seed.py
	assert_output "Lock acquired in child process"
}

@test "ProcessPoolExecutor, openpty, getpwuid, sysconf(SC_ARG_MAX)" {
	cat >t.py <<'PY'
import concurrent.futures, os, pwd
def sq(x): return x * x
if __name__ == "__main__":
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        print("executor", sum(ex.map(sq, range(10))))
    m, s = os.openpty(); print("pty", os.isatty(s))
    print("user", pwd.getpwuid(os.getuid()).pw_name != "")
    print("argmax", os.sysconf("SC_ARG_MAX") > 0)
PY
	run -0 python3 t.py
	assert_line "executor 285"
	assert_line "pty True"
	assert_line "user True"
	assert_line "argmax True"
}

# A bare HTTP server on the host's loopback; its port in $port, pid in $pid.
start_http() {
	python3_bare=$(PATH=/usr/local/bin:/opt/homebrew/bin:/usr/bin:/bin command -v python3)
	"$python3_bare" -c '
import http.server, sys
s = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()' "$ROOT/port" >/dev/null 2>&1 3>&- &
	pid=$!
	for _ in $(seq 100); do [ -s "$ROOT/port" ] && break; sleep 0.05; done
	port=$(cat "$ROOT/port")
}

@test "network off: this machine's loopback only; on: anything" {
	start_http
	run -0 python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1]))); print("reached")' "$port"
	run python3 -c 'import socket; socket.create_connection(("192.0.2.1", 443), timeout=5)'
	assert_failure
	SBX_NETWORK=on run -0 python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1]))); print("reached")' "$port"
	kill "$pid"
}

@test "named hosts: through sbx's proxy only, with this run's secret" {
	start_http
	PPORT=$ROOT/pport SBX_NETWORK="127.0.0.1:$port" run -0 --separate-stderr python3 - "$port" <<'PY'
import os, socket, sys, urllib.parse, urllib.request
url = "http://127.0.0.1:%s/" % sys.argv[1]
print("proxy", urllib.request.urlopen(url, timeout=20).status)
try:
    socket.create_connection(("192.0.2.1", 443), timeout=5); print("direct REACHED")
except OSError:
    print("direct refused")
u = urllib.parse.urlsplit(os.environ["http_proxy"])
s = socket.create_connection((u.hostname, u.port), timeout=20)
s.sendall(b"CONNECT example.org:443 HTTP/1.1\r\n\r\n")
print("no secret", s.recv(4096).split(b"\r\n")[0].decode())
open(os.environ["PPORT"], "w").write(str(u.port))
PY
	assert_output $'proxy 200\ndirect refused\nno secret HTTP/1.1 407 Proxy Authentication Required'
	# the tool has exited: its port is closed (the proxy watches its pid
	# with kqueue)
	run -0 "$python3_bare" - "$(cat "$ROOT/pport")" <<'PY'
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
	kill "$pid"
}

@test "nested python3 -> python3 through the shim: one sandbox-exec" {
	run -0 python3 -c '
import os, subprocess
env = dict(os.environ, PATH=os.environ["SHIMS"] + ":" + os.environ["PATH"])
r = subprocess.run(["python3", "-c", "import os; print(os.environ[\"SBX_SANDBOX\"])"], env=env, capture_output=True, text=True)
print(r.stdout.strip(), r.returncode)'
	assert_output "seatbelt 0"
}
