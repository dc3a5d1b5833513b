"""Loops over tuples whose items have several types, and
`literal_unroll`, differentially against CPython: the body runs once per
item with the loop variable of that item's type (numbers, strs, arrays,
nested tuples), the variable ends holding the last item, `else` runs
after; `break` and `continue` leave a copy or all of them."""

import numpy as np
import pytest

from array_helpers import kernel
from conftest import check
from oxjit import literal_unroll, njit

CASES = [
    ("def f(n):\n    s = 0.0\n    for x in (1, 2.5, True):\n        s += x * n\n    return s", (3,)),
    ("def f(n):\n    out = []\n    for x in (n, 'a', 2.5):\n        out.append(str(x))\n    return out", (7,)),
    ("def f(a):\n    r = np.zeros(3)\n    for x in (a, 3, 0.5):\n        r = r + x\n    return r", (np.arange(3.0),)),
    ("def f(n):\n    for x in (n, 'last'):\n        pass\n    else:\n        n += 1\n    return x, n", (4,)),
    ("def f(n):\n    s = ''\n    for pair in ((1, 'a'), (2.5, 'b')):\n        k, v = pair\n        s += v * int(k)\n    return s", (0,)),
    ("def f(n):\n    s = 0\n    for x in (1, 2, 3):\n        if x == 2:\n            continue\n        s += x\n    return s", (0,)),
]


@pytest.mark.parametrize("src,args", CASES, ids=[str(i) for i in range(len(CASES))])
def test_heterogeneous_tuple_loops_agree_with_python(src, args):
    check(kernel(src), *args)


@njit
def describe(t):
    out = []
    for x in literal_unroll(t):
        out.append(str(x))
    return out


def test_literal_unroll_of_an_argument():
    t = (1, 2.5, "x", True)
    assert describe(t) == describe.py_func(t)
    assert literal_unroll(t) is t


@njit
def total(a):
    s = 0.0
    for x in literal_unroll(a):
        s += x
    return s


def test_literal_unroll_of_a_sequence_is_a_plain_loop():
    a = np.arange(4.0)
    assert total(a) == 6.0


LEAVING = [
    ("def f(n):\n    out = []\n    for x in (n, 'a', 2.5):\n        if n == 1:\n            break\n        out.append(str(x))\n    return out", (1,)),
    ("def f(n):\n    out = []\n    for x in (n, 'a', 2.5):\n        if n == 1:\n            break\n        out.append(str(x))\n    return out", (2,)),
    ("def f(n):\n    out = []\n    for x in (n, 'a', 2.5, n):\n        out.append(str(x))\n        if str(x) == 'a':\n            continue\n        out.append('.')\n    else:\n        out.append('end')\n    return out", (3,)),
    ("def f(n):\n    out = []\n    for x in (n, 'stop', 2.5):\n        if str(x) == 'stop':\n            break\n        out.append(str(x))\n    else:\n        out.append('end')\n    return out", (3,)),
    ("def f(n):\n    s = 0\n    for x in (1, 2.5, 'x'):\n        for k in range(3):\n            if k == n:\n                break\n            s += k\n    return s", (2,)),
]


@pytest.mark.parametrize("src,args", LEAVING, ids=[str(i) for i in range(len(LEAVING))])
def test_break_and_continue_in_unrolled_loops(src, args):
    check(kernel(src), *args)
