"""Differential tests of statements and control flow against CPython:
parameters (positional, keyword, defaults), local type unification,
``if``/``elif``/``else``, ``while``, ``for`` over ``range`` (every step sign,
empty ranges, the loop variable after the loop) and over 1-D arrays,
``break``/``continue``, loop ``else``, early ``return``, tuples (returning,
packing, unpacking, swapping)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assert_precise_equal, check, jitted, make_array
from oxjit import njit

# --- parameters ---------------------------------------------------------------------


def params(a, b, c=10, d=2.5):
    return a * 1000 + b * 100 + c + d


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((1, 2), {}),
        ((1, 2, 3), {}),
        ((1, 2, 3, 4.5), {}),
        ((1,), {"b": 2}),
        ((), {"a": 1, "b": 2}),
        ((), {"b": 2, "a": 1, "d": 0.5}),
        ((1, 2), {"d": -1.0}),
        ((1, 2), {"c": 7, "d": 1.0}),
        ((1.5, 2), {}),
    ],
)
def test_positional_keyword_and_default_arguments(args, kwargs):
    check(jitted(params), *args, **kwargs)


@pytest.mark.parametrize(
    "args, kwargs",
    [((), {}), ((1,), {}), ((1, 2, 3, 4, 5), {}), ((1, 2), {"e": 3}), ((1, 2), {"a": 3})],
)
def test_bad_arguments_raise_type_error_like_python(args, kwargs):
    with pytest.raises(TypeError):
        params(*args, **kwargs)
    with pytest.raises(TypeError):
        jitted(params)(*args, **kwargs)


def no_args():
    return 42


def test_function_without_parameters():
    check(jitted(no_args))


# --- local variables and unification ---------------------------------------------------


def int_then_float(c):
    x = 1
    if c:
        x = 2.5
    return x


def float_accumulator(n):
    s = 0
    for i in range(n):
        s += 0.5
    return s


def reassign_same_type(x):
    y = x + 1
    y = y * 2
    y -= 3
    return y


@pytest.mark.parametrize("c", [True, False])
def test_int_then_float_unifies_to_float64(c):
    """As in Numba, a variable assigned an int and a float is a float64
    everywhere (CPython would return the int 1 when ``c`` is false)."""
    got = jitted(int_then_float)(c)
    assert_precise_equal(got, float(int_then_float(c)))


@pytest.mark.parametrize("n", [0, 1, 5])
def test_accumulator_unifies_to_float64(n):
    got = jitted(float_accumulator)(n)
    assert_precise_equal(got, float(float_accumulator(n)))


@pytest.mark.parametrize("x", [0, -5, 2**40, 1.5])
def test_augmented_assignment(x):
    check(jitted(reassign_same_type), x)


def augmented_all(x, y):
    z = x
    z += y
    z -= 1
    z *= 3
    z //= 2
    z %= 1000
    z **= 2
    z <<= 1
    z >>= 2
    z &= 0xFFFF
    z |= 3
    z ^= 5
    return z


def augmented_float(x, y):
    z = x
    z += y
    z *= 1.5
    z /= 3
    z -= 0.25
    z //= 0.5
    z %= 7.0
    z **= 0.5
    return z


@pytest.mark.parametrize("x, y", [(7, 3), (-7, 3), (100, -1), (0, 0)])
def test_every_augmented_operator_int(x, y):
    check(jitted(augmented_all), x, y)


@pytest.mark.parametrize("x, y", [(7.5, 3.0), (-7.0, 1.0), (1e10, 3), (2, 3)])
def test_every_augmented_operator_float(x, y):
    check(jitted(augmented_float), x, y)


# --- if / elif / else ----------------------------------------------------------------


def classify(x):
    if x < 0:
        r = -1
    elif x == 0:
        r = 0
    elif x < 10:
        r = 1
    else:
        r = 2
    return r


def nested_if(x, y):
    if x > 0:
        if y > 0:
            return 1
        else:
            return 2
    elif y > 0:
        return 3
    return 4


def if_without_else(x):
    r = 0
    if x > 3:
        r = x
    return r


def truthiness(x):
    if x:
        return 1
    return 0


@pytest.mark.parametrize("x", [-5, 0, 5, 10, 100, -0.5, 0.0, 9.99])
def test_if_elif_else(x):
    check(jitted(classify), x)


@pytest.mark.parametrize("x", [-5, 0, 3, 4, 100])
def test_if_without_else(x):
    check(jitted(if_without_else), x)


@pytest.mark.parametrize("x, y", [(1, 1), (1, -1), (-1, 1), (-1, -1), (0, 0)])
def test_nested_if(x, y):
    check(jitted(nested_if), x, y)


@pytest.mark.parametrize("x", [0, 3, -1, 0.0, 0.1, float("nan"), True, False, 0j, 1j])
def test_truthiness_of_scalars(x):
    check(jitted(truthiness), x)


# --- while ----------------------------------------------------------------------------


def while_sum(n):
    i, s = 0, 0
    while i < n:
        s += i * i
        i += 1
    return s


def while_break_continue(n):
    i, s = 0, 0
    while True:
        i += 1
        if i > n:
            break
        if i % 3 == 0:
            continue
        s += i
    return s


def while_else(n, stop):
    i = 0
    while i < n:
        if i == stop:
            break
        i += 1
    else:
        return -i
    return i


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


@pytest.mark.parametrize("n", [0, 1, 10, 1000])
def test_while(n):
    check(jitted(while_sum), n)
    check(jitted(while_break_continue), n)


@pytest.mark.parametrize("n, stop", [(5, 3), (5, 10), (0, 0), (3, 0)])
def test_while_else(n, stop):
    check(jitted(while_else), n, stop)


@pytest.mark.parametrize("a, b", [(12, 18), (17, 5), (0, 7), (7, 0), (-12, 18), (2**40, 2**20 * 3)])
def test_while_with_tuple_swap(a, b):
    check(jitted(gcd), a, b)


# --- for over range ----------------------------------------------------------------------


def range1(n):
    s = 0
    for i in range(n):
        s += i
    return s


def range2(a, b):
    s = 0
    for i in range(a, b):
        s = s * 3 + i
    return s


def range3(a, b, step):
    s = 0
    count = 0
    for i in range(a, b, step):
        s = s * 7 + (i - a)
        count += 1
    return s, count


def loop_variable_after_loop(a, b, step):
    last = -999
    for i in range(a, b, step):
        last = i
    return last, i


def nested_loops(n, m):
    s = 0
    for i in range(n):
        for j in range(i, m):
            s += i * j
    return s


@pytest.mark.parametrize("n", [0, 1, 10, -3])
def test_range_stop(n):
    check(jitted(range1), n)


@pytest.mark.parametrize("a, b", [(0, 10), (5, 5), (10, 0), (-5, 5), (-10, -2)])
def test_range_start_stop(a, b):
    check(jitted(range2), a, b)


RANGE3 = [
    (0, 10, 1),
    (0, 10, 3),
    (0, 9, 3),
    (10, 0, -1),
    (10, 0, -3),
    (10, -10, -7),
    (-5, 5, 2),
    (5, 5, 1),
    (5, 5, -1),
    (0, 10, -1),
    (10, 0, 1),
    (0, 1, 100),
    (2**62, 2**62 + 10, 4),
    (-(2**62), -(2**62) - 10, -3),
]


@pytest.mark.parametrize("a, b, step", RANGE3)
def test_range_with_step(a, b, step):
    check(jitted(range3), a, b, step)


@pytest.mark.parametrize("a, b, step", [r for r in RANGE3 if len(range(*r)) > 0])
def test_loop_variable_keeps_its_last_value(a, b, step):
    check(jitted(loop_variable_after_loop), a, b, step)


def unit_steps(a, b):
    """Constant steps of +1 and -1 count the loop variable itself (codegen)."""
    up = down = 0
    last_up = last_down = -999
    for i in range(a, b):
        up = up * 3 + (i - a)
        last_up = i
    for j in range(b, a, -1):
        down = down * 5 + (b - j)
        last_down = j
    return up, last_up, down, last_down


EDGES = [0, 1, -1, 7, -7, 2**63 - 1, 2**63 - 2, 2**63 - 5, -(2**63), -(2**63) + 1, -(2**63) + 4]


@pytest.mark.parametrize(
    "a, b", [(a, b) for a in EDGES for b in EDGES if b - a <= 10]
)
def test_unit_step_ranges_at_the_int64_edges(a, b):
    check(jitted(unit_steps), a, b)


@settings(max_examples=60, deadline=None)
@given(st.integers(-(2**63), 2**63 - 1), st.integers(0, 12))
def test_unit_step_ranges(a, n):
    b = max(-(2**63), min(2**63 - 1, a + n))
    check(jitted(unit_steps), a, b)


def unit_step_index_arithmetic(a):
    """`a[i - 1]` with `i` from 1: the wrap-around test is dead (vectorised)."""
    out = np.zeros_like(a)
    for i in range(1, a.shape[0] - 1):
        out[i] = a[i - 1] - 2.0 * a[i] + a[i + 1]
    for i in range(a.shape[0] - 1, 0, -1):
        out[i - 1] += a[i]
    return out


@pytest.mark.parametrize("n", [0, 1, 2, 3, 17, 100])
def test_unit_step_index_arithmetic(n):
    check(jitted(unit_step_index_arithmetic), np.arange(n, dtype=np.float64) ** 2)


def test_range_step_zero_raises_value_error():
    check(jitted(range3), 0, 10, 0)


@pytest.mark.parametrize("n, m", [(0, 0), (3, 5), (5, 3), (10, 10)])
def test_nested_loops(n, m):
    check(jitted(nested_loops), n, m)


def for_break_continue_else(n, stop):
    s = 0
    for i in range(n):
        if i == stop:
            break
        if i % 2:
            continue
        s += i
    else:
        s = -s
    return s


def find_first(n, target):
    for i in range(n):
        if i * i >= target:
            return i
    return -1


def nested_break(n):
    count = 0
    for i in range(n):
        for j in range(n):
            if j > i:
                break
            count += 1
        else:
            count += 100
    return count


@pytest.mark.parametrize("n, stop", [(10, 5), (10, 20), (0, 0), (10, 0), (7, 6)])
def test_for_break_continue_else(n, stop):
    check(jitted(for_break_continue_else), n, stop)


@pytest.mark.parametrize("n, target", [(10, 50), (10, 1000), (0, 1), (5, 0)])
def test_early_return_from_loop(n, target):
    check(jitted(find_first), n, target)


@pytest.mark.parametrize("n", [0, 1, 4])
def test_break_leaves_only_the_inner_loop(n):
    check(jitted(nested_break), n)


# --- for over arrays ----------------------------------------------------------------


def array_sum(a):
    s = 0.0
    for v in a:
        s += v
    return s


def array_sum_as_float(a):
    s = 0.0
    for v in a:
        s += float(v)
    return s


def array_count_positive(a):
    n = 0
    for v in a:
        if v > 0:
            n += 1
    return n


def array_search(a, x):
    i = 0
    for v in a:
        if v == x:
            break
        i += 1
    else:
        return -1
    return i


def array_last(a):
    v = a[0]
    for v in a:
        pass
    return v


@pytest.mark.parametrize("layout", ["C", "A"])
@pytest.mark.parametrize("n", [1, 2, 7])
def test_for_over_float64_array(layout, n):
    check(jitted(array_sum), make_array(np.float64, (n,), layout))


def test_for_over_empty_array():
    """No iteration: ``s`` keeps its initial value, with the unified type
    (0.0 joined with float64 elements is a float64, as in Numba)."""
    assert_precise_equal(jitted(array_sum)(np.zeros(0)), np.float64(0.0))
    check(jitted(array_count_positive), np.zeros(0))
    check(jitted(array_search), np.zeros(0), 1.0)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint8, np.int16, np.int32, np.uint32, np.int64, np.uint64, np.float32])
@pytest.mark.parametrize("layout", ["C", "A"])
def test_for_over_arrays_of_every_real_dtype(dtype, layout):
    a = make_array(dtype, (9,), layout)
    check(jitted(array_sum_as_float), a)
    check(jitted(array_count_positive), a)
    check(jitted(array_last), a)
    check(jitted(array_search), a, a[4])
    check(jitted(array_search), a, a[0])


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_for_over_complex_arrays(dtype):
    a = make_array(dtype, (5,), "A")
    check(jitted(array_last), a)
    check(jitted(array_search), a, a[3])


# --- returns and tuples ---------------------------------------------------------------


def early_return(x):
    if x > 0:
        return x * 2
    y = x - 1
    if y < -10:
        return 0
    return y


def returns_none(x):
    if x > 0:
        return
    return None


def implicit_none(x):
    y = x + 1  # noqa: F841


def return_tuple(x, y):
    return x + y, x - y, x * y


def mixed_tuple(x):
    return x, x * 0.5, x > 0


def nested_tuple(x):
    return (x, (x + 1, x + 2.0)), x


def tuple_unpack(x, y):
    t = (x, y, x + y)
    a, b, c = t
    return c - a - b + b


def swap(x, y):
    x, y = y, x
    return x, y


def rotate(a, b, c):
    a, b, c = b, c, a
    return a, b, c


def tuple_index(x):
    t = (x, x * 2, x * 3)
    return t[0] + t[1] * 10 + t[-1] * 100 + len(t)


@njit
def divmod_like(x, y):
    return x // y, x % y


def tuple_from_callee(x):
    q, r = divmod_like(x, 7)
    return q * 100 + r


@pytest.mark.parametrize("x", [5, -3, -20, 0])
def test_early_return(x):
    check(jitted(early_return), x)


@pytest.mark.parametrize("x", [1, -1])
def test_none_returns(x):
    check(jitted(returns_none), x)
    check(jitted(implicit_none), x)


@pytest.mark.parametrize("x, y", [(3, 4), (-1, 2**40), (2.5, -0.5), (1 + 1j, 2), (1 + 1j, 2 - 3j)])
def test_tuples(x, y):
    check(jitted(return_tuple), x, y)
    check(jitted(tuple_unpack), x, y)


@pytest.mark.parametrize("x, y", [(3, 4), (-1, 2**40), (2.5, -0.5), (1 + 1j, 2 - 3j)])
def test_swap(x, y):
    check(jitted(swap), x, y)


@pytest.mark.parametrize("x, y", [(1 + 1j, 2), (2, 1 + 1j), (2.5, 3), (True, 7)])
def test_swap_of_different_types_unifies(x, y):
    """``x, y = y, x`` gives each variable both types: they unify (complex
    and int → complex128), and the values convert, as in Numba."""
    want_type = type(x + y)
    assert_precise_equal(jitted(swap)(x, y), (want_type(y), want_type(x)))


@pytest.mark.parametrize("x", [3, -2, 0, 2.5])
def test_heterogeneous_and_nested_tuples(x):
    check(jitted(mixed_tuple), x)
    check(jitted(nested_tuple), x)


def test_rotate_and_index_tuples():
    check(jitted(rotate), 1, 2, 3)
    check(jitted(rotate), 1.5, 2.5, -3.5)
    check(jitted(tuple_index), 3)


@pytest.mark.parametrize("x", [50, -50, 0, 6])
def test_tuple_returned_by_a_jitted_callee(x):
    check(jitted(tuple_from_callee), x)
