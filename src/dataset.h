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

struct dataset {
	size_t n, d;
	double *x;		/* n*d values, row i at x + i*d */
	double *w;		/* n weights, or NULL: every row counts once */
	char **names;		/* d column names */
	size_t *colno;		/* d 1-based column numbers in the file */
	char *weight_name;	/* name of the weight column, or NULL */
	size_t skipped;		/* rows skipped for a missing value */
	long skip_lines[DATASET_SKIP_LINES];	/* first few of their lines */
	size_t skipped_zero;	/* rows with weight 0 (kept out of the fit) */
};

/* Release what a dataset owns and zero it. */
void dataset_free(struct dataset *ds);

/* Sum of the weights (n when there are none). */
double dataset_total_weight(const struct dataset *ds);

/* Weighted mean and variance (divisor: total weight) of column j, two-pass. */
void dataset_column_moments(const struct dataset *ds, size_t j, double *mean,
			    double *var);

/* Minimum and maximum of column j (n > 0). */
void dataset_column_range(const struct dataset *ds, size_t j, double *lo,
			  double *hi);

#endif
