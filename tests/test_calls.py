"""Calls between compiled functions (plain, with keyword and default
arguments, self- and mutual recursion), module-level constants frozen at
compile time, and exceptions raised in compiled code reaching the caller as
the same exception."""

import math
import sys

import numpy as np
import pytest

from conftest import check, jitted
from kernels import assert_positive
from oxjit import jit, njit

# --- calls to other jitted functions ------------------------------------------------


@njit
def square(x):
    return x * x


@njit
def scaled(x, factor=2, offset=0.5):
    return x * factor + offset


def sum_of_squares(a, b):
    return square(a) + square(b)


def calls_with_keywords(x):
    return scaled(x) + scaled(x, 3) + scaled(x, offset=1.0) + scaled(x, offset=-1.0, factor=10)


def nested_calls(x):
    return square(square(x) + 1)


@pytest.mark.parametrize("a, b", [(3, 4), (-2, 0), (1.5, 2.5), (2**20, 3)])
def test_call_jitted_function(a, b):
    check(jitted(sum_of_squares), a, b)


@pytest.mark.parametrize("x", [0, 3, -1.5])
def test_call_with_keywords_and_defaults(x):
    check(jitted(calls_with_keywords), x)
    check(jitted(nested_calls), x)


def test_callee_specialises_for_the_caller_types():
    """The callee is compiled for the argument types the caller passes: a
    float32 stays float32 through the call."""
    check(jitted(sum_of_squares), np.float32(1.5), np.float32(2))
    check(jitted(nested_calls), np.int8(3))


# --- recursion ----------------------------------------------------------------------


@njit
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


@njit
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@njit
def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


@njit
def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


@njit
def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


