"""Exceptions and warnings raised by oxjit.

The compiled extension (`oxjit._core`) imports `TypingError` and
`UnsupportedError` from here and raises them with the rendered diagnostic as
the message; it also sets the attributes `code` (a stable code such as
``"OX101"``), `lineno`, `col` (both 1-based, in the source file) and
`filename` on the instance. The class-level defaults below keep those
attributes readable on exceptions created from Python.
"""


class NumbaError(Exception):
    """Base class of every error oxjit raises while compiling a function.

    Named as in Numba so that ``except numba.core.errors.NumbaError`` style
    code keeps working after ``import oxjit as numba``.
    """

    code = None
    lineno = None
    col = None
    filename = None


OxjitError = NumbaError


class TypingError(NumbaError):
    """The types of the arguments or of an expression do not fit together."""


class UnsupportedError(NumbaError):
    """A Python construct that oxjit does not compile (yet)."""


class NumbaTypeError(TypingError):
    """A typing error that Python would report as a `TypeError`."""


class NumbaValueError(TypingError):
    """A typing error that Python would report as a `ValueError`."""


class LoweringError(NumbaError):
    """Code generation failed (an internal compiler error)."""


CompilerError = NumbaError


class NumbaWarning(UserWarning):
    """Base class of oxjit's warnings."""


class NumbaDeprecationWarning(NumbaWarning):
    """An option that Numba deprecated and oxjit ignores (e.g. object mode)."""


class NumbaPendingDeprecationWarning(NumbaWarning):
    """A feature Numba plans to deprecate."""


class NumbaPerformanceWarning(NumbaWarning):
    """Code that compiles but runs slower than it could."""


class NumbaExperimentalFeatureWarning(NumbaWarning):
    """A feature that is still experimental."""


OxjitWarning = NumbaWarning
OxjitDeprecationWarning = NumbaDeprecationWarning

__all__ = [
    "NumbaError",
    "OxjitError",
    "TypingError",
    "UnsupportedError",
    "NumbaTypeError",
    "NumbaValueError",
    "LoweringError",
    "CompilerError",
    "NumbaWarning",
    "NumbaDeprecationWarning",
    "NumbaPendingDeprecationWarning",
    "NumbaPerformanceWarning",
    "NumbaExperimentalFeatureWarning",
    "OxjitWarning",
    "OxjitDeprecationWarning",
]
