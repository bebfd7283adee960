/*
 * unit-interval.c - a standard normal in an interval (interval.h), against
 * independent values: Simpson's rule on the density, closed forms of
 * half-lines, the tail series of the Mills ratio.
 *
 * Tolerances.  Simpson's rule with 4000 panels on [a, b] errs by about
 * (b - a)^5 / 4000^4 times the fourth derivative of the density (under 3
 * here): under 1e-11 relative for widths up to 12, so 1e-9 on log P and on
 * the mean (relative to the interval's width) says the code is right to
 * well past what a fit needs, with room for the quadrature.  The variance
 * gets 1e-8: past the series' region (t (1 + |c|) = 1) the closed form's
 * terms, of size 1 + c^2, cancel down to the interval's variance.  Closed
 * forms hold to 1e-13.  The 60-digit references (test_reference) hold
 * the code to its last digits.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>

#include "interval.h"
#include "interval-reference.h"
#include "tap.h"

#define PI 3.14159265358979323846

static double
phi(double x)
{
	return exp(-0.5 * x * x) / sqrt(2.0 * PI);
}

/* P, mean and variance of a standard normal on [a, b] by Simpson's rule (finite a, b). */
static void
simpson(double a, double b, double *p, double *mean, double *var)
{
	const int n = 4000;
	double h = (b - a) / n, s0 = 0.0, s1 = 0.0, s2 = 0.0, m;

	for (int i = 0; i <= n; i++) {
		double z = a + i * h, w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
		s0 += w * phi(z);
		s1 += w * z * phi(z);
	}
	m = s1 / s0;
	for (int i = 0; i <= n; i++) {
		double z = a + i * h, w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
		s2 += w * (z - m) * (z - m) * phi(z);
	}
	*p = s0 * h / 3.0;
	*mean = m;
	*var = s2 / s0;
}

static void
test_quadrature(void)
{
	static const double cs[] = { -8.0, -3.0, -0.7, 0.0, 0.4, 2.5, 6.0 };
	static const double ts[] = { 1e-7, 1e-4, 9e-4, 1.1e-3, 0.02, 0.5, 2.0, 12.0 };
	double worst_lp = 0.0, worst_m = 0.0, worst_v = 0.0;
	int n = 0;

	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
		for (size_t j = 0; j < sizeof ts / sizeof ts[0]; j++) {
			double a = cs[i] - ts[j] / 2, b = cs[i] + ts[j] / 2, p, m, v, gm, gv, e;
			simpson(a, b, &p, &m, &v);
			e = fabs(iv_log_prob(a, b) - log(p));
			worst_lp = e > worst_lp ? e : worst_lp;
			iv_moments(a, b, &gm, &gv);
			/*
			 * Of the width, or for the narrowest of 1e-4 (1 + |c|): Simpson's
			 * own rounding of the mean, about 1e-13 (1 + |c|), outweighs 1e-9
			 * of a width of 1e-7.
			 */
			e = fabs(gm - m) / (ts[j] + 1e-4 * (1.0 + fabs(cs[i])));
			worst_m = e > worst_m ? e : worst_m;
			e = fabs(gv - v) / v;
			worst_v = e > worst_v ? e : worst_v;
			n++;
		}
	tap_ok(worst_lp < 1e-9, "log P against Simpson's rule, %d intervals (|c| <= 8, widths 1e-7 to 12): worst %.3g",
	       n, worst_lp);
	tap_ok(worst_m < 1e-9, "the mean against Simpson's rule: worst %.3g of the width", worst_m);
	tap_ok(worst_v < 1e-8, "the variance against Simpson's rule: worst %.3g relative", worst_v);
}

static void
test_closed_forms(void)
{
	double m, v, lq30, x = 30.0;

	tap_ok(fabs(iv_log_prob(-INFINITY, 0.0) - log(0.5)) < 1e-15, "P(Z < 0) = 1/2");
	tap_ok(fabs(iv_log_prob(-INFINITY, INFINITY)) < 1e-15, "P(-inf < Z < inf) = 1");
	iv_moments(-INFINITY, INFINITY, &m, &v);
	tap_ok(fabs(m) < 1e-15 && fabs(v - 1.0) < 1e-13, "the whole line: mean 0, variance 1 (%g, %g)", m, v);
	iv_moments(0.0, INFINITY, &m, &v);
	tap_ok(fabs(m - sqrt(2.0 / PI)) < 1e-13 && fabs(v - (1.0 - 2.0 / PI)) < 1e-13,
	       "the half-line: mean sqrt(2/pi), variance 1 - 2/pi (%.17g, %.17g)", m, v);
	/* Q(x) = phi(x) / x (1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8 ...), to 1e-13 at x = 30. */
	lq30 = -0.5 * x * x - 0.5 * log(2.0 * PI) - log(x) +
	       log(1.0 - 1.0 / (x * x) + 3.0 / pow(x, 4) - 15.0 / pow(x, 6) + 105.0 / pow(x, 8));
	tap_ok(fabs(iv_log_prob(x, INFINITY) - lq30) < 1e-12 * fabs(lq30),
	       "log Q(30) from the continued fraction is the tail series' (%.17g, %.17g)",
	       iv_log_prob(x, INFINITY), lq30);
	tap_ok(!(iv_log_prob(-31.0, -30.0) < iv_log_prob(30.0, 31.0)) &&
	       !(iv_log_prob(-31.0, -30.0) > iv_log_prob(30.0, 31.0)), "the lower tail mirrors the upper");
	tap_ok(fabs(iv_log_prob(25.9, 26.1) - iv_log_prob(25.9, 26.0) -
		    log1p(exp(iv_log_prob(26.0, 26.1) - iv_log_prob(25.9, 26.0)))) < 1e-9,
	       "across 26 sds (erfc to the continued fraction) the probabilities add up");
}

