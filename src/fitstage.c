/*
 * fitstage.c - the data's scale checked and the regularisers chosen
 * before the fit (see fitstage.h).
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "fitstage.h"

/*
 * Column j with the weights: the sums of EM are the weights times the
 * values and the squared deviations, so the total weight wt scales them.
 * wt max|x| and wt (hi - lo)^2 must stay below 1e306 (a margin under the
 * largest double, 1.8e308, for the steps that add such sums), and
 * wt (hi - lo)^2 above 1e-300 (below it the squared deviations lose their
 * digits).
 */
static int
weighted_scale(const struct dataset *ds, size_t j, double lo, double hi, const char *source,
	       struct gm_error *err)
{
	double wt = dataset_total_weight(ds), big = fmax(fabs(lo), fabs(hi));
	double spread = hi - lo, s2 = wt * spread * spread;

	if (wt * big > 1e306 || s2 > 1e306)
		return gm_error_set(err, GM_EDATA, source, 0, (long)ds->colno[j],
				    "column \"%s\" with the weights of column \"%s\": the weighted sums "
				    "overflow (values up to %g, total weight %g); scale the weights down "
				    "or rescale the column", ds->names[j], ds->weight_name, big, wt);
	if (hi > lo && !(s2 >= 1e-300))
		return gm_error_set(err, GM_EDATA, source, 0, (long)ds->colno[j],
				    "column \"%s\" with the weights of column \"%s\": the weighted sums "
				    "of squares underflow (a range of %g, total weight %g); scale the "
				    "weights up or rescale the column", ds->names[j], ds->weight_name,
				    spread, wt);
	return GM_OK;
}

/* Column j's scale checked and its regulariser into *reg. */
static int
column_reg(const struct dataset *ds, size_t j, double reg_abs, const char *source,
	   double *reg, struct gm_error *err)
{
	double m, v, lo, hi;
	int rc;

	/*
	 * Squares of the values and of their spread must stay normal
	 * doubles: beyond 1e150, or with an sd below 1e-150, variances
	 * overflow or lose their digits.  Say so rather than fit wrongly.
	 */
	dataset_column_range(ds, j, &lo, &hi);
	if (fmax(fabs(lo), fabs(hi)) > 1e150)
		return gm_error_set(err, GM_EDATA, source, 0, (long)ds->colno[j],
				    "column \"%s\" has values up to %g: beyond 1e150 variances overflow; "
				    "rescale the column (other units)", ds->names[j],
				    fmax(fabs(lo), fabs(hi)));
	if (ds->w != NULL && (rc = weighted_scale(ds, j, lo, hi, source, err)) != GM_OK)
		return rc;
	dataset_column_moments(ds, j, &m, &v);
	if (hi > lo && !(v >= 1e-300))
		return gm_error_set(err, GM_EDATA, source, 0, (long)ds->colno[j],
				    "column \"%s\" has an sd of %g: below 1e-150 variances lose their digits; "
				    "rescale the column (other units)", ds->names[j], sqrt(v));
	if (reg_abs >= 0) {
		*reg = reg_abs;
	} else if (!(hi > lo)) {
		return gm_error_set(err, GM_EDATA, source, 0, (long)ds->colno[j],
				    "column \"%s\" has no spread (all %zu values are %g); "
				    "a mixture cannot be fitted to it (drop it, or give --reg X > 0)",
				    ds->names[j], ds->n, m);
	} else {
		*reg = 1e-6 * v;
	}
	return GM_OK;
}

int
fitstage_regularisers(const struct dataset *ds, double reg_abs, const char *source,
		      double **reg, struct gm_error *err)
{
	double *r = calloc(ds->d, sizeof *r);
	int rc = GM_OK;

	*reg = NULL;
	if (r == NULL)
		return gm_error_oom(err);
	if (ds->w != NULL && !(dataset_total_weight(ds) <= DBL_MAX)) {
		free(r);
		return gm_error_set(err, GM_EDATA, source, 0, 0,
				    "the weights (column \"%s\") add up to more than the largest double; "
				    "scale them down", ds->weight_name);
	}
	for (size_t j = 0; j < ds->d && rc == GM_OK; j++)
		rc = column_reg(ds, j, reg_abs, source, &r[j], err);
	if (rc != GM_OK) {
		free(r);
		return rc;
	}
	*reg = r;
	return GM_OK;
}

