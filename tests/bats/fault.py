"""Runs a command with chosen system calls failing, as a kernel without the
feature (or a failure half-way) would: fault injection for sbx's fail-closed
paths.

    fault.py RULE... -- CMD [ARG]...

RULE is SYSCALL=ERRNO (always), or SYSCALL:aN==V=ERRNO / SYSCALL:aN!=V=ERRNO
(only when argument N is, or is not, V), or SYSCALL:aN&M==V=ERRNO (when its
bits M are V: an ioctl request is an int, sign-extended or not). Example:
unshare=EPERM.
"""
import errno
import os
import sys

import seccomp

sep = sys.argv.index("--")
f = seccomp.SyscallFilter(seccomp.ALLOW)
for rule in sys.argv[1:sep]:
    what, err = rule.rsplit("=", 1)
    action = seccomp.ERRNO(getattr(errno, err))
    if ":" in what:
        name, cond = what.split(":")
        op = seccomp.EQ if "==" in cond else seccomp.NE
        arg, val = cond.split("==" if op == seccomp.EQ else "!=")
        if "&" in arg:
            arg, mask = arg.split("&")
            f.add_rule(action, name, seccomp.Arg(int(arg[1:]), seccomp.MASKED_EQ,
                                                 int(mask, 0), int(val, 0)))
        else:
            f.add_rule(action, name, seccomp.Arg(int(arg[1:]), op, int(val, 0)))
    else:
        f.add_rule(action, what)
f.load()
os.execvp(sys.argv[sep + 1], sys.argv[sep + 1:])
