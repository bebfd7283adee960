/*
 * bench-peak.c - the machine's limit for `make bench`: a dgemm C += A B
 * of N x N matrices on the cores gmmfit uses (OpenMP's thread count, as
 * gmmfit's own threads), in GFLOP/s, counting 2 N^3 operations (a fused
 * multiply-add as two).  With OpenBLAS (configure found it through its
 * CBLAS: Debian's libopenblas-dev) the product is OpenBLAS's cblas_dgemm
 * with that many threads; otherwise, or with --own, it is the tiled
 * kernel below: B packed in panels of NR columns, A in panels of MR rows,
 * an MR x NR block of C held in registers over a depth of KC, the blocks
 * of rows of C shared among the threads.  The kernel is compiled for
 * AVX-512 (6 x 16), AVX2 with FMA (6 x 8) and the baseline (SSE2, 6 x 4),
 * chosen at run time.  Only the benchmark links this; gmmfit never links
 * a BLAS.
 *
 *   bench-peak [--own] [N [REPEATS]]
 *
 * Prints one line: the median GFLOP/s of REPEATS products (after one
 * untimed), the threads, N (rounded up to a multiple of 192) and what
 * computed it ("OpenBLAS (OpenBLAS 0.3.21 ...)" or "own tiled kernel
 * (avx2, 6 x 8)").
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef HAVE_OPENBLAS
#include <cblas.h>
#endif

#include "clock.h"

#define MR 6
#define KC 192
#define MC 96			/* rows of C a thread takes at a time (a multiple of MR) */
#define NMULT 192		/* N is rounded up to a multiple of this (of MC, KC and 16) */

typedef double v8d __attribute__((vector_size(8 * sizeof(double))));
typedef double v8du __attribute__((vector_size(8 * sizeof(double)), aligned(sizeof(double)), may_alias));
typedef double v4d __attribute__((vector_size(4 * sizeof(double))));
typedef double v4du __attribute__((vector_size(4 * sizeof(double)), aligned(sizeof(double)), may_alias));
typedef double v2d __attribute__((vector_size(2 * sizeof(double))));
typedef double v2du __attribute__((vector_size(2 * sizeof(double)), aligned(sizeof(double)), may_alias));

/*
 * The micro-kernel, for a vector type V of W doubles (VU: the same
 * without alignment): C[0..MR)[0..2W) += Ap (MR x kc, packed by column)
 * times Bp (kc x 2W, packed by row); c's rows are ldc apart.  MR x 2
 * accumulators: 12 registers of the 16 (AVX2, SSE2) or 32 (AVX-512).
 */
#define MICRO(name, V, VU, W)							\
static inline __attribute__((always_inline)) void				\
name(size_t kc, const double *Ap, const double *Bp, double *c, size_t ldc)	\
{										\
	V acc[MR][2] = { { { 0.0 } } };						\
										\
	for (size_t p = 0; p < kc; p++) {					\
		const V b0 = *(const VU *)(const void *)(Bp + p * 2 * W);	\
		const V b1 = *(const VU *)(const void *)(Bp + p * 2 * W + W);	\
		_Pragma("GCC unroll 6")						\
		for (int r = 0; r < MR; r++) {					\
			const double a = Ap[p * MR + r];			\
			acc[r][0] += a * b0;					\
			acc[r][1] += a * b1;					\
		}								\
	}									\
	for (int r = 0; r < MR; r++)						\
		for (int v = 0; v < 2; v++) {					\
			VU *cp = (VU *)(void *)(c + r * ldc + v * W);		\
			*cp = *cp + acc[r][v];					\
		}								\
}
MICRO(micro8, v8d, v8du, 8)
MICRO(micro4, v4d, v4du, 4)
MICRO(micro2, v2d, v2du, 2)

/*
 * MC rows of C from row i0, depth KC from pc: pack A's panel into Ap,
 * then the micro-kernel (2W columns) over it and every panel of Bp.
 */
#define ROWS_BODY(micro, W) do {						\
	for (size_t ir = 0; ir < MC; ir += MR)					\
		for (size_t p = 0; p < KC; p++)					\
			for (size_t r = 0; r < MR; r++)				\
				Ap[ir * KC + p * MR + r] = A[(i0 + ir + r) * n + pc + p]; \
	for (size_t jr = 0; jr < n; jr += 2 * W)				\
		for (size_t ir = 0; ir < MC; ir += MR)				\
			micro(KC, Ap + ir * KC, Bp + jr * KC, C + (i0 + ir) * n + jr, n); \
} while (0)

/* One clone per instruction set (OpenMP's outlined loops would not be). */
#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target("avx512f,fma")))
static void
rows_avx512(size_t n, size_t pc, size_t i0, const double *A, const double *Bp, double *C,
	    double *Ap)
{
	ROWS_BODY(micro8, 8);
}

__attribute__((target("avx2,fma")))
static void
rows_avx2(size_t n, size_t pc, size_t i0, const double *A, const double *Bp, double *C,
	  double *Ap)
{
	ROWS_BODY(micro4, 4);
}
#endif

