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
	fm->n_params = gmm_n_parameters(fm->g);
	fm->bic = -2.0 * fm->res.loglik + (double)fm->n_params * log(wtot);
	fm->aic = -2.0 * fm->res.loglik + 2.0 * (double)fm->n_params;
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
		if (!any || fm->bic < res->models[res->chosen].bic)
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
