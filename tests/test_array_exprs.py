"""Array expressions, compared with NumPy on the same inputs (dtype, shape,
values, and the arguments after the call).

- Binary operators ``+ - * / // % ** & | ^ << >>`` and comparisons between
  arrays of every dtype and of mixed dtypes (NumPy's promotion table), in C,
  F and non-contiguous layouts, with broadcasting; integer division and
  modulo by zero (0, as NumPy, not ZeroDivisionError), shifts past the
  width, negative integer powers (ValueError). Operand types NumPy rejects
  (``-`` on booleans, bitwise ops on floats, ...) must fail to compile with
  a TypingError.
- Arrays with scalars on either side: Python scalars are weak (NEP 50:
  ``int8_array + 3`` is int8, ``float32_array * 2.5`` is float32), NumPy
  scalars are not.
- Unary ``-``, ``~``, ``abs()``; NumPy functions over arrays (sqrt, exp, log,
  trigonometric and hyperbolic functions and their inverses, floor, ceil,
  trunc, rint, abs, absolute, isnan, isinf, isfinite, square, degrees,
  radians, arctan2, hypot, power, maximum/minimum (NaN-propagating),
  fmax/fmin, three-argument where) on special values (±0, ±inf, NaN,
  subnormals, huge and tiny numbers).
- Chains such as ``np.sqrt(a * 2.0 + b) - np.tanh(a)`` and the benchmark
  kernels of `oxjit.examples` (go_fast, black_scholes, pdist, jacobi).
- In-place operators (``a += b`` with broadcasting, ``a *= 2``,
  ``a[1:3] += 1``, overlapping operands), NumPy's same_kind rule
  (``int_array += 1.5`` is a compile-time TypingError, OX101).
- Broadcasting errors: ValueError with NumPy's exact message.

Accuracy: integer and boolean results, comparisons, and the correctly
rounded float operations (+ - * / // %, sqrt, floor, ceil, trunc, rint,
abs, square, maximum/minimum) must equal NumPy's bit for bit; transcendental
functions (and ``**`` on floats, ``abs`` of complex numbers) may differ from
NumPy's by at most `TRANSCENDENTAL_ULPS` units in the last place (4 for
float64, 8 for float32: both sides use SIMD variants with errors of their
own); chains of them by `CHAIN_ULPS`. Complex ``*``, ``/`` and ``**`` are rounded
differently by NumPy's FMA-based SIMD loops, so they are compared within
`COMPLEX_REL_EPS` epsilons relative to the modulus (inputs of ``**`` are
kept well-conditioned).
"""

import numpy as np
import pytest

import kernels as k
from array_helpers import check_or_rejected, close_or_rejected, expect_unsupported, expr_kernel, float_specials, kernel
from conftest import ALL_DTYPES, LAYOUTS, check, clone, jitted, make_array, pure, quiet_numpy
from oxjit import examples
from oxjit.errors import TypingError

# ULPs from NumPy's result, by the width of the result's floats: the stated
# accuracy of array math (glibc's libmvec SIMD variants; the same bound as
# test_vector_math.py), and of chains of such functions.
TRANSCENDENTAL_ULPS = {64: 4, 32: 8}
CHAIN_ULPS = {64: 8, 32: 16}
COMPLEX_REL_EPS = 8


def bound(table, *operands):
    """``table[32]`` if every NumPy operand is float32/complex64 (Python
    scalars are weak and do not count), else ``table[64]``."""
    dtypes = [np.asarray(x).dtype for x in operands if isinstance(x, (np.ndarray, np.generic))]
    return table[32] if dtypes and all(d in (np.float32, np.complex64) for d in dtypes) else table[64]

DTYPE_IDS = [np.dtype(d).name for d in ALL_DTYPES]


from kernels import eq, ge, gt, le, lt, ne  # noqa: E402


