"""The library registry, compared with NumPy and CPython.

- ``np.flip`` / ``np.fliplr`` / ``np.flipud`` (declared through the
  registry as views): every axis choice (none, one, negative, a tuple) over
  1-D to 3-D arrays in C, F and non-contiguous layouts and several dtypes,
  checked with `check_view` (values, that the result is a view with
  NumPy's strides, writes through it); flips consumed inside the function
  (an expression, a reduction, a flip of a flip); a too-small ndim or an
  out-of-range axis is a compile error naming the function.
- Calls are bound to the declared parameters for every entry: keywords
  and defaults where Python allows them, positional-only parameters
  rejected by keyword as CPython does, and the error hints list the
  parameters.
- Functions are recognised by identity, not by name: an alias
  (``from numpy import absolute as A``), a function reached through a
  submodule that the registry does not have (``np.linalg.inv``,
  ``np.emath.sqrt``) is reported by its own path and never taken for the
  NumPy function of the same name, a user's Python function named like a
  builtin is not the builtin.
- ``conj``/``conjugate`` as a function and as a method of arrays and numbers.
"""

import importlib
import inspect
import math
import re

import numpy as np
import pytest

from array_helpers import check_view, kernel
from conftest import LAYOUTS, check, make_array, run_python
from oxjit import _core, njit
from oxjit.errors import NumbaError, TypingError

FLIP_DTYPES = [np.float64, np.int32, np.bool_, np.complex128]
FLIP_IDS = [np.dtype(d).name for d in FLIP_DTYPES]

# (shape, call) pairs: every axis form on every ndim it applies to.
FLIPS = [
    ((7,), "np.flip(a)"),
    ((7,), "np.flip(a, 0)"),
    ((7,), "np.flip(a, axis=-1)"),
    ((7,), "np.flipud(a)"),
    ((3, 4), "np.flip(a)"),
    ((3, 4), "np.flip(a, 1)"),
    ((3, 4), "np.flip(a, axis=-2)"),
    ((3, 4), "np.flip(a, (0, 1))"),
    ((3, 4), "np.fliplr(a)"),
    ((3, 4), "np.flipud(a)"),
    ((2, 3, 4), "np.flip(a)"),
    ((2, 3, 4), "np.flip(a, (0, 2))"),
    ((2, 3, 4), "np.flip(m=a, axis=1)"),
    ((2, 3, 4), "np.fliplr(a)"),
    ((2, 3, 4), "np.flipud(a)"),
    ((0, 3), "np.flip(a, 0)"),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", FLIP_DTYPES, ids=FLIP_IDS)
@pytest.mark.parametrize(("shape", "call"), FLIPS, ids=[f"{s}-{c}" for s, c in FLIPS])
def test_flip_is_a_view(shape, call, dtype, layout):
    a = make_array(dtype, shape, layout)
    check_view(kernel(f"def f(a):\n    return {call}\n"), a)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "body",
    [
        "return np.flip(a) * 2.0 + a",
        "return np.flip(a, 0).sum()",
        "return np.flip(np.flip(a, 1), 1)",
        "return np.fliplr(a)[1:, ::2]",
        "b = np.flipud(a)\n    b[0, 0] = -1.0\n    return a",
        "return np.flip(a, axis=1).copy()",
    ],
)
def test_flip_consumed_in_the_function(body, layout):
    a = make_array(np.float64, (4, 5), layout)
    check(kernel(f"def f(a):\n    {body}\n"), a)


@pytest.mark.parametrize(
    ("shape", "call", "message"),
    [
        ((5,), "np.fliplr(a)", "np.fliplr() needs an array of at least 2 dimension"),
        ((3, 4), "np.flip(a, 2)", "axis 2 is out of bounds for array of dimension 2"),
        ((3, 4), "np.flip(a, (0, 5))", "axis 5 is out of bounds"),
        ((3, 4), "np.flip(3.0)", "np.flip() needs an array, not float64"),
        ((3, 4), "np.flip(a, axis=0, out=a)", "unexpected keyword argument 'out'"),
    ],
)
def test_flip_errors(shape, call, message):
    a = np.zeros(shape)
    f = kernel(f"def f(a):\n    return {call}\n")
    with pytest.raises(TypingError, match=re.escape(message)):
        f(a)


# --- binding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        "round(x, ndigits=1)",
        "round(number=x)",
        "complex(imag=x)",
        "complex(real=x, imag=2.0)",
        "np.linspace(0.0, x, num=5, endpoint=False).sum()",
        "np.eye(3, k=1, dtype=np.int32)",
        "np.full(shape=(2, 2), fill_value=x)",
        "np.reshape(np.arange(6), shape=(2, 3))",
        "np.sum(a=np.arange(4.0) * x)",
        "np.var(np.arange(5.0) * x, ddof=1)",
        "np.stack(arrays=(np.ones(2), np.zeros(2)), axis=1)",
        "math.log(x, 2.0)",
    ],
)
def test_keywords_and_defaults(expr):
    f = kernel(f"def f(x):\n    return {expr}\n")
    f.py_func.__globals__["math"] = math
    check(f, 2.5)


