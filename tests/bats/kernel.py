"""Asks the kernel, not sbx, what it offers: the tests' require_abi and
require_namespace must not believe the binary under test (a bug in its
detection would turn failures into skips).

    kernel.py landlock     prints the Landlock ABI (0: none)
    kernel.py namespace    exit 0 when a private mount namespace can be
                           made here as sbx makes it (root with
                           CAP_SYS_ADMIN: a mount namespace; anyone else:
                           a user namespace mapping the uid and gid 1:1),
                           and mounts in it; else prints why, exit 1
"""
import ctypes
import errno
import os
import sys

SYS_LANDLOCK_CREATE_RULESET = 444  # the same on every architecture
LANDLOCK_CREATE_RULESET_VERSION = 1
CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
CAP_SYS_ADMIN = 21

libc = ctypes.CDLL(None, use_errno=True)


def landlock_abi():
    libc.syscall.restype = ctypes.c_long
    r = libc.syscall(ctypes.c_long(SYS_LANDLOCK_CREATE_RULESET), None,
                     ctypes.c_size_t(0),
                     ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(r, 0)


def have_sys_admin():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> CAP_SYS_ADMIN & 1)
    return False


def namespace_child():
    uid, gid = os.geteuid(), os.getegid()
    if not (have_sys_admin() and libc.unshare(CLONE_NEWNS) == 0):
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0:
            return "unshare: " + os.strerror(ctypes.get_errno())
        try:
            with open("/proc/self/uid_map", "w") as f:
                f.write("%d %d 1\n" % (uid, uid))
            try:
                with open("/proc/self/setgroups", "w") as f:
                    f.write("deny")
            except FileNotFoundError:
                pass
            with open("/proc/self/gid_map", "w") as f:
                f.write("%d %d 1\n" % (gid, gid))
        except OSError as e:
            return "id maps: " + e.strerror
    # what AppArmor's restriction of user namespaces refuses
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) < 0:
        return "mount: " + os.strerror(ctypes.get_errno())
    return None


def namespace():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        why = namespace_child()
        os.write(w, (why or "").encode())
        os._exit(1 if why else 0)
    os.close(w)
    why = os.read(r, 512).decode()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        print(why or "the probe failed")
        return 1
    return 0


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "landlock":
        print(landlock_abi())
    elif what == "namespace":
        sys.exit(namespace())
    else:
        sys.exit(__doc__)
