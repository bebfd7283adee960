/*
 * init.c - starting points for EM (see init.h).
 *
 * Scale-free starts: every distance a start measures (k-means++ seeding,
 * Lloyd steps, nearest-centre groups, the hc merges) is on standardised
 * columns, sum_c ((x_c - y_c) / sd_c)^2 with sd_c the column's weighted
 * sd over the data (1 for a column with no spread), so a change of units
 * (x -> a x + b per column, a > 0) gives the same groups.  Centres and
 * the models made from them stay in the data's units.
 *
 * The hc start: model-based hierarchical agglomeration (Fraley 1998;
 * Scrucca and Raftery 2015 on its use for EM starts) with the criterion
 * of the spherical, equal-volume model (EII): merging clusters i and j
 * lowers the classification likelihood by an increasing function of
 * Ward's cost W_i W_j / (W_i + W_j) |c_i - c_j|^2 (W the clusters'
 * weights, c their centroids), so the pair with the least cost merges.
 * It runs on at most HC_ROWS rows (every s-th, the same rows every time),
 * standardised; identical rows are first collapsed into one weighted
 * point, so tied rows always start together, and frequency weights
 * count.  The merges come from the nearest-neighbour chain (exact for
 * Ward's reducible criterion, O(m^2 d) time and O(m d) memory for m
 * points, costs computed from the centroids as needed), are sorted by
 * cost (ties in merge order) and replayed with union-find to cut at any
 * K.  Ties go to the lowest index.  The start is then the K groups'
 * weights, means and covariances over the subset's rows.  The VVV
 * criterion (mclust's default) is not implemented: on standardised
 * columns Ward's recovers the elongated cluster of tests/unit-init.c, and
 * it needs no covariance of the small clusters of the early merges.
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
	const double *inv_sd;	/* d: 1 / each column's sd, for nearest-centre labels */
};

/*
 * 1 / the weighted sd over ds of each column (1 for a column with no
 * spread) into inv_sd[d], and the means into mean[d] when not NULL: the
 * starts measure distances on standardised columns, so units do not
 * matter.
 */
static void
column_scales(const struct dataset *ds, double *inv_sd, double *mean)
{
	for (size_t c = 0; c < ds->d; c++) {
		double mu, var, sd;
		dataset_column_moments(ds, c, &mu, &var);
		sd = sqrt(var);
		inv_sd[c] = sd > 0.0 && isfinite(sd) ? 1.0 / sd : 1.0;
		if (mean != NULL)
			mean[c] = mu;
	}
}

/* Squared distance of x and y on standardised columns. */
static double
std_dist2(const double *x, const double *y, const double *inv_sd, size_t d)
{
	double s = 0.0;

	for (size_t c = 0; c < d; c++) {
		double t = (x[c] - y[c]) * inv_sd[c];
		s += t * t;
	}
	return s;
}

static size_t
nearest_centre(const struct labeller *lb, const double *x)
{
	size_t best = 0;
	double bd = INFINITY;

	for (size_t j = 0; j < lb->k; j++) {
		double s = std_dist2(x, lb->centres + j * lb->d, lb->inv_sd, lb->d);
		if (s < bd) {
			bd = s;
			best = j;
		}
	}
	return best;
}

/* nearest_centre of rows x[0..rows) into r, d a constant where it is small (the same sums). */
static inline __attribute__((always_inline)) void
nearest_rows_d(const struct labeller *lb, const double *x, size_t rows, size_t d, size_t *r)
{
	for (size_t i = 0; i < rows; i++) {
		const double *xi = x + i * d;
		size_t best = 0;
		double bd = INFINITY;
		for (size_t j = 0; j < lb->k; j++) {
			const double *y = lb->centres + j * d;
			double s = 0.0;
			for (size_t c = 0; c < d; c++) {
				double t = (xi[c] - y[c]) * lb->inv_sd[c];
				s += t * t;
			}
			if (s < bd) {
				bd = s;
				best = j;
			}
		}
		r[i] = best;
	}
}

static void
nearest_rows(const struct labeller *lb, const double *x, size_t rows, size_t *r)
{
	switch (lb->d) {
	case 2: nearest_rows_d(lb, x, rows, 2, r); break;
	case 3: nearest_rows_d(lb, x, rows, 3, r); break;
	case 4: nearest_rows_d(lb, x, rows, 4, r); break;
	case 5: nearest_rows_d(lb, x, rows, 5, r); break;
	case 6: nearest_rows_d(lb, x, rows, 6, r); break;
	case 8: nearest_rows_d(lb, x, rows, 8, r); break;
	default: nearest_rows_d(lb, x, rows, lb->d, r); break;
	}
}

static size_t
quantile_group(const struct labeller *lb, const double *x)
{
	size_t j = 0;

	while (j + 1 < lb->k && *x > lb->cuts[j])
		j++;
	return j;
}

/*
 * The groups' statistics as a scan of the rows (dataset_scan_add), so
 * that rows spread over processes are each read where they are held:
 * the statistics (em_stats_pack's layout) are carried from block to
 * block in row order, as one loop over all the rows would merge them.
 * The scan's parameters: the labeller's kind (GROUPS_NEAREST,
 * GROUPS_QUANTILE), k and whether the scatter is full, then the k d
 * centres and the d inverse sds, or the k - 1 cuts.
 */
