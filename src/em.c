/*
 * em.c - EM for Gaussian mixtures (see em.h).
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "covmodel.h"
#include "em.h"
#include "interval.h"
#include "ivseries.h"
#include "vmath.h"

#define LOG_2PI 1.8378770664093454835606594728112

/*
 * The kernels' clones: x86-64-v4 (AVX-512, 512-bit vectors), x86-64-v3
 * (AVX2 and FMA) and the baseline, chosen when the program loads.  Their
 * products-and-sums are fma() (one rounding, exact by C's definition) and
 * every sum runs in a fixed order (sum4, never a vector reduction), so the
 * clones, and machines without clones, give the same bits; the narrower
 * clones are only slower.  tests/kernel-bits builds this file for each
 * level alone (GMMFIT_KERNEL_BASELINE, GMMFIT_KERNEL_ONLY=3 or 4) and
 * compares the bits.
 */
#if defined(GMMFIT_KERNEL_BASELINE)
#define KERNEL_CLONES		/* tests/kernel-bits: the baseline alone */
#elif defined(GMMFIT_KERNEL_ONLY) && defined(__GNUC__) && defined(__x86_64__) && defined(HAVE_TARGET_CLONES_V4)
#if GMMFIT_KERNEL_ONLY == 4		/* tests/kernel-bits: one level alone */
#define KERNEL_CLONES __attribute__((target("arch=x86-64-v4")))
#else
#define KERNEL_CLONES __attribute__((target("arch=x86-64-v3")))
#endif
#elif defined(__GNUC__) && defined(__x86_64__) && defined(HAVE_TARGET_CLONES_V4)
#define KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#elif defined(__GNUC__) && defined(__x86_64__) && defined(HAVE_TARGET_CLONES_V3)
#define KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#elif defined(__GNUC__) && defined(__x86_64__) && defined(HAVE_TARGET_CLONES)
#define KERNEL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KERNEL_CLONES
#endif

/*
 * Whether block_md and block_diag may take their wide tiles (whiten_wide,
 * whiten_small_wide, scatter_wide, diag_dens_wide and diag_sums_wide,
 * below): compiled for
 * x86-64-v4 alone and taken where the processor has it (WIDE_TILES()).
 * The tiles change no bits, only the speed; the builds of one level alone
 * for tests/kernel-bits fix the choice (v4: wide; v3 and the baseline:
 * none), so that comparing them compares the two.
 */
#if defined(__GNUC__) && defined(__x86_64__) && defined(HAVE_TARGET_CLONES_V4) && \
	!defined(GMMFIT_KERNEL_BASELINE) && !(defined(GMMFIT_KERNEL_ONLY) && GMMFIT_KERNEL_ONLY != 4)
#define HAVE_WIDE 1
#include <immintrin.h>
#if defined(GMMFIT_KERNEL_ONLY)
#define WIDE_TILES() 1
#else
#define WIDE_TILES() (__builtin_cpu_supports("x86-64-v4") != 0)
#endif
#endif


int
em_stats_init(struct em_stats *s, size_t k, size_t d, int full)
{
	memset(s, 0, sizeof *s);
	s->k = k;
	s->d = d;
	s->full = full;
	/* One allocation for the arrays (and the merge's scratch for d > 64): a pass makes many. */
	s->s0 = calloc(k * (1 + d + d * d) + (d > 64 ? d : 0), sizeof *s->s0);
	if (s->s0 == NULL)
		return -1;
	s->mean = s->s0 + k;
	s->m2 = s->mean + k * d;
	s->delta = d > 64 ? s->m2 + k * d * d : NULL;
	return 0;
}

void
em_stats_free(struct em_stats *s)
{
	free(s->s0);
	free(s->cwork);
	s->s0 = s->mean = s->m2 = s->delta = s->cwork = NULL;
}

void
em_stats_zero(struct em_stats *s)
{
	const size_t k = s->k, d = s->d;

	if (s->full || d == 1) {
		memset(s->s0, 0, k * (1 + d + d * d) * sizeof *s->s0);
	} else {
		/*
		 * Diagonal statistics write only the diagonals of m2, so the
		 * rest stays as em_stats_init left it, zero: zeroing the k d
		 * diagonals, not k d^2 doubles, is what a block's reset costs.
		 */
		memset(s->s0, 0, k * (1 + d) * sizeof *s->s0);
		for (size_t j = 0; j < k; j++)
			for (size_t p = 0; p < d; p++)
				s->m2[j * d * d + p * d + p] = 0.0;
	}
	s->loglik = s->loglik_c = 0.0;
}

/* Row xi of weight a into the scatter m2 about mu: the lower triangle, or the diagonal. */
static inline void
add_scatter(const double *xi, const double *mu, double a, size_t d, int full, double *m2)
{
	if (full) {
		for (size_t p = 0; p < d; p++) {
			double dp = a * (xi[p] - mu[p]);
			for (size_t q = 0; q <= p; q++)
				m2[p * d + q] += dp * (xi[q] - mu[q]);
		}
	} else {
		for (size_t p = 0; p < d; p++) {
			double dp = xi[p] - mu[p];
			m2[p * d + p] += a * dp * dp;
		}
	}
}

void
em_block_stats(const double *x, const double *w, const double *r,
	       size_t nrows, struct em_stats *blk)
{
	const size_t k = blk->k, d = blk->d;

	em_stats_zero(blk);
	for (size_t j = 0; j < k; j++) {
		double s0 = 0.0, *mu = blk->mean + j * d, *m2 = blk->m2 + j * d * d;

		/*
		 * Rows of weight 0 here (all but one component's, for a hard
		 * assignment) are skipped: each would add +0 or -0 to sums that
		 * start at +0, which leaves them as they are, so the bits are
		 * those of the whole loop (the data are finite).
		 */
		for (size_t i = 0; i < nrows; i++) {
			double a = r[i * k + j] * (w ? w[i] : 1.0);
			if (!(a > 0.0) && !(a < 0.0))
				continue;
			s0 += a;
			for (size_t c = 0; c < d; c++)
				mu[c] += a * x[i * d + c];
		}
		blk->s0[j] = s0;
		if (!(s0 > 0.0)) {
			memset(mu, 0, d * sizeof *mu);
			continue;
		}
		for (size_t c = 0; c < d; c++)
			mu[c] /= s0;
		/* Second sweep over the block (it is in cache): centred scatter. */
		for (size_t i = 0; i < nrows; i++) {
			double a = r[i * k + j] * (w ? w[i] : 1.0);
			const double *xi = x + i * d;
			if (!(a > 0.0) && !(a < 0.0))
				continue;
			add_scatter(xi, mu, a, d, blk->full, m2);
		}
	}
}

/*
 * Each component's sums take its rows in the order em_block_stats does
 * (ascending), with the same operations, so the bits are the same; the
 * rows are visited once per sweep instead of once per component.
 */
void
em_block_stats_labels(const double *x, const double *w, const size_t *lab,
		      size_t nrows, struct em_stats *blk)
{
	const size_t k = blk->k, d = blk->d;

	em_stats_zero(blk);
	for (size_t i = 0; i < nrows; i++) {
		const size_t j = lab[i];
		const double a = 1.0 * (w ? w[i] : 1.0);
		double *mu = blk->mean + j * d;
		if (!(a > 0.0) && !(a < 0.0))
			continue;
		blk->s0[j] += a;
		for (size_t c = 0; c < d; c++)
			mu[c] += a * x[i * d + c];
	}
	for (size_t j = 0; j < k; j++) {
		double *mu = blk->mean + j * d;
		if (!(blk->s0[j] > 0.0)) {
			memset(mu, 0, d * sizeof *mu);
			continue;
		}
		for (size_t c = 0; c < d; c++)
			mu[c] /= blk->s0[j];
	}
	for (size_t i = 0; i < nrows; i++) {
		const size_t j = lab[i];
		const double a = 1.0 * (w ? w[i] : 1.0);
		const double *xi = x + i * d, *mu = blk->mean + j * d;
		double *m2 = blk->m2 + j * d * d;
		if ((!(a > 0.0) && !(a < 0.0)) || !(blk->s0[j] > 0.0))
			continue;
		add_scatter(xi, mu, a, d, blk->full, m2);
	}
}

void
em_stats_merge(struct em_stats *t, const struct em_stats *b)
{
	const size_t k = t->k, d = t->d;
	double delta[64], *dl = d > 64 ? t->delta : delta;

	for (size_t j = 0; j < k; j++) {
		double na = t->s0[j], nb = b->s0[j], n = na + nb, f;
		double *mu = t->mean + j * d, *m2 = t->m2 + j * d * d;
		const double *mub = b->mean + j * d, *m2b = b->m2 + j * d * d;

		if (!(nb > 0.0))
			continue;
		if (!(na > 0.0)) {
			t->s0[j] = nb;
			memcpy(mu, mub, d * sizeof *mu);
			if (t->full)
				memcpy(m2, m2b, d * d * sizeof *m2);
			else
				for (size_t p = 0; p < d; p++)
					m2[p * d + p] = m2b[p * d + p];
			continue;
		}
		for (size_t c = 0; c < d; c++) {
			dl[c] = mub[c] - mu[c];
			mu[c] += dl[c] * (nb / n);
		}
		f = na * nb / n;
		for (size_t p = 0; p < d; p++) {
			if (t->full) {
				for (size_t q = 0; q <= p; q++)
					m2[p * d + q] += m2b[p * d + q] + dl[p] * dl[q] * f;
			} else {
				m2[p * d + p] += m2b[p * d + p] + dl[p] * dl[p] * f;
			}
		}
		t->s0[j] = n;
	}
	/* Neumaier's compensated sum of the block log-likelihoods. */
	{
		double s = t->loglik, v = b->loglik, u = s + v;
		if (fabs(s) >= fabs(v))
			t->loglik_c += (s - u) + v;
		else
			t->loglik_c += (v - u) + s;
		t->loglik = u;
		t->loglik_c += b->loglik_c;
	}
}

size_t
em_stats_len(size_t k, size_t d)
{
	return k + k * d + k * d * d + 2;
}

void
em_stats_pack(const struct em_stats *s, double *b)
{
	const size_t k = s->k, d = s->d;

	memcpy(b, s->s0, k * sizeof *b);
	memcpy(b + k, s->mean, k * d * sizeof *b);
	memcpy(b + k + k * d, s->m2, k * d * d * sizeof *b);
	b[k + k * d + k * d * d] = s->loglik;
	b[k + k * d + k * d * d + 1] = s->loglik_c;
}

void
em_stats_unpack(struct em_stats *s, const double *b)
{
	const size_t k = s->k, d = s->d;

	memcpy(s->s0, b, k * sizeof *b);
	memcpy(s->mean, b + k, k * d * sizeof *b);
	memcpy(s->m2, b + k + k * d, k * d * d * sizeof *b);
	s->loglik = b[k + k * d + k * d * d];
	s->loglik_c = b[k + k * d + k * d * d + 1];
}

/*
 * A sum in a fixed order: four interleaved partial sums, then
 * (s0 + s1) + (s2 + s3).  C fixes the order of these additions, so the
 * result is the same whether the compiler uses 2- or 4-wide vectors or
 * none: a block's sums do not depend on the machine's vector width.
 */
static inline __attribute__((always_inline)) double
sum4(const double *v, size_t n)
{
	double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		a0 += v[i];
		a1 += v[i + 1];
		a2 += v[i + 2];
		a3 += v[i + 3];
	}
	for (; i < n; i++)
		a0 += v[i];
	return (a0 + a1) + (a2 + a3);
}

/* sum of a[i] b[i] in the same fixed order as sum4. */
static inline __attribute__((always_inline)) double
dot4(const double *a, const double *b, size_t n)
{
	double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		a0 = fma(a[i], b[i], a0);
		a1 = fma(a[i + 1], b[i + 1], a1);
		a2 = fma(a[i + 2], b[i + 2], a2);
		a3 = fma(a[i + 3], b[i + 3], a3);
	}
	for (; i < n; i++)
		a0 = fma(a[i], b[i], a0);
	return (a0 + a1) + (a2 + a3);
}

/* sum of w[i] (x[i] - m)^2 in the same fixed order as sum4. */
static inline __attribute__((always_inline)) double
wdev4(const double *w, const double *x, double m, size_t n)
{
	double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		a0 = fma(w[i] * (x[i] - m), x[i] - m, a0);
		a1 = fma(w[i + 1] * (x[i + 1] - m), x[i + 1] - m, a1);
		a2 = fma(w[i + 2] * (x[i + 2] - m), x[i + 2] - m, a2);
		a3 = fma(w[i + 3] * (x[i + 3] - m), x[i + 3] - m, a3);
	}
	for (; i < n; i++)
		a0 = fma(w[i] * (x[i] - m), x[i] - m, a0);
	return (a0 + a1) + (a2 + a3);
}

/*
 * Four of the sums above at once: out[u] = dot4(a[u], b[u], n), or with
 * m given wdev4(a[u], b[u], m[u], n), for u < 4.  Each sum is taken in
 * exactly its own order (so the bits are the same), but the four chains
 * of additions overlap, where one alone waits on each addition's latency.
 */
#if !defined(__GNUC__)
#error "em.c needs the vector extensions of GCC or Clang"
#endif
/*
 * The vector types are passed only between static, always inlined
 * functions, so the ABI GCC warns of (-Wpsabi, for wider vectors than the
 * baseline has) is never used across a call.
 */
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double v4d __attribute__((vector_size(4 * sizeof(double))));
/* Four doubles loaded from any address (no alignment; they alias doubles). */
typedef double v4du __attribute__((vector_size(4 * sizeof(double)), aligned(sizeof(double)), may_alias));
#define ld4(p) (*(const v4du *)(const void *)(p))

/* a b + c in each lane, rounded once (fma): one instruction with FMA. */
static inline __attribute__((always_inline)) v4d
vfma(v4d a, v4d b, v4d c)
{
	v4d r = { fma(a[0], b[0], c[0]), fma(a[1], b[1], c[1]),
		  fma(a[2], b[2], c[2]), fma(a[3], b[3], c[3]) };
	return r;
}

static inline __attribute__((always_inline)) v4d
splat(double x)
{
	v4d r = { x, x, x, x };
	return r;
}

static inline __attribute__((always_inline)) void
sums_x4(const double *const *a, const double *const *b, const double *m, size_t n,
	double *out)
{
	const double *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
	const double *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
	v4d s0 = { 0.0 }, s1 = { 0.0 }, s2 = { 0.0 }, s3 = { 0.0 };
	double r[4][4];
	size_t i = 0;

	if (m == NULL) {
		for (; i + 4 <= n; i += 4) {
			s0 = vfma(ld4(a0 + i), ld4(b0 + i), s0);
			s1 = vfma(ld4(a1 + i), ld4(b1 + i), s1);
			s2 = vfma(ld4(a2 + i), ld4(b2 + i), s2);
			s3 = vfma(ld4(a3 + i), ld4(b3 + i), s3);
		}
	} else {
		const double m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3];
		for (; i + 4 <= n; i += 4) {
			v4d e0 = ld4(b0 + i) - m0, e1 = ld4(b1 + i) - m1;
			v4d e2 = ld4(b2 + i) - m2, e3 = ld4(b3 + i) - m3;
			s0 = vfma(ld4(a0 + i) * e0, e0, s0);
			s1 = vfma(ld4(a1 + i) * e1, e1, s1);
			s2 = vfma(ld4(a2 + i) * e2, e2, s2);
			s3 = vfma(ld4(a3 + i) * e3, e3, s3);
		}
	}
	memcpy(r[0], &s0, sizeof r[0]);
	memcpy(r[1], &s1, sizeof r[1]);
	memcpy(r[2], &s2, sizeof r[2]);
	memcpy(r[3], &s3, sizeof r[3]);
	for (int u = 0; u < 4; u++) {
		for (size_t j = i; j < n; j++) {
			double e = m == NULL ? 1.0 : b[u][j] - m[u];
			r[u][0] = m == NULL ? fma(a[u][j], b[u][j], r[u][0]) : fma(a[u][j] * e, e, r[u][0]);
		}
		out[u] = (r[u][0] + r[u][1]) + (r[u][2] + r[u][3]);
	}
}

/*
 * A batch of sums over one block, four at a time (sums_x4) where the
 * compiler has vector types, one at a time otherwise: add sum u with
 * sums_add, then sums_flush; each lands in *out as it is computed.
 */
struct sums {
	const double *a[4], *b[4];
	double m[4], *out[4];
	size_t k, n;
	int dev;		/* wdev4 rather than dot4 */
};

static inline __attribute__((always_inline)) void
sums_flush(struct sums *q)
{
	size_t u = 0;

	if (q->k == 4) {
		double r[4];
		sums_x4(q->a, q->b, q->dev ? q->m : NULL, q->n, r);
		for (u = 0; u < 4; u++)
			*q->out[u] = r[u];
	}
	for (; u < q->k; u++)
		*q->out[u] = q->dev ? wdev4(q->a[u], q->b[u], q->m[u], q->n)
				    : dot4(q->a[u], q->b[u], q->n);
	q->k = 0;
}

