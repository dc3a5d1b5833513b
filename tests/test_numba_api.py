"""Numba's module layout and objects as code written for Numba uses them
after ``import oxjit as numba`` (issue 18): ``numba.core.errors`` /
``numba.core.types`` (the same objects as ``oxjit.errors``/``oxjit.types``),
``numba.np.numpy_support``, ``numba.extending.register_jitable`` and
``intrinsic`` (a clear error at decoration), dispatcher ``overloads`` and
``nopython_signatures``, and the options Numba accepts: ``locals=``
(honoured: the variable has the declared type), ``inline='always'``
(honoured: alwaysinline), and the ones accepted without effect."""

import numpy as np
import pytest

import oxjit as numba
from conftest import check, run_python


def test_core_errors_and_types_are_oxjit_s_own():
    assert numba.core.errors.TypingError is numba.errors.TypingError
    assert issubclass(numba.core.errors.NumbaValueError, numba.core.errors.TypingError)
    assert issubclass(numba.core.errors.NumbaPerformanceWarning, numba.core.errors.NumbaWarning)
    assert numba.core.types.float64 is numba.types.float64 == numba.float64
    assert numba.typeof(np.zeros((2, 2))) == numba.types.Array(numba.types.float64, 2, "C")

    @numba.njit
    def bad(x):
        return x.nonexistent

    with pytest.raises(numba.core.errors.TypingError):
        bad(1.0)


def test_importing_oxjit_does_not_import_the_subpackages(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(
        "import sys, oxjit\n"
        "print(sorted(m for m in ('oxjit.core', 'oxjit.np', 'oxjit.extending') if m in sys.modules))\n"
        "oxjit.core.errors\n"
        "print('oxjit.core' in sys.modules)\n"
    )
    out = run_python(script)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", "True"]


@pytest.mark.parametrize("dtype", ["f8", "f4", "i2", "u8", "c16", "?"])
def test_numpy_support_from_and_as_dtype(dtype):
    ns = numba.np.numpy_support
    t = ns.from_dtype(np.dtype(dtype))
    assert t == numba.typeof(np.zeros(1, dtype)).dtype
    assert ns.as_dtype(t) == np.dtype(dtype)
    with pytest.raises(numba.core.errors.NumbaError):
        ns.from_dtype(np.dtype("U3"))


def test_register_jitable_stays_python_and_compiles_when_called():
    from oxjit.extending import register_jitable

    @register_jitable
    def helper(x):
        return x * 3 + 1

    @numba.njit
    def user(x):
        return helper(x) + helper(2.5)

    assert helper(2) == 7 and type(helper).__name__ == "function"
    check(user, 4)


def test_intrinsic_fails_at_decoration():
    with pytest.raises(NotImplementedError, match="does not support numba.extending.intrinsic"):

        @numba.extending.intrinsic
        def f(typingctx, x):
            return None


def test_overloads_and_nopython_signatures():
    @numba.njit
    def f(x, y):
        return x + y

    f(1, 2.0)
    f(np.int32(1), np.int32(2))
    sigs = f.nopython_signatures
    assert [str(s) for s in sigs] == ["float64(int64, float64)", "int32(int32, int32)"]
    assert sigs[0].args == (numba.int64, numba.float64) and sigs[0].return_type == numba.float64
    assert set(f.overloads) == {s.args for s in sigs}
    entry = f.overloads[(numba.int64, numba.float64)].entry_point
    assert entry(3, 0.5) == 3.5
    with pytest.raises(TypeError, match="was compiled for"):
        entry(1.0, 1.0)


def declared(a):
    acc = 0
    big = 40000
    view = a[::2]
    for x in a:
        acc += x
    return acc, big, view


def test_locals_declare_variable_types():
    f = numba.njit(locals={"acc": numba.float32, "big": "int16", "view": numba.float64[:]})(declared)
    acc, big, view = f(np.arange(5.0))
    assert type(acc) is np.float32 and acc == 10.0
    assert type(big) is np.int16 and big == np.int16(40000 - 65536)
    assert f.inspect_types is not None and "view = array(float64, 1d, A)" in f._inspect_text()


def test_locals_reject_values_that_do_not_convert():
    f = numba.njit(locals={"view": numba.float64})(declared)
    with pytest.raises(numba.core.errors.TypingError, match=r"declared float64 \(locals=\) but is assigned array"):
        f(np.arange(3.0))
    with pytest.raises(TypeError, match="maps variable names to types"):
        numba.njit(locals={1: numba.float64})


def test_inline_always_marks_the_function():
    @numba.njit(inline="always")
    def sq(x):
        return x * x

    @numba.njit
    def user(x):
        return sq(x) + sq(x + 1.0)

    assert user(2.0) == 13.0 and sq(3.0) == 9.0
    assert "alwaysinline" in next(iter(sq.inspect_llvm().values()))
    with pytest.raises(NotImplementedError, match="inline='never' and inline='always'"):
        numba.njit(inline=lambda *a: True)


@pytest.mark.parametrize(
    "options",
    [{"looplift": True}, {"_nrt": True}, {"no_cpython_wrapper": True}, {"pipeline_class": None}, {"no_rewrites": True}],
)
def test_options_numba_accepts_are_accepted(options):
    assert numba.njit(**options)(declared)(np.arange(2.0))[1] == 40000


@pytest.mark.parametrize("options", [{"_nrt": False}, {"pipeline_class": object}])
def test_options_that_cannot_be_honoured_say_so(options):
    with pytest.raises(NotImplementedError, match="oxjit does not support"):
        numba.njit(**options)


class _NumbaLikeType:
    """Stands for a Numba type object where Numba is not installed: what
    oxjit reads is the module and the printed form."""

    __module__ = "numba.core.types.containers"

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def test_numba_type_objects_and_signatures_are_accepted():
    tup = _NumbaLikeType("UniTuple(int32 x 2)")

    class Sig:  # Numba's `float32(UniTuple(int32, 2))`
        args = (tup,)
        return_type = _NumbaLikeType("float32")

    def first(t):
        return t[0]

    f = numba.njit((tup,))(first)
    assert f((3, 4)) == 3 and str(f.signatures[0][0]) == "UniTuple(int32 x 2)"
    g = numba.njit(Sig())(first)
    assert type(g((3, 4))) is np.float32
    with pytest.raises(TypeError, match="the Numba type reflected list.* is not supported"):
        numba.njit((_NumbaLikeType("reflected list(int64)<iv=None>"),))(first)


def test_real_numba_types_when_installed():
    nb = pytest.importorskip("numba")

    def add(t):
        return t[0] + t[1]

    f = numba.njit(nb.float32(nb.types.UniTuple(nb.int16, 2)))(add)
    assert f((1, 2)) == 3.0 and type(f((1, 2))) is np.float32
