/*
 * json.h - just enough JSON reading for the tests to take expected values
 * from the reference files: find a key, read the numbers that follow.
 */
#ifndef GMMFIT_TEST_JSON_H
#define GMMFIT_TEST_JSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file as a NUL-terminated string (caller frees), or NULL. */
static char *
json_slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long len;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (buf != NULL && fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		buf[len] = '\0';
	fclose(fp);
	return buf;
}

/* Just past the colon of the first "key" at or after p, or NULL. */
static const char *
json_key(const char *p, const char *key)
{
	char pat[256];

	if (p == NULL)
		return NULL;
	snprintf(pat, sizeof pat, "\"%s\"", key);
	p = strstr(p, pat);
	if (p == NULL)
		return NULL;
	p = strchr(p + strlen(pat), ':');
	return p ? p + 1 : NULL;
}

/*
 * The numbers of the value at p (a number, or arrays of numbers nested
 * any deep), flattened into out[0..max); returns how many were read.
 */
static size_t
json_numbers(const char *p, double *out, size_t max)
{
	size_t n = 0;
	int depth = 0;

	if (p == NULL)
		return 0;
	for (;;) {
		while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == ',')
			p++;
		if (*p == '[') {
			depth++;
			p++;
		} else if (*p == ']') {
			depth--;
			p++;
			if (depth <= 0)
				return n;
		} else {
			char *end;
			double v = strtod(p, &end);
			if (end == p)
				return n;
			if (n < max)
				out[n++] = v;
			p = end;
			if (depth == 0)
				return n;
		}
	}
}

/* One number after "key" (after p); NAN when absent. */
static double
json_number_at(const char *p, const char *key)
{
	double v;

	return json_numbers(json_key(p, key), &v, 1) == 1 ? v : NAN;
}

#endif
