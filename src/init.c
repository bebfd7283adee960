/*
 * init.c - starting points for EM (see init.h).
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "em.h"
#include "init.h"

static const char *const names[] = {
	"quantile", "kmeans", "kmeans++", "random", "random-rows", "given", "hc"
};

const char *
init_name(enum init_method m)
{
	return names[m];
}

int
init_parse(const char *s, enum init_method *m)
{
	for (int i = 0; i < 7; i++)
		if (strcmp(s, names[i]) == 0) {
			*m = (enum init_method)i;
			return 0;
		}
	return -1;
}

/* How a row is put in a group. */
struct labeller {
	size_t (*label)(const struct labeller *lb, const double *x);
	const double *centres;	/* k*d, for nearest-centre labels */
	const double *cuts;	/* k-1 upper bounds, for quantile labels */
	size_t k, d;
};

static size_t
nearest_centre(const struct labeller *lb, const double *x)
{
	size_t best = 0;
	double bd = INFINITY;

	for (size_t j = 0; j < lb->k; j++) {
		double s = 0.0;
		for (size_t c = 0; c < lb->d; c++) {
			double t = x[c] - lb->centres[j * lb->d + c];
			s += t * t;
		}
		if (s < bd) {
			bd = s;
			best = j;
		}
	}
	return best;
}

static size_t
quantile_group(const struct labeller *lb, const double *x)
{
	size_t j = 0;

	while (j + 1 < lb->k && *x > lb->cuts[j])
		j++;
	return j;
}

/* Statistics of the hard assignment given by lb, block by block. */
static int
group_stats(const struct dataset *ds, const struct labeller *lb,
	    struct em_stats *st)
{
	const size_t k = st->k, d = ds->d;
	struct em_stats blk;
	double *r = malloc(EM_BLOCK * k * sizeof *r);

	if (r == NULL || em_stats_init(&blk, k, d, st->full)) {
		free(r);
		return -1;
	}
	em_stats_zero(st);
	for (size_t lo = 0; lo < ds->n; lo += EM_BLOCK) {
		size_t rows = ds->n - lo < EM_BLOCK ? ds->n - lo : EM_BLOCK;
		const double *x = ds_x(ds, lo, rows);
		memset(r, 0, rows * k * sizeof *r);
		for (size_t i = 0; i < rows; i++)
			r[i * k + lb->label(lb, x + i * d)] = 1.0;
		em_block_stats(x, ds_w(ds, lo, rows), r, rows, &blk);
		em_stats_merge(st, &blk);
	}
	em_stats_free(&blk);
	free(r);
	return 0;
}

/* The whole data's weighted covariance (full), two-pass. */
static void
data_covariance(const struct dataset *ds, double *mean, double *cov)
{
	const size_t d = ds->d;
	double wsum = 0.0;

	memset(mean, 0, d * sizeof *mean);
	memset(cov, 0, d * d * sizeof *cov);
	for (size_t i = 0; i < ds->n; i++) {
		double wi = ds_wt(ds, i);
		const double *x = ds_x(ds, i, 1);
		wsum += wi;
		for (size_t c = 0; c < d; c++)
			mean[c] += wi * x[c];
	}
	for (size_t c = 0; c < d; c++)
		mean[c] /= wsum;
	for (size_t i = 0; i < ds->n; i++) {
		double wi = ds_wt(ds, i);
		const double *x = ds_x(ds, i, 1);
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q < d; q++)
				cov[p * d + q] += wi * (x[p] - mean[p]) * (x[q] - mean[q]);
	}
	for (size_t p = 0; p < d * d; p++)
		cov[p] /= wsum;
}

/*
 * A model from group statistics: an empty group keeps its centre (when
 * given) and takes the weight of one row and the data's covariance; a
 * group whose covariance is singular takes the data's covariance too.
 */
static int
model_from_groups(const struct dataset *ds, struct em_stats *st,
		  const double *centres, const double *reg, struct gmm *g,
		  struct gm_error *err)
{
	const size_t k = g->k, d = g->d;
	double *dmean = malloc(d * sizeof *dmean), *dcov = malloc(d * d * sizeof *dcov);
	long bad;
	int rc = GM_OK;

