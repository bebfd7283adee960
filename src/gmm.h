/*
 * gmm.h - a Gaussian mixture model: weights, means, covariances and their
 * Cholesky factors.
 *
 * Covariances are stored as full d*d matrices for every structure (a
 * diagonal one has zeros off the diagonal, a spherical one a multiple of
 * the identity, tied ones are equal), so the density code is one; the
 * structure decides how the M step fills them and how parameters are
 * counted.
 *
 * The structures are models of mclust's eigen-decomposition family
 * Sigma_k = lambda_k D_k A_k D_k' (Banfield and Raftery 1993; Celeux and
 * Govaert 1995), named by three letters for volume, shape and orientation,
 * each E (equal across components), V (varying) or I (identity).  The
 * first four keep gmmfit's own names (full = VVV, diag = VVI,
 * spherical = VII, tied = EEE); the others are named as mclust names them.
 * In one column every model is mclust's V (full, diag, spherical) or E
 * (the others): the same fit.
 */
#ifndef GMMFIT_GMM_H
#define GMMFIT_GMM_H

#include <stddef.h>

enum gmm_cov {
	GMM_FULL,
	GMM_DIAG,
	GMM_SPHERICAL,
	GMM_TIED,
	GMM_EII,	/* spherical, equal volume */
	GMM_EEI,	/* diagonal, equal volume and shape */
	GMM_EVI,	/* diagonal, equal volume, varying shape */
	GMM_EEV,	/* ellipsoidal, equal volume and shape */
	GMM_EVV,	/* ellipsoidal, equal volume */
	GMM_VEI,	/* diagonal, equal shape */
	GMM_VEE,	/* ellipsoidal, equal shape and orientation */
	GMM_VEV,	/* ellipsoidal, equal shape */
	GMM_EVE,	/* ellipsoidal, equal volume and orientation */
	GMM_VVE		/* ellipsoidal, equal orientation */
};

#define GMM_NCOV 14	/* the structures above */

struct gmm {
	size_t k, d;
	enum gmm_cov cov_type;
	double *weight;		/* k, sum 1 */
	double *mean;		/* k*d */
	double *cov;		/* k*d*d, symmetric */
	double *chol;		/* k*d*d, lower Cholesky factor of cov */
	double *logdet;		/* k, log det cov */
	double *logw;		/* k, log weight */
};

/* Allocate a model with zeroed parameters; NULL when out of memory. */
struct gmm *gmm_new(size_t k, size_t d, enum gmm_cov cov_type);

void gmm_free(struct gmm *g);

/* Copy src's parameters into dst (same k and d). */
void gmm_copy(struct gmm *dst, const struct gmm *src);

/* A new copy of g, or NULL. */
struct gmm *gmm_dup(const struct gmm *g);

/*
 * Factor every covariance and cache log-weights and log-determinants.
 * Returns -1 when all are positive definite, else the index of the first
 * component whose covariance is not (or whose weight is not positive).
 */
long gmm_prepare(struct gmm *g);

/*
 * Log of weight_j times the density of component j at x, for every j,
 * into lp[k].  Needs gmm_prepare.  work holds d doubles.
 */
void gmm_log_components(const struct gmm *g, const double *x, double *lp,
			double *work);

/* log sum exp of v[0..k), stable for any finite inputs. */
double gmm_logsumexp(const double *v, size_t k);

/*
 * Free parameters: weights, means and the covariance model's, counted as
 * mclust counts them (nVarParams); for full, diag, spherical and tied
 * that is also scikit-learn's count.
 */
size_t gmm_n_parameters(const struct gmm *g);

/*
 * Drawing from g: the component whose cumulative weight first passes u
 * (in [0, 1); the last when rounding leaves none), and component j's
 * point for d standard normal draws z: mean_j + L_j z, into x (d).
 */
size_t gmm_pick(const struct gmm *g, double u);
void gmm_point(const struct gmm *g, size_t j, const double *z, double *x);

/* Reorder components by mean (first coordinate, then the next, ..). */
void gmm_sort(struct gmm *g);

/* "full", "diag", "spherical", "tied", or mclust's name of the others ("EEV"). */
const char *gmm_cov_name(enum gmm_cov t);

/*
 * mclust's name and geometry, in mclust's words ("EEV: ellipsoidal, equal
 * volume and shape"); for one column (d = 1) mclust's V or E ("V:
 * univariate, unequal variance").
 */
const char *gmm_cov_describe(enum gmm_cov t, size_t d);

/* mclust's three letters of the structure ("VVV" for full). */
const char *gmm_cov_mclust(enum gmm_cov t);

/* Parse a structure name (gmm_cov_name's); returns -1 when unknown. */
int gmm_cov_parse(const char *s, enum gmm_cov *t);

/*
 * What a structure is: diagonal covariances (so a component's density
 * needs no substitution); one covariance shared by all components;
 * spherical ones (one variance per component); a model whose M step can
 * take --prior's conjugate prior.
 */
int gmm_cov_is_diagonal(enum gmm_cov t);
int gmm_cov_is_shared(enum gmm_cov t);
int gmm_cov_is_spherical(enum gmm_cov t);
int gmm_cov_has_prior(enum gmm_cov t);

/* Cholesky factor of the d*d matrix a into l (lower); 0 on success, -1 if not PD. */
int gmm_cholesky(const double *a, double *l, size_t d);

#endif
