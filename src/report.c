/*
 * report.c - text and JSON reports (see report.h).
 */
#include <config.h>

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "model.h"
#include "report.h"

static const struct fit_model *
chosen(const struct report_info *ri)
{
	return &ri->fr->models[ri->fr->chosen];
}

static const char *
criterion_name(enum fit_criterion c)
{
	return c == FIT_ICL ? "ICL" : "BIC";
}

static const char *
verdict_name(enum fit_verdict v)
{
	return v == FIT_USABLE ? "usable" : v == FIT_DEGENERATE ? "degenerate" : "not identifiable";
}

/* A selection row with numbers to show; any other has no model (g is NULL). */
static int
usable(const struct fit_model *s)
{
	return s->status == GM_OK && s->verdict == FIT_USABLE;
}

/* The best optimum was reached by one start only, though several were made. */
static int
best_reached_once(const struct fit_search *s)
{
	return s->reached_best == 1 && s->starts > 1;
}

/*
 * How sure the search is, in one sentence with no line break (the text
 * report's search line, a comment in the LaTeX one); n is the rows fitted.
 */
static void
search_sentence(FILE *fp, const struct fit_search *s, size_t n)
{
	if (s->starts == s->run)
		fprintf(fp, "%zu start%s, %s to convergence", s->starts, s->starts == 1 ? "" : "s",
			s->starts == 1 ? "run" : "all run");
	else
		fprintf(fp, "%zu start%s screened, %zu run to convergence", s->starts,
			s->starts == 1 ? "" : "s", s->run);
	fprintf(fp, ", %zu reached the best, %zu degenerate", s->reached_best, s->degenerate);
	if (s->failed > 0)
		fprintf(fp, ", %zu failed", s->failed);
	if (s->have_runner_up && isfinite(s->runner_up_loglik))
		fprintf(fp, "; runner-up optimum %.4f", s->runner_up_loglik);
	else
		fputs("; no other optimum found", fp);
	if (s->search_rows < n)
		fprintf(fp, "; the search ran on %zu of the %zu rows", s->search_rows, n);
	if (best_reached_once(s))
		fprintf(fp, "; only 1 of the %zu starts reached the best, so a better optimum may "
			"exist: try a larger --n-init", s->starts);
}

/* Parameter index in a bootstrap_result: weights, then means, then sds. */
static size_t
bp_weight(const struct bootstrap_result *b, size_t j)
{
	(void)b;
	return j;
}

static size_t
bp_mean(const struct bootstrap_result *b, size_t j, size_t c)
{
	return b->k + j * b->d + c;
}

static size_t
bp_sd(const struct bootstrap_result *b, size_t j, size_t c)
{
	return b->k + b->k * b->d + j * b->d + c;
}

static void
json_se_ci(FILE *fp, const struct bootstrap_result *b, size_t p)
{
	fputs("{\"se\": ", fp);
	jw_number(fp, b->se[p]);
	fputs(", \"ci95\": [", fp);
	jw_number(fp, b->lo[p]);
	fputs(", ", fp);
	jw_number(fp, b->hi[p]);
	fputs("]}", fp);
}

static void
json_bootstrap(FILE *fp, const struct bootstrap_result *b)
{
	fprintf(fp, ",\n  \"bootstrap\": {\"type\": \"%s\", \"replicates\": %zu, "
		"\"fitted\": %zu, \"components\": [\n",
		b->parametric ? "parametric" : "nonparametric", b->B, b->ok);
	for (size_t j = 0; j < b->k; j++) {
		fputs("    {\"weight\": ", fp);
		json_se_ci(fp, b, bp_weight(b, j));
		fputs(", \"mean\": [", fp);
		for (size_t c = 0; c < b->d; c++) {
			fputs(c ? ", " : "", fp);
			json_se_ci(fp, b, bp_mean(b, j, c));
		}
		fputs("], \"sd\": [", fp);
		for (size_t c = 0; c < b->d; c++) {
			fputs(c ? ", " : "", fp);
			json_se_ci(fp, b, bp_sd(b, j, c));
		}
		fprintf(fp, "]}%s\n", j + 1 < b->k ? "," : "");
	}
	fputs("  ]}", fp);
}

static void
text_bootstrap_row(FILE *fp, const struct bootstrap_result *b, size_t j, const char *what,
		   const char *col, double est, size_t p)
{
	char name[64], shown[25];

	gm_escape(col ? col : "", shown, sizeof shown);
	snprintf(name, sizeof name, "%s%s%.24s", what, col ? " " : "", shown);
	fprintf(fp, "%9zu  %-24s %14.6g %12.4g %14.6g %14.6g\n", j + 1, name, est, b->se[p],
		b->lo[p], b->hi[p]);
}

static void
text_bootstrap(FILE *fp, const struct report_info *ri)
{
	const struct bootstrap_result *b = ri->boot;
	const struct gmm *g = chosen(ri)->g;
	const size_t d = g->d;

	fprintf(fp, "\nBootstrap: %zu %s replicates (%zu fitted); components aligned by mean order\n",
		b->B, b->parametric ? "parametric" : "nonparametric", b->ok);
	fprintf(fp, "%9s  %-24s %14s %12s %14s %14s\n", "component", "parameter", "estimate",
		"SE", "2.5%", "97.5%");
	for (size_t j = 0; j < g->k; j++) {
		text_bootstrap_row(fp, b, j, "weight", NULL, g->weight[j], bp_weight(b, j));
		for (size_t c = 0; c < d; c++)
			text_bootstrap_row(fp, b, j, "mean", d > 1 ? ri->ds->names[c] : NULL,
					   g->mean[j * d + c], bp_mean(b, j, c));
		for (size_t c = 0; c < d; c++)
			text_bootstrap_row(fp, b, j, "sd", d > 1 ? ri->ds->names[c] : NULL,
					   sqrt(g->cov[j * d * d + c * d + c]), bp_sd(b, j, c));
	}
}

static void
json_search(FILE *fp, const struct fit_search *s)
{
	fprintf(fp, ",\n  \"search\": {\"starts\": %zu, \"run\": %zu, \"reached_best\": %zu, "
		"\"best_reached_once\": %s, \"degenerate\": %zu, \"failed\": %zu, "
		"\"runner_up_loglik\": ", s->starts, s->run, s->reached_best,
		best_reached_once(s) ? "true" : "false", s->degenerate, s->failed);
	if (s->have_runner_up)
		jw_number(fp, s->runner_up_loglik);	/* null when not finite */
	else
		fputs("null", fp);
	fprintf(fp, ", \"search_rows\": %zu}", s->search_rows);
}

/*
 * One column with both structures of --covariance all: the table says
 * that full stands for diag and spherical too, which are the same model.
 */
static int
one_column_pair(const struct fit_result *fr)
{
	const struct gmm *g = fr->models[fr->chosen].g;
	int full = 0, tied = 0;

	if (g == NULL || g->d != 1)
		return 0;
	for (size_t m = 0; m < fr->nmodels; m++) {
		full |= fr->models[m].cov == GMM_FULL;
		tied |= fr->models[m].cov == GMM_TIED;
	}
	return full && tied;
}

