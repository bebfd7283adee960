"""keycheck.py FIGURE HIST FIT [XLABEL]: the key of a 1-D histogram figure (gnuplot
SVG, or the .tex of cairolatex) lies above the tallest bar of HIST
(PREFIX-hist.dat, column 4) and the highest point of the mixture in FIT
(PREFIX-fit.dat, column 2).  The y axis's scale comes from its tick labels'
positions; the key's lowest line from its entries' positions: in SVG the
baseline plus a quarter of the font size, in the .tex the entry's centre
less half of a 12 pt line (LaTeX's baselineskip at 10 pt), a line of
12 pt = 240 of the picture's units of 0.05 bp (to 0.4%).  Exits 1 when
the key reaches down to the data.  With XLABEL, a key wholly below the x
label XLABEL (as --below) passes too.

keycheck.py --bic FIGURE BICDAT: the BIC figure's key lies above the
highest BIC of BICDAT (PREFIX-bic.dat, column 2), or wholly below the x
label.

keycheck.py --below FIGURE XLABEL: a key set below the plot (the 2-D and
uncertainty figures) lies wholly below the x label XLABEL: the top of its
highest entry (SVG: baseline plus 0.75 of the font size; .tex: centre plus
half a line) under the bottom of the label (baseline less a quarter of the
font size; centre less half a line).  FIGURE may be a PDF too (pdfcairo):
its words' boxes come from pdftotext -bbox, and a key entry is known by
its first word."""
import re
import subprocess
import sys


def column_max(path, col):
    vals = [float(l.split()[col]) for l in open(path) if l.strip() and not l.startswith('#')]
    return max(vals)


HIST_KEY = r'(data \(|mixture$|\d+: w = )'
BIC_KEY = r'(full|diag|spherical|tied|chosen)'
PAIR_KEY = r'(density \(|\d+: w = |means$|component \d|certain \(|most uncertain)'
PAIR_KEY_WORD = r'(density$|\d+:$|means$|component$|certain$|most$)'


def texts(fig):
    """(text, anchor, y of the box's bottom, y of its top, is a tick) of each
    text of FIG, y up."""
    out = []
    if fig.endswith('.pdf'):
        xml = subprocess.run(['pdftotext', '-bbox', fig, '-'], check=True,
                             capture_output=True, text=True).stdout
        words = []
        for m in re.finditer(r'<word xMin="[-\d.]+" yMin="([-\d.]+)" xMax="([-\d.]+)" '
                             r'yMax="([-\d.]+)">(.*?)</word>', xml):
            words.append((m.group(4), round(float(m.group(2))), -float(m.group(3)), -float(m.group(1))))
        # The y axis's tick labels: the numbers that end at one x (the
        # most numbers do: the x axis's stand at one y instead).
        ends = [e for t, e, _, _ in words if re.match(r'^-?[\d.]+$', t)]
        yend = max(set(ends), key=ends.count) if ends else None
        for t, e, y0, y1 in words:
            tick = e == yend and re.match(r'^-?[\d.]+$', t) is not None
            out.append((t, 'end' if tick else 'start', y0, y1, tick, 0.5 * (y0 + y1)))
        return out
    text = open(fig, encoding='utf-8').read()
    if fig.endswith('.svg'):
        for m in re.finditer(r'(<path[^>]*/>)?\s*<g transform="translate\(([-\d.]+),([-\d.]+)\)"'
                             r'[^>]*font-size="([\d.]+)"[^>]*text-anchor="(\w+)">\s*<text>(.*?)</text>', text, re.S):
            y, s, anchor, t = -float(m.group(3)), float(m.group(4)), m.group(5), m.group(6).strip()
            out.append((t, anchor, y - 0.25 * s, y + 0.75 * s, bool(m.group(1)), y - 0.35 * s))
    else:
        for m in re.finditer(r'\\put\((\d+),(\d+)\)\{\\makebox\(0,0\)(\[[lr]\])?\{\\strut\{\}(.*?)\}\}%', text):
            y, align, t = float(m.group(2)), m.group(3), m.group(4)
            anchor = {'[r]': 'end', '[l]': 'start'}.get(align, 'middle')
            tick = t.startswith('$') and t.endswith('$')
            out.append((t.strip('$') if tick else t, anchor, y - 120.0, y + 120.0, tick, y))
    return out


def key_above(fig, peak, key_re):
    ticks, key = [], []
    for t, anchor, bottom, top, tick, mid in texts(fig):
        if tick and anchor == 'end':
            try:
                ticks.append((float(t), mid))
            except ValueError:
                pass
        if re.match(key_re, t):
            key.append(bottom)
    if len(ticks) < 2 or not key:
        print('no y tick labels or no key entries found in %s' % fig)
        return 1
    (v0, y0), (v1, y1) = min(ticks), max(ticks)
    ypeak = y0 + (peak - v0) * (y1 - y0) / (v1 - v0)
    if ypeak >= min(key):
        print('%s: the key reaches down to %.1f, the data up to %.1f (peak %g)' % (fig, min(key), ypeak, peak))
        return 1
    return 0


def key_below(fig, xlabel, key_re, quiet=False):
    boxes = texts(fig)
    label = [b for b in boxes if b[0] == xlabel]
    key = [b[3] for b in boxes if re.match(key_re, b[0])]
    if len(label) != 1 or not key:
        print('no x label %r or no key entries found in %s' % (xlabel, fig))
        return 1
    if max(key) >= label[0][2]:
        if quiet:
            return 1
        print('%s: the key reaches up to %.1f, the x label down to %.1f' % (fig, max(key), label[0][2]))
        return 1
    return 0


def main():
    if sys.argv[1] == '--below':
        fig = sys.argv[2]
        return key_below(fig, sys.argv[3], PAIR_KEY_WORD if fig.endswith('.pdf') else PAIR_KEY)
    if sys.argv[1] == '--bic':
        fig = sys.argv[2]
        if key_below(fig, 'K (components)', BIC_KEY, quiet=True) == 0:
            return 0
        return key_above(fig, column_max(sys.argv[3], 1), BIC_KEY)
    fig, hist, fit = sys.argv[1:4]
    if len(sys.argv) > 4 and key_below(fig, sys.argv[4], HIST_KEY, quiet=True) == 0:
        return 0
    return key_above(fig, max(column_max(hist, 3), column_max(fit, 1)), HIST_KEY)


sys.exit(main())
