/*
 * gmmfit.c - the command line: options, the stages in order, exit codes.
 *
 * It owns no maths: it reads the data (csvread), fits (fit), and hands
 * the result to the writers (report, plot).  Every failure arrives here
 * as a struct gm_error, is printed in GNU form, and becomes the exit
 * status documented in gmmfit(1).
 */
#include <config.h>

#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "clock.h"
#include "cli.h"
#include "csvread.h"
#include "dataset.h"
#include "error.h"
#include "bootstrap.h"
#include "commands.h"
#include "fit.h"
#include "gof.h"
#include "model.h"
#include "empar.h"
#include "par.h"
#include "predict.h"
#include "init.h"
#include "meansfile.h"
#include "optval.h"
#include "outfile.h"
#include "outputs.h"
#include "plot.h"
#include "report.h"
#include "suggest.h"
#include "threads.h"

#define MAX_K MODEL_MAX_K	/* 1000, the same limit as for model files */
/* The limits of the other integer options, as gmmfit(1) states them. */
#define MAX_ITER 1000000000	/* 10^9 passes: no fit is waited for that long */
#define MAX_N_INIT 1000000	/* each start is kept in the search's list */
#define MAX_THREADS 4096
#define MAX_BOOTSTRAP 1000000

/* The ranges of the numeric options (optval.h says why these bounds). */
static const struct ov_range tol_range = { 0.0, DBL_MAX, 0, "a non-negative number" };
static const struct ov_range reg_range = { 0.0, OV_REG_MAX, 0, "a number from 0 to 1e300" };
static const struct ov_range mean_range = {
	-OV_MEAN_MAX, OV_MEAN_MAX, 0, "a number from -1e150 to 1e150"
};
static const struct ov_range sd_range = { OV_SD_MIN, OV_SD_MAX, 0, "a number from 1e-150 to 1e150" };
static const struct ov_range weight_range = { 0.0, DBL_MAX, 1, "a positive number" };

enum {
	OPT_MAX_ITER = 256, OPT_TOL, OPT_INIT, OPT_MEANS, OPT_SDS, OPT_WEIGHTS_INIT,
	OPT_N_INIT, OPT_SEED, OPT_REG, OPT_FORMAT, OPT_TERMINAL, OPT_BINS,
	OPT_COVARIANCE, OPT_THREADS, OPT_HELP, OPT_VERSION, OPT_NO_HEADER,
	OPT_NA, OPT_NA_ACTION, OPT_WEIGHTS, OPT_QUOTE, OPT_DECIMAL_COMMA,
	OPT_ALLOW_RAGGED, OPT_ACCEL, OPT_SIZE, OPT_FONT, OPT_TITLE, OPT_XLABEL,
	OPT_YLABEL, OPT_PLOT_COLUMNS, OPT_DIGITS, OPT_DEPFILE, OPT_SAVE_MODEL,
	OPT_FIX, OPT_LABELS, OPT_BOOTSTRAP, OPT_BOOTSTRAP_TYPE, OPT_TIMING, OPT_SHARD,
	OPT_CRITERION, OPT_REPORT
};

static const struct option long_options[] = {
	{ "column", required_argument, NULL, 'c' },
	{ "columns", required_argument, NULL, 'c' },
	{ "components", required_argument, NULL, 'k' },
	{ "covariance", required_argument, NULL, OPT_COVARIANCE },
	{ "criterion", required_argument, NULL, OPT_CRITERION },
	{ "max-iter", required_argument, NULL, OPT_MAX_ITER },
	{ "tol", required_argument, NULL, OPT_TOL },
	{ "init", required_argument, NULL, OPT_INIT },
	{ "means", required_argument, NULL, OPT_MEANS },
	{ "sds", required_argument, NULL, OPT_SDS },
	{ "weights-init", required_argument, NULL, OPT_WEIGHTS_INIT },
	{ "n-init", required_argument, NULL, OPT_N_INIT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "reg", required_argument, NULL, OPT_REG },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "quote", required_argument, NULL, OPT_QUOTE },
	{ "decimal-comma", no_argument, NULL, OPT_DECIMAL_COMMA },
	{ "no-header", no_argument, NULL, OPT_NO_HEADER },
	{ "na", required_argument, NULL, OPT_NA },
	{ "na-action", required_argument, NULL, OPT_NA_ACTION },
	{ "allow-ragged", no_argument, NULL, OPT_ALLOW_RAGGED },
	{ "weights", required_argument, NULL, OPT_WEIGHTS },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "terminal", required_argument, NULL, OPT_TERMINAL },
	{ "bins", required_argument, NULL, OPT_BINS },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "font", required_argument, NULL, OPT_FONT },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "xlabel", required_argument, NULL, OPT_XLABEL },
	{ "ylabel", required_argument, NULL, OPT_YLABEL },
	{ "plot-columns", required_argument, NULL, OPT_PLOT_COLUMNS },
	{ "digits", required_argument, NULL, OPT_DIGITS },
	{ "depfile", required_argument, NULL, OPT_DEPFILE },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "save-model", required_argument, NULL, OPT_SAVE_MODEL },
	{ "fix", required_argument, NULL, OPT_FIX },
	{ "labels", required_argument, NULL, OPT_LABELS },
	{ "bootstrap", required_argument, NULL, OPT_BOOTSTRAP },
	{ "bootstrap-type", required_argument, NULL, OPT_BOOTSTRAP_TYPE },
	{ "timing", no_argument, NULL, OPT_TIMING },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const char short_options[] = "c:k:d:o:qv";