/* One object per model fitted; numbers only for a usable one. */
/* The test of row s's K against K - 1, when --lrt made one. */
static const struct lrt_test *
lrt_of_row(const struct lrt_result *lrt, const struct fit_model *s)
{
	if (lrt == NULL || s->k < 2 || s->cov != lrt->cov)
		return NULL;
	return lrt_find(lrt, s->k - 1);
}

static void
json_lrt_test(FILE *fp, const struct lrt_test *t)
{
	fputs("\"statistic\": ", fp);
	jw_number(fp, t->statistic);
	fputs(", \"p_value\": ", fp);
	jw_number(fp, t->p_value);
	fprintf(fp, ", \"replicates\": %zu, \"failed\": %zu", t->replicates, t->failed);
}

/* "lrt": the structure, replicates, rows, then each test of K against K + 1. */
static void
json_lrt(FILE *fp, const struct lrt_result *lrt)
{
	fprintf(fp, ",\n  \"lrt\": {\"covariance\": \"%s\", \"replicates\": %zu, \"rows\": ",
		gmm_cov_name(lrt->cov), lrt->B);
	jw_number(fp, lrt->rows);
	fputs(", \"tests\": [", fp);
	for (size_t i = 0; i < lrt->ntests; i++) {
		fprintf(fp, "%s\n    {\"k\": %zu, \"vs_k\": %zu, ", i ? "," : "",
			lrt->tests[i].k, lrt->tests[i].k + 1);
		json_lrt_test(fp, &lrt->tests[i]);
		fputc('}', fp);
	}
	fputs(lrt->ntests ? "\n  ]}" : "]}", fp);
}

static void
json_selection(FILE *fp, const struct fit_result *fr, const struct lrt_result *lrt)
{
	fputs(",\n  \"selection\": [\n", fp);
	for (size_t m = 0; m < fr->nmodels; m++) {
		const struct fit_model *s = &fr->models[m];
		fprintf(fp, "    {\"k\": %zu, \"covariance\": \"%s\", ", s->k,
			gmm_cov_name(s->cov));
		if (s->status != GM_OK) {
			fputs("\"verdict\": \"failed\", \"error\": ", fp);
			jw_string(fp, s->message);
		} else if (s->verdict != FIT_USABLE) {
			fprintf(fp, "\"verdict\": \"%s\", \"reason\": ", verdict_name(s->verdict));
			jw_string(fp, s->message);
		} else {
			fputs("\"verdict\": \"usable\", \"loglik\": ", fp);
			jw_number(fp, s->res.loglik);
			fprintf(fp, ", \"n_parameters\": %zu, \"bic\": ", s->n_params);
			jw_number(fp, s->bic);
			fputs(", \"aic\": ", fp);
			jw_number(fp, s->aic);
			fputs(", \"icl\": ", fp);
			jw_number(fp, s->icl);
			fputs(", \"entropy\": ", fp);
			jw_number(fp, s->entropy);
			fprintf(fp, ", \"iterations\": %zu, \"converged\": %s",
				s->res.iterations, s->res.converged ? "true" : "false");
			if (lrt_of_row(lrt, s) != NULL) {
				fprintf(fp, ", \"lrt\": {\"vs_k\": %zu, ", s->k - 1);
				json_lrt_test(fp, lrt_of_row(lrt, s));
				fputc('}', fp);
			}
		}
		fprintf(fp, ", \"chosen\": %s}%s\n", m == fr->chosen ? "true" : "false",
			m + 1 < fr->nmodels ? "," : "");
	}
	fputs("  ]", fp);
}

/* The input's delimiter for a person: "comma", "tab", "':'", "\x01". */
static void
delimiter_name(char c, char *out, size_t outsz)
{
	switch (c) {
	case ',': snprintf(out, outsz, "comma"); break;
	case ';': snprintf(out, outsz, "semicolon"); break;
	case '\t': snprintf(out, outsz, "tab"); break;
	case '|': snprintf(out, outsz, "vertical bar"); break;
	case ' ': snprintf(out, outsz, "space"); break;
	default:
		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
			snprintf(out, outsz, "\\x%02x", (unsigned char)c);
		else
			snprintf(out, outsz, "'%c'", c);
	}
}

int
report_json(FILE *fp, const struct report_info *ri)
{
	const struct fit_model *fm = chosen(ri);
	const struct dataset *ds = ri->ds;

	fputs("{\n  \"source\": ", fp);
	jw_string(fp, ri->source);
	if (ds->delimiter != 0) {
		const char dl[2] = { ds->delimiter, '\0' };
		fputs(",\n  \"delimiter\": ", fp);
		jw_string(fp, dl);
	}
	fputs(",\n  \"columns\": [", fp);
	for (size_t c = 0; c < ds->d; c++) {
		if (c)
			fputs(", ", fp);
		jw_string(fp, ds->names[c]);
	}
	fputs("],\n", fp);
	if (ds->weight_name != NULL) {
		fputs("  \"weights\": ", fp);
		jw_string(fp, ds->weight_name);
		fputs(",\n", fp);
	}
	fprintf(fp, "  \"n\": %zu,\n  \"total_weight\": ", ds->n);
	jw_number(fp, ri->fr->total_weight);
	fprintf(fp, ",\n  \"rows_skipped\": %zu,\n", ds->skipped);
	fprintf(fp, "  \"d\": %zu,\n  \"k\": %zu,\n  \"covariance\": \"%s\",\n",
		ds->d, fm->k, gmm_cov_name(fm->cov));
	fputs("  \"init\": ", fp);
	jw_string(fp, ri->init);
	fprintf(fp, ",\n  \"n_init\": %zu,\n  \"accel\": \"%s\",\n  \"tol\": ", ri->n_init,
		ri->accel ? ri->accel : "squarem");
	jw_number(fp, ri->tol);
	fprintf(fp, ",\n  \"max_iter\": %zu,\n  \"reg\": ", ri->max_iter);
	jw_numbers(fp, ri->reg, ds->d, 1);
	if (ri->prior != NULL) {
		fputs(",\n  \"prior\": {\"shrinkage\": ", fp);
		jw_number(fp, ri->prior->shrinkage);
		fputs(", \"dof\": ", fp);
		jw_number(fp, ri->prior->dof);
		fputs(", \"mean\": ", fp);
		jw_numbers(fp, ri->prior->mean, ds->d, 1);
		fputs(", \"covariance\": [", fp);
		for (size_t p = 0; p < ds->d; p++) {
			fputs(p ? ", " : "", fp);
			jw_numbers(fp, ri->prior->var + p * ds->d, ds->d, 1);
		}
		fputs("]}", fp);
	}
	if (ri->round != NULL) {
		fputs(",\n  \"rounding\": ", fp);
		jw_numbers(fp, ri->round, ds->d, 1);
		fprintf(fp, ",\n  \"rounding_auto\": %s,\n  \"likelihood\": \"grouped\"",
			ri->round_auto ? "true" : "false");
	}
	fprintf(fp, ",\n  \"iterations\": %zu,\n  \"converged\": %s,\n  \"last_change\": ",
		fm->res.iterations, fm->res.converged ? "true" : "false");
	jw_number(fp, fm->res.last_change);
	fputs(",\n  \"loglik\": ", fp);
	jw_number(fp, fm->res.loglik);
	fputs(",\n  \"mean_loglik\": ", fp);
	jw_number(fp, fm->res.mean_loglik);
	fprintf(fp, ",\n  \"n_parameters\": %zu,\n  \"bic\": ", fm->n_params);
	jw_number(fp, fm->bic);
	fputs(",\n  \"aic\": ", fp);
	jw_number(fp, fm->aic);
	fputs(",\n  \"icl\": ", fp);
	jw_number(fp, fm->icl);
	fputs(",\n  \"entropy\": ", fp);
	jw_number(fp, fm->entropy);
	fprintf(fp, ",\n  \"criterion\": \"%s\"", ri->fr->criterion == FIT_ICL ? "icl" : "bic");
	if (ri->ks >= 0) {
		fputs(",\n  \"ks\": ", fp);
		jw_number(fp, ri->ks);
	}
	json_search(fp, &fm->search);
	fputs(",\n", fp);
	model_write_components(fp, fm->g, "  ");
	if (ri->boot != NULL)
		json_bootstrap(fp, ri->boot);
	if (ri->timing != NULL) {
		const struct report_timing *t = ri->timing;
		fputs(",\n  \"timing\": {\"read\": ", fp);
		jw_number(fp, t->read);
		fputs(", \"start\": ", fp);
		jw_number(fp, t->start);
		fputs(", \"em\": ", fp);
		jw_number(fp, t->em);
		fputs(", \"output\": ", fp);
		jw_number(fp, t->output);
		fprintf(fp, ", \"iterations\": %zu, \"seconds_per_iteration\": ", t->iterations);
		jw_number(fp, t->iterations ? t->em / (double)t->iterations : 0.0);
		fprintf(fp, ", \"threads\": %d, \"processes\": %d, \"max_rss_kib\": %ld}", t->threads,
			t->processes, t->max_rss_kib);
	}
	if (ri->lrt != NULL)
		json_lrt(fp, ri->lrt);
	if (ri->fr->nmodels > 1)
		json_selection(fp, ri->fr, ri->lrt);
	fputs("\n}\n", fp);
	return ferror(fp) ? -1 : 0;
}

