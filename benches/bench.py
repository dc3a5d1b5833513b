"""Benchmarks: CPython, oxjit and Numba (when installed) side by side.

Run with ``bash scripts/bench.sh`` (sets up and installs Numba) or
``.venv/bin/python benches/bench.py [--quick] [--json FILE]``. Not part of
the test run (pytest only collects ``tests/``). Prints a table; never
asserts anything about timings. The "target" column restates the
acceptance figures of the first issue and of the arrays issue next to the
measurement.

Measured:
- ``import`` time, in fresh interpreters (best of 5), of numpy, oxjit, numba;
- compile latency: in a fresh interpreter that has already compiled one
  other function, the first call of ``collatz_max`` (which compiles it);
  the one-time start-up (the very first compilation) separately;
- steady-state time per call of the example kernels (min and median of
  several rounds, each long enough to be timed well), including the array
  kernels (``go_fast``, ``black_scholes``, ``pdist`` array style, a 2-D
  Jacobi stencil; the "python" column is CPython running NumPy);
- the parallel kernels (``parallel=True`` with ``prange``, and
  ``fastmath=True``): the tutorial's ``go_fast``/``go_even_faster``/
  ``go_super_fast`` on 10k elements and a 1,500-body force loop; the
  scaling of a compute-bound ``prange`` loop from 1 to 2 threads; the
  first-call compile time of ``go_super_fast``;
- dispatch overhead: the raw time of ``f(1, 2)`` for a trivial ``f``, and of
  ``get(a, 5)`` with an array argument.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import timeit

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))

import oxjit  # noqa: E402
from oxjit import examples  # noqa: E402
from oxjit.demo import fmt_ratio, fmt_time  # noqa: E402

try:
    import numba
except Exception:  # not installed, or incompatible with this NumPy
    numba = None


# --- timing -------------------------------------------------------------------------------


def per_call(fn, args, min_round=0.05, rounds=7, max_total=5.0):
    """(min, median) seconds per call: ``rounds`` rounds of at least
    ``min_round`` s each, fewer if the total would exceed ``max_total``."""
    clock = time.perf_counter_ns
    n = 1
    while True:
        t0 = clock()
        for _ in range(n):
            fn(*args)
        dt = (clock() - t0) * 1e-9
        if dt >= min_round or n >= 10**8:
            break
        n = n * 10 if dt < min_round / 20 else n * 2
    samples = [dt / n]
    while len(samples) < rounds and sum(samples) * n < max_total:
        t0 = clock()
        for _ in range(n):
            fn(*args)
        samples.append((clock() - t0) * 1e-9 / n)
    return min(samples), statistics.median(samples)


def alternating(funcs, make_args, rounds=5, min_round=0.02):
    """{name: (min, median) seconds per call} of each of ``funcs`` (a dict
    of callables) over ``rounds`` rounds of at least ``min_round`` s each,
    the functions' rounds alternating so that a change in the machine's
    load (these are 2-core boxes) hits all of them. Each function gets its
    own arguments from ``make_args()``."""
    args = {name: make_args() for name in funcs}
    samples = {name: [] for name in funcs}
    for _ in range(rounds):
        for name, f in funcs.items():
            samples[name].append(per_call(f, args[name], min_round=min_round, rounds=1)[0])
    return {name: (min(v), statistics.median(v)) for name, v in samples.items()}


def call_overhead(fn, args, number=1_000_000, repeat=7):
    """Best raw time of one call in a tight ``timeit`` loop."""
    timer = timeit.Timer("f(*args)", globals={"f": fn, "args": args})
    return min(timer.repeat(repeat=repeat, number=number)) / number


def subprocess_seconds(code, repeat):
    """Run ``code`` (which prints a JSON object) in fresh interpreters;
    returns the list of decoded outputs."""
    out = []
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(os.path.dirname(HERE), "python") + os.pathsep + env.get("PYTHONPATH", "")
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark subprocess failed:\n{proc.stderr}")
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


IMPORT_CODE = """
import json, time
t0 = time.perf_counter()
import {module}
print(json.dumps({{"seconds": time.perf_counter() - t0}}))
"""

COMPILE_CODE = """
import json, time
import numpy as np
from {package} import njit, prange
from oxjit import examples
t0 = time.perf_counter()
njit(examples.add)(1, 2)
t1 = time.perf_counter()
f = njit(examples.collatz_max)
f(10)
t2 = time.perf_counter()
g = njit(parallel=True, fastmath=True)(examples.using(examples.go_even_faster, prange=prange))
g(np.ones(10))
t3 = time.perf_counter()
print(json.dumps({{"startup": t1 - t0, "collatz": t2 - t1, "go_super_fast": t3 - t2}}))
"""


# --- the benchmark ---------------------------------------------------------------------------


def kernels(quick):
    rng = np.random.default_rng(7)
    n_norm = 100_000 if quick else 1_000_000
    xs = rng.standard_normal((100 if quick else 400, 3))
    return [
        ("fib loop(90)", examples.fib_loop, (90,), lambda jit: jit()(examples.fib_loop)),
        ("collatz_max(10000)", examples.collatz_max, (10_000,), lambda jit: jit()(examples.collatz_max)),
        (f"recursive fib({20 if quick else 25})", examples.fib_rec, (20 if quick else 25,), lambda jit: examples.recursive(examples.fib_rec, jit())),
        (
            f"pdist_into({xs.shape[0]}x3)",
            examples.pdist_into,
            (xs, np.empty((xs.shape[0], xs.shape[0]))),
            lambda jit: jit()(examples.pdist_into),
        ),
        (
            f"norm_p({n_norm:,})",
            examples.norm_p,
            (rng.standard_normal(n_norm), 3.0),
            lambda jit: jit(examples.NORM_P_SIGNATURE)(examples.norm_p),
        ),
        ("go_fast trace(10k)", examples.go_fast_trace, (rng.random(10_000),), lambda jit: jit()(examples.go_fast_trace)),
    ]


def array_kernels(quick):
    """The arrays issue's benchmarks (each with its acceptance target):
    array creation, slicing, fused expressions and reductions."""
    rng = np.random.default_rng(11)
    n_bs = 100_000 if quick else 1_000_000
    n_pd = 100 if quick else 400
    n_j = 200 if quick else 500
    n_sv = 500_000 if quick else 5_000_000
    m = rng.standard_normal((200, 200))
    S = rng.uniform(10.0, 50.0, n_bs)
    K = rng.uniform(10.0, 50.0, n_bs)
    T = rng.uniform(0.1, 2.0, n_bs)
    u = np.zeros((n_j, n_j))
    u[0, :] = 1.0
    u[:, 0] = 0.5
    return [
        ("go_fast(10k), a + trace", examples.go_fast, (rng.random(10_000),), lambda jit: jit()(examples.go_fast), "numba/oxjit >= 1x"),
        (f"black_scholes({n_bs:,})", examples.black_scholes, (S, K, T, 0.02, 0.3), lambda jit: jit()(examples.black_scholes), "numba/oxjit >= 2x"),
        (f"pdist array style({n_pd}x3)", examples.pdist, (rng.standard_normal((n_pd, 3)),), lambda jit: jit()(examples.pdist), "numba/oxjit >= 1x"),
        (f"jacobi({n_j}x{n_j}, 10 sweeps)", examples.jacobi, (u, 10), lambda jit: jit()(examples.jacobi), "numba/oxjit >= 1x"),
        (f"sieve({n_sv:,})", examples.sieve, (n_sv,), lambda jit: jit()(examples.sieve), "numba/oxjit >= 1x"),
        ("np.dot(200x200, 200x200)", examples.matmul, (m, m.T.copy()), lambda jit: jit()(examples.matmul), "numba/oxjit >= 1x"),
    ]


def _prange_for(jit):
    """The `prange` that ``jit``'s compiler recognises."""
    return numba.prange if numba is not None and jit is numba.njit else oxjit.prange


