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
#include "commands.h"
#include "csvread.h"
#include "model.h"
#include "optval.h"
#include "outfile.h"
#include "outputs.h"
#include "predict.h"
#include "rng.h"

enum { C_MODEL = 256, C_KEEP, C_LABELS_ONLY, C_SEED, C_HELP, C_NO_HEADER, C_QUOTE,
       C_DECIMAL_COMMA, C_NA };

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
on_row(void *arg, const struct csv_row *row)
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

int
cmd_predict(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, C_MODEL },
		{ "output", required_argument, NULL, 'o' },
		{ "keep-columns", no_argument, NULL, C_KEEP },
		{ "labels-only", no_argument, NULL, C_LABELS_ONLY },
		{ "delimiter", required_argument, NULL, 'd' },
		{ "quote", required_argument, NULL, C_QUOTE },
		{ "decimal-comma", no_argument, NULL, C_DECIMAL_COMMA },
		{ "no-header", no_argument, NULL, C_NO_HEADER },
		{ "na", required_argument, NULL, C_NA },
		{ "help", no_argument, NULL, C_HELP },
		{ NULL, 0, NULL, 0 }
	};
	const char *model_path = NULL, *out_path = NULL, *path = "-", *display;
	const char **na = NULL;
	size_t nna = 0;
	struct csv_options co;
	struct model m = { NULL, NULL };
	struct predict_run run;
	struct dataset ds;
	struct gm_error err;
	struct outfile of;
	int keep = 0, labels_only = 0, c, rc = GM_OK;
	char *source = NULL;
	FILE *fp = stdout;

	memset(&co, 0, sizeof co);
	co.delimiter_auto = 1;	/* -d auto unless a delimiter is given, as in a fit */
	memset(&of, 0, sizeof of);
	gm_error_clear(&err);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:d:", opts, NULL)) != -1) {
		switch (c) {
		case C_MODEL: model_path = optarg; break;
		case 'o': out_path = optarg; break;
		case C_KEEP: keep = 1; break;
		case C_LABELS_ONLY: labels_only = 1; break;
		case 'd':
			if ((rc = parse_delimiter(optarg, &co.delimiter, &co.delimiter_auto)) != GM_OK)
				goto done;
			break;
		case C_QUOTE:
			if (strlen(optarg) != 1)
				{ rc = usage_error("--quote takes one character, not '%s'", optarg); goto done; }
			co.quote = optarg[0];
			break;
		case C_DECIMAL_COMMA: co.decimal = ','; break;
		case C_NO_HEADER: co.no_header = 1; break;
		case C_NA: {
			const char **nn = realloc(na, (nna + 1) * sizeof *na);
			if (nn == NULL) {
				rc = oom_error();
				goto done;
			}
			na = nn;
			na[nna++] = optarg;
			break;
		}
		case C_HELP:
			predict_usage(stdout);
			rc = close_stdout();
			goto done;
		default:
			{ rc = option_error(argv, opts, "o:d:"); goto done; }
		}
	}
	if (model_path == NULL)
		{ rc = usage_error("%s", "predict needs --model FILE"); goto done; }
	if (optind + 1 < argc)
		{ rc = usage_error("one input file at most; extra operand '%s'", argv[optind + 1]); goto done; }
	if (optind < argc)
		path = argv[optind];
	display = strcmp(path, "-") == 0 ? "<stdin>" : path;
	if (co.decimal == ',' && co.delimiter == 0)
		co.delimiter = ';';
	co.na = na;
	co.n_na = nna;
	{
		/* The output is neither input, by name or by link: before anything is written. */
		const char *ins[2] = { path, model_path };
		if ((rc = outputs_check(&out_path, 1, ins, 2, &err)) != GM_OK)
			goto fail;
	}

	rc = model_load(model_path, &m, &err);
	if (rc != GM_OK)
		goto fail;
	/* The model's columns are names, matched exactly: never a list, a number or a range. */
	if ((source = malloc(strlen(model_path) + sizeof "the model ")) == NULL) {
		rc = gm_error_set(&err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		goto fail;
	}
	strcpy(source, "the model ");
	strcat(source, model_path);
	co.names = (const char *const *)m.columns;
	co.n_names = m.g->d;
	co.names_source = source;
	co.on_row = on_row;
	co.on_header = on_header;
	co.row_arg = &run;
	co.keep_fields = keep;
	if (out_path != NULL) {
		rc = outfile_open(&of, out_path, &err);
		if (rc != GM_OK)
			goto fail;
		fp = of.fp;
	}
	if (predict_init(&run.pr, m.g, fp)) {
		rc = gm_error_set(&err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		goto fail;
	}
	run.pr.labels_only = labels_only;
	run.pr.keep_columns = keep;
	run.write_errno = 0;
	if (strcmp(path, "-") == 0 && isatty(STDIN_FILENO) && isatty(STDERR_FILENO))
		fputs(PROG ": reading standard input (end with Ctrl-D)\n", stderr);
	rc = csv_read(path, &co, &ds, &err);
	predict_free(&run.pr);
	if (rc == GM_EOUTPUT && ferror(fp)) {
		/* The output failed, not the input the reader was at: name the output. */
		gm_error_clear(&err);
		rc = gm_error_set(&err, GM_EOUTPUT, NULL, 0, 0, "write error on %s: %s",
				  out_path != NULL ? out_path : "standard output",
				  strerror(run.write_errno ? run.write_errno : EIO));
		goto fail;
	}
	if (rc != GM_OK) {
		if (err.file != NULL && strcmp(err.file, "-") == 0)
			err.file = display;
		goto fail;
	}
	dataset_free(&ds);
	if (out_path != NULL) {
		rc = outfile_close(&of, &err);
		if (rc == GM_OK)
			rc = outfile_commit(&of, &err);
		if (rc != GM_OK)
			goto fail;
		outfile_release(&of);
	}
	model_free(&m);
	free(source);
	free(na);
	return close_stdout();
fail:
	gm_error_print(&err, PROG, stderr);
	outfile_discard(&of);
	model_free(&m);
	free(source);
done:
	free(na);
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
	struct model m = { NULL, NULL };
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
			if (ov_u64("--seed", optarg, &seed, &err) != GM_OK)
				return usage_error_record(&err);
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
		csv_field(fp, m.columns[c2], ',');
		fputc(',', fp);
	}
	fputs("component\n", fp);
	rng_seed(&rng, seed);
	/* Each row picks its component afresh, so the rows come in random order. */
	for (size_t i = 0; i < n; i++) {
		double u = rng_uniform(&rng), acc = 0.0;
		size_t j = m.g->k - 1;
		const double *l;
		for (size_t t = 0; t < m.g->k; t++) {
			acc += m.g->weight[t];
			if (u < acc) {
				j = t;
				break;
			}
		}
		l = m.g->chol + j * d * d;
		for (size_t p = 0; p < d; p++)
			z[p] = rng_normal(&rng);
		for (size_t p = 0; p < d; p++) {
			double v = m.g->mean[j * d + p];
			for (size_t q = 0; q <= p; q++)
				v += l[p * d + q] * z[q];
			fprintf(fp, "%.17g,", v);
		}
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
