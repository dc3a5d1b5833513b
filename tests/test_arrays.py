"""NumPy arrays passed to compiled code: every dtype, ndim 1-3, C / F /
non-contiguous layouts. Element reads (also negative indices), writes,
augmented writes, ``shape``, ``shape[k]``, ``ndim``, ``size``, ``len``;
bounds checking with ``boundscheck=True`` and ``OXJIT_BOUNDSCHECK=1``."""

import textwrap

import numpy as np
import pytest

from conftest import ALL_DTYPES, LAYOUTS, assert_precise_equal, check, jitted, make_array, run_python
from oxjit import njit

DTYPE_IDS = [np.dtype(d).name for d in ALL_DTYPES]


def get1(a, i):
    return a[i]


def get2(a, i, j):
    return a[i, j]


def get3(a, i, j, k):
    return a[i, j, k]


def set1(a, i, v):
    a[i] = v


def set2(a, i, j, v):
    a[i, j] = v


def set3(a, i, j, k, v):
    a[i, j, k] = v


def iadd1(a, i, v):
    a[i] += v
    return a[i]


def iadd2(a, i, j, v):
    a[i, j] += v


def imul3(a, i, j, k, v):
    a[i, j, k] *= v


def props(a):
    return a.shape, a.ndim, a.size, len(a)


def shape_k(a):
    return a.shape[0], a.shape[-1]


def shape_var(a, k):
    return a.shape[k]


def copy_elements(src, dst):
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[i, j] = src[i, j]


def sum_2d(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j]
    return s


def value_for(dtype):
    """A Python value that can be stored in an array of ``dtype``."""
    kind = np.dtype(dtype).kind
    return {"b": True, "i": -7, "u": 7, "f": 2.5, "c": 1.5 - 2j}[kind]


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("layout", ["C", "A"])
@pytest.mark.parametrize("i", [0, 3, 6, -1, -7])
def test_getitem_1d(dtype, layout, i):
    check(jitted(get1), make_array(dtype, (7,), layout), i)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_getitem_2d(dtype, layout):
    a = make_array(dtype, (3, 4), layout)
    for i, j in [(0, 0), (2, 3), (1, 2), (-1, -1), (-3, 0), (0, -4), (2, -2)]:
        check(jitted(get2), a, i, j)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_getitem_3d(dtype, layout):
    a = make_array(dtype, (2, 3, 4), layout)
    for idx in [(0, 0, 0), (1, 2, 3), (1, 0, 2), (-1, -1, -1), (-2, 1, -4)]:
        check(jitted(get3), a, *idx)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("layout", ["C", "A"])
def test_setitem_1d(dtype, layout):
    a = make_array(dtype, (5,), layout)
    for i in [0, 4, -1, -5]:
        check(jitted(set1), a, i, value_for(dtype))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_setitem_2d_3d(dtype, layout):
    v = value_for(dtype)
    check(jitted(set2), make_array(dtype, (3, 4), layout), 1, -1, v)
    check(jitted(set2), make_array(dtype, (3, 4), layout), -3, 2, v)
    check(jitted(set3), make_array(dtype, (2, 3, 4), layout), 1, 2, -1, v)
    check(jitted(set3), make_array(dtype, (2, 3, 4), layout), -2, 0, 0, v)


@pytest.mark.parametrize(
    "dtype, v",
    [
        (np.float64, 3),  # int stored in a float array
        (np.float32, 0.1),  # rounded to float32
        (np.int64, True),
        (np.int32, np.int8(-5)),
        (np.float64, np.float32(0.1)),
        (np.complex128, 2.5),
        (np.complex64, np.complex64(1 + 1j)),
        (np.uint8, np.uint8(255)),
        (np.int64, 3.9),  # truncated, as NumPy does
        (np.int16, -2.9),
    ],
)
def test_setitem_converts_the_value(dtype, v):
    check(jitted(set1), make_array(dtype, (3,), "C"), 1, v)


@pytest.mark.parametrize("dtype", [d for d in ALL_DTYPES if d is not np.bool_], ids=[n for n in DTYPE_IDS if n != "bool"])
@pytest.mark.parametrize("layout", ["C", "A"])
def test_augmented_setitem(dtype, layout):
    v = value_for(dtype)
    a = make_array(dtype, (5,), layout)
    check(jitted(iadd1), a, 2, v)
    check(jitted(iadd1), a, -1, v)
    check(jitted(iadd2), make_array(dtype, (3, 4), layout), -1, 1, v)
    check(jitted(imul3), make_array(dtype, (2, 3, 4), layout), 1, -1, 2, 2)


def test_augmented_setitem_wraps_like_numpy():
    a = np.array([100, 120, -128], dtype=np.int8)
    check(jitted(iadd1), a, 0, 100)
    check(jitted(iadd1), a, 2, -1)
    u = np.array([250], dtype=np.uint8)
    check(jitted(iadd1), u, 0, 10)