static void
usage(FILE *fp)
{
	fputs("Usage: " PROG " [OPTIONS] [FILE|-]\n"
"       " PROG " predict --model FILE [OPTIONS] [FILE|-]\n"
"       " PROG " sample --model FILE -n N [--seed S] [-o FILE]\n"
"Fit a Gaussian mixture by EM to numeric columns of a CSV file (stdin if FILE\n"
"is - or absent); print a report and, with -o, write a gnuplot figure.\n"
"\n"
"Data:\n"
"  -c, --column, --columns LIST  columns by name or 1-based number, ranges\n"
"                          (2-5) or 'all'; -NAME, -N or -A-B leave columns out\n"
"                          (of all when first) (default: first numeric column)\n"
"  -d, --delimiter C       field separator: a character, tab, or auto (the\n"
"                          default: ',', tab, ';' or '|', from the first lines)\n"
"      --quote C           quote character (default '\"')\n"
"      --decimal-comma     numbers use ',' as the decimal point (';' separated)\n"
"      --no-header         the first row is data; columns are named 1, 2, ..\n"
"      --na STR            another missing-value token (repeatable)\n"
"      --na-action skip|error  skip rows with a missing value (default) or stop\n"
"      --allow-ragged      accept rows with more or fewer fields than the header\n"
"      --weights COLUMN    non-negative frequency weight of each row\n"
"\n"
"Model:\n"
"  -k, --components K      components, or a list/range (1-9) chosen by\n"
"                          --criterion (default 2)\n"
"      --covariance TYPE   full, diag, spherical, tied, or all (default full)\n"
"      --criterion C       bic (default) or icl: the lowest chooses among the\n"
"                          models of a range of K or of structures\n"
"      --reg X             added to each variance (default: 1e-6 times the\n"
"                          column's variance)\n"
"\n"
"Iterations:\n"
"      --max-iter N        at most N EM iterations (default 1000)\n"
"      --tol X             stop when the mean log-likelihood per row changes by\n"
"                          less than X (default 1e-10; 0: run --max-iter)\n"
"      --accel A           squarem (default: extrapolated EM, never below a\n"
"                          plain step's likelihood) or none (plain EM)\n"
"      --threads N         threads for the EM pass (default: all cores)\n"
"      --shard PATTERN     under mpirun, each process reads its own file: PATTERN\n"
"                          with %d replaced by its rank (0, 1, ..)\n"
"\n"
"Starting point:\n"
"      --init METHOD       quantile, kmeans, kmeans++, random, random-rows,\n"
"                          given, or model:FILE (a saved model: warm start)\n"
"                          (default: quantile for one column, else kmeans)\n"
"      --fix LIST          keep weights, means and/or covariances at the start's\n"
"                          values (comma-separated; needs a given or model start)\n"
"      --means LIST|FILE   starting means, or a CSV of them (implies --init given)\n"
"      --sds LIST          starting sds, one per component\n"
"      --weights-init LIST starting weights, one per component\n"
"      --n-init N          starts per model, the best log-likelihood kept\n"
"                          (default: 1 for one column, 5 for several)\n"
"      --seed N            seed of the random generator (default 0)\n"
"\n"
"Output:\n"
"  -o, --output PREFIX     write the figure: PREFIX.gp and its data files\n"
"                          (and PREFIX-cdf.gp, PREFIX-bic.gp; see gmmfit(1))\n"
"      --terminal T        png, svg, pdf or cairolatex (default png)\n"
"      --size W,H          figure size: pixels (png, svg) or inches (pdf, cairolatex),\n"
"                          or with a unit: 3.3in,2.4in  8cm,6cm  345pt,240pt\n"
"      --font NAME,SIZE    figure font (default sans,10)\n"
"      --title TEXT        figure title (default: from the column names)\n"
"      --xlabel TEXT       x axis label (default: the column name)\n"
"      --ylabel TEXT       y axis label\n"
"      --plot-columns A,B  draw only this pair of the fitted columns\n"
"      --bins N            histogram bins (default: Freedman-Diaconis rule)\n"
"      --format F          report format: text, json, tsv or latex (default text)\n"
"      --digits N          significant digits in the LaTeX tables (default 4)\n"
"      --report FILE       write the report to FILE (in place only when the run\n"
"                          succeeds) instead of the standard output\n"
"      --depfile FILE      write a Makefile rule: the outputs depend on the input\n"
"      --save-model FILE   write the fitted model (JSON) for predict, sample, --init\n"
"      --labels FILE       write each row's label, responsibilities, log-density\n"
"                          and uncertainty (1 - the largest responsibility)\n"
"      --bootstrap B       B bootstrap refits: standard errors, 95% intervals\n"
"      --bootstrap-type T  nonparametric (default) or parametric\n"
"  -q, --quiet             do not print the report\n"
"  -v, --verbose           print each iteration's log-likelihood on stderr\n"
"      --timing            add read, start, EM and output seconds and peak memory\n"
"                          to the report (which then differs run to run)\n"
"      --help              show this help and exit\n"
"      --version           show the version and exit\n"
"\n"
"Exit status: 0 success, 1 internal error, 2 usage error, 3 input data error,\n"
"4 numerical failure, 5 output error.  See gmmfit(1).\n", fp);
}

/* Progress on stderr: every iteration with --verbose, else on a terminal only, twice a second. */
struct progress {
	int verbose, tty;
	double last;
	int shown;
};

static void
on_progress(void *arg, size_t iter, double mean_ll, double change)
{
	struct progress *p = arg;
	double t;

	if (p->verbose) {
		fprintf(stderr, PROG ": iteration %zu: mean log-likelihood %.12g, change %.3g\n",
			iter, mean_ll, change);
		return;
	}
	if (!p->tty)
		return;
	t = clock_seconds();
	if (t - p->last < 0.5)
		return;
	p->last = t;
	p->shown = 1;
	fprintf(stderr, "\r" PROG ": iteration %zu, mean log-likelihood %.10g, change %.2e   ",
		iter, mean_ll, change);
}

/* An option value with a control character, which would end a line of a script. */
static int
control_error(const char *opt, const char *value)
{
	char shown[128], fmt[160];

	gm_escape(value, shown, sizeof shown);
	snprintf(fmt, sizeof fmt, "%s: '%%s' holds a control character, which the "
		 "figure's scripts cannot hold", opt);
	return usage_error(fmt, shown);
}

/* Whether a --size value gives a unit (a side ending in a letter: 3.3in, 8cm), not bare numbers. */
static int
size_has_unit(const char *s)
{
	const char *comma = strchr(s, ',');
	size_t n = strlen(s);

	return (n > 0 && s[n - 1] >= 'a' && s[n - 1] <= 'z') ||
	       (comma != NULL && comma > s && comma[-1] >= 'a' && comma[-1] <= 'z');
}