enum { GROUPS_NEAREST, GROUPS_QUANTILE };
#define GROUPS_HEAD 3

/* The labeller a groups scan's parameters describe. */
static void
groups_labeller(const double *param, size_t d, struct labeller *lb)
{
	memset(lb, 0, sizeof *lb);
	lb->k = (size_t)param[1];
	lb->d = d;
	if (param[0] < 0.5) {	/* GROUPS_NEAREST */
		lb->label = nearest_centre;
		lb->centres = param + GROUPS_HEAD;
		lb->inv_sd = param + GROUPS_HEAD + lb->k * d;
	} else {
		lb->label = quantile_group;
		lb->cuts = param + GROUPS_HEAD;
	}
}

/*
 * The scan's step over rows [lo, hi): whole blocks from lo (a block's
 * first row, as a process's rows begin with a chunk), each block's
 * statistics merged into the carried ones.  0, or -1 when out of memory
 * or lo is within a block.
 */
static int
groups_scan(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi,
	    double *state)
{
	const size_t d = ds->d;
	struct labeller lb;
	struct em_stats st, blk;
	size_t *r;
	int full = q->param[2] > 0.5;

	groups_labeller(q->param, d, &lb);
	if (lo % EM_BLOCK != 0)
		return -1;
	r = malloc(EM_BLOCK * sizeof *r);
	if (r == NULL || em_stats_init(&st, lb.k, d, full)) {
		free(r);
		return -1;
	}
	if (em_stats_init(&blk, lb.k, d, full)) {
		em_stats_free(&st);
		free(r);
		return -1;
	}
	em_stats_unpack(&st, state);
	for (; lo < hi; lo += EM_BLOCK) {
		size_t rows = hi - lo < EM_BLOCK ? hi - lo : EM_BLOCK;
		const double *x = dataset_x(ds, lo, rows);
		if (lb.label == nearest_centre)
			nearest_rows(&lb, x, rows, r);
		else
			for (size_t i = 0; i < rows; i++)
				r[i] = lb.label(&lb, x + i * d);
		em_block_stats_labels(x, dataset_w(ds, lo, rows), r, rows, &blk);
		em_stats_merge(&st, &blk);
	}
	em_stats_pack(&st, state);
	em_stats_free(&blk);
	em_stats_free(&st);
	free(r);
	return 0;
}

/* Statistics of the hard assignment given by lb, block by block, in row order. */
static int
group_stats(const struct dataset *ds, const struct labeller *lb,
	    struct em_stats *st)
{
	const size_t k = st->k, d = ds->d;
	const int nearest = lb->label == nearest_centre;
	size_t np = GROUPS_HEAD + (nearest ? k * d + d : (k > 1 ? k - 1 : 0));
	double *param = malloc(np * sizeof *param);
	double *state = malloc(em_stats_len(k, d) * sizeof *state);
	struct dataset_scan q;
	int kind = dataset_scan_add(groups_scan), rc = -1;

	if (param != NULL && state != NULL && kind >= 0) {
		param[0] = nearest ? GROUPS_NEAREST : GROUPS_QUANTILE;
		param[1] = (double)k;
		param[2] = st->full ? 1.0 : 0.0;
		if (nearest) {
			memcpy(param + GROUPS_HEAD, lb->centres, k * d * sizeof *param);
			memcpy(param + GROUPS_HEAD + k * d, lb->inv_sd, d * sizeof *param);
		} else if (k > 1) {
			memcpy(param + GROUPS_HEAD, lb->cuts, (k - 1) * sizeof *param);
		}
		em_stats_zero(st);
		em_stats_pack(st, state);
		q = (struct dataset_scan){ kind, 0, em_stats_len(k, d), param, np };
		rc = dataset_scan(ds, &q, state);
		if (rc == 0)
			em_stats_unpack(st, state);
	}
	free(param);
	free(state);
	return rc;
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

