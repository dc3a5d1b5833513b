"""Views, returning arrays, and slice assignment, compared with NumPy.

Returning arrays to Python: an input array comes back as the same object
(``f(a) is a``), views of inputs share the input's memory (with NumPy's
strides; writing through them changes the input as in NumPy), tuples of
arrays.

Views (every one checked with `check_view`: values, and that it is a view
exactly where NumPy's result is): basic slicing of 1-D/2-D/3-D arrays in C,
F and non-contiguous layouts (negative steps, clamping of out-of-range
bounds, empty slices, run-time bounds, zero step → ValueError), integer +
slice mixes, fewer indices than dimensions, ``None``/``np.newaxis``, ``.T``,
``.transpose()`` with and without axes, ``.reshape`` (tuple, separate ints,
-1, NumPy's error message), ``.ravel()``, ``.flatten()``, views of views,
iteration over the first axis (``for row in a``), writes through views.
Views are also consumed inside the function (array expressions, copies,
ravel, reductions over them), where a wrongly assumed layout reads the
wrong elements. Run-time ``None`` slice bounds and ``Ellipsis`` are strict
xfails (not supported yet).

Slice assignment: a scalar into a slice, ``a[:] = b`` with broadcasting,
rows, columns, ``c[:, None]`` sources, casts between dtypes, overlapping
source and destination (NumPy's copy semantics), ``fill``, and NumPy's
broadcast error message.
"""

import numpy as np
import pytest

from array_helpers import check_view, expect_unsupported, expr_kernel, kernel
from conftest import LAYOUTS, check, jitted, make_array

VIEW_DTYPES = [np.float64, np.int16, np.bool_, np.complex64]
VIEW_DTYPE_IDS = [np.dtype(d).name for d in VIEW_DTYPES]

# --- returning arrays ------------------------------------------------------------------------


def identity(a):
    return a


def pair(a, b):
    return a, b


def with_view(a):
    return a, a[1:], a


def nested(a, b):
    return (a, (b, a[::2])), 3


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", VIEW_DTYPES, ids=VIEW_DTYPE_IDS)
def test_return_input_is_same_object(layout, dtype):
    a = make_array(dtype, (3, 4), layout)
    assert jitted(identity)(a) is a


def test_return_inputs_in_tuples():
    a, b = np.arange(5.0), np.arange(6).reshape(2, 3)
    r = jitted(pair)(a, b)
    assert type(r) is tuple and r[0] is a and r[1] is b
    r = jitted(with_view)(a)
    assert r[0] is a and r[2] is a and np.shares_memory(r[1], a)
    r = jitted(nested)(a, b)
    assert r[0][0] is a and r[0][1][0] is b and r[1] == 3
    check_view(jitted(with_view), a)
    check_view(jitted(nested), a, b)


def test_returned_view_shares_memory():
    f = expr_kernel("a[1:3]")
    a = np.arange(5.0)
    v = f(a)
    assert type(v) is np.ndarray
    v[0] = 100.0
    assert a[1] == 100.0
    a[2] = -1.0
    assert v[1] == -1.0


# --- basic slicing ------------------------------------------------------------------------------

SLICES_1D = [
    "a[1:-1]",
    "a[::2]",
    "a[::-1]",
    "a[-2:1:-1]",
    "a[5:100]",
    "a[-100:3]",
    "a[10:2]",
    "a[:]",
    "a[3:]",
    "a[:-3]",
    "a[::-3]",
    "a[100:]",
    "a[-1:-100:-2]",
    "a[1:2]",
    "a[-100:100:4]",
    "a[2:-2][::-1]",
    "a[::2][1:][::-1]",
    "a[None]",
    "a[:, None]",
    "a[np.newaxis, 2:]",
]


@pytest.mark.parametrize("expr", SLICES_1D)
@pytest.mark.parametrize("layout", ["C", "A"])
@pytest.mark.parametrize("dtype", VIEW_DTYPES, ids=VIEW_DTYPE_IDS)
def test_slice_1d(expr, layout, dtype):
    check_view(expr_kernel(expr), make_array(dtype, (10,), layout))


