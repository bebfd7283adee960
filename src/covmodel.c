/*
 * covmodel.c - the closed-form M steps of mclust's EII, EEI, EVI, EEV and
 * EVV models (see covmodel.h).  EEV needs each scatter matrix's
 * eigen-decomposition; a cyclic Jacobi method gives it, in a fixed order
 * of rotations, so the result does not depend on the number of threads or
 * processes that made the scatter.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include "covmodel.h"

#define JACOBI_SWEEPS 100	/* a symmetric matrix converges in well under 20 */

int
covmodel_handles(enum gmm_cov t)
{
	return t == GMM_EII || t == GMM_EEI || t == GMM_EVI || t == GMM_EEV || t == GMM_EVV;
}

/* The full symmetric matrix of a scatter whose lower triangle is set. */
static void
symmetric(const double *m2, double *a, size_t d)
{
	for (size_t p = 0; p < d; p++)
		for (size_t q = 0; q <= p; q++)
			a[p * d + q] = a[q * d + p] = m2[p * d + q];
}

/*
 * Eigen-decomposition of the symmetric d*d matrix a (overwritten: its
 * diagonal ends as the eigenvalues) by cyclic Jacobi rotations; the
 * eigenvectors into the columns of v.
 */
static void
jacobi(double *a, double *v, size_t d)
{
	for (size_t p = 0; p < d; p++)
		for (size_t q = 0; q < d; q++)
			v[p * d + q] = p == q ? 1.0 : 0.0;
	for (int sweep = 0; sweep < JACOBI_SWEEPS; sweep++) {
		double off = 0.0, on = 0.0;
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q < d; q++) {
				if (p == q)
					on += a[p * d + p] * a[p * d + p];
				else
					off += a[p * d + q] * a[p * d + q];
			}
		if (!(off > 1e-32 * on))
			return;
		for (size_t p = 0; p + 1 < d; p++)
			for (size_t q = p + 1; q < d; q++) {
				double apq = a[p * d + q], theta, t, c, s;
				if (fabs(apq) <= 1e-300)
					continue;
				theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
				t = (theta >= 0.0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
				c = 1.0 / sqrt(t * t + 1.0);
				s = t * c;
				/* a = J' a J, J the rotation in the (p, q) plane. */
				for (size_t r = 0; r < d; r++) {
					double arp = a[r * d + p], arq = a[r * d + q];
					a[r * d + p] = c * arp - s * arq;
					a[r * d + q] = s * arp + c * arq;
				}
				for (size_t r = 0; r < d; r++) {
					double apr = a[p * d + r], aqr = a[q * d + r];
					a[p * d + r] = c * apr - s * aqr;
					a[q * d + r] = s * apr + c * aqr;
				}
				a[p * d + q] = a[q * d + p] = 0.0;
				for (size_t r = 0; r < d; r++) {
					double vrp = v[r * d + p], vrq = v[r * d + q];
					v[r * d + p] = c * vrp - s * vrq;
					v[r * d + q] = s * vrp + c * vrq;
				}
			}
	}
}

/*
 * EEV: every component's eigenvalues in decreasing order, summed over the
 * components, give the shared volume and shape; each keeps its own
 * eigenvectors.  No scratch but g's own: component j's eigenvectors are
 * made in g->chol_j and its sorted eigenvalues kept in the first row of
 * g->cov_j, their sum over the components in the first row of g->cov_0,
 * which is written last.
 */
static long
mstep_eev(struct gmm *g, const double *m2, double wsum)
{
	const size_t k = g->k, d = g->d;
	const double *omega = g->cov;

	for (size_t j = 0; j < k; j++) {
		double *a = g->cov + j * d * d, *v = g->chol + j * d * d, top = 0.0;
		symmetric(m2 + j * d * d, a, d);
		jacobi(a, v, d);
		/* Selection sort of the eigenpairs by decreasing eigenvalue. */
		for (size_t p = 0; p < d; p++) {
			size_t best = p;
			for (size_t q = p + 1; q < d; q++)
				if (a[q * d + q] > a[best * d + best])
					best = q;
			if (best != p) {
				double t = a[p * d + p];
				a[p * d + p] = a[best * d + best];
				a[best * d + best] = t;
				for (size_t r = 0; r < d; r++) {
					t = v[r * d + p];
					v[r * d + p] = v[r * d + best];
					v[r * d + best] = t;
				}
			}
		}
		/* The first row's off-diagonal entries are no longer needed. */
		for (size_t p = 0; p < d; p++) {
			a[p] = a[p * d + p] > 0.0 ? a[p * d + p] : 0.0;	/* rounding: never negative */
			top = fmax(top, a[p]);
		}
		if (!(top > 0.0) || !isfinite(top))
			return (long)j;
	}
	for (size_t j = 1; j < k; j++)
		for (size_t p = 0; p < d; p++)
			g->cov[p] += g->cov[j * d * d + p];
	/* Sigma_j = V_j diag(omega / n) V_j', component 0 last (its first row holds omega). */
	for (size_t jj = k; jj-- > 0;) {
		double *cv = g->cov + jj * d * d, s00 = 0.0;
		const double *v = g->chol + jj * d * d;
		for (size_t p = d; p-- > 1;)
			for (size_t q = 0; q <= p; q++) {
				double s = 0.0;
				for (size_t r = 0; r < d; r++)
					s += v[p * d + r] * v[q * d + r] * omega[r];
				cv[p * d + q] = s / wsum;
				if (q > 0)
					cv[q * d + p] = s / wsum;
			}
		for (size_t r = 0; r < d; r++)
			s00 += v[r] * v[r] * omega[r];
		for (size_t p = 1; p < d; p++)
			cv[p] = cv[p * d];
		cv[0] = s00 / wsum;
	}
	return -1;
}

