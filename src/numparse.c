/*
 * numparse.c - exact, locale-free decimal parsing (see numparse.h).
 *
 * Why not strtod alone: it follows the process locale (a German locale
 * reads "3.5" as 3), accepts hex floats, "inf" and "nan", and is slow.
 * The syntax check below fixes what a number is; the value comes from
 * Clinger's fast path when the decimal significand fits in 53 bits and the
 * power of ten is exact in a double (one correctly rounded operation on
 * exact operands), and from strtod otherwise.  The program never calls
 * setlocale, so strtod runs in the C locale.
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Any number: the syntax checked in full; Clinger's fast path or strtod. */
static enum np_result
parse_general(const char *s, size_t len, char decimal, double *out)
{
	size_t i = 0, end = len;
	int neg = 0, sig_digits = 0, any_digit = 0;
	uint64_t mant = 0;
	long exp10 = 0, e = 0;
	int eneg = 0;
	char buf[128];
	char *heap = NULL, *p, *endp;
	double v;

	while (i < end && is_space(s[i]))
		i++;
	while (end > i && is_space(s[end - 1]))
		end--;
	if (i == end)
		return NP_EMPTY;
	if (s[i] == '+' || s[i] == '-')
		neg = s[i++] == '-';

	/* Integer part: leading zeros do not count as significant digits. */
	for (; i < end && is_digit(s[i]); i++) {
		any_digit = 1;
		if (mant == 0 && s[i] == '0')
			continue;
		if (sig_digits < 19)
			mant = mant * 10 + (uint64_t)(s[i] - '0');
		else
			exp10++;
		sig_digits++;
	}
	if (i < end && s[i] == decimal) {
		i++;
		for (; i < end && is_digit(s[i]); i++) {
			any_digit = 1;
			if (mant == 0 && s[i] == '0') {
				exp10--;
				continue;
			}
			if (sig_digits < 19) {
				mant = mant * 10 + (uint64_t)(s[i] - '0');
				exp10--;
			}
			sig_digits++;
		}
	}
	if (!any_digit)
		return NP_INVALID;
	if (i < end && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < end && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i == end || !is_digit(s[i]))
			return NP_INVALID;
		for (; i < end && is_digit(s[i]); i++)
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
	}
	if (i != end)
		return NP_INVALID;
	exp10 += eneg ? -e : e;

	if (mant == 0) {
		*out = neg ? -0.0 : 0.0;
		return NP_OK;
	}
	if (sig_digits <= 19 && mant <= (UINT64_C(1) << 53) &&
	    exp10 >= -22 && exp10 <= 22) {
		v = (double)mant;
		v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
		*out = neg ? -v : v;
		return NP_OK;
	}

	/* Slow path: strtod on a NUL-terminated copy with '.' as the point. */
	{
		size_t b = 0, n = len;

		while (b < n && is_space(s[b]))
			b++;
		n = end - b;
		p = buf;
		if (n + 1 > sizeof buf) {
			heap = malloc(n + 1);
			if (heap == NULL)
				return NP_INVALID;
			p = heap;
		}
		memcpy(p, s + b, n);
		p[n] = '\0';
		if (decimal != '.') {
			char *q = strchr(p, decimal);
			if (q != NULL)
				*q = '.';
		}
		errno = 0;
		v = strtod(p, &endp);
		free(heap);
		if (errno == ERANGE && isinf(v))
			return NP_OVERFLOW;
		*out = v;
		return NP_OK;
	}
}

/*
 * The common case first: no spaces, an optional sign, at most 19 digits
 * with an optional point, no exponent.  All the digits then fit in m
 * (leading zeros add nothing), so none needs counting, and the value is
 * Clinger's fast path: m exact in a double, divided by an exact power of
 * ten, one correctly rounded operation.  Anything else (and a result the
 * fast path cannot give exactly) is read by parse_general.
 */
enum np_result
np_parse(const char *s, size_t len, char decimal, double *out)
{
	const char *p = s, *end = s + len, *dig, *frac;
	uint64_t m = 0;
	size_t ndig;
	int neg = 0, point = 0;
	double v;

	if (len == 0 || len > 21)
		return parse_general(s, len, decimal, out);
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	dig = p;
	for (; p < end && (unsigned char)(*p - '0') <= 9; p++)
		m = m * 10 + (uint64_t)(*p - '0');
	frac = p;
	if (p < end && *p == decimal) {
		point = 1;
		frac = ++p;
		for (; p < end && (unsigned char)(*p - '0') <= 9; p++)
			m = m * 10 + (uint64_t)(*p - '0');
	}
	ndig = (size_t)(p - dig) - (size_t)point;
	if (p != end || ndig == 0 || ndig > 19 || m > (UINT64_C(1) << 53))
		return parse_general(s, len, decimal, out);
	v = (double)m;
	if (p > frac)
		v /= pow10_exact[p - frac];
	*out = neg ? -v : v;
	return NP_OK;
}
