"""Jitted functions as values: passed as arguments (from Python and from
compiled code), held in variables and tuples, called directly — the
callee is specialised on the function it receives, so the call is a
direct, inlinable one. Differential against CPython; bad uses (wrong
arity, returning a function) are clear TypingErrors."""

import numpy as np
import pytest

import oxjit
from conftest import check
from oxjit import njit


@njit
def square(x):
    return x * x


@njit
def halve(x):
    return x / 2


@njit
def apply(f, x):
    return f(x)


@njit
def apply_twice(f, x):
    g = f
    return g(g(x))


@njit
def fold(f, a, start):
    acc = start
    for x in a:
        acc = f(acc, x)
    return acc


@njit
def add(a, b):
    return a + b


@njit
def larger(a, b):
    return a if a > b else b


def compose(x):
    return apply(square, apply(halve, x)), apply_twice(square, x), (square, halve)[1](x)


def pick_by_flag(flag, x):
    fs = (square, halve)
    if flag:
        return apply(fs[0], x)
    return apply(fs[1], x)


@pytest.mark.parametrize("f,x", [(square, 3), (halve, 3), (square, 2.5)])
def test_functions_passed_from_python(f, x):
    assert apply(f, x) == f.py_func(x)
    assert apply_twice(f, x) == f.py_func(f.py_func(x))


def test_functions_passed_in_compiled_code():
    check(njit(compose), 3.0)
    check(njit(pick_by_flag), True, 4.0)
    check(njit(pick_by_flag), False, 4.0)


def test_a_fold_takes_the_function_it_is_given():
    a = np.array([3.0, 9.0, 2.0])
    assert fold(add, a, 0.0) == 14.0
    assert fold(larger, a, -1.0) == 9.0
    assert len(fold.signatures) == 2


def test_bad_uses_of_function_values_are_typing_errors():
    @njit
    def wrong(f):
        return f(1, 2)

    with pytest.raises(oxjit.errors.TypingError, match=r"square\(\) takes 1 positional argument"):
        wrong(square)

    @njit
    def give_back():
        return square

    with pytest.raises(oxjit.errors.TypingError, match="cannot be returned"):
        give_back()


@njit
def cube(x):
    return x * x * x


def chosen(i, x):
    fs = (square, cube, lambda y: y + 1)
    return fs[i](x)


def chosen_in_loop(n):
    fs = (square, cube)
    s = 0
    for i in range(n):
        s += fs[i % 2](i)
    return s


@pytest.mark.parametrize("i", [0, 1, 2, -1, -2, -3, 3, -4])
def test_a_function_chosen_at_run_time_from_a_tuple(i):
    check(njit(chosen), i, 3)


def test_a_function_chosen_in_a_loop():
    check(njit(chosen_in_loop), 10)


def test_functions_chosen_from_a_tuple_must_return_one_type():
    @njit
    def mixed(i):
        fs = (square, lambda y: "s")
        return fs[i](2)

    with pytest.raises(oxjit.errors.TypingError, match="return values of different types"):
        mixed(0)
