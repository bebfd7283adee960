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

#include "clock.h"
#include "rng.h"
#include "vmath.h"

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * One fused pass: st = loglik, then s0, s1, s2 of each component.  The
 * loop body is all arithmetic on the row, so it vectorises (an x86-64-v3
 * clone, AVX2 and FMA, where the processor has it, as gmmfit's kernels),
 * and the rows are split over the threads.
 */
#if defined(__GNUC__) && defined(__x86_64__) && defined(HAVE_TARGET_CLONES_V3)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#elif defined(__GNUC__) && defined(__x86_64__) && defined(HAVE_TARGET_CLONES)
__attribute__((target_clones("avx2", "default")))
#endif
static void
pass(const double *x, size_t n, const double *mu, const double *var, const double *w,
     double *st)
{
	const double a0 = log(w[0]) - 0.5 * log(2 * 3.141592653589793 * var[0]), b0 = -0.5 / var[0];
	const double a1 = log(w[1]) - 0.5 * log(2 * 3.141592653589793 * var[1]), b1 = -0.5 / var[1];
	const double m0 = mu[0], m1 = mu[1];
	double ll = 0, s00 = 0, s01 = 0, s02 = 0, s10 = 0, s11 = 0, s12 = 0;
	long i;

#pragma omp parallel for simd reduction(+:ll, s00, s01, s02, s10, s11, s12)
	for (i = 0; i < (long)n; i++) {
		double xi = x[i];
		double l0 = a0 + b0 * (xi - m0) * (xi - m0);
		double l1 = a1 + b1 * (xi - m1) * (xi - m1);
		double m = l0 > l1 ? l0 : l1;
		double e0 = vm_exp(l0 - m), e1 = vm_exp(l1 - m), s = e0 + e1, is = 1.0 / s;
		double r0 = e0 * is, r1 = e1 * is;
		ll += m + vm_log(s);
		s00 += r0;
		s01 += r0 * xi;
		s02 += r0 * xi * xi;
		s10 += r1;
		s11 += r1 * xi;
		s12 += r1 * xi * xi;
	}
	st[0] = ll;
	st[1] = s00;
	st[2] = s01;
	st[3] = s02;
	st[4] = s10;
	st[5] = s11;
	st[6] = s12;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	int passes = argc > 2 ? atoi(argv[2]) : 20;
	double *x = malloc(n * sizeof *x), *t = malloc((size_t)passes * sizeof *t);
	double mu[2] = { 163.8, 178.0 }, var[2] = { 6.0, 30.0 }, w[2] = { 0.12, 0.88 };
	struct rng r;

	if (x == NULL || t == NULL || passes < 1)
		return 1;
	rng_seed(&r, 1);
	for (size_t k = 0; k < n; k++) {
		int j = rng_uniform(&r) < w[0] ? 0 : 1;
		x[k] = mu[j] + sqrt(var[j]) * rng_normal(&r);
	}
	for (int p = 0; p < passes; p++) {
		double st[7], t0 = clock_seconds();

		pass(x, n, mu, var, w, st);
		t[p] = clock_seconds() - t0;
		/* An M step, so the passes are real iterations. */
		mu[0] = st[2] / st[1];
		mu[1] = st[5] / st[4];
		var[0] = st[3] / st[1] - mu[0] * mu[0];
		var[1] = st[6] / st[4] - mu[1] * mu[1];
		w[0] = st[1] / (st[1] + st[4]);
		w[1] = 1 - w[0];
		if (!isfinite(st[0]))
			return 1;
	}
	qsort(t, (size_t)passes, sizeof *t, cmp);
	printf("%.9f\n", t[passes / 2]);
	free(x);
	free(t);
	return 0;
}
