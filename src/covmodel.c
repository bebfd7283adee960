/*
 * covmodel.c - the M steps of mclust's models beyond gmmfit's four (see
 * covmodel.h): EII, EEI, EVI, EEV and EVV in closed form; VEI, VEE, VEV
 * (volumes and shape in turn) and EVE, VVE (shapes and the common
 * orientation in turn) by iterations over the K scatter matrices alone,
 * never the rows.  EEV needs each scatter matrix's eigen-decomposition; a
 * cyclic Jacobi method gives it, in a fixed order of rotations, so the
 * result does not depend on the number of threads or processes that made
 * the scatter.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include "covmodel.h"

#define JACOBI_SWEEPS 100	/* a symmetric matrix converges in well under 20 */

int
covmodel_iterative(enum gmm_cov t)
{
	return t == GMM_VEI || t == GMM_VEE || t == GMM_VEV || t == GMM_EVE || t == GMM_VVE;
}

int
covmodel_handles(enum gmm_cov t)
{
	return t == GMM_EII || t == GMM_EEI || t == GMM_EVI || t == GMM_EEV || t == GMM_EVV ||
	       covmodel_iterative(t);
}

size_t
covmodel_work_len(size_t k, size_t d)
{
	return (8 + 2 * k) * d * d + 3 * k * d + 3 * k + 4 * d;
}

