/*
 * json.h - a small, strict JSON reader for model files.
 *
 * It parses a whole document into a tree of values and says where a
 * document is malformed (line and column).  Numbers are read exactly
 * (strtod in the C locale); strings may hold escapes, \u ones included
 * (encoded as UTF-8).  Nesting is limited so hostile input cannot
 * exhaust the stack.
 */
#ifndef GMMFIT_JSON_H
#define GMMFIT_JSON_H

#include <stddef.h>

#include "error.h"

enum jv_type { JV_NULL, JV_FALSE, JV_TRUE, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

/*
 * One value: 32 bytes, the union holding what its type has.  A document's
 * tree takes at most about 16 times its size in bytes (a value is at least
 * 2 bytes of text, "0,"), and each string only its own length.
 */
struct jv {
	enum jv_type type;
	size_t n;		/* elements of an array or members of an object */
	union {
		double num;		/* JV_NUMBER */
		char *str;		/* JV_STRING */
		struct jv *items;	/* JV_ARRAY, JV_OBJECT: n values */
	};
	char **keys;		/* n keys (objects) */
};

/*
 * Parse text[0..len) into *out.  On error returns GM_EDATA with err
 * naming file (borrowed), line and column.
 */
int jv_parse(const char *text, size_t len, const char *file, struct jv *out,
	     struct gm_error *err);

/* Release a tree. */
void jv_free(struct jv *v);

/* The member called key of an object, or NULL. */
const struct jv *jv_get(const struct jv *obj, const char *key);

/* ---- writing ---- */
#include <stdio.h>

/* A JSON string: quotes, backslashes and control bytes escaped. */
void jw_string(FILE *fp, const char *s);

/* A number that reads back to the same double (%.17g); null if not finite. */
void jw_number(FILE *fp, double v);

/* n numbers v[0], v[stride], .. as an array. */
void jw_numbers(FILE *fp, const double *v, size_t n, size_t stride);

#endif
