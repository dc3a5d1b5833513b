"""NumPy functions that compiled code implements by calling the runtime's
array functions, compared with NumPy (differential tests: the compiled
function against the same Python function run by CPython, on copies of the
same arguments; results must agree in type, dtype, shape and value, and
array arguments must be changed in the same way).

- ``np.sort`` / ``a.sort()`` (along the last axis, 1-d to 3-d), NaNs last,
  complex numbers lexicographically; ``np.argsort`` / ``a.argsort()`` (1-d).
  Values are compared exactly. Sorting is checked without ``-0.0`` next to
  ``0.0``: they compare equal, so their order is unspecified in NumPy too.
- ``argsort`` and ties: compiled ``argsort`` is stable (equal elements
  keep their index order). NumPy's default ``kind='quicksort'`` is not
  stable and its tie order depends on the CPU (on AVX-512 machines it is
  x86-simd-sort's order, already for 5 int64 elements), so with ties the
  expectation is ``np.argsort(a, kind='stable')``, which is one of the
  orders NumPy's default may give; without ties the default is compared.
- ``np.nonzero`` / ``a.nonzero()`` / ``np.where(c)`` (tuples of index
  arrays), ``np.flatnonzero`` (C order whatever the layout), and
  ``np.where(c, x, y)`` with broadcasting, scalars and NEP 50 promotion.
- Boolean masks: ``a[m]`` (read in C order), ``a[m] = scalar``,
  ``a[m] = b[m]``, ``a[m] = values`` (cast to ``a``'s dtype, NumPy's error
  for a wrong count); masks whose shape differs from the array's must raise
  NumPy's ``IndexError`` (these run in a subprocess, since a wrong result
  there can be an out-of-bounds access). 1-d integer-array indexing
  ``a[idx]`` (rows of 2-d arrays too) and ``a[idx] = v`` (1-d), negative
  and repeated indices, index dtypes, NumPy's ``IndexError`` for an
  out-of-range index (also when the array is a temporary owned by the
  function: the allocation fixture checks the exception path frees it).
  Hypothesis drives masks and index arrays over random int arrays.
- ``np.cumsum`` / ``np.cumprod`` and methods, flattened and with ``axis=``,
  NumPy's result dtypes (``bool``/``int8``/``int32`` → ``int64``, unsigned →
  ``uint64``); float results bit for bit (NumPy accumulates sequentially).
- ``np.dot`` / ``@`` / ``np.matmul`` / ``a.dot`` for 1-d and 2-d operands,
  float32/float64/complex64/complex128 and mixed dtypes, C, F, strided,
  transposed and reversed operands, empty and odd sizes. With small
  integer-valued operands every product is exact, so results are compared
  bit for bit (except the sign of zero sums); with random operands each element must be within
  ``DOT_EPS`` machine epsilons of NumPy's relative to ``|a| @ |b|``
  (summation order differs from OpenBLAS). Shape mismatches raise
  ``ValueError``.
- ``np.concatenate``, ``np.stack``, ``np.vstack``, ``np.hstack`` (axes,
  negative axes, layouts, NumPy's messages for mismatched shapes),
  ``np.roll`` (flattened; shifts of any sign and size), ``np.tile`` (int and
  tuple reps, fewer and more reps than dimensions, zero reps).
- ``np.random``: seeded inside the compiled function, every draw must equal,
  bit for bit, NumPy's legacy generator seeded the same way (including the
  polar method's ``normal``/``randn`` and its cached second deviate), for
  ``random``/``rand``/``randn``/``standard_normal``/``uniform``/``normal``/
  ``randint``/``shuffle``/``permutation``/``choice`` (with and without
  replacement and ``p``), with NumPy's errors; and the compiled generator's
  state is separate from NumPy's global one (in both directions).
- Features NumPy has and compiled code does not (yet) must fail to
  compile with a clean ``TypingError``/``UnsupportedError``
  (``UNSUPPORTED``).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from array_helpers import FLOAT_SPECIALS, check_close, expr_kernel, kernel
from conftest import LAYOUTS, assert_precise_equal, check, jitted, make_array, pure, run_python
from oxjit.errors import TypingError, UnsupportedError


def dtype_id(d):
    return np.dtype(d).name


def pair_id(pair):
    return f"{dtype_id(pair[0])}-{dtype_id(pair[1])}"


@pytest.fixture(autouse=True)
def _keep_numpy_random_state():
    """The oracle of the ``np.random`` tests seeds NumPy's global generator:
    restore it so that other tests do not see a changed stream."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


# --- sort / argsort -----------------------------------------------------------------------------------

SORT_DTYPES = [np.int64, np.int32, np.int8, np.uint16, np.uint64, np.float64, np.float32, np.bool_, np.complex128]


def np_sort(a):
    return np.sort(a)


def sort_method(a):
    a.sort()


def np_argsort(a):
    return np.argsort(a)


def argsort_method(a):
    return a.argsort()


@pytest.mark.parametrize("layout", ["C", "A"])
@pytest.mark.parametrize("dtype", SORT_DTYPES, ids=dtype_id)
def test_sort_1d(dtype, layout):
    for size in [0, 1, 2, 5, 16, 17, 100, 1001]:
        a = make_array(dtype, (size,), layout, seed=size)
        check(jitted(np_sort), a)
        check(jitted(sort_method), a)


def float_specials_no_negzero(dtype, seed):
    """FLOAT_SPECIALS (without -0.0) and a few more NaNs/infs, shuffled."""
    vals = [v for v in FLOAT_SPECIALS if not (v == 0.0 and np.copysign(1.0, v) < 0)]
    vals += [np.nan, np.nan, np.inf, -np.inf, 1.0, -1.0]
    with np.errstate(over="ignore"):
        a = np.array(vals, dtype=np.float64).astype(dtype)
    return np.random.default_rng(seed).permutation(a)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=dtype_id)
def test_sort_nan_inf(dtype, seed):
    """NaNs sort last, infinities at the ends."""
    a = float_specials_no_negzero(dtype, seed)
    check(jitted(np_sort), a)
    check(jitted(sort_method), a)
    check(jitted(np_sort), np.full(5, np.nan, dtype=dtype))


def test_sort_complex_nan():
    """NumPy's complex order: lexicographic, with NaN parts last
    (R+Rj < R+nanj < nan+Rj < nan+nanj)."""
    nan = np.nan
    a = np.array(
        [complex(nan, 1), complex(1, nan), complex(nan, nan), 2 + 1j, 1 + 0j, complex(nan, 0), complex(0, nan), 1 - 1j]
    )
    check(jitted(np_sort), a)
    check(jitted(sort_method), a)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.int16, np.complex64], ids=dtype_id)
def test_sort_nd_last_axis(dtype, layout):
    for shape in [(5, 7), (1, 9), (9, 1), (0, 4), (4, 0), (3, 4, 5), (2, 0, 3)]:
        a = make_array(dtype, shape, layout, seed=len(shape))
        check(jitted(np_sort), a)
        check(jitted(sort_method), a)


