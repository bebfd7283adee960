/*
 * outputs.h - the run's output files, written all or none.
 *
 * Every file a run writes (figure, model, labels, depfile) is opened as a
 * temporary in one list (struct plot_files) and put in place with
 * outfile_commit_all only when all of them were written.
 */
#ifndef GMMFIT_OUTPUTS_H
#define GMMFIT_OUTPUTS_H

#include <stdio.h>

#include "dataset.h"
#include "error.h"
#include "gmm.h"
#include "outfile.h"
#include "plot.h"

/*
 * Refuse (GM_EUSAGE, err filled) an output that is one of the inputs or
 * another output: the same name, or the same file by a symbolic or hard
 * link (device and inode of files that exist; for a file not there yet,
 * its directory's and its name).  NULL entries are skipped; an input "-"
 * is the standard input, checked when it is a regular file.
 */
int outputs_check(const char *const *outs, size_t nout, const char *const *ins, size_t nin,
		  struct gm_error *err);

/* outputs_check on the targets of the list. */
int outputs_check_files(const struct plot_files *pf, const char *const *ins, size_t nin,
			struct gm_error *err);

/* Open another output in the list; *fp is its stream. */
int outputs_open(struct plot_files *pf, const char *path, FILE **fp, struct gm_error *err);

/* Move a written output's record to the end of the list. */
int outputs_push(struct plot_files *pf, const struct outfile *of, struct gm_error *err);

/*
 * --labels: the predict output for the fitted rows of ds (read with
 * keep_lines, still in file order), rows left out with empty fields;
 * with rows spread over processes, each process's in turn (all of them
 * take part: rank 0 calls this, the others run outputs_attach's job).
 */
int outputs_labels(struct plot_files *pf, const char *out, const struct dataset *ds,
		   const struct gmm *g, struct gm_error *err);

/*
 * Register the labels' job (par_job_add) for rows spread over
 * processes: every process calls it, in the same order as the other
 * jobs.  0, or -1 when the job table is full.
 */
int outputs_attach(void);

/*
 * A name a Makefile rule cannot hold (a line end, another control
 * character) refused: GM_EUSAGE with err filled ("--depfile: the name
 * ..."); else GM_OK.
 */
int outputs_make_name(const char *name, struct gm_error *err);

/*
 * --depfile: a Makefile rule whose targets are the list's files and whose
 * prerequisite is input (plus an empty rule for the input, as cc -MP).
 */
int outputs_depfile(struct outfile *dep, const char *name, const struct plot_files *pf,
		    const char *input, struct gm_error *err);

#endif
