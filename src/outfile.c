/*
 * outfile.c - write to a temporary, rename into place (see outfile.h).
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

/*
 * Temporaries alive now, so that an interrupted run (SIGINT, SIGTERM,
 * SIGHUP, SIGPIPE) removes them before it dies.  This is the one piece
 * of process-wide state: a signal handler has nothing else to go on.
 */
#define MAX_LIVE 256
static char *volatile live[MAX_LIVE];

static void
on_signal(int sig)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] != NULL)
			unlink(live[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
track(char *tmp)
{
	static int installed;

	if (!installed) {
		static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
		for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
			struct sigaction sa;
			memset(&sa, 0, sizeof sa);
			sa.sa_handler = on_signal;
			sigemptyset(&sa.sa_mask);
			sigaction(sigs[i], &sa, NULL);
		}
		installed = 1;
	}
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] == NULL) {
			live[i] = tmp;
			return;
		}
}

static void
untrack(const char *tmp)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] == tmp)
			live[i] = NULL;
}

int
outfile_open(struct outfile *of, const char *path, struct gm_error *err)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	mode_t mask;
	int fd;

	memset(of, 0, sizeof *of);
	of->path = strdup(path);
	of->tmp = malloc(strlen(path) + 16);
	if (of->path == NULL || of->tmp == NULL) {
		outfile_discard(of);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	/* ".NAME.XXXXXX" beside the target: same file system, so rename is atomic. */
	memcpy(of->tmp, path, dirlen);
	sprintf(of->tmp + dirlen, ".%s.XXXXXX", path + dirlen);
	fd = mkstemp(of->tmp);
	if (fd < 0) {
		gm_error_set(err, GM_EOUTPUT, path, 0, 0, "cannot write: %s", strerror(errno));
		free(of->tmp);
		of->tmp = NULL;
		outfile_discard(of);
		return GM_EOUTPUT;
	}
	track(of->tmp);
	/* mkstemp makes the file 0600; give it the usual 0666 less the umask. */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	of->fp = fdopen(fd, "w");
	if (of->fp == NULL) {
		close(fd);
		gm_error_set(err, GM_EOUTPUT, path, 0, 0, "cannot write: %s", strerror(errno));
		outfile_discard(of);
		return GM_EOUTPUT;
	}
	return GM_OK;
}

int
outfile_close(struct outfile *of, struct gm_error *err)
{
	int bad = ferror(of->fp);

	bad |= fclose(of->fp) != 0;
	of->fp = NULL;
	if (bad)
		return gm_error_set(err, GM_EOUTPUT, of->path, 0, 0,
				    "write error: %s", strerror(errno));
	return GM_OK;
}

int
outfile_commit(struct outfile *of, struct gm_error *err)
{
	if (rename(of->tmp, of->path) != 0)
		return gm_error_set(err, GM_EOUTPUT, of->path, 0, 0,
				    "cannot rename into place: %s", strerror(errno));
	untrack(of->tmp);
	free(of->tmp);
	of->tmp = NULL;
	return GM_OK;
}

void
outfile_discard(struct outfile *of)
{
	if (of->fp != NULL)
		fclose(of->fp);
	if (of->tmp != NULL) {
		unlink(of->tmp);
		untrack(of->tmp);
	}
	outfile_release(of);
}

void
outfile_release(struct outfile *of)
{
	if (of->tmp != NULL)
		untrack(of->tmp);
	free(of->path);
	free(of->tmp);
	memset(of, 0, sizeof *of);
}