static inline __attribute__((always_inline)) void
sums_add(struct sums *q, const double *a, const double *b, double m, double *out)
{
	q->a[q->k] = a;
	q->b[q->k] = b;
	q->m[q->k] = m;
	q->out[q->k] = out;
	if (++q->k == 4)
		sums_flush(q);
}

/*
 * The log-sum-exp of a block, shared by the kernels: R holds k
 * component-major columns of log(w_j N_j(x)); on return R holds
 * exp(R - max), M each row's log p(x), S the factor that turns R into
 * (weighted) responsibilities, and the weighted log-likelihood is
 * returned.  T is scratch.
 */
static inline __attribute__((always_inline)) double
lse_block(double *R, double *M, double *S, double *T, const double *w, size_t k,
	  size_t nrows)
{
	for (size_t i = 0; i < nrows; i++)
		M[i] = R[i];
	for (size_t j = 1; j < k; j++) {
		const double *Rj = R + j * EM_BLOCK;
#pragma omp simd
		for (size_t i = 0; i < nrows; i++)
			M[i] = Rj[i] > M[i] ? Rj[i] : M[i];
	}
	for (size_t i = 0; i < nrows; i++)
		S[i] = 0.0;
	for (size_t j = 0; j < k; j++) {
		double *Rj = R + j * EM_BLOCK;
#pragma omp simd
		for (size_t i = 0; i < nrows; i++) {
			Rj[i] = vm_exp(Rj[i] - M[i]);
			S[i] += Rj[i];
		}
	}
#pragma omp simd
	for (size_t i = 0; i < nrows; i++) {
		M[i] += vm_log(S[i]);
		S[i] = 1.0 / S[i];
	}
	if (w == NULL)
		return sum4(M, nrows);
#pragma omp simd
	for (size_t i = 0; i < nrows; i++) {
		T[i] = w[i] * M[i];
		S[i] *= w[i];
	}
	return sum4(T, nrows);
}

/*
 * One block of a 1-D model, E step and statistics together, with the
 * responsibilities component-major in R (k*EM_BLOCK) so that each loop
 * runs down a column of rows and vectorises.
 */
/* x86-64-v4 or -v3 where the processor has it, chosen at load time. */
KERNEL_CLONES
static double
block_1d(const struct gmm *g, const double *x, const double *w, size_t nrows,
	 double *R, double *M, double *S, double *T, struct em_stats *blk)
{
	const size_t k = g->k;
	double ll = 0.0;

	for (size_t j = 0; j < k; j++) {
		const double a = g->logw[j] - 0.5 * (LOG_2PI + g->logdet[j]);
		const double b = -0.5 / g->cov[j], mu = g->mean[j];
		double *Rj = R + j * EM_BLOCK;
#pragma omp simd
		for (size_t i = 0; i < nrows; i++)
			Rj[i] = fma(b * (x[i] - mu), x[i] - mu, a);
	}
	ll = lse_block(R, M, S, T, w, k, nrows);
	if (blk == NULL)
		return ll;
	for (size_t j = 0; j < k; j++) {
		double *Rj = R + j * EM_BLOCK, s0, mean;
#pragma omp simd
		for (size_t i = 0; i < nrows; i++) {
			Rj[i] *= S[i];
			T[i] = Rj[i] * x[i];
		}
		s0 = sum4(Rj, nrows);
		mean = s0 > 0.0 ? sum4(T, nrows) / s0 : 0.0;
#pragma omp simd
		for (size_t i = 0; i < nrows; i++)
			T[i] = Rj[i] * (x[i] - mean) * (x[i] - mean);
		blk->s0[j] = s0;
		blk->mean[j] = mean;
		blk->m2[j] = s0 > 0.0 ? sum4(T, nrows) : 0.0;
	}
	return ll;
}

/* Doubles of scratch a block of block_md or block_round needs (SCRATCH adds block_diag's). */
#define SCRATCH_MD(d, k) (EM_BLOCK * (3 * (d) + 2 * (k) + 8))

#define st4(p, v) (*(v4du *)(void *)(p) = (v))

/*
 * The whitening of eight rows (two vectors of four) for one component:
 * z = L^-1 (x - mu) by forward substitution, kept in z (2d vectors, a
 * few hundred bytes that stay in the L1 cache) rather than in columns of
 * the whole block, and its squared norm turned into log(w N(x)) in Rj.
 * Each row's operations are those of the column-by-column loops, in the
 * same order (x_p - mu_p, minus l_pq z_q for q = 0..p-1, times
 * 1/l_pp; the norm summed over p in order), so the bits are the same.
 * Inlined with d constant for small d, where z lives in registers.
 */
static inline __attribute__((always_inline)) void
whiten8(const double *X, size_t i, size_t d, const double *l, const double *mu,
	const double *inv, double a, v4du *z, double *Rj)
{
	v4d q0 = { 0.0 }, q1 = { 0.0 };

	for (size_t p = 0; p < d; p++) {
		const double *Xp = X + p * EM_BLOCK;
		v4d z0 = ld4(Xp + i) - mu[p], z1 = ld4(Xp + i + 4) - mu[p];
		for (size_t q = 0; q < p; q++) {
			const v4d nl = splat(-l[p * d + q]);
			z0 = vfma(z[2 * q], nl, z0);
			z1 = vfma(z[2 * q + 1], nl, z1);
		}
		z0 = z0 * inv[p];
		z1 = z1 * inv[p];
		q0 = vfma(z0, z0, q0);
		q1 = vfma(z1, z1, q1);
		z[2 * p] = z0;
		z[2 * p + 1] = z1;
	}
	st4(Rj + i, vfma(q0, splat(-0.5), splat(a)));
	st4(Rj + i + 4, vfma(q1, splat(-0.5), splat(a)));
}

/*
 * whiten8 for sixteen rows, four independent chains: for larger d each
 * z_p is a long chain of subtractions, and four in flight hide their
 * latency where two cannot.
 */
static inline __attribute__((always_inline)) void
whiten16(const double *X, size_t i, size_t d, const double *l, const double *mu,
	 const double *inv, double a, v4du *z, double *Rj)
{
	v4d q0 = { 0.0 }, q1 = { 0.0 }, q2 = { 0.0 }, q3 = { 0.0 };

	for (size_t p = 0; p < d; p++) {
		const double *Xp = X + p * EM_BLOCK;
		v4d z0 = ld4(Xp + i) - mu[p], z1 = ld4(Xp + i + 4) - mu[p];
		v4d z2 = ld4(Xp + i + 8) - mu[p], z3 = ld4(Xp + i + 12) - mu[p];
		const v4du *zq = z;
		for (size_t q = 0; q < p; q++, zq += 4) {
			const v4d nl = splat(-l[p * d + q]);
			z0 = vfma(zq[0], nl, z0);
			z1 = vfma(zq[1], nl, z1);
			z2 = vfma(zq[2], nl, z2);
			z3 = vfma(zq[3], nl, z3);
		}
		z0 = z0 * inv[p];
		z1 = z1 * inv[p];
		z2 = z2 * inv[p];
		z3 = z3 * inv[p];
		q0 = vfma(z0, z0, q0);
		q1 = vfma(z1, z1, q1);
		q2 = vfma(z2, z2, q2);
		q3 = vfma(z3, z3, q3);
		z[4 * p] = z0;
		z[4 * p + 1] = z1;
		z[4 * p + 2] = z2;
		z[4 * p + 3] = z3;
	}
	st4(Rj + i, vfma(q0, splat(-0.5), splat(a)));
	st4(Rj + i + 4, vfma(q1, splat(-0.5), splat(a)));
	st4(Rj + i + 8, vfma(q2, splat(-0.5), splat(a)));
	st4(Rj + i + 12, vfma(q3, splat(-0.5), splat(a)));
}

/* The same for a diagonal factor: z_p = (x_p - mu_p) / l_pp. */
static inline __attribute__((always_inline)) void
whiten8_diag(const double *X, size_t i, size_t d, const double *mu, const double *inv,
	     double a, double *Rj)
{
	v4d q0 = { 0.0 }, q1 = { 0.0 };

	for (size_t p = 0; p < d; p++) {
		const double *Xp = X + p * EM_BLOCK;
		v4d z0 = (ld4(Xp + i) - mu[p]) * inv[p], z1 = (ld4(Xp + i + 4) - mu[p]) * inv[p];
		q0 = vfma(z0, z0, q0);
		q1 = vfma(z1, z1, q1);
	}
	st4(Rj + i, vfma(q0, splat(-0.5), splat(a)));
	st4(Rj + i + 4, vfma(q1, splat(-0.5), splat(a)));
}

/* All rows of a block (n16: the rows rounded up to sixteen; X is zero past n). */
static inline __attribute__((always_inline)) void
whiten_rows(const double *X, size_t n16, size_t d, int diag, const double *l,
	    const double *mu, const double *inv, double a, v4du *z, double *Rj)
{
	if (diag)
		for (size_t i = 0; i < n16; i += 8)
			whiten8_diag(X, i, d, mu, inv, a, Rj);
	else if (d <= 8)
		for (size_t i = 0; i < n16; i += 8)
			whiten8(X, i, d, l, mu, inv, a, z, Rj);
	else
		for (size_t i = 0; i < n16; i += 16)
			whiten16(X, i, d, l, mu, inv, a, z, Rj);
}

/* whiten_rows with d a constant where it is small, so loops unroll. */
static inline __attribute__((always_inline)) void
whiten_block(const double *X, size_t n16, size_t d, int diag, const double *l,
	     const double *mu, const double *inv, double a, v4du *z, double *Rj)
{
	switch (d) {
	case 2: whiten_rows(X, n16, 2, diag, l, mu, inv, a, z, Rj); break;
	case 3: whiten_rows(X, n16, 3, diag, l, mu, inv, a, z, Rj); break;
	case 4: whiten_rows(X, n16, 4, diag, l, mu, inv, a, z, Rj); break;
	case 5: whiten_rows(X, n16, 5, diag, l, mu, inv, a, z, Rj); break;
	case 6: whiten_rows(X, n16, 6, diag, l, mu, inv, a, z, Rj); break;
	case 8: whiten_rows(X, n16, 8, diag, l, mu, inv, a, z, Rj); break;
	default: whiten_rows(X, n16, d, diag, l, mu, inv, a, z, Rj); break;
	}
}

/*
 * The lower triangle of the scatter, m2[p][q] = sum_i T_p[i] D_q[i] for
 * q <= p, in tiles of two p by four q: a tile's 8 sums share its loads
 * (2 + 4 vectors for 8 products).  Each sum is taken in dot4's order
 * (lanes of i mod 4, the tail into lane 0, then (a0 + a1) + (a2 + a3)),
 * so the bits are those of one dot4 per entry.  A tile that reaches
 * past the triangle or past d computes sums it then drops.
 */
static inline __attribute__((always_inline)) void
scatter_tiles(const double *T, const double *D, size_t d, size_t n, double *m2)
{
	const size_t B = EM_BLOCK, n4 = n & ~(size_t)3;

	for (size_t p0 = 0; p0 < d; p0 += 2) {
		const size_t p1 = p0 + 1 < d ? p0 + 1 : p0;
		const double *T0 = T + p0 * B, *T1 = T + p1 * B;

		for (size_t q0 = 0; q0 <= p1; q0 += 4) {
			const double *Dq[4];
			v4d s00 = { 0.0 }, s01 = { 0.0 }, s02 = { 0.0 }, s03 = { 0.0 };
			v4d s10 = { 0.0 }, s11 = { 0.0 }, s12 = { 0.0 }, s13 = { 0.0 };
			double r[2][4][4];

			for (size_t u = 0; u < 4; u++)
				Dq[u] = D + (q0 + u < d ? q0 + u : q0) * B;
			for (size_t i = 0; i < n4; i += 4) {
				const v4d t0 = ld4(T0 + i), t1 = ld4(T1 + i);
				const v4d d0 = ld4(Dq[0] + i), d1 = ld4(Dq[1] + i);
				const v4d d2 = ld4(Dq[2] + i), d3 = ld4(Dq[3] + i);
				s00 = vfma(t0, d0, s00);
				s01 = vfma(t0, d1, s01);
				s02 = vfma(t0, d2, s02);
				s03 = vfma(t0, d3, s03);
				s10 = vfma(t1, d0, s10);
				s11 = vfma(t1, d1, s11);
				s12 = vfma(t1, d2, s12);
				s13 = vfma(t1, d3, s13);
			}
			memcpy(r[0][0], &s00, sizeof r[0][0]);
			memcpy(r[0][1], &s01, sizeof r[0][0]);
			memcpy(r[0][2], &s02, sizeof r[0][0]);
			memcpy(r[0][3], &s03, sizeof r[0][0]);
			memcpy(r[1][0], &s10, sizeof r[0][0]);
			memcpy(r[1][1], &s11, sizeof r[0][0]);
			memcpy(r[1][2], &s12, sizeof r[0][0]);
			memcpy(r[1][3], &s13, sizeof r[0][0]);
			for (size_t v = 0; v < 2; v++) {
				const size_t p = p0 + v;
				const double *Tp = v ? T1 : T0;
				if (p >= d)
					break;
				for (size_t u = 0; u < 4 && q0 + u <= p; u++) {
					double *e = r[v][u];
					for (size_t i = n4; i < n; i++)
						e[0] = fma(Tp[i], Dq[u][i], e[0]);
					m2[p * d + q0 + u] = (e[0] + e[1]) + (e[2] + e[3]);
				}
			}
		}
	}
}

/*
 * The scatter for d <= 4 with nothing stored: D_p = x_p - mean_p and
 * T_p = r D_p are formed in registers and the d(d+1)/2 sums taken at
 * once, each in dot4's order (lanes of i mod 4, the tail into lane 0),
 * so the bits are those of the stored columns' dot4.
 */
static inline __attribute__((always_inline)) void
scatter_small(const double *X, const double *Rj, const double *mean, size_t d, size_t n,
	      double *m2)
{
	const size_t B = EM_BLOCK, n4 = n & ~(size_t)3;
	v4d acc[10] = { { 0.0 } };
	double e[10][4];
	size_t t;

	for (size_t i = 0; i < n4; i += 4) {
		const v4d r = ld4(Rj + i);
		v4d dv[4], tv[4];
#pragma GCC unroll 4
		for (size_t p = 0; p < d; p++) {
			dv[p] = ld4(X + p * B + i) - mean[p];
			tv[p] = r * dv[p];
		}
		t = 0;
#pragma GCC unroll 4
		for (size_t p = 0; p < d; p++)
#pragma GCC unroll 4
			for (size_t q = 0; q <= p; q++, t++)
				acc[t] = vfma(tv[p], dv[q], acc[t]);
	}
	memcpy(e, acc, sizeof e);
	t = 0;
	for (size_t p = 0; p < d; p++)
		for (size_t q = 0; q <= p; q++, t++) {
			for (size_t i = n4; i < n; i++)
				e[t][0] = fma(Rj[i] * (X[p * B + i] - mean[p]), X[q * B + i] - mean[q], e[t][0]);
			m2[p * d + q] = (e[t][0] + e[t][1]) + (e[t][2] + e[t][3]);
		}
}

#ifdef HAVE_WIDE
/*
 * Wide tiles for processors with 512-bit vectors (x86-64-v4): each lane
 * does exactly the arithmetic of one lane of the v4d kernels above, so
 * the bits are the same; only more of the work is in flight.  whiten_wide
 * whitens 32 rows (four v8d) for two coordinates at once, p and p + 1
 * sharing the loads of z_q; scatter_wide takes tiles of four p by four q,
 * each 512-bit register the four lanes of two entries (p, q) and
 * (p, q + 1).  They are compiled for x86-64-v4 alone and called only
 * where the processor has it: split into 256-bit halves they would need
 * more registers than AVX2 has.
 */
#define WIDE_TARGET __attribute__((target("arch=x86-64-v4"), noinline))
typedef double v8d __attribute__((vector_size(8 * sizeof(double))));
typedef double v8du __attribute__((vector_size(8 * sizeof(double)), aligned(sizeof(double)), may_alias));
#define ld8(p) (*(const v8du *)(const void *)(p))

static inline __attribute__((always_inline)) v8d
vfma8(v8d a, v8d b, v8d c)
{
	v8d r = { fma(a[0], b[0], c[0]), fma(a[1], b[1], c[1]), fma(a[2], b[2], c[2]),
		  fma(a[3], b[3], c[3]), fma(a[4], b[4], c[4]), fma(a[5], b[5], c[5]),
		  fma(a[6], b[6], c[6]), fma(a[7], b[7], c[7]) };
	return r;
}

static inline __attribute__((always_inline)) v8d
splat8(double x)
{
	v8d r = { x, x, x, x, x, x, x, x };
	return r;
}

