/*
 * empar.h - EM's pass over rows spread across processes.
 *
 * The seam between the EM core and the parallel layer: em.c asks a data
 * set's em_source for its chunks' statistics and never knows whether
 * other processes exist; par.c carries buffers and never knows what they
 * hold.  This module makes the one from the other.
 */
#ifndef GMMFIT_EMPAR_H
#define GMMFIT_EMPAR_H

#include <stddef.h>

#include "dataset.h"
#include "error.h"

/*
 * After par_distribute, on every process: EM's passes over ds run on all
 * processes at once (ds->em_source set; the other processes' part is a
 * job par_serve runs).  Returns GM_OK, or GM_EINTERNAL (err filled) when
 * the job table is full.
 */
int empar_attach(struct dataset *ds, struct gm_error *err);

/*
 * On rank 0, once ds->round is set (or left NULL) for the run: every
 * process's ds->round the same widths, for the passes, the
 * classification and the labels.  Nothing when ds is not spread.
 * Returns GM_OK, or GM_EINTERNAL (out of memory on some process).
 */
int empar_share_rounding(const struct dataset *ds);

/*
 * A prepared model as empar_model_len(k, d) doubles: its weights, log
 * weights, log determinants, means, covariances and Cholesky factors,
 * the arrays a pass reads.  Unpack into a model made with the same k, d
 * and type (gmm_new); nothing is allocated, nothing fails.
 */
struct gmm;
size_t empar_model_len(size_t k, size_t d);
void empar_model_pack(const struct gmm *g, double *b);
void empar_model_unpack(struct gmm *g, const double *b);

#endif