SLICE_BOUNDS = [
    (0, 10, 1),
    (2, 8, 3),
    (8, 2, -3),
    (-3, -1, 1),
    (-1, -11, -1),
    (-20, 20, 2),
    (20, -20, -2),
    (5, 5, 1),
    (9, 0, 1),
    (3, 4, 100),
    (0, 10, -1),
    (11, 3, -4),
    (0, 10, 0),
]


@pytest.mark.parametrize("i, j, k", SLICE_BOUNDS)
@pytest.mark.parametrize("layout", ["C", "A"])
def test_slice_runtime_bounds(i, j, k, layout):
    """Clamping as in Python for run-time bounds; step 0 → ValueError."""
    a = make_array(np.float64, (10,), layout)
    check_view(expr_kernel("a[i:j:k]", "a, i, j, k"), a, i, j, k)
    check_view(expr_kernel("a[i:j:k, 1]", "a, i, j, k"), make_array(np.int32, (10, 3), layout), i, j, k)


@pytest.mark.parametrize(
    "expr, args",
    [("a[i:]", (3,)), ("a[:j]", (-2,)), ("a[::k]", (-2,)), ("a[i::k]", (7, -3)), ("a[:j:k]", (2, -1))],
)
def test_slice_runtime_partial(expr, args):
    params = "a, " + ", ".join(n for n in "ijk" if n in expr.split("[", 1)[1])
    check_view(expr_kernel(expr, params), np.arange(10), *args)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_slice_none_bounds(layout, request):
    """Run-time ``None`` bounds mean "omitted"."""
    expect_unsupported(request, "None as an argument")
    f = expr_kernel("a[i:j:k]", "a, i, j, k")
    a = make_array(np.float64, (8,), layout)
    for args in [(None, None, None), (2, None, None), (None, -2, None), (None, None, -1), (6, None, -2)]:
        check_view(f, a, *args)


SLICES_2D = [
    "a[1:-1, ::2]",
    "a[::-1, ::-1]",
    "a[2, 1:]",
    "a[:, 1]",
    "a[-1]",
    "a[1]",
    "a[1:3][::-1]",
    "a[:, ::2][1]",
    "a[::2, -1]",
    "a[-1, ::-2]",
    "a[:, 1:2]",
    "a[5:, :]",
    "a[:, 10:]",
    "a[-100:100, -100:100]",
    "a[None]",
    "a[:, None]",
    "a[:, :, None]",
    "a[None, 1:, None]",
    "a[np.newaxis, :, 2]",
    "a[1:, None][::-1, 0, ::2]",
    "a.T",
    "a.transpose()",
    "np.transpose(a)",
    "a.T[1:]",
    "a[1:].T",
    "a.T.T",
    "a.T[:, ::-1][2]",
]


@pytest.mark.parametrize("expr", SLICES_2D)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", VIEW_DTYPES, ids=VIEW_DTYPE_IDS)
def test_view_2d(expr, layout, dtype):
    check_view(expr_kernel(expr), make_array(dtype, (4, 5), layout))


SLICES_3D = [
    "a[1, :, ::2]",
    "a[:, 1]",
    "a[1]",
    "a[-1, -1]",
    "a[::-1, 1:3, ::-2]",
    "a[:, :, 2]",
    "a[:, None, 1, ::2]",
    "a[1:2, ::2][0]",
    "a[None, :, :, None]",
    "a.T",
    "a.transpose()",
    "a.transpose((1, 0, 2))",
    "a.transpose(2, 0, 1)",
    "a.transpose((0, 2, 1))[1, ::-1]",
    "np.transpose(a, (2, 1, 0))",
    "a.transpose((1, 0, 2))[:, 1:].T",
]


@pytest.mark.parametrize("expr", SLICES_3D)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float32, np.uint8], ids=["float32", "uint8"])
def test_view_3d(expr, layout, dtype):
    check_view(expr_kernel(expr), make_array(dtype, (3, 4, 5), layout))


VIEW_CONSUMERS = ["({v}) * 2", "({v}).copy()", "({v}).ravel()", "np.sqrt(np.abs({v}))", "({v}).sum(axis=-1)", "({v}) - ({v})[::-1]"]


