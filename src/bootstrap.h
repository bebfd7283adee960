/*
 * bootstrap.h - standard errors and percentile intervals by the bootstrap.
 *
 * Each of B replicates refits the model, from the fitted model as the
 * start, to a resampled data set: nonparametric (rows drawn with
 * replacement, with probability proportional to their weights, as
 * frequency weights so no data are copied) or parametric (rows drawn from
 * the fitted model).  Components are aligned to the fit by mean order.
 * Replicate b draws from its own generator, seeded from the user's seed
 * and b, so the result is the same for any number of threads; replicates
 * run in parallel.
 */
#ifndef GMMFIT_BOOTSTRAP_H
#define GMMFIT_BOOTSTRAP_H

#include <stdint.h>

#include "dataset.h"
#include "em.h"
#include "error.h"
#include "gmm.h"

struct bootstrap_options {
	size_t B;
	int parametric;
	uint64_t seed;
	int threads;
	struct em_options em;	/* as for the fit; its threads are ignored */
};

/* Per parameter: weights (k), then means (k*d), then sds (k*d). */
struct bootstrap_result {
	size_t B, ok;		/* replicates asked for, and fitted */
	int parametric;
	size_t k, d, nparams;
	double *se, *lo, *hi;	/* standard error, 2.5% and 97.5% percentiles */
};

/*
 * B replicates of the fit to ds (fit: the model fitted to it, each
 * replicate's start), by bo; *br (freed with bootstrap_result_free) holds the
 * standard errors and intervals.  GM_OK; GM_EDATA for a total weight past
 * 2^53; GM_ENUMERIC when fewer than 2 replicates fit; GM_EINTERNAL when
 * out of memory; err filled on failure, and *br then empty.
 */
int bootstrap_run(const struct dataset *ds, const struct gmm *fit,
		  const struct bootstrap_options *bo, struct bootstrap_result *br,
		  struct gm_error *err);

void bootstrap_result_free(struct bootstrap_result *br);

#endif