	if (dmean == NULL || dcov == NULL) {
		free(dmean);
		free(dcov);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	data_covariance(ds, dmean, dcov);
	for (size_t j = 0; j < k; j++)
		if (!(st->s0[j] > 0.0)) {
			st->s0[j] = 1.0;
			memcpy(st->mean + j * d, centres ? centres + j * d : dmean,
			       d * sizeof *dmean);
			memcpy(st->m2 + j * d * d, dcov, d * d * sizeof *dcov);
		}
	for (int tries = 0; (bad = em_mstep(st, g, reg)) >= 0; tries++) {
		if (tries == (int)k) {
			rc = gm_error_set(err, GM_ENUMERIC, NULL, 0, 0,
				"cannot start K = %zu: the data's covariance is singular "
				"(a column with no spread, or columns that are copies of each other); "
				"use --reg or drop a column", k);
			break;
		}
		for (size_t p = 0; p < d * d; p++)
			st->m2[(size_t)bad * d * d + p] = dcov[p] * st->s0[bad];
	}
	free(dmean);
	free(dcov);
	return rc;
}

static int
from_labels(const struct dataset *ds, const struct labeller *lb,
	    const double *reg, struct gmm *g, struct gm_error *err)
{
	struct em_stats st;
	int rc;

	if (em_stats_init(&st, g->k, g->d, 1))
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	if (group_stats(ds, lb, &st)) {
		em_stats_free(&st);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	rc = model_from_groups(ds, &st, lb->centres, reg, g, err);
	em_stats_free(&st);
	return rc;
}

static int
from_means(const struct dataset *ds, const double *means, const double *reg,
	   struct gmm *g, struct gm_error *err)
{
	struct labeller lb = { nearest_centre, means, NULL, g->k, g->d };

	return from_labels(ds, &lb, reg, g, err);
}

#define QUANTILE_SAMPLE 65536	/* rows the cut points are taken from, at most */
#define KMEANS_SAMPLE 262144	/* rows k-means runs on, at most */

/*
 * Cut points between K groups of equal weight of the sorted values.  On
 * large data they come from every step-th row (at most QUANTILE_SAMPLE,
 * the same rows every time): a start needs the quantiles roughly, and
 * sorting all n rows would cost a copy of the data.
 */
static int
quantile_start(const struct dataset *ds, const double *reg, struct gmm *g,
	       struct gm_error *err)
{
	const size_t k = g->k, step = ds->n / QUANTILE_SAMPLE + 1;
	const size_t m = (ds->n + step - 1) / step;
	double *cuts = malloc((k > 1 ? k - 1 : 1) * sizeof *cuts);
	double *x = malloc(m * sizeof *x), *w = ds->w ? malloc(m * sizeof *w) : NULL;
	struct labeller lb = { quantile_group, NULL, NULL, k, 1 };
	double wsum = 0.0, acc = 0.0;
	size_t j = 0;
	int rc;

	if (cuts == NULL || x == NULL || (ds->w != NULL && w == NULL)) {
		free(cuts);
		free(x);
		free(w);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	dataset_every(ds, step, x, w);
	for (size_t i = 0; i < m; i++)
		wsum += w ? w[i] : 1.0;
	sort_with(x, w, m);
	/* cut j is the value at cumulative weight (j+1)/K of the total. */
	for (size_t i = 0; i < m && j + 1 < k; i++) {
		acc += w ? w[i] : 1.0;
		while (j + 1 < k && acc >= wsum * (double)(j + 1) / (double)k)
			cuts[j++] = x[i];
	}
	while (j + 1 < k) {
		cuts[j] = x[m - 1];
		j++;
	}
	free(x);
	free(w);
	lb.cuts = cuts;
	rc = from_labels(ds, &lb, reg, g, err);
	free(cuts);
	return rc;
}

/* k-means++ seeding (Arthur and Vassilvitskii, 2007) into centres[k*d]. */
static int
kmeanspp(const struct dataset *ds, size_t k, struct rng *rng, double *centres)
{
	const size_t n = ds->n, d = ds->d;
	double *dist = malloc(n * sizeof *dist), total = 0.0;
	size_t pick;

	if (dist == NULL)
		return -1;
	/* First centre: a row drawn with probability proportional to its weight. */
	{
		double wsum = dataset_total_weight(ds), u = rng_uniform(rng) * wsum, acc = 0.0;
		pick = n - 1;
		for (size_t i = 0; i < n; i++) {
			acc += ds_wt(ds, i);
			if (acc > u) {
				pick = i;
				break;
			}
		}
	}
	memcpy(centres, ds_x(ds, pick, 1), d * sizeof *centres);
	for (size_t i = 0; i < n; i++) {
		const double *x = ds_x(ds, i, 1);
		double s = 0.0;
		for (size_t c = 0; c < d; c++) {
			double t = x[c] - centres[c];
			s += t * t;
		}
		dist[i] = s * ds_wt(ds, i);
	}
	for (size_t j = 1; j < k; j++) {
		double u, acc = 0.0;
		total = 0.0;
		for (size_t i = 0; i < n; i++)
			total += dist[i];
		if (!(total > 0.0)) {
			/* Fewer distinct rows than K: repeat a row; EM will tell. */
			pick = rng_below(rng, n);
		} else {
			u = rng_uniform(rng) * total;
			pick = n - 1;
			for (size_t i = 0; i < n; i++) {
				acc += dist[i];
				if (acc > u && dist[i] > 0.0) {
					pick = i;
					break;
				}
			}
		}
		memcpy(centres + j * d, ds_x(ds, pick, 1), d * sizeof *centres);
		for (size_t i = 0; i < n; i++) {
			const double *x = ds_x(ds, i, 1);
			double s = 0.0;
			for (size_t c = 0; c < d; c++) {
				double t = x[c] - centres[j * d + c];
				s += t * t;
			}
			s *= ds_wt(ds, i);
			if (s < dist[i])
				dist[i] = s;
		}
	}
	free(dist);
	return 0;
}

/* Lloyd's steps from the given centres (at most iters, or until stable). */
static int
lloyd(const struct dataset *ds, size_t k, double *centres, int iters)
{
	const size_t d = ds->d;
	struct labeller lb = { nearest_centre, centres, NULL, k, d };
	struct em_stats st;

	if (em_stats_init(&st, k, d, 0))
		return -1;
	for (int it = 0; it < iters; it++) {
		int moved = 0;
		if (group_stats(ds, &lb, &st)) {
			em_stats_free(&st);
			return -1;
		}
		for (size_t j = 0; j < k; j++) {
			if (!(st.s0[j] > 0.0))
				continue;	/* an empty cluster keeps its centre */
			for (size_t c = 0; c < d; c++) {
				double m = st.mean[j * d + c];
				if (m < centres[j * d + c] || m > centres[j * d + c])
					moved = 1;
				centres[j * d + c] = m;
			}
		}
		if (!moved)
			break;
	}
	em_stats_free(&st);
	return 0;
}

static int
random_resp(const struct dataset *ds, const double *reg, struct rng *rng,
	    struct gmm *g, struct gm_error *err)
{
	const size_t k = g->k, d = g->d;
	struct em_stats st, blk;
	double *r = malloc(EM_BLOCK * k * sizeof *r);
	int rc;

	if (r == NULL || em_stats_init(&st, k, d, 1) || em_stats_init(&blk, k, d, 1)) {
		free(r);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	for (size_t lo = 0; lo < ds->n; lo += EM_BLOCK) {
		size_t rows = ds->n - lo < EM_BLOCK ? ds->n - lo : EM_BLOCK;
		for (size_t i = 0; i < rows; i++) {
			double s = 0.0;
			for (size_t j = 0; j < k; j++)
				s += r[i * k + j] = rng_uniform(rng) + DBL_MIN;
			for (size_t j = 0; j < k; j++)
				r[i * k + j] /= s;
		}
		em_block_stats(ds_x(ds, lo, rows), ds_w(ds, lo, rows), r, rows, &blk);
		em_stats_merge(&st, &blk);
	}
	rc = model_from_groups(ds, &st, NULL, reg, g, err);
	em_stats_free(&st);
	em_stats_free(&blk);
	free(r);
	return rc;
}

static int
given_start(const struct dataset *ds, const struct init_given *gv,
	    const double *reg, struct gmm *g, struct gm_error *err)
{
	const size_t k = g->k, d = g->d;
	double wsum = 0.0;
	long bad;

	if (gv->model != NULL) {
		if (gv->model->k != k || gv->model->d != d)
			return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
					    "the start model has K = %zu and %zu columns, not %zu and %zu",
					    gv->model->k, gv->model->d, k, d);
		gmm_copy(g, gv->model);
		g->cov_type = gv->model->cov_type;
		goto prepare;
	}
	if (gv->means == NULL)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "--init given needs --means");
	if (gv->sds == NULL) {
		/* Weights and covariances from the nearest-mean groups; the means as given. */
		int rc = from_means(ds, gv->means, reg, g, err);
		if (rc != GM_OK)
			return rc;
		memcpy(g->mean, gv->means, k * d * sizeof *g->mean);
		if (gv->weights != NULL)
			goto weights;
		goto prepare;
	}
	for (size_t j = 0; j < k; j++) {
		memcpy(g->mean + j * d, gv->means + j * d, d * sizeof *g->mean);
		memset(g->cov + j * d * d, 0, d * d * sizeof *g->cov);
		for (size_t c = 0; c < d; c++)
			g->cov[j * d * d + c * d + c] = gv->sds[j] * gv->sds[j];
		g->weight[j] = 1.0 / (double)k;
	}
	if (gv->weights == NULL)
		goto prepare;
weights:
	for (size_t j = 0; j < k; j++)
		wsum += gv->weights[j];
	for (size_t j = 0; j < k; j++)
		g->weight[j] = gv->weights[j] / wsum;
prepare:
	bad = gmm_prepare(g);
	if (bad >= 0)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "the given start of component %ld is not valid "
				    "(its sd and weight must be positive)", bad + 1);
	return GM_OK;
}

int
init_model(const struct dataset *ds, enum init_method m,
	   const struct init_given *given, const double *reg, struct rng *rng,
	   struct gmm *g, struct gm_error *err)
{
	double *centres;
	int rc;

