"""`range` objects as values in compiled code, differentially against
CPython: ranges held in variables, passed in and returned (Python `range`
objects both ways), looped over (directly, in comprehensions, folded by
sum/min/max, under enumerate/zip/reversed), `len`, indexing with Python's
`IndexError`, `in`, truth and the start/stop/step attributes. hypothesis
draws the bounds, steps of both signs, positions and probes."""

import pytest

import oxjit
from hypothesis import given, settings
from hypothesis import strategies as st

from array_helpers import kernel
from conftest import check

CASES = [
    ("def f(n):\n    r = range(n)\n    s = 0\n    for x in r:\n        s += x\n    return s, len(r), r", (10,)),
    ("def f(n):\n    r = range(2, n, 3)\n    return list(r), r[0], r[-1], r.start, r.stop, r.step, bool(r)", (20,)),
    ("def f(n):\n    r = range(n, -n, -4)\n    return [x * x for x in r], sum(r), min(r), max(r), len(r)", (9,)),
    ("def f(n):\n    r = range(n)\n    return [(i, x) for i, x in enumerate(r, 1)], [a + b for a, b in zip(r, range(5, 0, -1))], list(reversed(r))", (4,)),
    ("def f(n):\n    r = range(0, 30, 7)\n    return n in r, (n + 1) in r, -n in range(0, -30, -7), True in r", (14,)),
    ("def f(n):\n    r = range(n)\n    if r:\n        return 1\n    return 0", (0,)),
    ("def f(n):\n    return range(n, 2 * n), range(n, 0, -2)", (5,)),
    ("def f(n):\n    r = range(3)\n    r = range(n)\n    t = 0\n    for _ in range(2):\n        for x in r:\n            t += x\n    return t", (6,)),
    ("def f(r):\n    return sum(r), len(r), list(r), r[len(r) // 2] if r else -1, r", (range(-5, 17, 3),)),
    ("def f(r):\n    return [x for x in r if x % 2], 7 in r", (range(20, 0, -1),)),
    ("def f(r):\n    return len(r), list(r), r", (range(0),)),
]


@pytest.mark.parametrize("src,args", CASES, ids=[str(i) for i in range(len(CASES))])
def test_ranges_agree_with_python(src, args):
    check(kernel(src), *args)


RAISES = [
    ("def f(n):\n    r = range(n)\n    return r[n]", (5,)),
    ("def f(n):\n    r = range(n)\n    return r[-n - 1]", (5,)),
    ("def f(n):\n    r = range(0, 10, n)\n    return len(r)", (0,)),
    ("def f(n):\n    return range(n)[0]", (0,)),
]


@pytest.mark.parametrize("src,args", RAISES, ids=[str(i) for i in range(len(RAISES))])
def test_range_errors_are_python_errors(src, args):
    check(kernel(src), *args)


OPS = kernel(
    "def f(a, b, c, i, x):\n"
    "    r = range(a, b, c)\n"
    "    n = len(r)\n"
    "    item = r[i] if -n <= i < n else 0\n"
    "    return n, item, x in r, list(r)[:5], sum(r), bool(r), r"
)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-60, 60),
    st.integers(-60, 60),
    st.integers(-9, 9).filter(bool),
    st.integers(-70, 70),
    st.integers(-70, 70),
)
def test_range_semantics(a, b, c, i, x):
    check(OPS, a, b, c, i, x)


ARG = kernel("def f(r, i):\n    return r[i], len(r), r.start + r.stop + r.step")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(-10**12, 10**12),
    st.integers(-10**12, 10**12),
    st.integers(-10**6, 10**6).filter(bool),
    st.integers(-40, 40),
)
def test_range_arguments(a, b, c, i):
    check(ARG, range(a, b, c), i)


@pytest.mark.parametrize(
    "src,message",
    [
        ("def f(n):\n    r = range(n)\n    return r[1:]", "slicing a range is not supported"),
        ("def f(n):\n    return 2.5 in range(n)", "`in` a range needs an integer"),
        ("def f(n):\n    return range(n).foo", "a range has no attribute 'foo'"),
        ("def f(n):\n    return range(1.5)", "range() arguments must be integers"),
    ],
)
def test_range_misuse_is_a_typing_error(src, message):
    f = kernel(src)
    with pytest.raises(oxjit.errors.TypingError) as e:
        f(3)
    assert message in str(e.value)


def test_range_beyond_int64_is_a_clear_error():
    with pytest.raises(OverflowError):
        ARG(range(2**70), 0)
