/*
 * json.c - a small, strict JSON reader (see json.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "numparse.h"

#define MAX_DEPTH 64

struct parser {
	const char *s, *end, *file;
	struct gm_error *err;
	int failed;
};

/* Line and column of the current position, for messages. */
static void
where(const struct parser *p, const char *at, long *line, long *col)
{
	const char *s;

	*line = 1;
	*col = 1;
	for (s = at - (at - p->s); s < at; s++) {
		if (*s == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int
bad(struct parser *p, const char *at, const char *what)
{
	long line, col;

	if (!p->failed) {
		where(p, at, &line, &col);
		gm_error_set(p->err, GM_EDATA, p->file, line, col, "not valid JSON: %s", what);
		p->failed = 1;
	}
	return -1;
}

/* Out of memory is no fault of the document: status 1, not a JSON error. */
static int
oom(struct parser *p)
{
	if (!p->failed) {
		gm_error_oom(p->err);
		p->failed = 1;
	}
	return -1;
}

static const char *
skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	return s;
}

static int parse_value(struct parser *p, const char **pos, struct jv *v, int depth);

static void
put_utf8(char *out, size_t *o, unsigned long c)
{
	if (c < 0x80) {
		out[(*o)++] = (char)c;
	} else if (c < 0x800) {
		out[(*o)++] = (char)(0xc0 | (c >> 6));
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		out[(*o)++] = (char)(0xe0 | (c >> 12));
		out[(*o)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	} else {
		out[(*o)++] = (char)(0xf0 | (c >> 18));
		out[(*o)++] = (char)(0x80 | ((c >> 12) & 0x3f));
		out[(*o)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	}
}

static int
hex4(const char *s, unsigned long *c)
{
	*c = 0;
	for (int i = 0; i < 4; i++) {
		char h = s[i];
		*c <<= 4;
		if (h >= '0' && h <= '9')
			*c |= (unsigned long)(h - '0');
		else if (h >= 'a' && h <= 'f')
			*c |= (unsigned long)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			*c |= (unsigned long)(h - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static int
parse_string(struct parser *p, const char **pos, char **out)
{
	const char *s = *pos + 1, *start = *pos;
	size_t o = 0;
	char *buf;

	/*
	 * Escapes only shrink text (\u to at most 4 bytes per 6): the string's
	 * own length in the input is enough.  Find its end first, so that a
	 * string costs its length, not the rest of the document.
	 */
	{
		const char *e = s;
		while (e < p->end && *e != '"')
			e += *e == '\\' ? 2 : 1;
		if (e > p->end)
			e = p->end;
		buf = malloc((size_t)(e - s) + 1);
	}
	if (buf == NULL)
		return oom(p);
	while (s < p->end && *s != '"') {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20) {
			free(buf);
			return bad(p, s, "a control character inside a string");
		}
		if (c != '\\') {
			buf[o++] = (char)c;
			s++;
			continue;
		}
		if (++s >= p->end)
			break;
		switch (*s) {
		case '"': buf[o++] = '"'; break;
		case '\\': buf[o++] = '\\'; break;
		case '/': buf[o++] = '/'; break;
		case 'b': buf[o++] = '\b'; break;
		case 'f': buf[o++] = '\f'; break;
		case 'n': buf[o++] = '\n'; break;
		case 'r': buf[o++] = '\r'; break;
		case 't': buf[o++] = '\t'; break;
		case 'u': {
			unsigned long cp;
			if (p->end - s < 5 || hex4(s + 1, &cp)) {
				free(buf);
				return bad(p, s, "a bad \\u escape");
			}
			s += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && p->end - s >= 7 && s[1] == '\\' &&
			    s[2] == 'u') {
				unsigned long lo;
				if (hex4(s + 3, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					s += 6;
				}
			}
			put_utf8(buf, &o, cp);
			break;
		}
		default:
			free(buf);
			return bad(p, s, "an unknown escape in a string");
		}
		s++;
	}
	if (s >= p->end) {
		free(buf);
		return bad(p, start, "a string that is never closed");
	}
	buf[o] = '\0';
	*out = buf;
	*pos = s + 1;
	return 0;
}

static int
parse_number(struct parser *p, const char **pos, double *out)
{
	const char *s = *pos, *start = s;

	if (s < p->end && *s == '-')
		s++;
	if (s >= p->end || *s < '0' || *s > '9')
		return bad(p, start, "an unexpected character");
	while (s < p->end && ((*s >= '0' && *s <= '9') || *s == '.' || *s == 'e' ||
			      *s == 'E' || *s == '+' || *s == '-'))
		s++;
	if (np_parse(start, (size_t)(s - start), '.', out) != NP_OK)
		return bad(p, start, "a malformed or too large number");
	*pos = s;
	return 0;
}

/* Room for more items: half as many again (a tree takes little slack). */
static int
grow(struct jv *v, size_t *cap, int with_keys)
{
	size_t c = *cap ? *cap + *cap / 2 : 4;
	struct jv *it = realloc(v->items, c * sizeof *it);

	if (it == NULL)
		return -1;
	v->items = it;
	if (with_keys) {
		char **k = realloc(v->keys, c * sizeof *k);
		if (k == NULL)
			return -1;
		v->keys = k;
	}
	*cap = c;
	return 0;
}

/* Give back the slack of a finished array or object. */
static void
shrink(struct jv *v, size_t cap, int with_keys)
{
	if (v->n == 0 || v->n == cap)
		return;
	{
		struct jv *it = realloc(v->items, v->n * sizeof *it);
		if (it != NULL)
			v->items = it;
	}
	if (with_keys) {
		char **k = realloc(v->keys, v->n * sizeof *k);
		if (k != NULL)
			v->keys = k;
	}
}

/*
 * Objects of up to DUP_SCAN members are checked for a repeated name as
 * each member is read; larger ones once, at their end, by sorting a copy
 * of their names (n log n, not n^2).
 */
#define DUP_SCAN 32

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when two members have one name, 0 when not, -1 when out of memory. */
static int
has_duplicate(const struct jv *v)
{
	char **k = malloc(v->n * sizeof *k);
	int dup = 0;

	if (k == NULL)
		return -1;
	memcpy(k, v->keys, v->n * sizeof *k);
	qsort(k, v->n, sizeof *k, cmp_key);
	for (size_t i = 1; i < v->n && !dup; i++)
		dup = strcmp(k[i - 1], k[i]) == 0;
	free(k);
	return dup;
}

static int
parse_value(struct parser *p, const char **pos, struct jv *v, int depth)
{
	const char *s = skip_ws(*pos, p->end);
	size_t cap = 0;

	memset(v, 0, sizeof *v);
	if (depth > MAX_DEPTH)
		return bad(p, s, "nested too deeply");
	if (s >= p->end)
		return bad(p, s, "the document ends too early");
	switch (*s) {
	case '{':
	case '[': {
		int obj = *s == '{';
		char close = obj ? '}' : ']';
		v->type = obj ? JV_OBJECT : JV_ARRAY;
		s = skip_ws(s + 1, p->end);
		if (s < p->end && *s == close) {
			*pos = s + 1;
			return 0;
		}
		for (;;) {
			char *key = NULL;
			if (v->n == cap && grow(v, &cap, obj))
				return oom(p);
			if (obj) {
				s = skip_ws(s, p->end);
				if (s >= p->end || *s != '"')
					return bad(p, s, "a member name (a string) was expected");
				if (parse_string(p, &s, &key))
					return -1;
				s = skip_ws(s, p->end);
				if (s >= p->end || *s != ':') {
					free(key);
					return bad(p, s, "':' was expected after a member name");
				}
				s++;
				for (size_t i = 0; i < v->n && v->n < DUP_SCAN; i++)
					if (strcmp(v->keys[i], key) == 0) {
						free(key);
						return bad(p, s, "a member name appears twice in one object");
					}
				v->keys[v->n] = key;
			}
			if (parse_value(p, &s, &v->items[v->n], depth + 1)) {
				v->n++;
				return -1;
			}
			v->n++;
			s = skip_ws(s, p->end);
			if (s < p->end && *s == ',') {
				s++;
				continue;
			}
			if (s < p->end && *s == close) {
				shrink(v, cap, obj);
				if (obj && v->n > DUP_SCAN) {
					int dup = has_duplicate(v);
					if (dup < 0)
						return oom(p);
					if (dup)
						return bad(p, s, "a member name appears twice in one object");
				}
				*pos = s + 1;
				return 0;
			}
			return bad(p, s, obj ? "',' or '}' was expected" : "',' or ']' was expected");
		}
	}
	case '"':
		v->type = JV_STRING;
		if (parse_string(p, &s, &v->str))
			return -1;
		*pos = s;
		return 0;
	case 't':
	case 'f':
	case 'n': {
		static const char *const words[] = { "true", "false", "null" };
		static const enum jv_type types[] = { JV_TRUE, JV_FALSE, JV_NULL };
		for (int i = 0; i < 3; i++) {
			size_t l = strlen(words[i]);
			if ((size_t)(p->end - s) >= l && memcmp(s, words[i], l) == 0) {
				v->type = types[i];
				*pos = s + l;
				return 0;
			}
		}
		return bad(p, s, "an unexpected word");
	}
	default:
		v->type = JV_NUMBER;
		if (parse_number(p, &s, &v->num))
			return -1;
		*pos = s;
		return 0;
	}
}

int
jv_parse(const char *text, size_t len, const char *file, struct jv *out,
	 struct gm_error *err)
{
	struct parser p = { text, text + len, file, err, 0 };
	const char *pos = text;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos += 3;
	if (memchr(text, '\0', len) != NULL) {
		gm_error_set(err, GM_EDATA, file, 0, 0, "not a text file (NUL byte)");
		memset(out, 0, sizeof *out);
		return GM_EDATA;
	}
	if (parse_value(&p, &pos, out, 0) == 0) {
		pos = skip_ws(pos, p.end);
		if (pos == p.end)
			return GM_OK;
		bad(&p, pos, "text after the end of the document");
	}
	jv_free(out);
	return err->status != GM_OK ? err->status : GM_EDATA;
}

void
jv_free(struct jv *v)
{
	if (v == NULL)
		return;
	if (v->type == JV_ARRAY || v->type == JV_OBJECT) {
		for (size_t i = 0; i < v->n; i++) {
			jv_free(&v->items[i]);
			if (v->keys != NULL)
				free(v->keys[i]);
		}
		free(v->items);
		free(v->keys);
	} else if (v->type == JV_STRING) {
		free(v->str);
	}
	memset(v, 0, sizeof *v);
}

const struct jv *
jv_get(const struct jv *obj, const char *key)
{
	if (obj == NULL || obj->type != JV_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

void
jw_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

void
jw_number(FILE *fp, double v)
{
	if (isfinite(v))
		fprintf(fp, "%.17g", v);
	else
		fputs("null", fp);
}

void
jw_numbers(FILE *fp, const double *v, size_t n, size_t stride)
{
	fputc('[', fp);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", fp);
		jw_number(fp, v[i * stride]);
	}
	fputc(']', fp);
}
