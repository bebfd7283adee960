/*
 * csvparse.c - the CSV reader's libcsv callbacks (see csvint.h).
 *
 * libcsv calls back once per field and once per record end.  It knows
 * nothing of lines, so this file counts them: a record starts on the line
 * after the previous record's terminator, and newlines inside quoted
 * fields move the line on for the fields after them.  With CSV_REPALL_NL
 * every newline outside a record is reported too; the '\n' of a CRLF pair
 * arrives as an empty record right after a '\r' and is not a new line.
 *
 * Columns are chosen when the first data row arrives: by name or number
 * from the header, or (no list given) the first column whose value in
 * that row is a number; "all" takes every such column.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "csvint.h"
#include "numparse.h"
#include "suggest.h"

int
rd_fail(struct reader *r, int status, long line, long col, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof r->err->msg];

	if (r->failed)
		return status;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	gm_error_set(r->err, status, r->path, line, col, "%s", msg);
	r->failed = 1;
	return status;
}

/* Forget the error recorded, for a better account of it (hint, a changed file). */
void
rd_unfail(struct reader *r)
{
	r->failed = 0;
	gm_error_clear(r->err);
}

/* libcsv stopped: why, in words about the file rather than libcsv's. */
void
rd_parse_failed(struct reader *r, struct csv_parser *p)
{
	int e = csv_error(p);

	if (e == CSV_ENOMEM || e == CSV_ETOOBIG)
		rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	else
		rd_fail(r, GM_EDATA, r->field_line, (long)r->field + 1,
		     "malformed quoting: a quote inside an unquoted field, or text after a "
		     "closing quote (quote the whole field, doubling the quotes in it)");
}

/* Copy a field for a message: at most 40 bytes, non-printing bytes escaped. */
static void
quote_field(const char *s, size_t len, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 8 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == 40) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f || c >= 0x80 || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static int
is_missing(const struct reader *r, const char *s, size_t len)
{
	size_t a = 0, b = len, n;

	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	n = b - a;
	if (n == 0)
		return 1;
	/* The built-in tokens: NA, NaN, nan. */
	if ((n == 2 && s[a] == 'N' && s[a + 1] == 'A') ||
	    (n == 3 && (s[a] == 'N' || s[a] == 'n') && s[a + 1] == 'a' && s[a + 2] == s[a]))
		return 1;
	for (size_t i = 0; i < r->opt->n_na; i++)
		if (r->na_len[i] == n && memcmp(r->opt->na[i], s + a, n) == 0)
			return 1;
	return 0;
}

