/*
 * em.h - the EM iteration for Gaussian mixtures.
 *
 * One pass over the rows per iteration: for each fixed-size block of rows
 * the E step (log-densities, log-sum-exp, responsibilities) and the
 * sufficient statistics of that block are computed together, and the
 * blocks' statistics are merged in block order.  The block statistics are
 * centred (count, mean, scatter about the block's own mean) and merged
 * with Chan's pairwise update, so variances never come from
 * E[x^2] - E[x]^2.  Blocks may run on several threads; the merge order is
 * fixed, so the result is the same for any number of threads.  No n*K
 * array is ever held.
 */
#ifndef GMMFIT_EM_H
#define GMMFIT_EM_H

#include <stddef.h>

#include "dataset.h"
#include "error.h"
#include "gmm.h"

#define EM_BLOCK DS_BLOCK	/* rows per block: the unit of summation order */
#define EM_CHUNKS DS_CHUNKS	/* chunks of blocks: the unit of the merge order */

/* Weighted sufficient statistics of a set of rows, per component. */
struct em_stats {
	size_t k, d;
	int full;		/* scatter matrices kept in full; else diagonals only */
	double *s0;		/* k: sum of weight * responsibility */
	double *mean;		/* k*d: weighted mean */
	double *m2;		/* k*d*d: scatter about the mean (lower triangle used) */
	double loglik;		/* sum of weight * log p(x) */
	double loglik_c;	/* compensation term of that sum */
	double *delta;		/* d > 64: the merge's scratch (merging allocates nothing) */
	double *cwork;		/* the iterative M steps' work (covmodel.h), made by the first */
};

/*
 * A conjugate prior on the means and covariances (--prior; Fraley and
 * Raftery 2007, mclust's defaultPrior): normal on each mean given its
 * covariance, with shrinkage kappa towards mean; inverse Wishart on the
 * covariance with dof degrees of freedom and scale var / K^(2/d) (full,
 * tied), or trace(var) / d / K^(2/d) (diag, spherical: a number), K
 * the model's.  The M step then gives the posterior mode; the weights
 * have no prior.
 */
#define EM_PRIOR_DMAX 512	/* columns a prior is for, at most */

struct em_prior {
	double shrinkage;	/* kappa: 0.01 */
	double dof;		/* nu: d + 2 */
	const double *mean;	/* d: the data's mean */
	const double *var;	/* d*d: the data's covariance (divided by the total weight - 1) */
};

struct em_options {
	size_t max_iter;	/* iterations (M steps) at most */
	double tol;		/* stop when the mean log-likelihood changes less */
	const double *reg;	/* d values added to the covariance diagonals */
	int threads;		/* 0: OpenMP's default */
	int accel;		/* EM_ACCEL_NONE or EM_ACCEL_SQUAREM */
	unsigned fix;		/* EM_FIX_* bits: parameters kept at the start's values */
	const struct em_prior *prior;	/* --prior, or NULL: maximum likelihood */
	void (*progress)(void *arg, size_t iter, double mean_loglik, double change);
	void *progress_arg;
};

enum {
	EM_ACCEL_NONE = 0,	/* plain EM: one M step per pass */
	EM_ACCEL_SQUAREM = 1	/* SQUAREM (Varadhan and Roland 2008), safeguarded */
};

/* Parameters --fix keeps at their starting values. */
enum {
	EM_FIX_WEIGHTS = 1,
	EM_FIX_MEANS = 2,
	EM_FIX_COVARIANCES = 4
};

struct em_result {
	size_t iterations;	/* M steps made */
	int converged;		/* the change fell below tol */
	double loglik;		/* log-likelihood of the final model */
	double mean_loglik;	/* loglik / total weight */
	double last_change;	/* last change of the mean log-likelihood */
};

int em_stats_init(struct em_stats *s, size_t k, size_t d, int full);
void em_stats_free(struct em_stats *s);
void em_stats_zero(struct em_stats *s);

