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
label, or wholly right of the plot: the left edge of every entry right of
the last x tick label (the largest K, where the rightmost points stand)
by more than a line, so that the chosen model's circle (3 times a point's
size) stays clear.  A right-aligned entry's left edge is its right end
less its characters' width, reckoned generously: 0.6 of the font size
each in SVG, 5 pt (100 units) in the .tex (LaTeX's 10 pt roman averages
about 4.5 pt a character, spaces included); PDF words have their boxes.

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
BIC_KEY = r'(full|diag|spherical|tied|[EV][EIV][EIV]$|chosen)'
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
            words.append((m.group(4), round(float(m.group(2))), -float(m.group(3)), -float(m.group(1)),
                          float(re.search(r'xMin="([-\d.]+)"', m.group(0)).group(1))))
        # The y axis's tick labels: the numbers that end at one x (the
        # most numbers do: the x axis's stand at one y instead).
        ends = [e for t, e, _, _, _ in words if re.match(r'^-?[\d.]+$', t)]
        yend = max(set(ends), key=ends.count) if ends else None
        for t, e, y0, y1, x0 in words:
            tick = e == yend and re.match(r'^-?[\d.]+$', t) is not None
            out.append((t, 'end' if tick else 'start', y0, y1, tick, 0.5 * (y0 + y1), x0, 0.5 * (x0 + e)))
        return out
    text = open(fig, encoding='utf-8').read()
    if fig.endswith('.svg'):
        for m in re.finditer(r'(<path[^>]*/>)?\s*<g transform="translate\(([-\d.]+),([-\d.]+)\)"'
                             r'[^>]*font-size="([\d.]+)"[^>]*text-anchor="(\w+)">\s*<text>(.*?)</text>', text, re.S):
            x, y, s, anchor, t = float(m.group(2)), -float(m.group(3)), float(m.group(4)), m.group(5), m.group(6).strip()
            w = 0.6 * s * len(t)
            x0 = {'end': x - w, 'middle': x - 0.5 * w}.get(anchor, x)
            out.append((t, anchor, y - 0.25 * s, y + 0.75 * s, bool(m.group(1)), y - 0.35 * s, x0, x))
    else:
        for m in re.finditer(r'\\put\((\d+),(\d+)\)\{\\makebox\(0,0\)(\[[lr]\])?\{\\strut\{\}(.*?)\}\}%', text):
            x, y, align, t = float(m.group(1)), float(m.group(2)), m.group(3), m.group(4)
            anchor = {'[r]': 'end', '[l]': 'start'}.get(align, 'middle')
            tick = t.startswith('$') and t.endswith('$')
            w = 100.0 * len(t)
            x0 = {'end': x - w, 'middle': x - 0.5 * w}.get(anchor, x)
            out.append((t.strip('$') if tick else t, anchor, y - 120.0, y + 120.0, tick, y, x0, x))
    return out


def key_above(fig, peak, key_re):
    ticks, key = [], []
    for t, anchor, bottom, top, tick, mid, _, _ in texts(fig):
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


def key_right(fig, key_re):
    boxes = texts(fig)
    # The x axis's tick labels: numbers centred (SVG, .tex) or, in a PDF,
    # the numbers on the lowest line of numbers.
    nums = [b for b in boxes if re.match(r'^-?[\d.]+$', b[0]) and not (b[4] and b[1] == 'end')]
    if boxes and fig.endswith('.pdf'):
        low = min(b[2] for b in nums) if nums else 0
        nums = [b for b in nums if abs(b[2] - low) < 1]
    else:
        nums = [b for b in nums if b[1] == 'middle']
    key = [b for b in boxes if re.match(key_re, b[0])]
    if not nums or not key:
        return 1
    line = max(b[3] - b[2] for b in key)
    xlast = max(b[7] for b in nums)
    return 0 if min(b[6] for b in key) > xlast + line else 1


def main():
    if sys.argv[1] == '--below':
        fig = sys.argv[2]
        return key_below(fig, sys.argv[3], PAIR_KEY_WORD if fig.endswith('.pdf') else PAIR_KEY)
    if sys.argv[1] == '--bic':
        fig = sys.argv[2]
        if key_below(fig, 'K (components)', BIC_KEY, quiet=True) == 0 or key_right(fig, BIC_KEY) == 0:
            return 0
        return key_above(fig, column_max(sys.argv[3], 1), BIC_KEY)
    fig, hist, fit = sys.argv[1:4]
    if len(sys.argv) > 4 and key_below(fig, sys.argv[4], HIST_KEY, quiet=True) == 0:
        return 0
    return key_above(fig, max(column_max(hist, 3), column_max(fit, 1)), HIST_KEY)


sys.exit(main())
