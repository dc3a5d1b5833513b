"""oxjit: a Numba-compatible just-in-time compiler for numerical Python.

Decorate a function with `njit` (or `jit`) and call it: the first call with
a new combination of argument types compiles machine code for it, later
calls run that code directly. ``import oxjit as numba`` is meant to run
existing Numba code unchanged.

    >>> from oxjit import njit
    >>> @njit
    ... def fib(n):
    ...     a, b = 1, 1
    ...     for _ in range(n):
    ...         a, b = a + b, a
    ...     return a
    >>> fib(10)
    144

The compiler and runtime are Rust (the private extension module
``oxjit._core``); this package is the thin Python layer over it. Importing
it loads only NumPy and the extension.
"""

from . import _core, config, errors, typed, types
from .decorators import jit, njit
from .dispatcher import Dispatcher
from .errors import NumbaError, OxjitError, TypingError, UnsupportedError
from .parallel import get_num_threads, get_thread_id, literal_unroll, prange, set_num_threads
from .types import (
    b1,
    boolean,
    bool_,
    c8,
    c16,
    complex64,
    complex128,
    f4,
    f8,
    float32,
    float64,
    i1,
    i2,
    i4,
    i8,
    int8,
    int16,
    int32,
    int64,
    intp,
    none,
    u1,
    u2,
    u4,
    u8,
    uint8,
    uint16,
    uint32,
    uint64,
    uintp,
    void,
)

__version__ = getattr(_core, "__version__", "0.1.0")


# Numba's subpackages, imported when first used (``numba.core.errors``
# after ``import oxjit as numba``), so that importing oxjit stays cheap.
_SUBPACKAGES = ("core", "np", "extending")


def __getattr__(name):
    if name in _SUBPACKAGES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'oxjit' has no attribute {name!r}")


def typeof(value):
    """The oxjit type of a Python value, as a type object
    (``typeof(1.0) == float64``, ``str(typeof(np.zeros((2, 3))))`` is
    ``'array(float64, 2d, C)'``). Raises `ValueError` for values compiled
    code cannot take."""
    return types.from_string(_core.typeof(value))


__all__ = [
    "__version__",
    "jit",
    "njit",
    "prange",
    "literal_unroll",
    "set_num_threads",
    "get_num_threads",
    "get_thread_id",
    "typeof",
    "types",
    "errors",
    "config",
    "Dispatcher",
    "NumbaError",
    "OxjitError",
    "TypingError",
    "UnsupportedError",
    "b1",
    "boolean",
    "bool_",
    "c8",
    "c16",
    "complex64",
    "complex128",
    "f4",
    "f8",
    "float32",
    "float64",
    "i1",
    "i2",
    "i4",
    "i8",
    "int8",
    "int16",
    "int32",
    "int64",
    "intp",
    "none",
    "u1",
    "u2",
    "u4",
    "u8",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintp",
    "void",
]