/* Resolve --plot-columns A,B among the fitted columns (name or file column number). */
static int
find_pair(const struct dataset *ds, const char *spec, long pair[2])
{
	char *copy = strdup(spec), *comma;
	const char *tok[2];

	if (copy == NULL)
		return oom_error();
	comma = strchr(copy, ',');
	if (comma == NULL || strchr(comma + 1, ',') != NULL) {
		free(copy);
		return usage_error("--plot-columns needs two columns A,B, not '%s'", spec);
	}
	*comma = '\0';
	tok[0] = copy;
	tok[1] = comma + 1;
	for (int t = 0; t < 2; t++) {
		pair[t] = -1;
		if (tok[t][0] == '\0') {
			free(copy);
			return usage_error(t == 0 ? "--plot-columns: element 1 of '%s' is empty"
					   : "--plot-columns: element 2 of '%s' is empty", spec);
		}
		/* An exact name first, then a column number (as -c does). */
		for (size_t c = 0; c < ds->d && pair[t] < 0; c++)
			if (strcmp(ds->names[c], tok[t]) == 0)
				pair[t] = (long)c;
		for (size_t c = 0; c < ds->d && pair[t] < 0; c++) {
			char num[32];
			snprintf(num, sizeof num, "%zu", ds->colno[c]);
			if (strcmp(num, tok[t]) == 0)
				pair[t] = (long)c;
		}
		if (pair[t] < 0) {
			const char *near = suggest_nearest(tok[t], (const char *const *)ds->names, ds->d);
			char msg[400], shown[160], nshown[160];
			int rc;
			gm_escape(tok[t], shown, sizeof shown);
			gm_escape(near != NULL ? near : "", nshown, sizeof nshown);
			snprintf(msg, sizeof msg, "--plot-columns: '%s' is not one of the fitted columns%s%s%s",
				 shown, near != NULL ? "; did you mean '" : "", nshown, near != NULL ? "'?" : "");
			rc = usage_error("%s", msg);
			free(copy);
			return rc;
		}
	}
	free(copy);
	if (pair[0] == pair[1])
		return usage_error("--plot-columns needs two different columns, not '%s'", spec);
	return GM_OK;
}

/* --criterion bic|icl. */
static int
parse_criterion(const char *s, enum fit_criterion *c)
{
	if (strcmp(s, "bic") == 0)
		*c = FIT_BIC;
	else if (strcmp(s, "icl") == 0)
		*c = FIT_ICL;
	else
		return -1;
	return 0;
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

static int run(int argc, char **argv);

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
	if (r != 0 && !ferror(fp)) {
		fprintf(stderr, PROG ": out of memory\n");
		return GM_EINTERNAL;
	}
	return GM_OK;
}

/*
 * EM's message on a collapsed component names the fault (EM_COLLAPSED);
 * the advice on the options is the command line's, added to msg (size
 * bytes) as the message itself would have been cut.
 */
static void
collapse_advice(char *msg, size_t size)
{
	static const char tail[] = "(" EM_COLLAPSED ")";
	size_t len = strlen(msg);

	if (len >= sizeof tail - 1 && strcmp(msg + len - (sizeof tail - 1), tail) == 0)
		snprintf(msg + len, size - len, "%s",
			 "; use a larger --reg, fewer components, or drop a column with no spread");
}

int
main(int argc, char **argv)
{
	struct gm_error perr;

	/*
	 * Past a file-size limit (ulimit -f) a write fails with EFBIG, an
	 * output error whose temporaries are removed, instead of SIGXFSZ
	 * killing the run and leaving them.
	 */
	signal(SIGXFSZ, SIG_IGN);
	gm_error_clear(&perr);
	if (par_init(&argc, &argv, &perr) != GM_OK) {
		if (perr.status != GM_OK)
			fprintf(stderr, PROG ": %s: run it alone, or build it with ./configure --with-mpi\n",
				perr.msg);
		return perr.status != GM_OK ? perr.status : GM_EUSAGE;
	}
#ifdef _OPENMP
	if (par_threads() > 0 && getenv("OMP_NUM_THREADS") == NULL)
		omp_set_num_threads(par_threads());	/* a node's cores shared by its processes */
#endif
	if (par_size() > 1 && argc > 1 &&
	    (strcmp(argv[1], "predict") == 0 || strcmp(argv[1], "sample") == 0))
		return par_finish(usage_error("'%s' runs as one process, not under mpirun", argv[1]));
	return par_finish(run(argc, argv));
}

