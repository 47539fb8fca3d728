"""audit.py on|off|get: the kernel's audit switch (audit_enabled), through
the audit netlink socket, as auditctl -e does (root). get prints 0 or 1."""
import socket
import struct
import sys

AUDIT_GET, AUDIT_SET, NLM_F_REQUEST, NLM_F_ACK = 1000, 1001, 1, 4
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)  # NETLINK_AUDIT
s.bind((0, 0))
if sys.argv[1] in ("on", "off"):
    # struct audit_status: mask (AUDIT_STATUS_ENABLED), enabled, ...
    body = struct.pack("8I", 1, int(sys.argv[1] == "on"), 0, 0, 0, 0, 0, 0) + bytes(12)
    s.send(struct.pack("IHHII", 16 + len(body), AUDIT_SET, NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body)
    err = struct.unpack("i", s.recv(8192)[16:20])[0]
    sys.exit(1 if err else 0)
s.send(struct.pack("IHHII", 16, AUDIT_GET, NLM_F_REQUEST | NLM_F_ACK, 1, 0))
while True:
    d = s.recv(8192)
    if struct.unpack("IHHII", d[:16])[1] == AUDIT_GET:
        print(struct.unpack("8I", d[16:48])[1])
        break
