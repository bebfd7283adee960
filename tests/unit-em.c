/*
 * unit-em.c - the EM core against the seed report's run and closed forms.
 *
 * Expected values come from tests/heights.reference.json (a copy of the
 * project's reference file: the seed report's numpy loop and
 * scikit-learn's best fit on data/heights.csv), and from closed forms.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "csvread.h"
#include "em.h"
#include "fit.h"
#include "gmm.h"
#include "init.h"
#include "rng.h"
#include "json.h"
#include "tap.h"

static const char *
srcdir(void)
{
	const char *s = getenv("srcdir");

	return s ? s : ".";
}

static int
read_heights(struct dataset *ds)
{
	struct csvread_options co;
	struct gm_error err;
	char path[4096];

	memset(&co, 0, sizeof co);
	gm_error_clear(&err);
	snprintf(path, sizeof path, "%s/data/heights.csv", srcdir());
	if (csvread_file(path, &co, ds, &err) != GM_OK) {
		tap_diag("cannot read %s: %s", path, err.msg);
		return -1;
	}
	return 0;
}

/* The seed's start, 1000 plain EM steps, no regulariser, no early stop. */
static void
test_seed(const struct dataset *ds, const char *ref)
{
	const char *sa = json_key(ref, "seed_algorithm");
	double w[2], mu[2], sd[2], zero[1] = { 0.0 };
	double gmeans[2] = { 170, 190 }, gsds[2] = { 5, 5 }, gw[2] = { 0.5, 0.5 };
	struct init_given gv = { gmeans, gsds, gw };
	struct em_options eo = { 1000, 0.0, zero, 0, NULL, NULL };
	struct em_result res;
	struct gm_error err;
	struct gmm *g = gmm_new(2, 1, GMM_FULL);
	struct rng rng;
	char what[64];

	gm_error_clear(&err);
	rng_seed(&rng, 0);
	json_numbers(json_key(sa, "weights"), w, 2);
	json_numbers(json_key(sa, "means"), mu, 2);
	json_numbers(json_key(sa, "sds"), sd, 2);
	tap_ok(init_model(ds, INIT_GIVEN, &gv, zero, &rng, g, &err) == GM_OK &&
	       em_fit(ds, g, &eo, &res, &err) == GM_OK, "seed run completes");
	gmm_sort(g);
	tap_ok(res.iterations == 1000 && !res.converged,
	       "seed run made exactly 1000 EM steps (made %zu)", res.iterations);
	/*
	 * 1e-9 relative: the reference sums 10,000 terms in numpy's pairwise
	 * order, this code in blocks; rounding differences of ~1e-13 per step
	 * stay far below 1e-9 after 1000 contracting EM steps.
	 */
	for (int j = 0; j < 2; j++) {
		snprintf(what, sizeof what, "seed weight %d", j + 1);
		tap_rel(g->weight[j], w[j], 1e-9, what);
		snprintf(what, sizeof what, "seed mean %d", j + 1);
		tap_rel(g->mean[j], mu[j], 1e-9, what);
		snprintf(what, sizeof what, "seed sd %d", j + 1);
		tap_rel(sqrt(g->cov[j]), sd[j], 1e-9, what);
	}
	tap_rel(res.loglik, json_number_at(sa, "loglik"), 1e-9, "seed log-likelihood");
	gmm_free(g);
}

/* The default start (quantiles, default tol and reg) reaches scikit-learn's best. */
static void
test_default(const struct dataset *ds, const char *ref)
{
	double best = json_number_at(json_key(ref, "sklearn_best"), "mean_loglik");
	double m, v, reg[1];
	size_t ks[1] = { 2 };
	enum gmm_cov covs[1] = { GMM_FULL };
	struct fit_options fo;
	struct fit_result fr;
	struct gm_error err;

	dataset_column_moments(ds, 0, &m, &v);
	reg[0] = 1e-6 * v;	/* the program's default */
	memset(&fo, 0, sizeof fo);
	fo.ks = ks;
	fo.nk = 1;
	fo.covs = covs;
	fo.ncov = 1;
	fo.init = INIT_QUANTILE;
	fo.n_init = 1;
	fo.em.max_iter = 1000;
	fo.em.tol = 1e-10;
	fo.em.reg = reg;
	gm_error_clear(&err);
	if (!tap_ok(fit_run(ds, &fo, &fr, &err) == GM_OK, "default fit runs"))
		return;
	/* The bar: at least sklearn's best minus 1e-9 per row. */
	tap_ok(fr.models[0].res.mean_loglik >= best - 1e-9,
	       "default start: mean loglik %.15g >= sklearn best %.15g - 1e-9",
	       fr.models[0].res.mean_loglik, best);
	tap_ok(fr.models[0].res.converged, "default fit converged in %zu iterations",
	       fr.models[0].res.iterations);
	tap_ok(fr.models[0].n_params == 5, "p = 5 for K = 2 in 1-D");
	/* BIC and AIC by their definitions, with n = 10000. */
	tap_rel(fr.models[0].bic, -2 * fr.models[0].res.loglik + 5 * log(10000.0), 1e-15,
		"BIC = -2 loglik + p ln n");
	tap_rel(fr.models[0].aic, -2 * fr.models[0].res.loglik + 10.0, 1e-15,
		"AIC = -2 loglik + 2p");
	fit_result_free(&fr);
}

