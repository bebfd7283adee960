/*
 * report.h - the fitted model for people (text) and for pipelines (JSON).
 *
 * Writers only read the fit: they never run EM.  The text report uses a
 * fixed, documented precision; JSON and TSV print every number with %.17g so it
 * reads back to the same double, and never NaN or Infinity.
 */
#ifndef GMMFIT_REPORT_H
#define GMMFIT_REPORT_H

#include <stdio.h>

#include "bootstrap.h"
#include "dataset.h"
#include "fit.h"
#include "lrt.h"

/* --timing: where the time went (not part of reproducible output). */
struct report_timing {
	double read, start, em, output;	/* seconds */
	size_t iterations;		/* M steps over all fits */
	long max_rss_kib;		/* peak resident memory (rank 0's) */
	int threads;			/* a process */
	int processes;			/* MPI processes */
};

struct report_info {
	const char *source;	/* the input as the user named it */
	const struct dataset *ds;
	const struct fit_result *fr;
	const char *init;	/* start method's name */
	size_t n_init;
	double tol;
	size_t max_iter;
	const char *accel;	/* "squarem" or "none" */
	const double *reg;	/* d values */
	double ks;		/* Kolmogorov-Smirnov distance (1-D), or < 0 */
	const char *figure_note;	/* a line about the figure, or NULL */
	int digits;		/* significant digits in the LaTeX tables */
	const struct bootstrap_result *boot;	/* bootstrap, or NULL */
	const struct lrt_result *lrt;	/* --lrt, or NULL */
	const struct em_prior *prior;	/* --prior, or NULL */
	const double *round;		/* --rounding: each column's width (0: exact), or NULL */
	int round_auto;			/* the widths are the columns' grids (--rounding auto) */
	uint64_t seed;		/* the run's --seed (the tests' replicates say it) */
	const struct report_timing *timing;	/* --timing, or NULL */
};

/* Write the report; return 0, or -1 when a write failed. */
int report_text(FILE *fp, const struct report_info *ri);
int report_json(FILE *fp, const struct report_info *ri);

/* TSV: a header row, then one row per component; numbers in %.17g. */
int report_tsv(FILE *fp, const struct report_info *ri);

/*
 * LaTeX: a booktabs tabular of the parameters (and of the selection
 * table when several models were fitted), numbers to ri->digits
 * significant digits, laid out to fit a one-column article, for \input
 * in a paper.  Returns -1 when a write failed (ferror(fp) is set) or when
 * out of memory (it is not).
 */
int report_latex(FILE *fp, const struct report_info *ri);

#endif
