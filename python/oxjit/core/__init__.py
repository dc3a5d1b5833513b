"""Numba's ``numba.core`` layout, for code that reaches oxjit's modules
through it after ``import oxjit as numba`` (``numba.core.errors.TypingError``,
``from numba.core import types``): the same objects as `oxjit.errors` and
`oxjit.types`, not copies."""

from .. import config, errors, types

__all__ = ["config", "errors", "types"]
