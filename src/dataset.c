/*
 * dataset.c - helpers on the fitted rows (see dataset.h).
 */
#include <config.h>

#include <stdlib.h>
#include <math.h>
#include <string.h>

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
	memset(ds, 0, sizeof *ds);
}

double
dataset_total_weight(const struct dataset *ds)
{
	double s = 0.0, c = 0.0;

	if (ds->w == NULL)
		return (double)ds->n;
	/* Neumaier's compensated sum: weights may span many magnitudes. */
	for (size_t i = 0; i < ds->n; i++) {
		double t = s + ds->w[i];
		if (fabs(s) >= fabs(ds->w[i]))
			c += (s - t) + ds->w[i];
		else
			c += (ds->w[i] - t) + s;
		s = t;
	}
	return s + c;
}

void
dataset_column_moments(const struct dataset *ds, size_t j, double *mean,
		       double *var)
{
	double sw = 0.0, s = 0.0, ss = 0.0, m;
	const size_t d = ds->d;

	for (size_t i = 0; i < ds->n; i++) {
		double wi = ds->w ? ds->w[i] : 1.0;
		sw += wi;
		s += wi * ds->x[i * d + j];
	}
	m = sw > 0 ? s / sw : 0.0;
	for (size_t i = 0; i < ds->n; i++) {
		double wi = ds->w ? ds->w[i] : 1.0;
		double dx = ds->x[i * d + j] - m;
		ss += wi * dx * dx;
	}
	*mean = m;
	*var = sw > 0 ? ss / sw : 0.0;
}

void
dataset_column_range(const struct dataset *ds, size_t j, double *lo,
		     double *hi)
{
	double a = ds->x[j], b = ds->x[j];

	for (size_t i = 1; i < ds->n; i++) {
		double v = ds->x[i * ds->d + j];
		if (v < a)
			a = v;
		if (v > b)
			b = v;
	}
	*lo = a;
	*hi = b;
}
