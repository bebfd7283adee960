/*
 * report.h - the fitted model for people (text) and for pipelines (JSON).
 *
 * Writers only read the fit: they never run EM.  The text report uses a
 * fixed, documented precision; JSON prints every number with %.17g so it
 * reads back to the same double, and never NaN or Infinity.
 */
#ifndef GMMFIT_REPORT_H
#define GMMFIT_REPORT_H

#include <stdio.h>

#include "dataset.h"
#include "fit.h"

struct report_info {
	const char *source;	/* the input as the user named it */
	const struct dataset *ds;
	const struct fit_result *fr;
	const char *init;	/* start method's name */
	size_t n_init;
	double tol;
	size_t max_iter;
	const double *reg;	/* d values */
};

/* Write the report; return 0, or -1 when a write failed. */
int report_text(FILE *fp, const struct report_info *ri);
int report_json(FILE *fp, const struct report_info *ri);

#endif
