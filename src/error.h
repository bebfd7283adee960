/*
 * error.h - error records and exit statuses.
 *
 * Library code never prints and never exits: it returns a status and
 * fills a struct gm_error.  The command line maps the status to an exit
 * code and prints the record in GNU form, "gmmfit: FILE:LINE:COL: message".
 */
#ifndef GMMFIT_ERROR_H
#define GMMFIT_ERROR_H

#include <stdio.h>

/* Statuses double as exit codes; they are documented in gmmfit(1). */
enum gm_status {
	GM_OK = 0,
	GM_EINTERNAL = 1,	/* out of memory, an impossible state */
	GM_EUSAGE = 2,		/* bad option or option value */
	GM_EDATA = 3,		/* input file missing, unreadable or malformed */
	GM_ENUMERIC = 4,	/* the model cannot be fitted (not positive definite) */
	GM_EOUTPUT = 5		/* an output could not be written */
};

struct gm_error {
	int status;
	const char *file;	/* NULL when no file is concerned; points into filebuf when set */
	char filebuf[4096];	/* PATH_MAX: any name a file can be opened by */
	long line;		/* 0 when unknown */
	long col;		/* 0 when unknown */
	char msg[640];
};

/*
 * Record an error.  file is copied into the record.  Only
 * the first error is kept: a record that already holds one is left alone,
 * so the root cause is what the user sees.  Returns status.
 */
int gm_error_set(struct gm_error *e, int status, const char *file, long line,
		 long col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Out of memory: GM_EINTERNAL with the message "out of memory" and no file. */
int gm_error_oom(struct gm_error *e);

/*
 * A failed system call on file: "WHAT: strerror(errnum)" with status; but
 * when errnum is ENOMEM, out of memory (gm_error_oom): a run short of
 * memory is not the file's fault.
 */
int gm_error_sys(struct gm_error *e, int status, const char *file, const char *what,
		 int errnum);

/* Clear a record. */
void gm_error_clear(struct gm_error *e);

/* Print "PROG: FILE:LINE:COL: message\n" to fp (parts that are unknown are left out). */
void gm_error_print(const struct gm_error *e, const char *prog, FILE *fp);

/*
 * Control characters (C0, DEL, and C1 as UTF-8 writes them) would act on a
 * terminal or end a line: text meant for one shows their bytes as \xHH.
 */
int gm_has_control(const char *s);

/* Write s to fp with the bytes of its control characters as \xHH. */
void gm_fputs_escaped(const char *s, FILE *fp);

/*
 * s escaped as gm_fputs_escaped writes it, into out (outsz bytes, at
 * least 4): cut with "..." at the end when it is longer.
 */
void gm_escape(const char *s, char *out, size_t outsz);

#endif
