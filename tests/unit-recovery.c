/*
 * unit-recovery.c - fits recover the mixtures the data were drawn from.
 *
 * Data are drawn with the project's generator (fixed seeds) from known
 * mixtures and fitted with fit_run as the command line does by default
 * (K fixed, k-means starts, 3 restarts, tol 1e-10, max_iter 1000,
 * SQUAREM, reg = 1e-6 times each column's variance).  The fitted components (sorted by
 * first mean by the library; the true ones are made in that order) must
 * be within a tolerance derived from the sample size:
 *
 *   weight  SE = sqrt(w (1 - w) / n)       (the labels are multinomial)
 *   mean    SE = sd / sqrt(n w)            (per coordinate)
 *   sd      SE = sd / sqrt(2 n w)          (normal data; for a tied
 *           covariance n w is n, every row counts; for a spherical one it
 *           is n w d, the d coordinates are pooled)
 *   corr    SE = (1 - rho^2) / sqrt(n w)   (Fisher; n for tied)
 *
 * Every estimate must lie within 5 SE of the truth.  These are the SEs of
 * the complete-data estimates (labels known); for well separated
 * components (5 sd apart or more, where under 1% of a component's rows
 * fall nearer another) EM's estimates have nearly the same spread, and 5
 * SE makes a false alarm about 1 in 10^6 per estimate.  At 3 sd apart the
 * components overlap (about 7% of each one's rows lie past the midpoint),
 * the labels are partly unknown and the estimates lose information (the
 * rows near the midpoint count for both components), so their spread
 * exceeds the complete-data SE -- the worst seen here is about 5.3 of
 * those SEs, for an sd of the K = 4 mixture.  The allowance there is
 * widened 3 times (15 SE), which is still far tighter than the error of a
 * fit that merged, split or swapped components.  The regulariser (1e-6 of
 * a column's variance, which the spread of the means dominates) biases an
 * sd by under 0.05 SE in every case here.
 *
 * Then: frequency weights give the fit of the rows repeated; the number
 * of threads does not change a bit of the model; and degenerate data
 * (a block of identical values and a far outlier) never give a NaN.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "em.h"
#include "error.h"
#include "fit.h"
#include "gmm.h"
#include "init.h"
#include "rng.h"
#include "tap.h"

#define KMAX 4
#define DMAX 8

struct truth {
	size_t k, d;
	enum gmm_cov cov;
	double w[KMAX];
	double mu[KMAX * DMAX];
	double sigma[KMAX * DMAX * DMAX];	/* covariances */
	double chol[KMAX * DMAX * DMAX];	/* their lower factors */
};

/* Lower Cholesky factor, written here so the sampler does not lean on the library. */
static int
cholesky(const double *a, double *l, size_t d)
{
	memset(l, 0, d * d * sizeof *l);
	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j <= i; j++) {
			double s = a[i * d + j];
			for (size_t m = 0; m < j; m++)
				s -= l[i * d + m] * l[j * d + m];
			if (i == j) {
				if (!(s > 0.0))
					return -1;
				l[i * d + i] = sqrt(s);
			} else {
				l[i * d + j] = s / l[j * d + j];
			}
		}
	return 0;
}

static void
truth_factor(struct truth *t)
{
	for (size_t j = 0; j < t->k; j++)
		if (cholesky(t->sigma + j * DMAX * DMAX, t->chol + j * DMAX * DMAX, t->d)) {
			fprintf(stderr, "unit-recovery: a true covariance is not PD\n");
			exit(99);
		}
}

/* Covariance element (p, q) of component j (matrices stored with stride d). */
static double *
tsig(struct truth *t, size_t j, size_t p, size_t q)
{
	return t->sigma + j * DMAX * DMAX + p * t->d + q;
}

