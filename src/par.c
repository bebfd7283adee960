/*
 * par.c - running on several processes with MPI (see par.h).
 *
 * DESIGN
 *
 * One code path for the maths.  Rank 0 runs the whole program as a
 * single process would; the data it works on is distributed: each
 * process holds a contiguous part of the rows, and rank 0 reads the
 * others' rows through the accessors ds_x and ds_w (dataset.h), which
 * fetch windows of rows from their owner on demand.  The other ranks,
 * once their share is read, only serve rank 0 (par_serve): they send
 * rows, run EM passes over their rows, and take part in sorts.  So every
 * sum outside the EM pass is the same sequence of additions, in the same
 * order, as in one process, and its bits are the same.
 *
 * The EM pass is where the work is, and it runs on all processes at
 * once.  Its sums are already fixed by the data alone (em.c): 64 chunks
 * of consecutive 512-row blocks, each chunk's blocks merged in order,
 * then the chunks in order.  par_distribute hands each process whole
 * chunks (process p gets chunks p*64/P to (p+1)*64/P - 1), so every
 * process computes its chunks' statistics exactly as one process would,
 * and rank 0 merges all 64 in order.  The report, the JSON and the
 * figure's files are therefore the same bytes for any number of
 * processes.  The price: at most 64 processes do EM work, and the
 * 64 chunks' statistics, K (1 + d + d^2) + 2 doubles each, travel to
 * rank 0 every pass.
 *
 * Sorting (the KS distance, the CDF, the histogram's quantiles) is a
 * sample sort across the processes under the total order
 * (value, weight), which is also the order of the one-process sort,
 * so the sorted sequence is the same.
 *
 * Reading: each process maps the file and reads its own byte range
 * (csvread.c); ranges begin at record boundaries found from the parity
 * of quote characters counted from the start of the data, so a quoted
 * field with an embedded newline never splits.  With --shard each
 * process reads its own file.
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

#include "em.h"
#include "gmm.h"
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
 * would run the whole fit in each and write the same files at once: say
 * so (from the first process only) and stop.
 */
void
par_init(int *argc, char ***argv)
{
	const char *size = getenv("OMPI_COMM_WORLD_SIZE"), *rank = getenv("OMPI_COMM_WORLD_RANK");

	(void)argc;
	(void)argv;
	if (size == NULL) {
		size = getenv("PMI_SIZE");
		rank = getenv("PMI_RANK");
	}
	if (size == NULL || atoi(size) <= 1)
		return;
	if (rank == NULL || atoi(rank) == 0)
		fprintf(stderr, "gmmfit: this gmmfit was built without MPI: run it alone, "
			"or build it with ./configure --with-mpi\n");
	exit(GM_EUSAGE);
}
int par_rank(void) { return 0; }
int par_size(void) { return 1; }
int par_finish(int rc) { return rc; }
int par_agree(int rc, struct gm_error *err) { (void)err; return rc; }
int par_same_text(const char *s) { (void)s; return 1; }
long long par_exscan_sum(long long v) { (void)v; return 0; }
int par_exscan_xor(int v) { (void)v; return 0; }
long long par_sum(long long v) { return v; }
int par_distribute(struct dataset *ds, struct gm_error *err) { (void)ds; (void)err; return GM_OK; }
int par_serve(struct dataset *ds, int threads) { (void)ds; (void)threads; return GM_OK; }
const double *par_rows(const struct dataset *ds, size_t i, size_t m) { (void)m; return ds->x + i * ds->d; }
const double *par_weights(const struct dataset *ds, size_t i, size_t m) { (void)m; return ds->w ? ds->w + i : NULL; }
void par_em_pass(const struct dataset *ds, const struct gmm *g, int want, struct em_stats *slot, int threads)
{ (void)ds; (void)g; (void)want; (void)slot; (void)threads; abort(); }
void par_sort(struct dataset *ds) { (void)ds; abort(); }
size_t par_every(const struct dataset *ds, size_t step, double *x, double *w)
{ (void)ds; (void)step; (void)x; (void)w; abort(); }
struct dataset *par_sorted_column(const struct dataset *ds, size_t c) { (void)ds; (void)c; abort(); }
void par_free_dataset(struct dataset *ds) { (void)ds; }
void par_release(struct dataset *ds) { (void)ds; }

