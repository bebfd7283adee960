/*
 * model.h - a fitted model as a file: save, load and validate.
 *
 * A model file is JSON with the same "components" as the JSON report
 * (weight, mean vector, sd in 1-D, covariance matrix), plus
 * format_version, the column names, d, k and the covariance structure,
 * and for a fit of rounded data (--rounding) the widths ("rounding").
 * Loading checks everything a model needs to be used: keys, shapes,
 * finite numbers, positive weights summing to 1, symmetric positive
 * definite covariances of the stated structure; a bad file gets a message
 * that names the key at fault.
 */
#ifndef GMMFIT_MODEL_H
#define GMMFIT_MODEL_H

#include <stdio.h>

#include "error.h"
#include "gmm.h"

#define MODEL_FORMAT_VERSION 1

/* The most components a model file may have: the limit of -k. */
#define MODEL_MAX_K 1000

struct model {
	struct gmm *g;
	char **columns;		/* d names */
	double *round;		/* "rounding": the widths the model was fitted under
				 * (--rounding; 0: exact), or NULL */
};

/* The "components" array of a report or model file, at the given indent. */
void model_write_components(FILE *fp, const struct gmm *g, const char *indent);

/* The whole model file; round (d widths, or NULL) as its "rounding". */
void model_write(FILE *fp, const struct gmm *g, char *const *columns, const double *round);

/*
 * Parse and validate a model file's text[0..len); name is the file's name
 * for messages (borrowed).  Errors as for model_load.
 */
int model_parse(const char *text, size_t len, const char *name, struct model *m,
		struct gm_error *err);

/* Read and validate path.  GM_EDATA (or GM_EINTERNAL) with err on failure. */
int model_load(const char *path, struct model *m, struct gm_error *err);

void model_free(struct model *m);

#endif
