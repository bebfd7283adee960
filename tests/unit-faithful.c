/*
 * unit-faithful.c - Old Faithful against scikit-learn: every structure,
 * K = 1..4, the same optimum or a better one, and the same model chosen.
 *
 * The reference (tests/faithful.reference.json) is scikit-learn 1.2.1's
 * GaussianMixture on data/faithful.csv (eruptions, waiting; n = 272) with
 * reg_covar = 1e-6 absolute, tol 1e-10, max_iter 10000 and 10 starts.
 * The library fits the same 16 models with reg = 1e-6 on both columns,
 * 20 k-means starts, tol 1e-10 and max_iter 10000, once with plain EM
 * (what scikit-learn runs) and once with SQUAREM (the command line's
 * default; to tol 1e-14, so that it stops at its fixed point).  For each model:
 *
 *   - its mean log-likelihood is at least the reference's minus 1e-6 (a
 *     higher one is a better optimum, not an error): 1e-6 per row is far
 *     above what the stopping rules leave (changes under 1e-10 per
 *     iteration) and far below the gap between distinct local optima of
 *     these data (1e-3 or more);
 *   - where it is the same optimum (|difference| < 1e-6), the weights,
 *     means and covariances agree to 1e-4 relative (components sorted by
 *     first mean in both; a covariance entry relative to the product of
 *     its two sds, as an off-diagonal may be near 0).  Why 1e-4: both
 *     programs stop when a step changes the mean log-likelihood by less
 *     than 1e-10, while the parameters still creep along the flattest
 *     direction of the maximum; for plain EM, the algorithm scikit-learn
 *     runs, both stop at nearly the same point (1.3e-5 apart at worst
 *     here), and 1e-4 leaves room for a different path there.  That point
 *     is not EM's fixed point, though: where EM crawls (full K = 4) it is
 *     1.9e-3 from it.  SQUAREM, run to tol 1e-14, stops at the fixed
 *     point, so it is compared, to the same 1e-4, with the reference carried on to the
 *     fixed point: the reference's parameters as the start of 1000
 *     SQUAREM steps with tol 0 (10,000 or 100,000 steps, or 300,000 plain
 *     EM steps, give the same point to 1e-13);
 *   - the number of parameters is scikit-learn's count, and the BIC
 *     equals the reference's to 1e-6 relative when the optimum is the
 *     same (a log-likelihood difference under 1e-6 per row moves the BIC
 *     by under 2.7e-4 in ~2300, about 1e-7 relative).
 *
 * And over all 16 models the lowest BIC is the reference's choice (tied,
 * K = 3).
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "dataset.h"
#include "em.h"
#include "error.h"
#include "fit.h"
#include "gmm.h"
#include "init.h"
#include "json.h"
#include "tap.h"

#define NK 4
#define NCOV 4
#define D 2

static const char *
srcdir(void)
{
	const char *s = getenv("srcdir");

	return s ? s : ".";
}

/* The string value at p (just past a colon) into out; 0 on success. */
static int
json_string_value(const char *p, char *out, size_t size)
{
	const char *q;

	if (p == NULL)
		return -1;
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	if (*p != '"' || (q = strchr(p + 1, '"')) == NULL || (size_t)(q - p - 1) >= size)
		return -1;
	memcpy(out, p + 1, (size_t)(q - p - 1));
	out[q - p - 1] = '\0';
	return 0;
}

/* One reference case. */
struct ref_case {
	enum gmm_cov cov;
	size_t k;
	double mean_loglik, loglik, bic;
	double w[NK], mu[NK * D], cov_m[NK * D * D];
	int complete;		/* every field was read */
};

/*
 * The cases of the reference, in file order, into rc[max]; returns how
 * many were read.  Each case's keys are looked up after its
 * "covariance" key and before the next case's.
 */
