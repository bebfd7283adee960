/*
 * error.c - error records (see error.h).
 */
#include <config.h>

#include <stdarg.h>
#include <string.h>

#include "error.h"

void
gm_error_clear(struct gm_error *e)
{
	memset(e, 0, sizeof *e);
}

int
gm_error_set(struct gm_error *e, int status, const char *file, long line,
	     long col, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->status != GM_OK)
		return status;
	e->status = status;
	e->file = NULL;
	if (file != NULL) {
		snprintf(e->filebuf, sizeof e->filebuf, "%s", file);
		e->file = e->filebuf;
	}
	e->line = line;
	e->col = col;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return status;
}

void
gm_error_print(const struct gm_error *e, const char *prog, FILE *fp)
{
	fprintf(fp, "%s: ", prog);
	if (e->file != NULL) {
		fprintf(fp, "%s:", e->file);
		if (e->line > 0) {
			fprintf(fp, "%ld:", e->line);
			if (e->col > 0)
				fprintf(fp, "%ld:", e->col);
		}
		fputc(' ', fp);
	}
	fprintf(fp, "%s\n", e->msg);
}