def test_sort_of_view_in_place():
    """``a[::2].sort()`` sorts the strided elements of ``a`` in place;
    ``a[1].sort()`` one row."""
    f = kernel("def f(a):\n    a[::2].sort()\n")
    check(f, make_array(np.float64, (11,), "C"))
    f = kernel("def f(a):\n    a[1].sort()\n    a[:, 0].sort()\n")
    check(f, make_array(np.int32, (4, 5), "F"))


def distinct_values(dtype, size, seed):
    """``size`` distinct values of ``dtype`` in random order."""
    rng = np.random.default_rng(seed)
    kind = np.dtype(dtype).kind
    if kind in "iu":
        lo = 0 if kind == "u" else -(size // 2)
        return rng.permutation(np.arange(lo, lo + size)).astype(dtype)
    if kind == "f":
        return (rng.permutation(size) + rng.random(size) / 2).astype(dtype) - size // 3
    return (rng.permutation(size) + 1j * rng.standard_normal(size)).astype(dtype)


@pytest.mark.parametrize("layout", ["C", "A"])
@pytest.mark.parametrize(
    "dtype", [np.int64, np.int32, np.int8, np.uint16, np.float64, np.float32, np.complex128], ids=dtype_id
)
def test_argsort_distinct(dtype, layout):
    """Without ties argsort has one answer: NumPy's default must agree."""
    for size in [0, 1, 2, 5, 16, 17, 100, 120]:
        a = make_array(dtype, (size,), layout)
        a[...] = distinct_values(dtype, size, seed=size)
        check(jitted(np_argsort), a)
        check(jitted(argsort_method), a)


def test_argsort_distinct_with_nan_inf():
    a = np.array([3.0, np.nan, -np.inf, 0.5, np.inf, -2.0, 1e300])
    check(jitted(np_argsort), a)
    check(jitted(argsort_method), a)
    check(jitted(np_argsort), np.array([3.0, np.nan, -np.inf, 0.5, np.inf, -2.0, 1e30], dtype=np.float32))


def assert_stable_argsort(got, a):
    want = np.argsort(a, kind="stable")
    assert_precise_equal(got, want, _path=f"argsort({a.tolist()!r})")


@pytest.mark.parametrize("layout", ["C", "A"])
@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint32, np.float64, np.float32, np.bool_], ids=dtype_id)
def test_argsort_ties_are_stable(dtype, layout):
    """With ties: the stable order (see the module docstring)."""
    for size in [5, 16, 17, 100, 1000]:
        a = make_array(dtype, (size,), layout)
        a[...] = np.random.default_rng(size).integers(0, 4, size).astype(dtype)
        assert_stable_argsort(jitted(np_argsort)(a), a)
        assert_stable_argsort(jitted(argsort_method)(a), a)


def test_argsort_ties_nan():
    """Several NaNs and repeated values: NaNs last, in index order."""
    a = np.array([2.0, np.nan, 1.0, 2.0, np.nan, -np.inf, 1.0, np.inf, np.nan, 1.0])
    assert_stable_argsort(jitted(np_argsort)(a), a)
    assert_stable_argsort(jitted(np_argsort)(a.astype(np.float32)), a.astype(np.float32))


# --- nonzero / flatnonzero / where ----------------------------------------------------------------------

NONZERO_SOURCES = ["np.nonzero(a)", "a.nonzero()", "np.where(a)", "np.flatnonzero(a)"]
NONZERO_DTYPES = [np.bool_, np.uint32, np.float64, np.complex128]


def sparse_array(dtype, shape, layout, seed=0, density=0.5):
    """An array with about ``density`` of its elements non-zero; float
    arrays also hold NaN (non-zero) and -0.0 (zero)."""
    a = make_array(dtype, shape, layout, seed)
    rng = np.random.default_rng(seed + 1)
    a[rng.random(shape) >= density] = 0
    if np.dtype(dtype).kind == "f" and a.size >= 3:
        flat = [np.unravel_index(i, shape) for i in (0, a.size // 2, a.size - 1)]
        a[flat[0]], a[flat[1]] = np.nan, -0.0
    return a


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", NONZERO_DTYPES, ids=dtype_id)
@pytest.mark.parametrize("src", NONZERO_SOURCES)
def test_nonzero(src, dtype, layout):
    for shape in [(0,), (1,), (17,), (4, 5), (3, 0), (2, 3, 4)]:
        check(expr_kernel(src), sparse_array(dtype, shape, layout, seed=len(shape)))


@pytest.mark.parametrize("fill", [0, 1])
@pytest.mark.parametrize("src", NONZERO_SOURCES)
def test_nonzero_all_or_none(src, fill):
    check(expr_kernel(src), np.full((3, 4), fill, dtype=np.int32))
    check(expr_kernel(src), np.full(7, bool(fill)))


@pytest.mark.parametrize("src", ["np.nonzero(a > 0)", "np.flatnonzero(a.T > 0)", "np.where(a[::2, ::-1] < 0)"])
def test_nonzero_of_expressions(src):
    check(expr_kernel(src), make_array(np.float64, (6, 5), "C"))


WHERE_CASES = [
    # (condition shape, x shape or scalar, y shape or scalar)
    ((5,), (5,), (5,)),
    ((3, 1), (1, 4), (4,)),
    ((2, 3), None, (3,)),
    ((2, 3), (2, 3), None),
    ((4,), None, None),
    ((0,), (0,), (1,)),
    ((2, 1, 3), (4, 1), (1, 3)),
]


@pytest.mark.parametrize(
    "dtypes", [(np.float64, np.float64), (np.int32, np.float32), (np.bool_, np.complex64)], ids=pair_id
)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shapes", WHERE_CASES, ids=str)
def test_where_three_arguments(shapes, layout, dtypes):
    """Array or (run-time) scalar operands; int condition arrays count by
    truth; NumPy's result dtype."""
    cshape, xshape, yshape = shapes
    c = make_array(np.int8, cshape, layout, seed=1)
    c[...] = c % 2
    x = make_array(dtypes[0], xshape, layout, seed=2) if xshape else dtypes[0](3)
    y = make_array(dtypes[1], yshape, layout, seed=3) if yshape else dtypes[1](-7)
    check(expr_kernel("np.where(c, x, y)", "c, x, y"), c, x, y)
    if dtypes[0] is np.float64:
        check(expr_kernel("np.where(c > 0, x, y)", "c, x, y"), c, x, y)


@pytest.mark.parametrize(
    "src",
    ["np.where(c, x, 0)", "np.where(c, 0.5, x)", "np.where(c, 1, 2)", "np.where(c, x, -x)", "np.where(c, x, 2.5j)"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.int16, np.float64], ids=dtype_id)
def test_where_python_scalars(src, dtype):
    """Python scalars are weak (NEP 50): ``np.where(c, f32, 0.5)`` is float32."""
    c = make_array(np.bool_, (3, 4), "C")
    check(expr_kernel(src, "c, x"), c, make_array(dtype, (3, 4), "F"))


def test_where_broadcast_error():
    check(expr_kernel("np.where(c, x, y)", "c, x, y"), np.ones(3, bool), np.ones(4), np.ones(3))


# --- boolean masks ------------------------------------------------------------------------------------------

MASK_DTYPES = [np.int64, np.float32, np.bool_, np.complex128]
MASK_SHAPES = [(0,), (1,), (13,), (4, 5), (3, 0), (2, 3, 4)]


def random_mask(shape, layout="C", seed=0):
    m = make_array(np.bool_, shape, layout)
    m[...] = np.random.default_rng(seed).random(shape) < 0.5
    return m


def mask_read(a, m):
    return a[m]


def mask_read_positive(a):
    return a[a > 0]


def mask_write_scalar(a, m):
    a[m] = 0


def mask_write_positive(a):
    a[a > 0] = 0


def mask_write_from(a, b, m):
    a[m] = b[m]


def mask_write_values(a, m, v):
    a[m] = v


def mask_negate_negatives(a):
    a[a < 0] = -a[a < 0]
    return a


@pytest.mark.parametrize("shape", MASK_SHAPES, ids=str)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", MASK_DTYPES, ids=dtype_id)
def test_mask_read_write(dtype, layout, shape):
    """Reads in C order whatever the layout; writes of a scalar, of
    ``b[m]`` and of a values array of the right length."""
    a = make_array(dtype, shape, layout, seed=1)
    m = random_mask(shape, layout, seed=len(shape))
    check(jitted(mask_read), a, m)
    check(jitted(mask_write_scalar), a, m)
    b = make_array(dtype, shape, "C", seed=2)
    check(jitted(mask_write_from), a, b, m)
    v = make_array(dtype, (int(m.sum()),), "A", seed=3)
    check(jitted(mask_write_values), a, m, v)


@pytest.mark.parametrize("layouts", [("C", "F"), ("F", "A"), ("A", "C")])
def test_mask_layout_differs_from_array(layouts):
    a = make_array(np.float64, (5, 6), layouts[0])
    m = random_mask((5, 6), layouts[1], seed=4)
    check(jitted(mask_read), a, m)
    check(jitted(mask_write_scalar), a, m)
    check(jitted(mask_write_from), a, make_array(np.float64, (5, 6), layouts[1], seed=5), m)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.int8, np.float64], ids=dtype_id)
