/*
 * commands.c - `gmmfit predict` and `gmmfit sample` (see commands.h).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cliopts.h"
#include "commands.h"
#include "csvread.h"
#include "model.h"
#include "optval.h"
#include "outfile.h"
#include "outputs.h"
#include "predict.h"
#include "rng.h"

enum { C_MODEL = 256, C_KEEP, C_LABELS_ONLY, C_SEED, C_HELP };

struct predict_run {
	struct predictor pr;
	int write_errno;	/* errno of the first failed write, or 0 */
};

static void
on_header(void *arg, char *const *names, size_t n)
{
	struct predict_run *pr = arg;

	predict_header(&pr->pr, names, n);
}

static int
on_row(void *arg, const struct csvread_row *row)
{
	struct predict_run *pr = arg;

	predict_row(&pr->pr, row->line, row->missing ? NULL : row->x, row->fields,
		    row->nfields);
	if (ferror(pr->pr.fp)) {
		pr->write_errno = errno;
		return -1;
	}
	return 0;
}

static void
predict_usage(FILE *fp)
{
	fputs("Usage: " PROG " predict --model FILE [OPTIONS] [DATA.csv|-]\n"
"Label each row of DATA.csv with a saved model: its line, the most likely\n"
"component, each component's responsibility and the log-density.\n"
"\n"
"      --model FILE        the model (from --save-model)\n"
"  -o, --output FILE       write the CSV to FILE (default: stdout)\n"
"      --keep-columns      copy the input's columns in front\n"
"      --labels-only       only the line and the label\n"
"  -d, --delimiter C       input field separator, or auto (the default)\n"
"      --quote C           input quote character (default '\"')\n"
"      --decimal-comma     numbers use ',' as the decimal point\n"
"      --no-header         the input has no header row\n"
"      --na STR            another missing-value token (repeatable)\n"
"      --help              show this help and exit\n", fp);
}

/* predict's options, as parsed. */
struct predict_options {
	struct cliopt_csv csv;		/* how DATA.csv is read */
	const char *model_path, *out_path, *path, *display;
	int keep, labels_only;
	int finished;			/* --help answered */
};

/* predict's options and operand into po: GM_OK (po->finished after --help), or the usage error's status, printed. */
static int
predict_parse(struct predict_options *po, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, C_MODEL },
		{ "output", required_argument, NULL, 'o' },
		{ "keep-columns", no_argument, NULL, C_KEEP },
		{ "labels-only", no_argument, NULL, C_LABELS_ONLY },
		CLIOPT_READ_OPTIONS,
		{ "help", no_argument, NULL, C_HELP },
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:d:", opts, NULL)) != -1) {
		switch (c) {
		case C_MODEL: po->model_path = optarg; break;
		case 'o': po->out_path = optarg; break;
		case C_KEEP: po->keep = 1; break;
		case C_LABELS_ONLY: po->labels_only = 1; break;
		case C_HELP:
			predict_usage(stdout);
			po->finished = 1;
			return close_stdout();
		default:
			rc = cliopt_csv_take(&po->csv, c, optarg);
			if (rc == CLIOPT_OTHER)
				return option_error(argv, opts, "o:d:");
			if (rc != GM_OK)
				return rc;
		}
	}
	if (po->model_path == NULL)
		return usage_error("%s", "predict needs --model FILE");
	if (optind + 1 < argc)
		return usage_error("one input file at most; extra operand '%s'", argv[optind + 1]);
	if (optind < argc)
		po->path = argv[optind];
	po->display = strcmp(po->path, "-") == 0 ? "<stdin>" : po->path;
	return cliopt_csv_finish(&po->csv);
}

/*
 * The labels of every row of po->path by the model m, streamed to fp in
 * file order.  GM_OK, or the status with err filled.
 */