@pytest.mark.parametrize("consumer", VIEW_CONSUMERS)
@pytest.mark.parametrize("expr", SLICES_2D + ["a[:, 1:]", "a[:, :-1]", "a[1:, 1:]", "a[:, 2:4]"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_view_2d_consumed(consumer, expr, layout):
    """Views used by array expressions, copies, ravel and reductions (not
    only returned): the elements read are the view's, whatever its layout."""
    check_view(expr_kernel(consumer.format(v=expr)), make_array(np.float64, (4, 5), layout))


@pytest.mark.parametrize("consumer", VIEW_CONSUMERS)
@pytest.mark.parametrize("expr", SLICES_3D + ["a[:, :, 1:]", "a[:, 1:, :]", "a[1:, :, :-2]"])
def test_view_3d_consumed(consumer, expr):
    check_view(expr_kernel(consumer.format(v=expr)), make_array(np.int32, (3, 4, 5), "C"))


@pytest.mark.parametrize("expr", ["a[..., 1]", "a[1, ...]", "a[..., None]", "a[...]"])
def test_ellipsis(expr, request):
    expect_unsupported(request, "Ellipsis in an index")
    check_view(expr_kernel(expr), make_array(np.float64, (3, 4, 5), "C"))


def test_row_index_runtime():
    """``a[i]`` of a 2-D array is a row view, for run-time (also negative) i."""
    f = expr_kernel("a[i]", "a, i")
    g = expr_kernel("a[i, 1:]", "a, i")
    for layout in LAYOUTS:
        a = make_array(np.float64, (4, 5), layout)
        for i in (0, 3, -1, -4):
            check_view(f, a, i)
            check_view(g, a, i)


def test_row_index_out_of_bounds():
    f = kernel(
        """
        def f(a, i):
            return a[i, 1:]
        """,
        boundscheck=True,
    )
    for i in (3, -4):
        with pytest.raises(IndexError):
            f(np.zeros((3, 4)), i)


# --- reshape / ravel / flatten -------------------------------------------------------------------

RESHAPES_1D = [
    "a.reshape((3, 4))",
    "a.reshape(3, 4)",
    "a.reshape(-1, 6)",
    "a.reshape((2, -1, 3))",
    "a.reshape(12)",
    "a.reshape((12,))",
    "a.reshape(-1)",
    "np.reshape(a, (4, 3))",
    "a.reshape(2, 6)[1]",
    "a.reshape(4, 3).T",
    "a.reshape(1, 12, 1)",
]

RESHAPES_2D = [
    "a.reshape(-1)",
    "a.reshape(4, 3)",
    "a.reshape((2, 2, 3))",
    "a.reshape(6, -1)",
    "a.ravel()",
    "np.ravel(a)",
    "a.flatten()",
    "a.T.ravel()",
    "a.T.flatten()",
    "a[:, ::2].ravel()",
    "a[::-1].flatten()",
    "a.T.reshape(12)",
    "a.reshape(12)[::-1].reshape(3, 4)",
]


@pytest.mark.parametrize("expr", RESHAPES_1D)
@pytest.mark.parametrize("layout", ["C", "A"])
def test_reshape_1d(expr, layout):
    check_view(expr_kernel(expr), make_array(np.int64, (12,), layout))


@pytest.mark.parametrize("expr", RESHAPES_2D)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_reshape_2d(expr, layout):
    """A view where NumPy gives one, a copy (in C order) where it must copy."""
    check_view(expr_kernel(expr), make_array(np.float64, (3, 4), layout))


@pytest.mark.parametrize("shape", [(5,), (5, -1), (-1, 5), (2, 2, 2), (-1, -1), (0, -1), (13,)], ids=str)
def test_reshape_errors(shape):
    f = expr_kernel("a.reshape(s)", "a, s")
    check(f, np.arange(12.0), shape)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (-1, 0)], ids=str)
def test_reshape_empty(shape):
    check(expr_kernel("a.reshape(s)", "a, s"), np.zeros(0), shape)