def test_mask_from_comparison(dtype, layout):
    for shape in [(0,), (17,), (4, 5), (2, 3, 4)]:
        a = make_array(dtype, shape, layout)
        check(jitted(mask_read_positive), a)
        check(jitted(mask_write_positive), a)
        check(jitted(mask_negate_negatives), a)


def test_mask_write_casts_values():
    """Values are cast to the array's dtype as NumPy's setitem does (float →
    int truncates toward zero)."""
    a = np.arange(-4, 4)
    m = a % 3 == 0
    check(jitted(mask_write_values), a, m, np.array([2.7, -3.9, 0.5]))
    check(jitted(mask_write_values), a.astype(np.float32), m, np.array([1, 2, 3], dtype=np.int64))
    check(jitted(mask_write_values), a.astype(np.float64), m, np.array([True, False, True]))
    check(jitted(mask_write_scalar), a.astype(np.uint8), m)
    check(kernel("def f(a, m):\n    a[m] = 2.9\n"), a, m)


@pytest.mark.parametrize("count", [0, 2, 4])
def test_mask_write_wrong_count(count):
    """NumPy's ValueError for a values array of the wrong length."""
    a = np.arange(6.0)
    m = np.array([True, False, True, False, False, True])
    check(jitted(mask_write_values), a, m, np.arange(float(count)))


MASK_MISMATCH_SCRIPT = """
import os
import numpy as np
from oxjit import njit


@njit
def read(a, m):
    return a[m]


@njit
def write_scalar(a, m):
    a[m] = 1


@njit
def write_values(a, m, v):
    a[m] = v


CASES = {
    "read-short": (read, np.arange(4), np.array([True, False, True])),
    "read-long": (read, np.arange(4), np.array([True, False, True, True, True])),
    "read-2d": (read, np.arange(6).reshape(2, 3), np.array([[True, True], [False, True]])),
    "write-scalar-short": (write_scalar, np.arange(4), np.array([True, False, True])),
    "write-scalar-one": (write_scalar, np.arange(4), np.array([True])),
    "write-scalar-2d": (write_scalar, np.zeros((2, 3)), np.array([[True, False, True]])),
    "write-values-short": (write_values, np.arange(4), np.array([True, False, True]), np.array([5, 6])),
}
f, *args = CASES[os.environ["CASE"]]
for want in (f.py_func, f):
    try:
        print("returned", repr(want(*[x.copy() for x in args])), flush=True)
    except Exception as e:
        print(f"{type(e).__name__}: {e}", flush=True)
"""


@pytest.mark.parametrize(
    "case",
    [
        "read-short",
        "read-long",
        "read-2d",
        "write-scalar-short",
        "write-scalar-one",
        "write-scalar-2d",
        "write-values-short",
    ],
)
def test_mask_shape_mismatch(case, tmp_path):
    """A mask whose shape differs from the array's raises NumPy's
    IndexError (run in a subprocess: without the check the runtime reads
    or writes out of bounds, or aborts)."""
    script = tmp_path / "mask_mismatch.py"
    script.write_text(MASK_MISMATCH_SCRIPT)
    proc = run_python(script, {"CASE": case}, timeout=120)
    lines = proc.stdout.splitlines()
    assert lines and lines[0].startswith("IndexError: boolean index did not match"), proc.stdout
    assert proc.returncode == 0, f"compiled code crashed (exit status {proc.returncode}):\n{proc.stderr[-2000:]}"
    assert len(lines) == 2 and lines[1] == lines[0], f"NumPy: {lines[0]!r}, compiled: {lines[1:]!r}"


# --- integer-array (fancy) indexing --------------------------------------------------------------------------

INDEX_DTYPES = [np.int64, np.int32, np.int16, np.uint8, np.uint64]


def take(a, i):
    return a[i]


def take_assign_scalar(a, i):
    a[i] = 7


def take_assign(a, i, v):
    a[i] = v


def take_from_temporary(a, i):
    b = a * 2.0
    return b[i] + 1.0


def take_assign_temporary(a, i):
    b = a * 2.0
    b[i] = -1.0
    return b.sum(), b


INDEX_LISTS = [[0, -1, 2, 2], [], [9], [-10], [3, 3, 3], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [-1, -2, 0, 1]]
BAD_INDEX_LISTS = [[10], [-11], [0, 1, 10**6], [2, -100, 3], [2**40]]


def index_array(values, dtype, layout):
    if np.dtype(dtype).kind == "u":
        values = [v for v in values if v >= 0]
    idx = make_array(dtype, (len(values),), layout)
    idx[...] = np.array(values, dtype=np.int64).astype(dtype)
    return idx