/*
 * Coordinate p's forward substitution for rows i .. i + 31 (whiten16's
 * chain: x_p - mu_p, then the terms of q = 0 .. p - 1 in order, times
 * 1/l_pp), and with two, p + 1's alongside: its terms of q < p share the
 * loads, then its term of q = p, so its chain is in the same order too.
 */
static inline __attribute__((always_inline)) void
whiten32(const double *X, size_t i, size_t d, const double *l, const double *mu,
	 const double *inv, double a, v8du *z, double *Rj)
{
	v8d q0 = { 0.0 }, q1 = { 0.0 }, q2 = { 0.0 }, q3 = { 0.0 };
	size_t p = 0;

	for (; p + 2 <= d; p += 2) {
		const double *Xp = X + p * EM_BLOCK + i, *Xr = Xp + EM_BLOCK;
		const double *lp = l + p * d, *lr = lp + d;
		v8d z0 = ld8(Xp) - mu[p], z1 = ld8(Xp + 8) - mu[p];
		v8d z2 = ld8(Xp + 16) - mu[p], z3 = ld8(Xp + 24) - mu[p];
		v8d y0 = ld8(Xr) - mu[p + 1], y1 = ld8(Xr + 8) - mu[p + 1];
		v8d y2 = ld8(Xr + 16) - mu[p + 1], y3 = ld8(Xr + 24) - mu[p + 1];
		const v8du *zq = z;
		for (size_t q = 0; q < p; q++, zq += 4) {
			const v8d nl = splat8(-lp[q]), nr = splat8(-lr[q]);
			const v8d a0 = zq[0], a1 = zq[1], a2 = zq[2], a3 = zq[3];
			z0 = vfma8(a0, nl, z0);
			z1 = vfma8(a1, nl, z1);
			z2 = vfma8(a2, nl, z2);
			z3 = vfma8(a3, nl, z3);
			y0 = vfma8(a0, nr, y0);
			y1 = vfma8(a1, nr, y1);
			y2 = vfma8(a2, nr, y2);
			y3 = vfma8(a3, nr, y3);
		}
		z0 = z0 * inv[p];
		z1 = z1 * inv[p];
		z2 = z2 * inv[p];
		z3 = z3 * inv[p];
		q0 = vfma8(z0, z0, q0);
		q1 = vfma8(z1, z1, q1);
		q2 = vfma8(z2, z2, q2);
		q3 = vfma8(z3, z3, q3);
		z[4 * p] = z0;
		z[4 * p + 1] = z1;
		z[4 * p + 2] = z2;
		z[4 * p + 3] = z3;
		{
			const v8d nr = splat8(-lr[p]);
			y0 = vfma8(z0, nr, y0) * inv[p + 1];
			y1 = vfma8(z1, nr, y1) * inv[p + 1];
			y2 = vfma8(z2, nr, y2) * inv[p + 1];
			y3 = vfma8(z3, nr, y3) * inv[p + 1];
		}
		q0 = vfma8(y0, y0, q0);
		q1 = vfma8(y1, y1, q1);
		q2 = vfma8(y2, y2, q2);
		q3 = vfma8(y3, y3, q3);
		z[4 * p + 4] = y0;
		z[4 * p + 5] = y1;
		z[4 * p + 6] = y2;
		z[4 * p + 7] = y3;
	}
	if (p < d) {
		const double *Xp = X + p * EM_BLOCK + i, *lp = l + p * d;
		v8d z0 = ld8(Xp) - mu[p], z1 = ld8(Xp + 8) - mu[p];
		v8d z2 = ld8(Xp + 16) - mu[p], z3 = ld8(Xp + 24) - mu[p];
		const v8du *zq = z;
		for (size_t q = 0; q < p; q++, zq += 4) {
			const v8d nl = splat8(-lp[q]);
			z0 = vfma8(zq[0], nl, z0);
			z1 = vfma8(zq[1], nl, z1);
			z2 = vfma8(zq[2], nl, z2);
			z3 = vfma8(zq[3], nl, z3);
		}
		q0 = vfma8(z0 * inv[p], z0 * inv[p], q0);
		q1 = vfma8(z1 * inv[p], z1 * inv[p], q1);
		q2 = vfma8(z2 * inv[p], z2 * inv[p], q2);
		q3 = vfma8(z3 * inv[p], z3 * inv[p], q3);
	}
	*(v8du *)(void *)(Rj + i) = vfma8(q0, splat8(-0.5), splat8(a));
	*(v8du *)(void *)(Rj + i + 8) = vfma8(q1, splat8(-0.5), splat8(a));
	*(v8du *)(void *)(Rj + i + 16) = vfma8(q2, splat8(-0.5), splat8(a));
	*(v8du *)(void *)(Rj + i + 24) = vfma8(q3, splat8(-0.5), splat8(a));
}

/*
 * whiten8 for sixteen rows (two v8d) with d small (a constant), for
 * d <= 8: the same chain in each lane, so the same bits.
 */
static inline __attribute__((always_inline)) void
whiten16s(const double *X, size_t i, size_t d, const double *l, const double *mu,
	  const double *inv, double a, v8d *z, double *Rj)
{
	v8d q0 = { 0.0 }, q1 = { 0.0 };

	for (size_t p = 0; p < d; p++) {
		const double *Xp = X + p * EM_BLOCK;
		v8d z0 = ld8(Xp + i) - mu[p], z1 = ld8(Xp + i + 8) - mu[p];
		for (size_t q = 0; q < p; q++) {
			const v8d nl = splat8(-l[p * d + q]);
			z0 = vfma8(z[2 * q], nl, z0);
			z1 = vfma8(z[2 * q + 1], nl, z1);
		}
		z0 = z0 * inv[p];
		z1 = z1 * inv[p];
		q0 = vfma8(z0, z0, q0);
		q1 = vfma8(z1, z1, q1);
		z[2 * p] = z0;
		z[2 * p + 1] = z1;
	}
	*(v8du *)(void *)(Rj + i) = vfma8(q0, splat8(-0.5), splat8(a));
	*(v8du *)(void *)(Rj + i + 8) = vfma8(q1, splat8(-0.5), splat8(a));
}

/* whiten16s over the n16 rows of a block, d a constant in each case. */
WIDE_TARGET static void
whiten_small_wide(const double *X, size_t n16, size_t d, const double *l, const double *mu,
		  const double *inv, double a, double *Rj)
{
	v8d z[16];

	switch (d) {
#define WHITEN_D(D) case D: for (size_t i = 0; i < n16; i += 16) whiten16s(X, i, D, l, mu, inv, a, z, Rj); break
	WHITEN_D(2);
	WHITEN_D(3);
	WHITEN_D(4);
	WHITEN_D(5);
	WHITEN_D(6);
	WHITEN_D(7);
	WHITEN_D(8);
#undef WHITEN_D
	default:
		for (size_t i = 0; i < n16; i += 16)
			whiten16s(X, i, d, l, mu, inv, a, z, Rj);
		break;
	}
}

/* whiten32 over the n32 rows of a block (X zero past its rows). */
WIDE_TARGET static void
whiten_wide(const double *X, size_t n32, size_t d, const double *l, const double *mu,
	    const double *inv, double a, double *z, double *Rj)
{
	for (size_t i = 0; i < n32; i += 32)
		whiten32(X, i, d, l, mu, inv, a, (v8du *)(void *)z, Rj);
}

/*
 * scatter_tiles' sums in tiles of four p by four q: s[v][h] holds in its
 * lanes 0-3 the lanes of entry (p0 + v, q0 + 2h) and in 4-7 those of
 * (p0 + v, q0 + 2h + 1), each lane summed over the rows i = lane mod 4 in
 * order as dot4 does (_mm512_fmadd_pd rounds once, as fma()); the tail
 * rows go into lane 0 and the four lanes are added as (a0 + a1) +
 * (a2 + a3), so each entry has dot4's bits.
 */
WIDE_TARGET static void
scatter_wide(const double *T, const double *D, size_t d, size_t n, double *m2)
{
	const size_t B = EM_BLOCK, n4 = n & ~(size_t)3;

	for (size_t p0 = 0; p0 < d; p0 += 4) {
		const double *Tv[4];
		const size_t qend = p0 + 3 < d ? p0 + 3 : d - 1;

		for (size_t v = 0; v < 4; v++)
			Tv[v] = T + (p0 + v < d ? p0 + v : p0) * B;
		for (size_t q0 = 0; q0 <= qend; q0 += 4) {
			const double *Dq[4];
			__m512d s[4][2];
			double r[4][2][8];

			for (size_t u = 0; u < 4; u++)
				Dq[u] = D + (q0 + u < d ? q0 + u : q0) * B;
			for (size_t v = 0; v < 4; v++)
				s[v][0] = s[v][1] = _mm512_setzero_pd();
			for (size_t i = 0; i < n4; i += 4) {
				const __m512d e0 = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(Dq[0] + i)),
								      _mm256_loadu_pd(Dq[1] + i), 1);
				const __m512d e1 = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(Dq[2] + i)),
								      _mm256_loadu_pd(Dq[3] + i), 1);
#pragma GCC unroll 4
				for (size_t v = 0; v < 4; v++) {
					const __m512d t = _mm512_broadcast_f64x4(_mm256_loadu_pd(Tv[v] + i));
					s[v][0] = _mm512_fmadd_pd(t, e0, s[v][0]);
					s[v][1] = _mm512_fmadd_pd(t, e1, s[v][1]);
				}
			}
			for (size_t v = 0; v < 4; v++) {
				_mm512_storeu_pd(r[v][0], s[v][0]);
				_mm512_storeu_pd(r[v][1], s[v][1]);
			}
			for (size_t v = 0; v < 4 && p0 + v < d; v++) {
				const size_t p = p0 + v;
				for (size_t u = 0; u < 4 && q0 + u <= p; u++) {
					double *e = r[v][u / 2] + 4 * (u % 2);
					for (size_t i = n4; i < n; i++)
						e[0] = fma(Tv[v][i], Dq[u][i], e[0]);
					m2[p * d + q0 + u] = (e[0] + e[1]) + (e[2] + e[3]);
				}
			}
		}
	}
}
#endif /* HAVE_WIDE */

/*
 * Diagonal factors (diag, spherical, and mclust's EII, EEI, EVI) as
 * products.  With s_jp = l_pp of component j and the data and the means
 * shifted by one centre c (x' = x - c, mu' = mu - c), component j's term
 * is
 *   log(w_j N_j(x)) = C_j + sum_p (A_jp x'_p^2 + B_jp x'_p),
 *   A_jp = -1/(2 s_jp^2),  B_jp = mu'_jp / s_jp^2,
 *   C_j = log w_j - (d log 2pi + log det)/2 - M_j/2,  M_j = sum_p (mu'_jp / s_jp)^2,
 * so the terms of a block are one product of [x'^2, x'] (B x 2d) with
 * the 2d x K matrix [A; B], plus C (dens_tile), and the statistics are
 * R'[x', x'^2] (stats_tile): s0 = sum r, S1 = sum r x', S2 = sum r x'^2,
 * the mean c + S1/s0 and the scatter S2 - (S1/s0) S1.  Each entry is
 * summed in a fixed order (the columns in order for a term; lanes of
 * i mod 4 over the block's rows, then (l0 + l1) + (l2 + l3), for a sum),
 * so the bits depend on the block alone.
 *
 * Cancellation.  With u = 2^-53 and Q = sum_p (x'_p - mu'_p)^2/(2 s_p^2)
 * (the term's exact quadratic part), each summand of a term is at most
 * 2 (x' - mu')^2/s^2 + 5/2 mu'^2/s^2 in size, so the computed term is off
 * by at most gamma_{2d+2} (4 Q + 3 M_j + |a_j|) (gamma_n = n u / (1 - n u)),
 * where the direct form (x - mu)/s, squared and summed, is off by at most
 * gamma_{d+2} (Q + |a_j|): the product adds an absolute error of order
 * d u M_j, large when a mean is many sds from the centre.  So the centre
 * is the weights' mean of the means (c_p = sum_j w_j mu_jp), and a
 * component takes the product only when 3 M_j <= 2^12 (d/2 + |a_j|)
 * (d/2 + |a_j|: the size of the term of a row near its mean), which bounds
 * the product's error by gamma_{2d+2} (4 + 2^12) times that size: 8e-12
 * of the term for d = 8, 3e-11 for d = 32 in the worst case, and about
 * sqrt(2d) u M_j, near 1e-14 of it, in practice (rounding errors of
 * random sign; tests/unit-em: 1e-15 of the log-likelihood); the others
 * (means 10^4 sds from the centre, say) are computed directly
 * (whiten8_diag, from the unshifted block: the old kernel's bits).
 * The scatter S2 - (S1/s0) S1 of a block loses log2(S2 / scatter) bits: it
 * is off by at most about 2 gamma_{B/4+2} S2, so where S2 > 2^10 times the
 * scatter (the block's mean of the component more than 32 of its sds from
 * the centre) that entry's mean and then its scatter about the mean are
 * summed again from the values (diag_sum, the direct form's sums: c +
 * S1/s0 would be off by u |c|, large against the sd): where kept, the
 * scatter is off by at most 2^11 gamma_{B/4+2}, 3e-11, relative, and far
 * less in practice (tests/unit-em: 2e-13).  A component with an sd
 * outside [2^-400, 2^400], and a block with a value more than 2^400 from
 * the centre (whose square could overflow), take the direct form.
 */
#define DIAG_TERM_SLACK 4096.0	/* 3 M_j <= this (d/2 + |a_j|): the product */
#define DIAG_CANCEL 1024.0	/* S2 <= this scatter: S2 - mean S1 kept */
#define DIAG_RANGE 0x1p400	/* sds and |x'| past this (or below 1/this): direct */

/* Component j's coefficients: A, B (d each), C, and whether it takes the product. */
static inline __attribute__((always_inline)) int
diag_coefs(const struct gmm *g, size_t j, const double *c, double *A, double *Bc, double *C)
{
	const size_t d = g->d;
	const double *l = g->chol + j * d * d, *mu = g->mean + j * d;
	const double a = g->logw[j] - 0.5 * ((double)d * LOG_2PI + g->logdet[j]);
	double m = 0.0;
	int ok = 1;

	for (size_t p = 0; p < d; p++) {
		const double s = l[p * d + p], inv = 1.0 / s, t = (mu[p] - c[p]) * inv;
		ok &= s >= 1.0 / DIAG_RANGE && s <= DIAG_RANGE;
		A[p] = -0.5 * (inv * inv);
		Bc[p] = t * inv;
		m = fma(t, t, m);
	}
	*C = fma(-0.5, m, a);
	return ok && 3.0 * m <= DIAG_TERM_SLACK * (0.5 * (double)d + fabs(a));
}

/*
 * The terms of rows i..i+7 for m (1 to 4, a constant) components from
 * coefficients A, Bc (d apart) and C: C_u + sum_p (A_up x'^2 + B_up x'),
 * the columns in order, two FMAs each (x'^2 formed here, once for the m
 * components); into R (B apart).
 */
static inline __attribute__((always_inline)) void
dens_tile(const double *X, size_t d, size_t i, const double *A, const double *Bc,
	  const double *C, size_t m, double *R)
{
	const size_t B = EM_BLOCK;
	v4d acc[4][2];

#pragma GCC unroll 4
	for (size_t u = 0; u < m; u++)
		acc[u][0] = acc[u][1] = splat(C[u]);
	for (size_t p = 0; p < d; p++) {
		const v4d x0 = ld4(X + p * B + i), x1 = ld4(X + p * B + i + 4);
		const v4d q0 = x0 * x0, q1 = x1 * x1;
#pragma GCC unroll 4
		for (size_t u = 0; u < m; u++) {
			const v4d a = splat(A[u * d + p]), b = splat(Bc[u * d + p]);
			acc[u][0] = vfma(b, x0, vfma(a, q0, acc[u][0]));
			acc[u][1] = vfma(b, x1, vfma(a, q1, acc[u][1]));
		}
	}
#pragma GCC unroll 4
	for (size_t u = 0; u < m; u++) {
		st4(R + u * B + i, acc[u][0]);
		st4(R + u * B + i + 4, acc[u][1]);
	}
}

/* The four lanes of a sum, (l0 + l1) + (l2 + l3). */
static inline __attribute__((always_inline)) double
lanes(v4d v)
{
	return (v[0] + v[1]) + (v[2] + v[3]);
}

/*
 * S1 and S2 of components j..j+3 (m of them, a constant) and column p
 * over the n rows (a multiple of 4; R and X zero past the block's rows),
 * in lanes of i mod 4: a tile of 2m sums sharing the column's load and
 * square.  S1[j][p] at S1 + j * d + p.
 */