@pytest.mark.parametrize(
    ("expr", "message", "hint"),
    [
        ("math.sqrt(x=x)", r"math.sqrt\(\) got an unexpected keyword argument 'x'", "no keyword"),
        ("len(obj=x)", r"len\(\) got an unexpected keyword argument 'obj'", "no keyword"),
        ("np.sum(x, axes=0)", "unexpected keyword argument 'axes'", "a, axis"),
        ("np.sum(x, 0, 1)", r"takes 2 positional argument\(s\) but 3 were given", ""),
        ("np.full((2,))", "missing required argument 'fill_value'", ""),
        ("np.linspace(0.0, 1.0, start=0.5)", "multiple values for argument 'start'", ""),
        ("np.arange(3, start_or_stop=1)", "unexpected keyword argument 'start_or_stop'", "stop"),
        ("np.concatenate(arrays=(x, x))", "unexpected keyword argument 'arrays'", "axis"),
    ],
)
def test_binding_errors(expr, message, hint):
    f = kernel(f"def f(x):\n    return {expr}\n")
    f.py_func.__globals__["math"] = math
    with pytest.raises(TypingError, match=message) as e:
        f(np.ones(3))
    assert hint in str(e.value)


# --- resolution by identity -------------------------------------------------------------------

absolute_alias = np.absolute
from numpy import flip as reversed_view  # noqa: E402 - the alias is what is tested


def uses_aliases(a):
    return absolute_alias(a) + reversed_view(a)


def test_aliases_are_the_functions_themselves():
    check(njit(uses_aliases), np.linspace(-1.0, 1.0, 5))


def linalg_inv(a):
    return np.linalg.inv(a)


def emath_sqrt(x):
    return np.emath.sqrt(x)


@pytest.mark.parametrize(
    ("fn", "path"),
    [(linalg_inv, "numpy.linalg.inv"), (emath_sqrt, "numpy.emath.sqrt|numpy.lib.scimath.sqrt")],
)
def test_submodule_functions_keep_their_path(fn, path):
    """Not flattened to `numpy.inv`/`numpy.sqrt`: np.emath.sqrt(-1.0) is 1j,
    which the plain sqrt path would silently turn into nan."""
    with pytest.raises(TypingError, match=f"function '({path})' is not supported"):
        njit(fn)(np.eye(2) if fn is linalg_inv else -1.0)


def len(x):  # noqa: A001 - a user function shadowing the builtin is the test
    return 42


def calls_own_len(a):
    return len(a)


def test_a_user_function_named_like_a_builtin_is_not_the_builtin():
    with pytest.raises(NumbaError, match="Python function 'len'"):
        njit(calls_own_len)(np.ones(3))


def test_near_miss_gets_a_suggestion():
    f = kernel("def f(a):\n    return np.sqr(a)\n")
    with pytest.raises(NumbaError, match="did you mean np.sqrt"):
        f(np.ones(2))


# --- conj ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr", ["np.conj(a)", "np.conjugate(a) * 2", "a.conj()", "a.conjugate()", "a[0].conj()"]
)
@pytest.mark.parametrize("dtype", [np.complex128, np.complex64, np.float64, np.int64])
def test_conjugate(expr, dtype):
    a = make_array(dtype, (5,))
    check(kernel(f"def f(a):\n    return {expr}\n"), a)


# --- the registry agrees with Python ------------------------------------------------------------


def _resolve(path):
    """The object a registry path names: the longest importable module
    prefix, then attributes (`oxjit.typed.List.empty_list`)."""
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


def _python_signature(entry):
    if entry["method"] == "Only":
        kind, name = entry["path"].rsplit(".", 1)
        owner = {"ndarray": np.ndarray, "list": list, "dict": dict, "set": set, "str": str}[kind]
        obj = getattr(owner, name)
    else:
        obj = _resolve(entry["path"])
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None  # ufuncs and some builtins have no introspectable signature


ENTRIES = _core.library()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["path"] for e in ENTRIES])
def test_entry_resolves_and_agrees_with_python(entry):
    """Each declared path names a real object (aliases too), and where
    Python can tell its signature, every declared parameter is one of
    Python's, at the same position, passable the same way (positional-only
    or by keyword), with the same default where both have one."""
    if entry["method"] != "Only":
        for path in [entry["path"], *entry["aliases"]]:
            if path == "numpy.random.ranf":
                continue  # removed from NumPy 2's namespace; kept for older code
            assert callable(_resolve(path)), path
    sig = _python_signature(entry)
    if sig is None:
        return
    theirs = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    by_name = {p.name: (i, p) for i, p in enumerate(theirs)}
    for i, (name, has_default, default, positional_only, keyword_only) in enumerate(entry["params"]):
        where = f"{entry['path']}: '{name}' in {sig}"
        assert name in by_name, f"{entry['path']}: no parameter '{name}' in {sig}"
        j, p = by_name[name]
        if not keyword_only:
            assert j == i, f"{where} is parameter {j}, declared as {i}"
        assert positional_only == (p.kind is p.POSITIONAL_ONLY), where
        assert not (keyword_only and p.kind is p.POSITIONAL_ONLY), where
        if has_default and p.default is not p.empty:
            # dtype=None is NumPy's spelling of its default dtype everywhere.
            assert default == p.default or (name == "dtype" and default is None), where
    if entry["rest"] is not None:
        assert any(p.kind is p.VAR_POSITIONAL for p in theirs), f"{entry['path']}: *args in {sig}"


