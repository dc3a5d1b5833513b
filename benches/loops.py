"""Loop-pattern benchmarks: oxjit and Numba (when installed) side by side.

Run with ``bash scripts/bench.sh loops [options]`` (sets up and installs
Numba) or ``.venv/bin/python benches/loops.py [--quick] [--only TEXT]
[--json FILE] [--python] [--no-numba] [--scaling]``; ``--scaling`` instead
times oxjit's first call of generated functions of 4 to 64 array
statements (compile time against function size). Not part of the test run (pytest
only collects ``tests/``). Prints a table; never asserts anything about
timings, and exits 0 even when a kernel is unsupported or disagrees.

The kernels are written the way Numba users write them -- explicit index
loops over arrays passed in or created locally, and the common NumPy
one-liners -- not in the form that suits a particular compiler: 2-D, 1-D and
3-D stencils (over arguments, over local arrays, swapping the arrays),
matrix-vector and matrix-matrix products as loops and as ``@``, prefix sums,
a histogram, reductions along an axis (loops and NumPy), shifted-slice
expressions, random numbers in a plain and in a ``prange`` loop, gather and
scatter through an index array, complex arithmetic, pairwise distances, a
1-D convolution, dynamic-programming / 2-D prefix tables, and a CFD time
step of ~35 array-expression statements (whose first call is the compile
time of a large function).

Measured, for each kernel (one Python function, compiled by a fresh
``oxjit.njit`` and a fresh ``numba.njit`` dispatcher with the same options):
- the first call (compile + one run) on fresh arguments; both compilers
  first compile a trivial function (and a trivial ``prange`` loop), so this
  is the kernel's compile time, not the one-time start-up, which is
  reported separately;
- the steady-state time per call: the median of 5 rounds, each repeating
  the call enough to last at least 20 ms (``per_call`` of benches/bench.py),
  oxjit's and Numba's rounds alternating so that load changes hit both;
- whether oxjit's result agrees with Numba's (``np.allclose``, exact for
  integer results; the random kernels are checked statistically against
  pi, as the two random streams may differ). A disagreement is marked
  ``MISMATCH`` in the row; a kernel oxjit cannot compile shows
  ``unsupported: <message>`` and the suite goes on.
The summary gives the geometric mean and the maximum of the ratios
oxjit/numba (above 1 means oxjit is slower) and the median first-call time
of each compiler. ``--python`` adds a CPython column for the kernels that
are cheap under the interpreter (the NumPy-form ones).

Both compilers run in one process, so each one's thread pool can steal the
cores the other's next call needs: OpenBLAS (NumPy's, and the one Numba's
``@``/``np.dot`` call) keeps its threads spinning for a while after every
call, which made oxjit's threaded products look 2-7x slower than they run
alone. The suite therefore sets ``OPENBLAS_THREAD_TIMEOUT=4`` (the spin
before sleeping, as a power of two of cycles) unless it is already set;
Numba's own times do not change with it.
"""

import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # see the module docs; before NumPy loads

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# benches/bench.py puts python/ on the path, imports oxjit and (if it can) numba.
from bench import alternating, numba, per_call  # noqa: E402

import oxjit  # noqa: E402
from oxjit import prange  # noqa: E402
from oxjit.demo import fmt_time  # noqa: E402
from oxjit.examples import using  # noqa: E402


# --- kernels -------------------------------------------------------------------------------
# Plain Python functions; each is compiled once by each compiler.