static inline __attribute__((always_inline)) void
stats_tile(const double *X, const double *R, size_t d, size_t n, size_t j, size_t m,
	   size_t p, double *S1, double *S2)
{
	const size_t B = EM_BLOCK;
	const double *x = X + p * B, *r = R + j * B;
	v4d a[4] = { { 0.0 } }, b[4] = { { 0.0 } };

	for (size_t i = 0; i < n; i += 4) {
		const v4d y = ld4(x + i), z = y * y;
#pragma GCC unroll 4
		for (size_t u = 0; u < m; u++) {
			const v4d ru = ld4(r + u * B + i);
			a[u] = vfma(ru, y, a[u]);
			b[u] = vfma(ru, z, b[u]);
		}
	}
#pragma GCC unroll 4
	for (size_t u = 0; u < m; u++) {
		S1[(j + u) * d + p] = lanes(a[u]);
		S2[(j + u) * d + p] = lanes(b[u]);
	}
}

#ifdef HAVE_WIDE
/*
 * dens_tile for sixteen rows (two v8d) and m components: the same
 * operations in each lane (C, then per column an FMA of x^2 and one of x,
 * in column order), so the same bits.
 */
static inline __attribute__((always_inline)) void
dens16(const double *X, size_t d, size_t i, const double *A, const double *Bc, const double *C,
       size_t m, double *R)
{
	const size_t B = EM_BLOCK;
	v8d acc[4][2];

#pragma GCC unroll 4
	for (size_t u = 0; u < m; u++)
		acc[u][0] = acc[u][1] = splat8(C[u]);
	for (size_t p = 0; p < d; p++) {
		const v8d x0 = ld8(X + p * B + i), x1 = ld8(X + p * B + i + 8);
		const v8d q0 = x0 * x0, q1 = x1 * x1;
#pragma GCC unroll 4
		for (size_t u = 0; u < m; u++) {
			const v8d a = splat8(A[u * d + p]), b = splat8(Bc[u * d + p]);
			acc[u][0] = vfma8(b, x0, vfma8(a, q0, acc[u][0]));
			acc[u][1] = vfma8(b, x1, vfma8(a, q1, acc[u][1]));
		}
	}
#pragma GCC unroll 4
	for (size_t u = 0; u < m; u++) {
		*(v8du *)(void *)(R + u * B + i) = acc[u][0];
		*(v8du *)(void *)(R + u * B + i + 8) = acc[u][1];
	}
}

/* diag_terms' products (every component's, n16 rows) in tiles of sixteen rows. */
WIDE_TARGET static void
diag_dens_wide(const double *X, size_t d, size_t k, size_t n16, const double *A, const double *Bc,
	       const double *C, double *R)
{
	for (size_t j0 = 0; j0 < k; j0 += 4) {
		const size_t m = k - j0 < 4 ? k - j0 : 4;
		const double *Aj = A + j0 * d, *Bj = Bc + j0 * d, *Cj = C + j0;
		double *Rj = R + j0 * EM_BLOCK;
		switch (m) {
		case 4: for (size_t i = 0; i < n16; i += 16) dens16(X, d, i, Aj, Bj, Cj, 4, Rj); break;
		case 3: for (size_t i = 0; i < n16; i += 16) dens16(X, d, i, Aj, Bj, Cj, 3, Rj); break;
		case 2: for (size_t i = 0; i < n16; i += 16) dens16(X, d, i, Aj, Bj, Cj, 2, Rj); break;
		default: for (size_t i = 0; i < n16; i += 16) dens16(X, d, i, Aj, Bj, Cj, 1, Rj); break;
		}
	}
}

/*
 * stats_tile for columns p and p + 1 at once: each 512-bit sum holds the
 * four lanes of column p's sum in 0-3 and of p + 1's in 4-7, each lane
 * summed over i = lane mod 4 in order, then (l0 + l1) + (l2 + l3): the
 * same bits as two stats_tile calls.
 */
static inline __attribute__((always_inline, target("arch=x86-64-v4"))) void
stats_pair(const double *X, const double *R, size_t d, size_t n, size_t j, size_t m, size_t p,
	   double *S1, double *S2)
{
	const size_t B = EM_BLOCK;
	const double *x0 = X + p * B, *x1 = x0 + B, *r = R + j * B;
	__m512d a[4], b[4];
	double t[8];

#pragma GCC unroll 4
	for (size_t u = 0; u < m; u++)
		a[u] = b[u] = _mm512_setzero_pd();
	for (size_t i = 0; i < n; i += 4) {
		const __m512d y = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(x0 + i)),
						     _mm256_loadu_pd(x1 + i), 1);
		const __m512d z = _mm512_mul_pd(y, y);
#pragma GCC unroll 4
		for (size_t u = 0; u < m; u++) {
			const __m512d ru = _mm512_broadcast_f64x4(_mm256_loadu_pd(r + u * B + i));
			a[u] = _mm512_fmadd_pd(ru, y, a[u]);
			b[u] = _mm512_fmadd_pd(ru, z, b[u]);
		}
	}
#pragma GCC unroll 4
	for (size_t u = 0; u < m; u++) {
		_mm512_storeu_pd(t, a[u]);
		S1[(j + u) * d + p] = (t[0] + t[1]) + (t[2] + t[3]);
		S1[(j + u) * d + p + 1] = (t[4] + t[5]) + (t[6] + t[7]);
		_mm512_storeu_pd(t, b[u]);
		S2[(j + u) * d + p] = (t[0] + t[1]) + (t[2] + t[3]);
		S2[(j + u) * d + p + 1] = (t[4] + t[5]) + (t[6] + t[7]);
	}
}

/* diag_stats' S1 and S2 (every component and column, n16 rows) two columns at a time. */
WIDE_TARGET static void
diag_sums_wide(const double *X, const double *R, size_t d, size_t k, size_t n16, double *S1,
	       double *S2)
{
	for (size_t j0 = 0; j0 < k; j0 += 4) {
		const size_t m = k - j0 < 4 ? k - j0 : 4;
		size_t p = 0;
		for (; p + 2 <= d; p += 2)
			switch (m) {
			case 4: stats_pair(X, R, d, n16, j0, 4, p, S1, S2); break;
			case 3: stats_pair(X, R, d, n16, j0, 3, p, S1, S2); break;
			case 2: stats_pair(X, R, d, n16, j0, 2, p, S1, S2); break;
			default: stats_pair(X, R, d, n16, j0, 1, p, S1, S2); break;
			}
		if (p < d)
			switch (m) {
			case 4: stats_tile(X, R, d, n16, j0, 4, p, S1, S2); break;
			case 3: stats_tile(X, R, d, n16, j0, 3, p, S1, S2); break;
			case 2: stats_tile(X, R, d, n16, j0, 2, p, S1, S2); break;
			default: stats_tile(X, R, d, n16, j0, 1, p, S1, S2); break;
			}
	}
}
#endif /* HAVE_WIDE */

/*
 * Columns p .. p + 3 of the four rows at xi (rows of d values) as four
 * vectors, each the four rows' values of one column: four loads and eight
 * shuffles where gathering them is sixteen scalar loads.  Copies only.
 */
