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
#define QQ_MAX 5000		/* points of the QQ plot */

/* Freedman-Diaconis bin width 2 IQR n^(-1/3); Scott's 3.49 sd n^(-1/3) when the IQR is 0. */
static double
fd_width(const struct dataset *ds, size_t c)
{
	double iqr, h, mean, var, wsum;
	struct colview v;

	double q1, q3;

	if (ds->w == NULL && !ds->sorted) {
		/*
		 * Unweighted, gof_quantile's rule is the ceil(q n)-th value:
		 * selected from the rows as they lie, without a sorted copy of
		 * the column (the data's size again, on every process).
		 */
		double t1 = ceil(0.25 * (double)ds->n), t3 = ceil(0.75 * (double)ds->n), qv[2];
		size_t r[2] = { t1 < 1.0 ? 0 : (size_t)t1 - 1, t3 < 1.0 ? 0 : (size_t)t3 - 1 };
		for (int t = 0; t < 2; t++)
			if (r[t] >= ds->n)
				r[t] = ds->n - 1;
		if (ds->n == 0 || dataset_order_stats(ds, c, 2, r, qv))
			return 0.0;
		q1 = qv[0];
		q3 = qv[1];
		wsum = (double)ds->n;
	} else {
		if (dataset_sorted_column(ds, c, &v))
			return 0.0;
		if (gof_quantile(&v, 0.75, &q3) || gof_quantile(&v, 0.25, &q1)) {
			colview_free(&v);
			return 0.0;
		}
		wsum = v.wsum;
		colview_free(&v);
	}
	iqr = q3 - q1;
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
 * The data's natural bounds: values that are all >= 0 (depths,
 * concentrations) are not drawn below 0, all <= 0 not above 0, and all in
 * [0, 1] (proportions) not beyond either end.
 */
static void
natural_bounds(double lo, double hi, double *a, double *b)
{
	if (lo >= 0.0 && *a < 0.0)
		*a = 0.0;
	if (hi <= 0.0 && *b > 0.0)
		*b = 0.0;
	if (lo >= 0.0 && hi <= 1.0 && *b > 1.0)
		*b = 1.0;
}

/*
 * The narrowest sd, in column c, of the components of weight at least
 * PLOT_MIN_RESOLVED_WEIGHT, or 0 when there is none.  A bin wider than a
 * component's sd hides that component in one bar (an 11 km deep cluster
 * of earthquakes on a range of 600 km): the bins are made no wider.
 * Lighter components are left out, so a tiny stray one cannot make the
 * histogram a comb of empty bins.
 */
static double
narrowest_sd(const struct gmm *g, size_t c)
{
	double sd = 0.0;

	if (g == NULL)
		return 0.0;
	for (size_t j = 0; j < g->k; j++) {
		double s = sqrt(g->cov[j * g->d * g->d + c * g->d + c]);
		if (g->weight[j] >= PLOT_MIN_RESOLVED_WEIGHT && s > 0.0 && (!(sd > 0.0) || s < sd))
			sd = s;
	}
	return sd;
}

