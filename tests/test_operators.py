"""Differential tests of scalar operators against CPython: arithmetic with
Python's sign rules for ``//`` and ``%``, true division, ``**``, bitwise
operators and shifts, unary operators, comparisons (also chained),
short-circuit ``and``/``or``, conditional expressions, division by zero under
both error models, int64 wrap-around, and NumPy scalar widths with NumPy 2's
promotion rules (NEP 50)."""

import math

import numpy as np
import pytest

from conftest import assert_precise_equal, check, jitted, make_array, quiet_numpy, wrap64
from kernels import add, bitand, bitor, bitxor, floordiv, lshift, mod, mul, power, rshift, sub, truediv
from oxjit import njit

inf, nan = math.inf, math.nan


ARITH = {"+": add, "-": sub, "*": mul, "/": truediv, "//": floordiv, "%": mod}
OTHERS = {"**": power, "&": bitand, "|": bitor, "^": bitxor, "<<": lshift, ">>": rshift}
C = {op: njit(f) for op, f in {**ARITH, **OTHERS}.items()}
NUMPY_MODEL = {op: njit(error_model="numpy")(f) for op, f in ARITH.items()}

INT_PAIRS = [
    (7, 2),
    (-7, 2),
    (7, -2),
    (-7, -2),
    (0, 5),
    (0, -5),
    (6, 3),
    (-6, 3),
    (6, -3),
    (1, 1),
    (2**40 + 1, 3),
    (-(2**40) - 1, 7),
    (123456789, -1000),
    (-(2**50) - 3, 2**11 + 1),
    (5, 0),
    (-5, 0),
    (0, 0),
]
FLOAT_PAIRS = [
    (7.5, 2.0),
    (-7.5, 2.0),
    (7.5, -2.0),
    (-7.5, -2.0),
    (0.0, 3.0),
    (-0.0, 3.0),
    (0.0, -3.0),
    (1.0, 3.0),
    (0.1, 0.3),
    (1e16, 3.0),
    (1e308, 10.0),
    (5e-324, 0.5),
    (inf, 2.0),
    (2.0, inf),
    (-2.0, inf),
    (inf, inf),
    (-inf, 3.0),
    (nan, 1.0),
    (1.0, nan),
    (5.0, 0.0),
    (5.0, -0.0),
    (0.0, 0.0),
    (inf, 0.0),
    (nan, 0.0),
]
MIXED_PAIRS = [(7, 2.5), (7.5, 2), (-3, 0.5), (3, -0.0), (2**53 + 1, 1.0), (True, 2), (3, False), (True, 2.5), (-7, True)]
BOOL_PAIRS = [(True, True), (True, False), (False, True), (False, False)]
COMPLEX_PAIRS = [
    (1 + 2j, 3 - 4j),
    (-1.5 + 0j, 2j),
    (1 + 2j, 0.5 - 0.25j),
    (1 + 2j, 3),
    (2.5, 1j),
    (3, 1 - 1j),
    (1e200 + 1e200j, 1e-200 + 1e-200j),
    (2j, 0j),
    (1 + 1j, 0),
]


@pytest.mark.parametrize("op", list(ARITH))
@pytest.mark.parametrize("x, y", INT_PAIRS + FLOAT_PAIRS + MIXED_PAIRS + BOOL_PAIRS)
def test_arithmetic(op, x, y):
    check(C[op], x, y)


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
@pytest.mark.parametrize("x, y", COMPLEX_PAIRS)
def test_complex_arithmetic(op, x, y):
    check(C[op], x, y)


@pytest.mark.parametrize(
    "x, y",
    [(3, 4), (-3, 3), (2, 0), (0, 0), (-2, 5), (10, 15), (7, 1), (-1, 63), (2, 62), (True, 3)]
    + [(2.0, 0.5), (2.0, -1.0), (0.5, 10.0), (-2.0, 3.0), (-2.0, -2.0), (nan, 0.0), (1.0, nan), (inf, -1.0)]
    + [(10.0, 300.0), (4, 0.5), (2.0, 3), (-0.0, 3.0), (-0.0, 2.0), (1e-300, 2.0)],
)
def test_power(x, y):
    check(C["**"], x, y)


