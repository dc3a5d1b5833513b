"""Bad input: constructs and types oxjit cannot compile raise
`TypingError`/`UnsupportedError` with a stable code and a message that
names the file and line, shows the source line with a caret under the
exact expression, and gives a hint. The process never crashes.

The functions are in `error_cases.py`. Each case states where the caret
must be: a line of the function (found by a marker substring) and the text
the caret must underline there. Where more than one place is a fair answer
(a statement or its keyword; a whole call or the argument at fault) the
case lists the alternatives.

The full rendered messages are snapshots in ``tests/snapshots/errors/``
(the tests directory replaced by ``<dir>``). A missing or different
snapshot fails; ``OXJIT_BLESS=1 pytest tests/test_errors.py`` rewrites them
from the current output (never edit them by hand).
"""

import inspect
import os
import re
from dataclasses import dataclass, field

import numpy as np
import pytest

import error_cases as ec
from conftest import TESTS_DIR
from oxjit import njit
from oxjit.dispatcher import Dispatcher
from oxjit.errors import NumbaError, TypingError, UnsupportedError

SNAPSHOT_DIR = os.path.join(TESTS_DIR, "snapshots", "errors")
BLESS = os.environ.get("OXJIT_BLESS") == "1"

ARRAY1 = np.zeros(3)


@dataclass
class Case:
    name: str
    func: object
    args: tuple
    exc: type
    code: str
    # (marker on the expected line, text the caret underlines); alternatives allowed.
    at: list = field(default_factory=list)
    # Words the diagnostic's first line must contain (names and types it should mention).
    says: tuple = ()


def u(name, func, args, code, *at, says=()):
    """An UnsupportedError case."""
    return Case(name, func, args, UnsupportedError, code, [a if isinstance(a, tuple) else (a, a) for a in at], says)


def t(name, func, args, code, *at, says=()):
    """A TypingError case."""
    return Case(name, func, args, TypingError, code, [a if isinstance(a, tuple) else (a, a) for a in at], says)


def stmt(marker, keyword):
    """A statement's caret: the rest of its first line, or just its keyword."""
    return [(marker, marker), (marker, keyword)]