	switch (m) {
	case INIT_QUANTILE:
		if (ds->d != 1)
			return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
					    "--init quantile works on one column; use kmeans");
		return quantile_start(ds, reg, g, err);
	case INIT_RANDOM:
		return random_resp(ds, reg, rng, g, err);
	case INIT_GIVEN:
		return given_start(ds, given, reg, g, err);
	case INIT_HC:
		m = INIT_KMEANS;	/* until the hc start is written */
		break;
	default:
		break;
	}
	centres = malloc(g->k * g->d * sizeof *centres);
	if (centres == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	if (m == INIT_RANDOM_ROWS) {
		/* K distinct row indices (Floyd's sampling needs no n-sized array). */
		size_t *idx = malloc(g->k * sizeof *idx);
		if (idx == NULL) {
			free(centres);
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		}
		for (size_t j = 0, t = ds->n - g->k; j < g->k; j++, t++) {
			size_t pick = (size_t)rng_below(rng, t + 1), dup = 0;
			for (size_t q = 0; q < j; q++)
				dup |= idx[q] == pick;
			idx[j] = dup ? t : pick;
		}
		for (size_t j = 0; j < g->k; j++)
			memcpy(centres + j * g->d, ds_x(ds, idx[j], 1), g->d * sizeof *centres);
		free(idx);
	} else {
		/*
		 * k-means on at most KMEANS_SAMPLE rows, every step-th: on large
		 * data its centres hardly move with more, and (with several
		 * processes) the sample is all that travels to rank 0.  The
		 * groups' statistics below are taken over all rows.
		 */
		struct dataset smp;
		const struct dataset *kd = ds;
		int bad;

		memset(&smp, 0, sizeof smp);
		if (ds->n > KMEANS_SAMPLE) {
			size_t step = ds->n / KMEANS_SAMPLE + 1;
			smp.d = ds->d;
			smp.n = (ds->n + step - 1) / step;
			smp.x = malloc(smp.n * smp.d * sizeof *smp.x);
			smp.w = ds->w ? malloc(smp.n * sizeof *smp.w) : NULL;
			if (smp.x == NULL || (ds->w != NULL && smp.w == NULL)) {
				free(smp.x);
				free(smp.w);
				free(centres);
				return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
			}
			dataset_every(ds, step, smp.x, smp.w);
			kd = &smp;
		}
		bad = kmeanspp(kd, g->k, rng, centres) ||
		      (m == INIT_KMEANS && lloyd(kd, g->k, centres, 10));
		free(smp.x);
		free(smp.w);
		if (bad) {
			free(centres);
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		}
	}
	rc = from_means(ds, centres, reg, g, err);
	free(centres);
	return rc;
}

struct init_hc {
	size_t n;
};

int
init_hc_new(const struct dataset *ds, struct init_hc **out, struct gm_error *err)
{
	*out = calloc(1, sizeof **out);
	if (*out == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	(*out)->n = ds->n;
	return GM_OK;
}

void
init_hc_free(struct init_hc *hc)
{
	free(hc);
}
