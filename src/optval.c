/*
 * optval.c - the values of command-line options, checked in full (see
 * optval.h).
 *
 * Why not strtod and strtok: strtod follows no fixed syntax (hex floats,
 * "inf", "nan", an ERANGE on subnormals that are perfectly good values),
 * and strtok skips empty list elements, so "1,,2" was two values.  Numbers
 * go through np_parse, as the data do; lists are split here, element by
 * element, so an empty one is seen and named.
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "em.h"
#include "numparse.h"
#include "optval.h"

/*
 * s[0..len) as a message shows it: at most SHOWN_MAX bytes, cut on a
 * UTF-8 character boundary with "..." (a message has 640 bytes).
 */
#define SHOWN_MAX 120

static void
shown(const char *s, size_t len, char out[SHOWN_MAX + 4])
{
	size_t n = len;

	if (n > SHOWN_MAX) {
		n = SHOWN_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	strcpy(out + n, n < len ? "..." : "");
}

/*
 * One number, s[0..len), into *out.  elem is its position in list (from
 * 1), or 0 for an option of one number.
 */
static int
number(const char *opt, const char *list, size_t elem, const char *s, size_t len,
       const struct ov_range *r, double *out, struct gm_error *err)
{
	char val[SHOWN_MAX + 4], all[SHOWN_MAX + 4];
	const char *why = NULL;
	double v = 0.0;

	shown(s, len, val);
	shown(list, strlen(list), all);
	switch (np_parse(s, len, '.', &v)) {
	case NP_OK:
		/* -0 is 0: a report must not say "tol -0". */
		if (signbit(v) && !(v < 0))
			v = 0.0;
		if ((r->lo_open ? v > r->lo : v >= r->lo) && v <= r->hi) {
			*out = v;
			return GM_OK;
		}
		break;
	case NP_EMPTY:
		why = "empty";
		break;
	case NP_OVERFLOW:
		why = "beyond the largest double (1.8e308)";
		break;
	case NP_INVALID:
		break;
	}
	if (elem == 0 && why == NULL)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0, "%s needs %s, not '%s'",
				    opt, r->text, val);
	if (elem == 0)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0, "%s needs %s: '%s' is %s",
				    opt, r->text, val, why);
	if (why != NULL && len == 0)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "%s: element %zu of '%s' is empty; each must be %s",
				    opt, elem, all, r->text);
	if (why != NULL)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "%s: element %zu of '%s', '%s', is %s; each must be %s",
				    opt, elem, all, val, why, r->text);
	return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
			    "%s: element %zu of '%s' is '%s', not %s", opt, elem, all, val, r->text);
}

int
ov_number(const char *opt, const char *s, const struct ov_range *r, double *out,
	  struct gm_error *err)
{
	return number(opt, s, 0, s, strlen(s), r, out, err);
}

/* The number of elements of a comma-separated list (an empty text has one, empty). */
static size_t
count_elements(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == ',';
	return n;
}

/* Element length from p up to the next comma or the end. */
static size_t
element_len(const char *p)
{
	const char *q = strchr(p, ',');

	return q != NULL ? (size_t)(q - p) : strlen(p);
}

int
ov_list(const char *opt, const char *s, const struct ov_range *r, double **out,
	size_t *n, struct gm_error *err)
{
	size_t cnt = count_elements(s);
	double *v = malloc(cnt * sizeof *v);
	const char *p = s;

	if (v == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	for (size_t e = 0; e < cnt; e++) {
		size_t len = element_len(p);
		int rc = number(opt, s, e + 1, p, len, r, &v[e], err);
		if (rc != GM_OK) {
			free(v);
			return rc;
		}
		p += len + 1;
	}
	*out = v;
	*n = cnt;
	return GM_OK;
}

/*
 * Decimal digits s[0..len) into *v: 0, or -1 when they are not all
 * digits (or none), or 1 when the value passes UINT64_MAX.
 */
static int
digits(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return -1;
		if (x > (UINT64_MAX - d) / 10)
			return 1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int
ov_size(const char *opt, const char *s, size_t min, size_t max, size_t *out,
	struct gm_error *err)
{
	char val[SHOWN_MAX + 4];
	uint64_t v;

	if (digits(s, strlen(s), &v) == 0 && v >= min && v <= max) {
		*out = (size_t)v;
		return GM_OK;
	}
	shown(s, strlen(s), val);
	return gm_error_set(err, GM_EUSAGE, NULL, 0, 0, "%s needs an integer from %zu to %zu, not '%s'",
			    opt, min, max, val);
}

int
ov_u64(const char *opt, const char *s, uint64_t *out, struct gm_error *err)
{
	char val[SHOWN_MAX + 4];

	if (digits(s, strlen(s), out) == 0)
		return GM_OK;
	shown(s, strlen(s), val);
	return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
			    "%s needs an integer from 0 to 18446744073709551615 (2^64 - 1), not '%s'",
			    opt, val);
}

/* One K of -k (s[0..len)): 1 to max, or an error naming the limit. */
static int
one_k(const char *all, const char *s, size_t len, size_t max, size_t *k,
      struct gm_error *err)
{
	char val[SHOWN_MAX + 4], whole[SHOWN_MAX + 4];
	uint64_t v = 0;
	int r = digits(s, len, &v);

	shown(s, len, val);
	shown(all, strlen(all), whole);
	if (r < 0)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "-k needs a positive integer, a range (1-9) or a list, not '%s'",
				    whole);
	if (r > 0 || v > max || v == 0)
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "-k: K is from 1 to %zu (the most components gmmfit fits), not '%s'",
				    max, val);
	*k = (size_t)v;
	return GM_OK;
}

