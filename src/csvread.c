/*
 * csvread.c - stream a CSV file through libcsv and keep the selected
 * numeric columns (see csvread.h).
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
/* madvise and MADV_DONTNEED are not in POSIX proper. */
#define _DEFAULT_SOURCE 1
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <csv.h>

#include "csvread.h"
#include "numparse.h"
#include "suggest.h"

#define READ_BLOCK (1u << 20)	/* bytes handed to libcsv at a time */
#define PARALLEL_MIN (1u << 20)	/* files at least this big are read by byte ranges */
#define PREFIX_BYTES (64u << 10)	/* read first, alone: the header and first rows */
/*
 * libcsv grows a field's buffer by a fixed step (128 bytes by default):
 * a long quoted field would cost a realloc each step, a copy of the whole
 * field each time where realloc copies (as under AddressSanitizer).
 */
#define FIELD_STEP (64u << 10)

struct reader {
	const struct csv_options *opt;
	const char *path;
	struct gm_error *err;
	char decimal;

	long line;		/* line the next record starts on */
	long field_line;	/* line the current field starts on */
	long rec_line;		/* line the current record started on */
	size_t field;		/* 0-based index of the next field in the record */
	int last_cr;		/* the previous record ended at a '\r' */
	int seen_header;
	int resolved;		/* columns chosen */
	int lean;		/* the lean path applies (see on_field) */

	char **header;		/* names from the header (or "1", "2", ..) */
	long *hnul;		/* per header name: the line of a NUL byte in it, or 0 */
	size_t ncols;
	char delim;		/* the field separator in use */
	int delim_found;	/* -d auto found it (not the default) */
	char head[4096];	/* the input's first bytes (after a BOM), for hint() */
	size_t nhead;

	/* Fields of the first data row, held until the columns are chosen. */
	char **first;
	size_t nfirst, capfirst;
	long *first_line;
	size_t *first_len;	/* their lengths: a NUL may be inside */

	size_t d;
	size_t *sel;		/* 0-based column of each selected column */
	long wcol;		/* 0-based weight column, or -1 */
	size_t *slot;		/* per file column: selected index + 1, or 0 */
	size_t nslot;

	double *row;		/* values of the current record */
	double roww;
	int row_missing;	/* a selected field of this record is missing */
	size_t row_seen;	/* selected fields seen in this record */

	double *x, *w;
	size_t n, cap;
	long *lines;		/* keep_lines: line of each kept row */
	long *left;		/* keep_lines: lines of the rows left out */
	size_t nleft, capleft;
	size_t *na_len;		/* lengths of the --na tokens */
	char **fields;		/* keep_fields: this record's fields */
	size_t nfields, capfields;
	struct dataset *ds;
	int failed;
};

