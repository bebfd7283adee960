/*
 * fit.c - the search for the best fit and the choice of a model (see fit.h).
 *
 * For one (K, structure) the search keeps a pool of the best screened
 * starts, runs them to convergence, and keeps every usable optimum's
 * log-likelihood (for the report of how sure the search is) and the two
 * best distinct optima (to polish on all rows when the search ran on a
 * sample, and to seed the neighbouring K by a split or a merge).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "empar.h"
#include "fit.h"
#include "rng.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define SCREEN_ITER 20		/* M steps of a screening run, at most */
#define LONG_RUNS 5		/* screened starts run to convergence, per model of several */
#define LONG_RUNS_ONE 30	/* the same when one model is fitted */
#define REACHED_ONE 3		/* one model: more starts while fewer runs reached its best */
#define POOL_SAME 1e-7		/* screened starts this close (relative) are one */
#define MID_TOL 1e-8		/* their tolerance; the best then goes on to the user's */
#define NEIGHBOURS 6		/* merges of the K + 1 fit tried */
#define SPLITS 6		/* components of the K - 1 fit split (each two ways) */
#define NEIGHBOUR_RUNS 2	/* of them run to convergence */
#define SMEM_PAIRS 3		/* split-and-merge moves: pairs merged, */
#define SMEM_SPLITS 3		/* times components split, */
#define SMEM_ROUNDS 3		/* rounds at most (while they improve the fit) */
#define KEEP 2			/* distinct optima kept per model */
#define BATCH 16		/* starts screened together (in parallel) */

struct optimum {
	struct gmm *g;
	struct em_result res;
	int on_all;		/* fitted on all rows (else on the search sample) */
	int polished;		/* run to the user's tolerance (else to MID_TOL) */
};

/* The search's state for one model. */
struct mstate {
	struct optimum best[KEEP];	/* best first; distinct log-likelihoods */
	size_t nbest;
	double *lls;		/* every usable run's log-likelihood */
	size_t nll, cap;
	char why[400];		/* the first degenerate end */
	struct gm_error first;	/* the first numerical failure */
	int skip;		/* not fitted: verdict set already */
};

struct ctx {
	const struct dataset *ds;	/* all rows */
	const struct dataset *sds;	/* the rows a search runs on */
	struct dataset sample;
	const struct fit_options *opt;
	struct em_options screen, mid, full;	/* screening, runs on, the best's polish */
	double wtot, wtot_s;
	double *colvar;		/* d variances of sds, for scale-free choices */
	struct init_hc *hc;	/* the dendrogram of sds, when hc starts are made */
	struct fit_result *fr;
	size_t distinct;	/* distinct rows of ds, counted up to the largest K + 1 */
	int threads;		/* threads this context's runs may use */
	size_t long_runs;	/* screened starts run on per model (LONG_RUNS, or _ONE) */
	size_t reached_min;	/* runs reaching the best that end the extension */
	double *grid;		/* each column's grid (dataset_grid), or NULL when rounded */
};

static double
crit(const struct fit_model *fm, enum fit_criterion c)
{
	return c == FIT_ICL ? fm->icl : fm->bic;
}

static int
same_optimum(double a, double b)
{
	return fabs(a - b) <= FIT_REACHED_RTOL * fmax(fabs(a), fabs(b));
}

/* Record a usable run ending at g (on_all: fitted on all rows).  -1: out of memory. */
static int
keep_optimum(struct mstate *st, const struct gmm *g, const struct em_result *r, int on_all,
	     int polished, size_t times)
{
	size_t at;

	/* The log-likelihood once for each start it stands for. */
	if (st->nll + times > st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 16;
		double *p;
		while (cap < st->nll + times)
			cap *= 2;
		p = realloc(st->lls, cap * sizeof *p);
		if (p == NULL)
			return -1;
		st->lls = p;
		st->cap = cap;
	}
	while (times-- > 0)
		st->lls[st->nll++] = r->loglik;
	for (at = 0; at < st->nbest; at++) {
		if (same_optimum(r->loglik, st->best[at].res.loglik)) {
			if (r->loglik > st->best[at].res.loglik) {
				gmm_copy(st->best[at].g, g);
				st->best[at].res = *r;
				st->best[at].on_all = on_all;
				st->best[at].polished = polished;
			}
			return 0;
		}
		if (r->loglik > st->best[at].res.loglik)
			break;
	}
	if (at >= KEEP)
		return 0;
	if (st->nbest == KEEP) {
		gmm_free(st->best[KEEP - 1].g);
		st->nbest--;
	}
	memmove(st->best + at + 1, st->best + at, (st->nbest - at) * sizeof *st->best);
	st->best[at].g = gmm_dup(g);
	if (st->best[at].g == NULL) {
		memmove(st->best + at, st->best + at + 1, (st->nbest - at) * sizeof *st->best);
		return -1;
	}
	st->best[at].res = *r;
	st->best[at].on_all = on_all;
	st->best[at].polished = polished;
	st->nbest++;
	return 0;
}

/*
 * Threads for n independent EM runs of K components on ds: 1 when ds is
 * spread over processes, or when the runs are too small for threads to
 * pay (each screening M step on under PAR_MIN_WORK / n row-components:
 * small data, where starting and joining threads would cost more than
 * the work, and far more on a busy machine).
 */
#define PAR_MIN_WORK 65536
static int
run_threads(const struct ctx *c, const struct dataset *ds, size_t n, size_t k)
{
	int t = c->threads;

	if (ds->spread != NULL || n < 2 || (double)n * (double)ds->n * (double)k < PAR_MIN_WORK)
		t = 1;
	return (size_t)t > n ? (int)n : t;
}

/*
 * EM on ds from each of g[0..n) with eo (max_iter from maxit[i] when
 * maxit is not NULL), the runs in parallel, each on one thread: a run's
 * bits do not depend on the thread count, so neither do the results.
 */
static void
run_many(struct ctx *c, const struct dataset *ds, struct gmm **g, size_t n,
	 const struct em_options *eo, const size_t *maxit, struct em_result *r,
	 struct gm_error *e, int *rc)
{
	const int nthr = run_threads(c, ds, n, n ? g[0]->k : 1);
	struct em_options one = *eo;
	double t0 = clock_seconds();
	long i;

	if (nthr > 1) {
		one.threads = 1;
		one.progress = NULL;
	}
#pragma omp parallel for num_threads(nthr) schedule(dynamic)
	for (i = 0; i < (long)n; i++) {
		struct em_options o = one;
		if (maxit != NULL)
			o.max_iter = maxit[i];
		gm_error_clear(&e[i]);
		memset(&r[i], 0, sizeof r[i]);
		rc[i] = em_fit(ds, g[i], &o, &r[i], &e[i]);
	}
	t0 = clock_seconds() - t0;
#pragma omp atomic
	c->fr->em_seconds += t0;
	for (size_t j = 0; j < n; j++) {
#pragma omp atomic
		c->fr->em_iterations += r[j].iterations;
	}
}

/*
 * Judge the end of a run on ds at g (status rc, error e): 0 usable, 1
 * degenerate (counted, why kept), 2 a numerical failure (counted), -1 a
 * fatal error (err filled).
 */
static int
judge(struct ctx *c, const struct dataset *ds, const struct gmm *g, int rc,
      const struct gm_error *e, struct fit_model *fm, struct mstate *st, struct gm_error *err)
{
	double wtot = ds == c->ds ? c->wtot : c->wtot_s;
	char why[400];

	if (rc == GM_ENUMERIC) {
		fm->search.failed++;
		gm_error_set(&st->first, e->status, e->file, e->line, e->col, "%s", e->msg);
		return 2;
	}
	if (rc != GM_OK) {
		gm_error_set(err, e->status, e->file, e->line, e->col, "%s", e->msg);
		return -1;
	}
	if (fit_degenerate(g, wtot, c->opt->em.reg, c->grid, why, sizeof why) >= 0) {
		fm->search.degenerate++;
		if (st->why[0] == '\0')
			snprintf(st->why, sizeof st->why, "%s", why);
		return 1;
	}
	return 0;
}

