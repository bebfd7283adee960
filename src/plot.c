/*
 * plot.c - gnuplot script and data files for the 1-D figure (see plot.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

#define LOG_SQRT_2PI 0.91893853320467274178032973640562

/* Okabe and Ito's palette: distinguishable by colour-blind readers. */
static const char *const palette[] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"
};

static const char *const term_names[] = { "png", "svg", "pdf", "cairolatex" };

int
plot_terminal_parse(const char *s, enum plot_terminal *t)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, term_names[i]) == 0) {
			*t = (enum plot_terminal)i;
			return 0;
		}
	return -1;
}

struct wx {
	double x, w;
};

static int
cmp_wx(const void *a, const void *b)
{
	double x = ((const struct wx *)a)->x, y = ((const struct wx *)b)->x;

	return (x > y) - (x < y);
}

/* Weighted quantile q of sorted pairs (the first value whose cumulative weight reaches q). */
static double
quantile(const struct wx *v, size_t n, double wsum, double q)
{
	double acc = 0.0;

	for (size_t i = 0; i < n; i++) {
		acc += v[i].w;
		if (acc >= q * wsum)
			return v[i].x;
	}
	return v[n - 1].x;
}

size_t
plot_fd_bins(const struct dataset *ds)
{
	const size_t n = ds->n;
	struct wx *v = malloc(n * sizeof *v);
	double wsum = 0.0, lo, hi, iqr, h, mean, var;
	double bins;

	if (v == NULL)
		return 50;
	for (size_t i = 0; i < n; i++) {
		v[i].x = ds->x[i * ds->d];
		v[i].w = ds->w ? ds->w[i] : 1.0;
		wsum += v[i].w;
	}
	qsort(v, n, sizeof *v, cmp_wx);
	iqr = quantile(v, n, wsum, 0.75) - quantile(v, n, wsum, 0.25);
	lo = v[0].x;
	hi = v[n - 1].x;
	free(v);
	if (!(hi > lo))
		return 1;
	h = 2.0 * iqr / cbrt(wsum);
	if (!(h > 0.0)) {
		dataset_column_moments(ds, 0, &mean, &var);
		h = 3.49 * sqrt(var) / cbrt(wsum);
	}
	if (!(h > 0.0))
		return 1;
	bins = ceil((hi - lo) / h);
	if (!(bins >= 1.0))
		return 1;
	return bins > PLOT_MAX_BINS ? PLOT_MAX_BINS : (size_t)bins;
}

/*
 * The grid the values were rounded to (0.1 for heights to the mm), or 0
 * when there is none: a power of ten q, 1e-6 <= q <= 1e6, with every
 * value a multiple of q to 1e-9 relative.  Bins whose width is a multiple
 * of q and whose edges fall between grid points all hold the same number
 * of grid points, so rounding does not comb the histogram.
 */
static double
resolution(const struct dataset *ds)
{
	for (int e = 6; e >= -6; e--) {
		double q = pow(10.0, (double)e);
		size_t i;
		for (i = 0; i < ds->n; i++) {
			double v = ds->x[i * ds->d] / q;
			if (fabs(v - nearbyint(v)) > 1e-9 * fmax(1.0, fabs(v)))
				break;
		}
		if (i == ds->n)
			return q;
	}
	return 0.0;
}

/* Histogram layout: first edge, bin width and number of bins. */
static void
hist_layout(const struct dataset *ds, size_t bins_opt, double lo, double hi,
	    double *first, double *width, size_t *nb)
{
	double q, h;

	if (!(hi > lo)) {
		*first = lo - 0.5;
		*width = 1.0;
		*nb = 1;
		return;
	}
	if (bins_opt > 0) {
		*first = lo;
		*width = (hi - lo) / (double)bins_opt;
		*nb = bins_opt;
		return;
	}
	*nb = plot_fd_bins(ds);
	h = (hi - lo) / (double)*nb;
	q = resolution(ds);
	if (q > 0.0 && (hi - lo) / q <= 1e6) {
		h = ceil(h / q - 1e-9) * q;
		*first = lo - q / 2.0;
		*nb = (size_t)ceil((hi - lo + q) / h - 1e-9);
		if (*nb < 1)
			*nb = 1;
		*width = h;
		return;
	}
	*first = lo;
	*width = h;
}