#else

#include <mpi.h>

#define WINDOW 65536		/* rows rank 0 fetches at a time */
#define MAX_SETS 16		/* distributed data sets alive at once */
#define SAMPLES 32		/* splitter candidates per process in a sort */

enum { TAG_CMD = 1, TAG_DATA, TAG_STATS };
enum { CMD_STOP, CMD_ROWS, CMD_PASS, CMD_SORT, CMD_SORTCOL, CMD_FREE, CMD_EVERY };

/* What a distributed data set knows of its spread. */
struct ds_dist {
	int id;			/* its number in every process's table */
	int chunked;		/* rows held as whole EM chunks, in file order */
	size_t lo, hi;		/* global rows [lo, hi) held here */
	size_t *start;		/* P + 1: process p holds [start[p], start[p + 1]) */
	size_t wlo, whi, wcap;	/* rank 0: the window of another process's rows */
	double *wx, *ww;
};

static int rank, nproc = 1, active, serving, stderr_fd = -1;
static struct dataset *sets[MAX_SETS];

/* A fault no process can recover from: say so on the real stderr, stop all. */
static void
fatal(const char *what)
{
	if (stderr_fd >= 0) {
		char msg[256];
		int n = snprintf(msg, sizeof msg, "gmmfit: process %d: %s\n", rank, what);
		if (n > 0 && write(stderr_fd, msg, (size_t)n) < 0)
			n = 0;
	}
	MPI_Abort(MPI_COMM_WORLD, 1);
	abort();
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

void
par_init(int *argc, char ***argv)
{
	int provided;

	/* Only under a launcher: alone, the program is the plain one. */
	if (getenv("OMPI_COMM_WORLD_SIZE") == NULL && getenv("PMIX_RANK") == NULL &&
	    getenv("PMI_RANK") == NULL && getenv("PMI_SIZE") == NULL)
		return;
	if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
		return;
	active = 1;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &nproc);
	stderr_fd = dup(STDERR_FILENO);
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
	if (nproc > 1 && getenv("OMP_NUM_THREADS") == NULL) {
		/* The cores of a node shared among its processes. */
		MPI_Comm node;
		int local = 1;
		if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank,
					MPI_INFO_NULL, &node) == MPI_SUCCESS) {
			MPI_Comm_size(node, &local);
			MPI_Comm_free(&node);
		}
		omp_set_num_threads(omp_get_num_procs() / local > 1 ? omp_get_num_procs() / local : 1);
	}
#endif
}

int par_rank(void) { return rank; }
int par_size(void) { return nproc; }

/* Counts and displacements of an all-to-all, as MPI wants them (int). */
static int
to_int(size_t v)
{
	if (v > 0x7fffffff)
		fatal("a message of more than 2^31 values: use more processes");
	return (int)v;
}


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
	char *t;
	int same;

	if (nproc == 1)
		return 1;
	MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
	t = xmalloc(len + 1);
	if (rank == 0)
		memcpy(t, s, len + 1);
	MPI_Bcast(t, to_int(len + 1), MPI_CHAR, 0, MPI_COMM_WORLD);
	same = strcmp(s, t) == 0;
	free(t);
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

/* First global row of the chunks process p holds, for n rows. */
static size_t
chunk_start(int p, size_t n)
{
	size_t nblocks = (n + EM_BLOCK - 1) / EM_BLOCK;
	size_t c = (size_t)p * EM_CHUNKS / (size_t)nproc;
	size_t row = c * nblocks / EM_CHUNKS * EM_BLOCK;

	return row < n ? row : n;
}

