/*
 * unit-bootstrap.c - bootstrap standard errors against the observed
 * information (TAP).
 *
 * n = 3000 rows are drawn with the project's generator (fixed seed) from
 * a known one-dimensional mixture, w = 0.3/0.7, means 0 and 4, sds 1 and
 * 1.5, and fitted by plain EM (no regulariser, tol 1e-13) to the maximum
 * likelihood estimate.  The standard errors of the MLE are then computed
 * here, independently of the library, from the observed information:
 * minus the Hessian of the exact log-likelihood (written here with
 * log-sum-exp) in the free parameters theta = (w1, mu1, mu2, sd1, sd2),
 * w2 = 1 - w1 (so SE(w2) = SE(w1)), by central finite differences; the
 * inverse (Gauss-Jordan with partial pivoting) is the asymptotic
 * covariance, and SE = sqrt(diag).  These are exactly the parameters the
 * bootstrap reports (weights, means, sds).
 *
 * bootstrap_run with B = 400 nonparametric replicates must agree with
 * them within 20% relative for each of the 5 standard errors.  A
 * bootstrap SE from B replicates has a relative sampling error of about
 * 1/sqrt(2B) = 3.5% at B = 400, and at n = 3000 with these fairly well
 * separated components the sampling distribution of the MLE is close to
 * its normal limit, so 20% is wide enough never to fail by chance and
 * narrow enough to catch a wrong SE: a variance reported for an sd,
 * replicates that are not refits, misaligned (label-switched) components
 * or a resample of the wrong size change the SEs by a factor, not by a
 * few percent.  The parametric
 * bootstrap (draws from the fitted model) estimates the same SEs and is
 * held to the same band.
 *
 * Then: the same seed gives the same bits (memcmp of se, lo, hi), and
 * threads = 1 and 2 give the same bits, as bootstrap.h promises.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"
#include "dataset.h"
#include "em.h"
#include "error.h"
#include "fit.h"
#include "gmm.h"
#include "init.h"
#include "rng.h"
#include "tap.h"

#define N_ROWS 3000
#define NP 5			/* w1, mu1, mu2, sd1, sd2 */

static const double true_w[2] = { 0.3, 0.7 };
static const double true_mu[2] = { 0.0, 4.0 };
static const double true_sd[2] = { 1.0, 1.5 };

/* n rows from the true mixture; its own sampler, not the library's. */
static void
sample(size_t n, uint64_t seed, struct dataset *ds)
{
	struct rng rng;

	memset(ds, 0, sizeof *ds);
	ds->n = n;
	ds->d = 1;
	ds->x = malloc(n * sizeof *ds->x);
	if (ds->x == NULL)
		exit(99);
	rng_seed(&rng, seed);
	for (size_t i = 0; i < n; i++) {
		size_t j = rng_uniform(&rng) < true_w[0] ? 0 : 1;
		ds->x[i] = true_mu[j] + true_sd[j] * rng_normal(&rng);
	}
}

/*
 * The log-likelihood at theta = (w1, mu1, mu2, sd1, sd2), each row's
 * log(w1 N1 + w2 N2) by log-sum-exp, summed in long double so that the
 * sum of 3000 terms loses nothing the finite differences would see.
 */
static double
loglik(const struct dataset *ds, const double *th)
{
	const double w1 = th[0], w2 = 1.0 - th[0];
	const double c = 0.5 * log(2.0 * 3.14159265358979323846);
	const double a1 = log(w1) - log(th[3]) - c, a2 = log(w2) - log(th[4]) - c;
	long double s = 0.0L;

	for (size_t i = 0; i < ds->n; i++) {
		double z1 = (ds->x[i] - th[1]) / th[3], z2 = (ds->x[i] - th[2]) / th[4];
		double l1 = a1 - 0.5 * z1 * z1, l2 = a2 - 0.5 * z2 * z2;
		double m = l1 > l2 ? l1 : l2, o = l1 > l2 ? l2 : l1;
		s += (long double)(m + log1p(exp(o - m)));
	}
	return (double)s;
}

/* Invert the n x n matrix a (destroyed) into inv; -1 when singular. */
static int
invert(double *a, double *inv, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			inv[i * n + j] = i == j;
	for (int c = 0; c < n; c++) {
		int p = c;
		for (int r = c + 1; r < n; r++)
			if (fabs(a[r * n + c]) > fabs(a[p * n + c]))
				p = r;
		if (!(fabs(a[p * n + c]) > 0.0))
			return -1;
		if (p != c)
			for (int j = 0; j < n; j++) {
				double t = a[c * n + j];
				a[c * n + j] = a[p * n + j];
				a[p * n + j] = t;
				t = inv[c * n + j];
				inv[c * n + j] = inv[p * n + j];
				inv[p * n + j] = t;
			}
		{
			double piv = a[c * n + c];
			for (int j = 0; j < n; j++) {
				a[c * n + j] /= piv;
				inv[c * n + j] /= piv;
			}
		}
		for (int r = 0; r < n; r++)
			if (r != c) {
				double f = a[r * n + c];
				for (int j = 0; j < n; j++) {
					a[r * n + j] -= f * a[c * n + j];
					inv[r * n + j] -= f * inv[c * n + j];
				}
			}
	}
	return 0;
}

