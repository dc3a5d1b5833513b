"""Kernels shared by the test modules: the binary operator functions used
by both ``test_operators`` and ``test_properties``, and kernels that must run
exactly as CPython runs them (pytest rewrites ``assert`` statements in test
modules, adding its own explanation to the message, but not in this helper
module)."""


def assert_positive(x):
    assert x > 0, "x must be positive"
    return x


def add(x, y):
    return x + y


def sub(x, y):
    return x - y


def mul(x, y):
    return x * y


def truediv(x, y):
    return x / y


def floordiv(x, y):
    return x // y


def mod(x, y):
    return x % y


def power(x, y):
    return x**y


def bitand(x, y):
    return x & y


def bitor(x, y):
    return x | y


def bitxor(x, y):
    return x ^ y


def lshift(x, y):
    return x << y


def rshift(x, y):
    return x >> y


def eq(x, y):
    return x == y


def ne(x, y):
    return x != y


def lt(x, y):
    return x < y


def le(x, y):
    return x <= y


def gt(x, y):
    return x > y


def ge(x, y):
    return x >= y
