/*
 * model.c - model files (see model.h).
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "model.h"

void
model_write_components(FILE *fp, const struct gmm *g, const char *indent)
{
	const size_t d = g->d;

	fprintf(fp, "%s\"components\": [\n", indent);
	for (size_t j = 0; j < g->k; j++) {
		const double *cv = g->cov + j * d * d;
		fprintf(fp, "%s  {\"weight\": ", indent);
		jw_number(fp, g->weight[j]);
		fputs(", \"mean\": ", fp);
		jw_numbers(fp, g->mean + j * d, d, 1);
		if (d == 1) {
			fputs(", \"sd\": ", fp);
			jw_number(fp, sqrt(cv[0]));
		}
		fputs(", \"covariance\": [", fp);
		for (size_t p = 0; p < d; p++) {
			if (p)
				fputs(", ", fp);
			jw_numbers(fp, cv + p * d, d, 1);
		}
		fprintf(fp, "]}%s\n", j + 1 < g->k ? "," : "");
	}
	fprintf(fp, "%s]", indent);
}

void
model_write(FILE *fp, const struct gmm *g, char *const *columns, const double *round)
{
	fprintf(fp, "{\n  \"format_version\": %d,\n  \"columns\": [", MODEL_FORMAT_VERSION);
	for (size_t c = 0; c < g->d; c++) {
		if (c)
			fputs(", ", fp);
		jw_string(fp, columns[c]);
	}
	fprintf(fp, "],\n  \"d\": %zu,\n  \"k\": %zu,\n  \"covariance\": \"%s\",\n", g->d,
		g->k, gmm_cov_name(g->cov_type));
	if (round != NULL) {
		fputs("  \"rounding\": ", fp);
		jw_numbers(fp, round, g->d, 1);
		fputs(",\n", fp);
	}
	model_write_components(fp, g, "  ");
	fputs("\n}\n", fp);
}

void
model_free(struct model *m)
{
	if (m->columns != NULL && m->g != NULL)
		for (size_t c = 0; c < m->g->d; c++)
			free(m->columns[c]);
	free(m->columns);
	free(m->round);
	gmm_free(m->g);
	m->g = NULL;
	m->columns = NULL;
	m->round = NULL;
}

static char *
slurp(const char *path, size_t *len, struct gm_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (fp == NULL) {
		gm_error_sys(err, GM_EDATA, path, "cannot open", errno);
		return NULL;
	}
	for (;;) {
		size_t got;
		if (n == cap) {
			char *b;
			cap = cap ? 2 * cap : 65536;
			if (cap > ((size_t)1 << 28)) {	/* 256 MiB: no model is that big */
				gm_error_set(err, GM_EDATA, path, 0, 0, "too large for a model file");
				break;
			}
			b = realloc(buf, cap);
			if (b == NULL) {
				gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
				break;
			}
			buf = b;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0) {
			if (ferror(fp))
				gm_error_sys(err, GM_EDATA, path, "read error", errno);
			else {
				fclose(fp);
				*len = n;
				return buf;
			}
			break;
		}
	}
	fclose(fp);
	free(buf);
	return NULL;
}

/* An error about key `what`, e.g. "components[2].mean". */
static int
invalid(struct gm_error *err, const char *path, const char *what, const char *problem)
{
	return gm_error_set(err, GM_EDATA, path, 0, 0, "bad model: %s %s", what, problem);
}

/* n finite numbers from an array value into out. */
static int
numbers(const struct jv *v, size_t n, double *out)
{
	if (v == NULL || v->type != JV_ARRAY || v->n != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v->items[i].type != JV_NUMBER || !isfinite(v->items[i].num))
			return -1;
		out[i] = v->items[i].num;
	}
	return 0;
}

static int
check_structure(const struct gmm *g)
{
	const size_t d = g->d, k = g->k;

	for (size_t j = 0; j < k; j++) {
		const double *cv = g->cov + j * d * d;
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q < d; q++) {
				double a = cv[p * d + q];
				if (gmm_cov_is_diagonal(g->cov_type))
					if (p != q && (a < 0.0 || a > 0.0))
						return -1;
				if (gmm_cov_is_spherical(g->cov_type) && p == q &&
				    fabs(a - cv[0]) > 1e-12 * fabs(cv[0]))
					return -1;
				/* Equal volumes, shapes or orientations (EVI .. VVE) hold only up to
				 * the regulariser: not checked. */
				if (gmm_cov_is_shared(g->cov_type) &&
				    fabs(a - g->cov[p * d + q]) > 1e-12 * fabs(g->cov[p * d + q]))
					return -1;
			}
	}
	return 0;
}