/* What the LRT columns are, below the selection table. */
static void
text_lrt_note(FILE *fp, const struct lrt_result *lrt, uint64_t seed)
{
	size_t failed = 0;

	if (lrt->ntests == 0) {
		fprintf(fp, "LRT: no K and K + 1 of covariance %s are both usable: nothing to test.\n",
			gmm_cov_name(lrt->cov));
		return;
	}
	fprintf(fp, "LRT: 2 (loglik(K) - loglik(K - 1)), covariance %s; p(LRT) from %zu "
		"parametric-bootstrap replicates\nof %.0f rows drawn from the K - 1 fit "
		"(seed %" PRIu64 ").\n", gmm_cov_name(lrt->cov), lrt->B, lrt->rows, seed);
	for (size_t i = 0; i < lrt->ntests; i++)
		failed += lrt->tests[i].failed;
	for (size_t i = 0; failed > 0 && i < lrt->ntests; i++)
		if (lrt->tests[i].failed > 0)
			fprintf(fp, "LRT of K = %zu against %zu: %zu of the replicates could not be "
				"fitted (left out).\n", lrt->tests[i].k, lrt->tests[i].k + 1,
				lrt->tests[i].failed);
}

static void
text_selection(FILE *fp, const struct report_info *ri)
{
	fprintf(fp, "\nModel selection (lowest %s chosen, marked *):\n",
		criterion_name(ri->fr->criterion));
	fprintf(fp, "     %3s  %-10s %16s %5s %16s %16s %16s %6s  %s%s\n", "K", "covariance",
		"loglik", "p", "BIC", "ICL", "AIC", "iter", "converged",
		ri->lrt != NULL ? "        LRT  p(LRT)" : "");
	for (size_t m = 0; m < ri->fr->nmodels; m++) {
		const struct fit_model *s = &ri->fr->models[m];
		fprintf(fp, "  %s  %3zu  %-10s ", m == ri->fr->chosen ? "*" : " ", s->k,
			gmm_cov_name(s->cov));
		if (s->status != GM_OK || s->verdict != FIT_USABLE) {
			fprintf(fp, "%s: ", s->status != GM_OK ? "failed" : verdict_name(s->verdict));
			gm_fputs_escaped(s->message, fp);
			fputc('\n', fp);
			continue;
		}
		fprintf(fp, "%16.4f %5zu %16.4f %16.4f %16.4f %6zu  %s", s->res.loglik,
			s->n_params, s->bic, s->icl, s->aic, s->res.iterations,
			s->res.converged ? "yes" : "no");
		if (lrt_of_row(ri->lrt, s) != NULL)
			fprintf(fp, "%*s %10.4f  %6.4f", s->res.converged ? 6 : 7, "",
				lrt_of_row(ri->lrt, s)->statistic, lrt_of_row(ri->lrt, s)->p_value);
		fputc('\n', fp);
	}
	if (ri->lrt != NULL)
		text_lrt_note(fp, ri->lrt, ri->seed);
	if (one_column_pair(ri->fr))
		fputs("In one column full, diag and spherical are one model, each component with "
		      "its own variance\n(mclust's V); tied is one variance for all (E).\n", fp);
}

