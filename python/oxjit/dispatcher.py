"""The object a decorated function becomes.

`Dispatcher` subclasses the extension's `oxjit._core.Dispatcher`, which does
all the work on the hot path (argument typing, the specialisation table,
calling machine code, lazy compilation); calls go straight to the
extension's ``__call__``. This class adds the Python-facing metadata and
introspection: ``py_func``, ``__name__`` and friends, ``signatures`` as type
objects, and `inspect_types`.
"""

import sys

from . import _core
from .types import Signature, as_signature, from_string

__all__ = ["Dispatcher"]


class CompileResult:
    """One compiled specialisation, as Numba's ``overloads`` values:
    ``signature`` and ``entry_point`` (calling it runs that specialisation's
    machine code; other argument types are a `TypeError`)."""

    __slots__ = ("signature", "_dispatcher")

    def __init__(self, dispatcher, signature):
        self._dispatcher = dispatcher
        self.signature = signature

    @property
    def entry_point(self):
        disp, want = self._dispatcher, self.signature.args

        def entry_point(*args):
            from . import typeof

            got = tuple(typeof(a) for a in args)
            if got != want:
                raise TypeError(f"{disp.__name__} was compiled for {want}, not {got}")
            return disp(*args)

        return entry_point

    def __repr__(self):
        return f"<CompileResult {self._dispatcher.__name__}{self.signature}>"


