"""Arrays created in compiled code, compared with NumPy on the same inputs
(dtype, shape and values; the argument arrays must be left as NumPy leaves
them):

- ``np.empty/zeros/ones`` with an int or tuple shape (run-time sizes, 0,
  negative → ValueError) and every way of naming a dtype (``np.float64``,
  ``float``, ``int``, ``bool``, ``complex``, ``"int32"``, ``"f4"``,
  ``np.dtype(...)``, positional); ``np.empty`` compares dtype and shape only;
- ``np.full`` (dtype from the fill value, NEP 50 for NumPy scalars, unsafe
  casts into an explicit dtype) and the ``_like`` forms, with and without
  ``dtype=``;
- ``np.arange`` with ints and floats, negative steps, empty results, NumPy's
  ``start + i * ((start + step) - start)`` values, ``dtype=``, zero step;
- ``np.linspace`` (``num``, ``endpoint``, num 0/1, equal ends, bad num),
  ``np.eye`` (``M``, ``k``, ``dtype``), ``np.identity``;
- ``np.array``/``np.asarray`` of literal (nested) lists and tuples of
  constants and run-time scalars (dtype inferred as NumPy infers it, or given);
- copies: ``np.array(a)``, ``np.copy(a)``, ``a.copy()``, ``np.asarray`` (the
  same array when no conversion is needed), ``np.ascontiguousarray``,
  ``a.astype(...)`` between all dtypes (including wrap-around and complex →
  real).

Created arrays must be real, writeable, C-contiguous ``ndarray``s.
"""

import numpy as np
import pytest

from array_helpers import check_empty, check_view, expr_kernel, kernel
from conftest import ALL_DTYPES, LAYOUTS, check, make_array

DTYPE_IDS = [np.dtype(d).name for d in ALL_DTYPES]

# Spellings of a dtype argument (source text).
DTYPE_EXPRS = [
    "np.float64",
    "float",
    "int",
    "bool",
    "complex",
    '"int32"',
    '"f4"',
    '"complex128"',
    "np.int8",
    "np.uint16",
    "np.uint64",
    "np.float32",
    "np.complex64",
    "np.bool_",
    "np.dtype(np.int16)",
    'np.dtype("u1")',
]

SHAPE_EXPRS = ["n", "(n,)", "(n, 3)", "(2, n, 3)", "(n, n)"]


def assert_fresh(arr):
    """A newly created array: a base-class ndarray, C-contiguous, writeable."""
    assert type(arr) is np.ndarray, f"got {type(arr).__name__}"
    assert arr.flags.c_contiguous, f"not C-contiguous: strides {arr.strides} for shape {arr.shape}"
    assert arr.flags.writeable and arr.flags.aligned


# --- empty / zeros / ones ----------------------------------------------------------------


@pytest.mark.parametrize("fn", ["zeros", "ones"])
@pytest.mark.parametrize("shape", SHAPE_EXPRS)
@pytest.mark.parametrize("n", [0, 1, 5])
def test_zeros_ones_default_dtype(fn, shape, n):
    assert_fresh(check(expr_kernel(f"np.{fn}({shape})", "n"), n))


@pytest.mark.parametrize("fn", ["zeros", "ones"])
@pytest.mark.parametrize("dtype", DTYPE_EXPRS)
@pytest.mark.parametrize("shape", ["n", "(2, n)"])
def test_zeros_ones_dtype(fn, dtype, shape):
    assert_fresh(check(expr_kernel(f"np.{fn}({shape}, dtype={dtype})", "n"), 4))


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
def test_dtype_positional(fn):
    f = expr_kernel(f"np.{fn}((n, 2), np.int32)", "n")
    (check_empty if fn == "empty" else check)(f, 3)


@pytest.mark.parametrize("shape", SHAPE_EXPRS)
@pytest.mark.parametrize("dtype", [None] + DTYPE_EXPRS)
def test_empty(shape, dtype):
    """np.empty: only the dtype and the shape are specified."""
    src = f"np.empty({shape})" if dtype is None else f"np.empty({shape}, dtype={dtype})"
    f = expr_kernel(src, "n")
    for n in (0, 3):
        assert_fresh(check_empty(f, n))


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "full"])
@pytest.mark.parametrize("shape", ["n", "(2, n)"])
def test_negative_dimension(fn, shape):
    args = f"{shape}, 1.5" if fn == "full" else shape
    check(expr_kernel(f"np.{fn}({args})", "n"), -1)