/*
 * Statistics of nrows rows x (row-major, d columns) with row weights w
 * (NULL: 1) and responsibilities r (nrows*k, row-major), into blk (which
 * is overwritten; its loglik is left 0).
 */
void em_block_stats(const double *x, const double *w, const double *r,
		    size_t nrows, struct em_stats *blk);

/*
 * The same for a hard assignment: row i wholly in component lab[i] (each
 * below blk->k), as r one-hot at lab would give, to the same bits.
 */
void em_block_stats_labels(const double *x, const double *w, const size_t *lab,
			   size_t nrows, struct em_stats *blk);

/* total += blk, Chan's update; blocks must be merged in a fixed order. */
void em_stats_merge(struct em_stats *total, const struct em_stats *blk);

/*
 * The statistics of k components in d columns as em_stats_len(k, d)
 * doubles, and back (into statistics of the same k, d), for a transport.
 */
size_t em_stats_len(size_t k, size_t d);
void em_stats_pack(const struct em_stats *s, double *b);
void em_stats_unpack(struct em_stats *s, const double *b);

/* Whether chunk c of n rows holds a block (the others are never merged). */
int em_chunk_used(size_t n, size_t c);

/*
 * Where a pass gets the statistics of every chunk of ds's rows when they
 * are not all here (dataset.h, em_source): pass fills slot[c], for each
 * chunk c that holds blocks (em_chunk_used; those are initialised, the
 * others are left alone), with the statistics (want) or only the
 * log-likelihood of that chunk's rows under g, as em_pass_chunks would
 * with all the rows at hand.  Returns GM_OK, or GM_EINTERNAL (out of
 * memory anywhere).
 */
struct em_source {
	int (*pass)(const struct dataset *ds, const struct gmm *g, int want,
		    struct em_stats *slot, int threads);
};

/*
 * One pass over the data with model g (prepared): the log-likelihood into
 * *ll, and the statistics for the next M step when st is not NULL.  The
 * chunks come from ds->em_source when set, else from the rows here.
 * With ds->round set, a value of a column of width h > 0 stands for the
 * interval [x - h/2, x + h/2]: the log-likelihood is that of grouped data
 * (each row's probability of its box) and the statistics are the
 * grouped-data E step's (McLachlan and Jones 1988), for models with
 * diagonal factors (one column, diag, spherical) only.
 * Returns GM_OK, GM_EUSAGE for rounded rows under a full or tied model of
 * several columns, or GM_EINTERNAL when out of memory (*ll is then NaN).
 */
/*
 * Row x's log(w_j P_j) for each component j into lp (k) under the widths
 * h (ds->round): the terms em_pass's grouped-data E step uses.  g
 * prepared, with diagonal factors.
 */
void em_log_components_rounded(const struct gmm *g, const double *x, const double *h, double *lp);

/* Doubles of scratch em_block_class needs for a block (k components, d columns). */
size_t em_block_scratch(size_t d, size_t k);

/*
 * The classification's sums over rows x[0..rows) (rows <= EM_BLOCK, w
 * their weights or NULL, round the widths of rounded columns or NULL),
 * from the E step's own kernels: *ent = sum_i w_i (-sum_j z_ij log z_ij)
 * and *slm = sum_i w_i log max_j z_ij, z the responsibilities.  g
 * prepared; scratch em_block_scratch(d, k) doubles.
 */
void em_block_class(const struct gmm *g, const double *x, const double *w, size_t rows,
		    const double *round, double *scratch, double *ent, double *slm);

int em_pass(const struct dataset *ds, const struct gmm *g,
	    struct em_stats *st, int threads, double *ll);

/*
 * Part of a pass: the statistics (want) or only the log-likelihood of
 * chunks [c0, c1) into slot[c0..c1) (initialised), for a data set whose
 * x and w start at global row row0 and hold those chunks' rows.  Chunk c
 * is blocks c*B/EM_CHUNKS to (c+1)*B/EM_CHUNKS - 1 of the B blocks of
 * all ds->n rows.  0, or -1 when out of memory (the slots are then not whole).
 */