/* n rows drawn from the mixture t. */
static void
sample(const struct truth *t, size_t n, uint64_t seed, struct dataset *ds)
{
	const size_t d = t->d;
	struct rng rng;
	double z[DMAX];

	memset(ds, 0, sizeof *ds);
	ds->n = n;
	ds->d = d;
	ds->x = malloc(n * d * sizeof *ds->x);
	if (ds->x == NULL)
		exit(99);
	rng_seed(&rng, seed);
	for (size_t i = 0; i < n; i++) {
		double u = rng_uniform(&rng), acc = 0.0;
		size_t j = t->k - 1;
		for (size_t m = 0; m < t->k; m++) {
			acc += t->w[m];
			if (u < acc) {
				j = m;
				break;
			}
		}
		for (size_t c = 0; c < d; c++)
			z[c] = rng_normal(&rng);
		for (size_t p = 0; p < d; p++) {
			const double *l = t->chol + j * DMAX * DMAX + p * d;
			double s = t->mu[j * DMAX + p];
			for (size_t q = 0; q <= p; q++)
				s += l[q] * z[q];
			ds->x[i * d + p] = s;
		}
	}
}

/* reg[c] = 1e-6 times column c's variance, as the command line's default. */
static void
default_reg(const struct dataset *ds, double *reg)
{
	for (size_t c = 0; c < ds->d; c++) {
		double m, v;
		dataset_column_moments(ds, c, &m, &v);
		reg[c] = 1e-6 * v;
	}
}

static void
fit_options_default(struct fit_options *fo, const size_t *k, const enum gmm_cov *cov,
		    const double *reg, uint64_t seed)
{
	memset(fo, 0, sizeof *fo);
	fo->ks = k;
	fo->nk = 1;
	fo->covs = cov;
	fo->ncov = 1;
	fo->init = INIT_KMEANS;
	fo->n_init = 3;
	fo->seed = seed;
	fo->em.max_iter = 1000;
	fo->em.tol = 1e-10;
	fo->em.reg = reg;
	fo->em.threads = 1;	/* the threads test below covers more */
	fo->em.accel = EM_ACCEL_SQUAREM;	/* the command line's default */
}

/* The worst |estimate - truth| / SE of a group of estimates. */
struct worst {
	double z;
	char where[64];
};

static void
worst_add(struct worst *w, double est, double truth, double se, const char *what,
	  size_t j, size_t p, size_t q)
{
	double z = fabs(est - truth) / se;

	if (!(z <= w->z) || !isfinite(est)) {	/* NaN counts as worst */
		w->z = isfinite(z) ? z : INFINITY;
		if (q > 0)
			snprintf(w->where, sizeof w->where, "%s[%zu][%zu,%zu] = %.6g, true %.6g",
				 what, j, p, q, est, truth);
		else if (p > 0)
			snprintf(w->where, sizeof w->where, "%s[%zu][%zu] = %.6g, true %.6g",
				 what, j, p, est, truth);
		else
			snprintf(w->where, sizeof w->where, "%s[%zu] = %.6g, true %.6g",
				 what, j, est, truth);
	}
}

/*
 * Compare the fitted model g with t; n rows; widen multiplies the 5 SE
 * allowance (1 when well separated, 3 when overlapping).
 */
