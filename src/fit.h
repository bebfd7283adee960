/*
 * fit.h - the search for the best fit of one model or a family of them,
 * and the choice among them by BIC or ICL.
 *
 * A fit is the best non-degenerate optimum the search finds, not the end
 * of one EM run.  For each K and covariance structure:
 *
 *  - starts are made on standardised columns (so units never matter):
 *    by default a model-based hierarchical start (hc), the quantile start
 *    (one column), k-means and k-means++ starts and random partitions;
 *    within a range of K also the K - 1 fit with one component split and
 *    the K + 1 fit with two merged.  --init forces one method;
 *  - each start is screened by a short EM run (a few iterations at a
 *    loose tolerance) and the best few are run to convergence;
 *  - a solution with a degenerate component (fit_degenerate) counts as a
 *    failed start; if every start ends degenerate the model is marked so,
 *    with the reason, and is never chosen, as is a model with as many
 *    free parameters as rows or more (not identifiable).
 *
 * On more than FIT_SEARCH_ROWS rows the search runs on every s-th row and
 * its best optima are then run to convergence on all rows.  Each (K,
 * structure) seeds its random generator from the user's seed.  The chosen
 * model has the lowest BIC = -2 loglik + p ln W (W the total weight of
 * the rows, their number when unweighted), or the lowest ICL = BIC -
 * 2 sum_i w_i log max_k z_ik.
 */
#ifndef GMMFIT_FIT_H
#define GMMFIT_FIT_H

#include <stdint.h>

#include "dataset.h"
#include "em.h"
#include "error.h"
#include "gmm.h"
#include "init.h"

#define FIT_SEARCH_ROWS 65536	/* rows the search runs on, at most */
#define FIT_DEFAULT_STARTS 50	/* starts screened per model by default, at least */
#define FIT_STARTS_ROWS 25000	/* by default, starts times rows, up to */
#define FIT_STARTS_CAP 500	/* starts, at most (FIT_STARTS_ROWS / n for small n) */
#define FIT_MORE_STARTS 4	/* the default search extends to this times its starts, */
#define FIT_MORE_ROWS 200000	/* and to at most this many rows times starts */
#define FIT_REACHED_RTOL 1e-6	/* relative gap within which a run reached the best */
#define FIT_SAME_COMPONENT 1e-4	/* two components this close (in sds) are one: degenerate */
#define FIT_GRID_SD 0.1		/* a component's sd under this much of a column's grid: degenerate */

enum fit_criterion {
	FIT_BIC,
	FIT_ICL
};

struct fit_options {
	const size_t *ks;	/* the K to fit */
	size_t nk;
	const enum gmm_cov *covs;	/* the structures to fit */
	size_t ncov;
	int init_forced;	/* the user chose init: only that method */
	enum init_method init;	/* the forced method (or, when not forced, unused) */
	struct init_given given;
	size_t n_init;		/* starts screened per model, at least 1 (0: the default) */
	size_t n_init_max;	/* while a model's best was reached once, n_init more, up to this */
	uint64_t seed;
	enum fit_criterion criterion;
	struct em_options em;
	int as_selection;	/* search a lone model as one of a selection is searched
				 * (not deeper: the likelihood-ratio test's replicates) */
	const struct gmm *warm;	/* a start screened with the generated ones when its
				 * K and structure are a model's (the likelihood-ratio
				 * test's replicates), or NULL */
	const struct gmm *split;	/* a fit of K - 1 components whose splits are
				 * starts of the model of K when the run has no
				 * K - 1 (the test's replicates of K + 1), or NULL */
	int no_hc;		/* generated starts without the hierarchical one (the
				 * test's replicates, which start from fits) */
};

/* What a model's fit is worth. */
enum fit_verdict {
	FIT_USABLE = 0,
	FIT_DEGENERATE,		/* every start ended degenerate: why says how */
	FIT_NOT_IDENTIFIABLE	/* as many free parameters as rows, or more */
};

