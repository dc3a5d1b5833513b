"""`parallel=True`, `prange` and `fastmath`: every parallel loop must give
the serial result (CPython running the same function, where `prange` is
`range`) — exactly for integers and array writes, and for float sums to a
relative tolerance of 1e-9 (a parallel sum adds in a different order) — for
1, 2 and 3 threads and loop lengths 0, 1, fewer than the threads, and
large. Exceptions raised inside a `prange` loop reach the caller; the
allocation-balance fixture checks every test.

The test run sets ``OXJIT_NUM_THREADS=3`` (conftest), so three threads are
available on any machine.
"""

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import oxjit
from oxjit import njit, prange
from oxjit.errors import TypingError

THREADS = [1, 2, 3]
LENGTHS = [0, 1, 2, 5, 1000, 100_003]
FLOAT_RTOL = 1e-9


@pytest.fixture(params=THREADS, ids=lambda k: f"{k}threads")
def threads(request):
    before = oxjit.get_num_threads()
    oxjit.set_num_threads(request.param)
    yield request.param
    oxjit.set_num_threads(before)


def agree(got, want):
    """Same types and shapes; integers and bools exactly, floats to
    FLOAT_RTOL."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            agree(g, w)
        return
    g, w = np.asarray(got), np.asarray(want)
    assert g.shape == w.shape
    if w.dtype.kind == "f":
        np.testing.assert_allclose(g, w, rtol=FLOAT_RTOL, atol=1e-12)
    else:
        assert np.array_equal(g, w), (got, want)


def par(fn, **options):
    return njit(parallel=True, **options)(fn)


# --- kernels ---------------------------------------------------------------------------


def sum_sq(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i] * a[i]
    return s


def sub_and_scale(a):
    s = 10.0
    for i in prange(a.shape[0]):
        s -= a[i]
    return s


def int_reductions(b):
    total = 0
    sign = 1
    ors = 0
    ands = -1
    xors = 0
    for i in prange(b.shape[0]):
        total += b[i]
        sign *= (b[i] & 1) * 2 - 1
        ors |= b[i]
        ands &= b[i] | 0xF0
        xors ^= b[i]
    return total, sign, ors, ands, xors


def min_max(a):
    lo = np.inf
    hi = -np.inf
    ilo = 1 << 40
    for i in prange(a.shape[0]):
        lo = min(lo, a[i])
        hi = max(a[i], hi)
        ilo = min(ilo, i * 7 % 13)
    return lo, hi, ilo


def writes(a):
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        t = a[i] * 2.0
        out[i] = t + i
    return out


def private_arrays(a):
    out = np.zeros(a.shape[0])
    for i in prange(a.shape[0]):
        t = np.empty(3)
        t[0] = a[i]
        t[1] = a[i] * 2
        t[2] = 1.0
        row = t * t
        out[i] = row.sum()
    return out


def stepped(n):
    s = 0
    for i in prange(n, -n, -3):
        s += i * i
    return s


def uneven(n):
    """Collatz steps: the work per iteration varies (dynamic schedule)."""
    out = np.zeros(n, dtype=np.int64)
    for i in prange(n):
        x = i + 1
        steps = 0
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            steps += 1
        out[i] = steps
    return out


def nested(a):
    total = 0.0
    for i in prange(a.shape[0]):
        inner = 0.0
        for j in prange(a.shape[1]):
            inner += a[i, j]
        total += inner
    return total


def two_loops(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
    m = 0.0
    for i in prange(a.shape[0]):
        m = max(m, abs(a[i] - s / max(a.shape[0], 1)))
    return s, m


# --- differential tests -----------------------------------------------------------


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("kernel", [sum_sq, sub_and_scale, min_max, writes, private_arrays, two_loops])
def test_float_kernels(kernel, n, threads):
    a = np.random.default_rng(n).standard_normal(n)
    agree(par(kernel)(a), kernel(a))


@pytest.mark.parametrize("n", LENGTHS)
def test_integer_reductions_are_exact(n, threads):
    b = np.random.default_rng(n).integers(-1000, 1000, n)
    agree(par(int_reductions)(b), int_reductions(b))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1001])
def test_stepped_ranges(n, threads):
    agree(par(stepped)(n), stepped(n))


@pytest.mark.parametrize("n", [0, 1, 2, 3000])
def test_uneven_iterations(n, threads):
    agree(par(uneven)(n), uneven(n))


@pytest.mark.parametrize("shape", [(0, 3), (1, 1), (3, 2), (50, 40)])
def test_nested_prange_runs_inner_serially(shape, threads):
    a = np.random.default_rng(1).random(shape)
    agree(par(nested)(a), nested(a))


def test_serial_without_parallel_flag():
    a = np.random.default_rng(2).random(1000)
    assert njit(sum_sq)(a) == sum_sq(a)


def test_many_python_threads_at_once():
    f = par(sum_sq)
    arrays = [np.random.default_rng(k).random(20_000 + k) for k in range(16)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(f, arrays))
    for a, r in zip(arrays, results):
        agree(r, sum_sq(a))


# --- array reductions ------------------------------------------------------------


def row_sums(m):
    acc = np.zeros(m.shape[1])
    for i in prange(m.shape[0]):
        acc += m[i] * 2.0
    return acc


def rebinding_sums(m):
    acc = np.zeros(m.shape[1], dtype=np.int64)
    for i in prange(m.shape[0]):
        acc = acc + m[i]
    return acc


def bit_masks(b):
    acc = np.zeros(4, dtype=np.int64)
    prod = np.ones(4, dtype=np.int64)
    for i in prange(b.shape[0]):
        acc |= b[i]
        prod *= (b[i] & 1) * 2 - 1
    return acc, prod


def array_min(m):
    acc = np.zeros(m.shape[1])
    for i in prange(m.shape[0]):
        acc = min(acc, m[i])
    return acc


@pytest.mark.parametrize("rows", [0, 1, 2, 3, 500])
def test_array_reductions(rows, threads):
    rng = np.random.default_rng(rows)
    m = rng.random((rows, 7))
    agree(par(row_sums)(m), row_sums(m))
    b = rng.integers(0, 1 << 20, rows)
    agree(par(bit_masks)(b), bit_masks(b))


def test_array_reductions_that_cannot_run_in_parallel():
    with pytest.raises(TypingError, match="'acc' is a reduction .* which prange does not support"):
        par(array_min)(np.ones((3, 2)))
    # `acc = acc + row` makes a new array each time (the caller's array is
    # untouched in Python), which per-thread partials cannot reproduce.
    with pytest.raises(TypingError, match="'acc' is a reduction that assigns new"):
        par(rebinding_sums)(np.ones((3, 2), dtype=np.int64))


# --- array expressions ------------------------------------------------------------
# With parallel=True, fills of at least 2**15 positions run on the pool;
# every element is computed as in the serial loop, so results are exact.


def expr_fresh(a, b):
    return np.sqrt(a * a + 1.0) - b * 2.0


def expr_broadcast(m, row):
    return np.exp(m - row) + m.T.T


def expr_inplace(a, b):
    a += b * 0.5
    return a


def expr_shift(a):
    a[1:] = a[:-1] * 2.0
    return a


def expr_strided(m):
    return m[::2, 1::3] * 3.0 + 1.0


@pytest.mark.parametrize("n", [10, 40_000, 100_003])
def test_parallel_array_expressions(n, threads):
    from conftest import check

    rng = np.random.default_rng(n)
    a, b = rng.random(n), rng.random(n)
    check(par(expr_fresh), a, b, ulps=4)
    check(par(expr_inplace), a.copy(), b)
    check(par(expr_shift), a.copy())
    m = rng.random((n // 100 + 1, 300))
    check(par(expr_broadcast), m, m[0], ulps=4)
    check(par(expr_broadcast), np.asfortranarray(m), m[0], ulps=4)
    check(par(expr_strided), m)


def whole_sums(a):
    return a.sum(), np.mean(a), a.var(), a.std(ddof=1)


@pytest.mark.parametrize("n", [1000, 65_536, 300_007])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_parallel_float_sums_are_numpys(n, dtype, threads):
    """Long sums add the top subtrees of NumPy's pairwise tree on the
    pool: the same tree, so bit for bit NumPy's result."""
    from conftest import check

    a = np.random.default_rng(n).standard_normal(n).astype(dtype)
    check(par(whole_sums), a)


