/*
 * plot.h - the figure: a gnuplot script and the data files it draws.
 *
 * For one column: PREFIX-hist.dat (a density histogram, total area 1),
 * PREFIX-fit.dat (the mixture density and each weighted component on a
 * fine grid) and PREFIX.gp, which names the data files relative to its own
 * directory and writes PREFIX.png (or .svg, .pdf, .tex) there.
 * The files are opened as temporaries (outfile.h) and closed; the caller
 * commits them with the rest of the run's outputs.
 */
#ifndef GMMFIT_PLOT_H
#define GMMFIT_PLOT_H

#include "dataset.h"
#include "error.h"
#include "gmm.h"
#include "outfile.h"

#define PLOT_MAX_FILES 8
#define PLOT_GRID 801		/* points of the fitted density */
#define PLOT_MAX_BINS 1000

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
};

/*
 * Write the figure's files for model g fitted to ds.  The opened files
 * are put in outs[0..*nouts).  Returns GM_OK or GM_EOUTPUT/GM_EINTERNAL
 * (files already opened are left in outs for the caller to discard).
 */
int plot_write(const struct plot_options *po, const struct dataset *ds,
	       const struct gmm *g, struct outfile *outs, size_t *nouts,
	       struct gm_error *err);

/*
 * The number of histogram bins the Freedman-Diaconis rule gives for
 * column 0 of ds (Scott's rule when the IQR is 0), between 1 and
 * PLOT_MAX_BINS.
 */
size_t plot_fd_bins(const struct dataset *ds);

int plot_terminal_parse(const char *s, enum plot_terminal *t);

#endif
