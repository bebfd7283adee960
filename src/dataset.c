/*
 * dataset.c - helpers on the fitted rows (see dataset.h).
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "dataset.h"

void
dataset_free(struct dataset *ds)
{
	if (ds->names != NULL)
		for (size_t j = 0; j < ds->d; j++)
			free(ds->names[j]);
	free(ds->names);
	free(ds->colno);
	free(ds->x);
	free(ds->w);
	free(ds->weight_name);
	free(ds->lines);
	free(ds->left_out);
	if (ds->spread != NULL)
		ds->spread->release(ds);
	memset(ds, 0, sizeof *ds);
}

/* One step of Neumaier's compensated sum (*s, *c) += v. */
static void
neumaier(double *s, double *c, double v)
{
	double t = *s + v;

	if (fabs(*s) >= fabs(v))
		*c += (*s - t) + v;
	else
		*c += (v - t) + *s;
	*s = t;
}

/* The kinds of one column, carried over rows [lo, hi): st[0], st[1]. */
static void
scan_column(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi, double *st)
{
	const size_t j = q->j;
	double a = st[0], b = q->kind == DS_SCAN_SCATTER ? 0.0 : st[1];

	for (size_t i = lo; i < hi; i++) {
		double wi = dataset_wt(ds, i), x = q->kind == DS_SCAN_WEIGHT ? 0.0 : dataset_x(ds, i, 1)[j];
		switch (q->kind) {
		case DS_SCAN_WEIGHT:
			neumaier(&a, &b, wi);
			break;
		case DS_SCAN_SUM:
			a += wi;
			b += wi * x;
			break;
		case DS_SCAN_SCATTER: {
			double dx = x - q->param[0];
			a += wi * dx * dx;
			break;
		}
		default:
			a = x < a ? x : a;
			b = x > b ? x : b;
		}
	}
	st[0] = a;
	if (q->kind != DS_SCAN_SCATTER)
		st[1] = b;
}

/* The kinds of all columns or of bins, carried over rows [lo, hi). */
static void
scan_rows(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi, double *st)
{
	const size_t d = ds->d, bins = q->kind == DS_SCAN_HIST ? (size_t)q->param[2] : 0;

	for (size_t i = lo; i < hi; i++) {
		const double wi = dataset_wt(ds, i), *x = dataset_x(ds, i, 1);
		if (q->kind == DS_SCAN_MEANS) {
			st[0] += wi;
			for (size_t c = 0; c < d; c++)
				st[1 + c] += wi * x[c];
		} else if (q->kind == DS_SCAN_CROSS) {
			const double *m = q->param;
			for (size_t p = 0; p < d; p++)
				for (size_t c = 0; c < d; c++)
					st[p * d + c] += wi * (x[p] - m[p]) * (x[c] - m[c]);
		} else {
			double t = floor((x[q->j] - q->param[0]) / q->param[1]);
			size_t b = t < 0 ? 0 : (size_t)t;
			if (b >= bins)
				b = bins - 1;	/* the maximum closes the last bin */
			st[b] += wi;
			st[bins] += wi;
		}
	}
}

/* Distinct rows of positive weight over rows [lo, hi), up to param[0]: st[0], then the rows. */
static void
scan_distinct(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi,
	      double *st)
{
	const size_t d = ds->d, cap = (size_t)q->param[0];
	double *seen = st + 1;
	size_t m = (size_t)st[0];

	for (size_t i = lo; i < hi && m < cap; i++) {
		const double *x = dataset_x(ds, i, 1);
		size_t j;
		if (dataset_wt(ds, i) <= 0.0)
			continue;
		for (j = 0; j < m; j++)
			if (memcmp(seen + j * d, x, d * sizeof *x) == 0)
				break;
		if (j == m)
			memcpy(seen + m++ * d, x, d * sizeof *x);
	}
	st[0] = (double)m;
}

/* Whether x is a multiple of q to 1e-9 relative. */
static int
on_grid(double x, double q)
{
	double v = x / q;

	return !(fabs(v - nearbyint(v)) > 1e-9 * fmax(1.0, fabs(v)));
}