/*
 * EVI and EVV: S_j = diag(W_j) or W_j scaled to lambda / |S_j|^(1/d);
 * the log of each |S_j|^(1/d) is kept in g->logdet meanwhile.
 */
static long
mstep_equal_volume(struct gmm *g, const double *m2, double wsum)
{
	const size_t k = g->k, d = g->d;
	const int diag = g->cov_type == GMM_EVI;
	double lambda = 0.0;

	for (size_t j = 0; j < k; j++) {
		double *cv = g->cov + j * d * d, ld = 0.0;
		const double *w = m2 + j * d * d;
		memset(cv, 0, d * d * sizeof *cv);
		if (diag)
			for (size_t p = 0; p < d; p++)
				cv[p * d + p] = w[p * d + p];
		else
			symmetric(w, cv, d);
		/* The volume in logs: a determinant of a large d under- or overflows. */
		if (gmm_cholesky(cv, g->chol + j * d * d, d))
			return (long)j;
		for (size_t p = 0; p < d; p++)
			ld += log(g->chol[j * d * d + p * d + p]);
		g->logdet[j] = 2.0 * ld / (double)d;
		if (!isfinite(g->logdet[j]))
			return (long)j;
	}
	for (size_t j = 0; j < k; j++)
		lambda += exp(g->logdet[j]);
	lambda /= wsum;
	for (size_t j = 0; j < k; j++) {
		double f = lambda / exp(g->logdet[j]);
		for (size_t p = 0; p < d * d; p++)
			g->cov[j * d * d + p] *= f;
	}
	return -1;
}

long
covmodel_mstep(struct gmm *g, const double *s0, const double *m2, const double *reg,
	       const struct covmodel_prior *pp)
{
	const size_t k = g->k, d = g->d;
	double wsum = 0.0, regmean = 0.0;
	long bad = -1;

	for (size_t j = 0; j < k; j++)
		wsum += s0[j];
	for (size_t c = 0; c < d; c++)
		regmean += reg[c] / (double)d;
	switch (g->cov_type) {
	case GMM_EII:
	case GMM_EEI: {
		/* One diagonal for all: the pooled scatter's, or its mean for EII. */
		double *cv = g->cov, tr = 0.0;
		memset(cv, 0, d * d * sizeof *cv);
		double den = pp != NULL ? pp->den : g->cov_type == GMM_EII ? wsum * (double)d : wsum;
		for (size_t j = 0; j < k; j++)
			for (size_t p = 0; p < d; p++)
				cv[p * d + p] += m2[j * d * d + p * d + p];
		for (size_t p = 0; pp != NULL && p < d; p++)
			cv[p * d + p] += pp->add[p];
		for (size_t p = 0; p < d; p++)
			tr += cv[p * d + p];
		for (size_t p = 0; p < d; p++)
			cv[p * d + p] = g->cov_type == GMM_EII ? tr / den + regmean
							       : cv[p * d + p] / den + reg[p];
		for (size_t j = 1; j < k; j++)
			memcpy(g->cov + j * d * d, cv, d * d * sizeof *cv);
		return -1;
	}
	case GMM_EVI:
	case GMM_EVV:
		bad = mstep_equal_volume(g, m2, wsum);
		break;
	case GMM_EEV:
		bad = mstep_eev(g, m2, wsum);
		break;
	default:
		return -1;	/* not one of these: em.c's own M step */
	}
	if (bad >= 0)
		return bad;
	for (size_t j = 0; j < k; j++)
		for (size_t p = 0; p < d; p++)
			g->cov[j * d * d + p * d + p] += reg[p];
	return -1;
}
