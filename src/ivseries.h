/*
 * ivseries.h - a standard normal in a short interval [a, b] by the series
 * in its half-width, written so that a loop over many intervals
 * vectorises (no branches, no calls: vmath.h's log, fma()).  interval.c
 * takes it for every interval it covers, and em.c's rounded E and M steps
 * run it over a block's distinct values, so both give the same bits.
 *
 * With c = (a + b) / 2 and tau = (b - a) / 2, P = Phi(b) - Phi(a) is
 * phi(c) F(c), F(c) = the integral over |s| < tau of exp(-c s - s^2 / 2).
 * The generating function of the Hermite polynomials, exp(c s - s^2 / 2)
 * = sum He_n(c) s^n / n!, integrated term by term (the odd ones vanish):
 *
 *   F = 2 tau S0,  S0 = sum_m h_2m / (2m + 1)!,  h_n = He_n(c) tau^n,
 *
 * and h_n = u h_{n-1} - (n - 1) q h_{n-2} (u = c tau, q = tau^2), the
 * Hermite recurrence scaled, whose terms stay below 1 on the region.
 * The moments follow from F's derivatives in c (He_n' = n He_{n-1}):
 * the mean of Z is c - F'/F = c - tau S1 / S0 and its variance F''/F -
 * (F'/F)^2 = tau^2 (S2 / S0 - (S1 / S0)^2), with S1 = sum 2m h_{2m-1} /
 * (2m + 1)! and S2 = sum 2m (2m - 1) h_{2m-2} / (2m + 1)!.
 *
 * The region: tau (1 + |c|) <= 1/2, that is (b - a)(1 + |c|) <= 1 (its
 * short part, to 1/8, takes IV_SERIES_M_SHORT terms, see below).
 * There |u| <= 1/2 and q <= 1/4, and the terms past m = IV_SERIES_M are
 * below 1e-17 of S0 (S0 is within 10% of 1 there; the largest neglected
 * term, at c = 0 and tau = 1/2, is 1e-18): log P = log(2 tau) + log
 * phi(c) + log S0 (one log, of 2 tau S0) to a few ulps, with no difference of two nearby CDF
 * values, which is what limits the closed form for narrow intervals.
 * tests/unit-interval.c checks all three against 30-digit references.
 */
#ifndef GMMFIT_IVSERIES_H
#define GMMFIT_IVSERIES_H

#include <math.h>

#include "vmath.h"

#define IV_SERIES_M 10		/* terms m = 0 .. IV_SERIES_M */
#define IV_LOG_SQRT_2PI 0.91893853320467274178

/* 1 / (2m + 1)!, 2m / (2m + 1)!, 2m (2m - 1) / (2m + 1)!, m = 0 .. 10 (each one rounding). */
static const double iv_k0[IV_SERIES_M + 1] = {
	1.0, 1.0 / 6.0, 1.0 / 120.0, 1.0 / 5040.0, 1.0 / 362880.0, 1.0 / 39916800.0,
	1.0 / 6227020800.0, 1.0 / 1307674368000.0, 1.0 / 355687428096000.0,
	1.0 / 121645100408832000.0, 1.0 / 51090942171709440000.0
};
static const double iv_k1[IV_SERIES_M + 1] = {
	0.0, 2.0 / 6.0, 4.0 / 120.0, 6.0 / 5040.0, 8.0 / 362880.0, 10.0 / 39916800.0,
	12.0 / 6227020800.0, 14.0 / 1307674368000.0, 16.0 / 355687428096000.0,
	18.0 / 121645100408832000.0, 20.0 / 51090942171709440000.0
};
static const double iv_k2[IV_SERIES_M + 1] = {
	0.0, 2.0 / 6.0, 12.0 / 120.0, 30.0 / 5040.0, 56.0 / 362880.0, 90.0 / 39916800.0,
	132.0 / 6227020800.0, 182.0 / 1307674368000.0, 240.0 / 355687428096000.0,
	306.0 / 121645100408832000.0, 380.0 / 51090942171709440000.0
};