int
report_text(FILE *fp, const struct report_info *ri)
{
	const struct fit_model *fm = chosen(ri);
	const struct dataset *ds = ri->ds;
	const struct gmm *g = fm->g;
	const size_t d = ds->d;

	fprintf(fp, "Gaussian mixture fit by EM\n\n");
	/* Names from the input: their control characters as \xHH. */
	fputs("source        ", fp);
	gm_fputs_escaped(ri->source, fp);
	if (ds->delimiter != 0) {
		char dn[16];
		delimiter_name(ds->delimiter, dn, sizeof dn);
		fprintf(fp, "\ndelimiter     %s (%s)", dn,
			ds->delimiter_auto == 1 ? "detected" :
			ds->delimiter_auto == 2 ? "the default: no other found" : "given");
	}
	fprintf(fp, "\ncolumn%s       ", d > 1 ? "s" : " ");
	for (size_t c = 0; c < d; c++) {
		fputs(c ? ", " : "", fp);
		gm_fputs_escaped(ds->names[c], fp);
	}
	fputc('\n', fp);
	if (ds->weight_name != NULL) {
		fputs("weights       column ", fp);
		gm_fputs_escaped(ds->weight_name, fp);
		fprintf(fp, " (total %.10g)\n", ri->fr->total_weight);
	}
	fprintf(fp, "rows          %zu used, %zu skipped for a missing value", ds->n,
		ds->skipped);
	if (ds->skipped > 0) {
		fputs(" (line", fp);
		fputs(ds->skipped > 1 ? "s" : "", fp);
		for (size_t i = 0; i < ds->skipped && i < DATASET_SKIP_LINES; i++)
			fprintf(fp, "%s%ld", i ? ", " : " ", ds->skip_lines[i]);
		fputs(ds->skipped > DATASET_SKIP_LINES ? ", ...)" : ")", fp);
	}
	fputc('\n', fp);
	if (ds->skipped_zero > 0)
		fprintf(fp, "              %zu row%s with weight 0 left out\n", ds->skipped_zero,
			ds->skipped_zero == 1 ? "" : "s");
	/*
	 * Every model named with its geometry, in mclust's words; gmmfit's own
	 * names (full, diag, spherical, tied) and any model in one column
	 * before it: "full (VVV: ellipsoidal, ...)", "EII (E: univariate, ...)".
	 */
	const char *name = gmm_cov_name(fm->cov), *geom = gmm_cov_describe(fm->cov, ds->d);
	if (ds->d == 1 || strcmp(name, gmm_cov_mclust(fm->cov)) != 0)
		fprintf(fp, "model         K = %zu, covariance %s (%s)\n", fm->k, name, geom);
	else
		fprintf(fp, "model         K = %zu, covariance %s\n", fm->k, geom);
	fprintf(fp, "start         %s, %zu start%s", ri->init, ri->n_init,
		ri->n_init == 1 ? "" : "s (best kept)");
	fputs("\nsearch        ", fp);
	search_sentence(fp, &fm->search, ds->n);
	fputc('\n', fp);
	fprintf(fp, "regulariser   ");
	for (size_t c = 0; c < d; c++)
		fprintf(fp, "%s%.3g", c ? ", " : "", ri->reg[c]);
	fprintf(fp, " added to each variance\n");
	if (ri->prior != NULL)
		fprintf(fp, "prior         conjugate, mclust's default: shrinkage %g towards the data's "
			"mean, %g degrees of\n              freedom, scale the data's covariance / "
			"K^(2/d); the fit is the posterior mode\n", ri->prior->shrinkage, ri->prior->dof);
	if (ri->round != NULL) {
		fprintf(fp, "rounding      ");
		for (size_t c = 0; c < d; c++)
			fprintf(fp, "%s%.6g", c ? ", " : "", ri->round[c]);
		fprintf(fp, " (%s): each value stands for its interval of that width (0: exact);\n"
			"              log-likelihood, BIC and ICL are the grouped data's\n",
			ri->round_auto ? "each column's grid, --rounding auto" : "--rounding");
	}
	if (fm->res.converged)
		fprintf(fp, "iterations    %zu, converged (last change of the mean log-likelihood %.3g; tol %.3g)\n",
			fm->res.iterations, fm->res.last_change, ri->tol);
	else
		fprintf(fp, "iterations    %zu, not converged: --max-iter %zu reached (last change %.3g; tol %.3g)\n",
			fm->res.iterations, ri->max_iter, fm->res.last_change, ri->tol);
	fprintf(fp, "log-lik       %.6f (per row %.10f)\n", fm->res.loglik, fm->res.mean_loglik);
	fprintf(fp, "parameters    p = %zu\n", fm->n_params);
	fprintf(fp, "BIC           %.4f   (-2 loglik + p ln n; lower is better)\n", fm->bic);
	fprintf(fp, "ICL           %.4f   (BIC - 2 sum_i log max_k z_ik; lower is better)\n",
		fm->icl);
	fprintf(fp, "entropy       %.4f   (-sum_i sum_k z_ik log z_ik; 0 when every row is certain)\n",
		fm->entropy);
	fprintf(fp, "AIC           %.4f   (-2 loglik + 2p; lower is better)\n", fm->aic);
	if (ri->ks >= 0)
		fprintf(fp, "KS distance   %.6f   (largest gap between the empirical and the mixture CDF)\n",
			ri->ks);
	if (ri->figure_note != NULL)
		fprintf(fp, "figure        %s\n", ri->figure_note);
	if (ri->timing != NULL) {
		const struct report_timing *t = ri->timing;
		fprintf(fp, "timing        read %.3f s, start %.3f s, EM %.3f s (%zu iterations, "
			"%.3g s each, %d thread%s%s), output %.3f s; peak memory %ld KiB\n",
			t->read, t->start, t->em, t->iterations,
			t->iterations ? t->em / (double)t->iterations : 0.0, t->threads,
			t->threads == 1 ? "" : "s", t->processes > 1 ? " a process" : "",
			t->output, t->max_rss_kib);
		if (t->processes > 1)
			fprintf(fp, "processes     %d (MPI); the memory is rank 0's\n", t->processes);
	}
	fputc('\n', fp);
	if (d == 1) {
		fprintf(fp, "%9s  %10s  %14s  %12s\n", "component", "weight", "mean", "sd");
		for (size_t j = 0; j < g->k; j++)
			fprintf(fp, "%9zu  %10.6f  %14.6g  %12.6g\n", j + 1, g->weight[j],
				g->mean[j], sqrt(g->cov[j]));
	} else {
		for (size_t j = 0; j < g->k; j++) {
			const double *cv = g->cov + j * d * d, *mu = g->mean + j * d;
			fprintf(fp, "component %zu: weight %.6f\n", j + 1, g->weight[j]);
			fprintf(fp, "  %-16s %14s %12s", "column", "mean", "sd");
			for (size_t q = 0; q < d; q++)
				fprintf(fp, " %8s", q == 0 ? "corr" : "");
			fputc('\n', fp);
			for (size_t p = 0; p < d; p++) {
				char nm[17];
				gm_escape(ds->names[p], nm, sizeof nm);
				fprintf(fp, "  %-16.16s %14.6g %12.6g", nm, mu[p],
					sqrt(cv[p * d + p]));
				for (size_t q = 0; q < d; q++)
					fprintf(fp, " %8.4f", cv[p * d + q] /
						sqrt(cv[p * d + p] * cv[q * d + q]));
				fputc('\n', fp);
			}
			fputs("  covariance\n", fp);
			for (size_t p = 0; p < d; p++) {
				fputs("   ", fp);
				for (size_t q = 0; q < d; q++)
					fprintf(fp, " %13.6g", cv[p * d + q]);
				fputc('\n', fp);
			}
		}
	}
	if (ri->boot != NULL)
		text_bootstrap(fp, ri);
	if (ri->fr->nmodels > 1)
		text_selection(fp, ri);
	return ferror(fp) ? -1 : 0;
}

/* ------------------------------------------------------------------ TSV */

/* A TSV field: tabs and newlines would break the row; they become spaces. */
static void
tsv_text(FILE *fp, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, fp);
}

