"""Shared test helpers.

- `assert_precise_equal(got, want, ulps=0)`: equality that also checks the
  Python/NumPy type, dtype and shape; floats compare to a stated ULP bound,
  NaN equals NaN, and with ``ulps=0`` ``-0.0`` differs from ``0.0``.
- `check(cfunc, *args, **kwargs)`: the differential test. Runs the compiled
  function and its ``py_func`` (CPython is the oracle) on separate copies of
  the arguments and asserts the same result (or the same exception type and
  message) and the same mutations of array arguments.
- `make_array(dtype, shape, layout)`: C, F or non-contiguous ('A') arrays.
- An autouse fixture that checks the runtime's allocation counters balance
  around every test (no leaked runtime allocations).

Test modules import these with ``from conftest import ...`` (pytest puts
``tests/`` on ``sys.path``).
"""

import gc
import math
import os
import struct
import subprocess
import sys
import types
import warnings

import numpy as np
import pytest

# Parallel tests use 1, 2 and 3 threads, on any machine (read at first use).
os.environ.setdefault("OXJIT_NUM_THREADS", "3")

from oxjit import _core  # noqa: E402

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(TESTS_DIR)

# --- exact comparison ------------------------------------------------------------


def _ordered(x, width):
    """A float's bit pattern as an integer ordered like the floats
    (-0.0 and 0.0 both map to 0)."""
    if width == 32:
        i = struct.unpack("<i", struct.pack("<f", x))[0]
        return i if i >= 0 else -(i & 0x7FFFFFFF)
    i = struct.unpack("<q", struct.pack("<d", x))[0]
    return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)


def ulp_distance(a, b, width=64):
    """Units in the last place between two finite or infinite floats."""
    return abs(_ordered(a, width) - _ordered(b, width))


def _float_mismatch(got, want, ulps, width):
    """None if the floats agree, else a description of the difference."""
    got, want = float(got), float(want)
    if math.isnan(want) or math.isnan(got):
        return None if math.isnan(want) and math.isnan(got) else f"{got!r} != {want!r}"
    if ulps == 0:
        if got == want and math.copysign(1.0, got) == math.copysign(1.0, want):
            return None
        return f"{got!r} != {want!r}"
    if math.isinf(got) or math.isinf(want):
        return None if got == want else f"{got!r} != {want!r}"
    d = ulp_distance(got, want, width)
    return None if d <= ulps else f"{got!r} != {want!r} ({d} ulps apart, allowed {ulps})"


def _array_mismatch(got, want, ulps):
    kind = want.dtype.kind
    if kind not in "fc":
        if not np.array_equal(got, want):
            bad = np.argwhere(got != want)[:5].tolist()
            return f"elements differ at {bad}: got {got.tolist()!r}, want {want.tolist()!r}"
        return None
    width = 32 if want.dtype in (np.float32, np.complex64) else 64
    parts = [(got.real, want.real), (got.imag, want.imag)] if kind == "c" else [(got, want)]
    for g_part, w_part in parts:
        for idx, (g, w) in enumerate(zip(g_part.ravel().tolist(), w_part.ravel().tolist())):
            msg = _float_mismatch(g, w, ulps, width)
            if msg:
                return f"element {np.unravel_index(idx, want.shape) if want.shape else ()}: {msg}"
    return None


