/*
 * par.c - running on several processes with MPI (see par.h).
 *
 * DESIGN
 *
 * The layers above reach this one through interfaces they define
 * themselves, so none of them includes par.h: a spread data set's
 * struct dataset_spread (dataset.h: scans, sorts, the sample of every
 * step-th row), the reader's struct csvread_team (csvread.h: the
 * collective steps of a shared read) and EM's struct em_source (em.h,
 * made by empar.c from par_bcast, par_chunks and par_gather_chunks).
 * What crosses here is buffers of doubles, bytes and statuses; par.c
 * knows neither a model's nor EM's statistics' layout.
 *
 * One code path for the maths.  Rank 0 runs the whole program as a
 * single process would; the data it works on is distributed: each
 * process holds a contiguous part of the rows (whole chunks, DS_CHUNKS,
 * dataset.h), and the other ranks, once their share is read, run the
 * collective steps rank 0 starts (par_serve: jobs, scans, sorts,
 * samples).  No process reads another's rows, and no result may depend
 * on the number of processes:
 *
 *   - EM's passes (a job, empar.c) run on every process at once, each
 *     over its own chunks, and rank 0 merges the records in chunk order;
 *   - the data set's scans (weights, moments, ranges, the covariance,
 *     histogram bins, distinct rows, the grid of the values: CMD_SCAN,
 *     dataset_scan_rows) and those other modules add (dataset_scan_add:
 *     the starts' group statistics, k-means++ draws and random
 *     responsibilities, init.c; the sorted column's KS distance,
 *     empirical CDF, QQ points and quantiles, gof.c; the classification's
 *     entropy and ICL term, fit.c) carry their state from process to
 *     process in rank order, each over its own rows: the operations of
 *     one loop over all the rows, in its order, so the bits of a run
 *     alone, with no row sent anywhere; they take turns rather than run
 *     at once (so do --prior's mean and covariance, fitstage.c);
 *   - scans whose state is counts (dataset_scan_counts: the order
 *     statistics' radix selection, dataset.c) run on every process at
 *     once, each from zeros, and rank 0 adds the states: sums of whole
 *     numbers are exact in any order, so the bits are a run alone's;
 *   - samples of every step-th row (dataset_every: the search's and the
 *     hc start's rows, the 2-D figure's points) are sent to rank 0 by
 *     the processes that hold them;
 *   - --labels (a job, outputs.c): each process formats its own rows'
 *     lines, and rank 0 appends the others' bytes in rank order
 *     (par_gather_bytes), which is file order (par_distribute moves the
 *     kept lines with the rows).
 *
 * What is left: every process running the program on its own rows, so
 * that rank 0 no longer drives the others through commands; and the
 * scans of rounded sums run at once (per-chunk statistics merged in
 * chunk order) rather than in turn.
 *
 * Errors: every collective step allocates first and agrees (all_ok)
 * before it exchanges anything, so a process short of memory makes all
 * of them give the step up together, with their data as it was; rank 0
 * returns the failure, the servers go on serving.  Nothing here prints,
 * exits or aborts.
 *
 * Sorting (the KS distance, the CDF, the histogram's quantiles) is a
 * sample sort across the processes under the total order
 * (value, weight), which is also the order of the one-process sort,
 * so the sorted sequence is the same.
 *
 * Memory: when the rows are shared out (move_rows) the rows a process
 * keeps stay in its arrays, which grow or shrink in place; only the rows
 * that change process pass through a buffer, so rank 0 holds its share
 * and little more.  A sort (dsort) holds a process's share twice while
 * the values move.
 *
 * Reading: each process maps the file and reads its own byte range
 * (csvread.c, through par_team); ranges begin at record boundaries found
 * from the parity of quote characters counted from the start of the
 * data, so a quoted field with an embedded newline never splits.  With
 * --shard each process reads its own file.
 */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "csvread.h"
#include "par.h"

int
par_shard_path(const char *pattern, int rank, char *out, size_t outsz)
{
	const char *p = strstr(pattern, "%d");
	int len;

	if (p == NULL)
		return -1;
	len = snprintf(out, outsz, "%.*s%d%s", (int)(p - pattern), pattern, rank, p + 2);
	return len < 0 || (size_t)len >= outsz ? -1 : 0;
}

#ifndef HAVE_MPI

/*
 * Started by mpirun as one of several processes, a build without MPI
 * would run the whole fit in each and write the same files at once:
 * refuse (the first process says why; main prints it).
 */
int
par_init(int *argc, char ***argv, struct gm_error *err)
{
	const char *size = getenv("OMPI_COMM_WORLD_SIZE"), *rank = getenv("OMPI_COMM_WORLD_RANK");

	(void)argc;
	(void)argv;
	if (size == NULL) {
		size = getenv("PMI_SIZE");
		rank = getenv("PMI_RANK");
	}
	if (size == NULL || atoi(size) <= 1)
		return GM_OK;
	if (rank != NULL && atoi(rank) != 0)
		return GM_EUSAGE;
	return gm_error_set(err, GM_EUSAGE, NULL, 0, 0, "this gmmfit was built without MPI");
}
int par_threads(void) { return 0; }
int par_rank(void) { return 0; }
int par_size(void) { return 1; }
int par_finish(int rc) { return rc; }
int par_agree(int rc, struct gm_error *err) { (void)err; return rc; }
int par_same_text(const char *s) { (void)s; return 1; }
long long par_exscan_sum(long long v) { (void)v; return 0; }
int par_exscan_xor(int v) { (void)v; return 0; }
long long par_sum(long long v) { return v; }
const struct csvread_team *
par_team(void)
{
	static const struct csvread_team team = { 0, 1, par_agree, par_exscan_sum, par_exscan_xor, par_sum };

	return &team;
}
int par_distribute(struct dataset *ds, struct gm_error *err) { (void)ds; (void)err; return GM_OK; }
int par_serve(struct dataset *ds, int threads) { (void)ds; (void)threads; return GM_OK; }
int par_all_ok(int ok) { return ok; }
void par_bcast(double *buf, size_t n) { (void)buf; (void)n; }
void par_chunks(size_t *c0, size_t *c1) { *c0 = 0; *c1 = DS_CHUNKS; }
int par_in_chunks(const struct dataset *ds) { (void)ds; return 0; }
void par_gather_chunks(double *buf, size_t reclen) { (void)buf; (void)reclen; }
int par_gather_bytes(const char *buf, size_t len, int ok, par_put put, void *arg)
{
	(void)buf; (void)len; (void)put; (void)arg;
	return ok ? 0 : -1;
}
int par_job_add(par_job fn) { (void)fn; return 0; }
void par_job_start(int id, long long a, long long b) { (void)id; (void)a; (void)b; }

