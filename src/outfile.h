/*
 * outfile.h - outputs that appear whole or not at all.
 *
 * Each output is written to a temporary file in its target's directory
 * and renamed into place only when every output of the run was written;
 * a failed run removes its temporaries and leaves earlier outputs alone.
 */
#ifndef GMMFIT_OUTFILE_H
#define GMMFIT_OUTFILE_H

#include <stdio.h>

#include "error.h"

struct outfile {
	FILE *fp;
	char *path;		/* the target */
	char *tmp;		/* the temporary beside it */
};

/* Open a temporary for path.  GM_EOUTPUT on failure, with err filled. */
int outfile_open(struct outfile *of, const char *path, struct gm_error *err);

/* Flush and close, checking that every write succeeded. */
int outfile_close(struct outfile *of, struct gm_error *err);

/* Rename the closed temporary onto the target. */
int outfile_commit(struct outfile *of, struct gm_error *err);

/*
 * Rename n closed temporaries onto their targets, all or none: a target
 * that is a directory stops the run before anything is renamed, and when
 * a rename fails the targets already replaced get their old files back
 * (kept as hard links meanwhile).  The records are released on success.
 */
int outfile_commit_all(struct outfile *of, size_t n, struct gm_error *err);

/* Close if open, remove the temporary, release the record. */
void outfile_discard(struct outfile *of);

/* Release the record after a commit. */
void outfile_release(struct outfile *of);

/*
 * Remove every temporary not yet renamed into place, for a run that must
 * end at once (a signal, a thread that cannot start): async-signal-safe.
 */
void outfile_remove_temporaries(void);

#endif