static void
check_model(struct truth *t, const struct gmm *g, size_t n, double widen,
	    const char *label)
{
	const size_t k = t->k, d = t->d;
	const double lim = 5.0 * widen;
	struct worst ww = { 0, "-" }, wm = { 0, "-" }, ws = { 0, "-" }, wr = { 0, "-" };
	size_t offdiag_nonzero = 0, structure_bad = 0;

	{
		double wsum = 0.0;
		for (size_t j = 0; g != NULL && j < g->k; j++)
			wsum += g->weight[j];
		/* 1e-12: K rounded quotients s0_j / sum s0 add to 1 within K ulps. */
		if (!tap_ok(g != NULL && g->k == k && g->d == d && g->cov_type == t->cov &&
			    fabs(wsum - 1.0) <= 1e-12,
			    "%s: a model of the right shape, weights adding to 1 (%.17g)",
			    label, wsum))
			return;
	}
	for (size_t j = 0; j < k; j++) {
		double nw = (double)n * t->w[j];
		/* The rows that inform the covariance estimate. */
		double ncov = t->cov == GMM_TIED ? (double)n : nw;
		const double *cv = g->cov + j * d * d;

		if (k > 1)
			worst_add(&ww, g->weight[j], t->w[j],
				  sqrt(t->w[j] * (1.0 - t->w[j]) / (double)n), "weight", j + 1, 0, 0);
		for (size_t c = 0; c < d; c++) {
			double sd = sqrt(*tsig(t, j, c, c));
			worst_add(&wm, g->mean[j * d + c], t->mu[j * DMAX + c],
				  sd / sqrt(nw), "mean", j + 1, c + 1, 0);
			worst_add(&ws, sqrt(cv[c * d + c]), sd,
				  sd / sqrt(2.0 * ncov * (t->cov == GMM_SPHERICAL ? (double)d : 1.0)),
				  "sd", j + 1, c + 1, 0);
		}
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q < p; q++) {
				if (t->cov == GMM_FULL || t->cov == GMM_TIED) {
					double rho = *tsig(t, j, p, q) /
						     sqrt(*tsig(t, j, p, p) * *tsig(t, j, q, q));
					double r = cv[p * d + q] / sqrt(cv[p * d + p] * cv[q * d + q]);
					worst_add(&wr, r, rho, (1.0 - rho * rho) / sqrt(ncov), "corr",
						  j + 1, p + 1, q + 1);
				} else if (fabs(cv[p * d + q]) > 0.0 || fabs(cv[q * d + p]) > 0.0) {
					offdiag_nonzero++;
				}
			}
		if (t->cov == GMM_SPHERICAL)
			for (size_t c = 1; c < d; c++)
				structure_bad += memcmp(&cv[c * d + c], &cv[0], sizeof *cv) != 0;
		if (t->cov == GMM_TIED && j > 0)
			structure_bad += memcmp(cv, g->cov, d * d * sizeof *cv) != 0;
		/* Symmetric, in any structure. */
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q < p; q++)
				structure_bad += memcmp(&cv[p * d + q], &cv[q * d + p], sizeof *cv) != 0;
	}
	if (k > 1)
		tap_ok(ww.z <= lim, "%s: weights within %g SE (worst %.2f SE, %s)", label,
		       lim, ww.z, ww.where);
	else
		tap_abs(g->weight[0], 1.0, 1e-15, "K = 1: the weight is 1");
	tap_ok(wm.z <= lim, "%s: means within %g SE (worst %.2f SE, %s)", label, lim,
	       wm.z, wm.where);
	tap_ok(ws.z <= lim, "%s: sds within %g SE (worst %.2f SE, %s)", label, lim,
	       ws.z, ws.where);
	if (d > 1 && (t->cov == GMM_FULL || t->cov == GMM_TIED))
		tap_ok(wr.z <= lim, "%s: correlations within %g SE (worst %.2f SE, %s)",
		       label, lim, wr.z, wr.where);
	else if (d > 1)
		tap_ok(offdiag_nonzero == 0, "%s: %s covariances have exact zeros off "
		       "the diagonal (%zu not)", label, gmm_cov_name(t->cov), offdiag_nonzero);
	tap_ok(structure_bad == 0, "%s: covariances are symmetric%s (%zu violations)",
	       label, t->cov == GMM_SPHERICAL ? ", with one variance per component" :
	       t->cov == GMM_TIED ? " and identical across components" : "",
	       structure_bad);
}

/* Fit t's K and structure to ds and check it against t. */
static void
fit_and_check(struct truth *t, const struct dataset *ds, double widen,
	      uint64_t seed, const char *label)
{
	double reg[DMAX];
	size_t k = t->k;
	enum gmm_cov cov = t->cov;
	struct fit_options fo;
	struct fit_result fr;
	struct gm_error err;
	int rc;

	gm_error_clear(&err);
	default_reg(ds, reg);
	fit_options_default(&fo, &k, &cov, reg, seed);
	rc = fit_run(ds, &fo, &fr, &err);
	if (!tap_ok(rc == GM_OK && fr.models[0].status == GM_OK, "%s: fit_run succeeds%s%s",
		    label, rc ? ": " : "", rc ? err.msg : ""))
		return;
	tap_diag("%s: %zu iterations, %s, mean log-likelihood %.10g, %zu failed starts",
		 label, fr.models[0].res.iterations,
		 fr.models[0].res.converged ? "converged" : "NOT converged",
		 fr.models[0].res.mean_loglik, fr.models[0].starts_failed);
	tap_ok(fr.models[0].res.iterations <= fo.em.max_iter,
	       "%s: at most max_iter = %zu M steps (made %zu)", label, fo.em.max_iter,
	       fr.models[0].res.iterations);
	check_model(t, fr.models[0].g, ds->n, widen, label);
	fit_result_free(&fr);
}

