/*
 * cliopts.h - the options more than one command takes, parsed in one
 * place: how a CSV file is read (delimiter, quote, decimal comma, header,
 * missing-value tokens, what to do with missing values and ragged rows,
 * the weight column) and the random generator's seed.  The main command
 * and `gmmfit predict` read CSV files; the main command and
 * `gmmfit sample` take a seed.  A command lists the options it takes
 * with the CLIOPT_*_OPTIONS entries, in its own table of getopt_long
 * options, and hands each option getopt_long returns to cliopt_csv_take.
 * Refusals are usage errors, printed as cli.h prints them.
 */
#ifndef GMMFIT_CLIOPTS_H
#define GMMFIT_CLIOPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "csvread.h"

/* getopt_long's values of the shared options: above any command's own (256 up). */
enum cliopt_code {
	CLIOPT_QUOTE = 1024, CLIOPT_DECIMAL_COMMA, CLIOPT_NO_HEADER, CLIOPT_NA,
	CLIOPT_NA_ACTION, CLIOPT_ALLOW_RAGGED, CLIOPT_WEIGHTS
};

/* The options of a command that reads a CSV file: -d, --quote, --decimal-comma, --no-header, --na. */
#define CLIOPT_READ_OPTIONS \
	{ "delimiter", required_argument, NULL, 'd' }, \
	{ "quote", required_argument, NULL, CLIOPT_QUOTE }, \
	{ "decimal-comma", no_argument, NULL, CLIOPT_DECIMAL_COMMA }, \
	{ "no-header", no_argument, NULL, CLIOPT_NO_HEADER }, \
	{ "na", required_argument, NULL, CLIOPT_NA }

/* And of one that fits its rows: --na-action, --allow-ragged, --weights. */
#define CLIOPT_ROW_OPTIONS \
	{ "na-action", required_argument, NULL, CLIOPT_NA_ACTION }, \
	{ "allow-ragged", no_argument, NULL, CLIOPT_ALLOW_RAGGED }, \
	{ "weights", required_argument, NULL, CLIOPT_WEIGHTS }

/* What cliopt_csv_take returns for an option that is not one of these. */
#define CLIOPT_OTHER (-1)

/* The CSV options as given: the reader's options and the --na tokens (borrowed from argv). */
struct cliopt_csv {
	struct csvread_options co;
	const char **na;	/* the list co.na points at after cliopt_csv_finish */
	size_t nna;
};

/* The defaults: -d auto, '"' quotes, '.' decimals, a header, rows with a missing value skipped. */
void cliopt_csv_init(struct cliopt_csv *o);

/*
 * Take option c (getopt_long's value) with its argument arg: GM_OK;
 * CLIOPT_OTHER when c is none of the CSV options; else the status of the
 * usage error (or out of memory) it printed.
 */
int cliopt_csv_take(struct cliopt_csv *o, int c, const char *arg);

/*
 * Once every option is taken: a decimal comma makes ';' the delimiter
 * when none was given, and refuses ',' (a usage error, printed); the
 * --na tokens into o->co.  GM_OK or GM_EUSAGE.
 */
int cliopt_csv_finish(struct cliopt_csv *o);

/* Free the list of tokens; o is then as after cliopt_csv_init. */
void cliopt_csv_free(struct cliopt_csv *o);

/* --seed: an integer from 0 to 2^64 - 1 into *seed; GM_OK, or GM_EUSAGE printed. */
int cliopt_seed(const char *arg, uint64_t *seed);

#endif
