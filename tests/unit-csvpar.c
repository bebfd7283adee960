/*
 * unit-csvpar.c - reading a large file by byte ranges on several threads
 * gives exactly what a sequential read gives: the same rows in the same
 * order, the same skipped lines, the same first error with its line and
 * column.  The files are made here, large enough (> 1 MiB) for the
 * parallel path, with quoted fields holding line ends and delimiters,
 * CRLF and CR line ends, blank lines and missing values spread through
 * them, and errors placed in the last part of the file.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvread.h"
#include "rng.h"
#include "tap.h"

#define ROWS 500000

/*
 * A file of ROWS rows; bad_row >= 0 puts a non-number there; eol: 0 LF,
 * 1 CRLF, 2 CR; huge: one quoted field of 6 MiB (with line ends) in the
 * middle, longer than a thread's share, so that cuts fall inside it.
 */
static void
make_file(const char *path, int eol, long bad_row, int unclosed, int huge)
{
	static const char *const ends[] = { "\n", "\r\n", "\r" };
	FILE *fp = fopen(path, "wb");
	struct rng r;

	rng_seed(&r, 11);
	fprintf(fp, "note,x,y%s", ends[eol]);
	for (long i = 0; i < ROWS; i++) {
		double u = rng_uniform(&r);
		/* quoted text with a line end and a comma, now and then */
		if (huge && i == ROWS / 2) {
			fputc('"', fp);
			for (long j = 0; j < (6L << 20) / 64; j++)
				fprintf(fp, "%62s%s", "a, \"\"b\"\"", j % 2 ? ends[eol] : "  ");
			fputs("\",", fp);
		} else if (u < 0.01)
			fprintf(fp, "\"a%s b, \"\"c\"\"\",", ends[eol]);
		else
			fprintf(fp, "t%ld,", i % 97);
		if (i == bad_row)
			fputs("oops", fp);
		else if (u > 0.995)
			fputs("NA", fp);
		else
			fprintf(fp, "%.6f", rng_normal(&r) * 3 + 10);
		fprintf(fp, ",%.3f%s", rng_uniform(&r), ends[eol]);
		if (u > 0.5 && u < 0.5005)
			fputs(ends[eol], fp);	/* a blank line */
	}
	if (unclosed)
		fputs("\"never closed,1,2", fp);
	fclose(fp);
}

/* na: an extra missing-value token (none in the files), or NULL. */
static int
read_na(const char *path, int threads, const char *na, struct dataset *ds,
	struct gm_error *err)
{
	struct csvread_options co;

	memset(&co, 0, sizeof co);
	co.columns = "x,y";
	co.threads = threads;
	co.na = &na;
	co.n_na = na != NULL;
	gm_error_clear(err);
	return csvread_file(path, &co, ds, err);
}

static int
read_with(const char *path, int threads, struct dataset *ds, struct gm_error *err)
{
	return read_na(path, threads, NULL, ds, err);
}

/*
 * The reader's lean path (a plain file) against its general one, which an
 * --na token forces: the same rows and skipped lines, bit for bit.
 */
static void
compare_lean(const char *path, const char *what)
{
	struct dataset a, b;
	struct gm_error ea, eb;
	int ra = read_na(path, 2, NULL, &a, &ea), rb = read_na(path, 2, "@none@", &b, &eb);

	tap_ok(ra == GM_OK && rb == GM_OK && a.n == b.n &&
	       memcmp(a.x, b.x, a.n * a.d * sizeof *a.x) == 0 && a.skipped == b.skipped &&
	       memcmp(a.skip_lines, b.skip_lines, sizeof a.skip_lines) == 0,
	       "%s: the lean path reads what the general one reads (%zu rows, %zu skipped)",
	       what, a.n, a.skipped);
	if (ra == GM_OK)
		dataset_free(&a);
	if (rb == GM_OK)
		dataset_free(&b);
}

/* The file read on 1 thread and on threads threads: the same outcome. */
static void
compare(const char *path, const char *what, int threads)
{
	struct dataset a, b;
	struct gm_error ea, eb;
	int ra = read_with(path, 1, &a, &ea), rb = read_with(path, threads, &b, &eb);

	tap_ok(ra == rb, "%s: same status (%d, %d)", what, ra, rb);
	if (ra == GM_OK && rb == GM_OK) {
		tap_ok(a.n == b.n && a.d == b.d &&
		       memcmp(a.x, b.x, a.n * a.d * sizeof *a.x) == 0,
		       "%s: the same %zu rows, in order, bit for bit", what, a.n);
		tap_ok(a.skipped == b.skipped &&
		       memcmp(a.skip_lines, b.skip_lines, sizeof a.skip_lines) == 0,
		       "%s: the same %zu skipped rows and first lines", what, a.skipped);
		dataset_free(&a);
		dataset_free(&b);
	} else {
		tap_ok(ea.line == eb.line && ea.col == eb.col && strcmp(ea.msg, eb.msg) == 0,
		       "%s: the same error (%ld:%ld: %s) and (%ld:%ld: %s)", what, ea.line,
		       ea.col, ea.msg, eb.line, eb.col, eb.msg);
		tap_ok(ea.line > 0, "%s: the error has a line", what);
		if (ra == GM_OK)
			dataset_free(&a);
		if (rb == GM_OK)
			dataset_free(&b);
	}
}

int
main(void)
{
	char path[64];

	snprintf(path, sizeof path, "csvpar-%ld.csv", (long)getpid());
	tap_plan(27);
	make_file(path, 0, -1, 0, 0);
	{
		FILE *fp = fopen(path, "rb");
		long size = -1;
		if (fp != NULL && fseek(fp, 0, SEEK_END) == 0)
			size = ftell(fp);
		if (fp != NULL)
			fclose(fp);
		/* csvread.c reads files of 1 MiB and more by ranges: this one must be. */
		tap_ok(size >= 1L << 20, "the file (%ld bytes) is large enough for the parallel path", size);
	}
	compare(path, "LF", 2);
	compare(path, "LF, 5 threads", 5);
	compare_lean(path, "LF");
	make_file(path, 1, -1, 0, 0);
	compare(path, "CRLF", 2);
	make_file(path, 2, -1, 0, 0);
	compare(path, "CR", 2);
	compare_lean(path, "CR");
	make_file(path, 0, ROWS - 1000, 0, 0);
	compare(path, "a bad value near the end", 2);
	make_file(path, 1, -1, 1, 0);
	compare(path, "an unclosed quote at the end", 2);
	make_file(path, 1, -1, 0, 1);
	compare(path, "a 6 MiB quoted field, 8 threads", 8);
	make_file(path, 0, ROWS - 1000, 0, 1);
	compare(path, "a 6 MiB quoted field and a bad value, 8 threads", 8);
	remove(path);
	return tap_done();
}