/* Whether [a, b] is in the series' region (and b - a normal, so vm_log holds). */
static inline __attribute__((always_inline)) int
iv_series_covers(double a, double b)
{
	double t = b - a, c = 0.5 * (a + b);

	return (t >= 0x1p-1000) & (t * (1.0 + fabs(c)) <= 1.0);
}

/*
 * The short part of the region, (b - a)(1 + |c|) <= 1/8 (tau (1 + |c|) <=
 * 1/16), takes IV_SERIES_M_SHORT terms: the first left out, m = 6, is
 * below 1e-20 of S0 there.  Which count an interval gets depends on a and
 * b alone, so every caller gives it the same bits.
 */
#define IV_SERIES_M_SHORT 5

static inline __attribute__((always_inline)) int
iv_series_short(double a, double b)
{
	double t = b - a, c = 0.5 * (a + b);

	return (t >= 0x1p-1000) & (t * (1.0 + fabs(c)) <= 0.125);
}

/* S0, S1, S2 of [a, b] to m = nterms (S1, S2 only when all is set: the compiler drops them otherwise). */
static inline __attribute__((always_inline)) void
iv_series_sums(double c, double tau, int all, int nterms, double *s0, double *s1, double *s2)
{
	const double u = c * tau, q = tau * tau;
	double hm2 = 1.0, hm1 = u, a0 = 1.0, a1 = 0.0, a2 = 0.0;

	/* n = 2m - 1 and n = 2m in each step: h_{2m-2} = hm2, h_{2m-1} = hm1. */
#pragma GCC unroll 16
	for (int m = 1; m <= nterms; m++) {
		double h_even = fma(u, hm1, -(double)(2 * m - 1) * q * hm2);
		double h_odd = fma(u, h_even, -(double)(2 * m) * q * hm1);
		if (all) {
			a1 = fma(hm1, iv_k1[m], a1);
			a2 = fma(hm2, iv_k2[m], a2);
		}
		a0 = fma(h_even, iv_k0[m], a0);
		hm2 = h_even;
		hm1 = h_odd;
	}
	*s0 = a0;
	*s1 = a1;
	*s2 = a2;
}

/*
 * log(Phi(b) - Phi(a)) into *lp, and with all set E[Z | a < Z < b] and
 * Var[Z | a < Z < b] into *mean and *var, from nterms terms (a constant
 * where it is inlined: the loop unrolls and vectorises).
 */
static inline __attribute__((always_inline)) void
iv_series_n(double a, double b, int nterms, int all, double *lp, double *mean, double *var)
{
	const double c = 0.5 * (a + b), tau = 0.5 * (b - a);
	double s0, s1, s2, r0, r1, r2;

	iv_series_sums(c, tau, all, nterms, &s0, &s1, &s2);
	*lp = vm_log((b - a) * s0) + (-0.5 * c * c - IV_LOG_SQRT_2PI);
	if (!all)
		return;
	r0 = 1.0 / s0;
	r1 = s1 * r0;
	r2 = s2 * r0;
	*mean = c - tau * r1;
	*var = tau * tau * fma(-r1, r1, r2);
}

/* log P on the series' region, each interval with its count of terms (one at a time). */
static inline double
iv_series_log_prob(double a, double b)
{
	double lp, m, v;

	if (iv_series_short(a, b))
		iv_series_n(a, b, IV_SERIES_M_SHORT, 0, &lp, &m, &v);
	else
		iv_series_n(a, b, IV_SERIES_M, 0, &lp, &m, &v);
	return lp;
}

/* The mean and variance on the series' region, as iv_series_log_prob. */
static inline void
iv_series_moments(double a, double b, double *mean, double *var)
{
	double lp;

	if (iv_series_short(a, b))
		iv_series_n(a, b, IV_SERIES_M_SHORT, 1, &lp, mean, var);
	else
		iv_series_n(a, b, IV_SERIES_M, 1, &lp, mean, var);
}

#endif