def stencil2d_args(a, b, sweeps):
    """5-point stencil from ``a`` into ``b``, then ``b`` copied back into ``a``."""
    n, m = a.shape
    for s in range(sweeps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                a[i, j] = b[i, j]
    return a


def stencil2d_local(u, sweeps):
    """The same on arrays made inside the function."""
    a = u.copy()
    b = np.empty_like(u)
    n, m = a.shape
    for s in range(sweeps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                a[i, j] = b[i, j]
    return a


def stencil2d_swap(u, sweeps):
    """The same, swapping the two arrays after each sweep."""
    a = u.copy()
    b = u.copy()
    n, m = a.shape
    for s in range(sweeps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])
        a, b = b, a
    return a


def stencil1d(a, b, sweeps):
    """3-point smoothing, copied back after each sweep."""
    n = a.shape[0]
    for s in range(sweeps):
        for i in range(1, n - 1):
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
        for i in range(1, n - 1):
            a[i] = b[i]
    return a


def stencil3d_args(a, b, sweeps):
    """7-point stencil from ``a`` into ``b``, then copied back."""
    n0, n1, n2 = a.shape
    for s in range(sweeps):
        for i in range(1, n0 - 1):
            for j in range(1, n1 - 1):
                for k in range(1, n2 - 1):
                    b[i, j, k] = (a[i - 1, j, k] + a[i + 1, j, k] + a[i, j - 1, k] + a[i, j + 1, k]
                                  + a[i, j, k - 1] + a[i, j, k + 1]) / 6.0
        for i in range(1, n0 - 1):
            for j in range(1, n1 - 1):
                for k in range(1, n2 - 1):
                    a[i, j, k] = b[i, j, k]
    return a


def stencil3d_local(u, sweeps):
    """The same on arrays made inside the function."""
    a = u.copy()
    b = np.empty_like(u)
    n0, n1, n2 = a.shape
    for s in range(sweeps):
        for i in range(1, n0 - 1):
            for j in range(1, n1 - 1):
                for k in range(1, n2 - 1):
                    b[i, j, k] = (a[i - 1, j, k] + a[i + 1, j, k] + a[i, j - 1, k] + a[i, j + 1, k]
                                  + a[i, j, k - 1] + a[i, j, k + 1]) / 6.0
        for i in range(1, n0 - 1):
            for j in range(1, n1 - 1):
                for k in range(1, n2 - 1):
                    a[i, j, k] = b[i, j, k]
    return a


def matvec_loops(A, x):
    n, m = A.shape
    y = np.zeros(n)
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += A[i, j] * x[j]
        y[i] = s
    return y


def matvec_numpy(A, x):
    return A @ x


def matvec_T_numpy(A, y):
    return A.T @ y


def matmul_loops(A, B):
    n, k = A.shape
    m = B.shape[1]
    C = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            s = 0.0
            for p in range(k):
                s += A[i, p] * B[p, j]
            C[i, j] = s
    return C


def prefix_sum(x):
    out = np.empty_like(x)
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
        out[i] = s
    return out


def histogram(x, nbins):
    hist = np.zeros(nbins, dtype=np.int64)
    for i in range(x.shape[0]):
        hist[int(x[i] * nbins)] += 1
    return hist


def sum_axis0_loops(a):
    n, m = a.shape
    out = np.zeros(m)
    for i in range(n):
        for j in range(m):
            out[j] += a[i, j]
    return out


def sum_axis1_loops(a):
    n, m = a.shape
    out = np.zeros(n)
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += a[i, j]
        out[i] = s
    return out


def fma_sum_axis0(a, b, c):
    return (a * b + c).sum(axis=0)


def fma_sum_axis1(a, b, c):
    return (a * b + c).sum(axis=1)


def diff_sq_sum(x):
    return ((x[1:] - x[:-1]) ** 2).sum()


def dot_T_sum(A, B):
    return np.dot(A.T, B).sum(axis=0)


def mc_pi(n):
    acc = 0
    for i in range(n):
        x = np.random.random()
        y = np.random.random()
        if x * x + y * y < 1.0:
            acc += 1
    return 4.0 * acc / n


def mc_pi_prange(n):
    acc = 0
    for i in prange(n):
        x = np.random.random()
        y = np.random.random()
        if x * x + y * y < 1.0:
            acc += 1
    return 4.0 * acc / n


def gather(x, idx, out):
    for i in range(idx.shape[0]):
        out[i] = x[idx[i]]
    return out


def scatter_add(x, idx, out):
    for i in range(out.shape[0]):
        out[i] = 0.0
    for i in range(idx.shape[0]):
        out[idx[i]] += x[i]
    return out


def mandelbrot(xs, ys, maxiter):
    out = np.zeros((ys.shape[0], xs.shape[0]), dtype=np.int64)
    for i in range(ys.shape[0]):
        for j in range(xs.shape[0]):
            c = complex(xs[j], ys[i])
            z = 0j
            n = 0
            while n < maxiter and abs(z) <= 2.0:
                z = z * z + c
                n += 1
            out[i, j] = n
    return out


def complex_normalize(z):
    out = np.empty_like(z)
    for i in range(z.shape[0]):
        r = abs(z[i])
        if r > 0.0:
            out[i] = z[i] / r
        else:
            out[i] = z[i]
    return out


def pairwise_dist(X):
    n, d = X.shape
    D = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            s = 0.0
            for k in range(d):
                t = X[i, k] - X[j, k]
                s += t * t
            D[i, j] = np.sqrt(s)
    return D


def conv1d(x, w):
    n = x.shape[0]
    m = w.shape[0]
    out = np.zeros(n - m + 1)
    for i in range(n - m + 1):
        s = 0.0
        for j in range(m):
            s += x[i + j] * w[j]
        out[i] = s
    return out


def lcs_length(a, b):
    n = a.shape[0]
    m = b.shape[0]
    L = np.zeros((n + 1, m + 1), dtype=np.int64)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if a[i - 1] == b[j - 1]:
                L[i, j] = L[i - 1, j - 1] + 1
            else:
                L[i, j] = max(L[i - 1, j], L[i, j - 1])
    return L[n, m]


def prefix_sum_2d(a):
    n, m = a.shape
    S = np.zeros((n + 1, m + 1))
    for i in range(n):
        for j in range(m):
            S[i + 1, j + 1] = a[i, j] + S[i, j + 1] + S[i + 1, j] - S[i, j]
    return S


# A CFD time step (cavity flow, pressure Poisson iterations, then more
# statements of the same shape): ~35 array-expression statements, the
# function size where compile time shows (the 150-line function).
def cfd_step(u, v, p, dt, dx, dy, rho, nu, nit):
    un = u.copy()
    vn = v.copy()
    b = np.zeros_like(p)
    b[1:-1, 1:-1] = (rho * (1 / dt * ((u[1:-1, 2:] - u[1:-1, 0:-2]) / (2 * dx) +
                      (v[2:, 1:-1] - v[0:-2, 1:-1]) / (2 * dy)) -
                      ((u[1:-1, 2:] - u[1:-1, 0:-2]) / (2 * dx))**2 -
                      2 * ((u[2:, 1:-1] - u[0:-2, 1:-1]) / (2 * dy) *
                           (v[1:-1, 2:] - v[1:-1, 0:-2]) / (2 * dx)) -
                      ((v[2:, 1:-1] - v[0:-2, 1:-1]) / (2 * dy))**2))
    for q in range(nit):
        pn = p.copy()
        p[1:-1, 1:-1] = (((pn[1:-1, 2:] + pn[1:-1, 0:-2]) * dy**2 +
                          (pn[2:, 1:-1] + pn[0:-2, 1:-1]) * dx**2) /
                         (2 * (dx**2 + dy**2)) -
                         dx**2 * dy**2 / (2 * (dx**2 + dy**2)) * b[1:-1, 1:-1])
        p[:, -1] = p[:, -2]
        p[0, :] = p[1, :]
        p[:, 0] = p[:, 1]
        p[-1, :] = 0
    u[1:-1, 1:-1] = (un[1:-1, 1:-1] - un[1:-1, 1:-1] * dt / dx *
                     (un[1:-1, 1:-1] - un[1:-1, 0:-2]) -
                     vn[1:-1, 1:-1] * dt / dy *
                     (un[1:-1, 1:-1] - un[0:-2, 1:-1]) - dt / (2 * rho * dx) *
                     (p[1:-1, 2:] - p[1:-1, 0:-2]) + nu *
                     (dt / dx**2 *
                      (un[1:-1, 2:] - 2 * un[1:-1, 1:-1] + un[1:-1, 0:-2]) +
                      dt / dy**2 *
                      (un[2:, 1:-1] - 2 * un[1:-1, 1:-1] + un[0:-2, 1:-1])))
    v[1:-1, 1:-1] = (vn[1:-1, 1:-1] - un[1:-1, 1:-1] * dt / dx *
                     (vn[1:-1, 1:-1] - vn[1:-1, 0:-2]) -
                     vn[1:-1, 1:-1] * dt / dy *
                     (vn[1:-1, 1:-1] - vn[0:-2, 1:-1]) - dt / (2 * rho * dy) *
                     (p[2:, 1:-1] - p[0:-2, 1:-1]) + nu *
                     (dt / dx**2 *
                      (vn[1:-1, 2:] - 2 * vn[1:-1, 1:-1] + vn[1:-1, 0:-2]) +
                      dt / dy**2 *
                      (vn[2:, 1:-1] - 2 * vn[1:-1, 1:-1] + vn[0:-2, 1:-1])))
    u[0, :] = 0
    u[:, 0] = 0
    u[:, -1] = 0
    u[-1, :] = 1
    v[0, :] = 0
    v[-1, :] = 0
    v[:, 0] = 0
    v[:, -1] = 0
    # second half: more statements of the same shape
    w = u * u + v * v
    e = np.sqrt(w) * 0.5 + p * 0.1
    e[1:-1, 1:-1] += 0.01 * (e[2:, 1:-1] + e[:-2, 1:-1] + e[1:-1, 2:] + e[1:-1, :-2] - 4 * e[1:-1, 1:-1])
    f = np.exp(-e) * u - np.sin(v) * p
    g = np.maximum(f, 0.0) + np.minimum(e, 1.0)
    h = (g[1:, :] - g[:-1, :]).sum()
    k = (g[:, 1:] - g[:, :-1]).sum()
    s = (u**2).sum() + (v**2).sum() + h + k
    m = np.abs(u - v).max()
    u2 = u * 0.99 + v * 0.01
    v2 = v * 0.99 - u * 0.01
    u[:, :] = u2
    v[:, :] = v2
    q1 = (u[1:-1, 1:-1] * v[1:-1, 1:-1]).mean()
    q2 = np.tanh(u[2:, 2:] - v[:-2, :-2]).sum()
    q3 = (np.log1p(np.abs(p)) * e).sum()
    return s + m + q1 + q2 + q3


# --- the suite -----------------------------------------------------------------------------


class Kernel:
    """One benchmark: ``make_args()`` returns fresh arguments (kernels may
    write into them); ``check`` is "close", "exact" or "pi"; ``python``
    marks the kernels cheap enough to time under CPython."""

    def __init__(self, name, func, make_args, options=None, check="close", python=False):
        self.name, self.func, self.make_args = name, func, make_args
        self.options = options or {}
        self.check, self.python = check, python


def suite(quick):
    rng = np.random.default_rng(2024)
    q = quick

    def grid2(n):
        u = np.zeros((n, n))
        u[0, :] = 1.0
        u[:, 0] = 0.5
        u[1:-1, 1:-1] = rng.random((n - 2, n - 2))
        return u

    def grid3(n):
        u = rng.random((n, n, n))
        u[0] = 1.0
        return u

    ncfd = 41
    n2 = 256 if q else 512
    n1 = 100_000 if q else 1_000_000
    n3 = 48 if q else 96
    nmv = 500 if q else 2000
    nmm = 128 if q else 256
    nlong = 200_000 if q else 2_000_000
    nred = 300 if q else 1000
    nmc = 200_000 if q else 2_000_000
    nidx = 100_000 if q else 1_000_000
    mw, mh, miter = (200, 150, 50) if q else (400, 300, 100)
    npd = 300 if q else 1000
    nlcs = 500 if q else 2000
    sw = 10

    u2 = grid2(n2)
    x1 = rng.random(n1)
    u3 = grid3(n3)
    A_mv = rng.standard_normal((nmv, nmv))
    x_mv = rng.standard_normal(nmv)
    A_mm = rng.standard_normal((nmm, nmm))
    B_mm = rng.standard_normal((nmm, nmm))
    xlong = rng.random(nlong)
    R = [rng.standard_normal((nred, nred)) for _ in range(3)]
    A_dt = rng.standard_normal((nred // 2, nred // 3))
    B_dt = rng.standard_normal((nred // 2, nred // 3))
    xg = rng.standard_normal(nidx)
    idx = rng.integers(0, nidx, nidx)
    xs_m = np.linspace(-2.0, 0.6, mw)
    ys_m = np.linspace(-1.2, 1.2, mh)
    zc = rng.standard_normal(nidx) + 1j * rng.standard_normal(nidx)
    zc[::1000] = 0.0
    X_pd = rng.standard_normal((npd, 3))
    w_cv = rng.standard_normal(15)
    s_a = rng.integers(0, 4, nlcs)
    s_b = rng.integers(0, 4, nlcs)
    a_p2 = rng.random((nred, nred))

    K = Kernel
    return [
        K(f"stencil2d args {n2}^2 x{sw}", stencil2d_args, lambda: (u2.copy(), u2.copy(), sw)),
        K(f"stencil2d local {n2}^2 x{sw}", stencil2d_local, lambda: (u2, sw)),
        K(f"stencil2d swap {n2}^2 x{sw}", stencil2d_swap, lambda: (u2, sw)),
        K(f"stencil1d {n1:,} x{sw}", stencil1d, lambda: (x1.copy(), x1.copy(), sw)),
        K(f"stencil3d args {n3}^3 x{sw}", stencil3d_args, lambda: (u3.copy(), u3.copy(), sw)),
        K(f"stencil3d local {n3}^3 x{sw}", stencil3d_local, lambda: (u3, sw)),
        K(f"matvec loops {nmv}^2", matvec_loops, lambda: (A_mv, x_mv)),
        K(f"A @ x {nmv}^2", matvec_numpy, lambda: (A_mv, x_mv), python=True),
        K(f"A.T @ y {nmv}^2", matvec_T_numpy, lambda: (A_mv, x_mv), python=True),
        K(f"matmul loops {nmm}^2", matmul_loops, lambda: (A_mm, B_mm)),
        K(f"prefix sum {nlong:,}", prefix_sum, lambda: (xlong,)),
        K(f"histogram {nlong:,} -> 100", histogram, lambda: (xlong, 100), check="exact"),
        K(f"sum axis0 loops {nred}^2", sum_axis0_loops, lambda: (R[0],)),
        K(f"sum axis1 loops {nred}^2", sum_axis1_loops, lambda: (R[0],)),
        K(f"(a*b+c).sum(axis=0) {nred}^2", fma_sum_axis0, lambda: tuple(R), python=True),
        K(f"(a*b+c).sum(axis=1) {nred}^2", fma_sum_axis1, lambda: tuple(R), python=True),
        K(f"((x[1:]-x[:-1])**2).sum() {nlong:,}", diff_sq_sum, lambda: (xlong,), python=True),
        K(f"np.dot(A.T, B).sum(0) {A_dt.shape[0]}x{A_dt.shape[1]}", dot_T_sum, lambda: (A_dt, B_dt), python=True),
        K(f"mc pi random() {nmc:,}", mc_pi, lambda: (nmc,), check="pi"),
        K(f"mc pi random() prange {nmc:,}", mc_pi_prange, lambda: (nmc,), {"parallel": True}, check="pi"),
        K(f"gather x[idx[i]] {nidx:,}", gather, lambda: (xg, idx, np.empty(nidx))),
        K(f"scatter-add out[idx[i]] {nidx:,}", scatter_add, lambda: (xg, idx, np.empty(nidx))),
        K(f"mandelbrot {mw}x{mh} it{miter}", mandelbrot, lambda: (xs_m, ys_m, miter), check="exact"),
        K(f"complex z/abs(z) {nidx:,}", complex_normalize, lambda: (zc,)),
        K(f"pairwise dist loops {npd}x3", pairwise_dist, lambda: (X_pd,)),
        K(f"conv1d {nidx:,} * 15", conv1d, lambda: (xg, w_cv)),
        K(f"lcs length {nlcs}x{nlcs} int", lcs_length, lambda: (s_a, s_b), check="exact"),
        K(f"prefix sum 2d {nred}^2", prefix_sum_2d, lambda: (a_p2,)),
        K(
            f"cfd step {ncfd}^2 (35 array statements)",
            cfd_step,
            lambda: (np.zeros((ncfd, ncfd)), np.zeros((ncfd, ncfd)), np.zeros((ncfd, ncfd)), 0.001, 0.05, 0.05, 1.0, 0.1, 50),
        ),
    ]


# --- running -------------------------------------------------------------------------------


def _build(kernel, jit, prange_):
    """A fresh dispatcher for ``kernel`` (``prange`` rebound for Numba)."""
    func = kernel.func if prange_ is prange else using(kernel.func, prange=prange_)
    return jit(**kernel.options)(func)


def _first_line(exc):
    """The informative first line of an error (oxjit's start with a
    ``Failed to compile ...`` header; the next line is the diagnostic)."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()] or [type(exc).__name__]
    if len(lines) > 1 and lines[0].startswith("Failed to compile"):
        return lines[1]
    return lines[0]


def _first_call(kernel, jit, prange_):
    """(dispatcher, first-call seconds, result, error message or None)."""
    args = kernel.make_args()
    try:
        f = _build(kernel, jit, prange_)
        t0 = time.perf_counter()
        res = f(*args)
        t1 = time.perf_counter()
    except Exception as exc:  # unsupported construct, or a failure at run time
        return None, None, None, f"{type(exc).__name__}: {_first_line(exc)}"
    return f, t1 - t0, res, None


ROUNDS = 5
MIN_ROUND = 0.02  # seconds


def _steady(funcs, kernel):
    """{compiler: (min, median) seconds per call}, the compilers' rounds
    alternating (``bench.alternating``)."""
    return alternating(funcs, kernel.make_args, ROUNDS, MIN_ROUND)


def _agree(check, ox, ref, n_draws=None):
    if check == "pi":
        # 4 * Bernoulli(pi/4) mean: sigma = 4 sqrt(p (1 - p) / n).
        sigma = 4.0 * math.sqrt(math.pi / 4 * (1 - math.pi / 4) / n_draws)
        ok = isinstance(ox, float) and abs(ox - math.pi) < 6 * sigma
        return ok and (ref is None or abs(ref - math.pi) < 6 * sigma)
    ox, ref = np.asarray(ox), np.asarray(ref)
    if ox.shape != ref.shape or ox.dtype != ref.dtype:
        return False
    if check == "exact":
        return bool(np.array_equal(ox, ref))
    return bool(np.allclose(ox, ref, rtol=1e-9, atol=1e-9))


def _warm_up(jit, prange_):
    """Compile a trivial function and a trivial ``prange`` loop, so that a
    kernel's first call measures its own compile time; returns the seconds."""
    def add(x, y):
        return x + y

    def psum(n):
        s = 0
        for i in prange(n):
            s += i
        return s

    t0 = time.perf_counter()
    jit()(add)(1, 2)
    t1 = time.perf_counter()
    jit(parallel=True)(using(psum, prange=prange_))(10)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


SLOWER = 1.1  # ratios above this are listed as "slower than numba" (noise is a few %)

COLUMNS = ("kernel", "oxjit", "numba", "oxjit/numba", "oxjit 1st call", "numba 1st call")


def _fmt_ratio(r):
    return "-" if r is None else (f"{r:.1f}x" if r >= 10 else f"{r:.2f}x")


def _statements(k):
    """A function of ``k`` pairs of array statements (a stencil assignment
    and a fused sum), defined through ``linecache`` so that its source is
    found, as for code generated at run time."""
    import linecache

    lines = ["def grown(u, v):", "    s = 0.0"]
    for i in range(k):
        lines.append(f"    v[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]) + {i}.0")
        lines.append("    s += (v * 2.0 + u).sum()")
    lines.append("    return s")
    src = "\n".join(lines) + "\n"
    filename = f"<loops-scaling-{k}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    namespace = {"np": np}
    exec(compile(src, filename, "exec"), namespace)
    return namespace["grown"]


def scaling(sizes=(2, 4, 8, 16, 32)):
    """First-call time (compile + one run) of functions of growing size:
    linear growth means the same time per statement pair."""
    _warm_up(oxjit.njit, prange)
    print("compile time by function size (oxjit, first call):")
    u = np.random.default_rng(1).random((64, 64))
    out = {}
    for k in sizes:
        f = oxjit.njit(_statements(k))
        t0 = time.perf_counter()
        f(u, np.zeros_like(u))
        out[k] = time.perf_counter() - t0
        print(f"  {2 * k:3d} statements: {fmt_time(out[k]):>9}  ({fmt_time(out[k] / k)} per pair)")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    parser.add_argument("--only", metavar="TEXT", help="run just the kernels whose name contains TEXT")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--python", action="store_true", help="also time CPython on the kernels cheap under it")
    parser.add_argument("--no-numba", action="store_true", help="time oxjit alone")
    parser.add_argument("--scaling", action="store_true", help="only the compile time by function size")
    opts = parser.parse_args(argv)
    if opts.scaling:
        scaling()
        return 0
    nb = None if opts.no_numba else numba

    print(f"oxjit {oxjit.__version__} | numba {nb.__version__ if nb else 'not used'} | "
          f"numpy {np.__version__} | Python {sys.version.split()[0]} | {os.cpu_count()} CPUs"
          + (" | quick" if opts.quick else ""))
    kernels = [k for k in suite(opts.quick) if not opts.only or opts.only in k.name]
    if not kernels:
        print(f"no kernel name contains {opts.only!r}")
        return 0

    compilers = [("oxjit", oxjit.njit, prange)] + ([("numba", nb.njit, nb.prange)] if nb else [])
    results = {"versions": {"oxjit": oxjit.__version__, "numba": nb.__version__ if nb else None,
                            "numpy": np.__version__, "python": sys.version.split()[0]},
               "quick": opts.quick, "startup": {}, "kernels": {}}
    for cname, jit, prange_ in compilers:
        plain, par = _warm_up(jit, prange_)
        results["startup"][cname] = {"njit": plain, "parallel": par}
    print("start-up (first compile in the process, trivial njit / parallel function): "
          + "; ".join(f"{c} {fmt_time(v['njit'])} / {fmt_time(v['parallel'])}" for c, v in results["startup"].items()))
    print()

    columns = COLUMNS + (("python",) if opts.python else ()) + ("note",)
    name_w = max(len(k.name) for k in kernels)
    widths = [name_w] + [max(len(c), 9) for c in columns[1:-1]]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))) + (
        "  " + cells[-1] if cells[-1] else "")
    print(line(list(columns)))
    print(line(["-" * w for w in widths] + [""]))

    t_suite = time.perf_counter()
    for k in kernels:
        entry = {"options": k.options}
        notes = []
        first = {}
        for cname, jit, prange_ in compilers:
            f, t_first, res, err = _first_call(k, jit, prange_)
            e = entry[cname] = {"first_call": t_first, "error": err}
            first[cname] = (f, res)
            if err is None:
                continue
            if cname == "oxjit":
                notes.append(f"unsupported: {err}")
            else:
                notes.append(f"numba failed: {err}")
        timed = _steady({c: f for c, (f, _) in first.items() if f is not None}, k)
        for c, (t_min, t_med) in timed.items():
            entry[c]["min"], entry[c]["median"] = t_min, t_med
        ox_f, ox_res = first["oxjit"]
        nb_f, nb_res = first.get("numba", (None, None))
        if ox_f is not None and (nb_f is not None or k.check == "pi"):
            ok = _agree(k.check, ox_res, nb_res, n_draws=k.make_args()[0] if k.check == "pi" else None)
            entry["agree"] = ok
            if not ok:
                notes.append("MISMATCH" + (f" (oxjit {ox_res!r}, numba {nb_res!r})" if k.check == "pi" else ""))
        if opts.python and k.python:
            entry["python"] = dict(zip(("min", "median"), per_call(k.func, k.make_args(), min_round=0.02, rounds=3, max_total=1.0)))
        ox_t = entry["oxjit"].get("median")
        nb_t = entry.get("numba", {}).get("median")
        entry["ratio"] = ox_t / nb_t if ox_t and nb_t else None
        results["kernels"][k.name] = entry
        cells = [k.name, fmt_time(ox_t), fmt_time(nb_t), _fmt_ratio(entry["ratio"]),
                 fmt_time(entry["oxjit"]["first_call"]), fmt_time(entry.get("numba", {}).get("first_call"))]
        if opts.python:
            cells.append(fmt_time(entry.get("python", {}).get("median")))
        print(line(cells + ["; ".join(notes)]), flush=True)

    # summary
    ks = results["kernels"]
    ratios = {n: e["ratio"] for n, e in ks.items() if e["ratio"]}
    ox_first = [e["oxjit"]["first_call"] for e in ks.values() if e["oxjit"]["first_call"] is not None]
    nb_first = [e["numba"]["first_call"] for e in ks.values() if "numba" in e and e["numba"]["first_call"] is not None]
    unsupported = [n for n, e in ks.items() if e["oxjit"]["error"]]
    mismatch = [n for n, e in ks.items() if e.get("agree") is False]
    slower = sorted((r, n) for n, r in ratios.items() if r > SLOWER)
    summary = {
        "kernels": len(ks),
        "geomean_ratio": math.exp(statistics.fmean(math.log(r) for r in ratios.values())) if ratios else None,
        "max_ratio": max(ratios.values()) if ratios else None,
        "max_ratio_kernel": max(ratios, key=ratios.get) if ratios else None,
        "median_first_call_oxjit": statistics.median(ox_first) if ox_first else None,
        "median_first_call_numba": statistics.median(nb_first) if nb_first else None,
        "unsupported": unsupported,
        "mismatch": mismatch,
        "slower_than_numba": [n for _, n in slower],
        "suite_seconds": time.perf_counter() - t_suite,
    }
    results["summary"] = summary
    print()
    print("oxjit/numba above 1 means oxjit is slower; times are per call, the median of 5 rounds;")
    print("a first call is compile + one run.")
    if ratios:
        print(f"geomean oxjit/numba over {len(ratios)} kernels: {_fmt_ratio(summary['geomean_ratio'])}; "
              f"max {_fmt_ratio(summary['max_ratio'])} ({summary['max_ratio_kernel']})")
    print(f"median first call: oxjit {fmt_time(summary['median_first_call_oxjit'])}"
          + (f", numba {fmt_time(summary['median_first_call_numba'])}" if nb_first else ""))
    if slower:
        print(f"oxjit slower than numba by more than {SLOWER - 1:.0%}: " + ", ".join(f"{n} ({_fmt_ratio(r)})" for r, n in reversed(slower)))
    if unsupported:
        print(f"unsupported by oxjit ({len(unsupported)}): " + ", ".join(unsupported))
    if mismatch:
        print(f"results disagree ({len(mismatch)}): " + ", ".join(mismatch))
    print(f"suite time {summary['suite_seconds']:.1f} s")
    if opts.json:
        with open(opts.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
