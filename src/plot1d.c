/*
 * plot1d.c - histogram with the fitted mixture, and the CDF panel, for
 * one column (see plot.h).
 */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gof.h"
#include "plotint.h"

#define LOG_SQRT_2PI 0.91893853320467274178032973640562
#define ECDF_MAX 5000		/* steps of the drawn empirical CDF */

/* Weighted quantile q of a sorted column: the first value whose cumulative weight reaches q. */
static double
quantile(const struct colview *v, double q)
{
	double acc = 0.0;

	if (!cv_weighted(v)) {
		/* the same rule with unit weights: the ceil(q n)-th value */
		double t = ceil(q * (double)v->n);
		size_t i = t < 1.0 ? 0 : (size_t)t - 1;
		return cv_x(v, i < v->n ? i : v->n - 1);
	}
	for (size_t i = 0; i < v->n; i++) {
		acc += cv_w(v, i);
		if (acc >= q * v->wsum)
			return cv_x(v, i);
	}
	return cv_x(v, v->n - 1);
}

/* Freedman-Diaconis bin width 2 IQR n^(-1/3); Scott's 3.49 sd n^(-1/3) when the IQR is 0. */
static double
fd_width(const struct dataset *ds, size_t c)
{
	double iqr, h, mean, var, wsum;
	struct colview v;

	if (dataset_sorted_column(ds, c, &v))
		return 0.0;
	iqr = quantile(&v, 0.75) - quantile(&v, 0.25);
	wsum = v.wsum;
	colview_free(&v);
	h = 2.0 * iqr / cbrt(wsum);
	if (!(h > 0.0)) {
		dataset_column_moments(ds, c, &mean, &var);
		h = 3.49 * sqrt(var) / cbrt(wsum);
	}
	return h > 0.0 ? h : 0.0;
}