@pytest.mark.parametrize("idx", INDEX_LISTS, ids=str)
@pytest.mark.parametrize("layout", ["C", "A"])
@pytest.mark.parametrize("index_dtype", INDEX_DTYPES, ids=dtype_id)
def test_take_1d(index_dtype, layout, idx):
    a = make_array(np.float64, (10,), layout)
    i = index_array(idx, index_dtype, layout)
    check(jitted(take), a, i)
    check(jitted(take_assign_scalar), a, i)
    check(jitted(take_assign), a, i, make_array(np.float64, (len(i),), "A", seed=4))


@pytest.mark.parametrize("idx", INDEX_LISTS[:4], ids=str)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.bool_, np.complex64], ids=dtype_id)
def test_take_rows(dtype, layout, idx):
    """``a[idx]`` of a 2-d/3-d array gathers rows."""
    check(jitted(take), make_array(dtype, (10, 3), layout), np.array(idx, dtype=np.int64))
    check(jitted(take), make_array(dtype, (10, 2, 3), layout), np.array(idx, dtype=np.int32))


@pytest.mark.parametrize("idx", BAD_INDEX_LISTS, ids=str)
def test_take_out_of_range(idx):
    """NumPy's IndexError; no allocation leaks on the way out (temporaries)."""
    a = make_array(np.float64, (10,), "C")
    for index_dtype in (np.int64, np.int32):
        if np.iinfo(index_dtype).max < max(idx):
            continue
        i = np.array(idx, dtype=index_dtype)
        check(jitted(take), a, i)
        check(jitted(take), make_array(np.int16, (10, 3), "F"), i)
        check(jitted(take_assign_scalar), a, i)
        check(jitted(take_assign), a, i, np.ones(len(i)))
        check(jitted(take_from_temporary), a, i)
        check(jitted(take_assign_temporary), a, i)


def test_take_temporary_ok():
    a = make_array(np.float64, (10,), "A")
    i = np.array([0, -1, 4])
    check(jitted(take_from_temporary), a, i)
    check(jitted(take_assign_temporary), a, i)


def test_take_assign_casts_and_errors():
    a = np.arange(10)
    i = np.array([1, -1, 1])
    check(jitted(take_assign), a, i, np.array([2.5, -3.5, 9.9]))  # truncated; the last write wins
    check(jitted(take_assign), a, i, np.array([1, 2]))  # NumPy's shape mismatch ValueError
    check(jitted(take_assign), a, np.array([1, 20]), np.array([1, 2, 3]))  # the value's shape is checked first


def test_take_expressions():
    """Index arrays computed in the function: argsort, nonzero, arange."""
    a = make_array(np.float64, (12,), "A")
    check(expr_kernel("a[np.argsort(a)]"), a)
    check(expr_kernel("a[np.nonzero(a > 0)[0]]"), a)
    check(expr_kernel("a[np.flatnonzero(a < 0)[::-1]]"), a)
    check(kernel("def f(a):\n    a[np.argsort(a)[:3]] = 0.0\n    return a\n"), a)


HYPOTHESIS_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

small_int_lists = st.lists(st.integers(-50, 50), max_size=25)


@HYPOTHESIS_SETTINGS
@given(small_int_lists, st.data())
def test_masks_property(values, data):
    a = np.array(values, dtype=np.int64)
    m = np.array(data.draw(st.lists(st.booleans(), min_size=len(a), max_size=len(a))), dtype=bool)
    check(jitted(mask_read), a, m)
    check(jitted(mask_write_scalar), a, m)
    n = int(m.sum()) + data.draw(st.sampled_from([0, 0, 0, 1, -1]))
    check(jitted(mask_write_values), a, m, np.arange(max(n, 0), dtype=np.int64) * 3)
    check(jitted(mask_read_positive), a)


@HYPOTHESIS_SETTINGS
@given(small_int_lists, st.data())
def test_fancy_index_property(values, data):
    a = np.array(values, dtype=np.int64)
    n = len(a)
    idx = np.array(data.draw(st.lists(st.integers(-n - 2, n + 1), max_size=12)), dtype=np.int64)
    check(jitted(take), a, idx)
    check(jitted(take_assign_scalar), a, idx)
    check(jitted(take_assign), a, idx, np.arange(len(idx), dtype=np.int64) - 5)


# --- cumsum / cumprod ---------------------------------------------------------------------------------------

SCAN_DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint32, np.float32, np.float64, np.complex128]


def scan_input(dtype, shape, layout, src, seed=0):
    """Varied values; for float products, values near 1 (no overflow)."""
    a = make_array(dtype, shape, layout, seed)
    if "prod" in src and np.dtype(dtype).kind in "fc":
        a[...] = 1 + a / 1000
    return a


def scan_check(src, a):
    if "prod" in src and a.dtype.kind == "c":
        # NumPy's complex multiply loops use FMA: compare within epsilons.
        return check_close(expr_kernel(src), a, rel=16)
    return check(expr_kernel(src), a)


SCAN_SHAPES = [(0,), (1,), (17,), (300,), (4, 5), (2, 3, 4), (3, 0)]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", SCAN_DTYPES, ids=dtype_id)
@pytest.mark.parametrize("src", ["np.cumsum(a)", "np.cumprod(a)"])
def test_scan_flat(src, dtype, layout):
    """Of the flattened array (C order), in NumPy's result dtype."""
    for shape in SCAN_SHAPES:
        scan_check(src, scan_input(dtype, shape, layout, src, seed=len(shape)))


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.bool_], ids=dtype_id)
@pytest.mark.parametrize("src", ["a.cumsum()", "a.cumprod()", "np.cumsum(a, axis=None)", "a.cumprod(None)"])
def test_scan_flat_forms(src, dtype):
    for layout in LAYOUTS:
        for shape in SCAN_SHAPES:
            scan_check(src, scan_input(dtype, shape, layout, src, seed=len(shape)))


def axis_scans(axes, methods=True):
    out = []
    for ax in axes:
        out += [f"np.cumsum(a, axis={ax})", f"np.cumprod(a, {ax})"]
        if methods:
            out += [f"a.cumsum({ax})", f"a.cumprod(axis={ax})"]
    return out


@pytest.mark.parametrize(
    "dtype, src",
    [(d, s) for d in SCAN_DTYPES if d not in (np.int32, np.uint32) for s in axis_scans([0, 1, -1, -2], methods=False)]
    + [(d, s) for d in (np.int8, np.float64) for s in axis_scans([0, -1])[2::4] + axis_scans([1, -2])[3::4]],
    ids=lambda x: x if isinstance(x, str) else dtype_id(x),
)
def test_scan_axis_2d(src, dtype):
    for layout in LAYOUTS:
        scan_check(src, scan_input(dtype, (7, 9), layout, src))
        scan_check(src, scan_input(dtype, (0, 3), layout, src))


@pytest.mark.parametrize("dtype", [np.int16, np.float32], ids=dtype_id)
@pytest.mark.parametrize("src", axis_scans([0, 1, 2, -1], methods=False) + ["a.cumsum(1)", "a.cumprod(axis=-2)"])
def test_scan_axis_3d(src, dtype):
    for layout in LAYOUTS:
        scan_check(src, scan_input(dtype, (3, 4, 5), layout, src))