def _parallel(func, **options):
    """A builder compiling the `prange` kernel ``func`` with ``options``."""
    return lambda jit: jit(**options)(examples.using(func, prange=_prange_for(jit)))


def parallel_kernels(quick):
    """The parallel issue's benchmarks (a ``None`` Python function skips
    the CPython timing, which would take seconds)."""
    rng = np.random.default_rng(13)
    x = rng.random(10_000)
    n_body = 500 if quick else 1500
    pos = rng.standard_normal((n_body, 3))
    mass = rng.random(n_body)
    return [
        ("go_fast(10k) (njit)", examples.go_fast, (x,), lambda jit: jit()(examples.go_fast), "numba/oxjit >= 1x"),
        ("go_even_faster(10k) (parallel)", examples.go_even_faster, (x,), _parallel(examples.go_even_faster, parallel=True), "numba/oxjit >= 1x"),
        ("go_super_fast(10k) (parallel, fastmath)", examples.go_even_faster, (x,), _parallel(examples.go_even_faster, parallel=True, fastmath=True), "numba/oxjit >= 2x"),
        (f"nbody forces({n_body}) (parallel)", None, (pos, mass, np.empty_like(pos)), _parallel(examples.nbody_forces, parallel=True), "numba/oxjit >= 1x"),
    ]


