"""Optional values, differentially against CPython: functions that return
None on one path and a value on another (Numba's OptionalType results:
None or the value in Python), variables assigned None and later a value,
`out=None` defaults replaced in the function, optionals passed between
jitted functions, `is None` / `is not None`, truth and `not`, optionals in
tuples; a None used as a value is a TypeError; optional arguments through
explicit signatures. The autouse leak check covers optional arrays, lists
and strs."""

import numpy as np
import pytest

from array_helpers import kernel
from conftest import check
from oxjit import njit

CASES = [
    ("def f(x):\n    if x > 0:\n        return x\n    return None", (3,)),
    ("def f(x):\n    if x > 0:\n        return x\n    return None", (-3,)),
    ("def f(x):\n    if x > 0.5:\n        return x * 2.0\n    return None", (0.25,)),
    ("def f(a):\n    for i in range(a.shape[0]):\n        if a[i] < 0:\n            return i\n", (np.array([1.0, -2.0]),)),
    ("def f(a):\n    for i in range(a.shape[0]):\n        if a[i] < 0:\n            return i\n", (np.array([1.0, 2.0]),)),
    ("def f(a):\n    b = None\n    for x in a:\n        if b is None or x < b:\n            b = x\n    return b", (np.array([3.0, 1.0, 2.0]),)),
    ("def f(a):\n    b = None\n    for x in a:\n        if b is None or x < b:\n            b = x\n    return b", (np.zeros(0),)),
    ("def f(a, out=None):\n    if out is None:\n        out = np.empty_like(a)\n    for i in range(a.shape[0]):\n        out[i] = a[i] * 2\n    return out", (np.arange(4.0),)),
    ("def f(a, out=None):\n    if out is None:\n        out = np.empty_like(a)\n    out[:] = a + 1\n    return out", (np.arange(4.0), np.zeros(4))),
    ("def f(n):\n    r = None\n    if n > 2:\n        r = np.ones(n)\n    return r", (3,)),
    ("def f(n):\n    r = None\n    if n > 2:\n        r = np.ones(n)\n    return r", (1,)),
    ("def f(n):\n    s = None\n    if n:\n        s = 'x' * n\n    return s, s is None, s is not None", (2,)),
    ("def f(n):\n    s = None\n    if n:\n        s = [n, n + 1]\n    return s", (0,)),
    ("def f(n):\n    y = None if n < 0 else n * 2\n    return (1 if y else 0), (not y), y is None, (y, n)", (-1,)),
    ("def f(n):\n    y = None if n < 0 else n * 2\n    return (1 if y else 0), (not y), y is None, (y, n)", (4,)),
    ("def f(n):\n    y = None if n < 0 else n * 2\n    return (1 if y else 0), (not y), y is None, (y, n)", (0,)),
    ("def f(n):\n    y = None\n    total = 0\n    for i in range(n):\n        if y is not None:\n            total += y * i\n        y = i\n    return total, y", (5,)),
]


@pytest.mark.parametrize("src,args", CASES, ids=[str(i) for i in range(len(CASES))])
def test_optionals_agree_with_python(src, args):
    check(kernel(src), *args)


@njit
def positive(x):
    if x > 0:
        return x
    return None


@njit
def first_index(a, v):
    for i in range(a.shape[0]):
        if a[i] == v:
            return i
    return None


def test_optionals_pass_between_jitted_functions():
    def use(x):
        y = positive(x)
        if y is not None:
            return y + 1
        return -1

    def offset(a, v):
        i = first_index(a, v)
        return -1 if i is None else i + 10

    def forward(x):
        y = positive(x) if x > 1 else None
        return y

    f, g, h = njit(use), njit(offset), njit(forward)
    for x in (4, -4):
        assert f(x) == f.py_func(x)
    a = np.array([5.0, 6.0, 7.0])
    for v in (6.0, 9.0):
        assert g(a, v) == g.py_func(a, v)
    for x in (0, 1, 3):
        assert h(x) == (x if x > 1 else None)


def test_none_used_as_a_value_is_a_type_error():
    f = kernel("def f(x):\n    y = None\n    if x > 0:\n        y = x\n    return y + 1")
    assert f(2) == 3
    with pytest.raises(TypeError, match="got None"):
        f(-2)


def test_optional_arguments_through_signatures():
    f = njit("int64(optional(int64))")(lambda_free_default)
    assert f(None) == -1 and f(5) == 10
    g = njit("OptionalType(float64)(optional(float64))")(same)
    assert g(None) is None and g(2.5) == 2.5


def lambda_free_default(x):
    if x is None:
        return -1
    return x * 2


def same(x):
    return x