/* Plain EM never lowers the likelihood (no regulariser). */
static void
test_monotone(const struct dataset *ds)
{
	double gmeans[3] = { 150, 170, 200 }, gsds[3] = { 3, 3, 3 }, zero[1] = { 0 };
	struct init_given gv = { gmeans, gsds, NULL };
	struct gmm *g = gmm_new(3, 1, GMM_FULL);
	struct em_stats st;
	struct gm_error err;
	struct rng rng;
	double prev = -INFINITY, drop = 0.0;

	gm_error_clear(&err);
	rng_seed(&rng, 1);
	init_model(ds, INIT_GIVEN, &gv, zero, &rng, g, &err);
	em_stats_init(&st, 3, 1, 1);
	for (int it = 0; it < 200; it++) {
		double ll;
		em_pass(ds, g, &st, 0, &ll);
		/* Rounding of a 10,000-term sum of magnitude 3e4 is below 1e-8. */
		if (ll < prev - 1e-8 && prev - ll > drop)
			drop = prev - ll;
		prev = ll;
		if (em_mstep(&st, g, zero) >= 0)
			break;
	}
	tap_ok(!(drop > 0.0), "log-likelihood never drops over 200 EM steps (largest drop %g)", drop);
	em_stats_free(&st);
	gmm_free(g);
}

/*
 * Chan's merge of centred block statistics gives the two-pass mean and
 * variance, even with a large offset where E[x^2] - E[x]^2 loses every digit.
 */
static void
test_merge(void)
{
	enum { N = 5000 };
	static double x[N], r[N];
	struct em_stats tot, blk;
	double mean = 0.0, var = 0.0;
	struct rng rng;

	rng_seed(&rng, 7);
	for (int i = 0; i < N; i++) {
		x[i] = 1e9 + rng_normal(&rng);
		r[i] = 1.0;
		mean += x[i];
	}
	mean /= N;
	for (int i = 0; i < N; i++)
		var += (x[i] - mean) * (x[i] - mean);
	var /= N;
	em_stats_init(&tot, 1, 1, 1);
	em_stats_init(&blk, 1, 1, 1);
	for (int lo = 0; lo < N; lo += 333) {
		int rows = N - lo < 333 ? N - lo : 333;
		em_block_stats(x + lo, NULL, r + lo, (size_t)rows, &blk);
		em_stats_merge(&tot, &blk);
	}
	/*
	 * Both means are sums of 5000 rounded terms: they may differ by up to
	 * N * eps ~ 1e-12 relative.  The variance (1 at offset 1e9) keeps ~6
	 * digits in any order of summation; the one-pass formula keeps none.
	 */
	tap_rel(tot.mean[0], mean, 1e-12, "merged mean at offset 1e9");
	tap_rel(tot.m2[0] / tot.s0[0], var, 1e-6, "merged variance at offset 1e9");
	em_stats_free(&tot);
	em_stats_free(&blk);
}