static int
predict_rows(struct predict_options *po, const struct model *m, FILE *fp, struct gm_error *err)
{
	struct csvread_options *co = &po->csv.co;
	struct predict_run run;
	struct dataset ds;
	char *source;
	int rc;

	/* The model's columns are names, matched exactly: never a list, a number or a range. */
	if ((source = malloc(strlen(po->model_path) + sizeof "the model ")) == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	strcpy(source, "the model ");
	strcat(source, po->model_path);
	co->names = (const char *const *)m->columns;
	co->n_names = m->g->d;
	co->names_source = source;
	co->on_row = on_row;
	co->on_header = on_header;
	co->row_arg = &run;
	co->keep_fields = po->keep;
	if (predict_init(&run.pr, m->g, fp)) {
		free(source);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	run.pr.round = m->round;	/* a model of rounded data: each row's interval */
	run.pr.labels_only = po->labels_only;
	run.pr.keep_columns = po->keep;
	run.write_errno = 0;
	if (strcmp(po->path, "-") == 0 && isatty(STDIN_FILENO) && isatty(STDERR_FILENO))
		fputs(PROG ": reading standard input (end with Ctrl-D)\n", stderr);
	rc = csvread_file(po->path, co, &ds, err);
	predict_free(&run.pr);
	free(source);
	co->names_source = NULL;
	if (rc == GM_EOUTPUT && ferror(fp)) {
		/* The output failed, not the input the reader was at: name the output. */
		gm_error_clear(err);
		return gm_error_set(err, GM_EOUTPUT, NULL, 0, 0, "write error on %s: %s",
				    po->out_path != NULL ? po->out_path : "standard output",
				    strerror(run.write_errno ? run.write_errno : EIO));
	}
	if (rc != GM_OK) {
		if (err->file != NULL && strcmp(err->file, "-") == 0)
			err->file = po->display;
		return rc;
	}
	dataset_free(&ds);
	return GM_OK;
}

int
cmd_predict(int argc, char **argv)
{
	struct predict_options po;
	struct model m = { NULL, NULL, NULL };
	struct gm_error err;
	struct outfile of;
	FILE *fp = stdout;
	int rc;

	memset(&po, 0, sizeof po);
	cliopt_csv_init(&po.csv);
	po.path = "-";
	memset(&of, 0, sizeof of);
	gm_error_clear(&err);
	rc = predict_parse(&po, argc, argv);
	if (rc != GM_OK || po.finished)
		goto done;
	{
		/* The output is neither input, by name or by link: before anything is written. */
		const char *ins[2] = { po.path, po.model_path };
		if ((rc = outputs_check(&po.out_path, 1, ins, 2, &err)) != GM_OK)
			goto fail;
	}
	if ((rc = model_load(po.model_path, &m, &err)) != GM_OK)
		goto fail;
	if (po.out_path != NULL) {
		if ((rc = outfile_open(&of, po.out_path, &err)) != GM_OK)
			goto fail;
		fp = of.fp;
	}
	if ((rc = predict_rows(&po, &m, fp, &err)) != GM_OK)
		goto fail;
	if (po.out_path != NULL) {
		rc = outfile_close(&of, &err);
		if (rc == GM_OK)
			rc = outfile_commit(&of, &err);
		if (rc != GM_OK)
			goto fail;
		outfile_release(&of);
	}
	model_free(&m);
	cliopt_csv_free(&po.csv);
	return close_stdout();
fail:
	gm_error_print(&err, PROG, stderr);
	outfile_discard(&of);
	model_free(&m);
done:
	cliopt_csv_free(&po.csv);
	return rc;
}

static void
sample_usage(FILE *fp)
{
	fputs("Usage: " PROG " sample --model FILE -n N [--seed S] [-o FILE]\n"
"Draw N rows from a saved model, in random order, with the component each\n"
"came from, as CSV.\n"
"\n"
"      --model FILE        the model (from --save-model)\n"
"  -n, --rows N            rows to draw\n"
"      --seed S            seed of the random generator (default 0)\n"
"  -o, --output FILE       write the CSV to FILE (default: stdout)\n"
"      --help              show this help and exit\n", fp);
}

/* The most rows gmmfit sample draws (-n); gmmfit(1) says so. */
#define SAMPLE_MAX_ROWS 100000000

int
cmd_sample(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, C_MODEL },
		{ "rows", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, C_SEED },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, C_HELP },
		{ NULL, 0, NULL, 0 }
	};
	const char *model_path = NULL, *out_path = NULL;
	size_t n = 0, d;
	int have_n = 0, c, rc;
	uint64_t seed = 0;
	struct model m = { NULL, NULL, NULL };
	struct gm_error err;
	struct outfile of;
	struct rng rng;
	double *z = NULL, *x = NULL;
	FILE *fp = stdout;

	memset(&of, 0, sizeof of);
	gm_error_clear(&err);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:o:", opts, NULL)) != -1) {
		switch (c) {
		case C_MODEL: model_path = optarg; break;
		case 'n':
			if (ov_size("-n", optarg, 0, SAMPLE_MAX_ROWS, &n, &err) != GM_OK)
				return usage_error_record(&err);
			have_n = 1;
			break;
		case C_SEED:
			if (cliopt_seed(optarg, &seed) != GM_OK)
				return GM_EUSAGE;
			break;
		case 'o': out_path = optarg; break;
		case C_HELP:
			sample_usage(stdout);
			return close_stdout();
		default:
			return option_error(argv, opts, "n:o:");
		}
	}
	if (model_path == NULL || !have_n)
		return usage_error("%s", "sample needs --model FILE and -n N");
	if (optind < argc)
		return usage_error("sample takes no operand: '%s'", argv[optind]);
	if ((rc = outputs_check(&out_path, 1, &model_path, 1, &err)) != GM_OK)
		goto fail;
	rc = model_load(model_path, &m, &err);
	if (rc != GM_OK)
		goto fail;
	d = m.g->d;
	z = malloc(d * sizeof *z);
	x = malloc(d * sizeof *x);
	if (z == NULL || x == NULL) {
		rc = gm_error_set(&err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		goto fail;
	}
	if (out_path != NULL) {
		if ((rc = outfile_open(&of, out_path, &err)) != GM_OK)
			goto fail;
		fp = of.fp;
	}
	for (size_t c2 = 0; c2 < d; c2++) {
		predict_csv_field(fp, m.columns[c2], ',');
		fputc(',', fp);
	}
	fputs("component\n", fp);
	rng_seed(&rng, seed);
	/* Each row picks its component afresh, so the rows come in random order. */
	for (size_t i = 0; i < n; i++) {
		size_t j = gmm_pick(m.g, rng_uniform(&rng));
		for (size_t p = 0; p < d; p++)
			z[p] = rng_normal(&rng);
		gmm_point(m.g, j, z, x);
		for (size_t p = 0; p < d; p++)
			fprintf(fp, "%.17g,", x[p]);
		fprintf(fp, "%zu\n", j + 1);
		/* Stop at the first write that fails (a full disk, /dev/full). */
		if (ferror(fp)) {
			int e = errno;
			rc = gm_error_set(&err, GM_EOUTPUT, NULL, 0, 0, "write error on %s: %s",
					  out_path != NULL ? out_path : "standard output", strerror(e));
			goto fail;
		}
	}
	if (out_path != NULL) {
		if ((rc = outfile_close(&of, &err)) != GM_OK ||
		    (rc = outfile_commit(&of, &err)) != GM_OK)
			goto fail;
		outfile_release(&of);
	}
	free(z);
	free(x);
	model_free(&m);
	return close_stdout();
fail:
	gm_error_print(&err, PROG, stderr);
	outfile_discard(&of);
	free(z);
	free(x);
	model_free(&m);
	return rc;
}
