/*
 * empar.c - EM's pass over rows spread across processes (see empar.h).
 *
 * A pass's sums are fixed by the rows alone (em.c): DS_CHUNKS chunks of
 * consecutive blocks, each chunk's blocks merged in order, then the
 * chunks in order.  par_distribute hands each process whole chunks, so
 * each process computes its chunks' statistics exactly as one process
 * would, and rank 0 merges all of them in order (em_pass): the report,
 * the JSON and the figure's files are the same bytes for any number of
 * processes.  The price: at most DS_CHUNKS processes do EM work, and
 * the chunks' statistics, K (1 + d + d^2) + 2 doubles each, travel to
 * rank 0 every pass.
 *
 * Rank 0 drives: it starts the job (the other processes run serve_pass,
 * from par_serve), then every process runs pass_all, whose collective
 * steps pair up: agree that the buffers are there, the model from rank
 * 0, each process's chunks, agree that they were computed, the records
 * to rank 0.  A run of rounded rows first hands the rounding to every
 * process (empar_share_rounding).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "em.h"
#include "empar.h"
#include "gmm.h"
#include "par.h"

static int pass_job = -1;

size_t
empar_model_len(size_t k, size_t d)
{
	return 3 * k + k * d + 2 * k * d * d;
}

void
empar_model_pack(const struct gmm *g, double *b)
{
	const size_t k = g->k, d = g->d;

	memcpy(b, g->weight, k * sizeof *b);
	memcpy(b + k, g->logw, k * sizeof *b);
	memcpy(b + 2 * k, g->logdet, k * sizeof *b);
	memcpy(b + 3 * k, g->mean, k * d * sizeof *b);
	memcpy(b + 3 * k + k * d, g->cov, k * d * d * sizeof *b);
	memcpy(b + 3 * k + k * d + k * d * d, g->chol, k * d * d * sizeof *b);
}

void
empar_model_unpack(struct gmm *g, const double *b)
{
	const size_t k = g->k, d = g->d;

	memcpy(g->weight, b, k * sizeof *b);
	memcpy(g->logw, b + k, k * sizeof *b);
	memcpy(g->logdet, b + 2 * k, k * sizeof *b);
	memcpy(g->mean, b + 3 * k, k * d * sizeof *b);
	memcpy(g->cov, b + 3 * k + k * d, k * d * d * sizeof *b);
	memcpy(g->chol, b + 3 * k + k * d + k * d * d, k * d * d * sizeof *b);
}

/* Doubles of the buffer a pass needs: the model, or every chunk's record. */
static size_t
buf_len(size_t k, size_t d)
{
	size_t a = empar_model_len(k, d), b = DS_CHUNKS * em_stats_len(k, d);

	return a > b ? a : b;
}

/*
 * The collective part of a pass, on every process: the model from rank
 * 0 (g, allocated with k, d and the type), this process's chunks into
 * slot, then, all well, every process's chunk records to rank 0's slot.
 * ok: whether this process's g, slot and buf (buf_len) are there.
 * Returns 0, or -1 on every process when one failed.
 */
static int
pass_all(const struct dataset *ds, struct gmm *g, size_t k, int want, struct em_stats *slot,
	 double *buf, int ok, int threads)
{
	const size_t len = em_stats_len(k, ds->d);
	size_t c0, c1;

	if (!par_all_ok(ok && buf_len(k, ds->d) < 0x7fffffff))
		return -1;	/* g may be NULL on a process that failed */
	if (par_rank() == 0)
		empar_model_pack(g, buf);
	par_bcast(buf, empar_model_len(k, ds->d));
	if (par_rank() != 0)
		empar_model_unpack(g, buf);
	par_chunks(&c0, &c1);
	if (!par_all_ok(em_pass_chunks(ds, g, want, slot, c0, c1, ds->row0, threads) == 0))
		return -1;
	for (size_t c = c0; c < c1; c++)
		if (em_chunk_used(ds->n, c))
			em_stats_pack(&slot[c], buf + c * len);
	par_gather_chunks(buf, len);
	if (par_rank() == 0)
		for (size_t c = 0; c < DS_CHUNKS; c++)
			if ((c < c0 || c >= c1) && em_chunk_used(ds->n, c))
				em_stats_unpack(&slot[c], buf + c * len);
	return 0;
}