/* Column j's powers of ten still a grid, over rows [lo, hi): st[e] for 10^(6 - e). */
static void
scan_grid(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi,
	  double *st)
{
	double pw[DS_GRID_POWERS];
	const size_t np = q->nparam > 0 && q->nparam <= DS_GRID_POWERS ? q->nparam : DS_GRID_POWERS;

	for (size_t e = 0; e < np; e++)
		pw[e] = q->nparam > 0 ? q->param[e] : pow(10.0, 6.0 - (double)e);
	for (size_t i = lo; i < hi; i++) {
		double x = dataset_x(ds, i, 1)[q->j];
		for (size_t e = 0; e < np; e++)
			if (st[e] > 0.5 && !on_grid(x, pw[e]))
				st[e] = 0.0;
	}
}

/*
 * The order-preserving key of a value: its bits with the sign bit set
 * for x >= 0, all bits flipped for x < 0, so that keys compare as
 * unsigned integers as the values do (-0 is taken as 0, NaN never
 * arrives: missing rows are left out).
 */
static uint64_t
order_key(double x)
{
	uint64_t u;

	if (fpclassify(x) == FP_ZERO)
		x = 0.0;
	memcpy(&u, &x, sizeof u);
	return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

static double
key_value(uint64_t k)
{
	double x;

	k = k >> 63 ? k & ~(UINT64_C(1) << 63) : ~k;
	memcpy(&x, &k, sizeof x);
	return x;
}

/* DS_SCAN_SELECT over rows [lo, hi): each target's counts of the next bits below its prefix. */
static void
scan_select(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi,
	    double *st)
{
	const size_t nt = (size_t)q->param[0], bins = (size_t)1 << DS_SELECT_BITS;
	const int known = (int)q->param[1], below = 64 - known - DS_SELECT_BITS;

	for (size_t i = lo; i < hi; i++) {
		uint64_t k = order_key(dataset_x(ds, i, 1)[q->j]);
		for (size_t t = 0; t < nt; t++)
			if (known == 0 || k >> (64 - known) == (uint64_t)q->param[2 + t])
				st[t * bins + ((k >> below) & (bins - 1))] += 1.0;
	}
}

int
dataset_scan_counts(int kind)
{
	return kind == DS_SCAN_SELECT;
}

int
dataset_order_stats(const struct dataset *ds, size_t c, size_t nq, const size_t *rank,
		    double *out)
{
	const size_t bins = (size_t)1 << DS_SELECT_BITS;
	double param[4], *st;
	uint64_t prefix[2] = { 0, 0 };
	size_t left[2];
	struct dataset_scan q = { DS_SCAN_SELECT, c, nq * bins, param, 2 + nq };

	if (nq > 2 || (st = malloc(nq * bins * sizeof *st)) == NULL)
		return -1;
	for (size_t t = 0; t < nq; t++)
		left[t] = rank[t];
	param[0] = (double)nq;
	/* The known prefix has at most 48 bits: exact in a double. */
	for (int known = 0; known < 64; known += DS_SELECT_BITS) {
		param[1] = known;
		for (size_t t = 0; t < nq; t++)
			param[2 + t] = (double)prefix[t];
		memset(st, 0, nq * bins * sizeof *st);
		if (dataset_scan(ds, &q, st) != 0) {
			free(st);
			return -1;
		}
		for (size_t t = 0; t < nq; t++) {
			const double *cnt = st + t * bins;
			size_t b = 0;
			/* The bin holding the target: counts are whole numbers below 2^53. */
			while (b + 1 < bins && (double)left[t] >= cnt[b])
				left[t] -= (size_t)cnt[b++];
			prefix[t] = prefix[t] << DS_SELECT_BITS | b;
		}
	}
	for (size_t t = 0; t < nq; t++)
		out[t] = key_value(prefix[t]);
	free(st);
	return 0;
}

#define SCAN_USER_MAX 8		/* kinds dataset_scan_add holds */

/*
 * The kinds other modules add.  The table is filled once, in the same
 * order on every process, before any scan of the rows; it is the one
 * piece of state this file keeps, a registry of code, not of data.
 */
static dataset_scan_fn user_scans[SCAN_USER_MAX];

int
dataset_scan_add(dataset_scan_fn fn)
{
	if (fn == NULL)
		return -1;
	for (int i = 0; i < SCAN_USER_MAX; i++)
		if (user_scans[i] == NULL || user_scans[i] == fn) {
			user_scans[i] = fn;
			return DS_SCAN_USER + i;
		}
	return -1;
}

int
dataset_scan_rows(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi,
		  double *st)
{
	if (q->kind >= DS_SCAN_USER) {
		int i = q->kind - DS_SCAN_USER;
		if (i >= SCAN_USER_MAX || user_scans[i] == NULL)
			return -1;
		return user_scans[i](ds, q, lo, hi, st);
	}
	if (q->kind == DS_SCAN_DISTINCT)
		scan_distinct(ds, q, lo, hi, st);
	else if (q->kind == DS_SCAN_GRID)
		scan_grid(ds, q, lo, hi, st);
	else if (q->kind == DS_SCAN_SELECT)
		scan_select(ds, q, lo, hi, st);
	else if (q->kind <= DS_SCAN_RANGE)
		scan_column(ds, q, lo, hi, st);
	else
		scan_rows(ds, q, lo, hi, st);
	return 0;
}

/*
 * Scan q over all the rows, in order, from the state st: handed from
 * process to process when the rows are spread (each over its own rows),
 * else here; the same operations in the same order, so the same bits,
 * either way.
 */
int
dataset_scan(const struct dataset *ds, const struct dataset_scan *q, double *st)
{
	if (ds->spread != NULL)
		return ds->spread->scan(ds, q, st) == 0 ? 0 : -1;
	return dataset_scan_rows(ds, q, 0, ds->n, st);
}

/*
 * The kinds of this file cannot fail here; spread, a process short of
 * the scan's buffers fails it: the state is then NaN, which no result
 * hides.
 */
static void
scan(const struct dataset *ds, const struct dataset_scan *q, double *st)
{
	if (dataset_scan(ds, q, st) != 0)
		for (size_t i = 0; i < q->len; i++)
			st[i] = NAN;
}

size_t
dataset_count_distinct(const struct dataset *ds, size_t cap)
{
	const double param[1] = { (double)cap };
	struct dataset_scan q = { DS_SCAN_DISTINCT, 0, 1 + cap * ds->d, param, 1 };
	double *st = calloc(q.len, sizeof *st);
	size_t m = cap;

	if (st != NULL && dataset_scan(ds, &q, st) == 0)
		m = (size_t)st[0];
	free(st);
	return m;
}

double
dataset_total_weight(const struct dataset *ds)
{
	double st[2] = { 0.0, 0.0 };
	struct dataset_scan q = { DS_SCAN_WEIGHT, 0, 2, NULL, 0 };

	if (ds->w == NULL)
		return (double)ds->n;
	/* Neumaier's compensated sum: weights may span many magnitudes. */
	scan(ds, &q, st);
	return st[0] + st[1];
}

void
dataset_column_moments(const struct dataset *ds, size_t j, double *mean,
		       double *var)
{
	double st[2] = { 0.0, 0.0 }, m;
	struct dataset_scan q = { DS_SCAN_SUM, j, 2, NULL, 0 };

	scan(ds, &q, st);
	m = st[0] > 0 ? st[1] / st[0] : 0.0;
	*var = st[0];	/* the total weight, for now */
	st[0] = 0.0;
	q = (struct dataset_scan){ DS_SCAN_SCATTER, j, 1, &m, 1 };
	scan(ds, &q, st);
	*mean = m;
	*var = *var > 0 ? st[0] / *var : 0.0;
}

int
dataset_covariance(const struct dataset *ds, double *mean, double *cov)
{
	const size_t d = ds->d;
	double *st = calloc(d + 1, sizeof *st);
	struct dataset_scan q = { DS_SCAN_MEANS, 0, d + 1, NULL, 0 };

	if (st == NULL)
		return -1;
	scan(ds, &q, st);
	for (size_t c = 0; c < d; c++)
		mean[c] = st[1 + c] / st[0];
	memset(cov, 0, d * d * sizeof *cov);
	q = (struct dataset_scan){ DS_SCAN_CROSS, 0, d * d, mean, d };
	scan(ds, &q, cov);
	for (size_t p = 0; p < d * d; p++)
		cov[p] /= st[0];
	free(st);
	return 0;
}

int
dataset_histogram(const struct dataset *ds, size_t c, double first, double width,
		  size_t bins, double *count, double *wsum)
{
	const double param[3] = { first, width, (double)bins };
	struct dataset_scan q = { DS_SCAN_HIST, c, bins + 1, param, 3 };
	double *st = calloc(bins + 1, sizeof *st);

	if (st == NULL)
		return -1;
	scan(ds, &q, st);
	memcpy(count, st, bins * sizeof *count);
	*wsum = st[bins];
	free(st);
	return 0;
}

size_t
dataset_every(const struct dataset *ds, size_t step, double *x, double *w)
{
	size_t m = 0;

	if (ds->spread != NULL)
		return ds->spread->every(ds, step, x, w);
	for (size_t i = 0; i < ds->n; i += step, m++) {
		memcpy(x + m * ds->d, ds->x + i * ds->d, ds->d * sizeof *x);
		if (w != NULL)
			w[m] = ds->w ? ds->w[i] : 1.0;
	}
	return m;
}

double
dataset_grid(const struct dataset *ds, size_t j)
{
	double st[DS_GRID_POWERS];
	struct dataset_scan q = { DS_SCAN_GRID, j, DS_GRID_POWERS, NULL, 0 };

	for (int e = 0; e < DS_GRID_POWERS; e++)
		st[e] = 1.0;
	scan(ds, &q, st);
	for (int e = 0; e < DS_GRID_POWERS; e++)
		if (st[e] > 0.5)
			return pow(10.0, (double)(6 - e));
	return 0.0;
}

int
dataset_on_grid(const struct dataset *ds, size_t j, double q)
{
	double st[1] = { 1.0 };
	struct dataset_scan sq = { DS_SCAN_GRID, j, 1, &q, 1 };

	scan(ds, &sq, st);
	return st[0] > 0.5;
}

void
dataset_column_range(const struct dataset *ds, size_t j, double *lo,
		     double *hi)
{
	double st[2];
	struct dataset_scan q = { DS_SCAN_RANGE, j, 2, NULL, 0 };

	if (ds->sorted && ds->spread == NULL) {
		*lo = ds->x[0];
		*hi = ds->x[ds->n - 1];
		return;
	}
	/* The values are finite: the same minimum and maximum as from row 0's value. */
	st[0] = INFINITY;
	st[1] = -INFINITY;
	scan(ds, &q, st);
	*lo = st[0];
	*hi = st[1];
}

/*
 * The sort's order: by value, then by weight.  A total order on the rows
 * (the reader turns -0 into 0, so equal values are the same bits), so
 * the sorted sequence does not depend on how the sort got there: par.c's
 * sort across processes gives the same.  The weights are looked at only
 * for equal values.
 */
#define LESS_XW(xa, wa, xb, wb, w) ((xa) < (xb) || ((w) != NULL && !((xb) < (xa)) && (wa) < (wb)))
#define LESS(x, w, a, b) LESS_XW((x)[a], (w)[a], (x)[b], (w)[b], w)

static void
swap2(double *x, double *w, size_t a, size_t b)
{
	double t = x[a];

	x[a] = x[b];
	x[b] = t;
	if (w != NULL) {
		t = w[a];
		w[a] = w[b];
		w[b] = t;
	}
}

/* Heapsort: the fallback that keeps the sort O(n log n) on any input. */
static void
heapsort2(double *x, double *w, size_t n)
{
	for (size_t start = n / 2; start-- > 0;)
		for (size_t root = start, child; (child = 2 * root + 1) < n; root = child) {
			if (child + 1 < n && LESS(x, w, child, child + 1))
				child++;
			if (!LESS(x, w, root, child))
				break;
			swap2(x, w, root, child);
		}
	for (size_t end = n; end-- > 1;) {
		swap2(x, w, 0, end);
		for (size_t root = 0, child; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && LESS(x, w, child, child + 1))
				child++;
			if (!LESS(x, w, root, child))
				break;
			swap2(x, w, root, child);
		}
	}
}

