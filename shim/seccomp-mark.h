/* seccomp-mark.h - how a process tells it runs in sbx's sandbox (Linux). */
#ifndef SBX_SECCOMP_MARK_H
#define SBX_SECCOMP_MARK_H

/* prctl(SBX_PRCTL_MARK, 0, 0, 0, 0) fails with ENOTRECOVERABLE under sbx's
 * seccomp filter; the kernel itself answers EINVAL ("SBX1"). */
#define SBX_PRCTL_MARK 0x53425831UL

#endif