/* One run on ds from g, judged. */
static int
run_em(struct ctx *c, const struct dataset *ds, struct gmm *g, const struct em_options *eo,
       struct fit_model *fm, struct mstate *st, struct em_result *r, struct gm_error *err)
{
	struct gm_error e;
	int rc;

	run_many(c, ds, &g, 1, eo, NULL, r, &e, &rc);
	return judge(c, ds, g, rc, &e, fm, st, err);
}

/*
 * A pool of the best screened starts, best first.  Starts whose screened
 * log-likelihoods agree to POOL_SAME (relative) are taken for one: only
 * the better runs on, and the other counts with it (dups).
 */
struct pool {
	struct gmm *g[LONG_RUNS_ONE];
	struct em_result r[LONG_RUNS_ONE];	/* the screening run's end */
	size_t dups[LONG_RUNS_ONE];
	size_t n, cap;		/* cap <= LONG_RUNS_ONE */
};

/* Offer g (screened to r; standing for 1 + dups starts) to the pool; g is taken or freed. */
static void
pool_offer(struct pool *p, struct gmm *g, const struct em_result *r, size_t dups)
{
	size_t at = 0;

	for (size_t i = 0; i < p->n; i++)
		if (fabs(p->r[i].loglik - r->loglik) <= POOL_SAME * fabs(r->loglik)) {
			if (r->loglik <= p->r[i].loglik) {
				p->dups[i] += 1 + dups;
				gmm_free(g);
				return;
			}
			/* The new one is better: it replaces the old, which counts with it. */
			dups += 1 + p->dups[i];
			gmm_free(p->g[i]);
			p->n--;
			memmove(p->g + i, p->g + i + 1, (p->n - i) * sizeof *p->g);
			memmove(p->r + i, p->r + i + 1, (p->n - i) * sizeof *p->r);
			memmove(p->dups + i, p->dups + i + 1, (p->n - i) * sizeof *p->dups);
			break;
		}
	while (at < p->n && p->r[at].loglik >= r->loglik)
		at++;
	if (at >= p->cap) {
		gmm_free(g);
		return;
	}
	if (p->n == p->cap)
		gmm_free(p->g[--p->n]);
	memmove(p->g + at + 1, p->g + at, (p->n - at) * sizeof *p->g);
	memmove(p->r + at + 1, p->r + at, (p->n - at) * sizeof *p->r);
	memmove(p->dups + at + 1, p->dups + at, (p->n - at) * sizeof *p->dups);
	p->g[at] = g;
	p->r[at] = *r;
	p->dups[at] = dups;
	p->n++;
}

static void
pool_free(struct pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		gmm_free(p->g[i]);
	p->n = 0;
}

/* Starts waiting to be screened together. */
struct batch {
	struct gmm *g[BATCH];
	size_t n;
};

/*
 * Screen the batch's starts: short EM runs on the search rows, in
 * parallel; then, in order, each into the pool unless it failed or ended
 * degenerate.  Empties the batch.  Returns 0, or -1 on a fatal error.
 */
static int
screen_batch(struct ctx *c, struct batch *b, struct fit_model *fm, struct mstate *st,
	     struct pool *p, struct gm_error *err)
{
	struct em_result r[BATCH];
	struct gm_error e[BATCH];
	int rc[BATCH], fatal = 0;

	run_many(c, c->sds, b->g, b->n, &c->screen, NULL, r, e, rc);
	for (size_t i = 0; i < b->n; i++) {
		int v = fatal ? 2 : judge(c, c->sds, b->g[i], rc[i], &e[i], fm, st, err);
		fm->search.starts++;
		if (v < 0)
			fatal = 1;
		if (v == 0)
			pool_offer(p, b->g[i], &r[i], 0);
		else
			gmm_free(b->g[i]);
	}
	b->n = 0;
	return fatal ? -1 : 0;
}

/* Add start g (prepared; taken) to the batch, screening it when full. */
static int
screen_start(struct ctx *c, struct gmm *g, struct fit_model *fm, struct mstate *st,
	     struct batch *b, struct pool *p, struct gm_error *err)
{
	b->g[b->n++] = g;
	return b->n == BATCH ? screen_batch(c, b, fm, st, p, err) : 0;
}

/*
 * Run the pool's starts on to convergence on the search rows (each
 * within --max-iter M steps from its start), in parallel; empties the
 * pool.
 */
static int
run_pool(struct ctx *c, struct pool *p, struct fit_model *fm, struct mstate *st,
	 struct gm_error *err)
{
	struct em_result r[LONG_RUNS_ONE];
	struct gm_error e[LONG_RUNS_ONE];
	struct gmm *g[LONG_RUNS_ONE];
	size_t maxit[LONG_RUNS_ONE], idx[LONG_RUNS_ONE], m = 0;
	int rc[LONG_RUNS_ONE], out = 0;

	/* Those whose screening used up --max-iter are done. */
	for (size_t i = 0; i < p->n; i++)
		if (p->r[i].iterations < c->mid.max_iter) {
			g[m] = p->g[i];
			maxit[m] = c->mid.max_iter - p->r[i].iterations;
			idx[m++] = i;
		}
	run_many(c, c->sds, g, m, &c->mid, maxit, r, e, rc);
	for (size_t i = 0, j = 0; i < p->n; i++) {
		struct em_result ri = p->r[i];
		int v = 0;
		fm->search.run++;
		if (j < m && idx[j] == i) {
			v = out ? 2 : judge(c, c->sds, p->g[i], rc[j], &e[j], fm, st, err);
			ri = r[j];
			ri.iterations += p->r[i].iterations;
			j++;
		}
		if (v < 0)
			out = -1;
		else if (v == 0 && !out && keep_optimum(st, p->g[i], &ri, c->sds == c->ds,
								c->mid.tol <= c->full.tol, 1 + p->dups[i])) {
			gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
			out = -1;
		}
	}
	pool_free(p);
	return out;
}

/* The method of generated start s when the search is not forced. */
static enum init_method
search_method(size_t s, size_t d)
{
	static const enum init_method cycle[] = { INIT_RANDOM_ROWS, INIT_KMEANS, INIT_RANDOM_ROWS, INIT_KMEANSPP, INIT_RANDOM };

	if (s == 0)
		return INIT_HC;
	if (s == 1)
		return d == 1 ? INIT_QUANTILE : INIT_KMEANS;
	return cycle[(s - 2) % 5];
}

/* Make start s of a model into g (allocated here).  0, 1 (no start: counted), -1 fatal. */
static int
make_start(struct ctx *c, size_t s, struct rng *rng, struct fit_model *fm,
	   struct mstate *st, struct gmm **out, struct gm_error *err)
{
	const struct fit_options *opt = c->opt;
	struct init_given given = opt->given;
	enum init_method m;
	struct gm_error e;
	struct gmm *g = gmm_new(fm->k, c->ds->d, fm->cov);
	double t0 = clock_seconds();
	int rc;

