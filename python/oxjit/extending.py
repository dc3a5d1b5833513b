"""The parts of Numba's ``numba.extending`` that oxjit has.

`register_jitable` marks a Python function as callable from compiled code:
called from Python it stays the Python function; referenced from a jitted
function it is compiled like an ``@njit`` function. `intrinsic` (which
writes LLVM IR through Numba's own code generator) cannot be supported and
fails at decoration with a message saying so.
"""

from .decorators import njit

__all__ = ["register_jitable", "intrinsic"]

# The attribute the compiler looks for on a global Python function.
JITABLE_ATTR = "__oxjit_jitable__"


def register_jitable(*args, **options):
    """``@register_jitable`` or ``@register_jitable(**jit_options)``."""

    def mark(func):
        setattr(func, JITABLE_ATTR, njit(**options)(func))
        return func

    if len(args) == 1 and callable(args[0]) and not options:
        return mark(args[0])
    if args:
        raise TypeError("register_jitable takes a function or keyword options only")
    return mark


def intrinsic(*args, **kwargs):
    """Not supported: Numba's intrinsics generate LLVM IR through Numba's
    code generator (llvmlite), which oxjit does not have."""
    raise NotImplementedError(
        "oxjit does not support numba.extending.intrinsic: it emits LLVM IR through Numba's own "
        "code generator. Write the operation in Python under @njit (or @register_jitable) instead."
    )
