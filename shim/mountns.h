/* mountns.h - the private read-only view of the filesystem (Linux). */
#ifndef SBX_MOUNTNS_H
#define SBX_MOUNTNS_H

#include <stddef.h>

#include "policy.h"

/*
 * Moves the process into a mount namespace of its own (and a user namespace
 * when not root) where everything is read-only but P's writable roots, the
 * protected paths are read-only again and the hidden paths are covered.
 * Returns 0; 1 when the kernel refuses a namespace (ERR says why: Landlock
 * alone then); -1 when building it failed half-way (fatal; ERR says why).
 */
int mountns_build(const struct policy *p, char *err, size_t errlen);

/* NULL when a namespace can be made here, else why not (for explain). */
const char *mountns_probe(void);

#endif
