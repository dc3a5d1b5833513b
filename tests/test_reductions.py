"""Reductions, as methods and as ``np.`` functions, compared with NumPy:
``sum prod min max mean std var argmin argmax all any`` and ``np.amin`` /
``np.amax``.

- whole-array reductions of every dtype (result type: NumPy scalars of
  NumPy's dtype, e.g. ``int8.sum()`` is ``int64``, ``uint8.sum()`` is
  ``uint64``, ``float32.mean()`` is ``float32``; ``all``/``any`` give a
  Python bool as booleans always do in compiled code);
- float sums and means must equal NumPy's bit for bit, which takes NumPy's
  pairwise summation (blocks of 8, split at 128 elements), over sizes
  around those boundaries and C, F and non-contiguous layouts;
- ``axis=`` (and positional axis) for 2-D and 3-D arrays, negative axes;
  ``ddof=`` for std/var, also ``ddof`` ≥ the count (inf/nan as NumPy);
- NaN propagation (min/max give NaN, argmin/argmax the first NaN), infinities;
- empty arrays: NumPy's ValueErrors (``zero-size array to reduction
  operation maximum which has no identity``, ``attempt to get argmax of an
  empty sequence``), identities for sum/prod/all/any, NaN for mean.

`SUM_ULPS`/`STAT_ULPS` state the accuracy required of float sums and of
mean/std/var against NumPy (0: bit for bit); `COMPLEX_PROD_REL_EPS` that of
complex products along an axis.
"""

import numpy as np
import pytest

from array_helpers import check_close, expect_unsupported, expr_kernel
from conftest import ALL_DTYPES, LAYOUTS, check, make_array

DTYPE_IDS = [np.dtype(d).name for d in ALL_DTYPES]

SUM_ULPS = 0  # float sum/prod/mean: NumPy's pairwise summation, bit for bit
STAT_ULPS = 0  # std/var
# Complex products along a non-contiguous axis: NumPy's SIMD complex multiply
# uses FMA, so they are compared within this many epsilons relative to |result|.
COMPLEX_PROD_REL_EPS = 16

OPS = ["sum", "prod", "min", "max", "mean", "std", "var", "argmin", "argmax", "all", "any"]
FUNCS_ONLY = ["amin", "amax"]


def ulps_for(src):
    return STAT_ULPS if ("std" in src or "var" in src) else SUM_ULPS


def reduction_input(dtype, shape, layout="C", seed=0, op=""):
    """Varied values; for float products, values near 1 (no overflow)."""
    a = make_array(dtype, shape, layout, seed)
    kind = np.dtype(dtype).kind
    if "prod" in op and kind in "fc":
        a[...] = 1 + a / 1000
    return a


WHOLE_SOURCES = (
    [f"a.{op}()" for op in OPS]
    + [f"np.{op}(a)" for op in OPS + FUNCS_ONLY]
    + ["a.std(ddof=1)", "np.var(a, ddof=1)", "np.std(a, ddof=2)", "a.var(ddof=0)"]
)


def complex_ordering(src, dtype, request):
    """min/max/argmin/argmax of complex arrays (NumPy orders complex numbers
    lexicographically) are not supported yet."""
    if np.dtype(dtype).kind == "c" and any(op in src for op in ("min", "max")):
        expect_unsupported(request, "min/max/argmin/argmax of complex arrays")


@pytest.mark.parametrize("src", WHOLE_SOURCES)
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=DTYPE_IDS)
def test_whole_array(src, dtype, request):
    complex_ordering(src, dtype, request)
    a = reduction_input(dtype, (1003,), op=src)
    check(expr_kernel(src), a, ulps=ulps_for(src))


@pytest.mark.parametrize("src", ["a.sum()", "a.mean()", "a.var()", "a.prod()", "np.std(a)"])
@pytest.mark.parametrize("size", [1, 2, 7, 8, 9, 15, 16, 17, 127, 128, 129, 255, 256, 257, 1000, 4097, 100_003])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128], ids=["float64", "float32", "complex128"])
def test_float_sum_sizes(src, size, dtype):
    """Pairwise summation around its block boundaries."""
    a = reduction_input(dtype, (size,), seed=size, op=src)
    check(expr_kernel(src), a, ulps=ulps_for(src))
    check(expr_kernel(src), reduction_input(dtype, (size,), "A", seed=size, op=src), ulps=ulps_for(src))


