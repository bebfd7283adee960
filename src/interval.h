/*
 * interval.h - a standard normal variable confined to an interval: the
 * probability of the interval in log space, and the mean and variance
 * there.  The numerics of the likelihood of rounded data (each value
 * standing for the interval of its rounding), kept apart from EM so that
 * they are tested on their own.
 *
 * Within 1e-9 (the log of the probability, absolutely; the mean, of the
 * interval's width) and 1e-8 (the variance, relatively) for centres within 8 sds
 * and widths from 0 to 12 (tests/unit-interval.c); the probability to
 * where its log is about -1e300 in either tail.  Beyond about 10 sds the
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