class Dispatcher(_core.Dispatcher):
    """A jit-compiled function: call it like the Python function it wraps.

    ``Dispatcher(py_func, options)`` where ``options`` is the dict of
    compiler options built by `oxjit.jit`. Every call with a new
    combination of argument types compiles a new specialisation
    (until `disable_compile` is called).
    """

    def __init__(self, py_func, options):
        # The extension's __new__ has taken py_func and options already.
        self._py_func = py_func
        self._options = dict(options)
        self.__name__ = getattr(py_func, "__name__", "<unknown>")
        self.__qualname__ = getattr(py_func, "__qualname__", self.__name__)
        self.__module__ = getattr(py_func, "__module__", None)
        self.__doc__ = getattr(py_func, "__doc__", None)
        # No __wrapped__: inspect would follow it and report the Python
        # function instead of the dispatcher.

    @property
    def py_func(self):
        """The original Python function."""
        return self._py_func

    @property
    def targetoptions(self):
        """The compiler options this dispatcher was made with."""
        return dict(self._options)

    @property
    def __signature__(self):
        import inspect

        return inspect.signature(self._py_func)

    @property
    def signatures(self):
        """The compiled specialisations: a list of tuples of argument types."""
        return [tuple(from_string(t) for t in sig) for sig in super().signatures]

    @property
    def nopython_signatures(self):
        """The compiled specialisations as `Signature` objects (``.args``,
        ``.return_type``), as Numba lists them."""
        return [
            Signature(from_string(self._return_type(i)), args) for i, args in enumerate(self.signatures)
        ]

    @property
    def overloads(self):
        """A dict from each compiled argument-type tuple to its
        `CompileResult` (``signature``, ``entry_point``)."""
        return {sig.args: CompileResult(self, sig) for sig in self.nopython_signatures}

    def compile(self, sig):
        """Compile eagerly for a signature: a string such as
        ``"float64(float64[:], int64)"``, a `types.Signature` such as
        ``float64(float64[:], int64)``, or a tuple of argument types."""
        if isinstance(sig, (tuple, list)):
            sig = Signature(None, sig)
        return super().compile(sig if isinstance(sig, str) else str(as_signature(sig)))

    def _signature_index(self, signature):
        """Index into `signatures` of a tuple of types or of type strings."""
        wanted = tuple(str(from_string(t) if isinstance(t, str) else t) for t in signature)
        for i, sig in enumerate(super().signatures):
            if tuple(sig) == wanted:
                return i
        raise ValueError(f"{self.__name__} has no compiled signature {wanted}")

    def inspect_llvm(self, signature=None):
        """The optimised LLVM IR of each compiled signature, as Numba's
        ``inspect_llvm``: a dict from argument-type tuple to IR text, or the
        text for one ``signature`` (a tuple of types)."""
        sigs = self.signatures
        if signature is not None:
            return self._llvm_ir(self._signature_index(signature))
        return {sig: self._llvm_ir(i) for i, sig in enumerate(sigs)}

    def parallel_diagnostics(self, signature=None, level=1, file=None):
        """Print, per compiled signature, which ``prange`` loops run in
        parallel, how their iterations are scheduled, which variables are
        reductions (with their operation) and, from ``level`` 2, which are
        private to each iteration."""
        out = sys.stdout if file is None else file
        out.write(self._parallel_text(signature, level))

    def _parallel_text(self, signature=None, level=1):
        import inspect

        if not self._options.get("parallel"):
            return f"{self.__name__} was not compiled with parallel=True: nothing runs in parallel.\n"
        filename = inspect.getsourcefile(self._py_func) or "<unknown>"
        sigs = super().signatures
        indices = range(len(sigs)) if signature is None else [self._signature_index(signature)]
        chunks = []
        for i in indices:
            text = ["=" * 80, f" Parallel diagnostics for {self.__name__} ({', '.join(sigs[i])}), {filename}", "=" * 80]
            loops = self._parallel_loops(i)
            if not loops:
                text.append("No prange loop was parallelised.")
            for k, (line, dynamic, reductions, private) in enumerate(loops):
                schedule = "dynamic chunks" if dynamic else "one block per thread"
                text.append(f"prange loop #{k} (line {line}): parallel, {schedule}")
                reds = ", ".join(f"{name} ({op})" for name, op in reductions) or "none"
                text.append(f"    reductions: {reds}")
                if level >= 2:
                    text.append(f"    private: {', '.join(private) or 'none'}")
            text.append(
                "Array expressions and whole-array sum/mean/var/std/min/max/all/any (integer prod) "
                "of at least 32768 elements run on the pool; arg and axis reductions run serially."
            )
            chunks.append("\n".join(text) + "\n")
        return "".join(chunks)

    def inspect_types(self, file=None, signature=None, pretty=False, *, typed_ir=False):
        """Print the source of the function once per compiled signature, each
        line followed by the types inferred for the variables it assigns
        (``# name = float64``). ``typed_ir=True`` also prints the typed IR.
        ``signature`` selects one signature (a tuple of types).
        """
        if pretty:
            raise NotImplementedError("inspect_types(pretty=True) is not available; use pretty=False")
        out = sys.stdout if file is None else file
        out.write(self._inspect_text(signature, typed_ir))

    def _inspect_text(self, signature=None, typed_ir=False):
        import inspect

        try:
            lines, first = inspect.getsourcelines(self._py_func)
        except (OSError, TypeError):
            lines, first = [], 0
        filename = inspect.getsourcefile(self._py_func) or "<unknown>"
        params = list(inspect.signature(self._py_func).parameters)
        sigs = super().signatures
        indices = range(len(sigs)) if signature is None else [self._signature_index(signature)]
        chunks = []
        for i in indices:
            argtypes = tuple(sigs[i])
            by_line = {}
            for lineno, name, ty in self._line_types(i):
                by_line.setdefault(lineno, []).append((name, ty))
            header = f"{self.__name__} ({', '.join(argtypes)})"
            text = [header, "-" * 80, f"# File: {filename}", f"# Return type: {self._return_type(i)}"]
            def_seen = False
            for offset, line in enumerate(lines):
                lineno = first + offset
                src = line.rstrip("\n")
                text.append(src)
                indent = " " * (len(src) - len(src.lstrip()) + 4)
                if not def_seen and src.lstrip().startswith("def "):
                    def_seen = True
                    for name, ty in zip(params, argtypes):
                        text.append(f"{indent}# {name} = arg :: {ty}")
                    indent_here = indent
                else:
                    indent_here = " " * (len(src) - len(src.lstrip()))
                for name, ty in by_line.get(lineno, ()):
                    text.append(f"{indent_here}# {name} = {ty}")
            if typed_ir:
                text.append("")
                text.append("# Typed IR")
                text.append(self._typed_ir(i).rstrip("\n"))
            text.append("=" * 80)
            chunks.append("\n".join(text) + "\n")
        return "".join(chunks)

    def __repr__(self):
        return f"CPUDispatcher({self._py_func!r})"
