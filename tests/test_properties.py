"""Property tests (hypothesis) of arithmetic semantics against CPython.

int64: ``+ - * // % ** & | ^ << >>`` and comparisons. Compiled integers are
64-bit and wrap around, so CPython's exact result is wrapped to int64
before comparing; operands are bounded where CPython would otherwise build
huge numbers (``**``) or where int64 has no answer (``INT64_MIN // -1``).
float64: ``+ - * / // %`` and comparisons over all floats, including
inf, nan, -0.0 and subnormals; division by zero must raise the same
``ZeroDivisionError`` as CPython.
"""

import math

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import assert_precise_equal, jitted, outcome, wrap64
from kernels import add, bitand, bitor, bitxor, floordiv, lshift, mod, mul, power, rshift, sub, truediv

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

int64s = st.integers(INT64_MIN, INT64_MAX)
small_ints = st.integers(-(2**31), 2**31)
nonzero_int64s = int64s.filter(lambda v: v != 0)
floats = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def compare_all(x, y):
    return x == y, x != y, x < y, x <= y, x > y, x >= y


def divmod_identity(x, y):
    q = x // y
    r = x % y
    return q * y + r


def assert_int_op(fn, x, y):
    got = jitted(fn)(x, y)
    assert type(got) is int, f"{fn.__name__}({x}, {y}) returned {type(got).__name__}"
    assert got == wrap64(fn(x, y)), f"{fn.__name__}({x}, {y}) = {got}, want {wrap64(fn(x, y))}"


# --- int64 ---------------------------------------------------------------------------


@SETTINGS
@given(int64s, int64s)
@example(INT64_MAX, 1)
@example(INT64_MIN, -1)
def test_int_add_sub_wrap(x, y):
    assert_int_op(add, x, y)
    assert_int_op(sub, x, y)


@SETTINGS
@given(int64s, int64s)
@example(2**32, 2**32)
@example(INT64_MIN, -1)
def test_int_mul_wraps(x, y):
    assert_int_op(mul, x, y)


@SETTINGS
@given(small_ints, small_ints)
def test_int_mul_small(x, y):
    assert_int_op(mul, x, y)


@SETTINGS
@given(int64s.filter(lambda v: v != INT64_MIN), nonzero_int64s)
@example(7, -2)
@example(-7, 2)
@example(INT64_MAX, INT64_MIN)
def test_int_floordiv_mod(x, y):
    assert_int_op(floordiv, x, y)
    assert_int_op(mod, x, y)
    assert jitted(divmod_identity)(x, y) == x


@SETTINGS
@given(int64s)
def test_int_division_by_zero_raises(x):
    for fn in (floordiv, mod, truediv):
        want = outcome(fn, (x, 0), {})
        got = outcome(jitted(fn), (x, 0), {})
        assert got[0] == "raise" and type(got[1]) is type(want[1]) is ZeroDivisionError
        assert got[1].args == want[1].args


@SETTINGS
@given(st.integers(-(2**12), 2**12), st.integers(0, 5))
def test_int_power_small(x, y):
    assert_int_op(power, x, y)


@SETTINGS
@given(st.integers(-3, 3), st.integers(0, 80))
def test_int_power_wraps(x, y):
    assert_int_op(power, x, y)


@SETTINGS
@given(int64s, int64s)
def test_int_bitwise(x, y):
    assert_int_op(bitand, x, y)
    assert_int_op(bitor, x, y)
    assert_int_op(bitxor, x, y)


@SETTINGS
@given(int64s, st.integers(0, 62))
@example(1, 62)
@example(-1, 62)
def test_int_shifts(x, y):
    assert_int_op(lshift, x, y)
    assert_int_op(rshift, x, y)


@SETTINGS
@given(int64s, int64s)
def test_int_comparisons(x, y):
    assert_precise_equal(jitted(compare_all)(x, y), compare_all(x, y))


@SETTINGS
@given(int64s, nonzero_int64s)
def test_int_true_division(x, y):
    """``int / int`` is a float, correctly rounded as CPython computes it."""
    assert_precise_equal(jitted(truediv)(x, y), x / y)


# --- float64 ----------------------------------------------------------------------------


def assert_float_op(fn, x, y):
    want = outcome(fn, (x, y), {})
    got = outcome(jitted(fn), (x, y), {})
    if want[0] == "raise":
        assert got[0] == "raise", f"{fn.__name__}({x!r}, {y!r}) returned {got[1]!r}, CPython raised {want[1]!r}"
        assert type(got[1]) is type(want[1]) and got[1].args == want[1].args, (got[1], want[1])
    else:
        assert got[0] == "ok", f"{fn.__name__}({x!r}, {y!r}) raised {got[1]!r}, CPython returned {want[1]!r}"
        assert_precise_equal(got[1], want[1], _path=f"{fn.__name__}({x!r}, {y!r})")


@SETTINGS
@given(floats, floats)
@example(-0.0, 0.0)
@example(math.inf, -math.inf)
@example(5e-324, -5e-324)
@example(1e308, 1e308)
def test_float_add_sub_mul(x, y):
    assert_float_op(add, x, y)
    assert_float_op(sub, x, y)
    assert_float_op(mul, x, y)


@SETTINGS
@given(floats, floats)
@example(1.0, 0.0)
@example(0.0, -0.0)
@example(math.nan, 0.0)
@example(-7.5, 2.0)
@example(7.5, -math.inf)
@example(-0.0, 5.0)
@example(1e308, 1e-308)
def test_float_division_floordiv_mod(x, y):
    assert_float_op(truediv, x, y)
    assert_float_op(floordiv, x, y)
    assert_float_op(mod, x, y)


@SETTINGS
@given(floats, floats)
@example(math.nan, math.nan)
@example(-0.0, 0.0)
def test_float_comparisons(x, y):
    assert_precise_equal(jitted(compare_all)(x, y), compare_all(x, y))


@SETTINGS
@given(floats, int64s)
@example(9007199254740993, 9007199254740992.0)
def test_mixed_int_float_arithmetic(x, y):
    assert_float_op(add, x, y)
    assert_float_op(mul, y, x)
    assert_float_op(sub, y, x)
