/*
 * meansfile.c - the starting means of --means FILE (see meansfile.h).
 *
 * The file is small (one row per component), so it is read whole and cut
 * into lines here rather than through csvread: lines and fields are then
 * counted exactly for the messages, and the header's names are matched
 * to the fitted columns as names, never as column numbers or ranges.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meansfile.h"
#include "numparse.h"

/* One line cut into fields: text[j] is NUL-terminated in buf, len[j] its length. */
struct fields {
	char *buf;
	char **text;
	size_t *len;
	size_t n, cap;
};

struct mreader {
	const char *path;
	const struct means_file_options *opt;
	char delim, quote, decimal;
	struct gm_error *err;
};

/* s shown in a message: control characters escaped, cut at 60 bytes. */
static const char *
shown(const char *s, char out[64])
{
	gm_escape(s, out, 64);
	return out;
}

static int
push_field(struct fields *f, char *text, size_t len)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		char **t = realloc(f->text, cap * sizeof *t);
		size_t *l;
		if (t == NULL)
			return -1;
		f->text = t;
		if ((l = realloc(f->len, cap * sizeof *l)) == NULL)
			return -1;
		f->len = l;
		f->cap = cap;
	}
	f->text[f->n] = text;
	f->len[f->n++] = len;
	return 0;
}

/*
 * Cut line s[0..len) (no line end) into f.  A field that starts with the
 * quote ends at the next lone quote ("" is one quote in it), and only the
 * delimiter or the line's end may follow.  GM_OK, or an error at line ln.
 */
