/*
 * dataset.h - the rows a fit is made from.
 *
 * n rows by d columns of finite doubles, row-major, with an optional
 * non-negative frequency weight per row.  The reader fills it; the fitter
 * and the writers only read it.
 */
#ifndef GMMFIT_DATASET_H
#define GMMFIT_DATASET_H

#include <stddef.h>

#define DATASET_SKIP_LINES 5	/* line numbers of skipped rows kept */

/*
 * The fixed chunks of the rows, the unit of every merge order: the rows
 * are cut into DS_BLOCK-row blocks, and the B blocks of n rows into
 * DS_CHUNKS chunks, chunk c holding blocks c*B/DS_CHUNKS to
 * (c+1)*B/DS_CHUNKS - 1.  Statistics merged block by block within a
 * chunk and chunk by chunk depend on n alone, not on threads or
 * processes.
 */
#define DS_BLOCK 512
#define DS_CHUNKS 64
#define DS_GRID_POWERS 13	/* the powers of ten DS_SCAN_GRID tries */
#define DS_SELECT_BITS 16	/* bits of the key DS_SCAN_SELECT counts by in a pass */

struct dataset;
struct em_source;

/*
 * The scans of the rows: running sums carried over the rows in order
 * (dataset_scan_rows), so that a scan of rows spread over processes,
 * handed from one to the next, makes the same additions in the same
 * order as one loop over all the rows, and the same bits.  A scan's
 * kind, its column j (for the kinds of one column), the doubles of its
 * state (len) and the values it needs (param).
 */
enum {
	DS_SCAN_WEIGHT,		/* Neumaier's sum of the weights: (sum, compensation) */
	DS_SCAN_SUM,		/* column j: (sum of w, sum of w x) */
	DS_SCAN_SCATTER,	/* column j: sum of w (x - param[0])^2; len 1 */
	DS_SCAN_RANGE,		/* column j: (min, max), from a value of the column */
	DS_SCAN_MEANS,		/* sum of w, then the d sums of w x; len d + 1 */
	DS_SCAN_CROSS,		/* sums of w (x_p - param[p]) (x_q - param[q]); len d * d */
	DS_SCAN_HIST,		/* column j, bins param[2] from param[0], width param[1]:
				 * the bins' weights, then their sum; len bins + 1 */
	DS_SCAN_DISTINCT,	/* distinct rows of positive weight, up to param[0] of
				 * them: their number, then the rows; len 1 + param[0] d */
	DS_SCAN_GRID,		/* column j: whether every value is a multiple of
				 * 10^e, for e = 6 down to -6; len DS_GRID_POWERS
				 * (or of param[e], e < nparam = len, when given) */
	DS_SCAN_SELECT,		/* column j, param[0] targets, key bits above param[1]:
				 * for target t, rows whose key (dataset.c) begins with
				 * param[2 + t], counted by the DS_SELECT_BITS below;
				 * len param[0] 2^DS_SELECT_BITS */
	DS_SCAN_USER		/* the first kind of dataset_scan_add */
};

struct dataset_scan {
	int kind;
	size_t j;
	size_t len;
	const double *param;
	size_t nparam;
};

/*
 * What a data set whose rows are spread over processes does with all of
 * them.  The parallel layer fills it; the data set only calls it.  No
 * row is fetched from another process: the scans, samples and sorts run
 * on every process, each over its own rows.  Contracts as for
 * dataset_every, dataset_sort, dataset_sorted_column (the copy a data
 * set of its own, released by free_column) and dataset_free (release:
 * what the spread holds).
 */
struct dataset_spread {
	size_t (*every)(const struct dataset *ds, size_t step, double *x, double *w);
	int (*sort)(struct dataset *ds);
	/*
	 * Scan q over all the rows from the state st (q->len doubles), each
	 * process over its own, in order; 0, or -1 when a process is out of
	 * memory before the scan began (st as it was), or -2 when a step
	 * failed on one (st lost).  The scan fails either way.
	 */
	int (*scan)(const struct dataset *ds, const struct dataset_scan *q, double *st);
	struct dataset *(*sorted_column)(const struct dataset *ds, size_t c);
	void (*free_column)(struct dataset *col);
	void (*release)(struct dataset *ds);
};