static inline __attribute__((always_inline)) void
tr4x4(const double *xi, size_t d, size_t p, v4d *col)
{
	const v4d r0 = ld4(xi + p), r1 = ld4(xi + d + p), r2 = ld4(xi + 2 * d + p), r3 = ld4(xi + 3 * d + p);
	const v4d t0 = __builtin_shufflevector(r0, r1, 0, 4, 2, 6), t1 = __builtin_shufflevector(r0, r1, 1, 5, 3, 7);
	const v4d t2 = __builtin_shufflevector(r2, r3, 0, 4, 2, 6), t3 = __builtin_shufflevector(r2, r3, 1, 5, 3, 7);

	col[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
	col[1] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
	col[2] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
	col[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

/*
 * The block transposed, shifted by c: X = x - c (d x B), zero past the
 * rows up to n16, four rows at a time (four values of a column make one
 * vector).  Returns whether every |x - c| is within DIAG_RANGE.
 */
static inline __attribute__((always_inline)) int
diag_transpose(const double *x, size_t nrows, size_t n16, size_t d, const double *c, double *X)
{
	typedef long long v4l __attribute__((vector_size(4 * sizeof(long long))));
	const size_t B = EM_BLOCK;
	const v4d lim = splat(DIAG_RANGE * DIAG_RANGE);
	v4l far = { 0 };
	int ok = 1;
	size_t i = 0;

	for (; i + 4 <= nrows; i += 4) {
		const double *xi = x + i * d;
		size_t p = 0;
		for (; p + 4 <= d; p += 4) {
			v4d col[4];
			tr4x4(xi, d, p, col);
			for (size_t u = 0; u < 4; u++) {
				const v4d e = col[u] - c[p + u];
				st4(X + (p + u) * B + i, e);
				far |= e * e > lim;
			}
		}
		for (; p < d; p++) {
			const v4d v = { xi[p], xi[d + p], xi[2 * d + p], xi[3 * d + p] };
			const v4d e = v - c[p];
			st4(X + p * B + i, e);
			far |= e * e > lim;
		}
	}
	for (; i < nrows; i++)
		for (size_t p = 0; p < d; p++) {
			const double e = x[i * d + p] - c[p];
			X[p * B + i] = e;
			ok &= e * e <= DIAG_RANGE * DIAG_RANGE;
		}
	for (size_t p = 0; p < d; p++)
		for (size_t r = nrows; r < n16; r++)
			X[p * B + r] = 0.0;
	return ok && !(far[0] | far[1] | far[2] | far[3]);
}

/* The block's values transposed (d x B, zero past the rows), for the direct forms. */
static inline __attribute__((always_inline)) void
diag_raw(const double *x, size_t nrows, size_t n16, size_t d, double *Xr)
{
	for (size_t p = 0; p < d; p++) {
		for (size_t i = 0; i < nrows; i++)
			Xr[p * EM_BLOCK + i] = x[i * d + p];
		for (size_t i = nrows; i < n16; i++)
			Xr[p * EM_BLOCK + i] = 0.0;
	}
}

/*
 * The terms of the block's rows for every component into R: the product,
 * then the direct form for the components marked direct (from the values,
 * Xr, transposed here when needed; *raw says whether they are).
 */
static inline __attribute__((always_inline)) void
diag_terms(const struct gmm *g, const double *x, size_t nrows, size_t n16, const double *X,
	   const double *A, const double *Bc, const double *C, const double *direct,
	   double *inv, double *Xr, int *raw, int wide, double *R)
{
	const size_t k = g->k, d = g->d, B = EM_BLOCK;

#ifdef HAVE_WIDE
	if (wide)
		diag_dens_wide(X, d, k, n16, A, Bc, C, R);
#else
	(void)wide;
#endif
	for (size_t j0 = 0; j0 < k && !wide; j0 += 4) {
		const size_t m = k - j0 < 4 ? k - j0 : 4;
		const double *Aj = A + j0 * d, *Bj = Bc + j0 * d, *Cj = C + j0;
		double *Rj = R + j0 * B;
		switch (m) {
		case 4: for (size_t i = 0; i < n16; i += 8) dens_tile(X, d, i, Aj, Bj, Cj, 4, Rj); break;
		case 3: for (size_t i = 0; i < n16; i += 8) dens_tile(X, d, i, Aj, Bj, Cj, 3, Rj); break;
		case 2: for (size_t i = 0; i < n16; i += 8) dens_tile(X, d, i, Aj, Bj, Cj, 2, Rj); break;
		default: for (size_t i = 0; i < n16; i += 8) dens_tile(X, d, i, Aj, Bj, Cj, 1, Rj); break;
		}
	}
	for (size_t j = 0; j < k; j++) {
		const double *l = g->chol + j * d * d, *mu = g->mean + j * d;
		const double a = g->logw[j] - 0.5 * ((double)d * LOG_2PI + g->logdet[j]);
		if (!(direct[j] > 0.0))
			continue;
		if (!*raw)
			diag_raw(x, nrows, n16, d, Xr);
		*raw = 1;
		for (size_t p = 0; p < d; p++)
			inv[p] = 1.0 / l[p * d + p];
		for (size_t i = 0; i < n16; i += 8)
			whiten8_diag(Xr, i, d, mu, inv, a, R + j * B);
	}
}

/*
 * dot4(r, x) (dev 0) or wdev4(r, x, m) (dev 1) over a column of the
 * row-major block (x[i * stride]), in the same order, so the same bits.
 */
static inline __attribute__((always_inline)) double
diag_sum(const double *r, const double *x, size_t stride, double m, int dev, size_t n)
{
	double a[4] = { 0.0, 0.0, 0.0, 0.0 };
	size_t i = 0;

	for (; i + 4 <= n; i += 4)
		for (size_t u = 0; u < 4; u++) {
			const double e = x[(i + u) * stride] - m;
			a[u] = dev ? fma(r[i + u] * e, e, a[u]) : fma(r[i + u], x[(i + u) * stride], a[u]);
		}
	for (; i < n; i++) {
		const double e = x[i * stride] - m;
		a[0] = dev ? fma(r[i] * e, e, a[0]) : fma(r[i], x[i * stride], a[0]);
	}
	return (a[0] + a[1]) + (a[2] + a[3]);
}

/*
 * The block's statistics from R (responsibilities, zero past the rows)
 * and X; an entry that cancels (DIAG_CANCEL) is summed again from the
 * values of its column, the mean and then the scatter about it (diag_sum:
 * the direct form's sums), since c + S1/s0 is then off by u |c|, large
 * against the component's sd.
 */
static inline __attribute__((always_inline)) void
diag_stats(const double *x, const double *X, const double *R, const double *c, size_t nrows,
	   size_t n16, int wide, double *S1, double *S2, struct em_stats *blk)
{
	const size_t k = blk->k, d = blk->d, B = EM_BLOCK;

#ifdef HAVE_WIDE
	if (wide)
		diag_sums_wide(X, R, d, k, n16, S1, S2);
#else
	(void)wide;
#endif
	for (size_t j0 = 0; j0 < k && !wide; j0 += 4) {
		const size_t m = k - j0 < 4 ? k - j0 : 4;
		for (size_t p = 0; p < d; p++)
			switch (m) {
			case 4: stats_tile(X, R, d, n16, j0, 4, p, S1, S2); break;
			case 3: stats_tile(X, R, d, n16, j0, 3, p, S1, S2); break;
			case 2: stats_tile(X, R, d, n16, j0, 2, p, S1, S2); break;
			default: stats_tile(X, R, d, n16, j0, 1, p, S1, S2); break;
			}
	}
	for (size_t j = 0; j < k; j++) {
		const double *Rj = R + j * B, s0 = blk->s0[j];
		double *mean = blk->mean + j * d, *m2 = blk->m2 + j * d * d;
		if (!(s0 > 0.0))
			continue;
		for (size_t p = 0; p < d; p++) {
			const double s1 = S1[j * d + p], s2 = S2[j * d + p], mp = s1 / s0;
			double v = fma(-mp, s1, s2);
			mean[p] = c[p] + mp;
			if (!(v * DIAG_CANCEL >= s2)) {
				mean[p] = diag_sum(Rj, x + p, d, 0.0, 0, nrows) / s0;
				v = diag_sum(Rj, x + p, d, mean[p], 1, nrows);
			}
			m2[p * d + p] = v;
		}
	}
}

/*
 * One block of a model with diagonal factors (see above).  Scratch as
 * block_md's: X, Xr (d*B each; Xr only for the direct forms), d*B unused,
 * R (k*B), M, S, T (B each), then past SCRATCH_MD: A, Bc, S1, S2 (k*d
 * each), C, direct (k each), the centre and 1/s (d each).  Returns NaN,
 * having done nothing, for a block with a value too far from the centre
 * (the caller then takes the direct form).
 */
KERNEL_CLONES
static double
block_diag(const struct gmm *g, const double *x, const double *w, size_t nrows,
	   double *scratch, struct em_stats *blk)
{
	const size_t k = g->k, d = g->d, B = EM_BLOCK;
	double *X = scratch, *Xr = X + d * B, *R = Xr + 2 * d * B;
	double *M = R + k * B, *S = M + B, *T = S + B;
	double *A = scratch + SCRATCH_MD(d, k), *Bc = A + k * d, *S1 = Bc + k * d, *S2 = S1 + k * d;
	double *C = S2 + k * d, *direct = C + k, *c = direct + k, *inv = c + d;
	const size_t n16 = (nrows + 15) & ~(size_t)15;
#ifdef HAVE_WIDE
	const int wide = WIDE_TILES();
#else
	const int wide = 0;
#endif
	int raw = 0;
	double ll;

	for (size_t p = 0; p < d; p++) {
		double s = 0.0;
		for (size_t j = 0; j < k; j++)
			s = fma(g->weight[j], g->mean[j * d + p], s);
		c[p] = s;
	}
	if (!diag_transpose(x, nrows, n16, d, c, X))
		return NAN;
	for (size_t j = 0; j < k; j++)
		direct[j] = diag_coefs(g, j, c, A + j * d, Bc + j * d, C + j) ? 0.0 : 1.0;
	diag_terms(g, x, nrows, n16, X, A, Bc, C, direct, inv, Xr, &raw, wide, R);
	ll = lse_block(R, M, S, T, w, k, nrows);
	if (blk == NULL)
		return ll;
	em_stats_zero(blk);
	for (size_t j = 0; j < k; j++) {
		double *Rj = R + j * B;
#pragma omp simd
		for (size_t i = 0; i < nrows; i++)
			Rj[i] *= S[i];
		for (size_t i = nrows; i < n16; i++)
			Rj[i] = 0.0;
		blk->s0[j] = sum4(Rj, nrows);
	}
	diag_stats(x, X, R, c, nrows, n16, wide, S1, S2, blk);
	return ll;
}

/*
 * The block's rows transposed to column-major X (d x B, zero past the
 * rows up to n16), four rows at a time: a column's four values are one
 * vector store.  Copies only, so the same values as any other order.
 */
static inline __attribute__((always_inline)) void
block_transpose(const double *x, size_t nrows, size_t n16, size_t d, double *X)
{
	const size_t B = EM_BLOCK;
	size_t i = 0;

	for (; i + 4 <= nrows; i += 4) {
		const double *xi = x + i * d;
		size_t p = 0;
		for (; p + 4 <= d; p += 4) {
			v4d col[4];
			tr4x4(xi, d, p, col);
			for (size_t u = 0; u < 4; u++)
				st4(X + (p + u) * B + i, col[u]);
		}
		for (; p < d; p++) {
			const v4d v = { xi[p], xi[d + p], xi[2 * d + p], xi[3 * d + p] };
			st4(X + p * B + i, v);
		}
	}
	for (; i < nrows; i++)
		for (size_t p = 0; p < d; p++)
			X[p * B + i] = x[i * d + p];
	for (size_t p = 0; p < d; p++)
		for (size_t r = nrows; r < n16; r++)
			X[p * B + r] = 0.0;
}

/*
 * One block of a d-dimensional model, laid out for vector loops: the
 * block is transposed to column-major X (d x B); each component's
 * forward substitution L z = x - mu runs over eight rows at a time
 * (whiten8); responsibilities are component-major as in block_1d.
 * Scratch (doubles): X, Z, D: d*B each; R: k*B; M, S, T, Q: B each.
 */
KERNEL_CLONES
static double
block_md(const struct gmm *g, const double *x, const double *w, size_t nrows,
	 double *scratch, struct em_stats *blk)
{
	const size_t k = g->k, d = g->d, B = EM_BLOCK;
	double *X = scratch, *Z = X + d * B, *D = Z + d * B, *R = D + d * B;
	double *M = R + k * B, *S = M + B, *T = S + B, *inv = Z + 32 * d;
	const int diag = gmm_cov_is_diagonal(g->cov_type);
	/* The wide tiles (d > 4, full factors) take 32 rows at a time. */
#ifdef HAVE_WIDE
	const int wide = !diag && d > 4 && WIDE_TILES();
	const int wide_small = !diag && d <= 4 && WIDE_TILES();
#else
	const int wide = 0;
#endif
	const size_t n16 = wide ? (nrows + 31) & ~(size_t)31 : (nrows + 15) & ~(size_t)15;
	double ll;

	if (diag) {
		ll = block_diag(g, x, w, nrows, scratch, blk);
		if (!isnan(ll))
			return ll;
	}
	switch (d) {	/* d constant: the inner loop unrolled */
	case 2: block_transpose(x, nrows, n16, 2, X); break;
	case 3: block_transpose(x, nrows, n16, 3, X); break;
	case 4: block_transpose(x, nrows, n16, 4, X); break;
	default: block_transpose(x, nrows, n16, d, X); break;
	}
	for (size_t j = 0; j < k; j++) {
		const double *l = g->chol + j * d * d, *mu = g->mean + j * d;
		const double a = g->logw[j] - 0.5 * ((double)d * LOG_2PI + g->logdet[j]);
		/* Z (free here): 32d doubles of whitened rows, then 1/l_pp. */
		for (size_t p = 0; p < d; p++)
			inv[p] = 1.0 / l[p * d + p];
#ifdef HAVE_WIDE
		if (wide)
			whiten_wide(X, n16, d, l, mu, inv, a, Z, R + j * B);
		else if (wide_small)
			whiten_small_wide(X, n16, d, l, mu, inv, a, R + j * B);
		else
#endif
			whiten_block(X, n16, d, diag, l, mu, inv, a, (v4du *)(void *)Z, R + j * B);
	}
	ll = lse_block(R, M, S, T, w, k, nrows);
	if (blk == NULL)
		return ll;
	em_stats_zero(blk);
	for (size_t j = 0; j < k; j++) {
		double *Rj = R + j * B, s0, *mean = blk->mean + j * d, *m2 = blk->m2 + j * d * d;
		struct sums q = { .k = 0, .n = nrows, .dev = 0 };
#pragma omp simd
		for (size_t i = 0; i < nrows; i++)
			Rj[i] *= S[i];
		s0 = sum4(Rj, nrows);
		blk->s0[j] = s0;
		if (!(s0 > 0.0))
			continue;
		for (size_t p = 0; p < d; p++)
			sums_add(&q, Rj, X + p * B, 0.0, mean + p);
		sums_flush(&q);
		for (size_t p = 0; p < d; p++)
			mean[p] /= s0;
		if (!blk->full) {
			/* Diagonal scatter about the block's mean, straight from X. */
			q.dev = 1;
			for (size_t p = 0; p < d; p++)
				sums_add(&q, Rj, X + p * B, mean[p], m2 + p * d + p);
			sums_flush(&q);
			continue;
		}
		/* Centred scatter about the block's own mean, the lower triangle:
		 * T_p = r (x_p - mean_p) in Z (free by now), dotted with D_q. */
		switch (d) {
		case 2: scatter_small(X, Rj, mean, 2, nrows, m2); continue;
		case 3: scatter_small(X, Rj, mean, 3, nrows, m2); continue;
		case 4: scatter_small(X, Rj, mean, 4, nrows, m2); continue;
		default: break;
		}
		for (size_t p = 0; p < d; p++) {
			const double *Xp = X + p * B, mp = mean[p];
			double *Dp = D + p * B, *Tp = Z + p * B;
#pragma omp simd
			for (size_t i = 0; i < nrows; i++) {
				Dp[i] = Xp[i] - mp;
				Tp[i] = Rj[i] * Dp[i];
			}
		}
#ifdef HAVE_WIDE
		if (wide)
			scatter_wide(Z, D, d, nrows, m2);
		else
#endif
			scatter_tiles(Z, D, d, nrows, m2);
	}
	return ll;
}

/*
 * One block of rounded data (ds->round): each value x of a column of
 * width h > 0 stands for [x - h/2, x + h/2], and a row's term of
 * component j is log w_j plus, per column, the log of the interval's
 * probability under N(mu_jp, s_jp^2) (interval.h; the log density for a
 * column of width 0).  The statistics are those of grouped data (McLachlan
 * and Jones 1988): each row counts at its interval's mean under the
 * component, y, and the interval's variance there, v, adds to the
 * scatter, sum r (y - mean)^2 + sum r v.  Diagonal factors only (one
 * column, or diag and spherical models): the probability of a box then
 * factorises.  Scratch as block_md's: R (k*B), M, S, T (B each), then Y
 * and V (d*B each).
 */
/* Row xi's term of component j under the widths h: log w_j + the columns' log probabilities. */
static inline double
rounded_term(const struct gmm *g, size_t j, const double *xi, const double *h)
{
	const size_t d = g->d;
	const double *l = g->chol + j * d * d, *mu = g->mean + j * d;
	double lp = g->logw[j];

	for (size_t p = 0; p < d; p++) {
		const double s = l[p * d + p];
		if (h[p] > 0.0) {
			const double si = 1.0 / s;	/* as round_log_probs: products, not quotients */
			lp += iv_log_prob((xi[p] - 0.5 * h[p] - mu[p]) * si, (xi[p] + 0.5 * h[p] - mu[p]) * si);
		} else {
			const double z = (xi[p] - mu[p]) / s;
			lp += -0.5 * LOG_2PI - log(s) - 0.5 * z * z;
		}
	}
	return lp;
}

void
em_log_components_rounded(const struct gmm *g, const double *x, const double *h, double *lp)
{
	for (size_t j = 0; j < g->k; j++)
		lp[j] = rounded_term(g, j, x, h);
}

/*
 * The distinct values of column p of a block: slot[i] is row i's index
 * into u (the distinct values, in order of first appearance), found by
 * hashing the values' bits (an open-addressed table of 2B entries, kept
 * in keys and at; at holds index + 1, 0 for empty).  Returns how many.
 * Rounded data hold few distinct values, so the interval's probability
 * and moments are computed once per value rather than once per row, on
 * the same value, so the bits are the same.
 */
static size_t
block_distinct(const double *x, size_t d, size_t p, size_t nrows, uint32_t *slot, double *u,
	       uint64_t *keys, uint32_t *at)
{
	const size_t cap = 2 * EM_BLOCK;
	size_t nu = 0;

	memset(at, 0, cap * sizeof *at);
	for (size_t i = 0; i < nrows; i++) {
		uint64_t key;
		size_t hpos;
		memcpy(&key, &x[i * d + p], sizeof key);
		hpos = (size_t)((key * 0x9E3779B97F4A7C15u) >> 54) & (cap - 1);
		while (at[hpos] != 0 && keys[hpos] != key)
			hpos = (hpos + 1) & (cap - 1);
		if (at[hpos] == 0) {
			keys[hpos] = key;
			u[nu] = x[i * d + p];
			at[hpos] = (uint32_t)++nu;
		}
		slot[i] = at[hpos] - 1;
	}
	return nu;
}

#define ROUND_KEEP 32	/* k d up to this: the E step keeps the series' moments for the M step */

/*
 * The log probabilities of the intervals [u_v - hh, u_v + hh] under
 * N(mu, s^2), v < m, into lp: the series of ivseries.h, vectorised over
 * the values, for those it covers (most of them: all the values within
 * 1/t - 1 sds, t = 2 hh / s), then interval.c's closed forms for the
 * others (flag, m doubles of scratch, marks them).  The edges are those
 * of rounded_term, and iv_log_prob takes the same series on the same
 * region, so a row's terms are the same bits here and there.
 */
static inline __attribute__((always_inline)) void
round_log_probs(const double *u, size_t m, double hh, double mu, double s, double *lp,
		double *flag, double *zm, double *zv)
{
	const double si = 1.0 / s;
	const int all = zm != NULL;
	double nlong = 0.0, nout = 0.0;

	/*
	 * Every value with the short series (flag 2 where that is its count, 1
	 * where it needs the long one, 0 past the region); zm and zv, when
	 * given, keep the standard moments for the M step (round_moments_kept).
	 */
#pragma omp simd reduction(+:nlong, nout)
	for (size_t v = 0; v < m; v++) {
		const double a = (u[v] - hh - mu) * si, b = (u[v] + hh - mu) * si;
		const int in = iv_series_covers(a, b), sh = iv_series_short(a, b);
		double l, e = 0.0, w = 0.0;
		iv_series_n(a, b, IV_SERIES_M_SHORT, all, &l, &e, &w);
		lp[v] = in ? l : 0.0;
		if (all) {
			zm[v] = e;
			zv[v] = w;
		}
		flag[v] = sh ? 2.0 : (in ? 1.0 : 0.0);
		nlong += in && !sh ? 1.0 : 0.0;
		nout += in ? 0.0 : 1.0;
	}
	/* The long series: over every value when many need it (then kept where they do), else one by one. */
	if (nlong * 8.0 > (double)m) {
#pragma omp simd
		for (size_t v = 0; v < m; v++) {
			const double a = (u[v] - hh - mu) * si, b = (u[v] + hh - mu) * si;
			const int one = flag[v] > 0.5 && flag[v] < 1.5;
			double l, e = 0.0, w = 0.0;
			iv_series_n(a, b, IV_SERIES_M, all, &l, &e, &w);
			lp[v] = one ? l : lp[v];
			if (all) {
				zm[v] = one ? e : zm[v];
				zv[v] = one ? w : zv[v];
			}
		}
	} else if (nlong > 0.0) {
		for (size_t v = 0; v < m; v++)
			if (flag[v] > 0.5 && flag[v] < 1.5) {
				double l, e = 0.0, w = 0.0;
				iv_series_n((u[v] - hh - mu) * si, (u[v] + hh - mu) * si, IV_SERIES_M, all, &l, &e, &w);
				lp[v] = l;
				if (all) {
					zm[v] = e;
					zv[v] = w;
				}
			}
	}
	for (size_t v = 0; nout > 0.0 && v < m; v++)
		if (flag[v] < 0.5)
			lp[v] = iv_log_prob((u[v] - hh - mu) * si, (u[v] + hh - mu) * si);
}

/* The interval moments of the values flag marks 0 (past the series' region), by interval.c. */
static inline __attribute__((always_inline)) void
moments_past_series(const double *u, size_t m, double hh, double mu, double s,
		    const double *flag, double *ym, double *yv)
{
	const double si = 1.0 / s;

	for (size_t v = 0; v < m; v++)
		if (flag[v] < 0.5) {
			double e, w;
			iv_moments((u[v] - hh - mu) * si, (u[v] + hh - mu) * si, &e, &w);
			ym[v] = mu + s * e;
			yv[v] = s * s * w;
		}
}

/*
 * The intervals' means and variances on the original scale into ym and
 * yv, as round_log_probs (for k d past ROUND_KEEP, where the E step keeps
 * no moments): the short series vectorised, the others one by one.
 */
static inline __attribute__((always_inline)) void
round_moments(const double *u, size_t m, double hh, double mu, double s, double *ym,
	      double *yv, double *flag)
{
	const double si = 1.0 / s;
	double other = 0.0;

#pragma omp simd reduction(+:other)
	for (size_t v = 0; v < m; v++) {
		const double a = (u[v] - hh - mu) * si, b = (u[v] + hh - mu) * si;
		const int sh = iv_series_short(a, b);
		double l, e = 0.0, w = 0.0;
		iv_series_n(a, b, IV_SERIES_M_SHORT, 1, &l, &e, &w);
		ym[v] = mu + s * e;
		yv[v] = s * s * w;
		flag[v] = sh ? 1.0 : 0.0;
		other += sh ? 0.0 : 1.0;
	}
	if (other > 0.0)
		moments_past_series(u, m, hh, mu, s, flag, ym, yv);
}

/* round_moments from the standard moments the E step kept (zm, zv; the series' values). */
static inline __attribute__((always_inline)) void
round_moments_kept(const double *u, size_t m, double hh, double mu, double s, const double *zm,
		   const double *zv, double *ym, double *yv, double *flag)
{
	const double si = 1.0 / s;
	double out = 0.0;

#pragma omp simd reduction(+:out)
	for (size_t v = 0; v < m; v++) {
		const double a = (u[v] - hh - mu) * si, b = (u[v] + hh - mu) * si;
		const int in = iv_series_covers(a, b);
		ym[v] = mu + s * zm[v];
		yv[v] = s * s * zv[v];
		flag[v] = in ? 1.0 : 0.0;
		out += in ? 0.0 : 1.0;
	}
	if (out > 0.0)
		moments_past_series(u, m, hh, mu, s, flag, ym, yv);
}

/* sum of r[i] y[slot[i]] in the same fixed order as sum4. */
static inline __attribute__((always_inline)) double
gather_dot4(const double *r, const uint32_t *slot, const double *y, size_t n)
{
	v4d a = { 0.0, 0.0, 0.0, 0.0 };
	size_t i = 0;
	double a0;

	for (; i + 4 <= n; i += 4) {
		v4d yi = { y[slot[i]], y[slot[i + 1]], y[slot[i + 2]], y[slot[i + 3]] };
		a = vfma(ld4(r + i), yi, a);
	}
	a0 = a[0];
	for (; i < n; i++)
		a0 = fma(r[i], y[slot[i]], a0);
	return (a0 + a[1]) + (a[2] + a[3]);
}

/*
 * sum of r[i] ((y[slot[i]] - c)^2 + v[slot[i]]), each term fma(y - c, y -
 * c, v) as block_round forms it per value, summed as gather_dot4 does: the
 * same bits as that per-value form gathered.
 */
static inline __attribute__((always_inline)) double
gather_dev4(const double *r, const uint32_t *slot, const double *y, const double *v, double c,
	    size_t n)
{
	v4d a = { 0.0, 0.0, 0.0, 0.0 };
	size_t i = 0;
	double a0;

	for (; i + 4 <= n; i += 4) {
		v4d yi;
		for (int l = 0; l < 4; l++) {
			const uint32_t q = slot[i + l];
			yi[l] = fma(y[q] - c, y[q] - c, v[q]);
		}
		a = vfma(ld4(r + i), yi, a);
	}
	a0 = a[0];
	for (; i < n; i++) {
		const uint32_t q = slot[i];
		a0 = fma(r[i], fma(y[q] - c, y[q] - c, v[q]), a0);
	}
	return (a0 + a[1]) + (a[2] + a[3]);
}

/*
 * A pass's table of the rounded columns' distinct values (the rows of the
 * chunks this process runs): the interval log probabilities, and for the
 * M step the interval means and variances, of every value under every
 * component, computed once per pass instead of once per block.  Each entry
 * is the same function of its value as block_round's per-block form (the
 * same calls, on the same value), so the bits are the same; a column with
 * more than ROUND_TABLE_MAX distinct values keeps the per-block form.
 */
#ifndef ROUND_TABLE_MAX		/* tests/kernel-bits-untabled: 0, the per-block form always */
#define ROUND_TABLE_MAX 65536
#endif

struct round_col {
	size_t nv;		/* distinct values; 0: not tabled */
	size_t mask;		/* hash capacity - 1 (a power of two) */
	unsigned shift;		/* 64 - log2 capacity: a position is the product's top bits */
	uint32_t *cell;		/* values on a grid: index + 1 of the value in each cell, or NULL */
	double lo, inv_h;	/* the grid's first cell and 1 / its width */
	size_t ncell;
	uint64_t *keys;		/* the values' bits, by hash position */
	uint32_t *at;		/* index + 1 at each position, 0: empty */
	double *u;		/* nv values, in order of first appearance */
	double *lp, *ym, *yv;	/* k*nv each (component-major); ym, yv with the moments */
	int borrowed;		/* cell, keys, at and u belong to an index (round_index_make) */
};

struct round_table {
	size_t d;
	struct round_col *col;	/* d */
};

/* Value x's cell on column c's grid (only for values within it). */
static inline size_t
round_cell(const struct round_col *c, double x)
{
	return (size_t)((x - c->lo) * c->inv_h + 0.5);
}

/* Value x's index in column c's table (x is one of the rows the table was made from). */
static inline uint32_t
round_find(const struct round_col *c, double x)
{
	uint64_t key;
	size_t h;

	if (c->cell != NULL)
		return c->cell[round_cell(c, x)] - 1;
	memcpy(&key, &x, sizeof key);
	h = (size_t)((key * 0x9E3779B97F4A7C15u) >> c->shift);
	while (c->keys[h] != key || c->at[h] == 0)
		h = (h + 1) & c->mask;
	return c->at[h] - 1;
}

static void
round_table_free(struct round_table *t)
{
	if (t == NULL)
		return;
	for (size_t p = 0; p < t->d; p++) {
		struct round_col *c = &t->col[p];
		if (!c->borrowed) {
			free(c->keys);
			free(c->at);
			free(c->cell);
			free(c->u);
		}
		free(c->lp);
		free(c->ym);
		free(c->yv);
	}
	free(t->col);
	free(t);
}

/* Column c's hash table at capacity 2^bits, its values (c->nv of them) placed afresh. */
static int
round_col_rehash(struct round_col *c, unsigned bits)
{
	const size_t cap = (size_t)1 << bits;
	uint64_t *keys = malloc(cap * sizeof *keys);
	uint32_t *at = calloc(cap, sizeof *at);
	double *u = realloc(c->u, cap / 2 * sizeof *u);

	if (keys == NULL || at == NULL || u == NULL) {
		free(keys);
		free(at);
		if (u != NULL)
			c->u = u;
		return -1;
	}
	c->u = u;
	free(c->keys);
	free(c->at);
	c->keys = keys;
	c->at = at;
	c->mask = cap - 1;
	c->shift = 64 - bits;
	for (size_t v = 0; v < c->nv; v++) {
		uint64_t key;
		size_t h;
		memcpy(&key, &c->u[v], sizeof key);
		h = (size_t)((key * 0x9E3779B97F4A7C15u) >> c->shift);
		while (at[h] != 0)
			h = (h + 1) & c->mask;
		keys[h] = key;
		at[h] = (uint32_t)(v + 1);
	}
	return 0;
}

/*
 * Column p's distinct values among rows [0, n) of x into c, the table
 * kept at most half full (grown as values come, so that it stays as small
 * as the column's values allow); 1 past ROUND_TABLE_MAX values, -1 out of
 * memory.
 */
static int
round_col_values(const double *x, size_t n, size_t d, size_t p, double h, struct round_col *c)
{
	unsigned bits = 6;
	double lo = x[p], hi = x[p], l4[4], h4[4];

	/*
	 * Values on the grid of width h (as --rounding auto finds them): a
	 * value's index is read from its cell, no hashing; two different
	 * values in one cell (the values are not on this grid) take the hash.
	 */
	for (int l = 0; l < 4; l++)
		l4[l] = h4[l] = lo;
	for (size_t i = 0; i + 4 <= n; i += 4)	/* four chains: min and max wait on no other lane */
		for (int l = 0; l < 4; l++) {
			const double v = x[(i + l) * d + p];
			l4[l] = v < l4[l] ? v : l4[l];
			h4[l] = v > h4[l] ? v : h4[l];
		}
	for (size_t i = n / 4 * 4; i < n; i++) {
		lo = x[i * d + p] < lo ? x[i * d + p] : lo;
		hi = x[i * d + p] > hi ? x[i * d + p] : hi;
	}
	for (int l = 0; l < 4; l++) {
		lo = l4[l] < lo ? l4[l] : lo;
		hi = h4[l] > hi ? h4[l] : hi;
	}
	c->lo = lo;
	c->inv_h = 1.0 / h;
	if (isfinite(lo) && isfinite(hi) && (hi - lo) * c->inv_h < 4.0 * ROUND_TABLE_MAX &&
	    (hi - lo) * c->inv_h < 4.0 * (double)n) {
		int grid = 1;
		c->ncell = round_cell(c, hi) + 1;
		c->cell = calloc(c->ncell, sizeof *c->cell);
		c->u = malloc((c->ncell < n ? c->ncell : n) * sizeof *c->u);
		if (c->cell == NULL || c->u == NULL)
			return -1;
		c->nv = 0;
		for (size_t i = 0; i < n && grid; i++) {
			const double v = x[i * d + p];
			const size_t q = round_cell(c, v);
			if (q >= c->ncell) {
				grid = 0;
			} else if (c->cell[q] == 0) {
				c->u[c->nv] = v;
				c->cell[q] = (uint32_t)++c->nv;
			} else {
				/* The same bits as the value already there, or not a grid. */
				uint64_t a, b;
				memcpy(&a, &c->u[c->cell[q] - 1], sizeof a);
				memcpy(&b, &v, sizeof b);
				grid = a == b;
			}
		}
		if (grid)
			return 0;
		free(c->cell);
		free(c->u);
		c->cell = NULL;
		c->u = NULL;
	}
	c->nv = 0;
	if (round_col_rehash(c, bits))
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t key;
		size_t q;
		memcpy(&key, &x[i * d + p], sizeof key);
		/* The top bits of the product: values on a grid differ in their high bits only. */
		q = (size_t)((key * 0x9E3779B97F4A7C15u) >> c->shift);
		while (c->at[q] != 0 && c->keys[q] != key)
			q = (q + 1) & c->mask;
		if (c->at[q] != 0)
			continue;
		if (c->nv == ROUND_TABLE_MAX) {
			c->nv = 0;
			return 1;
		}
		c->keys[q] = key;
		c->u[c->nv] = x[i * d + p];
		c->at[q] = (uint32_t)++c->nv;
		if (2 * c->nv >= c->mask + 1 && round_col_rehash(c, ++bits))
			return -1;
	}
	return 0;
}

/* Column p's entries under g: what block_round computes per block, over the column's values. */
KERNEL_CLONES
static int
round_col_fill(const struct gmm *g, size_t p, double hh, int want, struct round_col *c)
{
	const size_t k = g->k, d = g->d, nv = c->nv;
	/* block_round keeps the E step's series moments when k d <= ROUND_KEEP: so here. */
	const int keep = want && k * d <= ROUND_KEEP;
	double *flag = malloc(nv * sizeof *flag);
	double *zm = keep ? malloc(2 * nv * sizeof *zm) : NULL, *zv = zm != NULL ? zm + nv : NULL;

	c->lp = malloc(k * nv * sizeof *c->lp);
	c->ym = want ? malloc(k * nv * sizeof *c->ym) : NULL;
	c->yv = want ? malloc(k * nv * sizeof *c->yv) : NULL;
	if (flag == NULL || (keep && zm == NULL) || c->lp == NULL || (want && (c->ym == NULL || c->yv == NULL))) {
		free(flag);
		free(zm);
		return -1;
	}
	for (size_t j = 0; j < k; j++) {
		const double s = g->chol[j * d * d + p * d + p], mu = g->mean[j * d + p];
		round_log_probs(c->u, nv, hh, mu, s, c->lp + j * nv, flag, zm, zv);
		if (keep)
			round_moments_kept(c->u, nv, hh, mu, s, zm, zv, c->ym + j * nv, c->yv + j * nv, flag);
		else if (want)
			round_moments(c->u, nv, hh, mu, s, c->ym + j * nv, c->yv + j * nv, flag);
	}
	free(flag);
	free(zm);
	return 0;
}

/*
 * The index of the rounded columns' distinct values over rows [0, n) of x
 * (d columns, widths h): what a pass's table needs that does not depend
 * on the model, so that a fit makes it once (em_fit) rather than once per
 * pass.  NULL when no column is indexed or memory is short (the blocks
 * then take the per-block form: the same bits, only slower).
 */
static struct round_table *
round_index_make(const double *x, size_t n, size_t d, const double *h)
{
	struct round_table *t = calloc(1, sizeof *t);
	size_t indexed = 0;

	if (t == NULL || n == 0 || (t->col = calloc(d, sizeof *t->col)) == NULL) {
		free(t);
		return NULL;
	}
	t->d = d;
	for (size_t p = 0; p < d; p++) {
		struct round_col *c = &t->col[p];
		int rc;
		if (!(h[p] > 0.0))
			continue;
		rc = round_col_values(x, n, d, p, h[p], c);
		if (rc < 0) {
			round_table_free(t);
			return NULL;
		}
		if (rc > 0 || c->nv == 0) {
			free(c->keys);
			free(c->at);
			free(c->cell);
			free(c->u);
			memset(c, 0, sizeof *c);
		}
		indexed += c->nv > 0;
	}
	if (indexed == 0) {
		round_table_free(t);
		return NULL;
	}
	return t;
}

/*
 * A pass's table under g: index ix's values (borrowed, not copied) with
 * their entries; NULL when memory is short (the per-block form then).
 */
static struct round_table *
round_table_make(const struct gmm *g, const struct round_table *ix, const double *h, int want)
{
	const size_t d = g->d;
	struct round_table *t = calloc(1, sizeof *t);

	if (t == NULL || (t->col = calloc(d, sizeof *t->col)) == NULL) {
		free(t);
		return NULL;
	}
	t->d = d;
	for (size_t p = 0; p < d; p++) {
		struct round_col *c = &t->col[p];
		if (ix->col[p].nv == 0 || (size_t)-1 / sizeof(double) / g->k <= ix->col[p].nv)
			continue;
		*c = ix->col[p];
		c->borrowed = 1;
		c->lp = c->ym = c->yv = NULL;
		if (round_col_fill(g, p, 0.5 * h[p], want, c)) {
			round_table_free(t);
			return NULL;
		}
	}
	return t;
}

/*
 * Scratch (doubles): R (k*B), M, S, T (B each), Y (d*B: an exact
 * column), V (d*B: each column's distinct values), then B spare, a cache of (k + 1) B,
 * the hash keys (2B uint64), entries (2B uint32) and slots (d*B uint32);
 * with k d <= ROUND_KEEP, after them (on an even count of uint32), the
 * series' moments of the E step, ZM and ZV (k*d*B each).  A column the
 * pass's table TAB holds (round_table_make) takes its per-value entries
 * from there by round_find and a gather, the same bits as computing them
 * here; the other columns are computed per block as before.
 */
KERNEL_CLONES
static double
block_round(const struct gmm *g, const double *x, const double *w, size_t nrows,
	    const double *h, const struct round_table *tab, double *scratch, struct em_stats *blk)
{
	const size_t k = g->k, d = g->d, B = EM_BLOCK;
	double *R = scratch, *M = R + k * B, *S = M + B, *T = S + B;
	double *Y = T + B, *V = Y + d * B, *cache = V + d * B + B;
	uint64_t *keys = (uint64_t *)(void *)(cache + (k + 1) * B);
	uint32_t *at = (uint32_t *)(void *)(keys + 2 * B), *slot = at + 2 * B;
	size_t nu[64], *nup = d <= 64 ? nu : NULL;
	/* The series' standard moments of each column and component, for k d <= ROUND_KEEP. */
	double *ZM = blk != NULL && k * d <= ROUND_KEEP ? (double *)(void *)(slot + d * B) : NULL;
	double *ZV = ZM != NULL ? ZM + k * d * B : NULL;
	double ll;

	/* log w_j, then each column's term added in column order, as rounded_term does. */
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i < nrows; i++)
			R[j * B + i] = g->logw[j];
	for (size_t p = 0; p < d; p++) {
		uint32_t *sp = slot + p * B;
		double *u = V + p * B;
		const struct round_col *tc = tab != NULL && tab->col[p].nv > 0 ? &tab->col[p] : NULL;
		size_t m;
		if (tc != NULL) {
			/* A tabled column: each row's value's entry, added in the same order. */
			for (size_t i = 0; i < nrows; i++)
				sp[i] = round_find(tc, x[i * d + p]);
			for (size_t j = 0; j < k; j++) {
				const double *lj = tc->lp + j * tc->nv;
				double *Rj = R + j * B;
				for (size_t i = 0; i < nrows; i++)
					Rj[i] += lj[sp[i]];
			}
			continue;
		}
		m = block_distinct(x, d, p, nrows, sp, u, keys, at);
		if (nup != NULL)
			nup[p] = m;
		for (size_t j = 0; j < k; j++) {
			const double s = g->chol[j * d * d + p * d + p], mu = g->mean[j * d + p];
			double *Rj = R + j * B, *cj = cache + j * B;
			if (h[p] > 0.0) {
				round_log_probs(u, m, 0.5 * h[p], mu, s, cj, T, ZM ? ZM + (p * k + j) * B : NULL,
						ZM ? ZV + (p * k + j) * B : NULL);
#pragma omp simd
				for (size_t i = 0; i < nrows; i++)
					Rj[i] += cj[sp[i]];
			} else {
				for (size_t i = 0; i < nrows; i++) {
					const double z = (x[i * d + p] - mu) / s;
					Rj[i] += -0.5 * LOG_2PI - log(s) - 0.5 * z * z;
				}
			}
		}
	}
	ll = lse_block(R, M, S, T, w, k, nrows);
	if (blk == NULL)
		return ll;
	em_stats_zero(blk);
	for (size_t j = 0; j < k; j++) {
		const double *l = g->chol + j * d * d, *mu = g->mean + j * d;
		double *Rj = R + j * B, s0, *mean = blk->mean + j * d, *m2 = blk->m2 + j * d * d;

#pragma omp simd
		for (size_t i = 0; i < nrows; i++)
			Rj[i] *= S[i];
		s0 = sum4(Rj, nrows);
		blk->s0[j] = s0;
		if (!(s0 > 0.0))
			continue;
		for (size_t p = 0; p < d; p++) {
			const double s = l[p * d + p];
			const uint32_t *sp = slot + p * B;
			double *Yp = Y + p * B;
			if (h[p] > 0.0 && tab != NULL && tab->col[p].nv > 0) {
				const struct round_col *tc = &tab->col[p];
				const double *ym = tc->ym + j * tc->nv, *yv = tc->yv + j * tc->nv;
				mean[p] = gather_dot4(Rj, sp, ym, nrows) / s0;
				m2[p * d + p] = gather_dev4(Rj, sp, ym, yv, mean[p], nrows);
			} else if (h[p] > 0.0) {
				/*
				 * The values' interval means ym and variances yv (u and the
				 * cache hold them); the scatter sum r ((y - mean)^2 + v) is
				 * taken over the values' (y - mean)^2 + v, put in yv.
				 */
				double *u = V + p * B, *ym = cache, *yv = cache + B;
				size_t m = nup != NULL ? nup[p] : block_distinct(x, d, p, nrows, slot + p * B, u,
										 keys, at);
				if (ZM != NULL)
					round_moments_kept(u, m, 0.5 * h[p], mu[p], s, ZM + (p * k + j) * B,
							   ZV + (p * k + j) * B, ym, yv, T);
				else
					round_moments(u, m, 0.5 * h[p], mu[p], s, ym, yv, T);
				mean[p] = gather_dot4(Rj, sp, ym, nrows) / s0;
#pragma omp simd
				for (size_t v = 0; v < m; v++)
					yv[v] = fma(ym[v] - mean[p], ym[v] - mean[p], yv[v]);
				m2[p * d + p] = gather_dot4(Rj, sp, yv, nrows);
			} else {
				for (size_t i = 0; i < nrows; i++)
					Yp[i] = x[i * d + p];
				mean[p] = dot4(Rj, Yp, nrows) / s0;
				m2[p * d + p] = wdev4(Rj, Yp, mean[p], nrows);
			}
		}
	}
	return ll;
}

/*
 * The pass works on EM_CHUNKS chunks of consecutive blocks, fixed by n
 * alone: each chunk's blocks are merged in order, then the chunks in
 * order.  Threads take whole chunks, so the sums, and so every result,
 * are the same for any number of threads; processes too (empar.c).
 */
/* Block b's statistics (or only its log-likelihood) into blk. */
static void
one_block(const struct dataset *ds, const struct gmm *g, const struct round_table *tab, int want,
	  size_t b, size_t row0, double *r, struct em_stats *blk)
{
	const size_t n = ds->n, d = ds->d, k = g->k;
	size_t lo = b * EM_BLOCK, rows = n - lo < EM_BLOCK ? n - lo : EM_BLOCK;
	const double *x = ds->x + (lo - row0) * d;
	const double *w = ds->w ? ds->w + (lo - row0) : NULL;
	double ll;

	if (ds->round != NULL)
		ll = block_round(g, x, w, rows, ds->round, tab, r, want ? blk : NULL);
	else if (d == 1)
		ll = block_1d(g, x, w, rows, r, r + EM_BLOCK * k, r + EM_BLOCK * (k + 1),
			      r + EM_BLOCK * (k + 2), want ? blk : NULL);
	else
		ll = block_md(g, x, w, rows, r, want ? blk : NULL);
	if (!want)
		em_stats_zero(blk);
	blk->loglik = ll;
	blk->loglik_c = 0.0;
}

/*
 * Doubles a block needs: block_md's, then block_round's kept moments or
 * block_diag's coefficients (a block takes one of the two; both are
 * counted).
 */
#define SCRATCH(d, k) (SCRATCH_MD(d, k) + ((k) * (d) <= ROUND_KEEP ? EM_BLOCK * 2 * (k) * (d) : 0) + \
		       4 * (k) * (d) + 2 * (k) + 2 * (d) + 8)