static int
fail(struct reader *r, int status, long line, long col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
fail(struct reader *r, int status, long line, long col, const char *fmt, ...)
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
static void
unfail(struct reader *r)
{
	r->failed = 0;
	gm_error_clear(r->err);
}

/* libcsv stopped: why, in words about the file rather than libcsv's. */
static void
parse_failed(struct reader *r, struct csv_parser *p)
{
	int e = csv_error(p);

	if (e == CSV_ENOMEM || e == CSV_ETOOBIG)
		fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	else
		fail(r, GM_EDATA, r->field_line, (long)r->field + 1,
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
		return fail(r, GM_EDATA, 0, 0, "no column named \"%s\"%s; did you mean \"%s\"?",
			    shown, whose, q);
	}
	{
		char names[400];
		list_names(r, names, sizeof names);
		return fail(r, GM_EDATA, 0, 0, "no column named \"%s\"%s; the columns are %s",
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
		return fail(r, GM_EDATA, 1, 0,
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
		return fail(r, GM_EDATA, 0, 0,
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
		return fail(r, GM_EUSAGE, 0, 0, "column %zu (\"%s\") is selected twice",
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
			fail(r, GM_EUSAGE, 0, 0, "column range %s-%s runs backwards", tok, dash + 1);
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
		return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
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
					return fail(r, GM_EDATA, r->first_line[j], (long)j + 1,
						    "no column of the first data row holds a number, "
						    "but \"%s\" would with --decimal-comma", q);
				}
			list_names(r, names, sizeof names);
			return fail(r, GM_EDATA, r->first_line[0], 0,
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
			return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
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
			return fail(r, GM_EDATA, r->first_line[0], 0,
				    "no numeric column matches \"%s\"", spec);
	}
	for (size_t i = 0; i < r->d; i++)
		if ((long)r->sel[i] == r->wcol)
			return fail(r, GM_EUSAGE, 0, 0,
				    "column \"%s\" is both a data column and the weight column",
				    r->header[r->sel[i]]);
	/* A NUL in a name not read is let be, as in a field (see data_field)... */
	for (size_t j = 0; j < r->ncols && r->opt->keep_fields; j++)
		if (r->hnul[j] != 0)	/* ...unless every name is copied out */
			return fail(r, GM_EDATA, r->hnul[j], (long)j + 1,
				    "a NUL byte in the name of column %zu (the names are copied to the output)",
				    j + 1);
	for (size_t i = 0; i <= r->d; i++) {
		long j = i < r->d ? (long)r->sel[i] : r->wcol;
		if (j >= 0 && r->hnul[j] != 0)
			return fail(r, GM_EDATA, r->hnul[j], j + 1,
				    "a NUL byte in the name of column %ld", j + 1);
	}
	for (size_t i = 0; i < r->d; i++)
		r->slot[r->sel[i]] = i + 1;
	r->row = calloc(r->d, sizeof *r->row);
	if (r->row == NULL)
		return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
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
		return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	r->x = x;
	if (r->wcol >= 0) {
		double *w = realloc(r->w, cap * sizeof *w);
		if (w == NULL)
			return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
		r->w = w;
	}
	if (r->opt->keep_lines) {
		long *l = realloc(r->lines, cap * sizeof *l);
		if (l == NULL)
			return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
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
			fail(r, GM_EINTERNAL, 0, 0, "out of memory");
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
			fail(r, GM_EINTERNAL, 0, 0, "out of memory");
			return;
		}
		memset(f + r->capfields, 0, (cap - r->capfields) * sizeof *f);
		r->fields = f;
		r->capfields = cap;
	}
	free(r->fields[j]);
	r->fields[j] = dup_field(s, len);
	if (r->fields[j] == NULL)
		fail(r, GM_EINTERNAL, 0, 0, "out of memory");
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
			fail(r, GM_EDATA, line, (long)j + 1,
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
		fail(r, GM_EDATA, line, (long)j + 1, "a NUL byte in column \"%s\"", r->header[j]);
		return;
	}
	/*
	 * No built-in missing-value token is a number, so without --na
	 * tokens (which may be, like -999) the number is tried first.
	 */
	pr = r->opt->n_na == 0 ? np_parse(s, len, r->decimal, &v) : NP_INVALID;
	if (pr != NP_OK && is_missing(r, s, len)) {
		if (r->opt->na_error)
			fail(r, GM_EDATA, line, (long)j + 1,
			     "missing value in column \"%s\" (--na-action error)", r->header[j]);
		r->row_missing = 1;
		return;
	}
	if (pr != NP_OK && r->opt->n_na > 0)
		pr = np_parse(s, len, r->decimal, &v);
	if (pr != NP_OK) {
		quote_field(s, len, q, sizeof q);
		if (pr != NP_OVERFLOW && comma_number(r, s, len))
			fail(r, GM_EDATA, line, (long)j + 1,
			     "\"%s\" in column \"%s\" is not a number; with a decimal comma, "
			     "use --decimal-comma", q, r->header[j]);
		else
			fail(r, GM_EDATA, line, (long)j + 1,
			     pr == NP_OVERFLOW ? "\"%s\" in column \"%s\" is too large for a double"
					       : "\"%s\" in column \"%s\" is not a number",
			     q, r->header[j]);
		return;
	}
	if (is_w) {
		if (v < 0) {
			quote_field(s, len, q, sizeof q);
			fail(r, GM_EDATA, line, (long)j + 1,
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
			fail(r, GM_EDATA, r->rec_line, 0,
			     "this row has %zu field%s, too few for the selected columns",
			     r->field, r->field == 1 ? "" : "s");
		else
			fail(r, GM_EDATA, r->rec_line, 0,
			     "this row has %zu field%s, the header has %zu", r->field,
			     r->field == 1 ? "" : "s", r->ncols);
		return;
	}
	if (r->opt->on_row != NULL) {
		struct csv_row row = { r->rec_line, r->row, r->row_missing,
				       r->fields, r->opt->keep_fields ? r->field : 0 };
		if (r->opt->on_row(r->opt->row_arg, &row) != 0)
			fail(r, GM_EOUTPUT, 0, 0, "cannot write the output");
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

static void
on_field(void *s, size_t len, void *data)
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
			fail(r, GM_EDATA, line, (long)r->field + 1,
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
			fail(r, GM_EINTERNAL, 0, 0, "out of memory");
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
			fail(r, GM_EINTERNAL, 0, 0, "out of memory");
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
			fail(r, GM_EINTERNAL, 0, 0, "out of memory");
			return;
		}
		r->capfirst = cap;
	}
	r->first_line[r->nfirst] = line;
	r->first_len[r->nfirst] = len;
	r->first[r->nfirst] = dup_field(f, len);
	if (r->first[r->nfirst] == NULL) {
		fail(r, GM_EINTERNAL, 0, 0, "out of memory");
		return;
	}
	r->nfirst++;
	r->field++;
}

static void
start_record(struct reader *r)
{
	r->field = 0;
	r->row_missing = 0;
	r->row_seen = 0;
	r->roww = 1.0;
}

static void
on_record(int c, void *data)
{
	struct reader *r = data;
	int empty = r->field == 0;

	if (r->failed)
		return;
	/* The lean path (see on_field): a whole row of numbers. */
	if (r->lean && r->field == r->ncols && r->row_seen == r->d && !r->row_missing) {
		double *x;

		if (r->n == r->cap && grow(r))
			return;
		x = r->x + r->n * r->d;
		for (size_t i = 0; i < r->d; i++)
			x[i] = r->row[i];
		r->n++;
		start_record(r);
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
				start_record(r);
				goto next;
			}
		}
		if (!r->resolved) {
			/* First data row: choose the columns, then replay it. */
			long save = r->rec_line;
			if (r->nfirst != r->ncols && !r->opt->allow_ragged) {
				fail(r, GM_EDATA, r->rec_line, 0,
				     "this row has %zu field%s, the header has %zu",
				     r->nfirst, r->nfirst == 1 ? "" : "s", r->ncols);
				return;
			}
			if (resolve_columns(r))
				return;
			start_record(r);
			r->rec_line = save;
			for (size_t j = 0; j < r->nfirst && !r->failed; j++) {
				data_field(r, r->first[j], r->first_len[j], j,
					   r->first_line[j]);
				r->field++;
			}
			if (r->failed)
				return;
		} else if (r->field < r->ncols && !r->opt->allow_ragged) {
			fail(r, GM_EDATA, r->rec_line, 0,
			     "this row has %zu field%s, the header has %zu", r->field,
			     r->field == 1 ? "" : "s", r->ncols);
			return;
		}
		end_data_row(r);
		start_record(r);
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
 * Keep the first bytes of the input (after a BOM) for hint(), and choose
 * the delimiter from them when -d auto.
 */
static void
first_bytes(struct reader *r, const unsigned char *b, size_t len)
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
static void
hint(struct reader *r)
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
	unfail(r);
	if (sniff_cand[bt] == '\t')
		fail(r, GM_EDATA, line, 1, "the %s is one field holding a tab; use -d tab",
		     r->opt->no_header ? "first line" : "header");
	else
		fail(r, GM_EDATA, line, 1, "the %s is one field holding '%c'; use -d '%c'",
		     r->opt->no_header ? "first line" : "header", sniff_cand[bt], sniff_cand[bt]);
}

static int
read_stream(struct reader *r, FILE *fp)
{
	struct csv_parser p;
	unsigned char *buf;
	int first = 1;
	unsigned char opts = CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI | CSV_APPEND_NULL;

	if (csv_init(&p, opts) != 0)
		return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	csv_set_quote(&p, (unsigned char)(r->opt->quote ? r->opt->quote : '"'));
	csv_set_blk_size(&p, FIELD_STEP);
	buf = malloc(READ_BLOCK);
	if (buf == NULL) {
		csv_free(&p);
		return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	}
	r->line = r->field_line = r->rec_line = 1;
	start_record(r);
	for (;;) {
		size_t got = fread(buf, 1, READ_BLOCK, fp), skip = 0;

		if (got == 0)
			break;
		if (first && got >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
			skip = 3;	/* UTF-8 byte order mark */
		if (first) {
			first_bytes(r, buf + skip, got - skip);
			csv_set_delim(&p, (unsigned char)r->delim);
		}
		first = 0;
		if (csv_parse(&p, buf + skip, got - skip, on_field, on_record, r) != got - skip &&
		    !r->failed)
			parse_failed(r, &p);
		if (r->failed)
			break;
	}
	if (!r->failed && ferror(fp)) {
		int e = errno;
		if (e == ENOMEM)
			fail(r, GM_EINTERNAL, 0, 0, "out of memory");
		else
			fail(r, GM_EDATA, 0, 0, "read error: %s", strerror(e));
	}
	if (!r->failed && csv_fini(&p, on_field, on_record, r) != 0)
		fail(r, GM_EDATA, r->field_line, (long)r->field + 1,
		     "a quoted field opened on this line is never closed");
	csv_free(&p);
	free(buf);
	return r->failed ? r->err->status : 0;
}

/* ------------------------------------------------------------------
 * Reading a large file by byte ranges on all cores.
 *
 * The file is mapped.  The rule for a record boundary: a line end (LF,
 * CR, or CRLF taken whole) preceded by an even number of quote
 * characters counted from the start of the file, i.e. not inside a quoted
 * field.  The first PREFIX_BYTES (up to such a boundary) are read alone,
 * so the header is known and the columns are chosen; the rest is cut at
 * boundaries into one range per thread.  Each range is parsed by its own
 * libcsv parser into its own part of one array (a range holds at most one
 * record per line end, plus one), with its first line number counted
 * beforehand, so messages and line numbers are those of a sequential
 * read, and the first error in file order is the one reported.  The rows
 * come out in file order: the result is the same as reading sequentially.
 */

/*
 * A mapped file that shrinks while it is read (truncated by another
 * process) has pages that no longer exist: touching one raises SIGBUS,
 * which would kill the run.  While a mapping is read, a SIGBUS inside it
 * is caught: the handler maps zero-filled pages over the rest of the
 * mapping, notes it, and returns, so the read goes on over zeros (and
 * stops at the next block, see parse_buffer) and the reader reports that
 * the file changed.  A SIGBUS anywhere else gets the disposition it had.
 * The fault may come on any thread, so what the handler needs lives at
 * file scope: a signal handler has no other way to it.  One mapping is
 * read at a time (the reader is not re-entrant here).
 */
static const unsigned char *volatile bus_base;
static volatile size_t bus_len;
static volatile sig_atomic_t bus_hit;
static size_t bus_page;
static struct sigaction bus_old;

static void
on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int e = errno;
	uintptr_t a = (uintptr_t)si->si_addr, b = (uintptr_t)bus_base;

	(void)sig;
	(void)uc;
	if (b != 0 && a >= b && a < b + bus_len) {
		uintptr_t pg = a & ~(uintptr_t)(bus_page - 1);
		/* mmap is a plain system call: safe here in practice, as in
		 * every program that survives a truncated mapping this way. */
		if (mmap((void *)pg, b + bus_len - pg, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			bus_hit = 1;
			errno = e;
			return;
		}
	}
	/* Not ours (or no remedy): the old disposition, met again on return. */
	sigaction(SIGBUS, &bus_old, NULL);
	errno = e;
}

/* Catch SIGBUS in [b, b + len) until map_unguard. */
static void
map_guard(const void *b, size_t len)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	bus_page = (size_t)sysconf(_SC_PAGESIZE);
	bus_len = len;
	bus_hit = 0;
	bus_base = b;
	sigaction(SIGBUS, &sa, &bus_old);
}

/* The guard off; returns 1 when a page of the mapping was missing. */
static int
map_unguard(void)
{
	sigaction(SIGBUS, &bus_old, NULL);
	bus_base = NULL;
	return bus_hit != 0;
}

static int
is_line_end(const unsigned char *b, size_t i)
{
	return b[i] == '\n' || b[i] == '\r';
}

/*
 * Give back the mapped pages wholly inside [p, p + n): they are read, and
 * the memory should hold the values kept, not the file.  (A private,
 * read-only mapping of a file: dropped pages are read again from the page
 * cache if touched.)
 */
static void
drop_pages(const unsigned char *p, size_t n)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t e = ((uintptr_t)p + n) & ~(page - 1);

	if (e > a)
		madvise((void *)a, e - a, MADV_DONTNEED);
}

/*
 * Line ends in [from, to) as the reader counts them: LF, lone CR, CRLF
 * once; the pages are given back as they are scanned.
 */
static long
count_lines(const unsigned char *b, size_t from, size_t to, size_t len)
{
	long n = 0;

	for (size_t c = from; c < to; c += READ_BLOCK) {
		size_t e = to - c < READ_BLOCK ? to : c + READ_BLOCK;
		long lf = 0;
		int cr = 0;

		/* LFs, and whether there is a CR at all (a vector loop)... */
#pragma omp simd reduction(+:lf) reduction(|:cr)
		for (size_t i = c; i < e; i++) {
			lf += b[i] == '\n';
			cr |= b[i] == '\r';
		}
		n += lf;
		/* ...then the lone CRs, the rare block that has one. */
		if (cr)
			for (size_t i = c; i < e; i++)
				n += b[i] == '\r' && !(i + 1 < len && b[i + 1] == '\n');
		drop_pages(b + c, e - c);
	}
	return n;
}

/* Parity of the quote characters in [from, to), added to *par; pages given back. */
static void
quote_parity(const unsigned char *b, size_t from, size_t to, unsigned char quote, int *par)
{
	for (size_t c = from; c < to; c += READ_BLOCK) {
		const unsigned char *p = b + c, *end = b + (to - c < READ_BLOCK ? to : c + READ_BLOCK);
		while ((p = memchr(p, quote, (size_t)(end - p))) != NULL) {
			*par ^= 1;
			p++;
		}
		drop_pages(b + c, (size_t)(end - (b + c)));
	}
}

/* The first record boundary at or after pos (par: quote parity at pos); len if none. */
static size_t
next_boundary(const unsigned char *b, size_t len, size_t pos, unsigned char quote, int par)
{
	for (size_t i = pos; i < len; i++) {
		if (b[i] == quote)
			par ^= 1;
		else if (par == 0 && is_line_end(b, i))
			return b[i] == '\r' && i + 1 < len && b[i + 1] == '\n' ? i + 2 : i + 1;
	}
	return len;
}

/* Parse b[0..len) with r (its own libcsv parser); fini when last. */
static int
parse_buffer(struct reader *r, const unsigned char *b, size_t len, char delim, int last,
	     int release)
{
	struct csv_parser p;
	unsigned char opts = CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI | CSV_APPEND_NULL;

	if (csv_init(&p, opts) != 0)
		return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	csv_set_delim(&p, (unsigned char)delim);
	csv_set_quote(&p, (unsigned char)(r->opt->quote ? r->opt->quote : '"'));
	csv_set_blk_size(&p, FIELD_STEP);
	for (size_t off = 0; off < len && !r->failed; off += READ_BLOCK) {
		size_t n = len - off < READ_BLOCK ? len - off : READ_BLOCK;
		if (bus_hit)	/* the file shrank: what is left is zeros (see on_sigbus) */
			break;
		if (csv_parse(&p, b + off, n, on_field, on_record, r) != n && !r->failed)
			parse_failed(r, &p);
		if (release)
			drop_pages(b + off, n);
	}
	if (bus_hit)
		fail(r, GM_EDATA, 0, 0, "the file changed while it was read");
	if (last && !r->failed && csv_fini(&p, on_field, on_record, r) != 0)
		fail(r, GM_EDATA, r->field_line, (long)r->field + 1,
		     "a quoted field opened on this line is never closed");
	csv_free(&p);
	return r->failed ? r->err->status : 0;
}

/* The start of slice i of nthr equal slices of [from, to). */
static size_t
slice_at(size_t from, size_t to, int nthr, int i)
{
	return i == nthr ? to : from + (to - from) / (size_t)nthr * (size_t)i;
}

struct range {
	size_t from, to;	/* bytes */
	long line;		/* line its first record starts on */
	size_t cap;		/* rows it can hold */
	size_t at;		/* its first row in the shared array */
	struct reader r;
	struct dataset ds;	/* its skip counts */
	struct gm_error err;
};

/*
 * r has read the prefix; read b[from..len) in ranges in parallel and
 * append the rows to r's.  Returns 0 or the first error's status.
 */
static int
read_ranges(struct reader *r, const unsigned char *b, size_t from, size_t to,
	    size_t len, char delim, int nthr)
{
	const unsigned char quote = (unsigned char)(r->opt->quote ? r->opt->quote : '"');
	const size_t d = r->d, nw = r->wcol >= 0;
	struct range *rg = calloc((size_t)nthr, sizeof *rg);
	int *qp = calloc((size_t)nthr, sizeof *qp);
	size_t total = r->n, pos = from;
	double *x = NULL, *w = NULL;
	int pc = 0, nr = 0, rc = 0;
	long line = r->line;
	long t;

	if (rg == NULL || qp == NULL) {
		free(rg);
		free(qp);
		return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	}
	/*
	 * Cut [from, to) into nthr equal slices and count each one's quotes
	 * in parallel; from is a record boundary (the quotes before it pair
	 * up), so the running parity gives the parity at each cut, and the
	 * range ends at the first record boundary after the cut.  A cut
	 * inside the previous range (a long quoted field) makes no range.
	 */
#pragma omp parallel for schedule(static, 1) num_threads(nthr)
	for (t = 0; t < nthr; t++)
		quote_parity(b, slice_at(from, to, nthr, (int)t), slice_at(from, to, nthr, (int)t + 1),
			     quote, &qp[t]);
	for (int i = 0; i < nthr && pos < to; i++) {
		size_t cut = slice_at(from, to, nthr, i + 1), end = to;

		pc ^= qp[i];	/* the parity at cut */
		if (i + 1 < nthr) {
			if (cut <= pos)
				continue;
			end = next_boundary(b, to, cut, quote, pc);
		}
		rg[nr].from = pos;
		rg[nr].to = end;
		pos = end;
		nr++;
	}
	free(qp);
	/* Each range's line ends, counted in parallel; then its first line and room. */
#pragma omp parallel for schedule(static, 1) num_threads(nthr)
	for (t = 0; t < nr; t++)
		rg[t].cap = (size_t)count_lines(b, rg[t].from, rg[t].to, len);
	for (int i = 0; i < nr; i++) {
		rg[i].line = line;
		line += (long)rg[i].cap;
		/*
		 * A range other than the last ends at a line end, so it holds at
		 * most one record per line end: its rows then follow the previous
		 * range's with no gap, and the stitching below moves nothing.
		 */
		if (rg[i].to == len)
			rg[i].cap += 1;	/* a last record without a line end */
		rg[i].at = total;
		total += rg[i].cap;
	}
	x = malloc((total ? total : 1) * d * sizeof *x);
	if (nw)
		w = malloc((total ? total : 1) * sizeof *w);
	if (x == NULL || (nw && w == NULL)) {
		free(x);
		free(w);
		free(rg);
		return fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	}
	memcpy(x, r->x, r->n * d * sizeof *x);
	if (nw)
		memcpy(w, r->w, r->n * sizeof *w);
	for (int i = 0; i < nr; i++) {
		struct reader *c = &rg[i].r;
		*c = *r;	/* the chosen columns and options, shared read-only */
		c->err = &rg[i].err;
		c->ds = &rg[i].ds;
		c->failed = 0;
		c->first = NULL;
		c->nfirst = c->capfirst = 0;
		c->first_line = NULL;
		c->first_len = NULL;
		c->fields = NULL;
		c->nfields = c->capfields = 0;
		c->row = malloc(d * sizeof *c->row);
		c->x = x + rg[i].at * d;
		c->w = nw ? w + rg[i].at : NULL;
		c->n = 0;
		c->cap = rg[i].cap;
		c->line = c->field_line = c->rec_line = rg[i].line;
		c->last_cr = 0;
		start_record(c);
		if (c->row == NULL)
			fail(c, GM_EINTERNAL, 0, 0, "out of memory");
	}
#pragma omp parallel for schedule(static, 1) num_threads(nthr)
	for (t = 0; t < nr; t++)
		if (!rg[t].r.failed)
			parse_buffer(&rg[t].r, b + rg[t].from, rg[t].to - rg[t].from, delim,
				     rg[t].to == len, 1);
	/* Stitch: rows in file order, skip counts, the first error. */
	for (int i = 0; i < nr; i++) {
		struct reader *c = &rg[i].r;
		if (c->failed) {
			if (!rc) {
				gm_error_set(r->err, rg[i].err.status, r->path, rg[i].err.line,
					     rg[i].err.col, "%s", rg[i].err.msg);
				r->failed = 1;
				rc = rg[i].err.status;
			}
			continue;
		}
		if (rc)
			continue;
		if (r->n != rg[i].at) {
			memmove(x + r->n * d, x + rg[i].at * d, c->n * d * sizeof *x);
			if (nw)
				memmove(w + r->n, w + rg[i].at, c->n * sizeof *w);
		}
		r->n += c->n;
		for (size_t k = 0; k < rg[i].ds.skipped && k < DATASET_SKIP_LINES; k++)
			if (r->ds->skipped + k < DATASET_SKIP_LINES)
				r->ds->skip_lines[r->ds->skipped + k] = rg[i].ds.skip_lines[k];
		r->ds->skipped += rg[i].ds.skipped;
		r->ds->skipped_zero += rg[i].ds.skipped_zero;
		r->line = c->line;
	}
	for (int i = 0; i < nr; i++)
		free(rg[i].r.row);
	free(rg);
	free(r->x);
	free(r->w);
	r->x = x;
	r->w = w;
	r->cap = total;
	return rc;
}

/* A large regular file: mapped, its prefix read alone, the rest in parallel. */
static int
read_mapped(struct reader *r, const unsigned char *b, size_t len, int nthr)
{
	const unsigned char quote = (unsigned char)(r->opt->quote ? r->opt->quote : '"');
	size_t skip = 0, pre;
	char delim;
	int par = 0;

	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		skip = 3;
	first_bytes(r, b + skip, len - skip);
	delim = r->delim;
	r->line = r->field_line = r->rec_line = 1;
	start_record(r);
	quote_parity(b, skip, skip + PREFIX_BYTES, quote, &par);
	pre = next_boundary(b, len, skip + PREFIX_BYTES, quote, par);
	if (parse_buffer(r, b + skip, pre - skip, delim, pre == len, 0))
		return r->err->status;
	if (pre == len)
		return 0;
	if (!r->resolved)	/* no data row in the prefix: read on, alone */
		return parse_buffer(r, b + pre, len - pre, delim, 1, 1);
	return read_ranges(r, b, pre, len, len, delim, nthr);
}

/* Rows read from the prefix that are another process's: forgotten. */
static void
drop_rows(struct reader *r)
{
	r->n = 0;
	r->ds->skipped = 0;
	r->ds->skipped_zero = 0;
}

/*
 * One process's share of a file read by a team of several (opt->share):
 * the byte range of the data after the prefix is cut into as many equal
 * slices as there are processes; a process reads the records that start
 * in its slice, found as in read_ranges from the parity of the quotes
 * before it (each process counts its slice's quotes and line ends; an
 * exclusive scan gives every process the counts before its slice).
 * Every process reads the prefix, for the header and the choice of
 * columns; only rank 0 keeps its rows.
 */
static int
read_share(struct reader *r, const unsigned char *b, size_t len, int nthr, int bad)
{
	const unsigned char quote = (unsigned char)(r->opt->quote ? r->opt->quote : '"');
	const struct csv_team *team = r->opt->share;
	const int me = team->rank, np = team->size;
	size_t skip = 0, pre, a0, a1, s0, s1;
	char delim;
	int par = 0, rc = bad, mypar = 0;
	long long lines;

	if ((rc = team->agree(rc, r->err)) != 0) {
		r->failed = 1;
		return rc;
	}
	if (len == 0)
		return -1;	/* an empty file: read as a stream, by all alike */
	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		skip = 3;
	first_bytes(r, b + skip, len - skip);
	delim = r->delim;
	r->line = r->field_line = r->rec_line = 1;
	start_record(r);
	quote_parity(b, skip, skip + PREFIX_BYTES < len ? skip + PREFIX_BYTES : len, quote, &par);
	pre = skip + PREFIX_BYTES < len ? next_boundary(b, len, skip + PREFIX_BYTES, quote, par) : len;
	if (parse_buffer(r, b + skip, pre - skip, delim, pre == len, 0))
		return r->err->status;
	if (pre < len && !r->resolved) {
		/* No data row in the prefix: the columns are chosen further on; all read on. */
		rc = parse_buffer(r, b + pre, len - pre, delim, 1, 1);
		if (me != 0)
			drop_rows(r);
		return rc;
	}
	if (me != 0)
		drop_rows(r);
	if (pre == len)
		return 0;
	/* This process's slice of [pre, len), and the quotes and lines before it. */
	a0 = pre + (len - pre) / (size_t)np * (size_t)me;
	a1 = me + 1 == np ? len : pre + (len - pre) / (size_t)np * (size_t)(me + 1);
	quote_parity(b, a0, a1, quote, &mypar);
	lines = count_lines(b, a0, a1, len);
	par = team->exscan_xor(mypar);
	lines = r->line + team->exscan_sum(lines);
	s0 = me == 0 ? pre : next_boundary(b, len, a0, quote, par);
	s1 = me + 1 == np ? len : next_boundary(b, len, a1, quote, par ^ mypar);
	if (s0 >= s1)
		return 0;
	if (me != 0) {
		lines += count_lines(b, a0, s0, len);
		r->line = r->field_line = r->rec_line = (long)lines;
		r->last_cr = 0;
		start_record(r);
	}
	return read_ranges(r, b, s0, s1, len, delim, nthr);
}

int
csv_read(const char *path, const struct csv_options *opt, struct dataset *ds,
	 struct gm_error *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	int rc;

	int rc0 = fp == NULL ? gm_error_sys(err, GM_EDATA, path, "cannot open", errno) : GM_OK;

	if (opt->share != NULL && opt->share->size > 1)
		rc0 = opt->share->agree(rc0, err);	/* all open it, or none goes on */
	if (rc0 != GM_OK) {
		if (fp != NULL && !is_stdin)
			fclose(fp);
		memset(ds, 0, sizeof *ds);
		return rc0;
	}
	rc = csv_read_stream(fp, path, opt, ds, err);
	if (!is_stdin)
		fclose(fp);
	return rc;
}

int
csv_read_stream(FILE *fp, const char *path, const struct csv_options *opt,
		struct dataset *ds, struct gm_error *err)
{
	struct reader r;
	struct stat st0, st1;
	int rc, reg, changed = 0;

	memset(ds, 0, sizeof *ds);
	memset(&r, 0, sizeof r);
	r.opt = opt;
	r.path = path;
	r.err = err;
	r.ds = ds;
	r.wcol = -1;
	r.decimal = opt->decimal ? opt->decimal : '.';
	r.delim = opt->delimiter ? opt->delimiter : opt->delimiter_auto && r.decimal == ',' ? ';' : ',';
	/* A regular file's size and time now and after: did it change meanwhile? */
	reg = fstat(fileno(fp), &st0) == 0 && S_ISREG(st0.st_mode);
	if (opt->n_na > 0) {
		r.na_len = malloc(opt->n_na * sizeof *r.na_len);
		if (r.na_len == NULL)
			return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
		for (size_t i = 0; i < opt->n_na; i++)
			r.na_len[i] = strlen(opt->na[i]);
	}

	rc = -1;
	if (opt->share != NULL && opt->share->size > 1) {
		/*
		 * Several processes: each reads its own byte range of the file.
		 * read_share is entered by all, whatever failed here, and agrees
		 * on the outcome first: no process is left waiting for another.
		 */
		struct stat st;
		void *m = NULL;
		size_t len = 0;
		int nthr = 1, bad = 0;
#ifdef _OPENMP
		nthr = opt->threads > 0 ? opt->threads : omp_get_max_threads();
#endif
		if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode))
			bad = fail(&r, GM_EDATA, 0, 0,
				   "not a regular file: several processes read a file by byte ranges");
		else if (st.st_size > 0) {
			m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fileno(fp), 0);
			if (m == MAP_FAILED) {
				m = NULL;
				bad = errno == ENOMEM ? fail(&r, GM_EINTERNAL, 0, 0, "out of memory") :
				      fail(&r, GM_EDATA, 0, 0, "cannot map the file: %s", strerror(errno));
			} else {
				len = (size_t)st.st_size;
				map_guard(m, len);
			}
		}
		rc = read_share(&r, m, len, nthr, bad);
		if (m != NULL) {
			changed |= map_unguard();
			munmap(m, len);
		}
	}
#ifdef _OPENMP
	if (rc < 0) {
		struct stat st;
		int nthr = opt->threads > 0 ? opt->threads : omp_get_max_threads();
		if (opt->on_row == NULL && !opt->keep_lines && nthr > 1 &&
		    fstat(fileno(fp), &st) == 0 &&
		    S_ISREG(st.st_mode) && (size_t)st.st_size >= PARALLEL_MIN &&
		    ftell(fp) == 0) {
			void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
				       fileno(fp), 0);
			if (m != MAP_FAILED) {
				map_guard(m, (size_t)st.st_size);
				rc = read_mapped(&r, m, (size_t)st.st_size, nthr);
				changed |= map_unguard();
				munmap(m, (size_t)st.st_size);
			}
		}
	}
#endif
	if (rc < 0)
		rc = read_stream(&r, fp);
	if (rc == GM_EDATA)
		hint(&r);	/* the status stays: only the message may be better */
	/*
	 * Rows read from a file that changed meanwhile (truncated, rewritten)
	 * may be of neither version: an error, whatever else was found.
	 */
	if (reg && (fstat(fileno(fp), &st1) != 0 || st1.st_size != st0.st_size ||
		    st1.st_mtim.tv_sec != st0.st_mtim.tv_sec ||
		    st1.st_mtim.tv_nsec != st0.st_mtim.tv_nsec)) {
		unfail(&r);
		rc = fail(&r, GM_EDATA, 0, 0, "the file changed while it was read");
	} else if (changed) {
		/* A page missing from a file of the same size: the disk failed it. */
		unfail(&r);
		rc = fail(&r, GM_EDATA, 0, 0, "read error: a page of the mapped file could not be read");
	}
	if (opt->share != NULL && opt->share->size > 1 && (rc = opt->share->agree(rc, err)) != 0)
		r.failed = 1;	/* the first failing process's error, on all */
	/* A file with a header and one data row ends before on_record ran for it. */
	if (rc == 0 && !r.seen_header)
		rc = fail(&r, GM_EDATA, 0, 0, "empty file: no header and no data");
	if (rc == 0 && !r.resolved)
		rc = fail(&r, GM_EDATA, 0, 0, "no data rows after the header");
	if (rc == 0 && (opt->share ? opt->share->sum((long long)r.n) == 0 : r.n == 0) &&
	    opt->on_row == NULL) {
		if (opt->share) {
			ds->skipped = (size_t)opt->share->sum((long long)ds->skipped);
			ds->skipped_zero = (size_t)opt->share->sum((long long)ds->skipped_zero);
		}
		if (ds->skipped_zero > 0)
			rc = fail(&r, GM_EDATA, 0, 0,
				  "no rows to fit: %zu data row%s with a missing value, %zu with weight 0",
				  ds->skipped, ds->skipped == 1 ? "" : "s", ds->skipped_zero);
		else
			rc = fail(&r, GM_EDATA, 0, 0,
				  "no complete rows: all %zu data rows have a missing value",
				  ds->skipped);
	}
	if (rc == 0 && r.n > 0 && r.n < r.cap) {
		/* Give back the unused tail. */
		double *x = realloc(r.x, r.n * r.d * sizeof *x);
		if (x != NULL)
			r.x = x;
		if (r.w != NULL && (x = realloc(r.w, r.n * sizeof *x)) != NULL)
			r.w = x;
	}
	if (rc == 0) {
		ds->n = r.n;
		ds->d = r.d;
		ds->threads = opt->threads;
		ds->delimiter = r.delim;
		ds->delimiter_auto = !opt->delimiter_auto ? 0 : r.delim_found ? 1 : 2;
		ds->x = r.x;
		ds->w = r.w;
		ds->lines = r.lines;
		ds->left_out = r.left;
		ds->nleft = r.nleft;
		r.x = r.w = NULL;
		r.lines = r.left = NULL;
		ds->names = calloc(r.d, sizeof *ds->names);
		ds->colno = calloc(r.d, sizeof *ds->colno);
		if (ds->names == NULL || ds->colno == NULL)
			rc = fail(&r, GM_EINTERNAL, 0, 0, "out of memory");
		for (size_t i = 0; rc == 0 && i < r.d; i++) {
			ds->colno[i] = r.sel[i] + 1;
			ds->names[i] = strdup(r.header[r.sel[i]]);
			if (ds->names[i] == NULL)
				rc = fail(&r, GM_EINTERNAL, 0, 0, "out of memory");
		}
		if (rc == 0 && r.wcol >= 0 &&
		    (ds->weight_name = strdup(r.header[r.wcol])) == NULL)
			rc = fail(&r, GM_EINTERNAL, 0, 0, "out of memory");
		if (rc != 0)
			dataset_free(ds);
	}
	if (rc != 0) {
		free(ds->x);
		free(ds->w);
		memset(ds, 0, sizeof *ds);
	}
	for (size_t j = 0; j < r.ncols; j++)
		free(r.header[j]);
	free(r.header);
	free(r.hnul);
	for (size_t j = 0; j < r.nfirst; j++)
		free(r.first[j]);
	free(r.first);
	free(r.first_line);
	free(r.first_len);
	free(r.sel);
	free(r.slot);
	free(r.row);
	free(r.na_len);
	for (size_t j = 0; j < r.capfields; j++)
		free(r.fields[j]);
	free(r.fields);
	free(r.x);
	free(r.w);
	free(r.lines);
	free(r.left);
	return rc;
}