@pytest.mark.parametrize("src", axis_scans([0, -1]))
def test_scan_axis_1d(src):
    scan_check(src, scan_input(np.int32, (11,), "A", src))


def test_scan_overflow_and_specials():
    """Integers wrap as in NumPy; NaN and inf propagate."""
    check(expr_kernel("np.cumprod(a)"), np.full(70, 3, dtype=np.int64))
    check(expr_kernel("np.cumsum(a)"), np.full(10, 2**62, dtype=np.int64))
    check(expr_kernel("np.cumprod(a)"), np.full(70, 7, dtype=np.uint8))
    check(expr_kernel("np.cumsum(a)"), np.array([1.0, np.inf, -np.inf, 2.0, np.nan, 1.0]))
    check(expr_kernel("np.cumprod(a)"), np.array([1e200, 1e200, 0.0, -1.0], dtype=np.float64))


def test_scan_of_expressions():
    a = make_array(np.float64, (6, 5), "F")
    check(expr_kernel("np.cumsum(a[::2, ::-1] * 2.0, axis=1)"), a)
    check(expr_kernel("(a > 0).cumsum()"), a)
    check(expr_kernel("np.cumsum(a.T, 0)[-1]"), a)


# --- dot / @ / matmul --------------------------------------------------------------------------------------

# Random operands: each result element within DOT_EPS epsilons (of the
# result dtype) of NumPy's, relative to the same element of |a| @ |b| (the
# function applied to |a| and |b|, for kernels that take views first).
# Summation order differs from OpenBLAS; observed differences are below 3.
DOT_EPS = 8

DOT_SOURCES = ["np.dot(a, b)", "a @ b", "np.matmul(a, b)", "a.dot(b)"]

DOT_SHAPES = [
    ((5,), (5,)),
    ((0,), (0,)),
    ((1,), (1,)),
    ((37,), (37,)),
    ((1001,), (1001,)),
    ((37, 53), (53,)),
    ((0, 4), (4,)),
    ((4, 0), (0,)),
    ((1, 1), (1,)),
    ((53,), (53, 37)),
    ((3,), (3, 0)),
    ((0,), (0, 5)),
    ((37, 53), (53, 29)),
    ((0, 3), (3, 4)),
    ((3, 0), (0, 4)),
    ((1, 1), (1, 1)),
    ((1, 37), (37, 1)),
    ((37, 1), (1, 53)),
    ((150, 300), (300, 90)),
]


def operand(dtype, shape, layout, seed, exact):
    """An operand of the given layout: C, F, A (strided), T (transpose of
    a C array: F order), R (reversed along every axis: negative strides).
    ``exact``: small integers, so that every product and sum is exact."""
    rng = np.random.default_rng(seed)
    if exact:
        vals = rng.integers(-3, 4, shape) + (1j * rng.integers(-3, 4, shape) if np.dtype(dtype).kind == "c" else 0)
    else:
        vals = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if np.dtype(dtype).kind == "c" else 0)
    vals = vals.astype(dtype)
    if layout == "T":
        return np.ascontiguousarray(vals.T).T
    if layout == "R":
        big = np.empty(shape, dtype)
        big[...] = vals[tuple(slice(None, None, -1) for _ in shape)]
        return big[tuple(slice(None, None, -1) for _ in shape)]
    out = make_array(dtype, shape, layout)
    out[...] = vals
    return out


def check_dot(cfunc, a, b, exact):
    """Result type, dtype and shape as NumPy's; values bit for bit when
    ``exact``, else within DOT_EPS (see above)."""
    want = pure(cfunc)(a, b)
    got = cfunc(a, b)
    if exact:
        # The sign of an exact zero sum depends on the order of operations
        # (OpenBLAS's complex kernels give -0.0 where we give 0.0): adding
        # 0.0 turns -0.0 into 0.0 and keeps the type and dtype.
        assert type(got) is type(want), f"got {type(got).__name__}, want {type(want).__name__}"
        assert_precise_equal(got + 0.0, want + 0.0)
        return
    assert type(got) is type(want), f"got {type(got).__name__}, want {type(want).__name__}"
    g, w = np.asarray(got), np.asarray(want)
    assert g.dtype == w.dtype and g.shape == w.shape, f"got {g.dtype}{g.shape}, want {w.dtype}{w.shape}"
    # The same function of |a| and |b| (for views and products: |a| @ |b|).
    magnitude = pure(cfunc)(np.abs(a).astype(np.float64), np.abs(b).astype(np.float64))
    bound = DOT_EPS * np.finfo(w.dtype).eps * np.asarray(magnitude)
    err = np.abs(g.astype(np.complex128) - w)
    if not (err <= bound).all():
        worst = np.max(err / np.maximum(bound, 1e-300)) * DOT_EPS
        raise AssertionError(f"max error {worst:.2f} eps relative to |a| @ |b| (allowed {DOT_EPS})")


DOT_LAYOUTS = [("C", "C"), ("F", "A"), ("A", "F"), ("T", "T"), ("R", "A"), ("C", "R")]


@pytest.mark.parametrize("shapes", DOT_SHAPES, ids=lambda s: f"{s[0]}x{s[1]}".replace(" ", ""))
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.complex64], ids=dtype_id)
def test_dot(dtype, shapes):
    """Every layout pair of DOT_LAYOUTS, exact and random operands."""
    for layouts in DOT_LAYOUTS:
        for exact in (True, False):
            a = operand(dtype, shapes[0], layouts[0], 1, exact)
            b = operand(dtype, shapes[1], layouts[1], 2, exact)
            check_dot(expr_kernel("np.dot(a, b)", "a, b"), a, b, exact)
            check_dot(expr_kernel("a @ b", "a, b"), a, b, exact)


DOT_ZERO_COLUMNS_SCRIPT = """
import os
import numpy as np
from oxjit import njit


@njit
def product(a, b):
    return a @ b


a, b = (np.ones(s) for s in eval(os.environ["SHAPES"]))
for f in (product.py_func, product):
    try:
        r = f(a, b)
        print("returned", r.dtype, r.shape, flush=True)
    except Exception as e:
        print(f"{type(e).__name__}: {e}", flush=True)
"""


@pytest.mark.parametrize("shapes", [((3, 4), (4, 0)), ((0, 4), (4, 0)), ((0, 0), (0, 0)), ((1, 3), (3, 0))], ids=str)
def test_dot_2d_zero_columns(shapes, tmp_path):
    """Matrix products with no result columns are empty arrays (run in a
    subprocess: the runtime has aborted the process on them)."""
    script = tmp_path / "dot_zero_columns.py"
    script.write_text(DOT_ZERO_COLUMNS_SCRIPT)
    proc = run_python(script, {"SHAPES": repr(shapes)}, timeout=120)
    assert proc.returncode == 0, f"compiled code crashed (exit status {proc.returncode}):\n{proc.stderr[-2000:]}"
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 and lines[1] == lines[0], proc.stdout


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128], ids=dtype_id)
def test_dot_threaded(dtype):
    """A product large enough to be split across threads."""
    for layouts in [("C", "C"), ("T", "R")]:
        for exact in (True, False):
            a = operand(dtype, (300, 260), layouts[0], 1, exact)
            b = operand(dtype, (260, 97), layouts[1], 2, exact)
            check_dot(expr_kernel("a @ b", "a, b"), a, b, exact)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128], ids=dtype_id)