@pytest.mark.parametrize("op", ["&", "|", "^"])
@pytest.mark.parametrize("x, y", [(12, 10), (-12, 10), (-1, 2**40), (0, -1), (2**62, -(2**62)), (7, True)] + BOOL_PAIRS)
def test_bitwise(op, x, y):
    check(C[op], x, y)


SHIFT_PAIRS = [(1, 0), (1, 62), (3, 10), (-5, 3), (2**40, 20), (12345, 7), (-1, 63), (-1000, 3), (2**62, 62)]


# Left shifts that overflow int64 are checked against wrap-around in test_properties.py.
@pytest.mark.parametrize(
    "op, x, y", [(op, x, y) for op in ("<<", ">>") for x, y in SHIFT_PAIRS if op == ">>" or wrap64(x << y) == x << y]
)
def test_shifts(op, x, y):
    check(C[op], x, y)


def test_int64_wraps_around():
    assert C["+"](2**62, 2**62) == -(2**63)
    assert C["-"](-(2**63), 1) == 2**63 - 1
    assert C["*"](2**32, 2**32) == 0
    assert C["*"](3037000500, 3037000500) == 3037000500**2 - 2**64
    assert C["**"](3, 41) == wrap64(3**41)
    assert C["**"](-3, 41) == wrap64((-3) ** 41)
    assert C["<<"](1, 63) == -(2**63)


def neg(x):
    return -x


def pos(x):
    return +x


def invert(x):
    return ~x


def not_(x):
    return not x


UNARY = {"-": njit(neg), "+": njit(pos), "~": njit(invert), "not": njit(not_)}
UNARY_VALUES = [0, 5, -7, 2**62, -(2**63) + 1, 0.0, -0.0, 2.5, -inf, nan, True, False, 0j, 1 - 2j, -0.0 + 0j]


# ~ is defined on integers only (and deprecated on bool).
@pytest.mark.parametrize("op, x", [(op, x) for op in UNARY for x in UNARY_VALUES if op != "~" or type(x) is int])
def test_unary(op, x):
    check(UNARY[op], x)


from kernels import eq, ge, gt, le, lt, ne  # noqa: E402


CMP = {f.__name__: njit(f) for f in (eq, ne, lt, le, gt, ge)}
CMP_PAIRS = [
    (1, 2),
    (2, 1),
    (2, 2),
    (-(2**63), 2**63 - 1),
    (1.5, 1.5),
    (-0.0, 0.0),
    (nan, nan),
    (nan, 1.0),
    (inf, 1e308),
    (-inf, -inf),
    (1, 1.0),
    (2, 1.5),
    (True, 1),
    (False, 0.0),
    (True, False),
]


@pytest.mark.parametrize("op", list(CMP))
@pytest.mark.parametrize("x, y", CMP_PAIRS)
def test_comparison(op, x, y):
    check(CMP[op], x, y)


@pytest.mark.parametrize("op", ["eq", "ne"])
@pytest.mark.parametrize("x, y", [(1 + 2j, 1 + 2j), (1 + 2j, 1 - 2j), (2 + 0j, 2), (2 + 0j, 2.0), (complex(nan, 0), complex(nan, 0))])
def test_complex_equality(op, x, y):
    check(CMP[op], x, y)


def chain_lt(a, b, c):
    return a < b < c


def chain_up_down(a, b, c):
    return a < b > c


def chain_eq(a, b, c):
    return a == b == c


def chain4(a, b, c, d):
    return a <= b < c != d


def in_range(x):
    return 0 <= x < 10


