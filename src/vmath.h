/*
 * vmath.h - exp and log for the EM inner loop, written so the compiler
 * can vectorise them (no branches, no calls, bit tricks on 64-bit lanes).
 *
 * vm_exp: Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2, then a
 * degree-13 Taylor polynomial (its truncation error is below 2e-17
 * relative) scaled by 2^k through the exponent bits.  Accurate to a few
 * ulps on [-708, 709]; below -708 it returns 0 (libm would return a
 * subnormal: in a log-sum-exp such terms are below 1e-307 of the largest,
 * which is 1).  vm_log: x = 2^e m with m in [sqrt(1/2), sqrt(2)), then
 * log m = 2 atanh((m-1)/(m+1)) by its series to the term s^10/21 (error
 * below 1e-18); for finite x > 0 in the normal range, a few ulps.
 * The polynomials' steps are fma() (one rounding, as C defines it), so
 * the results are the same on every machine, with or without FMA.  The
 * tests check both against libm.
 */
#ifndef GMMFIT_VMATH_H
#define GMMFIT_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline __attribute__((always_inline)) uint64_t
vm_bits(double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof u);
	return u;
}

static inline __attribute__((always_inline)) double
vm_double(uint64_t u)
{
	double x;

	memcpy(&x, &u, sizeof x);
	return x;
}

static inline __attribute__((always_inline)) double
vm_exp(double x)
{
	const double magic = 6755399441055744.0;	/* 1.5 * 2^52: rounds to an integer */
	double xc = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);
	double kd = xc * 1.4426950408889634074 + magic;
	double k = kd - magic;
	double r = (xc - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
	double p = 1.0 / 6227020800.0;	/* 1/13! */

	p = fma(p, r, 1.0 / 479001600.0);
	p = fma(p, r, 1.0 / 39916800.0);
	p = fma(p, r, 1.0 / 3628800.0);
	p = fma(p, r, 1.0 / 362880.0);
	p = fma(p, r, 1.0 / 40320.0);
	p = fma(p, r, 1.0 / 5040.0);
	p = fma(p, r, 1.0 / 720.0);
	p = fma(p, r, 1.0 / 120.0);
	p = fma(p, r, 1.0 / 24.0);
	p = fma(p, r, 1.0 / 6.0);
	p = fma(p, r, 0.5);
	p = fma(p, r, 1.0);
	p = fma(p, r, 1.0);
	/* 2^k: the low bits of kd hold k; shifted into the exponent field. */
	p = vm_double(vm_bits(p) + (vm_bits(kd) << 52));
	return x < -708.0 ? 0.0 : p;
}

static inline __attribute__((always_inline)) double
vm_log(double x)
{
	const double magic = 6755399441055744.0;
	uint64_t u = vm_bits(x);
	/* The biased exponent as a double: put it into magic's low bits. */
	double e = vm_double(vm_bits(magic) | (u >> 52)) - magic - 1023.0;
	double m = vm_double((u & 0x000fffffffffffffu) | 0x3ff0000000000000u);
	int big = m > 1.4142135623730951;
	double f, s, t;

	m = big ? m * 0.5 : m;
	e = big ? e + 1.0 : e;
	f = (m - 1.0) / (m + 1.0);
	s = f * f;
	t = 1.0 / 21.0;
	t = fma(t, s, 1.0 / 19.0);
	t = fma(t, s, 1.0 / 17.0);
	t = fma(t, s, 1.0 / 15.0);
	t = fma(t, s, 1.0 / 13.0);
	t = fma(t, s, 1.0 / 11.0);
	t = fma(t, s, 1.0 / 9.0);
	t = fma(t, s, 1.0 / 7.0);
	t = fma(t, s, 1.0 / 5.0);
	t = fma(t, s, 1.0 / 3.0);
	t = fma(t, s, 1.0);
	return e * 6.93147180369123816490e-01 + (2.0 * f * t + e * 1.90821492927058770002e-10);
}

#endif
