/*
 * landlock.h - our own Landlock definitions (Debian 12's header stops at
 * ABI 2; the kernels we meet go to ABI 7), and the pure access-mask logic,
 * unit-tested with the ABI as a parameter.
 */
#ifndef SBX_LANDLOCK_H
#define SBX_LANDLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2

/* Filesystem rights, by the ABI that brought them. */
#define LL_FS_EXECUTE (1ULL << 0) /* ABI 1 */
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR (1ULL << 6)
#define LL_FS_MAKE_DIR (1ULL << 7)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_MAKE_SOCK (1ULL << 9)
#define LL_FS_MAKE_FIFO (1ULL << 10)
#define LL_FS_MAKE_BLOCK (1ULL << 11)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)     /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */

#define LL_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)

#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)

/* The highest ABI whose rights sbx knows; newer kernels get these. */
#define LL_ABI_KNOWN 7

/* Rights that apply to a file (not a directory) in a rule. */
#define LL_FS_FILE_RIGHTS                                                      \
	(LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | \
	 LL_FS_IOCTL_DEV)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

/* What one ruleset handles and what each kind of rule grants, for an ABI. */
struct ll_masks {
	uint64_t handled_fs;
	uint64_t handled_net; /* 0: the network is not handled */
	uint64_t scoped;
	uint64_t read;	     /* on "/" */
	uint64_t write_root; /* on each writable root */
	uint64_t device;     /* on /dev/null, /dev/tty, /dev/pts, ... */
};

/* Fills M for a kernel at ABI (>= 1), with the network off or on. */
void ll_masks_for(int abi, bool network_off, struct ll_masks *m);

#endif