	/* The whole data's weighted covariance (full): a scan of the rows (dataset.c). */
	if (dmean == NULL || dcov == NULL || dataset_covariance(ds, dmean, dcov) != 0) {
		free(dmean);
		free(dcov);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
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

/* Groups of the nearest of the means (on standardised columns). */
static int
from_means(const struct dataset *ds, const double *means, const double *inv_sd,
	   const double *reg, struct gmm *g, struct gm_error *err)
{
	struct labeller lb = {
		.label = nearest_centre, .centres = means, .k = g->k, .d = g->d,
		.inv_sd = inv_sd
	};

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
	struct labeller lb = { .label = quantile_group, .k = k, .d = 1 };
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
	sort_with(x, w, m, ds->threads);
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

/*
 * k-means++ over the rows as scans (dataset_scan_add), so that rows
 * spread over processes are read where they are held.  A row's distance
 * is not kept between the draws but taken again: the nearest of the j
 * centres chosen so far (in the order they were chosen, so the same
 * value as the running minimum), times the row's weight.  The scans'
 * parameters begin with the mode and, for KMPP_TOTAL and KMPP_PICK, u,
 * j, the j d centres and the d inverse sds; KMPP_ROWS has the number of
 * rows m and their indices.
 *
 *   KMPP_TOTAL  state: the sum of the distances in row order
 *   KMPP_PICK   state: (acc, found, index, the row): the first row at
 *               which the running sum of distances (of weights when j is
 *               0) passes u, with a positive distance (j > 0)
 *   KMPP_ROWS   state: the m rows, each copied where it is held
 */
enum { KMPP_TOTAL, KMPP_PICK, KMPP_ROWS };
#define KMPP_HEAD 3

static double
kmpp_dist(const double *x, double w, const double *centres, size_t j, const double *inv_sd,
	  size_t d)
{
	double s = std_dist2(x, centres, inv_sd, d) * w;

	for (size_t c = 1; c < j; c++) {
		double t = std_dist2(x, centres + c * d, inv_sd, d) * w;
		if (t < s)
			s = t;
	}
	return s;
}

static int
kmpp_scan(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi,
	  double *st)
{
	const size_t d = ds->d;
	const double *p = q->param;
	const int mode = (int)p[0];

	if (mode == KMPP_ROWS) {
		for (size_t r = 0; r < (size_t)p[1]; r++) {
			size_t i = (size_t)p[2 + r];
			if (i >= lo && i < hi)
				memcpy(st + r * d, dataset_x(ds, i, 1), d * sizeof *st);
		}
		return 0;
	}
	for (size_t i = lo; i < hi; i++) {
		const size_t j = (size_t)p[2];
		const double *x = dataset_x(ds, i, 1), wi = dataset_wt(ds, i);
		double di = j == 0 ? wi : kmpp_dist(x, wi, p + KMPP_HEAD, j, p + KMPP_HEAD + j * d, d);
		if (mode == KMPP_TOTAL) {
			st[0] += di;
			continue;
		}
		if (st[1] > 0.5)
			return 0;	/* found before these rows */
		st[0] += di;
		if (st[0] > p[1] && (j == 0 || di > 0.0)) {
			st[1] = 1.0;
			st[2] = (double)i;
			memcpy(st + 3, x, d * sizeof *st);
			return 0;
		}
	}
	return 0;
}

/* Rows idx[0..m) of ds into rows (m d): a scan, each row read where it is held. */
static int
copy_rows(const struct dataset *ds, const size_t *idx, size_t m, double *rows)
{
	double *param = malloc((2 + m) * sizeof *param);
	int kind = dataset_scan_add(kmpp_scan), rc = -1;

	if (param != NULL && kind >= 0) {
		struct dataset_scan q = { kind, 0, m * ds->d, param, 2 + m };
		param[0] = KMPP_ROWS;
		param[1] = (double)m;
		for (size_t r = 0; r < m; r++)
			param[2 + r] = (double)idx[r];
		rc = dataset_scan(ds, &q, rows);
	}
	free(param);
	return rc;
}

/*
 * The KMPP_TOTAL (pick NULL) or KMPP_PICK scan with j centres chosen:
 * the total into *out, or the row picked at u into centres + j d (the
 * last row when the sum never passes u).  0, or -1 when out of memory.
 */
static int
kmpp_step(const struct dataset *ds, size_t j, const double *inv_sd, double u, double *centres,
	  double *out, int pick)
{
	const size_t d = ds->d, np = KMPP_HEAD + j * d + d;
	double *param = malloc(np * sizeof *param), *st = calloc(3 + d, sizeof *st);
	int kind = dataset_scan_add(kmpp_scan), rc = -1;

	if (param != NULL && st != NULL && kind >= 0) {
		struct dataset_scan q = { kind, 0, pick ? 3 + d : 1, param, np };
		param[0] = pick ? KMPP_PICK : KMPP_TOTAL;
		param[1] = u;
		param[2] = (double)j;
		memcpy(param + KMPP_HEAD, centres, j * d * sizeof *param);
		memcpy(param + KMPP_HEAD + j * d, inv_sd, d * sizeof *param);
		rc = dataset_scan(ds, &q, st);
		if (rc == 0 && !pick)
			*out = st[0];
		if (rc == 0 && pick) {
			size_t last = ds->n - 1;
			if (st[1] > 0.5)
				memcpy(centres + j * d, st + 3, d * sizeof *centres);
			else
				rc = copy_rows(ds, &last, 1, centres + j * d);
		}
	}
	free(param);
	free(st);
	return rc;
}

/*
 * The row at which the running sum of dist (in row order) first passes u
 * with a positive distance: KMPP_PICK's rule over rows held here.  The
 * last row when the sum never passes u.
 */
static size_t
kmpp_pick_local(const double *dist, size_t n, double u)
{
	double acc = 0.0;

	for (size_t i = 0; i < n; i++) {
		acc += dist[i];
		if (acc > u && dist[i] > 0.0)
			return i;
	}
	return n - 1;
}

/*
 * kmeanspp for rows all held here (several columns): each row's weighted
 * distance to the nearest centre so far is kept and lowered by each new
 * centre, one distance a row and centre where the scans take every
 * earlier centre's again.  The values are the same (the least of the same
 * products, in any order), and so are the sums in row order, the draws
 * and the picks, so the centres are the same bits.  1 when the n
 * doubles cannot be had (the caller takes the scans), -1 when out of
 * memory otherwise, else 0.
 */
static int
kmeanspp_local(const struct dataset *ds, size_t k, const double *inv_sd, struct rng *rng,
	       double *centres)
{
	const size_t n = ds->n, d = ds->d;
	double *dist = malloc(n * sizeof *dist), wsum = dataset_total_weight(ds), u;
	size_t pick;

	if (dist == NULL)
		return 1;
	/* First centre: a row drawn with probability proportional to its weight. */
	u = rng_uniform(rng) * wsum;
	for (size_t i = 0; i < n; i++)
		dist[i] = dataset_wt(ds, i);
	{
		double acc = 0.0;
		pick = n - 1;
		for (size_t i = 0; i < n; i++) {
			acc += dist[i];
			if (acc > u) {
				pick = i;
				break;
			}
		}
	}
	memcpy(centres, dataset_x(ds, pick, 1), d * sizeof *centres);
	for (size_t i = 0; i < n; i++)
		dist[i] = std_dist2(dataset_x(ds, i, 1), centres, inv_sd, d) * dataset_wt(ds, i);
	for (size_t j = 1; j < k; j++) {
		double total = 0.0;
		const double *cj = centres + j * d;
		for (size_t i = 0; i < n; i++)
			total += dist[i];
		if (!(total > 0.0))
			pick = (size_t)rng_below(rng, n);	/* fewer distinct rows than K */
		else
			pick = kmpp_pick_local(dist, n, rng_uniform(rng) * total);
		memcpy(centres + j * d, dataset_x(ds, pick, 1), d * sizeof *centres);
		if (j + 1 == k)
			break;
		for (size_t i = 0; i < n; i++) {
			const double t = std_dist2(dataset_x(ds, i, 1), cj, inv_sd, d) * dataset_wt(ds, i);
			if (t < dist[i])
				dist[i] = t;
		}
	}
	free(dist);
	return 0;
}

/* kmeanspp by scans of the rows, wherever they are held. */
static int
kmeanspp_scans(const struct dataset *ds, size_t k, const double *inv_sd, struct rng *rng,
	       double *centres)
{
	/* First centre: a row drawn with probability proportional to its weight. */
	double wsum = dataset_total_weight(ds), u = rng_uniform(rng) * wsum;

	if (kmpp_step(ds, 0, inv_sd, u, centres, NULL, 1))
		return -1;
	for (size_t j = 1; j < k; j++) {
		double total = 0.0;
		if (kmpp_step(ds, j, inv_sd, 0.0, centres, &total, 0))
			return -1;
		if (!(total > 0.0)) {
			/* Fewer distinct rows than K: repeat a row; EM will tell. */
			size_t pick = (size_t)rng_below(rng, ds->n);
			if (copy_rows(ds, &pick, 1, centres + j * ds->d))
				return -1;
		} else if (kmpp_step(ds, j, inv_sd, rng_uniform(rng) * total, centres, NULL, 1)) {
			return -1;
		}
	}
	return 0;
}

/*
 * k-means++ seeding (Arthur and Vassilvitskii, 2007) into centres[k*d],
 * with distances on standardised columns: rows of several columns held
 * here keep their distances (kmeanspp_local: n doubles, a fraction of
 * the data's n d), other rows are scanned.
 */
static int
kmeanspp(const struct dataset *ds, size_t k, const double *inv_sd,
	 struct rng *rng, double *centres)
{
	if (ds->spread == NULL && ds->d > 1 && ds->n > 0) {
		int rc = kmeanspp_local(ds, k, inv_sd, rng, centres);
		if (rc <= 0)
			return rc;
	}
	return kmeanspp_scans(ds, k, inv_sd, rng, centres);
}

/*
 * Lloyd's steps from the given centres (at most iters, or until stable),
 * rows going to the nearest centre on standardised columns; the centres
 * stay in the data's units.
 */
static int
lloyd(const struct dataset *ds, size_t k, const double *inv_sd, double *centres,
      int iters)
{
	const size_t d = ds->d;
	struct labeller lb = {
		.label = nearest_centre, .centres = centres, .k = k, .d = d,
		.inv_sd = inv_sd
	};
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

/*
 * Random responsibilities as a scan (dataset_scan_add): the generator is
 * carried with the statistics, so each row draws the numbers it would
 * draw in one loop over all the rows, wherever it is held.  The state:
 * the generator's four words as eight 32-bit halves, then the
 * statistics (em_stats_pack's layout, full); the parameter: k.
 */
#define RNG_DOUBLES 8

static void
rng_to_doubles(const struct rng *rng, double *b)
{
	for (int i = 0; i < 4; i++) {
		b[2 * i] = (double)(rng->s[i] >> 32);
		b[2 * i + 1] = (double)(rng->s[i] & 0xffffffffu);
	}
}

static void
rng_from_doubles(struct rng *rng, const double *b)
{
	for (int i = 0; i < 4; i++)
		rng->s[i] = (uint64_t)b[2 * i] << 32 | (uint64_t)b[2 * i + 1];
}

static int
random_scan(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi,
	    double *state)
{
	const size_t k = (size_t)q->param[0], d = ds->d;
	struct em_stats st, blk;
	struct rng rng;
	double *r;

	if (lo % EM_BLOCK != 0)
		return -1;
	r = malloc(EM_BLOCK * k * sizeof *r);
	if (r == NULL || em_stats_init(&st, k, d, 1)) {
		free(r);
		return -1;
	}
	if (em_stats_init(&blk, k, d, 1)) {
		em_stats_free(&st);
		free(r);
		return -1;
	}
	rng_from_doubles(&rng, state);
	em_stats_unpack(&st, state + RNG_DOUBLES);
	for (; lo < hi; lo += EM_BLOCK) {
		size_t rows = hi - lo < EM_BLOCK ? hi - lo : EM_BLOCK;
		for (size_t i = 0; i < rows; i++) {
			double s = 0.0;
			for (size_t j = 0; j < k; j++)
				s += r[i * k + j] = rng_uniform(&rng) + DBL_MIN;
			for (size_t j = 0; j < k; j++)
				r[i * k + j] /= s;
		}
		em_block_stats(dataset_x(ds, lo, rows), dataset_w(ds, lo, rows), r, rows, &blk);
		em_stats_merge(&st, &blk);
	}
	rng_to_doubles(&rng, state);
	em_stats_pack(&st, state + RNG_DOUBLES);
	em_stats_free(&blk);
	em_stats_free(&st);
	free(r);
	return 0;
}

static int
random_resp(const struct dataset *ds, const double *reg, struct rng *rng,
	    struct gmm *g, struct gm_error *err)
{
	const size_t k = g->k, d = g->d;
	const double param[1] = { (double)k };
	struct em_stats st;
	double *state = malloc((RNG_DOUBLES + em_stats_len(k, d)) * sizeof *state);
	int kind = dataset_scan_add(random_scan), rc;

	if (state == NULL || kind < 0 || em_stats_init(&st, k, d, 1)) {
		free(state);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	rng_to_doubles(rng, state);
	em_stats_pack(&st, state + RNG_DOUBLES);
	{
		struct dataset_scan q = { kind, 0, RNG_DOUBLES + em_stats_len(k, d), param, 1 };
		rc = dataset_scan(ds, &q, state);
	}
	if (rc != 0) {
		em_stats_free(&st);
		free(state);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	rng_from_doubles(rng, state);
	em_stats_unpack(&st, state + RNG_DOUBLES);
	free(state);
	rc = model_from_groups(ds, &st, NULL, reg, g, err);
	em_stats_free(&st);
	return rc;
}

int
init_attach(void)
{
	return dataset_scan_add(groups_scan) < 0 || dataset_scan_add(kmpp_scan) < 0 ||
	       dataset_scan_add(random_scan) < 0 ? -1 : 0;
}

static int
given_start(const struct dataset *ds, const struct init_given *gv,
	    const double *reg, struct gmm *g, struct gm_error *err)
{
	const size_t k = g->k, d = g->d;
	double wsum = 0.0, wmax = 0.0;
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
		double *inv_sd = malloc(d * sizeof *inv_sd);
		int rc;
		if (inv_sd == NULL)
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		column_scales(ds, inv_sd, NULL);
		rc = from_means(ds, gv->means, inv_sd, reg, g, err);
		free(inv_sd);
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
	/*
	 * Divided by the largest first: weights near DBL_MAX sum to infinity.
	 * A ratio below 1e-300 would be lost (or subnormal) in the division.
	 */
	for (size_t j = 0; j < k; j++)
		wmax = fmax(wmax, gv->weights[j]);
	for (size_t j = 0; j < k; j++) {
		if (!(gv->weights[j] / wmax >= 1e-300))
			return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
					    "--weights-init: the weight of component %zu, %g, is less "
					    "than 1e-300 times the largest, %g", j + 1,
					    gv->weights[j], wmax);
		wsum += gv->weights[j] / wmax;
	}
	for (size_t j = 0; j < k; j++)
		g->weight[j] = gv->weights[j] / wmax / wsum;
prepare:
	bad = gmm_prepare(g);
	if (bad >= 0)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "the given start of component %ld is not valid "
				    "(its sd and weight must be positive)", bad + 1);
	return GM_OK;
}

/* K distinct random rows as centres (Floyd's sampling needs no n-sized array). */
static int
random_rows(const struct dataset *ds, size_t k, struct rng *rng, double *centres)
{
	size_t *idx = malloc(k * sizeof *idx);

	if (idx == NULL)
		return -1;
	for (size_t j = 0, t = ds->n - k; j < k; j++, t++) {
		size_t pick = (size_t)rng_below(rng, t + 1), dup = 0;
		for (size_t q = 0; q < j; q++)
			dup |= idx[q] == pick;
		idx[j] = dup ? t : pick;
	}
	if (copy_rows(ds, idx, k, centres)) {
		free(idx);
		return -1;
	}
	free(idx);
	return 0;
}

/*
 * k-means++ seeds (and, for INIT_KMEANS, Lloyd steps) on at most
 * KMEANS_SAMPLE rows, every step-th: on large data the centres hardly move
 * with more, and (with several processes) the sample is all that travels
 * to rank 0.  The groups' statistics are then taken over all rows.
 */
static int
kmeans_centres(const struct dataset *ds, enum init_method m, size_t k,
	       const double *inv_sd, struct rng *rng, double *centres)
{
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
			return -1;
		}
		dataset_every(ds, step, smp.x, smp.w);
		kd = &smp;
	}
	bad = kmeanspp(kd, k, inv_sd, rng, centres) ||
	      (m == INIT_KMEANS && lloyd(kd, k, inv_sd, centres, 10));
	free(smp.x);
	free(smp.w);
	return bad ? -1 : 0;
}

static int hc_start(const struct dataset *ds, const struct init_hc *hc,
		    const double *reg, struct gmm *g, struct gm_error *err);

int
init_model(const struct dataset *ds, enum init_method m,
	   const struct init_given *given, const double *reg, struct rng *rng,
	   struct gmm *g, struct gm_error *err)
{
	double *centres, *inv_sd;
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
		return hc_start(ds, given ? given->hc : NULL, reg, g, err);
	default:
		break;
	}
	centres = malloc(g->k * g->d * sizeof *centres);
	inv_sd = malloc(g->d * sizeof *inv_sd);
	if (centres == NULL || inv_sd == NULL) {
		free(centres);
		free(inv_sd);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	column_scales(ds, inv_sd, NULL);
	if (m == INIT_RANDOM_ROWS)
		rc = random_rows(ds, g->k, rng, centres);
	else
		rc = kmeans_centres(ds, m, g->k, inv_sd, rng, centres);
	if (rc != 0)
		rc = gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	else
		rc = from_means(ds, centres, inv_sd, reg, g, err);
	free(centres);
	free(inv_sd);
	return rc;
}

/* ------------------------------------------------------------ hc */

#define HC_ROWS 2000		/* rows the hc start agglomerates, at most */

struct init_hc {
	size_t n, d;		/* the data set it was made for */
	size_t m, step;		/* rows of the subset: every step-th row */
	double *x, *w;		/* m*d and m: the subset's rows (data units), weights */
	size_t *point;		/* m: each row's distinct point; HC_NONE for weight 0 */
	size_t np;		/* distinct points (with weight) */
	size_t *ma, *mb;	/* np - 1 merges, in cost order: a point of each side */
};

#define HC_NONE ((size_t)-1)

/* Comparison for sort_idx: whether item a goes strictly before item b. */
typedef int (*before_fn)(const void *ctx, size_t a, size_t b);

/*
 * Sort idx[0..n) stably by before (bottom-up merge sort, tmp of n
 * entries): items that compare equal keep their order.
 */
static void
sort_idx(size_t *idx, size_t *tmp, size_t n, before_fn before, const void *ctx)
{
	size_t *src = idx, *dst = tmp;

	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, o = lo;
			while (i < mid && j < hi)
				dst[o++] = before(ctx, src[j], src[i]) ? src[j++] : src[i++];
			while (i < mid)
				dst[o++] = src[i++];
			while (j < hi)
				dst[o++] = src[j++];
		}
		size_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != idx)
		memcpy(idx, src, n * sizeof *idx);
}

