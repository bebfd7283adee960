/*
 * unit-numparse.c - np_parse against the C library's strtod.
 *
 * np_parse promises the correctly rounded double, the one strtod gives in
 * the C locale (this program never calls setlocale), for its own, stricter
 * syntax.  So every accepted value is compared bit for bit (memcmp, which
 * also tells +0 from -0) with strtod's, on a hand list of edge cases and on
 * 200,000 random decimal strings; and the classification must agree:
 * NP_OVERFLOW exactly when strtod gives +-HUGE_VAL with ERANGE.  There is
 * no tolerance anywhere here: the result is exact or it is wrong.
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "rng.h"
#include "tap.h"

static const char *
np_name(enum np_result r)
{
	switch (r) {
	case NP_OK:
		return "NP_OK";
	case NP_EMPTY:
		return "NP_EMPTY";
	case NP_INVALID:
		return "NP_INVALID";
	case NP_OVERFLOW:
		return "NP_OVERFLOW";
	}
	return "?";
}

/* strtod of a NUL-terminated string: value, and whether it overflowed. */
static double
ref_strtod(const char *s, int *overflow, int *whole)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	*overflow = errno == ERANGE && isinf(v);
	*whole = *end == '\0';
	return v;
}

/* s[0..len) for a TAP line: at most 60 bytes, control characters escaped. */
static const char *
shown(const char *s, size_t len)
{
	static char buf[2][256];
	static int which;
	char *o = buf[which ^= 1];
	size_t n = 0;

	for (size_t i = 0; i < len && i < 60; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t')
			n += (size_t)snprintf(o + n, 8, "\\t");
		else if (c == '\r')
			n += (size_t)snprintf(o + n, 8, "\\r");
		else if (c == '\n')
			n += (size_t)snprintf(o + n, 8, "\\n");
		else if (c < 32 || c > 126)
			n += (size_t)snprintf(o + n, 8, "\\x%02x", c);
		else
			o[n++] = (char)c;
	}
	if (len > 60)
		n += (size_t)snprintf(o + n, 8, "...");
	o[n] = '\0';
	return o;
}

static int
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/*
 * One hand case: s (len bytes, or strlen when len is (size_t)-1) parsed
 * with decimal must give want; when want is NP_OK the value must be
 * strtod(ref) bit for bit (ref NULL: s itself).
 */
static void
hand(const char *what, const char *s, size_t len, char decimal,
     enum np_result want, const char *ref)
{
	const double sentinel = 12345.678;
	double got = sentinel;
	enum np_result r;

	if (len == (size_t)-1)
		len = strlen(s);
	r = np_parse(s, len, decimal, &got);
	if (want != NP_OK) {
		tap_ok(r == want && same_bits(got, sentinel),
		       "%s: \"%s\" (decimal '%c') is %s (got %s, *out %s)", what,
		       shown(s, len), decimal, np_name(want),
		       np_name(r), same_bits(got, sentinel) ? "untouched" : "changed");
		return;
	}
	{
		int ovf, whole;
		double v = ref_strtod(ref ? ref : s, &ovf, &whole);
		tap_ok(r == NP_OK && same_bits(got, v) && !ovf && whole,
		       "%s: \"%s\" (decimal '%c') is %s %.17g (got %s %.17g)", what,
		       shown(s, len), decimal, np_name(want), v,
		       np_name(r), got);
	}
}

