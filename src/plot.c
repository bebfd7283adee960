/*
 * plot.c - what every figure shares, the BIC figure, and the choice of
 * figures for a fit (see plot.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "plotint.h"

const char *const plot_palette[] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"
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

/* Inches per unit of --size; "pt" is TeX's point, as \the\textwidth prints. */
static const struct {
	const char *name;
	double inches;
} size_units[] = {
	{ "in", 1.0 }, { "cm", 1.0 / 2.54 }, { "mm", 1.0 / 25.4 },
	{ "pt", 1.0 / 72.27 }, { "bp", 1.0 / 72.0 }
};

/* One side of --size: a positive number, bare or with a unit; *abs set when a unit was given. */
static int
size_side(const char *s, size_t len, double *v, int *abs)
{
	size_t nl = len;
	double scale = 0;

	while (nl > 0 && s[nl - 1] >= 'a' && s[nl - 1] <= 'z')
		nl--;
	if (nl < len) {
		for (size_t u = 0; u < sizeof size_units / sizeof size_units[0]; u++)
			if (len - nl == strlen(size_units[u].name) &&
			    memcmp(s + nl, size_units[u].name, len - nl) == 0)
				scale = size_units[u].inches;
		if (!(scale > 0))
			return -1;
	}
	if (nl == 0 || s[nl - 1] == ' ' || np_parse(s, nl, '.', v) != NP_OK || !(*v > 0))
		return -1;
	*abs = scale > 0;
	if (*abs)
		*v *= scale;
	/* Pixels, or inches times the 72 pixels per inch gnuplot's pngcairo counts. */
	if (*abs && *v < PLOT_MIN_INCHES)
		return -1;
	return *v * (*abs ? PLOT_PX_PER_IN : 1) > PLOT_MAX_SIZE ? -1 : 0;
}

int
plot_size_parse(const char *s, struct plot_options *po)
{
	const char *comma = strchr(s, ',');
	double w, h;
	int aw, ah;

	if (comma == NULL || size_side(s, (size_t)(comma - s), &w, &aw) ||
	    size_side(comma + 1, strlen(comma + 1), &h, &ah) || aw != ah)
		return -1;
	po->width = w;
	po->height = h;
	po->size_inches = aw;
	return 0;
}

void
plot_files_free(struct plot_files *pf)
{
	for (size_t i = 0; i < pf->n; i++)
		outfile_discard(&pf->of[i]);
	free(pf->of);
	memset(pf, 0, sizeof *pf);
}

int
plot_open(struct plot_ctx *pc, const char *suffix, FILE **fp)
{
	struct plot_files *pf = pc->pf;
	size_t lp = strlen(pc->po->prefix), ls = strlen(suffix);
	char *path;
	int rc;

	if (pf->n == pf->cap) {
		size_t cap = pf->cap ? 2 * pf->cap : 8;
		struct outfile *of = realloc(pf->of, cap * sizeof *of);
		if (of == NULL)
			return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		pf->of = of;
		pf->cap = cap;
	}
	path = malloc(lp + ls + 1);
	if (path == NULL)
		return gm_error_set(pc->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	memcpy(path, pc->po->prefix, lp);
	memcpy(path + lp, suffix, ls + 1);
	rc = outfile_open(&pf->of[pf->n], path, pc->err);
	free(path);
	if (rc != GM_OK)
		return rc;
	*fp = pf->of[pf->n++].fp;
	return GM_OK;
}

int
plot_close(struct plot_ctx *pc)
{
	return outfile_close(&pc->pf->of[pc->pf->n - 1], pc->err);
}

/*
 * A quote inside a single-quoted gnuplot string.  gnuplot 5.4 does not
 * read doubled quotes reliably (a string that starts with one, or two in
 * a row, ends early): the string is closed, a double-quoted quote joined
 * on and the string opened again, 'it'."'".'s'.
 */
#define GP_QUOTE "'.\"'\".'"

void
plot_text(FILE *fp, const struct plot_ctx *pc, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fputc(' ', fp);
		else if (c == '\'')
			fputs(GP_QUOTE, fp);
		else if (pc->latex && strchr("#$%&_{}", c))
			fprintf(fp, "\\%c", c);
		else if (pc->latex && c == '\\')
			fputs("\\textbackslash{}", fp);
		else if (pc->latex && c == '^')
			fputs("\\textasciicircum{}", fp);
		else if (pc->latex && c == '~')
			fputs("\\textasciitilde{}", fp);
		else
			fputc(c, fp);
	}
}

