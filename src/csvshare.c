/*
 * csvshare.c - one process's share of a file read by a team of several
 * processes (see csvint.h): the byte ranges and line numbers agreed
 * through the team's collective steps (csvread.h, struct csvread_team).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "csvint.h"

/* Rows read from the prefix that are another process's: forgotten. */
static void
drop_rows(struct reader *r)
{
	r->n = 0;
	r->nleft = 0;
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
int
rd_read_share(struct reader *r, const unsigned char *b, size_t len, int nthr, int bad)
{
	const unsigned char quote = (unsigned char)(r->opt->quote ? r->opt->quote : '"');
	const struct csvread_team *team = r->opt->share;
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
	rd_first_bytes(r, b + skip, len - skip);
	delim = r->delim;
	r->line = r->field_line = r->rec_line = 1;
	rd_start_record(r);
	rd_quote_parity(b, skip, skip + PREFIX_BYTES < len ? skip + PREFIX_BYTES : len, quote, &par);
	pre = skip + PREFIX_BYTES < len ? rd_next_boundary(b, len, skip + PREFIX_BYTES, quote, par) : len;
	if (rd_parse_buffer(r, b + skip, pre - skip, delim, pre == len, 0))
		return r->err->status;
	if (pre < len && !r->resolved) {
		/* No data row in the prefix: the columns are chosen further on; all read on. */
		rc = rd_parse_buffer(r, b + pre, len - pre, delim, 1, 1);
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
	rd_quote_parity(b, a0, a1, quote, &mypar);
	lines = rd_count_lines(b, a0, a1, len);
	par = team->exscan_xor(mypar);
	lines = r->line + team->exscan_sum(lines);
	s0 = me == 0 ? pre : rd_next_boundary(b, len, a0, quote, par);
	s1 = me + 1 == np ? len : rd_next_boundary(b, len, a1, quote, par ^ mypar);
	if (s0 >= s1)
		return 0;
	if (me != 0) {
		lines += rd_count_lines(b, a0, s0, len);
		r->line = r->field_line = r->rec_line = (long)lines;
		r->last_cr = 0;
		rd_start_record(r);
	}
	/* The ranges keep no lines: with --labels (keep_lines) the slice is parsed in one piece. */
	if (r->opt->keep_lines)
		return rd_parse_buffer(r, b + s0, s1 - s0, delim, s1 == len, 0);
	return rd_read_ranges(r, b, s0, s1, len, delim, nthr);
}

