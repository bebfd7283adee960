/*
 * meansfile.h - the starting means of --means FILE.
 *
 * FILE is a small CSV, one row per component.  Its first line is a header
 * that names the fitted columns, in any order (exactly, as the data's
 * header spells them), unless every field of it is a number: then there
 * is no header and the fields are the fitted columns in their order (so
 * one value per line does for one column).  Blank lines are skipped.
 * Fields are separated by the data's delimiter; when none was given, by
 * the first of ',', tab and ';' that the first line holds outside quotes
 * (';' with a decimal comma).  Every error names FILE:LINE:COLUMN.
 */
#ifndef GMMFIT_MEANSFILE_H
#define GMMFIT_MEANSFILE_H

#include <stddef.h>

#include "error.h"

/* The largest file read: a thousand rows of a thousand means fit well within it. */
#define MEANS_FILE_MAX ((size_t)64 << 20)

struct means_file_options {
	char delimiter;		/* 0: from the first line */
	char quote;		/* 0: '"' */
	char decimal;		/* '.' or ','; 0: '.' */
	size_t kmax;		/* the most rows (components) taken */
	double limit;		/* the largest size of a mean */
};

/* GM_OK when path can be opened (checked before the data are read), else GM_EDATA. */
int means_file_check(const char *path, struct gm_error *err);

/*
 * Read path for the d columns called names[0..d).  On GM_OK *means (k*d,
 * component by component, the columns in names' order; caller frees) and
 * *k >= 1 are set.  Otherwise GM_EDATA (or GM_EINTERNAL) with err filled.
 */
int means_file_read(const char *path, char *const *names, size_t d,
		    const struct means_file_options *opt, double **means, size_t *k,
		    struct gm_error *err);

/* The same on the text buf[0..len) (no NUL needed), named path in the messages. */
int means_file_parse(const char *path, const char *buf, size_t len, char *const *names,
		     size_t d, const struct means_file_options *opt, double **means, size_t *k,
		     struct gm_error *err);

#endif
