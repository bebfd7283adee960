/*
 * numparse.h - exact, locale-free parsing of decimal numbers.
 *
 * A field holds a number when, after optional surrounding spaces and tabs,
 * it is [+-]digits[.digits][(e|E)[+-]digits] (digits may be absent on one
 * side of the point, not both).  The result is the correctly rounded
 * double, as strtod gives in the C locale: short decimals take an exact
 * fast path (Clinger's), the rest go through strtod.  Hexadecimal floats,
 * "inf", "infinity" and "nan" are not numbers here; values too small for a
 * double round to the nearest subnormal or to zero, as strtod does.
 */
#ifndef GMMFIT_NUMPARSE_H
#define GMMFIT_NUMPARSE_H

#include <stddef.h>

enum np_result {
	NP_OK = 0,
	NP_EMPTY,		/* only spaces, or nothing */
	NP_INVALID,		/* not a decimal number */
	NP_OVERFLOW		/* a decimal number beyond the largest double */
};

/*
 * Parse s[0..len) (no NUL needed).  decimal is the decimal separator, '.'
 * or ','.  On NP_OK *out holds the value; otherwise *out is untouched.
 */
enum np_result np_parse(const char *s, size_t len, char decimal, double *out);

#endif
