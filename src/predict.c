/*
 * predict.c - per-row labels, responsibilities and log-densities (see
 * predict.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "em.h"
#include "predict.h"

int
predict_init(struct predictor *p, const struct gmm *g, FILE *fp)
{
	memset(p, 0, sizeof *p);
	p->g = g;
	p->fp = fp;
	p->delimiter = ',';
	p->lp = malloc(g->k * sizeof *p->lp);
	p->z = malloc(g->d * sizeof *p->z);
	return p->lp && p->z ? 0 : -1;
}

void
predict_free(struct predictor *p)
{
	free(p->lp);
	free(p->z);
	p->lp = p->z = NULL;
}

void
predict_csv_field(FILE *fp, const char *s, char delim)
{
	if (strchr(s, delim) == NULL && strpbrk(s, "\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

void
predict_header(struct predictor *p, char *const *names, size_t n)
{
	if (p->keep_columns)
		for (size_t c = 0; c < n; c++) {
			predict_csv_field(p->fp, names[c], ',');
			fputc(',', p->fp);
		}
	fputs("line,label", p->fp);
	if (!p->labels_only) {
		for (size_t j = 0; j < p->g->k; j++)
			fprintf(p->fp, ",resp_%zu", j + 1);
		fputs(",log_density,uncertainty", p->fp);
	}
	fputc('\n', p->fp);
}

void
predict_row(struct predictor *p, long line, const double *x, char *const *fields,
	    size_t nfields)
{
	const size_t k = p->g->k;
	size_t best = 0;
	double m, s = 0.0, others = 0.0;

	if (p->keep_columns)
		for (size_t c = 0; c < nfields; c++) {
			predict_csv_field(p->fp, fields[c] ? fields[c] : "", ',');
			fputc(',', p->fp);
		}
	fprintf(p->fp, "%ld,", line);
	if (x == NULL) {
		if (!p->labels_only)
			for (size_t j = 0; j <= k + 1; j++)
				fputc(',', p->fp);
		fputc('\n', p->fp);
		return;
	}
	if (p->round != NULL)
		em_log_components_rounded(p->g, x, p->round, p->lp);
	else
		gmm_log_components(p->g, x, p->lp, p->z);
	m = p->lp[0];
	for (size_t j = 1; j < k; j++)
		if (p->lp[j] > m) {
			m = p->lp[j];
			best = j;
		}
	if (!(m > -INFINITY)) {
		/* Too far from every component for a double: no label, density 0. */
		if (!p->labels_only) {
			for (size_t j = 0; j < k; j++)
				fputc(',', p->fp);
			fputs(",-inf,", p->fp);
		}
		fputc('\n', p->fp);
		return;
	}
	fprintf(p->fp, "%zu", best + 1);
	if (p->labels_only) {
		fputc('\n', p->fp);
		return;
	}
	for (size_t j = 0; j < k; j++) {
		double e = exp(p->lp[j] - m);
		s += e;
		if (j != best)
			others += e;
	}
	for (size_t j = 0; j < k; j++)
		fprintf(p->fp, ",%.17g", exp(p->lp[j] - m) / s);
	/*
	 * log p(x) = m + log sum exp(lp - m): finite even far in the tails.
	 * The uncertainty 1 - max z is the other components' share, summed
	 * on their own: no cancellation, 0 exactly when they underflow, and
	 * in [0, 1) since s >= 1 holds the best one's exp(0).
	 */
	fprintf(p->fp, ",%.17g,%.17g\n", m + log(s), others / s);
}
