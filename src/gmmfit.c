/*
 * gmmfit.c - the command line: the subcommands, the main command's
 * stages in order, exit codes.
 *
 * It owns no maths: the options are parsed and checked (runopts), the
 * data read, fitted and written by the stages (stages.h), which reach
 * the reader (csvread), the fit (fit, fitstage) and the writers (report,
 * plot).  Every failure arrives as a status with its message printed in
 * GNU form, and becomes the exit status documented in gmmfit(1).
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "clock.h"
#include "cli.h"
#include "commands.h"
#include "em.h"
#include "error.h"
#include "par.h"
#include "runopts.h"
#include "stages.h"
#include "suggest.h"

/* Progress on stderr: every iteration with --verbose, else on a terminal only, twice a second. */
struct progress {
	int verbose, tty;
	double last;
	int shown;
};

static void
on_progress(void *arg, size_t iter, double mean_ll, double change)
{
	struct progress *p = arg;
	double t;

	if (p->verbose) {
		fprintf(stderr, PROG ": iteration %zu: mean log-likelihood %.12g, change %.3g\n",
			iter, mean_ll, change);
		return;
	}
	if (!p->tty)
		return;
	t = clock_seconds();
	if (t - p->last < 0.5)
		return;
	p->last = t;
	p->shown = 1;
	fprintf(stderr, "\r" PROG ": iteration %zu, mean log-likelihood %.10g, change %.2e   ",
		iter, mean_ll, change);
}

/* The likelihood-ratio test's progress: a line per replicate with --verbose, else on a terminal twice a second. */
static void
on_lrt_progress(void *arg, size_t done, size_t total)
{
	struct progress *p = arg;
	double t;

	if (p->verbose) {
		fprintf(stderr, PROG ": likelihood-ratio test: replicate %zu of %zu\n", done, total);
		return;
	}
	if (!p->tty)
		return;
	t = clock_seconds();
	if (done < total && t - p->last < 0.5)
		return;
	p->last = t;
	p->shown = 1;
	fprintf(stderr, "\r" PROG ": likelihood-ratio test: replicate %zu of %zu   ", done, total);
}

/* The likelihood-ratio tests, their progress line cleared after. */
static int
lrt(struct run_options *ro, struct run_state *st, struct progress *prog)
{
	int rc = stage_lrt(ro, st, on_lrt_progress, prog);

	if (prog->shown)
		fputs("\r\033[K", stderr);
	prog->shown = 0;
	return rc;
}

/*
 * A first operand that is no file but nearly a subcommand's name is a
 * typo ("predcit"): a usage error, GM_EUSAGE; else GM_OK.
 */
static int
command_typo(int argc, char **argv)
{
	static const char *const commands[] = { "predict", "sample" };
	const char *near;
	char shown[160], fmt[200];

	if (argc < 2 || argv[1][0] == '-' || access(argv[1], F_OK) == 0)
		return GM_OK;
	near = suggest_nearest(argv[1], commands, 2);
	if (near == NULL)
		return GM_OK;
	gm_escape(argv[1], shown, sizeof shown);
	snprintf(fmt, sizeof fmt, "no file or command '%%s'; did you mean '%s'?", near);
	return usage_error(fmt, shown);
}

/*
 * EM's message on a collapsed component names the fault (EM_COLLAPSED);
 * the advice on the options is the command line's, added to msg (size
 * bytes) as the message itself would have been cut.
 */
static void
collapse_advice(char *msg, size_t size)
{
	static const char tail[] = "(" EM_COLLAPSED ")";
	size_t len = strlen(msg);

	if (len >= sizeof tail - 1 && strcmp(msg + len - (sizeof tail - 1), tail) == 0)
		snprintf(msg + len, size - len, "%s",
			 "; use a larger --reg, fewer components, or drop a column with no spread");
}

/*
 * The fit and what is said around it: a warning for a single model with
 * as many parameters as rows, the progress line cleared, the failure.
 */
