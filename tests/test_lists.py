"""Lists in compiled code, differentially against CPython: displays,
comprehensions, indexing and slicing, the list methods, the operators,
iteration, list arguments (reflected: the caller sees the changes) and list
results. The autouse leak check covers every list and item released."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oxjit
from array_helpers import kernel
from conftest import check


BUILD = [
    # displays, empty lists typed by what goes in, comprehensions
    ("def f(n):\n    return [1, 2, n]", (3,)),
    ("def f(x):\n    return [x, 2.5]", (1.5,)),
    ("def f(n):\n    l = []\n    for i in range(n):\n        l.append(i * 2)\n    return l", (5,)),
    ("def f(n):\n    l = []\n    for i in range(n):\n        l.append(i / 2)\n    return l", (4,)),
    ("def f(n):\n    return [i * i for i in range(n) if i % 2 == 0]", (10,)),
    ("def f(n):\n    return [(i, j) for i in range(n) for j in range(i) if j != 1]", (4,)),
    ("def f(n):\n    return [[j for j in range(i)] for i in range(n)]", (4,)),
    ("def f(a):\n    return [x * 2 for x in a]", (np.arange(5.0),)),
    ("def f(a):\n    return [row.sum() for row in a]", (np.arange(6.0).reshape(2, 3),)),
    ("def f(n):\n    i = 100\n    l = [i for i in range(n)]\n    return l, i", (3,)),
    ("def f(n):\n    return [np.zeros(i) for i in range(n)]", (3,)),
    ("def f(n):\n    l = [(1, 2.0)]\n    l.append((n, 0.5))\n    return l", (7,)),
    ("def f(n):\n    return list((1, 2, n)), list([n, n]), list(range(n)), list(range(n, 0, -2))", (4,)),
    ("def f(a):\n    return list(a), list(a[::2])", (np.arange(5.0),)),
    ("def f(a):\n    return [r.sum() for r in list(a)]", (np.arange(6).reshape(3, 2),)),
    ("def f(n):\n    return len([]), len([1, 2]), bool([]), bool([0])", (0,)),
    # comprehensions on one path only: each runs only where Python runs it
    ("def f(n):\n    return [i for i in range(n)] if n > 2 else [0]", (4,)),
    ("def f(n):\n    return [i for i in range(n)] if n > 2 else [0]", (1,)),
    ("def f(n):\n    l = [0]\n    a = [1] * n\n    return a and [l.pop() for i in range(1)], l", (0,)),
    ("def f(n):\n    l = [0]\n    a = [1] * n\n    return a and [l.pop() for i in range(1)], l", (1,)),
    ("def f(n):\n    l = [0]\n    a = [1] * n\n    return a or [l.pop() for i in range(1)], l", (0,)),
    ("def f(n):\n    return len(list(range(n)) if n else [7, 8])", (0,)),
    # indexing, slicing, item assignment
    ("def f(i):\n    l = [10, 20, 30]\n    return l[i]", (-1,)),
    ("def f(i):\n    l = [10, 20, 30]\n    return l[i]", (3,)),
    ("def f(i):\n    l = [10, 20, 30]\n    return l[i]", (-4,)),
    ("def f(i):\n    l = [10, 20, 30]\n    l[i] = 5\n    return l", (1,)),
    ("def f(i):\n    l = [10, 20, 30]\n    l[i] = 5\n    return l", (5,)),
    ("def f(i):\n    l = [1.5, 2.5]\n    l[i] += 1\n    return l", (-1,)),
    ("def f(n):\n    l = [0, 1, 2, 3, 4, 5]\n    return l[1:4], l[::-2], l[n:], l[:-n]", (2,)),
    ("def f(n):\n    l = [np.zeros(n), np.ones(n)]\n    l[0][1] = 7.0\n    return l[0], l[1].sum()", (3,)),
    # methods
    ("def f(n):\n    l = [3, 1, 2]\n    l.insert(n, 9)\n    l.insert(-1, 8)\n    l.insert(100, 7)\n    return l", (0,)),
    ("def f(n):\n    l = [3, 1, 2]\n    a = l.pop()\n    b = l.pop(0)\n    return a, b, l", (0,)),
    ("def f(n):\n    l = [3]\n    l.pop()\n    return l.pop()", (0,)),
    ("def f(n):\n    l = [3]\n    return l.pop(n)", (2,)),
    ("def f(n):\n    l = [1, 2]\n    l.extend([n, n])\n    l.extend(l)\n    return l", (5,)),
    ("def f(n):\n    l = [1, 2, 3]\n    c = l.copy()\n    l.clear()\n    c.reverse()\n    return l, c", (0,)),
    ("def f(x):\n    l = [1, 2, 3, 2]\n    return l.index(x), l.count(x), x in l, 5 not in l", (2,)),
    ("def f(x):\n    l = [1, 2, 3, 2]\n    return l.index(x, 2)", (2,)),
    ("def f(x):\n    l = [1, 2, 3]\n    return l.index(x)", (7,)),
    ("def f(x):\n    l = [1.0, 2.5]\n    return l.index(x), 1 in l, 2 in l", (2.5,)),
    ("def f(x):\n    l = [1, 2, 3, 2]\n    l.remove(x)\n    return l", (2,)),
    ("def f(x):\n    l = [1, 2]\n    l.remove(x)\n    return l", (9,)),
    ("def f(n):\n    l = [3.0, -1.0, 2.0, n]\n    l.sort()\n    return l, sorted(l, reverse=True)", (0.5,)),
    ("def f(n):\n    l = [(2, 1), (1, 5), (2, 0), (1, 2)]\n    l.sort()\n    return l", (0,)),
    ("def f(n):\n    l = [(i % 3, -i) for i in range(n)]\n    return sorted(l)", (7,)),
    ("def f(x):\n    l = [(1, 2), (3, 4)]\n    return (3, 4) in l, l.index((3, 4)), (1, x) in l", (2,)),
    # operators
    ("def f(n):\n    return [1, 2] + [n], [n] * 3, 2 * [1, 2], [1] * -1", (4,)),
    ("def f(n):\n    return [1, 2, 3] * n, ['a', 'bc'] * n, [[n], [1, 2]] * 3, [(1, 'x')] * n, [] * n, [True] * 0", (5,)),
    ("def f(n):\n    a = [n]\n    b = [a, a]\n    return b, (a, a), [b, b]", (5,)),
    ("def f(n):\n    s = [str(i) for i in range(n)]\n    t = s * 3 + s[::2] + s[::-3]\n    s.append('z')\n    return t, s", (7,)),
    ("def f(n):\n    return [1, 2] == [1, n], [1, 2] != [1, n], [1] == [1, 2]", (2,)),
    ("def f(n):\n    return [[1], [2, n]] == [[1], [2, 3]]", (3,)),
    # iteration
    ("def f(n):\n    s = 0\n    for x in [1, 2, n]:\n        s += x\n    return s", (5,)),
    ("def f(n):\n    l = [1]\n    for x in l:\n        if x < n:\n            l.append(x * 2)\n    return l", (20,)),
    ("def f(n):\n    for x in [1, 2, 3]:\n        if x == n:\n            break\n    else:\n        x = -1\n    return x", (2,)),
    ("def f(n):\n    t = 0\n    for a, b in [(1, 2), (3, n)]:\n        t += a * b\n    return t", (5,)),
    ("def f(n):\n    l = [[1, 2], [3]]\n    l[1].append(n)\n    return l, len(l[1])", (9,)),
]


@pytest.mark.parametrize("src, args", BUILD, ids=[s.split("\n", 1)[1].strip()[:50] for s, _ in BUILD])
def test_lists_match_python(src, args):
    check(kernel(src), *args)


ARGS = [
    # list arguments are reflected: changes made by compiled code reach the caller
    ("def f(l):\n    l.append(len(l))\n    return l[0]", ([5, 6],)),
    ("def f(l):\n    l[0] = 1.5\n    l.pop()\n    return len(l)", ([0.5, 2.5, 3.5],)),
    ("def f(l):\n    l.sort()\n    return l", ([3, 1, 2],)),
    ("def f(l):\n    s = 0.0\n    for x in l:\n        s += x\n    return s", ([1, 2.5, 3],)),
    ("def f(l):\n    return [a * b for a, b in l]", ([(1, 2), (3, 4)],)),
    ("def f(l):\n    l.clear()\n    return l", ([1, 2],)),
    ("def f(l):\n    l[0][0] = 9.0\n    return l[1].sum()", ([np.zeros(2), np.ones(3)],)),
    ("def f(l, x):\n    l.append(x)\n    return l", ([True, False], True)),
    ("def f(l):\n    return l[1], len(l[0])", ([[1, 2], [3]],)),
]


@pytest.mark.parametrize("src, args", ARGS, ids=[s.split("\n", 1)[1].strip()[:50] for s, _ in ARGS])
def test_list_arguments_are_reflected(src, args):
    check(kernel(src), *args)


def test_a_list_holds_one_item_type():
    # As in Numba: ints and floats in one list make a list of floats (a
    # list put ints in first widens when a float comes), where CPython
    # keeps each item's own type.
    assert kernel("def f(x):\n    return [x, 2.5]")(1) == [1.0, 2.5]
    f = kernel("def f(n):\n    l = [1]\n    l.append(2.5)\n    return l")
    out = f(0)
    assert out == [1.0, 2.5] and all(type(x) is float for x in out)


def test_an_unchanged_list_argument_is_not_written_back():
    l = [1, 2.5, 3]
    kernel("def f(l):\n    return l[0] + l[2]")(l)
    assert [type(x) for x in l] == [int, float, int]


def test_reflected_list_keeps_its_identity_and_arrays():
    f = kernel("def f(l):\n    l.append(l[0])\n    return l")
    a = np.arange(3.0)
    l = [a]
    out = f(l)
    assert out == l or out is not l  # a new Python list comes back
    assert len(l) == 2 and l[0] is a and l[1] is a


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-50, 50), max_size=8),
    st.one_of(st.none(), st.integers(-10, 10)),
    st.one_of(st.none(), st.integers(-10, 10)),
    st.one_of(st.none(), st.integers(-3, 3).filter(lambda s: s != 0)),
)
def test_slices_match_python(items, start, stop, step):
    f = kernel("def f(l, a, b, c):\n    return l[a:b:c], l[a:b], l[::c]")
    args = (items or [0], start, stop, step)
    try:
        want = f.py_func(*args)
    except TypeError:
        return  # None bounds where Python wants them: not a case
    check(f, *args)
    assert f(*args) == want


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=False, width=64), max_size=10), st.integers(-12, 12))
def test_methods_match_python(items, i):
    f = kernel(
        "def f(l, i):\n"
        "    l.insert(i, 0.5)\n"
        "    l.sort()\n"
        "    l.reverse()\n"
        "    c = l.count(0.5)\n"
        "    l.remove(0.5)\n"
        "    x = l.pop(i) if len(l) > abs(i) else -1.0\n"
        "    return l, c, x"
    )
    check(f, items or [1.0], i)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([0.0, -0.0, 1.5, -2.0, float("inf")]), st.integers(-3, 3)),
        max_size=12,
    ),
    st.booleans(),
)
def test_sorting_tuples_is_stable_and_matches_python(pairs, reverse):
    # -0.0 == 0.0 in Python: equal keys keep their order (stability), and
    # the second field decides; the identity of each zero must survive.
    f = kernel(
        "def f(l, r):\n"
        "    s = sorted(l, reverse=r)\n"
        "    k = [p[0] for p in l]\n"
        "    k.sort(reverse=r)\n"
        "    return s, k"
    )
    args = (pairs or [(0.0, 0)], reverse)
    got, want = f(*args), f.py_func(*args)
    check(f, *args)
    signs = lambda r: [np.copysign(1.0, x[0] if isinstance(x, tuple) else x) for x in r]
    assert [signs(g) for g in got] == [signs(w) for w in want]


def test_empty_list_argument_is_a_clear_type_error():
    f = kernel("def f(l):\n    return len(l)")
    with pytest.raises(oxjit.errors.TypingError, match="empty list"):
        f([])


@pytest.mark.parametrize(
    "src, message",
    [
        ("def f(n):\n    l = []\n    return len(l)", "cannot determine the item type of the empty list in 'l'"),
        ("def f(l):\n    l.append(2.5)\n    return l", "a list of int64 cannot hold a float64"),
        ("def f(n):\n    return [1, (2, 3)]", "a list of int64 cannot hold a"),
        ("def f(n):\n    while len([i for i in range(n)]) > 5:\n        n -= 1\n    return n", "a list comprehension in a `while` test"),
        ("def f(n):\n    l = [np.zeros(2)]\n    return np.zeros(2) in l", "cannot search a list for a array"),
        ("def f(n):\n    l = [1, 2]\n    l[0:1] = 3\n    return l", "can only assign a list to a slice of a list"),
        ("def f(n):\n    l = [1, 2]\n    return l.nope()", "lists have no method 'nope'"),
    ],
)
def test_list_errors_are_clear(src, message):
    f = kernel(src)
    arg = [1] if src.startswith("def f(l)") else 3
    with pytest.raises(oxjit.errors.NumbaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        f(arg)


REDUCE = [
    ("def f(n):\n    return sum([i for i in range(n)]), sum([0.5, 1.5], n), sum((1, 2.5)), sum([])", (5,)),
    ("def f(a):\n    return sum(a), sum(list(a), 0.5)", (np.arange(4.0),)),
    ("def f(n):\n    l = [3, -1, n, 3]\n    return max(l), min(l), max([0.5, 2.0]), min([(2, 1), (1, 9)])", (2,)),
    ("def f(n):\n    l = [i for i in range(n)]\n    return max(l)", (0,)),
]


@pytest.mark.parametrize("src, args", REDUCE, ids=[s.split("\n", 1)[1].strip()[:50] for s, _ in REDUCE])
def test_reductions_over_lists_match_python(src, args):
    check(kernel(src), *args)


ITERATION = [
    ("def f(a):\n    s = 0.0\n    for i, x in enumerate(a):\n        s += i * x\n    return s, i", (np.arange(5.0),)),
    ("def f(n):\n    return [(i, x) for i, x in enumerate([5, 6, n], 10)]", (7,)),
    ("def f(n):\n    return [t for t in enumerate(range(n, 0, -3), start=-1)]", (10,)),
    ("def f(a, b):\n    return [x * y for x, y in zip(a, b)]", (np.arange(4.0), np.arange(6.0)[::2])),
    ("def f(n):\n    return list(zip([1, 2, 3], range(n), [0.5, 1.5]))", (5,)),
    ("def f(n):\n    return list(enumerate(zip(range(n), range(n, 2 * n))))", (3,)),
    ("def f(a):\n    out = []\n    for k, row in enumerate(a):\n        out.append(row.sum() * k)\n    return out", (np.arange(6.0).reshape(3, 2),)),
    ("def f(n):\n    for i, x in enumerate([3, 4]):\n        if x == n:\n            break\n    else:\n        i = -1\n    return i", (4,)),
    ("def f(n):\n    t = 0\n    for x, y in zip(range(n), range(100)):\n        t += x * y\n    return t", (6,)),
    ("def f(n):\n    return list(zip())", (0,)),
]


@pytest.mark.parametrize("src, args", ITERATION, ids=[s.split("\n", 1)[1].strip()[:50] for s, _ in ITERATION])
def test_enumerate_and_zip_match_python(src, args):
    check(kernel(src), *args)


def test_enumerate_as_a_value_is_a_clear_error():
    f = kernel("def f(a):\n    e = enumerate(a)\n    return 0")
    with pytest.raises(oxjit.errors.TypingError, match="enumerate\\(\\) can only be looped over"):
        f(np.zeros(2))


SLICE_STORES = [
    ("def f(l):\n    l[1:3] = [10, 20, 30]\n    return l", ([1, 2, 3, 4],)),
    ("def f(l):\n    l[:] = l[::-1]\n    l[0:0] = [7]\n    l[len(l):] = (8, 9)\n    return l", ([1, 2, 3],)),
    ("def f(l):\n    l[::2] = [0, 0]\n    return l", ([1, 2, 3, 4],)),
    ("def f(l):\n    l[::2] = [0]\n    return l", ([1, 2, 3, 4],)),
    ("def f(l):\n    l[1:] = []\n    del l[0]\n    return l", ([1, 2, 3],)),
    ("def f(l):\n    del l[1:3]\n    del l[-1]\n    del l[::2]\n    return l", ([1, 2, 3, 4, 5, 6, 7],)),
    ("def f(l):\n    del l[5]\n    return l", ([1, 2],)),
    ("def f(s):\n    words = s.split()\n    words[1:2] = ['x', 'y']\n    del words[0]\n    return words", ("a b c",)),
    ("def f(l):\n    l[2:1] = [5.5]\n    return l", ([1.5, 2.5, 3.5],)),
]


@pytest.mark.parametrize("src,args", SLICE_STORES, ids=[str(i) for i in range(len(SLICE_STORES))])
def test_slice_assignment_and_del_agree_with_python(src, args):
    check(kernel(src), *args)


KEYED_SORTS = [
    ("def f(l):\n    return sorted(l, key=lambda x: -x), sorted(l, key=lambda x: x % 3, reverse=True)", ([3, 1, 4, 1, 5, 9, 2, 6],)),
    ("def f(l):\n    l.sort(key=lambda x: (x % 2, -x))\n    return l", ([3, 1, 4, 1, 5, 9, 2, 6],)),
    ("def f(s):\n    w = s.split()\n    return sorted(w, key=len), sorted(w, key=len, reverse=True), sorted(w, key=lambda t: t[-1])", ("bb a ccc dd e",)),
    ("def f(l):\n    pairs = [(x, i) for i, x in enumerate(l)]\n    return sorted(pairs, key=lambda p: p[0]), sorted(l, key=abs)", ([3.5, -1.0, 2.0, -3.5],)),
    ("def f(n):\n    d = {i: (i * 7) % 5 for i in range(n)}\n    return sorted(d.items(), key=lambda kv: kv[1]), sorted(d, key=lambda k: -d[k])", (8,)),
    ("def f(l):\n    return sorted((x * x for x in l), key=lambda y: -y), sorted(set(l), key=lambda y: y)", ([3, -1, 2],)),
]


@pytest.mark.parametrize("src,args", KEYED_SORTS, ids=[str(i) for i in range(len(KEYED_SORTS))])
def test_sorts_by_key_agree_with_python(src, args):
    check(kernel(src), *args)


def test_a_lambda_with_defaults_is_a_clear_error():
    f = kernel("def f(x):\n    g = lambda y=1: y + 1\n    return g(x)")
    with pytest.raises(oxjit.errors.UnsupportedError, match="lambda with defaults"):
        f(1)
