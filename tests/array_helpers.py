"""Helpers shared by the array test modules (``test_array_*.py``,
``test_reductions.py``):

- `kernel(src)`: a compiled function defined by source text, so that
  parametrized tests can cover expressions that must be compile-time
  constants (dtypes, axes, slices) without writing one ``def`` per case.
  The source is registered in `linecache` under a ``<array-kernel-N>`` name,
  which is where `inspect.getsourcelines` (and so the compiler) finds it.
- `check_or_rejected(cfunc, *args)`: `check`, except that when NumPy rejects
  the operand types with a ``TypeError`` (``UFuncTypeError``: bitwise ops on
  floats, ``-`` on booleans, a same_kind in-place cast), the compiled function
  must fail to compile with a `TypingError` instead.
- `check_view(cfunc, *args)`: `check`, plus: each returned array shares memory
  with the first argument exactly when NumPy's does, views have NumPy's
  strides, and writing through the returned arrays changes the arguments as
  it does in NumPy.
- `check_empty(cfunc, *args)`: compares only the dtype and shape of the
  result (``np.empty``'s values are unspecified).
- `check_close(cfunc, *args, rel=8)` / `close_or_rejected`: like `check`,
  but complex (and float) values only within ``rel`` epsilons relative to
  the modulus, for operations whose rounding depends on NumPy's build
  (complex ``*``, ``/``, ``**``: its SIMD loops use FMA).
- `expect_unsupported(request, reason)`: a strict xfail for features NumPy
  has that the compiler does not support yet.
- `FLOAT_SPECIALS`: float values that exercise edge cases.
"""

import linecache
import textwrap
import types

import numpy as np
import pytest

from conftest import assert_precise_equal, check, clone, pure, quiet_numpy, sample_values
from oxjit import njit
from oxjit.errors import TypingError

_KERNELS = {}


def kernel(src, **options):
    """The dispatcher of ``njit(**options)`` applied to the one function that
    ``src`` defines (``np`` is in its globals). Memoized by source text, so
    that parametrized tests share compiled specialisations."""
    src = textwrap.dedent(src).strip() + "\n"
    key = (src, tuple(sorted(options.items())))
    if key in _KERNELS:
        return _KERNELS[key]
    filename = f"<array-kernel-{len(_KERNELS)}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    namespace = {"np": np, "__name__": "array_kernels"}
    exec(compile(src, filename, "exec"), namespace)  # noqa: S102 - test kernels
    funcs = [v for v in namespace.values() if isinstance(v, types.FunctionType)]
    assert len(funcs) == 1, f"kernel source must define one function:\n{src}"
    _KERNELS[key] = njit(**options)(funcs[0])
    return _KERNELS[key]


def expr_kernel(expr, params="a"):
    """``def f(<params>): return <expr>``, compiled."""
    return kernel(f"def f({params}):\n    return {expr}\n")


def expect_unsupported(request, reason):
    """Mark the running test as a strict xfail: a feature NumPy has and the
    compiler does not support yet. The test still runs, and fails (XPASS)
    once the feature works, so that the mark gets removed."""
    request.node.add_marker(pytest.mark.xfail(strict=True, reason=f"unsupported: {reason}"))


def numpy_rejects(cfunc, args, kwargs=None):
    """The ``TypeError`` NumPy raises for these operand types, or None."""
    with quiet_numpy():
        try:
            pure(cfunc)(*[clone(a) for a in args], **(kwargs or {}))
        except TypeError as e:
            return e
        except Exception:  # noqa: BLE001 - other errors are compared by check()
            return None
    return None


def check_or_rejected(cfunc, *args, ulps=0):
    """`check`, or, where NumPy rejects the operand types with a TypeError,
    a compile-time TypingError from the compiled function."""
    rejected = numpy_rejects(cfunc, args)
    if rejected is not None:
        with pytest.raises(TypingError):
            cfunc(*[clone(a) for a in args])
        return None
    return check(cfunc, *args, ulps=ulps)


def _assert_close(got, want, rel, path):
    """Complex (or float) values within ``rel`` units of the dtype's epsilon
    relative to ``|want|``; non-finite values must be identical."""
    assert type(got) is type(want), f"{path}: got {type(got).__name__}, want {type(want).__name__}"
    g, w = np.asarray(got), np.asarray(want)
    assert g.dtype == w.dtype, f"{path}: dtype {g.dtype}, want {w.dtype}"
    assert g.shape == w.shape, f"{path}: shape {g.shape}, want {w.shape}"
    if w.dtype.kind not in "fc":
        assert np.array_equal(g, w), f"{path}: got {g!r}, want {w!r}"
        return
    finite = np.isfinite(w)
    same_special = np.array_equal(g[~finite], w[~finite], equal_nan=True)
    assert same_special, f"{path}: non-finite values differ: got {g[~finite]!r}, want {w[~finite]!r}"
    eps = np.finfo(w.dtype).eps
    err = np.abs(g[finite] - w[finite])
    bound = rel * eps * np.abs(w[finite])
    bad = err > bound
    assert not bad.any(), (
        f"{path}: {bad.sum()} values differ by more than {rel} eps relative: "
        f"got {g[finite][bad][:3]!r}, want {w[finite][bad][:3]!r}"
    )


