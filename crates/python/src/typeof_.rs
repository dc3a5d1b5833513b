//! The oxjit type of a Python argument, and a compact integer code per type
//! for the dispatcher's hot path (no allocation for scalars and arrays).

use numpy::npyffi::{self, NpyTypes, PY_ARRAY_API};
use oxjit_types::{ArrayType, Layout, Scalar, Type};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::collections::HashMap;
use std::sync::Mutex;

const NPY_C_CONTIGUOUS: i32 = 0x1;
const NPY_F_CONTIGUOUS: i32 = 0x2;
const NPY_ALIGNED: i32 = 0x100;
const NPY_WRITEABLE: i32 = 0x400;

/// The scalar type of a NumPy descriptor, if oxjit supports it.
pub unsafe fn descr_scalar(descr: *mut npyffi::PyArray_Descr) -> Option<Scalar> {
    let f = &(*descr).fields;
    let native = matches!(f.byteorder as u8, b'=' | b'|')
        || (f.byteorder as u8 == b'<' && cfg!(target_endian = "little"));
    if !native {
        return None;
    }
    Scalar::from_numpy_char(f.type_ as u8)
}

pub fn is_numpy_scalar(py: Python<'_>, obj: *mut ffi::PyObject) -> bool {
    unsafe {
        let generic = npyffi::get_type_object(py, NpyTypes::PyGenericArrType_Type);
        ffi::PyObject_TypeCheck(obj, generic) != 0
    }
}

/// The scalar type of a descriptor NumPy just returned (a new reference,
/// released here; null, with the error cleared, gives `None`).
unsafe fn owned_descr_scalar(descr: *mut npyffi::PyArray_Descr) -> Option<Scalar> {
    if descr.is_null() {
        ffi::PyErr_Clear();
        return None;
    }
    let s = descr_scalar(descr);
    ffi::Py_DECREF(descr.cast());
    s
}

/// The scalar type of a NumPy scalar object.
pub fn numpy_scalar_type(py: Python<'_>, obj: *mut ffi::PyObject) -> Option<Scalar> {
    unsafe { owned_descr_scalar(PY_ARRAY_API.PyArray_DescrFromScalar(py, obj)) }
}

/// The type of an array object, or why it cannot be compiled.
pub unsafe fn array_type(arr: *mut npyffi::PyArrayObject) -> Result<ArrayType, String> {
    let f = &(*arr).fields;
    let dtype = descr_scalar(f.descr).ok_or_else(|| {
        let d = &(*f.descr).fields;
        format!(
            "arrays of dtype '{}' (kind '{}') are not supported",
            d.type_ as u8 as char, d.kind as u8 as char
        )
    })?;
    if f.nd == 0 {
        return Err("0-d arrays are not supported; pass a scalar instead".into());
    }
    if f.flags & NPY_ALIGNED == 0 {
        return Err("unaligned arrays are not supported; pass a copy".into());
    }
    let layout = if f.flags & NPY_C_CONTIGUOUS != 0 {
        Layout::C
    } else if f.flags & NPY_F_CONTIGUOUS != 0 {
        Layout::F
    } else {
        Layout::A
    };
    Ok(ArrayType {
        readonly: f.flags & NPY_WRITEABLE == 0,
        ..ArrayType::new(dtype, f.nd as u8, layout)
    })
}

