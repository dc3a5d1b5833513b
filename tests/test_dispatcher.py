"""The dispatcher: lazy compilation per argument-type tuple, eager
signatures (strings and type objects), the TypeError when no signature
matches, ``py_func``/``signatures``/metadata, ``inspect_types()``, the GIL
with ``nogil=True``, and many threads calling one dispatcher while it
compiles."""

import inspect
import io
import os
import threading
import time

import numpy as np
import pytest

import oxjit
from oxjit import float32, float64, int64, njit
from oxjit.dispatcher import Dispatcher
from oxjit.examples import collatz_max


def add(x, y):
    """Adds two numbers."""
    return x + y


def first(a):
    return a[0]


def test_lazy_compilation_per_type_tuple():
    f = njit(add)
    assert f.signatures == []
    assert f(1, 2) == 3
    assert len(f.signatures) == 1
    assert f(3, 4) == 7
    assert len(f.signatures) == 1, "same types must reuse the specialisation"
    assert f(1.5, 2) == 3.5
    assert len(f.signatures) == 2
    assert f(np.float32(1.5), np.float32(2)) == np.float32(3.5)
    assert len(f.signatures) == 3
    assert f(True, 2) == 3
    assert [tuple(map(str, s)) for s in f.signatures] == [
        ("int64", "int64"),
        ("float64", "int64"),
        ("float32", "float32"),
        ("bool", "int64"),
    ]


def test_signatures_are_type_objects():
    f = njit(first)
    f(np.zeros(3))
    f(np.zeros(3, dtype=np.int8)[::2])
    assert f.signatures == [(float64[::1],), (oxjit.int8[:],)]
    assert [s.args for s in f.nopython_signatures] == f.signatures
    assert [str(s.return_type) for s in f.nopython_signatures] == ["float64", "int8"]
    assert all(isinstance(t, oxjit.types.Type) for sig in f.signatures for t in sig)


def test_eager_string_signature():
    f = njit("float64(float64[:], float64)")(first_plus)
    assert [tuple(map(str, s)) for s in f.signatures] == [("array(float64, 1d, A)", "float64")]
    assert f(np.arange(3.0), 2.0) == 2.0
    assert f(np.arange(6.0)[::2], 1) == 1.0, "an int converts safely to float64"
    assert len(f.signatures) == 1, "eager signatures disable lazy compilation"


def first_plus(a, x):
    return a[0] + x


def sum_all(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j]
    return s


def test_eager_type_object_signature():
    f = njit(float64(float64[:, ::1]))(sum_all)
    assert f.signatures == [(float64[:, ::1],)]
    assert f(np.ones((2, 3))) == 6.0
    with pytest.raises(TypeError) as info:
        f(np.ones((2, 3), order="F"))
    msg = str(info.value)
    assert "array(float64, 2d, F)" in msg
    assert "array(float64, 2d, C)" in msg


def test_several_eager_signatures():
    f = njit(["int64(int64, int64)", float64(float64, float64)])(add)
    assert f(2, 3) == 5 and type(f(2, 3)) is int
    assert f(2.5, 3.0) == 5.5
    assert f(2, 3.5) == 5.5, "(int64, float64) converts safely to (float64, float64)"
    assert len(f.signatures) == 2


def test_signature_with_inferred_return_type():
    f = njit("(int64, int64)")(add)
    assert f(2, 3) == 5
    assert [tuple(map(str, s)) for s in f.signatures] == [("int64", "int64")]


def test_tuple_of_types_is_a_signature():
    f = njit((float32, float32))(add)
    assert f(np.float32(1), np.float32(2)) == np.float32(3)
    assert f.signatures == [(float32, float32)]


@pytest.mark.parametrize(
    "args, shown",
    [
        ((np.arange(3), 1.0), "array(int64, 1d, C)"),
        ((1.0, 2.0), "float64"),
        ((np.arange(3.0), 1j), "complex128"),
    ],
)
def test_no_matching_signature_is_a_type_error(args, shown):
    f = njit("float64(float64[:], float64)")(first_plus)
    with pytest.raises(TypeError) as info:
        f(*args)
    msg = str(info.value)
    assert shown in msg, "the message names the argument types"
    assert "array(float64, 1d, A)" in msg, "the message lists the available signatures"
    assert len(f.signatures) == 1


def test_disable_compile_after_lazy_use():
    f = njit(add)
    f(1, 2)
    f.disable_compile()
    assert f(5, 6) == 11
    with pytest.raises(TypeError):
        f(1 + 1j, 2j)


def test_compile_method_accepts_strings_and_objects():
    f = njit(add)
    f.compile("(int64, int64)")
    f.compile(float64(float64, float64))
    f.compile((float32, float32))
    assert len(f.signatures) == 3


def test_bad_signature_string():
    with pytest.raises((ValueError, TypeError)):
        njit("float64(float64[:], strange)")(first_plus)


def test_metadata():
    f = njit(add)
    assert isinstance(f, Dispatcher)
    assert isinstance(f, oxjit._core.Dispatcher)
    assert f.py_func is add
    assert f.__name__ == "add"
    assert f.__qualname__ == "add"
    assert f.__doc__ == "Adds two numbers."
    assert f.__module__ == add.__module__
    assert not hasattr(f, "__wrapped__")
    assert "add" in repr(f)
    assert str(inspect.signature(f)) == "(x, y)"


def test_function_defined_inside_a_function():
    def local(x):
        return x * 2

    f = njit(local)
    assert f.__qualname__.endswith("test_function_defined_inside_a_function.<locals>.local")
    assert f(21) == 42


