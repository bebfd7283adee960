/*
 * unit-init.c - the start methods: scale-free starts and the hc start.
 *
 * Every expected value comes from how the data are built: the true
 * groups of simulated, well-separated clusters (their sizes and means),
 * the distinct values of a tied column, or an affine change of units.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "gmm.h"
#include "init.h"
#include "rng.h"
#include "tap.h"

/* Simulated clusters: centre, sds per column, size. */
struct blob {
	double mu[2], sd[2];
	size_t n;
};

/*
 * n rows of 2-D clusters in a random order (each row's cluster drawn in
 * proportion to the rows each has left, so the sizes are exact), with
 * each row's true cluster in lab.
 */
static void
make_blobs(struct dataset *ds, size_t *lab, const struct blob *b, size_t nb,
	   uint64_t seed)
{
	struct rng rng;
	size_t n = 0, left[8], i = 0;

	rng_seed(&rng, seed);
	for (size_t j = 0; j < nb; j++)
		n += left[j] = b[j].n;
	memset(ds, 0, sizeof *ds);
	ds->n = n;
	ds->d = 2;
	ds->x = malloc(n * 2 * sizeof *ds->x);
	for (; i < n; i++) {
		size_t u = (size_t)rng_below(&rng, n - i), j = 0;
		while (u >= left[j])
			u -= left[j++];
		left[j]--;
		for (size_t c = 0; c < 2; c++)
			ds->x[i * 2 + c] = b[j].mu[c] + b[j].sd[c] * rng_normal(&rng);
		lab[i] = j;
	}
}

/* A copy of ds with column c multiplied by scale[c] and shifted by shift[c]. */
static void
transform(const struct dataset *ds, const double *scale, const double *shift,
	  struct dataset *out)
{
	*out = *ds;
	out->x = malloc(ds->n * ds->d * sizeof *out->x);
	for (size_t i = 0; i < ds->n; i++)
		for (size_t c = 0; c < ds->d; c++)
			out->x[i * ds->d + c] = ds->x[i * ds->d + c] * scale[c] + shift[c];
}

static int
start(const struct dataset *ds, enum init_method m, const struct init_hc *hc,
      size_t k, uint64_t seed, struct gmm **out, struct gm_error *err)
{
	static const double zero[8];
	struct init_given gv;
	struct rng rng;

	memset(&gv, 0, sizeof gv);
	gv.hc = hc;
	rng_seed(&rng, seed);
	gm_error_clear(err);
	*out = gmm_new(k, ds->d, GMM_FULL);
	return init_model(ds, m, &gv, zero, &rng, *out, err);
}

/*
 * The components of g against the true groups: each has the weight of
 * a distinct group and that group's mean (both to 1e-9), over rows 0,
 * step, 2 step, ..
 */
static int
recovers(const struct gmm *g, const struct dataset *ds, const size_t *lab,
	 size_t nb, size_t step)
{
	double size[8] = { 0 }, mean[8][2] = { { 0 } }, tot = 0.0;
	int used[8] = { 0 };

	for (size_t i = 0; i < ds->n; i += step) {
		size[lab[i]] += 1.0;
		tot += 1.0;
		for (size_t c = 0; c < 2; c++)
			mean[lab[i]][c] += ds->x[i * 2 + c];
	}
	if (g->k != nb)
		return 0;
	for (size_t j = 0; j < g->k; j++) {
		int hit = 0;
		for (size_t t = 0; t < nb && !hit; t++) {
			if (used[t] || fabs(g->weight[j] * tot - size[t]) > 1e-9)
				continue;
			hit = 1;
			for (size_t c = 0; c < 2; c++)
				hit &= fabs(g->mean[j * 2 + c] - mean[t][c] / size[t]) < 1e-9;
			used[t] = hit;
		}
		if (!hit)
			return 0;
	}
	return 1;
}