def assert_precise_equal(got, want, ulps=0, _path="result"):
    """Assert ``got`` equals ``want`` in type, dtype, shape and value.

    Python ``bool``/``int``/``float``/``complex`` must match exactly by type
    (a NumPy scalar is not a Python float); NumPy scalars and arrays must
    have the same dtype, except that a Python ``bool`` stands for
    ``np.bool_`` (compiled code boxes every boolean as a Python bool). Floats (and complex parts) may differ by at most
    ``ulps`` units in the last place; NaN equals NaN; with ``ulps=0`` the
    sign of zero counts.
    """
    if isinstance(want, list):
        assert type(got) is list, f"{_path}: got {type(got).__name__} {got!r}, want list {want!r}"
        assert len(got) == len(want), f"{_path}: got {len(got)} items {got!r}, want {len(want)} {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_precise_equal(g, w, ulps, f"{_path}[{i}]")
        return
    if isinstance(want, dict):
        assert type(got) is dict, f"{_path}: got {type(got).__name__} {got!r}, want dict {want!r}"
        # Insertion order is part of a dict's value in Python.
        assert list(got) == list(want), f"{_path}: got keys {list(got)!r}, want {list(want)!r}"
        for k in want:
            assert_precise_equal(got[k], want[k], ulps, f"{_path}[{k!r}]")
        return
    if isinstance(want, set):
        # A set's order is not part of its value (tests compare orders as
        # lists made in the function); its items' types are.
        assert type(got) is set, f"{_path}: got {type(got).__name__} {got!r}, want set {want!r}"
        assert got == want, f"{_path}: got {got!r}, want {want!r}"
        by_value = {x: x for x in got}
        for w in want:
            assert_precise_equal(by_value[w], w, ulps, f"{_path} item {w!r}")
        return
    if isinstance(want, tuple):
        assert type(got) is tuple, f"{_path}: got {type(got).__name__} {got!r}, want tuple {want!r}"
        assert len(got) == len(want), f"{_path}: got {len(got)} items {got!r}, want {len(want)} {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_precise_equal(g, w, ulps, f"{_path}[{i}]")
        return
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), f"{_path}: got {type(got).__name__} {got!r}, want an array"
        assert got.dtype == want.dtype, f"{_path}: dtype {got.dtype}, want {want.dtype}"
        assert got.shape == want.shape, f"{_path}: shape {got.shape}, want {want.shape}"
        msg = _array_mismatch(got, want, ulps)
        assert msg is None, f"{_path}: {msg}"
        return
    if isinstance(want, np.bool_) and type(got) is bool:
        # Compiled code has one boolean type and boxes it as a Python bool
        # (as Numba does), where NumPy would give np.bool_.
        assert got is bool(want), f"{_path}: got {got!r}, want {want!r}"
        return
    if isinstance(want, np.generic):
        assert type(got) is type(want), (
            f"{_path}: got {type(got).__name__} {got!r}, want NumPy {type(want).__name__} {want!r}"
        )
        msg = _array_mismatch(np.asarray(got), np.asarray(want), ulps)
        assert msg is None, f"{_path}: {msg}"
        return
    assert type(got) is type(want), f"{_path}: got {type(got).__name__} {got!r}, want {type(want).__name__} {want!r}"
    if type(want) is float:
        msg = _float_mismatch(got, want, ulps, 64)
        assert msg is None, f"{_path}: {msg}"
    elif type(want) is complex:
        for part in ("real", "imag"):
            msg = _float_mismatch(getattr(got, part), getattr(want, part), ulps, 64)
            assert msg is None, f"{_path}.{part}: {msg} (got {got!r}, want {want!r})"
    else:
        assert got == want, f"{_path}: got {got!r}, want {want!r}"


# --- differential testing -----------------------------------------------------------


def clone(value):
    """A copy of an argument that keeps an array's layout: C and F arrays stay
    C/F, a non-contiguous array becomes a non-contiguous view (same shape
    and dtype) of a fresh buffer; lists are copied item by item."""
    if isinstance(value, list):
        return [clone(x) for x in value]
    if isinstance(value, set):
        return set(value)
    if not isinstance(value, np.ndarray):
        return value
    if value.flags.c_contiguous or value.flags.f_contiguous:
        return np.array(value, order="K", copy=True)
    big = np.zeros(tuple(2 * s for s in value.shape), dtype=value.dtype)
    view = big[tuple(slice(None, None, 2) for _ in value.shape)]
    view[...] = value
    return view


class quiet_numpy:
    """Silence NumPy's overflow/invalid/divide warnings, which CPython (the
    oracle) emits for NumPy scalars and compiled code does not."""

    def __enter__(self):
        self._err = np.seterr(all="ignore")
        self._warn = warnings.catch_warnings()
        self._warn.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)
        return self

    def __exit__(self, *exc):
        self._warn.__exit__(*exc)
        np.seterr(**self._err)
        return False


def outcome(fn, args, kwargs):
    """("ok", value) or ("raise", exception)."""
    try:
        return "ok", fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the exception is the result
        return "raise", e


def pure(func):
    """A pure-Python copy of a function (or of a dispatcher's ``py_func``):
    global names bound to dispatchers are rebound, transitively, to pure
    copies of their Python functions, so that the oracle of a differential
    test never runs compiled code (not even through recursive calls)."""
    from oxjit.dispatcher import Dispatcher

    memo = {}

    def convert(f):
        if f in memo:
            return memo[f]
        namespace = dict(f.__globals__)
        copy = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
        copy.__kwdefaults__ = f.__kwdefaults__
        memo[f] = copy
        for name in f.__code__.co_names:
            value = namespace.get(name)
            if isinstance(value, Dispatcher):
                namespace[name] = convert(value.py_func)
        return copy

    return convert(func.py_func if isinstance(func, Dispatcher) else func)


def check(cfunc, *args, ulps=0, **kwargs):
    """Differential test: ``cfunc(*args, **kwargs)`` must behave exactly as
    its Python function, run by CPython (see `pure`), on copies of the
    same arguments. Returns the compiled result."""
    py_args = [clone(a) for a in args]
    c_args = [clone(a) for a in args]
    with quiet_numpy():
        want = outcome(pure(cfunc), py_args, kwargs)
    got = outcome(cfunc, c_args, kwargs)
    where = f"{cfunc.__name__}{tuple(args)!r}" + (f" with {kwargs!r}" if kwargs else "")
    if want[0] == "raise":
        w = want[1]
        assert got[0] == "raise", f"{where}: Python raised {type(w).__name__}({w}), compiled returned {got[1]!r}"
        g = got[1]
        assert type(g) is type(w), f"{where}: raised {type(g).__name__}({g}), Python raised {type(w).__name__}({w})"
        assert g.args == w.args, f"{where}: raised {type(g).__name__}{g.args!r}, Python raised {type(w).__name__}{w.args!r}"
        return g
    if got[0] == "raise":
        raise AssertionError(f"{where}: compiled raised {type(got[1]).__name__}: {got[1]}, Python returned {want[1]!r}") from got[1]
    assert_precise_equal(got[1], want[1], ulps, _path=where)
    for i, (pa, ca) in enumerate(zip(py_args, c_args)):
        if isinstance(pa, (np.ndarray, list, set)):
            assert_precise_equal(ca, pa, ulps, _path=f"{where}: argument {i} after the call")
    return got[1]


