"""Conversions between NumPy dtypes and oxjit's scalar types, named as in
Numba's ``numba.np.numpy_support``."""

import numpy as np

from ..errors import NumbaError
from ..types import Array, Type, _Scalar, from_string

__all__ = ["from_dtype", "as_dtype"]


def from_dtype(dtype):
    """The scalar type of a NumPy dtype (``from_dtype(np.float64) is
    float64``). Raises `NumbaError` for dtypes compiled code cannot take."""
    dt = np.dtype(dtype)
    if dt.kind not in "biufc" or not dt.isnative:
        raise NumbaError(f"unsupported array dtype: {dt}")
    return from_string(dt.name)


def as_dtype(t):
    """The NumPy dtype of a scalar type (or of an array type's elements)."""
    if isinstance(t, str):
        t = from_string(t)
    if isinstance(t, Array):
        t = t.dtype
    if not isinstance(t, _Scalar):
        raise NumbaError(f"{t} has no NumPy dtype" if isinstance(t, Type) else f"{t!r} is not a type")
    return np.dtype(t.name)