struct dataset {
	size_t n, d;
	double *x;		/* n*d values, row i at x + i*d */
	double *w;		/* n weights, or NULL: every row counts once */
	const double *round;	/* d rounding widths (--rounding; 0: exact), or NULL: none */
	char **names;		/* d column names */
	size_t *colno;		/* d 1-based column numbers in the file */
	char *weight_name;	/* name of the weight column, or NULL */
	char delimiter;		/* the input's field separator */
	int delimiter_auto;	/* 0: given; 1: detected (-d auto); 2: -d auto found
				 * none, the default stood (one column, say) */
	size_t skipped;		/* rows skipped for a missing value */
	long skip_lines[DATASET_SKIP_LINES];	/* first few of their lines */
	size_t skipped_zero;	/* rows with weight 0 (kept out of the fit) */
	int sorted;		/* one column, rows in ascending order */
	long *lines;		/* keep_lines: each row's line in the input, or NULL */
	long *left_out;		/* keep_lines: lines of the rows left out (missing, weight 0) */
	size_t nleft;
	int threads;		/* threads the sorts of these rows use; 0: OpenMP's default */
	/*
	 * Spread over processes (spread not NULL): n is the total, x and w
	 * hold this process's nhere rows, from global row row0 on (read them
	 * with dataset_x, dataset_w); the other processes' rows are reached
	 * only through spread's scans, samples and sorts.  dist is the
	 * parallel layer's own record, em_source EM's pass over all
	 * processes' rows (em.h; NULL: the rows here).
	 */
	const struct dataset_spread *spread;
	struct par_dist *dist;
	const struct em_source *em_source;
	size_t row0;
	size_t nhere;		/* spread: the rows held here, global rows row0 on */
};

/* A column in ascending order, with its weights: a view or a sorted copy. */
struct colview {
	const double *x, *w;	/* n values; w NULL when every row counts once */
	const struct dataset *src;	/* when set, the values are src's rows (colview_scan) */
	struct dataset *own_src;	/* a sorted spread copy the view owns */
	size_t n;
	double wsum;
	double *own_x, *own_w;	/* what the view owns */
};

/*
 * Rows [i, i + m) (row-major; global row numbers) and their weights
 * (NULL when every row counts once), which must be held here: rows
 * [row0, row0 + dataset_here) of a spread data set, any of one alone.
 * The scans (dataset_scan_rows) read the rows through these.
 */
static inline const double *
dataset_x(const struct dataset *ds, size_t i, size_t m)
{
	(void)m;
	return ds->x + (i - ds->row0) * ds->d;
}

static inline const double *
dataset_w(const struct dataset *ds, size_t i, size_t m)
{
	(void)m;
	return ds->w ? ds->w + (i - ds->row0) : NULL;
}

/* The rows held by this process: rows [ds->row0, ds->row0 + this) when spread, else all. */
static inline size_t
dataset_here(const struct dataset *ds)
{
	return ds->spread == NULL ? ds->n : ds->nhere;
}

/* Weight of row i, held here (1 when there are none). */
static inline double
dataset_wt(const struct dataset *ds, size_t i)
{
	return ds->w == NULL ? 1.0 : ds->w[i - ds->row0];
}

/*
 * Scan q carried on over rows [lo, hi) of ds, from the state st (q->len
 * doubles), in row order.  The rows must be held here (dataset_x): the
 * parallel layer calls it for the rows a process holds.  Returns 0, or -1 when a
 * kind of dataset_scan_add's is out of memory (or unknown).
 */
int dataset_scan_rows(const struct dataset *ds, const struct dataset_scan *q, size_t lo,
		      size_t hi, double *st);

/*
 * Whether a scan of kind's state is counts (whole numbers below 2^53,
 * added from a state of zeros): their sum is exact in any order, so the
 * processes holding spread rows may scan at once and add their states,
 * rather than hand one state on in row order.
 */
int dataset_scan_counts(int kind);

/*
 * A scan kind of another module's: fn carries q's state st over rows
 * [lo, hi) of ds, which are held here (dataset_x), in row order; it
 * returns 0, or -1 when out of memory.  dataset_scan_add returns the
 * kind (DS_SCAN_USER on), the same on every process when all add the
 * same functions in the same order, or -1 when the table is full (or
 * fn is NULL).  Adding a function twice returns its kind.
 */
typedef int (*dataset_scan_fn)(const struct dataset *ds, const struct dataset_scan *q,
			       size_t lo, size_t hi, double *st);
int dataset_scan_add(dataset_scan_fn fn);

