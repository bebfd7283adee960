/*
 * outputs.c - the run's output files (see outputs.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "empar.h"
#include "gmm.h"
#include "outputs.h"
#include "par.h"
#include "predict.h"

/* Where a path leads: the file, or for one not there yet its directory and name. */
struct file_id {
	dev_t dev;
	ino_t ino;
	int exists;
	const char *name;	/* the last component, when !exists */
};

static int
file_id(const char *path, struct file_id *id)
{
	struct stat st;
	const char *slash;

	memset(id, 0, sizeof *id);
	if (strcmp(path, "-") == 0) {
		if (fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode))
			return -1;
	} else if (stat(path, &st) != 0) {
		char *dir;
		int rc;
		slash = strrchr(path, '/');
		if (slash == NULL)
			dir = strdup(".");
		else if (slash == path)
			dir = strdup("/");
		else
			dir = strndup(path, (size_t)(slash - path));
		if (dir == NULL)
			return -1;
		rc = stat(dir, &st);
		free(dir);
		if (rc != 0)
			return -1;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		id->name = slash ? slash + 1 : path;
		return 0;
	}
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->exists = 1;
	return 0;
}

static int
same_id(const struct file_id *a, const struct file_id *b)
{
	if (a->dev != b->dev || a->ino != b->ino || a->exists != b->exists)
		return 0;
	return a->exists || strcmp(a->name, b->name) == 0;
}

int
outputs_check(const char *const *outs, size_t nout, const char *const *ins, size_t nin,
	      struct gm_error *err)
{
	for (size_t i = 0; i < nout; i++) {
		struct file_id a, b;
		if (outs[i] == NULL)
			continue;
		if (file_id(outs[i], &a) != 0) {
			/* No way to tell by the file: the names at least. */
			for (size_t j = 0; j < nin; j++)
				if (ins[j] != NULL && strcmp(outs[i], ins[j]) == 0)
					goto input;
			for (size_t j = 0; j < i; j++)
				if (outs[j] != NULL && strcmp(outs[i], outs[j]) == 0)
					goto twice;
			continue;
		}
		for (size_t j = 0; j < nin; j++)
			if (ins[j] != NULL && (strcmp(outs[i], ins[j]) == 0 ||
					       (file_id(ins[j], &b) == 0 && same_id(&a, &b))))
				goto input;
		for (size_t j = 0; j < i; j++)
			if (outs[j] != NULL && (strcmp(outs[i], outs[j]) == 0 ||
						(file_id(outs[j], &b) == 0 && same_id(&a, &b)))) {
				goto twice;
			}
		continue;
input:
		return gm_error_set(err, GM_EUSAGE, outs[i], 0, 0,
				    "this output would overwrite an input; choose another name");
twice:
		return gm_error_set(err, GM_EUSAGE, outs[i], 0, 0,
				    "two outputs of the run are this file; choose another name for one");
	}
	return GM_OK;
}

int
outputs_check_files(const struct plot_files *pf, const char *const *ins, size_t nin,
		    struct gm_error *err)
{
	const char **outs = malloc((pf->n + 1) * sizeof *outs);
	int rc;

	if (outs == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < pf->n; i++)
		outs[i] = pf->of[i].path;
	rc = outputs_check(outs, pf->n, ins, nin, err);
	free(outs);
	return rc;
}

/* Room for one more output in the run's list. */
static int
grow_files(struct plot_files *pf, struct gm_error *err)
{
	if (pf->n == pf->cap) {
		size_t cap = pf->cap ? 2 * pf->cap : 8;
		struct outfile *of = realloc(pf->of, cap * sizeof *of);
		if (of == NULL)
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		pf->of = of;
		pf->cap = cap;
	}
	return GM_OK;
}

/* Open another output of the run in the same all-or-nothing list. */
int
outputs_open(struct plot_files *pf, const char *path, FILE **fp, struct gm_error *err)
{
	int rc = grow_files(pf, err);

	if (rc == GM_OK)
		rc = outfile_open(&pf->of[pf->n], path, err);
	if (rc == GM_OK)
		*fp = pf->of[pf->n++].fp;
	return rc;
}

/* Put a written output (its record moved) at the end of the run's list. */
int
outputs_push(struct plot_files *pf, const struct outfile *of, struct gm_error *err)
{
	int rc = grow_files(pf, err);

	if (rc == GM_OK)
		pf->of[pf->n++] = *of;
	return rc;
}

/*
 * --labels: the predict output for the fitted rows, from the rows in
 * memory with the line numbers kept when they were read: each row's
 * label, responsibilities and log-density in one pass, and the rows left
 * out of the fit (a missing value, weight 0) with empty fields in their
 * place, so the output lines up with the input.  Before the rows are
 * sorted at the end of the run.
 *
 * Rows spread over processes: each holds a stretch of the file, its rows
 * and the left-out lines among them (par_distribute), and writes its
 * stretch: rank 0 into the file, after the header; the others into
 * memory, then to rank 0 in rank order (par_gather_bytes), which appends
 * them.  Each line depends on its own row alone, so the bytes are those
 * of a run alone.  The other processes run their part as a job
 * (outputs_attach), with the model from rank 0.
 */
static int labels_job = -1;

/* This process's rows and left-out lines, merged in line order. */
static void
labels_rows(struct predictor *pr, const struct dataset *ds)
{
	const size_t n = dataset_here(ds);
	size_t i = 0, j = 0;

	while (i < n || j < ds->nleft) {
		if (j < ds->nleft && (i == n || ds->left_out[j] < ds->lines[i]))
			predict_row(pr, ds->left_out[j++], NULL, NULL, 0);
		else {
			predict_row(pr, ds->lines[i], ds->x + i * ds->d, NULL, 0);
			i++;
		}
	}
}