int
ov_ks(const char *s, size_t max, size_t **out, size_t *n, struct gm_error *err)
{
	size_t cnt = count_elements(s), nk = 0, *v = NULL;
	unsigned char *seen = calloc(max + 1, 1);
	const char *p = s;
	int rc = GM_OK;

	if (seen == NULL)
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	for (size_t e = 0; e < cnt && rc == GM_OK; e++) {
		size_t len = element_len(p), a, b;
		const char *dash = memchr(p, '-', len);
		size_t alen = dash != NULL ? (size_t)(dash - p) : len;
		if (len == 0) {
			char all[SHOWN_MAX + 4];
			shown(s, strlen(s), all);
			rc = gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
					  "-k: element %zu of '%s' is empty", e + 1, all);
			break;
		}
		if ((rc = one_k(s, p, alen, max, &a, err)) != GM_OK)
			break;
		b = a;
		if (dash != NULL &&
		    (rc = one_k(s, dash + 1, len - alen - 1, max, &b, err)) != GM_OK)
			break;
		if (a > b) {
			rc = gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
					  "-k: the range %zu-%zu runs backwards", a, b);
			break;
		}
		for (size_t k = a; k <= b; k++) {
			size_t *nv;
			if (seen[k]) {
				rc = gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
						  "-k: K = %zu is given twice", k);
				break;
			}
			seen[k] = 1;
			/* Distinct Ks of at most max: the list never passes max. */
			if ((nv = realloc(v, (nk + 1) * sizeof *v)) == NULL) {
				rc = gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
				break;
			}
			v = nv;
			v[nk++] = k;
		}
		p += len + 1;
	}
	free(seen);
	if (rc != GM_OK) {
		free(v);
		return rc;
	}
	*out = v;
	*n = nk;
	return GM_OK;
}

int
ov_fix(const char *s, unsigned *fix, struct gm_error *err)
{
	static const struct {
		const char *name;
		unsigned bit;
	} words[] = {
		{ "weights", EM_FIX_WEIGHTS }, { "weight", EM_FIX_WEIGHTS },
		{ "means", EM_FIX_MEANS }, { "mean", EM_FIX_MEANS },
		{ "covariances", EM_FIX_COVARIANCES }, { "covariance", EM_FIX_COVARIANCES }
	};
	size_t cnt = count_elements(s);
	const char *p = s;
	unsigned f = 0;

	for (size_t e = 0; e < cnt; e++) {
		size_t len = element_len(p), w;
		char val[SHOWN_MAX + 4], all[SHOWN_MAX + 4];
		for (w = 0; w < sizeof words / sizeof words[0]; w++)
			if (strlen(words[w].name) == len && memcmp(words[w].name, p, len) == 0)
				break;
		if (w < sizeof words / sizeof words[0]) {
			f |= words[w].bit;
			p += len + 1;
			continue;
		}
		shown(p, len, val);
		shown(s, strlen(s), all);
		if (len == 0)
			return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
					    "--fix: element %zu of '%s' is empty; it takes weights, "
					    "means and covariances, comma-separated", e + 1, all);
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "--fix takes weights, means and covariances, comma-separated, not '%s'",
				    val);
	}
	*fix = f;
	return GM_OK;
}

int
ov_figure_size(const char *s, int inches, double *w, double *h, struct gm_error *err)
{
	static const struct ov_range pixels = {
		OV_SIZE_PIXELS_MIN, OV_SIZE_PIXELS_MAX, 0,
		"a number of pixels from 50 to 20000 (png, svg)"
	}, in = {
		OV_SIZE_INCHES_MIN, OV_SIZE_INCHES_MAX, 0,
		"a number of inches from 0.5 to 200 (pdf, cairolatex)"
	};
	char val[SHOWN_MAX + 4];
	double *v = NULL;
	size_t n = 0;
	int rc;

	if ((rc = ov_list("--size", s, inches ? &in : &pixels, &v, &n, err)) != GM_OK)
		return rc;
	if (n != 2) {
		free(v);
		shown(s, strlen(s), val);
		return gm_error_set(err, GM_EUSAGE, NULL, 0, 0,
				    "--size needs two numbers W,H, not '%s'", val);
	}
	*w = v[0];
	*h = v[1];
	free(v);
	return GM_OK;
}

int
ov_font(const char *s, struct gm_error *err)
{
	static const struct ov_range points = {
		OV_FONT_MIN, OV_FONT_MAX, 0, "a font size from 1 to 200 points after the comma"
	};
	const char *comma = strrchr(s, ',');
	double v;

	/* No size, or an empty one ("sans,"): gnuplot's default size. */
	if (comma == NULL || comma[1] == '\0')
		return GM_OK;
	return ov_number("--font", comma + 1, &points, &v, err);
}

int
ov_is_file(const char *s)
{
	return s[strspn(s, "0123456789+-.eE, \t")] != '\0';
}