size_t
em_block_scratch(size_t d, size_t k)
{
	return SCRATCH(d, k);
}

/*
 * After a kernel's E step without statistics (w NULL), R holds
 * e_ij = exp(t_ij - max_j t_ij) and S = R + (k + 1) B holds 1/sum_j e_ij,
 * so z_ij = e_ij S_i, log z_ij = log e_ij + log S_i and log max_j z_ij =
 * log S_i (the largest e_ij is 1).
 */
void
em_block_class(const struct gmm *g, const double *x, const double *w, size_t rows,
	       const double *round, double *scratch, double *ent, double *slm)
{
	const size_t k = g->k, d = g->d, B = EM_BLOCK;
	double *R = scratch, *S, e = 0.0, m = 0.0;

	if (round != NULL) {
		(void)block_round(g, x, NULL, rows, round, NULL, scratch, NULL);
	} else if (d == 1) {
		(void)block_1d(g, x, NULL, rows, scratch, scratch + B * k, scratch + B * (k + 1),
			       scratch + B * (k + 2), NULL);
	} else {
		(void)block_md(g, x, NULL, rows, scratch, NULL);
		R = scratch + 3 * d * B;
	}
	S = R + (k + 1) * B;
	for (size_t i = 0; i < rows; i++) {
		const double ls = log(S[i]), wi = w != NULL ? w[i] : 1.0;
		double h = 0.0;
		for (size_t j = 0; j < k; j++) {
			const double r = R[j * B + i];
			if (r > 0.0) {
				const double lz = log(r) + ls;
				h -= r * S[i] * lz;
			}
		}
		e += wi * h;
		m += wi * ls;
	}
	*ent = e;
	*slm = m;
}

