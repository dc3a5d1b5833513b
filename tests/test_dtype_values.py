"""Dtypes and NumPy scalar types as compile-time values (issue 10, part 1),
compared with CPython/NumPy running the same function:

- read from arrays and NumPy scalars (``a.dtype``, ``x.dtype``,
  ``a.dtype.type``, ``np.dtype(...)``, ``.itemsize``), held in variables,
  stored in tuples, passed to other jitted functions and returned (a dtype
  boxes to the ``np.dtype`` object, a scalar type to the class);
- passed in from Python (``np.float32``, ``np.dtype("i2")``): each is its own
  specialisation;
- given to every creation function and ``astype`` as ``dtype=``;
- called to convert scalars and arrays (``np.float32(a)``, ``dt(x)``,
  ``a.dtype.type(0)``);
- compared with ``==`` / ``!=`` (a dtype equals the scalar type it names);
- Python's ``float``, ``int``, ``bool``, ``complex`` held as values stand for
  the NumPy types they name as dtypes (so, unlike Python, ``float ==
  np.float64`` is true in compiled code; documented in the README);
- a value that is not a dtype where one is required is a compile error that
  names its type.
"""

import numpy as np
import pytest

from array_helpers import check_empty, kernel
from conftest import ALL_DTYPES, check, make_array
from oxjit import njit
from oxjit.errors import TypingError

DTYPES = [np.dtype(d) for d in ALL_DTYPES]
IDS = [d.name for d in DTYPES]


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_dtype_of_an_array_makes_arrays_of_that_dtype(dtype):
    f = kernel(
        """
        def f(a):
            return (np.zeros(3, dtype=a.dtype), np.ones((2, 2), a.dtype),
                    np.zeros_like(a, dtype=a.dtype), np.full(2, 1, dtype=a.dtype),
                    a.astype(a.dtype))
        """
    )
    check(f, make_array(dtype, (4,)))
    if dtype.kind != "b":
        check(kernel("def f(a):\n    return np.arange(4, dtype=a.dtype)\n"), make_array(dtype, (2,)))
    check_empty(kernel("def f(a):\n    return np.empty((2, 3), dtype=a.dtype)\n"), make_array(dtype, (2,)))


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_dtype_values_round_trip_through_python(dtype):
    f = kernel("def f(a, dt, t):\n    return a.dtype, dt, t, a.dtype.type, np.dtype(t)\n")
    check(f, make_array(dtype, (2,)), dtype, dtype.type)


def test_each_dtype_passed_in_is_its_own_specialisation():
    f = kernel("def f(n, dt):\n    return np.zeros(n, dt)\n")
    for dt in (np.int16, np.float32, np.dtype("complex64"), np.dtype("u1"), np.bool_):
        check(f, 3, dt)
    assert len(f.signatures) == 5


def test_a_dtype_held_in_a_variable_and_passed_to_a_callee():
    @njit
    def make(n, dt):
        return np.ones(n, dtype=dt)

    def outer(a):
        dt = np.float32
        if a.shape[0] > 2:
            dt = np.float32
        pair = (dt, a.dtype)
        return make(2, pair[0]), make(3, pair[1]), np.empty(0, dtype=dt).dtype

    check(njit(outer), np.arange(4, dtype=np.int8))


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_scalar_types_as_values_convert_scalars_and_arrays(dtype):
    f = kernel(
        """
        def f(a, x):
            t = a.dtype.type
            return t(x), a.dtype.type(0), t(a[::-1]), np.float32(a.real)
        """
    )
    if dtype.kind == "c":
        check(f, make_array(dtype, (3,)), 2)
    else:
        check(f, make_array(dtype, (3,)), 2.0)


def test_scalar_dtype_and_comparisons():
    f = kernel(
        """
        def f(a, x):
            return (x.dtype, a.dtype == np.float64, a.dtype != np.float64,
                    a.dtype == x.dtype, np.float32 == np.float32, a.dtype.type == np.float64,
                    np.dtype(float) == a.dtype, a.dtype.itemsize, x.dtype.itemsize)
        """
    )
    check(f, np.arange(3.0), np.int16(4))
    check(f, np.arange(3, dtype=np.float32), np.float64(4))


def test_builtin_types_are_values_too():
    f = kernel("def f(n):\n    t = float\n    u = int\n    return np.zeros(n, t), np.ones(n, dtype=u), np.dtype(t) == np.float64\n")
    check(f, 2)


@pytest.mark.parametrize(
    "src, message",
    [
        ("def f(a, x):\n    return np.zeros(3, dtype=x)\n", "dtype must be a NumPy type"),
        ("def f(a, x):\n    return np.zeros(3, dtype=x)\n", "not a value of type int64"),
        ("def f(a, x):\n    return a.astype(a.shape)\n", "not a value of type UniTuple(int64 x 1)"),
        ("def f(a, x):\n    return a.dtype < a.dtype\n", "'<' is not supported between dtype(float64) and dtype(float64)"),
        ("def f(a, x):\n    return a.dtype.kind\n", "supported dtype attributes: type, itemsize"),
        ("def f(a, x):\n    return a.dtype(3)\n", "arrays have no method 'dtype'"),
        ("def f(a, x):\n    dt = a.dtype\n    return dt(3)\n", "a value of type dtype(float64) is not callable"),
        ("def f(a, x):\n    return np.arange(3, dtype=bool)\n", "np.arange does not make boolean arrays"),
    ],
)
def test_misused_dtype_values_are_compile_errors(src, message):
    with pytest.raises(TypingError, match=None) as info:
        kernel(src)(np.arange(3.0), np.int64(2))
    assert message in str(info.value)
