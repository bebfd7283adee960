/*
 * covmodel.h - the covariances of mclust's models whose M step has a
 * closed form and that gmmfit's first four structures do not cover:
 * EII, EEI, EVI, EEV and EVV (Celeux and Govaert 1995, "Gaussian
 * parsimonious clustering models", Pattern Recognition 28: 781-793).
 *
 * Each is the maximum of the expected complete-data log-likelihood over
 * the model's covariances, given the components' weighted scatter W_j
 * about their means and n = sum of their weights:
 *   EII  lambda I,  lambda = tr(W) / (n d),  W = sum_j W_j
 *   EEI  diag(W) / n
 *   EVI  lambda B_j,  B_j = diag(W_j) / |diag(W_j)|^(1/d),
 *        lambda = sum_j |diag(W_j)|^(1/d) / n
 *   EEV  D_j (sum_i Omega_i / n) D_j',  W_j = D_j Omega_j D_j' with the
 *        eigenvalues Omega_j in decreasing order
 *   EVV  lambda W_j / |W_j|^(1/d),  lambda = sum_j |W_j|^(1/d) / n
 * and the regulariser is then added to the diagonals, as it is for the
 * other structures.
 *
 * With mclust's conjugate prior (--prior; its meeiip and meeeip, the EM
 * that Mclust runs with priorControl()) EII and EEI take the posterior
 * mode: the prior's part is added to the pooled scatter's diagonal and
 * the sum divided by the prior's count instead of n d or n.
 */
#ifndef GMMFIT_COVMODEL_H
#define GMMFIT_COVMODEL_H

#include "gmm.h"

/*
 * Whether covmodel_mstep makes structure t's covariances (EII, EEI, EVI,
 * EEV, EVV).
 */
int covmodel_handles(enum gmm_cov t);

/*
 * The prior's part of an EII or EEI M step: add (d values) is added to
 * the diagonal of the pooled scatter sum_j W_j, and den divides it: the
 * trace for EII (in place of n d), each diagonal entry for EEI (in place
 * of n).
 */
struct covmodel_prior {
	const double *add;
	double den;
};

/*
 * g's k covariances (g->cov, full d*d symmetric matrices) for structure
 * g->cov_type from the weights s0[k] and the scatter matrices m2 (k*d*d,
 * the lower triangle read; only the diagonals for the diagonal models),
 * with reg[d] added to the diagonals (their mean for EII).  g->chol is
 * used as scratch (gmm_prepare makes it again).  Returns -1, or the index
 * of a component whose scatter leaves its covariance undefined (a
 * diagonal entry or a determinant that is not positive for EVI and EVV,
 * every eigenvalue zero for EEV).  pp is the prior's part (EII and EEI
 * only), or NULL.  Allocates nothing.
 */
long covmodel_mstep(struct gmm *g, const double *s0, const double *m2, const double *reg,
		    const struct covmodel_prior *pp);

#endif