static int
run(int argc, char **argv)
{
	struct csv_options co;
	struct fit_options fo;
	struct plot_options po;
	struct dataset ds;
	struct fit_result fr;
	struct gm_error err;
	struct plot_files pf = { NULL, 0, 0 };
	struct outfile dep;
	const char *plot_columns = NULL, *depfile = NULL, *save_model = NULL, *report_path = NULL;
	const char *labels_path = NULL, *init_model_path = NULL, *shard = NULL;
	const char *means_path = NULL, *size_arg = NULL;
	const char *inputs[3];
	char shard_path[4096];
	struct model start = { NULL, NULL };
	char *model_source = NULL;
	size_t boot_b = 0;
	int boot_parametric = 0, k_set = 0, cov_set = 0, n_init_set = 0;
	struct boot_result boot;
	struct report_timing tm;
	char init_shown[4200];
	struct report_info ri;
	int timing_on = 0;
	double t_mark;
	char *figure_note = NULL;
	size_t digits = 4;
	struct progress prog = { 0, 0, 0.0, 0 };
	size_t *ks = NULL, nks = 0, n_means = 0, n_sds = 0, n_wi = 0, nna = 0;
	double *means = NULL, *sds = NULL, *winit = NULL, *reg = NULL, reg_abs = -1.0;
	const char **na = NULL;
	const char *path = "-", *display, *format = "text", *ks_arg = "2", *cov_arg = "full";
	enum gmm_cov covs[4];
	int init_set = 0, quiet = 0, rc = GM_OK, c;
	double ks_distance = -1.0;

	if (argc > 1 && strcmp(argv[1], "predict") == 0)
		return cmd_predict(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "sample") == 0)
		return cmd_sample(argc - 1, argv + 1);
	if (argc > 1 && argv[1][0] != '-' && access(argv[1], F_OK) != 0) {
		/* No such file, but nearly a subcommand's name: a typo ("predcit"). */
		static const char *const commands[] = { "predict", "sample" };
		const char *near = suggest_nearest(argv[1], commands, 2);
		if (near != NULL) {
			char shown[160], fmt[200];
			gm_escape(argv[1], shown, sizeof shown);
			snprintf(fmt, sizeof fmt, "no file or command '%%s'; did you mean '%s'?", near);
			return usage_error(fmt, shown);
		}
	}
	memset(&boot, 0, sizeof boot);
	memset(&dep, 0, sizeof dep);
	memset(&co, 0, sizeof co);
	co.delimiter_auto = 1;	/* -d auto unless a delimiter is given */
	memset(&fo, 0, sizeof fo);
	memset(&po, 0, sizeof po);
	po.pair[0] = po.pair[1] = -1;
	memset(&ds, 0, sizeof ds);
	memset(&fr, 0, sizeof fr);
	gm_error_clear(&err);
	fo.n_init = 0;		/* by the number of columns, once known */
	fo.em.max_iter = 1000;
	fo.em.tol = 1e-10;
	fo.em.accel = EM_ACCEL_SQUAREM;
	fo.init = INIT_QUANTILE;

	opterr = 0;	/* getopt's messages take two lines; bad_option says it in one */
	while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			co.columns = optarg;
			break;
		case 'k':
			ks_arg = optarg;
			k_set = 1;
			break;
		case 'd':
			if ((rc = parse_delimiter(optarg, &co.delimiter, &co.delimiter_auto)) != GM_OK)
				goto out;
			break;
		case OPT_QUOTE:
			if (strlen(optarg) != 1)
				{ rc = usage_error("--quote takes one character, not '%s'", optarg); goto out; }
			co.quote = optarg[0];
			break;
		case OPT_DECIMAL_COMMA:
			co.decimal = ',';
			break;
		case OPT_NO_HEADER:
			co.no_header = 1;
			break;
		case OPT_NA: {
			const char **nn = realloc(na, (nna + 1) * sizeof *na);
			if (nn == NULL)
				{ rc = oom_error(); goto out; }
			na = nn;
			na[nna++] = optarg;
			break;
		}
		case OPT_NA_ACTION:
			if (strcmp(optarg, "skip") == 0)
				co.na_error = 0;
			else if (strcmp(optarg, "error") == 0)
				co.na_error = 1;
			else
				{ rc = usage_error("--na-action is skip or error, not '%s'", optarg); goto out; }
			break;
		case OPT_ALLOW_RAGGED:
			co.allow_ragged = 1;
			break;
		case OPT_WEIGHTS:
			co.weights = optarg;
			break;
		case OPT_COVARIANCE:
			cov_arg = optarg;
			cov_set = 1;
			break;
		case OPT_CRITERION:
			if (parse_criterion(optarg, &fo.criterion))
				{ rc = usage_error("--criterion is bic or icl, not '%s'", optarg); goto out; }
			break;
		case OPT_MAX_ITER:
			if (ov_size("--max-iter", optarg, 0, MAX_ITER, &fo.em.max_iter, &err) != GM_OK)
				goto bad_value;
			break;
		case OPT_TOL:
			if (ov_number("--tol", optarg, &tol_range, &fo.em.tol, &err) != GM_OK)
				goto bad_value;
			break;
		case OPT_INIT:
			if (strncmp(optarg, "model:", 6) == 0 && optarg[6] != '\0') {
				init_model_path = optarg + 6;
				fo.init = INIT_GIVEN;
				init_set = 1;
				break;
			}
			if (init_parse(optarg, &fo.init))
				{ rc = usage_error("--init is quantile, kmeans, kmeans++, random, random-rows or given, not '%s'", optarg); goto out; }
			init_set = 1;
			break;
		case OPT_MEANS:
			free(means);
			means = NULL;
			means_path = NULL;
			if (ov_is_file(optarg))
				means_path = optarg;
			else if (ov_list("--means", optarg, &mean_range, &means, &n_means, &err) != GM_OK)
				goto bad_value;
			break;
		case OPT_SDS:
			free(sds);
			sds = NULL;
			if (ov_list("--sds", optarg, &sd_range, &sds, &n_sds, &err) != GM_OK)
				goto bad_value;
			break;
		case OPT_WEIGHTS_INIT:
			free(winit);
			winit = NULL;
			if (ov_list("--weights-init", optarg, &weight_range, &winit, &n_wi, &err) != GM_OK)
				goto bad_value;
			break;
		case OPT_N_INIT:
			if (ov_size("--n-init", optarg, 1, MAX_N_INIT, &fo.n_init, &err) != GM_OK)
				goto bad_value;
			n_init_set = 1;
			break;
		case OPT_SEED: {
			uint64_t seed;
			if (ov_u64("--seed", optarg, &seed, &err) != GM_OK)
				goto bad_value;
			fo.seed = seed;
			break;
		}
		case OPT_REG:
			if (ov_number("--reg", optarg, &reg_range, &reg_abs, &err) != GM_OK)
				goto bad_value;
			break;
		case OPT_ACCEL:
			if (strcmp(optarg, "none") == 0)
				fo.em.accel = EM_ACCEL_NONE;
			else if (strcmp(optarg, "squarem") == 0)
				fo.em.accel = EM_ACCEL_SQUAREM;
			else
				{ rc = usage_error("--accel is squarem or none, not '%s'", optarg); goto out; }
			break;
		case OPT_THREADS: {
			size_t t;
			if (ov_size("--threads", optarg, 1, MAX_THREADS, &t, &err) != GM_OK)
				goto bad_value;
			fo.em.threads = (int)t;
			co.threads = (int)t;
#ifdef _OPENMP
			omp_set_num_threads((int)t);	/* and the outputs' sort */
#endif
			break;
		}
		case 'o':
			if (gm_has_control(optarg))
				{ rc = control_error("-o", optarg); goto out; }
			po.prefix = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "tsv") != 0 && strcmp(optarg, "latex") != 0)
				{ rc = usage_error("--format is text, json, tsv or latex, not '%s'", optarg); goto out; }
			format = optarg;
			break;
		case OPT_TERMINAL:
			if (plot_terminal_parse(optarg, &po.terminal))
				{ rc = usage_error("--terminal is png, svg, pdf or cairolatex, not '%s'", optarg); goto out; }
			break;
		case OPT_BINS:
			if (ov_size("--bins", optarg, 1, PLOT_MAX_BINS, &po.bins, &err) != GM_OK)
				goto bad_value;
			break;
		case OPT_SIZE:
			size_arg = optarg;	/* checked once --terminal is known */
			break;
		case OPT_FONT:
			if (gm_has_control(optarg))
				{ rc = control_error("--font", optarg); goto out; }
			if (ov_font(optarg, &err) != GM_OK)
				goto bad_value;
			po.font = optarg;
			break;
		case OPT_TITLE:
			po.title = optarg;
			break;
		case OPT_XLABEL:
			po.xlabel = optarg;
			break;
		case OPT_YLABEL:
			po.ylabel = optarg;
			break;
		case OPT_PLOT_COLUMNS:
			plot_columns = optarg;
			break;
		case OPT_DIGITS:
			if (ov_size("--digits", optarg, 1, 17, &digits, &err) != GM_OK)
				goto bad_value;
			break;
		case OPT_SAVE_MODEL:
			save_model = optarg;
			break;
		case OPT_LABELS:
			labels_path = optarg;
			break;
		case OPT_FIX:
			if (ov_fix(optarg, &fo.em.fix, &err) != GM_OK)
				goto bad_value;
			break;
		case OPT_BOOTSTRAP:
			if (ov_size("--bootstrap", optarg, 2, MAX_BOOTSTRAP, &boot_b, &err) != GM_OK)
				goto bad_value;
			break;
		case OPT_BOOTSTRAP_TYPE:
			if (strcmp(optarg, "nonparametric") == 0)
				boot_parametric = 0;
			else if (strcmp(optarg, "parametric") == 0)
				boot_parametric = 1;
			else
				{ rc = usage_error("--bootstrap-type is nonparametric or parametric, not '%s'", optarg); goto out; }
			break;
		case OPT_TIMING:
			timing_on = 1;
			break;
		case OPT_DEPFILE:
			depfile = optarg;
			break;
		case OPT_REPORT:
			report_path = optarg;
			break;
		case OPT_SHARD:
			shard = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			prog.verbose = 1;
			break;
		case OPT_HELP:
			usage(stdout);
			rc = close_stdout();
			goto out;
		case OPT_VERSION:
			printf(PROG " " PACKAGE_VERSION "\n"
			       "Fits Gaussian mixtures by EM; writes reports and gnuplot figures.\n"
			       "This is free software: you are free to change and redistribute it.\n"
			       "There is NO WARRANTY, to the extent permitted by law.\n");
			rc = close_stdout();
			goto out;
		default:
			rc = option_error(argv, long_options, short_options);
			goto out;
		}
	}
	if (optind + 1 < argc)
		{ rc = usage_error("one input file at most; extra operand '%s'", argv[optind + 1]); goto out; }
	if (optind < argc)
		path = argv[optind];
	if (shard != NULL) {
		if (optind < argc)
			{ rc = usage_error("%s", "--shard names the input files: give no FILE"); goto out; }
		if (par_shard_path(shard, par_rank(), shard_path, sizeof shard_path) != 0)
			{ rc = usage_error("--shard PATTERN holds %%d, replaced by the process's rank: not '%s'", shard); goto out; }
		path = shard_path;
	}
	display = shard != NULL ? shard : strcmp(path, "-") == 0 ? "<stdin>" : path;
	if (par_size() > 1) {
		/* What needs all rows in one process, or one stream, runs alone. */
		if (strcmp(path, "-") == 0)
			{ rc = usage_error("%s", "standard input is read by one process: give a file, or run without mpirun"); goto out; }
		if (labels_path != NULL)
			{ rc = usage_error("%s", "--labels runs as one process: run without mpirun"); goto out; }
		if (boot_b > 0)
			{ rc = usage_error("%s", "--bootstrap runs as one process: run without mpirun"); goto out; }
		co.share = shard == NULL ? par_team() : NULL;
	}
	if (co.decimal == ',' && co.delimiter == 0)
		co.delimiter = ';';
	if (co.decimal == ',' && co.delimiter == ',')
		{ rc = usage_error("%s", "--decimal-comma needs a delimiter other than ','"); goto out; }
	co.na = na;
	co.n_na = nna;
	inputs[0] = path;
	inputs[1] = init_model_path;
	inputs[2] = means_path;
	{
		/* The outputs named on the command line, before anything is read. */
		const char *named[4] = { labels_path, save_model, depfile, report_path };
		if (depfile != NULL && po.prefix == NULL && report_path == NULL &&
		    save_model == NULL && labels_path == NULL)
			{ rc = usage_error("%s", "--depfile needs a file to list: -o, --report, "
					   "--save-model or --labels"); goto out; }
		if ((rc = outputs_check(named, 4, inputs, 3, &err)) != GM_OK) {
			gm_error_print(&err, PROG, stderr);
			goto out;
		}
	}

	if (ov_ks(ks_arg, MAX_K, &ks, &nks, &err) != GM_OK)
		goto bad_value;
	if (means_path != NULL && (rc = means_file_check(means_path, &err)) != GM_OK) {
		gm_error_print(&err, PROG, stderr);
		goto out;
	}
	/* Bare numbers: pixels or inches by the terminal, in its range; or both with a unit. */
	if (size_arg != NULL && size_has_unit(size_arg)) {
		if (plot_size_parse(size_arg, &po))
			{ rc = usage_error("--size needs W,H: two positive numbers, both bare or both "
					   "with a unit in, cm, mm, pt or bp (3.3in,2.4in), not '%s'", size_arg); goto out; }
	} else if (size_arg != NULL &&
	    ov_figure_size(size_arg, po.terminal == PLOT_PDF || po.terminal == PLOT_CAIROLATEX,
			   &po.width, &po.height, &err) != GM_OK)
		goto bad_value;
	if (strcmp(cov_arg, "all") == 0) {
		for (int i = 0; i < 4; i++)
			covs[i] = (enum gmm_cov)i;
		fo.ncov = 4;
	} else if (gmm_cov_parse(cov_arg, &covs[0]) == 0) {
		fo.ncov = 1;
	} else {
		{ rc = usage_error("--covariance is full, diag, spherical, tied or all, not '%s'", cov_arg); goto out; }
	}
	if (init_model_path != NULL) {
		if (means != NULL || means_path != NULL || sds != NULL || winit != NULL)
			{ rc = usage_error("%s", "--init model:FILE and --means/--sds/--weights-init exclude each other"); goto out; }
		rc = model_load(init_model_path, &start, &err);
		rc = par_agree(rc, &err);	/* a process that cannot read it stops all */
		if (rc != GM_OK) {
			gm_error_print(&err, PROG, stderr);
			goto out;
		}
		if (k_set && (nks != 1 || ks[0] != start.g->k)) {
			char msg[64];
			snprintf(msg, sizeof msg, "%zu", start.g->k);
			{ rc = usage_error("the start model has K = %s; drop -k or give that K", msg); goto out; }
		}
		if (cov_set && (fo.ncov != 1 || covs[0] != start.g->cov_type)) {
			const char *t = gmm_cov_name(start.g->cov_type);
			{ rc = usage_error("the start model has %s covariances; drop --covariance or give that", t); goto out; }
		}
		ks[0] = start.g->k;
		nks = 1;
		covs[0] = start.g->cov_type;
		fo.ncov = 1;
		fo.given.model = start.g;
		/*
		 * The model's columns, matched by exact name, unless the user
		 * chose others of the same number.
		 */
		if (co.columns == NULL) {
			if ((model_source = malloc(strlen(init_model_path) + sizeof "the model ")) == NULL)
				{ rc = oom_error(); goto out; }
			strcpy(model_source, "the model ");
			strcat(model_source, init_model_path);
			co.names = (const char *const *)start.columns;
			co.n_names = start.g->d;
			co.names_source = model_source;
		}
	}
	if (fo.em.fix != 0) {
		if (init_model_path == NULL && means == NULL && means_path == NULL) {
			rc = usage_error("%s", "--fix needs the values to keep: --init model:FILE or --means");
			goto out;
		}
		if (n_init_set && fo.n_init > 1) {
			rc = usage_error("%s", "--fix keeps one start's values: it cannot go with --n-init > 1");
			goto out;
		}
		fo.n_init = 1;
	}
	co.keep_lines = labels_path != NULL;
	if (means != NULL || means_path != NULL || sds != NULL || winit != NULL) {
		if (init_set && fo.init != INIT_GIVEN)
			{ rc = usage_error("%s", "--means, --sds and --weights-init go with --init given"); goto out; }
		if (means == NULL && means_path == NULL)
			{ rc = usage_error("%s", "--sds and --weights-init need --means"); goto out; }
		fo.init = INIT_GIVEN;
		init_set = 1;
		if (nks != 1)
			{ rc = usage_error("%s", "a given start needs a single K"); goto out; }
	} else if (init_set && fo.init == INIT_GIVEN && init_model_path == NULL) {
		{ rc = usage_error("%s", "--init given needs --means"); goto out; }
	}

