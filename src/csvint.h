/*
 * csvint.h - the CSV reader's internals, shared by its files (not an
 * interface: csvread.h is).
 *
 *   csvread.c   the entry points: which way a file is read, then the
 *               checks of the whole and the data set handed over
 *   csvparse.c  the libcsv callbacks: fields and records into rows, the
 *               choice of columns, the delimiter, the messages
 *   csvsplit.c  a large file by byte ranges on all cores: the mapping,
 *               record boundaries from the parity of quotes, one parser
 *               per range
 *   csvshare.c  one process's share of a file read by a team of several
 *
 * The internals carry the prefix rd_ (the reader).
 */
#ifndef GMMFIT_CSVINT_H
#define GMMFIT_CSVINT_H

#include <stddef.h>
#include <stdio.h>

#include <csv.h>

#include "csvread.h"

#define READ_BLOCK (1u << 20)	/* bytes handed to libcsv at a time */
#define PARALLEL_MIN (1u << 20)	/* files at least this big are read by byte ranges */
#define PREFIX_BYTES (64u << 10)	/* read first, alone: the header and first rows */
/*
 * libcsv grows a field's buffer by a fixed step (128 bytes by default):
 * a long quoted field would cost a realloc each step, a copy of the whole
 * field each time where realloc copies (as under AddressSanitizer).
 */
#define FIELD_STEP (64u << 10)

/* One read in progress: the options, the columns chosen, the rows so far. */
struct reader {
	const struct csvread_options *opt;
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
	int lean;		/* the lean path applies (see rd_on_field) */

	char **header;		/* names from the header (or "1", "2", ..) */
	long *hnul;		/* per header name: the line of a NUL byte in it, or 0 */
	size_t ncols;
	char delim;		/* the field separator in use */
	int delim_found;	/* -d auto found it (not the default) */
	char head[4096];	/* the input's first bytes (after a BOM), for rd_hint() */
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

/*
 * Record the first error (status, line and column when known, 0
 * otherwise) in r->err and mark r failed; later ones are dropped.
 * Returns status.
 */
int rd_fail(struct reader *r, int status, long line, long col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Forget the error recorded, for a better account of it (rd_hint, a changed file). */
void rd_unfail(struct reader *r);

/* libcsv stopped: why, in words about the file rather than libcsv's (rd_fail). */
void rd_parse_failed(struct reader *r, struct csv_parser *p);

/* libcsv's callbacks: a field (s, len), a record's end (c: its terminator or -1); data is r. */
void rd_on_field(void *s, size_t len, void *data);
void rd_on_record(int c, void *data);

/* A record begins at r->line: reset the per-record state. */
void rd_start_record(struct reader *r);

/*
 * Keep the first bytes of the input (after a BOM) for rd_hint(), and
 * choose the delimiter from them when -d auto.
 */
void rd_first_bytes(struct reader *r, const unsigned char *b, size_t len);

/* After a GM_EDATA: a header of one field that holds a likely separator says so. */
void rd_hint(struct reader *r);

/* Read fp to its end through one libcsv parser.  0, or the first error's status. */
int rd_read_stream(struct reader *r, FILE *fp);

/* Catch SIGBUS in [b, b + len) until rd_map_unguard (one mapping at a time). */
void rd_map_guard(const void *b, size_t len);

/* The guard off; returns 1 when a page of the mapping was missing. */
int rd_map_unguard(void);

/*
 * Line ends in [from, to) of b (len bytes) as the reader counts them:
 * LF, lone CR, CRLF once; the pages are given back as they are scanned.
 */
long rd_count_lines(const unsigned char *b, size_t from, size_t to, size_t len);

/* Parity of the quote characters in [from, to), added to *par; pages given back. */
void rd_quote_parity(const unsigned char *b, size_t from, size_t to, unsigned char quote,
		     int *par);

/* The first record boundary at or after pos (par: quote parity at pos); len if none. */
size_t rd_next_boundary(const unsigned char *b, size_t len, size_t pos, unsigned char quote,
			int par);

/*
 * Parse b[0..len) with r (its own libcsv parser); fini when last; give
 * the pages back as they are parsed when release.  0, or the status.
 */
int rd_parse_buffer(struct reader *r, const unsigned char *b, size_t len, char delim, int last,
		    int release);

/*
 * r has read the prefix; read b[from..to) (of len bytes) in ranges in
 * parallel on nthr threads and append the rows to r's.  Returns 0 or
 * the first error's status.
 */
int rd_read_ranges(struct reader *r, const unsigned char *b, size_t from, size_t to,
		   size_t len, char delim, int nthr);

/*
 * A large regular file b[0..len), mapped: its prefix read alone, the
 * rest in parallel.  0, the first error's status, or -1 when it is not
 * for this way (then read it as a stream).
 */
int rd_read_mapped(struct reader *r, const unsigned char *b, size_t len, int nthr);

/*
 * This process's share of b[0..len) read by r->opt->share's team (all
 * enter it, bad: this one's status so far, agreed first).  0, the
 * agreed status, or -1 for an empty file (read it as a stream, all alike).
 */
int rd_read_share(struct reader *r, const unsigned char *b, size_t len, int nthr, int bad);

#endif