static struct ds_dist *
new_dist(size_t nlocal, int id)
{
	struct ds_dist *dd = calloc(1, sizeof *dd);
	unsigned long long m = nlocal, *all;

	if (dd == NULL)
		fatal("out of memory");
	dd->id = id;
	dd->start = xmalloc((size_t)(nproc + 1) * sizeof *dd->start);
	all = xmalloc((size_t)nproc * sizeof *all);
	MPI_Allgather(&m, 1, MPI_UNSIGNED_LONG_LONG, all, 1, MPI_UNSIGNED_LONG_LONG, MPI_COMM_WORLD);
	dd->start[0] = 0;
	for (int p = 0; p < nproc; p++)
		dd->start[p + 1] = dd->start[p] + (size_t)all[p];
	dd->lo = dd->start[rank];
	dd->hi = dd->start[rank + 1];
	free(all);
	return dd;
}

static void
free_dist(struct ds_dist *dd)
{
	if (dd == NULL)
		return;
	free(dd->start);
	free(dd->wx);
	free(dd->ww);
	free(dd);
}

/*
 * Move rows so that process p holds global rows [tgt[p], tgt[p + 1]);
 * they are now [lo, lo + n) here.  x (n*d) and w (n, or NULL) replaced.
 */
static void
move_rows(double **x, double **w, size_t *n, size_t d, size_t lo, const size_t *tgt)
{
	int *sc = xmalloc((size_t)nproc * sizeof *sc), *sd = xmalloc((size_t)nproc * sizeof *sd);
	int *rc = xmalloc((size_t)nproc * sizeof *rc), *rd = xmalloc((size_t)nproc * sizeof *rd);
	size_t hi = lo + *n, mine = tgt[rank + 1] - tgt[rank];
	double *nx = xmalloc(mine * d * sizeof *nx), *nw = *w ? xmalloc(mine * sizeof *nw) : NULL;
	size_t off = 0;

	for (int p = 0; p < nproc; p++) {
		size_t a = tgt[p] > lo ? tgt[p] : lo, b = tgt[p + 1] < hi ? tgt[p + 1] : hi;
		sc[p] = to_int(b > a ? b - a : 0);
		sd[p] = to_int(a > lo && b > a ? a - lo : 0);
	}
	MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, MPI_COMM_WORLD);
	for (int p = 0; p < nproc; p++) {
		rd[p] = to_int(off);
		off += (size_t)rc[p];
	}
	if (off != mine)
		fatal("rows lost in the exchange");
	if (nw != NULL)
		MPI_Alltoallv(*w, sc, sd, MPI_DOUBLE, nw, rc, rd, MPI_DOUBLE, MPI_COMM_WORLD);
	for (int p = 0; p < nproc; p++) {
		sc[p] = to_int((size_t)sc[p] * d);
		sd[p] = to_int((size_t)sd[p] * d);
		rc[p] = to_int((size_t)rc[p] * d);
		rd[p] = to_int((size_t)rd[p] * d);
	}
	MPI_Alltoallv(*x, sc, sd, MPI_DOUBLE, nx, rc, rd, MPI_DOUBLE, MPI_COMM_WORLD);
	free(*x);
	free(*w);
	*x = nx;
	*w = nw;
	*n = mine;
	free(sc);
	free(sd);
	free(rc);
	free(rd);
}

