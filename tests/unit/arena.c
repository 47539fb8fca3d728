/* Unit tests: the musl build's malloc (shim/arena-musl.c). Blocks come
 * from the arena, aligned and zeroed, until it is used up, then from
 * musl's malloc; realloc and free tell the two apart; two threads never
 * get the same memory. The glibc build has no arena: skipped. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "arena.h"
#include "tap.h"

/* weak: the glibc build links no arena */
size_t arena_left(void) __attribute__((weak));
bool arena_holds(const void *p) __attribute__((weak));

enum { PER_THREAD = 2000 };

/* called through pointers: the compiler's knowledge of malloc (a freed
 * block is never read, a size never overflows) is what is tested here */
static void *(*volatile m_alloc)(size_t) = malloc;
static void *(*volatile c_alloc)(size_t, size_t) = calloc;
static void *(*volatile r_alloc)(void *, size_t) = realloc;
static void (*volatile f_ree)(void *) = free;
static bool (*volatile holds)(const void *);

static void *fill(void *arg)
{
	unsigned char **v = arg, id = (unsigned char)(uintptr_t)v[0];

	for (int i = 1; i <= PER_THREAD; i++) {
		v[i] = m_alloc(24);
		if (v[i])
			memset(v[i], id, 24);
	}
	return NULL;
}

static bool all_bytes(const unsigned char *p, unsigned char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return false;
	return true;
}

int main(void)
{
	unsigned char *a, *b, *c, *big, *z;
	static unsigned char *t[2][PER_THREAD + 1];
	pthread_t th[2];
	bool apart = true;

	if (!arena_left) {
		printf("1..0 # SKIP the glibc build has no arena\n");
		return 0;
	}
	holds = arena_holds;

	a = m_alloc(10);
	b = m_alloc(1);
	ok(a && holds(a) && b && holds(b), "small blocks come from the arena");
	ok(((uintptr_t)a % 16) == 0 && ((uintptr_t)b % 16) == 0,
	   "aligned to 16 bytes");
	memcpy(a, "123456789", 10);
	f_ree(a);
	c = m_alloc(10);
	ok(c != a && strcmp((char *)a, "123456789") == 0,
	   "freed memory is not handed out again");
	z = c_alloc(100, 10);
	ok(z && all_bytes(z, 0, 1000), "calloc: zeroed");
	memset(z, 7, 1000);
	z = r_alloc(z, 5000);
	ok(z && all_bytes(z, 7, 1000), "realloc keeps the content");
	ok(r_alloc(z, 10) == z, "a realloc to less keeps the block");
	errno = 0;
	ok(c_alloc(SIZE_MAX / 2, 4) == NULL && errno == ENOMEM,
	   "calloc: an overflowing size is ENOMEM");

	th[0] = th[1] = 0;
	t[0][0] = (unsigned char *)(uintptr_t)1;
	t[1][0] = (unsigned char *)(uintptr_t)2;
	ok(pthread_create(&th[0], NULL, fill, t[0]) == 0 &&
		   pthread_create(&th[1], NULL, fill, t[1]) == 0 &&
		   pthread_join(th[0], NULL) == 0 &&
		   pthread_join(th[1], NULL) == 0,
	   "two threads allocate at once");
	for (int k = 0; k < 2; k++)
		for (int i = 1; i <= PER_THREAD; i++)
			if (!t[k][i] || !all_bytes(t[k][i], (unsigned char)(k + 1), 24))
				apart = false;
	ok(apart, "no block was handed to both threads");

	/* used up: musl's malloc takes over */
	big = m_alloc(ARENA_SIZE);
	ok(big && !holds(big), "a block larger than the arena: musl's");
	memset(big, 1, ARENA_SIZE);
	f_ree(big);
	while (arena_left() > 4096)
		if (!m_alloc(arena_left() > 65536 ? 60000 : 1000))
			break;
	a = m_alloc(8192);
	ok(a && !holds(a), "the arena used up: musl's malloc");
	memset(a, 3, 8192);
	a = r_alloc(a, 100000);
	ok(a && !holds(a) && all_bytes(a, 3, 8192),
	   "realloc of musl's block: musl's realloc");
	f_ree(a);
	memset(c, 9, 10);
	c = r_alloc(c, 200000);
	ok(c && !holds(c) && all_bytes(c, 9, 10),
	   "realloc of an arena block, the arena full: moved to musl's");
	f_ree(c);
	f_ree(NULL);
	ok(1, "free(NULL)");
	return done_testing();
}