/* (a) the same partition for x and for x in other units, every method. */
static void
test_scale_free(void)
{
	static const struct blob b[3] = {
		{ { 0, 0 }, { 1, 1 }, 120 }, { { 2.5, 0 }, { 1, 1 }, 100 },
		{ { 1, 2.5 }, { 1, 1 }, 80 }
	};
	static const double scales[3][2] = { { 1000, 1 }, { 1, 1000 }, { 1000, 1000 } };
	static const double shifts[3][2] = { { 0, 0 }, { 1e4, 0 }, { 0, 1e4 } };
	static const enum init_method ms[4] = {
		INIT_KMEANS, INIT_KMEANSPP, INIT_RANDOM_ROWS, INIT_HC
	};
	struct dataset ds, ts;
	size_t lab[300];
	struct gm_error err;

	make_blobs(&ds, lab, b, 3, 11);
	for (int mi = 0; mi < 4; mi++)
		for (int t = 0; t < 3; t++) {
			struct gmm *g0 = NULL, *g1 = NULL;
			int ok, same = 1;
			double sd[2] = { 0, 0 }, mu[2];
			transform(&ds, scales[t], shifts[t], &ts);
			for (size_t c = 0; c < 2; c++) {
				dataset_column_moments(&ds, c, &mu[c], &sd[c]);
				sd[c] = sqrt(sd[c]);
			}
			ok = start(&ds, ms[mi], NULL, 3, 7, &g0, &err) == GM_OK &&
			     start(&ts, ms[mi], NULL, 3, 7, &g1, &err) == GM_OK;
			for (size_t j = 0; ok && j < 3; j++) {
				same &= fabs(g1->weight[j] - g0->weight[j]) <= 1e-12 * g0->weight[j];
				for (size_t c = 0; c < 2; c++) {
					double want = g0->mean[j * 2 + c] * scales[t][c] + shifts[t][c];
					double tol = 1e-12 * (fabs(want) + scales[t][c] * sd[c]);
					same &= fabs(g1->mean[j * 2 + c] - want) <= tol;
				}
			}
			tap_ok(ok && same, "%s: columns x (%g, %g) + (%g, %g) give the same start",
			       init_name(ms[mi]), scales[t][0], scales[t][1], shifts[t][0],
			       shifts[t][1]);
			gmm_free(g0);
			gmm_free(g1);
			free(ts.x);
		}
	free(ds.x);
}

/* (b) hc on separated clusters finds the true groups; (d) a cached dendrogram. */
static void
test_hc_blobs(void)
{
	static const struct blob round[3] = {
		{ { 0, 0 }, { 1, 1 }, 150 }, { { 10, 0 }, { 1, 1 }, 90 },
		{ { 5, 9 }, { 1, 1 }, 60 }
	};
	static const struct blob longish[3] = {
		{ { 0, 0 }, { 6, 0.3 }, 140 }, { { 0, 5 }, { 0.5, 0.5 }, 100 },
		{ { 30, 5 }, { 0.5, 0.5 }, 60 }
	};
	struct dataset ds;
	size_t lab[300];
	struct gm_error err;
	struct gmm *g, *h;
	struct init_hc *hc;
	int ok;

	make_blobs(&ds, lab, round, 3, 1);
	ok = start(&ds, INIT_HC, NULL, 3, 0, &g, &err) == GM_OK;
	tap_ok(ok && recovers(g, &ds, lab, 3, 1),
	       "hc: three round clusters, K = 3: the true groups (150, 90, 60 rows)");
	gmm_free(g);

	ok = init_hc_new(&ds, &hc, &err) == GM_OK;
	for (size_t k = 1; k <= 5; k++) {
		int same = ok && start(&ds, INIT_HC, hc, k, 0, &g, &err) == GM_OK &&
			   start(&ds, INIT_HC, NULL, k, 0, &h, &err) == GM_OK;
		same = same && memcmp(g->weight, h->weight, k * sizeof(double)) == 0 &&
		       memcmp(g->mean, h->mean, k * 2 * sizeof(double)) == 0 &&
		       memcmp(g->cov, h->cov, k * 4 * sizeof(double)) == 0;
		tap_ok(same, "hc: the dendrogram made once, cut at K = %zu, is a fresh start's", k);
		gmm_free(g);
		gmm_free(h);
	}
	init_hc_free(hc);
	free(ds.x);

	make_blobs(&ds, lab, longish, 3, 2);
	ok = start(&ds, INIT_HC, NULL, 3, 0, &g, &err) == GM_OK;
	tap_ok(ok && recovers(g, &ds, lab, 3, 1),
	       "hc: an elongated cluster and two round ones, K = 3: the true groups");
	gmm_free(g);
	free(ds.x);
}

