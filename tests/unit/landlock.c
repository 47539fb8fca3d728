/* Unit tests: the Landlock access masks, for every ABI. */
#include "landlock.h"
#include "tap.h"

int main(void)
{
	struct ll_masks m;
	const uint64_t abi1 = (1ULL << 13) - 1;

	for (int abi = 1; abi <= 8; abi++) {
		ll_masks_for(abi, true, &m);
		ok(((m.handled_fs & abi1) == abi1),
		   "ABI %d handles the ABI 1 rights", abi);
		ok(!!(m.handled_fs & LL_FS_REFER) == (abi >= 2),
		   "ABI %d: refer", abi);
		ok(!!(m.handled_fs & LL_FS_TRUNCATE) == (abi >= 3),
		   "ABI %d: truncate", abi);
		ok(!!(m.handled_fs & LL_FS_IOCTL_DEV) == (abi >= 5),
		   "ABI %d: ioctl_dev", abi);
		ok((m.handled_net != 0) == (abi >= 4),
		   "ABI %d: TCP handled with network off", abi);
		ok((m.scoped != 0) == (abi >= 6), "ABI %d: scoping", abi);
		ok((m.handled_fs & ~((1ULL << 16) - 1)) == 0,
		   "ABI %d: no unknown right", abi);
		ok(!(m.write_root & (LL_FS_MAKE_CHAR | LL_FS_MAKE_BLOCK)),
		   "ABI %d: no device nodes in writable roots", abi);
		ok((m.write_root | LL_FS_MAKE_CHAR | LL_FS_MAKE_BLOCK) ==
			   m.handled_fs,
		   "ABI %d: every other right on writable roots", abi);
		ok((m.read & ~m.handled_fs) == 0 &&
			   (m.write_root & ~m.handled_fs) == 0 &&
			   (m.device & ~m.handled_fs) == 0,
		   "ABI %d: rules grant only handled rights", abi);
		ok(m.read == (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR),
		   "ABI %d: / is read and execute only", abi);
		ok(!(m.device &
		     (LL_FS_EXECUTE | LL_FS_MAKE_REG | LL_FS_REMOVE_FILE)),
		   "ABI %d: devices are read, write and ioctl only", abi);
		ll_masks_for(abi, false, &m);
		ok(m.handled_net == 0, "ABI %d: network on: TCP not handled",
		   abi);
	}
	ll_masks_for(6, true, &m);
	ok(m.scoped == (LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL),
	   "ABI 6 scopes signals and abstract sockets");
	ok(m.handled_net == (LL_NET_BIND_TCP | LL_NET_CONNECT_TCP),
	   "ABI 6 handles TCP bind and connect");
	return done_testing();
}
