/*
 * runopts.c - the main command's options into struct run_options, and
 * the usage errors they show on their own (see runopts.h).
 *
 * The getopt_long loop hands each option to the parser of its group
 * (the CSV options to cliopts.c; then the model, the search's start,
 * the outputs); runopts_check then looks at the options together.
 */
#include <config.h>

#include <float.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli.h"
#include "cliopts.h"
#include "error.h"
#include "init.h"
#include "meansfile.h"
#include "model.h"
#include "optval.h"
#include "outputs.h"
#include "par.h"
#include "plot.h"
#include "lrt.h"
#include "runopts.h"

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
static const struct ov_range round_range = { 0.0, 1e150, 0, "a width from 0 to 1e150" };
static const struct ov_range sd_range = { OV_SD_MIN, OV_SD_MAX, 0, "a number from 1e-150 to 1e150" };
static const struct ov_range weight_range = { 0.0, DBL_MAX, 1, "a positive number" };

enum {
	OPT_MAX_ITER = 256, OPT_TOL, OPT_INIT, OPT_MEANS, OPT_SDS, OPT_WEIGHTS_INIT,
	OPT_N_INIT, OPT_SEED, OPT_REG, OPT_FORMAT, OPT_TERMINAL, OPT_BINS,
	OPT_COVARIANCE, OPT_THREADS, OPT_HELP, OPT_VERSION, OPT_ACCEL, OPT_SIZE,
	OPT_FONT, OPT_TITLE, OPT_XLABEL,
	OPT_YLABEL, OPT_PLOT_COLUMNS, OPT_DIGITS, OPT_DEPFILE, OPT_SAVE_MODEL,
	OPT_FIX, OPT_LABELS, OPT_BOOTSTRAP, OPT_BOOTSTRAP_TYPE, OPT_LRT, OPT_PRIOR, OPT_TIMING, OPT_SHARD,
	OPT_CRITERION, OPT_REPORT, OPT_ROUNDING
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
	CLIOPT_READ_OPTIONS,
	CLIOPT_ROW_OPTIONS,
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
	{ "lrt", required_argument, NULL, OPT_LRT },
	{ "prior", no_argument, NULL, OPT_PRIOR },
	{ "rounding", required_argument, NULL, OPT_ROUNDING },
	{ "timing", no_argument, NULL, OPT_TIMING },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const char short_options[] = "c:k:d:o:qv";

/* --help: the usage, as gmmfit(1)'s synopsis and options. */
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
"      --covariance LIST   full, diag, spherical, tied, mclust's names (VVV, VVI,\n"
"                          VII, EEE, EII, EEI, VEI, EVI, VEE, EVE, VVE, EEV,\n"
"                          VEV, EVV, E, V), a\n"
"                          comma-separated list of them, or all: every model\n"
"                          (default full)\n"
"      --criterion C       bic (default) or icl: the lowest chooses among the\n"
"                          models of a range of K or of structures\n"
"      --reg X             added to each variance (default: 1e-6 times the\n"
"                          column's variance)\n"
"      --prior             the posterior mode under mclust's default conjugate\n"
"                          prior, for data whose components would collapse\n"
"      --rounding H|auto   each value stands for the interval of its rounding\n"
"                          to H (a list: one per column; 0: exact), or to the\n"
"                          grid each column is on (auto); grouped-data EM\n"
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
"      --lrt B             test each K against K + 1 (a -k range) by B\n"
"                          parametric-bootstrap replicates\n"
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


void
runopts_init(struct run_options *ro)
{
	memset(ro, 0, sizeof *ro);
	cliopt_csv_init(&ro->csv);
	ro->po.pair[0] = ro->po.pair[1] = -1;
	ro->fo.n_init = 0;	/* by the number of columns, once known */
	ro->fo.em.max_iter = 1000;
	ro->fo.em.tol = 1e-10;
	ro->fo.em.accel = EM_ACCEL_SQUAREM;
	ro->fo.init = INIT_QUANTILE;
	ro->path = "-";
	ro->format = "text";
	ro->ks_arg = "2";
	ro->cov_arg = "full";
	ro->reg_abs = -1.0;
	ro->digits = 4;
}

/* The options of the model and its iterations: CLIOPT_OTHER for any other. */
static int
take_model(struct run_options *ro, int c, const char *arg)
{
	struct gm_error err;
	size_t t;

	gm_error_clear(&err);
	switch (c) {
	case 'c':
		ro->csv.co.columns = arg;
		return GM_OK;
	case 'k':
		ro->ks_arg = arg;
		ro->k_set = 1;
		return GM_OK;
	case OPT_COVARIANCE:
		ro->cov_arg = arg;
		ro->cov_set = 1;
		return GM_OK;
	case OPT_CRITERION:
		if (parse_criterion(arg, &ro->fo.criterion))
			return usage_error("--criterion is bic or icl, not '%s'", arg);
		return GM_OK;
	case OPT_MAX_ITER:
		if (ov_size("--max-iter", arg, 0, MAX_ITER, &ro->fo.em.max_iter, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_TOL:
		if (ov_number("--tol", arg, &tol_range, &ro->fo.em.tol, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_REG:
		if (ov_number("--reg", arg, &reg_range, &ro->reg_abs, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_ACCEL:
		if (strcmp(arg, "none") == 0)
			ro->fo.em.accel = EM_ACCEL_NONE;
		else if (strcmp(arg, "squarem") == 0)
			ro->fo.em.accel = EM_ACCEL_SQUAREM;
		else
			return usage_error("--accel is squarem or none, not '%s'", arg);
		return GM_OK;
	case OPT_THREADS:
		if (ov_size("--threads", arg, 1, MAX_THREADS, &t, &err) != GM_OK)
			return usage_error_record(&err);
		ro->fo.em.threads = (int)t;
		ro->csv.co.threads = (int)t;
#ifdef _OPENMP
		omp_set_num_threads((int)t);	/* and the outputs' sort */
#endif
		return GM_OK;
	case OPT_SHARD:
		ro->shard = arg;
		return GM_OK;
	default:
		return CLIOPT_OTHER;
	}
}

/* The options of the start, the search and the bootstrap: CLIOPT_OTHER for any other. */
static int
take_start(struct run_options *ro, int c, const char *arg)
{
	struct gm_error err;
	uint64_t seed;

	gm_error_clear(&err);
	switch (c) {
	case OPT_INIT:
		if (strncmp(arg, "model:", 6) == 0 && arg[6] != '\0') {
			ro->init_model_path = arg + 6;
			ro->fo.init = INIT_GIVEN;
			ro->init_set = 1;
			return GM_OK;
		}
		if (init_parse(arg, &ro->fo.init))
			return usage_error("--init is quantile, kmeans, kmeans++, random, random-rows or "
					   "given, not '%s'", arg);
		ro->init_set = 1;
		return GM_OK;
	case OPT_MEANS:
		free(ro->means);
		ro->means = NULL;
		ro->means_path = NULL;
		if (ov_is_file(arg))
			ro->means_path = arg;
		else if (ov_list("--means", arg, &mean_range, &ro->means, &ro->n_means, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_SDS:
		free(ro->sds);
		ro->sds = NULL;
		if (ov_list("--sds", arg, &sd_range, &ro->sds, &ro->n_sds, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_WEIGHTS_INIT:
		free(ro->winit);
		ro->winit = NULL;
		if (ov_list("--weights-init", arg, &weight_range, &ro->winit, &ro->n_wi, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_N_INIT:
		if (ov_size("--n-init", arg, 1, MAX_N_INIT, &ro->fo.n_init, &err) != GM_OK)
			return usage_error_record(&err);
		ro->n_init_set = 1;
		return GM_OK;
	case OPT_SEED:
		if (cliopt_seed(arg, &seed) != GM_OK)
			return GM_EUSAGE;
		ro->fo.seed = seed;
		return GM_OK;
	case OPT_FIX:
		if (ov_fix(arg, &ro->fo.em.fix, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_BOOTSTRAP:
		if (ov_size("--bootstrap", arg, 2, MAX_BOOTSTRAP, &ro->boot_b, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_PRIOR:
		ro->prior = 1;
		return GM_OK;
	case OPT_ROUNDING:
		free(ro->rounding);
		ro->rounding = NULL;
		ro->n_rounding = 0;
		ro->rounding_auto = strcmp(arg, "auto") == 0;
		if (!ro->rounding_auto &&
		    ov_list("--rounding", arg, &round_range, &ro->rounding, &ro->n_rounding, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_LRT:
		if (ov_size("--lrt", arg, 1, LRT_MAX_B, &ro->lrt_b, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_BOOTSTRAP_TYPE:
		if (strcmp(arg, "nonparametric") == 0)
			ro->boot_parametric = 0;
		else if (strcmp(arg, "parametric") == 0)
			ro->boot_parametric = 1;
		else
			return usage_error("--bootstrap-type is nonparametric or parametric, not '%s'", arg);
		return GM_OK;
	default:
		return CLIOPT_OTHER;
	}
}

/* The options of the figure: CLIOPT_OTHER for any other. */
static int
take_figure(struct run_options *ro, int c, const char *arg)
{
	struct gm_error err;

	gm_error_clear(&err);
	switch (c) {
	case 'o':
		if (gm_has_control(arg))
			return control_error("-o", arg);
		ro->po.prefix = arg;
		return GM_OK;
	case OPT_TERMINAL:
		if (plot_terminal_parse(arg, &ro->po.terminal))
			return usage_error("--terminal is png, svg, pdf or cairolatex, not '%s'", arg);
		return GM_OK;
	case OPT_BINS:
		if (ov_size("--bins", arg, 1, PLOT_MAX_BINS, &ro->po.bins, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_SIZE:
		ro->size_arg = arg;	/* checked once --terminal is known */
		return GM_OK;
	case OPT_FONT:
		if (gm_has_control(arg))
			return control_error("--font", arg);
		if (ov_font(arg, &err) != GM_OK)
			return usage_error_record(&err);
		ro->po.font = arg;
		return GM_OK;
	case OPT_TITLE:
		ro->po.title = arg;
		return GM_OK;
	case OPT_XLABEL:
		ro->po.xlabel = arg;
		return GM_OK;
	case OPT_YLABEL:
		ro->po.ylabel = arg;
		return GM_OK;
	case OPT_PLOT_COLUMNS:
		ro->plot_columns = arg;
		return GM_OK;
	default:
		return CLIOPT_OTHER;
	}
}

/* The options of the other outputs: CLIOPT_OTHER for any other. */
static int
take_output(struct run_options *ro, int c, const char *arg)
{
	struct gm_error err;

	gm_error_clear(&err);
	switch (c) {
	case OPT_FORMAT:
		if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0 &&
		    strcmp(arg, "tsv") != 0 && strcmp(arg, "latex") != 0)
			return usage_error("--format is text, json, tsv or latex, not '%s'", arg);
		ro->format = arg;
		return GM_OK;
	case OPT_DIGITS:
		if (ov_size("--digits", arg, 1, 17, &ro->digits, &err) != GM_OK)
			return usage_error_record(&err);
		return GM_OK;
	case OPT_SAVE_MODEL:
		ro->save_model = arg;
		return GM_OK;
	case OPT_LABELS:
		ro->labels_path = arg;
		return GM_OK;
	case OPT_DEPFILE:
		ro->depfile = arg;
		return GM_OK;
	case OPT_REPORT:
		ro->report_path = arg;
		return GM_OK;
	case OPT_TIMING:
		ro->timing = 1;
		return GM_OK;
	case 'q':
		ro->quiet = 1;
		return GM_OK;
	case 'v':
		ro->verbose = 1;
		return GM_OK;
	default:
		return CLIOPT_OTHER;
	}
}

/* --help and --version: printed, and the run finished. */
static int
answer(struct run_options *ro, int c)
{
	if (c == OPT_HELP) {
		usage(stdout);
	} else {
		printf(PROG " " PACKAGE_VERSION "\n"
		       "Fits Gaussian mixtures by EM; writes reports and gnuplot figures.\n"
		       "This is free software: you are free to change and redistribute it.\n"
		       "There is NO WARRANTY, to the extent permitted by law.\n");
	}
	ro->finished = 1;
	return close_stdout();
}

int
runopts_parse(struct run_options *ro, int argc, char **argv)
{
	int c, rc;

	opterr = 0;	/* getopt's messages take two lines; option_error says it in one */
	while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
		if (c == OPT_HELP || c == OPT_VERSION)
			return answer(ro, c);
		rc = cliopt_csv_take(&ro->csv, c, optarg);
		if (rc == CLIOPT_OTHER)
			rc = take_model(ro, c, optarg);
		if (rc == CLIOPT_OTHER)
			rc = take_start(ro, c, optarg);
		if (rc == CLIOPT_OTHER)
			rc = take_figure(ro, c, optarg);
		if (rc == CLIOPT_OTHER)
			rc = take_output(ro, c, optarg);
		if (rc == CLIOPT_OTHER)
			return option_error(argv, long_options, short_options);
		if (rc != GM_OK)
			return rc;
	}
	if (optind + 1 < argc)
		return usage_error("one input file at most; extra operand '%s'", argv[optind + 1]);
	if (optind < argc)
		ro->path = argv[optind];
	ro->operand = optind < argc;
	return GM_OK;
}

/* The input: the operand, or this process's shard; and how messages name it. */
static int
check_input(struct run_options *ro)
{
	if (ro->shard != NULL) {
		if (ro->operand)
			return usage_error("%s", "--shard names the input files: give no FILE");
		if (par_shard_path(ro->shard, par_rank(), ro->shard_path, sizeof ro->shard_path) != 0)
			return usage_error("--shard PATTERN holds %%d, replaced by the process's rank: "
					   "not '%s'", ro->shard);
		ro->path = ro->shard_path;
	}
	ro->display = ro->shard != NULL ? ro->shard : strcmp(ro->path, "-") == 0 ? "<stdin>" : ro->path;
	if (par_size() > 1) {
		/* What needs all rows in one process, or one stream, runs alone. */
		if (strcmp(ro->path, "-") == 0)
			return usage_error("%s", "standard input is read by one process: give a file, "
					   "or run without mpirun");
		if (ro->labels_path != NULL && ro->shard != NULL)
			return usage_error("%s", "--labels names the lines of one input file: not with --shard");
		if (ro->boot_b > 0)
			return usage_error("%s", "--bootstrap runs as one process: run without mpirun");
		if (ro->lrt_b > 0)
			return usage_error("%s", "--lrt runs as one process: run without mpirun");
		ro->csv.co.share = ro->shard == NULL ? par_team() : NULL;
	}
	return cliopt_csv_finish(&ro->csv);
}

/* The outputs named on the command line: --depfile has something to list, and no output is an input or another output. */
static int
check_outputs(struct run_options *ro)
{
	const char *named[4] = { ro->labels_path, ro->save_model, ro->depfile, ro->report_path };
	struct gm_error err;
	int rc = GM_OK;

	gm_error_clear(&err);
	ro->inputs[0] = ro->path;
	ro->inputs[1] = ro->init_model_path;
	ro->inputs[2] = ro->means_path;
	if (ro->depfile != NULL && ro->po.prefix == NULL && ro->report_path == NULL &&
	    ro->save_model == NULL && ro->labels_path == NULL)
		return usage_error("%s", "--depfile needs a file to list: -o, --report, "
				   "--save-model or --labels");
	if ((rc = outputs_check(named, 4, ro->inputs, 3, &err)) != GM_OK)
		gm_error_print(&err, PROG, stderr);
	return rc;
}

/*
 * One name of --covariance's list into ro->covs (each model once, in the
 * order of enum gmm_cov): gmmfit's names, mclust's, E and V (one
 * column), and all (or every): each model, or with --prior each that
 * has one.  Returns 0, or -1 for a name that is none of these.
 */
static int
add_covariances(struct run_options *ro, const char *tok, int *want)
{
	/* mclust's names of gmmfit's first four, and of the one-column models. */
	static const char *const mclust_names[][2] = {
		{ "VVV", "full" }, { "VVI", "diag" }, { "VII", "spherical" }, { "EEE", "tied" },
		{ "V", "full" }, { "E", "tied" } };
	enum gmm_cov t;

	if (strcmp(tok, "all") == 0 || strcmp(tok, "every") == 0) {
		for (int i = 0; i < GMM_NCOV; i++)
			want[i] |= !ro->prior || gmm_cov_has_prior((enum gmm_cov)i);
		return 0;
	}
	if (strcmp(tok, "E") == 0 || strcmp(tok, "V") == 0)
		ro->cov_one_column = tok[0];
	for (size_t i = 0; i < sizeof mclust_names / sizeof mclust_names[0]; i++)
		if (strcmp(tok, mclust_names[i][0]) == 0)
			tok = mclust_names[i][1];
	if (gmm_cov_parse(tok, &t) != 0)
		return -1;
	want[t] = 1;
	return 0;
}

/* --covariance: one model, or a comma-separated list of them, into ro->covs. */
static int
parse_covariances(struct run_options *ro)
{
	int want[GMM_NCOV] = { 0 };
	const char *s = ro->cov_arg;
	char tok[16];

	ro->cov_one_column = 0;
	for (;;) {
		size_t m = strcspn(s, ",");
		if (m == 0 || m >= sizeof tok)
			goto bad;
		memcpy(tok, s, m);
		tok[m] = '\0';
		if (add_covariances(ro, tok, want) != 0)
			goto bad;
		if (s[m] == '\0')
			break;
		s += m + 1;
	}
	ro->fo.ncov = 0;
	for (int i = 0; i < GMM_NCOV; i++)
		if (want[i])
			ro->covs[ro->fo.ncov++] = (enum gmm_cov)i;
	/* mclust has no prior for the others; the M steps here have none either. */
	for (size_t c = 0; ro->prior && c < ro->fo.ncov; c++)
		if (!gmm_cov_has_prior(ro->covs[c]))
			return usage_error("--prior is for full, diag, spherical, tied (VVV, VVI, VII, "
					   "EEE), EII, EEI, VEI, EVI, EEV and VEV only: not for --covariance %s",
					   gmm_cov_name(ro->covs[c]));
	return GM_OK;
bad:
	return usage_error("--covariance is a model or a comma-separated list of them: full, "
			   "diag, spherical, tied (or mclust's VVV, VVI, VII, EEE), mclust's "
			   "EII, EEI, VEI, EVI, VEE, EVE, VVE, EEV, VEV, EVV (E, V in one "
			   "column), or all (every); not '%s'",
			   ro->cov_arg);
}

/* -k and --covariance into ro->ks and ro->covs; --size by the terminal. */
static int
check_model(struct run_options *ro)
{
	struct gm_error err;

	gm_error_clear(&err);
	if (ov_ks(ro->ks_arg, MAX_K, &ro->ks, &ro->nks, &err) != GM_OK)
		return usage_error_record(&err);
	if (ro->lrt_b > 0) {
		int pair = 0;
		for (size_t a = 0; a < ro->nks; a++)
			for (size_t b = 0; b < ro->nks; b++)
				pair |= ro->ks[b] == ro->ks[a] + 1;
		if (!pair)
			return usage_error("%s", "--lrt tests K against K + 1: give a -k range "
					   "holding both (-k 1-3, say)");
	}
	/* Bare numbers: pixels or inches by the terminal, in its range; or both with a unit. */
	if (ro->size_arg != NULL && size_has_unit(ro->size_arg)) {
		if (plot_size_parse(ro->size_arg, &ro->po))
			return usage_error("--size needs W,H: two positive numbers, both bare or both "
					   "with a unit in, cm, mm, pt or bp (3.3in,2.4in), not '%s'",
					   ro->size_arg);
	} else if (ro->size_arg != NULL &&
		   ov_figure_size(ro->size_arg,
				  ro->po.terminal == PLOT_PDF || ro->po.terminal == PLOT_CAIROLATEX,
				  &ro->po.width, &ro->po.height, &err) != GM_OK) {
		return usage_error_record(&err);
	}
	return parse_covariances(ro);
}

/* The start's options together: a model start or given values, what --fix keeps. */
static int
check_start(struct run_options *ro)
{
	const int values = ro->means != NULL || ro->means_path != NULL || ro->sds != NULL ||
			   ro->winit != NULL;

	if (ro->init_model_path != NULL && values)
		return usage_error("%s", "--init model:FILE and --means/--sds/--weights-init exclude "
				   "each other");
	if (ro->fo.em.fix != 0) {
		if (ro->init_model_path == NULL && ro->means == NULL && ro->means_path == NULL)
			return usage_error("%s", "--fix needs the values to keep: --init model:FILE or --means");
		if (ro->n_init_set && ro->fo.n_init > 1)
			return usage_error("%s", "--fix keeps one start's values: it cannot go with "
					   "--n-init > 1");
		ro->fo.n_init = 1;
	}
	ro->csv.co.keep_lines = ro->labels_path != NULL;
	if (values) {
		if (ro->init_set && ro->fo.init != INIT_GIVEN)
			return usage_error("%s", "--means, --sds and --weights-init go with --init given");
		if (ro->means == NULL && ro->means_path == NULL)
			return usage_error("%s", "--sds and --weights-init need --means");
		ro->fo.init = INIT_GIVEN;
		ro->init_set = 1;
		if (ro->nks != 1)
			return usage_error("%s", "a given start needs a single K");
	} else if (ro->init_set && ro->fo.init == INIT_GIVEN && ro->init_model_path == NULL) {
		return usage_error("%s", "--init given needs --means");
	}
	return GM_OK;
}

/*
 * --weights-init: each weight at least 1e-300 times the largest (divided
 * by the largest first, as the start does, so weights near DBL_MAX do
 * not sum to infinity).  The start would refuse it after the data were
 * read; the message is the start's.
 */
static int
check_start_weights(const struct run_options *ro, struct gm_error *err)
{
	double wmax = 0.0;

	if (ro->winit == NULL)
		return GM_OK;
	for (size_t j = 0; j < ro->n_wi; j++)
		wmax = ro->winit[j] > wmax ? ro->winit[j] : wmax;
	for (size_t j = 0; j < ro->n_wi; j++)
		if (!(ro->winit[j] / wmax >= 1e-300))
			return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
					    "--weights-init: the weight of component %zu, %g, is less "
					    "than 1e-300 times the largest, %g", j + 1, ro->winit[j], wmax);
	return GM_OK;
}

/*
 * --plot-columns A,B with -o: two elements, neither empty, into
 * ro->pair_tok (the data say later which columns they name).
 */
static int
check_plot_columns(struct run_options *ro)
{
	const char *spec = ro->plot_columns;
	char *comma;

	if (spec == NULL || ro->po.prefix == NULL)
		return GM_OK;
	if ((ro->pair_copy = strdup(spec)) == NULL)
		return oom_error();
	comma = strchr(ro->pair_copy, ',');
	if (comma == NULL || strchr(comma + 1, ',') != NULL)
		return usage_error("--plot-columns needs two columns A,B, not '%s'", spec);
	*comma = '\0';
	ro->pair_tok[0] = ro->pair_copy;
	ro->pair_tok[1] = comma + 1;
	if (ro->pair_tok[0][0] == '\0')
		return usage_error("--plot-columns: element 1 of '%s' is empty", spec);
	if (ro->pair_tok[1][0] == '\0')
		return usage_error("--plot-columns: element 2 of '%s' is empty", spec);
	return GM_OK;
}

/*
 * What the outputs would refuse once written, known from their names: a
 * figure prefix that names a directory, and with --depfile a name a
 * Makefile rule cannot hold (the input's, then the targets' in the
 * order they are written).  Their messages are the outputs' own.
 */
static int
check_output_names(const struct run_options *ro, struct gm_error *err)
{
	const char *listed[4] = { strcmp(ro->path, "-") != 0 ? ro->path : NULL, ro->labels_path,
				  ro->save_model, ro->report_path };
	const char *slash = ro->po.prefix != NULL ? strrchr(ro->po.prefix, '/') : NULL;
	int rc = GM_OK;

	for (size_t i = 0; rc == GM_OK && ro->depfile != NULL && i < 4; i++)
		if (listed[i] != NULL)
			rc = outputs_make_name(listed[i], err);
	if (rc == GM_OK && ro->po.prefix != NULL && (slash != NULL ? slash[1] : ro->po.prefix[0]) == '\0')
		rc = gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				  "the output prefix '%s' names a directory; add a file name",
				  ro->po.prefix);
	return rc;
}

int
runopts_check(struct run_options *ro)
{
	struct gm_error err;
	int rc;

	gm_error_clear(&err);
	if ((rc = check_input(ro)) != GM_OK || (rc = check_outputs(ro)) != GM_OK ||
	    (rc = check_model(ro)) != GM_OK || (rc = check_start(ro)) != GM_OK ||
	    (rc = check_plot_columns(ro)) != GM_OK)
		return rc;
	rc = check_start_weights(ro, &err);
	if (rc == GM_OK)
		rc = check_output_names(ro, &err);
	/* Last, as it opens a file: that the means file can be read. */
	if (rc == GM_OK && ro->means_path != NULL)
		rc = means_file_check(ro->means_path, &err);
	if (rc != GM_OK)
		gm_error_print(&err, PROG, stderr);
	return rc;
}

void
runopts_free(struct run_options *ro)
{
	cliopt_csv_free(&ro->csv);
	free(ro->ks);
	free(ro->means);
	free(ro->sds);
	free(ro->rounding);
	free(ro->winit);
	free(ro->pair_copy);
	memset(ro, 0, sizeof *ro);
}