static size_t
read_reference(const char *buf, struct ref_case *rc, size_t max)
{
	const char *p = json_key(buf, "cases");
	size_t n = 0;

	while (p != NULL && n < max) {
		const char *c = json_key(p, "covariance"), *next;
		char name[32];
		struct ref_case *r = &rc[n];
		double k;

		if (c == NULL)
			break;
		next = strstr(c, "\"covariance\"");
		memset(r, 0, sizeof *r);
		if (json_string_value(c, name, sizeof name) || gmm_cov_parse(name, &r->cov))
			break;
		k = json_number_at(c, "k");
		r->k = k >= 1 && k <= NK ? (size_t)k : 0;
		r->mean_loglik = json_number_at(c, "mean_loglik");
		r->loglik = json_number_at(c, "loglik");
		r->bic = json_number_at(c, "bic");
		r->complete = r->k > 0 && isfinite(r->mean_loglik) && isfinite(r->bic) &&
			json_numbers(json_key(c, "weights"), r->w, NK) == r->k &&
			json_numbers(json_key(c, "means"), r->mu, NK * D) == r->k * D &&
			json_numbers(json_key(c, "covariances"), r->cov_m, NK * D * D) == r->k * D * D;
		/* A key found past the next case belongs to that case. */
		if (next != NULL && (json_key(c, "covariances") > next || json_key(c, "bic") > next))
			r->complete = 0;
		n++;
		p = next != NULL ? next - 1 : NULL;
	}
	return n;
}

/* scikit-learn's count of free parameters, written out independently. */
static size_t
sklearn_n_parameters(enum gmm_cov cov, size_t k, size_t d)
{
	size_t c = 0;

	switch (cov) {
	case GMM_FULL:
		c = k * d * (d + 1) / 2;
		break;
	case GMM_DIAG:
		c = k * d;
		break;
	case GMM_SPHERICAL:
		c = k;
		break;
	case GMM_TIED:
		c = d * (d + 1) / 2;
		break;
	}
	return k * d + c + k - 1;
}

/* The worst relative difference of g's parameters from r's. */
static double
param_diff(const struct gmm *g, const struct ref_case *r, const char **what)
{
	double worst = 0.0;
	const size_t k = r->k;

	*what = "-";
	for (size_t j = 0; j < k; j++) {
		double e = fabs(g->weight[j] - r->w[j]) / r->w[j];
		if (!(e <= worst)) {
			worst = e;
			*what = "a weight";
		}
		for (size_t c = 0; c < D; c++) {
			e = fabs(g->mean[j * D + c] - r->mu[j * D + c]) / fabs(r->mu[j * D + c]);
			if (!(e <= worst)) {
				worst = e;
				*what = "a mean";
			}
		}
		for (size_t p = 0; p < D; p++)
			for (size_t q = 0; q < D; q++) {
				const double *rc = r->cov_m + j * D * D;
				double scale = sqrt(rc[p * D + p] * rc[q * D + q]);
				e = fabs(g->cov[j * D * D + p * D + q] - rc[p * D + q]) / scale;
				if (!(e <= worst)) {
					worst = e;
					*what = p == q ? "a variance" : "a covariance";
				}
			}
	}
	return worst;
}

/*
 * The reference's point carried on to EM's fixed point: its parameters as
 * the start of SQUAREM run with tol 0 for polish_iter M steps.  NULL when
 * that fails.
 */
static struct gmm *
polish_reference(const struct dataset *ds, const struct ref_case *r, const double *reg,
		 size_t polish_iter, double *mean_loglik)
{
	struct gmm *g = gmm_new(r->k, D, r->cov);
	struct em_options eo;
	struct em_result res;
	struct gm_error err;

	if (g == NULL)
		return NULL;
	memcpy(g->weight, r->w, r->k * sizeof *g->weight);
	memcpy(g->mean, r->mu, r->k * D * sizeof *g->mean);
	memcpy(g->cov, r->cov_m, r->k * D * D * sizeof *g->cov);
	memset(&eo, 0, sizeof eo);
	eo.max_iter = polish_iter;
	eo.tol = 0.0;
	eo.reg = reg;
	eo.threads = 1;
	eo.accel = EM_ACCEL_SQUAREM;
	gm_error_clear(&err);
	if (gmm_prepare(g) >= 0 || em_fit(ds, g, &eo, &res, &err) != GM_OK) {
		gmm_free(g);
		return NULL;
	}
	gmm_sort(g);
	*mean_loglik = res.mean_loglik;
	return g;
}

