/*
 * failmalloc.c - an LD_PRELOAD shim for tests/nomem.test: from the
 * FAILMALLOC_NTH-th call of malloc, calloc or realloc on, every one fails
 * (ENOMEM), as when memory runs out for good.  Without FAILMALLOC_NTH it
 * only counts, and with FAILMALLOC_COUNT set it prints the count at exit,
 * so a test knows how many allocations a run makes.  glibc only: it hands
 * on to __libc_malloc and friends.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);

static atomic_long calls;
static long from = -1;		/* the first call that fails; -1: none */
static atomic_int ready;

static int
fails(void)
{
	long c;

	if (!atomic_load(&ready)) {
		const char *s = getenv("FAILMALLOC_NTH");
		from = s != NULL ? atol(s) : -1;
		atomic_store(&ready, 1);
	}
	c = atomic_fetch_add(&calls, 1) + 1;
	if (from > 0 && c >= from) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *
malloc(size_t n)
{
	return fails() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	return fails() ? NULL : __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	return fails() ? NULL : __libc_realloc(p, n);
}

__attribute__((destructor)) static void
report(void)
{
	if (getenv("FAILMALLOC_COUNT") != NULL) {
		char b[64];
		int n = snprintf(b, sizeof b, "failmalloc: %ld\n", (long)atomic_load(&calls));
		if (n > 0 && write(STDERR_FILENO, b, (size_t)n) < 0)
			return;
	}
}