@pytest.mark.parametrize("src", ["a @ b", "b @ a.T", "a[:, ::2] @ b[::2]"])
def test_matvec_row_blocks_and_threads(dtype, src):
    """Matrix-vector products in blocks of four rows (a remainder of three
    rows, a length that is no multiple of the vector width), large enough
    to be split across threads."""
    a = operand(dtype, (1027, 1030), "C", 7, True)
    b = operand(dtype, (1030,), "C", 8, True)
    check_dot(expr_kernel(src, "a, b"), a, b, exact=True)


@pytest.mark.parametrize("src", DOT_SOURCES)
@pytest.mark.parametrize("shapes", [((5,), (5,)), ((37, 53), (53,)), ((53,), (53, 37)), ((37, 53), (53, 29))], ids=str)
@pytest.mark.parametrize(
    "dtypes",
    [(np.float32, np.float64), (np.float64, np.complex128), (np.complex64, np.float32), (np.float32, np.float32)],
    ids=pair_id,
)
def test_dot_sources_and_mixed_dtypes(dtypes, shapes, src):
    a = operand(dtypes[0], shapes[0], "F", 3, True)
    b = operand(dtypes[1], shapes[1], "A", 4, True)
    check_dot(expr_kernel(src, "a, b"), a, b, exact=True)


@pytest.mark.parametrize(
    "src, shapes",
    [
        ("a.T @ b", ((53, 37), (53, 29))),
        ("np.dot(a[::2, 1:], b[::-1])", ((74, 54), (53, 29))),
        ("a[3] @ b.T", ((5, 53), (29, 53))),
        ("np.dot(a[:, 2], b[::3, ::2])", ((31, 5), (93, 20))),
        ("a[::-1, ::-1] @ b[:, 1]", ((9, 7), (7, 3))),
        ("np.dot(a * 2.0, b + 1.0)", ((6, 7), (7, 8))),
        ("(a @ b) @ b.T", ((6, 7), (7, 8))),
    ],
)
def test_dot_of_views(src, shapes):
    """Operands that are views or expressions inside the function."""
    for exact in (True, False):
        a = operand(np.float64, shapes[0], "C", 5, exact)
        b = operand(np.float64, shapes[1], "C", 6, exact)
        check_dot(expr_kernel(src, "a, b"), a, b, exact)


@pytest.mark.parametrize(
    "shapes", [((2, 3), (2, 3)), ((3,), (4,)), ((2, 3), (2,)), ((3,), (2, 3)), ((0, 1), (0,))], ids=str
)
def test_dot_shape_mismatch(shapes):
    """np.dot: NumPy's ValueError and message ("shapes ... not aligned")."""
    a, b = np.ones(shapes[0]), np.ones(shapes[1])
    check(expr_kernel("np.dot(a, b)", "a, b"), a, b)
    check(expr_kernel("a.dot(b)", "a, b"), a, b)


@pytest.mark.parametrize("src", ["a @ b", "np.matmul(a, b)"])
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((3,), (4,)), ((2, 3), (2,)), ((3,), (2, 3))], ids=str)
def test_matmul_shape_mismatch(shapes, src):
    a, b = np.ones(shapes[0]), np.ones(shapes[1])
    with pytest.raises(ValueError):
        expr_kernel(src, "a, b")(a, b)


@pytest.mark.parametrize("src", ["a @ b", "np.matmul(a, b)"])
def test_matmul_shape_mismatch_message(src):
    """@/matmul raise NumPy's gufunc message, not np.dot's."""
    check(expr_kernel(src, "a, b"), np.ones((2, 3)), np.ones((2, 3)))


# --- concatenate / stack / vstack / hstack -----------------------------------------------------------------------

JOIN_DTYPES = [np.float64, np.bool_, np.complex64]

JOIN_CASES = [
    # (source, shape of a, shape of b)
    ("np.concatenate((a, b))", (3,), (5,)),
    ("np.concatenate([a, b])", (3,), (5,)),
    ("np.stack([a, b, a])", (2, 3), (2, 3)),
    ("np.concatenate((a, b))", (3,), (0,)),
    ("np.concatenate((a, b, a))", (2, 3), (4, 3)),
    ("np.concatenate((a, b), axis=1)", (2, 3), (2, 1)),
    ("np.concatenate((a, b), axis=-1)", (2, 3), (2, 4)),
    ("np.concatenate((a, b), axis=-2)", (2, 3), (1, 3)),
    ("np.concatenate((a, b), 2)", (2, 3, 1), (2, 3, 2)),
    ("np.concatenate((a,), axis=0)", (2, 3), (2, 3)),
    ("np.concatenate((b, a), axis=0)", (0, 3), (2, 3)),
    ("np.stack((a, b))", (3,), (3,)),
    ("np.stack((a, b), axis=1)", (3,), (3,)),
    ("np.stack((a, b, a), axis=-1)", (2, 3), (2, 3)),
    ("np.stack((a, b), axis=2)", (2, 3), (2, 3)),
    ("np.stack((a, b), -3)", (2, 3), (2, 3)),
    ("np.stack((a,))", (0,), (0,)),
    ("np.vstack((a, b))", (3,), (3,)),
    ("np.vstack((a, b))", (2, 3), (1, 3)),
    ("np.vstack((a, b, a))", (2, 3, 2), (1, 3, 2)),
    ("np.vstack((a,))", (4,), (4,)),
    ("np.hstack((a, b))", (3,), (2,)),
    ("np.hstack((a, b))", (2, 3), (2, 1)),
    ("np.hstack((a, b, b))", (2, 0, 2), (2, 3, 2)),
]


JOIN_IDS = [f"{c[0]}-{c[1]}-{c[2]}".replace(" ", "") for c in JOIN_CASES]


@pytest.mark.parametrize("dtype", JOIN_DTYPES, ids=dtype_id)
@pytest.mark.parametrize("src, ashape, bshape", JOIN_CASES, ids=JOIN_IDS)
def test_join(src, ashape, bshape, dtype):
    for layouts in [("C", "A"), ("F", "C")]:
        a = make_array(dtype, ashape, layouts[0], seed=1)
        b = make_array(dtype, bshape, layouts[1], seed=2)
        check(expr_kernel(src, "a, b"), a, b)


@pytest.mark.parametrize(
    "src, ashape, bshape",
    [
        ("np.concatenate((a, b))", (2, 3), (2, 2)),
        ("np.concatenate((a, b), axis=1)", (2, 3), (3, 3)),
        ("np.concatenate((a, b, a), axis=-1)", (2, 3, 4), (2, 3, 5)),
        ("np.stack((a, b))", (3,), (4,)),
        ("np.stack((a, b), axis=1)", (2, 3), (3, 2)),
        ("np.vstack((a, b))", (2, 3), (2, 2)),
        ("np.hstack((a, b))", (2, 3), (3, 3)),
    ],
)
def test_join_shape_mismatch(src, ashape, bshape):
    """NumPy's ValueError and message."""
    check(expr_kernel(src, "a, b"), np.ones(ashape), np.zeros(bshape))


