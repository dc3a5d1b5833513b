"""Exceptions in compiled code, differentially against CPython: `try` with
`except E`, `except (E1, E2)`, `except E as e` (`str(e)`, f-strings of it,
re-raising it), bare `except:`, `else` and `finally` on every way out
(falling through, `return`, `break`, `continue`, an exception caught or
not); exceptions raised by callees, by runtime checks (bounds, division,
dict keys, list indices, NumPy's shape errors) and by `raise` with run-time
arguments; user exception classes raised and caught in compiled code and
arriving in Python as instances of their class. The autouse leak check
covers the arrays, strs and lists made on the raising paths."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from array_helpers import kernel
from conftest import check
from oxjit import njit
from oxjit.errors import TypingError


class ParseError(ValueError):
    pass


class DeepError(ParseError):
    def __init__(self, *args):
        super().__init__(*args)


CASES = [
    # Runtime checks caught in the same function.
    ("def f(a, b):\n    try:\n        return a // b\n    except ZeroDivisionError:\n        return -1", (7, 0)),
    ("def f(a, b):\n    try:\n        return a // b\n    except ZeroDivisionError:\n        return -1", (7, 2)),
    ("def f(a, b):\n    try:\n        return str(a / b)\n    except ArithmeticError as e:\n        return str(e)", (1.0, 0.0)),
    ("def f(k):\n    d = {1: 2}\n    try:\n        v = d[k]\n    except KeyError:\n        v = 0\n    return v", (3,)),
    ("def f(k):\n    d = {'a': 2}\n    try:\n        v = d[k]\n    except KeyError as e:\n        return str(e)\n    return str(v)", ('b',)),
    ("def f(l, i):\n    try:\n        return l[i]\n    except IndexError as e:\n        return -len(str(e))", ([1, 2], 5)),
    ("def f(l, i):\n    try:\n        return l[i]\n    except (KeyError, IndexError):\n        return -1", ([1, 2], -3)),
    ("def f(l, i):\n    try:\n        return l[i]\n    except LookupError:\n        return -1", ([1, 2], 1)),
    ("def f(a, b):\n    try:\n        c = a + b\n    except ValueError as e:\n        return str(e)\n    return 'ok'", (np.ones(3), np.ones(4))),
    ("def f(n):\n    try:\n        x = [1, 2, 3].pop(n)\n    except:\n        x = 0\n    return x", (7,)),
    # Not caught: the exception goes on, through finally.
    ("def f(a, b):\n    try:\n        return a // b\n    except ValueError:\n        return -1", (1, 0)),
    ("def f(a, b):\n    r = [0]\n    try:\n        r.append(a // b)\n    finally:\n        r.append(9)\n    return r", (1, 0)),
    ("def f(a, b):\n    r = [0]\n    try:\n        r.append(a // b)\n    finally:\n        r.append(9)\n    return r", (4, 2)),
    # raise with run-time values, caught or not.
    ("def f(n):\n    if n < 0:\n        raise ValueError('negative', n)\n    return n", (-2,)),
    ("def f(n):\n    if n < 0:\n        raise ValueError(f'bad n: {n}')\n    return n", (-2,)),
    ("def f(x):\n    raise RuntimeError(x * 2.5, 'x', None, True)", (2,)),
    ("def f(n):\n    try:\n        raise KeyError(n, 'k')\n    except KeyError as e:\n        return str(e)", (3,)),
    ("def f(s):\n    try:\n        raise ValueError(s + '!')\n    except Exception as e:\n        return f'[{e}]'", ('boom',)),
    ("def f(n):\n    try:\n        raise ValueError()\n    except ValueError as e:\n        return str(e) + '.'", (1,)),
    # else and finally on each way out.
    ("def f(n):\n    r = []\n    try:\n        r.append(10 // n)\n    except ZeroDivisionError:\n        r.append(-1)\n    else:\n        r.append(1)\n    finally:\n        r.append(2)\n    return r", (0,)),
    ("def f(n):\n    r = []\n    try:\n        r.append(10 // n)\n    except ZeroDivisionError:\n        r.append(-1)\n    else:\n        r.append(1)\n    finally:\n        r.append(2)\n    return r", (5,)),
    ("def f(n):\n    r = [0]\n    try:\n        return r\n    finally:\n        r.append(n)", (3,)),
    ("def f(n):\n    try:\n        return n\n    finally:\n        n += 1\n        return n", (3,)),
    ("def f(n):\n    s = 0\n    for i in range(n):\n        try:\n            if i == 3:\n                break\n            if i % 2:\n                continue\n            s += i\n        finally:\n            s += 100\n    return s", (6,)),
    ("def f(n):\n    s = 0\n    for i in range(n):\n        try:\n            if i % 3 == 0:\n                raise KeyError(i)\n            s += i\n        except KeyError:\n            s -= 1\n            continue\n        finally:\n            s += 1000\n    return s", (10,)),
    ("def f(n):\n    s = 0\n    while True:\n        try:\n            s += 1\n            x = 10 // (n - s)\n        except ZeroDivisionError:\n            break\n    return s", (4,)),
    # Nested statements, re-raising, exceptions raised in handlers.
    ("def f(n):\n    try:\n        try:\n            return 1 // n\n        except ValueError:\n            return -1\n    except ZeroDivisionError:\n        return -2", (0,)),
    ("def f(n):\n    try:\n        try:\n            return str(1 // n)\n        except ZeroDivisionError:\n            raise\n    except ArithmeticError as e:\n        return str(e)", (0,)),
    ("def f(n):\n    try:\n        return 1 // n\n    except ZeroDivisionError:\n        raise ValueError('wrapped', n)", (0,)),
    ("def f(n):\n    try:\n        return 1 // n\n    except ZeroDivisionError as e:\n        raise e", (0,)),
    ("def f(n):\n    try:\n        return 1 // n\n    except ZeroDivisionError:\n        try:\n            return [1][n + 5]\n        except IndexError as e:\n            return -len(str(e))", (0,)),
    ("def f(n):\n    r = [0]\n    try:\n        try:\n            r.append(1 // n)\n        finally:\n            r.append(7)\n    except ZeroDivisionError:\n        r.append(-1)\n    return r", (0,)),
    ("def f(n):\n    r = []\n    try:\n        r.append(1 // n)\n    finally:\n        try:\n            r.append([1][n + 5])\n        except IndexError:\n            r.append(-5)\n    return r", (0,)),
    # Arrays made in the body are released when it raises.
    ("def f(n):\n    try:\n        a = np.ones(n)\n        b = a[n + 1]\n    except IndexError:\n        return -1\n    return int(b)", (3,)),
    ("def f(n):\n    t = 0.0\n    for i in range(n):\n        try:\n            t += (np.ones(i + 1) / (i % 2)).sum()\n        except ZeroDivisionError:\n            t -= 1\n    return t", (4,)),
]


@pytest.mark.parametrize("src,args", CASES, ids=[str(i) for i in range(len(CASES))])
def test_exceptions_agree_with_python(src, args):
    check(kernel(src, boundscheck=True), *args)


@njit
def parse_digit(c):
    if c < "0" or c > "9":
        raise ParseError(f"not a digit: {c!r}")
    return ord(c) - ord("0")


@njit
def parse_number(s):
    n = 0
    for c in s:
        n = n * 10 + parse_digit(c)
    return n


@njit
def parse_or(s, default):
    try:
        return parse_number(s)
    except ParseError:
        return default


@njit
def deep(n):
    if n > 2:
        raise DeepError("deep", n)
    return n


@njit
def classify(n):
    try:
        deep(n)
    except ValueError as e:
        return "value: " + str(e)
    return "fine"


def test_user_exception_classes_are_raised_and_caught():
    assert parse_number("123") == 123
    with pytest.raises(ParseError, match="not a digit: 'x'") as info:
        parse_number("1x")
    assert type(info.value) is ParseError
    assert parse_or("42", -1) == 42
    assert parse_or("4z2", -1) == -1
    with pytest.raises(DeepError) as deep_info:
        deep(5)
    assert deep_info.value.args == ("deep", 5)
    assert classify(1) == "fine"
    assert classify(3) == "value: ('deep', 3)"


@njit
def keep(n):
    try:
        return 10 // n, None
    except ZeroDivisionError as e:
        return -1, e


def test_caught_exceptions_return_to_python_as_instances():
    assert keep(2) == (5, None)
    r, e = keep(0)
    assert r == -1 and type(e) is ZeroDivisionError
    assert e.args == ("integer division or modulo by zero",)


@njit
def guarded_sum(a, i):
    s = 0.0
    for k in range(i):
        try:
            s += a[k]
        except IndexError:
            s -= 1.0
    return s


def test_bounds_errors_are_caught_under_boundscheck():
    f = njit(boundscheck=True)(guarded_sum.py_func)
    a = np.arange(4.0)
    assert f(a, 6) == guarded_sum.py_func(a, 6)


@settings(max_examples=60, deadline=None)
@given(st.integers(-5, 5), st.integers(-5, 5))
def test_division_handlers_agree(a, b):
    src = (
        "def f(a, b):\n    r = []\n    try:\n        r.append(a // b)\n        r.append(a % b)\n"
        "    except ZeroDivisionError as e:\n        r.append(len(str(e)))\n    else:\n        r.append(1)\n"
        "    finally:\n        r.append(a - b)\n    return r"
    )
    check(kernel(src), a, b)


def test_bad_handlers_and_raises_are_typing_errors():
    with pytest.raises(TypingError, match="bare `raise` outside"):
        kernel("def f(n):\n    raise")(1)
    with pytest.raises(TypingError, match="must name exception classes"):
        kernel("def f(n):\n    try:\n        return n\n    except n:\n        return 0")(1)
    with pytest.raises(TypingError, match="exception argument of type array"):
        kernel("def f(a):\n    raise ValueError(a)")(np.ones(2))
    with pytest.raises(TypingError, match="cannot raise a value of type int64"):
        kernel("def f(n):\n    raise n")(1)