/*
 * Few chunks for many threads (a process of an MPI run holding one or two
 * chunks): each chunk's blocks are computed in parallel, a batch at a
 * time, and merged in block order, so the sums are the same again.
 */
static int
pass_by_blocks(const struct dataset *ds, const struct gmm *g, const struct round_table *tab,
	       int want, struct em_stats *slot, size_t c0, size_t c1, size_t row0, int nthr)
{
	const size_t d = ds->d, k = g->k, nblocks = (ds->n + EM_BLOCK - 1) / EM_BLOCK;
	const size_t batch = 8 * (size_t)nthr;
	const int full = !gmm_cov_is_diagonal(g->cov_type);
	struct em_stats *bs = calloc(batch, sizeof *bs);
	double *r = malloc((size_t)nthr * SCRATCH(d, k) * sizeof *r);
	size_t made = 0;
	int rc = -1;

	if (bs == NULL || r == NULL)
		goto out;
	for (; made < batch; made++)
		if (em_stats_init(&bs[made], k, d, full))
			goto out;
	for (size_t c = c0; c < c1; c++) {
		size_t b0 = c * nblocks / EM_CHUNKS, b1 = (c + 1) * nblocks / EM_CHUNKS;
		for (size_t bb = b0; bb < b1; bb += batch) {
			long nb = (long)(b1 - bb < batch ? b1 - bb : batch), j;
#pragma omp parallel for num_threads(nthr) schedule(static)
			for (j = 0; j < nb; j++) {
				int t = 0;
#ifdef _OPENMP
				t = omp_get_thread_num();
#endif
				one_block(ds, g, tab, want, bb + (size_t)j, row0,
					  r + (size_t)t * SCRATCH(d, k), &bs[j]);
			}
			for (j = 0; j < nb; j++)
				em_stats_merge(&slot[c], &bs[j]);
		}
	}
	rc = 0;
out:
	for (size_t i = 0; i < made; i++)
		em_stats_free(&bs[i]);
	free(bs);
	free(r);
	return rc;
}

static int
pass_chunks(const struct dataset *ds, const struct gmm *g, const struct round_table *tab, int want,
	    struct em_stats *slot, size_t c0, size_t c1, size_t row0, int threads)
{
	const size_t n = ds->n, d = ds->d, k = g->k;
	const size_t nblocks = (n + EM_BLOCK - 1) / EM_BLOCK;
	const int full = !gmm_cov_is_diagonal(g->cov_type);
	int nthr = 1, failed = 0;
	long c;

#ifdef _OPENMP
	nthr = threads > 0 ? threads : omp_get_max_threads();
	/*
	 * At least 64 blocks (32768 rows) a thread: below that, starting and
	 * joining threads costs more than they give (the sums are the same
	 * for any number of threads, so this changes no result).
	 */
	{
		size_t mine = (c1 - c0) * nblocks / EM_CHUNKS + 1;
		if ((size_t)nthr > (mine + 63) / 64)
			nthr = (int)((mine + 63) / 64);
	}
	if (nthr < 1)
		nthr = 1;
#else
	(void)threads;
#endif
	if (nthr == 1) {
		/* One thread: no parallel region to start and join on every pass. */
		double *r = malloc(SCRATCH(d, k) * sizeof *r);
		struct em_stats blk;
		if (r == NULL || em_stats_init(&blk, k, d, full)) {
			free(r);
			return -1;
		}
		for (size_t cc = c0; cc < c1; cc++) {
			size_t b0 = cc * nblocks / EM_CHUNKS, b1 = (cc + 1) * nblocks / EM_CHUNKS;
			for (size_t b = b0; b < b1; b++) {
				one_block(ds, g, tab, want, b, row0, r, &blk);
				em_stats_merge(&slot[cc], &blk);
			}
		}
		em_stats_free(&blk);
		free(r);
		return 0;
	}
	if (nthr > 1 && c1 - c0 < 4 * (size_t)nthr)
		return pass_by_blocks(ds, g, tab, want, slot, c0, c1, row0, nthr) ? -1 : 0;

#pragma omp parallel num_threads(nthr) reduction(|:failed)
	{
		/* Scratch: responsibilities, two row vectors, a block's statistics. */
		double *r = malloc(SCRATCH(d, k) * sizeof *r);
		struct em_stats blk;
		int ok = r != NULL && em_stats_init(&blk, k, d, full) == 0;

		failed |= !ok;
#pragma omp for schedule(static)
		for (c = (long)c0; c < (long)c1; c++) {
			size_t b0 = (size_t)c * nblocks / EM_CHUNKS;
			size_t b1 = (size_t)(c + 1) * nblocks / EM_CHUNKS;
			if (!ok)
				continue;
			for (size_t b = b0; b < b1; b++) {
				one_block(ds, g, tab, want, b, row0, r, &blk);
				em_stats_merge(&slot[c], &blk);
			}
		}
		if (ok)
			em_stats_free(&blk);
		free(r);
	}
	return failed ? -1 : 0;	/* out of memory for a few kilobytes of scratch */
}

/* em_pass_chunks with the index ix of this process's rows, or NULL: made for this pass. */
static int
pass_chunks_ix(const struct dataset *ds, const struct gmm *g, int want, struct em_stats *slot,
	       size_t c0, size_t c1, size_t row0, int threads, const struct round_table *ix)
{
	const size_t nblocks = (ds->n + EM_BLOCK - 1) / EM_BLOCK;
	struct round_table *own = NULL, *tab = NULL;
	int rc;

	if (ds->round != NULL && c1 > c0 && ix == NULL) {
		/* The rows of chunks c0 .. c1 - 1, which are this process's. */
		size_t lo = c0 * nblocks / EM_CHUNKS * EM_BLOCK, hi = c1 * nblocks / EM_CHUNKS * EM_BLOCK;
		if (hi > ds->n)
			hi = ds->n;
		if (hi > lo)
			ix = own = round_index_make(ds->x + (lo - row0) * ds->d, hi - lo, ds->d, ds->round);
	}
	if (ix != NULL)
		tab = round_table_make(g, ix, ds->round, want);
	rc = pass_chunks(ds, g, tab, want, slot, c0, c1, row0, threads);
	round_table_free(tab);
	round_table_free(own);
	return rc;
}

int
em_pass_chunks(const struct dataset *ds, const struct gmm *g, int want,
	       struct em_stats *slot, size_t c0, size_t c1, size_t row0, int threads)
{
	return pass_chunks_ix(ds, g, want, slot, c0, c1, row0, threads, NULL);
}

int
em_chunk_used(size_t n, size_t c)
{
	const size_t nblocks = (n + EM_BLOCK - 1) / EM_BLOCK;

	return (c + 1) * nblocks / EM_CHUNKS > c * nblocks / EM_CHUNKS;
}

/* The pass over rows that are all here. */
static int
local_pass(const struct dataset *ds, const struct gmm *g, int want, struct em_stats *slot,
	   int threads)
{
	return em_pass_chunks(ds, g, want, slot, 0, EM_CHUNKS, 0, threads) ? GM_EINTERNAL : GM_OK;
}

static const struct em_source local_source = { local_pass };

/* em_pass with ix, the index of the rounded values of rows that are all here (em_fit), or NULL. */
static int
pass_ix(const struct dataset *ds, const struct gmm *g, struct em_stats *st,
	int threads, double *llp, const struct round_table *ix)
{
	const int full = !gmm_cov_is_diagonal(g->cov_type);
	const struct em_source *src = ds->em_source != NULL ? ds->em_source : &local_source;
	struct em_stats total, slot[EM_CHUNKS];
	int used[EM_CHUNKS], bad;
	double ll;

	/* Slots for the chunks that hold blocks: merging an empty slot would change nothing. */
	*llp = NAN;
	if (ds->round != NULL && ds->d > 1 && full)
		return GM_EUSAGE;	/* rounded rows: diagonal factors only (block_round) */
	memset(slot, 0, sizeof slot);
	bad = em_stats_init(&total, g->k, ds->d, full);
	for (size_t s = 0; s < EM_CHUNKS; s++) {
		used[s] = em_chunk_used(ds->n, s);
		if (!bad && used[s] && em_stats_init(&slot[s], g->k, ds->d, full))
			bad = 1;
	}
	if (!bad && ix != NULL && src == &local_source)
		bad = pass_chunks_ix(ds, g, st != NULL, slot, 0, EM_CHUNKS, 0, threads, ix) != 0;
	else if (!bad)
		bad = src->pass(ds, g, st != NULL, slot, threads) != GM_OK;
	if (!bad) {
		for (size_t s = 0; s < EM_CHUNKS; s++)
			if (used[s])
				em_stats_merge(&total, &slot[s]);
		if (st != NULL) {
			em_stats_zero(st);
			em_stats_merge(st, &total);
		}
	}
	ll = total.loglik + total.loglik_c;
	em_stats_free(&total);
	for (size_t s = 0; s < EM_CHUNKS; s++)
		em_stats_free(&slot[s]);
	if (bad)
		return GM_EINTERNAL;
	*llp = ll;
	return GM_OK;
}

int
em_pass(const struct dataset *ds, const struct gmm *g, struct em_stats *st,
	int threads, double *llp)
{
	return pass_ix(ds, g, st, threads, llp, NULL);
}

long
em_mstep(const struct em_stats *st, struct gmm *g, const double *reg)
{
	return em_mstep_fixed(st, g, reg, NULL, 0);
}

long
em_mstep_fixed(const struct em_stats *st, struct gmm *g, const double *reg,
	       const struct gmm *fixed, unsigned fix)
{
	return em_mstep_prior(st, g, reg, fixed, fix, NULL);
}

/* The prior's part of a covariance: its scale (factor times var, or the number l), c delta delta'. */
static void
prior_terms(const struct em_prior *pr, enum gmm_cov t, size_t d, double fac, double c,
	    const double *delta, double *cv)
{
	double l = 0.0, dd = 0.0;

	for (size_t p = 0; p < d; p++) {
		l += pr->var[p * d + p] * fac / (double)d;
		dd += delta[p] * delta[p];
	}
	for (size_t p = 0; p < d; p++)
		for (size_t q = 0; q <= p; q++) {
			double v;
			if (t == GMM_FULL || t == GMM_TIED)
				v = fac * pr->var[p * d + q] + c * delta[p] * delta[q];
			else if (p != q)
				continue;
			else if (t == GMM_DIAG)
				v = l + c * delta[p] * delta[p];
			else
				v = (l + c * dd) / (double)d;	/* spread over the d diagonal entries */
			cv[p * d + q] += v;
		}
}

/*
 * The models whose prior M step takes each component's scatter with the
 * prior's terms added (the work array's tail): VEI, VEV, EVI, EEV.
 */
static int
prior_scatter(enum gmm_cov t)
{
	return covmodel_iterative(t) || t == GMM_EVI || t == GMM_EEV;
}

/*
 * em_mstep_prior's step for mclust's models in covmodel.c: padd holds the
 * prior's c delta_p^2 summed over the components; the mode's scale term
 * and denominator as mclust's meeiip (EII) and meeeip (EEI).  Returns as
 * covmodel_mstep.
 */
static long
prior_covmodel(const struct em_stats *st, struct gmm *g, const double *reg,
	       const struct em_prior *prior, double *padd, double wsum, double fac)
{
	struct covmodel_prior cp = { padd, 0.0 };
	const size_t k = g->k, d = g->d;
	const double kappa = prior != NULL ? prior->shrinkage : 0.0;

	if (prior != NULL && prior_scatter(g->cov_type)) {
		/*
		 * mclust's msveip, msvevp, and the EM of meevip and meeevp: each
		 * scatter with the prior's terms (em_mstep_prior made it); VEI's
		 * volumes over nu + n_j d + 2 (+ 1 for the means' prior), VEV's
		 * over n_j d, EVI's one volume over nu + n + 1 (+ 1), EEV's over
		 * nu + n + d + 1 (+ 1), as there.
		 */
		const double pk = kappa > 0.0 ? 1.0 : 0.0;
		cp.den = g->cov_type == GMM_VEI ? prior->dof + 2.0 + pk
		       : g->cov_type == GMM_EVI ? prior->dof + wsum + 1.0 + pk
		       : g->cov_type == GMM_EEV ? prior->dof + wsum + (double)d + 1.0 + pk : 0.0;
		return covmodel_mstep(g, st->s0, covmodel_work_prior(st->cwork, k, d), reg, &cp,
				      st->cwork);
	}
	if (prior != NULL && g->cov_type == GMM_EII) {
		/* mclust's meeiip: no scale term, and K d counted for the means' prior. */
		cp.den = prior->dof + (wsum + (double)k) * (double)d + 2.0;
	} else if (prior != NULL) {
		/*
		 * mclust's meeeip: the scale number on each diagonal entry.  Its
		 * means stay unshrunk; here they are the posterior mode's, as for
		 * every other model.
		 */
		double l = 0.0;
		for (size_t p = 0; p < d; p++)
			l += prior->var[p * d + p] * fac / (double)d;
		for (size_t p = 0; p < d; p++)
			padd[p] += l;
		cp.den = prior->dof + wsum + 1.0 + (kappa > 0.0 ? 1.0 : 0.0);
	}
	return covmodel_mstep(g, st->s0, st->m2, reg, prior != NULL ? &cp : NULL, st->cwork);
}

