"""Tuples as operands, against CPython: ``+`` (concatenation, nested and
mixed item types), ``==``/``!=`` item by item, ``<``/``<=``/``>``/``>=``
lexicographically (unequal lengths, prefixes, mixed int/float items),
``in``/``not in`` over tuples and arrays (NumPy's ``(a == x).any()``), and
``is None``/``is not None`` (known from the types)."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import check, jitted


def concat(t, u):
    return t + u, t + (1.5,) + u, (t, u) + (t,)


def compare_all(t, u):
    return t == u, t != u, t < u, t <= u, t > u, t >= u


def member(x, t):
    return x in t, x not in t, (x + 1) in t


def in_array(x, a):
    return x in a, x not in a, x in a[1:]


def is_none(x):
    return x is None, x is not None, None is None, None is not x


TUPLES = [(), (1,), (1, 2), (2, 1), (1, 2, 3), (1.0, 2), (1, 2.5), (0, -1)]


@pytest.mark.parametrize("t", TUPLES)
@pytest.mark.parametrize("u", TUPLES)
def test_tuple_comparisons_and_concatenation(t, u):
    check(jitted(compare_all), t, u)
    check(jitted(concat), t, u)


ints = st.integers(-3, 3)


@given(st.lists(ints, max_size=4).map(tuple), st.lists(ints, max_size=4).map(tuple))
def test_lexicographic_order_like_python(t, u):
    check(jitted(compare_all), t, u)


@pytest.mark.parametrize("x", [0, 1, 2, 3.0, -1, True])
def test_membership_in_tuples(x):
    check(jitted(member), x, (1, 2.0, 3))
    check(jitted(member), x, ())


@pytest.mark.parametrize("x", [0, 2, 2.0, 5, -1.5])
def test_membership_in_arrays(x):
    check(jitted(in_array), x, np.array([2.0, -1.5, 3.0]))
    check(jitted(in_array), x, np.arange(6).reshape(2, 3))


@pytest.mark.parametrize("x", [None, 1, 2.5, (1, 2)])
def test_is_none_from_the_type(x):
    check(jitted(is_none), x)


def index_count(x, t):
    return t.index(x), t.count(x), t.count(x + 1)


@pytest.mark.parametrize("x", [1, 2, 3.0, 7])
def test_index_and_count(x):
    # 7 is in no tuple: index raises ValueError, as in Python.
    check(jitted(index_count), x, (1, 2.0, 3, 2))


@pytest.mark.parametrize(
    "src",
    ["t[1:-1]", "t[1::2]", "t[::-1]", "t[-2:]", "t[:0]", "t[5:]", "t[-9:2]", "t[3:0:-1]", "(t + t)[::3]"],
)
def test_constant_slices_of_tuples(src):
    from array_helpers import kernel

    f = kernel(f"def f(t):\n    return {src}\n")
    check(f, (4, 5.5, 6, 7))
    check(f, (1,))
