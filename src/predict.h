/*
 * predict.h - label rows with a model: the most likely component, every
 * component's responsibility, the log-density (an anomaly score) and the
 * uncertainty of the label, 1 - max_k z_k.
 */
#ifndef GMMFIT_PREDICT_H
#define GMMFIT_PREDICT_H

#include <stdio.h>

#include "gmm.h"

struct predictor {
	const struct gmm *g;
	FILE *fp;
	int labels_only;
	int keep_columns;
	char delimiter;		/* of kept fields, as in the input */
	double *lp, *z;		/* k and d scratch */
	const double *round;	/* rounded rows' widths (em.h: the log-probability of each
				 * row's interval stands for the density), or NULL */
};

/* Prepare (scratch); -1 when out of memory. */
int predict_init(struct predictor *p, const struct gmm *g, FILE *fp);
void predict_free(struct predictor *p);

/* The header line: [input columns,] line, label[, resp_1.., log_density, uncertainty]. */
void predict_header(struct predictor *p, char *const *names, size_t n);

/*
 * One row.  x is NULL for a row with a missing value (its outputs are
 * empty, so the output lines up with the input).  fields/nfields are the
 * input's fields for --keep-columns.
 */
void predict_row(struct predictor *p, long line, const double *x,
		 char *const *fields, size_t nfields);

/* A CSV field, quoted when it holds delim, a quote or a line end. */
void predict_csv_field(FILE *fp, const char *s, char delim);

#endif