@pytest.mark.parametrize(
    "src", ["np.concatenate((a, b), axis=2)", "np.concatenate((a, b), axis=-3)", "np.stack((a, b), axis=3)"]
)
def test_join_axis_out_of_range(src):
    """NumPy raises AxisError (a ValueError and IndexError subclass)."""
    check(expr_kernel(src, "a, b"), np.ones((2, 2)), np.ones((2, 2)))


def test_join_of_expressions():
    a = make_array(np.float64, (4, 3), "A")
    check(expr_kernel("np.concatenate((a[::2], a.T.T, a * 2.0), axis=0)"), a)
    check(expr_kernel("np.stack((a[:, 0], a[:, 1]), axis=1)"), a)
    check(expr_kernel("np.hstack((a[0], a[-1, ::-1]))"), a)


# --- roll / tile -----------------------------------------------------------------------------------------------

ROLL_SHIFTS = [0, 1, -1, 3, -7, 10, 13, -13, 10**9, -(10**9) - 3, 2**62, -(2**63)]


@pytest.mark.parametrize("shape", [(10,), (3, 4), (2, 3, 2), (0,), (1,)], ids=str)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_roll(layout, shape):
    """Of the flattened array (C order), reshaped back."""
    a = make_array(np.float64, shape, layout)
    for shift in ROLL_SHIFTS:
        check(expr_kernel("np.roll(a, k)", "a, k"), a, shift)


@pytest.mark.parametrize("dtype", [np.int16, np.bool_, np.complex128, np.uint64], ids=dtype_id)
def test_roll_dtypes(dtype):
    check(expr_kernel("np.roll(a, -3)"), make_array(dtype, (4, 5), "F"))
    check(expr_kernel("np.roll(a[::-1], 2)"), make_array(dtype, (7,), "C"))


TILE_SOURCES = [
    "np.tile(a, 3)",
    "np.tile(a, 0)",
    "np.tile(a, 1)",
    "np.tile(a, (2,))",
    "np.tile(a, (2, 3))",
    "np.tile(a, (1, 0))",
    "np.tile(a, (2, 1, 3))",
    "np.tile(a, (0, 2, 1))",
    "np.tile(a, (3, 1, 1, 2))",
    "np.tile(a, r)",
    "np.tile(a, (r, 2))",
    "np.tile(a.T, 2)",
    "np.tile(a[::-1], (2, 2))",
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("src", TILE_SOURCES)
def test_tile(src, layout):
    for shape in [(3,), (2, 3), (2, 1, 2), (0,)]:
        a = make_array(np.int32, shape, layout)
        for r in (2, 0):
            check(expr_kernel(src, "a, r"), a, r)


@pytest.mark.parametrize("dtype", [np.float64, np.bool_, np.complex64, np.uint8], ids=dtype_id)
def test_tile_dtypes(dtype):
    check(expr_kernel("np.tile(a, (2, 2))"), make_array(dtype, (2, 3), "A"))


def test_tile_negative_reps():
    check(expr_kernel("np.tile(a, r)", "a, r"), np.arange(3), -1)
    check(expr_kernel("np.tile(a, (2, r))", "a, r"), np.arange(3), -2)


# --- np.random --------------------------------------------------------------------------------------------------

SEEDS = [0, 12345, 2**32 - 1]

RANDOM_SOURCES = [
    "np.random.random()",
    "np.random.random(5)",
    "np.random.random((2, 3))",
    "np.random.random(size=4)",
    "np.random.random(None)",
    "np.random.random_sample(4)",
    "np.random.sample((3,))",
    "np.random.ranf(2)",
    "np.random.random(0)",
    "np.random.rand()",
    "np.random.rand(4)",
    "np.random.rand(2, 3)",
    "np.random.randn()",
    "np.random.randn(5)",
    "np.random.randn(2, 3)",
    "np.random.standard_normal()",
    "np.random.standard_normal(7)",
    "np.random.standard_normal((3, 2))",
    "np.random.standard_normal(size=(3, 2))",
    "np.random.uniform()",
    "np.random.uniform(-2.0, 3.0)",
    "np.random.uniform(1, 5, 6)",
    "np.random.uniform(2.0, -1.0, (2, 2))",
    "np.random.uniform(low=0.5, high=0.75, size=3)",
    "np.random.uniform(0.0, np.inf, 2)",
    "np.random.normal()",
    "np.random.normal(3, 0.5)",
    "np.random.normal(1.5, 2.0, (2, 2))",
    "np.random.normal(loc=-1.0, scale=3.0, size=5)",
    "np.random.normal(0.0, 0.0, 3)",
    "np.random.normal(0.0, -1.0, 3)",
    "np.random.randint(7)",
    "np.random.randint(3, 9)",
    "np.random.randint(-5, 10, 6)",
    "np.random.randint(10, size=5)",
    "np.random.randint(0, 1, 3)",
    "np.random.randint(0, 2**32, 3)",
    "np.random.randint(0, 2**40, 4)",
    "np.random.randint(-2**62, 2**62, (2, 2))",
    "np.random.randint(5, 5)",
    "np.random.randint(5, 5, 0)",
    "np.random.randint(5, 3, 2)",
    "np.random.permutation(10)",
    "np.random.permutation(1)",
    "np.random.permutation(0)",
    "np.random.choice(5)",
    "np.random.choice(10, 4)",
    "np.random.choice(10, (2, 3), False)",
    "np.random.choice(10, 10, replace=False)",
    "np.random.choice(10, 3, replace=True)",
    "np.random.choice(5, 0)",
    "np.random.choice(5, 6, replace=False)",
    "np.random.choice(0, 3)",
    "np.random.choice(-2, 3)",
    # several draws: the polar method's cached deviate is shared by randn,
    # standard_normal and normal, and other draws do not reset it
    "(np.random.randn(), np.random.random(), np.random.randn(), np.random.randn(3), np.random.normal(1.0, 2.0))",
    "(np.random.standard_normal(3), np.random.randint(100), np.random.randn(), np.random.uniform())",
    "(np.random.random(3), np.random.permutation(5), np.random.choice(7, 2, False), np.random.randint(-3, 3, 4))",
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("src", RANDOM_SOURCES)
def test_random_streams(src, seed):
    """Bit for bit NumPy's legacy streams for the same seed."""
    f = kernel(f"def f(s):\n    np.random.seed(s)\n    return {src}\n")
    check(f, seed)


def test_random_seed_resets_cached_normal():
    f = kernel(
        """
        def f(s):
            np.random.seed(s)
            first = np.random.randn()
            np.random.seed(s)
            return first, np.random.randn(), np.random.randn()
        """
    )
    check(f, 7)


@pytest.mark.parametrize("seed", [-1, 2**32, 2**40])
def test_random_seed_out_of_range(seed):
    check(kernel("def f(s):\n    np.random.seed(s)\n"), seed)


def shuffle_seeded(s, a):
    np.random.seed(s)
    np.random.shuffle(a)


@pytest.mark.parametrize("shape", [(10,), (1,), (0,), (6, 3), (4, 2, 3)], ids=str)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.bool_, np.complex128], ids=dtype_id)
def test_random_shuffle(dtype, layout, shape):
    """In place, along the first axis (rows of 2-d arrays)."""
    a = make_array(dtype, shape, layout)
    check(jitted(shuffle_seeded), 5, a)


