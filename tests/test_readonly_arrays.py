"""Read-only arrays (NumPy's WRITEABLE flag off), as Numba treats them: a
read-only argument has its own type (`readonly array(...)`), so a function
is compiled separately for it; reading it, its views and whole-array
operations work as for any array; any write into it or into a view of it
(element and slice assignment, augmented assignment, in-place operators,
`fill`, `sort`, masks, `np.random.shuffle`, a local that may hold it) is a
compile error naming the array, never a silent write; views returned to
Python stay read-only; an explicit signature for writable arrays rejects a
read-only one at the call.
"""

import numpy as np
import pytest

from array_helpers import kernel
from conftest import check
from oxjit import njit
from oxjit.errors import TypingError


def readonly(a):
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


@pytest.mark.parametrize(
    "body",
    [
        "a[0] = 5.0",
        "a[1:] = 0.0",
        "a[0] += 1.0",
        "a += 1.0",
        "a.fill(2.0)",
        "a.sort()",
        "a[a > 1.0] = 0.0",
        "np.random.shuffle(a)",
        "b = a[::2]\n    b[0] = 1.0",
        "b = a.reshape(-1)\n    b[0] = 1.0",
        "b = a.T\n    b[0] = 1.0",
        "b = np.zeros(3)\n    if a[0] > 0:\n        b = a\n    b[0] = 1.0",
    ],
)
def test_writes_into_readonly_arrays_are_rejected(body):
    f = kernel(f"def f(a):\n    {body}\n    return 0\n")
    ro = readonly([3.0, 1.0, 2.0])
    with pytest.raises(TypingError, match="cannot modify a read-only array"):
        f(ro)
    assert np.array_equal(ro, [3.0, 1.0, 2.0]), "the read-only array was written"
    # A writable array of the same dtype compiles and runs.
    w = np.array([3.0, 1.0, 2.0])
    assert f(w) == 0


@pytest.mark.parametrize(
    "expr",
    ["a.sum()", "a[1]", "(a * 2.0 + 1.0).max()", "np.sort(a)", "a.copy()", "np.sqrt(a)", "a[::-1]"],
)
def test_reading_readonly_arrays(expr):
    check(kernel(f"def f(a):\n    return {expr}\n"), readonly([4.0, 1.0, 9.0]))


def ident(a):
    return a, a[1:]


def test_returned_views_stay_readonly():
    ro = readonly([1.0, 2.0, 3.0])
    same, view = njit(ident)(ro)
    assert same is ro
    assert not view.flags.writeable and np.shares_memory(view, ro)
    w = np.array([1.0, 2.0, 3.0])
    same, view = njit(ident)(w)
    assert view.flags.writeable


def scale(a):
    a *= 2.0


def test_writable_and_readonly_specialisations_are_separate():
    f = njit(scale)
    w = np.ones(3)
    f(w)
    assert np.array_equal(w, [2.0, 2.0, 2.0])
    with pytest.raises(TypingError, match="read-only"):
        f(readonly([1.0]))
    f(w)
    assert np.array_equal(w, [4.0, 4.0, 4.0])


def test_explicit_writable_signature_rejects_a_readonly_array():
    f = njit("float64(float64[::1])")(lambda_free_sum)
    assert f(np.ones(3)) == 3.0
    with pytest.raises(TypeError):
        f(readonly([1.0, 2.0]))


def lambda_free_sum(a):
    return a.sum()
