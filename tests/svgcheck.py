"""svgcheck.py SVG...: the text of gnuplot SVG figures, from the positions
gnuplot writes and the font size: every text box (legend entries among
them) lies inside the canvas, and no two tick labels of one axis overlap.
Prints one line per defect and exits 1 when there is any.

A box is estimated from the font size S: width the sum of the characters'
advances (0.64 S for digits and letters, DejaVu Sans' digit width, 0.32 S
for spaces and . , : ; 0.4 S for - ( ) ), height S above the baseline and
0.25 S below.  Tick labels are the texts gnuplot writes on the line of
their tick mark; an x axis's labels share a baseline and are centred, a y
axis's share a right edge."""
import re
import sys

G = re.compile(r'(<path[^>]*/>)?\s*<g transform="translate\(([-\d.]+),([-\d.]+)\)( rotate\((-?\d+)\))?"'
               r'[^>]*font-size="([\d.]+)"[^>]*text-anchor="(\w+)">\s*<text>(.*?)</text>', re.S)


def width(t, s):
    w = 0.0
    for ch in t:
        w += (0.32 if ch in ' .,:;' else 0.4 if ch in '-()' else 0.64) * s
    return w


def main():
    bad = 0
    for path in sys.argv[1:]:
        svg = open(path, encoding='utf-8').read()
        m = re.search(r'<svg\s+width="(\d+)" height="(\d+)"', svg)
        cw, ch = float(m.group(1)), float(m.group(2))
        xt, yt = {}, {}
        for g in G.finditer(svg):
            tick, x, y, rot, s, anchor = g.group(1), float(g.group(2)), float(g.group(3)), g.group(5), float(g.group(6)), g.group(7)
            text = re.sub(r'<[^>]*>', '', g.group(8)).strip()
            text = text.replace('&amp;', '&').replace('&lt;', '<').replace('&gt;', '>')
            if not text:
                continue
            w = width(text, s)
            a = {'start': 0.0, 'middle': 0.5, 'end': 1.0}[anchor]
            if rot:
                # rotated 270 (y label): the text runs upwards from y
                box = (x - s, y - (1 - a) * w, x + 0.25 * s, y + a * w)
            else:
                box = (x - a * w, y - s, x + (1 - a) * w, y + 0.25 * s)
            if box[0] < -0.5 or box[1] < -0.5 or box[2] > cw + 0.5 or box[3] > ch + 0.5:
                print('%s: text %r (%.0f,%.0f)-(%.0f,%.0f) leaves the %gx%g canvas' % ((path, text) + box + (cw, ch)))
                bad = 1
            if tick and not rot:
                if anchor == 'middle':
                    xt.setdefault(y, []).append((box, text))
                elif anchor == 'end':
                    yt.setdefault(x, []).append((box, text))
        for axis, groups, lo, hi in (('x', xt, 0, 2), ('y', yt, 1, 3)):
            for key, labels in groups.items():
                labels.sort(key=lambda b: b[0][lo])
                for (b1, t1), (b2, t2) in zip(labels, labels[1:]):
                    if b2[lo] < b1[hi]:
                        print('%s: %s tick labels %r and %r overlap' % (path, axis, t1, t2))
                        bad = 1
    return bad


sys.exit(main())
