"""The type objects of `oxjit.types` (names, array slicing syntax,
signatures, parsing of the printed forms) and `oxjit.typeof` on values."""

import numpy as np
import pytest

import oxjit
from oxjit import types as t

SCALARS = [
    (t.boolean, "bool"),
    (t.int8, "int8"),
    (t.int16, "int16"),
    (t.int32, "int32"),
    (t.int64, "int64"),
    (t.uint8, "uint8"),
    (t.uint16, "uint16"),
    (t.uint32, "uint32"),
    (t.uint64, "uint64"),
    (t.float32, "float32"),
    (t.float64, "float64"),
    (t.complex64, "complex64"),
    (t.complex128, "complex128"),
    (t.none, "none"),
]


@pytest.mark.parametrize("ty, name", SCALARS, ids=[n for _, n in SCALARS])
def test_scalar_names(ty, name):
    assert str(ty) == name
    assert repr(ty) == name
    assert t.from_string(name) == ty
    assert t.from_string(name) is ty


@pytest.mark.parametrize(
    "alias, ty",
    [
        ("b1", t.boolean),
        ("bool_", t.boolean),
        ("i1", t.int8),
        ("i2", t.int16),
        ("i4", t.int32),
        ("i8", t.int64),
        ("intp", t.int64),
        ("u1", t.uint8),
        ("u2", t.uint16),
        ("u4", t.uint32),
        ("u8", t.uint64),
        ("uintp", t.uint64),
        ("f4", t.float32),
        ("f8", t.float64),
        ("c8", t.complex64),
        ("c16", t.complex128),
        ("void", t.none),
    ],
)
def test_aliases(alias, ty):
    assert getattr(t, alias) is ty
    assert t.from_string(alias) is ty


@pytest.mark.parametrize(
    "ty, text",
    [
        (t.float64[:], "array(float64, 1d, A)"),
        (t.float64[::1], "array(float64, 1d, C)"),
        (t.float64[:, :], "array(float64, 2d, A)"),
        (t.float64[:, ::1], "array(float64, 2d, C)"),
        (t.float64[::1, :], "array(float64, 2d, F)"),
        (t.int8[:, :, ::1], "array(int8, 3d, C)"),
        (t.complex64[::1, :, :], "array(complex64, 3d, F)"),
        (t.boolean[:], "array(bool, 1d, A)"),
        (t.Array(t.uint16, 2, "F"), "array(uint16, 2d, F)"),
        (t.UniTuple(t.int64, 2), "UniTuple(int64 x 2)"),
        (t.Tuple((t.int64, t.float64)), "Tuple(int64, float64)"),
        (t.Tuple((t.int64, t.int64)), "UniTuple(int64 x 2)"),
        (t.Tuple((t.float64[:], t.UniTuple(t.int8, 3))), "Tuple(array(float64, 1d, A), UniTuple(int8 x 3))"),
    ],
)
def test_compound_types_print_like_numba(ty, text):
    assert str(ty) == text
    assert t.from_string(text) == ty
    assert hash(t.from_string(text)) == hash(ty)


@pytest.mark.parametrize(
    "written, printed",
    [
        ("f8[:]", "array(float64, 1d, A)"),
        ("f8[:, ::1]", "array(float64, 2d, C)"),
        ("i4[::1, :]", "array(int32, 2d, F)"),
        ("float32[::1]", "array(float32, 1d, C)"),
        ("UniTuple(int64 x 3)", "UniTuple(int64 x 3)"),
        ("Tuple(int64, array(float64, 2d, C))", "Tuple(int64, array(float64, 2d, C))"),
    ],
)
def test_from_string_accepts_signature_spellings(written, printed):
    assert str(t.from_string(written)) == printed


@pytest.mark.parametrize(
    "bad", ["float65", "array(float64, 2d, X)", "f8[::1, ::1]", "f8[:", "UniTuple(int64, 2)", "int64 int64", ""]
)
def test_from_string_rejects_garbage(bad):
    with pytest.raises(ValueError):
        t.from_string(bad)


