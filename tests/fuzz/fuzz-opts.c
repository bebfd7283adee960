/*
 * fuzz-opts.c - libFuzzer target for the command line's option values.
 *
 * The first byte chooses a parser (its high nibble, modulo 5; the low
 * bits pick a range or the file's options) (the numbers of --tol, --reg, --means,
 * --sds and --weights-init, a list of them, an integer option, --seed,
 * -k, --fix, --size, --font, the --means list-or-file rule, a --means
 * file of one or two columns, the escape of usage messages); the rest is
 * the value, as argv would hold it (up to the first NUL).  Whatever the
 * bytes, nothing may crash, leak or read out of bounds, a value accepted
 * must lie in its range, and a refusal must be GM_EUSAGE (GM_EDATA for a
 * file) with a message that never says "nan".
 *
 * Without libFuzzer (-DFUZZ_DRIVER), main runs each file named on the
 * command line through the same entry point.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "em.h"
#include "error.h"
#include "meansfile.h"
#include "optval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ov_range ranges[] = {
	{ 0.0, 1.7976931348623157e308, 0, "a non-negative number" },
	{ 0.0, OV_REG_MAX, 0, "a number from 0 to 1e300" },
	{ -OV_MEAN_MAX, OV_MEAN_MAX, 0, "a number from -1e150 to 1e150" },
	{ OV_SD_MIN, OV_SD_MAX, 0, "a number from 1e-150 to 1e150" },
	{ 0.0, 1.7976931348623157e308, 1, "a positive number" }
};
#define NRANGES (sizeof ranges / sizeof ranges[0])

static void
in_range(double v, const struct ov_range *r)
{
	if (!isfinite(v) || !(r->lo_open ? v > r->lo : v >= r->lo) || !(v <= r->hi))
		abort();
	if (signbit(v) && !(v < 0))
		abort();	/* -0 must have become 0 */
}

/* A refusal: the status wanted, a message, and no NaN in it. */
static void
refused(int rc, const struct gm_error *err, int want)
{
	if (rc != want || err->status != want || err->msg[0] == '\0')
		abort();
	/* "nan" may only be the user's text, which messages quote. */
	if (strstr(err->msg, "nan") != NULL && strpbrk(err->msg, "'\"") == NULL)
		abort();
}

static void
numbers(unsigned sel, const char *s)
{
	const struct ov_range *r = &ranges[sel % NRANGES];
	struct gm_error err;
	double v, *list = NULL;
	size_t n = 0, commas = 0;
	int rc;

	gm_error_clear(&err);
	rc = ov_number("--opt", s, r, &v, &err);
	if (rc == GM_OK)
		in_range(v, r);
	else
		refused(rc, &err, GM_EUSAGE);
	gm_error_clear(&err);
	rc = ov_list("--opt", s, r, &list, &n, &err);
	if (rc == GM_OK) {
		for (const char *p = s; *p; p++)
			commas += *p == ',';
		if (n != commas + 1)
			abort();	/* no element skipped */
		for (size_t i = 0; i < n; i++)
			in_range(list[i], r);
		free(list);
	} else {
		refused(rc, &err, GM_EUSAGE);
	}
}

