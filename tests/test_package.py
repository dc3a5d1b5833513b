"""The package surface: exports, errors hierarchy, configuration from the
environment, ``python -m oxjit`` and the demo (``python -m oxjit.demo``)."""

import subprocess
import sys

import pytest

import oxjit
from conftest import REPO_DIR, run_python

EXPORTS = (
    "njit jit prange typeof types errors config TypingError UnsupportedError NumbaError __version__ "
    "int8 int16 int32 int64 uint8 uint16 uint32 uint64 float32 float64 complex64 complex128 boolean "
    "b1 i1 i2 i4 i8 u1 u2 u4 u8 f4 f8 c8 c16 intp uintp void none"
).split()


@pytest.mark.parametrize("name", EXPORTS)
def test_exports(name):
    assert hasattr(oxjit, name)
    if name not in ("__version__",):
        assert name in oxjit.__all__


def test_type_exports_are_the_type_objects():
    assert oxjit.float64 is oxjit.types.float64
    assert oxjit.f8 is oxjit.float64
    assert oxjit.i8 is oxjit.int64
    assert oxjit.b1 is oxjit.boolean
    assert oxjit.c16 is oxjit.complex128
    assert oxjit.void is oxjit.none
    assert str(oxjit.intp) == "int64"


def test_version_is_a_version_string():
    parts = oxjit.__version__.split(".")
    assert len(parts) >= 2 and all(p.isdigit() for p in parts[:2])


def test_error_hierarchy():
    from oxjit import errors

    assert issubclass(errors.TypingError, errors.NumbaError)
    assert issubclass(errors.UnsupportedError, errors.NumbaError)
    assert errors.OxjitError is errors.NumbaError
    assert oxjit.NumbaError is errors.NumbaError
    assert oxjit.TypingError is errors.TypingError
    e = errors.TypingError("message")
    assert str(e) == "message" and e.args == ("message",)
    assert e.code is None and e.lineno is None


def test_prange_is_range_in_python():
    assert list(oxjit.prange(5)) == list(range(5))
    assert list(oxjit.prange(1, 10, 3)) == [1, 4, 7]
    assert list(oxjit.prange(5, 0, -2)) == [5, 3, 1]


@pytest.mark.parametrize(
    "env, disable, bounds",
    [
        ({}, False, None),
        ({"OXJIT_DISABLE_JIT": "1"}, True, None),
        ({"OXJIT_DISABLE_JIT": "0"}, False, None),
        ({"OXJIT_BOUNDSCHECK": "1"}, False, True),
        ({"OXJIT_BOUNDSCHECK": "0"}, False, False),
        ({"OXJIT_BOUNDSCHECK": ""}, False, None),
    ],
)
def test_config_reads_the_environment(monkeypatch, env, disable, bounds):
    monkeypatch.delenv("OXJIT_DISABLE_JIT", raising=False)
    monkeypatch.delenv("OXJIT_BOUNDSCHECK", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    try:
        oxjit.config.reload_config()
        assert oxjit.config.DISABLE_JIT is disable
        assert oxjit.config.BOUNDSCHECK is bounds
    finally:
        monkeypatch.undo()
        oxjit.config.reload_config()


def test_config_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("OXJIT_BOUNDSCHECK", "maybe")
    try:
        with pytest.raises(ValueError, match="OXJIT_BOUNDSCHECK"):
            oxjit.config.reload_config()
    finally:
        monkeypatch.undo()
        oxjit.config.reload_config()


def test_import_loads_nothing_heavy(tmp_path):
    script = tmp_path / "imports.py"
    script.write_text(
        "import sys\n"
        "import oxjit\n"
        "heavy = [m for m in ('numba', 'hypothesis', 'pytest', 'scipy', 'oxjit.demo', 'oxjit.examples')"
        " if m in sys.modules]\n"
        "print(heavy)\n"
    )
    proc = run_python(script)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_python_m_oxjit_prints_the_version():
    proc = subprocess.run([sys.executable, "-m", "oxjit", "--version"], capture_output=True, text=True, cwd=REPO_DIR)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"oxjit {oxjit.__version__}")


def test_demo_runs_and_results_agree():
    proc = subprocess.run(
        [sys.executable, "-m", "oxjit.demo", "--quick", "--no-numba"],
        capture_output=True,
        text=True,
        cwd=REPO_DIR,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for case in ("fib loop", "recursive fib", "collatz_max", "norm_p", "get(a, 5)", "pdist_into", "go_fast"):
        assert case in out
    assert "python/oxjit" in out and "numba/oxjit" in out
    assert "MISMATCH" not in out
    assert out.count(" ok") >= 7