/* A density that integrates to 1: the 1-D log-density against the closed form. */
static void
test_density(void)
{
	struct gmm *g = gmm_new(2, 1, GMM_FULL);
	double lp[2], z[1], x = 1.5;

	g->weight[0] = 0.25;
	g->weight[1] = 0.75;
	g->mean[0] = 0.0;
	g->mean[1] = 3.0;
	g->cov[0] = 4.0;
	g->cov[1] = 0.25;
	tap_ok(gmm_prepare(g) < 0, "prepare a valid model");
	gmm_log_components(g, &x, lp, z);
	/* log(0.25 * N(1.5; 0, 2^2)) by hand. */
	tap_rel(lp[0], log(0.25) - 0.5 * log(2 * 3.14159265358979323846 * 4.0) - 0.5 * 1.5 * 1.5 / 4.0, 1e-14,
		"component log-density");
	tap_rel(gmm_logsumexp(lp, 2), log(exp(lp[0]) + exp(lp[1])), 1e-14,
		"log-sum-exp");
	{
		double far[2] = { -1000.0, -1001.0 };
		tap_rel(gmm_logsumexp(far, 2), -1000.0 + log1p(exp(-1.0)), 1e-15,
			"log-sum-exp far below exp's range");
	}
	g->cov[1] = -1.0;
	tap_ok(gmm_prepare(g) == 1, "a negative variance is reported by component");
	gmm_free(g);
}

/*
 * The diagonal kernel (block_diag: products of [x'^2, x'] with the
 * coefficients, statistics R'[x', x'^2], x' = x - a centre) against the
 * direct form, on awkward data: components whose means are off from 0 by
 * off (1e4: far from 0 relative to their sds of about 1) and spread
 * spread apart (1e4: means far from the kernel's centre too, which its
 * error bounds send to the direct form).  The reference is computed row
 * by row from gmm_log_components (the direct form (x - mu)/s), in long
 * double, two-pass for the scatter: its own error is a few ulps.
 * Tolerances, from the bounds in src/em.c (u = 2^-53): the log-likelihood
 * to 1e-12 relative (the kernel's terms are kept within about 1e-12 of
 * theirs; found: near 1e-15); the means to 5e-13 (|mean| + sd) (c + S1/s0
 * is kept where |mean - c| <= 32 sd: off by u |c| plus the sum's
 * gamma_130 (|mean - c| + sd), below 33 * 131 u; found: 3e-15); the
 * variances to 3e-11 relative (2^11 gamma_130, the scatter's bound where
 * S2 - mean S1 is kept; found: 2e-13, and 4e-12 where Chan's merge of
 * block means stored to u |mean| = 1e-11 dominates, as for the direct
 * form).  Without the kernel's fallbacks to the direct form the errors
 * here are 1e-6 and more.
 */
static void
test_diag_kernel(double off, double spread, enum gmm_cov t)
{
	const size_t n = 3 * EM_BLOCK + 77, d = 8, k = 4;
	struct dataset ds;
	struct gmm *g = gmm_new(k, d, t);
	struct em_stats st;
	struct rng rng;
	long double llr = 0.0L, s0[4] = { 0 }, s1[4][8] = { { 0 } }, s2[4][8] = { { 0 } };
	double ll = 0.0, lp[4], work[8], em = 0.0, ev = 0.0;

	memset(&ds, 0, sizeof ds);
	ds.n = n;
	ds.d = d;
	ds.x = malloc(n * d * sizeof *ds.x);
	ds.w = malloc(n * sizeof *ds.w);
	rng_seed(&rng, 7);
	for (size_t j = 0; j < k; j++) {
		g->weight[j] = 1.0 / (double)k;
		for (size_t c = 0; c < d; c++) {
			g->mean[j * d + c] = off + (double)((j * 7 + c * 3) % 11) * spread + 0.01 * (double)c;
			g->cov[j * d * d + c * d + c] = t == GMM_SPHERICAL ? 1.2 : 1.0 + 0.1 * (double)((j + c) % 3);
		}
	}
	gmm_prepare(g);
	for (size_t i = 0; i < n; i++) {
		const size_t j = i % k;
		for (size_t c = 0; c < d; c++)
			ds.x[i * d + c] = g->mean[j * d + c] + sqrt(g->cov[j * d * d + c * d + c]) * rng_normal(&rng);
		ds.w[i] = 0.5 + rng_uniform(&rng);
	}
	em_stats_init(&st, k, d, 0);
	em_pass(&ds, g, &st, 1, &ll);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			double l;
			gmm_log_components(g, ds.x + i * d, lp, work);
			l = gmm_logsumexp(lp, k);
			for (size_t j = 0; j < k; j++) {
				const long double r = (long double)ds.w[i] * expl((long double)lp[j] - l);
				for (size_t c = 0; c < d; c++) {
					const long double x = ds.x[i * d + c];
					if (pass == 0)
						s1[j][c] += r * x;
					else
						s2[j][c] += r * (x - s1[j][c] / s0[j]) * (x - s1[j][c] / s0[j]);
				}
				if (pass == 0)
					s0[j] += r;
			}
			if (pass == 0)
				llr += (long double)ds.w[i] * l;
		}
	for (size_t j = 0; j < k; j++)
		for (size_t c = 0; c < d; c++) {
			const double m = (double)(s1[j][c] / s0[j]), v = (double)(s2[j][c] / s0[j]);
			const double e1 = fabs(st.mean[j * d + c] - m) / (fabs(m) + sqrt(v));
			const double e2 = fabs(st.m2[j * d * d + c * d + c] / st.s0[j] - v) / v;
			em = e1 > em ? e1 : em;
			ev = e2 > ev || isnan(e2) ? e2 : ev;
		}
	tap_rel(ll, (double)llr, 1e-12, "diag kernel: the log-likelihood");
	tap_diag("off %g spread %g %s: log-likelihood %.3g relative, means %.3g, variances %.3g",
		 off, spread, gmm_cov_name(t), fabs(ll - (double)llr) / fabs((double)llr), em, ev);
	tap_ok(em <= 5e-13, "diag kernel, off %g spread %g %s: the means (%.2g)", off, spread,
	       gmm_cov_name(t), em);
	tap_ok(ev <= 3e-11, "diag kernel, off %g spread %g %s: the variances (%.2g)", off, spread,
	       gmm_cov_name(t), ev);
	em_stats_free(&st);
	free(ds.x);
	free(ds.w);
	gmm_free(g);
}