	*out = NULL;
	if (g == NULL) {
		gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	if (opt->init_forced) {
		m = opt->init;
		/* Deterministic starts give the same point twice; restarts then use k-means++. */
		if (s > 0 && (m == INIT_QUANTILE || m == INIT_GIVEN || m == INIT_HC))
			m = INIT_KMEANSPP;
	} else {
		m = search_method(s + (c->opt->no_hc != 0), c->ds->d);
	}
	given.hc = c->hc;
	gm_error_clear(&e);
	rc = init_model(c->sds, m, &given, opt->em.reg, rng, g, &e);
	t0 = clock_seconds() - t0;
#pragma omp atomic
	c->fr->init_seconds += t0;
	if (rc == GM_OK) {
		*out = g;
		return 0;
	}
	gmm_free(g);
	if (rc != GM_ENUMERIC && !(rc == GM_EUSAGE && !opt->init_forced)) {
		gm_error_set(err, e.status, e.file, e.line, e.col, "%s", e.msg);
		return -1;
	}
	fm->search.starts++;
	fm->search.failed++;
	gm_error_set(&st->first, e.status, e.file, e.line, e.col, "%s", e.msg);
	return 1;
}

/* ---- starts from the neighbouring K ---- */

/* The leading eigenvector of the d*d symmetric a (power iteration) into v; its eigenvalue. */
static double
leading_eigen(const double *a, size_t d, double *v, double *t)
{
	double lambda = 0.0;

	for (size_t i = 0; i < d; i++)
		v[i] = 1.0 / sqrt((double)d) + 1e-3 * (double)i;
	for (int it = 0; it < 100; it++) {
		double nrm = 0.0;
		for (size_t i = 0; i < d; i++) {
			t[i] = 0.0;
			for (size_t j = 0; j < d; j++)
				t[i] += a[i * d + j] * v[j];
			nrm += t[i] * t[i];
		}
		nrm = sqrt(nrm);
		if (!(nrm > 0.0))
			break;
		lambda = nrm;
		for (size_t i = 0; i < d; i++)
			v[i] = t[i] / nrm;
	}
	return lambda;
}

/* Copy component j of src into component i of dst. */
static void
copy_component(struct gmm *dst, size_t i, const struct gmm *src, size_t j)
{
	const size_t d = src->d;

	dst->weight[i] = src->weight[j];
	memcpy(dst->mean + i * d, src->mean + j * d, d * sizeof *dst->mean);
	memcpy(dst->cov + i * d * d, src->cov + j * d * d, d * d * sizeof *dst->cov);
}

/*
 * g (K - 1 components) with component j split in two along its longest
 * axis in standardised units, the first two moments kept where the
 * structure allows.  NULL when out of memory or not a model.
 */
static struct gmm *
split_component(const struct gmm *g, size_t j, const double *colvar, double spread)
{
	const size_t k = g->k + 1, d = g->d;
	struct gmm *h = gmm_new(k, d, g->cov_type);
	double *a = malloc((d * d + 3 * d) * sizeof *a), *v, *t, *dir, lam;
	double *cv;

	if (h == NULL || a == NULL) {
		gmm_free(h);
		free(a);
		return NULL;
	}
	v = a + d * d;
	t = v + d;
	dir = t + d;
	for (size_t i = 0, o = 0; i < g->k; i++)
		if (i != j)
			copy_component(h, o++, g, i);
	copy_component(h, k - 2, g, j);
	copy_component(h, k - 1, g, j);
	cv = g->cov + j * d * d;
	/* The axis in standardised units: D^-1/2 cov D^-1/2. */
	for (size_t p = 0; p < d; p++)
		for (size_t q = 0; q < d; q++)
			a[p * d + q] = cv[p * d + q] / sqrt(colvar[p] * colvar[q]);
	if (gmm_cov_is_diagonal(g->cov_type)) {
		size_t best = 0;
		for (size_t p = 1; p < d; p++)
			if (a[p * d + p] > a[best * d + best])
				best = p;
		memset(v, 0, d * sizeof *v);
		v[best] = 1.0;
		lam = a[best * d + best];
	} else {
		lam = leading_eigen(a, d, v, t);
	}
	/* dir = D^1/2 v sqrt(lam) spread: the means move by +-dir. */
	for (size_t p = 0; p < d; p++)
		dir[p] = sqrt(colvar[p]) * v[p] * sqrt(lam) * spread;
	for (size_t s = 0; s < 2; s++) {
		size_t c = k - 2 + s;
		double *m = h->mean + c * d, *hc = h->cov + c * d * d;
		h->weight[c] = g->weight[j] / 2.0;
		for (size_t p = 0; p < d; p++)
			m[p] += s ? dir[p] : -dir[p];
		if (g->cov_type == GMM_FULL) {
			for (size_t p = 0; p < d; p++)
				for (size_t q = 0; q < d; q++)
					hc[p * d + q] -= dir[p] * dir[q];
		} else if (g->cov_type == GMM_DIAG) {
			for (size_t p = 0; p < d; p++)
				hc[p * d + p] -= dir[p] * dir[p];
		} else if (g->cov_type == GMM_SPHERICAL) {
			for (size_t p = 0; p < d; p++)
				hc[p * d + p] *= 1.0 - spread * spread / (double)d;
		}
	}
	free(a);
	if (gmm_prepare(h) >= 0) {
		gmm_free(h);
		return NULL;
	}
	return h;
}

/*
 * g (K + 1 components) with components a and b merged, the first two
 * moments kept where the structure allows; its cost (the weighted
 * Mahalanobis distance of the two means under the merged covariance)
 * in *cost.  NULL when out of memory or not a model.
 */
static struct gmm *
merge_components(const struct gmm *g, size_t a, size_t b, double *cost)
{
	const size_t k = g->k - 1, d = g->d;
	struct gmm *h = gmm_new(k, d, g->cov_type);
	double wa = g->weight[a], wb = g->weight[b], w = wa + wb, q = 0.0;
	double *m, *cv, *l, *z;

	if (h == NULL)
		return NULL;
	for (size_t i = 0, o = 0; i < g->k; i++)
		if (i != a && i != b)
			copy_component(h, o++, g, i);
	m = h->mean + (k - 1) * d;
	cv = h->cov + (k - 1) * d * d;
	h->weight[k - 1] = w;
	for (size_t p = 0; p < d; p++)
		m[p] = (wa * g->mean[a * d + p] + wb * g->mean[b * d + p]) / w;
	for (size_t p = 0; p < d; p++)
		for (size_t r = 0; r < d; r++) {
			double dp = g->mean[a * d + p] - g->mean[b * d + p];
			double dr = g->mean[a * d + r] - g->mean[b * d + r];
			cv[p * d + r] = (wa * g->cov[a * d * d + p * d + r] + wb * g->cov[b * d * d + p * d + r]) / w;
			if (!gmm_cov_is_shared(g->cov_type))
				cv[p * d + r] += wa * wb / (w * w) * dp * dr;
			else
				cv[p * d + r] = g->cov[a * d * d + p * d + r];
		}
	if (gmm_cov_is_diagonal(g->cov_type)) {
		double tr = 0.0;
		for (size_t p = 0; p < d; p++)
			tr += cv[p * d + p];
		for (size_t p = 0; p < d * d; p++)
			if (p % (d + 1) != 0)
				cv[p] = 0.0;
		if (gmm_cov_is_spherical(g->cov_type))
			for (size_t p = 0; p < d; p++)
				cv[p * d + p] = tr / (double)d;
	}
	if (gmm_prepare(h) >= 0) {
		gmm_free(h);
		return NULL;
	}
	/* The cost: |L^-1 (mu_a - mu_b)|^2 wa wb / w, with the merged factor L. */
	l = h->chol + (k - 1) * d * d;
	z = malloc(d * sizeof *z);
	if (z == NULL) {
		gmm_free(h);
		return NULL;
	}
	for (size_t i = 0; i < d; i++) {
		double s = g->mean[a * d + i] - g->mean[b * d + i];
		for (size_t j = 0; j < i; j++)
			s -= l[i * d + j] * z[j];
		z[i] = s / l[i * d + i];
		q += z[i] * z[i];
	}
	free(z);
	*cost = q * wa * wb / w;
	return h;
}

/*
 * The (at most max) components of g most worth splitting, by weight times
 * their variance in standardised units, largest first; component skip
 * (when < g->k) left out.  Returns how many.
 */
static size_t
widest_components(const struct ctx *c, const struct gmm *g, size_t skip, size_t max,
		  size_t *pick)
{
	const size_t d = g->d;
	double score[NEIGHBOURS];
	size_t np = 0;

	for (size_t j = 0; j < g->k; j++) {
		double s = 0.0;
		size_t at;
		if (j == skip)
			continue;
		for (size_t q = 0; q < d; q++)
			s += g->cov[j * d * d + q * d + q] / c->colvar[q];
		s *= g->weight[j];
		for (at = np; at > 0 && score[at - 1] < s; at--)
			;
		if (at >= max)
			continue;
		if (np < max)
			np++;
		memmove(score + at + 1, score + at, (np - 1 - at) * sizeof *score);
		memmove(pick + at + 1, pick + at, (np - 1 - at) * sizeof *pick);
		score[at] = s;
		pick[at] = j;
	}
	return np;
}

/* The (at most max <= NEIGHBOURS) closest pairs of components of g (merge cost), closest first. */
static size_t
closest_pairs(const struct gmm *g, size_t max, size_t *pa, size_t *pb)
{
	double cost[NEIGHBOURS];
	size_t np = 0;

	for (size_t a = 0; a < g->k; a++)
		for (size_t b = a + 1; b < g->k; b++) {
			double q;
			size_t at;
			struct gmm *h = merge_components(g, a, b, &q);
			if (h == NULL)
				continue;
			gmm_free(h);
			for (at = np; at > 0 && cost[at - 1] > q; at--)
				;
			if (at >= max)
				continue;
			if (np < max)
				np++;
			memmove(cost + at + 1, cost + at, (np - 1 - at) * sizeof *cost);
			memmove(pa + at + 1, pa + at, (np - 1 - at) * sizeof *pa);
			memmove(pb + at + 1, pb + at, (np - 1 - at) * sizeof *pb);
			cost[at] = q;
			pa[at] = a;
			pb[at] = b;
		}
	return np;
}

/* Screen the splits of the K - 1 fit prev (the heaviest, widest NEIGHBOURS components). */
static int
screen_splits(struct ctx *c, const struct gmm *prev, struct fit_model *fm,
	      struct mstate *st, struct batch *bt, struct pool *p, struct gm_error *err)
{
	size_t pick[NEIGHBOURS], np = widest_components(c, prev, prev->k, SPLITS, pick);

