/*
 * stages.c - the main command's stages, in the order gmmfit.c runs them
 * (see stages.h): what they need from the options, the messages of what
 * only the data can refuse, and the outputs written all or none.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "clock.h"
#include "cli.h"
#include "csvread.h"
#include "empar.h"
#include "fitstage.h"
#include "gof.h"
#include "init.h"
#include "meansfile.h"
#include "optval.h"
#include "outputs.h"
#include "par.h"
#include "stages.h"
#include "suggest.h"
#include "threads.h"

void
stage_init(struct run_state *st)
{
	memset(st, 0, sizeof *st);
	st->ks_distance = -1.0;
	gm_error_clear(&st->err);
}

void
stage_free(struct run_state *st)
{
	plot_files_free(&st->pf);
	outfile_discard(&st->dep);
	bootstrap_result_free(&st->boot);
	lrt_result_free(&st->lrt);
	free(st->prior_mean);
	free(st->prior_var);
	free(st->round);
	model_free(&st->start);
	free(st->model_source);
	free(st->figure_note);
	fit_result_free(&st->fr);
	dataset_free(&st->ds);
	free(st->reg);
	memset(st, 0, sizeof *st);
}

int
stage_start_model(struct run_options *ro, struct run_state *st)
{
	struct model *start = &st->start;
	int rc;

	if (ro->init_model_path == NULL)
		return GM_OK;
	rc = model_load(ro->init_model_path, start, &st->err);
	rc = par_agree(rc, &st->err);	/* a process that cannot read it stops all */
	if (rc != GM_OK) {
		gm_error_print(&st->err, PROG, stderr);
		return rc;
	}
	if (ro->k_set && (ro->nks != 1 || ro->ks[0] != start->g->k)) {
		char msg[64];
		snprintf(msg, sizeof msg, "%zu", start->g->k);
		return usage_error("the start model has K = %s; drop -k or give that K", msg);
	}
	if (ro->cov_set && (ro->fo.ncov != 1 || ro->covs[0] != start->g->cov_type)) {
		const char *t = gmm_cov_name(start->g->cov_type);
		return usage_error("the start model has %s covariances; drop --covariance or give that", t);
	}
	ro->ks[0] = start->g->k;
	ro->nks = 1;
	ro->covs[0] = start->g->cov_type;
	ro->fo.ncov = 1;
	if (ro->prior && !gmm_cov_has_prior(start->g->cov_type))
		return usage_error("--prior is for full, diag, spherical, tied (VVV, VVI, VII, "
				   "EEE), EII, EEI, VEI and VEV only: the start model has %s "
				   "covariances",
				   gmm_cov_name(start->g->cov_type));
	ro->fo.given.model = start->g;
	/* The model's columns, matched by exact name, unless the user chose others of the same number. */
	if (ro->csv.co.columns == NULL) {
		st->model_source = malloc(strlen(ro->init_model_path) + sizeof "the model ");
		if (st->model_source == NULL)
			return oom_error();
		strcpy(st->model_source, "the model ");
		strcat(st->model_source, ro->init_model_path);
		ro->csv.co.names = (const char *const *)start->columns;
		ro->csv.co.n_names = start->g->d;
		ro->csv.co.names_source = st->model_source;
	}
	return GM_OK;
}

void
stage_threads(struct run_options *ro)
{
#ifdef _OPENMP
	int want = ro->fo.em.threads > 0 ? ro->fo.em.threads : omp_get_max_threads();
	int can = threads_usable(want);

	if (can < want) {
		ro->fo.em.threads = ro->csv.co.threads = can;
		omp_set_num_threads(can);
	}
#else
	(void)ro;
#endif
}

