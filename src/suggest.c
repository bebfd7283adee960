/*
 * suggest.c - nearest-name suggestions (see suggest.h).
 *
 * The distance is the "optimal string alignment" one (Levenshtein with
 * transpositions of adjacent letters, as in "Dpeth"), on bytes folded to
 * lower case; three rows of the table are enough.
 */
#include <config.h>

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "suggest.h"

static int
fold(char c)
{
	return tolower((unsigned char)c);
}

size_t
suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t rows[3][SUGGEST_MAX_LEN + 1];
	size_t *pp = rows[0], *p = rows[1], *c = rows[2];

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		p[j] = j;
	for (size_t i = 1; i <= la; i++) {
		c[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = fold(a[i - 1]) != fold(b[j - 1]);
			size_t v = p[j - 1] + cost;
			if (p[j] + 1 < v)
				v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
		}
		{
			size_t *t = pp;
			pp = p;
			p = c;
			c = t;
		}
	}
	return p[lb];
}

const char *
suggest_nearest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t bestd = SIZE_MAX, lw = strlen(word);
	int tie = 0;

	/* The same but for case wins outright ("Depth" for "depth"). */
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(names[i], word) == 0 && strcmp(names[i], word) != 0) {
			if (best != NULL && strcmp(best, names[i]) != 0)
				return NULL;
			best = names[i];
		}
	if (best != NULL)
		return best;
	for (size_t i = 0; i < n; i++) {
		size_t d = suggest_distance(word, names[i]), ln = strlen(names[i]);
		size_t longer = ln > lw ? ln : lw;
		if (d == 0 || d > 2 || 3 * d > longer)
			continue;
		if (d < bestd) {
			best = names[i];
			bestd = d;
			tie = 0;
		} else if (d == bestd && strcmp(best, names[i]) != 0) {
			tie = 1;
		}
	}
	return tie ? NULL : best;
}
