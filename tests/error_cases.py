"""Functions that oxjit must refuse to compile, each with exactly one
unsupported construct or type error. `test_errors.py` compiles them and
checks the rendered diagnostics. Line numbers in this file appear in the
blessed snapshots (tests/snapshots/errors/), so add new cases at the end
and re-bless with ``OXJIT_BLESS=1 pytest tests/test_errors.py``."""

# ruff: noqa: E731, F841, F811, PLW0603
import math

from oxjit import njit

CONFIG = {"scale": 2}
NAMES = ["a", "b"]


def _two_args(a, b):
    return a + b


two_args = njit(_two_args)


def lambda_with_default(x):
    f = lambda y=1: y + 1
    return x


def empty_list_never_filled(n):
    xs = []
    return len(xs)


def unhashable_dict_key(x):
    d = {[i]: x for i in range(3)}
    return d


def set_of_mixed_items(x):
    s = {x, (x, x)}
    return x


def tuple_of_generator(n):
    g = tuple(i for i in range(n))
    return n


def list_of_mixed_items(x):
    xs = [x, (x, x)]
    return x


def f_string(x):
    s = f"value {x}"
    return x


def except_star(x):
    try:
        y = 1 // x
    except* ZeroDivisionError:
        y = 0
    return y


def with_statement(x):
    with x:
        pass
    return x


def class_definition(x):
    class Point:
        pass

    return x


def decorated_nested_def(x):
    @njit
    def inner(y):
        return y
    return x


def import_statement(x):
    import os

    return x


def global_statement(x):
    global CONFIG
    return x


def del_statement(x):
    y = x
    del y
    return x


def yield_expression(n):
    for i in range(n):
        yield i


def walrus(x):
    if (y := x + 1) > 2:
        return x
    return 0


def star_args(x, *rest):
    return x


def kwargs_call(x):
    return abs(**x)


def star_call(t):
    return max(*t)


def starred_assignment(t):
    a, *b = t
    return a


def string_arithmetic(x):
    return "ab" - x


def unknown_name(x):
    return x + undefined_thing


def unknown_module_attribute(x):
    return math.nonexistent(x)


def unsupported_math_function(x):
    return math.modf(x)


def dict_global(x):
    return x * CONFIG["scale"]


def list_global(x):
    return x + NAMES[0]


def accepts(value):
    return value


def add_int_and_tuple(x):
    t = (x, x)
    return x + t


def call_non_function(x):
    return x(1)


def wrong_arg_count(x):
    return two_args(x, x, x)


def unknown_keyword(x):
    return two_args(x, c=1)


def index_scalar(x):
    return x[0]


def too_many_indices(a):
    return a[0, 0]


def float_index(a, x):
    return a[x]


def tuple_index_out_of_range(x):
    t = (x, x)
    return t[5]


def assign_attribute(x):
    x.attr = 1
    return x


def cannot_unify(c):
    if c:
        v = 1
    else:
        v = (1, 2)
    return v


@njit
def no_base_case(n):
    return no_base_case(n - 1)


def raise_non_exception(x):
    raise 42


def unassigned_local(x):
    r = acc * 2
    acc = x
    return r


def matmul_scalars(x, y):
    return x @ y


def invert_float(x):
    return ~x


def compare_tuple_with_int(x):
    return (x, x) < 1


def range_of_float(x):
    s = 0
    for i in range(x):
        s += i
    return s


def sqrt_of_tuple(x):
    return math.sqrt((x, x))


def len_of_scalar(x):
    return len(x)


def array_unknown_attribute(a):
    return a.nonexistent_attr


def match_statement(x):
    match x:
        case 1:
            return 1
    return 0


def bytes_literal(x):
    b = b"abc"
    return x


def ellipsis_index(a):
    return a[...]


def huge_int_literal(x):
    return x + 123456789012345678901234567890


def raise_from(x):
    raise ValueError("bad") from None


def dict_setdefault_without_default(x):
    d = {1: 2.5}
    return d.setdefault(x)


def except_not_a_class(cls):
    try:
        return 1 // cls
    except cls:
        return 0


def raise_array_argument(data):
    raise ValueError("bad values", data)


def bare_raise_outside_handler(x):
    if x:
        raise
    return x