/*
 * em_block_class (the classification's entropy and sum of log max z by
 * the E step's kernels) against the same sums from each row's
 * gmm_log_components (em_log_components_rounded for rounded rows) in long
 * double, on one block of 437 rows from overlapping components (means one
 * sd apart, so the entropy is large) with weights.  1e-12 relative: each
 * term is off by a few ulps of the largest of its d products, and the sums
 * of 437 same-signed numbers keep that relative size.
 */
static void
test_block_class(size_t d, enum gmm_cov t, double h)
{
	const size_t n = 437, k = 3;
	struct gmm *g = gmm_new(k, d, t);
	struct rng rng;
	double *x = malloc(n * d * sizeof *x), *w = malloc(n * sizeof *w);
	double *scratch = malloc(em_block_scratch(d, k) * sizeof *scratch);
	double *round = malloc(d * sizeof *round), lp[3], work[64], ent = 0.0, slm = 0.0;
	long double er = 0.0L, sr = 0.0L;
	char what[128];

	rng_seed(&rng, 11 + d);
	for (size_t j = 0; j < k; j++) {
		g->weight[j] = (double)(j + 1) / 6.0;
		for (size_t c = 0; c < d; c++) {
			g->mean[j * d + c] = 10.0 + (double)j + 0.1 * (double)c;
			for (size_t e = 0; e < d; e++)
				g->cov[j * d * d + c * d + e] = c == e ? 1.0 + 0.2 * (double)j :
					(t == GMM_FULL ? 0.3 / (1.0 + (double)(c > e ? c - e : e - c)) : 0.0);
		}
	}
	for (size_t c = 0; c < d; c++)
		round[c] = h;
	gmm_prepare(g);
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; c < d; c++) {
			x[i * d + c] = 10.0 + 2.0 * rng_uniform(&rng) + rng_normal(&rng);
			if (h > 0.0)
				x[i * d + c] = h * nearbyint(x[i * d + c] / h);
		}
		w[i] = 0.5 + rng_uniform(&rng);
	}
	em_block_class(g, x, w, n, h > 0.0 ? round : NULL, scratch, &ent, &slm);
	for (size_t i = 0; i < n; i++) {
		long double l, mx, e = 0.0L;
		if (h > 0.0)
			em_log_components_rounded(g, x + i * d, round, lp);
		else
			gmm_log_components(g, x + i * d, lp, work);
		l = gmm_logsumexp(lp, k);
		mx = lp[0];
		for (size_t j = 0; j < k; j++) {
			const long double lz = (long double)lp[j] - l;
			mx = lp[j] > mx ? lp[j] : mx;
			e -= expl(lz) * lz;
		}
		er += (long double)w[i] * e;
		sr += (long double)w[i] * (mx - l);
	}
	snprintf(what, sizeof what, "em_block_class d = %zu %s%s: the entropy", d, gmm_cov_name(t),
		 h > 0.0 ? " rounded" : "");
	tap_rel(ent, (double)er, 1e-12, what);
	snprintf(what, sizeof what, "em_block_class d = %zu %s%s: the sum of log max z", d,
		 gmm_cov_name(t), h > 0.0 ? " rounded" : "");
	tap_rel(slm, (double)sr, 1e-12, what);
	free(x);
	free(w);
	free(scratch);
	free(round);
	gmm_free(g);
}