@pytest.mark.parametrize("m, n", [(3, 4), (-1, 2), (2, -1), (12, 1), (5, -1)])
def test_reshape_runtime_ints(m, n):
    check_view(expr_kernel("a.reshape(m, n)", "a, m, n"), np.arange(12), m, n)


# --- iteration and writes through views ---------------------------------------------------------


def iter_rows_write(a):
    k = 0
    for row in a:
        row[0] = k
        row[-1] += 10
        k += 1
    return k


def iter_rows_sum(a):
    s = 0.0
    for row in a:
        for x in row:
            s += x
    return s


def iter_rows_accumulate(a):
    total = np.zeros(a.shape[1])
    for row in a:
        total += row
    return total


def iter_planes(a):
    n = 0
    for plane in a:
        plane[1:, 0] = -1
        for row in plane:
            n += row.shape[0]
    return n


def iter_view(a):
    s = 0
    for row in a[::-1, 1:]:
        s = s * 3 + row[0]
    return s


@pytest.mark.parametrize("func", [iter_rows_write, iter_rows_sum, iter_rows_accumulate, iter_view])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_iterate_rows(func, layout):
    a = make_array(np.float64, (4, 3), layout)
    check(jitted(func), a)
    if func in (iter_rows_write, iter_rows_accumulate):
        # (The others return a loop-unified type, e.g. float64 for ``s = 0``,
        # that differs from Python's when the loop does not run.)
        check(jitted(func), make_array(np.float64, (0, 3), "C"))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_iterate_planes(layout):
    check(jitted(iter_planes), make_array(np.int32, (3, 4, 2), layout))


def write_through_slices(a):
    v = a[1:, ::2]
    v[0, 0] = 99
    w = v[::-1]
    w[0, -1] = -5
    a.T[0, 1] = 7
    a[::-1][0, 0] = 3
    row = a[2]
    row[1] = 42
    col = a[:, None, 3]
    col[0, 0] = -8
    return v, w


def write_through_reshape(a):
    flat = a.reshape(-1)
    flat[3] = 11
    r = a.ravel()
    r[5] = 12
    b = a.reshape(2, 3, 2)
    b[1, 2, 1] = 13
    return flat


@pytest.mark.parametrize("layout", LAYOUTS)
def test_write_through_views(layout):
    check_view(jitted(write_through_slices), make_array(np.float64, (4, 5), layout))


def test_write_through_reshape():
    check_view(jitted(write_through_reshape), make_array(np.int64, (3, 4), "C"))


# --- slice assignment -----------------------------------------------------------------------------


def set_scalar(a):
    a[1:5] = 0


def set_step(a, v):
    a[::2] = v


def set_reversed(a, v):
    a[::-3] = v


def set_empty(a, v):
    a[5:2] = v


def set_row(a, row):
    a[2, :] = row


def set_row_short(a, row):
    a[1] = row


def set_col(a, col):
    a[:, 1] = col


def set_all(a, b):
    a[:] = b


def set_col_newaxis(a, c):
    a[:] = c[:, None]


def set_block(a, b):
    a[1:3, 1:] = b


def set_through_newaxis(a, v):
    a[None, 1:3] = v


def set_transposed(a, b):
    a.T[:] = b


def set_fill(a, v):
    a.fill(v)


def set_view_fill(a, v):
    a[::2, 1:].fill(v)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.uint8, np.bool_, np.complex128], ids=lambda d: np.dtype(d).name)
def test_set_scalar(layout, dtype):
    a = make_array(dtype, (8,), layout)
    check(jitted(set_scalar), a)
    b = make_array(dtype, (8, 3), layout)
    check(jitted(set_scalar), b)
    for v in (True, 3, 2.7):
        for f in (set_step, set_reversed, set_empty, set_fill, set_through_newaxis):
            check(jitted(f), a, v)
            check(jitted(f), b, v)
        check(jitted(set_view_fill), b, v)


