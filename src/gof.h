/*
 * gof.h - goodness of fit of a 1-D mixture: its CDF and the
 * Kolmogorov-Smirnov distance to the data's empirical CDF.
 */
#ifndef GMMFIT_GOF_H
#define GMMFIT_GOF_H

#include "dataset.h"
#include "gmm.h"

/* The mixture's CDF at x (column 0 of a 1-D model, or marginal c of a d-D one). */
double gof_mixture_cdf(const struct gmm *g, size_t c, double x);

/*
 * sup_x |F_n(x) - F(x)| for column 0 of ds and model g (1-D), with F_n
 * the (weighted) empirical CDF.  Ties are handled: F_n jumps once per
 * distinct value.  Returns a value in [0, 1], or -1 when out of memory.
 */
double gof_ks(const struct dataset *ds, const struct gmm *g);

/*
 * Add the scans of a sorted column to the data set's kinds
 * (dataset_scan_add); every process of a run calls it at the same point,
 * before any scan.  Returns 0, or -1 when the table of kinds is full.
 */
int gof_attach(void);

/*
 * The scans of a sorted column v (dataset_sorted_column), each one pass
 * in order, every value read where it is held.  Each returns 0, or -1
 * when out of memory.
 *
 * gof_ecdf: the empirical CDF just after every step-th distinct value,
 * and the last, into x and y (v->n / step + 2 of them at most), *m the
 * number.  gof_steps: every step-th value and the last, into x, with its
 * plotting position (the weight below it plus half its own, over the
 * total) into p, as many at most.  gof_value: value i.  gof_quantile:
 * the first value whose cumulative weight reaches q of the total (the
 * ceil(q n)-th without weights; the last when none does).
 */
int gof_ecdf(const struct colview *v, size_t step, double *x, double *y, size_t *m);
int gof_steps(const struct colview *v, size_t step, double *x, double *p, size_t *m);
int gof_value(const struct colview *v, size_t i, double *x);
int gof_quantile(const struct colview *v, double q, double *x);

#endif