# --- full ----------------------------------------------------------------------------------

FILL_VALUES = [7, 2.5, True, 1.5 - 2j, np.float32(1.5), np.int8(-3), np.uint16(7), np.complex64(1 + 1j), np.float64(-0.0)]


@pytest.mark.parametrize("shape", ["n", "(n, 2)"])
@pytest.mark.parametrize("value", FILL_VALUES, ids=repr)
def test_full_dtype_from_value(shape, value):
    assert_fresh(check(expr_kernel(f"np.full({shape}, v)", "n, v"), 3, value))


@pytest.mark.parametrize("src", ["np.full(n, 3)", "np.full(n, 0.5)", "np.full((n, 2), np.nan)", "np.full(n, False)", "np.full(n, -2j)"])
def test_full_constant_value(src):
    check(expr_kernel(src, "n"), 4)


@pytest.mark.parametrize("dtype", ["np.float32", "np.int32", "bool", "np.uint8", "complex", '"int16"'])
@pytest.mark.parametrize("value", [7, 2.7, True, np.float32(3.5), np.int64(100)], ids=repr)
def test_full_explicit_dtype(dtype, value):
    """The fill value is cast to the given dtype (2.7 → 2 for ints)."""
    check(expr_kernel(f"np.full((2, n), v, dtype={dtype})", "n, v"), 3, value)
    check(expr_kernel(f"np.full(n, v, {dtype})", "n, v"), 3, value)


# --- the _like forms ---------------------------------------------------------------------------

LIKE_INPUTS = [
    (np.int32, (5,), "C"),
    (np.float32, (3, 4), "F"),
    (np.complex128, (3, 4), "A"),
    (np.bool_, (6,), "C"),
    (np.uint8, (2, 3, 4), "C"),
    (np.float64, (0, 3), "C"),
]
LIKE_IDS = [f"{np.dtype(d).name}-{s}-{lay}" for d, s, lay in LIKE_INPUTS]


@pytest.mark.parametrize("inp", LIKE_INPUTS, ids=LIKE_IDS)
@pytest.mark.parametrize(
    "src",
    [
        "np.zeros_like(a)",
        "np.ones_like(a)",
        "np.zeros_like(a, dtype=np.float32)",
        "np.ones_like(a, dtype=bool)",
        "np.ones_like(a, np.int16)",
    ],
)
def test_zeros_ones_like(inp, src):
    dtype, shape, layout = inp
    check(expr_kernel(src), make_array(dtype, shape, layout))


@pytest.mark.parametrize("inp", LIKE_INPUTS, ids=LIKE_IDS)
@pytest.mark.parametrize("value", [7, 2.5, True], ids=repr)
@pytest.mark.parametrize("dtype", [None, "np.int16", "complex"])
def test_full_like(inp, value, dtype):
    dtype_, shape, layout = inp
    src = "np.full_like(a, v)" if dtype is None else f"np.full_like(a, v, dtype={dtype})"
    check(expr_kernel(src, "a, v"), make_array(dtype_, shape, layout), value)


@pytest.mark.parametrize("inp", LIKE_INPUTS, ids=LIKE_IDS)
@pytest.mark.parametrize("src", ["np.empty_like(a)", "np.empty_like(a, dtype=complex)", "np.empty_like(a, np.int8)"])
def test_empty_like(inp, src):
    dtype, shape, layout = inp
    check_empty(expr_kernel(src), make_array(dtype, shape, layout))


def test_like_results_are_new_arrays():
    """Writing into a _like result leaves the argument alone."""
    f = kernel(
        """
        def f(a):
            z = np.zeros_like(a)
            o = np.ones_like(a)
            e = np.empty_like(a)
            u = np.full_like(a, 9)
            z[0] = 5
            o[1] = 6
            e[2] = 7
            u[0] = 1
            return z[0] + o[1] + e[2] + u[0] + a[0]
        """
    )
    check(f, np.arange(5.0))


# --- arange -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stop", [0, 1, 5, -3, 2.5, 0.0, -1.5, 7.0, np.int32(4), np.float32(3.5)], ids=repr)
def test_arange_stop(stop):
    assert_fresh(check(expr_kernel("np.arange(stop)", "stop"), stop))


