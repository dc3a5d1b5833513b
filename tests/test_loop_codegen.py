"""What loop nests compile to: assertions on the optimised LLVM IR of the
loop patterns users write (not on timings). Range loops with a constant
unit step count the loop variable itself, so LLVM knows its sign and
range: `a[i - 1, j]` with `i` from 1 needs no negative-index test, and the
inner loop vectorises with plain vector loads instead of gathers."""

import re

import numpy as np

from conftest import check, jitted
from oxjit import njit


def stencil(a, b, sweeps):
    n, m = a.shape
    for _ in range(sweeps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])
    return b


def stencil_swapped(u, sweeps):
    a = u.copy()
    b = u.copy()
    n, m = a.shape
    for _ in range(sweeps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])
        a, b = b, a
    return a


def vector_bodies(ir):
    """The text of every vectorised loop body in `ir`."""
    blocks = re.split(r"\n(?=[\w.]+:)", ir)
    return [b for b in blocks if re.match(r"vector\.body\d*:", b)]


def llvm_of(f):
    (text,) = f.inspect_llvm().values()
    return text


def assert_plain_vector_loop(ir):
    bodies = vector_bodies(ir)
    assert bodies, "the inner loop was not vectorised"
    for body in bodies:
        assert "masked.gather" not in body and "masked.scatter" not in body, body
        assert not re.search(r"icmp slt <\d+ x i64> .*, zeroinitializer", body), body
        assert re.search(r"load <\d+ x double>", body), body


def test_stencil_over_arguments_vectorises_without_index_wrapping():
    f = jitted(stencil)
    u = np.random.default_rng(0).random((20, 30))
    check(f, u, np.zeros_like(u), 3)
    assert_plain_vector_loop(llvm_of(f))


def test_stencil_over_swapped_local_arrays_vectorises():
    f = jitted(stencil_swapped)
    u = np.random.default_rng(1).random((17, 33))
    check(f, u, 4)
    assert_plain_vector_loop(llvm_of(f))


def prefix_sum(x):
    out = np.empty_like(x)
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
        out[i] = s
    return out


def test_empty_arrays_are_not_filled():
    f = jitted(prefix_sum)
    check(f, np.arange(50.0))
    assert "memset" not in llvm_of(f)


def empty_shapes(n):
    a = np.empty(n)
    b = np.empty((n, 3), dtype=np.int32)
    c = np.empty_like(b, dtype=np.complex64)
    a[:] = 1.5
    b[:, 1] = 7
    return a.shape, a.sum(), b.shape, b.itemsize, b[:, 1].sum(), c.shape, c.itemsize


def test_empty_shapes_and_dtypes_also_in_parallel_code():
    for options in ({}, {"parallel": True}):
        f = jitted(empty_shapes, **options)
        for n in (0, 1, 100_000):
            assert f(n) == empty_shapes(n)


def conv1d(x, w):
    out = np.zeros(x.shape[0] - w.shape[0] + 1)
    for i in range(out.shape[0]):
        s = 0.0
        for j in range(w.shape[0]):
            s += x[i + j] * w[j]
        out[i] = s
    return out


def test_sums_of_loop_counters_index_without_a_negative_test():
    """`x[i + j]`: unchecked index arithmetic cannot wrap, so LLVM knows
    the sum of two counters from 0 is not negative."""
    f = jitted(conv1d)
    rng = np.random.default_rng(2)
    check(f, rng.random(40), rng.random(5))
    assert not re.search(r"icmp slt i64 .*, 0\b", llvm_of(f))


def negative_offsets(a, k):
    """Index arithmetic that is negative at run time still wraps as in Python."""
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i - k] * (i + 1) + a[-1 - i] - a[i * 1 - a.shape[0]]
    return s


def test_negative_index_arithmetic_still_wraps():
    a = np.arange(7.0) ** 2
    for k in (0, 1, 3, 7):
        check(jitted(negative_offsets), a, k)
        check(jitted(negative_offsets, boundscheck=True), a, k)


def histogram(x, nbins):
    hist = np.zeros(nbins, dtype=np.int64)
    for i in range(x.shape[0]):
        hist[int(x[i] * nbins)] += 1
    return hist


def test_augmented_assignment_indexes_without_a_temporary():
    """`hist[int(x[i] * n)] += 1`: the index is the expression itself, so an
    unchecked float index is truncated without saturation code."""
    f = jitted(histogram)
    check(f, np.random.default_rng(3).random(500), 7)
    assert "fptosi.sat" not in llvm_of(f)


def test_float_index_out_of_range_is_an_index_error_when_checked():
    import pytest

    f = jitted(histogram, boundscheck=True)
    check(f, np.array([0.5, 0.25]), 4)
    for bad in (1.5, -2.0, 1e300):
        with pytest.raises(IndexError):
            f(np.array([0.5, bad]), 4)


@njit
def bump(idx):
    idx[0] += 1
    return 10


def index_evaluated_once(a, idx):
    """Python evaluates the target's index before the right-hand side,
    which here changes what the index expression reads."""
    a[idx[0]] += bump(idx)
    a[idx[0] * 2] -= a[idx[0]]
    return a


def test_augmented_assignment_evaluates_its_index_once():
    check(jitted(index_evaluated_once), np.arange(8.0), np.array([1, 0]))


def count_members(n):
    seen = {3, 5, 7}
    for i in range(100):
        seen.add(i * 3)
    hits = 0
    for i in range(n):
        if i in seen:
            hits += 1
    return hits


def test_membership_in_a_set_of_ints_is_inline():
    f = jitted(count_members)
    check(f, 1000)
    ir = next(iter(f.inspect_llvm().values()))
    calls = set(re.findall(r"call [^@]*@(\w+)", ir))
    assert not any("set_contains" in c or "set_has" in c for c in calls), calls
    assert "oxjit_rt_set_add_word" in calls
