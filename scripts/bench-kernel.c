/*
 * bench-kernel.c - the lower bound for `make bench`: a bare fused EM pass
 * for a 1-D, K = 2 mixture (log-densities, log-sum-exp, responsibilities
 * and sufficient statistics in one loop, vectorisable exp and log, all
 * threads), with none of gmmfit's bookkeeping: no blocks, no centred
 * statistics, no fixed summation order.  gmmfit's pass is measured
 * against it.
 *
 *   bench-kernel N [PASSES]   prints the median seconds of one pass
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rng.h"
#include "vmath.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	int passes = argc > 2 ? atoi(argv[2]) : 20;
	double *x = malloc(n * sizeof *x), *t = malloc((size_t)passes * sizeof *t);
	double mu[2] = { 163.8, 178.0 }, var[2] = { 6.0, 30.0 }, w[2] = { 0.12, 0.88 };
	struct rng r;
	long i;

	if (x == NULL || t == NULL || passes < 1)
		return 1;
	rng_seed(&r, 1);
	for (size_t k = 0; k < n; k++) {
		int j = rng_uniform(&r) < w[0] ? 0 : 1;
		x[k] = mu[j] + sqrt(var[j]) * rng_normal(&r);
	}
	for (int p = 0; p < passes; p++) {
		double a0 = log(w[0]) - 0.5 * log(2 * 3.141592653589793 * var[0]), b0 = -0.5 / var[0];
		double a1 = log(w[1]) - 0.5 * log(2 * 3.141592653589793 * var[1]), b1 = -0.5 / var[1];
		double ll = 0, s00 = 0, s01 = 0, s02 = 0, s10 = 0, s11 = 0, s12 = 0, t0 = now();

#pragma omp parallel for simd reduction(+:ll, s00, s01, s02, s10, s11, s12)
		for (i = 0; i < (long)n; i++) {
			double l0 = a0 + b0 * (x[i] - mu[0]) * (x[i] - mu[0]);
			double l1 = a1 + b1 * (x[i] - mu[1]) * (x[i] - mu[1]);
			double m = l0 > l1 ? l0 : l1;
			double e0 = vm_exp(l0 - m), e1 = vm_exp(l1 - m), s = e0 + e1;
			double r0 = e0 / s, r1 = e1 / s;
			ll += m + vm_log(s);
			s00 += r0;
			s01 += r0 * x[i];
			s02 += r0 * x[i] * x[i];
			s10 += r1;
			s11 += r1 * x[i];
			s12 += r1 * x[i] * x[i];
		}
		t[p] = now() - t0;
		/* An M step, so the passes are real iterations. */
		mu[0] = s01 / s00;
		mu[1] = s11 / s10;
		var[0] = s02 / s00 - mu[0] * mu[0];
		var[1] = s12 / s10 - mu[1] * mu[1];
		w[0] = s00 / (s00 + s10);
		w[1] = 1 - w[0];
		if (!isfinite(ll))
			return 1;
	}
	qsort(t, (size_t)passes, sizeof *t, cmp);
	printf("%.9f\n", t[passes / 2]);
	free(x);
	free(t);
	return 0;
}
