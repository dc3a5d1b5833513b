"""Functions as values: a loop calling a jitted function passed in as an
argument (and a lambda capturing a value, passed the same way) against
the same loop calling it by name, oxjit and Numba (when
installed) side by side; Numba's users report the passed-in form as slow
(its issue #2952). Not part of the test run; asserts nothing about timings.

    .venv/bin/python benches/functions.py [--n N]

Each row: the median of 7 rounds, the compilers' rounds alternating.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import oxjit  # noqa: E402
from bench import alternating, numba  # noqa: E402
from oxjit.demo import fmt_time  # noqa: E402


def kernels(jit):
    """The callee, the loop taking it as an argument, the loop naming it."""

    @jit
    def poly(x):
        return 1.0 + x * (0.5 + x * 0.25)

    @jit
    def passed(f, n):
        s = 0.0
        for i in range(n):
            s += f(i * 1e-7)
        return s

    @jit
    def direct(n):
        s = 0.0
        for i in range(n):
            s += poly(i * 1e-7)
        return s

    @jit
    def closure(n, c):
        return passed(lambda x: 1.0 + x * (0.5 + x * c), n)

    return poly, passed, direct, closure


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10**7)
    n = ap.parse_args().n
    compilers = {"oxjit": oxjit.njit}
    if numba is not None:
        compilers["numba"] = numba.njit
    print(f"{n:,} calls of a passed-in function against the same loop calling it by name")
    for name, jit in compilers.items():
        poly, passed, direct, closure = kernels(jit)
        assert passed(poly, 1000) == direct(1000)
        runs = {"passed": lambda k: passed(poly, k), "direct": direct}
        try:
            assert closure(1000, 0.25) == direct(1000)
            runs["closure"] = lambda k: closure(k, 0.25)
        except Exception as e:  # Numba does not pass closures to other functions
            print(f"  {name:6} a lambda passed to a jitted function: {type(e).__name__}")
        t = alternating(runs, lambda: (n,))
        p, d = t["passed"][1], t["direct"][1]
        row = f"  {name:6} passed {fmt_time(p):>10}  direct {fmt_time(d):>10}  passed/direct {p / d:.3f}"
        if "closure" in t:
            c = t["closure"][1]
            row += f"  closure passed {fmt_time(c):>10} ({c / d:.3f}x)"
        print(row)


if __name__ == "__main__":
    main()
