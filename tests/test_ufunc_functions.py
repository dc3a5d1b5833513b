"""NumPy's ufunc spellings of the operators (`np.add` ... `np.right_shift`,
the comparisons, `np.negative`/`positive`/`invert`) and the logical
functions, compared with NumPy: arrays with arrays (broadcast), arrays with
numbers, numbers with numbers (a NumPy scalar comes back), over several
dtypes; where NumPy rejects the operand types the compiled function must be
a compile error. Division by zero follows NumPy (inf, nan or 0), also for
numbers.
"""

import numpy as np
import pytest

from array_helpers import check_or_rejected, kernel
from conftest import make_array

BINARY = [
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder", "mod",
    "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor",
]
UNARY = ["negative", "positive", "invert", "bitwise_not", "logical_not"]
DTYPES = [np.int64, np.int32, np.float64, np.float32, np.bool_]
IDS = [np.dtype(d).name for d in DTYPES]


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
@pytest.mark.parametrize("name", BINARY)
def test_binary_over_arrays(name, dtype):
    a = make_array(dtype, (3, 4), seed=1)
    b = make_array(dtype, (4,), seed=2)
    if dtype in (np.int64, np.int32):
        a, b = a % 7, b % 5  # shift counts in range; zero divisors stay
    check_or_rejected(kernel(f"def f(a, b):\n    return np.{name}(a, b)\n"), a, b)
    check_or_rejected(kernel(f"def f(a):\n    return np.{name}(a, 3)\n"), a)


@pytest.mark.parametrize(
    ("x", "y"), [(7, 2), (-7, 2), (7, 0), (2.5, -0.5), (3.0, 0.0), (True, False), (-1, 3)]
)
@pytest.mark.parametrize("name", BINARY)
def test_binary_over_numbers(name, x, y):
    check_or_rejected(kernel(f"def f(x, y):\n    return np.{name}(x, y)\n"), x, y)
    check_or_rejected(kernel(f"def f(x, y):\n    return np.{name}(np.int32(x), y)\n"), x, y)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
@pytest.mark.parametrize("name", UNARY)
def test_unary(name, dtype):
    a = make_array(dtype, (5,), seed=3)
    check_or_rejected(kernel(f"def f(a):\n    return np.{name}(a)\n"), a)
    check_or_rejected(kernel(f"def f(a):\n    return np.{name}(a[1])\n"), a)


def test_fused_with_operators():
    a = np.linspace(-2.0, 2.0, 9)
    check_or_rejected(
        kernel("def f(a):\n    return np.logical_and(np.greater(a, -1.0), a < 1.5).sum() + np.add(a, a * 2).sum()\n"),
        a,
    )


# --- out= ---------------------------------------------------------------------------------
# Every ufunc writes into `out` (by keyword or position), broadcasting, with
# NumPy's same_kind rule, and returns `out` itself; the differential check
# also compares the mutated argument.

OUT_CASES = [
    ("np.add(a, b, out=o)", np.float64),
    ("np.add(a, b, o)", np.float64),
    ("np.multiply(a, 2, out=o[1:])", np.float64),
    ("np.less(a, b, out=o)", np.float64),
    ("np.sqrt(a, out=o)", np.float64),
    ("np.absolute(a, o)", np.float64),
    ("np.negative(b, out=o)", np.float32),
    ("np.logical_not(a, out=o)", np.bool_),
    ("np.floor(a, out=o)", np.float64),
    ("np.isnan(a, out=o)", np.bool_),
    ("np.power(a, 2, out=o)", np.float64),
    ("np.add(1.5, 2.0, out=o)", np.float64),
    ("np.maximum(a, b, out=o)", np.float64),
    ("np.fmin(a, 0.5, o)", np.float64),
]


@pytest.mark.parametrize("expr, out_dtype", OUT_CASES)
def test_out_is_written_and_returned(expr, out_dtype):
    a = np.abs(make_array(np.float64, (4,), seed=3))
    b = make_array(np.float32, (4,), seed=4)
    o = np.zeros(4 if "o[1:]" not in expr else 5, dtype=out_dtype)
    a = a[: o.shape[0] - (1 if "o[1:]" in expr else 0)]
    f = kernel(f"def f(a, b, o):\n    r = {expr}\n    return r, o\n")
    check_or_rejected(f, a, b[: a.shape[0]], o)
    r, o2 = f(a, b[: a.shape[0]], o.copy())
    if "o[1:]" not in expr:
        assert r is o2, "the call returns out itself"


def test_out_in_a_statement_and_broadcast_over_rows():
    f = kernel("def f(a, b, o):\n    np.subtract(a, b, out=o)\n    return o\n")
    check_or_rejected(f, np.ones((3, 2)), np.arange(2.0), np.empty((3, 2)))


@pytest.mark.parametrize(
    "src, message",
    [
        ("np.add(a, a, out=o)", "cannot write the float64 result into an int64 array out"),
        ("np.add(a, a, out=3)", "out must be an array"),
        ("np.add(a, a, out=r)", "cannot modify a read-only array"),
    ],
)
def test_bad_out_is_a_compile_error(src, message):
    from oxjit.errors import TypingError

    f = kernel(f"def f(a, o, r):\n    return {src}\n")
    r = np.zeros(3)
    r.setflags(write=False)
    with pytest.raises(TypingError) as info:
        f(np.ones(3), np.zeros(3, dtype=np.int64), r)
    assert message in str(info.value)
