"""Numba-style type objects.

Every type prints as Numba prints it and compares equal (and hashes) by that
text, so ``float64[:, ::1] == Array(float64, 2, "C")`` and a type parsed
from ``str(t)`` equals ``t``::

    >>> float64[:, ::1]
    array(float64, 2d, C)
    >>> float64(float64[:], int64)
    float64(array(float64, 1d, A), int64)
    >>> UniTuple(int64, 2)
    UniTuple(int64 x 2)

`from_string` parses the printed forms (and the signature-string spellings
such as ``"f8[::1]"``); `signature_from_string` parses whole signatures.
"""

import re

__all__ = [
    "Type",
    "Boolean",
    "Integer",
    "Float",
    "Complex",
    "NoneType",
    "UnicodeType",
    "Array",
    "DType",
    "NumberClass",
    "UniTuple",
    "Tuple",
    "Signature",
    "from_string",
    "signature_from_string",
    "boolean",
    "bool_",
    "b1",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "i1",
    "i2",
    "i4",
    "i8",
    "u1",
    "u2",
    "u4",
    "u8",
    "intp",
    "uintp",
    "intc",
    "uintc",
    "float32",
    "float64",
    "f4",
    "f8",
    "double",
    "complex64",
    "complex128",
    "c8",
    "c16",
    "none",
    "void",
    "unicode_type",
    "string",
]


class Type:
    """Base of all types. ``str(t)`` is the Numba name; equality is by name."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name

    def __repr__(self):
        return self.name

    def __eq__(self, other):
        if isinstance(other, Type):
            return self.name == other.name
        if _is_numba_type(other):
            return self.name == str(other)
        return NotImplemented

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self):
        return hash(self.name)

    def __call__(self, *args):
        """``float64(int64, float64[:])`` makes a signature with this return type."""
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            args = tuple(args[0])
        return Signature(self, args)

    def __getitem__(self, spec):
        raise TypeError(f"{self} cannot be an array element type")

    @property
    def key(self):
        return self.name


class _Scalar(Type):
    """Scalars can be array dtypes: ``float64[:, ::1]``."""

    __slots__ = ("bitwidth",)

    def __init__(self, name, bitwidth):
        super().__init__(name)
        self.bitwidth = bitwidth

    def __getitem__(self, spec):
        return Array(self, *_dims_from_slices(spec))


class Boolean(_Scalar):
    __slots__ = ()

    def __init__(self):
        super().__init__("bool", 8)


class Integer(_Scalar):
    __slots__ = ("signed",)

    def __init__(self, bitwidth, signed=True):
        super().__init__(f"{'' if signed else 'u'}int{bitwidth}", bitwidth)
        self.signed = signed


class Float(_Scalar):
    __slots__ = ()

    def __init__(self, bitwidth):
        super().__init__(f"float{bitwidth}", bitwidth)


class Complex(_Scalar):
    __slots__ = ("underlying_float",)

    def __init__(self, bitwidth, underlying_float):
        super().__init__(f"complex{bitwidth}", bitwidth)
        self.underlying_float = underlying_float


class NoneType(Type):
    __slots__ = ()

    def __init__(self):
        super().__init__("none")


class UnicodeType(Type):
    """Python's ``str``."""

    __slots__ = ()

    def __init__(self):
        super().__init__("unicode_type")


class Array(Type):
    """``Array(dtype, ndim, layout)`` with layout ``'C'``, ``'F'`` or ``'A'``."""

    __slots__ = ("dtype", "ndim", "layout")

    def __init__(self, dtype, ndim, layout="A"):
        dtype = _as_type(dtype)
        if not isinstance(dtype, _Scalar):
            raise TypeError(f"array dtype must be a scalar type, not {dtype}")
        if not isinstance(ndim, int) or ndim < 0:
            raise ValueError(f"ndim must be a non-negative int, not {ndim!r}")
        if layout not in ("C", "F", "A"):
            raise ValueError(f"layout must be 'C', 'F' or 'A', not {layout!r}")
        super().__init__(f"array({dtype}, {ndim}d, {layout})")
        self.dtype = dtype
        self.ndim = ndim
        self.layout = layout

    def copy(self, dtype=None, ndim=None, layout=None):
        return Array(
            self.dtype if dtype is None else dtype,
            self.ndim if ndim is None else ndim,
            self.layout if layout is None else layout,
        )


