/*
 * par.h - running on several processes with MPI (see DESIGN in par.c).
 *
 * Without MPI, or when gmmfit was started alone rather than by mpirun or
 * srun, there is one process and every function here is a no-op or the
 * trivial answer: the program takes the same code path as a build
 * without MPI.
 */
#ifndef GMMFIT_PAR_H
#define GMMFIT_PAR_H

#include <stddef.h>

#include "dataset.h"
#include "error.h"

struct em_stats;
struct gmm;

/*
 * Start MPI when the process was launched by an MPI launcher.  Returns
 * GM_OK, or GM_EUSAGE when this build cannot run as one of several
 * processes; err then says why on the first process of the launch only
 * (the others return GM_EUSAGE with err untouched, and say nothing).
 */
int par_init(int *argc, char ***argv, struct gm_error *err);

/* This process's rank and the number of processes (0 and 1 alone). */
int par_rank(void);
int par_size(void);

/*
 * Threads a process should use when the user chose none: the cores of
 * its node shared among the node's processes; 0 (OpenMP's default) when
 * alone.
 */
int par_threads(void);

/*
 * End of the run.  On rank 0 of a parallel run, tells the other
 * processes (which serve rank 0 in par_serve) to stop with status rc;
 * then MPI is finalised.  Returns rc.
 */
int par_finish(int rc);

/*
 * Every process passes its own status and error; all return the status
 * of the lowest-ranked process that failed (GM_OK when none did), and
 * err then holds that process's error on every process.
 */
int par_agree(int rc, struct gm_error *err);

/* Whether s is, on this process, the same text as on rank 0 (all call it). */
int par_same_text(const char *s);

/* Sum, XOR and prefix helpers for the reader (identity with one process). */
long long par_exscan_sum(long long v);
int par_exscan_xor(int v);
long long par_sum(long long v);

/*
 * Rows read by this process (its share of the file, in file order) are
 * one part of the whole data set: share them out so that each process
 * holds whole EM chunks (em.c), in rank order, and make ds a distributed
 * data set (ds->n the total).  Also gathers the skip counts and lines to
 * rank 0.  Returns GM_OK or GM_EINTERNAL (out of memory), agreed.
 */
int par_distribute(struct dataset *ds, struct gm_error *err);

/*
 * On ranks other than 0: answer rank 0's requests for rows, EM passes
 * and sorts until it says stop; returns the status it stopped with
 * (GM_EINTERNAL on a request it cannot know).  A request that fails here
 * fails on rank 0 too, which reports it.
 */
int par_serve(struct dataset *ds, int threads);

/* Rows [i, i + m) of a distributed data set, and their weights (rank 0). */
const double *par_rows(const struct dataset *ds, size_t i, size_t m);
const double *par_weights(const struct dataset *ds, size_t i, size_t m);

/*
 * One EM pass over a distributed data set (rank 0): every process
 * computes the statistics of the chunks it holds; rank 0 gets them all
 * in slot (EM chunks, in order).  GM_OK, or GM_EINTERNAL when a process
 * is out of memory.
 */
int par_em_pass(const struct dataset *ds, const struct gmm *g, int want,
		 struct em_stats *slot, int threads);

/* dataset_every for a distributed data set (rank 0); allocates nothing, cannot fail. */
size_t par_every(const struct dataset *ds, size_t step, double *x, double *w);

/*
 * Sort a one-column distributed data set in place, across the processes
 * (rank 0).  0, or -1 when a process is out of memory: ds then holds the
 * same rows, unsorted.
 */
int par_sort(struct dataset *ds, int threads);

/*
 * Column c of a distributed data set, sorted, as a new distributed data
 * set (rank 0); NULL when a process is out of memory.
 */
struct dataset *par_sorted_column(const struct dataset *ds, size_t c, int threads);
void par_free_dataset(struct dataset *ds);

/* What ds->dist holds, freed (dataset_free). */
void par_release(struct dataset *ds);

/*
 * Name of the file this process reads for --shard PATTERN: the first
 * "%d" replaced by the rank.  Returns 0, or -1 when PATTERN holds no "%d"
 * or the name does not fit.
 */
int par_shard_path(const char *pattern, int rank, char *out, size_t outsz);

#endif