static void
hand_cases(void)
{
	static char digits400[401], frac400[404], big400[405], small400[410];
	enum np_result r;
	double v;

	hand("zero", "0", (size_t)-1, '.', NP_OK, NULL);
	v = 1.0;
	r = np_parse("-0", 2, '.', &v);
	tap_ok(r == NP_OK && fpclassify(v) == FP_ZERO && signbit(v),
	       "minus zero keeps its sign (got %g, signbit %d)", v, signbit(v) != 0);
	hand("minus zero", "-0", (size_t)-1, '.', NP_OK, NULL);
	hand("minus zero with point", "-0.000e5", (size_t)-1, '.', NP_OK, NULL);
	hand("many zeros", "0000000000000000000000000.00000000000000000000000",
	     (size_t)-1, '.', NP_OK, NULL);
	hand("zero, huge exponent", "0e999999999999", (size_t)-1, '.', NP_OK, NULL);
	hand("one", "1", (size_t)-1, '.', NP_OK, NULL);
	hand("plus sign", "+2.5", (size_t)-1, '.', NP_OK, NULL);
	hand("negative", "-170.25", (size_t)-1, '.', NP_OK, NULL);
	hand("subnormal", "1e-320", (size_t)-1, '.', NP_OK, NULL);
	v = 0.0;
	np_parse("1e-320", 6, '.', &v);
	tap_ok(v > 0.0 && v < 2.2250738585072014e-308,
	       "1e-320 is a positive subnormal (got %g)", v);
	hand("smallest subnormal", "4.9406564584124654e-324", (size_t)-1, '.', NP_OK, NULL);
	hand("just under half the smallest subnormal (rounds to 0)",
	     "2.4703282292062327e-324", (size_t)-1, '.', NP_OK, NULL);
	hand("just over half the smallest subnormal",
	     "2.4703282292062328e-324", (size_t)-1, '.', NP_OK, NULL);
	hand("largest subnormal", "2.2250738585072009e-308", (size_t)-1, '.', NP_OK, NULL);
	hand("smallest normal", "2.2250738585072014e-308", (size_t)-1, '.', NP_OK, NULL);
	hand("underflow to zero", "1e-400", (size_t)-1, '.', NP_OK, NULL);
	v = 1.0;
	r = np_parse("1e-400", 6, '.', &v);
	tap_ok(r == NP_OK && same_bits(v, 0.0), "1e-400 is +0 (got %g)", v);
	hand("negative underflow to -0", "-1e-400", (size_t)-1, '.', NP_OK, NULL);
	hand("underflow, huge negative exponent", "1e-99999999999999999999",
	     (size_t)-1, '.', NP_OK, NULL);
	hand("overflow", "1e309", (size_t)-1, '.', NP_OVERFLOW, NULL);
	hand("negative overflow", "-1e309", (size_t)-1, '.', NP_OVERFLOW, NULL);
	hand("overflow, huge exponent", "1e99999999999999999999", (size_t)-1, '.',
	     NP_OVERFLOW, NULL);
	hand("largest double", "1.7976931348623157e308", (size_t)-1, '.', NP_OK, NULL);
	hand("just below the overflow threshold (rounds to DBL_MAX)",
	     "1.7976931348623158e308", (size_t)-1, '.', NP_OK, NULL);
	hand("just under the overflow threshold (rounds to DBL_MAX)",
	     "1.797693134862315807937289714053e308", (size_t)-1, '.', NP_OK, NULL);
	/* 2^1024 - 2^970, halfway between DBL_MAX and 2^1024: ties to even, which is infinity. */
	hand("the overflow threshold, exactly (rounds to infinity)",
	     "179769313486231580793728971405303415079934132710037826936173778980444968292764"
	     "750946649017977587207096330286416692887910946555547851940402630657488671505820"
	     "681908902000708383676273854845817711531764475730270069855571366959622842914819"
	     "860834936475292719074168444365510704342711559699508093042880177904174497792",
	     (size_t)-1, '.', NP_OVERFLOW, NULL);
	hand("the overflow threshold, exactly, negative",
	     "-1.79769313486231580793728971405303415079934132710037826936173778980444968292764"
	     "750946649017977587207096330286416692887910946555547851940402630657488671505820"
	     "681908902000708383676273854845817711531764475730270069855571366959622842914819"
	     "860834936475292719074168444365510704342711559699508093042880177904174497792e308",
	     (size_t)-1, '.', NP_OVERFLOW, NULL);
	hand("leading and trailing spaces", "  3.5 ", (size_t)-1, '.', NP_OK, "3.5");
	hand("tabs around", "\t-7.25e1\t ", (size_t)-1, '.', NP_OK, "-7.25e1");
	/* numparse.h: only spaces and tabs surround a number. */
	hand("carriage return after", "3.5\r", (size_t)-1, '.', NP_INVALID, NULL);
	hand("newline before", "\n3.5", (size_t)-1, '.', NP_INVALID, NULL);
	hand("trailing letter", "3.5x", (size_t)-1, '.', NP_INVALID, NULL);
	hand("hex float", "0x1p3", (size_t)-1, '.', NP_INVALID, NULL);
	hand("hex integer", "0x10", (size_t)-1, '.', NP_INVALID, NULL);
	hand("inf", "inf", (size_t)-1, '.', NP_INVALID, NULL);
	hand("-infinity", "-infinity", (size_t)-1, '.', NP_INVALID, NULL);
	hand("nan", "nan", (size_t)-1, '.', NP_INVALID, NULL);
	hand("NAN", "NAN", (size_t)-1, '.', NP_INVALID, NULL);
	hand("empty", "", (size_t)-1, '.', NP_EMPTY, NULL);
	hand("only spaces", "  ", (size_t)-1, '.', NP_EMPTY, NULL);
	hand("only a tab", "\t", (size_t)-1, '.', NP_EMPTY, NULL);
	hand("lone point", ".", (size_t)-1, '.', NP_INVALID, NULL);
	hand("lone sign", "-", (size_t)-1, '.', NP_INVALID, NULL);
	hand("sign and point", "+.", (size_t)-1, '.', NP_INVALID, NULL);
	hand("exponent without digits", "1e", (size_t)-1, '.', NP_INVALID, NULL);
	hand("exponent sign without digits", "1e+", (size_t)-1, '.', NP_INVALID, NULL);
	hand("exponent without significand", "e5", (size_t)-1, '.', NP_INVALID, NULL);
	hand("point before exponent only", ".e5", (size_t)-1, '.', NP_INVALID, NULL);
	hand("fraction only", "+.5", (size_t)-1, '.', NP_OK, NULL);
	hand("point at the end", "5.", (size_t)-1, '.', NP_OK, NULL);
	hand("point at the end, exponent", "5.e-3", (size_t)-1, '.', NP_OK, NULL);
	hand("two points", "1.2.3", (size_t)-1, '.', NP_INVALID, NULL);
	hand("two signs", "--1", (size_t)-1, '.', NP_INVALID, NULL);
	hand("inner space", "1 2", (size_t)-1, '.', NP_INVALID, NULL);
	hand("fractional exponent", "1e5.5", (size_t)-1, '.', NP_INVALID, NULL);
	hand("decimal comma", "1,5", (size_t)-1, ',', NP_OK, "1.5");
	hand("decimal comma, exponent", "-1,25e3", (size_t)-1, ',', NP_OK, "-1.25e3");
	hand("decimal comma, long", "3,14159265358979323846264338327950288",
	     (size_t)-1, ',', NP_OK, "3.14159265358979323846264338327950288");
	hand("point when the decimal is a comma", "1.5", (size_t)-1, ',', NP_INVALID, NULL);
	hand("comma when the decimal is a point", "1,5", (size_t)-1, '.', NP_INVALID, NULL);
	hand("17 digits", "0.10000000000000001", (size_t)-1, '.', NP_OK, NULL);
	hand("17 digits, integer", "12345678901234567", (size_t)-1, '.', NP_OK, NULL);
	hand("19 digits", "1234567890123456789", (size_t)-1, '.', NP_OK, NULL);
	hand("20 digits", "12345678901234567891", (size_t)-1, '.', NP_OK, NULL);
	hand("25 digits with point", "1234567890.123456789012345", (size_t)-1, '.',
	     NP_OK, NULL);
	hand("2^53", "9007199254740992", (size_t)-1, '.', NP_OK, NULL);
	v = 0.0;
	np_parse("9007199254740993", 16, '.', &v);
	tap_ok(same_bits(v, 9007199254740992.0),
	       "2^53+1 rounds (half to even) to 2^53 (got %.17g)", v);
	hand("2^53+1", "9007199254740993", (size_t)-1, '.', NP_OK, NULL);
	hand("2^53+3 (rounds up)", "9007199254740995", (size_t)-1, '.', NP_OK, NULL);
	hand("2^53+1 just above the half", "9007199254740993.0000000000001",
	     (size_t)-1, '.', NP_OK, NULL);
	hand("2^53 - 1 times 1e22 (fast path limit)", "9007199254740991e22",
	     (size_t)-1, '.', NP_OK, NULL);
	hand("1e22 (exact)", "1e22", (size_t)-1, '.', NP_OK, NULL);
	hand("1e23 (not exact)", "1e23", (size_t)-1, '.', NP_OK, NULL);
	hand("1e-22", "1e-22", (size_t)-1, '.', NP_OK, NULL);
	hand("1e-23", "1e-23", (size_t)-1, '.', NP_OK, NULL);
	hand("0.1", "0.1", (size_t)-1, '.', NP_OK, NULL);
	hand("a hard case for naive parsers", "2.2250738585072011e-308", (size_t)-1,
	     '.', NP_OK, NULL);
	hand("a halfway case", "5e-324", (size_t)-1, '.', NP_OK, NULL);
	hand("leading zeros", "000000000000000000000000000123.5", (size_t)-1, '.',
	     NP_OK, NULL);
	hand("leading fraction zeros", "0.000000000000000000000000000001234567",
	     (size_t)-1, '.', NP_OK, NULL);
	hand("upper-case exponent", "6.02214076E+23", (size_t)-1, '.', NP_OK, NULL);

	/* The edges of the common case (sign, 1 to 19 digits, a point, no exponent). */
	hand("negative fraction only", "-.5", (size_t)-1, '.', NP_OK, NULL);
	hand("negative zero with point", "-0.0", (size_t)-1, '.', NP_OK, NULL);
	hand("a leading zero before the point", "00.5", (size_t)-1, '.', NP_OK, NULL);
	hand("19 digits and a point", "123456789012345678.9", (size_t)-1, '.', NP_OK, NULL);
	hand("20 digits and a point", "1234567890123456789.0", (size_t)-1, '.', NP_OK, NULL);
	hand("20 digits, mostly fraction zeros", "0.0000000000000000001", (size_t)-1, '.',
	     NP_OK, NULL);
	hand("2^53 and a half (past the exact significands)", "9007199254740992.5",
	     (size_t)-1, '.', NP_OK, NULL);
	hand("2^53 with the point inside", "-900719925474099.2", (size_t)-1, '.', NP_OK, NULL);
	hand("19 fraction digits", "0.1234567890123456789", (size_t)-1, '.', NP_OK, NULL);
	hand("a point and a second sign", "-1.-5", (size_t)-1, '.', NP_INVALID, NULL);
	hand("a sign after the digits", "15-", (size_t)-1, '.', NP_INVALID, NULL);

	/* 400 digits: the slow path with a heap buffer. */
	for (int i = 0; i < 400; i++)
		digits400[i] = (char)('0' + (i * 7 + 3) % 10);
	digits400[400] = '\0';
	hand("400 digits (overflow)", digits400, (size_t)-1, '.', NP_OVERFLOW, NULL);
	snprintf(frac400, sizeof frac400, "0.%s", digits400);
	hand("400 fraction digits", frac400, (size_t)-1, '.', NP_OK, NULL);
	snprintf(big400, sizeof big400, "%.300s.%se-5", digits400, digits400 + 300);
	hand("400 digits, point, exponent (1e294)", big400, (size_t)-1, '.', NP_OK, NULL);
	snprintf(small400, sizeof small400, "-0.%se-310", digits400);
	hand("400 digits times 1e-310 (subnormal)", small400, (size_t)-1, '.', NP_OK,
	     NULL);
	{
		/* 1 followed by 399 zeros then a 1: just above 1e399 -> overflow; and
		   the same scaled into range by e-300. */
		static char s[420];
		memset(s, '0', 401);
		s[0] = '1';
		s[400] = '1';
		strcpy(s + 401, "e-300");
		hand("401 digits e-300 (1e100 and a tail)", s, (size_t)-1, '.', NP_OK, NULL);
	}

	/* Only len bytes count: no NUL is needed, what follows is ignored. */
	hand("length stops before an exponent", "3.5e10", 3, '.', NP_OK, "3.5");
	hand("length stops before garbage", "12x", 2, '.', NP_OK, "12");
	hand("length stops inside a long number", "123456789012345678901234567",
	     20, '.', NP_OK, "12345678901234567890");
	hand("length stops at a trailing space", "1.25  junk", 6, '.', NP_OK, "1.25");
	{
		const char raw[3] = { '7', '2', '5' };	/* no NUL */
		hand("buffer without NUL", raw, 3, '.', NP_OK, "725");
	}
	hand("zero length", "123", 0, '.', NP_EMPTY, NULL);
}

