/*
 * interval.h - a standard normal variable confined to an interval: the
 * probability of the interval in log space, and the mean and variance
 * there.  The numerics of the likelihood of rounded data (each value
 * standing for the interval of its rounding), kept apart from EM so that
 * they are tested on their own.
 *
 * log P within 1e-15 relative (against 60-digit references, to 30 sds;
 * tests/unit-interval.c), the mean within 2e-15 and the variance within
 * 4e-15 relative where (b - a)(1 + |c|) <= 1, c the centre (the series of
 * ivseries.h); past that, the closed forms' mean within 1e-13 and
 * variance within 1e-11 relative to 5 sds, 1e-9 and 1e-8 against
 * Simpson's rule for centres within 8 sds and widths to 12; the
 * probability to where its log is about -1e300 in either tail.  Beyond about 10 sds the
 * moments stay a distribution on [a, b] (mean inside, variance at most
 * (b - a)^2 / 4) but lose their digits: a row that far from a component
 * has no weight in it.  No NaN for any a < b (either may be infinite).
 */
#ifndef GMMFIT_INTERVAL_H
#define GMMFIT_INTERVAL_H

/* log(Phi(b) - Phi(a)) for a < b, Phi the standard normal CDF. */
double iv_log_prob(double a, double b);

/*
 * E[Z | a < Z < b] into *mean and Var[Z | a < Z < b] into *var, Z
 * standard normal, a < b.
 */
void iv_moments(double a, double b, double *mean, double *var);

#endif
