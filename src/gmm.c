/*
 * gmm.c - the mixture model and its densities (see gmm.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gmm.h"

#define LOG_2PI 1.8378770664093454835606594728112

struct gmm *
gmm_new(size_t k, size_t d, enum gmm_cov cov_type)
{
	struct gmm *g = calloc(1, sizeof *g);

	if (g == NULL)
		return NULL;
	g->k = k;
	g->d = d;
	g->cov_type = cov_type;
	g->weight = calloc(k, sizeof *g->weight);
	g->mean = calloc(k * d, sizeof *g->mean);
	g->cov = calloc(k * d * d, sizeof *g->cov);
	g->chol = calloc(k * d * d, sizeof *g->chol);
	g->logdet = calloc(k, sizeof *g->logdet);
	g->logw = calloc(k, sizeof *g->logw);
	if (!g->weight || !g->mean || !g->cov || !g->chol || !g->logdet || !g->logw) {
		gmm_free(g);
		return NULL;
	}
	return g;
}

void
gmm_free(struct gmm *g)
{
	if (g == NULL)
		return;
	free(g->weight);
	free(g->mean);
	free(g->cov);
	free(g->chol);
	free(g->logdet);
	free(g->logw);
	free(g);
}

void
gmm_copy(struct gmm *dst, const struct gmm *src)
{
	size_t k = src->k, d = src->d;

	dst->cov_type = src->cov_type;
	memcpy(dst->weight, src->weight, k * sizeof *dst->weight);
	memcpy(dst->mean, src->mean, k * d * sizeof *dst->mean);
	memcpy(dst->cov, src->cov, k * d * d * sizeof *dst->cov);
	memcpy(dst->chol, src->chol, k * d * d * sizeof *dst->chol);
	memcpy(dst->logdet, src->logdet, k * sizeof *dst->logdet);
	memcpy(dst->logw, src->logw, k * sizeof *dst->logw);
}

struct gmm *
gmm_dup(const struct gmm *g)
{
	struct gmm *c = gmm_new(g->k, g->d, g->cov_type);

	if (c != NULL)
		gmm_copy(c, g);
	return c;
}

int
gmm_cholesky(const double *a, double *l, size_t d)
{
	for (size_t i = 0; i < d; i++) {
		for (size_t j = 0; j <= i; j++) {
			double s = a[i * d + j];
			for (size_t m = 0; m < j; m++)
				s -= l[i * d + m] * l[j * d + m];
			if (i == j) {
				if (!(s > 0.0) || !isfinite(s))
					return -1;
				l[i * d + i] = sqrt(s);
			} else {
				l[i * d + j] = s / l[j * d + j];
			}
		}
		for (size_t j = i + 1; j < d; j++)
			l[i * d + j] = 0.0;
	}
	return 0;
}

long
gmm_prepare(struct gmm *g)
{
	const size_t d = g->d;

	/* A shared covariance (tied, EII, EEI) is factored once and its factor copied. */
	const int shared = gmm_cov_is_shared(g->cov_type);

	for (size_t j = 0; j < g->k; j++) {
		double *l = g->chol + j * d * d, ld = 0.0;
		if (!(g->weight[j] > 0.0))
			return (long)j;
		if (shared && j > 0 && g->weight[0] > 0.0 &&
		    memcmp(g->cov + j * d * d, g->cov, d * d * sizeof *g->cov) == 0) {
			memcpy(l, g->chol, d * d * sizeof *l);
			g->logdet[j] = g->logdet[0];
			g->logw[j] = log(g->weight[j]);
			continue;
		}
		if (gmm_cholesky(g->cov + j * d * d, l, d))
			return (long)j;
		for (size_t i = 0; i < d; i++)
			ld += log(l[i * d + i]);
		g->logdet[j] = 2.0 * ld;
		g->logw[j] = log(g->weight[j]);
	}
	return -1;
}

void
gmm_log_components(const struct gmm *g, const double *x, double *lp,
		   double *z)
{
	const size_t d = g->d;

	for (size_t j = 0; j < g->k; j++) {
		const double *l = g->chol + j * d * d, *mu = g->mean + j * d;
		double q = 0.0;
		/* Solve L z = x - mu by forward substitution; q = |z|^2. */
		for (size_t i = 0; i < d; i++) {
			double s = x[i] - mu[i];
			for (size_t m = 0; m < i; m++)
				s -= l[i * d + m] * z[m];
			z[i] = s / l[i * d + i];
			q += z[i] * z[i];
		}
		lp[j] = g->logw[j] - 0.5 * ((double)d * LOG_2PI + g->logdet[j] + q);
	}
}

double
gmm_logsumexp(const double *v, size_t k)
{
	double m = v[0], s = 0.0;

	for (size_t j = 1; j < k; j++)
		if (v[j] > m)
			m = v[j];
	if (isinf(m))
		return m;
	for (size_t j = 0; j < k; j++)
		s += exp(v[j] - m);
	return m + log(s);
}