/* Whether two sets of statistics are the same bits. */
static int
same_stats(const struct em_stats *a, const struct em_stats *b)
{
	const size_t k = a->k, d = a->d;

	return memcmp(a->s0, b->s0, k * sizeof *a->s0) == 0 &&
	       memcmp(a->mean, b->mean, k * d * sizeof *a->mean) == 0 &&
	       memcmp(a->m2, b->m2, k * d * d * sizeof *a->m2) == 0 &&
	       memcmp(&a->loglik, &b->loglik, sizeof a->loglik) == 0;
}

/*
 * The pass's statistics do not depend on how the work is split: threads
 * taking whole chunks, or one chunk at a time with its blocks on several
 * threads (as an MPI process holding few chunks does), or a part of the
 * rows held from row0 on (as each MPI process holds its chunks).
 */
static void
test_split(size_t d, enum gmm_cov t)
{
	/* 130 blocks a chunk: enough for 2 threads on one chunk (64 blocks each at least). */
	const size_t n = (size_t)EM_CHUNKS * 130 * EM_BLOCK + 77, k = 3;
	struct dataset ds, part;
	struct gmm *g = gmm_new(k, d, t);
	struct em_stats a[EM_CHUNKS], b[EM_CHUNKS];
	struct rng rng;
	int same_blocks = 1, same_part = 1;
	const int full = t == GMM_FULL || t == GMM_TIED;

	memset(&ds, 0, sizeof ds);
	ds.n = n;
	ds.d = d;
	ds.x = malloc(n * d * sizeof *ds.x);
	ds.w = malloc(n * sizeof *ds.w);
	rng_seed(&rng, 42);
	for (size_t i = 0; i < n * d; i++)
		ds.x[i] = rng_uniform(&rng) * 10.0 + (double)(i % 3);
	for (size_t i = 0; i < n; i++)
		ds.w[i] = 0.25 + rng_uniform(&rng);
	for (size_t j = 0; j < k; j++) {
		g->weight[j] = 1.0 / (double)k;
		for (size_t c = 0; c < d; c++) {
			g->mean[j * d + c] = 2.0 + 3.0 * (double)j + 0.1 * (double)c;
			g->cov[j * d * d + c * d + c] = 4.0;
		}
	}
	gmm_prepare(g);
	for (size_t c = 0; c < EM_CHUNKS; c++) {
		em_stats_init(&a[c], k, d, full);
		em_stats_init(&b[c], k, d, full);
	}
	em_pass_chunks(&ds, g, 1, a, 0, EM_CHUNKS, 0, 1);
	for (size_t c = 0; c < EM_CHUNKS; c++) {
		em_pass_chunks(&ds, g, 1, b, c, c + 1, 0, 2);
		same_blocks &= same_stats(&a[c], &b[c]);
	}
	tap_ok(same_blocks, "d = %zu, %s: a chunk's blocks on 2 threads give the bits of one thread", d,
	       gmm_cov_name(t));
	/* Chunks 40 to 63 from a copy of their rows only. */
	{
		size_t nb = (n + EM_BLOCK - 1) / EM_BLOCK, row0 = 40 * nb / EM_CHUNKS * EM_BLOCK;
		part = ds;
		part.x = ds.x + row0 * d;
		part.w = ds.w + row0;
		for (size_t c = 40; c < EM_CHUNKS; c++) {
			em_stats_zero(&b[c]);
			b[c].loglik = b[c].loglik_c = 0.0;
		}
		em_pass_chunks(&part, g, 1, b, 40, EM_CHUNKS, row0, 2);
		for (size_t c = 40; c < EM_CHUNKS; c++)
			same_part &= same_stats(&a[c], &b[c]);
	}
	tap_ok(same_part, "d = %zu, %s: chunks 40-63 from their rows alone give the same bits", d,
	       gmm_cov_name(t));
	for (size_t c = 0; c < EM_CHUNKS; c++) {
		em_stats_free(&a[c]);
		em_stats_free(&b[c]);
	}
	free(ds.x);
	free(ds.w);
	gmm_free(g);
}