static void
check_fit(const struct dataset *ds, const struct ref_case *refs, size_t nref,
	  const char *lowest_cov, size_t lowest_k, int accel)
{
	static const size_t ks[NK] = { 1, 2, 3, 4 };
	static const enum gmm_cov covs[NCOV] = { GMM_FULL, GMM_DIAG, GMM_SPHERICAL, GMM_TIED };
	const char *how = accel == EM_ACCEL_SQUAREM ? "squarem" : "plain EM";
	double reg[D] = { 1e-6, 1e-6 };
	struct fit_options fo;
	struct fit_result fr;
	struct gm_error err;
	int rc;

	memset(&fo, 0, sizeof fo);
	fo.ks = ks;
	fo.nk = NK;
	fo.covs = covs;
	fo.ncov = NCOV;
	fo.init = INIT_KMEANS;
	fo.init_forced = 1;	/* k-means starts, as described above */
	fo.n_init = 20;
	fo.seed = 1;
	fo.em.max_iter = 10000;
	/*
	 * SQUAREM is compared with EM's fixed point (see the top): it runs to
	 * tol 1e-14 so that it stands at its own fixed point too, not wherever
	 * a 1e-10 change happens to fall along the flat direction.
	 */
	fo.em.tol = accel == EM_ACCEL_SQUAREM ? 1e-14 : 1e-10;
	fo.em.reg = reg;
	fo.em.threads = 1;
	fo.em.accel = accel;
	gm_error_clear(&err);
	rc = fit_run(ds, &fo, &fr, &err);
	if (!tap_ok(rc == GM_OK && fr.nmodels == NK * NCOV,
		    "%s: fit_run fits the 16 models%s%s", how, rc ? ": " : "",
		    rc ? err.msg : ""))
		return;
	for (size_t m = 0; m < fr.nmodels; m++) {
		const struct fit_model *fm = &fr.models[m];
		const struct ref_case *r = NULL;
		char label[64], bic_label[128];
		double diff;

		snprintf(label, sizeof label, "%s, %s K = %zu", how, gmm_cov_name(fm->cov), fm->k);
		snprintf(bic_label, sizeof bic_label, "%s: BIC equals the reference's", label);
		for (size_t i = 0; i < nref; i++)
			if (refs[i].cov == fm->cov && refs[i].k == fm->k && refs[i].complete)
				r = &refs[i];
		if (!tap_ok(r != NULL && fm->status == GM_OK,
			    "%s: fitted (status %d), and the reference has it", label, fm->status))
			continue;
		diff = fm->res.mean_loglik - r->mean_loglik;
		tap_diag("%s: mean log-likelihood %.12f, reference %.12f (difference %+.3g); "
			 "%zu iterations, %s; BIC %.10g, reference %.10g", label,
			 fm->res.mean_loglik, r->mean_loglik, diff, fm->res.iterations,
			 fm->res.converged ? "converged" : "NOT converged", fm->bic, r->bic);
		tap_ok(diff >= -1e-6, "%s: mean log-likelihood %.10f is at least the "
		       "reference's %.10f less 1e-6", label, fm->res.mean_loglik, r->mean_loglik);
		tap_ok(fm->n_params == sklearn_n_parameters(fm->cov, fm->k, D),
		       "%s: %zu parameters, as scikit-learn counts (%zu)", label,
		       fm->n_params, sklearn_n_parameters(fm->cov, fm->k, D));
		if (fabs(diff) < 1e-6 && accel == EM_ACCEL_NONE) {
			const char *what;
			double pd = param_diff(fm->g, r, &what);
			tap_ok(pd <= 1e-4, "%s: the same optimum, and the same parameters as "
			       "the reference to 1e-4 relative (worst %.2g, %s)", label, pd, what);
			tap_rel(fm->bic, r->bic, 1e-6, bic_label);
		} else if (fabs(diff) < 1e-6) {
			const char *what, *what_raw;
			double pl = NAN, pd = INFINITY, praw = param_diff(fm->g, r, &what_raw);
			struct gmm *pg = polish_reference(ds, r, reg, 1000, &pl);
			struct ref_case pr = *r;

			if (pg != NULL) {
				memcpy(pr.w, pg->weight, r->k * sizeof *pr.w);
				memcpy(pr.mu, pg->mean, r->k * D * sizeof *pr.mu);
				memcpy(pr.cov_m, pg->cov, r->k * D * D * sizeof *pr.cov_m);
				pd = param_diff(fm->g, &pr, &what);
			}
			tap_diag("%s: parameters differ from the reference's point by %.2g "
				 "relative (%s); the reference carried on to EM's fixed point "
				 "has mean log-likelihood %.15f", label, praw, what_raw, pl);
			tap_ok(pg != NULL && pd <= 1e-4, "%s: the same optimum, and the same "
			       "parameters as the reference carried on to EM's fixed point, to "
			       "1e-4 relative (worst %.2g, %s)", label, pd, pg ? what : "-");
			gmm_free(pg);
			tap_rel(fm->bic, r->bic, 1e-6, bic_label);
		} else if (diff > 0) {
			tap_diag("%s: a higher optimum than the reference's, by %.3g per row",
				 label, diff);
		}
	}
	{
		const struct fit_model *ch = &fr.models[fr.chosen];
		tap_ok(strcmp(gmm_cov_name(ch->cov), lowest_cov) == 0 && ch->k == lowest_k,
		       "%s: the lowest BIC is %s K = %zu, as in the reference (%s K = %zu)",
		       how, gmm_cov_name(ch->cov), ch->k, lowest_cov, lowest_k);
	}
	fit_result_free(&fr);
}