static void
test_extremes(void)
{
	double m, v, lp = iv_log_prob(1e200, INFINITY), lp2 = iv_log_prob(1e3, 1e3 + 1.0);

	tap_ok(isinf(lp) && lp < 0.0, "1e200 sds out: log P is -inf, not NaN (%g)", lp);
	tap_ok(isfinite(lp2) && lp2 < -4.99e5, "1000 sds out: log P finite, about -5e5 (%g)", lp2);
	iv_moments(1e3, 1e3 + 1.0, &m, &v);
	tap_ok(isfinite(m) && m >= 1e3 && m <= 1e3 + 1.0 && v >= 0.0 && v <= 0.25,
	       "1000 sds out: the mean inside the interval, the variance in [0, 1/4] (%g, %g)", m, v);
	iv_moments(1e200, INFINITY, &m, &v);
	tap_ok(!isnan(m) && !isnan(v), "1e200 sds out: no NaN in the moments (%g, %g)", m, v);
	tap_ok(isinf(iv_log_prob(1.0, 1.0)) && iv_log_prob(1.0, 1.0) < 0.0, "an empty interval: -inf");
}

/*
 * Against the 60-digit references (scripts/make-interval-reference):
 * 13 centres from -30 to 30 sds, widths w / (1 + |c|).  In the series'
 * region (w <= 1, src/ivseries.h) log P within 1e-15 relative (its
 * ~25 rounded operations and one log of a number near 2 tau, a few ulps;
 * the worst seen is 4e-16), the mean within 2e-15 of max(1, |mean|) and
 * the variance within 4e-15 relative (two divisions and a difference of
 * terms whose ratio is at most 1/12).  Past it (w > 1, the closed forms)
 * log P within 2e-15 relative; the mean within 1e-13 and the variance
 * within 1e-11 relative up to 5 sds, where the terms of size 1 + c^2
 * that the closed form subtracts cancel only to the interval's variance
 * (beyond, to 30 sds, the variance loses up to 7 digits: a row that far
 * out has no weight in its component, see interval.h).
 */
static void
test_reference(void)
{
	const size_t n = sizeof iv_reference / sizeof *iv_reference;
	double wl[2] = { 0.0, 0.0 }, wm[2] = { 0.0, 0.0 }, wv[2] = { 0.0, 0.0 };

	for (size_t i = 0; i < n; i++) {
		const double *r = iv_reference[i], a = r[0], b = r[1], c = 0.5 * (a + b);
		const int closed = r[2] > 1.0;
		double m, v, lp = iv_log_prob(a, b), el, em, ev;
		iv_moments(a, b, &m, &v);
		el = fabs(lp - r[3]) / fmax(1.0, fabs(r[3]));
		em = fabs(m - r[4]) / fmax(1.0, fabs(r[4]));
		ev = fabs(v - r[5]) / r[5];
		if (!(el <= wl[closed]))
			wl[closed] = isnan(el) ? INFINITY : el;
		if (!closed || fabs(c) <= 5.0) {
			if (!(em <= wm[closed]))
				wm[closed] = isnan(em) ? INFINITY : em;
			if (!(ev <= wv[closed]))
				wv[closed] = isnan(ev) ? INFINITY : ev;
		}
	}
	tap_ok(wl[0] <= 1e-15 && wm[0] <= 2e-15 && wv[0] <= 4e-15,
	       "the series' region against 60-digit references: log P %.2g, mean %.2g, variance %.2g",
	       wl[0], wm[0], wv[0]);
	tap_ok(wl[1] <= 2e-15, "the closed forms' log P against the references, to 30 sds: %.2g", wl[1]);
	tap_ok(wm[1] <= 1e-13 && wv[1] <= 1e-11,
	       "the closed forms' moments against the references, to 5 sds: mean %.2g, variance %.2g",
	       wm[1], wv[1]);
}

int
main(void)
{
	tap_plan(18);
	test_reference();
	test_quadrature();
	test_closed_forms();
	test_extremes();
	return tap_done();
}