@pytest.mark.parametrize("src", WHOLE_SOURCES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(37, 53), (5, 6, 7)], ids=["2d", "3d"])
@pytest.mark.parametrize("dtype", [np.float64, np.int16], ids=["float64", "int16"])
def test_whole_array_nd(src, layout, shape, dtype):
    a = reduction_input(dtype, shape, layout, op=src)
    check(expr_kernel(src), a, ulps=ulps_for(src))


# --- axis= -------------------------------------------------------------------------------------------


def axis_sources(axes):
    out = []
    for op in OPS:
        for ax in axes:
            out.append(f"a.{op}(axis={ax})")
            out.append(f"np.{op}(a, axis={ax})")
    for op in ("sum", "mean", "max", "argmin"):
        out.append(f"a.{op}({axes[-1]})")
        out.append(f"np.{op}(a, {axes[0]})")
    for op in FUNCS_ONLY:
        out.append(f"np.{op}(a, axis={axes[-1]})")
    return out


AXIS_DTYPES = [np.float64, np.float32, np.int64, np.int8, np.uint16, np.bool_, np.complex128]


@pytest.mark.parametrize("src", axis_sources([0, 1, -1, -2]))
@pytest.mark.parametrize("dtype", AXIS_DTYPES, ids=lambda d: np.dtype(d).name)
def test_axis_2d(src, dtype, request):
    complex_ordering(src, dtype, request)
    a = reduction_input(dtype, (37, 53), op=src)
    if dtype is np.complex128 and "prod" in src:
        check_close(expr_kernel(src), a, rel=COMPLEX_PROD_REL_EPS)
    else:
        check(expr_kernel(src), a, ulps=ulps_for(src))


@pytest.mark.parametrize("src", axis_sources([0, 1, -1]))
@pytest.mark.parametrize("layout", ["F", "A"])
def test_axis_2d_layouts(src, layout):
    check(expr_kernel(src), reduction_input(np.float64, (37, 53), layout, op=src), ulps=ulps_for(src))
    check(expr_kernel(src), reduction_input(np.int32, (4, 300), layout, op=src), ulps=ulps_for(src))


@pytest.mark.parametrize("src", axis_sources([0, 1, 2, -1, -2, -3]))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.int32], ids=["float64", "int32"])
def test_axis_3d(src, layout, dtype):
    a = reduction_input(dtype, (5, 6, 140), layout, op=src)
    check(expr_kernel(src), a, ulps=ulps_for(src))


@pytest.mark.parametrize("src", ["a.sum(axis=2)", "np.max(a, axis=-3)"])
def test_axis_out_of_range(src):
    """An axis out of range is a compile-time error in compiled code (NumPy:
    AxisError at run time); the function must not run."""
    from oxjit.errors import NumbaError

    f = expr_kernel(src)
    with pytest.raises((NumbaError, np.exceptions.AxisError)):
        f(np.zeros((2, 3)))


# --- ddof ------------------------------------------------------------------------------------------------

DDOF_SOURCES = [
    f"{form}"
    for ddof in (0, 1, 2, 7)
    for form in (
        f"a.std(ddof={ddof})",
        f"np.var(a, ddof={ddof})",
        f"a.var(axis=0, ddof={ddof})",
        f"np.std(a, axis=-1, ddof={ddof})",
        f"np.var(a, 1, ddof={ddof})",
    )
]


@pytest.mark.parametrize("src", DDOF_SOURCES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.complex128, np.bool_], ids=lambda d: np.dtype(d).name)
def test_ddof(src, dtype):
    """ddof 7 on a (7, 3) array leaves no degrees of freedom on axis 0
    (inf/nan as NumPy gives, without its warning)."""
    check(expr_kernel(src), reduction_input(dtype, (7, 3), seed=3), ulps=STAT_ULPS)


@pytest.mark.parametrize("ddof", [0, 1, 3])
def test_ddof_runtime(ddof):
    check(expr_kernel("a.std(ddof=d) + np.var(a, axis=0, ddof=d)[1]", "a, d"), reduction_input(np.float64, (5, 4)), ddof, ulps=STAT_ULPS)