/*
 * A file name or font inside a single-quoted gnuplot string: a quote is
 * GP_QUOTE.  Control bytes, which would end the line, are refused with the
 * options (-o, --font); should one come here, it becomes a '?'.
 */
static void
put_name(FILE *fp, const char *s)
{
	for (; *s; s++)
		if (*s == '\'')
			fputs(GP_QUOTE, fp);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc('?', fp);
		else
			fputc(*s, fp);
}

/*
 * Part of a file name inside a single-quoted shell word, itself inside a
 * single-quoted gnuplot string: a quote is the shell's '\'', joined on
 * as a double-quoted gnuplot string ("'\\''").
 */
static void
put_shell_name(FILE *fp, const char *s)
{
	for (; *s; s++)
		if (*s == '\'')
			fputs("'.\"'\\\\''\".'", fp);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc('?', fp);
		else
			fputc(*s, fp);
}

void
plot_file_ref(FILE *fp, const struct plot_ctx *pc, const char *suffix)
{
	fputc('\'', fp);
	put_name(fp, pc->base);
	put_name(fp, suffix);
	fputc('\'', fp);
}

double
plot_font_size(const struct plot_options *po)
{
	const char *comma = po->font ? strrchr(po->font, ',') : NULL;
	double size = 0.0;

	/* "NAME" alone, or a SIZE that is no number: gnuplot's default, 10. */
	if (comma == NULL || np_parse(comma + 1, strlen(comma + 1), '.', &size) != NP_OK)
		return 10.0;
	return size > 0.0 && size < 1000.0 ? size : 10.0;
}

static const char *const extensions[] = { ".png", ".svg", ".pdf", ".tex" };

void
plot_size(const struct plot_ctx *pc, double dw, double dh, double *w, double *h)
{
	const struct plot_options *po = pc->po;
	const int vector = po->terminal == PLOT_PDF || po->terminal == PLOT_CAIROLATEX;

	/*
	 * The default pixel sizes (dw x dh) are kept for png and svg; a page
	 * gets the same shape PLOT_PAGE_WIDTH wide, which fits the text width
	 * of a one-column article (and of a matrix of many panels too).
	 */
	if (po->width > 0 && po->size_inches) {
		*w = vector ? po->width : po->width * PLOT_PX_PER_IN;
		*h = vector ? po->height : po->height * PLOT_PX_PER_IN;
	} else if (po->width > 0) {
		*w = po->width;
		*h = po->height;
	} else if (vector) {
		*w = PLOT_PAGE_WIDTH;
		*h = PLOT_PAGE_WIDTH * dh / dw;
	} else {
		*w = dw;
		*h = dh;
	}
}

void
plot_head(FILE *fp, const struct plot_ctx *pc, const char *what,
	  const char *suffix, double dw, double dh)
{
	const struct plot_options *po = pc->po;
	const char *font = po->font ? po->font : "sans,10";
	double w, h;

	plot_size(pc, dw, dh, &w, &h);
	fprintf(fp, "# %s\n", what);
	fputs("# Run from the directory that holds this script: gnuplot ", fp);
	for (const char *b = pc->base; *b; b++)
		fputc((unsigned char)*b < 0x20 || *b == 0x7f ? '?' : *b, fp);
	fprintf(fp, "%s.gp\n", suffix);
	switch (po->terminal) {
	case PLOT_PNG:
	case PLOT_SVG:
		/* Whole pixels: gnuplot truncates a fraction. */
		fprintf(fp, "set terminal %s size %.0f,%.0f noenhanced font '",
			po->terminal == PLOT_PNG ? "pngcairo" : "svg", w, h);
		put_name(fp, font);
		fputs("'\n", fp);
		break;
	case PLOT_PDF:
		fprintf(fp, "set terminal pdfcairo size %.4gin,%.4gin noenhanced font '", w, h);
		put_name(fp, font);
		fputs("'\n", fp);
		break;
	case PLOT_CAIROLATEX:
		fputs("# Writes a .tex (text, set by LaTeX) and a .pdf (graphics): \\input the\n"
		      "# .tex in a document that loads graphicx and color.\n", fp);
		fprintf(fp, "set terminal cairolatex pdf size %.4gin,%.4gin\n", w, h);
		/*
		 * gnuplot spaces the text LaTeX sets for a font of 0.6 x 10
		 * points unless told: the key's box and the margins came out
		 * too small for the document's text.  The size of --font is the
		 * document's (the name is LaTeX's business).
		 */
		fprintf(fp, "set terminal cairolatex font ',%g' fontscale 0.8\n", plot_font_size(po));
		break;
	}
	fputs("set output '", fp);
	put_name(fp, pc->base);
	fprintf(fp, "%s%s'\n", suffix, extensions[po->terminal]);
}