/* The end of a TSV row: the model's fit and search (no runner-up: empty). */
/* A parameter's bootstrap SE and 95% interval: three fields. */
static void
tsv_se_ci(FILE *fp, const struct bootstrap_result *b, size_t p)
{
	fputc('\t', fp);
	jw_number(fp, b->se[p]);
	fputc('\t', fp);
	jw_number(fp, b->lo[p]);
	fputc('\t', fp);
	jw_number(fp, b->hi[p]);
}

/* The tests of the chosen K against K - 1 and K + 1 (--lrt): statistic and p-value, or empty. */
static void
tsv_lrt(FILE *fp, const struct lrt_result *lrt, const struct fit_model *fm)
{
	const struct lrt_test *t[2] = { lrt_of_row(lrt, fm),
					fm->cov == lrt->cov ? lrt_find(lrt, fm->k) : NULL };

	for (int i = 0; i < 2; i++) {
		fputc('\t', fp);
		if (t[i] != NULL)
			jw_number(fp, t[i]->statistic);
		fputc('\t', fp);
		if (t[i] != NULL)
			jw_number(fp, t[i]->p_value);
	}
}

static void
tsv_model(FILE *fp, const struct fit_model *fm)
{
	const struct fit_search *s = &fm->search;
	const double v[] = { fm->res.loglik, fm->bic, fm->aic, fm->icl, fm->entropy };

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		fputc('\t', fp);
		jw_number(fp, v[i]);
	}
	fprintf(fp, "\t%zu\t%zu\t%zu\t%zu\t%zu\t", s->starts, s->run, s->reached_best,
		s->degenerate, s->failed);
	if (s->have_runner_up && isfinite(s->runner_up_loglik))
		jw_number(fp, s->runner_up_loglik);
	fprintf(fp, "\t%zu", s->search_rows);
}

int
report_tsv(FILE *fp, const struct report_info *ri)
{
	const struct fit_model *fm = chosen(ri);
	const struct gmm *g = fm->g;
	const size_t d = g->d;
	char **nm = ri->ds->names;

	fputs("component\tweight", fp);
	for (size_t c = 0; c < d; c++) {
		fputs("\tmean_", fp);
		tsv_text(fp, nm[c]);
	}
	for (size_t c = 0; c < d; c++) {
		fputs("\tsd_", fp);
		tsv_text(fp, nm[c]);
	}
	for (size_t p = 0; p < d; p++)
		for (size_t q = p + 1; q < d; q++) {
			fputs("\tcov_", fp);
			tsv_text(fp, nm[p]);
			fputs("_", fp);
			tsv_text(fp, nm[q]);
		}
	if (ri->boot != NULL) {
		static const char *const sfx[] = { "_se", "_lo95", "_hi95" };
		for (int t = 0; t < 3; t++)
			fprintf(fp, "\tweight%s", sfx[t]);
		for (int what = 0; what < 2; what++)
			for (size_t c = 0; c < d; c++)
				for (int t = 0; t < 3; t++) {
					fputs(what ? "\tsd_" : "\tmean_", fp);
					tsv_text(fp, nm[c]);
					fputs(sfx[t], fp);
				}
	}
	/* The model's numbers and its search, the same on every row. */
	fputs("\tloglik\tbic\taic\ticl\tentropy\tsearch_starts\tsearch_run\tsearch_reached_best"
	      "\tsearch_degenerate\tsearch_failed\tsearch_runner_up_loglik\tsearch_rows", fp);
	if (ri->lrt != NULL)
		fputs("\tlrt_vs_k_minus_1_statistic\tlrt_vs_k_minus_1_p_value"
		      "\tlrt_vs_k_plus_1_statistic\tlrt_vs_k_plus_1_p_value", fp);
	for (size_t c = 0; ri->round != NULL && c < d; c++) {
		fputs("\trounding_", fp);
		tsv_text(fp, nm[c]);
	}
	fputc('\n', fp);
	for (size_t j = 0; j < g->k; j++) {
		const double *cv = g->cov + j * d * d;
		fprintf(fp, "%zu\t", j + 1);
		jw_number(fp, g->weight[j]);
		for (size_t c = 0; c < d; c++) {
			fputc('\t', fp);
			jw_number(fp, g->mean[j * d + c]);
		}
		for (size_t c = 0; c < d; c++) {
			fputc('\t', fp);
			jw_number(fp, sqrt(cv[c * d + c]));
		}
		for (size_t p = 0; p < d; p++)
			for (size_t q = p + 1; q < d; q++) {
				fputc('\t', fp);
				jw_number(fp, cv[p * d + q]);
			}
		if (ri->boot != NULL) {
			/* In the header's order: the weight, every mean, every sd. */
			const struct bootstrap_result *b = ri->boot;
			tsv_se_ci(fp, b, bp_weight(b, j));
			for (size_t c = 0; c < d; c++)
				tsv_se_ci(fp, b, bp_mean(b, j, c));
			for (size_t c = 0; c < d; c++)
				tsv_se_ci(fp, b, bp_sd(b, j, c));
		}
		tsv_model(fp, fm);
		if (ri->lrt != NULL)
			tsv_lrt(fp, ri->lrt, fm);
		for (size_t c = 0; ri->round != NULL && c < d; c++) {
			fputc('\t', fp);
			jw_number(fp, ri->round[c]);
		}
		fputc('\n', fp);
	}
	return ferror(fp) ? -1 : 0;
}

/* ---------------------------------------------------------------- LaTeX */

/*
 * The tables are laid out to fit TEX_TEXTWIDTH, the text width of a
 * one-column 10 pt article, by an estimate of their width from Computer
 * Modern's metrics (rounded up): digits 5 pt, a math minus 7.8 pt, bold
 * 15% wider, 12 pt of \tabcolsep per column.  Every number column is a
 * pair r@{}l, the integer part and the rest from the point on, so the
 * points line up whatever the digits' widths (bold, signs, SEs) without
 * a package beyond booktabs.
 */
#define TEX_TEXTWIDTH 345.0
#define TEX_COLSEP 12.0
#define TEX_BOLD 1.15
#define TEX_BOLD_CELL "\\bfseries\\boldmath "

/* How a column (or a row, transposed) prints its numbers. */
struct tex_fmt {
	int sci;		/* m.mmm x 10^e: values too large or small for decimals */
	int dec;		/* digits after the point (of the mantissa when sci) */
};

/* A number cut at its point, as two cells of an r@{}l pair. */
struct tex_num {
	char ip[48];		/* sign and integer digits */
	char rest[48];		/* ".ddd" or "" */
	int sci, exp;
};

static void
tex_text(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (strchr("#$%&_{}", c))
			fprintf(fp, "\\%c", c);
		else if (c == '\\')
			fputs("\\textbackslash{}", fp);
		else if (c == '^')
			fputs("\\textasciicircum{}", fp);
		else if (c == '~')
			fputs("\\textasciitilde{}", fp);
		else if (c < 0x20)
			fputc(' ', fp);
		else
			fputc(c, fp);
	}
}