static void
labels_put(const char *piece, size_t m, void *arg)
{
	fwrite(piece, 1, m, (FILE *)arg);
}

/*
 * The collective part, on every process: the model from rank 0 (g,
 * made with k, d and the type; buf, empar_model_len doubles), this
 * process's stretch, then the others' to rank 0, which writes them to fp
 * (rank 0's file).  ok: whether g and buf are there.  0, or -1 on every
 * process when one failed.
 */
static int
labels_spread(const struct dataset *ds, struct gmm *g, double *buf, int ok, FILE *fp)
{
	struct predictor pr;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = NULL;
	int rc;

	if (!par_all_ok(ok))
		return -1;
	if (par_rank() == 0)
		empar_model_pack(g, buf);
	par_bcast(buf, empar_model_len(g->k, g->d));
	if (par_rank() != 0) {
		empar_model_unpack(g, buf);
		fp = mem = open_memstream(&text, &len);
	}
	ok = fp != NULL && predict_init(&pr, g, fp) == 0;
	if (ok) {
		pr.round = ds->round;	/* every process's: empar_share_rounding */
		if (par_rank() == 0)
			predict_header(&pr, NULL, 0);
		labels_rows(&pr, ds);
	}
	if (fp != NULL)
		predict_free(&pr);
	if (mem != NULL)
		ok = fclose(mem) == 0 && ok;
	rc = par_gather_bytes(text, len, ok, labels_put, fp);
	free(text);
	return rc;
}

/* The labels job on the processes other than rank 0: args[0] is k * 8 + the type. */
static void
labels_serve(struct dataset *ds, const long long *args, int threads)
{
	struct gmm *g = gmm_new((size_t)(args[0] / 8), ds->d, (enum gmm_cov)(args[0] % 8));
	double *buf = g ? malloc(empar_model_len(g->k, g->d) * sizeof *buf) : NULL;

	(void)threads;
	labels_spread(ds, g, buf, g != NULL && buf != NULL, NULL);
	free(buf);
	gmm_free(g);
}

int
outputs_attach(void)
{
	return (labels_job = par_job_add(labels_serve)) < 0 ? -1 : 0;
}

int
outputs_labels(struct plot_files *pf, const char *out, const struct dataset *ds,
	     const struct gmm *g, struct gm_error *err)
{
	struct predictor pr;
	FILE *fp;
	int rc;

	if ((rc = outputs_open(pf, out, &fp, err)) != GM_OK)
		return rc;
	if (ds->spread != NULL) {
		double *buf;
		if (labels_job < 0 || (buf = malloc(empar_model_len(g->k, g->d) * sizeof *buf)) == NULL)
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		par_job_start(labels_job, (long long)g->k * 8 + (long long)g->cov_type, 0);
		rc = labels_spread(ds, (struct gmm *)g, buf, 1, fp);
		free(buf);
		if (rc != 0)
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		return outfile_close(&pf->of[pf->n - 1], err);
	}
	if (predict_init(&pr, g, fp))
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	pr.round = ds->round;
	predict_header(&pr, NULL, 0);
	labels_rows(&pr, ds);
	predict_free(&pr);
	return outfile_close(&pf->of[pf->n - 1], err);
}

/*
 * A path in a Makefile rule, escaped as cc -MD does: a space or a tab
 * after a backslash, with the backslashes before it doubled (make reads
 * 2N+1 of them and a space as N and a space); '#' as "\#", '$' as "$$".
 */
static void
make_path(FILE *fp, const char *s)
{
	size_t bs = 0;	/* backslashes just before *s */

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t') {
			for (size_t i = 0; i < bs; i++)
				fputc('\\', fp);
			fputc('\\', fp);
		} else if (*s == '#') {
			fputc('\\', fp);
		} else if (*s == '$') {
			fputc('$', fp);
		}
		bs = *s == '\\' ? bs + 1 : 0;
		fputc(*s, fp);
	}
}

int
outputs_make_name(const char *name, struct gm_error *err)
{
	char shown[200];

	if (!gm_has_control(name))
		return GM_OK;
	gm_escape(name, shown, sizeof shown);
	return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
			    "--depfile: the name '%s' holds a control character, which a "
			    "Makefile rule cannot hold; rename the file", shown);
}

/*
 * The depfile: every file written is a target of the input, as cc -MD
 * writes; and the input a target of nothing (cc -MP), so make does not
 * stop when it is renamed.
 */
int
outputs_depfile(struct outfile *dep, const char *name, const struct plot_files *pf,
	      const char *input, struct gm_error *err)
{
	int rc = strcmp(input, "-") != 0 ? outputs_make_name(input, err) : GM_OK;

	memset(dep, 0, sizeof *dep);	/* discarded by the caller when refused */
	for (size_t i = 0; rc == GM_OK && i < pf->n; i++)
		rc = outputs_make_name(pf->of[i].path, err);
	if (rc == GM_OK)
		rc = outfile_open(dep, name, err);
	if (rc != GM_OK)
		return rc;
	for (size_t i = 0; i < pf->n; i++) {
		make_path(dep->fp, pf->of[i].path);
		fputs(i + 1 < pf->n ? " \\\n " : "", dep->fp);
	}
	fputs(":", dep->fp);
	if (strcmp(input, "-") != 0) {
		fputc(' ', dep->fp);
		make_path(dep->fp, input);
		fputs("\n\n", dep->fp);
		make_path(dep->fp, input);
		fputs(":\n", dep->fp);
	} else {
		fputc('\n', dep->fp);
	}
	return outfile_close(dep, err);
}