/*
 * Standard errors from the observed information at theta, and the Newton
 * step H^-1 grad in units of those SEs (how far theta is from the
 * maximum).  Steps h_i = 1e-4 times the parameter's scale (1 for the
 * weight, the sd for a mean or an sd): the central second difference has
 * truncation error O(h^2) ~ 1e-8 relative and rounding error about
 * eps |L| / h^2 ~ 1e-16 * 6e3 / (1e-8 sd^2) ~ 1e-4 absolute against
 * entries of order n / sd^2 ~ 1e3, so both are far below the 20% band;
 * h ~ eps^(1/4) is the usual balance of the two.
 */
static int
observed_se(const struct dataset *ds, const double *th, double *se, double *newton)
{
	double h[NP], hess[NP * NP], inv[NP * NP], grad[NP], f0 = loglik(ds, th);

	h[0] = 1e-4;
	h[1] = h[3] = 1e-4 * th[3];
	h[2] = h[4] = 1e-4 * th[4];
	for (int i = 0; i < NP; i++) {
		double t[NP], fp, fm;
		memcpy(t, th, sizeof t);
		t[i] = th[i] + h[i];
		fp = loglik(ds, t);
		t[i] = th[i] - h[i];
		fm = loglik(ds, t);
		grad[i] = (fp - fm) / (2.0 * h[i]);
		hess[i * NP + i] = -(fp - 2.0 * f0 + fm) / (h[i] * h[i]);
		for (int j = 0; j < i; j++) {
			double fpp, fpm, fmp, fmm;
			memcpy(t, th, sizeof t);
			t[i] = th[i] + h[i], t[j] = th[j] + h[j];
			fpp = loglik(ds, t);
			t[i] = th[i] + h[i], t[j] = th[j] - h[j];
			fpm = loglik(ds, t);
			t[i] = th[i] - h[i], t[j] = th[j] + h[j];
			fmp = loglik(ds, t);
			t[i] = th[i] - h[i], t[j] = th[j] - h[j];
			fmm = loglik(ds, t);
			hess[i * NP + j] = hess[j * NP + i] =
				-(fpp - fpm - fmp + fmm) / (4.0 * h[i] * h[j]);
		}
	}
	if (invert(hess, inv, NP))
		return -1;
	for (int i = 0; i < NP; i++) {
		double s = 0.0;
		if (!(inv[i * NP + i] > 0.0))
			return -1;
		se[i] = sqrt(inv[i * NP + i]);
		for (int j = 0; j < NP; j++)
			s += inv[i * NP + j] * grad[j];
		newton[i] = s / se[i];
	}
	return 0;
}

/* The bootstrap's SEs in theta's order: weight 1, means 1 and 2, sds 1 and 2. */
static void
bootstrap_theta(const struct bootstrap_result *br, double *out)
{
	/* Layout (bootstrap.h): weights (k), means (k*d), sds (k*d); k = 2, d = 1. */
	out[0] = br->se[0];
	out[1] = br->se[2];
	out[2] = br->se[3];
	out[3] = br->se[4];
	out[4] = br->se[5];
}

static const char *const names[NP] = { "weight 1", "mean 1", "mean 2", "sd 1", "sd 2" };

static int
same_result(const struct bootstrap_result *a, const struct bootstrap_result *b)
{
	return a->nparams == b->nparams && a->ok == b->ok &&
	       memcmp(a->se, b->se, a->nparams * sizeof *a->se) == 0 &&
	       memcmp(a->lo, b->lo, a->nparams * sizeof *a->lo) == 0 &&
	       memcmp(a->hi, b->hi, a->nparams * sizeof *a->hi) == 0;
}

/*
 * rng_binomial: 20000 draws of Binomial(n, p) are whole numbers in [0, n]
 * with mean within 5 SE of n p and variance within 10% of n p (1 - p)
 * (the SE of a sample variance of 20000 is about 1%); for n up to 2^53.
 */
static int
binomial_moments(double n, double p)
{
	const int T = 20000;
	double s = 0.0, ss = 0.0, mu = n * p, var = n * p * (1.0 - p), mean, v;
	struct rng r;

	rng_seed(&r, 99);
	for (int t = 0; t < T; t++) {
		double x = rng_binomial(&r, n, p);
		if (!(x >= 0.0 && x <= n) || floor(x) < x)
			return 0;
		s += x - mu;
		ss += (x - mu) * (x - mu);
	}
	mean = s / T;
	v = ss / T - mean * mean;
	return fabs(mean) <= 5.0 * sqrt(var / T) && fabs(v - var) <= 0.1 * var;
}