@pytest.mark.parametrize(
    "start, stop",
    [(2, 7), (7, 2), (-5, 5), (3, 3), (0.5, 4.0), (-2.25, 1.0), (1, 3.5), (4.0, 4.0), (-1.5, -7.25)],
)
def test_arange_start_stop(start, stop):
    check(expr_kernel("np.arange(start, stop)", "start, stop"), start, stop)


ARANGE_STEPS = [
    (0, 10, 3),
    (10, 0, -3),
    (10, 0, 3),
    (0, 10, -1),
    (-5, 5, 2),
    (5, -5, -1),
    (0, 100_000, 7),
    (0, 1, 0.1),
    (1.0, 2.0, 0.1),
    (1.0, 0.0, -0.1),
    (0.5, 10.25, 0.75),
    (1, 2, 0.3),
    (0, 1e-3, 1e-4),
    (3.0, 3.5, -0.5),
    (-1e10, 1e10, 3.3e8),
    (0, 10, 0),
    (0.0, 1.0, 0.0),
]


@pytest.mark.parametrize("start, stop, step", ARANGE_STEPS)
def test_arange_step(start, stop, step):
    """Values are NumPy's ``start + i * delta`` with ``delta = (start + step) -
    start``; a zero step raises ZeroDivisionError as in NumPy."""
    check(expr_kernel("np.arange(start, stop, step)", "start, stop, step"), start, stop, step)


@pytest.mark.parametrize(
    "src, args",
    [
        ("np.arange(n, dtype=np.float32)", (7,)),
        ("np.arange(n, dtype=float)", (4,)),
        ("np.arange(n, dtype=np.int8)", (100,)),
        ("np.arange(n, dtype=np.uint16)", (5,)),
        ("np.arange(n, dtype=np.complex128)", (3,)),
        ("np.arange(a, b, s, dtype=np.float32)", (0.0, 1.0, 0.1)),
        ("np.arange(a, b, s, dtype=np.int32)", (0, 10, 3)),
        ("np.arange(a, b, s, dtype=np.int64)", (10, -1, -4)),
        ("np.arange(a, b, dtype=int)", (0.5, 5.0)),
        ("np.arange(a, b, s, dtype=float)", (1, 2, 0.25)),
    ],
)
def test_arange_dtype(src, args):
    params = "n" if len(args) == 1 else "a, b" if len(args) == 2 else "a, b, s"
    check(expr_kernel(src, params), *args)


def test_arange_in_loop_is_fresh_each_time():
    f = kernel(
        """
        def f(n):
            total = 0
            for i in range(n):
                r = np.arange(i)
                if i > 0:
                    r[0] = 100
                    total += r[0] + r[i - 1]
            return total
        """
    )
    check(f, 20)


# --- linspace -----------------------------------------------------------------------------------

LINSPACE_CASES = [
    (0, 1, 5),
    (0.0, 1.0, 50),
    (-3.5, 10.25, 7),
    (5, 5, 3),
    (1, 0, 11),
    (0, 1, 1),
    (0, 1, 0),
    (0, 1, 2),
    (1e-10, 1e10, 13),
    (-1.0, 1.0, 101),
    (0, 1, -1),
]


@pytest.mark.parametrize("start, stop, num", LINSPACE_CASES)
@pytest.mark.parametrize("endpoint", [True, False])
def test_linspace(start, stop, num, endpoint):
    check(expr_kernel(f"np.linspace(start, stop, num, endpoint={endpoint})", "start, stop, num"), start, stop, num)
    check(expr_kernel(f"np.linspace(start, stop, num=num, endpoint={endpoint})", "start, stop, num"), start, stop, num)


@pytest.mark.parametrize("start, stop", [(0, 1), (2.5, -7.5), (3, 3)])
def test_linspace_default_num(start, stop):
    check(expr_kernel("np.linspace(start, stop)", "start, stop"), start, stop)


# --- eye / identity ---------------------------------------------------------------------------------