/*
 * Random decimal strings: an optional sign, 1..25 digits with the point
 * at a random place (or none), an optional exponent in -330..310, and
 * sometimes spaces around.  A quarter use the decimal comma.  The
 * strings are written without a NUL after them (np_parse must stop at len).
 */
static void
random_cases(void)
{
	const long N = 200000;
	struct rng rng;
	long ok = 0, overflow = 0, zero = 0, subnormal = 0, comma = 0;
	long wrong_class = 0, wrong_value = 0, not_whole = 0;
	char first_bad[160] = "";

	rng_seed(&rng, 20240611);
	for (long t = 0; t < N; t++) {
		char s[96], ref[96];
		size_t len = 0, rlen = 0;
		int nd = 1 + (int)rng_below(&rng, 25);
		int point = (int)rng_below(&rng, (uint64_t)nd + 2) - 1;	/* -1: none */
		int sign = (int)rng_below(&rng, 3);
		int use_exp = rng_below(&rng, 8) != 0;
		/* A quarter of the exponents in -25..25, where the exact fast path lives. */
		long ex = rng_below(&rng, 4) == 0 ? (long)rng_below(&rng, 51) - 25
						  : (long)rng_below(&rng, 641) - 330;
		char decimal = rng_below(&rng, 4) == 0 ? ',' : '.';
		int lead = (int)rng_below(&rng, 8) == 0, trail = (int)rng_below(&rng, 8) == 0;
		enum np_result r;
		double got = 0.0, want;
		int ovf, whole;

		if (lead)
			s[len++] = rng_below(&rng, 2) ? ' ' : '\t';
		if (sign)
			s[len++] = ref[rlen++] = sign == 1 ? '-' : '+';
		for (int i = 0; i < nd; i++) {
			if (i == point) {
				s[len++] = decimal;
				ref[rlen++] = '.';
			}
			s[len++] = ref[rlen++] = (char)('0' + rng_below(&rng, 10));
		}
		if (point == nd) {
			s[len++] = decimal;
			ref[rlen++] = '.';
		}
		if (use_exp) {
			int n = snprintf(ref + rlen, sizeof ref - rlen, "%c%ld",
					 rng_below(&rng, 2) ? 'e' : 'E', ex);
			memcpy(s + len, ref + rlen, (size_t)n);
			len += (size_t)n;
			rlen += (size_t)n;
		}
		if (trail)
			s[len++] = ' ';
		ref[rlen] = '\0';
		s[len] = '#';	/* not NUL-terminated: np_parse must stop at len */

		comma += decimal == ',';
		r = np_parse(s, len, decimal, &got);
		want = ref_strtod(ref, &ovf, &whole);
		if (!whole)
			not_whole++;
		if (ovf) {
			overflow++;
			if (r != NP_OVERFLOW)
				wrong_class++;
		} else if (r != NP_OK) {
			wrong_class++;
		} else if (!same_bits(got, want)) {
			wrong_value++;
		} else {
			ok++;
			if (fpclassify(want) == FP_ZERO)
				zero++;
			else if (fpclassify(want) == FP_SUBNORMAL)
				subnormal++;
		}
		if ((r != (ovf ? NP_OVERFLOW : NP_OK) ||
		     (r == NP_OK && !same_bits(got, want))) && first_bad[0] == '\0')
			snprintf(first_bad, sizeof first_bad,
				 "\"%s\" (decimal '%c'): %s %.17g, strtod %.17g%s",
				 shown(s, len), decimal, np_name(r), got, want,
				 ovf ? " (overflow)" : "");
	}
	tap_diag("random strings: %ld, %ld with a decimal comma; %ld equal to strtod "
		 "(%ld zeros, %ld subnormals), %ld overflows; %ld wrong class, "
		 "%ld wrong value", N, comma, ok, zero, subnormal, overflow,
		 wrong_class, wrong_value);
	if (first_bad[0])
		tap_diag("first mismatch: %s", first_bad);
	tap_ok(not_whole == 0, "strtod read every reference string whole (%ld not)",
	       not_whole);
	tap_ok(wrong_class == 0,
	       "random strings: NP_OVERFLOW exactly when strtod overflows, NP_OK "
	       "otherwise (%ld of %ld disagree)", wrong_class, N);
	tap_ok(wrong_value == 0,
	       "random strings: every NP_OK value is strtod's bit for bit "
	       "(%ld of %ld differ)", wrong_value, N);
	/* The generator must reach the interesting regions, or the test is weak. */
	tap_ok(overflow > 100 && subnormal > 100 && zero > 100,
	       "random strings cover overflow (%ld), subnormals (%ld) and "
	       "underflow to zero (%ld)", overflow, subnormal, zero);
}

int
main(void)
{
	hand_cases();
	random_cases();
	tap_plan(tap_count);
	return tap_done();
}
