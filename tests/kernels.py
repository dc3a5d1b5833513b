"""Kernels that must run exactly as CPython runs them: pytest rewrites
``assert`` statements in test modules (adding its own explanation to the
message), but not in this helper module."""


def assert_positive(x):
    assert x > 0, "x must be positive"
    return x
