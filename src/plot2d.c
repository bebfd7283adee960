/*
 * plot2d.c - scatter plots with component ellipses and density contours,
 * for two columns or a matrix of pairs (see plot.h).
 *
 * Ellipses: the points mu + r L (cos t, sin t), L the Cholesky factor of
 * the pair's 2x2 covariance, are where the Mahalanobis distance is r
 * (r = 1 and 2: the 1 and 2 sigma ellipses).  Contours: the pair's
 * marginal mixture density on a grid, traced by marching squares at the
 * levels that hold 25%, 50%, 75% and 95% of the drawn points inside
 * (levels: quantiles of the density at the points).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plotint.h"

#define ELLIPSE_POINTS 121
#define CONTOUR_GRID 120
#define NLEVELS 4
#define LOG_2PI 1.8378770664093454835606594728112

static const double level_mass[NLEVELS] = { 0.95, 0.75, 0.50, 0.25 };

/* The pair's marginal: 2x2 covariance of component j. */
static void
pair_cov(const struct gmm *g, size_t j, size_t p, size_t q, double s[3])
{
	const size_t d = g->d;
	const double *cv = g->cov + j * d * d;

	s[0] = cv[p * d + p];
	s[1] = cv[p * d + q];
	s[2] = cv[q * d + q];
}

/* log of the pair's marginal mixture density at (x, y). */
static double
pair_logdensity(const struct gmm *g, size_t p, size_t q, double x, double y)
{
	double m = -INFINITY, s = 0.0;

	/*
	 * log-sum-exp in one pass, with a running maximum: every component
	 * counts, whatever K (no array of K terms).
	 */
	for (size_t j = 0; j < g->k; j++) {
		double c[3], l11, l21, l22, z1, z2, lp;
		pair_cov(g, j, p, q, c);
		l11 = sqrt(c[0]);
		l21 = c[1] / l11;
		l22 = sqrt(fmax(c[2] - l21 * l21, 1e-300));
		z1 = (x - g->mean[j * g->d + p]) / l11;
		z2 = (y - g->mean[j * g->d + q] - l21 * z1) / l22;
		lp = log(g->weight[j]) - LOG_2PI - log(l11 * l22) - 0.5 * (z1 * z1 + z2 * z2);
		if (!(lp > -INFINITY))
			continue;
		if (lp > m) {
			s = s * exp(m - lp) + 1.0;
			m = lp;
		} else {
			s += exp(lp - m);
		}
	}
	return m + log(s);
}

/* Rows drawn: every step-th, so at most PLOT_MAX_POINTS. */
static size_t
point_step(const struct dataset *ds)
{
	return ds->n / PLOT_MAX_POINTS + (ds->n % PLOT_MAX_POINTS != 0);
}

/*
 * The rows drawn (every point_step-th: *m of them, d values each, into
 * *rows), each one's most likely component (*best, 0-based) and its
 * uncertainty 1 - max_k z_ik (*u).  The caller frees the three arrays.
 */
