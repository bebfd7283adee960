/*
 * truncmap.c - a shim for tests/input.test, loaded with LD_PRELOAD: the
 * moment the program maps the file named by TRUNCMAP_FILE, that file is
 * truncated to TRUNCMAP_SIZE bytes, as another process could do at that
 * moment, and TRUNCMAP_FILE.done is created to say it happened (the test
 * skips when it did not: a static build, or no mapped read).
 *
 * This makes the race of a file shrinking under a mapped read happen
 * every time, at the worst point: after the mapping is made, before any
 * page of it is read.  It is not part of gmmfit; gmmfit has no test hook.
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	static int done;
	const char *path = getenv("TRUNCMAP_FILE"), *size = getenv("TRUNCMAP_SIZE");
	struct stat a, b;
	void *m;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "mmap");
	m = real(addr, len, prot, flags, fd, off);
	if (m == MAP_FAILED || done || fd < 0 || path == NULL || size == NULL)
		return m;
	if (fstat(fd, &a) != 0 || stat(path, &b) != 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino)
		return m;
	done = 1;
	if (truncate(path, (off_t)atoll(size)) == 0) {
		char mark[4096];
		int f;
		snprintf(mark, sizeof mark, "%s.done", path);
		f = open(mark, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (f >= 0)
			close(f);
	}
	return m;
}
