/*
 * fuzz-num.c - libFuzzer target for the number parser.
 *
 * Whatever the bytes, np_parse must not crash, and whenever it accepts a
 * field its value must be exactly strtod's (the C locale's correctly
 * rounded result) for the same text; overflow must agree too.
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	double v = 0.0, w;
	enum np_result r;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	r = np_parse(s, size, '.', &v);
	if (r == NP_OK || r == NP_OVERFLOW) {
		char *end;
		size_t b = 0;
		/* np_parse allows spaces and tabs around; strtod only before. */
		while (b < size && (s[b] == ' ' || s[b] == '\t'))
			b++;
		errno = 0;
		w = strtod(s + b, &end);
		if (r == NP_OVERFLOW && !(isinf(w) && errno == ERANGE))
			abort();
		if (r == NP_OK && memcmp(&v, &w, sizeof v) != 0)
			abort();
	}
	(void)np_parse(s, size, ',', &v);
	free(s);
	return 0;
}
