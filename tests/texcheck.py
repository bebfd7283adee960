"""texcheck.py TEX...: no two tick labels of one axis overlap in the .tex
of gnuplot's cairolatex terminal.  Prints one line per overlap and exits 1
when there is any.

The labels are the \\put texts in math ($...$), in the picture's units of
0.05 bp.  An x axis's labels are centred on a common baseline; a y axis's
are set flush right ([r]) at a common x.  A label's width is that of
Computer Modern's math characters in em (digits 0.5, . and , 0.28, the
minus 0.78, anything else 0.5) of its size: 10 pt, or 7 pt under
\\scriptsize (LaTeX's sizes at 10 pt); its height 1.2 times its size
(the baselineskip).  1 pt = 20 units (to 0.4%)."""
import re
import sys

PUT = re.compile(r'\\put\((\d+),(\d+)\)\{\\makebox\(0,0\)(\[[lr]\])?\{\\strut\{\}(.*?)\}\}%')


def width(t, size):
    em = 0.0
    for ch in t:
        em += 0.28 if ch in '.,' else 0.78 if ch == '-' else 0.5
    return em * size * 20.0


def main():
    bad = 0
    for path in sys.argv[1:]:
        xt, yt = {}, {}
        for m in PUT.finditer(open(path, encoding='utf-8').read()):
            x, y, align, t = float(m.group(1)), float(m.group(2)), m.group(3), m.group(4)
            size = 7.0 if t.startswith('\\scriptsize') else 10.0
            t = t.replace('\\scriptsize', '').strip()
            if not (t.startswith('$') and t.endswith('$') and len(t) > 2):
                continue
            t = t.strip('$')
            if align == '[r]':
                yt.setdefault(x, []).append((y, size, t))
            elif align is None:
                xt.setdefault(y, []).append((x, width(t, size), t))
        for labels in xt.values():
            labels.sort()
            for (x1, w1, t1), (x2, w2, t2) in zip(labels, labels[1:]):
                if x2 - x1 < 0.5 * (w1 + w2):
                    print('%s: x tick labels %r and %r overlap' % (path, t1, t2))
                    bad = 1
        for labels in yt.values():
            labels.sort()
            for (y1, s1, t1), (y2, s2, t2) in zip(labels, labels[1:]):
                if y2 - y1 < 0.5 * 1.2 * 20.0 * (s1 + s2):
                    print('%s: y tick labels %r and %r overlap' % (path, t1, t2))
                    bad = 1
    return bad


sys.exit(main())