@pytest.mark.parametrize(
    "fn, args",
    [
        (chain_lt, (1, 2, 3)),
        (chain_lt, (1, 3, 2)),
        (chain_lt, (3, 2, 1)),
        (chain_lt, (1.0, 2, 2.5)),
        (chain_lt, (nan, 1.0, 2.0)),
        (chain_up_down, (1, 5, 2)),
        (chain_up_down, (1, 0, 2)),
        (chain_eq, (2, 2, 2)),
        (chain_eq, (2, 2, 3)),
        (chain_eq, (2, 2.0, True)),
        (chain4, (1, 1, 2, 3)),
        (chain4, (1, 1, 2, 2)),
        (chain4, (1, 2, 2, 3)),
        (in_range, (-1,)),
        (in_range, (0,)),
        (in_range, (9,)),
        (in_range, (10,)),
        (in_range, (5.5,)),
    ],
)
def test_chained_comparison(fn, args):
    check(jitted(fn), *args)


@njit
def bump(a):
    a[0] += 1
    return a[0]


def chain_evaluates_middle_once(a):
    return 0 < bump(a) < 100


def chain_short_circuits(a, x):
    return x > 5 < bump(a)


def and_guard(x):
    return x != 0 and 10 // x > 1


def or_guard(x):
    return x == 0 or 10 // x > 1


def and_value(x, y):
    return x and y


def or_value(x, y):
    return x or y


def and_side_effect(a, x):
    return x > 0 and bump(a) > 0


def or_side_effect(a, x):
    return x > 0 or bump(a) > 0


def not_and(x, y):
    return not (x and y)


def and_or_mix(x, y, z):
    return x > 0 and y > 0 or z > 0


@pytest.mark.parametrize("x", [0, 1, 3, 20, -4])
def test_short_circuit_guards_division(x):
    check(jitted(and_guard), x)
    check(jitted(or_guard), x)


@pytest.mark.parametrize("x, y", [(3, 5), (0, 5), (3, 0), (0, 0), (2.5, 1.5), (0.0, 1.5), (True, False), (False, True)])
def test_and_or_return_an_operand(x, y):
    check(jitted(and_value), x, y)
    check(jitted(or_value), x, y)
    check(jitted(not_and), x, y)


@pytest.mark.parametrize("x", [-1, 0, 1])
def test_short_circuit_skips_side_effects(x):
    a = np.zeros(1, dtype=np.int64)
    check(jitted(and_side_effect), a, x)
    check(jitted(or_side_effect), a, x)
    check(jitted(chain_evaluates_middle_once), a)
    check(jitted(chain_short_circuits), a, x + 5)


@pytest.mark.parametrize("x, y, z", [(1, 1, 0), (1, 0, 0), (0, 1, 1), (0, 0, 0), (-1, 5, 1)])
def test_and_or_precedence(x, y, z):
    check(jitted(and_or_mix), x, y, z)


def collatz_step(x):
    return x // 2 if x % 2 == 0 else 3 * x + 1


def absolute(x):
    return -x if x < 0 else x


def sign(x):
    return -1 if x < 0 else (0 if x == 0 else 1)


@pytest.mark.parametrize("fn", [collatz_step, absolute, sign])
@pytest.mark.parametrize("x", [-7, -1, 0, 1, 6, 27])
def test_conditional_expression(fn, x):
    check(jitted(fn), x)


@pytest.mark.parametrize("x", [-2.5, -0.0, 0.0, 3.5, nan])
def test_conditional_expression_float(x):
    check(jitted(absolute), x)
    check(jitted(sign), x)


# --- error_model='numpy' ------------------------------------------------------------

NUMPY_UFUNC = {"/": np.true_divide, "//": np.floor_divide, "%": np.remainder}


@pytest.mark.parametrize("op", ["/", "//", "%"])
@pytest.mark.parametrize(
    "x, y", [(5, 0), (-5, 0), (0, 0), (5.0, 0.0), (-5.0, 0.0), (0.0, 0.0), (5.0, -0.0), (inf, 0.0), (nan, 0.0), (3, 0.0)]
)
def test_numpy_error_model_division_by_zero_gives_inf_nan(op, x, y):
    """NumPy's ufuncs are the oracle: inf/nan for floats, 0 for integer // and %."""
    with quiet_numpy():
        want = NUMPY_UFUNC[op](np.asarray(x), np.asarray(y))[()]
    want = float(want) if want.dtype.kind == "f" else int(want)
    assert_precise_equal(NUMPY_MODEL[op](x, y), want)