def test_bad_slices_are_type_errors():
    with pytest.raises(TypeError):
        t.float64[1:2]
    with pytest.raises(TypeError):
        t.float64[::1, ::1]
    with pytest.raises(TypeError):
        t.none[:]


def test_equality_is_by_name():
    assert t.float64[:, ::1] == t.Array(t.float64, 2, "C")
    assert t.float64[:, ::1] != t.float64[::1, :]
    assert t.int64 != t.uint64
    assert t.int64 != "int64"  # a type is not equal to its name
    assert len({t.float64[:], t.Array(t.float64, 1, "A"), t.from_string("array(float64, 1d, A)")}) == 1


@pytest.mark.parametrize(
    "sig, text",
    [
        (t.float64(t.float64[:], t.int64), "float64(array(float64, 1d, A), int64)"),
        (t.float64(t.float64[:, ::1]), "float64(array(float64, 2d, C))"),
        (t.void(t.int64[::1]), "none(array(int64, 1d, C))"),
        (t.UniTuple(t.int64, 2)(t.int64), "UniTuple(int64 x 2)(int64)"),
        (t.int64(), "int64()"),
    ],
)
def test_signatures(sig, text):
    assert str(sig) == text
    assert t.signature_from_string(text) == sig
    assert sig.args == tuple(t.signature_from_string(text).args)


def test_signature_parts():
    sig = t.float64(t.float64[:], t.int64)
    assert sig.return_type is t.float64
    assert sig.args == (t.float64[:], t.int64)
    inferred = t.signature_from_string("(int64, float32)")
    assert inferred.return_type is None
    assert str(inferred) == "(int64, float32)"
    assert str(t.signature_from_string("f8(f8[:, ::1], i8)")) == "float64(array(float64, 2d, C), int64)"


def test_array_type_attributes():
    a = t.int32[::1, :, :]
    assert (a.dtype, a.ndim, a.layout) == (t.int32, 3, "F")
    assert a.copy(layout="A") == t.int32[:, :, :]
    u = t.UniTuple(t.float32, 3)
    assert (u.dtype, u.count, len(u), u[1]) == (t.float32, 3, 3, t.float32)


@pytest.mark.parametrize(
    "value, text",
    [
        (1, "int64"),
        (-(2**63), "int64"),
        (1.5, "float64"),
        (True, "bool"),
        (1 + 2j, "complex128"),
        (np.int8(1), "int8"),
        (np.int16(1), "int16"),
        (np.int32(1), "int32"),
        (np.int64(1), "int64"),
        (np.uint8(1), "uint8"),
        (np.uint16(1), "uint16"),
        (np.uint32(1), "uint32"),
        (np.uint64(1), "uint64"),
        (np.float32(1), "float32"),
        (np.float64(1), "float64"),
        (np.complex64(1), "complex64"),
        (np.complex128(1), "complex128"),
        (np.bool_(True), "bool"),
        (np.zeros(3), "array(float64, 1d, C)"),
        (np.zeros((2, 3), dtype=np.int8), "array(int8, 2d, C)"),
        (np.zeros((2, 3), dtype=np.float32, order="F"), "array(float32, 2d, F)"),
        (np.zeros((4, 6))[::2, ::2], "array(float64, 2d, A)"),
        (np.zeros(6, dtype=np.complex64)[::2], "array(complex64, 1d, A)"),
        (np.zeros((2, 3, 4), dtype=np.uint64), "array(uint64, 3d, C)"),
        ("abc", "unicode_type"),
        ([1, 2], "list(int64)"),
        ({2.5}, "set(float64)"),
        (range(3), "range_state64"),
    ],
)
def test_typeof(value, text):
    assert str(oxjit.typeof(value)) == text
    assert oxjit.typeof(value) == t.from_string(text)


@pytest.mark.parametrize(
    "value", [{"a": 1}, object(), np.zeros(3, dtype="U3"), np.zeros(3, dtype=object)]
)
def test_typeof_rejects_values_compiled_code_cannot_take(value):
    with pytest.raises(ValueError):
        oxjit.typeof(value)
