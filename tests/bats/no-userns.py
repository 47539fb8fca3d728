"""Runs a command where the kernel refuses new namespaces, as some
distributions do: unshare(2) fails with EPERM. Usage: no-userns.py CMD ARGS..."""
import errno
import os
import sys

import seccomp

f = seccomp.SyscallFilter(seccomp.ALLOW)
f.add_rule(seccomp.ERRNO(errno.EPERM), "unshare")
f.load()
os.execvp(sys.argv[1], sys.argv[1:])