ARITH = [k.add, k.sub, k.mul, k.truediv, k.floordiv, k.mod, k.power]
BITWISE = [k.bitand, k.bitor, k.bitxor, k.lshift, k.rshift]
COMPARE = [eq, ne, lt, le, gt, ge]
ALL_OPS = ARITH + BITWISE + COMPARE
OP_IDS = [f.__name__ for f in ALL_OPS]

MIXED_PAIRS = [
    (np.int8, np.uint8),
    (np.int64, np.uint64),
    (np.uint32, np.int32),
    (np.int16, np.float32),
    (np.int32, np.float32),
    (np.float32, np.float64),
    (np.float32, np.complex64),
    (np.int64, np.complex64),
    (np.float64, np.complex64),
    (np.bool_, np.int8),
    (np.bool_, np.float32),
    (np.uint64, np.float32),
    (np.uint8, np.int64),
    (np.int8, np.bool_),
]
PAIRS = [(d, d) for d in ALL_DTYPES] + MIXED_PAIRS
PAIR_IDS = [f"{np.dtype(a).name}-{np.dtype(b).name}" for a, b in PAIRS]


def with_layout(values, layout):
    """``values`` as a C, F or non-contiguous ('A') array."""
    if layout == "C":
        return np.ascontiguousarray(values)
    if layout == "F":
        return np.asfortranarray(values)
    big = np.zeros(tuple(2 * s for s in values.shape), dtype=values.dtype)
    view = big[tuple(slice(None, None, 2) for _ in values.shape)]
    view[...] = values
    return view


def operands(op, da, db, shape_a=(3, 4), shape_b=(3, 4), layout="C"):
    """Left and right operands for ``op``: varied values; zeros among the
    divisors; small non-negative integer exponents; shift counts from
    negative to past the width."""
    a = make_array(da, shape_a, "C", seed=1)
    b = make_array(db, shape_b, "C", seed=2)
    kind_b = np.dtype(db).kind
    if op in (k.truediv, k.floordiv, k.mod) and b.size > 2:
        b.flat[::3] = 0
    if op is k.power and kind_b in "iu":
        b = (np.abs(b.astype(np.int64)) % 5).astype(db)
    if op is k.power and kind_b in "fc":
        b = (b / 100).astype(db)  # |exponent| ~ 1: a well-conditioned power
    if op is k.power and np.dtype(da).kind == "c":
        a = (a / 100).astype(da)
    if op in (k.lshift, k.rshift) and kind_b in "iu":
        bits = 8 * max(np.dtype(da).itemsize, np.dtype(db).itemsize)
        counts = np.arange(b.size).reshape(b.shape) * 3 % (bits + 4)
        if kind_b == "i":
            counts[(np.arange(b.size) % 7 == 6).reshape(b.shape)] = -1
        b = counts.astype(db)
    return with_layout(a, layout), with_layout(b, layout)


def op_ulps(op, *dtypes, kinds=""):
    """0, or the bound for ``**`` on floats (by the precision of the NumPy
    operands ``dtypes``; ``kinds`` adds those of weak Python scalars)."""
    kinds = {np.dtype(d).kind for d in dtypes} | set(kinds)
    if op is k.power and kinds & set("fc"):
        single = all(np.dtype(d) in (np.float32, np.complex64) or np.dtype(d).itemsize <= 2 for d in dtypes)
        return TRANSCENDENTAL_ULPS[32 if single else 64]
    return 0


def differential(cfunc, op, dtypes, *args):
    """`check_or_rejected`, with `close_or_rejected` for complex ``*``, ``/``
    and ``**``. ``dtypes``: those of the NumPy operands."""
    kinds = {np.dtype(d).kind for d in dtypes} | {np.asarray(a).dtype.kind for a in args}
    if "c" in kinds and op in (k.mul, k.truediv, k.power):
        return close_or_rejected(cfunc, *args, rel=COMPLEX_REL_EPS)
    return check_or_rejected(cfunc, *args, ulps=op_ulps(op, *dtypes, kinds="".join(kinds)))


# --- binary operators --------------------------------------------------------------------------