/* 1-D: K components whose neighbouring means are sep mean-sds apart. */
static void
one_d(size_t k, double sep, size_t n, uint64_t seed)
{
	static const double wts[5][KMAX] = {
		{ 0 }, { 1.0 }, { 0.4, 0.6 }, { 0.25, 0.45, 0.3 }, { 0.2, 0.3, 0.15, 0.35 }
	};
	static const double sds[KMAX] = { 1.0, 1.5, 0.7, 1.2 };
	struct truth t;
	struct dataset ds;
	char label[96];

	memset(&t, 0, sizeof t);
	t.k = k;
	t.d = 1;
	t.cov = GMM_FULL;
	for (size_t j = 0; j < k; j++) {
		t.w[j] = wts[k][j];
		*tsig(&t, j, 0, 0) = sds[j] * sds[j];
		t.mu[j * DMAX] = j == 0 ? 10.0 :
			t.mu[(j - 1) * DMAX] + sep * 0.5 * (sds[j - 1] + sds[j]);
	}
	truth_factor(&t);
	sample(&t, n, seed, &ds);
	if (k == 1)
		snprintf(label, sizeof label, "1-D K = 1, n = %zu", n);
	else
		snprintf(label, sizeof label, "1-D K = %zu, %g sd apart, n = %zu", k, sep, n);
	/* 3 sd apart: overlapping, see the top of the file. */
	fit_and_check(&t, &ds, k > 1 && sep < 4.0 ? 3.0 : 1.0, seed + 1, label);
	dataset_free(&ds);
}

/*
 * d-D, structure cov, K well separated components: each mean is 16 past
 * the previous one along the first coordinate, 8 of the largest sds (2)
 * (the other coordinates' means are spread over +-3).
 */
static void
multi_d(size_t d, size_t k, enum gmm_cov cov, size_t n, uint64_t seed)
{
	static const double wts[4][KMAX] = { { 0 }, { 1.0 }, { 0.35, 0.65 }, { 0.2, 0.5, 0.3 } };
	struct truth t;
	struct dataset ds;
	struct rng rng;
	char label[96];

	memset(&t, 0, sizeof t);
	t.k = k;
	t.d = d;
	t.cov = cov;
	rng_seed(&rng, seed ^ 0x5eed);
	for (size_t j = 0; j < k; j++) {
		double s[DMAX], a[DMAX * DMAX], sph = 0.5 + 1.5 * rng_uniform(&rng);

		t.w[j] = wts[k][j];
		for (size_t c = 0; c < d; c++) {
			s[c] = cov == GMM_SPHERICAL ? sph : 0.5 + 1.5 * rng_uniform(&rng);
			t.mu[j * DMAX + c] = c == 0 ? 10.0 + 16.0 * (double)j
					     : 5.0 + 6.0 * (rng_uniform(&rng) - 0.5);
		}
		if (cov == GMM_TIED && j > 0) {
			memcpy(t.sigma + j * DMAX * DMAX, t.sigma, DMAX * DMAX * sizeof *t.sigma);
			continue;
		}
		/* A random correlation matrix: A A' + 0.3 d I, scaled to unit diagonal. */
		for (size_t p = 0; p < d * d; p++)
			a[p] = rng_normal(&rng);
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q < d; q++) {
				double v = 0.0;
				if (cov == GMM_FULL || cov == GMM_TIED) {
					for (size_t m = 0; m < d; m++)
						v += a[p * d + m] * a[q * d + m];
					if (p == q)
						v += 0.3 * (double)d;
				} else {
					v = p == q ? 1.0 : 0.0;
				}
				*tsig(&t, j, p, q) = v;
			}
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q < d; q++)
				if (p != q)
					*tsig(&t, j, p, q) /= sqrt(*tsig(&t, j, p, p) * *tsig(&t, j, q, q));
		for (size_t p = 0; p < d; p++)
			*tsig(&t, j, p, p) = 1.0;
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q < d; q++)
				*tsig(&t, j, p, q) *= s[p] * s[q];
	}
	truth_factor(&t);
	sample(&t, n, seed, &ds);
	snprintf(label, sizeof label, "d = %zu %s K = %zu, n = %zu", d, gmm_cov_name(cov), k, n);
	fit_and_check(&t, &ds, 1.0, seed + 1, label);
	dataset_free(&ds);
}