EYE_SOURCES = [
    ("np.eye(n)", "n"),
    ("np.eye(n, m)", "n, m"),
    ("np.eye(n, M=m)", "n, m"),
    ("np.eye(n, None)", "n"),
    ("np.eye(n, k=1)", "n"),
    ("np.eye(n, m, 1)", "n, m"),
    ("np.eye(n, m, k=-2)", "n, m"),
    ("np.eye(n, m, k=5)", "n, m"),
    ("np.eye(n, dtype=np.int32)", "n"),
    ("np.eye(n, m, k=-1, dtype=bool)", "n, m"),
    ("np.eye(N=n, dtype=complex)", "n"),
    ("np.identity(n)", "n"),
    ("np.identity(n, dtype=np.complex64)", "n"),
    ("np.identity(n, np.uint8)", "n"),
]


@pytest.mark.parametrize("src, params", EYE_SOURCES)
@pytest.mark.parametrize("n, m", [(0, 0), (1, 3), (4, 4), (4, 6), (5, 2)])
def test_eye(src, params, n, m):
    f = expr_kernel(src, params)
    args = (n, m) if params == "n, m" else (n,)
    assert_fresh(check(f, *args))


@pytest.mark.parametrize("src, params", [("np.eye(n)", "n"), ("np.eye(n, m)", "n, m"), ("np.identity(n)", "n")])
def test_eye_negative(src, params):
    check(expr_kernel(src, params), *((-1, 2) if params == "n, m" else (-1,)))


# --- np.array / np.asarray of literals ---------------------------------------------------------------

LITERAL_SOURCES = [
    "np.array([1, 2, 3])",
    "np.array([1.5, 2, 3])",
    "np.array([-1, 2.5])",
    "np.array([[1, 2], [3, 4]])",
    "np.array([[1, 2], [3, 4.5]])",
    "np.array(((1.0, 2.0), (3.0, 4.0), (5.0, 6.0)))",
    "np.array([(1, 2), (3, 4)])",
    "np.array([[[1], [2]], [[3], [4]]])",
    "np.array([True, False, True])",
    "np.array([True, 2])",
    "np.array([1, 2.5j])",
    "np.array([7])",
    "np.array([1, 2, 3], dtype=np.float32)",
    "np.array([[1.7, -2.2]], dtype=np.int16)",
    "np.array([0, 1, 2], dtype=bool)",
    "np.array([1, 2], np.complex64)",
    "np.asarray([1, 2, 3])",
    "np.asarray((1.5, 2.5), dtype=np.complex64)",
    "np.asarray([[0.5], [1.5]])",
]


@pytest.mark.parametrize("src", LITERAL_SOURCES)
def test_array_of_literals(src):
    assert_fresh(check(expr_kernel(src, "")))


RUNTIME_LITERALS = [
    ("np.array([x, y, z])", (1, 2, 3)),
    ("np.array([x, y, z])", (1, 2.5, 3)),
    ("np.array([x, y, z])", (True, False, True)),
    ("np.array([x, y, z])", (1, 2j, 3.0)),
    ("np.array([x, y, z])", (np.int8(1), np.int16(2), np.int8(3))),
    ("np.array([x, y, z])", (np.int8(1), 2, 3)),
    ("np.array([x, y, z])", (np.float32(1.5), 2.5, np.float32(3))),
    ("np.array([x, y, z])", (np.uint64(1), np.int64(2), 3)),
    ("np.array([[x, y], [z, x]])", (1.5, -2.5, 3.0)),
    ("np.array((x, 1, y, 2.5, z))", (4, 5, 6)),
    ("np.array([x, y, z], dtype=np.float32)", (1, 2.5, 3)),
    ("np.array([x, y, z], dtype=np.int8)", (1.9, -2.9, 100)),
    ("np.asarray([x, y, z])", (0.25, 0.5, 0.75)),
]


@pytest.mark.parametrize("src, args", RUNTIME_LITERALS, ids=[f"{s}-{a!r}" for s, a in RUNTIME_LITERALS])
def test_array_of_runtime_scalars(src, args):
    check(expr_kernel(src, "x, y, z"), *args)


def test_array_literal_is_fresh_each_call():
    f = kernel(
        """
        def f(x):
            a = np.array([1.0, 2.0, 3.0])
            a[0] = x
            return a
        """
    )
    first = f(10.0)
    second = f(20.0)
    assert first[0] == 10.0 and second[0] == 20.0 and not np.shares_memory(first, second)


# --- copies ---------------------------------------------------------------------------------------------