LAZY_SCRIPT = '''
import sys
import numpy as np
import oxjit

@oxjit.njit
def f(x):
    return np.sqrt(x) + abs(x)

assert f(4.0) == 6.0
# Recognising library objects must not import NumPy's lazily loaded submodules.
assert "numpy.random" not in sys.modules, "compiling imported numpy.random"

@oxjit.njit
def g(n):
    np.random.seed(n)
    return np.random.random()

np.random.seed(3)
assert g(3) == np.random.random()
print("ok")
'''


def test_lazy_submodules_are_recognised_once_imported(tmp_path):
    script = tmp_path / "lazy.py"
    script.write_text(LAZY_SCRIPT)
    proc = run_python(script, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


# --- round and outer ----------------------------------------------------------------------------


@pytest.mark.parametrize("decimals", [0, 1, 2, 3, -1, -2])
@pytest.mark.parametrize("call", ["np.round(a, {d})", "np.around(a, decimals={d})", "a.round({d})"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_like_numpy(call, decimals, dtype):
    """NumPy's algorithm (scale, round half to even, unscale in the
    array's dtype), so results agree bit for bit, 2.675 → 2.68 included."""
    a = np.array([2.675, -2.5, 0.5, 1234.5678, -0.125, 3e38, np.inf, np.nan, -0.0], dtype=dtype)
    expr = call.format(d=decimals)
    check(kernel(f"def f(a):\n    return {expr}\n"), a)
    check(kernel(f"def f(a):\n    return np.round(a[0], {decimals}), np.round(a[3], {decimals})\n"), a)


@pytest.mark.parametrize("dtype", [np.int64, np.int16])
def test_round_of_integers(dtype):
    a = np.array([3, -7, 12], dtype=dtype)
    check(kernel("def f(a):\n    return np.round(a), np.round(a, 2), np.round(a[0])\n"), a)
    with pytest.raises(TypingError, match="negative decimals is not supported yet"):
        kernel("def f(a):\n    return np.round(a, -1)\n")(a)


def test_round_decimals_must_be_constant():
    with pytest.raises(TypingError, match="decimals must be a constant integer"):
        kernel("def f(a, d):\n    return np.round(a, d)\n")(np.ones(2), 1)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("da", "db"), [(np.float64, np.float64), (np.int64, np.float32), (np.int32, np.int32)])
def test_outer(da, db, layout):
    a = make_array(da, (4,), layout)
    b = make_array(db, (2, 3), layout, seed=5)
    check(kernel("def f(a, b):\n    return np.outer(a, b)\n"), a, b)
    check(kernel("def f(a, b):\n    return np.outer(a, b).sum() + np.outer(b, a)[1, 2]\n"), a, b)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.bool_, np.complex128])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (2, 3, 4)])
@pytest.mark.parametrize("k", [0, 1, -2, 7])
def test_triu_tril(layout, dtype, shape, k):
    m = make_array(dtype, shape, layout)
    check(kernel("def f(m, k):\n    return np.triu(m, k), np.tril(m, k=k), np.triu(m), np.tril(m * 2)\n"), m, k)


def test_triu_of_a_vector_is_a_compile_error():
    from oxjit.errors import TypingError

    with pytest.raises(TypingError, match=r"np.triu\(\) needs an array of at least 2 dimensions"):
        kernel("def f(v):\n    return np.triu(v)\n")(np.ones(3))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int16, np.uint8, np.bool_, np.complex64])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_item(dtype, layout):
    m = make_array(dtype, (2, 3), layout)
    check(kernel("def f(m, i, j):\n    return m.item(i, j), m[:1, 1:2].item(), m[1].item(j)\n"), m, 1, -1)
    # More than one element: NumPy's exception and message. Out of range:
    # IndexError (with the generic message of bounds-checked indexing).
    check(kernel("def f(m, i, j):\n    return m.item()\n"), m, 0, 0)
    with pytest.raises(IndexError, match="out of bounds"):
        kernel("def f(m, i, j):\n    return m.item(i, j)\n")(m, 2, 0)


def test_item_with_a_flat_index_of_a_matrix_is_a_compile_error():
    from oxjit.errors import TypingError

    with pytest.raises(TypingError, match="takes no index or one per dimension"):
        kernel("def f(m):\n    return m.item(3)\n")(np.ones((2, 2)))