CASES = [
    # unsupported syntax (OX002)
    u("lambda_with_default", ec.lambda_with_default, (1,), "OX002", "y=1"),
    t("empty_list_never_filled", ec.empty_list_never_filled, (3,), "OX104", "xs", says=("empty list", "'xs'")),
    t("unhashable_dict_key", ec.unhashable_dict_key, (1,), "OX101", "{[i]: x for i in range(3)}", says=("list(int64)",)),
    t("dict_setdefault_without_default", ec.dict_setdefault_without_default, (1,), "OX102", "d.setdefault(x)"),
    t("set_of_mixed_items", ec.set_of_mixed_items, (1,), "OX104", "(x, x)", says=("set of int64",)),
    t("tuple_of_generator", ec.tuple_of_generator, (3,), "OX102", "tuple(i for i in range(n))", says=("tuple()",)),
    t("list_of_mixed_items", ec.list_of_mixed_items, (1,), "OX104", "(x, x)", says=("list of int64",)),
    t("f_string", ec.f_string, ((1, 2),), "OX101", ("{x}", "x"), says=("UniTuple(int64 x 2)",)),
    u("except_star", ec.except_star, (1,), "OX002", *stmt("try:", "try")),
    u("with_statement", ec.with_statement, (1,), "OX002", *stmt("with x:", "with")),
    u("class_definition", ec.class_definition, (1,), "OX002", *stmt("class Point:", "class")),
    u("decorated_nested_def", ec.decorated_nested_def, (1,), "OX002", *stmt("@njit", "@njit")),
    u("import", ec.import_statement, (1,), "OX002", "import os"),
    u("global", ec.global_statement, (1,), "OX002", "global CONFIG"),
    u("del", ec.del_statement, (1,), "OX002", "del y"),
    u("yield", ec.yield_expression, (3,), "OX002", "yield i"),
    u("walrus", ec.walrus, (1,), "OX002", "y := x + 1", ("y := x", "(y := x + 1)")),
    u("star_args_parameter", ec.star_args, (1, 2), "OX002", "*rest", ("*rest", "rest")),
    u("kwargs_call", ec.kwargs_call, (1,), "OX002", "**x"),
    u("star_call", ec.star_call, ((1, 2),), "OX002", "*t"),
    u("starred_assignment", ec.starred_assignment, ((1, 2, 3),), "OX109", "*b", ("*b", "a, *b")),
    u("assign_attribute", ec.assign_attribute, (1,), "OX109", "x.attr"),
    u("match_statement", ec.match_statement, (1,), "OX002", *stmt("match x:", "match")),
    u("bytes_literal", ec.bytes_literal, (1,), "OX002", 'b"abc"'),
    u("ellipsis_index", ec.ellipsis_index, (ARRAY1,), "OX002", "..."),
    u("huge_int_literal", ec.huge_int_literal, (1,), "OX002", "123456789012345678901234567890"),
    u("raise_from", ec.raise_from, (1,), "OX002", ("from None", "None")),
    # names, globals, argument types
    t("unknown_name", ec.unknown_name, (1,), "OX003", "undefined_thing", says=("undefined_thing",)),
    t("unknown_module_attribute", ec.unknown_module_attribute, (1.0,), "OX103", "math.nonexistent", says=("nonexistent",)),
    t("unsupported_math_function", ec.unsupported_math_function, (1.0,), "OX103", "math.modf", "math.modf(x)", says=("modf",)),
    t("dict_global", ec.dict_global, (1,), "OX004", ("CONFIG[", "CONFIG"), says=("CONFIG", "dict")),
    t("list_global", ec.list_global, (1,), "OX004", ("NAMES[", "NAMES"), says=("NAMES", "list")),
    t("empty_list_argument", ec.accepts, ([],), "OX005", ("def accepts", "value"), says=("empty list",)),
    t("frozenset_argument", ec.accepts, (frozenset({1, 2}),), "OX005", ("def accepts", "value")),
    t("dict_argument", ec.accepts, ({"a": 1},), "OX005", ("def accepts", "value")),
    t("object_argument", ec.accepts, (object(),), "OX005", ("def accepts", "value")),
    t("datetime_array_argument", ec.accepts, (np.zeros(2, dtype="M8[s]"),), "OX005", ("def accepts", "value")),
    # operators
    t("add_int_and_tuple", ec.add_int_and_tuple, (1,), "OX101", "x + t", says=("int64", "UniTuple(int64 x 2)")),
    t("string_arithmetic", ec.string_arithmetic, (2,), "OX101", '"ab" - x', says=("unicode_type", "int64")),
    t("matmul_scalars", ec.matmul_scalars, (1.0, 2.0), "OX101", "x @ y"),
    t("invert_float", ec.invert_float, (1.5,), "OX101", "~x"),
    t("compare_tuple_with_int", ec.compare_tuple_with_int, (1,), "OX101", "(x, x) < 1"),
    # calls
    t("call_non_function", ec.call_non_function, (1,), "OX102", "x(1)", ("x(1)", "x")),
    t("wrong_arg_count", ec.wrong_arg_count, (1,), "OX102", "two_args(x, x, x)", says=("_two_args", "2", "3")),
    t("unknown_keyword", ec.unknown_keyword, (1,), "OX102", "two_args(x, c=1)", "c=1", says=("_two_args", "'c'")),
    t("range_of_float", ec.range_of_float, (2.5,), "OX102", "range(x)", ("range(x)", "x")),
    t("sqrt_of_tuple", ec.sqrt_of_tuple, (1.0,), "OX102", "math.sqrt((x, x))", ("math.sqrt(", "(x, x)")),
    t("len_of_scalar", ec.len_of_scalar, (1,), "OX102", "len(x)", ("len(x)", "x")),
    # attributes and indexing
    t("array_unknown_attribute", ec.array_unknown_attribute, (ARRAY1,), "OX103", "a.nonexistent_attr", says=("nonexistent_attr",)),
    t("index_scalar", ec.index_scalar, (1,), "OX105", "x[0]", ("x[0]", "x")),
    t("too_many_indices", ec.too_many_indices, (ARRAY1,), "OX105", "a[0, 0]", ("a[0, 0]", "0, 0")),
    t("float_index", ec.float_index, (ARRAY1, 1.5), "OX105", "a[x]", ("a[x]", "x")),
    t("tuple_index_out_of_range", ec.tuple_index_out_of_range, (1,), "OX105", "t[5]", ("t[5]", "5")),
    # variables, returns, raise
    t(
        "cannot_unify",
        ec.cannot_unify,
        (True,),
        "OX104",
        ("v = (1, 2)", "v"),
        ("v = (1, 2)", "v = (1, 2)"),
        ("v = (1, 2)", "(1, 2)"),
        ("return v", "v"),
    ),
    t("unassigned_local", ec.unassigned_local, (1,), "OX106", ("r = acc", "acc"), says=("acc",)),
    t("recursion_without_base_case", ec.no_base_case, (3,), "OX107", "no_base_case(n - 1)", ("def no_base_case", "no_base_case")),
    t("raise_non_exception", ec.raise_non_exception, (1,), "OX108", "42", "raise 42"),
    t("except_not_a_class", ec.except_not_a_class, (1,), "OX108", ("except cls:", "cls"), says=("exception classes",)),
    t("raise_array_argument", ec.raise_array_argument, (np.ones(2),), "OX108", ("values\", data", "data"), says=("array(float64, 1d, C)",)),
    t("bare_raise_outside_handler", ec.bare_raise_outside_handler, (1,), "OX108", ("    raise", "raise"), says=("except",)),
]