COPY_SOURCES = [
    "np.array(a)",
    "np.copy(a)",
    "a.copy()",
    "np.asarray(a)",
    "np.ascontiguousarray(a)",
    "np.array(a, dtype=np.float32)",
    "np.asarray(a, dtype=np.int64)",
    "np.array(a, np.complex128)",
]


@pytest.mark.parametrize("src", COPY_SOURCES)
@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.int8, np.bool_, np.complex64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(6,), (3, 4), (2, 3, 2)], ids=str)
def test_copies(src, dtype, layout, shape):
    """Copies share no memory with the argument (writing into them leaves it
    alone); ``np.asarray`` of an array that needs no conversion, and
    ``np.ascontiguousarray`` of a C array, are the argument itself (a view
    in the sense of `check_view`)."""
    check_view(expr_kernel(src), make_array(dtype, shape, layout))


@pytest.mark.parametrize("src", ["np.asarray(a)", "np.asarray(a, dtype=np.float64)"])
def test_asarray_returns_the_argument(src):
    f = expr_kernel(src)
    a = np.arange(6.0).reshape(2, 3)
    assert f(a) is a


def test_copy_is_independent():
    f = kernel(
        """
        def f(a):
            b = a.copy()
            c = np.copy(a)
            d = np.array(a)
            b[0] = -1
            c[1] = -2
            d[2] = -3
            return a, b, c, d
        """
    )
    check(f, np.arange(4))


# --- astype ----------------------------------------------------------------------------------------------

ASTYPE_TARGETS = [
    "np.float64",
    "np.float32",
    "np.int64",
    "np.int32",
    "np.int8",
    "np.uint8",
    "np.uint64",
    "bool",
    "np.complex128",
    "np.complex64",
    "int",
    "float",
    '"i2"',
]


def in_range_values(dtype, shape, seed=5):
    """Values every target dtype can hold: 0..100, with fractions for floats
    and both parts for complex."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        v = rng.integers(0, 2, n).astype(bool)
    elif dtype.kind in "iu":
        v = rng.integers(0, 101, n)
    elif dtype.kind == "f":
        v = rng.uniform(0, 100, n).round(2)
    else:
        v = rng.uniform(0, 100, n).round(2) + 1j * rng.uniform(0, 100, n).round(2)
    return v.astype(dtype).reshape(shape)


@pytest.mark.parametrize("target", ASTYPE_TARGETS)
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=DTYPE_IDS)
def test_astype(target, dtype):
    """``astype`` always copies (also to the same dtype); complex → real
    drops the imaginary part (NumPy warns, compiled code does not)."""
    f = expr_kernel(f"a.astype({target})")
    check_view(f, in_range_values(dtype, (3, 4)))
    check_view(f, np.asfortranarray(in_range_values(dtype, (3, 4), seed=6)))
    check(f, in_range_values(dtype, (4, 6), seed=7)[::2, ::-3])


@pytest.mark.parametrize(
    "target, values",
    [
        ("np.int8", np.array([-300, 300, 127, 128, -129, 255, 256], dtype=np.int64)),
        ("np.uint8", np.array([-1, -255, 256, 1000, -1000], dtype=np.int16)),
        ("np.uint32", np.array([-1, 2**40 + 5], dtype=np.int64)),
        ("np.int64", np.array([2**63, 2**64 - 1], dtype=np.uint64)),
        ("bool", np.array([0.0, -0.0, 0.5, np.nan, np.inf, -1e-300])),
        ("bool", np.array([0j, 1j, -0.0 + 0j, np.nan + 0j])),
        ("np.float32", np.array([1e300, -1e300, 0.1, 1e-46, 3.4028235e38, np.nan])),
        ("np.float64", np.array([1.5 + 2j, -0.0 - 1j], dtype=np.complex128)),
        ("np.int32", np.array([1.9, -1.9, -0.5, 2147483647.0])),
        ("np.float32", np.array([2**53 + 1, -(2**24) - 1, 16777217], dtype=np.int64)),
        ("np.float64", np.array([2**64 - 1, 2**63 + 1], dtype=np.uint64)),
    ],
    ids=lambda v: v if isinstance(v, str) else str(v.dtype),
)
def test_astype_edge_values(target, values):
    """Wrap-around between integer widths, truthiness, float rounding and
    overflow to inf, complex → real, truncation toward zero."""
    check(expr_kernel(f"a.astype({target})"), values)