class DType(Type):
    """A NumPy dtype as a value, ``dtype(float64)`` (the type of ``a.dtype``)."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        dtype = _as_type(dtype)
        if not isinstance(dtype, _Scalar):
            raise TypeError(f"a dtype names a scalar type, not {dtype}")
        super().__init__(f"dtype({dtype})")
        self.dtype = dtype


class NumberClass(Type):
    """A NumPy scalar type as a value, ``class(float64)`` (the type of
    ``np.float64`` or ``a.dtype.type``)."""

    __slots__ = ("instance_type",)

    def __init__(self, instance_type):
        instance_type = _as_type(instance_type)
        if not isinstance(instance_type, _Scalar):
            raise TypeError(f"a number class names a scalar type, not {instance_type}")
        super().__init__(f"class({instance_type})")
        self.instance_type = instance_type


class BaseTuple(Type):
    __slots__ = ("types",)

    def __len__(self):
        return len(self.types)

    def __iter__(self):
        return iter(self.types)

    def __getitem__(self, i):
        return self.types[i]


class UniTuple(BaseTuple):
    """A tuple of ``count`` items of one type: ``UniTuple(int64 x 2)``."""

    __slots__ = ("dtype", "count")

    def __init__(self, dtype, count):
        dtype = _as_type(dtype)
        Type.__init__(self, f"UniTuple({dtype} x {count})")
        self.dtype = dtype
        self.count = count
        self.types = (dtype,) * count


class Tuple(BaseTuple):
    """A tuple of items of different types. Like Numba, ``Tuple(types)`` of
    items that all have one type gives a `UniTuple`."""

    __slots__ = ()

    def __new__(cls, *types):
        if len(types) == 1 and not isinstance(types[0], (Type, str)):
            types = tuple(types[0])
        types = tuple(_as_type(t) for t in types)
        if types and all(t == types[0] for t in types):
            return UniTuple(types[0], len(types))
        self = object.__new__(cls)
        Type.__init__(self, f"Tuple({', '.join(map(str, types))})")
        self.types = types
        return self

    def __init__(self, *types):
        pass


class Signature:
    """A function signature: ``return_type(args...)``; ``return_type`` is None
    when it is left to inference (``"(int64, float64)"``).

    ``str()`` gives the signature-string form that `Dispatcher.compile`
    accepts.
    """

    __slots__ = ("return_type", "args")

    def __init__(self, return_type, args):
        self.return_type = None if return_type is None else _as_type(return_type)
        self.args = tuple(_as_type(a) for a in args)

    def __str__(self):
        args = ", ".join(map(str, self.args))
        ret = "" if self.return_type is None else str(self.return_type)
        return f"{ret}({args})"

    def __repr__(self):
        return str(self)

    def __eq__(self, other):
        if isinstance(other, Signature):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self):
        return hash(str(self))


# --- the type objects --------------------------------------------------------

boolean = bool_ = b1 = Boolean()
int8 = i1 = Integer(8)
int16 = i2 = Integer(16)
int32 = i4 = intc = Integer(32)
int64 = i8 = intp = Integer(64)
uint8 = u1 = Integer(8, signed=False)
uint16 = u2 = Integer(16, signed=False)
uint32 = u4 = uintc = Integer(32, signed=False)
uint64 = u8 = uintp = Integer(64, signed=False)
float32 = f4 = Float(32)
float64 = f8 = double = Float(64)
complex64 = c8 = Complex(64, float32)
complex128 = c16 = Complex(128, float64)
none = void = NoneType()
unicode_type = string = UnicodeType()

_NAMED = {
    "bool": boolean,
    "boolean": boolean,
    "bool_": boolean,
    "b1": boolean,
    "int8": int8,
    "i1": int8,
    "int16": int16,
    "i2": int16,
    "int32": int32,
    "i4": int32,
    "intc": int32,
    "int64": int64,
    "i8": int64,
    "intp": int64,
    "int_": int64,
    "uint8": uint8,
    "u1": uint8,
    "uint16": uint16,
    "u2": uint16,
    "uint32": uint32,
    "u4": uint32,
    "uintc": uint32,
    "uint64": uint64,
    "u8": uint64,
    "uintp": uint64,
    "float32": float32,
    "f4": float32,
    "float64": float64,
    "f8": float64,
    "double": float64,
    "complex64": complex64,
    "c8": complex64,
    "complex128": complex128,
    "c16": complex128,
    "none": none,
    "void": none,
    "unicode_type": unicode_type,
    "string": unicode_type,
}


def _is_numba_type(t):
    """Whether `t` is one of Numba's own type objects (they print as ours)."""
    return type(t).__module__.split(".")[0] == "numba"


