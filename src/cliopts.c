/*
 * cliopts.c - the options shared by the commands (see cliopts.h): one
 * parser, so that the main command and the subcommands take the same
 * values and refuse the same ones with the same messages.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "error.h"
#include "optval.h"

void
cliopt_csv_init(struct cliopt_csv *o)
{
	memset(o, 0, sizeof *o);
	o->co.delimiter_auto = 1;	/* -d auto unless a delimiter is given */
}

/* --na STR, repeatable: one more token. */
static int
add_na(struct cliopt_csv *o, const char *arg)
{
	const char **nn = realloc(o->na, (o->nna + 1) * sizeof *o->na);

	if (nn == NULL)
		return oom_error();
	o->na = nn;
	o->na[o->nna++] = arg;
	return GM_OK;
}

int
cliopt_csv_take(struct cliopt_csv *o, int c, const char *arg)
{
	switch (c) {
	case 'd':
		return parse_delimiter(arg, &o->co.delimiter, &o->co.delimiter_auto);
	case CLIOPT_QUOTE:
		if (strlen(arg) != 1)
			return usage_error("--quote takes one character, not '%s'", arg);
		o->co.quote = arg[0];
		return GM_OK;
	case CLIOPT_DECIMAL_COMMA:
		o->co.decimal = ',';
		return GM_OK;
	case CLIOPT_NO_HEADER:
		o->co.no_header = 1;
		return GM_OK;
	case CLIOPT_NA:
		return add_na(o, arg);
	case CLIOPT_NA_ACTION:
		if (strcmp(arg, "skip") == 0)
			o->co.na_error = 0;
		else if (strcmp(arg, "error") == 0)
			o->co.na_error = 1;
		else
			return usage_error("--na-action is skip or error, not '%s'", arg);
		return GM_OK;
	case CLIOPT_ALLOW_RAGGED:
		o->co.allow_ragged = 1;
		return GM_OK;
	case CLIOPT_WEIGHTS:
		o->co.weights = arg;
		return GM_OK;
	default:
		return CLIOPT_OTHER;
	}
}

int
cliopt_csv_finish(struct cliopt_csv *o)
{
	if (o->co.decimal == ',' && o->co.delimiter == 0)
		o->co.delimiter = ';';
	if (o->co.decimal == ',' && o->co.delimiter == ',')
		return usage_error("%s", "--decimal-comma needs a delimiter other than ','");
	o->co.na = o->na;
	o->co.n_na = o->nna;
	return GM_OK;
}

void
cliopt_csv_free(struct cliopt_csv *o)
{
	free(o->na);
	cliopt_csv_init(o);
}

int
cliopt_seed(const char *arg, uint64_t *seed)
{
	struct gm_error err;

	gm_error_clear(&err);
	if (ov_u64("--seed", arg, seed, &err) != GM_OK)
		return usage_error_record(&err);
	return GM_OK;
}
