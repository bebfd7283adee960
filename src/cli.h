/*
 * cli.h - what the command line's parts share: usage errors, the
 * delimiter option, and the check that stdout was really written (option
 * values are parsed by optval.h).
 */
#ifndef GMMFIT_CLI_H
#define GMMFIT_CLI_H

#include <stddef.h>

#include "error.h"

#define PROG "gmmfit"

/*
 * Print "gmmfit: MESSAGE" (fmt with one %s for arg, and %% for a percent
 * sign; arg's control characters escaped) and the --help hint; GM_EUSAGE.
 */
int usage_error(const char *fmt, const char *arg);

/* Print "gmmfit: out of memory"; GM_EINTERNAL. */
int oom_error(void);

/* A usage error of a record (GM_EUSAGE) as usage_error prints it; any other printed as it is. */
int usage_error_record(const struct gm_error *e);

/* -d/--delimiter: one character, "tab" or "\\t" (and "auto" when auto is not NULL). */
int parse_delimiter(const char *s, char *delim, int *autodetect);

/*
 * The option getopt_long refused (it returned '?' or ':', opterr 0), as
 * one usage error: an unrecognized long option with the nearest known one
 * ("did you mean '--columns'?"), an ambiguous abbreviation with the
 * options it could mean, an option without its value or with a value it
 * does not take, an unknown short option.  argv and optind as getopt_long
 * left them.  Returns GM_EUSAGE.
 */
struct option;
int option_error(char **argv, const struct option *opts, const char *shortopts);

/* Close stdout, reporting a write error (GNU's close_stdout); a status. */
int close_stdout(void);

#endif