size_t
plot_fd_bins(const struct dataset *ds, size_t c)
{
	double lo, hi, h, bins;

	dataset_column_range(ds, c, &lo, &hi);
	if (!(hi > lo))
		return 1;
	h = fd_width(ds, c);
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
 * of grid points, so the rounding does not comb the histogram.
 */
static double
resolution(const struct dataset *ds, size_t c)
{
	for (int e = 6; e >= -6; e--) {
		double q = pow(10.0, (double)e);
		size_t i;
		for (i = 0; i < ds->n; i++) {
			double v = ds_x(ds, i, 1)[c] / q;
			if (fabs(v - nearbyint(v)) > 1e-9 * fmax(1.0, fabs(v)))
				break;
		}
		if (i == ds->n)
			return q;
	}
	return 0.0;
}

void
plot_hist_layout(const struct dataset *ds, size_t c, size_t bins_opt,
		 double *first, double *width, size_t *nb)
{
	double lo, hi, q, h;

	dataset_column_range(ds, c, &lo, &hi);
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
	*nb = plot_fd_bins(ds, c);
	q = resolution(ds, c);
	h = fd_width(ds, c);
	if (q > 0.0 && h > 0.0 && (hi - lo) / q <= 1e6) {
		/* The rule's width rounded up to the grid, edges between grid points. */
		h = ceil(h / q - 1e-9) * q;
		*first = lo - q / 2.0;
		*nb = (size_t)ceil((hi - lo + q) / h - 1e-9);
		if (*nb >= 1 && *nb <= PLOT_MAX_BINS) {
			*width = h;
			return;
		}
		*nb = plot_fd_bins(ds, c);
	}
	h = (hi - lo) / (double)*nb;
	*first = lo;
	*width = h;
}

int
plot_hist_block(FILE *fp, const struct dataset *ds, size_t c, size_t bins_opt)
{
	double first, width, wsum = 0.0, *count;
	size_t bins;

	plot_hist_layout(ds, c, bins_opt, &first, &width, &bins);
	count = calloc(bins, sizeof *count);
	if (count == NULL)
		return -1;
	for (size_t i = 0; i < ds->n; i++) {
		double v = ds_x(ds, i, 1)[c], w = ds_wt(ds, i);
		double t = floor((v - first) / width);
		size_t b = t < 0 ? 0 : (size_t)t;
		if (b >= bins)
			b = bins - 1;	/* the maximum closes the last bin */
		count[b] += w;
		wsum += w;
	}
	fprintf(fp, "# x_left x_right x_mid density count\n");
	for (size_t b = 0; b < bins; b++) {
		double l = first + width * (double)b, r = first + width * (double)(b + 1);
		fprintf(fp, "%.12g %.12g %.12g %.12g %.12g\n", l, r, 0.5 * (l + r),
			count[b] / (wsum * width), count[b]);
	}
	free(count);
	return 0;
}

/* Weighted density of component j's marginal in column c at x. */
static double
comp_density(const struct gmm *g, size_t j, size_t c, double x)
{
	const size_t d = g->d;
	double sd = sqrt(g->cov[j * d * d + c * d + c]);
	double z = (x - g->mean[j * d + c]) / sd;

	return exp(log(g->weight[j]) - LOG_SQRT_2PI - log(sd) - 0.5 * z * z);
}

/* The grid of a curve: the data's range and 10% more on each side. */
static void
curve_range(const struct dataset *ds, const struct gmm *g, size_t c, double *a,
	    double *b)
{
	double lo, hi, span;

	dataset_column_range(ds, c, &lo, &hi);
	span = hi - lo;
	if (!(span > 0.0)) {
		double sd = 0.0;
		for (size_t j = 0; j < g->k; j++)
			sd = fmax(sd, sqrt(g->cov[j * g->d * g->d + c * g->d + c]));
		span = 6.0 * sd;
		lo -= span / 2.0;
		hi += span / 2.0;
	}
	*a = lo - 0.1 * span;
	*b = hi + 0.1 * span;
}

void
plot_fit_block(FILE *fp, const struct dataset *ds, const struct gmm *g, size_t c)
{
	double a, b;

	curve_range(ds, g, c, &a, &b);
	fputs("# x mixture", fp);
	for (size_t j = 0; j < g->k; j++)
		fprintf(fp, " comp%zu", j + 1);
	fputc('\n', fp);
	for (size_t i = 0; i < PLOT_GRID; i++) {
		double x = a + (b - a) * (double)i / (double)(PLOT_GRID - 1), mix = 0.0;
		for (size_t j = 0; j < g->k; j++)
			mix += comp_density(g, j, c, x);
		fprintf(fp, "%.12g %.12g", x, mix);
		for (size_t j = 0; j < g->k; j++)
			fprintf(fp, " %.12g", comp_density(g, j, c, x));
		fputc('\n', fp);
	}
}

/* The empirical CDF as steps (at most ECDF_MAX of them) and the mixture CDF. */
static int
write_cdf_data(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g)
{
	double acc = 0.0, a, b;
	struct colview v;
	size_t step = ds->n / ECDF_MAX + 1;
	FILE *fp;
	int rc;

	if (dataset_sorted_column(ds, 0, &v))
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	if ((rc = plot_open(pc, "-ecdf.dat", &fp))) {
		colview_free(&v);
		return rc;
	}
	fputs("# x ecdf (the empirical CDF just after x", fp);
	if (step > 1)
		fprintf(fp, "; one distinct value in %zu, and the last", step);
	fputs(")\n", fp);
	for (size_t i = 0, s = 0; i < v.n; s++) {
		double x = cv_x(&v, i);
		while (i < v.n && !(cv_x(&v, i) > x))
			acc += cv_w(&v, i++);
		if (s % step == 0 || i == v.n)
			fprintf(fp, "%.12g %.12g\n", x, acc / v.wsum);
	}
	colview_free(&v);
	if ((rc = plot_close(pc)))
		return rc;
	if ((rc = plot_open(pc, "-cdf.dat", &fp)))
		return rc;
	curve_range(ds, g, 0, &a, &b);
	fputs("# x mixture_cdf\n", fp);
	for (size_t i = 0; i < PLOT_GRID; i++) {
		double x = a + (b - a) * (double)i / (double)(PLOT_GRID - 1);
		fprintf(fp, "%.12g %.12g\n", x, gof_mixture_cdf(g, 0, x));
	}
	return plot_close(pc);
}

static void
labels(FILE *fp, const struct plot_ctx *pc, const struct dataset *ds,
       const char *title, const char *ylabel)
{
	const struct plot_options *po = pc->po;

	fputs("set title '", fp);
	plot_text(fp, pc, po->title ? po->title : title);
	fputs("'\nset xlabel '", fp);
	plot_text(fp, pc, po->xlabel ? po->xlabel : ds->names[0]);
	fputs("'\nset ylabel '", fp);
	plot_text(fp, pc, po->ylabel ? po->ylabel : ylabel);
	fputs("'\n", fp);
}

/* printf into a new string, as long as it needs (a column name has no limit); NULL when out of memory. */
static char *
new_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
new_text(const char *fmt, ...)
{
	va_list ap;
	int len;
	char *s;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || (s = malloc((size_t)len + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return s;
}

int
plot_1d(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g)
{
	char *title;
	double ks;
	FILE *fp;
	int rc;

	if ((rc = plot_open(pc, "-hist.dat", &fp)))
		return rc;
	if (plot_hist_block(fp, ds, 0, pc->po->bins))
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	if ((rc = plot_close(pc)))
		return rc;
	if ((rc = plot_open(pc, "-fit.dat", &fp)))
		return rc;
	plot_fit_block(fp, ds, g, 0);
	if ((rc = plot_close(pc)))
		return rc;

	if ((rc = plot_open(pc, ".gp", &fp)))
		return rc;
	plot_head(fp, pc, "Histogram of the data with the fitted Gaussian mixture.", "", 800, 500);
	if ((title = new_text("%s: %zu-component Gaussian mixture", ds->names[0], g->k)) == NULL)
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	labels(fp, pc, ds, title, "density");
	free(title);
	fputs("set key top left reverse Left box opaque samplen 3\n", fp);
	/* Head room above the tallest bar, so the legend covers no data. */
	fputs("set border 3\nset tics nomirror\nset yrange [0:*]\n"
	      "set offsets 0, 0, graph 0.35, 0\n", fp);
	fputs("set style fill solid 0.35 border rgb '#777777'\n", fp);
	fputs("plot ", fp);
	plot_file_ref(fp, pc, "-hist.dat");
	fprintf(fp, " using 3:4:($2-$1) with boxes lc rgb '#999999' title 'data (n = %zu)', \\\n     ",
		ds->n);
	plot_file_ref(fp, pc, "-fit.dat");
	fputs(" using 1:2 with lines lw 2.5 dt 1 lc rgb '#000000' title 'mixture'", fp);
	for (size_t j = 0; j < g->k; j++)
		fprintf(fp, ", \\\n     '' using 1:%zu with lines lw 2 dt %zu lc rgb '%s' "
			"title '%zu: w = %.3f, mean = %.4g, sd = %.3g'",
			j + 3, 2 + j % 4, plot_palette[j % PLOT_NCOLOURS], j + 1,
			g->weight[j], g->mean[j], sqrt(g->cov[j]));
	fputc('\n', fp);
	plot_tail(fp, pc, "");
	if ((rc = plot_close(pc)))
		return rc;

	/* The goodness-of-fit panel. */
	if ((rc = write_cdf_data(pc, ds, g)))
		return rc;
	ks = gof_ks(ds, g);
	if ((rc = plot_open(pc, "-cdf.gp", &fp)))
		return rc;
	plot_head(fp, pc, "Empirical CDF of the data with the fitted mixture's CDF.", "-cdf",
		  800, 500);
	title = new_text("%s: empirical and mixture CDF (Kolmogorov-Smirnov D = %.4f)",
			 ds->names[0], ks);
	if (title == NULL)
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	labels(fp, pc, ds, title, "cumulative probability");
	free(title);
	fputs("set key bottom right box opaque\nset border 3\nset tics nomirror\n"
	      "set yrange [0:1]\n", fp);
	fputs("plot ", fp);
	plot_file_ref(fp, pc, "-ecdf.dat");
	fputs(" using 1:2 with steps lw 2 dt 1 lc rgb '#999999' title 'data (empirical)', \\\n     ", fp);
	plot_file_ref(fp, pc, "-cdf.dat");
	fputs(" using 1:2 with lines lw 2 dt 2 lc rgb '#0072B2' title 'mixture'\n", fp);
	plot_tail(fp, pc, "-cdf");
	return plot_close(pc);
}
