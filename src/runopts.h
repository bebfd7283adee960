/*
 * runopts.h - the main command's options: parsed into one struct that
 * the stages receive (no globals), and checked in full before anything
 * is read or written.
 *
 * runopts_parse takes argv as getopt_long gives it, option by option;
 * runopts_check then refuses every usage error the options show on their
 * own (combinations, names an output cannot have, the start's values),
 * so that a bad command line never waits for the data, never reads them
 * and never leaves a file.  What only the data can tell (the columns'
 * number, the rows, a start model's K) is checked by the stages once
 * they have it.  Both print their usage errors (cli.h) and return the
 * exit status.
 */
#ifndef GMMFIT_RUNOPTS_H
#define GMMFIT_RUNOPTS_H

#include <stddef.h>

#include "cliopts.h"
#include "fit.h"
#include "gmm.h"
#include "plot.h"

struct run_options {
	struct cliopt_csv csv;		/* how the input is read (csv.co goes to the reader) */
	struct fit_options fo;		/* the fit; its ks, covs, given and reg set by the stages */
	struct plot_options po;		/* the figure (po.prefix NULL: none) */

	const char *path;		/* the input: a file, or "-" for stdin */
	int operand;			/* the input was named on the command line */
	const char *display;		/* the input as messages name it */
	const char *shard;		/* --shard PATTERN, or NULL */
	char shard_path[4096];		/* this process's file of the pattern */
	const char *inputs[3];		/* the input, the start model and the means file: no output may be one */

	const char *ks_arg, *cov_arg;	/* -k and --covariance as given */
	int k_set, cov_set, init_set, n_init_set;
	int cov_one_column;		/* --covariance E or V: mclust's one-column names */
	size_t *ks, nks;		/* the K asked for */
	enum gmm_cov covs[GMM_NCOV];	/* the structures asked for */
	const char *init_model_path;	/* --init model:FILE, or NULL */
	const char *means_path;		/* --means FILE, or NULL */
	double *means, *sds, *winit;	/* --means, --sds, --weights-init lists, or NULL */
	size_t n_means, n_sds, n_wi;
	double reg_abs;			/* --reg, or -1: scaled to each column */

	const char *format;		/* text, json, tsv or latex */
	const char *plot_columns, *size_arg;
	char *pair_copy;		/* --plot-columns split at its comma (with -o) */
	const char *pair_tok[2];	/* its two columns, names or numbers */
	const char *depfile, *save_model, *report_path, *labels_path;
	size_t digits;			/* --digits */
	size_t boot_b;			/* --bootstrap B, or 0 */
	size_t lrt_b;			/* --lrt B, or 0 */
	int prior;			/* --prior */
	double *rounding;		/* --rounding widths (one, or one per column), or NULL */
	size_t n_rounding;
	int rounding_auto;		/* --rounding auto: each column's grid */
	int boot_parametric;
	int quiet, verbose, timing;

	int finished;			/* --help or --version was answered: stop with the status */
};

/* The defaults, before any option. */
void runopts_init(struct run_options *ro);

/*
 * The options and the operand of argv into ro.  GM_OK when the run goes
 * on; GM_OK with ro->finished set after --help or --version (printed);
 * else the status of the usage error printed.
 */
int runopts_parse(struct run_options *ro, int argc, char **argv);

/*
 * Every usage error of the options on their own, before any input is
 * opened (the means file is opened last, to see that it can be read):
 * GM_OK, or the status of the error printed.  Fills ro->ks and ro->covs,
 * the input's path (the shard's under --shard), ro->display, ro->inputs
 * and ro->pair_tok, and finishes ro->csv.
 */
int runopts_check(struct run_options *ro);

/* Release what ro owns. */
void runopts_free(struct run_options *ro);

#endif