/* |a - b| <= tol * max(|b|, scale): relative, with a floor for values near 0. */
static double
rel_err(double a, double b, double scale)
{
	return fabs(a - b) / fmax(fabs(b), scale);
}

/*
 * Integer frequency weights: a row of weight m counts as m copies.  The
 * weighted data and the data with each row repeated m times (in place, so
 * k-means++'s draws, proportional to weight, pick the same points) must
 * give the same fit.
 */
static void
test_weights(void)
{
	const size_t n = 3000, d = 2;
	struct truth t;
	struct dataset wd, rd;
	struct rng rng;
	double regw[DMAX], regr[DMAX], worst = 0.0;
	size_t k = 2, m = 0;
	enum gmm_cov cov = GMM_FULL;
	struct fit_options fo;
	struct fit_result fw, fr;
	struct gm_error err;
	const char *worst_what = "";

	memset(&t, 0, sizeof t);
	t.k = 2;
	t.d = d;
	t.cov = GMM_FULL;
	t.w[0] = 0.4;
	t.w[1] = 0.6;
	t.mu[0] = 3.0;
	t.mu[1] = -2.0;
	t.mu[DMAX] = 6.0;
	t.mu[DMAX + 1] = 1.0;
	*tsig(&t, 0, 0, 0) = 1.0;
	*tsig(&t, 0, 1, 1) = 2.0;
	*tsig(&t, 0, 0, 1) = *tsig(&t, 0, 1, 0) = 0.8;
	*tsig(&t, 1, 0, 0) = 0.5;
	*tsig(&t, 1, 1, 1) = 1.0;
	*tsig(&t, 1, 0, 1) = *tsig(&t, 1, 1, 0) = -0.3;
	truth_factor(&t);
	sample(&t, n, 77, &wd);
	wd.w = malloc(n * sizeof *wd.w);
	rng_seed(&rng, 78);
	for (size_t i = 0; i < n; i++)
		wd.w[i] = (double)(1 + rng_below(&rng, 4));
	memset(&rd, 0, sizeof rd);
	rd.d = d;
	for (size_t i = 0; i < n; i++)
		rd.n += (size_t)wd.w[i];
	rd.x = malloc(rd.n * d * sizeof *rd.x);
	for (size_t i = 0; i < n; i++)
		for (size_t r = 0; r < (size_t)wd.w[i]; r++, m++)
			memcpy(rd.x + m * d, wd.x + i * d, d * sizeof *rd.x);

	default_reg(&wd, regw);
	default_reg(&rd, regr);
	/* Weighted moments are the repeated rows' moments: the same regulariser. */
	tap_ok(rel_err(regw[0], regr[0], 0) <= 1e-12 && rel_err(regw[1], regr[1], 0) <= 1e-12,
	       "weighted column variances equal the repeated rows' (%.17g, %.17g)",
	       regw[0] / 1e-6, regr[0] / 1e-6);
	gm_error_clear(&err);
	fit_options_default(&fo, &k, &cov, regw, 5);
	/*
	 * k-means starts alone: the search's hc start takes every s-th row,
	 * which are other rows once they are repeated.
	 */
	fo.init_forced = 1;
	if (!tap_ok(fit_run(&wd, &fo, &fw, &err) == GM_OK, "weighted fit succeeds")) {
		dataset_free(&wd);
		dataset_free(&rd);
		return;
	}
	fo.em.reg = regw;	/* the very same regulariser for both */
	if (!tap_ok(fit_run(&rd, &fo, &fr, &err) == GM_OK, "repeated-rows fit succeeds")) {
		fit_result_free(&fw);
		dataset_free(&wd);
		dataset_free(&rd);
		return;
	}
	{
		const struct gmm *a = fw.models[0].g, *b = fr.models[0].g;

		tap_diag("weighted: %zu rows, total weight %g, %zu iterations; repeated: "
			 "%zu rows, %zu iterations", n, fw.total_weight,
			 fw.models[0].res.iterations, rd.n, fr.models[0].res.iterations);
		tap_ok(!(fabs(fw.total_weight - (double)rd.n) > 0.0),
		       "total weight %.17g is the repeated row count %zu", fw.total_weight, rd.n);
		/*
		 * 1e-9 relative: both fits run the same EM map from the same start;
		 * only the order of summation differs (the 512-row blocks hold
		 * different rows), which changes sums by ~1e-15 relative per pass,
		 * and EM contracts such differences instead of growing them.
		 * Covariance entries are compared relative to the sd product
		 * (an off-diagonal may be near 0).
		 */
		for (size_t j = 0; j < 2; j++) {
			double e = rel_err(a->weight[j], b->weight[j], 0);
			if (!(e <= worst)) {
				worst = e;
				worst_what = "weight";
			}
			for (size_t c = 0; c < d; c++) {
				e = rel_err(a->mean[j * d + c], b->mean[j * d + c],
					    sqrt(b->cov[j * d * d + c * d + c]));
				if (!(e <= worst)) {
					worst = e;
					worst_what = "mean";
				}
			}
			for (size_t p = 0; p < d; p++)
				for (size_t q = 0; q < d; q++) {
					const double *ca = a->cov + j * d * d, *cb = b->cov + j * d * d;
					e = rel_err(ca[p * d + q], cb[p * d + q],
						    sqrt(cb[p * d + p] * cb[q * d + q]));
					if (!(e <= worst)) {
						worst = e;
						worst_what = "covariance";
					}
				}
		}
		tap_ok(worst <= 1e-9, "weighted fit equals the repeated rows' fit: "
		       "parameters within 1e-9 relative (worst %.3g, a %s)", worst, worst_what);
		tap_rel(fw.models[0].res.loglik, fr.models[0].res.loglik, 1e-9,
			"weighted log-likelihood equals the repeated rows'");
		tap_rel(fw.models[0].bic, fr.models[0].bic, 1e-9,
			"weighted BIC equals the repeated rows' (ln of the total weight)");
	}
	fit_result_free(&fw);
	fit_result_free(&fr);
	dataset_free(&wd);
	dataset_free(&rd);
}

