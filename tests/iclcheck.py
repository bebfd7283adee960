"""iclcheck.py REPORT.json DATA.csv: the log-likelihood, entropy, BIC and
ICL of a gmmfit JSON report recomputed from its reported parameters alone
(weights, means, covariances as printed, to 17 digits) over the rows of
DATA.csv (its columns named in the report; every row used, no weights):
log L = sum_i log sum_k w_k N(x_i; mu_k, Sigma_k), z_ik the posterior,
entropy = -sum_i sum_k z_ik log z_ik, BIC = -2 log L + p ln n, ICL = BIC -
2 sum_i log max_k z_ik (mclust's definition in gmmfit's sign).  Each must
agree with the report to 1e-9 relative (the printed parameters are the
fit's doubles; the sums here are plain, in another order: cancellation is
bounded by n * 1e-16 of |log L|).  Pure Python (Cholesky by hand), so no
numpy is needed.  Exits 1 on a mismatch, printing it."""
import csv
import json
import math
import sys


def cholesky(a, d):
    l = [[0.0] * d for _ in range(d)]
    for i in range(d):
        for j in range(i + 1):
            s = a[i][j] - sum(l[i][t] * l[j][t] for t in range(j))
            l[i][j] = math.sqrt(s) if i == j else s / l[j][j]
    return l


def main():
    rep = json.load(open(sys.argv[1]))
    cols, d = rep['columns'], rep['d']
    rows = []
    with open(sys.argv[2], newline='') as f:
        for r in csv.DictReader(f):
            rows.append([float(r[c]) for c in cols])
    comps = []
    for c in rep['components']:
        l = cholesky(c['covariance'], d)
        logdet = 2.0 * sum(math.log(l[i][i]) for i in range(d))
        comps.append((math.log(c['weight']), c['mean'], l, logdet))
    ll = ent = lmax = 0.0
    for x in rows:
        lp = []
        for lw, mu, l, logdet in comps:
            z = [0.0] * d
            for i in range(d):
                z[i] = (x[i] - mu[i] - sum(l[i][t] * z[t] for t in range(i))) / l[i][i]
            q = sum(v * v for v in z)
            lp.append(lw - 0.5 * (d * math.log(2.0 * math.pi) + logdet + q))
        m = max(lp)
        lse = m + math.log(sum(math.exp(v - m) for v in lp))
        ll += lse
        for v in lp:
            zik = math.exp(v - lse)
            if zik > 0.0:
                ent -= zik * (v - lse)
        lmax += m - lse
    n = len(rows)
    bic = -2.0 * ll + rep['n_parameters'] * math.log(n)
    icl = bic - 2.0 * lmax
    bad = 0
    for key, val in (('loglik', ll), ('bic', bic), ('icl', icl)):
        if abs(val - rep[key]) > 1e-9 * abs(rep[key]):
            print('%s: recomputed %.12g, reported %.12g' % (key, val, rep[key]))
            bad = 1
    if abs(ent - rep['entropy']) > 1e-9 * abs(ll):
        print('entropy: recomputed %.12g, reported %.12g' % (ent, rep['entropy']))
        bad = 1
    return bad


sys.exit(main())
