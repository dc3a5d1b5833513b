"""Exceptions: what a `try`/`except` costs on the path that does not
raise, a tight loop with the statement inside it and around it against
the same loop without one, and a loop whose every third iteration raises
and catches (`KeyError` from a dict lookup), for oxjit and Numba (when
installed) side by side. Not part of the test run; asserts nothing about
timings.

    .venv/bin/python benches/exceptions.py [--n N]

Each row: the median of 7 rounds, the kernels' rounds alternating.
"""

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import oxjit  # noqa: E402
from bench import alternating, numba  # noqa: E402
from oxjit.demo import fmt_time  # noqa: E402


def kernels(jit):
    @jit
    def plain(a):
        s = 0
        for i in range(a.shape[0]):
            s += 1000 // (a[i] | 1)
        return s

    @jit
    def inside(a):
        s = 0
        for i in range(a.shape[0]):
            try:
                s += 1000 // (a[i] | 1)
            except Exception:
                s -= 1
        return s

    @jit
    def around(a):
        s = 0
        try:
            for i in range(a.shape[0]):
                s += 1000 // (a[i] | 1)
        except Exception:
            s = -1
        return s

    @jit
    def lookups(a):
        d = {0: 1}
        for k in range(1, 100):
            if k % 3:
                d[k] = k
        s = 0
        for i in range(a.shape[0]):
            try:
                s += d[a[i] % 100]
            except Exception:
                s -= 1
        return s

    return plain, inside, around, lookups


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10**7)
    n = ap.parse_args().n
    a = np.random.default_rng(0).integers(0, 1 << 20, n)
    small = a[: n // 20]
    compilers = {"oxjit": oxjit.njit}
    if numba is not None:
        compilers["numba"] = numba.njit
    print(f"a loop of {n:,} integer divisions, without and with try/except (never raising)")
    for name, jit in compilers.items():
        plain, inside, around, lookups = kernels(jit)
        assert plain(a) == inside(a) == around(a)
        t = alternating({"plain": plain, "inside": inside, "around": around}, lambda: (a,))
        p, i, r = (t[k][1] for k in ("plain", "inside", "around"))
        raising = alternating({"lookups": lookups}, lambda: (small,))["lookups"][1]
        print(
            f"  {name:6} plain {fmt_time(p):>10}  inside {fmt_time(i):>10} ({i / p:.3f}x)"
            f"  around {fmt_time(r):>10} ({r / p:.3f}x)"
            f"  | {len(small):,} lookups, 1/3 raising KeyError {fmt_time(raising):>10}"
        )


if __name__ == "__main__":
    main()