/* rng_multinomial: the counts add up to n exactly, and a zero weight gets none. */
static int
multinomial_sums(void)
{
	const double w[5] = { 1.0, 0.0, 3e10, 2.5, 1e-3 };
	double tail[5], out[5], s = 0.0;
	struct rng r;

	for (int i = 5; i-- > 0;)
		tail[i] = s += w[i];
	rng_seed(&r, 5);
	for (int t = 0; t < 1000; t++) {
		double n = t % 2 ? 9007199254740992.0 : 1e9 + t, sum = 0.0;
		rng_multinomial(&r, n, w, tail, 5, out);
		for (int i = 0; i < 5; i++)
			sum += out[i];
		if (!(sum >= n && sum <= n) || out[1] > 0.0)
			return 0;
	}
	return 1;
}

int
main(void)
{
	static const size_t k2[1] = { 2 };
	static const enum gmm_cov full[1] = { GMM_FULL };
	double zero[1] = { 0.0 }, th[NP], se[NP], newton[NP], bse[NP], worst;
	struct dataset ds;
	struct fit_options fo;
	struct fit_result fr;
	struct bootstrap_options bo;
	struct bootstrap_result br, br2, br3;
	struct gm_error err;
	const struct gmm *g;
	int rc, have_se;

	tap_plan(19);
	{
		static const double cases[][2] = {
			{ 1, 0.5 }, { 7, 0.3 }, { 40, 0.2 }, { 1000, 0.004 }, { 1000, 0.5 },
			{ 1e6, 0.9 }, { 1e9, 0.5 }, { 1e12, 1e-9 }, { 1e15, 0.25 },
			{ 9007199254740992.0, 1e-3 }, { 9007199254740992.0, 0.5 },
		};
		int good = 1;
		for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
			if (!binomial_moments(cases[c][0], cases[c][1])) {
				printf("# Binomial(%g, %g) is off\n", cases[c][0], cases[c][1]);
				good = 0;
			}
		tap_ok(good, "rng_binomial: mean and variance right for n from 1 to 2^53");
	}
	tap_ok(multinomial_sums(), "rng_multinomial: counts add up to n (up to 2^53); zero weight, zero count");
	sample(N_ROWS, 20240611u, &ds);

	/* The MLE: plain EM from the quantile start, no regulariser. */
	memset(&fo, 0, sizeof fo);
	fo.ks = k2;
	fo.nk = 1;
	fo.covs = full;
	fo.ncov = 1;
	fo.init = INIT_QUANTILE;
	fo.n_init = 1;
	fo.seed = 1;
	fo.em.max_iter = 20000;
	fo.em.tol = 1e-13;
	fo.em.reg = zero;
	fo.em.threads = 0;
	fo.em.accel = EM_ACCEL_NONE;
	gm_error_clear(&err);
	rc = fit_run(&ds, &fo, &fr, &err);
	if (!tap_ok(rc == GM_OK && fr.models[fr.chosen].status == GM_OK &&
		    fr.models[fr.chosen].res.converged,
		    "fit of the 2-component sample converges (%s; %zu iterations)",
		    rc == GM_OK ? "ok" : err.msg, rc == GM_OK ? fr.models[0].res.iterations : 0)) {
		printf("Bail out! no fit to bootstrap\n");
		return 1;
	}
	g = fr.models[fr.chosen].g;
	th[0] = g->weight[0];
	th[1] = g->mean[0];
	th[2] = g->mean[1];
	th[3] = sqrt(g->cov[0]);
	th[4] = sqrt(g->cov[1]);
	tap_diag("MLE: w = %.6f/%.6f, mu = %.6f, %.6f, sd = %.6f, %.6f", th[0], g->weight[1],
		 th[1], th[2], th[3], th[4]);
	/* The library's log-likelihood is the one written here (same formula, other sum order). */
	tap_rel(fr.models[fr.chosen].res.loglik, loglik(&ds, th), 1e-12,
		"fit's log-likelihood equals the test's log-sum-exp one");

	have_se = observed_se(&ds, th, se, newton) == 0;
	tap_ok(have_se, "observed information (minus the finite-difference Hessian) is positive definite");
	if (!have_se)
		for (int i = 0; i < NP; i++)
			se[i] = newton[i] = NAN;
	worst = 0.0;
	for (int i = 0; i < NP; i++)
		worst = fmax(worst, fabs(newton[i]));
	/*
	 * At the MLE the score is 0: the Newton step to the maximum, in SE
	 * units, is tiny (EM stopped when a step changed the mean
	 * log-likelihood by < 1e-13, far inside 1e-3 SE of the optimum).
	 */
	tap_ok(worst < 1e-3, "the fit is the MLE: Newton step to the maximum is %.2g SE (< 1e-3)",
	       worst);
	for (int i = 0; i < NP; i++)
		tap_diag("observed-information SE of %-8s = %.6g", names[i], se[i]);

	/*
	 * Nonparametric bootstrap with the fit's EM options, but the command
	 * line's tol (1e-10) and SQUAREM to keep the 400 refits fast: a
	 * replicate's estimates then move by far less than 1e-3 of an SE.
	 */
	memset(&bo, 0, sizeof bo);
	bo.B = 400;
	bo.parametric = 0;
	bo.seed = 12345;
	bo.threads = 2;
	bo.em = fo.em;
	bo.em.tol = 1e-10;	/* the command line's default; SEs do not see it */
	bo.em.accel = EM_ACCEL_SQUAREM;
	rc = bootstrap_run(&ds, g, &bo, &br, &err);
	if (!tap_ok(rc == GM_OK && br.ok == bo.B && br.nparams == 6,
		    "nonparametric bootstrap: %zu of %zu replicates fitted, %zu parameters",
		    br.ok, bo.B, br.nparams)) {
		printf("Bail out! bootstrap failed: %s\n", rc == GM_OK ? "count" : err.msg);
		return 1;
	}
	bootstrap_theta(&br, bse);
	for (int i = 0; i < NP; i++) {
		char what[96];
		tap_diag("SE of %-8s: bootstrap %.6g, observed information %.6g, ratio %.3f",
			 names[i], bse[i], se[i], bse[i] / se[i]);
		snprintf(what, sizeof what, "nonparametric bootstrap SE of %s within 20%% of the observed-information SE",
			 names[i]);
		tap_rel(bse[i], se[i], 0.20, what);
	}
	/* w2 = 1 - w1 in every replicate, so the SEs agree to rounding. */
	tap_rel(br.se[1], br.se[0], 1e-9, "bootstrap SE of weight 2 equals that of weight 1");
	{
		int inside = 1;
		const double est[6] = { g->weight[0], g->weight[1], th[1], th[2], th[3], th[4] };
		for (int p = 0; p < 6; p++)
			inside &= br.lo[p] < est[p] && est[p] < br.hi[p];
		tap_ok(inside, "each 95%% percentile interval contains its estimate (lo < est < hi)");
	}

	/* Same seed: the same bits.  Threads 1 and 2: the same bits. */
	bo.threads = 1;
	rc = bootstrap_run(&ds, g, &bo, &br2, &err);
	tap_ok(rc == GM_OK && same_result(&br, &br2),
	       "threads 1 and 2 give identical se, lo and hi (memcmp)");
	bo.threads = 2;
	rc = bootstrap_run(&ds, g, &bo, &br3, &err);
	tap_ok(rc == GM_OK && same_result(&br, &br3),
	       "the same seed twice gives identical se, lo and hi (memcmp)");
	bootstrap_result_free(&br2);
	bootstrap_result_free(&br3);
	bo.seed = 54321;
	bo.B = 50;
	rc = bootstrap_run(&ds, g, &bo, &br2, &err);
	tap_ok(rc == GM_OK && memcmp(br.se, br2.se, 6 * sizeof *br.se) != 0,
	       "another seed gives other replicates (different se)");
	bootstrap_result_free(&br2);

	/* Parametric bootstrap: draws from the fitted model; same SEs asymptotically. */
	bo.seed = 777;
	bo.B = 400;
	bo.parametric = 1;
	rc = bootstrap_run(&ds, g, &bo, &br2, &err);
	if (tap_ok(rc == GM_OK && br2.ok == bo.B && br2.parametric,
		   "parametric bootstrap: %zu of %zu replicates fitted", br2.ok, bo.B)) {
		double pse[NP];
		char what[96];
		bootstrap_theta(&br2, pse);
		worst = 0.0;
		for (int i = 0; i < NP; i++) {
			double r = fabs(pse[i] / se[i] - 1.0);
			tap_diag("SE of %-8s: parametric bootstrap %.6g, ratio %.3f", names[i], pse[i],
				 pse[i] / se[i]);
			if (!(r <= worst))
				worst = r;
		}
		snprintf(what, sizeof what, "parametric bootstrap SEs all within 20%% of the observed-information SEs (worst %.3f)",
			 worst);
		tap_ok(worst <= 0.20, "%s", what);
		bootstrap_result_free(&br2);
	} else {
		tap_skip("parametric bootstrap failed");
	}

	bootstrap_result_free(&br);
	fit_result_free(&fr);
	free(ds.x);
	return tap_done();
}
