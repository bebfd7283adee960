/*
 * lrt.c - the bootstrap likelihood-ratio test (see lrt.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "lrt.h"
#include "rng.h"

/* The usable model (K, structure cov) of fr, or NULL. */
static const struct fit_model *
usable_model(const struct fit_result *fr, size_t k, enum gmm_cov cov)
{
	for (size_t m = 0; m < fr->nmodels; m++) {
		const struct fit_model *fm = &fr->models[m];
		if (fm->k == k && fm->cov == cov)
			return fm->status == GM_OK && fm->verdict == FIT_USABLE && fm->g ? fm : NULL;
	}
	return NULL;
}

/* Replicate b of the test of K: its generator, from the user's seed, K and b. */
static void
replicate_rng(struct rng *r, uint64_t seed, size_t k, size_t b)
{
	rng_seed(r, seed ^ (0x9e3779b97f4a7c15u * ((uint64_t)k + 1)) ^
		 (0xd1342543de82ef95u * ((uint64_t)b + 1)));
}

/* n rows drawn from g into x (n*d): a component by its weight, then mean + L z. */
static void
draw_rows(const struct gmm *g, size_t n, struct rng *r, double *x, double *z)
{
	const size_t d = g->d;

	for (size_t i = 0; i < n; i++) {
		size_t j = gmm_pick(g, rng_uniform(r));
		for (size_t p = 0; p < d; p++)
			z[p] = rng_normal(r);
		gmm_point(g, j, z, x + i * d);
	}
}

/*
 * The log-likelihood of the fit's search (one thread, no extension of the
 * starts) of K components of structure cov to rep, with warm as one more
 * start and the splits of split (a K - 1 fit to rep, or NULL) as more;
 * the fit itself into *fit (to be freed) when fit is not NULL.  0, 1 when
 * the fit failed or is unusable, -1 out of memory.
 */
static int
fit_replicate(const struct dataset *rep, const struct lrt_options *lo, size_t k,
	      enum gmm_cov cov, const struct gmm *warm, const struct gmm *split, uint64_t seed,
	      double *ll, struct gmm **fit)
{
	struct fit_options fo = lo->fit;
	struct fit_result fr;
	struct gm_error e;
	int rc, v = 1;

	fo.ks = &k;
	fo.nk = 1;
	fo.covs = &cov;
	fo.ncov = 1;
	fo.warm = warm;
	fo.split = split;
	fo.no_hc = 1;
	fo.seed = seed;
	fo.n_init_max = fo.n_init;
	fo.as_selection = 1;	/* the data's K and K + 1 were searched as a selection's */
	fo.em.threads = 1;
	fo.em.progress = NULL;
	fo.em.progress_arg = NULL;
	gm_error_clear(&e);
	rc = fit_run(rep, &fo, &fr, &e);
	if (rc == GM_EINTERNAL)
		return -1;
	if (rc != GM_OK)
		return 1;
	if (fr.models[0].status == GM_OK && fr.models[0].verdict == FIT_USABLE &&
	    fr.models[0].n_params < rep->n) {
		*ll = fr.models[0].res.loglik;
		v = 0;
		if (fit != NULL && (*fit = gmm_dup(fr.models[0].g)) == NULL)
			v = -1;
	}
	fit_result_free(&fr);
	return v;
}

/* Replicate b of the test of K (fits f0 of K, f1 of K + 1): its statistic into *stat. */
static int
one_replicate(const struct dataset *ds, const struct lrt_options *lo, const struct gmm *f0,
	      const struct gmm *f1, size_t rows, size_t b, double *stat)
{
	struct dataset rep;
	struct rng r;
	double *x = malloc((rows * ds->d + ds->d) * sizeof *x), l0 = 0.0, l1 = 0.0;
	struct gmm *g0 = NULL;
	int v;

	if (x == NULL)
		return -1;
	replicate_rng(&r, lo->seed, f0->k, b);
	draw_rows(f0, rows, &r, x, x + rows * ds->d);
	memset(&rep, 0, sizeof rep);
	rep.n = rows;
	rep.d = ds->d;
	rep.x = x;
	/* Rounded data: a replicate is rounded as they were (to multiples of h), and fitted so. */
	rep.round = ds->round;
	for (size_t i = 0; ds->round != NULL && i < rows; i++)
		for (size_t p = 0; p < ds->d; p++)
			if (ds->round[p] > 0.0)
				x[i * ds->d + p] = ds->round[p] * nearbyint(x[i * ds->d + p] / ds->round[p]);
	rep.names = ds->names;
	rep.colno = ds->colno;
	rep.delimiter = ds->delimiter;
	v = fit_replicate(&rep, lo, f0->k, f0->cov_type, f0, NULL, rng_next(&r), &l0, &g0);
	if (v == 0)
		v = fit_replicate(&rep, lo, f1->k, f1->cov_type, f1, g0, rng_next(&r), &l1, NULL);
	if (v == 0)
		*stat = 2.0 * (l1 - l0);
	gmm_free(g0);
	free(x);
	return v;
}

