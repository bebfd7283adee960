/*
 * gof.c - mixture CDF and Kolmogorov-Smirnov distance, and the scans of
 * a sorted column behind the figures' empirical CDF, QQ points and
 * quantiles (see gof.h).
 *
 * Each of them is one pass over the sorted values in order, so each is
 * a scan (dataset_scan_add) whose state is carried from row to row: when
 * the sorted rows are spread over processes, each process reads only
 * its own, the state handed on in the sort's order, and the result is
 * the bits of one loop over all of them.  A run of equal values (one
 * jump of the empirical CDF) may begin on one process and end on the
 * next: the open run is part of the state, and the last one is closed
 * here, after the scan.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gof.h"

/* The CDF of k components with weights w, means mean and variances var, at x. */
static double
mix_cdf(size_t k, const double *w, const double *mean, size_t mstride, const double *var,
	size_t vstride, double x)
{
	double f = 0.0;

	for (size_t j = 0; j < k; j++) {
		double sd = sqrt(var[j * vstride]);
		double z = (x - mean[j * mstride]) / sd;
		/* erfc keeps the lower tail's digits where 1 + erf would lose them. */
		f += w[j] * 0.5 * erfc(-z / sqrt(2.0));
	}
	return f > 1.0 ? 1.0 : f;
}

double
gof_mixture_cdf(const struct gmm *g, size_t c, double x)
{
	const size_t d = g->d;

	return mix_cdf(g->k, g->weight, g->mean + c, d, g->cov + c * d + c, d * d, x);
}

/*
 * The scan's modes.  The parameters: the mode, the total weight, then
 * the mode's own; the state: a header of SORTED_HEAD doubles, then the
 * points recorded (x, y pairs).
 *
 *   SORTED_KS     k, the k weights, means and variances, the values'
 *                 width h (0: exact); header: acc, open, the run's x,
 *                 F(x - h/2), the weight below it / total, the distance
 *                 so far
 *   SORTED_ECDF   step; header: acc, open, the run's x, its number,
 *                 the points; a point (x, F_n(x)) at every step-th run
 *   SORTED_STEPS  step; header: acc, -, -, -, the points; a point (x, the
 *                 plotting position) at every step-th row and the last
 *   SORTED_QUANT  q; header: acc, found, the value
 *   SORTED_ROW    i; header: -, -, the value of row i
 */
enum { SORTED_KS, SORTED_ECDF, SORTED_STEPS, SORTED_QUANT, SORTED_ROW };
#define SORTED_HEAD 6

/*
 * The KS distance's run st[2] (of CDF st[3] at its lower end, weight below
 * st[4]) ends, the CDF fhi at its upper end: st[5] takes it in.  Exact
 * values: both ends are the value; rounded ones (--rounding h): the run is
 * the interval [x - h/2, x + h/2], and the empirical CDF is compared with
 * the mixture's at the intervals' edges, where grouped data define it.
 */
static void
ks_close(double *st, double wsum, double fhi)
{
	st[5] = fmax(st[5], fmax(fabs(st[3] - st[4]), fabs(st[0] / wsum - fhi)));
}

/* The mixture CDF at the upper end of the KS scan's open run (e: its own parameters, from k on). */
static double
ks_upper(const double *e, size_t k, const double *st)
{
	const double h = e[1 + 3 * k];

	return h > 0.0 ? mix_cdf(k, e + 1, e + 1 + k, 1, e + 1 + 2 * k, 1, st[2] + 0.5 * h) : st[3];
}

/* The ECDF's run st[2], number st[3], ends: a point at every step-th run or the last. */
static void
ecdf_close(double *st, double wsum, size_t step, int last)
{
	if ((size_t)st[3] % step == 0 || last) {
		double *pt = st + SORTED_HEAD + 2 * (size_t)st[4];
		pt[0] = st[2];
		pt[1] = st[0] / wsum;
		st[4] += 1.0;
	}
	st[3] += 1.0;
}

static int
sorted_scan(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi,
	    double *st)
{
	const double *p = q->param, wsum = p[1];
	const int mode = (int)p[0];
	const size_t k = mode == SORTED_KS ? (size_t)p[2] : 0;

	for (size_t i = lo; i < hi; i++) {
		const double x = dataset_x(ds, i, 1)[0], w = dataset_wt(ds, i);
		if (mode == SORTED_ROW) {
			if (i == (size_t)p[2])
				st[2] = x;
			continue;
		}
		if (mode == SORTED_QUANT) {
			if (st[1] > 0.5)
				return 0;
			st[0] += w;
			if (st[0] >= p[2] * wsum) {
				st[1] = 1.0;
				st[2] = x;
			}
			continue;
		}
		if (mode == SORTED_STEPS) {
			double pp = (st[0] + 0.5 * w) / wsum;
			size_t step = (size_t)p[2];
			st[0] += w;
			if (i % step == 0 || i + 1 == (size_t)p[3]) {
				double *pt = st + SORTED_HEAD + 2 * (size_t)st[4];
				pt[0] = x;
				pt[1] = pp;
				st[4] += 1.0;
			}
			continue;
		}
		/* SORTED_KS, SORTED_ECDF: a value past the open run's begins the next run. */
		if (!(st[1] > 0.5) || x > st[2]) {
			if (st[1] > 0.5 && mode == SORTED_KS)
				ks_close(st, wsum, ks_upper(p + 2, k, st));
			else if (st[1] > 0.5)
				ecdf_close(st, wsum, (size_t)p[2], 0);
			st[1] = 1.0;
			st[2] = x;
			if (mode == SORTED_KS) {
				st[3] = mix_cdf(k, p + 3, p + 3 + k, 1, p + 3 + 2 * k, 1,
						x - 0.5 * p[3 + 3 * k]);
				st[4] = st[0] / wsum;
			}
		}
		st[0] += w;
	}
	return 0;
}