size_t
gmm_n_parameters(const struct gmm *g)
{
	size_t k = g->k, d = g->d, c = 0;

	switch (g->cov_type) {
	case GMM_FULL:
		c = k * d * (d + 1) / 2;
		break;
	case GMM_DIAG:
		c = k * d;
		break;
	case GMM_SPHERICAL:
		c = k;
		break;
	case GMM_TIED:
		c = d * (d + 1) / 2;
		break;
	case GMM_EII:
		c = 1;
		break;
	case GMM_EEI:
		c = d;
		break;
	case GMM_EVI:		/* one volume, k shapes of d - 1 */
		c = 1 + k * (d - 1);
		break;
	case GMM_EEV:		/* one volume and shape, k orientations */
		c = 1 + (d - 1) + k * d * (d - 1) / 2;
		break;
	case GMM_EVV:		/* one volume, k shapes and orientations */
		c = 1 + k * (d * (d + 1) / 2 - 1);
		break;
	case GMM_VEI:		/* k volumes, one shape */
		c = k + (d - 1);
		break;
	case GMM_VEE:		/* k volumes, one shape and orientation */
		c = k + (d - 1) + d * (d - 1) / 2;
		break;
	case GMM_VEV:		/* k volumes and orientations, one shape */
		c = k + (d - 1) + k * d * (d - 1) / 2;
		break;
	case GMM_EVE:		/* one volume and orientation, k shapes */
		c = 1 + k * (d - 1) + d * (d - 1) / 2;
		break;
	case GMM_VVE:		/* k volumes and shapes, one orientation */
		c = k + k * (d - 1) + d * (d - 1) / 2;
		break;
	}
	return c + k * d + k - 1;
}

static int
mean_before(const struct gmm *g, size_t a, size_t b)
{
	for (size_t i = 0; i < g->d; i++) {
		double x = g->mean[a * g->d + i], y = g->mean[b * g->d + i];
		if (x < y)
			return 1;
		if (x > y)
			return 0;
	}
	return 0;
}

static void
swap_block(double *p, size_t a, size_t b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		double t = p[a * len + i];
		p[a * len + i] = p[b * len + i];
		p[b * len + i] = t;
	}
}

void
gmm_sort(struct gmm *g)
{
	const size_t d = g->d;

	/* Insertion sort: k is small, and it is stable. */
	for (size_t i = 1; i < g->k; i++)
		for (size_t j = i; j > 0 && mean_before(g, j, j - 1); j--) {
			swap_block(g->weight, j, j - 1, 1);
			swap_block(g->mean, j, j - 1, d);
			swap_block(g->cov, j, j - 1, d * d);
			swap_block(g->chol, j, j - 1, d * d);
			swap_block(g->logdet, j, j - 1, 1);
			swap_block(g->logw, j, j - 1, 1);
		}
}

/* In the order of enum gmm_cov. */
static const struct {
	const char *name, *mclust, *describe;
} cov_names[GMM_NCOV] = {
	{ "full", "VVV", "VVV: ellipsoidal, varying volume, shape, and orientation" },
	{ "diag", "VVI", "VVI: diagonal, varying volume and shape" },
	{ "spherical", "VII", "VII: spherical, varying volume" },
	{ "tied", "EEE", "EEE: ellipsoidal, equal volume, shape and orientation" },
	{ "EII", "EII", "EII: spherical, equal volume" },
	{ "EEI", "EEI", "EEI: diagonal, equal volume and shape" },
	{ "EVI", "EVI", "EVI: diagonal, equal volume, varying shape" },
	{ "EEV", "EEV", "EEV: ellipsoidal, equal volume and shape" },
	{ "EVV", "EVV", "EVV: ellipsoidal, equal volume" },
	{ "VEI", "VEI", "VEI: diagonal, equal shape" },
	{ "VEE", "VEE", "VEE: ellipsoidal, equal shape and orientation" },
	{ "VEV", "VEV", "VEV: ellipsoidal, equal shape" },
	{ "EVE", "EVE", "EVE: ellipsoidal, equal volume and orientation" },
	{ "VVE", "VVE", "VVE: ellipsoidal, equal orientation" },
};

const char *
gmm_cov_name(enum gmm_cov t)
{
	return cov_names[t].name;
}

const char *
gmm_cov_describe(enum gmm_cov t, size_t d)
{
	/* One column: mclust's V or E, by the volume (the name's first letter). */
	if (d == 1)
		return cov_names[t].mclust[0] == 'V' ? "V: univariate, unequal variance"
						     : "E: univariate, equal variance";
	return cov_names[t].describe;
}

const char *
gmm_cov_mclust(enum gmm_cov t)
{
	return cov_names[t].mclust;
}

int
gmm_cov_parse(const char *s, enum gmm_cov *t)
{
	for (int i = 0; i < GMM_NCOV; i++)
		if (strcmp(s, cov_names[i].name) == 0) {
			*t = (enum gmm_cov)i;
			return 0;
		}
	return -1;
}

int
gmm_cov_is_diagonal(enum gmm_cov t)
{
	return t == GMM_DIAG || t == GMM_SPHERICAL || t == GMM_EII || t == GMM_EEI ||
	       t == GMM_EVI || t == GMM_VEI;
}

int
gmm_cov_is_shared(enum gmm_cov t)
{
	return t == GMM_TIED || t == GMM_EII || t == GMM_EEI;
}

int
gmm_cov_is_spherical(enum gmm_cov t)
{
	return t == GMM_SPHERICAL || t == GMM_EII;
}

int
gmm_cov_has_prior(enum gmm_cov t)
{
	return t == GMM_FULL || t == GMM_DIAG || t == GMM_SPHERICAL || t == GMM_TIED ||
	       t == GMM_EII || t == GMM_EEI || t == GMM_VEI || t == GMM_VEV || t == GMM_EVI ||
	       t == GMM_EEV;
}

size_t
gmm_pick(const struct gmm *g, double u)
{
	double acc = 0.0;

	for (size_t j = 0; j + 1 < g->k; j++) {
		acc += g->weight[j];
		if (u < acc)
			return j;
	}
	return g->k - 1;
}

void
gmm_point(const struct gmm *g, size_t j, const double *z, double *x)
{
	const size_t d = g->d;
	const double *l = g->chol + j * d * d;

	for (size_t p = 0; p < d; p++) {
		double v = g->mean[j * d + p];
		for (size_t q = 0; q <= p; q++)
			v += l[p * d + q] * z[q];
		x[p] = v;
	}
}
