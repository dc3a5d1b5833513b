"""Lists, dicts and strings in compiled code: CPython, oxjit and Numba (when installed) side by
side, as users write them. Not part of the test run; prints a table and
asserts nothing about timings.

    .venv/bin/python benches/containers.py [--quick] [--json FILE]

Kernels: a list built by `append` in a loop and summed by iterating it; a
filtered comprehension; a sieve of Eratosthenes on a list of flags
(`[True] * n`, item stores, a comprehension of the primes); sorting a list
of (key, index) tuples made by a comprehension over an array; a stack
(`append`/`pop`) driven by random draws; the cost of passing a Python
list of 1,000 floats (Numba's reflected list; oxjit's too) to a function
that sums it; `n` int keys inserted into a dict made in the function and
looked up again with `get`; and a histogram of an array counted in a dict
(`d[k] = d.get(k, 0) + 1`) then scanned with `items()`; a word count
(`dict[str, int]`) over 1 MB of text split on whitespace; `str.join` of
10^5 pieces made by `str(i)` in a comprehension; a set of ints filled
from an array and probed with `in`; generator expressions folded by
`sum`, `any` and `max`; and typed Lists read item by item from
Python (oxjit's `typed.List` against Numba's). For each: the first call (compile + run) and the steady
state, the median of 7 rounds, oxjit's and Numba's rounds alternating.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))

import oxjit  # noqa: E402
from bench import alternating, per_call  # noqa: E402
from oxjit.demo import fmt_ratio, fmt_time  # noqa: E402

try:
    import numba
except Exception:  # not installed, or incompatible with this NumPy
    numba = None


def build_and_sum(n):
    l = []
    for i in range(n):
        l.append(i * i % 7)
    s = 0
    for x in l:
        s += x
    return s


def filtered_comprehension(a):
    sq = [x * x for x in a if x > 0.5]
    return len(sq), sq[-1]


def sieve(n):
    flags = [True] * (n + 1)
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            for j in range(i * i, n + 1, i):
                flags[j] = False
        i += 1
    primes = [k for k in range(n + 1) if flags[k]]
    return len(primes), primes[-1]


def sort_pairs(a):
    pts = [(a[i], i) for i in range(a.shape[0])]
    pts.sort()
    return pts[0][1], pts[-1][1]


def stack_walk(n):
    np.random.seed(1)
    stack = [0]
    deepest = 0
    for _ in range(n):
        if np.random.random() < 0.55 or len(stack) == 1:
            stack.append(stack[-1] + 1)
        else:
            stack.pop()
        deepest = max(deepest, len(stack))
    return deepest


def sum_list(l):
    s = 0.0
    for x in l:
        s += x
    return s


def dict_insert_lookup(n):
    d = {}
    for i in range(n):
        d[(i * 7919) % n] = i
    hits = 0
    for i in range(n):
        hits += d.get(i, -1)
    return len(d), hits


def dict_histogram(a):
    counts = {}
    for x in a:
        k = int(x * 64.0)
        counts[k] = counts.get(k, 0) + 1
    best = 0
    for k, v in counts.items():
        if v > best:
            best = v
    return len(counts), best


def word_count(text):
    counts = {}
    for w in text.split():
        counts[w] = counts.get(w, 0) + 1
    best = ""
    most = 0
    for w, c in counts.items():
        if c > most:
            best, most = w, c
    return len(counts), best, most


def join_pieces(n):
    s = ",".join([str(i) for i in range(n)])
    return len(s), s[-6:]


def set_unique(a):
    seen = set()
    for x in a:
        seen.add(int(x * 100_000.0))
    hits = 0
    for i in range(0, 100_000, 7):
        if i in seen:
            hits += 1
    return len(seen), hits


def generator_folds(a):
    total = sum(x * x for x in a if x > 0.5)
    big = any(x > 0.999999 for x in a)
    return total, big, max(x for x in a)


def make_text(nbytes):
    """Whitespace-separated words with a Zipf-like frequency, some non-ASCII."""
    rng = np.random.default_rng(1)
    vocab = [f"w{i}" + ("é" if i % 7 == 0 else "") for i in range(20_000)]
    ranks = np.minimum(rng.zipf(1.3, nbytes // 4), len(vocab)) - 1
    words, size = [], 0
    for r in ranks:
        words.append(vocab[r])
        size += len(vocab[r]) + 1
        if size >= nbytes:
            break
    return " ".join(words)


def cases(quick):
    n = 200_000 if quick else 1_000_000
    rng = np.random.default_rng(0)
    a = rng.random(n)
    floats = [float(x) for x in rng.random(1000)]
    return [
        ("append + iterate", build_and_sum, (n,)),
        ("filtered comprehension", filtered_comprehension, (a,)),
        ("sieve on a list", sieve, (n,)),
        ("sort list of tuples", sort_pairs, (a[: n // 10],)),
        ("stack append/pop", stack_walk, (n,)),
        ("pass a 1,000-float list", sum_list, (floats,)),
        ("dict[int, int] insert + get", dict_insert_lookup, (n,)),
        ("dict histogram of an array", dict_histogram, (a,)),
        ("word count dict[str, int]", word_count, (make_text(200_000 if quick else 1_000_000),)),
        ("str.join of 10^5 pieces", join_pieces, (100_000,)),
        ("set[int] add + in", set_unique, (a,)),
        ("generator sum/any/max", generator_folds, (a,)),
    ]


def index_from_python(l):
    t = 0
    for i in range(len(l)):
        t += l[i]
    return t


def iterate_from_python(l):
    t = 0
    for x in l:
        t += x
    return t


def typed_from_python(n):
    """Typed lists used from Python (Numba's issue #7727): each item read
    by index and by iteration, oxjit's `typed.List` against Numba's."""
    lists = {"oxjit": oxjit.typed.List(range(n))}
    if numba is not None:
        nl = numba.typed.List()
        for i in range(n):
            nl.append(i)
        lists["numba"] = nl
    print(f"typed List of {n:,} ints, read from Python:")
    rows = []
    for name, fn in [("getitem", index_from_python), ("iterate", iterate_from_python)]:
        t = {k: per_call(fn, (l,), max_total=2.0)[0] for k, l in lists.items()}
        nb = t.get("numba")
        speedup = f"{nb / t['oxjit']:.1f}x faster" if nb else "-"
        print(f"  {name:8} oxjit {fmt_time(t['oxjit']):>10}  numba {fmt_time(nb) if nb else '-':>10}  {speedup}")
        rows.append(dict(kernel=f"typed List {name} from Python", oxjit=t["oxjit"], numba=nb))
    return rows


def first_call(decorate, fn, args):
    f = decorate(fn)
    t0 = time.perf_counter()
    f(*args)
    return time.perf_counter() - t0, f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    opts = ap.parse_args()
    rows = []
    print(f"{'kernel':26} {'python':>10} {'oxjit':>10} {'numba':>10} {'ox/numba':>9} {'ox 1st':>9} {'nb 1st':>9}")
    for name, fn, args in cases(opts.quick):
        py = per_call(fn, args, max_total=2.0)[0]
        ox_first, ox = first_call(oxjit.njit, fn, args)
        assert ox(*args) == fn(*args), name
        compiled = {"oxjit": ox}
        nb_t = nb_first = None
        if numba is not None:
            import warnings

            with warnings.catch_warnings():
                # Reflected lists are deprecated in Numba; measured anyway,
                # as its users still write them.
                warnings.simplefilter("ignore")
                try:
                    nb_first, compiled["numba"] = first_call(numba.njit, fn, args)
                except (numba.core.errors.TypingError, numba.core.errors.UnsupportedError):
                    nb_first = None  # Numba cannot compile this kernel
                    print(f"  (Numba cannot compile '{name}')")
        # Medians of alternating rounds: load changes hit both compilers.
        times = alternating(compiled, lambda: args, rounds=7, min_round=0.05)
        ox_t = times["oxjit"][1]
        nb_t = times["numba"][1] if "numba" in times else None
        ratio = fmt_ratio(ox_t, nb_t) if nb_t else "-"
        print(
            f"{name:26} {fmt_time(py):>10} {fmt_time(ox_t):>10} {fmt_time(nb_t) if nb_t else '-':>10}"
            f" {ratio:>9} {fmt_time(ox_first):>9} {fmt_time(nb_first) if nb_first else '-':>9}"
        )
        rows.append(dict(kernel=name, python=py, oxjit=ox_t, numba=nb_t, oxjit_first=ox_first, numba_first=nb_first))
    ratios = [r["oxjit"] / r["numba"] for r in rows if r["numba"]]
    rows += typed_from_python(20_000 if opts.quick else 100_000)
    if ratios:
        geo = float(np.exp(np.mean(np.log(ratios))))
        print(f"geomean oxjit/numba steady state: {geo:.2f}")
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
