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

struct pair {
	double x, w;
};

static int
cmp_pair(const void *a, const void *b)
{
	double x = ((const struct pair *)a)->x, y = ((const struct pair *)b)->x;

	return (x > y) - (x < y);
}

double
gof_ks(const struct dataset *ds, const struct gmm *g)
{
	const size_t n = ds->n;
	struct pair *v = malloc(n * sizeof *v);
	double wsum = 0.0, acc = 0.0, dmax = 0.0;

	if (v == NULL)
		return -1.0;
	for (size_t i = 0; i < n; i++) {
		v[i].x = ds->x[i * ds->d];
		v[i].w = ds->w ? ds->w[i] : 1.0;
		wsum += v[i].w;
	}
	qsort(v, n, sizeof *v, cmp_pair);
	for (size_t i = 0; i < n;) {
		double x = v[i].x, f = gof_mixture_cdf(g, 0, x), below = acc / wsum;
		/* All rows equal to x make one jump of F_n. */
		while (i < n && !(v[i].x > x))
			acc += v[i++].w;
		dmax = fmax(dmax, fmax(fabs(f - below), fabs(acc / wsum - f)));
	}
	free(v);
	return dmax;
}
