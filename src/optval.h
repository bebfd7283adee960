/*
 * optval.h - the values of command-line options, checked in full.
 *
 * A number is what a data file may hold (numparse.h: decimal, no hex,
 * inf or nan, spaces around allowed) and must lie in the option's range;
 * an integer is decimal digits only, within its limits.  Lists are
 * comma-separated, and an empty element is an error, never skipped.
 * A refusal is GM_EUSAGE with err filled: the message names the option,
 * the element of a list, the reason (not a number, beyond a double, out
 * of range) and the range or limit.  User text goes into the message as
 * given; gm_error_print and usage_error escape its control characters.
 * Nothing here prints, so the fuzz target (tests/fuzz/fuzz-opts.c) calls
 * the same functions the command line does.
 */
#ifndef GMMFIT_OPTVAL_H
#define GMMFIT_OPTVAL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * The values a number may take: [lo, hi], or (lo, hi] when lo_open; text
 * says so in the messages ("a positive number", "a number from 0 to 1").
 */
struct ov_range {
	double lo, hi;
	int lo_open;
	const char *text;
};

/*
 * Ranges the maths can hold.  A mean, like a data value, at most 1e150
 * in size: its square is a finite double.  An sd from 1e-150 to 1e150:
 * its square, the variance, is a normal double.  A variance floor (--reg)
 * at most 1e300, the largest variance of such values.
 */
#define OV_MEAN_MAX 1e150
#define OV_SD_MIN 1e-150
#define OV_SD_MAX 1e150
#define OV_REG_MAX 1e300

/* --size: pixels (png, svg) and inches (pdf, cairolatex). */
#define OV_SIZE_PIXELS_MIN 50.0
#define OV_SIZE_PIXELS_MAX 20000.0
#define OV_SIZE_INCHES_MIN 0.5
#define OV_SIZE_INCHES_MAX 200.0
/* --font NAME,SIZE: points. */
#define OV_FONT_MIN 1.0
#define OV_FONT_MAX 200.0

/* One number of range r into *out (negative zero becomes 0). */
int ov_number(const char *opt, const char *s, const struct ov_range *r, double *out,
	      struct gm_error *err);

/* A list of numbers of range r: *out (caller frees) and *n >= 1. */
int ov_list(const char *opt, const char *s, const struct ov_range *r, double **out,
	    size_t *n, struct gm_error *err);

/* An integer from min to max. */
int ov_size(const char *opt, const char *s, size_t min, size_t max, size_t *out,
	    struct gm_error *err);

/* An integer from 0 to 2^64 - 1 (--seed). */
int ov_u64(const char *opt, const char *s, uint64_t *out, struct gm_error *err);

/*
 * -k: "3", "1-9", "2,3,5", "1-3,6"; each K from 1 to max, none twice.
 * *out (caller frees) holds them in the order given.
 */
int ov_ks(const char *s, size_t max, size_t **out, size_t *n, struct gm_error *err);

/* --fix: weights, means, covariances (or the singular), comma-separated: EM_FIX_* bits. */
int ov_fix(const char *s, unsigned *fix, struct gm_error *err);

/* --size W,H: inches when inches, else pixels, within the OV_SIZE_* limits. */
int ov_figure_size(const char *s, int inches, double *w, double *h, struct gm_error *err);

/* --font NAME[,SIZE]: SIZE, when there, a number of points from OV_FONT_MIN to OV_FONT_MAX. */
int ov_font(const char *s, struct gm_error *err);

/*
 * --means: a value made only of what a list of numbers holds (digits,
 * signs, points, e and E, commas, spaces) is a list; anything else names
 * a file.  The file system is not asked, so the meaning never depends on
 * what the current directory holds.
 */
int ov_is_file(const char *s);

#endif
