/*
 * interval.c - a standard normal variable in an interval (see interval.h).
 *
 * Intervals short against the curvature ((b - a)(1 + |c|) <= 1, c the
 * centre) take the series in the half-width of ivseries.h: no difference
 * of nearby CDF values, a few ulps on log P, the mean and the variance,
 * and the same code (and bits) as em.c's vectorised rounded E and M steps.
 * Beyond, the probability: when the interval straddles 0, Phi(b) - Phi(a) is
 * (erf(b/sqrt 2) + erf(-a/sqrt 2)) / 2, a sum of two positive terms; when
 * it lies in one tail it is Q(a) - Q(b) (Q the upper tail, mirrored for
 * the lower one), taken as log Q(a) + log(-expm1(log Q(b) - log Q(a))),
 * where log Q(b) - log Q(a) is at least about half the width times (1 +
 * |c|), so at least 1/2 and the difference does not cancel.
 * log Q comes from erfc up to 26 sds, and from the continued fraction of
 * the Mills ratio beyond, where erfc would underflow.  The moments there:
 * the differences of phi(c -+ t/2) are phi(c) exp(-t^2/8) times sinh and
 * cosh of c t / 2, so they do not cancel either.
 */
#include <config.h>

#include <math.h>

#include "interval.h"
#include "ivseries.h"

#define LOG_SQRT_2PI 0.91893853320467274178
#define SQRT1_2 0.70710678118654752440
#define TAIL 26.0		/* log Q from the continued fraction past this */

/* log phi(x), the standard normal density (-inf at infinities). */
static double
log_phi(double x)
{
	return -0.5 * x * x - LOG_SQRT_2PI;
}

/* log Q(x) = log P(Z > x), for any x. */
static double
log_q(double x)
{
	double f;

	if (x < TAIL)
		return log(0.5 * erfc(x * SQRT1_2));
	if (isinf(x))
		return -INFINITY;
	/* Q(x) / phi(x) = 1 / (x + 1 / (x + 2 / (x + 3 / (x + ...)))), from the tail up. */
	f = x;
	for (int k = 24; k >= 1; k--)
		f = x + k / f;
	return log_phi(x) - log(f);
}

double
iv_log_prob(double a, double b)
{
	double c = 0.5 * (a + b), t = b - a, la, lb;

	if (!(t > 0.0))
		return -INFINITY;
	if (t < 0x1p-1000)
		return log(t) + log_phi(c);	/* the series' S0 is 1 to the last bit */
	if (iv_series_covers(a, b))
		return iv_series_log_prob(a, b);
	if (a < 0.0 && b > 0.0)
		return log(0.5 * (erf(b * SQRT1_2) + erf(-a * SQRT1_2)));
	if (b <= 0.0) {
		double s = a;
		a = -b;
		b = -s;
	}
	la = log_q(a);
	lb = log_q(b);
	if (!(la > -INFINITY))
		return -INFINITY;	/* past 1e154 sds: nothing representable is left */
	return la + log(-expm1(lb - la));
}

void
iv_moments(double a, double b, double *mean, double *var)
{
	double c = 0.5 * (a + b), t = b - a, lp, pa, pb, m, v;

	if (t > 0.0 && t < 0x1p-1000) {
		*mean = c;
		*var = t * t / 12.0;
		return;
	}
	if (iv_series_covers(a, b)) {
		iv_series_moments(a, b, mean, var);
		return;
	}
	lp = iv_log_prob(a, b);
	pa = isinf(a) ? 0.0 : exp(log_phi(a) - lp);	/* phi(a) / P */
	pb = isinf(b) ? 0.0 : exp(log_phi(b) - lp);
	if (isfinite(t) && fabs(c * t) < 700.0) {
		/* phi(c -+ t/2) = phi(c) exp(+-c t/2 - t^2/8): their difference without cancelling. */
		double e = exp(log_phi(c) - t * t / 8.0 - lp);
		m = 2.0 * e * sinh(0.5 * c * t);
		v = 1.0 + e * (2.0 * c * sinh(0.5 * c * t) - t * cosh(0.5 * c * t)) - m * m;
	} else {
		m = pa - pb;
		v = 1.0 + (isinf(a) ? 0.0 : a * pa) - (isinf(b) ? 0.0 : b * pb) - m * m;
	}
	/*
	 * Far in a tail (|c| beyond about 10 sds, where a row's
	 * responsibility is nil) the terms cancel; what is returned stays a
	 * distribution on [a, b]: its mean inside, its variance in [0, t^2 / 4].
	 */
	if (!(m >= a))
		m = isfinite(a) ? a : m;
	if (!(m <= b))
		m = isfinite(b) ? b : m;
	if (!(v >= 0.0))
		v = 0.0;
	if (isfinite(t) && v > 0.25 * t * t)
		v = 0.25 * t * t;
	*mean = m;
	*var = v;
}