/// The oxjit type of a Python value.
pub fn type_of(obj: &Bound<'_, PyAny>) -> Result<Type, String> {
    let py = obj.py();
    let p = obj.as_ptr();
    unsafe {
        // Exact Python scalars first: they are the dispatcher's common case.
        if ffi::PyLong_CheckExact(p) != 0 {
            return Ok(Type::INT);
        }
        if ffi::PyFloat_CheckExact(p) != 0 {
            return Ok(Type::FLOAT);
        }
        if ffi::PyBool_Check(p) != 0 {
            return Ok(Type::BOOL);
        }
        if npyffi::PyArray_Check(py, p) != 0 {
            return array_type(p.cast()).map(Type::Array);
        }
        if ffi::PyUnicode_Check(p) != 0 {
            return Ok(Type::Str);
        }
        if ffi::PyComplex_CheckExact(p) != 0 {
            return Ok(Type::Scalar(Scalar::PyComplex));
        }
        if is_numpy_scalar(py, p) {
            return numpy_scalar_type(py, p).map(Type::Scalar).ok_or_else(|| {
                format!("NumPy scalars of type {} are not supported", type_name(obj))
            });
        }
        if ffi::PyLong_Check(p) != 0 {
            return Ok(Type::INT);
        }
        if ffi::PyFloat_Check(p) != 0 {
            return Ok(Type::FLOAT);
        }
    }
    if obj.is_none() {
        return Ok(Type::None);
    }
    if let Some(t) = dtype_value(obj) {
        return t;
    }
    if let Some(t) =
        crate::typed::TypedList::type_of(obj).or_else(|| crate::typed::TypedDict::type_of(obj))
    {
        return t;
    }
    if let Ok(l) = obj.cast::<pyo3::types::PyList>() {
        return match item_type("list", l.iter())? {
            t @ (Type::Scalar(_) | Type::Array(_) | Type::Tuple(_) | Type::List(_) | Type::Str) => {
                Ok(Type::List(Box::new(t)))
            }
            t => Err(format!("lists of {t} cannot be passed to compiled code")),
        };
    }
    if let Ok(d) = obj.cast::<crate::dispatcher::Dispatcher>() {
        return Ok(Type::Function(d.get().id()));
    }
    if obj.cast::<pyo3::types::PyRange>().is_ok() {
        return Ok(Type::Range);
    }
    if let Ok(s) = obj.cast::<pyo3::types::PySet>() {
        // Set items are hashable: numbers, strs and tuples of them.
        return Ok(Type::Set(Box::new(item_type("set", s.iter())?)));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t
            .iter()
            .map(|x| type_of(&x))
            .collect::<Result<Vec<_>, _>>()
            .map(Type::Tuple);
    }
    Err(format!(
        "arguments of type '{}' are not supported",
        type_name(obj)
    ))
}

/// The type the items of a Python list or set (`what`) unify to: a
/// container is typed by all its items, so `[1, 2.5]` is a list of floats.
fn item_type<'py>(
    what: &str,
    items: impl Iterator<Item = Bound<'py, PyAny>>,
) -> Result<Type, String> {
    let mut item: Option<Type> = None;
    for x in items {
        let t = type_of(&x)?;
        item = Some(match item {
            None => t,
            Some(i) => oxjit_types::unify(&i, &t).ok_or_else(|| {
                format!("a {what} holding both {i} and {t} cannot be passed to compiled code")
            })?,
        });
    }
    let or_array = if what == "list" { ", or an array" } else { "" };
    item.ok_or_else(|| {
        format!("an empty {what} cannot be passed to compiled code: its item type is unknown (pass a {what} with an item{or_array})")
    })
}

/// The type of a NumPy dtype object or scalar type passed as a value.
fn dtype_value(obj: &Bound<'_, PyAny>) -> Option<Result<Type, String>> {
    let py = obj.py();
    let p = obj.as_ptr();
    unsafe {
        let descr_type = npyffi::get_type_object(py, NpyTypes::PyArrayDescr_Type);
        if ffi::PyObject_TypeCheck(p, descr_type) != 0 {
            let s = descr_scalar(p.cast());
            return Some(s.map(Type::DType).ok_or_else(|| {
                format!(
                    "dtype {} is not supported in compiled code",
                    obj.str().map_or_else(|_| "?".into(), |s| s.to_string())
                )
            }));
        }
        let generic = npyffi::get_type_object(py, NpyTypes::PyGenericArrType_Type);
        if ffi::PyType_Check(p) != 0 && ffi::PyType_IsSubtype(p.cast(), generic) != 0 {
            let s = owned_descr_scalar(PY_ARRAY_API.PyArray_DescrFromTypeObject(py, p));
            return Some(s.map(Type::Class).ok_or_else(|| {
                format!(
                    "the NumPy type {} is not supported in compiled code",
                    obj.str().map_or_else(|_| "?".into(), |s| s.to_string())
                )
            }));
        }
    }
    None
}

pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Codes for types that are not a scalar or an array, interned once.
static INTERNED: Mutex<Option<HashMap<Type, u64>>> = Mutex::new(None);

/// A compact code identifying a type exactly: scalars and arrays are encoded
/// inline; other types get an interned number.
pub fn code(t: &Type) -> u64 {
    match t {
        Type::Scalar(s) => 1 << 32 | *s as u64,
        Type::Array(a) => {
            2 << 32
                | (a.dtype as u64)
                | (a.ndim as u64) << 8
                | (a.layout as u64) << 16
                | (a.readonly as u64) << 24
        }
        _ => {
            let mut g = INTERNED.lock().unwrap();
            let map = g.get_or_insert_with(HashMap::new);
            let n = map.len() as u64;
            3 << 32 | *map.entry(t.clone()).or_insert(n)
        }
    }
}