def test_random_shuffle_view():
    f = kernel(
        """
        def f(s, a):
            np.random.seed(s)
            np.random.shuffle(a[::-2])
            np.random.shuffle(a[1])
        """
    )
    check(f, 3, make_array(np.float64, (9, 4), "C"))


def permutation_seeded(s, a):
    np.random.seed(s)
    return np.random.permutation(a)


@pytest.mark.parametrize("shape", [(10,), (0,), (6, 3)], ids=str)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_], ids=dtype_id)
def test_random_permutation_array(dtype, layout, shape):
    """A shuffled copy; the argument is unchanged."""
    check(jitted(permutation_seeded), 11, make_array(dtype, shape, layout))


P_VALID = [0.1, 0.2, 0.3, 0.4]
CHOICE_SOURCES = [
    "np.random.choice(a)",
    "np.random.choice(a, 6)",
    "np.random.choice(a, (2, 3))",
    "np.random.choice(a, 3, replace=False)",
    "np.random.choice(a, 4, False)",
    "np.random.choice(a, 8, p=p)",
    "np.random.choice(a, p=p)",
    "np.random.choice(a, (2, 2), True, p)",
    "np.random.choice(a, 3, replace=False, p=p)",
    "np.random.choice(a, 4, replace=False, p=p)",
    "np.random.choice(a, 5, replace=False)",
    "np.random.choice(a, 0, replace=False, p=p)",
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.int64], ids=dtype_id)
@pytest.mark.parametrize("src", CHOICE_SOURCES)
def test_random_choice_array(src, dtype, seed):
    f = kernel(f"def f(s, a, p):\n    np.random.seed(s)\n    return {src}\n")
    a = make_array(dtype, (4,), "A", seed=seed % 7)
    check(f, seed, a, np.array(P_VALID))


@pytest.mark.parametrize(
    "p",
    [
        [0.1, 0.2, 0.3, 0.5],  # does not sum to 1
        [-0.1, 0.4, 0.3, 0.4],  # negative
        [0.5, 0.5, 0.0],  # wrong length
        [0.5, np.nan, 0.25, 0.25],
        [0.0, 0.5, 0.5, 0.0],  # fine with replacement; too few non-zero entries without
        [1.0, 0.0, 0.0, 0.0],
        [0.25, 0.25, 0.25, 0.25 + 1e-9],  # within NumPy's tolerance
    ],
    ids=str,
)
@pytest.mark.parametrize(
    "src", ["np.random.choice(a, 6, p=p)", "np.random.choice(a, 3, replace=False, p=p)", "np.random.choice(4, 2, p=p)"]
)
def test_random_choice_probabilities(src, p):
    f = kernel(f"def f(s, a, p):\n    np.random.seed(s)\n    return {src}\n")
    check(f, 3, np.arange(10, 14), np.array(p))


def test_random_choice_p_float32():
    f = kernel("def f(s, a, p):\n    np.random.seed(s)\n    return np.random.choice(a, 5, p=p)\n")
    check(f, 4, np.arange(3), np.array([0.2, 0.3, 0.5], dtype=np.float32))


def test_random_choice_empty_population():
    f = kernel("def f(s, a):\n    np.random.seed(s)\n    return np.random.choice(a, 2)\n")
    check(f, 1, np.zeros(0))
    f = kernel("def f(s, a):\n    np.random.seed(s)\n    return np.random.choice(a, 0)\n")
    check(f, 1, np.zeros(0))


def seed_compiled(s):
    np.random.seed(s)


def draw_compiled():
    return np.random.random()


def seed_and_draw_compiled(s, n):
    np.random.seed(s)
    return np.random.random(n)


def test_compiled_generator_is_separate_from_numpy():
    """Seeding and drawing in compiled code leaves NumPy's global stream
    alone, and seeding NumPy's does not seed the compiled one."""
    np.random.seed(123)
    first = np.random.random_sample(2)
    jitted(seed_and_draw_compiled)(5, 3)
    jitted(draw_compiled)()
    ref = np.random.RandomState(123)
    assert_precise_equal(first, ref.random_sample(2))
    assert_precise_equal(np.random.random_sample(3), ref.random_sample(3))

    jitted(seed_compiled)(1)
    np.random.seed(99)
    got = [jitted(draw_compiled)() for _ in range(3)]
    np.random.random_sample(5)  # drawing from NumPy's stream in between
    got.append(jitted(draw_compiled)())
    ref = np.random.RandomState(1)
    assert got == [float(ref.random_sample()) for _ in range(4)]


# --- unsupported features: a clean compile error ---------------------------------------------------------------

UNSUPPORTED = [
    # (source, arguments, expected error class)
    ("np.argsort(a)", (np.zeros((2, 3)),), TypingError),
    ("np.sort(a, axis=0)", (np.zeros(3),), TypingError),
    ("np.sort(a, kind='stable')", (np.zeros(3),), TypingError),
    ("np.argsort(a, kind='stable')", (np.zeros(3),), TypingError),
    ("np.roll(a, 1, axis=0)", (np.zeros((2, 3)),), TypingError),
    ("np.dot(a, a)", (np.arange(3),), TypingError),
    ("a[a[:, 0] > 0]", (np.zeros((2, 3)),), TypingError),
    ("a[np.arange(3, dtype=np.float64)]", (np.zeros(3),), TypingError),
    ("np.concatenate((a, a.astype(np.float32)))", (np.zeros(3),), TypingError),
    # Arguments of the wrong kind.
    ("np.random.choice(a)", (np.zeros((2, 3)),), TypingError),
    ("np.random.choice(2.5)", (np.zeros(3),), TypingError),
    ("np.random.choice(5, 2, True, a)", (np.ones(5, dtype=np.int64),), TypingError),
    ("np.random.permutation(2.5)", (np.zeros(3),), TypingError),
    ("np.tile(a, 2.0)", (np.zeros(3),), TypingError),
]


@pytest.mark.parametrize("src, args, error", UNSUPPORTED, ids=[u[0] for u in UNSUPPORTED])
def test_unsupported_is_clean_compile_error(src, args, error):
    with pytest.raises(error):
        expr_kernel(src)(*args)


def test_fancy_assign_2d_unsupported():
    f = kernel("def f(a, i):\n    a[i] = 0.0\n")
    with pytest.raises(TypingError):
        f(np.zeros((3, 2)), np.array([0, 2]))
