/*
 * cli.c - command-line helpers shared by the subcommands (see cli.h).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"

/*
 * The message of fmt, whose only conversions are %s (arg) and %%: arg is
 * user text (a file name, an option's value), so its control characters
 * are shown escaped, never sent to the terminal.
 */
int
usage_error(const char *fmt, const char *arg)
{
	fputs(PROG ": ", stderr);
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			gm_fputs_escaped(arg, stderr);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			fputc('%', stderr);
			p++;
		} else {
			fputc(*p, stderr);
		}
	}
	fputs(" (see " PROG " --help)\n", stderr);
	return GM_EUSAGE;
}

int
usage_error_record(const struct gm_error *e)
{
	if (e->status == GM_EUSAGE)
		return usage_error("%s", e->msg);
	gm_error_print(e, PROG, stderr);
	return e->status;
}

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

/* Check that stdout was really written (GNU's close_stdout). */
int
close_stdout(void)
{
	if (ferror(stdout) | (fclose(stdout) != 0)) {
		fprintf(stderr, PROG ": write error on standard output: %s\n", strerror(errno));
		return GM_EOUTPUT;
	}
	return GM_OK;
}

