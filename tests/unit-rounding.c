/*
 * unit-rounding.c - EM for rounded data (src/em.c block_round: each value
 * stands for the interval of its rounding, McLachlan and Jones 1988)
 * against data drawn from known mixtures and then rounded.
 *
 * 1. One column, n = 10^5 from 0.5 N(0, 0.3^2) + 0.5 N(3, 1), rounded to
 *    0.5.  Plain EM treats the rounded values as exact and finds each
 *    variance too large by about h^2/12 (Sheppard): sd 0.3 becomes about
 *    sqrt(0.09 + 0.0208) = 0.333.  The grouped-data fit recovers the true
 *    sds within sampling error.  The standard error of a component's sd is
 *    about sd / sqrt(2 n_k) (n_k = 5 10^4): 0.00095 for 0.3 and 0.0032 for
 *    1.0; the tolerance is 5 of them (and plain EM's error on the 0.3 sd
 *    is about 35 of them, so the first check fails without the intervals).
 * 2. The same draws unrounded, fitted with a width of 1e-7 (far below the
 *    sds): the parameters equal plain EM's to 1e-6 (relative), and the
 *    log-likelihoods differ by n log h (the interval's probability is its
 *    width times the density, to O(h^2)).
 * 3. Two columns, diagonal structure, each rounded to its own grid (0.5
 *    and 0.2; sds 0.3/0.4 and 1.0/0.5): the per-column sds are recovered
 *    as in 1.
 * 4. A heap: 300 values of which 100 are exactly 4.0 (whole minutes,
 *    h = 1) and the rest spread over 1..10: the log-likelihood is finite
 *    and at most 0 (a probability), where plain EM with a component on
 *    the heap is unbounded.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "em.h"
#include "gmm.h"
#include "rng.h"
#include "tap.h"

static void
round_to(double *x, size_t n, double h)
{
	for (size_t i = 0; i < n; i++)
		x[i] = h * nearbyint(x[i] / h);
}

/* EM from the true parameters (given in g), tol 1e-12, plain steps. */
static int
fit(struct dataset *ds, struct gmm *g, struct em_result *r)
{
	struct em_options o;
	struct gm_error e;
	double reg[2] = { 0.0, 0.0 };

	memset(&o, 0, sizeof o);
	o.max_iter = 5000;
	o.tol = 1e-12;
	o.reg = reg;
	o.threads = 1;
	o.accel = EM_ACCEL_SQUAREM;
	if (gmm_prepare(g) >= 0)
		return -1;
	return em_fit(ds, g, &o, r, &e);
}

static double
sd(const struct gmm *g, size_t j, size_t p)
{
	return sqrt(g->cov[j * g->d * g->d + p * g->d + p]);
}

static struct gmm *
truth_1d(void)
{
	struct gmm *g = gmm_new(2, 1, GMM_FULL);

	g->weight[0] = g->weight[1] = 0.5;
	g->mean[0] = 0.0;
	g->mean[1] = 3.0;
	g->cov[0] = 0.09;
	g->cov[1] = 1.0;
	return g;
}

