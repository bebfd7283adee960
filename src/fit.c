/*
 * fit.c - restarts and model choice (see fit.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "fit.h"
#include "rng.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static double
crit(const struct fit_model *fm, enum fit_criterion c)
{
	return c == FIT_ICL ? fm->icl : fm->bic;
}

static int
fit_one(const struct dataset *ds, const struct fit_options *opt,
	struct fit_model *fm, double wtot, struct fit_result *fr)
{
	struct gmm *cur = gmm_new(fm->k, ds->d, fm->cov);
	struct rng rng;
	struct gm_error first;
	int have = 0;

	gm_error_clear(&first);
	if (cur == NULL)
		return fm->status = GM_EINTERNAL;
	/* The same seed for every (K, structure): -k 3 and -k 1-4 agree on K = 3. */
	rng_seed(&rng, opt->seed);
	for (size_t s = 0; s < opt->n_init; s++) {
		enum init_method m = opt->init;
		struct gm_error e;
		struct em_result r;
		double t0, t1;
		int rc;

		/* Deterministic starts give the same point twice; restarts then use k-means++. */
		if (s > 0 && (m == INIT_QUANTILE || m == INIT_GIVEN))
			m = INIT_KMEANSPP;
		gm_error_clear(&e);
		t0 = clock_seconds();
		rc = init_model(ds, m, &opt->given, opt->em.reg, &rng, cur, &e);
		t1 = clock_seconds();
		fr->init_seconds += t1 - t0;
		memset(&r, 0, sizeof r);
		if (rc == GM_OK)
			rc = em_fit(ds, cur, &opt->em, &r, &e);
		fr->em_seconds += clock_seconds() - t1;
		fr->em_iterations += r.iterations;
		if (rc == GM_ENUMERIC) {
			fm->starts_failed++;
			gm_error_set(&first, e.status, e.file, e.line, e.col, "%s", e.msg);
			continue;
		}
		if (rc != GM_OK) {
			gm_error_set(&first, e.status, e.file, e.line, e.col, "%s", e.msg);
			break;
		}
		if (!have || r.loglik > fm->res.loglik) {
			if (fm->g == NULL && (fm->g = gmm_dup(cur)) == NULL)
				break;
			gmm_copy(fm->g, cur);
			fm->res = r;
			have = 1;
		}
	}
	gmm_free(cur);
	if (!have) {
		fm->status = first.status ? first.status : GM_EINTERNAL;
		snprintf(fm->message, sizeof fm->message, "%s",
			 first.status ? first.msg : "out of memory");
		gmm_free(fm->g);
		fm->g = NULL;
		return fm->status;
	}
	gmm_sort(fm->g);
	fm->status = GM_OK;
	fm->verdict = FIT_USABLE;
	fm->search.starts = fm->search.run = opt->n_init;
	fm->search.reached_best = 1;
	fm->search.failed = fm->starts_failed;
	fm->search.search_rows = ds->n;
	fm->n_params = gmm_n_parameters(fm->g);
	fm->bic = -2.0 * fm->res.loglik + (double)fm->n_params * log(wtot);
	fm->aic = -2.0 * fm->res.loglik + 2.0 * (double)fm->n_params;
	{
		double ent, slm;
		if (fit_classification(ds, fm->g, opt->em.threads, &ent, &slm))
			return fm->status = GM_EINTERNAL;
		fm->entropy = ent;
		fm->icl = fm->bic - 2.0 * slm;
	}
	return GM_OK;
}

int
fit_run(const struct dataset *ds, const struct fit_options *opt,
	struct fit_result *res, struct gm_error *err)
{
	size_t m = 0;
	int any = 0;

	memset(res, 0, sizeof *res);
	res->total_weight = dataset_total_weight(ds);
	res->nmodels = opt->nk * opt->ncov;
	res->models = calloc(res->nmodels, sizeof *res->models);
	if (res->models == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	for (size_t a = 0; a < opt->ncov; a++)
		for (size_t b = 0; b < opt->nk; b++, m++) {
			struct fit_model *fm = &res->models[m];
			fm->k = opt->ks[b];
			fm->cov = opt->covs[a];
			if (fm->k > ds->n) {
				fm->status = GM_EUSAGE;
				snprintf(fm->message, sizeof fm->message,
					 "K = %zu is more than the %zu rows", fm->k, ds->n);
				continue;
			}
			fit_one(ds, opt, fm, res->total_weight, res);
			if (fm->status == GM_EINTERNAL) {
				gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "%s", fm->message);
				fit_result_free(res);
				return GM_EINTERNAL;
			}
		}
	for (m = 0; m < res->nmodels; m++) {
		struct fit_model *fm = &res->models[m];
		if (fm->status != GM_OK)
			continue;
		if (!any || crit(fm, opt->criterion) < crit(&res->models[res->chosen], opt->criterion))
			res->chosen = m;
		any = 1;
	}
	if (!any) {
		struct fit_model *fm = &res->models[0];
		int st = fm->status;
		gm_error_set(err, st, NULL, 0, 0, "%s", fm->message);
		fit_result_free(res);
		return st;
	}
	return GM_OK;
}