assert len({c.name for c in CASES}) == len(CASES)


def _compile_error(case):
    f = case.func if isinstance(case.func, Dispatcher) else njit(case.func)
    with pytest.raises(NumbaError) as info:
        f(*case.args)
    return info.value


def _expected_positions(case):
    """[(lineno, col0, text)] where the caret may be (col0 is 0-based)."""
    func = case.func.py_func if isinstance(case.func, Dispatcher) else case.func
    lines, first = inspect.getsourcelines(func)
    found = []
    for marker, text in case.at:
        for offset, line in enumerate(lines):
            if marker in line:
                col = line.find(text, line.find(marker))
                if col < 0:
                    col = line.find(text)
                assert col >= 0, f"case {case.name}: {text!r} is not on the line of {marker!r}"
                found.append((first + offset, col, text))
                break
        else:
            raise AssertionError(f"case {case.name}: marker {marker!r} not in the source")
    return found


def _normalise(message):
    for d in {TESTS_DIR, os.path.realpath(TESTS_DIR)}:
        message = message.replace(d, "<dir>")
    return message


def _block(message, code):
    """The diagnostic block for ``code``: its header, location, gutter, source, caret and hint lines."""
    lines = message.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"{code}: "):
            block = lines[i : i + 6]
            return block + [""] * (6 - len(block))
    raise AssertionError(f"no {code} diagnostic in:\n{message}")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_error_message(case):
    err = _compile_error(case)
    message = str(err)
    assert type(err) is case.exc, f"{type(err).__name__} raised, want {case.exc.__name__}:\n{message}"
    assert err.code == case.code, f"code {err.code}, want {case.code}:\n{message}"

    # "Failed to compile 'f':" (syntax) or "Failed to compile 'f' for argument types (...):" (typing)
    name = case.func.__name__
    assert re.fullmatch(rf"Failed to compile '{name}'( for argument types \(.*\))?:", message.splitlines()[0]), message
    codes = re.findall(r"^OX\d{3}: ", message, flags=re.M)
    assert len(codes) == 1, f"the case has one error but {len(codes)} diagnostics were reported:\n{message}"

    header, location, gutter, source, caret, hint = _block(message, case.code)
    path = inspect.getsourcefile(case.func.py_func if isinstance(case.func, Dispatcher) else case.func)
    m = re.fullmatch(r"\s*--> (.+):(\d+):(\d+)", location)
    assert m, f"no '--> file:line:col' line in:\n{message}"
    assert os.path.realpath(m.group(1)) == os.path.realpath(path)
    lineno, col = int(m.group(2)), int(m.group(3))
    assert (err.filename, err.lineno, err.col) == (m.group(1), lineno, col)
    assert gutter.strip() == "|"

    # The source line, exactly as in the file, after "NN | ".
    prefix = f"{lineno} | "
    assert source.startswith(prefix), f"source line not shown:\n{message}"
    with open(path) as fh:
        file_line = fh.read().splitlines()[lineno - 1]
    assert source[len(prefix) :] == file_line

    # The caret line lines up under the expression.
    bar = caret.index("|")
    assert caret[:bar].strip() == "" and bar == len(prefix) - 2, f"caret gutter misaligned:\n{message}"
    marks = caret[bar + 2 :]
    offset = len(marks) - len(marks.lstrip(" "))
    width = len(marks.strip())
    assert set(marks.strip()) == {"^"}, f"bad caret line {caret!r}"
    assert offset == col - 1, f"caret at column {offset + 1}, location says {col}"
    underlined = file_line[offset : offset + width]
    expected = _expected_positions(case)
    assert (lineno, offset, underlined) in expected, (
        f"caret under {underlined!r} at {lineno}:{offset + 1}; want one of "
        f"{[(ln, c + 1, txt) for ln, c, txt in expected]}:\n{message}"
    )

    assert re.fullmatch(r"\s*= hint: \S.*", hint), f"no hint line:\n{message}"
    assert header.startswith(f"{case.code}: ") and len(header) > len(case.code) + 5
    for word in case.says:
        assert word in header, f"the diagnostic should mention {word!r}:\n{message}"

    _check_snapshot(case.name, _normalise(message))


