/*
 * threads.h - the threads a run can start.
 *
 * OpenMP's runtime (libgomp) has no way back when it cannot create a
 * thread: under an address-space limit (ulimit -v) with no room for one
 * more stack it prints its own message and exits.  So, before the work,
 * threads_usable tries as many threads as the run will want and the run
 * settles for those that started (the results never depend on their
 * number); and a thread that cannot be created later still ends the run
 * as out of memory: one "gmmfit: out of memory" line, status 1, and the
 * temporaries of the outputs removed.
 */
#ifndef GMMFIT_THREADS_H
#define GMMFIT_THREADS_H

/* How many threads, from 1 to want, can run at once now (the caller's among them). */
int threads_usable(int want);

#endif