/* em_source's pass, on rank 0. */
static int
spread_pass(const struct dataset *ds, const struct gmm *g, int want, struct em_stats *slot,
	    int threads)
{
	double *buf;
	int rc;

	if (!par_in_chunks(ds))
		return GM_EINTERNAL;	/* sorted since: an impossible state, none was told */
	if ((buf = malloc(buf_len(g->k, ds->d) * sizeof *buf)) == NULL)
		return GM_EINTERNAL;	/* the others were not told: none waits */
	par_job_start(pass_job, want, (long long)g->k * 16 + (long long)g->cov_type);
	rc = pass_all(ds, (struct gmm *)g, g->k, want, slot, buf, 1, threads);
	free(buf);
	return rc == 0 ? GM_OK : GM_EINTERNAL;
}

/* The pass's job on the other processes: args are want and k * 16 + the type. */
static void
serve_pass(struct dataset *ds, const long long *args, int threads)
{
	const size_t k = (size_t)(args[1] / 16), d = ds->d;
	const enum gmm_cov type = (enum gmm_cov)(args[1] % 16);
	const int full = !gmm_cov_is_diagonal(type);
	struct gmm *g = gmm_new(k, d, type);
	double *buf = malloc(buf_len(k, d) * sizeof *buf);
	struct em_stats slot[DS_CHUNKS];
	size_t c0, c1;
	int ok = g != NULL && buf != NULL;

	memset(slot, 0, sizeof slot);
	par_chunks(&c0, &c1);
	for (size_t c = c0; ok && c < c1; c++)
		if (em_chunk_used(ds->n, c) && em_stats_init(&slot[c], k, d, full))
			ok = 0;
	pass_all(ds, g, k, (int)args[0], slot, buf, ok, threads);
	for (size_t c = c0; c < c1; c++)
		em_stats_free(&slot[c]);
	free(buf);
	gmm_free(g);
}

static const struct em_source source = { spread_pass };

/*
 * The rounding (ds->round) of rounded rows, the same on every process: the
 * grouped-data E step, the classification's scan and the labels read it
 * from the data set each process holds.  The other processes keep rank
 * 0's widths here, for the rest of the run.
 */
static int round_job = -1;
static double *served_round;

/* The collective part: whether every process has h (d doubles), then rank 0's widths into it. */
static int
round_all(size_t d, double *h)
{
	if (!par_all_ok(h != NULL))
		return -1;
	par_bcast(h, d);
	return 0;
}

/* The rounding job on the other processes: args[0] is whether the rows are rounded. */
static void
serve_round(struct dataset *ds, const long long *args, int threads)
{
	(void)threads;
	ds->round = NULL;
	if (args[0] == 0)
		return;
	free(served_round);
	served_round = malloc(ds->d * sizeof *served_round);
	if (round_all(ds->d, served_round) == 0)
		ds->round = served_round;
}

int
empar_share_rounding(const struct dataset *ds)
{
	double *h;
	int rc;

	if (ds->spread == NULL || ds->em_source != &source)
		return GM_OK;
	par_job_start(round_job, ds->round != NULL, 0);
	if (ds->round == NULL)
		return GM_OK;
	if ((h = malloc(ds->d * sizeof *h)) != NULL)
		memcpy(h, ds->round, ds->d * sizeof *h);
	rc = round_all(ds->d, h);
	free(h);
	return rc == 0 ? GM_OK : GM_EINTERNAL;
}

int
empar_attach(struct dataset *ds, struct gm_error *err)
{
	if ((pass_job = par_job_add(serve_pass)) < 0 || (round_job = par_job_add(serve_round)) < 0)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "no room for EM's jobs");
	ds->em_source = &source;
	return GM_OK;
}
