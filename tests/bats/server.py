"""A test server, run outside any sandbox: server.py KIND READYFILE [NAME].

Listens on loopback only, writes its port (or abstract name) to READYFILE,
answers forever until killed. KIND: tcp4, tcp6, udp4, http, http11 (keeps
connections open), abstract.
"""
import http.server
import os
import socket
import sys

kind, ready = sys.argv[1], sys.argv[2]


def announce(what):
    tmp = ready + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(what))
    os.rename(tmp, ready)


if kind in ("http", "http11"):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if kind == "http11" else "HTTP/1.0"

        def log_message(self, *a):
            pass
    srv = http.server.HTTPServer(("127.0.0.1", 0), Quiet)
    announce(srv.server_address[1])
    srv.serve_forever()
elif kind == "udp4":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    announce(s.getsockname()[1])
    while True:
        s.recvfrom(100)
        open(ready + ".got", "w").close()
else:
    if kind == "tcp4":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
    elif kind == "tcp6":
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
    elif kind == "abstract":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind("\0" + sys.argv[3])
    s.listen(16)
    announce(s.getsockname()[1] if kind != "abstract" else sys.argv[3])
    while True:
        c, _ = s.accept()
        try:
            c.sendall(b"hello\n")
        except OSError:
            pass  # the client left first
        c.close()
