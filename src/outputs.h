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

/* True when a and b name the same existing file. */
int outputs_same_file(const char *a, const char *b);

/* Open another output in the list; *fp is its stream. */
int outputs_open(struct plot_files *pf, const char *path, FILE **fp, struct gm_error *err);

/* Move a written output's record to the end of the list. */
int outputs_push(struct plot_files *pf, const struct outfile *of, struct gm_error *err);

/*
 * --labels: the predict output for the fitted rows of ds (read with
 * keep_lines, still in file order), rows left out with empty fields.
 */
int outputs_labels(struct plot_files *pf, const char *out, const struct dataset *ds,
		   const struct gmm *g, struct gm_error *err);

/*
 * --depfile: a Makefile rule whose targets are the list's files and whose
 * prerequisite is input (plus an empty rule for the input, as cc -MP).
 */
int outputs_depfile(struct outfile *dep, const char *name, const struct plot_files *pf,
		    const char *input, struct gm_error *err);

#endif
