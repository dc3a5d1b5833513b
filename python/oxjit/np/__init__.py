"""Numba's ``numba.np`` layout: `numpy_support` converts between NumPy
dtypes and oxjit's scalar types."""

from . import numpy_support

__all__ = ["numpy_support"]