	/*
	 * Each component split wide (the halves one sd apart) and narrow (a
	 * tenth of that: a density near the K - 1 fit's, from which EM climbs,
	 * so that the log-likelihood seldom falls as K grows).
	 */
	for (size_t i = 0; i < 2 * np; i++) {
		struct gmm *h = split_component(prev, pick[i / 2], c->colvar, i % 2 ? 0.05 : 0.5);
		if (h != NULL && screen_start(c, h, fm, st, bt, p, err))
			return -1;
	}
	return 0;
}

/* Screen the merges of the K + 1 fit next (the NEIGHBOURS cheapest pairs). */
static int
screen_merges(struct ctx *c, const struct gmm *next, struct fit_model *fm,
	      struct mstate *st, struct batch *bt, struct pool *p, struct gm_error *err)
{
	size_t pa[NEIGHBOURS], pb[NEIGHBOURS], np = closest_pairs(next, NEIGHBOURS, pa, pb);

	for (size_t i = 0; i < np; i++) {
		double q;
		struct gmm *h = merge_components(next, pa[i], pb[i], &q);
		if (h != NULL && screen_start(c, h, fm, st, bt, p, err))
			return -1;
	}
	return 0;
}

/*
 * Split-and-merge moves on a fit g of K >= 3 components (Ueda et al.
 * 2000): two close components merged and another split, K kept; the
 * SMEM_PAIRS closest pairs times the SMEM_SPLITS widest others.
 */
static int
screen_smem(struct ctx *c, const struct gmm *g, struct fit_model *fm, struct mstate *st,
	    struct batch *bt, struct pool *p, struct gm_error *err)
{
	size_t pa[NEIGHBOURS], pb[NEIGHBOURS], np = closest_pairs(g, SMEM_PAIRS, pa, pb);

	for (size_t i = 0; i < np; i++) {
		double q;
		struct gmm *m = merge_components(g, pa[i], pb[i], &q);
		size_t pick[NEIGHBOURS], ns;
		if (m == NULL)
			continue;
		/* The merged component is m's last: split another. */
		ns = widest_components(c, m, m->k - 1, SMEM_SPLITS, pick);
		for (size_t j = 0; j < ns; j++) {
			struct gmm *h = split_component(m, pick[j], c->colvar, 0.5);
			if (h != NULL && screen_start(c, h, fm, st, bt, p, err)) {
				gmm_free(m);
				return -1;
			}
		}
		gmm_free(m);
	}
	return 0;
}

/*
 * Rounds of split-and-merge moves from the model's best fit, while they
 * improve it.  Returns 0, or -1 on a fatal error.
 */
static int
smem_rounds(struct ctx *c, struct fit_model *fm, struct mstate *st, struct gm_error *err)
{
	for (int round = 0; round < SMEM_ROUNDS && st->nbest > 0 && fm->k >= 3; round++) {
		double before = st->best[0].res.loglik;
		struct gmm *g = gmm_dup(st->best[0].g);
		struct pool p;
		struct batch bt;
		int rc;

		if (g == NULL) {
			gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
			return -1;
		}
		memset(&p, 0, sizeof p);
		p.cap = NEIGHBOUR_RUNS;
		bt.n = 0;
		rc = screen_smem(c, g, fm, st, &bt, &p, err);
		gmm_free(g);
		if (rc == 0)
			rc = screen_batch(c, &bt, fm, st, &p, err);
		if (rc == 0)
			rc = run_pool(c, &p, fm, st, err);
		if (rc) {
			for (size_t i = 0; i < bt.n; i++)
				gmm_free(bt.g[i]);
			pool_free(&p);
			return -1;
		}
		if (!(st->best[0].res.loglik > before) || same_optimum(st->best[0].res.loglik, before))
			break;
	}
	return 0;
}

/* ---- one model ---- */

size_t
fit_default_starts(size_t n)
{
	size_t s = n > 0 ? (FIT_STARTS_ROWS + n - 1) / n : FIT_STARTS_CAP;

	return s < FIT_DEFAULT_STARTS ? FIT_DEFAULT_STARTS : s > FIT_STARTS_CAP ? FIT_STARTS_CAP : s;
}

size_t
fit_max_starts(size_t n, size_t ns)
{
	size_t m = FIT_MORE_STARTS * ns, budget = n > 0 ? FIT_MORE_ROWS / n : m;

	m = m < budget ? m : budget;
	return m > ns ? m : ns;
}

/* Runs so far that reached the model's best log-likelihood. */
static size_t
times_reached(const struct mstate *st)
{
	size_t n = 0;

	if (st->nbest == 0)
		return 0;
	for (size_t i = 0; i < st->nll; i++)
		n += same_optimum(st->lls[i], st->best[0].res.loglik);
	return n;
}

/* Starts per model: one for K = 1 (EM's optimum is the data's moments). */
static size_t
n_starts(const struct ctx *c, const struct fit_model *fm)
{
	if (fm->k == 1 && !c->opt->init_forced)
		return 1;
	return c->opt->n_init ? c->opt->n_init : FIT_DEFAULT_STARTS;
}

/* Screen the options' warm start with the generated ones, when it is this model's. */
static int
warm_start(struct ctx *c, struct fit_model *fm, struct mstate *st, struct batch *bt,
	   struct pool *p, struct gm_error *err)
{
	const struct gmm *w = c->opt->warm;
	struct gmm *g;

