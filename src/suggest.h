/*
 * suggest.h - the nearest of some names to a word that matched none of
 * them: the "did you mean" of messages about options and columns.
 */
#ifndef GMMFIT_SUGGEST_H
#define GMMFIT_SUGGEST_H

#include <stddef.h>

/*
 * The name among names[0..n) that word most likely misspells, or NULL:
 * the one name equal to word but for case; else the one name nearest in
 * edit distance (insertions, deletions, substitutions and transpositions
 * of adjacent letters, case ignored) when that distance is at most 2 and
 * at most a third of the longer length.  Ties between different names,
 * and names of more than SUGGEST_MAX_LEN bytes, give no suggestion.  The
 * result points into names (borrowed).
 */
#define SUGGEST_MAX_LEN 256
const char *suggest_nearest(const char *word, const char *const *names, size_t n);

/* The edit distance of suggest_nearest (case ignored); SIZE_MAX when too long. */
size_t suggest_distance(const char *a, const char *b);

#endif