_JITTED = {}


def jitted(fn, **options):
    """The dispatcher of ``njit(**options)(fn)``, made once per session so
    that parametrized tests share compiled specialisations."""
    from oxjit import njit

    key = (fn, tuple(sorted(options.items())))
    if key not in _JITTED:
        _JITTED[key] = njit(**options)(fn)
    return _JITTED[key]


def wrap64(value):
    """A Python int wrapped to int64, as compiled integer arithmetic does."""
    return (value + 2**63) % 2**64 - 2**63


# --- arrays -------------------------------------------------------------------------

ALL_DTYPES = [
    np.bool_,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
    np.float32,
    np.float64,
    np.complex64,
    np.complex128,
]
LAYOUTS = ["C", "F", "A"]


def sample_values(dtype, n, seed=0):
    """``n`` varied values of a dtype, within its range (negative ones for
    signed types, fractions for floats, both parts for complex)."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    if dtype.kind == "b":
        return rng.integers(0, 2, n).astype(bool)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -1000), min(info.max, 1000)
        return rng.integers(lo, hi, n, endpoint=True).astype(dtype)
    if dtype.kind == "f":
        return (rng.standard_normal(n) * 100).astype(dtype)
    return (rng.standard_normal(n) * 100 + 1j * rng.standard_normal(n) * 100).astype(dtype)


def make_array(dtype, shape, layout="C", seed=0):
    """An array of ``shape`` with the given layout: 'C', 'F', or 'A'
    (non-contiguous: every other element of a larger array)."""
    size = int(np.prod(shape))
    values = sample_values(dtype, size, seed).reshape(shape)
    if layout == "C":
        return np.ascontiguousarray(values)
    if layout == "F":
        return np.asfortranarray(values)
    big = np.zeros(tuple(2 * s for s in shape), dtype=dtype)
    view = big[tuple(slice(None, None, 2) for _ in shape)]
    view[...] = values
    if view.size > 1:
        assert not view.flags.c_contiguous and not view.flags.f_contiguous
    return view


# --- subprocesses -------------------------------------------------------------------


def run_python(code_path, env_extra=None, timeout=300):
    """Run a Python file in a fresh interpreter with the given environment
    additions; returns the CompletedProcess (text mode)."""
    env = dict(os.environ)
    for key in ("OXJIT_DISABLE_JIT", "OXJIT_BOUNDSCHECK"):
        env.pop(key, None)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, str(code_path)], capture_output=True, text=True, env=env, timeout=timeout, cwd=REPO_DIR
    )


# --- leak check ----------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the item, for the leak check."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


_LAST_FAILED = [False]


@pytest.fixture(autouse=True)
def balanced_allocations(request):
    """Every runtime allocation made during a passing test is freed by its
    end. A failing test's traceback keeps its values alive, so its count is
    not checked, and the next test starts from a collected heap. (Collecting
    only when needed keeps the suite fast.)"""
    if _LAST_FAILED[0]:
        gc.collect()
    before = _core.alloc_stats()
    yield
    rep = getattr(request.node, "rep_call", None)
    _LAST_FAILED[0] = rep is None or not rep.passed
    if _LAST_FAILED[0]:
        return
    # More frees than allocations: values of an earlier failed or xfailed
    # test (kept alive by its traceback) died during this one.
    delta = _delta(before)
    if delta["allocs"] > delta["frees"] or delta["meminfo_allocs"] > delta["meminfo_frees"]:
        gc.collect()  # values in reference cycles die only when collected
        delta = _delta(before)
    assert delta["allocs"] <= delta["frees"], f"runtime allocations leaked during the test: {delta}"
    assert delta["meminfo_allocs"] <= delta["meminfo_frees"], f"meminfos leaked during the test: {delta}"


def _delta(before):
    after = _core.alloc_stats()
    return {k: after[k] - before[k] for k in ("allocs", "frees", "meminfo_allocs", "meminfo_frees")}


def _known_failures():
    """Node id → reason, from known_failures.txt."""
    path = os.path.join(os.path.dirname(__file__), "known_failures.txt")
    known = {}
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                nodeid, reason = line.rstrip("\n").split("\t", 1)
                known[nodeid] = reason
    return known


def pytest_collection_modifyitems(config, items):
    """Known differences from NumPy (tests/known_failures.txt) are strict
    xfails with their reason, so a fix shows up as an XPASS failure."""
    known = _known_failures()
    for item in items:
        reason = known.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"known difference: {reason}"))
