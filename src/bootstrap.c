/*
 * bootstrap.c - the bootstrap of a fitted mixture (see bootstrap.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bootstrap.h"
#include "rng.h"

/* Replicate b's generator: the user's seed and b through splitmix64 (in rng_seed). */
static void
replicate_rng(struct rng *r, uint64_t seed, size_t b)
{
	rng_seed(r, seed ^ (0xd1342543de82ef95u * ((uint64_t)b + 1)));
}

/* The largest total weight a replicate may have: what a double counts exactly. */
#define BOOT_MAX_TOTAL 9007199254740992.0	/* 2^53 */

/*
 * One replicate's data: frequency weights (nonparametric) or rows
 * (parametric).  Either way the counts (per row, or per component) are one
 * multinomial draw of the replicate's total, by conditional binomials, so
 * the time grows with the rows (or components), not with the total.
 */
static void
make_replicate(const struct dataset *ds, const struct gmm *fit, const double *w,
	       const double *tail, double draws, int parametric, struct rng *r,
	       struct dataset *rep, double *z, double *counts)
{
	const size_t d = ds->d;
	size_t i = 0;

	if (!parametric) {
		rng_multinomial(r, draws, w, tail, ds->n, rep->w);
		return;
	}
	rng_multinomial(r, draws, fit->weight, tail, fit->k, counts);
	for (size_t j = 0; j < fit->k; j++)
		for (double t = 0.0; t < counts[j]; t += 1.0, i++) {
			for (size_t p = 0; p < d; p++)
				z[p] = rng_normal(r);
			gmm_point(fit, j, z, rep->x + i * d);
			/* Rounded data: a replicate is rounded as they were (to multiples of h). */
			for (size_t p = 0; ds->round != NULL && p < d; p++)
				if (ds->round[p] > 0.0)
					rep->x[i * d + p] = ds->round[p] * nearbyint(rep->x[i * d + p] / ds->round[p]);
		}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Percentile q of sorted v[0..n) (linear between order statistics). */
static double
percentile(const double *v, size_t n, double q)
{
	double h = q * (double)(n - 1);
	size_t i = (size_t)floor(h);

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

/*
 * Each parameter's SE (two-pass) and 95% percentile interval over the
 * replicates that fit (ok), from vals (B rows of br->nparams).  0, or -1
 * when out of memory.
 */
static int
summarise(struct bootstrap_result *br, const double *vals, const char *ok, size_t B)
{
	const size_t np = br->nparams;
	double *col = malloc(br->ok * sizeof *col);

	if (col == NULL)
		return -1;
	for (size_t p = 0; p < np; p++) {
		size_t m = 0;
		double mean = 0.0, ss = 0.0;
		for (size_t i = 0; i < B; i++)
			if (ok[i])
				col[m++] = vals[i * np + p];
		for (size_t i = 0; i < m; i++)
			mean += col[i];
		mean /= (double)m;
		for (size_t i = 0; i < m; i++)
			ss += (col[i] - mean) * (col[i] - mean);
		br->se[p] = sqrt(ss / (double)(m - 1));
		qsort(col, m, sizeof *col, cmp_double);
		br->lo[p] = percentile(col, m, 0.025);
		br->hi[p] = percentile(col, m, 0.975);
	}
	free(col);
	return 0;
}

/* What a run keeps between its steps: the replicates' values and the multinomial's cells. */
struct bootstrap_work {
	double *vals;		/* B rows of np parameters */
	char *ok;		/* whether replicate b fitted */
	double *w, *tail;	/* the rows' weights; the cells' tail sums */
	double draws;		/* draws per replicate: the total weight, rounded */
	size_t nrow, nc;	/* rows of a parametric replicate; cells */
};

static void
work_free(struct bootstrap_work *bw)
{
	free(bw->vals);
	free(bw->ok);
	free(bw->w);
	free(bw->tail);
	memset(bw, 0, sizeof *bw);
}

/*
 * The work's arrays, the draws per replicate and the cells' tail sums.
 * GM_OK; GM_EINTERNAL when out of memory (err not filled: the caller
 * says so); GM_EDATA, err filled, for a total weight past 2^53.
 */
static int
work_prepare(const struct dataset *ds, const struct gmm *fit, const struct bootstrap_options *bo,
	     struct bootstrap_work *bw, struct gm_error *err)
{
	const size_t k = fit->k, d = fit->d, np = k + 2 * k * d, B = bo->B;
	double wtot = 0.0;

	memset(bw, 0, sizeof *bw);
	bw->vals = malloc(B * np * sizeof *bw->vals);
	bw->ok = calloc(B, 1);
	/* The cells of the multinomial: the rows, or (parametric) the components. */
	bw->nc = bo->parametric ? k : ds->n;
	bw->w = malloc(ds->n * sizeof *bw->w);
	bw->tail = malloc(bw->nc * sizeof *bw->tail);
	if (bw->vals == NULL || bw->ok == NULL || bw->w == NULL || bw->tail == NULL)
		return GM_EINTERNAL;
	for (size_t i = 0; i < ds->n; i++)
		wtot += bw->w[i] = ds->w ? ds->w[i] : 1.0;
	/* As many draws as the data have (total weight, rounded), at most 2^53. */
	if (!(wtot <= BOOT_MAX_TOTAL))
		return gm_error_set(err, GM_EDATA, NULL, 0, 0,
				    "the bootstrap needs a total weight of at most 2^53 "
				    "(9007199254740992, what a double counts exactly); the data's is %g",
				    wtot);
	bw->draws = nearbyint(wtot);
	if (bw->draws < 1.0)
		bw->draws = 1.0;
	{
		const double *cw = bo->parametric ? fit->weight : bw->w;
		double s = 0.0;
		for (size_t i = bw->nc; i-- > 0;)
			bw->tail[i] = s += cw[i];
	}
	if (bo->parametric) {
		/* Each replicate holds draws rows of d values. */
		if (bw->draws > (double)(SIZE_MAX / sizeof(double) / (d ? d : 1)))
			return GM_EINTERNAL;
		bw->nrow = (size_t)bw->draws;
	}
	return GM_OK;
}

/* A replicate's fit, sorted by mean, as one row of values: weights, means, sds. */
static void
store_params(const struct gmm *g, double *v)
{
	const size_t k = g->k, d = g->d;

	for (size_t j = 0; j < k; j++) {
		v[j] = g->weight[j];
		for (size_t c = 0; c < d; c++) {
			v[k + j * d + c] = g->mean[j * d + c];
			v[k + k * d + j * d + c] = sqrt(g->cov[j * d * d + c * d + c]);
		}
	}
}

/*
 * Every replicate drawn and refitted, in parallel: bw->vals and bw->ok
 * filled.  0, or 1 when a thread ran short of memory (the run then stops).
 */
static int
run_replicates(const struct dataset *ds, const struct gmm *fit, const struct bootstrap_options *bo,
	       struct bootstrap_work *bw)
{
	const size_t k = fit->k, d = fit->d, np = k + 2 * k * d, B = bo->B;
	int short_of_memory = 0, nthr = 1;
	long b;

#ifdef _OPENMP
	nthr = bo->threads > 0 ? bo->threads : omp_get_max_threads();
#endif

#pragma omp parallel num_threads(nthr)
	{
		struct dataset rep = *ds;
		struct em_options eo = bo->em;
		double *z = malloc(d * sizeof *z), *counts = malloc(k * sizeof *counts);
		int good = z != NULL && counts != NULL;

		eo.threads = 1;		/* the replicates are the parallel work */
		eo.progress = NULL;
		rep.w = NULL;
		rep.x = ds->x;
		if (bo->parametric) {
			rep.n = bw->nrow;
			rep.x = malloc(bw->nrow * d * sizeof *rep.x);
			good &= rep.x != NULL;
		} else {
			rep.w = malloc(ds->n * sizeof *rep.w);
			good &= rep.w != NULL;
		}
		if (!good) {
#pragma omp atomic write
			short_of_memory = 1;
		}
#pragma omp for schedule(dynamic, 1)
		for (b = 0; b < (long)B; b++) {
			struct rng r;
			struct gmm *g;
			struct em_result res;
			struct gm_error e;
			int frc, stop;

#pragma omp atomic read
			stop = short_of_memory;
			if (!good || stop)
				continue;	/* the run ends: no more work */
			replicate_rng(&r, bo->seed, (size_t)b);
			make_replicate(ds, fit, bw->w, bw->tail, bw->draws, bo->parametric, &r, &rep,
				       z, counts);
			g = gmm_dup(fit);
			gm_error_clear(&e);
			frc = g != NULL ? em_fit(&rep, g, &eo, &res, &e) : GM_EINTERNAL;
			/* Short of memory is no failed fit: the run stops, status 1. */
			if (frc == GM_EINTERNAL) {
#pragma omp atomic write
				short_of_memory = 1;
			} else if (frc == GM_OK) {
				gmm_sort(g);
				store_params(g, bw->vals + (size_t)b * np);
				bw->ok[b] = 1;
			}
			gmm_free(g);
		}
		free(z);
		free(counts);
		if (bo->parametric)
			free(rep.x);
		else
			free(rep.w);
	}
	return short_of_memory;
}

int
bootstrap_run(const struct dataset *ds, const struct gmm *fit,
	      const struct bootstrap_options *bo, struct bootstrap_result *br,
	      struct gm_error *err)
{
	const size_t k = fit->k, d = fit->d, np = k + 2 * k * d, B = bo->B;
	struct bootstrap_work bw;
	int rc;

	memset(br, 0, sizeof *br);
	rc = work_prepare(ds, fit, bo, &bw, err);
	if (rc == GM_EINTERNAL || (rc == GM_OK && run_replicates(ds, fit, bo, &bw)))
		goto oom;
	if (rc != GM_OK) {
		work_free(&bw);
		return rc;
	}
	br->B = B;
	br->parametric = bo->parametric;
	br->k = k;
	br->d = d;
	br->nparams = np;
	for (size_t i = 0; i < B; i++)
		br->ok += bw.ok[i];
	br->se = calloc(np, sizeof *br->se);
	br->lo = calloc(np, sizeof *br->lo);
	br->hi = calloc(np, sizeof *br->hi);
	if (br->se == NULL || br->lo == NULL || br->hi == NULL)
		goto oom;
	if (br->ok < 2) {
		size_t fitted = br->ok;	/* bootstrap_result_free clears it */
		work_free(&bw);
		bootstrap_result_free(br);
		return gm_error_set(err, GM_ENUMERIC, NULL, 0, 0,
				    "the bootstrap needs at least 2 replicates that fit; %zu did", fitted);
	}
	if (summarise(br, bw.vals, bw.ok, B))
		goto oom;
	work_free(&bw);
	return GM_OK;
oom:
	work_free(&bw);
	bootstrap_result_free(br);
	return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
}

void
bootstrap_result_free(struct bootstrap_result *br)
{
	free(br->se);
	free(br->lo);
	free(br->hi);
	memset(br, 0, sizeof *br);
}
