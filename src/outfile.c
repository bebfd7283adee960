/*
 * outfile.c - write to a temporary, rename into place (see outfile.h).
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
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

void
outfile_remove_temporaries(void)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] != NULL)
			unlink(live[i]);
}

static void
on_signal(int sig)
{
	outfile_remove_temporaries();
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
			struct sigaction sa, old;
			/*
			 * A signal the caller ignores (nohup, a background job)
			 * stays ignored: the run must go on, not be killed.
			 */
			if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
				continue;
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

/*
 * A template for mkstemp beside path: ".NAME" then suffix (".XXXXXX",
 * ".old.XXXXXX"), in path's directory, so that rename stays on one file
 * system.  NAME is cut short when the whole would be longer than the
 * directory's longest name: a target of a legal length always has a
 * temporary (mkstemp's letters keep it unique).  NULL when out of memory.
 */
static char *
temp_template(const char *path, const char *suffix)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	size_t stem = strlen(path + dirlen), extra = 1 + strlen(suffix);
	long name_max = -1;
	char *t = malloc(strlen(path) + extra + 1);

	if (t == NULL)
		return NULL;
	memcpy(t, path, dirlen);
	t[dirlen] = '\0';
	if (dirlen > 0) {
		t[dirlen - 1] = '\0';	/* the directory alone, "/" for the root */
		name_max = pathconf(dirlen > 1 ? t : "/", _PC_NAME_MAX);
		t[dirlen - 1] = '/';
	} else {
		name_max = pathconf(".", _PC_NAME_MAX);
	}
	if (name_max <= 0)
		name_max = NAME_MAX;
	if (stem + extra > (size_t)name_max)
		stem = (size_t)name_max > extra ? (size_t)name_max - extra : 0;
	t[dirlen] = '.';
	memcpy(t + dirlen + 1, path + dirlen, stem);
	strcpy(t + dirlen + 1 + stem, suffix);
	return t;
}

int
outfile_open(struct outfile *of, const char *path, struct gm_error *err)
{
	mode_t mask;
	int fd;

	memset(of, 0, sizeof *of);
	of->path = strdup(path);
	/* ".NAME.XXXXXX" beside the target: same file system, so rename is atomic. */
	of->tmp = of->path != NULL ? temp_template(path, ".XXXXXX") : NULL;
	if (of->path == NULL || of->tmp == NULL) {
		outfile_discard(of);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0, "out of memory");
	}
	fd = mkstemp(of->tmp);
	if (fd < 0) {
		int rc = gm_error_sys(err, GM_EOUTPUT, path, "cannot write", errno);
		free(of->tmp);
		of->tmp = NULL;
		outfile_discard(of);
		return rc;
	}
	track(of->tmp);
	/* mkstemp makes the file 0600; give it the usual 0666 less the umask. */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	of->fp = fdopen(fd, "w");
	if (of->fp == NULL) {
		int rc = gm_error_sys(err, GM_EOUTPUT, path, "cannot write", errno);
		close(fd);
		outfile_discard(of);
		return rc;
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
	/* The checks of the target (a directory, a device) are those of a run's outputs. */
	return outfile_commit_all(of, 1, err);
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
	char *b = temp_template(path, ".old.XXXXXX");
	int fd;

	if (b == NULL)
		return NULL;
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
		/* What a link names counts: a rename would replace the link. */
		if (S_ISLNK(st.st_mode) && stat(of[i].path, &st) != 0)
			continue;	/* a dangling link: replaced by the file */
		if (S_ISDIR(st.st_mode)) {
			rc = gm_error_set(err, GM_EOUTPUT, of[i].path, 0, 0,
					  "cannot write: it is a directory");
			break;
		}
		/* A device, pipe or socket is not a file to replace (/dev/stdout, /dev/null). */
		if (!S_ISREG(st.st_mode)) {
			rc = gm_error_set(err, GM_EOUTPUT, of[i].path, 0, 0,
					  "cannot write: not a regular file (a device, pipe or "
					  "socket); outputs are files put in place whole");
			break;
		}
		old[i] = backup_name(of[i].path);
		if (old[i] != NULL && link(of[i].path, old[i]) != 0) {
			free(old[i]);
			old[i] = NULL;	/* no hard links here: no way back for this one */
		}
	}
	/* done counts the renames that succeeded: not the one that failed. */
	for (i = 0; rc == GM_OK && i < n; i++) {
		if (rename(of[i].tmp, of[i].path) != 0) {
			rc = gm_error_set(err, GM_EOUTPUT, of[i].path, 0, 0,
					  "cannot rename into place: %s", strerror(errno));
			break;
		}
		done++;
	}
	if (rc != GM_OK) {
		/*
		 * Put back what was replaced; remove what is new.  The
		 * temporaries from the failed one on stay in the records, for
		 * outfile_discard to remove.
		 */
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
