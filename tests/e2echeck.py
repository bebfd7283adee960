#!/usr/bin/env python3
"""e2echeck.py - checks of tests/models-e2e.test that read gmmfit's JSON.

Each subcommand exits 0 when the check holds, 1 (with a line on stderr
saying what differs) when it does not.  Pure Python: no numpy.

  same KEY A.json B.json
      every component's KEY (weight, mean or covariance) in A is the same
      number, bit for bit, as in B (what --fix keeps).
  close A.json B.json TOL
      A's and B's log-likelihoods, and every weight, mean and covariance,
      agree to TOL relative (of the largest |value| of their kind).
  ellipses PREFIX-ellipses.dat FIT.json
      every point of every ellipse lies on the 1 or 2 sigma ellipse of its
      component's reported covariance: (x - mu)' S^-1 (x - mu) = r^2 for
      the 2 x 2 block S of the pair, to 1e-8 relative (the points are
      printed to 12 significant digits).
  sample SAMPLE.csv MODEL.json
      the rows drawn by `gmmfit sample` (their last column the component)
      have, per component, a count, means and covariances within 5
      standard errors of the model's: count sqrt(n w (1 - w)), mean
      sqrt(S_pp / n_k), covariance sqrt((S_pp S_qq + S_pq^2) / n_k).
  bootstrap FIT.json
      the report has a bootstrap with every replicate fitted, and every
      standard error finite and positive.
"""
import csv
import json
import math
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def cmd_same(key, a, b):
    ca, cb = load(a)["components"], load(b)["components"]
    if len(ca) != len(cb):
        fail("%d components against %d" % (len(ca), len(cb)))
    for j, (x, y) in enumerate(zip(ca, cb)):
        if x[key] != y[key]:
            fail("component %d: %s %r against %r" % (j + 1, key, x[key], y[key]))


def flat(v):
    if isinstance(v, list):
        out = []
        for e in v:
            out.extend(flat(e))
        return out
    return [v]


def cmd_close(a, b, tol):
    ja, jb = load(a), load(b)
    tol = float(tol)
    la, lb = ja["loglik"], jb["loglik"]
    if abs(la - lb) > tol * max(abs(la), abs(lb)):
        fail("loglik %r against %r" % (la, lb))
    ca, cb = ja["components"], jb["components"]
    if len(ca) != len(cb):
        fail("%d components against %d" % (len(ca), len(cb)))
    for key in ("weight", "mean", "covariance"):
        xa = [v for c in ca for v in flat(c[key])]
        xb = [v for c in cb for v in flat(c[key])]
        scale = max(max(abs(v) for v in xa), max(abs(v) for v in xb))
        for u, v in zip(xa, xb):
            if abs(u - v) > tol * scale:
                fail("%s: %r against %r (scale %g)" % (key, u, v, scale))


def cmd_ellipses(dat, fit):
    comps = load(fit)["components"]
    d = len(comps[0]["mean"])
    pairs = [(r, c) for r in range(d) for c in range(r)]
    blocks = []          # (pair index, component, sigma, points)
    pair = -1
    cur = None
    with open(dat) as f:
        for line in f:
            line = line.strip()
            if line.startswith("# pair"):
                pair += 1
            elif line.startswith("# component"):
                w = line.split()
                cur = (pair, int(w[2].rstrip(",")) - 1, int(w[3]), [])
                blocks.append(cur)
            elif line and not line.startswith("#"):
                x, y = line.split()
                cur[3].append((float(x), float(y)))
    want = len(pairs) * len(comps) * 2
    if len(blocks) != want:
        fail("%d ellipses, expected %d" % (len(blocks), want))
    worst = 0.0
    for p, j, r, pts in blocks:
        yr, xc = pairs[p]          # pairs (r, c), r > c: x is column c, y column r
        S = comps[j]["covariance"]
        mu = comps[j]["mean"]
        a, b, c = S[xc][xc], S[xc][yr], S[yr][yr]
        det = a * c - b * b
        if not pts or det <= 0:
            fail("pair %d component %d: no points or a singular block" % (p, j + 1))
        for x, y in pts:
            u, v = x - mu[xc], y - mu[yr]
            q = (c * u * u - 2 * b * u * v + a * v * v) / det
            worst = max(worst, abs(q - r * r) / (r * r))
    if worst > 1e-8:
        fail("a point off its ellipse by %g relative" % worst)


def cmd_sample(path, model):
    comps = load(model)["components"]
    k, d = len(comps), len(comps[0]["mean"])
    rows = [[] for _ in range(k)]
    with open(path) as f:
        rd = csv.reader(f)
        next(rd)
        for rec in rd:
            rows[int(rec[-1]) - 1].append([float(v) for v in rec[:d]])
    n = sum(len(r) for r in rows)
    worst = 0.0
    for j, c in enumerate(comps):
        w, mu, S = c["weight"], c["mean"], c["covariance"]
        nk = len(rows[j])
        worst = max(worst, abs(nk - n * w) / math.sqrt(n * w * (1 - w)))
        m = [sum(x[p] for x in rows[j]) / nk for p in range(d)]
        for p in range(d):
            worst = max(worst, abs(m[p] - mu[p]) / math.sqrt(S[p][p] / nk))
        for p in range(d):
            for q in range(p, d):
                s = sum((x[p] - m[p]) * (x[q] - m[q]) for x in rows[j]) / nk
                se = math.sqrt((S[p][p] * S[q][q] + S[p][q] ** 2) / nk)
                worst = max(worst, abs(s - S[p][q]) / se)
    sys.stderr.write("largest error %.2f SE\n" % worst)
    if worst > 5:
        fail("beyond 5 SE")


def cmd_bootstrap(fit):
    bt = load(fit).get("bootstrap")
    if bt is None:
        fail("no bootstrap in the report")
    if bt["fitted"] != bt["replicates"]:
        fail("%d of %d replicates fitted" % (bt["fitted"], bt["replicates"]))
    ses = []

    def walk(v):
        if isinstance(v, dict):
            for key, e in v.items():
                if key == "se":
                    ses.append(e)
                else:
                    walk(e)
        elif isinstance(v, list):
            for e in v:
                walk(e)
    walk(bt["components"])
    if not ses:
        fail("no standard errors")
    for s in ses:
        if not (isinstance(s, float) and math.isfinite(s) and s > 0):
            fail("standard error %r" % (s,))


def main(argv):
    cmds = {"same": cmd_same, "close": cmd_close, "ellipses": cmd_ellipses,
            "sample": cmd_sample, "bootstrap": cmd_bootstrap}
    if len(argv) < 2 or argv[1] not in cmds:
        fail("usage: e2echeck.py same|close|ellipses|sample|bootstrap ...")
    cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