@pytest.mark.parametrize("op", ALL_OPS, ids=OP_IDS)
@pytest.mark.parametrize("da, db", PAIRS, ids=PAIR_IDS)
def test_binary_op(op, da, db):
    a, b = operands(op, da, db)
    differential(jitted(op), op, (da, db), a, b)


@pytest.mark.parametrize("op", ALL_OPS, ids=OP_IDS)
@pytest.mark.parametrize("layout", ["F", "A"])
@pytest.mark.parametrize("da, db", [(np.float64, np.float64), (np.int32, np.int64), (np.uint8, np.float32)], ids=["f8", "i4-i8", "u1-f4"])
def test_binary_op_layouts(op, layout, da, db):
    a, b = operands(op, da, db, layout=layout)
    check_or_rejected(jitted(op), a, b, ulps=op_ulps(op, da, db))
    check_or_rejected(jitted(op), a, with_layout(operands(op, da, db)[1], "C"), ulps=op_ulps(op, da, db))


BROADCAST_SHAPES = [
    ((3, 1), (4,)),
    ((4,), (3, 1)),
    ((2, 1, 4), (3, 1)),
    ((1,), (5,)),
    ((5,), (1,)),
    ((0,), (1,)),
    ((4,), (1, 4)),
    ((0, 3), (3,)),
    ((2, 0), (2, 1)),
    ((1, 1), (2, 3)),
    ((2, 3, 4), (2, 3, 4)),
    ((2, 1, 3), (1, 4, 1)),
]


@pytest.mark.parametrize("op", [k.add, k.mul, k.floordiv, k.bitxor, lt], ids=lambda f: f.__name__)
@pytest.mark.parametrize("sa, sb", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_broadcasting(op, sa, sb, layout):
    a, b = operands(op, np.int32, np.int16, sa, sb, layout)
    check(jitted(op), a, b)


BAD_SHAPES = [((3,), (4,)), ((2, 3), (3, 2)), ((3, 1), (2, 1)), ((2, 3, 4), (3, 3)), ((0,), (2,))]


@pytest.mark.parametrize("op", [k.add, k.sub, k.truediv, k.power, eq, k.bitand], ids=lambda f: f.__name__)
@pytest.mark.parametrize("sa, sb", BAD_SHAPES, ids=str)
def test_broadcast_error(op, sa, sb):
    """ValueError('operands could not be broadcast together with shapes (3,) (4,) ')."""
    err = check(jitted(op), np.ones(sa, dtype=np.int64), np.ones(sb, dtype=np.int64))
    assert isinstance(err, ValueError) and "could not be broadcast" in str(err)


@pytest.mark.parametrize(
    "expr, shapes",
    [
        ("a + b + c", ((3,), (1,), (4,))),
        ("a * 2.0 + np.sqrt(c)", ((3,), None, (4,))),
        ("np.where(a > 0, c, b)", ((3,), (1,), (4,))),
        ("np.maximum(a, c)", ((3,), None, (4,))),
        ("np.arctan2(a - b, c)", ((2, 3), (1, 3), (2, 1, 2))),
        ("(a < c) | (b > 0)", ((3,), (3,), (2,))),
    ],
)
def test_broadcast_error_in_chain(expr, shapes):
    """NumPy evaluates one operation at a time; the message names the shapes
    of the operation that fails."""
    args = [np.ones(s) if s is not None else np.ones(1) for s in shapes]
    err = check(expr_kernel(expr, "a, b, c"), *args)
    assert isinstance(err, ValueError)


def int_pow(a, b):
    return a**b


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint16], ids=lambda d: np.dtype(d).name)
def test_negative_integer_power(dtype):
    a = np.arange(1, 7, dtype=dtype)
    b = np.array([2, 0, 1, -1, 3, 2], dtype=np.int64)
    check(jitted(int_pow), a, b)
    check(jitted(int_pow), a, b[:3])  # broadcast error, not the power error
    check(expr_kernel("a ** -2"), a)


# --- arrays with scalars --------------------------------------------------------------------------