def _as_type(t):
    if isinstance(t, Type):
        return t
    if isinstance(t, str):
        return from_string(t)
    # Another library's type object (Numba's `numba.types.int16`,
    # `UniTuple(int32, 2)`): it prints as Numba prints types, as ours do.
    if _is_numba_type(t):
        try:
            return from_string(str(t))
        except ValueError as e:
            raise TypeError(f"the Numba type {t} is not supported by oxjit ({e})") from None
    raise TypeError(f"expected an oxjit type or type string, not {t!r}")


def as_signature(sig):
    """A `Signature` from ours, a signature string, or another library's
    signature object (Numba's ``float32(int32)`` has ``args`` and
    ``return_type``)."""
    if isinstance(sig, Signature):
        return sig
    if isinstance(sig, str):
        return signature_from_string(sig)
    if hasattr(sig, "args") and hasattr(sig, "return_type"):
        return Signature(sig.return_type, sig.args)
    raise TypeError(f"a signature must be a string or a signature object, not {sig!r}")


def _dims_from_slices(spec):
    """``[:, ::1]`` → (2, 'C'); ``[::1, :]`` → (2, 'F'); ``[:]`` → (1, 'A')."""
    if not isinstance(spec, tuple):
        spec = (spec,)
    contiguous = []
    for s in spec:
        if not isinstance(s, slice) or s.start is not None or s.stop is not None or s.step not in (None, 1):
            raise TypeError(f"array types are written with ':' or '::1' per dimension, not {s!r}")
        contiguous.append(s.step == 1)
    n = len(contiguous)
    marked = sum(contiguous)
    if marked == 0:
        return n, "A"
    if marked == 1 and contiguous[-1]:
        return n, "C"
    if marked == 1 and contiguous[0]:
        return n, "F"
    raise TypeError("'::1' may mark only the first (F) or the last (C) dimension")


# --- parsing the printed forms -------------------------------------------------

_TOKEN = re.compile(r"\s*(::1|\d+d\b|[A-Za-z_][A-Za-z0-9_]*|\d+|[()\[\],:#])")


def _tokenize(text):
    """The tokens of ``text`` and where each starts and ends."""
    tokens, spans = [], []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"cannot parse type {text!r}: unexpected text at position {pos}")
        tokens.append(m.group(1))
        spans.append((m.start(1), m.end()))
        pos = m.end()
    return tokens, spans