static void
integers(const char *s)
{
	struct gm_error err;
	size_t v, *ks = NULL, nk = 0;
	uint64_t u;
	unsigned fix;
	int rc;

	gm_error_clear(&err);
	rc = ov_size("--n", s, 2, 1000, &v, &err);
	if (rc == GM_OK && (v < 2 || v > 1000 || strspn(s, "0123456789") != strlen(s)))
		abort();
	if (rc != GM_OK)
		refused(rc, &err, GM_EUSAGE);
	gm_error_clear(&err);
	rc = ov_u64("--seed", s, &u, &err);
	if (rc == GM_OK && (s[0] == '\0' || strtoull(s, NULL, 10) != u))
		abort();
	if (rc != GM_OK)
		refused(rc, &err, GM_EUSAGE);
	gm_error_clear(&err);
	rc = ov_ks(s, 50, &ks, &nk, &err);
	if (rc == GM_OK) {
		unsigned char seen[51] = { 0 };
		if (nk < 1 || nk > 50)
			abort();
		for (size_t i = 0; i < nk; i++) {
			if (ks[i] < 1 || ks[i] > 50 || seen[ks[i]])
				abort();
			seen[ks[i]] = 1;
		}
		free(ks);
	} else {
		refused(rc, &err, GM_EUSAGE);
	}
	gm_error_clear(&err);
	rc = ov_fix(s, &fix, &err);
	if (rc == GM_OK && (fix & ~(unsigned)(EM_FIX_WEIGHTS | EM_FIX_MEANS | EM_FIX_COVARIANCES)))
		abort();
	if (rc != GM_OK)
		refused(rc, &err, GM_EUSAGE);
}

static void
figure(const char *s)
{
	struct gm_error err;
	double w, h;
	int rc;

	for (int inches = 0; inches < 2; inches++) {
		double lo = inches ? OV_SIZE_INCHES_MIN : OV_SIZE_PIXELS_MIN;
		double hi = inches ? OV_SIZE_INCHES_MAX : OV_SIZE_PIXELS_MAX;
		gm_error_clear(&err);
		rc = ov_figure_size(s, inches, &w, &h, &err);
		if (rc == GM_OK && !(w >= lo && w <= hi && h >= lo && h <= hi))
			abort();
		if (rc != GM_OK)
			refused(rc, &err, GM_EUSAGE);
	}
	gm_error_clear(&err);
	rc = ov_font(s, &err);
	if (rc != GM_OK)
		refused(rc, &err, GM_EUSAGE);
	(void)ov_is_file(s);
}

static void
means_file(unsigned sel, const uint8_t *data, size_t size)
{
	static char a[] = "a", b[] = "b", x[] = "x";
	char *two[] = { a, b }, *one[] = { x };
	struct means_file_options mo = { 0, 0, 0, 20, OV_MEAN_MAX };
	struct gm_error err;
	double *m = NULL;
	size_t k = 0, d = sel & 1 ? 2 : 1;
	int rc;

	mo.delimiter = sel & 2 ? ';' : 0;
	mo.decimal = sel & 4 ? ',' : 0;
	gm_error_clear(&err);
	rc = means_file_parse("fuzz.csv", (const char *)data, size, d == 2 ? two : one, d, &mo,
			      &m, &k, &err);
	if (rc == GM_OK) {
		if (k < 1 || k > mo.kmax)
			abort();
		for (size_t i = 0; i < k * d; i++)
			if (!(fabs(m[i]) <= OV_MEAN_MAX))
				abort();
		free(m);
	} else {
		refused(rc, &err, GM_EDATA);
	}
}

static void
escape(const char *s)
{
	char out[64];

	gm_escape(s, out, sizeof out);
	if (strlen(out) >= sizeof out || gm_has_control(out))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned sel, what;
	char *s;

	if (size == 0)
		return 0;
	sel = data[0];
	what = (sel >> 4) % 5;
	data++;
	size--;
	if (what == 4) {
		/* A file: its bytes as they are, NULs too. */
		means_file(sel, data, size);
		return 0;
	}
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	switch (what) {
	case 0:
		numbers(sel, s);
		break;
	case 1:
		integers(s);
		break;
	case 2:
		figure(s);
		break;
	case 3:
		escape(s);
		break;
	}
	free(s);
	return 0;
}

#ifdef FUZZ_DRIVER
/* Each file named, through the entry point (a build without libFuzzer). */
int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		uint8_t buf[65536];
		size_t n;
		if (fp == NULL) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof buf, fp);
		fclose(fp);
		LLVMFuzzerTestOneInput(buf, n);
	}
	return 0;
}
#endif