struct rows_ctx {
	const double *x;
	size_t d;
};

/* Row a before row b in lexicographic order of their values. */
static int
row_before(const void *ctx, size_t a, size_t b)
{
	const struct rows_ctx *rc = ctx;
	const double *x = rc->x + a * rc->d, *y = rc->x + b * rc->d;

	for (size_t c = 0; c < rc->d; c++) {
		if (x[c] < y[c])
			return 1;
		if (x[c] > y[c])
			return 0;
	}
	return 0;
}

/* Merge a before merge b by cost (ties: merge order, kept by the stable sort). */
static int
cost_before(const void *ctx, size_t a, size_t b)
{
	const double *cost = ctx;

	return cost[a] < cost[b];
}

/*
 * Collapse identical rows of the subset (of positive weight) into
 * distinct points, numbered in the order of their first row: point[i]
 * for each row, and the number of points in hc->np.
 */
static int
hc_points(struct init_hc *hc)
{
	const size_t m = hc->m, d = hc->d;
	size_t *idx = malloc(m * sizeof *idx), *tmp = malloc(m * sizeof *tmp);
	size_t nw = 0;
	struct rows_ctx ctx = { hc->x, d };

	if (idx == NULL || tmp == NULL) {
		free(idx);
		free(tmp);
		return -1;
	}
	for (size_t i = 0; i < m; i++) {
		hc->point[i] = HC_NONE;
		if (hc->w[i] > 0.0)
			idx[nw++] = i;
	}
	sort_idx(idx, tmp, nw, row_before, &ctx);
	/* tmp[i]: the first row (lowest index, by stability) equal to row i. */
	for (size_t s = 0, first = 0; s < nw; s++) {
		if (s == 0 || row_before(&ctx, idx[s - 1], idx[s]))
			first = idx[s];
		tmp[idx[s]] = first;
	}
	hc->np = 0;
	for (size_t i = 0; i < m; i++)
		if (hc->w[i] > 0.0)
			hc->point[i] = tmp[i] == i ? hc->np++ : hc->point[tmp[i]];
	free(idx);
	free(tmp);
	return 0;
}

