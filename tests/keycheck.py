"""keycheck.py FIGURE HIST FIT: the key of a 1-D histogram figure (gnuplot
SVG, or the .tex of cairolatex) lies above the tallest bar of HIST
(PREFIX-hist.dat, column 4) and the highest point of the mixture in FIT
(PREFIX-fit.dat, column 2).  The y axis's scale comes from its tick labels'
positions; the key's lowest line from its entries' positions: in SVG the
baseline plus a quarter of the font size, in the .tex the entry's centre
less half of a 12 pt line (LaTeX's baselineskip at 10 pt), a line of
12 pt = 240 of the picture's units of 0.05 bp (to 0.4%).  Exits 1 when
the key reaches down to the data."""
import re
import sys


def column_max(path, col):
    vals = [float(l.split()[col]) for l in open(path) if l.strip() and not l.startswith('#')]
    return max(vals)


def main():
    fig, hist, fit = sys.argv[1:4]
    peak = max(column_max(hist, 3), column_max(fit, 1))
    text = open(fig, encoding='utf-8').read()
    ticks, key = [], []
    if fig.endswith('.svg'):
        # y up is -y on the canvas: work with -y so that up is larger.
        for m in re.finditer(r'(<path[^>]*/>)?\s*<g transform="translate\(([-\d.]+),([-\d.]+)\)"'
                             r'[^>]*font-size="([\d.]+)"[^>]*text-anchor="(\w+)">\s*<text>(.*?)</text>', text, re.S):
            y, s, anchor, t = -float(m.group(3)), float(m.group(4)), m.group(5), m.group(6).strip()
            if m.group(1) and anchor == 'end':
                ticks.append((float(t), y - 0.35 * s))
            if re.match(r'(data \(|mixture$|\d+: w = )', t):
                key.append(y - 0.25 * s)
    else:
        for m in re.finditer(r'\\put\((\d+),(\d+)\)\{\\makebox\(0,0\)(\[[lr]\])?\{\\strut\{\}(.*?)\}\}%', text):
            y, align, t = float(m.group(2)), m.group(3), m.group(4)
            if align == '[r]' and t.startswith('$') and t.endswith('$'):
                ticks.append((float(t.strip('$')), y))
            if re.match(r'(data \(|mixture$|\d+: w = )', t):
                key.append(y - 120.0)
    if len(ticks) < 2 or not key:
        print('no y tick labels or no key entries found in %s' % fig)
        return 1
    (v0, y0), (v1, y1) = min(ticks), max(ticks)
    ypeak = y0 + (peak - v0) * (y1 - y0) / (v1 - v0)
    if ypeak >= min(key):
        print('%s: the key reaches down to %.1f, the data up to %.1f (peak %g)' % (fig, min(key), ypeak, peak))
        return 1
    return 0


sys.exit(main())
