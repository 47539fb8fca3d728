#!/usr/bin/env bats
# network = HOST, ...: the tool reaches the listed hosts through sbx's proxy,
# and nothing else. Only the npm registry is reached on the internet; every
# other host is either refused by the proxy (no traffic leaves) or a server
# this test starts on the host's loopback, listed by its address.

load test_helper

setup() {
	setup_sealed
	require_namespace
}

teardown() {
	# a test that edits /etc/hosts puts it back, whatever happened
	if [ -f "$ROOT/hosts.orig" ]; then cat "$ROOT/hosts.orig" >/etc/hosts; fi
	stop_servers
	teardown_sealed
}

@test "explain and check show the hosts and their source; a bad value is an error with its line" {
	run -0 "$SBX" explain npm
	assert_line --regexp "^network: +only registry.npmjs.org \(through sbx's proxy\) +\(wrappers/defaults:[0-9]+\)$"
	run -0 "$SBX" explain pip
	assert_line --regexp "^network: +only pypi.org, files.pythonhosted.org \(through sbx's proxy\)"
	SBX_NETWORK='*.Example.com, host.example:8443' run -0 "$SBX" explain
	assert_line --regexp "^network: +only \*.example.com, host.example:8443 \(through sbx's proxy\) +\(SBX_NETWORK\)$"
	SBX_NETWORK='*.example.com' run -0 "$SBX" check --connect api.example.com:443
	SBX_NETWORK='*.example.com' run -1 "$SBX" check --connect example.org:443
	assert_line "  to allow: network = *.example.com, example.org"
	mkdir -p "$XDG_CONFIG_HOME/sbx"
	SBX_NETWORK='*.0.2.2' run -125 python3 -c pass
	printf 'network = registry.npmjs.org, of\n' >"$XDG_CONFIG_HOME/sbx/config"
	run -125 python3 -c pass
	assert_output --partial "config:1: bad network \"registry.npmjs.org, of\" (on, off, or hosts such as"
}

@test "npm install from the npm registry works through the proxy (npm's default: the registry only)" {
	command -v /usr/bin/npm >/dev/null || fail "npm is not installed"
	printf '{"name":"t","version":"1.0.0"}\n' >package.json
	SBX_DEBUG=1 run -0 --separate-stderr npm install --no-audit --no-fund \
		--no-update-notifier left-pad is-odd
	assert_dir_exists "$WS/node_modules/left-pad"
	assert_dir_exists "$WS/node_modules/is-odd"
	[[ "$stderr" == *"proxy: CONNECT registry.npmjs.org:443"* ]]
}

@test "an unlisted host: a 403 naming the host and the setting, and one line on the tool's stderr" {
	SBX_NETWORK=registry.npmjs.org run --separate-stderr curl -sS -o /dev/null https://example.com/
	assert_failure
	assert_equal "${stderr_lines[0]}" "sbx: curl: blocked example.com:443 (not in network = registry.npmjs.org, SBX_NETWORK)"
	[[ "${stderr_lines[1]}" == *"CONNECT tunnel failed, response 403"* ]]
	# plain HTTP too, with the body naming it
	SBX_NETWORK=registry.npmjs.org run -0 --separate-stderr python3 -c '
import os, socket, urllib.parse
u = urllib.parse.urlsplit(os.environ["http_proxy"])
s = socket.create_connection((u.hostname, u.port))
s.sendall(b"GET http://example.org/x HTTP/1.1\r\nHost: example.org\r\n\r\n")
print(s.recv(4096).decode().replace("\r", ""))'
	assert_line "HTTP/1.1 403 Forbidden"
	assert_line "sbx: python3: blocked example.org:80 (not in network = registry.npmjs.org, SBX_NETWORK)"
}

@test "around the proxy: a raw connect reaches nothing, DNS answers nothing, the host's loopback is out of reach" {
	start_server http
	SBX_NETWORK=registry.npmjs.org run -0 python3 -c '
import socket, sys
for what, addr in (("raw", ("192.0.2.1", 443)), ("host loopback", ("127.0.0.1", int(sys.argv[1])))):
    try:
        socket.create_connection(addr, timeout=3); print(what, "REACHED")
    except OSError as e:
        print(what, type(e).__name__)
try:
    socket.getaddrinfo("registry.npmjs.org", 443); print("dns ANSWERED")
except OSError as e:
    print("dns", type(e).__name__)' "$PORT"
	assert_output $'raw OSError\nhost loopback ConnectionRefusedError\ndns gaierror'
}

