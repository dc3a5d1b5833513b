"""The decorators `jit` and `njit`: every accepted form, the options,
rejection of unknown options, the object-mode warning, and
``OXJIT_DISABLE_JIT=1``."""

import textwrap
import warnings

import numpy as np
import pytest

import oxjit
from conftest import run_python
from oxjit import float64, int64, jit, njit
from oxjit.dispatcher import Dispatcher
from oxjit.errors import NumbaDeprecationWarning


def mul(x, y):
    return x * y


def total(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


FORMS = [
    ("njit(f)", lambda f: njit(f)),
    ("njit()(f)", lambda f: njit()(f)),
    ("njit(nogil=True)(f)", lambda f: njit(nogil=True)(f)),
    ("jit(f)", lambda f: jit(f)),
    ("jit()(f)", lambda f: jit()(f)),
    ("jit(nopython=True)(f)", lambda f: jit(nopython=True)(f)),
    ("njit(sig)(f)", lambda f: njit("int64(int64, int64)")(f)),
    ("njit([sigs])(f)", lambda f: njit(["int64(int64, int64)", "float64(float64, float64)"])(f)),
    ("njit(typed sig)(f)", lambda f: njit(int64(int64, int64))(f)),
    ("jit(sig, options)(f)", lambda f: jit("int64(int64, int64)", nogil=True, fastmath=True)(f)),
    ("njit(tuple of types)(f)", lambda f: njit((int64, int64))(f)),
]


@pytest.mark.parametrize("make", [m for _, m in FORMS], ids=[n for n, _ in FORMS])
def test_decorator_forms(make):
    f = make(mul)
    assert isinstance(f, Dispatcher)
    assert f.py_func is mul
    assert f(6, 7) == 42


def test_decorator_syntax():
    @njit
    def a(x):
        return x + 1

    @njit()
    def b(x):
        return x + 2

    @jit("float64(float64)")
    def c(x):
        return x + 3

    assert (a(1), b(1), c(1.0)) == (2, 3, 4.0)
    assert len(c.signatures) == 1


@pytest.mark.parametrize(
    "options",
    [
        {"nogil": True},
        {"boundscheck": True},
        {"boundscheck": False},
        {"error_model": "numpy"},
        {"fastmath": True},
        {"parallel": True},
        {"cache": True},
        {"nogil": True, "fastmath": True, "error_model": "python", "boundscheck": True},
        {"debug": False},
        {"inline": "never"},
        {"locals": {}},
    ],
)
def test_options_are_accepted_by_jit_and_njit(options):
    a = np.arange(5.0)
    assert njit(**options)(total)(a) == 10.0
    assert jit(**options)(total)(a) == 10.0


@pytest.mark.parametrize("bad", ["fastmth", "no_gil", "boundcheck", "nopyton", "parralel", "signature"])
def test_unknown_option_is_a_type_error(bad):
    with pytest.raises(TypeError, match=bad):
        njit(**{bad: True})
    with pytest.raises(TypeError, match=bad):
        jit(**{bad: True})


def test_unknown_option_suggests_the_right_one():
    with pytest.raises(TypeError, match="did you mean 'fastmath'"):
        njit(fastmth=True)


def test_bad_error_model():
    with pytest.raises(ValueError, match="error_model"):
        njit(error_model="c")


@pytest.mark.parametrize("options", [{"nopython": False}, {"forceobj": True}])
def test_object_mode_warns_and_compiles_in_nopython_mode(options):
    with pytest.warns(NumbaDeprecationWarning):
        f = jit(**options)(mul)
    assert isinstance(f, Dispatcher)
    assert f(3, 4) == 12


def test_njit_warns_about_nopython_options():
    with pytest.warns(NumbaDeprecationWarning):
        f = njit(nopython=True)(mul)
    assert f(2, 3) == 6


def test_default_options_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jit(nopython=True)(mul)
        njit(mul)


@pytest.mark.parametrize("thing", [len, np.sin, 42, [1, 2], object()], ids=["builtin", "ufunc", "int", "list", "object"])
def test_only_python_functions_compile(thing):
    with pytest.raises(TypeError):
        njit(thing)


def test_decorating_a_dispatcher_is_an_error():
    with pytest.raises(TypeError):
        njit(njit(mul))


def test_options_reach_the_compiler():
    def divide(x, y):
        return x / y

    with pytest.raises(ZeroDivisionError):
        njit(divide)(1.0, 0.0)
    assert njit(error_model="numpy")(divide)(1.0, 0.0) == float("inf")
    assert jit(error_model="numpy")(divide)(-1.0, 0.0) == float("-inf")

    def get(a, i):
        return a[i]

    with pytest.raises(IndexError):
        njit(boundscheck=True)(get)(np.zeros(2), 2)
    with pytest.raises(IndexError):
        jit(boundscheck=True)(get)(np.zeros(2), -3)


def test_signature_objects_print_as_strings():
    assert str(float64(float64[:], int64)) == "float64(array(float64, 1d, A), int64)"


DISABLE_JIT_SCRIPT = """
import types
import numpy as np
from oxjit import jit, njit, config

def f(x):
    return x + 1

print("config", config.DISABLE_JIT)
print("njit", njit(f) is f)
print("njit()", njit()(f) is f)
print("njit(sig)", njit("int64(int64)")(f) is f)
print("jit", jit(f) is f)
print("jit(opts)", jit(nogil=True, boundscheck=True)(f) is f)

@njit
def g(a):
    return a[10]

print("plain", isinstance(g, types.FunctionType))
try:
    g(np.zeros(3))
except IndexError:
    print("python semantics")
"""


def test_disable_jit_returns_plain_functions(tmp_path):
    script = tmp_path / "disable.py"
    script.write_text(textwrap.dedent(DISABLE_JIT_SCRIPT))
    proc = run_python(script, {"OXJIT_DISABLE_JIT": "1"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "config True",
        "njit True",
        "njit() True",
        "njit(sig) True",
        "jit True",
        "jit(opts) True",
        "plain True",
        "python semantics",
    ]


def test_disable_jit_off_compiles(tmp_path):
    script = tmp_path / "enabled.py"
    script.write_text("from oxjit import njit\n\ndef f(x):\n    return x + 1\n\nprint(type(njit(f)).__name__, njit(f)(1))\n")
    proc = run_python(script, {"OXJIT_DISABLE_JIT": "0"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "Dispatcher 2"


def test_disable_jit_config_attribute(monkeypatch):
    monkeypatch.setattr(oxjit.config, "DISABLE_JIT", True)
    assert njit(mul) is mul
    monkeypatch.setattr(oxjit.config, "DISABLE_JIT", False)
    assert isinstance(njit(mul), Dispatcher)


@pytest.mark.parametrize("sigs", [[()], ["int64(int64, int64)"], [("int64", "int64", "int64")]])
def test_a_signature_of_the_wrong_arity_is_a_type_error(sigs):
    # It once reached the compiler and panicked (issue 18).
    def one(x):
        return x

    with pytest.raises(TypeError, match="signature mismatch: .* but 'one' takes 1 argument"):
        jit(sigs)(one)
