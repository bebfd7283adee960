/*
 * threads.c - the threads a run can start (see threads.h).
 *
 * The program's own pthread_create stands in front of the C library's
 * (the executable's symbols come first, so libgomp calls this one); it
 * hands every call on and, when one fails, ends the run in one line.
 * The probe starts threads with the stack libgomp gives its own (the
 * default, or OMP_STACKSIZE / GOMP_STACKSIZE), holds them all at once as
 * a team would, then lets them go.
 */
#define _GNU_SOURCE 1	/* RTLD_NEXT */
#include <config.h>

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"
#include "threads.h"

typedef int create_fn(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

#ifdef RTLD_NEXT
static create_fn *
real_create(void)
{
	static create_fn *real;

	if (real == NULL) {
		void *p = dlsym(RTLD_NEXT, "pthread_create");
		memcpy(&real, &p, sizeof real);	/* POSIX: a data pointer to a function's */
	}
	return real;
}

int
pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	create_fn *real = real_create();
	int rc = real != NULL ? real(t, attr, fn, arg) : EAGAIN;

	if (rc != 0) {
		/* Async-signal-safe from here: the caller may hold any lock. */
		static const char msg[] = "gmmfit: out of memory: a thread cannot start "
					  "(try --threads 1, or a larger ulimit -v)\n";
		outfile_remove_temporaries();
		if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
			_exit(1);
		_exit(1);
	}
	return 0;
}
#else
/* No way to reach the C library's own: no stand-in, and no probe. */
static create_fn *
real_create(void)
{
	return NULL;
}
#endif

/* libgomp's stack size: OMP_STACKSIZE (or GOMP_STACKSIZE), "N[BKMG]", K by default; 0 if unset. */
static size_t
stack_size(void)
{
	const char *s = getenv("OMP_STACKSIZE");
	char *end;
	unsigned long long v;

	if (s == NULL)
		s = getenv("GOMP_STACKSIZE");
	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return 0;
	while (isspace((unsigned char)*end))
		end++;
	switch (tolower((unsigned char)*end)) {
	case 'b': break;
	case 'm': v <<= 20; break;
	case 'g': v <<= 30; break;
	default: v <<= 10; break;
	}
	return (size_t)v;
}

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

/* A probe thread: waits at the gate until all are made, then ends. */
static void *
wait_at_gate(void *arg)
{
	pthread_mutex_lock(&gate);
	pthread_mutex_unlock(&gate);
	return arg;
}

int
threads_usable(int want)
{
	create_fn *real = real_create();
	pthread_attr_t attr, *ap = NULL;
	pthread_t *t;
	size_t stack = stack_size();
	int made = 0;

	if (want <= 1 || real == NULL)
		return want < 1 ? 1 : want;
	if ((t = malloc((size_t)(want - 1) * sizeof *t)) == NULL)
		return 1;
	if (stack > 0 && pthread_attr_init(&attr) == 0) {
		if (pthread_attr_setstacksize(&attr, stack) == 0)
			ap = &attr;
		else
			pthread_attr_destroy(&attr);
	}
	pthread_mutex_lock(&gate);
	while (made < want - 1 && real(&t[made], ap, wait_at_gate, NULL) == 0)
		made++;
	pthread_mutex_unlock(&gate);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	if (ap != NULL)
		pthread_attr_destroy(ap);
	free(t);
	return made + 1;
}