def whole_reductions(a, b):
    return (a.min(), a.max(), np.max(a * 2.0 - 1.0), (a > 0.5).sum(), b.sum(), (b % 3 - 1).prod(),
            (a >= 0).all(), (b == 7).any(), np.min(b), b.max())


@pytest.mark.parametrize("n", [100, 40_000, 300_007])
@pytest.mark.parametrize("where_nan", [None, 0, "mid", -1])
def test_parallel_whole_array_reductions_are_exact(n, where_nan, threads):
    """Min/max/all/any and integer sums/products of large arrays combine
    per-thread blocks in order: exactly the serial (NumPy) result, NaN
    propagation included (which of -0.0 and 0.0 NumPy's SIMD min/max
    return for a tie depends on their positions; not compared)."""
    from conftest import check

    rng = np.random.default_rng(n)
    a = rng.random(n)
    a[rng.integers(0, n, 5)] = 0.0
    if where_nan is not None:
        a[n // 2 if where_nan == "mid" else where_nan] = np.nan
    b = rng.integers(-1000, 1000, n)
    check(par(whole_reductions), a, b)
    check(par(whole_reductions), a[::3], b[::-2])


# --- exceptions ---------------------------------------------------------------------


def raises_at(a, k):
    for i in prange(a.shape[0]):
        if i == k:
            raise ValueError("bad element")
        a[i] = 1.0
    return a


def divides(b):
    out = np.zeros(b.shape[0], dtype=np.int64)
    for i in prange(b.shape[0]):
        out[i] = 100 // b[i]
    return out


def allocates(n, bad):
    out = np.zeros(n)
    for i in prange(n):
        t = np.ones(n - bad if i == n - 1 else 2)
        out[i] = t[0]
    return out


def indexes(a, idx):
    s = 0.0
    for i in prange(idx.shape[0]):
        s += a[idx[i]]
    return s


@pytest.mark.parametrize("k", [0, 1, 999, 5000])
def test_exception_in_prange_reaches_caller(k, threads):
    f = par(raises_at)
    with pytest.raises(ValueError, match="bad element"):
        f(np.zeros(10_000), k)
    # The pool is usable afterwards.
    agree(f(np.zeros(100), -1), np.ones(100))


def test_zero_division_in_prange(threads):
    b = np.ones(5000, dtype=np.int64)
    b[3333] = 0
    with pytest.raises(ZeroDivisionError):
        par(divides)(b)


def test_runtime_error_message_crosses_threads(threads):
    """A message formatted at run time (NumPy's negative-dimension error)
    raised on a pool thread arrives intact."""
    with pytest.raises(ValueError, match="negative dimensions are not allowed"):
        par(allocates)(4000, 5000)
    agree(par(allocates)(10, 0), np.ones(10))


def test_boundscheck_in_prange(threads):
    a = np.zeros(10)
    idx = np.arange(20_000) % 10
    idx[17_000] = 12
    with pytest.raises(IndexError):
        par(indexes, boundscheck=True)(a, idx)


# --- what cannot run in parallel ---------------------------------------------------


def carried(a):
    last = 0.0
    for i in prange(a.shape[0]):
        a[i] = last
        last = a[i] + 1.0
    return a


def breaks(a):
    s = 0.0
    for i in prange(a.shape[0]):
        if a[i] < 0:
            break
        s += a[i]
    return s


def returns(a):
    for i in prange(a.shape[0]):
        if a[i] < 0:
            return i
    return -1


def resets(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
        if s > 10:
            s = 0.0
    return s


def inner_else(a):
    t = -1
    for i in prange(a.shape[0]):
        for j in range(i % 2):
            t = i
        else:
            a[i] = t
    return a


def target_reduction(n):
    s = 0
    for s in prange(n):
        s += 1
    return s


def private_after(n):
    tmp = np.zeros(3)
    for i in prange(n):
        tmp = np.ones(3) * i
    return tmp.sum()


def private_reassigned_after(n):
    out = np.zeros(n)
    for i in prange(n):
        t = i * 2.0
        out[i] = t
    t = 1.0
    return out.sum() + t


@pytest.mark.parametrize(
    "kernel, pattern",
    [
        (carried, "'last' may be read here before this iteration assigns it"),
        (inner_else, "'t' may be read here before this iteration assigns it"),
        (target_reduction, "'s' is private to a prange loop above"),
        (private_after, "'tmp' is private to a prange loop above"),
        (resets, "'s' may be read here"),
        (breaks, "cannot be left with break"),
        (returns, "cannot return from the function"),
    ],
)
def test_loops_that_cannot_be_parallel(kernel, pattern):
    arg = 4 if kernel in (target_reduction, private_after) else np.ones(4)
    with pytest.raises(TypingError, match=pattern):
        par(kernel)(arg)
    # Without parallel=True the same function is an ordinary loop.
    copy = arg.copy() if isinstance(arg, np.ndarray) else arg
    agree(njit(kernel)(copy), kernel(arg.copy() if isinstance(arg, np.ndarray) else arg))


def test_private_reassigned_after_the_loop_is_fine(threads):
    agree(par(private_reassigned_after)(100), private_reassigned_after(100))


# --- random numbers -----------------------------------------------------------------


def random_fill(n):
    out = np.empty(n)
    for i in prange(n):
        out[i] = np.random.random()
    return out


def test_random_in_prange_gives_independent_streams(threads):
    out = par(random_fill)(200_000)
    assert ((out >= 0) & (out < 1)).all()
    # Threads sharing a stream (or a state race) would repeat draws.
    assert np.unique(out).size == out.size


# --- thread-pool controls, diagnostics -------------------------------------------


def test_thread_controls():
    before = oxjit.get_num_threads()
    try:
        oxjit.set_num_threads(1)
        assert oxjit.get_num_threads() == 1
        with pytest.raises(ValueError):
            oxjit.set_num_threads(0)
        with pytest.raises(ValueError):
            oxjit.set_num_threads(10_000)
        assert oxjit.get_thread_id() == 0
    finally:
        oxjit.set_num_threads(before)


def test_num_threads_is_per_python_thread():
    seen = []
    before = oxjit.get_num_threads()
    oxjit.set_num_threads(1)
    try:
        t = threading.Thread(target=lambda: seen.append(oxjit.get_num_threads()))
        t.start()
        t.join()
    finally:
        oxjit.set_num_threads(before)
    assert seen == [3]


def thread_ids(n):
    out = np.zeros(n, dtype=np.int64)
    for i in prange(n):
        out[i] = oxjit.get_thread_id()
    return out, oxjit.get_num_threads()


def test_thread_id_in_compiled_code(threads):
    ids, k = par(thread_ids)(10_000)
    assert k == threads
    # Static schedule: one contiguous block per thread, in thread order.
    assert np.array_equal(np.unique(ids), np.arange(threads))
    assert (np.diff(ids) >= 0).all()
    ids, k = njit(thread_ids)(10)
    assert k == threads and not ids.any()


def test_parallel_diagnostics():
    f = par(int_reductions)
    f(np.arange(10))
    out = io.StringIO()
    f.parallel_diagnostics(level=2, file=out)
    text = out.getvalue()
    assert "prange loop #0" in text
    for part in ["total (+)", "sign (*)", "ors (|)", "ands (&)", "xors (^)"]:
        assert part in text
    g = par(uneven)
    g(3)
    out = io.StringIO()
    g.parallel_diagnostics(level=2, file=out)
    assert "dynamic chunks" in out.getvalue() and "private: i, x, steps" in out.getvalue()


# --- fastmath ---------------------------------------------------------------------


def tanh_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += np.tanh(a[i])
    return s


def test_fastmath_flag_sets():
    f = njit(fastmath={"reassoc", "nsz"})(sum_sq)
    a = np.random.default_rng(3).random(1000)
    agree(f(a), sum_sq(a))
    ir = next(iter(f.inspect_llvm().values()))
    assert "reassoc nsz" in ir and "nnan" not in ir
    with pytest.raises(ValueError, match="unknown fastmath flag"):
        njit(fastmath={"fast-please"})(sum_sq)


def test_fastmath_vectorises_math_calls():
    a = np.random.default_rng(4).random(1000)
    fast = njit(fastmath=True)(tanh_sum)
    np.testing.assert_allclose(fast(a), tanh_sum(a), rtol=1e-12)
    assert "_ZGV" in next(iter(fast.inspect_llvm().values()))
    plain = njit(tanh_sum)
    plain(a)
    assert "_ZGV" not in next(iter(plain.inspect_llvm().values()))