/* Parts at least this long are sorted as tasks of their own (threads). */
#define SORT_TASK_MIN 65536

/*
 * Introsort: quicksort (median of three, Hoare's partition, which splits
 * runs of equal values evenly), insertion sort for short ranges, heapsort
 * when the recursion gets too deep.  No memory beyond a little stack.
 * With tasks (only inside sort_with's own parallel region, whose end
 * waits for them), the smaller part of a partition is a task when it is
 * long; as the order is total, the result is the same on any number of
 * threads.  Without, a task is run at once, as a plain call.
 */
static void
introsort(double *x, double *w, size_t n, int depth, int tasks)
{
	while (n > 16) {
		size_t i, j, mid = n / 2;
		double pivot, pw;

		if (depth-- == 0) {
			heapsort2(x, w, n);
			return;
		}
		if (LESS(x, w, mid, 0))
			swap2(x, w, mid, 0);
		if (LESS(x, w, n - 1, 0))
			swap2(x, w, n - 1, 0);
		if (LESS(x, w, n - 1, mid))
			swap2(x, w, n - 1, mid);
		pivot = x[mid];
		pw = w ? w[mid] : 0.0;
		i = 0;
		j = n - 1;
		for (;;) {
			while (LESS_XW(x[i], w[i], pivot, pw, w))
				i++;
			while (LESS_XW(pivot, pw, x[j], w[j], w))
				j--;
			if (i >= j)
				break;
			swap2(x, w, i, j);
			i++;
			j--;
		}
		/* [0, j] and [j + 1, n): recurse on the smaller, loop on the larger. */
		if (j + 1 < n - j - 1) {
#pragma omp task if (tasks && j + 1 >= SORT_TASK_MIN)
			introsort(x, w ? w : NULL, j + 1, depth, tasks);
			x += j + 1;
			if (w != NULL)
				w += j + 1;
			n -= j + 1;
		} else {
#pragma omp task if (tasks && n - j - 1 >= SORT_TASK_MIN)
			introsort(x + j + 1, w ? w + j + 1 : NULL, n - j - 1, depth, tasks);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && LESS(x, w, j, j - 1); j--)
			swap2(x, w, j, j - 1);
}

void
sort_with(double *x, double *w, size_t n, int threads)
{
	int depth = 0;

	for (size_t m = n; m > 1; m >>= 1)
		depth += 2;
#ifdef _OPENMP
	if (threads <= 0)
		threads = omp_get_max_threads();
	if (n >= 2 * SORT_TASK_MIN && threads > 1 && !omp_in_parallel()) {
		/* The tasks are done by the region's end. */
#pragma omp parallel num_threads(threads)
#pragma omp single
		introsort(x, w, n, depth, 1);
		return;
	}
#else
	(void)threads;
#endif
	introsort(x, w, n, depth, 0);
}

int
dataset_sort(struct dataset *ds)
{
	if (ds->d != 1 || ds->sorted)
		return 0;
	if (ds->spread != NULL)
		return ds->spread->sort(ds);
	sort_with(ds->x, ds->w, ds->n, ds->threads);
	ds->sorted = 1;
	return 0;
}

int
dataset_sorted_column(const struct dataset *ds, size_t c, struct colview *v)
{
	memset(v, 0, sizeof *v);
	v->n = ds->n;
	v->wsum = dataset_total_weight(ds);
	if (ds->d == 1 && ds->sorted) {
		if (ds->spread != NULL) {
			v->src = ds;
			return 0;
		}
		v->x = ds->x;
		v->w = ds->w;
		return 0;
	}
	if (ds->spread != NULL) {
		v->src = v->own_src = ds->spread->sorted_column(ds, c);
		return v->src != NULL ? 0 : -1;
	}
	v->own_x = malloc(ds->n * sizeof *v->own_x);
	if (v->own_x == NULL)
		return -1;
	if (ds->w != NULL && (v->own_w = malloc(ds->n * sizeof *v->own_w)) == NULL) {
		free(v->own_x);
		v->own_x = NULL;
		return -1;
	}
	for (size_t i = 0; i < ds->n; i++) {
		v->own_x[i] = ds->x[i * ds->d + c];
		if (v->own_w != NULL)
			v->own_w[i] = ds->w[i];
	}
	sort_with(v->own_x, v->own_w, ds->n, ds->threads);
	v->x = v->own_x;
	v->w = v->own_w;
	return 0;
}

int
colview_scan(const struct colview *v, const struct dataset_scan *q, double *st)
{
	struct dataset col;

	if (v->src != NULL)
		return dataset_scan(v->src, q, st);
	/* The view's arrays as a data set of one column, read only. */
	memset(&col, 0, sizeof col);
	col.n = v->n;
	col.d = 1;
	col.x = (double *)v->x;
	col.w = (double *)v->w;
	return dataset_scan_rows(&col, q, 0, col.n, st);
}

void
colview_free(struct colview *v)
{
	free(v->own_x);
	free(v->own_w);
	if (v->own_src != NULL)
		v->own_src->spread->free_column(v->own_src);
	memset(v, 0, sizeof *v);
}