void
fit_result_free(struct fit_result *res)
{
	for (size_t m = 0; m < res->nmodels; m++)
		gmm_free(res->models[m].g);
	free(res->models);
	memset(res, 0, sizeof *res);
}

long
fit_degenerate(const struct gmm *g, double wtot, const double *reg,
	       char *why, size_t len)
{
	const size_t k = g->k, d = g->d;
	const int own = g->cov_type != GMM_TIED;
	const double need = own ? (double)d + 1.0 : 1.0;
	double regmean = 0.0, *a = malloc(2 * d * d * sizeof *a);
	long bad = -1;

	for (size_t c = 0; c < d; c++)
		regmean += reg[c] / (double)d;
	for (size_t j = 0; j < k && bad < 0; j++) {
		double rows = g->weight[j] * wtot;
		if (rows < need) {
			snprintf(why, len, "component %zu holds %.3g rows of weight, fewer than %s",
				 j + 1, rows, own ? (d == 1 ? "2 (d + 1)" : "d + 1") : "one");
			bad = (long)j;
			break;
		}
		/* A variance held up by the regulariser: cov - 2 reg not positive definite. */
		if (a == NULL)
			continue;
		for (size_t p = 0; p < d * d; p++)
			a[p] = g->cov[j * d * d + p];
		for (size_t c = 0; c < d; c++) {
			double r = g->cov_type == GMM_SPHERICAL ? regmean : reg[c];
			if (!(r > 0.0))
				r = 0.0;
			a[c * d + c] -= 2.0 * r;
		}
		if (!(regmean > 0.0))
			continue;
		if (gmm_cholesky(a, a + d * d, d)) {
			snprintf(why, len, "component %zu has a %s held up by the regulariser "
				 "(the rows it holds have %s)", j + 1,
				 d == 1 || g->cov_type == GMM_SPHERICAL ? "variance" :
				 g->cov_type == GMM_DIAG ? "variance" : "covariance eigenvalue",
				 d == 1 ? "(nearly) one value" : "(nearly) no spread in some direction");
			bad = (long)j;
		}
		if (g->cov_type == GMM_TIED)
			break;	/* one covariance for all */
	}
	free(a);
	return bad;
}

int
fit_classification(const struct dataset *ds, const struct gmm *g, int threads,
		   double *entropy, double *sum_log_max)
{
	const size_t n = ds->n, k = g->k, d = g->d;
	const size_t nb = (n + EM_BLOCK - 1) / EM_BLOCK;
	double *part = malloc(2 * (nb ? nb : 1) * sizeof *part);
	int nthr = 1, failed = 0;
	long b;

	if (part == NULL)
		return -1;
#ifdef _OPENMP
	nthr = threads > 0 ? threads : omp_get_max_threads();
	if (ds->dist != NULL || n < 8 * EM_BLOCK)
		nthr = 1;	/* rows fetched from other processes one window at a time */
#else
	(void)threads;
#endif
#pragma omp parallel num_threads(nthr) reduction(|:failed)
	{
		double *lp = malloc((k + d) * sizeof *lp);
		failed |= lp == NULL;
#pragma omp for schedule(static)
		for (b = 0; b < (long)nb; b++) {
			size_t lo = (size_t)b * EM_BLOCK;
			size_t rows = n - lo < EM_BLOCK ? n - lo : EM_BLOCK;
			const double *x, *w;
			double ent = 0.0, slm = 0.0;
			if (lp == NULL)
				continue;
			x = ds_x(ds, lo, rows);
			w = ds_w(ds, lo, rows);
			for (size_t i = 0; i < rows; i++) {
				double lse, mx, e = 0.0, wi = w ? w[i] : 1.0;
				gmm_log_components(g, x + i * d, lp, lp + k);
				lse = gmm_logsumexp(lp, k);
				mx = lp[0];
				for (size_t j = 0; j < k; j++) {
					double lz = lp[j] - lse;
					if (lp[j] > mx)
						mx = lp[j];
					if (lz > -745.0)
						e -= exp(lz) * lz;
				}
				ent += wi * e;
				slm += wi * (mx - lse);
			}
			part[2 * b] = ent;
			part[2 * b + 1] = slm;
		}
		free(lp);
	}
	if (failed) {
		free(part);
		return -1;
	}
	*entropy = *sum_log_max = 0.0;
	for (size_t i = 0; i < nb; i++) {
		*entropy += part[2 * i];
		*sum_log_max += part[2 * i + 1];
	}
	free(part);
	return 0;
}
