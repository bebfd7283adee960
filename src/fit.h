/*
 * fit.h - fit one model or a family of them and choose by BIC.
 *
 * For each K in the list and each covariance structure, EM is run from
 * n_init starts and the start with the highest final log-likelihood is
 * kept.  Each (K, structure) pair seeds its own random generator from the
 * user's seed, so a model does not depend on which others were fitted.
 * The chosen model has the lowest BIC = -2 loglik + p ln W, W the total
 * weight of the rows (their number when unweighted).
 */
#ifndef GMMFIT_FIT_H
#define GMMFIT_FIT_H

#include <stdint.h>

#include "dataset.h"
#include "em.h"
#include "error.h"
#include "gmm.h"
#include "init.h"

struct fit_options {
	const size_t *ks;	/* the K to fit */
	size_t nk;
	const enum gmm_cov *covs;	/* the structures to fit */
	size_t ncov;
	enum init_method init;
	struct init_given given;
	size_t n_init;		/* starts per model, at least 1 */
	uint64_t seed;
	struct em_options em;
};

struct fit_model {
	size_t k;
	enum gmm_cov cov;
	int status;		/* GM_OK, or why this model could not be fitted */
	char message[640];	/* the error, when status is not GM_OK */
	struct gmm *g;		/* the best start's final model, sorted by mean */
	struct em_result res;
	size_t n_params;
	double bic, aic;
	size_t starts_failed;	/* starts that ended in a numerical failure */
};

struct fit_result {
	struct fit_model *models;
	size_t nmodels;
	size_t chosen;		/* index of the lowest BIC */
	double total_weight;
	double init_seconds;	/* wall time in starting points, all models */
	double em_seconds;	/* wall time in EM, all models */
	size_t em_iterations;	/* M steps, all models and starts */
};

/*
 * Fit every model.  Returns GM_OK when at least one model was fitted
 * (failures of others are recorded in their entries); otherwise the
 * status of the first failure, with err filled.
 */
int fit_run(const struct dataset *ds, const struct fit_options *opt,
	    struct fit_result *res, struct gm_error *err);

void fit_result_free(struct fit_result *res);

#endif
