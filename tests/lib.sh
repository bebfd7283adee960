# lib.sh - helpers for the shell tests of gmmfit, sourced by every tests/*.test.
#
# The tests speak TAP (Automake's tap-driver.sh reads it).  A test does:
#
#     . "${srcdir:-.}/tests/lib.sh"
#     plan 3
#     run_gmmfit --help
#     expect_status 0 "--help exits 0"
#     check "--help prints Usage" grep -q '^Usage:' "$OUT"
#     ...
#     finish
#
# Environment (set by AM_TESTS_ENVIRONMENT): srcdir, the top of the source
# tree (relative or absolute); GMMFIT, the program; GNUPLOT, gnuplot or "".
# Tests run from the top of the build tree.  POSIX sh only: no bashisms.

# Numbers, sort and awk in the C locale, whatever the user's environment.
LC_ALL=C
export LC_ALL

# Absolute paths, so that a test may cd into its scratch directory.
srcdir=${srcdir:-.}
case $srcdir in
/*) ;;
*) srcdir=$(cd "$srcdir" && pwd) ;;
esac
GMMFIT=${GMMFIT:-$(pwd)/src/gmmfit}
GNUPLOT=${GNUPLOT-}

# A fresh scratch directory per test: tests/work/NAME under the build tree.
TEST_NAME=$(basename "$0" .test)
WORK=$(pwd)/tests/work/$TEST_NAME
rm -rf "$WORK"
mkdir -p "$WORK" || { echo "Bail out! cannot create $WORK"; exit 1; }

# Where run_gmmfit leaves what it captured.
OUT=$WORK/stdout
ERR=$WORK/stderr
status=0

tap_planned=0
tap_count=0
tap_failed=0

# plan N: announce N test points (print it before any result).
plan() {
    tap_planned=$1
    echo "1..$1"
}

# diag TEXT: print TEXT as TAP comment lines.
diag() {
    printf '%s\n' "$*" | sed 's/^/# /'
}

# diag_file FILE [MAX]: print the first MAX (default 20) lines of FILE as comments.
diag_file() {
    if [ -s "$1" ]; then
        head -n "${2:-20}" "$1" | sed 's/^/#   /'
    fi
}

# ok DESC / not_ok DESC: record one result.
ok() {
    tap_count=$((tap_count + 1))
    echo "ok $tap_count - $*"
}
not_ok() {
    tap_count=$((tap_count + 1))
    tap_failed=$((tap_failed + 1))
    echo "not ok $tap_count - $*"
}

# skip N REASON: N test points skipped.
skip() {
    _n=$1
    shift
    while [ "$_n" -gt 0 ]; do
        tap_count=$((tap_count + 1))
        echo "ok $tap_count # SKIP $*"
        _n=$((_n - 1))
    done
}

# check DESC CMD [ARGS...]: ok when CMD exits 0.
check() {
    _desc=$1
    shift
    if "$@"; then
        ok "$_desc"
    else
        not_ok "$_desc"
    fi
}

# check_sh DESC CODE [ARGS...]: ok when the shell code CODE succeeds; it
# runs in a subshell (so it sees these helpers) with ARGS as $1, $2, ...
check_sh() {
    _desc=$1
    _code=$2
    shift 2
    if (eval "$_code"); then
        ok "$_desc"
    else
        not_ok "$_desc"
    fi
}

# gmmfit ARGS...: the program under test, with a time limit when
# timeout(1) exists, so that a hang fails one test point (exit status 124)
# instead of stopping the suite.  No run here needs more than a few seconds
# (GMMFIT_TIMEOUT, 60 s by default; check-valgrind, 50 times slower, sets 1800).
if command -v timeout >/dev/null 2>&1; then
    gmmfit() {
        timeout "${GMMFIT_TIMEOUT:-60}" "$GMMFIT" "$@"
    }
else
    gmmfit() {
        "$GMMFIT" "$@"
    }
fi

# run_gmmfit ARGS...: run the program; stdout in $OUT, stderr in $ERR,
# exit status in $status.  Standard input is the caller's (run_gmmfit - <FILE).
run_gmmfit() {
    gmmfit "$@" >"$OUT" 2>"$ERR"
    status=$?
}

# keep NAME: copy the last stdout to $WORK/NAME (to compare runs).
keep() {
    cp "$OUT" "$WORK/$1"
}

# expect_status N DESC: the last run exited with status N.
expect_status() {
    _want=$1
    shift
    if [ "$status" -eq "$_want" ]; then
        ok "$* (exit $_want)"
    else
        not_ok "$* (exit $_want)"
        diag "exit status $status, expected $_want (124: timed out); stderr:"
        diag_file "$ERR"
    fi
}

# expect_stderr_one_line_matching ERE DESC: stderr of the last run is
# exactly one line, it starts with "gmmfit: " and matches ERE.
expect_stderr_one_line_matching() {
    _re=$1
    shift
    _lines=$(wc -l <"$ERR" | tr -d ' ')
    if [ "$_lines" -eq 1 ] && [ "$(tail -c 1 "$ERR" | od -An -c | tr -d ' ')" = '\n' ] &&
        grep -q '^gmmfit: ' "$ERR" && grep -Eq -- "$_re" "$ERR"; then
        ok "$* (stderr: one line matching /$_re/)"
    else
        not_ok "$* (stderr: one line matching /$_re/)"
        diag "stderr has $_lines line(s):"
        diag_file "$ERR"
    fi
}

# expect_same FILE1 FILE2 DESC: the files are byte-identical.
expect_same() {
    if cmp -s "$1" "$2"; then
        ok "$3"
    else
        not_ok "$3"
        diff -u "$1" "$2" | head -n 30 | sed 's/^/# /'
    fi
}

# json_get FILE KEY [N]: the N-th (default first) value after "KEY": in
# FILE: a number, true or false; for an array, its first number.  This is
# text matching, enough for the JSON gmmfit prints (no strings with keys
# in them); it prints nothing when the key is absent.
json_get() {
    awk -v key="\"$2\":" -v nth="${3:-1}" '
        { s = s $0 " " }
        END {
            c = 0
            while ((i = index(s, key)) > 0) {
                s = substr(s, i + length(key))
                if (++c == nth) {
                    sub(/^[ \t\[]*/, "", s)
                    if (match(s, /^(true|false|[-+0-9.eE]+)/))
                        print substr(s, 1, RLENGTH)
                    exit
                }
            }
        }' "$1"
}

# close_rel A B TOL: |A - B| <= TOL * max(|A|, |B|) (true for A = B = 0).
close_rel() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
        if (a == "" || b == "") exit 1
        d = a - b; if (d < 0) d = -d
        m = a < 0 ? -a : a; mb = b < 0 ? -b : b; if (mb > m) m = mb
        exit !(d <= t * m)
    }'
}

# have_python: python3 is there to check JSON and XML.
have_python() {
    command -v python3 >/dev/null 2>&1
}

# finish: check the count against the plan, print a summary, exit 0 (the
# results are in the TAP lines; a count off the plan is a TAP error).
finish() {
    if [ "$tap_count" -ne "$tap_planned" ]; then
        diag "planned $tap_planned test points but ran $tap_count"
    fi
    diag "$((tap_count - tap_failed)) passed, $tap_failed failed"
    exit 0
}