def _check_snapshot(name, text):
    path = os.path.join(SNAPSHOT_DIR, f"{name}.txt")
    if BLESS:
        os.makedirs(SNAPSHOT_DIR, exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
        return
    assert os.path.exists(path), f"no snapshot {path}; run OXJIT_BLESS=1 pytest tests/test_errors.py"
    with open(path) as fh:
        want = fh.read()
    assert text.rstrip("\n") == want.rstrip("\n"), f"message differs from the snapshot {path}:\n{text}"


def test_enough_distinct_constructs():
    assert len(CASES) >= 25
    assert len({c.code for c in CASES}) >= 10


def test_no_stale_snapshots():
    """Every snapshot file belongs to a case (rename cases with their snapshots)."""
    if not os.path.isdir(SNAPSHOT_DIR):
        pytest.fail(f"no snapshot directory {SNAPSHOT_DIR}; run OXJIT_BLESS=1 pytest tests/test_errors.py")
    names = {c.name for c in CASES}
    stale = [f for f in os.listdir(SNAPSHOT_DIR) if f.endswith(".txt") and f[:-4] not in names]
    if BLESS:
        for f in stale:
            os.remove(os.path.join(SNAPSHOT_DIR, f))
        return
    assert not stale, f"snapshots without a case: {stale}"


def test_errors_are_raised_again_on_every_call():
    """A failed compilation is not cached as a success, and the dispatcher
    stays usable for other types."""
    f = njit(ec.add_int_and_tuple)
    for _ in range(2):
        with pytest.raises(TypingError):
            f(1)
    assert f.signatures == []


def test_typing_error_then_good_types():
    f = njit(ec.index_scalar)
    with pytest.raises(TypingError):
        f(1)
    assert f(np.arange(3)) == 0
