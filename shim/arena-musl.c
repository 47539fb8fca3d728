/*
 * arena-musl.c - malloc for the musl build: the first MB comes from a
 * static arena, bumped and never reused; the rest from musl's own malloc
 * (mallocng).
 *
 * Why: a shim lives a millisecond and then execs; musl's mallocng gets
 * its memory a group at a time, one mmap (and often a munmap) per size
 * class, ~15 system calls per exec of a shim, and its start-up brk. Bumped
 * from zeroed static memory, a shim makes none: measured 60 us less per
 * exec (bench/README.md). Memory freed in the arena is not reused: a
 * long-lived sbx (the proxy daemon, sbx log -f) loses at most the arena
 * once, then mallocng serves it as before. Not built for glibc (whose
 * malloc AddressSanitizer replaces: make check-asan).
 *
 * Thread-safe: the proxy daemon has threads (a compare-and-swap bump).
 * musl's internal __libc_malloc callers go to mallocng directly, whose
 * pointers are never inside the arena, so free() tells them apart.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* musl's allocator, under its internal names (libc.a, mallocng) */
void *__libc_malloc_impl(size_t n);
void *__libc_realloc(void *p, size_t n);
void *__libc_calloc(size_t m, size_t n);
void __libc_free(void *p);

/* every block is 16-aligned and starts with its size (for realloc) */
struct head {
	size_t n;
	size_t pad;
};

static _Alignas(16) unsigned char arena[ARENA_SIZE];
static size_t used; /* bytes handed out, only ever growing */

static bool in_arena(const void *p)
{
	return (const unsigned char *)p >= arena &&
	       (const unsigned char *)p < arena + sizeof(arena);
}

/* N bytes from the arena (zeroed: never handed out before), or NULL when
 * it has no room left. */
static void *bump(size_t n)
{
	size_t need, at, next;

	if (n > sizeof(arena))
		return NULL;
	need = (sizeof(struct head) + n + 15) & ~(size_t)15;
	at = __atomic_load_n(&used, __ATOMIC_RELAXED);
	do {
		if (need > sizeof(arena) - at)
			return NULL;
		next = at + need;
	} while (!__atomic_compare_exchange_n(&used, &at, next, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	((struct head *)(arena + at))->n = n;
	return arena + at + sizeof(struct head);
}

size_t arena_left(void)
{
	return sizeof(arena) - __atomic_load_n(&used, __ATOMIC_RELAXED);
}

bool arena_holds(const void *p)
{
	return in_arena(p);
}

void *malloc(size_t n)
{
	void *p = bump(n);

	return p ? p : __libc_malloc_impl(n);
}

void *calloc(size_t m, size_t n)
{
	void *p;

	if (n && m > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	p = bump(m * n); /* zero: the arena's memory is never reused */
	return p ? p : __libc_calloc(m, n);
}

void free(void *p)
{
	if (p && !in_arena(p))
		__libc_free(p);
}

void *realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (!p || !in_arena(p))
		return p ? __libc_realloc(p, n) : malloc(n);
	old = ((struct head *)p - 1)->n;
	if (n <= old)
		return p;
	q = malloc(n);
	if (q)
		memcpy(q, p, old);
	return q;
}