class _Parser:
    def __init__(self, text):
        self.text = text
        self.tokens, self.spans = _tokenize(text)
        self.i = 0

    def error(self, what):
        return ValueError(f"cannot parse type {self.text!r}: {what}")

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next(self):
        tok = self.peek()
        if tok is None:
            raise self.error("unexpected end")
        self.i += 1
        return tok

    def expect(self, tok):
        got = self.next()
        if got != tok:
            raise self.error(f"expected {tok!r}, found {got!r}")

    def type(self):
        name = self.next()
        if name == "array":
            self.expect("(")
            dtype = self.type()
            self.expect(",")
            nd = self.next()
            if not re.fullmatch(r"\d+d", nd):
                raise self.error(f"bad ndim {nd!r}")
            self.expect(",")
            layout = self.next()
            if layout not in ("C", "F", "A"):
                raise self.error(f"bad layout {layout!r}")
            self.expect(")")
            base = Array(dtype, int(nd[:-1]), layout)
        elif name in ("dtype", "class"):
            self.expect("(")
            item = self.type()
            self.expect(")")
            base = DType(item) if name == "dtype" else NumberClass(item)
        elif name == "UniTuple":
            self.expect("(")
            item = self.type()
            self.expect("x")
            count = self.next()
            if not count.isdigit():
                raise self.error(f"bad tuple length {count!r}")
            self.expect(")")
            base = UniTuple(item, int(count))
        elif name == "Tuple":
            self.expect("(")
            items = self.list(")")
            base = Tuple(items) if items else _empty_tuple()
        elif name in _NAMED:
            base = _NAMED[name]
        elif name in _OPAQUE or name == "reflected":
            base = self.opaque()
        else:
            raise self.error(f"unknown type {name!r}")
        if self.peek() == "[":
            self.next()
            dims = []
            while True:
                tok = self.next()
                if tok == "::1":
                    dims.append(slice(None, None, 1))
                elif tok == ":":
                    dims.append(slice(None))
                else:
                    raise self.error(f"expected ':' or '::1', found {tok!r}")
                tok = self.next()
                if tok == "]":
                    break
                if tok != ",":
                    raise self.error(f"expected ',' or ']', found {tok!r}")
            try:
                base = base[tuple(dims)]
            except TypeError as e:
                raise self.error(str(e)) from None
        return base

    def opaque(self):
        """A type this module has no class for (a container, an optional,
        a range, a function), by its printed form: the name just read and
        its parenthesised arguments."""
        start = self.spans[self.i - 1][0]
        if self.tokens[self.i - 1] == "reflected":
            self.next()
        depth = 0
        if self.peek() == "(":
            while True:
                tok = self.next()
                depth += {"(": 1, ")": -1}.get(tok, 0)
                if depth == 0:
                    break
        return Type(self.text[start:self.spans[self.i - 1][1]])

    def list(self, close):
        items = []
        if self.peek() == close:
            self.next()
            return items
        while True:
            items.append(self.type())
            tok = self.next()
            if tok == close:
                return items
            if tok != ",":
                raise self.error(f"expected ',' or {close!r}, found {tok!r}")
            if self.peek() == close:  # a trailing comma, as in `(int64,)`
                self.next()
                return items

    def end(self):
        if self.peek() is not None:
            raise self.error(f"unexpected {self.peek()!r}")


# Printed forms of types without a class here (see `_Parser.opaque`).
_OPAQUE = {"list", "set", "dict", "OptionalType", "optional", "function", "range_state64"}


def _empty_tuple():
    t = object.__new__(Tuple)
    Type.__init__(t, "Tuple()")
    t.types = ()
    return t


_parsed = {}


def from_string(text):
    """Parse a type in its printed form (``"array(float64, 2d, C)"``,
    ``"UniTuple(int64 x 2)"``) or as written in signatures (``"f8[:, ::1]"``).
    """
    t = _parsed.get(text)
    if t is None:
        p = _Parser(text)
        t = p.type()
        p.end()
        _parsed[text] = t
    return t


def signature_from_string(text):
    """Parse ``"float64(float64[:], int64)"`` or ``"(int64, int64)"``."""
    p = _Parser(text)
    ret = None
    if p.peek() != "(":
        ret = p.type()
    p.expect("(")
    args = p.list(")")
    p.end()
    return Signature(ret, args)