static int
same_model_bits(const struct gmm *a, const struct gmm *b)
{
	const size_t k = a->k, d = a->d;

	return a->k == b->k && a->d == b->d &&
	       !memcmp(a->weight, b->weight, k * sizeof(double)) &&
	       !memcmp(a->mean, b->mean, k * d * sizeof(double)) &&
	       !memcmp(a->cov, b->cov, k * d * d * sizeof(double)) &&
	       !memcmp(a->chol, b->chol, k * d * d * sizeof(double)) &&
	       !memcmp(a->logdet, b->logdet, k * sizeof(double)) &&
	       !memcmp(a->logw, b->logw, k * sizeof(double));
}

/* The model does not depend on the number of threads, to the bit. */
static void
test_threads(void)
{
	const size_t n = 100003;
	static const int nthreads[] = { 1, 2 };
	struct truth t;
	struct dataset ds;
	double reg[DMAX];
	size_t k = 3;
	enum gmm_cov cov = GMM_FULL;
	struct fit_options fo;
	struct fit_result fr[2];
	struct gm_error err;
	int ok[2];

	memset(&t, 0, sizeof t);
	t.k = 3;
	t.d = 2;
	t.cov = GMM_FULL;
	t.w[0] = 0.3;
	t.w[1] = 0.3;
	t.w[2] = 0.4;
	/* Overlapping on purpose: many rows with shared responsibility. */
	t.mu[0] = 0.0;
	t.mu[1] = 0.0;
	t.mu[DMAX] = 2.0;
	t.mu[DMAX + 1] = 1.0;
	t.mu[2 * DMAX] = 4.0;
	t.mu[2 * DMAX + 1] = -1.0;
	for (size_t j = 0; j < 3; j++) {
		*tsig(&t, j, 0, 0) = 1.0 + 0.2 * (double)j;
		*tsig(&t, j, 1, 1) = 1.5 - 0.3 * (double)j;
		*tsig(&t, j, 0, 1) = *tsig(&t, j, 1, 0) = 0.4 - 0.3 * (double)j;
	}
	truth_factor(&t);
	sample(&t, n, 4242, &ds);
	default_reg(&ds, reg);
#ifndef _OPENMP
	tap_diag("built without OpenMP: the thread counts below all run on one thread");
#endif
	/*
	 * Few iterations: enough for every kind of step (plain and
	 * extrapolated) to have run, and quick even when the cores are busy.
	 */
	for (int r = 0; r < 2; r++) {
		fit_options_default(&fo, &k, &cov, reg, 11);
		fo.n_init = 1;
		fo.em.max_iter = 25;
		fo.em.threads = nthreads[r];
		gm_error_clear(&err);
		ok[r] = fit_run(&ds, &fo, &fr[r], &err) == GM_OK && fr[r].models[0].status == GM_OK;
	}
	tap_ok(ok[0] && ok[1], "n = %zu: fits with 1 and 2 threads succeed", n);
	if (ok[0] && ok[1]) {
		tap_diag("threads: %zu iterations, log-likelihood %.17g",
			 fr[0].models[0].res.iterations, fr[0].models[0].res.loglik);
		for (int r = 1; r < 2; r++) {
			const struct fit_model *a = &fr[0].models[0], *b = &fr[r].models[0];
			tap_ok(same_model_bits(a->g, b->g) &&
			       !memcmp(&a->res.loglik, &b->res.loglik, sizeof(double)) &&
			       a->res.iterations == b->res.iterations,
			       "threads = 1 and threads = %d give bit-identical models and "
			       "log-likelihoods (%.17g vs %.17g)", nthreads[r],
			       a->res.loglik, b->res.loglik);
		}
		/* em.h: max_iter is the most M steps a run makes. */
		tap_ok(fr[0].models[0].res.iterations <= fo.em.max_iter,
		       "threads run: at most max_iter = %zu M steps (made %zu)",
		       fo.em.max_iter, fr[0].models[0].res.iterations);
		/* And a single pass, statistics included. */
		{
			struct em_stats s1, s2;
			double l1, l2;
			em_stats_init(&s1, 3, 2, 1);
			em_stats_init(&s2, 3, 2, 1);
			em_pass(&ds, fr[0].models[0].g, &s1, 1, &l1);
			em_pass(&ds, fr[0].models[0].g, &s2, 2, &l2);
			tap_ok(!memcmp(&l1, &l2, sizeof l1) &&
			       !memcmp(s1.s0, s2.s0, 3 * sizeof(double)) &&
			       !memcmp(s1.mean, s2.mean, 6 * sizeof(double)) &&
			       !memcmp(s1.m2, s2.m2, 12 * sizeof(double)),
			       "em_pass: 1 and 2 threads give bit-identical statistics");
			em_stats_free(&s1);
			em_stats_free(&s2);
		}
	}
	for (int r = 0; r < 2; r++)
		if (ok[r])
			fit_result_free(&fr[r]);
	dataset_free(&ds);
}