static long
count_newlines(const char *s, size_t len)
{
	long n = 0;
	size_t i = 0;

	/* Only a quoted field holds a line end: most fields have none. */
	while (i < len && (unsigned char)s[i] > '\r')
		i++;
	for (; i < len; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
			n++;
	return n;
}

static char *
dup_field(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* Names of the header for a message: "a", "b", "c" (ending ", ..." when cut). */
static void
list_names(const struct reader *r, char *out, size_t outsz)
{
	size_t o = 0, j;

	out[0] = '\0';
	for (j = 0; j < r->ncols; j++) {
		char q[160];
		int len;
		quote_field(r->header[j], strlen(r->header[j]), q, sizeof q);
		len = snprintf(NULL, 0, "%s\"%s\"", j ? ", " : "", q);
		if (o + (size_t)len + 8 >= outsz)
			break;
		o += (size_t)snprintf(out + o, outsz - o, "%s\"%s\"", j ? ", " : "", q);
	}
	if (j < r->ncols)
		snprintf(out + o, outsz - o, ", ... (%zu in all)", r->ncols);
}

/*
 * No column is called name: say so with the nearest name when one is
 * close (a case or a typing slip), else with the list.  source, when not
 * NULL, says whose column it is ("the model m.json").
 */
static int
no_column(struct reader *r, const char *name, const char *source)
{
	const char *near = suggest_nearest(name, (const char *const *)r->header, r->ncols);
	char shown[160], whose[200] = "";

	quote_field(name, strlen(name), shown, sizeof shown);
	if (source != NULL)
		snprintf(whose, sizeof whose, " (a column of %s)", source);
	if (near != NULL) {
		char q[160];
		quote_field(near, strlen(near), q, sizeof q);
		return rd_fail(r, GM_EDATA, 0, 0, "no column named \"%s\"%s; did you mean \"%s\"?",
			    shown, whose, q);
	}
	{
		char names[400];
		list_names(r, names, sizeof names);
		return rd_fail(r, GM_EDATA, 0, 0, "no column named \"%s\"%s; the columns are %s",
			    shown, whose, names);
	}
}

/* How many header names are exactly s. */
static size_t
exact_names(const struct reader *r, const char *s)
{
	size_t hits = 0;

	for (size_t j = 0; j < r->ncols; j++)
		hits += strcmp(r->header[j], s) == 0;
	return hits;
}

/*
 * Find one column token: an exact header name first, then a 1-based
 * number.  Returns 0 and sets *col, or fails with a message.
 */
static int
find_column(struct reader *r, const char *tok, size_t *col)
{
	size_t hits = 0, first = 0;
	char *end;
	unsigned long v;

	for (size_t j = 0; j < r->ncols; j++)
		if (strcmp(r->header[j], tok) == 0) {
			if (hits++ == 0)
				first = j;
		}
	if (hits == 1) {
		*col = first;
		return 0;
	}
	if (hits > 1) {
		char nums[256];
		size_t o = 0, shown = 0;
		for (size_t j = 0; j < r->ncols && o + 32 < sizeof nums; j++)
			if (strcmp(r->header[j], tok) == 0) {
				o += (size_t)snprintf(nums + o, sizeof nums - o, "%s%zu",
						      o ? ", " : "", j + 1);
				shown++;
			}
		if (shown < hits)
			snprintf(nums + o, sizeof nums - o, ", ... (%zu in all)", hits);
		return rd_fail(r, GM_EDATA, 1, 0,
			    "column name \"%s\" is not unique (columns %s); select by number",
			    tok, nums);
	}
	errno = 0;
	v = strtoul(tok, &end, 10);
	if (tok[0] >= '0' && tok[0] <= '9' && *end == '\0' && errno == 0) {
		if (v >= 1 && v <= r->ncols) {
			*col = v - 1;
			return 0;
		}
		return rd_fail(r, GM_EDATA, 0, 0,
			    "no column %lu: the file has %zu column%s", v, r->ncols,
			    r->ncols == 1 ? "" : "s");
	}
	return no_column(r, tok, NULL);
}

/* While the columns are chosen, slot[col] is 1 for a chosen column: no scan of the list. */
static int
in_sel(const struct reader *r, size_t col)
{
	return r->slot[col] != 0;
}

static int
add_sel(struct reader *r, size_t col)
{
	if (in_sel(r, col))
		return rd_fail(r, GM_EUSAGE, 0, 0, "column %zu (\"%s\") is selected twice",
			    col + 1, r->header[col]);
	r->slot[col] = 1;
	r->sel[r->d++] = col;
	return 0;
}

static int
first_is_number(const struct reader *r, size_t j)
{
	double v;

	return j < r->nfirst &&
	       np_parse(r->first[j], r->first_len[j], r->decimal, &v) == NP_OK;
}

/*
 * The text is a number with a decimal comma, and the reader was not told
 * so (while ',' is not the delimiter): the hint of a message.
 */
static int
comma_number(const struct reader *r, const char *s, size_t len)
{
	double v;

	return r->decimal == '.' && r->delim != ',' && memchr(s, ',', len) != NULL &&
	       np_parse(s, len, ',', &v) == NP_OK;
}

/* Leave column col out of the selection, if it is in. */
static void
drop_sel(struct reader *r, size_t col)
{
	if (!in_sel(r, col))
		return;
	r->slot[col] = 0;
	for (size_t i = 0; i < r->d; i++)
		if (r->sel[i] == col) {
			memmove(r->sel + i, r->sel + i + 1, (r->d - i - 1) * sizeof *r->sel);
			r->d--;
			return;
		}
}

/* "all": every column whose first value is a number, but the weights. */
static void
select_all(struct reader *r)
{
	for (size_t j = 0; j < r->ncols && !r->failed; j++)
		if (first_is_number(r, j) && (long)j != r->wcol && !in_sel(r, j))
			add_sel(r, j);
}

/*
 * One token of a -c list: "all", a name, a number or a range "a-b" (a
 * token that is a column's exact name is that column); added to the
 * selection, or with drop left out of it.
 */
static void
select_token(struct reader *r, char *tok, int drop)
{
	size_t a, b;
	char *dash;

	if (exact_names(r, tok) == 0 && strcmp(tok, "all") == 0) {
		if (drop) {
			r->d = 0;
			memset(r->slot, 0, r->nslot * sizeof *r->slot);
		} else
			select_all(r);
		return;
	}
	dash = strchr(tok + 1, '-');
	if (dash != NULL && exact_names(r, tok) == 0) {
		*dash = '\0';
		if (find_column(r, tok, &a) || find_column(r, dash + 1, &b))
			return;
		if (a > b) {
			rd_fail(r, GM_EUSAGE, 0, 0, "column range %s-%s runs backwards", tok, dash + 1);
			return;
		}
		for (size_t j = a; j <= b && !r->failed; j++)
			if (drop)
				drop_sel(r, j);
			else
				add_sel(r, j);
		return;
	}
	if (find_column(r, tok, &a) == 0) {
		if (drop)
			drop_sel(r, a);
		else
			add_sel(r, a);
	}
}

/* Choose the columns, once the header and the first data row are known. */
static int
resolve_columns(struct reader *r)
{
	const char *spec = r->opt->columns;

	r->sel = calloc(r->ncols + 1, sizeof *r->sel);
	r->slot = calloc(r->ncols + 1, sizeof *r->slot);
	if (r->sel == NULL || r->slot == NULL)
		return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	r->nslot = r->ncols;
	if (r->opt->weights != NULL) {
		size_t c;
		if (find_column(r, r->opt->weights, &c))
			return r->err->status;
		r->wcol = (long)c;
	}
	if (spec == NULL && r->opt->names == NULL) {
		for (size_t j = 0; j < r->ncols; j++)
			if (first_is_number(r, j) && (long)j != r->wcol) {
				r->sel[r->d++] = j;
				break;
			}
		if (r->d == 0) {
			char names[400];
			for (size_t j = 0; j < r->nfirst; j++)
				if (comma_number(r, r->first[j], r->first_len[j])) {
					char q[200];
					quote_field(r->first[j], r->first_len[j], q, sizeof q);
					return rd_fail(r, GM_EDATA, r->first_line[j], (long)j + 1,
						    "no column of the first data row holds a number, "
						    "but \"%s\" would with --decimal-comma", q);
				}
			list_names(r, names, sizeof names);
			return rd_fail(r, GM_EDATA, r->first_line[0], 0,
				    "no column of the first data row holds a number; choose one with -c (columns: %s)",
				    names);
		}
	} else if (r->opt->names != NULL) {
		/* A saved model's columns: names, matched exactly, in its order. */
		for (size_t i = 0; i < r->opt->n_names && !r->failed; i++) {
			size_t a;
			if (exact_names(r, r->opt->names[i]) == 0)
				no_column(r, r->opt->names[i], r->opt->names_source);
			else if (find_column(r, r->opt->names[i], &a) == 0)
				add_sel(r, a);
		}
		if (r->failed)
			return r->err->status;
	} else {
		char *copy = strdup(spec), *save = NULL, *tok;
		int first = 1;
		if (copy == NULL)
			return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
		for (tok = strtok_r(copy, ",", &save); tok != NULL && !r->failed;
		     tok = strtok_r(NULL, ",", &save)) {
			int drop = 0;
			/*
			 * A column's exact name is that column, whatever it looks
			 * like ("-x", "3", "all", "a-b"); else a leading '-'
			 * leaves out what follows, from all the numeric columns
			 * when it comes first.
			 */
			if (exact_names(r, tok) == 0 && tok[0] == '-' && tok[1] != '\0') {
				drop = 1;
				tok++;
				if (first)
					select_all(r);
			}
			first = 0;
			select_token(r, tok, drop);
		}
		free(copy);
		if (r->failed)
			return r->err->status;
		if (r->d == 0)
			return rd_fail(r, GM_EDATA, r->first_line[0], 0,
				    "no numeric column matches \"%s\"", spec);
	}
	for (size_t i = 0; i < r->d; i++)
		if ((long)r->sel[i] == r->wcol)
			return rd_fail(r, GM_EUSAGE, 0, 0,
				    "column \"%s\" is both a data column and the weight column",
				    r->header[r->sel[i]]);
	/* A NUL in a name not read is let be, as in a field (see data_field)... */
	for (size_t j = 0; j < r->ncols && r->opt->keep_fields; j++)
		if (r->hnul[j] != 0)	/* ...unless every name is copied out */
			return rd_fail(r, GM_EDATA, r->hnul[j], (long)j + 1,
				    "a NUL byte in the name of column %zu (the names are copied to the output)",
				    j + 1);
	for (size_t i = 0; i <= r->d; i++) {
		long j = i < r->d ? (long)r->sel[i] : r->wcol;
		if (j >= 0 && r->hnul[j] != 0)
			return rd_fail(r, GM_EDATA, r->hnul[j], j + 1,
				    "a NUL byte in the name of column %ld", j + 1);
	}
	for (size_t i = 0; i < r->d; i++)
		r->slot[r->sel[i]] = i + 1;
	r->row = calloc(r->d, sizeof *r->row);
	if (r->row == NULL)
		return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	r->resolved = 1;
	r->lean = r->wcol < 0 && r->opt->n_na == 0 && !r->opt->keep_fields &&
		  !r->opt->keep_lines && !r->opt->allow_ragged && r->opt->on_row == NULL;
	if (r->opt->on_header != NULL)
		r->opt->on_header(r->opt->row_arg, r->header, r->ncols);
	return 0;
}

static int
grow(struct reader *r)
{
	/* Grow by a quarter: the array ends at most 25% above the data (glibc's
	 * realloc moves big blocks with mremap, without a copy). */
	size_t cap = r->cap ? r->cap + r->cap / 4 : 4096;
	double *x = realloc(r->x, cap * r->d * sizeof *x);

	if (x == NULL)
		return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	r->x = x;
	if (r->wcol >= 0) {
		double *w = realloc(r->w, cap * sizeof *w);
		if (w == NULL)
			return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
		r->w = w;
	}
	if (r->opt->keep_lines) {
		long *l = realloc(r->lines, cap * sizeof *l);
		if (l == NULL)
			return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
		r->lines = l;
	}
	r->cap = cap;
	return 0;
}

/* keep_lines: note a row left out of the fit. */
static void
note_left_out(struct reader *r)
{
	if (!r->opt->keep_lines)
		return;
	if (r->nleft == r->capleft) {
		size_t cap = r->capleft ? 2 * r->capleft : 64;
		long *l = realloc(r->left, cap * sizeof *l);
		if (l == NULL) {
			rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
			return;
		}
		r->left = l;
		r->capleft = cap;
	}
	r->left[r->nleft++] = r->rec_line;
}

/* Keep the text of field j of this record (keep_fields). */
static void
keep_field(struct reader *r, const char *s, size_t len, size_t j)
{
	if (j >= r->capfields) {
		size_t cap = r->capfields ? 2 * r->capfields : 16;
		char **f;
		while (cap <= j)
			cap *= 2;
		f = realloc(r->fields, cap * sizeof *f);
		if (f == NULL) {
			rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
			return;
		}
		memset(f + r->capfields, 0, (cap - r->capfields) * sizeof *f);
		r->fields = f;
		r->capfields = cap;
	}
	free(r->fields[j]);
	r->fields[j] = dup_field(s, len);
	if (r->fields[j] == NULL)
		rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	if (j + 1 > r->nfields)
		r->nfields = j + 1;
}

/* One field of a data row, once the columns are known. */
static void
data_field(struct reader *r, const char *s, size_t len, size_t j, long line)
{
	size_t k = j < r->nslot ? r->slot[j] : 0;
	int is_w = (long)j == r->wcol;
	double v;
	enum np_result pr;
	char q[200];

	if (r->opt->keep_fields) {
		/* Kept fields are copied out as C strings: a NUL would cut one short. */
		if (memchr(s, 0, len) != NULL) {
			rd_fail(r, GM_EDATA, line, (long)j + 1,
			     "a NUL byte in column \"%s\" (its fields are copied to the output)",
			     j < r->ncols ? r->header[j] : "?");
			return;
		}
		keep_field(r, s, len, j);
	}
	if (k == 0 && !is_w)
		return;
	r->row_seen++;
	/* A NUL in a column that is read is an error; in any other, nothing. */
	if (memchr(s, 0, len) != NULL) {
		rd_fail(r, GM_EDATA, line, (long)j + 1, "a NUL byte in column \"%s\"", r->header[j]);
		return;
	}
	/*
	 * No built-in missing-value token is a number, so without --na
	 * tokens (which may be, like -999) the number is tried first.
	 */
	pr = r->opt->n_na == 0 ? np_parse(s, len, r->decimal, &v) : NP_INVALID;
	if (pr != NP_OK && is_missing(r, s, len)) {
		if (r->opt->na_error)
			rd_fail(r, GM_EDATA, line, (long)j + 1,
			     "missing value in column \"%s\" (--na-action error)", r->header[j]);
		r->row_missing = 1;
		return;
	}
	if (pr != NP_OK && r->opt->n_na > 0)
		pr = np_parse(s, len, r->decimal, &v);
	if (pr != NP_OK) {
		quote_field(s, len, q, sizeof q);
		if (pr != NP_OVERFLOW && comma_number(r, s, len))
			rd_fail(r, GM_EDATA, line, (long)j + 1,
			     "\"%s\" in column \"%s\" is not a number; with a decimal comma, "
			     "use --decimal-comma", q, r->header[j]);
		else
			rd_fail(r, GM_EDATA, line, (long)j + 1,
			     pr == NP_OVERFLOW ? "\"%s\" in column \"%s\" is too large for a double"
					       : "\"%s\" in column \"%s\" is not a number",
			     q, r->header[j]);
		return;
	}
	if (is_w) {
		if (v < 0) {
			quote_field(s, len, q, sizeof q);
			rd_fail(r, GM_EDATA, line, (long)j + 1,
			     "weight \"%s\" in column \"%s\" is negative", q, r->header[j]);
		}
		r->roww = v + 0.0;
	} else {
		r->row[k - 1] = v + 0.0;	/* -0 is 0: one bit pattern per value, for the sort */
	}
}

static void
end_data_row(struct reader *r)
{
	size_t need = r->d + (r->wcol >= 0);

	if (r->row_seen < need && !r->row_missing) {
		if (r->opt->allow_ragged)
			rd_fail(r, GM_EDATA, r->rec_line, 0,
			     "this row has %zu field%s, too few for the selected columns",
			     r->field, r->field == 1 ? "" : "s");
		else
			rd_fail(r, GM_EDATA, r->rec_line, 0,
			     "this row has %zu field%s, the header has %zu", r->field,
			     r->field == 1 ? "" : "s", r->ncols);
		return;
	}
	if (r->opt->on_row != NULL) {
		struct csvread_row row = { r->rec_line, r->row, r->row_missing,
				       r->fields, r->opt->keep_fields ? r->field : 0 };
		if (r->opt->on_row(r->opt->row_arg, &row) != 0)
			rd_fail(r, GM_EOUTPUT, 0, 0, "cannot write the output");
		r->n++;
		return;
	}
	if (r->row_missing) {
		if (r->ds->skipped < DATASET_SKIP_LINES)
			r->ds->skip_lines[r->ds->skipped] = r->rec_line;
		r->ds->skipped++;
		note_left_out(r);
		return;
	}
	if (r->wcol >= 0 && !(r->roww > 0.0)) {
		r->ds->skipped_zero++;
		note_left_out(r);
		return;
	}
	if (r->n == r->cap && grow(r))
		return;
	for (size_t i = 0; i < r->d; i++)	/* d is small: no call to memcpy */
		r->x[r->n * r->d + i] = r->row[i];
	if (r->wcol >= 0)
		r->w[r->n] = r->roww;
	if (r->opt->keep_lines)
		r->lines[r->n] = r->rec_line;
	r->n++;
}

void
rd_on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	const char *f = s;
	long line = r->field_line;

	if (r->failed)
		return;
	if (r->field == 0)
		r->rec_line = r->line;

	/*
	 * The lean path, for nearly every field of a plain file (no weight
	 * column, --na tokens, streaming, kept lines or fields, ragged rows):
	 * a selected column holding a number (which has no line end to
	 * count), or a column not selected.  Any other field takes the
	 * general path, which reads it the same way.
	 */
	if (r->lean && r->field < r->ncols) {
		size_t k = r->slot[r->field];
		double v;

		if (k != 0 && np_parse(f, len, r->decimal, &v) == NP_OK) {
			r->row[k - 1] = v + 0.0;	/* -0 is 0, as in data_field */
			r->row_seen++;
			r->field++;
			return;
		}
		if (k == 0) {
			r->field_line += count_newlines(f, len);
			r->field++;
			return;
		}
	}
	r->field_line += count_newlines(f, len);
	/* A data row, once the columns are chosen. */
	if (r->resolved) {
		if (r->field >= r->ncols && !r->opt->allow_ragged) {
			rd_fail(r, GM_EDATA, line, (long)r->field + 1,
			     "this row has more fields than the header's %zu", r->ncols);
			return;
		}
		data_field(r, f, len, r->field, line);
		r->field++;
		return;
	}
	if (!r->seen_header) {
		char **h = realloc(r->header, (r->ncols + 1) * sizeof *h);
		long *hn;
		if (h != NULL)
			r->header = h;
		hn = h != NULL ? realloc(r->hnul, (r->ncols + 1) * sizeof *hn) : NULL;
		if (hn == NULL) {
			rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
			return;
		}
		r->hnul = hn;
		hn[r->ncols] = !r->opt->no_header && memchr(f, 0, len) != NULL ? line : 0;
		if (r->opt->no_header) {
			char num[32];
			snprintf(num, sizeof num, "%zu", r->ncols + 1);
			h[r->ncols] = strdup(num);
		} else {
			h[r->ncols] = dup_field(f, len);
		}
		if (h[r->ncols] == NULL) {
			rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
			return;
		}
		r->ncols++;
		if (!r->opt->no_header) {
			r->field++;
			return;
		}
	}
	/* A field of the first data row: kept until the columns are chosen. */
	if (r->nfirst == r->capfirst) {
		size_t cap = r->capfirst ? r->capfirst * 2 : 16;
		char **p = realloc(r->first, cap * sizeof *p);
		long *l = realloc(r->first_line, cap * sizeof *l);
		size_t *fl = realloc(r->first_len, cap * sizeof *fl);
		if (p != NULL)
			r->first = p;
		if (l != NULL)
			r->first_line = l;
		if (fl != NULL)
			r->first_len = fl;
		if (p == NULL || l == NULL || fl == NULL) {
			rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
			return;
		}
		r->capfirst = cap;
	}
	r->first_line[r->nfirst] = line;
	r->first_len[r->nfirst] = len;
	r->first[r->nfirst] = dup_field(f, len);
	if (r->first[r->nfirst] == NULL) {
		rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
		return;
	}
	r->nfirst++;
	r->field++;
}

void
rd_start_record(struct reader *r)
{
	r->field = 0;
	r->row_missing = 0;
	r->row_seen = 0;
	r->roww = 1.0;
}

void
rd_on_record(int c, void *data)
{
	struct reader *r = data;
	int empty = r->field == 0;

	if (r->failed)
		return;
	/* The lean path (see rd_on_field): a whole row of numbers. */
	if (r->lean && r->field == r->ncols && r->row_seen == r->d && !r->row_missing) {
		double *x;

		if (r->n == r->cap && grow(r))
			return;
		x = r->x + r->n * r->d;
		for (size_t i = 0; i < r->d; i++)
			x[i] = r->row[i];
		r->n++;
		rd_start_record(r);
		goto next;
	}
	/* The LF of a CRLF pair: not a new line. */
	if (empty && c == '\n' && r->last_cr) {
		r->last_cr = 0;
		return;
	}
	if (!empty) {
		if (!r->seen_header) {
			r->seen_header = 1;
			if (!r->opt->no_header) {
				rd_start_record(r);
				goto next;
			}
		}
		if (!r->resolved) {
			/* First data row: choose the columns, then replay it. */
			long save = r->rec_line;
			if (r->nfirst != r->ncols && !r->opt->allow_ragged) {
				rd_fail(r, GM_EDATA, r->rec_line, 0,
				     "this row has %zu field%s, the header has %zu",
				     r->nfirst, r->nfirst == 1 ? "" : "s", r->ncols);
				return;
			}
			if (resolve_columns(r))
				return;
			rd_start_record(r);
			r->rec_line = save;
			for (size_t j = 0; j < r->nfirst && !r->failed; j++) {
				data_field(r, r->first[j], r->first_len[j], j,
					   r->first_line[j]);
				r->field++;
			}
			if (r->failed)
				return;
		} else if (r->field < r->ncols && !r->opt->allow_ragged) {
			rd_fail(r, GM_EDATA, r->rec_line, 0,
			     "this row has %zu field%s, the header has %zu", r->field,
			     r->field == 1 ? "" : "s", r->ncols);
			return;
		}
		end_data_row(r);
		rd_start_record(r);
	}
next:
	r->last_cr = c == '\r';
	r->line = r->field_line + (c == -1 ? 0 : 1);
	r->field_line = r->line;
}

/* The separators -d auto chooses among, in the order that breaks a tie. */
static const char sniff_cand[] = { ',', '\t', ';', '|' };
#define NCAND (sizeof sniff_cand)
#define SNIFF_LINES 20

/*
 * The delimiter of a file from its first lines (at most SNIFF_LINES, in
 * buf): among sniff_cand, one found outside quotes the same number of
 * times on every line; of those, the one found most often (a tie goes to
 * the first in sniff_cand), except that ';' wins over ',' when both are:
 * "1,5;2,3" on every line is numbers with a decimal comma separated by
 * ';', as R's data.table::fread reads it.  The decimal separator is never
 * chosen.  Returns 0 when no candidate is regular.
 */
static char
sniff_delimiter(const unsigned char *buf, size_t len, char quote, char decimal)
{
	long counts[SNIFF_LINES][NCAND], cur[NCAND] = { 0 }, best_n = 0;
	int lines = 0, inq = 0, regular[NCAND];
	size_t chars = 0;	/* bytes on the current line: blank lines do not count */
	char best = 0;

	for (size_t i = 0; i < len && lines < SNIFF_LINES; i++) {
		unsigned char c = buf[i];
		if (c == (unsigned char)quote)
			inq = !inq;
		if (!inq && (c == '\n' || c == '\r')) {
			if (chars > 0)
				memcpy(counts[lines++], cur, sizeof cur);
			memset(cur, 0, sizeof cur);
			chars = 0;
			continue;
		}
		chars++;
		if (!inq)
			for (size_t t = 0; t < NCAND; t++)
				cur[t] += c == (unsigned char)sniff_cand[t];
	}
	if (lines < SNIFF_LINES && chars > 0)
		memcpy(counts[lines++], cur, sizeof cur);
	if (lines == 0)
		return best;
	for (size_t t = 0; t < NCAND; t++) {
		long n = counts[0][t];
		regular[t] = n > 0 && sniff_cand[t] != decimal;
		for (int l = 1; l < lines && regular[t]; l++)
			regular[t] = counts[l][t] == n;
		if (regular[t] && n > best_n) {
			best_n = n;
			best = sniff_cand[t];
		}
	}
	if (best == ',' && regular[2])
		best = ';';
	return best;	/* 0: none is regular */
}

/*
 * Keep the first bytes of the input (after a BOM) for rd_hint(), and choose
 * the delimiter from them when -d auto.
 */
void
rd_first_bytes(struct reader *r, const unsigned char *b, size_t len)
{
	r->nhead = len < sizeof r->head ? len : sizeof r->head;
	memcpy(r->head, b, r->nhead);
	if (r->opt->delimiter_auto) {
		char c = sniff_delimiter(b, len < READ_BLOCK ? len : READ_BLOCK,
					 r->opt->quote ? r->opt->quote : '"', r->decimal);
		/* None regular (one column, say): the default stays, ',' or ';'. */
		r->delim_found = c != 0;
		if (c != 0)
			r->delim = c;
	}
}

/*
 * After an error on the header or the first data row: when the header
 * is one field (no delimiter outside quotes on its line) but holds
 * another candidate separator, the delimiter is wrong.  Say so, with the
 * option to use, in place of the message the wrong split led to.
 */
void
rd_hint(struct reader *r)
{
	const char quote = r->opt->quote ? r->opt->quote : '"';
	long n[NCAND] = { 0 }, line = 1, best = 0;
	size_t i = 0, t, bt = 0;
	int inq = 0;

	if (r->ncols > 1 || r->n > 0 || r->ds->skipped > 0 || r->ds->skipped_zero > 0)
		return;
	while (i < r->nhead && (r->head[i] == '\n' || r->head[i] == '\r')) {
		line += r->head[i] == '\n' || i + 1 == r->nhead || r->head[i + 1] != '\n';
		i++;
	}
	for (; i < r->nhead; i++) {
		char c = r->head[i];
		if (c == quote)
			inq = !inq;
		else if (!inq && (c == '\n' || c == '\r'))
			break;
		else if (!inq && c == r->delim)
			return;	/* the header has two fields or more */
		else if (!inq)
			for (t = 0; t < NCAND; t++)
				n[t] += c == sniff_cand[t] && c != r->decimal;
	}
	for (t = 0; t < NCAND; t++)
		if (n[t] > best) {
			best = n[t];
			bt = t;
		}
	if (best == 0)
		return;
	/*
	 * The next line, when it is here, must hold it too: a name such as
	 * "mass;kg" over rows that are not numbers is no sign of a separator.
	 */
	while (i < r->nhead && (r->head[i] == '\n' || r->head[i] == '\r'))
		i++;
	if (i < r->nhead) {
		long next = 0;
		for (; i < r->nhead && (inq || (r->head[i] != '\n' && r->head[i] != '\r')); i++) {
			if (r->head[i] == quote)
				inq = !inq;
			else if (!inq)
				next += r->head[i] == sniff_cand[bt];
		}
		if (next == 0)
			return;
	}
	rd_unfail(r);
	if (sniff_cand[bt] == '\t')
		rd_fail(r, GM_EDATA, line, 1, "the %s is one field holding a tab; use -d tab",
		     r->opt->no_header ? "first line" : "header");
	else
		rd_fail(r, GM_EDATA, line, 1, "the %s is one field holding '%c'; use -d '%c'",
		     r->opt->no_header ? "first line" : "header", sniff_cand[bt], sniff_cand[bt]);
}

int
rd_read_stream(struct reader *r, FILE *fp)
{
	struct csv_parser p;
	unsigned char *buf;
	int first = 1;
	unsigned char opts = CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI | CSV_APPEND_NULL;

	if (csv_init(&p, opts) != 0)
		return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	csv_set_quote(&p, (unsigned char)(r->opt->quote ? r->opt->quote : '"'));
	csv_set_blk_size(&p, FIELD_STEP);
	buf = malloc(READ_BLOCK);
	if (buf == NULL) {
		csv_free(&p);
		return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	}
	r->line = r->field_line = r->rec_line = 1;
	rd_start_record(r);
	for (;;) {
		size_t got = fread(buf, 1, READ_BLOCK, fp), skip = 0;

		if (got == 0)
			break;
		if (first && got >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
			skip = 3;	/* UTF-8 byte order mark */
		if (first) {
			rd_first_bytes(r, buf + skip, got - skip);
			csv_set_delim(&p, (unsigned char)r->delim);
		}
		first = 0;
		if (csv_parse(&p, buf + skip, got - skip, rd_on_field, rd_on_record, r) != got - skip &&
		    !r->failed)
			rd_parse_failed(r, &p);
		if (r->failed)
			break;
	}
	if (!r->failed && ferror(fp)) {
		int e = errno;
		if (e == ENOMEM)
			rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
		else
			rd_fail(r, GM_EDATA, 0, 0, "read error: %s", strerror(e));
	}
	if (!r->failed && csv_fini(&p, rd_on_field, rd_on_record, r) != 0)
		rd_fail(r, GM_EDATA, r->field_line, (long)r->field + 1,
		     "a quoted field opened on this line is never closed");
	csv_free(&p);
	free(buf);
	return r->failed ? r->err->status : 0;
}

