/*
 * unit-report.c - the reports and the BIC figure for a selection holding
 * degenerate and not identifiable models (whose g is NULL), and for the
 * search's counts, whatever values the search leaves.
 *
 * Old Faithful (eruptions, waiting) is fitted with K = 1..3, full; then
 * the fit result is edited as the search would leave it: K = 1 not
 * identifiable and K = 3 degenerate (their models freed, g NULL, the
 * reason in message), and the chosen model's search with a runner-up, a
 * sample of the rows and its best reached by one run of five.  Every
 * writer runs on it (a NULL g read anywhere would crash the test), and
 * what each writes for those rows is checked.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvread.h"
#include "dataset.h"
#include "fit.h"
#include "../src/json.h"	/* the library's reader, not tests/json.h */
#include "plot.h"
#include "report.h"
#include "tap.h"

static const char *
srcdir(void)
{
	const char *s = getenv("srcdir");

	return s ? s : ".";
}

/* A whole stream's contents (malloc'ed, NUL-terminated), or NULL. */
static char *
slurp(FILE *fp)
{
	long n;
	char *s;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0)
		return NULL;
	rewind(fp);
	if ((s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	if (fread(s, 1, (size_t)n, fp) != (size_t)n) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

/* A writer's output as a string (NULL when it failed). */
static char *
capture(int (*writer)(FILE *, const struct report_info *), const struct report_info *ri)
{
	FILE *fp = tmpfile();
	char *s = NULL;

	if (fp != NULL && writer(fp, ri) == 0 && fflush(fp) == 0)
		s = slurp(fp);
	if (fp != NULL)
		fclose(fp);
	return s;
}

static char *
read_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *s = slurp(fp);

	if (fp != NULL)
		fclose(fp);
	return s;
}

static int
has(const char *s, const char *what)
{
	return s != NULL && strstr(s, what) != NULL;
}

/* A number member, or NaN when absent (exact: the writer's %.17g reads back). */
static double
jnum(const struct jv *o, const char *key)
{
	const struct jv *v = o ? jv_get(o, key) : NULL;

	return v && v->type == JV_NUMBER ? v->num : NAN;
}

static int
same(double a, double b)
{
	return !(a < b) && !(a > b) && !isnan(a);
}

static int
is_type(const struct jv *o, const char *key, enum jv_type t)
{
	const struct jv *v = o ? jv_get(o, key) : NULL;

	return v != NULL && v->type == t;
}

static const char *
jstr(const struct jv *o, const char *key)
{
	const struct jv *v = o ? jv_get(o, key) : NULL;

	return v && v->type == JV_STRING ? v->str : "";
}

/* Make model m what the search leaves for a model it will not choose. */
static void
unusable(struct fit_result *fr, size_t m, enum fit_verdict v, const char *why)
{
	struct fit_model *fm = &fr->models[m];

	gmm_free(fm->g);
	fm->g = NULL;
	fm->verdict = v;
	snprintf(fm->message, sizeof fm->message, "%s", why);
	/* Numbers the reports must not show for it. */
	fm->bic = fm->icl = fm->aic = fm->entropy = NAN;
}

static void
check_json(const char *js, const struct fit_result *fr)
{
	struct jv root;
	struct gm_error err;
	const struct jv *sel, *s, *r;

	gm_error_clear(&err);
	if (!tap_ok(js != NULL && jv_parse(js, strlen(js), "json", &root, &err) == GM_OK,
		    "JSON: parses (%s)", err.status ? err.msg : "ok")) {
		for (int i = 0; i < 6; i++)
			tap_skip("no JSON");
		return;
	}
	s = jv_get(&root, "search");
	tap_ok(s && s->type == JV_OBJECT && same(jnum(s, "starts"), 20) && same(jnum(s, "run"), 5) &&
	       same(jnum(s, "reached_best"), 1) && same(jnum(s, "degenerate"), 1) &&
	       same(jnum(s, "failed"), 2) && same(jnum(s, "runner_up_loglik"), -1234.5678) &&
	       same(jnum(s, "search_rows"), 100) && is_type(s, "best_reached_once", JV_TRUE),
	       "JSON: search holds starts, run, reached_best, degenerate, failed, runner_up_loglik, "
	       "search_rows and best_reached_once as set");
	tap_ok(jv_get(&root, "icl") && jv_get(&root, "entropy") &&
	       !strcmp(jstr(&root, "criterion"), "icl"),
	       "JSON: icl, entropy and criterion \"icl\" at the top level");
	sel = jv_get(&root, "selection");
	if (!tap_ok(sel && sel->type == JV_ARRAY && sel->n == fr->nmodels,
		    "JSON: a selection row per model")) {
		for (int i = 0; i < 3; i++)
			tap_skip("no selection");
		jv_free(&root);
		return;
	}
	r = &sel->items[0];
	tap_ok(!strcmp(jstr(r, "verdict"), "not identifiable") &&
	       !strcmp(jstr(r, "reason"), "17 free parameters for 12 rows") &&
	       !jv_get(r, "bic") && !jv_get(r, "icl") && !jv_get(r, "loglik") &&
	       is_type(r, "chosen", JV_FALSE),
	       "JSON: the not identifiable row has its verdict and reason and no numbers");
	r = &sel->items[2];
	tap_ok(!strcmp(jstr(r, "verdict"), "degenerate") &&
	       has(jstr(r, "reason"), "component 2 holds 1.3 rows") && !jv_get(r, "bic") &&
	       !jv_get(r, "entropy"),
	       "JSON: the degenerate row has its verdict and reason and no numbers");
	r = &sel->items[1];
	tap_ok(!strcmp(jstr(r, "verdict"), "usable") && jv_get(r, "icl") && jv_get(r, "entropy") &&
	       jv_get(r, "bic") && is_type(r, "chosen", JV_TRUE),
	       "JSON: the usable row has verdict \"usable\", bic, icl and entropy, and is chosen");
	jv_free(&root);
}

static void
check_reports(const struct report_info *ri, struct fit_result *fr)
{
	char *tx = capture(report_text, ri), *js = capture(report_json, ri);
	char *ts = capture(report_tsv, ri), *tex = capture(report_latex, ri);
	struct fit_search *s = &fr->models[fr->chosen].search;

	tap_ok(has(tx, "\n       1  full       not identifiable: 17 free parameters for 12 rows\n") &&
	       has(tx, "\n       3  full       degenerate: component 2 holds 1.3 rows of weight, "
		   "fewer than d + 1\n"),
	       "text: the verdict and reason in place of the numbers");
	tap_ok(has(tx, "Model selection (lowest ICL chosen, marked *):") &&
	       has(tx, "  *    2  full "), "text: the heading names ICL; K = 2 is marked");
	tap_ok(has(tx, "\nsearch        20 starts screened, 5 run to convergence, 1 reached the best, "
		   "1 degenerate, 2 failed; runner-up optimum -1234.5678; the search ran on 100 "
		   "of the 272 rows; only 1 of the 20 starts reached the best, so a better optimum "
		   "may exist: try a larger --n-init\n"),
	       "text: the search line with every count, and the flag for a best reached once");
	tap_ok(has(tx, "\nICL           ") && has(tx, "\nentropy       "),
	       "text: ICL and entropy lines");
	check_json(js, fr);
	tap_ok(has(tex, "1 & full & \\multicolumn{9}{l}{not identifiable} \\\\\n") &&
	       has(tex, "3 & full & \\multicolumn{9}{l}{degenerate} \\\\\n") &&
	       has(tex, "\n$K = 1$, full: not identifiable, 17 free parameters for 12 rows.") &&
	       has(tex, "\n$K = 3$, full: degenerate, component 2 holds 1.3 rows of weight, "
		   "fewer than d + 1.") &&
	       has(tex, "(lowest ICL) is in bold") && has(tex, "% Search: 20 starts screened"),
	       "LaTeX: the verdicts in the selection tabular, their reasons in a note, ICL named, the search line");
	tap_ok(ts != NULL && has(ts, "\t-1234.5678\t100\n") && has(ts, "\tsearch_rows\n"),
	       "TSV: the search columns");
	tap_ok(!has(tx, "nan") && !has(js, "nan") && !has(ts, "nan") && !has(tex, "nan") &&
	       !has(js, "NaN"), "no NaN anywhere (the unusable rows' numbers are NaN here)");
	free(tx);
	free(js);
	free(ts);
	free(tex);

	/* No runner-up, all rows, several runs at the best: no flag, null. */
	memset(s, 0, sizeof *s);
	s->starts = s->run = 3;
	s->reached_best = 3;
	s->search_rows = 272;
	tx = capture(report_text, ri);
	js = capture(report_json, ri);
	ts = capture(report_tsv, ri);
	tap_ok(has(tx, "\nsearch        3 starts, all run to convergence, 3 reached the best, "
		   "0 degenerate; no other optimum found\n"),
	       "text: the search line without a runner-up or a flag");
	tap_ok(has(js, "\"best_reached_once\": false") && has(js, "\"runner_up_loglik\": null"),
	       "JSON: runner_up_loglik is null without a runner-up");
	tap_ok(has(ts, "\t3\t3\t3\t0\t0\t\t272\n"), "TSV: an empty runner-up field");
	free(tx);
	free(js);
	free(ts);
}

static void
check_figure(const struct dataset *ds, const struct fit_result *fr)
{
	struct plot_options po;
	struct plot_files pf = { NULL, 0, 0 };
	struct gm_error err;
	char *dat, *gp;
	int rc;

	memset(&po, 0, sizeof po);
	po.prefix = "tests/work/unit-report/fig";
	po.pair[0] = po.pair[1] = -1;
	mkdir("tests/work", 0777);
	mkdir("tests/work/unit-report", 0777);
	gm_error_clear(&err);
	rc = plot_write(&po, ds, fr, &pf, &err);
	if (rc == GM_OK)
		rc = outfile_commit_all(pf.of, pf.n, &err);
	plot_files_free(&pf);
	tap_ok(rc == GM_OK, "the figures are written (%s)", rc ? err.msg : "ok");
	dat = read_file("tests/work/unit-report/fig-bic.dat");
	gp = read_file("tests/work/unit-report/fig-bic.gp");
	tap_ok(dat != NULL && !has(dat, "\n1 ") && !has(dat, "\n3 ") && has(dat, "\n2 ") &&
	       !has(dat, "nan"),
	       "BIC figure: the degenerate and not identifiable models are left out");
	tap_ok(has(gp, "title 'chosen by lowest ICL: K = 2, full'"),
	       "BIC figure: the key says ICL chose");
	free(dat);
	free(gp);
}

int
main(void)
{
	struct csvread_options co;
	struct dataset ds;
	struct fit_options fo;
	struct fit_result fr;
	struct gm_error err;
	const size_t ks[] = { 1, 2, 3 };
	const enum gmm_cov covs[] = { GMM_FULL };
	const double reg[] = { 1e-6, 1e-6 };
	char path[4096];

	tap_plan(21);
	memset(&co, 0, sizeof co);
	co.columns = "eruptions,waiting";
	gm_error_clear(&err);
	snprintf(path, sizeof path, "%s/data/faithful.csv", srcdir());
	memset(&fo, 0, sizeof fo);
	fo.ks = ks;
	fo.nk = 3;
	fo.covs = covs;
	fo.ncov = 1;
	fo.init = INIT_KMEANS;
	fo.n_init = 1;
	fo.em.max_iter = 1000;
	fo.em.tol = 1e-10;
	fo.em.reg = reg;
	fo.em.threads = 1;
	if (!tap_ok(csvread_file(path, &co, &ds, &err) == GM_OK && fit_run(&ds, &fo, &fr, &err) == GM_OK &&
		    fr.chosen == 1, "faithful read and fitted, K = 1..3, K = 2 chosen (%s)",
		    err.status ? err.msg : "ok")) {
		tap_plan(tap_count);
		return 1;
	}
	unusable(&fr, 0, FIT_NOT_IDENTIFIABLE, "17 free parameters for 12 rows");
	unusable(&fr, 2, FIT_DEGENERATE, "component 2 holds 1.3 rows of weight, fewer than d + 1");
	fr.criterion = FIT_ICL;
	{
		struct fit_search *s = &fr.models[1].search;
		s->starts = 20;
		s->run = 5;
		s->reached_best = 1;
		s->degenerate = 1;
		s->failed = 2;
		s->have_runner_up = 1;
		s->runner_up_loglik = -1234.5678;
		s->search_rows = 100;
	}
	{
		struct report_info ri = { "faithful.csv", &ds, &fr, "kmeans", 1, 1e-10, 1000,
					  "squarem", reg, -1.0, NULL, 4, NULL, NULL };
		check_figure(&ds, &fr);
		check_reports(&ri, &fr);
	}
	fit_result_free(&fr);
	dataset_free(&ds);
	return tap_failed ? 1 : 0;
}
