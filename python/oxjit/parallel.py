"""`prange`, the parallel counterpart of `range`, the thread-pool
controls, and `literal_unroll`, the other loop the compiler treats
specially.

In compiled code with ``parallel=True`` the compiler recognises `prange` and
runs the loop's iterations on the runtime's thread pool; everywhere else
(plain Python, ``OXJIT_DISABLE_JIT=1``, ``parallel=False``) it is exactly
`range`. The compiler identifies it by its qualified name ``oxjit.prange``.

The pool has ``OXJIT_NUM_THREADS`` threads (default: the number of cores),
started on first use. `set_num_threads` chooses how many of them parallel
code launched from the calling thread uses, as in Numba.
"""

from . import _core

__all__ = ["prange", "set_num_threads", "get_num_threads", "get_thread_id", "literal_unroll"]


def set_num_threads(n):
    """Use ``n`` threads (1 to the pool size) for parallel code launched
    from this thread."""
    _core.set_num_threads(int(n))


def get_num_threads():
    """The number of threads parallel code launched from this thread uses
    (inside a parallel region: the region's). Compiled code may call it too."""
    return _core.get_num_threads()


def get_thread_id():
    """The calling thread's index in the parallel region it runs (0 outside
    one). Compiled code may call it too."""
    return _core.get_thread_id()


def literal_unroll(container):
    """In compiled code, ``for x in literal_unroll(t)`` runs the loop body
    once per item of tuple ``t``, each copy with ``x`` of that item's type
    (a loop over a tuple of several item types does the same by itself).
    In Python, and anywhere else, it is ``container``."""
    return container


# Compiled code recognises these by their qualified names ``oxjit.<name>``.
for _f in (set_num_threads, get_num_threads, get_thread_id, literal_unroll):
    _f.__module__ = "oxjit"


class prange:
    """``prange(stop)`` / ``prange(start, stop[, step])``: a `range` whose
    iterations may run in parallel in compiled code."""

    __module__ = "oxjit"

    def __new__(cls, *args):
        return range(*args)