static int
split(struct mreader *r, const char *s, size_t len, long ln, struct fields *f)
{
	char *o;
	size_t i = 0;

	free(f->buf);
	if ((f->buf = malloc(len + 1)) == NULL)
		return gm_error_set(r->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	o = f->buf;
	f->n = 0;
	for (;;) {
		char *start = o;
		if (i < len && s[i] == r->quote) {
			for (i++;; i++) {
				if (i == len)
					return gm_error_set(r->err, GM_EDATA, r->path, ln, (long)f->n + 1,
							    "a quoted field that does not end on its line");
				if (s[i] == r->quote && i + 1 < len && s[i + 1] == r->quote)
					*o++ = s[i++];
				else if (s[i] == r->quote)
					break;
				else
					*o++ = s[i];
			}
			i++;
			if (i < len && s[i] != r->delim)
				return gm_error_set(r->err, GM_EDATA, r->path, ln, (long)f->n + 1,
						    "text after the closing quote of a field");
		} else {
			while (i < len && s[i] != r->delim)
				*o++ = s[i++];
		}
		*o++ = '\0';
		if (push_field(f, start, (size_t)(o - start) - 1))
			return gm_error_set(r->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		if (i == len)
			return GM_OK;
		i++;	/* the delimiter */
	}
}

/* The delimiter when none was given: the first of ',', tab, ';' outside quotes in s. */
static char
guess_delimiter(const char *s, size_t len, char quote)
{
	static const char cand[] = { ',', '\t', ';' };
	int inq = 0, has[3] = { 0, 0, 0 };

	for (size_t i = 0; i < len; i++) {
		if (s[i] == quote)
			inq = !inq;
		for (int c = 0; c < 3 && !inq; c++)
			has[c] |= s[i] == cand[c];
	}
	for (int c = 0; c < 3; c++)
		if (has[c])
			return cand[c];
	return ',';
}

/* A means file that cannot be opened; a missing one may have been meant as a list. */
static int
open_error(const char *path, int e, struct gm_error *err)
{
	return gm_error_set(err, GM_EDATA, path, 0, 0, "cannot open the means file: %s%s",
			    strerror(e), e != ENOENT ? "" :
			    " (--means takes a file, or a list of numbers: digits, signs, "
			    "points, e and commas only)");
}

int
means_file_check(const char *path, struct gm_error *err)
{
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return open_error(path, errno, err);
	fclose(fp);
	return GM_OK;
}

/* The whole file in *buf (NUL-terminated), *len bytes; GM_OK or an error. */
static int
slurp(struct mreader *r, char **buf, size_t *len)
{
	FILE *fp = fopen(r->path, "rb");
	size_t n = 0, cap = 0, got;
	char *b = NULL;

	if (fp == NULL)
		return open_error(r->path, errno, r->err);
	do {
		if (cap - n < 4096) {
			char *nb;
			cap = cap ? 2 * cap : 65536;
			if ((nb = realloc(b, cap + 1)) == NULL) {
				free(b);
				fclose(fp);
				return gm_error_set(r->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, fp);
		n += got;
		if (n > MEANS_FILE_MAX) {
			free(b);
			fclose(fp);
			return gm_error_set(r->err, GM_EDATA, r->path, 0, 0,
					    "the means file is larger than %zu MiB: it holds one row "
					    "of means per component", MEANS_FILE_MAX >> 20);
		}
	} while (got > 0);
	if (ferror(fp)) {
		int e = errno;
		free(b);
		fclose(fp);
		return gm_error_set(r->err, GM_EDATA, r->path, 0, 0, "read error: %s", strerror(e));
	}
	fclose(fp);
	if (b == NULL && (b = malloc(1)) == NULL)
		return gm_error_set(r->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	b[n] = '\0';
	*buf = b;
	*len = n;
	return GM_OK;
}

/* Every field of f is a number. */
static int
all_numbers(const struct mreader *r, const struct fields *f)
{
	for (size_t j = 0; j < f->n; j++) {
		double v;
		if (np_parse(f->text[j], f->len[j], r->decimal, &v) != NP_OK)
			return 0;
	}
	return 1;
}

/* The header's fields onto the columns: map[j] is field j's column. */
static int
read_header(struct mreader *r, const struct fields *f, long ln, char *const *names,
	    size_t d, size_t *map)
{
	char a[64], b[200];
	unsigned char *got = calloc(d, 1);
	int rc = GM_OK;

	if (got == NULL)
		return gm_error_set(r->err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	for (size_t j = 0; j < f->n && rc == GM_OK; j++) {
		size_t c;
		for (c = 0; c < d && strcmp(names[c], f->text[j]) != 0; c++)
			;
		if (c == d) {
			/* The fitted columns, as far as they fit. */
			size_t o = 0;
			b[0] = '\0';
			for (size_t q = 0; q < d && o + 8 < sizeof b; q++) {
				char one[64];
				int w = snprintf(b + o, sizeof b - o, "%s\"%s\"", q ? ", " : "",
						 shown(names[q], one));
				o = w < 0 || (size_t)w >= sizeof b - o ? sizeof b : o + (size_t)w;
			}
			rc = gm_error_set(r->err, GM_EDATA, r->path, ln, (long)j + 1,
					  "column \"%s\" of the header is not a fitted column (%s%s)",
					  shown(f->text[j], a), b, o >= sizeof b ? "..." : "");
		} else if (got[c]) {
			rc = gm_error_set(r->err, GM_EDATA, r->path, ln, (long)j + 1,
					  "column \"%s\" appears twice in the header", shown(names[c], a));
		} else {
			got[c] = 1;
			map[j] = c;
		}
	}
	for (size_t c = 0; c < d && rc == GM_OK; c++)
		if (!got[c])
			rc = gm_error_set(r->err, GM_EDATA, r->path, ln, 0,
					  "the header has no column \"%s\": each fitted column needs "
					  "its means", shown(names[c], a));
	free(got);
	return rc;
}

/* Row f of means (one component) into row[map[j]]. */
static int
read_row(struct mreader *r, const struct fields *f, long ln, const size_t *map, double *row)
{
	for (size_t j = 0; j < f->n; j++) {
		char a[64];
		double v = 0.0;
		const char *why = NULL;
		switch (np_parse(f->text[j], f->len[j], r->decimal, &v)) {
		case NP_OK:
			if (!(v >= -r->opt->limit && v <= r->opt->limit))
				why = "is out of range: a mean is from -1e150 to 1e150";
			break;
		case NP_EMPTY:
			return gm_error_set(r->err, GM_EDATA, r->path, ln, (long)j + 1,
					    "empty field: each component needs a mean in every column");
		case NP_INVALID:
			why = "is not a number";
			break;
		case NP_OVERFLOW:
			why = "is beyond the largest double (1.8e308)";
			break;
		}
		if (why != NULL)
			return gm_error_set(r->err, GM_EDATA, r->path, ln, (long)j + 1, "\"%s\" %s",
					    shown(f->text[j], a), why);
		row[map[j]] = v;
	}
	return GM_OK;
}

int
means_file_read(const char *path, char *const *names, size_t d,
		const struct means_file_options *opt, double **means, size_t *k,
		struct gm_error *err)
{
	struct mreader r = { path, opt, 0, 0, 0, err };
	size_t len = 0;
	char *buf = NULL;
	int rc;

	if ((rc = slurp(&r, &buf, &len)) != GM_OK)
		return rc;
	rc = means_file_parse(path, buf, len, names, d, opt, means, k, err);
	free(buf);
	return rc;
}

int
means_file_parse(const char *path, const char *buf, size_t len, char *const *names,
		 size_t d, const struct means_file_options *opt, double **means, size_t *k,
		 struct gm_error *err)
{
	struct mreader r = { path, opt, opt->delimiter, opt->quote ? opt->quote : '"',
			     opt->decimal ? opt->decimal : '.', err };
	struct fields f = { NULL, NULL, NULL, 0, 0 };
	size_t pos = 0, nk = 0, ncols = 0, *map = malloc((d ? d : 1) * sizeof *map);
	double *m = NULL;
	long ln = 0;
	int rc = GM_OK, header_seen = 0;

	if (map == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	while (pos < len && rc == GM_OK) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - s) : len - pos;
		const char *nul = memchr(s, '\0', ll);
		ln++;
		pos += ll + 1;
		if (nul != NULL) {
			rc = gm_error_set(err, GM_EDATA, path, ln, (long)(nul - s) + 1,
					  "a NUL byte: the means file is not text");
			break;
		}
		if (ll > 0 && s[ll - 1] == '\r')
			ll--;
		{
			size_t sp = 0;
			while (sp < ll && (s[sp] == ' ' || s[sp] == '\t'))
				sp++;
			if (sp == ll)
				continue;	/* blank */
		}
		if (r.delim == 0)
			r.delim = r.decimal == ',' ? ';' : guess_delimiter(s, ll, r.quote);
		if ((rc = split(&r, s, ll, ln, &f)) != GM_OK)
			break;
		if (!header_seen) {
			header_seen = 1;
			ncols = f.n;
			if (!all_numbers(&r, &f)) {
				rc = read_header(&r, &f, ln, names, d, map);
				continue;
			}
			if (f.n != d) {
				rc = gm_error_set(err, GM_EDATA, path, ln, 0,
						  "%zu fields and no header: a row of means without a header "
						  "needs %zu, one per fitted column in their order", f.n, d);
				break;
			}
			for (size_t j = 0; j < d; j++)
				map[j] = j;
		}
		if (f.n != ncols) {
			rc = gm_error_set(err, GM_EDATA, path, ln, 0,
					  "%zu fields, not %zu as in the first line", f.n, ncols);
			break;
		}
		if (nk == opt->kmax) {
			rc = gm_error_set(err, GM_EDATA, path, ln, 0,
					  "more than %zu rows: gmmfit fits at most %zu components",
					  opt->kmax, opt->kmax);
			break;
		}
		{
			double *nm = realloc(m, (nk + 1) * d * sizeof *m);
			if (nm == NULL) {
				rc = gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
				break;
			}
			m = nm;
		}
		rc = read_row(&r, &f, ln, map, m + nk * d);
		nk++;
	}
	if (rc == GM_OK && nk == 0)
		rc = gm_error_set(err, GM_EDATA, path, 0, 0,
				  "no rows of means: the file needs one row per component");
	free(f.buf);
	free(f.text);
	free(f.len);
	free(map);
	if (rc != GM_OK) {
		free(m);
		return rc;
	}
	*means = m;
	*k = nk;
	return GM_OK;
}
