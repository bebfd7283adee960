/*
 * cli.c - command-line helpers shared by the subcommands (see cli.h).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "suggest.h"

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
oom_error(void)
{
	fputs(PROG ": out of memory\n", stderr);
	return GM_EINTERNAL;
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

/* "option '--NAME' MESSAGE" with NAME escaped, as a usage error. */
static int
long_option_error(const char *name, size_t len, const char *what)
{
	char shown[160], fmt[600];
	char *copy = strndup(name, len);

	gm_escape(copy != NULL ? copy : "?", shown, sizeof shown);
	free(copy);
	snprintf(fmt, sizeof fmt, "option '--%%s' %s", what);
	return usage_error(fmt, shown);
}

int
option_error(char **argv, const struct option *opts, const char *shortopts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;

	if (arg != NULL && strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name), nopt = 0, hits = 0;
		const struct option *hit = NULL;
		char list[400], shown[160];
		size_t o = 0;

		for (const struct option *op = opts; op->name != NULL; op++, nopt++)
			if (strncmp(op->name, name, len) == 0) {
				/* Aliases (same value) are one option, as for getopt_long. */
				if (strlen(op->name) == len) {
					hit = op;
					hits = 1;
					break;
				}
				if (hit == NULL || hit->val != op->val || hit->has_arg != op->has_arg)
					hits++;
				if (hit == NULL)
					hit = op;
			}
		if (hits == 1 && eq != NULL && hit->has_arg == no_argument)
			return long_option_error(hit->name, strlen(hit->name), "takes no value");
		if (hits == 1)
			return long_option_error(hit->name, strlen(hit->name), "needs a value");
		if (hits > 1) {
			list[0] = '\0';
			for (const struct option *op = opts; op->name != NULL; op++)
				if (strncmp(op->name, name, len) == 0 && o + strlen(op->name) + 8 < sizeof list)
					o += (size_t)snprintf(list + o, sizeof list - o, "%s'--%s'",
							      o ? ", " : "", op->name);
			{
				char what[460];
				snprintf(what, sizeof what, "is ambiguous; it could be %s", list);
				return long_option_error(name, len, what);
			}
		}
		{
			const char **names = malloc((nopt ? nopt : 1) * sizeof *names);
			char *word = strndup(name, len);
			const char *near = NULL;
			int rc;
			if (names != NULL && word != NULL) {
				size_t nn = 0;
				/* One name per option: of aliases, the longest ("columns"). */
				for (size_t i = 0; i < nopt; i++) {
					int shadowed = 0;
					for (size_t j = 0; j < nopt && !shadowed; j++)
						shadowed = j != i && opts[j].val == opts[i].val &&
							   opts[j].flag == opts[i].flag &&
							   strlen(opts[j].name) > strlen(opts[i].name);
					if (!shadowed)
						names[nn++] = opts[i].name;
				}
				near = suggest_nearest(word, names, nn);
			}
			gm_escape(word != NULL ? word : "?", shown, sizeof shown);
			if (near != NULL) {
				char fmt[300];
				snprintf(fmt, sizeof fmt, "unrecognized option '--%%s'; did you mean '--%s'?", near);
				rc = usage_error(fmt, shown);
			} else {
				rc = usage_error("unrecognized option '--%s'", shown);
			}
			free(names);
			free(word);
			return rc;
		}
	}
	{
		char opt[2] = { (char)optopt, '\0' }, shown[16];
		const char *in = optopt > 0 && optopt < 256 && optopt != ':' ?
				 strchr(shortopts, optopt) : NULL;
		gm_escape(opt, shown, sizeof shown);
		if (in != NULL && in[1] == ':')
			return usage_error("option '-%s' needs a value", shown);
		if (optopt == 0 && arg != NULL) {
			char a[160];
			gm_escape(arg, a, sizeof a);
			return usage_error("unknown option '%s'", a);
		}
		return usage_error("unknown option '-%s'", shown);
	}
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

