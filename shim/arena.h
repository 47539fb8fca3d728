/*
 * arena.h - the musl build's malloc (arena-musl.c): a static arena first,
 * musl's malloc once it is used up.
 */
#ifndef SBX_ARENA_H
#define SBX_ARENA_H

#include <stdbool.h>
#include <stddef.h>

/* A shim allocates ~40 KB (its policy, PATH, environment): a MB leaves
 * room for large configurations before musl's malloc takes over. */
#define ARENA_SIZE (1024 * 1024)

/* Tests: bytes the arena has left, and whether P is one of its blocks. */
size_t arena_left(void);
bool arena_holds(const void *p);

#endif
