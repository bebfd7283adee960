/*
 * fitstage.h - what the fit needs from the data before it starts: the
 * check that the data's scale lets the sums of EM stay normal doubles,
 * and the regulariser of each column (the variance floor added to every
 * covariance's diagonal).  The command line calls it between reading the
 * data and fitting; it owns the numbers, the command line only the
 * message it prints.
 */
#ifndef GMMFIT_FITSTAGE_H
#define GMMFIT_FITSTAGE_H

#include "dataset.h"
#include "em.h"
#include "error.h"

/*
 * The regulariser of each of ds's d columns into *reg (d values, the
 * caller frees): reg_abs for all when reg_abs >= 0, else 1e-6 times each
 * column's variance.  The data must fit the maths: values at most 1e150
 * in size, an sd of at least 1e-150 (squares stay normal doubles); with
 * weights, a total weight W that is finite, with W max|x| and W (hi - lo)^2
 * at most 1e306 and W (hi - lo)^2 at least 1e-300; and, without reg_abs,
 * some spread in each column.  Returns GM_OK; GM_EDATA with err filled
 * (file: source, column: the file's column number) when the data do not
 * fit; GM_EINTERNAL when out of memory (err filled).  *reg is NULL on
 * failure.
 */
int fitstage_regularisers(const struct dataset *ds, double reg_abs, const char *source,
			  double **reg, struct gm_error *err);

/*
 * --prior: mclust's default conjugate prior for ds (all its rows, spread
 * over processes or not: dataset.h's scans): shrinkage 0.01, d + 2
 * degrees of freedom, the data's weighted mean and covariance (two passes; divided by the total weight
 * minus 1) into *mean (d) and *var (d*d), which pr then points to (the
 * caller frees both).  GM_EDATA (err filled) when the total weight is
 * not over 1; GM_EINTERNAL when out of memory.
 */
int fitstage_prior(const struct dataset *ds, const char *source, struct em_prior *pr,
		   double **mean, double **var, struct gm_error *err);

/*
 * --rounding: the width of each of ds's d columns into *widths (the
 * caller frees it): the one width given for all, or one per column, or
 * with automatic each column's grid (dataset_grid's power of ten q, or 5q
 * or 2q when every value is a multiple of that; 0 when there is none).
 * NULL when --rounding was not given.  GM_EUSAGE (err filled) when the
 * count is neither 1 nor d, or when d > 1 and covs holds a model that is
 * not diagonal (a box's probability factorises under diagonal covariances
 * only);
 * GM_EINTERNAL when out of memory.
 */
int fitstage_rounding(const struct dataset *ds, const double *given, size_t ngiven,
		      int automatic, const enum gmm_cov *covs, size_t ncov, double **widths,
		      struct gm_error *err);

#endif