double *
covmodel_work_prior(double *work, size_t k, size_t d)
{
	return work + (8 + k) * d * d + 3 * k * d + 3 * k + 4 * d;
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

/* Selection sort of jacobi's eigenpairs by decreasing eigenvalue. */
static void
sort_eigen(double *a, double *v, size_t d)
{
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
		sort_eigen(a, v, d);
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

/*
 * The iterative M steps (VEI, VEE, VEV, EVE, VVE).  Each lowers
 *   Q = sum_j [ n_j log |Sigma_j| + tr(W_j Sigma_j^-1) ]
 * (minus twice the expected complete-data log-likelihood's covariance
 * part) by steps that never raise it, and stops when Q's change is at
 * most INNER_TOL (1 + |Q|), mclust's rule and default (emControl()'s
 * tol[2], sqrt of the machine epsilon), or after INNER_MAX steps.  The
 * work array's first d*d doubles hold component 0's covariance before
 * the previous step made with the same work array (zeros before the
 * first): the start where it is positive definite, else a start from the
 * scatter alone.  So the start depends only on the statistics' own
 * history (one fit's M steps), never on what a reused model held.
 */
#define INNER_TOL 1.4901161193847656e-08
#define INNER_MAX 500

static int
inner_done(double q, double qprev, int it)
{
	return fabs(q - qprev) <= INNER_TOL * (1.0 + fabs(q)) || it >= INNER_MAX;
}

/* Entry (p, q) of a scatter whose lower triangle is set. */
static double
wpq(const double *w, size_t d, size_t p, size_t q)
{
	return p >= q ? w[p * d + q] : w[q * d + p];
}

/* c = W m for a scatter W (lower triangle) and a d*d matrix m. */
static void
sym_mul(const double *w, const double *m, double *c, size_t d)
{
	for (size_t r = 0; r < d; r++)
		for (size_t i = 0; i < d; i++) {
			double s = 0.0;
			for (size_t t = 0; t < d; t++)
				s += wpq(w, d, r, t) * m[t * d + i];
			c[r * d + i] = s;
		}
}

/* Log of the geometric mean of v[0..d), every entry positive. */
static double
log_gmean(const double *v, size_t d)
{
	double s = 0.0;

	for (size_t p = 0; p < d; p++)
		s += log(v[p]);
	return s / (double)d;
}

/* Whether prev (d*d) is a positive definite start; l (d*d) is scratch. */
static int
prev_usable(const double *prev, double *l, size_t d)
{
	return gmm_cholesky(prev, l, d) == 0;
}

/*
 * The volumes and the shared shape of VEI and VEV in turn (Celeux and
 * Govaert 1995), from the shape a (d, not yet scaled): lambda_j =
 * sum_p v_jp / a_p / (den0 + d n_j), then a_p = sum_j v_jp / lambda_j,
 * scaled to determinant 1 before each use, until inner_done.  v_jp is
 * v[j vj + p vp]: W_j's diagonal for VEI, its eigenvalues for VEV.
 * Returns -1, or a component whose volume is not positive (0 for a shape
 * entry that is not, the p-th of every component being 0).
 */
static long
volumes_and_shape(const double *v, size_t vj, size_t vp, const double *s0, size_t k, size_t d,
		  double den0, double *a, double *lam)
{
	double q, qprev = HUGE_VAL;

	for (int it = 0;; it++) {
		double f = exp(-log_gmean(a, d));
		for (size_t p = 0; p < d; p++)
			a[p] *= f;
		q = 0.0;
		for (size_t j = 0; j < k; j++) {
			double t = 0.0;
			for (size_t p = 0; p < d; p++)
				t += v[j * vj + p * vp] / a[p];
			lam[j] = t / (den0 + (double)d * s0[j]);
			if (!(lam[j] > 0.0) || !isfinite(lam[j]))
				return (long)j;
			q += (den0 + (double)d * s0[j]) * (log(lam[j]) + 1.0);
		}
		if (inner_done(q, qprev, it))
			return -1;
		qprev = q;
		for (size_t p = 0; p < d; p++) {
			double t = 0.0;
			for (size_t j = 0; j < k; j++)
				t += v[j * vj + p * vp] / lam[j];
			if (!(t > 0.0) || !isfinite(t))
				return 0;
			a[p] = t;
		}
	}
}

/*
 * VEI: Sigma_j = lambda_j B, B diagonal with |B| = 1 (Celeux and Govaert
 * 1995): lambda_j = tr(W_j B^-1) / (d n_j) and B = diag(sum_j W_j /
 * lambda_j) scaled to determinant 1, in turn, from prev's diagonal.
 * With --prior (mclust's msveip) m2 holds the scatter with the prior's
 * terms and lambda_j's denominator is den0 + d n_j; den0 is 0 without.
 */
static long
mstep_vei(struct gmm *g, const double *s0, const double *m2, double *work, double den0)
{
	const size_t k = g->k, d = g->d;
	const double *prev = work;
	double *b = work + d * d, *lam = b + d;
	long bad;
	int start = 1;

	for (size_t p = 0; p < d; p++)
		start = start && prev[p * d + p] > 0.0 && isfinite(prev[p * d + p]);
	for (size_t p = 0; p < d; p++)
		b[p] = start ? prev[p * d + p] : 1.0;
	if ((bad = volumes_and_shape(m2, d * d, d + 1, s0, k, d, den0, b, lam)) >= 0)
		return bad;
	for (size_t j = 0; j < k; j++) {
		double *cv = g->cov + j * d * d;
		memset(cv, 0, d * d * sizeof *cv);
		for (size_t p = 0; p < d; p++)
			cv[p * d + p] = lam[j] * b[p];
	}
	return -1;
}

/* The inverse of L L' (l lower, d*d) into ci (d*d), column by column; y holds d. */
static void
chol_inverse(const double *l, double *ci, double *y, size_t d)
{
	for (size_t c = 0; c < d; c++) {
		for (size_t p = 0; p < d; p++) {
			double s = p == c ? 1.0 : 0.0;
			for (size_t t = 0; t < p; t++)
				s -= l[p * d + t] * y[t];
			y[p] = s / l[p * d + p];
		}
		for (size_t p = d; p-- > 0;) {
			double s = y[p];
			for (size_t t = p + 1; t < d; t++)
				s -= l[t * d + p] * ci[t * d + c];
			ci[p * d + c] = s / l[p * d + p];
		}
	}
}

/* c (d*d, positive definite, its factor in l) scaled to determinant 1; -1 if it is not. */
static int
unit_det(double *c, double *l, size_t d)
{
	double ld = 0.0, f;

	if (gmm_cholesky(c, l, d))
		return -1;
	for (size_t p = 0; p < d; p++)
		ld += log(l[p * d + p]);
	f = exp(-2.0 * ld / (double)d);
	if (!isfinite(f) || !(f > 0.0))
		return -1;
	for (size_t p = 0; p < d * d; p++) {
		c[p] *= f;
		l[p] *= sqrt(f);
	}
	return 0;
}

/*
 * An iterative M step's start (out, d*d): prev where it is positive
 * definite (l, d*d, is scratch), else the pooled scatter sum_j W_j.
 */
static void
start_matrix(const double *prev, const double *m2, size_t k, size_t d, double *out, double *l)
{
	if (prev_usable(prev, l, d)) {
		memcpy(out, prev, d * d * sizeof *out);
		return;
	}
	memset(out, 0, d * d * sizeof *out);
	for (size_t j = 0; j < k; j++)
		for (size_t p = 0; p < d; p++)
			for (size_t r = 0; r < d; r++)
				out[p * d + r] += wpq(m2 + j * d * d, d, p, r);
}

/*
 * VEE: Sigma_j = lambda_j C, |C| = 1: lambda_j = tr(W_j C^-1) / (d n_j)
 * and C = sum_j W_j / lambda_j scaled to determinant 1, in turn, from
 * prev (or the pooled scatter).
 */
static long
mstep_vee(struct gmm *g, const double *s0, const double *m2, double *work)
{
	const size_t k = g->k, d = g->d;
	const double *prev = work;
	double *c = work + d * d, *l = c + d * d, *ci = l + d * d, *lam = ci + d * d;
	double *y = lam + k, q = 0.0, qprev = HUGE_VAL;

	start_matrix(prev, m2, k, d, c, l);
	if (unit_det(c, l, d))
		return 0;
	for (int it = 0;; it++) {
		chol_inverse(l, ci, y, d);
		q = 0.0;
		for (size_t j = 0; j < k; j++) {
			const double *w = m2 + j * d * d;
			double t = 0.0;
			for (size_t p = 0; p < d; p++) {
				t += w[p * d + p] * ci[p * d + p];
				for (size_t r = 0; r < p; r++)
					t += 2.0 * w[p * d + r] * ci[p * d + r];
			}
			lam[j] = t / ((double)d * s0[j]);
			if (!(lam[j] > 0.0) || !isfinite(lam[j]))
				return (long)j;
			q += s0[j] * (double)d * (log(lam[j]) + 1.0);
		}
		if (inner_done(q, qprev, it))
			break;
		qprev = q;
		memset(c, 0, d * d * sizeof *c);
		for (size_t j = 0; j < k; j++)
			for (size_t p = 0; p < d; p++)
				for (size_t r = 0; r < d; r++)
					c[p * d + r] += wpq(m2 + j * d * d, d, p, r) / lam[j];
		if (unit_det(c, l, d))
			return 0;
	}
	for (size_t j = 0; j < k; j++)
		for (size_t p = 0; p < d * d; p++)
			g->cov[j * d * d + p] = lam[j] * c[p];
	return -1;
}

/*
 * VEV: Sigma_j = lambda_j D_j A D_j' (Celeux and Govaert 1995): D_j are
 * W_j's eigenvectors (eigenvalues Omega_j in decreasing order), then
 * lambda_j = tr(Omega_j A^-1) / (d n_j) and A = sum_j Omega_j / lambda_j
 * scaled to determinant 1, in turn, from prev's shape seen along
 * component 0's new axes.  D_j is kept in g->chol meanwhile.  With
 * --prior (mclust's msvevp) m2 holds the scatter with the prior's terms,
 * and den0 is 0 as without: mclust divides by d n_j there too.
 */
static long
mstep_vev(struct gmm *g, const double *s0, const double *m2, double *work, double den0)
{
	const size_t k = g->k, d = g->d;
	const double *prev = work;
	double *om = work + d * d, *a = om + k * d, *lam = a + d, *l = lam + k;
	long bad;
	int start = prev_usable(prev, l, d);

	for (size_t j = 0; j < k; j++) {
		double *e = g->cov + j * d * d, *v = g->chol + j * d * d, top = 0.0;
		symmetric(m2 + j * d * d, e, d);
		jacobi(e, v, d);
		sort_eigen(e, v, d);
		for (size_t p = 0; p < d; p++) {
			om[j * d + p] = e[p * d + p] > 0.0 ? e[p * d + p] : 0.0;
			top = fmax(top, om[j * d + p]);
		}
		if (!(top > 0.0) || !isfinite(top))
			return (long)j;
	}
	for (size_t p = 0; p < d; p++) {
		double s = 0.0;
		const double *v = g->chol;
		for (size_t r = 0; start && r < d; r++)
			for (size_t t = 0; t < d; t++)
				s += v[r * d + p] * prev[r * d + t] * v[t * d + p];
		a[p] = start && s > 0.0 ? s : 1.0;
	}
	if ((bad = volumes_and_shape(om, d, 1, s0, k, d, den0, a, lam)) >= 0)
		return bad;
	for (size_t j = 0; j < k; j++) {
		double *cv = g->cov + j * d * d;
		const double *v = g->chol + j * d * d;
		for (size_t p = 0; p < d; p++)
			for (size_t r = 0; r <= p; r++) {
				double s = 0.0;
				for (size_t t = 0; t < d; t++)
					s += v[p * d + t] * v[r * d + t] * a[t];
				cv[p * d + r] = cv[r * d + p] = lam[j] * s;
			}
	}
	return -1;
}

/*
 * EVE and VVE given the orientation D (dm): T_j = D' W_j D (tk, k*d*d)
 * and its diagonal c_j, the scatter along D's axes, which gives Gamma_j =
 * lambda_j A_j (gk, k*d): c_j / n_j for VVE; lambda c_j / |c_j|^(1/d)
 * for EVE, with lambda = sum_j |c_j|^(1/d) / n.  Q into *q; returns -1,
 * or a component whose c_j has an entry that is not positive.  t (d*d)
 * is scratch.  With fresh 0, tk already holds D' W_j D (orientation_sweep
 * rotates it with D), and only the shapes are taken from it: a sweep
 * costs about 2 K d^3 and the product would add 1.5 K d^3.
 */
static long
orientation_shapes(const struct gmm *g, const double *s0, const double *m2, const double *dm,
		   double *t, double *tk, double *gk, double *q, int fresh)
{
	const size_t k = g->k, d = g->d;
	double n = 0.0, lambda = 0.0;

	for (size_t j = 0; j < k; j++) {
		double *tj = tk + j * d * d;
		if (fresh) {
			sym_mul(m2 + j * d * d, dm, t, d);
			for (size_t i = 0; i < d; i++)
				for (size_t r = 0; r <= i; r++) {
					double c = 0.0;
					for (size_t s = 0; s < d; s++)
						c += dm[s * d + i] * t[s * d + r];
					tj[i * d + r] = tj[r * d + i] = c;
				}
		}
		for (size_t i = 0; i < d; i++) {
			if (!(tj[i * d + i] > 0.0) || !isfinite(tj[i * d + i]))
				return (long)j;
			gk[j * d + i] = tj[i * d + i];
		}
		n += s0[j];
	}
	*q = 0.0;
	if (g->cov_type == GMM_VVE) {
		for (size_t j = 0; j < k; j++) {
			for (size_t i = 0; i < d; i++)
				gk[j * d + i] /= s0[j];
			*q += s0[j] * (double)d * (log_gmean(gk + j * d, d) + 1.0);
		}
		return -1;
	}
	for (size_t j = 0; j < k; j++)
		lambda += exp(log_gmean(gk + j * d, d));
	lambda /= n;
	for (size_t j = 0; j < k; j++) {
		double f = lambda / exp(log_gmean(gk + j * d, d));
		for (size_t i = 0; i < d; i++)
			gk[j * d + i] *= f;
	}
	*q = n * (double)d * (log(lambda) + 1.0);
	return isfinite(*q) ? -1 : 0;
}

/*
 * One sweep, in a fixed order of the pairs of axes (p, q), of the plane
 * rotations that lower F(D) = sum_j tr(W_j D Gamma_j^-1 D') with the
 * shapes Gamma_j held: in the plane of D's columns p and q, F is
 * const + P cos 2t + R sin 2t, P = sum_j (m_jp - m_jq)(T_j,pp - T_j,qq) / 2,
 * R = sum_j (m_jp - m_jq) T_j,pq (m = 1 / Gamma), so each rotation is
 * the exact minimum over its angle.  D (dm) and every T_j (tk) are
 * rotated in place.
 */
static void
orientation_sweep(const struct gmm *g, const double *gk, double *dm, double *tk)
{
	const size_t k = g->k, d = g->d;

	for (size_t p = 0; p + 1 < d; p++)
		for (size_t q = p + 1; q < d; q++) {
			double pp = 0.0, rr = 0.0, r, c2, s2, c, s;
			for (size_t j = 0; j < k; j++) {
				const double *tj = tk + j * d * d;
				double dm_ = 1.0 / gk[j * d + p] - 1.0 / gk[j * d + q];
				pp += 0.5 * dm_ * (tj[p * d + p] - tj[q * d + q]);
				rr += dm_ * tj[p * d + q];
			}
			r = hypot(pp, rr);
			if (!(r > 0.0) || !isfinite(r))
				continue;
			c2 = -pp / r;
			s2 = -rr / r;
			if (c2 >= 0.0) {
				c = sqrt(0.5 * (1.0 + c2));
				s = s2 / (2.0 * c);
			} else {
				s = sqrt(0.5 * (1.0 - c2));
				c = s2 / (2.0 * s);
			}
			for (size_t x = 0; x < d; x++) {
				double a = dm[x * d + p], b = dm[x * d + q];
				dm[x * d + p] = c * a + s * b;
				dm[x * d + q] = -s * a + c * b;
			}
			for (size_t j = 0; j < k; j++) {
				double *tj = tk + j * d * d;
				double a = tj[p * d + p], b = tj[q * d + q], e = tj[p * d + q];
				for (size_t x = 0; x < d; x++) {
					double u, v;
					if (x == p || x == q)
						continue;
					u = tj[p * d + x];
					v = tj[q * d + x];
					tj[p * d + x] = tj[x * d + p] = c * u + s * v;
					tj[q * d + x] = tj[x * d + q] = -s * u + c * v;
				}
				tj[p * d + p] = c * c * a + 2.0 * c * s * e + s * s * b;
				tj[q * d + q] = s * s * a - 2.0 * c * s * e + c * c * b;
				tj[p * d + q] = tj[q * d + p] = c * s * (b - a) + (c * c - s * s) * e;
			}
		}
}

/*
 * EVE (Sigma_j = lambda D A_j D') and VVE (lambda_j D A_j D'): the shapes
 * in closed form given D, then a sweep of rotations of D given the
 * shapes, in turn, from prev's eigenvectors (or the pooled scatter's).
 * Every step lowers Q.
 */
static long
mstep_orientation(struct gmm *g, const double *s0, const double *m2, double *work)
{
	const size_t k = g->k, d = g->d;
	const double *prev = work;
	double *dm = work + d * d, *t = dm + d * d, *h = t + d * d, *tk = h + d * d;
	double *gk = tk + k * d * d, q = 0.0, qprev = HUGE_VAL;

	start_matrix(prev, m2, k, d, h, t);
	jacobi(h, dm, d);
	for (int it = 0;; it++) {
		long bad = orientation_shapes(g, s0, m2, dm, t, tk, gk, &q, it == 0);
		if (bad >= 0)
			return bad;
		if (inner_done(q, qprev, it))
			break;
		qprev = q;
		orientation_sweep(g, gk, dm, tk);
	}
	for (size_t j = 0; j < k; j++) {
		double *cv = g->cov + j * d * d;
		for (size_t p = 0; p < d; p++)
			for (size_t r = 0; r <= p; r++) {
				double s = 0.0;
				for (size_t i = 0; i < d; i++)
					s += dm[p * d + i] * dm[r * d + i] * gk[j * d + i];
				cv[p * d + r] = cv[r * d + p] = s;
			}
	}
	return -1;
}

long
covmodel_mstep(struct gmm *g, const double *s0, const double *m2, const double *reg,
	       const struct covmodel_prior *pp, double *work)
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
		bad = mstep_equal_volume(g, m2, pp != NULL ? pp->den : wsum);
		break;
	case GMM_EEV:
		bad = mstep_eev(g, m2, pp != NULL ? pp->den : wsum);
		break;
	case GMM_VEI:
		bad = mstep_vei(g, s0, m2, work, pp != NULL ? pp->den : 0.0);
		break;
	case GMM_VEE:
		bad = mstep_vee(g, s0, m2, work);
		break;
	case GMM_VEV:
		bad = mstep_vev(g, s0, m2, work, pp != NULL ? pp->den : 0.0);
		break;
	case GMM_EVE:
	case GMM_VVE:
		bad = mstep_orientation(g, s0, m2, work);
		break;
	default:
		return -1;	/* not one of these: em.c's own M step */
	}
	if (bad >= 0)
		return bad;
	if (covmodel_iterative(g->cov_type))
		memcpy(work, g->cov, d * d * sizeof *work);	/* the next step's start */
	for (size_t j = 0; j < k; j++)
		for (size_t p = 0; p < d; p++)
			g->cov[j * d * d + p * d + p] += reg[p];
	return -1;
}