@njit
def power_rec(x, n):
    if n == 0:
        return 1.0
    half = power_rec(x, n // 2)
    if n % 2:
        return half * half * x
    return half * half


# Compiled while this module is imported, before the name `fib_eager` is
# bound: the call by name is self-recursion (issue 18).
@jit("int64(int64)")
def fib_eager(n):
    return n if n < 2 else fib_eager(n - 1) + fib_eager(n - 2)


@jit(["float64(float64, int64)", "int64(int64, int64)"])
def power_eager(x, n):
    return 1 if n == 0 else x * power_eager(x, n - 1)


def test_eager_self_recursion_compiles_at_decoration():
    assert len(fib_eager.signatures) == 1
    assert fib_eager(20) == fib_eager.py_func(20) == 6765
    assert power_eager(2, 10) == 1024 and power_eager(1.5, 3) == 3.375


@pytest.mark.parametrize("n", [0, 1, 5, 20])
def test_self_recursion(n):
    check(fact, n)
    check(fib, min(n, 20))


def test_deeper_recursion():
    check(ackermann, 2, 3)
    check(ackermann, 3, 3)
    check(power_rec, 1.5, 11)
    check(power_rec, 2, 0)


# Entered at `waits_first`, whose only typed return is its own base case:
# `waits_second` waits for it, and is typed against the return type it has
# so far (issue 18: this was "cannot determine the return type").
@njit
def waits_first(x):
    if x > 0:
        return 2 * waits_second(z=1, y=x)
    return 1 + x


@njit
def waits_second(y, z):
    return waits_first(x=y - z)


def test_mutual_recursion_entered_where_the_callee_waits():
    for x in [-1, 0, 1, 3]:
        check(waits_first, x)
        check(waits_second, x, 1)


@pytest.mark.parametrize("n", [0, 1, 10, 101])
def test_mutual_recursion(n):
    check(is_even, n)
    check(is_odd, n)


def test_recursion_depth_of_a_few_thousand():
    """Compiled recursion does not use Python frames, so no RecursionError."""
    depth = sys.getrecursionlimit() * 3
    assert is_even(depth) is True


# --- module-level constants ---------------------------------------------------------

SCALE = 3
OFFSET = 0.25
LIMITS = (1, 10)
FLAG = True
COMPLEX_CONST = 1 - 2j


def use_globals(x):
    lo, hi = LIMITS
    y = x * SCALE + OFFSET
    if FLAG and lo <= x < hi:
        y += COMPLEX_CONST.real
    return y


@pytest.mark.parametrize("x", [0, 5, 20, 2.5])
def test_module_constants(x):
    check(jitted(use_globals), x)


def read_scale(x):
    return x * SCALE


def test_globals_are_frozen_at_compile_time(monkeypatch):
    """As in Numba, changing a global after compilation does not change the
    compiled specialisation."""
    f = njit(read_scale)
    assert f(2) == 6
    monkeypatch.setattr(sys.modules[__name__], "SCALE", 5)
    assert read_scale(2) == 10
    assert f(2) == 6
    # A new dispatcher compiles against the current value.
    assert njit(read_scale)(2) == 10


def use_math_constants(r):
    return math.pi * r * r + math.e


def test_module_attribute_constants():
    check(jitted(use_math_constants), 2.0)


# --- exceptions ---------------------------------------------------------------------


def raise_value_error(x):
    if x < 0:
        raise ValueError("x must be non-negative")
    return x


def raise_class_only(x):
    if x > 10:
        raise IndexError
    return x


def raise_several_args(x):
    if x == 0:
        raise KeyError("missing", 42)
    return x


def raise_from_loop(n):
    s = 0
    for i in range(n):
        s += i
        if s > 10:
            raise OverflowError("too big: more than 10")
    return s


def raise_in_callee(x):
    return checked_sqrt(x) + 1.0


@njit
def checked_sqrt(x):
    if x < 0:
        raise ArithmeticError("negative input")
    return math.sqrt(x)


def raise_each_kind(k):
    if k == 0:
        raise ValueError("value")
    elif k == 1:
        raise TypeError("type")
    elif k == 2:
        raise ZeroDivisionError("zero")
    elif k == 3:
        raise RuntimeError("runtime")
    elif k == 4:
        raise NotImplementedError("not implemented")
    elif k == 5:
        raise Exception("plain")
    elif k == 6:
        raise AssertionError()
    return k


@pytest.mark.parametrize("x", [-1, 0, 5])
def test_raise_value_error(x):
    check(jitted(raise_value_error), x)


@pytest.mark.parametrize("x", [11, 3])
def test_raise_exception_class(x):
    check(jitted(raise_class_only), x)


@pytest.mark.parametrize("x", [0, 1])
def test_raise_with_several_constant_arguments(x):
    check(jitted(raise_several_args), x)


@pytest.mark.parametrize("n", [3, 10])
def test_raise_from_loop(n):
    check(jitted(raise_from_loop), n)


@pytest.mark.parametrize("x", [-4.0, 4.0])
def test_exception_propagates_through_compiled_callers(x):
    check(jitted(raise_in_callee), x)


@pytest.mark.parametrize("x", [-1, 1])
def test_assert_statement(x):
    check(jitted(assert_positive), x)


@pytest.mark.parametrize("k", range(8))
def test_builtin_exception_classes(k):
    check(jitted(raise_each_kind), k)


def test_exception_state_is_clean_after_a_raise():
    f = jitted(raise_value_error)
    for _ in range(3):
        with pytest.raises(ValueError, match="non-negative"):
            f(-1)
        assert f(3) == 3


@njit
def fact_ternary(n):
    return 1 if n <= 1 else n * fact_ternary(n - 1)


@njit
def fib_ternary(n):
    return n if n < 2 else fib_ternary(n - 1) + fib_ternary(n - 2)


def test_recursion_inside_a_conditional_expression_is_inferred():
    # The return type comes from the branch without the recursive call.
    assert fact_ternary(10) == 3628800
    assert fib_ternary(15) == 610
    assert str(fact_ternary.nopython_signatures[0].return_type) == "int64"
