/*
 * csvread.h - read the selected numeric columns of a CSV file.
 *
 * The file is streamed through libcsv in fixed-size blocks; only the
 * selected columns' values are kept, so memory grows with n*d, not with
 * the file.  Lines and columns are counted here (libcsv reports neither),
 * so every error names FILE:LINE:COLUMN.
 */
#ifndef GMMFIT_CSVREAD_H
#define GMMFIT_CSVREAD_H

#include <stddef.h>
#include <stdio.h>

#include "dataset.h"
#include "error.h"

/* A data row, as handed to a streaming consumer. */
struct csvread_row {
	long line;		/* line the row starts on */
	const double *x;	/* d values of the selected columns (unset when missing) */
	int missing;		/* a selected field is missing */
	char *const *fields;	/* all fields' text (keep_fields), NUL-terminated */
	size_t nfields;
};

/*
 * The processes that read one file together, each its own byte range:
 * this one's rank among size, and their collective steps (all take part
 * in each, in the same order).  The parallel layer provides it
 * (par_team); the reader only calls it.
 */
struct csvread_team {
	int rank, size;
	int (*agree)(int rc, struct gm_error *err);	/* as par_agree */
	long long (*exscan_sum)(long long v);	/* sum over the lower ranks */
	int (*exscan_xor)(int v);		/* XOR over the lower ranks */
	long long (*sum)(long long v);		/* sum over all */
};

struct csvread_options {
	char delimiter;		/* field separator; 0 means ',' */
	int delimiter_auto;	/* choose among ',', ';' and tab from the first lines */
	char quote;		/* quote character; 0 means '"' */
	char decimal;		/* decimal separator, '.' or ','; 0 means '.' */
	int no_header;		/* the first row is data; columns are named 1, 2, .. */
	int na_error;		/* a missing value is an error, not a skipped row */
	int allow_ragged;	/* rows may have more or fewer fields than the header */
	const char *const *na;	/* extra missing-value tokens */
	size_t n_na;
	const char *columns;	/* column list (names, numbers, ranges, "all", -exclusions);
				 * NULL: first numeric */
	const char *const *names;	/* else, when set: n_names columns by exact name, in order */
	size_t n_names;
	const char *names_source;	/* whose names they are, for messages ("the model m.json") */
	const char *weights;	/* weight column (name or number), or NULL */
	int threads;		/* threads for a large regular file; 0: all cores */
	int keep_lines;		/* record each kept row's line, and the lines left out */
	const struct csvread_team *share;	/* with a team of several processes, read only
				 * this one's byte range of the file; errors are
				 * agreed among them.  NULL: alone */

	/*
	 * Streaming: when on_row is set, every data row (those with a missing
	 * value too) is handed to it in file order and nothing is kept; a
	 * non-zero return stops the reading with GM_EOUTPUT.  on_header, when
	 * set, gets the header's names once the columns are chosen.  With
	 * keep_fields, each row carries the text of all its fields.
	 */
	int (*on_row)(void *arg, const struct csvread_row *row);
	void (*on_header)(void *arg, char *const *names, size_t n);
	void *row_arg;
	int keep_fields;
};

/*
 * Read path ("-" is stdin) into ds.  On success returns GM_OK and ds owns
 * its arrays (release with dataset_free).  On failure returns the status,
 * fills err (err->file points at path) and leaves ds empty.
 */
int csvread_file(const char *path, const struct csvread_options *opt,
	     struct dataset *ds, struct gm_error *err);

/* The same from an open stream; name is used in messages (borrowed). */
int csvread_stream(FILE *fp, const char *name, const struct csvread_options *opt,
		    struct dataset *ds, struct gm_error *err);

#endif