static void
rows_base(size_t n, size_t pc, size_t i0, const double *A, const double *Bp, double *C,
	  double *Ap)
{
	ROWS_BODY(micro2, 2);
}

typedef void rows_fn(size_t, size_t, size_t, const double *, const double *, double *, double *);

/*
 * C (n x n, row-major) += A B with the kernel rows, of nr columns: the
 * depth in steps of KC; each step packs its KC rows of B once (shared),
 * then the threads take MC rows of C at a time.  n is a multiple of NMULT.
 */
static void
gemm(size_t n, const double *A, const double *B, double *C, double *Bp, rows_fn *rows, size_t nr)
{
	for (size_t pc = 0; pc < n; pc += KC) {
		long jb;
#pragma omp parallel for
		for (jb = 0; jb < (long)(n / nr); jb++)
			for (size_t p = 0; p < KC; p++)
				memcpy(Bp + (size_t)jb * nr * KC + p * nr, B + (pc + p) * n + (size_t)jb * nr,
				       nr * sizeof *Bp);
#pragma omp parallel
		{
			double *Ap = malloc(MC * KC * sizeof *Ap);
			long ib;

			if (Ap == NULL)
				abort();
#pragma omp for schedule(static)
			for (ib = 0; ib < (long)(n / MC); ib++)
				rows(n, pc, (size_t)ib * MC, A, Bp, C, Ap);
			free(Ap);
		}
	}
}

/* The widest kernel this processor runs, its columns and its name. */
static rows_fn *
pick(size_t *nr, const char **name)
{
	*nr = 4;
#if defined(__GNUC__) && defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f")) {
		*nr = 16;
		*name = "avx512";
		return rows_avx512;
	}
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		*nr = 8;
		*name = "avx2";
		return rows_avx2;
	}
#endif
	*name = "baseline";
	return rows_base;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	int own = 0, threads = 1, repeats;
	size_t n, nn;
	double *A, *B, *C, *Bp, *g;
	const char *kname = NULL;
	size_t nr;
	rows_fn *rows = pick(&nr, &kname);
	char what[200];

	if (argc > 1 && strcmp(argv[1], "--own") == 0) {
		own = 1;
		argc--;
		argv++;
	}
	n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1536;
	repeats = argc > 2 ? atoi(argv[2]) : 5;
	n = (n + NMULT - 1) / NMULT * NMULT;
	if (n == 0 || repeats < 1)
		return 2;
#ifdef _OPENMP
	threads = omp_get_max_threads();
#endif
	nn = n * n;
	A = malloc(nn * sizeof *A);
	B = malloc(nn * sizeof *B);
	C = malloc(nn * sizeof *C);
	Bp = malloc(nn * sizeof *Bp);
	g = malloc((size_t)repeats * sizeof *g);
	if (A == NULL || B == NULL || C == NULL || Bp == NULL || g == NULL)
		return 1;
	for (size_t i = 0; i < nn; i++) {
		A[i] = (double)(i % 7) * 0.125 - 0.375;
		B[i] = (double)(i % 5) * 0.25 - 0.5;
		C[i] = 0.0;
	}
#ifdef HAVE_OPENBLAS
	if (!own) {
		openblas_set_num_threads(threads);
		snprintf(what, sizeof what, "OpenBLAS (%s)", openblas_get_config());
	} else
#endif
		snprintf(what, sizeof what, "own tiled kernel (%s, %d x %d)", kname, MR,
			 (int)nr);
	(void)own;
	for (int r = -1; r < repeats; r++) {	/* r = -1: a warm-up, not timed */
		double t0 = clock_seconds(), t;
#ifdef HAVE_OPENBLAS
		if (!own)
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n,
				    1.0, A, (int)n, B, (int)n, 1.0, C, (int)n);
		else
#endif
			gemm(n, A, B, C, Bp, rows, nr);
		t = clock_seconds() - t0;
		if (r >= 0)
			g[r] = 2.0 * (double)n * (double)n * (double)n / t * 1e-9;
	}
	/* A check that the product was computed: C = (repeats + 1) A B, at
	 * nine entries (corners, edges and the middle of C). */
	for (int u = 0; u < 9; u++) {
		const size_t at[3] = { 0, n / 2 + 1, n - 1 };
		const size_t i = at[u / 3], j = at[u % 3];
		double s = 0.0, e;

		for (size_t q = 0; q < n; q++)
			s += A[i * n + q] * B[q * n + j];
		s *= (double)(repeats + 1);
		e = s - C[i * n + j];
		if (e > 1e-9 * (1.0 + fabs(s)) || -e > 1e-9 * (1.0 + fabs(s))) {
			fprintf(stderr, "bench-peak: wrong product at (%zu, %zu): %g, not %g\n", i, j,
				C[i * n + j], s);
			return 1;
		}
	}
	qsort(g, (size_t)repeats, sizeof *g, cmp);
	printf("%.2f %d %zu %s\n", g[repeats / 2], threads, n, what);
	free(A);
	free(B);
	free(C);
	free(Bp);
	free(g);
	return 0;
}
