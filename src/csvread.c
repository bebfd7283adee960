/*
 * csvread.c - read a CSV file through libcsv and keep the selected
 * numeric columns (see csvread.h; the parts are mapped in csvint.h).
 *
 * The entry points: a file shared by a team of processes is read by
 * byte ranges (csvshare.c), a large regular file on all cores
 * (csvsplit.c), anything else as a stream (csvparse.c); then the checks
 * of the whole read and the data set handed over.
 */
/* st_mtim is POSIX 2008; mmap's flags are in <sys/mman.h>. */
#define _DEFAULT_SOURCE 1
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <sys/stat.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "csvint.h"

int
csvread_file(const char *path, const struct csvread_options *opt, struct dataset *ds,
	 struct gm_error *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	int rc;

	int rc0 = fp == NULL ? gm_error_sys(err, GM_EDATA, path, "cannot open", errno) : GM_OK;

	if (opt->share != NULL && opt->share->size > 1)
		rc0 = opt->share->agree(rc0, err);	/* all open it, or none goes on */
	if (rc0 != GM_OK) {
		if (fp != NULL && !is_stdin)
			fclose(fp);
		memset(ds, 0, sizeof *ds);
		return rc0;
	}
	rc = csvread_stream(fp, path, opt, ds, err);
	if (!is_stdin)
		fclose(fp);
	return rc;
}

/*
 * Several processes: each reads its own byte range of fp's file.
 * rd_read_share is entered by all, whatever failed here, and agrees on
 * the outcome first: no process is left waiting for another.  *changed:
 * a page of the mapping went missing.  0, a status, or -1 (read it as a
 * stream).
 */
static int
read_shared(struct reader *r, FILE *fp, int *changed)
{
	const struct csvread_options *opt = r->opt;
	struct stat st;
	void *m = NULL;
	size_t len = 0;
	int nthr = 1, bad = 0, rc;

#ifdef _OPENMP
	nthr = opt->threads > 0 ? opt->threads : omp_get_max_threads();
#endif
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode))
		bad = rd_fail(r, GM_EDATA, 0, 0,
			      "not a regular file: several processes read a file by byte ranges");
	else if (st.st_size > 0) {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fileno(fp), 0);
		if (m == MAP_FAILED) {
			m = NULL;
			bad = errno == ENOMEM ? rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory") :
			      rd_fail(r, GM_EDATA, 0, 0, "cannot map the file: %s", strerror(errno));
		} else {
			len = (size_t)st.st_size;
			rd_map_guard(m, len);
		}
	}
	rc = rd_read_share(r, m, len, nthr, bad);
	if (m != NULL) {
		*changed |= rd_map_unguard();
		munmap(m, len);
	}
	(void)opt;
	return rc;
}

/*
 * A large regular file at its start, rows not handed out one by one:
 * mapped and read by byte ranges on all cores.  *changed as above.  0, a
 * status, or -1 (read it as a stream).
 */
static int
read_parallel(struct reader *r, FILE *fp, int *changed)
{
	int rc = -1;
#ifdef _OPENMP
	const struct csvread_options *opt = r->opt;
	struct stat st;
	int nthr = opt->threads > 0 ? opt->threads : omp_get_max_threads();

	if (opt->on_row == NULL && !opt->keep_lines && nthr > 1 &&
	    fstat(fileno(fp), &st) == 0 &&
	    S_ISREG(st.st_mode) && (size_t)st.st_size >= PARALLEL_MIN &&
	    ftell(fp) == 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			       fileno(fp), 0);
		if (m != MAP_FAILED) {
			rd_map_guard(m, (size_t)st.st_size);
			rc = rd_read_mapped(r, m, (size_t)st.st_size, nthr);
			*changed |= rd_map_unguard();
			munmap(m, (size_t)st.st_size);
		}
	}
#else
	(void)r;
	(void)fp;
	(void)changed;
#endif
	return rc;
}

/*
 * The checks of the whole read (status rc so far): a file that changed
 * meanwhile (reg: it is regular, st0 its state before), a header
 * without rows, no row to fit.  Returns the status.
 */
