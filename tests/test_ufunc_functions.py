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