static int
drawn_rows(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g,
	   double **rows, size_t **best, double **u, size_t *m)
{
	const size_t d = ds->d, step = point_step(ds), cap = ds->n / step + 1;
	double *lp = malloc(g->k * sizeof *lp), *z = malloc(d * sizeof *z);

	*rows = malloc(cap * d * sizeof **rows);
	*best = malloc(cap * sizeof **best);
	*u = malloc(cap * sizeof **u);
	if (lp == NULL || z == NULL || *rows == NULL || *best == NULL || *u == NULL) {
		free(lp);
		free(z);
		free(*rows);
		free(*best);
		free(*u);
		*rows = *u = NULL;
		*best = NULL;
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	*m = dataset_every(ds, step, *rows, NULL);
	for (size_t i = 0; i < *m; i++) {
		double top, sum = 0.0;
		size_t b = 0;
		gmm_log_components(g, *rows + i * d, lp, z);
		for (size_t j = 1; j < g->k; j++)
			if (lp[j] > lp[b])
				b = j;
		top = lp[b];
		for (size_t j = 0; j < g->k; j++)
			sum += exp(lp[j] - top);
		/* max_k z_ik = 1 / sum_j exp(lp_j - lp_best) */
		(*best)[i] = b;
		(*u)[i] = fmax(0.0, 1.0 - 1.0 / sum);
	}
	free(lp);
	free(z);
	return GM_OK;
}

static int
write_points(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g)
{
	const size_t d = ds->d, step = point_step(ds);
	double *rows, *u;
	size_t m, *best;
	FILE *fp;
	int rc;

	if ((rc = drawn_rows(pc, ds, g, &rows, &best, &u, &m)))
		return rc;
	if ((rc = plot_open(pc, "-points.dat", &fp))) {
		free(rows);
		free(best);
		free(u);
		return rc;
	}
	fputs("#", fp);
	for (size_t c = 0; c < d; c++)
		fprintf(fp, " x%zu", c + 1);
	fputs(" component (the most likely one", fp);
	if (step > 1)
		fprintf(fp, "; every %zu-th row of %zu", step, ds->n);
	fputs(")\n", fp);
	for (size_t i = 0; i < m; i++) {
		for (size_t c = 0; c < d; c++)
			fprintf(fp, "%.12g ", rows[i * d + c]);
		fprintf(fp, "%zu\n", best[i] + 1);
	}
	free(rows);
	free(best);
	free(u);
	if ((rc = plot_close(pc)))
		return rc;
	if ((rc = plot_open(pc, "-means.dat", &fp)))
		return rc;
	fputs("# component weight", fp);
	for (size_t c = 0; c < d; c++)
		fprintf(fp, " mean%zu", c + 1);
	fputc('\n', fp);
	for (size_t j = 0; j < g->k; j++) {
		fprintf(fp, "%zu %.12g", j + 1, g->weight[j]);
		for (size_t c = 0; c < d; c++)
			fprintf(fp, " %.12g", g->mean[j * d + c]);
		fputc('\n', fp);
	}
	return plot_close(pc);
}

/* One index block per pair: per component, the 1 sigma then the 2 sigma ellipse. */
static void
write_ellipses(FILE *fp, const struct gmm *g, size_t p, size_t q)
{
	for (size_t j = 0; j < g->k; j++)
		for (int r = 1; r <= 2; r++) {
			double c[3], l11, l21, l22;
			pair_cov(g, j, p, q, c);
			l11 = sqrt(c[0]);
			l21 = c[1] / l11;
			l22 = sqrt(fmax(c[2] - l21 * l21, 0.0));
			fprintf(fp, "# component %zu, %d sigma\n", j + 1, r);
			for (size_t i = 0; i < ELLIPSE_POINTS; i++) {
				double t = 2.0 * 3.14159265358979323846 * (double)i /
					   (double)(ELLIPSE_POINTS - 1);
				double u = r * cos(t), v = r * sin(t);
				fprintf(fp, "%.12g %.12g\n", g->mean[j * g->d + p] + l11 * u,
					g->mean[j * g->d + q] + l21 * u + l22 * v);
			}
			fputc('\n', fp);
		}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Where the level crosses the edge from (xa, fa) to (xb, fb). */
static double
cross(double xa, double fa, double xb, double fb, double level)
{
	return xa + (xb - xa) * (level - fa) / (fb - fa);
}

/* Marching squares over the grid f (n x n, f[iy * n + ix]), one level. */
static void
march(FILE *fp, const double *f, size_t n, double x0, double dx, double y0,
      double dy, double level)
{
	for (size_t iy = 0; iy + 1 < n; iy++)
		for (size_t ix = 0; ix + 1 < n; ix++) {
			double f00 = f[iy * n + ix], f10 = f[iy * n + ix + 1];
			double f01 = f[(iy + 1) * n + ix], f11 = f[(iy + 1) * n + ix + 1];
			double xl = x0 + dx * (double)ix, xr = xl + dx;
			double yb = y0 + dy * (double)iy, yt = yb + dy;
			double px[4], py[4];
			int np = 0, centre_in;
			/* Edge crossings in the order bottom, right, top, left. */
			if ((f00 > level) != (f10 > level)) {
				px[np] = cross(xl, f00, xr, f10, level);
				py[np++] = yb;
			}
			if ((f10 > level) != (f11 > level)) {
				px[np] = xr;
				py[np++] = cross(yb, f10, yt, f11, level);
			}
			if ((f01 > level) != (f11 > level)) {
				px[np] = cross(xl, f01, xr, f11, level);
				py[np++] = yt;
			}
			if ((f00 > level) != (f01 > level)) {
				px[np] = xl;
				py[np++] = cross(yb, f00, yt, f01, level);
			}
			if (np == 2) {
				fprintf(fp, "%.10g %.10g\n%.10g %.10g\n\n", px[0], py[0], px[1], py[1]);
			} else if (np == 4) {
				/* A saddle: the centre's value decides which corners join. */
				centre_in = (f00 + f10 + f01 + f11) / 4.0 > level;
				if (centre_in == (f00 > level))
					fprintf(fp, "%.10g %.10g\n%.10g %.10g\n\n%.10g %.10g\n%.10g %.10g\n\n",
						px[0], py[0], px[1], py[1], px[2], py[2], px[3], py[3]);
				else
					fprintf(fp, "%.10g %.10g\n%.10g %.10g\n\n%.10g %.10g\n%.10g %.10g\n\n",
						px[0], py[0], px[3], py[3], px[1], py[1], px[2], py[2]);
			}
		}
}

/* One index block per pair: contour segments (pairs of points), all levels. */
static int
write_contours(FILE *fp, const struct dataset *ds, const struct gmm *g, size_t p,
	       size_t q)
{
	const size_t n = CONTOUR_GRID, step = point_step(ds);
	size_t m = 0;
	double xlo, xhi, ylo, yhi, dx, dy, *f = malloc(n * n * sizeof *f);
	double *dens = malloc((ds->n / step + 1) * sizeof *dens);
	double *rows = malloc((ds->n / step + 1) * ds->d * sizeof *rows);

	if (f == NULL || dens == NULL || rows == NULL) {
		free(f);
		free(dens);
		free(rows);
		return -1;
	}
	m = dataset_every(ds, step, rows, NULL);
	/*
	 * The grid reaches a quarter of the axes' span beyond them, so a
	 * contour runs on to the plot's edge (where gnuplot clips it) or
	 * closes, instead of stopping open inside the plot.
	 */
	plot_axis_range(ds, g, p, 0, &xlo, &xhi);
	plot_axis_range(ds, g, q, 0, &ylo, &yhi);
	dx = fmax(xhi - xlo, 1e-300);
	dy = fmax(yhi - ylo, 1e-300);
	xlo -= 0.25 * dx;
	ylo -= 0.25 * dy;
	dx *= 1.5 / (double)(n - 1);
	dy *= 1.5 / (double)(n - 1);
	for (size_t iy = 0; iy < n; iy++)
		for (size_t ix = 0; ix < n; ix++)
			f[iy * n + ix] = pair_logdensity(g, p, q, xlo + dx * (double)ix,
							 ylo + dy * (double)iy);
	for (size_t i = 0; i < m; i++)
		dens[i] = pair_logdensity(g, p, q, rows[i * ds->d + p], rows[i * ds->d + q]);
	free(rows);
	qsort(dens, m, sizeof *dens, cmp_double);
	for (int l = 0; l < NLEVELS; l++) {
		/* The level with a share level_mass of the points above it. */
		size_t at = (size_t)floor((1.0 - level_mass[l]) * (double)(m - 1));
		fprintf(fp, "# contour holding %.0f%% of the points\n", 100 * level_mass[l]);
		march(fp, f, n, xlo, dx, ylo, dy, dens[at]);
	}
	free(f);
	free(dens);
	return 0;
}

/* A name inside a data file's # comment: control bytes (line ends) become spaces. */
static void
comment_text(FILE *fp, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, fp);
}

static void
legend_title(FILE *fp, const struct gmm *g, size_t j, const size_t *cols, size_t nc)
{
	fprintf(fp, "%zu: w = %.3f, mean = (", j + 1, g->weight[j]);
	for (size_t c = 0; c < nc; c++)
		fprintf(fp, "%s%.4g", c ? ", " : "", g->mean[j * g->d + cols[c]]);
	fputc(')', fp);
}

/* The plot command of one scatter panel: x = column p, y = column q (1-based in points.dat). */
static void
scatter_panel(FILE *fp, const struct plot_ctx *pc, const struct gmm *g, size_t pair_index,
	      size_t p, size_t q, int with_titles)
{
	const size_t pcols[2] = { p, q };

	fputs("plot ", fp);
	plot_file_ref(fp, pc, "-points.dat");
	fprintf(fp, " using %zu:%zu:%zu with points pt 7 ps 0.5 lc variable notitle",
		p + 1, q + 1, g->d + 1);
	fputs(", \\\n     ", fp);
	plot_file_ref(fp, pc, "-contours.dat");
	fprintf(fp, " index %zu with lines lw 1 dt 1 lc rgb '#888888' ", pair_index);
	if (with_titles) {
		fputs("title '", fp);
		plot_text(fp, pc, "density (25, 50, 75, 95%)");
		fputc('\'', fp);
	} else {
		fputs("notitle", fp);
	}
	for (size_t j = 0; j < g->k; j++) {
		fputs(", \\\n     ", fp);
		plot_file_ref(fp, pc, "-ellipses.dat");
		fprintf(fp, " index %zu every :::%zu::%zu with lines lw 2 lt %zu ",
			pair_index, 2 * j, 2 * j, j + 1);
		if (with_titles) {
			fputs("title '", fp);
			legend_title(fp, g, j, pcols, 2);
			fputs("'", fp);
		} else {
			fputs("notitle", fp);
		}
		fputs(", \\\n     ", fp);
		plot_file_ref(fp, pc, "-ellipses.dat");
		fprintf(fp, " index %zu every :::%zu::%zu with lines lw 1 lt %zu notitle",
			pair_index, 2 * j + 1, 2 * j + 1, j + 1);
	}
	fputs(", \\\n     ", fp);
	plot_file_ref(fp, pc, "-means.dat");
	/* Small marks: large ones hid the points of small components. */
	fprintf(fp, " using %zu:%zu with points pt 1 ps 1.2 lw 1.5 lc rgb '#000000' %s\n",
		p + 3, q + 3, with_titles ? "title 'means'" : "notitle");
}

/*
 * A tick step giving at most about n ticks on [a, b]: 1, 2 or 5 times a
 * power of ten.  gnuplot's own choice crowds a small panel's axis until
 * the labels run together.
 */
static double
tick_step(double a, double b, double n)
{
	double raw = (b - a) / n, p, f;

	if (!(raw > 0.0) || !isfinite(raw))
		return 0.0;
	p = pow(10.0, floor(log10(raw)));
	f = raw / p;
	return (f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0) * p;
}

/*
 * A panel's ticks on [a, b]: about n, every tick_step, none within 12%
 * of either end.  The matrix's panels stand close together, and a label
 * at the end of one panel's axis ran into the one at the start of the
 * next.  When that leaves fewer than two ticks, the step shrinks (5, 2,
 * 1 times a power of ten) until it does not.
 */
static void
panel_tics(FILE *fp, char which, double a, double b, double n)
{
	double st = tick_step(a, b, n), lo = a + 0.12 * (b - a), hi = b - 0.12 * (b - a);
	double first = 0.0, last = -1.0;

	if (!(st > 0.0))
		return;
	for (int i = 0; i < 6; i++) {
		double p = pow(10.0, floor(log10(st) + 1e-9)), f = st / p;
		first = ceil(lo / st - 1e-9) * st;
		last = floor(hi / st + 1e-9) * st;
		if (last - first >= 0.5 * st)
			break;
		st = (f > 4.0 ? 2.0 : f > 1.5 ? 1.0 : 0.5) * p;
	}
	if (last >= first)
		fprintf(fp, "set %ctics %.12g, %.12g, %.12g\n", which, first, st, last + 0.25 * st);
}

/* set xrange (or yrange) to column c's range, and with n > 0 a panel's ticks, about n (panel_tics). */
static void
axis(FILE *fp, const struct dataset *ds, const struct gmm *g, size_t c, size_t bins,
     char which, double n)
{
	double a, b;

	plot_axis_range(ds, g, c, bins, &a, &b);
	fprintf(fp, "set %crange [%.12g:%.12g]\n", which, a, b);
	if (n > 0.0)
		panel_tics(fp, which, a, b, n);
}

/*
 * One line type per component: a colour of the palette and a dash
 * pattern of its own (solid, dashes, dots, dash-dot, ...), so a greyscale
 * print still tells the components apart.  The 1 sigma ellipse is drawn
 * thick, the 2 sigma one thin, in the component's pattern.
 */
static void
set_linetypes(FILE *fp, const struct gmm *g)
{
	static const char *const dashes[] = { "solid", "(12,6)", "(3,4)", "(12,4,3,4)",
					      "(24,6)", "(12,4,3,4,3,4)", "(6,6)" };

	for (size_t j = 0; j < g->k; j++)
		fprintf(fp, "set linetype %zu lc rgb '%s' dt %s\n", j + 1,
			plot_palette[j % PLOT_NCOLOURS], dashes[(j + j / PLOT_NCOLOURS) % 7]);
}

/*
 * The matrix's legend, in the top right corner: a key placed on the
 * canvas (screen coordinates, top at the panels' top edge) at the right
 * edge and drawn from there to the left, over the empty panels above the
 * diagonal.  Its entries give each component's weight and mean vector
 * when they fit in the width of those panels (characters of about 0.55
 * of a line), its weight alone when not (many columns on a page: gnuplot
 * drew an empty box then).  keyentry gives the entries (a plot of NaN has
 * none); the panel's own axes are hidden.
 */
static void
legend_panel(FILE *fp, const struct plot_ctx *pc, const struct gmm *g, const size_t *cols,
	     size_t nc, double width, double top)
{
	size_t longest = 0;
	int means;

	for (size_t j = 0; j < g->k; j++) {
		/* The entry's length: legend_title into no file. */
		char buf[64];
		size_t len = (size_t)snprintf(buf, sizeof buf, "%zu: w = %.3f, mean = (", j + 1,
					      g->weight[j]);
		for (size_t c = 0; c < nc; c++)
			len += (size_t)snprintf(buf, sizeof buf, "%s%.4g", c ? ", " : "",
						g->mean[j * g->d + cols[c]]);
		longest = len + 1 > longest ? len + 1 : longest;
	}
	means = (double)(longest + 4) * 0.55 <= width * (double)(nc - 1) / (double)nc;
	fputs("unset border\nunset xtics\nunset ytics\nunset xlabel\nunset ylabel\n"
	      "set xrange [0:1]\nset yrange [0:1]\n", fp);
	fprintf(fp, "set key at screen 0.99, screen %.4f right top reverse Left box opaque samplen 2%s\n",
		top, pc->latex && means ? " width -6" : "");
	fputs("plot NaN notitle", fp);
	for (size_t j = 0; j < g->k; j++) {
		fprintf(fp, ", \\\n     keyentry with lines lw 2 lt %zu title '", j + 1);
		if (means)
			legend_title(fp, g, j, cols, nc);
		else
			fprintf(fp, "%zu: w = %.3f", j + 1, g->weight[j]);
		fputs("'", fp);
	}
	fputs("\nunset key\n", fp);
}

/*
 * The columns of a key set below a 2-D figure: in png and svg (800
 * pixels wide by default) up to maxcols side by side; on a page (pdf,
 * cairolatex) one, as gnuplot sets the long entries there anyway: a
 * margin reckoned for two columns put the key on the x label.
 */
static size_t
key_cols(const struct plot_ctx *pc, size_t maxcols)
{
	return pc->po->terminal == PLOT_PDF || pc->po->terminal == PLOT_CAIROLATEX ? 1 : maxcols;
}

/*
 * The uncertainty figure of the pair (p, q): each drawn row's point in
 * its most likely component's colour, sized by its uncertainty
 * u = 1 - max_k z_ik (0 for a certain row, at most 1 - 1/K), as mclust's
 * uncerPlot.  The data: x y component uncertainty size.
 */
static int
plot_uncertainty(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g,
		 size_t p, size_t q)
{
	const struct plot_options *po = pc->po;
	const size_t d = ds->d, step = point_step(ds);
	const double umax = 1.0 - 1.0 / (double)g->k;
	const size_t cols_key = key_cols(pc, 3), nkey = g->k + (g->k > 1 ? 2 : 1);
	const size_t rows_key = (nkey + cols_key - 1) / cols_key;
	double *rows, *u;
	size_t m, *best;
	FILE *fp;
	int rc;

	if ((rc = drawn_rows(pc, ds, g, &rows, &best, &u, &m)))
		return rc;
	if ((rc = plot_open(pc, "-uncertainty.dat", &fp))) {
		free(rows);
		free(best);
		free(u);
		return rc;
	}
	fputs("# x y component uncertainty size (x, y: columns ", fp);
	comment_text(fp, ds->names[p]);
	fputs(", ", fp);
	comment_text(fp, ds->names[q]);
	fputs("; uncertainty 1 - max_k z_ik", fp);
	if (step > 1)
		fprintf(fp, "; every %zu-th row of %zu", step, ds->n);
	fputs(")\n", fp);
	for (size_t i = 0; i < m; i++)
		fprintf(fp, "%.12g %.12g %zu %.6g %.4g\n", rows[i * d + p], rows[i * d + q], best[i] + 1,
			u[i], 0.3 + 2.7 * (umax > 0.0 ? u[i] / umax : 0.0));
	free(rows);
	free(best);
	free(u);
	if ((rc = plot_close(pc)))
		return rc;

	if ((rc = plot_open(pc, "-uncertainty.gp", &fp)))
		return rc;
	plot_head(fp, pc, "Points coloured by their most likely component and sized by the "
		  "uncertainty of that classification, 1 - max_k z_ik.", "-uncertainty", 800,
		  600 + plot_key_extra(pc, 800, rows_key));
	set_linetypes(fp, g);
	fputs("set title '", fp);
	plot_text(fp, pc, po->title ? po->title :
		  "Classification uncertainty (point size: 1 - largest membership probability)");
	fputs("'\nset xlabel '", fp);
	plot_text(fp, pc, po->xlabel ? po->xlabel : ds->names[p]);
	fputs("'\nset ylabel '", fp);
	plot_text(fp, pc, po->ylabel ? po->ylabel : ds->names[q]);
	fprintf(fp, "'\nset key below box samplen 1 maxcols %zu\nset border 3\nset tics nomirror\n",
		cols_key);
	fprintf(fp, "set bmargin %zu\n", rows_key + 5);
	axis(fp, ds, g, p, po->bins, 'x', 0.0);
	axis(fp, ds, g, q, po->bins, 'y', 0.0);
	fputs("plot ", fp);
	plot_file_ref(fp, pc, "-uncertainty.dat");
	fputs(" using 1:2:5:3 with points pt 7 ps variable lc variable notitle", fp);
	for (size_t j = 0; j < g->k; j++)
		fprintf(fp, ", \\\n     keyentry with points pt 7 ps 1 lt %zu title 'component %zu'",
			j + 1, j + 1);
	fputs(", \\\n     keyentry with points pt 7 ps 0.3 lc rgb '#777777' title 'certain (0)'", fp);
	if (g->k > 1)
		fprintf(fp, ", \\\n     keyentry with points pt 7 ps 3 lc rgb '#777777' "
			"title 'most uncertain (%.3g)'", umax);
	fputc('\n', fp);
	plot_tail(fp, pc, "-uncertainty");
	return plot_close(pc);
}

/* The columns drawn: the pair asked for, the first two when there are too many, or all. */
static size_t
drawn_columns(const struct plot_options *po, const struct dataset *ds, size_t *cols)
{
	size_t nc;

	if (po->pair[0] >= 0) {
		cols[0] = (size_t)po->pair[0];
		cols[1] = (size_t)po->pair[1];
		nc = 2;
	} else if (plot_one_pair_only(ds)) {
		cols[0] = 0;
		cols[1] = 1;
		nc = 2;
	} else {
		nc = ds->d;
		for (size_t c = 0; c < nc; c++)
			cols[c] = c;
	}
	return nc;
}

/* PREFIX-ellipses.dat: pairs in the order (r, c), r > c, row by row. */
static int
ellipses_file(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g,
	      const size_t *cols, size_t nc)
{
	const int matrix = nc > 2;
	size_t npairs = 0;
	FILE *fp;
	int rc;

	if ((rc = plot_open(pc, "-ellipses.dat", &fp)))
		return rc;
	fputs("# x y: per pair of columns (gnuplot index), per component the 1 sigma\n"
	      "# then the 2 sigma ellipse (blocks)\n", fp);
	for (size_t r = 1; r < nc; r++)
		for (size_t c = 0; c < r; c++) {
			size_t x = matrix ? cols[c] : cols[0], y = matrix ? cols[r] : cols[1];
			fprintf(fp, "%s# pair ", npairs ? "\n" : "");
			comment_text(fp, ds->names[x]);
			fputs(" / ", fp);
			comment_text(fp, ds->names[y]);
			fputc('\n', fp);
			write_ellipses(fp, g, x, y);
			npairs++;
		}
	return plot_close(pc);
}

/* PREFIX-contours.dat: the pairs in the order of the ellipses. */
static int
contours_file(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g,
	      const size_t *cols, size_t nc)
{
	const int matrix = nc > 2;
	size_t npairs = 0;
	FILE *fp;
	int rc;

	if ((rc = plot_open(pc, "-contours.dat", &fp)))
		return rc;
	fputs("# x y: segments of the mixture density's contours, per pair of columns\n", fp);
	for (size_t r = 1; r < nc; r++)
		for (size_t c = 0; c < r; c++) {
			size_t x = matrix ? cols[c] : cols[0], y = matrix ? cols[r] : cols[1];
			fprintf(fp, "%s# pair ", npairs++ ? "\n\n" : "");
			comment_text(fp, ds->names[x]);
			fputs(" / ", fp);
			comment_text(fp, ds->names[y]);
			fputc('\n', fp);
			if (write_contours(fp, ds, g, x, y))
				return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		}
	return plot_close(pc);
}

/*
 * The matrix's diagonal: PREFIX-hist.dat and PREFIX-fit.dat, a block per
 * column; peak[c] the highest bar or curve of column c's panel.
 */
static int
marginal_files(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g,
	       const size_t *cols, size_t nc, double *peak)
{
	FILE *fp;
	int rc;

	if ((rc = plot_open(pc, "-hist.dat", &fp)))
		return rc;
	for (size_t c = 0; c < nc; c++) {
		fprintf(fp, "%s# column ", c ? "\n\n" : "");
		comment_text(fp, ds->names[cols[c]]);
		fputc('\n', fp);
		if (plot_hist_block(fp, ds, g, cols[c], pc->po->bins, &peak[c]))
			return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	if ((rc = plot_close(pc)))
		return rc;
	if ((rc = plot_open(pc, "-fit.dat", &fp)))
		return rc;
	for (size_t c = 0; c < nc; c++) {
		fprintf(fp, "%s# column ", c ? "\n\n" : "");
		comment_text(fp, ds->names[cols[c]]);
		fputc('\n', fp);
		double fpeak;
		plot_fit_block(fp, ds, g, cols[c], &fpeak);
		peak[c] = fmax(peak[c], fpeak);
	}
	return plot_close(pc);
}

/* The script of one pair: the scatter, its ellipses and contours, the key below. */
static void
pair_script(FILE *fp, struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g,
	    const size_t *cols)
{
	const struct plot_options *po = pc->po;
	const size_t cols_key = key_cols(pc, 2), rows_key = (g->k + 2 + cols_key - 1) / cols_key;
	char title[512];
	plot_head(fp, pc, "Points coloured by their most likely component, 1 and 2 sigma "
		  "ellipses, means and density contours of the fitted mixture.", "", 800,
		  600 + plot_key_extra(pc, 800, rows_key));
	set_linetypes(fp, g);
	snprintf(title, sizeof title, "%zu-component Gaussian mixture (%s covariance)",
		 g->k, gmm_cov_name(g->cov_type));
	fputs("set title '", fp);
	plot_text(fp, pc, po->title ? po->title : title);
	fputs("'\nset xlabel '", fp);
	plot_text(fp, pc, po->xlabel ? po->xlabel : ds->names[cols[0]]);
	fputs("'\nset ylabel '", fp);
	plot_text(fp, pc, po->ylabel ? po->ylabel : ds->names[cols[1]]);
	/* gnuplot reckons LaTeX's text of an entry (36 characters) about 11 characters wider than it is. */
	fprintf(fp, "'\nset key below box samplen 2 maxcols %zu%s\n"
		"set border 3\nset tics nomirror\n", cols_key, pc->latex ? " width -11" : "");
	/*
	 * gnuplot leaves too little room below for a boxed key and the
	 * x label both: the key's rows and 5 lines.  The figure grows
	 * by the key's height, so that the plot keeps its own.
	 */
	fprintf(fp, "set bmargin %zu\n", rows_key + 5);
	axis(fp, ds, g, cols[0], po->bins, 'x', 0.0);
	axis(fp, ds, g, cols[1], po->bins, 'y', 0.0);
	scatter_panel(fp, pc, g, 0, cols[0], cols[1], 1);
}

/* What the matrix's panels share: their tick count and format, the y label's offset. */
struct matrix_look {
	double ticks;
	const char *fmt, *yoff;
};

/* Panel (r, c) of the matrix, at or below the diagonal: a histogram (r == c) or a scatter. */
static void
matrix_panel(FILE *fp, struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g,
	     const size_t *cols, const double *peak, const struct matrix_look *ml,
	     size_t r, size_t c, size_t nc)
{
	const struct plot_options *po = pc->po;
	const int bottom = r + 1 == nc, left = c == 0;
	const double ticks = ml->ticks;
	const char *fmt = ml->fmt, *yoff = ml->yoff;

	/* The panel's axes, named whether or not the labels are drawn. */
	fputs(": x ", fp);
	comment_text(fp, ds->names[cols[c]]);
	fputs(", y ", fp);
	if (r == c)
		fputs("density", fp);
	else
		comment_text(fp, ds->names[cols[r]]);
	fputc('\n', fp);
	fputs("set border 3\nset xtics nomirror\nset ytics nomirror\nset xlabel '", fp);
	if (bottom)
		plot_text(fp, pc, ds->names[cols[c]]);
	fprintf(fp, "'\nset format x '%s'\nset format y '%s'\n", bottom ? fmt : "",
		left ? fmt : "");
	axis(fp, ds, g, cols[c], po->bins, 'x', ticks);
	if (r == c) {
		double top = peak[r] > 0.0 ? 1.05 * peak[r] : 1.0;
		fprintf(fp, "set ylabel '%s'%s\nset yrange [0:%.6g]\n",
			left ? "density" : "", yoff, top);
		panel_tics(fp, 'y', 0.0, top, ticks);
		fputs("plot ", fp);
		plot_file_ref(fp, pc, "-hist.dat");
		fprintf(fp, " index %zu using 3:4:($2-$1) with boxes lc rgb '#999999', \\\n     ", r);
		plot_file_ref(fp, pc, "-fit.dat");
		fprintf(fp, " index %zu using 1:2 with lines lw 2 lc rgb '#000000'\n", r);
	} else {
		fputs("set ylabel '", fp);
		if (left)
			plot_text(fp, pc, ds->names[cols[r]]);
		fprintf(fp, "'%s\n", yoff);
		axis(fp, ds, g, cols[r], po->bins, 'y', ticks);
		/* Pair index of (r, c): pairs before row r, plus c. */
		scatter_panel(fp, pc, g, r * (r - 1) / 2 + c, cols[c], cols[r], 0);
	}
}

/* The script of the matrix of panels: pairs below the diagonal, histograms on it, the legend top right. */
static void
matrix_script(FILE *fp, struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g,
	      const size_t *cols, size_t nc, const double *peak)
{
	const struct plot_options *po = pc->po;
	const int page = po->terminal == PLOT_PDF || pc->latex;
	/*
	 * A few ticks: a panel is a few centimetres wide (on a page of
	 * 4.5 in, 0.6 in for 6 columns), and LaTeX sets its labels in
	 * the document's font.
	 */
	const double side = 260.0, ticks = page ? 3.0 : 4.0;
	/* Tick labels small: LaTeX's own \scriptsize, the terminal's 8 points. */
	const char *fmt = pc->latex ? "\\scriptsize $%h$" : "% h";
	/* gnuplot counts "\scriptsize" into the tick labels' width: the y label stood that far off. */
	const char *yoff = pc->latex ? " offset 3, 0" : "";
	double w, h, per_unit, line = plot_line_height(pc, &per_unit), lw, lh;
	const struct matrix_look ml = { ticks, fmt, yoff };
	plot_head(fp, pc, "Matrix of panels: each pair of columns (points, ellipses, "
		  "contours) below the diagonal, each column's histogram with the marginal "
		  "mixture on it.", "", side * (double)nc, side * (double)nc);
	set_linetypes(fp, g);
	fputs("set style fill solid 0.35 border rgb '#777777'\n"
	      "set border 3\nset tics nomirror font ',8'\nunset key\n", fp);

	/*
	 * The panels share their axes, as in a scatterplot matrix: tick
	 * labels and axis labels only on the outer edge (the bottom row
	 * and the left column), in fixed margins of the figure's lines
	 * (left: the rotated label and the tick labels; bottom: tick
	 * labels and label; top: the title), and the panels close
	 * together.  Labels on every panel left 0.2 in of a 0.75 in
	 * panel to its plot, and ran together.
	 */
	plot_size(pc, side * (double)nc, side * (double)nc, &w, &h);
	lw = line / (w * per_unit);
	lh = line / (h * per_unit);
	fprintf(fp, "set multiplot layout %zu,%zu rowsfirst margins %.4f, %.4f, %.4f, %.4f "
		"spacing %.4f, %.4f title '", nc, nc, 4.5 * lw, 1.0 - 0.8 * lw, 3.2 * lh,
		1.0 - 2.2 * lh, 0.5 * lw, 0.5 * lh);
	plot_text(fp, pc, po->title ? po->title : "Gaussian mixture: pairs of columns");
	fputs("'\n", fp);
	for (size_t r = 0; r < nc; r++)
		for (size_t c = 0; c < nc; c++) {
			fprintf(fp, "# row %zu, column %zu", r + 1, c + 1);
			if (c > r) {
				fputc('\n', fp);
				if (r == 0 && c == nc - 1)
					legend_panel(fp, pc, g, cols, nc, 1.0 / lw,
						     1.0 - 2.2 * lh);
				else
					fputs("set multiplot next\n", fp);
				continue;
			}
			matrix_panel(fp, pc, ds, g, cols, peak, &ml, r, c, nc);
		}
	fputs("unset multiplot\n", fp);
}

int
plot_2d(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g)
{
	size_t cols[PLOT_MAX_PANEL_COLUMNS], nc = drawn_columns(pc->po, ds, cols);
	double peak[PLOT_MAX_PANEL_COLUMNS] = { 0 };
	const int matrix = nc > 2;
	FILE *fp;
	int rc;

	if ((rc = write_points(pc, ds, g)))
		return rc;
	if ((rc = ellipses_file(pc, ds, g, cols, nc)))
		return rc;
	if ((rc = contours_file(pc, ds, g, cols, nc)))
		return rc;
	if (matrix && (rc = marginal_files(pc, ds, g, cols, nc, peak)))
		return rc;
	if ((rc = plot_open(pc, ".gp", &fp)))
		return rc;
	if (!matrix)
		pair_script(fp, pc, ds, g, cols);
	else
		matrix_script(fp, pc, ds, g, cols, nc, peak);
	plot_tail(fp, pc, "");
	if ((rc = plot_close(pc)))
		return rc;
	return plot_uncertainty(pc, ds, g, cols[0], cols[1]);
}