/* --shard: every shard's columns must be the first shard's. */
static int
shard_check(const struct dataset *ds, const char *path, struct gm_error *err)
{
	size_t len = 1;
	char *t;
	int same;

	for (size_t j = 0; j < ds->d; j++)
		len += strlen(ds->names[j]) + 1;
	len += ds->weight_name ? strlen(ds->weight_name) + 2 : 0;
	t = malloc(len);
	if (t == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	t[0] = '\0';
	for (size_t j = 0; j < ds->d; j++) {
		strcat(t, ds->names[j]);
		strcat(t, ",");
	}
	if (ds->weight_name) {
		strcat(t, "w:");
		strcat(t, ds->weight_name);
	}
	same = par_same_text(t);
	free(t);
	if (!same)
		return gm_error_set(err, GM_EDATA, path, 1, 0,
				    "this shard's columns are not those of the first shard");
	return GM_OK;
}

int
stage_read(struct run_options *ro, struct run_state *st)
{
	double t_mark = clock_seconds();
	int rc = csvread_file(ro->path, &ro->csv.co, &st->ds, &st->err);

	if (par_size() > 1) {
		/* Every process takes part in each step, failed or not: no one waits alone. */
		rc = par_agree(rc, &st->err);
		if (ro->shard != NULL && rc == GM_OK)
			rc = par_agree(shard_check(&st->ds, ro->shard_path, &st->err), &st->err);
		if (rc == GM_OK)
			rc = par_distribute(&st->ds, &st->err);
		if (rc == GM_OK)
			rc = empar_attach(&st->ds, &st->err);
		/* The scans of the starts and of the figures, the same on every process. */
		if (rc == GM_OK && (init_attach() != 0 || gof_attach() != 0 || fit_attach() != 0))
			rc = gm_error_set(&st->err, GM_EINTERNAL, NULL, 0, 0,
					  "no room for the starts', the figures' and the classification's scans");
		if (rc == GM_OK && outputs_attach() != 0)
			rc = gm_error_set(&st->err, GM_EINTERNAL, NULL, 0, 0, "no room for the labels' job");
		if (rc == GM_OK && par_rank() != 0) {
			/* The other processes serve rank 0, which does the rest. */
			st->served = 1;
			return par_serve(&st->ds, ro->fo.em.threads);
		}
	}
	st->tm.read = clock_seconds() - t_mark;
	if (rc != GM_OK) {
		if (st->err.file != NULL && strcmp(st->err.file, "-") == 0)
			st->err.file = "<stdin>";
		gm_error_print(&st->err, PROG, stderr);
	}
	return rc;
}

/* --means FILE: its header names the fitted columns, so it is read once they are known. */
static int
read_means_file(struct run_options *ro, struct run_state *st)
{
	const struct csvread_options *co = &ro->csv.co;
	struct means_file_options mo = { co->delimiter, co->quote, co->decimal, MODEL_MAX_K, OV_MEAN_MAX };
	const struct dataset *ds = &st->ds;
	size_t kf = 0;
	int rc;

	if ((rc = means_file_read(ro->means_path, ds->names, ds->d, &mo, &ro->means, &kf,
				  &st->err)) != GM_OK) {
		gm_error_print(&st->err, PROG, stderr);
		return rc;
	}
	if (ro->k_set && ro->ks[0] != kf) {
		char msg[160];
		snprintf(msg, sizeof msg, "%zu row%s of means (one per component), -k %zu",
			 kf, kf == 1 ? "" : "s", ro->ks[0]);
		return usage_error("--means FILE has %s: drop -k or give that K", msg);
	}
	ro->ks[0] = kf;
	ro->n_means = kf * ds->d;
	return GM_OK;
}

int
stage_data_checks(struct run_options *ro, struct run_state *st)
{
	struct fit_options *fo = &ro->fo;
	const struct dataset *ds = &st->ds;
	int rc;

	/*
	 * Without --init (or a given start) the search mixes its methods and
	 * screens FIT_DEFAULT_STARTS starts; a forced method keeps its old
	 * default: one start on one column, 5 on several.
	 */
	fo->init_forced = ro->init_set || fo->init == INIT_GIVEN;
	if (fo->n_init == 0) {
		fo->n_init = !fo->init_forced ? fit_default_starts(ds->n) : ds->d == 1 ? 1 : 5;
		fo->n_init_max = !fo->init_forced ? fit_max_starts(ds->n, fo->n_init) : 0;
	}
	if (fo->init_forced && fo->init == INIT_QUANTILE && ds->d != 1)
		return usage_error("%s", "--init quantile works on one column; use kmeans");
	if (st->start.g != NULL && st->start.g->d != ds->d) {
		char msg[128];
		snprintf(msg, sizeof msg, "%zu column%s, the data selection %zu", st->start.g->d,
			 st->start.g->d == 1 ? "" : "s", ds->d);
		return usage_error("the start model has %s", msg);
	}
	if (ro->means_path != NULL && (rc = read_means_file(ro, st)) != GM_OK)
		return rc;
	if (fo->init == INIT_GIVEN && st->start.g == NULL) {
		if (ro->n_means != ro->ks[0] * ds->d) {
			char msg[128];
			snprintf(msg, sizeof msg, "%zu (K = %zu times %zu column%s)", ro->ks[0] * ds->d,
				 ro->ks[0], ds->d, ds->d == 1 ? "" : "s");
			return usage_error("--means needs %s values", msg);
		}
		if ((ro->sds && ro->n_sds != ro->ks[0]) || (ro->winit && ro->n_wi != ro->ks[0]))
			return usage_error("%s", "--sds and --weights-init need one value per component");
	}
	if (ro->nks == 1 && ro->ks[0] > ds->n) {
		char msg[160];
		snprintf(msg, sizeof msg, "K = %zu is more than the %zu rows of data", ro->ks[0], ds->n);
		return usage_error("%s", msg);
	}
	return GM_OK;
}

int
stage_regularise(struct run_options *ro, struct run_state *st)
{
	int rc = fitstage_regularisers(&st->ds, ro->reg_abs, ro->display, &st->reg, &st->err);

	if (rc == GM_OK && ro->prior)
		rc = fitstage_prior(&st->ds, ro->display, &st->prior, &st->prior_mean,
				    &st->prior_var, &st->err);
	if (rc != GM_OK) {
		gm_error_print(&st->err, PROG, stderr);
		return rc;
	}
	ro->fo.em.prior = ro->prior ? &st->prior : NULL;
	/*
	 * In one column full, diag and spherical are one model, each
	 * component with its own variance (mclust's V), and tied is the
	 * other (E): fitted, tabled and drawn once each, under the names
	 * full and tied.  mclust's other models are one of the two in one
	 * column, by their volume; its names E and V are for one column.
	 */
	if (st->ds.d > 1 && ro->cov_one_column)
		return usage_error("--covariance %s is mclust's name of a one-column model; with "
				   "more columns give one of the others",
				   ro->cov_one_column == 'V' ? "V" : "E");
	if (st->ds.d == 1 && ro->fo.ncov > 1) {
		/* Each model is V or E by its volume: mclust's name's first letter. */
		int v = 0, e = 0;
		for (size_t c = 0; c < ro->fo.ncov; c++)
			*(gmm_cov_mclust(ro->covs[c])[0] == 'V' ? &v : &e) = 1;
		ro->fo.ncov = 0;
		if (v)
			ro->covs[ro->fo.ncov++] = GMM_FULL;
		if (e)
			ro->covs[ro->fo.ncov++] = GMM_TIED;
	}
	rc = fitstage_rounding(&st->ds, ro->rounding, ro->n_rounding, ro->rounding_auto, ro->covs,
			       ro->fo.ncov, &st->round, &st->err);
	if (rc != GM_OK) {
		gm_error_print(&st->err, PROG, stderr);
		return rc;
	}
	/* The rows are rounded where some width is over 0 (else the fit is plain). */
	for (size_t p = 0; st->round != NULL && p < st->ds.d; p++)
		if (st->round[p] > 0.0)
			st->ds.round = st->round;
	if (st->ds.round != NULL && empar_share_rounding(&st->ds) != GM_OK) {
		gm_error_set(&st->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		gm_error_print(&st->err, PROG, stderr);
		return GM_EINTERNAL;
	}
	return GM_OK;
}

int
stage_fit(struct run_options *ro, struct run_state *st)
{
	struct fit_options *fo = &ro->fo;
	int rc;

	fo->ks = ro->ks;
	fo->nk = ro->nks;
	fo->covs = ro->covs;
	fo->given.means = ro->means;
	fo->given.sds = ro->sds;
	fo->given.weights = ro->winit;
	fo->em.reg = st->reg;
	rc = fit_run(&st->ds, fo, &st->fr, &st->err);
	st->fr.criterion = fo->criterion;	/* the reports and the BIC figure say what chose */
	return rc;
}

int
stage_lrt(struct run_options *ro, struct run_state *st,
	  void (*progress)(void *, size_t, size_t), void *arg)
{
	struct lrt_options lo;
	int rc;

	if (ro->lrt_b == 0)
		return GM_OK;
	memset(&lo, 0, sizeof lo);
	lo.B = ro->lrt_b;
	lo.seed = ro->fo.seed;
	lo.threads = ro->fo.em.threads;
	lo.fit = ro->fo;
	lo.progress = progress;
	lo.progress_arg = arg;
	rc = lrt_run(&st->ds, &st->fr, &lo, &st->lrt, &st->err);
	if (rc != GM_OK)
		gm_error_print(&st->err, PROG, stderr);
	return rc;
}

int
stage_bootstrap(struct run_options *ro, struct run_state *st)
{
	struct bootstrap_options bo;
	int rc;

	if (ro->boot_b == 0)
		return GM_OK;
	memset(&bo, 0, sizeof bo);
	bo.B = ro->boot_b;
	bo.parametric = ro->boot_parametric;
	bo.seed = ro->fo.seed;
	bo.threads = ro->fo.em.threads;
	bo.em = ro->fo.em;
	bo.em.fix = 0;
	rc = bootstrap_run(&st->ds, st->fr.models[st->fr.chosen].g, &bo, &st->boot, &st->err);
	if (rc != GM_OK)
		gm_error_print(&st->err, PROG, stderr);
	return rc;
}

/* --plot-columns: each of its two columns (a fitted column's name, or its number in the file) resolved. */
static int
find_pair(const struct dataset *ds, const struct run_options *ro, long pair[2])
{
	for (int t = 0; t < 2; t++) {
		const char *tok = ro->pair_tok[t];
		pair[t] = -1;
		/* An exact name first, then a column number (as -c does). */
		for (size_t c = 0; c < ds->d && pair[t] < 0; c++)
			if (strcmp(ds->names[c], tok) == 0)
				pair[t] = (long)c;
		for (size_t c = 0; c < ds->d && pair[t] < 0; c++) {
			char num[32];
			snprintf(num, sizeof num, "%zu", ds->colno[c]);
			if (strcmp(num, tok) == 0)
				pair[t] = (long)c;
		}
		if (pair[t] < 0) {
			const char *near = suggest_nearest(tok, (const char *const *)ds->names, ds->d);
			char msg[400], shown[160], nshown[160];
			gm_escape(tok, shown, sizeof shown);
			gm_escape(near != NULL ? near : "", nshown, sizeof nshown);
			snprintf(msg, sizeof msg, "--plot-columns: '%s' is not one of the fitted columns%s%s%s",
				 shown, near != NULL ? "; did you mean '" : "", nshown, near != NULL ? "'?" : "");
			return usage_error("%s", msg);
		}
	}
	if (pair[0] == pair[1])
		return usage_error("--plot-columns needs two different columns, not '%s'",
				   ro->plot_columns);
	return GM_OK;
}

/*
 * The start as the reports name it: a warm start's file, the method the
 * user forced, or the default search and the methods it tries (quantile
 * in one column; splits and merges within a range of K).
 */
static void
init_display(char *buf, size_t len, const char *model_path, const struct fit_options *fo,
	     size_t d)
{
	if (model_path != NULL)
		snprintf(buf, len, "model:%s", model_path);
	else if (fo->init_forced)
		snprintf(buf, len, "%s", init_name(fo->init));
	else
		snprintf(buf, len, "search (hc, %skmeans, random, random-rows, kmeans++%s)",
			 d == 1 ? "quantile, " : "",
			 fo->nk > 1 ? "; splits and merges from the neighbouring K" : "");
}

/*
 * The report in the format asked for.  A failed write is left for the
 * check of the stream (close_stdout, outfile_close); a report that failed
 * with its stream in order ran out of memory: GM_EINTERNAL, printed.
 */
static int
report_write(FILE *fp, const char *format, const struct report_info *ri)
{
	int r;

	if (strcmp(format, "json") == 0)
		r = report_json(fp, ri);
	else if (strcmp(format, "tsv") == 0)
		r = report_tsv(fp, ri);
	else if (strcmp(format, "latex") == 0)
		r = report_latex(fp, ri);
	else
		r = report_text(fp, ri);
	if (r != 0 && !ferror(fp))
		return oom_error();
	return GM_OK;
}

/*
 * The files of the data and the model: --labels (the rows still in file
 * order), the figure, --save-model; the 1-D rows sorted after the labels
 * (for the KS distance and whatever follows).  Failures printed.
 */
static int
write_files(struct run_options *ro, struct run_state *st)
{
	struct dataset *ds = &st->ds;
	const struct gmm *g = st->fr.models[st->fr.chosen].g;
	struct plot_options *po = &ro->po;
	int rc = GM_OK;

	/* The labels need the rows in file order: before they are sorted. */
	if (ro->labels_path != NULL &&
	    (rc = outputs_labels(&st->pf, ro->labels_path, ds, g, &st->err)) != GM_OK) {
		gm_error_print(&st->err, PROG, stderr);
		return rc;
	}
	if (ds->d == 1) {
		/* Nothing below depends on the rows' order; sorted, they need no copy. */
		dataset_sort(ds);
		st->ks_distance = gof_ks(ds, g);
	}
	if (po->prefix != NULL) {
		if (ro->plot_columns != NULL && (rc = find_pair(ds, ro, po->pair)) != GM_OK)
			return rc;
		if (po->pair[0] < 0 && plot_one_pair_only(ds)) {
			/* As long as the names need: a column name has no length limit. */
			size_t len = strlen(ds->names[0]) + strlen(ds->names[1]) + 128;
			if ((st->figure_note = malloc(len)) == NULL)
				return oom_error();
			snprintf(st->figure_note, len,
				 "columns %s and %s only (more than %d columns; choose the pair with --plot-columns)",
				 ds->names[0], ds->names[1], PLOT_MAX_PANEL_COLUMNS);
		}
		rc = plot_write(po, ds, &st->fr, &st->pf, &st->err);
	}
	if (rc == GM_OK && ro->save_model != NULL) {
		FILE *mf;
		rc = outputs_open(&st->pf, ro->save_model, &mf, &st->err);
		if (rc == GM_OK) {
			model_write(mf, g, ds->names, st->round);
			rc = outfile_close(&st->pf.of[st->pf.n - 1], &st->err);
		}
	}
	if (rc != GM_OK)
		gm_error_print(&st->err, PROG, stderr);
	return rc;
}

/* --timing's figures (st->tm.read was taken when the data were read). */
static void
fill_timing(const struct run_options *ro, struct run_state *st, double t_output)
{
	struct report_timing *tm = &st->tm;
	struct rusage ru;

	tm->output = t_output;
	tm->start = st->fr.init_seconds;
	tm->em = st->fr.em_seconds;
	tm->iterations = st->fr.em_iterations;
	tm->threads = ro->fo.em.threads;
	tm->processes = par_size();
#ifdef _OPENMP
	if (tm->threads == 0)
		tm->threads = omp_get_max_threads();
#else
	tm->threads = 1;
#endif
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		tm->max_rss_kib = ru.ru_maxrss;
}

/* What the report shows. */
static void
fill_report(const struct run_options *ro, struct run_state *st, struct report_info *ri)
{
	const struct fit_options *fo = &ro->fo;

	memset(ri, 0, sizeof *ri);
	init_display(st->init_shown, sizeof st->init_shown, ro->init_model_path, fo, st->ds.d);
	ri->source = ro->display;
	ri->ds = &st->ds;
	ri->fr = &st->fr;
	ri->init = st->init_shown;
	ri->n_init = fo->n_init;
	ri->tol = fo->em.tol;
	ri->max_iter = fo->em.max_iter;
	ri->accel = fo->em.accel == EM_ACCEL_SQUAREM ? "squarem" : "none";
	ri->reg = st->reg;
	ri->ks = st->ks_distance;
	ri->figure_note = st->figure_note;
	ri->digits = (int)ro->digits;
	ri->boot = ro->boot_b > 0 ? &st->boot : NULL;
	ri->lrt = ro->lrt_b > 0 ? &st->lrt : NULL;
	ri->prior = ro->fo.em.prior;
	ri->round = st->round;
	ri->round_auto = ro->rounding_auto;
	ri->seed = ro->fo.seed;
	ri->timing = ro->timing ? &st->tm : NULL;
}

/*
 * --report FILE and --depfile: the last files of the list (the depfile
 * lists all the others); then no output may be an input or another
 * output.  Failures printed.
 */
static int
write_report_and_depfile(const struct run_options *ro, struct run_state *st,
			 const struct report_info *ri)
{
	int rc = GM_OK;

	/* --report: one more output of the list, so in the depfile and all or nothing. */
	if (ro->report_path != NULL) {
		FILE *rf;
		rc = outputs_open(&st->pf, ro->report_path, &rf, &st->err);
		if (rc == GM_OK && (rc = report_write(rf, ro->format, ri)) != GM_OK)
			return rc;	/* printed */
		if (rc == GM_OK)
			rc = outfile_close(&st->pf.of[st->pf.n - 1], &st->err);
	}
	if (rc == GM_OK && ro->depfile != NULL)
		rc = outputs_depfile(&st->dep, ro->depfile, &st->pf, ro->path, &st->err);
	/* The depfile goes in the list with the rest, all or none. */
	if (rc == GM_OK && ro->depfile != NULL && (rc = outputs_push(&st->pf, &st->dep, &st->err)) == GM_OK)
		memset(&st->dep, 0, sizeof st->dep);
	/* No output may be an input or another output. */
	if (rc == GM_OK)
		rc = outputs_check_files(&st->pf, ro->inputs, 3, &st->err);
	if (ro->depfile != NULL)
		outfile_discard(&st->dep);
	if (rc != GM_OK)
		gm_error_print(&st->err, PROG, stderr);
	return rc;
}

int
stage_outputs(struct run_options *ro, struct run_state *st)
{
	double t_mark = clock_seconds();
	struct report_info ri;
	int rc;

	if ((rc = write_files(ro, st)) != GM_OK)
		return rc;
	fill_timing(ro, st, clock_seconds() - t_mark);
	fill_report(ro, st, &ri);
	if ((rc = write_report_and_depfile(ro, st, &ri)) != GM_OK)
		return rc;
	if (!ro->quiet && ro->report_path == NULL && (rc = report_write(stdout, ro->format, &ri)) != GM_OK)
		return rc;
	/*
	 * The report is an output too: written and checked before the files
	 * go in place, so a failed report leaves the earlier files alone.
	 */
	rc = close_stdout();
	if (rc == GM_OK && (rc = outfile_commit_all(st->pf.of, st->pf.n, &st->err)) != GM_OK)
		gm_error_print(&st->err, PROG, stderr);
	return rc;
}
