/*
 * covmodel.h - the covariances of mclust's models that gmmfit's first
 * four structures do not cover: EII, EEI, EVI, EEV and EVV, whose M step
 * has a closed form (Celeux and Govaert 1995, "Gaussian parsimonious
 * clustering models", Pattern Recognition 28: 781-793), and VEI, VEE,
 * VEV, EVE and VVE, whose M step is iterative.
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
 * and iteratively, each inner step lowering minus the expected
 * complete-data log-likelihood (see covmodel.c for the stopping rule):
 *   VEI  lambda_j B: lambda_j = tr(W_j B^-1) / (d n_j), then
 *        B = diag(sum_j W_j / lambda_j) at determinant 1, in turn
 *   VEE  lambda_j C: the same with C full
 *   VEV  lambda_j D_j A D_j': D_j W_j's eigenvectors, then lambda_j and
 *        A from W_j's eigenvalues as VEI's from its diagonals
 *   EVE  lambda D A_j D', VVE lambda_j D A_j D': the orientation D by the
 *        MM steps of Browne and McNicholas (2014, "Estimating common
 *        principal components in high dimensions", Advances in Data
 *        Analysis and Classification 8: 217-226), then A_j (and lambda_j)
 *        in closed form given D, in turn
 * and the regulariser is then added to the diagonals, as it is for the
 * other structures.
 *
 * With mclust's conjugate prior (--prior; its meeiip and meeeip, the EM
 * that Mclust runs with priorControl()) EII and EEI take the posterior
 * mode: the prior's part is added to the pooled scatter's diagonal and
 * the sum divided by the prior's count instead of n d or n.  VEI and VEV
 * take it as mclust's msveip and msvevp: each component's scatter with
 * the prior's scale and c delta delta' (see covmodel_work_prior).
 */
#ifndef GMMFIT_COVMODEL_H
#define GMMFIT_COVMODEL_H

#include "gmm.h"

/*
 * Whether covmodel_mstep makes structure t's covariances (EII, EEI, EVI,
 * EEV, EVV, VEI, VEE, VEV, EVE, VVE); whether its M step is iterative and
 * needs a work array (VEI, VEE, VEV, EVE, VVE) of covmodel_work_len(k, d)
 * doubles.
 */
int covmodel_handles(enum gmm_cov t);
int covmodel_iterative(enum gmm_cov t);
size_t covmodel_work_len(size_t k, size_t d);

/*
 * The work array's tail of k*d*d doubles, where --prior's VEI and VEV
 * steps keep each component's scatter with the prior's terms (mclust's
 * msveip, msvevp): covmodel_mstep reads it as m2, with the prior's den
 * (VEI: nu + 2, + 1 with the means' prior; VEV: 0) added to each
 * volume's d n_j.
 */
double *covmodel_work_prior(double *work, size_t k, size_t d);

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
 * every eigenvalue zero for EEV and VEV, a volume or a scatter along the
 * common axes that is not positive for the iterative ones; 0 when a
 * shared shape is not positive).  pp is the prior's part (EII, EEI, and
 * VEI and VEV through covmodel_work_prior), or NULL.  work is the iterative models' array (NULL for the
 * others; zeros at first), whose first d*d doubles keep component 0's
 * covariance from the last step made with it (before the regulariser),
 * which starts the next one's iteration.  Allocates nothing.
 */
long covmodel_mstep(struct gmm *g, const double *s0, const double *m2, const double *reg,
		    const struct covmodel_prior *pp, double *work);

#endif