# --- NaN and infinities --------------------------------------------------------------------------------------

NAN_SOURCES = [
    "a.min()",
    "a.max()",
    "np.amin(a)",
    "np.amax(a)",
    "a.argmin()",
    "a.argmax()",
    "a.sum()",
    "a.mean()",
    "a.all()",
    "a.any()",
    "a.min(axis=0)",
    "np.max(a, axis=1)",
    "a.argmax(axis=0)",
    "np.argmin(a, axis=-1)",
]


@pytest.mark.parametrize("src", NAN_SOURCES)
@pytest.mark.parametrize("where", [(0, 0), (2, 3), (5, 6), (3, 0)], ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_nan_propagation(src, where, dtype):
    a = reduction_input(dtype, (6, 7), seed=9)
    a[where] = np.nan
    a[1, 1] = np.inf
    a[4, 2] = -np.inf
    check(expr_kernel(src), a, ulps=SUM_ULPS)
    a[(where[0] + 2) % 6, (where[1] + 3) % 7] = np.nan  # two NaNs: the first is reported
    check(expr_kernel(src), a, ulps=SUM_ULPS)


@pytest.mark.parametrize("src", ["a.min()", "a.max()", "a.argmin()", "a.argmax()", "a.sum()"])
def test_all_nan_and_infinities(src):
    check(expr_kernel(src), np.full(300, np.nan))
    check(expr_kernel(src), np.array([np.inf, -np.inf, 1.0]))
    check(expr_kernel(src), np.full(10, -np.inf, dtype=np.float32))


@pytest.mark.parametrize("src", ["a.min()", "a.max()", "a.argmin()", "a.argmax()", "a.min(axis=0)"])
def test_complex_nan(src, request):
    complex_ordering(src, np.complex128, request)
    a = make_array(np.complex128, (4, 5), seed=2)
    a[2, 1] = complex(1.0, np.nan)
    check(expr_kernel(src), a)


# --- empty arrays -------------------------------------------------------------------------------------------------

EMPTY_SOURCES = [f"a.{op}()" for op in OPS] + ["np.amax(a)", "np.amin(a)"]


@pytest.mark.parametrize("src", EMPTY_SOURCES)
@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.bool_], ids=["float64", "int32", "bool"])
def test_empty_whole(src, dtype):
    """min/max/argmin/argmax raise NumPy's ValueError; sum/prod/all/any give
    the identity; mean/std/var give NaN."""
    check(expr_kernel(src), np.zeros(0, dtype=dtype))
    check(expr_kernel(src), np.zeros((0, 3), dtype=dtype))


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("shape", [(0, 3), (3, 0)], ids=str)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_empty_axis(op, shape, axis):
    check(expr_kernel(f"a.{op}(axis={axis})"), np.zeros(shape))


def test_max_of_empty_message():
    err = check(expr_kernel("np.max(a)"), np.empty(0))
    assert isinstance(err, ValueError) and str(err) == "zero-size array to reduction operation maximum which has no identity"


# --- reductions of expressions and views -----------------------------------------------------------------------------

EXPR_SOURCES = [
    "(a * 2).sum()",
    "np.sum(a > 0)",
    "(a > 0).sum(axis=0)",
    "(a - a.mean()).std()",
    "a[1:, ::2].max(axis=1)",
    "a.T.sum(axis=0)",
    "np.abs(a).argmax()",
    "(a > 100).any()",
    "((a > -1000) & (a < 1000)).all(axis=1)",
    "a.sum(axis=0).max()",
    "a.mean(axis=1) - a.mean()",
    "a[None].sum(axis=0)",
]


@pytest.mark.parametrize("src", EXPR_SOURCES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_reduce_expressions(src, layout):
    check(expr_kernel(src), reduction_input(np.float64, (9, 11), layout, seed=4), ulps=SUM_ULPS)


def row_means_loop(a):
    out = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        out[i] = a[i].mean() + a[i, ::2].sum()
    return out


def test_reductions_in_loop():
    from conftest import jitted

    check(jitted(row_means_loop), reduction_input(np.float64, (20, 300)), ulps=SUM_ULPS)