SET_ARRAY_CASES = [
    (set_row, (4, 3), (3,)),
    (set_row, (4, 3), (1,)),
    (set_row_short, (4, 3), (3,)),
    (set_col, (4, 3), (4,)),
    (set_all, (4, 3), (3,)),
    (set_all, (4, 3), (1, 3)),
    (set_all, (4, 3), (4, 1)),
    (set_all, (4, 3), (4, 3)),
    (set_all, (4, 3), (1,)),
    (set_all, (2, 4, 3), (4, 3)),
    (set_all, (2, 4, 3), (2, 1, 3)),
    (set_all, (4, 3), (1, 4, 3)),  # leading length-1 axes of the value are dropped
    (set_all, (0, 3), (3,)),
    (set_col_newaxis, (4, 3), (4,)),
    (set_block, (4, 3), (2, 2)),
    (set_block, (4, 3), (2,)),
    (set_transposed, (4, 3), (4,)),
    (set_transposed, (4, 3), (3, 4)),
    # broadcast errors: NumPy's message names both shapes
    (set_all, (3,), (4,)),
    (set_all, (4, 3), (4,)),
    (set_all, (4, 3), (2, 4, 3)),
    (set_row, (4, 3), (2,)),
    (set_col_newaxis, (4, 3), (3,)),
    (set_block, (4, 3), (3, 2)),
]


@pytest.mark.parametrize("func, shape, src_shape", SET_ARRAY_CASES, ids=lambda x: x.__name__ if callable(x) else str(x))
@pytest.mark.parametrize("layout", LAYOUTS)
def test_set_array(func, shape, src_shape, layout):
    check(jitted(func), make_array(np.float64, shape, layout), make_array(np.float64, src_shape, layout, seed=1))


@pytest.mark.parametrize(
    "dst, src",
    [(np.int32, np.float64), (np.float32, np.int64), (np.bool_, np.float64), (np.uint8, np.int16), (np.float64, np.bool_), (np.complex64, np.float64), (np.int64, np.uint64)],
    ids=lambda d: np.dtype(d).name,
)
def test_set_array_casts(dst, src):
    """Assignment casts the source to the destination's dtype (truncation,
    wrap-around, truthiness) as NumPy does."""
    check(jitted(set_all), make_array(dst, (4, 3)), make_array(src, (4, 3), seed=2))
    check(jitted(set_row), make_array(dst, (4, 3)), make_array(src, (3,), seed=2))


def shift_right(a):
    a[1:] = a[:-1]


def shift_left(a):
    a[:-1] = a[1:]


def reverse_in_place(a):
    a[:] = a[::-1]


def shift_2d(a):
    a[1:, 1:] = a[:-1, :-1]


def transpose_in_place(a):
    a[:] = a.T


def broadcast_own_row(a):
    a[:] = a[1]


def every_other(a):
    a[::2] = a[1::2]


@pytest.mark.parametrize("func", [shift_right, shift_left, reverse_in_place, every_other])
@pytest.mark.parametrize("layout", ["C", "A"])
def test_overlapping_assignment_1d(func, layout):
    """Source and destination overlap: the result is as if the source were
    copied first (NumPy's semantics)."""
    check(jitted(func), make_array(np.int64, (9,), layout))


@pytest.mark.parametrize("func", [shift_right, shift_left, reverse_in_place, shift_2d, transpose_in_place, broadcast_own_row])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_overlapping_assignment_2d(func, layout):
    check(jitted(func), make_array(np.float64, (5, 5), layout))


# --- a local whose layout widens (issue 16) -------------------------------------------------------


def rebound_to_new_array(a):
    a = np.fmod(a, 1000.0)  # a strided argument rebound to a new C-contiguous array
    return a.sum()


def view_rebound(a):
    b = a[::2]
    b = b + 1.0
    return b.sum()


def rebound_on_one_path(a, c):
    if c:
        a = np.zeros(3)
    return a.sum(), a


@pytest.mark.parametrize("layout", LAYOUTS)
def test_locals_whose_layout_widens(layout):
    """A local assigned arrays of several layouts has the general layout;
    each assignment converts without copying, and references stay counted."""
    a = make_array(np.float64, (7,), layout)
    check(jitted(rebound_to_new_array), a)
    check(jitted(view_rebound), a)
    for c in (True, False):
        check(jitted(rebound_on_one_path), a, c)
