/*
 * csvsplit.c - the CSV reader's byte-range splitter (see csvint.h).
 */
/* madvise and MADV_DONTNEED are not in POSIX proper. */
#define _DEFAULT_SOURCE 1
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <csv.h>

#include "csvint.h"

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
void
rd_map_guard(const void *b, size_t len)
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
int
rd_map_unguard(void)
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
long
rd_count_lines(const unsigned char *b, size_t from, size_t to, size_t len)
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
void
rd_quote_parity(const unsigned char *b, size_t from, size_t to, unsigned char quote, int *par)
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
size_t
rd_next_boundary(const unsigned char *b, size_t len, size_t pos, unsigned char quote, int par)
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
int
rd_parse_buffer(struct reader *r, const unsigned char *b, size_t len, char delim, int last,
	     int release)
{
	struct csv_parser p;
	unsigned char opts = CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI | CSV_APPEND_NULL;

	if (csv_init(&p, opts) != 0)
		return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
	csv_set_delim(&p, (unsigned char)delim);
	csv_set_quote(&p, (unsigned char)(r->opt->quote ? r->opt->quote : '"'));
	csv_set_blk_size(&p, FIELD_STEP);
	for (size_t off = 0; off < len && !r->failed; off += READ_BLOCK) {
		size_t n = len - off < READ_BLOCK ? len - off : READ_BLOCK;
		if (bus_hit)	/* the file shrank: what is left is zeros (see on_sigbus) */
			break;
		if (csv_parse(&p, b + off, n, rd_on_field, rd_on_record, r) != n && !r->failed)
			rd_parse_failed(r, &p);
		if (release)
			drop_pages(b + off, n);
	}
	if (bus_hit)
		rd_fail(r, GM_EDATA, 0, 0, "the file changed while it was read");
	if (last && !r->failed && csv_fini(&p, rd_on_field, rd_on_record, r) != 0)
		rd_fail(r, GM_EDATA, r->field_line, (long)r->field + 1,
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
int
rd_read_ranges(struct reader *r, const unsigned char *b, size_t from, size_t to,
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
		return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
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
		rd_quote_parity(b, slice_at(from, to, nthr, (int)t), slice_at(from, to, nthr, (int)t + 1),
			     quote, &qp[t]);
	for (int i = 0; i < nthr && pos < to; i++) {
		size_t cut = slice_at(from, to, nthr, i + 1), end = to;

		pc ^= qp[i];	/* the parity at cut */
		if (i + 1 < nthr) {
			if (cut <= pos)
				continue;
			end = rd_next_boundary(b, to, cut, quote, pc);
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
		rg[t].cap = (size_t)rd_count_lines(b, rg[t].from, rg[t].to, len);
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
		return rd_fail(r, GM_EINTERNAL, 0, 0, "out of memory");
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
		rd_start_record(c);
		if (c->row == NULL)
			rd_fail(c, GM_EINTERNAL, 0, 0, "out of memory");
	}
#pragma omp parallel for schedule(static, 1) num_threads(nthr)
	for (t = 0; t < nr; t++)
		if (!rg[t].r.failed)
			rd_parse_buffer(&rg[t].r, b + rg[t].from, rg[t].to - rg[t].from, delim,
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
int
rd_read_mapped(struct reader *r, const unsigned char *b, size_t len, int nthr)
{
	const unsigned char quote = (unsigned char)(r->opt->quote ? r->opt->quote : '"');
	size_t skip = 0, pre;
	char delim;
	int par = 0;

	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		skip = 3;
	rd_first_bytes(r, b + skip, len - skip);
	delim = r->delim;
	r->line = r->field_line = r->rec_line = 1;
	rd_start_record(r);
	rd_quote_parity(b, skip, skip + PREFIX_BYTES, quote, &par);
	pre = rd_next_boundary(b, len, skip + PREFIX_BYTES, quote, par);
	if (rd_parse_buffer(r, b + skip, pre - skip, delim, pre == len, 0))
		return r->err->status;
	if (pre == len)
		return 0;
	if (!r->resolved)	/* no data row in the prefix: read on, alone */
		return rd_parse_buffer(r, b + pre, len - pre, delim, 1, 1);
	return rd_read_ranges(r, b, pre, len, len, delim, nthr);
}

