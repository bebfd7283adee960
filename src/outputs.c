/*
 * outputs.c - the run's output files (see outputs.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outputs.h"
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
 */
int
outputs_labels(struct plot_files *pf, const char *out, const struct dataset *ds,
	     const struct gmm *g, struct gm_error *err)
{
	struct predictor pr;
	size_t i = 0, j = 0;
	FILE *fp;
	int rc;

	if ((rc = outputs_open(pf, out, &fp, err)) != GM_OK)
		return rc;
	if (predict_init(&pr, g, fp))
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	pr.round = ds->round;
	predict_header(&pr, NULL, 0);
	while (i < ds->n || j < ds->nleft) {
		if (j < ds->nleft && (i == ds->n || ds->left_out[j] < ds->lines[i]))
			predict_row(&pr, ds->left_out[j++], NULL, NULL, 0);
		else {
			predict_row(&pr, ds->lines[i], ds->x + i * ds->d, NULL, 0);
			i++;
		}
	}
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