/* How sure the search is, for one model. */
struct fit_search {
	size_t starts;		/* starts screened (or run, when none were screened) */
	size_t run;		/* of them run to convergence */
	size_t reached_best;	/* runs that ended within FIT_REACHED_RTOL of the best */
	size_t degenerate;	/* runs (screened or full) that ended degenerate */
	size_t failed;		/* starts that ended in a numerical failure */
	int have_runner_up;	/* another, lower optimum was found */
	double runner_up_loglik;	/* the best of those (0 when none) */
	size_t search_rows;	/* rows the search ran on: n, or a sample of them */
};

struct fit_model {
	size_t k;
	enum gmm_cov cov;
	int status;		/* GM_OK, or why this model could not be fitted */
	char message[640];	/* the error (status != GM_OK) or the verdict's reason */
	enum fit_verdict verdict;	/* meaningful when status is GM_OK */
	struct gmm *g;		/* the best usable model, sorted by mean; NULL unless
				 * status is GM_OK and verdict FIT_USABLE */
	struct em_result res;
	size_t n_params;
	double bic, aic;
	double entropy;		/* -sum_i w_i sum_k z_ik log z_ik */
	double icl;		/* bic - 2 sum_i w_i log max_k z_ik */
	struct fit_search search;
	size_t starts_failed;	/* = search.failed (kept for the reports) */
};

struct fit_result {
	struct fit_model *models;
	size_t nmodels;
	size_t chosen;		/* index of the lowest criterion among usable models */
	enum fit_criterion criterion;
	double total_weight;
	double init_seconds;	/* wall time in starting points, all models */
	double em_seconds;	/* wall time in EM, all models */
	size_t em_iterations;	/* M steps, all models and starts */
};

/*
 * The default search's starts per model for n rows: FIT_DEFAULT_STARTS,
 * or more for small n, where each start is cheap and the landscape has
 * more local optima (components on a few rows each): about
 * FIT_STARTS_ROWS / n, at most FIT_STARTS_CAP.
 */
size_t fit_default_starts(size_t n);

/*
 * The most starts the default search makes for a model (of n rows, ns
 * starts at first) while its best was reached by one start only:
 * FIT_MORE_STARTS * ns, within FIT_MORE_ROWS / n (never below ns), so
 * that the extension costs what it costs on a thousand rows at most.
 */
size_t fit_max_starts(size_t n, size_t ns);

/*
 * Fit every model.  Returns GM_OK when at least one model is usable
 * (the others are recorded in their entries); otherwise GM_ENUMERIC when
 * every fitted model is degenerate or not identifiable (err names the
 * component and what to try), or the status of the first failure, with
 * err filled.
 */
int fit_run(const struct dataset *ds, const struct fit_options *opt,
	    struct fit_result *res, struct gm_error *err);

void fit_result_free(struct fit_result *res);

/*
 * Whether g (K > 1), fitted to rows of total weight wtot with regulariser reg
 * (d values), has a degenerate component: one with its own covariance
 * holding fewer than d + 1 rows of weight (a tied one: less than one),
 * or a covariance eigenvalue held up by the regulariser (below twice
 * reg in the metric of the regulariser's diagonal), or, where grid (d
 * values, 0 for a column on no grid; or NULL) gives the step a column's
 * values are all multiples of, an sd under FIT_GRID_SD of that step (its
 * rows on one value of the column).  Returns -1 when none is, else the
 * first such component, with why filled.
 */
long fit_degenerate(const struct gmm *g, double wtot, const double *reg, const double *grid,
		    char *why, size_t len);

/*
 * The classification entropy -sum_i w_i sum_k z_ik log z_ik and
 * sum_i w_i log max_k z_ik of g (prepared) over ds, in a fixed order
 * (each block's sums, then the blocks in row order: the same for any
 * thread count, and for rows spread over processes, each of which scans
 * its own; see fit_attach).  Returns 0, or -1 when out of memory.
 */
int fit_classification(const struct dataset *ds, const struct gmm *g, int threads,
		       double *entropy, double *sum_log_max);

/*
 * Register the classification's scan (dataset_scan_add), so that every
 * process of a spread data set knows it: all call it, in the same order
 * as the other modules' attach.  Returns 0, or -1 when the table is full.
 */
int fit_attach(void);

#endif