def check_close(cfunc, *args, rel=8):
    """`check` for results that NumPy computes with build-dependent rounding
    (complex multiply, divide and power: NumPy's SIMD loops use FMA): values
    within ``rel`` epsilons relative to the modulus, everything else (types,
    dtypes, shapes, exceptions, non-finite values) exactly."""
    py_args = [clone(a) for a in args]
    c_args = [clone(a) for a in args]
    with quiet_numpy():
        try:
            want = pure(cfunc)(*py_args)
        except Exception as e:  # noqa: BLE001
            with pytest.raises(type(e)) as info:
                cfunc(*c_args)
            assert info.value.args == e.args
            return info.value
    got = cfunc(*c_args)
    if isinstance(want, tuple):
        for i, (g, w) in enumerate(zip(got, want)):
            _assert_close(g, w, rel, f"result[{i}]")
    else:
        _assert_close(got, want, rel, "result")
    for i, (pa, ca) in enumerate(zip(py_args, c_args)):
        if isinstance(pa, np.ndarray):
            _assert_close(ca, pa, rel, f"argument {i} after the call")
    return got


def close_or_rejected(cfunc, *args, rel=8):
    """`check_close`, or a TypingError where NumPy rejects the types."""
    if numpy_rejects(cfunc, args) is not None:
        with pytest.raises(TypingError):
            cfunc(*[clone(a) for a in args])
        return None
    return check_close(cfunc, *args, rel=rel)


def _arrays_of(result):
    if isinstance(result, np.ndarray):
        return [result]
    if isinstance(result, tuple):
        return [r for item in result for r in _arrays_of(item)]
    return []


def _significant_strides(arr):
    """Strides of the axes longer than 1 (NumPy leaves the others arbitrary)."""
    return tuple((axis, s) for axis, (n, s) in enumerate(zip(arr.shape, arr.strides)) if n > 1)


def check_view(cfunc, *args, ulps=0):
    """Differential test for functions that return views (or tuples of them)
    of their first argument. Beyond `check`: a returned array shares memory
    with the argument exactly when NumPy's result does; a view has NumPy's
    strides; and after writing new values through every returned array, the
    arguments equal NumPy's (so a copy where NumPy gives a view, or a view
    of the wrong elements, fails)."""
    result = check(cfunc, *args, ulps=ulps)
    if isinstance(result, Exception):
        return result  # both raised the same exception
    py_args = [clone(a) for a in args]
    c_args = [clone(a) for a in args]
    with quiet_numpy():
        want = pure(cfunc)(*py_args)
    got = cfunc(*c_args)
    assert_precise_equal(got, want, ulps)
    base_py, base_c = py_args[0], c_args[0]
    for k, (g, w) in enumerate(zip(_arrays_of(got), _arrays_of(want))):
        w_shares = np.shares_memory(w, base_py)
        g_shares = np.shares_memory(g, base_c)
        assert g_shares == w_shares, (
            f"result array {k}: {'a view of' if g_shares else 'a copy of'} the argument, NumPy gives "
            f"{'a view' if w_shares else 'a copy'}"
        )
        if w_shares:
            assert _significant_strides(g) == _significant_strides(w), (
                f"result array {k}: strides {g.strides}, NumPy's view has {w.strides} (shape {w.shape})"
            )
        fill = sample_values(w.dtype, w.size, seed=100 + k).reshape(w.shape)
        w[...] = fill
        g[...] = fill
    for i, (pa, ca) in enumerate(zip(py_args, c_args)):
        if isinstance(pa, np.ndarray):
            assert_precise_equal(ca, pa, _path=f"argument {i} after writing through the results")
    return got


def check_empty(cfunc, *args):
    """For ``np.empty``-like results: same type, dtype and shape (or the same
    exception), values not compared."""
    with quiet_numpy():
        try:
            want = pure(cfunc)(*args)
        except Exception as e:  # noqa: BLE001
            with pytest.raises(type(e)) as info:
                cfunc(*args)
            assert info.value.args == e.args
            return None
    got = cfunc(*args)
    assert type(got) is np.ndarray, f"got {type(got).__name__}, want ndarray"
    assert got.dtype == want.dtype, f"dtype {got.dtype}, want {want.dtype}"
    assert got.shape == want.shape, f"shape {got.shape}, want {want.shape}"
    return got


FLOAT_SPECIALS = [
    0.0,
    -0.0,
    0.5,
    -0.5,
    1.0,
    -1.0,
    2.0,
    -3.75,
    0.1,
    1e-300,
    5e-324,
    1e300,
    -1e300,
    88.5,
    -100.0,
    700.0,
    -745.5,
    3.141592653589793,
    1e10,
    -1e-10,
    float("inf"),
    float("-inf"),
    float("nan"),
]


def float_specials(dtype, extra=41, seed=3):
    """`FLOAT_SPECIALS` (as ``dtype``) followed by ``extra`` varied values."""
    with quiet_numpy():
        special = np.array(FLOAT_SPECIALS, dtype=np.float64).astype(dtype)
    rng = np.random.default_rng(seed)
    varied = (rng.standard_normal(extra) * np.array([1, 10, 100])[np.arange(extra) % 3]).astype(dtype)
    return np.concatenate([special, varied])