int
par_distribute(struct dataset *ds, struct gm_error *err)
{
	long long info[2 + DATASET_SKIP_LINES], *all = NULL;
	size_t total, lo, *tgt;

	(void)err;
	if (nproc == 1)
		return GM_OK;
	/* Rows skipped for a missing value: counts and first lines, to rank 0. */
	info[0] = (long long)ds->skipped;
	info[1] = (long long)ds->skipped_zero;
	for (int i = 0; i < DATASET_SKIP_LINES; i++)
		info[2 + i] = ds->skip_lines[i];
	if (rank == 0)
		all = xmalloc((size_t)nproc * sizeof info);
	MPI_Gather(info, 2 + DATASET_SKIP_LINES, MPI_LONG_LONG, all, 2 + DATASET_SKIP_LINES,
		   MPI_LONG_LONG, 0, MPI_COMM_WORLD);
	if (rank == 0) {
		size_t sk = 0, sz = 0;
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
	}
	if (ds->weight_name != NULL && ds->w == NULL)
		ds->w = xmalloc(sizeof *ds->w);
	total = (size_t)par_sum((long long)ds->n);
	lo = (size_t)par_exscan_sum((long long)ds->n);
	tgt = xmalloc((size_t)(nproc + 1) * sizeof *tgt);
	for (int p = 0; p < nproc; p++)
		tgt[p] = chunk_start(p, total);
	tgt[nproc] = total;
	move_rows(&ds->x, &ds->w, &ds->n, ds->d, lo, tgt);
	free(tgt);
	ds->dist = new_dist(ds->n, 0);
	ds->dist->chunked = 1;
	ds->n = total;
	sets[0] = ds;
	serving = 1;
	return GM_OK;
}

/* ------------------------------------------------------------ rows */

static int
owner(const struct ds_dist *dd, size_t i)
{
	int a = 0, b = nproc - 1;

	while (a < b) {		/* the last p with start[p] <= i, holding rows */
		int m = (a + b + 1) / 2;
		if (dd->start[m] <= i)
			a = m;
		else
			b = m - 1;
	}
	while (a > 0 && dd->start[a] == dd->start[a + 1] && dd->start[a] > i)
		a--;
	return a;
}