static int
check_whole(struct reader *r, FILE *fp, int rc, int reg, const struct stat *st0, int changed)
{
	const struct csvread_options *opt = r->opt;
	struct dataset *ds = r->ds;
	struct stat st1;

	if (rc == GM_EDATA)
		rd_hint(r);	/* the status stays: only the message may be better */
	/*
	 * Rows read from a file that changed meanwhile (truncated, rewritten)
	 * may be of neither version: an error, whatever else was found.
	 */
	if (reg && (fstat(fileno(fp), &st1) != 0 || st1.st_size != st0->st_size ||
		    st1.st_mtim.tv_sec != st0->st_mtim.tv_sec ||
		    st1.st_mtim.tv_nsec != st0->st_mtim.tv_nsec)) {
		rd_unfail(r);
		rc = rd_fail(r, GM_EDATA, 0, 0, "the file changed while it was read");
	} else if (changed) {
		/* A page missing from a file of the same size: the disk failed it. */
		rd_unfail(r);
		rc = rd_fail(r, GM_EDATA, 0, 0, "read error: a page of the mapped file could not be read");
	}
	if (opt->share != NULL && opt->share->size > 1 && (rc = opt->share->agree(rc, r->err)) != 0)
		r->failed = 1;	/* the first failing process's error, on all */
	/* A file with a header and one data row ends before on_record ran for it. */
	if (rc == 0 && !r->seen_header)
		rc = rd_fail(r, GM_EDATA, 0, 0, "empty file: no header and no data");
	if (rc == 0 && !r->resolved)
		rc = rd_fail(r, GM_EDATA, 0, 0, "no data rows after the header");
	if (rc == 0 && (opt->share ? opt->share->sum((long long)r->n) == 0 : r->n == 0) &&
	    opt->on_row == NULL) {
		if (opt->share) {
			ds->skipped = (size_t)opt->share->sum((long long)ds->skipped);
			ds->skipped_zero = (size_t)opt->share->sum((long long)ds->skipped_zero);
		}
		if (ds->skipped_zero > 0)
			rc = rd_fail(r, GM_EDATA, 0, 0,
				     "no rows to fit: %zu data row%s with a missing value, %zu with weight 0",
				     ds->skipped, ds->skipped == 1 ? "" : "s", ds->skipped_zero);
		else
			rc = rd_fail(r, GM_EDATA, 0, 0,
				     "no complete rows: all %zu data rows have a missing value",
				     ds->skipped);
	}
	return rc;
}

/* The rows and the chosen columns' names into r->ds.  0, or the status. */
static int
hand_over(struct reader *r)
{
	struct dataset *ds = r->ds;
	int rc = 0;

	if (r->n > 0 && r->n < r->cap) {
		/* Give back the unused tail. */
		double *x = realloc(r->x, r->n * r->d * sizeof *x);
		if (x != NULL)
			r->x = x;
		if (r->w != NULL && (x = realloc(r->w, r->n * sizeof *x)) != NULL)
			r->w = x;
	}
	ds->n = r->n;
	ds->d = r->d;
	ds->threads = r->opt->threads;
	ds->delimiter = r->delim;
	ds->delimiter_auto = !r->opt->delimiter_auto ? 0 : r->delim_found ? 1 : 2;
	ds->x = r->x;
	ds->w = r->w;
	ds->lines = r->lines;
	ds->left_out = r->left;
	ds->nleft = r->nleft;
	r->x = r->w = NULL;
	r->lines = r->left = NULL;
	ds->names = calloc(r->d, sizeof *ds->names);
	ds->colno = calloc(r->d, sizeof *ds->colno);
	if (ds->names == NULL || ds->colno == NULL)
		rc = rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	for (size_t i = 0; rc == 0 && i < r->d; i++) {
		ds->colno[i] = r->sel[i] + 1;
		ds->names[i] = strdup(r->header[r->sel[i]]);
		if (ds->names[i] == NULL)
			rc = rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	}
	if (rc == 0 && r->wcol >= 0 &&
	    (ds->weight_name = strdup(r->header[r->wcol])) == NULL)
		rc = rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	if (rc != 0)
		dataset_free(ds);
	return rc;
}

/* What the reader holds, freed. */
static void
reader_free(struct reader *r)
{
	for (size_t j = 0; j < r->ncols; j++)
		free(r->header[j]);
	free(r->header);
	free(r->hnul);
	for (size_t j = 0; j < r->nfirst; j++)
		free(r->first[j]);
	free(r->first);
	free(r->first_line);
	free(r->first_len);
	free(r->sel);
	free(r->slot);
	free(r->row);
	free(r->na_len);
	for (size_t j = 0; j < r->capfields; j++)
		free(r->fields[j]);
	free(r->fields);
	free(r->x);
	free(r->w);
	free(r->lines);
	free(r->left);
}

int
csvread_stream(FILE *fp, const char *path, const struct csvread_options *opt,
		struct dataset *ds, struct gm_error *err)
{
	struct reader r;
	struct stat st0;
	int rc, reg, changed = 0;

	memset(ds, 0, sizeof *ds);
	memset(&r, 0, sizeof r);
	r.opt = opt;
	r.path = path;
	r.err = err;
	r.ds = ds;
	r.wcol = -1;
	r.decimal = opt->decimal ? opt->decimal : '.';
	r.delim = opt->delimiter ? opt->delimiter : opt->delimiter_auto && r.decimal == ',' ? ';' : ',';
	/* A regular file's size and time now and after: did it change meanwhile? */
	reg = fstat(fileno(fp), &st0) == 0 && S_ISREG(st0.st_mode);
	if (opt->n_na > 0) {
		r.na_len = malloc(opt->n_na * sizeof *r.na_len);
		if (r.na_len == NULL)
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		for (size_t i = 0; i < opt->n_na; i++)
			r.na_len[i] = strlen(opt->na[i]);
	}
	rc = opt->share != NULL && opt->share->size > 1 ? read_shared(&r, fp, &changed) : -1;
	if (rc < 0)
		rc = read_parallel(&r, fp, &changed);
	if (rc < 0)
		rc = rd_read_stream(&r, fp);
	rc = check_whole(&r, fp, rc, reg, &st0, changed);
	if (rc == 0)
		rc = hand_over(&r);
	if (rc != 0) {
		free(ds->x);
		free(ds->w);
		memset(ds, 0, sizeof *ds);
	}
	reader_free(&r);
	return rc;
}
