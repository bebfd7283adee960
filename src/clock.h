/*
 * clock.h - a monotonic wall clock in seconds, for --timing, progress
 * and the benchmark; never for anything that is written as a result.
 */
#ifndef GMMFIT_CLOCK_H
#define GMMFIT_CLOCK_H

#include <time.h>

static inline double
clock_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
