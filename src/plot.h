/*
 * plot.h - figures: gnuplot scripts and the data files they draw.
 *
 * Every figure is a script PREFIX*.gp that reads data files beside it by
 * relative name and writes its image beside them (PREFIX*.png, .svg, .pdf,
 * or .tex plus .pdf for cairolatex):
 *
 *   one column:   PREFIX.gp      histogram (density) with the mixture and
 *                                each weighted component
 *                 PREFIX-cdf.gp  empirical CDF with the mixture CDF
 *                 PREFIX-qq.gp   sample quantiles against the mixture's
 *   2 columns:    PREFIX.gp      points coloured by their most likely
 *                                component, 1 and 2 sigma ellipses, means,
 *                                density contours
 *   3-6 columns:  PREFIX.gp      a matrix of those panels for every pair,
 *                                marginal histograms on the diagonal
 *   2+ columns:   PREFIX-uncertainty.gp  one pair's points coloured by
 *                                component, sized by 1 - max_k z_ik
 *   a K range:    PREFIX-bic.gp  BIC against K, one line per structure
 *
 * The files are opened as temporaries (outfile.h) and closed; the caller
 * commits them with the run's other outputs.
 */
#ifndef GMMFIT_PLOT_H
#define GMMFIT_PLOT_H

#include "dataset.h"
#include "error.h"
#include "fit.h"
#include "outfile.h"

#define PLOT_GRID 801		/* points of a 1-D density curve */
#define PLOT_MAX_BINS 1000
#define PLOT_MAX_PANEL_COLUMNS 6	/* above this, one pair is drawn */
#define PLOT_PAGE_WIDTH 4.5	/* inches: default width of pdf and cairolatex figures */
#define PLOT_PX_PER_IN 72.0	/* pixels per inch of --size with a unit, for png and svg */
#define PLOT_MAX_SIZE 20000.0	/* pixels (or inches of a bare number for a page) */
#define PLOT_MIN_INCHES 0.5	/* a --size with a unit, at least, each way */
#define PLOT_MAX_POINTS 20000	/* points drawn; more rows are thinned evenly */

enum plot_terminal {
	PLOT_PNG,
	PLOT_SVG,
	PLOT_PDF,
	PLOT_CAIROLATEX
};

struct plot_options {
	const char *prefix;
	enum plot_terminal terminal;
	size_t bins;		/* 0: Freedman-Diaconis */
	double width, height;	/* 0: default; see size_inches */
	int size_inches;	/* width, height in inches (a unit was given); else
				   pixels (png, svg) or inches (pdf, cairolatex) */
	const char *font;	/* "NAME,SIZE", or NULL */
	const char *title, *xlabel, *ylabel;	/* NULL: from the column names */
	long pair[2];		/* 0-based columns of the pair to draw; -1: all pairs */
};

struct plot_files {
	struct outfile *of;
	size_t n, cap;
};

/*
 * Write every figure for the chosen model of fr fitted to ds.  The opened
 * files are put in pf (which the caller commits or discards, then frees
 * with plot_files_free).  Returns GM_OK or an error status.
 */
int plot_write(const struct plot_options *po, const struct dataset *ds,
	       const struct fit_result *fr, struct plot_files *pf,
	       struct gm_error *err);

void plot_files_free(struct plot_files *pf);

/* True when ds has more columns than are drawn as a matrix of panels. */
int plot_one_pair_only(const struct dataset *ds);

/*
 * The number of histogram bins the Freedman-Diaconis rule gives for
 * column c of ds (Scott's rule when the IQR is 0), from 1 to PLOT_MAX_BINS.
 */
size_t plot_fd_bins(const struct dataset *ds, size_t c);

/*
 * --size W,H into po: two positive numbers, both bare (pixels for png and
 * svg, inches for pdf and cairolatex) or both with a unit (in, cm, mm, pt
 * as TeX's 1/72.27 in, bp).  Returns 0, or -1 when s is not such a pair.
 */
int plot_size_parse(const char *s, struct plot_options *po);

int plot_terminal_parse(const char *s, enum plot_terminal *t);


#endif