void
plot_tail(FILE *fp, const struct plot_ctx *pc, const char *suffix)
{
	fputs("unset output\n", fp);
	if (pc->po->terminal != PLOT_PDF && pc->po->terminal != PLOT_CAIROLATEX)
		return;
	/*
	 * cairo writes the time of drawing into the PDF.  When
	 * SOURCE_DATE_EPOCH is set, that time is put there instead: the date
	 * string keeps its length, so the file's offsets stay right.
	 */
	fputs("# Reproducible PDF: with SOURCE_DATE_EPOCH set, its time replaces the\n"
	      "# time of drawing that cairo writes into the file.\n", fp);
	fputs("sde = system('printenv SOURCE_DATE_EPOCH')\n", fp);
	/* cairo writes D:...Z in UTC and D:...+HH'mm elsewhere: both keep their length. */
	fputs("if (strlen(sde) > 0) {\n"
	      "  d = strftime('%Y%m%d%H%M%S', int(sde))\n"
	      "  system(sprintf(\"sed -i -e 's|/CreationDate (D:[0-9]*Z)|/CreationDate (D:%sZ)|' \" . \\\n"
	      "    \"-e 's|/CreationDate (D:[0-9]*[-+][0-9][0-9]\\\\x27[0-9][0-9])|/CreationDate (D:%s+00\\\\x2700)|' -- %s\", \\\n"
	      "    d, d, \"'\".'", fp);
	/* The name is a shell word: quoted for the shell, then for gnuplot. */
	put_shell_name(fp, pc->base);
	put_shell_name(fp, suffix);
	fputs(".pdf'.\"'\"))\n}\n", fp);
	/* Every figure's script ends the same way (harmless when closed already). */
	fputs("unset output\n", fp);
}

/* ------------------------------------------------------------ BIC figure */

#define BIC_KEY_INSIDE 6	/* key lines that may stand inside the BIC figure */
#define KEY_ROOM 0.9		/* the share of the plot's height a key beside it may take */

/* A structure's name in the key: in one column full is diag and spherical too. */
static const char *
bic_key_name(enum gmm_cov cov, size_t d)
{
	if (d == 1 && cov == GMM_FULL)
		return "full = diag = spherical";
	return gmm_cov_name(cov);
}