/* The estimated width in points of s as set in text or math, rounded up. */
static double
tex_width(const char *s)
{
	double w = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= '0' && c <= '9')
			w += 5.0;
		else if (c == '.' || c == ',')
			w += 2.8;
		else if (c == '-')
			w += 7.8;
		else if (c == ' ')
			w += 3.4;
		else if (c == '(' || c == ')')
			w += 3.9;
		else if (c >= 'A' && c <= 'Z')
			w += 7.5;
		else if (c < 0x80)
			w += 5.0;
		else
			w += 2.5;	/* a byte of a UTF-8 character: two make one letter */
	}
	return w;
}

/*
 * The format of a column of n values to show `digits` significant digits
 * of its largest one: fixed decimals, as many as that takes (and enough
 * for the first digit of the smallest), or x 10^e beyond 10^6 or below
 * 10^-3.
 */
static struct tex_fmt
tex_fmt_of(const double *v, size_t n, int digits)
{
	struct tex_fmt f = { 0, 0 };
	double big = 0;
	int e;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]) && fabs(v[i]) > big)
			big = fabs(v[i]);
	if (!(big > 0))
		return f;
	e = (int)floor(log10(big));
	if (e >= 6 || e < -3) {
		f.sci = 1;
		f.dec = digits - 1;
		return f;
	}
	f.dec = digits - 1 - e;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]) && fabs(v[i]) > 0) {
			int first = -(int)floor(log10(fabs(v[i])));
			if (first > f.dec)
				f.dec = first;
		}
	if (f.dec < 0)
		f.dec = 0;
	if (f.dec > digits + 3)
		f.dec = digits + 3;
	return f;
}

static void
tex_split(double v, struct tex_fmt f, struct tex_num *t)
{
	char buf[96], *cut;

	snprintf(buf, sizeof buf, f.sci ? "%.*e" : "%.*f", f.dec, v);
	t->sci = 0;
	t->exp = 0;
	if ((cut = strchr(buf, 'e')) != NULL) {
		t->sci = 1;
		t->exp = atoi(cut + 1);
		*cut = '\0';
	}
	/* A value that rounds to zero is shown without a sign. */
	if (buf[0] == '-' && buf[1 + strspn(buf + 1, "0.")] == '\0')
		memmove(buf, buf + 1, strlen(buf));
	cut = strchr(buf, '.');
	snprintf(t->rest, sizeof t->rest, "%s", cut ? cut : "");
	if (cut)
		*cut = '\0';
	snprintf(t->ip, sizeof t->ip, "%s", buf);
}

static double
tex_num_width(const struct tex_num *t)
{
	char e[16];

	if (!t->sci)
		return tex_width(t->ip) + tex_width(t->rest);
	snprintf(e, sizeof e, "%d", t->exp);
	/* x 10 at full size, the exponent at 70% */
	return tex_width(t->ip) + tex_width(t->rest) + 7.8 + 10.0 + 0.7 * tex_width(e);
}

/* The two cells of a number: b (a bold prefix, or "") before each. */
static void
tex_put_num(FILE *fp, const struct tex_num *t, const char *b)
{
	fprintf(fp, "%s$%s$ & ", b, t->ip);
	if (t->rest[0] || t->sci) {
		fprintf(fp, "%s$%s", b, t->rest);
		if (t->sci)
			fprintf(fp, " \\times 10^{%d}", t->exp);
		fputc('$', fp);
	}
}

/* A standard error: " (0.012)", its own format, in one piece. */
static double
tex_put_se(FILE *fp, double se, struct tex_fmt f)
{
	struct tex_num t;

	tex_split(se, f, &t);
	if (fp != NULL) {
		fprintf(fp, " ($%s%s", t.ip, t.rest);
		if (t.sci)
			fprintf(fp, " \\times 10^{%d}", t.exp);
		fputs("$)", fp);
	}
	return tex_num_width(&t) + 3.4 + 7.8;
}

/*
 * The parameter tables.  A quantity is a weight, or the mean or the sd of
 * a column: q = 0 the weights, 1..d the means, d+1..2d the sds.  Each has
 * its format (the same in both layouts) and, with a bootstrap, its SEs'.
 */
struct tex_params {
	const struct gmm *g;
	const struct bootstrap_result *b;
	char *const *names;
	size_t nq;
	struct tex_fmt *fmt, *sefmt;
};

static double
tex_param(const struct tex_params *tp, size_t q, size_t j, double *se)
{
	const struct gmm *g = tp->g;
	const size_t d = g->d;
	size_t p;
	double v;

	if (q == 0) {
		v = g->weight[j];
		p = tp->b ? bp_weight(tp->b, j) : 0;
	} else if (q <= d) {
		v = g->mean[j * d + q - 1];
		p = tp->b ? bp_mean(tp->b, j, q - 1) : 0;
	} else {
		v = sqrt(g->cov[j * d * d + (q - d - 1) * d + (q - d - 1)]);
		p = tp->b ? bp_sd(tp->b, j, q - d - 1) : 0;
	}
	*se = tp->b ? tp->b->se[p] : 0;
	return v;
}

/* One cell pair of quantity q for component j; its estimated width. */
static double
tex_param_cell(FILE *fp, const struct tex_params *tp, size_t q, size_t j)
{
	struct tex_num t;
	double se, v = tex_param(tp, q, j, &se), w;

	tex_split(v, tp->fmt[q], &t);
	if (fp != NULL)
		tex_put_num(fp, &t, "");
	w = tex_num_width(&t);
	if (tp->b != NULL)
		w += tex_put_se(fp, se, tp->sefmt[q]);
	return w;
}

/* The width of the widest cell of quantity q over components [j0, j1). */
static double
tex_param_width(const struct tex_params *tp, size_t q, size_t j0, size_t j1)
{
	double w = 0;

	for (size_t j = j0; j < j1; j++) {
		double c = tex_param_cell(NULL, tp, q, j);
		if (c > w)
			w = c;
	}
	return w;
}

/* Components as rows: Component, Weight, the means, the sds. */
static double
tex_rows_width(const struct tex_params *tp)
{
	const size_t d = tp->g->d;
	double w = tex_width("Component") + TEX_COLSEP;

	for (size_t q = 0; q < tp->nq; q++) {
		double head = q == 0 ? tex_width("Weight") : d == 1 ? tex_width("Mean") :
			tex_width(tp->names[(q - 1) % d]);
		double c = tex_param_width(tp, q, 0, tp->g->k);
		w += (c > head ? c : head) + TEX_COLSEP;
	}
	return w;
}

