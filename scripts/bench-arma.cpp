// bench-arma.cpp - `make bench`: Armadillo's GMM (gmm_diag, gmm_full) on
// the benchmark's blob files, timed per EM iteration in the same run as
// gmmfit.  Built by scripts/bench when a C++ compiler and Armadillo's
// headers are there (Debian: libarmadillo-dev); not part of the build.
//
//   bench-arma FILE D K diag|full ITERS
//
// FILE is a CSV with a header whose first D columns are the data.  The
// start is Armadillo's own (static_subset, no k-means) and the same for
// each call, so the time of ITERS + 1 EM iterations less that of 1 is
// the time of ITERS iterations.  Prints seconds per iteration, the median
// of 3 such differences.
#include <armadillo>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

template <typename G>
static double
seconds(const arma::mat &x, arma::uword k, arma::uword iters)
{
	G g;
	auto t0 = std::chrono::steady_clock::now();
	g.learn(x, k, arma::maha_dist, arma::static_subset, 0, iters, 1e-10, false);
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int
main(int argc, char **argv)
{
	if (argc != 6) {
		std::fprintf(stderr, "usage: bench-arma FILE D K diag|full ITERS\n");
		return 2;
	}
	const std::string cov = argv[4];
	const arma::uword d = std::strtoul(argv[2], nullptr, 10);
	const arma::uword k = std::strtoul(argv[3], nullptr, 10);
	const arma::uword iters = std::strtoul(argv[5], nullptr, 10);
	arma::mat all;

	if (!all.load(arma::csv_name(argv[1], arma::csv_opts::with_header)) || all.n_cols < d) {
		std::fprintf(stderr, "bench-arma: cannot read %s\n", argv[1]);
		return 1;
	}
	// Armadillo wants one column per row of the file.
	arma::mat x = all.cols(0, d - 1).t();
	std::vector<double> per;
	for (int r = 0; r < 3; r++) {
		double a, b;
		if (cov == "diag") {
			a = seconds<arma::gmm_diag>(x, k, 1);
			b = seconds<arma::gmm_diag>(x, k, iters + 1);
		} else {
			a = seconds<arma::gmm_full>(x, k, 1);
			b = seconds<arma::gmm_full>(x, k, iters + 1);
		}
		per.push_back((b - a) / (double)iters);
	}
	std::sort(per.begin(), per.end());
	std::printf("%.6f\n", per[1]);
	return 0;
}
