"""``python -m oxjit.demo``: run the example kernels under plain Python,
oxjit and (when it is installed) Numba, check that the results agree, and
print a table of timings.

Columns: the steady-state time of one call under each, the speed-ups
``python/oxjit`` and ``numba/oxjit`` (above 1 means oxjit is faster), and
the time of the first call (which compiles) under oxjit and Numba. The very
first compilation in a process also starts the JIT; it is reported
separately as ``start-up``. ``--quick`` uses small inputs (for tests).
Exits with status 1 if any result disagrees with plain Python.
"""

import argparse
import math
import sys
import time

import numpy as np

from . import examples
from .decorators import njit


def _load_numba():
    try:
        import numba
    except Exception:  # not installed, or broken against this NumPy
        return None
    return numba


def per_call(fn, args, min_time, repeat):
    """Best time of one call, in seconds, over ``repeat`` rounds of at least
    ``min_time`` seconds each (fewer rounds for slow functions)."""
    clock = time.perf_counter_ns
    n = 1
    while True:
        t0 = clock()
        for _ in range(n):
            fn(*args)
        elapsed = (clock() - t0) * 1e-9
        if elapsed >= min_time or n >= 10**7:
            break
        n *= 10 if elapsed < min_time / 20 else 2
    best = elapsed / n
    rounds = repeat if elapsed < 0.5 else min(repeat, 2)
    for _ in range(rounds - 1):
        t0 = clock()
        for _ in range(n):
            fn(*args)
        best = min(best, (clock() - t0) * 1e-9 / n)
    return best


def first_call(make, args):
    """(dispatcher, result, seconds) for building the dispatcher with
    ``make()`` and making its first call (which compiles)."""
    t0 = time.perf_counter_ns()
    fn = make()
    result = fn(*args)
    return fn, result, (time.perf_counter_ns() - t0) * 1e-9


def agree(got, want):
    if isinstance(want, tuple):
        return isinstance(got, tuple) and len(got) == len(want) and all(map(agree, got, want))
    if isinstance(want, (float, np.floating)):
        return math.isclose(float(got), float(want), rel_tol=1e-12, abs_tol=0.0)
    return got == want


def cases(quick):
    """(name, python function, args, builder(jit) -> compiled function)."""
    rng = np.random.default_rng(2024)
    n_norm = 100_000 if quick else 1_000_000
    n_pts = 60 if quick else 400
    n_tanh = 1_000 if quick else 10_000
    n_collatz = 1_000 if quick else 10_000
    n_rec = 15 if quick else 25
    a_norm = rng.standard_normal(n_norm)
    xs = rng.standard_normal((n_pts, 3))
    D = np.empty((n_pts, n_pts))
    a_tanh = rng.random(n_tanh)
    a_get = np.arange(10.0)
    return [
        ("fib loop (n=90)", examples.fib_loop, (90,), lambda jit: jit()(examples.fib_loop)),
        (
            f"recursive fib({n_rec})",
            examples.fib_rec,
            (n_rec,),
            lambda jit: examples.recursive(examples.fib_rec, jit()),
        ),
        (f"collatz_max({n_collatz})", examples.collatz_max, (n_collatz,), lambda jit: jit()(examples.collatz_max)),
        (
            f"norm_p({n_norm:,} values, p=3)",
            examples.norm_p,
            (a_norm, 3.0),
            lambda jit: jit(examples.NORM_P_SIGNATURE)(examples.norm_p),
        ),
        ("get(a, 5), boundscheck", examples.get, (a_get, 5), lambda jit: jit(boundscheck=True)(examples.get)),
        (
            f"pdist_into({n_pts}x3 points)",
            examples.pdist_into,
            (xs, D),
            lambda jit: jit()(examples.pdist_into),
        ),
        (f"go_fast trace ({n_tanh:,} tanh)", examples.go_fast_trace, (a_tanh,), lambda jit: jit()(examples.go_fast_trace)),
    ]


def fmt_time(seconds):
    if seconds is None:
        return "-"
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(num, den):
    if num is None or den is None or den <= 0:
        return "-"
    return f"{num / den:.1f}x" if num / den >= 10 else f"{num / den:.2f}x"


def run(quick=False, with_numba=True, out=sys.stdout):
    """Run every case and print the table; returns the number of mismatches."""
    import oxjit

    numba = _load_numba() if with_numba else None
    min_time, repeat = (0.005, 2) if quick else (0.1, 5)
    ox_njit = oxjit.njit
    nb_njit = numba.njit if numba else None

    print(f"oxjit {oxjit.__version__}, NumPy {np.__version__}, Python {sys.version.split()[0]}", file=out)
    print(f"Numba: {numba.__version__ if numba else 'not installed (columns left empty)'}", file=out)

    # The first compilation in a process also initialises the JIT.
    _, _, startup = first_call(lambda: njit(examples.add), (1, 2))
    nb_startup = first_call(lambda: nb_njit(examples.add), (1, 2))[2] if numba else None
    print(f"start-up (first compile in the process): oxjit {fmt_time(startup)}, numba {fmt_time(nb_startup)}", file=out)
    print(file=out)

    header = ("case", "python", "oxjit", "numba", "python/oxjit", "numba/oxjit", "compile oxjit", "compile numba", "check")
    rows = []
    mismatches = 0
    for name, py_func, args, build in cases(quick):
        want = py_func(*args)
        ox, got, ox_compile = first_call(lambda: build(lambda *a, **k: ox_njit(*a, **k)), args)
        ok = agree(got, want)
        t_py = per_call(py_func, args, min_time, repeat)
        t_ox = per_call(ox, args, min_time, repeat)
        t_nb = nb_compile = None
        if numba:
            nb, nb_got, nb_compile = first_call(lambda: build(lambda *a, **k: nb_njit(*a, **k)), args)
            ok = ok and agree(nb_got, want)
            t_nb = per_call(nb, args, min_time, repeat)
        mismatches += not ok
        rows.append(
            (
                name,
                fmt_time(t_py),
                fmt_time(t_ox),
                fmt_time(t_nb),
                fmt_ratio(t_py, t_ox),
                fmt_ratio(t_nb, t_ox),
                fmt_time(ox_compile),
                fmt_time(nb_compile),
                "ok" if ok else f"MISMATCH: {got!r} != {want!r}",
            )
        )
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    print(line(header), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in rows:
        print(line(r), file=out)
    print(file=out)
    print("compile = time of the first call (for norm_p: of the eager compile at decoration).", file=out)
    print("ratios above 1 mean oxjit is faster.", file=out)
    if mismatches:
        print(f"{mismatches} case(s) disagree with plain Python", file=out)
    return mismatches


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m oxjit.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small inputs and few repeats")
    parser.add_argument("--no-numba", action="store_true", help="do not compare with Numba")
    args = parser.parse_args(argv)
    return 1 if run(quick=args.quick, with_numba=not args.no_numba) else 0


if __name__ == "__main__":
    sys.exit(main())
