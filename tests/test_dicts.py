"""Dicts in compiled code, differentially against CPython: displays, `{}`
typed by later stores, `d[k]`, `d[k] = v`, `del`, `in`, `len`, `==`, the
dict methods, loops over keys, values and items (with Python's
RuntimeError when the size changes), and dict results. Keys are numbers
and tuples of numbers. The autouse leak check covers every dict, key and
value released."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oxjit
from array_helpers import kernel
from conftest import check


CASES = [
    ("def f(s):\n    d = {}\n    for w in s.split():\n        d[w] = 0\n    for w in s.split():\n        d[w] += 1\n    d['the'] *= 10\n    return d", ("the cat the hat",)),
    ("def f(s):\n    d = {'a': 1}\n    d[s] += 1\n    return d", ("zz",)),
    ("def f(s):\n    t = (1000, 500, 100)\n    d = dict(zip(s, t))\n    return d, [x * 2 for x in t], sum(t), list(enumerate(t))", ("MDC",)),
    ("def f(n):\n    return {1: 2, n: 3}", (5,)),
    ("def f(n):\n    return {1: 2, n: 3}", (1,)),
    ("def f(x):\n    return {x: 1.5, 2.0: x}", (0.5,)),
    ("def f(n):\n    d = {}\n    for i in range(n):\n        d[i % 4] = d.get(i % 4, 0) + i\n    return d", (11,)),
    ("def f(n):\n    d = {1: 2.5, 3: 4.0}\n    a, b = d.get(n), d.get(n + 1)\n    c = d.get(n)\n    return a, b, (0.0 if c is None else c * 2)", (1,)),
    ("def f(s):\n    d = {w: len(w) for w in s.split()}\n    hits = 0\n    for w in ['a', 'bb', 'zz']:\n        v = d.get(w)\n        if v is not None:\n            hits += v\n    return hits, d.get('bb'), d.get('q')", ("a bb ccc",)),
    ("def f(n):\n    d = {}\n    for i in range(n):\n        d[(i % 2, i % 3)] = i\n    return d, len(d)", (9,)),
    ("def f(n):\n    d = {1: 10, 2: 20, 3: 30}\n    del d[2]\n    d[2] = n\n    return d, list(d), list(d.keys()), list(d.values()), list(d.items())", (7,)),
    ("def f(n):\n    d = {1: 10, 2: 20}\n    return d.pop(1), d.pop(5, n), d", (3,)),
    ("def f(n):\n    d = {1: 10}\n    return d.setdefault(1, n), d.setdefault(2, n), d", (4,)),
    ("def f(n):\n    d = {1: 10, 2: 20, 3: 30}\n    a = d.popitem()\n    b = d.popitem()\n    return a, b, d", (0,)),
    ("def f(n):\n    d = {1: 1.0}\n    e = d.copy()\n    e[2] = 2.0\n    d.update({3: 3.0, 1: n})\n    return d, e, d == e, d != e, d == {1: n, 3: 3.0}", (0.5,)),
    ("def f(n):\n    d = {1: 1}\n    d.clear()\n    d[n] = 2\n    return d, bool(len(d))", (9,)),
    ("def f(n):\n    d = {3: n == 0, 1: False}\n    return d", (0,)),
    ("def f(n):\n    d = {1: 2, 3: 4}\n    s = 0\n    for k in d:\n        s = s * 10 + k\n    for v in d.values():\n        s = s * 10 + v\n    for k, v in d.items():\n        s += k * v\n    return s", (0,)),
    ("def f(n):\n    d = {1: 2, 3: 4, 5: 6}\n    for k in d:\n        if k == 3:\n            break\n        d[k] = 0\n    else:\n        return d, -1\n    return d, k", (0,)),
    ("def f(n):\n    d = {}\n    d[1] = np.zeros(n)\n    d[2] = np.ones(n)\n    d[1] = d[2] + 1\n    return d[1].sum(), len(d)", (3,)),
    ("def f(n):\n    d = {1: [1, 2], 2: [3]}\n    d[1].append(n)\n    return d", (5,)),
    ("def f(n):\n    d = {1.5: 1, -0.0: 2}\n    return d[0.0], 0.0 in d, 1 in {1.0: 2}, 1.5 in {1: 2}", (0,)),
    ("def f(n):\n    d = {(1, 2.5): n}\n    return d[(1, 2.5)], (1, 2.5) in d, (2, 2.5) in d", (4,)),
    ("def f(n):\n    d = {}\n    d[n] = 1.0\n    return [k * 2 for k in d], sorted(d.values())", (3,)),
    ("def f(n):\n    d = dict()\n    d[1] = n\n    return d, dict(d)", (3,)),
]


@pytest.mark.parametrize("src,args", CASES)
def test_dicts_match_python(src, args):
    check(kernel(src), *args)


ERRORS = [
    ("def f(n):\n    d = {1: 2}\n    return d[n]", (5,), KeyError, "5"),
    ("def f(n):\n    d = {(1, 2): 2}\n    return d[(n, 2)]", (5,), KeyError, "(5, 2)"),
    ("def f(n):\n    d = {1: 2}\n    del d[n]\n    return d", (5,), KeyError, "5"),
    ("def f(n):\n    d = {1: 2}\n    d.popitem()\n    return d.popitem()", (5,), KeyError, "popitem(): dictionary is empty"),
    ("def f(n):\n    d = {1: 2}\n    return d.pop(n)", (5,), KeyError, "5"),
    ("def f(n):\n    d = {1: 1, 2: 2}\n    for k in d:\n        d[k + n] = 0\n    return d", (10,), RuntimeError, "dictionary changed size during iteration"),
    ("def f(n):\n    d = {1: 1, 2: 2}\n    for k in d:\n        del d[k]\n    return d", (10,), RuntimeError, "dictionary changed size during iteration"),
    ("def f(n):\n    d = {1: 1, 2: 2}\n    for k in d:\n        if k == 2:\n            d.pop(1)\n    return d", (10,), RuntimeError, "dictionary changed size during iteration"),
]


@pytest.mark.parametrize("src,args,exc,message", ERRORS)
def test_dict_errors_match_python(src, args, exc, message):
    f = kernel(src)
    with pytest.raises(exc) as want:
        f.py_func(*args)
    with pytest.raises(exc) as got:
        f(*args)
    assert got.value.args == want.value.args
    assert str(got.value).strip("'") == message or str(got.value) == str(want.value)


def test_deleting_and_adding_while_iterating_is_an_error_not_a_stale_read():
    # Same size, so Python's own check passes and CPython skips the hole;
    # compiled code refuses rather than read a removed entry.
    f = kernel(
        "def f(n):\n"
        "    d = {1: np.zeros(n), 2: np.ones(n), 3: np.ones(n)}\n"
        "    t = 0.0\n"
        "    for k in d:\n"
        "        if k == 1:\n"
        "            del d[2]\n"
        "            d[4] = np.ones(n)\n"
        "        t += d.get(k, np.zeros(n)).sum()\n"
        "    return t"
    )
    with pytest.raises(RuntimeError, match="dictionary changed"):
        f(3)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["set", "del", "pop", "popitem", "get"]), st.integers(-6, 6)),
        max_size=40,
    )
)
def test_random_operation_sequences_match_python(ops):
    # Each operation as (code, key): insertion order, removal, re-insertion,
    # growth and tombstones against CPython's dict.
    f = kernel(
        "def f(codes, keys):\n"
        "    d = {0: 0}\n"
        "    out = 0\n"
        "    for i in range(len(codes)):\n"
        "        c, k = codes[i], keys[i]\n"
        "        if c == 0:\n"
        "            d[k] = i\n"
        "        elif c == 1:\n"
        "            if k in d:\n"
        "                del d[k]\n"
        "        elif c == 2:\n"
        "            out += d.pop(k, -1)\n"
        "        elif c == 3:\n"
        "            if len(d) > 0:\n"
        "                p = d.popitem()\n"
        "                out += p[0] * 3 + p[1]\n"
        "        else:\n"
        "            out += d.get(k, 100)\n"
        "    return d, out, list(d.items())"
    )
    names = ["set", "del", "pop", "popitem", "get"]
    codes = [names.index(c) for c, _ in ops] or [4]
    keys = [k for _, k in ops] or [0]
    check(f, codes, keys)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-(2**62), 2**62), max_size=300))
def test_many_keys_round_trip(keys):
    f = kernel(
        "def f(keys):\n"
        "    d = {}\n"
        "    for i in range(len(keys)):\n"
        "        d[keys[i]] = i\n"
        "    hits = 0\n"
        "    for k in keys:\n"
        "        hits += d[k]\n"
        "    return d, hits"
    )
    check(f, keys or [1])


def test_dict_arguments_are_a_clear_type_error():
    f = kernel("def f(d):\n    return len(d)")
    with pytest.raises(oxjit.errors.TypingError, match="'dict'"):
        f({1: 2})


@pytest.mark.parametrize(
    "src,message",
    [
        ("def f(n):\n    d = {}\n    return len(d)", "cannot determine the key and value types of the empty dict in 'd'"),
        ("def f(n):\n    d = {1: 2}\n    return d.setdefault(n)", "setdefault() without a default may give None"),
        ("def f(n):\n    d = {1: np.zeros(2)}\n    d[2] = 1.5\n    return d", "this dict's values are array(float64, 1d, C), not float64"),
        ("def f(n):\n    d = {1: 2, 2.5: np.zeros(3)}\n    return d", "cannot hold a array(float64, 1d, C)"),
        ("def f(n):\n    return {np.zeros(2): 1}", "a dict cannot have keys of type array(float64, 1d, C)"),
        ("def f(n):\n    d = {1: 2}\n    return d.frob()", "dicts have no method 'frob'"),
    ],
)
def test_dict_typing_errors_are_clear(src, message):
    f = kernel(src)
    with pytest.raises(oxjit.errors.TypingError) as e:
        f(1)
    assert message in str(e.value)