#ifdef _OPENMP
	{
		/*
		 * The threads that can start now (an address-space limit may
		 * leave room for fewer stacks): the results are the same with
		 * any number, so fewer is no error.
		 */
		int want = fo.em.threads > 0 ? fo.em.threads : omp_get_max_threads();
		int can = threads_usable(want);
		if (can < want) {
			fo.em.threads = co.threads = can;
			omp_set_num_threads(can);
		}
	}
#endif

	/*
	 * Stage 1: the data.  Someone at a terminal who gave no file may not
	 * see that the program waits for them: say so, on the terminal only.
	 */
	if (strcmp(path, "-") == 0 && isatty(STDIN_FILENO) && isatty(STDERR_FILENO))
		fputs(PROG ": reading standard input (end with Ctrl-D)\n", stderr);
	memset(&tm, 0, sizeof tm);
	memset(&ri, 0, sizeof ri);
	t_mark = clock_seconds();
	rc = csv_read(path, &co, &ds, &err);
	if (par_size() > 1) {
		/* Every process takes part in each step, failed or not: no one waits alone. */
		rc = par_agree(rc, &err);
		if (shard != NULL && rc == GM_OK)
			rc = par_agree(shard_check(&ds, shard_path, &err), &err);
		if (rc == GM_OK)
			rc = par_distribute(&ds, &err);
		if (rc == GM_OK)
			rc = empar_attach(&ds, &err);
		if (rc == GM_OK && par_rank() != 0) {
			/* The other processes serve rank 0, which does the rest. */
			rc = par_serve(&ds, fo.em.threads);
			goto out;
		}
	}
	tm.read = clock_seconds() - t_mark;
	if (rc != GM_OK) {
		if (err.file != NULL && strcmp(err.file, "-") == 0)
			err.file = "<stdin>";
		gm_error_print(&err, PROG, stderr);
		goto out;
	}
	/*
	 * Without --init (or a given start) the search mixes its methods and
	 * screens FIT_DEFAULT_STARTS starts; a forced method keeps its old
	 * default: one start on one column, 5 on several.
	 */
	fo.init_forced = init_set || fo.init == INIT_GIVEN;
	if (fo.n_init == 0) {
		fo.n_init = !fo.init_forced ? fit_default_starts(ds.n) : ds.d == 1 ? 1 : 5;
		fo.n_init_max = !fo.init_forced ? fit_max_starts(ds.n, fo.n_init) : 0;
	}
	if (fo.init_forced && fo.init == INIT_QUANTILE && ds.d != 1) {
		rc = usage_error("%s", "--init quantile works on one column; use kmeans");
		goto out;
	}
	if (start.g != NULL && start.g->d != ds.d) {
		char msg[128];
		snprintf(msg, sizeof msg, "%zu column%s, the data selection %zu", start.g->d,
			 start.g->d == 1 ? "" : "s", ds.d);
		rc = usage_error("the start model has %s", msg);
		goto out;
	}
	if (means_path != NULL) {
		/* The file's header names the fitted columns: read once they are known. */
		struct means_file_options mo = { co.delimiter, co.quote, co.decimal, MAX_K, OV_MEAN_MAX };
		size_t kf = 0;
		if ((rc = means_file_read(means_path, ds.names, ds.d, &mo, &means, &kf, &err)) != GM_OK) {
			gm_error_print(&err, PROG, stderr);
			goto out;
		}
		if (k_set && ks[0] != kf) {
			char msg[160];
			snprintf(msg, sizeof msg, "%zu row%s of means (one per component), -k %zu",
				 kf, kf == 1 ? "" : "s", ks[0]);
			rc = usage_error("--means FILE has %s: drop -k or give that K", msg);
			goto out;
		}
		ks[0] = kf;
		n_means = kf * ds.d;
	}
	if (fo.init == INIT_GIVEN && start.g == NULL) {
		if (n_means != ks[0] * ds.d) {
			char msg[128];
			snprintf(msg, sizeof msg, "%zu (K = %zu times %zu column%s)", ks[0] * ds.d,
				 ks[0], ds.d, ds.d == 1 ? "" : "s");
			rc = usage_error("--means needs %s values", msg);
			goto out;
		}
		if ((sds && n_sds != ks[0]) || (winit && n_wi != ks[0])) {
			rc = usage_error("%s", "--sds and --weights-init need one value per component");
			goto out;
		}
	}
	if (nks == 1 && ks[0] > ds.n) {
		char msg[160];
		snprintf(msg, sizeof msg, "K = %zu is more than the %zu rows of data", ks[0], ds.n);
		rc = usage_error("%s", msg);
		goto out;
	}

	/* The regulariser: absolute when given, else scaled to each column. */
	reg = calloc(ds.d, sizeof *reg);
	if (reg == NULL) {
		rc = oom_error();
		goto out;
	}
	if (ds.w != NULL && !(dataset_total_weight(&ds) <= DBL_MAX)) {
		gm_error_set(&err, GM_EDATA, display, 0, 0,
			     "the weights (column \"%s\") add up to more than the largest double; "
			     "scale them down", ds.weight_name);
		rc = GM_EDATA;
		gm_error_print(&err, PROG, stderr);
		goto out;
	}
	for (size_t j = 0; j < ds.d; j++) {
		double m, v, lo, hi;
		/*
		 * Squares of the values and of their spread must stay normal
		 * doubles: beyond 1e150, or with an sd below 1e-150, variances
		 * overflow or lose their digits.  Say so rather than fit wrongly.
		 */
		dataset_column_range(&ds, j, &lo, &hi);
		if (fmax(fabs(lo), fabs(hi)) > 1e150) {
			gm_error_set(&err, GM_EDATA, display, 0, (long)ds.colno[j],
				     "column \"%s\" has values up to %g: beyond 1e150 variances overflow; "
				     "rescale the column (other units)", ds.names[j], fmax(fabs(lo), fabs(hi)));
			rc = GM_EDATA;
			gm_error_print(&err, PROG, stderr);
			goto out;
		}
		if (ds.w != NULL) {
			/*
			 * With weights, the sums are the weights times the values
			 * and the squared deviations: the total weight W scales
			 * them.  W max|x| and W (hi - lo)^2 must stay below 1e306
			 * (a margin under the largest double, 1.8e308, for the
			 * steps that add such sums), and W (hi - lo)^2 above 1e-300
			 * (below it the squared deviations lose their digits).
			 */
			double wt = dataset_total_weight(&ds), big = fmax(fabs(lo), fabs(hi));
			double spread = hi - lo, s2 = wt * spread * spread;
			if (wt * big > 1e306 || s2 > 1e306) {
				gm_error_set(&err, GM_EDATA, display, 0, (long)ds.colno[j],
					     "column \"%s\" with the weights of column \"%s\": the weighted sums "
					     "overflow (values up to %g, total weight %g); scale the weights down "
					     "or rescale the column", ds.names[j], ds.weight_name, big, wt);
				rc = GM_EDATA;
				gm_error_print(&err, PROG, stderr);
				goto out;
			}
			if (hi > lo && !(s2 >= 1e-300)) {
				gm_error_set(&err, GM_EDATA, display, 0, (long)ds.colno[j],
					     "column \"%s\" with the weights of column \"%s\": the weighted sums "
					     "of squares underflow (a range of %g, total weight %g); scale the "
					     "weights up or rescale the column", ds.names[j], ds.weight_name,
					     spread, wt);
				rc = GM_EDATA;
				gm_error_print(&err, PROG, stderr);
				goto out;
			}
		}
		dataset_column_moments(&ds, j, &m, &v);
		if (hi > lo && !(v >= 1e-300)) {
			gm_error_set(&err, GM_EDATA, display, 0, (long)ds.colno[j],
				     "column \"%s\" has an sd of %g: below 1e-150 variances lose their digits; "
				     "rescale the column (other units)", ds.names[j], sqrt(v));
			rc = GM_EDATA;
			gm_error_print(&err, PROG, stderr);
			goto out;
		}
		if (reg_abs >= 0) {
			reg[j] = reg_abs;
		} else if (!(hi > lo)) {
			gm_error_set(&err, GM_EDATA, display, 0, (long)ds.colno[j],
				     "column \"%s\" has no spread (all %zu values are %g); "
				     "a mixture cannot be fitted to it (drop it, or give --reg X > 0)",
				     ds.names[j], ds.n, m);
			rc = GM_EDATA;
			gm_error_print(&err, PROG, stderr);
			goto out;
		} else {
			reg[j] = 1e-6 * v;
		}
	}

	/*
	 * In one column full, diag and spherical are one model, each
	 * component with its own variance (mclust's V), and tied is the
	 * other (E): fitted, tabled and drawn once each, under the names
	 * full and tied.
	 */
	if (ds.d == 1 && fo.ncov == 4) {
		covs[0] = GMM_FULL;
		covs[1] = GMM_TIED;
		fo.ncov = 2;
	}

	/* Stage 2: the fit. */
	fo.ks = ks;
	fo.nk = nks;
	fo.covs = covs;
	fo.given.means = means;
	fo.given.sds = sds;
	fo.given.weights = winit;
	fo.em.reg = reg;
	prog.tty = isatty(STDERR_FILENO);
	fo.em.progress = on_progress;
	fo.em.progress_arg = &prog;
	rc = fit_run(&ds, &fo, &fr, &err);
	for (size_t m = 0; m < fr.nmodels; m++)
		collapse_advice(fr.models[m].message, sizeof fr.models[m].message);
	collapse_advice(err.msg, sizeof err.msg);
	fr.criterion = fo.criterion;	/* the reports and the BIC figure say what chose */
	if (rc == GM_OK && fr.nmodels == 1 && fr.models[0].n_params >= ds.n)
		fprintf(stderr, "%s: warning: K = %zu, covariance %s has p = %zu free parameters "
			"for %zu rows: not identifiable, it would never be chosen from several; "
			"try fewer components or another --covariance\n", PROG, fr.models[0].k,
			gmm_cov_name(fr.models[0].cov), fr.models[0].n_params, ds.n);
	if (prog.shown)
		fputs("\r\033[K", stderr);
	if (rc != GM_OK) {
		gm_error_print(&err, PROG, stderr);
		goto out;
	}

	if (boot_b > 0) {
		struct boot_options bo;
		memset(&bo, 0, sizeof bo);
		bo.B = boot_b;
		bo.parametric = boot_parametric;
		bo.seed = fo.seed;
		bo.threads = fo.em.threads;
		bo.em = fo.em;
		bo.em.fix = 0;
		rc = bootstrap_run(&ds, fr.models[fr.chosen].g, &bo, &boot, &err);
		if (rc != GM_OK) {
			gm_error_print(&err, PROG, stderr);
			goto out;
		}
	}

	/* Stage 3: the outputs, all or nothing. */
	t_mark = clock_seconds();
	/* The labels need the rows in file order: before they are sorted. */
	if (labels_path != NULL &&
	    (rc = outputs_labels(&pf, labels_path, &ds, fr.models[fr.chosen].g, &err)) != GM_OK) {
		gm_error_print(&err, PROG, stderr);
		goto out;
	}
	if (ds.d == 1) {
		/* Nothing below depends on the rows' order; sorted, they need no copy. */
		dataset_sort(&ds);
		ks_distance = gof_ks(&ds, fr.models[fr.chosen].g);
	}
	if (po.prefix != NULL) {
		if (plot_columns != NULL && (rc = find_pair(&ds, plot_columns, po.pair)) != GM_OK)
			goto out;
		if (po.pair[0] < 0 && plot_one_pair_only(&ds)) {
			/* As long as the names need: a column name has no length limit. */
			size_t len = strlen(ds.names[0]) + strlen(ds.names[1]) + 128;
			if ((figure_note = malloc(len)) == NULL)
				{ rc = oom_error(); goto out; }
			snprintf(figure_note, len,
				 "columns %s and %s only (more than %d columns; choose the pair with --plot-columns)",
				 ds.names[0], ds.names[1], PLOT_MAX_PANEL_COLUMNS);
		}
		rc = plot_write(&po, &ds, &fr, &pf, &err);
	}
	if (rc == GM_OK && save_model != NULL) {
		FILE *mf;
		rc = outputs_open(&pf, save_model, &mf, &err);
		if (rc == GM_OK) {
			model_write(mf, fr.models[fr.chosen].g, ds.names);
			rc = outfile_close(&pf.of[pf.n - 1], &err);
		}
	}
	tm.output = clock_seconds() - t_mark;
	tm.start = fr.init_seconds;
	tm.em = fr.em_seconds;
	tm.iterations = fr.em_iterations;
	tm.threads = fo.em.threads;
	tm.processes = par_size();