void
plot_hist_layout(const struct dataset *ds, const struct gmm *g, size_t c,
		 size_t bins_opt, double *first, double *width, size_t *nb)
{
	double lo, hi, q, h, sd;

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
	q = dataset_grid(ds, c);
	/* Rounded data (--rounding): the bins hold whole intervals, edges half a width off the values. */
	if (ds->round != NULL && ds->round[c] > q)
		q = ds->round[c];
	h = fd_width(ds, c);
	sd = narrowest_sd(g, c);
	if (sd > 0.0 && (!(h > 0.0) || h > sd))
		h = sd;
	if (q > 0.0 && h > 0.0 && (hi - lo) / q <= 1e6) {
		/*
		 * The width on the grid, edges between grid points: the rule's
		 * width rounded up, or the sd's rounded down (never below q,
		 * which would leave every other bin empty); at most
		 * PLOT_MAX_BINS bins.
		 */
		double cap = sd > 0.0 ? fmax(1.0, floor(sd / q + 1e-9)) * q : INFINITY;
		double least = ceil((hi - lo + q) / (double)PLOT_MAX_BINS / q - 1e-9) * q;
		h = fmax(fmin(ceil(h / q - 1e-9) * q, cap), least);
		double a = -INFINITY, b = INFINITY, over, slack, s;
		natural_bounds(lo, hi, &a, &b);
		/* Half a step past a bound only where a value lies on it. */
		a = lo - q / 2.0 >= a ? a : a - q / 2.0;
		b = hi + q / 2.0 <= b ? b : b + q / 2.0;
		/* Between two bounds, a width whose bins fit between them. */
		while (h > q * 1.5 && isfinite(a) && isfinite(b) &&
		       ceil((hi - lo + q) / h - 1e-9) * h > b - a + q * 1e-9)
			h -= q;
		*first = lo - q / 2.0;
		*nb = (size_t)ceil((hi - lo + q) / h - 1e-9);
		if (*nb >= 1 && *nb <= PLOT_MAX_BINS) {
			*width = h;
			/*
			 * The last bin may end beyond a natural bound (a proportion's
			 * 1): the edges move down by whole grid steps, as far as the
			 * bins' slack over the data allows, until it ends at the bound
			 * (half a step past it when a value lies on it).
			 */
			over = *first + h * (double)*nb - b;
			slack = h * (double)*nb - (hi - lo + q);
			if (over > 0.0) {
				s = fmin(ceil(over / q - 1e-9), floor(slack / q + 1e-9));
				if (*first - s * q < a)
					s = floor((*first - a) / q + 1e-9);
				if (s > 0.0)
					*first -= s * q;
			}
			return;
		}
	}
	/* Equal bins from the minimum to the maximum, no wider than h. */
	if (h > 0.0) {
		double b = ceil((hi - lo) / h - 1e-9);
		*nb = !(b >= 1.0) ? 1 : b > PLOT_MAX_BINS ? PLOT_MAX_BINS : (size_t)b;
	} else {
		*nb = 1;
	}
	*first = lo;
	*width = (hi - lo) / (double)*nb;
}