/* em_mstep_prior's tied covariance: the pooled scatter (and the prior's terms) over den. */
static void
tied_pool(const struct em_stats *st, struct gmm *g, const double *reg,
	  const struct em_prior *prior, double wsum, double fac)
{
	const size_t k = g->k, d = g->d;
	const double kappa = prior != NULL ? prior->shrinkage : 0.0;
	double *cv = g->cov, den = wsum;

	if (prior != NULL) {
		/* Components 1.. hold their c delta delta' (component 0's is in cv already). */
		for (size_t j = 1; j < k; j++)
			for (size_t p = 0; p < d; p++)
				for (size_t q = 0; q <= p; q++)
					cv[p * d + q] += g->cov[j * d * d + p * d + q];
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q <= p; q++)
				cv[p * d + q] += fac * prior->var[p * d + q];
		den = prior->dof + wsum + (double)d + 1.0 + (kappa > 0.0 ? (double)k : 0.0);
	}
	/* The pooled within-component scatter: a sum of centred matrices. */
	for (size_t j = 0; j < k; j++) {
		const double *m2 = st->m2 + j * d * d;
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q <= p; q++)
				cv[p * d + q] += m2[p * d + q];
	}
	for (size_t p = 0; p < d; p++)
		for (size_t q = 0; q <= p; q++)
			cv[p * d + q] = cv[q * d + p] = cv[p * d + q] / den;
	for (size_t p = 0; p < d; p++)
		cv[p * d + p] += reg[p];
	for (size_t j = 1; j < k; j++)
		memcpy(g->cov + j * d * d, cv, d * d * sizeof *cv);
}

long
em_mstep_prior(const struct em_stats *st, struct gmm *g, const double *reg,
	       const struct gmm *fixed, unsigned fix, const struct em_prior *prior)
{
	const size_t k = g->k, d = g->d;
	const double kappa = prior != NULL ? prior->shrinkage : 0.0;
	const double fac = prior != NULL ? pow((double)k, -2.0 / (double)d) : 0.0;
	double wsum = 0.0, regmean = 0.0, delta[EM_PRIOR_DMAX], padd[EM_PRIOR_DMAX];

	for (size_t j = 0; j < k; j++)
		wsum += st->s0[j];
	for (size_t c = 0; c < d; c++)
		regmean += reg[c] / (double)d;
	for (size_t j = 0; j < k; j++)
		if (!(st->s0[j] > 0.0) || !(wsum > 0.0))
			return (long)j;
	if (prior != NULL && (d > EM_PRIOR_DMAX || !gmm_cov_has_prior(g->cov_type)))
		prior = NULL;	/* not reached: the command line refuses it */
	if (fixed == NULL)
		fix = 0;
	if (covmodel_iterative(g->cov_type) || (prior != NULL && prior_scatter(g->cov_type))) {
		/*
		 * The work array, made once per statistics (zeros: no start yet);
		 * it keeps the last step's component 0, the next one's start.
		 */
		struct em_stats *mst = (struct em_stats *)st;
		if (mst->cwork == NULL)
			mst->cwork = calloc(covmodel_work_len(k, d), sizeof *mst->cwork);
		if (mst->cwork == NULL)
			return 0;	/* out of memory: reported as a failed step */
	}
	if (fix & EM_FIX_MEANS) {
		/* Scatter about the fixed means: add s0 (m - mu0)(m - mu0)'. */
		struct em_stats *mst = (struct em_stats *)st;
		for (size_t j = 0; j < k; j++) {
			double *m2 = mst->m2 + j * d * d, s0 = st->s0[j];
			const double *m = st->mean + j * d, *mu0 = fixed->mean + j * d;
			for (size_t p = 0; p < d; p++)
				for (size_t q = 0; q <= p; q++)
					if (st->full || p == q)
						m2[p * d + q] += s0 * (m[p] - mu0[p]) * (m[q] - mu0[q]);
			memcpy(mst->mean + j * d, mu0, d * sizeof *mu0);
		}
	}
	for (size_t j = 0; j < k; j++) {
		const double *m2 = st->m2 + j * d * d, *m = st->mean + j * d;
		double *cv = g->cov + j * d * d, s0 = st->s0[j], c = 0.0, den = s0;

		g->weight[j] = s0 / wsum;
		memcpy(g->mean + j * d, m, d * sizeof(double));
		memset(cv, 0, d * d * sizeof *cv);
		if (prior != NULL) {
			/* The posterior mode (mclust's denominators; kappa > 0 adds its own). */
			int pk = kappa > 0.0;
			c = s0 * kappa / (s0 + kappa);
			for (size_t p = 0; p < d; p++) {
				delta[p] = m[p] - prior->mean[p];
				if (!(fix & EM_FIX_MEANS))
					g->mean[j * d + p] = (s0 * m[p] + kappa * prior->mean[p]) / (s0 + kappa);
			}
			den = g->cov_type == GMM_FULL ? prior->dof + s0 + (double)d + 1.0 + pk
			    : g->cov_type == GMM_DIAG ? prior->dof + s0 + 2.0 + pk
			    : prior->dof + s0 * (double)d + 2.0 + (double)d * pk;
			if (prior_scatter(g->cov_type)) {
				/* VEI, VEV, EVI, EEV: each scatter with the prior's terms, in the work's tail. */
				double *pm = covmodel_work_prior(st->cwork, k, d) + j * d * d;
				memcpy(pm, m2, d * d * sizeof *pm);
				prior_terms(prior, gmm_cov_is_diagonal(g->cov_type) ? GMM_DIAG : GMM_FULL, d,
					    fac, c, delta, pm);
			} else if (covmodel_handles(g->cov_type)) {
				/* EII, EEI: c delta_p^2 summed over the components, for covmodel_mstep. */
				for (size_t p = 0; p < d; p++)
					padd[p] = (j > 0 ? padd[p] : 0.0) + c * delta[p] * delta[p];
			} else if (g->cov_type != GMM_TIED) {
				prior_terms(prior, g->cov_type, d, fac, c, delta, cv);
			}
		}
		switch (g->cov_type) {
		case GMM_FULL:
			for (size_t p = 0; p < d; p++)
				for (size_t q = 0; q <= p; q++)
					cv[p * d + q] = cv[q * d + p] = (cv[p * d + q] + m2[p * d + q]) / den;
			for (size_t p = 0; p < d; p++)
				cv[p * d + p] += reg[p];
			break;
		case GMM_DIAG:
			for (size_t p = 0; p < d; p++)
				cv[p * d + p] = (cv[p * d + p] + m2[p * d + p]) / den + reg[p];
			break;
		case GMM_SPHERICAL: {
			double tr = 0.0, pr = 0.0;
			for (size_t p = 0; p < d; p++) {
				tr += m2[p * d + p];
				pr += cv[p * d + p];
			}
			for (size_t p = 0; p < d; p++)
				cv[p * d + p] = prior != NULL ? (pr + tr) / den + regmean
							 : tr / s0 / (double)d + regmean;
			break;
		}
		case GMM_TIED:
			if (prior != NULL) {
				/* Each component's c delta delta', pooled below with the scatter. */
				double *acc = g->cov + j * d * d;
				for (size_t p = 0; p < d; p++)
					for (size_t q = 0; q <= p; q++)
						acc[p * d + q] = c * delta[p] * delta[q];
			}
			break;
		default:
			break;	/* mclust's other models: covmodel_mstep, below */
		}
	}
	if (covmodel_handles(g->cov_type)) {
		long bad = prior_covmodel(st, g, reg, prior, padd, wsum, fac);
		if (bad >= 0)
			return bad;
	}
	if (g->cov_type == GMM_TIED)
		tied_pool(st, g, reg, prior, wsum, fac);
	if (fix & EM_FIX_WEIGHTS)
		memcpy(g->weight, fixed->weight, k * sizeof *g->weight);
	if (fix & EM_FIX_COVARIANCES)
		memcpy(g->cov, fixed->cov, k * d * d * sizeof *g->cov);
	return gmm_prepare(g);
}

/*
 * The parameters as one vector, where SQUAREM extrapolates: weights,
 * means and covariances, as the method's authors extrapolate a mixture's
 * own parameters.  The structures are kept (zeros stay zero, equal
 * entries stay equal, the weights still add up to 1); a point that is
 * not a model (a weight not positive, a covariance not positive
 * definite) is refused like a worse one.
 */
static size_t
theta_len(const struct gmm *g)
{
	return g->k * (1 + g->d + g->d * g->d);
}

static void
theta_get(const struct gmm *g, double *t)
{
	const size_t k = g->k, d = g->d;

	memcpy(t, g->weight, k * sizeof *t);
	memcpy(t + k, g->mean, k * d * sizeof *t);
	memcpy(t + k + k * d, g->cov, k * d * d * sizeof *t);
}

/* Set g from an extrapolated t; 0 when it makes a usable model. */
static int
theta_set(struct gmm *g, const double *t)
{
	const size_t k = g->k, d = g->d, m = theta_len(g);
	double s = 0.0;

	for (size_t i = 0; i < m; i++)
		if (!isfinite(t[i]))
			return -1;
	for (size_t j = 0; j < k; j++) {
		if (!(t[j] > 0.0))
			return -1;
		s += t[j];
	}
	for (size_t j = 0; j < k; j++)
		g->weight[j] = t[j] / s;	/* 1 up to rounding already */
	memcpy(g->mean, t + k, k * d * sizeof *t);
	memcpy(g->cov, t + k + k * d, k * d * d * sizeof *t);
	return gmm_prepare(g) < 0 ? 0 : -1;
}

/*
 * The SQUAREM point theta0 - 2 alpha r + alpha^2 v, written with the
 * sign of alpha > 0 folded in, where r = theta1 - theta0 and
 * v = theta2 - 2 theta1 + theta0; g takes it when it is a model (0).
 */
static int
extrapolate(struct gmm *g, const double *t0, const double *t1, const double *t2,
	    double *tp, size_t m, double alpha)
{
	for (size_t i = 0; i < m; i++) {
		double r = t1[i] - t0[i], v = t2[i] - 2.0 * t1[i] + t0[i];
		tp[i] = t0[i] + 2.0 * alpha * r + alpha * alpha * v;
	}
	return theta_set(g, tp);
}

static int
collapse_error(struct gm_error *err, long bad, const struct gmm *g, size_t it)
{
	return gm_error_set(err, GM_ENUMERIC, NULL, 0, 0,
		"component %ld of K = %zu collapsed after %zu iterations "
		"(" EM_COLLAPSED ")",
		bad + 1, g->k, it);
}

static int
em_plain(const struct dataset *ds, struct gmm *g, const struct em_options *opt,
	 const struct gmm *fixed, struct em_stats *st, double wtot,
	 struct em_result *res, struct gm_error *err,
	const struct round_table *ix)
{
	double prev = 0.0, ll, change = 0.0;
	size_t it = 0;
	int converged = 0;

	for (;;) {
		long bad;

		if (pass_ix(ds, g, st, opt->threads, &ll, ix) != GM_OK)
			return gm_error_oom(err);
		if (it > 0) {
			change = ll / wtot - prev;
			if (opt->progress)
				opt->progress(opt->progress_arg, it, ll / wtot, change);
			if (fabs(change) < opt->tol) {
				converged = 1;
				break;
			}
		}
		if (it >= opt->max_iter)
			break;
		prev = ll / wtot;
		bad = em_mstep_prior(st, g, opt->reg, fixed, opt->fix, opt->prior);
		if (bad >= 0)
			return collapse_error(err, bad, g, it);
		it++;
	}
	res->iterations = it;
	res->converged = converged;
	res->loglik = ll;
	res->last_change = change;
	return GM_OK;
}

static int
em_squarem(const struct dataset *ds, struct gmm *g, const struct em_options *opt,
	   const struct gmm *fixed, struct em_stats *st, double wtot,
	   struct em_result *res, struct gm_error *err,
	const struct round_table *ix)
{
	const size_t m = theta_len(g);
	double *t0 = malloc(4 * m * sizeof *t0), *t1 = t0 + m, *t2 = t1 + m, *tp = t2 + m;
	double ll = 0.0, change = 0.0, stepmax = 1.0;
	struct gmm *g2 = gmm_dup(g);
	size_t it = 0;
	int converged = 0, rc = GM_OK;

	if (t0 == NULL || g2 == NULL) {
		free(t0);
		gmm_free(g2);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	for (;;) {
		double ll0, ll1, llp, rr = 0.0, vv = 0.0, alpha;
		long bad;
		int model;

		/* theta0 -> theta1: a plain EM step, which also tests convergence. */
		if (pass_ix(ds, g, st, opt->threads, &ll0, ix) != GM_OK) {
			rc = gm_error_oom(err);
			break;
		}
		ll = ll0;
		if (it >= opt->max_iter)
			break;
		theta_get(g, t0);
		if ((bad = em_mstep_prior(st, g, opt->reg, fixed, opt->fix, opt->prior)) >= 0) {
			rc = collapse_error(err, bad, g, it);
			break;
		}
		it++;
		if (pass_ix(ds, g, st, opt->threads, &ll1, ix) != GM_OK) {
			rc = gm_error_oom(err);
			break;
		}
		ll = ll1;
		change = (ll1 - ll0) / wtot;
		if (opt->progress)
			opt->progress(opt->progress_arg, it, ll1 / wtot, change);
		if (fabs(change) < opt->tol) {
			converged = 1;
			break;
		}
		if (it >= opt->max_iter)
			break;
		theta_get(g, t1);
		if ((bad = em_mstep_prior(st, g, opt->reg, fixed, opt->fix, opt->prior)) >= 0) {
			rc = collapse_error(err, bad, g, it);
			break;
		}
		it++;
		theta_get(g, t2);
		gmm_copy(g2, g);
		/* No room for the extrapolated point's EM step: end at theta2. */
		if (it >= opt->max_iter)
			continue;

		/*
		 * Step length |r|/|v| (scheme S3), at most stepmax, which starts
		 * at 1 and grows fourfold each time a step reaches it and is kept
		 * (Varadhan and Roland's safeguard against wild early steps).
		 */
		for (size_t i = 0; i < m; i++) {
			double r = t1[i] - t0[i], v = t2[i] - 2.0 * t1[i] + t0[i];
			rr += r * r;
			vv += v * v;
		}
		alpha = vv > 0.0 ? sqrt(rr / vv) : 1.0;
		if (!(alpha > 1.0))
			continue;	/* no gain over the plain step: go on from theta2 */
		if (alpha > stepmax)
			alpha = stepmax;
		/*
		 * A point that is not a model (a weight or a variance pushed
		 * below zero) is brought back along the same path, halving
		 * alpha's excess over 1 (alpha = 1 is theta2) until it is one;
		 * this costs no pass over the rows.
		 */
		while (!(model = extrapolate(g, t0, t1, t2, tp, m, alpha) == 0) && alpha >= 1.01)
			alpha = 0.5 * (alpha + 1.0);
		if (!model) {
			gmm_copy(g, g2);
			continue;
		}
		/* Keep the extrapolated point only if it is no worse than theta1. */
		if (pass_ix(ds, g, st, opt->threads, &llp, ix) != GM_OK) {
			rc = gm_error_oom(err);
			break;
		}
		if (!(llp >= ll1) || em_mstep_prior(st, g, opt->reg, fixed, opt->fix, opt->prior) >= 0) {
			gmm_copy(g, g2);
			stepmax = stepmax > 1.0 ? stepmax / 4.0 : 1.0;
			continue;
		}
		/* The kept point stands where theta2 would, after `it` M steps. */
		if (opt->progress)
			opt->progress(opt->progress_arg, it, llp / wtot, (llp - ll1) / wtot);
		if (alpha >= stepmax)
			stepmax *= 4.0;
		it++;
	}
	free(t0);
	gmm_free(g2);
	if (rc != GM_OK)
		return rc;
	res->iterations = it;
	res->converged = converged;
	res->loglik = ll;
	res->last_change = change;
	return GM_OK;
}

int
em_fit(const struct dataset *ds, struct gmm *g, const struct em_options *opt,
       struct em_result *res, struct gm_error *err)
{
	const int full = !gmm_cov_is_diagonal(g->cov_type);
	const double wtot = dataset_total_weight(ds);
	struct em_stats st;
	struct gmm *fixed = NULL;
	struct round_table *ix = NULL;
	int rc;

	if (em_stats_init(&st, g->k, g->d, full))
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	/* --fix: the start's values are the ones kept. */
	if (opt->fix != 0 && (fixed = gmm_dup(g)) == NULL) {
		em_stats_free(&st);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	/* Rounded rows all here: their values indexed once for the fit's passes. */
	if (ds->round != NULL && ds->em_source == NULL)
		ix = round_index_make(ds->x, ds->n, ds->d, ds->round);
	if (opt->accel == EM_ACCEL_SQUAREM)
		rc = em_squarem(ds, g, opt, fixed, &st, wtot, res, err, ix);
	else
		rc = em_plain(ds, g, opt, fixed, &st, wtot, res, err, ix);
	round_table_free(ix);
	gmm_free(fixed);
	em_stats_free(&st);
	if (rc == GM_OK)
		res->mean_loglik = res->loglik / wtot;
	return rc;
}
