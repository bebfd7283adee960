/*
 * kernel-bits.c - one EM pass of each kind of kernel, printed to the bit.
 *
 * Built four times: against the library (its kernels run the clone the
 * processor selects: x86-64-v4, x86-64-v3 or the baseline) and with
 * src/em.c compiled for one instruction set alone: the baseline
 * (GMMFIT_KERNEL_BASELINE), x86-64-v3 (GMMFIT_KERNEL_ONLY=3, AVX2) and
 * x86-64-v4 (GMMFIT_KERNEL_ONLY=4, AVX-512).  A level the compiler or the
 * processor lacks exits 77 before any pass.  tests/kernel-bits.test
 * compares the outputs: the kernels' fused multiply-adds are fma() and
 * their sums run in a fixed order, so they must be equal to the last bit.
 * The x86-64-v4 build (and the library on such a processor) takes
 * block_md's wide tiles, the other builds its 256-bit ones.
 *
 * Each line: the case, the log-likelihood and every statistic of the pass
 * as hexadecimal floating point (%a), so equal lines are equal bits.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "em.h"
#include "gmm.h"

/* A fixed sequence in [0, 1): the same on every machine (no libc rand). */
static double
uniform(uint64_t *s)
{
	*s = *s * 6364136223846793005u + 1442695040888963407u;
	return (double)(*s >> 11) * 0x1p-53;
}

/* Rounded rows sit this many widths h off the grid of h (the table's hash, not its grid cells). */
static double grid_shift;

/*
 * far: the last component and its rows (every k-th) moved 10^4 sds off, so
 * that the diagonal kernel takes its direct forms for that component
 * (src/em.c, block_diag) and its sums again for entries that cancel.
 */
static int
one_case(size_t n, size_t d, size_t k, enum gmm_cov t, int weighted, int far, double h)
{
	struct dataset ds;
	struct gmm *g = gmm_new(k, d, t);
	struct em_stats st;
	uint64_t s = 42u + n * 31u + d * 7u + k;
	double ll = 0.0;
	const int full = t == GMM_FULL || t == GMM_TIED;
	int rc = 1;

	memset(&ds, 0, sizeof ds);
	ds.n = n;
	ds.d = d;
	ds.x = malloc(n * d * sizeof *ds.x);
	ds.w = weighted ? malloc(n * sizeof *ds.w) : NULL;
	if (g == NULL || ds.x == NULL || (weighted && ds.w == NULL) || em_stats_init(&st, k, d, full))
		return 1;
	for (size_t i = 0; i < n * d; i++)
		ds.x[i] = uniform(&s) + 0.3 * (double)(i % d) + (far && (i / d) % k == k - 1 ? 2500.0 : 0.0);
	for (size_t i = 0; weighted && i < n; i++)
		ds.w[i] = 1.0 + (double)(i % 3);
	/* Rounded rows (h > 0): on a grid of h, the last column exact when d > 2. */
	double round[32];
	for (size_t p = 0; h > 0.0 && p < d; p++)
		round[p] = d > 2 && p == d - 1 ? 0.0 : h;
	for (size_t i = 0; h > 0.0 && i < n * d; i++)
		if (round[i % d] > 0.0)
			ds.x[i] = h * (nearbyint(ds.x[i] / h) + grid_shift);
	ds.round = h > 0.0 ? round : NULL;
	for (size_t j = 0; j < k; j++) {
		g->weight[j] = 1.0 / (double)k;
		for (size_t p = 0; p < d; p++) {
			g->mean[j * d + p] = ds.x[j * d + p];
			for (size_t q = 0; q < d; q++) {
				double c = p == q ? 0.05 + 0.01 * (double)(t == GMM_TIED ? 0 : j) : 0.01;
				if (t == GMM_DIAG || t == GMM_SPHERICAL)
					c = p == q ? (t == GMM_SPHERICAL ? 0.07 + 0.01 * (double)j : c) : 0.0;
				g->cov[j * d * d + p * d + q] = c;
			}
		}
	}
	if (gmm_prepare(g) < 0 && em_pass(&ds, g, &st, 1, &ll) == GM_OK) {
		printf("n=%zu d=%zu k=%zu %s%s%s", n, d, k, gmm_cov_name(t), weighted ? " weighted" : "",
		       far ? " far" : "");
		if (h > 0.0)
			printf(" rounded to %g%s", h, grid_shift != 0.0 ? " off its grid" : "");
		printf(" ll %a", ll);
		for (size_t i = 0; i < k * (1 + d + d * d); i++)
			printf(" %a", st.s0[i]);
		printf("\n");
		rc = 0;
	}
	em_stats_free(&st);
	gmm_free(g);
	free(ds.x);
	free(ds.w);
	return rc;
}

int
main(void)
{
	static const size_t dims[] = { 1, 2, 3, 4, 5, 7, 8, 9, 13, 32 };
	static const size_t rows[] = { 77, 1003 };
	static const enum gmm_cov types[] = { GMM_FULL, GMM_DIAG, GMM_SPHERICAL, GMM_TIED };
	int bad = 0;

#ifdef GMMFIT_KERNEL_ONLY
#if defined(__GNUC__) && defined(__x86_64__) && defined(HAVE_TARGET_CLONES_V4)
#if GMMFIT_KERNEL_ONLY == 4
	if (!__builtin_cpu_supports("x86-64-v4")) {
#else
	if (!__builtin_cpu_supports("x86-64-v3")) {
#endif
		printf("# this processor lacks x86-64-v%d\n", GMMFIT_KERNEL_ONLY);
		return 77;
	}
#else
	printf("# no x86-64-v%d clones from this compiler\n", GMMFIT_KERNEL_ONLY);
	return 77;
#endif
#endif
	for (size_t a = 0; a < sizeof dims / sizeof *dims; a++)
		for (size_t b = 0; b < sizeof rows / sizeof *rows; b++)
			for (size_t c = 0; c < sizeof types / sizeof *types; c++)
				for (int w = 0; w < 2; w++)
					bad |= one_case(rows[b], dims[a], 3 + (a + c) % 3, types[c], w, 0, 0.0);
	/*
	 * The rounded kernel (ivseries.h's series over a block's distinct
	 * values, interval.c past its region): grids of 0.1 (few values a
	 * block, intervals up to half a standard deviation wide, many past the
	 * series' region) and 0.001 (hundreds of values, all in it).
	 */
	for (size_t a = 0; a < 3; a++)
		for (int w = 0; w < 2; w++) {
			bad |= one_case(1003, a + 1, 3, a == 0 ? GMM_FULL : GMM_DIAG, w, 0, 0.1);
			bad |= one_case(1003, a + 1, 2 + a, a == 2 ? GMM_SPHERICAL : GMM_DIAG, w, 0, 0.001);
		}
	/* Values a third of a width off the grid: the table finds them by hashing. */
	grid_shift = 1.0 / 3.0;
	for (size_t a = 0; a < 3; a++)
		bad |= one_case(1003, a + 1, 3, a == 0 ? GMM_FULL : GMM_DIAG, 1, 0, 0.1);
	grid_shift = 0.0;
	/* Diag and spherical with a component 10^4 sds off: block_diag's direct forms. */
	for (size_t a = 0; a < sizeof dims / sizeof *dims; a++)
		for (size_t c = 1; c < 3; c++)
			bad |= one_case(1003, dims[a], 3, types[c], 1, 1, 0.0);
	return bad;
}