static int
fit(struct run_options *ro, struct run_state *st, struct progress *prog)
{
	int rc;

	prog->verbose = ro->verbose;
	prog->tty = isatty(STDERR_FILENO);
	ro->fo.em.progress = on_progress;
	ro->fo.em.progress_arg = prog;
	rc = stage_fit(ro, st);
	for (size_t m = 0; m < st->fr.nmodels; m++)
		collapse_advice(st->fr.models[m].message, sizeof st->fr.models[m].message);
	collapse_advice(st->err.msg, sizeof st->err.msg);
	if (rc == GM_OK && st->fr.nmodels == 1 && st->fr.models[0].n_params >= st->ds.n) {
		const struct fit_model *m = &st->fr.models[0];
		fprintf(stderr, "%s: warning: K = %zu, covariance %s has p = %zu free parameters "
			"for %zu rows: not identifiable, it would never be chosen from several; "
			"try fewer components or another --covariance\n", PROG, m->k,
			gmm_cov_name(m->cov), m->n_params, st->ds.n);
	}
	if (prog->shown)
		fputs("\r\033[K", stderr);
	if (rc != GM_OK)
		gm_error_print(&st->err, PROG, stderr);
	return rc;
}

/*
 * The main command: its options parsed, then every usage error they
 * show checked before any input is read or any file written; then the
 * start model and the data read, the checks that need them, the fit,
 * and the outputs.
 */
static int
run(int argc, char **argv)
{
	struct run_options ro;
	struct run_state st;
	struct progress prog = { 0, 0, 0.0, 0 };
	int rc;

	if ((rc = command_typo(argc, argv)) != GM_OK)
		return rc;
	runopts_init(&ro);
	stage_init(&st);
	rc = runopts_parse(&ro, argc, argv);
	if (rc == GM_OK && !ro.finished)
		rc = runopts_check(&ro);
	if (rc != GM_OK || ro.finished)
		goto out;
	if ((rc = stage_start_model(&ro, &st)) != GM_OK)
		goto out;
	stage_threads(&ro);
	/* Someone at a terminal who gave no file may not see that the program waits: say so there. */
	if (strcmp(ro.path, "-") == 0 && isatty(STDIN_FILENO) && isatty(STDERR_FILENO))
		fputs(PROG ": reading standard input (end with Ctrl-D)\n", stderr);
	rc = stage_read(&ro, &st);
	if (rc != GM_OK || st.served)
		goto out;
	if ((rc = stage_data_checks(&ro, &st)) != GM_OK ||
	    (rc = stage_regularise(&ro, &st)) != GM_OK ||
	    (rc = fit(&ro, &st, &prog)) != GM_OK ||
	    (rc = lrt(&ro, &st, &prog)) != GM_OK ||
	    (rc = stage_bootstrap(&ro, &st)) != GM_OK)
		goto out;
	rc = stage_outputs(&ro, &st);
out:
	stage_free(&st);
	runopts_free(&ro);
	return rc;
}

int
main(int argc, char **argv)
{
	struct gm_error perr;

	/*
	 * Past a file-size limit (ulimit -f) a write fails with EFBIG, an
	 * output error whose temporaries are removed, instead of SIGXFSZ
	 * killing the run and leaving them.
	 */
	signal(SIGXFSZ, SIG_IGN);
	gm_error_clear(&perr);
	if (par_init(&argc, &argv, &perr) != GM_OK) {
		if (perr.status != GM_OK)
			fprintf(stderr, PROG ": %s: run it alone, or build it with ./configure --with-mpi\n",
				perr.msg);
		return perr.status != GM_OK ? perr.status : GM_EUSAGE;
	}
#ifdef _OPENMP
	if (par_threads() > 0 && getenv("OMP_NUM_THREADS") == NULL)
		omp_set_num_threads(par_threads());	/* a node's cores shared by its processes */
#endif
	if (par_size() > 1 && argc > 1 &&
	    (strcmp(argv[1], "predict") == 0 || strcmp(argv[1], "sample") == 0))
		return par_finish(usage_error("'%s' runs as one process, not under mpirun", argv[1]));
	if (argc > 1 && strcmp(argv[1], "predict") == 0)
		return par_finish(cmd_predict(argc - 1, argv + 1));
	if (argc > 1 && strcmp(argv[1], "sample") == 0)
		return par_finish(cmd_sample(argc - 1, argv + 1));
	return par_finish(run(argc, argv));
}
