"""Example kernels, as plain Python functions, shared by the demo
(`python -m oxjit.demo`), the benchmarks (`benches/bench.py`) and the tests.

They are the examples of the first oxjit issue (`collatz_max`, `norm_p`,
`get`) and of the seed tutorials (the Fibonacci loop, recursive Fibonacci,
the naive pairwise-distance loops, the scalar part of ``go_fast``). Each
is compiled by the caller with `oxjit.njit` (or Numba's, for comparison);
`recursive_fib` calls itself through the name `fib_rec` that the caller
binds in this module's globals, so that the compiled version recurses into
compiled code.

The array-style kernels after `go_fast_trace` (`go_fast`, `black_scholes`,
`pdist`, `jacobi`) are the benchmarks of the arrays issue: they create
arrays, slice them and evaluate array expressions. The `prange` kernels
(`go_even_faster`, `nbody_forces`, `prange_work`) are those of the parallel
issue; compile them for Numba through `using(func, prange=numba.prange)`.
"""

import numpy as np

from .parallel import prange

NORM_P_SIGNATURE = "float64(float64[:], float64)"


def fib_loop(n):
    """The tutorial's Fibonacci loop (fits int64 for n <= 90)."""
    a, b = 1, 1
    for i in range(n):
        a, b = a + b, a
    return a


def fib_rec(n):
    """Recursive Fibonacci. Callers rebind ``examples.fib_rec`` to the compiled
    version so that the recursive call is compiled too."""
    if n < 2:
        return n
    return fib_rec(n - 1) + fib_rec(n - 2)


def collatz_max(n):
    """The start below ``n`` with the longest Collatz sequence, and its length."""
    best, arg = 0, 0
    for start in range(1, n):
        x, steps = start, 0
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            steps += 1
        if steps > best:
            best, arg = steps, start
    return arg, best


def norm_p(a, p):
    """The p-norm of a 1-D float64 array (eager signature `NORM_P_SIGNATURE`)."""
    s = 0.0
    for v in a:
        s += abs(v) ** p
    return s ** (1.0 / p)


def get(a, i):
    """One element; compiled with ``boundscheck=True``."""
    return a[i]


def pdist_into(xs, D):
    """The tutorial's naive pairwise Euclidean distances, written into ``D``."""
    n, p = xs.shape
    for i in range(n):
        for j in range(n):
            s = 0.0
            for k in range(p):
                tmp = xs[i, k] - xs[j, k]
                s += tmp * tmp
            D[i, j] = s**0.5
    return D[n - 1, 0]


def go_fast_trace(a):
    """The scalar part of the tutorial's ``go_fast``: the sum of tanh over a
    1-D array (array expressions such as ``a + trace`` come later)."""
    trace = 0.0
    for i in range(a.shape[0]):
        trace += np.tanh(a[i])
    return trace


def go_fast(a):
    """The tutorial's ``go_fast``: the trace of tanh over the diagonal of a
    2-D array (or over a 1-D array), added to every element."""
    trace = 0.0
    for i in range(a.shape[0]):
        trace += np.tanh(a[i])
    return a + trace


def black_scholes(S, K, T, r, v):
    """Black-Scholes call prices with a tanh approximation of the normal
    CDF: a chain of array expressions (NumPy makes a temporary per step)."""
    d1 = (np.log(S / K) + (r + 0.5 * v * v) * T) / (v * np.sqrt(T))
    d2 = d1 - v * np.sqrt(T)
    return S * 0.5 * (1 + np.tanh(d1 * 0.797)) - K * np.exp(-r * T) * 0.5 * (1 + np.tanh(d2 * 0.797))


def pdist(xs):
    """Pairwise Euclidean distances, array style: broadcasting and a
    reduction over the last axis."""
    return np.sqrt(((xs[:, None, :] - xs) ** 2).sum(-1))


def jacobi(u, sweeps):
    """``sweeps`` Jacobi iterations of the 2-D Laplace equation on a copy of
    ``u`` (its border stays fixed), written with slices."""
    u = u.copy()
    new = u.copy()
    for _ in range(sweeps):
        new[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
        u, new = new, u
    return u


def sieve(n):
    """The primes up to ``n`` (sieve of Eratosthenes): strided slice
    assignment and ``np.nonzero``."""
    flags = np.ones(n + 1, dtype=np.bool_)
    flags[:2] = False
    for i in range(2, int(n ** 0.5) + 1):
        if flags[i]:
            flags[i * i::i] = False
    return np.nonzero(flags)[0]


def matmul(a, b):
    """A matrix product through ``np.dot``."""
    return np.dot(a, b)


def go_even_faster(a):
    """The tutorial's ``go_even_faster``/``go_super_fast``: `go_fast` with
    a `prange` reduction (compile with ``parallel=True`` and optionally
    ``fastmath=True``)."""
    trace = 0.0
    for i in prange(a.shape[0]):
        trace += np.tanh(a[i])
    return a + trace


def nbody_forces(pos, mass, acc):
    """Softened gravitational accelerations of every body from all others,
    one `prange` iteration per body."""
    n = pos.shape[0]
    for i in prange(n):
        ax = 0.0
        ay = 0.0
        az = 0.0
        for j in range(n):
            dx = pos[j, 0] - pos[i, 0]
            dy = pos[j, 1] - pos[i, 1]
            dz = pos[j, 2] - pos[i, 2]
            r2 = dx * dx + dy * dy + dz * dz + 1e-3
            s = mass[j] / (r2 * np.sqrt(r2))
            ax += dx * s
            ay += dy * s
            az += dz * s
        acc[i, 0] = ax
        acc[i, 1] = ay
        acc[i, 2] = az
    return acc


def prange_work(n):
    """A compute-bound `prange` reduction (for thread scaling)."""
    total = 0.0
    for i in prange(n):
        x = i * 1e-6
        for _ in range(20):
            x = x * x * 0.5 + 0.25
        total += x
    return total


def using(func, **names):
    """A copy of ``func`` whose globals have ``names`` rebound (e.g.
    ``prange=numba.prange`` to compile a `prange` kernel with Numba)."""
    import types

    namespace = dict(func.__globals__)
    namespace.update(names)
    copy = types.FunctionType(func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__)
    copy.__qualname__ = func.__qualname__
    copy.__module__ = func.__module__
    return copy


def add(x, y):
    """A trivial function, for dispatch overhead."""
    return x + y


def recursive(func, jit):
    """Compile a self-recursive ``func`` with ``jit`` (oxjit's or Numba's
    ``njit``) so that its recursive calls go to the compiled version: the
    compiled function gets a private copy of the module globals in which its
    own name is bound to the dispatcher, and the module is left unchanged."""
    copy = using(func)
    copy.__doc__ = func.__doc__
    dispatcher = jit(copy)
    copy.__globals__[func.__name__] = dispatcher
    return dispatcher