/* (c) tied rows: four distinct values, as rows and as frequency weights. */
static void
test_hc_ties(void)
{
	static const double v[4] = { 9, 1, 5, 2 };
	static const size_t cnt[4] = { 10, 20, 30, 40 };
	struct dataset ds, dw;
	struct gm_error err;
	struct gmm *g, *h = NULL;
	size_t n = 0;
	int ok, found = 0, same;

	memset(&ds, 0, sizeof ds);
	ds.d = 1;
	ds.x = malloc(100 * sizeof *ds.x);
	/* Round robin: 9 1 5 2 9 1 5 2 .. while each value has copies left. */
	for (size_t r = 0; n < 100; r++)
		for (size_t j = 0; j < 4; j++)
			if (r < cnt[j])
				ds.x[n++] = v[j];
	ds.n = n;
	ok = start(&ds, INIT_HC, NULL, 4, 0, &g, &err) == GM_OK;
	for (size_t j = 0; ok && j < 4; j++)
		for (size_t t = 0; t < 4; t++)
			found += fabs(g->mean[j] - v[t]) < 1e-12 &&
				 fabs(g->weight[j] - (double)cnt[t] / 100.0) < 1e-12;
	tap_ok(ok && found == 4, "hc: 4 distinct values, K = 4: a group for each value");

	memset(&dw, 0, sizeof dw);
	dw.n = 4;
	dw.d = 1;
	dw.x = (double *)v;
	dw.w = malloc(4 * sizeof *dw.w);
	for (size_t j = 0; j < 4; j++)
		dw.w[j] = (double)cnt[j];
	same = ok && start(&dw, INIT_HC, NULL, 4, 0, &h, &err) == GM_OK;
	for (size_t j = 0; same && j < 4; j++) {
		size_t t = 0;
		while (t < 4 && fabs(h->mean[t] - g->mean[j]) > 0.0)
			t++;
		same = t < 4 && fabs(h->weight[t] - g->weight[j]) < 1e-12;
	}
	tap_ok(same, "hc: the same values as 4 weighted rows give the same groups");
	gmm_free(g);
	gmm_free(h);

	ok = start(&ds, INIT_HC, NULL, 5, 0, &g, &err) == GM_ENUMERIC;
	tap_ok(ok && strstr(err.msg, "only 4 distinct rows") != NULL &&
	       strstr(err.msg, "K = 5") != NULL,
	       "hc: K = 5 on 4 distinct rows is an error (%s)", err.msg);
	gmm_free(g);
	ok = start(&dw, INIT_HC, NULL, 5, 0, &g, &err) == GM_ENUMERIC;
	tap_ok(ok, "hc: K = 5 on 4 weighted rows is an error too");
	gmm_free(g);
	free(dw.w);
	free(ds.x);
}

/* (e) more than 2000 rows: a subset of every third row, the same every time. */
static void
test_hc_large(void)
{
	static const struct blob b[3] = {
		{ { 0, 0 }, { 1, 1 }, 2500 }, { { 12, 0 }, { 1, 1 }, 1500 },
		{ { 6, 11 }, { 1, 1 }, 1000 }
	};
	struct dataset ds;
	size_t *lab = malloc(5000 * sizeof *lab);
	struct gm_error err;
	struct gmm *g, *h;
	int ok;

	make_blobs(&ds, lab, b, 3, 3);
	ok = start(&ds, INIT_HC, NULL, 3, 0, &g, &err) == GM_OK &&
	     start(&ds, INIT_HC, NULL, 3, 0, &h, &err) == GM_OK;
	tap_ok(ok && recovers(g, &ds, lab, 3, 3),
	       "hc: 5000 rows run on rows 0, 3, 6, .. (1667) and find their true groups");
	tap_ok(ok && memcmp(g->weight, h->weight, 3 * sizeof(double)) == 0 &&
	       memcmp(g->mean, h->mean, 6 * sizeof(double)) == 0 &&
	       memcmp(g->cov, h->cov, 12 * sizeof(double)) == 0,
	       "hc: on 5000 rows two starts are the same bits");
	gmm_free(g);
	gmm_free(h);
	free(ds.x);
	free(lab);
}

int
main(void)
{
	tap_plan(12 + 5 + 2 + 4 + 2);
	test_scale_free();
	test_hc_blobs();
	test_hc_ties();
	test_hc_large();
	return tap_done();
}