/*
 * The data's weighted mean and covariance (divisor: total weight - 1),
 * two passes: the scans of the rows (DS_SCAN_MEANS, then DS_SCAN_CROSS's
 * scatter about the mean, with no cancellation), so rows spread over
 * processes give the bits of one loop over them all.
 */
int
fitstage_prior(const struct dataset *ds, const char *source, struct em_prior *pr,
	       double **mean, double **var, struct gm_error *err)
{
	const size_t d = ds->d;
	double *m = calloc(d, sizeof *m), *v = calloc(d * d, sizeof *v), *st = calloc(d + 1, sizeof *st);
	struct dataset_scan q = { DS_SCAN_MEANS, 0, d + 1, NULL, 0 };
	double wt = 0.0;
	int rc = GM_OK;

	*mean = *var = NULL;
	if (m == NULL || v == NULL || st == NULL || dataset_scan(ds, &q, st) != 0) {
		rc = gm_error_oom(err);
		goto out;
	}
	wt = st[0];
	if (!(wt > 1.0)) {
		rc = gm_error_set(err, GM_EDATA, source, 0, 0, "--prior needs a total weight over 1, "
				  "not %g: the prior's scale is the data's covariance", wt);
		goto out;
	}
	for (size_t p = 0; p < d; p++)
		m[p] = st[1 + p] / wt;
	q = (struct dataset_scan){ DS_SCAN_CROSS, 0, d * d, m, d };
	if (dataset_scan(ds, &q, v) != 0) {
		rc = gm_error_oom(err);
		goto out;
	}
	/* The lower triangle's sums w (x_p - m_p) (x_q - m_q), q <= p, made symmetric. */
	for (size_t p = 0; p < d; p++)
		for (size_t c = 0; c <= p; c++)
			v[p * d + c] = v[c * d + p] = v[p * d + c] / (wt - 1.0);
	pr->shrinkage = 0.01;
	pr->dof = (double)d + 2.0;
	pr->mean = m;
	pr->var = v;
	*mean = m;
	*var = v;
	m = v = NULL;
out:
	free(m);
	free(v);
	free(st);
	return rc;
}

int
fitstage_rounding(const struct dataset *ds, const double *given, size_t ngiven,
		  int automatic, const enum gmm_cov *covs, size_t ncov, double **widths,
		  struct gm_error *err)
{
	const size_t d = ds->d;
	double *h;

	*widths = NULL;
	if (given == NULL && !automatic)
		return GM_OK;
	if (!automatic && ngiven != 1 && ngiven != d)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0, "--rounding gives %zu widths for %zu "
				    "columns: give one, or one per column", ngiven, d);
	for (size_t c = 0; d > 1 && c < ncov; c++)
		if (!gmm_cov_is_diagonal(covs[c]))
			return gm_error_set(err, GM_EUSAGE, NULL, 0, 0, "--rounding with several "
					    "columns needs --covariance diag or spherical (or EII, "
					    "EEI, EVI): the probability of a box factorises only "
					    "under diagonal covariances");
	h = malloc(d * sizeof *h);
	if (h == NULL)
		return gm_error_oom(err);
	for (size_t p = 0; p < d; p++) {
		if (!automatic) {
			h[p] = given[ngiven == 1 ? 0 : p];
			continue;
		}
		h[p] = dataset_grid(ds, p);
		if (h[p] > 0.0 && dataset_on_grid(ds, p, 5.0 * h[p]))
			h[p] *= 5.0;
		else if (h[p] > 0.0 && dataset_on_grid(ds, p, 2.0 * h[p]))
			h[p] *= 2.0;
	}
	*widths = h;
	return GM_OK;
}