/* The last component of a path: the figure's files are named from it. */
static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static char *
join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 1);

	if (p != NULL) {
		memcpy(p, a, la);
		memcpy(p + la, b, lb + 1);
	}
	return p;
}

/*
 * Text for a label inside a single-quoted gnuplot string: quotes doubled,
 * control bytes made spaces, and for cairolatex LaTeX's specials escaped.
 */
static void
put_label(FILE *fp, const char *s, int latex)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fputc(' ', fp);
		else if (c == '\'')
			fputs("''", fp);
		else if (latex && strchr("#$%&_{}", c))
			fprintf(fp, "\\%c", c);
		else if (latex && c == '\\')
			fputs("\\textbackslash{}", fp);
		else if (latex && c == '^')
			fputs("\\textasciicircum{}", fp);
		else if (latex && c == '~')
			fputs("\\textasciitilde{}", fp);
		else
			fputc(c, fp);
	}
}

static double
comp_density(const struct gmm *g, size_t j, double x)
{
	double sd = sqrt(g->cov[j]), z = (x - g->mean[j]) / sd;

	return exp(g->logw[j] - LOG_SQRT_2PI - log(sd) - 0.5 * z * z);
}

static int
open_out(struct outfile *outs, size_t *nouts, const char *prefix,
	 const char *suffix, struct gm_error *err, FILE **fp)
{
	char *path = join(prefix, suffix);
	int rc;

	if (path == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	rc = outfile_open(&outs[*nouts], path, err);
	free(path);
	if (rc != GM_OK)
		return rc;
	*fp = outs[(*nouts)++].fp;
	return GM_OK;
}

static int
write_hist(FILE *fp, const struct dataset *ds, size_t bins, double lo,
	   double width)
{
	double *count = calloc(bins, sizeof *count), wsum = 0.0;

	if (count == NULL)
		return -1;
	for (size_t i = 0; i < ds->n; i++) {
		double v = ds->x[i * ds->d], w = ds->w ? ds->w[i] : 1.0;
		double t = floor((v - lo) / width);
		size_t b = t < 0 ? 0 : (size_t)t;
		if (b >= bins)
			b = bins - 1;	/* the maximum closes the last bin */
		count[b] += w;
		wsum += w;
	}
	fprintf(fp, "# x_left x_right x_mid density count\n");
	for (size_t b = 0; b < bins; b++) {
		double l = lo + width * (double)b, r = lo + width * (double)(b + 1);
		fprintf(fp, "%.12g %.12g %.12g %.12g %.12g\n", l, r, 0.5 * (l + r),
			count[b] / (wsum * width), count[b]);
	}
	free(count);
	return 0;
}

static void
write_fit(FILE *fp, const struct gmm *g, double lo, double hi)
{
	double span = hi - lo, a, b;

	if (!(span > 0.0)) {
		double sd = 0.0;
		for (size_t j = 0; j < g->k; j++)
			if (sqrt(g->cov[j]) > sd)
				sd = sqrt(g->cov[j]);
		span = 6.0 * sd;
		lo -= span / 2.0;
		hi += span / 2.0;
		span = hi - lo;
	}
	a = lo - 0.1 * span;
	b = hi + 0.1 * span;
	fputs("# x mixture", fp);
	for (size_t j = 0; j < g->k; j++)
		fprintf(fp, " comp%zu", j + 1);
	fputc('\n', fp);
	for (size_t i = 0; i < PLOT_GRID; i++) {
		double x = a + (b - a) * (double)i / (double)(PLOT_GRID - 1), mix = 0.0;
		double c[64];
		for (size_t j = 0; j < g->k; j++) {
			double v = comp_density(g, j, x);
			if (j < 64)
				c[j] = v;
			mix += v;
		}
		fprintf(fp, "%.12g %.12g", x, mix);
		for (size_t j = 0; j < g->k; j++)
			fprintf(fp, " %.12g", j < 64 ? c[j] : comp_density(g, j, x));
		fputc('\n', fp);
	}
}

static void
write_terminal(FILE *fp, enum plot_terminal t, const char *base)
{
	switch (t) {
	case PLOT_PNG:
		fputs("set terminal pngcairo size 800,500 noenhanced font 'sans,10'\n", fp);
		fputs("set output '", fp);
		put_label(fp, base, 0);
		fputs(".png'\n", fp);
		break;
	case PLOT_SVG:
		fputs("set terminal svg size 800,500 noenhanced font 'sans,10'\n", fp);
		fputs("set output '", fp);
		put_label(fp, base, 0);
		fputs(".svg'\n", fp);
		break;
	case PLOT_PDF:
		fputs("set terminal pdfcairo size 6in,3.75in noenhanced font 'sans,10'\n", fp);
		fputs("set output '", fp);
		put_label(fp, base, 0);
		fputs(".pdf'\n", fp);
		break;
	case PLOT_CAIROLATEX:
		fputs("# Writes NAME.tex (text, set by LaTeX) and NAME.pdf (graphics):\n"
		      "# \\input{NAME.tex} in a document that loads graphicx and color.\n", fp);
		fputs("set terminal cairolatex pdf size 5in,3.125in\n", fp);
		fputs("set output '", fp);
		put_label(fp, base, 0);
		fputs(".tex'\n", fp);
		break;
	}
}

int
plot_write(const struct plot_options *po, const struct dataset *ds,
	   const struct gmm *g, struct outfile *outs, size_t *nouts,
	   struct gm_error *err)
{
	const char *base = base_name(po->prefix);
	const int latex = po->terminal == PLOT_CAIROLATEX;
	size_t bins;
	double lo, hi, first, width;
	FILE *fp;
	int rc;

	*nouts = 0;
	if (ds->d != 1)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "the figure (-o) is drawn for one column; select one with -c");
	dataset_column_range(ds, 0, &lo, &hi);
	hist_layout(ds, po->bins, lo, hi, &first, &width, &bins);

	if ((rc = open_out(outs, nouts, po->prefix, "-hist.dat", err, &fp)))
		return rc;
	if (write_hist(fp, ds, bins, first, width))
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	if ((rc = outfile_close(&outs[*nouts - 1], err)))
		return rc;

	if ((rc = open_out(outs, nouts, po->prefix, "-fit.dat", err, &fp)))
		return rc;
	write_fit(fp, g, lo, hi);
	if ((rc = outfile_close(&outs[*nouts - 1], err)))
		return rc;

	if ((rc = open_out(outs, nouts, po->prefix, ".gp", err, &fp)))
		return rc;
	fputs("# Histogram of the data with the fitted Gaussian mixture.\n", fp);
	fputs("# Run from the directory that holds this script: gnuplot ", fp);
	put_label(fp, base, 0);
	fputs(".gp\n", fp);
	write_terminal(fp, po->terminal, base);
	fputs("set xlabel '", fp);
	put_label(fp, ds->names[0], latex);
	fputs("'\nset ylabel 'density'\n", fp);
	fputs("set key top left reverse Left box opaque samplen 3\n", fp);
	/* Head room above the tallest bar, so the legend covers no data. */
	fputs("set border 3\nset tics nomirror\nset yrange [0:*]\n"
	      "set offsets 0, 0, graph 0.35, 0\n", fp);
	fputs("set style fill solid 0.35 border rgb '#777777'\n", fp);
	fputs("plot '", fp);
	put_label(fp, base, 0);
	fprintf(fp, "-hist.dat' using 3:4:($2-$1) with boxes lc rgb '#999999' "
		"title 'data (n = %zu)', \\\n", ds->n);
	fputs("     '", fp);
	put_label(fp, base, 0);
	fputs("-fit.dat' using 1:2 with lines lw 2.5 dt 1 lc rgb '#000000' title 'mixture'", fp);
	for (size_t j = 0; j < g->k; j++) {
		fprintf(fp, ", \\\n     '' using 1:%zu with lines lw 2 dt %zu lc rgb '%s' "
			"title '%zu: w = %.3f, mean = %.4g, sd = %.3g'",
			j + 3, 2 + j % 4, palette[j % 7], j + 1, g->weight[j],
			g->mean[j], sqrt(g->cov[j]));
	}
	fputs("\nunset output\n", fp);
	return outfile_close(&outs[*nouts - 1], err);
}
