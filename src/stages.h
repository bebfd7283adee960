/*
 * stages.h - the main command's stages after its options: the start
 * model, the data, the checks that need the data, the regularisers, the
 * fit, the bootstrap and the outputs.  Each takes the run's options
 * (struct run_options, checked by runopts_check) and the run's state
 * (struct run_state), prints its own failure in GNU form (except
 * stage_fit, whose caller prints around the progress line) and returns
 * the exit status: GM_OK to go on.
 */
#ifndef GMMFIT_STAGES_H
#define GMMFIT_STAGES_H

#include "bootstrap.h"
#include "dataset.h"
#include "error.h"
#include "fit.h"
#include "model.h"
#include "outfile.h"
#include "plot.h"
#include "report.h"
#include "runopts.h"

struct run_state {
	struct model start;		/* --init model:FILE, or empty */
	char *model_source;		/* "the model FILE": whose column names are asked for */
	struct dataset ds;		/* the rows read */
	int served;			/* a process other than rank 0 served it: the run is over */
	double *reg;			/* the regulariser of each column */
	struct fit_result fr;
	struct bootstrap_result boot;	/* --bootstrap, or empty */
	struct lrt_result lrt;		/* --lrt, or empty */
	struct em_prior prior;		/* --prior: its numbers (prior_mean, prior_var) */
	double *prior_mean, *prior_var;
	double *round;			/* --rounding: each column's width (0: exact), or NULL */
	struct plot_files pf;		/* every output, written all or none */
	struct outfile dep;		/* --depfile, until it joins pf */
	char *figure_note;		/* a line of the report about the figure, or NULL */
	double ks_distance;		/* 1-D: the KS distance; else -1 */
	struct report_timing tm;
	char init_shown[4200];		/* the start as the reports name it */
	struct gm_error err;
};

/* An empty state. */
void stage_init(struct run_state *st);

/* Release what st holds (outputs not committed are discarded). */
void stage_free(struct run_state *st);

/*
 * --init model:FILE: the model read (every process agrees on a failure);
 * its K and structure against -k and --covariance; its columns the data's
 * unless -c chose others.  Nothing to do without that option.
 */
int stage_start_model(struct run_options *ro, struct run_state *st);

/*
 * The threads that can start (an address-space limit may leave room for
 * fewer stacks): the results are the same with any number, so fewer is
 * no error and ro's counts are lowered.
 */
void stage_threads(struct run_options *ro);

/*
 * The data into st->ds; under mpirun the shards' columns agreed and the
 * rows spread.  A process other than rank 0 then serves it and sets
 * st->served: its run is over, with the status returned.
 */
int stage_read(struct run_options *ro, struct run_state *st);

/*
 * What the options ask of the data, now that their columns and rows are
 * known: the number of starts, the start's columns and values (--means
 * FILE read here), K against the rows.
 */
int stage_data_checks(struct run_options *ro, struct run_state *st);

/* The data's scale checked and the regularisers chosen (fitstage.h); the 1-D structures merged. */
int stage_regularise(struct run_options *ro, struct run_state *st);

/* The fit, into st->fr.  Prints nothing: the caller clears its progress line first. */
int stage_fit(struct run_options *ro, struct run_state *st);

/*
 * --lrt B: the likelihood-ratio tests into st->lrt, with progress (may be
 * NULL) called as replicates end.  Prints the failure.
 */
int stage_lrt(struct run_options *ro, struct run_state *st,
	      void (*progress)(void *, size_t, size_t), void *arg);

/* --bootstrap B: the replicates, into st->boot. */
int stage_bootstrap(struct run_options *ro, struct run_state *st);

/*
 * Every output: labels, figure, model, report, depfile, written to
 * temporaries, checked against the inputs, then the report on stdout,
 * and all put in place only when everything was written.
 */
int stage_outputs(struct run_options *ro, struct run_state *st);

#endif