static void
fetch(const struct dataset *ds, size_t i, size_t m)
{
	struct ds_dist *dd = ds->dist;
	int p = owner(dd, i);
	size_t end = dd->start[p + 1], cnt;

	if (i + m > end)
		fatal("a read of rows across two processes");
	/* Whole windows when the reads go on in order; a few rows when they jump. */
	cnt = dd->whi == 0 || (i >= dd->whi && i <= dd->whi + WINDOW / 8) ? WINDOW : 64;
	if (cnt < m)
		cnt = m;
	if (cnt > end - i)
		cnt = end - i;
	if (cnt > dd->wcap) {
		free(dd->wx);
		free(dd->ww);
		dd->wx = xmalloc(cnt * ds->d * sizeof *dd->wx);
		dd->ww = ds->w ? xmalloc(cnt * sizeof *dd->ww) : NULL;
		dd->wcap = cnt;
	}
	send_cmd(p, CMD_ROWS, dd->id, (long long)i, (long long)cnt);
	MPI_Recv(dd->wx, to_int(cnt * ds->d), MPI_DOUBLE, p, TAG_DATA, MPI_COMM_WORLD,
		 MPI_STATUS_IGNORE);
	if (ds->w != NULL)
		MPI_Recv(dd->ww, to_int(cnt), MPI_DOUBLE, p, TAG_DATA, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
	dd->wlo = i;
	dd->whi = i + cnt;
}

const double *
par_rows(const struct dataset *ds, size_t i, size_t m)
{
	struct ds_dist *dd = ds->dist;

	if (i >= dd->lo && i + m <= dd->hi)
		return ds->x + (i - dd->lo) * ds->d;
	if (!(i >= dd->wlo && i + m <= dd->whi))
		fetch(ds, i, m);
	return dd->wx + (i - dd->wlo) * ds->d;
}

const double *
par_weights(const struct dataset *ds, size_t i, size_t m)
{
	struct ds_dist *dd = ds->dist;

	if (ds->w == NULL)
		return NULL;
	if (i >= dd->lo && i + m <= dd->hi)
		return ds->w + (i - dd->lo);
	if (!(i >= dd->wlo && i + m <= dd->whi))
		fetch(ds, i, m);
	return dd->ww + (i - dd->wlo);
}

static void
serve_rows(const long long *cmd)
{
	const struct dataset *ds = cmd[1] >= 0 && cmd[1] < MAX_SETS ? sets[cmd[1]] : NULL;
	size_t i = (size_t)cmd[2], cnt = (size_t)cmd[3];

	if (ds == NULL || i < ds->dist->lo || i + cnt > ds->dist->hi)
		fatal("a request for rows this process does not hold");
	MPI_Send(ds->x + (i - ds->dist->lo) * ds->d, to_int(cnt * ds->d), MPI_DOUBLE, 0,
		 TAG_DATA, MPI_COMM_WORLD);
	if (ds->w != NULL)
		MPI_Send(ds->w + (i - ds->dist->lo), to_int(cnt), MPI_DOUBLE, 0, TAG_DATA,
			 MPI_COMM_WORLD);
}

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

/* This process's rows of dataset_every, packed: the values, then the weights. */
static size_t
pack_every(const struct dataset *ds, size_t step, double *b)
{
	const struct ds_dist *dd = ds->dist;
	size_t m = count_every(dd->lo, dd->hi, step), j = 0;

	for (size_t i = first_multiple(dd->lo, step); i < dd->hi; i += step, j++) {
		memcpy(b + j * ds->d, ds->x + (i - dd->lo) * ds->d, ds->d * sizeof *b);
		b[m * ds->d + j] = ds->w ? ds->w[i - dd->lo] : 1.0;
	}
	return m;
}

size_t
par_every(const struct dataset *ds, size_t step, double *x, double *w)
{
	const struct ds_dist *dd = ds->dist;
	const size_t d = ds->d;
	size_t m = 0, most = 0;
	double *b;

	send_all(CMD_EVERY, dd->id, (long long)step, 0);
	for (int p = 0; p < nproc; p++) {
		size_t c = count_every(dd->start[p], dd->start[p + 1], step);
		most = c > most ? c : most;
	}
	b = xmalloc(most * (d + 1) * sizeof *b);
	for (int p = 0; p < nproc; p++) {
		size_t c = count_every(dd->start[p], dd->start[p + 1], step);
		if (c == 0)
			continue;
		if (p == 0)
			pack_every(ds, step, b);
		else
			MPI_Recv(b, to_int(c * (d + 1)), MPI_DOUBLE, p, TAG_DATA, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
		memcpy(x + m * d, b, c * d * sizeof *x);
		if (w != NULL)
			memcpy(w + m, b + c * d, c * sizeof *w);
		m += c;
	}
	free(b);
	return m;
}

static void
serve_every(const long long *cmd)
{
	const struct dataset *ds = sets[cmd[1]];
	size_t step = (size_t)cmd[2], c = count_every(ds->dist->lo, ds->dist->hi, step);
	double *b;

	if (c == 0)
		return;
	b = xmalloc(c * (ds->d + 1) * sizeof *b);
	pack_every(ds, step, b);
	MPI_Send(b, to_int(c * (ds->d + 1)), MPI_DOUBLE, 0, TAG_DATA, MPI_COMM_WORLD);
	free(b);
}

/* ------------------------------------------------------------ EM */

static size_t
stats_len(size_t k, size_t d)
{
	return k + k * d + k * d * d + 2;
}

static void
pack_stats(const struct em_stats *s, double *b)
{
	const size_t k = s->k, d = s->d;

	memcpy(b, s->s0, k * sizeof *b);
	memcpy(b + k, s->mean, k * d * sizeof *b);
	memcpy(b + k + k * d, s->m2, k * d * d * sizeof *b);
	b[k + k * d + k * d * d] = s->loglik;
	b[k + k * d + k * d * d + 1] = s->loglik_c;
}

static void
unpack_stats(struct em_stats *s, const double *b)
{
	const size_t k = s->k, d = s->d;

	memcpy(s->s0, b, k * sizeof *b);
	memcpy(s->mean, b + k, k * d * sizeof *b);
	memcpy(s->m2, b + k + k * d, k * d * d * sizeof *b);
	s->loglik = b[k + k * d + k * d * d];
	s->loglik_c = b[k + k * d + k * d * d + 1];
}

/* The model as a flat array: k, d, type, then its arrays. */
static size_t
gmm_len(size_t k, size_t d)
{
	return 3 + 3 * k + k * d + 2 * k * d * d;
}

static void
pack_gmm(const struct gmm *g, double *b)
{
	const size_t k = g->k, d = g->d;

	b[0] = (double)k;
	b[1] = (double)d;
	b[2] = (double)g->cov_type;
	b += 3;
	memcpy(b, g->weight, k * sizeof *b);
	memcpy(b + k, g->logw, k * sizeof *b);
	memcpy(b + 2 * k, g->logdet, k * sizeof *b);
	memcpy(b + 3 * k, g->mean, k * d * sizeof *b);
	memcpy(b + 3 * k + k * d, g->cov, k * d * d * sizeof *b);
	memcpy(b + 3 * k + k * d + k * d * d, g->chol, k * d * d * sizeof *b);
}

static struct gmm *
unpack_gmm(const double *b)
{
	const size_t k = (size_t)b[0], d = (size_t)b[1];
	struct gmm *g = gmm_new(k, d, (enum gmm_cov)(int)b[2]);

	if (g == NULL)
		fatal("out of memory");
	b += 3;
	memcpy(g->weight, b, k * sizeof *b);
	memcpy(g->logw, b + k, k * sizeof *b);
	memcpy(g->logdet, b + 2 * k, k * sizeof *b);
	memcpy(g->mean, b + 3 * k, k * d * sizeof *b);
	memcpy(g->cov, b + 3 * k + k * d, k * d * d * sizeof *b);
	memcpy(g->chol, b + 3 * k + k * d + k * d * d, k * d * d * sizeof *b);
	return g;
}

/* The chunks process p holds: [*c0, *c1). */
static void
chunks_of(int p, size_t *c0, size_t *c1)
{
	*c0 = (size_t)p * EM_CHUNKS / (size_t)nproc;
	*c1 = (size_t)(p + 1) * EM_CHUNKS / (size_t)nproc;
}

void
par_em_pass(const struct dataset *ds, const struct gmm *g, int want,
	    struct em_stats *slot, int threads)
{
	const size_t k = g->k, d = g->d, len = stats_len(k, d);
	unsigned long long glen = gmm_len(k, d);
	double *b = xmalloc(glen * sizeof *b), *s;
	size_t c0, c1;

	if (!ds->dist->chunked)
		fatal("an EM pass over rows no longer in chunks");
	pack_gmm(g, b);
	send_all(CMD_PASS, ds->dist->id, want, (long long)glen);
	MPI_Bcast(b, (int)glen, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	free(b);
	chunks_of(0, &c0, &c1);
	if (em_pass_chunks(ds, g, want, slot, c0, c1, ds->dist->lo, threads))
		fatal("out of memory");
	s = xmalloc(EM_CHUNKS * len * sizeof *s);
	for (int p = 1; p < nproc; p++) {
		chunks_of(p, &c0, &c1);
		if (c1 == c0)
			continue;
		MPI_Recv(s, to_int((c1 - c0) * len), MPI_DOUBLE, p, TAG_STATS, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		for (size_t c = c0; c < c1; c++)
			unpack_stats(&slot[c], s + (c - c0) * len);
	}
	free(s);
}

static void
serve_pass(const long long *cmd, int threads)
{
	const struct dataset *ds = sets[0];
	size_t glen = (size_t)cmd[3], c0, c1, len;
	double *b = xmalloc(glen * sizeof *b), *s;
	struct em_stats slot[EM_CHUNKS];
	struct gmm *g;
	int full;

	MPI_Bcast(b, to_int(glen), MPI_DOUBLE, 0, MPI_COMM_WORLD);
	g = unpack_gmm(b);
	free(b);
	chunks_of(rank, &c0, &c1);
	if (c1 == c0) {
		gmm_free(g);
		return;
	}
	full = g->cov_type == GMM_FULL || g->cov_type == GMM_TIED;
	for (size_t c = c0; c < c1; c++)
		if (em_stats_init(&slot[c], g->k, g->d, full))
			fatal("out of memory");
	if (em_pass_chunks(ds, g, (int)cmd[2], slot, c0, c1, ds->dist->lo, threads))
		fatal("out of memory");
	len = stats_len(g->k, g->d);
	s = xmalloc((c1 - c0) * len * sizeof *s);
	for (size_t c = c0; c < c1; c++) {
		pack_stats(&slot[c], s + (c - c0) * len);
		em_stats_free(&slot[c]);
	}
	MPI_Send(s, to_int((c1 - c0) * len), MPI_DOUBLE, 0, TAG_STATS, MPI_COMM_WORLD);
	free(s);
	gmm_free(g);
}

/* ------------------------------------------------------------ sorting */

/* The total order of the sort (dataset.c's sort_with): value, then weight. */
static int
key_less(double xa, double wa, double xb, double wb)
{
	return xa < xb || (!(xb < xa) && wa < wb);
}

/* Sample sort of (x, w) across the processes; the pieces are replaced. */
static void
dsort(double **px, double **pw, size_t *pn)
{
	double *x = *px, *w = *pw, *smp = xmalloc(SAMPLES * 3 * sizeof *smp), *all = NULL;
	double *split = xmalloc((size_t)nproc * 2 * sizeof *split);
	size_t n = *pn, *tgt = xmalloc((size_t)(nproc + 1) * sizeof *tgt);
	int nsplit = 0;

	sort_with(x, w, n);
	/* Candidates: SAMPLES evenly spaced values of each process's sorted part. */
	for (int s = 0; s < SAMPLES; s++) {
		size_t i = n ? (size_t)(((unsigned long long)s * 2 + 1) * n / (SAMPLES * 2)) : 0;
		smp[s * 3] = n ? x[i] : 0.0;
		smp[s * 3 + 1] = n && w ? w[i] : 0.0;
		smp[s * 3 + 2] = n ? 1.0 : 0.0;
	}
	if (rank == 0)
		all = xmalloc((size_t)nproc * SAMPLES * 3 * sizeof *all);
	MPI_Gather(smp, SAMPLES * 3, MPI_DOUBLE, all, SAMPLES * 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if (rank == 0) {
		/* The valid candidates in order (insertion sort: a few thousand at most). */
		size_t m = 0;
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
		free(all);
	}
	MPI_Bcast(&nsplit, 1, MPI_INT, 0, MPI_COMM_WORLD);
	MPI_Bcast(split, nsplit * 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	/* Process p gets the values from split p - 1 (inclusive) to split p. */
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
	free(smp);
	free(split);
	/* Send each piece to its process: an all-to-all by counts. */
	{
		int *sc = xmalloc((size_t)nproc * sizeof *sc), *sd = xmalloc((size_t)nproc * sizeof *sd);
		int *rc = xmalloc((size_t)nproc * sizeof *rc), *rd = xmalloc((size_t)nproc * sizeof *rd);
		size_t m = 0;
		double *nx, *nw;
		for (int p = 0; p < nproc; p++) {
			sc[p] = to_int(tgt[p + 1] - tgt[p]);
			sd[p] = to_int(tgt[p]);
		}
		MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, MPI_COMM_WORLD);
		for (int p = 0; p < nproc; p++) {
			rd[p] = to_int(m);
			m += (size_t)rc[p];
		}
		nx = xmalloc(m * sizeof *nx);
		nw = w ? xmalloc(m * sizeof *nw) : NULL;
		MPI_Alltoallv(x, sc, sd, MPI_DOUBLE, nx, rc, rd, MPI_DOUBLE, MPI_COMM_WORLD);
		if (w)
			MPI_Alltoallv(w, sc, sd, MPI_DOUBLE, nw, rc, rd, MPI_DOUBLE, MPI_COMM_WORLD);
		free(x);
		free(w);
		sort_with(nx, nw, m);
		*px = nx;
		*pw = nw;
		*pn = m;
		free(sc);
		free(sd);
		free(rc);
		free(rd);
	}
	free(tgt);
}

static void
do_sort(struct dataset *ds)
{
	struct ds_dist *old = ds->dist;
	size_t n = old->hi - old->lo, total = ds->n;

	dsort(&ds->x, &ds->w, &n);
	ds->dist = new_dist(n, old->id);
	if (ds->weight_name != NULL && ds->w == NULL)
		ds->w = xmalloc(sizeof *ds->w);
	free_dist(old);
	ds->n = total;
	ds->sorted = 1;
}

void
par_sort(struct dataset *ds)
{
	send_all(CMD_SORT, ds->dist->id, 0, 0);
	do_sort(ds);
}

static int
free_id(void)
{
	for (int i = 1; i < MAX_SETS; i++)
		if (sets[i] == NULL)
			return i;
	fatal("too many sorted columns at once");
	return -1;
}

static struct dataset *
sorted_column(const struct dataset *ds, size_t c, int id)
{
	struct dataset *s = calloc(1, sizeof *s);
	size_t n = ds->dist->hi - ds->dist->lo, m = n;

	if (s == NULL)
		fatal("out of memory");
	s->d = 1;
	s->n = ds->n;
	s->x = xmalloc(n * sizeof *s->x);
	for (size_t i = 0; i < n; i++)
		s->x[i] = ds->x[i * ds->d + c];
	if (ds->w != NULL) {
		s->w = xmalloc(n * sizeof *s->w);
		memcpy(s->w, ds->w, n * sizeof *s->w);
	}
	s->weight_name = ds->weight_name;	/* borrowed: only a flag here */
	dsort(&s->x, &s->w, &m);
	s->dist = new_dist(m, id);
	if (ds->w != NULL && s->w == NULL)
		s->w = xmalloc(sizeof *s->w);
	s->sorted = 1;
	sets[id] = s;
	return s;
}

struct dataset *
par_sorted_column(const struct dataset *ds, size_t c)
{
	int id = free_id();

	send_all(CMD_SORTCOL, ds->dist->id, (long long)c, id);
	return sorted_column(ds, c, id);
}

static void
drop_set(int id)
{
	struct dataset *s = sets[id];

	if (s == NULL)
		return;
	free(s->x);
	free(s->w);
	free_dist(s->dist);
	free(s);
	sets[id] = NULL;
}

void
par_free_dataset(struct dataset *ds)
{
	int id;

	if (ds == NULL)
		return;
	id = ds->dist->id;
	send_all(CMD_FREE, id, 0, 0);
	drop_set(id);
}

/* ------------------------------------------------------------ serving */

int
par_serve(struct dataset *ds, int threads)
{
	long long cmd[4];

	(void)ds;
	for (;;) {
		/*
		 * Wait for rank 0's next request without holding a core: MPI's
		 * blocking receive polls, and rank 0 may work alone for a while
		 * (the figure, the starting values).  A short spin first, for
		 * requests that come in quick succession.
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
		switch (cmd[0]) {
		case CMD_STOP:
			return (int)cmd[1];
		case CMD_ROWS:
			serve_rows(cmd);
			break;
		case CMD_PASS:
			serve_pass(cmd, threads);
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
			serve_every(cmd);
			break;
		default:
			fatal("an unknown request");
		}
	}
}

void
par_release(struct dataset *ds)
{
	free_dist(ds->dist);
	ds->dist = NULL;
}

#endif
