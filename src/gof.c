/*
 * gof.c - mixture CDF and Kolmogorov-Smirnov distance (see gof.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "gof.h"

double
gof_mixture_cdf(const struct gmm *g, size_t c, double x)
{
	const size_t d = g->d;
	double f = 0.0;

	for (size_t j = 0; j < g->k; j++) {
		double sd = sqrt(g->cov[j * d * d + c * d + c]);
		double z = (x - g->mean[j * d + c]) / sd;
		/* erfc keeps the lower tail's digits where 1 + erf would lose them. */
		f += g->weight[j] * 0.5 * erfc(-z / sqrt(2.0));
	}
	return f > 1.0 ? 1.0 : f;
}

double
gof_ks(const struct dataset *ds, const struct gmm *g)
{
	struct colview v;
	double acc = 0.0, dmax = 0.0;

	if (dataset_sorted_column(ds, 0, &v))
		return -1.0;
	for (size_t i = 0; i < v.n;) {
		double x = cv_x(&v, i), f = gof_mixture_cdf(g, 0, x), below = acc / v.wsum;
		/* All rows equal to x make one jump of F_n. */
		while (i < v.n && !(cv_x(&v, i) > x))
			acc += cv_w(&v, i++);
		dmax = fmax(dmax, fmax(fabs(f - below), fabs(acc / v.wsum - f)));
	}
	colview_free(&v);
	return dmax;
}