/*
 * sort_with (the outputs' sort) on 4 threads against 1: 300,000 values
 * with many ties and weights, so that the order inside a run of equal
 * values (by weight) matters.  The order is total, so the arrays must be
 * equal bit for bit, and sorted.
 */
static void
test_sort_threads(void)
{
	const size_t n = 300000;
	double *x1 = malloc(n * sizeof *x1), *w1 = malloc(n * sizeof *w1);
	double *x4 = malloc(n * sizeof *x4), *w4 = malloc(n * sizeof *w4);
	struct rng r;
	int sorted = 1;

	rng_seed(&r, 7);
	for (size_t i = 0; i < n; i++) {
		x1[i] = x4[i] = floor(rng_normal(&r) * 30.0) / 10.0;	/* ~200 values */
		w1[i] = w4[i] = floor(rng_uniform(&r) * 5.0);
	}
	sort_with(x1, w1, n, 1);
	sort_with(x4, w4, n, 4);
	for (size_t i = 1; i < n; i++)
		if (x1[i] < x1[i - 1] || (x1[i] == x1[i - 1] && w1[i] < w1[i - 1]))
			sorted = 0;
	tap_ok(sorted, "sort_with: %zu values with ties, sorted by value then weight", n);
	tap_ok(memcmp(x1, x4, n * sizeof *x1) == 0 && memcmp(w1, w4, n * sizeof *w1) == 0,
	       "sort_with: the same order on 4 threads as on 1, bit for bit");

	/*
	 * Called inside a parallel region (as a bootstrap replicate's start
	 * does), each thread's sort must be done when sort_with returns.
	 */
	{
		int done[2] = { 0, 0 };
		double *xs[2], *ws[2];
		for (int t = 0; t < 2; t++) {
			xs[t] = malloc(n * sizeof *xs[t]);
			ws[t] = malloc(n * sizeof *ws[t]);
			rng_seed(&r, 7);
			for (size_t i = 0; i < n; i++) {
				xs[t][i] = floor(rng_normal(&r) * 30.0) / 10.0;
				ws[t][i] = floor(rng_uniform(&r) * 5.0);
			}
		}
#pragma omp parallel for num_threads(2)
		for (int t = 0; t < 2; t++) {
			sort_with(xs[t], ws[t], n, 4);
			done[t] = memcmp(xs[t], x1, n * sizeof *x1) == 0 &&
				  memcmp(ws[t], w1, n * sizeof *w1) == 0;
		}
		tap_ok(done[0] && done[1],
		       "sort_with inside a parallel region: sorted when it returns, on each thread");
		for (int t = 0; t < 2; t++) {
			free(xs[t]);
			free(ws[t]);
		}
	}
	free(x1);
	free(w1);
	free(x4);
	free(w4);
}

/*
 * The default search's start counts (man page, The search): max(50,
 * 25000/n rounded up) at most 500, and while unsure up to 4 times that
 * within 200000/n, never fewer than the first count.
 */
static void
test_start_counts(void)
{
	tap_ok(fit_default_starts(10000) == 50 && fit_default_starts(500) == 50 &&
	       fit_default_starts(272) == 92 && fit_default_starts(40) == 500 &&
	       fit_default_starts(1) == 500,
	       "default starts: 50 for n >= 500, 92 for 272 rows, 500 (the cap) for 40 and 1");
	tap_ok(fit_max_starts(1000, 50) == 200 && fit_max_starts(2000, 50) == 100 &&
	       fit_max_starts(10000, 50) == 50 && fit_max_starts(40, 500) == 2000,
	       "extension: 4x on 1000 rows, 200000/n on 2000, none on 10000, 4x on 40");
}

/*
 * Two components with the same mean and covariance are one: a fit of
 * K - 1 components, whatever their weights (fit_degenerate says which and
 * why); moved apart by more than FIT_SAME_COMPONENT of an sd, they are two.
 */
