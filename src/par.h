/*
 * par.h - running on several processes with MPI (see DESIGN in par.c).
 *
 * The transport: agree on an error, all-or-none steps, a broadcast from
 * rank 0, chunk records gathered in chunk order, bytes gathered in rank
 * order, prefix sums.  No MPI
 * type or call is outside par.c, and nothing here knows what the records
 * mean (EM's pass over spread rows is empar.c's).
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

/*
 * Every process passes whether its part of a step went well; all return
 * 1 when every part did, else 0.  A step that allocates agrees so before
 * it exchanges anything, so that all give it up together.
 */
int par_all_ok(int ok);

/* Whether s is, on this process, the same text as on rank 0 (all call it). */
int par_same_text(const char *s);

/* Sum, XOR and prefix helpers for the reader (identity with one process). */
long long par_exscan_sum(long long v);
int par_exscan_xor(int v);
long long par_sum(long long v);

/* The processes as a team that reads one file together (csvread.h). */
struct csvread_team;
const struct csvread_team *par_team(void);

/* buf[0..n) from rank 0 to every process (n < 2^31; all call it). */
void par_bcast(double *buf, size_t n);

/*
 * The fixed chunks (DS_CHUNKS, dataset.h) of a spread data set this
 * process holds: [*c0, *c1) (all of them alone).
 */
void par_chunks(size_t *c0, size_t *c1);

/* Whether ds is spread in whole chunks, in file order (not since it was sorted). */
int par_in_chunks(const struct dataset *ds);

/*
 * Chunk records to rank 0, in chunk order: each process has written the
 * record (reclen doubles) of each chunk it holds (par_chunks) at
 * buf + c * reclen; on return rank 0's buf holds every chunk's record
 * there.  buf holds DS_CHUNKS records on every process; all call it.
 */
void par_gather_chunks(double *buf, size_t reclen);

/*
 * Bytes to rank 0, in rank order: each process passes its own (buf,
 * len) and whether they are whole (ok); when every process's are, rank
 * 0 calls put(piece, m, arg) on each piece of the other processes'
 * bytes, those of rank 1 first (rank 0's own are not passed: it wrote
 * them first).  Collective: 0, or -1 on every process when one was not
 * ok or rank 0 is out of memory, nothing sent.
 */
typedef void (*par_put)(const char *piece, size_t m, void *arg);
int par_gather_bytes(const char *buf, size_t len, int ok, par_put put, void *arg);

/*
 * Rows read by this process (its share of the file, in file order) are
 * one part of the whole data set: share them out so that each process
 * holds whole chunks, in rank order (par_chunks), and make ds a spread
 * data set (ds->spread set, ds->n the total, ds->row0 its first row,
 * ds->nhere its rows).  Kept lines (--labels) move with their rows, and
 * each left-out line to the process holding the next row, so that each
 * process's rows and left-out lines are one stretch of the file, the
 * stretches in rank order.  Also gathers the skip counts and the first
 * skipped lines to rank 0.  Returns GM_OK or
 * GM_EINTERNAL (out of memory), agreed.
 */
int par_distribute(struct dataset *ds, struct gm_error *err);

/*
 * A job the other processes run when rank 0 starts it (par_job_start):
 * fn(ds, args, threads), with the spread data set, rank 0's two
 * arguments and par_serve's threads.  Rank 0 runs its own part after
 * starting it; the job's collective steps pair up across processes.
 * par_job_add returns the job's number (the same on every process when
 * all add the same jobs in the same order), or -1 when the table is full.
 */
typedef void (*par_job)(struct dataset *ds, const long long *args, int threads);
int par_job_add(par_job fn);
void par_job_start(int id, long long a, long long b);

/*
 * On ranks other than 0: take part in the collective steps rank 0
 * starts (jobs, scans, sorts, samples), each over this process's own
 * rows, until it says stop; returns the status it stopped with
 * (GM_EINTERNAL on a request it cannot know).  A step that fails here
 * fails on rank 0 too, which reports it.
 */
int par_serve(struct dataset *ds, int threads);

/*
 * Name of the file this process reads for --shard PATTERN: the first
 * "%d" replaced by the rank.  Returns 0, or -1 when PATTERN holds no "%d"
 * or the name does not fit.
 */
int par_shard_path(const char *pattern, int rank, char *out, size_t outsz);

#endif