def scaling(results, rows, quick):
    """Time of a compute-bound `prange` loop on 1 and on 2 threads."""
    n = 200_000 if quick else 2_000_000
    entry = {}
    for name, jit, set_threads in [("oxjit", oxjit.njit, oxjit.set_num_threads)] + ([("numba", numba.njit, numba.set_num_threads)] if numba else []):
        f = _parallel(examples.prange_work, parallel=True)(jit)
        f(n)
        times = {}
        for k in (1, 2):
            set_threads(k)
            times[k] = per_call(f, (n,))[0]
        set_threads(2)
        entry[name] = times
    results["scaling"] = entry
    ox = entry["oxjit"]
    nb = entry.get("numba", {})
    speedup = lambda t: f"{t[1] / t[2]:.2f}x" if t else ""
    rows.append((f"prange_work({n:,}) 1 -> 2 threads", "", f"{fmt_time(ox[1])} -> {fmt_time(ox[2])} ({speedup(ox)})", f"{fmt_time(nb.get(1))} -> {fmt_time(nb.get(2))} ({speedup(nb)})" if nb else "", "", "oxjit speed-up >= 1.8x"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--only", metavar="TEXT", help="run just the steady-state kernels whose name contains TEXT")
    opts = parser.parse_args(argv)
    quick = opts.quick
    repeat_proc = 2 if quick else 5
    results = {}
    rows = []

    print(f"oxjit {oxjit.__version__} | numba {numba.__version__ if numba else 'not installed'} | "
          f"numpy {np.__version__} | Python {sys.version.split()[0]} | {os.cpu_count()} CPUs")
    print()

    if not opts.only:
        import_and_compile(results, rows, repeat_proc)

    # steady state
    steady = {}
    for name, py_func, args, build, *target in kernels(quick) + array_kernels(quick) + parallel_kernels(quick):
        if opts.only and opts.only not in name:
            continue
        target = target[0] if target else "numba/oxjit >= 0.91x"
        ox = build(oxjit.njit)
        ox(*args)
        entry = {
            "python": per_call(py_func, args, rounds=3, max_total=3.0 if not quick else 0.5) if py_func else (None, None),
            "oxjit": per_call(ox, args),
        }
        if numba:
            nbf = build(numba.njit)
            nbf(*args)
            entry["numba"] = per_call(nbf, args)
        steady[name] = entry
        t_nb = entry.get("numba", (None,))[0]
        rows.append((name, fmt_time(entry["python"][0]), fmt_time(entry["oxjit"][0]) + f" (med {fmt_time(entry['oxjit'][1])})", fmt_time(t_nb), fmt_ratio(t_nb, entry["oxjit"][0]), target))
    results["steady"] = steady

    if not opts.only or opts.only in "scaling":
        scaling(results, rows, quick)
    if not opts.only:
        dispatch(results, rows, quick)

    header = ("benchmark", "python", "oxjit", "numba", "numba/oxjit", "target")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header, tuple("-" * w for w in widths)] + rows:
        print("  ".join(str(c).ljust(w) if i in (0, 5) else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    print()
    print("numba/oxjit above 1 means oxjit is faster; times are the best of several rounds.")
    if opts.json:
        with open(opts.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


def import_and_compile(results, rows, repeat_proc):
    """Fresh-process import time and first-compile latency."""
    imp = {}
    for module in ["numpy", "oxjit", "numpy, oxjit"] + (["numba"] if numba else []):
        runs = subprocess_seconds(IMPORT_CODE.format(module=module), repeat_proc)
        imp[module] = min(r["seconds"] for r in runs)
    results["import"] = imp
    rows.append(("import, with numpy (fresh process)", fmt_time(imp["numpy"]) + " (numpy)", fmt_time(imp["numpy, oxjit"]), fmt_time(imp.get("numba")), fmt_ratio(imp.get("numba"), imp["numpy, oxjit"]), "oxjit <= 100 ms"))
    rows.append(("import, oxjit alone", "", fmt_time(imp["oxjit"]), "", "", "(reported)"))

    # compile latency
    comp = {}
    for package in ["oxjit"] + (["numba"] if numba else []):
        runs = subprocess_seconds(COMPILE_CODE.format(package=package), repeat_proc)
        comp[package] = {
            "startup": min(r["startup"] for r in runs),
            "collatz": min(r["collatz"] for r in runs),
            "collatz_median": statistics.median(r["collatz"] for r in runs),
            "go_super_fast": min(r["go_super_fast"] for r in runs),
        }
    results["compile"] = comp
    nb = comp.get("numba", {})
    rows.append(("first compile in process (start-up)", "", fmt_time(comp["oxjit"]["startup"]), fmt_time(nb.get("startup")), fmt_ratio(nb.get("startup"), comp["oxjit"]["startup"]), "(reported)"))
    rows.append(("compile collatz_max (first call)", "", fmt_time(comp["oxjit"]["collatz"]), fmt_time(nb.get("collatz")), fmt_ratio(nb.get("collatz"), comp["oxjit"]["collatz"]), "oxjit <= 30 ms"))
    rows.append(("compile go_super_fast (first call)", "", fmt_time(comp["oxjit"]["go_super_fast"]), fmt_time(nb.get("go_super_fast")), fmt_ratio(nb.get("go_super_fast"), comp["oxjit"]["go_super_fast"]), "oxjit <= 50 ms"))


def dispatch(results, rows, quick):
    """Call overhead of a trivial function and of an array argument."""
    number = 200_000 if quick else 2_000_000
    disp = {"python f(1, 2)": call_overhead(examples.add, (1, 2), number)}
    ox_add = oxjit.njit(examples.add)
    ox_add(1, 2)
    disp["oxjit f(1, 2)"] = call_overhead(ox_add, (1, 2), number)
    a = np.arange(10.0)
    ox_get = oxjit.njit(examples.get)
    ox_get(a, 5)
    disp["oxjit get(a, 5)"] = call_overhead(ox_get, (a, 5), number)
    if numba:
        nb_add = numba.njit(examples.add)
        nb_add(1, 2)
        disp["numba f(1, 2)"] = call_overhead(nb_add, (1, 2), number)
        nb_get = numba.njit(examples.get)
        nb_get(a, 5)
        disp["numba get(a, 5)"] = call_overhead(nb_get, (a, 5), number)
    results["dispatch"] = disp
    rows.append(("dispatch f(1, 2)", fmt_time(disp["python f(1, 2)"]), fmt_time(disp["oxjit f(1, 2)"]), fmt_time(disp.get("numba f(1, 2)")), fmt_ratio(disp.get("numba f(1, 2)"), disp["oxjit f(1, 2)"]), "oxjit <= 150 ns"))
    rows.append(("dispatch get(a, 5) (array arg)", "", fmt_time(disp["oxjit get(a, 5)"]), fmt_time(disp.get("numba get(a, 5)")), fmt_ratio(disp.get("numba get(a, 5)"), disp["oxjit get(a, 5)"]), "(reported)"))


if __name__ == "__main__":
    sys.exit(main())