/*
 * Scan q over all the rows of ds from the state st, in row order: each
 * process over its own rows, the state handed on, when they are spread;
 * the same bits either way.  Returns 0, or -1 when out of memory (on
 * any process; st is then not to be used).
 */
int dataset_scan(const struct dataset *ds, const struct dataset_scan *q, double *st);

/*
 * The number of distinct rows of positive weight, counted up to cap
 * (cap when there are more, and when out of memory).
 */
size_t dataset_count_distinct(const struct dataset *ds, size_t cap);

/* Release what a dataset owns and zero it. */
void dataset_free(struct dataset *ds);

/* Sum of the weights (n when there are none), Neumaier's, in row order. */
double dataset_total_weight(const struct dataset *ds);

/* Weighted mean and variance (divisor: total weight) of column j, two-pass. */
void dataset_column_moments(const struct dataset *ds, size_t j, double *mean,
			    double *var);

/*
 * Sort the rows of a one-column dataset in place (weights move with
 * their values), without extra memory; sets ds->sorted.  For the end of
 * a run, once nothing depends on the rows' order: the sorted column then
 * serves the CDF, the KS distance and the histogram without a copy.
 * Returns 0, or -1 when the rows are spread over processes and one is
 * out of memory: ds then holds the same rows, not marked sorted, and
 * dataset_sorted_column sorts a copy.
 */
int dataset_sort(struct dataset *ds);

/*
 * Column c in ascending order: a view of ds when it is sorted, else a
 * sorted copy.  Returns 0, or -1 when out of memory.
 */
int dataset_sorted_column(const struct dataset *ds, size_t c, struct colview *v);
void colview_free(struct colview *v);

/*
 * Scan q over the view's values in ascending order, from the state st
 * (dataset_scan): the view's rows are a one-column data set, its own or
 * a sorted spread one.  Returns 0, or -1 when out of memory.
 */
int colview_scan(const struct colview *v, const struct dataset_scan *q, double *st);

/* The view has weights. */
static inline int
cv_weighted(const struct colview *v)
{
	return v->src == NULL ? v->w != NULL : v->src->w != NULL;
}

/*
 * Sort x[0..n) ascending, with w (when not NULL) moved alongside; in
 * place, on up to threads threads (0: OpenMP's default).  The order is
 * total (value, then weight), so the result is the same on any number.
 */
void sort_with(double *x, double *w, size_t n, int threads);

/*
 * Rows 0, step, 2 step, .. (ceil(n / step) of them) copied into x (d
 * values each) and, when w is not NULL, their weights (1 when there are
 * none) into w; from every process at once when the rows are spread.
 * Returns the number of rows.
 */
size_t dataset_every(const struct dataset *ds, size_t step, double *x, double *w);

/*
 * The weighted mean (d) and full covariance (d * d, divisor: the total
 * weight) of the rows, two-pass.  0, or -1 when out of memory.
 */
int dataset_covariance(const struct dataset *ds, double *mean, double *cov);

/*
 * The weight of column c's rows in bins equal bins of width from first
 * (a value below first in the first, at or past the last bin's end in
 * the last) into count, and their sum into *wsum.  0, or -1 when out
 * of memory.
 */
int dataset_histogram(const struct dataset *ds, size_t c, double first, double width,
		      size_t bins, double *count, double *wsum);

/*
 * The order statistics of column c, each row counting once whatever its
 * weight: out[t] is the value of 0-based rank rank[t] (< n) in ascending
 * order, for t < nq (nq <= 2), -0 taken as 0.  Found without a copy of
 * the column: a radix selection by DS_SELECT_BITS bits of the value's
 * key a pass, each pass a scan of counts (exact integers: the same for
 * any spread of the rows), so 64 / DS_SELECT_BITS scans.  0, or -1 when
 * out of memory.
 */
int dataset_order_stats(const struct dataset *ds, size_t c, size_t nq, const size_t *rank,
			double *out);

/*
 * The grid column j's values were rounded to (0.1 for heights to the
 * mm), or 0 when there is none: the largest power of ten q, 1e-6 <= q <=
 * 1e6, with every value a multiple of q to 1e-9 relative.
 */
double dataset_grid(const struct dataset *ds, size_t j);

/* Whether every value of column j is a multiple of q to 1e-9 relative (dataset_grid's test). */
int dataset_on_grid(const struct dataset *ds, size_t j, double q);

/* Minimum and maximum of column j (n > 0). */
void dataset_column_range(const struct dataset *ds, size_t j, double *lo,
			  double *hi);

#endif
