/*
 * rng.c - xoshiro256** (Blackman and Vigna, 2018) seeded by splitmix64.
 */
#include <config.h>

#include <math.h>

#include "rng.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t
rng_below(struct rng *r, uint64_t n)
{
	/* Reject the top partial range so every value is equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;

	do
		x = rng_next(r);
	while (x >= limit);
	return x % n;
}

double
rng_normal(struct rng *r)
{
	/* 1 - u is in (0, 1], so the log is finite. */
	double u1 = 1.0 - rng_uniform(r);
	double u2 = rng_uniform(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

/* log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2], the tail of Stirling's series. */
static double
stirling_tail(double k)
{
	double kp1 = k + 1.0, kp1sq = kp1 * kp1;

	if (k < 10.0)
		return lgamma(kp1) - (k + 0.5) * log(kp1) + kp1 - 0.91893853320467274178;
	return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / kp1;
}

/* Binomial(n, p) for p <= 1/2 and n p < 10: waiting times (geometric) until n is passed. */
static double
binomial_inversion(struct rng *r, double n, double p)
{
	const double lq = log1p(-p);
	double sum = 0.0, x = 0.0;

	for (;;) {
		double g = ceil(log(1.0 - rng_uniform(r)) / lq);
		sum += g < 1.0 ? 1.0 : g;
		if (sum > n)
			return x;
		x += 1.0;
	}
}

/*
 * Binomial(n, p) for p <= 1/2 and n p >= 10: Hormann's BTRS (transformed
 * rejection with squeeze, 1993); about 1.15 tries per draw whatever n.
 */
static double
binomial_btrs(struct rng *r, double n, double p)
{
	const double spq = sqrt(n * p * (1.0 - p));
	const double b = 1.15 + 2.53 * spq;
	const double a = -0.0873 + 0.0248 * b + 0.01 * p;
	const double c = n * p + 0.5;
	const double vr = 0.92 - 4.2 / b;
	const double rr = p / (1.0 - p);
	const double alpha = (2.83 + 5.1 / b) * spq;
	const double m = floor((n + 1.0) * p);
	const double hm = stirling_tail(m) + stirling_tail(n - m);

	for (;;) {
		double u = rng_uniform(r) - 0.5, v = rng_uniform(r);
		double us = 0.5 - fabs(u), k, bound;

		if (us <= 0.0)
			continue;
		k = floor((2.0 * a / us + b) * u + c);
		if (k < 0.0 || k > n)
			continue;
		if (us >= 0.07 && v <= vr)
			return k;
		v = log(v * alpha / (a / (us * us) + b));
		/* log(f(k)/f(m)), written so that no two large terms cancel. */
		bound = (m + 0.5) * log((m + 1.0) / (rr * (n - m + 1.0))) +
			(n + 1.0) * log1p((k - m) / (n - k + 1.0)) +
			(k + 0.5) * log(rr * (n - k + 1.0) / (k + 1.0)) +
			hm - stirling_tail(k) - stirling_tail(n - k);
		if (v <= bound)
			return k;
	}
}

double
rng_binomial(struct rng *r, double n, double p)
{
	double q;

	if (!(n >= 1.0) || !(p > 0.0))
		return 0.0;
	if (p >= 1.0)
		return n;
	q = p <= 0.5 ? p : 1.0 - p;
	q = n * q < 10.0 ? binomial_inversion(r, n, q) : binomial_btrs(r, n, q);
	return p <= 0.5 ? q : n - q;
}

void
rng_multinomial(struct rng *r, double n, const double *w, const double *tail, size_t m,
		double *out)
{
	double left = n;

	for (size_t i = 0; i < m; i++) {
		double x = 0.0;
		if (left > 0.0 && w[i] > 0.0)
			x = i + 1 == m || !(tail[i] > w[i]) ? left : rng_binomial(r, left, w[i] / tail[i]);
		out[i] = x;
		left -= x;
	}
}