/* Ward's cost of merging clusters i and j: Wi Wj / (Wi + Wj) |ci - cj|^2. */
static double
ward_cost(const double *c, const double *wt, size_t d, size_t i, size_t j)
{
	double s = 0.0;

	for (size_t p = 0; p < d; p++) {
		double t = c[i * d + p] - c[j * d + p];
		s += t * t;
	}
	return wt[i] * wt[j] / (wt[i] + wt[j]) * s;
}

/*
 * Ward agglomeration of np points (centroids c, np*d, and weights wt,
 * both overwritten) by the nearest-neighbour chain: grow a chain of
 * nearest neighbours from the lowest active cluster until two are each
 * other's nearest, merge them (the union lives in the lower index), and
 * go on from the rest of the chain.  Nearest: the lowest cost, ties to
 * the chain's previous cluster, then to the lowest index; so costs fall
 * strictly along the chain and it ends.  Merge t joins ma[t] and mb[t]
 * at cost[t].
 */
static int
hc_chain(size_t np, size_t d, double *c, double *wt, size_t *ma, size_t *mb,
	 double *cost)
{
	size_t *chain = malloc(np * sizeof *chain), len = 0, low = 0, nm = 0;
	unsigned char *active = malloc(np);

	if (chain == NULL || active == NULL) {
		free(chain);
		free(active);
		return -1;
	}
	memset(active, 1, np);
	while (nm + 1 < np) {
		size_t a, prev, b;
		double bc;
		if (len == 0) {
			while (!active[low])
				low++;
			chain[len++] = low;
		}
		a = chain[len - 1];
		prev = len >= 2 ? chain[len - 2] : HC_NONE;
		b = prev;
		bc = prev != HC_NONE ? ward_cost(c, wt, d, a, prev) : INFINITY;
		for (size_t j = 0; j < np; j++) {
			double t;
			if (!active[j] || j == a)
				continue;
			t = ward_cost(c, wt, d, a, j);
			if (t < bc || b == HC_NONE) {
				bc = t;
				b = j;
			}
		}
		if (b != prev) {
			chain[len++] = b;
			continue;
		}
		/* a and b are each other's nearest: merge them into the lower. */
		size_t lo = a < b ? a : b, hi = a < b ? b : a;
		double wl = wt[lo], wh = wt[hi];
		for (size_t p = 0; p < d; p++)
			c[lo * d + p] = (wl * c[lo * d + p] + wh * c[hi * d + p]) / (wl + wh);
		wt[lo] = wl + wh;
		active[hi] = 0;
		ma[nm] = lo;
		mb[nm] = hi;
		cost[nm++] = bc;
		len -= 2;
	}
	free(chain);
	free(active);
	return 0;
}

