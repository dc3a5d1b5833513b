"""Sets in compiled code, differentially against CPython: displays,
set(), the methods, the operators and their in-place forms, comparisons,
iteration, set comprehensions, sets as arguments (reflected, as Numba's)
and results. The runtime's table is CPython's, so the order a set of
numbers iterates in is compared too (as a list made in the function);
hypothesis drives random operation sequences over colliding integers.
The autouse leak check covers every set made and released."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from array_helpers import kernel
from conftest import check

CASES = [
    ("def f(n):\n    s = {n, 1, 2}\n    return s, list(s), len(s), n in s, 5 in s", (9,)),
    ("def f(n):\n    return list({1, 2, 3, 4, 16}), list({-1, 7, 15, 23}), list({(1, 2), (3, 4), (5, 6)})", (0,)),
    ("def f(n):\n    s = set()\n    for i in range(n):\n        s.add(i * 8 % 61)\n    return list(s)", (40,)),
    ("def f(n):\n    s = set(range(n))\n    for i in range(0, n, 2):\n        s.discard(i)\n    s.add(2)\n    return list(s), len(s)", (100,)),
    ("def f(n):\n    s = {x * x % 17 for x in range(n) if x % 3}\n    return list(s)", (30,)),
    ("def f(l):\n    a = set(l)\n    b = {x + 8 for x in l}\n    return list(a | b), list(a & b), list(a - b), list(b - a), list(a ^ b)", ([1, 9, 17, 25, 2, 10, 3],)),
    ("def f(l):\n    a = set(l)\n    b = {x * 2 for x in l}\n    a |= b\n    c = set(l)\n    c &= b\n    d = set(l)\n    d -= b\n    e = set(l)\n    e ^= b\n    return list(a), list(c), list(d), list(e)", ([1, 2, 3, 4, 5, 6, 7, 8],)),
    ("def f(l):\n    a = set(l)\n    return a.union([40, 8]), a.intersection([3, 1, 99]), a.difference([1, 2]), a.symmetric_difference([1, 50]), list(a.union({8, 16}, [24]))", ([1, 2, 3, 8],)),
    ("def f(l):\n    a = set(l)\n    a.update([100, 108], {116})\n    b = set(l)\n    b.intersection_update([8, 1, 2])\n    c = set(l)\n    c.difference_update([1], {2})\n    d = set(l)\n    d.symmetric_difference_update([1, 77])\n    return list(a), list(b), list(c), list(d)", ([1, 2, 8, 16],)),
    ("def f(l):\n    a = set(l)\n    b = set(l[:2])\n    return a == b, b <= a, b < a, a >= b, a > a, a != b, b.issubset(a), a.issuperset(l[:1]), a.isdisjoint([99]), b.issubset([0])", ([3, 1, 2],)),
    ("def f(l):\n    s = set(l)\n    out = []\n    while s:\n        out.append(s.pop())\n    return out", ([5, 13, 21, 29, 3, 100],)),
    ("def f(l):\n    s = set(l)\n    c = s.copy()\n    s.clear()\n    s.add(7)\n    return list(c), list(s), len(s)", ([4, 12, 20],)),
    ("def f(l):\n    s = set(l)\n    t = 0\n    for x in s:\n        t = t * 31 + x\n    return t, sorted(s), sum(s), min(s), max(s), [x for x in s]", ([7, 3, 64, 1, 9],)),
    ("def f(x):\n    s = {x, 2.5, -0.0, 0.0}\n    return list(s), 0.0 in s, 2 in s", (1.5,)),
    ("def f(s):\n    words = set(s.split())\n    return sorted(words), 'the' in words, len(words)", ("the cat the hat",)),
    ("def f(s):\n    s.add(100)\n    s.discard(5)\n    return len(s)", ({5, 13, 21},)),
    ("def f(s):\n    return sorted(s), 13 in s", ({5, 13, 21},)),
    ("def f(s):\n    return {x % 3 for x in s}", ({5, 13, 21},)),
    ("def f(n):\n    s = {1, 2}\n    return s.pop() + s.pop(), s", (0,)),
    ("def f(n):\n    d = {(1, 2): 'a'}\n    s = {(1, 2), (3, n)}\n    return [d[k] for k in s if k in d]", (4,)),
]


@pytest.mark.parametrize("src,args", CASES, ids=[str(i) for i in range(len(CASES))])
def test_sets_agree_with_python(src, args):
    check(kernel(src), *args)


RAISES = [
    ("def f(n):\n    s = {1}\n    s.remove(n)\n    return 0", (5,)),
    ("def f(n):\n    s = set()\n    s.add(n)\n    s.pop()\n    return s.pop()", (5,)),
    ("def f(n):\n    s = {1, 2, 3}\n    for x in s:\n        s.add(x + n)\n    return 0", (10,)),
    ("def f(n):\n    s = {n}\n    for x in s:\n        s.discard(x)\n    return 0", (10,)),
]


@pytest.mark.parametrize("src,args", RAISES, ids=[str(i) for i in range(len(RAISES))])
def test_set_errors_are_python_errors(src, args):
    check(kernel(src), *args)


def test_a_set_argument_is_reflected():
    f = kernel("def f(s, x):\n    s.add(x)\n    s.discard(1)\n    return len(s)")
    s = {1, 2, 3}
    assert f(s, 10) == 3 and s == {2, 3, 10}
    same = {2, 3}
    f(same, 2)
    assert same == {2, 3}


# Integers that collide in small tables (multiples of 8 and 2**61 - 1)
# and a few that do not.
ITEMS = st.one_of(
    st.integers(-3, 3).map(lambda k: k * 8),
    st.integers(-40, 40),
    st.integers(0, 2).map(lambda k: k * (2**61 - 1)),
    st.sampled_from([-(2**63) + 16, 2**63 - 25, -(2**61), 2**62 + 5, 3 * 2**61 - 1, -(3 * 2**61 - 1), -1, -2]),
)
OPS = st.lists(st.tuples(st.integers(0, 7), ITEMS), min_size=1, max_size=30)

OPERATIONS = """
def f(ops, base):
    s = set(base)
    other = {x + 8 for x in base}
    orders = []
    for op, x in ops:
        if op == 0:
            s.add(x)
        elif op == 1:
            s.discard(x)
        elif op == 2 and len(s) > 0:
            s.pop()
        elif op == 3:
            s |= {x, x + 16}
        elif op == 4:
            s -= {x}
        elif op == 5:
            s = s ^ other
        elif op == 6:
            s = s & (other | {x})
        else:
            s.update([x, -x])
        orders.append((list(s), x in s, x + 8 in s, -x in s))
    return orders
"""


@settings(max_examples=150, deadline=None)
@given(OPS, st.lists(ITEMS, min_size=1, max_size=10))
def test_operation_sequences_iterate_as_python(ops, base):
    check(kernel(OPERATIONS), ops, base)