int
gof_attach(void)
{
	return dataset_scan_add(sorted_scan) < 0 ? -1 : 0;
}

/*
 * The scan of mode with parameters extra[0..nextra) over the view into
 * st (SORTED_HEAD + 2 points doubles, zeroed here).  0, or -1 when out
 * of memory.
 */
static int
sorted_run(const struct colview *v, int mode, const double *extra, size_t nextra,
	   size_t points, double *st)
{
	double *param = malloc((2 + nextra) * sizeof *param);
	int kind = dataset_scan_add(sorted_scan), rc = -1;

	if (param != NULL && kind >= 0) {
		struct dataset_scan q = { kind, 0, SORTED_HEAD + 2 * points, param, 2 + nextra };
		param[0] = mode;
		param[1] = v->wsum;
		memcpy(param + 2, extra, nextra * sizeof *param);
		memset(st, 0, q.len * sizeof *st);
		rc = colview_scan(v, &q, st);
	}
	free(param);
	return rc;
}

double
gof_ks(const struct dataset *ds, const struct gmm *g)
{
	const size_t k = g->k, d = g->d;
	struct colview v;
	double st[SORTED_HEAD], *extra = malloc((2 + 3 * k) * sizeof *extra);
	int rc = -1;

	if (extra == NULL || dataset_sorted_column(ds, 0, &v)) {
		free(extra);
		return -1.0;
	}
	extra[0] = (double)k;
	for (size_t j = 0; j < k; j++) {
		extra[1 + j] = g->weight[j];
		extra[1 + k + j] = g->mean[j * d];
		extra[1 + 2 * k + j] = g->cov[j * d * d];
	}
	extra[1 + 3 * k] = ds->round != NULL ? ds->round[0] : 0.0;	/* the values' width */
	rc = sorted_run(&v, SORTED_KS, extra, 2 + 3 * k, 0, st);
	if (rc == 0 && st[1] > 0.5)
		ks_close(st, v.wsum, ks_upper(extra, k, st));
	colview_free(&v);
	free(extra);
	return rc == 0 ? st[5] : -1.0;
}

/* Points recorded by a scan, copied out of its state into x and y. */
static void
points_out(const double *st, double *x, double *y, size_t *m)
{
	*m = (size_t)st[4];
	for (size_t i = 0; i < *m; i++) {
		x[i] = st[SORTED_HEAD + 2 * i];
		y[i] = st[SORTED_HEAD + 2 * i + 1];
	}
}

int
gof_ecdf(const struct colview *v, size_t step, double *x, double *y, size_t *m)
{
	const double extra[1] = { (double)step };
	size_t cap = v->n / step + 2;
	double *st = malloc((SORTED_HEAD + 2 * cap) * sizeof *st);
	int rc = st != NULL ? sorted_run(v, SORTED_ECDF, extra, 1, cap, st) : -1;

	if (rc == 0) {
		if (st[1] > 0.5)
			ecdf_close(st, v->wsum, step, 1);
		points_out(st, x, y, m);
	}
	free(st);
	return rc;
}

int
gof_steps(const struct colview *v, size_t step, double *x, double *p, size_t *m)
{
	const double extra[2] = { (double)step, (double)v->n };
	size_t cap = v->n / step + 2;
	double *st = malloc((SORTED_HEAD + 2 * cap) * sizeof *st);
	int rc = st != NULL ? sorted_run(v, SORTED_STEPS, extra, 2, cap, st) : -1;

	if (rc == 0)
		points_out(st, x, p, m);
	free(st);
	return rc;
}

int
gof_value(const struct colview *v, size_t i, double *x)
{
	const double extra[1] = { (double)i };
	double st[SORTED_HEAD];

	if (sorted_run(v, SORTED_ROW, extra, 1, 0, st))
		return -1;
	*x = st[2];
	return 0;
}

int
gof_quantile(const struct colview *v, double q, double *x)
{
	const double extra[1] = { q };
	double st[SORTED_HEAD];

	if (!cv_weighted(v)) {
		/* the same rule with unit weights: the ceil(q n)-th value */
		double t = ceil(q * (double)v->n);
		size_t i = t < 1.0 ? 0 : (size_t)t - 1;
		return gof_value(v, i < v->n ? i : v->n - 1, x);
	}
	if (sorted_run(v, SORTED_QUANT, extra, 1, 0, st))
		return -1;
	if (st[1] > 0.5) {
		*x = st[2];
		return 0;
	}
	return gof_value(v, v->n - 1, x);
}