SCALAR_OPS = [k.add, k.sub, k.mul, k.truediv, k.floordiv, k.mod, k.power, k.bitand, k.lshift, lt, eq]
SCALAR_DTYPES = [np.int8, np.uint8, np.int64, np.uint64, np.float32, np.float64, np.complex128, np.bool_]
SCALARS = [3, 2.5, 1.5j, True, np.float32(1.5), np.int8(3), np.uint64(5), np.float64(-2.0), 0]


def radd(a, s):
    return s + a


def rsub(a, s):
    return s - a


def rmul(a, s):
    return s * a


def rtruediv(a, s):
    return s / a


def rfloordiv(a, s):
    return s // a


def rmod(a, s):
    return s % a


def rpower(a, s):
    return s**a


def rbitand(a, s):
    return s & a


def rlshift(a, s):
    return s << a


def rlt(a, s):
    return s < a


def req(a, s):
    return s == a


# The same operation with the scalar on the left.
REVERSED = {
    k.add: radd,
    k.sub: rsub,
    k.mul: rmul,
    k.truediv: rtruediv,
    k.floordiv: rfloordiv,
    k.mod: rmod,
    k.power: rpower,
    k.bitand: rbitand,
    k.lshift: rlshift,
    lt: rlt,
    eq: req,
}


# (op, scalar) pairs: zero only as a divisor.
SCALAR_CASES = [
    (op, s)
    for op in SCALAR_OPS
    for s in SCALARS
    if not (type(s) is int and s == 0 and op not in (k.floordiv, k.mod, k.truediv))
]