@pytest.mark.parametrize("op", list(ARITH))
@pytest.mark.parametrize("x, y", [p for p in INT_PAIRS + FLOAT_PAIRS + MIXED_PAIRS if p[1] != 0])
def test_numpy_error_model_keeps_python_semantics_otherwise(op, x, y):
    check(NUMPY_MODEL[op], x, y)


def test_python_error_model_raises_zero_division():
    for op in ("/", "//", "%"):
        with pytest.raises(ZeroDivisionError):
            C[op](1, 0)
        with pytest.raises(ZeroDivisionError):
            C[op](1.0, 0.0)


# --- NumPy scalar widths (NEP 50) ---------------------------------------------------

NP_CASES = [
    ("+", np.int8(100), np.int8(100)),
    ("+", np.int8(5), 1),
    ("+", True, np.int8(3)),
    ("*", np.int16(300), np.int8(2)),
    ("+", np.uint8(200), np.uint8(100)),
    ("-", np.uint8(1), np.uint8(2)),
    ("-", np.int16(-32768), 1),
    ("+", np.int32(2**31 - 1), np.int32(1)),
    ("*", np.uint32(2**31), np.uint32(2)),
    ("//", np.int32(7), np.int32(-2)),
    ("%", np.int8(-7), np.int8(3)),
    ("//", np.int64(-9), 4),
    ("+", np.uint64(5), np.int64(3)),
    ("+", np.uint64(2**64 - 1), np.uint64(1)),
    ("+", np.float32(1.5), np.float64(2.25)),
    ("*", np.float32(1.1), 2.0),
    ("+", np.float32(0.1), np.float32(0.2)),
    ("*", np.int64(2), 1.5),
    ("*", np.int8(2), 1.5),
    ("+", np.float32(2), 1j),
    ("*", np.complex64(1 + 2j), np.complex64(2 - 1j)),
    ("+", np.complex64(1 + 2j), np.float64(1.0)),
    ("/", np.int32(5), np.int32(2)),
    ("/", np.int8(5), 2),
    ("/", np.float32(5), 2),
    ("//", np.float32(7.5), np.float32(2)),
    ("%", np.float64(-7.5), 2.0),
    ("%", np.float32(-7.5), np.float32(2)),
    ("**", np.int8(3), 2),
    ("**", np.float32(2), 0.5),
    ("**", np.int64(3), np.int64(4)),
    ("&", np.uint8(0xF0), np.uint8(0x3C)),
    ("|", np.int16(-256), np.int16(255)),
    ("<<", np.int8(1), np.int8(6)),
    (">>", np.int32(-1000), np.int32(3)),
    (">>", np.uint16(40000), np.uint16(3)),
]


@pytest.mark.parametrize("op, x, y", NP_CASES, ids=[f"{type(x).__name__}{op}{type(y).__name__}" for op, x, y in NP_CASES])
def test_numpy_scalar_promotion(op, x, y):
    """The result has NumPy's type and value (wrapping for fixed widths)."""
    check(C[op], x, y)


@pytest.mark.parametrize("op", ["-", "+", "~"])
@pytest.mark.parametrize("x", [np.int8(-128), np.int8(5), np.uint8(5), np.uint64(7), np.int32(-3)])
def test_numpy_scalar_unary(op, x):
    check(UNARY[op], x)


@pytest.mark.parametrize("x", [np.float32(-1.5), np.complex64(1 - 1j), np.float64(-0.0)])
def test_numpy_scalar_unary_float(x):
    check(UNARY["-"], x)
    check(UNARY["not"], x)


@pytest.mark.parametrize("op", list(CMP))
@pytest.mark.parametrize(
    "x, y", [(np.float32(0.1), 0.1), (np.float32(0.5), 0.5), (np.int8(-1), np.uint8(255)), (np.uint64(2**63), 1), (np.float32(nan), 1)]
)
def test_numpy_scalar_comparison(op, x, y):
    """Same truth value as NumPy. NumPy answers with ``np.bool_``; a Python
    ``bool`` is accepted too."""
    with quiet_numpy():
        want = CMP[op].py_func(x, y)
    got = CMP[op](x, y)
    assert isinstance(got, (bool, np.bool_))
    assert bool(got) is bool(want)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.uint32, np.int64, np.uint64, np.float32, np.complex64])