#ifdef _OPENMP
	if (tm.threads == 0)
		tm.threads = omp_get_max_threads();
#else
	tm.threads = 1;
#endif
	{
		struct rusage ru;
		if (getrusage(RUSAGE_SELF, &ru) == 0)
			tm.max_rss_kib = ru.ru_maxrss;
	}
	init_display(init_shown, sizeof init_shown, init_model_path, &fo, ds.d);
	ri.source = display;
	ri.ds = &ds;
	ri.fr = &fr;
	ri.init = init_shown;
	ri.n_init = fo.n_init;
	ri.tol = fo.em.tol;
	ri.max_iter = fo.em.max_iter;
	ri.accel = fo.em.accel == EM_ACCEL_SQUAREM ? "squarem" : "none";
	ri.reg = reg;
	ri.ks = ks_distance;
	ri.figure_note = figure_note;
	ri.digits = (int)digits;
	ri.boot = boot_b > 0 ? &boot : NULL;
	ri.timing = timing_on ? &tm : NULL;
	/* --report: one more output of the list, so in the depfile and all or nothing. */
	if (rc == GM_OK && report_path != NULL) {
		FILE *rf;
		rc = outputs_open(&pf, report_path, &rf, &err);
		if (rc == GM_OK && (rc = report_write(rf, format, &ri)) != GM_OK)
			goto out;
		if (rc == GM_OK)
			rc = outfile_close(&pf.of[pf.n - 1], &err);
	}
	if (rc == GM_OK && depfile != NULL)
		rc = outputs_depfile(&dep, depfile, &pf, path, &err);
	/* The depfile goes in the list with the rest, all or none. */
	if (rc == GM_OK && depfile != NULL && (rc = outputs_push(&pf, &dep, &err)) == GM_OK)
		memset(&dep, 0, sizeof dep);
	/* No output may be an input or another output. */
	if (rc == GM_OK)
		rc = outputs_check_files(&pf, inputs, 3, &err);
	if (depfile != NULL)
		outfile_discard(&dep);
	if (rc != GM_OK) {
		gm_error_print(&err, PROG, stderr);
		goto out;
	}
	if (!quiet && report_path == NULL && (rc = report_write(stdout, format, &ri)) != GM_OK)
		goto out;
	/*
	 * The report is an output too: written and checked before the files
	 * go in place, so a failed report leaves the earlier files alone.
	 */
	rc = close_stdout();
	if (rc == GM_OK && (rc = outfile_commit_all(pf.of, pf.n, &err)) != GM_OK)
		gm_error_print(&err, PROG, stderr);
	goto out;
bad_value:
	/* An option's value that optval.c refused: its message in the usage form. */
	rc = usage_error_record(&err);
out:
	plot_files_free(&pf);
	boot_result_free(&boot);
	model_free(&start);
	free(model_source);
	free(figure_note);
	fit_result_free(&fr);
	dataset_free(&ds);
	free(ks);
	free(means);
	free(sds);
	free(winit);
	free(reg);
	free(na);
	return rc;
}