/*
 * The dendrogram of the distinct points: their standardised centroids
 * and weights, Ward's agglomeration, and the merges sorted by cost (ties
 * in merge order) into hc->ma, hc->mb.
 */
static int
hc_dendrogram(const struct dataset *ds, struct init_hc *hc)
{
	const size_t np = hc->np, d = hc->d, nm = np > 0 ? np - 1 : 0;
	double *c = malloc((np * d + 1) * sizeof *c), *wt = calloc(np + 1, sizeof *wt);
	double *cost = malloc((nm + 1) * sizeof *cost), *mean = malloc(d * sizeof *mean);
	double *inv_sd = malloc(d * sizeof *inv_sd);
	size_t *ma = malloc((nm + 1) * sizeof *ma), *mb = malloc((nm + 1) * sizeof *mb);
	size_t *idx = malloc((nm + 1) * sizeof *idx), *tmp = malloc((nm + 1) * sizeof *tmp);
	int rc = -1;

	if (c == NULL || wt == NULL || cost == NULL || mean == NULL || inv_sd == NULL ||
	    ma == NULL || mb == NULL || idx == NULL || tmp == NULL)
		goto out;
	column_scales(ds, inv_sd, mean);
	for (size_t i = 0; i < hc->m; i++) {
		size_t p = hc->point[i];
		if (p == HC_NONE)
			continue;
		if (!(wt[p] > 0.0))
			for (size_t q = 0; q < d; q++)
				c[p * d + q] = (hc->x[i * d + q] - mean[q]) * inv_sd[q];
		wt[p] += hc->w[i];
	}
	if (hc_chain(np, d, c, wt, ma, mb, cost))
		goto out;
	for (size_t t = 0; t < nm; t++)
		idx[t] = t;
	sort_idx(idx, tmp, nm, cost_before, cost);
	for (size_t t = 0; t < nm; t++) {
		hc->ma[t] = ma[idx[t]];
		hc->mb[t] = mb[idx[t]];
	}
	rc = 0;
out:
	free(c);
	free(wt);
	free(cost);
	free(mean);
	free(inv_sd);
	free(ma);
	free(mb);
	free(idx);
	free(tmp);
	return rc;
}