static int
plot_bic(struct plot_ctx *pc, const struct fit_result *fr, size_t d)
{
	const struct fit_model *ch = &fr->models[fr->chosen];
	enum gmm_cov seen[GMM_NCOV];
	size_t nseen = 0, kmin = ch->k, kmax = ch->k;
	double lo = ch->bic, hi = ch->bic, share, span, bottom;
	char chosen[64];
	int many;
	FILE *fp;
	int rc;

	if ((rc = plot_open(pc, "-bic.dat", &fp)))
		return rc;
	fputs("# k bic (one block per covariance structure, in the order of the script;\n"
	      "# models not fitted, degenerate or not identifiable are left out)\n", fp);
	for (size_t m = 0; m < fr->nmodels; m++) {
		const struct fit_model *fm = &fr->models[m];
		size_t s;
		for (s = 0; s < nseen && seen[s] != fm->cov; s++)
			;
		if (s == nseen) {
			seen[nseen++] = fm->cov;
			/* Blocks are separated by two blank lines: gnuplot's index. */
			fprintf(fp, "%s# %s\n", nseen > 1 ? "\n\n" : "", gmm_cov_name(fm->cov));
		}
		/* Only a usable model has a BIC (and a g). */
		if (fm->status == GM_OK && fm->verdict == FIT_USABLE) {
			fprintf(fp, "%zu %.17g\n", fm->k, fm->bic);
			lo = fmin(lo, fm->bic);
			hi = fmax(hi, fm->bic);
		}
		kmin = fm->k < kmin ? fm->k : kmin;
		kmax = fm->k > kmax ? fm->k : kmax;
	}
	fprintf(fp, "\n\n# chosen\n%zu %.17g\n", ch->k, ch->bic);
	if ((rc = plot_close(pc)))
		return rc;

	if ((rc = plot_open(pc, "-bic.gp", &fp)))
		return rc;
	/*
	 * Many models (a list, or all): the key's column stands right of the
	 * plot, and the default figure is taller, so that the key's lines
	 * (at the text's size) fit one column high beside a plot of the full
	 * height; a few share the top right corner with the data.
	 */
	many = nseen + 1 > BIC_KEY_INSIDE;
	plot_head(fp, pc, fr->criterion == FIT_ICL ?
		  "BIC of each fitted model against K; the model chosen by ICL is marked." :
		  "BIC of each fitted model against K; the chosen model is marked.",
		  "-bic", 800, many ? 640 : 500);
	fputs("set title '", fp);
	plot_text(fp, pc, pc->po->title ? pc->po->title : "BIC against the number of components (lower is better)");
	fputs("'\nset xlabel 'K (components)'\nset ylabel 'BIC'\n", fp);
	fputs("set border 3\nset tics nomirror\nset xtics 1\n", fp);
	/* Half a step beyond the first and the last K: no empty tick 0. */
	fprintf(fp, "set xrange [%g:%g]\n", (double)kmin - 0.5, (double)kmax + 0.5);
	/*
	 * As the histogram's key (plot_1d): head room above the highest
	 * BIC for the key's lines (one per structure and the chosen model),
	 * so that it covers no point; a key too tall for that goes right.
	 */
	snprintf(chosen, sizeof chosen, "chosen%s: K = %zu, %s",
		 fr->criterion == FIT_ICL ? " by lowest ICL" : "", ch->k, gmm_cov_name(ch->cov));
	span = hi > lo ? hi - lo : fmax(1.0, fabs(hi) * 1e-3);
	bottom = lo - 0.05 * span;
	share = plot_key_share(pc, 800, many ? 640 : 500, nseen + 1);
	if (share <= 0.6 && !many) {
		fputs("set key top right box opaque\n", fp);
		fprintf(fp, "set yrange [%.12g:%.12g]\n", bottom,
			(hi + 0.03 * span - (share + 0.05) * bottom) / (1.0 - share - 0.05));
	} else {
		size_t longest = strlen(chosen);
		for (size_t s = 0; s < nseen; s++)
			if (strlen(bic_key_name(seen[s], d)) > longest)
				longest = strlen(bic_key_name(seen[s], d));
		/*
		 * The lines 0.9 apart, closer when a size given with --size
		 * leaves less room (gnuplot would wrap the key into columns
		 * that no longer fit the canvas), down to 0.7.
		 */
		double sp = share * 0.9 > KEY_ROOM ? KEY_ROOM / share : 0.9;
		fprintf(fp, "set key outside right top vertical box spacing %.2f samplen 2",
			sp < 0.7 ? 0.7 : sp);
		/*
		 * gnuplot sizes a key by its titles' characters, each as wide
		 * as the terminal's average; cairolatex's runs much wider than
		 * LaTeX sets the text, and a quarter of the characters is given
		 * back (a third already lets the longest title touch the box).
		 */
		if (pc->po->terminal == PLOT_CAIROLATEX)
			fprintf(fp, " width -%zu", longest / 4);
		fputc('\n', fp);
		fprintf(fp, "set yrange [%.12g:%.12g]\n", bottom, hi + 0.05 * span);
	}
	fputs("plot ", fp);
	for (size_t s = 0; s < nseen; s++) {
		fprintf(fp, "%s", s ? ", \\\n     " : "");
		plot_file_ref(fp, pc, "-bic.dat");
		fprintf(fp, " index %zu using 1:2 with linespoints lw 2 dt %zu pt %zu ps 1.2 "
			"lc rgb '%s' title '%s'", s, s + 1, 4 + 2 * s, plot_palette[s % PLOT_NCOLOURS],
			bic_key_name(seen[s], d));
	}
	fputs(", \\\n     ", fp);
	plot_file_ref(fp, pc, "-bic.dat");
	fprintf(fp, " index %zu using 1:2 with points pt 6 ps 3 lw 2 lc rgb '#000000' "
		"title '%s'\n", nseen, chosen);
	plot_tail(fp, pc, "-bic");
	return plot_close(pc);
}

int
plot_one_pair_only(const struct dataset *ds)
{
	return ds->d > PLOT_MAX_PANEL_COLUMNS;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int
plot_write(const struct plot_options *po, const struct dataset *ds,
	   const struct fit_result *fr, struct plot_files *pf,
	   struct gm_error *err)
{
	struct plot_ctx pc = { po, base_name(po->prefix), pf, err,
			       po->terminal == PLOT_CAIROLATEX };
	const struct gmm *g = fr->models[fr->chosen].g;
	int rc;

	if (pc.base[0] == '\0')
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "the output prefix '%s' names a directory; add a file name",
				    po->prefix);
	rc = ds->d == 1 ? plot_1d(&pc, ds, g) : plot_2d(&pc, ds, g);
	if (rc == GM_OK && fr->nmodels > 1)
		rc = plot_bic(&pc, fr, ds->d);
	return rc;
}
