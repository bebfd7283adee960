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

#include "dataset.h"
#include "error.h"

/*
 * After par_distribute, on every process: EM's passes over ds run on all
 * processes at once (ds->em_source set; the other processes' part is a
 * job par_serve runs).  Returns GM_OK, or GM_EINTERNAL (err filled) when
 * the job table is full.
 */
int empar_attach(struct dataset *ds, struct gm_error *err);

#endif
