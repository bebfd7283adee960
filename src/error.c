/*
 * error.c - error records (see error.h).
 */
#include <config.h>

#include <errno.h>

#include <stdarg.h>
#include <string.h>

#include "error.h"

int
gm_error_oom(struct gm_error *e)
{
	return gm_error_set(e, GM_EINTERNAL, NULL, 0, 0, "out of memory");
}

int
gm_error_sys(struct gm_error *e, int status, const char *file, const char *what, int errnum)
{
	if (errnum == ENOMEM)
		return gm_error_oom(e);
	return gm_error_set(e, status, file, 0, 0, "%s: %s", what, strerror(errnum));
}

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

/* The length in bytes of the control character at s, or 0. */
static size_t
control_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] < 0x20 || u[0] == 0x7f)
		return 1;
	if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
		return 2;
	return 0;
}

int
gm_has_control(const char *s)
{
	for (; *s; s++)
		if (control_len(s))
			return 1;
	return 0;
}

void
gm_fputs_escaped(const char *s, FILE *fp)
{
	while (*s) {
		size_t n = control_len(s);
		if (n == 0)
			fputc(*s++, fp);
		for (; n > 0; n--)
			fprintf(fp, "\\x%02x", (unsigned char)*s++);
	}
}

void
gm_escape(const char *s, char *out, size_t outsz)
{
	size_t o = 0;

	while (*s) {
		size_t n = control_len(s), w = n ? 4 * n : 1;
		int last = s[n ? n : 1] == '\0';
		/* Room for this character and "..." (or the end), and the '\0'. */
		if (o + w + (last ? 0 : 3) + 1 > outsz) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (n == 0)
			out[o++] = *s++;
		for (; n > 0; n--)
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", (unsigned char)*s++);
	}
	out[o] = '\0';
}

void
gm_error_print(const struct gm_error *e, const char *prog, FILE *fp)
{
	fprintf(fp, "%s: ", prog);
	if (e->file != NULL) {
		gm_fputs_escaped(e->file, fp);
		fputc(':', fp);
		if (e->line > 0) {
			fprintf(fp, "%ld:", e->line);
			if (e->col > 0)
				fprintf(fp, "%ld:", e->col);
		}
		fputc(' ', fp);
	}
	gm_fputs_escaped(e->msg, fp);
	fputc('\n', fp);
}
