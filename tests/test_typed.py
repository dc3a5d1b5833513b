"""`oxjit.typed.List` and `oxjit.typed.Dict` (also `numba.typed` through
``import oxjit as numba``): used from Python they behave as Python's list
and dict (hypothesis runs the same operations on both); passed to a
jitted function they are shared, not copied, so its changes are seen;
made in compiled code (`List()`, `List.empty_list(t)`, `Dict.empty(k, v)`)
they come back as typed objects. The autouse leak check covers them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oxjit
import oxjit as numba
from oxjit import njit, types
from oxjit.errors import TypingError
from oxjit.typed import Dict, List


def test_the_numba_spelling_names_the_same_classes():
    assert numba.typed.List is List and numba.typed.Dict is Dict
    assert type(List()).__module__ == "oxjit.typed"


def test_a_list_from_python_behaves_as_a_python_list():
    l = List.empty_list(types.int64)
    ref = []
    for x in [3, 1, 4, 1, 5]:
        l.append(x)
        ref.append(x)
    l.insert(0, 9)
    ref.insert(0, 9)
    l[2] = 7
    ref[2] = 7
    del l[-1]
    del ref[-1]
    assert list(l) == ref and len(l) == len(ref) and l == ref
    assert [l[i] for i in range(-len(l), len(l))] == [ref[i] for i in range(-len(ref), len(ref))]
    assert list(l[1:4]) == ref[1:4] and list(l[::-2]) == ref[::-2]
    assert (4 in l, 8 in l, l.index(1), l.count(1)) == (4 in ref, 8 in ref, ref.index(1), ref.count(1))
    assert l.pop() == ref.pop() and l.pop(0) == ref.pop(0)
    l.sort()
    ref.sort()
    assert list(l) == ref
    l.reverse()
    ref.reverse()
    assert list(l) == ref
    assert type(l[0]) is int
    assert repr(List([1.5])) == "ListType[float64]([1.5])"
    with pytest.raises(IndexError):
        l[10]
    with pytest.raises(TypeError):
        l.append("a")


OPS = st.lists(st.tuples(st.integers(0, 5), st.integers(-6, 6)), max_size=25)


@settings(max_examples=100, deadline=None)
@given(OPS)
def test_list_operation_sequences_agree_with_python(ops):
    l, ref = List.empty_list(types.int64), []
    for op, x in ops:
        outcome = []
        for target in (l, ref):
            try:
                if op == 0:
                    target.append(x)
                elif op == 1:
                    target.insert(x, x * 10)
                elif op == 2:
                    outcome.append(target.pop(x))
                elif op == 3:
                    target[x] = x + 1
                elif op == 4:
                    del target[x]
                else:
                    outcome.append(x in target)
            except IndexError:
                outcome.append("IndexError")
        assert outcome[: len(outcome) // 2] == outcome[len(outcome) // 2 :]
        assert list(l) == ref


def test_a_dict_from_python_behaves_as_a_python_dict():
    d = Dict.empty(types.unicode_type, types.float64)
    ref = {}
    for k, v in [("a", 1.5), ("b", 2.0), ("a", 3.0), ("ç", -1.0)]:
        d[k] = v
        ref[k] = v
    del d["b"]
    del ref["b"]
    assert dict(d.items()) == ref and list(d) == list(ref) and len(d) == len(ref) and d == ref
    assert (d["a"], d.get("zz", 0.5), "a" in d, "zz" in d) == (ref["a"], ref.get("zz", 0.5), True, False)
    assert d.pop("a") == ref.pop("a") and d.popitem() == ref.popitem()
    with pytest.raises(KeyError):
        d["zz"]
    d.update({"x": 1.0})
    assert d.keys() == ["x"] and d.values() == [1.0]
    assert repr(d) == "DictType[unicode_type,float64]({'x': 1.0})"


def test_a_typed_list_is_shared_with_compiled_code():
    @njit
    def add(l, x):
        l.append(x)
        t = 0
        for v in l:
            t += v
        return t, l

    l = List([1, 2, 3])
    t, back = add(l, 10)
    assert t == 16 and list(l) == [1, 2, 3, 10]
    assert type(back) is List and list(back) == list(l)
    back.append(5)
    assert l[-1] == 5


def test_a_typed_dict_is_shared_with_compiled_code():
    @njit
    def count(d, words):
        for w in words.split():
            d[w] = d.get(w, 0) + 1
        return len(d)

    d = Dict.empty(types.unicode_type, types.int64)
    assert count(d, "a b a") == 2 and dict(d.items()) == {"a": 2, "b": 1}
    assert count(d, "b c") == 3 and d["b"] == 2


def test_typed_containers_made_in_compiled_code_come_back_typed():
    @njit
    def make(n):
        l = List.empty_list(types.int64)
        for i in range(n):
            l.append(i * i)
        d = Dict.empty(types.int64, types.float64)
        d[1] = 0.5
        e = List()
        e.append(2.5)
        return l, d, e, List(range(3)), [1, 2]

    l, d, e, r, plain = make(4)
    assert type(l) is List and list(l) == [0, 1, 4, 9]
    assert type(d) is Dict and dict(d.items()) == {1: 0.5}
    assert list(e) == [2.5] and list(r) == [0, 1, 2]
    assert type(plain) is list


def _length(l):
    return len(l)


def test_bad_typed_containers_are_clear_errors():
    with pytest.raises(TypingError, match="empty typed List"):
        njit(_length)(List())
    with pytest.raises(TypeError, match="not a type"):
        List.empty_list("nonsense")
    with pytest.raises(TypeError, match="borrow NumPy arrays"):
        List.empty_list(types.float64[:])
    with pytest.raises(KeyError):
        Dict.empty(types.int64, types.int64)[3]
    d = Dict()
    d[1] = 2
    assert dict(d.items()) == {1: 2}


def test_typed_list_of_arrays_filled_in_compiled_code():
    @njit
    def rows(a):
        out = List()
        for i in range(a.shape[0]):
            out.append(a[i] * 2.0)
        return len(out), out[1]

    n, row = rows(np.ones((3, 2)))
    assert n == 3 and np.array_equal(row, [2.0, 2.0])
    assert oxjit.typed.List is List
