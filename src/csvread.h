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

#include "dataset.h"
#include "error.h"

struct csv_options {
	char delimiter;		/* field separator; 0 means ',' */
	char quote;		/* quote character; 0 means '"' */
	char decimal;		/* decimal separator, '.' or ','; 0 means '.' */
	int no_header;		/* the first row is data; columns are named 1, 2, .. */
	int na_error;		/* a missing value is an error, not a skipped row */
	int allow_ragged;	/* rows may have more or fewer fields than the header */
	const char *const *na;	/* extra missing-value tokens */
	size_t n_na;
	const char *columns;	/* column list (names, numbers, ranges, "all"); NULL: first numeric */
	const char *weights;	/* weight column (name or number), or NULL */
};

/*
 * Read path ("-" is stdin) into ds.  On success returns GM_OK and ds owns
 * its arrays (release with dataset_free).  On failure returns the status,
 * fills err (err->file points at path) and leaves ds empty.
 */
int csv_read(const char *path, const struct csv_options *opt,
	     struct dataset *ds, struct gm_error *err);

#endif
