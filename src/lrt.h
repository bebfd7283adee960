/*
 * lrt.h - the parametric-bootstrap likelihood-ratio test for the number
 * of components (McLachlan 1987; mclust's mclustBootstrapLRT).
 *
 * For K against K + 1 components of one structure, the statistic is
 * 2 (loglik(K + 1) - loglik(K)) of the fits to the data.  Its null
 * distribution is that of the same statistic on data drawn from the K
 * fit: each of B replicates draws the data's number of rows from it and
 * fits K and K + 1 with the fit's own search, with the data's fits as
 * one more start each, and the replicate's K fit split as starts of its
 * K + 1 fit (as a selection's K + 1 starts from the K fit's splits).
 * The hierarchical start is left out: the data's fits are the
 * replicate's deterministic starts, and its dendrogram would cost more
 * than the rest of a replicate's search on a thousand rows.  The p-value is (1 + the replicates whose
 * statistic is at least the data's) / (1 + the replicates fitted).
 *
 * Replicate b of the test of K draws from its own generator, seeded from
 * the user's seed, K and b, and each is fitted on one thread: the result
 * is the same for any number of threads.  Replicates run in parallel.
 */
#ifndef GMMFIT_LRT_H
#define GMMFIT_LRT_H

#include <stdint.h>

#include "dataset.h"
#include "error.h"
#include "fit.h"

#define LRT_MAX_B 100000	/* replicates per test, at most */
#define LRT_MAX_ROWS 10000000	/* rows a replicate may draw, at most */

struct lrt_options {
	size_t B;		/* replicates per test, 1 to LRT_MAX_B */
	uint64_t seed;
	int threads;		/* 0: OpenMP's default */
	struct fit_options fit;	/* the data's fit: its search, for the replicates */
	/* Called (from one thread at a time) as replicates end; may be NULL. */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
};

struct lrt_test {
	size_t k;		/* the test of K against K + 1 */
	double statistic;	/* 2 (loglik(K + 1) - loglik(K)) of the data's fits */
	double p_value;
	size_t replicates;	/* replicates fitted (B, less those that failed) */
	size_t failed;		/* replicates whose K or K + 1 fit failed or was unusable */
};

struct lrt_result {
	enum gmm_cov cov;	/* the structure tested */
	size_t B;		/* replicates asked for, per test */
	double rows;		/* rows each replicate drew */
	size_t ntests;
	struct lrt_test *tests;	/* ascending K */
};

/*
 * Test every K of the structure of fr's chosen model against K + 1, for
 * each K with K + 1 among the K fitted and both fits usable (none when
 * there is no such pair: ntests is 0).  ds is the data fr was fitted to.
 * Replicates draw ds's number of rows, or with weights their total
 * rounded (GM_EUSAGE past LRT_MAX_ROWS).  Returns GM_OK with *out filled
 * (free it with lrt_result_free), or an error status with err set
 * (GM_EINTERNAL: out of memory).
 */
int lrt_run(const struct dataset *ds, const struct fit_result *fr,
	    const struct lrt_options *lo, struct lrt_result *out, struct gm_error *err);

void lrt_result_free(struct lrt_result *r);

/* The test of K against K + 1 in r, or NULL. */
const struct lrt_test *lrt_find(const struct lrt_result *r, size_t k);

#endif
