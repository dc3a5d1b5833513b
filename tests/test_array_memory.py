"""Memory of arrays made in compiled code, measured with the runtime's
allocation counters (`oxjit._core.alloc_stats()`; every test in the suite
also runs under the autouse balance check of ``conftest.py``) and with
Python's reference counts and weak references:

- a function that allocates several arrays and then raises (``raise``, a
  broadcasting error, an out-of-bounds index, an error in a callee) frees
  them all;
- a loop that makes 10,000 temporaries frees them as it goes;
- arrays returned to Python are freed when the last reference goes, also
  views of them, arrays inside returned tuples, and arrays passed back into
  compiled code and returned again;
- returned arrays are real ``numpy.ndarray``s that own their memory (alive
  after every other reference is gone, writeable, aligned);
- input arrays: returning them or views of them takes exactly one reference
  per returned object (no leaked references after many calls), and a view
  keeps its input alive until the view is gone.
"""

import gc
import sys
import weakref

import numpy as np
import pytest

from array_helpers import kernel
from conftest import check, jitted, pure
from oxjit import _core, njit


def stats():
    gc.collect()
    return _core.alloc_stats()


def delta(before):
    after = stats()
    return {k: after[k] - before[k] for k in before}


def live(d):
    """Allocations made and not yet freed."""
    return d["allocs"] - d["frees"]


def assert_balanced(d):
    assert d["allocs"] == d["frees"], f"leaked: {d}"
    assert d["meminfo_allocs"] == d["meminfo_frees"], f"meminfos leaked: {d}"


# --- raising midway ----------------------------------------------------------------------


def raise_after_allocs(n):
    t = np.zeros(10)
    u = np.ones((n, 3))
    v = u[1:]
    w = t + 1.0
    if n > 2:
        raise ValueError("x")
    return t.sum() + v.sum() + w.sum()


def raise_in_loop(n):
    acc = np.zeros(4)
    for i in range(n):
        tmp = np.arange(4.0) * i
        acc += tmp
        if i == 5:
            raise ValueError("loop")
    return acc


def broadcast_error_after_allocs(n):
    a = np.ones(n)
    b = np.zeros(n + 1)
    c = a * 2.0
    return c + b


def index_error_after_allocs(n):
    a = np.arange(n)
    b = a.reshape(1, n).copy()
    return b[0, n]


@njit
def callee_raises(a):
    t = a * 2
    if t[0] > 0:
        raise KeyError("callee")
    return t


def caller_of_raising(n):
    a = np.ones(n)
    b = np.full(n, 3.0)
    r = callee_raises(a)
    return r + b


def raise_holding_input_view(a):
    v = a[::2]
    w = v.T
    c = w.copy()
    if c.shape[0] > 1:
        raise RuntimeError("views")
    return v


RAISERS = [
    (raise_after_allocs, (5,)),
    (raise_in_loop, (10,)),
    (broadcast_error_after_allocs, (6,)),
    (index_error_after_allocs, (4,)),
    (caller_of_raising, (3,)),
]


@pytest.mark.parametrize("func, args", RAISERS, ids=lambda x: getattr(x, "__name__", ""))
def test_raise_midway_frees_everything(func, args):
    f = jitted(func, boundscheck=True)
    with pytest.raises(Exception) as want:
        pure(f)(*args)
    for _ in range(4):  # the first call compiles
        with pytest.raises(want.type):
            f(*args)
        if _ == 0:
            before = stats()
    d = delta(before)
    assert d["allocs"] > 0, "the function allocated nothing: the test does not test anything"
    assert_balanced(d)


def test_raise_after_allocs_returns_normally_too():
    before = stats()
    check(jitted(raise_after_allocs), 2)
    assert_balanced(delta(before))


def test_raise_holding_views_of_input():
    a = np.arange(12.0).reshape(6, 2)
    refs = sys.getrefcount(a)
    before = stats()
    with pytest.raises(RuntimeError, match="views"):
        jitted(raise_holding_input_view)(a)
    assert_balanced(delta(before))
    assert sys.getrefcount(a) == refs


# --- loops of temporaries -------------------------------------------------------------------


def many_temporaries(n):
    s = 0.0
    for i in range(n):
        t = np.zeros(10) + i
        u = t[::2] * 2.0
        s += u[1] + t.sum()
    return s


def many_returns_from_callee(n):
    s = 0.0
    for i in range(n):
        s += make_pair(i)[1][0]
    return s


@njit
def make_pair(i):
    a = np.full(3, float(i))
    return a, a[1:] * 2


def rebinding(n):
    a = np.zeros(5)
    for i in range(n):
        a = a + 1.0
    return a


@pytest.mark.parametrize("func", [many_temporaries, many_returns_from_callee, rebinding], ids=lambda f: f.__name__)
def test_loop_of_temporaries_frees_them(func):
    f = jitted(func)
    check(f, 3)  # compile
    before = stats()
    r = check(f, 10_000)
    del r
    d = delta(before)
    assert d["allocs"] > 0
    assert_balanced(d)


# --- returned arrays -------------------------------------------------------------------------------


def fresh(n):
    return np.arange(n) * 2


def fresh_view(n):
    return np.arange(n * 2.0)[::2]


def fresh_tuple(n):
    a = np.zeros(n)
    return a, np.ones((n, 2)), a[1:], 7


def passthrough(a):
    return a


def reshaped(a):
    return a.reshape(-1)[1:]