static void
test_same_components(void)
{
	struct gmm *g = gmm_new(3, 2, GMM_FULL);
	const double mean[6] = { 0.0, 0.0, 5.0, 5.0, 5.0, 5.0 };
	const double w[3] = { 0.5, 0.3, 0.2 };
	char why[300] = "";
	long bad;

	for (size_t j = 0; j < 3; j++) {
		double *c = g->cov + j * 4;
		g->weight[j] = w[j];
		c[0] = 4.0;
		c[1] = c[2] = 1.0;
		c[3] = 2.0;
	}
	memcpy(g->mean, mean, sizeof mean);
	bad = fit_degenerate(g, 1000.0, (const double[]){ 1e-9, 1e-9 }, NULL, why, sizeof why);
	tap_ok(bad == 2 && strstr(why, "components 2 and 3 are the same") != NULL,
	       "two components with one mean and covariance: degenerate, 'components 2 and 3 are the same' (%ld: %s)",
	       bad, why);
	/* Apart by 1e-3 sds (2e-3 in the first column, whose sd is 2): two components. */
	g->mean[4] += 2e-3;
	bad = fit_degenerate(g, 1000.0, (const double[]){ 1e-9, 1e-9 }, NULL, why, sizeof why);
	tap_ok(bad < 0, "1e-3 sds apart: not the same (%ld)", bad);
	gmm_free(g);
}

/*
 * A component collapsed onto one value of a column's grid (data rounded to
 * 0.1): its sd there under a tenth of the step (0.003, as a shared-shape
 * model can leave it, far above the regulariser) makes it degenerate; at
 * 0.02 (a fifth of the step) it is not; with no grid known (NULL, or 0 for
 * the column) the rule does not apply.
 */
static void
test_grid_collapse(void)
{
	struct gmm *g = gmm_new(2, 2, GMM_FULL);
	const double grid[2] = { 0.1, 0.1 }, nogrid[2] = { 0.1, 0.0 };
	const double reg[2] = { 1e-9, 1e-9 };
	char why[300] = "";
	long bad;

	g->weight[0] = 0.9;
	g->weight[1] = 0.1;
	g->mean[0] = 0.0, g->mean[1] = 0.0, g->mean[2] = 3.0, g->mean[3] = 0.2;
	g->cov[0] = 1.0, g->cov[1] = g->cov[2] = 0.0, g->cov[3] = 1.0;
	g->cov[4] = 0.25, g->cov[5] = g->cov[6] = 0.0, g->cov[7] = 0.003 * 0.003;
	bad = fit_degenerate(g, 1000.0, reg, grid, why, sizeof why);
	tap_ok(bad == 1 && strstr(why, "component 2 has an sd of 0.003 in column 2") != NULL,
	       "sd 0.003 on a 0.1 grid: degenerate, naming the component and column (%ld: %s)", bad, why);
	tap_ok(fit_degenerate(g, 1000.0, reg, NULL, why, sizeof why) < 0 &&
	       fit_degenerate(g, 1000.0, reg, nogrid, why, sizeof why) < 0,
	       "no grid known for the column: not degenerate");
	g->cov[7] = 0.02 * 0.02;
	tap_ok(fit_degenerate(g, 1000.0, reg, grid, why, sizeof why) < 0,
	       "sd 0.02 on a 0.1 grid (over a tenth of it): not degenerate");
	gmm_free(g);
}

int
main(void)
{
	struct dataset ds;
	char path[4096];
	char *ref;

	tap_plan(64);
	test_start_counts();
	test_same_components();
	test_grid_collapse();
	snprintf(path, sizeof path, "%s/tests/heights.reference.json", srcdir());
	ref = json_slurp(path);
	if (ref == NULL || read_heights(&ds) != 0) {
		tap_ok(0, "read heights.csv and its reference");
		return 1;
	}
	test_seed(&ds, ref);
	test_default(&ds, ref);
	test_monotone(&ds);
	test_merge();
	test_density();
	test_diag_kernel(0.0, 4.0, GMM_DIAG);
	test_diag_kernel(1e4, 4.0, GMM_DIAG);
	test_diag_kernel(1e4, 4.0, GMM_SPHERICAL);
	test_diag_kernel(0.0, 1e4, GMM_DIAG);
	test_diag_kernel(1e6, 2.0, GMM_EEI);
	test_split(1, GMM_FULL);
	test_split(2, GMM_FULL);
	test_sort_threads();
	test_block_class(1, GMM_FULL, 0.0);
	test_block_class(1, GMM_FULL, 0.5);
	test_block_class(3, GMM_DIAG, 0.0);
	test_block_class(3, GMM_DIAG, 0.5);
	test_block_class(6, GMM_FULL, 0.0);
	test_block_class(13, GMM_FULL, 0.0);
	dataset_free(&ds);
	free(ref);
	return tap_done();
}