#else

#include <limits.h>
#include <mpi.h>

#define MAX_SETS 16		/* distributed data sets alive at once */
#define SAMPLES 32		/* splitter candidates per process in a sort */
#define MAX_JOBS 4		/* jobs registered with par_job_add */
#define BYTES_PIECE (1 << 20)	/* bytes par_gather_bytes sends at a time */

enum { TAG_CMD = 1, TAG_DATA, TAG_STATS, TAG_BYTES };
enum { CMD_STOP, CMD_JOB, CMD_SORT, CMD_SORTCOL, CMD_FREE, CMD_EVERY, CMD_SCAN };

/* What a distributed data set knows of its spread. */
struct par_dist {
	int id;			/* its number in every process's table */
	int chunked;		/* rows held as whole EM chunks, in file order */
	size_t lo, hi;		/* global rows [lo, hi) held here */
	size_t *start;		/* P + 1: process p holds [start[p], start[p + 1]) */
};

static int rank, nproc = 1, active, serving, threads_hint;
static struct dataset *sets[MAX_SETS];
static par_job jobs[MAX_JOBS];
static const struct dataset_spread spread;

/*
 * Every process passes whether its part of a step went well; all learn
 * whether every part did.  Each step that allocates agrees before it
 * exchanges anything, so a process short of memory makes all of them
 * give up the step together, with their data as it was.
 */
static int
all_ok(int ok)
{
	int all = ok;

	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	return all;
}

/* Counts and displacements go to MPI as int: whether v is one. */
static int
fits_int(size_t v)
{
	return v <= INT_MAX;
}

int
par_init(int *argc, char ***argv, struct gm_error *err)
{
	int provided;

	(void)err;
	/* Only under a launcher: alone, the program is the plain one. */
	if (getenv("OMPI_COMM_WORLD_SIZE") == NULL && getenv("PMIX_RANK") == NULL &&
	    getenv("PMI_RANK") == NULL && getenv("PMI_SIZE") == NULL)
		return GM_OK;
	if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
		return GM_OK;
	active = 1;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &nproc);
	if (rank != 0) {
		/* Rank 0 speaks for all: the others' messages reach it through par_agree. */
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
	}
#ifdef _OPENMP
	if (nproc > 1) {
		/* The cores of a node shared among its processes. */
		MPI_Comm node;
		int local = 1;
		if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank,
					MPI_INFO_NULL, &node) == MPI_SUCCESS) {
			MPI_Comm_size(node, &local);
			MPI_Comm_free(&node);
		}
		threads_hint = omp_get_num_procs() / local > 1 ? omp_get_num_procs() / local : 1;
	}
#endif
	return GM_OK;
}

int par_rank(void) { return rank; }
int par_size(void) { return nproc; }
int par_threads(void) { return threads_hint; }

static void
send_cmd(int to, long long a, long long b, long long c, long long d)
{
	long long cmd[4] = { a, b, c, d };

	MPI_Send(cmd, 4, MPI_LONG_LONG, to, TAG_CMD, MPI_COMM_WORLD);
}

/* A command for every other process (collective ones). */
static void
send_all(long long a, long long b, long long c, long long d)
{
	for (int p = 1; p < nproc; p++)
		send_cmd(p, a, b, c, d);
}

int
par_finish(int rc)
{
	if (!active)
		return rc;
	if (rank == 0 && serving)
		send_all(CMD_STOP, rc, 0, 0);
	MPI_Finalize();
	active = 0;
	return rc;
}