int
main(void)
{
	struct csvread_options co;
	struct dataset ds;
	struct gm_error err;
	struct ref_case refs[NK * NCOV];
	char path[4096], lowest_cov[32] = "";
	char *ref;
	size_t nref, lowest_k;
	int complete = 1;

	snprintf(path, sizeof path, "%s/tests/faithful.reference.json", srcdir());
	ref = json_slurp(path);
	if (!tap_ok(ref != NULL, "read %s", path)) {
		tap_plan(tap_count);
		return tap_done();
	}
	nref = read_reference(ref, refs, NK * NCOV);
	for (size_t i = 0; i < nref; i++)
		complete &= refs[i].complete;
	tap_ok(nref == NK * NCOV && complete,
	       "the reference has the 16 cases, each complete (%zu read)", nref);
	/* Check the reading itself, and the count of parameters, on the reference. */
	{
		size_t bad = 0;
		for (size_t i = 0; i < nref; i++) {
			double p = (double)sklearn_n_parameters(refs[i].cov, refs[i].k, D);
			bad += fabs(-2.0 * refs[i].loglik + p * log(272.0) - refs[i].bic) >
			       1e-9 * refs[i].bic;
		}
		tap_ok(bad == 0, "the reference's BICs are -2 loglik + p ln 272 with "
		       "scikit-learn's p (%zu not)", bad);
	}
	json_string_value(json_key(json_key(ref, "lowest_bic"), "covariance"), lowest_cov,
			  sizeof lowest_cov);
	lowest_k = (size_t)json_number_at(json_key(ref, "lowest_bic"), "k");

	memset(&co, 0, sizeof co);
	co.columns = "eruptions,waiting";
	gm_error_clear(&err);
	snprintf(path, sizeof path, "%s/data/faithful.csv", srcdir());
	if (!tap_ok(csvread_file(path, &co, &ds, &err) == GM_OK && ds.n == 272 && ds.d == D,
		    "read %s: 272 rows of eruptions and waiting (%s)", path,
		    err.status ? err.msg : "ok")) {
		free(ref);
		tap_plan(tap_count);
		return tap_done();
	}
	check_fit(&ds, refs, nref, lowest_cov, lowest_k, EM_ACCEL_NONE);
	check_fit(&ds, refs, nref, lowest_cov, lowest_k, EM_ACCEL_SQUAREM);
	dataset_free(&ds);
	free(ref);
	tap_plan(tap_count);
	return tap_done();
}
