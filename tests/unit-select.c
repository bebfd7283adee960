/*
 * unit-select.c - dataset_order_stats (dataset.h), the radix selection of
 * order statistics, against the values at those ranks of the column
 * sorted by qsort: exact equality, since both pick one of the column's
 * own values (-0 taken as 0 on both sides).  Columns of every kind the
 * key must order: negatives and positives, ties, -0 and 0, values that
 * share their high bits (1 + k 2^-52: only the last pass tells them
 * apart), infinities, subnormals, one row, and a column of 2 in a
 * 3-column data set.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "tap.h"

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Park-Miller: uniform on (0, 1). */
static double
u(unsigned long *s)
{
	*s = *s * 16807 % 2147483647;
	return (double)*s / 2147483647.0;
}

/* Column c of n rows of d: every rank checked (n small) or a spread of them. */
static void
check(const char *what, double *x, size_t n, size_t d, size_t c)
{
	struct dataset ds;
	double *col = malloc(n * sizeof *col), got[2];
	size_t bad = 0, tried = 0, step = n > 200 ? n / 97 : 1;

	memset(&ds, 0, sizeof ds);
	ds.x = x;
	ds.n = n;
	ds.d = d;
	for (size_t i = 0; i < n; i++)
		col[i] = fpclassify(x[i * d + c]) == FP_ZERO ? 0.0 : x[i * d + c];
	qsort(col, n, sizeof *col, cmp);
	for (size_t r = 0; r < n; r += step) {
		size_t rk[2] = { r, n - 1 - r };
		tried++;
		if (dataset_order_stats(&ds, c, 2, rk, got) != 0 ||
		    memcmp(&got[0], &col[rk[0]], sizeof got[0]) != 0 ||
		    memcmp(&got[1], &col[rk[1]], sizeof got[1]) != 0) {
			if (bad++ == 0)
				tap_diag("ranks %zu, %zu: got %.17g, %.17g, want %.17g, %.17g", rk[0], rk[1],
					 got[0], got[1], col[rk[0]], col[rk[1]]);
		}
	}
	tap_ok(bad == 0, "%s: %zu pairs of ranks of %zu rows, the sorted column's values", what, tried, n);
	free(col);
}

int
main(void)
{
	unsigned long s = 12345;
	size_t n = 20000;
	double *x = malloc(3 * n * sizeof *x);

	tap_plan(7);
	for (size_t i = 0; i < n; i++)
		x[i] = 10.0 * (u(&s) - 0.5);
	check("uniform on (-5, 5)", x, n, 1, 0);
	for (size_t i = 0; i < n; i++)
		x[i] = floor(u(&s) * 7.0) - 3.0 + (u(&s) < 0.1 ? -0.0 : 0.0);
	for (size_t i = 0; i < n; i += 5)
		x[i] = -0.0;
	check("ties on -3 .. 3, -0 and 0", x, n, 1, 0);
	for (size_t i = 0; i < n; i++)
		x[i] = (u(&s) < 0.5 ? -1.0 : 1.0) * (1.0 + (double)(i % 301) * 0x1p-52);
	check("1 + k 2^-52 of both signs (the last 16 bits decide)", x, n, 1, 0);
	for (size_t i = 0; i < 1000; i++)
		x[i] = i % 4 == 0 ? INFINITY : i % 4 == 1 ? -INFINITY : i % 4 == 2 ? 0x1p-1070 * (double)(i % 9) : -1e300;
	check("infinities, subnormals, -1e300", x, 1000, 1, 0);
	x[0] = 42.5;
	check("one row", x, 1, 1, 0);
	for (size_t i = 0; i < 3 * n; i++)
		x[i] = u(&s) < 0.3 ? 163.8 + 2.4 * (u(&s) - 0.5) : 178 + 5.5 * (u(&s) - 0.5);
	check("column 2 of 3", x, n, 3, 2);
	{
		struct dataset ds;
		double out[2];
		size_t r[3] = { 0, 1, 2 };
		memset(&ds, 0, sizeof ds);
		ds.x = x;
		ds.n = n;
		ds.d = 3;
		tap_ok(dataset_order_stats(&ds, 0, 3, r, out) == -1, "more than 2 ranks at once: -1");
	}
	free(x);
	return tap_done();
}