def make_adder(k):
    def adder(x):
        return x + k

    return adder


def test_closure_variables_are_frozen_constants():
    assert njit(make_adder(5))(1) == 6
    assert njit(make_adder(2.5))(1) == 3.5


def norm_p(a, p):
    s = 0.0
    for v in a:
        s += abs(v) ** p
    return s ** (1.0 / p)


def test_inspect_types():
    f = njit("float64(float64[:], float64)")(norm_p)
    out = io.StringIO()
    f.inspect_types(file=out)
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0] == "norm_p (array(float64, 1d, A), float64)"
    for src in ["def norm_p(a, p):", "    s = 0.0", "    for v in a:", "        s += abs(v) ** p", "    return s ** (1.0 / p)"]:
        assert src in lines
    after_sum = lines[lines.index("        s += abs(v) ** p") + 1]
    assert after_sum.strip() == "# s = float64"
    assert "# v = float64" in text
    assert "# a = arg :: array(float64, 1d, A)" in text


def test_inspect_types_of_one_signature_and_typed_ir():
    f = njit(add)
    f(1, 2)
    f(1.0, 2.0)
    out = io.StringIO()
    f.inspect_types(file=out, signature=(float64, float64))
    assert out.getvalue().startswith("add (float64, float64)")
    assert "add (int64, int64)" not in out.getvalue()
    out = io.StringIO()
    f.inspect_types(file=out, typed_ir=True)
    text = out.getvalue()
    assert "add (int64, int64)" in text and "add (float64, float64)" in text
    assert f._typed_ir(0).strip() in text


def test_private_introspection():
    f = njit(norm_p)
    f(np.arange(3.0), 2.0)
    assert f._return_type(0) == "float64"
    locals_ = f._local_types(0)
    assert locals_["s"] == "float64"
    assert locals_["a"] == "array(float64, 1d, C)"
    first_line = norm_p.__code__.co_firstlineno
    assert (first_line + 1, "s", "float64") in f._line_types(0)


# --- threads and the GIL ----------------------------------------------------------------


def spin(n):
    """A loop LLVM cannot fold away, for timing."""
    total = 0
    for start in range(1, n):
        x = start
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            total += 1
    return total


def _calibrated(f, seconds):
    """An argument for which ``f`` runs for at least ``seconds``."""
    n = 1000
    while True:
        t0 = time.perf_counter()
        f(n)
        if time.perf_counter() - t0 >= seconds or n > 10**8:
            return n
        n *= 2


def _longest_stall_during(f, n):
    """The longest time the main thread could not run Python code while
    another thread ran ``f(n)``."""
    done = threading.Event()
    worker = threading.Thread(target=lambda: (f(n), done.set()))
    longest = 0.0
    worker.start()
    last = time.perf_counter()
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    worker.join()
    return longest


def test_nogil_releases_the_gil():
    """While nogil code runs for 0.5 s in one thread, the main thread keeps
    running: it is never stalled for anything near that long."""
    released = njit(nogil=True)(spin)
    assert released(1000) == spin(1000)
    n = _calibrated(released, 0.5)
    stall = _longest_stall_during(released, n)
    assert stall < 0.25, f"the main thread was stalled for {stall:.3f} s while nogil code ran"


def test_many_threads_during_first_compile():
    f = njit(collatz_max)
    barrier = threading.Barrier(8)
    results = [None] * 8
    errors = []

    def call(k):
        try:
            barrier.wait()
            results[k] = f(1000 + k)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=call, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results == [collatz_max(1000 + k) for k in range(8)]
    assert len(f.signatures) == 1, "concurrent first calls must share one specialisation"


def test_many_threads_compiling_different_types():
    f = njit(add)
    barrier = threading.Barrier(8)
    values = [1, 2.5, np.float32(1.5), np.int8(3), np.int16(4), np.uint8(5), 1j, True]
    results = [None] * 8
    errors = []

    def call(k):
        try:
            barrier.wait()
            for _ in range(20):
                results[k] = f(values[k], values[k])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=call, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for k, v in enumerate(values):
        want = v + v
        assert results[k] == want and type(results[k]) is type(want)
    assert len(f.signatures) == 8


def test_inspect_llvm_shows_the_optimised_ir():
    @njit
    def add_one(x):
        return x + 1

    add_one(1)
    (sig, text), = add_one.inspect_llvm().items()
    assert sig == (oxjit.int64,)
    assert "define" in text and "__wrap" in text
    assert add_one.inspect_llvm(signature=sig) == text


@pytest.mark.parametrize(
    "edited",
    [
        "def f(a, b):\n    return a + b\n",  # other parameters
        "def f(a, b, c):\n    return a * b - c\n",  # the same shape, another body
    ],
)
def test_source_edited_after_import_compiles_what_was_imported(tmp_path, edited):
    """The file of a function changed on disk after import: compiling reads
    the source as it was when the function was defined (captured then), so
    the compiled function agrees with `f.py_func`, not with the new text."""
    import importlib.util

    import oxjit

    path = tmp_path / "edited_module.py"
    path.write_text("import oxjit\n\n@oxjit.njit\ndef f(a, b, c):\n    return a + b + c\n")
    spec = importlib.util.spec_from_file_location("edited_module", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    path.write_text("import oxjit\n\n@oxjit.njit\n" + edited)
    st = path.stat()
    os.utime(path, (st.st_atime + 10, st.st_mtime + 10))
    assert mod.f(1, 2, 3) == mod.f.py_func(1, 2, 3) == 6