@pytest.mark.parametrize("op", ["+", "-", "*"])
def test_array_elements_keep_their_width(dtype, op):
    a = make_array(dtype, (4,))
    a[0] = np.array(100).astype(dtype)
    a[1] = np.array(120).astype(dtype)
    f = {"+": add_elems, "-": sub_elems, "*": mul_elems}[op]
    check(f, a, 0, 1)
    check(f, a, 2, 3)


@njit
def add_elems(a, i, j):
    return a[i] + a[j]


@njit
def sub_elems(a, i, j):
    return a[i] - a[j]


@njit
def mul_elems(a, i, j):
    return a[i] * a[j]


def div_by_constants(x):
    return x // 1, x % 1, x // 2, x % 2, x // 8, x % 8, x // 3, x % 3, x // -4, x % -4


@pytest.mark.parametrize(
    "x",
    [0, 1, -1, 7, -7, 8, -8, 2**62 + 5, -(2**63), 2**63 - 1, np.int8(-7), np.int8(-128), np.int32(-9)],
)
def test_floor_division_by_constants(x):
    # Constant power-of-two divisors compile to shifts and masks: same results.
    with quiet_numpy():
        check(jitted(div_by_constants), x)


def unsigned_div_by_constants(x):
    return x // 1, x % 1, x // 2, x % 2, x // 8, x % 8, x // 3, x % 3


@pytest.mark.parametrize("x", [np.uint8(255), np.uint8(0), np.uint64(2**64 - 3), np.uint16(9)])
def test_unsigned_floor_division_by_constants(x):
    check(jitted(unsigned_div_by_constants), x)


# --- the operator module ----------------------------------------------------------------
# Each function is the operator it names (issue 18): same typing, same
# results as CPython running the same function.

import operator  # noqa: E402


def op_binary(x, y):
    return (
        operator.add(x, y),
        operator.sub(x, y),
        operator.mul(x, y),
        operator.truediv(x, y),
        operator.floordiv(x, y),
        operator.mod(x, y),
        operator.iadd(x, y),
        operator.imul(x, y),
        operator.eq(x, y),
        operator.ne(x, y),
        operator.lt(x, y),
        operator.le(x, y),
        operator.gt(x, y),
        operator.ge(x, y),
        operator.neg(x),
        operator.pos(y),
        operator.not_(x),
        operator.truth(y),
    )


def op_bits(x, y):
    return (
        operator.and_(x, y),
        operator.or_(x, y),
        operator.xor(x, y),
        operator.lshift(x, 3),
        operator.rshift(x, 1),
        operator.invert(x),
        operator.inv(y),
        operator.iand(x, y),
        operator.ixor(x, y),
        operator.pow(x, 2),
        operator.ipow(y, 3),
    )


def op_containers(t, a, x):
    return operator.contains(t, x), operator.is_(x, None), operator.is_not(None, None), operator.add(a, a)


@pytest.mark.parametrize("x, y", [(7, 2), (-7, 3), (2.5, -0.5), (np.int8(5), np.int8(3)), (np.float32(1.5), 2)])
def test_operator_module_arithmetic(x, y):
    check(jitted(op_binary), x, y)


@pytest.mark.parametrize("x, y", [(12, 10), (-5, 3), (np.uint8(200), np.uint8(7)), (True, False)])
def test_operator_module_bits(x, y):
    check(jitted(op_bits), x, y)


def test_operator_module_containers_and_arrays():
    check(jitted(op_containers), (1, 2, 3), np.arange(3.0), 2)
    check(jitted(op_containers), (1, 2, 3), np.arange(3.0), 5)


def test_operator_module_in_place_on_arrays_is_refused():
    from oxjit.errors import TypingError

    def f(a):
        return operator.iadd(a, 1.0)

    with pytest.raises(TypingError, match=r"iadd\(\) of an array updates it in place"):
        njit(f)(np.zeros(2))