int
plot_hist_block(FILE *fp, const struct dataset *ds, const struct gmm *g, size_t c,
		size_t bins_opt, double *peak)
{
	double first, width, wsum = 0.0, *count;
	size_t bins;

	if (peak != NULL)
		*peak = 0.0;
	plot_hist_layout(ds, g, c, bins_opt, &first, &width, &bins);
	count = calloc(bins, sizeof *count);
	/* The bins' weights: a scan of the rows, each process over its own (dataset.c). */
	if (count == NULL || dataset_histogram(ds, c, first, width, bins, count, &wsum) != 0) {
		free(count);
		return -1;
	}
	fprintf(fp, "# x_left x_right x_mid density count\n");
	for (size_t b = 0; b < bins; b++) {
		double l = first + width * (double)b, r = first + width * (double)(b + 1);
		fprintf(fp, "%.12g %.12g %.12g %.12g %.12g\n", l, r, 0.5 * (l + r),
			count[b] / (wsum * width), count[b]);
		if (peak != NULL && count[b] / (wsum * width) > *peak)
			*peak = count[b] / (wsum * width);
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

/* The grid of a curve: the data's range and 10% more on each side, within its natural bounds. */
static void
curve_range(const struct dataset *ds, const struct gmm *g, size_t c, double *a,
	    double *b)
{
	double lo, hi, span;

	dataset_column_range(ds, c, &lo, &hi);
	span = hi - lo;
	*a = lo - 0.1 * span;
	*b = hi + 0.1 * span;
	if (!(span > 0.0)) {
		double sd = 0.0;
		for (size_t j = 0; j < g->k; j++)
			sd = fmax(sd, sqrt(g->cov[j * g->d * g->d + c * g->d + c]));
		/* 6 sd about the value, and 10% of that more each side */
		*a = lo - 3.6 * sd;
		*b = hi + 3.6 * sd;
	}
	natural_bounds(lo, hi, a, b);
}

void
plot_axis_range(const struct dataset *ds, const struct gmm *g, size_t c, size_t bins_opt,
		double *a, double *b)
{
	double first, width;
	size_t nb;

	curve_range(ds, g, c, a, b);
	plot_hist_layout(ds, g, c, bins_opt, &first, &width, &nb);
	/* Half a rounding step below a value of 0 at most: the bins' edges lie between grid points. */
	*a = fmin(*a, first);
	*b = fmax(*b, first + width * (double)nb);
}

void
plot_fit_block(FILE *fp, const struct dataset *ds, const struct gmm *g, size_t c,
	       double *peak)
{
	double a, b;

	if (peak != NULL)
		*peak = 0.0;
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
		if (peak != NULL && mix > *peak)
			*peak = mix;
		for (size_t j = 0; j < g->k; j++)
			fprintf(fp, " %.12g", comp_density(g, j, c, x));
		fputc('\n', fp);
	}
}

/* The empirical CDF as steps (at most ECDF_MAX of them) and the mixture CDF. */
static int
write_cdf_data(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g)
{
	double a, b, *px, *py;
	struct colview v;
	size_t step = ds->n / ECDF_MAX + 1, m = 0, cap = ds->n / step + 2;
	FILE *fp;
	int rc;

	px = malloc(2 * cap * sizeof *px);
	py = px + cap;
	if (px == NULL || dataset_sorted_column(ds, 0, &v)) {
		free(px);
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	rc = gof_ecdf(&v, step, px, py, &m);
	colview_free(&v);
	if (rc != 0) {
		free(px);
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	if ((rc = plot_open(pc, "-ecdf.dat", &fp))) {
		free(px);
		return rc;
	}
	fputs("# x ecdf (the empirical CDF just after x", fp);
	if (step > 1)
		fprintf(fp, "; one distinct value in %zu, and the last", step);
	fputs(")\n", fp);
	for (size_t i = 0; i < m; i++)
		fprintf(fp, "%.12g %.12g\n", px[i], py[i]);
	free(px);
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

/*
 * The height of a line of text: 1.55 x SIZE pixels in png and
 * svg (pngcairo's spacing at 96 dpi), half that in points in pdf
 * (pdfcairo draws at fontscale 0.5), 1.24 x SIZE points in cairolatex
 * (LaTeX's baselineskip is 1.2 x SIZE).  *per_unit: points per unit of
 * plot_size's height (1 for pixels, 72 or 72.27 for inches).
 */
double
plot_line_height(const struct plot_ctx *pc, double *per_unit)
{
	const double size = plot_font_size(pc->po);

	switch (pc->po->terminal) {
	case PLOT_PNG:
	case PLOT_SVG:
		*per_unit = 1.0;
		return 1.55 * size;
	case PLOT_PDF:
		*per_unit = 72.0;
		return 0.5 * 1.55 * size;
	default:
		*per_unit = 72.27;
		return 1.24 * size;
	}
}

/*
 * The share of the plot's height a key of nlines lines takes, from the
 * figure's height and the font (plot_line_height).  Title, tick labels and x
 * label take about 5 lines.  The size is plot_head's (dw x dh by default).
 */
double
plot_key_share(const struct plot_ctx *pc, double dw, double dh, size_t nlines)
{
	double w, h, line, per_unit, area;

	plot_size(pc, dw, dh, &w, &h);
	line = plot_line_height(pc, &per_unit);
	area = h * per_unit - 5.0 * line;
	if (!(area > line))
		return 1.0;
	return ((double)nlines + 0.6) * line / area;
}

double
plot_key_extra(const struct plot_ctx *pc, double dw, size_t nlines)
{
	double per_unit, line = plot_line_height(pc, &per_unit);

	if (pc->po->terminal == PLOT_PNG || pc->po->terminal == PLOT_SVG)
		return (double)nlines * line;
	/* Points to inches, inches to the default's units (dw of them per PLOT_PAGE_WIDTH). */
	return (double)nlines * line / per_unit * dw / PLOT_PAGE_WIDTH;
}

/* The legend's entry for the histogram: the number of rows, or the total weight. */
static void
data_title(FILE *fp, const struct dataset *ds)
{
	double wsum = 0.0;

	if (ds->weight_name == NULL) {
		fprintf(fp, "data (n = %zu)", ds->n);
		return;
	}
	{
		/* The plain sum of the weights in row order: a scan, each row read where it is. */
		double st[2] = { 0.0, 0.0 };
		struct dataset_scan q = { DS_SCAN_SUM, 0, 2, NULL, 0 };
		(void)dataset_scan(ds, &q, st);	/* DS_SCAN_SUM cannot fail */
		wsum = st[0];
	}
	fprintf(fp, "data (total weight %.6g, %zu row%s)", wsum, ds->n,
			ds->n == 1 ? "" : "s");
}

/*
 * The mixture's quantile p of column 0, by bisection of its CDF (which
 * increases strictly) on a bracket of every component's mean +- 40 sd:
 * 200 halvings leave the bracket at the spacing of doubles.
 */
static double
mixture_quantile(const struct gmm *g, double p)
{
	double a = INFINITY, b = -INFINITY;

	for (size_t j = 0; j < g->k; j++) {
		double sd = sqrt(g->cov[j * g->d * g->d]);
		a = fmin(a, g->mean[j * g->d] - 40.0 * sd);
		b = fmax(b, g->mean[j * g->d] + 40.0 * sd);
	}
	for (int i = 0; i < 200; i++) {
		double m = 0.5 * (a + b);
		if (!(m > a && m < b))
			break;
		if (gof_mixture_cdf(g, 0, m) < p)
			a = m;
		else
			b = m;
	}
	return 0.5 * (a + b);
}

/*
 * The QQ data: each sorted value (every step-th of more than QQ_MAX rows,
 * and the last) against the mixture's quantile at its plotting position
 * (i - 1/2)/n, with weights (the weight below it plus half its own) over
 * the total.
 */
static int
write_qq(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g, double *lo,
	 double *hi)
{
	struct colview v;
	size_t step = ds->n / QQ_MAX + 1, m = 0, cap = ds->n / step + 2;
	double *px = malloc(2 * cap * sizeof *px), *pp = px + cap;
	FILE *fp;
	int rc;

	if (px == NULL || dataset_sorted_column(ds, 0, &v)) {
		free(px);
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	rc = gof_steps(&v, step, px, pp, &m);
	colview_free(&v);
	if (rc != 0) {
		free(px);
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	if ((rc = plot_open(pc, "-qq.dat", &fp))) {
		free(px);
		return rc;
	}
	fputs("# mixture_quantile sample_quantile p (plotting position", fp);
	if (step > 1)
		fprintf(fp, "; every %zu-th sorted value, and the last", step);
	fputs(")\n", fp);
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < m; i++) {
		double q = mixture_quantile(g, pp[i]);
		fprintf(fp, "%.12g %.12g %.12g\n", q, px[i], pp[i]);
		*lo = fmin(*lo, fmin(q, px[i]));
		*hi = fmax(*hi, fmax(q, px[i]));
	}
	free(px);
	return plot_close(pc);
}

/* The QQ figure: sample quantiles against the mixture's, with y = x. */
static int
plot_qq(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g)
{
	char *title;
	double lo = 0.0, hi = 0.0, pad;
	FILE *fp;
	int rc;

	if ((rc = write_qq(pc, ds, g, &lo, &hi)))
		return rc;
	if ((rc = plot_open(pc, "-qq.gp", &fp)))
		return rc;
	plot_head(fp, pc, "QQ plot: the data's quantiles against the fitted mixture's.", "-qq",
		  600, 600);
	title = new_text("%s: QQ plot against the %zu-component mixture", ds->names[0], g->k);
	if (title == NULL)
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	fputs("set title '", fp);
	plot_text(fp, pc, pc->po->title ? pc->po->title : title);
	free(title);
	fputs("'\nset xlabel '", fp);
	plot_text(fp, pc, pc->po->xlabel ? pc->po->xlabel : "mixture quantile");
	fputs("'\nset ylabel '", fp);
	plot_text(fp, pc, pc->po->ylabel ? pc->po->ylabel : "sample quantile");
	fputs("'\n", fp);
	/* The same range on both axes, so that y = x is the diagonal. */
	pad = hi > lo ? 0.03 * (hi - lo) : 1.0;
	fprintf(fp, "set xrange [%.12g:%.12g]\nset yrange [%.12g:%.12g]\n", lo - pad, hi + pad,
		lo - pad, hi + pad);
	fputs("set size ratio -1\nset border 3\nset tics nomirror\n"
	      "set key top left reverse Left box opaque samplen 2\n", fp);
	fputs("plot x with lines lw 1.5 dt 2 lc rgb '#000000' title 'y = x', \\\n     ", fp);
	plot_file_ref(fp, pc, "-qq.dat");
	fputs(" using 1:2 with points pt 7 ps 0.5 lc rgb '#0072B2' title '", fp);
	data_title(fp, ds);
	fputs("'\n", fp);
	plot_tail(fp, pc, "-qq");
	return plot_close(pc);
}

/*
 * The classification's uncertainty at x, 1 - max_k z_k(x), and the most
 * likely component *best: z_k = w_k phi_k(x) / sum_j w_j phi_j(x), from
 * the components' log densities (the constant log sqrt(2 pi) cancels), so
 * that no term underflows far out in a tail.  lp holds K doubles.
 */
static double
uncertainty_at(const struct gmm *g, double x, double *lp, size_t *best)
{
	const size_t k = g->k;
	double top = -INFINITY, sum = 0.0;

	*best = 0;
	for (size_t j = 0; j < k; j++) {
		double sd = sqrt(g->cov[j]), z = (x - g->mean[j]) / sd;
		lp[j] = log(g->weight[j]) - log(sd) - 0.5 * z * z;
		if (lp[j] > top) {
			top = lp[j];
			*best = j;
		}
	}
	for (size_t j = 0; j < k; j++)
		sum += exp(lp[j] - top);
	/* max_k z_k = 1 / sum_j exp(lp_j - lp_best) */
	return fmax(0.0, 1.0 - 1.0 / sum);
}

/*
 * The uncertainty's data: index 0 the curve on PLOT_GRID points over the
 * data's range (x uncertainty component), index 1 the rows (every
 * step-th sorted value of more than PLOT_MAX_POINTS, and the last), index
 * 2 the regions where each component is the most likely (x_left x_right
 * component), their ends found between grid points by bisection.
 */
static int
write_uncertainty(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g)
{
	struct colview v;
	const size_t step = ds->n / PLOT_MAX_POINTS + (ds->n % PLOT_MAX_POINTS != 0);
	const size_t cap = ds->n / (step > 0 ? step : 1) + 2;
	double lo, hi, left, *lp = malloc(g->k * sizeof *lp), *px = malloc(2 * cap * sizeof *px);
	size_t best, prev = 0, np = 0;
	FILE *fp;
	int rc;

	if (lp == NULL || px == NULL || dataset_sorted_column(ds, 0, &v)) {
		free(lp);
		free(px);
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	/* The rows drawn, row 0 and the last among them: the data's range. */
	rc = gof_steps(&v, step, px, px + cap, &np);
	colview_free(&v);
	if (rc != 0) {
		free(lp);
		free(px);
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	if ((rc = plot_open(pc, "-uncertainty.dat", &fp))) {
		free(px);
		free(lp);
		return rc;
	}
	lo = np > 0 ? px[0] : 0.0;
	hi = np > 0 ? px[np - 1] : 0.0;
	fputs("# x uncertainty component: the uncertainty 1 - max_k z_k and the most likely\n"
	      "# component; index 0 on a grid over the data's range, index 1 at the rows", fp);
	if (step > 1)
		fprintf(fp, " (every %zu-th sorted value, and the last)", step);
	fputs(",\n# index 2 the regions: x_left x_right component\n", fp);
	for (size_t i = 0; i < PLOT_GRID; i++) {
		double x = lo + (hi - lo) * (double)i / (double)(PLOT_GRID - 1);
		double u = uncertainty_at(g, x, lp, &best);
		fprintf(fp, "%.12g %.12g %zu\n", x, u, best + 1);
	}
	fputs("\n\n# rows: x uncertainty component\n", fp);
	for (size_t i = 0; i < np; i++) {
		double u = uncertainty_at(g, px[i], lp, &best);
		fprintf(fp, "%.12g %.12g %zu\n", px[i], u, best + 1);
	}
	free(px);
	fputs("\n\n# regions: x_left x_right component\n", fp);
	left = lo;
	for (size_t i = 0; i < PLOT_GRID; i++) {
		double x = lo + (hi - lo) * (double)i / (double)(PLOT_GRID - 1);
		(void)uncertainty_at(g, x, lp, &best);
		if (i == 0) {
			prev = best;
			continue;
		}
		if (best != prev) {
			/* The change lies in (x - step, x]: halve it down to the doubles' spacing. */
			double a = lo + (hi - lo) * (double)(i - 1) / (double)(PLOT_GRID - 1), b = x;
			for (int it = 0; it < 100; it++) {
				double m = 0.5 * (a + b);
				size_t bm;
				if (!(m > a && m < b))
					break;
				(void)uncertainty_at(g, m, lp, &bm);
				if (bm == prev)
					a = m;
				else
					b = m;
			}
			fprintf(fp, "%.12g %.12g %zu\n", left, b, prev + 1);
			left = b;
			prev = best;
		}
	}
	fprintf(fp, "%.12g %.12g %zu\n", left, hi, prev + 1);
	free(lp);
	return plot_close(pc);
}

/*
 * The uncertainty panel of one column: 1 - max_k z_k along x over the
 * data's range, the regions where each component is the most likely
 * shaded in its colour, and the rows as a rug coloured by their most
 * likely component.
 */
static int
plot_uncertainty1(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g)
{
	const int page = pc->po->terminal == PLOT_PDF || pc->latex;
	const size_t nkey = g->k + 2, cols = page ? 1 : 4, rows = (nkey + cols - 1) / cols;
	const double umax = 1.0 - 1.0 / (double)g->k, top = umax > 0.0 ? 1.1 * umax : 1.0;
	char *title;
	double xa, xb;
	FILE *fp;
	int rc;

	if ((rc = write_uncertainty(pc, ds, g)))
		return rc;
	if ((rc = plot_open(pc, "-uncertainty.gp", &fp)))
		return rc;
	plot_head(fp, pc, "The classification's uncertainty 1 - max_k z_k along x, the regions "
		  "where each component is the most likely, and the rows.", "-uncertainty", 800,
		  500 + plot_key_extra(pc, 800, rows));
	title = new_text("%s: classification uncertainty, %zu-component mixture", ds->names[0], g->k);
	if (title == NULL)
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	labels(fp, pc, ds, title, "uncertainty 1 - max z");
	free(title);
	for (size_t j = 0; j < g->k; j++)
		fprintf(fp, "set linetype %zu lc rgb '%s'\n", j + 1, plot_palette[j % PLOT_NCOLOURS]);
	/* The x axis of the histogram, so that the two figures line up. */
	plot_axis_range(ds, g, 0, pc->po->bins, &xa, &xb);
	fprintf(fp, "set xrange [%.12g:%.12g]\nset yrange [0:%.6g]\n", xa, xb, top);
	fputs("set border 3\nset tics nomirror\nset style fill solid 0.2 noborder\n", fp);
	/*
	 * Below the plot, where it covers nothing; its rows and 5 lines of
	 * margin.  On a page one entry a row: gnuplot set LaTeX's entries
	 * one a row however many columns it was allowed, onto the x label.
	 */
	fprintf(fp, "set key below box samplen 2 maxcols %zu%s\nset bmargin %zu\n", cols,
		pc->latex ? " width -4" : "", rows + 5);
	fputs("plot ", fp);
	plot_file_ref(fp, pc, "-uncertainty.dat");
	fprintf(fp, " index 2 using (($1+$2)/2):(%.6g):($2-$1):3 with boxes lc variable notitle", top);
	for (size_t j = 0; j < g->k; j++)
		fprintf(fp, ", \\\n     keyentry with boxes lt %zu title 'component %zu most likely'",
			j + 1, j + 1);
	fputs(", \\\n     ", fp);
	plot_file_ref(fp, pc, "-uncertainty.dat");
	fprintf(fp, " index 1 using 1:(0):(0):(%.6g):3 with vectors nohead lw 0.5 lc variable "
		"notitle", 0.04 * top);
	fputs(", \\\n     keyentry with impulses lw 1 lc rgb '#555555' title 'rows (rug)'", fp);
	fputs(", \\\n     ", fp);
	plot_file_ref(fp, pc, "-uncertainty.dat");
	fputs(" index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'uncertainty'\n", fp);
	plot_tail(fp, pc, "-uncertainty");
	return plot_close(pc);
}

int
plot_1d(struct plot_ctx *pc, const struct dataset *ds, const struct gmm *g)
{
	char *title;
	double ks, xa, xb, hpeak, fpeak, share;
	FILE *fp;
	int rc;

	if ((rc = plot_open(pc, "-hist.dat", &fp)))
		return rc;
	if (plot_hist_block(fp, ds, g, 0, pc->po->bins, &hpeak))
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	if ((rc = plot_close(pc)))
		return rc;
	if ((rc = plot_open(pc, "-fit.dat", &fp)))
		return rc;
	plot_fit_block(fp, ds, g, 0, &fpeak);
	if ((rc = plot_close(pc)))
		return rc;
	plot_axis_range(ds, g, 0, pc->po->bins, &xa, &xb);

	/*
	 * Head room above the tallest bar and the curve for the key, so that
	 * it covers no data: its share of the height, and a little more.  A
	 * key too tall for that goes below the plot, and the figure grows by
	 * its height (a default size only), so that the plot keeps its own.
	 */
	share = plot_key_share(pc, 800, 500, g->k + 2);
	if ((rc = plot_open(pc, ".gp", &fp)))
		return rc;
	plot_head(fp, pc, "Histogram of the data with the fitted Gaussian mixture.", "", 800,
		  share <= 0.6 ? 500 : 500 + plot_key_extra(pc, 800, g->k + 2));
	if ((title = new_text("%s: %zu-component Gaussian mixture", ds->names[0], g->k)) == NULL)
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	labels(fp, pc, ds, title, "density");
	free(title);
	fprintf(fp, "set xrange [%.12g:%.12g]\n", xa, xb);
	fputs("set border 3\nset tics nomirror\n", fp);
	/* gnuplot reckons LaTeX's text of the legend (37 characters) about 11 characters wider than it is. */
	if (share <= 0.6) {
		fprintf(fp, "set key top left reverse Left box opaque samplen 3%s\n",
			pc->latex ? " width -11" : "");
		fprintf(fp, "set yrange [0:%.6g]\n", fmax(hpeak, fpeak) / (1.0 - share - 0.08));
	} else {
		/* One entry a row, and room for them and the x label: gnuplot's own margin put the box on the label. */
		fprintf(fp, "set key below reverse Left box samplen 3 maxcols 1\nset bmargin %zu\n",
			g->k + 2 + 5);
		fputs("set yrange [0:*]\nset offsets 0, 0, graph 0.05, 0\n", fp);
	}
	fputs("set style fill solid 0.35 border rgb '#777777'\n", fp);
	fputs("plot ", fp);
	plot_file_ref(fp, pc, "-hist.dat");
	fputs(" using 3:4:($2-$1) with boxes lc rgb '#999999' title '", fp);
	data_title(fp, ds);
	fputs("', \\\n     ", fp);
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
	fprintf(fp, "set xrange [%.12g:%.12g]\n", xa, xb);
	fputs("set key bottom right box opaque\nset border 3\nset tics nomirror\n"
	      "set yrange [0:1]\n", fp);
	fputs("plot ", fp);
	plot_file_ref(fp, pc, "-ecdf.dat");
	fputs(" using 1:2 with steps lw 2 dt 1 lc rgb '#999999' title 'data (empirical)', \\\n     ", fp);
	plot_file_ref(fp, pc, "-cdf.dat");
	fputs(" using 1:2 with lines lw 2 dt 2 lc rgb '#0072B2' title 'mixture'\n", fp);
	plot_tail(fp, pc, "-cdf");
	if ((rc = plot_close(pc)))
		return rc;
	if ((rc = plot_qq(pc, ds, g)))
		return rc;
	return plot_uncertainty1(pc, ds, g);
}