@test "a listed host on the host's loopback is served; a slow client, a silent one and a 1 MB header do not stop the proxy" {
	start_server http
	SBX_NETWORK="127.0.0.1:$PORT, 127.0.0.1:1" run -0 python3 - "$PORT" <<'PY'
import os, socket, sys, time, urllib.parse
u = urllib.parse.urlsplit(os.environ["http_proxy"])
proxy = (u.hostname, u.port)
req = ("GET http://127.0.0.1:%s/ HTTP/1.1\r\nHost: x\r\n\r\n" % sys.argv[1]).encode()
def ask(data, pause=0):
    s = socket.create_connection(proxy, timeout=20)
    for i, b in enumerate((data[:10], data[10:])):
        s.sendall(b)
        time.sleep(pause)
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    return out.split(b"\r\n")[0].decode()
silent = socket.create_connection(proxy)       # never sends a request line
print("served", ask(req))
print("slow", ask(req, pause=1.0))
big = b"GET http://127.0.0.1:%s/ HTTP/1.1\r\nX: " % sys.argv[1].encode() + b"a" * (1 << 20) + b"\r\n\r\n"
s = socket.create_connection(proxy, timeout=20)
try:
    s.sendall(big)
except OSError:
    pass
print("big", s.recv(4096).split(b"\r\n")[0].decode())
print("after", ask(req))
# what is not a proxy request: 400; a listed host that does not answer: 502
print("garbage", ask(b"hello\r\n\r\n"))
print("origin form", ask(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n"))
print("bad port", ask(b"CONNECT 127.0.0.1:99999 HTTP/1.1\r\n\r\n"))
print("closed", ask(b"CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n"))
# a body after the header goes on to the host (here: a method it refuses)
print("post", ask(("POST http://127.0.0.1:%s/x HTTP/1.1\r\nHost: x\r\nProxy-Connection: keep-alive\r\nContent-Length: 2\r\n\r\nhi" % sys.argv[1]).encode()))
PY
	assert_output $'served HTTP/1.0 200 OK\nslow HTTP/1.0 200 OK\nbig HTTP/1.1 431 Request Header Fields Too Large\nafter HTTP/1.0 200 OK\ngarbage HTTP/1.1 400 Bad Request\norigin form HTTP/1.1 400 Bad Request\nbad port HTTP/1.1 400 Bad Request\nclosed HTTP/1.1 502 Bad Gateway\npost HTTP/1.0 501 Unsupported method (\'POST\')'
}

@test "thousands of connections in a row leak no descriptor in the proxy" {
	SBX_NETWORK=registry.npmjs.org run -0 python3 -c 'pass'
	pid=$(sbx_daemon)
	[ -n "$pid" ]
	SBX_NETWORK=registry.npmjs.org run -0 --separate-stderr python3 - <<'PY'
import os, socket, sys, time, urllib.parse
u = urllib.parse.urlsplit(os.environ["http_proxy"])
def one():
    s = socket.create_connection((u.hostname, u.port), timeout=20)
    s.sendall(b"CONNECT example.com:443 HTTP/1.1\r\n\r\n")
    while s.recv(4096):
        pass
    s.close()
for _ in range(3000):
    one()
print("done")
PY
	assert_output done
	# 3000 refusals: 20 lines, then one that says more were not shown
	assert_equal "${#stderr_lines[@]}" 21
	assert_equal "${stderr_lines[20]}" "sbx: python3: more connections blocked (not shown)"
	# the tool has exited: its socket is gone from the proxy too (within
	# 10 s on a loaded machine)
	# (the shared namespaces it keeps aside, per confinement: network,
	# user, mount with its ruleset, the mounts file it watches, and the
	# key that names a slot of them; the policies cached, each with its
	# watch and mount table, and the secret of their messages)
	for _ in $(seq 100); do
		n=$(find /proc/"$pid"/fd -mindepth 1 -printf '%l\n' |
			grep -cv '^\(net:\|user:\|mnt:\|anon_inode:\[landlock-ruleset\]\|/proc/[0-9]*/mounts\|/memfd:sbx-[0-9a-f]* (deleted)\|/memfd:sbx-pc (deleted)\|/memfd:sbx-token (deleted)\|anon_inode:inotify\|/proc/[0-9]*/mountinfo\|pipe:\[[0-9]*\]\)')
		[ "$n" -le 8 ] && break
		sleep 0.1
	done
	[ "$n" -le 8 ] || fail "the proxy holds $n descriptors: $(ls -l /proc/"$pid"/fd)"
}

@test "the proxy's name held by another user or by a confined tool: the tool is refused, never served by it" {
	# defends: abstract socket names have no owner; whoever binds the name
	# first would get every later tool's listener and stderr
	pkill -u "$(id -u)" -f '^sbx proxy-daemon$' || true
	sleep 0.3
	# the daemon of this pid and user namespace
	ino=$(stat -L -c %i /proc/self/ns/pid)-$(stat -L -c %i /proc/self/ns/user)
	squat='import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("\0sbx-proxy-4-%s-%s-%s" % (sys.argv[1], sys.argv[2], sys.argv[4])); s.listen(8)
open(sys.argv[3], "w").close()
while True:  # a fake proxy: takes what a shim hands over, says yes
    c = s.accept()[0]
    msg, fds, flags, addr = socket.recv_fds(c, 65536, 8)
    if fds:
        open(sys.argv[3] + ".got", "w").write(str(len(fds)))
        c.send(b"k")'
	# a confined tool of ours with the network on (that does not start a
	# daemon first: SBX_SHARE=0)
	exe=$(stat -L -c %d-%i "$SBX")
	SBX_SHARE=0 SBX_NETWORK=on python3 -c "$squat" "$(id -u)" "$ino" "$WS/held" "$exe" 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	for _ in $(seq 100); do [ -e "$WS/held" ] && break; sleep 0.05; done
	SBX_NETWORK=registry.npmjs.org run -126 --separate-stderr python3 -c 'print("ran")'
	assert_output ""
	[[ "$stderr" == *"the proxy's socket is held by a process that is not a proxy of yours"* ]]
	assert_file_not_exists "$WS/held.got"
	# network off: no shared loopback from it; a loopback of the tool's
	# own, quietly
	run -0 --separate-stderr python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
socket.create_connection(s.getsockname()); print("own loopback")'
	assert_output "own loopback"
	assert_equal "$stderr" ""
	assert_file_not_exists "$WS/held.got"
	stop_servers
	# another user (root's name, taken by sbx-ci)
	if [ "$(id -u)" = 0 ] && id sbx-ci >/dev/null 2>&1; then
		rm -f "$ROOT/held"
		chmod 777 "$ROOT"
		/usr/sbin/runuser -u sbx-ci -- "$PY" -c "$squat" 0 "$ino" "$ROOT/held" "$exe" 3>&- &
		SERVER_PIDS="${SERVER_PIDS:-} $!"
		for _ in $(seq 100); do [ -e "$ROOT/held" ] && break; sleep 0.05; done
		SBX_NETWORK=registry.npmjs.org run -126 python3 -c 'print("ran")'
		refute_output --partial ran
		assert_file_not_exists "$ROOT/held.got"
		stop_servers
		pkill -u sbx-ci -f 'sbx-proxy-4' || true
	fi
}

@test "one tool's connections are bounded: the 257th at once gets a 503, others are still served" {
	"$PY" -c '
import socket, sys, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1024)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    held.append(s.accept()[0])' "$ROOT/port" 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	for _ in $(seq 100); do [ -s "$ROOT/port" ] && break; sleep 0.05; done
	port=$(cat "$ROOT/port")
	SBX_NETWORK="127.0.0.1:$port" run -0 python3 - "$port" <<'PY'
import os, socket, sys, urllib.parse
u = urllib.parse.urlsplit(os.environ["http_proxy"])
codes = {}
conns = []
for _ in range(300):
    c = socket.create_connection((u.hostname, u.port), timeout=10)
    c.sendall(("CONNECT 127.0.0.1:%s HTTP/1.1\r\n\r\n" % sys.argv[1]).encode())
    code = c.recv(64).split(b" ")[1].decode()
    codes[code] = codes.get(code, 0) + 1
    conns.append(c)
print(sorted(codes.items()))
PY
	assert_output "[('200', 256), ('503', 44)]"
}

@test "a listed name whose address is this machine or a metadata service is refused (DNS rebinding)" {
	[ "$(id -u)" = 0 ] || skip "root only: the test names hosts in /etc/hosts"
	start_server http
	cp /etc/hosts "$ROOT/hosts.orig"
	printf '127.0.0.1 sbx-lo.test\n::ffff:0.0.0.0 sbx-mapped.test\n169.254.169.254 sbx-meta.test\n' >>/etc/hosts
	SBX_NETWORK="sbx-lo.test:$PORT, sbx-mapped.test:$PORT, sbx-meta.test, 127.0.0.1:$PORT" run -0 python3 - "$PORT" <<'PY'
import os, socket, sys, urllib.parse
u = urllib.parse.urlsplit(os.environ["http_proxy"])
for host in ("sbx-lo.test:" + sys.argv[1], "sbx-mapped.test:" + sys.argv[1], "sbx-meta.test:80", "127.0.0.1:" + sys.argv[1]):
    s = socket.create_connection((u.hostname, u.port), timeout=20)
    s.sendall(("GET http://%s/ HTTP/1.1\r\nHost: x\r\n\r\n" % host).encode())
    print(host.split(":")[0], s.recv(64).split(b"\r\n")[0].decode())
PY
	assert_output $'sbx-lo.test HTTP/1.1 502 Bad Gateway\nsbx-mapped.test HTTP/1.1 502 Bad Gateway\nsbx-meta.test HTTP/1.1 502 Bad Gateway\n127.0.0.1 HTTP/1.0 200 OK'
}

@test "a newline in the tool's name or a config's path adds no host to the proxy's list" {
	start_server http
	listed=$PORT
	start_server http
	other=$PORT
	name=$'t\n0\n\n127.0.0.1:'"$other"$'\tinjected'
	printf '#!/bin/sh\nexec curl -sS -o /dev/null -w "%%{http_code}" "$@"\n' >"$name"
	chmod +x "$name"
	SBX_NETWORK="127.0.0.1:$listed" run "$SBX" run "./$name" "http://127.0.0.1:$other/"
	assert_output --partial 403
	SBX_NETWORK="127.0.0.1:$listed" run -0 "$SBX" run "./$name" "http://127.0.0.1:$listed/"
	assert_output --partial 200
}
