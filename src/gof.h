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

#endif
