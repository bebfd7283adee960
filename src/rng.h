/*
 * rng.h - the random generator: xoshiro256** seeded through splitmix64.
 *
 * Its state lives in a struct the caller owns, so every random choice in a
 * run follows from the user's --seed and nothing else.
 */
#ifndef GMMFIT_RNG_H
#define GMMFIT_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seed the generator; every seed, 0 included, gives a valid state. */
void rng_seed(struct rng *r, uint64_t seed);

/* Next 64 random bits. */
uint64_t rng_next(struct rng *r);

/* A double uniform on [0, 1), with 53 random bits. */
double rng_uniform(struct rng *r);

/* An integer uniform on [0, n), n > 0, without modulo bias. */
uint64_t rng_below(struct rng *r, uint64_t n);

/* A standard normal deviate (Box-Muller on two uniforms; no cached state). */
double rng_normal(struct rng *r);

/*
 * A Binomial(n, p) deviate, n a whole number up to 2^53 held in a double:
 * inversion by waiting times when the mean is small, transformed rejection
 * (BTRS) when it is not, so the time does not grow with n.
 */
double rng_binomial(struct rng *r, double n, double p);

/*
 * n (a whole number up to 2^53) split over m cells with probabilities
 * proportional to w[0..m) by conditional binomials: out[i] is
 * Binomial(left, w[i] / tail[i]) where tail[i] = w[i] + .. + w[m-1] (the
 * caller's suffix sums) and left is what the cells before it did not take.
 * Time linear in m, not in n.
 */
void rng_multinomial(struct rng *r, double n, const double *w, const double *tail, size_t m,
		     double *out);

#endif