int
par_agree(int rc, struct gm_error *err)
{
	int me = rc != GM_OK ? rank : nproc, first, has_file;

	if (nproc == 1)
		return rc;
	MPI_Allreduce(&me, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	if (first == nproc)
		return GM_OK;
	has_file = err->file != NULL;
	MPI_Bcast(&has_file, 1, MPI_INT, first, MPI_COMM_WORLD);
	MPI_Bcast(err, (int)sizeof *err, MPI_BYTE, first, MPI_COMM_WORLD);
	err->file = has_file ? err->filebuf : NULL;
	return err->status;
}

int
par_same_text(const char *s)
{
	unsigned long long len = strlen(s);
	int same = 1;

	if (nproc == 1)
		return 1;
	MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
	same = strlen(s) == len;
	/* Rank 0's text a piece at a time: nothing to allocate, nothing to fail. */
	for (unsigned long long at = 0; at < len; at += 4096) {
		char piece[4096];
		size_t m = len - at < sizeof piece ? (size_t)(len - at) : sizeof piece;
		if (rank == 0)
			memcpy(piece, s + at, m);
		MPI_Bcast(piece, (int)m, MPI_CHAR, 0, MPI_COMM_WORLD);
		if (same && memcmp(piece, s + at, m) != 0)
			same = 0;
	}
	return same;
}

long long
par_exscan_sum(long long v)
{
	long long r = 0;

	if (nproc > 1)
		MPI_Exscan(&v, &r, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
	return rank == 0 ? 0 : r;
}

int
par_exscan_xor(int v)
{
	int r = 0;

	if (nproc > 1)
		MPI_Exscan(&v, &r, 1, MPI_INT, MPI_BXOR, MPI_COMM_WORLD);
	return rank == 0 ? 0 : r;
}

long long
par_sum(long long v)
{
	long long r = v;

	if (nproc > 1)
		MPI_Allreduce(&v, &r, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
	return r;
}

const struct csvread_team *
par_team(void)
{
	static struct csvread_team team = { 0, 1, par_agree, par_exscan_sum, par_exscan_xor, par_sum };

	team.rank = rank;
	team.size = nproc;
	return &team;
}

/* First global row of the chunks process p holds, for n rows. */
static size_t
chunk_start(int p, size_t n)
{
	size_t nblocks = (n + DS_BLOCK - 1) / DS_BLOCK;
	size_t c = (size_t)p * DS_CHUNKS / (size_t)nproc;
	size_t row = c * nblocks / DS_CHUNKS * DS_BLOCK;

	return row < n ? row : n;
}

static void
free_dist(struct par_dist *dd)
{
	if (dd == NULL)
		return;
	free(dd->start);
	free(dd);
}

/*
 * The spread of a data set numbered id, allocated before its rows move
 * so that nothing can fail after.  Collective; NULL on every process
 * when one of them is out of memory.
 */
static struct par_dist *
new_dist(int id)
{
	struct par_dist *dd = calloc(1, sizeof *dd);
	int ok = dd != NULL;

	if (ok) {
		dd->id = id;
		dd->start = malloc((size_t)(nproc + 1) * sizeof *dd->start);
		ok = dd->start != NULL;
	}
	if (!all_ok(ok)) {
		free_dist(dd);
		return NULL;
	}
	return dd;
}

/* This process holds nlocal rows: every process learns who holds which (collective). */
static void
set_dist(struct par_dist *dd, size_t nlocal)
{
	_Static_assert(sizeof(size_t) == sizeof(unsigned long long), "start[] is gathered as MPI_UNSIGNED_LONG_LONG");
	unsigned long long m = nlocal;

	dd->start[0] = 0;
	/* start[1..P] takes the counts, then their running sums. */
	MPI_Allgather(&m, 1, MPI_UNSIGNED_LONG_LONG, dd->start + 1, 1, MPI_UNSIGNED_LONG_LONG,
		      MPI_COMM_WORLD);
	for (int p = 0; p < nproc; p++)
		dd->start[p + 1] += dd->start[p];
	dd->lo = dd->start[rank];
	dd->hi = dd->start[rank + 1];
}

/* The four count arrays of an all-to-all, in one allocation. */
struct exchange {
	int *sc, *sd, *rc, *rd;
};

static int
exchange_init(struct exchange *e)
{
	e->sc = malloc(4 * (size_t)nproc * sizeof *e->sc);
	if (e->sc == NULL)
		return -1;
	e->sd = e->sc + nproc;
	e->rc = e->sd + nproc;
	e->rd = e->rc + nproc;
	return 0;
}

/* Receive displacements from the counts (after the counts' all-to-all); 0, or -1 past INT_MAX. */
static int
exchange_displs(struct exchange *e, size_t *total)
{
	size_t off = 0;

	for (int p = 0; p < nproc; p++) {
		if (!fits_int(off))
			return -1;
		e->rd[p] = (int)off;
		off += (size_t)e->rc[p];
	}
	*total = off;
	return fits_int(off) ? 0 : -1;
}

/*
 * One array of the rows as they move (move_rows): n items of size
 * bytes here, of which [ka, ka + kept) stay; nb items arrive before
 * them and na after, into in (nb + na items) first.
 */
struct moving {
	void **a;
	void *in;
	size_t size;
};

/*
 * Room for the array's items after the move, before anything is sent:
 * grown in place (realloc moves the pages of a large block without
 * copying them), the items where they were.  0, or -1 with the array
 * as it was.
 */
static int
moving_init(struct moving *mv, void **a, size_t size, size_t n, size_t mine, size_t nin)
{
	mv->a = a;
	mv->size = size;
	mv->in = malloc((nin ? nin : 1) * size);
	if (mv->in == NULL)
		return -1;
	if (mine > n) {
		void *p = realloc(*a, mine * size);
		if (p == NULL) {
			free(mv->in);
			mv->in = NULL;
			return -1;
		}
		*a = p;
	}
	return 0;
}

/* The items in place once received: those before, the kept ones, those after; the rest given back. */
static void
moving_place(struct moving *mv, size_t ka, size_t kept, size_t nb, size_t na, size_t n)
{
	char *a = *mv->a;
	size_t sz = mv->size, mine = nb + kept + na;

	memmove(a + nb * sz, a + ka * sz, kept * sz);
	memcpy(a, mv->in, nb * sz);
	memcpy(a + (nb + kept) * sz, (char *)mv->in + nb * sz, na * sz);
	if (mine < n) {
		void *p = realloc(a, (mine ? mine : 1) * sz);
		if (p != NULL)
			*mv->a = p;
	}
	free(mv->in);
	mv->in = NULL;
}

/*
 * Move rows so that process p holds global rows [tgt[p], tgt[p + 1]);
 * they are now [lo, lo + n) here.  x (n*d), w (n, or NULL) and lines
 * (n, or NULL) are reshaped where they lie: the rows that stay here
 * stay in their arrays, only those that change process pass through a
 * buffer, so a share read near its chunks' bounds (the byte ranges of
 * one file) costs little beyond the rows themselves.  Collective: 0, or
 * -1 on every process (out of memory, or more values than MPI counts
 * take), with the rows left where they were.
 */
static int
move_rows(double **x, double **w, long **lines, size_t *n, size_t d, size_t lo, const size_t *tgt)
{
	size_t hi = lo + *n, mine = tgt[rank + 1] - tgt[rank], got = 0, nb = 0;
	/* The rows kept here, [ka, kb) of this process's own. */
	size_t ka = tgt[rank] <= lo ? 0 : tgt[rank] >= hi ? *n : tgt[rank] - lo;
	size_t kb = tgt[rank + 1] <= lo ? 0 : tgt[rank + 1] >= hi ? *n : tgt[rank + 1] - lo;
	size_t kept = kb > ka ? kb - ka : 0;
	struct moving mx = { NULL, NULL, 0 }, mw = { NULL, NULL, 0 }, ml = { NULL, NULL, 0 };
	struct exchange e = { NULL, NULL, NULL, NULL };
	int ok = exchange_init(&e) == 0 && fits_int(*n * d) && fits_int(mine * d);

	ok = ok && moving_init(&mx, (void **)x, d * sizeof **x, *n, mine, mine - kept) == 0;
	ok = ok && (*w == NULL || moving_init(&mw, (void **)w, sizeof **w, *n, mine, mine - kept) == 0);
	ok = ok && (*lines == NULL ||
		    moving_init(&ml, (void **)lines, sizeof **lines, *n, mine, mine - kept) == 0);
	if (!all_ok(ok))
		goto fail;
	for (int p = 0; p < nproc; p++) {
		size_t a = tgt[p] > lo ? tgt[p] : lo, b = tgt[p + 1] < hi ? tgt[p + 1] : hi;
		e.sc[p] = p == rank ? 0 : (int)(b > a ? b - a : 0);
		e.sd[p] = (int)(a > lo && b > a ? a - lo : 0);
	}
	MPI_Alltoall(e.sc, 1, MPI_INT, e.rc, 1, MPI_INT, MPI_COMM_WORLD);
	if (!all_ok(exchange_displs(&e, &got) == 0 && got + kept == mine))
		goto fail;
	/* Rows from the processes before this one come first (rank order is row order). */
	for (int p = 0; p < rank; p++)
		nb += (size_t)e.rc[p];
	if (*w != NULL)
		MPI_Alltoallv(*w, e.sc, e.sd, MPI_DOUBLE, mw.in, e.rc, e.rd, MPI_DOUBLE, MPI_COMM_WORLD);
	if (*lines != NULL)
		MPI_Alltoallv(*lines, e.sc, e.sd, MPI_LONG, ml.in, e.rc, e.rd, MPI_LONG, MPI_COMM_WORLD);
	for (int p = 0; p < nproc; p++) {
		e.sc[p] *= (int)d;
		e.sd[p] *= (int)d;
		e.rc[p] *= (int)d;
		e.rd[p] *= (int)d;
	}
	MPI_Alltoallv(*x, e.sc, e.sd, MPI_DOUBLE, mx.in, e.rc, e.rd, MPI_DOUBLE, MPI_COMM_WORLD);
	moving_place(&mx, ka, kept, nb, got - nb, *n);
	if (*w != NULL)
		moving_place(&mw, ka, kept, nb, got - nb, *n);
	if (*lines != NULL)
		moving_place(&ml, ka, kept, nb, got - nb, *n);
	*n = mine;
	free(e.sc);
	return 0;
fail:
	free(e.sc);
	free(mx.in);
	free(mw.in);
	free(ml.in);
	return -1;
}

/*
 * --labels: the lines of the rows left out of the fit (a missing value,
 * weight 0), read here in file order, to the process that holds the
 * first row after them (the last process: those after every row), so
 * that each process's rows and left-out lines, merged, are one stretch
 * of the file, the stretches in rank order.  Collective, after the rows
 * moved (move_rows, their lines with them): 0, or -1 on every process
 * (out of memory, or more lines than MPI counts take), nothing moved.
 */
static int
move_left_out(struct dataset *ds, size_t nhere)
{
	long last = nhere > 0 ? ds->lines[nhere - 1] : LONG_MIN, *bound = malloc((size_t)nproc * sizeof *bound);
	struct exchange e = { NULL, NULL, NULL, NULL };
	size_t got = 0, at = 0;
	long *nl = NULL;
	int ok = bound != NULL && exchange_init(&e) == 0 && fits_int(ds->nleft);

	if (!all_ok(ok))
		goto fail;
	MPI_Allgather(&last, 1, MPI_LONG, bound, 1, MPI_LONG, MPI_COMM_WORLD);
	/* A process without rows takes nothing: its bound is the one before it. */
	for (int p = 1; p < nproc; p++)
		if (bound[p] < bound[p - 1])
			bound[p] = bound[p - 1];
	bound[nproc - 1] = LONG_MAX;
	for (int p = 0; p < nproc; p++) {
		size_t from = at;
		while (at < ds->nleft && ds->left_out[at] < bound[p])
			at++;
		e.sc[p] = (int)(at - from);
		e.sd[p] = (int)from;
	}
	MPI_Alltoall(e.sc, 1, MPI_INT, e.rc, 1, MPI_INT, MPI_COMM_WORLD);
	ok = exchange_displs(&e, &got) == 0 && (nl = malloc((got ? got : 1) * sizeof *nl)) != NULL;
	if (!all_ok(ok))
		goto fail;
	MPI_Alltoallv(ds->left_out, e.sc, e.sd, MPI_LONG, nl, e.rc, e.rd, MPI_LONG, MPI_COMM_WORLD);
	free(ds->left_out);
	ds->left_out = nl;
	ds->nleft = got;
	free(bound);
	free(e.sc);
	return 0;
fail:
	free(nl);
	free(bound);
	free(e.sc);
	return -1;
}

/* The counts of skipped rows and their first lines, summed on rank 0; 0, or -1 (all). */
static int
gather_skips(struct dataset *ds)
{
	long long info[2 + DATASET_SKIP_LINES], *all = NULL;
	size_t sk = 0, sz = 0;

	info[0] = (long long)ds->skipped;
	info[1] = (long long)ds->skipped_zero;
	for (int i = 0; i < DATASET_SKIP_LINES; i++)
		info[2 + i] = ds->skip_lines[i];
	if (rank == 0)
		all = malloc((size_t)nproc * sizeof info);
	if (!all_ok(rank != 0 || all != NULL))
		return -1;
	MPI_Gather(info, 2 + DATASET_SKIP_LINES, MPI_LONG_LONG, all, 2 + DATASET_SKIP_LINES,
		   MPI_LONG_LONG, 0, MPI_COMM_WORLD);
	if (rank != 0)
		return 0;
	for (int p = 0; p < nproc; p++) {
		const long long *q = all + (size_t)p * (2 + DATASET_SKIP_LINES);
		for (long long i = 0; i < q[0] && i < DATASET_SKIP_LINES; i++)
			if (sk + (size_t)i < DATASET_SKIP_LINES)
				ds->skip_lines[sk + (size_t)i] = (long)q[2 + i];
		sk += (size_t)q[0];
		sz += (size_t)q[1];
	}
	ds->skipped = sk;
	ds->skipped_zero = sz;
	free(all);
	return 0;
}

/*
 * Whether the rows' lines were kept (--labels), on any process: one that
 * read no rows may have no array of them.  Collective.  When so, every
 * process gets one, so that the lines move with the rows.
 */
static int
keep_lines(struct dataset *ds)
{
	int mine = ds->lines != NULL || ds->left_out != NULL, any = mine;

	MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	if (any && ds->lines == NULL)
		ds->lines = malloc(sizeof *ds->lines);
	return any;
}

int
par_distribute(struct dataset *ds, struct gm_error *err)
{
	struct par_dist *dd;
	size_t total, lo, *tgt;
	int ok, keep;

	if (nproc == 1)
		return GM_OK;
	if (gather_skips(ds))
		return gm_error_oom(err);
	/* A weighted data set whose part here is empty still says it is weighted. */
	if (ds->weight_name != NULL && ds->w == NULL)
		ds->w = malloc(sizeof *ds->w);
	keep = keep_lines(ds);
	tgt = malloc((size_t)(nproc + 1) * sizeof *tgt);
	ok = tgt != NULL && (ds->weight_name == NULL || ds->w != NULL) && (!keep || ds->lines != NULL);
	total = (size_t)par_sum((long long)ds->n);
	lo = (size_t)par_exscan_sum((long long)ds->n);
	if (!all_ok(ok) || (dd = new_dist(0)) == NULL) {
		free(tgt);
		return gm_error_oom(err);
	}
	for (int p = 0; p < nproc; p++)
		tgt[p] = chunk_start(p, total);
	tgt[nproc] = total;
	ok = move_rows(&ds->x, &ds->w, &ds->lines, &ds->n, ds->d, lo, tgt) == 0;
	free(tgt);
	if (ok && keep)
		ok = move_left_out(ds, ds->n) == 0;
	if (!ok) {
		free_dist(dd);
		return gm_error_set(err, GM_EINTERNAL, NULL, 0, 0,
				    "out of memory, or a process's share of more than 2^31 values");
	}
	set_dist(dd, ds->n);
	ds->dist = dd;
	ds->spread = &spread;
	ds->row0 = dd->lo;
	ds->dist->chunked = 1;
	ds->nhere = ds->n;
	ds->n = total;
	sets[0] = ds;
	serving = 1;
	return GM_OK;
}

/* ------------------------------------------------------------ samples */

/* Rows of [lo, hi) whose global index is a multiple of step. */
static size_t
first_multiple(size_t lo, size_t step)
{
	return (lo + step - 1) / step * step;
}

static size_t
count_every(size_t lo, size_t hi, size_t step)
{
	size_t a = first_multiple(lo, step);

	return a < hi ? (hi - 1 - a) / step + 1 : 0;
}

/*
 * This process's rows of dataset_every, sent to rank 0 as strided types
 * (no copy, nothing allocated): the values, then, when asked for and
 * held, the weights.
 */
static void
send_every(const struct dataset *ds, size_t step, int weights)
{
	const struct par_dist *dd = ds->dist;
	size_t c = count_every(dd->lo, dd->hi, step), a = first_multiple(dd->lo, step) - dd->lo;
	MPI_Datatype t;

	if (c == 0)
		return;
	if (c == 1) {
		/* One row: no stride, which might not fit an int. */
		MPI_Send(ds->x + a * ds->d, (int)ds->d, MPI_DOUBLE, 0, TAG_DATA, MPI_COMM_WORLD);
		if (weights && ds->w != NULL)
			MPI_Send(ds->w + a, 1, MPI_DOUBLE, 0, TAG_DATA, MPI_COMM_WORLD);
		return;
	}
	MPI_Type_vector((int)c, (int)ds->d, (int)(step * ds->d), MPI_DOUBLE, &t);
	MPI_Type_commit(&t);
	MPI_Send(ds->x + a * ds->d, 1, t, 0, TAG_DATA, MPI_COMM_WORLD);
	MPI_Type_free(&t);
	if (weights && ds->w != NULL) {
		MPI_Type_vector((int)c, 1, (int)step, MPI_DOUBLE, &t);
		MPI_Type_commit(&t);
		MPI_Send(ds->w + a, 1, t, 0, TAG_DATA, MPI_COMM_WORLD);
		MPI_Type_free(&t);
	}
}

static size_t
spread_every(const struct dataset *ds, size_t step, double *x, double *w)
{
	const struct par_dist *dd = ds->dist;
	const size_t d = ds->d;
	size_t m = 0;

	send_all(CMD_EVERY, dd->id, (long long)step, w != NULL);
	for (int p = 0; p < nproc; p++) {
		size_t c = count_every(dd->start[p], dd->start[p + 1], step);
		if (c == 0)
			continue;
		if (p == 0) {
			size_t j = 0;
			for (size_t i = first_multiple(dd->lo, step); i < dd->hi; i += step, j++) {
				memcpy(x + (m + j) * d, ds->x + (i - dd->lo) * d, d * sizeof *x);
				if (w != NULL)
					w[m + j] = ds->w ? ds->w[i - dd->lo] : 1.0;
			}
		} else {
			MPI_Recv(x + m * d, (int)(c * d), MPI_DOUBLE, p, TAG_DATA, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			if (w != NULL && ds->w != NULL)
				MPI_Recv(w + m, (int)c, MPI_DOUBLE, p, TAG_DATA, MPI_COMM_WORLD,
					 MPI_STATUS_IGNORE);
			else if (w != NULL)
				for (size_t j = 0; j < c; j++)
					w[m + j] = 1.0;
		}
		m += c;
	}
	return m;
}

/* ------------------------------------------------------------ chunks and jobs */

int
par_all_ok(int ok)
{
	return nproc == 1 ? ok : all_ok(ok);
}

void
par_bcast(double *buf, size_t n)
{
	if (nproc > 1)
		MPI_Bcast(buf, (int)n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

/* The chunks process p holds: [*c0, *c1). */
static void
chunks_of(int p, size_t *c0, size_t *c1)
{
	*c0 = (size_t)p * DS_CHUNKS / (size_t)nproc;
	*c1 = (size_t)(p + 1) * DS_CHUNKS / (size_t)nproc;
}

void
par_chunks(size_t *c0, size_t *c1)
{
	chunks_of(rank, c0, c1);
}

int
par_in_chunks(const struct dataset *ds)
{
	return ds->dist != NULL && ds->dist->chunked;
}

void
par_gather_chunks(double *buf, size_t reclen)
{
	size_t c0, c1;

	if (nproc == 1)
		return;
	if (rank != 0) {
		chunks_of(rank, &c0, &c1);
		if (c1 > c0)
			MPI_Send(buf + c0 * reclen, (int)((c1 - c0) * reclen), MPI_DOUBLE, 0, TAG_STATS,
				 MPI_COMM_WORLD);
		return;
	}
	for (int p = 1; p < nproc; p++) {
		chunks_of(p, &c0, &c1);
		if (c1 > c0)
			MPI_Recv(buf + c0 * reclen, (int)((c1 - c0) * reclen), MPI_DOUBLE, p, TAG_STATS,
				 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	}
}

int
par_gather_bytes(const char *buf, size_t len, int ok, par_put put, void *arg)
{
	char *piece = NULL;

	if (nproc == 1)
		return ok ? 0 : -1;
	if (rank == 0)
		ok = ok && (piece = malloc(BYTES_PIECE)) != NULL;
	if (!all_ok(ok)) {
		free(piece);
		return -1;
	}
	if (rank != 0) {
		unsigned long long m = len;
		MPI_Send(&m, 1, MPI_UNSIGNED_LONG_LONG, 0, TAG_BYTES, MPI_COMM_WORLD);
		for (size_t at = 0; at < len; at += BYTES_PIECE)
			MPI_Send(buf + at, (int)(len - at < BYTES_PIECE ? len - at : BYTES_PIECE), MPI_CHAR,
				 0, TAG_BYTES, MPI_COMM_WORLD);
		return 0;
	}
	/* Rank 0: each process's bytes in rank order, a piece at a time. */
	for (int p = 1; p < nproc; p++) {
		unsigned long long m;
		MPI_Recv(&m, 1, MPI_UNSIGNED_LONG_LONG, p, TAG_BYTES, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		for (unsigned long long at = 0; at < m; at += BYTES_PIECE) {
			size_t c = m - at < BYTES_PIECE ? (size_t)(m - at) : BYTES_PIECE;
			MPI_Recv(piece, (int)c, MPI_CHAR, p, TAG_BYTES, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			put(piece, c, arg);
		}
	}
	free(piece);
	return 0;
}

/*
 * A scan on every process (CMD_SCAN, with the data set's id and q's kind
 * and column): q's state length and parameters from rank 0, once every
 * process has its buffers (ok); then the state st goes from process to
 * process in rank order, which is the rows' order, each carrying it over
 * its own rows (dataset.c), and back to rank 0.  param holds q->nparam
 * values (rank 0's are sent).  0; -1 on every process when one is out
 * of memory before the scan, st untouched; -2 when a step of
 * dataset_scan_add's failed on one, st lost.
 */
static int
scan_all(const struct dataset *ds, const struct dataset_scan *q, double *param, double *st, int ok)
{
	const struct par_dist *dd = ds->dist;

	if (!all_ok(ok))
		return -1;
	if (q->nparam > 0)
		MPI_Bcast(param, (int)q->nparam, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if (dataset_scan_counts(q->kind)) {
		/* Counts: all at once, each from zeros (rank 0 from st), added exactly on rank 0. */
		if (rank != 0)
			memset(st, 0, q->len * sizeof *st);
		ok = dataset_scan_rows(ds, q, dd->lo, dd->hi, st) == 0;
		MPI_Reduce(rank == 0 ? MPI_IN_PLACE : st, st, (int)q->len, MPI_DOUBLE, MPI_SUM, 0,
			   MPI_COMM_WORLD);
		return all_ok(ok) ? 0 : -2;
	}
	if (rank != 0)
		MPI_Recv(st, (int)q->len, MPI_DOUBLE, rank - 1, TAG_STATS, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
	/* A step that fails passes its state on all the same: all then agree. */
	ok = dataset_scan_rows(ds, q, dd->lo, dd->hi, st) == 0;
	MPI_Send(st, (int)q->len, MPI_DOUBLE, (rank + 1) % nproc, TAG_STATS, MPI_COMM_WORLD);
	if (rank == 0)
		MPI_Recv(st, (int)q->len, MPI_DOUBLE, nproc - 1, TAG_STATS, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
	return all_ok(ok) ? 0 : -2;	/* st is lost: no second try */
}

static int
spread_scan(const struct dataset *ds, const struct dataset_scan *q, double *st)
{
	unsigned long long hdr[2] = { q->len, q->nparam };

	if (nproc == 1 || !fits_int(q->len) || !fits_int(q->nparam))
		return -1;
	send_all(CMD_SCAN, ds->dist->id, q->kind, (long long)q->j);
	MPI_Bcast(hdr, 2, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
	return scan_all(ds, q, (double *)q->param, st, 1);
}

static void
serve_scan(const long long *cmd)
{
	unsigned long long hdr[2];
	double *param, *st;
	struct dataset_scan q;

	MPI_Bcast(hdr, 2, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
	param = malloc((hdr[1] ? hdr[1] : 1) * sizeof *param);
	st = malloc((hdr[0] ? hdr[0] : 1) * sizeof *st);
	q = (struct dataset_scan){ (int)cmd[2], (size_t)cmd[3], (size_t)hdr[0], param, (size_t)hdr[1] };
	scan_all(sets[cmd[1]], &q, param, st, param != NULL && st != NULL);
	free(param);
	free(st);
}

int
par_job_add(par_job fn)
{
	for (int i = 0; i < MAX_JOBS; i++)
		if (jobs[i] == NULL || jobs[i] == fn) {
			jobs[i] = fn;
			return i;
		}
	return -1;
}

void
par_job_start(int id, long long a, long long b)
{
	send_all(CMD_JOB, id, a, b);
}

/* ------------------------------------------------------------ sorting */

/* The total order of the sort (dataset.c's sort_with): value, then weight. */
static int
key_less(double xa, double wa, double xb, double wb)
{
	return xa < xb || (!(xb < xa) && wa < wb);
}

/*
 * Rank 0: P - 1 splitters (nsplit of them: none when no process has a
 * value) from the candidates all (nproc * SAMPLES triples: value,
 * weight, valid), put in order by insertion (a few thousand at most).
 */
static int
choose_splitters(double *all, double *split)
{
	size_t m = 0;
	int nsplit = 0;

	for (size_t i = 0; i < (size_t)nproc * SAMPLES; i++) {
		double cx, cw;
		size_t j;
		if (!(all[i * 3 + 2] > 0.5))
			continue;
		cx = all[i * 3];
		cw = all[i * 3 + 1];
		for (j = m; j > 0 && key_less(cx, cw, all[(j - 1) * 3], all[(j - 1) * 3 + 1]); j--) {
			all[j * 3] = all[(j - 1) * 3];
			all[j * 3 + 1] = all[(j - 1) * 3 + 1];
		}
		all[j * 3] = cx;
		all[j * 3 + 1] = cw;
		m++;
	}
	if (m > 0)
		for (int p = 1; p < nproc; p++) {
			size_t j = (size_t)p * m / (size_t)nproc;
			split[nsplit * 2] = all[j * 3];
			split[nsplit * 2 + 1] = all[j * 3 + 1];
			nsplit++;
		}
	return nsplit;
}

/*
 * Where each process's piece of this process's sorted (x, w) begins:
 * process p gets the values from split p - 1 (inclusive) to split p.
 */
static void
cut_pieces(const double *x, const double *w, size_t n, const double *split, int nsplit,
	   size_t *tgt)
{
	size_t i = 0;

	tgt[0] = 0;
	for (int p = 0; p < nproc; p++) {
		if (p < nsplit)
			while (i < n && key_less(x[i], w ? w[i] : 0.0, split[p * 2], split[p * 2 + 1]))
				i++;
		else
			i = n;
		tgt[p + 1] = i;
	}
}

/*
 * Sample sort of (x, w) across the processes; the pieces are replaced.
 * Collective: 0, or -1 on every process (out of memory, or more values
 * than MPI counts take), the values then still this process's, perhaps
 * in another order.
 */
static int
dsort(double **px, double **pw, size_t *pn, int threads)
{
	double *x = *px, *w = *pw, smp[SAMPLES * 3], *all = NULL, *nx = NULL, *nw = NULL;
	double *split = malloc((size_t)nproc * 2 * sizeof *split);
	size_t n = *pn, m = 0, *tgt = malloc((size_t)(nproc + 1) * sizeof *tgt);
	struct exchange e = { NULL, NULL, NULL, NULL };
	int nsplit = 0, ok = split != NULL && tgt != NULL && exchange_init(&e) == 0 && fits_int(n);

	if (ok && rank == 0)
		ok = (all = malloc((size_t)nproc * SAMPLES * 3 * sizeof *all)) != NULL;
	if (!all_ok(ok))
		goto fail;
	sort_with(x, w, n, threads);
	/* Candidates: SAMPLES evenly spaced values of each process's sorted part. */
	for (int s = 0; s < SAMPLES; s++) {
		size_t i = n ? (size_t)(((unsigned long long)s * 2 + 1) * n / (SAMPLES * 2)) : 0;
		smp[s * 3] = n ? x[i] : 0.0;
		smp[s * 3 + 1] = n && w ? w[i] : 0.0;
		smp[s * 3 + 2] = n ? 1.0 : 0.0;
	}
	MPI_Gather(smp, SAMPLES * 3, MPI_DOUBLE, all, SAMPLES * 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if (rank == 0)
		nsplit = choose_splitters(all, split);
	MPI_Bcast(&nsplit, 1, MPI_INT, 0, MPI_COMM_WORLD);
	MPI_Bcast(split, nsplit * 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	cut_pieces(x, w, n, split, nsplit, tgt);
	/* Send each piece to its process: an all-to-all by counts. */
	for (int p = 0; p < nproc; p++) {
		e.sc[p] = (int)(tgt[p + 1] - tgt[p]);
		e.sd[p] = (int)tgt[p];
	}
	MPI_Alltoall(e.sc, 1, MPI_INT, e.rc, 1, MPI_INT, MPI_COMM_WORLD);
	ok = exchange_displs(&e, &m) == 0;
	if (ok) {
		nx = malloc((m ? m : 1) * sizeof *nx);
		nw = w ? malloc((m ? m : 1) * sizeof *nw) : NULL;
		ok = nx != NULL && (w == NULL || nw != NULL);
	}
	if (!all_ok(ok))
		goto fail;
	MPI_Alltoallv(x, e.sc, e.sd, MPI_DOUBLE, nx, e.rc, e.rd, MPI_DOUBLE, MPI_COMM_WORLD);
	if (w)
		MPI_Alltoallv(w, e.sc, e.sd, MPI_DOUBLE, nw, e.rc, e.rd, MPI_DOUBLE, MPI_COMM_WORLD);
	free(x);
	free(w);
	sort_with(nx, nw, m, threads);
	*px = nx;
	*pw = nw;
	*pn = m;
	free(all);
	free(split);
	free(tgt);
	free(e.sc);
	return 0;
fail:
	free(nx);
	free(nw);
	free(all);
	free(split);
	free(tgt);
	free(e.sc);
	return -1;
}

/*
 * Sort a one-column distributed data set in place (collective); 0, or
 * -1 on every process with the data set as it was, but for the order of
 * each process's rows.
 */
static int
do_sort(struct dataset *ds)
{
	struct par_dist *dd;
	size_t n = ds->dist->hi - ds->dist->lo;

	/* A weighted data set whose part here may end empty still says it is weighted. */
	if (ds->weight_name != NULL && ds->w == NULL)
		ds->w = malloc(sizeof *ds->w);
	if (!all_ok(ds->weight_name == NULL || ds->w != NULL) ||
	    (dd = new_dist(ds->dist->id)) == NULL)
		return -1;
	if (dsort(&ds->x, &ds->w, &n, ds->threads)) {
		free_dist(dd);
		return -1;
	}
	set_dist(dd, n);
	free_dist(ds->dist);
	ds->dist = dd;
	ds->row0 = dd->lo;
	ds->nhere = n;
	ds->sorted = 1;
	return 0;
}

static int
spread_sort(struct dataset *ds)
{
	send_all(CMD_SORT, ds->dist->id, 0, 0);
	return do_sort(ds);
}

static int
free_id(void)
{
	for (int i = 1; i < MAX_SETS; i++)
		if (sets[i] == NULL)
			return i;
	return -1;
}

static void
drop(struct dataset *s)
{
	if (s == NULL)
		return;
	free(s->x);
	free(s->w);
	free_dist(s->dist);
	free(s);
}

/*
 * Column c of ds, sorted across the processes, as data set id
 * (collective).  NULL on every process when one is out of memory.
 */
static struct dataset *
sorted_column(const struct dataset *ds, size_t c, int id)
{
	struct dataset *s = calloc(1, sizeof *s);
	size_t n = ds->dist->hi - ds->dist->lo, m = n;
	int ok = s != NULL;

	if (ok) {
		s->d = 1;
		s->n = ds->n;
		s->x = malloc((n ? n : 1) * sizeof *s->x);
		s->w = ds->w != NULL ? malloc((n ? n : 1) * sizeof *s->w) : NULL;
		ok = s->x != NULL && (ds->w == NULL || s->w != NULL);
	}
	if (!all_ok(ok) || (s->dist = new_dist(id)) == NULL) {
		drop(s);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		s->x[i] = ds->x[i * ds->d + c];
	if (ds->w != NULL)
		memcpy(s->w, ds->w, n * sizeof *s->w);
	s->weight_name = ds->weight_name;	/* borrowed: only a flag here */
	s->threads = ds->threads;
	if (dsort(&s->x, &s->w, &m, s->threads)) {
		drop(s);
		return NULL;
	}
	set_dist(s->dist, m);
	s->spread = &spread;
	s->row0 = s->dist->lo;
	s->nhere = m;
	s->sorted = 1;
	sets[id] = s;
	return s;
}

static struct dataset *
spread_sorted_column(const struct dataset *ds, size_t c)
{
	int id = free_id();

	if (id < 0)
		return NULL;	/* more sorted columns at once than the table holds */
	send_all(CMD_SORTCOL, ds->dist->id, (long long)c, id);
	return sorted_column(ds, c, id);
}

static void
drop_set(int id)
{
	drop(sets[id]);
	sets[id] = NULL;
}

static void
spread_free_column(struct dataset *ds)
{
	int id;

	if (ds == NULL)
		return;
	id = ds->dist->id;
	send_all(CMD_FREE, id, 0, 0);
	drop_set(id);
}

/* ------------------------------------------------------------ serving */

/* Rank 0's next command, waited for without holding a core. */
static void
next_cmd(long long *cmd)
{
	/*
	 * MPI's blocking receive polls, and rank 0 may work alone for a
	 * while (the figure, the starting values): a short spin first, for
	 * requests that come in quick succession, then naps.
	 */
	MPI_Request req;
	int flag = 0;

	MPI_Irecv(cmd, 4, MPI_LONG_LONG, 0, TAG_CMD, MPI_COMM_WORLD, &req);
	for (unsigned spin = 0; !flag; spin++) {
		MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
		if (!flag && spin > 1000) {
			struct timespec ts = { 0, 100000 };
			nanosleep(&ts, NULL);
		}
	}
}

/*
 * A step that fails on a serving process fails on rank 0 too (each one
 * agrees with all_ok), which reports it: the server itself goes on.
 */
int
par_serve(struct dataset *ds, int threads)
{
	long long cmd[4];

	(void)ds;
	for (;;) {
		next_cmd(cmd);
		switch (cmd[0]) {
		case CMD_STOP:
			return (int)cmd[1];
		case CMD_JOB:
			if (cmd[1] < 0 || cmd[1] >= MAX_JOBS || jobs[cmd[1]] == NULL)
				return GM_EINTERNAL;
			jobs[cmd[1]](sets[0], cmd + 2, threads);
			break;
		case CMD_SORT:
			do_sort(sets[cmd[1]]);
			break;
		case CMD_SORTCOL:
			sorted_column(sets[cmd[1]], (size_t)cmd[2], (int)cmd[3]);
			break;
		case CMD_FREE:
			drop_set((int)cmd[1]);
			break;
		case CMD_EVERY:
			send_every(sets[cmd[1]], (size_t)cmd[2], (int)cmd[3]);
			break;
		case CMD_SCAN:
			serve_scan(cmd);
			break;
		default:
			return GM_EINTERNAL;	/* an impossible state: rank 0 sent no such thing */
		}
	}
}

static void
spread_release(struct dataset *ds)
{
	free_dist(ds->dist);
	ds->dist = NULL;
	ds->spread = NULL;
}

static const struct dataset_spread spread = {
	spread_every, spread_sort, spread_scan, spread_sorted_column, spread_free_column,
	spread_release
};

#endif