static void
tex_params_rows(FILE *fp, const struct tex_params *tp)
{
	const size_t d = tp->g->d;

	fputs("\\begin{tabular}{r", fp);
	for (size_t q = 0; q < tp->nq; q++)
		fputs(" r@{}l", fp);
	fputs("}\n\\toprule\n", fp);
	if (d == 1) {
		fputs("Component & \\multicolumn{2}{c}{Weight} & \\multicolumn{2}{c}{Mean} & "
		      "\\multicolumn{2}{c}{SD} \\\\\n", fp);
	} else {
		fprintf(fp, " & & & \\multicolumn{%zu}{c}{Mean} & \\multicolumn{%zu}{c}{SD} \\\\\n",
			2 * d, 2 * d);
		fprintf(fp, "\\cmidrule(lr){4-%zu} \\cmidrule(lr){%zu-%zu}\n",
			3 + 2 * d, 4 + 2 * d, 3 + 4 * d);
		fputs("Component & \\multicolumn{2}{c}{Weight}", fp);
		for (size_t q = 1; q < tp->nq; q++) {
			fputs(" & \\multicolumn{2}{c}{", fp);
			tex_text(fp, tp->names[(q - 1) % d]);
			fputc('}', fp);
		}
		fputs(" \\\\\n", fp);
	}
	fputs("\\midrule\n", fp);
	for (size_t j = 0; j < tp->g->k; j++) {
		fprintf(fp, "%zu", j + 1);
		for (size_t q = 0; q < tp->nq; q++) {
			fputs(" & ", fp);
			tex_param_cell(fp, tp, q, j);
		}
		fputs(" \\\\\n", fp);
	}
	fputs("\\bottomrule\n\\end{tabular}\n", fp);
}

/* Components as columns [j0, j1): a row per quantity. */
static void
tex_params_columns(FILE *fp, const struct tex_params *tp, size_t j0, size_t j1)
{
	const size_t d = tp->g->d;
	const size_t nc = j1 - j0;

	fputs("\\begin{tabular}{l l", fp);
	for (size_t j = j0; j < j1; j++)
		fputs(" r@{}l", fp);
	fprintf(fp, "}\n\\toprule\n & & \\multicolumn{%zu}{c}{Component} \\\\\n"
		"\\cmidrule(lr){3-%zu}\n & ", 2 * nc, 2 + 2 * nc);
	for (size_t j = j0; j < j1; j++)
		fprintf(fp, " & \\multicolumn{2}{c}{%zu}", j + 1);
	fputs(" \\\\\n\\midrule\n", fp);
	for (size_t q = 0; q < tp->nq; q++) {
		if (q == 0)
			fputs("Weight & ", fp);
		else if (q == 1 || q == d + 1)
			fputs(q == 1 ? "Mean & " : "SD & ", fp);
		else
			fputs(" & ", fp);
		if (q > 0)
			tex_text(fp, tp->names[(q - 1) % d]);
		for (size_t j = j0; j < j1; j++) {
			fputs(" & ", fp);
			tex_param_cell(fp, tp, q, j);
		}
		fputs(" \\\\\n", fp);
	}
	fputs("\\bottomrule\n\\end{tabular}\n", fp);
}

/*
 * The parameters: components as rows when that fits the text width;
 * otherwise as columns, in as few tabulars of as even a size as fit.
 */
static void
tex_params(FILE *fp, const struct tex_params *tp)
{
	const size_t k = tp->g->k, d = tp->g->d;
	double label = tex_width("Weight"), cw = 0;
	size_t per, parts;

	if (tex_rows_width(tp) <= TEX_TEXTWIDTH) {
		tex_params_rows(fp, tp);
		return;
	}
	for (size_t c = 0; c < d; c++)
		if (tex_width(tp->names[c]) > label)
			label = tex_width(tp->names[c]);
	for (size_t q = 0; q < tp->nq; q++) {
		double w = tex_param_width(tp, q, 0, k);
		if (w > cw)
			cw = w;
	}
	label += tex_width("Weight") + 2 * TEX_COLSEP;
	cw += TEX_COLSEP;
	per = TEX_TEXTWIDTH > label + cw ? (size_t)((TEX_TEXTWIDTH - label) / cw) : 1;
	if (per > k)
		per = k;
	parts = (k + per - 1) / per;
	per = (k + parts - 1) / parts;
	fprintf(fp, "%% Components as columns: as rows the table would be wider than a page%s.\n",
		parts > 1 ? ", and it is split" : "");
	for (size_t j = 0; j < k; j += per) {
		if (j > 0)
			fputs("\n\\par\\bigskip\n", fp);
		tex_params_columns(fp, tp, j, j + per < k ? j + per : k);
	}
}

/*
 * The selection tabular: numbers for a usable model, the verdict for
 * another.  Returns -1 when out of memory (before writing anything).
 */
static int
tex_selection(FILE *fp, const struct fit_result *fr, int dg)
{
	/* log L, BIC, ICL, AIC: three more digits than the parameters */
	struct tex_fmt f[4];
	double *v = malloc((fr->nmodels ? fr->nmodels : 1) * sizeof *v);
	double kw = tex_width("K"), cw = tex_width("Covariance"), pw = tex_width("p"), width;
	size_t nu = 0, notes = 0;

	if (v == NULL)
		return -1;
	for (int c = 0; c < 4; c++) {
		nu = 0;
		for (size_t m = 0; m < fr->nmodels; m++) {
			const struct fit_model *s = &fr->models[m];
			if (usable(s))
				v[nu++] = c == 0 ? s->res.loglik : c == 1 ? s->bic : c == 2 ? s->icl : s->aic;
		}
		f[c] = tex_fmt_of(v, nu, dg + 3);
	}
	/* Fewer decimals until it fits (to none). */
	for (;;) {
		double nw[4] = { 0, 0, 0, 0 };
		int more = 0;
		for (size_t m = 0; m < fr->nmodels; m++) {
			const struct fit_model *s = &fr->models[m];
			double scale = m == fr->chosen ? TEX_BOLD : 1.0;
			char buf[32];
			if (!usable(s))
				continue;
			snprintf(buf, sizeof buf, "%zu", s->n_params);
			if (tex_width(buf) * scale > pw)
				pw = tex_width(buf) * scale;
			if (tex_width(gmm_cov_name(s->cov)) * scale > cw)
				cw = tex_width(gmm_cov_name(s->cov)) * scale;
			for (int c = 0; c < 4; c++) {
				struct tex_num t;
				tex_split(c == 0 ? s->res.loglik : c == 1 ? s->bic : c == 2 ? s->icl : s->aic,
					  f[c], &t);
				if (tex_num_width(&t) * scale > nw[c])
					nw[c] = tex_num_width(&t) * scale;
			}
		}
		width = kw + cw + pw + 7 * TEX_COLSEP;
		for (int c = 0; c < 4; c++) {
			width += nw[c] > tex_width("log L") ? nw[c] : tex_width("log L");
			more |= f[c].dec > 0;
		}
		if (width <= TEX_TEXTWIDTH || !more)
			break;
		for (int c = 0; c < 4; c++)
			if (f[c].dec > 0)
				f[c].dec--;
	}
	free(v);
	fprintf(fp, "\n\\par\\bigskip\n%% Model selection: the chosen model (lowest %s) is in bold.\n",
		criterion_name(fr->criterion));
	fputs("\\begin{tabular}{r l r@{}l r r@{}l r@{}l r@{}l}\n\\toprule\n"
	      "$K$ & Covariance & \\multicolumn{2}{c}{$\\log L$} & $p$ & \\multicolumn{2}{c}{BIC} & "
	      "\\multicolumn{2}{c}{ICL} & \\multicolumn{2}{c}{AIC} \\\\\n\\midrule\n", fp);
	for (size_t m = 0; m < fr->nmodels; m++) {
		const struct fit_model *s = &fr->models[m];
		const char *b = m == fr->chosen ? TEX_BOLD_CELL : "";
		const double x[] = { s->bic, s->icl, s->aic };
		struct tex_num t;
		if (!usable(s)) {
			/* The reason goes in a note below: it may be longer than the table is wide. */
			fprintf(fp, "%zu & %s & \\multicolumn{9}{l}{%s} \\\\\n", s->k,
				gmm_cov_name(s->cov), s->status != GM_OK ? "failed" :
				verdict_name(s->verdict));
			notes++;
			continue;
		}
		fprintf(fp, "%s%zu & %s%s & ", b, s->k, b, gmm_cov_name(s->cov));
		tex_split(s->res.loglik, f[0], &t);
		tex_put_num(fp, &t, b);
		fprintf(fp, " & %s%zu", b, s->n_params);
		for (int c = 0; c < 3; c++) {
			fputs(" & ", fp);
			tex_split(x[c], f[c + 1], &t);
			tex_put_num(fp, &t, b);
		}
		fputs(" \\\\\n", fp);
	}
	fputs("\\bottomrule\n\\end{tabular}\n", fp);
	if (one_column_pair(fr))
		fputs("\\par\\smallskip\n{\\footnotesize In one column full, diag and spherical "
		      "are one model, each component with its own variance (mclust's V); tied is "
		      "one variance for all (E).\\par}\n", fp);
	if (notes == 0)
		return 0;
	/* A paragraph, so that LaTeX breaks the reasons to the width of the page. */
	fputs("\\par\\smallskip\n{\\footnotesize", fp);
	for (size_t m = 0; m < fr->nmodels; m++) {
		const struct fit_model *s = &fr->models[m];
		if (usable(s))
			continue;
		fprintf(fp, "\n$K = %zu$, %s: ", s->k, gmm_cov_name(s->cov));
		fputs(s->status != GM_OK ? "failed" : verdict_name(s->verdict), fp);
		if (s->message[0] != '\0') {
			fputs(", ", fp);
			tex_text(fp, s->message);
		}
		fputc('.', fp);
	}
	fputs("\\par}\n", fp);
	return 0;
}