@pytest.mark.parametrize("op, s", SCALAR_CASES, ids=[f"{op.__name__}-{s!r}" for op, s in SCALAR_CASES])
@pytest.mark.parametrize("dtype", SCALAR_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("side", ["right", "left"])
def test_array_scalar(op, s, dtype, side):
    """Python scalars adopt the array's type where their kind allows
    (NEP 50); NumPy scalars promote as arrays do."""
    a = make_array(dtype, (3, 4), "C", seed=4)
    if op is k.lshift and np.dtype(dtype).kind in "iu":
        a = (np.abs(a.astype(np.int64)) % 9).astype(dtype)
    if op is k.power:  # keep powers well-conditioned: small exponents and bases
        kind = np.dtype(dtype).kind
        a = (np.abs(a.astype(np.int64)) % 5).astype(dtype) if kind in "iu" else (a / 100).astype(dtype)
    f = jitted(op) if side == "right" else jitted(REVERSED[op])
    weak = not isinstance(s, np.generic)  # a Python scalar takes the array's precision
    differential(f, op, (dtype,) if weak else (dtype, s.dtype), a, s)


@pytest.mark.parametrize(
    "expr, dtype",
    [
        ("a + 1", np.int8),
        ("a * 2.5", np.float32),
        ("a - 1.5", np.int16),
        ("a + 1j", np.float32),
        ("a / 2", np.int8),
        ("a // 2", np.uint8),
        ("a % 3", np.int8),
        ("a * True", np.uint16),
        ("2 ** a", np.uint8),
        ("a > -1", np.uint8),
        ("a == 300", np.int8),
        ("a < 2**40", np.int32),
    ],
)
def test_constant_scalar_operands(expr, dtype):
    """Literal Python scalars are weak; comparisons with out-of-range Python
    ints give the mathematically right answer (NumPy 2)."""
    a = make_array(dtype, (5,), "C", seed=4)
    if "**" in expr:
        a = np.arange(5, dtype=dtype)
    check(expr_kernel(expr), a)


# --- unary operators ---------------------------------------------------------------------------------


def neg(a):
    return -a


def invert(a):
    return ~a


def absolute(a):
    return abs(a)


def pos(a):
    return +a


@pytest.mark.parametrize("func", [neg, invert, absolute, pos], ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("layout", ["C", "A"])
def test_unary(func, dtype, layout):
    a = make_array(dtype, (3, 4), layout)
    if np.dtype(dtype).kind in "iu":
        a[0, 0] = np.iinfo(dtype).min  # -MIN and abs(MIN) wrap
    ulps = bound(TRANSCENDENTAL_ULPS, a) if func is absolute and np.dtype(dtype).kind == "c" else 0  # hypot
    check_or_rejected(jitted(func), a, ulps=ulps)


def test_unary_float_specials():
    x = float_specials(np.float64)
    for f in (neg, absolute):
        check(jitted(f), x)
        check(jitted(f), x.astype(np.float32))


# --- NumPy functions over arrays -----------------------------------------------------------------------

EXACT_FUNCS = ["sqrt", "floor", "ceil", "trunc", "rint", "abs", "absolute", "square", "isnan", "isinf", "isfinite"]
INEXACT_FUNCS = [
    "exp",
    "expm1",
    "exp2",
    "log",
    "log1p",
    "log2",
    "log10",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "degrees",
    "radians",
]


def unary_input(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return float_specials(dtype)
    if dtype.kind == "c":
        re = float_specials(np.float64, extra=9)
        im = np.roll(re, 5)
        return (re + 1j * im).astype(dtype)
    return make_array(dtype, (40,), "C", seed=8)


@pytest.mark.parametrize("name", EXACT_FUNCS + INEXACT_FUNCS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.uint32], ids=lambda d: np.dtype(d).name)
def test_unary_function(name, dtype):
    x = unary_input(dtype)
    ulps = 0 if name in EXACT_FUNCS else bound(TRANSCENDENTAL_ULPS, x)
    f = expr_kernel(f"np.{name}(a)")
    check_or_rejected(f, x, ulps=ulps)
    check_or_rejected(f, with_layout(x[:36].reshape(6, 6), "A"), ulps=ulps)


def sweep_input(name, dtype):
    """100,000 values across each function's domain: small, moderate and
    large arguments."""
    rng = np.random.default_rng(12)
    x = np.concatenate([rng.uniform(-1, 1, 40_000), rng.uniform(-20, 20, 40_000), rng.uniform(-300, 300, 20_000)])
    if name in ("log", "log2", "log10", "arccosh"):
        x = np.abs(x) + (1.0 if name == "arccosh" else 0.0)
    if name in ("arcsin", "arccos", "arctanh"):
        x = np.clip(x, -1, 1)
    return x.astype(dtype)


@pytest.mark.parametrize("name", INEXACT_FUNCS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_unary_function_accuracy_sweep(name, dtype):
    """The stated bound (`TRANSCENDENTAL_ULPS` from NumPy's result) over many
    arguments, where vectorised (SIMD) variants are in use."""
    x = sweep_input(name, dtype)
    check(expr_kernel(f"np.{name}(a)"), x, ulps=bound(TRANSCENDENTAL_ULPS, x))


@pytest.mark.parametrize("name", ["sqrt", "exp", "log", "abs", "absolute", "square", "isnan", "isfinite", "sin", "tanh"])
@pytest.mark.parametrize("dtype", [np.complex128, np.complex64], ids=lambda d: np.dtype(d).name)
def test_unary_function_complex(name, dtype, request):
    if name not in ("abs", "absolute", "square"):
        expect_unsupported(request, f"np.{name} of complex arrays")
    if name == "square":
        close_or_rejected(expr_kernel(f"np.{name}(a)"), unary_input(dtype), rel=COMPLEX_REL_EPS)
        return
    x = unary_input(dtype)
    ulps = 0 if name in ("isnan", "isfinite") else bound(TRANSCENDENTAL_ULPS, x)
    check_or_rejected(expr_kernel(f"np.{name}(a)"), x, ulps=ulps)


BINARY_FUNCS = ["arctan2", "hypot", "power", "maximum", "minimum", "fmax", "fmin"]


def binary_inputs(dtype):
    """Every pair of special values (and some varied ones), except equal
    zeros of opposite sign (which of them max/min returns is unspecified)."""
    x = float_specials(dtype, extra=5)
    a, b = np.meshgrid(x, x, indexing="ij")
    keep = ~((a == 0) & (b == 0) & (np.signbit(a) != np.signbit(b)))
    return a[keep], b[keep]


@pytest.mark.parametrize("name", BINARY_FUNCS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: np.dtype(d).name)
def test_binary_function(name, dtype):
    """maximum/minimum propagate NaN, fmax/fmin ignore it."""
    a, b = binary_inputs(dtype)
    ulps = bound(TRANSCENDENTAL_ULPS, a, b) if name in ("arctan2", "hypot", "power") else 0
    check(expr_kernel(f"np.{name}(a, b)", "a, b"), a, b, ulps=ulps)


# Mixed operand types; booleans only where the result is not float16.
BINARY_MIXED = [
    (name, da, db)
    for name in BINARY_FUNCS
    for da, db in [(np.int32, np.int32), (np.int8, np.uint8), (np.int64, np.float32), (np.float32, np.float64), (np.bool_, np.bool_)]
    # (arctan2/hypot of bool or of int8 with uint8 give float16 in NumPy)
    if not ((da is np.bool_ or da is np.int8) and name in ("arctan2", "hypot"))
]


@pytest.mark.parametrize(
    "name, da, db", BINARY_MIXED, ids=[f"{n}-{np.dtype(a).name}-{np.dtype(b).name}" for n, a, b in BINARY_MIXED]
)
def test_binary_function_mixed(name, da, db):
    a, b = operands(k.power if name == "power" else k.add, da, db, (3, 4), (4,))
    ulps = bound(TRANSCENDENTAL_ULPS, a, b) if name in ("arctan2", "hypot", "power") else 0
    check_or_rejected(expr_kernel(f"np.{name}(a, b)", "a, b"), a, b, ulps=ulps)


@pytest.mark.parametrize("name", BINARY_FUNCS)
@pytest.mark.parametrize("s", [2, 0.5, np.float32(3.0)], ids=repr)
def test_binary_function_scalar(name, s):
    a = float_specials(np.float32)
    ulps = bound(TRANSCENDENTAL_ULPS, a, s) if name in ("arctan2", "hypot", "power") else 0
    check(expr_kernel(f"np.{name}(a, s)", "a, s"), a, s, ulps=ulps)
    check(expr_kernel(f"np.{name}(s, a)", "a, s"), a, s, ulps=ulps)


WHERE_CASES = [
    ("np.where(c, x, y)", (np.bool_, (3, 4)), (np.float64, (3, 4)), (np.float64, (3, 4))),
    ("np.where(c, x, y)", (np.bool_, (3, 1)), (np.int8, (4,)), (np.float32, (3, 4))),
    ("np.where(c, x, y)", (np.int32, (4,)), (np.int16, (4,)), (np.uint16, (4,))),
    ("np.where(c, x, y)", (np.float64, (2, 3)), (np.complex64, (2, 3)), (np.bool_, (1, 3))),
    ("np.where(c > 0, x, 0)", (np.float64, (3, 4)), (np.int8, (3, 4)), (np.int8, (1,))),
    ("np.where(c > 0, x, 1.5)", (np.float64, (3, 4)), (np.float32, (3, 4)), (np.int8, (1,))),
    ("np.where(c > 0, 1.5, -1)", (np.float64, (3, 4)), (np.int8, (1,)), (np.int8, (1,))),
    ("np.where(c > 0, x, y * 2)", (np.int64, (5,)), (np.int64, (5,)), (np.int64, (5,))),
    ("np.where(x < y, x, y)", (np.bool_, (1,)), (np.float64, (6,)), (np.float64, (6,))),
]


@pytest.mark.parametrize("src, cspec, xspec, yspec", WHERE_CASES)
@pytest.mark.parametrize("layout", ["C", "A"])
def test_where(src, cspec, xspec, yspec, layout):
    """Three-argument np.where: broadcasting, promotion (NEP 50 for Python
    scalars), non-boolean conditions."""
    c, x, y = (make_array(d, s, layout, seed=i) for i, (d, s) in enumerate([cspec, xspec, yspec]))
    check(expr_kernel(src, "c, x, y"), c, x, y)


# --- chains ---------------------------------------------------------------------------------------------------

CHAINS = [
    "np.sqrt(a * 2.0 + b) - np.tanh(a)",
    "(a - b) ** 2",
    "np.exp(-a * a / 2) * 0.3989422804014327",
    "a * (b > 0)",
    "((a > 0) & (b < 0)) | (a == b)",
    "np.where(a > b, a - b, np.abs(b - a) * 0.5)",
    "np.maximum(a, 0.0) + np.minimum(b, 0.0) * 2",
    "-a + b * 3 - (a / (np.abs(b) + 1.0))",
    "np.floor(a * 10) % 7 + np.ceil(b)",
    "a + b.T",
    "a[:, None] - b[None, :]",
    "np.hypot(a, b) + np.arctan2(a, b)",
    "a[1:, ::2] * b[:-1, 1::2]",
]


@pytest.mark.parametrize("expr", CHAINS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_chain(expr, dtype):
    a = np.abs(make_array(dtype, (4, 4), "C", seed=11)) / 10
    b = np.abs(make_array(dtype, (4, 4), "C", seed=12)) / 10
    if "None" in expr:
        a, b = a[0], b[1]
    check(expr_kernel(expr, "a, b"), a, b, ulps=bound(CHAIN_ULPS, a, b))


def go_fast_diagonal(a):
    """The tutorial's 2-D go_fast (trace of the diagonal)."""
    trace = 0.0
    for i in range(a.shape[0]):
        trace += np.tanh(a[i, i])
    return a + trace


def test_go_fast():
    check(jitted(go_fast_diagonal), np.arange(100.0).reshape(10, 10) / 50, ulps=CHAIN_ULPS[64])
    check(jitted(examples.go_fast), np.random.default_rng(4).random(1000), ulps=CHAIN_ULPS[64])


def test_black_scholes():
    """The benchmark kernel; option prices well above zero (no cancellation
    to amplify ULPs)."""
    rng = np.random.default_rng(5)
    n = 1000
    S = rng.uniform(40, 60, n)
    K = rng.uniform(20, 30, n)
    T = rng.uniform(0.5, 2, n)
    check(jitted(examples.black_scholes), S, K, T, 0.02, 0.3, ulps=CHAIN_ULPS[64])


def test_pdist():
    """Distances between distinct random points."""
    xs = np.random.default_rng(6).standard_normal((20, 3))
    check(jitted(examples.pdist), xs, ulps=CHAIN_ULPS[64])


@pytest.mark.parametrize("shape, sweeps", [((50, 40), 10), ((3, 3), 2), ((2, 5), 3)])
def test_jacobi(shape, sweeps):
    """The benchmark's Jacobi stencil (slice reads, slice assignment, swapping
    arrays in a tuple): only + and * 0.25, so bit for bit."""
    u = np.zeros(shape)
    u[0, :] = 1.0
    u[:, 0] = 0.5
    check(jitted(examples.jacobi), u, sweeps)


def test_expression_result_is_new_array():
    f = kernel(
        """
        def f(a):
            b = a + 0
            b[0] = 99
            c = a * 1
            return a[0] + b[0] + c[0]
        """
    )
    check(f, np.arange(3.0))


# --- in-place operators ---------------------------------------------------------------------------------------

INPLACE_OPS = ["+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>="]
INPLACE_PAIRS = [
    (np.float64, np.float64),
    (np.float64, np.int32),
    (np.int32, np.float64),
    (np.int8, np.int64),
    (np.uint8, np.int8),
    (np.float32, np.float64),
    (np.complex64, np.float64),
    (np.float64, np.complex128),
    (np.bool_, np.bool_),
    (np.int64, np.bool_),
    (np.uint64, np.uint8),
    (np.int16, np.int16),
]


def inplace_kernel(op):
    return kernel(f"def f(a, b):\n    a {op} b\n")


OP_OF = {"+=": k.add, "-=": k.sub, "*=": k.mul, "/=": k.truediv, "//=": k.floordiv, "%=": k.mod, "**=": k.power, "&=": k.bitand, "|=": k.bitor, "^=": k.bitxor, "<<=": k.lshift, ">>=": k.rshift}


@pytest.mark.parametrize("op", INPLACE_OPS)
@pytest.mark.parametrize("da, db", INPLACE_PAIRS, ids=[f"{np.dtype(a).name}-{np.dtype(b).name}" for a, b in INPLACE_PAIRS])
def test_inplace(op, da, db):
    """``a op= b`` casts the result back into ``a`` under NumPy's same_kind
    rule; where NumPy refuses (int += float, uint8 += int8) the function
    must not compile."""
    a, b = operands(OP_OF[op], da, db)
    differential(inplace_kernel(op), OP_OF[op], (da, db), a, b)
    differential(inplace_kernel(op), OP_OF[op], (da, db), a, b[1])  # broadcast row


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "src",
    [
        "a *= 2",
        "a += 1.5",
        "a[1:3] += 1",
        "a[:, 0] *= a[:, 1]",
        "a[::-1, 1:] -= 0.5",
        "a[2] /= 4",
        "a -= a[::-1]",
        "a += a.T",
        "a[1:] += a[:-1]",
        "a[:, 1:] = a[:, 1:] * 2 + a[:, :-1]",
        "a **= 2",
        "a //= -0.75",
    ],
)
def test_inplace_forms(layout, src):
    """In-place updates of views and of overlapping operands: as if the
    right-hand side were computed first (NumPy's semantics)."""
    f = kernel(f"def f(a):\n    {src}\n    return a\n")
    check(f, make_array(np.float64, (4, 4), layout))


@pytest.mark.parametrize("src", ["a += 1", "a *= 3", "a -= b", "a <<= 2", "a %= 3", "a //= b"])
def test_inplace_int_wraps(src):
    f = kernel(f"def f(a, b):\n    {src}\n    return a\n")
    check(f, np.array([120, -128, 127, 5, 0], dtype=np.int8), np.array([9, 1, -1, 0, 7], dtype=np.int8))


def test_inplace_returns_same_object():
    f = kernel(
        """
        def f(a):
            x = a
            x += 1
            x[1:] *= 2
            return x
        """
    )
    a = np.arange(4.0)
    assert f(a) is a
    assert a.tolist() == [1.0, 4.0, 6.0, 8.0]


@pytest.mark.parametrize(
    "src, dtype",
    [
        ("a += 1.5", np.int64),
        ("a += b", np.int32),
        ("a *= 0.5", np.uint8),
        ("a /= 2", np.int64),
        ("a -= 1j", np.float64),
        ("a //= 1.5", np.int8),
    ],
)
def test_inplace_same_kind_error(src, dtype):
    """NumPy: UFuncTypeError (Cannot cast ufunc output ... with casting rule
    'same_kind'); compiled: a TypingError (OX101) at compile time, pointing
    at the statement."""
    f = kernel(f"def f(a, b):\n    {src}\n")
    a, b = np.zeros(3, dtype=dtype), np.zeros(3)
    with pytest.raises(TypeError), quiet_numpy():
        pure(f)(clone(a), clone(b))
    with pytest.raises(TypingError) as info:
        f(a, b)
    assert info.value.code == "OX101"
    assert src in str(info.value)


@pytest.mark.parametrize("sa, sb", [((4,), (3, 4)), ((3, 1), (3, 4)), ((3,), (4,)), ((2, 3), (3, 3))], ids=str)
def test_inplace_broadcast_error(sa, sb):
    """``non-broadcastable output operand with shape (4,) doesn't match the
    broadcast shape (3,4)`` / ``operands could not be broadcast ...``."""
    err = check(inplace_kernel("+="), np.zeros(sa), np.ones(sb))
    assert isinstance(err, ValueError)