/* The optional "rounding": d widths, none negative, over 0 only where the model is diagonal. */
static int
read_rounding(const struct jv *rv, const char *path, struct model *m, struct gm_error *err)
{
	const size_t d = m->g->d;

	m->round = malloc(d * sizeof *m->round);
	if (m->round == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	if (numbers(rv, d, m->round)) {
		char msg[128];
		snprintf(msg, sizeof msg, "is not an array of %zu finite widths", d);
		return invalid(err, path, "rounding", msg);
	}
	for (size_t c = 0; c < d; c++) {
		if (m->round[c] < 0.0)
			return invalid(err, path, "rounding", "holds a negative width");
		if (d > 1 && m->round[c] > 0.0 && !gmm_cov_is_diagonal(m->g->cov_type))
			return invalid(err, path, "rounding", "is for several columns of a model "
				       "that is not diagonal");
	}
	return GM_OK;
}

static int
build(const struct jv *root, const char *path, struct model *m, struct gm_error *err)
{
	const struct jv *fv = jv_get(root, "format_version"), *cols = jv_get(root, "columns");
	const struct jv *cv = jv_get(root, "covariance"), *comps = jv_get(root, "components");
	const struct jv *dv = jv_get(root, "d"), *kv = jv_get(root, "k");
	const struct jv *rv = jv_get(root, "rounding");
	enum gmm_cov type;
	size_t d, k;
	double wsum = 0.0;
	char what[96];

	if (root->type != JV_OBJECT)
		return invalid(err, path, "the document", "is not a JSON object");
	if (fv == NULL)
		return invalid(err, path, "format_version", "is missing");
	if (fv->type != JV_NUMBER || !(fv->num >= MODEL_FORMAT_VERSION && fv->num <= MODEL_FORMAT_VERSION))
		return invalid(err, path, "format_version", "is not 1, the version this gmmfit reads");
	if (cols == NULL)
		return invalid(err, path, "columns", "is missing");
	if (cols->type != JV_ARRAY || cols->n == 0)
		return invalid(err, path, "columns", "is not a non-empty array of names");
	d = cols->n;
	for (size_t c = 0; c < d; c++)
		if (cols->items[c].type != JV_STRING)
			return invalid(err, path, "columns", "holds something that is not a string");
	if (dv != NULL && (dv->type != JV_NUMBER || !(dv->num >= (double)d && dv->num <= (double)d)))
		return invalid(err, path, "d", "does not match the number of columns");
	if (cv == NULL)
		return invalid(err, path, "covariance", "is missing");
	if (cv->type != JV_STRING || gmm_cov_parse(cv->str, &type))
		return invalid(err, path, "covariance", "is not full, diag, spherical or tied, nor "
			       "mclust's EII, EEI, EVI, EEV, EVV, VEI, VEE, VEV, EVE or VVE");
	if (comps == NULL)
		return invalid(err, path, "components", "is missing");
	if (comps->type != JV_ARRAY || comps->n == 0)
		return invalid(err, path, "components", "is not a non-empty array");
	k = comps->n;
	if (k > MODEL_MAX_K) {
		char msg[128];
		snprintf(msg, sizeof msg, "has %zu components; gmmfit reads at most %d (the limit of -k)",
			 k, MODEL_MAX_K);
		return invalid(err, path, "components", msg);
	}
	if (kv != NULL && (kv->type != JV_NUMBER || !(kv->num >= (double)k && kv->num <= (double)k)))
		return invalid(err, path, "k", "does not match the number of components");

	m->g = gmm_new(k, d, type);
	m->columns = calloc(d, sizeof *m->columns);
	if (m->g == NULL || m->columns == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	for (size_t c = 0; c < d; c++)
		if ((m->columns[c] = strdup(cols->items[c].str)) == NULL)
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	for (size_t j = 0; j < k; j++) {
		const struct jv *cj = &comps->items[j], *w, *mu, *cov;
		snprintf(what, sizeof what, "components[%zu]", j);
		if (cj->type != JV_OBJECT)
			return invalid(err, path, what, "is not an object");
		w = jv_get(cj, "weight");
		mu = jv_get(cj, "mean");
		cov = jv_get(cj, "covariance");
		snprintf(what, sizeof what, "components[%zu].weight", j);
		if (w == NULL)
			return invalid(err, path, what, "is missing");
		if (w->type != JV_NUMBER || !(w->num > 0.0) || !(w->num <= 1.0))
			return invalid(err, path, what, "is not a number in (0, 1]");
		m->g->weight[j] = w->num;
		wsum += w->num;
		snprintf(what, sizeof what, "components[%zu].mean", j);
		if (mu == NULL)
			return invalid(err, path, what, "is missing");
		if (numbers(mu, d, m->g->mean + j * d)) {
			char msg[128];
			snprintf(msg, sizeof msg, "is not an array of %zu finite numbers", d);
			return invalid(err, path, what, msg);
		}
		snprintf(what, sizeof what, "components[%zu].covariance", j);
		if (cov == NULL)
			return invalid(err, path, what, "is missing");
		if (cov->type != JV_ARRAY || cov->n != d) {
			char msg[128];
			snprintf(msg, sizeof msg, "is not a %zu x %zu array of arrays", d, d);
			return invalid(err, path, what, msg);
		}
		for (size_t p = 0; p < d; p++)
			if (numbers(&cov->items[p], d, m->g->cov + j * d * d + p * d)) {
				char msg[128];
				snprintf(msg, sizeof msg, "is not a %zu x %zu array of finite numbers", d, d);
				return invalid(err, path, what, msg);
			}
		for (size_t p = 0; p < d; p++)
			for (size_t q = 0; q < p; q++) {
				double a = m->g->cov[j * d * d + p * d + q], b = m->g->cov[j * d * d + q * d + p];
				if (fabs(a - b) > 1e-12 * fmax(fabs(a), fabs(b)))
					return invalid(err, path, what, "is not symmetric");
			}
		if (d == 1 && jv_get(cj, "sd") != NULL) {
			const struct jv *sd = jv_get(cj, "sd");
			snprintf(what, sizeof what, "components[%zu].sd", j);
			if (sd->type != JV_NUMBER ||
			    fabs(sd->num * sd->num - m->g->cov[j]) > 1e-9 * m->g->cov[j])
				return invalid(err, path, what, "does not agree with the covariance");
		}
	}
	/* Weights written with %.17g sum to 1 within a few 1e-16; allow 1e-9. */
	if (fabs(wsum - 1.0) > 1e-9) {
		char msg[96];
		snprintf(msg, sizeof msg, "sum to %.17g, not 1", wsum);
		return invalid(err, path, "the components' weights", msg);
	}
	/* Weights as written read back exactly; renormalise only beyond rounding. */
	if (fabs(wsum - 1.0) > 1e-12)
		for (size_t j = 0; j < k; j++)
			m->g->weight[j] /= wsum;
	if (check_structure(m->g)) {
		char msg[96];
		snprintf(msg, sizeof msg, "do not have the \"%s\" structure", gmm_cov_name(type));
		return invalid(err, path, "the covariances", msg);
	}
	{
		long bad = gmm_prepare(m->g);
		if (bad >= 0) {
			snprintf(what, sizeof what, "components[%ld].covariance", bad);
			return invalid(err, path, what, "is not positive definite");
		}
	}
	if (rv != NULL) {
		int rc = read_rounding(rv, path, m, err);
		if (rc != GM_OK)
			return rc;
	}
	/*
	 * Each name is one column of the data: a name twice could not be
	 * matched.  Checked last: d^2 comparisons, as many as the covariance
	 * numbers already read.
	 */
	for (size_t c = 1; c < d; c++)
		for (size_t e = 0; e < c; e++)
			if (strcmp(m->columns[c], m->columns[e]) == 0)
				return invalid(err, path, "columns", "names a column twice");
	return GM_OK;
}

int
model_parse(const char *text, size_t len, const char *name, struct model *m,
	    struct gm_error *err)
{
	struct jv root;
	int rc;

	memset(m, 0, sizeof *m);
	rc = jv_parse(text, len, name, &root, err);
	if (rc != GM_OK)
		return rc;
	rc = build(&root, name, m, err);
	jv_free(&root);
	if (rc != GM_OK)
		model_free(m);
	return rc;
}

int
model_load(const char *path, struct model *m, struct gm_error *err)
{
	size_t len = 0;
	char *text;
	int rc;

	memset(m, 0, sizeof *m);
	text = slurp(path, &len, err);
	if (text == NULL)
		return err->status;
	rc = model_parse(text, len, path, m, err);
	free(text);
	return rc;
}