/* The likelihood-ratio tests (--lrt): a tabular of their own, below the selection. */
static void
tex_lrt(FILE *fp, const struct lrt_result *lrt, uint64_t seed)
{
	if (lrt->ntests == 0)
		return;
	fprintf(fp, "\n\\par\\bigskip\n%% Bootstrap likelihood-ratio tests of K against K + 1, "
		"covariance %s.\n", gmm_cov_name(lrt->cov));
	fputs("\\begin{tabular}{r r r@{}l r@{}l}\n\\toprule\n"
	      "$K$ & vs & \\multicolumn{2}{c}{LRT} & \\multicolumn{2}{c}{$p$} \\\\\n\\midrule\n", fp);
	for (size_t i = 0; i < lrt->ntests; i++) {
		const struct lrt_test *t = &lrt->tests[i];
		struct tex_fmt f1 = { 0, 2 }, f2 = { 0, 3 };
		struct tex_num a, b;
		tex_split(t->statistic, f1, &a);
		tex_split(t->p_value, f2, &b);
		fprintf(fp, "%zu & %zu & ", t->k, t->k + 1);
		tex_put_num(fp, &a, "");
		fputs(" & ", fp);
		tex_put_num(fp, &b, "");
		fputs(" \\\\\n", fp);
	}
	fprintf(fp, "\\bottomrule\n\\end{tabular}\n\\par\\smallskip\n{\\footnotesize LRT: "
		"$2(\\log L_{K+1} - \\log L_K)$; $p$ from %zu parametric-bootstrap replicates "
		"drawn from the $K$ fit (seed %" PRIu64 ").\\par}\n", lrt->B, seed);
}

int
report_latex(FILE *fp, const struct report_info *ri)
{
	const struct fit_model *fm = chosen(ri);
	const struct gmm *g = fm->g;
	const size_t d = g->d, nq = 1 + 2 * d;
	const int dg = ri->digits;
	struct tex_fmt *fmt = calloc(2 * nq, sizeof *fmt);
	double *v = malloc(g->k * sizeof *v), *se = malloc(g->k * sizeof *se);
	struct tex_params tp = { g, ri->boot, ri->ds->names, nq, fmt, fmt + nq };

	if (fmt == NULL || v == NULL || se == NULL) {
		free(fmt);
		free(v);
		free(se);
		return -1;
	}
	for (size_t q = 0; q < nq; q++) {
		for (size_t j = 0; j < g->k; j++)
			v[j] = tex_param(&tp, q, j, &se[j]);
		fmt[q] = tex_fmt_of(v, g->k, dg);
		tp.sefmt[q] = tex_fmt_of(se, g->k, dg > 2 ? 2 : dg);
		/* An estimate is shown to the precision of its SE: 163.64 (0.12), not 163.6. */
		if (ri->boot != NULL && !fmt[q].sci && !tp.sefmt[q].sci && tp.sefmt[q].dec > fmt[q].dec)
			fmt[q].dec = tp.sefmt[q].dec;
	}
	free(v);
	free(se);
	fputs("% Gaussian mixture fit by EM: needs \\usepackage{booktabs}\n", fp);
	if (ri->boot != NULL)
		fprintf(fp, "%% In parentheses: bootstrap standard errors (%zu %s replicates).\n",
			ri->boot->ok, ri->boot->parametric ? "parametric" : "nonparametric");
	fprintf(fp, "%% K = %zu, %s covariance: log L = %.*g, p = %zu, BIC = %.*g, ICL = %.*g, "
		"entropy = %.*g.\n", fm->k, gmm_cov_name(fm->cov), dg + 3, fm->res.loglik,
		fm->n_params, dg + 3, fm->bic, dg + 3, fm->icl, dg + 3, fm->entropy);
	fputs("% Search: ", fp);
	search_sentence(fp, &fm->search, ri->ds->n);
	fputs(".\n", fp);
	if (ri->round != NULL) {
		fputs("% Rounding:", fp);
		for (size_t c = 0; c < d; c++)
			fprintf(fp, "%s %.6g", c ? "," : "", ri->round[c]);
		fputs(" (each value stands for its interval; log L, BIC and ICL are the grouped "
		      "data's).\n", fp);
	}
	tex_params(fp, &tp);
	free(fmt);
	if (ri->fr->nmodels > 1 && tex_selection(fp, ri->fr, dg) != 0)
		return -1;
	if (ri->lrt != NULL)
		tex_lrt(fp, ri->lrt, ri->seed);
	return ferror(fp) ? -1 : 0;
}
