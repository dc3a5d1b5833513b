"""`jit` and `njit`: turn a Python function into a `Dispatcher`.

Accepted forms, as in Numba::

    @njit                      # lazy: compile per argument-type tuple
    @njit(fastmath=True)       # with options
    @njit("float64(float64[:], int64)")       # eager, then no more compiling
    @njit(["int64(int64)", float64(float64)]) # several eager signatures
    f = jit(py_func)

Compilation is always in nopython mode: ``nopython=False`` and
``forceobj=True`` only warn. Options oxjit does not know are a `TypeError`,
so that a misspelt option is never silently ignored.
"""

import types as _pytypes
import warnings

from . import config
from .errors import NumbaDeprecationWarning
from .types import Signature, _as_type

__all__ = ["jit", "njit"]

_ERROR_MODELS = ("python", "numpy")

# Numba options that oxjit accepts without acting on them, with the values
# for which that is right: `debug=False`; `target='cpu'` (the only target);
# `no_rewrites`, `looplift` (Numba's object-mode loop lifting) and
# `pipeline_class=None` steer passes oxjit does not have; a C wrapper is
# always made, so asking for none changes nothing but a little code size;
# `_nrt=True` (reference-counted memory) is how oxjit always compiles.
_IGNORED_OPTIONS = {
    "debug": (False,),
    "target": ("cpu",),
    "no_rewrites": (False, True),
    "looplift": (False, True),
    "pipeline_class": (None,),
    "no_cpython_wrapper": (False, True),
    "no_cfunc_wrapper": (False, True),
    "_nrt": (True,),
}

# `inline='always'` inlines every call of the function into its callers
# (LLVM's alwaysinline); 'never' leaves the choice to LLVM's inliner.
_INLINE = ("never", "always")

_KNOWN_OPTIONS = (
    "nopython",
    "nogil",
    "boundscheck",
    "error_model",
    "fastmath",
    "parallel",
    "cache",
    "forceobj",
    "locals",
    "inline",
    *_IGNORED_OPTIONS,
)


def _check_other_options(other):
    for name, value in other.items():
        allowed = _IGNORED_OPTIONS.get(name)
        if allowed is None:
            import difflib

            close = difflib.get_close_matches(name, _KNOWN_OPTIONS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(
                f"jit() got an unexpected option {name!r}{hint} "
                f"(options: {', '.join(sorted(set(_KNOWN_OPTIONS)))})"
            )
        if value not in allowed:
            raise NotImplementedError(f"oxjit does not support {name}={value!r} (supported: {allowed})")


def _is_signature(obj):
    return isinstance(obj, (str, Signature)) or (hasattr(obj, "args") and hasattr(obj, "return_type"))


def _signature_list(spec):
    """The eager signatures given as the decorator's first argument."""
    if _is_signature(spec):
        return [spec]
    if isinstance(spec, tuple) and spec and not any(_is_signature(s) for s in spec):
        return [spec]  # a tuple of argument types: one signature, return type inferred
    if isinstance(spec, (list, tuple)):
        for s in spec:
            if not (_is_signature(s) or isinstance(s, tuple)):
                raise TypeError(f"a signature must be a string or a signature object, not {s!r}")
        return list(spec)
    raise TypeError(
        "jit's first argument must be a function, a signature string or object, "
        f"or a list of signatures, not {spec!r}"
    )


_FASTMATH_FLAGS = frozenset({"reassoc", "nnan", "ninf", "nsz", "arcp", "contract", "afn"})


def _fastmath(value):
    """``fastmath=True``/``False``, or a set of LLVM fast-math flag names
    (as a sorted list, which the compiler reads)."""
    if isinstance(value, (set, frozenset, list, tuple)):
        unknown = set(value) - _FASTMATH_FLAGS
        if unknown:
            raise ValueError(
                f"unknown fastmath flag(s) {sorted(unknown)}; the flags are {sorted(_FASTMATH_FLAGS)}"
            )
        return sorted(value)
    return bool(value)


def _options(nopython, nogil, boundscheck, error_model, fastmath, parallel, cache, forceobj, locals, other):
    inline = other.pop("inline", "never")
    if inline not in _INLINE:
        raise NotImplementedError(
            f"oxjit supports inline='never' and inline='always', not {inline!r} (cost-model functions)"
        )
    _check_other_options(other)
    if not nopython or forceobj:
        warnings.warn(
            "oxjit has no object mode: nopython=False/forceobj=True are ignored and the "
            "function is compiled in nopython mode",
            NumbaDeprecationWarning,
            stacklevel=3,
        )
    if error_model not in _ERROR_MODELS:
        raise ValueError(f"error_model must be 'python' or 'numpy', not {error_model!r}")
    declared = {}
    for name, t in (locals or {}).items():
        if not isinstance(name, str):
            raise TypeError(f"locals= maps variable names to types, not {name!r}")
        declared[name] = str(_as_type(t))
    forced = config.BOUNDSCHECK
    return {
        "boundscheck": bool(boundscheck) if forced is None else forced,
        "error_model": error_model,
        "fastmath": _fastmath(fastmath),
        "nogil": bool(nogil),
        "parallel": bool(parallel),
        "cache": bool(cache),
        "inline": inline,
        "locals": declared,
    }


def _make(func, sigs, options):
    if config.DISABLE_JIT:
        return func
    if not isinstance(func, _pytypes.FunctionType):
        raise TypeError(f"oxjit can only compile Python functions, not {func!r}")
    from .dispatcher import Dispatcher

    disp = Dispatcher(func, options)
    if sigs:
        for sig in sigs:
            disp.compile(sig)
        disp.disable_compile()
    return disp


def jit(
    signature_or_function=None,
    *,
    nopython=True,
    nogil=False,
    boundscheck=None,
    error_model="python",
    fastmath=False,
    parallel=False,
    cache=False,
    forceobj=False,
    locals=None,
    **other,
):
    """Compile a function to machine code on first call (or eagerly, for the
    given signatures). See the module docstring for the accepted forms.

    Options: ``nogil`` releases the GIL while compiled code runs;
    ``boundscheck`` makes out-of-range indices raise `IndexError`
    (``OXJIT_BOUNDSCHECK`` overrides it); ``error_model='numpy'`` makes
    division by zero give inf/nan instead of raising; ``fastmath`` allows
    floating-point reassociation; ``parallel`` enables `prange`; ``cache``
    is accepted (disk caching is not implemented yet).
    """
    options = _options(nopython, nogil, boundscheck, error_model, fastmath, parallel, cache, forceobj, locals, other)
    if signature_or_function is None:
        return lambda func: _make(func, None, options)
    if callable(signature_or_function) and not _is_signature(signature_or_function):
        return _make(signature_or_function, None, options)
    sigs = _signature_list(signature_or_function)
    return lambda func: _make(func, sigs, options)


def njit(signature_or_function=None, **options):
    """`jit` in nopython mode (the only mode oxjit has)."""
    if "nopython" in options or "forceobj" in options:
        warnings.warn(
            "njit always compiles in nopython mode; the nopython/forceobj options are ignored",
            NumbaDeprecationWarning,
            stacklevel=2,
        )
        options.pop("nopython", None)
        options.pop("forceobj", None)
    return jit(signature_or_function, **options)