	if (w == NULL || w->k != fm->k || w->d != c->ds->d || w->cov_type != fm->cov)
		return 0;
	g = gmm_dup(w);
	if (g == NULL) {
		gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	if (gmm_prepare(g) >= 0) {
		gmm_free(g);	/* not a model (cannot happen for a fitted one) */
		return 0;
	}
	return screen_start(c, g, fm, st, bt, p, err);
}

/*
 * The generated starts of a model, with the splits of prev (K - 1) and
 * the merges of next (K + 1) when given.  A model searched by one start
 * alone (alone: no merges will follow) is run to convergence on all rows;
 * several starts are screened on the search rows.
 */
static int
search_model(struct ctx *c, struct fit_model *fm, struct mstate *st, int generate, int alone,
	     const struct gmm *prev, const struct gmm *next, struct gm_error *err)
{
	const size_t ns = generate ? n_starts(c, fm) : 0;
	struct pool p, q;
	struct batch bt;
	struct rng rng;

	/* The generated starts and the neighbours' compete in pools of their own. */
	memset(&p, 0, sizeof p);
	memset(&q, 0, sizeof q);
	bt.n = 0;
	p.cap = c->long_runs;
	q.cap = NEIGHBOUR_RUNS;
	/* The same seed for every (K, structure). */
	rng_seed(&rng, c->opt->seed);
	if (ns == 1 && alone && prev == NULL && next == NULL) {
		struct gmm *g;
		struct em_result r;
		int v = make_start(c, 0, &rng, fm, st, &g, err);
		if (v)
			return v < 0 ? -1 : 0;
		fm->search.starts++;
		fm->search.run++;
		v = run_em(c, c->ds, g, &c->full, fm, st, &r, err);
		if (v == 0 && keep_optimum(st, g, &r, 1, 1, 1)) {
			gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
			v = -1;
		}
		gmm_free(g);
		return v < 0 ? -1 : 0;
	}
	for (size_t s = 0; s < ns; s++) {
		struct gmm *g;
		int v = make_start(c, s, &rng, fm, st, &g, err);
		if (v < 0 || (v == 0 && screen_start(c, g, fm, st, &bt, &p, err)))
			goto fatal;
	}
	if (generate && warm_start(c, fm, st, &bt, &p, err))
		goto fatal;
	if (screen_batch(c, &bt, fm, st, &p, err))
		goto fatal;
	if (prev != NULL && screen_splits(c, prev, fm, st, &bt, &q, err))
		goto fatal;
	if (next != NULL && screen_merges(c, next, fm, st, &bt, &q, err))
		goto fatal;
	if (screen_batch(c, &bt, fm, st, &q, err))
		goto fatal;
	if (run_pool(c, &p, fm, st, err) || run_pool(c, &q, fm, st, err) ||
	    (!c->opt->init_forced && smem_rounds(c, fm, st, err)))
		goto fatal;
	/* Unsure (the best reached by one start only): more starts, ns at a time. */
	for (size_t s0 = ns; generate && ns > 1 && s0 < c->opt->n_init_max && times_reached(st) < c->reached_min;
	     s0 += ns) {
		double before = st->nbest ? st->best[0].res.loglik : -HUGE_VAL;
		for (size_t s = s0; s < s0 + ns && s < c->opt->n_init_max; s++) {
			struct gmm *g;
			int v = make_start(c, s, &rng, fm, st, &g, err);
			if (v < 0 || (v == 0 && screen_start(c, g, fm, st, &bt, &p, err)))
				goto fatal;
		}
		if (screen_batch(c, &bt, fm, st, &p, err) || run_pool(c, &p, fm, st, err))
			goto fatal;
		if (!c->opt->init_forced && st->nbest && st->best[0].res.loglik > before &&
		    !same_optimum(st->best[0].res.loglik, before) && smem_rounds(c, fm, st, err))
			goto fatal;
	}
	return 0;
fatal:
	for (size_t i = 0; i < bt.n; i++)
		gmm_free(bt.g[i]);
	pool_free(&p);
	pool_free(&q);
	return -1;
}

/* Set a model not to be fitted when the data cannot support it. */
static void
precheck(struct ctx *c, struct fit_model *fm, struct mstate *st)
{
	struct gmm *t = gmm_new(fm->k, c->ds->d, fm->cov);

	if (t != NULL) {
		fm->n_params = gmm_n_parameters(t);
		gmm_free(t);
	}
	if (fm->k > c->ds->n) {
		fm->status = GM_EUSAGE;
		snprintf(fm->message, sizeof fm->message, "K = %zu is more than the %zu rows",
			 fm->k, c->ds->n);
		st->skip = 1;
	} else if (fm->n_params >= c->ds->n && c->fr->nmodels > 1) {
		/* Alone, such a model is fitted all the same (the caller warns). */
		fm->verdict = FIT_NOT_IDENTIFIABLE;
		snprintf(fm->message, sizeof fm->message,
			 "p = %zu free parameters for %zu rows", fm->n_params, c->ds->n);
		st->skip = 1;
	} else if (fm->k > c->distinct) {
		fm->verdict = FIT_DEGENERATE;
		snprintf(fm->message, sizeof fm->message,
			 "the data have only %zu distinct rows, fewer than the %zu components",
			 c->distinct, fm->k);
		st->skip = 1;
	}
}

/*
 * The best optimum run on from MID_TOL to the user's tolerance (within
 * --max-iter M steps from its start); one that then ends degenerate or
 * fails gives way to the next.  0, or -1 on a fatal error.
 */
static int
polish_best(struct ctx *c, struct fit_model *fm, struct mstate *st, struct gm_error *err)
{
	while (st->nbest > 0 && !st->best[0].polished) {
		struct optimum *o = &st->best[0];
		struct em_options eo = c->full;
		struct em_result r;
		int v = 0;

		o->polished = 1;
		if (o->res.iterations >= eo.max_iter)
			break;
		eo.max_iter -= o->res.iterations;
		v = run_em(c, c->ds, o->g, &eo, fm, st, &r, err);
		if (v < 0)
			return -1;
		if (v == 0) {
			r.iterations += o->res.iterations;
			o->res = r;
			break;
		}
		gmm_free(o->g);
		memmove(st->best, st->best + 1, --st->nbest * sizeof *st->best);
	}
	return 0;
}

/* From the search's state to the model's entry: polish, verdict, criteria. */
static int
finish_model(struct ctx *c, struct fit_model *fm, struct mstate *st, struct gm_error *err)
{
	struct fit_search *sr = &fm->search;
	double best, ent, slm;

	fm->starts_failed = sr->failed;
	if (st->skip)
		return GM_OK;
	sr->search_rows = st->nbest && st->best[0].on_all ? c->ds->n : c->sds->n;
	if (st->nbest > 0 && !st->best[0].on_all) {
		/* Searched on a sample: its best optima run to convergence on all rows. */
		struct mstate all;
		memset(&all, 0, sizeof all);
		for (size_t i = 0; i < st->nbest; i++) {
			struct em_result r;
			int v = run_em(c, c->ds, st->best[i].g, &c->full, fm, &all, &r, err);
			if (v < 0 || (v == 0 && keep_optimum(&all, st->best[i].g, &r, 1, 1, 1))) {
				for (size_t j = 0; j < all.nbest; j++)
					gmm_free(all.best[j].g);
				free(all.lls);
				return v < 0 ? err->status : gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
			}
		}
		if (all.why[0] != '\0' && st->why[0] == '\0')
			snprintf(st->why, sizeof st->why, "%s", all.why);
		if (all.first.status && !st->first.status)
			st->first = all.first;
		for (size_t i = 0; i < st->nbest; i++)
			gmm_free(st->best[i].g);
		memcpy(st->best, all.best, sizeof st->best);
		st->nbest = all.nbest;
		free(all.lls);
		sr->have_runner_up = all.nbest > 1;
		sr->runner_up_loglik = all.nbest > 1 ? all.best[1].res.loglik : 0.0;
	}
	if (polish_best(c, fm, st, err))
		return err->status;
	if (st->nbest == 0) {
		if (st->why[0] != '\0' || !st->first.status) {
			fm->verdict = FIT_DEGENERATE;
			snprintf(fm->message, sizeof fm->message, "%s",
				 st->why[0] ? st->why : "no start could be made");
			return GM_OK;
		}
		fm->status = st->first.status;
		snprintf(fm->message, sizeof fm->message, "%s", st->first.msg);
		return GM_OK;
	}
	best = st->lls[0];
	for (size_t i = 1; i < st->nll; i++)
		best = fmax(best, st->lls[i]);
	sr->reached_best = 0;
	for (size_t i = 0; i < st->nll; i++) {
		if (same_optimum(st->lls[i], best))
			sr->reached_best++;
		else if (c->sds == c->ds && (!sr->have_runner_up || st->lls[i] > sr->runner_up_loglik)) {
			sr->have_runner_up = 1;
			sr->runner_up_loglik = st->lls[i];
		}
	}
	fm->g = gmm_dup(st->best[0].g);
	if (fm->g == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	fm->res = st->best[0].res;
	gmm_sort(fm->g);
	fm->status = GM_OK;
	fm->verdict = FIT_USABLE;
	fm->bic = -2.0 * fm->res.loglik + (double)fm->n_params * log(c->wtot);
	fm->aic = -2.0 * fm->res.loglik + 2.0 * (double)fm->n_params;
	if (fit_classification(c->ds, fm->g, c->opt->em.threads, &ent, &slm))
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	fm->entropy = ent;
	fm->icl = fm->bic - 2.0 * slm;
	return GM_OK;
}

/* ---- the whole run ---- */

/* Distinct rows of ds, counted up to cap (then cap is returned). */
static size_t
count_distinct(const struct dataset *ds, size_t cap)
{
	return dataset_count_distinct(ds, cap);
}

static int
ctx_init(struct ctx *c, const struct dataset *ds, const struct fit_options *opt,
	 struct fit_result *fr, struct gm_error *err)
{
	size_t kmax = 1;
	int need_hc;

	memset(c, 0, sizeof *c);
	c->ds = c->sds = ds;
	c->opt = opt;
	c->fr = fr;
	c->full = opt->em;
	c->mid = opt->em;
	if (c->mid.tol < MID_TOL)
		c->mid.tol = MID_TOL;
	c->screen = opt->em;
	c->screen.progress = NULL;
	if (c->screen.max_iter > SCREEN_ITER)
		c->screen.max_iter = SCREEN_ITER;
	/* The user's tolerance only: a start that moves slowly at first is not cut short. */
	c->wtot = c->wtot_s = fr->total_weight;
	/*
	 * One model alone is searched deeper: its time is short anyway, and
	 * where a model has many optima (more components than the data hold)
	 * the best is often among the screened starts ranked 6th to 30th.
	 */
	c->long_runs = opt->nk * opt->ncov == 1 && !opt->init_forced && !opt->as_selection
		       ? LONG_RUNS_ONE : LONG_RUNS;
	c->reached_min = opt->nk * opt->ncov == 1 && !opt->init_forced && !opt->as_selection
			 ? REACHED_ONE : 2;
	c->threads = 1;
#ifdef _OPENMP
	c->threads = opt->em.threads > 0 ? opt->em.threads : omp_get_max_threads();
#endif
	for (size_t b = 0; b < opt->nk; b++)
		kmax = opt->ks[b] > kmax ? opt->ks[b] : kmax;
	c->distinct = count_distinct(ds, kmax + 1);
	/*
	 * Each column's grid (0: none): a component narrower than a tenth of
	 * it sits on one value.  A rounded fit's intervals bound it already,
	 * and the prior's posterior mode is what --prior asks for.
	 */
	if (ds->round == NULL && opt->em.prior == NULL) {
		if ((c->grid = malloc(ds->d * sizeof *c->grid)) == NULL)
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		for (size_t p = 0; p < ds->d; p++)
			c->grid[p] = dataset_grid(ds, p);
	}
	if (ds->n > FIT_SEARCH_ROWS) {
		size_t step = ds->n / FIT_SEARCH_ROWS + 1;
		c->sample.d = ds->d;
		c->sample.round = ds->round;
		c->sample.n = (ds->n + step - 1) / step;
		c->sample.x = malloc(c->sample.n * ds->d * sizeof *c->sample.x);
		c->sample.w = ds->w ? malloc(c->sample.n * sizeof *c->sample.w) : NULL;
		if (c->sample.x == NULL || (ds->w != NULL && c->sample.w == NULL))
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		dataset_every(ds, step, c->sample.x, c->sample.w);
		c->sds = &c->sample;
		c->wtot_s = dataset_total_weight(&c->sample);
	}
	c->colvar = malloc(ds->d * sizeof *c->colvar);
	if (c->colvar == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	for (size_t j = 0; j < ds->d; j++) {
		double m;
		dataset_column_moments(c->sds, j, &m, &c->colvar[j]);
		if (!(c->colvar[j] > 0.0))
			c->colvar[j] = 1.0;
	}
	need_hc = opt->init_forced ? opt->init == INIT_HC : kmax > 1 && !opt->no_hc;
	if (need_hc && c->distinct > 1) {
		double t0 = clock_seconds();
		int rc = init_hc_new(c->sds, &c->hc, err);
		fr->init_seconds += clock_seconds() - t0;
		if (rc != GM_OK)
			return rc;
	}
	return GM_OK;
}

static void
ctx_free(struct ctx *c)
{
	free(c->sample.x);
	free(c->grid);
	free(c->sample.w);
	free(c->colvar);
	init_hc_free(c->hc);
}

/* Index in the model list of (K, structure a), or -1. */
static long
model_index(const struct fit_options *opt, size_t a, size_t k)
{
	for (size_t b = 0; b < opt->nk; b++)
		if (opt->ks[b] == k)
			return (long)(a * opt->nk + b);
	return -1;
}

static const struct gmm *
best_of(const struct mstate *st, long i)
{
	return i >= 0 && st[i].nbest > 0 ? st[i].best[0].g : NULL;
}

static double
best_loglik(const struct mstate *st, long i)
{
	return i >= 0 && st[i].nbest > 0 ? st[i].best[0].res.loglik : -INFINITY;
}

/*
 * The models of structure a: K upwards (each also from the K - 1 fit
 * split), then downwards (each also from the K + 1 fit merged), then
 * upwards again from the splits of each fit that the way down improved.
 */
static int
search_structure(struct ctx *c, size_t a, struct mstate *st, struct gm_error *err)
{
	const struct fit_options *opt = c->opt;
	const int nb = !opt->init_forced;
	size_t kmax = 0;
	unsigned char *better;

	for (size_t b = 0; b < opt->nk; b++)
		kmax = opt->ks[b] > kmax ? opt->ks[b] : kmax;
	for (size_t k = 1; k <= kmax; k++) {
		long i = model_index(opt, a, k);
		/* K = 1 has one optimum (the moments): no merges into it. */
		int alone = !nb || k == 1 || model_index(opt, a, k + 1) < 0;
		if (i < 0 || st[i].skip)
			continue;
		const struct gmm *prev = nb ? best_of(st, model_index(opt, a, k - 1)) : NULL;
		if (nb && prev == NULL && opt->split != NULL && opt->split->k + 1 == k &&
		    opt->split->d == c->ds->d && opt->split->cov_type == c->fr->models[i].cov)
			prev = opt->split;
		if (search_model(c, &c->fr->models[i], &st[i], 1, alone, prev, NULL, err))
			return -1;
	}
	if (!nb)
		return 0;
	better = calloc(kmax + 2, 1);
	if (better == NULL) {
		gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	for (size_t k = kmax; k-- > 2;) {
		long i = model_index(opt, a, k);
		const struct gmm *next = best_of(st, model_index(opt, a, k + 1));
		double before = best_loglik(st, i);
		if (i < 0 || st[i].skip || next == NULL)
			continue;
		if (search_model(c, &c->fr->models[i], &st[i], 0, 0, NULL, next, err))
			goto fatal;
		better[k] = best_loglik(st, i) > before;
	}
	for (size_t k = 3; k <= kmax; k++) {
		long i = model_index(opt, a, k);
		const struct gmm *prev = best_of(st, model_index(opt, a, k - 1));
		double before = best_loglik(st, i);
		if (i < 0 || st[i].skip || prev == NULL || !better[k - 1])
			continue;
		if (search_model(c, &c->fr->models[i], &st[i], 0, 0, prev, NULL, err))
			goto fatal;
		better[k] = best_loglik(st, i) > before;
	}
	free(better);
	return 0;
fatal:
	free(better);
	return -1;
}

/*
 * Threads that search structures side by side: on small data, where one
 * structure's runs are too few and too short to keep the threads busy
 * (the long runs, the neighbours' and split-and-merge starts come a few
 * at a time), each structure goes to a thread of its own.  Larger data
 * keep every thread on one structure's runs (and passes) at a time.
 */
#define STRUCT_MAX_WORK 262144	/* search rows times columns times the largest K */
static int
structure_threads(const struct ctx *c)
{
	const struct fit_options *opt = c->opt;
	size_t kmax = 1;

	for (size_t b = 0; b < opt->nk; b++)
		kmax = opt->ks[b] > kmax ? opt->ks[b] : kmax;
	if (opt->ncov < 2 || c->threads < 2 || c->ds->spread != NULL ||
	    (double)c->sds->n * (double)c->sds->d * (double)kmax > STRUCT_MAX_WORK)
		return 1;
	return (size_t)c->threads < opt->ncov ? c->threads : (int)opt->ncov;
}

/*
 * Every structure's models searched, on structure_threads threads; a
 * structure's search does not depend on the threads it is given, so
 * neither do the results.  The first structure (in order) that fails
 * gives the error.
 */
static int
search_all(struct ctx *c, struct mstate *st, struct gm_error *err)
{
	const size_t ns = c->opt->ncov;
	const int nthr = structure_threads(c);
	struct gm_error *e;
	int *rc, out = GM_OK;
	long a;

	if (nthr < 2) {
		for (size_t s = 0; s < ns; s++)
			if (search_structure(c, s, st, err))
				return err->status ? err->status : GM_EINTERNAL;
		return GM_OK;
	}
	e = calloc(ns, sizeof *e);
	rc = calloc(ns, sizeof *rc);
	if (e == NULL || rc == NULL) {
		free(e);
		free(rc);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
#pragma omp parallel for num_threads(nthr) schedule(dynamic)
	for (a = 0; a < (long)ns; a++) {
		struct ctx one = *c;
		one.threads = 1;
		one.screen.threads = one.mid.threads = one.full.threads = 1;
		one.screen.progress = one.mid.progress = one.full.progress = NULL;
		gm_error_clear(&e[a]);
		if (search_structure(&one, (size_t)a, st, &e[a]))
			rc[a] = e[a].status ? e[a].status : GM_EINTERNAL;
	}
	for (size_t s = 0; s < ns && out == GM_OK; s++)
		if (rc[s] != GM_OK) {
			*err = e[s];
			out = rc[s];
		}
	free(e);
	free(rc);
	return out;
}

/* The error when no model can be used. */
static int
none_usable(const struct fit_result *res, int with_prior, struct gm_error *err)
{
	const struct fit_model *fm = NULL;

	for (size_t m = 0; m < res->nmodels && fm == NULL; m++)
		if (res->models[m].status == GM_OK)
			fm = &res->models[m];
	if (fm == NULL)
		return gm_error_set(err, res->models[0].status, NULL, 0, 0, "%s",
				    res->models[0].message);
	return gm_error_set(err, GM_ENUMERIC, NULL, 0, 0,
			    "%s%s: %s, with K = %zu, covariance %s; try fewer components, "
			    "%sa larger --reg, or another --covariance",
			    res->nmodels > 1 ? "no model can be used; the first is " : "",
			    fm->verdict == FIT_DEGENERATE ? "degenerate" : "not identifiable",
			    fm->message, fm->k, gmm_cov_name(fm->cov),
			    fm->verdict == FIT_DEGENERATE && !with_prior ? "--prior, " : "");
}

int
fit_run(const struct dataset *ds, const struct fit_options *opt,
	struct fit_result *res, struct gm_error *err)
{
	struct ctx c;
	struct mstate *st = NULL;
	int any = 0, rc;

	memset(res, 0, sizeof *res);
	res->criterion = opt->criterion;
	res->total_weight = dataset_total_weight(ds);
	res->nmodels = opt->nk * opt->ncov;
	res->models = calloc(res->nmodels, sizeof *res->models);
	st = calloc(res->nmodels, sizeof *st);
	if (res->models == NULL || st == NULL) {
		free(st);
		free(res->models);
		res->models = NULL;
		res->nmodels = 0;
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	rc = ctx_init(&c, ds, opt, res, err);
	for (size_t m = 0; m < res->nmodels; m++) {
		struct fit_model *fm = &res->models[m];
		fm->k = opt->ks[m % opt->nk];
		fm->cov = opt->covs[m / opt->nk];
		gm_error_clear(&st[m].first);
		precheck(&c, fm, &st[m]);
	}
	if (rc == GM_OK)
		rc = search_all(&c, st, err);
	for (size_t m = 0; m < res->nmodels; m++) {
		if (rc == GM_OK)
			rc = finish_model(&c, &res->models[m], &st[m], err);
		for (size_t i = 0; i < st[m].nbest; i++)
			gmm_free(st[m].best[i].g);
		free(st[m].lls);
	}
	free(st);
	ctx_free(&c);
	if (rc != GM_OK) {
		fit_result_free(res);
		return rc;
	}
	for (size_t m = 0; m < res->nmodels; m++) {
		struct fit_model *fm = &res->models[m];
		if (fm->status != GM_OK || fm->verdict != FIT_USABLE)
			continue;
		if (!any || crit(fm, opt->criterion) < crit(&res->models[res->chosen], opt->criterion))
			res->chosen = m;
		any = 1;
	}
	if (!any) {
		rc = none_usable(res, opt->em.prior != NULL, err);
		fit_result_free(res);
		return rc;
	}
	return GM_OK;
}

void
fit_result_free(struct fit_result *res)
{
	for (size_t m = 0; m < res->nmodels; m++)
		gmm_free(res->models[m].g);
	free(res->models);
	memset(res, 0, sizeof *res);
}

/*
 * Whether components i and j of g coincide: every mean and covariance
 * entry within FIT_SAME_COMPONENT of i's sds (a stationary point of the
 * likelihood, not a maximum: it depends on their weights' sum alone).
 */
static int
same_component(const struct gmm *g, size_t i, size_t j)
{
	const size_t d = g->d;
	const double *ci = g->cov + i * d * d, *cj = g->cov + j * d * d;

	for (size_t p = 0; p < d; p++) {
		double sp = sqrt(ci[p * d + p]);
		if (!(fabs(g->mean[i * d + p] - g->mean[j * d + p]) <= FIT_SAME_COMPONENT * sp))
			return 0;
		for (size_t q = 0; q <= p; q++)
			if (!(fabs(ci[p * d + q] - cj[p * d + q]) <=
			      FIT_SAME_COMPONENT * sp * sqrt(ci[q * d + q])))
				return 0;
	}
	return 1;
}

long
fit_degenerate(const struct gmm *g, double wtot, const double *reg, const double *grid,
	       char *why, size_t len)
{
	const size_t k = g->k, d = g->d;
	const int own = !gmm_cov_is_shared(g->cov_type);
	const double need = own ? (double)d + 1.0 : 1.0;
	double regmean = 0.0, *a;
	long bad = -1;

	/* One component holds all the rows: nothing in it is spurious. */
	if (k == 1)
		return -1;
	a = malloc(2 * d * d * sizeof *a);
	for (size_t c = 0; c < d; c++)
		regmean += reg[c] / (double)d;
	for (size_t j = 0; j < k && bad < 0; j++) {
		double rows = g->weight[j] * wtot;
		if (rows < need) {
			char num[32];
			snprintf(num, sizeof num, "%.3g", rows);
			snprintf(why, len, "component %zu holds %s row%s of weight, fewer than %s",
				 j + 1, num, strcmp(num, "1") == 0 ? "" : "s", own ? (d == 1 ? "2 (d + 1)" : "d + 1") : "one");
			bad = (long)j;
			break;
		}
		/* A variance held up by the regulariser: cov - 2 reg not positive definite. */
		if (a == NULL)
			continue;
		for (size_t p = 0; p < d * d; p++)
			a[p] = g->cov[j * d * d + p];
		for (size_t c = 0; c < d; c++) {
			double r = gmm_cov_is_spherical(g->cov_type) ? regmean : reg[c];
			if (!(r > 0.0))
				r = 0.0;
			a[c * d + c] -= 2.0 * r;
		}
		if (!(regmean > 0.0))
			continue;
		if (gmm_cholesky(a, a + d * d, d)) {
			snprintf(why, len, "component %zu has a %s held up by the regulariser "
				 "(the rows it holds have %s)", j + 1,
				 d == 1 || gmm_cov_is_diagonal(g->cov_type) ? "variance" :
				 "covariance eigenvalue",
				 d == 1 ? "(nearly) one value" : "(nearly) no spread in some direction");
			bad = (long)j;
		}
		/* Collapsed onto one value of a column's grid: its sd under a tenth of the step. */
		for (size_t c = 0; grid != NULL && bad < 0 && c < d; c++)
			if (grid[c] > 0.0 && g->cov[j * d * d + c * d + c] < FIT_GRID_SD * FIT_GRID_SD * grid[c] * grid[c]) {
				snprintf(why, len, "component %zu has an sd of %.3g in column %zu, under "
					 "%g of the grid %g its values lie on (its rows sit on one value)",
					 j + 1, sqrt(g->cov[j * d * d + c * d + c]), c + 1, FIT_GRID_SD, grid[c]);
				bad = (long)j;
			}
		if (gmm_cov_is_shared(g->cov_type))
			break;	/* one covariance for all */
	}
	free(a);
	for (size_t i = 0; i < k && bad < 0; i++)
		for (size_t j = i + 1; j < k && bad < 0; j++)
			if (same_component(g, i, j)) {
				snprintf(why, len, "components %zu and %zu are the same (means and "
					 "covariances within %g of their sds): a fit of fewer components",
					 i + 1, j + 1, FIT_SAME_COMPONENT);
				bad = (long)j;
			}
	return bad;
}

/*
 * The classification's scan (FIT_CLASS_HEAD parameters: k, d, the
 * covariance type, the caller's threads; then the model, empar's
 * layout): its state is (entropy, sum of log max z), each block's sums
 * added in block order, so that a scan handed from process to process
 * makes the additions of one loop over all the blocks.
 */
#define FIT_CLASS_HEAD 4

/*
 * Block b of rows [lo, hi) (lo a multiple of EM_BLOCK) into part[2 b],
 * part[2 b + 1], by the E step's kernels (em_block_class).
 */
static void
class_block(const struct dataset *ds, const struct gmm *g, size_t lo, size_t hi, double *scratch,
	    double *part)
{
	const size_t rows = hi - lo < EM_BLOCK ? hi - lo : EM_BLOCK;

	em_block_class(g, dataset_x(ds, lo, rows), dataset_w(ds, lo, rows), rows, ds->round, scratch,
		       &part[0], &part[1]);
}

/* The blocks' sums of rows [lo, hi) into part (2 per block), on up to threads threads. */
static int
class_blocks(const struct dataset *ds, const struct gmm *g, size_t lo, size_t hi, int threads,
	     double *part)
{
	const size_t nb = (hi - lo + EM_BLOCK - 1) / EM_BLOCK;
	int nthr = 1, failed = 0;
	long b;

#ifdef _OPENMP
	nthr = threads > 0 ? threads : omp_get_max_threads();
	if (hi - lo < 8 * EM_BLOCK)
		nthr = 1;
#else
	(void)threads;
#endif
#pragma omp parallel num_threads(nthr) reduction(|:failed)
	{
		double *lp = malloc(em_block_scratch(g->d, g->k) * sizeof *lp);
		failed |= lp == NULL;
#pragma omp for schedule(static)
		for (b = 0; b < (long)nb; b++)
			if (lp != NULL)
				class_block(ds, g, lo + (size_t)b * EM_BLOCK, hi, lp, part + 2 * b);
		free(lp);
	}
	return failed ? -1 : 0;
}

static int
class_scan(const struct dataset *ds, const struct dataset_scan *q, size_t lo, size_t hi,
	   double *st)
{
	const double *p = q->param;
	const size_t k = (size_t)p[0], d = (size_t)p[1], nb = (hi - lo + EM_BLOCK - 1) / EM_BLOCK;
	/* Spread rows: each process's own thread count (the bits do not depend on it). */
	const int threads = ds->spread != NULL ? ds->threads : (int)p[3];
	struct gmm *g;
	double *part;
	int rc = -1;

	if (lo == hi)
		return 0;
	if (lo % EM_BLOCK != 0 || d != ds->d)
		return -1;
	g = gmm_new(k, d, (enum gmm_cov)p[2]);
	part = malloc(2 * nb * sizeof *part);
	if (g != NULL && part != NULL) {
		empar_model_unpack(g, p + FIT_CLASS_HEAD);
		rc = class_blocks(ds, g, lo, hi, threads, part);
	}
	for (size_t b = 0; rc == 0 && b < nb; b++) {
		st[0] += part[2 * b];
		st[1] += part[2 * b + 1];
	}
	free(part);
	gmm_free(g);
	return rc;
}

int
fit_attach(void)
{
	return dataset_scan_add(class_scan) < 0 ? -1 : 0;
}

int
fit_classification(const struct dataset *ds, const struct gmm *g, int threads,
		   double *entropy, double *sum_log_max)
{
	const size_t np = FIT_CLASS_HEAD + empar_model_len(g->k, g->d);
	double *param = malloc(np * sizeof *param), st[2] = { 0.0, 0.0 };
	int kind = dataset_scan_add(class_scan), rc = -1;

	if (param != NULL && kind >= 0) {
		struct dataset_scan q = { kind, 0, 2, param, np };
		param[0] = (double)g->k;
		param[1] = (double)g->d;
		param[2] = (double)g->cov_type;
		param[3] = (double)threads;
		empar_model_pack(g, param + FIT_CLASS_HEAD);
		rc = dataset_scan(ds, &q, st);
	}
	free(param);
	if (rc != 0)
		return -1;
	*entropy = st[0];
	*sum_log_max = st[1];
	return 0;
}
