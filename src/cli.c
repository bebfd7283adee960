/*
 * cli.c - command-line helpers shared by the subcommands (see cli.h).
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"

int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see " PROG " --help)\n");
	return GM_EUSAGE;
}

int
parse_size(const char *s, size_t *out, size_t min)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > SIZE_MAX / 2)
		return -1;
	*out = (size_t)v;
	return 0;
}

int
parse_double(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* A comma-separated list of finite numbers. */
int
parse_list(const char *s, double **out, size_t *n)
{
	char *copy = strdup(s), *save = NULL, *tok;
	double *v = NULL;
	size_t cnt = 0;

	if (copy == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		double *nv = realloc(v, (cnt + 1) * sizeof *v);
		if (nv == NULL || parse_double(tok, &nv[cnt])) {
			free(nv ? nv : v);
			free(copy);
			return -1;
		}
		v = nv;
		cnt++;
	}
	free(copy);
	if (cnt == 0)
		return -1;
	*out = v;
	*n = cnt;
	return 0;
}

/* Check that stdout was really written (GNU's close_stdout). */
int
parse_delimiter(const char *s, char *delim, int *autodetect)
{
	if (autodetect != NULL)
		*autodetect = strcmp(s, "auto") == 0;
	if (autodetect != NULL && *autodetect)
		*delim = 0;
	else if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0)
		*delim = '\t';
	else if (strlen(s) != 1)
		return usage_error("--delimiter takes one character, tab or auto, not '%s'", s);
	else
		*delim = s[0];
	return GM_OK;
}

int
close_stdout(void)
{
	if (ferror(stdout) | (fclose(stdout) != 0)) {
		fprintf(stderr, PROG ": write error on standard output: %s\n", strerror(errno));
		return GM_EOUTPUT;
	}
	return GM_OK;
}

