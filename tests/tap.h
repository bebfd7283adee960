/*
 * tap.h - a few lines of TAP for the C unit tests (Automake's tap-driver
 * reads them).  Header-only: each test program includes it once.
 */
#ifndef GMMFIT_TAP_H
#define GMMFIT_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

static inline void
tap_plan(int n)
{
	printf("1..%d\n", n);
}

static inline int __attribute__((format(printf, 2, 3)))
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

static inline void __attribute__((format(printf, 1, 2)))
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline void
tap_skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_count, why);
}

/* |got - want| <= tol * max(|want|, tiny), said in the test's name. */
static inline int
tap_rel(double got, double want, double tol, const char *what)
{
	double err = fabs(got - want) / fmax(fabs(want), 1e-300);

	return tap_ok(isfinite(got) && err <= tol,
		      "%s: got %.17g, want %.17g (relative error %.2g <= %.2g)", what,
		      got, want, err, tol);
}

/* |got - want| <= tol. */
static inline int
tap_abs(double got, double want, double tol, const char *what)
{
	double err = fabs(got - want);

	return tap_ok(isfinite(got) && err <= tol,
		      "%s: got %.10g, want %.10g +- %.3g (error %.3g)", what, got,
		      want, tol, err);
}

/* The exit status: 0 only when every test passed and the plan was met. */
static inline int
tap_done(void)
{
	return tap_failed ? 1 : 0;
}

#endif