@pytest.mark.parametrize("shape", [(0,), (1,), (7,), (3, 4), (4, 1), (2, 3, 4), (0, 5), (2, 0, 3)])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.complex64])
def test_shape_ndim_size_len(shape, layout, dtype):
    a = make_array(dtype, shape, layout)
    check(jitted(props), a)
    check(jitted(shape_k), a)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_shape_indexed_by_a_variable(layout):
    a = make_array(np.float64, (2, 3, 4), layout)
    for k in range(-3, 3):
        check(jitted(shape_var), a, k)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_copy_between_layouts(layout):
    src = make_array(np.float64, (3, 5), layout)
    for dst_layout in LAYOUTS:
        check(jitted(copy_elements), src, make_array(np.float64, (3, 5), dst_layout, seed=1))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_loop_over_2d(layout):
    check(jitted(sum_2d), make_array(np.float64, (6, 5), layout))
    check(jitted(sum_2d), make_array(np.float64, (1, 5), layout))
    # No iterations: the accumulator keeps 0.0, typed float64 (unified with the elements).
    assert_precise_equal(jitted(sum_2d)(make_array(np.float64, (0, 5), layout)), np.float64(0.0))


def test_array_views_share_memory():
    """Writes through a view land in the base array, as in NumPy."""
    base = np.zeros((4, 6))
    view = base[1:3, ::2]
    jitted(set2)(view, 1, 2, 9.0)
    assert base[2, 4] == 9.0
    assert base.sum() == 9.0


def test_layouts_are_distinct_specialisations():
    f = njit(get2)
    f(make_array(np.float64, (3, 4), "C"), 0, 0)
    f(make_array(np.float64, (3, 4), "F"), 0, 0)
    f(make_array(np.float64, (3, 4), "A"), 0, 0)
    f(make_array(np.float64, (3, 4), "C", seed=2), 1, 1)
    layouts = sorted(str(sig[0]) for sig in f.signatures)
    assert layouts == ["array(float64, 2d, A)", "array(float64, 2d, C)", "array(float64, 2d, F)"]


def test_readonly_and_zero_strided_arrays():
    a = np.broadcast_to(np.arange(4.0), (3, 4))  # zero stride, read-only
    check(jitted(get2), a, 2, 3)
    check(jitted(sum_2d), a)


# --- bounds checking -----------------------------------------------------------------

get1_bc = njit(boundscheck=True)(get1)
get2_bc = njit(boundscheck=True)(get2)
get3_bc = njit(boundscheck=True)(get3)
set1_bc = njit(boundscheck=True)(set1)
set2_bc = njit(boundscheck=True)(set2)
iadd1_bc = njit(boundscheck=True)(iadd1)


@pytest.mark.parametrize("layout", ["C", "A"])
@pytest.mark.parametrize("i", [5, 6, 100, -6, -100])
def test_boundscheck_raises_index_error(layout, i):
    a = make_array(np.float64, (5,), layout)
    for f, args in [(get1_bc, (a, i)), (set1_bc, (a, i, 1.0)), (iadd1_bc, (a, i, 1.0))]:
        with pytest.raises(IndexError):
            f(*args)
    assert np.array_equal(a, make_array(np.float64, (5,), layout)), "an out-of-bounds write changed the array"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("idx", [(3, 0), (0, 4), (-4, 0), (0, -5), (10, 10)])
def test_boundscheck_every_axis(layout, idx):
    a = make_array(np.int32, (3, 4), layout)
    with pytest.raises(IndexError):
        get2_bc(a, *idx)
    with pytest.raises(IndexError):
        set2_bc(a, *idx, 1)
    with pytest.raises(IndexError):
        get3_bc(make_array(np.int32, (2, 3, 4), layout), 0, *idx)


def test_boundscheck_allows_every_valid_index():
    a = make_array(np.float64, (5,), "A")
    for i in range(-5, 5):
        check(get1_bc, a, i)
    b = make_array(np.float64, (2, 3), "F")
    for i in range(-2, 2):
        for j in range(-3, 3):
            check(get2_bc, b, i, j)


def test_boundscheck_on_empty_array():
    with pytest.raises(IndexError):
        get1_bc(np.zeros(0), 0)
    with pytest.raises(IndexError):
        get1_bc(np.zeros(0), -1)


BOUNDSCHECK_SCRIPT = """
import numpy as np
from oxjit import njit, config

@njit
def get(a, i):
    return a[i]

@njit(boundscheck=False)
def get_off(a, i):
    return a[i]

print("config", config.BOUNDSCHECK)
for f in (get, get_off):
    try:
        f(np.arange(3.0), 3)
        print(f.__name__, "no error")
    except IndexError:
        print(f.__name__, "IndexError")
"""


def test_boundscheck_environment_variable(tmp_path):
    """``OXJIT_BOUNDSCHECK=1`` turns bounds checking on even where the
    decorator turns it off."""
    script = tmp_path / "bounds.py"
    script.write_text(textwrap.dedent(BOUNDSCHECK_SCRIPT))
    proc = run_python(script, {"OXJIT_BOUNDSCHECK": "1"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:3] == ["config True", "get IndexError", "get_off IndexError"]