int em_pass_chunks(const struct dataset *ds, const struct gmm *g, int want,
		   struct em_stats *slot, size_t c0, size_t c1, size_t row0,
		   int threads);

/*
 * The M step: g's weights, means and covariances from st, with reg added
 * to the diagonals, then g is prepared.  Returns -1 on success, or the
 * component whose covariance is not positive definite or that lost all
 * its rows.
 */
long em_mstep(const struct em_stats *st, struct gmm *g, const double *reg);

/*
 * The M step with some parameters held at fixed's values (fix: EM_FIX_*
 * bits).  With the means fixed at mu0, each covariance is the scatter
 * about mu0 (the scatter about the block means plus s0 (m - mu0)(m - mu0)'),
 * which is the constrained maximum.
 */
long em_mstep_fixed(const struct em_stats *st, struct gmm *g, const double *reg,
		    const struct gmm *fixed, unsigned fix);

/*
 * em_mstep_fixed with a prior (NULL: none): the means and covariances
 * are the posterior mode's.  With the prior, each mean is
 * (s0 m + kappa mean) / (s0 + kappa), and with c = s0 kappa / (s0 + kappa),
 * D the scatter about m and delta = m - the prior's mean:
 *   full       (L + D + c delta delta') / (nu + s0 + d + 2)
 *   diag       (l + D_pp + c delta_p^2) / (nu + s0 + 3) on the diagonal
 *   spherical  (l + tr D + c |delta|^2) / (nu + s0 d + d + 2)
 *   tied       (L + sum over components) / (nu + n + d + 1 + K)
 * (L the prior's scale, l its number; n the total weight), mclust's.
 * mclust's other models (EII .. VVE) take their covariances from
 * covmodel_mstep (covmodel.h; the iterative ones start from the last
 * such step made with st, and the first makes st's work array, returning
 * 0 when it cannot be had); of them EII, EEI, VEI and VEV
 * take the prior too, as mclust's EM does (covmodel.h), and prior is
 * ignored for the
 * others (gmm_cov_has_prior; the command line refuses it).
 */
long em_mstep_prior(const struct em_stats *st, struct gmm *g, const double *reg,
		    const struct gmm *fixed, unsigned fix, const struct em_prior *prior);

/*
 * What em_fit's GM_ENUMERIC error says went wrong, at the end of its
 * message: "component J of K = K collapsed after N iterations
 * (EM_COLLAPSED)".  The library names the fault only; a front end that
 * finds it may add advice on its own options.
 */
#define EM_COLLAPSED "its covariance is not positive definite, or it lost all its rows"

/*
 * Run EM from g (prepared) until convergence or max_iter; g holds the
 * final model.  Convergence: a plain EM step changed the mean
 * log-likelihood by less than tol.  With EM_ACCEL_SQUAREM, after two EM
 * steps theta0 -> theta1 -> theta2 the parameters (weights, means,
 * covariances; a point that is not a model is refused) are
 * extrapolated along r = theta1 - theta0 and v = theta2 - 2 theta1 + theta0
 * with step alpha = |r|/|v| (scheme S3), bounded by a limit that starts at
 * 1 and grows fourfold when a step reaching it is kept; the extrapolated
 * point is kept (and taken one EM step further) only when it is a model
 * whose log-likelihood is at least theta1's, else the run goes on from
 * theta2.
 * So the log-likelihood never falls below that of plain EM's last step.
 * Iterations count M steps.  On a numerical failure returns GM_ENUMERIC
 * with err naming the component (EM_COLLAPSED); GM_EINTERNAL when out
 * of memory.
 */
int em_fit(const struct dataset *ds, struct gmm *g, const struct em_options *opt,
	   struct em_result *res, struct gm_error *err);

#endif