int
init_hc_new(const struct dataset *ds, struct init_hc **out, struct gm_error *err)
{
	struct init_hc *hc = calloc(1, sizeof *hc);
	size_t step = ds->n <= HC_ROWS ? 1 : (ds->n + HC_ROWS - 1) / HC_ROWS;

	*out = NULL;
	if (hc == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	hc->n = ds->n;
	hc->d = ds->d;
	hc->step = step;
	hc->m = (ds->n + step - 1) / step;
	hc->x = malloc((hc->m * hc->d + 1) * sizeof *hc->x);
	hc->w = malloc((hc->m + 1) * sizeof *hc->w);
	hc->point = malloc((hc->m + 1) * sizeof *hc->point);
	hc->ma = malloc((hc->m + 1) * sizeof *hc->ma);
	hc->mb = malloc((hc->m + 1) * sizeof *hc->mb);
	if (hc->x == NULL || hc->w == NULL || hc->point == NULL || hc->ma == NULL ||
	    hc->mb == NULL)
		goto oom;
	dataset_every(ds, step, hc->x, hc->w);
	if (hc_points(hc) || hc_dendrogram(ds, hc))
		goto oom;
	*out = hc;
	return GM_OK;
oom:
	init_hc_free(hc);
	return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
}

void
init_hc_free(struct init_hc *hc)
{
	if (hc == NULL)
		return;
	free(hc->x);
	free(hc->w);
	free(hc->point);
	free(hc->ma);
	free(hc->mb);
	free(hc);
}

static size_t
uf_find(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/*
 * The dendrogram cut at k groups (k <= hc->np): the first np - k merges
 * replayed with union-find; group[i] for each subset row, the groups
 * numbered in the order of their first point (rows of weight 0 go to
 * group 0, where they weigh nothing).
 */
static int
hc_cut(const struct init_hc *hc, size_t k, size_t *group)
{
	const size_t np = hc->np;
	size_t *parent = malloc((np + 1) * sizeof *parent);
	size_t *id = malloc((np + 1) * sizeof *id), next = 0;

	if (parent == NULL || id == NULL) {
		free(parent);
		free(id);
		return -1;
	}
	for (size_t p = 0; p < np; p++) {
		parent[p] = p;
		id[p] = HC_NONE;
	}
	for (size_t t = 0; t + k < np; t++) {
		size_t a = uf_find(parent, hc->ma[t]), b = uf_find(parent, hc->mb[t]);
		if (a < b)
			parent[b] = a;
		else
			parent[a] = b;
	}
	for (size_t p = 0; p < np; p++) {
		size_t r = uf_find(parent, p);
		if (id[r] == HC_NONE)
			id[r] = next++;
		id[p] = id[r];
	}
	for (size_t i = 0; i < hc->m; i++)
		group[i] = hc->point[i] == HC_NONE ? 0 : id[hc->point[i]];
	free(parent);
	free(id);
	return 0;
}

/* The start from the k groups of hc's subset (statistics on the subset rows). */
static int
hc_model(const struct init_hc *hc, const double *reg, struct gmm *g,
	 struct gm_error *err)
{
	const size_t k = g->k, d = g->d, m = hc->m;
	struct dataset smp;
	struct em_stats st, blk;
	size_t *group = malloc(m * sizeof *group);
	int rc;

	if (group == NULL || em_stats_init(&st, k, d, 1)) {
		free(group);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	if (em_stats_init(&blk, k, d, 1) || hc_cut(hc, k, group)) {
		em_stats_free(&st);
		free(group);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	em_stats_zero(&st);
	for (size_t lo = 0; lo < m; lo += EM_BLOCK) {
		size_t rows = m - lo < EM_BLOCK ? m - lo : EM_BLOCK;
		em_block_stats_labels(hc->x + lo * d, hc->w + lo, group + lo, rows, &blk);
		em_stats_merge(&st, &blk);
	}
	memset(&smp, 0, sizeof smp);
	smp.n = m;
	smp.d = d;
	smp.x = hc->x;
	smp.w = hc->w;
	rc = model_from_groups(&smp, &st, NULL, reg, g, err);
	em_stats_free(&st);
	em_stats_free(&blk);
	free(group);
	return rc;
}

/* INIT_HC: cut hc (or a dendrogram made now, when NULL) at g->k. */
static int
hc_start(const struct dataset *ds, const struct init_hc *hc, const double *reg,
	 struct gmm *g, struct gm_error *err)
{
	struct init_hc *own = NULL;
	int rc;

	if (hc == NULL) {
		rc = init_hc_new(ds, &own, err);
		if (rc != GM_OK)
			return rc;
		hc = own;
	} else if (hc->n != ds->n || hc->d != ds->d) {
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0,
				    "the hc dendrogram was made for other data");
	}
	if (hc->np < g->k) {
		if (hc->step == 1)
			rc = gm_error_set(err, GM_ENUMERIC, NULL, 0, 0,
					  "the data have only %zu distinct rows, fewer than K = %zu",
					  hc->np, g->k);
		else
			rc = gm_error_set(err, GM_ENUMERIC, NULL, 0, 0,
					  "the %zu rows the hc start uses (every %zu-th of %zu) have "
					  "only %zu distinct rows, fewer than K = %zu",
					  hc->m, hc->step, ds->n, hc->np, g->k);
	} else {
		rc = hc_model(hc, reg, g, err);
	}
	init_hc_free(own);
	return rc;
}
