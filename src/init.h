/*
 * init.h - starting points for EM.
 *
 * Every method is deterministic given the data and the random generator's
 * state: quantile (1-D: the sorted rows cut into K groups of equal
 * weight), kmeans++ (D^2 seeding), kmeans (k-means++ then Lloyd steps),
 * random (random responsibilities), random-rows (K distinct rows as
 * means), given (the user's means, and optionally sds and weights) and
 * hc (Ward's agglomeration of at most 2000 rows, identical rows merged
 * first, cut at K).  Every distance is measured on standardised columns,
 * so the start does not depend on the columns' units.
 * Except for random and a fully given start, the start is made from a
 * hard assignment of the rows to K groups: each group's weight, mean and
 * covariance (plus the regulariser) start a component, and a group that
 * is empty, or whose covariance is singular, takes the whole data's
 * covariance.
 */
#ifndef GMMFIT_INIT_H
#define GMMFIT_INIT_H

#include "dataset.h"
#include "error.h"
#include "gmm.h"
#include "rng.h"

enum init_method {
	INIT_QUANTILE,
	INIT_KMEANS,
	INIT_KMEANSPP,
	INIT_RANDOM,
	INIT_RANDOM_ROWS,
	INIT_GIVEN,
	INIT_HC			/* model-based hierarchical agglomeration, cut at K */
};

/* A dendrogram of the hc start, made once and cut at any K. */
struct init_hc;

struct init_given {
	const double *means;	/* k*d, or NULL */
	const double *sds;	/* k, or NULL: from the nearest-mean groups */
	const double *weights;	/* k (positive; normalised here), or NULL */
	const struct gmm *model;	/* a whole start (warm start), or NULL */
	const struct init_hc *hc;	/* INIT_HC: a dendrogram of ds (init_hc_new), or
					 * NULL to make one for this start */
};

/*
 * The hc dendrogram of ds, for init_model's INIT_HC at any K: made once
 * on the subset (every s-th row, at most 2000), it holds those rows and
 * the merges.  Returns GM_OK with *out set (free it with init_hc_free),
 * or GM_EINTERNAL ("out of memory") with err filled and *out NULL.
 */
int init_hc_new(const struct dataset *ds, struct init_hc **out, struct gm_error *err);
void init_hc_free(struct init_hc *hc);

/*
 * Fill g (its k, d and covariance structure set) with a start for ds and
 * prepare it.  reg has d entries.  rng is advanced by the random methods.
 * given may be NULL except for INIT_GIVEN; for INIT_HC, given->hc (made
 * by init_hc_new for this ds) is cut at K, or a dendrogram is made for
 * this call when it is NULL; fewer distinct rows than K is GM_ENUMERIC.
 * Returns GM_OK, or a status with err filled.
 */
int init_model(const struct dataset *ds, enum init_method m,
	       const struct init_given *given, const double *reg,
	       struct rng *rng, struct gmm *g, struct gm_error *err);

/*
 * Add the starts' scans of the rows to the data set's kinds
 * (dataset_scan_add).  Every process of a run calls it at the same point,
 * before any scan, so that a scan rank 0 starts is one the others know.
 * Returns 0, or -1 when the table of kinds is full.
 */
int init_attach(void);

const char *init_name(enum init_method m);
int init_parse(const char *s, enum init_method *m);

#endif
