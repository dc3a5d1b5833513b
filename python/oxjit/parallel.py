"""`prange`: the parallel counterpart of `range`.

In compiled code with ``parallel=True`` the compiler recognises `prange` and
may run the loop's iterations on several threads; everywhere else (plain
Python, ``OXJIT_DISABLE_JIT=1``, ``parallel=False``) it is exactly `range`.
The compiler identifies it by its qualified name ``oxjit.prange``.
"""

__all__ = ["prange"]


class prange:
    """``prange(stop)`` / ``prange(start, stop[, step])``: a `range` whose
    iterations may run in parallel in compiled code."""

    __module__ = "oxjit"

    def __new__(cls, *args):
        return range(*args)