/*
 * Heights-like data (two overlapping normals), a block of 400 identical
 * values and one far outlier (1e6): every model either fits with finite
 * numbers or fails with GM_ENUMERIC; never a NaN.  Three regularisers:
 * the default (relative to the column variance, which the outlier
 * inflates), a tiny absolute one, and none at all.
 */
static void
test_degenerate(void)
{
	const size_t nh = 3000, nb = 400, n = nh + nb + 1;
	static const size_t ks[] = { 1, 2, 3, 4 };
	static const enum gmm_cov covs[] = { GMM_FULL, GMM_DIAG, GMM_SPHERICAL, GMM_TIED };
	struct dataset ds;
	struct rng rng;
	double regs[3];
	const char *regname[3] = { "1e-6 x variance", "1e-6 absolute", "0" };

	memset(&ds, 0, sizeof ds);
	ds.n = n;
	ds.d = 1;
	ds.x = malloc(n * sizeof *ds.x);
	rng_seed(&rng, 1000);
	for (size_t i = 0; i < nh; i++)
		ds.x[i] = rng_uniform(&rng) < 0.11 ? 163.6 + 2.4 * rng_normal(&rng)
						   : 177.8 + 5.5 * rng_normal(&rng);
	for (size_t i = nh; i < nh + nb; i++)
		ds.x[i] = 172.0;
	ds.x[n - 1] = 1e6;
	default_reg(&ds, &regs[0]);
	regs[1] = 1e-6;
	regs[2] = 0.0;
	for (int r = 0; r < 3; r++) {
		struct fit_options fo;
		struct fit_result fr;
		struct gm_error err;
		size_t fitted = 0, failed = 0, bad = 0, nan_seen = 0, flagged = 0, hidden = 0;
		int rc;

		memset(&fo, 0, sizeof fo);
		fo.ks = ks;
		fo.nk = 4;
		fo.covs = covs;
		fo.ncov = 4;
		fo.init = INIT_KMEANS;
		fo.n_init = 3;
		fo.seed = 3;
		fo.em.max_iter = 300;
		fo.em.tol = 1e-10;
		fo.em.reg = &regs[r];
		fo.em.threads = 1;
		gm_error_clear(&err);
		rc = fit_run(&ds, &fo, &fr, &err);
		if (rc != GM_OK) {
			tap_ok(rc == GM_ENUMERIC,
			       "degenerate data, reg %s: no model fitted, and the status is "
			       "GM_ENUMERIC (%d: %s)", regname[r], rc, err.msg);
			continue;
		}
		for (size_t m = 0; m < fr.nmodels; m++) {
			const struct fit_model *fm = &fr.models[m];
			if (fm->status == GM_ENUMERIC) {
				failed++;
				continue;
			}
			if (fm->status != GM_OK) {
				bad++;
				continue;
			}
			if (fm->verdict != FIT_USABLE) {
				flagged += fm->g == NULL && fm->message[0] != '\0';
				bad += fm->g != NULL || fm->message[0] == '\0';
				continue;
			}
			fitted++;
			/* A usable model never has a degenerate component. */
			{
				char why[400];
				hidden += fit_degenerate(fm->g, (double)ds.n, &regs[r], NULL, why, sizeof why) >= 0;
			}
			nan_seen += !isfinite(fm->res.loglik) + !isfinite(fm->res.mean_loglik) +
				    !isfinite(fm->bic) + !isfinite(fm->aic) + !isfinite(fm->icl) +
				    !isfinite(fm->entropy);
			for (size_t j = 0; j < fm->g->k; j++)
				nan_seen += !isfinite(fm->g->weight[j]) + !isfinite(fm->g->mean[j]) +
					    !isfinite(fm->g->cov[j]) + !(fm->g->cov[j] > 0.0) +
					    !isfinite(fm->g->logdet[j]) + !isfinite(fm->g->logw[j]);
		}
		tap_diag("degenerate data, reg %s: %zu models fitted, %zu GM_ENUMERIC, %zu degenerate, "
			 "chosen K = %zu %s", regname[r], fitted, failed, flagged,
			 fr.models[fr.chosen].k, gmm_cov_name(fr.models[fr.chosen].cov));
		tap_ok(hidden == 0, "degenerate data, reg %s: no usable model has a degenerate "
		       "component (%zu have)", regname[r], hidden);
		tap_ok(fr.models[fr.chosen].verdict == FIT_USABLE && fr.models[fr.chosen].g != NULL,
		       "degenerate data, reg %s: the chosen model is usable", regname[r]);
		tap_ok(bad == 0, "degenerate data, reg %s: every model is fitted or "
		       "GM_ENUMERIC (%zu other statuses)", regname[r], bad);
		tap_ok(nan_seen == 0, "degenerate data, reg %s: every fitted model is finite, "
		       "with positive variances (%zu non-finite values)", regname[r], nan_seen);
		fit_result_free(&fr);
	}
	dataset_free(&ds);
}

int
main(void)
{
	static const double seps[] = { 3.0, 5.0, 8.0 };
	static const enum gmm_cov covs[] = { GMM_FULL, GMM_DIAG, GMM_SPHERICAL, GMM_TIED };
	static const size_t ds[] = { 2, 3, 8 };
	uint64_t seed = 100;

	one_d(1, 0.0, 50000, seed++);
	for (size_t k = 2; k <= 4; k++)
		for (int s = 0; s < 3; s++)
			one_d(k, seps[s], 10000 * (k + 1), seed++);
	for (int a = 0; a < 3; a++)
		for (int c = 0; c < 4; c++)
			multi_d(ds[a], ds[a] == 3 ? 2 : 3, covs[c], 20000, seed++);
	test_weights();
	test_threads();
	test_degenerate();
	tap_plan(tap_count);
	return tap_done();
}
