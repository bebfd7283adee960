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

/* A free name beside path for the old file: ".NAME.old.XXXXXX". */
static char *
backup_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	char *b = malloc(strlen(path) + 16);
	int fd;

	if (b == NULL)
		return NULL;
	memcpy(b, path, dirlen);
	sprintf(b + dirlen, ".%s.old.XXXXXX", path + dirlen);
	fd = mkstemp(b);
	if (fd < 0) {
		free(b);
		return NULL;
	}
	close(fd);
	unlink(b);
	return b;
}

int
outfile_commit_all(struct outfile *of, size_t n, struct gm_error *err)
{
	char **old = calloc(n + 1, sizeof *old);
	int *existed = calloc(n + 1, sizeof *existed);
	size_t i, done = 0;
	int rc = GM_OK;

	if (old == NULL || existed == NULL) {
		free(old);
		free(existed);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	/* Check the targets and keep the old files, before changing anything. */
	for (i = 0; i < n && rc == GM_OK; i++) {
		struct stat st;
		if (lstat(of[i].path, &st) != 0)
			continue;
		existed[i] = 1;
		if (S_ISDIR(st.st_mode)) {
			rc = gm_error_set(err, GM_EOUTPUT, of[i].path, 0, 0,
					  "cannot write: it is a directory");
			break;
		}
		old[i] = backup_name(of[i].path);
		if (old[i] != NULL && link(of[i].path, old[i]) != 0) {
			free(old[i]);
			old[i] = NULL;	/* no hard links here: no way back for this one */
		}
	}
	for (i = 0; rc == GM_OK && i < n; i++, done++)
		if (rename(of[i].tmp, of[i].path) != 0)
			rc = gm_error_set(err, GM_EOUTPUT, of[i].path, 0, 0,
					  "cannot rename into place: %s", strerror(errno));
	if (rc != GM_OK) {
		/* Put back what was replaced; remove what is new. */
		for (i = 0; i < done; i++) {
			if (old[i] != NULL)
				rename(old[i], of[i].path);
			else if (!existed[i])
				unlink(of[i].path);
			untrack(of[i].tmp);
			free(of[i].tmp);
			of[i].tmp = NULL;
		}
	}
	for (i = 0; i < n; i++) {
		if (old[i] != NULL) {
			unlink(old[i]);	/* no-op when it was renamed back */
			free(old[i]);
		}
		if (rc == GM_OK) {
			untrack(of[i].tmp);
			free(of[i].tmp);
			of[i].tmp = NULL;
		}
	}
	free(old);
	free(existed);
	return rc;
}