/* The tests to run: each K with K + 1 fitted, both usable, for structure cov. */
static size_t
find_tests(const struct fit_result *fr, const struct fit_options *fo, enum gmm_cov cov,
	   struct lrt_test *t)
{
	size_t n = 0;

	for (size_t a = 0; a < fo->nk; a++) {
		const struct fit_model *m0 = usable_model(fr, fo->ks[a], cov);
		const struct fit_model *m1 = usable_model(fr, fo->ks[a] + 1, cov);
		int dup = 0;
		for (size_t b = 0; b < n; b++)
			dup |= t[b].k == fo->ks[a];
		if (m0 == NULL || m1 == NULL || dup)
			continue;
		memset(&t[n], 0, sizeof t[n]);
		t[n].k = fo->ks[a];
		t[n].statistic = 2.0 * (m1->res.loglik - m0->res.loglik);
		n++;
	}
	/* Ascending K (the list is short). */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && t[j - 1].k > t[j].k; j--) {
			struct lrt_test s = t[j];
			t[j] = t[j - 1];
			t[j - 1] = s;
		}
	return n;
}

int
lrt_run(const struct dataset *ds, const struct fit_result *fr,
	const struct lrt_options *lo, struct lrt_result *out, struct gm_error *err)
{
	const enum gmm_cov cov = fr->models[fr->chosen].cov;
	const size_t B = lo->B;
	double rows = ds->w != NULL ? floor(fr->total_weight + 0.5) : (double)ds->n;
	double *stat = NULL;
	signed char *ok = NULL;
	size_t total, done = 0;
	int nthr = 1, oom = 0;
	long it;

	memset(out, 0, sizeof *out);
	out->cov = cov;
	out->B = B;
	out->rows = rows;
	if (rows > LRT_MAX_ROWS)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "the weights total %.0f rows, more than the %d a replicate of "
				    "the likelihood-ratio test may draw", rows, LRT_MAX_ROWS);
	out->tests = calloc(lo->fit.nk ? lo->fit.nk : 1, sizeof *out->tests);
	if (out->tests == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	out->ntests = find_tests(fr, &lo->fit, cov, out->tests);
	total = out->ntests * B;
	if (total == 0)
		return GM_OK;
	stat = malloc(total * sizeof *stat);
	ok = malloc(total);
	if (stat == NULL || ok == NULL) {
		free(stat);
		free(ok);
		lrt_result_free(out);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
#ifdef _OPENMP
	nthr = lo->threads > 0 ? lo->threads : omp_get_max_threads();
#endif
	if ((size_t)nthr > total)
		nthr = (int)total;
#pragma omp parallel for num_threads(nthr) schedule(dynamic, 1) reduction(|:oom)
	for (it = 0; it < (long)total; it++) {
		const struct lrt_test *t = &out->tests[(size_t)it / B];
		const struct gmm *f0 = usable_model(fr, t->k, cov)->g;
		const struct gmm *f1 = usable_model(fr, t->k + 1, cov)->g;
		int v = one_replicate(ds, lo, f0, f1, (size_t)rows, (size_t)it % B, &stat[it]);
		ok[it] = (signed char)(v == 0);
		oom |= v < 0;
#pragma omp critical(lrt_progress)
		{
			done++;
			if (lo->progress != NULL)
				lo->progress(lo->progress_arg, done, total);
		}
	}
	if (oom) {
		free(stat);
		free(ok);
		lrt_result_free(out);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	for (size_t i = 0; i < out->ntests; i++) {
		struct lrt_test *t = &out->tests[i];
		size_t above = 0;
		for (size_t b = 0; b < B; b++) {
			if (!ok[i * B + b]) {
				t->failed++;
				continue;
			}
			t->replicates++;
			above += stat[i * B + b] >= t->statistic;
		}
		t->p_value = (1.0 + (double)above) / (1.0 + (double)t->replicates);
	}
	free(stat);
	free(ok);
	return GM_OK;
}

void
lrt_result_free(struct lrt_result *r)
{
	free(r->tests);
	r->tests = NULL;
	r->ntests = 0;
}

const struct lrt_test *
lrt_find(const struct lrt_result *r, size_t k)
{
	for (size_t i = 0; r != NULL && i < r->ntests; i++)
		if (r->tests[i].k == k)
			return &r->tests[i];
	return NULL;
}