@pytest.mark.parametrize("func", [fresh, fresh_view], ids=lambda f: f.__name__)
def test_returned_array_freed_when_dropped(func):
    f = jitted(func)
    f(2)
    before = stats()
    r = f(1000)
    d = delta(before)
    assert live(d) >= 1, f"no runtime allocation is alive while the result is: {d}"
    assert type(r) is np.ndarray and r.flags.writeable and r.flags.aligned
    r[0] = 5
    del r
    assert_balanced(delta(before))


def test_returned_tuple_members_freed_one_by_one():
    f = jitted(fresh_tuple)
    f(2)
    before = stats()
    a, b, c, k = f(100)
    assert k == 7 and np.shares_memory(a, c) and not np.shares_memory(a, b)
    alive = live(delta(before))
    assert alive >= 2
    del a
    assert live(delta(before)) == alive, "a[1:] is still alive: a's memory must be too"
    c[0] = 1.0
    del c
    assert live(delta(before)) < alive
    del b
    assert_balanced(delta(before))


def nested_tuple(n):
    a = np.zeros(n)
    inner = (np.ones((n, 2)), 3, (a[1:], True))
    return (a, inner, None), inner[2][0]


@jitted
def pick_inner(t):
    return t[1][2][0] * 2.0, t[0]


def nested_round_trip(n):
    t, v = nested_tuple_jit(n)
    doubled, a = pick_inner(t)
    return doubled, a, v


nested_tuple_jit = jitted(nested_tuple)


def test_nested_heterogeneous_tuples_count_every_reference():
    """Arrays at every depth of mixed tuples are counted (the references are
    the `MemInfo` fields of the tuple's memory representation): returned,
    passed back in and out again, and dropped in any order."""
    f = jitted(nested_round_trip)
    f(3)
    before = stats()
    (a, (b, k, (c, flag)), none), d = nested_tuple_jit(100)
    assert (k, flag, none) == (3, True, None) and b.shape == (100, 2)
    assert np.shares_memory(a, c) and np.shares_memory(c, d)
    del a, b
    c[0] = 1.0
    assert d[0] == 1.0
    del c, d
    doubled, a2, v = f(50)
    assert np.array_equal(doubled, np.zeros(49)) and a2.shape == (50,) and np.shares_memory(a2, v)
    del doubled, a2, v
    assert_balanced(delta(before))


def test_result_outlives_everything_else():
    """The array owns its memory: dropping the dispatcher's other state and
    running more compiled code does not disturb it."""
    r = jitted(fresh)(50)
    expect = np.arange(50) * 2
    for _ in range(100):
        jitted(fresh)(50)
        jitted(many_temporaries)(10)
    assert np.array_equal(r, expect)


def test_result_passed_back_and_returned_again():
    f = jitted(fresh)
    g = jitted(reshaped)
    f(2)
    g(np.zeros((2, 2)))
    before = stats()
    r = f(12)
    v = g(r.reshape(3, 4))
    w = jitted(passthrough)(v)
    assert w is v and np.shares_memory(v, r)
    del r
    assert v[0] == 2
    del v, w
    assert_balanced(delta(before))


def test_many_calls_returning_arrays():
    f = jitted(fresh_tuple)
    f(2)
    before = stats()
    for i in range(2000):
        f(i % 7)
    assert_balanced(delta(before))


# --- input arrays ---------------------------------------------------------------------------------


def view_of_input(a):
    return a[1:, ::2]


def input_in_tuple(a):
    return a, a.T, (a, 1)


@pytest.mark.parametrize("func", [passthrough, view_of_input, input_in_tuple, reshaped], ids=lambda f: f.__name__)
def test_no_reference_leak_on_inputs(func):
    f = jitted(func)
    a = np.arange(12.0).reshape(3, 4)
    f(a)
    refs = sys.getrefcount(a)
    for _ in range(1000):
        f(a)
    gc.collect()
    assert sys.getrefcount(a) == refs


def assert_same_arrays(got, want):
    if isinstance(want, tuple):
        for g, w in zip(got, want):
            assert_same_arrays(g, w)
    elif isinstance(want, np.ndarray):
        assert np.array_equal(got, want)


@pytest.mark.parametrize("func", [view_of_input, input_in_tuple, reshaped], ids=lambda f: f.__name__)
def test_view_keeps_input_alive(func):
    a = np.empty((3, 4))  # owns its data, so NumPy views of it point to it
    a[...] = np.arange(12.0).reshape(3, 4)
    expected = func(a.copy())
    w = weakref.ref(a)
    r = jitted(func)(a)
    del a
    gc.collect()
    assert w() is not None, "the input died while a view of it is alive"
    assert_same_arrays(r, expected)
    del r
    gc.collect()
    assert w() is None, "the input is never freed (leaked reference)"


def test_input_freed_after_raise():
    a = np.arange(12.0).reshape(6, 2)
    w = weakref.ref(a)
    with pytest.raises(RuntimeError):
        jitted(raise_holding_input_view)(a)
    del a
    gc.collect()
    assert w() is None


# --- kernels that build and drop arrays of every dtype ------------------------------------------------


@pytest.mark.parametrize("dtype", ["np.int8", "np.uint64", "np.float32", "np.complex128", "np.bool_"])
def test_dtype_allocations_balance(dtype):
    f = kernel(
        f"""
        def f(n):
            a = np.ones((n, 3), dtype={dtype})
            b = a.copy()
            c = b.T.astype(np.float64)
            d = np.zeros_like(a)
            return c.sum() + d.shape[0]
        """
    )
    f(1)
    before = stats()
    check(f, 50)
    d = delta(before)
    assert d["allocs"] >= 2
    assert_balanced(d)