int
main(void)
{
	const size_t n = 100000;
	struct rng rng;
	struct dataset ds;
	struct em_result r;
	double *x = malloc(n * 2 * sizeof *x), *raw = malloc(n * sizeof *raw);
	double h1[1] = { 0.5 }, tiny[1] = { 1e-7 }, h2[2] = { 0.5, 0.2 };
	struct gmm *plain, *grouped, *g;

	tap_plan(18);
	rng_seed(&rng, 20261201);
	for (size_t i = 0; i < n; i++)
		raw[i] = i % 2 == 0 ? 0.3 * rng_normal(&rng) : 3.0 + rng_normal(&rng);

	/* 1. One column rounded to 0.5. */
	memcpy(x, raw, n * sizeof *x);
	round_to(x, n, 0.5);
	memset(&ds, 0, sizeof ds);
	ds.n = n;
	ds.d = 1;
	ds.x = x;
	plain = truth_1d();
	grouped = truth_1d();
	tap_ok(fit(&ds, plain, &r) == GM_OK, "plain EM on the rounded column runs");
	ds.round = h1;
	tap_ok(fit(&ds, grouped, &r) == GM_OK && r.converged, "grouped-data EM converges");
	gmm_sort(plain);
	gmm_sort(grouped);
	tap_diag("sds: plain %.5f %.5f, grouped %.5f %.5f (true 0.3, 1.0)", sd(plain, 0, 0),
		 sd(plain, 1, 0), sd(grouped, 0, 0), sd(grouped, 1, 0));
	tap_abs(sd(grouped, 0, 0), 0.3, 5 * 0.00095, "grouped sd of N(0, 0.3^2)");
	tap_abs(sd(grouped, 1, 0), 1.0, 5 * 0.0032, "grouped sd of N(3, 1)");
	tap_ok(fabs(sd(plain, 0, 0) - 0.3) > 20 * 0.00095,
	       "plain EM's sd of N(0, 0.3^2) is off by the Sheppard bias (%.4f)", sd(plain, 0, 0));
	tap_abs(sd(plain, 0, 0), sqrt(0.09 + 0.25 / 12.0), 5 * 0.00095,
		"plain EM's sd is near sqrt(sd^2 + h^2/12)");
	tap_abs(grouped->mean[0], 0.0, 5 * 0.3 / sqrt(n / 2.0), "grouped mean of N(0, 0.3^2)");
	tap_ok(r.loglik <= 0.0 && isfinite(r.loglik), "the grouped log-likelihood is a log-probability (%g)",
	       r.loglik);
	gmm_free(plain);
	gmm_free(grouped);

	/* 2. Unrounded, with a width far below the sds. */
	memcpy(x, raw, n * sizeof *x);
	ds.round = NULL;
	plain = truth_1d();
	grouped = truth_1d();
	{
		struct em_result rp;
		tap_ok(fit(&ds, plain, &rp) == GM_OK, "plain EM on the exact column");
		ds.round = tiny;
		tap_ok(fit(&ds, grouped, &r) == GM_OK, "grouped EM with h = 1e-7");
		tap_rel(sd(grouped, 0, 0), sd(plain, 0, 0), 1e-6, "h = 1e-7: the sd equals plain EM's");
		tap_rel(grouped->weight[0], plain->weight[0], 1e-6, "h = 1e-7: the weight equals plain EM's");
		tap_abs(r.loglik - rp.loglik, (double)n * log(1e-7), 1e-6 * fabs(rp.loglik),
			"h = 1e-7: log-likelihoods differ by n log h");
	}
	gmm_free(plain);
	gmm_free(grouped);

	/* 3. Two columns, diagonal, each on its own grid. */
	for (size_t i = 0; i < n; i++) {
		double z0 = rng_normal(&rng), z1 = rng_normal(&rng);
		x[2 * i] = 0.5 * nearbyint((i % 2 == 0 ? 0.3 * z0 : 3.0 + z0) / 0.5);
		x[2 * i + 1] = 0.2 * nearbyint((i % 2 == 0 ? 0.4 * z1 : 2.0 + 0.5 * z1) / 0.2);
	}
	ds.d = 2;
	ds.round = h2;
	g = gmm_new(2, 2, GMM_DIAG);
	g->weight[0] = g->weight[1] = 0.5;
	g->mean[0] = 0.0; g->mean[1] = 0.0; g->mean[2] = 3.0; g->mean[3] = 2.0;
	memset(g->cov, 0, 8 * sizeof *g->cov);
	g->cov[0] = 0.09; g->cov[3] = 0.16; g->cov[4] = 1.0; g->cov[7] = 0.25;
	tap_ok(fit(&ds, g, &r) == GM_OK, "two rounded columns, diagonal: EM runs");
	gmm_sort(g);
	tap_diag("sds %.5f %.5f | %.5f %.5f (true 0.3 0.4 | 1.0 0.5)", sd(g, 0, 0), sd(g, 0, 1),
		 sd(g, 1, 0), sd(g, 1, 1));
	tap_ok(fabs(sd(g, 0, 0) - 0.3) < 5 * 0.00095 && fabs(sd(g, 0, 1) - 0.4) < 5 * 0.4 / sqrt(n) &&
	       fabs(sd(g, 1, 0) - 1.0) < 5 * 0.0032 && fabs(sd(g, 1, 1) - 0.5) < 5 * 0.5 / sqrt(n),
	       "each column's sd recovered within 5 standard errors");
	gmm_free(g);

	/* 4. A heap of whole minutes. */
	{
		static double hx[300];
		double hm[1] = { 1.0 };
		for (size_t i = 0; i < 300; i++)
			hx[i] = i < 100 ? 4.0 : (double)(1 + rng_below(&rng, 10));
		ds.n = 300;
		ds.d = 1;
		ds.x = hx;
		ds.round = hm;
		g = gmm_new(2, 1, GMM_FULL);
		g->weight[0] = 0.4;
		g->weight[1] = 0.6;
		g->mean[0] = 4.0;
		g->mean[1] = 5.5;
		g->cov[0] = 0.01;
		g->cov[1] = 8.0;
		int frc = fit(&ds, g, &r);
		tap_diag("heap fit: rc %d, w %.4f %.4f, mean %.4f %.4f, sd %.4g %.4g, %zu iterations", frc,
			 g->weight[0], g->weight[1], g->mean[0], g->mean[1], sd(g, 0, 0), sd(g, 1, 0), r.iterations);
		tap_ok(frc == GM_OK && isfinite(r.loglik) && r.loglik <= 0.0,
		       "a heap of whole minutes: the log-likelihood is finite and <= 0 (%g)", r.loglik);
		gmm_free(g);
	}
	/*
	 * 5. The pass's log-likelihood (its blocks compute each distinct
	 * value's terms once) against a direct sum over the rows of
	 * log sum_j exp(em_log_components_rounded): 1003 rows (a partial
	 * block), a column rounded to 0.25 and an exact one (h = 0), weights.
	 * The two differ only in exp and log's last bits: 1e-12 relative.
	 */
	{
		const size_t m = 1003;
		double hw[2] = { 0.25, 0.0 }, *w = malloc(m * sizeof *w), direct = 0.0, ll, lp[3];
		struct em_stats st;
		g = gmm_new(3, 2, GMM_DIAG);
		for (size_t i = 0; i < m; i++) {
			x[2 * i] = 0.25 * nearbyint((double)(i % 7) * 0.8 + 0.3 * rng_normal(&rng));
			x[2 * i + 1] = rng_normal(&rng);
			w[i] = 1.0 + (double)(i % 4);
		}
		for (size_t j = 0; j < 3; j++) {
			g->weight[j] = 1.0 / 3.0;
			g->mean[2 * j] = 1.5 * (double)j;
			g->mean[2 * j + 1] = 0.2 * (double)j;
			memset(g->cov + 4 * j, 0, 4 * sizeof *g->cov);
			g->cov[4 * j] = 0.2 + 0.1 * (double)j;
			g->cov[4 * j + 3] = 1.0;
		}
		ds.n = m;
		ds.d = 2;
		ds.x = x;
		ds.w = w;
		ds.round = hw;
		gmm_prepare(g);
		em_stats_init(&st, 3, 2, 0);
		for (size_t i = 0; i < m; i++) {
			double mx, sum = 0.0;
			em_log_components_rounded(g, x + 2 * i, hw, lp);
			mx = lp[0] > lp[1] ? (lp[0] > lp[2] ? lp[0] : lp[2]) : (lp[1] > lp[2] ? lp[1] : lp[2]);
			for (size_t j = 0; j < 3; j++)
				sum += exp(lp[j] - mx);
			direct += w[i] * (mx + log(sum));
		}
		tap_ok(em_pass(&ds, g, &st, 1, &ll) == GM_OK, "a pass over 1003 rounded and exact rows");
		tap_rel(ll, direct, 1e-12, "its log-likelihood is the rows' direct sum");
		em_stats_free(&st);
		gmm_free(g);
		free(w);
	}
	free(x);
	free(raw);
	return tap_done();
}
