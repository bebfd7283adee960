/*
 * plotint.h - what the figure writers share (plot.c, plot1d.c, plot2d.c).
 */
#ifndef GMMFIT_PLOTINT_H
#define GMMFIT_PLOTINT_H

#include <stdio.h>

#include "plot.h"

/* Okabe and Ito's palette: distinguishable by colour-blind readers. */
extern const char *const plot_palette[];
#define PLOT_NCOLOURS 7

/* Components at least this heavy are resolved by the histogram's bins. */
#define PLOT_MIN_RESOLVED_WEIGHT 0.05

struct plot_ctx {
	const struct plot_options *po;
	const char *base;	/* last component of the prefix */
	struct plot_files *pf;
	struct gm_error *err;
	int latex;		/* labels are set by LaTeX */
};

/* Open PREFIX+suffix as a temporary; *fp is its stream. */
int plot_open(struct plot_ctx *pc, const char *suffix, FILE **fp);

/* Close the file opened last, checking its writes. */
int plot_close(struct plot_ctx *pc);

/* The figure's size (default dw x dh pixels): pixels for png and svg, inches for pdf and cairolatex. */
void plot_size(const struct plot_ctx *pc, double dw, double dh, double *w, double *h);

/*
 * A script's head: what it draws, the terminal (default size dw x dh in
 * pixels; scaled for the vector terminals) and its output PREFIX+suffix.EXT.
 */
void plot_head(FILE *fp, const struct plot_ctx *pc, const char *what,
	       const char *suffix, double dw, double dh);

/* A script's tail: unset output, and for PDF the reproducible date. */
void plot_tail(FILE *fp, const struct plot_ctx *pc, const char *suffix);

/* The font size of --font (for cairolatex, the document's), 10 by default. */
double plot_font_size(const struct plot_options *po);

/* Text inside a single-quoted gnuplot string (LaTeX-escaped for cairolatex). */
void plot_text(FILE *fp, const struct plot_ctx *pc, const char *s);

/* A data file's name as the script reads it: 'BASE+suffix'. */
void plot_file_ref(FILE *fp, const struct plot_ctx *pc, const char *suffix);

/*
 * Histogram layout of column c: first edge, width, number of bins.  With
 * bins_opt 0, the Freedman-Diaconis width, made no wider than the
 * narrowest sd in column c of g's components of weight at least
 * PLOT_MIN_RESOLVED_WEIGHT (g may be NULL), on the data's rounding grid.
 */
void plot_hist_layout(const struct dataset *ds, const struct gmm *g, size_t c,
		      size_t bins_opt, double *first, double *width, size_t *nb);

/* Write the histogram block of column c (density, total area 1); *peak (or NULL) its tallest bar. */
int plot_hist_block(FILE *fp, const struct dataset *ds, const struct gmm *g, size_t c,
		    size_t bins_opt, double *peak);

/*
 * The x range of column c's figures: the grid of the curve (the data's
 * range and 10% more each side, within the data's natural bounds: not
 * below 0 for values >= 0, not above 0 for values <= 0, not beyond 1 for
 * values in [0, 1]) and the histogram's bins.
 */
void plot_axis_range(const struct dataset *ds, const struct gmm *g, size_t c,
		     size_t bins_opt, double *a, double *b);

/* Write the marginal mixture density of column c on a grid: x mixture comp1..; *peak (or NULL) its largest value. */
void plot_fit_block(FILE *fp, const struct dataset *ds, const struct gmm *g, size_t c,
		    double *peak);

/*
 * The height of a line of the figure's text, in points for pdf and
 * cairolatex, pixels for png and svg; *per_unit: that many per unit of
 * plot_size's height (72 or 72.27 per inch, 1 per pixel).
 */
double plot_line_height(const struct plot_ctx *pc, double *per_unit);

/* The share of a figure's plot height (default dh pixels) that a key of nlines lines takes. */
double plot_key_share(const struct plot_ctx *pc, double dw, double dh, size_t nlines);

/*
 * How much taller (in the units of a default size dw wide) a figure
 * grows for a key of nlines lines set below its plot, so that the plot
 * keeps its height: a default size only (plot_size ignores it otherwise).
 */
double plot_key_extra(const struct plot_ctx *pc, double dw, size_t nlines);

int plot_1d(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g);
int plot_2d(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g);

#endif
