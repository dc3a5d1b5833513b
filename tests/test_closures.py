"""Functions defined in compiled code, differentially against CPython:
inner `def`s and lambdas reading the enclosing function's variables
(arrays, scalars, lists, strs, other closures), called directly, defined
in loops, nested, passed to other jitted functions (which are compiled for
the closure they get) and used as `key=`. Captured values are taken where
the function is defined, as Numba does; Python reads them when the
function runs, which only differs if the variable is assigned again after
the definition (tested separately). The autouse leak check covers
captured arrays and lists."""

import numpy as np
import pytest

from array_helpers import kernel
from conftest import check
from oxjit import njit
from oxjit.errors import TypingError, UnsupportedError

CASES = [
    ("def f(a, n):\n    def g(i):\n        return a[i] * n\n    return g(1) + g(2)", (np.arange(4.0), 3)),
    ("def f(x):\n    sq = lambda y: y * y\n    return sq(x) + sq(x + 1)", (3,)),
    ("def f(x):\n    sq = lambda y: y * y\n    return sq(x) + sq(x + 0.5)", (3,)),
    ("def f(a):\n    m = a.mean()\n    def centred(i):\n        return a[i] - m\n    s = 0.0\n    for i in range(a.shape[0]):\n        s += centred(i) ** 2\n    return s", (np.arange(5.0),)),
    ("def f(n):\n    def fib(k):\n        a, b = 0, 1\n        for _ in range(k):\n            a, b = b, a + b\n        return a\n    return [fib(i) for i in range(n)]", (10,)),
    ("def f(a, n):\n    scale = 2.0\n    def g(i):\n        return a[i] * scale + n\n    h = lambda x, y: g(x) + y\n    def outer(k):\n        def inner(j):\n            return j * n\n        return inner(k) + scale\n    return h(0, 1.0) + outer(3)", (np.arange(3.0), 5)),
    ("def f(l, w):\n    return sorted(l, key=lambda i: w[i])", ([0, 1, 2, 3], np.array([3.0, 1.0, 2.0, 0.5]))),
    ("def f(l, k):\n    return max(l, key=lambda x: abs(x - k))", ([1, 5, -7, 3], 2)),
    ("def f(words, suffix):\n    tag = lambda w: w + suffix\n    return [tag(w) for w in words]", (["a", "bc"], "!")),
    ("def f(n):\n    total = 0\n    for i in range(n):\n        step = lambda x: x + i\n        total += step(10)\n    return total", (5,)),
    ("def f(a):\n    def norm(v):\n        return np.sqrt((v * v).sum())\n    return norm(a) + norm(a[1:])", (np.arange(6.0),)),
    ("def f(x):\n    def check(v):\n        if v < 0:\n            raise ValueError('negative', v)\n        return v\n    try:\n        return check(x)\n    except ValueError as e:\n        return -len(str(e))", (-4,)),
    ("def f(n, m):\n    def walk(k):\n        if k <= 0:\n            return m\n        return walk(k - 1) + k\n    return walk(n)", (4, 10)),
    ("def f(n):\n    def fact(k):\n        return 1 if k <= 1 else k * fact(k - 1)\n    return fact(n)", (10,)),
    ("def f(x):\n    def maybe(v):\n        if v > 0:\n            return v\n        return None\n    r = maybe(x)\n    return r is None", (0,)),
]


@pytest.mark.parametrize("src,args", CASES, ids=[str(i) for i in range(len(CASES))])
def test_closures_agree_with_python(src, args):
    check(kernel(src), *args)


@njit
def total(fn, xs):
    s = 0.0
    for x in xs:
        s += fn(x)
    return s


@njit
def scaled_total(a, c):
    return total(lambda x: x * c, a)


@njit
def two_ways(a, c):
    def shifted(x):
        return x + c

    return total(shifted, a) - total(lambda x: x, a)


def test_closures_passed_to_jitted_functions():
    a = np.arange(5.0)
    assert scaled_total(a, 3.0) == 30.0
    assert two_ways(a, 2.0) == 10.0


def test_captures_are_taken_where_the_function_is_defined():
    # Numba's semantics: Python would read n when g runs (n == 10 then).
    f = kernel("def f():\n    n = 1\n    g = lambda x: x + n\n    n = 10\n    return g(0)")
    assert f() == 1


@njit
def arity(x):
    g = lambda a, b: a + b
    return g(x)


@njit
def returns_closure(x):
    return lambda y: x + y


def test_bad_closure_uses_are_typing_errors():
    with pytest.raises(TypingError, match=r"<lambda>\(\) missing required argument 'b'"):
        arity(1)
    with pytest.raises(TypingError, match="cannot be returned"):
        returns_closure(1)
    with pytest.raises(UnsupportedError, match="nonlocal"):
        kernel("def f(x):\n    def g():\n        nonlocal x\n        x = 2\n    g()\n    return x")(1)
