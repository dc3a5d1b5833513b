"""Comprehensions and generator expressions, differentially against
CPython: dict and set comprehensions (with conditions and nesting),
generator expressions folded by sum/any/all/min/max (no list is built),
consumed by list/sorted/set/dict/str.join and by `for`, and the builtins
that take any iterable (`sum(s)`, `min(d)`, `any(l)`, `dict(zip(...))`,
`tuple(t)`)."""

import numpy as np
import pytest

from array_helpers import kernel
from conftest import check

CASES = [
    ("def f(l):\n    return {x: x * x for x in l if x % 2}", ([3, 1, 4, 1, 5, 9],)),
    ("def f(n):\n    return {(i, j): i * j for i in range(n) for j in range(i)}", (4,)),
    ("def f(s):\n    return {w: len(w) for w in s.split()}", ("the quick brown fox",)),
    ("def f(l):\n    return sorted({x % 4 for x in l}), {x for x in l if x > 2}", ([3, 1, 4, 1, 5, 9],)),
    ("def f(l):\n    return sum(x * x for x in l), sum(x for x in l if x > 2), sum((x * 0.5 for x in l), 1)", ([3, 1, 4, 1, 5],)),
    ("def f(n):\n    return sum(i * j for i in range(n) for j in range(i) if (i + j) % 3)", (12,)),
    ("def f(l):\n    return any(x > 4 for x in l), all(x > 0 for x in l), any(x > 99 for x in l), all(x > 1 for x in l)", ([3, 1, 4, 1, 5],)),
    ("def f(n):\n    return any(i * j == 12 for i in range(n) for j in range(n)), all(i + j < 2 * n for i in range(n) for j in range(n))", (5,)),
    ("def f(l):\n    return min(x - 3 for x in l), max(abs(x - 3) for x in l), min(x for x in l if x > 1)", ([3, 1, 4, 1, 5],)),
    ("def f(s):\n    return max(len(w) for w in s.split()), min(w for w in s.split()), max((len(w), w) for w in s.split())", ("the quick brown fox",)),
    ("def f(x):\n    return min(x, 2.5, -1.0), max((1, 2), (1, 3)), min('b', 'a', 'c')", (0.5,)),
    ("def f(l):\n    return [x for x in (y * 2 for y in l)], sorted(x % 3 for x in l), list(x for x in l if x)", ([3, 0, 4, 1, 5],)),
    ("def f(l):\n    return ', '.join(str(x) for x in l), '-'.join(c.upper() for c in 'abc')", ([3, 1, 4],)),
    ("def f(l):\n    t = 0\n    for y in (x * x for x in l if x != 4):\n        if y > 20:\n            break\n        if y == 1:\n            continue\n        t += y\n    else:\n        t = -1\n    return t", ([3, 1, 4, 1, 5, 2],)),
    ("def f(l):\n    t = 0\n    for y in (x * x for x in l):\n        t += y\n    else:\n        t = -t\n    return t", ([3, 1, 4],)),
    ("def f(n):\n    t = 0\n    for p in (i * j for i in range(n) for j in range(i)):\n        t += p\n    return t", (6,)),
    ("def f(l, s):\n    return dict(zip(l, s)), dict((x, x + 1) for x in l), dict([(1, 2.5), (3, 4.5)])", ([3, 1, 4], "abc")),
    ("def f(l):\n    d = {x: -x for x in l}\n    return sum(d), min(d), max(d.values()), any(d), sorted(d.items())", ([3, 1, 4],)),
    ("def f(l):\n    return any(l), all(l), any((0, 0.0)), all((1, 2.5))", ([0, 0, 3],)),
    ("def f(l):\n    return tuple((1, 2)), tuple(), sum((1, 2, 3)), min(set(l)), sum(range(10))", ([3, 1, 4],)),
    ("def f(l):\n    return max(x for x in l if x > 100)", ([3, 1, 4],)),
    ("def f(n):\n    return min(i for i in range(n))", (0,)),
    ("def f(t):\n    return tuple(x * 2 for x in t), tuple(str(x) for x in t), tuple((y, x) for x, y in ((1, 2), (3, 4)))", ((1, 2, 3),)),
    ("def f(n):\n    return tuple(i * n for i in range(4)), tuple(range(2, 8, 3)), tuple(range(0)), tuple(-i for i in range(3, 0, -1))", (3,)),
    ("def f(a):\n    return tuple(a.shape[i] * 2 for i in range(a.ndim)), tuple(a.shape[k] for k in range(len(a.shape) - 1, -1, -1))", (np.zeros((2, 3, 4)),)),
]


@pytest.mark.parametrize("src,args", CASES, ids=[str(i) for i in range(len(CASES))])
def test_comprehensions_agree_with_python(src, args):
    check(kernel(src), *args)


def test_a_generator_fold_builds_no_list():
    f = kernel("def f(n):\n    return sum(i * i for i in range(n))")
    f(10)
    assert "list_new" not in f.inspect_llvm(f.signatures[0])


LOOPS = [
    ("def f(l):\n    out = []\n    for x in reversed(l):\n        out.append(x)\n    return out, list(reversed(range(5))), [c for c in reversed('abc')], sorted(reversed(l))", ([3, 1, 2],)),
    ("def f(n):\n    t = 0\n    for i, x in enumerate(reversed(range(n))):\n        t += i * x\n    return t", (6,)),
    ("def f(a):\n    t = 0.0\n    for x in reversed(a):\n        t = t * 0.5 + x\n    return t", (__import__('numpy').arange(5.0),)),
    ("def f(x):\n    t = 0.0\n    for y in (x, 2.5, 3):\n        t = t * 2 + y\n    return t, [s + '!' for s in ('a', 'b')]", (1.5,)),
    ("def f(x):\n    out = []\n    for a in (x, x + 1):\n        if a > 5:\n            break\n        out.append(a)\n    else:\n        out.append(-1)\n    return out", (5,)),
]


@pytest.mark.parametrize("src,args", LOOPS, ids=[str(i) for i in range(len(LOOPS))])
def test_reversed_and_tuple_loops_agree_with_python(src, args):
    check(kernel(src), *args)


KEYED = [
    ("def f(s):\n    w = s.split()\n    return max(w, key=len), min(w, key=len), max(w, key=lambda t: t[-1])", ("bb a ccc dd e",)),
    ("def f(l):\n    d = {x: -x for x in l}\n    return max(d.items(), key=lambda kv: kv[1]), min(l, key=abs), max(l, key=lambda x: x % 3)", ([3, -1, 4, -5, 9],)),
    ("def f(l):\n    return max((x for x in l if x > 100), default=-1), min(l, default=0), max(3, -7, key=abs)", ([3, 1],)),
    ("def f(l):\n    return min((x for x in l if x > 9), key=lambda x: x * x)", ([1],)),
]


@pytest.mark.parametrize("src,args", KEYED, ids=[str(i) for i in range(len(KEYED))])
def test_min_max_by_key_agree_with_python(src, args):
    check(kernel(src), *args)
